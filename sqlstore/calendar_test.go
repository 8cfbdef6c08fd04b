package sqlstore_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

// hanoi returns the instant of "YYYY-MM-DD hh:mm" in Asia/Ho_Chi_Minh.
func hanoi(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, motcua.Location())
	if err != nil {
		t.Fatal(err)
	}
	return at.UTC()
}

// wantRevisions fails unless db's stored and cached calendar revisions
// are stored and cached.
func wantRevisions(t testing.TB, db *sqlstore.DB, stored, cached int64) {
	t.Helper()
	gotStored, gotCached, err := db.CalendarRevisions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if gotStored != stored || gotCached != cached {
		t.Errorf("calendar revisions: stored %d, cached %d; want %d, %d", gotStored, gotCached, stored, cached)
	}
}

// changes returns every calendar change, newest first.
func (s *store) changes(t testing.TB, unit string) []*motcua.CalendarChange {
	t.Helper()
	cs, _, err := s.FindCalendarChanges(context.Background(), unit, motcua.Page{Limit: motcua.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// wantJSON fails unless raw is the JSON of want, or null when want is
// nil.
func wantJSON[T any](t testing.TB, name string, raw json.RawMessage, want *T) {
	t.Helper()
	var got *T
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %s; want %+v", name, raw, want)
	}
}

// sameWindows reports whether two weeks have the same windows, whether a
// day without any holds a nil or an empty slice.
func sameWindows(a, b [7][]motcua.Window) bool {
	for d := range a {
		if !slices.Equal(a[d], b[d]) {
			return false
		}
	}
	return true
}

var officer = motcua.Actor{Kind: motcua.ActorOfficer, ID: "officer-1", Name: "Trần Thị Bình"}

func TestOfficialDays(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		wantRevisions(t, s.DB, 0, 0)
		if err := s.ImportCatalog(context.Background(), testkit.Catalog()); err != nil {
			t.Fatal(err)
		}
		wantRevisions(t, s.DB, 1, 0)
		ctx := motcua.NewContextWithActor(context.Background(), officer)

		first := &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-11", Kind: motcua.DayHoliday, Name: " Ngày hội của quận "}
		if err := s.SetOfficialDay(ctx, first); err != nil {
			t.Fatal(err)
		}
		want := &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-11", Kind: motcua.DayHoliday,
			Name: "Ngày hội của quận", UpdatedBy: officer, UpdatedAt: testNow}
		if !reflect.DeepEqual(first, want) {
			t.Errorf("SetOfficialDay filled in %+v; want %+v", first, want)
		}
		wantRevisions(t, s.DB, 2, 2)

		s.clock.Advance(time.Hour)
		second := &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-11", Kind: motcua.DayCompensatory}
		if err := s.SetOfficialDay(context.Background(), second); err != nil {
			t.Fatal(err)
		}
		if second.Name != "Ngày nghỉ bù" || !second.UpdatedBy.Same(motcua.SystemActor) || !second.UpdatedAt.Equal(testNow.Add(time.Hour)) {
			t.Errorf("replacement %+v; want the default name, the system actor and the new time", second)
		}
		other := &motcua.OfficialDay{Unit: testkit.UnitCity, Date: "2025-12-31", Kind: motcua.DayHoliday, Name: "Tất niên"}
		if err := s.SetOfficialDay(ctx, other); err != nil {
			t.Fatal(err)
		}
		wantRevisions(t, s.DB, 4, 4)

		days, err := s.FindOfficialDays(ctx, testkit.UnitDistrict, "2025-01-01", "2025-12-31")
		if err != nil || !reflect.DeepEqual(days, []*motcua.OfficialDay{second}) {
			t.Errorf("FindOfficialDays of the district = %+v, %v; want %+v", days, err, second)
		}
		if days, err := s.FindOfficialDays(ctx, testkit.UnitCommune, "2025-01-01", "2025-12-31"); err != nil || len(days) != 0 {
			t.Errorf("FindOfficialDays of the commune = %+v, %v; want none: days are listed on their own unit", days, err)
		}
		if days, err := s.FindOfficialDays(ctx, testkit.UnitDistrict, "2025-03-12", "2025-12-31"); err != nil || len(days) != 0 {
			t.Errorf("FindOfficialDays after the day = %+v, %v; want none", days, err)
		}

		s.clock.Advance(time.Hour)
		if err := s.DeleteOfficialDay(ctx, testkit.UnitDistrict, "2025-03-11"); err != nil {
			t.Fatal(err)
		}
		err = s.DeleteOfficialDay(ctx, testkit.UnitDistrict, "2025-03-11")
		if e := wantError(t, err, motcua.ENOTFOUND); e.Reason != "official_day_not_found" {
			t.Errorf("reason %q", e.Reason)
		}
		wantRevisions(t, s.DB, 5, 5)

		changes := s.changes(t, testkit.UnitDistrict)
		if len(changes) != 3 {
			t.Fatalf("%d changes of the district; want 3", len(changes))
		}
		for i, c := range []struct {
			action        string
			actor         motcua.Actor
			at            time.Time
			before, after *motcua.OfficialDay
		}{
			{"delete_day", officer, testNow.Add(2 * time.Hour), second, nil},
			{"set_day", motcua.SystemActor, testNow.Add(time.Hour), want, second},
			{"set_day", officer, testNow, nil, want},
		} {
			got := changes[i]
			if got.Unit != testkit.UnitDistrict || got.Date != "2025-03-11" || got.Action != c.action || !got.Actor.Same(c.actor) || !got.At.Equal(c.at) {
				t.Errorf("change %d: %+v; want %s by %v at %v", i, got, c.action, c.actor, c.at)
			}
			wantJSON(t, "before", got.Before, c.before)
			wantJSON(t, "after", got.After, c.after)
		}

		t.Run("Pages", func(t *testing.T) {
			all := s.changes(t, "")
			if len(all) != 4 || all[1].Unit != testkit.UnitCity {
				t.Fatalf("changes of every unit: %d, %+v", len(all), all)
			}
			var ids []int64
			after := ""
			for {
				page, next, err := s.FindCalendarChanges(ctx, "", motcua.Page{Limit: 3, After: after})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range page {
					ids = append(ids, c.ID)
				}
				if next == "" {
					break
				}
				after = next
			}
			if want := []int64{all[0].ID, all[1].ID, all[2].ID, all[3].ID}; !reflect.DeepEqual(ids, want) {
				t.Errorf("paged ids %v; want %v", ids, want)
			}
			_, _, err := s.FindCalendarChanges(ctx, "99", motcua.Page{})
			wantError(t, err, motcua.ENOTFOUND)
			for _, after := range []string{"x", "0", "-1"} {
				_, _, err = s.FindCalendarChanges(ctx, "", motcua.Page{After: after})
				if e := wantError(t, err, motcua.EINVALID); !reflect.DeepEqual(fieldNames(e), []string{"after"}) {
					t.Errorf("after %q: fields %v", after, fieldNames(e))
				}
			}
		})

		t.Run("FindInvalid", func(t *testing.T) {
			_, err := s.FindOfficialDays(ctx, "99", "2025-01-01", "2025-12-31")
			wantError(t, err, motcua.ENOTFOUND)
			_, err = s.FindOfficialDays(ctx, "", "2025-13-01", "2024-12-31")
			if e := wantError(t, err, motcua.EINVALID); !reflect.DeepEqual(fieldNames(e), []string{"unit", "from"}) {
				t.Errorf("fields %v", fieldNames(e))
			}
			_, err = s.FindOfficialDays(ctx, testkit.UnitCity, "2025-01-01", "2024-12-31")
			if e := wantError(t, err, motcua.EINVALID); !reflect.DeepEqual(fieldNames(e), []string{"to"}) {
				t.Errorf("fields %v", fieldNames(e))
			}
		})
	})
}

