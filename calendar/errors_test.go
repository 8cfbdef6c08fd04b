package calendar_test

import (
	"errors"
	"testing"
	"time"

	"motcua"
	"motcua/calendar"
)

// checkInvalid fails unless err is EINVALID naming field first.
func checkInvalid(t *testing.T, what string, err error, field string) {
	t.Helper()
	var e *motcua.Error
	if !errors.As(err, &e) || e.Code != motcua.EINVALID {
		t.Errorf("%s: error = %v; want %s", what, err, motcua.EINVALID)
		return
	}
	if len(e.Fields) == 0 || e.Fields[0].Field != field {
		t.Errorf("%s: fields = %+v; want %q", what, e.Fields, field)
	}
}

func TestNewInvalid(t *testing.T) {
	week := func(unit string, edit func(*motcua.WorkWeek)) motcua.WorkWeek {
		w := motcua.DefaultWorkWeek()
		w.Unit = unit
		edit(&w)
		return w
	}
	nothing := func(*motcua.WorkWeek) {}
	parents := map[string]string{"01": "", "001": "01"}
	tests := []struct {
		name  string
		cfg   calendar.Config
		field string
	}{
		{"week of an unknown unit", calendar.Config{Parents: parents, Weeks: []motcua.WorkWeek{week("99", nothing)}}, "unit"},
		{"week without a unit", calendar.Config{Weeks: []motcua.WorkWeek{week("", nothing)}}, "unit"},
		{"two weeks of a unit", calendar.Config{Weeks: []motcua.WorkWeek{week("01", nothing), week("01", nothing)}}, "unit"},
		{"window before midnight", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) {
			w.Windows[time.Monday] = []motcua.Window{{Start: -1, End: 60}}
		})}}, "windows"},
		{"window past midnight", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) {
			w.Windows[time.Monday] = []motcua.Window{{Start: 1000, End: 1500}}
		})}}, "windows"},
		{"empty window", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) {
			w.Windows[time.Monday] = []motcua.Window{{Start: 600, End: 600}}
		})}}, "windows"},
		{"overlapping windows", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) {
			w.Windows[time.Monday] = []motcua.Window{{Start: 480, End: 720}, {Start: 700, End: 1020}}
		})}}, "windows"},
		{"windows out of order", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) {
			w.Windows[time.Monday] = []motcua.Window{{Start: 780, End: 1020}, {Start: 480, End: 720}}
		})}}, "windows"},
		{"no working time", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) {
			w.Windows = [7][]motcua.Window{}
		})}}, "windows"},
		{"no cut-off", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) { w.Cutoff = 0 })}}, "cutoff"},
		{"cut-off past midnight", calendar.Config{Weeks: []motcua.WorkWeek{week("01", func(w *motcua.WorkWeek) { w.Cutoff = 24*60 + 1 })}}, "cutoff"},
		{"day of an unknown unit", calendar.Config{Parents: parents, Days: []motcua.OfficialDay{{Unit: "99", Date: "2026-12-05", Kind: motcua.DayMakeup}}}, "unit"},
		{"malformed date", calendar.Config{Days: []motcua.OfficialDay{{Unit: "01", Date: "2026-12-5", Kind: motcua.DayMakeup}}}, "date"},
		{"date before 1900", calendar.Config{Days: []motcua.OfficialDay{{Unit: "01", Date: "1899-12-31", Kind: motcua.DayHoliday}}}, "date"},
		{"date after 2100", calendar.Config{Days: []motcua.OfficialDay{{Unit: "01", Date: "2101-01-01", Kind: motcua.DayHoliday}}}, "date"},
		{"unknown kind", calendar.Config{Days: []motcua.OfficialDay{{Unit: "01", Date: "2026-12-05", Kind: motcua.DayRest}}}, "kind"},
		{"two days of a unit on a date", calendar.Config{Days: []motcua.OfficialDay{
			{Unit: "01", Date: "2026-12-05", Kind: motcua.DayMakeup}, {Unit: "01", Date: "2026-12-05", Kind: motcua.DayHoliday},
		}}, "date"},
		{"cycle", calendar.Config{Parents: map[string]string{"01": "02", "02": "01", "03": "01"}}, "parent"},
		{"own parent", calendar.Config{Parents: map[string]string{"01": "01"}}, "parent"},
	}
	for _, tt := range tests {
		c, err := calendar.New(tt.cfg)
		if c != nil {
			t.Errorf("%s: New returned a calendar", tt.name)
		}
		checkInvalid(t, tt.name, err, tt.field)
	}
	// Touching windows, a parent outside the tree and units without
	// anything of their own are accepted.
	ok := calendar.Config{
		Parents: map[string]string{"01": "", "001": "01", "002": "XX"},
		Weeks: []motcua.WorkWeek{week("001", func(w *motcua.WorkWeek) {
			w.Windows[time.Monday] = []motcua.Window{{Start: 480, End: 720}, {Start: 720, End: 1020}}
		})},
	}
	c, err := calendar.New(ok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Week("002"); err != nil {
		t.Errorf("Week(002) error = %v", err)
	}
	if _, err := c.Week("XX"); motcua.ErrorCode(err) != motcua.ENOTFOUND {
		t.Errorf("Week(XX) error = %v; want %s", err, motcua.ENOTFOUND)
	}
}

