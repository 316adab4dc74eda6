//! `/api/v1/cases`: open a case for a client and assign its case manager, change the case manager,
//! close the case.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::{self, Action, Scope};
use vaka_domain::case::{Case, CaseOrigin, CaseStatus, Closure, ClosureInput, ClosureReason};
use vaka_domain::ids::{CaseId, ClientId};
use vaka_domain::role::{Role, User};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, Tx, cases, clients, users};

use super::path_id;
use crate::AppState;
use crate::auth::ApiActor;
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateCaseRequest {
    pub client_id: Option<i64>,
    /// The username of the case manager to assign.
    pub case_manager: Option<String>,
    /// Default today (Europe/Stockholm).
    pub opened_on: Option<NaiveDate>,
    /// `application` (default), `report`, `referral` or `other`.
    pub origin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseResponse {
    pub id: i64,
    pub client_id: i64,
    pub unit_id: i64,
    pub status: CaseStatus,
    pub origin: CaseOrigin,
    pub opened_on: NaiveDate,
    /// Usernames of the assigned case managers (none once the case is closed).
    pub case_managers: Vec<String>,
    /// The day the case was closed; `null` while it is open.
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    pub closure_note: Option<String>,
    /// Who has had the case and when, earliest first.
    pub assignments: Vec<AssignmentResponse>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssignmentResponse {
    /// Username of the case manager.
    pub case_manager: String,
    pub display_name: String,
    pub assigned_on: NaiveDate,
    /// The last day; `null` while the assignment lasts.
    pub unassigned_on: Option<NaiveDate>,
}

/// Open a case for a client of the caller's unit and assign its case manager.
#[utoipa::path(post, path = "/api/v1/cases", request_body = CreateCaseRequest, tag = "cases",
    responses((status = 201, body = CaseResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_case(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<CreateCaseRequest>,
) -> Result<impl IntoResponse, ApiError> {
    if !access::may_ever(actor.user.role, Action::OpenCase) {
        return Err(ApiError::Forbidden);
    }
    let mut errors = Vec::new();
    let client_id = match req.client_id {
        Some(id) if id > 0 => Some(ClientId(id)),
        Some(_) => {
            errors.push(unknown_client());
            None
        }
        None => {
            errors.push(FieldError::required("client_id"));
            None
        }
    };
    let manager_name = req
        .case_manager
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if manager_name.is_none() {
        errors.push(FieldError::required("case_manager"));
    }
    let origin = match req.origin.as_deref() {
        None | Some("") => Some(CaseOrigin::Application),
        Some(s) => s
            .parse::<CaseOrigin>()
            .map_err(|e| errors.push(e.for_field("origin")))
            .ok(),
    };
    let today = vaka_domain::time::local_date(vaka_store::now());
    let opened_on = req.opened_on.unwrap_or(today);
    if opened_on > today {
        errors.push(FieldError::new(
            "opened_on",
            "future_date",
            Msg::new("Datumet ligger i framtiden.", "The date is in the future."),
        ));
    }
    let (Some(client_id), Some(manager_name), Some(origin)) = (client_id, manager_name, origin)
    else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }

    let mut tx = st.store.begin().await?;
    // A client the caller may not open a case for is reported like an unknown one: no existence leak.
    let relation = clients::relation(&mut tx, &actor.user, client_id).await?;
    let Some(relation) =
        relation.filter(|r| access::permits(actor.user.role, Action::OpenCase, *r))
    else {
        if relation.is_some() {
            tx.audit(actor.audit(
                AuditAction::AccessDenied,
                Some(client_id),
                "POST /api/v1/cases",
            ));
            tx.commit().await?;
        }
        return Err(unknown_client().into());
    };
    let _ = relation;
    let manager = active_case_manager(&mut tx, manager_name, &actor.user)
        .await?
        .ok_or_else(unknown_case_manager)?;
    let client = clients::get(&mut tx, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let case_id = cases::open(
        &mut tx,
        client_id,
        client.unit_id,
        opened_on,
        origin,
        &[manager.id],
    )
    .await?;
    let mut entry = actor.audit(AuditAction::CaseOpen, Some(client_id), "POST /api/v1/cases");
    entry.case_id = Some(case_id);
    tx.audit(entry);
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{}", case_id.0))],
        Json(CaseResponse {
            id: case_id.0,
            client_id: client_id.0,
            unit_id: client.unit_id.0,
            status: CaseStatus::Open,
            origin,
            opened_on,
            case_managers: vec![manager.username.clone()],
            closed_on: None,
            closure_reason: None,
            closure_note: None,
            assignments: vec![AssignmentResponse {
                case_manager: manager.username,
                display_name: manager.display_name,
                assigned_on: opened_on,
                unassigned_on: None,
            }],
        }),
    ))
}

pub(crate) fn unknown_client() -> FieldError {
    FieldError::new(
        "client_id",
        "unknown_client",
        Msg::new(
            "Klienten finns inte eller ligger utanför din behörighet.",
            "The client does not exist or is outside your rights.",
        ),
    )
}

/// Read one case. Unknown ids and cases of clients outside the caller's rights both answer 404.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_case(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<CaseResponse>, ApiError> {
    let id = CaseId(path_id(&raw)?);
    let detail = format!("GET /api/v1/cases/{}", id.0);
    let mut tx = st.store.begin_read().await?;
    let case = cases::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    let mut entry = actor.audit(AuditAction::CaseRead, Some(case.client_id), detail);
    entry.case_id = Some(id);
    let mut tx = crate::client_access::authorize(
        tx,
        &actor.user,
        case.client_id,
        Action::ReadClient,
        &mut entry,
    )
    .await?;
    let response = case_response(&mut tx, case).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(response))
}

