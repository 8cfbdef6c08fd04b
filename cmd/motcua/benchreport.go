package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"motcua"
	"motcua/sqlstore"
)

// The markers of the section of a Markdown file that motcua bench
// rewrites.
const (
	sectionBegin = "<!-- bench:begin -->"
	sectionEnd   = "<!-- bench:end -->"
)

// benchReport is the outcome of motcua bench, as written to JSON.
type benchReport struct {
	Command         string          `json:"command"`
	Date            string          `json:"date"`
	CPUs            int             `json:"cpus"`
	Go              string          `json:"go"`
	OS              string          `json:"os"`
	Arch            string          `json:"arch"`
	Dossiers        int             `json:"dossiers"`
	DurationSeconds float64         `json:"duration_seconds"`
	Clients         []int           `json:"clients"`
	Engines         []*engineReport `json:"engines"`
}

// engineReport is what was measured on one engine.
type engineReport struct {
	Engine          string  `json:"engine"`
	Version         string  `json:"version"`
	Dossiers        int     `json:"dossiers"`
	PopulateSeconds float64 `json:"populate_seconds"`
	// Cases in the order they ran.
	Cases []*caseReport `json:"cases"`
	// PeakRSSMB is the peak resident set size of each server process
	// (VmHWM) by the end of the runs.
	PeakRSSMB map[string]float64 `json:"peak_rss_mb"`
	Targets   []target           `json:"targets"`
	Profiles  []string           `json:"profiles,omitempty"`
}

// caseReport is one case at one number of clients. VsRow, VsUnit and
// VsBare are its throughput over that of the row baseline's dossier, of
// its unit and of the bare baseline at the same number of clients.
type caseReport struct {
	Case           string        `json:"case"`
	Request        string        `json:"request"`
	Server         string        `json:"server"`
	Clients        int           `json:"clients"`
	Requests       int64         `json:"requests"`
	Errors         int64         `json:"errors"`
	ErrorsByStatus map[int]int64 `json:"errors_by_status,omitempty"`
	FirstError     string        `json:"first_error,omitempty"`
	Seconds        float64       `json:"seconds"`
	Throughput     float64       `json:"throughput"`
	P50ms          float64       `json:"p50_ms"`
	P99ms          float64       `json:"p99_ms"`
	MaxMs          float64       `json:"max_ms"`
	VsRow          float64       `json:"vs_row,omitempty"`
	VsUnit         float64       `json:"vs_unit,omitempty"`
	VsBare         float64       `json:"vs_bare,omitempty"`
	RSSMaxMB       float64       `json:"rss_max_mb"`
	// CPU time per successful request, in microseconds, of the case's
	// server, of the PostgreSQL server's processes (none on SQLite) and
	// of the load generator.
	ServerCPUus float64 `json:"server_cpu_us"`
	DBCPUus     float64 `json:"db_cpu_us,omitempty"`
	LoadCPUus   float64 `json:"loadgen_cpu_us"`
}

// target is a target of the throughput issue checked against a run.
type target struct {
	What  string  `json:"what"`
	Value float64 `json:"value"`
	Op    string  `json:"op"` // ">=" or "<"
	Limit float64 `json:"limit"`
	Unit  string  `json:"unit"`
	Met   bool    `json:"met"`
}

func newBenchReport(bc benchConfig) *benchReport {
	clients := make([]string, len(bc.clients))
	for i, c := range bc.clients {
		clients[i] = fmt.Sprint(c)
	}
	what := "--engines " + strings.Join(bc.engines, ",")
	if bc.db != "" {
		what = "--db " + redactDSN(bc.db)
	}
	return &benchReport{
		Command: fmt.Sprintf("motcua bench %s --dossiers %d --duration %s --rounds %d --clients %s", what, bc.dossiers, bc.duration, bc.rounds, strings.Join(clients, ",")),
		Date:    time.Now().In(motcua.Location()).Format(time.DateOnly),
		CPUs:    runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		Dossiers: bc.dossiers, DurationSeconds: bc.duration.Seconds(), Clients: bc.clients,
	}
}

// add appends cr, with its ratios to the baselines already measured at
// its number of clients.
func (er *engineReport) add(cr *caseReport) {
	for _, b := range er.Cases {
		if b.Clients != cr.Clients || b.Throughput == 0 {
			continue
		}
		switch b.Case {
		case "row":
			cr.VsRow = cr.Throughput / b.Throughput
		case "unit":
			cr.VsUnit = cr.Throughput / b.Throughput
		case "bare":
			cr.VsBare = cr.Throughput / b.Throughput
		}
	}
	er.Cases = append(er.Cases, cr)
}

