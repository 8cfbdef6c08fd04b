package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"motcua"
)

// sessionView is what the sign-in routes answer: who is signed in, until
// when, the CSRF token their state-changing requests must send in the
// X-CSRF-Token header, and what they must do first, if anything.
type sessionView struct {
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Name      string    `json:"name,omitempty"`
	CSRFToken string    `json:"csrf_token"`
	MFA       bool      `json:"mfa"`
	Limited   string    `json:"limited,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func viewOf(s *motcua.Session, a motcua.Actor) sessionView {
	return sessionView{Kind: s.Kind, Subject: s.Subject, Name: a.Name, CSRFToken: s.CSRF, MFA: s.MFA,
		Limited: s.Limited, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt}
}

// noAuth is the error of the sign-in routes on a server without the
// authentication service.
func noAuth() error {
	return &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "sign_in_unavailable",
		Message: "Sign-in is not available on this server."}
}

// setSession sets the session cookie of a new session and answers with
// it.
func (s *Server) setSession(w http.ResponseWriter, in *motcua.SignedIn) error {
	s.sessionCookie(w, in)
	return writeJSON(w, http.StatusOK, viewOf(in.Session, in.Actor))
}

// sessionCookie sets the session cookie of a new session.
func (s *Server) sessionCookie(w http.ResponseWriter, in *motcua.SignedIn) {
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: in.Token, Path: "/", Expires: in.Session.ExpiresAt,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// clearSession removes the session cookie.
func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// needSession returns the caller's session, or an error for a caller
// that authenticated with a bearer token.
func needSession(r *http.Request) (caller, error) {
	c := callerOf(r)
	if c.session == nil {
		return c, &motcua.Error{Code: motcua.EINVALID, Reason: "no_session",
			Message: "This request needs a session: sign in first; bearer tokens have none."}
	}
	return c, nil
}

// signIn signs a staff member in with a login, a password and, once
// enrolled, the code of their authenticator app.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	if s.auth == nil {
		return noAuth()
	}
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
		TOTP     string `json:"totp"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.auth.SignIn(r.Context(), motcua.SignInRequest{Login: in.Login, Password: in.Password, TOTP: in.TOTP,
		IP: clientIP(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	return s.setSession(w, out)
}

// getSession answers with the caller's session.
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) error {
	c, err := needSession(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewOf(c.session, c.actor))
}

// signOut ends the caller's session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	c, err := needSession(r)
	if err != nil {
		return err
	}
	if err := s.auth.SignOut(r.Context(), c.token); err != nil {
		return err
	}
	s.clearSession(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// signOutEverywhere ends every session of the caller.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	c, err := needSession(r)
	if err != nil {
		return err
	}
	n, err := s.auth.SignOutEverywhere(r.Context(), c.session)
	if err != nil {
		return err
	}
	s.clearSession(w)
	return writeJSON(w, http.StatusOK, map[string]int{"ended": n})
}

// changePassword replaces the caller's password; their other sessions
// end and this one is replaced.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	c, err := needSession(r)
	if err != nil {
		return err
	}
	var in struct {
		Current  string `json:"current_password"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.auth.ChangePassword(r.Context(), c.token, in.Current, in.Password)
	if err != nil {
		return err
	}
	return s.setSession(w, out)
}

// beginTOTP offers the caller a new second factor.
func (s *Server) beginTOTP(w http.ResponseWriter, r *http.Request) error {
	c, err := needSession(r)
	if err != nil {
		return err
	}
	e, err := s.auth.BeginTOTP(r.Context(), c.session)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

// confirmTOTP enrols the second factor whose code the caller sends.
func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	c, err := needSession(r)
	if err != nil {
		return err
	}
	var in struct {
		Secret string `json:"secret"`
		Code   string `json:"code"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.auth.ConfirmTOTP(r.Context(), c.token, in.Secret, in.Code)
	if err != nil {
		return err
	}
	return s.setSession(w, out)
}

// resetPassword gives a staff member a temporary password, shown once.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	if s.auth == nil {
		return noAuth()
	}
	if err := s.mayManageStaff(r, r.PathValue("id"), nil); err != nil {
		return err
	}
	p, err := s.auth.ResetPassword(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"temporary_password": p})
}

// flowCookie keeps a citizen's sign-in in progress in their browser
// between the redirect to the identity provider and its answer.
const (
	flowCookie = "motcua_citizen_flow"
	flowPath   = "/auth/citizen/"
	flowMaxAge = 10 * 60
)

// citizenSignIn sends the browser to the identity provider.
func (s *Server) citizenSignIn(w http.ResponseWriter, r *http.Request) error {
	if s.auth == nil {
		return noAuth()
	}
	f, err := s.auth.BeginCitizen(r.Context())
	if err != nil {
		return err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: flowPath,
		MaxAge: flowMaxAge, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, f.URL, http.StatusSeeOther)
	return nil
}

// citizenCallback completes a citizen's sign-in with the identity
// provider's answer, opens the session and sends the browser home.
func (s *Server) citizenCallback(w http.ResponseWriter, r *http.Request) error {
	if s.auth == nil {
		return noAuth()
	}
	w.Header().Set("Cache-Control", "no-store")
	bad := &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "citizen_flow_missing",
		Message: "The sign-in took too long or was started in another browser; start again."}
	ck, err := r.Cookie(flowCookie)
	if err != nil || len(ck.Value) > 2048 {
		return bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	var f motcua.CitizenFlow
	if err != nil || json.Unmarshal(raw, &f) != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return bad
	}
	// The flow is used once, whatever the outcome.
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: "", Path: flowPath, MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	out, err := s.auth.FinishCitizen(r.Context(), f, r.URL.Query(), clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	s.sessionCookie(w, out)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
