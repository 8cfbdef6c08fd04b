package auth

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"motcua"
)

// Local citizen accounts: where no identity provider serves citizens, a
// citizen registers with an e-mail address and a password and proves the
// address by following an e-mailed link. Nobody checks who they are, so
// their actor has no identification number (Actor.Person is empty): they
// see no dossier by identification number.

// VerifyTokenPrefix starts the tokens of the links that verify a local
// citizen's e-mail address.
const VerifyTokenPrefix = "mcv_"

// VerifyTTL is how long a verification link works.
const VerifyTTL = 24 * time.Hour

// maxName bounds a citizen's name, in characters.
const maxName = 200

func localUnavailable() error {
	return &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "local_accounts_unavailable",
		Message: "Local citizen accounts are not enabled on this server."}
}

func verifyLinkInvalid() error {
	return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "verification_link_invalid",
		Message: "The link is unknown, expired or used already; register again for a new one."}
}

// checkRegistration validates a registration's fields and returns the
// e-mail address lower-cased and the name trimmed.
func checkRegistration(email, name, password string) (string, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	name = strings.TrimSpace(name)
	var fs motcua.Fields
	switch a, err := mail.ParseAddress(email); {
	case email == "":
		fs.Add("email", motcua.FieldRequired, "e-mail address is required")
	case len(email) > 254:
		fs.Add("email", motcua.FieldTooLong, "the e-mail address is longer than 254 characters")
	case err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], "."):
		fs.Add("email", motcua.FieldFormat, "the e-mail address is not valid")
	}
	switch n := utf8.RuneCountInString(name); {
	case name == "":
		fs.Add("name", motcua.FieldRequired, "name is required")
	case n > maxName:
		fs.Add("name", motcua.FieldTooLong, fmt.Sprintf("the name must have at most %d characters", maxName))
	case printable(name) != name:
		fs.Add("name", motcua.FieldFormat, "the name holds control characters")
	}
	if err := fs.Err(); err != nil {
		return "", "", err
	}
	if len(password) > maxCredential {
		return "", "", (&motcua.Fields{{Field: "password", Reason: motcua.FieldTooLong, Message: "the password is too long"}}).Err()
	}
	if err := CheckPassword(password, email, name); err != nil {
		return "", "", err
	}
	return email, name, nil
}

// RegisterCitizen implements motcua.AuthService. Whether the address is
// new, registered but unverified, or verified, it answers nil and sends
// one e-mail to the address: the link for the first two, a notice that
// someone tried to register it for the last, whose account is left
// alone. Registrations are throttled per address and per client address
// like failed sign-ins, so that nobody can flood a mailbox.
func (s *Service) RegisterCitizen(ctx context.Context, email, name, password, ip string) error {
	if !s.local {
		return localUnavailable()
	}
	email, name, err := checkRegistration(email, name, password)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	anon := motcua.Actor{Kind: "anonymous", ID: "citizen"}
	object := "citizen:" + email
	for _, k := range []struct {
		key  string
		free int
	}{{"register:" + email, 1}, {"register-ip:" + ip, 5}} {
		if wait := s.throttled(k.key, k.free, now); wait > 0 {
			s.audit(ctx, anon, motcua.AuditCitizenRegister, object, motcua.OutcomeDenied, ip, "too many registrations")
			return tooMany(wait)
		}
	}
	s.missed("register:"+email, 1, now)
	s.missed("register-ip:"+ip, 5, now)
	// The hash is spent whatever the address, so that the time taken
	// does not tell either.
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return fmt.Errorf("auth: register %s: %w", email, err)
	}
	token, tokenHash, err := NewToken(VerifyTokenPrefix)
	if err != nil {
		return err
	}
	c, created, err := s.store.RegisterLocalCitizen(ctx, email, name, hash, tokenHash, now.Add(VerifyTTL))
	if err != nil {
		return fmt.Errorf("auth: register %s: %w", email, err)
	}
	who := motcua.Actor{Kind: motcua.ActorCitizen, ID: c.ID, Name: c.Name}
	msg, detail := s.verifyMail(email, token), "verification link sent"
	switch {
	case c.EmailVerified:
		msg, detail = s.registeredMail(email), "address verified already; notice sent"
	case !created:
		detail = "not verified yet; new verification link sent"
	}
	if err := s.mailer.Send(ctx, msg); err != nil {
		s.audit(ctx, who, motcua.AuditCitizenRegister, "citizen:"+c.ID, motcua.OutcomeFailed, ip, "e-mail not sent")
		s.log.Error("auth: send registration e-mail", "citizen", c.ID, "error", err)
		return &motcua.Error{Code: motcua.EUNAVAILABLE, Reason: "mail_unavailable",
			Message: "The e-mail could not be sent; try again later."}
	}
	s.audit(ctx, who, motcua.AuditCitizenRegister, "citizen:"+c.ID, motcua.OutcomeOK, ip, detail)
	return nil
}

// verifyMail is the e-mail with the link that verifies email.
func (s *Service) verifyMail(email, token string) motcua.MailMessage {
	link := s.baseURL + "/auth/citizen/verify?token=" + url.QueryEscape(token)
	return motcua.MailMessage{To: email, Subject: "Xác nhận địa chỉ thư điện tử / Confirm your e-mail address",
		Text: "Xin chào,\n\n" +
			"Để hoàn tất việc đăng ký tài khoản công dân trên cổng dịch vụ công, vui lòng mở liên kết sau trong vòng 24 giờ:\n\n" +
			link + "\n\n" +
			"Nếu bạn không đăng ký, hãy bỏ qua thư này.\n\n" +
			"---\n\n" +
			"Hello,\n\n" +
			"To finish registering your citizen account on the public service portal, open this link within 24 hours:\n\n" +
			link + "\n\n" +
			"If you did not register, ignore this e-mail.\n"}
}

