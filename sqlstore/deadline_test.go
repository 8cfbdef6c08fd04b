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

// deadline returns a deadline of task at the commune's People's Committee,
// held by a specialist, due-soon at testNow+soon and due at testNow+due.
func deadline(dossier string, task int, soon, due time.Duration) motcua.Deadline {
	return motcua.Deadline{
		DossierID: dossier, Code: "C-" + dossier, Task: task,
		Agency: testkit.AgencyCommune, Unit: testkit.UnitCommune, Role: motcua.RoleSpecialist,
		SoonAt: testNow.Add(soon), DueAt: testNow.Add(due),
	}
}

func (s *store) mustWriteDeadlines(t testing.TB, dossier string, ds ...motcua.Deadline) {
	t.Helper()
	if err := s.WriteDeadlines(context.Background(), dossier, ds); err != nil {
		t.Fatal(err)
	}
}

// mustScan scans at testNow+at in batches of limit until a batch comes
// back short, and returns the alerts emitted.
func (s *store) mustScan(t testing.TB, at time.Duration, limit int) int {
	t.Helper()
	total := 0
	for {
		n, err := s.ScanDeadlines(context.Background(), testNow.Add(at), limit)
		if err != nil {
			t.Fatal(err)
		}
		total += n.Emitted
		if n.Taken < limit {
			return total
		}
	}
}

// allAlerts returns every alert, as an administrator sees them.
func allAlerts(t testing.TB, svc motcua.DeadlineService) []*motcua.Alert {
	t.Helper()
	var all []*motcua.Alert
	f := motcua.AlertFilter{Actor: motcua.BootstrapAdmin, Limit: 1000}
	for {
		page, err := svc.FindAlerts(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < f.Limit {
			return all
		}
		f.After = page[len(page)-1].ID
	}
}

// alertKeys names alerts "dossier/task/kind" in ID order.
func alertKeys(alerts []*motcua.Alert) []string {
	keys := make([]string, len(alerts))
	for i, a := range alerts {
		keys[i] = fmt.Sprintf("%s/%d/%s", a.DossierID, a.Task, a.Kind)
	}
	return keys
}

func TestScanDeadlines(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		s.mustWriteDeadlines(t, "D1", deadline("D1", 0, 1*time.Hour, 2*time.Hour), deadline("D1", 1, 30*time.Minute, 3*time.Hour))
		s.mustWriteDeadlines(t, "D2", deadline("D2", 0, 1*time.Hour, 2*time.Hour))
		s.mustWriteDeadlines(t, "D3", deadline("D3", 0, 4*time.Hour, 5*time.Hour))

		steps := []struct {
			at   time.Duration
			want []string // alerts emitted, in ID order
		}{
			{0, nil},
			{29 * time.Minute, nil},
			{30 * time.Minute, []string{"D1/1/due_soon"}},
			{time.Hour, []string{"D1/0/due_soon", "D2/0/due_soon"}},
			{time.Hour, nil},
			{2 * time.Hour, []string{"D1/0/overdue", "D2/0/overdue"}},
			{150 * time.Minute, nil},
			// The first scan after D3's due time emits only its overdue
			// alert: the due-soon alert of a missed deadline is skipped.
			{6 * time.Hour, []string{"D1/1/overdue", "D3/0/overdue"}},
			{7 * time.Hour, nil},
		}
		var want []string
		for _, st := range steps {
			if n := s.mustScan(t, st.at, 1); n != len(st.want) {
				t.Fatalf("scan at +%v emitted %d alerts; want %d", st.at, n, len(st.want))
			}
			want = append(want, st.want...)
			if got := alertKeys(allAlerts(t, s)); !slices.Equal(got, want) {
				t.Fatalf("after the scan at +%v, alerts = %v; want %v", st.at, got, want)
			}
		}

		alerts := allAlerts(t, s)
		a := alerts[0]
		wantAlert := motcua.Alert{ID: a.ID, Kind: motcua.AlertDueSoon, DossierID: "D1", Code: "C-D1", Task: 1,
			Agency: testkit.AgencyCommune, Unit: testkit.UnitCommune, Role: motcua.RoleSpecialist,
			DueAt: testNow.Add(3 * time.Hour), At: testNow.Add(30 * time.Minute)}
		if *a != wantAlert {
			t.Errorf("first alert = %+v; want %+v", *a, wantAlert)
		}
		for _, d := range []string{"D1", "D2", "D3"} {
			ds, err := s.Deadlines(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range ds {
				if len(st.Queued) != 0 {
					t.Errorf("%s task %d: %v still queued; want nothing left", d, st.Task, st.Queued)
				}
			}
		}
	})
}

