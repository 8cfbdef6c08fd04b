package web

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

const testToken = "test-admin-token"

// testNow is the time of the test clock: 09:00 on Friday 3 January 2025
// in Hanoi.
var testNow = time.Date(2025, 1, 3, 2, 0, 0, 0, time.UTC)

// newTestServer returns a server over store with the test token and clock,
// and the buffer receiving its logs.
func newTestServer(t *testing.T, store *fakeStore) (*Server, *testkit.Buffer) {
	t.Helper()
	store.t = t
	logs := &testkit.Buffer{}
	s := NewServer(Config{
		Store:      store,
		AdminToken: testToken,
		Clock:      motcua.ClockFunc(func() time.Time { return testNow }),
		Logger:     slog.New(slog.NewTextHandler(logs, nil)),
		Version:    "1.2.3-test",
	})
	return s, logs
}

// scenario is one request to the handler and what the answer must hold.
type scenario struct {
	name   string
	method string
	path   string
	body   string
	header map[string]string // request headers; Content-Type defaults to application/json with a body
	auth   bool              // send the administrator token
	store  func(f *fakeStore)
	ready  func(ctx context.Context) error

	status      int
	contentType string            // prefix of the Content-Type
	contains    []string          // substrings of the body
	excludes    []string          // substrings the body must not hold
	headers     map[string]string // response headers; "" means absent
}

// run runs each scenario as a subtest.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := &fakeStore{}
			if sc.store != nil {
				sc.store(f)
			}
			s, _ := newTestServer(t, f)
			s.ready = sc.ready
			rec := sc.do(s)
			sc.check(t, rec)
		})
	}
}

func (sc scenario) do(s *Server) *httptest.ResponseRecorder {
	req := httptest.NewRequest(cmp.Or(sc.method, "GET"), sc.path, strings.NewReader(sc.body))
	if sc.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if sc.auth {
		req.Header.Set("Authorization", "Bearer "+testToken)
	}
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func (sc scenario) check(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != sc.status {
		t.Errorf("status = %d; want %d\n%s", rec.Code, sc.status, body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, sc.contentType) {
		t.Errorf("Content-Type = %q; want %q…", ct, sc.contentType)
	}
	for _, s := range sc.contains {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q\n%s", s, body)
		}
	}
	for _, s := range sc.excludes {
		if strings.Contains(body, s) {
			t.Errorf("body holds %q\n%s", s, body)
		}
	}
	for k, want := range sc.headers {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("header %s = %q; want %q", k, got, want)
		}
	}
}

const problemJSON = "application/problem+json"

func TestRouting(t *testing.T) {
	run(t, []scenario{
		{name: "UnknownRoute", path: "/api/v1/nothing", status: 404, contentType: problemJSON,
			contains: []string{`"type":"/problems/route_not_found"`, `"code":"route_not_found"`, `"title":"Không tìm thấy"`, `"status":404`, "/api/v1/nothing"}},
		{name: "UnknownRouteEnglish", path: "/api/v1/nothing", header: map[string]string{"Accept-Language": "en-GB,en;q=0.9"},
			status: 404, contentType: problemJSON, contains: []string{`"title":"Not found"`, "There is no resource at /api/v1/nothing."},
			headers: map[string]string{"Content-Language": "en"}},
		{name: "MethodNotAllowed", method: "DELETE", path: "/api/v1/units", status: 405, contentType: problemJSON,
			contains: []string{`"code":"method_not_allowed"`, `"title":"Phương thức không được hỗ trợ"`, "DELETE"},
			headers:  map[string]string{"Allow": "GET, HEAD"}},
		{name: "MethodNotAllowedOnPostRoute", path: "/api/v1/dossiers", status: 405, contentType: problemJSON,
			headers: map[string]string{"Allow": "POST"}},
		{name: "PostToReadOnly", method: "POST", path: "/api/v1/units/01", body: "{}", status: 405, contentType: problemJSON,
			headers: map[string]string{"Allow": "GET, HEAD"}},
		{name: "TrailingSlash", path: "/api/v1/units/", status: 404, contentType: problemJSON},
	})
}

func TestSecurityHeaders(t *testing.T) {
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	}
	run(t, []scenario{
		{name: "Home", path: "/", status: 200, contentType: "text/html", headers: want},
		{name: "JSON", path: "/healthz", status: 200, contentType: "application/json", headers: want},
		{name: "Problem", path: "/nothing", status: 404, contentType: problemJSON, headers: want},
		{name: "Unauthorized", path: "/api/v1/dossiers/x", status: 401, contentType: problemJSON, headers: want},
	})
}

