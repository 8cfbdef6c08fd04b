package report

import (
	"fmt"
	"strings"
	"time"

	"motcua"
)

// Document is what one statutory form shows. Which fields a form needs is
// checked by Validate; the others are ignored by that form.
type Document struct {
	Form Form

	// Issuer is the agency issuing the form, for example
	// "UBND Phường Phúc Xá"; Governing is the body above it printed on the
	// first header line, for example "UBND Quận Ba Đình" (may be empty).
	// Both are printed in upper case.
	Issuer    string
	Governing string

	// Place is the place name of the date line, for example "Hà Nội";
	// IssuedAt is the date of the form.
	Place    string
	IssuedAt time.Time

	DossierCode string
	// VerifyURL is printed under the QR code, which encodes it. When it is
	// empty the QR code encodes the dossier code.
	VerifyURL string

	Procedure string // the procedure's name
	Applicant Party

	// Receiver is the officer who received the dossier or signs the form
	// (may be empty: the signature line is left blank). SignerTitle
	// overrides the signer's title printed by the form, for example
	// "CHỦ TỊCH" instead of "THỦ TRƯỞNG CƠ QUAN".
	Receiver    string
	SignerTitle string

	ReceivedAt time.Time
	DueAt      time.Time // the appointment
	DueNote    string    // how the appointment was computed, in Vietnamese

	Documents []Item    // form 01: the documents received
	Items     []string  // form 02: every missing item
	Reasons   []string  // forms 03 and 05: the reasons; form 02: optional
	NewDueAt  time.Time // form 04: the new appointment
	Apology   string    // form 04: the reason for the delay
	Steps     []Step    // form 06: every hand-off
	Result    string    // the result document, for example "Giấy khai sinh" (may be empty)
}

// Party is an applicant: a citizen, a business or an organisation.
type Party struct {
	Name     string
	IDNumber string // personal ID number, tax code or passport number
	Address  string
	Phone    string
	Email    string
}

// Item is a document of the dossier as received (form 01).
type Item struct {
	Name   string
	Copies int    // number of copies; 0 prints nothing
	Note   string // for example "Bản chính" or "Bản sao có chứng thực"
}

// Step is one hand-off of a dossier between officers or agencies (form 06).
type Step struct {
	Name     string    // for example "Thẩm định hồ sơ"
	From, To string    // the officer or agency handing over and receiving
	HandedAt time.Time // when the step started (the hand-over)
	DueAt    time.Time // the step's due time (zero if none)
	DoneAt   time.Time // when the step ended (zero while open)
	Note     string
}

// Outcomes of a finished step or dossier, as printed.
const (
	Early  = "Trước hạn"
	OnTime = "Đúng hạn"
	Late   = "Trễ hạn"
)

// Outcome returns Early, OnTime or Late for the step, or "" while it is
// open or when it has no due time.
func (s Step) Outcome() string { return Outcome(s.DoneAt, s.DueAt) }

// Outcome classifies a finish time against a due time: Early when finished
// on a day (in Asia/Ho_Chi_Minh) before the due date, OnTime when finished
// on the due date at or before the due time, Late after the due time. It
// returns "" when either time is zero.
func Outcome(done, due time.Time) string {
	if done.IsZero() || due.IsZero() {
		return ""
	}
	if done.After(due) {
		return Late
	}
	loc := motcua.Location()
	dy, dm, dd := done.In(loc).Date()
	uy, um, ud := due.In(loc).Date()
	if dy == uy && dm == um && dd == ud {
		return OnTime
	}
	return Early
}

// Validate checks that d has the fields its form needs. It returns nil or
// a *motcua.Error of code EINVALID that lists every missing or bad field.
func (d *Document) Validate() error {
	var fs motcua.Fields
	if !d.Form.Valid() {
		fs.Add("form", motcua.FieldValue, fmt.Sprintf("unknown form %d", int(d.Form)))
		return fs.Err()
	}
	required := func(field, value string) {
		if strings.TrimSpace(value) == "" {
			fs.Add(field, motcua.FieldRequired, "")
		}
	}
	requiredTime := func(field string, t time.Time) {
		if t.IsZero() {
			fs.Add(field, motcua.FieldRequired, "")
		}
	}
	list := func(field string, items []string) {
		if len(items) == 0 {
			fs.Add(field, motcua.FieldRequired, "")
		}
		for i, it := range items {
			required(fmt.Sprintf("%s[%d]", field, i), it)
		}
	}
	required("issuer", d.Issuer)
	required("place", d.Place)
	requiredTime("issued_at", d.IssuedAt)
	required("dossier_code", d.DossierCode)
	required("procedure", d.Procedure)
	required("applicant.name", d.Applicant.Name)

	switch d.Form {
	case Receipt:
		requiredTime("received_at", d.ReceivedAt)
		requiredTime("due_at", d.DueAt)
		for i, it := range d.Documents {
			required(fmt.Sprintf("documents[%d].name", i), it.Name)
			if it.Copies < 0 {
				fs.Add(fmt.Sprintf("documents[%d].copies", i), motcua.FieldValue, "negative number of copies")
			}
		}
	case SupplementRequest:
		requiredTime("received_at", d.ReceivedAt)
		list("items", d.Items)
	case Refusal:
		list("reasons", d.Reasons)
	case Apology:
		requiredTime("received_at", d.ReceivedAt)
		requiredTime("due_at", d.DueAt)
		requiredTime("new_due_at", d.NewDueAt)
		required("apology", d.Apology)
		if !d.DueAt.IsZero() && !d.NewDueAt.IsZero() && !d.NewDueAt.After(d.DueAt) {
			fs.Add("new_due_at", motcua.FieldValue, "the new appointment must be after the first one")
		}
	case StopNotice:
		requiredTime("received_at", d.ReceivedAt)
		list("reasons", d.Reasons)
	case ControlSlip:
		requiredTime("received_at", d.ReceivedAt)
		requiredTime("due_at", d.DueAt)
		if len(d.Steps) == 0 {
			fs.Add("steps", motcua.FieldRequired, "")
		}
		for i, s := range d.Steps {
			required(fmt.Sprintf("steps[%d].name", i), s.Name)
			requiredTime(fmt.Sprintf("steps[%d].handed_at", i), s.HandedAt)
			if !s.DoneAt.IsZero() && s.DoneAt.Before(s.HandedAt) {
				fs.Add(fmt.Sprintf("steps[%d].done_at", i), motcua.FieldValue, "the step ends before it starts")
			}
		}
	}
	return fs.Err()
}
