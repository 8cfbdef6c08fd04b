package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"motcua"
)

// fieldOneOf is the field error reason of a parameter given with others
// that exclude it, or of each of them when none is given.
const fieldOneOf = "one_of"

// durations are the parameters of GET /calendar/due that give the
// processing time, with the largest value of each: ten years.
var durations = []struct {
	param string
	unit  motcua.TimeUnit
	max   int
}{
	{"working_days", motcua.WorkingDays, 3660},
	{"working_hours", motcua.WorkingHours, 29280},
	{"days", motcua.CalendarDays, 3660},
	{"same_day", motcua.SameDay, 1},
}

// items is a complete list, answered without paging.
type items[T any] struct {
	Items []T `json:"items"`
}

// calendarDays answers with the days of a unit's calendar from one date
// to another.
func (s *Server) calendarDays(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	unit, from, to := q.string("unit"), q.string("from"), q.string("to")
	if err := q.err(); err != nil {
		return err
	}
	days, err := s.store.CalendarDays(r.Context(), unit, from, to)
	if err != nil {
		return unitParam(err)
	}
	if days == nil {
		days = []motcua.CalendarDay{}
	}
	return writeJSON(w, http.StatusOK, items[motcua.CalendarDay]{days})
}

// dueTime answers with the due time, and its explanation, of a processing
// time counted from a start on a unit's calendar.
func (s *Server) dueTime(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	unit := q.string("unit")
	if unit == "" {
		q.fields.Add("unit", motcua.FieldRequired, "unit is required")
	}
	start := q.time("start")
	t := q.processingTime()
	if err := q.err(); err != nil {
		return err
	}
	due, err := s.store.DueTime(r.Context(), unit, start, t)
	if err != nil {
		return unitParam(err)
	}
	return writeJSON(w, http.StatusOK, due)
}

// time returns parameter name, an RFC 3339 time with its offset in the
// calendar's years. A + of the offset that arrives as a space, as an
// unencoded + in a query does, is read as +.
func (q *query) time(name string) time.Time {
	v := q.values.Get(name)
	if v == "" {
		q.fields.Add(name, motcua.FieldRequired, name+" is required")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, strings.Replace(v, " ", "+", 1))
	if err != nil {
		q.fields.Add(name, motcua.FieldFormat, "an RFC 3339 time with its offset, such as 2026-11-30T09:00:00+07:00")
		return time.Time{}
	}
	if y := t.In(motcua.Location()).Year(); y < motcua.MinCalendarYear || y > motcua.MaxCalendarYear {
		q.fields.Add(name, motcua.FieldValue, fmt.Sprintf("a time in the years %d to %d", motcua.MinCalendarYear, motcua.MaxCalendarYear))
	}
	return t
}

