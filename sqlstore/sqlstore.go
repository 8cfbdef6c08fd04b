// Package sqlstore implements the motcua services over database/sql, on
// SQLite (modernc.org/sqlite) and PostgreSQL (pgx).
//
// A DB is opened from a DSN, "sqlite:PATH" or "postgres://…". Queries are
// written once with ? placeholders; dialect.go holds every difference
// between the engines. The schema is created by embedded, forward-only
// migrations, one folder per engine with the same file names.
//
// Each exported method runs in one transaction and calls unexported
// helpers that take it; look-ups whose statements need no common snapshot
// run without one. Receipts and actions share transactions with
// concurrent ones (group commit, commit.go). Errors that say the database
// cannot be reached now are EUNAVAILABLE motcua.Errors with the reason
// "database_unavailable". A DB is safe for concurrent use, and several
// processes may share one PostgreSQL database: dossier codes, chains and
// checkpoints rely on row locks and unique constraints, never on being
// alone, and the legal calendar each DB builds from the officials' days
// and units' weeks is rebuilt whenever the calendar revision stored with
// them has changed.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"motcua"
)

// Options configures a DB.
type Options struct {
	// Clock tells the time of receipts, events and lookups. Nil means
	// motcua.SystemClock{}.
	Clock motcua.Clock
	// Migrate applies pending migrations in Open. Without it, Open refuses
	// a database whose schema is out of date.
	Migrate bool
}

// DB is a motcua store on SQLite or PostgreSQL. It implements
// motcua.Store.
type DB struct {
	d       *dialect
	write   *sql.DB // SQLite: one connection, so one writer at a time
	read    *sql.DB // SQLite: a pool of query_only connections
	clock   motcua.Clock
	loc     *time.Location
	rebound sync.Map // query with ? placeholders → query for the engine
	// cal is the legal calendar of the latest calendar revision built;
	// calMu serializes rebuilds.
	cal   atomic.Pointer[calendarState]
	calMu sync.Mutex
	// procedures holds the procedure versions read for dossiers
	// (procedureKey → *motcua.Procedure).
	procedures sync.Map
	// prepared holds, per pool, the hot queries prepared on SQLite.
	prepared map[*sql.DB]map[string]*sql.Stmt
	// commit batches write operations (group commit).
	commit *committers
	// flows holds the directory and the processes read.
	flows flowState
	// recent keeps the dossiers this process changed last, decoded.
	recent snapshots
	// codeToken stands for the codes of receipts prepared out of the
	// committers; receipts orders their codes by their times.
	codeToken string
	receipts  receiptOrder
	// wal runs SQLite's checkpoints in the background, or is nil.
	wal *walCheckpointer
}

var _ motcua.Store = (*DB)(nil)

// Open opens the database named by dsn: "sqlite:PATH" (a file, created
// with its directory if missing) or "postgres://…" ("postgresql://…").
// Unless opts.Migrate is set, it returns an error wrapping
// ErrSchemaOutOfDate when migrations are pending, as they are on a new
// database.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	d, write, read, err := openPools(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{d: d, write: write, read: read, clock: opts.Clock, loc: motcua.Location(), codeToken: newCodeToken()}
	if db.clock == nil {
		db.clock = motcua.SystemClock{}
	}
	if opts.Migrate {
		_, err = db.Migrate(ctx)
	} else {
		err = db.checkSchema(ctx)
	}
	if err == nil && d.engine == EngineSQLite {
		err = db.prepare(ctx)
	}
	if err == nil && d.engine == EngineSQLite {
		err = db.startWAL(dsn)
	}
	db.startCommitters(d.committers)
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// hotQueries are the queries of frequent requests. SQLite spends as long
// parsing them as running them, so each is prepared once per connection;
// pgx prepares and caches every query by itself.
func hotQueries() []string {
	return []string{
		findUnitQuery, findAgencyQuery, findProcedureQuery, findProcedureVersionQuery, procedureAgenciesQuery, receiptQuery,
		findDossierByIDQuery, findDossierByCodeQuery, findDocByIDQuery, findDocByCodeQuery, findEventsQuery, findIdempotencyQuery,
		nextCodeQuery, insertDossierQuery, updateDossierQuery, insertEventQuery, insertIdempotencyQuery,
		calendarRevisionQuery, deleteDeadlineQuery, upsertDeadlineQuery, insertDeadlineQuery, queueQuery, unqueueQuery,
		sessionByHashQuery, touchSessionQuery, staffByLoginQuery, findCitizenQuery,
	}
}

