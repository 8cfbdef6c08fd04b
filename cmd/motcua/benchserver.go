package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"motcua"
	"motcua/web"
)

// benchServer serves a baseline of motcua bench on c.Addr until ctx is
// done: "bare", a fixed JSON document, or "row", one row read by primary
// key from the database through the store's own pools: a dossier's
// stored document at /dossiers/{id}, the row a look-up reads, and a unit
// as JSON at /units/{code}, a row of a small table that stays in the
// database's cache.
func benchServer(ctx context.Context, c Config, mode string, stdout io.Writer, logger *slog.Logger) error {
	var h http.Handler
	switch mode {
	case "bare":
		h = web.BaselineBare()
	case "row":
		db, err := open(ctx, c, false)
		if err != nil {
			return err
		}
		defer db.Close()
		h = web.BaselineRow(map[string]web.RowReader{
			"dossiers": func(ctx context.Context, id string) (string, error) {
				if !motcua.IsDossierID(id) {
					return "", motcua.NotFound("dossier", id)
				}
				return db.FindDossierJSON(ctx, id)
			},
			"units": func(ctx context.Context, code string) (string, error) {
				u, err := db.FindUnit(ctx, code)
				if err != nil {
					return "", err
				}
				b, err := json.Marshal(u)
				return string(b), err
			},
		}, logger)
	default:
		return fmt.Errorf("--mode must be bare or row, not %q", mode)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(stdout, "motcua bench-server (%s) serving on %s\n", mode, serverURL(ln.Addr(), false))
	return web.ServeBaseline(ctx, ln, h, logger)
}

// child is a server process started by the bench. Its standard error goes
// to a log file.
type child struct {
	name  string
	cmd   *exec.Cmd
	url   string // base URL
	pprof string // URL of its profiles, "" if none
	log   string
	out   *io.PipeWriter
}

// startChild runs exe with args and env added to the bench's environment,
// and waits until the process announces its URL.
func startChild(ctx context.Context, name, exe, logFile string, env []string, args ...string) (*child, error) {
	logf, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	pr, pw := io.Pipe()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = pw
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logFile, out: pw}

	type urls struct{ serve, pprof string }
	announced := make(chan urls, 1)
	go func() {
		var pprof string
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "pprof on "); ok {
				pprof = u
			}
			if _, u, ok := strings.Cut(line, " serving on "); ok {
				announced <- urls{u, pprof}
				break
			}
		}
		close(announced)
		io.Copy(io.Discard, pr)
	}()
	select {
	case u, ok := <-announced:
		if ok {
			c.url, c.pprof = strings.TrimSuffix(u.serve, "/"), u.pprof
			return c, nil
		}
		err = errors.New("exited before serving")
	case <-time.After(time.Minute):
		err = errors.New("not serving after a minute")
	case <-ctx.Done():
		err = ctx.Err()
	}
	c.stop()
	return nil, fmt.Errorf("%s %s: %w%s", name, strings.Join(args, " "), err, c.logTail())
}

// stop asks the process to shut down, kills it if it has not after 30
// seconds, and reports how it ended.
func (c *child) stop() error {
	if c.cmd.ProcessState != nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	if c.cmd.Process.Signal(syscall.SIGTERM) != nil {
		c.cmd.Process.Kill()
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		err = errors.Join(errors.New("killed after 30 seconds"), <-done)
	}
	c.out.Close()
	if err != nil {
		return fmt.Errorf("%s: %w%s", c.name, err, c.logTail())
	}
	return nil
}

// logTail returns the end of the process's log, to quote in an error.
func (c *child) logTail() string {
	b, _ := os.ReadFile(c.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	if b = bytes.TrimSpace(b); len(b) == 0 {
		return ""
	}
	return "\n" + string(b)
}

// benchServers are the servers of one engine's runs, all on one database.
type benchServers struct{ motcua, row, bare *child }

// startServers starts motcua serve, with its profiles on a loopback port
// when pprof is set, and the two baseline servers, logging into dir.
func startServers(ctx context.Context, exe string, bdb *benchDB, token, dir string, pprof bool) (*benchServers, error) {
	env := []string{"MOTCUA_ADMIN_TOKEN=" + token}
	pprofAddr := ""
	if pprof {
		pprofAddr = "127.0.0.1:0"
	}
	s := &benchServers{}
	var err error
	s.motcua, err = startChild(ctx, "motcua", exe, filepath.Join(dir, bdb.engine+"-motcua.log"), env,
		"serve", "--db", bdb.dsn, "--addr", "127.0.0.1:0", "--pprof="+pprofAddr)
	if err != nil {
		return nil, err
	}
	for _, mode := range []string{"row", "bare"} {
		c, err := startChild(ctx, mode, exe, filepath.Join(dir, bdb.engine+"-"+mode+".log"), env,
			"bench-server", "--mode", mode, "--db", bdb.dsn, "--addr", "127.0.0.1:0")
		if err != nil {
			s.stop()
			return nil, err
		}
		if mode == "row" {
			s.row = c
		} else {
			s.bare = c
		}
	}
	return s, nil
}

// all returns the servers that run.
func (s *benchServers) all() []*child {
	var cs []*child
	for _, c := range []*child{s.motcua, s.row, s.bare} {
		if c != nil {
			cs = append(cs, c)
		}
	}
	return cs
}

// stop stops every server.
func (s *benchServers) stop() error {
	var errs []error
	for _, c := range s.all() {
		errs = append(errs, c.stop())
	}
	return errors.Join(errs...)
}

// memory returns the resident set size of process pid and its peak, in
// bytes, from /proc/PID/status (VmRSS and VmHWM); zeros where there is no
// /proc.
func memory(pid int) (rss, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(b)) {
		key, value, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch {
		case err != nil:
		case key == "VmRSS":
			rss = kb << 10
		case key == "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak
}

// watchRSS samples the resident set size of process pid every 50 ms until
// done is closed, and returns the largest.
func watchRSS(pid int, done <-chan struct{}) int64 {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	var largest int64
	for {
		rss, _ := memory(pid)
		largest = max(largest, rss)
		select {
		case <-done:
			return largest
		case <-t.C:
		}
	}
}

// userHZ is the unit of the CPU times in /proc/PID/stat, USER_HZ, which
// Linux fixes at 100 per second for user space on every architecture Go
// runs on.
const userHZ = 100

// processCPU returns the CPU time process pid has used, in user and
// system mode over all its threads, from /proc/PID/stat; 0 where there
// is no /proc.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	return statCPU(string(b))
}

// statCPU returns the CPU time, utime plus stime, of a /proc/PID/stat
// line; 0 if it cannot be read. Fields are counted after the command's
// closing parenthesis, as the command may hold spaces and parentheses.
func statCPU(stat string) time.Duration {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	// Fields from the third on: state is [0], utime [11], stime [12].
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * time.Second / userHZ
}

// commandCPU returns the CPU time used so far by every process on this
// machine whose command name is name: for PostgreSQL, its postmaster,
// backends and background workers; 0 where there is no /proc.
func commandCPU(name string) time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // ended meanwhile
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != name {
			continue
		}
		total += statCPU(s)
	}
	return total
}

// selfCPU returns the CPU time this process, the load generator, has
// used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
