package calendar

import (
	"strconv"
	"strings"
	"time"

	"motcua"
)

// explanation builds the steps and the summary of a due time.
type explanation struct {
	p     *profile
	steps []motcua.DueStep
	// rest, holidays and comps count the weekly rest days, holidays and
	// compensatory days off skipped.
	rest, holidays, comps int
	summaryVI, summaryEN  string
}

// explain returns an explanation with room for the days from the day of
// from to the day of to.
func (p *profile) explain(from, to int64) explanation {
	n := p.dayNumber(to) - p.dayNumber(from) + 3
	return explanation{p: p, steps: make([]motcua.DueStep, 0, max(n, 3))}
}

func (x *explanation) add(date, kind, vi, en string) {
	x.steps = append(x.steps, motcua.DueStep{Date: date, Kind: kind, ReasonVI: vi, ReasonEN: en})
}

// text builds a sentence in Vietnamese and in English side by side.
type text struct {
	x      *explanation
	vi, en strings.Builder
}

// grow makes room for n more bytes in each language.
func (s *text) grow(n int) {
	s.vi.Grow(n)
	s.en.Grow(n)
}

// add appends vi and en.
func (s *text) add(vi, en string) {
	s.vi.WriteString(vi)
	s.en.WriteString(en)
}

// when appends the instant t: "17:00 thứ Hai, 07/12/2026" and "17:00
// Monday, 7 December 2026".
func (s *text) when(t int64) {
	d, m := s.x.p.clock(t)
	var b [6]byte
	hm := append(appendClock(b[:0], m), ' ')
	s.vi.Write(hm)
	s.vi.WriteString(d.vi)
	s.en.Write(hm)
	s.en.WriteString(d.en)
}

// count appends n and what is counted: "3 ngày làm việc", "3 working
// days".
func (s *text) count(n int, vi, one, many string) {
	var b [48]byte
	s.vi.Write(append(strconv.AppendInt(b[:0], int64(n), 10), ' '))
	s.vi.WriteString(vi)
	s.en.Write(appendPlural(b[:0], n, one, many))
}

// duration appends d: "5 giờ 30 phút", "5 hours 30 minutes".
func (s *text) duration(d time.Duration) {
	var b [64]byte
	s.vi.Write(appendDurationVI(b[:0], d))
	s.en.Write(appendDurationEN(b[:0], d))
}

// skipped appends the days off skipped, if any, as a clause: ", bỏ qua 2
// ngày nghỉ hằng tuần và 1 ngày nghỉ lễ".
func (s *text) skipped() {
	kinds := [...]struct {
		n             int
		vi, one, many string
	}{
		{s.x.rest, "ngày nghỉ hằng tuần", "weekly rest day", "weekly rest days"},
		{s.x.holidays, "ngày nghỉ lễ", "holiday", "holidays"},
		{s.x.comps, "ngày nghỉ bù", "compensatory day off", "compensatory days off"},
	}
	left := 0
	for _, k := range kinds {
		if k.n > 0 {
			left++
		}
	}
	if left == 0 {
		return
	}
	s.add(", bỏ qua ", ", skipping ")
	for _, k := range kinds {
		if k.n == 0 {
			continue
		}
		s.count(k.n, k.vi, k.one, k.many)
		switch left--; left {
		case 0:
		case 1:
			s.add(" và ", " and ")
		default:
			s.add(", ", ", ")
		}
	}
}

func (s *text) strings() (vi, en string) { return s.vi.String(), s.en.String() }

// clock returns the day of the instant t and t's wall-clock time in
// minutes after midnight.
func (p *profile) clock(t int64) (*day, int) {
	k, _ := p.on(t)
	h, m, _ := time.Unix(0, t).In(p.loc).Clock()
	return k.day(), h*60 + m
}

// received records the receipt and the instant the clock starts.
func (x *explanation) received(received, start int64) {
	s := text{x: x}
	s.grow(160)
	s.add("Nhận hồ sơ lúc ", "Received at ")
	s.when(received)
	if start == received {
		s.add(", bắt đầu tính thời gian", "; the clock starts")
	} else {
		s.add(", ngoài giờ làm việc: bắt đầu tính từ ", ", outside working time: the clock starts at ")
		s.when(start)
	}
	d, _ := x.p.clock(received)
	vi, en := s.strings()
	x.add(d.date, motcua.StepStart, vi, en)
}

// resumed records a clock restarted at t that runs from begin.
func (x *explanation) resumed(t, begin int64) {
	s := text{x: x}
	s.grow(160)
	s.add("Tiếp tục tính thời gian lúc ", "Clock resumed at ")
	s.when(t)
	if begin != t {
		s.add(", ngoài giờ làm việc: tính từ ", ", outside working time: it runs from ")
		s.when(begin)
	}
	d, _ := x.p.clock(t)
	vi, en := s.strings()
	x.add(d.date, motcua.StepStart, vi, en)
}

