package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"motcua"
)

// Deadlines and alerts. A dossier's open deadlines are rows of deadlines,
// written in the transaction of each change of the dossier (only those
// that changed). Each due-soon and due time still to act on is also a row
// of deadline_queue, ordered by that time: a scan takes the rows at the
// head of the queue, deletes them, and emits the alerts of those whose
// deadline still has that time. So a scan writes only pages at the head
// of the queue and the alerts it appends, however scattered its deadlines
// are. The unique key of alerts (due time, dossier, task, kind) makes a
// second emission of the same alert impossible, whichever process scans.

var _ motcua.DeadlineService = (*DB)(nil)

// Limits of FindAlerts.
const (
	defaultAlertLimit = 100
	maxAlertLimit     = 1000
)

// deadlineColumns are the columns of a deadline row.
const deadlineColumns = `dossier_id, task, code, agency, unit, role, due_at, soon_at`

// Statements writing deadlines, prepared on SQLite.
const (
	deadlineTuple       = `(?, ?, ?, ?, ?, ?, ?, ?)`
	insertDeadlineQuery = `INSERT INTO deadlines (` + deadlineColumns + `) VALUES ` + deadlineTuple
	upsertDeadlines     = ` ON CONFLICT (dossier_id, task) DO UPDATE SET
	code = excluded.code, agency = excluded.agency, unit = excluded.unit, role = excluded.role,
	due_at = excluded.due_at, soon_at = excluded.soon_at`
	upsertDeadlineQuery = insertDeadlineQuery + upsertDeadlines
	deleteDeadlineQuery = `DELETE FROM deadlines WHERE dossier_id = ? AND task = ?`

	queueColumns = `at, dossier_id, task, kind, due_at`
	queueTuple   = `(?, ?, ?, ?, ?)`
	queueQuery   = `INSERT INTO deadline_queue (` + queueColumns + `) VALUES ` + queueTuple + ` ON CONFLICT DO NOTHING`
	unqueueQuery = `DELETE FROM deadline_queue WHERE at = ? AND dossier_id = ? AND task = ? AND kind = ?`

	findDeadlinesQuery = `SELECT task, code, agency, unit, role, due_at, soon_at FROM deadlines WHERE dossier_id = ?`
)

// normalDeadline returns d with a due-soon time no later than its due
// time: a zero or later one becomes the due time.
func normalDeadline(d motcua.Deadline) motcua.Deadline {
	if d.SoonAt.IsZero() || d.SoonAt.After(d.DueAt) {
		d.SoonAt = d.DueAt
	}
	return d
}

// deadlineRow returns the values of deadlineColumns for d.
func deadlineRow(d motcua.Deadline) []any {
	d = normalDeadline(d)
	return []any{d.DossierID, d.Task, d.Code, d.Agency, d.Unit, d.Role, d.DueAt, d.SoonAt}
}

// queued is a row of deadline_queue: a time at which a scan acts on a
// deadline.
type queued struct {
	at   time.Time
	task int
	kind string
	due  time.Time
}

func (q queued) equal(o queued) bool {
	return q.task == o.task && q.kind == o.kind && q.at.Equal(o.at) && q.due.Equal(o.due)
}

func (q queued) row(dossierID string) []any {
	return []any{q.at, dossierID, q.task, q.kind, q.due}
}

// queueOf returns the queue rows of d: its due-soon time when that comes
// before its due time, and its due time.
func queueOf(d motcua.Deadline) []queued {
	d = normalDeadline(d)
	q := make([]queued, 0, 2)
	if d.SoonAt.Before(d.DueAt) {
		q = append(q, queued{at: d.SoonAt, task: d.Task, kind: motcua.AlertDueSoon, due: d.DueAt})
	}
	return append(q, queued{at: d.DueAt, task: d.Task, kind: motcua.AlertOverdue, due: d.DueAt})
}

// sameDeadline reports whether a and b are the same deadline row; sameTimes
// whether they have the same times, and so the same queue rows.
func sameDeadline(a, b motcua.Deadline) bool {
	return sameTimes(a, b) && a.Code == b.Code && a.Agency == b.Agency && a.Unit == b.Unit && a.Role == b.Role
}

func sameTimes(a, b motcua.Deadline) bool {
	a, b = normalDeadline(a), normalDeadline(b)
	return a.Task == b.Task && a.DueAt.Equal(b.DueAt) && a.SoonAt.Equal(b.SoonAt)
}

