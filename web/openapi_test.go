package web

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/workflow"
)

// loadOpenAPI returns the embedded OpenAPI document, decoded.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	b, err := files.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// resolve returns the value a local JSON pointer such as
// "#/components/schemas/Unit" names in doc.
func resolve(doc map[string]any, ref string) (any, bool) {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var v any = doc
	for _, tok := range strings.Split(p, "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]; !ok {
			return nil, false
		}
	}
	return v, true
}

// walkRefs calls f with every $ref in v.
func walkRefs(v any, f func(ref string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				f(s)
			}
			walkRefs(x, f)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, f)
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi = %q; want 3.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == "" || info["title"] == nil || info["version"] == nil {
		t.Errorf("info lacks a title or a version: %v", info)
	}
	used := map[string]bool{}
	walkRefs(doc, func(ref string) {
		if _, ok := resolve(doc, ref); !ok {
			t.Errorf("$ref %q names nothing", ref)
		}
		used[ref] = true
	})
	for _, kind := range []string{"schemas", "responses", "parameters"} {
		components, _ := resolve(doc, "#/components/"+kind)
		for name := range components.(map[string]any) {
			if !used["#/components/"+kind+"/"+name] {
				t.Errorf("components/%s/%s is never used", kind, name)
			}
		}
	}
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// docPath returns the OpenAPI path of a mux pattern path.
func docPath(muxPath string) string {
	return strings.TrimSuffix(muxPath, "{$}")
}

// TestOpenAPIRoutes checks that every served route is documented, with a
// security requirement exactly when it needs the token, and that every
// documented operation is served.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	paths := doc["paths"].(map[string]any)
	served := map[string]route{}
	for _, rt := range routes {
		key := strings.ToLower(rt.method) + " " + docPath(rt.path)
		served[key] = rt
		item, _ := paths[docPath(rt.path)].(map[string]any)
		op, ok := item[strings.ToLower(rt.method)].(map[string]any)
		if !ok {
			t.Errorf("%s %s is served but not documented", rt.method, docPath(rt.path))
			continue
		}
		needs := rt.access != public
		if security, _ := op["security"].([]any); (len(security) > 0) != needs {
			t.Errorf("%s %s: documented security %v; route needs a token: %v", rt.method, rt.path, op["security"], needs)
		}
		if needs && op["responses"].(map[string]any)["401"] == nil {
			t.Errorf("%s %s: 401 is not documented", rt.method, rt.path)
		}
	}

	s, _ := newTestServer(t, &fakeStore{})
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			rt, ok := served[method+" "+path]
			if !ok {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(method), path)
				continue
			}
			req := httptest.NewRequest(strings.ToUpper(method), param.ReplaceAllString(path, "x"), nil)
			if _, pattern := s.mux.Handler(req); pattern != rt.method+" "+rt.path {
				t.Errorf("%s %s: the mux routes it to %q", strings.ToUpper(method), path, pattern)
			}
			declared := map[string]bool{}
			for _, p := range op.(map[string]any)["parameters"].([]any) {
				if ref, ok := p.(map[string]any)["$ref"].(string); ok {
					p, _ = resolve(doc, ref)
				}
				if p := p.(map[string]any); p["in"] == "path" {
					declared[p["name"].(string)] = true
				}
			}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s is not declared", strings.ToUpper(method), path, m[1])
				}
				delete(declared, m[1])
			}
			if len(declared) > 0 {
				t.Errorf("%s %s: declares path parameters not in the path: %v", strings.ToUpper(method), path, declared)
			}
		}
	}
}

