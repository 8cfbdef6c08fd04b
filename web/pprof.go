package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
)

// ServePprof serves the runtime profiles of net/http/pprof under
// /debug/pprof/ on ln until ctx is done, as Server.Serve does. It closes
// ln and refuses to serve when ln is neither on a loopback address nor a
// Unix socket: profiles reveal the program's internals and a CPU profile
// costs time, so they must never be reachable from the network. The
// server's own errors go to logger; nil means slog.Default().
func ServePprof(ctx context.Context, ln net.Listener, logger *slog.Logger) error {
	switch a := ln.Addr().(type) {
	case *net.TCPAddr:
		if !a.IP.IsLoopback() {
			ln.Close()
			return fmt.Errorf("pprof: %s is not a loopback address", a)
		}
	case *net.UnixAddr:
	default:
		ln.Close()
		return fmt.Errorf("pprof: %s is not a loopback address", a)
	}
	if logger == nil {
		logger = slog.Default()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return serve(ctx, ln, mux, logger)
}
