package calendar

import (
	"strconv"
	"strings"
	"time"

	"motcua"
)

// explanation builds the steps and the summary of a due time.
type explanation struct {
	c                    *Simple
	steps                []motcua.DueStep
	skipped              int // weekly rest days skipped
	summaryVI, summaryEN string
}

func (c *Simple) explain() *explanation {
	return &explanation{c: c, steps: make([]motcua.DueStep, 0, 16)}
}

func (x *explanation) add(t time.Time, kind, vi, en string) {
	x.steps = append(x.steps, motcua.DueStep{Date: dateString(t.In(x.c.loc)), Kind: kind, ReasonVI: vi, ReasonEN: en})
}

// dateString formats the date of t as YYYY-MM-DD.
func dateString(t time.Time) string {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(time.DateOnly)
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:])
}

// received records the receipt and the instant the clock starts.
func (x *explanation) received(received, start time.Time) {
	c := x.c
	if start.Equal(received) {
		x.add(received, motcua.StepStart,
			"Nhận hồ sơ lúc "+c.viWhen(received)+", bắt đầu tính thời gian",
			"Received at "+c.enWhen(received)+"; the clock starts")
		return
	}
	x.add(received, motcua.StepStart,
		"Nhận hồ sơ lúc "+c.viWhen(received)+", ngoài giờ làm việc: bắt đầu tính từ "+c.viWhen(start),
		"Received at "+c.enWhen(received)+", outside working time: the clock starts at "+c.enWhen(start))
}

// resumed records a clock restarted at t that runs from begin.
func (x *explanation) resumed(t, begin time.Time) {
	c := x.c
	if begin.Equal(t) {
		x.add(t, motcua.StepStart,
			"Tiếp tục tính thời gian lúc "+c.viWhen(t),
			"Clock resumed at "+c.enWhen(t))
		return
	}
	x.add(t, motcua.StepStart,
		"Tiếp tục tính thời gian lúc "+c.viWhen(t)+", ngoài giờ làm việc: tính từ "+c.viWhen(begin),
		"Clock resumed at "+c.enWhen(t)+", outside working time: it runs from "+c.enWhen(begin))
}

// cutoff records that a same-day dossier came after the intake cut-off.
func (x *explanation) cutoff(t time.Time, cut int) {
	hm := clockString(cut)
	x.add(t, motcua.StepCutoff,
		"Nhận sau giờ tiếp nhận "+hm+": hạn là hết ngày làm việc tiếp theo",
		"Received after the "+hm+" cut-off: due at the end of the next working day")
}

// skip records a weekly rest day.
func (x *explanation) skip(day time.Time) {
	x.skipped++
	w := day.Weekday()
	x.add(day, motcua.StepSkipped, viWeekdays[w]+" — ngày nghỉ hằng tuần", w.String()+" — weekly rest day")
}

// walk records, for each day from the day of from to the day of to, the
// working windows used between start and to, or the rest day skipped.
func (x *explanation) walk(from, start, to time.Time) {
	c := x.c
	for day := c.dayOf(from); !day.After(to); day = c.addDays(day, 1) {
		ws := c.week[day.Weekday()]
		if len(ws) == 0 {
			x.skip(day)
			continue
		}
		if !c.at(day, ws[0].start).Before(start) && !c.at(day, ws[len(ws)-1].end).After(to) {
			r := &c.fullDay[day.Weekday()]
			x.add(day, motcua.StepWorked, r[0], r[1])
			continue
		}
		var spans strings.Builder
		var total time.Duration
		for _, w := range ws {
			s, e := c.at(day, w.start), c.at(day, w.end)
			if s.Before(start) {
				s = start
			}
			if e.After(to) {
				e = to
			}
			if !e.After(s) {
				continue
			}
			if total > 0 {
				spans.WriteString(", ")
			}
			spans.WriteString(s.In(c.loc).Format("15:04") + "–" + e.In(c.loc).Format("15:04"))
			total += e.Sub(s)
		}
		if total > 0 {
			r := workedReasons(spans.String(), total)
			x.add(day, motcua.StepWorked, r[0], r[1])
		}
	}
}

// fullDayReasons returns the Vietnamese and English reasons of a working
// day whose windows ws were used in full.
func fullDayReasons(ws []window) [2]string {
	var spans strings.Builder
	var total int
	for i, w := range ws {
		if i > 0 {
			spans.WriteString(", ")
		}
		spans.WriteString(clockString(w.start) + "–" + clockString(w.end))
		total += w.end - w.start
	}
	return workedReasons(spans.String(), time.Duration(total)*time.Minute)
}

// workedReasons returns the Vietnamese and English reasons of a day on
// which the working time spans, lasting d in all, was used.
func workedReasons(spans string, d time.Duration) [2]string {
	return [2]string{
		"Làm việc " + spans + " (" + viDuration(d) + ")",
		"Working time " + spans + " (" + enDuration(d) + ")",
	}
}

// lastDay records the day a calendar-day period ends on: its last day, or
// the next working day when moved.
func (x *explanation) lastDay(at time.Time, n int, moved bool) {
	c := x.c
	hm := at.In(c.loc).Format("15:04")
	period := strconv.Itoa(n)
	if moved {
		x.add(at, motcua.StepWorked,
			"Ngày làm việc tiếp theo sau ngày cuối của thời hạn "+period+" ngày: hạn là "+hm+", hết giờ làm việc",
			"Next working day after the last day of the "+period+"-day period: due at "+hm+", the end of working time")
		return
	}
	x.add(at, motcua.StepWorked,
		"Ngày cuối của thời hạn "+period+" ngày: hạn là "+hm+", hết giờ làm việc",
		"Last day of the "+period+"-day period: due at "+hm+", the end of working time")
}

