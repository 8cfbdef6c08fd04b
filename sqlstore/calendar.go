package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"motcua"
	"motcua/calendar"
)

// calendarState is the legal calendar built from the database at one
// calendar revision, with the unit tree it was built from.
type calendarState struct {
	revision int64
	parents  map[string]string // unit code → parent code
	cal      *calendar.Calendar
}

const calendarRevisionQuery = `SELECT revision FROM calendar_revision WHERE id = 1`

// calendar returns the legal calendar as tx saw it when it first needed
// one. Every change of the officials' days, the units' weeks or the unit
// tree increments the revision in its transaction, so the cached calendar
// is used only while its revision is current, whichever process made the
// change; otherwise the calendar is rebuilt from the tables, one rebuild
// at a time.
func (tx *txn) calendar(ctx context.Context) (*calendarState, error) {
	if tx.cal != nil {
		return tx.cal, nil
	}
	var rev int64
	if err := tx.queryRow(ctx, calendarRevisionQuery).Scan(&rev); err != nil {
		return nil, fmt.Errorf("sqlstore: read the calendar revision: %w", err)
	}
	return tx.calendarAt(ctx, rev)
}

// calendarAt returns the legal calendar of revision rev, read in tx, and
// keeps it as tx's calendar.
func (tx *txn) calendarAt(ctx context.Context, rev int64) (*calendarState, error) {
	if tx.cal != nil && tx.cal.revision == rev {
		return tx.cal, nil
	}
	db := tx.db
	s := db.cal.Load()
	if s == nil || s.revision != rev {
		db.calMu.Lock()
		defer db.calMu.Unlock()
		if s = db.cal.Load(); s == nil || s.revision != rev {
			var err error
			if s, err = loadCalendar(ctx, tx, rev); err != nil {
				return nil, err
			}
			db.cacheCalendar(s)
		}
	}
	tx.cal = s
	return s, nil
}

// cacheCalendar keeps s unless the calendar of a later revision is cached
// already.
func (db *DB) cacheCalendar(s *calendarState) {
	for {
		cur := db.cal.Load()
		if cur != nil && cur.revision >= s.revision || db.cal.CompareAndSwap(cur, s) {
			return
		}
	}
}

// loadCalendar builds the calendar of revision rev from the unit tree, the
// weeks and the officials' days in tx.
func loadCalendar(ctx context.Context, tx *txn, rev int64) (*calendarState, error) {
	parents, err := unitParents(ctx, tx)
	if err != nil {
		return nil, err
	}
	weeks, err := queryAll(ctx, tx, `SELECT `+workWeekColumns+` FROM unit_weeks`, scanWorkWeek)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: load unit weeks: %w", err)
	}
	days, err := queryAll(ctx, tx, `SELECT `+officialDayColumns+` FROM official_days`, scanOfficialDay)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: load officials' days: %w", err)
	}
	cal, err := calendar.New(calendar.Config{Parents: parents, Weeks: weeks, Days: days})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: build the calendar: %w", err)
	}
	return &calendarState{revision: rev, parents: parents, cal: cal}, nil
}

// unitParents returns the parent of every unit ("" for a top-level one).
func unitParents(ctx context.Context, tx *txn) (map[string]string, error) {
	rows, err := tx.query(ctx, `SELECT code, parent_code FROM units`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: load the unit tree: %w", err)
	}
	defer rows.Close()
	parents := map[string]string{}
	for rows.Next() {
		var code string
		var parent sql.NullString
		if err := rows.Scan(&code, &parent); err != nil {
			return nil, fmt.Errorf("sqlstore: load the unit tree: %w", err)
		}
		parents[code] = parent.String
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: load the unit tree: %w", err)
	}
	return parents, nil
}

// bumpCalendarRevision increments the calendar revision, which also locks
// its row until tx ends.
func bumpCalendarRevision(ctx context.Context, tx *txn) (int64, error) {
	var rev int64
	err := tx.queryRow(ctx, `UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision`).Scan(&rev)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: increment the calendar revision: %w", err)
	}
	return rev, nil
}

