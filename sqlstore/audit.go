package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"motcua"
)

var _ motcua.AuditService = (*DB)(nil)

// Reasons of an motcua.AuditBreak, as VerifyAudit reports them.
const (
	// AuditEdited: the record's hash does not match its content.
	AuditEdited = "edited"
	// AuditInsertedOrDeleted: the record's PrevHash is not the hash of the
	// record before it, so the one before it was inserted, replaced or
	// put in place of a deleted one. At the end of the log it names the
	// last record when that is not the one the head recorded (the last
	// record was replaced) or the first record after the head (records
	// were added without Audit).
	AuditInsertedOrDeleted = "inserted or deleted"
	// AuditMissing: records were deleted. It names the first missing
	// sequence number: of a gap in the numbering, or after the last
	// record when the log ends before the head (its tail was deleted).
	AuditMissing = "missing"
	// AuditHeadMissing: the row recording the head of the log is gone, so
	// a deleted tail cannot be detected. Its Seq is 0.
	AuditHeadMissing = "head missing"
)

// auditDetailMax is the most bytes an audit record's Detail may have.
const auditDetailMax = 4000

const auditColumns = `seq, at, actor_kind, actor_id, actor_name, action, object, outcome, ip, detail, prev_hash, hash`

// Audit appends records, in order, to the audit log in one transaction.
// It sets each record's Seq, PrevHash and Hash, its At to the
// transaction's time when zero (else to UTC at microsecond precision) and
// its Outcome to motcua.OutcomeOK when empty, once they are stored.
// Appends from every process sharing the database are serialized by the
// lock on the log's head row. A record without Action or Actor.Kind, with
// an unknown Outcome, a Detail over 4000 bytes or a text field that is
// not valid UTF-8 or holds a NUL character is refused with an EINVALID
// error whose fields are named "records[i].action" and so on; nothing is
// then written.
func (db *DB) Audit(ctx context.Context, records ...*motcua.AuditRecord) (err error) {
	defer markUnavailable(&err)
	if len(records) == 0 {
		return nil
	}
	if err := validateAudit(records); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var seq int64
	var hash string
	if err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+db.d.forUpdate).Scan(&seq, &hash); err != nil {
		return fmt.Errorf("sqlstore: audit head: %w", err)
	}
	chained := make([]motcua.AuditRecord, len(records))
	rows := make([][]any, len(records))
	for i, r := range records {
		c := *r
		seq++
		c.Seq, c.PrevHash = seq, hash
		if c.At.IsZero() {
			c.At = tx.now
		}
		c.At = c.At.UTC().Truncate(time.Microsecond)
		if c.Outcome == "" {
			c.Outcome = motcua.OutcomeOK
		}
		c.Hash = c.ComputeHash()
		hash = c.Hash
		chained[i] = c
		rows[i] = []any{c.Seq, c.At, c.Actor.Kind, c.Actor.ID, c.Actor.Name, c.Action, c.Object, c.Outcome,
			c.IP, c.Detail, c.PrevHash, c.Hash}
	}
	if err := appendAudit(ctx, tx, rows, seq, hash); err != nil {
		return fmt.Errorf("sqlstore: append audit records: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: append audit records: %w", err)
	}
	for i, r := range records {
		*r = chained[i]
	}
	return nil
}

// auditChunk is the most records one statement inserts, which bounds the
// number of distinct statements.
const auditChunk = 50