// skippedVI and skippedEN name the rest days skipped, if any, as a clause
// of a summary.
func (x *explanation) skippedVI() string {
	if x.skipped == 0 {
		return ""
	}
	return ", bỏ qua " + strconv.Itoa(x.skipped) + " ngày nghỉ hằng tuần"
}

func (x *explanation) skippedEN() string {
	if x.skipped == 0 {
		return ""
	}
	return ", skipping " + plural(x.skipped, "weekly rest day", "weekly rest days")
}

func (x *explanation) summarySameDay(at, start time.Time, late bool, cut int) {
	c := x.c
	x.summaryVI = "Hạn xử lý " + c.viWhen(at) + ": trong ngày, tính từ " + c.viWhen(start) + x.skippedVI()
	x.summaryEN = "Due " + c.enWhen(at) + ": same day, from " + c.enWhen(start) + x.skippedEN()
	if late {
		hm := clockString(cut)
		x.summaryVI += "; nhận sau giờ tiếp nhận " + hm + " nên hạn là hết ngày làm việc tiếp theo"
		x.summaryEN += "; received after the " + hm + " cut-off, so due at the end of the next working day"
	}
	x.summaryVI += "."
	x.summaryEN += "."
}

func (x *explanation) summaryWorking(at, start time.Time, t motcua.ProcessingTime) {
	c := x.c
	whatVI, whatEN := strconv.Itoa(t.Value)+" giờ làm việc", plural(t.Value, "working hour", "working hours")
	if t.Unit == motcua.WorkingDays {
		whatVI, whatEN = strconv.Itoa(t.Value)+" ngày làm việc", plural(t.Value, "working day", "working days")
	}
	x.summaryVI = "Hạn xử lý " + c.viWhen(at) + ": " + whatVI + " tính từ " + c.viWhen(start) + x.skippedVI() + "."
	x.summaryEN = "Due " + c.enWhen(at) + ": " + whatEN + " from " + c.enWhen(start) + x.skippedEN() + "."
}

func (x *explanation) summaryDays(at, start, nth time.Time, n int) {
	c := x.c
	x.summaryVI = "Hạn xử lý " + c.viWhen(at) + ": " + strconv.Itoa(n) + " ngày kể từ " + c.viDate(start)
	x.summaryEN = "Due " + c.enWhen(at) + ": " + plural(n, "day", "days") + " from " + c.enDate(start)
	if !c.working(nth) {
		x.summaryVI += "; ngày cuối của thời hạn (" + c.viDate(nth) + ") là ngày nghỉ nên hạn chuyển sang hết ngày làm việc tiếp theo"
		x.summaryEN += "; the last day of the period (" + c.enDate(nth) + ") is not a working day, so the due time moves to the end of the next working day"
	}
	x.summaryVI += "."
	x.summaryEN += "."
}

func (x *explanation) summaryRemaining(at, start time.Time, d time.Duration) {
	c := x.c
	x.summaryVI = "Hạn xử lý " + c.viWhen(at) + ": còn " + viDuration(d) + " làm việc, tính từ " + c.viWhen(start) + x.skippedVI() + "."
	x.summaryEN = "Due " + c.enWhen(at) + ": " + enDuration(d) + " of working time remaining, from " + c.enWhen(start) + x.skippedEN() + "."
}

func (x *explanation) due(at time.Time) motcua.Due {
	return motcua.Due{At: at.UTC(), Explanation: x.steps, SummaryVI: x.summaryVI, SummaryEN: x.summaryEN}
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

// viWhen formats t as "17:00 thứ Hai, 07/12/2026".
func (c *Simple) viWhen(t time.Time) string {
	t = t.In(c.loc)
	return t.Format("15:04") + " " + c.viDate(t)
}

// viDate formats the day of t as "thứ Hai, 07/12/2026".
func (c *Simple) viDate(t time.Time) string {
	t = t.In(c.loc)
	return viWeekdayInline(t.Weekday()) + ", " + t.Format("02/01/2006")
}

// enWhen formats t as "17:00 Monday, 7 December 2026".
func (c *Simple) enWhen(t time.Time) string {
	return t.In(c.loc).Format("15:04 Monday, 2 January 2006")
}

// enDate formats the day of t as "Monday, 7 December 2026".
func (c *Simple) enDate(t time.Time) string {
	return t.In(c.loc).Format("Monday, 2 January 2006")
}

// clockString formats minutes after midnight as "15:00".
func clockString(m int) string {
	return time.Date(0, 1, 1, 0, m, 0, 0, time.UTC).Format("15:04")
}

// viDuration formats d as "5 giờ 30 phút".
func viDuration(d time.Duration) string {
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.Itoa(h)+" giờ")
	}
	if m > 0 {
		parts = append(parts, strconv.Itoa(m)+" phút")
	}
	if s > 0 {
		parts = append(parts, strconv.Itoa(s)+" giây")
	}
	if len(parts) == 0 {
		return "0 phút"
	}
	return strings.Join(parts, " ")
}

// enDuration formats d as "5 hours 30 minutes".
func enDuration(d time.Duration) string {
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, plural(h, "hour", "hours"))
	}
	if m > 0 {
		parts = append(parts, plural(m, "minute", "minutes"))
	}
	if s > 0 {
		parts = append(parts, plural(s, "second", "seconds"))
	}
	if len(parts) == 0 {
		return "0 minutes"
	}
	return strings.Join(parts, " ")
}

// plural returns n followed by one or many.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
