-- Processes (quy trình nội bộ) as versioned definitions, the process each
-- dossier pins with its tasks, and staff members with their roles.

-- processes holds every version of every process; definition is the JSON
-- of motcua.Process. Rows are never updated: a change is a new version.
CREATE TABLE processes (
	code            TEXT NOT NULL,
	version         INTEGER NOT NULL,
	procedure_code  TEXT NOT NULL,
	effective_from  TEXT NOT NULL,
	definition      TEXT NOT NULL,
	created_by_kind TEXT NOT NULL,
	created_by_id   TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	PRIMARY KEY (code, version)
);
CREATE INDEX processes_procedure ON processes (procedure_code, effective_from);

-- A dossier's process and its flow: the JSON of its tasks, pauses,
-- extension and awaited payment. Dossiers created before processes have
-- none and follow the default process.
ALTER TABLE dossiers ADD COLUMN process_code TEXT NOT NULL DEFAULT '';
ALTER TABLE dossiers ADD COLUMN process_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN flow TEXT NOT NULL DEFAULT '{}';

-- staff holds officers and their grants (the JSON of []motcua.Grant);
-- token_hash is the SHA-256 of their API token, shown once.
CREATE TABLE staff (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	grants     TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- The dossier register (Form 07) lists an agency's dossiers by receipt.
CREATE INDEX dossiers_agency_received ON dossiers (agency_code, received_at);
