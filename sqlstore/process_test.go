package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"motcua"
	"motcua/internal/testkit"
)

// twoSteps is a valid process of the testkit's birth registration, for
// agencies (all when none).
func twoSteps(code string, agencies ...string) *motcua.Process {
	return &motcua.Process{
		Code: code, Procedure: testkit.ProcedureBirth, Name: "Hai bước", NameEN: "Two steps",
		EffectiveFrom: testkit.CatalogEffective, Agencies: agencies, Start: "check",
		Steps: []motcua.Step{
			{ID: "check", Name: "Kiểm tra", Role: motcua.RoleSpecialist,
				Actions: []motcua.StepAction{{Type: motcua.TypeForward, To: "result"}, {Type: motcua.TypeRefuse}}},
			{ID: "result", Name: "Trả kết quả", Role: motcua.RoleOneDoor,
				Actions: []motcua.StepAction{{Type: motcua.TypeReturn}}},
		},
	}
}

func TestProcesses(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := motcua.NewContextWithActor(context.Background(), motcua.BootstrapAdmin)

		// A dossier of a procedure without a process follows the default.
		d := s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		if d.Process != "default" || len(d.Tasks) != 1 || d.Tasks[0].Step != "accept" {
			t.Fatalf("without a process: %s, tasks %+v", d.Process, d.Tasks)
		}
		if p, err := s.DossierProcess(ctx, d); err != nil || p.Code != "default" {
			t.Fatalf("DossierProcess = %v, %v", p, err)
		}

		general, err := s.CreateProcess(ctx, twoSteps("QT-ALL"))
		if err != nil {
			t.Fatal(err)
		}
		if general.Version != 1 || !general.CreatedBy.Same(motcua.BootstrapAdmin) || !general.CreatedAt.Equal(testNow) {
			t.Errorf("created %+v", general)
		}
		second, err := s.CreateProcess(ctx, twoSteps("QT-ALL"))
		if err != nil || second.Version != 2 {
			t.Fatalf("second version: %+v, %v", second, err)
		}
		if _, err := s.CreateProcess(ctx, twoSteps("QT-COMMUNE", testkit.AgencyCommune)); err != nil {
			t.Fatal(err)
		}

		if p, err := s.FindProcess(ctx, "QT-ALL", 0); err != nil || p.Version != 2 {
			t.Errorf("FindProcess(latest) = %+v, %v", p, err)
		}
		if p, err := s.FindProcess(ctx, "QT-ALL", 1); err != nil || p.Version != 1 {
			t.Errorf("FindProcess(1) = %+v, %v", p, err)
		}
		_, err = s.FindProcess(ctx, "QT-NONE", 0)
		wantError(t, err, motcua.ENOTFOUND)
		list, err := s.FindProcesses(ctx, testkit.ProcedureBirth)
		if err != nil || len(list) != 2 || list[0].Code != "QT-ALL" || list[0].Version != 2 || list[1].Code != "QT-COMMUNE" {
			t.Errorf("FindProcesses = %+v, %v", list, err)
		}
		if list, _ := s.FindProcesses(ctx, testkit.ProcedureCriminal); len(list) != 0 {
			t.Errorf("processes of another procedure: %+v", list)
		}

		// The process naming the receiving agency is preferred; the
		// dossier pins it.
		d = s.mustCreate(t, testkit.ProcedureBirth, testkit.AgencyCommune, motcua.ChannelCounter)
		if d.Process != "QT-COMMUNE" || d.ProcessVersion != 1 || d.Tasks[0].Step != "check" {
			t.Errorf("pinned %s v%d", d.Process, d.ProcessVersion)
		}
		// A new version does not change what a dossier pinned.
		changed := twoSteps("QT-COMMUNE", testkit.AgencyCommune)
		changed.Steps[0].Name = "Kiểm tra lại"
		if _, err := s.CreateProcess(ctx, changed); err != nil {
			t.Fatal(err)
		}
		if p, err := s.DossierProcess(ctx, d); err != nil || p.Version != 1 || p.Steps[0].Name != "Kiểm tra" {
			t.Errorf("DossierProcess after a new version = %+v, %v", p, err)
		}

		// Bad processes are rejected whole and nothing is stored.
		bad := twoSteps("QT-BAD")
		bad.Steps[0].Actions[0].To = "nowhere"
		e := wantError(t, must(s.CreateProcess(ctx, bad)), motcua.EINVALID)
		if !slices.Contains(fieldNames(e), "steps[check].actions[forward].to") {
			t.Errorf("fields %v", fieldNames(e))
		}
		other := twoSteps("QT-ALL")
		other.Procedure = testkit.ProcedureCopy
		wantError(t, must(s.CreateProcess(ctx, other)), motcua.EINVALID)
		wantError(t, must(s.CreateProcess(ctx, twoSteps("default"))), motcua.EINVALID)
		wantError(t, must(s.CreateProcess(ctx, twoSteps("bad code"))), motcua.EINVALID)
		unknown := twoSteps("QT-X")
		unknown.Procedure = "DEMO-NONE"
		wantError(t, must(s.CreateProcess(ctx, unknown)), motcua.EINVALID)
		if _, err := s.FindProcess(ctx, "QT-BAD", 0); motcua.ErrorCode(err) != motcua.ENOTFOUND {
			t.Errorf("a rejected process was stored: %v", err)
		}
	})
}

