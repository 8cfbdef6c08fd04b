package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// TestBatch checks the savepoints of a batch: an operation that fails is
// rolled back alone, the others commit, and a failed commit fails them
// all.
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
			{"CommitFails", [][]string{{insert(8)}, {`INSERT INTO batch_child (parent) VALUES (1)`}, {insert(1)}}, []bool{true, true, true}, []int{1, 3, 4, 5, 6}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				errs := s.Batch(tt.stmts...)
				for i, err := range errs {
					if (err != nil) != tt.failed[i] {
						t.Errorf("operation %d: %v; want failure %v", i, err, tt.failed[i])
					}
				}
				if tt.allFail && !(errs[0] != nil && errs[0] == errs[1] && errs[2] != errs[0]) {
					t.Errorf("errors %v; want the commit's for the first two, its own for the third", errs)
				}
				var rows []int
				for id := range 10 {
					if s.BaselineRead(context.Background(), id) == nil {
						rows = append(rows, id)
					}
				}
				if !reflect.DeepEqual(rows, tt.rows) {
					t.Errorf("rows %v; want %v", rows, tt.rows)
				}
			})
		}
	})
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
					case cctx.Err() != nil && errors.Is(err, cctx.Err()):
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
// before its own is the code of a stored dossier.
func checkCodes(t *testing.T, s *store, agency string) {
	t.Helper()
	d := s.mustCreate(t, testkit.ProcedureBirth, agency, motcua.ChannelCounter)
	i := strings.LastIndexByte(d.Code, '-')
	n, err := strconv.Atoi(d.Code[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k < n; k++ {
		code := fmt.Sprintf("%s-%04d", d.Code[:i], k)
		if _, err := s.FindDossier(context.Background(), code); err != nil {
			t.Errorf("code %s: %v", code, err)
		}
	}
}
