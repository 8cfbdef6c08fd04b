package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"motcua"
)

// Deadlines and alerts. Each change of a dossier rewrites its open
// deadlines (writeDeadlines, in the dossier's transaction); a scan takes
// the deadlines whose next_at has come, through a partial index that holds
// only the rows with something left to emit, and emits each due-soon and
// overdue alert once. The unique key of alerts (dossier, task, due time,
// kind) makes a second emission of the same alert impossible, whichever
// process scans.

var _ motcua.DeadlineService = (*DB)(nil)

// Limits of FindAlerts.
const (
	defaultAlertLimit = 100
	maxAlertLimit     = 1000
)

const deleteDeadlinesQuery = `DELETE FROM deadlines WHERE dossier_id = ?`

// upsertDeadlines ends the multi-row INSERT of deadlines. A row whose due
// time is unchanged keeps its flags, so alerts already emitted stay
// emitted, and is not written at all when nothing of it changed; a row
// whose due time changed starts again with nothing sent. next_at follows
// from the flags: NULL once overdue was sent, the due time once due-soon
// was, the due-soon time otherwise.
const upsertDeadlines = ` ON CONFLICT (dossier_id, task) DO UPDATE SET
	code = excluded.code, agency = excluded.agency, unit = excluded.unit, role = excluded.role,
	due_at = excluded.due_at, soon_at = excluded.soon_at,
	soon_sent = deadlines.soon_sent AND deadlines.due_at = excluded.due_at,
	overdue_sent = deadlines.overdue_sent AND deadlines.due_at = excluded.due_at,
	next_at = CASE
		WHEN deadlines.due_at <> excluded.due_at THEN excluded.next_at
		WHEN deadlines.overdue_sent THEN NULL
		WHEN deadlines.soon_sent THEN excluded.due_at
		ELSE excluded.next_at END
WHERE deadlines.due_at <> excluded.due_at OR deadlines.soon_at <> excluded.soon_at
	OR deadlines.code <> excluded.code OR deadlines.agency <> excluded.agency
	OR deadlines.unit <> excluded.unit OR deadlines.role <> excluded.role`

