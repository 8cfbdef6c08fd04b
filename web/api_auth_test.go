package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"motcua"
)

// newAuthServer returns a server over store with the test token and
// clock and, unless auth is nil, the authentication service auth; each
// option then changes the configuration. Its auditor is closed when the
// test ends.
func newAuthServer(t *testing.T, store *fakeStore, auth *fakeAuth, options ...func(c *Config)) *Server {
	t.Helper()
	store.t = t
	cfg := Config{
		Store:      store,
		AdminToken: testToken,
		Clock:      motcua.ClockFunc(func() time.Time { return testNow }),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Version:    "1.2.3-test",
	}
	if auth != nil {
		auth.t = t
		cfg.Auth = auth
	}
	for _, o := range options {
		if o != nil {
			o(&cfg)
		}
	}
	s := NewServer(cfg)
	t.Cleanup(s.audits.close)
	return s
}

// secureCookies is the option of a server reached over HTTPS.
func secureCookies(c *Config) { c.SecureCookies = true }

// authScenario is a scenario on a server with an authentication service.
type authScenario struct {
	scenario
	// service sets up the authentication service; nil means a server
	// without one.
	service func(a *fakeAuth)
	config  func(c *Config)
	// after checks more of the answer, and the store.
	after func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore)
}

// runAuth runs each scenario as a subtest.
func runAuth(t *testing.T, scenarios []authScenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := &fakeStore{}
			if sc.store != nil {
				sc.store(f)
			}
			var a *fakeAuth
			if sc.service != nil {
				a = &fakeAuth{}
				sc.service(a)
			}
			s := newAuthServer(t, f, a, sc.config)
			rec := sc.do(s)
			sc.check(t, rec)
			if sc.after != nil {
				sc.after(t, rec, f)
			}
		})
	}
}

// as returns the headers of a request made with the session's cookie
// named name and, when csrf, its CSRF token.
func as(ts testSession, name string, csrf bool) map[string]string {
	h := map[string]string{"Cookie": name + "=" + ts.token}
	if csrf {
		h[csrfHeader] = ts.session.CSRF
	}
	return h
}

// withCSRF and cookieOnly are as's two usual forms, with the cookie's
// name of a server without SecureCookies.
func withCSRF(ts testSession) map[string]string   { return as(ts, "motcua_session", true) }
func cookieOnly(ts testSession) map[string]string { return as(ts, "motcua_session", false) }

// cookieNamed returns the cookie the response sets under name.
func cookieNamed(t *testing.T, rec *httptest.ResponseRecorder, name string) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			found = c
		} else if c.Name == "motcua_session" || c.Name == "__Host-motcua_session" {
			t.Errorf("response sets the cookie %s; want only %s", c.Name, name)
		}
	}
	if found == nil {
		t.Fatalf("response sets no cookie %s; Set-Cookie: %q", name, rec.Header().Values("Set-Cookie"))
	}
	return found
}

// sessionSet checks that the response sets the session cookie name to
// token, with the attributes every session cookie has.
func sessionSet(name, token string, secure bool) func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
	return func(t *testing.T, rec *httptest.ResponseRecorder, _ *fakeStore) {
		t.Helper()
		c := cookieNamed(t, rec, name)
		if c.Value != token || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure ||
			c.Domain != "" || c.MaxAge < 0 {
			t.Errorf("cookie = %s; want %s=%s; Path=/; HttpOnly; SameSite=Lax; Secure %v", c, name, token, secure)
		}
		if want := testNow.Add(8 * time.Hour); !c.Expires.Equal(want) {
			t.Errorf("cookie expires %v; want the session's end %v", c.Expires, want)
		}
	}
}

// sessionCleared checks that the response removes the session cookie
// name.
func sessionCleared(name string, secure bool) func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
	return func(t *testing.T, rec *httptest.ResponseRecorder, _ *fakeStore) {
		t.Helper()
		c := cookieNamed(t, rec, name)
		if c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly || c.Secure != secure {
			t.Errorf("cookie = %s; want %s removed (empty, Max-Age=0, Path=/, HttpOnly, Secure %v)", c, name, secure)
		}
	}
}

