package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters (RFC 6238 defaults, which authenticator apps assume).
const (
	TOTPDigits    = 6
	TOTPPeriod    = 30 * time.Second
	totpSecretLen = 20 // bytes: the HMAC-SHA1 block of RFC 4226 §4 R6
	maxCodeInput  = 32 // bytes of a code as typed, spaces included
)

// NewTOTPSecret returns a new random TOTP secret of 20 bytes (160 bits).
func NewTOTPSecret() ([]byte, error) {
	secret := make([]byte, totpSecretLen)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("auth: new totp secret: %w", err)
	}
	return secret, nil
}

// totpStep returns the number of whole periods between the Unix epoch and t.
func totpStep(t time.Time) int64 {
	s := t.Unix()
	period := int64(TOTPPeriod / time.Second)
	if s < 0 {
		return (s - period + 1) / period
	}
	return s / period
}

// hotp returns the HOTP value of RFC 4226 §5.3 for secret and counter,
// with digits decimal digits (at most 9).
func hotp(secret []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPCode returns the 6-digit code of secret at time t (HMAC-SHA1,
// 30-second steps from the Unix epoch).
func TOTPCode(secret []byte, t time.Time) string {
	return hotp(secret, uint64(totpStep(t)), TOTPDigits)
}

// VerifyTOTP reports whether code is the code of secret in the step of
// now or the one before or after it (clock drift of up to 30 s), and
// returns that step. Steps not after lastStep are refused, so a code is
// accepted once: store the step returned as the next lastStep (0 for a
// new secret). code must be 6 ASCII digits; spaces in it are ignored. An
// empty secret matches nothing. The step is 0 when ok is false.
func VerifyTOTP(secret []byte, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	if len(secret) == 0 || len(code) > maxCodeInput {
		return 0, false
	}
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != TOTPDigits {
		return 0, false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0, false
		}
	}
	cur := totpStep(now)
	// Every candidate is computed and compared, so the time taken does not
	// depend on which one matches; the latest match wins.
	for s := cur - 1; s <= cur+1; s++ {
		match := subtle.ConstantTimeCompare([]byte(hotp(secret, uint64(s), TOTPDigits)), []byte(code)) == 1
		if match && s > lastStep {
			step, ok = s, true
		}
	}
	return step, ok
}

// b32 is the base32 of otpauth URIs: upper case, no padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPURI returns the otpauth:// URI that authenticator apps read (from a
// QR code) to add secret: otpauth://totp/Issuer:account?secret=…&issuer=…
// with the secret in base32 without padding and the algorithm, digits and
// period stated. The issuer is left out when empty.
func TOTPURI(issuer, account string, secret []byte) string {
	label := uriEscape(account)
	q := "secret=" + b32.EncodeToString(secret)
	if issuer != "" {
		label = uriEscape(issuer) + ":" + label
		q += "&issuer=" + uriEscape(issuer)
	}
	q += fmt.Sprintf("&algorithm=SHA1&digits=%d&period=%d", TOTPDigits, int(TOTPPeriod/time.Second))
	return "otpauth://totp/" + label + "?" + q
}

// uriEscape percent-encodes s for a label or a query value of an
// otpauth URI: spaces as %20 (not +), colons and ampersands encoded, at
// signs kept as apps show them.
func uriEscape(s string) string {
	s = strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
	return strings.ReplaceAll(s, "%40", "@")
}
