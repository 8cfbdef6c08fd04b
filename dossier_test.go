package motcua_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"motcua"
)

// fakeCalendar counts every hour of the day as working time: a processing
// time of N (in any unit) is due N days after the start.
type fakeCalendar struct{ err error }

func (c fakeCalendar) Due(unit string, start time.Time, t motcua.ProcessingTime) (motcua.Due, error) {
	at := start.Add(time.Duration(t.Value) * 24 * time.Hour)
	return motcua.Due{At: at, Explanation: []motcua.DueStep{{Kind: motcua.StepStart}}, SummaryEN: "due in " + unit}, c.err
}

func (c fakeCalendar) WorkingTime(unit string, from, to time.Time) (time.Duration, error) {
	return max(to.Sub(from), 0), c.err
}

func (c fakeCalendar) AddWorkingTime(unit string, start time.Time, d time.Duration) (motcua.Due, error) {
	return motcua.Due{At: start.Add(d), Explanation: []motcua.DueStep{{Kind: motcua.StepWorked}}, SummaryEN: "resumed"}, c.err
}

// codes is a NextCode that numbers dossiers per agency and day.
type codes struct{ n map[string]int }

func (c *codes) next(agency string, at time.Time) (string, error) {
	if c.n == nil {
		c.n = make(map[string]int)
	}
	key := agency + "-" + at.In(motcua.Location()).Format("060102")
	c.n[key]++
	return fmt.Sprintf("%s-%04d", key, c.n[key]), nil
}

var (
	ict      = time.FixedZone("ICT", 7*60*60)
	received = time.Date(2026, 11, 30, 9, 0, 0, 123456789, ict)
	officer  = motcua.Actor{Kind: motcua.ActorOfficer, ID: "officer-1", Name: "Lê Văn Cường"}
)

func procedure() *motcua.Procedure {
	return &motcua.Procedure{
		Code: "DEMO-HT-001", Version: 3, Name: "Đăng ký khai sinh",
		EffectiveFrom:  time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		ServiceLevel:   motcua.ServiceLevel{Level: 4, Online: motcua.OnlineFull},
		ProcessingTime: motcua.ProcessingTime{Value: 3, Unit: motcua.WorkingDays},
		AgencyCodes:    []string{"000.01.31.H26"},
	}
}

func input(channel string) *motcua.DossierInput {
	return &motcua.DossierInput{
		ProcedureCode: "DEMO-HT-001", AgencyCode: "000.01.31.H26", Channel: channel,
		Applicant: motcua.Applicant{Kind: motcua.ApplicantCitizen, Name: "Nguyễn Văn An", IDNumber: "001090000001"},
		Form:      json.RawMessage(`{"child_name":"Nguyễn Văn Bình"}`),
	}
}

func env(now time.Time, c *codes) motcua.Env {
	return motcua.Env{Now: now, Actor: officer, Calendar: fakeCalendar{}, NextCode: c.next}
}

func TestDossierInputValidate(t *testing.T) {
	tests := []struct {
		name string
		in   motcua.DossierInput
		want []string
	}{
		{"valid", *input(motcua.ChannelCounter), nil},
		{"empty", motcua.DossierInput{}, []string{
			"procedure:required", "agency:required", "channel:required",
			"applicant.name:required", "applicant.kind:required",
		}},
		{"everything wrong", motcua.DossierInput{
			ProcedureCode: "P", AgencyCode: "A", Channel: "fax",
			Applicant: motcua.Applicant{Kind: motcua.ApplicantBusiness, Name: "Sen Vàng", TaxCode: "123", Phone: "1", Email: "x"},
			Form:      json.RawMessage(`[1, 2]`),
			Attachments: []motcua.Attachment{
				{Name: "", Size: -1, SHA256: "abc"},
				{Name: strings.Repeat("a", 256), SHA256: strings.Repeat("A", 64)},
			},
		}, []string{
			"channel:value", "applicant.tax_code:format", "applicant.phone:format", "applicant.email:format", "form:format",
			"attachments[0].name:required", "attachments[0].size:value", "attachments[0].sha256:format",
			"attachments[1].name:too_long",
		}},
		{"form not JSON", motcua.DossierInput{ProcedureCode: "P", AgencyCode: "A", Channel: "post",
			Applicant: input("").Applicant, Form: json.RawMessage(`{`)}, []string{"form:format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Normalize()
			if got := fieldNames(t, in.Validate()); !slices.Equal(got, tt.want) {
				t.Errorf("bad fields %v; want %v", got, tt.want)
			}
		})
	}
}