const auditTuple = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// appendAudit inserts rows, the rows of records chained after the head,
// and moves the head to seq and hash. On PostgreSQL the last INSERT also
// updates the head, as a round trip costs more than a statement.
func appendAudit(ctx context.Context, tx *txn, rows [][]any, seq int64, hash string) error {
	const updateHead = `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`
	for len(rows) > 0 {
		n := min(len(rows), auditChunk)
		q := `INSERT INTO audit_log (` + auditColumns + `) VALUES ` + strings.Repeat(auditTuple+", ", n-1) + auditTuple
		args := make([]any, 0, n*len(rows[0])+2)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if rows = rows[n:]; len(rows) == 0 && tx.db.d.insertWith {
			_, err := tx.exec(ctx, `WITH a AS (`+q+`) `+updateHead, append(args, seq, hash)...)
			return err
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, updateHead, seq, hash)
	return err
}

// validateAudit checks the records Audit is given.
func validateAudit(records []*motcua.AuditRecord) error {
	var fs motcua.Fields
	for i, r := range records {
		p := fmt.Sprintf("records[%d]", i)
		if r == nil {
			fs.Add(p, motcua.FieldRequired, "the record is missing")
			continue
		}
		p += "."
		if r.Action == "" {
			fs.Add(p+"action", motcua.FieldRequired, "action is required")
		}
		if r.Actor.Kind == "" {
			fs.Add(p+"actor.kind", motcua.FieldRequired, "the actor's kind is required")
		}
		switch r.Outcome {
		case "", motcua.OutcomeOK, motcua.OutcomeDenied, motcua.OutcomeFailed:
		default:
			fs.Add(p+"outcome", motcua.FieldValue, "outcome must be ok, denied or failed")
		}
		if len(r.Detail) > auditDetailMax {
			fs.Add(p+"detail", motcua.FieldTooLong, fmt.Sprintf("detail must have at most %d bytes", auditDetailMax))
		}
		for _, f := range []struct{ name, value string }{
			{"actor.kind", r.Actor.Kind}, {"actor.id", r.Actor.ID}, {"actor.name", r.Actor.Name}, {"action", r.Action},
			{"object", r.Object}, {"outcome", r.Outcome}, {"ip", r.IP}, {"detail", r.Detail},
		} {
			if !utf8.ValidString(f.value) || strings.IndexByte(f.value, 0) >= 0 {
				fs.Add(p+f.name, motcua.FieldFormat, f.name+" must be UTF-8 text without NUL characters")
			}
		}
	}
	return fs.Err()
}

func scanAudit(s interface{ Scan(...any) error }) (*motcua.AuditRecord, error) {
	var r motcua.AuditRecord
	if err := s.Scan(&r.Seq, scanTime{&r.At}, &r.Actor.Kind, &r.Actor.ID, &r.Actor.Name, &r.Action, &r.Object, &r.Outcome,
		&r.IP, &r.Detail, &r.PrevHash, &r.Hash); err != nil {
		return nil, err
	}
	return &r, nil
}

// FindAudit returns the audit records f selects in Seq order: those after
// f.After with the Action, actor ID and Object given, at or after From
// and before To when set, at most f.Limit of them (100 when zero, 1000
// when more). A negative limit is EINVALID.
func (db *DB) FindAudit(ctx context.Context, f motcua.AuditFilter) (list []*motcua.AuditRecord, err error) {
	defer markUnavailable(&err)
	switch {
	case f.Limit < 0:
		var fs motcua.Fields
		fs.Add("limit", motcua.FieldValue, "limit must not be negative")
		return nil, fs.Err()
	case f.Limit == 0:
		f.Limit = 100
	case f.Limit > 1000:
		f.Limit = 1000
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log WHERE seq > ?`
	args := []any{f.After}
	for _, c := range []struct {
		cond  string
		value any
		set   bool
	}{
		{"action = ?", f.Action, f.Action != ""},
		{"actor_id = ?", f.ActorID, f.ActorID != ""},
		{"object = ?", f.Object, f.Object != ""},
		{"at >= ?", f.From, !f.From.IsZero()},
		{"at < ?", f.To, !f.To.IsZero()},
	} {
		if c.set {
			q += " AND " + c.cond
			args = append(args, c.value)
		}
	}
	q += ` ORDER BY seq LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.snapshots().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find audit records: %w", err)
	}
	defer rows.Close()
	list = []*motcua.AuditRecord{}
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find audit records: %w", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find audit records: %w", err)
	}
	return list, nil
}

// VerifyAudit checks the audit log in one snapshot of the database,
// streaming the records in Seq order, and reports every break, in order,
// with one of the reasons AuditEdited, AuditInsertedOrDeleted,
// AuditMissing and AuditHeadMissing. Each record is checked against its
// own hash and against the record before it as stored, so an edit breaks
// the chain at that record only; the last record is checked against the
// head row, which catches a deleted tail. A log rewritten from some record
// on together with its head is not detected.
func (db *DB) VerifyAudit(ctx context.Context) (report *motcua.AuditReport, err error) {
	defer markUnavailable(&err)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	report = &motcua.AuditReport{}
	broken := func(seq int64, reason string) {
		report.Broken = append(report.Broken, motcua.AuditBreak{Seq: seq, Reason: reason})
	}
	var headSeq int64
	var headHash string
	err = tx.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash)
	headFound := err == nil
	if errors.Is(err, sql.ErrNoRows) {
		broken(0, AuditHeadMissing)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: verify audit head: %w", err)
	}

	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: verify audit: %w", err)
	}
	defer rows.Close()
	var last int64
	var lastHash string
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: verify audit: %w", err)
		}
		report.Records++
		switch {
		case r.Seq > last+1:
			broken(last+1, AuditMissing)
		case r.PrevHash != lastHash:
			broken(r.Seq, AuditInsertedOrDeleted)
		}
		if r.Hash != r.ComputeHash() {
			broken(r.Seq, AuditEdited)
		}
		last, lastHash = r.Seq, r.Hash
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: verify audit: %w", err)
	}
	switch {
	case !headFound:
	case last < headSeq:
		broken(last+1, AuditMissing)
	case last > headSeq:
		broken(headSeq+1, AuditInsertedOrDeleted)
	case lastHash != headHash:
		broken(last, AuditInsertedOrDeleted)
	}
	return report, nil
}
