package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

func TestCheckpoint(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		if c, err := s.Checkpoint(ctx); err != nil || c != nil {
			t.Fatalf("Checkpoint without events = %+v, %v", c, err)
		}
		if r, err := s.VerifyDossiers(ctx); err != nil || !r.OK || r.Dossiers != 0 || r.Events != 0 || r.Checkpoint != nil {
			t.Fatalf("VerifyDossiers of an empty database = %+v, %v", r, err)
		}

		a := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelOnline)
		s.mustCreate(t, testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelOnline)
		c1, err := s.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c1.ID != 1 || c1.Dossiers != 2 || c1.LastEventID != 3 || c1.PrevHash != "" || c1.Hash != c1.ComputeHash() || !c1.At.Equal(testNow) {
			t.Errorf("first checkpoint %+v", c1)
		}
		if again, err := s.Checkpoint(ctx); err != nil || *again != *c1 {
			t.Errorf("Checkpoint without new events = %+v, %v; want %+v", again, err, c1)
		}

		s.clock.Advance(time.Minute)
		s.mustApply(t, a.ID, motcua.ActionReceive)
		c2, err := s.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c2.ID != 2 || c2.Dossiers != 2 || c2.LastEventID != 4 || c2.PrevHash != c1.Hash || c2.HeadsHash == c1.HeadsHash {
			t.Errorf("second checkpoint %+v", c2)
		}
		r, err := s.VerifyDossiers(ctx)
		if err != nil || !r.OK || r.Dossiers != 2 || r.Events != 4 || r.Checkpoint == nil || *r.Checkpoint != *c2 {
			t.Errorf("VerifyDossiers = %+v, %v", r, err)
		}
	})
}

// TestCheckpointConcurrent takes checkpoints, from two DBs on one
// database, while dossiers are written, and checks that every checkpoint
// matches the chains.
func TestCheckpointConcurrent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		dbs := []*sqlstore.DB{s.DB, testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: s.clock})}
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		var writers, checkpointers sync.WaitGroup
		done := make(chan struct{})
		for w := range 6 {
			writers.Go(func() {
				db := dbs[w%2]
				for range 15 {
					d, _, err := db.CreateDossier(ctx, testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter), "")
					if err != nil {
						t.Error(err)
						return
					}
					if _, err := db.ApplyAction(ctx, d.ID, motcua.ActionRequest{Action: motcua.ActionStart}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		for _, db := range dbs {
			checkpointers.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					if _, err := db.Checkpoint(ctx); err != nil {
						t.Error(err)
						return
					}
					r, err := db.VerifyDossiers(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if !r.OK {
						t.Errorf("VerifyDossiers during writes: %+v", r.Problems)
						return
					}
				}
			})
		}
		writers.Wait()
		close(done)
		checkpointers.Wait()
		c, err := s.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.VerifyDossiers(ctx)
		if err != nil || !r.OK || r.Dossiers != 90 || r.Events != 180 || r.Checkpoint.ID != c.ID || c.Dossiers != 90 {
			t.Errorf("VerifyDossiers = %+v, %v; checkpoint %+v", r, err, c)
		}
		t.Logf("%d checkpoints", c.ID)
	})
}

