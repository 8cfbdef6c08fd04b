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

var (
	auditOfficer = motcua.Actor{Kind: motcua.ActorOfficer, ID: "an.nv", Name: "Nguyễn Văn An"}
	auditCitizen = motcua.Actor{Kind: motcua.ActorCitizen, ID: "001090000001", Name: "Trần Thị Bình"}
)

// auditLog appends n records, one a minute from testNow: actions, actors
// and objects cycle so that each filter selects some of them. Record i
// (from 1) is at testNow + (i-1) minutes.
func auditLog(t testing.TB, s *store, n int) []*motcua.AuditRecord {
	t.Helper()
	actions := []string{motcua.AuditSignIn, motcua.AuditPersonalView, motcua.AuditStaffChange}
	var records []*motcua.AuditRecord
	for i := range n {
		r := &motcua.AuditRecord{
			At:     testNow.Add(time.Duration(i) * time.Minute),
			Actor:  []motcua.Actor{auditOfficer, auditCitizen}[i%2],
			Action: actions[i%3],
			Object: fmt.Sprintf("dossier:%d", i%4),
			IP:     "203.0.113.7",
			Detail: fmt.Sprintf("record %d", i+1),
		}
		if err := s.Audit(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		records = append(records, r)
	}
	return records
}

// sameAudit reports whether a and b are the same record.
func sameAudit(a, b *motcua.AuditRecord) bool {
	return a.Seq == b.Seq && a.At.Equal(b.At) && a.Actor.Same(b.Actor) && a.Action == b.Action && a.Object == b.Object &&
		a.Outcome == b.Outcome && a.IP == b.IP && a.Detail == b.Detail && a.PrevHash == b.PrevHash && a.Hash == b.Hash
}

func seqs(list []*motcua.AuditRecord) []int64 {
	out := []int64{}
	for _, r := range list {
		out = append(out, r.Seq)
	}
	return out
}

func TestAudit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		if r, err := s.VerifyAudit(ctx); err != nil || r.Records != 0 || len(r.Broken) != 0 {
			t.Fatalf("VerifyAudit of an empty log = %+v, %v", r, err)
		}
		records := auditLog(t, s, 12)
		// A batch, with the defaults: the transaction's time and "ok".
		s.clock.Set(testNow.Add(time.Hour + 1234567))
		batch := []*motcua.AuditRecord{
			{Actor: motcua.SystemActor, Action: motcua.AuditExport, Object: "register"},
			{Actor: motcua.BootstrapAdmin, Action: motcua.AuditAccessDenied, Outcome: motcua.OutcomeDenied},
		}
		if err := s.Audit(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		records = append(records, batch...)
		prev := ""
		for i, r := range records {
			if r.Seq != int64(i+1) || r.PrevHash != prev || r.Hash != r.ComputeHash() || r.At.Location() != time.UTC {
				t.Errorf("record %d: %+v", i+1, r)
			}
			prev = r.Hash
		}
		if at := testNow.Add(time.Hour + 1234000); !batch[0].At.Equal(at) || batch[0].Outcome != motcua.OutcomeOK || batch[1].Outcome != motcua.OutcomeDenied {
			t.Errorf("batch %+v %+v; want at %v, outcomes ok and denied", batch[0], batch[1], at)
		}

		all, err := s.FindAudit(ctx, motcua.AuditFilter{})
		if err != nil || len(all) != len(records) {
			t.Fatalf("FindAudit = %d records, %v", len(all), err)
		}
		for i, r := range all {
			if !sameAudit(r, records[i]) {
				t.Errorf("found %+v\nwant  %+v", r, records[i])
			}
		}

		tests := []struct {
			name string
			f    motcua.AuditFilter
			want []int64
		}{
			{"All", motcua.AuditFilter{}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}},
			{"After", motcua.AuditFilter{After: 11}, []int64{12, 13, 14}},
			{"Limit", motcua.AuditFilter{After: 2, Limit: 3}, []int64{3, 4, 5}},
			{"Action", motcua.AuditFilter{Action: motcua.AuditPersonalView}, []int64{2, 5, 8, 11}},
			{"ActionAfter", motcua.AuditFilter{Action: motcua.AuditPersonalView, After: 5}, []int64{8, 11}},
			{"Actor", motcua.AuditFilter{ActorID: auditCitizen.ID}, []int64{2, 4, 6, 8, 10, 12}},
			{"Object", motcua.AuditFilter{Object: "dossier:1"}, []int64{2, 6, 10}},
			{"From", motcua.AuditFilter{From: testNow.Add(10 * time.Minute)}, []int64{11, 12, 13, 14}},
			{"To", motcua.AuditFilter{To: testNow.Add(2 * time.Minute)}, []int64{1, 2}},
			{"FromTo", motcua.AuditFilter{From: testNow.Add(3 * time.Minute), To: testNow.Add(6 * time.Minute)}, []int64{4, 5, 6}},
			{"ToInOtherZone", motcua.AuditFilter{To: testNow.Add(2 * time.Minute).In(motcua.Location())}, []int64{1, 2}},
			{"Combined", motcua.AuditFilter{ActorID: auditOfficer.ID, Action: motcua.AuditSignIn, Object: "dossier:0"}, []int64{1}},
			{"NoMatch", motcua.AuditFilter{Action: motcua.AuditTOTPChange}, []int64{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.FindAudit(ctx, tt.f)
				if err != nil || !slices.Equal(seqs(got), tt.want) {
					t.Errorf("FindAudit(%+v) = %v, %v; want %v", tt.f, seqs(got), err, tt.want)
				}
				// Paging by After, two at a time, finds the same.
				f := tt.f
				f.Limit = 2
				var paged []int64
				for {
					page, err := s.FindAudit(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if len(page) == 0 {
						break
					}
					paged = append(paged, seqs(page)...)
					f.After = page[len(page)-1].Seq
				}
				if tt.f.Limit == 0 && !slices.Equal(append([]int64{}, paged...), tt.want) {
					t.Errorf("paging %+v found %v; want %v", tt.f, paged, tt.want)
				}
			})
		}
		if r, err := s.VerifyAudit(ctx); err != nil || r.Records != 14 || len(r.Broken) != 0 {
			t.Errorf("VerifyAudit = %+v, %v", r, err)
		}
	})
}

