//! `/api/v1/intakes`: a person comes to the unit (aktualisering). One call registers the person when
//! they are new, or finds them when the unit knows them already (a person who comes back), and
//! opens a case with its case manager; in one transaction, so nothing is half-written.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::{self, Action};
use vaka_domain::case::opening;
use vaka_domain::client::{ClientInput, NewClient};
use vaka_domain::error::collect;
use vaka_domain::personal_number::PersonalNumber;
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, cases, clients};

use super::cases::{active_case_manager, unknown_case_manager};
use crate::AppState;
use crate::auth::ApiActor;
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IntakeRequest {
    /// Personnummer, samordningsnummer or reservnummer, as for `POST /api/v1/clients`.
    #[schema(example = "19121212-1212")]
    pub personal_number: Option<String>,
    /// Required when the person is new to the municipality; ignored otherwise.
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub sex: Option<String>,
    pub protection: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// The username of the case manager; default the caller.
    pub case_manager: Option<String>,
    /// `YYYY-MM-DD`, default today (Europe/Stockholm).
    pub opened_on: Option<String>,
    /// `application` (default), `report`, `referral` or `other`.
    pub origin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IntakeResponse {
    pub client_id: i64,
    pub case_id: i64,
    /// `true` when the person was registered by this call, `false` when the unit knew them.
    pub client_created: bool,
}

fn other_unit() -> FieldError {
    FieldError::new(
        "personal_number",
        "registered_in_other_unit",
        Msg::new(
            "Personen är registrerad i en annan enhet; kontakta den enheten.",
            "The person is registered in another unit; contact that unit.",
        ),
    )
}

/// Register a person (or find them, when the unit knows them) and open a case for them.
#[utoipa::path(post, path = "/api/v1/intakes", request_body = IntakeRequest, tag = "cases",
    responses((status = 201, body = IntakeResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The person belongs to another unit, or has an open case already"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_intake(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<IntakeRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let user = &actor.user;
    let unit = user
        .unit_id
        .filter(|_| {
            access::may_ever(user.role, Action::CreateClient)
                && access::may_ever(user.role, Action::OpenCase)
        })
        .ok_or(ApiError::Forbidden)?;
    let today = vaka_domain::time::local_date(vaka_store::now());
    let mut errors = Vec::new();
    let number = match req
        .personal_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            errors.push(FieldError::required("personal_number"));
            None
        }
        Some(s) => collect(
            PersonalNumber::parse(s, today).map_err(|e| e.for_field("personal_number")),
            &mut errors,
        ),
    };
    let opened = opening(req.origin.as_deref(), req.opened_on.as_deref(), today)
        .map_err(|e| errors.extend(e))
        .ok();
    let manager_name = req
        .case_manager
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(&user.username);

    let mut tx = st.store.begin().await?;
    let manager = active_case_manager(&mut tx, manager_name, user).await?;
    if manager.is_none() {
        errors.push(unknown_case_manager());
    }
    let found = match &number {
        Some(n) => clients::by_personal_number(&mut tx, user.municipality_id, n).await?,
        None => None,
    };
    if let Some((client, client_unit)) = found {
        let relation = clients::relation(&mut tx, user, client).await?;
        let allowed = client_unit == unit
            && relation.is_some_and(|r| access::permits(user.role, Action::OpenCase, r));
        if !allowed {
            // The caller has learnt that the person is known elsewhere: logged like a refusal.
            tx.audit(actor.audit(
                AuditAction::AccessDenied,
                Some(client),
                "POST /api/v1/intakes",
            ));
            tx.commit().await?;
            return Err(ApiError::Conflict(other_unit()));
        }
    }
    if let Some((client, _)) = found {
        let open = cases::for_client(&mut tx, client)
            .await?
            .into_iter()
            .find(|k| k.status == vaka_domain::case::CaseStatus::Open);
        if let Some(k) = open {
            return Err(ApiError::Conflict(FieldError::new(
                "personal_number",
                "open_case_exists",
                Msg::new(
                    format!(
                        "Personen har redan ett öppet ärende (nr {}); skriv i det i stället.",
                        k.id.0
                    ),
                    format!(
                        "The person already has an open case (no. {}); write in that one instead.",
                        k.id.0
                    ),
                ),
            )));
        }
    }
    let new_client = match found {
        Some(_) => None,
        None => NewClient::parse(
            &ClientInput {
                personal_number: req.personal_number.as_deref(),
                given_name: req.given_name.as_deref(),
                family_name: req.family_name.as_deref(),
                sex: req.sex.as_deref(),
                protection: req.protection.as_deref(),
                address: req.address.as_deref(),
                phone: req.phone.as_deref(),
            },
            today,
        )
        .map_err(|e| {
            // The number's own error is reported once, above.
            errors.extend(e.into_iter().filter(|x| x.field != "personal_number"));
        })
        .ok(),
    };
    let (Some(manager), Some((origin, opened_on))) = (manager, opened) else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let (client, created) = match (found, new_client) {
        (Some((client, _)), _) => (client, false),
        (None, Some(new)) => {
            let id =
                clients::insert(&mut tx, user.municipality_id, unit, &new, Some(user.id)).await?;
            tx.audit(actor.audit(AuditAction::ClientCreate, Some(id), "POST /api/v1/intakes"));
            (id, true)
        }
        (None, None) => return Err(ApiError::Invalid(errors)),
    };
    let case = cases::open(&mut tx, client, unit, opened_on, origin, &[manager.id]).await?;
    let mut entry = actor.audit(AuditAction::CaseOpen, Some(client), "POST /api/v1/intakes");
    entry.case_id = Some(case);
    tx.audit(entry);
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{}", case.0))],
        Json(IntakeResponse {
            client_id: client.0,
            case_id: case.0,
            client_created: created,
        }),
    ))
}
