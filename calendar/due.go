package calendar

import (
	"fmt"
	"time"

	"motcua"
)

// Due returns the due time of processing time t for a dossier received at
// received, on the unit's calendar.
//
// For same_day the due time is the end of the working day on which the
// clock starts, or of the next working day when the clock starts after the
// week's intake cut-off. For working_hours and working_days it is the
// instant at which the working time (N hours, or N × 8 hours) has run
// through the working windows. For days it is the end of the working time
// of the Nth day after the day on which the clock starts, or of the next
// working day when that day is not one.
//
// Returns ENOTFOUND for an unknown unit, and EINVALID naming "start" for a
// receipt outside 1900–2100, or naming the processing time's unit
// ("same_day", "working_hours", "working_days", "days"; "processing_time"
// for an unknown unit) for an invalid value or a due time after 2100.
func (c *Calendar) Due(unit string, received time.Time, t motcua.ProcessingTime) (motcua.Due, error) {
	p, err := c.profile(unit)
	if err != nil {
		return motcua.Due{}, err
	}
	field := string(t.Unit)
	if !t.Valid() {
		switch t.Unit {
		case motcua.SameDay, motcua.WorkingHours, motcua.WorkingDays, motcua.CalendarDays:
		default:
			field = "processing_time"
		}
		return motcua.Due{}, invalid(field, motcua.FieldValue,
			fmt.Sprintf("processing time %d %s is not a positive value in same_day, working_hours, working_days or days within ten years", t.Value, t.Unit))
	}
	if err := c.checkTime("start", received); err != nil {
		return motcua.Due{}, err
	}
	r := received.UnixNano()
	start, ok := p.begin(r)
	if !ok {
		return motcua.Due{}, afterEnd(field)
	}
	var x explanation
	var at int64
	switch t.Unit {
	case motcua.SameDay:
		k, _ := p.on(start)
		late := start > k.day().cutoff
		if late && !k.nextWorking() {
			return motcua.Due{}, afterEnd(field)
		}
		at = k.day().end()
		x = p.explain(r, at)
		x.received(r, start)
		if late {
			x.cutoff(r, p.week.ww.Cutoff)
		}
		x.walk(r, start, at)
		x.summarySameDay(at, start, late, p.week.ww.Cutoff)
	case motcua.WorkingHours, motcua.WorkingDays:
		d := time.Duration(t.Value) * time.Hour
		if t.Unit == motcua.WorkingDays {
			d *= hoursPerDay
		}
		if at, ok = p.add(start, int64(d)); !ok {
			return motcua.Due{}, afterEnd(field)
		}
		x = p.explain(r, at)
		x.received(r, start)
		x.walk(r, start, at)
		x.summaryWorking(at, start, t)
	case motcua.CalendarDays:
		nth, ok := p.at(p.dayNumber(start) + t.Value)
		k := nth
		for ok && len(k.day().wins) == 0 {
			ok = k.next()
		}
		if !ok {
			return motcua.Due{}, afterEnd(field)
		}
		at = k.day().end()
		x = p.explain(r, at)
		x.received(r, start)
		for j := nth; j.num() < k.num(); j.next() {
			x.skip(j.day())
		}
		x.lastDay(k.day(), t.Value, k.num() != nth.num())
		x.summaryDays(at, start, nth.day(), t.Value)
	}
	return x.due(at), nil
}

// WorkingTime returns the unit's working time between from and to: zero if
// to is not after from. Returns ENOTFOUND for an unknown unit and EINVALID
// naming "from" or "to" for an instant outside 1900–2100.
func (c *Calendar) WorkingTime(unit string, from, to time.Time) (time.Duration, error) {
	p, err := c.profile(unit)
	if err != nil {
		return 0, err
	}
	if err := c.checkTime("from", from); err != nil {
		return 0, err
	}
	if err := c.checkTime("to", to); err != nil {
		return 0, err
	}
	f, l := from.UnixNano(), to.UnixNano()
	if l <= f {
		return 0, nil
	}
	var sum int64
	last := p.dayNumber(l)
	for k, _ := p.on(f); ; {
		d := k.day()
		if len(d.wins) > 0 && d.wins[0].start >= f && d.wins[len(d.wins)-1].end <= l {
			sum += d.work
		} else {
			for _, w := range d.wins {
				if s, e := max(w.start, f), min(w.end, l); e > s {
					sum += e - s
				}
			}
		}
		if k.num() >= last || !k.next() {
			return time.Duration(sum), nil
		}
	}
}

