package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"motcua"
)

// The baselines below measure what the database itself costs on the same
// pools, settings and durability as the store: the floor under each store
// operation, for the ratios in docs/BENCHMARKS.md.

// CreateBaselineTable creates the table of the baselines.
func (db *DB) CreateBaselineTable(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_baseline (id BIGINT PRIMARY KEY, v TEXT NOT NULL)`)
	return err
}

// BaselineCommit commits one transaction that inserts one row.
func (db *DB) BaselineCommit(ctx context.Context, id int) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.exec(ctx, `INSERT INTO bench_baseline (id, v) VALUES (?, ?)`, id, fmt.Sprint("row ", id)); err != nil {
		return err
	}
	return tx.Commit()
}

// BaselineRead reads one row by primary key in a read transaction.
func (db *DB) BaselineRead(ctx context.Context, id int) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v string
	return tx.queryRow(ctx, `SELECT v FROM bench_baseline WHERE id = ?`, id).Scan(&v)
}

// NextCodeCommit assigns one dossier code of agency in a transaction of its
// own: the cost of code generation with its commit.
func (db *DB) NextCodeCommit(ctx context.Context, agency string) (string, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	code, err := nextCode(ctx, tx, agency, tx.now)
	if err != nil {
		return "", err
	}
	return code, tx.Commit()
}

// CalendarRevisions returns the calendar revision stored in the database
// and the revision of the calendar the DB has cached (0 when none).
func (db *DB) CalendarRevisions(ctx context.Context) (stored, cached int64, err error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	if err := tx.queryRow(ctx, calendarRevisionQuery).Scan(&stored); err != nil {
		return 0, 0, err
	}
	if s := db.cal.Load(); s != nil {
		cached = s.revision
	}
	return stored, cached, nil
}

// LoadCalendar builds the calendar from the tables in a read transaction,
// as a DB does when the revision has changed: the cost of a rebuild.
func (db *DB) LoadCalendar(ctx context.Context) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = loadCalendar(ctx, tx, 0)
	return err
}

// Batch runs, as the operations of one batch, lists of statements with ?
// placeholders, and returns the error of each list.
func (db *DB) Batch(stmts ...[]string) []error {
	ops := make([]*BatchOp, len(stmts))
	for i, list := range stmts {
		ops[i] = &BatchOp{Stmts: list}
	}
	errs, _ := db.RunBatch(false, ops...)
	return errs
}

// ErrFlaky is the error of a BatchOp's first runs.
var ErrFlaky = errors.New("flaky operation")

// BatchOp is an operation of a test batch: it runs Stmts, statements with
// ? placeholders, in order, except that its first Flaky runs fail before
// the last statement. Runs counts its runs.
type BatchOp struct {
	Stmts []string
	Flaky int
	Runs  int
}

// RunBatch runs ops as one batch, with savepoints from the start when
// careful, as a committer does after a batch in which an operation
// failed. It returns the error of each operation, and whether an
// operation failed.
func (db *DB) RunBatch(careful bool, ops ...*BatchOp) ([]error, bool) {
	batch := make([]*op, len(ops))
	for i, bo := range ops {
		batch[i] = &op{done: make(chan error, 1), run: func(ctx context.Context, tx *txn) error {
			bo.Runs++
			for j, s := range bo.Stmts {
				if j == len(bo.Stmts)-1 && bo.Runs <= bo.Flaky {
					return ErrFlaky
				}
				if _, err := tx.exec(ctx, s); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	failed := db.runBatch(batch, careful)
	errs := make([]error, len(batch))
	for i, o := range batch {
		errs[i] = <-o.done
	}
	return errs, failed
}

// PendingReceipt is a receipt prepared out of the committers.
type PendingReceipt = pendingReceipt

// PrepareReceipt prepares the receipt of in by the system at the clock's
// time.
func (db *DB) PrepareReceipt(ctx context.Context, in *motcua.DossierInput) (*PendingReceipt, error) {
	in.Normalize()
	return db.prepareReceipt(ctx, in, motcua.SystemActor)
}

// InsertReceipts writes prepared receipts in one transaction, in the order
// given, as a batch of the committers would without sorting them.
func (db *DB) InsertReceipts(ctx context.Context, ps ...*PendingReceipt) ([]*motcua.Dossier, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ds []*motcua.Dossier
	for _, p := range ps {
		d, err := p.insert(ctx, tx)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, tx.Commit()
}

// InsertReceiptsTogether writes prepared receipts as the first run of a
// batch does, all at once in one transaction, and fails rather than
// write one of them alone.
func (db *DB) InsertReceiptsTogether(ctx context.Context, ps ...*PendingReceipt) ([]*motcua.Dossier, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ds := make([]*motcua.Dossier, len(ps))
	ops := make([]*op, len(ps))
	for i, p := range ps {
		ops[i] = &op{receipt: p, created: func(d *motcua.Dossier) { ds[i] = d }}
	}
	written, err := insertReceipts(ctx, tx, ops)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if written == nil || !written[i] {
			return nil, fmt.Errorf("receipt %d not written with the others", i)
		}
	}
	return ds, tx.Commit()
}

// LegacyColumns returns the due_explanation and flow columns of d as rows
// written before documents were kept hold them.
func LegacyColumns(d *motcua.Dossier) (due any, flow string, err error) {
	if d.DueExplanation != nil {
		b, err := json.Marshal(d.DueExplanation)
		if err != nil {
			return nil, "", err
		}
		due = string(b)
	}
	b, err := json.Marshal(flowDoc{Tasks: d.Tasks, Pauses: d.Pauses, Extension: d.Extension, Payment: d.Payment})
	return due, string(b), err
}

// ErrStale is errStale.
var ErrStale = errStale

// ApplyTogether computes the actions on the dossiers as stored and writes
// them as the first run of a batch on PostgreSQL does, in one pipeline,
// failing rather than write one of them alone.
func (db *DB) ApplyTogether(ctx context.Context, refs []string, reqs []motcua.ActionRequest) ([]*motcua.Dossier, error) {
	ops := make([]*op, len(refs))
	for i, ref := range refs {
		c, err := computeChange(ctx, db.snapshots(), ref, reqs[i], actorFrom(ctx), false, nil)
		if err != nil {
			return nil, err
		}
		ops[i] = &op{change: c}
	}
	tx, err := db.beginBatch(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	written, err := pipelineChanges(ctx, tx, ops, nil)
	if err != nil {
		return nil, err
	}
	ds := make([]*motcua.Dossier, len(ops))
	for i, o := range ops {
		if written == nil || !written[i] {
			return nil, fmt.Errorf("change %d not written with the others", i)
		}
		ds[i] = o.change.d
	}
	return ds, tx.Commit()
}
