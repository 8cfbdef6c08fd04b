package auth

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"motcua"
)

// Store is what the authentication service keeps its state in.
type Store interface {
	motcua.StaffService
	motcua.CredentialService
	motcua.SessionService
	motcua.CitizenService
	motcua.LocalCitizenService
	motcua.AuditService
	// Directory returns the units, for TOTPUnits.
	Directory(ctx context.Context) (motcua.Directory, error)
}

// Config configures a Service. Zero durations take the defaults.
type Config struct {
	Store Store
	// Hasher hashes and checks passwords; nil means one with
	// DefaultParams and as many hashes at once as there are CPUs.
	Hasher *Hasher
	// Lockout slows down repeated failed sign-ins of an account, and of
	// a client address (with five times as many free attempts).
	Lockout Lockout
	// IdleTimeout ends a session unused for that long (default 30
	// minutes); AbsoluteTimeout ends any session that old (default 12
	// hours).
	IdleTimeout, AbsoluteTimeout time.Duration
	// CacheTTL is how long a checked session is trusted without asking
	// the store again (default 5 seconds): a session ended by another
	// process still works here for at most that long.
	CacheTTL time.Duration
	// Issuer names the service in authenticator apps (default
	// "motcua").
	Issuer string
	// TOTPUnits lists the units whose staff must all use a second
	// factor, with the units below them; administrators must anyway.
	TOTPUnits []string
	// OIDC signs citizens in; nil means citizens cannot sign in through
	// an identity provider.
	OIDC *OIDC
	// LocalCitizens lets citizens register with an e-mail address and a
	// password (auth/local.go); it needs Mailer, which sends the links
	// that verify the addresses, and BaseURL, the server's public URL
	// the links start with.
	LocalCitizens bool
	Mailer        motcua.Mailer
	BaseURL       string
	// Clock tells the time; nil means the system clock.
	Clock motcua.Clock
	// Logger receives what the audit log cannot take; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultCacheTTL        = 5 * time.Second
	// touchEvery is how stale a session's last activity may be before
	// a request records it again: one write a minute at most.
	touchEvery = time.Minute
	// maxCredential bounds a login, password or code before any work.
	maxCredential = 1024
	// maxCached bounds the session cache; it is emptied when full.
	maxCached = 100_000
)

// Service implements motcua.AuthService: staff sign-in with a password
// and a second factor, citizens' sign-in through OpenID Connect,
// server-side sessions, and the audit of each.
type Service struct {
	store    Store
	hasher   *Hasher
	lockout  Lockout
	idle     time.Duration
	absolute time.Duration
	ttl      time.Duration
	issuer   string
	totp     []string
	oidc     *OIDC
	local    bool
	mailer   motcua.Mailer
	baseURL  string
	clock    motcua.Clock
	log      *slog.Logger

	mu    sync.Mutex
	cache map[string]cachedSession
	// misses throttles sign-ins of unknown logins and of client
	// addresses, in this process.
	misses map[string]miss
}

type cachedSession struct {
	s     *motcua.Session
	actor motcua.Actor
	at    time.Time
}

type miss struct {
	failures int
	last     time.Time
}

var _ motcua.AuthService = (*Service)(nil)

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("auth: no store")
	}
	s := &Service{store: cfg.Store, hasher: cfg.Hasher, lockout: cfg.Lockout,
		idle: cfg.IdleTimeout, absolute: cfg.AbsoluteTimeout, ttl: cfg.CacheTTL,
		issuer: cfg.Issuer, totp: cfg.TOTPUnits, oidc: cfg.OIDC, clock: cfg.Clock, log: cfg.Logger,
		local: cfg.LocalCitizens, mailer: cfg.Mailer, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		cache: map[string]cachedSession{}, misses: map[string]miss{}}
	if s.local && (s.mailer == nil || s.baseURL == "") {
		return nil, errors.New("auth: local citizen accounts need a mailer and a base URL")
	}
	if s.hasher == nil {
		s.hasher = NewHasher(DefaultParams(), 0)
	}
	if s.lockout == (Lockout{}) {
		s.lockout = DefaultLockout()
	}
	if err := s.lockout.Validate(); err != nil {
		return nil, err
	}
	if s.idle <= 0 {
		s.idle = DefaultIdleTimeout
	}
	if s.absolute <= 0 {
		s.absolute = DefaultAbsoluteTimeout
	}
	if s.ttl <= 0 {
		s.ttl = DefaultCacheTTL
	}
	if s.issuer == "" {
		s.issuer = "motcua"
	}
	if s.clock == nil {
		s.clock = motcua.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

// Errors of sign-in. Every wrong login or password gets signInFailed, so
// that the answer does not tell which accounts exist.
func signInFailed() error {
	return &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "sign_in_failed",
		Message: "The login or the password is wrong."}
}

