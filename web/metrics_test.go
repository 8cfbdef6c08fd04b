package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"motcua"
)

func TestMetricsEndpoint(t *testing.T) {
	f := &fakeStore{FindUnitFn: func(_ context.Context, code string) (*motcua.Unit, error) {
		if code == "01" {
			return hanoi, nil
		}
		return nil, motcua.NotFound("unit", code)
	}}
	s, _ := newTestServer(t, f)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/units/01"}, {"GET", "/api/v1/units/01"}, {"HEAD", "/api/v1/units/01"}, {"GET", "/api/v1/units/99"},
		{"GET", "/nothing"}, {"BREW", "/api/v1/units"},
	} {
		s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(r.method, r.path, nil))
	}
	rec := scenario{path: "/metrics"}.do(s)
	scenario{status: 200, contentType: "text/plain; version=0.0.4",
		contains: []string{
			"# TYPE motcua_http_requests_total counter\n",
			`motcua_http_requests_total{route="/api/v1/units/{code}",method="GET",code="200"} 2` + "\n",
			`motcua_http_requests_total{route="/api/v1/units/{code}",method="HEAD",code="200"} 1` + "\n",
			`motcua_http_requests_total{route="/api/v1/units/{code}",method="GET",code="404"} 1` + "\n",
			`motcua_http_requests_total{route="unmatched",method="GET",code="404"} 1` + "\n",
			`motcua_http_requests_total{route="unmatched",method="other",code="405"} 1` + "\n",
			"# TYPE motcua_http_request_duration_seconds histogram\n",
			`motcua_http_request_duration_seconds_bucket{route="/api/v1/units/{code}",le="+Inf"} 4` + "\n",
			`motcua_http_request_duration_seconds_count{route="/api/v1/units/{code}"} 4` + "\n",
			`motcua_http_request_duration_seconds_sum{route="/api/v1/units/{code}"} `,
			"# TYPE motcua_build_info gauge\n",
			`motcua_build_info{version="1.2.3-test"} 1` + "\n",
		},
		excludes: []string{"/api/v1/units/01", "/nothing", "BREW"},
	}.check(t, rec)

	line := regexp.MustCompile(`^(# (HELP|TYPE) .+|[a-z_]+\{([a-z]+="([^"\\]|\\.)*",?)+\} [0-9.e+-]+)$`)
	for _, l := range strings.Split(strings.TrimSuffix(rec.Body.String(), "\n"), "\n") {
		if !line.MatchString(l) {
			t.Errorf("not an exposition line: %q", l)
		}
	}
}

func TestHistogram(t *testing.T) {
	m := newMetrics("v")
	for _, d := range []time.Duration{time.Millisecond, 5 * time.Millisecond, 7 * time.Millisecond, 20 * time.Second} {
		m.observe("/r", "GET", 200, d)
	}
	var b bytes.Buffer
	m.writeTo(&b)
	for _, want := range []string{
		`motcua_http_request_duration_seconds_bucket{route="/r",le="0.005"} 2`,
		`motcua_http_request_duration_seconds_bucket{route="/r",le="0.01"} 3`,
		`motcua_http_request_duration_seconds_bucket{route="/r",le="10"} 3`,
		`motcua_http_request_duration_seconds_bucket{route="/r",le="+Inf"} 4`,
		`motcua_http_request_duration_seconds_sum{route="/r"} 20.013`,
		`motcua_http_request_duration_seconds_count{route="/r"} 4`,
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("metrics lack %q\n%s", want, b.String())
		}
	}
}

func TestQuoteLabel(t *testing.T) {
	if got, want := quoteLabel("a\\b\"c\nd"), `"a\\b\"c\nd"`; got != want {
		t.Errorf("quoteLabel = %s; want %s", got, want)
	}
}
