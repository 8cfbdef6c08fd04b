package auth_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"motcua"
	"motcua/auth"
)

// fakeStore is an in-memory auth.Store: maps under one mutex, following
// the interfaces' documentation (and sqlstore where it says more). It
// returns copies, so that nothing a caller does to a result changes what
// is stored. It also counts the calls the tests look at.
type fakeStore struct {
	mu       sync.Mutex
	staff    map[string]*fakeStaff // by ID
	sessions map[string]motcua.Session
	citizens map[string]motcua.Citizen // by ID
	// local holds local citizens' passwords by citizen ID, and tokens
	// their verification tokens by hash.
	local  map[string]string
	tokens map[string]fakeToken
	audit  []*motcua.AuditRecord
	nextID int
	// auditErr, when set, is what Audit returns.
	auditErr error

	touches int // TouchSession calls
	lookups int // SessionByHash calls

	// parents maps each unit to its parent, for Directory.
	parents map[string]string
}

// Directory implements auth.Store with the units of parents.
func (f *fakeStore) Directory(context.Context) (motcua.Directory, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeDirectory(maps.Clone(f.parents)), nil
}

// fakeDirectory knows units' parents only.
type fakeDirectory map[string]string

func (d fakeDirectory) Agency(string) (*motcua.Agency, bool) { return nil, false }

func (d fakeDirectory) ParentUnit(unit string) (string, bool) {
	p, ok := d[unit]
	return p, ok
}

func (d fakeDirectory) AgencyAt(string, string) (*motcua.Agency, bool) { return nil, false }

type fakeStaff struct {
	st    motcua.Staff
	cr    motcua.Credentials
	token []byte // HashToken of the API token
}

var _ auth.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{staff: map[string]*fakeStaff{}, sessions: map[string]motcua.Session{},
		citizens: map[string]motcua.Citizen{}, local: map[string]string{}, tokens: map[string]fakeToken{}}
}

func cloneStaff(st *motcua.Staff) *motcua.Staff {
	c := *st
	c.Grants = slices.Clone(st.Grants)
	return &c
}

func cloneCredentials(cr *motcua.Credentials) *motcua.Credentials {
	c := *cr
	c.TOTPSecret = slices.Clone(cr.TOTPSecret)
	return &c
}

// put stores a staff member with credentials, replacing any earlier one.
func (f *fakeStore) put(st motcua.Staff, cr motcua.Credentials) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st.Email = strings.ToLower(st.Email)
	f.staff[st.ID] = &fakeStaff{st: *cloneStaff(&st), cr: *cloneCredentials(&cr)}
}

// update changes a stored staff member in place.
func (f *fakeStore) update(id string, change func(*motcua.Staff, *motcua.Credentials)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.staff[id]
	change(&s.st, &s.cr)
}

// credentials returns a copy of the stored credentials of id.
func (f *fakeStore) credentials(id string) motcua.Credentials {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *cloneCredentials(&f.staff[id].cr)
}

// records returns the audit records appended so far.
func (f *fakeStore) records() []motcua.AuditRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]motcua.AuditRecord, len(f.audit))
	for i, r := range f.audit {
		out[i] = *r
	}
	return out
}

// sessionCount returns how many sessions are stored, expired ones too.
func (f *fakeStore) sessionCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sessions)
}

// counts returns the TouchSession and SessionByHash calls so far.
func (f *fakeStore) counts() (touches, lookups int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.touches, f.lookups
}

func (f *fakeStore) citizenCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.citizens)
}

// byLogin returns the staff member whose ID or e-mail is login; the
// caller holds f.mu.
func (f *fakeStore) byLogin(login string) *fakeStaff {
	login = strings.ToLower(strings.TrimSpace(login))
	if login == "" {
		return nil
	}
	if s, ok := f.staff[login]; ok {
		return s
	}
	for _, s := range f.staff {
		if s.st.Email != "" && s.st.Email == login {
			return s
		}
	}
	return nil
}

// SaveStaff implements motcua.StaffService.
func (f *fakeStore) SaveStaff(_ context.Context, st *motcua.Staff) (string, error) {
	if err := st.Validate(); err != nil {
		return "", err
	}
	token, hash, err := auth.NewToken(auth.APIKeyPrefix)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.staff[st.ID]; ok {
		s.st.Name, s.st.Email, s.st.Disabled, s.st.Grants = st.Name, st.Email, st.Disabled, slices.Clone(st.Grants)
		s.token = hash
		return token, nil
	}
	f.staff[st.ID] = &fakeStaff{st: *cloneStaff(st), token: hash}
	return token, nil
}

// StaffByToken implements motcua.StaffService.
func (f *fakeStore) StaffByToken(_ context.Context, token string) (*motcua.Staff, error) {
	hash := auth.HashToken(token)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.staff {
		if auth.EqualHash(s.token, hash) && !s.st.Disabled {
			return cloneStaff(&s.st), nil
		}
	}
	return nil, &motcua.Error{Code: motcua.EUNAUTHORIZED, Reason: "token_invalid", Message: "Unknown token."}
}

