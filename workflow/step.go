package workflow

import (
	"fmt"
	"time"

	"motcua"
)

// step performs an action of the main task t's step, or an intake action
// when t is nil (request_supplement and refuse before receipt).
func (c *change) step(o op, t *motcua.Task, r request, payload map[string]any) error {
	d := c.d
	switch o.typ {
	case motcua.TypeForward, motcua.TypeSendBack, motcua.TypeSubmit, motcua.TypeApprove, motcua.TypeSign, motcua.TypeTransfer:
		to := findStep(c.p, o.action.To)
		if to == nil {
			return fmt.Errorf("workflow: process %s version %d: action %q of step %q goes to unknown step %q",
				c.p.Code, c.p.Version, o.name, t.Step, o.action.To)
		}
		c.end(t, o.name)
		next, err := c.openStep(to, t, r.Agencies)
		if err != nil {
			return err
		}
		c.enter(to)
		payload["to_step"] = to.ID
		payload["opened"] = []int{next.ID}
	case motcua.TypeConsult:
		return c.consult(o.action, t, r.Agencies, payload)
	case motcua.TypeRequestSupplement:
		if err := c.pause(t, motcua.StatusSupplementRequested, o.typ, payload); err != nil {
			return err
		}
		d.SupplementItems = r.Items
		payload["items"] = r.Items
	case motcua.TypeRequestPayment:
		if err := c.pause(t, motcua.StatusPaymentRequested, o.typ, payload); err != nil {
			return err
		}
		d.Payment = r.Payment
		payload["payment"] = r.Payment
	case motcua.TypeExtend:
		return c.extend(r, payload)
	case motcua.TypeRefuse:
		c.finish(o.name)
		d.RefusalReasons = r.Reasons
		d.Status = motcua.StatusRefused
		payload["reasons"] = r.Reasons
	case motcua.TypeReturn:
		c.end(t, o.name)
		now := c.now
		d.ReturnedAt = &now
		if d.FinishedAt == nil {
			finished := c.now
			d.FinishedAt = &finished
		}
		d.Status = motcua.StatusReturned
	default:
		return fmt.Errorf("workflow: action %q has unknown type %q", o.name, o.typ)
	}
	return nil
}

// consult opens one consultation task per agency asked, answered by
// action a's role (default specialist) within a's budget in the consulted
// agency's working time. The main task m stays open.
func (c *change) consult(a *motcua.StepAction, m *motcua.Task, agencies []string, payload map[string]any) error {
	if len(a.Agencies) > 0 {
		agencies = a.Agencies
	}
	role := a.Role
	if role == "" {
		role = motcua.RoleSpecialist
	}
	opened := make([]int, 0, len(agencies))
	for _, code := range agencies {
		ag, ok := c.dir.Agency(code)
		if !ok {
			return placeError("agencies", motcua.FieldUnknown, fmt.Sprintf("no agency %q", code))
		}
		nameEN := ag.NameEN
		if nameEN == "" {
			nameEN = ag.Name
		}
		t := &motcua.Task{Kind: motcua.TaskConsult, Step: m.Step,
			Name: "Xin ý kiến " + ag.Name, NameEN: "Consultation: " + nameEN,
			Role: role, Agency: ag.Code, Unit: ag.UnitCode, From: m.ID, Linked: true}
		if err := c.open(t, a.Budget); err != nil {
			return err
		}
		opened = append(opened, t.ID)
	}
	payload["opened"] = opened
	return nil
}

// pause stops the clock of the dossier (when it runs) and of its main
// task t (nil before receipt) and moves the dossier to status, to resume
// at its current status. The interval is recorded with reason, the type
// of the action.
func (c *change) pause(t *motcua.Task, status motcua.Status, reason string, payload map[string]any) error {
	d := c.d
	if d.DueAt != nil && d.FinishedAt == nil {
		rem, err := c.env.Calendar.WorkingTime(d.UnitCode, c.now, *d.DueAt)
		if err != nil {
			return fmt.Errorf("remaining working time: %w", err)
		}
		now := c.now
		d.PausedAt, d.Remaining = &now, rem
		payload["remaining_seconds"] = int64(rem / time.Second)
	}
	d.ResumeStatus = d.Status
	d.Pauses = append(d.Pauses, motcua.Interval{From: c.now, Reason: reason})
	if t != nil {
		if t.DueAt != nil {
			rem, err := c.env.Calendar.WorkingTime(t.Unit, c.now, *t.DueAt)
			if err != nil {
				return fmt.Errorf("remaining working time of task %d: %w", t.ID, err)
			}
			t.Remaining = rem
		}
		now := c.now
		t.PausedAt = &now
		t.Pauses = append(t.Pauses, motcua.Interval{From: c.now, Reason: reason})
	}
	d.Status = status
	return nil
}

