//! `/api/v1/settings/alerts` and `/api/v1/settings/screening`: the municipality's alert thresholds
//! and screening cut-offs. Unit heads and admins change them; each change is one transaction and
//! one access-log entry naming the keys.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::{self, Action};
use vaka_domain::alert::settings::AlertSettings;
use vaka_domain::assessment::CutoffProfile;
use vaka_domain::placement::DayCount;
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, settings};

use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertSettingsResponse {
    /// Every threshold with its value in force: `well_being_drop`, `well_being_low`,
    /// `baseline_days`, `no_shows_in_a_row`, `placement_ending_days`, and
    /// `contact_interval.<intervention>` (days; 0 = no rule).
    pub settings: BTreeMap<String, i64>,
    /// The values Vaka uses when a municipality sets nothing.
    pub defaults: BTreeMap<String, i64>,
}

fn as_map(s: &AlertSettings) -> BTreeMap<String, i64> {
    s.pairs()
        .into_iter()
        .map(|(k, v)| (k, v.parse().unwrap_or_default()))
        .collect()
}

/// A setting's value as text: a number or a name; anything else is reported under its key.
fn value_text(
    key: &str,
    value: &serde_json::Value,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) => Some(s.clone()),
        _ => {
            errors.push(FieldError::new(
                key,
                "not_a_number",
                Msg::new(
                    "Ange ett heltal (eller, för `profile`, ett profilnamn).",
                    "Give a whole number (or, for `profile`, a profile name).",
                ),
            ));
            None
        }
    }
}

