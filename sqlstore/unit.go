package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"motcua"
)

// FindUnit returns the unit with code. Returns ENOTFOUND.
func (db *DB) FindUnit(ctx context.Context, code string) (u *motcua.Unit, err error) {
	defer markUnavailable(&err)
	return findUnit(ctx, db.snapshots(), code)
}

// FindUnits returns a page of units in code order, the children of
// f.Parent or the top level, and the cursor of the next page ("" at the
// end). Returns ENOTFOUND if the parent does not exist.
func (db *DB) FindUnits(ctx context.Context, f motcua.UnitFilter) (units []*motcua.Unit, next string, err error) {
	defer markUnavailable(&err)
	return findUnits(ctx, db.snapshots(), f)
}

// ImportUnits loads units into an empty unit table in one transaction.
// Parents may come in any order as long as each is in the set. Returns
// ECONFLICT if units already exist, and EINVALID naming the unit if a code
// repeats, a parent is missing or a level is not the unit's depth.
func (db *DB) ImportUnits(ctx context.Context, units []*motcua.Unit) (err error) {
	defer markUnavailable(&err)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if taken, err := tx.exists(ctx, `SELECT 1 FROM units LIMIT 1`); err != nil {
		return fmt.Errorf("sqlstore: import units: %w", err)
	} else if taken {
		return motcua.Errorf(motcua.ECONFLICT, "units_exist", "Units are already loaded; units are imported into an empty database.")
	}
	if err := importUnits(ctx, tx, units); err != nil {
		return err
	}
	defer db.forgetDirectory()
	return tx.Commit()
}

const (
	unitColumns   = `code, name, type, level, parent_code`
	findUnitQuery = `SELECT ` + unitColumns + ` FROM units WHERE code = ?`
)

func scanUnit(s interface{ Scan(...any) error }) (*motcua.Unit, error) {
	var u motcua.Unit
	var parent sql.NullString
	if err := s.Scan(&u.Code, &u.Name, &u.Type, &u.Level, &parent); err != nil {
		return nil, err
	}
	u.ParentCode = parent.String
	return &u, nil
}

func findUnit(ctx context.Context, tx *txn, code string) (*motcua.Unit, error) {
	u, err := scanUnit(tx.keyRow(ctx, findUnitQuery, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, motcua.NotFound("unit", code)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find unit %s: %w", code, err)
	}
	return u, nil
}

func findUnits(ctx context.Context, tx *txn, f motcua.UnitFilter) ([]*motcua.Unit, string, error) {
	page := f.Page.Normalize()
	where, args := []string{"parent_code IS NULL"}, []any{}
	if f.Parent != "" {
		if _, err := findUnit(ctx, tx, f.Parent); err != nil {
			return nil, "", err
		}
		where, args = []string{"parent_code = ?"}, []any{f.Parent}
	}
	if page.After != "" {
		where, args = append(where, "code > ?"), append(args, page.After)
	}
	rows, err := tx.query(ctx, `SELECT `+unitColumns+` FROM units WHERE `+strings.Join(where, " AND ")+
		` ORDER BY code LIMIT ?`, append(args, page.Limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find units: %w", err)
	}
	defer rows.Close()
	var units []*motcua.Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlstore: find units: %w", err)
		}
		units = append(units, u)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlstore: find units: %w", err)
	}
	units, next := cut(units, page.Limit, func(u *motcua.Unit) string { return u.Code })
	return units, next, nil
}

// cut trims a list fetched with one item more than the page limit and
// returns the next cursor: the key of the page's last item, or "" when
// nothing follows.
func cut[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, key(items[limit-1])
}

