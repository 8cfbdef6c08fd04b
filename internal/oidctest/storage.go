package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// errNotFound is what the storage answers for an unknown request, code,
// token or client; the op package turns it into invalid_grant and the like.
type errNotFound string

func (e errNotFound) Error() string { return "oidctest: " + string(e) + " not found" }

// IsNotFound marks the error for op.StorageNotFoundError.
func (errNotFound) IsNotFound() {}

// storage is the provider's op.Storage, all in memory and guarded by one
// mutex: clients, users, pending authorization requests with their codes,
// access tokens and the signing key.
type storage struct {
	settings settings

	mu       sync.Mutex
	clients  map[string]*client
	users    map[string]*account // by username
	requests map[string]*authRequest
	codes    map[string]string // code -> request ID
	tokens   map[string]*accessToken
	key      *rsa.PrivateKey // published in the key set
	keyID    string
	signer   *rsa.PrivateKey // signs tokens; key unless SignWithKeyOf changed it
}

type account struct {
	user     User
	password string
}

type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

// settings are the provider's options, fixed once it starts.
type settings struct {
	idTokenLifetime time.Duration
	editIDToken     func(map[string]any)
	userinfoOnly    bool
}

func newStorage(s settings) (*storage, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oidctest: generate signing key: %w", err)
	}
	return &storage{
		settings: s,
		clients:  map[string]*client{},
		users:    map[string]*account{},
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]*accessToken{},
		key:      key,
		keyID:    rand.Text(),
		signer:   key,
	}, nil
}

func (s *storage) userBySubject(subject string) (User, bool) {
	for _, a := range s.users {
		if a.user.Subject == subject {
			return a.user, true
		}
	}
	return User{}, false
}

// login marks the request done for the user named by username when the
// password matches.
func (s *storage) login(requestID, username, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[requestID]
	if !ok {
		return errNotFound("auth request")
	}
	a, ok := s.users[username]
	if !ok || a.password != password {
		return errors.New("oidctest: wrong username or password")
	}
	req.subject = a.user.Subject
	req.authTime = time.Now()
	req.done = true
	return nil
}

// userinfo fills info with the user's claims that scopes allow.
func (s *storage) userinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	u, ok := s.userBySubject(subject)
	s.mu.Unlock()
	if !ok {
		return errNotFound("user")
	}
	info.Subject = u.Subject
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = u.Name
		if u.IDNumber != "" {
			info.AppendClaims("id_number", u.IDNumber)
		}
	}
	if slices.Contains(scopes, oidc.ScopeEmail) && u.Email != "" {
		info.Email = u.Email
		info.EmailVerified = oidc.Bool(u.EmailVerified)
	}
	if slices.Contains(scopes, oidc.ScopePhone) && u.Phone != "" {
		info.PhoneNumber = u.Phone
		info.PhoneNumberVerified = true
	}
	if slices.Contains(scopes, oidc.ScopeAddress) && u.Address != "" {
		info.Address = &oidc.UserInfoAddress{Formatted: u.Address, Country: "VN"}
	}
	for k, v := range u.Claims {
		info.AppendClaims(k, v)
	}
	return nil
}

// CreateAuthRequest implements op.AuthStorage.
func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	req := &authRequest{
		id:           rand.Text(),
		clientID:     r.ClientID,
		redirectURI:  r.RedirectURI,
		scopes:       slices.Clone(r.Scopes),
		state:        r.State,
		nonce:        r.Nonce,
		responseType: r.ResponseType,
		responseMode: r.ResponseMode,
		audience:     []string{r.ClientID},
	}
	if r.CodeChallenge != "" {
		req.challenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[req.id] = req
	return req.clone(), nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[id]
	if !ok {
		return nil, errNotFound("auth request")
	}
	return req.clone(), nil
}

// AuthRequestByCode implements op.AuthStorage. A code is gone once its
// request is deleted, which the op package does after a successful
// exchange, so a replayed code fails.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[s.codes[code]]
	if !ok {
		return nil, errNotFound("code")
	}
	return req.clone(), nil
}

// SaveAuthCode implements op.AuthStorage.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[id]
	if !ok {
		return errNotFound("auth request")
	}
	req.code = code
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest implements op.AuthStorage.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req, ok := s.requests[id]; ok {
		delete(s.codes, req.code)
		delete(s.requests, id)
	}
	return nil
}

// CreateAccessToken implements op.AuthStorage.
func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	t := &accessToken{subject: r.GetSubject(), scopes: slices.Clone(r.GetScopes()), expires: time.Now().Add(5 * time.Minute)}
	if a, ok := r.(op.AuthRequest); ok {
		t.clientID = a.GetClientID()
	}
	id := rand.Text()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = t
	return id, t.expires, nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage; the provider
// issues no refresh tokens.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("no refresh tokens here")
}

// TokenRequestByRefreshToken implements op.AuthStorage.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession implements op.AuthStorage.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// RevokeToken implements op.AuthStorage.
func (s *storage) RevokeToken(_ context.Context, tokenID, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tokenID)
	return nil
}

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return signingKey{id: s.keyID, key: s.signer}, nil
}

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage: the published public key only.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []op.Key{publicKey{id: s.keyID, key: &s.key.PublicKey}}, nil
}

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, errNotFound("client")
	}
	return c, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok || c.secret != secret {
		return errors.New("oidctest: wrong client id or secret")
	}
	return nil
}

// SetUserinfoFromScopes implements op.OPStorage; SetUserinfoFromRequest
// does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the
// claims of the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	if s.settings.userinfoOnly {
		info.Subject = r.GetSubject()
		return nil
	}
	return s.userinfo(info, r.GetSubject(), scopes)
}

// SetUserinfoFromToken implements op.OPStorage: the answer of the
// userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return errNotFound("access token")
	}
	return s.userinfo(info, subject, t.scopes)
}

// SetIntrospectionFromToken implements op.OPStorage.
func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return errNotFound("access token")
	}
	resp.Active = true
	resp.Subject = subject
	resp.ClientID = t.clientID
	resp.Scope = t.scopes
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID implements op.OPStorage; JWT profile grants are
// not supported.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound("client key")
}

// ValidateJWTProfileScopes implements op.OPStorage.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

// authRequest implements op.AuthRequest.
type authRequest struct {
	id, clientID, redirectURI string
	scopes                    []string
	state, nonce              string
	responseType              oidc.ResponseType
	responseMode              oidc.ResponseMode
	challenge                 *oidc.CodeChallenge
	audience                  []string
	subject                   string
	authTime                  time.Time
	done                      bool
	code                      string
}

// clone returns a copy the op package may hold without the lock.
func (a *authRequest) clone() *authRequest {
	c := *a
	c.scopes = slices.Clone(a.scopes)
	c.audience = slices.Clone(a.audience)
	return &c
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return a.audience }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// client implements op.Client: a confidential web application using the
// authorization code flow with client_secret_basic or client_secret_post.
type client struct {
	id, secret      string
	redirectURIs    []string
	idTokenLifetime time.Duration
	userinfoOnly    bool
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return c.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string            { return loginPath + "?" + requestIDParam + "=" + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return c.idTokenLifetime }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return !c.userinfoOnly }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// signingKey implements op.SigningKey.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

// publicKey implements op.Key.
type publicKey struct {
	id  string
	key *rsa.PublicKey
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }
