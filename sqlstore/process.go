package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"motcua"
	"motcua/workflow"
)

// CreateProcess validates p whole (workflow.Validate) against the
// procedure version in force at p.EffectiveFrom (now when zero) and the
// directory, and stores it as the next version of its code. The actor is
// the one carried by ctx. Returns EINVALID naming the offending step, or
// when the code belongs to another procedure.
func (db *DB) CreateProcess(ctx context.Context, p *motcua.Process) (_ *motcua.Process, err error) {
	defer markUnavailable(&err)
	p = cloneProcess(p)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if p.EffectiveFrom.IsZero() {
		p.EffectiveFrom = tx.now
	}
	p.EffectiveFrom = p.EffectiveFrom.UTC().Truncate(time.Microsecond)
	if !validProcessCode.MatchString(p.Code) {
		var fs motcua.Fields
		fs.Add("code", motcua.FieldFormat, "code is 1 to 64 letters, digits, dots, dashes or underscores")
		return nil, fs.Err()
	}
	if p.Code == defaultProcess {
		var fs motcua.Fields
		fs.Add("code", motcua.FieldValue, fmt.Sprintf("code %q is the built-in process's", p.Code))
		return nil, fs.Err()
	}
	var proc *motcua.Procedure
	if p.Procedure != "" {
		proc, err = findProcedureInForce(ctx, tx, p.Procedure, p.EffectiveFrom)
		if err != nil && motcua.ErrorCode(err) != motcua.ENOTFOUND {
			return nil, err
		}
	}
	if proc == nil {
		var fs motcua.Fields
		fs.Add("procedure", motcua.FieldUnknown, "no such procedure in force at effective_from")
		return nil, fs.Err()
	}
	dir, err := loadDirectory(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := workflow.Validate(p, proc, dir); err != nil {
		return nil, err
	}

	var last int
	var procedure string
	err = tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0), COALESCE(MAX(procedure_code), '')
		FROM processes WHERE code = ?`, p.Code).Scan(&last, &procedure)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create process %s: %w", p.Code, err)
	}
	if procedure != "" && procedure != p.Procedure {
		var fs motcua.Fields
		fs.Add("procedure", motcua.FieldValue, fmt.Sprintf("process %s belongs to procedure %s", p.Code, procedure))
		return nil, fs.Err()
	}
	p.Version = last + 1
	p.CreatedBy = actorFrom(ctx)
	p.CreatedBy.Grants = nil
	p.CreatedAt = tx.now
	def, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create process %s: %w", p.Code, err)
	}
	_, err = tx.exec(ctx, `INSERT INTO processes (code, version, procedure_code, effective_from, definition,
		created_by_kind, created_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Code, p.Version, p.Procedure, p.EffectiveFrom, string(def), p.CreatedBy.Kind, p.CreatedBy.ID, p.CreatedAt)
	if db.d.isUniqueViolation(err) {
		return nil, motcua.Errorf(motcua.ECONFLICT, "process_changed", "Process %s was changed at the same time; try again.", p.Code)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: create process %s: %w", p.Code, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlstore: create process %s: %w", p.Code, err)
	}
	db.flows.mu.Lock()
	delete(db.flows.versions, p.Procedure)
	db.flows.mu.Unlock()
	return p, nil
}

// defaultProcess is the code of workflow.Default's process, which is not
// stored.
const defaultProcess = "default"

