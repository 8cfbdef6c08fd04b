package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"motcua"
)

// Group commit. A durable commit costs a flush of the log to disk, more
// than the rest of a receipt, so concurrent write operations are queued to
// committers, each of which runs whatever is waiting for it, up to
// maxBatch operations, in one transaction with one commit. Every caller is
// answered once its batch has committed, or with the error that made the
// batch fail.
//
// A batch first runs its operations one after the other, without
// savepoints, which cost PostgreSQL a round trip and a subtransaction per
// operation. When one fails, the whole transaction is rolled back and the
// batch runs again with each operation inside a savepoint: one that fails
// is rolled back alone and gets its own error while the others commit. So
// an operation may run twice, and must do nothing but write in its
// transaction and set its results. After a batch in which an operation
// failed, a committer's next batch uses savepoints from the start, so that
// a run of failures does not make every batch run twice.
//
// An operation names the rows it may lock by a key: an agency code for
// its dossier counter, or the ID of the dossier an action on PostgreSQL
// changes. A batch runs its operations in the order of these keys, and
// each key always goes to the same committer, so that two batches never
// wait for each other's rows in a cycle (several processes may share a
// PostgreSQL database, and lock in the same order). Operations that lock
// other rows too, such as a receipt with an idempotency key or an action
// that draws a code, run in a transaction of their own, unless the engine
// runs one writer at a time (SQLite), where no two transactions wait for
// each other.
//
// On PostgreSQL, the first run of a batch sends the one statement of each
// of its actions in a pipeline: one round trip for all of them.

const (
	// maxBatch caps the operations of a batch. PostgreSQL keeps the IDs of
	// 64 subtransactions per transaction in shared memory; with more,
	// every other session's snapshots get slower while the batch runs.
	maxBatch = 64
	// batchTimeout bounds the time a batch may spend in the database.
	batchTimeout = 30 * time.Second
)

// errClosed is returned for operations left waiting when the DB closes.
var errClosed = errors.New("sqlstore: the database is closed")

// op is a write operation waiting for a batch.
type op struct {
	key string
	run func(ctx context.Context, tx *txn) error
	// at orders the operations of one key in a batch: receipts by the
	// time they were prepared at.
	at time.Time
	// code is the agency of the one dossier code run may draw, or "".
	code string
	// receipt, when not nil, is the receipt run writes, which a batch
	// may write together with others instead, answering with created.
	receipt *pendingReceipt
	created func(*motcua.Dossier)
	// change, when not nil, is the change of a dossier run writes with
	// its one statement, which a batch may send in a pipeline with
	// others' instead.
	change *change
	state  atomic.Int32
	done   chan error
}

// States of an op: a committer takes it for a batch unless its caller
// abandoned it first.
const (
	opQueued int32 = iota
	opTaken
	opAbandoned
)

// committers run batches of write operations, each from a queue of its
// own.
type committers struct {
	queues []chan *op
	seed   maphash.Seed // chooses the queue of a key
	closed chan struct{}
	wg     sync.WaitGroup
}

// startCommitters starts n committers; with none, each write operation
// runs in a transaction of its own.
func (db *DB) startCommitters(n int) {
	c := &committers{seed: maphash.MakeSeed(), closed: make(chan struct{})}
	for range n {
		c.queues = append(c.queues, make(chan *op, maxBatch))
	}
	db.commit = c
	for _, q := range c.queues {
		c.wg.Go(func() { db.commitLoop(q) })
	}
}

// stopCommitters waits for the batches under way to end. Operations still
// queued fail with errClosed.
func (db *DB) stopCommitters() {
	close(db.commit.closed)
	db.commit.wg.Wait()
}

// batched runs fn in a batch and returns its error, or the error that made
// its batch fail. key is the counter row fn may lock; with key "", fn runs
// in a transaction of its own where transactions run concurrently.
//
// fn may run more than once, each time in a new transaction, when another
// operation of its batch fails: it must have no effect outside tx but
// setting its results, which a later run overwrites. Its effects are
// committed once at most.
//
// When ctx ends before a committer has taken the operation, batched
// returns ctx's error and fn never runs; once taken, the operation runs
// whole or not at all, and batched waits for the outcome.
func (db *DB) batched(ctx context.Context, key string, fn func(ctx context.Context, tx *txn) error) error {
	return db.enqueue(ctx, &op{key: key, run: fn})
}

// enqueue runs o in a batch as batched runs its function, and returns its
// error.
func (db *DB) enqueue(ctx context.Context, o *op) error {
	c := db.commit
	if len(c.queues) == 0 || o.key == "" && db.d.concurrentWriters {
		return db.runAlone(ctx, o.run)
	}
	o.done = make(chan error, 1)
	q := c.queues[maphash.String(c.seed, o.key)%uint64(len(c.queues))]
	select {
	case q <- o:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.closed:
		return errClosed
	}
	select {
	case err := <-o.done:
		return err
	case <-ctx.Done():
	case <-c.closed:
	}
	if o.state.CompareAndSwap(opQueued, opAbandoned) {
		return cmp.Or(ctx.Err(), errClosed)
	}
	return <-o.done
}

