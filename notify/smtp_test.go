package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/internal/smtptest"
	"motcua/notify"
)

const vietnamese = "Kính gửi ông Nguyễn Văn Ân,\nHồ sơ của ông đã được tiếp nhận. Xin cảm ơn!\n" +
	"Một dòng rất dài để kiểm tra việc ngắt dòng của quoted-printable: Đường Lê Duẩn, phường Cửa Nam, quận Hoàn Kiếm, Hà Nội.\n"

// checkMessage checks that got is m as sent by the mailer from from.
func checkMessage(t *testing.T, got *mail.Message, from string, m motcua.MailMessage) {
	t.Helper()
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(got.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q, %v; want %q", subject, err, m.Subject)
	}
	if a, err := mail.ParseAddress(got.Header.Get("To")); err != nil || a.Address != m.To {
		t.Errorf("To = %q", got.Header.Get("To"))
	}
	if a, err := mail.ParseAddress(got.Header.Get("From")); err != nil || a.String() != from {
		t.Errorf("From = %q (%v); want %q", got.Header.Get("From"), err, from)
	}
	if d, err := got.Header.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date = %q, %v", got.Header.Get("Date"), err)
	}
	if id := got.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.vn>") {
		t.Errorf("Message-ID = %q", id)
	}
	if ct := got.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cte := got.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", cte)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(got.Body))
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.ReplaceAll(string(body), "\r\n", "\n"); text != m.Text {
		t.Errorf("text = %q; want %q", text, m.Text)
	}
}

func TestSMTPSend(t *testing.T) {
	addr, next := smtptest.Start(t)
	from := `"Một cửa Hà Nội" <no-reply@example.vn>`
	mailer, err := notify.New(notify.Config{Addr: addr, From: from, HelloName: "motcua.example.vn"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := mail.ParseAddress(from)
	for _, m := range []motcua.MailMessage{
		{To: "an@example.vn", Subject: "Xác nhận địa chỉ thư điện tử / Confirm your e-mail address", Text: vietnamese},
		{To: "Nguyễn Văn Ân <an@example.vn>", Subject: "Plain ASCII", Text: "line 1\nline 2\n.\n.. a dot line\n"},
	} {
		if err := mailer.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if a, _ := mail.ParseAddress(m.To); a != nil {
			m.To = a.Address
		}
		checkMessage(t, next(), want.String(), m)
	}
}

func TestSMTPRefusesHeaderInjection(t *testing.T) {
	mailer, err := notify.New(notify.Config{Addr: "127.0.0.1:1", From: "no-reply@example.vn"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []motcua.MailMessage{
		{To: "an@example.vn\r\nBcc: all@example.vn", Subject: "x", Text: "x"},
		{To: "an@example.vn", Subject: "x\nBcc: all@example.vn", Text: "x"},
		{To: "an@example.vn", Subject: "x\r", Text: "x"},
		{To: "not an address", Subject: "x", Text: "x"},
	} {
		if err := mailer.Send(context.Background(), m); err == nil {
			t.Errorf("Send(%q) succeeded", m)
		}
	}
}

func TestSMTPConfig(t *testing.T) {
	for _, cfg := range []notify.Config{
		{Addr: "mail.example.vn", From: "a@example.vn"},
		{Addr: "mail.example.vn:25", From: "not an address"},
		{Addr: "mail.example.vn:25", From: "a@example.vn", HelloName: "a\r\nb"},
	} {
		if _, err := notify.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns their paths and a pool trusting it.
func selfSigned(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}

// TestSMTPStartTLS sends through a server that requires STARTTLS: with
// its certificate trusted the message arrives; with the system's roots
// the certificate is refused and nothing is sent.
func TestSMTPStartTLS(t *testing.T) {
	cert, key, pool := selfSigned(t, t.TempDir())
	addr, next := smtptest.Start(t, "--tlscert", cert, "--tlskey", key)
	m := motcua.MailMessage{To: "an@example.vn", Subject: "Qua TLS", Text: vietnamese}
	untrusted, err := notify.New(notify.Config{Addr: addr, From: "no-reply@example.vn"})
	if err != nil {
		t.Fatal(err)
	}
	if err := untrusted.Send(context.Background(), m); err == nil {
		t.Fatal("Send with an untrusted certificate succeeded")
	}
	mailer, err := notify.New(notify.Config{Addr: addr, From: "no-reply@example.vn", TLS: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	if err := mailer.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkMessage(t, next(), "<no-reply@example.vn>", m)
}

func TestSMTPCancelled(t *testing.T) {
	addr, _ := smtptest.Start(t)
	mailer, err := notify.New(notify.Config{Addr: addr, From: "no-reply@example.vn"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := mailer.Send(ctx, motcua.MailMessage{To: "an@example.vn", Subject: "x", Text: "x"}); err == nil {
		t.Fatal("Send with a cancelled context succeeded")
	}
}
