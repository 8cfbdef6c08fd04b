package auth_test

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/auth"
)

// cheapParams are the cheapest Argon2id parameters Params.Validate
// accepts: 8 KiB, one pass, one lane, the shortest salt and key.
var cheapParams = auth.Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 16}

var start = time.Date(2025, 3, 10, 1, 0, 0, 0, time.UTC)

const (
	staffID   = "an.nv"
	staffPass = "sông Hồng chảy qua Hà Nội"
	newPass   = "cầu Long Biên lúc bình minh"
	clientIP  = "203.0.113.7"
	userAgent = "Mozilla/5.0 (test)"
)

// testClock is a motcua.Clock that tests move forward.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a Service over a fakeStore and a testClock.
type fixture struct {
	svc    *auth.Service
	store  *fakeStore
	clock  *testClock
	hasher *auth.Hasher
}

func newFixture(t testing.TB, configure func(*auth.Config)) *fixture {
	t.Helper()
	f := &fixture{store: newFakeStore(), clock: &testClock{now: start}, hasher: auth.NewHasher(cheapParams, 0)}
	cfg := auth.Config{Store: f.store, Hasher: f.hasher, Clock: f.clock}
	if configure != nil {
		configure(&cfg)
	}
	svc, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

func (f *fixture) hash(t testing.TB, password string) string {
	t.Helper()
	h, err := f.hasher.Hash(context.Background(), password)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// addStaff stores a specialist id with the password staffPass, changed as
// change says.
func (f *fixture) addStaff(t testing.TB, id string, change func(*motcua.Staff, *motcua.Credentials)) {
	t.Helper()
	st := motcua.Staff{ID: id, Name: "Nguyễn Văn " + id, Email: strings.ToUpper(id) + "@HaNoi.gov.vn",
		Grants: []motcua.Grant{{Role: motcua.RoleSpecialist, Unit: "H26"}}}
	cr := motcua.Credentials{PasswordHash: f.hash(t, staffPass), PasswordChangedAt: start.AddDate(0, -1, 0)}
	if change != nil {
		change(&st, &cr)
	}
	f.store.put(st, cr)
}

func (f *fixture) signIn(login, password, code string) (*motcua.SignedIn, error) {
	return f.svc.SignIn(context.Background(), motcua.SignInRequest{Login: login, Password: password, TOTP: code,
		IP: clientIP, UserAgent: userAgent})
}

// mustSignIn signs staffID in with staffPass.
func (f *fixture) mustSignIn(t testing.TB) *motcua.SignedIn {
	t.Helper()
	in, err := f.signIn(staffID, staffPass, "")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// lastAudit returns the latest audit record.
func (f *fixture) lastAudit(t testing.TB) motcua.AuditRecord {
	t.Helper()
	rs := f.store.records()
	if len(rs) == 0 {
		t.Fatal("nothing audited")
	}
	return rs[len(rs)-1]
}

// checkAudit checks the latest audit record.
func (f *fixture) checkAudit(t testing.TB, action, object, outcome string) motcua.AuditRecord {
	t.Helper()
	r := f.lastAudit(t)
	if r.Action != action || r.Object != object || r.Outcome != outcome {
		t.Errorf("audited %s %s %s (%s), want %s %s %s", r.Action, r.Object, r.Outcome, r.Detail, action, object, outcome)
	}
	return r
}

// authOK authenticates token and fails the test when it is refused.
func (f *fixture) authOK(t testing.TB, token string) (*motcua.Session, motcua.Actor) {
	t.Helper()
	s, a, err := f.svc.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("at %s: %v", f.clock.Now().Sub(start), err)
	}
	return s, a
}

// authRefused checks that token is refused as an invalid session.
func (f *fixture) authRefused(t testing.TB, token string) {
	t.Helper()
	_, _, err := f.svc.Authenticate(context.Background(), token)
	checkErr(t, err, motcua.EUNAUTHORIZED, "session_invalid")
}

// checkErr checks that err is a *motcua.Error of code and reason (any
// reason when empty) and returns it.
func checkErr(t testing.TB, err error, code, reason string) *motcua.Error {
	t.Helper()
	var e *motcua.Error
	if !errors.As(err, &e) || e.Code != code || reason != "" && e.Reason != reason {
		t.Fatalf("got %v, want %s %s", err, code, reason)
	}
	return e
}

// otherCode returns a well-formed code that is not code.
func otherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestNewNeedsStore(t *testing.T) {
	if _, err := auth.New(auth.Config{}); err == nil {
		t.Error("New without a store succeeded")
	}
	if _, err := auth.New(auth.Config{Store: newFakeStore(), Lockout: auth.Lockout{Free: -1}}); err == nil {
		t.Error("New with a bad lockout policy succeeded")
	}
}

func TestSignIn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		login  string
		pass   string
		change func(*motcua.Staff, *motcua.Credentials)
		// reason is the expected refusal, "" for success.
		reason string
		object string
		// failures is the stored count after the attempt.
		failures int
	}{
		{name: "by ID", login: staffID, pass: staffPass, object: "staff:an.nv"},
		{name: "by ID in another case with spaces", login: "  AN.NV ", pass: staffPass, object: "staff:an.nv"},
		{name: "by e-mail", login: "an.nv@hanoi.gov.vn", pass: staffPass, object: "staff:an.nv"},
		{name: "by e-mail in any case", login: "An.Nv@HANOI.gov.VN", pass: staffPass, object: "staff:an.nv"},
		{name: "wrong password", login: staffID, pass: "sông Hồng chảy qua Huế", reason: "sign_in_failed",
			object: "staff:an.nv", failures: 1},
		{name: "password in another case", login: staffID, pass: strings.ToUpper(staffPass), reason: "sign_in_failed",
			object: "staff:an.nv", failures: 1},
		{name: "unknown login", login: "Binh.TT", pass: staffPass, reason: "sign_in_failed", object: "staff:binh.tt"},
		{name: "disabled account", login: staffID, pass: staffPass, reason: "sign_in_failed", object: "staff:an.nv",
			change: func(s *motcua.Staff, _ *motcua.Credentials) { s.Disabled = true }, failures: 1},
		{name: "account without a password", login: staffID, pass: staffPass, reason: "sign_in_failed", object: "staff:an.nv",
			change: func(_ *motcua.Staff, c *motcua.Credentials) { c.PasswordHash = "" }, failures: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addStaff(t, staffID, tc.change)
			f.addStaff(t, "other", nil)
			in, err := f.signIn(tc.login, tc.pass, "")
			if tc.reason != "" {
				e := checkErr(t, err, motcua.EUNAUTHORIZED, tc.reason)
				if e.Message != "The login or the password is wrong." {
					t.Errorf("message %q tells more than a wrong password's", e.Message)
				}
				if in != nil {
					t.Errorf("refused with a session %+v", in)
				}
				r := f.checkAudit(t, motcua.AuditSignInFailed, tc.object, motcua.OutcomeFailed)
				if r.IP != clientIP || r.Seq == 0 || r.At.IsZero() {
					t.Errorf("audit record %+v", r)
				}
				if n := f.store.sessionCount(); n != 0 {
					t.Errorf("%d sessions after a refusal", n)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				s := in.Session
				if !strings.HasPrefix(in.Token, auth.SessionTokenPrefix) || s.Kind != motcua.SessionStaff ||
					s.Subject != staffID || s.MFA || s.Limited != "" || s.CSRF == "" || s.IP != clientIP ||
					s.UserAgent != userAgent || !s.CreatedAt.Equal(start) || !s.LastSeenAt.Equal(start) ||
					!s.ExpiresAt.Equal(start.Add(auth.DefaultAbsoluteTimeout)) {
					t.Errorf("signed in %q with %+v", in.Token, s)
				}
				if a := in.Actor; a.Kind != motcua.ActorOfficer || a.ID != staffID || a.Name != "Nguyễn Văn an.nv" ||
					len(a.Grants) != 1 || a.Grants[0].Role != motcua.RoleSpecialist {
					t.Errorf("actor %+v", a)
				}
				r := f.checkAudit(t, motcua.AuditSignIn, tc.object, motcua.OutcomeOK)
				if r.Actor.ID != staffID || r.Actor.Kind != motcua.ActorOfficer || r.IP != clientIP {
					t.Errorf("audit record %+v", r)
				}
			}
			if got := f.store.credentials(staffID).Failures; got != tc.failures {
				t.Errorf("%d failures stored, want %d", got, tc.failures)
			}
		})
	}
}

