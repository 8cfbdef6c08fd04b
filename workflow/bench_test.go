package workflow_test

import (
	"testing"

	"motcua"
	"motcua/workflow"
)

// fiveSteps is a five-step process with budgets: accept → check →
// appraise → approve → result.
func fiveSteps() *motcua.Process {
	step := func(id, role, to string, budget int) motcua.Step {
		s := motcua.Step{ID: id, Name: "Bước " + id, Role: role, Budget: hours(budget),
			Actions: []motcua.StepAction{{Type: motcua.TypeForward, To: to}, {Type: motcua.TypeRequestSupplement}, {Type: motcua.TypeRefuse}}}
		if to == "" {
			s.Actions = []motcua.StepAction{{Type: motcua.TypeReturn}}
		}
		return s
	}
	return &motcua.Process{Code: "QT-BENCH", Version: 1, Procedure: "DEMO-HT-001", Name: "Năm bước", Start: "accept",
		Steps: []motcua.Step{
			step("accept", motcua.RoleOneDoor, "check", 2),
			step("check", motcua.RoleSpecialist, "appraise", 6),
			step("appraise", motcua.RoleSpecialist, "approve", 8),
			step("approve", motcua.RoleLeader, "result", 4),
			step("result", motcua.RoleOneDoor, "", 4),
		}}
}

// BenchmarkApply forwards a received dossier of a five-step process from
// its first step to the second.
func BenchmarkApply(b *testing.B) {
	w := newWorld(b, fiveSteps())
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d.Events = w.create(motcua.ChannelOnline, oneDoor, received).Events // a short history, as the store loads it
	env := w.env(received.Add(20*60*1e9), oneDoor)
	req := motcua.ActionRequest{Action: "forward", Version: d.Version, Note: "Hồ sơ đầy đủ"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := workflow.Apply(w.p, w.proc, d, req, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyNoBudget is BenchmarkApply on the default process, whose
// steps have no budgets: the cost without computing a task's due time.
func BenchmarkApplyNoBudget(b *testing.B) {
	w := newWorld(b, nil)
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	env := w.env(received.Add(20*60*1e9), oneDoor)
	req := motcua.ActionRequest{Action: "start", Version: d.Version, Note: "Hồ sơ đầy đủ"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := workflow.Apply(w.p, w.proc, d, req, env); err != nil {
			b.Fatal(err)
		}
	}
}
