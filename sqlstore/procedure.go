package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"motcua"
)

// FindProcedure returns the version of the procedure in force at at (the
// one with the latest effective date not after it), with its agencies.
// Returns ENOTFOUND.
func (db *DB) FindProcedure(ctx context.Context, code string, at time.Time) (p *motcua.Procedure, err error) {
	defer markUnavailable(&err)
	return findProcedure(ctx, db.snapshots(), code, at)
}

// FindProcedureVersion returns one version of a procedure, with its
// agencies. Returns ENOTFOUND.
func (db *DB) FindProcedureVersion(ctx context.Context, code string, version int) (p *motcua.Procedure, err error) {
	defer markUnavailable(&err)
	tx := db.snapshots()
	p, err = findProcedureVersion(ctx, tx, code, version)
	if err != nil {
		return nil, err
	}
	return p, attachAgencies(ctx, tx, p)
}

// FindProcedures returns a page of the procedure versions in force now, in
// code order, without their agency codes (FindAgencies with a Procedure
// filter lists them), and the next cursor ("" at the end).
// Returns ENOTFOUND if f.Unit does not exist.
func (db *DB) FindProcedures(ctx context.Context, f motcua.ProcedureFilter) (procedures []*motcua.Procedure, next string, err error) {
	defer markUnavailable(&err)
	return findProcedures(ctx, db.snapshots(), f)
}

