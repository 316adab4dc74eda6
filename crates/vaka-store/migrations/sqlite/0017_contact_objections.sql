-- The person's objection to a signed journal entry (SoL 11 kap. 6 §), recorded beside the entry,
-- which is never changed. Rows are only ever inserted.
CREATE TABLE contact_objections (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    statement TEXT NOT NULL,
    received_on TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX contact_objections_client ON contact_objections(client_id, contact_id);
