package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/seed"
)

// TestBench runs the bench end to end on SQLite with tiny settings and
// checks that every case ran without error, and what it wrote.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs servers")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	md := filepath.Join(dir, "BENCHMARKS.md")
	os.WriteFile(md, []byte("# Benchmarks\n\n"+sectionBegin+"\nold results\n"+sectionEnd+"\n\n## Calendar\n"), 0o644)
	jsonFile := filepath.Join(dir, "bench.json")
	cmd := exec.Command(bin, "bench", "--engines", "sqlite", "--dossiers", "200", "--duration", "300ms", "--rounds", "2", "--clients", "1,4",
		"--out", md, "--json", jsonFile, "--profile", filepath.Join(dir, "profiles"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("motcua bench: %v\n%s%s", err, out, stderr.String())
	}
	t.Logf("motcua bench:\n%s", out)

	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var rep benchReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Engines) != 1 || rep.CPUs != runtime.NumCPU() || rep.Go == "" {
		t.Fatalf("report %s", b)
	}
	e := rep.Engines[0]
	if e.Engine != "sqlite" || e.Version == "" || e.Dossiers != 200 || len(e.Targets) != 4 || len(e.Profiles) != 4 {
		t.Errorf("engine %s %q, %d dossiers, %d targets, profiles %q", e.Engine, e.Version, e.Dossiers, len(e.Targets), e.Profiles)
	}
	for _, name := range []string{"bare", "unit", "row", "lookup", "submit"} {
		for _, clients := range []int{1, 4} {
			c := e.find(name, clients)
			switch {
			case c == nil:
				t.Errorf("%s with %d clients did not run", name, clients)
			case c.Throughput <= 0 || c.Errors != 0 || c.P50ms <= 0 || c.P99ms < c.P50ms:
				t.Errorf("%s with %d clients: %.0f req/s, %d errors (%s), p50 %.2f ms, p99 %.2f ms",
					name, clients, c.Throughput, c.Errors, c.FirstError, c.P50ms, c.P99ms)
			case name != "bare" && c.VsBare <= 0, name == "row" && c.VsUnit <= 0,
				(name == "lookup" || name == "submit") && (c.VsRow <= 0 || c.VsUnit <= 0):
				t.Errorf("%s with %d clients: ratios %.2f to row, %.2f to unit, %.2f to bare", name, clients, c.VsRow, c.VsUnit, c.VsBare)
			}
			if runtime.GOOS == "linux" && c != nil && (c.RSSMaxMB <= 0 || c.LoadCPUus <= 0 || c.DBCPUus != 0) {
				t.Errorf("%s with %d clients: RSS %.0f MB, load generator %.0f µs/request, database %.0f µs/request; want both measured, none for SQLite",
					name, clients, c.RSSMaxMB, c.LoadCPUus, c.DBCPUus)
			}
			// 300 ms of submissions keep motcua busy for many 10 ms ticks.
			if runtime.GOOS == "linux" && c != nil && name == "submit" && c.ServerCPUus <= 0 {
				t.Errorf("%s with %d clients: no CPU time of the server measured", name, clients)
			}
			if c != nil && (c.Seconds < 0.3 || c.Seconds > 1) {
				t.Errorf("%s with %d clients ran %.2f s in all, want two rounds of 150 ms", name, clients, c.Seconds)
			}
		}
	}
	for _, p := range e.Profiles {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("profile %s: %v", p, err)
		}
	}

	doc, _ := os.ReadFile(md)
	for _, want := range []string{"# Benchmarks\n\n" + sectionBegin + "\n### Results (", "#### SQLite ", "| lookup | 4 |", sectionEnd + "\n\n## Calendar\n"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("BENCHMARKS.md lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(string(doc), "old results") {
		t.Errorf("BENCHMARKS.md keeps the old section:\n%s", doc)
	}
}

// TestBenchRefusesNonDemoData runs the bench against a database holding
// units of its own: it refuses before creating anything.
func TestBenchRefusesNonDemoData(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "units.csv")
	os.WriteFile(csv, []byte("level,code,name,type,parent_code\n1,01,Thành phố Hà Nội,Thành phố Trung ương,\n"), 0o644)
	dsn := "sqlite:" + filepath.Join(dir, "motcua.db")
	env := func(string) string { return "" }
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, args := range [][]string{{"migrate", "--db", dsn}, {"import-units", "--db", dsn, csv}} {
		var stdout, stderr bytes.Buffer
		if status := run(ctx, args, env, strings.NewReader(""), &stdout, &stderr); status != 0 {
			t.Fatalf("run(%q) = %d: %s", args, status, stderr.String())
		}
	}
	out := filepath.Join(dir, "out.md")
	var stdout, stderr bytes.Buffer
	status := run(ctx, []string{"bench", "--db", dsn, "--dossiers", "10", "--duration", "100ms", "--clients", "1", "--out", out, "--json", ""}, env, strings.NewReader(""), &stdout, &stderr)
	if status != 1 || !strings.Contains(stderr.String(), errNonDemo.Error()) {
		t.Errorf("bench on other data = %d, %q; want 1 and the refusal", status, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the refused bench wrote its results")
	}
}

// TestBenchUnmigrated runs the bench against a database that was never
// migrated: it says how to migrate it and writes nothing.
func TestBenchUnmigrated(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "new.db")
	out := filepath.Join(dir, "out.md")
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"bench", "--db", dsn, "--dossiers", "10", "--duration", "100ms", "--clients", "1", "--out", out, "--json", ""},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if want := `run "motcua migrate --db ` + dsn + `" first`; status != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("bench on an unmigrated database = %d, %q; want 1 and %q", status, stderr.String(), want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the refused bench wrote its results")
	}
}

