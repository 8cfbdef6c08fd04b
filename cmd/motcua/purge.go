package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"motcua"
)

// Timing of serve's retention purge: a minute after start, then daily.
const (
	purgeFirst = time.Minute
	purgeEvery = 24 * time.Hour
)

// purge applies the configured retention as of now (or, with dryRun,
// counts what it would change) and prints the report.
func purge(ctx context.Context, c Config, now time.Time, dryRun bool, stdout io.Writer) error {
	db, err := open(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	do := db.Purge
	if dryRun {
		do = db.PreviewPurge
	}
	rep, err := do(ctx, now, c.Retention)
	if err != nil {
		return err
	}
	printPurge(stdout, rep, c.Retention)
	return nil
}

// printPurge prints a purge's report for the terminal.
func printPurge(w io.Writer, rep motcua.PurgeReport, r motcua.Retention) {
	verb := "deleted"
	if rep.DryRun {
		verb = "to delete"
		fmt.Fprintln(w, "dry run: nothing was changed")
	}
	fmt.Fprintf(w, "retention %s, as of %s\n", r, rep.At.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "sessions %s: %d\n", verb, rep.Sessions)
	fmt.Fprintf(w, "idempotency keys %s: %d\n", verb, rep.IdempotencyKeys)
	fmt.Fprintf(w, "alerts %s: %d\n", verb, rep.Alerts)
	if rep.DryRun {
		fmt.Fprintf(w, "citizens to anonymise: %d\n", rep.Citizens)
	} else {
		fmt.Fprintf(w, "citizens anonymised: %d\n", rep.Citizens)
	}
}

// purgeLoop applies the retention r first after first, then every
// every, until ctx is done, and logs each report.
func purgeLoop(ctx context.Context, store motcua.RetentionService, r motcua.Retention, first, every time.Duration, logger *slog.Logger) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rep, err := store.Purge(ctx, time.Now(), r)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			logger.Warn("retention purge", "error", err, "sessions", rep.Sessions, "idempotency_keys", rep.IdempotencyKeys,
				"alerts", rep.Alerts, "citizens", rep.Citizens)
		default:
			logger.Info("retention purge", "sessions", rep.Sessions, "idempotency_keys", rep.IdempotencyKeys,
				"alerts", rep.Alerts, "citizens", rep.Citizens)
		}
		t.Reset(every)
	}
}