func TestDossierInputNormalize(t *testing.T) {
	in := motcua.DossierInput{ProcedureCode: " DEMO-HT-001 ", AgencyCode: " 000.01.31.H26\n", Channel: " online ",
		Applicant: motcua.Applicant{Kind: " citizen ", Name: " An ", IDNumber: "001090000001"}, Form: json.RawMessage("null")}
	in.Normalize()
	if in.ProcedureCode != "DEMO-HT-001" || in.AgencyCode != "000.01.31.H26" || in.Channel != "online" ||
		in.Applicant.Kind != "citizen" || in.Applicant.Name != "An" || string(in.Form) != "{}" {
		t.Errorf("Normalize = %+v", in)
	}
	if err := in.Validate(); err != nil {
		t.Error(err)
	}
}

func TestDossierInputValidateWith(t *testing.T) {
	p := procedure()
	handling := &motcua.Agency{Code: "000.01.31.H26"}
	other := &motcua.Agency{Code: "000.02.31.H26"}
	tests := []struct {
		name string
		p    *motcua.Procedure
		a    *motcua.Agency
		want []string
	}{
		{"handled", p, handling, nil},
		{"unknown procedure", nil, handling, []string{"procedure:unknown"}},
		{"unknown agency", p, nil, []string{"agency:unknown"}},
		{"both unknown", nil, nil, []string{"procedure:unknown", "agency:unknown"}},
		{"agency not handling", p, other, []string{"agency:value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(motcua.ChannelCounter)
			in.Normalize()
			if got := fieldNames(t, in.ValidateWith(tt.p, tt.a, tt.p != nil && tt.a != nil && tt.p.HandledBy(tt.a.Code))); !slices.Equal(got, tt.want) {
				t.Errorf("bad fields %v; want %v", got, tt.want)
			}
		})
	}
	in := input("sms")
	if got, want := fieldNames(t, in.ValidateWith(nil, nil, false)), []string{"channel:value", "procedure:unknown", "agency:unknown"}; !slices.Equal(got, want) {
		t.Errorf("bad fields %v; want %v", got, want)
	}
}

