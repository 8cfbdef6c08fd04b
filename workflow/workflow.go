// Package workflow is the process engine of motcua: it validates process
// definitions (quy trình nội bộ) and moves dossiers through them.
//
// Everything here is pure. [New] creates a dossier, [Apply] performs an
// action on one, and both return an [Outcome]: the new state (the input is
// never modified), the events to append and the deadlines the scheduler
// watches. Time, the actor, the legal calendar, the directory of units and
// agencies and the dossier codes come from a [motcua.Env].
//
// After receipt a dossier has a main task at one step of its process. The
// step's actions (forward, send back, submit, approve, sign, transfer,
// consult, request supplement, request payment, extend, refuse, return)
// need the step's role at the task's agency; the global actions (receive,
// supplement, pay, answer, pick, withdraw) are offered by the dossier's
// state. The status follows the main task: received at the start step,
// result_ready at a step that returns the result, processing elsewhere,
// supplement_requested or payment_requested while the clock is paused.
package workflow

import (
	"time"

	"motcua"
)

// Outcome is the result of a change: the new state (the input dossier is
// never modified), the events to append (Seq set, hashes not yet: the
// store chains them), and every open deadline of the new state (the store
// replaces the dossier's deadlines with these).
//
// Dossier.Events is the input's history, without Events: the store
// appends them once it has chained them. Dossier shares with the input
// what the change did not touch; treat both as read-only.
type Outcome struct {
	Dossier   *motcua.Dossier
	Events    []*motcua.Event
	Deadlines []motcua.Deadline
}

// Limits of the free text of a request, in runes.
const (
	maxNote   = 2000 // Note and Message
	maxAnswer = 4000 // a consultation's answer
	maxItem   = 500  // one supplement item, refusal reason or the payment
)

// change is one change of a dossier in progress: the clone being changed
// and the events it has produced so far.
type change struct {
	p      *motcua.Process
	proc   *motcua.Procedure
	d      *motcua.Dossier
	env    motcua.Env
	dir    motcua.Directory
	now    time.Time
	actor  motcua.Actor // env.Actor without its grants, as recorded
	events []*motcua.Event
}

func newChange(p *motcua.Process, proc *motcua.Procedure, d *motcua.Dossier, env motcua.Env) *change {
	return &change{
		p: p, proc: proc, d: d, env: env,
		dir:   directory(env.Directory),
		now:   env.Now.UTC().Truncate(time.Microsecond),
		actor: actorRef(env.Actor),
	}
}

// event records an event of action by actor from status from to the
// dossier's current status.
func (c *change) event(action string, actor motcua.Actor, from motcua.Status, payload map[string]any) {
	c.d.Version++
	b := encodePayload(payload)
	c.events = append(c.events, &motcua.Event{
		DossierID: c.d.ID, Seq: c.d.Version, Action: action, Actor: actor, At: c.now,
		FromStatus: from, ToStatus: c.d.Status, Payload: b,
	})
}

// outcome returns the outcome of the change with the deadlines of the new
// state.
func (c *change) outcome() (*Outcome, error) {
	ds, err := Deadlines(c.p, c.d, c.env.Calendar)
	if err != nil {
		return nil, err
	}
	return &Outcome{Dossier: c.d, Events: c.events, Deadlines: ds}, nil
}

// actorRef returns a as events and tasks record it: without its grants.
func actorRef(a motcua.Actor) motcua.Actor {
	return motcua.Actor{Kind: a.Kind, ID: a.ID, Name: a.Name}
}

// directory returns dir, or a directory that knows nothing when dir is
// nil, so that permission checks never call a nil interface.
func directory(dir motcua.Directory) motcua.Directory {
	if dir == nil {
		return emptyDirectory{}
	}
	return dir
}

type emptyDirectory struct{}

func (emptyDirectory) Agency(string) (*motcua.Agency, bool)           { return nil, false }
func (emptyDirectory) ParentUnit(string) (string, bool)               { return "", false }
func (emptyDirectory) AgencyAt(string, string) (*motcua.Agency, bool) { return nil, false }

// findStep returns the step of p with id.
func findStep(p *motcua.Process, id string) *motcua.Step {
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i]
		}
	}
	return nil
}

// actionName returns the name a request uses for a: its name, or its type.
func actionName(a *motcua.StepAction) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Type
}

// findAction returns the action of s named name.
func findAction(s *motcua.Step, name string) *motcua.StepAction {
	for i := range s.Actions {
		if actionName(&s.Actions[i]) == name {
			return &s.Actions[i]
		}
	}
	return nil
}

// isResult reports whether s returns the result: it offers an action of
// type return.
func isResult(s *motcua.Step) bool {
	for i := range s.Actions {
		if s.Actions[i].Type == motcua.TypeReturn {
			return true
		}
	}
	return false
}

// final reports whether s ends the lifecycle.
func final(s motcua.Status) bool {
	switch s {
	case motcua.StatusReturned, motcua.StatusRefused, motcua.StatusWithdrawn:
		return true
	}
	return false
}

// paused reports whether s pauses the clock.
func paused(s motcua.Status) bool {
	return s == motcua.StatusSupplementRequested || s == motcua.StatusPaymentRequested
}
