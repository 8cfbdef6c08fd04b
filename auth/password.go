package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"motcua"
)

// Params are the Argon2id parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes (parallelism)
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the parameters of new password hashes: Argon2id
// with 64 MiB, 2 passes and 2 lanes, a 16-byte salt and a 32-byte key.
//
// Measured with golang.org/x/crypto v0.58.0 on the 2-core development
// machine, median of 7 hashes after a warm-up (min–max), idle and then
// with other work using about one core:
//
//	                     idle              loaded
//	m=19 MiB  t=2 p=1   57 ms ( 48– 83)   63 ms ( 59– 89)  OWASP's minimum
//	m=46 MiB  t=1 p=1   87 ms ( 57–140)   85 ms ( 68–149)
//	m=64 MiB  t=1 p=2   68 ms ( 63– 73)  105 ms ( 86–115)
//	m=64 MiB  t=2 p=2  111 ms ( 98–118)  207 ms (166–224)  chosen
//	m=64 MiB  t=3 p=2  150 ms (142–163)  300 ms (253–320)
//	m=64 MiB  t=3 p=1  287 ms (231–323)  285 ms (266–334)
//	m=96 MiB  t=2 p=2  171 ms (163–214)  162 ms (153–283)
//	m=128 MiB t=1 p=2  110 ms (102–114)  241 ms (135–545)
//
// BenchmarkHash measures the chosen set again.
//
// Each running hash holds Memory KiB, so a Hasher that runs n at once
// needs n × 64 MiB.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// Bounds of the parameters ParseHash and Validate accept. They keep a
// forged or corrupted stored hash from costing more than a gigabyte or a
// hundred passes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 100
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
	maxEncoded = 256
)

// Validate reports whether p lies within the bounds auth accepts: memory
// from 8 KiB per lane to 1 GiB, 1 to 100 passes, at least one lane, a salt
// of 8 to 64 bytes and a key of 16 to 64 bytes.
func (p Params) Validate() error {
	if err := p.check(); err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}

func (p Params) check() error {
	switch {
	case p.Threads == 0:
		return errors.New("no lanes")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB not within %d KiB to 1 GiB", p.Memory, 8*uint32(p.Threads))
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%d passes not within 1 to %d", p.Time, maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt of %d bytes not within %d to %d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key of %d bytes not within %d to %d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords with Argon2id, running at most a
// fixed number of hashes at once so that a flood of sign-ins cannot
// exhaust memory. It is safe for concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}
	dummy  []byte // salt of Dummy's hashes
}

// NewHasher returns a Hasher that makes hashes with p and runs at most
// maxConcurrent of them at once (GOMAXPROCS when maxConcurrent < 1).
// It panics when p is not valid: check configured parameters with
// Params.Validate first.
func NewHasher(p Params, maxConcurrent int) *Hasher {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	if maxConcurrent < 1 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	return &Hasher{params: p, sem: make(chan struct{}, maxConcurrent), dummy: make([]byte, p.SaltLen)}
}

// Params returns the parameters of h's new hashes.
func (h *Hasher) Params() Params { return h.params }

// acquire waits for a free slot or for ctx to end.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// key runs Argon2id once a slot is free. The password is put in NFC
// first, so that the same Vietnamese password typed on systems that
// compose diacritics differently gives the same hash.
func (h *Hasher) key(ctx context.Context, password string, p Params, salt []byte) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	return argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// Hash returns the PHC string of password hashed with a new random salt,
// for example $argon2id$v=19$m=65536,t=2,p=2$<salt>$<key>. It waits for a
// free slot until ctx ends.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	key, err := h.key(ctx, password, h.params, salt)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return encodeHash(h.params, salt, key), nil
}

