package sqlstore

import (
	"context"
	"fmt"
	"time"

	"motcua"
)

// The retention purge (Decree 13/2023/NĐ-CP): sessions, idempotency keys
// and alerts past their period are deleted, citizens inactive past
// theirs anonymised. Dossiers, their events and the audit log are never
// touched: the dossiers are kept as the archives require (their
// applicant included), and the audit chain cannot lose a record without
// breaking. Nothing references the purged rows: alerts and idempotency
// keys point at dossiers, not the other way round, and sessions at
// nobody.

var _ motcua.RetentionService = (*DB)(nil)

// purgeBatch is the most rows one transaction of a purge deletes or
// anonymises, so that SQLite's single writer is never held long and a
// first purge of years of data does not make one huge transaction.
const purgeBatch = 1000

// purgeTable is a table whose rows are deleted once past their period.
type purgeTable struct {
	table string
	key   string // the primary key's columns
	past  string // the condition of the rows past their period, as of a cutoff time ?
	// period is the retention of the rows; count where the report counts
	// them.
	period func(motcua.Retention) time.Duration
	count  func(*motcua.PurgeReport) *int64
}

// purgeTables returns the tables the purge deletes from, in order.
func purgeTables() []purgeTable {
	return []purgeTable{
		{"sessions", "hash", "expires_at <= ?",
			func(r motcua.Retention) time.Duration { return r.Sessions },
			func(p *motcua.PurgeReport) *int64 { return &p.Sessions }},
		{"idempotency_keys", "actor_kind, actor_id, key", "created_at <= ?",
			func(r motcua.Retention) time.Duration { return r.IdempotencyKeys },
			func(p *motcua.PurgeReport) *int64 { return &p.IdempotencyKeys }},
		{"alerts", "id", "at <= ?",
			func(r motcua.Retention) time.Duration { return r.Alerts },
			func(p *motcua.PurgeReport) *int64 { return &p.Alerts }},
	}
}

// countQuery counts the rows past their period.
func (t purgeTable) countQuery() string {
	return `SELECT COUNT(*) FROM ` + t.table + ` WHERE ` + t.past
}

// deleteQuery deletes a batch of the rows past their period.
func (t purgeTable) deleteQuery() string {
	return fmt.Sprintf(`DELETE FROM %[1]s WHERE (%[2]s) IN (SELECT %[2]s FROM %[1]s WHERE %[3]s LIMIT %[4]d)`,
		t.table, t.key, t.past, purgeBatch)
}

// inactiveCitizen is the condition of a citizen not yet anonymised who
// has not signed in (updated_at is refreshed at each sign-in) since the
// first cutoff, and none of whose dossiers changed (its last event)
// after the second: the same time.
const inactiveCitizen = `anonymised_at IS NULL AND updated_at <= ? AND NOT EXISTS (
	SELECT 1 FROM dossiers d JOIN dossier_events e ON e.dossier_id = d.id AND e.seq = d.version
	WHERE d.applicant_id_number = citizens.id_number AND e.at > ?)`

// anonymiseCitizen empties a citizen's profile (with a local account's
// password and e-mail verification) and replaces their
// subject at the identity provider with a random value: the profile
// identifies no one any more, owns no dossier (no identification
// number), and the person's next sign-in makes a new profile. The ID,
// issuer and creation time stay, so that the audit records naming the
// profile still name one. The condition is checked again, so a citizen
// who signed in since they were chosen is left alone.
const anonymiseCitizen = `UPDATE citizens SET subject = ?, name = '', id_number = '', phone = '', email = '',
	email_verified = FALSE, address = '', password_hash = '', email_verified_at = NULL, updated_at = ?, anonymised_at = ?
	WHERE id = ? AND ` + inactiveCitizen

// anonymisedSubject starts the random subject of an anonymised citizen.
const anonymisedSubject = "anonymised:"

// Purge deletes the sessions whose absolute end, the idempotency keys
// whose creation and the alerts whose emission is at least their period
// in r before now, and anonymises the citizens who have neither signed
// in nor had a dossier change for at least theirs; each in transactions
// of at most 1000 rows. A purge that changed something appends an audit
// record (motcua.AuditRetention, by the system, with the counts), also
// when it fails part way (outcome failed). Returns EINVALID for a zero
// now or an invalid r. Several processes may purge at once: each row is
// purged by one of them.
func (db *DB) Purge(ctx context.Context, now time.Time, r motcua.Retention) (rep motcua.PurgeReport, err error) {
	defer markUnavailable(&err)
	if err := checkPurge(now, r); err != nil {
		return rep, err
	}
	rep.At = now
	err = db.purge(ctx, now, r, &rep)
	if rep.Changed() {
		rec := &motcua.AuditRecord{At: now, Actor: motcua.SystemActor, Action: motcua.AuditRetention,
			Object: "retention", Outcome: motcua.OutcomeOK, Detail: rep.String() + "; retention " + r.String()}
		if err != nil {
			rec.Outcome, rec.Detail = motcua.OutcomeFailed, rec.Detail+"; interrupted"
		}
		if aerr := db.Audit(context.WithoutCancel(ctx), rec); aerr != nil && err == nil {
			err = aerr
		}
	}
	return rep, err
}

