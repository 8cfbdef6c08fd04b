package main

import (
	"cmp"
	"context"
	cryptorand "crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"motcua"
	"motcua/loadgen"
	"motcua/seed"
	"motcua/sqlstore"
)

// defaultBenchPostgres is the PostgreSQL server of motcua bench when
// neither --postgres nor MOTCUA_TEST_POSTGRES_URL names one.
const defaultBenchPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// errNonDemo refuses to bench a database that holds data of its own.
var errNonDemo = errors.New("motcua bench refuses to run against a database that holds non-demo data")

// benchConfig is the configuration of motcua bench.
type benchConfig struct {
	engines  []string
	postgres string // server on which throwaway databases are created
	db       string // an existing database to bench instead
	dossiers int
	duration time.Duration
	rounds   int // each case's duration is cut into this many runs, the cases alternating
	clients  []int
	out      string // Markdown file whose marked section receives the results
	json     string // file that receives the results as JSON
	profile  string // directory that receives the profiles
}

// parseBench parses the flags of motcua bench.
func parseBench(args []string, getenv func(string) string, stderr io.Writer) (benchConfig, error) {
	bc := benchConfig{postgres: cmp.Or(getenv("MOTCUA_TEST_POSTGRES_URL"), defaultBenchPostgres)}
	fs := flag.NewFlagSet("motcua bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	engines := fs.String("engines", "sqlite,postgres", "engines to bench, each on a throwaway database")
	fs.StringVar(&bc.postgres, "postgres", bc.postgres, "PostgreSQL server on which the throwaway database is created (env MOTCUA_TEST_POSTGRES_URL)")
	fs.StringVar(&bc.db, "db", "", "bench this database instead: empty or holding only the demo data; the dossiers created stay")
	fs.IntVar(&bc.dossiers, "dossiers", 100_000, "dossiers created before the runs")
	fs.DurationVar(&bc.duration, "duration", 10*time.Second, "duration of each case")
	fs.IntVar(&bc.rounds, "rounds", 5, "rounds in which the cases alternate, each case running duration/rounds a round (fewer by default when rounds would be under 100ms)")
	clients := fs.String("clients", "1,8,32", "numbers of concurrent clients")
	fs.StringVar(&bc.out, "out", "docs/BENCHMARKS.md", "Markdown file whose section between "+sectionBegin+" and "+sectionEnd+" receives the results (appended if missing; empty for none)")
	fs.StringVar(&bc.json, "json", "docs/bench.json", "file that receives the results as JSON (empty for none)")
	fs.StringVar(&bc.profile, "profile", "", "directory that receives CPU and allocation profiles of motcua during look-ups and submissions")
	if err := fs.Parse(args); err != nil {
		return bc, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if bc.db != "" {
		if set["engines"] || set["postgres"] {
			errs = append(errs, errors.New("--db benches one database: it excludes --engines and --postgres"))
		}
		c := DefaultConfig()
		c.DB = bc.db
		if err := c.Validate(); err != nil {
			errs = append(errs, err)
		}
		bc.engines = []string{sqlstore.EngineSQLite}
		if !strings.HasPrefix(bc.db, "sqlite:") {
			bc.engines = []string{sqlstore.EnginePostgres}
		}
	} else {
		for _, e := range strings.Split(*engines, ",") {
			switch e = strings.TrimSpace(e); {
			case e != sqlstore.EngineSQLite && e != sqlstore.EnginePostgres:
				errs = append(errs, fmt.Errorf("--engines: unknown engine %q: sqlite or postgres", e))
			case slices.Contains(bc.engines, e):
				errs = append(errs, fmt.Errorf("--engines: %s twice", e))
			default:
				bc.engines = append(bc.engines, e)
			}
		}
		if !strings.HasPrefix(bc.postgres, "postgres://") && !strings.HasPrefix(bc.postgres, "postgresql://") {
			errs = append(errs, fmt.Errorf("--postgres must be a postgres:// URL, not %q", bc.postgres))
		}
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		switch {
		case err != nil || n < 1 || n > loadgen.MaxClients:
			errs = append(errs, fmt.Errorf("--clients: %q is not a number from 1 to %d", s, loadgen.MaxClients))
		case slices.Contains(bc.clients, n):
			errs = append(errs, fmt.Errorf("--clients: %d twice", n))
		default:
			bc.clients = append(bc.clients, n)
		}
	}
	if bc.dossiers < 1 || bc.dossiers > 10_000_000 {
		errs = append(errs, fmt.Errorf("--dossiers must be from 1 to 10,000,000, not %d", bc.dossiers))
	}
	if bc.duration < 100*time.Millisecond || bc.duration > loadgen.MaxDuration {
		errs = append(errs, fmt.Errorf("--duration must be from 100ms to %s, not %s", loadgen.MaxDuration, bc.duration))
	}
	if !set["rounds"] {
		// Short runs have fewer rounds, each of 100 ms or more.
		bc.rounds = max(min(bc.rounds, int(bc.duration/(100*time.Millisecond))), 1)
	}
	if bc.rounds < 1 || bc.rounds > 100 || bc.duration/time.Duration(max(bc.rounds, 1)) < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("--rounds must be from 1 to 100 with rounds of at least 100ms, not %d of %s", bc.rounds, bc.duration))
	}
	for _, f := range []string{bc.out, bc.json} {
		if f == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Dir(f)); err != nil || !fi.IsDir() {
			errs = append(errs, fmt.Errorf("cannot write %s: no directory %s", f, filepath.Dir(f)))
		}
	}
	return bc, errors.Join(errs...)
}

// bench runs motcua bench: for each engine, a database with the demo data
// and bc.dossiers dossiers, the three servers, and every case at every
// number of clients. It prints the results as they come and writes them.
func bench(ctx context.Context, bc benchConfig, stdout io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the motcua binary: %w", err)
	}
	work, err := os.MkdirTemp("", "motcua-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if bc.profile != "" {
		if err := os.MkdirAll(bc.profile, 0o755); err != nil {
			return err
		}
	}
	rep := newBenchReport(bc)
	for _, engine := range bc.engines {
		bdb, err := benchDatabase(ctx, bc, engine, work)
		if err != nil {
			return fmt.Errorf("%s: %w", engine, err)
		}
		er, err := benchEngine(ctx, bc, bdb, exe, work, stdout)
		if bdb.drop != nil {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			err = errors.Join(err, bdb.drop(dctx))
			cancel()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", engine, err)
		}
		rep.Engines = append(rep.Engines, er)
	}
	return rep.write(bc.out, bc.json)
}

// benchDB is a database the bench runs against.
type benchDB struct {
	engine string
	dsn    string
	// drop removes the database; nil for one the bench did not create.
	drop func(context.Context) error
}

// benchDatabase returns the database of bc.db, or creates a throwaway
// database of engine: a SQLite file in work, or a database named
// motcua_bench_<random> on bc.postgres.
func benchDatabase(ctx context.Context, bc benchConfig, engine, work string) (*benchDB, error) {
	switch {
	case bc.db != "":
		return &benchDB{engine: engine, dsn: bc.db}, nil
	case engine == sqlstore.EngineSQLite:
		dir := filepath.Join(work, "sqlite")
		return &benchDB{engine: engine, dsn: "sqlite:" + filepath.Join(dir, "motcua.db"), drop: func(context.Context) error {
			return os.RemoveAll(dir)
		}}, nil
	}
	u, err := url.Parse(bc.postgres)
	if err != nil {
		return nil, fmt.Errorf("--postgres: %w", err)
	}
	name := "motcua_bench_" + strings.ToLower(cryptorand.Text()[:12])
	if err := pgExec(ctx, bc.postgres, "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	u.Path = "/" + name
	return &benchDB{engine: engine, dsn: u.String(), drop: func(ctx context.Context) error {
		return pgExec(ctx, bc.postgres, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}}, nil
}

// pgExec runs one statement on the PostgreSQL server of dsn, through the
// wire protocol: CREATE and DROP DATABASE cannot run in a transaction
// and need no store.
func pgExec(ctx context.Context, dsn, stmt string) error {
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redactDSN(dsn), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, stmt).ReadAll(); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// benchEngine prepares bdb, starts the servers and runs every case on
// them.
func benchEngine(ctx context.Context, bc benchConfig, bdb *benchDB, exe, work string, stdout io.Writer) (*engineReport, error) {
	cat, err := seed.Demo()
	if err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	w := newWorkload(cat)
	start := time.Now()
	pop, version, err := prepare(ctx, bdb, cat, w, bc.dossiers)
	if err != nil {
		return nil, err
	}
	er := &engineReport{Engine: bdb.engine, Version: version, Dossiers: len(pop.ids), PopulateSeconds: time.Since(start).Seconds()}
	er.printHeader(stdout)

	token := newToken()
	servers, err := startServers(ctx, exe, bdb, token, work, bc.profile != "")
	if err != nil {
		return nil, err
	}
	defer servers.stop()
	units := make([]string, len(cat.Units))
	for i, u := range cat.Units {
		units[i] = u.Code
	}
	cases := benchCases(servers, token, w, pop, units)
	if bdb.engine == sqlstore.EnginePostgres {
		for _, c := range cases {
			c.dbCPU = func() time.Duration { return commandCPU("postgres") }
		}
	}

	warmUp := min(bc.duration/5, 2*time.Second)
	for _, c := range cases {
		if err := c.run(ctx, slices.Max(bc.clients), warmUp, new(caseRun)); err != nil {
			return nil, fmt.Errorf("warm up %s: %w", c.name, err)
		}
	}
	// The cases alternate in rounds, so that a baseline and the case
	// compared with it share whatever else the machine was doing.
	printCaseHeader(stdout)
	round := bc.duration / time.Duration(bc.rounds)
	for _, n := range bc.clients {
		runs := make([]caseRun, len(cases))
		for range bc.rounds {
			for i, c := range cases {
				if err := c.run(ctx, n, round, &runs[i]); err != nil {
					return nil, fmt.Errorf("%s with %d clients: %w", c.name, n, err)
				}
			}
		}
		for i, c := range cases {
			cr := c.report(&runs[i])
			er.add(cr)
			cr.print(stdout)
		}
	}
	if bc.profile != "" {
		for _, c := range cases {
			if c.server.pprof == "" {
				continue
			}
			files, err := c.profile(ctx, slices.Max(bc.clients), bc.duration, filepath.Join(bc.profile, bdb.engine+"-"+c.name))
			if err != nil {
				return nil, fmt.Errorf("profile %s: %w", c.name, err)
			}
			er.Profiles = append(er.Profiles, files...)
		}
	}
	er.PeakRSSMB = map[string]float64{}
	for _, s := range servers.all() {
		_, peak := memory(s.cmd.Process.Pid)
		er.PeakRSSMB[s.name] = megabytes(peak)
	}
	er.checkTargets()
	er.printTargets(stdout)
	return er, servers.stop()
}

// prepare opens the database, migrating one the bench created, loads the
// demo data into it if it is empty and refuses it if it holds other data;
// then it creates n dossiers. It returns them and the engine's version.
func prepare(ctx context.Context, bdb *benchDB, cat *motcua.Catalog, w *workload, n int) (*population, string, error) {
	db, err := sqlstore.Open(ctx, bdb.dsn, sqlstore.Options{Migrate: bdb.drop != nil})
	if errors.Is(err, sqlstore.ErrSchemaOutOfDate) {
		return nil, "", fmt.Errorf("%w: run \"motcua migrate --db %s\" first", err, redactDSN(bdb.dsn))
	}
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	label, empty, err := db.Dataset(ctx)
	switch {
	case err != nil:
		return nil, "", err
	case label == motcua.DatasetDemo:
	case empty:
		if err := db.ImportCatalog(ctx, cat); err != nil {
			return nil, "", fmt.Errorf("load demo data: %w", err)
		}
	default:
		return nil, "", errNonDemo
	}
	version, err := db.EngineVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	pop, err := populate(ctx, db, w, n)
	return pop, version, err
}

// dossierCreator creates dossiers in batches, all or none.
type dossierCreator interface {
	CreateDossiers(ctx context.Context, ins []*motcua.DossierInput) ([]*motcua.Dossier, error)
}

// populateBatch is the number of dossiers populate creates at once.
const populateBatch = 1000

// population is the IDs and codes of the dossiers populate created, in
// the same order.
type population struct{ ids, codes []string }

// populate creates n dossiers drawn from w, with a fixed seed.
func populate(ctx context.Context, c dossierCreator, w *workload, n int) (*population, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	ctx = motcua.NewContextWithActor(ctx, motcua.BootstrapAdmin)
	pop := &population{ids: make([]string, 0, n), codes: make([]string, 0, n)}
	for len(pop.ids) < n {
		ins := make([]*motcua.DossierInput, min(populateBatch, n-len(pop.ids)))
		for i := range ins {
			ins[i] = w.input(rng)
		}
		ds, err := c.CreateDossiers(ctx, ins)
		if err != nil {
			return nil, fmt.Errorf("create dossiers: %w", err)
		}
		for _, d := range ds {
			pop.ids = append(pop.ids, d.ID)
			pop.codes = append(pop.codes, d.Code)
		}
	}
	return pop, nil
}

// workload draws dossiers as they arrive at the counters of the demo
// catalogue: an agency at random among those that handle a procedure,
// one of the procedures it handles, and a citizen with a valid 12-digit
// identification number.
type workload struct {
	agencies   []string
	procedures map[string][]string // by agency
}

func newWorkload(cat *motcua.Catalog) *workload {
	w := &workload{procedures: map[string][]string{}}
	for _, p := range cat.Procedures {
		for _, a := range p.AgencyCodes {
			if w.procedures[a] == nil {
				w.agencies = append(w.agencies, a)
			}
			if !slices.Contains(w.procedures[a], p.Code) {
				w.procedures[a] = append(w.procedures[a], p.Code)
			}
		}
	}
	slices.Sort(w.agencies)
	return w
}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"}
	middleNames = []string{"Văn", "Thị", "Minh", "Đức", "Thu", "Ngọc", "Quang", "Hữu", "Thanh", "Gia"}
	givenNames  = []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Khánh", "Lan", "Mai", "Nam", "Phương", "Quân", "Thảo", "Trang", "Tuấn", "Việt", "Yến"}
)

// input draws a counter dossier.
func (w *workload) input(r *rand.Rand) *motcua.DossierInput {
	agency := w.agencies[r.IntN(len(w.agencies))]
	procedures := w.procedures[agency]
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	return &motcua.DossierInput{
		ProcedureCode: pick(procedures),
		AgencyCode:    agency,
		Channel:       motcua.ChannelCounter,
		Applicant: motcua.Applicant{
			Kind:     motcua.ApplicantCitizen,
			Name:     pick(familyNames) + " " + pick(middleNames) + " " + pick(givenNames),
			IDNumber: fmt.Sprintf("%03d%09d", 1+r.IntN(96), r.IntN(1_000_000_000)),
			Phone:    fmt.Sprintf("09%08d", r.IntN(100_000_000)),
			Address:  "Hà Nội",
		},
		Form: json.RawMessage(`{}`),
	}
}

// benchCase is one kind of request against one server.
type benchCase struct {
	name    string // bare, unit, row, lookup or submit
	request string
	server  *child
	header  http.Header
	next    func(r *rand.Rand) loadgen.Request
	// dbCPU returns the CPU time used by the database server's processes
	// so far; nil when the engine runs in the serving process.
	dbCPU func() time.Duration
}

// benchCases returns the cases in the order they run at each number of
// clients: the baselines, then motcua's look-up and submission. The row
// baseline reads a random dossier by its ID, the look-up one by its code.
func benchCases(s *benchServers, token string, w *workload, pop *population, units []string) []*benchCase {
	auth := http.Header{"Authorization": {"Bearer " + token}}
	post := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	return []*benchCase{
		{name: "bare", request: "GET /", server: s.bare, next: func(*rand.Rand) loadgen.Request {
			return loadgen.Request{Method: "GET", Path: "/"}
		}},
		{name: "unit", request: "GET /units/{code}", server: s.row, next: func(r *rand.Rand) loadgen.Request {
			return loadgen.Request{Method: "GET", Path: "/units/" + units[r.IntN(len(units))]}
		}},
		{name: "row", request: "GET /dossiers/{id}", server: s.row, next: func(r *rand.Rand) loadgen.Request {
			return loadgen.Request{Method: "GET", Path: "/dossiers/" + pop.ids[r.IntN(len(pop.ids))]}
		}},
		{name: "lookup", request: "GET /api/v1/dossiers/{code}", server: s.motcua, header: auth, next: func(r *rand.Rand) loadgen.Request {
			return loadgen.Request{Method: "GET", Path: "/api/v1/dossiers/" + pop.codes[r.IntN(len(pop.codes))]}
		}},
		{name: "submit", request: "POST /api/v1/dossiers", server: s.motcua, header: post, next: func(r *rand.Rand) loadgen.Request {
			b, _ := json.Marshal(w.input(r))
			return loadgen.Request{Method: "POST", Path: "/api/v1/dossiers", Body: b}
		}},
	}
}

// caseRun adds up what the runs of a case at one number of clients
// measured.
type caseRun struct {
	load   loadgen.Result
	rssMax int64
	// CPU time used during the runs by the case's server, the database
	// server's processes (PostgreSQL) and the load generator.
	serverCPU, dbCPU, loadCPU time.Duration
}

// run drives the case's server with clients for d, measuring its memory
// and the CPU time used meanwhile, and adds the outcome to sum.
func (c *benchCase) run(ctx context.Context, clients int, d time.Duration, sum *caseRun) error {
	done := make(chan struct{})
	rss := make(chan int64, 1)
	pid := c.server.cmd.Process.Pid
	go func() { rss <- watchRSS(pid, done) }()
	server, db, load := processCPU(pid), c.databaseCPU(), selfCPU()
	r, err := loadgen.Run(ctx, loadgen.Config{Target: c.server.url, Clients: clients, Duration: d, Header: c.header, Next: c.next})
	// A database process that ended meanwhile takes its time with it.
	server, db, load = processCPU(pid)-server, max(c.databaseCPU()-db, 0), selfCPU()-load
	close(done)
	maxRSS := <-rss
	if err != nil {
		return err
	}
	sum.load.Add(r)
	sum.rssMax = max(sum.rssMax, maxRSS)
	sum.serverCPU += server
	sum.dbCPU += db
	sum.loadCPU += load
	return nil
}

// databaseCPU returns the CPU time the database server's processes have
// used, 0 for an engine in the serving process.
func (c *benchCase) databaseCPU() time.Duration {
	if c.dbCPU == nil {
		return 0
	}
	return c.dbCPU()
}

// report returns the case's report from the sum of its runs.
func (c *benchCase) report(sum *caseRun) *caseReport {
	r := &sum.load
	perRequest := func(d time.Duration) float64 {
		if ok := r.Requests - r.Errors; ok > 0 {
			return float64(d) / float64(time.Microsecond) / float64(ok)
		}
		return 0
	}
	return &caseReport{
		Case: c.name, Request: c.request, Server: c.server.name, Clients: r.Clients,
		Requests: r.Requests, Errors: r.Errors, ErrorsByStatus: r.ErrorsByStatus, FirstError: r.FirstError,
		Seconds: r.Elapsed.Seconds(), Throughput: r.Throughput,
		P50ms: milliseconds(r.P50), P99ms: milliseconds(r.P99), MaxMs: milliseconds(r.Max),
		RSSMaxMB:    megabytes(sum.rssMax),
		ServerCPUus: perRequest(sum.serverCPU), DBCPUus: perRequest(sum.dbCPU), LoadCPUus: perRequest(sum.loadCPU),
	}
}

// profile drives the case's server with clients for about d, whole
// seconds and at least one, while fetching its CPU profile and the
// allocations made meanwhile into prefix-cpu.pprof and
// prefix-allocs.pprof, whose names it returns.
func (c *benchCase) profile(ctx context.Context, clients int, d time.Duration, prefix string) ([]string, error) {
	secs := max(int(d.Round(time.Second)/time.Second), 1)
	files := []string{prefix + "-cpu.pprof", prefix + "-allocs.pprof"}
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, p := range []string{"profile", "allocs"} {
		wg.Go(func() {
			errs[i] = fetchProfile(ctx, fmt.Sprintf("%s%s?seconds=%d", c.server.pprof, p, secs), secs, files[i])
		})
	}
	_, err := loadgen.Run(ctx, loadgen.Config{
		Target: c.server.url, Clients: clients, Duration: time.Duration(secs)*time.Second + 500*time.Millisecond,
		Header: c.header, Next: c.next,
	})
	wg.Wait()
	return files, errors.Join(append(errs, err)...)
}

// fetchProfile saves the profile at url, which takes secs seconds, to
// file.
func fetchProfile(ctx context.Context, url string, secs int, file string) error {
	if err := loadgen.CheckTarget(url); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return f.Close()
}

func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func megabytes(b int64) float64 { return float64(b) / (1 << 20) }
