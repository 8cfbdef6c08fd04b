package calendar_test

import (
	"testing"
	"time"

	"motcua"
	"motcua/calendar"
	"motcua/workflow"
)

// local parses "2006-01-02 15:04" in Asia/Ho_Chi_Minh. 2026-11-30 is a
// Monday.
func local(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, motcua.Location())
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestDue(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name     string
		received string
		value    int
		unit     motcua.TimeUnit
		want     string
	}{
		{"same day in the morning", "2026-11-30 09:00", 0, motcua.SameDay, "2026-11-30 17:00"},
		{"same day at the cut-off", "2026-11-30 15:00", 0, motcua.SameDay, "2026-11-30 17:00"},
		{"same day after the cut-off", "2026-11-30 15:30", 0, motcua.SameDay, "2026-12-01 17:00"},
		{"same day value 1", "2026-11-30 09:00", 1, motcua.SameDay, "2026-11-30 17:00"},
		{"same day before opening", "2026-11-30 07:00", 0, motcua.SameDay, "2026-11-30 17:00"},
		{"same day at lunch", "2026-11-30 12:30", 0, motcua.SameDay, "2026-11-30 17:00"},
		{"same day after hours", "2026-11-30 17:30", 0, motcua.SameDay, "2026-12-01 17:00"},
		{"same day Friday after the cut-off", "2026-12-04 16:00", 0, motcua.SameDay, "2026-12-07 17:00"},
		{"same day Saturday", "2026-12-05 10:00", 0, motcua.SameDay, "2026-12-07 17:00"},
		{"1 working day from opening", "2026-11-30 08:00", 1, motcua.WorkingDays, "2026-11-30 17:00"},
		{"1 working day from lunch", "2026-11-30 12:30", 1, motcua.WorkingDays, "2026-12-01 12:00"},
		{"3 working days over a weekend", "2026-12-03 14:00", 3, motcua.WorkingDays, "2026-12-08 14:00"},
		{"3 working days from Wednesday", "2026-12-02 08:00", 3, motcua.WorkingDays, "2026-12-04 17:00"},
		{"10 working days", "2026-11-30 08:00", 10, motcua.WorkingDays, "2026-12-11 17:00"},
		{"2 working days over new year", "2026-12-31 14:00", 2, motcua.WorkingDays, "2027-01-05 14:00"}, // 1 January is a Friday
		{"4 working hours over lunch", "2026-11-30 10:00", 4, motcua.WorkingHours, "2026-11-30 15:00"},
		{"ends at the lunch break", "2026-11-30 10:00", 2, motcua.WorkingHours, "2026-11-30 12:00"},
		{"ends at the end of Friday", "2026-12-04 08:00", 8, motcua.WorkingHours, "2026-12-04 17:00"},
		{"1 working hour late in the day", "2026-11-30 16:30", 1, motcua.WorkingHours, "2026-12-01 08:30"},
		{"1 working hour from Sunday night", "2026-12-06 23:59", 1, motcua.WorkingHours, "2026-12-07 09:00"},
		{"15 days", "2026-11-30 09:00", 15, motcua.CalendarDays, "2026-12-15 17:00"},
		{"days ending on Saturday", "2026-11-30 09:00", 5, motcua.CalendarDays, "2026-12-07 17:00"},
		{"days ending on Sunday", "2026-11-30 09:00", 6, motcua.CalendarDays, "2026-12-07 17:00"},
		{"1 day from Friday", "2026-12-04 16:00", 1, motcua.CalendarDays, "2026-12-07 17:00"},
		{"1 day from Friday after hours", "2026-12-04 17:30", 1, motcua.CalendarDays, "2026-12-08 17:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			received := local(t, tt.received)
			pt := motcua.ProcessingTime{Value: tt.value, Unit: tt.unit}
			due, err := c.Due("00001", received, pt)
			if err != nil {
				t.Fatal(err)
			}
			if want := local(t, tt.want); !due.At.Equal(want) {
				t.Errorf("Due(%s, %v) = %s; want %s", tt.received, pt, due.At.In(motcua.Location()), want)
			}
			if due.At.Location() != time.UTC {
				t.Errorf("Due.At is in %v; want UTC", due.At.Location())
			}
			if len(due.Explanation) == 0 || due.Explanation[0].Kind != motcua.StepStart {
				t.Errorf("explanation does not begin with a start step: %+v", due.Explanation)
			}
			if due.SummaryVI == "" || due.SummaryEN == "" {
				t.Errorf("empty summary: %+v", due)
			}
			// The same instant written in UTC gives the same result.
			utc, err := c.Due("00001", received.UTC(), pt)
			if err != nil {
				t.Fatal(err)
			}
			if !utc.At.Equal(due.At) || utc.SummaryVI != due.SummaryVI {
				t.Errorf("UTC input gives %s %q; want %s %q", utc.At, utc.SummaryVI, due.At, due.SummaryVI)
			}
		})
	}
}

