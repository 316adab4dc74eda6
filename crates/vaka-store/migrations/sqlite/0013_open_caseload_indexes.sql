-- A case manager's open caseload (clients::caseload, the access rule's "assigned") walks the
-- current assignments to the open cases. Both partial indexes cover what the walk reads, so it
-- needs no table row per assignment or per case (SQLite has no INCLUDE: client_id is a key column).
CREATE INDEX case_assignments_current ON case_assignments (user_id, case_id) WHERE unassigned_on IS NULL;
CREATE INDEX cases_open ON cases (id, client_id) WHERE status = 'open';
