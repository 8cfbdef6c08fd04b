-- Local citizen accounts: where no identity provider is configured, a
-- citizen may register with an e-mail address and a password. Such a
-- citizen is a row of citizens with issuer 'local' and the lower-cased
-- e-mail address as subject.

-- password_hash is the encoded Argon2id hash, '' for citizens of an
-- identity provider. email_verified_at is when the address was verified
-- through the e-mailed link, NULL until then.
ALTER TABLE citizens ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE citizens ADD COLUMN email_verified_at TEXT;

-- citizen_tokens are the e-mailed tokens that verify an address, keyed by
-- the SHA-256 of the token (32 bytes); only the e-mail holds the token.
-- A token is used once.
CREATE TABLE citizen_tokens (
	hash       BLOB PRIMARY KEY,
	citizen_id TEXT NOT NULL REFERENCES citizens (id),
	expires_at TEXT NOT NULL,
	used       BOOLEAN NOT NULL DEFAULT FALSE
) WITHOUT ROWID;
-- Replacing a citizen's token at a new registration.
CREATE INDEX citizen_tokens_citizen ON citizen_tokens (citizen_id);
