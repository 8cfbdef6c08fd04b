// Package loadgen drives an HTTP server on this machine with a fixed
// number of concurrent clients for a fixed time, and reports the
// throughput, the latency percentiles and the errors.
//
// Each client sends one request at a time over a kept-alive connection
// and records the latency of every answer in a log-linear histogram, so
// memory does not grow with the number of requests. Only loopback targets
// are accepted: a load generator must not be pointed at someone else's
// server by mistake.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits of a load.
const (
	MaxClients  = 1024
	MaxDuration = time.Hour
)

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Request is one request of a load: a method, a path (with its query)
// relative to the target, and a body, nil for none.
type Request struct {
	Method string
	Path   string
	Body   []byte
}

// Config describes a load.
type Config struct {
	// Target is the base URL, on a loopback address, to which request
	// paths are appended.
	Target string
	// Clients is the number of concurrent clients, 1 to MaxClients.
	Clients int
	// Duration is how long clients start new requests, up to MaxDuration.
	Duration time.Duration
	// MaxRequests, when positive, stops the load after that many
	// requests in all.
	MaxRequests int64
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Header is sent with every request.
	Header http.Header
	// Next returns a client's next request. Each client calls it with its
	// own source of random numbers, so Next must only be safe for
	// concurrent calls with different sources.
	Next func(r *rand.Rand) Request
}

// Result is what a load measured.
type Result struct {
	Clients int `json:"clients"`
	// Requests counts the answered and failed requests; Errors the ones
	// that failed: no answer, or a status other than 2xx.
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	// ErrorsByStatus counts failures by HTTP status, 0 for requests that
	// got no answer.
	ErrorsByStatus map[int]int64 `json:"errors_by_status,omitempty"`
	// FirstError describes the first failure.
	FirstError string `json:"first_error,omitempty"`
	// Elapsed runs from the first request to the end of the last.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Throughput is the number of successful requests per second.
	Throughput float64 `json:"throughput"`
	// P50, P99 and Max are latencies of the successful requests.
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`

	latency *histogram // of the successful requests
}

// Add adds o, the result of another load with the same number of
// clients, to r, as if one load had run for both their times: requests
// and errors summed, elapsed times summed, the latencies merged. A
// benchmark that alternates short loads on two servers adds up each
// server's, so that both are measured over the same stretch of time.
func (r *Result) Add(o *Result) {
	if r.latency == nil {
		r.latency = new(histogram)
	}
	if o.latency != nil {
		r.latency.merge(o.latency)
	}
	r.Clients = max(r.Clients, o.Clients)
	r.Requests += o.Requests
	r.Errors += o.Errors
	for status, n := range o.ErrorsByStatus {
		if r.ErrorsByStatus == nil {
			r.ErrorsByStatus = map[int]int64{}
		}
		r.ErrorsByStatus[status] += n
	}
	if r.FirstError == "" {
		r.FirstError = o.FirstError
	}
	r.Elapsed += o.Elapsed
	r.summarize()
}

// summarize sets the throughput and the percentiles from the counts.
func (r *Result) summarize() {
	h := r.latency
	r.Throughput = 0
	if r.Elapsed > 0 {
		r.Throughput = float64(h.total) / r.Elapsed.Seconds()
	}
	r.P50, r.P99, r.Max = h.quantile(0.50), h.quantile(0.99), h.max
}

// CheckTarget returns an error unless target is an http URL whose host is
// a loopback address or "localhost".
func CheckTarget(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("loadgen: target: %w", err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("loadgen: target %q: only http:// is supported", target)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("loadgen: target %q is not a loopback address", target)
	}
	return nil
}

func (c *Config) check() error {
	var errs []error
	if err := CheckTarget(c.Target); err != nil {
		errs = append(errs, err)
	}
	if c.Clients < 1 || c.Clients > MaxClients {
		errs = append(errs, fmt.Errorf("loadgen: clients must be 1 to %d, not %d", MaxClients, c.Clients))
	}
	if c.Duration <= 0 || c.Duration > MaxDuration {
		errs = append(errs, fmt.Errorf("loadgen: duration must be positive and at most %s, not %s", MaxDuration, c.Duration))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("loadgen: negative timeout %s", c.Timeout))
	}
	if c.Next == nil {
		errs = append(errs, errors.New("loadgen: no request function"))
	}
	return errors.Join(errs...)
}

// Run applies the load described by cfg and returns what it measured.
// Clients start no request after cfg.Duration, or once cfg.MaxRequests
// were started, and Run returns when the requests in flight end. When ctx
// ends first, the requests in flight are cancelled and not counted, and
// Run returns the result so far with ctx's error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	transport := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Clients,
		MaxIdleConnsPerHost: cfg.Clients,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: timeout}
	base := strings.TrimSuffix(cfg.Target, "/")

	var started atomic.Int64
	take := func() bool { return cfg.MaxRequests <= 0 || started.Add(1) <= cfg.MaxRequests }

	tallies := make([]tally, cfg.Clients)
	var wg sync.WaitGroup
	begin := time.Now()
	deadline := begin.Add(cfg.Duration)
	for i := range tallies {
		t := &tallies[i]
		t.errors = map[int]int64{}
		rng := rand.New(rand.NewPCG(uint64(begin.UnixNano()), uint64(i)))
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil && take() {
				t.do(ctx, client, base, cfg.Header, cfg.Next(rng))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)

	h := new(histogram)
	r := &Result{Clients: cfg.Clients, Elapsed: elapsed, ErrorsByStatus: map[int]int64{}, latency: h}
	var firstAt time.Time
	for i := range tallies {
		t := &tallies[i]
		h.merge(&t.latency)
		r.Errors += t.failed
		for status, n := range t.errors {
			r.ErrorsByStatus[status] += n
		}
		if t.first != "" && (firstAt.IsZero() || t.firstAt.Before(firstAt)) {
			r.FirstError, firstAt = t.first, t.firstAt
		}
	}
	r.Requests = int64(h.total) + r.Errors
	r.summarize()
	if len(r.ErrorsByStatus) == 0 {
		r.ErrorsByStatus = nil
	}
	return r, ctx.Err()
}

// tally is what one client measured.
type tally struct {
	latency histogram
	failed  int64
	errors  map[int]int64
	first   string
	firstAt time.Time
}

// do sends one request and records its outcome. A request cancelled
// because ctx ended is not recorded.
func (t *tally) do(ctx context.Context, client *http.Client, base string, header http.Header, r Request) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, base+r.Path, body)
	if err != nil {
		t.fail(0, err.Error())
		return
	}
	if header != nil {
		req.Header = header.Clone()
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			t.fail(0, err.Error())
		}
		return
	}
	var snippet [200]byte
	n, err := io.ReadFull(resp.Body, snippet[:])
	switch err {
	case io.EOF, io.ErrUnexpectedEOF:
		err = nil
	case nil:
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	latency := time.Since(start)
	switch {
	case err != nil && ctx.Err() != nil:
	case err != nil:
		t.fail(0, fmt.Sprintf("%s %s: reading the answer: %v", r.Method, r.Path, err))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		t.fail(resp.StatusCode, fmt.Sprintf("%s %s: %s: %s", r.Method, r.Path, resp.Status, bytes.TrimSpace(snippet[:n])))
	default:
		t.latency.record(latency)
	}
}

func (t *tally) fail(status int, msg string) {
	t.failed++
	t.errors[status]++
	if t.first == "" {
		t.first, t.firstAt = msg, time.Now()
	}
}
