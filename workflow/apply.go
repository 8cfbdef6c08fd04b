package workflow

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"motcua"
)

// Apply performs the action req on dossier d, which follows process p
// (the version it pinned) and procedure version proc, and returns the
// outcome. d is never modified; the outcome's dossier shares with it what
// the change did not touch (the events, the form, the ended tasks, the
// due-time explanations), so treat both as read-only, or Clone them.
//
// The checks come in this order, and the first that fails is returned
// alone:
//   - req.Version, when not zero, must be d.Version: else ECONFLICT
//     "stale_version" with the current version;
//   - the action must be a global action or an action of p: else
//     EINVALID naming "action";
//   - the dossier's status and step must offer it: else ECONFLICT
//     "action_not_allowed" naming the actions env.Actor may perform;
//   - env.Actor must hold the role it needs: else EFORBIDDEN
//     "role_required" naming the role and the agency only;
//   - open consultations, a supplement already requested and an
//     extension already made forbid some actions: ECONFLICT
//     "consultation_open", "supplement_already_requested",
//     "already_extended";
//   - the request must carry what the action needs: else EINVALID
//     listing every bad field.
//
// Errors of the calendar, of env.NextCode and a process that does not
// match the dossier are returned wrapped and are internal.
func Apply(p *motcua.Process, proc *motcua.Procedure, d *motcua.Dossier, req motcua.ActionRequest, env motcua.Env) (*Outcome, error) {
	if p == nil || d == nil || env.Calendar == nil {
		return nil, errors.New("workflow: apply: missing process, dossier or calendar")
	}
	if d.Process != "" && (d.Process != p.Code || d.ProcessVersion != p.Version) {
		return nil, fmt.Errorf("workflow: dossier %s follows process %s version %d, not %s version %d",
			d.ID, d.Process, d.ProcessVersion, p.Code, p.Version)
	}
	if req.Version != 0 && req.Version != d.Version {
		return nil, stale(d.Version)
	}
	c := newChange(p, proc, clone(d), env)
	adopt(p, c.d)
	st, err := newState(p, c.d)
	if err != nil {
		return nil, err
	}
	o, known := st.lookup(req.Action)
	if !known {
		return nil, unknownAction(st.allowed(env.Actor, c.dir))
	}
	if !st.offered(o) {
		return nil, notAllowed(req.Action, c.d.Status, st.allowed(env.Actor, c.dir))
	}
	task, err := st.authorize(o, env.Actor, c.dir, req.Task)
	if err != nil {
		return nil, err
	}
	if err := st.blocked(o); err != nil {
		return nil, err
	}
	r, err := c.clean(req, o, st)
	if err != nil {
		return nil, err
	}
	if err := c.perform(o, st, task, r); err != nil {
		return nil, err
	}
	return c.outcome()
}

// request is an action request trimmed and checked.
type request struct {
	motcua.ActionRequest
	payload map[string]any // the note and the message
}

// clean trims the request's text and checks that it carries what o
// needs, returning EINVALID listing every bad field.
func (c *change) clean(req motcua.ActionRequest, o op, st *state) (request, error) {
	var fs motcua.Fields
	r := request{ActionRequest: req, payload: map[string]any{}}
	r.Items = cleanList(req.Items)
	r.Reasons = cleanList(req.Reasons)
	r.Agencies = cleanList(req.Agencies)
	r.Note = strings.TrimSpace(req.Note)
	r.Message = strings.TrimSpace(req.Message)
	r.Answer = strings.TrimSpace(req.Answer)
	r.Reason = strings.TrimSpace(req.Reason)
	r.Payment = strings.TrimSpace(req.Payment)
	text := func(field, s string, limit int) {
		if utf8.RuneCountInString(s) > limit {
			fs.Add(field, motcua.FieldTooLong, fmt.Sprintf("%s is longer than %d characters", field, limit))
		}
	}
	list := func(field string, ss []string) { // the request's own, to name its indexes
		for i, s := range ss {
			text(fmt.Sprintf("%s[%d]", field, i), strings.TrimSpace(s), maxItem)
		}
	}
	text("note", r.Note, maxNote)
	text("message", r.Message, maxNote)
	switch o.typ {
	case motcua.TypeRequestSupplement:
		if len(r.Items) == 0 {
			fs.Add("items", motcua.FieldRequired, "list every missing item")
		}
		list("items", req.Items)
	case motcua.TypeRequestPayment:
		if r.Payment == "" {
			fs.Add("payment", motcua.FieldRequired, "describe the financial obligation")
		}
		text("payment", r.Payment, maxItem)
	case motcua.TypeRefuse:
		if len(r.Reasons) == 0 {
			fs.Add("reasons", motcua.FieldRequired, "give the reasons for the refusal")
		}
		list("reasons", req.Reasons)
	case motcua.TypeExtend:
		if r.Reason == "" {
			fs.Add("reason", motcua.FieldRequired, "give the reason for the delay, for the apology letter")
		}
		text("reason", r.Reason, maxNote)
		if r.Extend == (motcua.ProcessingTime{}) {
			fs.Add("extend", motcua.FieldRequired, "give the added time")
		} else if !r.Extend.Valid() {
			fs.Add("extend", motcua.FieldValue, "the added time must be a positive value in same_day, working_hours, working_days or days")
		}
	case motcua.TypeConsult:
		c.checkConsulted(&fs, o.action, r.Agencies, st)
	}
	switch o.kind {
	case opAnswer:
		if r.Answer == "" {
			fs.Add("answer", motcua.FieldRequired, "give the answer")
		}
		text("answer", r.Answer, maxAnswer)
	case opWithdraw:
		list("reasons", req.Reasons)
	}
	if r.Note != "" {
		r.payload["note"] = r.Note
	}
	if r.Message != "" {
		r.payload["message"] = r.Message
	}
	return r, fs.Err()
}

