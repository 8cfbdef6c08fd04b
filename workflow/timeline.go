package workflow

import (
	"encoding/json"
	"time"

	"motcua"
)

// TimelineOptions configures a timeline. ShowOfficers shows the name of
// the officer who ended each step; Directory, when set, names the
// agencies.
//
// Calendar, when set, tells when due times become due soon (the process's
// lead time before them), for the states "due_soon".
type TimelineOptions struct {
	ShowOfficers bool
	Directory    motcua.Directory
	Calendar     motcua.Calendar
}

// Timeline is the applicant's view of a dossier's progress: each step with
// its agency and role, when it started and ended, how long it waited
// before an officer took it up and its pauses, the expected return time
// with its explanation, and the messages addressed to the applicant.
// Internal notes and consultations' answers never appear in it. DueState
// is the overall due time's state, as a step's State, empty once the
// result is ready or the dossier ended.
type Timeline struct {
	Code            string             `json:"code,omitempty"`
	Status          motcua.Status      `json:"status"`
	DueState        string             `json:"due_state,omitempty"`
	SubmittedAt     time.Time          `json:"submitted_at"`
	ReceivedAt      *time.Time         `json:"received_at,omitempty"`
	DueAt           *time.Time         `json:"due_at,omitempty"`
	FinishedAt      *time.Time         `json:"finished_at,omitempty"`
	ReturnedAt      *time.Time         `json:"returned_at,omitempty"`
	Due             *motcua.Due        `json:"due_explanation,omitempty"`
	Steps           []TimelineStep     `json:"steps"`
	Pauses          []motcua.Interval  `json:"pauses,omitempty"`
	Extension       *TimelineExtension `json:"extension,omitempty"`
	Messages        []TimelineMessage  `json:"messages,omitempty"`
	SupplementItems []string           `json:"supplement_items,omitempty"`
	Payment         string             `json:"payment,omitempty"`
	RefusalReasons  []string           `json:"refusal_reasons,omitempty"`
}

// TimelineStep is a task of a dossier as its applicant sees it. Waiting is
// the wall-clock time from its start to the moment an officer took it up
// (to its end if nobody did, to now while it waits). State is "open",
// "due_soon" (within the process's lead time before its due time, when the
// timeline was built with a calendar), "overdue" (past its due time),
// "paused" (its clock stopped), "done_on_time" or "done_late".
type TimelineStep struct {
	Task         int               `json:"task"`
	Kind         string            `json:"kind"`
	Step         string            `json:"step"`
	Name         string            `json:"name"`
	NameEN       string            `json:"name_en"`
	Role         string            `json:"role"`
	Agency       string            `json:"agency"`
	AgencyName   string            `json:"agency_name,omitempty"`
	AgencyNameEN string            `json:"agency_name_en,omitempty"`
	Officer      string            `json:"officer,omitempty"`
	StartedAt    time.Time         `json:"started_at"`
	PickedAt     *time.Time        `json:"picked_at,omitempty"`
	EndedAt      *time.Time        `json:"ended_at,omitempty"`
	DueAt        *time.Time        `json:"due_at,omitempty"`
	Waiting      motcua.Seconds    `json:"waiting"`
	Pauses       []motcua.Interval `json:"pauses,omitempty"`
	State        string            `json:"state"`
}

// Timeline step states.
const (
	StateOpen       = "open"
	StateDueSoon    = "due_soon"
	StateOverdue    = "overdue"
	StatePaused     = "paused"
	StateDoneOnTime = "done_on_time"
	StateDoneLate   = "done_late"
)

// TimelineExtension is the extension of a dossier's due time, with the
// apology given.
type TimelineExtension struct {
	At       time.Time `json:"at"`
	Reason   string    `json:"reason"`
	Previous time.Time `json:"previous_due_at"`
	DueAt    time.Time `json:"due_at"`
}