// Verify reports whether password matches the PHC string encoded, and,
// when it does, whether the hash should be replaced by a new one because
// its parameters differ from h's. It returns an error for a malformed
// encoded string or when ctx ends before a slot is free.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	p, salt, want, err := ParseHash(encoded)
	if err != nil {
		return false, false, fmt.Errorf("auth: verify password: %w", err)
	}
	got, err := h.key(ctx, password, p, salt)
	if err != nil {
		return false, false, fmt.Errorf("auth: verify password: %w", err)
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// Dummy costs what a Verify of a hash made by h costs and matches
// nothing. Call it when the account asked for does not exist, so that the
// time of the answer does not tell which accounts do.
func (h *Hasher) Dummy(ctx context.Context, password string) {
	got, err := h.key(ctx, password, h.params, h.dummy)
	if err != nil {
		return
	}
	subtle.ConstantTimeCompare(got, make([]byte, len(got)))
}

// b64 is the base64 of PHC strings: standard alphabet, no padding, and no
// stray bits in the last character, so that every accepted string has
// one encoding.
var b64 = base64.RawStdEncoding.Strict()

func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ParseHash parses a PHC string of Argon2id version 19, as Hasher.Hash
// makes, into its parameters (SaltLen and KeyLen are those of salt and
// key), salt and key. It accepts exactly the strings Hash could make with
// parameters that pass Params.Validate: decimal numbers without leading
// zeros, unpadded canonical base64, nothing else.
func ParseHash(encoded string) (p Params, salt, key []byte, err error) {
	fail := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("auth: parse hash: "+format, args...)
	}
	if len(encoded) > maxEncoded {
		return fail("longer than %d bytes", maxEncoded)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("not a PHC string of 5 parts")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm %q is not argon2id", parts[1])
	}
	if v, ok := strings.CutPrefix(parts[2], "v="); !ok {
		return fail("no version")
	} else if n, ok := parseUint(v, 1000); !ok || n != argon2.Version {
		return fail("version %q is not %d", v, argon2.Version)
	}
	ps := strings.Split(parts[3], ",")
	if len(ps) != 3 {
		return fail("parameters %q are not m,t,p", parts[3])
	}
	var fields [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(ps[i], name)
		if !ok {
			return fail("parameter %d is not %s", i+1, name)
		}
		if fields[i], ok = parseUint(v, maxMemory); !ok {
			return fail("parameter %q is not a number within bounds", ps[i])
		}
	}
	if fields[2] > 255 {
		return fail("%d lanes, more than 255", fields[2])
	}
	if salt, err = decodeB64(parts[4]); err != nil {
		return fail("salt: %w", err)
	}
	if key, err = decodeB64(parts[5]); err != nil {
		return fail("key: %w", err)
	}
	p = Params{Memory: uint32(fields[0]), Time: uint32(fields[1]), Threads: uint8(fields[2]),
		SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.check(); err != nil {
		return fail("%w", err)
	}
	return p, salt, key, nil
}

// decodeB64 decodes s with b64, refusing the line breaks that the
// base64 package skips.
func decodeB64(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, fmt.Errorf("byte %q at %d is not base64", c, i)
		}
	}
	return b64.DecodeString(s)
}

// parseUint parses a decimal number without sign or leading zeros that is
// at most limit.
func parseUint(s string, limit uint64) (uint64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > limit {
			return 0, false
		}
	}
	return n, true
}

// Password length bounds of CheckPassword, in characters (runes of the
// NFC form).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// Password field error reasons.
const (
	reasonTooShort     = motcua.FieldTooShort
	reasonCommon       = motcua.FieldCommon
	reasonContainsName = motcua.FieldContainsName
)

//go:embed common-passwords.txt
var commonPasswords string

// CheckPassword applies the password policy of OWASP ASVS 4 §2.1 to a new
// password: 12 to 128 characters of valid UTF-8, counted in its NFC form,
// with any characters and no composition rules, not one of the embedded
// common passwords, and not containing any of context (the user name, the
// e-mail address or its local part, the full name…) that is at least 4
// characters long. Matching ignores case, Vietnamese diacritics
// (motcua.Fold) and spaces. For an e-mail address in context, its local
// part is checked too. It returns an EINVALID *motcua.Error with one field error
// on "password" whose reason is "too_short", "too_long", "format",
// "common" or "contains_name".
func CheckPassword(password string, context ...string) error {
	var fs motcua.Fields
	switch n := utf8.RuneCountInString(norm.NFC.String(password)); {
	case !utf8.ValidString(password):
		fs.Add("password", motcua.FieldFormat, "the password is not valid UTF-8 text")
	case n < MinPasswordLen:
		fs.Add("password", reasonTooShort, fmt.Sprintf("the password must have at least %d characters", MinPasswordLen))
	case n > MaxPasswordLen:
		fs.Add("password", motcua.FieldTooLong, fmt.Sprintf("the password must have at most %d characters", MaxPasswordLen))
	case isCommonPassword(motcua.Fold(password)) ||
		isCommonPassword(strings.ReplaceAll(motcua.Fold(password), " ", "")):
		fs.Add("password", reasonCommon, "the password is among the most common ones; choose another")
	default:
		if containsContext(strings.ReplaceAll(motcua.Fold(password), " ", ""), context) {
			fs.Add("password", reasonContainsName, "the password must not contain your name, user name or e-mail address")
		}
	}
	return fs.Err()
}

// isCommonPassword reports whether folded is a line of the embedded list.
func isCommonPassword(folded string) bool {
	if folded == "" || strings.ContainsAny(folded, "\r\n") {
		return false
	}
	return strings.Contains("\n"+commonPasswords, "\n"+folded+"\n")
}

// containsContext reports whether folded, a folded password without
// spaces, contains the fold without spaces of one of context, or of the
// local part of an e-mail address among them, of at least 4 characters.
func containsContext(folded string, context []string) bool {
	for _, c := range context {
		candidates := []string{c}
		if local, _, ok := strings.Cut(c, "@"); ok {
			candidates = append(candidates, local)
		}
		for _, s := range candidates {
			f := strings.ReplaceAll(motcua.Fold(s), " ", "")
			if utf8.RuneCountInString(f) >= 4 && strings.Contains(folded, f) {
				return true
			}
		}
	}
	return false
}