func TestNewDossier(t *testing.T) {
	now := received.UTC().Truncate(time.Microsecond)
	due := now.Add(3 * 24 * time.Hour)
	tests := []struct {
		channel     string
		auto        bool
		status      motcua.Status
		actions     []string
		actors      []string
		code        string
		receivedNow bool
	}{
		{motcua.ChannelCounter, false, motcua.StatusReceived, []string{"receive"}, []string{"officer-1"}, "000.01.31.H26-261130-0001", true},
		{motcua.ChannelPost, false, motcua.StatusReceived, []string{"receive"}, []string{"officer-1"}, "000.01.31.H26-261130-0001", true},
		{motcua.ChannelOnline, false, motcua.StatusSubmitted, []string{"submit"}, []string{"officer-1"}, "", false},
		{motcua.ChannelOnline, true, motcua.StatusReceived, []string{"submit", "receive"}, []string{"officer-1", motcua.SystemActor.ID}, "000.01.31.H26-261130-0001", true},
		{motcua.ChannelCounter, true, motcua.StatusReceived, []string{"receive"}, []string{"officer-1"}, "000.01.31.H26-261130-0001", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s auto %v", tt.channel, tt.auto), func(t *testing.T) {
			p := procedure()
			p.AutoReceive = tt.auto
			in := input(tt.channel)
			in.Normalize()
			d, events, err := motcua.NewDossier(in, p, "00001", env(received, &codes{}))
			if err != nil {
				t.Fatal(err)
			}
			if !motcua.IsDossierID(d.ID) {
				t.Errorf("ID %q is not a dossier ID", d.ID)
			}
			if d.Status != tt.status || d.Code != tt.code || d.Version != len(tt.actions) {
				t.Errorf("status %s, code %q, version %d; want %s, %q, %d", d.Status, d.Code, d.Version, tt.status, tt.code, len(tt.actions))
			}
			if d.ProcedureCode != p.Code || d.ProcedureVersion != 3 || d.AgencyCode != in.AgencyCode || d.UnitCode != "00001" ||
				d.Channel != tt.channel || string(d.Form) != string(in.Form) || d.Attachments == nil || !d.SubmittedAt.Equal(now) {
				t.Errorf("dossier = %+v", d)
			}
			if d.SubmittedAt.Location() != time.UTC || d.SubmittedAt.Nanosecond()%1000 != 0 {
				t.Errorf("submitted at %v; want UTC microseconds", d.SubmittedAt)
			}
			if tt.receivedNow {
				if d.ReceivedAt == nil || !d.ReceivedAt.Equal(now) || d.DueAt == nil || !d.DueAt.Equal(due) ||
					d.DueExplanation == nil || !d.DueExplanation.At.Equal(due) {
					t.Errorf("received %v, due %v, explanation %+v; want %v, %v", d.ReceivedAt, d.DueAt, d.DueExplanation, now, due)
				}
			} else if d.ReceivedAt != nil || d.DueAt != nil || d.DueExplanation != nil {
				t.Errorf("online dossier received %v, due %v before intake", d.ReceivedAt, d.DueAt)
			}
			var actions, actors []string
			for i, e := range events {
				actions = append(actions, e.Action)
				actors = append(actors, e.Actor.ID)
				if e.DossierID != d.ID || e.Seq != i+1 || !e.At.Equal(now) {
					t.Errorf("event %d = %+v", i, e)
				}
			}
			if !slices.Equal(actions, tt.actions) || !slices.Equal(actors, tt.actors) {
				t.Errorf("events %v by %v; want %v by %v", actions, actors, tt.actions, tt.actors)
			}
			last := events[len(events)-1]
			wantFrom := motcua.Status("")
			if tt.channel == motcua.ChannelOnline {
				wantFrom = motcua.StatusSubmitted
			}
			if last.ToStatus != tt.status || events[0].FromStatus != wantFrom {
				t.Errorf("events go from %s to %s", events[0].FromStatus, last.ToStatus)
			}
			if tt.receivedNow {
				var payload map[string]any
				if err := json.Unmarshal(last.Payload, &payload); err != nil {
					t.Fatal(err)
				}
				if payload["code"] != tt.code || payload["received_at"] != "2026-11-30T02:00:00.123456Z" ||
					payload["due_at"] != "2026-12-03T02:00:00.123456Z" || payload["procedure_version"] != 3.0 {
					t.Errorf("receive payload %v", payload)
				}
			}
		})
	}
}

func TestNewDossierErrors(t *testing.T) {
	in := input(motcua.ChannelCounter)
	in.Normalize()
	failing := errors.New("sequence unavailable")
	e := env(received, &codes{})
	e.NextCode = func(string, time.Time) (string, error) { return "", failing }
	if _, _, err := motcua.NewDossier(in, procedure(), "00001", e); !errors.Is(err, failing) {
		t.Errorf("error %v; want it to wrap %v", err, failing)
	}
	e = env(received, &codes{})
	e.Calendar = fakeCalendar{err: failing}
	if _, _, err := motcua.NewDossier(in, procedure(), "00001", e); !errors.Is(err, failing) {
		t.Errorf("error %v; want it to wrap %v", err, failing)
	}
}

// apply applies an action at now and fails the test on error.
func apply(t *testing.T, d *motcua.Dossier, req motcua.ActionRequest, now time.Time, c *codes) *motcua.Event {
	t.Helper()
	e, err := d.Apply(req, procedure(), env(now, c))
	if err != nil {
		t.Fatalf("%s: %v", req.Action, err)
	}
	return e
}

