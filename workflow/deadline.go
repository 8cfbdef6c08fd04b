package workflow

import (
	"errors"
	"fmt"
	"time"

	"motcua"
)

// Deadlines returns every open deadline of d: its overall due time (Task
// 0) while the clock runs — received, not paused, not yet finished — held
// by the main task's agency, unit and role (one_door at a step that
// returns the result, the receiving agency before any task), and the due
// time of every open task that is not paused, held by the task's agency,
// unit and role.
//
// A deadline becomes due soon p.DueSoon of working time before it, on the
// calendar of its unit: zero means one working day (8 working hours),
// working_hours v and working_days v are v and 8v working hours, same_day
// one working day, and days v is v × 24 hours of wall-clock time.
func Deadlines(p *motcua.Process, d *motcua.Dossier, cal motcua.Calendar) ([]motcua.Deadline, error) {
	if p == nil || d == nil {
		return nil, errors.New("workflow: deadlines: missing process or dossier")
	}
	var ds []motcua.Deadline
	var main *motcua.Task
	for _, t := range d.Tasks {
		if t.Open() && t.Kind == motcua.TaskStep {
			main = t
		}
	}
	if d.DueAt != nil && d.PausedAt == nil && !paused(d.Status) && d.ReceivedAt != nil && d.FinishedAt == nil &&
		!final(d.Status) && d.Status != motcua.StatusResultReady {
		dl := motcua.Deadline{Agency: d.AgencyCode, Unit: d.UnitCode, Role: motcua.RoleOneDoor, DueAt: *d.DueAt}
		if main != nil {
			dl.Agency, dl.Unit, dl.Role = main.Agency, main.Unit, main.Role
			if s := findStep(p, main.Step); s != nil && isResult(s) {
				dl.Role = motcua.RoleOneDoor
			}
		}
		ds = append(ds, dl)
	}
	for _, t := range d.Tasks {
		if t.Open() && t.DueAt != nil && t.PausedAt == nil {
			ds = append(ds, motcua.Deadline{Task: t.ID, Agency: t.Agency, Unit: t.Unit, Role: t.Role, DueAt: *t.DueAt})
		}
	}
	if len(ds) > 0 && cal == nil {
		return nil, errors.New("workflow: deadlines: no calendar")
	}
	for i := range ds {
		dl := &ds[i]
		dl.DossierID, dl.Code = d.ID, d.Code
		soon, err := soonAt(p.DueSoon, cal, dl.Unit, dl.DueAt)
		if err != nil {
			return nil, fmt.Errorf("workflow: due-soon time of task %d of dossier %s: %w", dl.Task, d.ID, err)
		}
		dl.SoonAt = soon
	}
	return ds, nil
}

// soonAt returns the instant lead before due at which a deadline becomes
// due soon.
func soonAt(lead motcua.ProcessingTime, cal motcua.Calendar, unit string, due time.Time) (time.Time, error) {
	var working time.Duration
	switch lead.Unit {
	case motcua.CalendarDays:
		return due.Add(-time.Duration(lead.Value) * 24 * time.Hour), nil
	case motcua.WorkingHours:
		working = time.Duration(lead.Value) * time.Hour
	case motcua.WorkingDays:
		working = time.Duration(lead.Value) * 8 * time.Hour
	default: // zero, same_day
		working = 8 * time.Hour
	}
	at, err := cal.SubtractWorkingTime(unit, due, working)
	if err != nil {
		return time.Time{}, err
	}
	return at.UTC().Truncate(time.Microsecond), nil
}
