package workflow_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/workflow"
)

// record returns the outcome's dossier with its events appended, as the
// store keeps it.
func record(out *workflow.Outcome) *motcua.Dossier {
	d := out.Dossier
	d.Events = append(slices.Clip(d.Events), out.Events...)
	return d
}

func TestTimeline(t *testing.T) {
	const secret = "GHI CHÚ NỘI BỘ"
	w := newWorld(t, consulting())
	steps := []struct {
		req motcua.ActionRequest
		by  motcua.Actor
		at  time.Time
	}{
		{motcua.ActionRequest{Action: "receive", Message: "Hồ sơ của ông/bà đã được tiếp nhận."}, oneDoor, at(0, 9, 30)},
		{motcua.ActionRequest{Action: "start"}, oneDoor, at(0, 10, 0)},
		{motcua.ActionRequest{Action: "consult", Agencies: []string{agencyDept}}, specialist, at(0, 14, 0)},
		{motcua.ActionRequest{Action: "answer", Answer: secret + " trong ý kiến"}, deptSpecialist, at(1, 9, 0)},
		{motcua.ActionRequest{Action: "request_supplement", Items: []string{"Tờ khai có chữ ký"}, Message: "Đề nghị bổ sung tờ khai."}, specialist, at(1, 10, 0)},
		{motcua.ActionRequest{Action: "supplement"}, citizen, at(2, 9, 0)},
		{motcua.ActionRequest{Action: "extend", Reason: "Cần thêm thời gian xác minh", Extend: motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays}}, specialist, at(2, 10, 0)},
		{motcua.ActionRequest{Action: "ready"}, specialist, at(3, 11, 0)},
	}
	d := w.create(motcua.ChannelOnline, citizen, at(0, 8, 0)).Dossier
	d.Events = nil
	for _, s := range steps {
		req := s.req
		req.Note = secret + " " + req.Action
		d = record(w.apply(d, req, s.by, s.at))
	}
	now := at(3, 15, 0)
	tl := workflow.BuildTimeline(w.p, d, now, workflow.TimelineOptions{Directory: w.dir})
	b, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "GHI CHÚ") {
		t.Errorf("a note or an answer leaks into the timeline: %s", b)
	}
	for _, name := range []string{oneDoor.Name, specialist.Name, deptSpecialist.Name} {
		if strings.Contains(string(b), name) {
			t.Errorf("officer %s named without ShowOfficers", name)
		}
	}
	if tl.Code != d.Code || tl.Status != motcua.StatusResultReady || !tl.DueAt.Equal(*d.DueAt) || tl.Due == nil || tl.Extension == nil ||
		tl.Extension.Reason != "Cần thêm thời gian xác minh" || len(tl.Pauses) != 1 || tl.FinishedAt == nil {
		t.Errorf("timeline %+v", tl)
	}
	if len(tl.Messages) != 2 || tl.Messages[0].Text != "Hồ sơ của ông/bà đã được tiếp nhận." || !tl.Messages[0].At.Equal(utc(at(0, 9, 30))) ||
		tl.Messages[1].Text != "Đề nghị bổ sung tờ khai." {
		t.Errorf("messages %+v", tl.Messages)
	}
	want := []struct {
		kind, step, agency, agencyName, state string
		waiting                               time.Duration
		pauses                                int
	}{
		{"step", "accept", agencyCommune, "UBND Phường Phúc Xá", workflow.StateDoneOnTime, 30 * time.Minute, 0},
		{"step", "process", agencyCommune, "UBND Phường Phúc Xá", workflow.StateDoneOnTime, 4 * time.Hour, 1},
		{"consult", "process", agencyDept, "Sở Tư pháp", workflow.StateDoneOnTime, 19 * time.Hour, 0},
		{"step", "result", agencyCommune, "UBND Phường Phúc Xá", workflow.StateOpen, 4 * time.Hour, 0},
	}
	if len(tl.Steps) != len(want) {
		t.Fatalf("steps %+v", tl.Steps)
	}
	for i, s := range tl.Steps {
		x := want[i]
		if s.Task != i+1 || s.Kind != x.kind || s.Step != x.step || s.Agency != x.agency || s.AgencyName != x.agencyName ||
			s.State != x.state || s.Waiting.Duration() != x.waiting || len(s.Pauses) != x.pauses || s.Officer != "" || s.Name == "" {
			t.Errorf("step %d = %+v; want %+v", i, s, x)
		}
	}

	tl = workflow.BuildTimeline(w.p, d, now, workflow.TimelineOptions{ShowOfficers: true})
	if tl.Steps[0].Officer != oneDoor.Name || tl.Steps[2].Officer != deptSpecialist.Name || tl.Steps[3].Officer != "" || tl.Steps[0].AgencyName != "" {
		t.Errorf("steps with officers %+v", tl.Steps)
	}
}

func TestTimelineStates(t *testing.T) {
	w := newWorld(t, budgeted())
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, at(0, 10, 0)).Dossier // due Wednesday 10:00
	tests := []struct {
		now      time.Time
		calendar bool
		state    string
	}{
		{at(1, 10, 0), false, workflow.StateOpen},
		{at(1, 10, 0), true, workflow.StateDueSoon}, // one working day before Wednesday 10:00
		{at(1, 9, 59), true, workflow.StateOpen},
		{at(3, 10, 0), true, workflow.StateOverdue},
		{at(3, 10, 0), false, workflow.StateOverdue},
	}
	for _, tt := range tests {
		opt := workflow.TimelineOptions{}
		if tt.calendar {
			opt.Calendar = cal
		}
		if s := workflow.BuildTimeline(w.p, d, tt.now, opt).Steps[1]; s.State != tt.state {
			t.Errorf("at %v (calendar %v): state %s; want %s", tt.now, tt.calendar, s.State, tt.state)
		}
	}
	late := w.apply(d, motcua.ActionRequest{Action: "ready"}, specialist, at(3, 10, 0)).Dossier
	if s := workflow.BuildTimeline(w.p, late, at(3, 11, 0), workflow.TimelineOptions{}).Steps[1]; s.State != workflow.StateDoneLate {
		t.Errorf("late step: %s", s.State)
	}
	paused := w.apply(d, motcua.ActionRequest{Action: "request_payment", Payment: "Phí"}, specialist, at(1, 10, 0)).Dossier
	if tl := workflow.BuildTimeline(w.p, paused, at(9, 10, 0), workflow.TimelineOptions{}); tl.Steps[1].State != workflow.StatePaused || tl.DueState != workflow.StatePaused {
		t.Errorf("paused step: %s, dossier %s", tl.Steps[1].State, tl.DueState)
	}
}
