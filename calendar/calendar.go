// Package calendar computes due times in the legal working time of
// Vietnamese administrative units.
//
// A unit's calendar has weekly working windows (by default Monday to Friday
// 08:00–12:00 and 13:00–17:00 in Asia/Ho_Chi_Minh, intake cut-off 15:00),
// the public holidays of Article 112 of the Labour Code 2019 generated for
// every year from 1900 to 2100 — Tết and Hùng Kings' day on the Vietnamese
// lunar calendar (Hồ Ngọc Đức's algorithm for UTC+7, see LunarDate) — and
// the officials' days set for the unit or its ancestors.
//
// The days of a unit's calendar are decided in layers:
//
//   - The week is the unit's own, or its nearest ancestor's, or the default.
//     A weekday without windows is a weekly rest day; a unit that works on
//     Saturday mornings has no rest day on Saturday.
//   - The generated public holidays are days off. A holiday on a weekly rest
//     day gives a compensatory day off on the next working day not already
//     off, so compensatory days chain (30 April on a Saturday and 1 May on a
//     Sunday give Monday and Tuesday off). Holidays falling on the same day
//     make one day off.
//   - An official's day of the unit, or else of its nearest ancestor that
//     has one on that date, replaces the generated day: holiday and
//     compensatory are days off, makeup is a day worked with the week's
//     Monday windows (the default weekday windows when Monday has none), and
//     workday makes the date a normal day of its weekday. Officials' days
//     give no compensatory days and remove none: officials set those days
//     themselves.
//
// The clock starts at receipt, or at the next working window when a dossier
// is received outside working time, and runs only through working windows.
// Every due time carries an explanation in Vietnamese and English: the
// windows used, the days skipped and why, the cut-off applied.
//
// Year tables of days, with their windows and texts, are built once per
// profile and year and cached in the Calendar: a profile is the calendar of
// a unit with its own week or days, shared by its descendants that have
// none.
package calendar

import (
	"fmt"
	"time"

	"motcua"
)

// hoursPerDay is the working time of one working day: N working days are
// N × 8 working hours.
const hoursPerDay = 8

// maxWorkingTime is the longest working time AddWorkingTime accepts: the
// working hours of ten years, the bound of motcua.ProcessingTime.
const maxWorkingTime = hoursPerDay * 366 * 10 * time.Hour

// maxRangeDays is the longest range of days Days returns.
const maxRangeDays = 1100

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
	loc      *time.Location
	strict   bool                // unit codes must be keys of Config.Parents
	profiles map[string]*profile // by unit code; others use def
	def      *profile
}

var _ motcua.Calendar = (*Calendar)(nil)

