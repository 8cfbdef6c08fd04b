package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"motcua"
)

// maxBodyBytes bounds every request body: 1 MiB.
const maxBodyBytes = 1 << 20

// limitBody caps request bodies at maxBodyBytes. It must see the server's
// own ResponseWriter so that an oversized body closes the connection.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

type requestIDKey struct{}

// requestID returns the request id carried by ctx.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID keeps a well-formed X-Request-Id of the request, or
// makes one, echoes it in the response and puts it in the context.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			var b [12]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// validRequestID reports whether id is 1 to 128 letters, digits and
// "-._:", safe to echo and to log.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._:", c) >= 0) {
			return false
		}
	}
	return true
}

// securityHeaders sets the headers every response carries.
func securityHeaders(hsts bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One array holds the values; each header gets a slice of it
		// whose capacity ends at its value, so that an Add copies.
		v := [...]string{"nosniff", "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
			"same-origin", "DENY", "max-age=63072000; includeSubDomains"}
		values := v[:]
		h := w.Header()
		h["X-Content-Type-Options"] = values[0:1:1]
		h["Content-Security-Policy"] = values[1:2:2]
		h["Referrer-Policy"] = values[2:3:3]
		h["X-Frame-Options"] = values[3:4:4]
		if hsts {
			h["Strict-Transport-Security"] = values[4:5:5]
		}
		next.ServeHTTP(w, r)
	})
}

// responseWriter records the status and size of a response.
type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	return w.wrote(w.ResponseWriter.Write(b))
}

// WriteString writes s as Write writes bytes, without copying it.
func (w *responseWriter) WriteString(s string) (int, error) {
	return w.wrote(io.WriteString(w.ResponseWriter, s))
}

// wrote records a write of n bytes of the body, which implies status 200
// when no status was written before.
func (w *responseWriter) wrote(n int, err error) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request, even one that panicked, and counts it in the
// metrics under its route pattern, which the mux sets on r.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &responseWriter{ResponseWriter: w}
		defer func() {
			if rw.status == 0 {
				rw.status = http.StatusOK
			}
			d := time.Since(start)
			route := routeLabel(r.Pattern)
			s.metrics.observe(route, r.Method, rw.status, d)
			s.logRequest(r, rw, route, start.Add(d), d)
		}()
		next.ServeHTTP(rw, r)
	})
}

// logRequest writes the access log line of a request that ended at end,
// an Info record "http request". The logger's handler decides, by its
// level, whether to write it; when it does not, nothing is formatted. The
// record goes to the handler directly, as Logger.LogAttrs would send it
// but without looking up the caller, which is always this function.
func (s *Server) logRequest(r *http.Request, rw *responseWriter, route string, end time.Time, d time.Duration) {
	ctx := r.Context()
	h := s.logger.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(end, slog.LevelInfo, "http request", 0)
	rec.AddAttrs(
		slog.String("request_id", requestID(ctx)),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", route),
		slog.Int("status", rw.status),
		slog.Int64("bytes", rw.bytes),
		slog.Duration("duration", d))
	// As with Logger.LogAttrs, a failure of the handler is not reported:
	// the log is where it would be reported.
	_ = h.Handle(ctx, rec)
}

// recoverPanics turns a panic in a handler into a logged internal error.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			if rw, ok := w.(*responseWriter); ok && rw.status != 0 {
				s.logError(r, err)
				panic(http.ErrAbortHandler)
			}
			s.writeError(w, r, err)
		}()
		next.ServeHTTP(w, r)
	})
}

// dispatch passes r to the mux, answering with a problem document where
// the mux would answer 404 or 405 in plain text.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := headerRecorder{header: http.Header{}}
	h.ServeHTTP(&rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		allow := rec.header.Get("Allow")
		w.Header().Set("Allow", allow)
		s.writeError(w, r, &motcua.Error{Code: codeMethodNotAllowed, Reason: "method_not_allowed",
			Message: fmt.Sprintf("Method %s is not supported here; allowed: %s.", r.Method, allow),
			Params:  map[string]string{"method": r.Method, "allow": allow}})
		return
	}
	s.writeError(w, r, &motcua.Error{Code: motcua.ENOTFOUND, Reason: "route_not_found",
		Message: fmt.Sprintf("There is no resource at %s.", r.URL.Path),
		Params:  map[string]string{"path": r.URL.Path}})
}

// headerRecorder captures the status and header of the mux's own answer
// to an unrouted request, dropping its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }
