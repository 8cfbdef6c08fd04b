package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"motcua"
)

// directoryTTL is how long a directory snapshot serves before it is read
// again, so that units and agencies added by another process show up.
const directoryTTL = 30 * time.Second

// flowState is what the store keeps in memory for processes: the
// directory of units and agencies, and the process versions read (they
// never change).
type flowState struct {
	mu  sync.Mutex
	dir *directory
	// processes holds the process versions read (processKey →
	// *motcua.Process).
	processes sync.Map
	// defaults holds the built-in default process of each procedure
	// version (procedureKey → *motcua.Process).
	defaults sync.Map
	// versions holds, per procedure, the versions of its processes with
	// their effective dates, read again after directoryTTL or a change
	// in this process.
	versions map[string]*procedureProcesses
}

// procedureProcesses are the process versions of a procedure as read at
// loaded.
type procedureProcesses struct {
	loaded   time.Time
	versions []processVersion
}

type processVersion struct {
	processKey
	effective time.Time
}

type processKey struct {
	code    string
	version int
}

// directory is a snapshot of the units and agencies: it implements
// motcua.Directory.
type directory struct {
	loaded   time.Time
	parents  map[string]string
	agencies map[string]*motcua.Agency
	// handling maps unit → procedure → the agency of the unit handling it.
	handling map[string]map[string]*motcua.Agency
	// committees maps a unit to its People's Committee.
	committees map[string]*motcua.Agency
}

var _ motcua.Directory = (*directory)(nil)

func (d *directory) Agency(code string) (*motcua.Agency, bool) {
	a, ok := d.agencies[code]
	return a, ok
}

func (d *directory) ParentUnit(unit string) (string, bool) {
	p, ok := d.parents[unit]
	return p, ok && p != ""
}

func (d *directory) AgencyAt(unit, procedure string) (*motcua.Agency, bool) {
	if a, ok := d.handling[unit][procedure]; ok {
		return a, true
	}
	a, ok := d.committees[unit]
	return a, ok
}

// Directory returns the store's directory of units and agencies, read
// again when older than 30 seconds or after a change of the catalogue in
// this process.
func (db *DB) Directory(ctx context.Context) (dir motcua.Directory, err error) {
	defer markUnavailable(&err)
	return db.directory(ctx, db.snapshots())
}

func (db *DB) directory(ctx context.Context, tx *txn) (*directory, error) {
	f := &db.flows
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir != nil && time.Since(f.dir.loaded) < directoryTTL {
		return f.dir, nil
	}
	d, err := loadDirectory(ctx, tx)
	if err != nil {
		return nil, err
	}
	f.dir = d
	return d, nil
}

// forgetDirectory makes the next use of the directory, and of each
// receipt's procedure and agency, read them again.
func (db *DB) forgetDirectory() {
	db.flows.mu.Lock()
	db.flows.dir = nil
	db.flows.mu.Unlock()
	db.receipts.read.Clear()
}

func loadDirectory(ctx context.Context, tx *txn) (*directory, error) {
	d := &directory{
		loaded:     time.Now(),
		parents:    map[string]string{},
		agencies:   map[string]*motcua.Agency{},
		handling:   map[string]map[string]*motcua.Agency{},
		committees: map[string]*motcua.Agency{},
	}
	rows, err := tx.query(ctx, `SELECT code, COALESCE(parent_code, '') FROM units`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read units: %w", err)
	}
	for rows.Next() {
		var code, parent string
		if err := rows.Scan(&code, &parent); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: read units: %w", err)
		}
		d.parents[code] = parent
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read units: %w", err)
	}

	rows, err = tx.query(ctx, `SELECT `+agencyColumns+` FROM agencies ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read agencies: %w", err)
	}
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: read agencies: %w", err)
		}
		d.agencies[a.Code] = a
		if a.Kind == motcua.AgencyPeoplesCommittee && d.committees[a.UnitCode] == nil {
			d.committees[a.UnitCode] = a
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read agencies: %w", err)
	}

	rows, err = tx.query(ctx, `SELECT DISTINCT procedure_code, agency_code FROM procedure_agencies ORDER BY procedure_code, agency_code`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read procedure agencies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var procedure, agency string
		if err := rows.Scan(&procedure, &agency); err != nil {
			return nil, fmt.Errorf("sqlstore: read procedure agencies: %w", err)
		}
		a := d.agencies[agency]
		if a == nil {
			continue
		}
		m := d.handling[a.UnitCode]
		if m == nil {
			m = map[string]*motcua.Agency{}
			d.handling[a.UnitCode] = m
		}
		if m[procedure] == nil {
			m[procedure] = a
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read procedure agencies: %w", err)
	}
	return d, nil
}

// LegalCalendar returns the legal calendar of every unit, rebuilt first if
// the calendar changed since it was built.
func (db *DB) LegalCalendar(ctx context.Context) (cal motcua.Calendar, err error) {
	defer markUnavailable(&err)
	s, err := db.snapshots().calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.cal, nil
}
