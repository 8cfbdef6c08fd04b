package motcua

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Dossier is an administrative dossier (hồ sơ). ID is an unguessable
// reference given at submission; Code is the dossier code
// <agency code>-<YYMMDD>-<NNNN> assigned at receipt (Circular 01/2018,
// Art. 19). A dossier pins the procedure version in force at receipt.
type Dossier struct {
	ID               string          `json:"id"`
	Code             string          `json:"code,omitempty"`
	ProcedureCode    string          `json:"procedure"`
	ProcedureVersion int             `json:"procedure_version"`
	AgencyCode       string          `json:"agency"`
	UnitCode         string          `json:"unit"`
	Applicant        Applicant       `json:"applicant"`
	Channel          string          `json:"channel"`
	Form             json.RawMessage `json:"form"`
	Attachments      []Attachment    `json:"attachments"`
	Status           Status          `json:"status"`
	SubmittedAt      time.Time       `json:"submitted_at"`
	ReceivedAt       *time.Time      `json:"received_at"`
	DueAt            *time.Time      `json:"due_at"`
	DueExplanation   *Due            `json:"due_explanation"`
	FinishedAt       *time.Time      `json:"finished_at"`
	ReturnedAt       *time.Time      `json:"returned_at"`
	PausedAt         *time.Time      `json:"paused_at,omitempty"`
	// Remaining is the working time left on the clock when it was paused.
	Remaining time.Duration `json:"-"`
	// ResumeStatus is the status a supplement brings the dossier back to.
	ResumeStatus    Status   `json:"-"`
	SupplementItems []string `json:"supplement_items,omitempty"`
	RefusalReasons  []string `json:"refusal_reasons,omitempty"`
	// Version counts the changes; it is the sequence number of the last
	// event.
	Version int      `json:"version"`
	Events  []*Event `json:"events,omitempty"`
}

// Attachment describes an uploaded file of a dossier.
type Attachment struct {
	Name        string `json:"name"`
	Document    string `json:"document,omitempty"` // the required document it answers
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256,omitempty"`
}

// Channels through which a dossier arrives.
const (
	ChannelCounter = "counter"
	ChannelOnline  = "online"
	ChannelPost    = "post"
)

// Status is the state of a dossier in the lifecycle.
type Status string

// Dossier statuses.
const (
	StatusSubmitted           Status = "submitted" // online, awaiting intake
	StatusReceived            Status = "received"
	StatusProcessing          Status = "processing"
	StatusSupplementRequested Status = "supplement_requested" // clock paused
	StatusResultReady         Status = "result_ready"
	StatusReturned            Status = "returned"
	StatusRefused             Status = "refused"
	StatusWithdrawn           Status = "withdrawn"
)

// Actions on a dossier.
const (
	ActionSubmit            = "submit" // recorded when an online dossier is created
	ActionReceive           = "receive"
	ActionStart             = "start"
	ActionRequestSupplement = "request_supplement"
	ActionSupplement        = "supplement"
	ActionReady             = "ready"
	ActionReturn            = "return"
	ActionRefuse            = "refuse"
	ActionWithdraw          = "withdraw"
)

// transitions lists, for each status, the actions allowed in it and the
// status each leads to. Supplement's target is the status saved when the
// supplement was requested.
var transitions = map[Status][]struct {
	action string
	to     Status
}{
	StatusSubmitted: {
		{ActionReceive, StatusReceived},
		{ActionRequestSupplement, StatusSupplementRequested},
		{ActionRefuse, StatusRefused},
		{ActionWithdraw, StatusWithdrawn},
	},
	StatusReceived: {
		{ActionStart, StatusProcessing},
		{ActionRequestSupplement, StatusSupplementRequested},
		{ActionRefuse, StatusRefused},
		{ActionWithdraw, StatusWithdrawn},
	},
	StatusProcessing: {
		{ActionReady, StatusResultReady},
		{ActionRequestSupplement, StatusSupplementRequested},
		{ActionRefuse, StatusRefused},
		{ActionWithdraw, StatusWithdrawn},
	},
	StatusSupplementRequested: {
		{ActionSupplement, ""},
		{ActionRefuse, StatusRefused},
		{ActionWithdraw, StatusWithdrawn},
	},
	StatusResultReady: {
		{ActionReturn, StatusReturned},
	},
}

// AllowedActions returns the actions allowed in status s, in a fixed order.
func AllowedActions(s Status) []string {
	var as []string
	for _, t := range transitions[s] {
		as = append(as, t.action)
	}
	return as
}

