package workflow_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"motcua"
	"motcua/workflow"
)

// review returns a valid process: accept → review → approve → result,
// with review sent back from approve.
func review() *motcua.Process {
	return &motcua.Process{
		Code: "QT-DEMO-HT-001", Version: 1, Procedure: "DEMO-HT-001", Name: "Đăng ký khai sinh", NameEN: "Birth registration",
		Start: "accept",
		Steps: []motcua.Step{
			{ID: "accept", Name: "Tiếp nhận", Role: motcua.RoleOneDoor, Actions: []motcua.StepAction{
				{Type: motcua.TypeForward, To: "review"}, {Type: motcua.TypeRefuse}}},
			{ID: "review", Name: "Thẩm định", Role: motcua.RoleSpecialist, Budget: hours(8), Actions: []motcua.StepAction{
				{Type: motcua.TypeSubmit, To: "approve"}, {Type: motcua.TypeConsult, Agencies: []string{agencyDept}, Role: motcua.RoleLeader, Budget: hours(4)}}},
			{ID: "approve", Name: "Phê duyệt", Role: motcua.RoleLeader, Budget: hours(4), Actions: []motcua.StepAction{
				{Type: motcua.TypeApprove, To: "result"}, {Type: motcua.TypeSendBack, To: "review"}}},
			{ID: "result", Name: "Trả kết quả", Role: motcua.RoleOneDoor, Actions: []motcua.StepAction{{Type: motcua.TypeReturn}}},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure)
		fields []string
		msg    string // a message some field error must have
	}{
		{"valid", nil, nil, ""},
		{"empty", func(*motcua.Process, *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			return &motcua.Process{}, procedure()
		}, []string{"code:format", "procedure:required", "name:required", "start:required", "steps:required"}, ""},
		{"nil", func(*motcua.Process, *motcua.Procedure) (*motcua.Process, *motcua.Procedure) { return nil, procedure() },
			[]string{"process:required"}, ""},
		{"header", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Code, p.Procedure, p.Name, p.NameEN, p.Start = "QT 1", "DEMO-HT-002", " ", strings.Repeat("x", 201), "begin"
			p.DueSoon = motcua.ProcessingTime{Value: -1, Unit: motcua.WorkingDays}
			p.Agencies = []string{agencyCommune, "nope", agencyCommune}
			return p, proc
		}, []string{"code:format", "procedure:value", "name:required", "name_en:too_long", "due_soon:value",
			"agencies[1]:unknown", "agencies[2]:value", "start:unknown"},
			`the start step "begin" does not exist`},
		{"no procedure", func(p *motcua.Process, _ *motcua.Procedure) (*motcua.Process, *motcua.Procedure) { return p, nil },
			[]string{"procedure:unknown"}, ""},
		{"unknown step", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Steps[1].Actions[0].To = "aprove"
			return p, proc
		}, []string{"steps[review].actions[submit].to:unknown"},
			`step "review": action "submit" goes to unknown step "aprove"`},
		{"steps", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Steps[1].Role = "boss"
			p.Steps[1].Name = ""
			p.Steps[1].Budget = motcua.ProcessingTime{Value: 3, Unit: "weeks"}
			p.Steps[2].Role = ""
			p.Steps[2].At = motcua.Place{Kind: motcua.PlaceAgency, Agency: "nope"}
			p.Steps[3].At = motcua.Place{Kind: "moon"}
			p.Steps = append(p.Steps, motcua.Step{ID: "result", Name: "Trùng", Role: motcua.RoleLeader, At: motcua.Place{Kind: motcua.PlaceParent, Agency: agencyDept},
				Actions: []motcua.StepAction{{Type: motcua.TypeReturn}}},
				motcua.Step{ID: "Bad ID", Name: "Sai", Role: motcua.RoleLeader, Actions: []motcua.StepAction{{Type: motcua.TypeReturn}}})
			return p, proc
		}, []string{"steps[review].name:required", "steps[review].role:value", "steps[review].budget:value",
			"steps[approve].role:required", "steps[approve].at.agency:unknown", "steps[result].at.kind:value",
			"steps[4].id:value", "steps[4].at.agency:value", "steps[5].id:format"}, `step "review": the role must be one_door, specialist or leader`},
		{"actions", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Steps[0].Actions = append(p.Steps[0].Actions,
				motcua.StepAction{Type: motcua.TypeRefuse},
				motcua.StepAction{Name: "receive", Type: motcua.TypeExtend},
				motcua.StepAction{Name: "Đi", Type: motcua.TypeForward, To: "review"},
				motcua.StepAction{Type: "jump"},
				motcua.StepAction{Name: "nothing"},
				motcua.StepAction{Type: motcua.TypeExtend, To: "review", Role: motcua.RoleLeader},
				motcua.StepAction{Type: motcua.TypeTransfer},
				motcua.StepAction{Name: "ask", Type: motcua.TypeConsult, Agencies: []string{agencyDept, "nope", agencyDept}, Role: "boss",
					Budget: motcua.ProcessingTime{Value: 1, Unit: "weeks"}, Label: strings.Repeat("y", 201)},
			)
			return p, proc
		}, []string{"steps[accept].actions[2].name:value", "steps[accept].actions[3].name:value", "steps[accept].actions[4].name:format",
			"steps[accept].actions[jump].type:value", "steps[accept].actions[nothing].type:required",
			"steps[accept].actions[extend].to:value", "steps[accept].actions[extend]:value",
			"steps[accept].actions[transfer].to:required",
			"steps[accept].actions[ask].label:too_long", "steps[accept].actions[ask].agencies[1]:unknown", "steps[accept].actions[ask].agencies[2]:value",
			"steps[accept].actions[ask].role:value", "steps[accept].actions[ask].budget:value"}, ""},
		{"child at start", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Steps[0].At = motcua.Place{Kind: motcua.PlaceChild}
			return p, proc
		}, []string{"steps[accept].at.kind:value"}, ""},
		{"consult where the step runs", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Steps[1].At = motcua.Place{Kind: motcua.PlaceAgency, Agency: agencyDept}
			return p, proc
		}, []string{"steps[review].actions[consult].agencies[0]:value"}, ""},
		{"no result", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Steps[3].Actions = []motcua.StepAction{{Type: motcua.TypeSendBack, To: "review"}}
			return p, proc
		}, []string{"steps:value"}, "no step returns the result: give one an action of type return"},
		{"dead end and unreachable", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			p.Steps[1].Actions = append(p.Steps[1].Actions, motcua.StepAction{Name: "archive", Type: motcua.TypeForward, To: "archive"})
			p.Steps = append(p.Steps,
				motcua.Step{ID: "archive", Name: "Lưu", Role: motcua.RoleSpecialist, Actions: []motcua.StepAction{{Type: motcua.TypeRefuse}}},
				motcua.Step{ID: "orphan", Name: "Mồ côi", Role: motcua.RoleSpecialist, Actions: []motcua.StepAction{{Type: motcua.TypeForward, To: "result"}}})
			return p, proc
		}, []string{"steps[orphan]:value", "steps[archive]:value"}, `from step "archive" no step that returns the result can be reached`},
		{"budgets", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			proc.ProcessingTime = motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}
			p.Steps[1].Budget = motcua.ProcessingTime{Value: 8, Unit: motcua.WorkingDays}
			p.Steps[2].Budget = motcua.ProcessingTime{Value: 4, Unit: motcua.WorkingDays}
			return p, proc
		}, []string{"steps:value"}, "accept → review → approve → result: 12 working days, more than the legal 10"},
		{"budgets without cycles", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			proc.ProcessingTime = motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays}
			p.Steps[0].Actions = append(p.Steps[0].Actions, motcua.StepAction{Name: "fast", Type: motcua.TypeForward, To: "approve"})
			p.Steps[1].Budget = motcua.ProcessingTime{Value: 8, Unit: motcua.WorkingDays}
			p.Steps[2].Budget = motcua.ProcessingTime{Value: 4, Unit: motcua.WorkingDays}
			p.Steps[2].Actions = p.Steps[2].Actions[:1]
			return p, proc
		}, []string{"steps:value"}, "accept → review → approve → result: 12 working days, more than the legal 10"},
		{"budgets in hours", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			proc.ProcessingTime = motcua.ProcessingTime{Value: 1, Unit: motcua.SameDay}
			p.Steps[3].Budget = hours(1)
			return p, proc
		}, []string{"steps:value"}, "accept → review → approve → result: 13 working hours, more than the legal 8"},
		{"budgets in days", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			proc.ProcessingTime = motcua.ProcessingTime{Value: 2, Unit: motcua.CalendarDays}
			p.Steps[2].Budget = motcua.ProcessingTime{Value: 1, Unit: motcua.CalendarDays}
			return p, proc
		}, nil, ""},
		{"too many steps", func(p *motcua.Process, proc *motcua.Procedure) (*motcua.Process, *motcua.Procedure) {
			for len(p.Steps) <= 100 {
				p.Steps = append(p.Steps, p.Steps[0])
			}
			return p, proc
		}, []string{"steps:too_long"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, proc := review(), procedure()
			if tt.change != nil {
				p, proc = tt.change(p, proc)
			}
			err := workflow.Validate(p, proc, testDirectory())
			if got := fieldNames(t, err); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %q;\nwant   %q", got, tt.fields)
			}
			if tt.msg != "" {
				var e *motcua.Error
				errors.As(err, &e)
				found := false
				for _, f := range e.Fields {
					found = found || f.Message == tt.msg
				}
				if !found {
					t.Errorf("no field error says %q: %+v", tt.msg, e.Fields)
				}
			}
		})
	}
}