fn may_manage(actor: &Actor) -> Result<(), ApiError> {
    if access::may_ever(actor.user.role, Action::ManageSettings) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The alert thresholds of the caller's municipality.
#[utoipa::path(get, path = "/api/v1/settings/alerts", tag = "settings",
    responses((status = 200, body = AlertSettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_alert_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<AlertSettingsResponse>, ApiError> {
    may_manage(&actor)?;
    let mut tx = st.store.begin_read().await?;
    let current = settings::alert_settings(&mut tx, actor.user.municipality_id).await?;
    tx.commit().await?;
    Ok(Json(AlertSettingsResponse {
        settings: as_map(&current),
        defaults: as_map(&AlertSettings::default()),
    }))
}

/// Change some thresholds: `{"well_being_low": 2, "contact_interval.case_management": 3}`. Every
/// key is checked first; one bad key or value (422, naming it) changes nothing.
#[utoipa::path(put, path = "/api/v1/settings/alerts", tag = "settings", request_body = BTreeMap<String, i64>,
    responses((status = 200, body = AlertSettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Unknown key or value out of range, named in `error.field`")))]
pub async fn put_alert_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(changes): JsonBody<BTreeMap<String, serde_json::Value>>,
) -> Result<Json<AlertSettingsResponse>, ApiError> {
    may_manage(&actor)?;
    let mut tx = st.store.begin().await?;
    let mut next = settings::alert_settings(&mut tx, actor.user.municipality_id).await?;
    let mut errors = Vec::new();
    let mut texts = Vec::new();
    for (key, value) in &changes {
        let Some(text) = value_text(key, value, &mut errors) else {
            continue;
        };
        match next.set(key, &text) {
            Ok(()) => texts.push((key.clone(), next.get(key).unwrap_or(text))),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    if texts.is_empty() {
        return Err(FieldError::required("settings").into());
    }
    for (key, value) in &texts {
        settings::put(
            &mut tx,
            actor.user.municipality_id,
            key,
            value,
            Some(actor.user.id),
        )
        .await?;
    }
    let detail = texts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    tx.audit(actor.audit(
        AuditAction::SettingsUpdate,
        None,
        format!("PUT /api/v1/settings/alerts {detail}"),
    ));
    tx.commit().await?;
    Ok(Json(AlertSettingsResponse {
        settings: as_map(&next),
        defaults: as_map(&AlertSettings::default()),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScreeningSettingsResponse {
    /// `profile` (`se_practice` or `who_2001`) and the cut-offs in force: `audit_men`,
    /// `audit_women`, `audit_over_65`, `dudit_men`, `dudit_women`, `dudit_young_men`,
    /// `dudit_young_women`, `dudit_dependence`.
    pub settings: BTreeMap<String, String>,
    pub defaults: BTreeMap<String, String>,
}

fn profile_map(p: &CutoffProfile) -> BTreeMap<String, String> {
    p.pairs()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// The screening cut-off profile of the caller's municipality.
#[utoipa::path(get, path = "/api/v1/settings/screening", tag = "settings",
    responses((status = 200, body = ScreeningSettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_screening_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ScreeningSettingsResponse>, ApiError> {
    may_manage(&actor)?;
    let mut tx = st.store.begin_read().await?;
    let current = settings::screening_profile(&mut tx, actor.user.municipality_id).await?;
    tx.commit().await?;
    Ok(Json(ScreeningSettingsResponse {
        settings: profile_map(&current),
        defaults: profile_map(&CutoffProfile::default()),
    }))
}

/// Change the screening profile: `{"profile": "who_2001"}` starts from a built-in profile (and
/// clears earlier single changes), `{"audit_women": 7}` changes one cut-off. Every key is checked
/// first; one bad key or value (422, naming it) changes nothing.
#[utoipa::path(put, path = "/api/v1/settings/screening", tag = "settings", request_body = BTreeMap<String, String>,
    responses((status = 200, body = ScreeningSettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Unknown key or value out of range, named in `error.field`")))]
pub async fn put_screening_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(changes): JsonBody<BTreeMap<String, serde_json::Value>>,
) -> Result<Json<ScreeningSettingsResponse>, ApiError> {
    may_manage(&actor)?;
    let mut tx = st.store.begin().await?;
    let mut next = settings::screening_profile(&mut tx, actor.user.municipality_id).await?;
    let mut errors = Vec::new();
    // The profile first: it resets the single values.
    let mut ordered: Vec<_> = changes.iter().collect();
    ordered.sort_by_key(|(k, _)| k.as_str() != "profile");
    for (key, value) in &ordered {
        let Some(text) = value_text(key, value, &mut errors) else {
            continue;
        };
        if let Err(e) = next.set(key, &text) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    if changes.is_empty() {
        return Err(FieldError::required("settings").into());
    }
    // Store the whole profile, so that what is in force is exactly what was shown.
    for (key, value) in next.pairs() {
        settings::put(
            &mut tx,
            actor.user.municipality_id,
            &format!("{}{key}", settings::SCREENING),
            &value,
            Some(actor.user.id),
        )
        .await?;
    }
    let detail = ordered
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    tx.audit(actor.audit(
        AuditAction::SettingsUpdate,
        None,
        format!("PUT /api/v1/settings/screening {detail}"),
    ));
    tx.commit().await?;
    Ok(Json(ScreeningSettingsResponse {
        settings: profile_map(&next),
        defaults: profile_map(&CutoffProfile::default()),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EconomySettingsResponse {
    /// How a placement's paid days are counted: `nights` (default: the day of arrival counts, the
    /// day of departure does not) or `calendar_days` (both count).
    pub day_count: DayCount,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EconomySettingsRequest {
    pub day_count: Option<String>,
}

/// The economy settings of the caller's municipality.
#[utoipa::path(get, path = "/api/v1/settings/economy", tag = "settings",
    responses((status = 200, body = EconomySettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_economy_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<EconomySettingsResponse>, ApiError> {
    may_manage(&actor)?;
    let mut tx = st.store.begin_read().await?;
    let day_count = settings::day_count(&mut tx, actor.user.municipality_id).await?;
    tx.commit().await?;
    Ok(Json(EconomySettingsResponse { day_count }))
}

/// Change how placement days are counted: `{"day_count": "calendar_days"}`. Every cost, invoice
/// check and forecast uses it from then on; the budget is checked again at once.
#[utoipa::path(put, path = "/api/v1/settings/economy", tag = "settings", request_body = EconomySettingsRequest,
    responses((status = 200, body = EconomySettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Unknown value, named in `error.field`")))]
pub async fn put_economy_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<EconomySettingsRequest>,
) -> Result<Json<EconomySettingsResponse>, ApiError> {
    may_manage(&actor)?;
    let day_count =
        vaka_domain::error::required_name::<DayCount>("day_count", req.day_count.as_deref())?;
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin().await?;
    settings::put(
        &mut tx,
        muni,
        "economy.day_count",
        day_count.as_str(),
        Some(actor.user.id),
    )
    .await?;
    crate::api::economy::check_budget(&mut tx, muni, crate::api::today()).await?;
    tx.audit(actor.audit(
        AuditAction::SettingsUpdate,
        None,
        format!("PUT /api/v1/settings/economy day_count={day_count}"),
    ));
    tx.commit().await?;
    Ok(Json(EconomySettingsResponse { day_count }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RetentionSettingsResponse {
    /// Every file is kept for research (a municipality in the representative selection).
    pub research_municipality: bool,
    /// A hold on every purge, with its reason (`null`: none).
    pub hold: Option<String>,
    /// Holds on single files: client id (as a string key) → reason.
    #[schema(value_type = BTreeMap<String, String>)]
    pub client_holds: BTreeMap<i64, String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettingsRequest {
    pub research_municipality: Option<bool>,
    /// A reason holds every purge; `""` lifts the hold.
    pub hold: Option<String>,
    /// Client id → reason; `""` lifts that file's hold. Files not named keep theirs.
    #[serde(default)]
    pub client_holds: BTreeMap<String, String>,
}

async fn retention_response(
    tx: &mut vaka_store::Tx,
    muni: vaka_domain::ids::MunicipalityId,
) -> Result<RetentionSettingsResponse, ApiError> {
    let (rules, holds) = vaka_store::retention::rules(tx, muni).await?;
    Ok(RetentionSettingsResponse {
        research_municipality: rules.research_municipality,
        hold: rules.hold,
        client_holds: holds.into_iter().map(|(k, v)| (k.0, v)).collect(),
    })
}

/// The retention (gallring) settings of the caller's municipality: what `vaka purge` goes by.
#[utoipa::path(get, path = "/api/v1/settings/retention", tag = "settings",
    responses((status = 200, body = RetentionSettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_retention_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<RetentionSettingsResponse>, ApiError> {
    may_manage(&actor)?;
    let mut tx = st.store.begin_read().await?;
    let out = retention_response(&mut tx, actor.user.municipality_id).await?;
    tx.rollback().await?;
    Ok(Json(out))
}

/// Change the retention settings: `{"hold": "IVO-tillsyn"}` holds every purge,
/// `{"client_holds": {"12": "JO-anmälan"}}` holds one file, `""` lifts a hold.
#[utoipa::path(put, path = "/api/v1/settings/retention", tag = "settings", request_body = RetentionSettingsRequest,
    responses((status = 200, body = RetentionSettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A client that is not the municipality's, named in `error.field`")))]
pub async fn put_retention_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<RetentionSettingsRequest>,
) -> Result<Json<RetentionSettingsResponse>, ApiError> {
    use vaka_store::retention::{HOLD, HOLD_CLIENT, RESEARCH_MUNICIPALITY};
    may_manage(&actor)?;
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin().await?;
    let mut changed = Vec::new();
    for (id, reason) in &req.client_holds {
        let field = format!("client_holds.{id}");
        let client = id.parse::<i64>().ok().map(vaka_domain::ids::ClientId);
        let known = match client {
            Some(c) => vaka_store::clients::get(&mut tx, c)
                .await?
                .is_some_and(|k| k.municipality_id == muni),
            None => false,
        };
        if !known {
            return Err(FieldError::new(
                field,
                "unknown_client",
                Msg::new(
                    "Ingen klient med det id:t i kommunen.",
                    "No client with that id in the municipality.",
                ),
            )
            .into());
        }
        let key = format!("{HOLD_CLIENT}{id}");
        settings::put(&mut tx, muni, &key, reason.trim(), Some(actor.user.id)).await?;
        changed.push(key);
    }
    if let Some(r) = req.research_municipality {
        let v = if r { "true" } else { "false" };
        settings::put(&mut tx, muni, RESEARCH_MUNICIPALITY, v, Some(actor.user.id)).await?;
        changed.push(RESEARCH_MUNICIPALITY.to_owned());
    }
    if let Some(h) = &req.hold {
        settings::put(&mut tx, muni, HOLD, h.trim(), Some(actor.user.id)).await?;
        changed.push(HOLD.to_owned());
    }
    let out = retention_response(&mut tx, muni).await?;
    tx.audit(actor.audit(
        AuditAction::SettingsUpdate,
        None,
        format!("PUT /api/v1/settings/retention {}", changed.join(" ")),
    ));
    tx.commit().await?;
    Ok(Json(out))
}
