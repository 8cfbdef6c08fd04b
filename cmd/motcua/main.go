// Command motcua runs the motcua one-stop-shop platform and its
// administrative tasks:
//
//	motcua serve [--addr :8080] [--db DSN] [--data DIR] [--migrate] [--demo]
//	motcua migrate [--db DSN] [--data DIR]
//	motcua import-units [--db DSN] [--data DIR] FILE.csv
//	motcua verify dossiers [--db DSN] [--data DIR] [--json]
//	motcua verify audit [--db DSN] [--data DIR]
//	motcua admin create --id ID --name NAME [--email E] [--unit CODE] [--password-stdin]
//	motcua purge [--db DSN] [--data DIR] [--retention KIND=Nd,…] [--dry-run]
//	motcua bench [--engines sqlite,postgres] [--dossiers N] [--duration D] [--clients 1,8,32] [--profile DIR]
//	motcua version
//
// Every flag has a MOTCUA_* environment variable; flags win.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without a zone database

	"motcua"
	"motcua/scheduler"
	"motcua/seed"
	"motcua/sqlstore"
	"motcua/web"
)

const usage = `motcua — hệ thống thông tin một cửa điện tử (one-stop-shop platform)

Usage:
  motcua serve [--addr :8080] [--db DSN] [--data DIR] [--migrate] [--demo]
  motcua migrate [--db DSN] [--data DIR]
  motcua import-units [--db DSN] [--data DIR] FILE.csv
  motcua verify dossiers [--db DSN] [--data DIR] [--json]
  motcua verify audit [--db DSN] [--data DIR]
  motcua admin create --id ID --name NAME [--email E] [--unit CODE] [--password-stdin]
  motcua purge [--db DSN] [--data DIR] [--retention KIND=Nd,…] [--dry-run]
  motcua bench [--engines sqlite,postgres] [--dossiers N] [--duration D] [--clients 1,8,32] [--profile DIR]
  motcua version

DSN is sqlite:PATH or postgres://…; by default a SQLite file in --data
(./motcua-data). Run "motcua COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = withConfig("serve", rest, getenv, (*Config).serveFlags, func(c Config, _ *flag.FlagSet) error {
			// The access log of a busy server is written in batches.
			out := newLogBuffer(stderr, logFlushInterval)
			defer out.Close()
			return serve(ctx, c, stdout, slog.New(slog.NewTextHandler(out, nil)))
		})
	case "migrate":
		err = withConfig("migrate", rest, getenv, (*Config).dbFlags, func(c Config, _ *flag.FlagSet) error {
			return migrate(ctx, c, stdout)
		})
	case "import-units":
		err = withConfig("import-units", rest, getenv, (*Config).dbFlags, func(c Config, fs *flag.FlagSet) error {
			if fs.NArg() != 1 {
				return errors.New("import-units needs one CSV file: motcua import-units FILE.csv")
			}
			return importUnits(ctx, c, fs.Arg(0), stdout)
		})
	case "verify":
		var what string
		if len(rest) > 0 {
			what = rest[0]
		}
		switch what {
		case "dossiers":
			var asJSON bool
			err = withConfig("verify dossiers", rest[1:], getenv, func(c *Config, fs *flag.FlagSet) {
				c.dbFlags(fs)
				fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
			}, func(c Config, _ *flag.FlagSet) error {
				return verifyDossiers(ctx, c, asJSON, stdout)
			})
		case "audit":
			err = withConfig("verify audit", rest[1:], getenv, (*Config).dbFlags, func(c Config, _ *flag.FlagSet) error {
				return verifyAudit(ctx, c, stdout)
			})
		default:
			fmt.Fprint(stderr, "usage: motcua verify dossiers [--db DSN] [--data DIR] [--json]\n       motcua verify audit [--db DSN] [--data DIR]\n")
			return 2
		}
	case "admin":
		if len(rest) == 0 || rest[0] != "create" {
			fmt.Fprint(stderr, "usage: motcua admin create --id ID --name NAME [--email E] [--unit CODE] [--password-stdin]\n")
			return 2
		}
		var o adminOptions
		err = withConfig("admin create", rest[1:], getenv, func(c *Config, fs *flag.FlagSet) { o.flags(c, fs) },
			func(c Config, _ *flag.FlagSet) error {
				return adminCreate(ctx, c, o, stdin, stdout)
			})
	case "purge":
		var dryRun bool
		err = withConfig("purge", rest, getenv, func(c *Config, fs *flag.FlagSet) {
			c.dbFlags(fs)
			c.retentionFlag(fs)
			fs.BoolVar(&dryRun, "dry-run", false, "count what would be deleted and anonymised, changing nothing")
		}, func(c Config, _ *flag.FlagSet) error {
			return purge(ctx, c, time.Now(), dryRun, stdout)
		})
	case "bench":
		var bc benchConfig
		if bc, err = parseBench(rest, getenv, stderr); err == nil {
			err = bench(ctx, bc, stdout)
		}
	case "bench-server":
		var mode string
		err = withConfig("bench-server", rest, getenv, func(c *Config, fs *flag.FlagSet) {
			c.dbFlags(fs)
			fs.StringVar(&c.Addr, "addr", c.Addr, "listen address")
			fs.StringVar(&mode, "mode", "", "baseline to serve: bare or row")
		}, func(c Config, _ *flag.FlagSet) error {
			return benchServer(ctx, c, mode, stdout, logger)
		})
	case "version":
		fmt.Fprintf(stdout, "motcua %s (%s, %s/%s)\n", motcua.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "motcua: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errVerifyFailed):
		return 1
	}
	fmt.Fprintf(stderr, "motcua: %v\n", err)
	return 1
}

// withConfig parses a subcommand's configuration and runs fn with it.
func withConfig(name string, args []string, getenv func(string) string, register func(*Config, *flag.FlagSet), fn func(Config, *flag.FlagSet) error) error {
	c, fs, err := parseConfig(name, args, getenv, register)
	if err != nil {
		return err
	}
	return fn(c, fs)
}

// open opens the configured database; migrations are applied when asked
// and always on the default SQLite file.
func open(ctx context.Context, c Config, migrate bool) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, c.DSN(), sqlstore.Options{Migrate: migrate || c.DefaultDB()})
	if errors.Is(err, sqlstore.ErrSchemaOutOfDate) {
		return nil, fmt.Errorf("%w: run \"motcua migrate\" or start with --migrate", err)
	}
	return db, err
}

// serve runs the server until ctx is done.
func serve(ctx context.Context, c Config, stdout io.Writer, logger *slog.Logger) error {
	db, err := open(ctx, c, c.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()

	dataset := ""
	if c.Demo {
		if dataset, err = loadDemo(ctx, db); err != nil {
			return err
		}
	}
	authSvc, err := newAuth(ctx, c, db, logger)
	if err != nil {
		return err
	}
	ln, err := listen(c)
	if err != nil {
		return err
	}
	var pprofLn net.Listener
	if c.Pprof != "" {
		if pprofLn, err = net.Listen("tcp", c.Pprof); err != nil {
			ln.Close()
			return fmt.Errorf("listen for pprof: %w", err)
		}
	}
	srv := web.NewServer(web.Config{
		Store:         db,
		Ready:         db.Ping,
		AdminToken:    c.AdminToken,
		Auth:          authSvc,
		SecureCookies: c.Secure(),
		HSTS:          c.Secure(),
		Logger:        logger,
		Version:       motcua.Version,
		Place:         c.Place,
		BaseURL:       c.BaseURL,
		ShowOfficers:  c.ShowOfficers,
	})

	if pprofLn != nil {
		fmt.Fprintf(stdout, "pprof on %sdebug/pprof/\n", serverURL(pprofLn.Addr(), false))
	}
	fmt.Fprintf(stdout, "motcua %s serving on %s\n", motcua.Version, serverURL(ln.Addr(), c.TLSCert != ""))
	fmt.Fprintf(stdout, "database: %s (%s)%s\n", redactDSN(c.DSN()), db.Engine(), dataset)
	if c.AdminToken == "" {
		fmt.Fprintln(stdout, "administrator token: off (staff sign in; set MOTCUA_ADMIN_TOKEN to enable it for automation)")
	} else {
		fmt.Fprintln(stdout, "administrator token: on, from MOTCUA_ADMIN_TOKEN; every use is audited")
	}
	if c.OIDCIssuer == "" {
		fmt.Fprintln(stdout, "citizen sign-in: off (set MOTCUA_OIDC_ISSUER)")
	}
	fmt.Fprintf(stdout, "retention: %s, purged daily\n", c.Retention)

	var wg sync.WaitGroup
	wg.Go(func() { checkpointLoop(ctx, db, c.CheckpointInterval, logger) })
	sched := scheduler.New(db, motcua.SystemClock{}, scheduler.Config{Interval: c.SchedulerInterval, Logger: logger})
	wg.Go(func() { sched.Run(ctx) })
	wg.Go(func() { purgeSessions(ctx, db, c, 10*time.Minute, logger) })
	wg.Go(func() { purgeLoop(ctx, db, c.Retention, purgeFirst, purgeEvery, logger) })
	if pprofLn != nil {
		wg.Go(func() {
			if err := web.ServePprof(ctx, pprofLn, logger); err != nil {
				logger.Error("pprof", "err", err)
			}
		})
	}
	err = srv.Serve(ctx, ln)
	wg.Wait()
	return err
}

// loadDemo loads the demo data into an empty database, does nothing if it
// is already there and refuses a database holding other data. It returns a
// note for the start-up message.
func loadDemo(ctx context.Context, db *sqlstore.DB) (string, error) {
	label, empty, err := db.Dataset(ctx)
	if err != nil {
		return "", err
	}
	note := ", demo data"
	switch {
	case label == motcua.DatasetDemo:
	case !empty:
		return "", errors.New("--demo refused: the database already holds data that is not the demo data")
	default:
		cat, err := seed.Demo()
		if err != nil {
			return "", fmt.Errorf("demo data: %w", err)
		}
		if err := db.ImportCatalog(ctx, cat); err != nil {
			return "", fmt.Errorf("load demo data: %w", err)
		}
		note = fmt.Sprintf(", demo data loaded: %d units, %d agencies, %d procedures", len(cat.Units), len(cat.Agencies), len(cat.Procedures))
	}
	// The sample processes come after the catalogue: loaded with it, or
	// into a demo database created before processes existed.
	if have, err := db.FindProcesses(ctx, ""); err != nil || len(have) > 0 {
		return note, err
	}
	ps, err := seed.DemoProcesses()
	if err != nil {
		return "", fmt.Errorf("demo processes: %w", err)
	}
	for _, p := range ps {
		if _, err := db.CreateProcess(motcua.NewContextWithActor(ctx, motcua.SystemActor), p); err != nil {
			return "", fmt.Errorf("load demo process %s: %w", p.Code, err)
		}
	}
	return fmt.Sprintf("%s, %d sample processes", note, len(ps)), nil
}

// checkpointLoop records a checkpoint of the dossier history every
// interval and once more when ctx is done.
func checkpointLoop(ctx context.Context, db *sqlstore.DB, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if _, err := db.Checkpoint(ctx); err != nil && ctx.Err() == nil {
				logger.Error("checkpoint", "err", err)
			}
		case <-ctx.Done():
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := db.Checkpoint(cctx); err != nil {
				logger.Error("checkpoint at shutdown", "err", err)
			}
			return
		}
	}
}

func migrate(ctx context.Context, c Config, stdout io.Writer) error {
	db, err := open(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "schema of %s is up to date\n", redactDSN(c.DSN()))
	return nil
}

func importUnits(ctx context.Context, c Config, path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	units, err := seed.ReadUnits(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	db, err := open(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.ImportUnits(ctx, units); err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	levels := map[int]int{}
	for _, u := range units {
		levels[u.Level]++
	}
	fmt.Fprintf(stdout, "imported %d units", len(units))
	for l := 1; levels[l] > 0; l++ {
		fmt.Fprintf(stdout, "; level %d: %d", l, levels[l])
	}
	fmt.Fprintln(stdout)
	return nil
}

var errVerifyFailed = errors.New("verification failed")

func verifyDossiers(ctx context.Context, c Config, asJSON bool, stdout io.Writer) error {
	db, err := open(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.VerifyDossiers(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		printReport(stdout, r)
	}
	if !r.OK {
		return errVerifyFailed
	}
	return nil
}

func printReport(w io.Writer, r *motcua.VerifyReport) {
	fmt.Fprintf(w, "checked %d dossiers, %d events\n", r.Dossiers, r.Events)
	if cp := r.Checkpoint; cp != nil {
		fmt.Fprintf(w, "latest checkpoint %d at %s covers %d dossiers up to event %d\n",
			cp.ID, cp.At.In(motcua.Location()).Format("2006-01-02 15:04:05 -07:00"), cp.Dossiers, cp.LastEventID)
	} else {
		fmt.Fprintln(w, "no checkpoint yet")
	}
	if r.OK {
		fmt.Fprintln(w, "OK: every chain is intact")
		return
	}
	fmt.Fprintf(w, "FAILED: %d problems\n", len(r.Problems))
	for _, p := range r.Problems {
		ref := p.DossierCode
		if ref == "" {
			ref = p.DossierID
		}
		if ref == "" {
			ref = "-"
		}
		fmt.Fprintf(w, "  %-13s dossier %s seq %d: %s\n", p.Kind, ref, p.Seq, p.Message)
	}
}

// newToken returns a random bearer token.
func newToken() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// serverURL returns the URL at which a browser on this machine reaches addr.
func serverURL(addr net.Addr, tls bool) string {
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + net.JoinHostPort(host, port) + "/"
}

// redactDSN hides a password in a PostgreSQL URL.
func redactDSN(dsn string) string {
	if i, j := strings.Index(dsn, "://"), strings.LastIndex(dsn, "@"); i >= 0 && j > i {
		if k := strings.Index(dsn[i+3:j], ":"); k >= 0 {
			return dsn[:i+3+k] + ":***" + dsn[j:]
		}
	}
	return dsn
}