func TestScanDeadlinesInBatches(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		for i := range 25 {
			id := fmt.Sprintf("D%02d", i)
			s.mustWriteDeadlines(t, id, deadline(id, 0, time.Hour, 2*time.Hour))
		}
		ctx := context.Background()
		for _, want := range []int{10, 10, 5, 0} {
			n, err := s.ScanDeadlines(ctx, testNow.Add(time.Hour), 10)
			if err != nil {
				t.Fatal(err)
			}
			if n != (motcua.Scan{Taken: want, Emitted: want}) {
				t.Fatalf("batch = %+v; want %d taken and emitted", n, want)
			}
		}
		if _, err := s.ScanDeadlines(ctx, testNow, 0); err == nil {
			t.Fatal("a scan with limit 0 succeeded")
		} else {
			wantError(t, err, motcua.EINVALID)
		}
	})
}

func TestWriteDeadlines(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		state := func(dossier string) []sqlstore.DeadlineState {
			t.Helper()
			ds, err := s.Deadlines(ctx, dossier)
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}
		d0, d1 := deadline("D1", 0, time.Hour, 4*time.Hour), deadline("D1", 1, time.Hour, 2*time.Hour)
		s.mustWriteDeadlines(t, "D1", d0, d1)
		s.mustWriteDeadlines(t, "D2", deadline("D2", 0, time.Hour, 2*time.Hour))
		if n := s.mustScan(t, time.Hour, 100); n != 3 {
			t.Fatalf("due-soon scan emitted %d; want 3", n)
		}

		// Written again unchanged, or with a new holder, a deadline keeps
		// what was sent.
		moved := d1
		moved.Agency, moved.Unit = testkit.AgencyDistrict, testkit.UnitDistrict
		s.mustWriteDeadlines(t, "D1", d0, moved)
		if n := s.mustScan(t, time.Hour, 100); n != 0 {
			t.Fatalf("scan after an unchanged write emitted %d; want 0", n)
		}
		want := []sqlstore.DeadlineState{
			{Task: 0, Agency: testkit.AgencyCommune, DueAt: d0.DueAt, SoonAt: d0.SoonAt, Queued: []string{motcua.AlertOverdue}},
			{Task: 1, Agency: testkit.AgencyDistrict, DueAt: d1.DueAt, SoonAt: d1.SoonAt, Queued: []string{motcua.AlertOverdue}},
		}
		if got := state("D1"); !equalStates(got, want) {
			t.Fatalf("after an unchanged write: %+v; want %+v", got, want)
		}

		// The overdue alert goes to the new holder.
		if n := s.mustScan(t, 2*time.Hour, 100); n != 2 {
			t.Fatalf("overdue scan emitted %d; want 2", n)
		}
		last := allAlerts(t, s)
		if a := last[len(last)-2]; a.DossierID != "D1" || a.Task != 1 || a.Agency != testkit.AgencyDistrict {
			t.Errorf("overdue alert of D1/1 = %+v; want it at %s", a, testkit.AgencyDistrict)
		}

		// A new due time starts again: task 1 of D1 is given more time,
		// task 0 is closed, task 2 opens.
		d1.SoonAt, d1.DueAt = testNow.Add(5*time.Hour), testNow.Add(6*time.Hour)
		d2 := deadline("D1", 2, 0, 3*time.Hour)
		d2.SoonAt = time.Time{} // no due-soon time: the due time
		s.mustWriteDeadlines(t, "D1", d1, d2)
		want = []sqlstore.DeadlineState{
			{Task: 1, Agency: testkit.AgencyCommune, DueAt: d1.DueAt, SoonAt: d1.SoonAt, Queued: []string{motcua.AlertDueSoon, motcua.AlertOverdue}},
			{Task: 2, Agency: testkit.AgencyCommune, DueAt: d2.DueAt, SoonAt: d2.DueAt, Queued: []string{motcua.AlertOverdue}},
		}
		if got := state("D1"); !equalStates(got, want) {
			t.Fatalf("after a new due time: %+v; want %+v", got, want)
		}
		if n := s.mustScan(t, 5*time.Hour, 100); n != 2 {
			t.Fatalf("scan after a new due time emitted %d; want 2 (D1/2 overdue, D1/1 due soon)", n)
		}

		// Going back to a due time whose alerts were emitted emits none
		// again: each alert of a due time is emitted once.
		d1.SoonAt, d1.DueAt = testNow.Add(time.Hour), testNow.Add(2*time.Hour)
		s.mustWriteDeadlines(t, "D1", d1)
		if n := s.mustScan(t, 5*time.Hour, 100); n != 0 {
			t.Fatalf("scan after restoring a due time emitted %d; want 0", n)
		}
		if got := len(state("D1")); got != 1 {
			t.Fatalf("D1 has %d deadlines; want 1", got)
		}

		// No deadline left: the rows go.
		s.mustWriteDeadlines(t, "D1")
		s.mustWriteDeadlines(t, "D9") // never had any
		if got := state("D1"); len(got) != 0 {
			t.Fatalf("D1 has deadlines %+v after all were removed", got)
		}
		if got := len(state("D2")); got != 1 {
			t.Fatalf("D2 has %d deadlines; want 1", got)
		}

		for name, ds := range map[string][]motcua.Deadline{
			"another dossier": {deadline("D2", 0, time.Hour, 2*time.Hour)},
			"a task twice":    {deadline("D1", 0, time.Hour, 2*time.Hour), deadline("D1", 0, time.Hour, 3*time.Hour)},
			"no due time":     {{DossierID: "D1", Task: 3}},
		} {
			if err := s.WriteDeadlines(ctx, "D1", ds); err == nil {
				t.Errorf("writing %s succeeded", name)
			}
		}
	})
}

