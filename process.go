package motcua

import (
	"context"
	"time"
)

// Process is one version of an internal process (quy trình nội bộ): the
// steps a dossier of a procedure goes through, who acts at each, where each
// runs and how long it may take. A dossier pins the version in force when
// it is created. Processes are data: administrators create and change them
// through the API, and workflow.Validate checks them whole.
type Process struct {
	Code          string    `json:"code"`
	Version       int       `json:"version"`
	Procedure     string    `json:"procedure"`
	Name          string    `json:"name"`
	NameEN        string    `json:"name_en"`
	EffectiveFrom time.Time `json:"effective_from"`
	// Agencies restricts the process to dossiers received by these
	// agencies; empty means every agency handling the procedure. A process
	// naming the receiving agency is preferred to one that does not.
	Agencies []string `json:"agencies,omitempty"`
	// Start is the ID of the step a dossier enters at receipt.
	Start string `json:"start"`
	// DueSoon is how long before a due time a dossier becomes "due soon";
	// zero means one working day.
	DueSoon ProcessingTime `json:"due_soon,omitzero"`
	Steps   []Step         `json:"steps"`

	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Step is a step of a process (bước xử lý).
type Step struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	// Role is the role that acts in this step.
	Role string `json:"role"`
	// At is where the step runs.
	At Place `json:"at,omitzero"`
	// Budget is the step's time; zero means the step has no due time of
	// its own.
	Budget  ProcessingTime `json:"budget,omitzero"`
	Actions []StepAction   `json:"actions"`
}

// Place says where a step runs: at the agency that received the dossier
// (the default), at a named agency, or at the agency of the parent or of
// a child unit of the unit where the previous step ran (liên thông across
// levels). A parent unit's agency is the one that handles the procedure,
// else that unit's People's Committee; a child's is named by the request.
type Place struct {
	Kind   string `json:"kind"`
	Agency string `json:"agency,omitempty"` // PlaceAgency only
}

// Place kinds.
const (
	PlaceReceiving = "receiving"
	PlaceAgency    = "agency"
	PlaceParent    = "parent"
	PlaceChild     = "child"
)

// StepAction is an action offered in a step. Name is what a request names
// (it defaults to Type, and is unique in its step); Type says what the
// action does.
type StepAction struct {
	Name    string `json:"name,omitempty"`
	Type    string `json:"type"`
	Label   string `json:"label,omitempty"`
	LabelEN string `json:"label_en,omitempty"`
	// To is the next step of a moving action (forward, send back, submit,
	// approve, sign, transfer).
	To string `json:"to,omitempty"`
	// Agencies are the agencies a consultation asks; when empty the
	// request names them.
	Agencies []string `json:"agencies,omitempty"`
	// Role is the role that answers a consultation at the consulted
	// agency (default specialist).
	Role string `json:"role,omitempty"`
	// Budget is the time a consulted agency has to answer.
	Budget ProcessingTime `json:"budget,omitzero"`
}

// Action types of a step. Forward, send back, submit, approve, sign and
// transfer move the dossier to the step named by To (a transfer to a step
// at another agency or level: liên thông); consult opens parallel tasks at
// other agencies and the step waits for their answers; request supplement
// and request payment pause the clock; extend moves the overall due time
// once, with an apology letter; refuse and return end the dossier.
const (
	TypeForward           = "forward"
	TypeSendBack          = "send_back"
	TypeSubmit            = "submit"
	TypeApprove           = "approve"
	TypeSign              = "sign"
	TypeTransfer          = "transfer"
	TypeConsult           = "consult"
	TypeRequestSupplement = "request_supplement"
	TypeRequestPayment    = "request_payment"
	TypeExtend            = "extend"
	TypeRefuse            = "refuse"
	TypeReturn            = "return"
)

// MovingType reports whether an action type moves the dossier to another
// step.
func MovingType(t string) bool {
	switch t {
	case TypeForward, TypeSendBack, TypeSubmit, TypeApprove, TypeSign, TypeTransfer:
		return true
	}
	return false
}

// StepTypes lists every step action type.
var StepTypes = []string{TypeForward, TypeSendBack, TypeSubmit, TypeApprove, TypeSign, TypeTransfer,
	TypeConsult, TypeRequestSupplement, TypeRequestPayment, TypeExtend, TypeRefuse, TypeReturn}

