package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"motcua"
	"motcua/auth"
	"motcua/notify"
	"motcua/sqlstore"
)

// adminOptions are the flags of "motcua admin create".
type adminOptions struct {
	id, name, email, unit string
	passwordStdin         bool
}

// adminCreate creates (or makes again) a city administrator: the first
// account of a new installation, or a way back in for the operator. The
// password comes from stdin with --password-stdin; otherwise a temporary
// one is printed, to be changed at the first sign-in. Either way the
// administrator enrols a second factor at the first sign-in.
func adminCreate(ctx context.Context, c Config, o adminOptions, stdin io.Reader, stdout io.Writer) error {
	db, err := open(ctx, c, c.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.unit == "" {
		roots, _, err := db.FindUnits(ctx, motcua.UnitFilter{Page: motcua.Page{Limit: 2}})
		if err != nil {
			return err
		}
		if len(roots) != 1 {
			return errors.New("admin create needs --unit: the unit (and everything below it) the administrator administers")
		}
		o.unit = roots[0].Code
	}
	password, temporary := "", false
	if o.passwordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if err := auth.CheckPassword(password, o.id, o.email, o.name); err != nil {
			return fmt.Errorf("the password: %s", fieldProblems(err))
		}
	} else {
		if password, err = temporaryPassword(); err != nil {
			return err
		}
		temporary = true
	}
	st := &motcua.Staff{ID: o.id, Name: o.name, Email: o.email,
		Grants: []motcua.Grant{{Role: motcua.RoleCityAdmin, Unit: o.unit}}}
	sys := motcua.NewContextWithActor(ctx, motcua.SystemActor)
	if _, err := db.SaveStaff(sys, st); err != nil {
		return fmt.Errorf("admin create: %s", fieldProblems(err))
	}
	hash, err := auth.NewHasher(auth.DefaultParams(), 0).Hash(ctx, password)
	if err != nil {
		return err
	}
	if err := db.SetPassword(ctx, st.ID, hash, temporary, time.Now()); err != nil {
		return err
	}
	// Made again, the account starts afresh: no second factor (enrolled
	// again at the next sign-in), no failures, no sessions.
	if err := db.SetTOTP(ctx, st.ID, nil); err != nil {
		return err
	}
	if _, err := db.RecordSignIn(ctx, st.ID, true, time.Now()); err != nil {
		return err
	}
	if _, err := db.DeleteSessions(ctx, motcua.SessionStaff, st.ID); err != nil {
		return err
	}
	err = db.Audit(ctx, &motcua.AuditRecord{At: time.Now(), Actor: motcua.SystemActor, Action: motcua.AuditStaffChange,
		Object: "staff:" + st.ID, Outcome: motcua.OutcomeOK, Detail: "city administrator of " + o.unit + " made by motcua admin create"})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "administrator %s: city_admin of unit %s\n", st.ID, o.unit)
	if temporary {
		fmt.Fprintf(stdout, "temporary password (shown once; changed at the first sign-in): %s\n", password)
	}
	fmt.Fprintln(stdout, "at the first sign-in the administrator sets up a second factor (an authenticator app)")
	return nil
}

// temporaryPassword returns 120 random bits as 24 letters and digits.
func temporaryPassword() (string, error) {
	t := newToken()
	if len(t) < 24 {
		return "", errors.New("temporary password: token too short")
	}
	return t[:24], nil
}

// fieldProblems renders a validation error for the terminal.
func fieldProblems(err error) string {
	var e *motcua.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
		if f.Message != "" {
			fmt.Fprintf(&b, " (%s)", f.Message)
		}
	}
	return b.String()
}

// adminFlags registers the flags of "admin create".
func (o *adminOptions) flags(c *Config, fs *flag.FlagSet) {
	c.dbFlags(fs)
	fs.StringVar(&o.id, "id", "", "the administrator's login (lower-case letters, digits, . _ -)")
	fs.StringVar(&o.name, "name", "", "the administrator's full name")
	fs.StringVar(&o.email, "email", "", "the administrator's e-mail (optional; also a login)")
	fs.StringVar(&o.unit, "unit", "", "the unit administered with everything below it (default: the only top-level unit)")
	fs.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from the first line of stdin instead of printing a temporary one")
}

// newAuth returns the authentication service of serve.
func newAuth(ctx context.Context, c Config, db *sqlstore.DB, logger *slog.Logger) (*auth.Service, error) {
	var rp *auth.OIDC
	if c.OIDCIssuer != "" {
		var err error
		rp, err = auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID,
			ClientSecret: c.OIDCClientSecret, RedirectURL: strings.TrimSuffix(c.BaseURL, "/") + "/auth/citizen/callback",
			IDNumberClaim: c.OIDCIDClaim})
		if err != nil {
			return nil, fmt.Errorf("citizen sign-in: %w", err)
		}
	}
	var units []string
	for u := range strings.SplitSeq(c.TOTPUnits, ",") {
		if u = strings.TrimSpace(u); u != "" {
			units = append(units, u)
		}
	}
	var mailer motcua.Mailer
	if c.LocalCitizens {
		hello := "localhost"
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
			hello = u.Hostname()
		}
		m, err := notify.New(notify.Config{Addr: c.SMTPAddr, From: c.SMTPFrom, User: c.SMTPUser,
			Password: c.SMTPPassword, HelloName: hello})
		if err != nil {
			return nil, fmt.Errorf("local citizen accounts: %w", err)
		}
		mailer = m
	}
	return auth.New(auth.Config{Store: db, IdleTimeout: c.SessionIdle, AbsoluteTimeout: c.SessionMax,
		Issuer: "motcua", TOTPUnits: units, OIDC: rp, Logger: logger,
		LocalCitizens: c.LocalCitizens, Mailer: mailer, BaseURL: c.BaseURL})
}

// listen returns the listener of serve: TLS when a certificate is
// configured.
func listen(c Config) (net.Listener, error) {
	var cfg *tls.Config
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load the TLS certificate: %w", err)
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	return ln, nil
}

// purgeSessions deletes ended sessions every interval until ctx is done.
func purgeSessions(ctx context.Context, db *sqlstore.DB, c Config, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		if n, err := db.DeleteExpiredSessions(ctx, now, now.Add(-c.SessionIdle)); err != nil {
			logger.Warn("purge sessions", "error", err)
		} else if n > 0 {
			logger.Info("purged ended sessions", "sessions", n)
		}
	}
}