/// A case as the API answers it: its origin and who has had it, with names, read in `tx`.
async fn case_response(tx: &mut Tx, case: Case) -> Result<CaseResponse, ApiError> {
    let origin = cases::origin(tx, case.id)
        .await?
        .unwrap_or(CaseOrigin::Other);
    let named = cases::assignments_named(tx, case.id).await?;
    // Every current case manager has a current assignment, so the names are all here.
    let managers = case
        .case_managers
        .iter()
        .filter_map(|m| {
            named
                .iter()
                .find(|(a, _, _)| a.user_id == *m)
                .map(|(_, username, _)| username.clone())
        })
        .collect();
    let assignments = named
        .into_iter()
        .map(|(a, username, display_name)| AssignmentResponse {
            case_manager: username,
            display_name,
            assigned_on: a.assigned_on,
            unassigned_on: a.unassigned_on,
        })
        .collect();
    Ok(CaseResponse {
        id: case.id.0,
        client_id: case.client_id.0,
        unit_id: case.unit_id.0,
        status: case.status,
        origin,
        opened_on: case.opened_on,
        case_managers: managers,
        closed_on: case.closed_on,
        closure_reason: case.closure_reason,
        closure_note: case.closure_note,
        assignments,
    })
}

/// Opens a write transaction on case `id` for `action`: the case, and the transaction once the
/// caller may act on it. An action a case manager holds only on assigned clients needs the
/// assignment on this very case, not on another case of the same client. Unknown cases and
/// refusals both answer 404; a refusal is logged as `access_denied`.
async fn case_for(
    st: &AppState,
    user: &User,
    id: CaseId,
    action: Action,
    entry: &mut vaka_store::NewAuditEntry,
) -> Result<(Tx, Case), ApiError> {
    let mut tx = st.store.begin().await?;
    let case = cases::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    entry.client_id = Some(case.client_id);
    let mut tx = crate::client_access::authorize(tx, user, case.client_id, action, entry).await?;
    if access::scope(user.role, action) == Some(Scope::Assigned)
        && !case.case_managers.contains(&user.id)
    {
        let mut denied = entry.clone();
        denied.action = AuditAction::AccessDenied;
        tx.audit(denied);
        tx.commit().await?;
        return Err(ApiError::NotFound);
    }
    Ok((tx, case))
}

