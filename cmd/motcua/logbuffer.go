package main

import (
	"io"
	"sync"
	"time"
)

// Buffering of the serving process's log.
const (
	// logFlushInterval bounds how long a record waits in a logBuffer.
	logFlushInterval = 100 * time.Millisecond
	// logBufferSize is how much a logBuffer gathers before writing at
	// once.
	logBufferSize = 64 << 10
)

// logBuffer is the serving process's log output. Records are gathered in
// memory and written at most an interval after the first of them, or as
// soon as logBufferSize bytes wait, so that a busy server writes its
// access log in a few system calls a second rather than one a request. A
// process that crashes loses at most the interval's records; Close writes
// what waits. It is safe for concurrent use.
type logBuffer struct {
	w        io.Writer
	interval time.Duration

	mu     sync.Mutex
	buf    []byte
	timer  *time.Timer // writes buf when it fires
	armed  bool        // the timer runs
	closed bool
}

// newLogBuffer returns a logBuffer writing to w at most interval after a
// record comes.
func newLogBuffer(w io.Writer, interval time.Duration) *logBuffer {
	b := &logBuffer{w: w, interval: interval}
	b.timer = time.AfterFunc(time.Hour, b.Flush)
	b.timer.Stop()
	return b
}

// Write adds p, one record, to the buffer; after Close it writes p
// through.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	switch {
	case len(b.buf) >= logBufferSize:
		b.flushLocked()
	case !b.armed:
		b.armed = true
		b.timer.Reset(b.interval)
	}
	return len(p), nil
}

// Flush writes what waits.
func (b *logBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *logBuffer) flushLocked() {
	if b.armed {
		b.timer.Stop()
		b.armed = false
	}
	if len(b.buf) == 0 {
		return
	}
	// A log that cannot be written has nowhere to report it.
	_, _ = b.w.Write(b.buf)
	if cap(b.buf) > 2*logBufferSize {
		b.buf = nil // a burst's buffer is not kept
	} else {
		b.buf = b.buf[:0]
	}
}

// Close writes what waits; later records are written as they come.
func (b *logBuffer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.closed = true
	return nil
}