// insertDeadlines inserts the deadlines of new dossiers, which have none
// yet, with their queue rows: a few with a prepared statement each, many
// in multi-row statements.
func insertDeadlines(ctx context.Context, tx *txn, ds []motcua.Deadline) error {
	rows := make([][]any, 0, len(ds))
	var queue [][]any
	for _, d := range ds {
		rows = append(rows, deadlineRow(d))
		for _, q := range queueOf(d) {
			queue = append(queue, q.row(d.DossierID))
		}
	}
	if len(ds) > 8 {
		if err := insertRows(ctx, tx, "deadlines", deadlineColumns, rows); err != nil {
			return err
		}
		return insertRows(ctx, tx, "deadline_queue", queueColumns, queue)
	}
	for _, r := range rows {
		if _, err := tx.exec(ctx, insertDeadlineQuery, r...); err != nil {
			return err
		}
	}
	for _, r := range queue {
		if _, err := tx.exec(ctx, queueQuery, r...); err != nil {
			return err
		}
	}
	return nil
}

// writeDeadlines replaces the open deadlines of the dossier dossierID,
// inside tx, with ds, which must all be the dossier's and name each task
// once, whatever the rows held before: it reads them, then writes as
// syncDeadlines does.
func writeDeadlines(ctx context.Context, tx *txn, dossierID string, ds []motcua.Deadline) error {
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
	}
	rows, err := tx.query(ctx, findDeadlinesQuery, dossierID)
	if err != nil {
		return fmt.Errorf("sqlstore: read the deadlines of dossier %s: %w", dossierID, err)
	}
	defer rows.Close()
	var was []motcua.Deadline
	for rows.Next() {
		d := motcua.Deadline{DossierID: dossierID}
		if err := rows.Scan(&d.Task, &d.Code, &d.Agency, &d.Unit, &d.Role, scanTime{&d.DueAt}, scanTime{&d.SoonAt}); err != nil {
			return fmt.Errorf("sqlstore: read the deadlines of dossier %s: %w", dossierID, err)
		}
		was = append(was, d)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: read the deadlines of dossier %s: %w", dossierID, err)
	}
	rows.Close()
	return syncDeadlines(ctx, tx, dossierID, was, ds)
}

// deadlineChanges is what syncDeadlines writes.
type deadlineChanges struct {
	removed []int             // tasks whose rows go
	written []motcua.Deadline // rows new or changed
	unqueue []queued          // queue rows of replaced times
	queue   []queued          // queue rows of new times
}

// diffDeadlines returns what takes a dossier's deadlines from was to now.
// A deadline whose times are unchanged keeps its queue rows, and so what
// was sent of it, even when its holder changed.
func diffDeadlines(was, now []motcua.Deadline) deadlineChanges {
	var c deadlineChanges
	find := func(ds []motcua.Deadline, task int) (motcua.Deadline, bool) {
		for _, d := range ds {
			if d.Task == task {
				return d, true
			}
		}
		return motcua.Deadline{}, false
	}
	for _, w := range was {
		if _, ok := find(now, w.Task); !ok {
			c.removed = append(c.removed, w.Task)
			c.unqueue = append(c.unqueue, queueOf(w)...)
		}
	}
	for _, n := range now {
		w, ok := find(was, n.Task)
		if ok && sameDeadline(w, n) {
			continue
		}
		c.written = append(c.written, n)
		if ok && sameTimes(w, n) {
			continue
		}
		var old []queued
		if ok {
			old = queueOf(w)
		}
		add := queueOf(n)
		for _, q := range old {
			if !slices.ContainsFunc(add, q.equal) {
				c.unqueue = append(c.unqueue, q)
			}
		}
		for _, q := range add {
			if !slices.ContainsFunc(old, q.equal) {
				c.queue = append(c.queue, q)
			}
		}
	}
	return c
}