// CreateProcedureVersion adds a version of a procedure effective from
// p.EffectiveFrom and sets p.Version to the next version number. Returns
// EINVALID for bad fields or unknown agencies, and ECONFLICT if another
// version was added at the same moment.
func (db *DB) CreateProcedureVersion(ctx context.Context, p *motcua.Procedure) (err error) {
	defer markUnavailable(&err)
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkAgencies(ctx, tx, p.AgencyCodes); err != nil {
		return err
	}
	var last int
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM procedures WHERE code = ?`, p.Code).Scan(&last); err != nil {
		return fmt.Errorf("sqlstore: create procedure %s: %w", p.Code, err)
	}
	p.Version = last + 1
	err = insertProcedures(ctx, tx, []*motcua.Procedure{p})
	if tx.db.d.isUniqueViolation(err) {
		return motcua.Errorf(motcua.ECONFLICT, "procedure_version_conflict",
			"Another version of procedure %s was added at the same time; try again.", p.Code)
	} else if err != nil {
		return fmt.Errorf("sqlstore: create procedure %s: %w", p.Code, err)
	}
	defer db.forgetDirectory()
	return tx.Commit()
}

const (
	procedureColumns = `code, version, effective_from, name, name_en, field, level, service_level, online,
	processing_value, processing_unit, fees, required_documents, result, legal_basis, auto_receive, sample`
	findProcedureQuery = `SELECT ` + procedureColumns + ` FROM procedures
		WHERE code = ? AND effective_from <= ? ORDER BY effective_from DESC, version DESC LIMIT 1`
	findProcedureVersionQuery = `SELECT ` + procedureColumns + ` FROM procedures WHERE code = ? AND version = ?`
	procedureAgenciesQuery    = `SELECT agency_code FROM procedure_agencies
		WHERE procedure_code = ? AND procedure_version = ? ORDER BY agency_code`
)

// inForce selects, among the versions of each procedure, the one in force
// at the time bound to its two placeholders.
const inForce = `p.effective_from <= ? AND NOT EXISTS (SELECT 1 FROM procedures q
	WHERE q.code = p.code AND q.effective_from <= ?
	AND (q.effective_from > p.effective_from OR q.effective_from = p.effective_from AND q.version > p.version))`

func scanProcedure(s interface{ Scan(...any) error }) (*motcua.Procedure, error) {
	var p motcua.Procedure
	var fees, docs string
	if err := s.Scan(&p.Code, &p.Version, scanTime{&p.EffectiveFrom}, &p.Name, &p.NameEN, &p.Field, &p.Level,
		&p.ServiceLevel.Level, &p.ServiceLevel.Online, &p.ProcessingTime.Value, &p.ProcessingTime.Unit,
		&fees, &docs, &p.Result, &p.LegalBasis, &p.AutoReceive, &p.Sample); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fees), &p.Fees); err != nil {
		return nil, fmt.Errorf("fees of %s: %w", p.Code, err)
	}
	if err := json.Unmarshal([]byte(docs), &p.RequiredDocuments); err != nil {
		return nil, fmt.Errorf("required documents of %s: %w", p.Code, err)
	}
	return &p, nil
}

func findProcedure(ctx context.Context, tx *txn, code string, at time.Time) (*motcua.Procedure, error) {
	p, err := findProcedureInForce(ctx, tx, code, at)
	if err != nil {
		return nil, err
	}
	return p, attachAgencies(ctx, tx, p)
}

// findProcedureInForce returns the version in force at at without its
// agencies.
func findProcedureInForce(ctx context.Context, tx *txn, code string, at time.Time) (*motcua.Procedure, error) {
	p, err := scanProcedure(tx.queryRow(ctx, findProcedureQuery, code, at))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, motcua.NotFound("procedure", code)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find procedure %s: %w", code, err)
	}
	return p, nil
}

// findProcedureVersion returns a version without its agencies.
func findProcedureVersion(ctx context.Context, tx *txn, code string, version int) (*motcua.Procedure, error) {
	p, err := scanProcedure(tx.queryRow(ctx, findProcedureVersionQuery, code, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, motcua.NotFound("procedure", fmt.Sprintf("%s version %d", code, version))
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find procedure %s version %d: %w", code, version, err)
	}
	return p, nil
}

// procedureKey names a version of a procedure.
type procedureKey struct {
	code    string
	version int
}

// procedureVersion returns a version of a procedure without its agencies,
// for reading only: a version never changes once stored, so each DB reads
// it once.
func (tx *txn) procedureVersion(ctx context.Context, code string, version int) (*motcua.Procedure, error) {
	k := procedureKey{code, version}
	if p, ok := tx.db.procedures.Load(k); ok {
		return p.(*motcua.Procedure), nil
	}
	p, err := findProcedureVersion(ctx, tx, code, version)
	if err != nil {
		return nil, err
	}
	tx.db.procedures.Store(k, p)
	return p, nil
}

func findProcedures(ctx context.Context, tx *txn, f motcua.ProcedureFilter) ([]*motcua.Procedure, string, error) {
	page := f.Page.Normalize()
	where, args := []string{inForce}, []any{tx.now, tx.now}
	if q := motcua.Fold(f.Query); q != "" {
		where, args = append(where, `p.search LIKE ? ESCAPE '\'`), append(args, "%"+escapeLike(q)+"%")
	}
	if f.ServiceLevel != 0 {
		where, args = append(where, "p.service_level = ?"), append(args, f.ServiceLevel)
	}
	if f.Unit != "" {
		if _, err := findUnit(ctx, tx, f.Unit); err != nil {
			return nil, "", err
		}
		where = append(where, `EXISTS (SELECT 1 FROM procedure_agencies pa JOIN agencies a ON a.code = pa.agency_code
			WHERE pa.procedure_code = p.code AND pa.procedure_version = p.version AND a.unit_code = ?)`)
		args = append(args, f.Unit)
	}
	if page.After != "" {
		where, args = append(where, "p.code > ?"), append(args, page.After)
	}
	rows, err := tx.query(ctx, `SELECT `+procedureColumns+` FROM procedures p WHERE `+strings.Join(where, " AND ")+
		` ORDER BY p.code LIMIT ?`, append(args, page.Limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: find procedures: %w", err)
	}
	defer rows.Close()
	var ps []*motcua.Procedure
	for rows.Next() {
		p, err := scanProcedure(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlstore: find procedures: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlstore: find procedures: %w", err)
	}
	rows.Close()
	ps, next := cut(ps, page.Limit, func(p *motcua.Procedure) string { return p.Code })
	return ps, next, nil
}

// escapeLike escapes the LIKE wildcards of s with backslashes.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// attachAgencies sets the AgencyCodes of a procedure version.
func attachAgencies(ctx context.Context, tx *txn, p *motcua.Procedure) error {
	rows, err := tx.query(ctx, procedureAgenciesQuery, p.Code, p.Version)
	if err != nil {
		return fmt.Errorf("sqlstore: agencies of %s: %w", p.Code, err)
	}
	defer rows.Close()
	for rows.Next() {
		var agency string
		if err := rows.Scan(&agency); err != nil {
			return fmt.Errorf("sqlstore: agencies of %s: %w", p.Code, err)
		}
		p.AgencyCodes = append(p.AgencyCodes, agency)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: agencies of %s: %w", p.Code, err)
	}
	return nil
}

// checkAgencies returns EINVALID naming the codes of agencies that do not
// exist.
func checkAgencies(ctx context.Context, tx *txn, codes []string) error {
	var unknown []string
	for _, c := range codes {
		ok, err := tx.exists(ctx, `SELECT 1 FROM agencies WHERE code = ?`, c)
		if err != nil {
			return fmt.Errorf("sqlstore: find agency %s: %w", c, err)
		}
		if !ok {
			unknown = append(unknown, c)
		}
	}
	if len(unknown) > 0 {
		var fs motcua.Fields
		fs.Add("agency_codes", motcua.FieldUnknown, "no such agency: "+strings.Join(unknown, ", "))
		return fs.Err()
	}
	return nil
}

// insertProcedures inserts procedure versions, whose Version is set, and
// their agencies.
func insertProcedures(ctx context.Context, tx *txn, ps []*motcua.Procedure) error {
	rows := make([][]any, 0, len(ps))
	var agencies [][]any
	for _, p := range ps {
		p.EffectiveFrom = p.EffectiveFrom.UTC().Truncate(time.Microsecond)
		p.AgencyCodes = slices.Compact(slices.Sorted(slices.Values(p.AgencyCodes)))
		fees, err := json.Marshal(nonNil(p.Fees))
		if err != nil {
			return err
		}
		docs, err := json.Marshal(nonNil(p.RequiredDocuments))
		if err != nil {
			return err
		}
		rows = append(rows, []any{p.Code, p.Version, p.EffectiveFrom, p.Name, p.NameEN, p.Field, p.Level,
			p.ServiceLevel.Level, p.ServiceLevel.Online, p.ProcessingTime.Value, string(p.ProcessingTime.Unit),
			string(fees), string(docs), p.Result, p.LegalBasis, p.AutoReceive, p.Sample,
			motcua.Fold(p.Code + " " + p.Name + " " + p.NameEN)})
		for _, a := range p.AgencyCodes {
			agencies = append(agencies, []any{p.Code, p.Version, a})
		}
	}
	if err := insertRows(ctx, tx, "procedures", procedureColumns+", search", rows); err != nil {
		return err
	}
	return insertRows(ctx, tx, "procedure_agencies", "procedure_code, procedure_version, agency_code", agencies)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