func TestUnknownUnit(t *testing.T) {
	c := newTestCalendar(t)
	at := local(t, "2026-11-30 09:00")
	pt := motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays}
	_, err1 := c.Due("99", at, pt)
	_, err2 := c.WorkingTime("99", at, at.Add(time.Hour))
	_, err3 := c.AddWorkingTime("99", at, time.Hour)
	_, err4 := c.Days("99", "2026-11-30", "2026-11-30")
	_, err5 := c.Week("99")
	_, err6 := c.Due("", at, pt)
	for i, err := range []error{err1, err2, err3, err4, err5, err6} {
		if motcua.ErrorCode(err) != motcua.ENOTFOUND {
			t.Errorf("call %d: error = %v; want %s", i+1, err, motcua.ENOTFOUND)
		}
	}
	// Without a unit tree every code is known.
	if _, err := calendar.Default().Due("99", at, pt); err != nil {
		t.Errorf("Default().Due(99) error = %v", err)
	}
}

func TestDueInvalid(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name     string
		received string
		pt       motcua.ProcessingTime
		field    string
	}{
		{"zero working days", "2026-11-30 09:00", motcua.ProcessingTime{Value: 0, Unit: motcua.WorkingDays}, "working_days"},
		{"negative working hours", "2026-11-30 09:00", motcua.ProcessingTime{Value: -1, Unit: motcua.WorkingHours}, "working_hours"},
		{"over ten years of days", "2026-11-30 09:00", motcua.ProcessingTime{Value: 366*10 + 1, Unit: motcua.CalendarDays}, "days"},
		{"same day 2", "2026-11-30 09:00", motcua.ProcessingTime{Value: 2, Unit: motcua.SameDay}, "same_day"},
		{"unknown unit of time", "2026-11-30 09:00", motcua.ProcessingTime{Value: 1, Unit: "weeks"}, "processing_time"},
		{"received before 1900", "1899-12-31 23:59", motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays}, "start"},
		{"received after 2100", "2101-01-01 00:00", motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays}, "start"},
		{"same day after the last working time", "2100-12-31 17:30", motcua.ProcessingTime{Unit: motcua.SameDay}, "same_day"},
		{"same day past the cut-off of the last day", "2100-12-31 16:00", motcua.ProcessingTime{Unit: motcua.SameDay}, "same_day"},
		{"working days past 2100", "2100-12-20 09:00", motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}, "working_days"},
		{"working hours past 2100", "2100-12-31 17:30", motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingHours}, "working_hours"},
		{"days past 2100", "2100-12-25 09:00", motcua.ProcessingTime{Value: 10, Unit: motcua.CalendarDays}, "days"},
		{"ten years of working days from 2095", "2095-01-03 09:00", motcua.ProcessingTime{Value: 3660, Unit: motcua.WorkingDays}, "working_days"},
	}
	for _, tt := range tests {
		_, err := c.Due("", local(t, tt.received), tt.pt)
		checkInvalid(t, tt.name, err, tt.field)
	}
	for _, tt := range []struct {
		received string
		pt       motcua.ProcessingTime
		want     string
	}{
		{"1900-01-01 00:00", motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays}, "1900-01-02 17:00"}, // 1 January is a holiday
		{"2100-12-31 15:00", motcua.ProcessingTime{Unit: motcua.SameDay}, "2100-12-31 17:00"},
		{"2090-01-03 09:00", motcua.ProcessingTime{Value: 3660, Unit: motcua.CalendarDays}, "2100-01-11 17:00"},
	} {
		if got := due(t, c, "", local(t, tt.received), tt.pt); !got.Equal(local(t, tt.want)) {
			t.Errorf("Due(%s, %v) = %s; want %s", tt.received, tt.pt, got.In(motcua.Location()), tt.want)
		}
	}
}

