package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/workflow"
)

func hours(n int) motcua.ProcessingTime {
	return motcua.ProcessingTime{Value: n, Unit: motcua.WorkingHours}
}

// threeLevels is a process across three levels: the commune receives and
// checks, the district appraises (and may have the commune verify), the
// city department approves, and the commune returns the result.
func threeLevels() *motcua.Process {
	return &motcua.Process{
		Code: "QT-TEST-3", Version: 1, Procedure: "DEMO-HT-001", Name: "Liên thông ba cấp", NameEN: "Across three levels",
		Start: "accept",
		Steps: []motcua.Step{
			{ID: "accept", Name: "Tiếp nhận", Role: motcua.RoleOneDoor, Actions: []motcua.StepAction{
				{Type: motcua.TypeForward, To: "check"}, {Type: motcua.TypeRefuse}}},
			{ID: "check", Name: "Kiểm tra", Role: motcua.RoleSpecialist, Budget: hours(4), Actions: []motcua.StepAction{
				{Name: "to_district", Type: motcua.TypeTransfer, To: "appraise"}, {Type: motcua.TypeRequestSupplement}, {Type: motcua.TypeRefuse}}},
			{ID: "appraise", Name: "Thẩm định", Role: motcua.RoleSpecialist, At: motcua.Place{Kind: motcua.PlaceParent}, Budget: hours(8),
				Actions: []motcua.StepAction{
					{Name: "to_city", Type: motcua.TypeTransfer, To: "approve"},
					{Name: "verify", Type: motcua.TypeTransfer, To: "verify"},
					{Type: motcua.TypeSendBack, To: "check"},
					{Type: motcua.TypeRefuse},
				}},
			{ID: "verify", Name: "Xác minh", Role: motcua.RoleSpecialist, At: motcua.Place{Kind: motcua.PlaceChild}, Budget: hours(4),
				Actions: []motcua.StepAction{{Name: "report", Type: motcua.TypeTransfer, To: "appraise"}}},
			{ID: "approve", Name: "Phê duyệt", Role: motcua.RoleLeader, At: motcua.Place{Kind: motcua.PlaceAgency, Agency: agencyDept}, Budget: hours(8),
				Actions: []motcua.StepAction{{Name: "to_commune", Type: motcua.TypeApprove, To: "result"}, {Type: motcua.TypeSendBack, To: "check"}}},
			{ID: "result", Name: "Trả kết quả", Role: motcua.RoleOneDoor, At: motcua.Place{Kind: motcua.PlaceReceiving},
				Actions: []motcua.StepAction{{Type: motcua.TypeReturn}}},
		},
	}
}

