package calendar_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/calendar"
)

// offDays returns the days of the unit's calendar in a year that are not
// plain working days or weekly rest days, as "date kind name".
func offDays(t *testing.T, c *calendar.Calendar, unit string, year int) []string {
	t.Helper()
	days, err := c.Days(unit, fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range days {
		if d.Kind != motcua.DayWorkday && d.Kind != motcua.DayRest {
			out = append(out, d.Date+" "+d.Kind+" "+d.Name)
		}
	}
	return out
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHolidays checks the generated holidays and compensatory days of the
// default calendar, worked out by hand from the lunar dates recorded in
// testdata/tet.csv and testdata/lunar-months.csv.
func TestHolidays(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		year int
		want []string
	}{
		{2025, []string{ // Tết 29 January; the 12th month of 2024 has 29 days
			"2025-01-01 holiday Tết Dương lịch",
			"2025-01-28 holiday Tết Nguyên đán (29 Tết)",
			"2025-01-29 holiday Tết Nguyên đán (mùng 1)",
			"2025-01-30 holiday Tết Nguyên đán (mùng 2)",
			"2025-01-31 holiday Tết Nguyên đán (mùng 3)",
			"2025-02-01 holiday Tết Nguyên đán (mùng 4)", // Saturday
			"2025-02-03 compensatory Nghỉ bù Tết Nguyên đán",
			"2025-04-07 holiday Giỗ Tổ Hùng Vương (10/3 âm lịch)",
			"2025-04-30 holiday Ngày Chiến thắng (30/4)",
			"2025-05-01 holiday Ngày Quốc tế Lao động (1/5)",
			"2025-09-02 holiday Quốc khánh (2/9)",
			"2025-09-03 holiday Quốc khánh (ngày liền kề)",
		}},
		{2026, []string{ // Tết 17 February
			"2026-01-01 holiday Tết Dương lịch",
			"2026-02-16 holiday Tết Nguyên đán (29 Tết)",
			"2026-02-17 holiday Tết Nguyên đán (mùng 1)",
			"2026-02-18 holiday Tết Nguyên đán (mùng 2)",
			"2026-02-19 holiday Tết Nguyên đán (mùng 3)",
			"2026-02-20 holiday Tết Nguyên đán (mùng 4)",
			"2026-04-26 holiday Giỗ Tổ Hùng Vương (10/3 âm lịch)", // Sunday
			"2026-04-27 compensatory Nghỉ bù Giỗ Tổ Hùng Vương",
			"2026-04-30 holiday Ngày Chiến thắng (30/4)",
			"2026-05-01 holiday Ngày Quốc tế Lao động (1/5)",
			"2026-09-02 holiday Quốc khánh (2/9)",
			"2026-09-03 holiday Quốc khánh (ngày liền kề)",
		}},
		{2022, []string{ // five holidays on a weekend; 30/4 and 1/5 chain
			"2022-01-01 holiday Tết Dương lịch", // Saturday
			"2022-01-03 compensatory Nghỉ bù Tết Dương lịch",
			"2022-01-31 holiday Tết Nguyên đán (29 Tết)",
			"2022-02-01 holiday Tết Nguyên đán (mùng 1)",
			"2022-02-02 holiday Tết Nguyên đán (mùng 2)",
			"2022-02-03 holiday Tết Nguyên đán (mùng 3)",
			"2022-02-04 holiday Tết Nguyên đán (mùng 4)",
			"2022-04-10 holiday Giỗ Tổ Hùng Vương (10/3 âm lịch)", // Sunday
			"2022-04-11 compensatory Nghỉ bù Giỗ Tổ Hùng Vương",
			"2022-04-30 holiday Ngày Chiến thắng (30/4)",     // Saturday
			"2022-05-01 holiday Ngày Quốc tế Lao động (1/5)", // Sunday
			"2022-05-02 compensatory Nghỉ bù Ngày Chiến thắng",
			"2022-05-03 compensatory Nghỉ bù Ngày Quốc tế Lao động",
			"2022-09-02 holiday Quốc khánh (2/9)",
			"2022-09-03 holiday Quốc khánh (ngày liền kề)", // Saturday
			"2022-09-05 compensatory Nghỉ bù Quốc khánh",
		}},
		{1947, []string{ // Hùng Kings' day on 30 April
			"1947-01-01 holiday Tết Dương lịch",
			"1947-01-21 holiday Tết Nguyên đán (30 Tết)",
			"1947-01-22 holiday Tết Nguyên đán (mùng 1)",
			"1947-01-23 holiday Tết Nguyên đán (mùng 2)",
			"1947-01-24 holiday Tết Nguyên đán (mùng 3)",
			"1947-01-25 holiday Tết Nguyên đán (mùng 4)", // Saturday
			"1947-01-27 compensatory Nghỉ bù Tết Nguyên đán",
			"1947-04-30 holiday Giỗ Tổ Hùng Vương (10/3 âm lịch); Ngày Chiến thắng (30/4)",
			"1947-05-01 holiday Ngày Quốc tế Lao động (1/5)",
			"1947-09-02 holiday Quốc khánh (2/9)",
			"1947-09-03 holiday Quốc khánh (ngày liền kề)",
		}},
	}
	for _, tt := range tests {
		checkLines(t, fmt.Sprint("days off of ", tt.year), offDays(t, c, "", tt.year), tt.want)
	}
}

// TestHolidaysEveryYear checks, for every year, that the calendar has the
// recorded Tết and Hùng Kings' day as holidays, eleven holidays in all (ten
// in 1947), and a compensatory day for each holiday on a weekend.
func TestHolidaysEveryYear(t *testing.T) {
	c := calendar.Default()
	tet := map[int][]string{}
	for _, r := range readCSV(t, "tet.csv") {
		tet[atoi(t, r[0])] = r[1:]
	}
	for y := motcua.MinCalendarYear; y <= motcua.MaxCalendarYear; y++ {
		days, err := c.Days("", fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y))
		if err != nil {
			t.Fatal(err)
		}
		byDate := map[string]motcua.CalendarDay{}
		holidays, weekend, comps := 0, 0, 0
		for _, d := range days {
			byDate[d.Date] = d
			switch d.Kind {
			case motcua.DayHoliday:
				holidays++
				if w, _ := time.Parse(time.DateOnly, d.Date); w.Weekday() == time.Saturday || w.Weekday() == time.Sunday {
					weekend++
				}
			case motcua.DayCompensatory:
				comps++
			}
		}
		if want := 11 - b2i(y == 1947); holidays != want {
			t.Errorf("%d has %d holidays; want %d", y, holidays, want)
		}
		if comps != weekend {
			t.Errorf("%d has %d compensatory days for %d holidays on a weekend", y, comps, weekend)
		}
		dates := []string{tet[y][0], tet[y][2]}
		if y > motcua.MinCalendarYear {
			dates = append(dates, tet[y-1][1])
		}
		for _, date := range dates {
			if d := byDate[date]; d.Kind != motcua.DayHoliday || d.Working {
				t.Errorf("%s is %+v; want a holiday", date, d)
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestDaysUnits(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		unit, from, to string
		want           []string // "date working kind name source"
	}{
		{"00001", "2026-12-04", "2026-12-07", []string{ // the district's make-up Saturday
			"2026-12-04 true workday  default",
			"2026-12-05 true makeup Làm bù unit 001",
			"2026-12-06 false rest Nghỉ hằng tuần default",
			"2026-12-07 true workday  default",
		}},
		{"79", "2026-12-04", "2026-12-08", []string{ // a day off on a Saturday gives no compensatory day
			"2026-12-04 true workday  default",
			"2026-12-05 false holiday Ngày hội đoàn kết unit 79",
			"2026-12-06 false rest Nghỉ hằng tuần default",
			"2026-12-07 false compensatory Nghỉ bù unit 79",
			"2026-12-08 true workday  default",
		}},
		{"00037", "2026-12-04", "2026-12-07", []string{ // the district's week with Saturday mornings
			"2026-12-04 true workday  unit 002",
			"2026-12-05 true workday  unit 002",
			"2026-12-06 false rest Nghỉ hằng tuần unit 002",
			"2026-12-07 true workday  unit 002",
		}},
		{"00037", "2022-04-30", "2022-05-03", []string{ // 30/4 on a working Saturday: one compensatory day only
			"2022-04-30 false holiday Ngày Chiến thắng (30/4) default",
			"2022-05-01 false holiday Ngày Quốc tế Lao động (1/5) default",
			"2022-05-02 false compensatory Nghỉ bù Ngày Quốc tế Lao động default",
			"2022-05-03 true workday  unit 002",
		}},
		{"01", "2022-04-30", "2022-05-03", []string{
			"2022-04-30 false holiday Ngày Chiến thắng (30/4) default",
			"2022-05-01 false holiday Ngày Quốc tế Lao động (1/5) default",
			"2022-05-02 false compensatory Nghỉ bù Ngày Chiến thắng default",
			"2022-05-03 false compensatory Nghỉ bù Ngày Quốc tế Lao động default",
		}},
		// 3 September worked in district 001 and its ward 00001; a day off
		// again in ward 00004; a holiday in the sibling district 002.
		{"001", "2026-09-03", "2026-09-03", []string{"2026-09-03 true workday  unit 001"}},
		{"00001", "2026-09-03", "2026-09-03", []string{"2026-09-03 true workday  unit 001"}},
		{"00004", "2026-09-03", "2026-09-03", []string{"2026-09-03 false holiday Nghỉ Quốc khánh unit 00004"}},
		{"002", "2026-09-03", "2026-09-03", []string{"2026-09-03 false holiday Quốc khánh (ngày liền kề) default"}},
		{"00037", "2026-09-03", "2026-09-03", []string{"2026-09-03 false holiday Quốc khánh (ngày liền kề) default"}},
		{"01", "2026-09-03", "2026-09-03", []string{"2026-09-03 false holiday Quốc khánh (ngày liền kề) default"}},
		{"00004", "2026-12-31", "2027-01-01", []string{
			"2026-12-31 true workday  default",
			"2027-01-01 false holiday Tết Dương lịch default",
		}},
	}
	for _, tt := range tests {
		days, err := c.Days(tt.unit, tt.from, tt.to)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range days {
			got = append(got, fmt.Sprintf("%s %v %s %s %s", d.Date, d.Working, d.Kind, d.Name, d.Source))
		}
		checkLines(t, "Days("+tt.unit+", "+tt.from+", "+tt.to+")", got, tt.want)
	}
	days, err := c.Days("00001", "2026-12-05", "2026-12-05")
	if err != nil {
		t.Fatal(err)
	}
	if d := days[0]; d.NameEN != "Make-up working day" {
		t.Errorf("NameEN = %q; want Make-up working day", d.NameEN)
	}
	days, err = c.Days("01", "2026-02-17", "2026-02-17")
	if err != nil {
		t.Fatal(err)
	}
	if d := days[0]; d.NameEN != "Lunar New Year (1st day)" {
		t.Errorf("NameEN = %q; want Lunar New Year (1st day)", d.NameEN)
	}
}

func TestWeek(t *testing.T) {
	c := newTestCalendar(t)
	for unit, want := range map[string]string{"002": "002", "00037": "002", "001": "", "00001": "", "79": ""} {
		w, err := c.Week(unit)
		if err != nil {
			t.Fatal(err)
		}
		if w.Unit != want {
			t.Errorf("Week(%s).Unit = %q; want %q", unit, w.Unit, want)
		}
		if sat := len(w.Windows[time.Saturday]) > 0; sat != (want == "002") {
			t.Errorf("Week(%s) works on Saturday: %v", unit, sat)
		}
		if w.Cutoff != 15*60 {
			t.Errorf("Week(%s).Cutoff = %d; want 900", unit, w.Cutoff)
		}
		w.Windows[time.Monday][0].Start = 0
	}
	if w, _ := c.Week("00037"); w.Windows[time.Monday][0].Start != 8*60 {
		t.Error("changing a returned week changed the calendar")
	}
}

// TestDueUnits checks due times on units' calendars: holidays, make-up
// days, Saturday mornings and officials' days.
func TestDueUnits(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name, unit, received string
		pt                   motcua.ProcessingTime
		want                 string
	}{
		{"3 working days across Tết 2026", "01", "2026-02-13 09:00", motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays}, "2026-02-25 09:00"},
		{"3 working days across Tết 2025 and its compensatory day", "01", "2025-01-24 08:00", motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays}, "2025-02-04 17:00"},
		{"2 working days with Saturday morning", "00037", "2026-12-04 13:00", motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays}, "2026-12-07 17:00"},
		{"2 working days without Saturday morning", "01", "2026-12-04 13:00", motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays}, "2026-12-08 12:00"},
		{"2 working days over a make-up Saturday", "00001", "2026-12-04 13:00", motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays}, "2026-12-07 12:00"},
		{"same day on Saturday morning", "00037", "2026-12-05 11:00", motcua.ProcessingTime{Unit: motcua.SameDay}, "2026-12-05 12:00"},
		{"same day after the cut-off before 30/4 and 1/5", "01", "2026-04-29 16:00", motcua.ProcessingTime{Unit: motcua.SameDay}, "2026-05-04 17:00"},
		{"same day on a holiday", "01", "2026-09-02 09:00", motcua.ProcessingTime{Unit: motcua.SameDay}, "2026-09-04 17:00"},
		{"same day on a day worked instead of a holiday", "00001", "2026-09-03 09:00", motcua.ProcessingTime{Unit: motcua.SameDay}, "2026-09-03 17:00"},
		{"days landing on 2/9", "01", "2026-08-28 10:00", motcua.ProcessingTime{Value: 5, Unit: motcua.CalendarDays}, "2026-09-04 17:00"},
		{"days landing on a compensatory day", "01", "2026-04-20 10:00", motcua.ProcessingTime{Value: 7, Unit: motcua.CalendarDays}, "2026-04-28 17:00"},
		{"days landing on a make-up Saturday", "00001", "2026-11-30 10:00", motcua.ProcessingTime{Value: 5, Unit: motcua.CalendarDays}, "2026-12-05 17:00"},
		{"days landing on a working Saturday", "00037", "2026-11-30 10:00", motcua.ProcessingTime{Value: 5, Unit: motcua.CalendarDays}, "2026-12-05 12:00"},
		{"working hours over an official's days off", "79", "2026-12-04 16:00", motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingHours}, "2026-12-08 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := due(t, c, tt.unit, local(t, tt.received), tt.pt)
			if want := local(t, tt.want); !got.Equal(want) {
				t.Errorf("Due(%s, %s, %v) = %s; want %s", tt.unit, tt.received, tt.pt, got.In(motcua.Location()), want)
			}
		})
	}
}

