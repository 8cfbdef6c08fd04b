package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/auth"
	"motcua/internal/oidctest"
	"motcua/internal/testkit"
	"motcua/sqlstore"
	"motcua/web"
)

// personalDownload is the part of GET /api/v1/me/data the test reads.
type personalDownload struct {
	Kind    string
	Citizen struct {
		ID       string `json:"id"`
		IDNumber string `json:"id_number"`
	}
	IdentityProvider struct{ Issuer, Subject string } `json:"identity_provider"`
	Dossiers         []motcua.Dossier
	Sessions         []struct {
		IP        string `json:"ip"`
		UserAgent string `json:"user_agent"`
	}
	Audit []*motcua.AuditRecord
}

// TestPersonalData drives Decree 13 end to end on a real store, a real
// authentication service and a real OpenID Connect provider: a citizen
// signs in and downloads what is held about them, their dossier
// included, and the download is audited; "motcua purge" six years later
// (a dry run first) anonymises them and keeps their dossier; signing in
// again makes a new profile, which owns the dossier again.
func TestPersonalData(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Now().UTC().Truncate(time.Second))
		db := testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: clock})
		if err := db.ImportCatalog(ctx, testkit.Catalog()); err != nil {
			t.Fatal(err)
		}
		in := testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		d, _, err := db.CreateDossier(ctx, in, "")
		if err != nil {
			t.Fatal(err)
		}

		var h http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)
		op := oidctest.Start(t)
		op.AddClient("motcua", "client-secret", srv.URL+"/auth/citizen/callback")
		op.AddUser(oidctest.User{Subject: "vneid-1", Name: in.Applicant.Name, IDNumber: in.Applicant.IDNumber,
			Email: "an@example.vn", EmailVerified: true}, "an", "mat-khau-vneid")
		rp, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: op.Issuer(), ClientID: "motcua", ClientSecret: "client-secret",
			RedirectURL: srv.URL + "/auth/citizen/callback", HTTPClient: op.Client()})
		if err != nil {
			t.Fatal(err)
		}
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		svc, err := auth.New(auth.Config{Store: db, OIDC: rp, Clock: clock, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		h = web.NewServer(web.Config{Store: db, Auth: svc, Clock: clock, Logger: quiet}).Handler()

		signIn := func() *browser {
			c := newBrowser(t, srv.URL)
			if got, b, res := c.do("GET", "/auth/citizen/sign-in", "", false); got != http.StatusSeeOther {
				t.Fatalf("citizen sign-in: %d %s", got, b)
			} else {
				callback := op.Login(t, c.c, res.Header.Get("Location"), "an", "mat-khau-vneid")
				if got, b, _ := c.do("GET", callback.String(), "", false); got != http.StatusSeeOther {
					t.Fatalf("callback: %d %s", got, b)
				}
			}
			return c
		}
		download := func(c *browser) personalDownload {
			got, b, res := c.do("GET", "/api/v1/me/data", "", false)
			if got != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
				res.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("download: %d %q %s", got, res.Header, b)
			}
			var p personalDownload
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("download: %v: %s", err, b)
			}
			return p
		}

		// The citizen downloads their data: the profile, the dossier,
		// the session, and the record of their sign-in.
		an := signIn()
		p := download(an)
		if p.Kind != motcua.ActorCitizen || p.Citizen.IDNumber != in.Applicant.IDNumber || p.IdentityProvider.Subject != "vneid-1" ||
			len(p.Dossiers) != 1 || p.Dossiers[0].ID != d.ID || len(p.Sessions) != 1 || p.Sessions[0].UserAgent == "" {
			t.Fatalf("download = %+v", p)
		}
		if !slices.ContainsFunc(p.Audit, func(r *motcua.AuditRecord) bool {
			return r.Action == motcua.AuditSignIn && r.Actor.ID == p.Citizen.ID
		}) {
			t.Errorf("the download lacks the citizen's sign-in: %+v", p.Audit)
		}
		exports, err := db.FindAudit(ctx, motcua.AuditFilter{Action: motcua.AuditExport, Object: "citizen:" + p.Citizen.ID})
		if err != nil || len(exports) != 1 || exports[0].Actor.ID != p.Citizen.ID {
			t.Fatalf("export records = %+v, %v; want the download's", exports, err)
		}
		doc, err := db.FindDossierJSON(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}

		// A dry run now finds nothing to do; six years later, it finds
		// the citizen and their session, and changes nothing.
		var out, errOut strings.Builder
		if got := run(ctx, []string{"purge", "--db", dsn, "--dry-run"}, func(string) string { return "" }, nil, &out, &errOut); got != 0 {
			t.Fatalf("purge --dry-run: status %d: %s %s", got, out.String(), errOut.String())
		}
		if !strings.Contains(out.String(), "dry run: nothing was changed") || !strings.Contains(out.String(), "citizens to anonymise: 0") {
			t.Errorf("purge --dry-run printed %q", out.String())
		}
		later := clock.Now().AddDate(6, 0, 0)
		c := DefaultConfig()
		c.DB = dsn
		out.Reset()
		if err := purge(ctx, c, later, true, &out); err != nil || !strings.Contains(out.String(), "citizens to anonymise: 1") {
			t.Fatalf("dry run six years later: %v: %q", err, out.String())
		}
		if cit, err := db.FindCitizen(ctx, p.Citizen.ID); err != nil || cit.IDNumber == "" {
			t.Fatalf("after the dry run: %+v, %v; want the citizen unchanged", cit, err)
		}

		// The purge six years later anonymises the citizen and keeps the
		// dossier.
		out.Reset()
		if err := purge(ctx, c, later, false, &out); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"citizens anonymised: 1", "sessions deleted: 1", "retention sessions=30d,idempotency=30d,alerts=365d,citizens=1825d"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("purge printed %q; want %q", out.String(), want)
			}
		}
		cit, err := db.FindCitizen(ctx, p.Citizen.ID)
		if err != nil || cit.IDNumber != "" || cit.Name != "" || cit.Email != "" || cit.Subject == "vneid-1" {
			t.Errorf("citizen after the purge = %+v, %v; want anonymised", cit, err)
		}
		if got, err := db.FindDossierJSON(ctx, d.ID); err != nil || got != doc {
			t.Errorf("the dossier changed: %s, %v", got, err)
		}
		if rep, err := db.VerifyDossiers(ctx); err != nil || len(rep.Problems) > 0 {
			t.Errorf("VerifyDossiers = %+v, %v", rep, err)
		}
		if rep, err := db.VerifyAudit(ctx); err != nil || len(rep.Broken) > 0 {
			t.Errorf("VerifyAudit = %+v, %v", rep, err)
		}
		if recs, err := db.FindAudit(ctx, motcua.AuditFilter{Action: motcua.AuditRetention}); err != nil || len(recs) != 1 ||
			!strings.HasPrefix(recs[0].Detail, "sessions=1 idempotency_keys=0 alerts=0 citizens=1") {
			t.Errorf("retention records = %+v, %v", recs, err)
		}

		// The old session is gone; signing in again makes a new profile,
		// to which the dossier belongs again.
		clock.Advance(auth.DefaultCacheTTL)
		if got, _, _ := an.do("GET", "/api/v1/me/data", "", false); got != http.StatusUnauthorized {
			t.Errorf("the purged session: %d; want 401", got)
		}
		again := download(signIn())
		if again.Citizen.ID == p.Citizen.ID || len(again.Dossiers) != 1 || again.Dossiers[0].ID != d.ID {
			t.Errorf("after signing in again: %+v; want a new profile with the dossier", again)
		}
	})
}

