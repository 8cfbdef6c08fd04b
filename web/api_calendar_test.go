package web

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"motcua"
)

var (
	holiday   = motcua.CalendarDay{Date: "2026-09-02", Kind: motcua.DayHoliday, Name: "Quốc khánh", NameEN: "National Day", Source: "default"}
	office    = []string{"08:00-12:00", "13:00-17:00"}
	weekOf001 = week{Unit: "00001", Source: "unit 001", Cutoff: "16:00", Days: weekDays{
		Monday: office, Tuesday: office, Wednesday: office, Thursday: office, Friday: office,
		Saturday: []string{"08:00-12:00"}, Sunday: []string{},
	}}
)

// officialDay returns an official's day as the store fills it in.
func officialDay() *motcua.OfficialDay {
	return &motcua.OfficialDay{Unit: "001", Date: "2026-09-03", Kind: motcua.DayHoliday, Name: "Nghỉ lễ Quốc khánh",
		UpdatedBy: motcua.BootstrapAdmin, UpdatedAt: testNow}
}

// fields returns an EINVALID error naming fields with reason.
func fields(reason string, names ...string) error {
	var fs motcua.Fields
	for _, n := range names {
		fs.Add(n, reason, "")
	}
	return fs.Err()
}

func TestCalendarDays(t *testing.T) {
	days := func(want [3]string, out []motcua.CalendarDay, err error) func(f *fakeStore) {
		return func(f *fakeStore) {
			f.CalendarDaysFn = func(_ context.Context, unit, from, to string) ([]motcua.CalendarDay, error) {
				if got := [3]string{unit, from, to}; got != want {
					t.Errorf("CalendarDays%v; want %v", got, want)
				}
				return out, err
			}
		}
	}
	run(t, []scenario{
		{name: "Days", path: "/api/v1/calendar/days?unit=001&from=2026-09-01&to=2026-09-03",
			store:  days([3]string{"001", "2026-09-01", "2026-09-03"}, []motcua.CalendarDay{holiday}, nil),
			status: 200, contentType: "application/json",
			contains: []string{`{"items":[{"date":"2026-09-02","working":false,"kind":"holiday","name":"Quốc khánh","name_en":"National Day","source":"default"}]}`}},
		{name: "None", path: "/api/v1/calendar/days?unit=001&from=2026-09-01&to=2026-09-03",
			store:  days([3]string{"001", "2026-09-01", "2026-09-03"}, nil, nil),
			status: 200, contentType: "application/json", contains: []string{`{"items":[]}`}},
		{name: "UnknownUnit", path: "/api/v1/calendar/days?unit=99&from=2026-09-01&to=2026-09-03",
			store:  days([3]string{"99", "2026-09-01", "2026-09-03"}, nil, motcua.NotFound("unit", "99")),
			status: 400, contentType: problemJSON,
			contains: []string{`"code":"invalid_fields"`, `{"field":"unit","reason":"unknown","message":"Không có đơn vị hành chính này"}`}},
		{name: "BadRange", path: "/api/v1/calendar/days?unit=001&from=1899-12-31&to=2026-9-1",
			store: days([3]string{"001", "1899-12-31", "2026-9-1"}, nil, func() error {
				var fs motcua.Fields
				fs.Add("from", motcua.FieldValue, "")
				fs.Add("to", motcua.FieldFormat, "")
				return fs.Err()
			}()),
			status: 400, contentType: problemJSON, contains: []string{
				`{"field":"from","reason":"value","message":"Ngày phải thuộc các năm 1900–2100"}`,
				`{"field":"to","reason":"format","message":"Ngày phải có dạng YYYY-MM-DD, ví dụ 2026-09-02"}`}},
		{name: "TooLongEnglish", path: "/api/v1/calendar/days?unit=001&from=2026-01-01&to=2029-01-01",
			header: map[string]string{"Accept-Language": "en"},
			store:  days([3]string{"001", "2026-01-01", "2029-01-01"}, nil, fields(motcua.FieldValue, "to")),
			status: 400, contentType: problemJSON,
			contains: []string{`"message":"The date must be in the years 1900 to 2100, not before from and less than 3 years after it"`}},
		{name: "NotUTF8", path: "/api/v1/calendar/days?unit=%ff&from=2026-01-01&to=2026-01-02", status: 400, contentType: problemJSON,
			contains: []string{`"field":"unit"`, `"reason":"format"`}},
	})
}

