package web

import (
	"context"
	"testing"

	"motcua"
)

func TestRegisterCitizen(t *testing.T) {
	register := func(err error) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.RegisterCitizenFn = func(_ context.Context, email, name, password, ip string) error {
				if email != "an@example.vn" || name != "Nguyễn Văn An" || password != "mật khẩu dài dài" || ip != "192.0.2.1" {
					t.Errorf("RegisterCitizen(%q, %q, %q, %q)", email, name, password, ip)
				}
				return err
			}
		}
	}
	const body = `{"email":"an@example.vn","name":"Nguyễn Văn An","password":"mật khẩu dài dài"}`
	const path = "/api/v1/auth/citizen/register"
	runAuth(t, []authScenario{
		{scenario: scenario{name: "Accepted", method: "POST", path: path, body: body, status: 202, contentType: "application/json",
			contains: []string{`"message":"Nếu địa chỉ thư điện tử hợp lệ`}, headers: map[string]string{"Cache-Control": "no-store"}},
			service: register(nil), after: noCookie},
		{scenario: scenario{name: "English", method: "POST", path: path, body: body, header: map[string]string{"Accept-Language": "en"},
			status: 202, contains: []string{`"message":"If the e-mail address is valid`}}, service: register(nil)},
		{scenario: scenario{name: "Invalid", method: "POST", path: path, body: body, status: 400, contentType: problemJSON,
			contains: []string{`"field":"password"`}},
			service: register(&motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "No.",
				Fields: []motcua.FieldError{{Field: "password", Reason: "too_short", Message: "short"}}})},
		{scenario: scenario{name: "Throttled", method: "POST", path: path, body: body, status: 429, contentType: problemJSON,
			headers: map[string]string{"Retry-After": "60"}},
			service: register(&motcua.Error{Code: motcua.ETOOMANY, Reason: "too_many_attempts", Message: "No.",
				Params: map[string]string{"retry_after": "60"}})},
		{scenario: scenario{name: "Disabled", method: "POST", path: path, body: body, status: 503, contentType: problemJSON,
			contains: []string{`"code":"local_accounts_unavailable"`, "chưa bật chức năng đăng ký"}},
			service: register(&motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "local_accounts_unavailable", Message: "No."})},
		{scenario: scenario{name: "NoAuthService", method: "POST", path: path, body: body, status: 503, contentType: problemJSON,
			contains: []string{`"code":"sign_in_unavailable"`}}},
		{scenario: scenario{name: "UnknownField", method: "POST", path: path, body: `{"email":"a@b.vn","id_number":"001"}`,
			status: 400, contentType: problemJSON, contains: []string{`"field":"id_number"`}}, service: func(*fakeAuth) {}},
	})
}

func TestVerifyCitizen(t *testing.T) {
	citizen := citizenSession("tok-local", "cit-local", "")
	verify := func(out *motcua.SignedIn, err error) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.VerifyCitizenFn = func(_ context.Context, token, ip, ua string) (*motcua.SignedIn, error) {
				if token != "mcv_abc" || ip != "192.0.2.1" || ua != "test-agent/1" {
					t.Errorf("VerifyCitizen(%q, %q, %q)", token, ip, ua)
				}
				return out, err
			}
		}
	}
	ua := map[string]string{"User-Agent": "test-agent/1"}
	const path = "/auth/citizen/verify?token=mcv_abc"
	runAuth(t, []authScenario{
		{scenario: scenario{name: "OK", method: "GET", path: path, header: ua, status: 303,
			headers: map[string]string{"Location": "/", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}},
			service: verify(citizen.signedIn(), nil), after: sessionSet("motcua_session", "tok-local", false)},
		{scenario: scenario{name: "SecureCookies", method: "GET", path: path, header: ua, status: 303},
			service: verify(citizen.signedIn(), nil), config: secureCookies,
			after: sessionSet("__Host-motcua_session", "tok-local", true)},
		{scenario: scenario{name: "InvalidLink", method: "GET", path: path, header: ua, status: 404, contentType: problemJSON,
			contains: []string{`"code":"verification_link_invalid"`}},
			service: verify(nil, &motcua.Error{Code: motcua.ENOTFOUND, Reason: "verification_link_invalid", Message: "No."}),
			after:   noCookie},
		{scenario: scenario{name: "NoAuthService", method: "GET", path: path, status: 503, contentType: problemJSON}, after: noCookie},
	})
}

func TestSignInLocalCitizen(t *testing.T) {
	citizen := citizenSession("tok-local", "cit-local", "")
	signIn := func(out *motcua.SignedIn, err error) func(a *fakeAuth) {
		return func(a *fakeAuth) {
			a.SignInLocalCitizenFn = func(_ context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error) {
				want := motcua.SignInRequest{Login: "an@example.vn", Password: "mật khẩu dài", IP: "192.0.2.1", UserAgent: "test-agent/1"}
				if req != want {
					t.Errorf("sign-in request = %+v; want %+v", req, want)
				}
				return out, err
			}
		}
	}
	const body = `{"login":"an@example.vn","password":"mật khẩu dài"}`
	const path = "/api/v1/auth/citizen/sign-in"
	ua := map[string]string{"User-Agent": "test-agent/1"}
	runAuth(t, []authScenario{
		{scenario: scenario{name: "OK", method: "POST", path: path, body: body, header: ua, status: 200, contentType: "application/json",
			contains: []string{`"kind":"citizen"`, `"subject":"cit-local"`, `"csrf_token":"csrf-tok-local"`}},
			service: signIn(citizen.signedIn(), nil), after: sessionSet("motcua_session", "tok-local", false)},
		{scenario: scenario{name: "Failed", method: "POST", path: path, body: body, header: ua, status: 401, contentType: problemJSON,
			contains: []string{`"code":"sign_in_failed"`}},
			service: signIn(nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "sign_in_failed", Message: "No."}), after: noCookie},
		{scenario: scenario{name: "TOTPNotAccepted", method: "POST", path: path, body: `{"login":"a","password":"b","totp":"1"}`,
			status: 400, contentType: problemJSON, contains: []string{`"field":"totp"`}}, service: func(*fakeAuth) {}},
		{scenario: scenario{name: "NoAuthService", method: "POST", path: path, body: body, status: 503, contentType: problemJSON}, after: noCookie},
	})
}