// prepare prepares the hot queries on both pools. It must run before any
// transaction holds the single writer connection.
func (db *DB) prepare(ctx context.Context) error {
	db.prepared = map[*sql.DB]map[string]*sql.Stmt{}
	for _, pool := range []*sql.DB{db.write, db.read} {
		stmts := map[string]*sql.Stmt{}
		db.prepared[pool] = stmts
		for _, q := range hotQueries() {
			s, err := pool.PrepareContext(ctx, q)
			if err != nil {
				return fmt.Errorf("sqlstore: prepare %q: %w", q, err)
			}
			stmts[q] = s
		}
	}
	return nil
}

// Close closes the database once the batches under way have committed.
func (db *DB) Close() error {
	db.stopCommitters()
	var err error
	if db.wal != nil {
		err = db.wal.close()
	}
	for _, stmts := range db.prepared {
		for _, s := range stmts {
			s.Close()
		}
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping reports whether the database answers, for readiness checks.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer markUnavailable(&err)
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return nil
}

// Engine returns EngineSQLite or EnginePostgres.
func (db *DB) Engine() string { return db.d.engine }

// EngineVersion returns the version of the database engine.
func (db *DB) EngineVersion(ctx context.Context) (version string, err error) {
	defer markUnavailable(&err)
	var v string
	if err := db.read.QueryRowContext(ctx, db.d.version).Scan(&v); err != nil {
		return "", fmt.Errorf("sqlstore: engine version: %w", err)
	}
	return v, nil
}

// now returns the clock's time in UTC at microsecond precision, the
// precision both engines store.
func (db *DB) now() time.Time {
	return db.clock.Now().UTC().Truncate(time.Microsecond)
}

// query returns q with the engine's placeholders, rewriting each distinct
// query once.
func (db *DB) query(q string) string {
	if db.d.engine == EngineSQLite {
		return q
	}
	if r, ok := db.rebound.Load(q); ok {
		return r.(string)
	}
	r := db.d.rebind(q)
	db.rebound.Store(q, r)
	return r
}

// txn is a transaction stamped with one time, taken from the DB's clock
// when it began. Its methods take queries with ? placeholders and time
// arguments of any engine. A txn without Tx runs each statement on the
// read pool, in a snapshot of its own.
type txn struct {
	*sql.Tx
	// conn is the connection of a batch's transaction on PostgreSQL, for
	// pipelines; nil otherwise.
	conn     *sql.Conn
	db       *DB
	now      time.Time
	prepared map[string]*sql.Stmt
	// cal is the legal calendar the transaction uses, once it has needed
	// one.
	cal *calendarState
	// codes are dossier numbers reserved for the transaction's receipts,
	// or nil.
	codes *reservedCodes
	// revision is the calendar revision read in the transaction, once
	// hasRevision.
	revision    int64
	hasRevision bool
}

// beginWrite starts a transaction that may write. On SQLite it holds the
// database's write lock from the start.
func (db *DB) beginWrite(ctx context.Context) (*txn, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: begin: %w", err)
	}
	return &txn{Tx: tx, db: db, now: db.now(), prepared: db.prepared[db.write]}, nil
}

// beginBatch starts the transaction of a batch: beginWrite's, on a
// connection of its own on PostgreSQL, which end must give back.
func (db *DB) beginBatch(ctx context.Context) (*txn, error) {
	if db.d.engine != EnginePostgres {
		return db.beginWrite(ctx)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: begin: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlstore: begin: %w", err)
	}
	return &txn{Tx: tx, conn: conn, db: db, now: db.now(), prepared: db.prepared[db.write]}, nil
}

// end rolls tx back unless it has committed, and gives back its
// connection.
func (tx *txn) end() {
	tx.Rollback()
	if tx.conn != nil {
		tx.conn.Close()
	}
}

// statement is a statement with its arguments, ? placeholders.
type statement struct {
	q    string
	args []any
}

// pipeline runs the statements of a batch's transaction on PostgreSQL in
// one round trip (a pgx pipeline), prepared once per connection as
// statements run one by one are, and returns the index and the error of
// the first that fails, which aborts the transaction.
func (tx *txn) pipeline(ctx context.Context, stmts []statement) (int, error) {
	failed := -1
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("sqlstore: pipeline on a %T", dc)
		}
		b := &pgx.Batch{}
		for _, s := range stmts {
			b.Queue(tx.db.query(s.q), tx.args(s.args)...)
		}
		res := c.Conn().SendBatch(ctx, b)
		var first error
		for i := range stmts {
			if _, err := res.Exec(); err != nil && first == nil {
				failed, first = i, err
			}
		}
		if err := res.Close(); err != nil && first == nil {
			first = err
		}
		return first
	})
	if err != nil && failed < 0 {
		failed = 0
	}
	return failed, err
}