// New returns the calendar of cfg. Returns EINVALID, naming the field
// ("unit", "windows", "cutoff", "date", "kind" or "parent"), for a week or
// day of an unknown unit, two weeks of a unit or two days of a unit on a
// date, a window outside a day, empty, overlapping or out of order, a week
// without working time, a cut-off outside the day, a malformed date or one
// outside 1900–2100, an unknown kind of day, or a cycle in Parents.
func New(cfg Config) (*Calendar, error) {
	var fs motcua.Fields
	known := func(what, unit string) bool {
		if unit == "" {
			fs.Add("unit", motcua.FieldRequired, what+" without a unit")
			return false
		}
		if _, ok := cfg.Parents[unit]; !ok && cfg.Parents != nil {
			fs.Add("unit", motcua.FieldUnknown, fmt.Sprintf("%s of unknown unit %q", what, unit))
			return false
		}
		return true
	}
	weeks := make(map[string]*week, len(cfg.Weeks))
	for _, w := range cfg.Weeks {
		if !known("week", w.Unit) {
			continue
		}
		if _, dup := weeks[w.Unit]; dup {
			fs.Add("unit", motcua.FieldValue, fmt.Sprintf("unit %s has two weeks", w.Unit))
			continue
		}
		checkWeek(&fs, &w)
		weeks[w.Unit] = newWeek(copyWeek(w))
	}
	days := make(map[string]map[int]official)
	for _, d := range cfg.Days {
		if !known("day", d.Unit) {
			continue
		}
		n, ok := parseDay(&fs, "date", d.Date)
		if !ok {
			continue
		}
		switch d.Kind {
		case motcua.DayHoliday, motcua.DayCompensatory, motcua.DayMakeup, motcua.DayWorkday:
		default:
			fs.Add("kind", motcua.FieldValue, fmt.Sprintf("unit %s, %s: kind %q is not holiday, compensatory, makeup or workday", d.Unit, d.Date, d.Kind))
			continue
		}
		if days[d.Unit] == nil {
			days[d.Unit] = make(map[int]official)
		}
		if _, dup := days[d.Unit][n]; dup {
			fs.Add("date", motcua.FieldValue, fmt.Sprintf("unit %s has two days on %s", d.Unit, d.Date))
			continue
		}
		days[d.Unit][n] = official{d.Kind, d.Name, d.Unit}
	}
	if u, ok := cycle(cfg.Parents); ok {
		fs.Add("parent", motcua.FieldValue, fmt.Sprintf("unit %s is its own ancestor", u))
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}

	loc := motcua.Location()
	c := &Calendar{
		loc:      loc,
		strict:   cfg.Parents != nil,
		profiles: make(map[string]*profile, len(cfg.Parents)),
		def:      &profile{loc: loc, week: newWeek(motcua.DefaultWorkWeek())},
	}
	// Each unit with its own week or days gets a profile: the nearest week
	// and the days of the unit and its ancestors, the nearest winning.
	for unit := range unionKeys(weeks, days) {
		p := &profile{loc: loc, days: make(map[int]official)}
		for u := unit; u != ""; u = cfg.Parents[u] {
			if w, ok := weeks[u]; ok && p.week == nil {
				p.week = w
			}
			for n, o := range days[u] {
				if _, ok := p.days[n]; !ok {
					p.days[n] = o
				}
			}
		}
		if p.week == nil {
			p.week = c.def.week
		}
		c.profiles[unit] = p
	}
	// Every other unit shares its nearest configured ancestor's profile.
	var path []string
	for unit := range cfg.Parents {
		path = path[:0]
		p := c.def
		for u := unit; u != ""; u = cfg.Parents[u] {
			if q, ok := c.profiles[u]; ok {
				p = q
				break
			}
			if _, ok := cfg.Parents[u]; !ok {
				break
			}
			path = append(path, u)
		}
		for _, u := range path {
			c.profiles[u] = p
		}
	}
	return c, nil
}

// Default returns the default calendar: the default week and the generated
// public holidays, for any unit code.
func Default() *Calendar {
	c, err := New(Config{})
	if err != nil {
		panic(err)
	}
	return c
}

// Week returns the week that applies to the unit: its own or its nearest
// ancestor's (Unit names that unit), or the default (Unit ""). Returns
// ENOTFOUND for an unknown unit.
func (c *Calendar) Week(unit string) (motcua.WorkWeek, error) {
	p, err := c.profile(unit)
	if err != nil {
		return motcua.WorkWeek{}, err
	}
	return copyWeek(p.week.ww), nil
}

// Days returns one day per date of the unit's calendar from from to to
// (YYYY-MM-DD, inclusive). A day's Source is "unit CODE" when an
// official's day of that unit decides it, or when it is a working or rest
// day of that unit's own week, and "default" otherwise (the default week,
// the generated holidays and compensatory days). Weekly rest days are named
// "Nghỉ hằng tuần", working days have no name, and officials' days without
// a name take the generated holiday's name or one after their kind.
// Returns ENOTFOUND for an unknown unit and
// EINVALID, naming "from" or "to", for a malformed date, a date outside
// 1900–2100, from after to, or more than 1,100 days.
func (c *Calendar) Days(unit, from, to string) ([]motcua.CalendarDay, error) {
	p, err := c.profile(unit)
	if err != nil {
		return nil, err
	}
	var fs motcua.Fields
	f, okFrom := parseDay(&fs, "from", from)
	l, okTo := parseDay(&fs, "to", to)
	if !okFrom || !okTo {
		return nil, fs.Err()
	}
	if f > l {
		return nil, invalid("from", motcua.FieldValue, "from "+from+" is after to "+to)
	}
	if l-f+1 > maxRangeDays {
		return nil, invalid("to", motcua.FieldValue, "the range is longer than 3 years (1,100 days)")
	}
	out := make([]motcua.CalendarDay, 0, l-f+1)
	k, _ := p.at(f)
	for {
		d := k.day()
		out = append(out, motcua.CalendarDay{Date: d.date, Working: len(d.wins) > 0, Kind: d.kind,
			Name: d.name, NameEN: d.nameEN, Source: d.source})
		if k.num() == l || !k.next() {
			return out, nil
		}
	}
}

