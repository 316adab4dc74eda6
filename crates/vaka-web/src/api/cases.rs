//! `/api/v1/cases`: open a case for a client and assign its case manager.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::{self, Action};
use vaka_domain::case::{CaseOrigin, CaseStatus};
use vaka_domain::ids::{CaseId, ClientId};
use vaka_domain::role::Role;
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, cases, clients, users};

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
    /// Usernames of the assigned case managers.
    pub case_managers: Vec<String>,
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
    let manager = users::by_username(&mut tx, manager_name)
        .await?
        .map(|(u, _)| u)
        .filter(|u| {
            u.active
                && u.municipality_id == actor.user.municipality_id
                && matches!(u.role, Role::CaseManager | Role::UnitHead)
        })
        .ok_or_else(|| {
            FieldError::new(
                "case_manager",
                "unknown_case_manager",
                Msg::new(
                    "Ingen aktiv handläggare/case manager med det användarnamnet.",
                    "No active case manager with that username.",
                ),
            )
        })?;
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
            case_managers: vec![manager.username],
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
    let origin = cases::origin(&mut tx, id)
        .await?
        .unwrap_or(CaseOrigin::Other);
    let mut managers = Vec::with_capacity(case.case_managers.len());
    for m in &case.case_managers {
        if let Some(u) = users::get(&mut tx, *m).await? {
            managers.push(u.username);
        }
    }
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(CaseResponse {
        id: case.id.0,
        client_id: case.client_id.0,
        unit_id: case.unit_id.0,
        status: case.status,
        origin,
        opened_on: case.opened_on,
        case_managers: managers,
    }))
}
