package motcua

import (
	"context"
	"time"
)

// Credentials are what a staff member signs in with. They never leave
// the server: no JSON encoding, no log.
type Credentials struct {
	// Login is the name typed at sign-in: the staff ID, or the e-mail.
	Login string
	// PasswordHash is the password's encoded Argon2id hash; empty until
	// a password is set.
	PasswordHash string
	// MustChange asks for a new password at the next sign-in (after an
	// administrator's reset).
	MustChange bool
	// PasswordChangedAt is when the password was last set.
	PasswordChangedAt time.Time
	// TOTPSecret is the second factor's shared secret; nil until the
	// staff member enrolled one.
	TOTPSecret []byte
	// TOTPStep is the last time step whose code was accepted: a code is
	// never accepted twice.
	TOTPStep int64
	// Failures counts the failed sign-ins since the last success, and
	// LastFailure is when the latest happened: the throttle's input.
	Failures    int
	LastFailure time.Time
}

// Session kinds.
const (
	SessionStaff   = "staff"
	SessionCitizen = "citizen"
)

// Session is a signed-in browser: a staff member or a citizen. The store
// keys it by the SHA-256 of its token, which only the cookie holds.
type Session struct {
	Kind    string // SessionStaff or SessionCitizen
	Subject string // the staff ID or the citizen ID
	// CSRF is the token a state-changing request made with the session's
	// cookie must echo.
	CSRF string
	// MFA is set once the second factor was checked.
	MFA        bool
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session, however active.
	ExpiresAt time.Time
	IP        string
	UserAgent string
}

// SessionService stores sessions.
type SessionService interface {
	// CreateSession stores s under hash, the SHA-256 of its token.
	CreateSession(ctx context.Context, hash []byte, s *Session) error
	// SessionByHash returns the session stored under hash. Returns
	// ENOTFOUND when there is none (expired sessions are not returned).
	SessionByHash(ctx context.Context, hash []byte, now time.Time) (*Session, error)
	// TouchSession records activity of the session at at.
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	// DeleteSession ends one session.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteSessions ends every session of a subject (sign out
	// everywhere, a password change or reset) and returns how many.
	DeleteSessions(ctx context.Context, kind, subject string) (int, error)
	// DeleteExpiredSessions removes sessions whose absolute end is before
	// now or that were idle since before idleSince.
	DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int, error)
}

// CredentialService stores staff members' credentials.
type CredentialService interface {
	// StaffByLogin returns the staff member whose login (ID or e-mail,
	// case-insensitively) is login, with their credentials. Returns
	// ENOTFOUND when there is none.
	StaffByLogin(ctx context.Context, login string) (*Staff, *Credentials, error)
	// SetPassword stores a new password hash for the staff member id.
	SetPassword(ctx context.Context, id, hash string, mustChange bool, at time.Time) error
	// SetTOTP stores (nil: removes) the staff member's second factor.
	SetTOTP(ctx context.Context, id string, secret []byte) error
	// UseTOTPStep records that the code of step was accepted for the
	// staff member id, and reports false when that step or a later one
	// was accepted before (a replayed code).
	UseTOTPStep(ctx context.Context, id string, step int64) (bool, error)
	// RecordSignIn records a sign-in attempt of the staff member id at
	// at: a success clears the failures, a failure adds one. It returns
	// the failures after the attempt.
	RecordSignIn(ctx context.Context, id string, ok bool, at time.Time) (int, error)
}

// Citizen is a person who signed in through the identity provider. The
// profile is created on the first sign-in from the provider's claims and
// refreshed at each.
type Citizen struct {
	ID            string    `json:"id"`
	Issuer        string    `json:"-"`
	Subject       string    `json:"-"`
	Name          string    `json:"name"`
	IDNumber      string    `json:"id_number,omitempty"`
	Phone         string    `json:"phone,omitempty"`
	Email         string    `json:"email,omitempty"`
	EmailVerified bool      `json:"email_verified"`
	Address       string    `json:"address,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// CitizenService stores citizens.
type CitizenService interface {
	// SignInCitizen creates the citizen known to c.Issuer as c.Subject,
	// or updates their profile from c, and returns it with its ID.
	SignInCitizen(ctx context.Context, c *Citizen) (*Citizen, error)
	// FindCitizen returns a citizen by ID. Returns ENOTFOUND.
	FindCitizen(ctx context.Context, id string) (*Citizen, error)
}
