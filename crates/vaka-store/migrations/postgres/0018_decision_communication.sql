-- Kommunicering before a decision (FL 25 §, documented under SOSFS 2014:5 5 kap. 12 §): the day and
-- way the person was told of what others contributed and what they answered, or why it was not
-- done. All empty for decisions recorded before this was kept.
ALTER TABLE decisions ADD COLUMN communicated_on DATE;
ALTER TABLE decisions ADD COLUMN communication_method TEXT;
ALTER TABLE decisions ADD COLUMN client_response TEXT;
ALTER TABLE decisions ADD COLUMN communication_omitted_reason TEXT;
