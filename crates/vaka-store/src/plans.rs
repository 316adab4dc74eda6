//! The case's plan in storage: goals and their follow-ups, only ever inserted (the purge of the
//! whole file aside). The rules are `vaka_domain::plan`.

use std::collections::BTreeMap;

use vaka_domain::alert::schedule::GoalFact;
use vaka_domain::case::Case;
use vaka_domain::ids::{CaseId, ClientId, GoalId, GoalReviewId, UserId};
use vaka_domain::plan::{self, Goal, GoalStatus, NewGoal, NewReview, Review};

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

/// A goal with the `(username, display name)` of who wrote it and of who made each follow-up
/// (parallel to `goal.reviews`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedGoal {
    pub goal: Goal,
    pub written_by: (String, String),
    pub reviewed_by: Vec<(String, String)>,
}

/// Adds a goal to the plan of `case`.
pub async fn insert_goal(tx: &mut Tx, case: &Case, by: UserId, g: &NewGoal) -> Result<GoalId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_goals (client_id, case_id, life_area, goal, actions, follow_up_on, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        )
        .bind(case.client_id.0)
        .bind(case.id.0)
        .bind(g.life_area.as_str())
        .bind(&g.goal)
        .bind(g.actions.as_deref())
        .bind(g.follow_up_on)
        .bind(by.0)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        Ok(GoalId(id))
    })
}

/// Records a follow-up of `goal` and resolves the alert of the day it was due, if one was raised:
/// that follow-up is what the alert asked for. [`crate::StoreError::Conflict`] when another
/// follow-up has ended the goal meanwhile.
pub async fn insert_review(
    tx: &mut Tx,
    goal: &Goal,
    by: UserId,
    r: &NewReview,
) -> Result<GoalReviewId> {
    let now = crate::now();
    let id = on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_goal_reviews (client_id, goal_id, status, reviewed_on, note, next_follow_up_on, reviewed_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        )
        .bind(goal.client_id.0)
        .bind(goal.id.0)
        .bind(r.status.as_str())
        .bind(r.reviewed_on)
        .bind(r.note.as_deref())
        .bind(r.next_follow_up_on)
        .bind(by.0)
        .bind(now)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| crate::conflict_on_unique(e, "goal_finished"))?;
        id
    });
    if let Some(due) = goal.due_on() {
        crate::alerts::resolve_cause(
            tx,
            &plan::due_cause_key(goal.id.0, due),
            Some(by),
            "Målet följdes upp i planen.",
        )
        .await?;
    }
    Ok(GoalReviewId(id))
}

/// The goals of one case's plan, oldest first, each with its follow-ups.
pub async fn for_case(tx: &mut Tx, case: CaseId) -> Result<Vec<NamedGoal>> {
    read(tx, "g.case_id = $1", case.0).await
}

/// One goal with its follow-ups.
pub async fn goal(tx: &mut Tx, id: GoalId) -> Result<Option<NamedGoal>> {
    Ok(read(tx, "g.id = $1", id.0).await?.pop())
}

/// The goals matching `filter` (a fixed condition on `g`, with `$1` = `value`) and their
/// follow-ups, in two statements.
async fn read(tx: &mut Tx, filter: &'static str, value: i64) -> Result<Vec<NamedGoal>> {
    let goals_sql = format!(
        "SELECT {}, u.username, u.display_name FROM plan_goals g JOIN users u ON u.id = g.created_by \
         WHERE {filter} ORDER BY g.id",
        cols!(plan_goals, "g.")
    );
    let reviews_sql = format!(
        "SELECT {}, u.username, u.display_name FROM plan_goal_reviews r \
         JOIN plan_goals g ON g.id = r.goal_id JOIN users u ON u.id = r.reviewed_by \
         WHERE {filter} ORDER BY r.id",
        cols!(plan_goal_reviews, "r.")
    );
    let mut goals = on_tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(goals_sql))
            .bind(value)
            .fetch_all(&mut *c)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(NamedGoal {
                    goal: Goal {
                        id: GoalId(r.i64("id")?),
                        case_id: CaseId(r.i64("case_id")?),
                        client_id: ClientId(r.i64("client_id")?),
                        life_area: r.parse("life_area")?,
                        goal: r.string("goal")?,
                        actions: r.opt_string("actions")?,
                        follow_up_on: r.date("follow_up_on")?,
                        created_by: UserId(r.i64("created_by")?),
                        created_at: r.ts("created_at")?,
                        reviews: Vec::new(),
                    },
                    written_by: (r.string("username")?, r.string("display_name")?),
                    reviewed_by: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?
    });
    let reviews = on_tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(reviews_sql))
            .bind(value)
            .fetch_all(&mut *c)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    Review {
                        id: GoalReviewId(r.i64("id")?),
                        goal_id: GoalId(r.i64("goal_id")?),
                        status: r.parse("status")?,
                        reviewed_on: r.date("reviewed_on")?,
                        note: r.opt_string("note")?,
                        next_follow_up_on: r.opt_date("next_follow_up_on")?,
                        reviewed_by: UserId(r.i64("reviewed_by")?),
                        created_at: r.ts("created_at")?,
                    },
                    (r.string("username")?, r.string("display_name")?),
                ))
            })
            .collect::<Result<Vec<_>>>()?
    });
    let index: BTreeMap<GoalId, usize> = goals
        .iter()
        .enumerate()
        .map(|(i, g)| (g.goal.id, i))
        .collect();
    for (review, name) in reviews {
        if let Some(&i) = index.get(&review.goal_id) {
            goals[i].goal.reviews.push(review);
            goals[i].reviewed_by.push(name);
        }
    }
    Ok(goals)
}