// Actions that are not offered by a step but by the dossier's state:
// receive (intake of an online submission), supplement (the missing items
// handed in), pay (the financial obligation met), answer (a consulted
// agency's answer) and withdraw (the applicant withdraws the dossier).
// Pick records that an officer has taken up the open task (the end of
// its waiting time).
const (
	ActionPay    = "pay"
	ActionAnswer = "answer"
	ActionPick   = "pick"
)

// Roles of staff, granted on a unit subtree.
const (
	RoleOneDoor    = "one_door"   // cán bộ một cửa
	RoleSpecialist = "specialist" // chuyên viên
	RoleLeader     = "leader"     // lãnh đạo
	RoleUnitAdmin  = "unit_admin"
	RoleCityAdmin  = "city_admin"
	RoleAuditor    = "auditor"
	RoleAPIClient  = "api_client"
)

// Roles lists every role.
var Roles = []string{RoleOneDoor, RoleSpecialist, RoleLeader, RoleUnitAdmin, RoleCityAdmin, RoleAuditor, RoleAPIClient}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Grant gives a role on a unit and every unit below it (a district grant
// covers its communes); with Agency set, at that agency only.
type Grant struct {
	Role   string `json:"role"`
	Unit   string `json:"unit"`
	Agency string `json:"agency,omitempty"`
}

// Directory answers the questions about units and agencies that processes
// need. Implementations are safe for concurrent use.
type Directory interface {
	// Agency returns the agency with code.
	Agency(code string) (*Agency, bool)
	// ParentUnit returns the code of the unit's parent.
	ParentUnit(unit string) (string, bool)
	// AgencyAt returns the agency of unit that handles procedure, else
	// the unit's People's Committee.
	AgencyAt(unit, procedure string) (*Agency, bool)
}

// InSubtree reports whether unit is root or below it.
func InSubtree(dir Directory, root, unit string) bool {
	for i := 0; i < 16; i++ {
		if unit == root {
			return true
		}
		p, ok := dir.ParentUnit(unit)
		if !ok {
			return false
		}
		unit = p
	}
	return false
}

// Can reports whether the actor holds role at agency, which belongs to
// unit. Administrators (the bootstrap token) hold every role everywhere;
// the system holds none.
func (a Actor) Can(dir Directory, role, agency, unit string) bool {
	if a.Kind == ActorAdmin {
		return true
	}
	for _, g := range a.Grants {
		if g.Role != role || (g.Agency != "" && g.Agency != agency) {
			continue
		}
		if InSubtree(dir, g.Unit, unit) {
			return true
		}
	}
	return false
}

// Covers reports whether the actor holds a role at agency, which belongs
// to unit, that lets staff see its dossiers or its register: any role but
// auditor and API client, which read the audit log and call the exchange.
// Administrators hold every role everywhere.
func (a Actor) Covers(dir Directory, agency, unit string) bool {
	if a.Kind == ActorAdmin {
		return true
	}
	for _, g := range a.Grants {
		if g.Role == RoleAuditor || g.Role == RoleAPIClient {
			continue
		}
		if (g.Agency == "" || g.Agency == agency) && InSubtree(dir, g.Unit, unit) {
			return true
		}
	}
	return false
}

// Task is a piece of work on a dossier at one agency: a step of its
// process, or a consultation another agency answers. Tasks are numbered
// from 1 in the order they open; the dossier's history of hand-offs is
// its list of tasks.
type Task struct {
	ID     int    `json:"id"`
	Kind   string `json:"kind"` // TaskStep or TaskConsult
	Step   string `json:"step"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Role   string `json:"role"`
	Agency string `json:"agency"`
	Unit   string `json:"unit"`
	// From is the task that handed over to this one (or asked it, for a
	// consultation); zero for the first.
	From int `json:"from,omitempty"`
	// Linked marks a task at another agency than the one it came from
	// (liên thông).
	Linked    bool       `json:"linked,omitempty"`
	StartedAt time.Time  `json:"started_at"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	// Due explains the due time in its summaries; the day-by-day steps
	// are kept for the dossier's overall due time only.
	Due *Due `json:"due_explanation,omitempty"`
	// PickedAt is when an officer first acted on the task.
	PickedAt *time.Time `json:"picked_at,omitempty"`
	EndedAt  *time.Time `json:"ended_at,omitempty"`
	// Outcome is the action that ended the task.
	Outcome string `json:"outcome,omitempty"`
	EndedBy *Actor `json:"ended_by,omitempty"`
	// Answer is a consultation's answer.
	Answer string `json:"answer,omitempty"`
	// PausedAt is set while the clock is paused; Remaining is the
	// working time the task had left then, in nanoseconds in JSON.
	PausedAt  *time.Time    `json:"paused_at,omitempty"`
	Remaining time.Duration `json:"remaining_ns,omitempty"`
	Pauses    []Interval    `json:"pauses,omitempty"`
}

// Task kinds.
const (
	TaskStep    = "step"
	TaskConsult = "consult"
)

// Open reports whether the task has not ended.
func (t *Task) Open() bool { return t.EndedAt == nil }

// Seconds is a duration that encodes in JSON as whole seconds.
type Seconds int64

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Interval is a span of time and why: a pause of the clock for a
// supplement or a financial obligation (or, before receipt, a wait for an
// intake supplement, when no clock runs yet).
type Interval struct {
	From   time.Time  `json:"from"`
	To     *time.Time `json:"to,omitempty"`
	Reason string     `json:"reason"` // the action that paused: request_supplement or request_payment
}

// Extension is the one extension of a dossier's due time, with its
// apology letter (Form 04).
type Extension struct {
	At       time.Time `json:"at"`
	By       Actor     `json:"by"`
	Reason   string    `json:"reason"`
	Previous time.Time `json:"previous_due_at"`
	DueAt    time.Time `json:"due_at"`
}

// Deadline is a due time the scheduler watches: a dossier's overall due
// time (Task 0) or an open task's. Agency and Role say who holds it: the
// alerts go to them and to the agency's leaders, and a missed deadline is
// attributed to Agency.
type Deadline struct {
	DossierID string    `json:"dossier_id"`
	Code      string    `json:"code"`
	Task      int       `json:"task"`
	Agency    string    `json:"agency"`
	Unit      string    `json:"unit"`
	Role      string    `json:"role"`
	DueAt     time.Time `json:"due_at"`
	SoonAt    time.Time `json:"soon_at"`
}

// Alert is a due-soon or overdue notice of a deadline, emitted once per
// deadline and kind.
type Alert struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"` // AlertDueSoon or AlertOverdue
	DossierID string    `json:"dossier_id"`
	Code      string    `json:"code"`
	Task      int       `json:"task"`
	Agency    string    `json:"agency"`
	Unit      string    `json:"unit"`
	Role      string    `json:"role"`
	DueAt     time.Time `json:"due_at"`
	At        time.Time `json:"at"`
}

