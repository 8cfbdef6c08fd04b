package workflow

import (
	"fmt"
	"strings"

	"motcua"
)

// Kinds of actions, as a request's action name resolves in a state.
type opKind int

const (
	opNone       opKind = iota // a known name not offered now
	opStep                     // an action of the main task's step
	opIntake                   // request_supplement or refuse before receipt
	opReceive                  // intake of an online submission
	opSupplement               // the missing items handed in
	opPay                      // the financial obligation met
	opAnswer                   // a consulted agency's answer
	opPick                     // an officer takes up an open task
	opWithdraw                 // the applicant withdraws the dossier
)

// globalKind returns the kind of the action named name that no step
// offers, and reports whether there is one.
func globalKind(name string) (opKind, bool) {
	switch name {
	case motcua.ActionReceive:
		return opReceive, true
	case motcua.ActionSupplement:
		return opSupplement, true
	case motcua.ActionPay:
		return opPay, true
	case motcua.ActionAnswer:
		return opAnswer, true
	case motcua.ActionPick:
		return opPick, true
	case motcua.ActionWithdraw:
		return opWithdraw, true
	}
	return opNone, false
}

// op is an action name resolved against a dossier's state.
type op struct {
	name   string
	kind   opKind
	typ    string             // the step action type (opStep, opIntake)
	action *motcua.StepAction // opStep
}

// state is what the rules need to know about a dossier: its main task and
// the step it is at, and its open consultations.
type state struct {
	p        *motcua.Process
	d        *motcua.Dossier
	main     *motcua.Task // the open step task; nil before receipt and at the end
	step     *motcua.Step // main's step
	consults []*motcua.Task
}

func newState(p *motcua.Process, d *motcua.Dossier) (*state, error) {
	st := &state{p: p, d: d}
	for _, t := range d.Tasks {
		if !t.Open() {
			continue
		}
		switch t.Kind {
		case motcua.TaskStep:
			st.main = t
		case motcua.TaskConsult:
			st.consults = append(st.consults, t)
		}
	}
	if st.main != nil {
		if st.step = findStep(p, st.main.Step); st.step == nil {
			return nil, fmt.Errorf("workflow: dossier %s: task %d is at step %q, which process %s version %d lacks",
				d.ID, st.main.ID, st.main.Step, p.Code, p.Version)
		}
	}
	return st, nil
}

// lookup resolves an action name. It reports false for a name that is
// neither a global action nor an action of the process.
func (st *state) lookup(name string) (op, bool) {
	if k, ok := globalKind(name); ok {
		return op{name: name, kind: k}, true
	}
	intake := name == motcua.TypeRequestSupplement || name == motcua.TypeRefuse
	if st.beforeReceipt() && intake {
		return op{name: name, kind: opIntake, typ: name}, true
	}
	if st.step != nil {
		if a := findAction(st.step, name); a != nil {
			return op{name: name, kind: opStep, typ: a.Type, action: a}, true
		}
	}
	if intake {
		return op{name: name}, true
	}
	for i := range st.p.Steps {
		if findAction(&st.p.Steps[i], name) != nil {
			return op{name: name}, true
		}
	}
	return op{}, false
}

// beforeReceipt reports whether the dossier is an online submission not
// yet received, awaiting intake or a supplement asked at intake.
func (st *state) beforeReceipt() bool {
	return st.d.ReceivedAt == nil && (st.d.Status == motcua.StatusSubmitted || paused(st.d.Status))
}

// candidates returns the action names that may be allowed now, in the
// order Allowed lists them.
func (st *state) candidates() []string {
	names := make([]string, 0, 12)
	names = append(names, motcua.ActionReceive, motcua.ActionSupplement, motcua.ActionPay)
	if st.beforeReceipt() {
		names = append(names, motcua.TypeRequestSupplement, motcua.TypeRefuse)
	} else if st.step != nil {
		for i := range st.step.Actions {
			names = append(names, actionName(&st.step.Actions[i]))
		}
	}
	return append(names, motcua.ActionAnswer, motcua.ActionPick, motcua.ActionWithdraw)
}