// processingTime returns the processing time given by exactly one of the
// duration parameters.
func (q *query) processingTime() motcua.ProcessingTime {
	var given []int
	for i, d := range durations {
		if q.values.Has(d.param) {
			given = append(given, i)
		}
	}
	if len(given) != 1 {
		for _, d := range durations {
			if len(given) == 0 || q.values.Has(d.param) {
				q.fields.Add(d.param, fieldOneOf, "give exactly one of working_days, working_hours, days or same_day")
			}
		}
		return motcua.ProcessingTime{}
	}
	d := durations[given[0]]
	v := q.values.Get(d.param)
	if d.unit == motcua.SameDay {
		if v != "true" {
			q.fields.Add(d.param, motcua.FieldValue, "must be true")
		}
		return motcua.ProcessingTime{Value: 1, Unit: motcua.SameDay}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > d.max {
		q.fields.Add(d.param, motcua.FieldValue, fmt.Sprintf("must be an integer from 1 to %d", d.max))
	}
	return motcua.ProcessingTime{Value: n, Unit: d.unit}
}

// officialDayRequest is the body of POST /calendar/days.
type officialDayRequest struct {
	Unit string `json:"unit"`
	Date string `json:"date"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// setOfficialDay adds or replaces an official's day and answers with it.
func (s *Server) setOfficialDay(w http.ResponseWriter, r *http.Request) error {
	var req officialDayRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	d := &motcua.OfficialDay{Unit: req.Unit, Date: req.Date, Kind: req.Kind, Name: req.Name}
	if err := s.store.SetOfficialDay(r.Context(), d); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

// deleteOfficialDay removes the official's day of a unit on a date.
func (s *Server) deleteOfficialDay(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	unit, date := q.string("unit"), q.string("date")
	if err := q.err(); err != nil {
		return err
	}
	if err := s.store.DeleteOfficialDay(r.Context(), unit, date); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// calendarChanges answers with a page of the history of officials' days
// and weeks, of one unit or of all.
func (s *Server) calendarChanges(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	unit, page := q.string("unit"), q.page()
	if err := q.err(); err != nil {
		return err
	}
	changes, next, err := s.store.FindCalendarChanges(r.Context(), unit, page)
	if err != nil {
		return unitParam(err)
	}
	return writeList(w, changes, next)
}

// weekDays holds the working windows of each day of a week, each written
// "HH:MM-HH:MM".
type weekDays struct {
	Monday    []string `json:"monday"`
	Tuesday   []string `json:"tuesday"`
	Wednesday []string `json:"wednesday"`
	Thursday  []string `json:"thursday"`
	Friday    []string `json:"friday"`
	Saturday  []string `json:"saturday"`
	Sunday    []string `json:"sunday"`
}

// byWeekday returns the days of d indexed by time.Weekday.
func (d *weekDays) byWeekday() [7]*[]string {
	return [7]*[]string{&d.Sunday, &d.Monday, &d.Tuesday, &d.Wednesday, &d.Thursday, &d.Friday, &d.Saturday}
}

// week is a unit's week as the API shows it: Source is "default" or
// "unit CODE", the unit whose own week it is.
type week struct {
	Unit   string   `json:"unit"`
	Source string   `json:"source"`
	Days   weekDays `json:"days"`
	Cutoff string   `json:"cutoff"`
}

// newWeek returns the week w as it applies to unit.
func newWeek(unit string, w *motcua.WorkWeek) week {
	out := week{Unit: unit, Source: "default", Cutoff: clock(w.Cutoff)}
	if w.Unit != "" {
		out.Source = "unit " + w.Unit
	}
	for d, days := range out.Days.byWeekday() {
		*days = []string{}
		for _, win := range w.Windows[d] {
			*days = append(*days, clock(win.Start)+"-"+clock(win.End))
		}
	}
	return out
}

// weekRequest is the body of PUT /calendar/weeks/{unit}. Days without
// windows are weekly rest days; the cut-off defaults to 15:00.
type weekRequest struct {
	Days   weekDays `json:"days"`
	Cutoff *string  `json:"cutoff"`
}

// workWeek returns the week of the request for unit. Returns EINVALID
// naming every window or cut-off not written HH:MM.
func (req *weekRequest) workWeek(unit string) (*motcua.WorkWeek, error) {
	w := &motcua.WorkWeek{Unit: unit, Cutoff: motcua.DefaultWorkWeek().Cutoff}
	var fs motcua.Fields
	for d, days := range req.Days.byWeekday() {
		for i, s := range *days {
			start, end, ok := strings.Cut(s, "-")
			from, okFrom := parseClock(start)
			to, okTo := parseClock(end)
			if !ok || !okFrom || !okTo {
				fs.Add(fmt.Sprintf("days.%s[%d]", strings.ToLower(time.Weekday(d).String()), i), motcua.FieldFormat, "a window is written HH:MM-HH:MM")
				continue
			}
			w.Windows[d] = append(w.Windows[d], motcua.Window{Start: from, End: to})
		}
	}
	if req.Cutoff != nil {
		var ok bool
		if w.Cutoff, ok = parseClock(*req.Cutoff); !ok {
			fs.Add("cutoff", motcua.FieldFormat, "the cut-off is written HH:MM")
		}
	}
	return w, fs.Err()
}

// clock writes minutes after midnight as HH:MM.
func clock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}

// parseClock reads HH:MM, from 00:00 to 24:00, as minutes after midnight.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.ParseUint(h, 10, 8)
	mm, err2 := strconv.ParseUint(m, 10, 8)
	if err1 != nil || err2 != nil || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, false
	}
	return int(hh*60 + mm), true
}

// getWeek answers with the week that applies to a unit.
func (s *Server) getWeek(w http.ResponseWriter, r *http.Request) error {
	unit := r.PathValue("unit")
	ww, err := s.store.FindWorkWeek(r.Context(), unit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newWeek(unit, ww))
}

// putWeek sets a unit's own week and answers with it.
func (s *Server) putWeek(w http.ResponseWriter, r *http.Request) error {
	unit := r.PathValue("unit")
	var req weekRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ww, err := req.workWeek(unit)
	if err != nil {
		return err
	}
	if err := s.store.SetWorkWeek(r.Context(), ww); err != nil {
		return pathUnit(err, unit)
	}
	return writeJSON(w, http.StatusOK, newWeek(unit, ww))
}

// deleteWeek removes a unit's own week.
func (s *Server) deleteWeek(w http.ResponseWriter, r *http.Request) error {
	unit := r.PathValue("unit")
	if err := s.store.DeleteWorkWeek(r.Context(), unit); err != nil {
		return pathUnit(err, unit)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// unitParam turns an unknown unit named by the unit query parameter into
// an error of that parameter.
func unitParam(err error) error {
	var e *motcua.Error
	if errors.As(err, &e) && e.Reason == "unit_not_found" {
		var fs motcua.Fields
		fs.Add("unit", motcua.FieldUnknown, "no such administrative unit")
		return fs.Err()
	}
	return err
}

// pathUnit turns an unknown unit named by the path into a not-found
// error.
func pathUnit(err error, unit string) error {
	var e *motcua.Error
	if errors.As(err, &e) && e.Code == motcua.EINVALID {
		for _, f := range e.Fields {
			if f.Field == "unit" && f.Reason == motcua.FieldUnknown {
				return motcua.NotFound("unit", unit)
			}
		}
	}
	return err
}
