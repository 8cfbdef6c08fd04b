package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"motcua"
)

// staffTokenPrefix starts every staff API token, so that a leaked one is
// recognisable.
const staffTokenPrefix = "mcs_"

// SaveStaff creates the staff member s or replaces its name, e-mail,
// disabled flag and grants, and returns a new API token (256 random
// bits), stored only as its SHA-256, which replaces any earlier token.
// Credentials stay as they are. Returns EINVALID for bad fields, an
// e-mail another member has, unknown units or agencies, or an agency
// outside its grant's unit subtree.
func (db *DB) SaveStaff(ctx context.Context, s *motcua.Staff) (token string, err error) {
	defer markUnavailable(&err)
	if err := s.Validate(); err != nil {
		return "", err
	}
	tx, err := db.beginGranting(ctx, s.Grants)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	token = newToken(staffTokenPrefix)
	grants, err := json.Marshal(s.Grants)
	if err != nil {
		return "", fmt.Errorf("sqlstore: save staff %s: %w", s.ID, err)
	}
	var email any // NULL
	if s.Email != "" {
		email = s.Email
	}
	err = tx.queryRow(ctx, `INSERT INTO staff (id, name, email, disabled, grants, token_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, disabled = excluded.disabled,
		grants = excluded.grants, token_hash = excluded.token_hash, updated_at = excluded.updated_at
		RETURNING created_at, updated_at`,
		s.ID, s.Name, email, s.Disabled, string(grants), hashToken(token), tx.now, tx.now).Scan(scanTime{&s.CreatedAt}, scanTime{&s.UpdatedAt})
	if s.Email != "" && db.d.isUniqueViolation(err) {
		// Only the e-mail can collide: the ID is the conflict target and
		// the token is new.
		var fs motcua.Fields
		fs.Add("email", motcua.FieldTaken, "email belongs to another staff member")
		return "", fs.Err()
	}
	if err != nil {
		return "", fmt.Errorf("sqlstore: save staff %s: %w", s.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("sqlstore: save staff %s: %w", s.ID, err)
	}
	return token, nil
}

// StaffByToken returns the staff member holding token. Returns
// EUNAUTHORIZED when there is none or they are disabled.
func (db *DB) StaffByToken(ctx context.Context, token string) (s *motcua.Staff, err error) {
	defer markUnavailable(&err)
	unauthorized := &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "unauthorized",
		Message: "A valid token is required in the Authorization: Bearer header."}
	if !strings.HasPrefix(token, staffTokenPrefix) || len(token) > 100 {
		return nil, unauthorized
	}
	s = &motcua.Staff{}
	var grants string
	err = db.snapshots().queryRow(ctx, `SELECT id, name, COALESCE(email, ''), grants, created_at, updated_at
		FROM staff WHERE token_hash = ? AND NOT disabled`,
		hashToken(token)).Scan(&s.ID, &s.Name, &s.Email, &grants, scanTime{&s.CreatedAt}, scanTime{&s.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauthorized
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find staff by token: %w", err)
	}
	if err := decodeGrants(s, grants); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeGrants sets the grants of s from their stored JSON.
func decodeGrants(s *motcua.Staff, grants string) error {
	if err := json.Unmarshal([]byte(grants), &s.Grants); err != nil {
		return fmt.Errorf("sqlstore: decode grants of %s: %w", s.ID, err)
	}
	return nil
}

// beginGranting starts a write transaction to store grants, after
// checking them against the units and agencies it sees (EINVALID).
func (db *DB) beginGranting(ctx context.Context, grants []motcua.Grant) (*txn, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := loadDirectory(ctx, tx)
	if err == nil {
		err = checkGrants(dir, grants)
	}
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// checkGrants returns EINVALID naming every grant whose unit or agency
// is unknown, or whose agency is outside its unit's subtree.
func checkGrants(dir *directory, grants []motcua.Grant) error {
	var fs motcua.Fields
	for i, g := range grants {
		p := fmt.Sprintf("grants[%d].", i)
		if _, ok := dir.parents[g.Unit]; !ok {
			fs.Add(p+"unit", motcua.FieldUnknown, "no such unit")
		}
		if g.Agency != "" {
			a, ok := dir.Agency(g.Agency)
			switch {
			case !ok:
				fs.Add(p+"agency", motcua.FieldUnknown, "no such agency")
			case !motcua.InSubtree(dir, g.Unit, a.UnitCode):
				fs.Add(p+"agency", motcua.FieldValue, "the agency is not in the grant's unit")
			}
		}
	}
	return fs.Err()
}

// newToken returns a new bearer token: prefix and 256 random bits in
// base64url.
func newToken(prefix string) string {
	var b [32]byte
	rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken returns the SHA-256 of token in hexadecimal, the form in
// which tokens and keys are stored.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