// syncDeadlines brings the deadlines of a dossier from was, those of its
// state before a change, to now, writing only what changed: nothing at
// all when the change kept them. A deadline whose times changed starts
// again with nothing sent; one whose times did not keeps what was sent.
// SQLite, where a statement costs no round trip, writes row by row with
// prepared statements; PostgreSQL writes everything in one statement.
func syncDeadlines(ctx context.Context, tx *txn, dossierID string, was, now []motcua.Deadline) error {
	c := diffDeadlines(was, now)
	if len(c.removed)+len(c.written)+len(c.unqueue)+len(c.queue) == 0 {
		return nil
	}
	if tx.db.d.insertWith {
		q, args := c.statement(dossierID)
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlstore: write the deadlines of dossier %s: %w", dossierID, err)
		}
		return nil
	}
	for _, task := range c.removed {
		if _, err := tx.exec(ctx, deleteDeadlineQuery, dossierID, task); err != nil {
			return fmt.Errorf("sqlstore: delete deadline %d of %s: %w", task, dossierID, err)
		}
	}
	for _, q := range c.unqueue {
		if _, err := tx.exec(ctx, unqueueQuery, q.at, dossierID, q.task, q.kind); err != nil {
			return fmt.Errorf("sqlstore: unqueue deadline %d of %s: %w", q.task, dossierID, err)
		}
	}
	for _, d := range c.written {
		if _, err := tx.exec(ctx, upsertDeadlineQuery, deadlineRow(d)...); err != nil {
			return fmt.Errorf("sqlstore: write deadline %d of %s: %w", d.Task, dossierID, err)
		}
	}
	for _, q := range c.queue {
		if _, err := tx.exec(ctx, queueQuery, q.row(dossierID)...); err != nil {
			return fmt.Errorf("sqlstore: queue deadline %d of %s: %w", q.task, dossierID, err)
		}
	}
	return nil
}

// statement returns c as one PostgreSQL statement: each part but the
// last in a WITH clause.
func (c deadlineChanges) statement(dossierID string) (string, []any) {
	parts, args := c.parts(dossierID)
	return withParts(parts, parts[len(parts)-1]), args
}

