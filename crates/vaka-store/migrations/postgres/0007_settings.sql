-- Per-municipality settings (alert thresholds and the like) as checked key–value pairs.
CREATE TABLE settings (
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    PRIMARY KEY (municipality_id, key)
);
CREATE INDEX placements_end ON placements(client_id, end_date);
CREATE INDEX follow_ups_due ON follow_ups(client_id, status, due_on);
