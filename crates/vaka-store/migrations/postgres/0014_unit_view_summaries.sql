-- The unit head's view (clients::unit_caseload) picks, out of a unit's tens of thousands of
-- clients, those with an open alert and those with an open case that have waited longest for a
-- contact. Choosing them from clients, cases and summaries meant reading every client of the unit
-- and sorting them. The summary now also holds the client's unit and how many open cases it has,
-- so that both choices are index scans: the clients with open alerts, and the open-case clients in
-- order of their latest contact. Every client has a summary row from now on (the view must see
-- clients never contacted).
ALTER TABLE client_summaries ADD COLUMN unit_id BIGINT;
ALTER TABLE client_summaries ADD COLUMN open_cases BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION client_summaries_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_summaries AS s (client_id, unit_id) VALUES (NEW.id, NEW.unit_id)
    ON CONFLICT (client_id) DO UPDATE SET unit_id = excluded.unit_id;
    RETURN NULL;
END $$;
CREATE TRIGGER client_summaries_client_insert AFTER INSERT ON clients
FOR EACH ROW EXECUTE FUNCTION client_summaries_client();
CREATE TRIGGER client_summaries_client_unit AFTER UPDATE OF unit_id ON clients
FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id)
EXECUTE FUNCTION client_summaries_client();

-- Open cases counted by increments, like the open alerts (0012), so that concurrent writers
-- cannot lose a count.
CREATE FUNCTION client_summaries_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'open' THEN
        UPDATE client_summaries SET open_cases = open_cases - 1 WHERE client_id = OLD.client_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'open' THEN
        INSERT INTO client_summaries AS s (client_id, unit_id, open_cases)
        SELECT c.id, c.unit_id, 1 FROM clients c WHERE c.id = NEW.client_id
        ON CONFLICT (client_id) DO UPDATE SET open_cases = s.open_cases + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER client_summaries_case_insert AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION client_summaries_case();
CREATE TRIGGER client_summaries_case_update AFTER UPDATE OF status, client_id ON cases
FOR EACH ROW
WHEN ((OLD.status = 'open') IS DISTINCT FROM (NEW.status = 'open') OR OLD.client_id IS DISTINCT FROM NEW.client_id)
EXECUTE FUNCTION client_summaries_case();

-- What exists already.
INSERT INTO client_summaries (client_id) SELECT c.id FROM clients c ON CONFLICT (client_id) DO NOTHING;
UPDATE client_summaries s SET unit_id = c.unit_id, open_cases = COALESCE(k.n, 0)
FROM clients c
LEFT JOIN (SELECT client_id, COUNT(*) AS n FROM cases WHERE status = 'open' GROUP BY client_id) k
       ON k.client_id = c.id
WHERE c.id = s.client_id;

-- The unit's clients with an open alert; the open-case clients of a unit by their latest contact,
-- never contacted first. Both hold the view's sort columns, so the choice reads no table row.
CREATE INDEX client_summaries_unit_alerts ON client_summaries (unit_id)
    INCLUDE (open_high, open_medium, open_low, last_contact_at) WHERE open_high + open_medium + open_low > 0;
CREATE INDEX client_summaries_unit_waiting ON client_summaries (unit_id, last_contact_at NULLS FIRST, client_id)
    INCLUDE (open_high, open_medium, open_low) WHERE open_cases > 0;

-- The unit head's escalated alerts nobody has acknowledged (alerts::escalated_open_in_unit):
-- the few open escalated alerts in order, instead of every client of the unit.
CREATE INDEX alerts_escalated_open ON alerts (id) WHERE status = 'open' AND escalated;
