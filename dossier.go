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
	// Process and ProcessVersion name the process pinned at creation;
	// Tasks are its steps and consultations so far, in order.
	Process        string     `json:"process,omitempty"`
	ProcessVersion int        `json:"process_version,omitempty"`
	Tasks          []*Task    `json:"tasks,omitempty"`
	Pauses         []Interval `json:"pauses,omitempty"`
	Extension      *Extension `json:"extension,omitempty"`
	// Payment is the financial obligation awaited while the status is
	// payment_requested.
	Payment string `json:"payment,omitempty"`
	// Document is the dossier's JSON as a store just wrote it, when it
	// returns the dossier it wrote (nil otherwise), so that it need not be
	// encoded again; it is not part of the JSON.
	Document json.RawMessage `json:"-"`
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
	StatusPaymentRequested    Status = "payment_requested"    // clock paused for a financial obligation
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

// ValidStatus reports whether s is a known status.
func ValidStatus(s Status) bool {
	switch s {
	case StatusSubmitted, StatusReceived, StatusProcessing, StatusSupplementRequested, StatusPaymentRequested,
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
//
// Version, when not zero, is the dossier version the actor saw: the action
// is refused with ECONFLICT if the dossier changed since. Task picks the
// open task acted on when several are (a consultation's answer). Agencies
// name the consulted agencies, or the child unit's agency of a transfer
// down a level. Reason is the apology of an extension, Extend its added
// time. Message is addressed to the applicant and shows in their
// timeline; Note is an internal comment that never does.
type ActionRequest struct {
	Action   string         `json:"action"`
	Version  int            `json:"version,omitempty"`
	Task     int            `json:"task,omitempty"`
	Items    []string       `json:"items,omitempty"`
	Reasons  []string       `json:"reasons,omitempty"`
	Agencies []string       `json:"agencies,omitempty"`
	Answer   string         `json:"answer,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Extend   ProcessingTime `json:"extend,omitzero"`
	Payment  string         `json:"payment,omitempty"`
	Message  string         `json:"message,omitempty"`
	Note     string         `json:"note,omitempty"`
}

// Env is what a change to a dossier needs from outside: the time, the
// actor, the calendar of the receiving agency's unit and a function that
// assigns the next dossier code of the agency for a receipt time.
type Env struct {
	Now       time.Time
	Actor     Actor
	Calendar  Calendar
	Directory Directory
	NextCode  func(agency string, receivedAt time.Time) (string, error)
}

// NewDossierID returns a new unguessable dossier reference: 128 random bits
// in lower-case base32.
func NewDossierID() string {
	var b [16]byte
	rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// NewDossierIDAt returns a new unguessable dossier reference for a dossier
// created at t, of the form NewDossierID returns: the milliseconds of t
// in 48 bits, then 80 random bits. References made close in time share
// their first characters, so a store's indexes on them take each new one
// in the same few pages rather than anywhere.
func NewDossierIDAt(t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	rand.Read(b[6:])
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
	// it need not be decoded and encoded again. A string, as drivers
	// return text: the document is copied from the database once, and
	// written from there. Returns ENOTFOUND.
	FindDossierJSON(ctx context.Context, ref string) (string, error)
	// ApplyAction performs an action on the dossier ref and returns it
	// with its events. Returns ENOTFOUND, EINVALID, or ECONFLICT naming the
	// allowed actions.
	ApplyAction(ctx context.Context, ref string, req ActionRequest) (*Dossier, error)
	// FindDossiers returns the dossiers an agency received from from
	// (inclusive) to to (exclusive), in receipt order, without their
	// events; at most MaxRegister. Returns ETOOLARGE when there are more.
	FindDossiers(ctx context.Context, f DossierFilter) ([]*Dossier, error)
}

// DossierFilter selects the dossiers an agency received in a period.
type DossierFilter struct {
	Agency   string
	From, To time.Time
}

// MaxRegister is the most dossiers FindDossiers returns at once.
const MaxRegister = 20000

// FormatTime formats t in UTC with microseconds, the form used in hashes
// and event payloads.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}