/// The client's goals that the alert rule looks at: those of open cases still ongoing, each with
/// the day it is next due (the latest follow-up's next day, or the goal's first).
pub async fn due_facts(tx: &mut Tx, client: ClientId) -> Result<Vec<GoalFact>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT g.id, g.life_area, g.follow_up_on, r.status, r.next_follow_up_on FROM plan_goals g \
             JOIN cases k ON k.id = g.case_id AND k.status = 'open' \
             LEFT JOIN plan_goal_reviews r ON r.id = (SELECT MAX(x.id) FROM plan_goal_reviews x WHERE x.goal_id = g.id) \
             WHERE g.client_id = $1 ORDER BY g.id",
        )
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let latest = match r.opt_string("status")? {
                Some(s) => Some((
                    s.parse::<GoalStatus>().map_err(|_| {
                        crate::StoreError::Corrupt(format!("plan_goal_reviews.status: {s:?}"))
                    })?,
                    r.opt_date("next_follow_up_on")?,
                )),
                None => None,
            };
            if let Some(due_on) = plan::due_on(r.date("follow_up_on")?, latest) {
                out.push(GoalFact {
                    id: r.i64("id")?,
                    life_area: r.parse("life_area")?,
                    due_on,
                });
            }
        }
        Ok(out)
    })
}

/// A goal a journal entry can name: its id, life area and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalChoice {
    pub id: GoalId,
    pub life_area: plan::LifeArea,
    pub goal: String,
}

/// The goals the journal form offers: those of the client's open cases still ongoing, and `keep`
/// (the goal the entry names already) whatever its state, in the order they were written.
pub async fn choices(
    tx: &mut Tx,
    client: ClientId,
    keep: Option<GoalId>,
) -> Result<Vec<GoalChoice>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT g.id, g.life_area, g.goal FROM plan_goals g JOIN cases k ON k.id = g.case_id \
             WHERE g.client_id = $1 AND (g.id = $2 OR (k.status = 'open' AND NOT EXISTS \
             (SELECT 1 FROM plan_goal_reviews r WHERE r.goal_id = g.id AND r.status <> 'ongoing'))) \
             ORDER BY g.id",
        )
        .bind(client.0)
        .bind(keep.map_or(0, |g| g.0))
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GoalChoice {
                    id: GoalId(r.i64("id")?),
                    life_area: r.parse("life_area")?,
                    goal: r.string("goal")?,
                })
            })
            .collect()
    })
}

/// How many signed journal entries named each of `case`'s goals, and the latest contact among them.
pub async fn journal_use(
    tx: &mut Tx,
    case: CaseId,
) -> Result<BTreeMap<GoalId, (u64, chrono::DateTime<chrono::Utc>)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT x.plan_goal_id, COUNT(*) AS n, MAX(x.occurred_at) AS latest FROM contacts x \
             JOIN plan_goals g ON g.id = x.plan_goal_id \
             WHERE g.case_id = $1 AND x.status = 'signed' GROUP BY x.plan_goal_id",
        )
        .bind(case.0)
        .fetch_all(&mut *c)
        .await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            out.insert(
                GoalId(r.i64("plan_goal_id")?),
                (
                    u64::try_from(r.i64("n")?).unwrap_or_default(),
                    r.ts("latest")?,
                ),
            );
        }
        Ok(out)
    })
}
