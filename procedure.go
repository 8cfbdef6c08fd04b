package motcua

import (
	"context"
	"time"
)

// Procedure is an administrative procedure (thủ tục hành chính) as in force
// from EffectiveFrom: one version of the catalogue entry. A dossier pins
// the version in force when it was received. Code is the national code
// where known; demo procedures are prefixed "DEMO-".
type Procedure struct {
	Code              string             `json:"code"`
	Version           int                `json:"version"`
	EffectiveFrom     time.Time          `json:"effective_from"`
	Name              string             `json:"name"`
	NameEN            string             `json:"name_en"`
	Field             string             `json:"field"`
	Level             string             `json:"level"` // administrative level that handles it: city, district, commune
	ServiceLevel      ServiceLevel       `json:"service_level"`
	ProcessingTime    ProcessingTime     `json:"processing_time"`
	Fees              []Fee              `json:"fees"`
	RequiredDocuments []RequiredDocument `json:"required_documents"`
	Result            string             `json:"result"`
	LegalBasis        string             `json:"legal_basis"`
	AutoReceive       bool               `json:"auto_receive"`
	Sample            bool               `json:"sample"`
	AgencyCodes       []string           `json:"agency_codes,omitempty"`
}

// ServiceLevel is the online service level of a procedure in both legal
// schemes: Decree 43/2011/NĐ-CP levels 1–4, and Decree 42/2022/NĐ-CP
// "partial" (một phần) or "full" (toàn trình) online service; Online is
// empty when the procedure is not offered online under Decree 42.
type ServiceLevel struct {
	Level  int    `json:"level"`
	Online string `json:"online,omitempty"`
}

// Decree 42/2022 online service kinds.
const (
	OnlinePartial = "partial"
	OnlineFull    = "full"
)

// Fee is a fee or charge of a procedure, in Vietnamese đồng.
type Fee struct {
	Name      string `json:"name"`
	AmountVND int64  `json:"amount_vnd"`
	Note      string `json:"note,omitempty"`
}

// RequiredDocument is a component of a dossier (thành phần hồ sơ).
type RequiredDocument struct {
	Name     string `json:"name"`
	Copies   int    `json:"copies"`
	Optional bool   `json:"optional,omitempty"`
}

// TimeUnit is the unit of a legal processing time.
type TimeUnit string

// Processing time units.
const (
	SameDay      TimeUnit = "same_day"      // by the end of the receipt day's working time
	WorkingHours TimeUnit = "working_hours" // N working hours
	WorkingDays  TimeUnit = "working_days"  // N × 8 working hours
	CalendarDays TimeUnit = "days"          // end of the Nth calendar day, moved to a working day
)

// ProcessingTime is a legal processing time: a value and its unit.
type ProcessingTime struct {
	Value int      `json:"value"`
	Unit  TimeUnit `json:"unit"`
}

// Valid reports whether the unit is known and the value is in range.
func (t ProcessingTime) Valid() bool {
	switch t.Unit {
	case SameDay:
		return t.Value >= 0 && t.Value <= 1
	case WorkingHours:
		return t.Value > 0 && t.Value <= 8*366*10
	case WorkingDays, CalendarDays:
		return t.Value > 0 && t.Value <= 366*10
	}
	return false
}

// Validate checks the procedure version's fields.
func (p *Procedure) Validate() error {
	var fs Fields
	if p.Code == "" {
		fs.Add("code", FieldRequired, "code is required")
	}
	if p.Name == "" {
		fs.Add("name", FieldRequired, "name is required")
	}
	if p.EffectiveFrom.IsZero() {
		fs.Add("effective_from", FieldRequired, "effective date is required")
	}
	if p.ServiceLevel.Level < 1 || p.ServiceLevel.Level > 4 {
		fs.Add("service_level.level", FieldValue, "level must be 1 to 4")
	}
	switch p.ServiceLevel.Online {
	case "", OnlinePartial, OnlineFull:
	default:
		fs.Add("service_level.online", FieldValue, "online must be partial or full")
	}
	if !p.ProcessingTime.Valid() {
		fs.Add("processing_time", FieldValue, "processing time must be a positive value in same_day, working_hours, working_days or days")
	}
	if len(p.AgencyCodes) == 0 {
		fs.Add("agency_codes", FieldRequired, "at least one agency must handle the procedure")
	}
	return fs.Err()
}

// HandledBy reports whether the agency with code handles the procedure.
func (p *Procedure) HandledBy(code string) bool {
	for _, c := range p.AgencyCodes {
		if c == code {
			return true
		}
	}
	return false
}

// ProcedureFilter selects procedures in force at a time. Query matches the
// Vietnamese or English name or the code with or without diacritics;
// ServiceLevel (1–4) selects a Decree 43 level; Unit selects procedures
// handled by an agency of that unit.
type ProcedureFilter struct {
	Query        string
	ServiceLevel int
	Unit         string
	Page
}

// ProcedureService reads and writes the procedure catalogue.
type ProcedureService interface {
	// FindProcedure returns the version of the procedure in force at t,
	// with its agencies. Returns ENOTFOUND.
	FindProcedure(ctx context.Context, code string, at time.Time) (*Procedure, error)
	// FindProcedureVersion returns one version. Returns ENOTFOUND.
	FindProcedureVersion(ctx context.Context, code string, version int) (*Procedure, error)
	// FindProcedures returns a page of the versions in force now, without
	// their AgencyCodes (FindAgencies with a Procedure filter lists them).
	FindProcedures(ctx context.Context, f ProcedureFilter) ([]*Procedure, string, error)
	// CreateProcedureVersion adds a version effective from p.EffectiveFrom
	// and sets p.Version. Returns EINVALID for bad fields or unknown
	// agencies.
	CreateProcedureVersion(ctx context.Context, p *Procedure) error
}