// CalendarDays returns one day per date from from to to (YYYY-MM-DD,
// inclusive, to less than 3 years after from) of the unit's calendar.
// Returns EINVALID naming unit, from or to, and ENOTFOUND for an unknown
// unit.
func (db *DB) CalendarDays(ctx context.Context, unit, from, to string) (days []motcua.CalendarDay, err error) {
	defer markUnavailable(&err)
	var fs motcua.Fields
	checkUnitCode(&fs, unit)
	if f, t, ok := checkRange(&fs, from, to); ok && !t.Before(f.AddDate(maxCalendarDaysYears, 0, 0)) {
		fs.Add("to", motcua.FieldValue, fmt.Sprintf("to must be less than %d years after from", maxCalendarDaysYears))
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	s, err := db.readCalendar(ctx, unit)
	if err != nil {
		return nil, err
	}
	return s.cal.Days(unit, from, to)
}

// DueTime computes a due time on the unit's calendar. Returns EINVALID
// for a missing unit or an invalid processing time or start, and
// ENOTFOUND for an unknown unit.
func (db *DB) DueTime(ctx context.Context, unit string, start time.Time, t motcua.ProcessingTime) (due motcua.Due, err error) {
	defer markUnavailable(&err)
	var fs motcua.Fields
	checkUnitCode(&fs, unit)
	if err := fs.Err(); err != nil {
		return motcua.Due{}, err
	}
	s, err := db.readCalendar(ctx, unit)
	if err != nil {
		return motcua.Due{}, err
	}
	return s.cal.Due(unit, start, t)
}

// FindWorkWeek returns the week that applies to the unit: its own, its
// nearest ancestor's (Unit names that unit) or the default (Unit "").
// Returns ENOTFOUND for an unknown unit.
func (db *DB) FindWorkWeek(ctx context.Context, unit string) (week *motcua.WorkWeek, err error) {
	defer markUnavailable(&err)
	s, err := db.readCalendar(ctx, unit)
	if err != nil {
		return nil, err
	}
	w, err := s.cal.Week(unit)
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// readCalendar returns the current calendar, checking that it knows the
// unit. Returns ENOTFOUND.
func (db *DB) readCalendar(ctx context.Context, unit string) (*calendarState, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s, err := tx.calendar(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := s.parents[unit]; !ok {
		return nil, motcua.NotFound("unit", unit)
	}
	return s, nil
}

// Limits of calendar requests.
const (
	maxCalendarDaysYears = 3   // the span of CalendarDays
	maxDayName           = 200 // characters of an official's day's name
)

// defaultDayName is the name of an official's day of kind set without
// one.
func defaultDayName(kind string) string {
	switch kind {
	case motcua.DayHoliday:
		return "Ngày nghỉ"
	case motcua.DayCompensatory:
		return "Ngày nghỉ bù"
	case motcua.DayMakeup:
		return "Ngày làm bù"
	}
	return "Ngày làm việc"
}

// SetOfficialDay adds or replaces the official's day of d.Unit on d.Date
// and records the change with the actor of ctx. A day without a name is
// named after its kind ("Ngày nghỉ", "Ngày nghỉ bù", "Ngày làm bù",
// "Ngày làm việc"). It fills in d's name, UpdatedBy and UpdatedAt.
// Returns EINVALID naming unit (missing or unknown), date (not YYYY-MM-DD
// or outside 1900–2100), kind (not holiday, compensatory, makeup or
// workday) or name (over 200 characters); nothing is written then.
func (db *DB) SetOfficialDay(ctx context.Context, d *motcua.OfficialDay) (err error) {
	defer markUnavailable(&err)
	tx, rev, err := db.beginCalendarChange(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var fs motcua.Fields
	if err := checkUnit(ctx, tx, &fs, d.Unit); err != nil {
		return err
	}
	checkDate(&fs, "date", d.Date)
	switch d.Kind {
	case motcua.DayHoliday, motcua.DayCompensatory, motcua.DayMakeup, motcua.DayWorkday:
	case "":
		fs.Add("kind", motcua.FieldRequired, "kind is required")
	default:
		fs.Add("kind", motcua.FieldValue, "kind must be holiday, compensatory, makeup or workday")
	}
	d.Name = strings.TrimSpace(d.Name)
	if !utf8.ValidString(d.Name) {
		fs.Add("name", motcua.FieldFormat, "name must be valid UTF-8")
	} else if utf8.RuneCountInString(d.Name) > maxDayName {
		fs.Add("name", motcua.FieldTooLong, "name has at most 200 characters")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	before, err := findOfficialDay(ctx, tx, d.Unit, d.Date)
	if err != nil {
		return err
	}
	if d.Name == "" {
		d.Name = defaultDayName(d.Kind)
	}
	d.UpdatedBy, d.UpdatedAt = actorFrom(ctx), tx.now
	if _, err := tx.exec(ctx, `INSERT INTO official_days (`+officialDayColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (unit_code, day) DO UPDATE SET kind = excluded.kind, name = excluded.name,
		updated_by_kind = excluded.updated_by_kind, updated_by_id = excluded.updated_by_id,
		updated_by_name = excluded.updated_by_name, updated_at = excluded.updated_at`,
		d.Unit, d.Date, d.Kind, d.Name, d.UpdatedBy.Kind, d.UpdatedBy.ID, d.UpdatedBy.Name, d.UpdatedAt); err != nil {
		return fmt.Errorf("sqlstore: set official day %s of %s: %w", d.Date, d.Unit, err)
	}
	return commitCalendarChange(ctx, tx, rev, d.UpdatedBy, d.Unit, d.Date, "set_day", before, d)
}

// DeleteOfficialDay removes the official's day of unit on date and records
// the change. Returns EINVALID naming unit or date, and ENOTFOUND when
// there is no such day.
func (db *DB) DeleteOfficialDay(ctx context.Context, unit, date string) (err error) {
	defer markUnavailable(&err)
	tx, rev, err := db.beginCalendarChange(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var fs motcua.Fields
	if err := checkUnit(ctx, tx, &fs, unit); err != nil {
		return err
	}
	checkDate(&fs, "date", date)
	if err := fs.Err(); err != nil {
		return err
	}
	before, err := findOfficialDay(ctx, tx, unit, date)
	if err != nil {
		return err
	}
	if before == nil {
		return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "official_day_not_found",
			Message: fmt.Sprintf("Unit %s has no official's day on %s.", unit, date), Params: map[string]string{"unit": unit, "date": date}}
	}
	if _, err := tx.exec(ctx, `DELETE FROM official_days WHERE unit_code = ? AND day = ?`, unit, date); err != nil {
		return fmt.Errorf("sqlstore: delete official day %s of %s: %w", date, unit, err)
	}
	return commitCalendarChange(ctx, tx, rev, actorFrom(ctx), unit, date, "delete_day", before, nil)
}

// FindOfficialDays returns the officials' days set on the unit itself
// from from to to (YYYY-MM-DD, inclusive), in date order. Returns EINVALID
// naming unit, from or to, and ENOTFOUND for an unknown unit.
func (db *DB) FindOfficialDays(ctx context.Context, unit, from, to string) (official []*motcua.OfficialDay, err error) {
	defer markUnavailable(&err)
	var fs motcua.Fields
	checkUnitCode(&fs, unit)
	checkRange(&fs, from, to)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := findUnit(ctx, tx, unit); err != nil {
		return nil, err
	}
	days, err := queryAll(ctx, tx, `SELECT `+officialDayColumns+` FROM official_days
		WHERE unit_code = ? AND day >= ? AND day <= ? ORDER BY day`, scanOfficialDay, unit, from, to)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find official days of %s: %w", unit, err)
	}
	out := make([]*motcua.OfficialDay, len(days))
	for i := range days {
		out[i] = &days[i]
	}
	return out, nil
}

// SetWorkWeek sets the unit's own week and records the change with the
// actor of ctx, filling in w's UpdatedBy and UpdatedAt. Returns EINVALID
// naming unit (missing or unknown), days.WEEKDAY[i] for a window outside
// 00:00–24:00, ending before it starts, out of order or overlapping the
// one before, days for a week without any working window, and cutoff for
// a cut-off outside 00:01–24:00; nothing is written then.
func (db *DB) SetWorkWeek(ctx context.Context, w *motcua.WorkWeek) (err error) {
	defer markUnavailable(&err)
	tx, rev, err := db.beginCalendarChange(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var fs motcua.Fields
	if err := checkUnit(ctx, tx, &fs, w.Unit); err != nil {
		return err
	}
	checkWeek(&fs, w)
	if err := fs.Err(); err != nil {
		return err
	}
	before, err := findUnitWeek(ctx, tx, w.Unit)
	if err != nil {
		return err
	}
	for d := range w.Windows {
		w.Windows[d] = nonNil(w.Windows[d])
	}
	windows, err := json.Marshal(w.Windows)
	if err != nil {
		return fmt.Errorf("sqlstore: set the week of %s: %w", w.Unit, err)
	}
	w.UpdatedBy, w.UpdatedAt = actorFrom(ctx), tx.now
	if _, err := tx.exec(ctx, `INSERT INTO unit_weeks (`+workWeekColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (unit_code) DO UPDATE SET windows = excluded.windows, cutoff = excluded.cutoff,
		updated_by_kind = excluded.updated_by_kind, updated_by_id = excluded.updated_by_id,
		updated_by_name = excluded.updated_by_name, updated_at = excluded.updated_at`,
		w.Unit, string(windows), w.Cutoff, w.UpdatedBy.Kind, w.UpdatedBy.ID, w.UpdatedBy.Name, w.UpdatedAt); err != nil {
		return fmt.Errorf("sqlstore: set the week of %s: %w", w.Unit, err)
	}
	return commitCalendarChange(ctx, tx, rev, w.UpdatedBy, w.Unit, "", "set_week", before, w)
}

// DeleteWorkWeek removes the unit's own week, so that it inherits its
// parent's again, and records the change. Returns EINVALID naming unit,
// and ENOTFOUND when the unit has no week of its own.
func (db *DB) DeleteWorkWeek(ctx context.Context, unit string) (err error) {
	defer markUnavailable(&err)
	tx, rev, err := db.beginCalendarChange(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var fs motcua.Fields
	if err := checkUnit(ctx, tx, &fs, unit); err != nil {
		return err
	}
	if err := fs.Err(); err != nil {
		return err
	}
	before, err := findUnitWeek(ctx, tx, unit)
	if err != nil {
		return err
	}
	if before == nil {
		return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "work_week_not_found",
			Message: fmt.Sprintf("Unit %s has no week of its own.", unit), Params: map[string]string{"unit": unit}}
	}
	if _, err := tx.exec(ctx, `DELETE FROM unit_weeks WHERE unit_code = ?`, unit); err != nil {
		return fmt.Errorf("sqlstore: delete the week of %s: %w", unit, err)
	}
	return commitCalendarChange(ctx, tx, rev, actorFrom(ctx), unit, "", "delete_week", before, nil)
}

// FindCalendarChanges returns a page of the history of the unit's days and
// week (of every unit when unit is ""), newest first, and the cursor of
// the next page ("" at the end). Returns EINVALID for a bad cursor and
// ENOTFOUND for an unknown unit.
func (db *DB) FindCalendarChanges(ctx context.Context, unit string, p motcua.Page) (page []*motcua.CalendarChange, next string, err error) {
	defer markUnavailable(&err)
	p = p.Normalize()
	before := int64(math.MaxInt64)
	if p.After != "" {
		id, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil || id < 1 {
			var fs motcua.Fields
			fs.Add("after", motcua.FieldFormat, "not a cursor of this list")
			return nil, "", fs.Err()
		}
		before = id
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	q, args := `SELECT id, `+changeColumns+` FROM calendar_changes WHERE id < ?`, []any{before}
	if unit != "" {
		if _, err := findUnit(ctx, tx, unit); err != nil {
			return nil, "", err
		}
		q, args = q+` AND unit_code = ?`, append(args, unit)
	}
	changes, err := queryAll(ctx, tx, q+` ORDER BY id DESC LIMIT ?`, scanCalendarChange, append(args, p.Limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find calendar changes: %w", err)
	}
	page, next = cut(changes, p.Limit, func(c *motcua.CalendarChange) string { return strconv.FormatInt(c.ID, 10) })
	return page, next, nil
}

// beginCalendarChange starts a transaction that changes the calendar and
// returns the revision it makes. Incrementing the revision first locks its
// row until the transaction ends, so changes of the calendar are made one
// at a time, each seeing the one before.
func (db *DB) beginCalendarChange(ctx context.Context) (*txn, int64, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, 0, err
	}
	rev, err := bumpCalendarRevision(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, 0, err
	}
	return tx, rev, nil
}

// commitCalendarChange appends the history entry of a change of the
// unit's calendar made in tx, which makes revision rev. It commits once
// the calendar builds with the change, and caches the new calendar.
func commitCalendarChange(ctx context.Context, tx *txn, rev int64, actor motcua.Actor, unit, day, action string, before, after any) error {
	b, err := json.Marshal(before)
	if err != nil {
		return fmt.Errorf("sqlstore: record calendar change: %w", err)
	}
	a, err := json.Marshal(after)
	if err != nil {
		return fmt.Errorf("sqlstore: record calendar change: %w", err)
	}
	var dayArg any
	if day != "" {
		dayArg = day
	}
	if _, err := tx.exec(ctx, `INSERT INTO calendar_changes (`+changeColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, unit, dayArg, action, string(b), string(a), actor.Kind, actor.ID, actor.Name, tx.now); err != nil {
		return fmt.Errorf("sqlstore: record calendar change: %w", err)
	}
	s, err := loadCalendar(ctx, tx, rev)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s of %s: %w", action, unit, err)
	}
	tx.db.cacheCalendar(s)
	return nil
}

// checkUnitCode records a missing unit code.
func checkUnitCode(fs *motcua.Fields, unit string) {
	if unit == "" {
		fs.Add("unit", motcua.FieldRequired, "unit is required")
	}
}

// checkUnit records a missing or unknown unit under the field "unit".
func checkUnit(ctx context.Context, tx *txn, fs *motcua.Fields, unit string) error {
	if unit == "" {
		checkUnitCode(fs, unit)
		return nil
	}
	if known, err := tx.exists(ctx, `SELECT 1 FROM units WHERE code = ?`, unit); err != nil {
		return fmt.Errorf("sqlstore: find unit %s: %w", unit, err)
	} else if !known {
		fs.Add("unit", motcua.FieldUnknown, "no such administrative unit")
	}
	return nil
}

// checkDate records a field that is not a date YYYY-MM-DD in the years
// of the calendar, and returns the date.
func checkDate(fs *motcua.Fields, field, s string) (time.Time, bool) {
	if s == "" {
		fs.Add(field, motcua.FieldRequired, field+" is required")
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		fs.Add(field, motcua.FieldFormat, field+" must be a date YYYY-MM-DD")
		return time.Time{}, false
	}
	if y := t.Year(); y < motcua.MinCalendarYear || y > motcua.MaxCalendarYear {
		fs.Add(field, motcua.FieldValue, fmt.Sprintf("%s must be in the years %d to %d", field, motcua.MinCalendarYear, motcua.MaxCalendarYear))
		return time.Time{}, false
	}
	return t, true
}

// checkRange records bad dates from and to, and a to before from, and
// returns the dates.
func checkRange(fs *motcua.Fields, from, to string) (f, t time.Time, ok bool) {
	f, okFrom := checkDate(fs, "from", from)
	t, okTo := checkDate(fs, "to", to)
	if !okFrom || !okTo {
		return f, t, false
	}
	if t.Before(f) {
		fs.Add("to", motcua.FieldValue, "to must not be before from")
		return f, t, false
	}
	return f, t, true
}

// minutesPerDay is the end of a day's last possible window, 24:00.
const minutesPerDay = 24 * 60

// weekdays are the days of the week in the order weeks are shown.
var weekdays = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// checkWeek records windows outside the day, empty, out of order or
// overlapping, a week without any window and a cut-off outside 00:01–24:00.
func checkWeek(fs *motcua.Fields, w *motcua.WorkWeek) {
	windows := 0
	for _, d := range weekdays {
		end := 0
		for i, win := range w.Windows[d] {
			field := fmt.Sprintf("days.%s[%d]", strings.ToLower(d.String()), i)
			switch {
			case win.Start < 0 || win.End > minutesPerDay || win.Start >= win.End:
				fs.Add(field, motcua.FieldValue, "a window starts before it ends, within 00:00–24:00")
			case win.Start < end:
				fs.Add(field, motcua.FieldValue, "windows are in order and do not overlap")
			}
			end = max(end, win.End)
			windows++
		}
	}
	if windows == 0 {
		fs.Add("days", motcua.FieldRequired, "a week has at least one working window")
	}
	if w.Cutoff <= 0 || w.Cutoff > minutesPerDay {
		fs.Add("cutoff", motcua.FieldValue, "the cut-off is a time from 00:01 to 24:00")
	}
}

const (
	officialDayColumns = `unit_code, day, kind, name, updated_by_kind, updated_by_id, updated_by_name, updated_at`
	workWeekColumns    = `unit_code, windows, cutoff, updated_by_kind, updated_by_id, updated_by_name, updated_at`
	changeColumns      = `unit_code, day, action, before, after, actor_kind, actor_id, actor_name, at`
)

func scanOfficialDay(s interface{ Scan(...any) error }) (motcua.OfficialDay, error) {
	var d motcua.OfficialDay
	err := s.Scan(&d.Unit, &d.Date, &d.Kind, &d.Name, &d.UpdatedBy.Kind, &d.UpdatedBy.ID, &d.UpdatedBy.Name, scanTime{&d.UpdatedAt})
	return d, err
}

func scanWorkWeek(s interface{ Scan(...any) error }) (motcua.WorkWeek, error) {
	var w motcua.WorkWeek
	var windows string
	if err := s.Scan(&w.Unit, &windows, &w.Cutoff, &w.UpdatedBy.Kind, &w.UpdatedBy.ID, &w.UpdatedBy.Name, scanTime{&w.UpdatedAt}); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(windows), &w.Windows); err != nil {
		return w, fmt.Errorf("week of %s: %w", w.Unit, err)
	}
	return w, nil
}

func scanCalendarChange(s interface{ Scan(...any) error }) (*motcua.CalendarChange, error) {
	var c motcua.CalendarChange
	var day sql.NullString
	var before, after string
	if err := s.Scan(&c.ID, &c.Unit, &day, &c.Action, &before, &after, &c.Actor.Kind, &c.Actor.ID, &c.Actor.Name, scanTime{&c.At}); err != nil {
		return nil, err
	}
	c.Date, c.Before, c.After = day.String, json.RawMessage(before), json.RawMessage(after)
	return &c, nil
}

// findOfficialDay returns the official's day of unit on date, nil if none.
func findOfficialDay(ctx context.Context, tx *txn, unit, date string) (*motcua.OfficialDay, error) {
	d, err := scanOfficialDay(tx.queryRow(ctx, `SELECT `+officialDayColumns+` FROM official_days WHERE unit_code = ? AND day = ?`, unit, date))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find official day %s of %s: %w", date, unit, err)
	}
	return &d, nil
}

// findUnitWeek returns the unit's own week, nil if none.
func findUnitWeek(ctx context.Context, tx *txn, unit string) (*motcua.WorkWeek, error) {
	w, err := scanWorkWeek(tx.queryRow(ctx, `SELECT `+workWeekColumns+` FROM unit_weeks WHERE unit_code = ?`, unit))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find the week of %s: %w", unit, err)
	}
	return &w, nil
}

// queryAll runs q and scans every row.
func queryAll[T any](ctx context.Context, tx *txn, q string, scan func(interface{ Scan(...any) error }) (T, error), args ...any) ([]T, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
