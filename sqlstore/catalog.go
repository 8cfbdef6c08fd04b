package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"motcua"
)

// ImportCatalog loads c into an empty database in one transaction and
// records c.Label. Versions of one procedure are numbered in the order
// given. Returns ECONFLICT if the database holds any unit, agency,
// procedure or dossier, and EINVALID listing every bad field.
func (db *DB) ImportCatalog(ctx context.Context, c *motcua.Catalog) (err error) {
	defer markUnavailable(&err)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	empty, err := isEmpty(ctx, tx)
	if err != nil {
		return err
	}
	if !empty {
		return motcua.Errorf(motcua.ECONFLICT, "database_not_empty",
			"The database already holds data; a catalogue is imported into an empty database.")
	}
	if err := importCatalog(ctx, tx, c); err != nil {
		return err
	}
	defer db.forgetDirectory()
	return tx.Commit()
}

// Dataset returns the label recorded by ImportCatalog ("" if none) and
// reports whether the database holds no unit, agency, procedure or
// dossier.
func (db *DB) Dataset(ctx context.Context) (label string, empty bool, err error) {
	defer markUnavailable(&err)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return "", false, err
	}
	defer tx.Rollback()
	err = tx.queryRow(ctx, `SELECT value FROM meta WHERE key = 'dataset'`).Scan(&label)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("sqlstore: dataset: %w", err)
	}
	empty, err = isEmpty(ctx, tx)
	return label, empty, err
}

func isEmpty(ctx context.Context, tx *txn) (bool, error) {
	taken, err := tx.exists(ctx, `SELECT 1 WHERE EXISTS (SELECT 1 FROM units) OR EXISTS (SELECT 1 FROM agencies)
		OR EXISTS (SELECT 1 FROM procedures) OR EXISTS (SELECT 1 FROM dossiers)`)
	if err != nil {
		return false, fmt.Errorf("sqlstore: check for data: %w", err)
	}
	return !taken, nil
}

func importCatalog(ctx context.Context, tx *txn, c *motcua.Catalog) error {
	var fs motcua.Fields
	if _, err := validateUnits(c.Units, "units"); err != nil {
		var e *motcua.Error
		if !errors.As(err, &e) {
			return err
		}
		fs = append(fs, e.Fields...)
	}
	unitCodes := make(map[string]bool, len(c.Units))
	for _, u := range c.Units {
		unitCodes[u.Code] = true
	}
	agencyCodes := make(map[string]bool, len(c.Agencies))
	for i, a := range c.Agencies {
		p := fmt.Sprintf("agencies[%d].", i)
		addFields(&fs, p, a.Validate())
		if a.UnitCode != "" && !unitCodes[a.UnitCode] {
			fs.Add(p+"unit", motcua.FieldUnknown, fmt.Sprintf("agency %s: unit %s is not in the data", a.Code, a.UnitCode))
		}
		if agencyCodes[a.Code] {
			fs.Add(p+"code", motcua.FieldValue, fmt.Sprintf("agency %s appears twice", a.Code))
		}
		agencyCodes[a.Code] = true
	}
	versions := map[string]int{}
	for i, pr := range c.Procedures {
		p := fmt.Sprintf("procedures[%d].", i)
		addFields(&fs, p, pr.Validate())
		for _, a := range pr.AgencyCodes {
			if !agencyCodes[a] {
				fs.Add(p+"agency_codes", motcua.FieldUnknown, fmt.Sprintf("procedure %s: agency %s is not in the data", pr.Code, a))
			}
		}
		versions[pr.Code]++
		pr.Version = versions[pr.Code]
	}
	if err := fs.Err(); err != nil {
		return err
	}

	if err := importUnits(ctx, tx, c.Units); err != nil {
		return err
	}
	rows := make([][]any, len(c.Agencies))
	for i, a := range c.Agencies {
		rows[i] = []any{a.Code, a.Name, a.NameEN, a.Kind, a.UnitCode, a.Sample}
	}
	if err := insertRows(ctx, tx, "agencies", agencyColumns, rows); err != nil {
		return fmt.Errorf("sqlstore: import agencies: %w", err)
	}
	if err := insertProcedures(ctx, tx, c.Procedures); err != nil {
		return fmt.Errorf("sqlstore: import procedures: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO meta (key, value) VALUES ('dataset', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, c.Label); err != nil {
		return fmt.Errorf("sqlstore: record dataset: %w", err)
	}
	return nil
}

// addFields adds the field errors of err, an EINVALID error or nil, with
// their names prefixed.
func addFields(fs *motcua.Fields, prefix string, err error) {
	var e *motcua.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			f.Field = prefix + f.Field
			*fs = append(*fs, f)
		}
	}
}