func TestDueTime(t *testing.T) {
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	due := motcua.Due{At: start.Add(3 * 24 * time.Hour), SummaryVI: "Hạn xử lý 09:00 thứ Năm, 03/12/2026", SummaryEN: "Due 09:00 Thursday, 3 December 2026",
		Explanation: []motcua.DueStep{{Date: "2026-11-30", Kind: motcua.StepStart, ReasonVI: "Nhận hồ sơ", ReasonEN: "Received"}}}
	computed := func(unit string, pt motcua.ProcessingTime) func(f *fakeStore) {
		return func(f *fakeStore) {
			f.DueTimeFn = func(_ context.Context, u string, s time.Time, got motcua.ProcessingTime) (motcua.Due, error) {
				if u != unit || !s.Equal(start) || got != pt {
					t.Errorf("DueTime(%s, %v, %+v); want %s, %v, %+v", u, s, got, unit, start, pt)
				}
				return due, nil
			}
		}
	}
	const base = "/api/v1/calendar/due?unit=00001&start=2026-11-30T09:00:00%2B07:00"
	answer := []string{`{"due":"2026-12-03T02:00:00Z","explanation":[{"date":"2026-11-30","kind":"start","reason_vi":"Nhận hồ sơ","reason_en":"Received"}],"summary_vi":"Hạn xử lý 09:00 thứ Năm, 03/12/2026","summary_en":"Due 09:00 Thursday, 3 December 2026"}`}
	invalid := func(field, reason, message string) []string {
		return []string{`"code":"invalid_fields"`, `{"field":"` + field + `","reason":"` + reason + `","message":"` + message + `"}`}
	}
	oneOf := "Cần đúng một trong các tham số working_days, working_hours, days, same_day"
	run(t, []scenario{
		{name: "WorkingDays", path: base + "&working_days=3", store: computed("00001", motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays}),
			status: 200, contentType: "application/json", contains: answer},
		{name: "WorkingHours", path: base + "&working_hours=29280", store: computed("00001", motcua.ProcessingTime{Value: 29280, Unit: motcua.WorkingHours}),
			status: 200, contentType: "application/json"},
		{name: "Days", path: base + "&days=1", store: computed("00001", motcua.ProcessingTime{Value: 1, Unit: motcua.CalendarDays}),
			status: 200, contentType: "application/json"},
		{name: "SameDay", path: base + "&same_day=true", store: computed("00001", motcua.ProcessingTime{Value: 1, Unit: motcua.SameDay}),
			status: 200, contentType: "application/json"},
		{name: "UTC", path: "/api/v1/calendar/due?unit=00001&start=2026-11-30T02:00:00Z&days=1",
			store: computed("00001", motcua.ProcessingTime{Value: 1, Unit: motcua.CalendarDays}), status: 200, contentType: "application/json"},
		{name: "UnencodedPlus", path: "/api/v1/calendar/due?unit=00001&start=2026-11-30T09:00:00+07:00&days=1",
			store: computed("00001", motcua.ProcessingTime{Value: 1, Unit: motcua.CalendarDays}), status: 200, contentType: "application/json"},
		{name: "UnknownUnit", path: base + "&days=1", store: func(f *fakeStore) {
			f.DueTimeFn = func(context.Context, string, time.Time, motcua.ProcessingTime) (motcua.Due, error) {
				return motcua.Due{}, motcua.NotFound("unit", "00001")
			}
		}, status: 400, contentType: problemJSON, contains: invalid("unit", "unknown", "Không có đơn vị hành chính này")},

		{name: "NoUnit", path: "/api/v1/calendar/due?start=2026-11-30T02:00:00Z&days=1", status: 400, contentType: problemJSON,
			contains: invalid("unit", "required", "Bắt buộc nhập")},
		{name: "NoStart", path: "/api/v1/calendar/due?unit=00001&days=1", status: 400, contentType: problemJSON,
			contains: invalid("start", "required", "Bắt buộc nhập")},
		{name: "NoZone", path: "/api/v1/calendar/due?unit=00001&start=2026-11-30T09:00:00&days=1", status: 400, contentType: problemJSON,
			contains: invalid("start", "format", "Thời điểm phải theo RFC 3339 và có múi giờ, ví dụ 2026-11-30T09:00:00+07:00")},
		{name: "NoZoneEnglish", path: "/api/v1/calendar/due?unit=00001&start=2026-11-30T09:00:00&days=1", header: map[string]string{"Accept-Language": "en"},
			status: 400, contentType: problemJSON,
			contains: invalid("start", "format", "A time is written in RFC 3339 with its offset, for example 2026-11-30T09:00:00+07:00")},
		{name: "DateOnly", path: "/api/v1/calendar/due?unit=00001&start=2026-11-30&days=1", status: 400, contentType: problemJSON,
			contains: []string{`"field":"start","reason":"format"`}},
		{name: "NoSuchTime", path: "/api/v1/calendar/due?unit=00001&start=2026-11-30T25:00:00Z&days=1", status: 400, contentType: problemJSON,
			contains: []string{`"field":"start","reason":"format"`}},
		{name: "Year1899", path: "/api/v1/calendar/due?unit=00001&start=1899-12-31T09:00:00%2B07:00&days=1", status: 400, contentType: problemJSON,
			contains: invalid("start", "value", "Thời điểm phải thuộc các năm 1900–2100")},
		{name: "Year2101", path: "/api/v1/calendar/due?unit=00001&start=2101-01-01T00:00:00%2B07:00&days=1", status: 400, contentType: problemJSON,
			contains: []string{`"field":"start","reason":"value"`}},
		{name: "NoDuration", path: base, status: 400, contentType: problemJSON, contains: []string{
			`{"field":"working_days","reason":"one_of","message":"` + oneOf + `"}`,
			`{"field":"working_hours","reason":"one_of","message":"` + oneOf + `"}`,
			`{"field":"days","reason":"one_of","message":"` + oneOf + `"}`,
			`{"field":"same_day","reason":"one_of","message":"` + oneOf + `"}`}},
		{name: "TwoDurations", path: base + "&working_days=1&same_day=true", status: 400, contentType: problemJSON,
			contains: []string{`{"field":"working_days","reason":"one_of"`, `{"field":"same_day","reason":"one_of"`}, excludes: []string{`"field":"days"`}},
		{name: "Negative", path: base + "&working_days=-1", status: 400, contentType: problemJSON,
			contains: invalid("working_days", "value", "Phải là số nguyên từ 1 đến 3660, với hạn xử lý không sau năm 2100")},
		{name: "Zero", path: base + "&working_hours=0", status: 400, contentType: problemJSON,
			contains: invalid("working_hours", "value", "Phải là số nguyên từ 1 đến 29280, với hạn xử lý không sau năm 2100")},
		{name: "OverTenYears", path: base + "&working_hours=29281", status: 400, contentType: problemJSON,
			contains: []string{`"field":"working_hours","reason":"value"`}},
		{name: "DaysOverTenYears", path: base + "&days=3661", status: 400, contentType: problemJSON,
			contains: invalid("days", "value", "Phải là số nguyên từ 1 đến 3660, với hạn xử lý không sau năm 2100")},
		{name: "WorkingDaysOverTenYears", path: base + "&working_days=3661", status: 400, contentType: problemJSON,
			contains: []string{`"field":"working_days","reason":"value"`}},
		{name: "Empty", path: base + "&days=", status: 400, contentType: problemJSON, contains: []string{`"field":"days","reason":"value"`}},
		{name: "NotANumber", path: base + "&days=1.5", status: 400, contentType: problemJSON, contains: []string{`"field":"days","reason":"value"`}},
		{name: "SameDayFalse", path: base + "&same_day=false", status: 400, contentType: problemJSON,
			contains: invalid("same_day", "value", "Chỉ nhận giá trị true, với hạn xử lý không sau năm 2100")},
		{name: "AfterTheCalendar", path: "/api/v1/calendar/due?unit=00001&start=2100-12-29T09:00:00%2B07:00&working_days=10", store: func(f *fakeStore) {
			f.DueTimeFn = func(context.Context, string, time.Time, motcua.ProcessingTime) (motcua.Due, error) {
				return motcua.Due{}, fields(motcua.FieldValue, "working_days")
			}
		}, status: 400, contentType: problemJSON, header: map[string]string{"Accept-Language": "en"},
			contains: invalid("working_days", "value", "Must be an integer from 1 to 3660, with a due time no later than 2100")},
		{name: "Everything", path: "/api/v1/calendar/due?start=yesterday&days=0", status: 400, contentType: problemJSON,
			contains: []string{`"field":"unit"`, `"field":"start"`, `"field":"days"`}},
	})
}

