-- The legal calendar's data: the officials' days and the units' own weeks,
-- their history, and a revision that every change increments so that each
-- process knows when to rebuild the calendar it caches.

-- official_days holds the days set by officials for a unit and its
-- descendants; day is YYYY-MM-DD.
CREATE TABLE official_days (
	unit_code       TEXT NOT NULL REFERENCES units (code),
	day             TEXT NOT NULL,
	kind            TEXT NOT NULL,
	name            TEXT NOT NULL,
	updated_by_kind TEXT NOT NULL,
	updated_by_id   TEXT NOT NULL,
	updated_by_name TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	PRIMARY KEY (unit_code, day)
);

-- unit_weeks holds the units' own weeks: windows is the JSON of the
-- working windows by weekday (Sunday first), cutoff the intake cut-off in
-- minutes after midnight.
CREATE TABLE unit_weeks (
	unit_code       TEXT PRIMARY KEY REFERENCES units (code),
	windows         TEXT NOT NULL,
	cutoff          INTEGER NOT NULL,
	updated_by_kind TEXT NOT NULL,
	updated_by_id   TEXT NOT NULL,
	updated_by_name TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);

-- calendar_changes is append-only: rows are never updated or deleted.
-- day is NULL for a change of a week; before and after hold the JSON of
-- the day or week ('null' when absent).
CREATE TABLE calendar_changes (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	unit_code  TEXT NOT NULL REFERENCES units (code),
	day        TEXT,
	action     TEXT NOT NULL,
	before     TEXT NOT NULL,
	after      TEXT NOT NULL,
	actor_kind TEXT NOT NULL,
	actor_id   TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	at         TEXT NOT NULL
);
CREATE INDEX calendar_changes_unit_code ON calendar_changes (unit_code, id);

CREATE TABLE calendar_revision (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	revision BIGINT NOT NULL
);
INSERT INTO calendar_revision (id, revision) VALUES (1, 0);