// noCookie checks that the response sets no cookie.
func noCookie(t *testing.T, rec *httptest.ResponseRecorder, _ *fakeStore) {
	t.Helper()
	if sc := rec.Header().Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("Set-Cookie: %q; want none", sc)
	}
}

func TestSignIn(t *testing.T) {
	officer := officerA()
	answer := func(out *motcua.SignedIn, err error) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.SignInFn = func(_ context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error) {
				want := motcua.SignInRequest{Login: "an.nv", Password: "mật khẩu dài", TOTP: "123456",
					IP: "192.0.2.1", UserAgent: "test-agent/1"}
				if req != want {
					t.Errorf("sign-in request = %+v; want %+v", req, want)
				}
				return out, err
			}
		}
	}
	fail := func(code, reason string, params map[string]string) func(a *fakeAuth) {
		return answer(nil, &motcua.Error{Code: code, Reason: reason, Message: "No.", Params: params})
	}
	const body = `{"login":"an.nv","password":"mật khẩu dài","totp":"123456"}`
	ua := map[string]string{"User-Agent": "test-agent/1"}
	view := []string{`"kind":"staff"`, `"subject":"an.nv"`, `"name":"Nguyễn Văn An"`, `"csrf_token":"csrf-tok-officer-a"`,
		`"mfa":true`, `"expires_at":"2025-01-03T10:00:00Z"`}
	runAuth(t, []authScenario{
		{scenario: scenario{name: "OK", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 200, contentType: "application/json", contains: view, excludes: []string{`"token":`, `"limited"`},
			headers: map[string]string{"Cache-Control": ""}},
			service: answer(officer.signedIn(), nil), after: sessionSet("motcua_session", "tok-officer-a", false)},
		{scenario: scenario{name: "SecureCookies", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 200, contentType: "application/json", contains: view},
			service: answer(officer.signedIn(), nil), config: secureCookies,
			after: sessionSet("__Host-motcua_session", "tok-officer-a", true)},
		{scenario: scenario{name: "MustChangePassword", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 200, contentType: "application/json", contains: []string{`"limited":"password_change"`}},
			service: answer(limited(officer, motcua.LimitPasswordChange).signedIn(), nil),
			after:   sessionSet("motcua_session", "tok-officer-a", false)},
		{scenario: scenario{name: "WrongPassword", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 401, contentType: problemJSON, contains: []string{`"code":"sign_in_failed"`}},
			service: fail(motcua.EUNAUTHORIZED, "sign_in_failed", nil), after: noCookie},
		{scenario: scenario{name: "TOTPRequired", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 401, contentType: problemJSON, contains: []string{`"code":"totp_required"`}},
			service: fail(motcua.EUNAUTHORIZED, "totp_required", nil), after: noCookie},
		{scenario: scenario{name: "Throttled", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 429, contentType: problemJSON, contains: []string{`"code":"too_many_attempts"`},
			headers: map[string]string{"Retry-After": "120"}},
			service: fail(motcua.ETOOMANY, "too_many_attempts", map[string]string{"retry_after": "120"}), after: noCookie},
		{scenario: scenario{name: "ThrottledWithoutWait", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 429, contentType: problemJSON, headers: map[string]string{"Retry-After": ""}},
			service: fail(motcua.ETOOMANY, "too_many_attempts", nil)},
		{scenario: scenario{name: "ServiceUnavailable", method: "POST", path: "/api/v1/auth/sign-in", body: body, header: ua,
			status: 503, contentType: problemJSON, headers: map[string]string{"Retry-After": retryAfterSeconds}},
			service: fail(motcua.EUNAVAILABLE, "database_unavailable", nil), after: noCookie},
		{scenario: scenario{name: "NoAuthService", method: "POST", path: "/api/v1/auth/sign-in", body: body,
			status: 503, contentType: problemJSON, contains: []string{`"code":"sign_in_unavailable"`}}, after: noCookie},
		{scenario: scenario{name: "MalformedBody", method: "POST", path: "/api/v1/auth/sign-in", body: "login=an.nv",
			status: 400, contentType: problemJSON}, service: func(*fakeAuth) {}},
		{scenario: scenario{name: "NotJSON", method: "POST", path: "/api/v1/auth/sign-in", body: body,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415, contentType: problemJSON},
			service: func(*fakeAuth) {}},
		{scenario: scenario{name: "UnknownField", method: "POST", path: "/api/v1/auth/sign-in", body: `{"login":"an.nv","remember":true}`,
			status: 400, contentType: problemJSON, contains: []string{`"field":"remember"`}}, service: func(*fakeAuth) {}},
	})
}