func TestDueExplanation(t *testing.T) {
	c := calendar.Default()
	due, err := c.Due("", local(t, "2026-12-03 14:00"), motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays})
	if err != nil {
		t.Fatal(err)
	}
	want := []motcua.DueStep{
		{Date: "2026-12-03", Kind: motcua.StepStart, ReasonVI: "Nhận hồ sơ lúc 14:00 thứ Năm, 03/12/2026, bắt đầu tính thời gian", ReasonEN: "Received at 14:00 Thursday, 3 December 2026; the clock starts"},
		{Date: "2026-12-03", Kind: motcua.StepWorked, ReasonVI: "Làm việc 14:00–17:00 (3 giờ)", ReasonEN: "Working time 14:00–17:00 (3 hours)"},
		{Date: "2026-12-04", Kind: motcua.StepWorked, ReasonVI: "Làm việc 08:00–12:00, 13:00–17:00 (8 giờ)", ReasonEN: "Working time 08:00–12:00, 13:00–17:00 (8 hours)"},
		{Date: "2026-12-05", Kind: motcua.StepSkipped, ReasonVI: "Thứ Bảy — ngày nghỉ hằng tuần", ReasonEN: "Saturday — weekly rest day"},
		{Date: "2026-12-06", Kind: motcua.StepSkipped, ReasonVI: "Chủ Nhật — ngày nghỉ hằng tuần", ReasonEN: "Sunday — weekly rest day"},
		{Date: "2026-12-07", Kind: motcua.StepWorked, ReasonVI: "Làm việc 08:00–12:00, 13:00–17:00 (8 giờ)", ReasonEN: "Working time 08:00–12:00, 13:00–17:00 (8 hours)"},
		{Date: "2026-12-08", Kind: motcua.StepWorked, ReasonVI: "Làm việc 08:00–12:00, 13:00–14:00 (5 giờ)", ReasonEN: "Working time 08:00–12:00, 13:00–14:00 (5 hours)"},
	}
	if len(due.Explanation) != len(want) {
		t.Fatalf("explanation has %d steps; want %d: %+v", len(due.Explanation), len(want), due.Explanation)
	}
	for i := range want {
		if due.Explanation[i] != want[i] {
			t.Errorf("step %d = %+v; want %+v", i, due.Explanation[i], want[i])
		}
	}
	if w := "Hạn xử lý 14:00 thứ Ba, 08/12/2026: 3 ngày làm việc tính từ 14:00 thứ Năm, 03/12/2026, bỏ qua 2 ngày nghỉ hằng tuần."; due.SummaryVI != w {
		t.Errorf("SummaryVI = %q; want %q", due.SummaryVI, w)
	}
	if w := "Due 14:00 Tuesday, 8 December 2026: 3 working days from 14:00 Thursday, 3 December 2026, skipping 2 weekly rest days."; due.SummaryEN != w {
		t.Errorf("SummaryEN = %q; want %q", due.SummaryEN, w)
	}
}

