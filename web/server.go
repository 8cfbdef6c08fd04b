// Package web is the HTTP face of motcua: the JSON API under /api/v1,
// described by the embedded OpenAPI document, the health, readiness and
// metrics endpoints, and a small home page.
//
// Every route is declared in routes.go. Handlers return errors, which
// writeError renders as RFC 9457 problem documents in Vietnamese or
// English.
package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"motcua"
)

// shutdownTimeout bounds how long Serve waits for requests in flight once
// its context is done.
const shutdownTimeout = 10 * time.Second

// Config is what a Server needs.
type Config struct {
	// Store provides every domain service.
	Store motcua.Store
	// Ready reports whether the database is reachable; nil means always
	// ready.
	Ready func(ctx context.Context) error
	// AdminToken is the bearer token required on endpoints that write or
	// return personal data. When empty, those endpoints always answer 401.
	AdminToken string
	// Clock tells the time at which procedures are looked up, and the
	// time of the API client key cache and rate limits; nil means
	// motcua.SystemClock{}.
	Clock motcua.Clock
	// Logger receives request logs and internal errors; nil means
	// slog.Default().
	Logger *slog.Logger
	// Version is the release reported by the home page and the metrics.
	Version string
	// Place is the place name on the statutory forms' date line; empty
	// means "Hà Nội".
	Place string
	// BaseURL is the public address of the server, for the verification
	// links of the forms' QR codes; empty means the request's host.
	BaseURL string
	// ShowOfficers shows the officers' names in the citizen's timeline.
	ShowOfficers bool
	// Auth signs staff and citizens in and checks their sessions; nil
	// means only bearer tokens are accepted.
	Auth motcua.AuthService
	// SecureCookies marks cookies Secure (and names the session cookie
	// with the __Host- prefix): set it whenever browsers reach the
	// server over HTTPS, directly or through a reverse proxy.
	SecureCookies bool
	// HSTS sends Strict-Transport-Security: set it when the server is
	// only reachable over HTTPS.
	HSTS bool
}

// Server serves the motcua HTTP interface. It is safe for concurrent use.
type Server struct {
	store   motcua.Store
	ready   func(ctx context.Context) error
	token   string
	clock   motcua.Clock
	logger  *slog.Logger
	version string
	place   string
	baseURL string
	// showOfficers shows officers' names in citizens' timelines.
	showOfficers bool
	auth         motcua.AuthService
	audits       *auditor
	cookie       string // the session cookie's name
	secure       bool   // cookies are Secure
	hsts         bool

	// clients caches checked API client keys; limiter holds their rate
	// limits' buckets.
	clients *clientCache
	limiter *rateLimiter

	mux     *http.ServeMux
	handler http.Handler
	metrics *metrics
	home    *template.Template
	static  map[string]*asset
	openapi *asset
}

// NewServer returns a Server for cfg.
func NewServer(cfg Config) *Server {
	s := &Server{
		store:   cfg.Store,
		ready:   cfg.Ready,
		token:   cfg.AdminToken,
		clock:   cfg.Clock,
		logger:  cfg.Logger,
		version: cfg.Version,
		place:   cmp.Or(cfg.Place, "Hà Nội"),
		baseURL: cfg.BaseURL,

		showOfficers: cfg.ShowOfficers,
		auth:         cfg.Auth,
		clients:      newClientCache(clientCacheTTL),
		limiter:      newRateLimiter(),
		cookie:       "motcua_session",
		secure:       cfg.SecureCookies,
		hsts:         cfg.HSTS,
		mux:          http.NewServeMux(),
		metrics:      newMetrics(cfg.Version),
		home:         template.Must(template.ParseFS(files, "templates/home.html")),
		static:       staticAssets(),
		openapi:      mustAsset("openapi.json"),
	}
	if s.clock == nil {
		s.clock = motcua.SystemClock{}
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.secure {
		s.cookie = "__Host-motcua_session"
	}
	s.audits = newAuditor(s.store, s.logger)
	for _, rt := range routes {
		s.mux.Handle(rt.method+" "+rt.path, s.adapt(rt))
	}
	s.handler = limitBody(withRequestID(securityHeaders(s.hsts, s.observe(s.recoverPanics(http.HandlerFunc(s.dispatch))))))
	return s
}

// Handler returns the handler of every route, wrapped in the middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves on ln until ctx is done, then shuts down gracefully,
// waiting up to 10 seconds for requests in flight. It returns nil after a
// graceful shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	err := serve(ctx, ln, s.handler, s.logger)
	s.audits.close()
	return err
}

// serve serves h on ln until ctx is done, then shuts down as Server.Serve
// does. The server's own errors go to logger.
func serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		srv.Close()
		err = fmt.Errorf("shut down: %w", err)
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("serve: %w", serr))
	}
	return err
}