func TestFindAuditLimit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		batch := make([]*motcua.AuditRecord, 1005)
		for i := range batch {
			batch[i] = &motcua.AuditRecord{Actor: auditOfficer, Action: motcua.AuditPersonalView, Object: fmt.Sprint("citizen:", i)}
		}
		if err := s.Audit(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ limit, want int }{{0, 100}, {7, 7}, {1000, 1000}, {5000, 1000}} {
			got, err := s.FindAudit(ctx, motcua.AuditFilter{Limit: tt.limit})
			if err != nil || len(got) != tt.want || got[0].Seq != 1 {
				t.Errorf("FindAudit limit %d = %d records, %v; want %d", tt.limit, len(got), err, tt.want)
			}
		}
		_, err := s.FindAudit(ctx, motcua.AuditFilter{Limit: -1})
		if e := wantError(t, err, motcua.EINVALID); !slices.Equal(fieldNames(e), []string{"limit"}) {
			t.Errorf("fields %v", fieldNames(e))
		}
		if r, err := s.VerifyAudit(ctx); err != nil || r.Records != 1005 || len(r.Broken) != 0 {
			t.Errorf("VerifyAudit = %+v, %v", r, err)
		}
	})
}

// TestAuditConcurrent appends from 16 goroutines on two DBs sharing one
// database: the records are numbered without gaps and the chain holds.
func TestAuditConcurrent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		dbs := []*sqlstore.DB{s.DB, testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: s.clock})}
		ctx := context.Background()
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				for i := range 20 {
					r := &motcua.AuditRecord{Actor: auditOfficer, Action: motcua.AuditSignIn, Detail: fmt.Sprintf("%d/%d", g, i)}
					if err := dbs[g%2].Audit(ctx, r); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		all, err := s.FindAudit(ctx, motcua.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		details := map[string]bool{}
		for i, r := range all {
			if r.Seq != int64(i+1) {
				t.Fatalf("record %d has seq %d", i+1, r.Seq)
			}
			details[r.Detail] = true
		}
		if len(all) != 320 || len(details) != 320 {
			t.Errorf("%d records, %d distinct; want 320", len(all), len(details))
		}
		if r, err := s.VerifyAudit(ctx); err != nil || r.Records != 320 || len(r.Broken) != 0 {
			t.Errorf("VerifyAudit = %+v, %v", r, err)
		}
	})
}