func equalStates(a, b []sqlstore.DeadlineState) bool {
	return slices.EqualFunc(a, b, func(x, y sqlstore.DeadlineState) bool {
		return x.Task == y.Task && x.Agency == y.Agency && x.DueAt.Equal(y.DueAt) && x.SoonAt.Equal(y.SoonAt) &&
			slices.Equal(x.Queued, y.Queued)
	})
}

// TestScanDeadlinesConcurrently runs scans from two DBs on the same
// database at once, two goroutines each: every alert is emitted once.
func TestScanDeadlinesConcurrently(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		other := testkit.MustOpenDB(t, dsn, sqlstore.Options{})
		const dossiers = 300
		for i := range dossiers {
			id := fmt.Sprintf("D%03d", i)
			s.mustWriteDeadlines(t, id, deadline(id, 0, time.Hour, 2*time.Hour), deadline(id, 1, 90*time.Minute, 3*time.Hour))
		}
		ctx := context.Background()
		for _, phase := range []struct {
			at   time.Duration
			want int
		}{{2 * time.Hour, 2 * dossiers}, {3 * time.Hour, dossiers}} {
			var wg sync.WaitGroup
			counts := make([]int, 4)
			for g := range counts {
				svc := motcua.DeadlineService(s.DB)
				if g%2 == 1 {
					svc = other
				}
				wg.Go(func() {
					for {
						n, err := svc.ScanDeadlines(ctx, testNow.Add(phase.at), 7)
						if err != nil {
							t.Error(err)
							return
						}
						counts[g] += n.Emitted
						if n.Taken == 0 {
							return
						}
					}
				})
			}
			wg.Wait()
			if n := s.mustScan(t, phase.at, 100); n != 0 {
				t.Errorf("scan after the concurrent ones emitted %d", n)
			}
			total := 0
			for _, n := range counts {
				total += n
			}
			if total != phase.want {
				t.Errorf("scans at +%v emitted %d alerts (%v); want %d", phase.at, total, counts, phase.want)
			}
		}
		alerts := allAlerts(t, s)
		if len(alerts) != 3*dossiers {
			t.Errorf("%d alerts stored; want %d", len(alerts), 3*dossiers)
		}
		seen := map[string]bool{}
		for _, k := range alertKeys(alerts) {
			if seen[k] {
				t.Errorf("alert %s emitted twice", k)
			}
			seen[k] = true
		}
		// D*/0 was due at +2h, D*/1 due-soon at +1h30 and due at +3h.
		for i := range dossiers {
			id := fmt.Sprintf("D%03d", i)
			for _, k := range []string{id + "/0/overdue", id + "/1/due_soon", id + "/1/overdue"} {
				if !seen[k] {
					t.Errorf("alert %s missing", k)
				}
			}
		}
	})
}

