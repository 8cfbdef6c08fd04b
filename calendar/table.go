package calendar

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"motcua"
)

// years is the number of years a calendar covers.
const years = motcua.MaxCalendarYear - motcua.MinCalendarYear + 1

// week is an effective working week with the reasons of its days.
type week struct {
	ww     motcua.WorkWeek // Unit names the unit it comes from, "" for the default
	source string          // "default" or "unit CODE"
	makeup []motcua.Window // the windows of a make-up working day
	// full holds, by time.Weekday, the Vietnamese and English reasons of a
	// working day whose windows are used in full; makeupFull those of a
	// make-up day.
	full       [7][2]string
	makeupFull [2]string
}

// newWeek returns the effective week ww with its texts.
func newWeek(ww motcua.WorkWeek) *week {
	w := &week{ww: ww, source: "default", makeup: ww.Windows[time.Monday]}
	if ww.Unit != "" {
		w.source = "unit " + ww.Unit
	}
	if len(w.makeup) == 0 {
		w.makeup = motcua.DefaultWorkWeek().Windows[time.Monday]
	}
	for d, ws := range ww.Windows {
		w.full[d] = fullDayReasons(ws)
	}
	w.makeupFull = fullDayReasons(w.makeup)
	return w
}

// official is an official's day as it applies to a profile.
type official struct{ kind, name, unit string }

// profile is an effective calendar: a week and the officials' days of a
// unit and its ancestors, by day number, the nearest unit's day winning.
// Units without their own days or week share the profile of their nearest
// ancestor that has some. Year tables are built on first use.
type profile struct {
	loc   *time.Location
	week  *week
	days  map[int]official
	mu    sync.Mutex // serialises building year tables
	years [years]atomic.Pointer[yearTable]
}

// yearTable holds every day of a year of a profile.
type yearTable struct {
	year  int
	first int // day number of 1 January
	days  []day
}

// day is one day of a profile, with the texts that explain it.
type day struct {
	kind   string
	wins   []win
	work   int64 // working time in nanoseconds
	cutoff int64 // the intake cut-off instant, in Unix nanoseconds
	date   string
	// vi and en name the day: "thứ Hai, 30/11/2026", "Monday, 30 November
	// 2026".
	vi, en string
	// reasonVI and reasonEN say why a day off is skipped, or what a working
	// day's windows used in full are; noteVI and noteEN follow the reasons
	// of a working day set by officials.
	reasonVI, reasonEN   string
	noteVI, noteEN       string
	name, nameEN, source string
}

// win is a working window: its instants in Unix nanoseconds, and its
// wall-clock bounds in minutes after local midnight.
type win struct {
	start, end int64
	from, to   int
}

// cursor walks the days of a profile.
type cursor struct {
	p *profile
	t *yearTable
	i int
}

// at returns a cursor on day number n, or false outside the calendar's
// years.
func (p *profile) at(n int) (cursor, bool) {
	y, _, _ := civil(n)
	if y < motcua.MinCalendarYear || y > motcua.MaxCalendarYear {
		return cursor{}, false
	}
	t := p.year(y)
	return cursor{p, t, n - t.first}, true
}

// on returns a cursor on the local day of the instant t (Unix
// nanoseconds), or false outside the calendar's years.
func (p *profile) on(t int64) (cursor, bool) {
	y, m, d := time.Unix(0, t).In(p.loc).Date()
	if y < motcua.MinCalendarYear || y > motcua.MaxCalendarYear {
		return cursor{}, false
	}
	yt := p.year(y)
	return cursor{p, yt, daysFromCivil(y, m, d) - yt.first}, true
}

// dayNumber returns the number of the local day of the instant t.
func (p *profile) dayNumber(t int64) int {
	y, m, d := time.Unix(0, t).In(p.loc).Date()
	return daysFromCivil(y, m, d)
}

func (k *cursor) day() *day { return &k.t.days[k.i] }

// num returns the day number of the cursor's day.
func (k *cursor) num() int { return k.t.first + k.i }

// next moves to the next day, or returns false past the calendar's last
// day.
func (k *cursor) next() bool {
	if k.i++; k.i < len(k.t.days) {
		return true
	}
	if k.t.year == motcua.MaxCalendarYear {
		k.i--
		return false
	}
	k.t, k.i = k.p.year(k.t.year+1), 0
	return true
}

// prev moves to the previous day, or returns false before the calendar's
// first day.
func (k *cursor) prev() bool {
	if k.i--; k.i >= 0 {
		return true
	}
	if k.t.year == motcua.MinCalendarYear {
		k.i++
		return false
	}
	k.t = k.p.year(k.t.year - 1)
	k.i = len(k.t.days) - 1
	return true
}