// TestCalendarBadInput checks that bad input is refused naming every bad
// field, and writes nothing: no day, no week, no history, no new revision.
func TestCalendarBadInput(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		day := func(unit, date, kind, name string) *motcua.OfficialDay {
			return &motcua.OfficialDay{Unit: unit, Date: date, Kind: kind, Name: name}
		}
		office := []motcua.Window{{Start: 8 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
		week := func(unit string, cutoff int, edit func(w *[7][]motcua.Window)) *motcua.WorkWeek {
			w := &motcua.WorkWeek{Unit: unit, Cutoff: cutoff}
			for d := time.Monday; d <= time.Friday; d++ {
				w.Windows[d] = append([]motcua.Window(nil), office...)
			}
			if edit != nil {
				edit(&w.Windows)
			}
			return w
		}
		tests := []struct {
			name   string
			call   func() error
			fields []string
			reason string // of the first field
		}{
			{"NoUnit", func() error { return s.SetOfficialDay(ctx, day("", "2025-03-11", "holiday", "")) }, []string{"unit"}, motcua.FieldRequired},
			{"UnknownUnit", func() error { return s.SetOfficialDay(ctx, day("99", "2025-03-11", "holiday", "")) }, []string{"unit"}, motcua.FieldUnknown},
			{"NoDate", func() error { return s.SetOfficialDay(ctx, day("001", "", "holiday", "")) }, []string{"date"}, motcua.FieldRequired},
			{"DateFormat", func() error { return s.SetOfficialDay(ctx, day("001", "2025-3-11", "holiday", "")) }, []string{"date"}, motcua.FieldFormat},
			{"NoSuchDate", func() error { return s.SetOfficialDay(ctx, day("001", "2025-02-29", "holiday", "")) }, []string{"date"}, motcua.FieldFormat},
			{"Year1899", func() error { return s.SetOfficialDay(ctx, day("001", "1899-12-31", "holiday", "")) }, []string{"date"}, motcua.FieldValue},
			{"Year2101", func() error { return s.SetOfficialDay(ctx, day("001", "2101-01-01", "holiday", "")) }, []string{"date"}, motcua.FieldValue},
			{"NoKind", func() error { return s.SetOfficialDay(ctx, day("001", "2025-03-11", "", "")) }, []string{"kind"}, motcua.FieldRequired},
			{"Kind", func() error { return s.SetOfficialDay(ctx, day("001", "2025-03-11", "rest", "")) }, []string{"kind"}, motcua.FieldValue},
			{"LongName", func() error {
				return s.SetOfficialDay(ctx, day("001", "2025-03-11", "holiday", strings.Repeat("ệ", 201)))
			}, []string{"name"}, motcua.FieldTooLong},
			{"Everything", func() error { return s.SetOfficialDay(ctx, day("99", "1900-1-1", "x", strings.Repeat("a", 201))) },
				[]string{"unit", "date", "kind", "name"}, motcua.FieldUnknown},
			{"DeleteUnknownUnit", func() error { return s.DeleteOfficialDay(ctx, "99", "2025-03-11") }, []string{"unit"}, motcua.FieldUnknown},
			{"DeleteDate", func() error { return s.DeleteOfficialDay(ctx, "001", "2101-01-01") }, []string{"date"}, motcua.FieldValue},
			{"WeekUnknownUnit", func() error { return s.SetWorkWeek(ctx, week("99", 900, nil)) }, []string{"unit"}, motcua.FieldUnknown},
			{"WeekEmpty", func() error { return s.SetWorkWeek(ctx, &motcua.WorkWeek{Unit: "001", Cutoff: 900}) }, []string{"days"}, motcua.FieldRequired},
			{"WeekOverlap", func() error {
				return s.SetWorkWeek(ctx, week("001", 900, func(w *[7][]motcua.Window) { w[time.Monday][1].Start = 11 * 60 }))
			}, []string{"days.monday[1]"}, motcua.FieldValue},
			{"WeekOrder", func() error {
				return s.SetWorkWeek(ctx, week("001", 900, func(w *[7][]motcua.Window) { w[time.Sunday] = []motcua.Window{office[1], office[0]} }))
			}, []string{"days.sunday[1]"}, motcua.FieldValue},
			{"WeekBackwards", func() error {
				return s.SetWorkWeek(ctx, week("001", 900, func(w *[7][]motcua.Window) { w[time.Saturday] = []motcua.Window{{Start: 600, End: 600}} }))
			}, []string{"days.saturday[0]"}, motcua.FieldValue},
			{"WeekOutsideDay", func() error {
				return s.SetWorkWeek(ctx, week("001", 900, func(w *[7][]motcua.Window) {
					w[time.Tuesday] = []motcua.Window{{Start: -1, End: 600}}
					w[time.Wednesday] = []motcua.Window{{Start: 1200, End: 1441}}
				}))
			}, []string{"days.tuesday[0]", "days.wednesday[0]"}, motcua.FieldValue},
			{"WeekCutoff", func() error { return s.SetWorkWeek(ctx, week("001", 1441, nil)) }, []string{"cutoff"}, motcua.FieldValue},
			{"WeekMidnightCutoff", func() error { return s.SetWorkWeek(ctx, week("001", 0, nil)) }, []string{"cutoff"}, motcua.FieldValue},
			{"DeleteWeekNoUnit", func() error { return s.DeleteWorkWeek(ctx, "") }, []string{"unit"}, motcua.FieldRequired},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := wantError(t, tt.call(), motcua.EINVALID)
				if got := fieldNames(e); !reflect.DeepEqual(got, tt.fields) {
					t.Errorf("fields %v; want %v", got, tt.fields)
				}
				if e.Fields[0].Reason != tt.reason {
					t.Errorf("reason %q; want %q", e.Fields[0].Reason, tt.reason)
				}
			})
		}
		wantRevisions(t, s.DB, 1, 0)
		if cs := s.changes(t, ""); len(cs) != 0 {
			t.Errorf("bad input recorded changes: %+v", cs)
		}
		if days, err := s.FindOfficialDays(ctx, testkit.UnitDistrict, "1900-01-01", "2100-12-31"); err != nil || len(days) != 0 {
			t.Errorf("bad input stored days: %+v, %v", days, err)
		}
		err := s.DeleteWorkWeek(ctx, testkit.UnitDistrict)
		if e := wantError(t, err, motcua.ENOTFOUND); e.Reason != "work_week_not_found" {
			t.Errorf("reason %q", e.Reason)
		}
	})
}