// TestThreeLevels follows a dossier from the commune to the district (and
// down to the commune to verify), to the city department and back.
func TestThreeLevels(t *testing.T) {
	w := newWorld(t, threeLevels())
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	steps := []struct {
		req    motcua.ActionRequest
		by     motcua.Actor
		step   string
		agency string
		unit   string
		linked bool
		status motcua.Status
	}{
		{motcua.ActionRequest{Action: "forward"}, oneDoor, "check", agencyCommune, unitCommune, false, motcua.StatusProcessing},
		{motcua.ActionRequest{Action: "to_district"}, specialist, "appraise", agencyDistrict, unitDistrict, true, motcua.StatusProcessing},
		{motcua.ActionRequest{Action: "verify", Agencies: []string{agencyCommune}}, districtSpecialist, "verify", agencyCommune, unitCommune, true, motcua.StatusProcessing},
		{motcua.ActionRequest{Action: "report"}, specialist, "appraise", agencyDistrict, unitDistrict, true, motcua.StatusProcessing},
		{motcua.ActionRequest{Action: "to_city"}, districtSpecialist, "approve", agencyDept, unitCity, true, motcua.StatusProcessing},
		{motcua.ActionRequest{Action: "to_commune"}, deptLeader, "result", agencyCommune, unitCommune, true, motcua.StatusResultReady},
	}
	now := utc(at(0, 9, 30))
	for i, s := range steps {
		out := w.apply(d, s.req, s.by, now)
		d = out.Dossier
		m := mainTask(t, d)
		if m.ID != i+2 || m.Step != s.step || m.Agency != s.agency || m.Unit != s.unit || m.Linked != s.linked || m.From != i+1 ||
			d.Status != s.status || !m.StartedAt.Equal(now) {
			t.Fatalf("after %s: status %s, main task %+v", s.req.Action, d.Status, m)
		}
		prev := task(t, d, i+1)
		if prev.Open() || prev.Outcome != s.req.Action || prev.EndedBy.ID != s.by.ID || !prev.EndedAt.Equal(now) {
			t.Errorf("after %s: task %d = %+v", s.req.Action, prev.ID, prev)
		}
		checkPayload(t, out.Events[0], map[string]any{"task": i + 1, "to_step": s.step, "opened": []int{i + 2}})
		if budget := findStep(w.p, s.step).Budget; budget != (motcua.ProcessingTime{}) {
			due, err := cal.Due(s.unit, now, budget)
			if err != nil {
				t.Fatal(err)
			}
			if m.DueAt == nil || !m.DueAt.Equal(utc(due.At)) || m.Due == nil {
				t.Errorf("task %d due %v; want %v", m.ID, m.DueAt, due.At)
			}
			last := out.Deadlines[len(out.Deadlines)-1]
			if last.Task != m.ID || last.Agency != s.agency || last.Unit != s.unit || last.Role != m.Role {
				t.Errorf("task deadline %+v", last)
			}
		}
		if d.Status == motcua.StatusProcessing {
			if dl := out.Deadlines[0]; dl.Task != 0 || dl.Agency != s.agency || dl.Role != m.Role || !dl.DueAt.Equal(*d.DueAt) {
				t.Errorf("overall deadline %+v", dl)
			}
		}
		now = now.Add(30 * time.Minute)
	}
	d = w.apply(d, motcua.ActionRequest{Action: "return"}, oneDoor, now).Dossier
	if d.Status != motcua.StatusReturned || d.ReturnedAt == nil || len(d.Tasks) != 7 {
		t.Errorf("after return: status %s, tasks %d", d.Status, len(d.Tasks))
	}
}

// TestPlacesForbidden checks that an officer acts only where the task
// runs.
func TestPlacesForbidden(t *testing.T) {
	w := newWorld(t, threeLevels())
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "forward"}, oneDoor, received).Dossier
	if e := w.fail(d, motcua.ActionRequest{Action: "to_district"}, districtSpecialist, received); e.Code != motcua.EFORBIDDEN ||
		e.Params["agency"] != agencyCommune {
		t.Errorf("district specialist at the commune: %v %v", e, e.Params)
	}
	d = w.apply(d, motcua.ActionRequest{Action: "to_district"}, specialist, received).Dossier
	if e := w.fail(d, motcua.ActionRequest{Action: "to_city"}, specialist, received); e.Code != motcua.EFORBIDDEN ||
		e.Params["role"] != motcua.RoleSpecialist || e.Params["agency"] != agencyDistrict {
		t.Errorf("commune specialist at the district: %v %v", e, e.Params)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "to_city"}, deptSpecialist, received); e.Code != motcua.EFORBIDDEN {
		t.Errorf("department specialist at the district: %v", e)
	}
	for _, tt := range []struct {
		agencies []string
		want     []string
	}{
		{nil, []string{"agencies:required"}},
		{[]string{"000.99.99.H26"}, []string{"agencies:unknown"}},
		{[]string{agencyDept}, []string{"agencies:value"}},
		{[]string{agencyDistrict}, []string{"agencies:value"}},
	} {
		e := w.fail(d, motcua.ActionRequest{Action: "verify", Agencies: tt.agencies}, districtSpecialist, received)
		if got := fieldNames(t, e); !slices.Equal(got, tt.want) {
			t.Errorf("verify at %v: fields %v; want %v", tt.agencies, got, tt.want)
		}
	}
	d = w.apply(d, motcua.ActionRequest{Action: "to_city"}, districtSpecialist, received).Dossier
	if e := w.fail(d, motcua.ActionRequest{Action: "to_commune"}, districtSpecialist, received); e.Code != motcua.EFORBIDDEN ||
		e.Params["role"] != motcua.RoleLeader || e.Params["agency"] != agencyDept {
		t.Errorf("district at the department: %v %v", e, e.Params)
	}
	// Sent back from the city to the commune.
	d = w.apply(d, motcua.ActionRequest{Action: "send_back"}, deptLeader, received).Dossier
	if m := mainTask(t, d); m.Step != "check" || m.Agency != agencyCommune || !m.Linked || d.Status != motcua.StatusProcessing {
		t.Errorf("sent back: %+v", m)
	}
}