// AddWorkingTime returns the instant at which d of the unit's working time
// has passed after start, counted through the working windows: the due
// time of a clock resumed at start. When d is zero it is start itself if
// start lies in a working window or at its end, and the start of the next
// working window otherwise. Returns ENOTFOUND for an unknown unit, and
// EINVALID naming "start" for a start outside 1900–2100 or "duration" for a
// negative d, one over ten years of working time, or a due time after 2100.
func (c *Calendar) AddWorkingTime(unit string, start time.Time, d time.Duration) (motcua.Due, error) {
	p, err := c.profile(unit)
	if err != nil {
		return motcua.Due{}, err
	}
	if d < 0 || d > maxWorkingTime {
		return motcua.Due{}, invalid("duration", motcua.FieldValue,
			fmt.Sprintf("working time %s is negative or longer than ten years", d))
	}
	if err := c.checkTime("start", start); err != nil {
		return motcua.Due{}, err
	}
	s := start.UnixNano()
	at, ok := p.add(s, int64(d))
	if !ok {
		return motcua.Due{}, afterEnd("duration")
	}
	begin := at
	if d > 0 {
		begin, _ = p.begin(s)
	}
	x := p.explain(s, at)
	x.resumed(s, begin)
	x.walk(s, begin, at)
	x.summaryRemaining(at, begin, d)
	return x.due(at), nil
}

// SubtractWorkingTime returns the latest instant from which d of the
// unit's working time passes by end: the start of a "due soon" period of
// d before a due time. A zero d gives end. Returns ENOTFOUND for an
// unknown unit, and EINVALID naming "end" or "duration" for an instant
// outside 1900–2100 or a negative d or one over ten years.
func (c *Calendar) SubtractWorkingTime(unit string, end time.Time, d time.Duration) (time.Time, error) {
	p, err := c.profile(unit)
	if err != nil {
		return time.Time{}, err
	}
	if d < 0 || d > maxWorkingTime {
		return time.Time{}, invalid("duration", motcua.FieldValue,
			fmt.Sprintf("working time %s is negative or longer than ten years", d))
	}
	if err := c.checkTime("end", end); err != nil {
		return time.Time{}, err
	}
	if d == 0 {
		return end, nil
	}
	at, ok := p.sub(end.UnixNano(), int64(d))
	if !ok {
		return time.Time{}, invalid("duration", motcua.FieldValue, "the working time starts before 1900")
	}
	return time.Unix(0, at).UTC(), nil
}

// sub returns the instant from which d nanoseconds of working time pass by
// t, walking the windows backwards; false when the calendar starts first.
func (p *profile) sub(t, d int64) (int64, bool) {
	k, ok := p.on(t)
	for ok {
		day := k.day()
		if len(day.wins) > 0 && day.end() <= t && d > day.work {
			d -= day.work
		} else {
			for i := len(day.wins) - 1; i >= 0; i-- {
				w := day.wins[i]
				if w.start >= t {
					continue
				}
				e := min(w.end, t)
				if left := e - w.start; d > left {
					d -= left
				} else {
					return e - d, true
				}
			}
		}
		ok = k.prev()
	}
	return 0, false
}

// begin returns the instant at which a clock started at t runs: t itself
// inside a working window, otherwise the start of the next one; false if
// there is none before the end of the calendar.
func (p *profile) begin(t int64) (int64, bool) {
	k, ok := p.on(t)
	for ok {
		for _, w := range k.day().wins {
			if w.end > t {
				return max(w.start, t), true
			}
		}
		ok = k.next()
	}
	return 0, false
}

// add returns the instant at which d nanoseconds of working time have
// passed after t. A zero d gives t itself when t lies in a window or at its
// end, and the start of the next window otherwise. It returns false when
// the calendar ends first.
func (p *profile) add(t, d int64) (int64, bool) {
	k, ok := p.on(t)
	for ok {
		day := k.day()
		if len(day.wins) > 0 && day.wins[0].start >= t && d > day.work {
			d -= day.work
		} else {
			for _, w := range day.wins {
				if w.end < t {
					continue
				}
				s := max(w.start, t)
				if left := w.end - s; d > left {
					d -= left
				} else {
					return s + d, true
				}
			}
		}
		ok = k.next()
	}
	return 0, false
}

// nextWorking moves to the next working day, or returns false past the
// calendar's last day.
func (k *cursor) nextWorking() bool {
	for k.next() {
		if len(k.day().wins) > 0 {
			return true
		}
	}
	return false
}

// end returns the end of the last working window of a working day.
func (d *day) end() int64 { return d.wins[len(d.wins)-1].end }

// checkTime returns EINVALID naming field when t's local date is outside
// 1900–2100.
func (c *Calendar) checkTime(field string, t time.Time) error {
	if y := t.In(c.loc).Year(); y < motcua.MinCalendarYear || y > motcua.MaxCalendarYear {
		return invalid(field, motcua.FieldValue, fmt.Sprintf("%s %s is outside %d–%d", field,
			t.Format(time.RFC3339), motcua.MinCalendarYear, motcua.MaxCalendarYear))
	}
	return nil
}

// afterEnd returns the EINVALID error of a due time after the calendar's
// last year, naming field.
func afterEnd(field string) error {
	return invalid(field, motcua.FieldValue, fmt.Sprintf("the due time falls after %d", motcua.MaxCalendarYear))
}