func TestDueExplanationTet(t *testing.T) {
	c := calendar.Default()
	d, err := c.Due("", local(t, "2025-01-24 08:00"), motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays})
	if err != nil {
		t.Fatal(err)
	}
	full := [2]string{"Làm việc 08:00–12:00, 13:00–17:00 (8 giờ)", "Working time 08:00–12:00, 13:00–17:00 (8 hours)"}
	want := []motcua.DueStep{
		step("2025-01-24", motcua.StepStart, "Nhận hồ sơ lúc 08:00 thứ Sáu, 24/01/2025, bắt đầu tính thời gian", "Received at 08:00 Friday, 24 January 2025; the clock starts"),
		step("2025-01-24", motcua.StepWorked, full[0], full[1]),
		step("2025-01-25", motcua.StepSkipped, "Thứ Bảy — ngày nghỉ hằng tuần", "Saturday — weekly rest day"),
		step("2025-01-26", motcua.StepSkipped, "Chủ Nhật — ngày nghỉ hằng tuần", "Sunday — weekly rest day"),
		step("2025-01-27", motcua.StepWorked, full[0], full[1]),
		step("2025-01-28", motcua.StepSkipped, "Thứ Ba — nghỉ lễ: Tết Nguyên đán (29 Tết)", "Tuesday — public holiday: Lunar New Year (New Year's Eve)"),
		step("2025-01-29", motcua.StepSkipped, "Thứ Tư — nghỉ lễ: Tết Nguyên đán (mùng 1)", "Wednesday — public holiday: Lunar New Year (1st day)"),
		step("2025-01-30", motcua.StepSkipped, "Thứ Năm — nghỉ lễ: Tết Nguyên đán (mùng 2)", "Thursday — public holiday: Lunar New Year (2nd day)"),
		step("2025-01-31", motcua.StepSkipped, "Thứ Sáu — nghỉ lễ: Tết Nguyên đán (mùng 3)", "Friday — public holiday: Lunar New Year (3rd day)"),
		step("2025-02-01", motcua.StepSkipped, "Thứ Bảy — nghỉ lễ: Tết Nguyên đán (mùng 4)", "Saturday — public holiday: Lunar New Year (4th day)"),
		step("2025-02-02", motcua.StepSkipped, "Chủ Nhật — ngày nghỉ hằng tuần", "Sunday — weekly rest day"),
		step("2025-02-03", motcua.StepSkipped, "Thứ Hai — nghỉ bù Tết Nguyên đán", "Monday — compensatory day off for Lunar New Year"),
		step("2025-02-04", motcua.StepWorked, full[0], full[1]),
	}
	checkSteps(t, d.Explanation, want)
	if w := "Hạn xử lý 17:00 thứ Ba, 04/02/2025: 3 ngày làm việc tính từ 08:00 thứ Sáu, 24/01/2025, bỏ qua 3 ngày nghỉ hằng tuần, 5 ngày nghỉ lễ và 1 ngày nghỉ bù."; d.SummaryVI != w {
		t.Errorf("SummaryVI = %q; want %q", d.SummaryVI, w)
	}
	if w := "Due 17:00 Tuesday, 4 February 2025: 3 working days from 08:00 Friday, 24 January 2025, skipping 3 weekly rest days, 5 holidays and 1 compensatory day off."; d.SummaryEN != w {
		t.Errorf("SummaryEN = %q; want %q", d.SummaryEN, w)
	}
}

