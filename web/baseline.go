package web

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"motcua"
)

// bareBody is the answer of BaselineBare.
var bareBody = []byte(`{"status":"ok"}` + "\n")

// BaselineBare returns the bare baseline of motcua bench: a handler that
// answers every request with a tiny fixed JSON document, the cost of
// net/http alone.
func BaselineBare() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(bareBody)))
		w.Write(bareBody)
	})
}

// RowReader reads the row of one table whose primary key is key and
// returns it as a JSON document.
type RowReader func(ctx context.Context, key string) (string, error)

// BaselineRow returns the row baseline of motcua bench: GET /{table}/{key}
// answers with the JSON document that tables[table] returns for key, 404
// for a table not in tables or when the read returns ENOTFOUND, and 500
// for any other error, which goes to logger (nil means slog.Default()).
// With each reader looking up one row by primary key, it is the practical
// limit of a look-up: the database and net/http, with nothing of
// motcua's API around them.
func BaselineRow(tables map[string]RowReader, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{table}/{key}", func(w http.ResponseWriter, r *http.Request) {
		table, key := r.PathValue("table"), r.PathValue("key")
		read, ok := tables[table]
		if !ok {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		doc, err := read(r.Context(), key)
		switch code := motcua.ErrorCode(err); {
		case code == motcua.ENOTFOUND:
			http.Error(w, "not found", http.StatusNotFound)
			return
		case err != nil:
			logger.Error("read row", "table", table, "key", key, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		io.WriteString(w, doc)
	})
	return mux
}

// ServeBaseline serves h, a baseline handler, on ln until ctx is done,
// with the settings and the graceful shutdown of Server.Serve. The
// server's own errors go to logger; nil means slog.Default().
func ServeBaseline(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	return serve(ctx, ln, h, logger)
}
