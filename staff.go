package motcua

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Staff is an officer's account: the roles granted on unit subtrees, and
// an API token (shown once, stored as its SHA-256). Passwords, sessions
// and second factors come with the identity service.
type Staff struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Email is optional; a staff member may sign in with it instead of
	// the ID.
	Email string `json:"email,omitempty"`
	// Disabled accounts cannot sign in or use their token.
	Disabled  bool      `json:"disabled,omitempty"`
	Grants    []Grant   `json:"grants"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Actor returns the actor the staff member acts as.
func (s *Staff) Actor() Actor {
	return Actor{Kind: ActorOfficer, ID: s.ID, Name: s.Name, Grants: s.Grants}
}

var (
	validStaffID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	validEmail   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// validateAccount trims the ID and name of a staff member or an API
// client and records in fs what is wrong with them.
func validateAccount(fs *Fields, id, name *string) {
	*id = strings.TrimSpace(*id)
	*name = strings.TrimSpace(*name)
	if !validStaffID.MatchString(*id) {
		fs.Add("id", FieldFormat, "id is 1 to 64 lower-case letters, digits, dots, dashes or underscores")
	}
	if *name == "" {
		fs.Add("name", FieldRequired, "name is required")
	} else if utf8.RuneCountInString(*name) > 200 {
		fs.Add("name", FieldTooLong, "name is too long")
	}
}

// Validate checks the fields that need no lookup and returns EINVALID
// listing every bad field.
func (s *Staff) Validate() error {
	var fs Fields
	validateAccount(&fs, &s.ID, &s.Name)
	s.Email = strings.ToLower(strings.TrimSpace(s.Email))
	if s.Email != "" && (len(s.Email) > 254 || !validEmail.MatchString(s.Email)) {
		fs.Add("email", FieldFormat, "email is not an e-mail address")
	}
	if len(s.Grants) == 0 {
		fs.Add("grants", FieldRequired, "grant at least one role")
	}
	for i, g := range s.Grants {
		p := fmt.Sprintf("grants[%d].", i)
		if !ValidRole(g.Role) {
			fs.Add(p+"role", FieldValue, "role must be one of "+strings.Join(Roles, ", "))
		}
		if g.Unit == "" {
			fs.Add(p+"unit", FieldRequired, "unit is required")
		}
	}
	return fs.Err()
}

// StaffService stores staff accounts.
type StaffService interface {
	// SaveStaff creates the staff member or replaces its name and grants,
	// and returns a new API token, which replaces any earlier one. Returns
	// EINVALID for bad fields, unknown units or agencies, or an agency
	// outside its grant's unit.
	SaveStaff(ctx context.Context, s *Staff) (token string, err error)
	// StaffByToken returns the staff member holding the API token.
	// Returns EUNAUTHORIZED when there is none.
	StaffByToken(ctx context.Context, token string) (*Staff, error)
}