func TestWorkWeeks(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := motcua.NewContextWithActor(context.Background(), officer)

		def := motcua.DefaultWorkWeek()
		for _, unit := range []string{testkit.UnitCity, testkit.UnitCommune} {
			if w, err := s.FindWorkWeek(ctx, unit); err != nil || !reflect.DeepEqual(w, &def) {
				t.Errorf("FindWorkWeek(%s) = %+v, %v; want the default", unit, w, err)
			}
		}
		_, err := s.FindWorkWeek(ctx, "99")
		wantError(t, err, motcua.ENOTFOUND)

		// The district also works on Saturday mornings.
		w := motcua.DefaultWorkWeek()
		w.Unit, w.Cutoff = testkit.UnitDistrict, 16*60
		w.Windows[time.Saturday] = []motcua.Window{{Start: 8 * 60, End: 12 * 60}}
		if err := s.SetWorkWeek(ctx, &w); err != nil {
			t.Fatal(err)
		}
		if !w.UpdatedBy.Same(officer) || !w.UpdatedAt.Equal(testNow) || w.Windows[time.Sunday] == nil {
			t.Errorf("SetWorkWeek filled in %+v", w)
		}
		wantRevisions(t, s.DB, 2, 2)
		for unit, want := range map[string]string{testkit.UnitDistrict: testkit.UnitDistrict, testkit.UnitCommune: testkit.UnitDistrict, testkit.UnitCity: ""} {
			got, err := s.FindWorkWeek(ctx, unit)
			if err != nil {
				t.Fatal(err)
			}
			if got.Unit != want {
				t.Errorf("FindWorkWeek(%s) comes from %q; want %q", unit, got.Unit, want)
			}
			if want != "" && (!sameWindows(got.Windows, w.Windows) || got.Cutoff != w.Cutoff) {
				t.Errorf("FindWorkWeek(%s) = %+v; want %+v", unit, got, w)
			}
		}
		// Saturday 15 March 2025 is a working morning in the commune: 8
		// working hours from Friday 13:00 end at its end.
		due, err := s.DueTime(ctx, testkit.UnitCommune, hanoi(t, "2025-03-14 13:00"), motcua.ProcessingTime{Value: 8, Unit: motcua.WorkingHours})
		if want := hanoi(t, "2025-03-15 12:00"); err != nil || !due.At.Equal(want) {
			t.Errorf("due %v, %v; want %v", due.At, err, want)
		}

		s.clock.Advance(time.Minute)
		if err := s.DeleteWorkWeek(ctx, testkit.UnitDistrict); err != nil {
			t.Fatal(err)
		}
		if got, err := s.FindWorkWeek(ctx, testkit.UnitCommune); err != nil || got.Unit != "" {
			t.Errorf("FindWorkWeek after the delete = %+v, %v; want the default", got, err)
		}
		wantError(t, s.DeleteWorkWeek(ctx, testkit.UnitDistrict), motcua.ENOTFOUND)

		changes := s.changes(t, testkit.UnitDistrict)
		if len(changes) != 2 || changes[0].Action != "delete_week" || changes[1].Action != "set_week" ||
			changes[0].Date != "" || !changes[0].At.Equal(testNow.Add(time.Minute)) || !changes[1].Actor.Same(officer) {
			t.Fatalf("changes %+v", changes)
		}
		wantJSON(t, "before", changes[0].Before, &w)
		wantJSON(t, "after", changes[0].After, (*motcua.WorkWeek)(nil))
		wantJSON(t, "before", changes[1].Before, (*motcua.WorkWeek)(nil))
		wantJSON(t, "after", changes[1].After, &w)
	})
}