// TestAuditTampering tampers with the tables directly and checks that
// VerifyAudit names each edit, insertion and deletion.
func TestAuditTampering(t *testing.T) {
	// forge replaces the record at seq with one linked to the record
	// before it, with its own hash recomputed.
	forge := func(t *testing.T, s *store, records []*motcua.AuditRecord, seq int64) {
		s.exec(t, `DELETE FROM audit_log WHERE seq = ?`, seq)
		insertAudit(t, s, forged(records, seq))
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *store, records []*motcua.AuditRecord)
		want   []string // reason/seq
	}{
		{"Clean", func(*testing.T, *store, []*motcua.AuditRecord) {}, nil},
		{"EditedDetail", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 4`)
		}, []string{"edited/4"}},
		{"EditedTime", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			s.exec(t, `UPDATE audit_log SET at = ? WHERE seq = 2`, records[1].At.Add(time.Microsecond))
		}, []string{"edited/2"}},
		{"EditedOutcome", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `UPDATE audit_log SET outcome = 'failed' WHERE seq = 10`)
		}, []string{"edited/10"}},
		{"EditedWithHash", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			r := *records[3]
			r.Detail = "nothing happened"
			s.exec(t, `UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 4`, r.Detail, r.ComputeHash())
		}, []string{"inserted or deleted/5"}},
		{"DeletedFirst", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_log WHERE seq = 1`)
		}, []string{"missing/1"}},
		{"DeletedMiddle", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_log WHERE seq = 5`)
		}, []string{"missing/5"}},
		{"DeletedRange", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_log WHERE seq BETWEEN 4 AND 6`)
		}, []string{"missing/4"}},
		{"DeletedTwice", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_log WHERE seq IN (3, 7)`)
		}, []string{"missing/3", "missing/7"}},
		{"DeletedLast", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_log WHERE seq = 10`)
		}, []string{"missing/10"}},
		{"Truncated", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_log WHERE seq >= 8`)
		}, []string{"missing/8"}},
		{"DeletedAll", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_log`)
		}, []string{"missing/1"}},
		{"ForgedInPlace", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			forge(t, s, records, 5)
		}, []string{"inserted or deleted/6"}},
		{"ForgedFirst", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			forge(t, s, records, 1)
		}, []string{"inserted or deleted/2"}},
		{"ForgedLast", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			forge(t, s, records, 10)
		}, []string{"inserted or deleted/10"}},
		{"AppendedBehindHead", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			insertAudit(t, s, forged(records, 11))
		}, []string{"inserted or deleted/11"}},
		{"InsertedShifting", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			// Make room at 5, renumbering the rest, and insert there: the
			// renumbered records no longer match their hashes.
			s.exec(t, `UPDATE audit_log SET seq = seq + 100 WHERE seq >= 5`)
			s.exec(t, `UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100`)
			insertAudit(t, s, forged(records, 5))
		}, []string{"inserted or deleted/6", "edited/6", "edited/7", "edited/8", "edited/9", "edited/10", "edited/11",
			"inserted or deleted/11"}},
		{"HeadDeleted", func(t *testing.T, s *store, _ []*motcua.AuditRecord) {
			s.exec(t, `DELETE FROM audit_head`)
		}, []string{"head missing/0"}},
		{"HeadBehind", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			s.exec(t, `UPDATE audit_head SET seq = 9, hash = ?`, records[8].Hash)
		}, []string{"inserted or deleted/10"}},
		{"TruncatedWithHead", func(t *testing.T, s *store, records []*motcua.AuditRecord) {
			// Undetectable: the tail and the head rewritten together.
			s.exec(t, `DELETE FROM audit_log WHERE seq >= 8`)
			s.exec(t, `UPDATE audit_head SET seq = 7, hash = ?`, records[6].Hash)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
				s := mustOpenEmpty(t, dsn)
				records := auditLog(t, s, 10)
				tt.tamper(t, s, records)
				r, err := s.VerifyAudit(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, b := range r.Broken {
					got = append(got, fmt.Sprintf("%s/%d", b.Reason, b.Seq))
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("breaks %v; want %v", got, tt.want)
				}
				if tt.name == "Clean" && r.Records != 10 {
					t.Errorf("report %+v", r)
				}
			})
		})
	}
}

// forged returns a record to put at seq, linked to the genuine record
// before it, with its hash recomputed.
func forged(records []*motcua.AuditRecord, seq int64) *motcua.AuditRecord {
	r := &motcua.AuditRecord{Seq: seq, At: testNow.Add(time.Second), Actor: auditOfficer,
		Action: motcua.AuditSignIn, Outcome: motcua.OutcomeOK, Detail: "forged"}
	if seq > 1 {
		r.PrevHash = records[seq-2].Hash
	}
	r.Hash = r.ComputeHash()
	return r
}

