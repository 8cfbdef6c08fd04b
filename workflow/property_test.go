package workflow_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"motcua"
	"motcua/workflow"
)

// randomProcess returns a random valid process of 2 to 6 steps at the
// receiving agency or at a named agency: a chain of moving actions from
// the start to a step that returns the result, more moving actions back
// and forth, and a random choice of the other action types.
func randomProcess(r *rand.Rand, i int) *motcua.Process {
	n := 2 + r.IntN(5)
	id := func(k int) string { return fmt.Sprintf("s%d", k) }
	roles := []string{motcua.RoleOneDoor, motcua.RoleSpecialist, motcua.RoleLeader}
	moving := []string{motcua.TypeForward, motcua.TypeSubmit, motcua.TypeApprove, motcua.TypeSign, motcua.TypeTransfer}
	p := &motcua.Process{Code: fmt.Sprintf("QT-RANDOM-%d", i), Version: 1, Procedure: "DEMO-HT-001",
		Name: "Quy trình ngẫu nhiên", Start: id(0)}
	if r.IntN(3) == 0 {
		p.DueSoon = motcua.ProcessingTime{Value: 1 + r.IntN(3), Unit: []motcua.TimeUnit{motcua.WorkingHours, motcua.WorkingDays, motcua.CalendarDays}[r.IntN(3)]}
	}
	for k := range n {
		s := motcua.Step{ID: id(k), Name: fmt.Sprintf("Bước %d", k), Role: roles[r.IntN(3)]}
		switch r.IntN(5) {
		case 0:
			s.At = motcua.Place{Kind: motcua.PlaceAgency, Agency: agencyDept}
		case 1:
			s.At = motcua.Place{Kind: motcua.PlaceAgency, Agency: agencyDistrict}
		default:
			s.At = motcua.Place{Kind: motcua.PlaceReceiving}
		}
		if r.IntN(2) == 0 {
			s.Budget = hours(1 + r.IntN(4)) // at most 24 working hours in all, the legal 3 working days
		}
		used := map[string]bool{}
		add := func(a motcua.StepAction) {
			name := a.Type
			if used[name] {
				name = fmt.Sprintf("%s_%d", a.Type, len(s.Actions))
				a.Name = name
			}
			used[name] = true
			s.Actions = append(s.Actions, a)
		}
		if k < n-1 {
			add(motcua.StepAction{Type: moving[r.IntN(len(moving))], To: id(k + 1)})
		} else {
			add(motcua.StepAction{Type: motcua.TypeReturn})
		}
		for range r.IntN(3) {
			add(motcua.StepAction{Type: []string{motcua.TypeSendBack, motcua.TypeForward}[r.IntN(2)], To: id(r.IntN(n))})
		}
		if k > 0 && k < n-1 && r.IntN(4) == 0 {
			add(motcua.StepAction{Type: motcua.TypeReturn})
		}
		for _, typ := range []string{motcua.TypeConsult, motcua.TypeRequestSupplement, motcua.TypeRequestPayment, motcua.TypeExtend, motcua.TypeRefuse} {
			if r.IntN(2) == 0 {
				continue
			}
			a := motcua.StepAction{Type: typ}
			if typ == motcua.TypeConsult {
				if r.IntN(2) == 0 {
					a.Agencies = []string{agencyDept, agencyDistrict}
					if s.At.Agency != "" {
						a.Agencies = []string{agencyCommune}
					}
				}
				if r.IntN(2) == 0 {
					a.Role = roles[r.IntN(3)]
				}
				if r.IntN(2) == 0 {
					a.Budget = hours(1 + r.IntN(16))
				}
			}
			add(a)
		}
		p.Steps = append(p.Steps, s)
	}
	return p
}

// roleAt returns an officer holding role at agency a only.
func roleAt(role string, a *motcua.Agency) motcua.Actor {
	return staff(role+"@"+a.Code, "Cán bộ", motcua.Grant{Role: role, Unit: a.UnitCode, Agency: a.Code})
}

// request fills in what action name needs on d, with random text.
func request(r *rand.Rand, p *motcua.Process, d *motcua.Dossier, name string) motcua.ActionRequest {
	req := motcua.ActionRequest{Action: name, Version: d.Version}
	if r.IntN(3) == 0 {
		req.Note = "ghi chú nội bộ"
	}
	if r.IntN(3) == 0 {
		req.Message = "Thông báo cho người nộp"
	}
	var main *motcua.Task
	var consulted []string
	for _, t := range d.Tasks {
		if t.Open() && t.Kind == motcua.TaskStep {
			main = t
		}
		if name == motcua.ActionPick && t.Open() && t.PickedAt == nil && (req.Task == 0 || t.Kind == motcua.TaskStep) {
			req.Task = t.ID
		}
		if t.Open() && t.Kind == motcua.TaskConsult {
			consulted = append(consulted, t.Agency)
			if name == motcua.ActionAnswer && req.Task == 0 {
				req.Task = t.ID
			}
		}
	}
	typ := name
	if main != nil {
		if s := findStep(p, main.Step); s != nil {
			for _, a := range s.Actions {
				if a.Name == name || a.Name == "" && a.Type == name {
					typ = a.Type
				}
			}
		}
	}
	switch typ {
	case motcua.TypeRequestSupplement:
		req.Items = []string{"Tờ khai", "Giấy chứng sinh"}[:1+r.IntN(2)]
	case motcua.TypeRequestPayment:
		req.Payment = "Lệ phí 8.000 đồng"
	case motcua.TypeRefuse:
		req.Reasons = []string{"Không đủ điều kiện"}
	case motcua.TypeExtend:
		req.Reason = "Cần thêm thời gian"
		req.Extend = []motcua.ProcessingTime{hours(1 + r.IntN(8)), {Value: 1 + r.IntN(3), Unit: motcua.WorkingDays},
			{Value: 1 + r.IntN(5), Unit: motcua.CalendarDays}, {Value: 1, Unit: motcua.SameDay}}[r.IntN(4)]
	case motcua.TypeConsult:
		for _, a := range []string{agencyDept, agencyDistrict, agencyCommune} {
			if main != nil && a != main.Agency && !slices.Contains(consulted, a) {
				req.Agencies = append(req.Agencies, a)
			}
		}
		if len(req.Agencies) > 1 {
			req.Agencies = req.Agencies[:1+r.IntN(len(req.Agencies))]
		}
	case motcua.ActionAnswer:
		req.Answer = "Đồng ý"
	}
	return req
}

// actorFor returns an actor allowed to perform name on d, other than the
// administrator when one exists.
func actorFor(w *world, d *motcua.Dossier, name string, req motcua.ActionRequest) motcua.Actor {
	commune := w.dir.agencies[agencyCommune]
	switch name {
	case motcua.ActionReceive, motcua.ActionPay:
		return motcua.SystemActor
	case motcua.ActionSupplement, motcua.ActionWithdraw:
		return citizen
	}
	var main *motcua.Task
	for _, t := range d.Tasks {
		switch {
		case !t.Open():
		case name == motcua.ActionAnswer || name == motcua.ActionPick:
			if t.ID == req.Task {
				main = t
			}
		case t.Kind == motcua.TaskStep:
			main = t
		}
	}
	if main == nil {
		return roleAt(motcua.RoleOneDoor, commune)
	}
	return roleAt(main.Role, w.dir.agencies[main.Agency])
}

// stepAction reports whether name is an action of the main task's step.
func stepAction(p *motcua.Process, d *motcua.Dossier, name string) (*motcua.Task, bool) {
	for _, t := range d.Tasks {
		if t.Open() && t.Kind == motcua.TaskStep {
			s := findStep(p, t.Step)
			for _, a := range s.Actions {
				if a.Name == name || a.Name == "" && a.Type == name {
					return t, true
				}
			}
		}
	}
	return nil, false
}

// wrongActors returns actors without role at the task's agency.
func wrongActors(w *world, t *motcua.Task) []motcua.Actor {
	a := w.dir.agencies[t.Agency]
	var out []motcua.Actor
	for _, role := range []string{motcua.RoleOneDoor, motcua.RoleSpecialist, motcua.RoleLeader, motcua.RoleUnitAdmin} {
		if role != t.Role {
			out = append(out, roleAt(role, a))
		}
	}
	for _, other := range w.dir.agencies {
		if other.Code != t.Agency {
			out = append(out, staff("elsewhere", "Cán bộ nơi khác", motcua.Grant{Role: t.Role, Unit: other.UnitCode, Agency: other.Code}))
		}
	}
	return append(out, staff("other-district", "Cán bộ quận khác", motcua.Grant{Role: t.Role, Unit: unitOther}), citizen, motcua.SystemActor)
}