func TestLifecycle(t *testing.T) {
	c := &codes{}
	in := input(motcua.ChannelOnline)
	in.Normalize()
	d, _, err := motcua.NewDossier(in, procedure(), "00001", env(received, c))
	if err != nil {
		t.Fatal(err)
	}

	// An officer receives the online dossier the next day: the code and
	// the due time count from then.
	intake := received.Add(24 * time.Hour).UTC().Truncate(time.Microsecond)
	e := apply(t, d, motcua.ActionRequest{Action: motcua.ActionReceive, Note: "  Đủ hồ sơ  "}, intake, c)
	due := intake.Add(3 * 24 * time.Hour)
	if d.Status != motcua.StatusReceived || d.Code != "000.01.31.H26-261201-0001" || !d.ReceivedAt.Equal(intake) || !d.DueAt.Equal(due) {
		t.Fatalf("after receive: status %s, code %s, received %v, due %v", d.Status, d.Code, d.ReceivedAt, d.DueAt)
	}
	checkEvent(t, e, d, "receive", motcua.StatusSubmitted, motcua.StatusReceived, map[string]any{"note": "Đủ hồ sơ", "code": d.Code})

	e = apply(t, d, motcua.ActionRequest{Action: motcua.ActionStart}, intake.Add(time.Hour), c)
	checkEvent(t, e, d, "start", motcua.StatusReceived, motcua.StatusProcessing, nil)

	// A supplement request pauses the clock with 2 days left; the
	// supplement comes 5 days later, so the due time moves 5 days.
	paused := intake.Add(24 * time.Hour)
	e = apply(t, d, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{" Giấy chứng sinh ", "", "Giấy chứng sinh", "Tờ khai"}}, paused, c)
	if d.Status != motcua.StatusSupplementRequested || d.PausedAt == nil || !d.PausedAt.Equal(paused) ||
		d.Remaining != 48*time.Hour || d.ResumeStatus != motcua.StatusProcessing || !slices.Equal(d.SupplementItems, []string{"Giấy chứng sinh", "Tờ khai"}) {
		t.Fatalf("after request_supplement: %+v", d)
	}
	checkEvent(t, e, d, "request_supplement", motcua.StatusProcessing, motcua.StatusSupplementRequested,
		map[string]any{"items": []any{"Giấy chứng sinh", "Tờ khai"}, "remaining_seconds": float64(48 * 60 * 60)})

	resumed := paused.Add(5 * 24 * time.Hour)
	e = apply(t, d, motcua.ActionRequest{Action: motcua.ActionSupplement}, resumed, c)
	newDue := due.Add(5 * 24 * time.Hour)
	if d.Status != motcua.StatusProcessing || !d.DueAt.Equal(newDue) || d.PausedAt != nil || d.Remaining != 0 ||
		d.ResumeStatus != "" || d.SupplementItems != nil {
		t.Fatalf("after supplement: status %s, due %v (want %v), %+v", d.Status, d.DueAt, newDue, d)
	}
	if steps := d.DueExplanation.Explanation; len(steps) != 2 || steps[0].Kind != motcua.StepPause || steps[1].Kind != motcua.StepWorked ||
		steps[0].Date != "2026-12-02" || !strings.Contains(steps[0].ReasonVI, "chờ bổ sung hồ sơ") {
		t.Errorf("explanation after supplement: %+v", steps)
	}
	checkEvent(t, e, d, "supplement", motcua.StatusSupplementRequested, motcua.StatusProcessing,
		map[string]any{"due_at": motcua.FormatTime(newDue), "paused_at": motcua.FormatTime(paused)})

	finished := resumed.Add(time.Hour)
	e = apply(t, d, motcua.ActionRequest{Action: motcua.ActionReady}, finished, c)
	if d.FinishedAt == nil || !d.FinishedAt.Equal(finished) {
		t.Errorf("finished at %v; want %v", d.FinishedAt, finished)
	}
	checkEvent(t, e, d, "ready", motcua.StatusProcessing, motcua.StatusResultReady, nil)

	e = apply(t, d, motcua.ActionRequest{Action: motcua.ActionReturn}, finished.Add(time.Hour), c)
	if d.ReturnedAt == nil || !d.ReturnedAt.Equal(finished.Add(time.Hour)) {
		t.Errorf("returned at %v", d.ReturnedAt)
	}
	checkEvent(t, e, d, "return", motcua.StatusResultReady, motcua.StatusReturned, nil)
	if d.Version != 7 {
		t.Errorf("version %d; want 7", d.Version)
	}

	for _, action := range []string{motcua.ActionReceive, motcua.ActionWithdraw, motcua.ActionReturn} {
		_, err := d.Apply(motcua.ActionRequest{Action: action}, procedure(), env(finished, c))
		if e := conflict(t, err); e.Params["allowed"] != "none" || e.Params["status"] != "returned" || e.Params["action"] != action {
			t.Errorf("%s on a returned dossier: params %v", action, e.Params)
		}
	}
}

