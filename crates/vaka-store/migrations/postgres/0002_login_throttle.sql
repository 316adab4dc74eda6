-- Failed logins per account ("account:NAME") and per address ("address:IP").
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ NOT NULL
);
