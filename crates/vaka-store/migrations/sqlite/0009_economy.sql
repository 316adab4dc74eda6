-- Decisions, placements and money (issue 5): departures stored as found on the day, appeals with
-- the court's ruling, price changes of placements, procurement follow-up, invoices, the waiting
-- list and incidents of the municipality's own housing.
ALTER TABLE decisions ADD COLUMN departs_from_application INTEGER NOT NULL DEFAULT 0;
ALTER TABLE decisions ADD COLUMN departs_from_recommendation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE decisions ADD COLUMN appeal_decided_on TEXT;
CREATE INDEX decisions_departures ON decisions(departs_from_application, departs_from_recommendation);
CREATE INDEX decisions_application ON decisions(application_id);
ALTER TABLE placements ADD COLUMN created_by INTEGER REFERENCES users(id);
ALTER TABLE placements ADD COLUMN ended_at TEXT;
CREATE INDEX placements_provider ON placements(provider_id, start_date);
CREATE INDEX placements_unit ON placements(housing_unit_id);
CREATE INDEX placements_decision ON placements(decision_id);
CREATE TABLE placement_prices (
    id INTEGER PRIMARY KEY,
    placement_id INTEGER NOT NULL REFERENCES placements(id),
    from_date TEXT NOT NULL,
    daily_price_ore INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    UNIQUE (placement_id, from_date)
);
ALTER TABLE providers ADD COLUMN created_by INTEGER REFERENCES users(id);
CREATE UNIQUE INDEX providers_org ON providers(municipality_id, organisation_number);
ALTER TABLE contracts ADD COLUMN methods TEXT NOT NULL DEFAULT '';
ALTER TABLE contracts ADD COLUMN created_at TEXT;
CREATE INDEX contracts_provider ON contracts(provider_id, valid_from);
CREATE TABLE provider_inspections (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    inspected_on TEXT NOT NULL,
    educated_staff_pct INTEGER,
    methods TEXT NOT NULL DEFAULT '',
    sobriety_policy INTEGER,
    reports_results INTEGER,
    note TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX provider_inspections_provider ON provider_inspections(provider_id, inspected_on);
CREATE TABLE invoice_imports (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    imported_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES users(id),
    filename TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    matched INTEGER NOT NULL,
    mismatches TEXT NOT NULL
);
CREATE TABLE invoice_rows (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES invoice_imports(id),
    line INTEGER NOT NULL,
    invoice_number TEXT NOT NULL,
    organisation_number TEXT NOT NULL,
    placement_id INTEGER,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    days INTEGER NOT NULL,
    amount_ore INTEGER NOT NULL
);
CREATE INDEX invoice_rows_placement ON invoice_rows(placement_id, period_start);
ALTER TABLE housing_units ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE housing_units ADD COLUMN contract_months INTEGER;
CREATE TABLE housing_incidents (
    id INTEGER PRIMARY KEY,
    placement_id INTEGER NOT NULL REFERENCES placements(id),
    client_id INTEGER NOT NULL REFERENCES clients(id),
    occurred_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX housing_incidents_placement ON housing_incidents(placement_id);
CREATE TABLE housing_queue (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    kind TEXT NOT NULL,
    added_on TEXT NOT NULL,
    removed_on TEXT,
    removal_reason TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX housing_queue_open ON housing_queue(kind, removed_on);