func TestRequestID(t *testing.T) {
	s, logs := newTestServer(t, &fakeStore{})
	tests := []struct {
		name, sent string
		echoed     bool
	}{
		{"Echoed", "abc-123.x:y", true},
		{"Generated", "", false},
		{"Invalid", "has space", false},
		{"TooLong", strings.Repeat("a", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/nothing", nil)
			if tt.sent != "" {
				req.Header.Set("X-Request-Id", tt.sent)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			id := rec.Header().Get("X-Request-Id")
			if tt.echoed && id != tt.sent || !tt.echoed && (id == tt.sent || !validRequestID(id)) {
				t.Errorf("X-Request-Id = %q (sent %q)", id, tt.sent)
			}
			if !strings.Contains(rec.Body.String(), `"request_id":"`+id+`"`) {
				t.Errorf("problem lacks the request id %q: %s", id, rec.Body)
			}
			if !strings.Contains(logs.String(), "request_id="+id) {
				t.Errorf("log lacks the request id %q:\n%s", id, logs)
			}
		})
	}
}

func TestInternalErrorIsLoggedNotShown(t *testing.T) {
	tests := []struct {
		name  string
		store func(f *fakeStore)
		log   string
	}{
		{"Error", func(f *fakeStore) {
			f.FindUnitFn = func(context.Context, string) (*motcua.Unit, error) {
				return nil, errors.New("dial tcp 10.0.0.7:5432: connection refused")
			}
		}, "connection refused"},
		{"InternalCode", func(f *fakeStore) {
			f.FindUnitFn = func(context.Context, string) (*motcua.Unit, error) {
				return nil, &motcua.Error{Code: motcua.EINTERNAL, Message: "connection refused"}
			}
		}, "connection refused"},
		{"Panic", func(f *fakeStore) {
			f.FindUnitFn = func(context.Context, string) (*motcua.Unit, error) { panic("connection refused") }
		}, "panic: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeStore{}
			tt.store(f)
			s, logs := newTestServer(t, f)
			req := httptest.NewRequest("GET", "/api/v1/units/01", nil)
			req.Header.Set("X-Request-Id", "req-42")
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			scenario{status: 500, contentType: problemJSON,
				contains: []string{`"code":"internal"`, `"title":"Lỗi hệ thống"`, "req-42"},
				excludes: []string{"connection", "10.0.0.7"},
			}.check(t, rec)
			if l := logs.String(); !strings.Contains(l, tt.log) || !strings.Contains(l, "request_id=req-42") || !strings.Contains(l, "level=ERROR") {
				t.Errorf("log lacks the error with the request id:\n%s", l)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	ok := func(f *fakeStore) {
		f.FindDossierFn = func(ctx context.Context, ref string) (*motcua.Dossier, error) {
			if a, _ := motcua.ActorFromContext(ctx); !a.Same(motcua.BootstrapAdmin) {
				t.Errorf("actor = %+v; want the bootstrap administrator", a)
			}
			return &motcua.Dossier{ID: ref}, nil
		}
	}
	unauthorized := []string{`"code":"unauthorized"`, `"title":"Chưa xác thực"`, `"status":401`}
	challenge := map[string]string{"WWW-Authenticate": `Bearer realm="motcua"`, "Cache-Control": "no-store"}
	run(t, []scenario{
		{name: "OK", path: "/api/v1/dossiers/abc", auth: true, store: ok, status: 200, contentType: "application/json",
			headers: map[string]string{"Cache-Control": "no-store"}},
		{name: "LowerCaseScheme", path: "/api/v1/dossiers/abc", header: map[string]string{"Authorization": "bearer " + testToken},
			store: ok, status: 200, contentType: "application/json"},
		{name: "Missing", path: "/api/v1/dossiers/abc", status: 401, contentType: problemJSON, contains: unauthorized, headers: challenge},
		{name: "Wrong", path: "/api/v1/dossiers/abc", header: map[string]string{"Authorization": "Bearer nope"},
			status: 401, contentType: problemJSON, contains: unauthorized, headers: challenge},
		{name: "Prefix", path: "/api/v1/dossiers/abc", header: map[string]string{"Authorization": "Bearer " + testToken[:5]},
			status: 401, contentType: problemJSON},
		{name: "Basic", path: "/api/v1/dossiers/abc", header: map[string]string{"Authorization": "Basic " + testToken},
			status: 401, contentType: problemJSON},
		{name: "Admin", path: "/api/v1/admin/verify", status: 401, contentType: problemJSON, headers: challenge},
		{name: "CreateBeforeBody", method: "POST", path: "/api/v1/dossiers", body: "not json", status: 401, contentType: problemJSON},
		{name: "ActionBeforeBody", method: "POST", path: "/api/v1/dossiers/abc/actions", body: "{}", status: 401, contentType: problemJSON},
		{name: "EnglishTitle", path: "/api/v1/dossiers/abc", header: map[string]string{"Accept-Language": "en"},
			status: 401, contentType: problemJSON, contains: []string{`"title":"Unauthorized"`}},
		{name: "CatalogueIsPublic", path: "/api/v1/units/01", store: func(f *fakeStore) {
			f.FindUnitFn = func(context.Context, string) (*motcua.Unit, error) { return &motcua.Unit{Code: "01"}, nil }
		}, status: 200, contentType: "application/json", headers: map[string]string{"Cache-Control": ""}},
	})
}

func TestNoAdminTokenRefusesEveryone(t *testing.T) {
	s := NewServer(Config{Store: &fakeStore{t: t}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, auth := range []string{"", "Bearer ", "Bearer"} {
		req := httptest.NewRequest("GET", "/api/v1/admin/verify", nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status = %d; want 401", auth, rec.Code)
		}
	}
}

func TestHealth(t *testing.T) {
	run(t, []scenario{
		{name: "Healthz", path: "/healthz", status: 200, contentType: "application/json", contains: []string{`{"status":"ok"}`}},
		{name: "ReadyWithoutCheck", path: "/readyz", status: 200, contentType: "application/json", contains: []string{`{"status":"ok"}`}},
		{name: "Ready", path: "/readyz", ready: func(context.Context) error { return nil }, status: 200, contentType: "application/json"},
		{name: "NotReady", path: "/readyz", ready: func(context.Context) error { return errors.New("dial tcp: connection refused") },
			status: 503, contentType: problemJSON, contains: []string{`"code":"not_ready"`, "Không kết nối được cơ sở dữ liệu."},
			excludes: []string{"connection refused"}},
		{name: "HealthzHasNoBody", method: "POST", path: "/healthz", status: 405, contentType: problemJSON, headers: map[string]string{"Allow": "GET, HEAD"}},
	})
}

func TestHome(t *testing.T) {
	page := []string{`<meta name="viewport"`, `<title>`, `<main>`, `href="/api/v1/openapi.json"`, `href="/static/motcua.css"`}
	run(t, []scenario{
		{name: "Vietnamese", path: "/", status: 200, contentType: "text/html; charset=utf-8",
			contains: append([]string{`<html lang="vi">`, "<h1>motcua — Hệ thống thông tin một cửa điện tử</h1>", `href="/?lang=en"`, "1.2.3-test"}, page...),
			excludes: []string{"<script", "<style", "style="},
			headers:  map[string]string{"Content-Language": "vi"}},
		{name: "AcceptLanguageIgnored", path: "/", header: map[string]string{"Accept-Language": "en-US,en;q=0.9"}, status: 200, contentType: "text/html",
			contains: []string{`<html lang="vi">`}, headers: map[string]string{"Content-Language": "vi"}},
		{name: "QueryOverridesHeader", path: "/?lang=vi", header: map[string]string{"Accept-Language": "en"}, status: 200, contentType: "text/html",
			contains: []string{`<html lang="vi">`}},
		{name: "QueryEnglish", path: "/?lang=en", status: 200, contentType: "text/html",
			contains: append([]string{`<html lang="en">`, `<p lang="vi">Hệ thống thông tin một cửa điện tử</p>`, `href="/?lang=vi"`}, page...),
			headers:  map[string]string{"Content-Language": "en"}},
		{name: "UnknownLangIgnored", path: "/?lang=fr", status: 200, contentType: "text/html", contains: []string{`<html lang="vi">`}},
		{name: "Stylesheet", path: "/static/motcua.css", status: 200, contentType: "text/css", contains: []string{"color-scheme"}},
		{name: "MissingStatic", path: "/static/nothing.js", status: 404, contentType: problemJSON},
		{name: "OpenAPI", path: "/api/v1/openapi.json", status: 200, contentType: "application/json", contains: []string{`"openapi": "3.1.0"`}},
	})
}

func TestHomeHasOneHeading(t *testing.T) {
	s, _ := newTestServer(t, &fakeStore{})
	for _, lang := range []string{"vi", "en"} {
		rec := scenario{path: "/?lang=" + lang}.do(s)
		if n := strings.Count(rec.Body.String(), "<h1"); n != 1 {
			t.Errorf("%s: %d h1 elements; want 1", lang, n)
		}
	}
}

func TestAssetRevalidation(t *testing.T) {
	s, _ := newTestServer(t, &fakeStore{})
	for _, path := range []string{"/static/motcua.css", "/api/v1/openapi.json"} {
		rec := scenario{path: path}.do(s)
		etag := rec.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		rec = scenario{path: path, header: map[string]string{"If-None-Match": etag}}.do(s)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: status = %d; want 304", path, rec.Code)
		}
	}
}

// TestServe runs a real server: HEAD answers without a body, and a
// request in flight when the context ends is completed before Serve
// returns.
func TestServe(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	f := &fakeStore{FindUnitFn: func(context.Context, string) (*motcua.Unit, error) {
		close(started)
		<-release
		return &motcua.Unit{Code: "01", Name: "Thành phố Hà Nội"}, nil
	}}
	s, _ := newTestServer(t, f)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	resp, err := http.Head(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(b) != 0 {
		t.Errorf("HEAD /healthz: status %d, %d bytes of body; want 200 and none", resp.StatusCode, len(b))
	}

	type result struct {
		status int
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/api/v1/units/01")
		if err != nil {
			slow <- result{err: err}
			return
		}
		resp.Body.Close()
		slow <- result{status: resp.StatusCode}
	}()
	<-started
	cancel()
	time.Sleep(50 * time.Millisecond)
	close(release)
	if r := <-slow; r.err != nil || r.status != 200 {
		t.Errorf("request in flight at shutdown: %d, %v; want 200", r.status, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}