fn case_closed() -> FieldError {
    FieldError::new(
        "status",
        "case_closed",
        Msg::new("Ärendet är redan avslutat.", "The case is already closed."),
    )
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CloseCaseRequest {
    /// `YYYY-MM-DD`, default today (Europe/Stockholm); not before the case was opened.
    pub closed_on: Option<String>,
    /// `goals_met`, `client_declined`, `lost_contact`, `moved`, `transferred`, `died` or `other`.
    pub reason: Option<String>,
    /// What was done or agreed; required when the reason is `other`.
    pub note: Option<String>,
}

/// Close an open case. Its case managers' assignments end the same day, so a case manager no
/// longer reaches the client through it. Allowed to the case's own case manager and to the unit
/// head of the client's unit.
#[utoipa::path(post, path = "/api/v1/cases/{id}/close", request_body = CloseCaseRequest, tag = "cases",
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The case is already closed"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn close_case(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<CloseCaseRequest>,
) -> Result<Json<CaseResponse>, ApiError> {
    let (mut tx, case, mut entry) = open_case_to_change(
        &st,
        &actor,
        &raw,
        (Action::CloseCase, AuditAction::CaseClose),
        "close",
    )
    .await?;
    let id = case.id;
    let today = vaka_domain::time::local_date(vaka_store::now());
    let closure = Closure::parse(
        &ClosureInput {
            closed_on: req.closed_on.as_deref(),
            reason: req.reason.as_deref(),
            note: req.note.as_deref(),
        },
        case.opened_on,
        today,
    )
    .map_err(ApiError::Invalid)?;
    if !cases::close(&mut tx, id, &closure).await? {
        return Err(ApiError::Conflict(case_closed()));
    }
    entry.detail = format!("{} reason={}", entry.detail, closure.reason.as_str());
    let case = cases::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    let response = case_response(&mut tx, case).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(response))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReassignCaseRequest {
    /// The username of the new case manager.
    pub case_manager: Option<String>,
    /// `YYYY-MM-DD`, default today (Europe/Stockholm): the day the new case manager takes over.
    pub assigned_on: Option<String>,
}