// TestCalendarQueries checks due times and calendar days on the units'
// calendars: a day off set for a district applies to its communes, not to
// the city or another district.
func TestCalendarQueries(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		eight := motcua.ProcessingTime{Value: 8, Unit: motcua.WorkingHours}
		monday := hanoi(t, "2025-03-10 09:00")

		if err := s.SetOfficialDay(ctx, &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-11", Kind: motcua.DayHoliday, Name: "Ngày hội của quận"}); err != nil {
			t.Fatal(err)
		}
		for unit, want := range map[string]string{
			testkit.UnitCommune:  "2025-03-12 09:00",
			testkit.UnitDistrict: "2025-03-12 09:00",
			testkit.UnitCity:     "2025-03-11 09:00",
			testkit.UnitOther:    "2025-03-11 09:00",
		} {
			due, err := s.DueTime(ctx, unit, monday, eight)
			if err != nil {
				t.Fatal(err)
			}
			if !due.At.Equal(hanoi(t, want)) || len(due.Explanation) == 0 || due.SummaryVI == "" || due.SummaryEN == "" {
				t.Errorf("DueTime(%s) = %+v; want %s", unit, due, want)
			}
		}

		days, err := s.CalendarDays(ctx, testkit.UnitCommune, "2025-03-10", "2025-03-16")
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, d := range days {
			kinds = append(kinds, d.Kind)
		}
		if want := []string{"workday", "holiday", "workday", "workday", "workday", "rest", "rest"}; !reflect.DeepEqual(kinds, want) {
			t.Fatalf("kinds %v; want %v", kinds, want)
		}
		if d := days[1]; d.Date != "2025-03-11" || d.Working || d.Name != "Ngày hội của quận" || d.Source != "unit "+testkit.UnitDistrict {
			t.Errorf("day off %+v", d)
		}
		if days, err := s.CalendarDays(ctx, testkit.UnitCity, "2025-01-01", "2027-12-31"); err != nil || len(days) != 365*3 {
			t.Errorf("three years: %d days, %v", len(days), err)
		}

		for _, tt := range []struct {
			name, unit, from, to string
			fields               []string
		}{
			{"NoUnit", "", "2025-01-01", "2025-01-31", []string{"unit"}},
			{"NoDates", testkit.UnitCity, "", "", []string{"from", "to"}},
			{"Format", testkit.UnitCity, "01/01/2025", "2025-01-32", []string{"from", "to"}},
			{"Years", testkit.UnitCity, "1899-12-31", "2101-01-01", []string{"from", "to"}},
			{"Backwards", testkit.UnitCity, "2025-01-02", "2025-01-01", []string{"to"}},
			{"ThreeYears", testkit.UnitCity, "2025-01-01", "2028-01-01", []string{"to"}},
		} {
			_, err := s.CalendarDays(ctx, tt.unit, tt.from, tt.to)
			if e := wantError(t, err, motcua.EINVALID); !reflect.DeepEqual(fieldNames(e), tt.fields) {
				t.Errorf("%s: fields %v; want %v", tt.name, fieldNames(e), tt.fields)
			}
		}
		_, err = s.CalendarDays(ctx, "99", "2025-01-01", "2025-01-31")
		wantError(t, err, motcua.ENOTFOUND)
		_, err = s.DueTime(ctx, "99", monday, eight)
		wantError(t, err, motcua.ENOTFOUND)
		_, err = s.DueTime(ctx, "", monday, eight)
		wantError(t, err, motcua.EINVALID)
		for _, tt := range []struct {
			start time.Time
			t     motcua.ProcessingTime
			field string
		}{
			{monday, motcua.ProcessingTime{Value: -1, Unit: motcua.WorkingDays}, "working_days"},
			{hanoi(t, "1899-12-31 09:00"), eight, "start"},
			{hanoi(t, "2100-12-29 09:00"), motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}, "working_days"},
		} {
			_, err = s.DueTime(ctx, testkit.UnitCity, tt.start, tt.t)
			if e := wantError(t, err, motcua.EINVALID); !reflect.DeepEqual(fieldNames(e), []string{tt.field}) {
				t.Errorf("DueTime(%v, %+v): fields %v; want %s", tt.start, tt.t, fieldNames(e), tt.field)
			}
		}
	})
}