// TestProperties applies random action sequences to dossiers of random
// valid processes and checks, at every step, that
//  1. an actor without the step's role never succeeds;
//  2. the result can still be returned, by the administrator, without
//     withdrawing (checked in some states);
//  3. no due time an action sets is before the action's time, and no
//     deadline becomes due soon after it is due;
//  4. pausing then resuming neither loses nor gains working time, for the
//     overall due time and for the task's, exactly;
//  5. Apply never modifies its input dossier.
func TestProperties(t *testing.T) {
	processes, dossiers := 250, 4
	if testing.Short() {
		processes = 30
	}
	r := rand.New(rand.NewPCG(2026, 11))
	applied, searched := 0, 0
	counts := map[string]int{}
	for i := range processes {
		p := randomProcess(r, i)
		w := newWorld(t, p) // (6) every random process is valid
		for range dossiers {
			w.proc.AutoReceive = r.IntN(3) == 0
			channel := []string{motcua.ChannelCounter, motcua.ChannelOnline}[r.IntN(2)]
			now := time.Date(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28), 6+r.IntN(14), r.IntN(60), 0, r.IntN(1e9), ict)
			d := w.create(channel, oneDoor, now).Dossier
			for step := 0; step < 40 && !final(d.Status); step++ {
				allowed := workflow.Allowed(p, d, admin, w.dir)
				if len(allowed) == 0 {
					t.Fatalf("process %d: no action allowed on a %s dossier", i, d.Status)
				}
				if r.IntN(8) == 0 {
					searched++
					if !canReturn(w, d, now) {
						t.Fatalf("process %d: the result cannot be returned from %s at %v, tasks %s", i, d.Status, allowed, tasks(d))
					}
				}
				name := allowed[r.IntN(len(allowed))]
				if (name == motcua.ActionWithdraw || name == motcua.ActionRefuse) && r.IntN(4) != 0 {
					continue
				}
				now = advance(r, now)
				req := request(r, p, d, name)
				if task, ok := stepAction(p, d, name); ok {
					for _, a := range wrongActors(w, task) {
						if _, err := workflow.Apply(p, w.proc, d, req, w.env(now, a)); err == nil {
							t.Fatalf("process %d: %s by %+v without role %s at %s succeeded", i, name, a, task.Role, task.Agency)
						}
					}
				}
				a := actorFor(w, d, name, req)
				if r.IntN(4) == 0 {
					a = admin
				}
				before := workflow.Clone(d)
				out, err := workflow.Apply(p, w.proc, d, req, w.env(now, a))
				if !reflect.DeepEqual(before, d) {
					t.Fatalf("process %d: %s modified its input", i, name)
				}
				if err != nil {
					var e *motcua.Error
					if errors.As(err, &e) && e.Code == motcua.EINVALID && name == "consult" {
						continue // nothing left to consult
					}
					t.Fatalf("process %d: %s by %s on a %s dossier: %v", i, name, a.ID, d.Status, err)
				}
				applied++
				counts[name]++
				checkOutcome(t, d, out)
				checkDueTimes(t, d, out, utc(now))
				checkResumption(t, d, out.Dossier, utc(now))
				d = out.Dossier
			}
		}
	}
	t.Logf("%d actions applied, %d searches: %v", applied, searched, counts)
}

func final(s motcua.Status) bool {
	return s == motcua.StatusReturned || s == motcua.StatusRefused || s == motcua.StatusWithdrawn
}

func tasks(d *motcua.Dossier) string {
	s := ""
	for _, t := range d.Tasks {
		s += fmt.Sprintf("[%d %s %s %s open=%v]", t.ID, t.Kind, t.Step, t.Agency, t.Open())
	}
	return s
}

// advance returns now plus a random time: none, minutes, hours or days.
func advance(r *rand.Rand, now time.Time) time.Time {
	switch r.IntN(4) {
	case 0:
		return now
	case 1:
		return now.Add(time.Duration(r.IntN(120)) * time.Minute)
	case 2:
		return now.Add(time.Duration(r.IntN(48)) * time.Hour)
	}
	return now.Add(time.Duration(r.IntN(10*24*3600)) * time.Second)
}

