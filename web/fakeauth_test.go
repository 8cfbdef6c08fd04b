package web

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"motcua"
)

// fakeAuth is a motcua.AuthService whose methods call the function
// fields. A method whose field is nil fails the test: a handler called
// the service when it should not have.
type fakeAuth struct {
	t *testing.T

	SignInFn             func(ctx context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error)
	AuthenticateFn       func(ctx context.Context, token string) (*motcua.Session, motcua.Actor, error)
	SignOutFn            func(ctx context.Context, token string) error
	SignOutEverywhereFn  func(ctx context.Context, s *motcua.Session) (int, error)
	ChangePasswordFn     func(ctx context.Context, token, current, next string) (*motcua.SignedIn, error)
	ResetPasswordFn      func(ctx context.Context, id string) (string, error)
	BeginTOTPFn          func(ctx context.Context, s *motcua.Session) (*motcua.TOTPEnrolment, error)
	ConfirmTOTPFn        func(ctx context.Context, token, secret, code string) (*motcua.SignedIn, error)
	BeginCitizenFn       func(ctx context.Context) (*motcua.CitizenFlow, error)
	FinishCitizenFn      func(ctx context.Context, flow motcua.CitizenFlow, query url.Values, ip, userAgent string) (*motcua.SignedIn, error)
	RegisterCitizenFn    func(ctx context.Context, email, name, password, ip string) error
	VerifyCitizenFn      func(ctx context.Context, token, ip, userAgent string) (*motcua.SignedIn, error)
	SignInLocalCitizenFn func(ctx context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error)
}

var _ motcua.AuthService = (*fakeAuth)(nil)

var errUnexpectedAuth = errors.New("unexpected auth call")

func (f *fakeAuth) unexpected(name string) error {
	f.t.Helper()
	f.t.Errorf("unexpected call to AuthService.%s", name)
	return errUnexpectedAuth
}

func (f *fakeAuth) SignIn(ctx context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error) {
	if f.SignInFn == nil {
		return nil, f.unexpected("SignIn")
	}
	return f.SignInFn(ctx, req)
}

func (f *fakeAuth) Authenticate(ctx context.Context, token string) (*motcua.Session, motcua.Actor, error) {
	if f.AuthenticateFn == nil {
		return nil, motcua.Actor{}, f.unexpected("Authenticate")
	}
	return f.AuthenticateFn(ctx, token)
}

func (f *fakeAuth) SignOut(ctx context.Context, token string) error {
	if f.SignOutFn == nil {
		return f.unexpected("SignOut")
	}
	return f.SignOutFn(ctx, token)
}

func (f *fakeAuth) SignOutEverywhere(ctx context.Context, s *motcua.Session) (int, error) {
	if f.SignOutEverywhereFn == nil {
		return 0, f.unexpected("SignOutEverywhere")
	}
	return f.SignOutEverywhereFn(ctx, s)
}

func (f *fakeAuth) ChangePassword(ctx context.Context, token, current, next string) (*motcua.SignedIn, error) {
	if f.ChangePasswordFn == nil {
		return nil, f.unexpected("ChangePassword")
	}
	return f.ChangePasswordFn(ctx, token, current, next)
}

func (f *fakeAuth) ResetPassword(ctx context.Context, id string) (string, error) {
	if f.ResetPasswordFn == nil {
		return "", f.unexpected("ResetPassword")
	}
	return f.ResetPasswordFn(ctx, id)
}

func (f *fakeAuth) BeginTOTP(ctx context.Context, s *motcua.Session) (*motcua.TOTPEnrolment, error) {
	if f.BeginTOTPFn == nil {
		return nil, f.unexpected("BeginTOTP")
	}
	return f.BeginTOTPFn(ctx, s)
}

func (f *fakeAuth) ConfirmTOTP(ctx context.Context, token, secret, code string) (*motcua.SignedIn, error) {
	if f.ConfirmTOTPFn == nil {
		return nil, f.unexpected("ConfirmTOTP")
	}
	return f.ConfirmTOTPFn(ctx, token, secret, code)
}

func (f *fakeAuth) BeginCitizen(ctx context.Context) (*motcua.CitizenFlow, error) {
	if f.BeginCitizenFn == nil {
		return nil, f.unexpected("BeginCitizen")
	}
	return f.BeginCitizenFn(ctx)
}

func (f *fakeAuth) FinishCitizen(ctx context.Context, flow motcua.CitizenFlow, query url.Values, ip, userAgent string) (*motcua.SignedIn, error) {
	if f.FinishCitizenFn == nil {
		return nil, f.unexpected("FinishCitizen")
	}
	return f.FinishCitizenFn(ctx, flow, query, ip, userAgent)
}

// testSession is a signed-in caller of the tests: the cookie's token,
// the session and the actor behind it.
type testSession struct {
	token   string
	session *motcua.Session
	actor   motcua.Actor
}

// signedIn returns what the service answers when it opens ts.
func (ts testSession) signedIn() *motcua.SignedIn {
	return &motcua.SignedIn{Token: ts.token, Session: ts.session, Actor: ts.actor}
}

// withSessions makes Authenticate know the sessions: any other token is
// EUNAUTHORIZED, as the real service answers.
func (f *fakeAuth) withSessions(sessions ...testSession) *fakeAuth {
	byToken := map[string]testSession{}
	for _, s := range sessions {
		byToken[s.token] = s
	}
	f.AuthenticateFn = func(_ context.Context, token string) (*motcua.Session, motcua.Actor, error) {
		s, ok := byToken[token]
		if !ok {
			return nil, motcua.Actor{}, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "session_expired",
				Message: "Your session has ended; sign in again."}
		}
		cp := *s.session
		return &cp, s.actor, nil
	}
	return f
}

// staffSession returns a full staff session of actor under token, whose
// CSRF token is "csrf-" followed by token.
func staffSession(token string, actor motcua.Actor) testSession {
	return testSession{token: token, actor: actor, session: &motcua.Session{Kind: motcua.SessionStaff, Subject: actor.ID,
		CSRF: "csrf-" + token, MFA: true, CreatedAt: testNow, LastSeenAt: testNow, ExpiresAt: testNow.Add(8 * time.Hour)}}
}

// citizenSession returns the session of a citizen whose verified
// identification number is person.
func citizenSession(token, id, person string) testSession {
	a := motcua.Actor{Kind: motcua.ActorCitizen, ID: id, Name: "Công dân " + id, Person: person}
	return testSession{token: token, actor: a, session: &motcua.Session{Kind: motcua.SessionCitizen, Subject: id,
		CSRF: "csrf-" + token, MFA: true, CreatedAt: testNow, LastSeenAt: testNow, ExpiresAt: testNow.Add(8 * time.Hour)}}
}

func (f *fakeAuth) RegisterCitizen(ctx context.Context, email, name, password, ip string) error {
	if f.RegisterCitizenFn == nil {
		return f.unexpected("RegisterCitizen")
	}
	return f.RegisterCitizenFn(ctx, email, name, password, ip)
}

func (f *fakeAuth) VerifyCitizen(ctx context.Context, token, ip, userAgent string) (*motcua.SignedIn, error) {
	if f.VerifyCitizenFn == nil {
		return nil, f.unexpected("VerifyCitizen")
	}
	return f.VerifyCitizenFn(ctx, token, ip, userAgent)
}

func (f *fakeAuth) SignInLocalCitizen(ctx context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error) {
	if f.SignInLocalCitizenFn == nil {
		return nil, f.unexpected("SignInLocalCitizen")
	}
	return f.SignInLocalCitizenFn(ctx, req)
}
