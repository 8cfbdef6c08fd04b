package motcua

import (
	"context"
	"regexp"
)

// Agency is an office that handles procedures (cơ quan): a city department
// (Sở), a district or commune People's Committee. It belongs to a Unit.
// Code is its electronic identifier under Circular 10/2016/TT-BTTTT,
// V1V2V3.Z1Z2.Y1Y2.MX1X2 (for example 000.00.31.H26). Sample marks demo
// data whose codes follow the format but are not the official ones.
type Agency struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en,omitempty"`
	Kind     string `json:"kind"`
	UnitCode string `json:"unit"`
	Sample   bool   `json:"sample"`
}

// Agency kinds.
const (
	AgencyDepartment       = "department"        // Sở, Ban, ngành of a province or city
	AgencyPeoplesCommittee = "peoples_committee" // UBND of a district or commune
	AgencyOther            = "other"
)

var agencyCodeRE = regexp.MustCompile(`^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$`)

// ValidAgencyCode reports whether code has the form V1V2V3.Z1Z2.Y1Y2.MX1X2.
func ValidAgencyCode(code string) bool { return agencyCodeRE.MatchString(code) }

// Validate checks the agency's fields.
func (a *Agency) Validate() error {
	var fs Fields
	if !ValidAgencyCode(a.Code) {
		fs.Add("code", FieldFormat, "agency code must look like 000.00.00.H26")
	}
	if a.Name == "" {
		fs.Add("name", FieldRequired, "name is required")
	}
	if a.UnitCode == "" {
		fs.Add("unit", FieldRequired, "unit is required")
	}
	switch a.Kind {
	case AgencyDepartment, AgencyPeoplesCommittee, AgencyOther:
	default:
		fs.Add("kind", FieldValue, "kind must be department, peoples_committee or other")
	}
	return fs.Err()
}

// AgencyFilter selects agencies: all of them, those of one unit, those
// that handle a procedure (in its version in force), or both.
type AgencyFilter struct {
	Unit      string
	Procedure string
	Page
}

// AgencyService reads and writes agencies.
type AgencyService interface {
	// FindAgency returns the agency with code. Returns ENOTFOUND.
	FindAgency(ctx context.Context, code string) (*Agency, error)
	// FindAgencies returns a page of agencies and the next cursor.
	// Returns ENOTFOUND if the filter's unit or procedure does not exist.
	FindAgencies(ctx context.Context, f AgencyFilter) ([]*Agency, string, error)
	// CreateAgency adds an agency. Returns EINVALID, or ECONFLICT if the
	// code is taken.
	CreateAgency(ctx context.Context, a *Agency) error
}