func TestOfficialDays(t *testing.T) {
	const body = `{"unit":"001","date":"2026-09-03","kind":"holiday","name":"Nghỉ lễ Quốc khánh"}`
	run(t, []scenario{
		{name: "Set", method: "POST", path: "/api/v1/calendar/days", body: body, auth: true, store: func(f *fakeStore) {
			f.SetOfficialDayFn = func(ctx context.Context, d *motcua.OfficialDay) error {
				if a, _ := motcua.ActorFromContext(ctx); !a.Same(motcua.BootstrapAdmin) {
					t.Errorf("actor = %+v", a)
				}
				want := officialDay()
				want.UpdatedBy, want.UpdatedAt = motcua.Actor{}, time.Time{}
				if !reflect.DeepEqual(d, want) {
					t.Errorf("day = %+v; want %+v", d, want)
				}
				*d = *officialDay()
				return nil
			}
		}, status: 201, contentType: "application/json", headers: map[string]string{"Cache-Control": "no-store"},
			contains: []string{`{"unit":"001","date":"2026-09-03","kind":"holiday","name":"Nghỉ lễ Quốc khánh","updated_by":{"kind":"admin","id":"bootstrap-admin","name":"Bootstrap administrator"},"updated_at":"2025-01-03T02:00:00Z"}`}},
		{name: "SetUnauthorized", method: "POST", path: "/api/v1/calendar/days", body: body, status: 401, contentType: problemJSON},
		{name: "SetUnexpectedMember", method: "POST", path: "/api/v1/calendar/days", body: `{"unit":"001","updated_by":{}}`, auth: true,
			status: 400, contentType: problemJSON, contains: []string{`"field":"updated_by","reason":"unexpected"`}},
		{name: "SetInvalid", method: "POST", path: "/api/v1/calendar/days", body: body, auth: true, store: func(f *fakeStore) {
			f.SetOfficialDayFn = func(context.Context, *motcua.OfficialDay) error {
				var fs motcua.Fields
				fs.Add("unit", motcua.FieldUnknown, "")
				fs.Add("date", motcua.FieldValue, "")
				fs.Add("kind", motcua.FieldValue, "")
				fs.Add("name", motcua.FieldTooLong, "")
				return fs.Err()
			}
		}, status: 400, contentType: problemJSON, contains: []string{
			`{"field":"unit","reason":"unknown","message":"Không có đơn vị hành chính này"}`,
			`{"field":"date","reason":"value","message":"Ngày phải thuộc các năm 1900–2100"}`,
			`{"field":"kind","reason":"value","message":"Loại ngày phải là holiday (ngày nghỉ), compensatory (ngày nghỉ bù), makeup (ngày làm bù) hoặc workday (ngày làm việc)"}`,
			`{"field":"name","reason":"too_long","message":"Tên có tối đa 200 ký tự"}`}},

		{name: "Delete", method: "DELETE", path: "/api/v1/calendar/days?unit=001&date=2026-09-03", auth: true, store: func(f *fakeStore) {
			f.DeleteOfficialDayFn = func(ctx context.Context, unit, date string) error {
				if a, _ := motcua.ActorFromContext(ctx); unit != "001" || date != "2026-09-03" || !a.Same(motcua.BootstrapAdmin) {
					t.Errorf("DeleteOfficialDay(%s, %s) by %+v", unit, date, a)
				}
				return nil
			}
		}, status: 204, excludes: []string{"{"}},
		{name: "DeleteNone", method: "DELETE", path: "/api/v1/calendar/days?unit=001&date=2026-09-03", auth: true, store: func(f *fakeStore) {
			f.DeleteOfficialDayFn = func(context.Context, string, string) error {
				return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "official_day_not_found", Message: "none",
					Params: map[string]string{"unit": "001", "date": "2026-09-03"}}
			}
		}, status: 404, contentType: problemJSON, contains: []string{`"code":"official_day_not_found"`, `"title":"Không tìm thấy ngày do cán bộ đặt"`,
			"Đơn vị hành chính “001” không có ngày nghỉ, ngày làm bù hay ngày làm việc nào do cán bộ đặt vào ngày 2026-09-03."}},
		{name: "DeleteInvalid", method: "DELETE", path: "/api/v1/calendar/days?unit=99&date=2101-01-01", auth: true, store: func(f *fakeStore) {
			f.DeleteOfficialDayFn = func(context.Context, string, string) error {
				var fs motcua.Fields
				fs.Add("unit", motcua.FieldUnknown, "")
				fs.Add("date", motcua.FieldValue, "")
				return fs.Err()
			}
		}, status: 400, contentType: problemJSON, contains: []string{`"field":"unit","reason":"unknown"`, `"field":"date","reason":"value"`}},
		{name: "DeleteUnauthorized", method: "DELETE", path: "/api/v1/calendar/days?unit=001&date=2026-09-03", status: 401, contentType: problemJSON},
	})
}