/// Make another case manager the case's only case manager: the current ones' assignments end on
/// the day the new one takes over. The unit head's, for clients of the unit.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reassign", request_body = ReassignCaseRequest, tag = "cases",
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The case is closed"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn reassign_case(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<ReassignCaseRequest>,
) -> Result<Json<CaseResponse>, ApiError> {
    let (mut tx, case, mut entry) = open_case_to_assign(&st, &actor, &raw, "reassign").await?;
    let id = case.id;
    let current_since = cases::assignments(&mut tx, id)
        .await?
        .iter()
        .filter(|a| a.unassigned_on.is_none())
        .map(|a| a.assigned_on)
        .max();
    let (day, manager) = day_and_manager(
        &mut tx,
        &actor.user,
        &case,
        (req.case_manager.as_deref(), req.assigned_on.as_deref()),
        current_since,
        |u| case.case_managers == [u.id],
        Msg::new(
            "Hen är redan ärendets case manager.",
            "They are already the case manager of this case.",
        ),
    )
    .await?;
    if !cases::reassign(&mut tx, id, manager.id, day).await? {
        return Err(ApiError::Conflict(case_closed()));
    }
    entry.detail = format!("{} case_manager={}", entry.detail, manager.username);
    answer_case(tx, id, entry).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AddCaseManagerRequest {
    /// The username of the case manager who joins the case.
    pub case_manager: Option<String>,
    /// `YYYY-MM-DD`, default today (Europe/Stockholm), not before the case was opened.
    pub assigned_on: Option<String>,
}

/// Add a case manager beside those the case has (a second worker in a team, housing support beside
/// the case manager): both follow the client. The unit head's, for clients of the unit. The
/// client's alerts stay with whoever has them.
#[utoipa::path(post, path = "/api/v1/cases/{id}/case-managers", request_body = AddCaseManagerRequest, tag = "cases",
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The case is closed"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn add_case_manager(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<AddCaseManagerRequest>,
) -> Result<Json<CaseResponse>, ApiError> {
    let (mut tx, case, mut entry) = open_case_to_assign(&st, &actor, &raw, "case-managers").await?;
    let (day, manager) = day_and_manager(
        &mut tx,
        &actor.user,
        &case,
        (req.case_manager.as_deref(), req.assigned_on.as_deref()),
        None,
        |u| case.case_managers.contains(&u.id),
        Msg::new(
            "Hen är redan case manager för ärendet.",
            "They are already a case manager of this case.",
        ),
    )
    .await?;
    if !cases::add_manager(&mut tx, case.id, manager.id, day).await? {
        return Err(ApiError::Conflict(case_closed()));
    }
    entry.detail = format!("{} case_manager={}", entry.detail, manager.username);
    answer_case(tx, case.id, entry).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EndCaseManagerRequest {
    /// The username of the case manager who leaves the case.
    pub case_manager: Option<String>,
    /// `YYYY-MM-DD`, default today: their last day, not before their assignment began.
    pub unassigned_on: Option<String>,
}

/// End one case manager's part in a case that keeps at least one other (409
/// `last_case_manager` otherwise: hand the case over or close it). Their alerts about the client
/// go to a case manager who stays. The unit head's; works for a deactivated user too.
#[utoipa::path(post, path = "/api/v1/cases/{id}/case-managers/end", request_body = EndCaseManagerRequest, tag = "cases",
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The case is closed, or they are its last case manager"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn end_case_manager(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<EndCaseManagerRequest>,
) -> Result<Json<CaseResponse>, ApiError> {
    let (mut tx, case, mut entry) =
        open_case_to_assign(&st, &actor, &raw, "case-managers/end").await?;
    let Some(name) = req
        .case_manager
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Err(FieldError::required("case_manager").into());
    };
    let leaving = if vaka_domain::role::valid_username(name) {
        users::by_username(&mut tx, name).await?.map(|(u, _)| u)
    } else {
        None
    }
    .filter(|u| case.case_managers.contains(&u.id));
    let Some(leaving) = leaving else {
        return Err(FieldError::new(
            "case_manager",
            "not_case_manager",
            Msg::new(
                "Hen är inte case manager för ärendet.",
                "They are not a case manager of this case.",
            ),
        )
        .into());
    };
    let Some(successor) = case.case_managers.iter().find(|m| **m != leaving.id) else {
        return Err(ApiError::Conflict(FieldError::new(
            "case_manager",
            "last_case_manager",
            Msg::new(
                "Hen är ärendets enda case manager: byt case manager eller avsluta ärendet.",
                "They are the case's only case manager: hand the case over or close it.",
            ),
        )));
    };
    let since = cases::assignments(&mut tx, case.id)
        .await?
        .iter()
        .filter(|a| a.user_id == leaving.id && a.unassigned_on.is_none())
        .map(|a| a.assigned_on)
        .max()
        .unwrap_or(case.opened_on);
    let today = vaka_domain::time::local_date(vaka_store::now());
    let day = vaka_domain::case::unassignment_day(req.unassigned_on.as_deref(), since, today)?;
    cases::end_manager(&mut tx, case.id, leaving.id, day, *successor).await?;
    entry.detail = format!("{} case_manager={}", entry.detail, leaving.username);
    answer_case(tx, case.id, entry).await
}

