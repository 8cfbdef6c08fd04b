package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"motcua"
	"motcua/auth"
	"motcua/internal/oidctest"
)

const (
	clientID = "motcua"
	secret   = "client-secret"
	callback = "https://motcua.test/auth/oidc/callback"
)

func citizen() oidctest.User {
	return oidctest.User{
		Subject: "vneid-7f3a", Name: "Nguyễn Thị Bích Ngọc", IDNumber: "079199001234",
		Phone: "+84901234567", Email: "ngoc@example.vn", EmailVerified: true,
		Address: "45 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
	}
}

// setup starts a provider knowing the client and the citizen, and the
// relying party configured for it.
func setup(t *testing.T, u oidctest.User, cfg func(*auth.OIDCConfig), opts ...oidctest.Option) (*oidctest.Provider, *auth.OIDC) {
	t.Helper()
	p := oidctest.Start(t, opts...)
	p.AddClient(clientID, secret, callback)
	p.AddUser(u, "ngoc", "mật-khẩu")
	c := auth.OIDCConfig{Issuer: p.Issuer(), ClientID: clientID, ClientSecret: secret, RedirectURL: callback}
	if cfg != nil {
		cfg(&c)
	}
	o, err := auth.NewOIDC(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return p, o
}

// signIn begins a flow and signs in at the provider; it returns the flow
// and the query of the callback.
func signIn(t *testing.T, p *oidctest.Provider, o *auth.OIDC) (auth.OIDCFlow, url.Values) {
	t.Helper()
	flow, err := o.Begin()
	if err != nil {
		t.Fatal(err)
	}
	redirect := p.Login(t, nil, flow.URL, "ngoc", "mật-khẩu")
	if got := redirect.Scheme + "://" + redirect.Host + redirect.Path; got != callback {
		t.Fatalf("provider redirected to %s, want %s", got, callback)
	}
	return flow, redirect.Query()
}

func TestOIDCSignIn(t *testing.T) {
	want := citizen()
	for _, tc := range []struct {
		name string
		user func(*oidctest.User)
		cfg  func(*auth.OIDCConfig)
		opts []oidctest.Option
		want func(*auth.OIDCClaims)
	}{
		{name: "claims in the ID token"},
		{name: "claims from userinfo", cfg: func(c *auth.OIDCConfig) { c.UserInfo = true },
			opts: []oidctest.Option{oidctest.WithClaimsInUserinfoOnly()}},
		{name: "userinfo not asked", opts: []oidctest.Option{oidctest.WithClaimsInUserinfoOnly()},
			want: func(c *auth.OIDCClaims) { *c = auth.OIDCClaims{Subject: c.Subject, Issuer: c.Issuer} }},
		{name: "name in NFD is returned in NFC", user: func(u *oidctest.User) { u.Name = norm.NFD.String(u.Name) }},
		{name: "no ID number", user: func(u *oidctest.User) { u.IDNumber = "" },
			want: func(c *auth.OIDCClaims) { c.IDNumber = "" }},
		{name: "ID number under another claim", cfg: func(c *auth.OIDCConfig) { c.IDNumberClaim = "cccd" },
			user: func(u *oidctest.User) { u.Claims = map[string]any{"cccd": "001088000111"} },
			want: func(c *auth.OIDCClaims) { c.IDNumber = "001088000111" }},
		{name: "string email_verified and address", opts: []oidctest.Option{oidctest.WithIDTokenEdit(func(c map[string]any) {
			c["email_verified"], c["address"] = "true", "1 Tràng Tiền, Hà Nội"
		})}, want: func(c *auth.OIDCClaims) { c.Address = "1 Tràng Tiền, Hà Nội" }},
		{name: "several audiences, we are the authorized party", opts: []oidctest.Option{oidctest.WithIDTokenEdit(func(c map[string]any) {
			c["aud"] = []string{clientID, "other-app"}
		})}},
		{name: "only the scopes asked", cfg: func(c *auth.OIDCConfig) { c.Scopes = []string{"openid", "profile"} },
			want: func(c *auth.OIDCClaims) { c.Phone, c.Email, c.EmailVerified, c.Address = "", "", false, "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := citizen()
			if tc.user != nil {
				tc.user(&u)
			}
			p, o := setup(t, u, tc.cfg, tc.opts...)
			flow, query := signIn(t, p, o)
			got, err := o.Finish(context.Background(), flow, query)
			if err != nil {
				t.Fatal(err)
			}
			exp := auth.OIDCClaims{
				Subject: want.Subject, Issuer: p.Issuer(), Name: want.Name, IDNumber: want.IDNumber,
				Phone: want.Phone, Email: want.Email, EmailVerified: true, Address: want.Address,
			}
			if tc.want != nil {
				tc.want(&exp)
			}
			if got != exp {
				t.Errorf("claims\n got %+v\nwant %+v", got, exp)
			}
		})
	}
}

func TestOIDCBegin(t *testing.T) {
	_, o := setup(t, citizen(), nil)
	a, err := o.Begin()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := o.Begin()
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || a.State == a.Nonce {
		t.Errorf("flows share secrets: %+v %+v", a, b)
	}
	for _, s := range []string{a.State, a.Nonce} {
		if raw, err := base64.RawURLEncoding.DecodeString(s); err != nil || len(raw) < 16 {
			t.Errorf("%q is not ≥128 random bits", s)
		}
	}
	u, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(a.Verifier))
	q := u.Query()
	for k, v := range map[string]string{
		"response_type": "code", "client_id": clientID, "redirect_uri": callback,
		"scope": "openid profile email phone address", "state": a.State, "nonce": a.Nonce,
		"code_challenge_method": "S256", "code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]),
	} {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if q.Has("code_verifier") || strings.Contains(a.URL, a.Verifier) {
		t.Error("the authorization URL reveals the PKCE verifier")
	}
}

// failingTransport fails the requests to one path, as if the provider
// could not be reached.
type failingTransport struct{ path string }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == f.path {
		return nil, errors.New("connection refused")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestOIDCFinishRefuses(t *testing.T) {
	edit := func(f func(map[string]any)) []oidctest.Option {
		return []oidctest.Option{oidctest.WithIDTokenEdit(f)}
	}
	for _, tc := range []struct {
		name   string
		user   func(*oidctest.User)
		cfg    func(*auth.OIDCConfig)
		opts   []oidctest.Option
		deny   bool
		tamper func(flow *auth.OIDCFlow, q url.Values)
		reason string
		code   string
	}{
		{name: "wrong state", tamper: func(_ *auth.OIDCFlow, q url.Values) { q.Set("state", q.Get("state")+"x") },
			reason: auth.OIDCStateMismatch, code: motcua.EUNAUTHORIZED},
		{name: "flow of another session", tamper: func(f *auth.OIDCFlow, _ url.Values) { f.State = "another-session-state" },
			reason: auth.OIDCStateMismatch, code: motcua.EUNAUTHORIZED},
		{name: "no flow in progress", tamper: func(f *auth.OIDCFlow, _ url.Values) { *f = auth.OIDCFlow{} },
			reason: auth.OIDCStateMismatch, code: motcua.EUNAUTHORIZED},
		{name: "wrong nonce", tamper: func(f *auth.OIDCFlow, _ url.Values) { f.Nonce = "another-nonce" },
			reason: auth.OIDCNonceMismatch, code: motcua.EUNAUTHORIZED},
		{name: "token without nonce", opts: edit(func(c map[string]any) { delete(c, "nonce") }),
			reason: auth.OIDCNonceMismatch, code: motcua.EUNAUTHORIZED},
		{name: "wrong PKCE verifier", tamper: func(f *auth.OIDCFlow, _ url.Values) { f.Verifier = strings.Repeat("v", 43) },
			reason: auth.OIDCExchangeFailed, code: motcua.EUNAUTHORIZED},
		{name: "forged code", tamper: func(_ *auth.OIDCFlow, q url.Values) { q.Set("code", "forged") },
			reason: auth.OIDCExchangeFailed, code: motcua.EUNAUTHORIZED},
		{name: "wrong client secret", cfg: func(c *auth.OIDCConfig) { c.ClientSecret = "guess" },
			reason: auth.OIDCExchangeFailed, code: motcua.EUNAUTHORIZED},
		{name: "token endpoint unreachable",
			cfg: func(c *auth.OIDCConfig) {
				c.HTTPClient = &http.Client{Transport: failingTransport{path: "/oauth/token"}}
			},
			reason: auth.OIDCExchangeFailed, code: motcua.EUNAVAILABLE},
		{name: "token for another audience", opts: edit(func(c map[string]any) { c["aud"], c["azp"] = "other-app", "other-app" }),
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "several audiences, another authorized party",
			opts:   edit(func(c map[string]any) { c["aud"], c["azp"] = []string{clientID, "other-app"}, "other-app" }),
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "several audiences, no authorized party",
			opts:   edit(func(c map[string]any) { c["aud"] = []string{clientID, "other-app"}; delete(c, "azp") }),
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "token of another issuer", opts: edit(func(c map[string]any) { c["iss"] = "https://elsewhere.test" }),
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "expired token", opts: []oidctest.Option{oidctest.WithIDTokenLifetime(-time.Second)},
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "token expired by our clock",
			cfg: func(c *auth.OIDCConfig) {
				c.Clock = motcua.ClockFunc(func() time.Time { return time.Now().Add(6 * time.Minute) })
			},
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "access token hash differs", opts: edit(func(c map[string]any) { c["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" }),
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "userinfo of another subject", cfg: func(c *auth.OIDCConfig) { c.UserInfo = true },
			opts:   edit(func(c map[string]any) { c["sub"] = "someone-else" }),
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "ID number of 11 digits", user: func(u *oidctest.User) { u.IDNumber = "07919900123" },
			reason: auth.OIDCClaimsInvalid, code: motcua.EUNAUTHORIZED},
		{name: "ID number with letters", user: func(u *oidctest.User) { u.IDNumber = "07919900123A" },
			reason: auth.OIDCClaimsInvalid, code: motcua.EUNAUTHORIZED},
		{name: "ID number as a JSON number", opts: edit(func(c map[string]any) { c["id_number"] = json.Number("79199001234") }),
			reason: auth.OIDCClaimsInvalid, code: motcua.EUNAUTHORIZED},
		{name: "no subject", opts: edit(func(c map[string]any) { delete(c, "sub") }),
			reason: auth.OIDCClaimsInvalid, code: motcua.EUNAUTHORIZED},
		{name: "citizen cancels", deny: true, reason: auth.OIDCProviderError, code: motcua.EUNAUTHORIZED},
		{name: "provider error", tamper: func(_ *auth.OIDCFlow, q url.Values) { q.Set("error", "server_error") },
			reason: auth.OIDCProviderError, code: motcua.EUNAUTHORIZED},
		{name: "provider unavailable", tamper: func(_ *auth.OIDCFlow, q url.Values) { q.Set("error", "temporarily_unavailable") },
			reason: auth.OIDCProviderError, code: motcua.EUNAVAILABLE},
		// go-oidc formats the key fetch error with %v, so an unreachable
		// key set cannot be told from a bad signature.
		{name: "keys unreachable",
			cfg: func(c *auth.OIDCConfig) {
				c.HTTPClient = &http.Client{Transport: failingTransport{path: "/keys"}}
			},
			reason: auth.OIDCInvalidToken, code: motcua.EUNAUTHORIZED},
		{name: "empty query", tamper: func(_ *auth.OIDCFlow, q url.Values) { clear(q) },
			reason: auth.OIDCInvalidRequest, code: motcua.EINVALID},
		{name: "no code", tamper: func(_ *auth.OIDCFlow, q url.Values) { q.Del("code") },
			reason: auth.OIDCInvalidRequest, code: motcua.EINVALID},
		{name: "two codes", tamper: func(_ *auth.OIDCFlow, q url.Values) { q.Add("code", "other") },
			reason: auth.OIDCInvalidRequest, code: motcua.EINVALID},
		{name: "two states", tamper: func(_ *auth.OIDCFlow, q url.Values) { q.Add("state", q.Get("state")) },
			reason: auth.OIDCInvalidRequest, code: motcua.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := citizen()
			if tc.user != nil {
				tc.user(&u)
			}
			p, o := setup(t, u, tc.cfg, tc.opts...)
			var flow auth.OIDCFlow
			var query url.Values
			if tc.deny {
				var err error
				if flow, err = o.Begin(); err != nil {
					t.Fatal(err)
				}
				query = p.Deny(t, nil, flow.URL).Query()
			} else {
				flow, query = signIn(t, p, o)
			}
			if tc.tamper != nil {
				tc.tamper(&flow, query)
			}
			claims, err := o.Finish(context.Background(), flow, query)
			checkRefusal(t, claims, err, tc.reason, tc.code)
		})
	}
}

// checkRefusal checks that err is an OIDCError of reason unwrapping to a
// *motcua.Error of code, and that no claims came with it.
func checkRefusal(t *testing.T, claims auth.OIDCClaims, err error, reason, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Finish succeeded with %+v", claims)
	}
	t.Log(err)
	if claims != (auth.OIDCClaims{}) {
		t.Errorf("claims %+v returned with an error", claims)
	}
	var oe *auth.OIDCError
	if !errors.As(err, &oe) || oe.Reason != reason || auth.OIDCReason(err) != reason {
		t.Errorf("error %v: want reason %s", err, reason)
	}
	var pub *motcua.Error
	if !errors.As(err, &pub) || pub.Code != code || pub.Reason != "oidc_"+reason || pub.Message == "" {
		t.Errorf("error %v: public error %+v, want code %s", err, pub, code)
	}
	if motcua.ErrorCode(err) != code {
		t.Errorf("ErrorCode = %s, want %s", motcua.ErrorCode(err), code)
	}
}

func TestOIDCProviderErrorNamesIt(t *testing.T) {
	p, o := setup(t, citizen(), nil)
	flow, _ := o.Begin()
	_, err := o.Finish(context.Background(), flow, p.Deny(t, nil, flow.URL).Query())
	var oe *auth.OIDCError
	if !errors.As(err, &oe) || oe.ProviderError != "access_denied" {
		t.Fatalf("got %v, want access_denied", err)
	}
	if msg := motcua.ErrorMessage(err); msg != "The sign-in was cancelled." {
		t.Errorf("message %q", msg)
	}
}

func TestOIDCReplayedCode(t *testing.T) {
	p, o := setup(t, citizen(), nil)
	flow, query := signIn(t, p, o)
	if _, err := o.Finish(context.Background(), flow, query); err != nil {
		t.Fatal(err)
	}
	claims, err := o.Finish(context.Background(), flow, query)
	checkRefusal(t, claims, err, auth.OIDCExchangeFailed, motcua.EUNAUTHORIZED)
}

// TestOIDCOtherClient finishes a flow begun by one client with another
// client registered at the same provider: the code is not theirs.
func TestOIDCOtherClient(t *testing.T) {
	p, a := setup(t, citizen(), nil)
	p.AddClient("other-app", "other-secret", callback)
	b, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{
		Issuer: p.Issuer(), ClientID: "other-app", ClientSecret: "other-secret", RedirectURL: callback,
	})
	if err != nil {
		t.Fatal(err)
	}
	flow, query := signIn(t, p, a)
	claims, err := b.Finish(context.Background(), flow, query)
	checkRefusal(t, claims, err, auth.OIDCExchangeFailed, motcua.EUNAUTHORIZED)
	if _, err := a.Finish(context.Background(), flow, query); err != nil {
		t.Errorf("the rightful client failed after the attempt: %v", err)
	}
}

