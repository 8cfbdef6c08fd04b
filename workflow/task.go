package workflow

import (
	"fmt"
	"time"

	"motcua"
)

// place returns the agency and unit where step s runs when the task from
// (nil for the first task, which the receiving agency hands over) hands
// over to it. agencies are the request's agencies, which name the child
// unit's agency.
func (c *change) place(s *motcua.Step, from *motcua.Task, agencies []string) (agency, unit string, err error) {
	d := c.d
	fromAgency, fromUnit := d.AgencyCode, d.UnitCode
	if from != nil {
		fromAgency, fromUnit = from.Agency, from.Unit
	}
	field := fmt.Sprintf("steps[%s].at", s.ID)
	switch s.At.Kind {
	case "", motcua.PlaceReceiving:
		return d.AgencyCode, d.UnitCode, nil
	case motcua.PlaceAgency:
		a, ok := c.dir.Agency(s.At.Agency)
		if !ok {
			return "", "", placeError(field+".agency", motcua.FieldUnknown,
				fmt.Sprintf("step %q runs at agency %q, which does not exist", s.ID, s.At.Agency))
		}
		return a.Code, a.UnitCode, nil
	case motcua.PlaceParent:
		pu, ok := c.dir.ParentUnit(fromUnit)
		if !ok {
			return "", "", placeError(field, motcua.FieldValue,
				fmt.Sprintf("step %q runs at the parent unit, but unit %s of agency %s has none", s.ID, fromUnit, fromAgency))
		}
		a, ok := c.dir.AgencyAt(pu, d.ProcedureCode)
		if !ok {
			return "", "", placeError(field, motcua.FieldValue,
				fmt.Sprintf("step %q runs at the parent unit %s, which has no agency for procedure %s", s.ID, pu, d.ProcedureCode))
		}
		return a.Code, a.UnitCode, nil
	case motcua.PlaceChild:
		if len(agencies) == 0 {
			return "", "", placeError("agencies", motcua.FieldRequired,
				fmt.Sprintf("step %q runs at a unit below %s: name its agency", s.ID, fromUnit))
		}
		a, ok := c.dir.Agency(agencies[0])
		if !ok {
			return "", "", placeError("agencies", motcua.FieldUnknown, fmt.Sprintf("no agency %q", agencies[0]))
		}
		if pu, ok := c.dir.ParentUnit(a.UnitCode); !ok || pu != fromUnit {
			return "", "", placeError("agencies", motcua.FieldValue,
				fmt.Sprintf("agency %s is not in a unit directly below unit %s", a.Code, fromUnit))
		}
		return a.Code, a.UnitCode, nil
	}
	return "", "", placeError(field+".kind", motcua.FieldValue, fmt.Sprintf("step %q has an unknown place %q", s.ID, s.At.Kind))
}

func placeError(field, reason, message string) error {
	return (&motcua.Fields{{Field: field, Reason: reason, Message: message}}).Err()
}

// openStep opens the main task at step s, handed over by from (nil at
// receipt), and returns it.
func (c *change) openStep(s *motcua.Step, from *motcua.Task, agencies []string) (*motcua.Task, error) {
	agency, unit, err := c.place(s, from, agencies)
	if err != nil {
		return nil, err
	}
	t := &motcua.Task{Kind: motcua.TaskStep, Step: s.ID, Name: s.Name, NameEN: s.NameEN, Role: s.Role,
		Agency: agency, Unit: unit, Linked: agency != c.d.AgencyCode}
	if from != nil {
		t.From = from.ID
		t.Linked = agency != from.Agency
	}
	return t, c.open(t, s.Budget)
}

// open numbers t, starts it now with the due time of budget (none when
// zero) in its unit's working time, and adds it to the dossier.
func (c *change) open(t *motcua.Task, budget motcua.ProcessingTime) error {
	t.ID = len(c.d.Tasks) + 1
	t.StartedAt = c.now
	if budget != (motcua.ProcessingTime{}) {
		due, err := c.env.Calendar.Due(t.Unit, c.now, budget)
		if err != nil {
			return fmt.Errorf("workflow: due time of task %q at %s: %w", t.Name, t.Agency, err)
		}
		t.DueAt, t.Due = taskDue(due)
	}
	c.d.Tasks = append(c.d.Tasks, t)
	return nil
}

// end closes t now by the change's actor with the action's name.
func (c *change) end(t *motcua.Task, outcome string) {
	now, by := c.now, c.actor
	t.EndedAt, t.Outcome, t.EndedBy = &now, outcome, &by
	if t.PausedAt != nil {
		closeIntervals(t.Pauses, now)
		t.PausedAt, t.Remaining = nil, 0
	}
}

// pick records that the change's actor takes up t, if nobody has.
func (c *change) pick(t *motcua.Task) {
	if t.PickedAt == nil {
		now := c.now
		t.PickedAt = &now
	}
}

// task returns the dossier's task with id.
func (c *change) task(id int) *motcua.Task {
	if id >= 1 && id <= len(c.d.Tasks) && c.d.Tasks[id-1].ID == id {
		return c.d.Tasks[id-1]
	}
	for _, t := range c.d.Tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// dueOf returns the due time and its explanation, in UTC to the
// microsecond.
func dueOf(due motcua.Due) (*time.Time, *motcua.Due) {
	at := due.At.UTC().Truncate(time.Microsecond)
	due.At = at
	return &at, &due
}

// taskDue is dueOf for a task: the due time with its summaries, without
// the day-by-day steps, which only the dossier's overall due time keeps —
// every change rewrites the dossier with all its tasks, so their size
// counts.
func taskDue(due motcua.Due) (*time.Time, *motcua.Due) {
	due.Explanation = nil
	return dueOf(due)
}

// closeIntervals ends every open interval of ivs at t.
func closeIntervals(ivs []motcua.Interval, t time.Time) {
	for i := range ivs {
		if ivs[i].To == nil {
			to := t
			ivs[i].To = &to
		}
	}
}
