package auth_test

import (
	"context"
	"testing"
	"time"

	"motcua/auth"
)

// benchSession returns a fixture and the token of a signed-in session,
// authenticated once, so that it is in the cache.
func benchSession(b *testing.B, configure func(*auth.Config)) (*fixture, string) {
	b.Helper()
	f := newFixture(b, configure)
	f.addStaff(b, staffID, nil)
	in := f.mustSignIn(b)
	f.authOK(b, in.Token)
	return f, in.Token
}

// cacheOnly fails b when the store was read since before, the count of
// reads when the cache was warm.
func cacheOnly(b *testing.B, f *fixture, before int) {
	b.Helper()
	if _, after := f.store.counts(); after != before {
		b.Fatalf("%d store reads with a warm cache", after-before)
	}
}

// BenchmarkAuthenticate measures a request's session check answered from
// the cache, as nearly all are: the target is under 50 µs.
func BenchmarkAuthenticate(b *testing.B) {
	f, token := benchSession(b, nil)
	_, before := f.store.counts()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := f.svc.Authenticate(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
	cacheOnly(b, f, before)
}

// BenchmarkAuthenticateParallel is BenchmarkAuthenticate from every CPU
// at once, sharing the cache's lock.
func BenchmarkAuthenticateParallel(b *testing.B) {
	f, token := benchSession(b, nil)
	_, before := f.store.counts()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, _, err := f.svc.Authenticate(ctx, token); err != nil {
				b.Error(err)
				return
			}
		}
	})
	cacheOnly(b, f, before)
}

// BenchmarkAuthenticateCold measures a check that reaches the store every
// time (a cache TTL of 1 ns on a clock that moves 1 µs a check): the
// session, then the staff member, from the in-memory fake, so the figure
// is the service's own cost without a database's.
func BenchmarkAuthenticateCold(b *testing.B) {
	f, token := benchSession(b, func(c *auth.Config) { c.CacheTTL = time.Nanosecond })
	_, before := f.store.counts()
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		f.clock.Advance(time.Microsecond)
		if _, _, err := f.svc.Authenticate(ctx, token); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if _, after := f.store.counts(); after-before != n {
		b.Fatalf("%d store reads for %d checks", after-before, n)
	}
}
