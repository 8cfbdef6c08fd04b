package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

// TestBatch checks the outcome of a batch: an operation that fails is
// rolled back alone, the others commit, and a failed commit fails them
// all; whether the batch runs without savepoints first (and again with
// them after a failure) or with savepoints from the start.
func TestBatch(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		if err := s.CreateBaselineTable(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The foreign key of batch_child is checked at commit.
		s.exec(t, `CREATE TABLE batch_parent (id INTEGER PRIMARY KEY)`)
		s.exec(t, `CREATE TABLE batch_child (parent INTEGER REFERENCES batch_parent (id) DEFERRABLE INITIALLY DEFERRED)`)
		insert := func(id int) string {
			return fmt.Sprintf(`INSERT INTO bench_baseline (id, v) VALUES (%d, 'row %d')`, id, id)
		}
		tests := []struct {
			name    string
			stmts   [][]string
			failed  []bool // which operations fail
			rows    []int  // the rows of bench_baseline afterwards
			allFail bool   // every operation gets the commit's error
		}{
			{"OneFails", [][]string{{insert(1)}, {insert(2), insert(1)}, {insert(3)}}, []bool{false, true, false}, []int{1, 3}, false},
			{"FirstFails", [][]string{{insert(1)}, {insert(4)}}, []bool{true, false}, []int{1, 3, 4}, false},
			{"TwoInARow", [][]string{{insert(5)}, {insert(1)}, {insert(3)}, {insert(6)}}, []bool{false, true, true, false}, []int{1, 3, 4, 5, 6}, false},
			{"AllFail", [][]string{{insert(1)}, {insert(3)}}, []bool{true, true}, []int{1, 3, 4, 5, 6}, false},
			{"Alone", [][]string{{insert(7), insert(1)}}, []bool{true}, []int{1, 3, 4, 5, 6}, false},
			{"NoneFails", [][]string{{insert(7)}, {insert(8), insert(9)}}, []bool{false, false}, []int{1, 3, 4, 5, 6, 7, 8, 9}, false},
			{"CommitFails", [][]string{{insert(0)}, {`INSERT INTO batch_child (parent) VALUES (1)`}, {insert(1)}}, []bool{true, true, true}, []int{1, 3, 4, 5, 6, 7, 8, 9}, true},
		}
		for _, careful := range []bool{false, true} {
			t.Run(fmt.Sprintf("careful=%v", careful), func(t *testing.T) {
				s.exec(t, `DELETE FROM bench_baseline`)
				for _, tt := range tests {
					t.Run(tt.name, func(t *testing.T) {
						ops := make([]*sqlstore.BatchOp, len(tt.stmts))
						for i, list := range tt.stmts {
							ops[i] = &sqlstore.BatchOp{Stmts: list}
						}
						errs, failed := s.RunBatch(careful, ops...)
						for i, err := range errs {
							if (err != nil) != tt.failed[i] {
								t.Errorf("operation %d: %v; want failure %v", i, err, tt.failed[i])
							}
						}
						if want := slices.Contains(tt.failed, true); failed != want {
							t.Errorf("failed = %v; want %v", failed, want)
						}
						if tt.allFail && !(errs[0] != nil && errs[0] == errs[1] && errs[2] != errs[0]) {
							t.Errorf("errors %v; want the commit's for the first two, its own for the third", errs)
						}
						if rows := baselineRows(s); !reflect.DeepEqual(rows, tt.rows) {
							t.Errorf("rows %v; want %v", rows, tt.rows)
						}
					})
				}
			})
		}
	})
}