// purge does Purge's work, counting in rep what it changed.
func (db *DB) purge(ctx context.Context, now time.Time, r motcua.Retention, rep *motcua.PurgeReport) error {
	for _, t := range purgeTables() {
		q, cutoff := t.deleteQuery(), now.Add(-t.period(r))
		for {
			n, err := db.writeCount(ctx, "purge "+t.table, q, cutoff)
			if err != nil {
				return err
			}
			*t.count(rep) += int64(n)
			if n < purgeBatch {
				break
			}
		}
	}
	cutoff := now.Add(-r.InactiveCitizens)
	for {
		ids, err := db.inactiveCitizens(ctx, cutoff)
		if err != nil {
			return err
		}
		n, err := db.anonymise(ctx, ids, now, cutoff)
		rep.Citizens += int64(n)
		if err != nil {
			return err
		}
		if len(ids) < purgeBatch || n == 0 {
			return nil
		}
	}
}

// inactiveCitizens returns up to purgeBatch citizens inactive since
// cutoff.
func (db *DB) inactiveCitizens(ctx context.Context, cutoff time.Time) (ids []string, err error) {
	rows, err := db.snapshots().query(ctx, fmt.Sprintf(`SELECT id FROM citizens WHERE %s LIMIT %d`, inactiveCitizen, purgeBatch),
		cutoff, cutoff)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find inactive citizens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: find inactive citizens: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find inactive citizens: %w", err)
	}
	return ids, nil
}

// anonymise anonymises the citizens ids still inactive since cutoff, in
// one transaction, ends their sessions, and returns how many it
// anonymised.
func (db *DB) anonymise(ctx context.Context, ids []string, now, cutoff time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n := 0
	for _, id := range ids {
		res, err := tx.exec(ctx, anonymiseCitizen, anonymisedSubject+motcua.NewDossierID(), now, now, id, cutoff, cutoff)
		if err != nil {
			return 0, fmt.Errorf("sqlstore: anonymise citizen %s: %w", id, err)
		}
		changed, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("sqlstore: anonymise citizen %s: %w", id, err)
		}
		if changed == 0 {
			continue
		}
		n++
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE kind = ? AND subject = ?`, motcua.SessionCitizen, id); err != nil {
			return 0, fmt.Errorf("sqlstore: end the sessions of citizen %s: %w", id, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM citizen_tokens WHERE citizen_id = ?`, id); err != nil {
			return 0, fmt.Errorf("sqlstore: delete the e-mail tokens of citizen %s: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlstore: anonymise citizens: %w", err)
	}
	return n, nil
}

// PreviewPurge counts, in one snapshot, what Purge would delete and
// anonymise at now with r, changing nothing. Returns EINVALID as Purge.
func (db *DB) PreviewPurge(ctx context.Context, now time.Time, r motcua.Retention) (rep motcua.PurgeReport, err error) {
	defer markUnavailable(&err)
	if err := checkPurge(now, r); err != nil {
		return rep, err
	}
	rep.At, rep.DryRun = now, true
	tx, err := db.beginRead(ctx)
	if err != nil {
		return rep, err
	}
	defer tx.Rollback()
	for _, t := range purgeTables() {
		if err := tx.queryRow(ctx, t.countQuery(), now.Add(-t.period(r))).Scan(t.count(&rep)); err != nil {
			return rep, fmt.Errorf("sqlstore: count %s to purge: %w", t.table, err)
		}
	}
	cutoff := now.Add(-r.InactiveCitizens)
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM citizens WHERE `+inactiveCitizen, cutoff, cutoff).Scan(&rep.Citizens); err != nil {
		return rep, fmt.Errorf("sqlstore: count citizens to anonymise: %w", err)
	}
	return rep, nil
}

// checkPurge returns EINVALID for a zero now or an invalid retention.
func checkPurge(now time.Time, r motcua.Retention) error {
	var fs motcua.Fields
	if now.IsZero() {
		fs.Add("now", motcua.FieldRequired, "the time of the purge is required")
	}
	if err := r.Validate(); err != nil {
		fs.Add("retention", motcua.FieldValue, err.Error())
	}
	return fs.Err()
}