func totpRequired() error {
	return &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "totp_required",
		Message: "Enter the code of your authenticator app."}
}

func totpInvalid() error {
	return &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "totp_invalid",
		Message: "The code is wrong or was used already."}
}

func tooMany(wait time.Duration) error {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	return &motcua.Error{Code: motcua.ETOOMANY, Reason: "too_many_attempts",
		Message: fmt.Sprintf("Too many failed attempts; try again in %d seconds.", secs),
		Params:  map[string]string{"retry_after": strconv.Itoa(secs)}}
}

func sessionInvalid() error {
	return &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "session_invalid",
		Message: "Your session has ended; sign in again."}
}

// RequiresTOTP reports whether a staff member must use a second factor
// whatever their unit: administrators must.
func RequiresTOTP(st *motcua.Staff) bool {
	for _, g := range st.Grants {
		if g.Role == motcua.RoleCityAdmin || g.Role == motcua.RoleUnitAdmin {
			return true
		}
	}
	return false
}

// requiresTOTP reports whether st must use a second factor: an
// administrator, or staff with a grant in one of the TOTPUnits' subtrees.
func (s *Service) requiresTOTP(ctx context.Context, st *motcua.Staff) (bool, error) {
	if RequiresTOTP(st) {
		return true, nil
	}
	if len(s.totp) == 0 {
		return false, nil
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return false, err
	}
	for _, g := range st.Grants {
		for _, u := range s.totp {
			if motcua.InSubtree(dir, u, g.Unit) {
				return true, nil
			}
		}
	}
	return false, nil
}

