// Package oidctest runs a real OpenID Connect provider on loopback inside
// a test process, built on github.com/zitadel/oidc/v3/pkg/op with an
// in-memory storage of its own: discovery, the authorization code flow
// with PKCE, signed ID tokens, the userinfo endpoint and a login form that
// tests fill in without a browser (Provider.Login). Options and methods
// make it misbehave for negative tests: expired tokens, claims edited
// after the fact (another audience, issuer, nonce...), tokens signed with
// another provider's key, the citizen declining (Provider.Deny).
package oidctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	loginPath      = "/login"
	requestIDParam = "authRequestID"
)

// IDNumberClaim is the name of the claim carrying the citizen's 12-digit
// personal identification number.
const IDNumberClaim = "id_number"

// User is a citizen known to the provider. With the profile scope its ID
// tokens carry Name and IDNumber (claim "id_number"); with email, Email and
// EmailVerified; with phone, Phone ("phone_number"); with address,
// Address as the formatted address. Claims are added to every token as
// they are, for tests that need odd values.
type User struct {
	Subject       string
	Name          string
	IDNumber      string
	Phone         string
	Email         string
	EmailVerified bool
	Address       string
	Claims        map[string]any
}

// Option changes how a provider started by Start behaves.
type Option func(*settings)

// WithIDTokenLifetime sets how long ID tokens are valid (5 minutes by
// default). A negative lifetime issues tokens that have already expired.
func WithIDTokenLifetime(d time.Duration) Option {
	return func(s *settings) { s.idTokenLifetime = d }
}

// WithIDTokenEdit makes the token endpoint pass the claims of every ID
// token it issues to edit, then sign the edited claims again with the
// provider's signing key: a provider that means what it signs but says
// something else, for tests of what a client must refuse (another
// audience, issuer or authorized party, no nonce, no subject...). Numbers
// in claims are json.Number.
func WithIDTokenEdit(edit func(claims map[string]any)) Option {
	return func(s *settings) { s.editIDToken = edit }
}

// WithClaimsInUserinfoOnly keeps the user's claims out of the ID token,
// which then carries only sub: clients read them from the userinfo
// endpoint, as many providers require.
func WithClaimsInUserinfoOnly() Option {
	return func(s *settings) { s.userinfoOnly = true }
}

// Provider is an OpenID Connect provider serving on 127.0.0.1 over plain
// HTTP; its issuer is the server's URL. It is safe for concurrent use.
type Provider struct {
	srv     *httptest.Server
	op      *op.Provider
	storage *storage
	issuer  *url.URL
	page    *template.Template // the login form
}

