-- An auditor's review of one access-log entry. Kept apart: the log itself is append-only.
CREATE TABLE audit_reviews (
    audit_id BIGINT PRIMARY KEY REFERENCES audit_log(id),
    reviewed_by BIGINT NOT NULL REFERENCES users(id),
    reviewed_at TIMESTAMPTZ NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log(logged_at);
