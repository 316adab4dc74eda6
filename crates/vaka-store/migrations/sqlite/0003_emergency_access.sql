-- Emergency access (nödåtkomst): a time-limited right to read one client, given with a reason.
CREATE TABLE emergency_access (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    client_id INTEGER NOT NULL REFERENCES clients(id),
    reason TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX emergency_access_user_client ON emergency_access(user_id, client_id, expires_at);
