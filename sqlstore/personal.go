package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"motcua"
)

// What is held about one person, for their download (Decree 13/2023/NĐ-CP).
// A dossier's applicant is JSON; its identification number is the
// generated column applicant_id_number (migration 0010), which the
// database keeps filled however the dossier is written.

var _ motcua.PersonalDataService = (*DB)(nil)

// maxPersonalRows bounds every list of FindDossiersOfPerson,
// FindSessions and FindAuditAbout.
const maxPersonalRows = 100_000

// FindDossiersOfPerson returns the documents of the dossiers whose
// applicant's identification number is idNumber, the most recently
// submitted first, at most limit of them (100,000 at most). An empty
// idNumber or a limit below 1 matches nothing.
func (db *DB) FindDossiersOfPerson(ctx context.Context, idNumber string, limit int) (docs []json.RawMessage, err error) {
	defer markUnavailable(&err)
	docs = []json.RawMessage{}
	if idNumber == "" || limit < 1 {
		return docs, nil
	}
	rows, err := db.snapshots().query(ctx, `SELECT id, doc FROM dossiers WHERE applicant_id_number = ?
		ORDER BY submitted_at DESC, id LIMIT ?`, idNumber, min(limit, maxPersonalRows))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find dossiers of a person: %w", err)
	}
	defer rows.Close()
	var missing []int // rows written before documents were kept
	var ids []string
	for rows.Next() {
		var id string
		var doc sql.NullString
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("sqlstore: find dossiers of a person: %w", err)
		}
		if !doc.Valid {
			missing = append(missing, len(docs))
		}
		docs = append(docs, json.RawMessage(doc.String))
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find dossiers of a person: %w", err)
	}
	rows.Close()
	for _, i := range missing {
		doc, err := db.FindDossierJSON(ctx, ids[i])
		if err != nil {
			return nil, err
		}
		docs[i] = json.RawMessage(doc)
	}
	return docs, nil
}

// FindSessions returns the stored sessions of the subject of kind, the
// newest first, at most limit of them (100,000 at most), without their
// CSRF tokens. Sessions are deleted when they end, so these are the
// open ones and those ended since the last purge.
func (db *DB) FindSessions(ctx context.Context, kind, subject string, limit int) (list []*motcua.Session, err error) {
	defer markUnavailable(&err)
	list = []*motcua.Session{}
	if limit < 1 {
		return list, nil
	}
	rows, err := db.snapshots().query(ctx, `SELECT kind, subject, mfa, limited, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE kind = ? AND subject = ? ORDER BY created_at DESC LIMIT ?`, kind, subject, min(limit, maxPersonalRows))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find sessions of %s %s: %w", kind, subject, err)
	}
	defer rows.Close()
	for rows.Next() {
		s := &motcua.Session{}
		if err := rows.Scan(&s.Kind, &s.Subject, &s.MFA, &s.Limited, scanTime{&s.CreatedAt}, scanTime{&s.LastSeenAt},
			scanTime{&s.ExpiresAt}, &s.IP, &s.UserAgent); err != nil {
			return nil, fmt.Errorf("sqlstore: find sessions of %s %s: %w", kind, subject, err)
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find sessions of %s %s: %w", kind, subject, err)
	}
	return list, nil
}

// FindStaff returns the staff member id, a disabled one too, without
// credentials or token. Returns ENOTFOUND.
func (db *DB) FindStaff(ctx context.Context, id string) (s *motcua.Staff, err error) {
	defer markUnavailable(&err)
	s = &motcua.Staff{}
	var grants string
	err = db.snapshots().queryRow(ctx, `SELECT id, name, COALESCE(email, ''), disabled, grants, created_at, updated_at
		FROM staff WHERE id = ?`, id).Scan(&s.ID, &s.Name, &s.Email, &s.Disabled, &grants,
		scanTime{&s.CreatedAt}, scanTime{&s.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, motcua.NotFound("staff", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find staff %s: %w", id, err)
	}
	if err := decodeGrants(s, grants); err != nil {
		return nil, err
	}
	return s, nil
}

// FindAuditAbout returns the last limit (100,000 at most) audit records
// of s, in Seq order: those whose actor has s's kind and ID, and those
// whose object is one of s.Objects or starts with one followed by a
// space. Each part is a subquery along an index of audit_log (actor_id,
// object), the newest first, at most limit of them; up to 50 parts go in
// one statement, and the parts are merged here.
func (db *DB) FindAuditAbout(ctx context.Context, s motcua.AuditSubject, limit int) (list []*motcua.AuditRecord, err error) {
	defer markUnavailable(&err)
	list = []*motcua.AuditRecord{}
	if limit < 1 {
		return list, nil
	}
	limit = min(limit, maxPersonalRows)
	type part struct {
		where string
		args  []any
	}
	var parts []part
	if s.ActorID != "" {
		parts = append(parts, part{`actor_id = ? AND actor_kind = ?`, []any{s.ActorID, s.ActorKind}})
	}
	for _, o := range s.Objects {
		if o != "" {
			// The objects that are o, or start with o and a space, sort
			// from o up to, not including, o+"!" (the byte after the
			// space), bytewise as both engines compare this column; the
			// few others in that range (o and a control character) are
			// left out below.
			parts = append(parts, part{`object >= ? AND object < ?`, []any{o, o + "!"}})
		}
	}
	about := func(r *motcua.AuditRecord) bool {
		if s.ActorID != "" && r.Actor.ID == s.ActorID && r.Actor.Kind == s.ActorKind {
			return true
		}
		for _, o := range s.Objects {
			if o != "" && (r.Object == o || strings.HasPrefix(r.Object, o+" ")) {
				return true
			}
		}
		return false
	}
	seen := map[int64]bool{}
	for chunk := range slices.Chunk(parts, 50) {
		var q strings.Builder
		var args []any
		for i, p := range chunk {
			if i > 0 {
				q.WriteString(` UNION ALL `)
			}
			fmt.Fprintf(&q, `SELECT * FROM (SELECT %s FROM audit_log WHERE %s ORDER BY seq DESC LIMIT ?) AS p%d`,
				auditColumns, p.where, i)
			args = append(append(args, p.args...), limit)
		}
		if err := db.eachAudit(ctx, q.String(), args, func(r *motcua.AuditRecord) {
			if !seen[r.Seq] && about(r) {
				seen[r.Seq] = true
				list = append(list, r)
			}
		}); err != nil {
			return nil, fmt.Errorf("sqlstore: find audit records about a person: %w", err)
		}
	}
	slices.SortFunc(list, func(a, b *motcua.AuditRecord) int { return cmp.Compare(a.Seq, b.Seq) })
	if len(list) > limit {
		list = list[len(list)-limit:]
	}
	return list, nil
}

// eachAudit calls f with each audit record q selects.
func (db *DB) eachAudit(ctx context.Context, q string, args []any, f func(*motcua.AuditRecord)) error {
	rows, err := db.snapshots().query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return err
		}
		f(r)
	}
	return rows.Err()
}
