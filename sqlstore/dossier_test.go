package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
	"motcua/sqlstore"
)

func TestCreateDossier(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		officer := motcua.Actor{Kind: motcua.ActorOfficer, ID: "officer-1", Name: "Trần Thị Bình", Grants: allRoles}
		ctx := motcua.NewContextWithActor(context.Background(), officer)

		t.Run("Counter", func(t *testing.T) {
			d, replay, err := s.CreateDossier(ctx, testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter), "")
			if err != nil || replay {
				t.Fatal(err, replay)
			}
			if want := testkit.AgencyCommune + "-250310-0001"; d.Code != want {
				t.Errorf("code %q; want %q", d.Code, want)
			}
			if d.Status != motcua.StatusReceived || d.UnitCode != testkit.UnitCommune || d.ProcedureVersion != 1 || d.Version != 1 {
				t.Errorf("dossier %+v", d)
			}
			if !d.ReceivedAt.Equal(testNow) || !d.DueAt.Equal(time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)) || d.DueExplanation == nil {
				t.Errorf("received %v, due %v, %v", d.ReceivedAt, d.DueAt, d.DueExplanation)
			}
			if len(d.Events) != 1 || d.Events[0].Action != motcua.ActionReceive || !d.Events[0].Actor.Same(officer) || d.Events[0].PrevHash != "" {
				t.Fatalf("events %+v", d.Events)
			}
			for _, ref := range []string{d.ID, d.Code} {
				got, err := s.FindDossier(ctx, ref)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, stored(d)) {
					t.Errorf("FindDossier(%s) =\n%+v; want\n%+v", ref, got, d)
				}
			}
		})

		t.Run("Online", func(t *testing.T) {
			d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelOnline)
			if d.Code != "" || d.Status != motcua.StatusSubmitted || d.ReceivedAt != nil || len(d.Events) != 1 {
				t.Errorf("dossier %+v", d)
			}
			got, err := s.FindDossier(ctx, d.ID)
			if err != nil || !reflect.DeepEqual(got, stored(d)) {
				t.Errorf("FindDossier = %+v, %v; want %+v", got, err, d)
			}
		})

		t.Run("OnlineAutoReceive", func(t *testing.T) {
			d := s.mustCreate(t, testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelOnline)
			if want := testkit.AgencyCommune + "-250310-0002"; d.Code != want || d.Status != motcua.StatusReceived {
				t.Errorf("code %q, status %s; want %s, received", d.Code, d.Status, want)
			}
			if len(d.Events) != 2 || !d.Events[1].Actor.Same(motcua.SystemActor) || d.Events[1].PrevHash != d.Events[0].Hash {
				t.Errorf("events %+v", d.Events)
			}
		})

		t.Run("Invalid", func(t *testing.T) {
			tests := []struct {
				name   string
				in     *motcua.DossierInput
				fields []string
			}{
				{"Unknown", testkit.DossierInput("DEMO-0", "000.00.99.H26", motcua.ChannelCounter), []string{"procedure", "agency"}},
				{"NotHandled", testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyJustice, motcua.ChannelCounter), []string{"agency"}},
				{"Fields", func() *motcua.DossierInput {
					in := testkit.DossierInput("DEMO-0", testkit.AgencyCommune, "fax")
					in.Applicant.IDNumber = "123"
					in.Applicant.Email = "not an email"
					in.Form = json.RawMessage(`[1]`)
					return in
				}(), []string{"channel", "applicant.id_number", "applicant.email", "form", "procedure"}},
				{"Empty", &motcua.DossierInput{}, []string{"procedure", "agency", "channel", "applicant.name", "applicant.kind"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, _, err := s.CreateDossier(ctx, tt.in, "")
					e := wantError(t, err, motcua.EINVALID)
					if got := fieldNames(e); !reflect.DeepEqual(got, tt.fields) {
						t.Errorf("fields %v; want %v", got, tt.fields)
					}
				})
			}
			// Nothing was written: the counter goes on from the last valid dossier.
			d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
			if want := testkit.AgencyCommune + "-250310-0003"; d.Code != want {
				t.Errorf("code %q; want %q", d.Code, want)
			}
		})

		t.Run("CodeRestartsEachDay", func(t *testing.T) {
			defer s.clock.Set(testNow)
			// 23:59 in Hanoi is still 10 March; 00:00 is the 11th.
			s.clock.Set(time.Date(2025, 3, 10, 16, 59, 0, 0, time.UTC))
			if d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter); d.Code != testkit.AgencyCommune+"-250310-0004" {
				t.Errorf("code %q", d.Code)
			}
			s.clock.Set(time.Date(2025, 3, 10, 17, 0, 0, 0, time.UTC))
			if d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter); d.Code != testkit.AgencyCommune+"-250311-0001" {
				t.Errorf("code %q", d.Code)
			}
			if d := s.mustCreate(t, testkit.ProcedureCopy, testkit.AgencyDistrict, motcua.ChannelCounter); d.Code != testkit.AgencyDistrict+"-250311-0001" {
				t.Errorf("code %q", d.Code)
			}
		})

		t.Run("TenThousandth", func(t *testing.T) {
			s.exec(t, `INSERT INTO dossier_counters (agency_code, day, last) VALUES (?, ?, ?)`, testkit.AgencyJustice, "2025-03-10", 9999)
			d := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
			if want := testkit.AgencyJustice + "-250310-10000"; d.Code != want {
				t.Errorf("code %q; want %q", d.Code, want)
			}
		})

		t.Run("NotFound", func(t *testing.T) {
			for _, ref := range []string{motcua.NewDossierID(), "001.01.20.H26-250310-9999", ""} {
				_, err := s.FindDossier(ctx, ref)
				wantError(t, err, motcua.ENOTFOUND)
				_, err = s.ApplyAction(ctx, ref, motcua.ActionRequest{Action: motcua.ActionStart})
				wantError(t, err, motcua.ENOTFOUND)
			}
		})
	})
}

