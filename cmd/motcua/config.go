package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"motcua"
)

// Config is the configuration of motcua, from flags and MOTCUA_*
// environment variables (flags win).
type Config struct {
	Addr               string        // MOTCUA_ADDR
	DB                 string        // MOTCUA_DB: sqlite:PATH or postgres://…; empty means a SQLite file in Data
	Data               string        // MOTCUA_DATA
	Migrate            bool          // MOTCUA_MIGRATE
	Demo               bool          // MOTCUA_DEMO
	AdminToken         string        // MOTCUA_ADMIN_TOKEN
	CheckpointInterval time.Duration // MOTCUA_CHECKPOINT_INTERVAL
	Pprof              string        // MOTCUA_PPROF: loopback address of the profiling listener; empty means none
	SchedulerInterval  time.Duration // MOTCUA_SCHEDULER_INTERVAL: how often due times are scanned
	Place              string        // MOTCUA_PLACE: the place name on the statutory forms
	BaseURL            string        // MOTCUA_BASE_URL: the public address, for the forms' QR codes
	ShowOfficers       bool          // MOTCUA_SHOW_OFFICERS: officers' names in citizens' timelines
	TLSCert, TLSKey    string        // MOTCUA_TLS_CERT, MOTCUA_TLS_KEY: serve HTTPS with these PEM files
	SessionIdle        time.Duration // MOTCUA_SESSION_IDLE: a session unused this long ends
	SessionMax         time.Duration // MOTCUA_SESSION_MAX: any session this old ends
	OIDCIssuer         string        // MOTCUA_OIDC_ISSUER: citizens' identity provider; empty means none
	OIDCClientID       string        // MOTCUA_OIDC_CLIENT_ID
	OIDCClientSecret   string        // MOTCUA_OIDC_CLIENT_SECRET
	OIDCIDClaim        string        // MOTCUA_OIDC_ID_CLAIM: the claim with the 12-digit identification number
	TOTPUnits          string        // MOTCUA_TOTP_UNITS: comma-separated units whose staff must all use a second factor
	LocalCitizens      bool          // MOTCUA_LOCAL_CITIZENS: citizens may register with an e-mail address and a password
	SMTPAddr           string        // MOTCUA_SMTP_ADDR: host:port of the SMTP server that sends e-mail
	SMTPFrom           string        // MOTCUA_SMTP_FROM: the sender address of the e-mail
	SMTPUser           string        // MOTCUA_SMTP_USER: the SMTP user; empty means no authentication
	SMTPPassword       string        // MOTCUA_SMTP_PASSWORD

	// Retention is how long personal data no longer needed is kept
	// (MOTCUA_RETENTION: kind=Nd items, such as
	// sessions=30d,idempotency=30d,alerts=365d,citizens=1825d).
	Retention motcua.Retention
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Addr:               ":8080",
		Data:               "./motcua-data",
		CheckpointInterval: 5 * time.Minute,
		SchedulerInterval:  30 * time.Second,
		Place:              "Hà Nội",
		SessionIdle:        30 * time.Minute,
		SessionMax:         12 * time.Hour,
		OIDCIDClaim:        "id_number",
		Retention:          motcua.DefaultRetention(),
	}
}

// DSN returns the database to open: DB, or the default SQLite file in Data.
func (c Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return "sqlite:" + filepath.Join(c.Data, "motcua.db")
}

// DefaultDB reports whether the configuration uses the embedded default
// database, whose migrations are always applied.
func (c Config) DefaultDB() bool { return c.DB == "" }