// find returns the case name at clients, nil if it did not run.
func (er *engineReport) find(name string, clients int) *caseReport {
	i := slices.IndexFunc(er.Cases, func(c *caseReport) bool { return c.Case == name && c.Clients == clients })
	if i < 0 {
		return nil
	}
	return er.Cases[i]
}

// checkTargets sets the targets of the throughput issue, at the largest
// number of clients run (the are at 32): look-ups at 0.7 of the
// row baseline or more, submissions at 500/s on SQLite and 1,000/s on
// PostgreSQL or more with a p99 under 50 ms, and motcua under 150 MB of
// resident memory.
func (er *engineReport) checkTargets() {
	clients := 0
	var rss float64
	for _, c := range er.Cases {
		clients = max(clients, c.Clients)
		if c.Server == "motcua" {
			rss = max(rss, c.RSSMaxMB)
		}
	}
	lookup, submit := er.find("lookup", clients), er.find("submit", clients)
	rate := 500.0
	if er.Engine == sqlstore.EnginePostgres {
		rate = 1000
	}
	at := fmt.Sprintf(" at %d clients", clients)
	er.Targets = []target{
		{What: "look-up over the row baseline" + at, Value: lookup.VsRow, Op: ">=", Limit: 0.7, Unit: "×"},
		{What: "submissions" + at, Value: submit.Throughput, Op: ">=", Limit: rate, Unit: "/s"},
		{What: "submission p99" + at, Value: submit.P99ms, Op: "<", Limit: 50, Unit: " ms"},
		{What: "resident memory of motcua under load", Value: rss, Op: "<", Limit: 150, Unit: " MB"},
	}
	for i := range er.Targets {
		t := &er.Targets[i]
		t.Met = t.Op == ">=" && t.Value >= t.Limit || t.Op == "<" && t.Value < t.Limit
	}
}

// engineTitle names the engine and its version.
func (er *engineReport) engineTitle() string {
	if er.Engine == sqlstore.EngineSQLite {
		return "SQLite " + er.Version
	}
	return "PostgreSQL " + er.Version
}