func TestDueSummary(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		received string
		pt       motcua.ProcessingTime
		vi, en   string
		kinds    []string
	}{
		{
			"2026-12-04 16:00", motcua.ProcessingTime{Unit: motcua.SameDay},
			"Hạn xử lý 17:00 thứ Hai, 07/12/2026: trong ngày, tính từ 16:00 thứ Sáu, 04/12/2026, bỏ qua 2 ngày nghỉ hằng tuần; nhận sau giờ tiếp nhận 15:00 nên hạn là hết ngày làm việc tiếp theo.",
			"Due 17:00 Monday, 7 December 2026: same day, from 16:00 Friday, 4 December 2026, skipping 2 weekly rest days; received after the 15:00 cut-off, so due at the end of the next working day.",
			[]string{motcua.StepStart, motcua.StepCutoff, motcua.StepWorked, motcua.StepSkipped, motcua.StepSkipped, motcua.StepWorked},
		},
		{
			"2026-12-05 10:00", motcua.ProcessingTime{Unit: motcua.SameDay},
			"Hạn xử lý 17:00 thứ Hai, 07/12/2026: trong ngày, tính từ 08:00 thứ Hai, 07/12/2026, bỏ qua 2 ngày nghỉ hằng tuần.",
			"Due 17:00 Monday, 7 December 2026: same day, from 08:00 Monday, 7 December 2026, skipping 2 weekly rest days.",
			[]string{motcua.StepStart, motcua.StepSkipped, motcua.StepSkipped, motcua.StepWorked},
		},
		{
			"2026-11-30 10:00", motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingHours},
			"Hạn xử lý 11:00 thứ Hai, 30/11/2026: 1 giờ làm việc tính từ 10:00 thứ Hai, 30/11/2026.",
			"Due 11:00 Monday, 30 November 2026: 1 working hour from 10:00 Monday, 30 November 2026.",
			[]string{motcua.StepStart, motcua.StepWorked},
		},
		{
			"2026-11-30 09:00", motcua.ProcessingTime{Value: 15, Unit: motcua.CalendarDays},
			"Hạn xử lý 17:00 thứ Ba, 15/12/2026: 15 ngày kể từ thứ Hai, 30/11/2026.",
			"Due 17:00 Tuesday, 15 December 2026: 15 days from Monday, 30 November 2026.",
			[]string{motcua.StepStart, motcua.StepWorked},
		},
		{
			"2026-11-30 09:00", motcua.ProcessingTime{Value: 6, Unit: motcua.CalendarDays},
			"Hạn xử lý 17:00 thứ Hai, 07/12/2026: 6 ngày kể từ thứ Hai, 30/11/2026; ngày cuối của thời hạn (Chủ Nhật, 06/12/2026) là ngày nghỉ nên hạn chuyển sang hết ngày làm việc tiếp theo.",
			"Due 17:00 Monday, 7 December 2026: 6 days from Monday, 30 November 2026; the last day of the period (Sunday, 6 December 2026) is not a working day, so the due time moves to the end of the next working day.",
			[]string{motcua.StepStart, motcua.StepSkipped, motcua.StepWorked},
		},
	}
	for _, tt := range tests {
		t.Run(tt.received, func(t *testing.T) {
			due, err := c.Due("", local(t, tt.received), tt.pt)
			if err != nil {
				t.Fatal(err)
			}
			if due.SummaryVI != tt.vi {
				t.Errorf("SummaryVI = %q; want %q", due.SummaryVI, tt.vi)
			}
			if due.SummaryEN != tt.en {
				t.Errorf("SummaryEN = %q; want %q", due.SummaryEN, tt.en)
			}
			var kinds []string
			for _, s := range due.Explanation {
				kinds = append(kinds, s.Kind)
			}
			if len(kinds) != len(tt.kinds) {
				t.Fatalf("step kinds = %v; want %v", kinds, tt.kinds)
			}
			for i := range kinds {
				if kinds[i] != tt.kinds[i] {
					t.Fatalf("step kinds = %v; want %v", kinds, tt.kinds)
				}
			}
		})
	}
}