// TestSignInSameAnswer checks that an unknown login and a wrong password
// are answered alike.
func TestSignInSameAnswer(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	_, wrong := f.signIn(staffID, "not the password", "")
	_, unknown := f.signIn("nobody", "not the password", "")
	var a, b *motcua.Error
	if !errors.As(wrong, &a) || !errors.As(unknown, &b) {
		t.Fatalf("errors %v and %v", wrong, unknown)
	}
	if a.Code != b.Code || a.Reason != b.Reason || a.Message != b.Message || wrong.Error() != unknown.Error() {
		t.Errorf("wrong password: %v\nunknown login: %v", wrong, unknown)
	}
}

func TestSignInInvalid(t *testing.T) {
	long := strings.Repeat("x", 1025)
	for _, tc := range []struct {
		name                  string
		login, password, code string
		fields                []motcua.FieldError
	}{
		{name: "empty login", password: staffPass,
			fields: []motcua.FieldError{{Field: "login", Reason: motcua.FieldRequired}}},
		{name: "blank login", login: " \t ", password: staffPass,
			fields: []motcua.FieldError{{Field: "login", Reason: motcua.FieldRequired}}},
		{name: "empty password", login: staffID,
			fields: []motcua.FieldError{{Field: "password", Reason: motcua.FieldRequired}}},
		{name: "both empty", fields: []motcua.FieldError{
			{Field: "login", Reason: motcua.FieldRequired}, {Field: "password", Reason: motcua.FieldRequired}}},
		{name: "overlong password", login: staffID, password: long,
			fields: []motcua.FieldError{{Field: "password", Reason: motcua.FieldTooLong}}},
		{name: "overlong login", login: long, password: staffPass,
			fields: []motcua.FieldError{{Field: "login", Reason: motcua.FieldTooLong}}},
		{name: "overlong code", login: staffID, password: staffPass, code: strings.Repeat("1", 65),
			fields: []motcua.FieldError{{Field: "totp", Reason: motcua.FieldTooLong}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addStaff(t, staffID, nil)
			_, err := f.signIn(tc.login, tc.password, tc.code)
			e := checkErr(t, err, motcua.EINVALID, "")
			var got []motcua.FieldError
			for _, fe := range e.Fields {
				got = append(got, motcua.FieldError{Field: fe.Field, Reason: fe.Reason})
			}
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields %+v, want %+v", e.Fields, tc.fields)
			}
			if n := len(f.store.records()); n != 0 {
				t.Errorf("%d audit records for a malformed request", n)
			}
			if got := f.store.credentials(staffID).Failures; got != 0 {
				t.Errorf("%d failures counted for a malformed request", got)
			}
		})
	}
}

