-- Identity: staff members' e-mail, credentials and second factor, the
-- sessions of signed-in browsers, and citizens known through the
-- identity provider.

-- email is stored lower-cased, NULL when the member has none (NULLs do not
-- collide in the unique index). password_hash is the encoded Argon2id
-- hash, '' until a password is set. totp_secret is the raw shared secret
-- of the second factor, NULL until enrolled; totp_step is the last time
-- step whose code was accepted. failures counts the failed sign-ins since
-- the last success, last_failure is the latest.
ALTER TABLE staff ADD COLUMN email TEXT COLLATE "C";
ALTER TABLE staff ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE staff ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN must_change BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE staff ADD COLUMN password_changed_at TIMESTAMPTZ;
ALTER TABLE staff ADD COLUMN totp_secret BYTEA;
ALTER TABLE staff ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN last_failure TIMESTAMPTZ;
CREATE UNIQUE INDEX staff_email ON staff (email);

-- sessions are keyed by the SHA-256 of their token (32 bytes); only the
-- browser's cookie holds the token. subject is the staff or citizen ID
-- of the kind.
CREATE TABLE sessions (
	hash         BYTEA PRIMARY KEY,
	kind         TEXT COLLATE "C" NOT NULL,
	subject      TEXT COLLATE "C" NOT NULL,
	csrf         TEXT NOT NULL,
	mfa          BOOLEAN NOT NULL,
	limited      TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL,
	ip           TEXT NOT NULL,
	user_agent   TEXT NOT NULL
);
-- Signing a subject out everywhere.
CREATE INDEX sessions_subject ON sessions (kind, subject);
-- The purge of expired sessions.
CREATE INDEX sessions_expires ON sessions (expires_at);

-- citizens are the people who signed in through an identity provider,
-- known to the provider issuer as subject; id is ours (128 random bits in
-- lower-case base32).
CREATE TABLE citizens (
	id             TEXT COLLATE "C" PRIMARY KEY,
	issuer         TEXT COLLATE "C" NOT NULL,
	subject        TEXT COLLATE "C" NOT NULL,
	name           TEXT NOT NULL,
	id_number      TEXT COLLATE "C" NOT NULL,
	phone          TEXT NOT NULL,
	email          TEXT NOT NULL,
	email_verified BOOLEAN NOT NULL,
	address        TEXT NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL,
	updated_at     TIMESTAMPTZ NOT NULL,
	UNIQUE (issuer, subject)
);
CREATE INDEX citizens_id_number ON citizens (id_number);
