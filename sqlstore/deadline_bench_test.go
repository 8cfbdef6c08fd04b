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

// DeadlineState is a stored deadline with what the scan has sent of it.
type DeadlineState struct {
	Task        int
	Agency      string
	DueAt       time.Time
	SoonAt      time.Time
	NextAt      *time.Time
	SoonSent    bool
	OverdueSent bool
}

// Deadlines returns the stored deadlines of a dossier in task order.
func (db *DB) Deadlines(ctx context.Context, dossierID string) ([]DeadlineState, error) {
	rows, err := db.snapshots().query(ctx, `SELECT task, agency, due_at, soon_at, next_at, soon_sent, overdue_sent
FROM deadlines WHERE dossier_id = ? ORDER BY task`, dossierID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []DeadlineState
	for rows.Next() {
		var d DeadlineState
		if err := rows.Scan(&d.Task, &d.Agency, scanTime{&d.DueAt}, scanTime{&d.SoonAt}, nullTime(&d.NextAt), &d.SoonSent, &d.OverdueSent); err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// InsertDeadlines inserts n new deadlines, deadline(0) to deadline(n-1),
// in bulk: a thousand rows a statement and a hundred thousand a
// transaction. Then it updates the planner's statistics (and, on
// PostgreSQL, the visibility map), as a database that has run for a while
// has them.
func (db *DB) InsertDeadlines(ctx context.Context, n int, deadline func(i int) motcua.Deadline) error {
	const perStatement, perTx = 1000, 100_000
	for start := 0; start < n; start += perTx {
		tx, err := db.beginWrite(ctx)
		if err != nil {
			return err
		}
		for first := start; first < min(start+perTx, n); first += perStatement {
			var b strings.Builder
			b.WriteString(`INSERT INTO deadlines (dossier_id, task, code, agency, unit, role, due_at, soon_at, next_at) VALUES `)
			args := make([]any, 0, 9*perStatement)
			for i := first; i < min(first+perStatement, start+perTx, n); i++ {
				if i > first {
					b.WriteString(", ")
				}
				b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?)`)
				d := deadline(i)
				args = append(args, d.DossierID, d.Task, d.Code, d.Agency, d.Unit, d.Role, d.DueAt, d.SoonAt, d.SoonAt)
			}
			if _, err := tx.ExecContext(ctx, db.d.rebind(b.String()), tx.args(args)...); err != nil {
				tx.Rollback()
				return fmt.Errorf("insert deadlines: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	q := `ANALYZE`
	if db.d.engine == EnginePostgres {
		q = `VACUUM ANALYZE deadlines`
	}
	_, err := db.write.ExecContext(ctx, q)
	return err
}

// CountDueDeadlines counts the deadlines with something to emit by now,
// through the partial index: the floor under a scan, which reads the same
// index entries.
func (db *DB) CountDueDeadlines(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := db.snapshots().queryRow(ctx, `SELECT count(*) FROM deadlines WHERE next_at <= ?`, now).Scan(&n)
	return n, err
}

// ResetDeadlines makes every deadline that a scan has marked due again,
// and deletes the alerts.
func (db *DB) ResetDeadlines(ctx context.Context) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.exec(ctx, `UPDATE deadlines SET soon_sent = FALSE, overdue_sent = FALSE, next_at = soon_at
WHERE soon_sent OR overdue_sent`); err != nil {
		return err
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
		q = `EXPLAIN SELECT dossier_id, task FROM deadlines WHERE next_at <= $1 ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED`
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
