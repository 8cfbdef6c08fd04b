package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for concurrent use that counts its
// writes.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) state() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

func TestLogBuffer(t *testing.T) {
	t.Run("interval", func(t *testing.T) {
		var out lockedBuffer
		b := newLogBuffer(&out, 50*time.Millisecond)
		defer b.Close()
		for _, rec := range []string{"a=1\n", "b=2\n", "c=3\n"} {
			if n, err := b.Write([]byte(rec)); n != len(rec) || err != nil {
				t.Fatalf("Write(%q) = %d, %v", rec, n, err)
			}
		}
		if got, _ := out.state(); got != "" {
			t.Fatalf("written before the interval: %q", got)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, writes := out.state()
			if got == "a=1\nb=2\nc=3\n" {
				if writes != 1 {
					t.Errorf("%d writes, want the three records in one", writes)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after the interval: %q", got)
			}
			time.Sleep(10 * time.Millisecond)
		}
		// A later record starts a new interval.
		b.Write([]byte("d=4\n"))
		b.Flush()
		if got, writes := out.state(); !strings.HasSuffix(got, "c=3\nd=4\n") || writes != 2 {
			t.Errorf("after Flush: %q in %d writes", got, writes)
		}
	})
	t.Run("full", func(t *testing.T) {
		var out lockedBuffer
		b := newLogBuffer(&out, time.Hour)
		rec := strings.Repeat("x", 1000) + "\n"
		for range logBufferSize/len(rec) + 1 {
			b.Write([]byte(rec))
		}
		if got, writes := out.state(); writes != 1 || len(got) < logBufferSize {
			t.Errorf("a full buffer: %d bytes in %d writes, want one write of %d or more", len(got), writes, logBufferSize)
		}
		b.Close()
	})
	t.Run("close", func(t *testing.T) {
		var out lockedBuffer
		b := newLogBuffer(&out, time.Hour)
		b.Write([]byte("last=1\n"))
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if got, _ := out.state(); got != "last=1\n" {
			t.Errorf("after Close: %q", got)
		}
		b.Write([]byte("after=1\n"))
		if got, _ := out.state(); got != "last=1\nafter=1\n" {
			t.Errorf("a record after Close: %q, want it written through", got)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		var out lockedBuffer
		b := newLogBuffer(&out, time.Millisecond)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 500 {
					b.Write([]byte(strings.Repeat(string(rune('a'+g)), 1+i%50) + "\n"))
				}
			})
		}
		wg.Wait()
		b.Close()
		got, _ := out.state()
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) != 8*500 {
			t.Fatalf("%d records, want %d", len(lines), 8*500)
		}
		for _, l := range lines {
			if strings.Trim(l, l[:1]) != "" {
				t.Fatalf("a record mixed with another: %q", l)
			}
		}
	})
}
