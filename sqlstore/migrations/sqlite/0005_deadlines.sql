-- Deadlines the scheduler watches and the alerts it emits.
--
-- deadlines holds the open deadlines of each dossier: its overall due time
-- (task 0) and each open task's. It is derived data, rewritten in the
-- transaction of every change of its dossier, so it has no foreign key to
-- dossiers: the key would cost a look-up on every write and add nothing
-- the dossier's transaction does not already guarantee. next_at is when
-- the scan has something to emit next (soon_at, then due_at), NULL once
-- the overdue alert is emitted; the partial index holds only the rows
-- still to be scanned.
CREATE TABLE deadlines (
	dossier_id   TEXT NOT NULL,
	task         INTEGER NOT NULL,
	code         TEXT NOT NULL,
	agency       TEXT NOT NULL,
	unit         TEXT NOT NULL,
	role         TEXT NOT NULL,
	due_at       TEXT NOT NULL,
	soon_at      TEXT NOT NULL,
	next_at      TEXT,
	soon_sent    BOOLEAN NOT NULL DEFAULT FALSE,
	overdue_sent BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (dossier_id, task)
);
CREATE INDEX deadlines_next_at ON deadlines (next_at) WHERE next_at IS NOT NULL;

-- alerts is append-only: rows are never updated or deleted. The unique key
-- lets each deadline (a dossier's task and its due time) have one alert of
-- each kind, however many scans race for it. It leads with the due time so
-- that the alerts of a scan, whose due times are close to one another,
-- land on a few pages of the index rather than one page each, as they
-- would by dossier ID (random) in a table that only grows.
CREATE TABLE alerts (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT NOT NULL,
	dossier_id TEXT NOT NULL,
	code       TEXT NOT NULL,
	task       INTEGER NOT NULL,
	agency     TEXT NOT NULL,
	unit       TEXT NOT NULL,
	role       TEXT NOT NULL,
	due_at     TEXT NOT NULL,
	at         TEXT NOT NULL,
	UNIQUE (due_at, dossier_id, task, kind)
);
CREATE INDEX alerts_agency ON alerts (agency, id);

-- Dossiers open before deadlines were kept get their overall due time,
-- held by the role their status stands for, without a due-soon warning.
INSERT INTO deadlines (dossier_id, task, code, agency, unit, role, due_at, soon_at, next_at)
SELECT id, 0, code, agency_code, unit_code,
	CASE status WHEN 'processing' THEN 'specialist' ELSE 'one_door' END,
	due_at, due_at, due_at
FROM dossiers
WHERE due_at IS NOT NULL AND paused_at IS NULL AND code IS NOT NULL
	AND status IN ('received', 'processing');
