-- A list view (the caseload, the client list) is one access-log entry that names every client it
-- showed, instead of one entry per client. `client_ids` holds them as a JSON array, sorted, and is
-- covered by the entry's chain hash; `audit_log_clients` is the index that finds the entries about
-- one client (append-only too; `verify` checks it against `client_ids`).
ALTER TABLE audit_log ADD COLUMN client_ids TEXT NOT NULL DEFAULT '[]';
CREATE TABLE audit_log_clients (
    client_id BIGINT NOT NULL,
    audit_id BIGINT NOT NULL REFERENCES audit_log(id),
    PRIMARY KEY (client_id, audit_id)
);
-- Verification and the auditors' search read it by entry.
CREATE INDEX audit_log_clients_entry ON audit_log_clients(audit_id);
CREATE TRIGGER audit_log_clients_append_only BEFORE UPDATE OR DELETE ON audit_log_clients
    FOR EACH ROW EXECUTE FUNCTION vaka_audit_log_append_only();
CREATE TRIGGER audit_log_clients_no_truncate BEFORE TRUNCATE ON audit_log_clients
    FOR EACH STATEMENT EXECUTE FUNCTION vaka_audit_log_append_only();
