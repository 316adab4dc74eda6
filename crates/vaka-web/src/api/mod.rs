//! The JSON API under `/api/v1`, and its OpenAPI document generated from these handlers.

pub mod alerts;
pub mod audit;
pub(crate) mod cases;
pub(crate) mod clients;
pub(crate) mod contacts;
pub(crate) mod decisions;
pub(crate) mod economy;
pub(crate) mod intakes;
mod measures;
pub(crate) mod outcomes;
pub(crate) mod placements;
pub(crate) mod plans;
pub(crate) mod settings;
pub(crate) mod users;

use axum::Json;
use axum::Router;
use axum::routing::{get, patch, post};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::error::{ApiError, ErrorBody, ErrorDetail};

pub use cases::{
    AssignmentResponse, CaseResponse, CloseCaseRequest, CreateCaseRequest, ReassignCaseRequest,
};
pub use clients::{ClientList, ClientResponse, CreateClientRequest, grant_emergency};
pub use intakes::{IntakeRequest, IntakeResponse};

#[derive(OpenApi)]
#[openapi(
    info(title = "Vaka API", version = "1", description = "Municipal addiction care. Every call needs `Authorization: Bearer <token>` (create one with `vaka token create`). Errors are `{\"error\": {\"code\", \"field\", \"message\", \"message_sv\", \"message_en\"}}`."),
    paths(clients::create_client, clients::get_client, clients::update_client, clients::transfer_client, clients::list_clients, cases::create_case, cases::get_case, cases::close_case, cases::reassign_case, cases::add_case_manager, cases::end_case_manager, cases::hand_over_cases, plans::get_plan, plans::create_goal, plans::review_goal, intakes::create_intake, clients::emergency_access,
        audit::list_audit, audit::review_entry, contacts::create_contact, contacts::list_contacts, contacts::update_contact,
        alerts::list_alerts, alerts::acknowledge, alerts::resolve, settings::get_alert_settings, settings::put_alert_settings,
        outcomes::create_assessment, outcomes::list_assessments, outcomes::create_follow_up, outcomes::list_follow_ups,
        outcomes::get_instrument, settings::get_screening_settings, settings::put_screening_settings, settings::get_economy_settings, settings::put_economy_settings, settings::get_retention_settings, settings::put_retention_settings,
        decisions::create_application, decisions::list_applications, decisions::create_recommendation, decisions::create_decision, decisions::get_decision,
        decisions::list_decisions, decisions::record_appeal, decisions::record_communication, decisions::decision_letter,
        placements::create_placement, placements::get_placement, placements::end_placement, placements::change_price,
        placements::import_invoices, placements::export_decisions, placements::export_placements,
        economy::create_provider, economy::list_providers, economy::get_provider, economy::create_contract, economy::create_inspection,
        economy::get_budget, economy::put_budget, economy::create_housing_unit, economy::get_housing, economy::create_incident,
        economy::enqueue, economy::dequeue, measures::get_measures,
        users::list_users, users::create_user, users::update_user, users::deactivate_user, users::activate_user, users::set_password, users::change_own_password, users::list_tokens, users::revoke_tokens),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(|| async { Json(ApiDoc::openapi()) }),
        )
        .route(
            "/api/v1/clients",
            post(clients::create_client).get(clients::list_clients),
        )
        .route(
            "/api/v1/clients/{id}",
            get(clients::get_client).put(clients::update_client),
        )
        .route(
            "/api/v1/clients/{id}/transfer",
            post(clients::transfer_client),
        )
        .route(
            "/api/v1/clients/{id}/emergency-access",
            post(clients::emergency_access),
        )
        .route(
            "/api/v1/clients/{id}/contacts",
            post(contacts::create_contact).get(contacts::list_contacts),
        )
        .route(
            "/api/v1/clients/{id}/contacts/{contact_id}",
            axum::routing::put(contacts::update_contact),
        )
        .route(
            "/api/v1/clients/{id}/contacts/{contact_id}/objections",
            post(contacts::create_objection),
        )
        .route(
            "/api/v1/clients/{id}/assessments",
            post(outcomes::create_assessment).get(outcomes::list_assessments),
        )
        .route(
            "/api/v1/clients/{id}/follow-ups",
            post(outcomes::create_follow_up).get(outcomes::list_follow_ups),
        )
        .route(
            "/api/v1/instruments/{instrument}",
            get(outcomes::get_instrument),
        )
        .route(
            "/api/v1/settings/screening",
            get(settings::get_screening_settings).put(settings::put_screening_settings),
        )
        .route("/api/v1/alerts", get(alerts::list_alerts))
        .route("/api/v1/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/api/v1/alerts/{id}/resolve", post(alerts::resolve))
        .route(
            "/api/v1/settings/economy",
            get(settings::get_economy_settings).put(settings::put_economy_settings),
        )
        .route(
            "/api/v1/settings/retention",
            get(settings::get_retention_settings).put(settings::put_retention_settings),
        )
        .route(
            "/api/v1/settings/alerts",
            get(settings::get_alert_settings).put(settings::put_alert_settings),
        )
        .route(
            "/api/v1/applications",
            get(decisions::list_applications).post(decisions::create_application),
        )
        .route(
            "/api/v1/recommendations",
            post(decisions::create_recommendation),
        )
        .route(
            "/api/v1/decisions",
            post(decisions::create_decision).get(decisions::list_decisions),
        )
        .route("/api/v1/decisions/{id}", get(decisions::get_decision))
        .route(
            "/api/v1/decisions/{id}/appeal",
            post(decisions::record_appeal),
        )
        .route(
            "/api/v1/decisions/{id}/communication",
            post(decisions::record_communication),
        )
        .route(
            "/api/v1/decisions/{id}/letter",
            get(decisions::decision_letter),
        )
        .route("/api/v1/placements", post(placements::create_placement))
        .route("/api/v1/placements/{id}", get(placements::get_placement))
        .route(
            "/api/v1/placements/{id}/end",
            post(placements::end_placement),
        )
        .route(
            "/api/v1/placements/{id}/prices",
            post(placements::change_price),
        )
        .route(
            "/api/v1/placements/{id}/incidents",
            post(economy::create_incident),
        )
        .route("/api/v1/invoices", post(placements::import_invoices))
        .route(
            "/api/v1/export/decisions.csv",
            get(placements::export_decisions),
        )
        .route(
            "/api/v1/export/placements.csv",
            get(placements::export_placements),
        )
        .route(
            "/api/v1/providers",
            post(economy::create_provider).get(economy::list_providers),
        )
        .route("/api/v1/providers/{id}", get(economy::get_provider))
        .route(
            "/api/v1/providers/{id}/contracts",
            post(economy::create_contract),
        )
        .route(
            "/api/v1/providers/{id}/inspections",
            post(economy::create_inspection),
        )
        .route("/api/v1/measures", get(measures::get_measures))
        .route("/api/v1/budget", get(economy::get_budget))
        .route(
            "/api/v1/budget/{year}",
            axum::routing::put(economy::put_budget),
        )
        .route("/api/v1/housing", get(economy::get_housing))
        .route("/api/v1/housing-units", post(economy::create_housing_unit))
        .route("/api/v1/housing/queue", post(economy::enqueue))
        .route("/api/v1/housing/queue/{id}/remove", post(economy::dequeue))
        .route("/api/v1/audit", get(audit::list_audit))
        .route("/api/v1/audit/{id}/review", post(audit::review_entry))
        .route("/api/v1/cases", post(cases::create_case))
        .route("/api/v1/cases/{id}", get(cases::get_case))
        .route("/api/v1/cases/{id}/close", post(cases::close_case))
        .route("/api/v1/intakes", post(intakes::create_intake))
        .route("/api/v1/cases/{id}/reassign", post(cases::reassign_case))
        .route(
            "/api/v1/cases/{id}/case-managers",
            post(cases::add_case_manager),
        )
        .route(
            "/api/v1/cases/{id}/case-managers/end",
            post(cases::end_case_manager),
        )
        .route("/api/v1/cases/{id}/plan", get(plans::get_plan))
        .route("/api/v1/cases/{id}/plan/goals", post(plans::create_goal))
        .route("/api/v1/cases/{id}/plan/reviews", post(plans::review_goal))
        .route(
            "/api/v1/users/{username}/handover",
            post(cases::hand_over_cases),
        )
        .route(
            "/api/v1/users",
            get(users::list_users).post(users::create_user),
        )
        .route("/api/v1/users/{username}", patch(users::update_user))
        .route(
            "/api/v1/users/{username}/deactivate",
            post(users::deactivate_user),
        )
        .route(
            "/api/v1/users/{username}/activate",
            post(users::activate_user),
        )
        .route(
            "/api/v1/users/{username}/password",
            post(users::set_password),
        )
        .route("/api/v1/users/{username}/tokens", get(users::list_tokens))
        .route(
            "/api/v1/users/{username}/tokens/revoke",
            post(users::revoke_tokens),
        )
        .route("/api/v1/account/password", post(users::change_own_password))
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(|| async { ApiError::NotFound }),
        )
}