func TestFindAlerts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		held := func(dossier, agency, unit, role string) motcua.Deadline {
			d := deadline(dossier, 0, time.Hour, 2*time.Hour)
			d.Agency, d.Unit, d.Role = agency, unit, role
			return d
		}
		for _, d := range []motcua.Deadline{
			held("commune-specialist", testkit.AgencyCommune, testkit.UnitCommune, motcua.RoleSpecialist),
			held("commune-one-door", testkit.AgencyCommune, testkit.UnitCommune, motcua.RoleOneDoor),
			held("district-specialist", testkit.AgencyDistrict, testkit.UnitDistrict, motcua.RoleSpecialist),
			held("city-specialist", testkit.AgencyJustice, testkit.UnitCity, motcua.RoleSpecialist),
		} {
			s.mustWriteDeadlines(t, d.DossierID, d)
		}
		if n := s.mustScan(t, time.Hour, 100); n != 4 {
			t.Fatalf("scan emitted %d; want 4", n)
		}
		s.mustWriteDeadlines(t, "late", held("late", testkit.AgencyCommune, testkit.UnitCommune, motcua.RoleSpecialist))
		if n := s.mustScan(t, 3*time.Hour, 100); n != 5 {
			t.Fatalf("scan emitted %d; want 5", n)
		}

		officer := func(grants ...motcua.Grant) motcua.Actor {
			return motcua.Actor{Kind: motcua.ActorOfficer, ID: "officer", Grants: grants}
		}
		dossiers := func(alerts []*motcua.Alert) []string {
			var ds []string
			for _, a := range alerts {
				if !slices.Contains(ds, a.DossierID) {
					ds = append(ds, a.DossierID)
				}
			}
			slices.Sort(ds)
			return ds
		}
		all := []string{"city-specialist", "commune-one-door", "commune-specialist", "district-specialist", "late"}
		tests := []struct {
			name  string
			actor motcua.Actor
			want  []string
		}{
			{"admin", motcua.BootstrapAdmin, all},
			{"commune specialist", officer(motcua.Grant{Role: motcua.RoleSpecialist, Unit: testkit.UnitCommune}),
				[]string{"commune-specialist", "late"}},
			{"commune one-door officer", officer(motcua.Grant{Role: motcua.RoleOneDoor, Unit: testkit.UnitCommune}),
				[]string{"commune-one-door"}},
			{"district specialist sees the communes below", officer(motcua.Grant{Role: motcua.RoleSpecialist, Unit: testkit.UnitDistrict}),
				[]string{"commune-specialist", "district-specialist", "late"}},
			{"another district sees nothing of this one", officer(motcua.Grant{Role: motcua.RoleLeader, Unit: testkit.UnitOther}), nil},
			{"grant restricted to the district's agency", officer(motcua.Grant{Role: motcua.RoleSpecialist, Unit: testkit.UnitDistrict, Agency: testkit.AgencyDistrict}),
				[]string{"district-specialist"}},
			{"district leader sees every role", officer(motcua.Grant{Role: motcua.RoleLeader, Unit: testkit.UnitDistrict}),
				[]string{"commune-one-door", "commune-specialist", "district-specialist", "late"}},
			{"commune leader", officer(motcua.Grant{Role: motcua.RoleLeader, Unit: testkit.UnitCommune}),
				[]string{"commune-one-door", "commune-specialist", "late"}},
			{"city specialist", officer(motcua.Grant{Role: motcua.RoleSpecialist, Unit: testkit.UnitCity}),
				[]string{"city-specialist", "commune-specialist", "district-specialist", "late"}},
			{"two grants", officer(motcua.Grant{Role: motcua.RoleOneDoor, Unit: testkit.UnitCommune},
				motcua.Grant{Role: motcua.RoleSpecialist, Unit: testkit.UnitCity, Agency: testkit.AgencyJustice}),
				[]string{"city-specialist", "commune-one-door"}},
			{"another role sees nothing", officer(motcua.Grant{Role: motcua.RoleAuditor, Unit: testkit.UnitCity}), nil},
			{"no grants", officer(), nil},
			{"system", motcua.SystemActor, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				alerts, err := s.FindAlerts(ctx, motcua.AlertFilter{Actor: tt.actor})
				if err != nil {
					t.Fatal(err)
				}
				if got := dossiers(alerts); !slices.Equal(got, tt.want) {
					t.Errorf("dossiers = %v; want %v", got, tt.want)
				}
				if !slices.IsSortedFunc(alerts, func(a, b *motcua.Alert) int { return int(a.ID - b.ID) }) {
					t.Errorf("alerts not in ID order: %v", alertKeys(alerts))
				}
			})
		}

		district := officer(motcua.Grant{Role: motcua.RoleLeader, Unit: testkit.UnitDistrict})
		filters := []struct {
			name string
			f    motcua.AlertFilter
			want []string
		}{
			{"kind", motcua.AlertFilter{Actor: district, Kind: motcua.AlertOverdue},
				[]string{"commune-one-door/0/overdue", "commune-specialist/0/overdue", "district-specialist/0/overdue", "late/0/overdue"}},
			{"agency", motcua.AlertFilter{Actor: district, Agency: testkit.AgencyDistrict},
				[]string{"district-specialist/0/due_soon", "district-specialist/0/overdue"}},
			{"agency outside the grants", motcua.AlertFilter{Actor: district, Agency: testkit.AgencyJustice}, nil},
			{"kind and agency", motcua.AlertFilter{Actor: motcua.BootstrapAdmin, Kind: motcua.AlertDueSoon, Agency: testkit.AgencyJustice},
				[]string{"city-specialist/0/due_soon"}},
			{"limit", motcua.AlertFilter{Actor: motcua.BootstrapAdmin, Kind: motcua.AlertOverdue, Limit: 2}, nil}, // checked below
		}
		for _, tt := range filters {
			t.Run(tt.name, func(t *testing.T) {
				alerts, err := s.FindAlerts(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				got := alertKeys(alerts)
				if tt.f.Limit != 0 {
					if len(got) != tt.f.Limit {
						t.Fatalf("got %d alerts; want %d", len(got), tt.f.Limit)
					}
					return
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("alerts = %v; want %v", got, tt.want)
				}
			})
		}

		// Paging with After goes through every alert once.
		all9 := allAlerts(t, s)
		var paged []*motcua.Alert
		f := motcua.AlertFilter{Actor: motcua.BootstrapAdmin, Limit: 2}
		for {
			page, err := s.FindAlerts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			f.After = page[len(page)-1].ID
		}
		if got, want := alertKeys(paged), alertKeys(all9); !slices.Equal(got, want) || len(want) != 9 {
			t.Errorf("paged alerts = %v; want the 9 alerts %v", got, want)
		}

		_, err := s.FindAlerts(ctx, motcua.AlertFilter{Actor: motcua.BootstrapAdmin, Kind: "late"})
		wantError(t, err, motcua.EINVALID)
	})
}

