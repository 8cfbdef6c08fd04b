-- The scan's queue: one row for each due-soon or overdue time still to
-- act on, ordered by that time. A scan takes the rows at the head of the
-- queue and deletes them, so what it changes lies together however
-- scattered the due deadlines are over the deadlines table, which the scan
-- now only reads (the alert's holder, and whether the time taken is still
-- the deadline's). A change of a dossier deletes the rows of the times it
-- replaced and adds those of its new times in its own transaction; a row
-- left behind by a deadline changed in some other way is taken in its
-- turn and emits nothing.
CREATE TABLE deadline_queue (
	at         TEXT NOT NULL,
	dossier_id TEXT NOT NULL,
	task       INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	due_at     TEXT NOT NULL,
	PRIMARY KEY (at, dossier_id, task, kind)
) WITHOUT ROWID;

INSERT INTO deadline_queue (at, dossier_id, task, kind, due_at)
SELECT soon_at, dossier_id, task, 'due_soon', due_at FROM deadlines
WHERE NOT soon_sent AND NOT overdue_sent AND soon_at < due_at;
INSERT INTO deadline_queue (at, dossier_id, task, kind, due_at)
SELECT due_at, dossier_id, task, 'overdue', due_at FROM deadlines
WHERE NOT overdue_sent;

DROP INDEX deadlines_next_at;
ALTER TABLE deadlines DROP COLUMN next_at;
ALTER TABLE deadlines DROP COLUMN soon_sent;
ALTER TABLE deadlines DROP COLUMN overdue_sent;