func TestWeeks(t *testing.T) {
	found := func(w motcua.WorkWeek) func(f *fakeStore) {
		return func(f *fakeStore) {
			f.FindWorkWeekFn = func(_ context.Context, unit string) (*motcua.WorkWeek, error) {
				if unit != "00001" {
					t.Errorf("unit = %q", unit)
				}
				return &w, nil
			}
		}
	}
	own := motcua.DefaultWorkWeek()
	own.Unit, own.Cutoff = "001", 16*60
	own.Windows[time.Saturday] = []motcua.Window{{Start: 8 * 60, End: 12 * 60}}
	wantWeek, _ := json.Marshal(weekOf001)

	saved := func(want *motcua.WorkWeek) func(f *fakeStore) {
		return func(f *fakeStore) {
			f.SetWorkWeekFn = func(ctx context.Context, w *motcua.WorkWeek) error {
				if a, _ := motcua.ActorFromContext(ctx); !a.Same(motcua.BootstrapAdmin) {
					t.Errorf("actor = %+v", a)
				}
				if !reflect.DeepEqual(w, want) {
					t.Errorf("week = %+v; want %+v", w, want)
				}
				return nil
			}
		}
	}
	put := motcua.WorkWeek{Unit: "001", Cutoff: 16 * 60}
	put.Windows[time.Monday] = []motcua.Window{{Start: 7*60 + 30, End: 11*60 + 30}, {Start: 13 * 60, End: 24 * 60}}
	put.Windows[time.Saturday] = []motcua.Window{{Start: 8 * 60, End: 12 * 60}}
	defaultCutoff := motcua.WorkWeek{Unit: "001", Cutoff: 15 * 60}
	defaultCutoff.Windows[time.Friday] = []motcua.Window{{Start: 0, End: 60}}

	run(t, []scenario{
		{name: "Default", path: "/api/v1/calendar/weeks/00001", store: found(motcua.DefaultWorkWeek()), status: 200, contentType: "application/json",
			contains: []string{`{"unit":"00001","source":"default","days":{"monday":["08:00-12:00","13:00-17:00"],"tuesday":["08:00-12:00","13:00-17:00"],"wednesday":["08:00-12:00","13:00-17:00"],"thursday":["08:00-12:00","13:00-17:00"],"friday":["08:00-12:00","13:00-17:00"],"saturday":[],"sunday":[]},"cutoff":"15:00"}`}},
		{name: "Inherited", path: "/api/v1/calendar/weeks/00001", store: found(own), status: 200, contentType: "application/json",
			contains: []string{string(wantWeek)}},
		{name: "UnknownUnit", path: "/api/v1/calendar/weeks/99", store: func(f *fakeStore) {
			f.FindWorkWeekFn = func(context.Context, string) (*motcua.WorkWeek, error) { return nil, motcua.NotFound("unit", "99") }
		}, status: 404, contentType: problemJSON, contains: []string{`"code":"unit_not_found"`}},

		{name: "Put", method: "PUT", path: "/api/v1/calendar/weeks/001", auth: true,
			body:  `{"days":{"monday":["07:30-11:30","13:00-24:00"],"saturday":["08:00-12:00"],"sunday":[]},"cutoff":"16:00"}`,
			store: saved(&put), status: 200, contentType: "application/json",
			contains: []string{`{"unit":"001","source":"unit 001","days":{"monday":["07:30-11:30","13:00-24:00"],"tuesday":[],"wednesday":[],"thursday":[],"friday":[],"saturday":["08:00-12:00"],"sunday":[]},"cutoff":"16:00"}`}},
		{name: "PutDefaultCutoff", method: "PUT", path: "/api/v1/calendar/weeks/001", auth: true,
			body: `{"days":{"friday":["00:00-01:00"]}}`, store: saved(&defaultCutoff), status: 200, contentType: "application/json",
			contains: []string{`"cutoff":"15:00"`}},
		{name: "PutUnauthorized", method: "PUT", path: "/api/v1/calendar/weeks/001", body: `{"days":{}}`, status: 401, contentType: problemJSON},
		{name: "PutUnknownDay", method: "PUT", path: "/api/v1/calendar/weeks/001", auth: true, body: `{"days":{"funday":["08:00-12:00"]}}`,
			status: 400, contentType: problemJSON, contains: []string{`"field":"days.funday","reason":"unexpected"`}},
		{name: "PutBadFormat", method: "PUT", path: "/api/v1/calendar/weeks/001", auth: true,
			body:   `{"days":{"monday":["8:00-12:00","08:00–12:00","08:00-24:01","08:00"],"tuesday":["08:00-12:00"]},"cutoff":"3pm"}`,
			status: 400, contentType: problemJSON, contains: []string{
				`{"field":"days.monday[0]","reason":"format","message":"Khung giờ phải có dạng HH:MM-HH:MM, ví dụ 08:00-12:00"}`,
				`"field":"days.monday[1]"`, `"field":"days.monday[2]"`, `"field":"days.monday[3]"`,
				`{"field":"cutoff","reason":"format","message":"Giờ tiếp nhận cuối phải có dạng HH:MM, ví dụ 15:00"}`},
			excludes: []string{`"days.tuesday`}},
		{name: "PutInvalid", method: "PUT", path: "/api/v1/calendar/weeks/001", auth: true, body: `{"days":{"monday":["13:00-17:00","08:00-12:00"]}}`,
			store: func(f *fakeStore) {
				f.SetWorkWeekFn = func(context.Context, *motcua.WorkWeek) error { return fields(motcua.FieldValue, "days.monday[1]") }
			}, status: 400, contentType: problemJSON, contains: []string{
				`{"field":"days.monday[1]","reason":"value","message":"Khung giờ phải nằm trong 00:00–24:00, bắt đầu trước khi kết thúc, theo thứ tự trong ngày và không chồng lên khung trước"}`}},
		{name: "PutEmpty", method: "PUT", path: "/api/v1/calendar/weeks/001", auth: true, body: `{"days":{}}`, header: map[string]string{"Accept-Language": "en"},
			store: func(f *fakeStore) {
				f.SetWorkWeekFn = func(context.Context, *motcua.WorkWeek) error { return fields(motcua.FieldRequired, "days") }
			}, status: 400, contentType: problemJSON, contains: []string{`{"field":"days","reason":"required","message":"A week needs at least one working window"}`}},
		{name: "PutUnknownUnit", method: "PUT", path: "/api/v1/calendar/weeks/99", auth: true, body: `{"days":{"monday":["08:00-12:00"]}}`,
			store: func(f *fakeStore) {
				f.SetWorkWeekFn = func(context.Context, *motcua.WorkWeek) error { return fields(motcua.FieldUnknown, "unit") }
			}, status: 404, contentType: problemJSON, contains: []string{`"code":"unit_not_found"`, "“99”"}},

		{name: "Delete", method: "DELETE", path: "/api/v1/calendar/weeks/001", auth: true, store: func(f *fakeStore) {
			f.DeleteWorkWeekFn = func(_ context.Context, unit string) error {
				if unit != "001" {
					t.Errorf("unit = %q", unit)
				}
				return nil
			}
		}, status: 204},
		{name: "DeleteNone", method: "DELETE", path: "/api/v1/calendar/weeks/001", auth: true, header: map[string]string{"Accept-Language": "en"},
			store: func(f *fakeStore) {
				f.DeleteWorkWeekFn = func(context.Context, string) error {
					return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "work_week_not_found", Message: "none", Params: map[string]string{"unit": "001"}}
				}
			}, status: 404, contentType: problemJSON, contains: []string{`"code":"work_week_not_found"`,
				"Unit “001” has no week of its own: it follows its parent's week or the default."}},
		{name: "DeleteUnknownUnit", method: "DELETE", path: "/api/v1/calendar/weeks/99", auth: true, store: func(f *fakeStore) {
			f.DeleteWorkWeekFn = func(context.Context, string) error { return fields(motcua.FieldUnknown, "unit") }
		}, status: 404, contentType: problemJSON, contains: []string{`"code":"unit_not_found"`}},
		{name: "DeleteUnauthorized", method: "DELETE", path: "/api/v1/calendar/weeks/001", status: 401, contentType: problemJSON},
	})
}

