package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/text/unicode/norm"

	"motcua"
)

// OIDCConfig configures citizen sign-in through an external OpenID Connect
// provider, such as the national e-ID or the National Public Service
// Portal's single sign-on.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; discovery reads
	// Issuer + "/.well-known/openid-configuration" and must name it back.
	Issuer string
	// ClientID and ClientSecret are motcua's registration at the provider.
	ClientID, ClientSecret string
	// RedirectURL is motcua's callback, registered at the provider.
	RedirectURL string
	// Scopes requested; "openid" is required. Default: openid profile
	// email phone address.
	Scopes []string
	// IDNumberClaim names the claim carrying the 12-digit personal
	// identification number. Default "id_number".
	IDNumberClaim string
	// UserInfo also reads the userinfo endpoint after the exchange and
	// fills in the claims the ID token lacks, for providers that put only
	// sub in it.
	UserInfo bool
	// HTTPClient talks to the provider: discovery, keys, token and userinfo
	// endpoints. Default: a client with a 30-second timeout.
	HTTPClient *http.Client
	// Clock is the time ID tokens' expiry is checked against. Default: the
	// system clock.
	Clock motcua.Clock
}

// OIDC is motcua as an OpenID Connect relying party: it starts sign-ins
// (Begin) and checks their outcome (Finish). It is safe for concurrent use.
type OIDC struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// NewOIDC validates cfg, fills in its defaults and reads the provider's
// discovery document.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("auth: oidc: issuer, client ID and redirect URL are required")
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || !u.IsAbs() {
		return nil, fmt.Errorf("auth: oidc: redirect URL %q is not an absolute URL", cfg.RedirectURL)
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email", "phone", "address"}
	}
	cfg.Scopes = slices.Clone(cfg.Scopes)
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		return nil, errors.New(`auth: oidc: scopes must include "openid"`)
	}
	if cfg.IDNumberClaim == "" {
		cfg.IDNumberClaim = "id_number"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = motcua.SystemClock{}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTPClient), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: oidc discovery at %s: %w", cfg.Issuer, err)
	}
	return &OIDC{
		cfg:      cfg,
		provider: provider,
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			Endpoint: provider.Endpoint(), RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes,
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Clock.Now}),
	}, nil
}

// OIDCFlow is one sign-in in progress. The caller keeps it where only the
// citizen's browser session can reach it (server side, or in an encrypted
// cookie), sends the browser to URL, and hands it to Finish with the query
// of the callback. State, Nonce and Verifier are secrets.
type OIDCFlow struct {
	State    string // random, 256 bits; binds the callback to the session
	Nonce    string // random, 256 bits; binds the ID token to the session
	Verifier string // PKCE code verifier; its S256 challenge is in URL
	URL      string // the provider's authorization URL
}

