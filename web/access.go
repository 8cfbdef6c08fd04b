package web

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

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
// request came with a session cookie rather than a bearer token, or the
// API client when it came with a client key.
type caller struct {
	actor   motcua.Actor
	session *motcua.Session
	token   string // the session's token, from the cookie
	client  *motcua.APIClient
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
// in constant time, a staff token or an API client's key), else from the
// session cookie. Returns EUNAUTHORIZED, or ETOOMANY for an API client
// over its rate limit.
//
// A credential presented and refused is counted in the audit log: one
// record a minute for each kind of credential and address.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	c, kind, err := s.credentials(r)
	if kind != "" && motcua.ErrorCode(err) == motcua.EUNAUTHORIZED {
		s.audits.rejected(kind, clientIP(r), s.clock.Now())
	}
	return c, err
}

// credentials returns the caller of r as authenticate does, with the kind
// of credential it presented ("" for none).
func (s *Server) credentials(r *http.Request) (caller, string, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return caller{}, "authorization", unauthorized()
		}
		if strings.HasPrefix(token, motcua.ClientKeyPrefix) {
			c, err := s.authenticateClient(r, token)
			return c, "client_key", err
		}
		if strings.HasPrefix(token, staffTokenPrefix) {
			st, err := s.store.StaffByToken(r.Context(), token)
			if err != nil {
				return caller{}, "staff_token", err
			}
			return caller{actor: st.Actor()}, "staff_token", nil
		}
		got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(s.token))
		if s.token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			return caller{}, "bearer_token", unauthorized()
		}
		s.audits.used(cmp.Or(r.Pattern, r.Method+" "+r.URL.Path), clientIP(r), s.clock.Now())
		return caller{actor: motcua.BootstrapAdmin}, "admin_token", nil
	}
	ck, err := r.Cookie(s.cookie)
	if err != nil {
		return caller{}, "", unauthorized()
	}
	if s.auth == nil {
		return caller{}, "session", unauthorized()
	}
	sess, a, err := s.auth.Authenticate(r.Context(), ck.Value)
	if err != nil {
		return caller{}, "session", err
	}
	return caller{actor: a, session: sess, token: ck.Value}, "session", nil
}

// authenticateClient returns the caller holding the API client key: the
// client checked in the last clientCacheTTL by this server, else the
// store's. A refused key is logged. Every request of a client spends one
// of its rate limit's; its uses are not audited one by one.
func (s *Server) authenticateClient(r *http.Request, key string) (caller, error) {
	cl, err := s.clients.lookup(r.Context(), s.store, key, s.clock.Now())
	if err != nil {
		var e *motcua.Error
		if errors.As(err, &e) && e.Code == motcua.EUNAUTHORIZED {
			s.logger.LogAttrs(r.Context(), slog.LevelWarn, "API client key refused",
				slog.String("reason", e.Reason), slog.String("ip", clientIP(r)),
				slog.String("request_id", requestID(r.Context())))
		}
		return caller{}, err
	}
	if err := s.limiter.limit(cl, s.clock.Now()); err != nil {
		return caller{}, err
	}
	return caller{actor: cl.Actor(), client: cl}, nil
}

// permit checks that c may use a route of access level acc with the
// request r: the level, the session's limits and, for a state-changing
// request made with a session cookie, its CSRF token and that it does not
// come from another site. An API client is checked by permitClient.
func permit(c caller, acc access, r *http.Request) error {
	a := c.actor
	if a.Kind == motcua.ActorClient {
		return permitClient(c, acc, r)
	}
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

// permitClient checks that the API client c may use a route of access
// level acc with the request r: only person and staff routes, each with
// the scope that clientScopes names for the route that matched r (its
// Pattern). Roles are checked afterwards, as for staff.
func permitClient(c caller, acc access, r *http.Request) error {
	scope, ok := clientScopes[r.Pattern]
	if !ok || (acc != person && acc != staff) {
		return forbidden("An API client may not do this.")
	}
	if c.client == nil || !c.client.HasScope(scope) {
		return &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "scope_required",
			Message: fmt.Sprintf("This API client's key lacks the scope %s.", scope), Params: map[string]string{"scope": scope}}
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

// clientCacheTTL is how long a server trusts an API client key it
// checked without asking the store again: a key rotated or revoked
// through this server stops working at once, through another process
// sharing the database up to clientCacheTTL later.
const clientCacheTTL = 5 * time.Second

// maxCachedClients bounds the client cache; it is emptied when full.
const maxCachedClients = 10_000

// clientCache holds the API clients whose keys were checked recently, by
// the SHA-256 of the key.
type clientCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedClient
}

type cachedClient struct {
	client *motcua.APIClient
	at     time.Time
}

func newClientCache(ttl time.Duration) *clientCache {
	return &clientCache{ttl: ttl, entries: map[[sha256.Size]byte]cachedClient{}}
}

// lookup returns the client holding key at now: from the cache when it
// was checked less than ttl ago, else from store.
func (cc *clientCache) lookup(ctx context.Context, store motcua.ClientService, key string, now time.Time) (*motcua.APIClient, error) {
	h := sha256.Sum256([]byte(key))
	cc.mu.Lock()
	e, ok := cc.entries[h]
	cc.mu.Unlock()
	if age := now.Sub(e.at); ok && age >= 0 && age < cc.ttl {
		return e.client, nil
	}
	c, err := store.ClientByKey(ctx, key)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if err != nil {
		delete(cc.entries, h)
		return nil, err
	}
	if len(cc.entries) >= maxCachedClients {
		clear(cc.entries)
	}
	cc.entries[h] = cachedClient{client: c, at: now}
	return c, nil
}

// forget drops the cached keys of the client id, after a change to it.
func (cc *clientCache) forget(id string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for h, e := range cc.entries {
		if e.client.ID == id {
			delete(cc.entries, h)
		}
	}
}

// mayManageStaff checks that the caller may create or change the staff
// member id so that they hold grants (nil when only their password is
// reset): a city administrator may; a unit administrator may when the
// member's current grants and the new ones all lie in the units they
// administer, and none is city administrator. A member outside them
// answers 404, as if absent.
func (s *Server) mayManageStaff(r *http.Request, id string, grants []motcua.Grant) error {
	a := callerOf(r).actor
	if a.Administers() {
		return nil
	}
	var roots []string
	for _, g := range a.Grants {
		if g.Role == motcua.RoleUnitAdmin {
			roots = append(roots, g.Unit)
		}
	}
	if len(roots) == 0 {
		return forbidden("Only an administrator may do this.")
	}
	dir, err := s.store.Directory(r.Context())
	if err != nil {
		return err
	}
	within := func(gs []motcua.Grant) bool {
		for _, g := range gs {
			if g.Role == motcua.RoleCityAdmin || !slices.ContainsFunc(roots, func(root string) bool {
				return motcua.InSubtree(dir, root, g.Unit)
			}) {
				return false
			}
		}
		return true
	}
	existing, err := s.store.FindStaff(r.Context(), id)
	switch {
	case err == nil && !within(existing.Grants):
		return motcua.NotFound("staff", id)
	case err != nil && motcua.ErrorCode(err) != motcua.ENOTFOUND:
		return err
	case err != nil && grants == nil:
		return err
	}
	if !within(grants) {
		return forbidden("A unit administrator grants roles in the units they administer only, and never city administrator.")
	}
	return nil
}
