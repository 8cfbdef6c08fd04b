// Package notify sends the messages of motcua to people: e-mail through
// an SMTP server.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"motcua"
)

// Config configures an SMTP mailer.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// From is the sender's address, with or without a display name
	// ("Một cửa <no-reply@example.vn>").
	From string
	// User and Password authenticate with PLAIN when User is set; only
	// over TLS, or to a loopback server.
	User, Password string
	// HelloName is the name given in EHLO; empty means "localhost".
	HelloName string
	// Timeout bounds the whole exchange with the server when the
	// context has no earlier deadline (default 30 seconds).
	Timeout time.Duration
	// TLS configures STARTTLS; nil means the system's roots with the
	// host of Addr as server name. Certificates are always verified.
	TLS *tls.Config
}

// DefaultTimeout is Config.Timeout's default.
const DefaultTimeout = 30 * time.Second

// SMTP sends e-mail through one SMTP server. It upgrades the connection
// with STARTTLS whenever the server offers it, and sends in plain text
// only to a loopback server.
type SMTP struct {
	cfg  Config
	host string
	from *mail.Address
}

var _ motcua.Mailer = (*SMTP)(nil)

// New returns an SMTP mailer for cfg.
func New(cfg Config) (*SMTP, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("notify: SMTP address %q is not host:port", cfg.Addr)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: sender address %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	if strings.ContainsAny(cfg.HelloName, "\r\n ") {
		return nil, errors.New("notify: the HELO name holds a space or a line break")
	}
	return &SMTP{cfg: cfg, host: host, from: from}, nil
}

// loopback reports whether host is the local machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send implements motcua.Mailer.
func (s *SMTP) Send(ctx context.Context, m motcua.MailMessage) error {
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("notify: a line break in the recipient or the subject")
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("notify: recipient %q: %w", m.To, err)
	}
	msg, err := s.compose(to, m, time.Now())
	if err != nil {
		return err
	}
	deadline := time.Now().Add(s.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("notify: dial %s: %w", s.cfg.Addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	// A cancelled context ends the exchange at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if err := s.send(conn, to.Address, msg); err != nil {
		return fmt.Errorf("notify: send to %s through %s: %w", to.Address, s.cfg.Addr, err)
	}
	return nil
}

// send runs the SMTP exchange on conn.
func (s *SMTP) send(conn net.Conn, to string, msg []byte) error {
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
		if s.cfg.TLS != nil {
			cfg = s.cfg.TLS.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = s.host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	} else if !loopback(s.host) {
		return errors.New("the server does not offer STARTTLS")
	}
	if s.cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, s.host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose returns the message: headers, then the text in UTF-8, quoted-
// printable.
func (s *SMTP) compose(to *mail.Address, m motcua.MailMessage, now time.Time) ([]byte, error) {
	var id [16]byte
	rand.Read(id[:])
	domain := "localhost"
	if at := strings.LastIndexByte(s.from.Address, '@'); at >= 0 {
		domain = s.from.Address[at+1:]
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", s.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Text, "\r\n", "\n"))); err != nil {
		return nil, fmt.Errorf("notify: encode the text: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("notify: encode the text: %w", err)
	}
	return b.Bytes(), nil
}