func insertAudit(t *testing.T, s *store, r *motcua.AuditRecord) {
	t.Helper()
	s.exec(t, `INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_name, action, object, outcome, ip, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.At, r.Actor.Kind, r.Actor.ID, r.Actor.Name, r.Action, r.Object, r.Outcome, r.IP, r.Detail, r.PrevHash, r.Hash)
}

// TestAuditInvalid checks that bad records are refused, naming each bad
// field, and that nothing of a refused batch is written.
func TestAuditInvalid(t *testing.T) {
	good := func() *motcua.AuditRecord {
		return &motcua.AuditRecord{Actor: auditOfficer, Action: motcua.AuditSignIn}
	}
	tests := []struct {
		name    string
		records []*motcua.AuditRecord
		fields  []string
	}{
		{"NoAction", []*motcua.AuditRecord{{Actor: auditOfficer}}, []string{"records[0].action"}},
		{"NoActorKind", []*motcua.AuditRecord{{Actor: motcua.Actor{ID: "x"}, Action: motcua.AuditSignIn}}, []string{"records[0].actor.kind"}},
		{"BadOutcome", []*motcua.AuditRecord{{Actor: auditOfficer, Action: motcua.AuditSignIn, Outcome: "maybe"}}, []string{"records[0].outcome"}},
		{"DetailTooLong", []*motcua.AuditRecord{{Actor: auditOfficer, Action: motcua.AuditSignIn, Detail: strings.Repeat("ệ", 1334)}},
			[]string{"records[0].detail"}},
		{"NotUTF8", []*motcua.AuditRecord{{Actor: auditOfficer, Action: motcua.AuditSignInFailed, Object: "staff:\xff"}}, []string{"records[0].object"}},
		{"NUL", []*motcua.AuditRecord{{Actor: motcua.Actor{Kind: motcua.ActorCitizen, Name: "a\x00b"}, Action: motcua.AuditSignIn}},
			[]string{"records[0].actor.name"}},
		{"Nil", []*motcua.AuditRecord{nil}, []string{"records[0]"}},
		{"OneBadInBatch", []*motcua.AuditRecord{good(), {Action: motcua.AuditSignIn, Outcome: "?"}, good()},
			[]string{"records[1].actor.kind", "records[1].outcome"}},
		{"Several", []*motcua.AuditRecord{{}, {Actor: auditOfficer, Action: "x", Detail: strings.Repeat("x", 4001)}},
			[]string{"records[0].action", "records[0].actor.kind", "records[1].detail"}},
	}
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenEmpty(t, dsn)
		ctx := context.Background()
		first := good()
		first.Detail = strings.Repeat("x", 4000)
		if err := s.Audit(ctx, first); err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := wantError(t, s.Audit(ctx, tt.records...), motcua.EINVALID)
				if !slices.Equal(fieldNames(e), tt.fields) {
					t.Errorf("fields %v; want %v", fieldNames(e), tt.fields)
				}
				for _, r := range tt.records {
					if r != nil && (r.Seq != 0 || r.Hash != "") {
						t.Errorf("refused record was changed: %+v", r)
					}
				}
			})
		}
		if err := s.Audit(ctx); err != nil {
			t.Errorf("Audit of nothing: %v", err)
		}
		all, err := s.FindAudit(ctx, motcua.AuditFilter{})
		if err != nil || !slices.Equal(seqs(all), []int64{1}) {
			t.Errorf("FindAudit = %v, %v; want only the first record", seqs(all), err)
		}
		if r, err := s.VerifyAudit(ctx); err != nil || r.Records != 1 || len(r.Broken) != 0 {
			t.Errorf("VerifyAudit = %+v, %v", r, err)
		}
		// The log goes on after the refusals.
		next := good()
		if err := s.Audit(ctx, next); err != nil || next.Seq != 2 || next.PrevHash != first.Hash {
			t.Errorf("Audit after refusals = %+v, %v", next, err)
		}
	})
}

// BenchmarkAudit measures appending one record and ten records per call;
// compare with BenchmarkBaselineCommit in the same run.
func BenchmarkAudit(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			benchEngines(b, func(b *testing.B, s *store) {
				ctx := context.Background()
				for b.Loop() {
					batch := make([]*motcua.AuditRecord, n)
					for i := range batch {
						batch[i] = &motcua.AuditRecord{Actor: auditOfficer, Action: motcua.AuditPersonalView,
							Object: "citizen:001090000001", IP: "203.0.113.7", Detail: "viewed the applicant's record"}
					}
					if err := s.Audit(ctx, batch...); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
			})
		})
	}
}