// offered reports whether the dossier's status and step offer o.
func (st *state) offered(o op) bool {
	s := st.d.Status
	if final(s) {
		return false
	}
	switch o.kind {
	case opReceive:
		return s == motcua.StatusSubmitted
	case opSupplement:
		return s == motcua.StatusSupplementRequested
	case opPay:
		return s == motcua.StatusPaymentRequested
	case opAnswer:
		return len(st.consults) > 0
	case opPick:
		return st.unpicked() > 0
	case opWithdraw:
		return true
	case opIntake:
		return !paused(s) || o.typ == motcua.TypeRefuse
	case opStep:
		if st.main == nil || s == motcua.StatusSubmitted {
			return false
		}
		if paused(s) {
			return o.typ == motcua.TypeRefuse
		}
		if o.typ == motcua.TypeExtend {
			return st.d.DueAt != nil && st.d.FinishedAt == nil
		}
		return true
	}
	return false
}

// unpicked returns the number of open tasks nobody has picked.
func (st *state) unpicked() int {
	n := 0
	if st.main != nil && st.main.PickedAt == nil {
		n++
	}
	for _, t := range st.consults {
		if t.PickedAt == nil {
			n++
		}
	}
	return n
}

// blocked returns the ECONFLICT error of an offered action that the
// dossier's history or its open consultations forbid, or nil.
func (st *state) blocked(o op) error {
	if o.kind != opStep && o.kind != opIntake {
		return nil
	}
	switch {
	case (motcua.MovingType(o.typ) || o.typ == motcua.TypeReturn) && len(st.consults) > 0:
		var agencies []string
		for _, t := range st.consults {
			agencies = append(agencies, t.Agency)
		}
		list := strings.Join(agencies, ", ")
		return &motcua.Error{Code: motcua.ECONFLICT, Reason: "consultation_open",
			Message: fmt.Sprintf("Action %q waits for the answers of the consulted agencies: %s.", o.name, list),
			Params:  map[string]string{"action": o.name, "agencies": list}}
	case o.typ == motcua.TypeRequestSupplement && supplementRequested(st.d):
		return &motcua.Error{Code: motcua.ECONFLICT, Reason: "supplement_already_requested",
			Message: "A supplement was already requested for this dossier; the law allows one written request.",
			Params:  map[string]string{"action": o.name}}
	case o.typ == motcua.TypeExtend && st.d.Extension != nil:
		return &motcua.Error{Code: motcua.ECONFLICT, Reason: "already_extended",
			Message: "The due time of this dossier was already extended once.",
			Params:  map[string]string{"action": o.name}}
	}
	return nil
}

// supplementRequested reports whether a supplement was ever requested for
// d.
func supplementRequested(d *motcua.Dossier) bool {
	for _, iv := range d.Pauses {
		if iv.Reason == motcua.TypeRequestSupplement {
			return true
		}
	}
	return false
}