// beginRead starts a read-only transaction that sees one snapshot.
func (db *DB) beginRead(ctx context.Context) (*txn, error) {
	tx, err := db.read.BeginTx(ctx, db.d.readTx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: begin: %w", err)
	}
	return &txn{Tx: tx, db: db, now: db.now(), prepared: db.prepared[db.read]}, nil
}

// snapshots returns a txn without a transaction, for reads whose
// statements need no common snapshot.
func (db *DB) snapshots() *txn {
	return &txn{db: db, now: db.now(), prepared: db.prepared[db.read]}
}

// args converts args in place to the engine's forms.
func (tx *txn) args(args []any) []any {
	for i, a := range args {
		args[i] = tx.db.d.arg(a)
	}
	return args
}

// querier runs statements: a transaction or a pool.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// on returns what runs tx's statements, and the prepared statement of q if
// there is one.
func (tx *txn) on(ctx context.Context, q string) (querier, *sql.Stmt) {
	s := tx.prepared[q]
	if tx.Tx == nil {
		return tx.db.read, s
	}
	if s != nil {
		s = tx.StmtContext(ctx, s)
	}
	return tx.Tx, s
}

func (tx *txn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	db, s := tx.on(ctx, q)
	if s != nil {
		return s.ExecContext(ctx, tx.args(args)...)
	}
	return db.ExecContext(ctx, tx.db.query(q), tx.args(args)...)
}

func (tx *txn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	db, s := tx.on(ctx, q)
	if s != nil {
		return s.QueryContext(ctx, tx.args(args)...)
	}
	return db.QueryContext(ctx, tx.db.query(q), tx.args(args)...)
}

func (tx *txn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	db, s := tx.on(ctx, q)
	if s != nil {
		return s.QueryRowContext(ctx, tx.args(args)...)
	}
	return db.QueryRowContext(ctx, tx.db.query(q), tx.args(args)...)
}

// keyRow is queryRow for q, a statement that reads at most one row by a
// unique key. Where the engine's key reads are quick (SQLite), it runs
// without watching ctx: a watched context costs a goroutine in
// database/sql and another in the driver for every statement, more than
// the read itself. A context already done still stops it.
func (tx *txn) keyRow(ctx context.Context, q string, args ...any) *sql.Row {
	if tx.db.d.quickKeyReads && ctx.Err() == nil {
		ctx = context.WithoutCancel(ctx)
	}
	return tx.queryRow(ctx, q, args...)
}

// prepare prepares q for repeated use inside the transaction.
func (tx *txn) prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	return tx.PrepareContext(ctx, tx.db.query(q))
}

// exists reports whether q, a SELECT, returns a row.
func (tx *txn) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := tx.queryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// timeDest scans a time stored by either engine (TEXT or timestamptz)
// into T; a NULL leaves it nil.
type timeDest struct{ t **time.Time }

func (d timeDest) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*d.t = nil
		return nil
	case time.Time:
		t := v.UTC()
		*d.t = &t
		return nil
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	}
	return fmt.Errorf("sqlstore: cannot scan %T as a time", v)
}

func (d timeDest) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("sqlstore: stored time %q: %w", s, err)
	}
	t = t.UTC()
	*d.t = &t
	return nil
}

// scanTime scans a NOT NULL time column into t.
type scanTime struct{ t *time.Time }

func (d scanTime) Scan(v any) error {
	var p *time.Time
	if err := (timeDest{&p}).Scan(v); err != nil {
		return err
	}
	if p == nil {
		return errors.New("sqlstore: NULL time")
	}
	*d.t = *p
	return nil
}

// nullTime scans a nullable time column into *t.
func nullTime(t **time.Time) sql.Scanner { return timeDest{t} }

// unavailableError is an error of a database that cannot be reached now:
// callers see the motcua.Error, logs the cause.
type unavailableError struct {
	e     *motcua.Error
	cause error
}

func (e *unavailableError) Error() string {
	return "sqlstore: database unavailable: " + e.cause.Error()
}

func (e *unavailableError) Unwrap() []error { return []error{e.e, e.cause} }

// markUnavailable replaces *err, when it says that the database cannot be
// reached now, with an EUNAVAILABLE error (reason "database_unavailable")
// that wraps it. Exported methods defer it.
func markUnavailable(err *error) {
	var e *motcua.Error
	if *err == nil || errors.As(*err, &e) || !isUnavailable(*err) {
		return
	}
	*err = &unavailableError{
		e: &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "database_unavailable",
			Message: "The database is temporarily unavailable; please try again."},
		cause: *err,
	}
}