func TestIdempotency(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		in := func() *motcua.DossierInput {
			return testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		}

		first, replay, err := s.CreateDossier(ctx, in(), "key-1")
		if err != nil || replay {
			t.Fatal(err, replay)
		}
		// The same input, spelled differently before normalization.
		retry := in()
		retry.Applicant.Name = "  Nguyễn  Văn An "
		retry.Form = json.RawMessage(`{ "child_name": "Nguyễn Minh Khang", "birth_date": "2025-03-01" }`)
		again, replay, err := s.CreateDossier(ctx, retry, "key-1")
		if err != nil || !replay {
			t.Fatalf("retry: replay %v, %v", replay, err)
		}
		if !reflect.DeepEqual(again, stored(first)) {
			t.Errorf("replay =\n%+v; want\n%+v", again, first)
		}

		other := in()
		other.Applicant.Phone = "0987654321"
		_, _, err = s.CreateDossier(ctx, other, "key-1")
		if e := wantError(t, err, motcua.ECONFLICT); e.Reason != "idempotency_key_reused" {
			t.Errorf("reason %q", e.Reason)
		}

		_, _, err = s.CreateDossier(ctx, in(), string(make([]byte, 256)))
		wantError(t, err, motcua.EINVALID)

		// Another actor has keys of its own.
		citizen := motcua.NewContextWithActor(context.Background(), motcua.Actor{Kind: motcua.ActorCitizen, ID: "c-1"})
		d, replay, err := s.CreateDossier(citizen, in(), "key-1")
		if err != nil || replay || d.ID == first.ID {
			t.Errorf("other actor: %v, replay %v, %v", d.ID, replay, err)
		}

		// Concurrent requests with one key create one dossier.
		const n = 8
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				d, _, err := s.CreateDossier(ctx, in(), "key-2")
				if err == nil {
					ids[i] = d.ID
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("request %d: %s, %v; want %s", i, ids[i], errs[i], ids[0])
			}
		}
		d = s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		if want := testkit.AgencyCommune + "-250310-0004"; d.Code != want {
			t.Errorf("next code %q; want %q (no number lost to the duplicates)", d.Code, want)
		}
	})
}