// TestSignInRehash checks that a hash made with other parameters is
// replaced at the next sign-in.
func TestSignInRehash(t *testing.T) {
	f := newFixture(t, nil)
	old := auth.NewHasher(auth.Params{Memory: 16, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	h, err := old.Hash(context.Background(), staffPass)
	if err != nil {
		t.Fatal(err)
	}
	f.addStaff(t, staffID, func(_ *motcua.Staff, c *motcua.Credentials) { c.PasswordHash = h })
	f.mustSignIn(t)
	cr := f.store.credentials(staffID)
	if p, _, _, err := auth.ParseHash(cr.PasswordHash); err != nil || p != cheapParams {
		t.Errorf("stored hash %q has %+v, %v; want %+v", cr.PasswordHash, p, err, cheapParams)
	}
	if !cr.PasswordChangedAt.Equal(start.AddDate(0, -1, 0)) {
		t.Errorf("rehash moved the time of the password change to %s", cr.PasswordChangedAt)
	}
	f.mustSignIn(t)
}

// TestSignInNotAudited checks that a sign-in whose audit record cannot be
// stored fails and leaves no session.
func TestSignInNotAudited(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	f.store.mu.Lock()
	f.store.auditErr = errors.New("disk full")
	f.store.mu.Unlock()
	if in, err := f.signIn(staffID, staffPass, ""); err == nil || motcua.ErrorCode(err) != motcua.EINTERNAL {
		t.Errorf("signed in (%+v) without an audit record: %v", in, err)
	}
	if n := f.store.sessionCount(); n != 0 {
		t.Errorf("%d sessions left", n)
	}
}

// tooMany checks that err is ETOOMANY asking to wait wait.
func tooMany(t testing.TB, err error, wait time.Duration) {
	t.Helper()
	e := checkErr(t, err, motcua.ETOOMANY, "too_many_attempts")
	if want := fmt.Sprint(int(wait / time.Second)); e.Params["retry_after"] != want {
		t.Errorf("retry_after %q, want %s", e.Params["retry_after"], want)
	}
}

func TestLockoutAccount(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	l := auth.DefaultLockout()
	for i := range l.Free {
		_, err := f.signIn(staffID, fmt.Sprint("guess ", i), "")
		checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
		f.clock.Advance(time.Second)
	}
	f.clock.Advance(-time.Second) // the last failure is now
	_, err := f.signIn(staffID, staffPass, "")
	tooMany(t, err, l.Base)
	f.checkAudit(t, motcua.AuditSignInFailed, "staff:an.nv", motcua.OutcomeDenied)
	if got := f.store.credentials(staffID).Failures; got != l.Free {
		t.Errorf("a refused attempt was counted: %d failures", got)
	}
	f.clock.Advance(l.Base - time.Second)
	_, err = f.signIn(staffID, staffPass, "")
	tooMany(t, err, time.Second)
	f.clock.Advance(time.Second)
	f.mustSignIn(t)
	if got := f.store.credentials(staffID).Failures; got != 0 {
		t.Errorf("%d failures after a success", got)
	}
	// The count starts again: Free more failures cost nothing.
	for i := range l.Free {
		_, err := f.signIn(staffID, fmt.Sprint("guess ", i), "")
		checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	}
	_, err = f.signIn(staffID, staffPass, "")
	tooMany(t, err, l.Base)
	// Each failure after the wait doubles it.
	f.clock.Advance(l.Base)
	_, err = f.signIn(staffID, "guess again", "")
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	_, err = f.signIn(staffID, staffPass, "")
	tooMany(t, err, 2*l.Base)
}

// TestLockoutForgets checks that failures are forgotten once the account
// has been quiet for the lockout's window after its delay ended.
func TestLockoutForgets(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	l := auth.DefaultLockout()
	for i := range l.Free {
		_, err := f.signIn(staffID, fmt.Sprint("guess ", i), "")
		checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	}
	f.clock.Advance(l.Delay(l.Free) + l.Window)
	// One mistyped password, then the right one.
	_, err := f.signIn(staffID, "a typo", "")
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	if _, err := f.signIn(staffID, staffPass, ""); err != nil {
		t.Errorf("the failures of long ago still count: %v", err)
	}
}

func TestLockoutUnknownLogin(t *testing.T) {
	f := newFixture(t, nil)
	l := auth.DefaultLockout()
	for range l.Free {
		_, err := f.signIn("Ghost", "guess", "")
		checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	}
	_, err := f.signIn("ghost", "guess", "")
	tooMany(t, err, l.Base)
	f.checkAudit(t, motcua.AuditSignInFailed, "staff:ghost", motcua.OutcomeDenied)
	// Another unknown login is not throttled.
	_, err = f.signIn("phantom", "guess", "")
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	f.clock.Advance(l.Base)
	_, err = f.signIn("ghost", "guess", "")
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	_, err = f.signIn("ghost", "guess", "")
	tooMany(t, err, 2*l.Base)
}

func TestLockoutAddress(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	l := auth.DefaultLockout()
	free := 5 * l.Free
	// Distinct unknown logins, so that only the address counts.
	for i := range free {
		_, err := f.signIn(fmt.Sprint("ghost", i), "guess", "")
		checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	}
	_, err := f.signIn(staffID, staffPass, "")
	tooMany(t, err, l.Base)
	f.checkAudit(t, motcua.AuditSignInFailed, "staff:an.nv", motcua.OutcomeDenied)
	other := motcua.SignInRequest{Login: staffID, Password: staffPass, IP: "198.51.100.9"}
	if _, err := f.svc.SignIn(context.Background(), other); err != nil {
		t.Errorf("another address: %v", err)
	}
	f.clock.Advance(l.Base)
	f.mustSignIn(t)
}

// TestLockoutAddressForgets checks that an address's failures are
// forgotten after the window, by the address's own policy (five times as
// many free attempts, so no delay to wait out first).
func TestLockoutAddressForgets(t *testing.T) {
	f := newFixture(t, nil)
	l := auth.DefaultLockout()
	free := 5 * l.Free
	fail := func(n int) {
		t.Helper()
		for i := range n {
			_, err := f.signIn(fmt.Sprintf("ghost-%s-%d", f.clock.Now().Format("150405"), i), "guess", "")
			checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
		}
	}
	fail(free - 1)
	f.clock.Advance(l.Window)
	fail(free - 1)
}

func TestSignInTOTP(t *testing.T) {
	secret := []byte("0123456789abcdefghij")
	f := newFixture(t, nil)
	f.addStaff(t, staffID, func(_ *motcua.Staff, c *motcua.Credentials) { c.TOTPSecret = secret })
	code := auth.TOTPCode(secret, f.clock.Now())

	_, err := f.signIn(staffID, staffPass, "")
	checkErr(t, err, motcua.EUNAUTHORIZED, "totp_required")
	_, err = f.signIn(staffID, staffPass, "   ")
	checkErr(t, err, motcua.EUNAUTHORIZED, "totp_required")
	if got := f.store.credentials(staffID).Failures; got != 0 {
		t.Errorf("a missing code counted as %d failures", got)
	}

	_, err = f.signIn(staffID, staffPass, otherCode(code))
	checkErr(t, err, motcua.EUNAUTHORIZED, "totp_invalid")
	f.checkAudit(t, motcua.AuditSignInFailed, "staff:an.nv", motcua.OutcomeFailed)
	if got := f.store.credentials(staffID).Failures; got != 1 {
		t.Errorf("a wrong code counted as %d failures", got)
	}

	// A right code with a wrong password says nothing about the code.
	_, err = f.signIn(staffID, "wrong password", code)
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")

	in, err := f.signIn(staffID, staffPass, code[:3]+" "+code[3:])
	if err != nil {
		t.Fatal(err)
	}
	if !in.Session.MFA || in.Session.Limited != "" {
		t.Errorf("session %+v", in.Session)
	}
	f.checkAudit(t, motcua.AuditSignIn, "staff:an.nv", motcua.OutcomeOK)
	if got := f.store.credentials(staffID).Failures; got != 0 {
		t.Errorf("%d failures after a success", got)
	}

	_, err = f.signIn(staffID, staffPass, code)
	checkErr(t, err, motcua.EUNAUTHORIZED, "totp_invalid")
	f.checkAudit(t, motcua.AuditSignInFailed, "staff:an.nv", motcua.OutcomeFailed)

	f.clock.Advance(auth.TOTPPeriod)
	if _, err := f.signIn(staffID, staffPass, auth.TOTPCode(secret, f.clock.Now())); err != nil {
		t.Errorf("the next step's code: %v", err)
	}
}

// TestSignInTOTPRace checks that of concurrent sign-ins with one code,
// one succeeds.
func TestSignInTOTPRace(t *testing.T) {
	secret := []byte("0123456789abcdefghij")
	f := newFixture(t, nil)
	f.addStaff(t, staffID, func(_ *motcua.Staff, c *motcua.Credentials) { c.TOTPSecret = secret })
	code := auth.TOTPCode(secret, f.clock.Now())
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = f.signIn(staffID, staffPass, code) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			checkErr(t, err, motcua.EUNAUTHORIZED, "totp_invalid")
		}
	}
	if ok != 1 {
		t.Errorf("%d sign-ins with one code succeeded", ok)
	}
}