// runAlone runs fn in a transaction of its own.
func (db *DB) runAlone(ctx context.Context, fn func(ctx context.Context, tx *txn) error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// commitLoop runs batches of the operations of queue until the DB closes,
// each of those queued when the previous batch ended.
func (db *DB) commitLoop(queue chan *op) {
	careful := false // the previous batch had an operation fail
	for {
		var batch []*op
		select {
		case o := <-queue:
			batch = append(batch, o)
		case <-db.commit.closed:
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case o := <-queue:
				batch = append(batch, o)
			default:
				break fill
			}
		}
		careful = db.runBatch(batch, careful)
	}
}

// errRetry reports that an operation failed in a batch run without
// savepoints, which must then run again with them.
var errRetry = errors.New("sqlstore: an operation failed in a batch without savepoints")

// runBatch runs the operations that are not abandoned in one transaction
// and answers each. With careful, or a single operation, it runs them
// with savepoints (when there are several) at once; otherwise without,
// and again with savepoints if one fails. It reports whether an operation
// failed.
func (db *DB) runBatch(batch []*op, careful bool) (failed bool) {
	batch = slices.DeleteFunc(batch, func(o *op) bool { return !o.state.CompareAndSwap(opQueued, opTaken) })
	if len(batch) == 0 {
		return false
	}
	slices.SortStableFunc(batch, func(a, b *op) int { return cmp.Or(strings.Compare(a.key, b.key), a.at.Compare(b.at)) })
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	errs := make([]error, len(batch))
	savepoints := careful && len(batch) > 1
	err := db.runOps(ctx, batch, errs, savepoints)
	if errors.Is(err, errRetry) {
		clear(errs)
		err = db.runOps(ctx, batch, errs, true)
	}
	for i, o := range batch {
		if errs[i] == nil {
			errs[i] = err
		} else {
			failed = true
		}
		o.done <- errs[i]
	}
	return failed
}

// runOps runs the batch in one transaction, recording the error of each
// operation in errs, and commits the changes of those that succeeded. An
// error returned fails every operation that has no error of its own.
//
// Without savepoints, the first operation that fails ends the run: the
// transaction is rolled back and runOps returns errRetry, unless the
// batch has only that operation, whose error is then its own. The codes
// the operations may draw are then reserved at once, and those left are
// given back before the commit; with savepoints, each is drawn by its
// operation, so that one rolled back leaves no gap.
func (db *DB) runOps(ctx context.Context, batch []*op, errs []error, savepoints bool) error {
	tx, err := db.beginBatch(ctx)
	if err != nil {
		return err
	}
	defer tx.end()
	if !savepoints {
		counts := map[string]int{}
		for _, o := range batch {
			if o.code != "" {
				counts[o.code]++
			}
		}
		if len(counts) > 0 {
			if tx.codes, err = reserveCodes(ctx, tx, counts); err != nil {
				return err
			}
		}
	}
	var written []bool
	if !savepoints {
		if written, err = insertReceipts(ctx, tx, batch); err != nil {
			if len(batch) > 1 {
				return errRetry
			}
			errs[0] = err
			return nil
		}
	}
	if !savepoints {
		if written, err = pipelineChanges(ctx, tx, batch, written); err != nil {
			if len(batch) > 1 {
				return errRetry
			}
			errs[0] = err
			return nil
		}
	}
	failed := 0
	for i, o := range batch {
		if written != nil && written[i] {
			continue
		}
		if savepoints {
			// After a failure, ROLLBACK TO has left the savepoint in place.
			var q string
			switch {
			case i == 0:
				q = `SAVEPOINT op`
			case errs[i-1] == nil:
				q = `RELEASE SAVEPOINT op; SAVEPOINT op`
			}
			if q != "" {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("sqlstore: savepoint: %w", err)
				}
			}
		}
		if errs[i] = o.run(ctx, tx); errs[i] == nil {
			continue
		}
		if !savepoints {
			if len(batch) > 1 {
				return errRetry
			}
			return nil
		}
		failed++
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT op`); err != nil {
			return fmt.Errorf("sqlstore: roll back to savepoint: %w", err)
		}
	}
	if failed == len(batch) {
		return nil
	}
	if tx.codes != nil {
		if err := tx.codes.giveBack(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// pipelineChanges sends the statements of the batch's changes of
// dossiers in one pipeline, when there are several, and marks them in
// written, which it allocates if nil. Returns the error of the first that
// failed.
func pipelineChanges(ctx context.Context, tx *txn, batch []*op, written []bool) ([]bool, error) {
	if tx.conn == nil {
		return written, nil
	}
	var stmts []statement
	var ops []int
	for i, o := range batch {
		if o.change != nil && (written == nil || !written[i]) {
			stmts = append(stmts, o.change.statement())
			ops = append(ops, i)
		}
	}
	if len(stmts) < 2 {
		return written, nil
	}
	if i, err := tx.pipeline(ctx, stmts); err != nil {
		return written, batch[ops[i]].change.failed(err)
	}
	if written == nil {
		written = make([]bool, len(batch))
	}
	for _, i := range ops {
		written[i] = true
	}
	return written, nil
}
