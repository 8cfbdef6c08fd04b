package workflow_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"motcua"
	"motcua/workflow"
)

// full returns a dossier with every field set, so that a field added to
// motcua.Dossier and missed by Clone shows.
func full() *motcua.Dossier {
	t := func(h int) *time.Time { x := utc(at(0, h, 0)); return &x }
	due := &motcua.Due{At: *t(17), Explanation: []motcua.DueStep{{Date: "2026-11-30", Kind: motcua.StepStart, ReasonVI: "a", ReasonEN: "b"}}, SummaryVI: "c", SummaryEN: "d"}
	actor := motcua.Actor{Kind: motcua.ActorOfficer, ID: "o", Name: "O", Grants: []motcua.Grant{{Role: motcua.RoleLeader, Unit: unitCommune, Agency: agencyCommune}}, Person: "001090012345"}
	task := &motcua.Task{ID: 1, Kind: motcua.TaskStep, Step: "s", Name: "n", NameEN: "e", Role: motcua.RoleLeader, Agency: agencyCommune,
		Unit: unitCommune, From: 1, Linked: true, StartedAt: *t(9), DueAt: t(10), Due: due, PickedAt: t(11), EndedAt: t(12),
		Outcome: "x", EndedBy: &actor, Answer: "a", PausedAt: t(13), Remaining: 5, Pauses: []motcua.Interval{{From: *t(9), To: t(10), Reason: "r"}}}
	return &motcua.Dossier{
		ID: "id", Code: "code", ProcedureCode: "p", ProcedureVersion: 1, AgencyCode: agencyCommune, UnitCode: unitCommune,
		Applicant: motcua.Applicant{Kind: "citizen", Name: "A", IDNumber: "1", TaxCode: "2", Passport: "3", Nationality: "VN", Phone: "4",
			Email: "e", Address: "ad", Representative: &motcua.Representative{Name: "R", IDNumber: "5", Passport: "6", Phone: "7", Relation: "8"}},
		Channel: "online", Form: json.RawMessage(`{"a":1}`), Attachments: []motcua.Attachment{{Name: "a", Document: "d", ContentType: "c", Size: 1, SHA256: "s"}},
		Status: motcua.StatusProcessing, SubmittedAt: *t(8), ReceivedAt: t(9), DueAt: t(17), DueExplanation: due, FinishedAt: t(15),
		ReturnedAt: t(16), PausedAt: t(14), Remaining: time.Hour, ResumeStatus: motcua.StatusReceived,
		SupplementItems: []string{"i"}, RefusalReasons: []string{"r"}, Process: "default", ProcessVersion: 1,
		Tasks: []*motcua.Task{task}, Pauses: []motcua.Interval{{From: *t(9), To: t(10), Reason: "r"}},
		Extension: &motcua.Extension{At: *t(9), By: actor, Reason: "r", Previous: *t(10), DueAt: *t(11)}, Payment: "p", Version: 3,
		Document: json.RawMessage(`{"id":"id"}`),
		Events: []*motcua.Event{{DossierID: "id", Seq: 1, Action: "a", Actor: actor, At: *t(9), FromStatus: "x", ToStatus: "y",
			Payload: json.RawMessage(`{}`), PrevHash: "h", Hash: "g"}},
	}
}

func TestClone(t *testing.T) {
	d := full()
	checkSet(t, reflect.ValueOf(*d), "Dossier")
	c := workflow.Clone(d)
	if !reflect.DeepEqual(c, d) {
		t.Fatalf("Clone differs:\n%+v\n%+v", c, d)
	}
	checkDisjoint(t, reflect.ValueOf(c), reflect.ValueOf(d), "Dossier")
	if workflow.Clone(nil) != nil {
		t.Error("Clone(nil) is not nil")
	}
}

// checkSet fails for every zero field of v, a struct, and of the
// structs it holds.
func checkSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s is nil", path)
			return
		}
		checkSet(t, v.Elem(), path)
	case reflect.Slice:
		if v.Len() == 0 {
			t.Errorf("%s is empty", path)
			return
		}
		if v.Type().Elem().Kind() != reflect.Uint8 {
			checkSet(t, v.Index(0), path+"[0]")
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if v.Field(i).IsZero() {
				t.Errorf("%s.%s is not set", path, f.Name)
				continue
			}
			checkSet(t, v.Field(i), path+"."+f.Name)
		}
	}
}

// checkDisjoint fails where a and b share memory.
func checkDisjoint(t *testing.T, a, b reflect.Value, path string) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s is shared", path)
			return
		}
		checkDisjoint(t, a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s is shared", path)
			return
		}
		for i := range min(a.Len(), b.Len()) {
			checkDisjoint(t, a.Index(i), b.Index(i), path+"[]")
		}
	case reflect.Struct:
		for i := range a.NumField() {
			checkDisjoint(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
		}
	}
}