// ValidStatus reports whether s is a known status.
func ValidStatus(s Status) bool {
	switch s {
	case StatusSubmitted, StatusReceived, StatusProcessing, StatusSupplementRequested,
		StatusResultReady, StatusReturned, StatusRefused, StatusWithdrawn:
		return true
	}
	return false
}

// DossierInput is a request to create a dossier.
type DossierInput struct {
	ProcedureCode string          `json:"procedure"`
	AgencyCode    string          `json:"agency"`
	Channel       string          `json:"channel"`
	Applicant     Applicant       `json:"applicant"`
	Form          json.RawMessage `json:"form,omitempty"`
	Attachments   []Attachment    `json:"attachments,omitempty"`
}

// Normalize trims the input's strings and canonicalises the applicant.
func (in *DossierInput) Normalize() {
	in.ProcedureCode = strings.TrimSpace(in.ProcedureCode)
	in.AgencyCode = strings.TrimSpace(in.AgencyCode)
	in.Channel = strings.TrimSpace(in.Channel)
	in.Applicant.Normalize()
	if len(in.Form) == 0 || string(in.Form) == "null" {
		in.Form = json.RawMessage("{}")
	}
}

// Validate checks the fields that need no lookup and returns an EINVALID
// error listing every bad field. Call Normalize first.
func (in *DossierInput) Validate() error {
	var fs Fields
	in.validate(&fs)
	return fs.Err()
}

func (in *DossierInput) validate(fs *Fields) {
	if in.ProcedureCode == "" {
		fs.Add("procedure", FieldRequired, "procedure is required")
	}
	if in.AgencyCode == "" {
		fs.Add("agency", FieldRequired, "agency is required")
	}
	switch in.Channel {
	case ChannelCounter, ChannelOnline, ChannelPost:
	case "":
		fs.Add("channel", FieldRequired, "channel is required: counter, online or post")
	default:
		fs.Add("channel", FieldValue, "channel must be counter, online or post")
	}
	in.Applicant.Validate("applicant.", fs)
	var form map[string]any
	if err := json.Unmarshal(in.Form, &form); err != nil || form == nil {
		fs.Add("form", FieldFormat, "form must be a JSON object")
	}
	for i, a := range in.Attachments {
		p := fmt.Sprintf("attachments[%d].", i)
		if a.Name == "" {
			fs.Add(p+"name", FieldRequired, "name is required")
		} else if utf8.RuneCountInString(a.Name) > 255 {
			fs.Add(p+"name", FieldTooLong, "name is too long")
		}
		if a.Size < 0 {
			fs.Add(p+"size", FieldValue, "size must not be negative")
		}
		if a.SHA256 != "" && !isHex(a.SHA256, 64) {
			fs.Add(p+"sha256", FieldFormat, "sha256 is 64 hexadecimal digits")
		}
	}
}