// resume restarts the clocks a pause stopped: each due time moves to the
// instant the working time left at the pause has passed since now, with
// the pause at the head of its explanation. A clock that had no working
// time left (the due time had passed) keeps its due time. The dossier
// goes back to the status it was paused at.
func (c *change) resume(payload map[string]any) error {
	d := c.d
	vi, en := "để chờ bổ sung hồ sơ", "awaiting a supplement"
	if d.Status == motcua.StatusPaymentRequested {
		vi, en = "để chờ thực hiện nghĩa vụ tài chính", "awaiting a financial obligation"
	}
	closeIntervals(d.Pauses, c.now)
	if d.PausedAt != nil && d.DueAt != nil {
		if d.Remaining > 0 {
			due, err := c.env.Calendar.AddWorkingTime(d.UnitCode, c.now, d.Remaining)
			if err != nil {
				return fmt.Errorf("resume clock: %w", err)
			}
			due.Explanation = append([]motcua.DueStep{pauseStep(*d.PausedAt, c.now, vi, en)}, due.Explanation...)
			d.DueAt, d.DueExplanation = dueOf(due)
		}
		payload["due_at"] = motcua.FormatTime(*d.DueAt)
		payload["paused_at"] = motcua.FormatTime(*d.PausedAt)
	}
	for _, t := range d.Tasks {
		if !t.Open() || t.Kind != motcua.TaskStep || t.PausedAt == nil {
			continue
		}
		if t.DueAt != nil && t.Remaining > 0 {
			due, err := c.env.Calendar.AddWorkingTime(t.Unit, c.now, t.Remaining)
			if err != nil {
				return fmt.Errorf("resume clock of task %d: %w", t.ID, err)
			}
			t.DueAt, t.Due = taskDue(due)
		}
		closeIntervals(t.Pauses, c.now)
		t.PausedAt, t.Remaining = nil, 0
		payload["task"] = t.ID
	}
	d.Status = d.ResumeStatus
	if d.Status == "" {
		d.Status = motcua.StatusReceived
		if d.ReceivedAt == nil {
			d.Status = motcua.StatusSubmitted
		}
	}
	d.PausedAt, d.Remaining, d.ResumeStatus = nil, 0, ""
	return nil
}

// pauseStep is the explanation step of a pause from from to to.
func pauseStep(from, to time.Time, vi, en string) motcua.DueStep {
	loc := motcua.Location()
	from, to = from.In(loc), to.In(loc)
	return motcua.DueStep{
		Date: from.Format("2006-01-02"), Kind: motcua.StepPause,
		ReasonVI: "Tạm dừng tính thời gian từ " + from.Format("15:04 02/01/2006") + " đến " + to.Format("15:04 02/01/2006") + " " + vi,
		ReasonEN: "Clock paused from " + from.Format("2006-01-02 15:04") + " to " + to.Format("2006-01-02 15:04") + " " + en,
	}
}

// extend moves the dossier's due time once by r.Extend, counted from the
// previous due time, or from now when that has passed, and records the
// extension with its apology.
func (c *change) extend(r request, payload map[string]any) error {
	d := c.d
	prev := *d.DueAt
	start := prev
	if c.now.After(start) {
		start = c.now
	}
	due, err := c.env.Calendar.Due(d.UnitCode, start, r.Extend)
	if err != nil {
		return fmt.Errorf("extend due time: %w", err)
	}
	x := extensionStep(prev, start, r.Extend)
	if len(due.Explanation) > 0 && due.Explanation[0].Kind == motcua.StepStart {
		due.Explanation[0] = x // "received at": not a receipt here
	} else {
		due.Explanation = append([]motcua.DueStep{x}, due.Explanation...)
	}
	d.DueAt, d.DueExplanation = dueOf(due)
	d.Extension = &motcua.Extension{At: c.now, By: c.actor, Reason: r.Reason, Previous: prev, DueAt: *d.DueAt}
	payload["reason"] = r.Reason
	payload["extend"] = fmt.Sprintf("%d %s", r.Extend.Value, r.Extend.Unit)
	payload["due_at"] = motcua.FormatTime(*d.DueAt)
	return nil
}

// extensionStep is the explanation step of an extension by t from start,
// the previous due time prev or, when that had passed, the time of the
// extension.
func extensionStep(prev, start time.Time, t motcua.ProcessingTime) motcua.DueStep {
	loc := motcua.Location()
	prev, start = prev.In(loc), start.In(loc)
	vi, en := durationText(t)
	s := motcua.DueStep{Date: start.Format("2006-01-02"), Kind: motcua.StepExtension}
	if start.Equal(prev) {
		s.ReasonVI = "Gia hạn thêm " + vi + " kể từ hạn cũ " + prev.Format("15:04 02/01/2006") + " (phiếu xin lỗi và hẹn lại ngày trả kết quả)"
		s.ReasonEN = "Extended by " + en + " from the previous due time " + prev.Format("2006-01-02 15:04") + " (apology letter with a new appointment)"
	} else {
		s.ReasonVI = "Gia hạn thêm " + vi + " kể từ " + start.Format("15:04 02/01/2006") + ", khi gia hạn, vì hạn cũ " + prev.Format("15:04 02/01/2006") + " đã qua (phiếu xin lỗi và hẹn lại ngày trả kết quả)"
		s.ReasonEN = "Extended by " + en + " from " + start.Format("2006-01-02 15:04") + ", when extended, as the previous due time " + prev.Format("2006-01-02 15:04") + " had passed (apology letter with a new appointment)"
	}
	return s
}

// durationText names a processing time in Vietnamese and English.
func durationText(t motcua.ProcessingTime) (vi, en string) {
	n := fmt.Sprint(t.Value)
	plural := func(one, many string) string {
		if t.Value == 1 {
			return n + " " + one
		}
		return n + " " + many
	}
	switch t.Unit {
	case motcua.SameDay:
		return "trong ngày", "the same day"
	case motcua.WorkingHours:
		return n + " giờ làm việc", plural("working hour", "working hours")
	case motcua.WorkingDays:
		return n + " ngày làm việc", plural("working day", "working days")
	}
	return n + " ngày", plural("day", "days")
}
