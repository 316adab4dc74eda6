-- The risks a journal entry reports (overdose, suicide_risk, violence, eviction_risk), comma-separated
-- like its substances; each raises its own alert. Existing entries report none.
ALTER TABLE contacts ADD COLUMN risks TEXT NOT NULL DEFAULT '';

-- The committee report counts the risks reported in a period (measures::risk_reports): a small part
-- of the journal, found without walking all of it.
CREATE INDEX contacts_risks ON contacts (occurred_at) WHERE status = 'signed' AND risks <> '';

-- Which entries have been corrected: corrections are few, and a corrected entry's risks no longer
-- count in the report.
CREATE INDEX contacts_corrects ON contacts (corrects_id) WHERE corrects_id IS NOT NULL;
