package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
	"motcua/workflow"
)

// TestLifecycle follows an online dossier through the default process:
// intake, start, a supplement request and the supplement, the result and
// its return.
func TestLifecycle(t *testing.T) {
	w := newWorld(t, nil)
	d := w.create(motcua.ChannelOnline, citizen, received).Dossier

	// An officer receives the online dossier the next day: the code and
	// the due time count from then.
	intake := utc(received.Add(24 * time.Hour))
	out := w.apply(d, motcua.ActionRequest{Action: motcua.ActionReceive, Note: "  Đủ hồ sơ  "}, oneDoor, intake)
	d = out.Dossier
	due := intake.Add(3 * 24 * time.Hour) // Friday 09:00
	if d.Status != motcua.StatusReceived || d.Code != agencyCommune+"-261201-0001" || !d.ReceivedAt.Equal(intake) || !d.DueAt.Equal(due) {
		t.Fatalf("after receive: status %s, code %s, received %v, due %v", d.Status, d.Code, d.ReceivedAt, d.DueAt)
	}
	e := out.Events[0]
	if e.Action != "receive" || e.FromStatus != motcua.StatusSubmitted || e.ToStatus != motcua.StatusReceived || e.Actor.ID != oneDoor.ID {
		t.Errorf("receive event %+v", e)
	}
	checkPayload(t, e, map[string]any{"note": "Đủ hồ sơ", "code": d.Code, "step": "accept", "opened": []int{1}})

	out = w.apply(d, motcua.ActionRequest{Action: motcua.ActionStart}, oneDoor, intake.Add(time.Hour))
	d = out.Dossier
	if d.Status != motcua.StatusProcessing || len(d.Tasks) != 2 {
		t.Fatalf("after start: status %s, tasks %d", d.Status, len(d.Tasks))
	}
	t1, t2 := d.Tasks[0], d.Tasks[1]
	if t1.Open() || t1.Outcome != "start" || t1.EndedBy == nil || t1.EndedBy.ID != oneDoor.ID || t1.EndedBy.Grants != nil ||
		t1.PickedAt == nil || !t1.PickedAt.Equal(*t1.EndedAt) {
		t.Errorf("task 1 after start = %+v", t1)
	}
	if !t2.Open() || t2.Step != "process" || t2.Role != motcua.RoleSpecialist || t2.From != 1 || t2.Linked {
		t.Errorf("task 2 = %+v", t2)
	}
	checkPayload(t, out.Events[0], map[string]any{"type": "forward", "task": 1, "step": "accept", "to_step": "process", "opened": []int{2}})

	// A supplement request pauses the clock with 16 working hours left;
	// the supplement comes on Monday, so the due time moves to Wednesday.
	paused := intake.Add(24 * time.Hour)
	out = w.apply(d, motcua.ActionRequest{Action: motcua.ActionRequestSupplement,
		Items: []string{" Giấy chứng sinh ", "", "Giấy chứng sinh", "Tờ khai"}}, specialist, paused)
	d = out.Dossier
	if d.Status != motcua.StatusSupplementRequested || d.PausedAt == nil || !d.PausedAt.Equal(paused) ||
		d.Remaining != 16*time.Hour || d.ResumeStatus != motcua.StatusProcessing ||
		!slices.Equal(d.SupplementItems, []string{"Giấy chứng sinh", "Tờ khai"}) {
		t.Fatalf("after request_supplement: %+v", d)
	}
	if t2 := d.Tasks[1]; t2.PausedAt == nil || len(t2.Pauses) != 1 || t2.PickedAt == nil {
		t.Errorf("task 2 after request_supplement = %+v", t2)
	}
	checkPayload(t, out.Events[0], map[string]any{"items": []string{"Giấy chứng sinh", "Tờ khai"},
		"remaining_seconds": 16 * 60 * 60, "type": "request_supplement", "task": 2})
	if len(out.Deadlines) != 0 {
		t.Errorf("deadlines while paused: %+v", out.Deadlines)
	}

	resumed := utc(at(7, 9, 0)).Add(123456 * time.Microsecond)
	out = w.apply(d, motcua.ActionRequest{Action: motcua.ActionSupplement}, citizen, resumed)
	d = out.Dossier
	newDue := utc(at(9, 9, 0)).Add(123456 * time.Microsecond)
	if d.Status != motcua.StatusProcessing || !d.DueAt.Equal(newDue) || d.PausedAt != nil || d.Remaining != 0 ||
		d.ResumeStatus != "" || d.SupplementItems != nil {
		t.Fatalf("after supplement: status %s, due %v (want %v), %+v", d.Status, d.DueAt, newDue, d)
	}
	if steps := d.DueExplanation.Explanation; len(steps) < 2 || steps[0].Kind != motcua.StepPause || steps[0].Date != "2026-12-02" ||
		!strings.Contains(steps[0].ReasonVI, "chờ bổ sung hồ sơ") || steps[1].Kind != motcua.StepStart {
		t.Errorf("explanation after supplement: %+v", steps)
	}
	if iv := d.Pauses; len(iv) != 1 || iv[0].To == nil || !iv[0].To.Equal(resumed) || iv[0].Reason != motcua.TypeRequestSupplement {
		t.Errorf("pauses %+v", iv)
	}
	checkPayload(t, out.Events[0], map[string]any{"due_at": motcua.FormatTime(newDue), "paused_at": motcua.FormatTime(paused), "task": 2})

	finished := resumed.Add(time.Hour)
	out = w.apply(d, motcua.ActionRequest{Action: motcua.ActionReady}, specialist, finished)
	d = out.Dossier
	if d.Status != motcua.StatusResultReady || d.FinishedAt == nil || !d.FinishedAt.Equal(finished) {
		t.Errorf("after ready: status %s, finished at %v; want %v", d.Status, d.FinishedAt, finished)
	}
	if len(out.Deadlines) != 0 {
		t.Errorf("deadlines at the result: %+v", out.Deadlines)
	}

	out = w.apply(d, motcua.ActionRequest{Action: motcua.ActionReturn}, oneDoor, finished.Add(time.Hour))
	d = out.Dossier
	if d.Status != motcua.StatusReturned || d.ReturnedAt == nil || !d.ReturnedAt.Equal(finished.Add(time.Hour)) || !d.FinishedAt.Equal(finished) {
		t.Errorf("after return: %+v", d)
	}
	if d.Version != 7 || len(d.Tasks) != 3 || d.Tasks[2].Open() {
		t.Errorf("version %d, tasks %+v", d.Version, d.Tasks)
	}
	for _, action := range []string{motcua.ActionReceive, motcua.ActionWithdraw, motcua.ActionReturn, motcua.ActionPick} {
		e := w.fail(d, motcua.ActionRequest{Action: action}, admin, finished)
		if e.Code != motcua.ECONFLICT || e.Reason != "action_not_allowed" || e.Params["allowed"] != "none" ||
			e.Params["status"] != "returned" || e.Params["action"] != action {
			t.Errorf("%s on a returned dossier: %v %v", action, e, e.Params)
		}
	}
}

