package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"motcua"
)

// FindAgency returns the agency with code. Returns ENOTFOUND.
func (db *DB) FindAgency(ctx context.Context, code string) (a *motcua.Agency, err error) {
	defer markUnavailable(&err)
	return findAgency(ctx, db.snapshots(), code)
}

// FindAgencies returns a page of agencies in code order — all of them,
// those of f.Unit, those handling the version of f.Procedure in force now,
// or both — and the next cursor ("" at the end). Returns ENOTFOUND if the
// unit or the procedure does not exist.
func (db *DB) FindAgencies(ctx context.Context, f motcua.AgencyFilter) (agencies []*motcua.Agency, next string, err error) {
	defer markUnavailable(&err)
	return findAgencies(ctx, db.snapshots(), f)
}

// CreateAgency adds an agency. Returns EINVALID for bad fields or an
// unknown unit, and ECONFLICT if the code is taken.
func (db *DB) CreateAgency(ctx context.Context, a *motcua.Agency) (err error) {
	defer markUnavailable(&err)
	if err := a.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createAgency(ctx, tx, a); err != nil {
		return err
	}
	defer db.forgetDirectory()
	return tx.Commit()
}

const (
	agencyColumns   = `code, name, name_en, kind, unit_code, sample`
	findAgencyQuery = `SELECT ` + agencyColumns + ` FROM agencies WHERE code = ?`
)

func scanAgency(s interface{ Scan(...any) error }) (*motcua.Agency, error) {
	var a motcua.Agency
	if err := s.Scan(&a.Code, &a.Name, &a.NameEN, &a.Kind, &a.UnitCode, &a.Sample); err != nil {
		return nil, err
	}
	return &a, nil
}

func findAgency(ctx context.Context, tx *txn, code string) (*motcua.Agency, error) {
	a, err := scanAgency(tx.queryRow(ctx, findAgencyQuery, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, motcua.NotFound("agency", code)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find agency %s: %w", code, err)
	}
	return a, nil
}

func findAgencies(ctx context.Context, tx *txn, f motcua.AgencyFilter) ([]*motcua.Agency, string, error) {
	page := f.Page.Normalize()
	where, args := []string{"1 = 1"}, []any{}
	if f.Unit != "" {
		if _, err := findUnit(ctx, tx, f.Unit); err != nil {
			return nil, "", err
		}
		where, args = append(where, "unit_code = ?"), append(args, f.Unit)
	}
	if f.Procedure != "" {
		p, err := findProcedureInForce(ctx, tx, f.Procedure, tx.now)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "code IN (SELECT agency_code FROM procedure_agencies WHERE procedure_code = ? AND procedure_version = ?)")
		args = append(args, p.Code, p.Version)
	}
	if page.After != "" {
		where, args = append(where, "code > ?"), append(args, page.After)
	}
	rows, err := tx.query(ctx, `SELECT `+agencyColumns+` FROM agencies WHERE `+strings.Join(where, " AND ")+
		` ORDER BY code LIMIT ?`, append(args, page.Limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find agencies: %w", err)
	}
	defer rows.Close()
	var agencies []*motcua.Agency
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlstore: find agencies: %w", err)
		}
		agencies = append(agencies, a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlstore: find agencies: %w", err)
	}
	agencies, next := cut(agencies, page.Limit, func(a *motcua.Agency) string { return a.Code })
	return agencies, next, nil
}

func createAgency(ctx context.Context, tx *txn, a *motcua.Agency) error {
	if _, err := findUnit(ctx, tx, a.UnitCode); motcua.ErrorCode(err) == motcua.ENOTFOUND {
		var fs motcua.Fields
		fs.Add("unit", motcua.FieldUnknown, "no such unit")
		return fs.Err()
	} else if err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO agencies (`+agencyColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		a.Code, a.Name, a.NameEN, a.Kind, a.UnitCode, a.Sample)
	if tx.db.d.isUniqueViolation(err) {
		return motcua.Errorf(motcua.ECONFLICT, "agency_exists", "Agency %s already exists.", a.Code)
	} else if err != nil {
		return fmt.Errorf("sqlstore: create agency %s: %w", a.Code, err)
	}
	return nil
}
