// Package auth holds the authentication primitives of motcua, as pure
// functions and small types with no storage of their own: password
// hashing with Argon2id behind a concurrency limit (Hasher) and the
// password policy of OWASP ASVS level 2 (CheckPassword); time-based
// one-time passwords of RFC 6238 (VerifyTOTP, TOTPURI); random bearer
// tokens stored only as their SHA-256 (NewToken, HashToken); and the
// policy that slows down repeated failed sign-ins (Lockout). The store
// keeps what these produce; the web layer calls them.
package auth