// Validate checks the configuration once, before anything starts.
func (c Config) Validate() error {
	var errs []error
	if c.DB != "" && !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, fmt.Errorf("--db must be sqlite:PATH or postgres://…, not %q", c.DB))
	}
	if c.DB == "sqlite:" {
		errs = append(errs, errors.New("--db sqlite: needs a path"))
	}
	if c.DB == "" && c.Data == "" {
		errs = append(errs, errors.New("--data must not be empty"))
	}
	if c.Pprof != "" && !loopbackAddr(c.Pprof) {
		errs = append(errs, fmt.Errorf("--pprof must be a loopback address such as 127.0.0.1:6060, not %q", c.Pprof))
	}
	if c.CheckpointInterval < time.Second {
		errs = append(errs, fmt.Errorf("--checkpoint-interval must be at least 1s, not %s", c.CheckpointInterval))
	}
	if c.SchedulerInterval < time.Second {
		errs = append(errs, fmt.Errorf("--scheduler-interval must be at least 1s, not %s", c.SchedulerInterval))
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "https://") && !strings.HasPrefix(c.BaseURL, "http://") {
		errs = append(errs, fmt.Errorf("--base-url must start with https:// or http://, not %q", c.BaseURL))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	if c.SessionIdle < time.Minute || c.SessionMax < c.SessionIdle {
		errs = append(errs, fmt.Errorf("--session-idle must be at least 1m and --session-max at least as long, not %s and %s", c.SessionIdle, c.SessionMax))
	}
	if err := c.Retention.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("--retention: %w", err))
	}
	if c.OIDCIssuer != "" {
		if c.OIDCClientID == "" || c.OIDCClientSecret == "" {
			errs = append(errs, errors.New("--oidc-issuer needs MOTCUA_OIDC_CLIENT_ID and MOTCUA_OIDC_CLIENT_SECRET"))
		}
		if c.BaseURL == "" {
			errs = append(errs, errors.New("--oidc-issuer needs --base-url, from which the callback address is made"))
		}
	}
	if c.LocalCitizens {
		if c.SMTPAddr == "" || c.SMTPFrom == "" {
			errs = append(errs, errors.New("--local-citizens needs --smtp-addr and --smtp-from, through which the verification links are e-mailed"))
		}
		if c.BaseURL == "" {
			errs = append(errs, errors.New("--local-citizens needs --base-url, from which the verification links are made"))
		}
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("--smtp-addr must be host:port, not %q", c.SMTPAddr))
		}
	}
	return errors.Join(errs...)
}

// Secure reports whether browsers reach the server over HTTPS: served
// with TLS here, or behind a reverse proxy whose public address is https.
func (c Config) Secure() bool {
	return c.TLSCert != "" || strings.HasPrefix(c.BaseURL, "https://")
}

// loopbackAddr reports whether addr is a host:port whose host is a
// loopback IP address or localhost.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// dbFlags registers the flags that choose the database.
func (c *Config) dbFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "database: sqlite:PATH or postgres://… (env MOTCUA_DB; default a SQLite file in --data)")
	fs.StringVar(&c.Data, "data", c.Data, "data directory (env MOTCUA_DATA)")
}

// serveFlags registers the flags of serve.
func (c *Config) serveFlags(fs *flag.FlagSet) {
	c.dbFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env MOTCUA_ADDR)")
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "apply pending migrations at start (env MOTCUA_MIGRATE; always on for the default SQLite file)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load the demo data into an empty database (env MOTCUA_DEMO)")
	fs.DurationVar(&c.CheckpointInterval, "checkpoint-interval", c.CheckpointInterval, "how often to checkpoint the dossier history (env MOTCUA_CHECKPOINT_INTERVAL)")
	fs.DurationVar(&c.SchedulerInterval, "scheduler-interval", c.SchedulerInterval, "how often to scan due times for due-soon and overdue alerts (env MOTCUA_SCHEDULER_INTERVAL)")
	fs.StringVar(&c.Place, "place", c.Place, "place name on the date line of the statutory forms (env MOTCUA_PLACE)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public address of the server, for the verification links of the forms' QR codes (env MOTCUA_BASE_URL; default the request's host)")
	fs.BoolVar(&c.ShowOfficers, "show-officers", c.ShowOfficers, "show officers' names in citizens' timelines (env MOTCUA_SHOW_OFFICERS)")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "serve HTTPS with this certificate chain, PEM (env MOTCUA_TLS_CERT; with --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "the certificate's private key, PEM (env MOTCUA_TLS_KEY)")
	fs.DurationVar(&c.SessionIdle, "session-idle", c.SessionIdle, "end sessions unused this long (env MOTCUA_SESSION_IDLE)")
	fs.DurationVar(&c.SessionMax, "session-max", c.SessionMax, "end any session this old (env MOTCUA_SESSION_MAX)")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", c.OIDCIssuer, "issuer URL of the citizens' OpenID Connect provider (env MOTCUA_OIDC_ISSUER; client id and secret from MOTCUA_OIDC_CLIENT_ID, MOTCUA_OIDC_CLIENT_SECRET; default none)")
	fs.StringVar(&c.TOTPUnits, "totp-units", c.TOTPUnits, "comma-separated unit codes whose staff, with the units below, must all use a second factor; administrators must anyway (env MOTCUA_TOTP_UNITS)")
	fs.BoolVar(&c.LocalCitizens, "local-citizens", c.LocalCitizens, "let citizens register with an e-mail address and a password, verified by an e-mailed link, where no identity provider serves them (env MOTCUA_LOCAL_CITIZENS; needs --smtp-addr, --smtp-from and --base-url)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", c.SMTPAddr, "host:port of the SMTP server that sends e-mail, with STARTTLS unless on loopback (env MOTCUA_SMTP_ADDR; user and password from MOTCUA_SMTP_USER, MOTCUA_SMTP_PASSWORD)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "sender address of the e-mail, such as \"Một cửa <no-reply@example.vn>\" (env MOTCUA_SMTP_FROM)")
	fs.StringVar(&c.OIDCIDClaim, "oidc-id-claim", c.OIDCIDClaim, "the ID token claim holding the 12-digit identification number (env MOTCUA_OIDC_ID_CLAIM)")
	c.retentionFlag(fs)
	fs.StringVar(&c.Pprof, "pprof", c.Pprof, "serve runtime profiles (net/http/pprof) on this loopback address, for example 127.0.0.1:6060 (env MOTCUA_PPROF; default off)")
}

