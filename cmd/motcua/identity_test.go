package main

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/auth"
	"motcua/internal/oidctest"
	"motcua/internal/testkit"
	"motcua/sqlstore"
	"motcua/web"
)

// browser is an HTTP client with its own cookies, as one browser is, and
// the CSRF token of its session.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request with the session's cookie and, unless noCSRF, its
// CSRF token, and returns the status, the body and the response.
func (b *browser) do(method, path, body string, noCSRF bool) (int, []byte, *http.Response) {
	b.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.base + path
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.csrf != "" && !noCSRF {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res.StatusCode, out, res
}

// must sends a request and fails unless it answers want; it decodes a
// JSON answer into v and keeps a new session's CSRF token.
func (b *browser) must(want int, method, path, body string, v any) []byte {
	b.t.Helper()
	got, out, _ := b.do(method, path, body, false)
	if got != want {
		b.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, out)
	}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	if json.Unmarshal(out, &sess) == nil && sess.CSRF != "" {
		b.csrf = sess.CSRF
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			b.t.Fatalf("%s %s: %v: %s", method, path, err, out)
		}
	}
	return out
}

// problemCode returns the code of a problem document.
func problemCode(b []byte) string {
	var p struct{ Code string }
	json.Unmarshal(b, &p)
	return p.Code
}

type sessionAnswer struct {
	Kind    string
	Subject string
	Limited string
	MFA     bool
}

// reset empties s for the next answer, whose omitted members must not
// keep the previous one's values.
func (s *sessionAnswer) reset() *sessionAnswer {
	*s = sessionAnswer{}
	return s
}

