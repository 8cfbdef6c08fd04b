package calendar_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/calendar"
)

// testConfig is a unit tree of two provinces:
//
//	01 Hà Nội
//	  001 Ba Đình — make-up Saturday 2026-12-05; 2026-09-03 worked
//	    00001 Phúc Xá
//	    00004 Trúc Bạch — 2026-09-03 a day off again
//	  002 Hoàn Kiếm — works Saturday mornings
//	    00037 Phúc Tân
//	79 Hồ Chí Minh — day off Saturday 2026-12-05, compensatory day off
//	  Monday 2026-12-07
func testConfig() calendar.Config {
	saturdays := motcua.DefaultWorkWeek()
	saturdays.Unit = "002"
	saturdays.Windows[time.Saturday] = []motcua.Window{{Start: 8 * 60, End: 12 * 60}}
	return calendar.Config{
		Parents: map[string]string{
			"01": "", "001": "01", "00001": "001", "00004": "001", "002": "01", "00037": "002",
			"79": "",
		},
		Weeks: []motcua.WorkWeek{saturdays},
		Days: []motcua.OfficialDay{
			{Unit: "001", Date: "2026-12-05", Kind: motcua.DayMakeup},
			{Unit: "001", Date: "2026-09-03", Kind: motcua.DayWorkday},
			{Unit: "00004", Date: "2026-09-03", Kind: motcua.DayHoliday, Name: "Nghỉ Quốc khánh"},
			{Unit: "79", Date: "2026-12-05", Kind: motcua.DayHoliday, Name: "Ngày hội đoàn kết"},
			{Unit: "79", Date: "2026-12-07", Kind: motcua.DayCompensatory},
		},
	}
}

func newTestCalendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testUnits are the units of testConfig the properties are checked on.
var testUnits = []string{"01", "00001", "00004", "00037", "79"}

// randomTime returns an instant in 2025–2027, often on a window boundary.
func randomTime(r *rand.Rand) time.Time {
	day := time.Date(2025, 1, 1+r.IntN(3*365), 0, 0, 0, 0, motcua.Location())
	if r.IntN(3) == 0 {
		boundaries := []int{0, 8 * 60, 12 * 60, 13 * 60, 15 * 60, 17 * 60}
		return day.Add(time.Duration(boundaries[r.IntN(len(boundaries))]) * time.Minute)
	}
	return day.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
}

// randomDuration returns a working time up to 200 hours, often a whole
// number of hours and sometimes zero.
func randomDuration(r *rand.Rand) time.Duration {
	switch r.IntN(4) {
	case 0:
		return 0
	case 1:
		return time.Duration(r.IntN(200)) * time.Hour
	}
	return time.Duration(r.Int64N(int64(200 * time.Hour)))
}

func randomProcessingTime(r *rand.Rand) motcua.ProcessingTime {
	switch r.IntN(4) {
	case 0:
		return motcua.ProcessingTime{Value: r.IntN(2), Unit: motcua.SameDay}
	case 1:
		return motcua.ProcessingTime{Value: 1 + r.IntN(100), Unit: motcua.WorkingHours}
	case 2:
		return motcua.ProcessingTime{Value: 1 + r.IntN(30), Unit: motcua.WorkingDays}
	}
	return motcua.ProcessingTime{Value: 1 + r.IntN(60), Unit: motcua.CalendarDays}
}

// checkInWorkingTime fails unless at lies in a working window of the
// unit's calendar or at its end, as told by Days and Week.
func checkInWorkingTime(t testing.TB, c *calendar.Calendar, unit string, at time.Time, what string) {
	t.Helper()
	at = at.In(motcua.Location())
	date := at.Format(time.DateOnly)
	days, err := c.Days(unit, date, date)
	if err != nil {
		t.Fatal(err)
	}
	if !days[0].Working {
		t.Errorf("%s = %s (unit %s), on a day off: %+v", what, at, unit, days[0])
		return
	}
	w, err := c.Week(unit)
	if err != nil {
		t.Fatal(err)
	}
	windows := w.Windows[at.Weekday()]
	if days[0].Kind == motcua.DayMakeup {
		if windows = w.Windows[time.Monday]; len(windows) == 0 {
			windows = motcua.DefaultWorkWeek().Windows[time.Monday]
		}
	}
	m := at.Sub(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, motcua.Location()))
	for _, x := range windows {
		if time.Duration(x.Start)*time.Minute <= m && m <= time.Duration(x.End)*time.Minute {
			return
		}
	}
	t.Errorf("%s = %s (unit %s), outside the windows %v", what, at, unit, windows)
}

