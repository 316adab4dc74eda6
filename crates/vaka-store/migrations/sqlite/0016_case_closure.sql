-- Closing a case: why, and a note of what was done or agreed. Both empty while the case is open,
-- and for the few cases closed before the reason was kept.
ALTER TABLE cases ADD COLUMN closure_reason TEXT;
ALTER TABLE cases ADD COLUMN closure_note TEXT;

-- A case manager may have the same case more than once (handed over and back): each period is a
-- row of its own, so the key takes the day it began. SQLite cannot change a key in place.
CREATE TABLE case_assignments_periods (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    assigned_on TEXT NOT NULL,
    unassigned_on TEXT,
    PRIMARY KEY (case_id, user_id, assigned_on)
);
INSERT INTO case_assignments_periods (case_id, user_id, assigned_on, unassigned_on)
    SELECT case_id, user_id, assigned_on, unassigned_on FROM case_assignments;
DROP TABLE case_assignments;
ALTER TABLE case_assignments_periods RENAME TO case_assignments;
CREATE INDEX case_assignments_user ON case_assignments(user_id, case_id);
CREATE INDEX case_assignments_current ON case_assignments (user_id, case_id) WHERE unassigned_on IS NULL;