// TestVerifyTampering tampers with the tables directly and checks that
// VerifyDossiers names each kind of edit, insertion, deletion and
// truncation.
func TestVerifyTampering(t *testing.T) {
	type chains struct{ a, b, c *motcua.Dossier }
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *store, d chains)
		want   []string // kind/dossier/seq
	}{
		{"Clean", func(t *testing.T, s *store, d chains) {}, nil},
		{"EditedPayload", func(t *testing.T, s *store, d chains) {
			s.exec(t, `UPDATE dossier_events SET payload = ? WHERE dossier_id = ? AND seq = 3`, `{"items":["x"],"remaining_seconds":0}`, d.a.ID)
		}, []string{"edited/a/3"}},
		{"EditedTime", func(t *testing.T, s *store, d chains) {
			s.exec(t, `UPDATE dossier_events SET at = ? WHERE dossier_id = ? AND seq = 2`, d.a.Events[1].At.Add(time.Second), d.a.ID)
		}, []string{"edited/a/2"}},
		{"EditedActor", func(t *testing.T, s *store, d chains) {
			s.exec(t, `UPDATE dossier_events SET actor_id = 'someone' WHERE dossier_id = ? AND seq = 1`, d.b.ID)
		}, []string{"edited/b/1"}},
		{"InsertedEvent", func(t *testing.T, s *store, d chains) {
			s.exec(t, `UPDATE dossier_events SET seq = seq + 100 WHERE dossier_id = ? AND seq >= 3`, d.a.ID)
			s.exec(t, `UPDATE dossier_events SET seq = seq - 99 WHERE dossier_id = ? AND seq >= 100`, d.a.ID)
			e := *d.a.Events[2]
			e.Payload = []byte(`{"note":"inserted"}`)
			motcua.Chain(d.a.Events[1].Hash, []*motcua.Event{&e})
			insertEvent(t, s, &e)
		}, []string{"broken_link/a/4", "checkpoint/a/5"}},
		{"DeletedEvent", func(t *testing.T, s *store, d chains) {
			s.exec(t, `DELETE FROM dossier_events WHERE dossier_id = ? AND seq = 3`, d.a.ID)
		}, []string{"gap/a/3"}},
		{"TruncatedTail", func(t *testing.T, s *store, d chains) {
			s.exec(t, `DELETE FROM dossier_events WHERE dossier_id = ? AND seq = 5`, d.a.ID)
		}, []string{"truncated/a/5", "checkpoint/a/5"}},
		{"TruncatedTailAndRow", func(t *testing.T, s *store, d chains) {
			s.exec(t, `DELETE FROM dossier_events WHERE dossier_id = ? AND seq = 5`, d.a.ID)
			s.exec(t, `UPDATE dossiers SET version = 4, head_hash = ?, status = ?, finished_at = NULL WHERE id = ?`,
				d.a.Events[3].Hash, string(motcua.StatusProcessing), d.a.ID)
		}, []string{"checkpoint/a/5", "document/a/0"}},
		{"RewrittenChain", func(t *testing.T, s *store, d chains) {
			// Remove event 3 and 4, renumber and rehash the rest, and
			// update the row to match: only the checkpoint sees it.
			s.exec(t, `DELETE FROM dossier_events WHERE dossier_id = ? AND seq >= 3`, d.a.ID)
			e := *d.a.Events[4]
			e.Seq = 3
			motcua.Chain(d.a.Events[1].Hash, []*motcua.Event{&e})
			insertEvent(t, s, &e)
			s.exec(t, `UPDATE dossiers SET version = 3, head_hash = ? WHERE id = ?`, e.Hash, d.a.ID)
		}, []string{"checkpoint/a/5", "document/a/0"}},
		{"EditedDocument", func(t *testing.T, s *store, d chains) {
			// What a look-up shows is changed, the chain is not.
			s.exec(t, `UPDATE dossiers SET doc = REPLACE(doc, 'Giấy chứng sinh', 'Giấy tờ khác') WHERE id = ?`, d.a.ID)
		}, []string{"document/a/3"}},
		{"DocumentNotJSON", func(t *testing.T, s *store, d chains) {
			s.exec(t, `UPDATE dossiers SET doc = 'garbage' WHERE id = ?`, d.b.ID)
		}, []string{"document/b/0"}},
		{"DeletedDossier", func(t *testing.T, s *store, d chains) {
			s.exec(t, `DELETE FROM dossier_events WHERE dossier_id = ?`, d.c.ID)
			s.exec(t, `DELETE FROM dossiers WHERE id = ?`, d.c.ID)
		}, []string{"checkpoint/c/1"}},
		{"DeletedEvents", func(t *testing.T, s *store, d chains) {
			s.exec(t, `DELETE FROM dossier_events WHERE dossier_id = ?`, d.c.ID)
		}, []string{"truncated/c/1", "checkpoint/c/1"}},
		{"DeletedRow", func(t *testing.T, s *store, d chains) {
			if s.Engine() == sqlstore.EnginePostgres {
				s.exec(t, `SET session_replication_role = replica`)
			}
			s.exec(t, `DELETE FROM dossiers WHERE id = ?`, d.c.ID)
		}, []string{"head_mismatch/c/1"}},
		{"EditedRow", func(t *testing.T, s *store, d chains) {
			s.exec(t, `UPDATE dossiers SET status = ? WHERE id = ?`, string(motcua.StatusReturned), d.c.ID)
		}, []string{"head_mismatch/c/1"}},
		{"EditedCheckpoint", func(t *testing.T, s *store, d chains) {
			s.exec(t, `UPDATE checkpoints SET dossiers = 2 WHERE id = 2`)
		}, []string{"checkpoint//0"}},
		{"DeletedCheckpoint", func(t *testing.T, s *store, d chains) {
			s.exec(t, `DELETE FROM checkpoint_heads WHERE checkpoint_id = 1`)
			s.exec(t, `DELETE FROM checkpoints WHERE id = 1`)
		}, []string{"checkpoint//0", "checkpoint//0", "checkpoint/a/5", "checkpoint/b/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
				s := mustOpenStore(t, dsn)
				ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
				var d chains
				d.a = s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
				s.clock.Advance(time.Hour)
				d.a = s.mustApply(t, d.a.ID, motcua.ActionStart, motcua.ActionRequestSupplement, motcua.ActionSupplement, motcua.ActionReady)
				d.b = s.mustCreate(t, testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelOnline)
				if _, err := s.Checkpoint(ctx); err != nil {
					t.Fatal(err)
				}
				s.clock.Advance(time.Hour)
				d.c = s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
				if c, err := s.Checkpoint(ctx); err != nil || c.ID != 2 {
					t.Fatalf("Checkpoint = %+v, %v", c, err)
				}

				tt.tamper(t, s, d)
				r, err := s.VerifyDossiers(ctx)
				if err != nil {
					t.Fatal(err)
				}
				names := map[string]string{d.a.ID: "a", d.b.ID: "b", d.c.ID: "c"}
				var got []string
				for _, p := range r.Problems {
					got = append(got, fmt.Sprintf("%s/%s/%d", p.Kind, names[p.DossierID], p.Seq))
					if p.DossierID == d.a.ID && p.DossierCode != d.a.Code && p.Kind != motcua.ProblemCheckpoint {
						t.Errorf("problem %+v does not name the code %s", p, d.a.Code)
					}
					if p.Message == "" {
						t.Errorf("problem %+v has no message", p)
					}
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(tt.want))
				if !slices.Equal(got, want) || r.OK != (len(want) == 0) {
					t.Errorf("problems %v (OK %v); want %v\n%s", got, r.OK, want, describe(r))
				}
				if tt.name == "Clean" && (r.Dossiers != 3 || r.Events != 8 || r.Checkpoint == nil || r.Checkpoint.ID != 2) {
					t.Errorf("report %+v", r)
				}
			})
		})
	}
}

func insertEvent(t *testing.T, s *store, e *motcua.Event) {
	t.Helper()
	s.exec(t, `INSERT INTO dossier_events (dossier_id, seq, action, actor_kind, actor_id, actor_name, at,
		from_status, to_status, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.DossierID, e.Seq, e.Action, e.Actor.Kind, e.Actor.ID, e.Actor.Name, e.At,
		string(e.FromStatus), string(e.ToStatus), string(e.Payload), e.PrevHash, e.Hash)
}

func describe(r *motcua.VerifyReport) string {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "\t%s %s %s seq %d: %s\n", p.Kind, p.DossierID, p.DossierCode, p.Seq, p.Message)
	}
	return b.String()
}