func TestAddWorkingTimeInvalid(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name  string
		start string
		d     time.Duration
		field string
	}{
		{"negative", "2026-11-30 09:00", -time.Second, "duration"},
		{"over ten years", "2026-11-30 09:00", 8*366*10*time.Hour + time.Second, "duration"},
		{"start before 1900", "1899-12-31 12:00", time.Hour, "start"},
		{"start after 2100", "2101-01-02 12:00", time.Hour, "start"},
		{"due after 2100", "2100-12-31 10:00", 100 * time.Hour, "duration"},
	}
	for _, tt := range tests {
		_, err := c.AddWorkingTime("", local(t, tt.start), tt.d)
		checkInvalid(t, tt.name, err, tt.field)
	}
	if got := add(t, c, "", local(t, "2026-11-30 09:00"), 8*366*10*time.Hour); got.Year() < 2041 {
		t.Errorf("ten years of working time from 2026 end in %s", got)
	}
}

func TestWorkingTimeInvalid(t *testing.T) {
	c := calendar.Default()
	at := local(t, "2026-11-30 09:00")
	_, err := c.WorkingTime("", local(t, "1899-12-31 12:00"), at)
	checkInvalid(t, "from before 1900", err, "from")
	_, err = c.WorkingTime("", at, local(t, "2101-01-01 12:00"))
	checkInvalid(t, "to after 2100", err, "to")
	if d, err := c.WorkingTime("", at, at.Add(-time.Hour)); d != 0 || err != nil {
		t.Errorf("WorkingTime backwards = %v, %v; want 0, nil", d, err)
	}
}

func TestDaysInvalid(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name, from, to, field string
	}{
		{"malformed from", "2026-13-01", "2026-12-31", "from"},
		{"malformed to", "2026-01-01", "31/12/2026", "to"},
		{"empty from", "", "2026-12-31", "from"},
		{"from before 1900", "1899-12-31", "1900-01-31", "from"},
		{"to after 2100", "2100-12-01", "2101-01-01", "to"},
		{"from after to", "2026-12-31", "2026-01-01", "from"},
		{"over 1,100 days", "2026-01-01", "2029-01-05", "to"},
	}
	for _, tt := range tests {
		days, err := c.Days("", tt.from, tt.to)
		if days != nil {
			t.Errorf("%s: Days returned %d days", tt.name, len(days))
		}
		checkInvalid(t, tt.name, err, tt.field)
	}
	days, err := c.Days("", "2026-01-01", "2029-01-04")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1100 || days[0].Date != "2026-01-01" || days[1099].Date != "2029-01-04" {
		t.Errorf("Days over 1,100 days gives %d days from %s to %s", len(days), days[0].Date, days[len(days)-1].Date)
	}
	days, err = c.Days("", "2100-12-31", "2100-12-31")
	if err != nil || len(days) != 1 || !days[0].Working {
		t.Errorf("Days(2100-12-31) = %+v, %v", days, err)
	}
}