// TestSupplementBeforeIntake requests a supplement of an online dossier
// that is not yet received: no clock runs, the supplement brings it back
// to submitted, and no second request is allowed.
func TestSupplementBeforeIntake(t *testing.T) {
	w := newWorld(t, nil)
	d := w.create(motcua.ChannelOnline, citizen, received).Dossier
	d = w.apply(d, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}, oneDoor, received).Dossier
	if d.Status != motcua.StatusSupplementRequested || d.PausedAt != nil || d.DueAt != nil || d.ResumeStatus != motcua.StatusSubmitted {
		t.Errorf("after request_supplement: %+v", d)
	}
	if got := workflow.Allowed(w.p, d, oneDoor, w.dir); !slices.Equal(got, []string{"supplement", "refuse", "withdraw"}) {
		t.Errorf("allowed awaiting a supplement at intake: %v", got)
	}
	out := w.apply(d, motcua.ActionRequest{Action: motcua.ActionSupplement}, citizen, received.Add(time.Hour))
	d = out.Dossier
	if d.Status != motcua.StatusSubmitted || out.Events[0].ToStatus != motcua.StatusSubmitted || d.DueAt != nil {
		t.Errorf("after supplement: status %s, due %v", d.Status, d.DueAt)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}, oneDoor, received); e.Reason != "supplement_already_requested" {
		t.Errorf("second request: %v", e)
	}
	d = w.apply(d, motcua.ActionRequest{Action: motcua.ActionReceive}, oneDoor, received.Add(2*time.Hour)).Dossier
	if d.Status != motcua.StatusReceived || d.Code == "" || len(d.Tasks) != 1 {
		t.Errorf("after receive: status %s, code %q", d.Status, d.Code)
	}
	if e := w.fail(d, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}, oneDoor, received); e.Reason != "supplement_already_requested" {
		t.Errorf("request after receipt: %v", e)
	}
}

