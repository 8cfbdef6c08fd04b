package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"motcua"
)

// API clients: partner systems calling the API with a key. A key is
// motcua.ClientKeyPrefix and 256 random bits, like a staff token, and is
// stored only as its SHA-256 (hashToken), under a unique index. Changes
// are rare, so each runs in a transaction of its own.

var _ motcua.ClientService = (*DB)(nil)

const (
	clientColumns = `id, name, scopes, grants, rate_limit, created_at, updated_at, key_rotated_at, revoked_at`
	clientByKey   = `SELECT ` + clientColumns + ` FROM api_clients WHERE key_hash = ?`
	findClients   = `SELECT ` + clientColumns + ` FROM api_clients ORDER BY id`
	updateClient  = `UPDATE api_clients SET name = ?, scopes = ?, grants = ?, rate_limit = ?, updated_at = ?
		WHERE id = ? AND revoked_at IS NULL RETURNING created_at, key_rotated_at`
	insertClient = `INSERT INTO api_clients
		(id, name, scopes, grants, rate_limit, key_hash, created_at, updated_at, key_rotated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING created_at`
	clientExists = `SELECT 1 FROM api_clients WHERE id = ?`
)

// clientRevoked is the error of a change to a revoked client.
func clientRevoked(id string) error {
	return &motcua.Error{Code: motcua.ECONFLICT, Reason: "client_revoked",
		Message: fmt.Sprintf("The API client %q was revoked; register a new one.", id), Params: map[string]string{"key": id}}
}

// SaveClient creates the client c with a new key, which it returns, or
// replaces the name, scopes, grants and rate limit of the existing
// client c.ID and returns "". Returns EINVALID for bad fields, unknown
// units or agencies, or an agency outside its grant's unit subtree, and
// ECONFLICT ("client_revoked") for a revoked client.
func (db *DB) SaveClient(ctx context.Context, c *motcua.APIClient) (key string, err error) {
	defer markUnavailable(&err)
	if err := c.Validate(); err != nil {
		return "", err
	}
	tx, err := db.beginGranting(ctx, c.Grants)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	scopes, err := json.Marshal(c.Scopes)
	if err != nil {
		return "", fmt.Errorf("sqlstore: save client %s: %w", c.ID, err)
	}
	grants, err := json.Marshal(c.Grants)
	if err != nil {
		return "", fmt.Errorf("sqlstore: save client %s: %w", c.ID, err)
	}
	update := func() (bool, error) {
		err := tx.queryRow(ctx, updateClient, c.Name, string(scopes), string(grants), c.RateLimit, tx.now, c.ID).
			Scan(scanTime{&c.CreatedAt}, scanTime{&c.KeyRotatedAt})
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		} else if err != nil {
			return false, fmt.Errorf("sqlstore: update client %s: %w", c.ID, err)
		}
		return true, nil
	}
	updated, err := update()
	if err != nil {
		return "", err
	}
	if !updated {
		key = newToken(motcua.ClientKeyPrefix)
		err = tx.queryRow(ctx, insertClient, c.ID, c.Name, string(scopes), string(grants), c.RateLimit, hashToken(key),
			tx.now, tx.now, tx.now).Scan(scanTime{&c.CreatedAt})
		switch {
		case err == nil:
			c.KeyRotatedAt = c.CreatedAt
		case errors.Is(err, sql.ErrNoRows):
			// The client exists: revoked, or created by a concurrent
			// transaction since the update (PostgreSQL), which this
			// statement now sees.
			key = ""
			if updated, err = update(); err != nil {
				return "", err
			} else if !updated {
				return "", clientRevoked(c.ID)
			}
		default:
			return "", fmt.Errorf("sqlstore: insert client %s: %w", c.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("sqlstore: save client %s: %w", c.ID, err)
	}
	c.UpdatedAt, c.RevokedAt = tx.now, nil
	return key, nil
}

// RotateClientKey issues a new key for the client id, which replaces the
// old one at once, and returns it. Returns ENOTFOUND, or ECONFLICT
// ("client_revoked") for a revoked client.
func (db *DB) RotateClientKey(ctx context.Context, id string) (key string, err error) {
	defer markUnavailable(&err)
	key = newToken(motcua.ClientKeyPrefix)
	err = db.changeClient(ctx, "rotate the key of client "+id, id, true,
		`UPDATE api_clients SET key_hash = ?, key_rotated_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL`,
		hashToken(key), nil, nil, id)
	if err != nil {
		return "", err
	}
	return key, nil
}

// RevokeClient revokes the client id; revoking a revoked client changes
// nothing. Returns ENOTFOUND.
func (db *DB) RevokeClient(ctx context.Context, id string) (err error) {
	defer markUnavailable(&err)
	return db.changeClient(ctx, "revoke client "+id, id, false,
		`UPDATE api_clients SET revoked_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL`, nil, nil, id)
}

// changeClient runs q, an update of the client id that is not revoked,
// in a transaction of its own; nil arguments are replaced by the
// transaction's time. When q changes nothing it returns ENOTFOUND if
// there is no such client, else, when revokedErr, ECONFLICT.
func (db *DB) changeClient(ctx context.Context, what, id string, revokedErr bool, q string, args ...any) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, a := range args {
		if a == nil {
			args[i] = tx.now
		}
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	if n == 0 {
		found, err := tx.exists(ctx, clientExists, id)
		switch {
		case err != nil:
			return fmt.Errorf("sqlstore: %s: %w", what, err)
		case !found:
			return motcua.NotFound("client", id)
		case revokedErr:
			return clientRevoked(id)
		}
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return nil
}

// ClientByKey returns the client holding key. Returns EUNAUTHORIZED when
// there is none ("unauthorized") or it was revoked ("client_revoked").
func (db *DB) ClientByKey(ctx context.Context, key string) (c *motcua.APIClient, err error) {
	defer markUnavailable(&err)
	unauthorized := &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "unauthorized",
		Message: "A valid key is required in the Authorization: Bearer header."}
	if !strings.HasPrefix(key, motcua.ClientKeyPrefix) || len(key) > 100 {
		return nil, unauthorized
	}
	c, err = scanClient(db.snapshots().queryRow(ctx, clientByKey, hashToken(key)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauthorized
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find client by key: %w", err)
	}
	if c.RevokedAt != nil {
		return nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "client_revoked",
			Message: fmt.Sprintf("The API client %q was revoked; its key no longer works.", c.ID),
			Params:  map[string]string{"key": c.ID}}
	}
	return c, nil
}

// FindClients returns every client, revoked ones too, by ID.
func (db *DB) FindClients(ctx context.Context) (cs []*motcua.APIClient, err error) {
	defer markUnavailable(&err)
	rows, err := db.snapshots().query(ctx, findClients)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find clients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find clients: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find clients: %w", err)
	}
	return cs, nil
}

// scanClient reads a row of clientColumns.
func scanClient(row interface{ Scan(...any) error }) (*motcua.APIClient, error) {
	c := &motcua.APIClient{}
	var scopes, grants string
	err := row.Scan(&c.ID, &c.Name, &scopes, &grants, &c.RateLimit, scanTime{&c.CreatedAt}, scanTime{&c.UpdatedAt},
		scanTime{&c.KeyRotatedAt}, nullTime(&c.RevokedAt))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scopes), &c.Scopes); err != nil {
		return nil, fmt.Errorf("decode scopes of client %s: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(grants), &c.Grants); err != nil {
		return nil, fmt.Errorf("decode grants of client %s: %w", c.ID, err)
	}
	return c, nil
}