// authorize checks that a may perform o and returns the task o acts on
// (zero for none). task is the task the request names, if any: for a step
// action it must be the main task. It returns EFORBIDDEN naming the role
// needed, or EINVALID naming "task" when the task is not one o may act on
// or must be named.
func (st *state) authorize(o op, a motcua.Actor, dir motcua.Directory, task int) (int, error) {
	d := st.d
	oneDoor := func() bool {
		return a.Kind != motcua.ActorSystem && a.Can(dir, motcua.RoleOneDoor, d.AgencyCode, d.UnitCode)
	}
	deny := func() (int, error) { return 0, forbidden(o.name, motcua.RoleOneDoor, d.AgencyCode) }
	switch o.kind {
	case opReceive, opPay:
		if a.Kind == motcua.ActorSystem || oneDoor() {
			return 0, nil
		}
		return deny()
	case opSupplement, opWithdraw:
		if a.Kind == motcua.ActorCitizen || oneDoor() {
			return 0, nil
		}
		return deny()
	case opIntake:
		if staff(a) && oneDoor() {
			return 0, nil
		}
		return deny()
	case opStep:
		if !mayAct(a, dir, st.main) {
			return 0, forbidden(o.name, st.main.Role, st.main.Agency)
		}
		if task != 0 && task != st.main.ID {
			return 0, (&motcua.Fields{{Field: "task", Reason: motcua.FieldValue,
				Message: fmt.Sprintf("%s acts on task %d, the dossier's current step, not on task %d", o.name, st.main.ID, task)}}).Err()
		}
		return st.main.ID, nil
	case opAnswer:
		return st.pickTask(o, a, dir, task, st.consults)
	case opPick:
		var open []*motcua.Task
		if st.main != nil && st.main.PickedAt == nil {
			open = append(open, st.main)
		}
		for _, t := range st.consults {
			if t.PickedAt == nil {
				open = append(open, t)
			}
		}
		return st.pickTask(o, a, dir, task, open)
	}
	return 0, fmt.Errorf("workflow: authorize %q: action kind %d", o.name, o.kind)
}

// pickTask returns the task of open the request names, or the only one a
// may act on, preferring the main task.
func (st *state) pickTask(o op, a motcua.Actor, dir motcua.Directory, task int, open []*motcua.Task) (int, error) {
	if task != 0 {
		for _, t := range open {
			if t.ID == task {
				if mayAct(a, dir, t) {
					return t.ID, nil
				}
				return 0, forbidden(o.name, t.Role, t.Agency)
			}
		}
		return 0, (&motcua.Fields{{Field: "task", Reason: motcua.FieldValue,
			Message: fmt.Sprintf("task %d is not an open task that %s applies to", task, o.name)}}).Err()
	}
	var mine []*motcua.Task
	for _, t := range open {
		if mayAct(a, dir, t) {
			if t == st.main {
				return t.ID, nil
			}
			mine = append(mine, t)
		}
	}
	switch len(mine) {
	case 0:
		return 0, forbidden(o.name, open[0].Role, open[0].Agency)
	case 1:
		return mine[0].ID, nil
	}
	return 0, (&motcua.Fields{{Field: "task", Reason: motcua.FieldRequired,
		Message: "several open tasks apply: name the task"}}).Err()
}

// staff reports whether a is staff: an officer, an API client or an
// administrator, never a citizen or the system.
func staff(a motcua.Actor) bool {
	return a.Kind != motcua.ActorCitizen && a.Kind != motcua.ActorSystem
}

// mayAct reports whether a may act on task t: it holds the task's role at
// the task's agency.
func mayAct(a motcua.Actor, dir motcua.Directory, t *motcua.Task) bool {
	return staff(a) && a.Can(dir, t.Role, t.Agency, t.Unit)
}

// allowed returns the names of the actions a may perform now.
func (st *state) allowed(a motcua.Actor, dir motcua.Directory) []string {
	var names []string
	for _, name := range st.candidates() {
		o, _ := st.lookup(name)
		if !st.offered(o) || st.blocked(o) != nil {
			continue
		}
		if _, err := st.authorize(o, a, dir, 0); err != nil {
			// An EINVALID "task" means several tasks apply: allowed.
			if motcua.ErrorCode(err) != motcua.EINVALID {
				continue
			}
		}
		names = append(names, name)
	}
	return names
}

// Allowed returns the names of the actions a may perform on d now, in a
// fixed order: receive, supplement, pay, the actions of the main task's
// step in the order of the step (request_supplement and refuse before
// receipt), answer, pick and withdraw.
func Allowed(p *motcua.Process, d *motcua.Dossier, a motcua.Actor, dir motcua.Directory) []string {
	if p == nil || d == nil {
		return nil
	}
	if needsAdoption(d) {
		d = clone(d)
		adopt(p, d)
	}
	st, err := newState(p, d)
	if err != nil {
		return nil
	}
	return st.allowed(a, directory(dir))
}
