package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"
)

// WAL checkpoints on SQLite. Commits append pages to the write-ahead log,
// which a checkpoint copies back into the database file, syncing both.
// Left to SQLite, the connection that commits runs it, whenever the log
// passes a size, in the middle of a batch's commit: every receipt queued
// behind that batch waits for the copy. Instead, a connection of its own
// runs a passive checkpoint every walInterval — one that neither waits
// for nor blocks the writer and the readers — and the writer's own
// automatic checkpoint remains only for a log the background has let grow
// past walSafetyPages (about 64 MB).

const (
	walInterval     = 100 * time.Millisecond
	walSafetyPages  = 16384
	walCheckpointed = `PRAGMA wal_checkpoint(PASSIVE)`
)

// walCheckpointer runs background checkpoints on a connection of its own.
type walCheckpointer struct {
	conn *sql.DB
	stop chan struct{}
	wg   sync.WaitGroup
	// mu guards last, the outcome of the latest pass.
	mu   sync.Mutex
	last walPass
}

// walPass is the outcome of one checkpoint: the pages in the log and
// those copied into the database file, or the error.
type walPass struct {
	log, copied int
	err         error
}

// startWAL starts the background checkpoints of the SQLite database dsn.
func (db *DB) startWAL(dsn string) error {
	conn, err := sql.Open("sqlite", sqliteFile(strings.TrimPrefix(dsn, "sqlite:")))
	if err != nil {
		return fmt.Errorf("sqlstore: open the checkpoint connection: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetConnMaxIdleTime(0)
	conn.SetConnMaxLifetime(0)
	w := &walCheckpointer{conn: conn, stop: make(chan struct{})}
	db.wal = w
	w.wg.Go(w.loop)
	return nil
}

// loop checkpoints every walInterval until stopped. A pass that fails is
// tried again at the next tick; the writer's automatic checkpoint bounds
// the log meanwhile.
func (w *walCheckpointer) loop() {
	t := time.NewTicker(walInterval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		p := w.pass()
		w.mu.Lock()
		w.last = p
		w.mu.Unlock()
	}
}

// pass runs one passive checkpoint.
func (w *walCheckpointer) pass() walPass {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy int
	var p walPass
	if err := w.conn.QueryRowContext(ctx, walCheckpointed).Scan(&busy, &p.log, &p.copied); err != nil {
		p.err = fmt.Errorf("sqlstore: checkpoint the WAL: %w", err)
	}
	return p
}

// latest returns the outcome of the latest pass.
func (w *walCheckpointer) latest() walPass {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// close stops the checkpoints and closes their connection.
func (w *walCheckpointer) close() error {
	close(w.stop)
	w.wg.Wait()
	return w.conn.Close()
}