func TestPurgeCommand(t *testing.T) {
	dsn := testkit.SQLiteDSN(t)
	testkit.MustOpenDB(t, dsn, sqlstore.Options{})
	env := func(string) string { return "" }
	for _, tt := range []struct {
		name   string
		args   []string
		status int
		out    string // a part of stdout, or of stderr when status is not 0
	}{
		{"Purge", []string{"purge", "--db", dsn}, 0, "citizens anonymised: 0"},
		{"DryRun", []string{"purge", "--db", dsn, "--dry-run", "--retention", "citizens=3650d"}, 0,
			"retention sessions=30d,idempotency=30d,alerts=365d,citizens=3650d"},
		{"UnknownKind", []string{"purge", "--db", dsn, "--retention", "dossiers=30d"}, 1, "unknown kind"},
		{"TooShort", []string{"purge", "--db", dsn, "--retention", "alerts=0d"}, 1, "from 1d"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			got := run(context.Background(), tt.args, env, nil, &out, &errOut)
			text := out.String()
			if tt.status != 0 {
				text = errOut.String()
			}
			if got != tt.status || !strings.Contains(text, tt.out) {
				t.Errorf("%v: status %d, %q %q; want status %d and %q", tt.args, got, out.String(), errOut.String(), tt.status, tt.out)
			}
		})
	}
}

