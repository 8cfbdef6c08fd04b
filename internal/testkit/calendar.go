package testkit

import (
	"fmt"
	"time"

	"motcua"
)

// Calendar is a motcua.Calendar in plain wall-clock time, for tests that
// need due times but not working time: every hour counts, a working day
// is 24 hours, and a same-day time is due at 17:00 of the receipt day in
// Asia/Ho_Chi_Minh (or at receipt, if later).
type Calendar struct{}

var _ motcua.Calendar = Calendar{}

// Due returns start plus the processing time.
func (Calendar) Due(unit string, start time.Time, t motcua.ProcessingTime) (motcua.Due, error) {
	var at time.Time
	switch t.Unit {
	case motcua.SameDay:
		day := start.In(motcua.Location())
		at = time.Date(day.Year(), day.Month(), day.Day(), 17, 0, 0, 0, day.Location())
		if at.Before(start) {
			at = start
		}
	case motcua.WorkingHours:
		at = start.Add(time.Duration(t.Value) * time.Hour)
	case motcua.WorkingDays, motcua.CalendarDays:
		at = start.Add(time.Duration(t.Value) * 24 * time.Hour)
	default:
		return motcua.Due{}, fmt.Errorf("testkit: unknown processing time unit %q", t.Unit)
	}
	return due(start, at), nil
}

// WorkingTime returns to minus from, or zero.
func (Calendar) WorkingTime(unit string, from, to time.Time) (time.Duration, error) {
	return max(0, to.Sub(from)), nil
}

// AddWorkingTime returns start plus d.
func (Calendar) AddWorkingTime(unit string, start time.Time, d time.Duration) (motcua.Due, error) {
	return due(start, start.Add(d)), nil
}

func due(start, at time.Time) motcua.Due {
	return motcua.Due{
		At: at.UTC(),
		Explanation: []motcua.DueStep{{
			Date:     start.In(motcua.Location()).Format(time.DateOnly),
			Kind:     motcua.StepStart,
			ReasonVI: "Bắt đầu tính thời gian (lịch thử nghiệm)",
			ReasonEN: "Clock starts (test calendar)",
		}},
		SummaryVI: "Hạn " + at.In(motcua.Location()).Format("15:04 02/01/2006"),
		SummaryEN: "Due " + at.In(motcua.Location()).Format("2006-01-02 15:04"),
	}
}
