-- Vaka schema, SQLite. Timestamps are RFC 3339 text in UTC, dates ISO text, money integer öre.
CREATE TABLE municipalities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    name TEXT NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    unit_id INTEGER REFERENCES units(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    may_see_protected INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    personal_number TEXT NOT NULL,
    number_kind TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    protection TEXT NOT NULL DEFAULT 'none',
    address TEXT,
    phone TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    UNIQUE (municipality_id, personal_number)
);
CREATE INDEX clients_unit ON clients(unit_id, family_name, given_name);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    origin TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX cases_client ON cases(client_id);
CREATE TABLE case_assignments (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    assigned_on TEXT NOT NULL,
    unassigned_on TEXT,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_assignments_user ON case_assignments(user_id, case_id);
CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    case_id INTEGER REFERENCES cases(id),
    intervention TEXT NOT NULL,
    description TEXT NOT NULL,
    received_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX applications_client ON applications(client_id);
CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    case_id INTEGER REFERENCES cases(id),
    intervention TEXT NOT NULL,
    profession TEXT NOT NULL,
    recommender_name TEXT,
    recommended_on TEXT NOT NULL,
    document_ref TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX recommendations_client ON recommendations(client_id);
CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    name TEXT NOT NULL,
    organisation_number TEXT,
    internal INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    reference TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    required_educated_staff_pct INTEGER,
    sobriety_policy INTEGER NOT NULL DEFAULT 0,
    reports_results INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE contract_prices (
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    intervention TEXT NOT NULL,
    daily_price_ore INTEGER NOT NULL,
    PRIMARY KEY (contract_id, intervention)
);
CREATE TABLE housing_units (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    address TEXT,
    sobriety_required INTEGER NOT NULL DEFAULT 1,
    monthly_cost_ore INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    case_id INTEGER REFERENCES cases(id),
    intervention TEXT NOT NULL,
    outcome TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    provider_id INTEGER REFERENCES providers(id),
    reasons TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    application_id INTEGER REFERENCES applications(id),
    recommendation_id INTEGER REFERENCES recommendations(id),
    departure_from_application TEXT,
    departure_from_recommendation TEXT,
    decided_on TEXT NOT NULL,
    decided_by INTEGER NOT NULL REFERENCES users(id),
    notified_on TEXT,
    appeal_received_on TEXT,
    appeal_outcome TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX decisions_client ON decisions(client_id);
CREATE TABLE placements (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    case_id INTEGER REFERENCES cases(id),
    decision_id INTEGER REFERENCES decisions(id),
    intervention TEXT NOT NULL,
    provider_id INTEGER REFERENCES providers(id),
    housing_unit_id INTEGER REFERENCES housing_units(id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    daily_price_ore INTEGER NOT NULL,
    price_reason TEXT,
    end_reason TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX placements_client ON placements(client_id, start_date);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    case_id INTEGER REFERENCES cases(id),
    author_id INTEGER NOT NULL REFERENCES users(id),
    occurred_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    substance_use TEXT NOT NULL,
    substances TEXT NOT NULL DEFAULT '',
    well_being INTEGER,
    sleep TEXT,
    housing TEXT NOT NULL,
    note TEXT,
    status TEXT NOT NULL,
    signed_at TEXT,
    corrects_id INTEGER REFERENCES contacts(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contacts_client ON contacts(client_id, occurred_at);
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    instrument TEXT NOT NULL,
    answers TEXT NOT NULL,
    total INTEGER NOT NULL,
    administered_on TEXT NOT NULL,
    administered_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX assessments_client ON assessments(client_id, administered_on);
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    placement_id INTEGER REFERENCES placements(id),
    timepoint TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    done_on TEXT,
    missed_reason TEXT,
    days_alcohol_30 INTEGER,
    days_drugs_30 INTEGER,
    housing TEXT,
    occupation TEXT,
    crime_30 INTEGER,
    self_rated_health INTEGER,
    quality_of_life INTEGER,
    asi_ratings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX follow_ups_client ON follow_ups(client_id, due_on);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    client_id INTEGER REFERENCES clients(id),
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    explanation TEXT NOT NULL,
    cause_key TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_to INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by INTEGER REFERENCES users(id),
    resolved_at TEXT,
    resolved_by INTEGER REFERENCES users(id),
    resolution_note TEXT,
    escalated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_client ON alerts(client_id, status);
CREATE UNIQUE INDEX alerts_one_open_per_cause ON alerts(cause_key) WHERE status <> 'resolved';
CREATE TABLE budgets (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    year INTEGER NOT NULL,
    intervention TEXT NOT NULL,
    amount_ore INTEGER NOT NULL,
    UNIQUE (municipality_id, year, intervention)
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    logged_at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    client_id INTEGER,
    case_id INTEGER,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    emergency_reason TEXT,
    address TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_client ON audit_log(client_id);
CREATE INDEX audit_log_user ON audit_log(user_id, logged_at);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