func TestParseBench(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "MOTCUA_TEST_POSTGRES_URL" {
			return "postgres://u@db:5432/x"
		}
		return ""
	}
	bc, err := parseBench([]string{"--json", filepath.Join(dir, "b.json"), "--out", ""}, env, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(bc.engines, ",") != "sqlite,postgres" || bc.postgres != "postgres://u@db:5432/x" || bc.dossiers != 100_000 ||
		bc.duration != 10*time.Second || bc.rounds != 5 || len(bc.clients) != 3 || bc.clients[2] != 32 {
		t.Errorf("defaults: %+v", bc)
	}
	if bc, err := parseBench([]string{"--duration", "250ms", "--json", "", "--out", ""}, env, &bytes.Buffer{}); err != nil || bc.rounds != 2 {
		t.Errorf("--duration 250ms: %v, %d rounds; want 2 of 125ms", err, bc.rounds)
	}
	bc, err = parseBench([]string{"--db", "postgres://u@db/bench", "--out", "", "--json", ""}, env, &bytes.Buffer{})
	if err != nil || strings.Join(bc.engines, ",") != "postgres" {
		t.Errorf("--db postgres: %v, engines %q", err, bc.engines)
	}

	for _, args := range [][]string{
		{"--engines", "mysql"},
		{"--engines", "sqlite,sqlite"},
		{"--clients", "0"},
		{"--clients", "1,x"},
		{"--clients", "4,4"},
		{"--dossiers", "0"},
		{"--duration", "1ms"},
		{"--rounds", "0"},
		{"--rounds", "101"},
		{"--rounds", "5", "--duration", "400ms"},
		{"--postgres", "mysql://x"},
		{"--db", "oracle://x"},
		{"--db", "sqlite:/tmp/x.db", "--engines", "sqlite"},
		{"--out", filepath.Join(dir, "missing", "B.md")},
		{"extra"},
	} {
		if _, err := parseBench(append(args, "--json", ""), env, &bytes.Buffer{}); err == nil {
			t.Errorf("parseBench(%q): no error", args)
		}
	}
}

func TestStatCPU(t *testing.T) {
	tests := []struct {
		stat string
		want time.Duration
	}{
		{"4242 (postgres) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 37 0 0 20 0 1 0 100 200000000 2000 18446744073709551615\n", 2870 * time.Millisecond},
		// A command may hold spaces and parentheses.
		{"7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 1 1 1\n", 30 * time.Millisecond},
		{"7 (x) R 1 2", 0},
		{"garbage", 0},
		{"7 (x) R 1 7 7 0 -1 0 0 0 0 0 u s 0 0", 0},
	}
	for _, tt := range tests {
		if got := statCPU(tt.stat); got != tt.want {
			t.Errorf("statCPU(%q) = %s, want %s", tt.stat, got, tt.want)
		}
	}
	if runtime.GOOS != "linux" {
		return
	}
	// Spend some CPU time, then read it both ways.
	for sum, start := 0, time.Now(); selfCPU() < 50*time.Millisecond && time.Since(start) < 10*time.Second; sum++ {
		_ = strconv.Itoa(sum)
	}
	if processCPU(os.Getpid()) <= 0 || selfCPU() <= 0 {
		t.Errorf("CPU time of this process: /proc %s, getrusage %s; want both positive", processCPU(os.Getpid()), selfCPU())
	}
}

func TestThousands(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999.4: "999", 999.6: "1,000", 12345: "12,345", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(v); got != want {
			t.Errorf("thousands(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestReplaceSection(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"Empty", "", sectionBegin + "\nnew\n" + sectionEnd + "\n"},
		{"Append", "# B\n", "# B\n\n" + sectionBegin + "\nnew\n" + sectionEnd + "\n"},
		{"Replace", "# B\n" + sectionBegin + "\nold\n" + sectionEnd + "\ntail\n", "# B\n" + sectionBegin + "\nnew\n" + sectionEnd + "\ntail\n"},
	}
	for _, tt := range tests {
		got, err := replaceSection(tt.doc, "new\n")
		if err != nil || got != tt.want {
			t.Errorf("%s: replaceSection = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := replaceSection("# B\n"+sectionBegin+"\nold\n", "new\n"); err == nil {
		t.Error("replaceSection without an end marker: no error")
	}
}

// TestWorkload checks that every dossier drawn is valid, at an agency
// that handles its procedure, and that the draws reach every agency that
// handles a procedure.
func TestWorkload(t *testing.T) {
	cat, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	handles := map[[2]string]bool{}
	for _, p := range cat.Procedures {
		for _, a := range p.AgencyCodes {
			handles[[2]string{a, p.Code}] = true
		}
	}
	w := newWorkload(cat)
	rng := rand.New(rand.NewPCG(3, 4))
	seen := map[string]bool{}
	for range 20_000 {
		in := w.input(rng)
		seen[in.AgencyCode] = true
		if !handles[[2]string{in.AgencyCode, in.ProcedureCode}] || in.Channel != motcua.ChannelCounter {
			t.Fatalf("input %+v: not a counter dossier at an agency that handles the procedure", in)
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			t.Fatalf("input %+v: %v", in, err)
		}
	}
	if len(seen) != len(w.agencies) || len(w.agencies) < 600 {
		t.Errorf("draws reached %d of %d agencies", len(seen), len(w.agencies))
	}
}

func TestMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	rss, peak := memory(os.Getpid())
	if rss <= 0 || peak < rss {
		t.Errorf("memory = %d, %d; want 0 < rss ≤ peak", rss, peak)
	}
	if rss, peak := memory(-1); rss != 0 || peak != 0 {
		t.Errorf("memory of no process = %d, %d", rss, peak)
	}
}
