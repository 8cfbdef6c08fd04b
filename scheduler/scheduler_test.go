package scheduler_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/scheduler"
)

var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

// fakeDeadline is a deadline of the fake store with what was sent of it.
type fakeDeadline struct {
	soon, due             time.Time
	soonSent, overdueSent bool
}

// fakeStore is an in-memory motcua.DeadlineService with the store's rules:
// a scan takes up to limit deadlines whose time has come and emits an
// overdue alert once the due time has come (skipping a due-soon alert not
// sent), else a due-soon alert.
type fakeStore struct {
	mu        sync.Mutex
	deadlines []*fakeDeadline
	alerts    []*motcua.Alert
	scans     []time.Time // now of each scan
	limits    []int
	// fail, when set, is called before each scan; an error it returns
	// fails the scan.
	fail func(scan int) error
	// scanned receives the result of each scan when not nil.
	scanned chan error
}

func (f *fakeStore) add(n int, soon, due time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.deadlines = append(f.deadlines, &fakeDeadline{soon: t0.Add(soon), due: t0.Add(due)})
	}
}

func (f *fakeStore) ScanDeadlines(ctx context.Context, now time.Time, limit int) (motcua.Scan, error) {
	n, err := f.scan(now, limit)
	if f.scanned != nil {
		f.scanned <- err
	}
	return motcua.Scan{Taken: n, Emitted: n}, err
}

func (f *fakeStore) scan(now time.Time, limit int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans = append(f.scans, now)
	f.limits = append(f.limits, limit)
	if f.fail != nil {
		if err := f.fail(len(f.scans)); err != nil {
			return 0, err
		}
	}
	n := 0
	for i, d := range f.deadlines {
		if n == limit {
			break
		}
		kind := ""
		switch {
		case d.overdueSent:
		case !d.due.After(now):
			d.overdueSent, kind = true, motcua.AlertOverdue
		case !d.soonSent && !d.soon.After(now):
			d.soonSent, kind = true, motcua.AlertDueSoon
		}
		if kind != "" {
			f.alerts = append(f.alerts, &motcua.Alert{ID: int64(len(f.alerts) + 1), Kind: kind, Task: i, DueAt: d.due, At: now})
			n++
		}
	}
	return n, nil
}

func (f *fakeStore) FindAlerts(ctx context.Context, af motcua.AlertFilter) ([]*motcua.Alert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*motcua.Alert(nil), f.alerts...), nil
}

func TestRunOnceBatches(t *testing.T) {
	tests := []struct {
		due, batch int
		wantScans  int
	}{
		{0, 1000, 1},
		{999, 1000, 1},
		{1000, 1000, 2},
		{2500, 1000, 3},
		{7, 3, 3},
	}
	for _, tt := range tests {
		f := &fakeStore{}
		f.add(tt.due, -time.Hour, time.Hour)
		f.add(50, time.Hour, 2*time.Hour) // not yet due
		clock := testkit.NewClock(t0)
		s := scheduler.New(f, clock, scheduler.Config{Batch: tt.batch})
		n, err := s.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != tt.due || len(f.scans) != tt.wantScans {
			t.Errorf("%d due, batch %d: emitted %d in %d scans; want %d in %d", tt.due, tt.batch, n, len(f.scans), tt.due, tt.wantScans)
		}
		for i, now := range f.scans {
			if !now.Equal(t0) || f.limits[i] != tt.batch {
				t.Errorf("scan %d at %v with limit %d; want %v and %d", i, now, f.limits[i], t0, tt.batch)
			}
		}
	}
}

func TestRunOnceFollowsTheClock(t *testing.T) {
	f := &fakeStore{}
	f.add(3, time.Hour, 2*time.Hour)
	f.add(2, 3*time.Hour, 4*time.Hour)
	clock := testkit.NewClock(t0)
	s := scheduler.New(f, clock, scheduler.Config{Batch: 2})
	for _, step := range []struct {
		at   time.Duration
		want int
	}{{0, 0}, {time.Hour, 3}, {time.Hour, 0}, {2 * time.Hour, 3}, {5 * time.Hour, 2}, {6 * time.Hour, 0}} {
		clock.Set(t0.Add(step.at))
		n, err := s.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != step.want {
			t.Errorf("pass at +%v emitted %d; want %d", step.at, n, step.want)
		}
	}
	alerts, _ := f.FindAlerts(context.Background(), motcua.AlertFilter{})
	kinds := map[string]int{}
	for _, a := range alerts {
		kinds[a.Kind]++
	}
	// The deadlines due at +4h were first seen overdue: no due-soon alert.
	if kinds[motcua.AlertDueSoon] != 3 || kinds[motcua.AlertOverdue] != 5 {
		t.Errorf("alerts by kind = %v; want 3 due soon and 5 overdue", kinds)
	}
}

func TestRunOnceDefaults(t *testing.T) {
	f := &fakeStore{}
	s := scheduler.New(f, nil, scheduler.Config{})
	if _, err := s.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(f.limits) != 1 || f.limits[0] != scheduler.DefaultBatch {
		t.Errorf("limits = %v; want [%d]", f.limits, scheduler.DefaultBatch)
	}
	if since := time.Since(f.scans[0]); since < 0 || since > time.Hour {
		t.Errorf("a nil clock scanned at %v, not the system's time", f.scans[0])
	}
}

func TestRunOnceError(t *testing.T) {
	errDown := errors.New("database down")
	f := &fakeStore{fail: func(scan int) error {
		if scan == 2 {
			return errDown
		}
		return nil
	}}
	f.add(5, -time.Hour, time.Hour)
	s := scheduler.New(f, testkit.NewClock(t0), scheduler.Config{Batch: 2})
	n, err := s.RunOnce(context.Background())
	if !errors.Is(err, errDown) {
		t.Fatalf("error = %v; want %v", err, errDown)
	}
	if n != 2 {
		t.Errorf("emitted %d before the error; want 2", n)
	}
}

// TestRunRetries checks that Run logs a failed pass and goes on, and stops
// when its context is done.
func TestRunRetries(t *testing.T) {
	f := &fakeStore{scanned: make(chan error), fail: func(scan int) error {
		if scan == 1 {
			return errors.New("database down")
		}
		return nil
	}}
	f.add(3, -time.Hour, time.Hour)
	var logs testkit.Buffer
	s := scheduler.New(f, testkit.NewClock(t0), scheduler.Config{
		Interval: time.Millisecond,
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()

	if err := <-f.scanned; err == nil {
		t.Fatal("the first scan succeeded; want the injected failure")
	}
	if err := <-f.scanned; err != nil { // the next pass
		t.Fatal(err)
	}
	// Let the passes go on until the cancellation is seen.
	go func() {
		for range f.scanned {
		}
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v; want %v", err, context.Canceled)
	}
	close(f.scanned)

	out := logs.String()
	for _, want := range []string{"deadline pass failed", "database down", "alerts emitted", "alerts=3"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	alerts, _ := f.FindAlerts(ctx, motcua.AlertFilter{})
	if len(alerts) != 3 {
		t.Errorf("%d alerts; want 3", len(alerts))
	}
}

// TestRunStops checks that Run returns when its context is done before it
// starts.
func TestRunStops(t *testing.T) {
	f := &fakeStore{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := scheduler.New(f, testkit.NewClock(t0), scheduler.Config{Interval: time.Hour})
	if err := s.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v; want %v", err, context.Canceled)
	}
}