func findStep(p *motcua.Process, id string) *motcua.Step {
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i]
		}
	}
	return nil
}

// consulting returns the default process whose consultations have 2
// working days to answer.
func consulting() *motcua.Process {
	p := workflow.Default(procedure())
	step := findStep(p, "process")
	for i := range step.Actions {
		if step.Actions[i].Type == motcua.TypeConsult {
			step.Actions[i].Budget = motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays}
		}
	}
	return p
}

// TestConsultation consults two agencies in parallel: the step cannot
// move until both have answered.
func TestConsultation(t *testing.T) {
	w := newWorld(t, consulting())
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, received).Dossier
	now := utc(at(0, 10, 0))

	for _, tt := range []struct {
		agencies []string
		want     []string
	}{
		{nil, []string{"agencies:required"}},
		{[]string{agencyCommune}, []string{"agencies:value"}},
		{[]string{agencyDept, "x"}, []string{"agencies:unknown"}},
	} {
		e := w.fail(d, motcua.ActionRequest{Action: "consult", Agencies: tt.agencies}, specialist, now)
		if got := fieldNames(t, e); !slices.Equal(got, tt.want) {
			t.Errorf("consult %v: fields %v; want %v", tt.agencies, got, tt.want)
		}
	}
	out := w.apply(d, motcua.ActionRequest{Action: "consult", Agencies: []string{agencyDept, agencyDistrict, agencyDept}}, specialist, now)
	d = out.Dossier
	checkPayload(t, out.Events[0], map[string]any{"type": "consult", "task": 2, "step": "process", "opened": []int{3, 4}})
	if d.Status != motcua.StatusProcessing || len(d.Tasks) != 4 || !mainTask(t, d).Open() || mainTask(t, d).PickedAt == nil {
		t.Fatalf("after consult: %+v", d)
	}
	wantDue := utc(at(2, 10, 0)) // 2 working days
	for i, want := range []struct{ agency, unit, name, nameEN string }{
		{agencyDept, unitCity, "Xin ý kiến Sở Tư pháp", "Consultation: Department of Justice"},
		{agencyDistrict, unitDistrict, "Xin ý kiến UBND Quận Ba Đình", "Consultation: Ba Dinh District People's Committee"},
	} {
		c := d.Tasks[2+i]
		if c.Kind != motcua.TaskConsult || c.Step != "process" || c.Role != motcua.RoleSpecialist || c.Agency != want.agency ||
			c.Unit != want.unit || c.Name != want.name || c.NameEN != want.nameEN || !c.Linked || c.From != 2 ||
			c.DueAt == nil || !c.DueAt.Equal(wantDue) || !c.Open() {
			t.Errorf("consultation %d = %+v", c.ID, c)
		}
	}
	if len(out.Deadlines) != 3 || out.Deadlines[1].Task != 3 || out.Deadlines[1].Agency != agencyDept || out.Deadlines[2].Task != 4 {
		t.Errorf("deadlines %+v", out.Deadlines)
	}
	if allowed := workflow.Allowed(w.p, d, specialist, w.dir); slices.Contains(allowed, "ready") || !slices.Contains(allowed, "consult") {
		t.Errorf("allowed while consulting: %v", allowed)
	}
	e := w.fail(d, motcua.ActionRequest{Action: "ready"}, specialist, now)
	if e.Code != motcua.ECONFLICT || e.Reason != "consultation_open" || e.Params["agencies"] != agencyDept+", "+agencyDistrict {
		t.Errorf("ready while consulting: %v %v", e, e.Params)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "ready"}, deptSpecialist, now); e.Code != motcua.EFORBIDDEN {
		t.Errorf("ready by the consulted agency: %v", e)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "consult", Agencies: []string{agencyDept}}, specialist, now); !slices.Equal(fieldNames(t, e), []string{"agencies:value"}) {
		t.Errorf("consulting the same agency twice: %v", e)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "answer", Answer: "Đồng ý"}, admin, now); !slices.Equal(fieldNames(t, e), []string{"task:required"}) {
		t.Errorf("answer by the administrator without a task: %v", e)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "answer", Answer: "Đồng ý", Task: 2}, admin, now); !slices.Equal(fieldNames(t, e), []string{"task:value"}) {
		t.Errorf("answer to the main task: %v", e)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "answer", Answer: "Đồng ý", Task: 4}, deptSpecialist, now); e.Code != motcua.EFORBIDDEN ||
		e.Params["agency"] != agencyDistrict {
		t.Errorf("answer for another agency: %v", e)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "answer", Answer: "Đồng ý"}, specialist, now); e.Code != motcua.EFORBIDDEN {
		t.Errorf("answer by the asking agency: %v", e)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "answer"}, deptSpecialist, now); !slices.Equal(fieldNames(t, e), []string{"answer:required"}) {
		t.Errorf("answer without an answer: %v", e)
	}
	if got := workflow.Allowed(w.p, d, deptSpecialist, w.dir); !slices.Equal(got, []string{"answer", "pick"}) {
		t.Errorf("allowed to the consulted agency: %v", got)
	}

	out = w.apply(d, motcua.ActionRequest{Action: "answer", Answer: " Không có ý kiến khác "}, deptSpecialist, now.Add(time.Hour))
	d = out.Dossier
	checkPayload(t, out.Events[0], map[string]any{"task": 3, "answer": "Không có ý kiến khác"})
	if c := d.Tasks[2]; c.Open() || c.Answer != "Không có ý kiến khác" || c.Outcome != "answer" || c.PickedAt == nil || c.EndedBy.ID != deptSpecialist.ID {
		t.Errorf("answered consultation %+v", c)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "ready"}, specialist, now); e.Reason != "consultation_open" || e.Params["agencies"] != agencyDistrict {
		t.Errorf("ready with one consultation open: %v %v", e, e.Params)
	}
	d = w.apply(d, motcua.ActionRequest{Action: "answer", Answer: "Đồng ý", Task: 4}, districtSpecialist, now.Add(2*time.Hour)).Dossier
	out = w.apply(d, motcua.ActionRequest{Action: "ready"}, specialist, now.Add(3*time.Hour))
	if out.Dossier.Status != motcua.StatusResultReady {
		t.Errorf("after both answers: %s", out.Dossier.Status)
	}
}

