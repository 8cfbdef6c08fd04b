package workflow_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"motcua"
	"motcua/workflow"
)

func TestNew(t *testing.T) {
	now := utc(received)
	due := utc(at(3, 9, 0)).Add(123456 * time.Microsecond) // 3 working days: Thursday 09:00
	tests := []struct {
		channel     string
		auto        bool
		status      motcua.Status
		actions     []string
		actors      []string
		code        string
		receivedNow bool
	}{
		{motcua.ChannelCounter, false, motcua.StatusReceived, []string{"receive"}, []string{"officer-1"}, agencyCommune + "-261130-0001", true},
		{motcua.ChannelPost, false, motcua.StatusReceived, []string{"receive"}, []string{"officer-1"}, agencyCommune + "-261130-0001", true},
		{motcua.ChannelOnline, false, motcua.StatusSubmitted, []string{"submit"}, []string{"officer-1"}, "", false},
		{motcua.ChannelOnline, true, motcua.StatusReceived, []string{"submit", "receive"}, []string{"officer-1", motcua.SystemActor.ID}, agencyCommune + "-261130-0001", true},
		{motcua.ChannelCounter, true, motcua.StatusReceived, []string{"receive"}, []string{"officer-1"}, agencyCommune + "-261130-0001", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s auto %v", tt.channel, tt.auto), func(t *testing.T) {
			w := newWorld(t, nil)
			w.proc.AutoReceive = tt.auto
			in := input(tt.channel)
			out := w.create(tt.channel, officer, received)
			d := out.Dossier
			if !motcua.IsDossierID(d.ID) {
				t.Errorf("ID %q is not a dossier ID", d.ID)
			}
			if d.Status != tt.status || d.Code != tt.code || d.Version != len(tt.actions) {
				t.Errorf("status %s, code %q, version %d; want %s, %q, %d", d.Status, d.Code, d.Version, tt.status, tt.code, len(tt.actions))
			}
			if d.ProcedureCode != "DEMO-HT-001" || d.ProcedureVersion != 3 || d.AgencyCode != in.AgencyCode || d.UnitCode != unitCommune ||
				d.Channel != tt.channel || string(d.Form) != string(in.Form) || d.Attachments == nil || !d.SubmittedAt.Equal(now) ||
				d.Process != "default" || d.ProcessVersion != 1 || d.Events != nil {
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
				if len(d.Tasks) != 1 {
					t.Fatalf("tasks %+v; want one", d.Tasks)
				}
				task := d.Tasks[0]
				if task.ID != 1 || task.Kind != motcua.TaskStep || task.Step != "accept" || task.Role != motcua.RoleOneDoor ||
					task.Agency != agencyCommune || task.Unit != unitCommune || task.From != 0 || task.Linked ||
					!task.StartedAt.Equal(now) || task.DueAt != nil || task.Name != "Tiếp nhận" || !task.Open() {
					t.Errorf("task 1 = %+v", task)
				}
				if len(out.Deadlines) != 1 || out.Deadlines[0] != (motcua.Deadline{DossierID: d.ID, Code: d.Code, Agency: agencyCommune,
					Unit: unitCommune, Role: motcua.RoleOneDoor, DueAt: due, SoonAt: due.Add(-24 * time.Hour)}) {
					t.Errorf("deadlines %+v", out.Deadlines)
				}
			} else if d.ReceivedAt != nil || d.DueAt != nil || d.DueExplanation != nil || len(d.Tasks) != 0 || len(out.Deadlines) != 0 {
				t.Errorf("online dossier received %v, due %v, tasks %v before intake", d.ReceivedAt, d.DueAt, d.Tasks)
			}
			var actions, actors []string
			for i, e := range out.Events {
				actions = append(actions, e.Action)
				actors = append(actors, e.Actor.ID)
				if !e.At.Equal(now) {
					t.Errorf("event %d at %v", i, e.At)
				}
			}
			if !slices.Equal(actions, tt.actions) || !slices.Equal(actors, tt.actors) {
				t.Errorf("events %v by %v; want %v by %v", actions, actors, tt.actions, tt.actors)
			}
			last := out.Events[len(out.Events)-1]
			wantFrom := motcua.Status("")
			if tt.channel == motcua.ChannelOnline {
				wantFrom = motcua.StatusSubmitted
				checkPayload(t, out.Events[0], map[string]any{"procedure": "DEMO-HT-001", "procedure_version": 3,
					"agency": agencyCommune, "channel": "online", "process": "default", "process_version": 1})
			}
			if last.ToStatus != tt.status || out.Events[0].FromStatus != wantFrom {
				t.Errorf("events go from %s to %s", out.Events[0].FromStatus, last.ToStatus)
			}
			if tt.receivedNow {
				checkPayload(t, last, map[string]any{
					"code": tt.code, "received_at": "2026-11-30T02:00:00.123456Z", "due_at": "2026-12-03T02:00:00.123456Z",
					"procedure": "DEMO-HT-001", "procedure_version": 3, "agency": agencyCommune, "channel": tt.channel,
					"process": "default", "process_version": 1, "step": "accept", "opened": []int{1},
				})
			}
		})
	}
}

