package web

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"motcua"
)

var (
	hanoi   = &motcua.Unit{Code: "01", Name: "Thành phố Hà Nội", Type: "Thành phố", Level: 1}
	baDinh  = &motcua.Unit{Code: "001", Name: "Quận Ba Đình", Type: "Quận", Level: 2, ParentCode: "01"}
	justice = &motcua.Agency{Code: "000.00.31.H26", Name: "Sở Tư pháp", NameEN: "Department of Justice", Kind: motcua.AgencyDepartment, UnitCode: "01", Sample: true}
	ubnd    = &motcua.Agency{Code: "000.01.01.H26", Name: "UBND quận Ba Đình", Kind: motcua.AgencyPeoplesCommittee, UnitCode: "001", Sample: true}
	birth   = &motcua.Procedure{Code: "DEMO-1.001193", Version: 2, EffectiveFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Name: "Đăng ký khai sinh", NameEN: "Birth registration", Field: "Hộ tịch", Level: "commune",
		ServiceLevel: motcua.ServiceLevel{Level: 4, Online: motcua.OnlineFull}, ProcessingTime: motcua.ProcessingTime{Value: 1, Unit: motcua.SameDay},
		Sample: true, AgencyCodes: []string{justice.Code, ubnd.Code}}
)

// wantFilter returns a store function that fails the test unless it gets
// the filter want, and answers with items and next.
func wantFilter[F, T any](t *testing.T, want F, items []T, next string) func(context.Context, F) ([]T, string, error) {
	return func(_ context.Context, got F) ([]T, string, error) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("filter = %+v; want %+v", got, want)
		}
		return items, next, nil
	}
}

func TestUnits(t *testing.T) {
	page := motcua.Page{Limit: motcua.DefaultPageLimit}
	run(t, []scenario{
		{name: "TopLevel", path: "/api/v1/units", store: func(f *fakeStore) {
			f.FindUnitsFn = wantFilter(t, motcua.UnitFilter{Page: page}, []*motcua.Unit{hanoi}, "")
		}, status: 200, contentType: "application/json",
			contains: []string{`{"items":[{"code":"01","name":"Thành phố Hà Nội","type":"Thành phố","level":1}],"next":null}`}},
		{name: "ChildrenPaged", path: "/api/v1/units?parent=01&limit=1&after=c1", store: func(f *fakeStore) {
			f.FindUnitsFn = wantFilter(t, motcua.UnitFilter{Parent: "01", Page: motcua.Page{Limit: 1, After: "c1"}}, []*motcua.Unit{baDinh}, "c2")
		}, status: 200, contentType: "application/json", contains: []string{`"parent_code":"01"`, `"next":"c2"`}},
		{name: "MaxLimit", path: "/api/v1/units?limit=1000", store: func(f *fakeStore) {
			f.FindUnitsFn = wantFilter(t, motcua.UnitFilter{Page: motcua.Page{Limit: 1000}}, []*motcua.Unit(nil), "")
		}, status: 200, contentType: "application/json", contains: []string{`{"items":[],"next":null}`}},
		{name: "LimitTooLarge", path: "/api/v1/units?limit=1001", status: 400, contentType: problemJSON,
			contains: []string{`"code":"invalid_fields"`, `"field":"limit"`, `"reason":"value"`, "Phải là số nguyên từ 1 đến 1000"}},
		{name: "LimitNotANumber", path: "/api/v1/units?limit=ten", status: 400, contentType: problemJSON, contains: []string{`"field":"limit"`}},
		{name: "LimitZero", path: "/api/v1/units?limit=0", status: 400, contentType: problemJSON, contains: []string{`"field":"limit"`}},
		{name: "LimitEnglish", path: "/api/v1/units?limit=-1", header: map[string]string{"Accept-Language": "en"}, status: 400, contentType: problemJSON,
			contains: []string{`"title":"Invalid input"`, "Must be an integer from 1 to 1000"}},
		{name: "UnknownParent", path: "/api/v1/units?parent=99", store: func(f *fakeStore) {
			f.FindUnitsFn = func(context.Context, motcua.UnitFilter) ([]*motcua.Unit, string, error) {
				return nil, "", motcua.NotFound("unit", "99")
			}
		}, status: 404, contentType: problemJSON, contains: []string{`"code":"unit_not_found"`, "Không tìm thấy đơn vị hành chính có mã “99”."}},
		{name: "One", path: "/api/v1/units/001", store: func(f *fakeStore) {
			f.FindUnitFn = func(_ context.Context, code string) (*motcua.Unit, error) {
				if code != "001" {
					t.Errorf("code = %q", code)
				}
				return baDinh, nil
			}
		}, status: 200, contentType: "application/json", contains: []string{`"name":"Quận Ba Đình"`}},
		{name: "NotFound", path: "/api/v1/units/999", store: func(f *fakeStore) {
			f.FindUnitFn = func(context.Context, string) (*motcua.Unit, error) { return nil, motcua.NotFound("unit", "999") }
		}, status: 404, contentType: problemJSON,
			contains: []string{`"type":"/problems/unit_not_found"`, `"title":"Không tìm thấy đơn vị hành chính"`, `"status":404`}},
	})
}

