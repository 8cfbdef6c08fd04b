package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"motcua"
)

// Identity: sessions, staff credentials and citizens. Their writes are
// rare next to dossiers', so each runs in a transaction of its own rather
// than through the group committer. The TOTP secret is stored as raw
// bytes (BLOB, BYTEA) and a session's key as the 32 bytes of its token's
// SHA-256.

var (
	_ motcua.SessionService    = (*DB)(nil)
	_ motcua.CredentialService = (*DB)(nil)
	_ motcua.CitizenService    = (*DB)(nil)
)

const (
	sessionByHashQuery = `SELECT kind, subject, csrf, mfa, limited, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE hash = ? AND expires_at > ?`
	touchSessionQuery = `UPDATE sessions SET last_seen_at = ? WHERE hash = ?`
	staffByLoginQuery = `SELECT id, name, COALESCE(email, ''), disabled, grants, created_at, updated_at,
		password_hash, must_change, password_changed_at, totp_secret, totp_step, failures, last_failure
		FROM staff WHERE id = ? OR email = ?`
	citizenColumns   = `id, issuer, subject, name, id_number, phone, email, email_verified, address, created_at, updated_at`
	findCitizenQuery = `SELECT ` + citizenColumns + ` FROM citizens WHERE id = ?`
)

// CreateSession stores s under hash, the SHA-256 of its token.
func (db *DB) CreateSession(ctx context.Context, hash []byte, s *motcua.Session) (err error) {
	defer markUnavailable(&err)
	if len(hash) != sha256.Size {
		return fmt.Errorf("sqlstore: create session: the hash has %d bytes, not %d", len(hash), sha256.Size)
	}
	if s.Kind != motcua.SessionStaff && s.Kind != motcua.SessionCitizen {
		return fmt.Errorf("sqlstore: create session: unknown kind %q", s.Kind)
	}
	return db.writeOne(ctx, "create session", `INSERT INTO sessions
		(hash, kind, subject, csrf, mfa, limited, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		hash, s.Kind, s.Subject, s.CSRF, s.MFA, s.Limited, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IP, s.UserAgent)
}

// SessionByHash returns the session stored under hash unless it expired
// by now. Returns ENOTFOUND when there is none.
func (db *DB) SessionByHash(ctx context.Context, hash []byte, now time.Time) (s *motcua.Session, err error) {
	defer markUnavailable(&err)
	notFound := &motcua.Error{Code: motcua.ENOTFOUND, Reason: "session_not_found", Message: "No such session."}
	if len(hash) != sha256.Size {
		return nil, notFound
	}
	s = &motcua.Session{}
	err = db.snapshots().queryRow(ctx, sessionByHashQuery, hash, now).Scan(&s.Kind, &s.Subject, &s.CSRF, &s.MFA, &s.Limited,
		scanTime{&s.CreatedAt}, scanTime{&s.LastSeenAt}, scanTime{&s.ExpiresAt}, &s.IP, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find session: %w", err)
	}
	return s, nil
}

// TouchSession records activity of the session at at: its last_seen_at,
// nothing else. Returns ENOTFOUND when the session is gone.
func (db *DB) TouchSession(ctx context.Context, hash []byte, at time.Time) (err error) {
	defer markUnavailable(&err)
	n, err := db.writeCount(ctx, "touch session", touchSessionQuery, at, hash)
	if err == nil && n == 0 {
		return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "session_not_found", Message: "No such session."}
	}
	return err
}

// DeleteSession ends one session; ending one that is gone is no error.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) (err error) {
	defer markUnavailable(&err)
	_, err = db.writeCount(ctx, "delete session", `DELETE FROM sessions WHERE hash = ?`, hash)
	return err
}

// DeleteSessions ends every session of the subject of kind and returns
// how many.
func (db *DB) DeleteSessions(ctx context.Context, kind, subject string) (n int, err error) {
	defer markUnavailable(&err)
	return db.writeCount(ctx, "delete sessions of "+kind+" "+subject,
		`DELETE FROM sessions WHERE kind = ? AND subject = ?`, kind, subject)
}

// DeleteExpiredSessions removes the sessions whose absolute end is at or
// before now or that were last seen before idleSince, and returns how
// many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (n int, err error) {
	defer markUnavailable(&err)
	return db.writeCount(ctx, "delete expired sessions",
		`DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?`, now, idleSince)
}

// StaffByLogin returns the staff member whose ID or e-mail is login,
// case-insensitively, with their credentials; a disabled member too, with
// Disabled set. Returns ENOTFOUND when there is none.
func (db *DB) StaffByLogin(ctx context.Context, login string) (s *motcua.Staff, c *motcua.Credentials, err error) {
	defer markUnavailable(&err)
	login = strings.ToLower(strings.TrimSpace(login))
	if login == "" || len(login) > 254 {
		return nil, nil, motcua.NotFound("staff", login)
	}
	s, c = &motcua.Staff{}, &motcua.Credentials{Login: login}
	var grants string
	var changed, failed *time.Time
	err = db.snapshots().queryRow(ctx, staffByLoginQuery, login, login).Scan(
		&s.ID, &s.Name, &s.Email, &s.Disabled, &grants, scanTime{&s.CreatedAt}, scanTime{&s.UpdatedAt},
		&c.PasswordHash, &c.MustChange, nullTime(&changed), &c.TOTPSecret, &c.TOTPStep, &c.Failures, nullTime(&failed))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, motcua.NotFound("staff", login)
	} else if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: find staff by login: %w", err)
	}
	if err := decodeGrants(s, grants); err != nil {
		return nil, nil, err
	}
	if changed != nil {
		c.PasswordChangedAt = *changed
	}
	if failed != nil {
		c.LastFailure = *failed
	}
	if len(c.TOTPSecret) == 0 {
		c.TOTPSecret = nil
	}
	return s, c, nil
}

// SetPassword stores a new password hash for the staff member id, set at
// at. Returns ENOTFOUND when there is no such member.
func (db *DB) SetPassword(ctx context.Context, id, hash string, mustChange bool, at time.Time) (err error) {
	defer markUnavailable(&err)
	n, err := db.writeCount(ctx, "set password of "+id,
		`UPDATE staff SET password_hash = ?, must_change = ?, password_changed_at = ? WHERE id = ?`,
		hash, mustChange, at, id)
	if err == nil && n == 0 {
		return motcua.NotFound("staff", id)
	}
	return err
}

// SetTOTP stores the second factor's secret of the staff member id, or
// removes it when secret is empty. The last accepted step is kept: steps
// are times, so a code accepted before stays spent. Returns ENOTFOUND
// when there is no such member.
func (db *DB) SetTOTP(ctx context.Context, id string, secret []byte) (err error) {
	defer markUnavailable(&err)
	var v any // NULL
	if len(secret) > 0 {
		v = secret
	}
	n, err := db.writeCount(ctx, "set second factor of "+id, `UPDATE staff SET totp_secret = ? WHERE id = ?`, v, id)
	if err == nil && n == 0 {
		return motcua.NotFound("staff", id)
	}
	return err
}

// UseTOTPStep records that the code of step was accepted for the staff
// member id, and reports false when that step or a later one was
// accepted before. The check and the write are one statement, so of two
// processes using the same code only one succeeds. Returns ENOTFOUND when
// there is no such member.
func (db *DB) UseTOTPStep(ctx context.Context, id string, step int64) (ok bool, err error) {
	defer markUnavailable(&err)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.exec(ctx, `UPDATE staff SET totp_step = ? WHERE id = ? AND totp_step < ?`, step, id, step)
	if err != nil {
		return false, fmt.Errorf("sqlstore: use second factor step of %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlstore: use second factor step of %s: %w", id, err)
	}
	if n == 0 {
		if found, err := tx.exists(ctx, `SELECT 1 FROM staff WHERE id = ?`, id); err != nil {
			return false, fmt.Errorf("sqlstore: use second factor step of %s: %w", id, err)
		} else if !found {
			return false, motcua.NotFound("staff", id)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlstore: use second factor step of %s: %w", id, err)
	}
	return n == 1, nil
}

// RecordSignIn records a sign-in attempt of the staff member id at at: a
// success clears the failures (the time of the latest failure stays), a
// failure adds one. It returns the failures after the attempt, counted in
// the one statement that writes them. Returns ENOTFOUND when there is no
// such member.
func (db *DB) RecordSignIn(ctx context.Context, id string, ok bool, at time.Time) (failures int, err error) {
	defer markUnavailable(&err)
	q, args := `UPDATE staff SET failures = 0 WHERE id = ? RETURNING failures`, []any{id}
	if !ok {
		q, args = `UPDATE staff SET failures = failures + 1, last_failure = ? WHERE id = ? RETURNING failures`, []any{at, id}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	err = tx.queryRow(ctx, q, args...).Scan(&failures)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, motcua.NotFound("staff", id)
	} else if err != nil {
		return 0, fmt.Errorf("sqlstore: record sign-in of %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlstore: record sign-in of %s: %w", id, err)
	}
	return failures, nil
}

// SignInCitizen creates the citizen known to c.Issuer as c.Subject with a
// new random ID, or replaces their profile with c's, and returns the
// stored citizen. Returns EINVALID when the issuer or subject is missing.
func (db *DB) SignInCitizen(ctx context.Context, c *motcua.Citizen) (out *motcua.Citizen, err error) {
	defer markUnavailable(&err)
	var fs motcua.Fields
	if c.Issuer == "" {
		fs.Add("issuer", motcua.FieldRequired, "issuer is required")
	}
	if c.Subject == "" {
		fs.Add("subject", motcua.FieldRequired, "subject is required")
	} else if len(c.Subject) > 255 {
		fs.Add("subject", motcua.FieldTooLong, "subject is longer than 255 bytes")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cp := *c
	out = &cp
	out.UpdatedAt = tx.now
	err = tx.queryRow(ctx, `INSERT INTO citizens (`+citizenColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (issuer, subject) DO UPDATE SET name = excluded.name, id_number = excluded.id_number,
		phone = excluded.phone, email = excluded.email, email_verified = excluded.email_verified,
		address = excluded.address, updated_at = excluded.updated_at
		RETURNING id, created_at`,
		motcua.NewDossierID(), c.Issuer, c.Subject, c.Name, c.IDNumber, c.Phone, c.Email, c.EmailVerified, c.Address,
		tx.now, tx.now).Scan(&out.ID, scanTime{&out.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: sign in citizen: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlstore: sign in citizen: %w", err)
	}
	return out, nil
}

// FindCitizen returns the citizen id. Returns ENOTFOUND when there is
// none.
func (db *DB) FindCitizen(ctx context.Context, id string) (c *motcua.Citizen, err error) {
	defer markUnavailable(&err)
	c = &motcua.Citizen{}
	err = db.snapshots().queryRow(ctx, findCitizenQuery, id).Scan(&c.ID, &c.Issuer, &c.Subject, &c.Name,
		&c.IDNumber, &c.Phone, &c.Email, &c.EmailVerified, &c.Address, scanTime{&c.CreatedAt}, scanTime{&c.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, motcua.NotFound("citizen", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find citizen %s: %w", id, err)
	}
	return c, nil
}

// writeOne runs the statement q in a write transaction of its own; what
// names the operation in errors.
func (db *DB) writeOne(ctx context.Context, what, q string, args ...any) error {
	_, err := db.writeCount(ctx, what, q, args...)
	return err
}

// writeCount runs the statement q in a write transaction of its own and
// returns how many rows it changed; what names the operation in errors.
func (db *DB) writeCount(ctx context.Context, what, q string, args ...any) (int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return int(n), nil
}
