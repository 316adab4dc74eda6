-- The case's plan (genomförandeplan): goals drawn up with the person and every follow-up of a goal.
-- Documentation: rows are only ever inserted; a goal's state is its latest follow-up.
CREATE TABLE plan_goals (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    life_area TEXT NOT NULL,
    goal TEXT NOT NULL,
    actions TEXT,
    follow_up_on TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX plan_goals_case ON plan_goals(case_id, id);
CREATE INDEX plan_goals_client ON plan_goals(client_id, id);
CREATE TABLE plan_goal_reviews (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    goal_id INTEGER NOT NULL REFERENCES plan_goals(id),
    status TEXT NOT NULL,
    reviewed_on TEXT NOT NULL,
    note TEXT,
    next_follow_up_on TEXT,
    reviewed_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX plan_goal_reviews_goal ON plan_goal_reviews(goal_id, id);
-- A goal is finished once: two follow-ups ending it at the same moment cannot both be saved.
CREATE UNIQUE INDEX plan_goal_reviews_final ON plan_goal_reviews(goal_id) WHERE status <> 'ongoing';
CREATE INDEX plan_goal_reviews_client ON plan_goal_reviews(client_id);
