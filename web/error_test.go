package web

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"motcua"
	"motcua/web/locale"
)

// TestTranslations checks that every problem code, field reason, status
// and action the API can name has a Vietnamese and an English text.
func TestTranslations(t *testing.T) {
	var keys []string
	for code := range statuses {
		keys = append(keys, "problem."+code)
	}
	for _, reason := range []string{
		"invalid_fields", "action_not_allowed", "idempotency_key_reused", "dossier_not_found", "unit_not_found",
		"agency_not_found", "procedure_not_found", "malformed_json", "body_too_large", "invalid_utf8",
		"unsupported_media_type", "unauthorized", "method_not_allowed", "route_not_found", "internal", "not_ready",
		"official_day_not_found", "work_week_not_found", "scope_required", "rate_limited", "client_revoked", "client_not_found",
		"client_exists",
	} {
		keys = append(keys, "problem."+reason, "detail."+reason)
	}
	for _, reason := range []string{motcua.FieldRequired, motcua.FieldFormat, motcua.FieldUnknown, motcua.FieldTooLong,
		motcua.FieldValue, fieldType, fieldUnexpected, fieldOneOf} {
		keys = append(keys, "field."+reason)
	}
	for _, s := range []motcua.Status{motcua.StatusSubmitted, motcua.StatusReceived, motcua.StatusProcessing,
		motcua.StatusSupplementRequested, motcua.StatusResultReady, motcua.StatusReturned, motcua.StatusRefused, motcua.StatusWithdrawn} {
		keys = append(keys, "status."+string(s))
	}
	for _, a := range []string{motcua.ActionSubmit, motcua.ActionReceive, motcua.ActionStart, motcua.ActionRequestSupplement,
		motcua.ActionSupplement, motcua.ActionReady, motcua.ActionReturn, motcua.ActionRefuse, motcua.ActionWithdraw} {
		keys = append(keys, "action."+a)
	}
	for _, key := range keys {
		for _, lang := range []locale.Lang{locale.Vietnamese, locale.English} {
			if _, ok := locale.Lookup(lang, key); !ok {
				t.Errorf("no %s message for %s", lang, key)
			}
		}
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		lang     string
		status   int
		contains []string
		excludes []string
	}{
		{"UnknownReasonFallsBackToCode", &motcua.Error{Code: motcua.ECONFLICT, Reason: "already_exists", Message: "Agency exists."}, "", 409,
			[]string{`"type":"/problems/already_exists"`, `"title":"Xung đột"`, `"detail":"Agency exists."`, `"code":"already_exists"`}, nil},
		{"NoReason", &motcua.Error{Code: motcua.EFORBIDDEN, Message: "No."}, "en", 403,
			[]string{`"type":"/problems/forbidden"`, `"title":"Forbidden"`, `"code":"forbidden"`}, nil},
		{"Wrapped", fmt.Errorf("find dossier: %w", motcua.NotFound("dossier", "x")), "", 404, []string{`"code":"dossier_not_found"`}, nil},
		{"UnknownCodeIsInternal", &motcua.Error{Code: "weird", Message: "secret"}, "", 500,
			[]string{`"code":"internal"`, `"title":"Lỗi hệ thống"`}, []string{"secret", "weird"}},
		{"InternalEnglish", errors.New("secret"), "en", 500,
			[]string{`"title":"Internal error"`, "quote request"}, []string{"secret"}},
		{"Unavailable", &motcua.Error{Code: motcua.EUNAVAILABLE, Message: "Try later."}, "", 503, []string{`"title":"Dịch vụ tạm thời gián đoạn"`}, nil},
		{"TooLarge", &motcua.Error{Code: motcua.ETOOLARGE, Reason: "body_too_large"}, "", 413, []string{"vượt quá giới hạn 1 MiB"}, nil},
	}
	s, _ := newTestServer(t, &fakeStore{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Accept-Language", tt.lang)
			rec := httptest.NewRecorder()
			s.writeError(rec, req, tt.err)
			scenario{status: tt.status, contentType: problemJSON, contains: tt.contains, excludes: tt.excludes,
				headers: map[string]string{"Vary": "Accept-Language", "Cache-Control": "no-store"}}.check(t, rec)
		})
	}
}

func TestUnavailableRetryAfterAndLog(t *testing.T) {
	s, logs := newTestServer(t, &fakeStore{})
	rec := httptest.NewRecorder()
	cause := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	s.writeError(rec, httptest.NewRequest("GET", "/", nil),
		fmt.Errorf("find dossier: %w", &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "database_unavailable", Message: cause.Error()}))
	scenario{status: 503, contentType: problemJSON, contains: []string{`"code":"database_unavailable"`}, excludes: []string{"5432"},
		headers: map[string]string{"Retry-After": "5"}}.check(t, rec)
	if !strings.Contains(logs.String(), "service unavailable") || !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("log = %q; want the cause of the 503", logs.String())
	}
}