// SignIn implements motcua.AuthService.
func (s *Service) SignIn(ctx context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error) {
	now := s.clock.Now()
	login := strings.ToLower(strings.TrimSpace(req.Login))
	if login == "" || req.Password == "" || len(login) > maxCredential || len(req.Password) > maxCredential || len(req.TOTP) > 64 {
		return nil, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "Enter a login and a password.",
			Fields: requiredFields(login, req.Password)}
	}
	// What the caller typed goes into the audit log only as valid UTF-8
	// without control characters, and cut short.
	login = printable(login)
	anon := motcua.Actor{Kind: "anonymous", ID: login}
	if wait := s.throttled("ip:"+req.IP, 5, now); wait > 0 {
		s.audit(ctx, anon, motcua.AuditSignInFailed, "staff:"+login, motcua.OutcomeDenied, req.IP, "too many attempts from this address")
		return nil, tooMany(wait)
	}
	st, cr, err := s.store.StaffByLogin(ctx, login)
	if motcua.ErrorCode(err) == motcua.ENOTFOUND {
		// Unknown logins cost a hash and are throttled like known ones.
		if wait := s.throttled("login:"+login, 1, now); wait > 0 {
			s.audit(ctx, anon, motcua.AuditSignInFailed, "staff:"+login, motcua.OutcomeDenied, req.IP, "too many attempts")
			return nil, tooMany(wait)
		}
		s.hasher.Dummy(ctx, req.Password)
		s.missed("login:"+login, 1, now)
		s.missed("ip:"+req.IP, 5, now)
		s.audit(ctx, anon, motcua.AuditSignInFailed, "staff:"+login, motcua.OutcomeFailed, req.IP, "unknown login")
		return nil, signInFailed()
	} else if err != nil {
		return nil, err
	}
	who := st.Actor()
	object := "staff:" + st.ID
	if until := s.lockout.Until(cr.Failures, cr.LastFailure); until.After(now) {
		s.audit(ctx, who, motcua.AuditSignInFailed, object, motcua.OutcomeDenied, req.IP, "locked out")
		return nil, tooMany(until.Sub(now))
	}
	fail := func(detail string, e error) (*motcua.SignedIn, error) {
		if err := s.recordFailure(ctx, st.ID, cr, now); err != nil {
			return nil, err
		}
		s.missed("ip:"+req.IP, 5, now)
		s.audit(ctx, who, motcua.AuditSignInFailed, object, motcua.OutcomeFailed, req.IP, detail)
		return nil, e
	}
	if st.Disabled || cr.PasswordHash == "" {
		s.hasher.Dummy(ctx, req.Password)
		return fail("account disabled or without a password", signInFailed())
	}
	ok, rehash, err := s.hasher.Verify(ctx, cr.PasswordHash, req.Password)
	if err != nil {
		return nil, fmt.Errorf("auth: sign in %s: %w", st.ID, err)
	}
	if !ok {
		return fail("wrong password", signInFailed())
	}
	if cr.TOTPSecret != nil {
		if strings.TrimSpace(req.TOTP) == "" {
			return nil, totpRequired()
		}
		step, ok := VerifyTOTP(cr.TOTPSecret, req.TOTP, now, cr.TOTPStep)
		if !ok {
			return fail("wrong second factor", totpInvalid())
		}
		if fresh, err := s.store.UseTOTPStep(ctx, st.ID, step); err != nil {
			return nil, err
		} else if !fresh {
			return fail("second factor code replayed", totpInvalid())
		}
	}
	if _, err := s.store.RecordSignIn(ctx, st.ID, true, now); err != nil {
		return nil, err
	}
	if rehash {
		if h, err := s.hasher.Hash(ctx, req.Password); err == nil {
			err = s.store.SetPassword(ctx, st.ID, h, cr.MustChange, cr.PasswordChangedAt)
			if err != nil {
				s.log.Warn("auth: rehash password", "staff", st.ID, "error", err)
			}
		}
	}
	must, err := s.requiresTOTP(ctx, st)
	if err != nil {
		return nil, err
	}
	limited := ""
	switch {
	case cr.MustChange:
		limited = motcua.LimitPasswordChange
	case cr.TOTPSecret == nil && must:
		limited = motcua.LimitTOTPSetup
	}
	return s.open(ctx, motcua.SessionStaff, st.ID, who, cr.TOTPSecret != nil, limited, req.IP, req.UserAgent, "")
}

func requiredFields(login, password string) []motcua.FieldError {
	var fs motcua.Fields
	if login == "" {
		fs.Add("login", motcua.FieldRequired, "login is required")
	} else if len(login) > maxCredential {
		fs.Add("login", motcua.FieldTooLong, "login is too long")
	}
	if password == "" {
		fs.Add("password", motcua.FieldRequired, "password is required")
	} else if len(password) > maxCredential {
		fs.Add("password", motcua.FieldTooLong, "password is too long")
	}
	if len(fs) == 0 {
		fs.Add("totp", motcua.FieldTooLong, "code is too long")
	}
	return fs
}

// open creates a session of subject and audits the sign-in.
func (s *Service) open(ctx context.Context, kind, subject string, who motcua.Actor, mfa bool, limited, ip, ua, detail string) (*motcua.SignedIn, error) {
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	token, hash, err := NewToken(SessionTokenPrefix)
	if err != nil {
		return nil, err
	}
	sess := &motcua.Session{Kind: kind, Subject: subject, CSRF: randomCSRF(), MFA: mfa, Limited: limited,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.absolute), IP: printable(ip), UserAgent: printable(ua)}
	if err := s.store.CreateSession(ctx, hash, sess); err != nil {
		return nil, err
	}
	rec := &motcua.AuditRecord{At: now, Actor: who, Action: motcua.AuditSignIn, Object: kind + ":" + subject,
		Outcome: motcua.OutcomeOK, IP: ip, Detail: detail}
	if err := s.store.Audit(ctx, rec); err != nil {
		// A sign-in that cannot be audited does not happen.
		_ = s.store.DeleteSession(ctx, hash)
		return nil, fmt.Errorf("auth: audit sign-in of %s: %w", subject, err)
	}
	return &motcua.SignedIn{Token: token, Session: sess, Actor: who}, nil
}