func TestDueExplanationOfficials(t *testing.T) {
	c := newTestCalendar(t)
	d, err := c.Due("00001", local(t, "2026-12-04 13:00"), motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays})
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, d.Explanation, []motcua.DueStep{
		step("2026-12-04", motcua.StepStart, "Nhận hồ sơ lúc 13:00 thứ Sáu, 04/12/2026, bắt đầu tính thời gian", "Received at 13:00 Friday, 4 December 2026; the clock starts"),
		step("2026-12-04", motcua.StepWorked, "Làm việc 13:00–17:00 (4 giờ)", "Working time 13:00–17:00 (4 hours)"),
		step("2026-12-05", motcua.StepWorked, "Làm việc 08:00–12:00, 13:00–17:00 (8 giờ) — ngày làm bù theo đơn vị 001", "Working time 08:00–12:00, 13:00–17:00 (8 hours) — make-up working day set by unit 001"),
		step("2026-12-06", motcua.StepSkipped, "Chủ Nhật — ngày nghỉ hằng tuần", "Sunday — weekly rest day"),
		step("2026-12-07", motcua.StepWorked, "Làm việc 08:00–12:00 (4 giờ)", "Working time 08:00–12:00 (4 hours)"),
	})

	d, err = c.Due("79", local(t, "2026-12-04 16:00"), motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingHours})
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, d.Explanation, []motcua.DueStep{
		step("2026-12-04", motcua.StepStart, "Nhận hồ sơ lúc 16:00 thứ Sáu, 04/12/2026, bắt đầu tính thời gian", "Received at 16:00 Friday, 4 December 2026; the clock starts"),
		step("2026-12-04", motcua.StepWorked, "Làm việc 16:00–17:00 (1 giờ)", "Working time 16:00–17:00 (1 hour)"),
		step("2026-12-05", motcua.StepSkipped, "Thứ Bảy — ngày nghỉ theo đơn vị 79: Ngày hội đoàn kết", "Saturday — day off set by unit 79: Ngày hội đoàn kết"),
		step("2026-12-06", motcua.StepSkipped, "Chủ Nhật — ngày nghỉ hằng tuần", "Sunday — weekly rest day"),
		step("2026-12-07", motcua.StepSkipped, "Thứ Hai — ngày nghỉ bù theo đơn vị 79", "Monday — compensatory day off set by unit 79"),
		step("2026-12-08", motcua.StepWorked, "Làm việc 08:00–09:00 (1 giờ)", "Working time 08:00–09:00 (1 hour)"),
	})
	if w := "Due 09:00 Tuesday, 8 December 2026: 2 working hours from 16:00 Friday, 4 December 2026, skipping 1 weekly rest day, 1 holiday and 1 compensatory day off."; d.SummaryEN != w {
		t.Errorf("SummaryEN = %q; want %q", d.SummaryEN, w)
	}

	// A days period ending on a holiday moves to the next working day.
	d, err = c.Due("01", local(t, "2026-08-28 10:00"), motcua.ProcessingTime{Value: 5, Unit: motcua.CalendarDays})
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, d.Explanation, []motcua.DueStep{
		step("2026-08-28", motcua.StepStart, "Nhận hồ sơ lúc 10:00 thứ Sáu, 28/08/2026, bắt đầu tính thời gian", "Received at 10:00 Friday, 28 August 2026; the clock starts"),
		step("2026-09-02", motcua.StepSkipped, "Thứ Tư — nghỉ lễ: Quốc khánh (2/9)", "Wednesday — public holiday: National Day"),
		step("2026-09-03", motcua.StepSkipped, "Thứ Năm — nghỉ lễ: Quốc khánh (ngày liền kề)", "Thursday — public holiday: National Day (day after)"),
		step("2026-09-04", motcua.StepWorked, "Ngày làm việc tiếp theo sau ngày cuối của thời hạn 5 ngày: hạn là 17:00, hết giờ làm việc", "Next working day after the last day of the 5-day period: due at 17:00, the end of working time"),
	})
	if w := "Hạn xử lý 17:00 thứ Sáu, 04/09/2026: 5 ngày kể từ thứ Sáu, 28/08/2026; ngày cuối của thời hạn (thứ Tư, 02/09/2026) là ngày nghỉ nên hạn chuyển sang hết ngày làm việc tiếp theo."; d.SummaryVI != w {
		t.Errorf("SummaryVI = %q; want %q", d.SummaryVI, w)
	}

	// Same day after the cut-off on the eve of 30/4.
	d, err = c.Due("01", local(t, "2026-04-29 16:00"), motcua.ProcessingTime{Unit: motcua.SameDay})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range d.Explanation {
		kinds = append(kinds, s.Date+" "+s.Kind)
	}
	checkLines(t, "same-day steps", kinds, []string{
		"2026-04-29 start", "2026-04-29 cutoff", "2026-04-29 worked", "2026-04-30 skipped",
		"2026-05-01 skipped", "2026-05-02 skipped", "2026-05-03 skipped", "2026-05-04 worked",
	})
}

func step(date, kind, vi, en string) motcua.DueStep {
	return motcua.DueStep{Date: date, Kind: kind, ReasonVI: vi, ReasonEN: en}
}

func checkSteps(t *testing.T, got, want []motcua.DueStep) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("explanation has %d steps; want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d = %+v; want %+v", i, got[i], want[i])
		}
	}
}