// year returns the table of a year, building it on first use.
func (p *profile) year(y int) *yearTable {
	slot := &p.years[y-motcua.MinCalendarYear]
	if t := slot.Load(); t != nil {
		return t
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := slot.Load(); t != nil {
		return t
	}
	t := p.build(y)
	slot.Store(t)
	return t
}

// weekday returns the day of the week of day number n.
func weekday(n int) time.Weekday {
	return time.Weekday(((n % 7) + 7 + int(time.Thursday)) % 7)
}

// build makes the table of a year. The default layer is the weekly pattern,
// the public holidays and a compensatory day off for each holiday on a
// weekly rest day, on the next working day not already off; the officials'
// days replace it on their dates.
func (p *profile) build(y int) *yearTable {
	first := daysFromCivil(y, time.January, 1)
	t := &yearTable{year: y, first: first, days: make([]day, daysFromCivil(y+1, time.January, 1)-first)}
	ws := &p.week.ww.Windows
	for i := range t.days {
		d := &t.days[i]
		d.kind, d.source = motcua.DayRest, p.week.source
		if len(ws[weekday(first+i)]) > 0 {
			d.kind = motcua.DayWorkday
		}
	}
	hs := holidays(y)
	for _, h := range hs {
		d := &t.days[h.day-first]
		w := weekday(h.day)
		d.kind, d.name, d.nameEN, d.source = motcua.DayHoliday, h.name, h.nameEN, "default"
		d.reasonVI = viWeekdays[w] + " — nghỉ lễ: " + h.name
		d.reasonEN = w.String() + " — public holiday: " + h.nameEN
	}
	for _, h := range hs {
		if len(ws[weekday(h.day)]) > 0 {
			continue
		}
		for i := h.day + 1 - first; i < len(t.days); i++ {
			if d := &t.days[i]; d.kind == motcua.DayWorkday {
				w := weekday(first + i)
				d.kind, d.source = motcua.DayCompensatory, "default"
				d.name, d.nameEN = "Nghỉ bù "+h.of, "Compensatory day off for "+h.ofEN
				d.reasonVI = viWeekdays[w] + " — nghỉ bù " + h.of
				d.reasonEN = w.String() + " — compensatory day off for " + h.ofEN
				break
			}
		}
	}
	for i := range t.days {
		if o, ok := p.days[first+i]; ok {
			t.days[i].apply(o, weekday(first+i), len(ws[weekday(first+i)]) > 0)
		}
	}
	p.finish(t)
	return t
}

// apply sets an official's day o on d, a day of weekday w that has working
// windows in the week when working is true.
func (d *day) apply(o official, w time.Weekday, working bool) {
	generated := d.source == "default" && (d.kind == motcua.DayHoliday || d.kind == motcua.DayCompensatory)
	by := "đơn vị " + o.unit
	byEN := "unit " + o.unit
	d.source = "unit " + o.unit
	name, nameEN := o.name, o.name
	switch o.kind {
	case motcua.DayHoliday, motcua.DayCompensatory:
		what, whatEN := "ngày nghỉ theo "+by, "day off set by "+byEN
		if o.kind == motcua.DayCompensatory {
			what, whatEN = "ngày nghỉ bù theo "+by, "compensatory day off set by "+byEN
		}
		if name == "" && generated {
			name, nameEN = d.name, d.nameEN
		}
		d.reasonVI, d.reasonEN = viWeekdays[w]+" — "+what, w.String()+" — "+whatEN
		if name != "" {
			d.reasonVI += ": " + name
			d.reasonEN += ": " + nameEN
		} else if o.kind == motcua.DayHoliday {
			name, nameEN = "Ngày nghỉ", "Day off"
		} else {
			name, nameEN = "Nghỉ bù", "Compensatory day off"
		}
	case motcua.DayMakeup:
		if name == "" {
			name, nameEN = "Làm bù", "Make-up working day"
		}
		d.noteVI, d.noteEN = " — ngày làm bù theo "+by, " — make-up working day set by "+byEN
	case motcua.DayWorkday:
		d.noteVI, d.noteEN = " — ngày làm việc theo "+by, " — working day set by "+byEN
	}
	d.kind, d.name, d.nameEN = o.kind, name, nameEN
	if o.kind == motcua.DayWorkday && !working {
		d.kind = motcua.DayRest
	}
}

// finish sets the windows of the working days of t and the texts of every
// day.
func (p *profile) finish(t *yearTable) {
	wk := p.week
	n := 0
	for i := range t.days {
		switch t.days[i].kind {
		case motcua.DayWorkday:
			n += len(wk.ww.Windows[weekday(t.first+i)])
		case motcua.DayMakeup:
			n += len(wk.makeup)
		}
	}
	wins := make([]win, 0, n)
	for i := range t.days {
		d := &t.days[i]
		w := weekday(t.first + i)
		y, m, dd := civil(t.first + i)
		d.date = dateString(y, m, dd)
		d.vi = viWeekdayInline(w) + ", " + two(dd) + "/" + two(int(m)) + "/" + strconv.Itoa(y)
		d.en = w.String() + ", " + strconv.Itoa(dd) + " " + m.String() + " " + strconv.Itoa(y)
		var ws []motcua.Window
		full := wk.full[w]
		switch d.kind {
		case motcua.DayWorkday:
			ws = wk.ww.Windows[w]
		case motcua.DayMakeup:
			ws, full = wk.makeup, wk.makeupFull
		case motcua.DayRest:
			d.reasonVI, d.reasonEN = viWeekdays[w]+" — ngày nghỉ hằng tuần", w.String()+" — weekly rest day"
			if d.name == "" {
				d.name, d.nameEN = "Nghỉ hằng tuần", "Weekly rest day"
			}
		}
		if len(ws) == 0 {
			continue
		}
		start := len(wins)
		for _, x := range ws {
			s := time.Date(y, m, dd, 0, x.Start, 0, 0, p.loc).UnixNano()
			e := time.Date(y, m, dd, 0, x.End, 0, 0, p.loc).UnixNano()
			wins = append(wins, win{s, e, x.Start, x.End})
			d.work += e - s
		}
		d.wins = wins[start:len(wins):len(wins)]
		d.cutoff = time.Date(y, m, dd, 0, wk.ww.Cutoff, 0, 0, p.loc).UnixNano()
		d.reasonVI, d.reasonEN = full[0]+d.noteVI, full[1]+d.noteEN
	}
}

// dateString formats a date as YYYY-MM-DD.
func dateString(y int, m time.Month, d int) string {
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:])
}

// two formats n (0–99) with two digits.
func two(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}
