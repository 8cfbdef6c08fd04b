package web

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// durationBuckets are the upper bounds, in seconds, of the request
// duration histogram.
var durationBuckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics counts requests per route, method and status, and their
// durations per route. Routes are mux patterns, so the number of series
// is bounded.
type metrics struct {
	version string

	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[string]*histogram
}

type requestKey struct {
	route, method string
	code          int
}

// histogram holds per-bucket counts (not cumulative), the sum and the
// count of observations.
type histogram struct {
	buckets [len(durationBuckets)]uint64
	sum     float64
	count   uint64
}

func newMetrics(version string) *metrics {
	return &metrics{version: version, requests: map[requestKey]uint64{}, durations: map[string]*histogram{}}
}

// routeLabel returns the path of a mux pattern such as
// "GET /api/v1/units/{code}", or "unmatched" for a request no route
// matched.
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	_, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return pattern
	}
	return path
}

// methodLabel returns the method, or "other" for a method no route uses,
// so that clients cannot create series at will.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// observe records one request.
func (m *metrics) observe(route, method string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, methodLabel(method), code}]++
	h := m.durations[route]
	if h == nil {
		h = &histogram{}
		m.durations[route] = h
	}
	sec := d.Seconds()
	if i, _ := slices.BinarySearch(durationBuckets[:], sec); i < len(h.buckets) {
		h.buckets[i]++
	}
	h.sum += sec
	h.count++
}

// writeTo writes the metrics in the Prometheus text exposition format.
func (m *metrics) writeTo(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := bufio.NewWriter(w)

	fmt.Fprintln(b, "# HELP motcua_http_requests_total HTTP requests answered, by route pattern, method and status code.")
	fmt.Fprintln(b, "# TYPE motcua_http_requests_total counter")
	keys := slices.SortedFunc(maps.Keys(m.requests), func(a, b requestKey) int {
		return cmp.Or(strings.Compare(a.route, b.route), strings.Compare(a.method, b.method), cmp.Compare(a.code, b.code))
	})
	for _, k := range keys {
		fmt.Fprintf(b, "motcua_http_requests_total{route=%s,method=%s,code=\"%d\"} %d\n",
			quoteLabel(k.route), quoteLabel(k.method), k.code, m.requests[k])
	}

	fmt.Fprintln(b, "# HELP motcua_http_request_duration_seconds Time taken to answer HTTP requests, by route pattern.")
	fmt.Fprintln(b, "# TYPE motcua_http_request_duration_seconds histogram")
	for _, route := range slices.Sorted(maps.Keys(m.durations)) {
		h, r := m.durations[route], quoteLabel(route)
		var cum uint64
		for i, le := range durationBuckets {
			cum += h.buckets[i]
			fmt.Fprintf(b, "motcua_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", r, formatFloat(le), cum)
		}
		fmt.Fprintf(b, "motcua_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", r, h.count)
		fmt.Fprintf(b, "motcua_http_request_duration_seconds_sum{route=%s} %s\n", r, formatFloat(h.sum))
		fmt.Fprintf(b, "motcua_http_request_duration_seconds_count{route=%s} %d\n", r, h.count)
	}

	fmt.Fprintln(b, "# HELP motcua_build_info The running release of motcua.")
	fmt.Fprintln(b, "# TYPE motcua_build_info gauge")
	fmt.Fprintf(b, "motcua_build_info{version=%s} 1\n", quoteLabel(m.version))
	b.Flush()
}

// quoteLabel quotes a label value, escaping backslashes, double quotes
// and line feeds.
func quoteLabel(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// serveMetrics answers with the metrics.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.writeTo(w)
	return nil
}
