package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
)

// Token prefixes, so that a leaked token is recognisable (secret
// scanners) and a token of one kind is not taken for another.
const (
	SessionTokenPrefix = "mss_" // sessions (cookies)
	APIKeyPrefix       = "mck_" // API keys of partner systems
)

// tokenBytes is the entropy of a token: 256 bits.
const tokenBytes = 32

// tokenEncoding is lower-case base32 without padding: 52 characters for
// 32 bytes, safe in URLs, headers and cookies.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a new bearer token, prefix followed by 32 random bytes
// in lower-case base32 without padding, and its hash (HashToken), which
// is all the store keeps.
func NewToken(prefix string) (token string, hash []byte, err error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("auth: new token: %w", err)
	}
	token = prefix + tokenEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of the whole token, prefix included. A
// token has 256 random bits, so a fast unsalted hash is enough to keep a
// stolen table of hashes useless. Its hexadecimal form is what sqlstore
// stores for staff API tokens.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// EqualHash reports in constant time whether a and b are the same
// non-empty hash. Only their lengths may leak through timing.
func EqualHash(a, b []byte) bool {
	return len(a) > 0 && subtle.ConstantTimeCompare(a, b) == 1
}
