// Package smtptest runs a real SMTP server for tests: Debian's
// python3-aiosmtpd on loopback, which stores what it receives in a
// maildir.
package smtptest

import (
	"bytes"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// wait bounds how long the server takes to start and a message to arrive.
const wait = 15 * time.Second

// python returns a Python interpreter that has aiosmtpd, or "".
func python() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import aiosmtpd").Run() == nil {
			return path
		}
	}
	return ""
}

// Start starts an SMTP server on a free loopback port for the test's
// duration and returns its address and a function that waits for the
// next message it receives and returns it. flags are more of aiosmtpd's
// (such as --tlscert and --tlskey for STARTTLS). Without python3-aiosmtpd
// the test is skipped, or fails under CI=true.
func Start(t testing.TB, flags ...string) (addr string, next func() *mail.Message) {
	t.Helper()
	py := python()
	if py == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("smtptest: python3-aiosmtpd is required under CI=true (apt-get install python3-aiosmtpd)")
		}
		t.Skip("smtptest: python3-aiosmtpd is not installed")
	}
	dir := filepath.Join(t.TempDir(), "maildir")
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = l.Addr().String()
	l.Close()
	var out lockedBuffer
	args := append([]string{"-m", "aiosmtpd", "-n", "-l", addr}, flags...)
	cmd := exec.Command(py, append(args, "-c", "aiosmtpd.handlers.Mailbox", dir)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("smtptest: start aiosmtpd: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(wait); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("smtptest: aiosmtpd does not answer on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	seen := map[string]bool{}
	next = func() *mail.Message {
		t.Helper()
		for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			entries, err := os.ReadDir(filepath.Join(dir, "new"))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if seen[e.Name()] {
					continue
				}
				seen[e.Name()] = true
				b, err := os.ReadFile(filepath.Join(dir, "new", e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				m, err := mail.ReadMessage(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("smtptest: read message %s: %v", e.Name(), err)
				}
				return m
			}
		}
		t.Fatalf("smtptest: no message arrived within %v", wait)
		return nil
	}
	return addr, next
}

// lockedBuffer is the server's output, written by exec's goroutines and
// read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