var validProcessCode = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// FindProcess returns a version of a process, the latest when version is
// 0. Returns ENOTFOUND.
func (db *DB) FindProcess(ctx context.Context, code string, version int) (p *motcua.Process, err error) {
	defer markUnavailable(&err)
	tx := db.snapshots()
	if version == 0 {
		err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM processes WHERE code = ?`, code).Scan(&version)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find process %s: %w", code, err)
		}
		if version == 0 {
			return nil, motcua.NotFound("process", code)
		}
	}
	p, err = tx.process(ctx, code, version)
	if err != nil {
		return nil, err
	}
	return cloneProcess(p), nil
}

// FindProcesses returns the latest version of every stored process, of
// one procedure when procedure is not empty, in code order.
func (db *DB) FindProcesses(ctx context.Context, procedure string) (ps []*motcua.Process, err error) {
	defer markUnavailable(&err)
	tx := db.snapshots()
	q := `SELECT code, MAX(version) FROM processes`
	var args []any
	if procedure != "" {
		q += ` WHERE procedure_code = ?`
		args = append(args, procedure)
	}
	keys, err := scanProcessKeys(ctx, tx, q+` GROUP BY code ORDER BY code`, args...)
	if err != nil {
		return nil, err
	}
	ps = []*motcua.Process{}
	for _, k := range keys {
		p, err := tx.process(ctx, k.code, k.version)
		if err != nil {
			return nil, err
		}
		ps = append(ps, cloneProcess(p))
	}
	return ps, nil
}

func scanProcessKeys(ctx context.Context, tx *txn, q string, args ...any) ([]processKey, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find processes: %w", err)
	}
	defer rows.Close()
	var keys []processKey
	for rows.Next() {
		var k processKey
		if err := rows.Scan(&k.code, &k.version); err != nil {
			return nil, fmt.Errorf("sqlstore: find processes: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find processes: %w", err)
	}
	return keys, nil
}

// process returns a stored process version, from the cache when read
// before (versions never change). The result must not be modified.
func (tx *txn) process(ctx context.Context, code string, version int) (*motcua.Process, error) {
	k := processKey{code, version}
	if p, ok := tx.db.flows.processes.Load(k); ok {
		return p.(*motcua.Process), nil
	}
	var def string
	err := tx.queryRow(ctx, `SELECT definition FROM processes WHERE code = ? AND version = ?`, code, version).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, motcua.NotFound("process", fmt.Sprintf("%s v%d", code, version))
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find process %s: %w", code, err)
	}
	var p motcua.Process
	if err := json.Unmarshal([]byte(def), &p); err != nil {
		return nil, fmt.Errorf("sqlstore: decode process %s v%d: %w", code, version, err)
	}
	tx.db.flows.processes.Store(k, &p)
	return &p, nil
}

// pinnedProcess returns the process a dossier pinned: the built-in
// default for dossiers without one.
func (tx *txn) pinnedProcess(ctx context.Context, d *motcua.Dossier, proc *motcua.Procedure) (*motcua.Process, error) {
	if d.Process == "" || d.Process == defaultProcess {
		return tx.db.defaultProcess(proc), nil
	}
	return tx.process(ctx, d.Process, d.ProcessVersion)
}

// processFor returns the process in force at tx's time for dossiers of
// procedure proc received by agency: of the stored processes of the
// procedure, each code's latest version in force, preferring one that
// names the agency to one for every agency, then the lowest code; the
// built-in default when there is none.
func (tx *txn) processFor(ctx context.Context, proc *motcua.Procedure, agency string) (*motcua.Process, error) {
	versions, err := tx.processVersions(ctx, proc.Code)
	if err != nil {
		return nil, err
	}
	// Each code's latest version in force, in code order.
	var keys []processKey
	for _, v := range versions {
		if v.effective.After(tx.now) {
			continue
		}
		if n := len(keys); n > 0 && keys[n-1].code == v.code {
			keys[n-1].version = max(keys[n-1].version, v.version)
			continue
		}
		keys = append(keys, v.processKey)
	}
	var general *motcua.Process
	for _, k := range keys {
		p, err := tx.process(ctx, k.code, k.version)
		if err != nil {
			return nil, err
		}
		if slices.Contains(p.Agencies, agency) {
			return p, nil
		}
		if len(p.Agencies) == 0 && general == nil {
			general = p
		}
	}
	if general != nil {
		return general, nil
	}
	return tx.db.defaultProcess(proc), nil
}

// defaultProcess returns workflow.Default of proc, made once per
// procedure version: processes, like procedure versions, are shared and
// never changed.
func (db *DB) defaultProcess(proc *motcua.Procedure) *motcua.Process {
	k := procedureKey{proc.Code, proc.Version}
	if p, ok := db.flows.defaults.Load(k); ok {
		return p.(*motcua.Process)
	}
	p, _ := db.flows.defaults.LoadOrStore(k, workflow.Default(proc))
	return p.(*motcua.Process)
}

// processVersions returns the versions of the processes of a procedure,
// in code order, from the store's cache when read in the last 30 seconds
// and not changed since in this process (a version created by another
// process is used within 30 seconds).
func (tx *txn) processVersions(ctx context.Context, procedure string) ([]processVersion, error) {
	f := &tx.db.flows
	f.mu.Lock()
	if c := f.versions[procedure]; c != nil && time.Since(c.loaded) < directoryTTL {
		f.mu.Unlock()
		return c.versions, nil
	}
	f.mu.Unlock()
	rows, err := tx.query(ctx, `SELECT code, version, effective_from FROM processes
		WHERE procedure_code = ? ORDER BY code, version`, procedure)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find the processes of %s: %w", procedure, err)
	}
	defer rows.Close()
	c := &procedureProcesses{loaded: time.Now()}
	for rows.Next() {
		var v processVersion
		if err := rows.Scan(&v.code, &v.version, scanTime{&v.effective}); err != nil {
			return nil, fmt.Errorf("sqlstore: find the processes of %s: %w", procedure, err)
		}
		c.versions = append(c.versions, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find the processes of %s: %w", procedure, err)
	}
	f.mu.Lock()
	if f.versions == nil {
		f.versions = map[string]*procedureProcesses{}
	}
	f.versions[procedure] = c
	f.mu.Unlock()
	return c.versions, nil
}

// cloneProcess returns a deep copy of p through JSON.
func cloneProcess(p *motcua.Process) *motcua.Process {
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: encode process: %v", err))
	}
	var c motcua.Process
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("sqlstore: decode process: %v", err))
	}
	return &c
}

// flowDoc is what a dossier's process adds to its state, as its document
// holds it, and as its flow column held it before.
type flowDoc struct {
	Tasks     []*motcua.Task    `json:"tasks,omitempty"`
	Pauses    []motcua.Interval `json:"pauses,omitempty"`
	Extension *motcua.Extension `json:"extension,omitempty"`
	Payment   string            `json:"payment,omitempty"`
}

// noFlow is the flow column of a row written since flows are kept in the
// document only.
const noFlow = "{}"

// decodeFlow sets d's flow from the flow column s of a row written
// before documents were kept.
func decodeFlow(d *motcua.Dossier, s string) error {
	if s == "" || s == "{}" {
		return nil
	}
	var f flowDoc
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return fmt.Errorf("decode flow: %w", err)
	}
	d.Tasks, d.Pauses, d.Extension, d.Payment = f.Tasks, f.Pauses, f.Extension, f.Payment
	return nil
}

// DossierProcess returns the process d pinned: the built-in default for a
// dossier without one.
func (db *DB) DossierProcess(ctx context.Context, d *motcua.Dossier) (p *motcua.Process, err error) {
	defer markUnavailable(&err)
	tx := db.snapshots()
	proc, err := tx.procedureVersion(ctx, d.ProcedureCode, d.ProcedureVersion)
	if err != nil {
		return nil, err
	}
	p, err = tx.pinnedProcess(ctx, d, proc)
	if err != nil {
		return nil, err
	}
	return cloneProcess(p), nil
}