func TestProperties(t *testing.T) {
	c := newTestCalendar(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		unit := testUnits[r.IntN(len(testUnits))]
		s1, s2 := randomTime(r), randomTime(r)
		if s2.Before(s1) {
			s1, s2 = s2, s1
		}
		a, b := randomDuration(r), randomDuration(r)
		pt := randomProcessingTime(r)

		due1 := due(t, c, unit, s1, pt)
		due2 := due(t, c, unit, s2, pt)
		checkInWorkingTime(t, c, unit, due1, "Due")
		if due1.Before(s1) {
			t.Errorf("Due(%s, %s, %v) = %s, before receipt", unit, s1, pt, due1)
		}
		if due2.Before(due1) {
			t.Errorf("Due(%s, %s, %v) = %s is before Due(%s) = %s", unit, s2, pt, due2, s1, due1)
		}

		ta := add(t, c, unit, s1, a)
		checkInWorkingTime(t, c, unit, ta, "AddWorkingTime")
		if got, want := add(t, c, unit, ta, b), add(t, c, unit, s1, a+b); !got.Equal(want) {
			t.Errorf("unit %s: adding %v then %v to %s gives %s; adding %v gives %s", unit, a, b, s1, got, a+b, want)
		}
		if got := add(t, c, unit, s2, a); got.Before(ta) {
			t.Errorf("AddWorkingTime(%s, %s, %v) = %s is before AddWorkingTime(%s) = %s", unit, s2, a, got, s1, ta)
		}
		if got := workingTime(t, c, unit, s1, ta); got != a {
			t.Errorf("unit %s: WorkingTime(%s, AddWorkingTime(%s, %v)) = %v", unit, s1, s1, a, got)
		}
		if got, want := workingTime(t, c, unit, s1, s2), workingTime(t, c, unit, s1, ta)+workingTime(t, c, unit, ta, s2); ta.Before(s2) && got != want {
			t.Errorf("unit %s: WorkingTime(%s, %s) = %v is not the sum %v over %s", unit, s1, s2, got, want, ta)
		}

		// Subtracting a working time from an instant and counting it back
		// gives the same working time, and nothing later has as much.
		if back, err := c.SubtractWorkingTime(unit, ta, a); err != nil {
			t.Errorf("SubtractWorkingTime(%s, %s, %v): %v", unit, ta, a, err)
		} else {
			if got := workingTime(t, c, unit, back, ta); got != a {
				t.Errorf("unit %s: WorkingTime(SubtractWorkingTime(%s, %v) = %s, %s) = %v", unit, ta, a, back, ta, got)
			}
			if a > 0 {
				if got := workingTime(t, c, unit, back.Add(time.Microsecond), ta); got >= a {
					t.Errorf("unit %s: SubtractWorkingTime(%s, %v) = %s is not the latest such instant", unit, ta, a, back)
				}
			}
		}

		// Pause at s1 before the due time, resume at s2: the working time
		// left is kept, and the due time does not move earlier.
		due := due(t, c, unit, s1.Add(-time.Duration(r.Int64N(int64(72*time.Hour)))), pt)
		if !s1.Before(due) {
			continue
		}
		rem := workingTime(t, c, unit, s1, due)
		resumed := add(t, c, unit, s2, rem)
		if got := workingTime(t, c, unit, s2, resumed); got != rem {
			t.Errorf("unit %s: pause at %s, resume at %s: %v left, %v counted after resume", unit, s1, s2, rem, got)
		}
		if resumed.Before(due) {
			t.Errorf("unit %s: pause at %s, resume at %s: due %s moved earlier to %s", unit, s1, s2, due, resumed)
		}
		if rem > 0 && !add(t, c, unit, s1, rem).Equal(due) {
			t.Errorf("unit %s: pause and resume at %s: due %s moved to %s", unit, s1, due, add(t, c, unit, s1, rem))
		}
	}
}