// TestNewPlaces opens the first task where the start step runs.
func TestNewPlaces(t *testing.T) {
	tests := []struct {
		place  motcua.Place
		agency string
		unit   string
		linked bool
	}{
		{motcua.Place{}, agencyCommune, unitCommune, false},
		{motcua.Place{Kind: motcua.PlaceReceiving}, agencyCommune, unitCommune, false},
		{motcua.Place{Kind: motcua.PlaceParent}, agencyDistrict, unitDistrict, true},
		{motcua.Place{Kind: motcua.PlaceAgency, Agency: agencyDept}, agencyDept, unitCity, true},
	}
	for _, tt := range tests {
		t.Run(tt.place.Kind, func(t *testing.T) {
			p := workflow.Default(procedure())
			p.Steps[0].At = tt.place
			p.Steps[0].Budget = motcua.ProcessingTime{Value: 4, Unit: motcua.WorkingHours}
			w := newWorld(t, p)
			out := w.create(motcua.ChannelCounter, officer, received)
			task := out.Dossier.Tasks[0]
			if task.Agency != tt.agency || task.Unit != tt.unit || task.Linked != tt.linked {
				t.Errorf("task at %s (%s), linked %v; want %s (%s), %v", task.Agency, task.Unit, task.Linked, tt.agency, tt.unit, tt.linked)
			}
			// 4 working hours from 09:00: 14:00 the same day.
			if want := utc(at(0, 14, 0)).Add(123456 * time.Microsecond); task.DueAt == nil || !task.DueAt.Equal(want) || task.Due == nil {
				t.Errorf("task due %v; want %v", task.DueAt, want)
			}
			if len(out.Deadlines) != 2 || out.Deadlines[1].Task != 1 || out.Deadlines[1].Agency != tt.agency ||
				out.Deadlines[0].Agency != tt.agency || out.Deadlines[0].Role != motcua.RoleOneDoor {
				t.Errorf("deadlines %+v", out.Deadlines)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	w := newWorld(t, nil)
	failing := errors.New("sequence unavailable")
	e := w.env(received, officer)
	e.NextCode = func(string, time.Time) (string, error) { return "", failing }
	if _, err := workflow.New(input(motcua.ChannelCounter), w.proc, w.p, unitCommune, e); !errors.Is(err, failing) {
		t.Errorf("error %v; want it to wrap %v", err, failing)
	}
	e = w.env(received, officer)
	e.Calendar = failingCalendar{failing}
	if _, err := workflow.New(input(motcua.ChannelCounter), w.proc, w.p, unitCommune, e); !errors.Is(err, failing) {
		t.Errorf("error %v; want it to wrap %v", err, failing)
	}
	if _, err := workflow.New(input(motcua.ChannelCounter), w.proc, nil, unitCommune, w.env(received, officer)); err == nil {
		t.Error("New without a process succeeded")
	}
	// A parent place above the top unit: an error naming the step.
	p := workflow.Default(procedure())
	p.Steps[0].At = motcua.Place{Kind: motcua.PlaceParent}
	_, err := workflow.New(input(motcua.ChannelCounter), w.proc, p, unitCity, w.env(received, officer))
	if got := fieldNames(t, err); !slices.Equal(got, []string{"steps[accept].at:value"}) {
		t.Errorf("parent of the city: fields %v", got)
	}
}

// failingCalendar fails every computation.
type failingCalendar struct{ err error }

func (c failingCalendar) Due(string, time.Time, motcua.ProcessingTime) (motcua.Due, error) {
	return motcua.Due{}, c.err
}

func (c failingCalendar) WorkingTime(string, time.Time, time.Time) (time.Duration, error) {
	return 0, c.err
}

func (c failingCalendar) AddWorkingTime(string, time.Time, time.Duration) (motcua.Due, error) {
	return motcua.Due{}, c.err
}

func (c failingCalendar) SubtractWorkingTime(string, time.Time, time.Duration) (time.Time, error) {
	return time.Time{}, c.err
}