// TestRefuseClosesConsultations refuses a dossier with consultations open.
func TestRefuseClosesConsultations(t *testing.T) {
	w := newWorld(t, consulting())
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "consult", Agencies: []string{agencyDept, agencyDistrict}}, specialist, received).Dossier
	now := utc(received.Add(time.Hour))
	out := w.apply(d, motcua.ActionRequest{Action: "refuse", Reasons: []string{"Không đủ điều kiện"}}, specialist, now)
	d = out.Dossier
	if d.Status != motcua.StatusRefused || !slices.Equal(d.RefusalReasons, []string{"Không đủ điều kiện"}) || !d.FinishedAt.Equal(now) {
		t.Errorf("after refuse: %+v", d)
	}
	for _, task := range d.Tasks[1:] {
		if task.Open() || task.Outcome != "refuse" || !task.EndedAt.Equal(now) || task.EndedBy.ID != specialist.ID {
			t.Errorf("task %+v", task)
		}
	}
	if len(out.Deadlines) != 0 {
		t.Errorf("deadlines %+v", out.Deadlines)
	}
}

// budgeted returns the default process in which processing has 2 working
// days.
func budgeted() *motcua.Process {
	p := workflow.Default(procedure())
	findStep(p, "process").Budget = motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays}
	return p
}