// cutoff records that a same-day dossier came at t, after the intake
// cut-off cut.
func (x *explanation) cutoff(t int64, cut int) {
	d, _ := x.p.clock(t)
	hm := string(appendClock(nil, cut))
	x.add(d.date, motcua.StepCutoff,
		"Nhận sau giờ tiếp nhận "+hm+": hạn là hết ngày làm việc tiếp theo",
		"Received after the "+hm+" cut-off: due at the end of the next working day")
}

// skip records a day off.
func (x *explanation) skip(d *day) {
	switch d.kind {
	case motcua.DayRest:
		x.rest++
	case motcua.DayCompensatory:
		x.comps++
	default:
		x.holidays++
	}
	x.add(d.date, motcua.StepSkipped, d.reasonVI, d.reasonEN)
}

// walk records, for each day from the day of from to the day of to, the
// working windows used between start and to, or the day off skipped.
func (x *explanation) walk(from, start, to int64) {
	last := x.p.dayNumber(to)
	for k, _ := x.p.on(from); ; {
		d := k.day()
		switch {
		case len(d.wins) == 0:
			x.skip(d)
		case d.wins[0].start >= start && d.end() <= to:
			x.add(d.date, motcua.StepWorked, d.reasonVI, d.reasonEN)
		default:
			x.partial(d, start, to)
		}
		if k.num() >= last || !k.next() {
			return
		}
	}
}

// partial records the working time of day d used between start and to, if
// any.
func (x *explanation) partial(d *day, start, to int64) {
	var spans [128]byte
	b := spans[:0]
	var total int64
	for _, w := range d.wins {
		s, e := max(w.start, start), min(w.end, to)
		if e <= s {
			continue
		}
		if total > 0 {
			b = append(b, ", "...)
		}
		b = appendClock(b, w.from+int((s-w.start)/int64(time.Minute)))
		b = append(b, "–"...)
		b = appendClock(b, w.from+int((e-w.start)/int64(time.Minute)))
		total += e - s
	}
	if total > 0 {
		s := text{x: x}
		s.grow(64 + len(d.noteVI))
		s.worked(b, time.Duration(total))
		s.add(d.noteVI, d.noteEN)
		vi, en := s.strings()
		x.add(d.date, motcua.StepWorked, vi, en)
	}
}

// worked appends the reasons of a day on which the working time spans,
// lasting d in all, was used: "Làm việc 08:00–12:00 (4 giờ)".
func (s *text) worked(spans []byte, d time.Duration) {
	s.add("Làm việc ", "Working time ")
	s.vi.Write(spans)
	s.en.Write(spans)
	s.add(" (", " (")
	s.duration(d)
	s.add(")", ")")
}

// fullDayReasons returns the Vietnamese and English reasons of a working
// day whose windows ws were used in full.
func fullDayReasons(ws []motcua.Window) [2]string {
	var spans []byte
	var total int
	for i, w := range ws {
		if i > 0 {
			spans = append(spans, ", "...)
		}
		spans = appendClock(spans, w.Start)
		spans = append(spans, "–"...)
		spans = appendClock(spans, w.End)
		total += w.End - w.Start
	}
	var s text
	s.worked(spans, time.Duration(total)*time.Minute)
	vi, en := s.strings()
	return [2]string{vi, en}
}

// lastDay records the working day d a calendar-day period of n days ends
// on: its last day, or the next working day when moved.
func (x *explanation) lastDay(d *day, n int, moved bool) {
	hm := string(appendClock(nil, d.wins[len(d.wins)-1].to))
	period := strconv.Itoa(n)
	if moved {
		x.add(d.date, motcua.StepWorked,
			"Ngày làm việc tiếp theo sau ngày cuối của thời hạn "+period+" ngày: hạn là "+hm+", hết giờ làm việc",
			"Next working day after the last day of the "+period+"-day period: due at "+hm+", the end of working time")
		return
	}
	x.add(d.date, motcua.StepWorked,
		"Ngày cuối của thời hạn "+period+" ngày: hạn là "+hm+", hết giờ làm việc",
		"Last day of the "+period+"-day period: due at "+hm+", the end of working time")
}

func (x *explanation) summarySameDay(at, start int64, late bool, cut int) {
	s := text{x: x}
	s.grow(224)
	s.add("Hạn xử lý ", "Due ")
	s.when(at)
	s.add(": trong ngày, tính từ ", ": same day, from ")
	s.when(start)
	s.skipped()
	if late {
		hm := string(appendClock(nil, cut))
		s.add("; nhận sau giờ tiếp nhận "+hm+" nên hạn là hết ngày làm việc tiếp theo",
			"; received after the "+hm+" cut-off, so due at the end of the next working day")
	}
	s.add(".", ".")
	x.summaryVI, x.summaryEN = s.strings()
}

