// Package testkit helps tests run against real databases: a fresh SQLite
// file and, when MOTCUA_TEST_POSTGRES_URL is set, a throwaway PostgreSQL
// schema per test, together with a settable clock and a small catalogue.
//
// With CI=true a missing or unreachable PostgreSQL fails the test instead
// of skipping it.
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"motcua/sqlstore"
)

// PostgresURLEnv names the environment variable holding the URL of the
// PostgreSQL database in which tests create their schemas.
const PostgresURLEnv = "MOTCUA_TEST_POSTGRES_URL"

// ForEachEngine runs f as a subtest on each engine, "sqlite" and
// "postgres", with the DSN of a fresh, empty database.
func ForEachEngine(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run(sqlstore.EngineSQLite, func(t *testing.T) { f(t, SQLiteDSN(t)) })
	t.Run(sqlstore.EnginePostgres, func(t *testing.T) { f(t, PostgresDSN(t)) })
}

// SQLiteDSN returns the DSN of a new SQLite file in a temporary directory
// removed when the test ends.
func SQLiteDSN(tb testing.TB) string {
	tb.Helper()
	return "sqlite:" + filepath.Join(tb.TempDir(), "motcua.db")
}

// PostgresDSN creates a schema in the database at MOTCUA_TEST_POSTGRES_URL,
// drops it when the test ends, and returns a DSN whose connections use it.
// Without a reachable database it skips the test, or fails it when
// CI=true.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		unavailable(tb, PostgresURLEnv+" is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := execAdmin(ctx, base, `CREATE SCHEMA `+schema); err != nil {
		unavailable(tb, "PostgreSQL at "+u.Redacted()+": "+err.Error())
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := execAdmin(ctx, base, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// unavailable fails the test under CI and skips it elsewhere.
func unavailable(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("PostgreSQL is required with CI=true: %s", why)
	}
	tb.Skipf("skipping PostgreSQL: %s", why)
}

func execAdmin(ctx context.Context, dsn, stmt string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

// MustOpenDB opens dsn with opts, applying the migrations, and closes the
// database when the test ends.
func MustOpenDB(tb testing.TB, dsn string, opts sqlstore.Options) *sqlstore.DB {
	tb.Helper()
	opts.Migrate = true
	db, err := sqlstore.Open(context.Background(), dsn, opts)
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close %s: %v", dsn, err)
		}
	})
	return db
}