// profile returns the profile of a unit. Returns ENOTFOUND for an unknown
// unit.
func (c *Calendar) profile(unit string) (*profile, error) {
	if p, ok := c.profiles[unit]; ok {
		return p, nil
	}
	if c.strict {
		return nil, motcua.NotFound("unit", unit)
	}
	return c.def, nil
}

// checkWeek records the problems of a week's windows and cut-off.
func checkWeek(fs *motcua.Fields, w *motcua.WorkWeek) {
	total := 0
	for d, ws := range w.Windows {
		for i, x := range ws {
			switch {
			case x.Start < 0 || x.End > 24*60 || x.Start >= x.End:
				fs.Add("windows", motcua.FieldValue, fmt.Sprintf("unit %s, %s: window %d–%d minutes is empty or not within a day", w.Unit, time.Weekday(d), x.Start, x.End))
			case i > 0 && x.Start < ws[i-1].End:
				fs.Add("windows", motcua.FieldValue, fmt.Sprintf("unit %s, %s: windows overlap or are out of order", w.Unit, time.Weekday(d)))
			}
			total += x.End - x.Start
		}
	}
	if total <= 0 {
		fs.Add("windows", motcua.FieldValue, fmt.Sprintf("unit %s: the week has no working time", w.Unit))
	}
	if w.Cutoff <= 0 || w.Cutoff > 24*60 {
		fs.Add("cutoff", motcua.FieldValue, fmt.Sprintf("unit %s: the cut-off must be within the day (1 to 1440 minutes)", w.Unit))
	}
}

// copyWeek returns w with its own windows.
func copyWeek(w motcua.WorkWeek) motcua.WorkWeek {
	for d, ws := range w.Windows {
		if ws != nil {
			w.Windows[d] = append([]motcua.Window(nil), ws...)
		}
	}
	return w
}

// cycle returns a unit of a cycle of parents, if any.
func cycle(parents map[string]string) (string, bool) {
	const walking, done = 1, 2
	state := make(map[string]int8, len(parents))
	for unit := range parents {
		var path []string
		u := unit
		for u != "" && state[u] == 0 {
			state[u] = walking
			path = append(path, u)
			u = parents[u]
		}
		if u != "" && state[u] == walking {
			return u, true
		}
		for _, v := range path {
			state[v] = done
		}
	}
	return "", false
}

// unionKeys returns the set of the keys of a and b.
func unionKeys[A, B any](a map[string]A, b map[string]B) map[string]bool {
	s := make(map[string]bool, len(a)+len(b))
	for k := range a {
		s[k] = true
	}
	for k := range b {
		s[k] = true
	}
	return s
}

// parseDay returns the day number of a YYYY-MM-DD date in 1900–2100, or
// records the problem as field's.
func parseDay(fs *motcua.Fields, field, s string) (int, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		fs.Add(field, motcua.FieldFormat, fmt.Sprintf("%s %q is not a date YYYY-MM-DD", field, s))
		return 0, false
	}
	y, m, d := t.Date()
	if y < motcua.MinCalendarYear || y > motcua.MaxCalendarYear {
		fs.Add(field, motcua.FieldValue, fmt.Sprintf("%s %s is outside %d–%d", field, s, motcua.MinCalendarYear, motcua.MaxCalendarYear))
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// invalid returns an EINVALID error naming one field.
func invalid(field, reason, message string) error {
	var fs motcua.Fields
	fs.Add(field, reason, message)
	return fs.Err()
}
