package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"motcua"
)

// access says who may use a route.
type access int

const (
	public access = iota // anyone
	staff                // a staff member's token or the administrator token
	admin                // the administrator token only
)

// staffTokenPrefix starts every staff API token.
const staffTokenPrefix = "mcs_"

// actor returns the actor behind the request's bearer token: the
// bootstrap administrator for the administrator token (compared in
// constant time), the staff member for a staff token. Returns
// EUNAUTHORIZED.
func (s *Server) actor(r *http.Request) (motcua.Actor, error) {
	unauthorized := &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "unauthorized",
		Message: "A valid token is required in the Authorization: Bearer header."}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return motcua.Actor{}, unauthorized
	}
	if strings.HasPrefix(token, staffTokenPrefix) {
		st, err := s.store.StaffByToken(r.Context(), token)
		if err != nil {
			return motcua.Actor{}, err
		}
		return st.Actor(), nil
	}
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(s.token))
	if s.token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return motcua.Actor{}, unauthorized
	}
	return motcua.BootstrapAdmin, nil
}

// forbidden is the error of a request the actor may not make.
func forbidden(message string) error {
	return &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "forbidden", Message: message}
}

// canSeeDossier reports whether the actor may read the dossier: an
// administrator, or a staff member holding any role at the receiving
// agency or at an agency that holds or held one of its tasks.
func canSeeDossier(a motcua.Actor, dir motcua.Directory, d *motcua.Dossier) bool {
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
// agency: an administrator, or a one-door officer of that agency.
func canReceive(a motcua.Actor, dir motcua.Directory, agency string) bool {
	if a.Kind == motcua.ActorAdmin {
		return true
	}
	ag, ok := dir.Agency(agency)
	return ok && a.Can(dir, motcua.RoleOneDoor, ag.Code, ag.UnitCode)
}