func TestAgencies(t *testing.T) {
	run(t, []scenario{
		{name: "All", path: "/api/v1/agencies", store: func(f *fakeStore) {
			f.FindAgenciesFn = wantFilter(t, motcua.AgencyFilter{Page: motcua.Page{Limit: 100}}, []*motcua.Agency{justice}, "n")
		}, status: 200, contentType: "application/json", contains: []string{`"code":"000.00.31.H26"`, `"kind":"department"`, `"next":"n"`}},
		{name: "OfUnit", path: "/api/v1/agencies?unit=001&limit=5", store: func(f *fakeStore) {
			f.FindAgenciesFn = wantFilter(t, motcua.AgencyFilter{Unit: "001", Page: motcua.Page{Limit: 5}}, []*motcua.Agency{ubnd}, "")
		}, status: 200, contentType: "application/json", contains: []string{`"unit":"001"`}},
		{name: "OfUnitHandlingProcedure", path: "/api/v1/agencies?unit=001&procedure=DEMO-1.001193", store: func(f *fakeStore) {
			f.FindAgenciesFn = wantFilter(t, motcua.AgencyFilter{Unit: "001", Procedure: "DEMO-1.001193", Page: motcua.Page{Limit: 100}}, []*motcua.Agency{ubnd}, "")
		}, status: 200, contentType: "application/json", contains: []string{`"unit":"001"`}},
		{name: "UnknownUnit", path: "/api/v1/agencies?unit=999", store: func(f *fakeStore) {
			f.FindAgenciesFn = func(context.Context, motcua.AgencyFilter) ([]*motcua.Agency, string, error) {
				return nil, "", motcua.NotFound("unit", "999")
			}
		}, status: 404, contentType: problemJSON},
		{name: "BadLimit", path: "/api/v1/agencies?limit=5000", status: 400, contentType: problemJSON, contains: []string{`"field":"limit"`}},
	})
}

func TestProcedures(t *testing.T) {
	nfd := "Đa\u0306ng ky\u0301" // "Đăng ký" decomposed
	run(t, []scenario{
		{name: "Search", path: "/api/v1/procedures?q=" + url.QueryEscape(" "+nfd+" ") + "&service_level=4&unit=001", store: func(f *fakeStore) {
			f.FindProceduresFn = wantFilter(t, motcua.ProcedureFilter{Query: "Đăng ký", ServiceLevel: 4, Unit: "001", Page: motcua.Page{Limit: 100}},
				[]*motcua.Procedure{birth}, "")
		}, status: 200, contentType: "application/json",
			contains: []string{`"code":"DEMO-1.001193"`, `"service_level":{"level":4,"online":"full"}`, `"agency_codes":["000.00.31.H26","000.01.01.H26"]`}},
		{name: "ServiceLevelTooHigh", path: "/api/v1/procedures?service_level=5", status: 400, contentType: problemJSON,
			contains: []string{`"field":"service_level"`, "Phải là 1, 2, 3 hoặc 4"}},
		{name: "ServiceLevelNotANumber", path: "/api/v1/procedures?service_level=x&limit=2000", status: 400, contentType: problemJSON,
			contains: []string{`"field":"service_level"`, `"field":"limit"`}},
		{name: "QueryTooLong", path: "/api/v1/procedures?q=" + url.QueryEscape(strings.Repeat("ă", 201)), status: 400,
			contentType: problemJSON, contains: []string{`"field":"q"`, `"reason":"too_long"`, "Quá dài"}},
		{name: "QueryInvalidUTF8", path: "/api/v1/procedures?q=%FF", status: 400, contentType: problemJSON,
			contains: []string{`"field":"q"`, `"reason":"format"`}},
		{name: "InForceNowWithAgencies", path: "/api/v1/procedures/DEMO-1.001193", store: func(f *fakeStore) {
			f.FindProcedureFn = func(_ context.Context, code string, at time.Time) (*motcua.Procedure, error) {
				if code != birth.Code || !at.Equal(testNow) {
					t.Errorf("FindProcedure(%q, %v); want %q at %v", code, at, birth.Code, testNow)
				}
				return birth, nil
			}
			f.FindAgenciesFn = func(_ context.Context, af motcua.AgencyFilter) ([]*motcua.Agency, string, error) {
				if af.Procedure != birth.Code || af.Unit != "" || af.Limit != motcua.MaxPageLimit {
					t.Errorf("FindAgencies(%+v); want all agencies of %s, a page at a time", af, birth.Code)
				}
				if af.After == "" {
					return []*motcua.Agency{justice}, justice.Code, nil
				}
				return []*motcua.Agency{ubnd}, "", nil
			}
		}, status: 200, contentType: "application/json",
			contains: []string{`"version":2`, `"agencies":[{"code":"000.00.31.H26","name":"Sở Tư pháp"`, `{"code":"000.01.01.H26","name":"UBND quận Ba Đình"`}},
		{name: "NotFound", path: "/api/v1/procedures/NOPE", store: func(f *fakeStore) {
			f.FindProcedureFn = func(context.Context, string, time.Time) (*motcua.Procedure, error) {
				return nil, motcua.NotFound("procedure", "NOPE")
			}
		}, status: 404, contentType: problemJSON, contains: []string{`"code":"procedure_not_found"`, "“NOPE”"}},
		{name: "AgencyLookupFailureIsInternal", path: "/api/v1/procedures/DEMO-1.001193", store: func(f *fakeStore) {
			f.FindProcedureFn = func(context.Context, string, time.Time) (*motcua.Procedure, error) { return birth, nil }
			f.FindAgenciesFn = func(context.Context, motcua.AgencyFilter) ([]*motcua.Agency, string, error) {
				return nil, "", errors.New("connection reset")
			}
		}, status: 500, contentType: problemJSON, contains: []string{`"code":"internal"`}},
	})
}