// FuzzDue checks the properties of due times on the default calendar and
// on a unit working Saturday mornings, over the calendar's whole range.
func FuzzDue(f *testing.F) {
	c := newTestCalendar(f)
	f.Add(int64(0), 10, uint8(2), int64(0), false)
	f.Add(int64(60*24*365*126+555), 1, uint8(0), int64(time.Hour), true)
	f.Add(int64(60*24*(365*126+40)), 3, uint8(2), int64(17*time.Hour+time.Second), false)
	f.Add(int64(60*24*(365*200)+1234), 59, uint8(3), int64(0), true)
	first := time.Date(motcua.MinCalendarYear, 1, 1, 0, 0, 0, 0, motcua.Location())
	span := int64(time.Date(motcua.MaxCalendarYear-20, 1, 1, 0, 0, 0, 0, time.UTC).Sub(first) / time.Minute)
	units := [4]motcua.TimeUnit{motcua.SameDay, motcua.WorkingHours, motcua.WorkingDays, motcua.CalendarDays}
	f.Fuzz(func(t *testing.T, minutes int64, value int, unit uint8, d int64, saturdays bool) {
		u := "01"
		if saturdays {
			u = "00037"
		}
		start := first.Add(time.Duration((minutes%span+span)%span) * time.Minute)
		pt := motcua.ProcessingTime{Value: value, Unit: units[unit%4]}
		got, err := c.Due(u, start, pt)
		if !pt.Valid() {
			if motcua.ErrorCode(err) != motcua.EINVALID {
				t.Fatalf("Due(%v) error = %v; want %s", pt, err, motcua.EINVALID)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkInWorkingTime(t, c, u, got.At, "Due")
		if got.At.Before(start) {
			t.Errorf("Due(%s, %v) = %s, before receipt", start, pt, got.At)
		}
		if later := due(t, c, u, start.Add(time.Minute), pt); later.Before(got.At) {
			t.Errorf("Due(%s, %v) = %s is before Due(%s) = %s", start.Add(time.Minute), pt, later, start, got.At)
		}
		dur := time.Duration((d%int64(1000*time.Hour) + int64(1000*time.Hour)) % int64(1000*time.Hour))
		at := add(t, c, u, start, dur)
		checkInWorkingTime(t, c, u, at, "AddWorkingTime")
		if w := workingTime(t, c, u, start, at); w != dur {
			t.Errorf("WorkingTime(%s, AddWorkingTime(%s, %v)) = %v", start, start, dur, w)
		}
		half := dur / 2
		if two := add(t, c, u, add(t, c, u, start, half), dur-half); !two.Equal(at) {
			t.Errorf("adding %v then %v to %s gives %s; adding %v gives %s", half, dur-half, start, two, dur, at)
		}
	})
}

// TestConcurrent computes due times from several goroutines on a new
// calendar, whose year tables are built on first use, and checks that they
// agree with the same computations made afterwards.
func TestConcurrent(t *testing.T) {
	c := newTestCalendar(t)
	pt := motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}
	starts := make([]time.Time, 64)
	for i := range starts {
		starts[i] = time.Date(2020+i%8, time.Month(1+i%12), 1+i%28, 9, 0, 0, 0, motcua.Location())
	}
	got := make([][]time.Time, 8)
	var wg sync.WaitGroup
	for g := range got {
		got[g] = make([]time.Time, len(starts))
		wg.Go(func() {
			for i, s := range starts {
				d, err := c.Due(testUnits[(g+i)%len(testUnits)], s, pt)
				if err != nil {
					t.Error(err)
					return
				}
				got[g][i] = d.At
			}
		})
	}
	wg.Wait()
	for g := range got {
		for i, s := range starts {
			if want := due(t, c, testUnits[(g+i)%len(testUnits)], s, pt); !got[g][i].Equal(want) {
				t.Errorf("goroutine %d: Due(%s) = %s; want %s", g, s, got[g][i], want)
			}
		}
	}
}

func due(t testing.TB, c *calendar.Calendar, unit string, start time.Time, pt motcua.ProcessingTime) time.Time {
	t.Helper()
	d, err := c.Due(unit, start, pt)
	if err != nil {
		t.Fatal(err)
	}
	return d.At
}

func add(t testing.TB, c *calendar.Calendar, unit string, start time.Time, d time.Duration) time.Time {
	t.Helper()
	due, err := c.AddWorkingTime(unit, start, d)
	if err != nil {
		t.Fatal(err)
	}
	return due.At
}

func workingTime(t testing.TB, c *calendar.Calendar, unit string, from, to time.Time) time.Duration {
	t.Helper()
	d, err := c.WorkingTime(unit, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func BenchmarkDue(b *testing.B) {
	c := calendar.Default()
	start := time.Date(2026, 11, 30, 9, 30, 0, 0, motcua.Location())
	pt := motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}
	benchmarkDue(b, c, "", start, pt)
}

// BenchmarkDueAcrossTet computes 10 working days over Tết 2026 for a ward
// whose district has its own days.
func BenchmarkDueAcrossTet(b *testing.B) {
	c := newTestCalendar(b)
	start := time.Date(2026, 2, 12, 9, 30, 0, 0, motcua.Location())
	pt := motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}
	benchmarkDue(b, c, "00001", start, pt)
}

func benchmarkDue(b *testing.B, c *calendar.Calendar, unit string, start time.Time, pt motcua.ProcessingTime) {
	if _, err := c.Due(unit, start, pt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Due(unit, start, pt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew builds the calendar of a tree of 11,000 units with some
// weeks and officials' days, as the store does after a change, and computes
// a first due time, which builds a year table.
func BenchmarkNew(b *testing.B) {
	cfg := calendar.Config{Parents: map[string]string{"01": ""}}
	for d := range 30 {
		district := fmt.Sprintf("%03d", d)
		cfg.Parents[district] = "01"
		for w := range 366 {
			cfg.Parents[fmt.Sprintf("%s%05d", district, w)] = district
		}
		if d%10 == 0 {
			week := motcua.DefaultWorkWeek()
			week.Unit = district
			week.Windows[time.Saturday] = []motcua.Window{{Start: 8 * 60, End: 12 * 60}}
			cfg.Weeks = append(cfg.Weeks, week)
		}
	}
	for i := range 20 {
		cfg.Days = append(cfg.Days, motcua.OfficialDay{Unit: "01", Date: fmt.Sprintf("2026-%02d-%02d", 1+i%12, 5+i/12), Kind: motcua.DayMakeup})
	}
	start := time.Date(2026, 11, 30, 9, 30, 0, 0, motcua.Location())
	pt := motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}
	b.ReportAllocs()
	for b.Loop() {
		c, err := calendar.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Due("02900365", start, pt); err != nil {
			b.Fatal(err)
		}
	}
}