// TestScanUsesIndex checks that a scan finds the due times through the
// queue's key, in its order.
func TestScanUsesIndex(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		err := s.InsertDeadlines(ctx, 10_000, func(i int) motcua.Deadline {
			return deadline(fmt.Sprintf("D%05d", i), 0, time.Duration(i)*time.Minute, time.Duration(i+60)*time.Minute)
		})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := s.ScanPlan(ctx, testNow.Add(10*time.Minute), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "PRIMARY KEY") && !strings.Contains(plan, "deadline_queue_pkey") {
			t.Errorf("the scan does not use the queue's key:\n%s", plan)
		}
		if strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("the scan sorts:\n%s", plan)
		}
	})
}

// BenchmarkScanDeadlines measures the pass of the scheduler over a million
// open deadlines of which 1% are due (half overdue, half due soon): scans
// of a thousand until one takes nothing ("pass"), against the count of the
// due times through the queue's key ("count"), the floor under a scan.
// The due deadlines are every hundredth row, spread over the whole
// deadlines table as the worst case is, or the first rows. The deadlines
// are loaded once, before either is timed.
func BenchmarkScanDeadlines(b *testing.B) {
	const total, due = 1_000_000, 10_000
	agencies := []string{testkit.AgencyCommune, testkit.AgencyDistrict, testkit.AgencyJustice}
	units := []string{testkit.UnitCommune, testkit.UnitDistrict, testkit.UnitCity}
	for _, layout := range []string{"scattered", "clustered"} {
		b.Run(layout, func(b *testing.B) { benchScan(b, layout == "clustered", total, due, agencies, units) })
	}
}

