package workflow

import (
	"bytes"
	"slices"

	"motcua"
)

// Clone returns a deep copy of d: its tasks, pauses, extension, due-time
// explanation, events and every pointer are copies that share nothing
// with d.
func Clone(d *motcua.Dossier) *motcua.Dossier {
	if d == nil {
		return nil
	}
	c := *d
	c.Applicant.Representative = ptr(d.Applicant.Representative)
	c.Form = bytes.Clone(d.Form)
	c.Document = bytes.Clone(d.Document)
	c.Attachments = slices.Clone(d.Attachments)
	c.ReceivedAt = ptr(d.ReceivedAt)
	c.DueAt = ptr(d.DueAt)
	c.DueExplanation = cloneDue(d.DueExplanation)
	c.FinishedAt = ptr(d.FinishedAt)
	c.ReturnedAt = ptr(d.ReturnedAt)
	c.PausedAt = ptr(d.PausedAt)
	c.SupplementItems = slices.Clone(d.SupplementItems)
	c.RefusalReasons = slices.Clone(d.RefusalReasons)
	if d.Tasks != nil {
		c.Tasks = make([]*motcua.Task, len(d.Tasks))
		for i, t := range d.Tasks {
			c.Tasks[i] = cloneTask(t)
		}
	}
	c.Pauses = cloneIntervals(d.Pauses)
	if d.Extension != nil {
		x := *d.Extension
		x.By.Grants = slices.Clone(x.By.Grants)
		c.Extension = &x
	}
	c.Events = slices.Clone(d.Events)
	for i, e := range c.Events {
		if e != nil {
			ec := *e
			ec.Actor.Grants = slices.Clone(e.Actor.Grants)
			ec.Payload = bytes.Clone(e.Payload)
			c.Events[i] = &ec
		}
	}
	return &c
}

// clone returns a copy of d that Apply may change: it shares with d what
// a change never writes to — the events (in a slice of its own, clipped
// so that appending never writes to d's), the form and attachments, the
// due-time explanations, the instants pointed to, and the tasks that have
// ended — and copies the rest. Sharing keeps an action's cost independent
// of the dossier's history.
func clone(d *motcua.Dossier) *motcua.Dossier {
	c := *d
	c.Document = nil // the input's, stale once anything changes
	c.Events = slices.Clip(d.Events)
	c.Attachments = slices.Clip(d.Attachments)
	c.SupplementItems = slices.Clip(d.SupplementItems)
	c.RefusalReasons = slices.Clip(d.RefusalReasons)
	c.Pauses = slices.Clone(d.Pauses)
	if d.Tasks != nil {
		c.Tasks = make([]*motcua.Task, len(d.Tasks), len(d.Tasks)+2)
		for i, t := range d.Tasks {
			c.Tasks[i] = t
			if t != nil && t.Open() {
				x := *t
				x.Pauses = slices.Clone(t.Pauses)
				c.Tasks[i] = &x
			}
		}
	}
	return &c
}

func cloneTask(t *motcua.Task) *motcua.Task {
	if t == nil {
		return nil
	}
	c := *t
	c.DueAt = ptr(t.DueAt)
	c.Due = cloneDue(t.Due)
	c.PickedAt = ptr(t.PickedAt)
	c.EndedAt = ptr(t.EndedAt)
	if t.EndedBy != nil {
		a := *t.EndedBy
		a.Grants = slices.Clone(a.Grants)
		c.EndedBy = &a
	}
	c.PausedAt = ptr(t.PausedAt)
	c.Pauses = cloneIntervals(t.Pauses)
	return &c
}

func cloneDue(d *motcua.Due) *motcua.Due {
	if d == nil {
		return nil
	}
	c := *d
	c.Explanation = slices.Clone(d.Explanation)
	return &c
}

func cloneIntervals(ivs []motcua.Interval) []motcua.Interval {
	c := slices.Clone(ivs)
	for i := range c {
		c[i].To = ptr(c[i].To)
	}
	return c
}

// ptr returns a pointer to a copy of *p, or nil.
func ptr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
