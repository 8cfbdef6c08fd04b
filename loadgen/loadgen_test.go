package loadgen

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 127, 128, 255, 256, 257, 1000, 4095, 4096, 1e6, 1e9 + 7, 1<<62 + 12345, 1<<63 - 1} {
		i := bucket(v)
		if i < prev {
			t.Errorf("bucket(%d) = %d, below the previous %d", v, i, prev)
		}
		prev = i
		if i >= len(histogram{}.counts) {
			t.Fatalf("bucket(%d) = %d, beyond the histogram", v, i)
		}
		hi := bucketMax(i)
		if hi < v || float64(hi-v) > float64(v)/subBuckets {
			t.Errorf("bucketMax(bucket(%d)) = %d: not within 1/%d above", v, hi, subBuckets)
		}
		if i > 0 && bucketMax(i-1) >= v {
			t.Errorf("bucket %d below that of %d holds values up to %d", i-1, v, bucketMax(i-1))
		}
	}
}

func TestQuantile(t *testing.T) {
	var h histogram
	if got := h.quantile(0.5); got != 0 {
		t.Errorf("empty quantile = %s, want 0", got)
	}
	for i := 1000; i >= 1; i-- {
		h.record(time.Duration(i) * time.Microsecond)
	}
	var other histogram
	other.record(2 * time.Second)
	h.merge(&other)
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0, time.Microsecond},
		{0.5, 501 * time.Microsecond},
		{0.99, 991 * time.Microsecond},
		{1, 2 * time.Second},
	}
	for _, tt := range tests {
		got := h.quantile(tt.q)
		if got < tt.want || float64(got-tt.want) > float64(tt.want)/subBuckets {
			t.Errorf("quantile(%v) = %s, want %s within 1/%d above", tt.q, got, tt.want, subBuckets)
		}
	}
	if h.total != 1001 || h.max != 2*time.Second {
		t.Errorf("total %d, max %s; want 1001 and 2s", h.total, h.max)
	}
}

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		target string
		ok     bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.2:8080/base/", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"https://127.0.0.1:8443", false},
		{"http://10.0.0.1:8080", false},
		{"http://0.0.0.0:8080", false},
		{"http://example.com", false},
		{"http://localhost.example.com", false},
		{"127.0.0.1:8080", false},
		{"http://%zz", false},
	}
	for _, tt := range tests {
		if err := CheckTarget(tt.target); (err == nil) != tt.ok {
			t.Errorf("CheckTarget(%q) = %v, want ok %v", tt.target, err, tt.ok)
		}
	}
}

func TestRunChecksConfig(t *testing.T) {
	next := func(*rand.Rand) Request { return Request{Method: "GET", Path: "/"} }
	tests := []struct {
		name string
		cfg  Config
	}{
		{"NotLoopback", Config{Target: "http://192.0.2.1", Clients: 1, Duration: time.Second, Next: next}},
		{"NoClients", Config{Target: "http://127.0.0.1:1", Clients: 0, Duration: time.Second, Next: next}},
		{"TooManyClients", Config{Target: "http://127.0.0.1:1", Clients: MaxClients + 1, Duration: time.Second, Next: next}},
		{"NoDuration", Config{Target: "http://127.0.0.1:1", Clients: 1, Next: next}},
		{"TooLong", Config{Target: "http://127.0.0.1:1", Clients: 1, Duration: MaxDuration + 1, Next: next}},
		{"NegativeTimeout", Config{Target: "http://127.0.0.1:1", Clients: 1, Duration: time.Second, Timeout: -1, Next: next}},
		{"NoNext", Config{Target: "http://127.0.0.1:1", Clients: 1, Duration: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := Run(context.Background(), tt.cfg); err == nil {
				t.Errorf("Run = %+v, want an error", r)
			}
		})
	}
}