// must returns the error of a call, dropping its value.
func must[T any](_ T, err error) error { return err }

func TestStaff(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		s := mustOpenStore(t, dsn)
		ctx := context.Background()
		st := &motcua.Staff{ID: "mot-cua", Name: " Lê Thị Hoa ", Grants: []motcua.Grant{
			{Role: motcua.RoleOneDoor, Unit: testkit.UnitCommune},
			{Role: motcua.RoleLeader, Unit: testkit.UnitDistrict, Agency: testkit.AgencyDistrict},
		}}
		token, err := s.SaveStaff(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if !st.CreatedAt.Equal(testNow) || !st.UpdatedAt.Equal(testNow) {
			t.Errorf("times %s %s", st.CreatedAt, st.UpdatedAt)
		}
		got, err := s.StaffByToken(ctx, token)
		if err != nil || got.Name != "Lê Thị Hoa" || len(got.Grants) != 2 || got.Grants[1].Agency != testkit.AgencyDistrict {
			t.Fatalf("StaffByToken = %+v, %v", got, err)
		}
		a := got.Actor()
		if a.Kind != motcua.ActorOfficer || a.ID != "mot-cua" || len(a.Grants) != 2 {
			t.Errorf("actor %+v", a)
		}

		// Saving again replaces the token and keeps the creation time.
		s.clock.Advance(time.Hour)
		st.Grants = st.Grants[:1]
		newToken, err := s.SaveStaff(ctx, st)
		if err != nil || newToken == token {
			t.Fatalf("second save: %v", err)
		}
		if !st.CreatedAt.Equal(testNow) || !st.UpdatedAt.Equal(testNow.Add(time.Hour)) {
			t.Errorf("times after update %s %s", st.CreatedAt, st.UpdatedAt)
		}
		wantError(t, must(s.StaffByToken(ctx, token)), motcua.EUNAUTHORIZED)
		if got, err := s.StaffByToken(ctx, newToken); err != nil || len(got.Grants) != 1 {
			t.Errorf("new token: %+v, %v", got, err)
		}
		for _, tok := range []string{"", "mcs_", "nope", newToken + "x"} {
			wantError(t, must(s.StaffByToken(ctx, tok)), motcua.EUNAUTHORIZED)
		}

		for _, tt := range []struct {
			grant motcua.Grant
			field string
		}{
			{motcua.Grant{Role: "mayor", Unit: testkit.UnitCity}, "grants[0].role"},
			{motcua.Grant{Role: motcua.RoleLeader, Unit: "99"}, "grants[0].unit"},
			{motcua.Grant{Role: motcua.RoleLeader, Unit: testkit.UnitCity, Agency: "000.99"}, "grants[0].agency"},
			{motcua.Grant{Role: motcua.RoleLeader, Unit: testkit.UnitOther, Agency: testkit.AgencyCommune}, "grants[0].agency"},
		} {
			e := wantError(t, must(s.SaveStaff(ctx, &motcua.Staff{ID: "x", Name: "X", Grants: []motcua.Grant{tt.grant}})), motcua.EINVALID)
			if !slices.Contains(fieldNames(e), tt.field) {
				t.Errorf("grant %+v: fields %v, want %s", tt.grant, fieldNames(e), tt.field)
			}
		}
		wantError(t, must(s.SaveStaff(ctx, &motcua.Staff{ID: "Bad ID", Name: "X", Grants: st.Grants})), motcua.EINVALID)
	})
}