/// The day and the case manager a reassignment or an addition names (`(case_manager,
/// assigned_on)` as sent), every wrong field reported at once: the day as
/// [`vaka_domain::case::assignment_day`] checks it against the opening and `current_since`, an
/// active case manager of the municipality, and 422 `already_case_manager` with `already_msg`
/// when `already` holds for them.
async fn day_and_manager(
    tx: &mut Tx,
    caller: &User,
    case: &Case,
    (case_manager, assigned_on): (Option<&str>, Option<&str>),
    current_since: Option<NaiveDate>,
    already: impl Fn(&User) -> bool,
    already_msg: Msg,
) -> Result<(NaiveDate, User), ApiError> {
    let today = vaka_domain::time::local_date(vaka_store::now());
    let mut errors = Vec::new();
    let day = vaka_domain::error::collect(
        vaka_domain::case::assignment_day(assigned_on, case.opened_on, current_since, today),
        &mut errors,
    );
    let manager = named_case_manager(tx, case_manager, caller, &mut errors).await?;
    if manager.as_ref().is_some_and(&already) {
        errors.push(FieldError::new(
            "case_manager",
            "already_case_manager",
            already_msg,
        ));
    }
    match (day, manager) {
        (Some(day), Some(manager)) if errors.is_empty() => Ok((day, manager)),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// The opening of a change to a case's case managers: the unit head's right to assign on the
/// case's client, and an open case (see [`open_case_to_change`]).
async fn open_case_to_assign(
    st: &AppState,
    actor: &crate::auth::Actor,
    raw: &str,
    path: &str,
) -> Result<(Tx, Case, vaka_store::NewAuditEntry), ApiError> {
    open_case_to_change(
        st,
        actor,
        raw,
        (Action::AssignCase, AuditAction::CaseReassign),
        path,
    )
    .await
}

/// The opening of a change to case `raw` by `POST /api/v1/cases/{id}/{path}`: the caller's right
/// to `action` on the case (403 for a role that never has it; checked and logged as [`case_for`]
/// does), the log entry `audit` for the change, and an open case (409 otherwise).
pub(crate) async fn open_case_to_change(
    st: &AppState,
    actor: &crate::auth::Actor,
    raw: &str,
    (action, audit): (Action, AuditAction),
    path: &str,
) -> Result<(Tx, Case, vaka_store::NewAuditEntry), ApiError> {
    if !access::may_ever(actor.user.role, action) {
        return Err(ApiError::Forbidden);
    }
    let id = CaseId(path_id(raw)?);
    let mut entry = actor.audit(audit, None, format!("POST /api/v1/cases/{}/{path}", id.0));
    entry.case_id = Some(id);
    let (tx, case) = case_for(st, &actor.user, id, action, &mut entry).await?;
    if case.status == CaseStatus::Closed {
        return Err(ApiError::Conflict(case_closed()));
    }
    Ok((tx, case, entry))
}

/// The case as it now stands, with its log entry, in the transaction that changed it.
async fn answer_case(
    mut tx: Tx,
    id: CaseId,
    entry: vaka_store::NewAuditEntry,
) -> Result<Json<CaseResponse>, ApiError> {
    let case = cases::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    let response = case_response(&mut tx, case).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(response))
}

/// An active case manager or unit head of the caller's municipality, by username. A name no user
/// could have is not looked up (PostgreSQL refuses text with a NUL in it).
pub(crate) async fn active_case_manager(
    tx: &mut Tx,
    username: &str,
    caller: &User,
) -> Result<Option<User>, ApiError> {
    if !vaka_domain::role::valid_username(username) {
        return Ok(None);
    }
    Ok(users::by_username(tx, username)
        .await?
        .map(|(u, _)| u)
        .filter(|u| {
            u.active
                && u.municipality_id == caller.municipality_id
                && matches!(u.role, Role::CaseManager | Role::UnitHead)
        }))
}

/// The active case manager a request names in `case_manager`; `None` with the field's error
/// (`required`, `unknown_case_manager`) added to `errors`.
async fn named_case_manager(
    tx: &mut Tx,
    raw: Option<&str>,
    caller: &User,
    errors: &mut Vec<FieldError>,
) -> Result<Option<User>, ApiError> {
    let Some(name) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        errors.push(FieldError::required("case_manager"));
        return Ok(None);
    };
    let found = active_case_manager(tx, name, caller).await?;
    if found.is_none() {
        errors.push(unknown_case_manager());
    }
    Ok(found)
}

