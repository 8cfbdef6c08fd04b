package motcua

import (
	"context"
	"encoding/json"
	"time"
)

// Calendar computes due times in legal working time for an administrative
// unit. Implementations are pure and safe for concurrent use.
type Calendar interface {
	// Due returns the due time of a processing time t counted from start
	// (a receipt time) in the working time of the unit with code unit.
	Due(unit string, start time.Time, t ProcessingTime) (Due, error)
	// WorkingTime returns the working time of the unit between from and to
	// (zero if to is not after from).
	WorkingTime(unit string, from, to time.Time) (time.Duration, error)
	// AddWorkingTime returns the instant at which d of working time has
	// passed after start: the due time of a resumed clock.
	AddWorkingTime(unit string, start time.Time, d time.Duration) (Due, error)
	// SubtractWorkingTime returns the latest instant from which d of
	// working time passes by end (when a due time becomes "due soon").
	SubtractWorkingTime(unit string, end time.Time, d time.Duration) (time.Time, error)
}

// Due is a due time with its explanation.
type Due struct {
	At          time.Time `json:"due"`
	Explanation []DueStep `json:"explanation"`
	SummaryVI   string    `json:"summary_vi"`
	SummaryEN   string    `json:"summary_en"`
}

// DueStep is one step of a due-time explanation: a working window used, a
// day skipped and why, a cut-off applied or a pause.
type DueStep struct {
	Date     string `json:"date"` // YYYY-MM-DD in Asia/Ho_Chi_Minh
	Kind     string `json:"kind"`
	ReasonVI string `json:"reason_vi"`
	ReasonEN string `json:"reason_en"`
}

// Due step kinds.
const (
	StepWorked  = "worked"
	StepSkipped = "skipped"
	StepCutoff  = "cutoff"
	StepStart   = "start"
	StepPause   = "pause"
	// StepExtension is the step of an extension with an apology.
	StepExtension = "extension"
)

// Kinds of calendar days.
const (
	DayWorkday      = "workday"      // a working day; as an official's day, a generated holiday worked as usual
	DayRest         = "rest"         // a weekly rest day
	DayHoliday      = "holiday"      // a public holiday or an official's day off
	DayCompensatory = "compensatory" // a day off for a holiday that fell on a weekly rest day
	DayMakeup       = "makeup"       // a weekly rest day worked (ngày làm bù)
)

// Calendar date limits: due times and calendars are computed for dates in
// these years only.
const (
	MinCalendarYear = 1900
	MaxCalendarYear = 2100
)

// CalendarDay is one day of a unit's calendar as it applies: whether it is
// worked, its kind and name, and where that comes from — "default" (the
// weekly pattern and the generated public holidays) or "unit CODE" (a
// unit's own week or an official's day of that unit or an ancestor).
type CalendarDay struct {
	Date    string `json:"date"` // YYYY-MM-DD
	Working bool   `json:"working"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Source  string `json:"source"`
}

// OfficialDay is a day set by officials for a unit and its descendants: a
// holiday (day off), a compensatory day off, a make-up working day, or a
// workday that overrides a generated holiday (the government fixes the
// exact Tết and National Day days each year).
type OfficialDay struct {
	Unit      string    `json:"unit"`
	Date      string    `json:"date"` // YYYY-MM-DD
	Kind      string    `json:"kind"` // DayHoliday, DayCompensatory, DayMakeup or DayWorkday
	Name      string    `json:"name"`
	UpdatedBy Actor     `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Window is a working window of a day, in minutes after local midnight.
type Window struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// WorkWeek is the weekly working time of a unit: the working windows of
// each weekday (indexed by time.Weekday; no window means a weekly rest day)
// and the intake cut-off of same-day procedures, in minutes after local
// midnight. A unit without its own week inherits its parent's.
type WorkWeek struct {
	Unit      string      `json:"unit"`
	Windows   [7][]Window `json:"windows"`
	Cutoff    int         `json:"cutoff"`
	UpdatedBy Actor       `json:"updated_by"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// DefaultWorkWeek returns the default week: Monday to Friday 08:00–12:00
// and 13:00–17:00, intake cut-off 15:00.
func DefaultWorkWeek() WorkWeek {
	var w WorkWeek
	for d := time.Monday; d <= time.Friday; d++ {
		w.Windows[d] = []Window{{8 * 60, 12 * 60}, {13 * 60, 17 * 60}}
	}
	w.Cutoff = 15 * 60
	return w
}

// CalendarChange is an entry of the history of officials' days and unit
// weeks: who changed what, and when. Before and After hold the JSON of the
// day or week before and after the change (null when absent).
type CalendarChange struct {
	ID     int64           `json:"id"`
	Unit   string          `json:"unit"`
	Date   string          `json:"date,omitempty"` // the day changed; empty for a week
	Action string          `json:"action"`         // "set_day", "delete_day", "set_week", "delete_week"
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
	Actor  Actor           `json:"actor"`
	At     time.Time       `json:"at"`
}

// CalendarService stores the officials' days and unit weeks and answers
// calendar questions on them. The actor of a change comes from the context.
type CalendarService interface {
	// CalendarDays returns one day per date from from to to (YYYY-MM-DD,
	// inclusive, at most 3 years) of the unit's calendar. Returns EINVALID
	// for a bad range and ENOTFOUND for an unknown unit.
	CalendarDays(ctx context.Context, unit, from, to string) ([]CalendarDay, error)
	// DueTime computes a due time on the unit's calendar. Returns EINVALID
	// and ENOTFOUND as Calendar.Due.
	DueTime(ctx context.Context, unit string, start time.Time, t ProcessingTime) (Due, error)
	// SetOfficialDay adds or replaces the official's day of d.Unit on
	// d.Date and records the change. Returns EINVALID for bad fields and an
	// unknown unit.
	SetOfficialDay(ctx context.Context, d *OfficialDay) error
	// DeleteOfficialDay removes an official's day and records the change.
	// Returns ENOTFOUND when there is none.
	DeleteOfficialDay(ctx context.Context, unit, date string) error
	// FindOfficialDays returns the officials' days set on the unit itself
	// between from and to (YYYY-MM-DD, inclusive).
	FindOfficialDays(ctx context.Context, unit, from, to string) ([]*OfficialDay, error)
	// FindWorkWeek returns the week that applies to the unit (its own or
	// inherited; Unit names the unit it comes from, "" for the default).
	// Returns ENOTFOUND for an unknown unit.
	FindWorkWeek(ctx context.Context, unit string) (*WorkWeek, error)
	// SetWorkWeek sets the unit's own week and records the change. Returns
	// EINVALID for overlapping or out-of-order windows, a week without any
	// working time, or an unknown unit.
	SetWorkWeek(ctx context.Context, w *WorkWeek) error
	// DeleteWorkWeek removes the unit's own week, so it inherits again.
	// Returns ENOTFOUND when it has none.
	DeleteWorkWeek(ctx context.Context, unit string) error
	// FindCalendarChanges returns a page of the history of a unit's days
	// and week (all units when unit is ""), newest first.
	FindCalendarChanges(ctx context.Context, unit string, p Page) ([]*CalendarChange, string, error)
}
