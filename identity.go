package motcua

import (
	"context"
	"net/url"
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
	MFA bool
	// Limited, when set, is what the session must do before anything
	// else: LimitPasswordChange or LimitTOTPSetup.
	Limited    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session, however active.
	ExpiresAt time.Time
	IP        string
	UserAgent string
}

// Session limits.
const (
	LimitPasswordChange = "password_change"
	LimitTOTPSetup      = "totp_setup"
)

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

// SignInRequest is a staff member's sign-in: the login (staff ID or
// e-mail), the password and, once enrolled, the second factor's code.
type SignInRequest struct {
	Login     string
	Password  string
	TOTP      string
	IP        string
	UserAgent string
}

// SignedIn is a new session. Token goes to the browser's cookie (or the
// client) and is stored nowhere else.
type SignedIn struct {
	Token   string
	Session *Session
	Actor   Actor
}

// TOTPEnrolment is a second factor offered to a staff member: the secret
// in base32 and as an otpauth:// URI for authenticator apps.
type TOTPEnrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"uri"`
}

// CitizenFlow is a citizen's sign-in in progress at the identity
// provider: the browser goes to URL; the rest is kept by the browser in a
// short-lived cookie and checked when the provider sends it back.
type CitizenFlow struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	URL      string `json:"-"`
}

// AuthService signs staff and citizens in and out and checks sessions.
// Failures are audited.
type AuthService interface {
	// SignIn checks a staff member's credentials and opens a session.
	// Every wrong login or password gets the same EUNAUTHORIZED
	// ("sign_in_failed"); a missing or wrong second factor
	// EUNAUTHORIZED "totp_required" or "totp_invalid"; too many recent
	// failures ETOOMANY.
	SignIn(ctx context.Context, req SignInRequest) (*SignedIn, error)
	// Authenticate returns the session of token and the actor behind it.
	// Returns EUNAUTHORIZED for an unknown, expired or idle session.
	Authenticate(ctx context.Context, token string) (*Session, Actor, error)
	// SignOut ends the session of token.
	SignOut(ctx context.Context, token string) error
	// SignOutEverywhere ends every session of the session's subject.
	SignOutEverywhere(ctx context.Context, s *Session) (int, error)
	// ChangePassword replaces the staff member's password after checking
	// the current one, ends every session of theirs and opens a new one.
	ChangePassword(ctx context.Context, token, current, next string) (*SignedIn, error)
	// ResetPassword gives the staff member id a temporary password, to
	// be changed at the next sign-in, and ends their sessions. The actor
	// in ctx must be an administrator.
	ResetPassword(ctx context.Context, id string) (string, error)
	// BeginTOTP offers a new second factor to the session's staff member.
	BeginTOTP(ctx context.Context, s *Session) (*TOTPEnrolment, error)
	// ConfirmTOTP enrols secret once code shows the app holds it, ends
	// every session of the staff member and opens a new one.
	ConfirmTOTP(ctx context.Context, token, secret, code string) (*SignedIn, error)
	// BeginCitizen starts a citizen's sign-in at the identity provider.
	// Returns EUNAVAILABLE when none is configured.
	BeginCitizen(ctx context.Context) (*CitizenFlow, error)
	// FinishCitizen completes it with the provider's answer (the query
	// of its redirect) and opens the citizen's session.
	FinishCitizen(ctx context.Context, flow CitizenFlow, query url.Values, ip, userAgent string) (*SignedIn, error)
	// RegisterCitizen registers a local citizen account and e-mails the
	// link that verifies it. It answers alike whether the address was
	// new, unverified or verified already. Returns EUNAVAILABLE when local
	// accounts are not enabled.
	RegisterCitizen(ctx context.Context, email, name, password, ip string) error
	// VerifyCitizen verifies a local citizen's e-mail address with the
	// token of the link and opens their session.
	VerifyCitizen(ctx context.Context, token, ip, userAgent string) (*SignedIn, error)
	// SignInLocalCitizen checks a local citizen's e-mail (req.Login) and
	// password and opens their session; every failure is alike, as
	// SignIn's.
	SignInLocalCitizen(ctx context.Context, req SignInRequest) (*SignedIn, error)
}

// LocalIssuer is the issuer of local citizen accounts: citizens who
// registered here with an e-mail address and a password, where no
// identity provider is configured. Their subject is the lower-cased
// e-mail address.
const LocalIssuer = "local"

// LocalCitizenService stores local citizen accounts and the tokens that
// verify their e-mail addresses. Tokens are stored as their SHA-256.
type LocalCitizenService interface {
	// RegisterLocalCitizen creates the local citizen of email, or, when
	// one exists and is not verified yet, gives it name and passwordHash;
	// either way it stores tokenHash, valid until expires, as the only
	// token of the account. A verified account is left alone. created
	// reports whether the account is new; the citizen's EmailVerified
	// tells a verified one.
	RegisterLocalCitizen(ctx context.Context, email, name, passwordHash string, tokenHash []byte, expires time.Time) (c *Citizen, created bool, err error)
	// VerifyLocalCitizen marks the token of tokenHash used and its
	// citizen's e-mail verified, atomically, and returns the citizen.
	// Returns ENOTFOUND for an unknown, expired or used token.
	VerifyLocalCitizen(ctx context.Context, tokenHash []byte, now time.Time) (*Citizen, error)
	// LocalCitizenByEmail returns the local citizen of email
	// (case-insensitively), their password hash and whether their e-mail
	// is verified. Returns ENOTFOUND when there is none.
	LocalCitizenByEmail(ctx context.Context, email string) (c *Citizen, passwordHash string, verified bool, err error)
}