// TestDossierDueFollowsOfficialDays checks that dossiers take their due
// times from the legal calendar of the receiving agency's unit, with the
// days set for its ancestors.
func TestDossierDueFollowsOfficialDays(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		// Tuesday 11 March 2025 is a day off in the district of Ba Đình.
		if err := s.SetOfficialDay(ctx, &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-11", Kind: motcua.DayHoliday}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			procedure, agency, due string
		}{
			{testkit.ProcedureCopy, testkit.AgencyCommune, "2025-03-12 09:00"},
			{testkit.ProcedureCopy, testkit.AgencyDistrict, "2025-03-12 09:00"},
			{testkit.ProcedureBirth, testkit.AgencyCommune, "2025-03-10 17:00"},
			{testkit.ProcedureCriminal, testkit.AgencyJustice, "2025-03-24 09:00"},
		} {
			d := s.mustCreate(t, tt.procedure, tt.agency, motcua.ChannelCounter)
			if want := hanoi(t, tt.due); !d.DueAt.Equal(want) || d.DueExplanation == nil || !d.DueExplanation.At.Equal(want) {
				t.Errorf("%s at %s: due %v; want %v", tt.procedure, tt.agency, d.DueAt, want)
			}
		}

		// Received on Monday after the cut-off, a same-day dossier of the
		// commune is due at the end of the next working day, Wednesday.
		s.clock.Set(hanoi(t, "2025-03-10 16:00"))
		d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		if want := hanoi(t, "2025-03-12 17:00"); !d.DueAt.Equal(want) {
			t.Errorf("same day after the cut-off: due %v; want %v", d.DueAt, want)
		}
		skipped := false
		for _, step := range d.DueExplanation.Explanation {
			skipped = skipped || step.Date == "2025-03-11" && step.Kind == motcua.StepSkipped
		}
		if !skipped {
			t.Errorf("the explanation does not name the day off: %+v", d.DueExplanation.Explanation)
		}
	})
}

