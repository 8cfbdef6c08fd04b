package workflow

import (
	"errors"
	"fmt"

	"motcua"
)

// New creates a dossier from valid input for procedure version proc,
// following process p, received by the agency in input, which belongs to
// unit. The dossier pins p's code and version.
//
// A counter or post dossier is received at once by env.Actor (a "receive"
// event from no status). An online one is submitted (a "submit" event)
// and waits for intake, unless the procedure receives online submissions
// automatically: then the system receives it too. Receipt assigns the
// code (env.NextCode), the receipt time and the due time of the
// procedure's processing time on the unit's calendar, and opens task 1 at
// p.Start. Who may create which dossier is the caller's to check.
func New(in *motcua.DossierInput, proc *motcua.Procedure, p *motcua.Process, unit string, env motcua.Env) (*Outcome, error) {
	if in == nil || proc == nil || p == nil || env.Calendar == nil || env.NextCode == nil {
		return nil, errors.New("workflow: new dossier: missing input, procedure, process, calendar or code sequence")
	}
	d := &motcua.Dossier{
		ID:               motcua.NewDossierIDAt(env.Now),
		ProcedureCode:    proc.Code,
		ProcedureVersion: proc.Version,
		AgencyCode:       in.AgencyCode,
		UnitCode:         unit,
		Applicant:        in.Applicant,
		Channel:          in.Channel,
		Form:             in.Form,
		Attachments:      in.Attachments,
		Process:          p.Code,
		ProcessVersion:   p.Version,
	}
	c := newChange(p, proc, d, env)
	d.SubmittedAt = c.now
	if d.Attachments == nil {
		d.Attachments = []motcua.Attachment{}
	}
	if in.Channel == motcua.ChannelOnline {
		d.Status = motcua.StatusSubmitted
		c.event(motcua.ActionSubmit, c.actor, motcua.StatusSubmitted, map[string]any{
			"procedure": proc.Code, "procedure_version": proc.Version, "agency": d.AgencyCode, "channel": d.Channel,
			"process": p.Code, "process_version": p.Version,
		})
		if !proc.AutoReceive {
			return c.outcome()
		}
		c.actor = motcua.SystemActor
	}
	if err := c.receive(map[string]any{}); err != nil {
		return nil, err
	}
	return c.outcome()
}

// receive assigns the code, the receipt time and the due time, opens the
// first task at the start step and records the event with payload's
// members added.
func (c *change) receive(payload map[string]any) error {
	d, proc, p := c.d, c.proc, c.p
	if proc == nil || c.env.NextCode == nil {
		return errors.New("workflow: receive: no procedure or code sequence")
	}
	start := findStep(p, p.Start)
	if start == nil {
		return fmt.Errorf("workflow: receive: process %s version %d has no start step %q", p.Code, p.Version, p.Start)
	}
	code, err := c.env.NextCode(d.AgencyCode, c.now)
	if err != nil {
		return fmt.Errorf("assign dossier code: %w", err)
	}
	due, err := c.env.Calendar.Due(d.UnitCode, c.now, proc.ProcessingTime)
	if err != nil {
		return fmt.Errorf("compute due time: %w", err)
	}
	from := d.Status
	now := c.now
	d.Code = code
	d.ReceivedAt = &now
	d.DueAt, d.DueExplanation = dueOf(due)
	d.PausedAt, d.Remaining, d.ResumeStatus, d.SupplementItems = nil, 0, "", nil
	t, err := c.openStep(start, nil, nil)
	if err != nil {
		return err
	}
	c.enter(start)
	payload["code"] = code
	payload["procedure"] = proc.Code
	payload["procedure_version"] = proc.Version
	payload["agency"] = d.AgencyCode
	payload["channel"] = d.Channel
	payload["received_at"] = motcua.FormatTime(now)
	payload["due_at"] = motcua.FormatTime(*d.DueAt)
	payload["process"] = p.Code
	payload["process_version"] = p.Version
	payload["step"] = start.ID
	payload["opened"] = []int{t.ID}
	c.event(motcua.ActionReceive, c.actor, from, payload)
	return nil
}

// enter sets the status of a dossier whose main task entered step s:
// received at the start step, result_ready at a step that returns the
// result (finished now, unless it already was), processing elsewhere (no
// longer finished).
func (c *change) enter(s *motcua.Step) {
	d := c.d
	switch {
	case s.ID == c.p.Start:
		d.Status = motcua.StatusReceived
		d.FinishedAt = nil
	case isResult(s):
		d.Status = motcua.StatusResultReady
		if d.FinishedAt == nil {
			now := c.now
			d.FinishedAt = &now
		}
	default:
		d.Status = motcua.StatusProcessing
		d.FinishedAt = nil
	}
}