func TestConfigRetention(t *testing.T) {
	def := motcua.DefaultRetention()
	for _, tt := range []struct {
		name string
		env  string
		args []string
		want func(r *motcua.Retention)
		err  string
	}{
		{name: "Default", want: func(*motcua.Retention) {}},
		{name: "Flag", args: []string{"--retention", "citizens=3650d"}, want: func(r *motcua.Retention) { r.InactiveCitizens = 3650 * motcua.Day }},
		{name: "Env", env: "alerts=90d,sessions=7d", want: func(r *motcua.Retention) { r.Alerts, r.Sessions = 90*motcua.Day, 7*motcua.Day }},
		// The flag wins over the variable whole: kinds it does not name
		// take their defaults.
		{name: "FlagWins", env: "alerts=90d", args: []string{"--retention", "sessions=7d"}, want: func(r *motcua.Retention) { r.Sessions = 7 * motcua.Day }},
		{name: "BadEnv", env: "alerts=90", err: "MOTCUA_RETENTION"},
		{name: "BadFlag", args: []string{"--retention", "alerts=1d,alerts=2d"}, err: "twice"},
		{name: "Empty", args: []string{"--retention", ""}, err: "empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "MOTCUA_RETENTION" {
					return tt.env
				}
				return ""
			}
			c, _, err := parseConfig("serve", tt.args, getenv, (*Config).serveFlags)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error = %v; want one saying %q", err, tt.err)
				}
				return
			}
			want := def
			tt.want(&want)
			if err != nil || c.Retention != want {
				t.Errorf("retention = %v, %v; want %v", c.Retention, err, want)
			}
		})
	}
	if err := (Config{Data: "d", CheckpointInterval: time.Minute, SchedulerInterval: time.Minute, SessionIdle: time.Hour,
		SessionMax: time.Hour}).Validate(); err == nil || !strings.Contains(err.Error(), "--retention") {
		t.Errorf("Validate of a configuration without retention = %v; want a --retention error", err)
	}
}

// purgeRecorder is a motcua.RetentionService that records its calls.
type purgeRecorder struct {
	mu    sync.Mutex
	calls []motcua.Retention
}

func (p *purgeRecorder) Purge(_ context.Context, now time.Time, r motcua.Retention) (motcua.PurgeReport, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, r)
	return motcua.PurgeReport{At: now, Alerts: int64(len(p.calls))}, nil
}

func (p *purgeRecorder) PreviewPurge(context.Context, time.Time, motcua.Retention) (motcua.PurgeReport, error) {
	panic("the loop never previews")
}

func (p *purgeRecorder) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// TestPurgeLoop runs serve's purge loop on fast intervals: it purges
// after the first wait, then at each interval, with the configured
// retention, logs each report and stops with its context.
func TestPurgeLoop(t *testing.T) {
	rec := &purgeRecorder{}
	logs := &testkit.Buffer{}
	r := motcua.DefaultRetention()
	r.Alerts = 7 * motcua.Day
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		purgeLoop(ctx, rec, r, 10*time.Millisecond, 20*time.Millisecond, slog.New(slog.NewTextHandler(logs, nil)))
		close(done)
	}()
	for deadline := time.Now().Add(5 * time.Second); rec.count() < 3 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
	}
	cancel()
	<-done
	if rec.count() < 3 {
		t.Fatalf("purged %d times; want 3 or more", rec.count())
	}
	for _, got := range rec.calls {
		if got != r {
			t.Errorf("purged with %v; want %v", got, r)
		}
	}
	if !strings.Contains(logs.String(), "retention purge") || !strings.Contains(logs.String(), "alerts=2") {
		t.Errorf("logs = %q; want each report", logs.String())
	}
}