func TestLifecycle(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		// Received on Monday 10 March 2025 at 09:00, due ten working days
		// later, on Monday 24 March at 09:00.
		d := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
		if due := time.Date(2025, 3, 24, 2, 0, 0, 0, time.UTC); !d.DueAt.Equal(due) {
			t.Fatalf("due %v; want %v", d.DueAt, due)
		}

		d = s.mustApply(t, d.Code, motcua.ActionStart)
		if d.Status != motcua.StatusProcessing || d.Version != 2 {
			t.Fatalf("after start: %s, version %d", d.Status, d.Version)
		}

		s.clock.Advance(24 * time.Hour)
		d, err := s.ApplyAction(ctx, d.ID, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Bản sao CCCD", " Bản sao CCCD "}})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != motcua.StatusSupplementRequested || d.PausedAt == nil || d.Remaining != 9*8*time.Hour ||
			!reflect.DeepEqual(d.SupplementItems, []string{"Bản sao CCCD"}) || d.ResumeStatus != motcua.StatusProcessing {
			t.Fatalf("after request_supplement: %+v", d)
		}
		if got, err := s.FindDossier(ctx, d.ID); err != nil || !reflect.DeepEqual(got, stored(d)) {
			t.Fatalf("FindDossier while paused =\n%+v, %v; want\n%+v", got, err, d)
		}

		_, err = s.ApplyAction(ctx, d.ID, motcua.ActionRequest{Action: motcua.ActionReady})
		e := wantError(t, err, motcua.ECONFLICT)
		if e.Params["allowed"] != "supplement, refuse, withdraw" {
			t.Errorf("allowed %q", e.Params["allowed"])
		}
		_, err = s.ApplyAction(ctx, d.ID, motcua.ActionRequest{Action: "fly"})
		wantError(t, err, motcua.EINVALID)
		_, err = s.ApplyAction(ctx, d.ID, motcua.ActionRequest{Action: motcua.ActionRefuse})
		wantError(t, err, motcua.EINVALID)

		// Paused on Tuesday with nine working days left, resumed on
		// Thursday: due on Wednesday 26 March at 09:00.
		s.clock.Advance(48 * time.Hour)
		d = s.mustApply(t, d.ID, motcua.ActionSupplement)
		if due := time.Date(2025, 3, 26, 2, 0, 0, 0, time.UTC); d.Status != motcua.StatusProcessing || d.PausedAt != nil || !d.DueAt.Equal(due) {
			t.Fatalf("after supplement: %s, paused %v, due %v; want due %v", d.Status, d.PausedAt, d.DueAt, due)
		}
		if d.DueExplanation.Explanation[0].Kind != motcua.StepPause {
			t.Errorf("explanation %+v", d.DueExplanation)
		}

		d = s.mustApply(t, d.ID, motcua.ActionReady, motcua.ActionReturn)
		if d.Status != motcua.StatusReturned || d.FinishedAt == nil || d.ReturnedAt == nil || d.Version != 6 || len(d.Events) != 6 {
			t.Fatalf("after return: %+v", d)
		}
		for i, ev := range d.Events {
			if ev.Seq != i+1 || i > 0 && ev.PrevHash != d.Events[i-1].Hash || ev.Hash != ev.ComputeHash() {
				t.Errorf("event %d: %+v", i, ev)
			}
		}
		if got, err := s.FindDossier(ctx, d.Code); err != nil || !reflect.DeepEqual(got, stored(d)) {
			t.Errorf("FindDossier =\n%+v, %v; want\n%+v", got, err, d)
		}
		_, err = s.ApplyAction(ctx, d.ID, motcua.ActionRequest{Action: motcua.ActionWithdraw})
		if e := wantError(t, err, motcua.ECONFLICT); e.Params["allowed"] != "none" {
			t.Errorf("allowed %q", e.Params["allowed"])
		}

		r := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelPost)
		r = s.mustApply(t, r.ID, motcua.ActionRefuse)
		if r.Status != motcua.StatusRefused || !reflect.DeepEqual(r.RefusalReasons, []string{"Hồ sơ không hợp lệ"}) {
			t.Errorf("refused: %+v", r)
		}
		if got, err := s.FindDossier(ctx, r.ID); err != nil || !reflect.DeepEqual(got, stored(r)) {
			t.Errorf("FindDossier =\n%+v, %v; want\n%+v", got, err, r)
		}
		if report, err := s.VerifyDossiers(ctx); err != nil || !report.OK {
			t.Errorf("VerifyDossiers = %+v, %v", report, err)
		}
	})
}

// TestConcurrentActions checks that of concurrent actions on one dossier
// that exclude each other exactly one succeeds.
func TestConcurrentActions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)
		const n = 8
		for round := range 3 {
			d := s.mustCreate(t, testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, errs[i] = s.ApplyAction(ctx, d.ID, motcua.ActionRequest{Action: motcua.ActionStart})
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else {
					wantError(t, err, motcua.ECONFLICT)
				}
			}
			if won != 1 {
				t.Errorf("round %d: %d actions succeeded; want 1", round, won)
			}
			if d, err := s.FindDossier(ctx, d.ID); err != nil || d.Version != 2 || len(d.Events) != 2 {
				t.Errorf("round %d: %+v, %v", round, d, err)
			}
		}
	})
}