// printable returns s as valid UTF-8 without control characters, at
// most 256 bytes: what a client typed, made safe to store and show.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return truncate(s, 256)
}

func randomCSRF() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// throttled returns how long the key must wait, given its failures in
// this process; free multiplies the lockout's free attempts.
func (s *Service) throttled(key string, free int, now time.Time) time.Duration {
	s.mu.Lock()
	m, ok := s.misses[key]
	s.mu.Unlock()
	if !ok {
		return 0
	}
	l := s.lockout
	l.Free *= free
	if until := l.Until(m.failures, m.last); until.After(now) {
		return until.Sub(now)
	}
	return 0
}

// missed records a failure of key, under the policy throttled applies
// to it (free times the lockout's free attempts).
func (s *Service) missed(key string, free int, now time.Time) {
	l := s.lockout
	l.Free *= free
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.misses) >= maxCached {
		clear(s.misses)
	}
	m := s.misses[key]
	s.misses[key] = miss{failures: l.Fail(m.failures, m.last, now), last: now}
}

// recordFailure counts a failed attempt of the staff member id whose
// credentials were cr: one failure more, or the first of a new series
// when the earlier ones are forgotten (Lockout.Fail), which the store,
// unaware of the policy, is told by clearing them first.
func (s *Service) recordFailure(ctx context.Context, id string, cr *motcua.Credentials, now time.Time) error {
	if cr.Failures > 0 && s.lockout.Fail(cr.Failures, cr.LastFailure, now) == 1 {
		if _, err := s.store.RecordSignIn(ctx, id, true, now); err != nil {
			return err
		}
	}
	_, err := s.store.RecordSignIn(ctx, id, false, now)
	return err
}

// audit appends a record; a failure is logged, since the caller's answer
// does not depend on it (failed sign-ins are refused either way).
func (s *Service) audit(ctx context.Context, who motcua.Actor, action, object, outcome, ip, detail string) {
	rec := &motcua.AuditRecord{At: s.clock.Now(), Actor: who, Action: action, Object: object,
		Outcome: outcome, IP: ip, Detail: detail}
	if err := s.store.Audit(ctx, rec); err != nil {
		s.log.Error("auth: audit", "action", action, "object", object, "outcome", outcome, "error", err)
	}
}

// Authenticate implements motcua.AuthService. A session checked in the
// last CacheTTL is answered from memory.
func (s *Service) Authenticate(ctx context.Context, token string) (*motcua.Session, motcua.Actor, error) {
	if !strings.HasPrefix(token, SessionTokenPrefix) || len(token) > 128 {
		return nil, motcua.Actor{}, sessionInvalid()
	}
	hash := HashToken(token)
	key := string(hash)
	now := s.clock.Now()
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < s.ttl && s.alive(c.s, now) {
		return c.s, c.actor, nil
	}
	sess, err := s.store.SessionByHash(ctx, hash, now)
	if motcua.ErrorCode(err) == motcua.ENOTFOUND {
		s.forget(key)
		return nil, motcua.Actor{}, sessionInvalid()
	} else if err != nil {
		return nil, motcua.Actor{}, err
	}
	if !s.alive(sess, now) {
		s.forget(key)
		_ = s.store.DeleteSession(ctx, hash)
		return nil, motcua.Actor{}, sessionInvalid()
	}
	actor, err := s.actorOf(ctx, sess)
	if err != nil {
		return nil, motcua.Actor{}, err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, hash, now); err != nil {
			return nil, motcua.Actor{}, err
		}
		sess.LastSeenAt = now
	}
	s.mu.Lock()
	if len(s.cache) >= maxCached {
		clear(s.cache)
	}
	s.cache[key] = cachedSession{s: sess, actor: actor, at: now}
	s.mu.Unlock()
	return sess, actor, nil
}

// alive reports whether sess is neither expired nor idle at now.
func (s *Service) alive(sess *motcua.Session, now time.Time) bool {
	return now.Before(sess.ExpiresAt) && now.Sub(sess.LastSeenAt) < s.idle
}