// registeredMail is the notice sent to email, verified already, when
// someone registers it again.
func (s *Service) registeredMail(email string) motcua.MailMessage {
	home := s.baseURL + "/"
	return motcua.MailMessage{To: email, Subject: "Địa chỉ thư điện tử đã được đăng ký / E-mail address already registered",
		Text: "Xin chào,\n\n" +
			"Ai đó (có thể là bạn) vừa đăng ký một tài khoản với địa chỉ thư điện tử này, nhưng địa chỉ này đã có tài khoản. " +
			"Tài khoản của bạn không thay đổi. Nếu là bạn, hãy đăng nhập bằng mật khẩu của mình tại:\n\n" +
			home + "\n\n" +
			"Nếu không phải bạn, bạn có thể bỏ qua thư này.\n\n" +
			"---\n\n" +
			"Hello,\n\n" +
			"Someone (perhaps you) tried to register an account with this e-mail address, which has one already. " +
			"Your account is unchanged. If it was you, sign in with your password at:\n\n" +
			home + "\n\n" +
			"If it was not you, you may ignore this e-mail.\n"}
}

// VerifyCitizen implements motcua.AuthService.
func (s *Service) VerifyCitizen(ctx context.Context, token, ip, ua string) (*motcua.SignedIn, error) {
	if !s.local {
		return nil, localUnavailable()
	}
	anon := motcua.Actor{Kind: "anonymous", ID: "citizen"}
	if !strings.HasPrefix(token, VerifyTokenPrefix) || len(token) > 128 {
		s.audit(ctx, anon, motcua.AuditSignInFailed, "citizen", motcua.OutcomeFailed, ip, "malformed verification link")
		return nil, verifyLinkInvalid()
	}
	c, err := s.store.VerifyLocalCitizen(ctx, HashToken(token), s.clock.Now())
	if motcua.ErrorCode(err) == motcua.ENOTFOUND {
		s.audit(ctx, anon, motcua.AuditSignInFailed, "citizen", motcua.OutcomeFailed, ip, "unknown, expired or used verification link")
		return nil, verifyLinkInvalid()
	} else if err != nil {
		return nil, fmt.Errorf("auth: verify citizen: %w", err)
	}
	return s.open(ctx, motcua.SessionCitizen, c.ID, citizenActor(c), false, "", ip, ua, "e-mail address verified")
}

// SignInLocalCitizen implements motcua.AuthService. An unknown address,
// a wrong password and an unverified account get the same answer; the
// failures are throttled per address and per client address, in this
// process.
func (s *Service) SignInLocalCitizen(ctx context.Context, req motcua.SignInRequest) (*motcua.SignedIn, error) {
	if !s.local {
		return nil, localUnavailable()
	}
	now := s.clock.Now()
	login := strings.ToLower(strings.TrimSpace(req.Login))
	if login == "" || req.Password == "" || len(login) > maxCredential || len(req.Password) > maxCredential {
		return nil, &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "Enter an e-mail address and a password.",
			Fields: requiredFields(login, req.Password)}
	}
	login = printable(login)
	anon := motcua.Actor{Kind: "anonymous", ID: "citizen"}
	object := "citizen:" + login
	account := "citizen:" + login
	if wait := s.throttled("ip:"+req.IP, 5, now); wait > 0 {
		s.audit(ctx, anon, motcua.AuditSignInFailed, object, motcua.OutcomeDenied, req.IP, "too many attempts from this address")
		return nil, tooMany(wait)
	}
	if wait := s.throttled(account, 1, now); wait > 0 {
		s.audit(ctx, anon, motcua.AuditSignInFailed, object, motcua.OutcomeDenied, req.IP, "locked out")
		return nil, tooMany(wait)
	}
	fail := func(who motcua.Actor, detail string) (*motcua.SignedIn, error) {
		s.missed(account, 1, now)
		s.missed("ip:"+req.IP, 5, now)
		s.audit(ctx, who, motcua.AuditSignInFailed, object, motcua.OutcomeFailed, req.IP, detail)
		return nil, signInFailed()
	}
	c, hash, verified, err := s.store.LocalCitizenByEmail(ctx, login)
	if motcua.ErrorCode(err) == motcua.ENOTFOUND {
		s.hasher.Dummy(ctx, req.Password)
		return fail(anon, "unknown login")
	} else if err != nil {
		return nil, fmt.Errorf("auth: sign in citizen: %w", err)
	}
	who := citizenActor(c)
	if !verified || hash == "" {
		s.hasher.Dummy(ctx, req.Password)
		return fail(who, "e-mail address not verified")
	}
	// A hash of older parameters stays: the store keeps no way to
	// replace a citizen's password yet.
	ok, _, err := s.hasher.Verify(ctx, hash, req.Password)
	if err != nil {
		return nil, fmt.Errorf("auth: sign in citizen %s: %w", c.ID, err)
	}
	if !ok {
		return fail(who, "wrong password")
	}
	s.mu.Lock()
	delete(s.misses, account)
	s.mu.Unlock()
	return s.open(ctx, motcua.SessionCitizen, c.ID, who, false, "", req.IP, req.UserAgent, "local account")
}
