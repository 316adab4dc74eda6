//! `/api/v1/clients`: register, read, correct and list clients.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vaka_domain::access::{self, Action};
use vaka_domain::client::{Client, ClientInput, NewClient, Protection, Sex};
use vaka_domain::ids::ClientId;
use vaka_domain::personal_number::NumberKind;
use vaka_domain::role::{Role, User};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, clients};

use super::{int_param, path_id};
use crate::AppState;
use crate::auth::ApiActor;
use crate::body::JsonBody;
use crate::client_access;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateClientRequest {
    /// Personnummer (`YYMMDD-NNNN`, `YYYYMMDDNNNN`, `+` for 100 or older), samordningsnummer, or
    /// reservnummer (`YYYYMMDD-RNNN`).
    #[schema(example = "19121212-1212")]
    pub personal_number: Option<String>,
    #[schema(example = "Tolvan")]
    pub given_name: Option<String>,
    #[schema(example = "Tolvansson")]
    pub family_name: Option<String>,
    /// Legal sex of record; by default read from the number.
    pub sex: Option<String>,
    /// `none`, `confidentiality_mark`, `protected_registration` or `assumed_identity`.
    pub protection: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

impl CreateClientRequest {
    /// The posted fields, as the domain reads them.
    pub fn input(&self) -> ClientInput<'_> {
        ClientInput {
            personal_number: self.personal_number.as_deref(),
            given_name: self.given_name.as_deref(),
            family_name: self.family_name.as_deref(),
            sex: self.sex.as_deref(),
            protection: self.protection.as_deref(),
            address: self.address.as_deref(),
            phone: self.phone.as_deref(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClientResponse {
    pub id: i64,
    /// Normalised: 12 characters, `YYYYMMDDNNNN` (reservnummer `YYYYMMDDRNNN`).
    pub personal_number: String,
    pub personal_number_kind: NumberKind,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// `(skyddad)` for a protected identity the caller may not see.
    pub given_name: String,
    pub family_name: String,
    pub protection: Protection,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub unit_id: i64,
    pub created_at: DateTime<Utc>,
}

impl ClientResponse {
    /// The client as `viewer` may see it: protected identities hide name and address.
    pub fn for_viewer(c: Client, viewer: &User) -> Self {
        let hide = c.protection.is_protected() && !viewer.may_see_protected;
        let hidden = || "(skyddad)".to_owned();
        Self {
            id: c.id.0,
            personal_number: c.personal_number.canonical().to_owned(),
            personal_number_kind: c.personal_number.kind(),
            birth_date: c.birth_date,
            sex: c.sex,
            given_name: if hide { hidden() } else { c.given_name },
            family_name: if hide { hidden() } else { c.family_name },
            protection: c.protection,
            address: if hide { None } else { c.address },
            phone: if hide { None } else { c.phone },
            unit_id: c.unit_id.0,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientResponse>,
    /// How many clients the caller may see in all.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// 1–500, default 50.
    pub limit: Option<String>,
    /// Default 0.
    pub offset: Option<String>,
}

/// Register a client in the caller's unit.
#[utoipa::path(post, path = "/api/v1/clients", request_body = CreateClientRequest, tag = "clients",
    responses((status = 201, body = ClientResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The personal number is already registered"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_client(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<CreateClientRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let unit = actor
        .user
        .unit_id
        .filter(|_| access::may_ever(actor.user.role, Action::CreateClient))
        .ok_or(ApiError::Forbidden)?;
    let today = vaka_domain::time::local_date(vaka_store::now());
    let new = NewClient::parse(&req.input(), today)?;
    let mut tx = st.store.begin().await?;
    let id = clients::insert(
        &mut tx,
        actor.user.municipality_id,
        unit,
        &new,
        Some(actor.user.id),
    )
    .await?;
    tx.audit(actor.audit(AuditAction::ClientCreate, Some(id), "POST /api/v1/clients"));
    let client = clients::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/clients/{}", id.0))],
        Json(ClientResponse::for_viewer(client, &actor.user)),
    ))
}

/// Read one client. Unknown ids and clients outside the caller's rights both answer 404.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = i64, Path)),
    responses((status = 200, body = ClientResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_client(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<ClientResponse>, ApiError> {
    let id = ClientId(path_id(&raw)?);
    let detail = format!("GET /api/v1/clients/{}", id.0);
    let mut entry = actor.audit(AuditAction::ClientRead, Some(id), detail);
    let mut tx = client_access::authorize(
        st.store.begin_read().await?,
        &actor.user,
        id,
        Action::ReadClient,
        &mut entry,
    )
    .await?;
    let client = clients::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(ClientResponse::for_viewer(client, &actor.user)))
}

/// Correct a client's details: the whole record as for registering (an omitted `sex` is read from
/// the number again; an omitted `address` or `phone` is cleared). A reservnummer becomes the
/// personnummer once the identity is known. The access-log entry names the changed fields, not
/// their values. A protected identity the caller may not see cannot be changed by them.
#[utoipa::path(put, path = "/api/v1/clients/{id}", request_body = CreateClientRequest, tag = "clients",
    params(("id" = i64, Path)),
    responses((status = 200, body = ClientResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Another client has the number"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn update_client(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<CreateClientRequest>,
) -> Result<Json<ClientResponse>, ApiError> {
    if !access::may_ever(actor.user.role, Action::WriteClient) {
        return Err(ApiError::Forbidden);
    }
    let id = ClientId(path_id(&raw)?);
    let detail = format!("PUT /api/v1/clients/{}", id.0);
    let mut entry = actor.audit(AuditAction::ClientUpdate, Some(id), detail);
    let mut tx = client_access::authorize(
        st.store.begin().await?,
        &actor.user,
        id,
        Action::WriteClient,
        &mut entry,
    )
    .await?;
    let client = clients::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    if client.protection.is_protected() && !actor.user.may_see_protected {
        entry.action = AuditAction::AccessDenied;
        tx.audit(entry);
        tx.commit().await?;
        return Err(ApiError::Forbidden);
    }
    let today = vaka_domain::time::local_date(vaka_store::now());
    let new = NewClient::parse(&req.input(), today)?;
    let changed = client.changed_fields(&new);
    if !changed.is_empty() {
        clients::update(&mut tx, id, &new).await?;
        entry.detail = format!("{} changed={}", entry.detail, changed.join(","));
    }
    let client = clients::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(ClientResponse::for_viewer(client, &actor.user)))
}

/// List the clients the caller may see: a case manager's assigned clients, a unit head's unit.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ListParams),
    responses((status = 200, body = ClientList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_clients(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<ListParams>,
) -> Result<Json<ClientList>, ApiError> {
    let limit = int_param("limit", p.limit.as_deref(), 50, 1, 500)?;
    let offset = int_param("offset", p.offset.as_deref(), 0, 0, i64::MAX / 2)?;
    let scope = match (actor.user.role, actor.user.unit_id) {
        (Role::CaseManager, _) => clients::Scope::AssignedTo(actor.user.id),
        (Role::UnitHead, Some(unit)) => clients::Scope::Unit(unit),
        _ => return Err(ApiError::Forbidden),
    };
    let mut tx = st.store.begin_read().await?;
    let (items, total) = clients::list(&mut tx, scope, limit, offset).await?;
    tx.audit(actor.audit_list(
        AuditAction::ClientList,
        items.iter().map(|c| c.id),
        "GET /api/v1/clients",
    ));
    tx.commit().await?;
    Ok(Json(ClientList {
        items: items
            .into_iter()
            .map(|c| ClientResponse::for_viewer(c, &actor.user))
            .collect(),
        total,
        limit,
        offset,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EmergencyAccessRequest {
    /// Why the record must be opened now (at least 10 characters). Shown in every log review.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmergencyAccessResponse {
    pub client_id: i64,
    pub reason: String,
    /// Reading is allowed until then; writing never is.
    pub expires_at: DateTime<Utc>,
}

/// Emergency access (nödåtkomst): open a client outside one's rights, for a while, with a reason.
/// Always logged and always shown in the log review.
#[utoipa::path(post, path = "/api/v1/clients/{id}/emergency-access", tag = "clients", params(("id" = i64, Path)),
    request_body = EmergencyAccessRequest,
    responses((status = 201, body = EmergencyAccessResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "No reason, or too short")))]
pub async fn emergency_access(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<EmergencyAccessRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let id = ClientId(path_id(&raw)?);
    let (reason, expires_at) =
        grant_emergency(&st, &actor, id, req.reason.as_deref().unwrap_or("")).await?;
    Ok((
        StatusCode::CREATED,
        Json(EmergencyAccessResponse {
            client_id: id.0,
            reason,
            expires_at,
        }),
    ))
}

/// Checks and records an emergency grant; shared with the form in the UI.
pub async fn grant_emergency(
    st: &AppState,
    actor: &crate::auth::Actor,
    id: ClientId,
    reason: &str,
) -> Result<(String, DateTime<Utc>), ApiError> {
    if !access::may_request_emergency_access(actor.user.role) {
        return Err(ApiError::Forbidden);
    }
    let reason = vaka_domain::error::required_text("reason", reason, 500)?;
    if reason.chars().count() < access::EMERGENCY_REASON_MIN_CHARS {
        return Err(vaka_domain::FieldError::new(
            "reason",
            "reason_too_short",
            vaka_domain::Msg::new(
                format!(
                    "Skriv skälet med minst {} tecken.",
                    access::EMERGENCY_REASON_MIN_CHARS
                ),
                format!(
                    "Give the reason in at least {} characters.",
                    access::EMERGENCY_REASON_MIN_CHARS
                ),
            ),
        )
        .into());
    }
    let now = vaka_store::now();
    let expires_at = now
        + chrono::Duration::from_std(st.config.emergency_duration)
            .unwrap_or(chrono::Duration::hours(2));
    let mut tx = st.store.begin().await?;
    if clients::relation(&mut tx, &actor.user, id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    vaka_store::emergency::grant(&mut tx, actor.user.id, id, &reason, now, expires_at).await?;
    let mut entry = actor.audit(
        AuditAction::EmergencyAccess,
        Some(id),
        format!("emergency access to client {}", id.0),
    );
    entry.emergency_reason = Some(reason.clone());
    tx.audit(entry);
    tx.commit().await?;
    Ok((reason, expires_at))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TransferRequest {
    /// The receiving unit, of the same municipality.
    pub unit_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TransferResponse {
    pub client_id: i64,
    pub unit_id: i64,
}

/// Move a client to another unit of the municipality (the unit head of the client's unit): the
/// open cases go with them and their assignments end today, so the receiving unit's head names the
/// case manager; the unresolved alerts are no one's until then. The sender no longer reaches the
/// client.
#[utoipa::path(post, path = "/api/v1/clients/{id}/transfer", tag = "clients", params(("id" = i64, Path)),
    request_body = TransferRequest,
    responses((status = 200, body = TransferResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn transfer_client(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<TransferRequest>,
) -> Result<Json<TransferResponse>, ApiError> {
    if !access::may_ever(actor.user.role, Action::TransferClient) {
        return Err(ApiError::Forbidden);
    }
    let id = ClientId(path_id(&raw)?);
    let mut entry = actor.audit(
        AuditAction::ClientTransfer,
        Some(id),
        format!("POST /api/v1/clients/{}/transfer", id.0),
    );
    let mut tx = client_access::authorize(
        st.store.begin().await?,
        &actor.user,
        id,
        Action::TransferClient,
        &mut entry,
    )
    .await?;
    let Some(unit) = req.unit_id else {
        return Err(FieldError::required("unit_id").into());
    };
    let units = vaka_store::municipalities::units(&mut tx, actor.user.municipality_id).await?;
    let Some(unit) = units.into_iter().find(|u| u.id.0 == unit).map(|u| u.id) else {
        return Err(FieldError::new(
            "unit_id",
            "unknown_unit",
            Msg::new(
                "Ingen sådan enhet i kommunen.",
                "No such unit in the municipality.",
            ),
        )
        .into());
    };
    let today = vaka_domain::time::local_date(vaka_store::now());
    if !clients::transfer(&mut tx, id, unit, today).await? {
        return Err(FieldError::new(
            "unit_id",
            "same_unit",
            Msg::new(
                "Klienten hör redan till den enheten.",
                "The client belongs to that unit already.",
            ),
        )
        .into());
    }
    entry.detail = format!("{} to_unit={}", entry.detail, unit.0);
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(TransferResponse {
        client_id: id.0,
        unit_id: unit.0,
    }))
}