// TestCalendarSharedDatabase checks that a DB sees the changes another DB
// on the same database makes, at its next computation, and that
// concurrent changes through both commit one revision each.
func TestCalendarSharedDatabase(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		other := testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: s.clock})
		ctx := context.Background()
		eight := motcua.ProcessingTime{Value: 8, Unit: motcua.WorkingHours}
		monday := hanoi(t, "2025-03-10 09:00")

		due, err := other.DueTime(ctx, testkit.UnitCommune, monday, eight)
		if want := hanoi(t, "2025-03-11 09:00"); err != nil || !due.At.Equal(want) {
			t.Fatalf("due %v, %v; want %v", due.At, err, want)
		}
		wantRevisions(t, other, 1, 1)

		if err := s.SetOfficialDay(ctx, &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-11", Kind: motcua.DayHoliday}); err != nil {
			t.Fatal(err)
		}
		wantRevisions(t, other, 2, 1)
		due, err = other.DueTime(ctx, testkit.UnitCommune, monday, eight)
		if want := hanoi(t, "2025-03-12 09:00"); err != nil || !due.At.Equal(want) {
			t.Errorf("due after the other DB's change: %v, %v; want %v", due.At, err, want)
		}
		wantRevisions(t, other, 2, 2)

		if err := s.DeleteOfficialDay(ctx, testkit.UnitDistrict, "2025-03-11"); err != nil {
			t.Fatal(err)
		}
		d, _, err := other.CreateDossier(ctx, testkit.DossierInput(testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelCounter), "")
		if want := hanoi(t, "2025-03-11 09:00"); err != nil || !d.DueAt.Equal(want) {
			t.Errorf("dossier through the other DB: due %v, %v; want %v", d.DueAt, err, want)
		}
		wantRevisions(t, other, 3, 3)

		// An action computed with the calendar the other DB built last
		// is written only while that calendar is current: computed again
		// after this DB's change.
		if err := s.SetOfficialDay(ctx, &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-12", Kind: motcua.DayHoliday}); err != nil {
			t.Fatal(err)
		}
		admin := motcua.NewContextWithActor(ctx, motcua.BootstrapAdmin)
		if _, err := other.ApplyAction(admin, d.Code, motcua.ActionRequest{Action: motcua.ActionStart}); err != nil {
			t.Fatal(err)
		}
		wantRevisions(t, other, 4, 4)

		// So is a receipt prepared with it: Tuesday and Wednesday are
		// days off now.
		if err := s.SetOfficialDay(ctx, &motcua.OfficialDay{Unit: testkit.UnitDistrict, Date: "2025-03-11", Kind: motcua.DayHoliday}); err != nil {
			t.Fatal(err)
		}
		d, _, err = other.CreateDossier(ctx, testkit.DossierInput(testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelCounter), "")
		if want := hanoi(t, "2025-03-13 09:00"); err != nil || !d.DueAt.Equal(want) {
			t.Errorf("dossier through the other DB after a second change: due %v, %v; want %v", d.DueAt, err, want)
		}
		wantRevisions(t, other, 5, 5)

		const n = 8
		dbs := []*sqlstore.DB{s.DB, other}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				day := &motcua.OfficialDay{Unit: testkit.UnitCity, Date: time.Date(2025, 4, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Kind: motcua.DayHoliday}
				if err := dbs[i%2].SetOfficialDay(ctx, day); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if cs := s.changes(t, testkit.UnitCity); len(cs) != n {
			t.Errorf("%d changes; want %d", len(cs), n)
		}
		for _, db := range dbs {
			if _, err := db.DueTime(ctx, testkit.UnitCity, monday, eight); err != nil {
				t.Fatal(err)
			}
			wantRevisions(t, db, 5+n, 5+n)
		}
	})
}
