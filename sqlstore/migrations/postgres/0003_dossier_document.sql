-- doc holds the dossier with its events as the API shows it (the JSON of
-- motcua.Dossier), written in the same statement as every change of the
-- row, so that a look-up is one primary-key read passed through as is.
-- Rows written before this migration have none and are encoded on read.
ALTER TABLE dossiers ADD COLUMN doc TEXT;