func (s *Service) forget(key string) {
	s.mu.Lock()
	delete(s.cache, key)
	s.mu.Unlock()
}

// forgetSubject drops every cached session of a subject.
func (s *Service) forgetSubject(kind, subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.cache {
		if c.s.Kind == kind && c.s.Subject == subject {
			delete(s.cache, k)
		}
	}
}

// actorOf returns the actor behind a session, as it is now: a staff
// member's current grants, a citizen's current profile.
func (s *Service) actorOf(ctx context.Context, sess *motcua.Session) (motcua.Actor, error) {
	switch sess.Kind {
	case motcua.SessionStaff:
		st, _, err := s.store.StaffByLogin(ctx, sess.Subject)
		if motcua.ErrorCode(err) == motcua.ENOTFOUND || err == nil && st.Disabled {
			return motcua.Actor{}, sessionInvalid()
		} else if err != nil {
			return motcua.Actor{}, err
		}
		return st.Actor(), nil
	case motcua.SessionCitizen:
		c, err := s.store.FindCitizen(ctx, sess.Subject)
		if motcua.ErrorCode(err) == motcua.ENOTFOUND {
			return motcua.Actor{}, sessionInvalid()
		} else if err != nil {
			return motcua.Actor{}, err
		}
		return citizenActor(c), nil
	}
	return motcua.Actor{}, sessionInvalid()
}

// citizenActor returns the actor of c. A local citizen has no verified
// identification number, so no Person.
func citizenActor(c *motcua.Citizen) motcua.Actor {
	a := motcua.Actor{Kind: motcua.ActorCitizen, ID: c.ID, Name: c.Name, Person: c.IDNumber}
	if c.Issuer == motcua.LocalIssuer {
		a.Person = ""
	}
	return a
}

// SignOut implements motcua.AuthService.
func (s *Service) SignOut(ctx context.Context, token string) error {
	sess, who, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	hash := HashToken(token)
	s.forget(string(hash))
	if err := s.store.DeleteSession(ctx, hash); err != nil {
		return err
	}
	s.audit(ctx, who, motcua.AuditSignOut, sess.Kind+":"+sess.Subject, motcua.OutcomeOK, "", "")
	return nil
}

// SignOutEverywhere implements motcua.AuthService.
func (s *Service) SignOutEverywhere(ctx context.Context, sess *motcua.Session) (int, error) {
	n, err := s.store.DeleteSessions(ctx, sess.Kind, sess.Subject)
	if err != nil {
		return 0, err
	}
	s.forgetSubject(sess.Kind, sess.Subject)
	who := motcua.Actor{Kind: motcua.ActorOfficer, ID: sess.Subject}
	if sess.Kind == motcua.SessionCitizen {
		who.Kind = motcua.ActorCitizen
	}
	s.audit(ctx, who, motcua.AuditSignOut, sess.Kind+":"+sess.Subject, motcua.OutcomeOK, "", fmt.Sprintf("everywhere: %d sessions", n))
	return n, nil
}

// staffSession returns the staff session of token with the staff member
// and their credentials.
func (s *Service) staffSession(ctx context.Context, token string) (*motcua.Session, *motcua.Staff, *motcua.Credentials, error) {
	sess, _, err := s.Authenticate(ctx, token)
	if err != nil {
		return nil, nil, nil, err
	}
	if sess.Kind != motcua.SessionStaff {
		return nil, nil, nil, &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "forbidden", Message: "Only staff have a password here."}
	}
	st, cr, err := s.store.StaffByLogin(ctx, sess.Subject)
	if err != nil {
		return nil, nil, nil, err
	}
	return sess, st, cr, nil
}

