package web

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"motcua"
)

// maxBuckets is the number of buckets past which idle ones are dropped.
const maxBuckets = 10_000

// rateLimiter limits the requests of each API client with a token bucket
// in memory: a client whose limit is n requests a minute may make a
// burst of n, and earns requests back continuously, n a minute. The
// buckets belong to the serving process: behind a load balancer that
// spreads a client over k processes, it may make up to k×n requests a
// minute.
type rateLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket // by client ID
}

// bucket is the requests a client may still make, as of at.
type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter() *rateLimiter {
	return &rateLimiter{buckets: map[string]*bucket{}}
}

// take spends one request of the client id, whose limit is perMinute, at
// now. It returns 0 when the request may go ahead, else how long until
// it could.
func (l *rateLimiter) take(id string, perMinute int, now time.Time) time.Duration {
	capacity := float64(perMinute)
	rate := capacity / 60 // requests earned per second
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[id]
	switch {
	case !ok:
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: capacity, at: now}
		l.buckets[id] = b
	case now.After(b.at):
		b.tokens += now.Sub(b.at).Seconds() * rate
		b.at = now
	}
	// The limit may have been lowered since the bucket filled.
	b.tokens = min(b.tokens, capacity)
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return max(time.Nanosecond, time.Duration((1-b.tokens)/rate*float64(time.Second)))
}

// prune drops the buckets idle for a minute or more: they are full, as a
// new bucket is.
func (l *rateLimiter) prune(now time.Time) {
	for id, b := range l.buckets {
		if now.Sub(b.at) >= time.Minute {
			delete(l.buckets, id)
		}
	}
}

// limit spends one request of the client c at now, and returns ETOOMANY
// ("rate_limited", with the seconds to wait in Params["retry_after"])
// when its limit is reached.
func (l *rateLimiter) limit(c *motcua.APIClient, now time.Time) error {
	wait := l.take(c.ID, c.Limit(), now)
	if wait == 0 {
		return nil
	}
	after := strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
	return &motcua.Error{Code: motcua.ETOOMANY, Reason: "rate_limited",
		Message: fmt.Sprintf("This API client may make %d requests a minute; try again in %s seconds.", c.Limit(), after),
		Params:  map[string]string{"retry_after": after, "per_minute": strconv.Itoa(c.Limit())}}
}
