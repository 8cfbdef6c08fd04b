package web

import (
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
)

func TestBaselines(t *testing.T) {
	read := func(_ context.Context, key string) (string, error) {
		switch key {
		case "01":
			return `{"code":"01"}`, nil
		case "broken":
			return "", errors.New("disk on fire")
		}
		return "", motcua.NotFound("unit", key)
	}
	rows := BaselineRow(map[string]RowReader{"units": read}, slog.New(slog.DiscardHandler))
	tests := []struct {
		name    string
		handler http.Handler
		method  string
		path    string
		status  int
		body    string
	}{
		{"Bare", BaselineBare(), "GET", "/anything", 200, `{"status":"ok"}` + "\n"},
		{"BarePost", BaselineBare(), "POST", "/", 200, `{"status":"ok"}` + "\n"},
		{"Row", rows, "GET", "/units/01", 200, `{"code":"01"}`},
		{"RowNotFound", rows, "GET", "/units/99", 404, "not found\n"},
		{"RowError", rows, "GET", "/units/broken", 500, "internal error\n"},
		{"RowOtherTable", rows, "GET", "/agencies/01", 404, "not found\n"},
		{"RowOtherPath", rows, "GET", "/units/01/x", 404, "404 page not found\n"},
		{"RowPost", rows, "POST", "/units/01", 405, "Method Not Allowed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.handler.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, w.Code, w.Body.String(), tt.status, tt.body)
			}
			if w.Code == 200 && w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", w.Header().Get("Content-Type"))
			}
		})
	}
}

// serveOn runs serveFn on a new loopback listener, GETs path and returns
// the status and body; then it cancels the context and checks that
// serveFn returns nil.
func serveOn(t *testing.T, path string, serveFn func(ctx context.Context, ln net.Listener) error) (int, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- serveFn(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return after its context ended")
	}
	return resp.StatusCode, string(b)
}

func TestServeBaseline(t *testing.T) {
	status, body := serveOn(t, "/", func(ctx context.Context, ln net.Listener) error {
		return ServeBaseline(ctx, ln, BaselineBare(), nil)
	})
	if status != 200 || !strings.Contains(body, "ok") {
		t.Errorf("GET / = %d %q, want 200 and the fixed document", status, body)
	}
}

func TestServePprof(t *testing.T) {
	status, body := serveOn(t, "/debug/pprof/", func(ctx context.Context, ln net.Listener) error {
		return ServePprof(ctx, ln, nil)
	})
	if status != 200 || !strings.Contains(body, "allocs") {
		t.Errorf("GET /debug/pprof/ = %d, want 200 and the list of profiles", status)
	}

	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := ServePprof(context.Background(), ln, nil); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("ServePprof on %s = %v, want a refusal", ln.Addr(), err)
	}
}
