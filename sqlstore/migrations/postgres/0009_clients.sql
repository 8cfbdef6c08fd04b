-- API clients: partner systems calling the API with a key. key_hash is
-- the SHA-256 of the key in hexadecimal; the key itself is shown once
-- and stored nowhere. scopes and grants are JSON arrays. rate_limit is
-- in requests per minute, 0 for the default. A revoked client keeps its
-- row, with revoked_at set, and its key no longer works.
CREATE TABLE api_clients (
	id             TEXT COLLATE "C" PRIMARY KEY,
	name           TEXT NOT NULL,
	scopes         TEXT NOT NULL,
	grants         TEXT NOT NULL,
	rate_limit     INTEGER NOT NULL,
	key_hash       TEXT COLLATE "C" NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL,
	updated_at     TIMESTAMPTZ NOT NULL,
	key_rotated_at TIMESTAMPTZ NOT NULL,
	revoked_at     TIMESTAMPTZ
);
-- Every request of a client looks its key up.
CREATE UNIQUE INDEX api_clients_key_hash ON api_clients (key_hash);
