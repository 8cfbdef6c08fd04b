// Package scheduler runs the timers of motcua. A Scheduler wakes up at a
// fixed interval and has the store emit the due-soon and overdue alerts
// of every deadline whose time has come, in batches, as of the time its
// clock tells.
//
// The store emits each alert once even when several motcua serve
// processes share a database and scan at the same time, so every process
// may run a Scheduler. A failed scan is logged and tried again at the next
// wake-up: deadlines missed while the database was away are caught up
// then, since a scan takes every deadline whose time has come, however
// long ago.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"motcua"
)

// Defaults of Config.
const (
	DefaultInterval = 30 * time.Second
	DefaultBatch    = 1000
)

// Config configures a Scheduler. Zero fields take their defaults.
type Config struct {
	// Interval is the time between two passes (DefaultInterval).
	Interval time.Duration
	// Batch is the number of deadlines a scan takes at most, each in a
	// transaction of its own (DefaultBatch).
	Batch int
	// Logger receives the passes that emitted alerts and the errors; nil
	// discards them.
	Logger *slog.Logger
}

// Scheduler scans the deadlines at an interval. It is safe for
// concurrent use.
type Scheduler struct {
	svc      motcua.DeadlineService
	clock    motcua.Clock
	interval time.Duration
	batch    int
	log      *slog.Logger
}

// New returns a Scheduler that scans svc as of the times clock tells. A
// nil clock is motcua.SystemClock{}.
func New(svc motcua.DeadlineService, clock motcua.Clock, cfg Config) *Scheduler {
	s := &Scheduler{svc: svc, clock: clock, interval: cfg.Interval, batch: cfg.Batch, log: cfg.Logger}
	if s.clock == nil {
		s.clock = motcua.SystemClock{}
	}
	if s.interval <= 0 {
		s.interval = DefaultInterval
	}
	if s.batch <= 0 {
		s.batch = DefaultBatch
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// RunOnce makes one pass: it scans as of the clock's time now, batch after
// batch, until a batch takes fewer due times than it asked for, and
// returns the number of alerts emitted. A batch may come back short with
// due times left when another process was scanning them; the next pass
// takes those left.
func (s *Scheduler) RunOnce(ctx context.Context) (int, error) {
	now := s.clock.Now()
	total := 0
	for {
		n, err := s.svc.ScanDeadlines(ctx, now, s.batch)
		total += n.Emitted
		if err != nil {
			return total, fmt.Errorf("scheduler: scan deadlines: %w", err)
		}
		if n.Taken < s.batch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// Run makes a pass at once and then one every Interval until ctx is done,
// and returns ctx's error. The wake-ups come from a time.Ticker, the time
// of each pass from the clock. A pass that fails is logged, never fatal:
// the next one tries again.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.pass(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// pass runs one pass and logs its outcome.
func (s *Scheduler) pass(ctx context.Context) {
	start := s.clock.Now()
	n, err := s.RunOnce(ctx)
	elapsed := s.clock.Now().Sub(start)
	switch {
	case err != nil && ctx.Err() != nil:
		// Shutting down.
	case err != nil:
		s.log.ErrorContext(ctx, "scheduler: deadline pass failed", "alerts", n, "elapsed", elapsed, "err", err)
	case n > 0:
		s.log.InfoContext(ctx, "scheduler: alerts emitted", "alerts", n, "elapsed", elapsed)
	}
}
