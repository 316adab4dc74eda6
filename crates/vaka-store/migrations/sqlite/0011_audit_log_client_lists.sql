-- A list view (the caseload, the client list) is one access-log entry that names every client it
-- showed, instead of one entry per client. `client_ids` holds them as a JSON array, sorted, and is
-- covered by the entry's chain hash; `audit_log_clients` is the index that finds the entries about
-- one client (append-only too; `verify` checks it against `client_ids`).
ALTER TABLE audit_log ADD COLUMN client_ids TEXT NOT NULL DEFAULT '[]';
CREATE TABLE audit_log_clients (
    client_id INTEGER NOT NULL,
    audit_id INTEGER NOT NULL REFERENCES audit_log(id),
    PRIMARY KEY (client_id, audit_id)
) WITHOUT ROWID;
-- Verification and the auditors' search read it by entry.
CREATE INDEX audit_log_clients_entry ON audit_log_clients(audit_id);
CREATE TRIGGER audit_log_clients_no_update BEFORE UPDATE ON audit_log_clients
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER audit_log_clients_no_delete BEFORE DELETE ON audit_log_clients
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
