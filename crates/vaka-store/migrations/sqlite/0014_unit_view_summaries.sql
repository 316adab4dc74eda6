-- The unit head's view (clients::unit_caseload) picks, out of a unit's tens of thousands of
-- clients, those with an open alert and those with an open case that have waited longest for a
-- contact. Choosing them from clients, cases and summaries meant reading every client of the unit
-- and sorting them (a quarter of a second per view at 100 000 clients). The summary now also holds
-- the client's unit and how many open cases it has, so that both choices are index scans:
-- the clients with open alerts, and the open-case clients in order of their latest contact.
-- Every client has a summary row from now on (the view must see clients never contacted).
ALTER TABLE client_summaries ADD COLUMN unit_id INTEGER;
ALTER TABLE client_summaries ADD COLUMN open_cases INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER client_summaries_client_insert AFTER INSERT ON clients
BEGIN
    INSERT INTO client_summaries (client_id, unit_id) VALUES (NEW.id, NEW.unit_id)
    ON CONFLICT (client_id) DO UPDATE SET unit_id = excluded.unit_id;
END;
CREATE TRIGGER client_summaries_client_unit AFTER UPDATE OF unit_id ON clients
WHEN OLD.unit_id IS NOT NEW.unit_id
BEGIN
    UPDATE client_summaries SET unit_id = NEW.unit_id WHERE client_id = NEW.id;
END;

-- Open cases counted by increments, like the open alerts (0012).
CREATE TRIGGER client_summaries_case_insert AFTER INSERT ON cases
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO client_summaries (client_id, unit_id, open_cases)
    SELECT c.id, c.unit_id, 1 FROM clients c WHERE c.id = NEW.client_id
    ON CONFLICT (client_id) DO UPDATE SET open_cases = open_cases + 1;
END;
CREATE TRIGGER client_summaries_case_update AFTER UPDATE OF status, client_id ON cases
WHEN (OLD.status = 'open') <> (NEW.status = 'open') OR OLD.client_id IS NOT NEW.client_id
BEGIN
    UPDATE client_summaries SET open_cases = open_cases - 1
    WHERE client_id = OLD.client_id AND OLD.status = 'open';
    INSERT INTO client_summaries (client_id, unit_id, open_cases)
    SELECT c.id, c.unit_id, 1 FROM clients c WHERE c.id = NEW.client_id AND NEW.status = 'open'
    ON CONFLICT (client_id) DO UPDATE SET open_cases = open_cases + 1;
END;
CREATE TRIGGER client_summaries_case_delete AFTER DELETE ON cases
WHEN OLD.status = 'open'
BEGIN
    UPDATE client_summaries SET open_cases = open_cases - 1 WHERE client_id = OLD.client_id;
END;

-- What exists already.
INSERT INTO client_summaries (client_id) SELECT c.id FROM clients c WHERE true
ON CONFLICT (client_id) DO NOTHING;
UPDATE client_summaries SET
    unit_id = (SELECT c.unit_id FROM clients c WHERE c.id = client_summaries.client_id),
    open_cases = (SELECT COUNT(*) FROM cases k WHERE k.client_id = client_summaries.client_id AND k.status = 'open');

-- The unit's clients with an open alert; the open-case clients of a unit by their latest contact,
-- never contacted first (NULL sorts first in SQLite). Both hold the view's sort columns, so the
-- choice reads no table row.
CREATE INDEX client_summaries_unit_alerts ON client_summaries (unit_id, open_high, open_medium, open_low, last_contact_at)
    WHERE open_high + open_medium + open_low > 0;
CREATE INDEX client_summaries_unit_waiting ON client_summaries (unit_id, last_contact_at, client_id, open_high, open_medium, open_low)
    WHERE open_cases > 0;

-- The unit head's escalated alerts nobody has acknowledged (alerts::escalated_open_in_unit):
-- the few open escalated alerts in order, instead of every client of the unit.
CREATE INDEX alerts_escalated_open ON alerts (id) WHERE status = 'open' AND escalated;