func TestLimitedSessions(t *testing.T) {
	secret := []byte("0123456789abcdefghij")
	admin := func(role string) func(*motcua.Staff, *motcua.Credentials) {
		return func(s *motcua.Staff, _ *motcua.Credentials) {
			s.Grants = append(s.Grants, motcua.Grant{Role: role, Unit: "H26"})
		}
	}
	for _, tc := range []struct {
		name    string
		change  func(*motcua.Staff, *motcua.Credentials)
		totp    bool
		limited string
	}{
		{name: "specialist"},
		{name: "auditor", change: func(s *motcua.Staff, _ *motcua.Credentials) {
			s.Grants = []motcua.Grant{{Role: motcua.RoleAuditor, Unit: "H26"}}
		}},
		{name: "password to change", change: func(_ *motcua.Staff, c *motcua.Credentials) { c.MustChange = true },
			limited: motcua.LimitPasswordChange},
		{name: "city administrator without a second factor", change: admin(motcua.RoleCityAdmin),
			limited: motcua.LimitTOTPSetup},
		{name: "unit administrator without a second factor", change: admin(motcua.RoleUnitAdmin),
			limited: motcua.LimitTOTPSetup},
		{name: "city administrator with a second factor", totp: true, change: func(s *motcua.Staff, c *motcua.Credentials) {
			admin(motcua.RoleCityAdmin)(s, c)
			c.TOTPSecret = secret
		}},
		{name: "administrator with a password to change", change: func(s *motcua.Staff, c *motcua.Credentials) {
			admin(motcua.RoleUnitAdmin)(s, c)
			c.MustChange = true
		}, limited: motcua.LimitPasswordChange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addStaff(t, staffID, tc.change)
			code := ""
			if tc.totp {
				code = auth.TOTPCode(secret, f.clock.Now())
			}
			in, err := f.signIn(staffID, staffPass, code)
			if err != nil {
				t.Fatal(err)
			}
			if in.Session.Limited != tc.limited || in.Session.MFA != tc.totp {
				t.Errorf("limited %q MFA %v, want %q %v", in.Session.Limited, in.Session.MFA, tc.limited, tc.totp)
			}
			// The limit stays when the session is read from the store again.
			f.clock.Advance(auth.DefaultCacheTTL)
			s, _ := f.authOK(t, in.Token)
			if s.Limited != tc.limited {
				t.Errorf("limited %q after a store read, want %q", s.Limited, tc.limited)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	in := f.mustSignIn(t)
	s, a := f.authOK(t, in.Token)
	if s.Kind != motcua.SessionStaff || s.Subject != staffID || s.CSRF != in.Session.CSRF || s.IP != clientIP {
		t.Errorf("session %+v, want %+v", s, in.Session)
	}
	if a.Kind != motcua.ActorOfficer || a.ID != staffID || len(a.Grants) != 1 {
		t.Errorf("actor %+v", a)
	}
	for _, tc := range []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "garbage"},
		{"another prefix", auth.APIKeyPrefix + strings.TrimPrefix(in.Token, auth.SessionTokenPrefix)},
		{"no prefix", strings.TrimPrefix(in.Token, auth.SessionTokenPrefix)},
		{"unknown", auth.SessionTokenPrefix + strings.Repeat("a", 52)},
		{"longer", in.Token + "a"},
		{"shorter", in.Token[:len(in.Token)-1]},
		{"upper case", strings.ToUpper(in.Token)},
		{"overlong", in.Token + strings.Repeat("a", 200)},
	} {
		t.Run(tc.name, func(t *testing.T) { f.authRefused(t, tc.token) })
	}
}

func TestIdleTimeout(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	in := f.mustSignIn(t)
	idle := auth.DefaultIdleTimeout
	f.clock.Advance(idle - time.Second)
	f.authOK(t, in.Token)
	// Activity moved the idle deadline.
	f.clock.Advance(idle - time.Second)
	f.authOK(t, in.Token)
	f.clock.Advance(idle)
	f.authRefused(t, in.Token)
	if n := f.store.sessionCount(); n != 0 {
		t.Errorf("the idle session is still stored (%d sessions)", n)
	}
}

func TestIdleTimeoutConfigured(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.IdleTimeout = 5 * time.Minute })
	f.addStaff(t, staffID, nil)
	in := f.mustSignIn(t)
	f.clock.Advance(5*time.Minute - time.Nanosecond)
	f.authOK(t, in.Token)
	f.clock.Advance(5 * time.Minute)
	f.authRefused(t, in.Token)
}

func TestAbsoluteTimeout(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.AbsoluteTimeout = time.Hour })
	f.addStaff(t, staffID, nil)
	in := f.mustSignIn(t)
	if !in.Session.ExpiresAt.Equal(start.Add(time.Hour)) {
		t.Errorf("expires at %s", in.Session.ExpiresAt)
	}
	for range 2 {
		f.clock.Advance(20 * time.Minute)
		f.authOK(t, in.Token)
	}
	f.clock.Advance(20*time.Minute - time.Second)
	f.authOK(t, in.Token)
	// However active, the session ends, from the cache too.
	f.clock.Advance(time.Second)
	f.authRefused(t, in.Token)
}