pub(crate) fn unknown_case_manager() -> FieldError {
    FieldError::new(
        "case_manager",
        "unknown_case_manager",
        Msg::new(
            "Ingen aktiv handläggare/case manager med det användarnamnet.",
            "No active case manager with that username.",
        ),
    )
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct HandoverRequest {
    /// The username of the case manager who takes over.
    pub case_manager: Option<String>,
    /// `YYYY-MM-DD`, default today: the day the new case manager takes over every case.
    pub assigned_on: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HandedOver {
    pub case_id: i64,
    pub client_id: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HandoverResponse {
    /// Whose cases were handed over.
    pub from: String,
    /// Who has them now.
    pub case_manager: String,
    pub assigned_on: NaiveDate,
    pub cases: Vec<HandedOver>,
}

/// Hand every open case of the unit that one case manager has to another (someone who leaves,
/// or is away for long): one transaction; on each case the new one takes the leaving one's place
/// (others who share the case keep it; the client's alerts that followed the leaving one
/// follow), one access-log entry per case. The unit head's; `{username}` is the one whose cases
/// go.
#[utoipa::path(post, path = "/api/v1/users/{username}/handover", request_body = HandoverRequest, tag = "cases",
    params(("username" = String, Path)),
    responses((status = 200, body = HandoverResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such user in the municipality"),
        (status = 422, body = ErrorBody, description = "Unknown receiver or a day before a case's current assignment")))]
pub async fn hand_over_cases(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(from): Path<String>,
    JsonBody(req): JsonBody<HandoverRequest>,
) -> Result<Json<HandoverResponse>, ApiError> {
    if !access::may_ever(actor.user.role, Action::AssignCase) {
        return Err(ApiError::Forbidden);
    }
    let unit = actor.user.unit_id.ok_or(ApiError::Forbidden)?;
    let mut tx = st.store.begin().await?;
    let leaving = super::users::account(&mut tx, &actor, &from).await?;
    let held = cases::open_in_unit_for_manager(&mut tx, leaving.id, unit).await?;
    let today = vaka_domain::time::local_date(vaka_store::now());
    let mut errors = Vec::new();
    let receiver = named_case_manager(
        &mut tx,
        req.case_manager.as_deref(),
        &actor.user,
        &mut errors,
    )
    .await?
    .filter(|u| u.id != leaving.id);
    if receiver.is_none() && errors.is_empty() {
        errors.push(FieldError::new(
            "case_manager",
            "same_case_manager",
            Msg::new(
                "Välj någon annan än den som lämnar över.",
                "Choose someone other than the one handing over.",
            ),
        ));
    }
    // The day must suit every case: not before any of them began with its current case manager.
    let mut day = None;
    for k in &held {
        match vaka_domain::case::assignment_day(
            req.assigned_on.as_deref(),
            k.opened_on,
            Some(k.assigned_on),
            today,
        ) {
            Ok(d) => day = Some(d),
            Err(e) => {
                errors.push(e);
                break;
            }
        }
    }
    if held.is_empty() {
        day = Some(vaka_domain::error::collect(
            vaka_domain::error::day_up_to_today("assigned_on", req.assigned_on.as_deref(), today),
            &mut errors,
        ))
        .flatten();
    }
    let (Some(receiver), Some(day)) = (receiver, day) else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let detail = format!(
        "POST /api/v1/users/{}/handover case_manager={}",
        leaving.username, receiver.username
    );
    for k in &held {
        cases::replace_manager(&mut tx, k.id, leaving.id, receiver.id, day).await?;
        let mut entry = actor.audit(AuditAction::CaseReassign, Some(k.client_id), detail.clone());
        entry.case_id = Some(k.id);
        tx.audit(entry);
    }
    tx.commit().await?;
    Ok(Json(HandoverResponse {
        from: leaving.username,
        case_manager: receiver.username,
        assigned_on: day,
        cases: held
            .iter()
            .map(|k| HandedOver {
                case_id: k.id.0,
                client_id: k.client_id.0,
            })
            .collect(),
    }))
}