// TestOpenAPISchemas checks the documented schemas against the JSON of
// the Go values they describe: every required member is present and every
// member is documented.
func TestOpenAPISchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	now := time.Date(2025, 1, 3, 2, 0, 0, 0, time.UTC)
	d := receivedDossier()
	d.PausedAt, d.SupplementItems, d.RefusalReasons = &now, []string{"a"}, []string{"b"}
	d.Applicant.Representative = &motcua.Representative{Name: "Trần Thị Bình", IDNumber: "001090000002", Passport: "B1234567", Phone: "0912345679", Relation: "mẹ"}
	d.Attachments = []motcua.Attachment{{Name: "a.pdf", Document: "Tờ khai", ContentType: "application/pdf", Size: 1, SHA256: strings.Repeat("0", 64)}}
	var input motcua.DossierInput
	if err := json.Unmarshal([]byte(dossierBody), &input); err != nil {
		t.Fatal(err)
	}
	full := *birth
	full.Fees = []motcua.Fee{{Name: "Lệ phí", AmountVND: 8000, Note: "miễn"}}
	full.RequiredDocuments = []motcua.RequiredDocument{{Name: "Tờ khai", Copies: 1, Optional: true}}
	change := &motcua.CalendarChange{ID: 1, Unit: "001", Date: "2026-09-03", Action: "set_day",
		Before: json.RawMessage("null"), After: json.RawMessage(`{"unit":"001"}`), Actor: motcua.BootstrapAdmin, At: now}
	checkpoint := &motcua.Checkpoint{ID: 1, At: now, LastEventID: 3, Dossiers: 1, HeadsHash: "h", PrevHash: "p", Hash: "c"}
	task := &motcua.Task{ID: 2, Kind: motcua.TaskStep, Step: "review", Name: "Thẩm định", NameEN: "Review", Role: motcua.RoleSpecialist,
		Agency: "000.01.20.H26", Unit: "001", From: 1, Linked: true, StartedAt: now, DueAt: &now, Due: &motcua.Due{At: now},
		PickedAt: &now, EndedAt: &now, Outcome: "forward", EndedBy: &motcua.BootstrapAdmin, Answer: "a", PausedAt: &now,
		Remaining: time.Hour, Pauses: []motcua.Interval{{From: now, To: &now, Reason: motcua.TypeRequestSupplement}}}
	ext := &motcua.Extension{At: now, By: motcua.BootstrapAdmin, Reason: "r", Previous: now, DueAt: now}
	d.Process, d.ProcessVersion, d.Tasks, d.Pauses, d.Extension, d.Payment = "QT-1", 1, []*motcua.Task{task}, task.Pauses, ext, "p"
	step := motcua.Step{ID: "review", Name: "Thẩm định", NameEN: "Review", Role: motcua.RoleSpecialist,
		At: motcua.Place{Kind: motcua.PlaceAgency, Agency: "000.00.12.H26"}, Budget: motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays},
		Actions: []motcua.StepAction{{Name: "ask", Type: motcua.TypeConsult, Label: "l", LabelEN: "l", To: "x", Agencies: []string{"a"}, Role: "specialist",
			Budget: motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingHours}}}}
	process := &motcua.Process{Code: "QT-1", Version: 1, Procedure: "DEMO-1", Name: "n", NameEN: "n", EffectiveFrom: now,
		Agencies: []string{"a"}, Start: "review", DueSoon: motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingHours},
		Steps: []motcua.Step{step}, CreatedBy: motcua.BootstrapAdmin, CreatedAt: now}
	alert := &motcua.Alert{ID: 1, Kind: motcua.AlertOverdue, DossierID: "d", Code: "c", Task: 1, Agency: "a", Unit: "u", Role: "r", DueAt: now, At: now}
	grant := motcua.Grant{Role: motcua.RoleLeader, Unit: "001", Agency: "000.01.20.H26"}
	staffMember := &motcua.Staff{ID: "s", Name: "n", Email: "e", Disabled: true, Grants: []motcua.Grant{grant}, CreatedAt: now, UpdatedAt: now}
	apiClient := &motcua.APIClient{ID: "c", Name: "n", Scopes: []string{motcua.ScopeDossiersRead}, Grants: []motcua.Grant{grant},
		RateLimit: 60, CreatedAt: now, UpdatedAt: now, KeyRotatedAt: now, RevokedAt: &now}
	rec := &motcua.AuditRecord{Seq: 1, At: now, Actor: motcua.Actor{Kind: "officer", ID: "s", Name: "n"}, Action: motcua.AuditSignIn,
		Object: "staff:s", Outcome: motcua.OutcomeOK, IP: "ip", Detail: "d", PrevHash: "p", Hash: "h"}
	tl := &workflow.Timeline{Code: "c", Status: motcua.StatusProcessing, DueState: "due_soon", SubmittedAt: now, ReceivedAt: &now, DueAt: &now, FinishedAt: &now,
		ReturnedAt: &now, Due: &motcua.Due{At: now}, Pauses: task.Pauses, SupplementItems: []string{"a"}, Payment: "p", RefusalReasons: []string{"r"},
		Extension: &workflow.TimelineExtension{At: now, Reason: "r", Previous: now, DueAt: now},
		Messages:  []workflow.TimelineMessage{{At: now, Text: "t"}},
		Steps: []workflow.TimelineStep{{Task: 1, Kind: "step", Step: "s", Name: "n", NameEN: "n", Role: "r", Agency: "a", AgencyName: "a",
			AgencyNameEN: "a", Officer: "o", StartedAt: now, PickedAt: &now, EndedAt: &now, DueAt: &now, Waiting: 1, Pauses: task.Pauses, State: "open"}}}
	examples := map[string]any{
		"Task":        task,
		"Interval":    task.Pauses[0],
		"Extension":   ext,
		"Process":     process,
		"ProcessList": list[*motcua.Process]{Items: []*motcua.Process{process}},
		"Step":        step,
		"Place":       step.At,
		"StepAction":  step.Actions[0],
		"Alert":       alert,
		"Session": sessionView{Kind: "staff", Subject: "s", Name: "n", CSRFToken: "c", MFA: true, Limited: motcua.LimitTOTPSetup,
			CreatedAt: now, ExpiresAt: now},
		"TOTPEnrolment":     &motcua.TOTPEnrolment{Secret: "s", URI: "u"},
		"TemporaryPassword": map[string]string{"temporary_password": "p"},
		"SignedOut":         map[string]int{"ended": 1},
		"AuditRecord":       rec,
		"AuditList":         map[string]any{"records": []*motcua.AuditRecord{rec}},
		"AlertList":         list[*motcua.Alert]{Items: []*motcua.Alert{alert}},
		"Grant":             grant,
		"StaffInput":        saveStaffRequest{Name: "n", Grants: []motcua.Grant{grant}},
		"Staff": struct {
			*motcua.Staff
			Token string `json:"token"`
		}{staffMember, "t"},
		"APIClientInput": clientInput{ID: "c", clientUpdate: clientUpdate{Name: "n", Scopes: []string{motcua.ScopeDossiersRead},
			Grants: []motcua.Grant{grant}, RateLimit: 60}},
		"APIClientUpdate":   clientUpdate{Name: "n", Scopes: []string{motcua.ScopeDossiersRead}, Grants: []motcua.Grant{grant}, RateLimit: 60},
		"APIClient":         apiClient,
		"APIClientWithKey":  clientWithKey{apiClient, "mck_k"},
		"APIClientKey":      clientKey{ID: "c", Key: "mck_k"},
		"APIClientList":     list[*motcua.APIClient]{Items: []*motcua.APIClient{apiClient}},
		"Timeline":          tl,
		"TimelineStep":      tl.Steps[0],
		"TimelineExtension": tl.Extension,
		"TimelineMessage":   tl.Messages[0],

		"Unit":             baDinh,
		"Agency":           justice,
		"Procedure":        &full,
		"ServiceLevel":     full.ServiceLevel,
		"Fee":              full.Fees[0],
		"RequiredDocument": full.RequiredDocuments[0],
		"Dossier":          d,
		"Applicant":        d.Applicant,
		"Representative":   d.Applicant.Representative,
		"Attachment":       d.Attachments[0],
		"Event":            d.Events[0],
		"Actor":            motcua.BootstrapAdmin,
		"Due":              &motcua.Due{At: now, Explanation: []motcua.DueStep{{Date: "2025-01-03", Kind: motcua.StepWorked}}},
		"DueStep":          motcua.DueStep{Date: "2025-01-03", Kind: motcua.StepWorked, ReasonVI: "vi", ReasonEN: "en"},
		"DossierInput":     &input,
		"ActionRequest": motcua.ActionRequest{Action: "refuse", Version: 1, Task: 1, Items: []string{"a"}, Reasons: []string{"b"},
			Agencies: []string{"a"}, Answer: "a", Reason: "r", Extend: motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays},
			Payment: "p", Message: "m", Note: "c"},
		"VerifyReport": &motcua.VerifyReport{Checkpoint: checkpoint, Problems: []motcua.ChainProblem{}},
		"Checkpoint":   checkpoint,
		"ChainProblem": motcua.ChainProblem{Kind: motcua.ProblemGap, DossierID: "d", DossierCode: "c", Seq: 2, Message: "m"},
		"UnitList":     list[*motcua.Unit]{Items: []*motcua.Unit{hanoi}},
		"Problem": problem{Type: "/problems/x", Title: "t", Status: 409, Detail: "d", Code: "x",
			Errors: []motcua.FieldError{{Field: "f", Reason: "value", Message: "m", Detail: "d"}}, Allowed: []string{}, RequestID: "r"},
		"FieldError": motcua.FieldError{Field: "f", Reason: "value", Message: "m", Detail: "d"},
		"Health":     healthStatus{"ok"},

		"CalendarDay":        holiday,
		"CalendarDayList":    items[motcua.CalendarDay]{[]motcua.CalendarDay{holiday}},
		"OfficialDayInput":   officialDayRequest{Unit: "001", Date: "2026-09-03", Kind: motcua.DayHoliday, Name: "n"},
		"OfficialDay":        officialDay(),
		"Week":               weekOf001,
		"WeekDays":           weekOf001.Days,
		"WeekInput":          weekRequest{Days: weekOf001.Days, Cutoff: &weekOf001.Cutoff},
		"CalendarChange":     change,
		"CalendarChangeList": list[*motcua.CalendarChange]{Items: []*motcua.CalendarChange{change}},
	}
	for name, v := range examples {
		s, ok := resolve(doc, "#/components/schemas/"+name)
		if !ok {
			t.Errorf("schema %s is not documented", name)
			continue
		}
		schema := s.(map[string]any)
		b, _ := json.Marshal(v)
		var got map[string]any
		json.Unmarshal(b, &got)
		props, _ := schema["properties"].(map[string]any)
		for _, r := range schema["required"].([]any) {
			if _, ok := got[r.(string)]; !ok {
				t.Errorf("%s: required member %s is missing from %s", name, r, b)
			}
		}
		for m := range got {
			if _, ok := props[m]; !ok {
				t.Errorf("%s: member %s is not documented", name, m)
			}
		}
	}
}