func (x *explanation) summaryWorking(at, start int64, t motcua.ProcessingTime) {
	s := text{x: x}
	s.grow(224)
	s.add("Hạn xử lý ", "Due ")
	s.when(at)
	s.add(": ", ": ")
	if t.Unit == motcua.WorkingDays {
		s.count(t.Value, "ngày làm việc", "working day", "working days")
	} else {
		s.count(t.Value, "giờ làm việc", "working hour", "working hours")
	}
	s.add(" tính từ ", " from ")
	s.when(start)
	s.skipped()
	s.add(".", ".")
	x.summaryVI, x.summaryEN = s.strings()
}

func (x *explanation) summaryDays(at, start int64, nth *day, n int) {
	s := text{x: x}
	s.grow(224)
	s.add("Hạn xử lý ", "Due ")
	s.when(at)
	s.add(": ", ": ")
	s.count(n, "ngày", "day", "days")
	d, _ := x.p.clock(start)
	s.add(" kể từ "+d.vi, " from "+d.en)
	if len(nth.wins) == 0 {
		s.add("; ngày cuối của thời hạn ("+nth.vi+") là ngày nghỉ nên hạn chuyển sang hết ngày làm việc tiếp theo",
			"; the last day of the period ("+nth.en+") is not a working day, so the due time moves to the end of the next working day")
	}
	s.add(".", ".")
	x.summaryVI, x.summaryEN = s.strings()
}

func (x *explanation) summaryRemaining(at, start int64, d time.Duration) {
	s := text{x: x}
	s.grow(224)
	s.add("Hạn xử lý ", "Due ")
	s.when(at)
	s.add(": còn ", ": ")
	s.duration(d)
	s.add(" làm việc, tính từ ", " of working time remaining, from ")
	s.when(start)
	s.skipped()
	s.add(".", ".")
	x.summaryVI, x.summaryEN = s.strings()
}

func (x *explanation) due(at int64) motcua.Due {
	return motcua.Due{At: time.Unix(0, at).UTC(), Explanation: x.steps, SummaryVI: x.summaryVI, SummaryEN: x.summaryEN}
}

// viWeekdays are the Vietnamese names of the days of the week, by
// time.Weekday.
var viWeekdays = [7]string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// viWeekdayInline returns the Vietnamese name of w as written inside a
// sentence: "thứ Hai", "Chủ Nhật".
func viWeekdayInline(w time.Weekday) string {
	if s, ok := strings.CutPrefix(viWeekdays[w], "Thứ "); ok {
		return "thứ " + s
	}
	return viWeekdays[w]
}

// appendClock appends minutes after midnight as "15:00".
func appendClock(b []byte, m int) []byte {
	return append(b, byte('0'+m/600), byte('0'+m/60%10), ':', byte('0'+m%60/10), byte('0'+m%10))
}

// appendDurationVI appends d as "5 giờ 30 phút".
func appendDurationVI(b []byte, d time.Duration) []byte {
	n := len(b)
	for _, u := range [3]struct {
		n    int
		name string
	}{{int(d / time.Hour), " giờ"}, {int(d % time.Hour / time.Minute), " phút"}, {int(d % time.Minute / time.Second), " giây"}} {
		if u.n > 0 {
			if len(b) > n {
				b = append(b, ' ')
			}
			b = append(strconv.AppendInt(b, int64(u.n), 10), u.name...)
		}
	}
	if len(b) == n {
		b = append(b, "0 phút"...)
	}
	return b
}

// appendDurationEN appends d as "5 hours 30 minutes".
func appendDurationEN(b []byte, d time.Duration) []byte {
	n := len(b)
	for _, u := range [3]struct {
		n         int
		one, many string
	}{{int(d / time.Hour), "hour", "hours"}, {int(d % time.Hour / time.Minute), "minute", "minutes"}, {int(d % time.Minute / time.Second), "second", "seconds"}} {
		if u.n > 0 {
			if len(b) > n {
				b = append(b, ' ')
			}
			b = appendPlural(b, u.n, u.one, u.many)
		}
	}
	if len(b) == n {
		b = append(b, "0 minutes"...)
	}
	return b
}

// appendPlural appends n followed by one or many.
func appendPlural(b []byte, n int, one, many string) []byte {
	b = append(strconv.AppendInt(b, int64(n), 10), ' ')
	if n == 1 {
		return append(b, one...)
	}
	return append(b, many...)
}