// TestPauseResume pauses the clocks of the dossier and of its task for a
// supplement or a payment, and resumes them with the working time left.
func TestPauseResume(t *testing.T) {
	tests := []struct {
		request, resume string
		req             motcua.ActionRequest
		status          motcua.Status
		by              motcua.Actor
		wording         string
		again           string // the reason a second request is refused, "" if allowed
	}{
		{"request_supplement", "supplement", motcua.ActionRequest{Action: "request_supplement", Items: []string{"Tờ khai"}},
			motcua.StatusSupplementRequested, citizen, "chờ bổ sung hồ sơ", "supplement_already_requested"},
		{"request_payment", "pay", motcua.ActionRequest{Action: "request_payment", Payment: "Lệ phí 8.000 đồng"},
			motcua.StatusPaymentRequested, motcua.SystemActor, "chờ thực hiện nghĩa vụ tài chính", ""},
	}
	for _, tt := range tests {
		t.Run(tt.request, func(t *testing.T) {
			w := newWorld(t, budgeted())
			d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier // due Thursday 09:00
			d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, at(0, 10, 0)).Dossier
			m := mainTask(t, d) // due Wednesday 10:00
			if want := utc(at(2, 10, 0)); !m.DueAt.Equal(want) {
				t.Fatalf("task due %v; want %v", m.DueAt, want)
			}
			pausedAt := utc(at(1, 14, 0))
			oldDue, oldTaskDue := *d.DueAt, *m.DueAt
			out := w.apply(d, tt.req, specialist, pausedAt)
			d = out.Dossier
			m = mainTask(t, d)
			if d.Status != tt.status || !d.PausedAt.Equal(pausedAt) || d.Remaining != 12*time.Hour+123456*time.Microsecond || d.ResumeStatus != motcua.StatusProcessing ||
				len(d.Pauses) != 1 || d.Pauses[0].Reason != tt.request || d.Pauses[0].To != nil {
				t.Fatalf("after %s: %+v", tt.request, d)
			}
			if !m.PausedAt.Equal(pausedAt) || m.Remaining != 5*time.Hour || len(m.Pauses) != 1 || m.Pauses[0].Reason != tt.request {
				t.Errorf("task after %s: %+v", tt.request, m)
			}
			if len(out.Deadlines) != 0 {
				t.Errorf("deadlines while paused: %+v", out.Deadlines)
			}
			if tt.request == "request_payment" && d.Payment != "Lệ phí 8.000 đồng" {
				t.Errorf("payment %q", d.Payment)
			}
			for _, action := range []string{"request_payment", "extend", "ready", "consult"} {
				if e := w.fail(d, motcua.ActionRequest{Action: action}, specialist, pausedAt); e.Reason != "action_not_allowed" {
					t.Errorf("%s while paused: %v", action, e)
				}
			}
			other := map[string]string{"supplement": "pay", "pay": "supplement"}[tt.resume]
			if e := w.fail(d, motcua.ActionRequest{Action: other}, admin, pausedAt); e.Reason != "action_not_allowed" {
				t.Errorf("%s while awaiting %s: %v", other, tt.resume, e)
			}
			if e := w.fail(d, motcua.ActionRequest{Action: tt.resume}, specialist, pausedAt); e.Code != motcua.EFORBIDDEN {
				t.Errorf("%s by the specialist: %v", tt.resume, e)
			}

			resumedAt := utc(at(4, 11, 0)) // Friday
			out = w.apply(d, motcua.ActionRequest{Action: tt.resume}, tt.by, resumedAt)
			d = out.Dossier
			m = mainTask(t, d)
			if want := utc(at(7, 16, 0)).Add(123456 * time.Microsecond); d.Status != motcua.StatusProcessing || !d.DueAt.Equal(want) ||
				d.PausedAt != nil || d.Remaining != 0 || d.ResumeStatus != "" || d.Payment != "" || d.SupplementItems != nil {
				t.Errorf("after %s: due %v (want %v), %+v", tt.resume, d.DueAt, want, d)
			}
			if want := utc(at(4, 17, 0)); !m.DueAt.Equal(want) || m.PausedAt != nil || m.Remaining != 0 || m.Pauses[0].To == nil || !m.Pauses[0].To.Equal(resumedAt) {
				t.Errorf("task after %s: due %v (want %v), %+v", tt.resume, m.DueAt, want, m)
			}
			for _, c := range []struct {
				unit           string
				oldDue, newDue time.Time
				explanation    []motcua.DueStep
			}{{unitCommune, oldDue, *d.DueAt, d.DueExplanation.Explanation}, {unitCommune, oldTaskDue, *m.DueAt, nil}} {
				before, _ := cal.WorkingTime(c.unit, pausedAt, c.oldDue)
				after, _ := cal.WorkingTime(c.unit, resumedAt, c.newDue)
				if before != after {
					t.Errorf("working time left %v at the pause, %v at the resumption", before, after)
				}
				if c.explanation == nil { // a task keeps its summaries only
					continue
				}
				if x := c.explanation[0]; x.Kind != motcua.StepPause || !strings.Contains(x.ReasonVI, tt.wording) || x.Date != "2026-12-01" {
					t.Errorf("explanation %+v", x)
				}
			}
			if m.Due == nil || m.Due.SummaryVI == "" || len(m.Due.Explanation) != 0 {
				t.Errorf("task due explanation %+v", m.Due)
			}
			checkPayload(t, out.Events[0], map[string]any{"task": 2, "paused_at": motcua.FormatTime(pausedAt), "due_at": motcua.FormatTime(*d.DueAt)})
			if len(out.Deadlines) != 2 {
				t.Errorf("deadlines after resumption: %+v", out.Deadlines)
			}
			_, err := workflow.Apply(w.p, w.proc, d, tt.req, w.env(resumedAt, specialist))
			if tt.again == "" && err != nil || tt.again != "" && (err == nil || err.(*motcua.Error).Reason != tt.again) {
				t.Errorf("second %s: %v; want %q", tt.request, err, tt.again)
			}
		})
	}
}