/// Parses an optional integer query parameter within bounds, naming it when it is wrong.
pub(crate) fn int_param(
    name: &str,
    value: Option<&str>,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, ApiError> {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(vaka_domain::FieldError::new(
            name,
            "out_of_range",
            vaka_domain::Msg::new(
                format!("Ange ett heltal {min}–{max}."),
                format!("Give a whole number {min}–{max}."),
            ),
        )
        .into()),
    }
}

/// Parses a path id; anything that is not a positive integer is simply not found.
pub(crate) fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ApiError::NotFound)
}

/// Opens a write transaction and checks `action` on the client; a refusal is logged and answered
/// 404 (see [`crate::client_access::authorize`]).
pub(crate) async fn authorised(
    st: &AppState,
    actor: &crate::auth::Actor,
    client: vaka_domain::ids::ClientId,
    action: vaka_domain::access::Action,
    entry: &mut vaka_store::NewAuditEntry,
) -> Result<vaka_store::Tx, ApiError> {
    crate::client_access::authorize(st.store.begin().await?, &actor.user, client, action, entry)
        .await
}

/// [`authorised`] for a handler that only reads: the transaction does not hold SQLite's write
/// lock, and its access-log entries are group-committed before the answer leaves.
pub(crate) async fn authorised_read(
    st: &AppState,
    actor: &crate::auth::Actor,
    client: vaka_domain::ids::ClientId,
    action: vaka_domain::access::Action,
    entry: &mut vaka_store::NewAuditEntry,
) -> Result<vaka_store::Tx, ApiError> {
    crate::client_access::authorize(
        st.store.begin_read().await?,
        &actor.user,
        client,
        action,
        entry,
    )
    .await
}