func (er *engineReport) printHeader(w io.Writer) {
	fmt.Fprintf(w, "\n%s: demo data and %d dossiers ready in %.1fs; %d CPUs, %s %s/%s\n",
		er.engineTitle(), er.Dossiers, er.PopulateSeconds, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

const caseFormat = "%-7s %7s %9s %9s %9s %7s %7s %7s %7s %8s %7s %7s %7s\n"

func printCaseHeader(w io.Writer) {
	fmt.Fprintf(w, caseFormat, "case", "clients", "req/s", "p50", "p99", "errors", "vs row", "vs unit", "vs bare", "RSS max", "CPU/req", "DB/req", "gen/req")
}

func (cr *caseReport) print(w io.Writer) {
	fmt.Fprintf(w, caseFormat, cr.Case, fmt.Sprint(cr.Clients), fmt.Sprintf("%.0f", cr.Throughput),
		fmtMs(cr.P50ms), fmtMs(cr.P99ms), fmt.Sprint(cr.Errors), fmtRatio(cr.VsRow), fmtRatio(cr.VsUnit), fmtRatio(cr.VsBare), fmtMB(cr.RSSMaxMB),
		fmtMicros(cr.ServerCPUus), fmtMicros(cr.DBCPUus), fmtMicros(cr.LoadCPUus))
	if cr.FirstError != "" {
		fmt.Fprintf(w, "        first error: %s\n", cr.FirstError)
	}
}

func (er *engineReport) printTargets(w io.Writer) {
	for _, t := range er.Targets {
		fmt.Fprintf(w, "target: %s: %s (%s)\n", t.What, t.measured(), t.verdict())
	}
	if len(er.Profiles) > 0 {
		fmt.Fprintf(w, "profiles: %s\n", strings.Join(er.Profiles, " "))
	}
}

func (t target) measured() string {
	if t.precision() == 0 {
		return thousands(t.Value) + t.Unit
	}
	return fmt.Sprintf("%.*f%s", t.precision(), t.Value, t.Unit)
}

func (t target) verdict() string {
	op := map[string]string{">=": "≥", "<": "<"}[t.Op]
	met := "met"
	if !t.Met {
		met = "missed"
	}
	return fmt.Sprintf("%s, target %s %s", met, op, target{Value: t.Limit, Unit: t.Unit}.measured())
}

func (t target) precision() int {
	if t.Unit == "×" {
		return 2
	}
	return 0
}

// thousands returns v rounded to a whole number, with commas between
// groups of three digits.
func thousands(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fmtMs(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func fmtRatio(r float64) string {
	if r == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", r)
}

// fmtMicros formats a CPU time per request; "–" for none measured.
func fmtMicros(us float64) string {
	if us == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f µs", us)
}

func fmtMB(mb float64) string {
	if mb == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MB", mb)
}

// write writes the report as JSON to jsonFile and as the marked section of
// mdFile; an empty name writes nothing.
func (r *benchReport) write(mdFile, jsonFile string) error {
	if jsonFile != "" {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonFile, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if mdFile == "" {
		return nil
	}
	doc, err := os.ReadFile(mdFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	out, err := replaceSection(string(doc), r.markdown(jsonFile))
	if err != nil {
		return fmt.Errorf("%s: %w", mdFile, err)
	}
	return os.WriteFile(mdFile, []byte(out), 0o644)
}

// replaceSection returns doc with the text between the markers replaced by
// section, or with section appended between markers when doc has none.
func replaceSection(doc, section string) (string, error) {
	i := strings.Index(doc, sectionBegin)
	if i < 0 {
		if doc != "" && !strings.HasSuffix(doc, "\n\n") {
			doc = strings.TrimRight(doc, "\n") + "\n\n"
		}
		return doc + sectionBegin + "\n" + section + sectionEnd + "\n", nil
	}
	j := strings.Index(doc[i:], sectionEnd)
	if j < 0 {
		return "", fmt.Errorf("%s without %s", sectionBegin, sectionEnd)
	}
	return doc[:i] + sectionBegin + "\n" + section + doc[i+j:], nil
}

// markdown returns the report as the section of BENCHMARKS.md.
func (r *benchReport) markdown(jsonFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Results (%s)\n\n", r.Date)
	fmt.Fprintf(&b, "Written by `%s` on %d CPUs, %s %s/%s", r.Command, r.CPUs, r.Go, r.OS, r.Arch)
	if jsonFile != "" {
		fmt.Fprintf(&b, "; every figure is in `%s`", jsonFile)
	}
	b.WriteString(".\n\n")
	b.WriteString("Cases: `bare` is `GET /` on the bare baseline; `unit` `GET /units/{code}` and `row` `GET /dossiers/{id}` on the row baseline " +
		"(a unit, of a table that stays in the database's cache, and a dossier's stored document, the row a look-up reads, each by primary key); " +
		"`lookup` `GET /api/v1/dossiers/{code}` and `submit` `POST /api/v1/dossiers` on motcua. " +
		"Ratios are throughputs over the baseline case's at the same number of clients; a submission's ratio is against the row baseline too, a read. " +
		"The cases alternate in rounds, each running its duration divided by the rounds at a time; a case's figures add up its rounds. " +
		"RSS max is the serving process's resident memory, sampled every 50 ms during the case. " +
		"CPU/req is the CPU time of the case's server per successful request, DB/req that of all PostgreSQL processes on the machine, gen/req that of the load generator (the bench itself), from /proc and getrusage.\n")
	for _, e := range r.Engines {
		fmt.Fprintf(&b, "\n#### %s\n\n", e.engineTitle())
		fmt.Fprintf(&b, "Demo data and %s dossiers, created in %.1f s.\n\n", thousands(float64(e.Dossiers)), e.PopulateSeconds)
		b.WriteString("| case | clients | req/s | p50 | p99 | errors | vs row | vs unit | vs bare | RSS max | CPU/req | DB/req | gen/req |\n")
		b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, c := range e.Cases {
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n",
				c.Case, c.Clients, thousands(c.Throughput), fmtMs(c.P50ms), fmtMs(c.P99ms), c.Errors, fmtRatio(c.VsRow), fmtRatio(c.VsUnit), fmtRatio(c.VsBare), fmtMB(c.RSSMaxMB),
				fmtMicros(c.ServerCPUus), fmtMicros(c.DBCPUus), fmtMicros(c.LoadCPUus))
		}
		b.WriteString("\n| target | measured | |\n|---|--:|---|\n")
		for _, t := range e.Targets {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", t.What, t.measured(), t.verdict())
		}
		names := make([]string, 0, len(e.PeakRSSMB))
		for _, n := range []string{"motcua", "row", "bare"} {
			if mb, ok := e.PeakRSSMB[n]; ok {
				names = append(names, fmt.Sprintf("%s %s", n, fmtMB(mb)))
			}
		}
		fmt.Fprintf(&b, "\nPeak resident memory (VmHWM): %s.\n", strings.Join(names, ", "))
	}
	return b.String()
}
