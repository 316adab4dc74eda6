-- Assessments keep the score as it was given (zone, cut-off and profile of the day); follow-ups
-- keep who recorded them and the interviewer's judgement of problematic use.
ALTER TABLE assessments ADD COLUMN audit_c BIGINT;
ALTER TABLE assessments ADD COLUMN zone TEXT NOT NULL DEFAULT '';
ALTER TABLE assessments ADD COLUMN cutoff BIGINT NOT NULL DEFAULT 0;
ALTER TABLE assessments ADD COLUMN cutoff_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE assessments ADD COLUMN above_cutoff BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE assessments ADD COLUMN profile TEXT NOT NULL DEFAULT '';
ALTER TABLE follow_ups ADD COLUMN problematic_use BOOLEAN;
ALTER TABLE follow_ups ADD COLUMN recorded_by BIGINT REFERENCES users(id);
CREATE INDEX follow_ups_open ON follow_ups(status, due_on);
CREATE INDEX follow_ups_placement ON follow_ups(placement_id);
