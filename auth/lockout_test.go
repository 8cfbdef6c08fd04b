package auth

import (
	"testing"
	"time"
)

func TestLockoutUntil(t *testing.T) {
	l := DefaultLockout()
	last := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		failures int
		wait     time.Duration // 0: allowed at once
	}{
		{-1, 0}, {0, 0}, {1, 0}, {4, 0},
		{5, time.Minute}, {6, 2 * time.Minute}, {7, 4 * time.Minute}, {8, 8 * time.Minute},
		{9, 15 * time.Minute}, {10, 15 * time.Minute}, {1000, 15 * time.Minute}, {1 << 62, 15 * time.Minute},
	} {
		want := time.Time{}
		if tc.wait > 0 {
			want = last.Add(tc.wait)
		}
		if got := l.Until(tc.failures, last); !got.Equal(want) {
			t.Errorf("Until(%d) = %v, want %v", tc.failures, got, want)
		}
	}
}

func TestLockoutDelay(t *testing.T) {
	for _, tc := range []struct {
		name     string
		l        Lockout
		failures int
		want     time.Duration
	}{
		{"no free failure", Lockout{Free: 0, Base: time.Second, Max: time.Hour, Window: time.Hour}, 1, time.Second},
		{"no free failure, third", Lockout{Free: 0, Base: time.Second, Max: time.Hour, Window: time.Hour}, 3, 4 * time.Second},
		{"max not a power of two", Lockout{Free: 1, Base: 3 * time.Second, Max: 10 * time.Second, Window: time.Hour}, 3, 10 * time.Second},
		{"huge base", Lockout{Free: 1, Base: 1 << 62, Max: 1<<63 - 1, Window: time.Hour}, 100, 1<<63 - 1},
		{"no base", Lockout{Free: 1, Max: time.Hour, Window: time.Hour}, 10, 0},
	} {
		if got := tc.l.Delay(tc.failures); got != tc.want {
			t.Errorf("%s: Delay(%d) = %v, want %v", tc.name, tc.failures, got, tc.want)
		}
	}
}

func TestLockoutFail(t *testing.T) {
	l := DefaultLockout()
	last := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		failures int
		after    time.Duration
		want     int
	}{
		{"first", 0, 0, 1},
		{"soon after", 3, time.Minute, 4},
		{"just within the window", 3, 15*time.Minute - time.Second, 4},
		{"quiet for the window", 3, 15 * time.Minute, 1},
		{"delayed, within delay and window", 7, 4*time.Minute + 15*time.Minute - time.Second, 8},
		{"delayed, quiet after the delay", 7, 4*time.Minute + 15*time.Minute, 1},
		{"at the maximum", 20, 29 * time.Minute, 21},
		{"at the maximum, quiet", 20, 30 * time.Minute, 1},
	} {
		if got := l.Fail(tc.failures, last, last.Add(tc.after)); got != tc.want {
			t.Errorf("%s: Fail(%d, +%v) = %d, want %d", tc.name, tc.failures, tc.after, got, tc.want)
		}
	}
}

func TestLockoutValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Lockout
		ok   bool
	}{
		{"default", DefaultLockout(), true},
		{"negative free", Lockout{Free: -1, Base: time.Minute, Max: time.Minute, Window: time.Minute}, false},
		{"no base", Lockout{Free: 5, Max: time.Minute, Window: time.Minute}, false},
		{"max below base", Lockout{Free: 5, Base: time.Minute, Max: time.Second, Window: time.Minute}, false},
		{"no window", Lockout{Free: 5, Base: time.Minute, Max: time.Minute}, false},
	} {
		if err := tc.l.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// TestLockoutGuessRate plays an attacker who, on one account, guesses as
// soon as allowed and lets the account rest for the window after k
// guesses, for every k, and checks the default policy against the 100
// guesses an hour of OWASP ASVS 4 §2.2.1. It also checks that nobody
// waits longer than Max.
func TestLockoutGuessRate(t *testing.T) {
	l := DefaultLockout()
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	worst, worstK := 0, 0
	for k := 1; k <= 40; k++ {
		now, failures, last, guesses, run := start, 0, time.Time{}, 0, 0
		for now.Before(start.Add(day)) {
			if until := l.Until(failures, last); now.Before(until) {
				if until.Sub(last) > l.Max {
					t.Fatalf("a wait of %v after %d failures", until.Sub(last), failures)
				}
				now = until
				continue
			}
			failures, last = l.Fail(failures, last, now), now
			guesses++
			run++
			if run == k {
				run = 0
				now = now.Add(l.Delay(failures) + l.Window)
			}
		}
		if guesses > worst {
			worst, worstK = guesses, k
		}
	}
	perHour := float64(worst) / 24
	t.Logf("at most %d guesses a day (%.1f an hour), resting after %d guesses", worst, perHour, worstK)
	if perHour > 100 {
		t.Errorf("%.1f guesses an hour on one account, more than 100", perHour)
	}
}