// TestAuthenticateCache checks that what changes in the store shows once
// the cached answer is CacheTTL old, and not before.
func TestAuthenticateCache(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *fixture, token string)
		// check checks the answer after the cache expired; nil means a
		// refusal.
		check func(t *testing.T, a motcua.Actor)
	}{
		{name: "session deleted", change: func(f *fixture, token string) {
			_ = f.store.DeleteSession(context.Background(), auth.HashToken(token))
		}},
		{name: "staff disabled", change: func(f *fixture, _ string) {
			f.store.update(staffID, func(s *motcua.Staff, _ *motcua.Credentials) { s.Disabled = true })
		}},
		{name: "staff removed", change: func(f *fixture, _ string) {
			f.store.mu.Lock()
			delete(f.store.staff, staffID)
			f.store.mu.Unlock()
		}},
		{name: "grants changed", change: func(f *fixture, _ string) {
			f.store.update(staffID, func(s *motcua.Staff, _ *motcua.Credentials) {
				s.Grants = []motcua.Grant{{Role: motcua.RoleLeader, Unit: "H26.01"}}
			})
		}, check: func(t *testing.T, a motcua.Actor) {
			if len(a.Grants) != 1 || a.Grants[0].Role != motcua.RoleLeader || a.Grants[0].Unit != "H26.01" {
				t.Errorf("grants %+v after the cache expired", a.Grants)
			}
		}},
		{name: "name changed", change: func(f *fixture, _ string) {
			f.store.update(staffID, func(s *motcua.Staff, _ *motcua.Credentials) { s.Name = "Nguyễn Văn Ân" })
		}, check: func(t *testing.T, a motcua.Actor) {
			if a.Name != "Nguyễn Văn Ân" {
				t.Errorf("name %q after the cache expired", a.Name)
			}
		}},
	} {
		for _, ttl := range []time.Duration{0, time.Minute} {
			t.Run(fmt.Sprint(tc.name, " ttl ", ttl), func(t *testing.T) {
				f := newFixture(t, func(c *auth.Config) { c.CacheTTL = ttl })
				if ttl == 0 {
					ttl = auth.DefaultCacheTTL
				}
				f.addStaff(t, staffID, nil)
				in := f.mustSignIn(t)
				_, before := f.authOK(t, in.Token)
				tc.change(f, in.Token)
				_, lookups := f.store.counts()
				f.clock.Advance(ttl - time.Nanosecond)
				if _, a := f.authOK(t, in.Token); a.Name != before.Name || !slices.Equal(a.Grants, before.Grants) {
					t.Errorf("actor %+v within the cache's time, want %+v", a, before)
				}
				if _, n := f.store.counts(); n != lookups {
					t.Errorf("%d store reads within the cache's time", n-lookups)
				}
				f.clock.Advance(time.Nanosecond)
				if tc.check == nil {
					f.authRefused(t, in.Token)
					return
				}
				_, a := f.authOK(t, in.Token)
				tc.check(t, a)
			})
		}
	}
}

// TestTouch checks that a session's activity is written at most once a
// minute, and the store read at most once per CacheTTL.
func TestTouch(t *testing.T) {
	for _, tc := range []struct {
		name          string
		every, during time.Duration
	}{
		{"a request a second", time.Second, 3 * time.Minute},
		{"a request every 10 seconds", 10 * time.Second, 10 * time.Minute},
		{"a request every 50 seconds", 50 * time.Second, 20 * time.Minute},
		{"a request every 2 minutes", 2 * time.Minute, 20 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addStaff(t, staffID, nil)
			in := f.mustSignIn(t)
			for elapsed := time.Duration(0); elapsed < tc.during; elapsed += tc.every {
				f.clock.Advance(tc.every)
				f.authOK(t, in.Token)
			}
			touches, lookups := f.store.counts()
			minutes := int(tc.during / time.Minute)
			if touches > minutes {
				t.Errorf("%d touches in %d minutes", touches, minutes)
			}
			// Activity is recorded once its last record is a minute old,
			// at the first store read after that.
			if want := int(tc.during / (time.Minute + max(tc.every, auth.DefaultCacheTTL))); touches < want {
				t.Errorf("%d touches in %d minutes, want %d", touches, minutes, want)
			}
			if most := int(tc.during/max(tc.every, auth.DefaultCacheTTL)) + 1; lookups > most {
				t.Errorf("%d store reads in %s, want at most %d", lookups, tc.during, most)
			}
			f.store.mu.Lock()
			last := f.store.sessions[string(auth.HashToken(in.Token))].LastSeenAt
			f.store.mu.Unlock()
			if now := f.clock.Now(); now.Sub(last) >= time.Minute+tc.every {
				t.Errorf("last seen %s before the last request", now.Sub(last))
			}
		})
	}
}

func TestSignOut(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	first, second := f.mustSignIn(t), f.mustSignIn(t)
	f.authOK(t, first.Token)
	if err := f.svc.SignOut(context.Background(), first.Token); err != nil {
		t.Fatal(err)
	}
	r := f.checkAudit(t, motcua.AuditSignOut, "staff:an.nv", motcua.OutcomeOK)
	if r.Actor.ID != staffID {
		t.Errorf("audited actor %+v", r.Actor)
	}
	f.authRefused(t, first.Token)
	f.authOK(t, second.Token)
	err := f.svc.SignOut(context.Background(), first.Token)
	checkErr(t, err, motcua.EUNAUTHORIZED, "session_invalid")
}

