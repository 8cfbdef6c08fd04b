-- Lighter writes of dossiers. No query reads dossiers by agency and
-- status, and because an action changes the status, that index cost every
-- action an entry removed and another written.
DROP INDEX dossiers_agency_code_status;