// writeDeadlines replaces the open deadlines of the dossier dossierID,
// inside tx, with ds, which must all be the dossier's and name each task
// once: the rows of tasks not in ds are deleted; a row whose due time
// changed starts again with no alert sent; a row whose due time is
// unchanged keeps what was sent. A due-soon time that is zero or after
// the due time is the due time.
//
// It runs one statement when ds is empty, two otherwise (one on
// PostgreSQL).
func writeDeadlines(ctx context.Context, tx *txn, dossierID string, ds []motcua.Deadline) error {
	if len(ds) == 0 {
		if _, err := tx.exec(ctx, deleteDeadlinesQuery, dossierID); err != nil {
			return fmt.Errorf("sqlstore: delete the deadlines of dossier %s: %w", dossierID, err)
		}
		return nil
	}
	del := make([]any, 0, 1+len(ds))
	ins := make([]any, 0, 9*len(ds))
	var b strings.Builder
	b.WriteString(deleteDeadlinesQuery + ` AND task NOT IN (`)
	del = append(del, dossierID)
	for i, d := range ds {
		if d.DossierID != dossierID {
			return fmt.Errorf("sqlstore: deadline of dossier %q written for dossier %q", d.DossierID, dossierID)
		}
		if d.DueAt.IsZero() {
			return fmt.Errorf("sqlstore: deadline of dossier %s, task %d, has no due time", dossierID, d.Task)
		}
		for _, e := range ds[:i] {
			if e.Task == d.Task {
				return fmt.Errorf("sqlstore: two deadlines of dossier %s for task %d", dossierID, d.Task)
			}
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
		del = append(del, d.Task)
		ins = append(ins, deadlineRow(d)...)
	}
	b.WriteString(`)`)
	deleteQuery := b.String()

	b.Reset()
	b.WriteString(`INSERT INTO deadlines (dossier_id, task, code, agency, unit, role, due_at, soon_at, next_at) VALUES `)
	for i := range ds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	b.WriteString(upsertDeadlines)
	insertQuery := b.String()

	if tx.db.d.insertWith {
		q := `WITH gone AS (` + deleteQuery + `) ` + insertQuery
		if _, err := tx.exec(ctx, q, append(del, ins...)...); err != nil {
			return fmt.Errorf("sqlstore: write the deadlines of dossier %s: %w", dossierID, err)
		}
		return nil
	}
	if _, err := tx.exec(ctx, deleteQuery, del...); err != nil {
		return fmt.Errorf("sqlstore: delete the closed deadlines of dossier %s: %w", dossierID, err)
	}
	if _, err := tx.exec(ctx, insertQuery, ins...); err != nil {
		return fmt.Errorf("sqlstore: write the deadlines of dossier %s: %w", dossierID, err)
	}
	return nil
}

// The scan of one batch. A deadline whose due time has come gets an
// overdue alert and has nothing more to emit (a due-soon alert not yet
// sent is skipped); one whose due-soon time has come gets a due-soon alert
// and waits for its due time. The queries number their parameters: now is
// the first, the limit the second.
const (
	alertColumns = `kind, dossier_id, code, task, agency, unit, role, due_at, at`

	// scanPostgresQuery locks up to $2 due rows, skipping those another
	// scan (or a dossier's transaction) holds, marks them and inserts
	// their alerts, in one statement.
	scanPostgresQuery = `WITH due AS (
	SELECT dossier_id, task FROM deadlines
	WHERE next_at <= $1
	ORDER BY next_at
	LIMIT $2
	FOR UPDATE SKIP LOCKED
), marked AS (
	UPDATE deadlines SET
		overdue_sent = overdue_sent OR due_at <= $1,
		soon_sent = soon_sent OR due_at > $1,
		next_at = CASE WHEN due_at <= $1 THEN NULL ELSE due_at END
	FROM due
	WHERE deadlines.dossier_id = due.dossier_id AND deadlines.task = due.task
	RETURNING deadlines.dossier_id, deadlines.code, deadlines.task, deadlines.agency,
		deadlines.unit, deadlines.role, deadlines.due_at
)
INSERT INTO alerts (` + alertColumns + `)
SELECT CASE WHEN due_at <= $1 THEN '` + motcua.AlertOverdue + `' ELSE '` + motcua.AlertDueSoon + `' END,
	dossier_id, code, task, agency, unit, role, due_at, $1
FROM marked
ORDER BY due_at, dossier_id, task
ON CONFLICT DO NOTHING`

	// SQLite has one writer: the alerts of the first ?2 due rows in the
	// order of the index are inserted, then the same rows are marked.
	scanSQLiteDue         = `SELECT rowid FROM deadlines WHERE next_at <= ?1 ORDER BY next_at, rowid LIMIT ?2`
	scanSQLiteAlertsQuery = `INSERT INTO alerts (` + alertColumns + `)
SELECT CASE WHEN due_at <= ?1 THEN '` + motcua.AlertOverdue + `' ELSE '` + motcua.AlertDueSoon + `' END,
	dossier_id, code, task, agency, unit, role, due_at, ?1
FROM deadlines
WHERE rowid IN (` + scanSQLiteDue + `)
ON CONFLICT DO NOTHING`
	scanSQLiteMarkQuery = `UPDATE deadlines SET
	overdue_sent = overdue_sent OR due_at <= ?1,
	soon_sent = soon_sent OR due_at > ?1,
	next_at = CASE WHEN due_at <= ?1 THEN NULL ELSE due_at END
WHERE rowid IN (` + scanSQLiteDue + `)`
)

// ScanDeadlines emits the alerts of up to limit deadlines whose due-soon
// or due time has come by now, in one short transaction, and returns how
// many it emitted. On PostgreSQL, rows another scan has locked are
// skipped, so several processes may scan at once and each alert is
// emitted by one of them; an alert emitted before for the same due time
// is not emitted again. Returns EINVALID if limit is below 1.
func (db *DB) ScanDeadlines(ctx context.Context, now time.Time, limit int) (n int, err error) {
	defer markUnavailable(&err)
	if limit < 1 {
		return 0, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "The limit must be at least 1.",
			Fields: []motcua.FieldError{{Field: "limit", Reason: motcua.FieldValue}}}
	}
	at := db.d.arg(now)
	if db.d.engine == EnginePostgres {
		res, err := db.write.ExecContext(ctx, scanPostgresQuery, at, limit)
		if err != nil {
			return 0, fmt.Errorf("sqlstore: scan deadlines: %w", err)
		}
		return rowsAffected(res)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, scanSQLiteAlertsQuery, at, limit)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: insert alerts: %w", err)
	}
	if n, err = rowsAffected(res); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, scanSQLiteMarkQuery, at, limit); err != nil {
		return 0, fmt.Errorf("sqlstore: mark deadlines: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlstore: commit: %w", err)
	}
	return n, nil
}