func TestSignOutEverywhere(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	f.addStaff(t, "binh.tt", nil)
	var mine []string
	for range 3 {
		in := f.mustSignIn(t)
		f.authOK(t, in.Token) // cached
		mine = append(mine, in.Token)
	}
	theirs, err := f.signIn("binh.tt", staffPass, "")
	if err != nil {
		t.Fatal(err)
	}
	f.authOK(t, theirs.Token)
	sess, _ := f.authOK(t, mine[0])
	n, err := f.svc.SignOutEverywhere(context.Background(), sess)
	if err != nil || n != 3 {
		t.Fatalf("ended %d sessions, %v; want 3", n, err)
	}
	r := f.checkAudit(t, motcua.AuditSignOut, "staff:an.nv", motcua.OutcomeOK)
	if !strings.Contains(r.Detail, "3") || r.Actor.ID != staffID || r.Actor.Kind != motcua.ActorOfficer {
		t.Errorf("audit record %+v", r)
	}
	for _, tok := range mine {
		f.authRefused(t, tok)
	}
	f.authOK(t, theirs.Token)
	if n := f.store.sessionCount(); n != 1 {
		t.Errorf("%d sessions left, want 1", n)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, func(_ *motcua.Staff, c *motcua.Credentials) { c.MustChange = true })
	in, other := f.mustSignIn(t), f.mustSignIn(t)
	if in.Session.Limited != motcua.LimitPasswordChange {
		t.Fatalf("limited %q", in.Session.Limited)
	}
	ctx := context.Background()

	_, err := f.svc.ChangePassword(ctx, in.Token, "not my password", newPass)
	e := checkErr(t, err, motcua.EINVALID, "")
	if len(e.Fields) != 1 || e.Fields[0].Field != "current_password" {
		t.Errorf("fields %+v", e.Fields)
	}
	f.checkAudit(t, motcua.AuditPasswordChange, "staff:an.nv", motcua.OutcomeFailed)
	if got := f.store.credentials(staffID).Failures; got != 1 {
		t.Errorf("a wrong current password counted as %d failures", got)
	}

	for _, tc := range []struct{ next, reason string }{
		{"ngắn quá", motcua.FieldTooShort},
		{"password1234", motcua.FieldCommon},
		{"Qwerty 123456", motcua.FieldCommon},
		{"mật khẩu của an.nv", motcua.FieldContainsName},
		{"tôi là nguyễn văn an.nv", motcua.FieldContainsName},
		{staffPass, motcua.FieldValue},
	} {
		_, err := f.svc.ChangePassword(ctx, in.Token, staffPass, tc.next)
		e := checkErr(t, err, motcua.EINVALID, "")
		if len(e.Fields) != 1 || e.Fields[0].Field != "password" || e.Fields[0].Reason != tc.reason {
			t.Errorf("%q: fields %+v, want password %s", tc.next, e.Fields, tc.reason)
		}
	}
	if got := f.store.credentials(staffID).Failures; got != 1 {
		t.Errorf("refused new passwords counted: %d failures", got)
	}

	changed, err := f.svc.ChangePassword(ctx, in.Token, staffPass, newPass)
	if err != nil {
		t.Fatal(err)
	}
	f.checkAudit(t, motcua.AuditSignIn, "staff:an.nv", motcua.OutcomeOK)
	rs := f.store.records()
	if r := rs[len(rs)-2]; r.Action != motcua.AuditPasswordChange || r.Outcome != motcua.OutcomeOK {
		t.Errorf("audit record %+v before the sign-in", r)
	}
	if s := changed.Session; s.Limited != "" || s.Subject != staffID || s.IP != clientIP || s.UserAgent != userAgent {
		t.Errorf("new session %+v", s)
	}
	f.authRefused(t, in.Token)
	f.authRefused(t, other.Token)
	f.authOK(t, changed.Token)
	if n := f.store.sessionCount(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	cr := f.store.credentials(staffID)
	if cr.MustChange || !cr.PasswordChangedAt.Equal(start) {
		t.Errorf("credentials %+v", cr)
	}
	_, err = f.signIn(staffID, staffPass, "")
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	if in, err := f.signIn(staffID, newPass, ""); err != nil || in.Session.Limited != "" {
		t.Errorf("sign-in with the new password: %v", err)
	}
}

func TestChangePasswordLockout(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, nil)
	in := f.mustSignIn(t)
	l := auth.DefaultLockout()
	for range l.Free {
		_, err := f.svc.ChangePassword(context.Background(), in.Token, "a guess", newPass)
		checkErr(t, err, motcua.EINVALID, "")
	}
	_, err := f.svc.ChangePassword(context.Background(), in.Token, staffPass, newPass)
	tooMany(t, err, l.Base)
	_, err = f.svc.ChangePassword(context.Background(), "mss_nope", staffPass, newPass)
	checkErr(t, err, motcua.EUNAUTHORIZED, "session_invalid")
}

// TestChangePasswordKeepsLimit checks that an administrator without a
// second factor must still enrol one after changing the password.
func TestChangePasswordKeepsLimit(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, func(s *motcua.Staff, c *motcua.Credentials) {
		s.Grants = []motcua.Grant{{Role: motcua.RoleCityAdmin, Unit: "H26"}}
		c.MustChange = true
	})
	in := f.mustSignIn(t)
	changed, err := f.svc.ChangePassword(context.Background(), in.Token, staffPass, newPass)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Session.Limited != motcua.LimitTOTPSetup {
		t.Errorf("limited %q, want %q", changed.Session.Limited, motcua.LimitTOTPSetup)
	}
}

func TestResetPassword(t *testing.T) {
	officer := func(role string) motcua.Actor {
		return motcua.Actor{Kind: motcua.ActorOfficer, ID: "boss", Name: "Trần Văn Boss",
			Grants: []motcua.Grant{{Role: role, Unit: "H26"}}}
	}
	for _, tc := range []struct {
		name  string
		actor *motcua.Actor
		ok    bool
	}{
		{name: "no actor"},
		{name: "specialist", actor: new(officer(motcua.RoleSpecialist))},
		{name: "unit administrator (the web layer checks the unit)", actor: new(officer(motcua.RoleUnitAdmin)), ok: true},
		{name: "citizen", actor: &motcua.Actor{Kind: motcua.ActorCitizen, ID: "c1"}},
		{name: "system", actor: &motcua.SystemActor},
		{name: "city administrator", actor: new(officer(motcua.RoleCityAdmin)), ok: true},
		{name: "bootstrap administrator", actor: &motcua.BootstrapAdmin, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.addStaff(t, staffID, nil)
			old := f.mustSignIn(t)
			f.authOK(t, old.Token)
			ctx := context.Background()
			if tc.actor != nil {
				ctx = motcua.NewContextWithActor(ctx, *tc.actor)
			}
			temporary, err := f.svc.ResetPassword(ctx, staffID)
			if !tc.ok {
				checkErr(t, err, motcua.EFORBIDDEN, "")
				f.authOK(t, old.Token)
				f.mustSignIn(t)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(temporary) < auth.MinPasswordLen || temporary == staffPass {
				t.Errorf("temporary password %q", temporary)
			}
			r := f.checkAudit(t, motcua.AuditPasswordReset, "staff:an.nv", motcua.OutcomeOK)
			if !r.Actor.Same(*tc.actor) {
				t.Errorf("audited actor %+v, want %+v", r.Actor, *tc.actor)
			}
			f.authRefused(t, old.Token)
			if n := f.store.sessionCount(); n != 0 {
				t.Errorf("%d sessions left", n)
			}
			_, err = f.signIn(staffID, staffPass, "")
			checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
			in, err := f.signIn(staffID, temporary, "")
			if err != nil {
				t.Fatal(err)
			}
			if in.Session.Limited != motcua.LimitPasswordChange {
				t.Errorf("limited %q, want %q", in.Session.Limited, motcua.LimitPasswordChange)
			}
			changed, err := f.svc.ChangePassword(context.Background(), in.Token, temporary, newPass)
			if err != nil {
				t.Fatal(err)
			}
			if changed.Session.Limited != "" {
				t.Errorf("limited %q after the change", changed.Session.Limited)
			}
			_, err = f.signIn(staffID, temporary, "")
			checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
			// The staff member may be named by e-mail too.
			if _, err := f.svc.ResetPassword(ctx, "AN.NV@hanoi.gov.vn"); err != nil {
				t.Errorf("reset by e-mail: %v", err)
			}
			_, err = f.svc.ResetPassword(ctx, "nobody")
			checkErr(t, err, motcua.ENOTFOUND, "")
		})
	}
}

