package auth_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/auth"
)

// fakeMailer keeps what it is asked to send.
type fakeMailer struct {
	mu   sync.Mutex
	sent []motcua.MailMessage
	err  error
}

func (m *fakeMailer) Send(_ context.Context, msg motcua.MailMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.sent = append(m.sent, msg)
	return nil
}

// last returns the latest message sent, and how many were.
func (m *fakeMailer) last(t testing.TB) (motcua.MailMessage, int) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		t.Fatal("no e-mail sent")
	}
	return m.sent[len(m.sent)-1], len(m.sent)
}

const (
	citizenEmail = "an.nguyen@example.vn"
	citizenPass  = "sông Hồng chảy qua Hà Nội"
	baseURL      = "https://dichvucong.example.vn/"
)

func newLocalFixture(t testing.TB) (*fixture, *fakeMailer) {
	m := &fakeMailer{}
	f := newFixture(t, func(c *auth.Config) {
		c.LocalCitizens, c.Mailer, c.BaseURL = true, m, baseURL
	})
	return f, m
}

// linkToken returns the token of the verification link in msg.
func linkToken(t testing.TB, msg motcua.MailMessage) string {
	t.Helper()
	const prefix = "https://dichvucong.example.vn/auth/citizen/verify?token="
	i := strings.Index(msg.Text, prefix)
	if i < 0 {
		t.Fatalf("no link in %q", msg.Text)
	}
	link, _, _ := strings.Cut(msg.Text[i:], "\n")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

func (f *fixture) register(email, name, password string) error {
	return f.svc.RegisterCitizen(context.Background(), email, name, password, clientIP)
}

func (f *fixture) signInCitizen(login, password string) (*motcua.SignedIn, error) {
	return f.svc.SignInLocalCitizen(context.Background(), motcua.SignInRequest{Login: login, Password: password,
		IP: clientIP, UserAgent: userAgent})
}

func TestLocalCitizenDisabled(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	checkErr(t, f.register(citizenEmail, "An", citizenPass), motcua.EUNAVAILABLE, "local_accounts_unavailable")
	_, err := f.svc.VerifyCitizen(ctx, auth.VerifyTokenPrefix+"x", clientIP, userAgent)
	checkErr(t, err, motcua.EUNAVAILABLE, "local_accounts_unavailable")
	_, err = f.signInCitizen(citizenEmail, citizenPass)
	checkErr(t, err, motcua.EUNAVAILABLE, "local_accounts_unavailable")
	for _, cfg := range []auth.Config{
		{Store: f.store, LocalCitizens: true, BaseURL: baseURL},
		{Store: f.store, LocalCitizens: true, Mailer: &fakeMailer{}},
	} {
		if _, err := auth.New(cfg); err == nil {
			t.Errorf("New without a mailer or a base URL succeeded")
		}
	}
}

func TestLocalCitizenRegisterVerifySignIn(t *testing.T) {
	f, m := newLocalFixture(t)
	ctx := context.Background()
	if err := f.register(" An.Nguyen@Example.VN ", "Nguyễn Văn An", citizenPass); err != nil {
		t.Fatal(err)
	}
	msg, _ := m.last(t)
	if msg.To != citizenEmail || !strings.Contains(msg.Subject, "Xác nhận") || !strings.Contains(msg.Text, "24 giờ") ||
		!strings.Contains(msg.Text, "24 hours") {
		t.Errorf("verification e-mail = %+v", msg)
	}
	f.checkAudit(t, motcua.AuditCitizenRegister, "citizen:citizen-1", motcua.OutcomeOK)
	token := linkToken(t, msg)
	if !strings.HasPrefix(token, auth.VerifyTokenPrefix) || len(token) != len(auth.VerifyTokenPrefix)+52 {
		t.Errorf("token %q is not 256 bits with the prefix", token)
	}
	// Not verified yet: sign-in fails like a wrong password.
	_, err := f.signInCitizen(citizenEmail, citizenPass)
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")

	in, err := f.svc.VerifyCitizen(ctx, token, clientIP, userAgent)
	if err != nil {
		t.Fatal(err)
	}
	sess, actor := f.authOK(t, in.Token)
	if sess.Kind != motcua.SessionCitizen || actor.Kind != motcua.ActorCitizen || actor.ID != "citizen-1" ||
		actor.Person != "" || actor.Name != "Nguyễn Văn An" {
		t.Errorf("after verification: %+v, %+v", sess, actor)
	}
	f.checkAudit(t, motcua.AuditSignIn, "citizen:citizen-1", motcua.OutcomeOK)
	_, err = f.svc.VerifyCitizen(ctx, token, clientIP, userAgent)
	checkErr(t, err, motcua.ENOTFOUND, "verification_link_invalid")
	f.checkAudit(t, motcua.AuditSignInFailed, "citizen", motcua.OutcomeFailed)

	in, err = f.signInCitizen("AN.NGUYEN@example.vn", citizenPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, a := f.authOK(t, in.Token); a.ID != "citizen-1" || a.Person != "" {
		t.Errorf("signed in as %+v", a)
	}
}

// TestLocalCitizenNoEnumeration registers an address in each state: the
// answer is nil and one e-mail goes to the address each time; a verified
// account is left alone and told.
func TestLocalCitizenNoEnumeration(t *testing.T) {
	f, m := newLocalFixture(t)
	ctx := context.Background()
	if err := f.register(citizenEmail, "Nguyễn Văn An", citizenPass); err != nil {
		t.Fatal(err)
	}
	first, _ := m.last(t)
	// Unverified: a new link replaces the first one, and a new password
	// the first.
	if err := f.register(citizenEmail, "Nguyễn Văn Ân", citizenPass+" mới"); err != nil {
		t.Fatal(err)
	}
	second, n := m.last(t)
	if n != 2 || linkToken(t, second) == linkToken(t, first) {
		t.Fatalf("second registration sent %d e-mails, link %q", n, linkToken(t, second))
	}
	if _, err := f.svc.VerifyCitizen(ctx, linkToken(t, first), clientIP, userAgent); motcua.ErrorCode(err) != motcua.ENOTFOUND {
		t.Errorf("the replaced link works: %v", err)
	}
	if _, err := f.svc.VerifyCitizen(ctx, linkToken(t, second), clientIP, userAgent); err != nil {
		t.Fatal(err)
	}
	// Verified: nil, and a notice without a link; nothing changes.
	if err := f.register(citizenEmail, "Kẻ Mạo Danh", "một mật khẩu khác hẳn"); err != nil {
		t.Fatal(err)
	}
	notice, n := m.last(t)
	if n != 3 || notice.To != citizenEmail || strings.Contains(notice.Text, "token=") ||
		!strings.Contains(notice.Text, "already") || !strings.Contains(notice.Text, "đã có tài khoản") {
		t.Errorf("notice %d = %+v", n, notice)
	}
	if _, err := f.signInCitizen(citizenEmail, "một mật khẩu khác hẳn"); motcua.ErrorCode(err) != motcua.EUNAUTHORIZED {
		t.Errorf("the intruder's password works: %v", err)
	}
	in, err := f.signInCitizen(citizenEmail, citizenPass+" mới")
	if err != nil {
		t.Fatal(err)
	}
	if _, a := f.authOK(t, in.Token); a.Name != "Nguyễn Văn Ân" {
		t.Errorf("name changed to %q", a.Name)
	}
}

func TestLocalCitizenRegisterInvalid(t *testing.T) {
	f, m := newLocalFixture(t)
	for _, tt := range []struct {
		name, email, fullName, password, field string
	}{
		{"no e-mail", "", "An", citizenPass, "email"},
		{"not an e-mail", "an@", "An", citizenPass, "email"},
		{"display name", "An <an@example.vn>", "An", citizenPass, "email"},
		{"no domain dot", "an@localhost", "An", citizenPass, "email"},
		{"header injection", "an@example.vn\r\nBcc: x@example.vn", "An", citizenPass, "email"},
		{"no name", citizenEmail, " ", citizenPass, "name"},
		{"control in name", citizenEmail, "An\x00", citizenPass, "name"},
		{"long name", citizenEmail, strings.Repeat("â", 201), citizenPass, "name"},
		{"short password", citizenEmail, "An", "ngắn", "password"},
		{"common password", citizenEmail, "An", "password123", "password"},
		{"password with the e-mail", citizenEmail, "An", "an.nguyen 2025 xyz", "password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := checkErr(t, f.register(tt.email, tt.fullName, tt.password), motcua.EINVALID, "")
			if len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
				t.Errorf("fields %+v, want %s", e.Fields, tt.field)
			}
		})
	}
	if len(m.sent) != 0 {
		t.Errorf("%d e-mails sent for invalid registrations", len(m.sent))
	}
}

