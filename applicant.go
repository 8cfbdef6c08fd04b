package motcua

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Applicant is the person or organisation a dossier is for: a citizen
// (12-digit personal identification number, CCCD), a business or other
// organisation (10- or 13-digit tax code) or a foreigner (passport number
// and nationality). Anyone may act through a Representative.
type Applicant struct {
	Kind           string          `json:"kind"`
	Name           string          `json:"name"`
	IDNumber       string          `json:"id_number,omitempty"`
	TaxCode        string          `json:"tax_code,omitempty"`
	Passport       string          `json:"passport,omitempty"`
	Nationality    string          `json:"nationality,omitempty"`
	Phone          string          `json:"phone,omitempty"`
	Email          string          `json:"email,omitempty"`
	Address        string          `json:"address,omitempty"`
	Representative *Representative `json:"representative,omitempty"`
}

// Applicant kinds.
const (
	ApplicantCitizen   = "citizen"
	ApplicantBusiness  = "business"
	ApplicantForeigner = "foreigner"
)

// Representative is a person acting for an applicant.
type Representative struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	Passport string `json:"passport,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Relation string `json:"relation,omitempty"`
}

// Field length limits.
const (
	maxNameLen    = 200
	maxAddressLen = 500
)

// Normalize trims spaces and puts the tax code and phone number in their
// canonical forms. It does not validate.
func (a *Applicant) Normalize() {
	a.Kind = strings.TrimSpace(a.Kind)
	a.Name = strings.Join(strings.Fields(a.Name), " ")
	a.IDNumber = strings.TrimSpace(a.IDNumber)
	a.TaxCode = canonicalTaxCode(a.TaxCode)
	a.Passport = strings.ToUpper(strings.TrimSpace(a.Passport))
	a.Nationality = strings.ToUpper(strings.TrimSpace(a.Nationality))
	a.Phone = canonicalPhone(a.Phone)
	a.Email = strings.TrimSpace(a.Email)
	a.Address = strings.TrimSpace(a.Address)
	if r := a.Representative; r != nil {
		r.Name = strings.Join(strings.Fields(r.Name), " ")
		r.IDNumber = strings.TrimSpace(r.IDNumber)
		r.Passport = strings.ToUpper(strings.TrimSpace(r.Passport))
		r.Phone = canonicalPhone(r.Phone)
		r.Relation = strings.TrimSpace(r.Relation)
	}
}

// Validate adds a field error to fs for each problem, with field names
// prefixed by prefix (for example "applicant.").
func (a *Applicant) Validate(prefix string, fs *Fields) {
	checkName(prefix+"name", a.Name, fs)
	switch a.Kind {
	case ApplicantCitizen:
		if !ValidIDNumber(a.IDNumber) {
			fs.Add(prefix+"id_number", FieldFormat, "a personal identification number has 12 digits")
		}
	case ApplicantBusiness:
		if !ValidTaxCode(a.TaxCode) {
			fs.Add(prefix+"tax_code", FieldFormat, "a tax code has 10 or 13 digits")
		}
	case ApplicantForeigner:
		if !ValidPassport(a.Passport) {
			fs.Add(prefix+"passport", FieldFormat, "a passport number has 6 to 20 letters and digits")
		}
		if !ValidNationality(a.Nationality) {
			fs.Add(prefix+"nationality", FieldFormat, "nationality is a two- or three-letter country code")
		}
	case "":
		fs.Add(prefix+"kind", FieldRequired, "kind is required: citizen, business or foreigner")
	default:
		fs.Add(prefix+"kind", FieldValue, "kind must be citizen, business or foreigner")
	}
	if a.Phone != "" && !ValidPhone(a.Phone) {
		fs.Add(prefix+"phone", FieldFormat, "a phone number has 10 or 11 digits starting with 0, or +84")
	}
	if a.Email != "" && !ValidEmail(a.Email) {
		fs.Add(prefix+"email", FieldFormat, "not an email address")
	}
	if utf8.RuneCountInString(a.Address) > maxAddressLen {
		fs.Add(prefix+"address", FieldTooLong, "address is too long")
	}
	if r := a.Representative; r != nil {
		checkName(prefix+"representative.name", r.Name, fs)
		if r.IDNumber == "" && r.Passport == "" {
			fs.Add(prefix+"representative.id_number", FieldRequired, "a representative needs an ID number or a passport number")
		}
		if r.IDNumber != "" && !ValidIDNumber(r.IDNumber) {
			fs.Add(prefix+"representative.id_number", FieldFormat, "a personal identification number has 12 digits")
		}
		if r.Passport != "" && !ValidPassport(r.Passport) {
			fs.Add(prefix+"representative.passport", FieldFormat, "a passport number has 6 to 20 letters and digits")
		}
		if r.Phone != "" && !ValidPhone(r.Phone) {
			fs.Add(prefix+"representative.phone", FieldFormat, "a phone number has 10 or 11 digits starting with 0, or +84")
		}
	}
}

func checkName(field, name string, fs *Fields) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		fs.Add(field, FieldRequired, "name is required")
	case n > maxNameLen:
		fs.Add(field, FieldTooLong, "name is too long")
	}
}

// ValidIDNumber reports whether s is a 12-digit personal identification
// number whose first three digits are a province code (001–096).
func ValidIDNumber(s string) bool {
	if len(s) != 12 || !allDigits(s) {
		return false
	}
	p := int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
	return p >= 1 && p <= 96
}

// ValidTaxCode reports whether s is a tax code: 10 digits, or 13 written
// as 10 digits, a hyphen and 3 digits (a branch), in canonical form.
func ValidTaxCode(s string) bool {
	switch len(s) {
	case 10:
		return allDigits(s)
	case 14:
		return allDigits(s[:10]) && s[10] == '-' && allDigits(s[11:])
	}
	return false
}

// ValidPassport reports whether s is 6 to 20 ASCII letters and digits.
func ValidPassport(s string) bool {
	if len(s) < 6 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidNationality reports whether s is a two- or three-letter country code
// in upper case (ISO 3166-1 alpha-2 or alpha-3).
func ValidNationality(s string) bool {
	if len(s) != 2 && len(s) != 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// ValidPhone reports whether s, in canonical form, is a Vietnamese phone
// number: 10 or 11 digits starting with 0, or +84 and 9 or 10 digits.
func ValidPhone(s string) bool {
	if strings.HasPrefix(s, "+84") {
		rest := s[3:]
		return (len(rest) == 9 || len(rest) == 10) && allDigits(rest) && rest[0] != '0'
	}
	return (len(s) == 10 || len(s) == 11) && s[0] == '0' && allDigits(s)
}

// ValidEmail reports whether s is a bare email address.
func ValidEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalTaxCode removes spaces and writes a 13-digit code as NNNNNNNNNN-NNN.
func canonicalTaxCode(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if len(s) == 13 && allDigits(s) {
		return s[:10] + "-" + s[10:]
	}
	return s
}

// canonicalPhone removes spaces, dots, hyphens and parentheses.
func canonicalPhone(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '(', ')':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}