func TestTOTPEnrolment(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.Issuer = "Một cửa Hà Nội" })
	f.addStaff(t, staffID, func(s *motcua.Staff, _ *motcua.Credentials) {
		s.Grants = []motcua.Grant{{Role: motcua.RoleCityAdmin, Unit: "H26"}}
	})
	in := f.mustSignIn(t)
	other := f.mustSignIn(t)
	if in.Session.Limited != motcua.LimitTOTPSetup {
		t.Fatalf("limited %q", in.Session.Limited)
	}
	ctx := context.Background()
	en, err := f.svc.BeginTOTP(ctx, in.Session)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	if err != nil || len(secret) != 20 {
		t.Fatalf("secret %q: %d bytes, %v", en.Secret, len(secret), err)
	}
	if en.URI != auth.TOTPURI("Một cửa Hà Nội", staffID, secret) {
		t.Errorf("URI %s", en.URI)
	}
	if again, err := f.svc.BeginTOTP(ctx, in.Session); err != nil || again.Secret == en.Secret {
		t.Errorf("second offer %+v, %v", again, err)
	}
	code := auth.TOTPCode(secret, f.clock.Now())

	_, err = f.svc.ConfirmTOTP(ctx, in.Token, en.Secret, otherCode(code))
	checkErr(t, err, motcua.EUNAUTHORIZED, "totp_invalid")
	for _, bad := range []string{"not base32!", "", "AAAA", strings.Repeat("A", 120)} {
		_, err = f.svc.ConfirmTOTP(ctx, in.Token, bad, code)
		e := checkErr(t, err, motcua.EINVALID, "")
		if len(e.Fields) != 1 || e.Fields[0].Field != "secret" {
			t.Errorf("secret %q: fields %+v", bad, e.Fields)
		}
	}
	if f.store.credentials(staffID).TOTPSecret != nil {
		t.Fatal("a refused confirmation enrolled the secret")
	}

	// The secret as an app shows it: lower case, in groups.
	var typed []string
	for s := strings.ToLower(en.Secret); s != ""; s = s[min(4, len(s)):] {
		typed = append(typed, s[:min(4, len(s))])
	}
	enrolled, err := f.svc.ConfirmTOTP(ctx, in.Token, strings.Join(typed, " "), code)
	if err != nil {
		t.Fatal(err)
	}
	if s := enrolled.Session; !s.MFA || s.Limited != "" {
		t.Errorf("session after enrolment %+v", s)
	}
	rs := f.store.records()
	if r := rs[len(rs)-2]; r.Action != motcua.AuditTOTPChange || r.Object != "staff:an.nv" || r.Outcome != motcua.OutcomeOK {
		t.Errorf("audit record %+v", r)
	}
	f.authRefused(t, in.Token)
	f.authRefused(t, other.Token)
	if s, _ := f.authOK(t, enrolled.Token); s.Limited != "" || !s.MFA {
		t.Errorf("stored session %+v", s)
	}
	if got := f.store.credentials(staffID).TOTPSecret; !slices.Equal(got, secret) {
		t.Errorf("stored secret %x, want %x", got, secret)
	}

	_, err = f.signIn(staffID, staffPass, "")
	checkErr(t, err, motcua.EUNAUTHORIZED, "totp_required")
	_, err = f.signIn(staffID, staffPass, code)
	checkErr(t, err, motcua.EUNAUTHORIZED, "totp_invalid") // spent on the confirmation
	f.clock.Advance(auth.TOTPPeriod)
	in, err = f.signIn(staffID, staffPass, auth.TOTPCode(secret, f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Session.MFA || in.Session.Limited != "" {
		t.Errorf("session %+v", in.Session)
	}
}

// TestTOTPEnrolmentKeepsPasswordLimit checks that enrolling does not lift
// the duty to change the password.
func TestTOTPEnrolmentKeepsPasswordLimit(t *testing.T) {
	f := newFixture(t, nil)
	f.addStaff(t, staffID, func(_ *motcua.Staff, c *motcua.Credentials) { c.MustChange = true })
	in := f.mustSignIn(t)
	en, err := f.svc.BeginTOTP(context.Background(), in.Session)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	enrolled, err := f.svc.ConfirmTOTP(context.Background(), in.Token, en.Secret, auth.TOTPCode(secret, f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if enrolled.Session.Limited != motcua.LimitPasswordChange {
		t.Errorf("limited %q, want %q", enrolled.Session.Limited, motcua.LimitPasswordChange)
	}
}

func TestCitizen(t *testing.T) {
	want := citizen()
	p, o := setup(t, want, nil)
	f := newFixture(t, func(c *auth.Config) { c.OIDC = o })
	ctx := context.Background()
	signInCitizen := func(t *testing.T) *motcua.SignedIn {
		t.Helper()
		flow, err := f.svc.BeginCitizen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if flow.State == "" || flow.Nonce == "" || flow.Verifier == "" || !strings.HasPrefix(flow.URL, p.Issuer()) {
			t.Fatalf("flow %+v", flow)
		}
		redirect := p.Login(t, nil, flow.URL, "ngoc", "mật-khẩu")
		in, err := f.svc.FinishCitizen(ctx, *flow, redirect.Query(), clientIP, userAgent)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}

	in := signInCitizen(t)
	s, a := in.Session, in.Actor
	if s.Kind != motcua.SessionCitizen || s.Subject == "" || !s.MFA || s.Limited != "" || s.IP != clientIP {
		t.Errorf("session %+v", s)
	}
	if a.Kind != motcua.ActorCitizen || a.ID != s.Subject || a.Person != want.IDNumber || a.Name != want.Name {
		t.Errorf("actor %+v", a)
	}
	f.checkAudit(t, motcua.AuditSignIn, "citizen:"+s.Subject, motcua.OutcomeOK)
	stored, err := f.store.FindCitizen(ctx, s.Subject)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Issuer != p.Issuer() || stored.Subject != want.Subject || stored.IDNumber != want.IDNumber ||
		stored.Email != want.Email || !stored.EmailVerified || stored.Phone != want.Phone || stored.Address != want.Address {
		t.Errorf("stored citizen %+v", stored)
	}
	f.clock.Advance(time.Minute)
	if _, got := f.authOK(t, in.Token); got.Kind != motcua.ActorCitizen || got.Person != want.IDNumber || got.ID != s.Subject {
		t.Errorf("authenticated actor %+v", got)
	}

	again := signInCitizen(t)
	if again.Session.Subject != s.Subject || f.store.citizenCount() != 1 {
		t.Errorf("second sign-in as %s (%d citizens), want %s", again.Session.Subject, f.store.citizenCount(), s.Subject)
	}

	// What only staff do.
	_, err = f.svc.ChangePassword(ctx, in.Token, staffPass, newPass)
	checkErr(t, err, motcua.EFORBIDDEN, "")
	_, err = f.svc.BeginTOTP(ctx, in.Session)
	checkErr(t, err, motcua.EFORBIDDEN, "")
	_, err = f.svc.ConfirmTOTP(ctx, in.Token, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "123456")
	checkErr(t, err, motcua.EFORBIDDEN, "")

	t.Run("wrong state", func(t *testing.T) {
		flow, err := f.svc.BeginCitizen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		query := p.Login(t, nil, flow.URL, "ngoc", "mật-khẩu").Query()
		query.Set("state", "forged")
		n := f.store.citizenCount()
		in, err := f.svc.FinishCitizen(ctx, *flow, query, clientIP, userAgent)
		if err == nil || auth.OIDCReason(err) != auth.OIDCStateMismatch || motcua.ErrorCode(err) != motcua.EUNAUTHORIZED {
			t.Fatalf("signed in %+v, %v", in, err)
		}
		r := f.checkAudit(t, motcua.AuditSignInFailed, "citizen", motcua.OutcomeFailed)
		if r.IP != clientIP || !strings.Contains(r.Detail, auth.OIDCStateMismatch) {
			t.Errorf("audit record %+v", r)
		}
		if f.store.citizenCount() != n {
			t.Error("a refused sign-in stored a citizen")
		}
	})
	t.Run("declined", func(t *testing.T) {
		flow, err := f.svc.BeginCitizen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.FinishCitizen(ctx, *flow, p.Deny(t, nil, flow.URL).Query(), clientIP, userAgent)
		if auth.OIDCReason(err) != auth.OIDCProviderError {
			t.Errorf("got %v", err)
		}
		f.checkAudit(t, motcua.AuditSignInFailed, "citizen", motcua.OutcomeFailed)
	})
	t.Run("sign out everywhere", func(t *testing.T) {
		n, err := f.svc.SignOutEverywhere(ctx, in.Session)
		if err != nil || n != 2 {
			t.Fatalf("ended %d sessions, %v; want 2", n, err)
		}
		r := f.checkAudit(t, motcua.AuditSignOut, "citizen:"+s.Subject, motcua.OutcomeOK)
		if r.Actor.Kind != motcua.ActorCitizen {
			t.Errorf("audited actor %+v", r.Actor)
		}
		f.authRefused(t, in.Token)
		f.authRefused(t, again.Token)
	})
}

// TestCitizenRemoved checks that the session of a citizen no longer in
// the store is refused.
func TestCitizenRemoved(t *testing.T) {
	p, o := setup(t, citizen(), nil)
	f := newFixture(t, func(c *auth.Config) { c.OIDC = o })
	ctx := context.Background()
	flow, err := f.svc.BeginCitizen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.svc.FinishCitizen(ctx, *flow, p.Login(t, nil, flow.URL, "ngoc", "mật-khẩu").Query(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	f.store.mu.Lock()
	clear(f.store.citizens)
	f.store.mu.Unlock()
	f.authRefused(t, in.Token)
}

func TestCitizenUnavailable(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.svc.BeginCitizen(context.Background())
	checkErr(t, err, motcua.EUNAVAILABLE, "")
	_, err = f.svc.FinishCitizen(context.Background(), motcua.CitizenFlow{State: "s", Nonce: "n", Verifier: "v"},
		url.Values{"state": {"s"}, "code": {"c"}}, clientIP, userAgent)
	checkErr(t, err, motcua.EUNAVAILABLE, "")
}

// TestTOTPUnits checks that the staff of the units listed in TOTPUnits,
// and of the units below them, must set up a second factor, and the
// others need not.
func TestTOTPUnits(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.TOTPUnits = []string{"001"} })
	f.store.parents = map[string]string{"01": "", "001": "01", "00001": "001", "002": "01"}
	for _, tc := range []struct {
		unit    string
		limited string
	}{
		{"001", motcua.LimitTOTPSetup},
		{"00001", motcua.LimitTOTPSetup},
		{"002", ""},
		{"01", ""},
	} {
		id := "staff-" + tc.unit
		f.addStaff(t, id, func(s *motcua.Staff, _ *motcua.Credentials) {
			s.Grants = []motcua.Grant{{Role: motcua.RoleSpecialist, Unit: tc.unit}}
		})
		in, err := f.signIn(id, staffPass, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.unit, err)
		}
		if in.Session.Limited != tc.limited {
			t.Errorf("staff of unit %s: limited %q; want %q", tc.unit, in.Session.Limited, tc.limited)
		}
	}
}