func TestCalendarChanges(t *testing.T) {
	change := &motcua.CalendarChange{ID: 7, Unit: "001", Date: "2026-09-03", Action: "set_day", Before: json.RawMessage("null"),
		After: json.RawMessage(`{"unit":"001","date":"2026-09-03"}`), Actor: motcua.BootstrapAdmin, At: testNow}
	run(t, []scenario{
		{name: "Page", path: "/api/v1/calendar/changes?unit=001&limit=1&after=9", auth: true, store: func(f *fakeStore) {
			f.FindCalendarChangesFn = func(_ context.Context, unit string, p motcua.Page) ([]*motcua.CalendarChange, string, error) {
				if unit != "001" || p != (motcua.Page{Limit: 1, After: "9"}) {
					t.Errorf("FindCalendarChanges(%q, %+v)", unit, p)
				}
				return []*motcua.CalendarChange{change}, "7", nil
			}
		}, status: 200, contentType: "application/json", headers: map[string]string{"Cache-Control": "no-store"},
			contains: []string{`{"items":[{"id":7,"unit":"001","date":"2026-09-03","action":"set_day","before":null,"after":{"unit":"001","date":"2026-09-03"},"actor":{"kind":"admin","id":"bootstrap-admin","name":"Bootstrap administrator"},"at":"2025-01-03T02:00:00Z"}],"next":"7"}`}},
		{name: "All", path: "/api/v1/calendar/changes", auth: true, store: func(f *fakeStore) {
			f.FindCalendarChangesFn = func(_ context.Context, unit string, p motcua.Page) ([]*motcua.CalendarChange, string, error) {
				if unit != "" || p != (motcua.Page{Limit: motcua.DefaultPageLimit}) {
					t.Errorf("FindCalendarChanges(%q, %+v)", unit, p)
				}
				return nil, "", nil
			}
		}, status: 200, contentType: "application/json", contains: []string{`{"items":[],"next":null}`}},
		{name: "UnknownUnit", path: "/api/v1/calendar/changes?unit=99", auth: true, store: func(f *fakeStore) {
			f.FindCalendarChangesFn = func(context.Context, string, motcua.Page) ([]*motcua.CalendarChange, string, error) {
				return nil, "", motcua.NotFound("unit", "99")
			}
		}, status: 400, contentType: problemJSON, contains: []string{`"field":"unit","reason":"unknown"`}},
		{name: "BadLimit", path: "/api/v1/calendar/changes?limit=0", auth: true, status: 400, contentType: problemJSON,
			contains: []string{`"field":"limit"`}},
		{name: "Unauthorized", path: "/api/v1/calendar/changes", status: 401, contentType: problemJSON},
	})
}