// Start starts a provider and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	s := settings{idTokenLifetime: 5 * time.Minute}
	for _, o := range opts {
		o(&s)
	}
	st, err := newStorage(s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	p := &Provider{srv: srv, storage: st, page: template.Must(template.New("login").Parse(loginPage))}
	if p.issuer, err = url.Parse(issuer); err != nil {
		t.Fatal(err)
	}
	config := &op.Config{
		CodeMethodS256:  true,
		AuthMethodPost:  true,
		SupportedClaims: append(slices.Clone(op.DefaultSupportedClaims), IDNumberClaim, "address"),
		SupportedScopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopePhone, oidc.ScopeAddress},
	}
	rand.Read(config.CryptoKey[:])
	// Plain HTTP is fine on loopback; zitadel refuses it without this.
	p.op, err = op.NewProvider(config, st, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		srv.Close()
		t.Fatalf("oidctest: new provider: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(loginPath, op.NewIssuerInterceptor(p.op.IssuerFromRequest).HandlerFunc(p.serveLogin))
	mux.Handle("/", p.editIDTokens(p.op))
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// Issuer returns the provider's issuer URL, http://127.0.0.1:port.
func (p *Provider) Issuer() string { return p.issuer.String() }

// Client returns an HTTP client for the provider's server.
func (p *Provider) Client() *http.Client { return p.srv.Client() }

// AddClient registers a confidential client using the authorization code
// flow, authenticating with its secret.
func (p *Provider) AddClient(id, secret string, redirectURIs ...string) {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	p.storage.clients[id] = &client{
		id: id, secret: secret, redirectURIs: slices.Clone(redirectURIs),
		idTokenLifetime: p.storage.settings.idTokenLifetime,
		userinfoOnly:    p.storage.settings.userinfoOnly,
	}
}

// AddUser registers a citizen who signs in with username and password.
func (p *Provider) AddUser(u User, username, password string) {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	p.storage.users[username] = &account{user: u, password: password}
}

// SignWithKeyOf makes p sign the tokens it issues from now on with other's
// private key, still naming p's own key ID in their header, so that a
// client trusting p's published keys must find the signature wrong.
func (p *Provider) SignWithKeyOf(other *Provider) {
	other.storage.mu.Lock()
	key := other.storage.key
	other.storage.mu.Unlock()
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	p.storage.signer = key
}

// Login completes an authorization request as a browser would: it opens
// authURL with client (nil for the provider's own), posts the login form
// with username and password, and returns the provider's redirect to the
// client's callback, with code and state, without following it. It fails
// the test when the sign-in does not reach the callback.
func (p *Provider) Login(t testing.TB, client *http.Client, authURL, username, password string) *url.URL {
	t.Helper()
	u, err := p.TryLogin(client, authURL, username, password)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TryLogin is Login returning its error instead of failing the test, for
// instance for a wrong password.
func (p *Provider) TryLogin(client *http.Client, authURL, username, password string) (*url.URL, error) {
	return p.authorize(client, authURL, url.Values{"username": {username}, "password": {password}})
}

// Deny opens authURL and declines the sign-in on the login form; it
// returns the redirect to the client's callback carrying
// error=access_denied.
func (p *Provider) Deny(t testing.TB, client *http.Client, authURL string) *url.URL {
	t.Helper()
	u, err := p.authorize(client, authURL, url.Values{"action": {"deny"}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authorize walks the provider's pages from authURL, posting form on the
// login page, and returns the first redirect leaving the provider.
func (p *Provider) authorize(hc *http.Client, authURL string, form url.Values) (*url.URL, error) {
	if hc == nil {
		hc = p.srv.Client()
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	next, err := p.step(&c, http.MethodGet, authURL, nil)
	if err != nil || !p.own(next) {
		return next, err // an error, or the provider refusing the request
	}
	if next.Path != loginPath {
		return nil, fmt.Errorf("oidctest: authorize redirected to %s, not to the login page", next)
	}
	if page, err := p.step(&c, http.MethodGet, next.String(), nil); err != nil || page != nil {
		return nil, fmt.Errorf("oidctest: login page: redirect %v, error %v", page, err)
	}
	form.Set(requestIDParam, next.Query().Get(requestIDParam))
	next, err = p.step(&c, http.MethodPost, next.String(), form)
	for i := 0; err == nil && next != nil && p.own(next); i++ {
		if i == 5 {
			return nil, fmt.Errorf("oidctest: too many redirects within the provider, at %s", next)
		}
		next, err = p.step(&c, http.MethodGet, next.String(), nil)
	}
	if err == nil && next == nil {
		err = errors.New("oidctest: the provider stopped at a page instead of redirecting")
	}
	return next, err
}

// step sends one request and returns the absolute URL of the redirect that
// answers it, nil for a 200 answer; other answers are errors.
func (p *Provider) step(c *http.Client, method, target string, form url.Values) (*url.URL, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return nil, fmt.Errorf("oidctest: %s %s: %w", method, target, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidctest: %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		u, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("oidctest: %s %s: %w", method, target, err)
		}
		return u, nil
	case resp.StatusCode == http.StatusOK:
		return nil, nil
	default:
		return nil, fmt.Errorf("oidctest: %s %s: %s: %s", method, target, resp.Status, strings.TrimSpace(string(page)))
	}
}

// editIDTokens applies the WithIDTokenEdit option to the answers of the
// token endpoint.
func (p *Provider) editIDTokens(next http.Handler) http.Handler {
	edit := p.storage.settings.editIDToken
	if edit == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != p.op.TokenEndpoint().Relative() {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			var err error
			if body, err = p.editTokenResponse(r.Context(), body, edit); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// editTokenResponse edits and signs again the ID token of a token
// response.
func (p *Provider) editTokenResponse(ctx context.Context, body []byte, edit func(map[string]any)) ([]byte, error) {
	var resp map[string]any
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("oidctest: token response: %w", err)
	}
	raw, _ := resp["id_token"].(string)
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("oidctest: ID token: %w", err)
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(jws.UnsafePayloadWithoutVerification()))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, fmt.Errorf("oidctest: ID token claims: %w", err)
	}
	edit(claims)
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("oidctest: ID token claims: %w", err)
	}
	key, err := p.storage.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	signer, err := op.SignerFromKey(key)
	if err != nil {
		return nil, err
	}
	signed, err := signer.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("oidctest: sign ID token: %w", err)
	}
	if resp["id_token"], err = signed.CompactSerialize(); err != nil {
		return nil, fmt.Errorf("oidctest: sign ID token: %w", err)
	}
	return json.Marshal(resp)
}

// own reports whether u is on the provider's server.
func (p *Provider) own(u *url.URL) bool {
	return u.Scheme == p.issuer.Scheme && u.Host == p.issuer.Host
}

const loginPage = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Sign in</title>
<form method="post" action="/login">
<input type="hidden" name="authRequestID" value="{{.ID}}">
{{with .Problem}}<p role="alert">{{.}}</p>{{end}}
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button name="action" value="login">Sign in</button>
<button name="action" value="deny">Cancel</button>
</form></html>
`

// serveLogin shows the login form (GET) and handles its submission
// (POST): a wrong password shows the form again with 401, "deny" sends
// access_denied to the client, success goes on to the provider's callback.
func (p *Provider) serveLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := r.Form.Get(requestIDParam)
	req, err := p.storage.AuthRequestByID(r.Context(), id)
	if err != nil {
		http.Error(w, "unknown authorization request", http.StatusBadRequest)
		return
	}
	page, status := struct{ ID, Problem string }{ID: id}, http.StatusOK
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		if r.PostForm.Get("action") == "deny" {
			op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("The user declined to sign in."), p.op)
			return
		}
		if err := p.storage.login(id, r.PostForm.Get("username"), r.PostForm.Get("password")); err == nil {
			http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
			return
		}
		status, page.Problem = http.StatusUnauthorized, "Wrong username or password."
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = p.page.Execute(w, page)
}
