package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"motcua"
)

// access says who may use a route.
type access int

const (
	public   access = iota // anyone
	signedIn               // anyone signed in, even with a limited session: the routes of one's own sign-in
	person                 // staff, administrators and citizens; handlers check what each may see
	staff                  // staff and administrators
	admin                  // administrators: the bootstrap token, city administrators
	auditing               // auditors and administrators
)

// staffTokenPrefix starts every staff API token.
const staffTokenPrefix = "mcs_"

// csrfHeader carries, on every state-changing request made with a
// session cookie, the session's CSRF token.
const csrfHeader = "X-CSRF-Token"

// caller is who made a request: the actor, and the session when the
// request came with a session cookie rather than a bearer token.
type caller struct {
	actor   motcua.Actor
	session *motcua.Session
	token   string // the session's token, from the cookie
}

type callerKey struct{}

// callerOf returns the caller that adapt stored in the request's context.
func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	return c
}

func unauthorized() error {
	return &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "unauthorized",
		Message: "Sign in, or send a valid token in the Authorization: Bearer header."}
}

// authenticate returns the caller of r: from the bearer token when the
// request has an Authorization header (the administrator token, compared
// in constant time, or a staff token), else from the session cookie.
// Returns EUNAUTHORIZED.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return caller{}, unauthorized()
		}
		if strings.HasPrefix(token, staffTokenPrefix) {
			st, err := s.store.StaffByToken(r.Context(), token)
			if err != nil {
				return caller{}, err
			}
			return caller{actor: st.Actor()}, nil
		}
		got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(s.token))
		if s.token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			return caller{}, unauthorized()
		}
		s.audits.add(&motcua.AuditRecord{At: s.clock.Now(), Actor: motcua.BootstrapAdmin, Action: motcua.AuditAdminToken,
			Object: r.Method + " " + r.URL.Path, Outcome: motcua.OutcomeOK, IP: clientIP(r)})
		return caller{actor: motcua.BootstrapAdmin}, nil
	}
	ck, err := r.Cookie(s.cookie)
	if err != nil || s.auth == nil {
		return caller{}, unauthorized()
	}
	sess, a, err := s.auth.Authenticate(r.Context(), ck.Value)
	if err != nil {
		return caller{}, err
	}
	return caller{actor: a, session: sess, token: ck.Value}, nil
}

// permit checks that c may use a route of access level acc with the
// request r: the level, the session's limits and, for a state-changing
// request made with a session cookie, its CSRF token and that it does not
// come from another site.
func permit(c caller, acc access, r *http.Request) error {
	a := c.actor
	if c.session != nil {
		if c.session.Limited != "" && acc != signedIn {
			return &motcua.Error{Code: motcua.EFORBIDDEN, Reason: c.session.Limited + "_required",
				Message: "Change your password or set up your second factor first."}
		}
		if unsafeMethod(r.Method) {
			if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" {
				return csrfFailed()
			}
			got := r.Header.Get(csrfHeader)
			if got == "" {
				got = r.PostFormValue("csrf_token")
			}
			if c.session.CSRF == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.session.CSRF)) != 1 {
				return csrfFailed()
			}
		}
	}
	switch acc {
	case staff:
		if a.Kind != motcua.ActorAdmin && a.Kind != motcua.ActorOfficer {
			return forbidden("Only staff may do this.")
		}
	case admin:
		if !a.Administers() {
			return forbidden("Only an administrator may do this.")
		}
	case auditing:
		if !a.Administers() && !a.HasRole(motcua.RoleAuditor) {
			return forbidden("Only an auditor may do this.")
		}
	}
	return nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func csrfFailed() error {
	return &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "csrf_failed",
		Message: "The request did not carry this session's CSRF token; reload the page and try again."}
}

// clientIP returns the address the request came from.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forbidden is the error of a request the actor may not make.
func forbidden(message string) error {
	return &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "forbidden", Message: message}
}

// canSeeDossier reports whether the actor may read the dossier: an
// administrator; a staff member holding any role at the receiving
// agency or at an agency that holds or held one of its tasks; the
// citizen whose verified identification number is the applicant's.
func canSeeDossier(a motcua.Actor, dir motcua.Directory, d *motcua.Dossier) bool {
	if a.Kind == motcua.ActorCitizen {
		return a.Person != "" && d.Applicant.IDNumber == a.Person
	}
	if a.Covers(dir, d.AgencyCode, d.UnitCode) {
		return true
	}
	for _, t := range d.Tasks {
		if a.Covers(dir, t.Agency, t.Unit) {
			return true
		}
	}
	return false
}

// canReceive reports whether the actor may create a dossier received by
// agency: the administrator token, or a one-door officer of that agency.
func canReceive(a motcua.Actor, dir motcua.Directory, agency string) bool {
	if a.Kind == motcua.ActorAdmin {
		return true
	}
	ag, ok := dir.Agency(agency)
	return ok && a.Can(dir, motcua.RoleOneDoor, ag.Code, ag.UnitCode)
}