// checkConsulted checks the agencies a consultation asks: the action's,
// else the request's. Each must exist, must not be the agency holding the
// dossier and must not be consulted already.
func (c *change) checkConsulted(fs *motcua.Fields, a *motcua.StepAction, agencies []string, st *state) {
	if len(a.Agencies) > 0 {
		agencies = a.Agencies
	} else if len(agencies) == 0 {
		fs.Add("agencies", motcua.FieldRequired, "name the agencies to consult")
		return
	}
	for _, code := range agencies {
		if _, ok := c.dir.Agency(code); !ok {
			fs.Add("agencies", motcua.FieldUnknown, fmt.Sprintf("no agency %q", code))
		} else if code == st.main.Agency {
			fs.Add("agencies", motcua.FieldValue, fmt.Sprintf("agency %s holds the dossier: it cannot consult itself", code))
		} else if consulting(st, code) {
			fs.Add("agencies", motcua.FieldValue, fmt.Sprintf("agency %s is already consulted", code))
		}
	}
}

// consulting reports whether a consultation of agency is open.
func consulting(st *state, agency string) bool {
	for _, t := range st.consults {
		if t.Agency == agency {
			return true
		}
	}
	return false
}

// perform changes the dossier: o acts on the task with ID task.
func (c *change) perform(o op, st *state, task int, r request) error {
	d := c.d
	from := d.Status
	payload := r.payload
	if o.typ != "" {
		payload["type"] = o.typ
	}
	var t *motcua.Task
	if task != 0 {
		t = c.task(task)
		payload["task"] = task
	}
	switch o.kind {
	case opReceive:
		return c.receive(payload)
	case opSupplement, opPay:
		if err := c.resume(payload); err != nil {
			return err
		}
		if o.kind == opSupplement {
			d.SupplementItems = nil
		} else {
			d.Payment = ""
		}
	case opAnswer:
		c.pick(t)
		t.Answer = r.Answer
		c.end(t, o.name)
		payload["answer"] = r.Answer
	case opPick:
		c.pick(t)
	case opWithdraw:
		c.finish(o.name)
		d.Status = motcua.StatusWithdrawn
		if len(r.Reasons) > 0 {
			payload["reasons"] = r.Reasons
		}
	case opIntake, opStep:
		if t != nil {
			c.pick(t)
			payload["step"] = t.Step
		}
		if err := c.step(o, t, r, payload); err != nil {
			return err
		}
	}
	c.event(o.name, c.actor, from, payload)
	return nil
}

// finish ends every open task with outcome, stops the clock and marks the
// dossier finished now, unless it already was.
func (c *change) finish(outcome string) {
	d := c.d
	for _, t := range d.Tasks {
		if t.Open() {
			c.end(t, outcome)
		}
	}
	closeIntervals(d.Pauses, c.now)
	d.PausedAt, d.Remaining, d.ResumeStatus = nil, 0, ""
	if d.FinishedAt == nil {
		now := c.now
		d.FinishedAt = &now
	}
}

// cleanList trims the strings of in and drops empty ones and repeats.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