// Begin starts a sign-in: fresh state, nonce and PKCE verifier, and the
// authorization URL asking for them.
func (o *OIDC) Begin() (OIDCFlow, error) {
	f := OIDCFlow{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier()}
	f.URL = o.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return f, nil
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// OIDCClaims identify the citizen who signed in. Subject and Issuer
// together are the stable key of the account at the provider. IDNumber
// is the 12-digit personal identification number, empty when the provider
// did not send one. Name and Address are in NFC.
type OIDCClaims struct {
	Subject, Issuer string
	Name            string
	IDNumber        string
	Phone           string
	Email           string
	EmailVerified   bool
	Address         string
}

// Finish checks the callback of the sign-in flow began: the provider's
// error if any, the state, then exchanges the code with the PKCE verifier,
// verifies the ID token (signature by the provider's published keys,
// issuer, audience, authorized party, expiry by the configured clock,
// nonce, access token hash) and returns its claims. Each failure is an
// *OIDCError, which also holds the *motcua.Error to show (see OIDCError).
func (o *OIDC) Finish(ctx context.Context, flow OIDCFlow, query url.Values) (OIDCClaims, error) {
	if e := query["error"]; len(e) > 0 {
		return OIDCClaims{}, providerError(e[0], query.Get("error_description"))
	}
	states, codes := query["state"], query["code"]
	if len(states) != 1 || len(codes) != 1 || codes[0] == "" {
		return OIDCClaims{}, oidcFail(OIDCInvalidRequest, fmt.Errorf("callback has %d state and %d code parameters", len(states), len(codes)))
	}
	if flow.State == "" || flow.Nonce == "" || flow.Verifier == "" {
		return OIDCClaims{}, oidcFail(OIDCStateMismatch, errors.New("no sign-in in progress"))
	}
	if subtle.ConstantTimeCompare([]byte(states[0]), []byte(flow.State)) != 1 {
		return OIDCClaims{}, oidcFail(OIDCStateMismatch, errors.New("state differs from the flow's"))
	}

	ctx = oidc.ClientContext(ctx, o.cfg.HTTPClient)
	token, err := o.oauth.Exchange(ctx, codes[0], oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		return OIDCClaims{}, exchangeError(err)
	}
	raw, _ := token.Extra("id_token").(string)
	if raw == "" {
		return OIDCClaims{}, oidcFail(OIDCInvalidToken, errors.New("token response has no id_token"))
	}
	idToken, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		// An unreachable key set lands here too: go-oidc does not wrap
		// that error.
		return OIDCClaims{}, oidcFail(OIDCInvalidToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(flow.Nonce)) != 1 {
		return OIDCClaims{}, oidcFail(OIDCNonceMismatch, errors.New("ID token nonce differs from the flow's"))
	}
	var azp struct {
		AuthorizedParty string `json:"azp"`
	}
	if err := idToken.Claims(&azp); err != nil {
		return OIDCClaims{}, oidcFail(OIDCInvalidToken, err)
	}
	if (len(idToken.Audience) > 1 || azp.AuthorizedParty != "") && azp.AuthorizedParty != o.cfg.ClientID {
		return OIDCClaims{}, oidcFail(OIDCInvalidToken, fmt.Errorf("ID token authorized party %q is not %q", azp.AuthorizedParty, o.cfg.ClientID))
	}
	if idToken.AccessTokenHash != "" {
		if err := idToken.VerifyAccessToken(token.AccessToken); err != nil {
			return OIDCClaims{}, oidcFail(OIDCInvalidToken, err)
		}
	}
	return o.claims(ctx, idToken, token)
}

// claims reads the ID token's claims, completed from the userinfo endpoint
// when configured, and validates them.
func (o *OIDC) claims(ctx context.Context, idToken *oidc.IDToken, token *oauth2.Token) (OIDCClaims, error) {
	c, err := o.decodeClaims(idToken.Claims)
	if err != nil {
		return OIDCClaims{}, oidcFail(OIDCClaimsInvalid, fmt.Errorf("ID token: %w", err))
	}
	c.Subject, c.Issuer = idToken.Subject, idToken.Issuer
	if o.cfg.UserInfo {
		info, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
		if err != nil {
			return OIDCClaims{}, networkOr(OIDCInvalidToken, fmt.Errorf("userinfo: %w", err))
		}
		if info.Subject != idToken.Subject {
			return OIDCClaims{}, oidcFail(OIDCInvalidToken, fmt.Errorf("userinfo subject %q is not the ID token's %q", info.Subject, idToken.Subject))
		}
		u, err := o.decodeClaims(info.Claims)
		if err != nil {
			return OIDCClaims{}, oidcFail(OIDCClaimsInvalid, fmt.Errorf("userinfo: %w", err))
		}
		c.fill(u)
	}
	switch {
	case c.Subject == "":
		return OIDCClaims{}, oidcFail(OIDCClaimsInvalid, errors.New("no subject"))
	case c.IDNumber != "" && !isIDNumber(c.IDNumber):
		return OIDCClaims{}, oidcFail(OIDCClaimsInvalid, fmt.Errorf("claim %s is not 12 digits", o.cfg.IDNumberClaim))
	}
	return c, nil
}

// decodeClaims reads the claims motcua uses from a JSON object.
func (o *OIDC) decodeClaims(decode func(any) error) (OIDCClaims, error) {
	var std struct {
		Name          string       `json:"name"`
		Phone         string       `json:"phone_number"`
		Email         string       `json:"email"`
		EmailVerified flexibleBool `json:"email_verified"`
		Address       addressClaim `json:"address"`
	}
	if err := decode(&std); err != nil {
		return OIDCClaims{}, err
	}
	var all map[string]json.RawMessage
	if err := decode(&all); err != nil {
		return OIDCClaims{}, err
	}
	var id string
	if v, ok := all[o.cfg.IDNumberClaim]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &id); err != nil {
			return OIDCClaims{}, fmt.Errorf("claim %s is not a string", o.cfg.IDNumberClaim)
		}
	}
	return OIDCClaims{
		Name:          norm.NFC.String(strings.TrimSpace(std.Name)),
		IDNumber:      strings.TrimSpace(id),
		Phone:         strings.TrimSpace(std.Phone),
		Email:         strings.TrimSpace(std.Email),
		EmailVerified: bool(std.EmailVerified),
		Address:       norm.NFC.String(strings.TrimSpace(string(std.Address))),
	}, nil
}

// fill sets c's empty fields from u.
func (c *OIDCClaims) fill(u OIDCClaims) {
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&c.Name, u.Name}, {&c.IDNumber, u.IDNumber}, {&c.Phone, u.Phone}, {&c.Address, u.Address},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if c.Email == "" {
		c.Email, c.EmailVerified = u.Email, u.EmailVerified
	}
}

// isIDNumber reports whether s is a personal identification number: 12
// ASCII digits.
func isIDNumber(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// flexibleBool is a boolean claim some providers send as "true".
type flexibleBool bool

// UnmarshalJSON accepts true, false, "true" and "false".
func (b *flexibleBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true":
		*b = true
	case "false", "null", "":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", data)
	}
	return nil
}

// addressClaim is the address claim: the standard JSON object, whose
// formatted member it keeps (or its parts joined), or a plain string.
type addressClaim string