// TestOIDCForeignSignature has the provider sign with another provider's
// key under its own key ID.
func TestOIDCForeignSignature(t *testing.T) {
	p, o := setup(t, citizen(), nil)
	p.SignWithKeyOf(oidctest.Start(t))
	flow, query := signIn(t, p, o)
	claims, err := o.Finish(context.Background(), flow, query)
	checkRefusal(t, claims, err, auth.OIDCInvalidToken, motcua.EUNAUTHORIZED)
	if !strings.Contains(err.Error(), "signature") {
		t.Errorf("error %v does not name the signature", err)
	}
}

func TestNewOIDC(t *testing.T) {
	p := oidctest.Start(t)
	ok := auth.OIDCConfig{Issuer: p.Issuer(), ClientID: clientID, ClientSecret: secret, RedirectURL: callback}
	for _, tc := range []struct {
		name string
		edit func(*auth.OIDCConfig)
	}{
		{"no issuer", func(c *auth.OIDCConfig) { c.Issuer = "" }},
		{"no client ID", func(c *auth.OIDCConfig) { c.ClientID = "" }},
		{"relative redirect URL", func(c *auth.OIDCConfig) { c.RedirectURL = "/auth/callback" }},
		{"no openid scope", func(c *auth.OIDCConfig) { c.Scopes = []string{"profile"} }},
		{"issuer differs from discovery", func(c *auth.OIDCConfig) { c.Issuer = strings.Replace(c.Issuer, "127.0.0.1", "localhost", 1) }},
		{"no provider", func(c *auth.OIDCConfig) { c.Issuer = "http://127.0.0.1:1" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			if _, err := auth.NewOIDC(context.Background(), c); err == nil || !strings.HasPrefix(err.Error(), "auth: oidc") {
				t.Errorf("got %v, want an auth: oidc error", err)
			}
		})
	}
	if _, err := auth.NewOIDC(context.Background(), ok); err != nil {
		t.Error(err)
	}
}