func TestSessionRoutes(t *testing.T) {
	officer, citizen := officerA(), citizenA()
	pwLimited := limited(officer, motcua.LimitPasswordChange)
	renewed := staffSession("tok-renewed", officer.actor)
	sessions := func(more func(a *fakeAuth)) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.withSessions(officer, citizen, pwLimited)
			if more != nil {
				more(a)
			}
		}
	}
	signOut := func(a *fakeAuth) {
		a.SignOutFn = func(_ context.Context, token string) error {
			if token != "tok-officer-a" && token != "tok-citizen-a" {
				t.Errorf("SignOut(%q); want the caller's token", token)
			}
			return nil
		}
	}
	changePassword := func(out *motcua.SignedIn, err error) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.ChangePasswordFn = func(_ context.Context, token, current, next string) (*motcua.SignedIn, error) {
				if token != "tok-officer-a" || current != "cũ" || next != "mới và dài hơn" {
					t.Errorf("ChangePassword(%q, %q, %q)", token, current, next)
				}
				return out, err
			}
		}
	}
	confirmTOTP := func(out *motcua.SignedIn, err error) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.ConfirmTOTPFn = func(_ context.Context, token, secret, code string) (*motcua.SignedIn, error) {
				if token != "tok-officer-a" || secret != "JBSWY3DPEHPK3PXP" || code != "123456" {
					t.Errorf("ConfirmTOTP(%q, %q, %q)", token, secret, code)
				}
				return out, err
			}
		}
	}
	const pwBody = `{"current_password":"cũ","password":"mới và dài hơn"}`
	const totpBody = `{"secret":"JBSWY3DPEHPK3PXP","code":"123456"}`
	noSession := []string{`"code":"no_session"`}
	runAuth(t, []authScenario{
		// GET /api/v1/auth/session
		{scenario: scenario{name: "Session", path: "/api/v1/auth/session", header: cookieOnly(officer),
			status: 200, contentType: "application/json", contains: []string{`"csrf_token":"csrf-tok-officer-a"`, `"subject":"an.nv"`},
			headers: map[string]string{"Cache-Control": "no-store"}}, service: sessions(nil), after: noCookie},
		{scenario: scenario{name: "CitizenSession", path: "/api/v1/auth/session", header: cookieOnly(citizen),
			status: 200, contentType: "application/json", contains: []string{`"kind":"citizen"`, `"csrf_token":"csrf-tok-citizen-a"`}},
			service: sessions(nil)},
		{scenario: scenario{name: "LimitedSession", path: "/api/v1/auth/session", header: cookieOnly(pwLimited),
			status: 200, contentType: "application/json", contains: []string{`"limited":"password_change"`}}, service: sessions(nil)},
		{scenario: scenario{name: "SessionOfBearer", path: "/api/v1/auth/session", auth: true,
			status: 400, contentType: problemJSON, contains: noSession}, service: sessions(nil)},
		{scenario: scenario{name: "SessionAnonymous", path: "/api/v1/auth/session", status: 401, contentType: problemJSON},
			service: sessions(nil)},
		{scenario: scenario{name: "SessionEnded", path: "/api/v1/auth/session", header: map[string]string{"Cookie": "motcua_session=gone"},
			status: 401, contentType: problemJSON, contains: []string{`"code":"session_expired"`}}, service: sessions(nil)},
		{scenario: scenario{name: "CookieWithoutAuthService", path: "/api/v1/auth/session", header: cookieOnly(officer),
			status: 401, contentType: problemJSON}},
		{scenario: scenario{name: "PlainCookieNameOnSecureServer", path: "/api/v1/auth/session", header: cookieOnly(officer),
			status: 401, contentType: problemJSON}, service: sessions(nil), config: secureCookies},
		{scenario: scenario{name: "HostCookieOnSecureServer", path: "/api/v1/auth/session", header: as(officer, "__Host-motcua_session", false),
			status: 200, contentType: "application/json"}, service: sessions(nil), config: secureCookies},

		// POST /api/v1/auth/sign-out
		{scenario: scenario{name: "SignOut", method: "POST", path: "/api/v1/auth/sign-out", header: withCSRF(officer), status: 204},
			service: sessions(signOut), after: sessionCleared("motcua_session", false)},
		{scenario: scenario{name: "SignOutCitizen", method: "POST", path: "/api/v1/auth/sign-out", header: withCSRF(citizen), status: 204},
			service: sessions(signOut), after: sessionCleared("motcua_session", false)},
		{scenario: scenario{name: "SignOutSecure", method: "POST", path: "/api/v1/auth/sign-out",
			header: as(officer, "__Host-motcua_session", true), status: 204},
			service: sessions(signOut), config: secureCookies, after: sessionCleared("__Host-motcua_session", true)},
		{scenario: scenario{name: "SignOutBearer", method: "POST", path: "/api/v1/auth/sign-out", auth: true,
			status: 400, contentType: problemJSON, contains: noSession}, service: sessions(nil), after: noCookie},
		{scenario: scenario{name: "SignOutWithoutCSRF", method: "POST", path: "/api/v1/auth/sign-out", header: cookieOnly(officer),
			status: 403, contentType: problemJSON, contains: []string{`"code":"csrf_failed"`}}, service: sessions(nil), after: noCookie},
		{scenario: scenario{name: "SignOutAnonymous", method: "POST", path: "/api/v1/auth/sign-out", status: 401, contentType: problemJSON},
			service: sessions(nil)},

		// POST /api/v1/auth/sign-out-everywhere
		{scenario: scenario{name: "SignOutEverywhere", method: "POST", path: "/api/v1/auth/sign-out-everywhere", header: withCSRF(officer),
			status: 200, contentType: "application/json", contains: []string{`{"ended":3}`}},
			service: sessions(func(a *fakeAuth) {
				a.SignOutEverywhereFn = func(_ context.Context, s *motcua.Session) (int, error) {
					if s.Kind != motcua.SessionStaff || s.Subject != "an.nv" {
						t.Errorf("SignOutEverywhere(%+v); want the caller's session", s)
					}
					return 3, nil
				}
			}), after: sessionCleared("motcua_session", false)},
		{scenario: scenario{name: "SignOutEverywhereBearer", method: "POST", path: "/api/v1/auth/sign-out-everywhere", auth: true,
			status: 400, contentType: problemJSON, contains: noSession}, service: sessions(nil), after: noCookie},
		{scenario: scenario{name: "SignOutEverywhereWithoutCSRF", method: "POST", path: "/api/v1/auth/sign-out-everywhere",
			header: cookieOnly(officer), status: 403, contentType: problemJSON, contains: []string{`"code":"csrf_failed"`}},
			service: sessions(nil)},

		// POST /api/v1/auth/password
		{scenario: scenario{name: "ChangePassword", method: "POST", path: "/api/v1/auth/password", body: pwBody, header: withCSRF(officer),
			status: 200, contentType: "application/json", contains: []string{`"csrf_token":"csrf-tok-renewed"`}},
			service: sessions(changePassword(renewed.signedIn(), nil)), after: sessionSet("motcua_session", "tok-renewed", false)},
		{scenario: scenario{name: "ChangePasswordWhenLimited", method: "POST", path: "/api/v1/auth/password", body: pwBody,
			header: withCSRF(pwLimited), status: 200, contentType: "application/json", excludes: []string{`"limited"`}},
			service: sessions(changePassword(renewed.signedIn(), nil)), after: sessionSet("motcua_session", "tok-renewed", false)},
		{scenario: scenario{name: "ChangePasswordWrongCurrent", method: "POST", path: "/api/v1/auth/password", body: pwBody,
			header: withCSRF(officer), status: 401, contentType: problemJSON, contains: []string{`"code":"sign_in_failed"`}},
			service: sessions(changePassword(nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "sign_in_failed", Message: "No."})),
			after:   noCookie},
		{scenario: scenario{name: "ChangePasswordBearer", method: "POST", path: "/api/v1/auth/password", body: pwBody, auth: true,
			status: 400, contentType: problemJSON, contains: noSession}, service: sessions(nil)},
		{scenario: scenario{name: "ChangePasswordWithoutCSRF", method: "POST", path: "/api/v1/auth/password", body: pwBody,
			header: cookieOnly(officer), status: 403, contentType: problemJSON, contains: []string{`"code":"csrf_failed"`}},
			service: sessions(nil)},

		// POST /api/v1/auth/totp and /api/v1/auth/totp/confirm
		{scenario: scenario{name: "BeginTOTP", method: "POST", path: "/api/v1/auth/totp", header: withCSRF(officer),
			status: 200, contentType: "application/json",
			contains: []string{`"secret":"JBSWY3DPEHPK3PXP"`, `"uri":"otpauth://totp/motcua:an.nv?secret=JBSWY3DPEHPK3PXP"`}},
			service: sessions(func(a *fakeAuth) {
				a.BeginTOTPFn = func(_ context.Context, s *motcua.Session) (*motcua.TOTPEnrolment, error) {
					if s.Subject != "an.nv" {
						t.Errorf("BeginTOTP(%+v); want the caller's session", s)
					}
					return &motcua.TOTPEnrolment{Secret: "JBSWY3DPEHPK3PXP", URI: "otpauth://totp/motcua:an.nv?secret=JBSWY3DPEHPK3PXP"}, nil
				}
			}), after: noCookie},
		{scenario: scenario{name: "BeginTOTPBearer", method: "POST", path: "/api/v1/auth/totp", auth: true,
			status: 400, contentType: problemJSON, contains: noSession}, service: sessions(nil)},
		{scenario: scenario{name: "ConfirmTOTP", method: "POST", path: "/api/v1/auth/totp/confirm", body: totpBody, header: withCSRF(officer),
			status: 200, contentType: "application/json", contains: []string{`"csrf_token":"csrf-tok-renewed"`}},
			service: sessions(confirmTOTP(renewed.signedIn(), nil)), after: sessionSet("motcua_session", "tok-renewed", false)},
		{scenario: scenario{name: "ConfirmTOTPWrongCode", method: "POST", path: "/api/v1/auth/totp/confirm", body: totpBody,
			header: withCSRF(officer), status: 401, contentType: problemJSON, contains: []string{`"code":"totp_invalid"`}},
			service: sessions(confirmTOTP(nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "totp_invalid", Message: "No."})),
			after:   noCookie},
		{scenario: scenario{name: "ConfirmTOTPBearer", method: "POST", path: "/api/v1/auth/totp/confirm", body: totpBody, auth: true,
			status: 400, contentType: problemJSON, contains: noSession}, service: sessions(nil)},
	})
}

