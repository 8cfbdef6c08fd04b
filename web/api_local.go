package web

import (
	"net/http"

	"motcua"
	"motcua/web/locale"
)

// Local citizen accounts: registration with an e-mail address and a
// password, the e-mailed link that verifies the address, and sign-in.

// registerCitizen registers a local citizen account. It answers 202 with
// the same message whether the address was new, unverified or verified
// already: the e-mail sent tells the owner which.
func (s *Server) registerCitizen(w http.ResponseWriter, r *http.Request) error {
	if s.auth == nil {
		return noAuth()
	}
	var in struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.auth.RegisterCitizen(r.Context(), in.Email, in.Name, in.Password, clientIP(r)); err != nil {
		return err
	}
	lang := locale.Negotiate(r.Header.Get("Accept-Language"))
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusAccepted, map[string]string{"message": lang.T("auth.citizen_registered")})
}

// verifyCitizen follows the e-mailed link: it verifies the address, opens
// the citizen's session and sends the browser home.
func (s *Server) verifyCitizen(w http.ResponseWriter, r *http.Request) error {
	if s.auth == nil {
		return noAuth()
	}
	w.Header().Set("Cache-Control", "no-store")
	// The token must not leak to other sites through the Referer of what
	// the answer links to.
	w.Header().Set("Referrer-Policy", "no-referrer")
	out, err := s.auth.VerifyCitizen(r.Context(), r.URL.Query().Get("token"), clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	s.sessionCookie(w, out)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// signInCitizen signs a local citizen in with their e-mail address and
// password.
func (s *Server) signInCitizen(w http.ResponseWriter, r *http.Request) error {
	if s.auth == nil {
		return noAuth()
	}
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.auth.SignInLocalCitizen(r.Context(), motcua.SignInRequest{Login: in.Login, Password: in.Password,
		IP: clientIP(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	return s.setSession(w, out)
}
