//! `/api/v1/cases/{id}/plan`: the case's plan (genomförandeplan): its goals, a new goal, and a
//! follow-up of a goal. Goals and follow-ups are only ever added.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::Action;
use vaka_domain::ids::{CaseId, GoalId};
use vaka_domain::plan::{GoalInput, GoalStatus, LifeArea, NewGoal, NewReview, ReviewInput};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, cases, plans};

use super::cases::open_case_to_change;
use super::path_id;
use crate::AppState;
use crate::auth::ApiActor;
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlanResponse {
    pub case_id: i64,
    pub client_id: i64,
    /// Oldest first.
    pub goals: Vec<GoalResponse>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GoalResponse {
    pub id: i64,
    pub case_id: i64,
    pub life_area: LifeArea,
    /// The goal, as far as possible in the person's own words.
    pub goal: String,
    /// What is to be done, by whom.
    pub actions: Option<String>,
    /// The first follow-up day given with the goal.
    pub follow_up_on: NaiveDate,
    /// The latest follow-up's state; `ongoing` before the first.
    pub status: GoalStatus,
    /// The day the goal is next to be followed up; `null` once finished.
    pub due_on: Option<NaiveDate>,
    /// Username of who wrote the goal.
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Oldest first.
    pub reviews: Vec<ReviewResponse>,
    /// Signed journal entries that name the goal as the one they served.
    pub journal_entries: u64,
    /// The latest contact among them.
    pub last_journal_entry_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewResponse {
    pub id: i64,
    pub status: GoalStatus,
    pub reviewed_on: NaiveDate,
    pub note: Option<String>,
    pub next_follow_up_on: Option<NaiveDate>,
    /// Username of who followed the goal up.
    pub reviewed_by: String,
    pub reviewed_by_name: String,
    pub created_at: DateTime<Utc>,
}

type JournalUse = std::collections::BTreeMap<GoalId, (u64, DateTime<Utc>)>;

fn goal_response(g: plans::NamedGoal, used: &JournalUse) -> GoalResponse {
    let (journal_entries, last_journal_entry_at) = used
        .get(&g.goal.id)
        .map_or((0, None), |(n, at)| (*n, Some(*at)));
    let status = g.goal.status();
    let due_on = g.goal.due_on();
    let reviews = g
        .goal
        .reviews
        .into_iter()
        .zip(g.reviewed_by)
        .map(|(r, (username, name))| ReviewResponse {
            id: r.id.0,
            status: r.status,
            reviewed_on: r.reviewed_on,
            note: r.note,
            next_follow_up_on: r.next_follow_up_on,
            reviewed_by: username,
            reviewed_by_name: name,
            created_at: r.created_at,
        })
        .collect();
    GoalResponse {
        id: g.goal.id.0,
        case_id: g.goal.case_id.0,
        life_area: g.goal.life_area,
        goal: g.goal.goal,
        actions: g.goal.actions,
        follow_up_on: g.goal.follow_up_on,
        status,
        due_on,
        created_by: g.written_by.0,
        created_by_name: g.written_by.1,
        created_at: g.goal.created_at,
        reviews,
        journal_entries,
        last_journal_entry_at,
    }
}

/// The plan of a case: every goal with its follow-ups. Unknown cases and cases of clients outside
/// the caller's rights both answer 404.
#[utoipa::path(get, path = "/api/v1/cases/{id}/plan", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = PlanResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<PlanResponse>, ApiError> {
    let id = CaseId(path_id(&raw)?);
    let mut tx = st.store.begin_read().await?;
    let case = cases::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    let mut entry = actor.audit(
        AuditAction::PlanRead,
        Some(case.client_id),
        format!("GET /api/v1/cases/{}/plan", id.0),
    );
    entry.case_id = Some(id);
    let mut tx = crate::client_access::authorize(
        tx,
        &actor.user,
        case.client_id,
        Action::ReadClient,
        &mut entry,
    )
    .await?;
    let goals = plans::for_case(&mut tx, id).await?;
    let used = plans::journal_use(&mut tx, id).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(PlanResponse {
        case_id: id.0,
        client_id: case.client_id.0,
        goals: goals.into_iter().map(|g| goal_response(g, &used)).collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateGoalRequest {
    /// `housing`, `substance_use`, `health`, `occupation`, `economy`, `family_social`, `legal`,
    /// `leisure` or `other`.
    pub life_area: Option<String>,
    /// The goal, as far as possible in the person's own words (at most 1 000 characters).
    pub goal: Option<String>,
    /// What is to be done, by whom (at most 2 000 characters).
    pub actions: Option<String>,
    /// `YYYY-MM-DD`: when the goal is first followed up, from today up to a year ahead.
    pub follow_up_on: Option<String>,
}

/// Add a goal to the plan of an open case. The case's own case manager's, or the unit head's.
#[utoipa::path(post, path = "/api/v1/cases/{id}/plan/goals", request_body = CreateGoalRequest, tag = "cases",
    params(("id" = i64, Path)),
    responses((status = 201, body = GoalResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The case is closed"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_goal(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<CreateGoalRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (mut tx, case, mut entry) = open_case_to_change(
        &st,
        &actor,
        &raw,
        (Action::WriteClient, AuditAction::PlanGoalCreate),
        "plan/goals",
    )
    .await?;
    let id = case.id;
    let new = NewGoal::parse(
        &GoalInput {
            life_area: req.life_area.as_deref(),
            goal: req.goal.as_deref(),
            actions: req.actions.as_deref(),
            follow_up_on: req.follow_up_on.as_deref(),
        },
        super::today(),
    )
    .map_err(ApiError::Invalid)?;
    let goal_id = plans::insert_goal(&mut tx, &case, actor.user.id, &new).await?;
    entry.detail = format!(
        "{} goal={} life_area={}",
        entry.detail,
        goal_id.0,
        new.life_area.as_str()
    );
    tx.audit(entry);
    let stored = plans::goal(&mut tx, goal_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{}/plan", id.0))],
        Json(goal_response(stored, &JournalUse::new())),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewGoalRequest {
    /// The goal of this case's plan that is followed up.
    pub goal_id: Option<i64>,
    /// `ongoing`, `reached`, `partly_reached`, `not_reached` or `dropped`; all but `ongoing` end
    /// the goal.
    pub status: Option<String>,
    /// `YYYY-MM-DD`, default today; not before the goal was written or its last follow-up.
    pub reviewed_on: Option<String>,
    /// What was seen and agreed; required for `partly_reached`, `not_reached` and `dropped`.
    pub note: Option<String>,
    /// `YYYY-MM-DD`: the next follow-up, from tomorrow up to a year ahead; required for `ongoing`,
    /// refused otherwise.
    pub next_follow_up_on: Option<String>,
}

fn goal_finished() -> FieldError {
    FieldError::new(
        "status",
        "goal_finished",
        Msg::new(
            "Målet är redan avslutat; skriv ett nytt mål i stället.",
            "The goal is already finished; write a new goal instead.",
        ),
    )
}

fn unknown_goal() -> FieldError {
    FieldError::new(
        "goal_id",
        "unknown_goal",
        Msg::new(
            "Målet finns inte i det här ärendets plan.",
            "The goal is not in this case's plan.",
        ),
    )
}

/// Follow up a goal of the plan of an open case: where it stands, and when it is followed up next
/// while it goes on. A goal already finished answers 409 `goal_finished` (write a new goal). The
/// follow-up resolves the goal's `plan_goal_due` alert.
#[utoipa::path(post, path = "/api/v1/cases/{id}/plan/reviews", request_body = ReviewGoalRequest, tag = "cases",
    params(("id" = i64, Path)),
    responses((status = 201, body = GoalResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The case is closed or the goal finished"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn review_goal(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<ReviewGoalRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (mut tx, case, mut entry) = open_case_to_change(
        &st,
        &actor,
        &raw,
        (Action::WriteClient, AuditAction::PlanGoalReview),
        "plan/reviews",
    )
    .await?;
    let id = case.id;
    let goal_id = GoalId(req.goal_id.ok_or_else(|| FieldError::required("goal_id"))?);
    let goal = plans::goal(&mut tx, goal_id)
        .await?
        .filter(|g| g.goal.case_id == id)
        .ok_or_else(unknown_goal)?
        .goal;
    if goal.status().is_final() {
        return Err(ApiError::Conflict(goal_finished()));
    }
    let earliest = goal.earliest_review(vaka_domain::time::local_date);
    let review = NewReview::parse(
        &ReviewInput {
            status: req.status.as_deref(),
            reviewed_on: req.reviewed_on.as_deref(),
            note: req.note.as_deref(),
            next_follow_up_on: req.next_follow_up_on.as_deref(),
        },
        earliest,
        super::today(),
    )
    .map_err(ApiError::Invalid)?;
    plans::insert_review(&mut tx, &goal, actor.user.id, &review)
        .await
        .map_err(|e| match e {
            vaka_store::StoreError::Conflict(_) => ApiError::Conflict(goal_finished()),
            other => other.into(),
        })?;
    entry.detail = format!(
        "{} goal={} status={}",
        entry.detail,
        goal_id.0,
        review.status.as_str()
    );
    tx.audit(entry);
    let stored = plans::goal(&mut tx, goal_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let used = plans::journal_use(&mut tx, stored.goal.case_id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(goal_response(stored, &used))))
}
