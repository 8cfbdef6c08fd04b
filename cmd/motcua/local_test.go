package main

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"

	"motcua"
	"motcua/internal/smtptest"
	"motcua/internal/testkit"
	"motcua/sqlstore"
	"motcua/web"
)

// mailText returns the decoded subject and text of m.
func mailText(t *testing.T, m *mail.Message) (subject, text string) {
	t.Helper()
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return subject, string(b)
}

// TestLocalCitizens drives local citizen accounts end to end, wired as
// serve wires them (configuration, newAuth, the SMTP mailer), with a real
// SMTP server: a citizen registers, the e-mail arrives, its link opens a
// citizen session; they sign out and in with their password; registering
// the address again only sends a notice.
func TestLocalCitizens(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		smtpAddr, next := smtptest.Start(t)
		db := testkit.MustOpenDB(t, dsn, sqlstore.Options{})
		var h http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)

		env := map[string]string{"MOTCUA_LOCAL_CITIZENS": "true", "MOTCUA_SMTP_FROM": "Một cửa Hà Nội <no-reply@example.vn>"}
		c, _, err := parseConfig("serve", []string{"--db", dsn, "--smtp-addr", smtpAddr, "--base-url", srv.URL},
			func(k string) string { return env[k] }, (*Config).serveFlags)
		if err != nil {
			t.Fatal(err)
		}
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		svc, err := newAuth(ctx, c, db, logger)
		if err != nil {
			t.Fatal(err)
		}
		h = web.NewServer(web.Config{Store: db, Auth: svc, Logger: logger}).Handler()

		const (
			email    = "an.nguyen@example.vn"
			password = "Hoa phượng đỏ rực sân trường"
			register = `{"email":"An.Nguyen@Example.VN","name":"Nguyễn Văn An","password":"` + password + `"}`
		)
		b := newBrowser(t, srv.URL)
		b.must(http.StatusAccepted, "POST", "/api/v1/auth/citizen/register", register, nil)

		// The e-mail with the link.
		m := next()
		subject, text := mailText(t, m)
		if to, err := mail.ParseAddress(m.Header.Get("To")); err != nil || to.Address != email {
			t.Errorf("To = %q", m.Header.Get("To"))
		}
		if from, err := mail.ParseAddress(m.Header.Get("From")); err != nil || from.Name != "Một cửa Hà Nội" {
			t.Errorf("From = %q", m.Header.Get("From"))
		}
		if !strings.Contains(subject, "Xác nhận địa chỉ thư điện tử") || !strings.Contains(text, "vui lòng mở liên kết") {
			t.Errorf("verification e-mail: %q\n%s", subject, text)
		}
		prefix := srv.URL + "/auth/citizen/verify?token="
		i := strings.Index(text, prefix)
		if i < 0 {
			t.Fatalf("no link in the e-mail:\n%s", text)
		}
		link, _, _ := strings.Cut(text[i:], "\n")
		link = strings.TrimSpace(link)

		// Not verified yet: no sign-in.
		if got, body, _ := b.do("POST", "/api/v1/auth/citizen/sign-in", `{"login":"`+email+`","password":"`+password+`"}`, false); got != http.StatusUnauthorized || problemCode(body) != "sign_in_failed" {
			t.Fatalf("sign-in before verification: %d %s", got, body)
		}

		// The link opens a citizen session.
		got, body, res := b.do("GET", link, "", false)
		if got != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("GET the link: %d %s", got, body)
		}
		var s sessionAnswer
		b.must(http.StatusOK, "GET", "/api/v1/auth/session", "", s.reset())
		if s.Kind != motcua.SessionCitizen || s.Subject == "" {
			t.Fatalf("session after verification = %+v", s)
		}
		citizen := s.Subject
		if got, body, _ := newBrowser(t, srv.URL).do("GET", link, "", false); got != http.StatusNotFound || problemCode(body) != "verification_link_invalid" {
			t.Errorf("the link used twice: %d %s", got, body)
		}

		// Sign out, then in with the password.
		b.must(http.StatusNoContent, "POST", "/api/v1/auth/sign-out", "", nil)
		if got, _, _ := b.do("GET", "/api/v1/auth/session", "", false); got != http.StatusUnauthorized {
			t.Fatalf("session after sign-out: %d", got)
		}
		b.must(http.StatusOK, "POST", "/api/v1/auth/citizen/sign-in", `{"login":"AN.NGUYEN@example.vn","password":"`+password+`"}`, s.reset())
		if s.Kind != motcua.SessionCitizen || s.Subject != citizen {
			t.Fatalf("session after sign-in = %+v; want citizen %s", s, citizen)
		}

		// Registering the address again sends a notice and changes
		// nothing.
		other := newBrowser(t, srv.URL)
		other.must(http.StatusAccepted, "POST", "/api/v1/auth/citizen/register",
			`{"email":"`+email+`","name":"Kẻ Mạo Danh","password":"Một mật khẩu hoàn toàn khác"}`, nil)
		subject, text = mailText(t, next())
		if !strings.Contains(subject, "đã được đăng ký") || !strings.Contains(text, "đã có tài khoản") || strings.Contains(text, "token=") {
			t.Errorf("notice e-mail: %q\n%s", subject, text)
		}
		if got, body, _ := other.do("POST", "/api/v1/auth/citizen/sign-in", `{"login":"`+email+`","password":"Một mật khẩu hoàn toàn khác"}`, false); got != http.StatusUnauthorized {
			t.Errorf("sign-in with the second registration's password: %d %s", got, body)
		}
		c2, _, verified, err := db.LocalCitizenByEmail(ctx, email)
		if err != nil || c2.ID != citizen || c2.Name != "Nguyễn Văn An" || !verified || c2.IDNumber != "" {
			t.Errorf("citizen after the second registration = %+v, %v, %v", c2, verified, err)
		}
		recs, err := db.FindAudit(ctx, motcua.AuditFilter{Action: "citizen_register"})
		if err != nil || len(recs) != 2 {
			t.Errorf("registrations audited: %d, %v; want 2", len(recs), err)
		}
	})
}
