package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// openSQLite opens a migrated SQLite store in a temporary directory,
// closed at the end of the test.
func openSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "motcua.db"), Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestWALCheckpoints checks that on SQLite the writer leaves the WAL to
// the background checkpoints, which copy what commits append.
func TestWALCheckpoints(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	var pages int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil || pages != walSafetyPages {
		t.Fatalf("the writer checkpoints after %d pages (%v); want %d", pages, err, walSafetyPages)
	}
	if err := db.CreateBaselineTable(ctx); err != nil {
		t.Fatal(err)
	}
	for id := range 50 {
		if err := db.BaselineCommit(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(walInterval) {
		p := db.wal.latest()
		if p.err != nil {
			t.Fatal(p.err)
		}
		if p.log > 0 && p.copied == p.log {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no background checkpoint has copied the WAL: latest %+v", p)
		}
	}
}
