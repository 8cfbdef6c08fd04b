package oidctest_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"motcua/internal/oidctest"
)

const (
	clientID = "motcua"
	secret   = "s3cret"
	callback = "https://motcua.test/auth/callback"
)

var citizen = oidctest.User{
	Subject: "vneid-0001", Name: "Nguyễn Văn An", IDNumber: "001099012345",
	Phone: "+84912345678", Email: "an@example.vn", EmailVerified: true,
	Address: "12 Phố Huế, Hai Bà Trưng, Hà Nội",
}

// rp is a bare relying party built from the libraries, independent of the
// auth package, so these tests check the provider alone.
type rp struct {
	provider *oidc.Provider
	oauth    oauth2.Config
}

func newRP(t *testing.T, p *oidctest.Provider) *rp {
	t.Helper()
	provider, err := oidc.NewProvider(context.Background(), p.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return &rp{provider: provider, oauth: oauth2.Config{
		ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: callback,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", "phone", "address"},
	}}
}

func start(t *testing.T, opts ...oidctest.Option) (*oidctest.Provider, *rp) {
	t.Helper()
	p := oidctest.Start(t, opts...)
	p.AddClient(clientID, secret, callback)
	p.AddUser(citizen, "an", "pw")
	return p, newRP(t, p)
}

// login signs in and exchanges the code; it returns the raw ID token and
// the token response.
func (r *rp) login(t *testing.T, p *oidctest.Provider, nonce string) (string, *oauth2.Token) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	redirect := p.Login(t, nil, r.oauth.AuthCodeURL("st", oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), "an", "pw")
	if got := redirect.Scheme + "://" + redirect.Host + redirect.Path; got != callback {
		t.Fatalf("redirect to %s, want %s", got, callback)
	}
	if redirect.Query().Get("state") != "st" || redirect.Query().Get("code") == "" {
		t.Fatalf("redirect %s lacks state or code", redirect)
	}
	tok, err := r.oauth.Exchange(context.Background(), redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	return raw, tok
}

func TestLoginIssuesVerifiableToken(t *testing.T) {
	p, r := start(t)
	if !strings.HasPrefix(p.Issuer(), "http://127.0.0.1:") {
		t.Errorf("issuer %s is not on loopback", p.Issuer())
	}
	raw, tok := r.login(t, p, "n1")
	idt, err := r.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
		Phone    string `json:"phone_number"`
		Email    string `json:"email"`
		Address  struct {
			Formatted string `json:"formatted"`
		} `json:"address"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Subject != citizen.Subject || idt.Nonce != "n1" || claims.Name != citizen.Name ||
		claims.IDNumber != citizen.IDNumber || claims.Phone != citizen.Phone ||
		claims.Email != citizen.Email || claims.Address.Formatted != citizen.Address {
		t.Errorf("token %+v claims %+v", idt, claims)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Error(err)
	}
	info, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != citizen.Subject || info.Email != citizen.Email {
		t.Errorf("userinfo %+v, %v", info, err)
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	p, r := start(t)
	verifier := oauth2.GenerateVerifier()
	redirect := p.Login(t, nil, r.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "an", "pw")
	code := redirect.Query().Get("code")
	if _, err := r.oauth.Exchange(context.Background(), code, oauth2.VerifierOption("wrong-"+verifier)); err == nil {
		t.Error("exchange with a wrong PKCE verifier succeeded")
	}
	if _, err := r.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("second exchange of the same code succeeded")
	}
}

func TestLoginRefusals(t *testing.T) {
	p, r := start(t)
	if _, err := p.TryLogin(nil, r.oauth.AuthCodeURL("st"), "an", "wrong"); err == nil ||
		!strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: %v", err)
	}
	denied := p.Deny(t, nil, r.oauth.AuthCodeURL("st"))
	if q := denied.Query(); q.Get("error") != "access_denied" || q.Get("state") != "st" {
		t.Errorf("deny redirected to %s", denied)
	}
	other := r.oauth
	other.RedirectURL = "https://evil.test/cb"
	if u, err := p.TryLogin(nil, other.AuthCodeURL("st"), "an", "pw"); err == nil {
		t.Errorf("unregistered redirect URI: redirected to %s", u)
	}
}

func TestOptions(t *testing.T) {
	ctx := context.Background()
	t.Run("expired", func(t *testing.T) {
		p, r := start(t, oidctest.WithIDTokenLifetime(-time.Minute))
		raw, _ := r.login(t, p, "n")
		_, err := r.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, raw)
		if _, ok := err.(*oidc.TokenExpiredError); !ok {
			t.Errorf("got %v, want an expired token", err)
		}
	})
	t.Run("edit", func(t *testing.T) {
		p, r := start(t, oidctest.WithIDTokenEdit(func(c map[string]any) {
			c["aud"], c["iss"] = "someone-else", "https://elsewhere.test"
		}))
		raw, _ := r.login(t, p, "n")
		idt, err := r.provider.Verifier(&oidc.Config{SkipClientIDCheck: true, SkipIssuerCheck: true}).Verify(ctx, raw)
		if err != nil || len(idt.Audience) != 1 || idt.Audience[0] != "someone-else" ||
			idt.Issuer != "https://elsewhere.test" || idt.Nonce != "n" || idt.Expiry.Before(time.Now()) {
			t.Errorf("token %+v, %v", idt, err)
		}
	})
	t.Run("userinfo only", func(t *testing.T) {
		p, r := start(t, oidctest.WithClaimsInUserinfoOnly())
		raw, tok := r.login(t, p, "n")
		idt, err := r.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		_ = idt.Claims(&claims)
		if idt.Subject != citizen.Subject || claims["name"] != nil || claims["id_number"] != nil {
			t.Errorf("ID token claims %v", claims)
		}
		info, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		_ = info.Claims(&claims)
		if err != nil || claims["id_number"] != citizen.IDNumber {
			t.Errorf("userinfo %v, %v", claims, err)
		}
	})
	t.Run("foreign key", func(t *testing.T) {
		p, r := start(t)
		p.SignWithKeyOf(oidctest.Start(t))
		raw, _ := r.login(t, p, "n")
		_, err := r.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, raw)
		if err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("got %v, want a bad signature", err)
		}
	})
}

func TestLoginPageWithoutRequest(t *testing.T) {
	p := oidctest.Start(t)
	resp, err := p.Client().Get(p.Issuer() + "/login?authRequestID=nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if _, err := url.Parse(p.Issuer()); err != nil {
		t.Error(err)
	}
}
