-- Closing a case: why, and a note of what was done or agreed. Both empty while the case is open,
-- and for the few cases closed before the reason was kept.
ALTER TABLE cases ADD COLUMN closure_reason TEXT;
ALTER TABLE cases ADD COLUMN closure_note TEXT;

-- A case manager may have the same case more than once (handed over and back): each period is a
-- row of its own, so the key takes the day it began.
ALTER TABLE case_assignments DROP CONSTRAINT case_assignments_pkey;
ALTER TABLE case_assignments ADD PRIMARY KEY (case_id, user_id, assigned_on);