// TestResumeOverdue keeps the due time of a dossier paused after it.
func TestResumeOverdue(t *testing.T) {
	w := newWorld(t, nil)
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	due := *d.DueAt
	d = w.apply(d, motcua.ActionRequest{Action: "request_payment", Payment: "Phí"}, oneDoor, at(7, 9, 0)).Dossier
	if d.Remaining != 0 || d.PausedAt == nil {
		t.Fatalf("paused overdue: %+v", d)
	}
	d = w.apply(d, motcua.ActionRequest{Action: "pay"}, oneDoor, at(8, 9, 0)).Dossier
	if !d.DueAt.Equal(due) || d.Status != motcua.StatusReceived {
		t.Errorf("after pay: due %v (want %v), status %s", d.DueAt, due, d.Status)
	}
}

func TestExtend(t *testing.T) {
	w := newWorld(t, nil)
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier // due Thursday 09:00
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, received).Dossier
	now := utc(at(1, 9, 0))
	for _, tt := range []struct {
		req  motcua.ActionRequest
		want []string
	}{
		{motcua.ActionRequest{Action: "extend"}, []string{"reason:required", "extend:required"}},
		{motcua.ActionRequest{Action: "extend", Reason: "x", Extend: motcua.ProcessingTime{Value: 0, Unit: motcua.WorkingDays}}, []string{"extend:value"}},
		{motcua.ActionRequest{Action: "extend", Reason: "x", Extend: motcua.ProcessingTime{Value: 2, Unit: "weeks"}}, []string{"extend:value"}},
	} {
		if got := fieldNames(t, w.fail(d, tt.req, specialist, now)); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: fields %v; want %v", tt.req, got, tt.want)
		}
	}
	prev := *d.DueAt
	req := motcua.ActionRequest{Action: "extend", Reason: "Cần xác minh thêm với cơ quan khác",
		Extend: motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays}, Message: "Xin lỗi ông/bà vì sự chậm trễ."}
	out := w.apply(d, req, specialist, now)
	d = out.Dossier
	want := utc(at(7, 9, 0)).Add(123456 * time.Microsecond) // 2 working days after Thursday 09:00
	if !d.DueAt.Equal(want) || d.Status != motcua.StatusProcessing || d.Extension == nil {
		t.Fatalf("after extend: due %v (want %v), %+v", d.DueAt, want, d)
	}
	if x := d.Extension; !x.At.Equal(now) || x.By.ID != specialist.ID || x.By.Grants != nil || x.Reason != req.Reason ||
		!x.Previous.Equal(prev) || !x.DueAt.Equal(want) {
		t.Errorf("extension %+v", x)
	}
	if x := d.DueExplanation.Explanation[0]; x.Kind != "extension" || !strings.Contains(x.ReasonVI, "Gia hạn thêm 2 ngày làm việc kể từ hạn cũ 09:00 03/12/2026") ||
		!strings.Contains(x.ReasonEN, "Extended by 2 working days") {
		t.Errorf("explanation %+v", x)
	}
	checkPayload(t, out.Events[0], map[string]any{"type": "extend", "reason": req.Reason, "extend": "2 working_days",
		"due_at": motcua.FormatTime(want), "message": req.Message})
	if out.Deadlines[0].DueAt != want {
		t.Errorf("deadline %+v", out.Deadlines[0])
	}
	if e := w.fail(d, req, specialist, now); e.Reason != "already_extended" {
		t.Errorf("second extension: %v", e)
	}
	if slices.Contains(workflow.Allowed(w.p, d, specialist, w.dir), "extend") {
		t.Error("extend allowed after an extension")
	}

	// An overdue dossier is extended from the time of the extension.
	d = w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, received).Dossier
	late := utc(at(4, 10, 0)) // Friday, after Thursday 09:00
	d = w.apply(d, req, specialist, late).Dossier
	if want := utc(at(8, 10, 0)); !d.DueAt.Equal(want) || !strings.Contains(d.DueExplanation.Explanation[0].ReasonVI, "đã qua") {
		t.Errorf("overdue extension: due %v (want %v), %+v", d.DueAt, want, d.DueExplanation.Explanation[0])
	}
}