/// Usernames by user id, each looked up once.
pub(crate) async fn usernames(
    tx: &mut vaka_store::Tx,
    ids: impl IntoIterator<Item = vaka_domain::ids::UserId>,
) -> Result<std::collections::BTreeMap<i64, String>, ApiError> {
    let mut names = std::collections::BTreeMap::new();
    for id in ids {
        if let std::collections::btree_map::Entry::Vacant(e) = names.entry(id.0) {
            let name = vaka_store::users::get(tx, id)
                .await?
                .map(|u| u.username)
                .unwrap_or_default();
            e.insert(name);
        }
    }
    Ok(names)
}

/// The caller must be able to do `action` at all, or the answer is 403.
pub(crate) fn may(
    actor: &crate::auth::Actor,
    action: vaka_domain::access::Action,
) -> Result<(), ApiError> {
    if vaka_domain::access::may_ever(actor.user.role, action) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The `client_id` of a request body: required, and 403 for a role that never does `action`.
pub(crate) fn body_client(
    actor: &crate::auth::Actor,
    id: Option<i64>,
    action: vaka_domain::access::Action,
) -> Result<vaka_domain::ids::ClientId, ApiError> {
    may(actor, action)?;
    match id {
        Some(i) if i > 0 => Ok(vaka_domain::ids::ClientId(i)),
        Some(_) => Err(cases::unknown_client().into()),
        None => Err(vaka_domain::FieldError::required("client_id").into()),
    }
}

/// Like [`authorised`] for a client named in the body: an unknown or refused client is a 422 on
/// `client_id` (the same answer for both, so nothing leaks).
pub(crate) async fn authorised_body_client(
    st: &AppState,
    actor: &crate::auth::Actor,
    client: vaka_domain::ids::ClientId,
    action: vaka_domain::access::Action,
    entry: &mut vaka_store::NewAuditEntry,
) -> Result<vaka_store::Tx, ApiError> {
    authorised(st, actor, client, action, entry)
        .await
        .map_err(|e| match e {
            ApiError::NotFound => cases::unknown_client().into(),
            e => e,
        })
}

/// Today in Sweden.
pub(crate) fn today() -> chrono::NaiveDate {
    vaka_domain::time::local_date(vaka_store::now())
}
