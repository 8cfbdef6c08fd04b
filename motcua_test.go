package motcua_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"motcua"
)

func TestError(t *testing.T) {
	var fs motcua.Fields
	fs.Add("applicant.name", motcua.FieldRequired, "name is required")
	fs.Add("channel", motcua.FieldValue, "channel must be counter, online or post")
	tests := []struct {
		err  error
		code string
		msg  string
		text string
	}{
		{nil, "", "", ""},
		{fs.Err(), motcua.EINVALID, "Some fields are invalid.",
			"motcua: invalid invalid_fields: Some fields are invalid.; applicant.name: required; channel: value"},
		{motcua.NotFound("procedure", "DEMO-X"), motcua.ENOTFOUND, `procedure "DEMO-X" not found`,
			`motcua: not_found procedure_not_found: procedure "DEMO-X" not found`},
		{fmt.Errorf("create dossier: %w", motcua.Errorf(motcua.ECONFLICT, "taken", "Code %s is taken.", "X")), motcua.ECONFLICT, "Code X is taken.",
			"create dossier: motcua: conflict taken: Code X is taken."},
		{&motcua.Error{Code: motcua.EUNAVAILABLE}, motcua.EUNAVAILABLE, "", "motcua: unavailable"},
		{errors.New("disk full"), motcua.EINTERNAL, "Internal error.", "disk full"},
	}
	for _, tt := range tests {
		if got := motcua.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q; want %q", tt.err, got, tt.code)
		}
		if got := motcua.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q; want %q", tt.err, got, tt.msg)
		}
		if tt.err != nil && tt.err.Error() != tt.text {
			t.Errorf("Error() = %q; want %q", tt.err.Error(), tt.text)
		}
	}
	if err := (motcua.Fields{}).Err(); err != nil {
		t.Errorf("empty Fields.Err() = %v; want nil", err)
	}
	if e := motcua.NotFound("unit", "01"); e.Params["key"] != "01" {
		t.Errorf("NotFound params %v", e.Params)
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Đăng ký khai sinh", "dang ky khai sinh"},
		{"dang ky  KHAI sinh", "dang ky khai sinh"},
		{"Đa\u0306ng ky\u0301 khai sinh", "dang ky khai sinh"}, // NFD
		{"Ủy ban nhân dân", "uy ban nhan dan"},
		{"U\u0309y ban nha\u0302n da\u0302n", "uy ban nhan dan"}, // NFD
		{"ĐƯỜNG", "duong"},
		{"  Sở Tư pháp\t\n", "so tu phap"},
		{"Chứng thực bản sao: 2.000đ/trang", "chung thuc ban sao: 2.000d/trang"},
		{"Thị trấn Chúc Sơn", "thi tran chuc son"},
		{"Ỹ ỷ ỵ Ỳ", "y y y y"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := motcua.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestPageNormalize(t *testing.T) {
	tests := []struct{ limit, want int }{
		{0, motcua.DefaultPageLimit},
		{-5, motcua.DefaultPageLimit},
		{1, 1},
		{50, 50},
		{motcua.MaxPageLimit, motcua.MaxPageLimit},
		{motcua.MaxPageLimit + 1, motcua.MaxPageLimit},
	}
	for _, tt := range tests {
		p := motcua.Page{Limit: tt.limit, After: "cursor"}.Normalize()
		if p.Limit != tt.want || p.After != "cursor" {
			t.Errorf("Page{Limit: %d}.Normalize() = %+v; want limit %d", tt.limit, p, tt.want)
		}
	}
}

func TestValidAgencyCode(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"000.00.31.H26", true},
		{"000.01.31.H26", true},
		{"G22.AB.12.A01", true},
		{"000.00.31.h26", false},
		{"000.00.31.H2", false},
		{"000.00.31.H266", false},
		{"00.00.31.H26", false},
		{"000-00-31-H26", false},
		{" 000.00.31.H26", false},
		{"000.00.31.H26\n", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := motcua.ValidAgencyCode(tt.code); got != tt.want {
			t.Errorf("ValidAgencyCode(%q) = %v; want %v", tt.code, got, tt.want)
		}
	}
	a := motcua.Agency{Code: "000.00.31", Kind: "ministry"}
	if got, want := fieldNames(t, a.Validate()), []string{"code:format", "name:required", "unit:required", "kind:value"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Agency.Validate fields %v; want %v", got, want)
	}
}

func TestProcessingTime(t *testing.T) {
	tests := []struct {
		pt   motcua.ProcessingTime
		want bool
	}{
		{motcua.ProcessingTime{0, motcua.SameDay}, true},
		{motcua.ProcessingTime{1, motcua.SameDay}, true},
		{motcua.ProcessingTime{2, motcua.SameDay}, false},
		{motcua.ProcessingTime{1, motcua.WorkingHours}, true},
		{motcua.ProcessingTime{0, motcua.WorkingHours}, false},
		{motcua.ProcessingTime{8 * 366 * 10, motcua.WorkingHours}, true},
		{motcua.ProcessingTime{8*366*10 + 1, motcua.WorkingHours}, false},
		{motcua.ProcessingTime{3660, motcua.WorkingDays}, true},
		{motcua.ProcessingTime{3661, motcua.WorkingDays}, false},
		{motcua.ProcessingTime{-1, motcua.CalendarDays}, false},
		{motcua.ProcessingTime{15, motcua.CalendarDays}, true},
		{motcua.ProcessingTime{1, "weeks"}, false},
	}
	for _, tt := range tests {
		if got := tt.pt.Valid(); got != tt.want {
			t.Errorf("%+v.Valid() = %v; want %v", tt.pt, got, tt.want)
		}
	}
}

func TestProcedureValidate(t *testing.T) {
	if err := procedure().Validate(); err != nil {
		t.Errorf("valid procedure: %v", err)
	}
	p := &motcua.Procedure{ServiceLevel: motcua.ServiceLevel{Level: 5, Online: "some"}, ProcessingTime: motcua.ProcessingTime{Unit: motcua.WorkingDays}}
	want := []string{"code:required", "name:required", "effective_from:required", "service_level.level:value",
		"service_level.online:value", "processing_time:value", "agency_codes:required"}
	if got := fieldNames(t, p.Validate()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bad fields %v; want %v", got, want)
	}
	if !procedure().HandledBy("000.01.31.H26") || procedure().HandledBy("000.02.31.H26") {
		t.Error("HandledBy does not match AgencyCodes")
	}
}

func TestContextActor(t *testing.T) {
	if _, ok := motcua.ActorFromContext(context.Background()); ok {
		t.Error("empty context has an actor")
	}
	ctx := motcua.NewContextWithActor(context.Background(), officer)
	if a, ok := motcua.ActorFromContext(ctx); !ok || !a.Same(officer) {
		t.Errorf("ActorFromContext = %v, %v; want %v", a, ok, officer)
	}
}

func TestLocation(t *testing.T) {
	at := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC).In(motcua.Location())
	if _, offset := at.Zone(); offset != 7*60*60 {
		t.Errorf("offset %d; want UTC+7", offset)
	}
	if got := motcua.FormatTime(time.Date(2026, 11, 30, 9, 0, 0, 123456789, at.Location())); got != "2026-11-30T02:00:00.123456Z" {
		t.Errorf("FormatTime = %s", got)
	}
}