// Alert kinds.
const (
	AlertDueSoon = "due_soon"
	AlertOverdue = "overdue"
)

// AlertFilter selects alerts: those the actor may see (the holder's role
// or leader at the alert's agency, by the actor's grants; everything for
// an administrator), optionally of one kind or agency, after an ID.
type AlertFilter struct {
	Actor  Actor
	Kind   string
	Agency string
	After  int64
	Limit  int
}

// Scan is what one ScanDeadlines call did.
type Scan struct {
	// Taken counts the due times taken; fewer than the limit means none
	// was left (or another process holds them).
	Taken int
	// Emitted counts the alerts emitted: a due time taken emits nothing
	// when its deadline has moved or closed since, when its alert was
	// emitted before, or when it is a due-soon time whose due time has
	// passed too.
	Emitted int
}

// DeadlineService finds and marks due deadlines.
type DeadlineService interface {
	// ScanDeadlines takes up to limit of the due-soon and overdue times
	// that have come by now and emits their alerts, each exactly once even
	// when several processes scan at the same time.
	ScanDeadlines(ctx context.Context, now time.Time, limit int) (Scan, error)
	// FindAlerts returns alerts in ID order.
	FindAlerts(ctx context.Context, f AlertFilter) ([]*Alert, error)
}

// ProcessService stores process definitions.
type ProcessService interface {
	// CreateProcess validates p whole and stores it as the next version of
	// its code (the first if new). Returns EINVALID naming the offending
	// step.
	CreateProcess(ctx context.Context, p *Process) (*Process, error)
	// FindProcess returns a version of a process, the latest when version
	// is 0. Returns ENOTFOUND.
	FindProcess(ctx context.Context, code string, version int) (*Process, error)
	// FindProcesses returns the latest version of every process, of one
	// procedure when procedure is not empty.
	FindProcesses(ctx context.Context, procedure string) ([]*Process, error)
	// DossierProcess returns the process the dossier pinned (the built-in
	// default process for a dossier without one).
	DossierProcess(ctx context.Context, d *Dossier) (*Process, error)
}
