package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"motcua"
)

// FuzzCredentials sends arbitrary Authorization headers, session cookies
// and citizen flow cookies: whatever they hold, the answer is a problem
// of the client's (never a 500), and nothing reaches the store or the
// authentication service but a well-formed token's look-up.
func FuzzCredentials(f *testing.F) {
	for _, seed := range [][3]string{
		{"Bearer mcs_abc", "", ""},
		{"Bearer mck_abc", "", ""},
		{"Basic dXNlcjpwYXNz", "", ""},
		{"Bearer", "", ""},
		{"", "mss_abc", ""},
		{"", "", "eyJzdGF0ZSI6InMiLCJub25jZSI6Im4iLCJ2ZXJpZmllciI6InYifQ"},
		{"", "", "%%%"},
		{"", "", "bnVsbA"},
		{"bearer  \x00\xff", "\xff", "e30"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, authorization, session, flow string) {
		store := &fakeStore{
			StaffByTokenFn: func(context.Context, string) (*motcua.Staff, error) {
				return nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "unauthorized", Message: "no"}
			},
			ClientByKeyFn: func(context.Context, string) (*motcua.APIClient, error) {
				return nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "unauthorized", Message: "no"}
			},
		}
		auth := &fakeAuth{
			AuthenticateFn: func(context.Context, string) (*motcua.Session, motcua.Actor, error) {
				return nil, motcua.Actor{}, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "session_invalid", Message: "no"}
			},
			FinishCitizenFn: func(context.Context, motcua.CitizenFlow, url.Values, string, string) (*motcua.SignedIn, error) {
				return nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "oidc_state_mismatch", Message: "no"}
			},
		}
		s := newAuthServer(t, store, auth)
		for _, path := range []string{"/api/v1/alerts", "/auth/citizen/callback?code=c&state=s"} {
			req := httptest.NewRequest("GET", path, nil)
			if authorization != "" && !strings.ContainsAny(authorization, "\r\n") {
				req.Header.Set("Authorization", authorization)
			}
			if session != "" {
				req.Header.Add("Cookie", (&http.Cookie{Name: s.cookie, Value: sanitizeCookie(session)}).String())
			}
			if flow != "" {
				req.Header.Add("Cookie", (&http.Cookie{Name: flowCookie, Value: sanitizeCookie(flow)}).String())
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code >= 500 || rec.Code == http.StatusOK {
				t.Fatalf("GET %s with Authorization %q, session %q, flow %q: status %d\n%s",
					path, authorization, session, flow, rec.Code, rec.Body)
			}
		}
	})
}

// sanitizeCookie keeps the bytes a cookie value may carry, as a browser
// would send them.
func sanitizeCookie(v string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f || r == '"' || r == ';' || r == '\\' || r == ',' {
			return -1
		}
		return r
	}, v)
}