func TestValidateDefault(t *testing.T) {
	for _, pt := range []motcua.ProcessingTime{{Value: 0, Unit: motcua.SameDay}, {Value: 3, Unit: motcua.WorkingDays}, {Value: 15, Unit: motcua.CalendarDays}} {
		proc := procedure()
		proc.ProcessingTime = pt
		if err := workflow.Validate(workflow.Default(proc), proc, testDirectory()); err != nil {
			t.Errorf("Default for %v: %v", pt, err)
		}
	}
	if err := workflow.Validate(workflow.Default(procedure()), procedure(), nil); err != nil {
		t.Errorf("Default without a directory: %v", err)
	}
}

// TestValidateManyPaths checks a process with more simple paths than
// can be listed: the search of the longest is pruned.
func TestValidateManyPaths(t *testing.T) {
	p := &motcua.Process{Code: "dense", Procedure: "DEMO-HT-001", Name: "Dày đặc", Start: "s00"}
	const n = 40
	for i := range n {
		s := motcua.Step{ID: stepID(i), Name: "Bước", Role: motcua.RoleSpecialist, Budget: hours(1)}
		for j := range n {
			if j != i {
				s.Actions = append(s.Actions, motcua.StepAction{Name: "to_" + stepID(j), Type: motcua.TypeForward, To: stepID(j)})
			}
		}
		if i == n-1 {
			s.Actions = append(s.Actions, motcua.StepAction{Type: motcua.TypeReturn})
		}
		p.Steps = append(p.Steps, s)
	}
	err := workflow.Validate(p, procedure(), testDirectory())
	var e *motcua.Error
	if got := fieldNames(t, err); !slices.Equal(got, []string{"steps:value"}) || !errors.As(err, &e) ||
		!strings.HasPrefix(e.Fields[0].Message, "s00 → s01 → s02") || !strings.HasSuffix(e.Fields[0].Message, ": 5 working days, more than the legal 3") {
		t.Errorf("dense process: %v", err)
	}
}

func stepID(i int) string { return "s" + string(rune('0'+i/10)) + string(rune('0'+i%10)) }

// FuzzValidate checks that Validate never panics on a decoded process.
func FuzzValidate(f *testing.F) {
	for _, p := range []*motcua.Process{workflow.Default(procedure()), review(), threeLevels()} {
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"start":"a","steps":[{"id":"a","actions":[{"type":"forward","to":"a"}]}]}`))
	f.Add([]byte(`{"steps":[{"at":{"kind":"agency"},"budget":{"value":-1,"unit":"days"}}]}`))
	dir := testDirectory()
	f.Fuzz(func(t *testing.T, b []byte) {
		var p motcua.Process
		if json.Unmarshal(b, &p) != nil {
			return
		}
		proc := procedure()
		if err := workflow.Validate(&p, proc, dir); err != nil && motcua.ErrorCode(err) != motcua.EINVALID {
			t.Fatalf("Validate = %v", err)
		}
	})
}
