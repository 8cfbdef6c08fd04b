package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"motcua"
)

// Engine names returned by DB.Engine.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// dialect holds every difference between the engines. Queries are written
// once with ? placeholders in the SQL both engines accept.
type dialect struct {
	engine string
	// forUpdate is appended to a SELECT that reads a row about to be
	// changed. SQLite needs none: a write transaction holds the database's
	// only write lock from its start (BEGIN IMMEDIATE).
	forUpdate string
	// readTx are the options of read transactions: on PostgreSQL a snapshot
	// for the whole transaction, as SQLite's WAL gives.
	readTx *sql.TxOptions
	// tableExists asks whether a table is in the schema the connection
	// uses.
	tableExists string
	// version asks for the engine's version.
	version string
	// roundTrips tells whether each statement is a round trip to a
	// server, which makes one statement returning more rows cheaper than
	// two.
	roundTrips bool
	// insertWith tells whether an INSERT may be a WITH query of a
	// statement, which saves round trips.
	insertWith bool
	// committers is the number of committers running batches of write
	// operations (group commit).
	committers int
	// concurrentWriters tells whether write transactions run concurrently,
	// and may then wait for each other's row locks.
	concurrentWriters bool
	// quickKeyReads tells whether a read of one row by a unique key is
	// over too quickly to be worth interrupting when its context ends.
	quickKeyReads bool
}

var (
	sqliteDialect = &dialect{
		engine:      EngineSQLite,
		readTx:      &sql.TxOptions{ReadOnly: true},
		tableExists: `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?`,
		version:     `SELECT sqlite_version()`,
		committers:  1,
		// A key read from a local file takes microseconds, and in WAL mode
		// never waits for a writer.
		quickKeyReads: true,
	}
	postgresDialect = &dialect{
		engine:      EnginePostgres,
		forUpdate:   " FOR UPDATE",
		readTx:      &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
		tableExists: `SELECT to_regclass(?) IS NOT NULL`,
		version:     `SHOW server_version`,
		roundTrips:  true,
		insertWith:  true,
		// On 2 cores, 2 committers beat 1 and 4 for receipts and for
		// actions, which batch since their statements go in a pipeline
		// (BenchmarkProcessAPI, motcua bench); PostgreSQL's own grouping
		// of concurrent commit flushes adds to that of the batches.
		committers:        2,
		concurrentWriters: true,
	}
)

// openPools opens the pools for dsn: a single-connection writer and a read
// pool for SQLite, one pool serving both for PostgreSQL.
func openPools(ctx context.Context, dsn string) (d *dialect, write, read *sql.DB, err error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, nil, nil, fmt.Errorf("sqlstore: %q names no file", dsn)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, nil, nil, fmt.Errorf("sqlstore: create database directory: %w", err)
		}
		file := sqliteFile(path)
		// The writer copies the WAL back into the database itself only
		// when the background checkpoints have fallen far behind (wal.go).
		if write, err = sql.Open("sqlite", file+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)&_txlock=immediate", walSafetyPages)); err != nil {
			return nil, nil, nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
		}
		write.SetMaxOpenConns(1)
		write.SetConnMaxLifetime(0)
		write.SetConnMaxIdleTime(0)
		if err := write.PingContext(ctx); err != nil {
			write.Close()
			return nil, nil, nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
		}
		if read, err = sql.Open("sqlite", file+"&_pragma=query_only(1)"); err != nil {
			write.Close()
			return nil, nil, nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
		}
		n := max(4, runtime.GOMAXPROCS(0))
		read.SetMaxOpenConns(n)
		read.SetMaxIdleConns(n)
		read.SetConnMaxIdleTime(5 * time.Minute)
		return sqliteDialect, write, read, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("sqlstore: open postgres: %w", err)
		}
		n := max(8, 4*runtime.GOMAXPROCS(0))
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return postgresDialect, db, db, nil
	}
	return nil, nil, nil, fmt.Errorf("sqlstore: unsupported database %q: use sqlite:PATH or postgres://…", redact(dsn))
}

// sqliteFile returns the URI of the SQLite database file at path with the
// pragmas of every connection: busy_timeout first, so that the pragmas
// after it wait for other processes' locks; synchronous=FULL, which syncs
// the WAL at each commit, so that an acknowledged write survives a power
// loss; temp_store=MEMORY, so that the journal of a statement that writes
// several rows (to undo it alone if it fails) is not a file written with
// a system call per page.
func sqliteFile(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)"
}

// redact hides the password of a URL-shaped DSN.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// rebind rewrites the ? placeholders of q as $1, $2 … for PostgreSQL.
// Question marks inside quoted strings and identifiers are left alone.
func (d *dialect) rebind(q string) string {
	if d.engine != EnginePostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// arg converts a query argument to the form the engine stores: SQLite
// keeps times as TEXT in motcua.FormatTime's layout, PostgreSQL as
// timestamptz. Nil time pointers become NULL.
func (d *dialect) arg(v any) any {
	switch v := v.(type) {
	case time.Time:
		if d.engine == EngineSQLite {
			return motcua.FormatTime(v)
		}
		return v.UTC().Truncate(time.Microsecond)
	case *time.Time:
		if v == nil {
			return nil
		}
		return d.arg(*v)
	}
	return v
}

// isUniqueViolation reports whether err is the violation of a unique or
// primary key constraint, judged by the engine's error code.
func (d *dialect) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isUnavailable reports whether err says that the database cannot be
// reached now: no connection could be made, one broke, the server is
// shutting down or starting up, or a deadline passed while waiting for
// it. database/sql replaces broken connections by itself, so a later
// attempt may succeed.
func isUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		}
		return strings.HasPrefix(pe.Code, "08") // connection_exception
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Advisory lock keys of PostgreSQL, shared by every process on the
// database.
const (
	lockMigrations  int64 = 0x6d6f74637561_01
	lockCheckpoints int64 = 0x6d6f74637561_02
)

// lock serializes the transaction with every other one taking the same
// key, across processes. On SQLite, write transactions are serialized
// already.
func (d *dialect) lock(ctx context.Context, tx *txn, key int64) error {
	if d.engine != EnginePostgres {
		return nil
	}
	if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, key); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	return nil
}

// committedEventID returns an event ID such that every event with a lower
// or equal ID is committed and any event committed later gets a higher ID.
//
// PostgreSQL hands out IDs in insertion order but transactions commit in
// any order, so the largest visible ID may hide a smaller one still in
// flight. Locking the table in EXCLUSIVE mode waits for every transaction
// that has inserted an event (each holds ROW EXCLUSIVE from before it got
// its ID until it ends) and is released at once. SQLite commits one writer
// at a time, in ID order.
func (d *dialect) committedEventID(ctx context.Context, db *DB) (int64, error) {
	begin := db.beginRead
	if d.engine == EnginePostgres {
		begin = db.beginWrite
	}
	tx, err := begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if d.engine == EnginePostgres {
		if _, err := tx.exec(ctx, `LOCK TABLE dossier_events IN EXCLUSIVE MODE`); err != nil {
			return 0, fmt.Errorf("lock events: %w", err)
		}
	}
	var id int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM dossier_events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last event: %w", err)
	}
	return id, tx.Commit()
}