// TestConcurrentCodes checks that concurrent receipts, through one DB or
// several sharing a database, get numbers 1…N without gaps or repeats.
func TestConcurrentCodes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		dbs := []*sqlstore.DB{s.DB, testkit.MustOpenDB(t, dsn, sqlstore.Options{Clock: s.clock})}
		const workers, each = 8, 25
		codes := make(chan string, workers*each)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for range each {
					d, _, err := dbs[w%len(dbs)].CreateDossier(context.Background(),
						testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter), "")
					if err != nil {
						t.Error(err)
						return
					}
					codes <- d.Code
				}
			})
		}
		wg.Wait()
		close(codes)
		var got []string
		for c := range codes {
			got = append(got, c)
		}
		slices.Sort(got)
		if len(got) != workers*each {
			t.Fatalf("%d dossiers; want %d", len(got), workers*each)
		}
		for i, c := range got {
			if want := fmt.Sprintf("%s-250310-%04d", testkit.AgencyCommune, i+1); c != want {
				t.Fatalf("code %d is %s; want %s", i, c, want)
			}
		}
	})
}

func TestCreateDossiers(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		officer := motcua.Actor{Kind: motcua.ActorOfficer, ID: "officer-1", Name: "Trần Thị Bình", Grants: allRoles}
		ctx := motcua.NewContextWithActor(context.Background(), officer)
		s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)

		ins := []*motcua.DossierInput{
			testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelCounter),
			testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter),
			testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelOnline),
			testkit.DossierInput(testkit.ProcedureCopy, testkit.AgencyCommune, motcua.ChannelOnline),
			testkit.DossierInput(testkit.ProcedureCriminal, testkit.AgencyJustice, motcua.ChannelPost),
		}
		ds, err := s.CreateDossiers(ctx, ins)
		if err != nil {
			t.Fatal(err)
		}
		codes := []string{testkit.AgencyJustice + "-250310-0001", testkit.AgencyCommune + "-250310-0002", "",
			testkit.AgencyCommune + "-250310-0003", testkit.AgencyJustice + "-250310-0002"}
		for i, d := range ds {
			if d.Code != codes[i] || d.ProcedureCode != ins[i].ProcedureCode || d.Channel != ins[i].Channel || !d.Events[0].Actor.Same(officer) {
				t.Errorf("dossier %d: code %q, %s, %s, %+v; want code %q", i, d.Code, d.ProcedureCode, d.Channel, d.Events[0].Actor, codes[i])
			}
			if got, err := s.FindDossier(ctx, d.ID); err != nil || !reflect.DeepEqual(got, stored(d)) {
				t.Errorf("FindDossier(%s) =\n%+v, %v; want\n%+v", d.ID, got, err, d)
			}
		}

		bad := []*motcua.DossierInput{
			testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter),
			testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter),
			testkit.DossierInput(testkit.ProcedureBirth, "000.00.99.H26", motcua.ChannelCounter),
			testkit.DossierInput(testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter),
		}
		bad[1].Applicant.IDNumber = "123"
		_, err = s.CreateDossiers(ctx, bad)
		e := wantError(t, err, motcua.EINVALID)
		if got, want := fieldNames(e), []string{"[1].applicant.id_number", "[2].agency"}; !reflect.DeepEqual(got, want) {
			t.Errorf("fields %v; want %v", got, want)
		}
		// Nothing was written.
		if d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter); d.Code != testkit.AgencyCommune+"-250310-0004" {
			t.Errorf("next code %q", d.Code)
		}
		// A day whose only dossier gets no number leaves no counter behind.
		s.clock.Advance(24 * time.Hour)
		defer s.clock.Set(testNow)
		if ds, err := s.CreateDossiers(ctx, ins[2:3]); err != nil || ds[0].Code != "" {
			t.Fatalf("online dossier: %v", err)
		}
		if d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter); d.Code != testkit.AgencyCommune+"-250311-0001" {
			t.Errorf("next day's first code %q", d.Code)
		}
		if ds, err := s.CreateDossiers(ctx, nil); ds != nil || err != nil {
			t.Errorf("CreateDossiers(nil) = %v, %v", ds, err)
		}
		if report, err := s.VerifyDossiers(ctx); err != nil || !report.OK {
			t.Errorf("VerifyDossiers = %+v, %v", report, err)
		}
	})
}

// allRoles grants every staff role over the testkit's whole city.
var allRoles = []motcua.Grant{
	{Role: motcua.RoleOneDoor, Unit: testkit.UnitCity},
	{Role: motcua.RoleSpecialist, Unit: testkit.UnitCity},
	{Role: motcua.RoleLeader, Unit: testkit.UnitCity},
}

// stored returns a copy of d as a read returns it: without the document
// a write returns with the dossier it wrote.
func stored(d *motcua.Dossier) *motcua.Dossier {
	c := *d
	c.Document = nil
	return &c
}
