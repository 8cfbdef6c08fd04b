// Package calendar computes due times in legal working time. The clock
// starts at receipt, or at the next working window when a dossier is
// received outside working time, and runs only through working windows.
// Every result carries an explanation in Vietnamese and English.
package calendar

import (
	"time"

	"motcua"
)

// hoursPerDay is the working time of one working day: N working days are
// N × 8 working hours.
const hoursPerDay = 8

// maxWorkingTime is the longest working time AddWorkingTime accepts: the
// working hours of ten years, the bound of motcua.ProcessingTime.
const maxWorkingTime = hoursPerDay * 366 * 10 * time.Hour

// window is a working window of a day, in minutes after local midnight.
type window struct{ start, end int }

// Simple is a calendar of fixed weekly working windows with no holidays.
// It is the same for every unit. Use NewSimple to make one; a Simple is
// safe for concurrent use.
type Simple struct {
	loc    *time.Location
	week   [7][]window // working windows by time.Weekday, in order
	cutoff int         // same-day intake cut-off, minutes after midnight
	// fullDay holds, by time.Weekday, the Vietnamese and English reasons
	// of a working day used in full.
	fullDay [7][2]string
}

var _ motcua.Calendar = (*Simple)(nil)

// NewSimple returns the default calendar: Monday to Friday 08:00–12:00 and
// 13:00–17:00 in Asia/Ho_Chi_Minh, Saturday and Sunday weekly rest days,
// and an intake cut-off at 15:00 for same-day procedures.
func NewSimple() *Simple {
	office := []window{{8 * 60, 12 * 60}, {13 * 60, 17 * 60}}
	c := &Simple{loc: motcua.Location(), cutoff: 15 * 60}
	for d := time.Monday; d <= time.Friday; d++ {
		c.week[d] = office
	}
	for d, ws := range c.week {
		c.fullDay[d] = fullDayReasons(ws)
	}
	return c
}

// Due returns the due time of processing time t for a dossier received at
// received. The unit is ignored: a Simple calendar is the same everywhere.
//
// For same_day the due time is the end of the working day on which the
// clock starts, or of the next working day when the clock starts after the
// intake cut-off (15:00). For working_hours and working_days it is the
// instant at which the working time (N hours, or N × 8 hours) has run
// through the working windows. For days it is the end of the working time
// of the Nth day after the day on which the clock starts, or of the next
// working day when that day is not one. Returns EINVALID for an invalid
// processing time.
func (c *Simple) Due(unit string, received time.Time, t motcua.ProcessingTime) (motcua.Due, error) {
	if !t.Valid() {
		return motcua.Due{}, motcua.Errorf(motcua.EINVALID, "invalid_processing_time",
			"Processing time %d %s is not valid.", t.Value, t.Unit)
	}
	start := c.begin(received)
	x := c.explain()
	x.received(received, start)
	var at time.Time
	switch t.Unit {
	case motcua.SameDay:
		day := c.dayOf(start)
		late := start.After(c.at(day, c.cutoff))
		if late {
			x.cutoff(received, c.cutoff)
			day = c.nextWorkingDay(day)
		}
		at = c.endOf(day)
		x.walk(received, start, at)
		x.summarySameDay(at, start, late, c.cutoff)
	case motcua.WorkingHours, motcua.WorkingDays:
		d := time.Duration(t.Value) * time.Hour
		if t.Unit == motcua.WorkingDays {
			d *= hoursPerDay
		}
		at = c.add(start, d)
		x.walk(received, start, at)
		x.summaryWorking(at, start, t)
	case motcua.CalendarDays:
		nth := c.addDays(c.dayOf(start), t.Value)
		day := nth
		for ; !c.working(day); day = c.addDays(day, 1) {
			x.skip(day)
		}
		at = c.endOf(day)
		x.lastDay(at, t.Value, !day.Equal(nth))
		x.summaryDays(at, start, nth, t.Value)
	}
	return x.due(at), nil
}

// WorkingTime returns the working time between from and to: zero if to is
// not after from. The unit is ignored.
func (c *Simple) WorkingTime(unit string, from, to time.Time) (time.Duration, error) {
	var sum time.Duration
	for day := c.dayOf(from); day.Before(to); day = c.addDays(day, 1) {
		for _, w := range c.week[day.Weekday()] {
			s, e := c.at(day, w.start), c.at(day, w.end)
			if s.Before(from) {
				s = from
			}
			if e.After(to) {
				e = to
			}
			if e.After(s) {
				sum += e.Sub(s)
			}
		}
	}
	return sum, nil
}

// AddWorkingTime returns the instant at which d of working time has passed
// after start, counted through the working windows. When d is zero it is
// start itself if start lies in a working window or at its end, and the
// start of the next working window otherwise. The unit is ignored. Returns
// EINVALID for a negative d or one over ten years of working time.
func (c *Simple) AddWorkingTime(unit string, start time.Time, d time.Duration) (motcua.Due, error) {
	if d < 0 || d > maxWorkingTime {
		return motcua.Due{}, motcua.Errorf(motcua.EINVALID, "invalid_duration",
			"Working time %s is negative or longer than ten years.", d)
	}
	at := c.add(start, d)
	begin := at
	if d > 0 {
		begin = c.begin(start)
	}
	x := c.explain()
	x.resumed(start, begin)
	x.walk(start, begin, at)
	x.summaryRemaining(at, begin, d)
	return x.due(at), nil
}

// add returns the instant at which d of working time has passed after
// start. A zero d gives start itself when start lies in a window or at its
// end, and the start of the next window otherwise.
func (c *Simple) add(start time.Time, d time.Duration) time.Time {
	for day := c.dayOf(start); ; day = c.addDays(day, 1) {
		for _, w := range c.week[day.Weekday()] {
			s, e := c.at(day, w.start), c.at(day, w.end)
			if e.Before(start) {
				continue
			}
			if s.Before(start) {
				s = start
			}
			left := e.Sub(s)
			if d <= left {
				return s.Add(d)
			}
			d -= left
		}
	}
}

// begin returns the instant at which a clock started at t runs: t itself
// inside a working window, otherwise the start of the next one.
func (c *Simple) begin(t time.Time) time.Time {
	for day := c.dayOf(t); ; day = c.addDays(day, 1) {
		for _, w := range c.week[day.Weekday()] {
			if c.at(day, w.end).After(t) {
				if s := c.at(day, w.start); s.After(t) {
					return s
				}
				return t
			}
		}
	}
}

// working reports whether day has working windows.
func (c *Simple) working(day time.Time) bool { return len(c.week[day.Weekday()]) > 0 }

// nextWorkingDay returns the first working day after day.
func (c *Simple) nextWorkingDay(day time.Time) time.Time {
	for day = c.addDays(day, 1); !c.working(day); day = c.addDays(day, 1) {
	}
	return day
}

// endOf returns the end of the last working window of a working day.
func (c *Simple) endOf(day time.Time) time.Time {
	ws := c.week[day.Weekday()]
	return c.at(day, ws[len(ws)-1].end)
}

// dayOf returns local midnight of the day of t.
func (c *Simple) dayOf(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.loc)
}

// addDays returns local midnight n days after day.
func (c *Simple) addDays(day time.Time, n int) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, c.loc)
}

// at returns the instant of day at the wall-clock time minutes after
// midnight.
func (c *Simple) at(day time.Time, minutes int) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, minutes, 0, 0, c.loc)
}
