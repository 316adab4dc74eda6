-- Failed logins per account ("account:NAME") and per address ("address:IP").
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    blocked_until TEXT NOT NULL
);