func TestResetPassword(t *testing.T) {
	officer, citizen, admin := officerA(), citizenA(), cityAdmin()
	reset := func(wantActor string) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.withSessions(officer, citizen, admin)
			a.ResetPasswordFn = func(ctx context.Context, id string) (string, error) {
				if got, _ := motcua.ActorFromContext(ctx); got.ID != wantActor || !got.Administers() {
					t.Errorf("actor = %+v; want the administrator %s", got, wantActor)
				}
				if id != "lan.pt" {
					t.Errorf("ResetPassword(%q); want lan.pt", id)
				}
				return "tạm-thời-123", nil
			}
		}
	}
	const path = "/api/v1/admin/staff/lan.pt/password"
	runAuth(t, []authScenario{
		{scenario: scenario{name: "AdminToken", method: "POST", path: path, auth: true,
			status: 200, contentType: "application/json", contains: []string{`{"temporary_password":"tạm-thời-123"}`},
			headers: map[string]string{"Cache-Control": "no-store"}},
			service: reset(motcua.BootstrapAdmin.ID)},
		{scenario: scenario{name: "CityAdmin", method: "POST", path: path, header: withCSRF(admin),
			status: 200, contentType: "application/json", contains: []string{"tạm-thời-123"}},
			service: reset("quan.tri")},
		{scenario: scenario{name: "CityAdminWithoutCSRF", method: "POST", path: path, header: cookieOnly(admin),
			status: 403, contentType: problemJSON, contains: []string{`"code":"csrf_failed"`}}, service: reset("")},
		{scenario: scenario{name: "Officer", method: "POST", path: path, header: withCSRF(officer),
			status: 403, contentType: problemJSON, contains: []string{`"code":"forbidden"`}},
			service: func(a *fakeAuth) { a.withSessions(officer) }},
		{scenario: scenario{name: "Citizen", method: "POST", path: path, header: withCSRF(citizen),
			status: 403, contentType: problemJSON}, service: func(a *fakeAuth) { a.withSessions(citizen) }},
		{scenario: scenario{name: "Anonymous", method: "POST", path: path, status: 401, contentType: problemJSON},
			service: func(*fakeAuth) {}},
		{scenario: scenario{name: "NoAuthService", method: "POST", path: path, auth: true,
			status: 503, contentType: problemJSON, contains: []string{`"code":"sign_in_unavailable"`}}},
		{scenario: scenario{name: "UnknownStaff", method: "POST", path: path, auth: true, status: 404, contentType: problemJSON},
			service: func(a *fakeAuth) {
				a.ResetPasswordFn = func(context.Context, string) (string, error) { return "", motcua.NotFound("staff", "lan.pt") }
			}},
	})
}

