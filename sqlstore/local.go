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

// Local citizen accounts are rows of citizens with the issuer
// motcua.LocalIssuer and the lower-cased e-mail address as subject, with
// a password hash; citizen_tokens holds the SHA-256 of the tokens that
// verify their addresses.

var _ motcua.LocalCitizenService = (*DB)(nil)

const localCitizenQuery = `SELECT ` + citizenColumns + `, password_hash
	FROM citizens WHERE issuer = '` + motcua.LocalIssuer + `' AND subject = ?`

// localEmail returns email trimmed and lower-cased, the subject of its
// local citizen, and whether it is short enough to be one.
func localEmail(email string) (string, bool) {
	email = strings.ToLower(strings.TrimSpace(email))
	return email, email != "" && len(email) <= 254
}

// scanLocalCitizen scans a row of localCitizenQuery.
func scanLocalCitizen(row *sql.Row) (*motcua.Citizen, string, error) {
	c := &motcua.Citizen{}
	var hash string
	err := row.Scan(&c.ID, &c.Issuer, &c.Subject, &c.Name, &c.IDNumber, &c.Phone, &c.Email, &c.EmailVerified,
		&c.Address, scanTime{&c.CreatedAt}, scanTime{&c.UpdatedAt}, &hash)
	return c, hash, err
}

// RegisterLocalCitizen creates the local citizen of email, or updates an
// unverified one, and stores tokenHash as its only token. A verified
// citizen is returned unchanged, with created false.
func (db *DB) RegisterLocalCitizen(ctx context.Context, email, name, passwordHash string, tokenHash []byte, expires time.Time) (c *motcua.Citizen, created bool, err error) {
	defer markUnavailable(&err)
	email, ok := localEmail(email)
	var fs motcua.Fields
	if !ok {
		fs.Add("email", motcua.FieldRequired, "a valid e-mail address is required")
	}
	if strings.TrimSpace(name) == "" {
		fs.Add("name", motcua.FieldRequired, "name is required")
	}
	if passwordHash == "" {
		fs.Add("password", motcua.FieldRequired, "password is required")
	}
	if err := fs.Err(); err != nil {
		return nil, false, err
	}
	if len(tokenHash) != sha256.Size {
		return nil, false, fmt.Errorf("sqlstore: register local citizen: the token hash has %d bytes, not %d", len(tokenHash), sha256.Size)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	c, _, err = scanLocalCitizen(tx.queryRow(ctx, localCitizenQuery, email))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		c = &motcua.Citizen{ID: motcua.NewDossierID(), Issuer: motcua.LocalIssuer, Subject: email, Name: name,
			Email: email, CreatedAt: tx.now, UpdatedAt: tx.now}
		_, err = tx.exec(ctx, `INSERT INTO citizens (`+citizenColumns+`, password_hash)
			VALUES (?, ?, ?, ?, '', '', ?, FALSE, '', ?, ?, ?)`,
			c.ID, c.Issuer, c.Subject, c.Name, c.Email, tx.now, tx.now, passwordHash)
		if err != nil {
			return nil, false, fmt.Errorf("sqlstore: register local citizen: %w", err)
		}
		created = true
	case err != nil:
		return nil, false, fmt.Errorf("sqlstore: register local citizen: %w", err)
	case c.EmailVerified:
		return c, false, nil
	default:
		c.Name, c.UpdatedAt = name, tx.now
		if _, err := tx.exec(ctx, `UPDATE citizens SET name = ?, password_hash = ?, updated_at = ? WHERE id = ?`,
			name, passwordHash, tx.now, c.ID); err != nil {
			return nil, false, fmt.Errorf("sqlstore: register local citizen: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM citizen_tokens WHERE citizen_id = ?`, c.ID); err != nil {
			return nil, false, fmt.Errorf("sqlstore: register local citizen: %w", err)
		}
	}
	if _, err := tx.exec(ctx, `INSERT INTO citizen_tokens (hash, citizen_id, expires_at, used) VALUES (?, ?, ?, FALSE)`,
		tokenHash, c.ID, expires); err != nil {
		return nil, false, fmt.Errorf("sqlstore: register local citizen: store token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("sqlstore: register local citizen: %w", err)
	}
	return c, created, nil
}

// VerifyLocalCitizen uses the token of tokenHash, if it is unused and
// unexpired at now, and marks its citizen's e-mail verified, in one
// transaction. Returns ENOTFOUND otherwise.
func (db *DB) VerifyLocalCitizen(ctx context.Context, tokenHash []byte, now time.Time) (c *motcua.Citizen, err error) {
	defer markUnavailable(&err)
	notFound := &motcua.Error{Code: motcua.ENOTFOUND, Reason: "token_not_found",
		Message: "The link is unknown, expired or used already."}
	if len(tokenHash) != sha256.Size {
		return nil, notFound
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// The conditional update is what makes a token usable once, even by
	// two requests at once: the second finds it used.
	var id string
	err = tx.queryRow(ctx, `UPDATE citizen_tokens SET used = TRUE
		WHERE hash = ? AND used = FALSE AND expires_at > ? RETURNING citizen_id`, tokenHash, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: verify local citizen: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE citizens SET email_verified = TRUE,
		email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`, tx.now, tx.now, id); err != nil {
		return nil, fmt.Errorf("sqlstore: verify local citizen: %w", err)
	}
	c = &motcua.Citizen{}
	err = tx.queryRow(ctx, findCitizenQuery, id).Scan(&c.ID, &c.Issuer, &c.Subject, &c.Name,
		&c.IDNumber, &c.Phone, &c.Email, &c.EmailVerified, &c.Address, scanTime{&c.CreatedAt}, scanTime{&c.UpdatedAt})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: verify local citizen: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlstore: verify local citizen: %w", err)
	}
	return c, nil
}

// LocalCitizenByEmail returns the local citizen of email, their password
// hash and whether their e-mail is verified. Returns ENOTFOUND when there
// is none.
func (db *DB) LocalCitizenByEmail(ctx context.Context, email string) (c *motcua.Citizen, hash string, verified bool, err error) {
	defer markUnavailable(&err)
	email, ok := localEmail(email)
	if !ok {
		return nil, "", false, motcua.NotFound("citizen", email)
	}
	c, hash, err = scanLocalCitizen(db.snapshots().queryRow(ctx, localCitizenQuery, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", false, motcua.NotFound("citizen", email)
	} else if err != nil {
		return nil, "", false, fmt.Errorf("sqlstore: find local citizen: %w", err)
	}
	return c, hash, c.EmailVerified, nil
}
