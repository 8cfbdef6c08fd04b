package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"motcua"
)

// Exports for the tests and the benchmark of deadlines (deadline_test.go),
// which run in package sqlstore_test.

// WriteDeadlines replaces the open deadlines of a dossier in a transaction
// of its own, as a change of the dossier does in its transaction.
func (db *DB) WriteDeadlines(ctx context.Context, dossierID string, ds []motcua.Deadline) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := writeDeadlines(ctx, tx, dossierID, ds); err != nil {
		return err
	}
	return tx.Commit()
}

// DeadlineState is a stored deadline with the kinds of its times still
// in the scan's queue (due_soon before overdue).
type DeadlineState struct {
	Task   int
	Agency string
	DueAt  time.Time
	SoonAt time.Time
	Queued []string
}

// Deadlines returns the stored deadlines of a dossier in task order.
func (db *DB) Deadlines(ctx context.Context, dossierID string) ([]DeadlineState, error) {
	tx := db.snapshots()
	rows, err := tx.query(ctx, `SELECT task, agency, due_at, soon_at FROM deadlines WHERE dossier_id = ? ORDER BY task`, dossierID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []DeadlineState
	for rows.Next() {
		var d DeadlineState
		if err := rows.Scan(&d.Task, &d.Agency, scanTime{&d.DueAt}, scanTime{&d.SoonAt}); err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, d := range ds {
		rows, err := tx.query(ctx, `SELECT kind FROM deadline_queue WHERE dossier_id = ? AND task = ? ORDER BY at`, dossierID, d.Task)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var kind string
			if err := rows.Scan(&kind); err != nil {
				rows.Close()
				return nil, err
			}
			ds[i].Queued = append(ds[i].Queued, kind)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// InsertDeadlines inserts n new deadlines, deadline(0) to deadline(n-1),
// with their queue rows, in bulk: a thousand rows a statement and a
// hundred thousand a transaction. Then it updates the planner's
// statistics (and, on PostgreSQL, the visibility map), as a database that
// has run for a while has them.
func (db *DB) InsertDeadlines(ctx context.Context, n int, deadline func(i int) motcua.Deadline) error {
	const perTx = 100_000
	for start := 0; start < n; start += perTx {
		tx, err := db.beginWrite(ctx)
		if err != nil {
			return err
		}
		ds := make([]motcua.Deadline, 0, perTx)
		for i := start; i < min(start+perTx, n); i++ {
			ds = append(ds, deadline(i))
		}
		if err := insertDeadlines(ctx, tx, ds); err != nil {
			tx.Rollback()
			return fmt.Errorf("insert deadlines: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	q := `ANALYZE`
	if db.d.engine == EnginePostgres {
		q = `VACUUM ANALYZE deadlines, deadline_queue`
	}
	_, err := db.write.ExecContext(ctx, q)
	return err
}

// CountDueDeadlines counts the queue rows whose time has come by now,
// through the queue's key: the floor under a scan, which reads the same
// entries.
func (db *DB) CountDueDeadlines(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := db.snapshots().queryRow(ctx, `SELECT count(*) FROM deadline_queue WHERE at <= ?`, now).Scan(&n)
	return n, err
}

// ResetDeadlines queues again every time of every deadline that has come
// by now, and deletes the alerts, as if no scan had run.
func (db *DB) ResetDeadlines(ctx context.Context, now time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`INSERT INTO deadline_queue (` + queueColumns + `)
SELECT soon_at, dossier_id, task, '` + motcua.AlertDueSoon + `', due_at FROM deadlines
WHERE soon_at < due_at AND soon_at <= ? ON CONFLICT DO NOTHING`,
		`INSERT INTO deadline_queue (` + queueColumns + `)
SELECT due_at, dossier_id, task, '` + motcua.AlertOverdue + `', due_at FROM deadlines
WHERE due_at <= ? ON CONFLICT DO NOTHING`,
	} {
		if _, err := tx.exec(ctx, q, now); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, `DELETE FROM alerts`); err != nil {
		return err
	}
	return tx.Commit()
}

// ScanPlan returns the engine's plan of the query that selects the due
// deadlines of a scan.
func (db *DB) ScanPlan(ctx context.Context, now time.Time, limit int) (string, error) {
	q := `EXPLAIN QUERY PLAN ` + scanSQLiteDue
	if db.d.engine == EnginePostgres {
		q = `EXPLAIN SELECT at, dossier_id, task, kind FROM deadline_queue WHERE at <= $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED`
	}
	rows, err := db.read.QueryContext(ctx, q, db.d.arg(now), limit)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		fmt.Fprintln(&b, vals...)
	}
	return b.String(), rows.Err()
}

// ExecThrough applies the migrations up to and including last to the
// database named by dsn, then runs the statements stmts, each with no
// arguments: a database as an earlier release left it.
func ExecThrough(ctx context.Context, dsn, last string, stmts ...string) error {
	d, write, read, err := openPools(ctx, dsn)
	if err != nil {
		return err
	}
	db := &DB{d: d, write: write, read: read, clock: motcua.SystemClock{}, loc: motcua.Location()}
	defer read.Close()
	defer write.Close()
	names, err := db.migrationNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		if name > last {
			break
		}
		if _, err := db.migrate(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	for _, q := range stmts {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