// withParts returns the statement whose WITH clause holds each of parts
// but those equal to main, which comes last. PostgreSQL runs every part
// whatever main selects; the parts must touch distinct rows.
func withParts(parts []string, main string) string {
	var b strings.Builder
	n := 0
	for _, p := range parts {
		if p == main {
			continue
		}
		if n == 0 {
			b.WriteString("WITH ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "w%d AS (%s)", n, p)
		n++
	}
	if n > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(main)
	return b.String()
}

// parts returns the statements of c for PostgreSQL, with their
// arguments in order. They touch distinct rows, as the parts of one
// statement must: a queue row is either deleted or inserted, never both.
func (c deadlineChanges) parts(dossierID string) ([]string, []any) {
	var parts []string
	var args []any
	var b strings.Builder
	if len(c.removed) > 0 {
		b.WriteString(`DELETE FROM deadlines WHERE dossier_id = ? AND task IN (`)
		args = append(args, dossierID)
		for i, task := range c.removed {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
			args = append(args, task)
		}
		b.WriteByte(')')
		parts = append(parts, b.String())
		b.Reset()
	}
	if len(c.unqueue) > 0 {
		b.WriteString(`DELETE FROM deadline_queue WHERE dossier_id = ? AND (at, task, kind) IN (`)
		args = append(args, dossierID)
		for i, q := range c.unqueue {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`(?::timestamptz, ?::integer, ?)`)
			args = append(args, q.at, q.task, q.kind)
		}
		b.WriteByte(')')
		parts = append(parts, b.String())
		b.Reset()
	}
	if len(c.written) > 0 {
		b.WriteString(`INSERT INTO deadlines (` + deadlineColumns + `) VALUES `)
		for i, d := range c.written {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(deadlineTuple)
			args = append(args, deadlineRow(d)...)
		}
		b.WriteString(upsertDeadlines)
		parts = append(parts, b.String())
		b.Reset()
	}
	if len(c.queue) > 0 {
		b.WriteString(`INSERT INTO deadline_queue (` + queueColumns + `) VALUES `)
		for i, q := range c.queue {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(queueTuple)
			args = append(args, q.row(dossierID)...)
		}
		b.WriteString(` ON CONFLICT DO NOTHING`)
		parts = append(parts, b.String())
		b.Reset()
	}
	return parts, args
}

// alertsOf selects the alerts of the queue rows of a CTE named taken, now
// being the parameter now.
func alertsOf(now string) string {
	return `SELECT t.kind, d.dossier_id, d.code, d.task, d.agency, d.unit, d.role, d.due_at, ` + now + `
FROM taken t JOIN deadlines d ON d.dossier_id = t.dossier_id AND d.task = t.task AND d.due_at = t.due_at
WHERE t.kind = '` + motcua.AlertOverdue + `' OR (d.soon_at = t.at AND t.due_at > ` + now + `)
ORDER BY t.at, t.dossier_id, t.task`
}

// The scan of one batch: the first rows of the queue whose time has come
// are deleted, and each emits its alert if its deadline still has that
// time, unless it is a due-soon time whose due time has come too (the
// due-soon alert of a missed deadline is skipped). The queries number
// their parameters: now is the first, the limit the second.
const (
	alertColumns = `kind, dossier_id, code, task, agency, unit, role, due_at, at`

	// SQLite has one writer: the alerts of the first ?2 queue rows are
	// inserted (scanSQLiteAlertsQuery), then the same rows are deleted.
	scanSQLiteDue         = `SELECT at, dossier_id, task, kind, due_at FROM deadline_queue WHERE at <= ?1 ORDER BY at LIMIT ?2`
	scanSQLiteDeleteQuery = `DELETE FROM deadline_queue WHERE (at, dossier_id, task, kind) IN (
	SELECT at, dossier_id, task, kind FROM deadline_queue WHERE at <= ?1 ORDER BY at LIMIT ?2)`
)

// scanPostgresQuery locks up to $2 queue rows whose time has come,
// skipping those another scan (or a dossier's transaction) holds, deletes
// them and inserts their alerts, in one statement, and returns how many
// rows it took and how many alerts it emitted.
func scanPostgresQuery() string {
	return `WITH due AS (
	SELECT at, dossier_id, task, kind FROM deadline_queue
	WHERE at <= $1
	ORDER BY at
	LIMIT $2
	FOR UPDATE SKIP LOCKED
), taken AS (
	DELETE FROM deadline_queue q USING due
	WHERE q.at = due.at AND q.dossier_id = due.dossier_id AND q.task = due.task AND q.kind = due.kind
	RETURNING q.at, q.dossier_id, q.task, q.kind, q.due_at
), emitted AS (
	INSERT INTO alerts (` + alertColumns + `)
	` + alertsOf("$1") + `
	ON CONFLICT DO NOTHING
	RETURNING 1
)
SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM emitted)`
}

// scanSQLiteAlertsQuery inserts the alerts of the first ?2 queue rows
// whose time has come.
func scanSQLiteAlertsQuery() string {
	return `WITH taken AS (` + scanSQLiteDue + `)
INSERT INTO alerts (` + alertColumns + `)
` + alertsOf("?1") + `
ON CONFLICT DO NOTHING`
}

// ScanDeadlines takes up to limit queue rows whose time has come by now,
// in one short transaction, and emits their alerts. On PostgreSQL, rows
// another scan has locked are skipped, so several processes may scan at
// once and each alert is emitted by one of them; an alert emitted before
// for the same due time is not emitted again. Returns EINVALID if limit
// is below 1.
func (db *DB) ScanDeadlines(ctx context.Context, now time.Time, limit int) (s motcua.Scan, err error) {
	defer markUnavailable(&err)
	if limit < 1 {
		return s, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "The limit must be at least 1.",
			Fields: []motcua.FieldError{{Field: "limit", Reason: motcua.FieldValue}}}
	}
	at := db.d.arg(now)
	if db.d.engine == EnginePostgres {
		if err := db.write.QueryRowContext(ctx, scanPostgresQuery(), at, limit).Scan(&s.Taken, &s.Emitted); err != nil {
			return motcua.Scan{}, fmt.Errorf("sqlstore: scan deadlines: %w", err)
		}
		return s, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return s, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, scanSQLiteAlertsQuery(), at, limit)
	if err != nil {
		return s, fmt.Errorf("sqlstore: insert alerts: %w", err)
	}
	if s.Emitted, err = rowsAffected(res); err != nil {
		return motcua.Scan{}, err
	}
	if res, err = tx.ExecContext(ctx, scanSQLiteDeleteQuery, at, limit); err != nil {
		return motcua.Scan{}, fmt.Errorf("sqlstore: take due times: %w", err)
	}
	if s.Taken, err = rowsAffected(res); err != nil {
		return motcua.Scan{}, err
	}
	if err := tx.Commit(); err != nil {
		return motcua.Scan{}, fmt.Errorf("sqlstore: commit: %w", err)
	}
	return s, nil
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
