-- A per-client summary for the caseload: the latest signed contact (its use, well-being and
-- housing) and the open alerts counted by severity, so that a caseload is one index probe per
-- client instead of five. Derived data: kept by the triggers below in the same transaction as
-- every contact and alert change (so bulk loads, corrections, retention and a restore keep it
-- right without each write path knowing), left out of backups, and built here from what exists.
CREATE TABLE client_summaries (
    client_id BIGINT PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    last_contact_id BIGINT,
    last_contact_at TIMESTAMPTZ,
    last_substance_use TEXT,
    last_well_being BIGINT,
    last_housing TEXT,
    open_high BIGINT NOT NULL DEFAULT 0,
    open_medium BIGINT NOT NULL DEFAULT 0,
    open_low BIGINT NOT NULL DEFAULT 0
);

-- A signed contact becomes the latest when it is later (occurred_at, then id) than the one held.
-- The comparison sits in the upsert's WHERE, which PostgreSQL re-checks against the newest row
-- version, so two transactions adding contacts for one client cannot leave the older one.
CREATE FUNCTION client_summaries_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'signed' THEN
            UPDATE client_summaries SET (last_contact_id, last_contact_at, last_substance_use, last_well_being, last_housing) =
                (SELECT x.id, x.occurred_at, x.substance_use, x.well_being, x.housing FROM contacts x
                 WHERE x.client_id = OLD.client_id AND x.status = 'signed' ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1)
            WHERE client_id = OLD.client_id AND last_contact_id = OLD.id;
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.status = 'signed' AND (TG_OP = 'INSERT' OR OLD.status <> 'signed') THEN
        INSERT INTO client_summaries AS s (client_id, last_contact_id, last_contact_at, last_substance_use, last_well_being, last_housing)
        VALUES (NEW.client_id, NEW.id, NEW.occurred_at, NEW.substance_use, NEW.well_being, NEW.housing)
        ON CONFLICT (client_id) DO UPDATE SET
            last_contact_id = excluded.last_contact_id, last_contact_at = excluded.last_contact_at,
            last_substance_use = excluded.last_substance_use, last_well_being = excluded.last_well_being,
            last_housing = excluded.last_housing
        WHERE s.last_contact_id IS NULL
           OR (excluded.last_contact_at, excluded.last_contact_id) > (s.last_contact_at, s.last_contact_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER client_summaries_contact AFTER INSERT OR UPDATE OF status OR DELETE ON contacts
FOR EACH ROW EXECUTE FUNCTION client_summaries_contact();

-- Open alerts (every status but resolved) counted by severity, by increments, so that concurrent
-- writers cannot lose a count.
CREATE FUNCTION client_summaries_alert_add(client BIGINT, severity TEXT, delta BIGINT) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO client_summaries AS s (client_id, open_high, open_medium, open_low)
    VALUES (client,
            CASE WHEN severity = 'high' THEN delta ELSE 0 END,
            CASE WHEN severity = 'medium' THEN delta ELSE 0 END,
            CASE WHEN severity NOT IN ('high', 'medium') THEN delta ELSE 0 END)
    ON CONFLICT (client_id) DO UPDATE SET
        open_high = s.open_high + excluded.open_high, open_medium = s.open_medium + excluded.open_medium,
        open_low = s.open_low + excluded.open_low
$$;
CREATE FUNCTION client_summaries_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.client_id IS NOT NULL AND OLD.status <> 'resolved' THEN
        PERFORM client_summaries_alert_add(OLD.client_id, OLD.severity, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.client_id IS NOT NULL AND NEW.status <> 'resolved' THEN
        PERFORM client_summaries_alert_add(NEW.client_id, NEW.severity, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER client_summaries_alert_insert AFTER INSERT OR DELETE ON alerts
FOR EACH ROW EXECUTE FUNCTION client_summaries_alert();
CREATE TRIGGER client_summaries_alert_update AFTER UPDATE OF status, severity, client_id ON alerts
FOR EACH ROW
WHEN ((OLD.status <> 'resolved') IS DISTINCT FROM (NEW.status <> 'resolved')
      OR OLD.severity IS DISTINCT FROM NEW.severity OR OLD.client_id IS DISTINCT FROM NEW.client_id)
EXECUTE FUNCTION client_summaries_alert();

-- What exists already.
INSERT INTO client_summaries (client_id, last_contact_id, last_contact_at, last_substance_use, last_well_being, last_housing,
                              open_high, open_medium, open_low)
SELECT c.id, lc.id, lc.occurred_at, lc.substance_use, lc.well_being, lc.housing,
       COALESCE(al.high, 0), COALESCE(al.medium, 0), COALESCE(al.low, 0)
FROM clients c
LEFT JOIN LATERAL (SELECT x.id, x.occurred_at, x.substance_use, x.well_being, x.housing FROM contacts x
                   WHERE x.client_id = c.id AND x.status = 'signed' ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1) lc ON TRUE
LEFT JOIN (SELECT a.client_id,
                  COUNT(*) FILTER (WHERE a.severity = 'high') AS high,
                  COUNT(*) FILTER (WHERE a.severity = 'medium') AS medium,
                  COUNT(*) FILTER (WHERE a.severity NOT IN ('high', 'medium')) AS low
           FROM alerts a WHERE a.status <> 'resolved' AND a.client_id IS NOT NULL GROUP BY a.client_id) al
       ON al.client_id = c.id;