// TestIdentity drives identity end to end on a real store, a real
// authentication service and a real OpenID Connect provider: the first
// administrator made by "admin create" signs in, must enrol a second
// factor, creates an officer and resets their password; the officer
// changes it, receives a dossier and is throttled after failed
// sign-ins; the applicant signs in through the provider and sees their
// dossier, another citizen does not; the audit log holds it all and
// verifies.
func TestIdentity(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Now().UTC().Truncate(time.Second))
		db := testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: clock})
		if err := db.ImportCatalog(ctx, testkit.Catalog()); err != nil {
			t.Fatal(err)
		}

		// The first administrator.
		const adminPassword = "Mặt trời mọc ở Hồ Tây 2026"
		var out, errOut strings.Builder
		args := []string{"admin", "create", "--db", dsn, "--id", "quan.tri", "--name", "Quản trị viên thành phố",
			"--unit", testkit.UnitCity, "--password-stdin"}
		if got := run(ctx, args, func(string) string { return "" }, strings.NewReader(adminPassword+"\n"), &out, &errOut); got != 0 {
			t.Fatalf("admin create: status %d: %s %s", got, out.String(), errOut.String())
		}

		// The server, its authentication service and the provider.
		var h http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)
		op := oidctest.Start(t)
		op.AddClient("motcua", "client-secret", srv.URL+"/auth/citizen/callback")
		applicant := testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter).Applicant
		op.AddUser(oidctest.User{Subject: "vneid-1", Name: applicant.Name, IDNumber: applicant.IDNumber,
			Email: "an@example.vn", EmailVerified: true}, "an", "mat-khau-vneid")
		op.AddUser(oidctest.User{Subject: "vneid-2", Name: "Lê Thị Chi", IDNumber: "001190054321"}, "chi", "mat-khau-vneid")
		rp, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: op.Issuer(), ClientID: "motcua", ClientSecret: "client-secret",
			RedirectURL: srv.URL + "/auth/citizen/callback", HTTPClient: op.Client()})
		if err != nil {
			t.Fatal(err)
		}
		cheap := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
		svc, err := auth.New(auth.Config{Store: db, Hasher: auth.NewHasher(cheap, 0), OIDC: rp, Clock: clock,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		h = web.NewServer(web.Config{Store: db, Auth: svc, Clock: clock,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()

		// The administrator signs in and must enrol a second factor first.
		admin := newBrowser(t, srv.URL)
		var s sessionAnswer
		admin.must(http.StatusOK, "POST", "/api/v1/auth/sign-in", `{"login":"QUAN.TRI","password":"`+adminPassword+`"}`, s.reset())
		if s.Kind != motcua.SessionStaff || s.Subject != "quan.tri" || s.Limited != motcua.LimitTOTPSetup {
			t.Fatalf("administrator's first session = %+v; want a staff session limited to totp_setup", s)
		}
		if got, b, _ := admin.do("GET", "/api/v1/alerts", "", false); got != http.StatusForbidden || problemCode(b) != "totp_setup_required" {
			t.Fatalf("alerts before the second factor: %d %s", got, b)
		}
		if got, b, _ := admin.do("POST", "/api/v1/auth/totp", "", true); got != http.StatusForbidden || problemCode(b) != "csrf_failed" {
			t.Fatalf("second factor without the CSRF token: %d %s", got, b)
		}
		var enrol motcua.TOTPEnrolment
		admin.must(http.StatusOK, "POST", "/api/v1/auth/totp", "", &enrol)
		secret := mustBase32(t, enrol.Secret)
		code := auth.TOTPCode(secret, clock.Now())
		admin.must(http.StatusOK, "POST", "/api/v1/auth/totp/confirm", fmt.Sprintf(`{"secret":%q,"code":%q}`, enrol.Secret, code), s.reset())
		if s.Limited != "" || !s.MFA {
			t.Fatalf("session after enrolment = %+v; want a full one", s)
		}

		// A fresh sign-in needs the code; the same code is not taken twice.
		again := newBrowser(t, srv.URL)
		if got, b, _ := again.do("POST", "/api/v1/auth/sign-in", `{"login":"quan.tri","password":"`+adminPassword+`"}`, false); got != http.StatusUnauthorized || problemCode(b) != "totp_required" {
			t.Fatalf("sign-in without the code: %d %s", got, b)
		}
		if got, b, _ := again.do("POST", "/api/v1/auth/sign-in", fmt.Sprintf(`{"login":"quan.tri","password":%q,"totp":%q}`, adminPassword, code), false); got != http.StatusUnauthorized || problemCode(b) != "totp_invalid" {
			t.Fatalf("sign-in with a spent code: %d %s", got, b)
		}
		clock.Advance(30 * time.Second)
		again.must(http.StatusOK, "POST", "/api/v1/auth/sign-in", fmt.Sprintf(`{"login":"quan.tri","password":%q,"totp":%q}`,
			adminPassword, auth.TOTPCode(secret, clock.Now())), s.reset())

		// The administrator creates an officer at the commune and resets
		// the officer's password.
		body := fmt.Sprintf(`{"name":"Nguyễn Thị Mai","email":"Mai.NT@phuong.hanoi.vn","grants":[{"role":%q,"unit":%q}]}`,
			motcua.RoleOneDoor, testkit.UnitCommune)
		admin.must(http.StatusOK, "PUT", "/api/v1/admin/staff/mai.nt", body, nil)
		var reset struct {
			Temporary string `json:"temporary_password"`
		}
		admin.must(http.StatusOK, "POST", "/api/v1/admin/staff/mai.nt/password", "", &reset)

		// The officer signs in by e-mail, must change the password, then
		// receives a dossier.
		officer := newBrowser(t, srv.URL)
		officer.must(http.StatusOK, "POST", "/api/v1/auth/sign-in", fmt.Sprintf(`{"login":"mai.nt@phuong.hanoi.vn","password":%q}`, reset.Temporary), s.reset())
		if s.Limited != motcua.LimitPasswordChange {
			t.Fatalf("officer's session after a reset = %+v; want password_change", s)
		}
		const officerPassword = "Hoa sữa thơm phố cổ tháng mười"
		officer.must(http.StatusOK, "POST", "/api/v1/auth/password",
			fmt.Sprintf(`{"current_password":%q,"password":%q}`, reset.Temporary, officerPassword), s.reset())
		if s.Limited != "" {
			t.Fatalf("officer's session after the change = %+v", s)
		}
		in, _ := json.Marshal(testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter))
		var d motcua.Dossier
		officer.must(http.StatusCreated, "POST", "/api/v1/dossiers", string(in), &d)
		officer.must(http.StatusOK, "GET", "/api/v1/dossiers/"+d.Code, "", nil)

		// Failed sign-ins are throttled, for known and unknown logins alike.
		thief := newBrowser(t, srv.URL)
		for i := range 5 {
			if got, b, _ := thief.do("POST", "/api/v1/auth/sign-in", `{"login":"mai.nt","password":"wrong password 123"}`, false); got != http.StatusUnauthorized || problemCode(b) != "sign_in_failed" {
				t.Fatalf("failed sign-in %d: %d %s", i+1, got, b)
			}
		}
		got, b, res := thief.do("POST", "/api/v1/auth/sign-in", fmt.Sprintf(`{"login":"mai.nt","password":%q}`, officerPassword), false)
		if got != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("sign-in after five failures: %d %s (Retry-After %q)", got, b, res.Header.Get("Retry-After"))
		}
		if got, b, _ := thief.do("POST", "/api/v1/auth/sign-in", `{"login":"nobody","password":"wrong password 123"}`, false); got != http.StatusUnauthorized || problemCode(b) != "sign_in_failed" {
			t.Fatalf("unknown login: %d %s", got, b)
		}

		// The applicant signs in through the provider and sees the
		// dossier; another citizen does not.
		citizen := func(user string) *browser {
			c := newBrowser(t, srv.URL)
			got, b, res := c.do("GET", "/auth/citizen/sign-in", "", false)
			if got != http.StatusSeeOther {
				t.Fatalf("citizen sign-in: %d %s", got, b)
			}
			callback := op.Login(t, c.c, res.Header.Get("Location"), user, "mat-khau-vneid")
			if got, b, res := c.do("GET", callback.String(), "", false); got != http.StatusSeeOther || res.Header.Get("Location") != "/" {
				t.Fatalf("callback: %d %s", got, b)
			}
			var s sessionAnswer
			c.must(http.StatusOK, "GET", "/api/v1/auth/session", "", s.reset())
			if s.Kind != motcua.SessionCitizen {
				t.Fatalf("citizen's session = %+v", s)
			}
			return c
		}
		an := citizen("an")
		an.must(http.StatusOK, "GET", "/api/v1/dossiers/"+d.Code, "", nil)
		chi := citizen("chi")
		chi.must(http.StatusNotFound, "GET", "/api/v1/dossiers/"+d.Code, "", nil)
		if got, _, _ := chi.do("POST", "/api/v1/dossiers", string(in), false); got != http.StatusForbidden {
			t.Fatalf("a citizen receiving a dossier at the counter: %d; want 403", got)
		}
		// A replayed callback is refused.
		if got, _, _ := chi.do("GET", "/auth/citizen/callback?code=x&state=y", "", false); got != http.StatusUnauthorized {
			t.Fatalf("callback without a flow: %d; want 401", got)
		}

		// Signing out everywhere ends the officer's sessions.
		officer.must(http.StatusOK, "POST", "/api/v1/auth/sign-out-everywhere", "", nil)
		clock.Advance(auth.DefaultCacheTTL)
		if got, _, _ := officer.do("GET", "/api/v1/dossiers/"+d.Code, "", false); got != http.StatusUnauthorized {
			t.Fatalf("after signing out everywhere: %d; want 401", got)
		}

		// The audit log holds it all, and its chain is intact.
		var list struct{ Records []*motcua.AuditRecord }
		admin.must(http.StatusOK, "GET", "/api/v1/audit?limit=1000", "", &list)
		var actions []string
		for _, r := range list.Records {
			actions = append(actions, r.Action)
		}
		for _, want := range []string{motcua.AuditStaffChange, motcua.AuditSignIn, motcua.AuditTOTPChange, motcua.AuditSignInFailed,
			motcua.AuditPasswordReset, motcua.AuditPasswordChange, motcua.AuditSignOut} {
			if !slices.Contains(actions, want) {
				t.Errorf("the audit log has no %s record: %v", want, actions)
			}
		}
		officer.must(http.StatusUnauthorized, "GET", "/api/v1/audit", "", nil)
		waitAudited(t, db, motcua.AuditPersonalView)
		rep, err := db.VerifyAudit(ctx)
		if err != nil || len(rep.Broken) > 0 || rep.Records < int64(len(list.Records)) {
			t.Fatalf("VerifyAudit = %+v, %v", rep, err)
		}
	})
}

// waitAudited waits until the audit log has a record of action: views
// are appended in batches, after their requests.
func waitAudited(t *testing.T, db *sqlstore.DB, action string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		recs, err := db.FindAudit(context.Background(), motcua.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) > 0 {
			return
		}
	}
	t.Fatalf("no %s record was audited", action)
}

func mustBase32(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
