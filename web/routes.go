package web

import (
	"net/http"

	"motcua"
)

// route is one entry of the routing table: a method, a ServeMux path
// pattern, the handler and who may use it (every route that writes or
// returns personal data needs a token; handlers check the roles).
type route struct {
	method string
	path   string
	handle func(s *Server, w http.ResponseWriter, r *http.Request) error
	access access
}

// routes is every route the server answers. The OpenAPI document
// describes each of them, which openapi_test.go checks.
var routes = []route{
	{"GET", "/{$}", (*Server).serveHome, public},
	{"GET", "/static/{name}", (*Server).serveStatic, public},
	{"GET", "/healthz", (*Server).serveHealth, public},
	{"GET", "/readyz", (*Server).serveReady, public},
	{"GET", "/metrics", (*Server).serveMetrics, public},
	{"GET", "/api/v1/openapi.json", (*Server).serveOpenAPI, public},

	{"GET", "/api/v1/units", (*Server).listUnits, public},
	{"GET", "/api/v1/units/{code}", (*Server).getUnit, public},
	{"GET", "/api/v1/agencies", (*Server).listAgencies, public},
	{"GET", "/api/v1/procedures", (*Server).listProcedures, public},
	{"GET", "/api/v1/procedures/{code}", (*Server).getProcedure, public},

	{"POST", "/api/v1/dossiers", (*Server).createDossier, staff},
	{"GET", "/api/v1/dossiers/{ref}", (*Server).getDossier, staff},
	{"POST", "/api/v1/dossiers/{ref}/actions", (*Server).applyAction, staff},

	{"GET", "/api/v1/calendar/days", (*Server).calendarDays, public},
	{"POST", "/api/v1/calendar/days", (*Server).setOfficialDay, admin},
	{"DELETE", "/api/v1/calendar/days", (*Server).deleteOfficialDay, admin},
	{"GET", "/api/v1/calendar/due", (*Server).dueTime, public},
	{"GET", "/api/v1/calendar/weeks/{unit}", (*Server).getWeek, public},
	{"PUT", "/api/v1/calendar/weeks/{unit}", (*Server).putWeek, admin},
	{"DELETE", "/api/v1/calendar/weeks/{unit}", (*Server).deleteWeek, admin},
	{"GET", "/api/v1/calendar/changes", (*Server).calendarChanges, admin},

	{"GET", "/api/v1/processes", (*Server).listProcesses, public},
	{"GET", "/api/v1/processes/{code}", (*Server).getProcess, public},
	{"POST", "/api/v1/processes", (*Server).createProcess, admin},
	{"GET", "/api/v1/dossiers/{ref}/timeline", (*Server).getTimeline, public},
	{"GET", "/api/v1/dossiers/{ref}/forms/{form}", (*Server).getForm, staff},
	{"GET", "/api/v1/agencies/{code}/register", (*Server).getRegister, staff},
	{"GET", "/api/v1/alerts", (*Server).listAlerts, staff},

	{"GET", "/api/v1/admin/verify", (*Server).verify, admin},
	{"PUT", "/api/v1/admin/staff/{id}", (*Server).saveStaff, admin},
}

// adapt turns rt into an http.Handler: it checks the token when rt needs
// it, marks the response as not cacheable, and renders the handler's
// error.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.access != public {
			w.Header().Set("Cache-Control", "no-store")
			a, err := s.actor(r)
			if err == nil && rt.access == admin && a.Kind != motcua.ActorAdmin {
				err = forbidden("Only an administrator may do this.")
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			r = r.WithContext(motcua.NewContextWithActor(r.Context(), a))
		}
		if err := rt.handle(s, w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