// TestRun drives a server that fails one request in ten with 503 and
// checks the counts, the latencies, the headers and bodies sent, and that
// the clients kept their connections.
func TestRun(t *testing.T) {
	var served, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch {
		case r.Header.Get("Authorization") != "Bearer t" || string(b) != `{"n":1}` || r.Method != "POST":
			http.Error(w, "bad request", http.StatusBadRequest)
		case served.Add(1)%10 == 0:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			time.Sleep(time.Millisecond)
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	start := time.Now()
	r, err := Run(context.Background(), Config{
		Target:   srv.URL + "/",
		Clients:  4,
		Duration: 300 * time.Millisecond,
		Header:   http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"application/json"}},
		Next: func(rng *rand.Rand) Request {
			return Request{Method: "POST", Path: "/items?x=" + string(rune('a'+rng.IntN(26))), Body: []byte(`{"n":1}`)}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Run took %s for a 300ms load", took)
	}
	if r.Requests != served.Load() || r.Requests < 40 {
		t.Errorf("requests = %d, server answered %d; want equal and at least 40", r.Requests, served.Load())
	}
	if want := r.Requests / 10; r.Errors != want || r.ErrorsByStatus[http.StatusServiceUnavailable] != want || len(r.ErrorsByStatus) != 1 {
		t.Errorf("errors = %d %v, want %d, all 503", r.Errors, r.ErrorsByStatus, want)
	}
	if !strings.Contains(r.FirstError, "503") || !strings.Contains(r.FirstError, "busy") {
		t.Errorf("first error = %q, want the status and the body", r.FirstError)
	}
	if r.P50 < time.Millisecond || r.P99 < r.P50 || r.Max < r.P99 {
		t.Errorf("p50 %s, p99 %s, max %s: want 1ms ≤ p50 ≤ p99 ≤ max", r.P50, r.P99, r.Max)
	}
	if want := float64(r.Requests-r.Errors) / r.Elapsed.Seconds(); r.Throughput != want || r.Elapsed < 300*time.Millisecond {
		t.Errorf("throughput %.1f over %s, want %.1f over at least 300ms", r.Throughput, r.Elapsed, want)
	}
	// Without keep-alive every request would dial; with it, a client may
	// still dial once more when its connection had not yet gone back to
	// the idle pool (a loaded machine), so up to two a client.
	if n := conns.Load(); n > 8 {
		t.Errorf("%d connections for 4 clients and %d requests: connections are not kept alive", n, r.Requests)
	}
}

func TestRunMaxRequests(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	defer srv.Close()
	r, err := Run(context.Background(), Config{
		Target: srv.URL, Clients: 3, Duration: time.Minute, MaxRequests: 25,
		Next: func(*rand.Rand) Request { return Request{Method: "GET", Path: "/"} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 25 || served.Load() != 25 || r.Errors != 0 {
		t.Errorf("requests %d, served %d, errors %d; want 25, 25, 0", r.Requests, served.Load(), r.Errors)
	}
}

func TestRunNoAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := "http://" + ln.Addr().String()
	ln.Close()
	r, err := Run(context.Background(), Config{
		Target: target, Clients: 2, Duration: time.Minute, MaxRequests: 10,
		Next: func(*rand.Rand) Request { return Request{Method: "GET", Path: "/"} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 10 || r.Errors != 10 || r.ErrorsByStatus[0] != 10 || r.FirstError == "" || r.Throughput != 0 {
		t.Errorf("result %+v: want 10 requests failed without an answer", r)
	}
}

func TestRunTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	r, err := Run(context.Background(), Config{
		Target: srv.URL, Clients: 1, Duration: time.Minute, MaxRequests: 1, Timeout: 50 * time.Millisecond,
		Next: func(*rand.Rand) Request { return Request{Method: "GET", Path: "/"} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors != 1 || r.ErrorsByStatus[0] != 1 {
		t.Errorf("result %+v: want the request to fail by timeout", r)
	}
}

// TestRunCancel cancels a load while requests are in flight: Run returns
// at once with the context's error and does not count them.
func TestRunCancel(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	start := time.Now()
	r, err := Run(ctx, Config{
		Target: srv.URL, Clients: 2, Duration: time.Minute,
		Next: func(*rand.Rand) Request { return Request{Method: "GET", Path: "/"} },
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if r == nil || r.Requests != 0 {
		t.Errorf("result %+v, want no request counted", r)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %s after cancellation", took)
	}
}

func TestResultAdd(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every fourth request of the second load fails slowly.
		if n := calls.Add(1); n > 20 && n%4 == 0 {
			time.Sleep(2 * time.Millisecond)
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	load := func() *Result {
		r, err := Run(context.Background(), Config{
			Target: srv.URL, Clients: 1, Duration: time.Minute, MaxRequests: 20,
			Next: func(*rand.Rand) Request { return Request{Method: "GET", Path: "/"} },
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := load(), load()
	var sum Result
	sum.Add(a)
	sum.Add(b)
	if sum.Requests != 40 || sum.Errors != 5 || sum.ErrorsByStatus[http.StatusServiceUnavailable] != 5 {
		t.Errorf("requests %d, errors %d %v; want 40, 5 all 503", sum.Requests, sum.Errors, sum.ErrorsByStatus)
	}
	if sum.FirstError != b.FirstError || sum.FirstError == "" {
		t.Errorf("first error %q, want the second load's %q", sum.FirstError, b.FirstError)
	}
	if sum.Elapsed != a.Elapsed+b.Elapsed {
		t.Errorf("elapsed %s, want %s + %s", sum.Elapsed, a.Elapsed, b.Elapsed)
	}
	if want := 35 / (a.Elapsed + b.Elapsed).Seconds(); sum.Throughput != want {
		t.Errorf("throughput %.1f, want %.1f", sum.Throughput, want)
	}
	if sum.Max != max(a.Max, b.Max) || sum.P50 > sum.P99 || sum.P99 > sum.Max {
		t.Errorf("p50 %s, p99 %s, max %s; want p50 ≤ p99 ≤ max = %s", sum.P50, sum.P99, sum.Max, max(a.Max, b.Max))
	}
}
