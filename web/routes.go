package web

import (
	"net/http"

	"motcua"
)

// route is one entry of the routing table: a method, a ServeMux path
// pattern, the handler and whether the route needs the administrator
// token (every route that writes or returns personal data does).
type route struct {
	method string
	path   string
	handle func(s *Server, w http.ResponseWriter, r *http.Request) error
	auth   bool
}

// routes is every route the server answers. The OpenAPI document
// describes each of them, which openapi_test.go checks.
var routes = []route{
	{"GET", "/{$}", (*Server).serveHome, false},
	{"GET", "/static/{name}", (*Server).serveStatic, false},
	{"GET", "/healthz", (*Server).serveHealth, false},
	{"GET", "/readyz", (*Server).serveReady, false},
	{"GET", "/metrics", (*Server).serveMetrics, false},
	{"GET", "/api/v1/openapi.json", (*Server).serveOpenAPI, false},

	{"GET", "/api/v1/units", (*Server).listUnits, false},
	{"GET", "/api/v1/units/{code}", (*Server).getUnit, false},
	{"GET", "/api/v1/agencies", (*Server).listAgencies, false},
	{"GET", "/api/v1/procedures", (*Server).listProcedures, false},
	{"GET", "/api/v1/procedures/{code}", (*Server).getProcedure, false},

	{"POST", "/api/v1/dossiers", (*Server).createDossier, true},
	{"GET", "/api/v1/dossiers/{ref}", (*Server).getDossier, true},
	{"POST", "/api/v1/dossiers/{ref}/actions", (*Server).applyAction, true},

	{"GET", "/api/v1/calendar/days", (*Server).calendarDays, false},
	{"POST", "/api/v1/calendar/days", (*Server).setOfficialDay, true},
	{"DELETE", "/api/v1/calendar/days", (*Server).deleteOfficialDay, true},
	{"GET", "/api/v1/calendar/due", (*Server).dueTime, false},
	{"GET", "/api/v1/calendar/weeks/{unit}", (*Server).getWeek, false},
	{"PUT", "/api/v1/calendar/weeks/{unit}", (*Server).putWeek, true},
	{"DELETE", "/api/v1/calendar/weeks/{unit}", (*Server).deleteWeek, true},
	{"GET", "/api/v1/calendar/changes", (*Server).calendarChanges, true},

	{"GET", "/api/v1/admin/verify", (*Server).verify, true},
}

// adapt turns rt into an http.Handler: it checks the token when rt needs
// it, marks the response as not cacheable, and renders the handler's
// error.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.auth {
			w.Header().Set("Cache-Control", "no-store")
			if err := s.authenticate(r); err != nil {
				s.writeError(w, r, err)
				return
			}
			r = r.WithContext(motcua.NewContextWithActor(r.Context(), motcua.BootstrapAdmin))
		}
		if err := rt.handle(s, w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