// ChangePassword implements motcua.AuthService.
func (s *Service) ChangePassword(ctx context.Context, token, current, next string) (*motcua.SignedIn, error) {
	sess, st, cr, err := s.staffSession(ctx, token)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	who := st.Actor()
	if until := s.lockout.Until(cr.Failures, cr.LastFailure); until.After(now) {
		return nil, tooMany(until.Sub(now))
	}
	if len(current) > maxCredential {
		return nil, signInFailed()
	}
	ok, _, err := s.hasher.Verify(ctx, cr.PasswordHash, current)
	if err != nil {
		return nil, fmt.Errorf("auth: change password of %s: %w", st.ID, err)
	}
	if !ok {
		if err := s.recordFailure(ctx, st.ID, cr, now); err != nil {
			return nil, err
		}
		s.audit(ctx, who, motcua.AuditPasswordChange, "staff:"+st.ID, motcua.OutcomeFailed, sess.IP, "wrong current password")
		return nil, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "The current password is wrong.",
			Fields: []motcua.FieldError{{Field: "current_password", Reason: motcua.FieldValue, Message: "the current password is wrong"}}}
	}
	if err := CheckPassword(next, st.ID, st.Email, st.Name); err != nil {
		return nil, err
	}
	if next == current {
		return nil, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "Choose a password other than the current one.",
			Fields: []motcua.FieldError{{Field: "password", Reason: motcua.FieldValue, Message: "the new password is the current one"}}}
	}
	h, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetPassword(ctx, st.ID, h, false, now); err != nil {
		return nil, err
	}
	if _, err := s.store.DeleteSessions(ctx, motcua.SessionStaff, st.ID); err != nil {
		return nil, err
	}
	s.forgetSubject(motcua.SessionStaff, st.ID)
	s.audit(ctx, who, motcua.AuditPasswordChange, "staff:"+st.ID, motcua.OutcomeOK, sess.IP, "")
	must, err := s.requiresTOTP(ctx, st)
	if err != nil {
		return nil, err
	}
	limited := ""
	if cr.TOTPSecret == nil && must {
		limited = motcua.LimitTOTPSetup
	}
	return s.open(ctx, motcua.SessionStaff, st.ID, who, sess.MFA, limited, sess.IP, sess.UserAgent, "after a password change")
}

// ResetPassword implements motcua.AuthService.
func (s *Service) ResetPassword(ctx context.Context, id string) (string, error) {
	admin, _ := motcua.ActorFromContext(ctx)
	// Which staff a unit administrator may reset is the caller's to
	// check (web: within the units they administer).
	if !admin.Administers() && !admin.HasRole(motcua.RoleUnitAdmin) {
		return "", &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "forbidden", Message: "Only an administrator may reset a password."}
	}
	st, _, err := s.store.StaffByLogin(ctx, id)
	if err != nil {
		return "", err
	}
	var b [15]byte
	rand.Read(b[:])
	temporary := base32.StdEncoding.EncodeToString(b[:]) // 24 characters, 120 bits
	h, err := s.hasher.Hash(ctx, temporary)
	if err != nil {
		return "", err
	}
	if err := s.store.SetPassword(ctx, st.ID, h, true, s.clock.Now()); err != nil {
		return "", err
	}
	// A reset is also the way back for a staff member who lost their
	// second factor or locked themselves out: both are cleared, and the
	// second factor is enrolled again at the next sign-in where required.
	if err := s.store.SetTOTP(ctx, st.ID, nil); err != nil {
		return "", err
	}
	if _, err := s.store.RecordSignIn(ctx, st.ID, true, s.clock.Now()); err != nil {
		return "", err
	}
	if _, err := s.store.DeleteSessions(ctx, motcua.SessionStaff, st.ID); err != nil {
		return "", err
	}
	s.forgetSubject(motcua.SessionStaff, st.ID)
	rec := &motcua.AuditRecord{At: s.clock.Now(), Actor: admin, Action: motcua.AuditPasswordReset,
		Object: "staff:" + st.ID, Outcome: motcua.OutcomeOK, Detail: "password and second factor reset"}
	if err := s.store.Audit(ctx, rec); err != nil {
		return "", fmt.Errorf("auth: audit password reset of %s: %w", st.ID, err)
	}
	return temporary, nil
}

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// BeginTOTP implements motcua.AuthService.
func (s *Service) BeginTOTP(ctx context.Context, sess *motcua.Session) (*motcua.TOTPEnrolment, error) {
	if sess.Kind != motcua.SessionStaff {
		return nil, &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "forbidden", Message: "Only staff enrol a second factor here."}
	}
	secret, err := NewTOTPSecret()
	if err != nil {
		return nil, err
	}
	return &motcua.TOTPEnrolment{Secret: totpEncoding.EncodeToString(secret), URI: TOTPURI(s.issuer, sess.Subject, secret)}, nil
}