func TestRefuseAndWithdraw(t *testing.T) {
	tests := []struct {
		name    string
		channel string
		before  []motcua.ActionRequest
		req     motcua.ActionRequest
		by      motcua.Actor
		status  motcua.Status
		reasons []string // in the payload
	}{
		{"refuse at intake", motcua.ChannelOnline, nil, motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{"Không thuộc thẩm quyền"}}, oneDoor, motcua.StatusRefused, []string{"Không thuộc thẩm quyền"}},
		{"refuse awaiting a supplement at intake", motcua.ChannelOnline, []motcua.ActionRequest{{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}},
			motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{"Không bổ sung"}}, oneDoor, motcua.StatusRefused, []string{"Không bổ sung"}},
		{"refuse received", motcua.ChannelCounter, nil, motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{"Hồ sơ không hợp lệ"}}, oneDoor, motcua.StatusRefused, []string{"Hồ sơ không hợp lệ"}},
		{"refuse paused", motcua.ChannelCounter, []motcua.ActionRequest{{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}},
			motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{"Quá hạn bổ sung"}}, oneDoor, motcua.StatusRefused, []string{"Quá hạn bổ sung"}},
		{"withdraw at intake", motcua.ChannelOnline, nil, motcua.ActionRequest{Action: motcua.ActionWithdraw}, citizen, motcua.StatusWithdrawn, nil},
		{"withdraw processing", motcua.ChannelCounter, []motcua.ActionRequest{{Action: motcua.ActionStart}},
			motcua.ActionRequest{Action: motcua.ActionWithdraw, Reasons: []string{"Không còn nhu cầu"}}, citizen, motcua.StatusWithdrawn, []string{"Không còn nhu cầu"}},
		{"withdraw paused", motcua.ChannelCounter, []motcua.ActionRequest{{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}},
			motcua.ActionRequest{Action: motcua.ActionWithdraw}, oneDoor, motcua.StatusWithdrawn, nil},
		{"withdraw result ready", motcua.ChannelCounter, []motcua.ActionRequest{{Action: motcua.ActionStart}, {Action: motcua.ActionReady}},
			motcua.ActionRequest{Action: motcua.ActionWithdraw}, citizen, motcua.StatusWithdrawn, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, nil)
			d := w.create(tt.channel, officer, received).Dossier
			for _, req := range tt.before {
				d = w.apply(d, req, officer, received).Dossier
			}
			finishedBefore, before := d.FinishedAt, d
			now := utc(received.Add(time.Hour))
			out := w.apply(d, tt.req, tt.by, now)
			d = out.Dossier
			if d.Status != tt.status || d.FinishedAt == nil || d.PausedAt != nil || d.Remaining != 0 || d.ResumeStatus != "" {
				t.Errorf("dossier = %+v", d)
			}
			if finishedBefore == nil && !d.FinishedAt.Equal(now) || finishedBefore != nil && !d.FinishedAt.Equal(*finishedBefore) {
				t.Errorf("finished at %v", d.FinishedAt)
			}
			if tt.status == motcua.StatusRefused && !slices.Equal(d.RefusalReasons, tt.req.Reasons) ||
				tt.status == motcua.StatusWithdrawn && d.RefusalReasons != nil {
				t.Errorf("refusal reasons %v", d.RefusalReasons)
			}
			if p := payload(t, out.Events[0]); tt.reasons == nil && p["reasons"] != nil {
				t.Errorf("payload reasons %v", p["reasons"])
			} else if tt.reasons != nil {
				checkPayload(t, out.Events[0], map[string]any{"reasons": tt.reasons})
			}
			for i, task := range d.Tasks {
				wasOpen := i < len(before.Tasks) && before.Tasks[i].Open()
				if task.Open() || wasOpen && (task.Outcome != tt.req.Action || !task.EndedAt.Equal(now)) || task.PausedAt != nil {
					t.Errorf("task %+v", task)
				}
			}
			for _, iv := range d.Pauses {
				if iv.To == nil {
					t.Errorf("open pause %+v", iv)
				}
			}
			if allowed := workflow.Allowed(w.p, d, admin, w.dir); len(allowed) != 0 || len(out.Deadlines) != 0 {
				t.Errorf("after %s: allowed %v, deadlines %v", tt.status, allowed, out.Deadlines)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	system := motcua.SystemActor
	tests := []struct {
		name   string
		req    motcua.ActionRequest
		by     motcua.Actor
		code   string
		reason string
		fields []string
		params map[string]string
	}{
		{"not allowed", motcua.ActionRequest{Action: motcua.ActionReady}, officer, motcua.ECONFLICT, "action_not_allowed", nil,
			map[string]string{"action": "ready", "status": "received", "allowed": "start, request_supplement, request_payment, refuse, pick, withdraw"}},
		{"not allowed, listing the actor's", motcua.ActionRequest{Action: motcua.ActionReady}, citizen, motcua.ECONFLICT, "action_not_allowed", nil,
			map[string]string{"allowed": "withdraw"}},
		{"receive again", motcua.ActionRequest{Action: motcua.ActionReceive}, officer, motcua.ECONFLICT, "action_not_allowed", nil, nil},
		{"supplement without request", motcua.ActionRequest{Action: motcua.ActionSupplement}, citizen, motcua.ECONFLICT, "action_not_allowed", nil, nil},
		{"answer without consultation", motcua.ActionRequest{Action: motcua.ActionAnswer, Answer: "Đồng ý"}, officer, motcua.ECONFLICT, "action_not_allowed", nil, nil},
		{"extend at intake step", motcua.ActionRequest{Action: motcua.TypeExtend, Reason: "x", Extend: motcua.ProcessingTime{Value: 1, Unit: motcua.WorkingDays}},
			officer, motcua.ECONFLICT, "action_not_allowed", nil, nil},
		{"unknown action", motcua.ActionRequest{Action: "approve"}, officer, motcua.EINVALID, "invalid_fields", []string{"action:value"}, nil},
		{"submit is not an action", motcua.ActionRequest{Action: motcua.ActionSubmit}, officer, motcua.EINVALID, "invalid_fields", []string{"action:value"}, nil},
		{"no action", motcua.ActionRequest{}, officer, motcua.EINVALID, "invalid_fields", []string{"action:value"}, nil},
		{"stale version", motcua.ActionRequest{Action: motcua.ActionStart, Version: 7}, officer, motcua.ECONFLICT, "stale_version", nil,
			map[string]string{"version": "1"}},
		{"specialist starts", motcua.ActionRequest{Action: motcua.ActionStart}, specialist, motcua.EFORBIDDEN, "role_required", nil,
			map[string]string{"role": "one_door", "agency": agencyCommune, "action": "start"}},
		{"district officer starts", motcua.ActionRequest{Action: motcua.ActionStart}, districtSpecialist, motcua.EFORBIDDEN, "role_required", nil, nil},
		{"citizen starts", motcua.ActionRequest{Action: motcua.ActionStart}, citizen, motcua.EFORBIDDEN, "role_required", nil, nil},
		{"system starts", motcua.ActionRequest{Action: motcua.ActionStart}, system, motcua.EFORBIDDEN, "role_required", nil, nil},
		{"citizen refuses", motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{"x"}}, citizen, motcua.EFORBIDDEN, "role_required", nil, nil},
		{"system withdraws", motcua.ActionRequest{Action: motcua.ActionWithdraw}, system, motcua.EFORBIDDEN, "role_required", nil, nil},
		{"specialist picks the intake", motcua.ActionRequest{Action: motcua.ActionPick}, specialist, motcua.EFORBIDDEN, "role_required", nil, nil},
		{"step action on another task", motcua.ActionRequest{Action: motcua.ActionStart, Task: 2}, officer, motcua.EINVALID, "invalid_fields", []string{"task:value"}, nil},
		{"pick a task that is not open", motcua.ActionRequest{Action: motcua.ActionPick, Task: 9}, officer, motcua.EINVALID, "invalid_fields", []string{"task:value"}, nil},
		{"forbidden before invalid", motcua.ActionRequest{Action: motcua.ActionRefuse}, specialist, motcua.EFORBIDDEN, "role_required", nil, nil},
		{"refuse without reasons", motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{" ", ""}}, officer, motcua.EINVALID, "invalid_fields", []string{"reasons:required"}, nil},
		{"supplement request without items", motcua.ActionRequest{Action: motcua.ActionRequestSupplement}, officer, motcua.EINVALID, "invalid_fields", []string{"items:required"}, nil},
		{"payment request without payment", motcua.ActionRequest{Action: motcua.TypeRequestPayment}, officer, motcua.EINVALID, "invalid_fields", []string{"payment:required"}, nil},
		{"note and message too long", motcua.ActionRequest{Action: motcua.ActionStart, Note: strings.Repeat("ư", 2001), Message: strings.Repeat("ơ", 2001)},
			officer, motcua.EINVALID, "invalid_fields", []string{"note:too_long", "message:too_long"}, nil},
		{"long item", motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai", strings.Repeat("a", 501)}},
			officer, motcua.EINVALID, "invalid_fields", []string{"items[1]:too_long"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, nil)
			d := w.create(motcua.ChannelCounter, officer, received).Dossier
			e := w.fail(d, tt.req, tt.by, received.Add(time.Hour))
			if e.Code != tt.code || e.Reason != tt.reason {
				t.Fatalf("error %v; want %s %s", e, tt.code, tt.reason)
			}
			if tt.code == motcua.EINVALID {
				if got := fieldNames(t, e); !slices.Equal(got, tt.fields) {
					t.Errorf("bad fields %v; want %v", got, tt.fields)
				}
			}
			for k, v := range tt.params {
				if e.Params[k] != v {
					t.Errorf("param %s = %q; want %q", k, e.Params[k], v)
				}
			}
			if e.Reason == "action_not_allowed" && !strings.Contains(e.Message, e.Params["allowed"]) {
				t.Errorf("message %q does not name the allowed actions", e.Message)
			}
			if e.Code == motcua.EFORBIDDEN {
				want := "Action " + tt.req.Action + " needs role " + e.Params["role"] + " at agency " + e.Params["agency"] + "."
				if e.Message != want || len(e.Params) != 3 {
					t.Errorf("forbidden message %q, params %v; want %q", e.Message, e.Params, want)
				}
			}
		})
	}
}

