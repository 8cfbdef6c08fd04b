package web

import (
	"context"
	"net/http"
	"strings"

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
	{"GET", "/api/v1/dossiers/{ref}", (*Server).getDossier, person},
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
	// City administrators, and unit administrators within their units
	// (mayManageStaff).
	{"PUT", "/api/v1/admin/staff/{id}", (*Server).saveStaff, staff},
	{"POST", "/api/v1/admin/staff/{id}/password", (*Server).resetPassword, staff},
	{"POST", "/api/v1/admin/clients", (*Server).createClient, admin},
	{"GET", "/api/v1/admin/clients", (*Server).listClients, admin},
	{"PUT", "/api/v1/admin/clients/{id}", (*Server).updateClient, admin},
	{"POST", "/api/v1/admin/clients/{id}/key", (*Server).rotateClientKey, admin},
	{"DELETE", "/api/v1/admin/clients/{id}", (*Server).revokeClient, admin},

	{"POST", "/api/v1/auth/sign-in", (*Server).signIn, public},
	{"GET", "/api/v1/auth/session", (*Server).getSession, signedIn},
	{"POST", "/api/v1/auth/sign-out", (*Server).signOut, signedIn},
	{"POST", "/api/v1/auth/sign-out-everywhere", (*Server).signOutEverywhere, signedIn},
	{"POST", "/api/v1/auth/password", (*Server).changePassword, signedIn},
	{"POST", "/api/v1/auth/totp", (*Server).beginTOTP, signedIn},
	{"POST", "/api/v1/auth/totp/confirm", (*Server).confirmTOTP, signedIn},
	{"GET", "/auth/citizen/sign-in", (*Server).citizenSignIn, public},
	{"GET", "/auth/citizen/callback", (*Server).citizenCallback, public},
	{"POST", "/api/v1/auth/citizen/register", (*Server).registerCitizen, public},
	{"GET", "/auth/citizen/verify", (*Server).verifyCitizen, public},
	{"POST", "/api/v1/auth/citizen/sign-in", (*Server).signInCitizen, public},
	{"GET", "/api/v1/me/data", (*Server).getMyData, person},

	{"GET", "/api/v1/audit", (*Server).listAudit, auditing},
	{"GET", "/api/v1/audit/export", (*Server).exportAudit, auditing},
}

// audited names the audit action of each route that changes the
// configuration: its successful requests are appended to the audit log.
// (Sign-ins, passwords and second factors are audited by the
// authentication service; views of personal data by their handlers.)
var audited = map[string]string{
	"POST /api/v1/calendar/days":           motcua.AuditCalendarChange,
	"DELETE /api/v1/calendar/days":         motcua.AuditCalendarChange,
	"PUT /api/v1/calendar/weeks/{unit}":    motcua.AuditCalendarChange,
	"DELETE /api/v1/calendar/weeks/{unit}": motcua.AuditCalendarChange,
	"POST /api/v1/processes":               motcua.AuditProcessChange,
	"PUT /api/v1/admin/staff/{id}":         motcua.AuditStaffChange,
	"POST /api/v1/admin/clients":           motcua.AuditClientChange,
	"PUT /api/v1/admin/clients/{id}":       motcua.AuditClientChange,
	"POST /api/v1/admin/clients/{id}/key":  motcua.AuditClientChange,
	"DELETE /api/v1/admin/clients/{id}":    motcua.AuditClientChange,
}

// clientScopes names, by "METHOD pattern", the scope an API client needs
// on each route it may call; a route missing here refuses API clients.
// Their roles are checked afterwards, as for staff. The uses of a client
// key are not audited one by one: there are too many.
var clientScopes = map[string]string{
	"GET /api/v1/dossiers/{ref}":              motcua.ScopeDossiersRead,
	"GET /api/v1/dossiers/{ref}/timeline":     motcua.ScopeDossiersRead,
	"GET /api/v1/dossiers/{ref}/forms/{form}": motcua.ScopeDossiersRead,
	"GET /api/v1/agencies/{code}/register":    motcua.ScopeDossiersRead,
	"POST /api/v1/dossiers":                   motcua.ScopeDossiersWrite,
	"POST /api/v1/dossiers/{ref}/actions":     motcua.ScopeDossiersWrite,
	"GET /api/v1/alerts":                      motcua.ScopeAlertsRead,
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// adapt turns rt into an http.Handler: it authenticates the caller when
// rt needs it, checks the access level, marks the response as not
// cacheable, and renders the handler's error.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.access != public {
			w.Header().Set("Cache-Control", "no-store")
			c, err := s.authenticate(r)
			if err == nil {
				err = permit(c, rt.access, r)
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			ctx := context.WithValue(r.Context(), callerKey{}, c)
			r = r.WithContext(motcua.NewContextWithActor(ctx, c.actor))
		}
		action, audit := audited[rt.method+" "+rt.path]
		if !audit {
			if err := rt.handle(s, w, r); err != nil {
				s.writeError(w, r, err)
			}
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		if err := rt.handle(s, sw, r); err != nil {
			s.writeError(sw, r, err)
		}
		if sw.status >= 200 && sw.status < 300 {
			// What a POST created is where its Location points.
			detail := r.URL.RawQuery
			if loc := sw.Header().Get("Location"); loc != "" {
				detail = strings.TrimSpace(detail + " created " + loc)
			}
			rec := &motcua.AuditRecord{At: s.clock.Now(), Actor: callerOf(r).actor, Action: action,
				Object: r.Method + " " + r.URL.Path, Outcome: motcua.OutcomeOK, IP: clientIP(r), Detail: detail}
			if err := s.store.Audit(context.WithoutCancel(r.Context()), rec); err != nil {
				s.logger.Error("audit a configuration change", "action", action, "object", rec.Object, "error", err)
			}
		}
	})
}
