package sqlstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// ErrSchemaOutOfDate is returned by Open when migrations are pending.
var ErrSchemaOutOfDate = errors.New("sqlstore: database schema is out of date; run motcua migrate")

// migrationNames returns the names of the engine's migrations in the order
// they apply.
func (db *DB) migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/"+db.d.engine+"/*.sql")
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		names[i] = path.Base(n)
	}
	sort.Strings(names)
	return names, nil
}

// PendingMigrations returns the names of the migrations not yet applied.
func (db *DB) PendingMigrations(ctx context.Context) (pending []string, err error) {
	defer markUnavailable(&err)
	names, err := db.migrationNames()
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var exists bool
	if err := tx.queryRow(ctx, db.d.tableExists, "schema_migrations").Scan(&exists); err != nil {
		return nil, fmt.Errorf("sqlstore: find schema_migrations: %w", err)
	}
	if !exists {
		return names, nil
	}
	applied := map[string]bool{}
	rows, err := tx.query(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
		}
		applied[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	for _, n := range names {
		if !applied[n] {
			pending = append(pending, n)
		}
	}
	return pending, nil
}

func (db *DB) checkSchema(ctx context.Context) error {
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("%w (pending: %s)", ErrSchemaOutOfDate, strings.Join(pending, ", "))
	}
	return nil
}

// Migrate applies the pending migrations in name order, each in its own
// transaction, and returns the names applied. Concurrent calls from
// several processes apply each migration once.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	defer markUnavailable(&err)
	names, err := db.migrationNames()
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	for _, name := range names {
		ok, err := db.migrate(ctx, name)
		if err != nil {
			return applied, fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		if ok {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

// migrate applies one migration unless it was applied before, and reports
// whether it applied it.
func (db *DB) migrate(ctx context.Context, name string) (bool, error) {
	src, err := migrations.ReadFile("migrations/" + db.d.engine + "/" + name)
	if err != nil {
		return false, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if err := db.d.lock(ctx, tx, lockMigrations); err != nil {
		return false, err
	}
	if _, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return false, err
	}
	if done, err := tx.exists(ctx, `SELECT 1 FROM schema_migrations WHERE name = ?`, name); err != nil || done {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, string(src)); err != nil {
		return false, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (name) VALUES (?)`, name); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