// TestResultSendBack moves a dossier out of the result step: it is no
// longer finished.
func TestResultSendBack(t *testing.T) {
	p := workflow.Default(procedure())
	result := findStep(p, "result")
	result.Actions = append(result.Actions, motcua.StepAction{Name: "reopen", Type: motcua.TypeSendBack, To: "process"})
	w := newWorld(t, p)
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: "ready"}, specialist, received).Dossier
	if d.FinishedAt == nil || d.Status != motcua.StatusResultReady {
		t.Fatalf("ready: %+v", d)
	}
	out := w.apply(d, motcua.ActionRequest{Action: "reopen"}, oneDoor, received)
	if d := out.Dossier; d.FinishedAt != nil || d.Status != motcua.StatusProcessing || len(out.Deadlines) != 1 {
		t.Errorf("reopened: status %s, finished %v, deadlines %v", d.Status, d.FinishedAt, out.Deadlines)
	}
}

func TestPick(t *testing.T) {
	w := newWorld(t, consulting())
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	now := utc(received.Add(20 * time.Minute))
	out := w.apply(d, motcua.ActionRequest{Action: "pick"}, oneDoor, now)
	d = out.Dossier
	if m := mainTask(t, d); !m.PickedAt.Equal(now) || d.Status != motcua.StatusReceived || !m.Open() {
		t.Errorf("after pick: %+v", m)
	}
	checkPayload(t, out.Events[0], map[string]any{"task": 1})
	if e := w.fail(d, motcua.ActionRequest{Action: "pick"}, oneDoor, now); e.Reason != "action_not_allowed" {
		t.Errorf("second pick: %v", e)
	}
	// A later step action keeps the first pick-up time.
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, now.Add(time.Hour)).Dossier
	if !d.Tasks[0].PickedAt.Equal(now) {
		t.Errorf("picked at %v; want %v", d.Tasks[0].PickedAt, now)
	}
	d = w.apply(d, motcua.ActionRequest{Action: "consult", Agencies: []string{agencyDept}}, admin, now).Dossier
	if got := workflow.Allowed(w.p, d, deptSpecialist, w.dir); !slices.Equal(got, []string{"answer", "pick"}) {
		t.Errorf("allowed to the department: %v", got)
	}
	d = w.apply(d, motcua.ActionRequest{Action: "pick"}, deptSpecialist, now.Add(2*time.Hour)).Dossier
	if c := d.Tasks[2]; c.PickedAt == nil || !c.Open() {
		t.Errorf("picked consultation %+v", c)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: "pick", Task: 2}, specialist, now); e.Reason != "action_not_allowed" {
		t.Errorf("pick of picked tasks: %v", e)
	}
}

