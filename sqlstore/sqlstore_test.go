package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

// testNow is the time of the test clock: Monday 10 March 2025, 09:00 in
// Asia/Ho_Chi_Minh.
var testNow = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

// store is a DB loaded with testkit.Catalog, its clock, and a raw
// connection for tampering.
type store struct {
	*sqlstore.DB
	clock *testkit.Clock
	dsn   string
	raw   *sql.DB
}

// mustOpenStore opens a fresh database at dsn with the test clock and
// imports testkit.Catalog.
func mustOpenStore(t testing.TB, dsn string) *store {
	t.Helper()
	s := mustOpenEmpty(t, dsn)
	if err := s.ImportCatalog(context.Background(), testkit.Catalog()); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustOpenEmpty(t testing.TB, dsn string) *store {
	t.Helper()
	clock := testkit.NewClock(testNow)
	return &store{DB: testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: clock}), clock: clock, dsn: dsn}
}

// forgetDocument makes the row of d what it was before documents were
// kept: no document, and the due-time explanation and the flow in their
// columns.
func (s *store) forgetDocument(t testing.TB, d *motcua.Dossier) {
	t.Helper()
	due, flow, err := sqlstore.LegacyColumns(d)
	if err != nil {
		t.Fatal(err)
	}
	s.exec(t, `UPDATE dossiers SET doc = NULL, due_explanation = ?, flow = ? WHERE id = ?`, due, flow, d.ID)
}

// exec runs a statement with ? placeholders on a raw connection, outside
// the store, as someone tampering with the tables would. Foreign keys are
// not enforced on SQLite's raw connection.
func (s *store) exec(t testing.TB, q string, args ...any) sql.Result {
	t.Helper()
	if s.raw == nil {
		var err error
		if path, ok := strings.CutPrefix(s.dsn, "sqlite:"); ok {
			s.raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		} else {
			s.raw, err = sql.Open("pgx", s.dsn)
		}
		if err != nil {
			t.Fatal(err)
		}
		s.raw.SetMaxOpenConns(1)
		t.Cleanup(func() { s.raw.Close() })
	}
	if s.Engine() == sqlstore.EnginePostgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	for i, a := range args {
		if tm, ok := a.(time.Time); ok && s.Engine() == sqlstore.EngineSQLite {
			args[i] = motcua.FormatTime(tm)
		}
	}
	res, err := s.raw.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

// mustCreate creates a dossier of a citizen.
func (s *store) mustCreate(t testing.TB, procedure, agency, channel string) *motcua.Dossier {
	t.Helper()
	d, _, err := s.CreateDossier(context.Background(), testkit.DossierInput(procedure, agency, channel), "")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mustApply applies actions in turn.
func (s *store) mustApply(t testing.TB, ref string, actions ...string) *motcua.Dossier {
	t.Helper()
	var d *motcua.Dossier
	for _, a := range actions {
		req := motcua.ActionRequest{Action: a}
		switch a {
		case motcua.ActionRequestSupplement:
			req.Items = []string{"Giấy chứng sinh"}
		case motcua.ActionRefuse:
			req.Reasons = []string{"Hồ sơ không hợp lệ"}
		}
		var err error
		if d, err = s.ApplyAction(motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin), ref, req); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	return d
}

// wantError fails unless err is a *motcua.Error with code, and returns it.
func wantError(t testing.TB, err error, code string) *motcua.Error {
	t.Helper()
	var e *motcua.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v; want code %s", err, code)
	}
	return e
}

// fieldNames returns the names of the fields of an EINVALID error.
func fieldNames(e *motcua.Error) []string {
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	return names
}

func TestMigrationNamesMatch(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, e := range entries {
			ns = append(ns, e.Name())
		}
		return ns
	}
	lite, pg := names("migrations/sqlite"), names("migrations/postgres")
	if len(lite) == 0 || !reflect.DeepEqual(lite, pg) {
		t.Fatalf("migrations differ: sqlite %v, postgres %v", lite, pg)
	}
}

func TestOpen(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		if _, err := sqlstore.Open(ctx, dsn, sqlstore.Options{}); !errors.Is(err, sqlstore.ErrSchemaOutOfDate) {
			t.Fatalf("Open of a new database = %v; want ErrSchemaOutOfDate", err)
		}
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		if pending, err := db.PendingMigrations(ctx); err != nil || len(pending) != 0 {
			t.Errorf("PendingMigrations = %v, %v; want none", pending, err)
		}
		if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Errorf("Migrate again = %v, %v; want nothing applied", applied, err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Error(err)
		}
		if v, err := db.EngineVersion(ctx); err != nil || v == "" {
			t.Errorf("EngineVersion = %q, %v", v, err)
		}
		if want := strings.SplitN(strings.TrimPrefix(t.Name(), "TestOpen/"), "/", 2)[0]; db.Engine() != want {
			t.Errorf("Engine = %q; want %q", db.Engine(), want)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = sqlstore.Open(ctx, dsn, sqlstore.Options{})
		if err != nil {
			t.Fatalf("Open of a migrated database: %v", err)
		}
		db.Close()
	})
}

func TestOpenUnsupported(t *testing.T) {
	for _, dsn := range []string{"", "sqlite:", "mysql://x", "/tmp/motcua.db"} {
		if _, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

func TestOpenCreatesDirectory(t *testing.T) {
	path := t.TempDir() + "/a b/c/motcua.db"
	db, err := sqlstore.Open(context.Background(), "sqlite:"+path, sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