func TestWorkingTime(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-11-30 08:00", "2026-11-30 17:00", 8 * time.Hour},
		{"2026-11-30 07:00", "2026-11-30 18:00", 8 * time.Hour},
		{"2026-11-30 12:00", "2026-11-30 13:00", 0},
		{"2026-11-30 11:30", "2026-11-30 13:15", 45 * time.Minute},
		{"2026-12-04 16:00", "2026-12-07 09:00", 2 * time.Hour},
		{"2026-11-30 00:00", "2026-12-07 00:00", 40 * time.Hour},
		{"2026-12-05 08:00", "2026-12-06 17:00", 0},
		{"2026-11-30 17:00", "2026-11-30 09:00", 0},
		{"2026-11-30 09:00", "2026-11-30 09:00", 0},
	}
	for _, tt := range tests {
		got, err := c.WorkingTime("", local(t, tt.from), local(t, tt.to))
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("WorkingTime(%s, %s) = %v; want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestAddWorkingTime(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		start string
		d     time.Duration
		want  string
	}{
		{"2026-11-30 10:00", 0, "2026-11-30 10:00"},
		{"2026-11-30 12:00", 0, "2026-11-30 12:00"},
		{"2026-11-30 12:30", 0, "2026-11-30 13:00"},
		{"2026-11-30 17:00", 0, "2026-11-30 17:00"},
		{"2026-12-05 10:00", 0, "2026-12-07 08:00"},
		{"2026-11-30 17:00", time.Minute, "2026-12-01 08:01"},
		{"2026-11-30 11:00", 90 * time.Minute, "2026-11-30 13:30"},
		{"2026-12-04 15:00", 15 * time.Hour, "2026-12-08 14:00"},
	}
	for _, tt := range tests {
		due, err := c.AddWorkingTime("", local(t, tt.start), tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if want := local(t, tt.want); !due.At.Equal(want) {
			t.Errorf("AddWorkingTime(%s, %v) = %s; want %s", tt.start, tt.d, due.At.In(motcua.Location()), tt.want)
		}
		if due.SummaryVI == "" || due.SummaryEN == "" || due.Explanation[0].Kind != motcua.StepStart {
			t.Errorf("AddWorkingTime(%s, %v) explanation incomplete: %+v", tt.start, tt.d, due)
		}
	}
	due, err := c.AddWorkingTime("", local(t, "2026-12-04 15:00"), 15*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if w := "Hạn xử lý 14:00 thứ Ba, 08/12/2026: còn 15 giờ làm việc, tính từ 15:00 thứ Sáu, 04/12/2026, bỏ qua 2 ngày nghỉ hằng tuần."; due.SummaryVI != w {
		t.Errorf("SummaryVI = %q; want %q", due.SummaryVI, w)
	}
}

// TestPauseResume runs a dossier through a supplement request on the
// default calendar: the working time left at the pause is kept exactly.
func TestPauseResume(t *testing.T) {
	c := calendar.Default()
	p := &motcua.Procedure{Code: "DEMO-1", Version: 1, ProcessingTime: motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays}}
	in := &motcua.DossierInput{ProcedureCode: p.Code, AgencyCode: "000.00.31.H26", Channel: motcua.ChannelCounter,
		Applicant: motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: "Nguyễn Văn An", IDNumber: "001090000001"}}
	env := func(now string) motcua.Env {
		return motcua.Env{Now: local(t, now), Actor: motcua.BootstrapAdmin, Calendar: c,
			NextCode: func(string, time.Time) (string, error) { return "000.00.31.H26-261130-0001", nil }}
	}
	out, err := workflow.New(in, p, workflow.Default(p), "001", env("2026-11-30 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	d := out.Dossier
	if want := local(t, "2026-12-03 09:00"); !d.DueAt.Equal(want) {
		t.Fatalf("due at %s; want %s", d.DueAt, want)
	}
	if out, err = workflow.Apply(workflow.Default(p), p, d, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Giấy chứng sinh"}}, env("2026-12-01 10:00")); err != nil {
		t.Fatal(err)
	}
	if d = out.Dossier; d.Remaining != 15*time.Hour {
		t.Errorf("remaining %v; want 15h", d.Remaining)
	}
	if out, err = workflow.Apply(workflow.Default(p), p, d, motcua.ActionRequest{Action: motcua.ActionSupplement}, env("2026-12-07 14:00")); err != nil {
		t.Fatal(err)
	}
	if d = out.Dossier; !d.DueAt.Equal(local(t, "2026-12-09 12:00")) {
		t.Errorf("due after resume at %s; want 2026-12-09 12:00", d.DueAt.In(motcua.Location()))
	}
	if k := d.DueExplanation.Explanation[0].Kind; k != motcua.StepPause {
		t.Errorf("first step after resume is %q; want %q", k, motcua.StepPause)
	}
}