// retentionFlag registers --retention.
func (c *Config) retentionFlag(fs *flag.FlagSet) {
	fs.Var(&c.Retention, "retention", "how long personal data no longer needed is kept, as kind=Nd items: sessions (after their end), "+
		"idempotency (keys), alerts, citizens (inactive, then anonymised); kinds not named take their defaults (env MOTCUA_RETENTION)")
}

// fromEnv reads MOTCUA_* variables through getenv.
func (c *Config) fromEnv(getenv func(string) string) error {
	str := func(key string, dst *string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	str("MOTCUA_ADDR", &c.Addr)
	str("MOTCUA_DB", &c.DB)
	str("MOTCUA_DATA", &c.Data)
	str("MOTCUA_ADMIN_TOKEN", &c.AdminToken)
	str("MOTCUA_PPROF", &c.Pprof)
	str("MOTCUA_PLACE", &c.Place)
	str("MOTCUA_BASE_URL", &c.BaseURL)
	str("MOTCUA_TLS_CERT", &c.TLSCert)
	str("MOTCUA_TLS_KEY", &c.TLSKey)
	str("MOTCUA_OIDC_ISSUER", &c.OIDCIssuer)
	str("MOTCUA_OIDC_CLIENT_ID", &c.OIDCClientID)
	str("MOTCUA_OIDC_CLIENT_SECRET", &c.OIDCClientSecret)
	str("MOTCUA_OIDC_ID_CLAIM", &c.OIDCIDClaim)
	str("MOTCUA_TOTP_UNITS", &c.TOTPUnits)
	str("MOTCUA_SMTP_ADDR", &c.SMTPAddr)
	str("MOTCUA_SMTP_FROM", &c.SMTPFrom)
	str("MOTCUA_SMTP_USER", &c.SMTPUser)
	str("MOTCUA_SMTP_PASSWORD", &c.SMTPPassword)
	var errs []error
	if v := getenv("MOTCUA_RETENTION"); v != "" {
		if err := c.Retention.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("MOTCUA_RETENTION: %w", err))
		}
	}
	for key, dst := range map[string]*bool{"MOTCUA_MIGRATE": &c.Migrate, "MOTCUA_DEMO": &c.Demo, "MOTCUA_SHOW_OFFICERS": &c.ShowOfficers,
		"MOTCUA_LOCAL_CITIZENS": &c.LocalCitizens} {
		if v := getenv(key); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a boolean", key, v))
			}
			*dst = b
		}
	}
	for key, dst := range map[string]*time.Duration{"MOTCUA_CHECKPOINT_INTERVAL": &c.CheckpointInterval, "MOTCUA_SCHEDULER_INTERVAL": &c.SchedulerInterval,
		"MOTCUA_SESSION_IDLE": &c.SessionIdle, "MOTCUA_SESSION_MAX": &c.SessionMax} {
		if v := getenv(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration", key, v))
			}
			*dst = d
		}
	}
	return errors.Join(errs...)
}

// parseConfig builds the configuration of a subcommand: defaults, then the
// environment, then the flags registered by register.
func parseConfig(name string, args []string, getenv func(string) string, register func(*Config, *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	c := DefaultConfig()
	if err := c.fromEnv(getenv); err != nil {
		return c, nil, err
	}
	fs := flag.NewFlagSet("motcua "+name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	register(&c, fs)
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	return c, fs, c.Validate()
}