// TestSupplementBeforeIntake requests a supplement of an online dossier
// that is not yet received: no clock runs, and the supplement brings it
// back to submitted.
func TestSupplementBeforeIntake(t *testing.T) {
	c := &codes{}
	in := input(motcua.ChannelOnline)
	in.Normalize()
	d, _, err := motcua.NewDossier(in, procedure(), "00001", env(received, c))
	if err != nil {
		t.Fatal(err)
	}
	apply(t, d, motcua.ActionRequest{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}, received, c)
	if d.PausedAt != nil || d.DueAt != nil || d.ResumeStatus != motcua.StatusSubmitted {
		t.Errorf("after request_supplement: %+v", d)
	}
	e := apply(t, d, motcua.ActionRequest{Action: motcua.ActionSupplement}, received.Add(time.Hour), c)
	if d.Status != motcua.StatusSubmitted || e.ToStatus != motcua.StatusSubmitted || d.DueAt != nil {
		t.Errorf("after supplement: status %s, due %v", d.Status, d.DueAt)
	}
	apply(t, d, motcua.ActionRequest{Action: motcua.ActionReceive}, received.Add(2*time.Hour), c)
	if d.Status != motcua.StatusReceived || d.Code == "" {
		t.Errorf("after receive: status %s, code %q", d.Status, d.Code)
	}
}

func TestRefuseAndWithdraw(t *testing.T) {
	tests := []struct {
		name   string
		before []motcua.ActionRequest
		req    motcua.ActionRequest
		status motcua.Status
	}{
		{"refuse received", nil, motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{"Hồ sơ không hợp lệ"}}, motcua.StatusRefused},
		{"refuse paused", []motcua.ActionRequest{{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}},
			motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{"Quá hạn bổ sung"}}, motcua.StatusRefused},
		{"withdraw processing", []motcua.ActionRequest{{Action: motcua.ActionStart}}, motcua.ActionRequest{Action: motcua.ActionWithdraw}, motcua.StatusWithdrawn},
		{"withdraw paused", []motcua.ActionRequest{{Action: motcua.ActionRequestSupplement, Items: []string{"Tờ khai"}}},
			motcua.ActionRequest{Action: motcua.ActionWithdraw}, motcua.StatusWithdrawn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &codes{}
			in := input(motcua.ChannelCounter)
			in.Normalize()
			d, _, err := motcua.NewDossier(in, procedure(), "00001", env(received, c))
			if err != nil {
				t.Fatal(err)
			}
			for _, req := range tt.before {
				apply(t, d, req, received, c)
			}
			now := received.Add(time.Hour).UTC().Truncate(time.Microsecond)
			apply(t, d, tt.req, now, c)
			if d.Status != tt.status || d.FinishedAt == nil || !d.FinishedAt.Equal(now) || d.PausedAt != nil || d.Remaining != 0 {
				t.Errorf("dossier = %+v", d)
			}
			if tt.status == motcua.StatusRefused && !slices.Equal(d.RefusalReasons, tt.req.Reasons) {
				t.Errorf("refusal reasons %v; want %v", d.RefusalReasons, tt.req.Reasons)
			}
			if allowed := motcua.AllowedActions(d.Status); len(allowed) != 0 {
				t.Errorf("actions allowed after %s: %v", tt.status, allowed)
			}
		})
	}
}