// ValidateWith checks the input against the procedure in force (nil if
// unknown) and the agency (nil if unknown), adding lookup failures to the
// field errors; handles reports whether the agency handles that procedure
// version.
func (in *DossierInput) ValidateWith(p *Procedure, a *Agency, handles bool) error {
	var fs Fields
	in.validate(&fs)
	if in.ProcedureCode != "" && p == nil {
		fs.Add("procedure", FieldUnknown, "no such procedure")
	}
	if in.AgencyCode != "" && a == nil {
		fs.Add("agency", FieldUnknown, "no such agency")
	}
	if p != nil && a != nil && !handles {
		fs.Add("agency", FieldValue, "this agency does not handle the procedure")
	}
	return fs.Err()
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// ActionRequest asks for an action on a dossier. Items lists the missing
// documents of a supplement request; Reasons the reasons of a refusal.
type ActionRequest struct {
	Action  string   `json:"action"`
	Items   []string `json:"items,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// Env is what a change to a dossier needs from outside: the time, the
// actor, the calendar of the receiving agency's unit and a function that
// assigns the next dossier code of the agency for a receipt time.
type Env struct {
	Now      time.Time
	Actor    Actor
	Calendar Calendar
	NextCode func(agency string, receivedAt time.Time) (string, error)
}

// NewDossierID returns a new unguessable dossier reference: 128 random bits
// in lower-case base32.
func NewDossierID() string {
	var b [16]byte
	rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// IsDossierID reports whether ref has the form of a dossier ID rather than
// a dossier code.
func IsDossierID(ref string) bool {
	if len(ref) != 26 {
		return false
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// NewDossier creates a dossier from valid input for procedure version p
// and the unit of the receiving agency, and returns it with its first
// events: "receive" for a counter or post dossier (from no status), "submit"
// for an online one, followed by "receive" by the system if the procedure
// receives online submissions automatically.
func NewDossier(in *DossierInput, p *Procedure, unit string, env Env) (*Dossier, []*Event, error) {
	now := env.Now.UTC().Truncate(time.Microsecond)
	d := &Dossier{
		ID:               NewDossierID(),
		ProcedureCode:    p.Code,
		ProcedureVersion: p.Version,
		AgencyCode:       in.AgencyCode,
		UnitCode:         unit,
		Applicant:        in.Applicant,
		Channel:          in.Channel,
		Form:             in.Form,
		Attachments:      in.Attachments,
		SubmittedAt:      now,
	}
	if d.Attachments == nil {
		d.Attachments = []Attachment{}
	}
	var events []*Event
	if in.Channel == ChannelOnline {
		d.Status = StatusSubmitted
		events = append(events, d.newEvent(ActionSubmit, env.Actor, now, StatusSubmitted, StatusSubmitted, map[string]any{
			"procedure": p.Code, "procedure_version": p.Version, "agency": d.AgencyCode, "channel": d.Channel,
		}))
		if !p.AutoReceive {
			return d, events, nil
		}
		env.Actor = SystemActor
	}
	e, err := d.receive(p, env, now, map[string]any{})
	if err != nil {
		return nil, nil, err
	}
	return d, append(events, e), nil
}

// receive assigns the code, the receipt time and the due time, and
// returns the event with payload's members added.
func (d *Dossier) receive(p *Procedure, env Env, now time.Time, payload map[string]any) (*Event, error) {
	code, err := env.NextCode(d.AgencyCode, now)
	if err != nil {
		return nil, fmt.Errorf("assign dossier code: %w", err)
	}
	due, err := env.Calendar.Due(d.UnitCode, now, p.ProcessingTime)
	if err != nil {
		return nil, fmt.Errorf("compute due time: %w", err)
	}
	from := d.Status
	d.Code = code
	d.ReceivedAt = &now
	d.setDue(due)
	d.Status = StatusReceived
	d.PausedAt, d.Remaining, d.ResumeStatus, d.SupplementItems = nil, 0, "", nil
	payload["code"] = code
	payload["procedure"] = p.Code
	payload["procedure_version"] = p.Version
	payload["agency"] = d.AgencyCode
	payload["channel"] = d.Channel
	payload["received_at"] = FormatTime(now)
	payload["due_at"] = FormatTime(*d.DueAt)
	return d.newEvent(ActionReceive, env.Actor, now, from, StatusReceived, payload), nil
}

func (d *Dossier) setDue(due Due) {
	at := due.At.UTC().Truncate(time.Microsecond)
	d.DueAt = &at
	due.At = at
	d.DueExplanation = &due
}

// Apply performs the action req on the dossier, whose pinned procedure
// version is p, and returns the event to append. It returns ECONFLICT
// naming the allowed actions when the action is not allowed in the
// current status, and EINVALID when the request lacks what the action
// needs. On error the dossier is unchanged.
func (d *Dossier) Apply(req ActionRequest, p *Procedure, env Env) (*Event, error) {
	now := env.Now.UTC().Truncate(time.Microsecond)
	to, ok := Status(""), false
	for _, t := range transitions[d.Status] {
		if t.action == req.Action {
			to, ok = t.to, true
		}
	}
	if !ok {
		allowed := AllowedActions(d.Status)
		if !validAction(req.Action) {
			return nil, &Error{Code: EINVALID, Reason: "invalid_fields", Message: "Unknown action.",
				Fields: []FieldError{{Field: "action", Reason: FieldValue, Message: "unknown action; allowed now: " + strings.Join(allowed, ", ")}}}
		}
		return nil, &Error{Code: ECONFLICT, Reason: "action_not_allowed",
			Message: fmt.Sprintf("Action %q is not allowed when the dossier is %s; allowed: %s.", req.Action, d.Status, listOrNone(allowed)),
			Params:  map[string]string{"action": req.Action, "status": string(d.Status), "allowed": listOrNone(allowed)}}
	}
	items := cleanList(req.Items)
	reasons := cleanList(req.Reasons)
	note := strings.TrimSpace(req.Note)
	var fs Fields
	switch req.Action {
	case ActionRequestSupplement:
		if len(items) == 0 {
			fs.Add("items", FieldRequired, "list every missing item")
		}
	case ActionRefuse:
		if len(reasons) == 0 {
			fs.Add("reasons", FieldRequired, "give the reasons for the refusal")
		}
	}
	if utf8.RuneCountInString(note) > 2000 {
		fs.Add("note", FieldTooLong, "note is too long")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}

	from := d.Status
	payload := map[string]any{}
	if note != "" {
		payload["note"] = note
	}
	switch req.Action {
	case ActionReceive:
		return d.receive(p, env, now, payload)
	case ActionRequestSupplement:
		if d.DueAt != nil {
			rem, err := env.Calendar.WorkingTime(d.UnitCode, now, *d.DueAt)
			if err != nil {
				return nil, fmt.Errorf("remaining working time: %w", err)
			}
			d.Remaining = rem
			d.PausedAt = &now
			payload["remaining_seconds"] = int64(rem / time.Second)
		}
		d.ResumeStatus = from
		d.SupplementItems = items
		payload["items"] = items
	case ActionSupplement:
		to = d.ResumeStatus
		if to == "" {
			to = StatusReceived
		}
		if d.PausedAt != nil {
			due, err := env.Calendar.AddWorkingTime(d.UnitCode, now, d.Remaining)
			if err != nil {
				return nil, fmt.Errorf("resume clock: %w", err)
			}
			due.Explanation = append([]DueStep{{
				Date: d.PausedAt.In(Location()).Format("2006-01-02"), Kind: StepPause,
				ReasonVI: "Tạm dừng tính thời gian từ " + d.PausedAt.In(Location()).Format("15:04 02/01/2006") + " đến " + now.In(Location()).Format("15:04 02/01/2006") + " để chờ bổ sung hồ sơ",
				ReasonEN: "Clock paused from " + d.PausedAt.In(Location()).Format("2006-01-02 15:04") + " to " + now.In(Location()).Format("2006-01-02 15:04") + " awaiting a supplement",
			}}, due.Explanation...)
			d.setDue(due)
			payload["due_at"] = FormatTime(*d.DueAt)
			payload["paused_at"] = FormatTime(*d.PausedAt)
		}
		d.PausedAt, d.Remaining, d.ResumeStatus = nil, 0, ""
		d.SupplementItems = nil
	case ActionReady:
		d.FinishedAt = &now
	case ActionReturn:
		d.ReturnedAt = &now
	case ActionRefuse:
		d.RefusalReasons = reasons
		d.FinishedAt = &now
		d.PausedAt, d.Remaining, d.ResumeStatus = nil, 0, ""
		payload["reasons"] = reasons
	case ActionWithdraw:
		d.FinishedAt = &now
		d.PausedAt, d.Remaining, d.ResumeStatus = nil, 0, ""
	}
	d.Status = to
	return d.newEvent(req.Action, env.Actor, now, from, to, payload), nil
}

func (d *Dossier) newEvent(action string, actor Actor, at time.Time, from, to Status, payload map[string]any) *Event {
	d.Version++
	b, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("motcua: event payload: %v", err)) // only strings, numbers and lists of strings
	}
	return &Event{DossierID: d.ID, Seq: d.Version, Action: action, Actor: actor, At: at, FromStatus: from, ToStatus: to, Payload: b}
}

func validAction(a string) bool {
	switch a {
	case ActionReceive, ActionStart, ActionRequestSupplement, ActionSupplement,
		ActionReady, ActionReturn, ActionRefuse, ActionWithdraw:
		return true
	}
	return false
}

func listOrNone(as []string) string {
	if len(as) == 0 {
		return "none"
	}
	return strings.Join(as, ", ")
}

func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// DossierService stores dossiers and their history.
type DossierService interface {
	// CreateDossier validates and stores a new dossier with its first
	// events. When idempotencyKey is not empty and was used before by the
	// same actor with the same input, it returns the dossier created then
	// and replay true; with different input it returns ECONFLICT. Returns
	// EINVALID listing every bad field, including unknown procedures and
	// agencies.
	CreateDossier(ctx context.Context, in *DossierInput, idempotencyKey string) (d *Dossier, replay bool, err error)
	// FindDossier returns the dossier with the ID or code ref, with its
	// events. Returns ENOTFOUND.
	FindDossier(ctx context.Context, ref string) (*Dossier, error)
	// FindDossierJSON returns the dossier with the ID or code ref, with its
	// events, encoded as encoding/json encodes the *Dossier FindDossier
	// returns: the document a look-up answers with, kept by the store so
	// it need not be decoded and encoded again. Returns ENOTFOUND.
	FindDossierJSON(ctx context.Context, ref string) ([]byte, error)
	// ApplyAction performs an action on the dossier ref and returns it
	// with its events. Returns ENOTFOUND, EINVALID, or ECONFLICT naming the
	// allowed actions.
	ApplyAction(ctx context.Context, ref string, req ActionRequest) (*Dossier, error)
}

// FormatTime formats t in UTC with microseconds, the form used in hashes
// and event payloads.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}