// UnmarshalJSON accepts a string or an address object.
func (a *addressClaim) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*a = addressClaim(s)
		return nil
	}
	var obj struct {
		Formatted string `json:"formatted"`
		Street    string `json:"street_address"`
		Locality  string `json:"locality"`
		Region    string `json:"region"`
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("address: %w", err)
	}
	if obj.Formatted == "" {
		obj.Formatted = strings.Join(slices.DeleteFunc([]string{obj.Street, obj.Locality, obj.Region},
			func(s string) bool { return s == "" }), ", ")
	}
	*a = addressClaim(obj.Formatted)
	return nil
}

// Reasons of an OIDCError.
const (
	OIDCInvalidRequest = "invalid_request" // the callback lacks state or code, or repeats them
	OIDCStateMismatch  = "state_mismatch"  // the callback is not for this flow, or no flow is in progress
	OIDCProviderError  = "provider_error"  // the provider answered with an error (e.g. access_denied)
	OIDCExchangeFailed = "exchange_failed" // the token endpoint refused the code or could not be reached
	OIDCInvalidToken   = "invalid_token"   // the ID token (or userinfo) failed verification
	OIDCNonceMismatch  = "nonce_mismatch"  // the ID token was issued for another flow
	OIDCClaimsInvalid  = "claims"          // no subject, or a malformed ID number
)

// OIDCError is why a sign-in failed. Reason is one of the OIDC* reason
// constants; ProviderError is the provider's error code when Reason is
// OIDCProviderError ("access_denied" when the citizen cancelled; it comes
// through the browser, so it may be forged, and is cut to 64 bytes); Err is
// the underlying cause, for logs only.
//
// It unwraps to a *motcua.Error that is safe to show, whose Reason is
// "oidc_" + Reason and whose Code is EINVALID for OIDCInvalidRequest,
// EUNAVAILABLE when the provider could not be reached or said it is
// unavailable, else EUNAUTHORIZED; and to Err.
type OIDCError struct {
	Reason        string
	ProviderError string
	Code          string
	Message       string
	Err           error
}

// Error returns the reason and the underlying cause, for logs.
func (e *OIDCError) Error() string {
	s := "auth: oidc sign-in failed: " + e.Reason
	if e.ProviderError != "" {
		s += " " + e.ProviderError
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the *motcua.Error to show and the underlying cause.
func (e *OIDCError) Unwrap() []error {
	public := &motcua.Error{Code: e.Code, Reason: "oidc_" + e.Reason, Message: e.Message}
	if e.Err == nil {
		return []error{public}
	}
	return []error{public, e.Err}
}

// OIDCReason returns the Reason of the *OIDCError in err's chain, or "".
func OIDCReason(err error) string {
	var e *OIDCError
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// oidcFail returns the OIDCError of reason, with its code and message.
func oidcFail(reason string, err error) *OIDCError {
	e := &OIDCError{Reason: reason, Code: motcua.EUNAUTHORIZED, Err: err}
	switch reason {
	case OIDCInvalidRequest:
		e.Code, e.Message = motcua.EINVALID, "The sign-in response is incomplete. Please sign in again."
	case OIDCStateMismatch, OIDCNonceMismatch:
		e.Message = "The sign-in response does not match this sign-in. Please sign in again."
	case OIDCExchangeFailed:
		e.Message = "The identity provider did not confirm the sign-in. Please sign in again."
	case OIDCInvalidToken:
		e.Message = "The identity provider's answer could not be verified. Please sign in again."
	case OIDCClaimsInvalid:
		e.Message = "The identity provider sent incomplete or invalid personal details."
	}
	return e
}

// providerError is the OIDCError for an error the provider sent back.
// The parameters come from the browser, so anyone can forge them: they
// are truncated, and only choose among fixed messages.
func providerError(code, description string) *OIDCError {
	code, description = truncate(code, 64), truncate(description, 256)
	e := oidcFail(OIDCProviderError, fmt.Errorf("provider answered %q: %q", code, description))
	e.ProviderError = code
	switch code {
	case "access_denied":
		e.Message = "The sign-in was cancelled."
	case "temporarily_unavailable":
		e.Code, e.Message = motcua.EUNAVAILABLE, "The identity provider is unavailable. Please try again later."
	default:
		e.Message = "The identity provider refused the sign-in."
	}
	return e
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// exchangeError classifies a failed code exchange: refused by the token
// endpoint, or the endpoint unreachable.
func exchangeError(err error) *OIDCError {
	var refused *oauth2.RetrieveError
	if errors.As(err, &refused) {
		return oidcFail(OIDCExchangeFailed, err)
	}
	return unavailable(OIDCExchangeFailed, err)
}

// networkOr returns an EUNAVAILABLE error when err is a failure to reach
// the provider, else the OIDCError of reason.
func networkOr(reason string, err error) *OIDCError {
	var netErr *url.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return unavailable(reason, err)
	}
	return oidcFail(reason, err)
}

func unavailable(reason string, err error) *OIDCError {
	e := oidcFail(reason, err)
	e.Code, e.Message = motcua.EUNAVAILABLE, "The identity provider cannot be reached. Please try again later."
	return e
}
