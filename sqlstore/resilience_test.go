package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// cluster is a throwaway PostgreSQL server of a test, never the shared
// one: its own data directory, socket directory and port.
type cluster struct {
	t      *testing.T
	bin    string   // the directory of the server's programs
	as     []string // runs a program as the postgres user when root
	dir    string
	port   int
	dsn    string
	option string // the server options of pg_ctl -o
}

// newCluster creates and starts a PostgreSQL cluster in a temporary
// directory, and stops and removes it when the test ends. Without the
// server's programs (or runuser, as root) it skips the test, or fails it
// when CI=true.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	unavailable := func(why string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("a PostgreSQL cluster of its own is required with CI=true: %s", why)
		}
		t.Skipf("skipping: %s", why)
	}
	ctls, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(ctls) == 0 {
		unavailable("no PostgreSQL server programs under /usr/lib/postgresql")
	}
	slices.SortFunc(ctls, func(a, b string) int { return versionOf(a) - versionOf(b) })
	c := &cluster{t: t, bin: filepath.Dir(ctls[len(ctls)-1])}
	dir, err := os.MkdirTemp("", "motcua-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			unavailable("running as root without runuser to start PostgreSQL as postgres")
		}
		u, err := user.Lookup("postgres")
		if err != nil {
			unavailable("running as root without a postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{runuser, "-u", "postgres", "--"}
	}
	c.port = freePort(t)
	c.dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", c.port)
	c.option = fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", c.port, dir)
	c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	c.start()
	t.Cleanup(func() { c.pgctl("stop", "-m", "immediate") })
	return c
}

// versionOf returns the major version in the path of a server program.
func versionOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// run runs one of the server's programs and fails the test if it fails.
func (c *cluster) run(program string, args ...string) {
	c.t.Helper()
	argv := append(slices.Clone(c.as), append([]string{filepath.Join(c.bin, program)}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.t.Fatalf("%s: %v\n%s\nserver log:\n%s", strings.Join(argv, " "), err, out, log)
	}
}

func (c *cluster) pgctl(args ...string) {
	c.t.Helper()
	c.run("pg_ctl", append([]string{"-D", c.data(), "-w", "-t", "60"}, args...)...)
}

func (c *cluster) start() {
	c.t.Helper()
	c.pgctl("-l", filepath.Join(c.dir, "log"), "-o", c.option, "start")
}

// TestPostgresRestart submits and looks up dossiers from several
// goroutines on a PostgreSQL cluster of its own and stops it in the
// middle, for a second, with the fast shutdown that ends every session:
// each call succeeds or fails with EUNAVAILABLE, none hangs, calls succeed
// again through the same DB once the server is back, and every
// acknowledged dossier is there afterwards with its code, the codes
// without gaps and the history verified.
func TestPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	c := newCluster(t)
	ctx := context.Background()
	s := mustOpenEmpty(t, c.dsn)
	catalog, agencies := testkit.CatalogWithCommunes(7)
	if err := s.ImportCatalog(ctx, catalog); err != nil {
		t.Fatal(err)
	}

	var (
		mu          sync.Mutex
		acked       = map[string]string{} // ID → code
		unavailable atomic.Int64
		restarted   atomic.Bool
		after       atomic.Int64 // dossiers acknowledged after the restart
		stop        = make(chan struct{})
		wg          sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				in := testkit.DossierInput(testkit.ProcedureBirth, agencies[(w+i)%len(agencies)], motcua.ChannelCounter)
				cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				start := time.Now()
				d, _, err := s.CreateDossier(cctx, in, "")
				cancel()
				if took := time.Since(start); took > 15*time.Second {
					t.Errorf("a receipt took %v", took)
				}
				switch {
				case err == nil:
					mu.Lock()
					acked[d.ID] = d.Code
					mu.Unlock()
					if restarted.Load() {
						after.Add(1)
					}
				case motcua.ErrorCode(err) == motcua.EUNAVAILABLE:
					if e := new(motcua.Error); !errors.As(err, &e) || e.Reason != "database_unavailable" {
						t.Errorf("receipt: %v; want reason database_unavailable", err)
					}
					unavailable.Add(1)
					time.Sleep(10 * time.Millisecond)
				default:
					t.Errorf("receipt: %v; want success or EUNAVAILABLE", err)
					return
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var ref string
				mu.Lock()
				for id := range acked {
					ref = id
					break
				}
				mu.Unlock()
				if ref == "" {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				if _, err := s.FindDossier(ctx, ref); err != nil && motcua.ErrorCode(err) != motcua.EUNAVAILABLE {
					t.Errorf("look-up: %v; want success or EUNAVAILABLE", err)
					return
				} else if err != nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}

	time.Sleep(500 * time.Millisecond)
	c.pgctl("-m", "fast", "stop")
	time.Sleep(time.Second)
	c.start()
	restarted.Store(true)
	for deadline := time.Now().Add(60 * time.Second); after.Load() < 100 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	t.Logf("%d dossiers acknowledged, %d after the restart; %d receipts unavailable", len(acked), after.Load(), unavailable.Load())
	if unavailable.Load() == 0 {
		t.Error("no receipt failed while the server was down")
	}
	if after.Load() == 0 {
		t.Fatal("no receipt succeeded after the restart")
	}
	for id, code := range acked {
		d, err := s.FindDossier(ctx, id)
		if err != nil || d.Code != code {
			t.Errorf("acknowledged dossier %s (%s): %v", id, code, err)
		}
	}
	if report, err := s.VerifyDossiers(ctx); err != nil || !report.OK {
		t.Errorf("VerifyDossiers = %+v, %v", report, err)
	}
	checkGapless(t, c.dsn)
}

// checkGapless checks that the dossier numbers of each agency and day are
// 1…N, the value of its counter.
func checkGapless(t *testing.T, dsn string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT c.agency_code, c.last, COUNT(d.id),
		COUNT(DISTINCT d.code), COALESCE(MAX(CAST(split_part(d.code, '-', 3) AS INTEGER)), 0)
		FROM dossier_counters c LEFT JOIN dossiers d ON d.agency_code = c.agency_code
		GROUP BY c.agency_code, c.last`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var agency string
		var last, n, distinct, highest int
		if err := rows.Scan(&agency, &last, &n, &distinct, &highest); err != nil {
			t.Fatal(err)
		}
		if n != last || distinct != last || highest != last {
			t.Errorf("agency %s: counter %d, %d dossiers, %d codes, highest %d", agency, last, n, distinct, highest)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