// TestAdopt moves a dossier received before it followed a process.
func TestAdopt(t *testing.T) {
	w := newWorld(t, nil)
	d := w.create(motcua.ChannelCounter, oneDoor, received).Dossier
	d.Tasks, d.Process, d.ProcessVersion = nil, "", 0
	if got := workflow.Allowed(w.p, d, oneDoor, w.dir); !slices.Contains(got, "start") {
		t.Errorf("allowed on a dossier without tasks: %v", got)
	}
	d = w.apply(d, motcua.ActionRequest{Action: "start"}, oneDoor, received).Dossier
	if d.Process != "default" || len(d.Tasks) != 2 || d.Tasks[0].Step != "accept" || d.Tasks[1].Step != "process" {
		t.Errorf("adopted: %+v", d)
	}
	d.Tasks, d.Process, d.ProcessVersion = nil, "", 0
	d = w.apply(d, motcua.ActionRequest{Action: "request_supplement", Items: []string{"Tờ khai"}}, specialist, received).Dossier
	d.Tasks, d.Process, d.ProcessVersion, d.Pauses = nil, "", 0, nil
	d = w.apply(d, motcua.ActionRequest{Action: "supplement"}, citizen, received).Dossier
	if d.Status != motcua.StatusProcessing || mainTask(t, d).Step != "process" || len(d.Pauses) != 1 || d.Pauses[0].To == nil {
		t.Errorf("adopted paused: %+v", d)
	}
}

func TestDeadlinesDueSoon(t *testing.T) {
	due := utc(at(3, 9, 0)).Add(123456 * time.Microsecond) // Thursday 09:00
	tests := []struct {
		lead motcua.ProcessingTime
		want time.Time
	}{
		{motcua.ProcessingTime{}, utc(at(2, 9, 0))},
		{hours(2), utc(at(2, 16, 0))},
		{motcua.ProcessingTime{Value: 2, Unit: motcua.WorkingDays}, utc(at(1, 9, 0))},
		{motcua.ProcessingTime{Value: 1, Unit: motcua.SameDay}, utc(at(2, 9, 0))},
		{motcua.ProcessingTime{Value: 3, Unit: motcua.CalendarDays}, utc(at(0, 9, 0))},
	}
	for _, tt := range tests {
		p := workflow.Default(procedure())
		p.DueSoon = tt.lead
		w := newWorld(t, p)
		out := w.create(motcua.ChannelCounter, oneDoor, received)
		if len(out.Deadlines) != 1 || !out.Deadlines[0].DueAt.Equal(due) || !out.Deadlines[0].SoonAt.Equal(tt.want.Add(123456*time.Microsecond)) {
			t.Errorf("due soon %v: deadlines %+v; want soon at %v", tt.lead, out.Deadlines, tt.want)
		}
	}
}
