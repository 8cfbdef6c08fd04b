package sqlstore

import (
	"context"
	"testing"
)

// TestSQLiteConnections checks the settings of SQLite's two pools: every
// read connection is read-only, and each connection keeps SQLite's
// default page cache (2 MB), which larger caches did not beat on
// look-ups (docs/BENCHMARKS.md).
func TestSQLiteConnections(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	// Hold several read connections at once, so that each is checked.
	for i := range 3 {
		c, err := db.read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var cache, queryOnly int
		if err := c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA query_only`).Scan(&queryOnly); err != nil {
			t.Fatal(err)
		}
		if cache != -2000 || queryOnly != 1 {
			t.Errorf("read connection %d: cache_size %d, query_only %d; want -2000, 1", i, cache, queryOnly)
		}
	}
	var cache int
	if err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil || cache != -2000 {
		t.Errorf("writer: cache_size %d (%v); want SQLite's default -2000", cache, err)
	}
}