func TestLocalCitizenMailFails(t *testing.T) {
	f, m := newLocalFixture(t)
	m.err = errors.New("connection refused")
	checkErr(t, f.register(citizenEmail, "An", citizenPass), motcua.EUNAVAILABLE, "mail_unavailable")
	f.checkAudit(t, motcua.AuditCitizenRegister, "citizen:citizen-1", motcua.OutcomeFailed)
}

// TestLocalCitizenThrottle: registrations of one address, and failed
// sign-ins of one account, are slowed down like staff sign-ins.
func TestLocalCitizenThrottle(t *testing.T) {
	f, m := newLocalFixture(t)
	l := auth.DefaultLockout()
	for i := range l.Free {
		if err := f.register(citizenEmail, "An", citizenPass); err != nil {
			t.Fatalf("registration %d: %v", i+1, err)
		}
	}
	err := f.register(citizenEmail, "An", citizenPass)
	tooMany(t, err, l.Base)
	f.checkAudit(t, motcua.AuditCitizenRegister, "citizen:"+citizenEmail, motcua.OutcomeDenied)
	if _, n := m.last(t); n != l.Free {
		t.Errorf("%d e-mails sent, want %d", n, l.Free)
	}
	f.clock.Advance(l.Base)
	if err := f.register(citizenEmail, "An", citizenPass); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	token := linkToken(t, m.sent[len(m.sent)-1])
	if _, err := f.svc.VerifyCitizen(context.Background(), token, clientIP, userAgent); err != nil {
		t.Fatal(err)
	}

	// Sign-in: unknown address, wrong password alike, then locked out.
	_, err = f.signInCitizen("nobody@example.vn", citizenPass)
	checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	f.checkAudit(t, motcua.AuditSignInFailed, "citizen:nobody@example.vn", motcua.OutcomeFailed)
	for range l.Free {
		_, err = f.signInCitizen(citizenEmail, "sai mật khẩu rồi")
		checkErr(t, err, motcua.EUNAUTHORIZED, "sign_in_failed")
	}
	_, err = f.signInCitizen(citizenEmail, citizenPass)
	tooMany(t, err, l.Base)
	f.clock.Advance(l.Base + time.Second)
	if _, err := f.signInCitizen(citizenEmail, citizenPass); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	_, err = f.signInCitizen("", "")
	checkErr(t, err, motcua.EINVALID, "invalid_fields")
}