func TestCitizenSignIn(t *testing.T) {
	flow := motcua.CitizenFlow{State: "st-1", Nonce: "no-1", Verifier: "ve-1", URL: "https://id.example.vn/authorize?state=st-1"}
	raw, err := json.Marshal(flow)
	if err != nil {
		t.Fatal(err)
	}
	flowCookieHeader := map[string]string{"Cookie": flowCookie + "=" + base64.RawURLEncoding.EncodeToString(raw)}
	citizen := citizenA()
	finish := func(a *fakeAuth) {
		a.FinishCitizenFn = func(_ context.Context, f motcua.CitizenFlow, q url.Values, ip, _ string) (*motcua.SignedIn, error) {
			if f.State != "st-1" || f.Nonce != "no-1" || f.Verifier != "ve-1" || q.Get("code") != "c-1" || ip != "192.0.2.1" {
				t.Errorf("FinishCitizen(%+v, %v, %q)", f, q, ip)
			}
			return citizen.signedIn(), nil
		}
	}
	runAuth(t, []authScenario{
		{scenario: scenario{name: "Begin", path: "/auth/citizen/sign-in", status: 303,
			headers: map[string]string{"Location": flow.URL, "Cache-Control": "no-store"}},
			service: func(a *fakeAuth) {
				a.BeginCitizenFn = func(context.Context) (*motcua.CitizenFlow, error) { return &flow, nil }
			},
			after: func(t *testing.T, rec *httptest.ResponseRecorder, _ *fakeStore) {
				c := cookieNamed(t, rec, flowCookie)
				if c.Path != flowPath || !c.HttpOnly || c.MaxAge != flowMaxAge || c.SameSite != http.SameSiteLaxMode {
					t.Errorf("flow cookie = %s", c)
				}
			}},
		{scenario: scenario{name: "BeginWithoutProvider", path: "/auth/citizen/sign-in", status: 503, contentType: problemJSON},
			service: func(a *fakeAuth) {
				a.BeginCitizenFn = func(context.Context) (*motcua.CitizenFlow, error) {
					return nil, &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "oidc_unavailable", Message: "No provider."}
				}
			}},
		{scenario: scenario{name: "BeginNoAuthService", path: "/auth/citizen/sign-in", status: 503, contentType: problemJSON,
			contains: []string{`"code":"sign_in_unavailable"`}}},
		{scenario: scenario{name: "Callback", path: "/auth/citizen/callback?code=c-1&state=st-1", header: flowCookieHeader,
			status: 303, headers: map[string]string{"Location": "/", "Cache-Control": "no-store"}},
			service: finish, after: func(t *testing.T, rec *httptest.ResponseRecorder, f *fakeStore) {
				sessionSet("motcua_session", "tok-citizen-a", false)(t, rec, f)
			}},
		{scenario: scenario{name: "CallbackWithoutFlow", path: "/auth/citizen/callback?code=c-1&state=st-1",
			status: 401, contentType: problemJSON, contains: []string{`"code":"citizen_flow_missing"`}}, service: func(*fakeAuth) {}},
		{scenario: scenario{name: "CallbackBadFlow", path: "/auth/citizen/callback?code=c-1&state=st-1",
			header: map[string]string{"Cookie": flowCookie + "=e30"},                                             // {}
			status: 401, contentType: problemJSON, contains: []string{`"code":"citizen_flow_missing"`}}, service: func(*fakeAuth) {}},
	})
}