// TimelineMessage is a message to the applicant given with an action.
type TimelineMessage struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// BuildTimeline returns the timeline of d, which follows process p, as of
// now. Messages come from d.Events. The timeline shares d's times,
// explanations and pauses: it is a view to encode, not to change.
func BuildTimeline(p *motcua.Process, d *motcua.Dossier, now time.Time, opt TimelineOptions) *Timeline {
	if d == nil {
		return nil
	}
	tl := &Timeline{
		Code: d.Code, Status: d.Status, DueState: dueState(p, d.UnitCode, d.DueAt, d.PausedAt, final(d.Status) || d.Status == motcua.StatusResultReady, now, opt.Calendar),
		SubmittedAt: d.SubmittedAt,
		ReceivedAt:  d.ReceivedAt, DueAt: d.DueAt, FinishedAt: d.FinishedAt, ReturnedAt: d.ReturnedAt,
		Due: d.DueExplanation, Steps: make([]TimelineStep, 0, len(d.Tasks)), Pauses: d.Pauses,
		SupplementItems: d.SupplementItems, Payment: d.Payment, RefusalReasons: d.RefusalReasons,
	}
	if x := d.Extension; x != nil {
		tl.Extension = &TimelineExtension{At: x.At, Reason: x.Reason, Previous: x.Previous, DueAt: x.DueAt}
	}
	for _, t := range d.Tasks {
		tl.Steps = append(tl.Steps, timelineStep(p, t, now, opt))
	}
	for _, e := range d.Events {
		var m struct {
			Message string `json:"message"`
		}
		if e != nil && json.Unmarshal(e.Payload, &m) == nil && m.Message != "" {
			tl.Messages = append(tl.Messages, TimelineMessage{At: e.At, Text: m.Message})
		}
	}
	return tl
}

func timelineStep(p *motcua.Process, t *motcua.Task, now time.Time, opt TimelineOptions) TimelineStep {
	s := TimelineStep{
		Task: t.ID, Kind: t.Kind, Step: t.Step, Name: t.Name, NameEN: t.NameEN, Role: t.Role, Agency: t.Agency,
		StartedAt: t.StartedAt, PickedAt: t.PickedAt, EndedAt: t.EndedAt, DueAt: t.DueAt, Pauses: t.Pauses,
	}
	if s.Name == "" && p != nil {
		if st := findStep(p, t.Step); st != nil {
			s.Name, s.NameEN = st.Name, st.NameEN
		}
	}
	if opt.Directory != nil {
		if a, ok := opt.Directory.Agency(t.Agency); ok {
			s.AgencyName, s.AgencyNameEN = a.Name, a.NameEN
		}
	}
	if opt.ShowOfficers && t.EndedBy != nil {
		s.Officer = t.EndedBy.Name
	}
	until := now
	switch {
	case t.PickedAt != nil:
		until = *t.PickedAt
	case t.EndedAt != nil:
		until = *t.EndedAt
	}
	if w := until.Sub(t.StartedAt); w > 0 {
		s.Waiting = motcua.Seconds(w / time.Second)
	}
	switch {
	case t.EndedAt != nil && t.DueAt != nil && t.EndedAt.After(*t.DueAt):
		s.State = StateDoneLate
	case t.EndedAt != nil:
		s.State = StateDoneOnTime
	default:
		s.State = dueState(p, t.Unit, t.DueAt, t.PausedAt, false, now, opt.Calendar)
	}
	return s
}

// dueState is the state of an open clock due at due: overdue past it,
// due soon within the process's lead time before it (known only with a
// calendar), else open; paused when paused, and empty when ended.
func dueState(p *motcua.Process, unit string, due, paused *time.Time, ended bool, now time.Time, cal motcua.Calendar) string {
	switch {
	case ended:
		return ""
	case paused != nil:
		return StatePaused
	case due == nil:
		return StateOpen
	case now.After(*due):
		return StateOverdue
	}
	if cal != nil && p != nil {
		if soon, err := soonAt(p.DueSoon, cal, unit, *due); err == nil && !now.Before(soon) {
			return StateDueSoon
		}
	}
	return StateOpen
}