// TestApplyWrongProcess refuses a process other than the one the dossier
// pinned.
func TestApplyWrongProcess(t *testing.T) {
	w := newWorld(t, nil)
	d := w.create(motcua.ChannelCounter, officer, received).Dossier
	p := workflow.Default(w.proc)
	p.Version = 2
	_, err := workflow.Apply(p, w.proc, d, motcua.ActionRequest{Action: motcua.ActionStart}, w.env(received, officer))
	if err == nil || motcua.ErrorCode(err) != motcua.EINTERNAL {
		t.Errorf("error %v; want an internal error", err)
	}
}

func TestAllowed(t *testing.T) {
	w := newWorld(t, nil)
	counter := w.create(motcua.ChannelCounter, officer, received).Dossier
	online := w.create(motcua.ChannelOnline, citizen, received).Dossier
	processing := w.apply(counter, motcua.ActionRequest{Action: motcua.ActionStart}, oneDoor, received).Dossier
	paused := w.apply(processing, motcua.ActionRequest{Action: motcua.TypeRequestPayment, Payment: "Lệ phí 8.000 đồng"}, specialist, received).Dossier
	ready := w.apply(processing, motcua.ActionRequest{Action: motcua.ActionReady}, specialist, received).Dossier
	tests := []struct {
		name string
		d    *motcua.Dossier
		a    motcua.Actor
		want []string
	}{
		{"submitted, one-door", online, oneDoor, []string{"receive", "request_supplement", "refuse", "withdraw"}},
		{"submitted, citizen", online, citizen, []string{"withdraw"}},
		{"submitted, system", online, motcua.SystemActor, []string{"receive"}},
		{"submitted, specialist", online, specialist, nil},
		{"received, one-door", counter, oneDoor, []string{"start", "request_supplement", "request_payment", "refuse", "pick", "withdraw"}},
		{"received, specialist", counter, specialist, nil},
		{"received, admin", counter, admin, []string{"start", "request_supplement", "request_payment", "refuse", "pick", "withdraw"}},
		{"processing, specialist", processing, specialist, []string{"ready", "consult", "request_supplement", "request_payment", "extend", "refuse", "pick"}},
		{"processing, one-door", processing, oneDoor, []string{"withdraw"}},
		{"payment requested, one-door", paused, oneDoor, []string{"pay", "withdraw"}},
		{"payment requested, system", paused, motcua.SystemActor, []string{"pay"}},
		{"payment requested, specialist", paused, specialist, []string{"refuse"}},
		{"payment requested, citizen", paused, citizen, []string{"withdraw"}},
		{"result ready, one-door", ready, oneDoor, []string{"return", "pick", "withdraw"}},
	}
	for _, tt := range tests {
		if got := workflow.Allowed(w.p, tt.d, tt.a, w.dir); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Allowed = %v; want %v", tt.name, got, tt.want)
		}
	}
}
