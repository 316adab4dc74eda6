-- The goal of the client's plan a journal entry served (DOMAIN-NOTES 6.2: "link to the plan goal it
-- serves"), so that a goal's follow-up can show what was done for it. Optional; existing entries
-- serve none.
ALTER TABLE contacts ADD COLUMN plan_goal_id INTEGER REFERENCES plan_goals(id);
CREATE INDEX contacts_plan_goal ON contacts (plan_goal_id) WHERE plan_goal_id IS NOT NULL;