// ConfirmTOTP implements motcua.AuthService.
func (s *Service) ConfirmTOTP(ctx context.Context, token, secret, code string) (*motcua.SignedIn, error) {
	sess, st, cr, err := s.staffSession(ctx, token)
	if err != nil {
		return nil, err
	}
	if cr.TOTPSecret != nil {
		// Replacing a second factor takes an administrator's reset: a
		// stolen session must not be enough to take the account over.
		return nil, &motcua.Error{Code: motcua.ECONFLICT, Reason: "totp_enrolled",
			Message: "A second factor is already set up; an administrator's reset is needed to replace it."}
	}
	raw, err := totpEncoding.DecodeString(strings.ToUpper(strings.TrimRight(strings.ReplaceAll(secret, " ", ""), "=")))
	if err != nil || len(raw) < 16 || len(raw) > 64 {
		return nil, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "The secret is not one this server offered.",
			Fields: []motcua.FieldError{{Field: "secret", Reason: motcua.FieldFormat}}}
	}
	step, ok := VerifyTOTP(raw, code, s.clock.Now(), 0)
	if !ok {
		return nil, totpInvalid()
	}
	if err := s.store.SetTOTP(ctx, st.ID, raw); err != nil {
		return nil, err
	}
	if _, err := s.store.UseTOTPStep(ctx, st.ID, step); err != nil {
		return nil, err
	}
	if _, err := s.store.DeleteSessions(ctx, motcua.SessionStaff, st.ID); err != nil {
		return nil, err
	}
	s.forgetSubject(motcua.SessionStaff, st.ID)
	who := st.Actor()
	s.audit(ctx, who, motcua.AuditTOTPChange, "staff:"+st.ID, motcua.OutcomeOK, sess.IP, "enrolled")
	limited := ""
	if sess.Limited == motcua.LimitPasswordChange {
		limited = sess.Limited
	}
	return s.open(ctx, motcua.SessionStaff, st.ID, who, true, limited, sess.IP, sess.UserAgent, "after enrolling a second factor")
}

// BeginCitizen implements motcua.AuthService.
func (s *Service) BeginCitizen(ctx context.Context) (*motcua.CitizenFlow, error) {
	if s.oidc == nil {
		return nil, &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "citizen_sign_in_unavailable",
			Message: "Citizen sign-in is not configured on this server."}
	}
	f, err := s.oidc.Begin()
	if err != nil {
		return nil, err
	}
	return &motcua.CitizenFlow{State: f.State, Nonce: f.Nonce, Verifier: f.Verifier, URL: f.URL}, nil
}

// FinishCitizen implements motcua.AuthService.
func (s *Service) FinishCitizen(ctx context.Context, flow motcua.CitizenFlow, query url.Values, ip, ua string) (*motcua.SignedIn, error) {
	if s.oidc == nil {
		return nil, &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "citizen_sign_in_unavailable",
			Message: "Citizen sign-in is not configured on this server."}
	}
	claims, err := s.oidc.Finish(ctx, OIDCFlow{State: flow.State, Nonce: flow.Nonce, Verifier: flow.Verifier}, query)
	if err != nil {
		s.audit(ctx, motcua.Actor{Kind: "anonymous", ID: "citizen"}, motcua.AuditSignInFailed, "citizen",
			motcua.OutcomeFailed, ip, "oidc: "+OIDCReason(err))
		return nil, err
	}
	c, err := s.store.SignInCitizen(ctx, &motcua.Citizen{Issuer: claims.Issuer, Subject: claims.Subject,
		Name: claims.Name, IDNumber: claims.IDNumber, Phone: claims.Phone, Email: claims.Email,
		EmailVerified: claims.EmailVerified, Address: claims.Address})
	if err != nil {
		return nil, err
	}
	return s.open(ctx, motcua.SessionCitizen, c.ID, citizenActor(c), true, "", ip, ua, "")
}