// TestBatchRetry checks the batches run without savepoints first: an
// operation that fails there makes the batch run again with savepoints,
// where it may succeed or fail alone, and what every operation wrote is
// committed once.
func TestBatchRetry(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		if err := s.CreateBaselineTable(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `CREATE TABLE batch_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
		s.exec(t, `INSERT INTO batch_counter (id, n) VALUES (1, 0)`)
		const count = `UPDATE batch_counter SET n = n + 1 WHERE id = 1`
		insert := func(id int) string {
			return fmt.Sprintf(`INSERT INTO bench_baseline (id, v) VALUES (%d, 'row %d')`, id, id)
		}
		tests := []struct {
			name    string
			careful bool
			ops     []*sqlstore.BatchOp
			flaky   []bool // which operations end with ErrFlaky
			runs    []int
			rows    []int // the rows added to bench_baseline
			counted int   // the increments of batch_counter
			failed  bool
		}{{
			name: "RetriedSucceeds",
			ops: []*sqlstore.BatchOp{
				{Stmts: []string{count, insert(1)}},
				{Stmts: []string{count, insert(2), count}, Flaky: 1},
				{Stmts: []string{count, insert(3)}},
			},
			flaky: []bool{false, false, false}, runs: []int{2, 2, 1}, rows: []int{1, 2, 3}, counted: 4,
		}, {
			name: "RetriedFailsAlone",
			ops: []*sqlstore.BatchOp{
				{Stmts: []string{count, insert(4)}},
				{Stmts: []string{count, insert(5), count}, Flaky: 2},
				{Stmts: []string{count, insert(6)}},
			},
			flaky: []bool{false, true, false}, runs: []int{2, 2, 1}, rows: []int{4, 6}, counted: 2, failed: true,
		}, {
			name: "LastFails",
			ops: []*sqlstore.BatchOp{
				{Stmts: []string{count, insert(7)}},
				{Stmts: []string{count, insert(8), count}, Flaky: 2},
			},
			flaky: []bool{false, true}, runs: []int{2, 2}, rows: []int{7}, counted: 1, failed: true,
		}, {
			name:    "Careful",
			careful: true,
			ops: []*sqlstore.BatchOp{
				{Stmts: []string{count, insert(9)}},
				{Stmts: []string{count, insert(10), count}, Flaky: 1},
				{Stmts: []string{count, insert(11)}},
			},
			flaky: []bool{false, true, false}, runs: []int{1, 1, 1}, rows: []int{9, 11}, counted: 2, failed: true,
		}, {
			name: "Alone",
			ops: []*sqlstore.BatchOp{
				{Stmts: []string{count, insert(12), count}, Flaky: 1},
			},
			flaky: []bool{true}, runs: []int{1}, counted: 0, failed: true,
		}}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, n0 := baselineRows(s), counter(t, s)
				errs, failed := s.RunBatch(tt.careful, tt.ops...)
				for i, err := range errs {
					if got := errors.Is(err, sqlstore.ErrFlaky); got != tt.flaky[i] || !got && err != nil {
						t.Errorf("operation %d: %v; want ErrFlaky %v", i, err, tt.flaky[i])
					}
					if tt.ops[i].Runs != tt.runs[i] {
						t.Errorf("operation %d ran %d times; want %d", i, tt.ops[i].Runs, tt.runs[i])
					}
				}
				if failed != tt.failed {
					t.Errorf("failed = %v; want %v", failed, tt.failed)
				}
				added := slices.DeleteFunc(baselineRows(s), func(id int) bool { return slices.Contains(before, id) })
				if !slices.Equal(added, tt.rows) {
					t.Errorf("rows %v added; want %v", added, tt.rows)
				}
				if n := counter(t, s) - n0; n != tt.counted {
					t.Errorf("counter advanced by %d; want %d", n, tt.counted)
				}
			})
		}
	})
}

// baselineRows returns the IDs below 100 of the rows of bench_baseline.
func baselineRows(s *store) []int {
	var rows []int
	for id := range 100 {
		if s.BaselineRead(context.Background(), id) == nil {
			rows = append(rows, id)
		}
	}
	return rows
}

// counter returns the value of batch_counter.
func counter(t *testing.T, s *store) int {
	t.Helper()
	var n int
	if err := s.raw.QueryRow(`SELECT n FROM batch_counter WHERE id = 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGroupCommit submits valid and invalid dossiers from many goroutines,
// some with a deadline that ends while they wait: every dossier
// acknowledged is stored, every invalid one is refused alone, and the
// codes of each agency have no gap, so no operation was half applied.
func TestGroupCommit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpenEmpty(t, dsn)
		catalog, agencies := testkit.CatalogWithCommunes(3)
		if err := s.ImportCatalog(ctx, catalog); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		acked := map[string]string{}
		var wg sync.WaitGroup
		for w := range 32 {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(w), 1))
				for i := range 12 {
					in := testkit.DossierInput(testkit.ProcedureBirth, agencies[r.IntN(len(agencies))], motcua.ChannelCounter)
					invalid := i%5 == 4
					if invalid {
						in.Applicant.IDNumber = "123"
					}
					cctx, cancel := context.WithTimeout(ctx, time.Duration(r.IntN(3000))*time.Microsecond)
					if r.IntN(2) == 0 {
						cctx, cancel = context.WithCancel(ctx)
					}
					d, _, err := s.CreateDossier(cctx, in, "")
					cancel()
					switch {
					case err == nil && !invalid:
						mu.Lock()
						acked[d.ID] = d.Code
						mu.Unlock()
					case invalid && motcua.ErrorCode(err) == motcua.EINVALID:
					case cctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)):
						// Cut short: the deadline may be noticed before
						// the context's own timer has fired.
					default:
						t.Errorf("dossier %d (invalid %v): %v", i, invalid, err)
					}
				}
			})
		}
		wg.Wait()
		if len(acked) == 0 {
			t.Fatal("no dossier acknowledged")
		}
		for id, code := range acked {
			if d, err := s.FindDossier(ctx, id); err != nil || d.Code != code {
				t.Errorf("dossier %s (%s): %v", id, code, err)
			}
		}
		for _, agency := range agencies {
			checkCodes(t, s, agency)
		}
		if report, err := s.VerifyDossiers(ctx); err != nil || !report.OK {
			t.Errorf("VerifyDossiers = %+v, %v", report, err)
		}
	})
}