func rowsAffected(res interface{ RowsAffected() (int64, error) }) (int, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: rows affected: %w", err)
	}
	return int(n), nil
}

const findAlertsColumns = `SELECT a.id, a.kind, a.dossier_id, a.code, a.task, a.agency, a.unit, a.role, a.due_at, a.at FROM alerts a`

// FindAlerts returns, in ID order, the alerts after f.After that f.Actor
// may see, of f.Kind and at f.Agency when set, at most f.Limit (100 when
// zero, 1000 at most). An administrator sees every alert. Anyone else sees
// those of each of their grants: alerts at agencies of the grant's unit or
// a unit below it (at the grant's agency only when it names one) whose
// holder's role is the grant's role, or any role for a leader. An actor
// with no grant sees none. Returns EINVALID for an unknown kind.
//
// IDs are handed out in the order alerts are inserted; on PostgreSQL,
// scans running at once may commit out of that order, so a reader that
// follows new alerts with After may pass over one committed late.
func (db *DB) FindAlerts(ctx context.Context, f motcua.AlertFilter) (alerts []*motcua.Alert, err error) {
	defer markUnavailable(&err)
	if f.Kind != "" && f.Kind != motcua.AlertDueSoon && f.Kind != motcua.AlertOverdue {
		return nil, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "Unknown alert kind.",
			Fields: []motcua.FieldError{{Field: "kind", Reason: motcua.FieldValue}}}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAlertLimit
	}
	limit = min(limit, maxAlertLimit)
	admin := f.Actor.Kind == motcua.ActorAdmin
	if !admin && len(f.Actor.Grants) == 0 {
		return nil, nil
	}

	var b strings.Builder
	var args []any
	if !admin {
		// scope holds, for each grant, its role and agency with every
		// unit of its subtree.
		b.WriteString(`WITH RECURSIVE grants (role, unit, agency) AS (VALUES `)
		for i, g := range f.Actor.Grants {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`(?, ?, ?)`)
			args = append(args, g.Role, g.Unit, g.Agency)
		}
		b.WriteString(`), scope (role, unit, agency) AS (
	SELECT g.role, u.code, g.agency FROM grants g JOIN units u ON u.code = g.unit
	UNION
	SELECT s.role, u.code, s.agency FROM scope s JOIN units u ON u.parent_code = s.unit
) `)
	}
	b.WriteString(findAlertsColumns + ` WHERE a.id > ?`)
	args = append(args, f.After)
	if f.Kind != "" {
		b.WriteString(` AND a.kind = ?`)
		args = append(args, f.Kind)
	}
	if f.Agency != "" {
		b.WriteString(` AND a.agency = ?`)
		args = append(args, f.Agency)
	}
	if !admin {
		b.WriteString(` AND EXISTS (SELECT 1 FROM scope s WHERE s.unit = a.unit
	AND (s.agency = '' OR s.agency = a.agency)
	AND (s.role = a.role OR s.role = '` + motcua.RoleLeader + `'))`)
	}
	b.WriteString(` ORDER BY a.id LIMIT ?`)
	args = append(args, limit)

	tx := db.snapshots()
	rows, err := tx.query(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a motcua.Alert
		if err := rows.Scan(&a.ID, &a.Kind, &a.DossierID, &a.Code, &a.Task, &a.Agency, &a.Unit, &a.Role,
			scanTime{&a.DueAt}, scanTime{&a.At}); err != nil {
			return nil, fmt.Errorf("sqlstore: find alerts: %w", err)
		}
		alerts = append(alerts, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find alerts: %w", err)
	}
	return alerts, nil
}
