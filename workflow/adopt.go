package workflow

import "motcua"

// needsAdoption reports whether d was received before it followed a
// process: it is received, not ended, and has no task.
func needsAdoption(d *motcua.Dossier) bool {
	return d.ReceivedAt != nil && len(d.Tasks) == 0 && !final(d.Status)
}

// adopt gives a dossier received before it followed a process the main
// task its status implies, so that it can go on under p: at the start
// step when received, at the first step that returns the result when
// result_ready, else at the first other step after the start, in the
// order the steps are reached. The task runs at the receiving agency from
// the receipt, without a due time of its own, and d pins p.
func adopt(p *motcua.Process, d *motcua.Dossier) {
	if !needsAdoption(d) {
		return
	}
	status := d.Status
	if paused(status) {
		status = d.ResumeStatus
	}
	order := reachOrder(p)
	var s *motcua.Step
	switch status {
	case motcua.StatusReceived:
		s = findStep(p, p.Start)
	case motcua.StatusResultReady:
		for _, x := range order {
			if isResult(x) {
				s = x
				break
			}
		}
	default:
		for _, x := range order {
			if x.ID != p.Start && !isResult(x) {
				s = x
				break
			}
		}
	}
	if s == nil {
		if s = findStep(p, p.Start); s == nil {
			return
		}
	}
	t := &motcua.Task{ID: 1, Kind: motcua.TaskStep, Step: s.ID, Name: s.Name, NameEN: s.NameEN, Role: s.Role,
		Agency: d.AgencyCode, Unit: d.UnitCode, StartedAt: *d.ReceivedAt}
	if paused(d.Status) {
		from := *d.ReceivedAt
		if d.PausedAt != nil {
			from = *d.PausedAt
		}
		reason := motcua.TypeRequestSupplement
		if d.Status == motcua.StatusPaymentRequested {
			reason = motcua.TypeRequestPayment
		}
		t.PausedAt = &from
		t.Pauses = []motcua.Interval{{From: from, Reason: reason}}
		if len(d.Pauses) == 0 {
			d.Pauses = []motcua.Interval{{From: from, Reason: reason}}
		}
	}
	d.Tasks = []*motcua.Task{t}
	d.Process, d.ProcessVersion = p.Code, p.Version
}

// reachOrder returns the steps of p reachable from the start by moving
// actions, in breadth-first order.
func reachOrder(p *motcua.Process) []*motcua.Step {
	start := findStep(p, p.Start)
	if start == nil {
		return nil
	}
	order := []*motcua.Step{start}
	seen := map[string]bool{start.ID: true}
	for i := 0; i < len(order); i++ {
		for _, a := range order[i].Actions {
			if !motcua.MovingType(a.Type) || seen[a.To] {
				continue
			}
			if next := findStep(p, a.To); next != nil {
				seen[a.To] = true
				order = append(order, next)
			}
		}
	}
	return order
}