// StaffByLogin implements motcua.CredentialService.
func (f *fakeStore) StaffByLogin(_ context.Context, login string) (*motcua.Staff, *motcua.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.byLogin(login)
	if s == nil {
		return nil, nil, motcua.NotFound("staff", login)
	}
	cr := cloneCredentials(&s.cr)
	cr.Login = strings.ToLower(strings.TrimSpace(login))
	if len(cr.TOTPSecret) == 0 {
		cr.TOTPSecret = nil
	}
	return cloneStaff(&s.st), cr, nil
}

// member returns the staff member id or ENOTFOUND; the caller holds f.mu.
func (f *fakeStore) member(id string) (*fakeStaff, error) {
	s, ok := f.staff[id]
	if !ok {
		return nil, motcua.NotFound("staff", id)
	}
	return s, nil
}

// SetPassword implements motcua.CredentialService.
func (f *fakeStore) SetPassword(_ context.Context, id, hash string, mustChange bool, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.member(id)
	if err != nil {
		return err
	}
	s.cr.PasswordHash, s.cr.MustChange, s.cr.PasswordChangedAt = hash, mustChange, at
	return nil
}

// SetTOTP implements motcua.CredentialService. The last accepted step is
// kept, as in sqlstore: steps are times.
func (f *fakeStore) SetTOTP(_ context.Context, id string, secret []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.member(id)
	if err != nil {
		return err
	}
	s.cr.TOTPSecret = nil
	if len(secret) > 0 {
		s.cr.TOTPSecret = slices.Clone(secret)
	}
	return nil
}

// UseTOTPStep implements motcua.CredentialService.
func (f *fakeStore) UseTOTPStep(_ context.Context, id string, step int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.member(id)
	if err != nil {
		return false, err
	}
	if step <= s.cr.TOTPStep {
		return false, nil
	}
	s.cr.TOTPStep = step
	return true, nil
}

// RecordSignIn implements motcua.CredentialService: a success clears the
// failures (the time of the latest failure stays), a failure adds one.
func (f *fakeStore) RecordSignIn(_ context.Context, id string, ok bool, at time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.member(id)
	if err != nil {
		return 0, err
	}
	if ok {
		s.cr.Failures = 0
	} else {
		s.cr.Failures++
		s.cr.LastFailure = at
	}
	return s.cr.Failures, nil
}

func sessionNotFound() error {
	return &motcua.Error{Code: motcua.ENOTFOUND, Reason: "session_not_found", Message: "No such session."}
}

// CreateSession implements motcua.SessionService.
func (f *fakeStore) CreateSession(_ context.Context, hash []byte, s *motcua.Session) error {
	if len(hash) == 0 {
		return errors.New("fake: create session: no hash")
	}
	if s.Kind != motcua.SessionStaff && s.Kind != motcua.SessionCitizen {
		return fmt.Errorf("fake: create session: unknown kind %q", s.Kind)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sessions[string(hash)]; ok {
		return fmt.Errorf("fake: create session: hash taken")
	}
	f.sessions[string(hash)] = *s
	return nil
}

// SessionByHash implements motcua.SessionService.
func (f *fakeStore) SessionByHash(_ context.Context, hash []byte, now time.Time) (*motcua.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	s, ok := f.sessions[string(hash)]
	if !ok || !s.ExpiresAt.After(now) {
		return nil, sessionNotFound()
	}
	return &s, nil
}

// TouchSession implements motcua.SessionService.
func (f *fakeStore) TouchSession(_ context.Context, hash []byte, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.touches++
	s, ok := f.sessions[string(hash)]
	if !ok {
		return sessionNotFound()
	}
	s.LastSeenAt = at
	f.sessions[string(hash)] = s
	return nil
}

// DeleteSession implements motcua.SessionService; ending a session that
// is gone is no error.
func (f *fakeStore) DeleteSession(_ context.Context, hash []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, string(hash))
	return nil
}

// DeleteSessions implements motcua.SessionService.
func (f *fakeStore) DeleteSessions(_ context.Context, kind, subject string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, s := range f.sessions {
		if s.Kind == kind && s.Subject == subject {
			delete(f.sessions, k)
			n++
		}
	}
	return n, nil
}

// DeleteExpiredSessions implements motcua.SessionService.
func (f *fakeStore) DeleteExpiredSessions(_ context.Context, now, idleSince time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, s := range f.sessions {
		if !s.ExpiresAt.After(now) || s.LastSeenAt.Before(idleSince) {
			delete(f.sessions, k)
			n++
		}
	}
	return n, nil
}