// checkCodes creates a dossier at agency and checks that every number
// before its own is the code of a stored dossier, received no later than
// the next.
func checkCodes(t *testing.T, s *store, agency string) {
	t.Helper()
	d := s.mustCreate(t, testkit.ProcedureBirth, agency, motcua.ChannelCounter)
	i := strings.LastIndexByte(d.Code, '-')
	n, err := strconv.Atoi(d.Code[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for k := 1; k < n; k++ {
		code := fmt.Sprintf("%s-%04d", d.Code[:i], k)
		got, err := s.FindDossier(context.Background(), code)
		if err != nil {
			t.Errorf("code %s: %v", code, err)
			continue
		}
		if got.ReceivedAt.Before(last) {
			t.Errorf("code %s received at %v, before the code before it (%v)", code, got.ReceivedAt, last)
		}
		last = *got.ReceivedAt
	}
}

// TestPipelinedChanges checks the first run of a batch of actions on
// PostgreSQL, which sends their statements in one pipeline: each is
// written as ApplyAction writes it, and one whose dossier changed since
// it was computed fails them all, leaving every dossier as it was. (A
// batch whose first run fails runs again with a savepoint per action, so
// a fault of the pipeline would otherwise show only as slower batches.)
func TestPipelinedChanges(t *testing.T) {
	s := mustOpenStore(t, testkit.PostgresDSN(t))
	ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
	var refs []string
	for range 3 {
		refs = append(refs, s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter).ID)
	}
	start := motcua.ActionRequest{Action: motcua.ActionStart}
	ds, err := s.ApplyTogether(ctx, refs, []motcua.ActionRequest{start, start, start})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		read, err := s.FindDossier(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(read)
		want, _ := json.Marshal(d)
		if d.Version != 2 || d.Status != motcua.StatusProcessing || string(got) != string(want) {
			t.Errorf("%s: version %d, %s; stored\n%s\nwant\n%s", d.ID, d.Version, d.Status, got, want)
		}
		doc, err := s.FindDossierJSON(ctx, d.ID)
		if err != nil || string(doc) != string(want) {
			t.Errorf("%s: document %s, %v; want %s", d.ID, doc, err, want)
		}
	}

	// Two changes of one dossier computed from the same version: the
	// second finds the row changed, and neither is written.
	ready := motcua.ActionRequest{Action: motcua.ActionReady}
	if _, err := s.ApplyTogether(ctx, []string{refs[1], refs[0], refs[0]}, []motcua.ActionRequest{ready, ready, ready}); !errors.Is(err, sqlstore.ErrStale) {
		t.Fatalf("two changes of one version: %v; want ErrStale", err)
	}
	for _, ref := range refs[:2] {
		if d, err := s.FindDossier(ctx, ref); err != nil || d.Version != 2 {
			t.Errorf("%s after the failed pipeline: %+v, %v; want version 2", ref, d, err)
		}
	}
	if rep, err := s.VerifyDossiers(ctx); err != nil || !rep.OK {
		t.Fatalf("VerifyDossiers = %+v, %v", rep, err)
	}

	// Through ApplyAction, concurrent actions share batches; each answer
	// is what is stored.
	var wg sync.WaitGroup
	for _, ref := range refs {
		wg.Go(func() {
			for _, a := range []string{motcua.ActionReady, motcua.ActionReturn} {
				if _, err := s.ApplyAction(ctx, ref, motcua.ActionRequest{Action: a}); err != nil {
					t.Errorf("%s %s: %v", a, ref, err)
				}
			}
		})
	}
	wg.Wait()
	for _, ref := range refs {
		if d, err := s.FindDossier(ctx, ref); err != nil || d.Status != motcua.StatusReturned || d.Version != 4 {
			t.Errorf("%s: %+v, %v; want returned at version 4", ref, d, err)
		}
	}
}
