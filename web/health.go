package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"motcua"
)

// readyTimeout bounds the readiness check.
const readyTimeout = 3 * time.Second

type healthStatus struct {
	Status string `json:"status"`
}

// serveHealth reports that the process is alive.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, healthStatus{"ok"})
}

// serveReady reports whether the server can answer requests: whether the
// database is reachable. Returns EUNAVAILABLE.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			s.logger.LogAttrs(r.Context(), slog.LevelWarn, "not ready",
				slog.String("request_id", requestID(r.Context())), slog.String("error", err.Error()))
			return &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "not_ready", Message: "The database is unreachable."}
		}
	}
	return writeJSON(w, http.StatusOK, healthStatus{"ok"})
}