// SignInCitizen implements motcua.CitizenService.
func (f *fakeStore) SignInCitizen(_ context.Context, c *motcua.Citizen) (*motcua.Citizen, error) {
	var fs motcua.Fields
	if c.Issuer == "" {
		fs.Add("issuer", motcua.FieldRequired, "issuer is required")
	}
	if c.Subject == "" {
		fs.Add("subject", motcua.FieldRequired, "subject is required")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := *c
	for _, old := range f.citizens {
		if old.Issuer == c.Issuer && old.Subject == c.Subject {
			out.ID, out.CreatedAt = old.ID, old.CreatedAt
		}
	}
	if out.ID == "" {
		f.nextID++
		out.ID = fmt.Sprintf("citizen-%d", f.nextID)
		out.CreatedAt = time.Now().UTC()
	}
	out.UpdatedAt = time.Now().UTC()
	f.citizens[out.ID] = out
	return &out, nil
}

// FindCitizen implements motcua.CitizenService.
func (f *fakeStore) FindCitizen(_ context.Context, id string) (*motcua.Citizen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.citizens[id]
	if !ok {
		return nil, motcua.NotFound("citizen", id)
	}
	return &c, nil
}

// Audit implements motcua.AuditService: it numbers and chains records.
func (f *fakeStore) Audit(_ context.Context, records ...*motcua.AuditRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.auditErr != nil {
		return f.auditErr
	}
	for _, r := range records {
		c := *r
		c.Seq = int64(len(f.audit)) + 1
		if n := len(f.audit); n > 0 {
			c.PrevHash = f.audit[n-1].Hash
		}
		c.Hash = c.ComputeHash()
		f.audit = append(f.audit, &c)
		r.Seq, r.PrevHash, r.Hash = c.Seq, c.PrevHash, c.Hash
	}
	return nil
}

// FindAudit implements motcua.AuditService.
func (f *fakeStore) FindAudit(_ context.Context, q motcua.AuditFilter) ([]*motcua.AuditRecord, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*motcua.AuditRecord
	for _, r := range f.audit {
		switch {
		case r.Seq <= q.After,
			q.Action != "" && r.Action != q.Action,
			q.ActorID != "" && r.Actor.ID != q.ActorID,
			q.Object != "" && r.Object != q.Object,
			!q.From.IsZero() && r.At.Before(q.From),
			!q.To.IsZero() && !r.At.Before(q.To):
			continue
		}
		c := *r
		out = append(out, &c)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// VerifyAudit implements motcua.AuditService.
func (f *fakeStore) VerifyAudit(context.Context) (*motcua.AuditReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rep := &motcua.AuditReport{Records: int64(len(f.audit))}
	prev := ""
	for i, r := range f.audit {
		switch {
		case r.Seq != int64(i)+1:
			rep.Broken = append(rep.Broken, motcua.AuditBreak{Seq: r.Seq, Reason: "missing"})
		case r.Hash != r.ComputeHash():
			rep.Broken = append(rep.Broken, motcua.AuditBreak{Seq: r.Seq, Reason: "edited"})
		case r.PrevHash != prev:
			rep.Broken = append(rep.Broken, motcua.AuditBreak{Seq: r.Seq, Reason: "inserted or deleted"})
		}
		prev = r.Hash
	}
	return rep, nil
}

type fakeToken struct {
	citizen string
	expires time.Time
	used    bool
}

// localCitizen returns the local citizen of email; f.mu is held.
func (f *fakeStore) localCitizen(email string) (motcua.Citizen, bool) {
	for _, c := range f.citizens {
		if c.Issuer == motcua.LocalIssuer && c.Subject == email {
			return c, true
		}
	}
	return motcua.Citizen{}, false
}

// RegisterLocalCitizen implements motcua.LocalCitizenService.
func (f *fakeStore) RegisterLocalCitizen(_ context.Context, email, name, hash string, token []byte, expires time.Time) (*motcua.Citizen, bool, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.localCitizen(email)
	if ok && c.EmailVerified {
		return &c, false, nil
	}
	if !ok {
		f.nextID++
		c = motcua.Citizen{ID: fmt.Sprintf("citizen-%d", f.nextID), Issuer: motcua.LocalIssuer, Subject: email,
			Email: email, CreatedAt: time.Now().UTC()}
	}
	c.Name, c.UpdatedAt = name, time.Now().UTC()
	f.citizens[c.ID] = c
	f.local[c.ID] = hash
	for k, t := range f.tokens {
		if t.citizen == c.ID {
			delete(f.tokens, k)
		}
	}
	f.tokens[string(token)] = fakeToken{citizen: c.ID, expires: expires}
	return &c, !ok, nil
}

// VerifyLocalCitizen implements motcua.LocalCitizenService.
func (f *fakeStore) VerifyLocalCitizen(_ context.Context, token []byte, now time.Time) (*motcua.Citizen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tokens[string(token)]
	if !ok || t.used || !now.Before(t.expires) {
		return nil, &motcua.Error{Code: motcua.ENOTFOUND, Reason: "token_not_found", Message: "No such token."}
	}
	t.used = true
	f.tokens[string(token)] = t
	c := f.citizens[t.citizen]
	c.EmailVerified = true
	f.citizens[c.ID] = c
	return &c, nil
}

// LocalCitizenByEmail implements motcua.LocalCitizenService.
func (f *fakeStore) LocalCitizenByEmail(_ context.Context, email string) (*motcua.Citizen, string, bool, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.localCitizen(email)
	if !ok {
		return nil, "", false, motcua.NotFound("citizen", email)
	}
	return &c, f.local[c.ID], c.EmailVerified, nil
}