// benchScan is BenchmarkScanDeadlines on one layout of the due rows:
// every hundredth row (scattered), or the first rows inserted (clustered),
// as deadlines falling due together usually were created together.
func benchScan(b *testing.B, clustered bool, total, due int, agencies, units []string) {
	benchEngines(b, func(b *testing.B, s *store) {
		ctx := context.Background()
		now := testNow
		err := s.InsertDeadlines(ctx, total, func(i int) motcua.Deadline {
			d := motcua.Deadline{
				DossierID: fmt.Sprintf("B%025d", i), Code: fmt.Sprintf("%s-250310-%04d", agencies[i%3], i%10_000),
				Task: i % 2, Agency: agencies[i%3], Unit: units[i%3], Role: motcua.RoleSpecialist,
			}
			isDue, half := i%(total/due) == 0, i/(total/due)%2 == 0
			if clustered {
				isDue, half = i < due, i%2 == 0
			}
			if isDue {
				// Due: soon in the past hour; half of them overdue too.
				d.SoonAt = now.Add(-time.Duration(1+i%3600) * time.Second)
				d.DueAt = now.Add(time.Hour)
				if half {
					d.DueAt = d.SoonAt.Add(time.Second)
				}
			} else {
				// Not yet due: soon in the next 30 days.
				d.SoonAt = now.Add(time.Duration(1+i%(30*86_400)) * time.Second)
				d.DueAt = d.SoonAt.Add(8 * time.Hour)
			}
			return d
		})
		if err != nil {
			b.Fatal(err)
		}
		// Each due deadline has its due-soon time queued; half of them
		// their due time too.
		queued := due + due/2
		b.Run("count", func(b *testing.B) {
			for b.Loop() {
				n, err := s.CountDueDeadlines(ctx, now)
				if err != nil {
					b.Fatal(err)
				}
				if n != queued {
					b.Fatalf("counted %d due times; want %d", n, queued)
				}
			}
		})
		b.Run("pass", func(b *testing.B) {
			for b.Loop() {
				emitted := 0
				for {
					n, err := s.ScanDeadlines(ctx, now, 1000)
					if err != nil {
						b.Fatal(err)
					}
					if n.Taken == 0 {
						break
					}
					emitted += n.Emitted
				}
				b.StopTimer()
				if emitted != due {
					b.Fatalf("a pass emitted %d alerts; want %d", emitted, due)
				}
				if err := s.ResetDeadlines(ctx, now); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(due), "alerts/op")
		})
	})
}

// TestMigrateDeadlineQueue upgrades a database whose deadlines carried
// what was sent in their own rows: each time not yet sent is queued, and
// the scan then emits exactly those.
func TestMigrateDeadlineQueue(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		ts := func(d time.Duration) string { return "'" + testNow.Add(d).UTC().Format(time.RFC3339Nano) + "'" }
		row := func(id string, soon, due time.Duration, next string, soonSent, overdueSent bool) string {
			return fmt.Sprintf(`INSERT INTO deadlines (dossier_id, task, code, agency, unit, role, due_at, soon_at, next_at, soon_sent, overdue_sent)
VALUES ('%s', 0, 'C-%s', '%s', '%s', 'specialist', %s, %s, %s, %t, %t)`,
				id, id, testkit.AgencyCommune, testkit.UnitCommune, ts(due), ts(soon), next, soonSent, overdueSent)
		}
		err := sqlstore.ExecThrough(ctx, dsn, "0005_deadlines.sql",
			row("fresh", time.Hour, 2*time.Hour, ts(time.Hour), false, false),
			row("warned", -time.Hour, time.Hour, ts(time.Hour), true, false),
			row("late", -2*time.Hour, -time.Hour, "NULL", true, true),
			row("nosoon", 3*time.Hour, 3*time.Hour, ts(3*time.Hour), false, false),
		)
		if err != nil {
			t.Fatal(err)
		}
		s := mustOpenStore(t, dsn)
		for id, want := range map[string][]string{
			"fresh":  {motcua.AlertDueSoon, motcua.AlertOverdue},
			"warned": {motcua.AlertOverdue},
			"late":   nil,
			"nosoon": {motcua.AlertOverdue},
		} {
			ds, err := s.Deadlines(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 1 || !slices.Equal(ds[0].Queued, want) {
				t.Errorf("%s after the upgrade: %+v; want %v queued", id, ds, want)
			}
		}
		if n := s.mustScan(t, 4*time.Hour, 100); n != 3 {
			t.Errorf("the scan after the upgrade emitted %d alerts; want 3 (fresh, warned and nosoon overdue)", n)
		}
	})
}
