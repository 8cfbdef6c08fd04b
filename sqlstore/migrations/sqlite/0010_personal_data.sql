-- Personal data (Decree 13/2023/NĐ-CP): finding a person's dossiers for
-- their download, and the retention purge.

-- applicant_id_number is the applicant's identification number, derived
-- from the applicant's JSON by the database itself, so that every way a
-- dossier is written keeps it; NULL for applicants without one. Virtual:
-- computed on read, stored only in its index.
ALTER TABLE dossiers ADD COLUMN applicant_id_number TEXT
	GENERATED ALWAYS AS (json_extract(applicant, '$.id_number')) VIRTUAL;
CREATE INDEX dossiers_applicant_id_number ON dossiers (applicant_id_number, submitted_at)
	WHERE applicant_id_number IS NOT NULL;

-- anonymised_at is when a citizen inactive past the retention period was
-- anonymised: the profile keeps its ID, issuer and times, the rest is
-- emptied and the subject replaced by a random value.
ALTER TABLE citizens ADD COLUMN anonymised_at TEXT;
-- The purge looks for profiles not used since a time.
CREATE INDEX citizens_updated_at ON citizens (updated_at) WHERE anonymised_at IS NULL;

-- The purge deletes idempotency keys and alerts by age: alerts stay
-- append-only but for the purge of those past their retention period.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
CREATE INDEX alerts_at ON alerts (at);
