-- Whether a decision has answered the application: kept by the trigger below in the same
-- transaction as the decision (so bulk loads and a restore keep it right), and built here from what
-- exists. The unit head's list of applications waiting for a decision then reads a small partial
-- index instead of walking every application of the unit.
ALTER TABLE applications ADD COLUMN decided BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE applications SET decided = TRUE
WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = applications.id);
CREATE INDEX applications_pending ON applications (received_on, id) WHERE NOT decided;
CREATE FUNCTION decisions_answer_application() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE applications SET decided = TRUE WHERE id = NEW.application_id;
    RETURN NULL;
END $$;
CREATE TRIGGER decisions_answer_application AFTER INSERT ON decisions
FOR EACH ROW WHEN (NEW.application_id IS NOT NULL) EXECUTE FUNCTION decisions_answer_application();
