-- Times are timestamptz (microsecond precision). JSON is TEXT, never jsonb,
-- so event payloads keep their exact bytes. Keys sort bytewise (COLLATE "C")
-- as on SQLite.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE units (
	code        TEXT COLLATE "C" PRIMARY KEY,
	name        TEXT NOT NULL,
	type        TEXT NOT NULL,
	level       INTEGER NOT NULL,
	parent_code TEXT COLLATE "C" REFERENCES units (code)
);
CREATE INDEX units_parent_code ON units (parent_code, code);

CREATE TABLE agencies (
	code      TEXT COLLATE "C" PRIMARY KEY,
	name      TEXT NOT NULL,
	name_en   TEXT NOT NULL,
	kind      TEXT NOT NULL,
	unit_code TEXT COLLATE "C" NOT NULL REFERENCES units (code),
	sample    BOOLEAN NOT NULL
);
CREATE INDEX agencies_unit_code ON agencies (unit_code, code);

CREATE TABLE procedures (
	code               TEXT COLLATE "C" NOT NULL,
	version            INTEGER NOT NULL,
	effective_from     TIMESTAMPTZ NOT NULL,
	name               TEXT NOT NULL,
	name_en            TEXT NOT NULL,
	field              TEXT NOT NULL,
	level              TEXT NOT NULL,
	service_level      INTEGER NOT NULL,
	online             TEXT NOT NULL,
	processing_value   INTEGER NOT NULL,
	processing_unit    TEXT NOT NULL,
	fees               TEXT NOT NULL,
	required_documents TEXT NOT NULL,
	result             TEXT NOT NULL,
	legal_basis        TEXT NOT NULL,
	auto_receive       BOOLEAN NOT NULL,
	sample             BOOLEAN NOT NULL,
	search             TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (code, version)
);
CREATE INDEX procedures_effective_from ON procedures (code, effective_from);

CREATE TABLE procedure_agencies (
	procedure_code    TEXT COLLATE "C" NOT NULL,
	procedure_version INTEGER NOT NULL,
	agency_code       TEXT COLLATE "C" NOT NULL REFERENCES agencies (code),
	PRIMARY KEY (procedure_code, procedure_version, agency_code),
	FOREIGN KEY (procedure_code, procedure_version) REFERENCES procedures (code, version)
);
CREATE INDEX procedure_agencies_agency_code ON procedure_agencies (agency_code);

-- dossier_counters holds the last dossier number of each agency and day
-- (YYYY-MM-DD in Asia/Ho_Chi_Minh).
CREATE TABLE dossier_counters (
	agency_code TEXT COLLATE "C" NOT NULL,
	day         TEXT COLLATE "C" NOT NULL,
	last        INTEGER NOT NULL,
	PRIMARY KEY (agency_code, day)
);

CREATE TABLE dossiers (
	id                TEXT COLLATE "C" PRIMARY KEY,
	code              TEXT COLLATE "C" UNIQUE,
	procedure_code    TEXT COLLATE "C" NOT NULL,
	procedure_version INTEGER NOT NULL,
	agency_code       TEXT COLLATE "C" NOT NULL REFERENCES agencies (code),
	unit_code         TEXT COLLATE "C" NOT NULL REFERENCES units (code),
	channel           TEXT NOT NULL,
	applicant         TEXT NOT NULL,
	form              TEXT NOT NULL,
	attachments       TEXT NOT NULL,
	status            TEXT NOT NULL,
	submitted_at      TIMESTAMPTZ NOT NULL,
	received_at       TIMESTAMPTZ,
	due_at            TIMESTAMPTZ,
	due_explanation   TEXT,
	finished_at       TIMESTAMPTZ,
	returned_at       TIMESTAMPTZ,
	paused_at         TIMESTAMPTZ,
	remaining_us      BIGINT NOT NULL,
	resume_status     TEXT NOT NULL,
	supplement_items  TEXT NOT NULL,
	refusal_reasons   TEXT NOT NULL,
	version           INTEGER NOT NULL,
	head_hash         TEXT NOT NULL,
	FOREIGN KEY (procedure_code, procedure_version) REFERENCES procedures (code, version)
);
CREATE INDEX dossiers_agency_code_status ON dossiers (agency_code, status);

-- dossier_events is append-only: rows are never updated or deleted.
CREATE TABLE dossier_events (
	id          BIGSERIAL PRIMARY KEY,
	dossier_id  TEXT COLLATE "C" NOT NULL REFERENCES dossiers (id),
	seq         INTEGER NOT NULL,
	action      TEXT NOT NULL,
	actor_kind  TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	actor_name  TEXT NOT NULL,
	at          TIMESTAMPTZ NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	payload     TEXT NOT NULL,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL,
	UNIQUE (dossier_id, seq)
);

CREATE TABLE idempotency_keys (
	actor_kind  TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	key         TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	dossier_id  TEXT COLLATE "C" NOT NULL REFERENCES dossiers (id),
	created_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (actor_kind, actor_id, key)
);

CREATE TABLE checkpoints (
	id            BIGINT PRIMARY KEY,
	at            TIMESTAMPTZ NOT NULL,
	last_event_id BIGINT NOT NULL,
	dossiers      INTEGER NOT NULL,
	heads_hash    TEXT NOT NULL,
	prev_hash     TEXT NOT NULL,
	hash          TEXT NOT NULL
);

-- checkpoint_heads holds, for each checkpoint, the heads of the dossiers
-- whose chains grew since the previous one, so that a checkpoint problem
-- names the dossier.
CREATE TABLE checkpoint_heads (
	checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
	dossier_id    TEXT COLLATE "C" NOT NULL,
	seq           INTEGER NOT NULL,
	hash          TEXT NOT NULL,
	PRIMARY KEY (checkpoint_id, dossier_id)
);
