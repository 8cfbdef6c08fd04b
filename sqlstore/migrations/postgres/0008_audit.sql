-- The tamper-evident audit log. Records are numbered from 1 by seq, in
-- the order they are appended, and each carries the hash of the one
-- before it (motcua.AuditRecord.ComputeHash). Rows are never updated or
-- deleted.
CREATE TABLE audit_log (
	seq        BIGINT PRIMARY KEY,
	at         TIMESTAMPTZ NOT NULL,
	actor_kind TEXT NOT NULL,
	actor_id   TEXT COLLATE "C" NOT NULL,
	actor_name TEXT NOT NULL,
	action     TEXT COLLATE "C" NOT NULL,
	object     TEXT COLLATE "C" NOT NULL,
	outcome    TEXT NOT NULL,
	ip         TEXT NOT NULL,
	detail     TEXT NOT NULL,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_object ON audit_log (object, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- audit_head holds, in its one row, the sequence number and hash of the
-- last record, updated in the transaction that appends: appends lock it
-- (SELECT … FOR UPDATE), so processes sharing the database append one at
-- a time, and a log whose tail was deleted no longer ends at the head.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