// validateUnits checks a set of new units, each of whose parents must be
// in the set, and returns them ordered parents first. Field names are
// prefixed with prefix ("units").
func validateUnits(units []*motcua.Unit, prefix string) ([]*motcua.Unit, error) {
	var fs motcua.Fields
	byCode := make(map[string]*motcua.Unit, len(units))
	for i, u := range units {
		p := fmt.Sprintf("%s[%d].", prefix, i)
		switch {
		case u.Code == "":
			fs.Add(p+"code", motcua.FieldRequired, "code is required")
		case byCode[u.Code] != nil:
			fs.Add(p+"code", motcua.FieldValue, fmt.Sprintf("unit %s appears twice", u.Code))
		default:
			byCode[u.Code] = u
		}
		if u.Name == "" {
			fs.Add(p+"name", motcua.FieldRequired, fmt.Sprintf("unit %s has no name", u.Code))
		}
	}
	// depth is the level each unit must have, or brokenParent or cycle.
	const brokenParent, cycle = -1, -2
	depth := make(map[string]int, len(units))
	var depthOf func(u *motcua.Unit, seen int) int
	depthOf = func(u *motcua.Unit, seen int) int {
		if d, ok := depth[u.Code]; ok {
			return d
		}
		d := 1
		if u.ParentCode != "" {
			switch parent := byCode[u.ParentCode]; {
			case parent == nil:
				d = brokenParent
			case seen > len(units):
				d = cycle
			default:
				if d = depthOf(parent, seen+1); d > 0 {
					d++
				}
			}
		}
		depth[u.Code] = d
		return d
	}
	for i, u := range units {
		if u.Code == "" || byCode[u.Code] != u {
			continue
		}
		p := fmt.Sprintf("%s[%d].", prefix, i)
		switch d := depthOf(u, 0); {
		case u.ParentCode != "" && byCode[u.ParentCode] == nil:
			fs.Add(p+"parent_code", motcua.FieldUnknown, fmt.Sprintf("unit %s: parent %s is not in the data", u.Code, u.ParentCode))
		case d == cycle:
			fs.Add(p+"parent_code", motcua.FieldValue, fmt.Sprintf("unit %s: its parents form a cycle", u.Code))
		case d > 0 && u.Level != d:
			fs.Add(p+"level", motcua.FieldValue, fmt.Sprintf("unit %s: level is %d but the unit is at depth %d", u.Code, u.Level, d))
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	sorted := make([]*motcua.Unit, 0, len(units))
	for level := 1; len(sorted) < len(units); level++ {
		for _, u := range units {
			if depth[u.Code] == level {
				sorted = append(sorted, u)
			}
		}
	}
	return sorted, nil
}

func importUnits(ctx context.Context, tx *txn, units []*motcua.Unit) error {
	sorted, err := validateUnits(units, "units")
	if err != nil {
		return err
	}
	rows := make([][]any, len(sorted))
	for i, u := range sorted {
		var parent any
		if u.ParentCode != "" {
			parent = u.ParentCode
		}
		rows[i] = []any{u.Code, u.Name, u.Type, u.Level, parent}
	}
	if err := insertRows(ctx, tx, "units", unitColumns, rows); err != nil {
		return fmt.Errorf("sqlstore: import units: %w", err)
	}
	_, err = bumpCalendarRevision(ctx, tx)
	return err
}

// insertRows inserts rows into table in batches of multi-row INSERT
// statements, each prepared once.
func insertRows(ctx context.Context, tx *txn, table, columns string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	batch := max(1, 2000/width)
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	for len(rows) > 0 {
		n := min(batch, len(rows))
		s := stmts[n]
		if s == nil {
			tuple := "(" + strings.Repeat("?, ", width-1) + "?)"
			q := `INSERT INTO ` + table + ` (` + columns + `) VALUES ` + strings.Repeat(tuple+", ", n-1) + tuple
			var err error
			if s, err = tx.prepare(ctx, q); err != nil {
				return err
			}
			stmts[n] = s
		}
		args := make([]any, 0, n*width)
		for _, r := range rows[:n] {
			args = append(args, tx.args(r)...)
		}
		if _, err := s.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
