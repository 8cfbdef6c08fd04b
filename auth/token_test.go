package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"testing"
)

func TestNewToken(t *testing.T) {
	shape := regexp.MustCompile(`^mss_[a-z2-7]{52}$`)
	seen := map[string]bool{}
	for range 100 {
		tok, hash, err := NewToken(SessionTokenPrefix)
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(tok) {
			t.Fatalf("NewToken() = %q, want mss_ and 52 lower-case base32 characters", tok)
		}
		if seen[tok] {
			t.Fatalf("NewToken() repeated %q", tok)
		}
		seen[tok] = true
		if !EqualHash(hash, HashToken(tok)) {
			t.Fatalf("NewToken() hash %x is not HashToken(%q)", hash, tok)
		}
	}
	if tok, _, _ := NewToken(""); len(tok) != 52 {
		t.Errorf("NewToken(\"\") = %q, want 52 characters", tok)
	}
}

// TestHashTokenMatchesSQLStore pins HashToken to the hash sqlstore keeps
// of staff API tokens: the hexadecimal SHA-256 of the whole token.
func TestHashTokenMatchesSQLStore(t *testing.T) {
	const tok = "mcs_3q2-7wEvxTRQ1bQ4Jt3Q5rJ0aQ9n3WlQ6n1s6m3e6dE"
	sum := sha256.Sum256([]byte(tok))
	if got, want := hex.EncodeToString(HashToken(tok)), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("HashToken = %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(HashToken("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestEqualHash(t *testing.T) {
	a, b := HashToken("mcs_a"), HashToken("mcs_b")
	for _, tc := range []struct {
		name string
		x, y []byte
		want bool
	}{
		{"same", a, HashToken("mcs_a"), true},
		{"different", a, b, false},
		{"prefix", a, a[:16], false},
		{"empty", a, nil, false},
		{"both empty", nil, []byte{}, false},
	} {
		if got := EqualHash(tc.x, tc.y); got != tc.want {
			t.Errorf("%s: EqualHash = %v, want %v", tc.name, got, tc.want)
		}
	}
}
