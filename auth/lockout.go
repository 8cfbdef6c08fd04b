package auth

import (
	"errors"
	"time"
)

// Lockout is the policy that slows down guessing an account's password:
// the first Free failed attempts in a row cost nothing; from the Free-th
// on, each failure makes the next attempt wait, Base after the Free-th,
// twice as long after each next one, at most Max. The delay never becomes a permanent lock, so nobody can lock a
// known account out for good by failing on purpose, and the counter of
// failures starts again once the account has been quiet for Window after
// its delay ended (or after a success).
//
// With DefaultLockout an attacker gets at most 20 guesses an hour on one
// account (TestLockoutGuessRate), within the 100 of OWASP ASVS 4 §2.2.1.
//
// The caller stores, per account, the count of failures in a row and the
// time of the last one: it refuses an attempt before Until, updates the
// count with Fail after a failed attempt and resets it to 0 after a
// successful one. Refused attempts are not failures.
type Lockout struct {
	Free   int           // failed attempts in a row made without waiting
	Base   time.Duration // delay after the first failure beyond Free
	Max    time.Duration // longest delay
	Window time.Duration // quiet time after which failures are forgotten
}

// DefaultLockout returns the policy of 5 attempts without waiting, then,
// after the 5th failure in a row and each next one, waits of 1, 2, 4, 8,
// then 15 minutes; failures are forgotten after 15 quiet minutes.
func DefaultLockout() Lockout {
	return Lockout{Free: 5, Base: time.Minute, Max: 15 * time.Minute, Window: 15 * time.Minute}
}

// Validate reports whether l is a usable policy.
func (l Lockout) Validate() error {
	switch {
	case l.Free < 0:
		return errors.New("auth: lockout: negative free failures")
	case l.Base <= 0:
		return errors.New("auth: lockout: base delay is not positive")
	case l.Max < l.Base:
		return errors.New("auth: lockout: maximum delay is shorter than the base delay")
	case l.Window <= 0:
		return errors.New("auth: lockout: window is not positive")
	}
	return nil
}

// Delay returns how long a new attempt must wait after the last of
// failures failures in a row: 0 below Free, Base at Free, then doubling
// at each failure, capped at Max.
func (l Lockout) Delay(failures int) time.Duration {
	if failures <= 0 || failures < l.Free || l.Base <= 0 {
		return 0
	}
	d := l.Base
	for i := max(l.Free, 1); i < failures && d < l.Max; i++ {
		if d > l.Max/2 {
			return l.Max
		}
		d *= 2
	}
	return min(d, l.Max)
}

// Until returns the time before which a new attempt must be refused after
// failures failed attempts in a row, the last at lastFailure; the zero
// time when an attempt is allowed at once. It is never later than
// lastFailure + Max.
func (l Lockout) Until(failures int, lastFailure time.Time) time.Time {
	d := l.Delay(failures)
	if d <= 0 {
		return time.Time{}
	}
	return lastFailure.Add(d)
}

// Fail returns the count of failures in a row to store after a failed
// attempt at now, given the stored count and time of the last failure:
// failures + 1, or 1 when the account has been quiet for Window since its
// delay ended. A successful sign-in resets the count to 0.
func (l Lockout) Fail(failures int, lastFailure, now time.Time) int {
	if failures <= 0 || !now.Before(lastFailure.Add(l.Delay(failures)+l.Window)) {
		return 1
	}
	return failures + 1
}