// conflict checks that err is an ECONFLICT *motcua.Error and returns it.
func conflict(t *testing.T, err error) *motcua.Error {
	t.Helper()
	var e *motcua.Error
	if !errors.As(err, &e) || e.Code != motcua.ECONFLICT || e.Reason != "action_not_allowed" {
		t.Fatalf("error %v; want %s action_not_allowed", err, motcua.ECONFLICT)
	}
	return e
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name    string
		req     motcua.ActionRequest
		code    string
		fields  []string
		allowed string
	}{
		{"not allowed", motcua.ActionRequest{Action: motcua.ActionReady}, motcua.ECONFLICT, nil, "start, request_supplement, refuse, withdraw"},
		{"receive again", motcua.ActionRequest{Action: motcua.ActionReceive}, motcua.ECONFLICT, nil, "start, request_supplement, refuse, withdraw"},
		{"supplement without request", motcua.ActionRequest{Action: motcua.ActionSupplement}, motcua.ECONFLICT, nil, "start, request_supplement, refuse, withdraw"},
		{"unknown action", motcua.ActionRequest{Action: "approve"}, motcua.EINVALID, []string{"action:value"}, ""},
		{"submit is not an action", motcua.ActionRequest{Action: motcua.ActionSubmit}, motcua.EINVALID, []string{"action:value"}, ""},
		{"no action", motcua.ActionRequest{}, motcua.EINVALID, []string{"action:value"}, ""},
		{"refuse without reasons", motcua.ActionRequest{Action: motcua.ActionRefuse, Reasons: []string{" ", ""}}, motcua.EINVALID, []string{"reasons:required"}, ""},
		{"supplement request without items", motcua.ActionRequest{Action: motcua.ActionRequestSupplement}, motcua.EINVALID, []string{"items:required"}, ""},
		{"note too long", motcua.ActionRequest{Action: motcua.ActionStart, Note: strings.Repeat("ư", 2001)}, motcua.EINVALID, []string{"note:too_long"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &codes{}
			in := input(motcua.ChannelCounter)
			in.Normalize()
			d, _, err := motcua.NewDossier(in, procedure(), "00001", env(received, c))
			if err != nil {
				t.Fatal(err)
			}
			before := *d
			e, err := d.Apply(tt.req, procedure(), env(received.Add(time.Hour), c))
			if e != nil || motcua.ErrorCode(err) != tt.code {
				t.Fatalf("Apply = %v, %v; want error %s", e, err, tt.code)
			}
			if tt.code == motcua.ECONFLICT {
				if got := conflict(t, err).Params["allowed"]; got != tt.allowed {
					t.Errorf("allowed %q; want %q", got, tt.allowed)
				}
				if !strings.Contains(err.Error(), tt.allowed) {
					t.Errorf("message %q does not name the allowed actions", err)
				}
			} else if got := fieldNames(t, err); !slices.Equal(got, tt.fields) {
				t.Errorf("bad fields %v; want %v", got, tt.fields)
			}
			if d.Status != before.Status || d.Version != before.Version || d.FinishedAt != nil || d.PausedAt != nil {
				t.Errorf("dossier changed by a failed action: %+v", d)
			}
		})
	}
}

// checkEvent checks an event's action, statuses and sequence number, and
// that its payload holds want.
func checkEvent(t *testing.T, e *motcua.Event, d *motcua.Dossier, action string, from, to motcua.Status, want map[string]any) {
	t.Helper()
	if e.Action != action || e.FromStatus != from || e.ToStatus != to || e.Seq != d.Version || e.DossierID != d.ID || e.Actor != officer {
		t.Errorf("event = %+v; want %s from %s to %s, seq %d", e, action, from, to, d.Version)
	}
	var payload map[string]any
	if err := json.Unmarshal(e.Payload, &payload); err != nil {
		t.Fatalf("%s payload %s: %v", action, e.Payload, err)
	}
	for k, v := range want {
		if got, _ := json.Marshal(payload[k]); string(got) != mustJSON(t, v) {
			t.Errorf("%s payload %s = %s; want %s", action, k, got, mustJSON(t, v))
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAllowedActions(t *testing.T) {
	tests := []struct {
		status motcua.Status
		want   []string
	}{
		{motcua.StatusSubmitted, []string{"receive", "request_supplement", "refuse", "withdraw"}},
		{motcua.StatusReceived, []string{"start", "request_supplement", "refuse", "withdraw"}},
		{motcua.StatusProcessing, []string{"ready", "request_supplement", "refuse", "withdraw"}},
		{motcua.StatusSupplementRequested, []string{"supplement", "refuse", "withdraw"}},
		{motcua.StatusResultReady, []string{"return"}},
		{motcua.StatusReturned, nil},
		{motcua.StatusRefused, nil},
		{motcua.StatusWithdrawn, nil},
	}
	for _, tt := range tests {
		if got := motcua.AllowedActions(tt.status); !slices.Equal(got, tt.want) {
			t.Errorf("AllowedActions(%s) = %v; want %v", tt.status, got, tt.want)
		}
		if !motcua.ValidStatus(tt.status) {
			t.Errorf("ValidStatus(%s) = false", tt.status)
		}
	}
	if motcua.ValidStatus("closed") {
		t.Error(`ValidStatus("closed") = true`)
	}
}

func TestDossierID(t *testing.T) {
	seen := make(map[string]bool)
	for range 100 {
		id := motcua.NewDossierID()
		if !motcua.IsDossierID(id) || seen[id] {
			t.Fatalf("NewDossierID() = %q: not a fresh dossier ID", id)
		}
		seen[id] = true
	}
	for _, ref := range []string{
		"000.01.31.H26-261130-0001", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxy", "abcdefghijklmnopqrstuvwxy1",
	} {
		if motcua.IsDossierID(ref) {
			t.Errorf("IsDossierID(%q) = true", ref)
		}
	}
}
