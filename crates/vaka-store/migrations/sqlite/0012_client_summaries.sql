-- A per-client summary for the caseload: the latest signed contact (its use, well-being and
-- housing) and the open alerts counted by severity, so that a caseload is one index probe per
-- client instead of five. Derived data: kept by the triggers below in the same transaction as
-- every contact and alert change (so bulk loads, corrections, retention and a restore keep it
-- right without each write path knowing), left out of backups, and built here from what exists.
CREATE TABLE client_summaries (
    client_id INTEGER PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    last_contact_id INTEGER,
    last_contact_at TEXT,
    last_substance_use TEXT,
    last_well_being INTEGER,
    last_housing TEXT,
    open_high INTEGER NOT NULL DEFAULT 0,
    open_medium INTEGER NOT NULL DEFAULT 0,
    open_low INTEGER NOT NULL DEFAULT 0
);

-- A signed contact becomes the latest when it is later (occurred_at, then id) than the one held.
CREATE TRIGGER client_summaries_contact_insert AFTER INSERT ON contacts
WHEN NEW.status = 'signed'
BEGIN
    INSERT INTO client_summaries (client_id, last_contact_id, last_contact_at, last_substance_use, last_well_being, last_housing)
    VALUES (NEW.client_id, NEW.id, NEW.occurred_at, NEW.substance_use, NEW.well_being, NEW.housing)
    ON CONFLICT (client_id) DO UPDATE SET
        last_contact_id = excluded.last_contact_id, last_contact_at = excluded.last_contact_at,
        last_substance_use = excluded.last_substance_use, last_well_being = excluded.last_well_being,
        last_housing = excluded.last_housing
    WHERE client_summaries.last_contact_id IS NULL
       OR (excluded.last_contact_at, excluded.last_contact_id) > (client_summaries.last_contact_at, client_summaries.last_contact_id);
END;
-- A draft being signed (a signed entry itself never changes).
CREATE TRIGGER client_summaries_contact_signed AFTER UPDATE OF status ON contacts
WHEN NEW.status = 'signed' AND OLD.status <> 'signed'
BEGIN
    INSERT INTO client_summaries (client_id, last_contact_id, last_contact_at, last_substance_use, last_well_being, last_housing)
    VALUES (NEW.client_id, NEW.id, NEW.occurred_at, NEW.substance_use, NEW.well_being, NEW.housing)
    ON CONFLICT (client_id) DO UPDATE SET
        last_contact_id = excluded.last_contact_id, last_contact_at = excluded.last_contact_at,
        last_substance_use = excluded.last_substance_use, last_well_being = excluded.last_well_being,
        last_housing = excluded.last_housing
    WHERE client_summaries.last_contact_id IS NULL
       OR (excluded.last_contact_at, excluded.last_contact_id) > (client_summaries.last_contact_at, client_summaries.last_contact_id);
END;
-- Only retention deletes signed contacts; the latest remaining one takes the place of a deleted latest.
CREATE TRIGGER client_summaries_contact_delete AFTER DELETE ON contacts
WHEN OLD.status = 'signed'
BEGIN
    UPDATE client_summaries SET (last_contact_id, last_contact_at, last_substance_use, last_well_being, last_housing) =
        (SELECT x.id, x.occurred_at, x.substance_use, x.well_being, x.housing FROM contacts x
         WHERE x.client_id = OLD.client_id AND x.status = 'signed' ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1)
    WHERE client_id = OLD.client_id AND last_contact_id = OLD.id;
END;

-- Open alerts (every status but resolved) counted by severity, by increments, so that concurrent
-- writers on PostgreSQL cannot lose a count.
CREATE TRIGGER client_summaries_alert_insert AFTER INSERT ON alerts
WHEN NEW.client_id IS NOT NULL AND NEW.status <> 'resolved'
BEGIN
    INSERT INTO client_summaries (client_id, open_high, open_medium, open_low)
    VALUES (NEW.client_id, NEW.severity = 'high', NEW.severity = 'medium', NEW.severity NOT IN ('high', 'medium'))
    ON CONFLICT (client_id) DO UPDATE SET
        open_high = open_high + excluded.open_high, open_medium = open_medium + excluded.open_medium,
        open_low = open_low + excluded.open_low;
END;
CREATE TRIGGER client_summaries_alert_update AFTER UPDATE OF status, severity, client_id ON alerts
WHEN (OLD.status <> 'resolved') <> (NEW.status <> 'resolved') OR OLD.severity <> NEW.severity
  OR OLD.client_id IS NOT NEW.client_id
BEGIN
    UPDATE client_summaries SET
        open_high = open_high - (OLD.severity = 'high'), open_medium = open_medium - (OLD.severity = 'medium'),
        open_low = open_low - (OLD.severity NOT IN ('high', 'medium'))
    WHERE client_id = OLD.client_id AND OLD.status <> 'resolved';
    INSERT INTO client_summaries (client_id, open_high, open_medium, open_low)
    SELECT NEW.client_id, NEW.severity = 'high', NEW.severity = 'medium', NEW.severity NOT IN ('high', 'medium')
    WHERE NEW.client_id IS NOT NULL AND NEW.status <> 'resolved'
    ON CONFLICT (client_id) DO UPDATE SET
        open_high = open_high + excluded.open_high, open_medium = open_medium + excluded.open_medium,
        open_low = open_low + excluded.open_low;
END;
CREATE TRIGGER client_summaries_alert_delete AFTER DELETE ON alerts
WHEN OLD.client_id IS NOT NULL AND OLD.status <> 'resolved'
BEGIN
    UPDATE client_summaries SET
        open_high = open_high - (OLD.severity = 'high'), open_medium = open_medium - (OLD.severity = 'medium'),
        open_low = open_low - (OLD.severity NOT IN ('high', 'medium'))
    WHERE client_id = OLD.client_id;
END;

-- What exists already.
INSERT INTO client_summaries (client_id, last_contact_id, open_high, open_medium, open_low)
SELECT c.id,
       (SELECT x.id FROM contacts x WHERE x.client_id = c.id AND x.status = 'signed' ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1),
       (SELECT COUNT(*) FROM alerts a WHERE a.client_id = c.id AND a.status <> 'resolved' AND a.severity = 'high'),
       (SELECT COUNT(*) FROM alerts a WHERE a.client_id = c.id AND a.status <> 'resolved' AND a.severity = 'medium'),
       (SELECT COUNT(*) FROM alerts a WHERE a.client_id = c.id AND a.status <> 'resolved' AND a.severity NOT IN ('high', 'medium'))
FROM clients c;
UPDATE client_summaries SET
    last_contact_at = x.occurred_at, last_substance_use = x.substance_use,
    last_well_being = x.well_being, last_housing = x.housing
FROM contacts x WHERE x.id = client_summaries.last_contact_id;