// checkDueTimes checks that every due time the change set is not before
// now and that no deadline is due soon after it is due.
func checkDueTimes(t *testing.T, before *motcua.Dossier, out *workflow.Outcome, now time.Time) {
	t.Helper()
	d := out.Dossier
	changed := func(old, new *time.Time) bool { return new != nil && (old == nil || !old.Equal(*new)) }
	if changed(before.DueAt, d.DueAt) && d.DueAt.Before(now) {
		t.Fatalf("due time %v set before %v", d.DueAt, now)
	}
	for _, task := range d.Tasks {
		var old *time.Time
		for _, b := range before.Tasks {
			if b.ID == task.ID {
				old = b.DueAt
			}
		}
		if changed(old, task.DueAt) && task.DueAt.Before(now) {
			t.Fatalf("task %d due %v set before %v", task.ID, task.DueAt, now)
		}
	}
	if x := d.Extension; x != nil && before.Extension == nil && x.DueAt.Before(now) {
		t.Fatalf("extended to %v before %v", x.DueAt, now)
	}
	for _, dl := range out.Deadlines {
		if dl.SoonAt.After(dl.DueAt) || dl.DossierID != d.ID {
			t.Fatalf("deadline %+v", dl)
		}
	}
}

// checkResumption checks that a resumed clock has the working time it had
// when paused.
func checkResumption(t *testing.T, before, after *motcua.Dossier, now time.Time) {
	t.Helper()
	if before.PausedAt == nil || after.PausedAt != nil {
		return
	}
	if after.Status == motcua.StatusRefused || after.Status == motcua.StatusWithdrawn {
		return
	}
	left, _ := cal.WorkingTime(before.UnitCode, *before.PausedAt, *before.DueAt)
	got, _ := cal.WorkingTime(after.UnitCode, now, *after.DueAt)
	if left != got || before.Remaining != left {
		t.Fatalf("paused with %v left (remaining %v), resumed with %v", left, before.Remaining, got)
	}
	for _, b := range before.Tasks {
		if b.PausedAt == nil || b.DueAt == nil {
			continue
		}
		a := task(t, after, b.ID)
		left, _ := cal.WorkingTime(b.Unit, *b.PausedAt, *b.DueAt)
		got, _ := cal.WorkingTime(a.Unit, now, *a.DueAt)
		if left != got || b.Remaining != left {
			t.Fatalf("task %d paused with %v left, resumed with %v", b.ID, left, got)
		}
	}
}

// canReturn reports whether the administrator can bring d to returned
// without withdrawing it, searching the states breadth-first.
func canReturn(w *world, d *motcua.Dossier, now time.Time) bool {
	type key struct {
		step             string
		status           motcua.Status
		consults         int
		extended, supple bool
	}
	keyOf := func(d *motcua.Dossier) key {
		k := key{status: d.Status, extended: d.Extension != nil}
		for _, t := range d.Tasks {
			if t.Open() && t.Kind == motcua.TaskStep {
				k.step = t.Step
			}
			if t.Open() && t.Kind == motcua.TaskConsult {
				k.consults++
			}
		}
		for _, iv := range d.Pauses {
			k.supple = k.supple || iv.Reason == motcua.TypeRequestSupplement
		}
		return k
	}
	r := rand.New(rand.NewPCG(1, 1))
	seen := map[key]bool{keyOf(d): true}
	queue := []*motcua.Dossier{d}
	for n := 0; len(queue) > 0 && n < 400; n++ {
		d := queue[0]
		queue = queue[1:]
		for _, name := range workflow.Allowed(w.p, d, admin, w.dir) {
			if name == motcua.ActionWithdraw || name == motcua.ActionPick {
				continue
			}
			out, err := workflow.Apply(w.p, w.proc, d, request(r, w.p, d, name), w.env(now, admin))
			if err != nil {
				continue
			}
			if out.Dossier.Status == motcua.StatusReturned {
				return true
			}
			if k := keyOf(out.Dossier); !seen[k] {
				seen[k] = true
				queue = append(queue, out.Dossier)
			}
		}
	}
	return false
}
