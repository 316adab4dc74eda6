//! Applications, specialist recommendations and decisions with their departures, appeal deadline,
//! appeal and letter: `/api/v1/applications`, `/api/v1/recommendations`, `/api/v1/decisions`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vaka_domain::access::Action;
use vaka_domain::decision::{
    AppealRecord, Asked, Communication, CommunicationInput, CommunicationParts, Decision,
    DecisionDraft, DecisionInput, Profession,
};
use vaka_domain::error::{collect, optional_text, required_date, required_name, required_text};
use vaka_domain::ids::{ApplicationId, ClientId, DecisionId, ProviderId, RecommendationId};
use vaka_domain::intervention::Intervention;
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, Tx, decisions, providers};

use super::{authorised_body_client, authorised_read, body_client, path_id, today, usernames};
use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApplicationRequest {
    pub client_id: Option<i64>,
    /// The intervention applied for (`treatment_home`, ...).
    pub intervention: Option<String>,
    /// What the person asks for, in their own words.
    pub description: Option<String>,
    /// Default today.
    pub received_on: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicationResponse {
    pub id: i64,
    pub client_id: i64,
    pub intervention: Intervention,
    pub description: String,
    pub received_on: NaiveDate,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// `true`: the applications of the caller's unit that no decision has answered yet (the only
    /// list there is).
    pub pending: Option<String>,
    /// 1–500, default 100.
    pub limit: Option<String>,
}

/// An application waiting for a decision, without its text (that is on the client's record).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingApplicationResponse {
    pub id: i64,
    pub client_id: i64,
    pub intervention: Intervention,
    pub received_on: NaiveDate,
    /// Days from the day it was received to today.
    pub days_waiting: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingApplicationList {
    /// The longest waiting first.
    pub items: Vec<PendingApplicationResponse>,
    /// More are waiting than `limit` showed.
    pub more: bool,
}

/// The applications of the unit head's unit that no decision has answered yet, the longest
/// waiting first. One access-log entry names the clients.
#[utoipa::path(get, path = "/api/v1/applications", tag = "decisions", params(ApplicationQuery),
    responses((status = 200, body = PendingApplicationList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`pending` is not `true`, or `limit` is out of range")))]
pub async fn list_applications(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ApplicationQuery>,
) -> Result<Json<PendingApplicationList>, ApiError> {
    if q.pending.as_deref() != Some("true") {
        return Err(FieldError::new(
            "pending",
            "invalid",
            Msg::new(
                "Ange pending=true: listan visar ansökningar som väntar på beslut.",
                "Give pending=true: the list shows applications waiting for a decision.",
            ),
        )
        .into());
    }
    let limit = super::int_param("limit", q.limit.as_deref(), 100, 1, 500)?;
    super::may(&actor, Action::Decide)?;
    let unit = actor.user.unit_id.ok_or(ApiError::Forbidden)?;
    let mut tx = st.store.begin_read().await?;
    let (list, more) = decisions::pending_in_unit(&mut tx, unit, limit).await?;
    tx.audit(actor.audit_list(
        AuditAction::ApplicationList,
        list.iter().map(|a| a.client_id),
        "GET /api/v1/applications?pending=true",
    ));
    tx.finish_read(&st.store).await?;
    let today = vaka_domain::time::local_date(vaka_store::now());
    Ok(Json(PendingApplicationList {
        items: list
            .into_iter()
            .map(|a| PendingApplicationResponse {
                id: a.id.0,
                client_id: a.client_id.0,
                intervention: a.intervention,
                received_on: a.received_on,
                days_waiting: (today - a.received_on).num_days(),
            })
            .collect(),
        more,
    }))
}

/// Record a client's application in their own words.
#[utoipa::path(post, path = "/api/v1/applications", tag = "decisions", request_body = ApplicationRequest,
    responses((status = 201, body = ApplicationResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_application(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<ApplicationRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = body_client(&actor, req.client_id, Action::WriteClient)?;
    let mut errors = Vec::new();
    let intervention = collect(
        required_name::<Intervention>("intervention", req.intervention.as_deref()),
        &mut errors,
    );
    let description = collect(
        required_text(
            "description",
            req.description.as_deref().unwrap_or(""),
            20_000,
        ),
        &mut errors,
    );
    let received_on = day_not_after_today("received_on", req.received_on.as_deref(), &mut errors);
    let (Some(intervention), Some(description), Some(received_on)) =
        (intervention, description, received_on)
    else {
        return Err(errors.into());
    };
    let mut entry = actor.audit(
        AuditAction::ApplicationCreate,
        Some(client),
        "POST /api/v1/applications",
    );
    let mut tx =
        authorised_body_client(&st, &actor, client, Action::WriteClient, &mut entry).await?;
    let id = decisions::insert_application(
        &mut tx,
        client,
        intervention,
        &description,
        received_on,
        actor.user.id,
    )
    .await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(ApplicationResponse {
            id: id.0,
            client_id: client.0,
            intervention,
            description,
            received_on,
        }),
    ))
}

/// A day that defaults to today and may not be in the future.
fn day_not_after_today(
    field: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    collect(
        vaka_domain::error::day_up_to_today(field, raw, today()),
        errors,
    )
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RecommendationRequest {
    pub client_id: Option<i64>,
    /// The intervention recommended.
    pub intervention: Option<String>,
    /// `psychiatrist`, `physician`, `psychologist`, `nurse`, `social_worker` or `other`.
    pub profession: Option<String>,
    /// `YYYY-MM-DD`, required.
    pub recommended_on: Option<String>,
    /// Who gave it (name and unit), optional.
    pub recommender_name: Option<String>,
    /// Where the written statement is kept (a document reference).
    pub document_ref: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecommendationResponse {
    pub id: i64,
    pub client_id: i64,
    pub intervention: Intervention,
    pub profession: Profession,
    pub recommended_on: NaiveDate,
    pub recommender_name: Option<String>,
    pub document_ref: Option<String>,
}

/// Record a specialist's recommendation (e.g. a psychiatrist's).
#[utoipa::path(post, path = "/api/v1/recommendations", tag = "decisions", request_body = RecommendationRequest,
    responses((status = 201, body = RecommendationResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_recommendation(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<RecommendationRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = body_client(&actor, req.client_id, Action::WriteClient)?;
    let mut errors = Vec::new();
    let intervention = collect(
        required_name::<Intervention>("intervention", req.intervention.as_deref()),
        &mut errors,
    );
    let profession = collect(
        required_name::<Profession>("profession", req.profession.as_deref()),
        &mut errors,
    );
    let on = match req
        .recommended_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            errors.push(FieldError::required("recommended_on"));
            None
        }
        some => day_not_after_today("recommended_on", some, &mut errors),
    };
    let name = collect(
        optional_text("recommender_name", req.recommender_name.as_deref(), 200),
        &mut errors,
    )
    .flatten();
    let doc = collect(
        optional_text("document_ref", req.document_ref.as_deref(), 500),
        &mut errors,
    )
    .flatten();
    let (Some(intervention), Some(profession), Some(recommended_on)) =
        (intervention, profession, on)
    else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let mut entry = actor.audit(
        AuditAction::RecommendationCreate,
        Some(client),
        "POST /api/v1/recommendations",
    );
    let mut tx =
        authorised_body_client(&st, &actor, client, Action::WriteClient, &mut entry).await?;
    let id = decisions::insert_recommendation(
        &mut tx,
        &decisions::NewRecommendation {
            client,
            intervention,
            profession,
            recommender_name: name.as_deref(),
            recommended_on,
            document_ref: doc.as_deref(),
        },
        actor.user.id,
    )
    .await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(RecommendationResponse {
            id: id.0,
            client_id: client.0,
            intervention,
            profession,
            recommended_on,
            recommender_name: name,
            document_ref: doc,
        }),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Justifications {
    /// Why the decision departs from the client's application.
    pub application: Option<String>,
    /// Why it departs from the specialist's recommendation.
    pub recommendation: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub client_id: Option<i64>,
    pub intervention: Option<String>,
    /// `granted`, `partly_granted` or `refused`.
    pub outcome: Option<String>,
    /// The decisive circumstances (required, FL 32 §).
    pub reasons: Option<String>,
    /// The provision applied; default the Social Services Act in force on `decided_on`.
    pub legal_basis: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    /// Default today.
    pub decided_on: Option<String>,
    /// When the client was notified; starts the appeal period.
    pub notified_on: Option<String>,
    /// The provider, where the decision is a placement.
    pub provider_id: Option<i64>,
    /// The application answered; default the client's latest unanswered one.
    pub application_id: Option<i64>,
    /// The recommendation weighed; default the client's latest unanswered one.
    pub recommendation_id: Option<i64>,
    #[serde(default)]
    pub departure_justifications: Justifications,
    /// Kommunicering (FL 25 §): the day the person was told of what others contributed and could
    /// respond, on or before `decided_on`. With `communication_method`.
    pub communicated_on: Option<String>,
    /// `letter`, `meeting`, `phone` or `digital`.
    pub communication_method: Option<String>,
    /// What the person answered, in short.
    pub client_response: Option<String>,
    /// Instead of the three above: why kommunicering was not done (e.g. obviously unnecessary).
    pub communication_omitted_reason: Option<String>,
}

/// Kommunicering recorded after the decision was (FL 25 §).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommunicationRequest {
    /// The day the person was told of the material; on or before the decision.
    pub communicated_on: Option<String>,
    /// `letter`, `meeting`, `phone` or `digital`.
    pub communication_method: Option<String>,
    pub client_response: Option<String>,
    /// Instead: why it was not done.
    pub communication_omitted_reason: Option<String>,
}

impl CommunicationRequest {
    fn input(&self) -> CommunicationInput<'_> {
        CommunicationInput {
            communicated_on: self.communicated_on.as_deref(),
            method: self.communication_method.as_deref(),
            response: self.client_response.as_deref(),
            omitted_reason: self.communication_omitted_reason.as_deref(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionResponse {
    pub id: i64,
    pub client_id: i64,
    pub intervention: Intervention,
    pub outcome: String,
    pub reasons: String,
    pub legal_basis: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub provider_id: Option<i64>,
    pub application_id: Option<i64>,
    pub recommendation_id: Option<i64>,
    pub departs_from_application: bool,
    pub departs_from_recommendation: bool,
    /// The justification given for each departure.
    pub departure_justifications: serde_json::Value,
    pub decided_on: NaiveDate,
    pub decided_by: String,
    pub notified_on: Option<NaiveDate>,
    /// Three weeks from notification, moved to the next working day (null until notified).
    pub appeal_deadline: Option<NaiveDate>,
    /// `awaiting_notification`, `open`, `final`, `appealed` or `decided`.
    pub appeal_status: String,
    pub appeal_received_on: Option<NaiveDate>,
    /// Whether the appeal arrived within the deadline.
    pub appeal_timely: Option<bool>,
    pub appeal_outcome: Option<String>,
    pub appeal_decided_on: Option<NaiveDate>,
    /// `not_required` (grants what was applied for), `communicated`, `omitted` (with the reason)
    /// or `missing` (goes against the person and nothing is recorded).
    pub communication_status: String,
    pub communicated_on: Option<NaiveDate>,
    pub communication_method: Option<String>,
    pub client_response: Option<String>,
    pub communication_omitted_reason: Option<String>,
}

pub(crate) fn decision_response(d: &Decision, by: String) -> DecisionResponse {
    let deadline = d.appeal_deadline();
    let parts = CommunicationParts::of(d.communication.as_ref());
    DecisionResponse {
        id: d.id.0,
        client_id: d.client_id.0,
        intervention: d.intervention,
        outcome: d.outcome.as_str().to_owned(),
        reasons: d.reasons.clone(),
        legal_basis: d.legal_basis.clone(),
        period_start: d.period_start,
        period_end: d.period_end,
        provider_id: d.provider_id.map(|p| p.0),
        application_id: d.application_id.map(|a| a.0),
        recommendation_id: d.recommendation_id.map(|r| r.0),
        departs_from_application: d.departs_from_application,
        departs_from_recommendation: d.departs_from_recommendation,
        departure_justifications: serde_json::json!({
            "application": d.departure_from_application,
            "recommendation": d.departure_from_recommendation,
        }),
        decided_on: d.decided_on,
        decided_by: by,
        notified_on: d.notified_on,
        appeal_deadline: deadline,
        appeal_status: d.appeal_status(today()).name().to_owned(),
        appeal_received_on: d.appeal_received_on,
        appeal_timely: d.appeal_received_on.zip(deadline).map(|(r, dl)| r <= dl),
        appeal_outcome: d.appeal_outcome.map(|o| o.as_str().to_owned()),
        appeal_decided_on: d.appeal_decided_on,
        communication_status: d.communication_status().as_str().to_owned(),
        communicated_on: parts.communicated_on,
        communication_method: parts.method.map(|m| m.as_str().to_owned()),
        client_response: parts.response.map(str::to_owned),
        communication_omitted_reason: parts.omitted_reason.map(str::to_owned),
    }
}

/// What a decision answers: the named (or latest unanswered) application and recommendation.
pub(crate) async fn asked(
    tx: &mut Tx,
    client: ClientId,
    application: Option<i64>,
    recommendation: Option<i64>,
) -> Result<(Option<ApplicationId>, Option<RecommendationId>, Asked), ApiError> {
    let unknown = |field: &str| {
        FieldError::new(
            field,
            "unknown",
            Msg::new(
                "Finns inte för denna klient.",
                "Does not exist for this client.",
            ),
        )
    };
    let app = match application {
        Some(id) => Some(
            decisions::application(tx, ApplicationId(id))
                .await?
                .filter(|a| a.client_id == client)
                .ok_or_else(|| unknown("application_id"))?,
        ),
        None => decisions::open_application(tx, client).await?,
    };
    let rec = match recommendation {
        Some(id) => Some(
            decisions::recommendation(tx, RecommendationId(id))
                .await?
                .filter(|r| r.client_id == client)
                .ok_or_else(|| unknown("recommendation_id"))?,
        ),
        None => decisions::open_recommendation(tx, client).await?,
    };
    Ok((
        app.as_ref().map(|a| a.id),
        rec.as_ref().map(|r| r.id),
        Asked {
            application: app.map(|a| a.intervention),
            recommendation: rec.map(|r| r.intervention),
        },
    ))
}

/// Checks and stores a decision in one transaction with its access-log entry; shared with the page.
pub(crate) async fn save_decision(
    st: &AppState,
    actor: &Actor,
    client: ClientId,
    input: &DecisionInput<'_>,
    ids: (Option<i64>, Option<i64>, Option<i64>),
    detail: &str,
) -> Result<Decision, ApiError> {
    let (provider, application, recommendation) = ids;
    let mut entry = actor.audit(AuditAction::DecisionCreate, Some(client), detail);
    let mut tx = authorised_body_client(st, actor, client, Action::Decide, &mut entry).await?;
    let (app_id, rec_id, asked) = asked(&mut tx, client, application, recommendation).await?;
    let draft = DecisionDraft::parse(input, asked, today())?;
    let provider = match provider {
        None => None,
        Some(id) => Some(
            providers::get(&mut tx, ProviderId(id))
                .await?
                .filter(|p| p.municipality_id == actor.user.municipality_id)
                .ok_or_else(|| {
                    FieldError::new(
                        "provider_id",
                        "unknown",
                        Msg::new("Utföraren finns inte.", "No such provider."),
                    )
                })?
                .id,
        ),
    };
    let id = decisions::insert_decision(
        &mut tx,
        client,
        &draft,
        provider,
        app_id,
        rec_id,
        actor.user.id,
    )
    .await?;
    let saved = decisions::decision(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(saved)
}

/// Decide on an intervention. A decision that gives less than the client applied for, or than a
/// specialist recommended, needs a justification for each departure (422 naming
/// `departure_justifications.application` or `.recommendation`). Answers 201 with
/// `departs_from_application`, `departs_from_recommendation` and `appeal_deadline`.
#[utoipa::path(post, path = "/api/v1/decisions", tag = "decisions", request_body = DecisionRequest,
    responses((status = 201, body = DecisionResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field or a departure without its justification")))]
pub async fn create_decision(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<DecisionRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = body_client(&actor, req.client_id, Action::Decide)?;
    let input = DecisionInput {
        intervention: req.intervention.as_deref(),
        outcome: req.outcome.as_deref(),
        reasons: req.reasons.as_deref(),
        legal_basis: req.legal_basis.as_deref(),
        period_start: req.period_start.as_deref(),
        period_end: req.period_end.as_deref(),
        decided_on: req.decided_on.as_deref(),
        notified_on: req.notified_on.as_deref(),
        justification_application: req.departure_justifications.application.as_deref(),
        justification_recommendation: req.departure_justifications.recommendation.as_deref(),
        communication: CommunicationInput {
            communicated_on: req.communicated_on.as_deref(),
            method: req.communication_method.as_deref(),
            response: req.client_response.as_deref(),
            omitted_reason: req.communication_omitted_reason.as_deref(),
        },
    };
    let d = save_decision(
        &st,
        &actor,
        client,
        &input,
        (req.provider_id, req.application_id, req.recommendation_id),
        "POST /api/v1/decisions",
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(
            axum::http::header::LOCATION,
            format!("/api/v1/decisions/{}", d.id.0),
        )],
        Json(decision_response(&d, actor.user.username.clone())),
    ))
}

/// Loads a decision and checks `action` on its client, logging `audit`.
pub(crate) async fn decision_with_access(
    st: &AppState,
    actor: &Actor,
    id: DecisionId,
    action: Action,
    audit: AuditAction,
    detail: String,
) -> Result<(Tx, Decision, vaka_store::NewAuditEntry), ApiError> {
    let mut tx = st.store.begin().await?;
    let d = decisions::decision(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut entry = actor.audit(audit, Some(d.client_id), detail);
    let tx =
        crate::client_access::authorize(tx, &actor.user, d.client_id, action, &mut entry).await?;
    Ok((tx, d, entry))
}

/// One decision, with where it stands in its appeal period.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "decisions", params(("id" = i64, Path)),
    responses((status = 200, body = DecisionResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_decision(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<DecisionResponse>, ApiError> {
    let id = DecisionId(path_id(&raw)?);
    let (mut tx, d, entry) = decision_with_access(
        &st,
        &actor,
        id,
        Action::ReadClient,
        AuditAction::DecisionRead,
        format!("GET /api/v1/decisions/{}", id.0),
    )
    .await?;
    let names = usernames(&mut tx, [d.decided_by]).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(decision_response(
        &d,
        names.get(&d.decided_by.0).cloned().unwrap_or_default(),
    )))
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionQuery {
    pub departures: Option<String>,
    pub client_id: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionList {
    pub items: Vec<DecisionResponse>,
}

/// Decisions of the caller's unit (unit heads), newest first; `departures=true` lists only those
/// that departed from an application or a recommendation. With `client_id`, one client's decisions
/// (anyone who may read the client).
#[utoipa::path(get, path = "/api/v1/decisions", tag = "decisions",
    params(("departures" = Option<bool>, Query), ("client_id" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = DecisionList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_decisions(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<DecisionQuery>,
) -> Result<Json<DecisionList>, ApiError> {
    let limit = super::int_param("limit", q.limit.as_deref(), 200, 1, 1000)?;
    let departures = match q.departures.as_deref() {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(FieldError::new(
                "departures",
                "invalid",
                Msg::new("Ange true eller false.", "Give true or false."),
            )
            .into());
        }
    };
    let (mut tx, list, entry) = match q.client_id.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => {
            let client = ClientId(path_id(raw).map_err(|_| super::cases::unknown_client())?);
            let mut entry = actor.audit(
                AuditAction::DecisionRead,
                Some(client),
                format!("GET /api/v1/decisions?client_id={}", client.0),
            );
            let mut tx =
                authorised_read(&st, &actor, client, Action::ReadClient, &mut entry).await?;
            let mut list = decisions::decisions_for(&mut tx, client).await?;
            list.retain(|d| !departures || d.departs());
            list.reverse();
            (tx, list, entry)
        }
        None => {
            super::may(&actor, Action::Decide)?;
            let unit = actor.user.unit_id.ok_or(ApiError::Forbidden)?;
            let mut tx = st.store.begin_read().await?;
            let list = decisions::decisions_in_unit(&mut tx, unit, departures, limit).await?;
            let entry = actor.audit_list(
                AuditAction::DecisionList,
                list.iter().map(|d| d.client_id),
                format!("GET /api/v1/decisions?departures={departures}"),
            );
            (tx, list, entry)
        }
    };
    let ids: Vec<_> = list.iter().map(|d| d.decided_by).collect();
    let names = usernames(&mut tx, ids).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(DecisionList {
        items: list
            .iter()
            .map(|d| decision_response(d, names.get(&d.decided_by.0).cloned().unwrap_or_default()))
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AppealRequest {
    /// When the client was notified, if not recorded before.
    pub notified_on: Option<String>,
    /// When the appeal arrived.
    pub appeal_received_on: Option<String>,
    /// The court's ruling: `upheld`, `changed`, `referred_back` or `withdrawn`.
    pub appeal_outcome: Option<String>,
    pub appeal_decided_on: Option<String>,
}

/// The decision as it now stands, committed with the access-log entry of the change: the answer
/// of the handlers that record something on a decision.
async fn answer_saved(
    mut tx: Tx,
    id: DecisionId,
    entry: vaka_store::NewAuditEntry,
) -> Result<Json<DecisionResponse>, ApiError> {
    let saved = decisions::decision(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let names = usernames(&mut tx, [saved.decided_by]).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(decision_response(
        &saved,
        names.get(&saved.decided_by.0).cloned().unwrap_or_default(),
    )))
}

/// Record the day of notification, an appeal, and the court's ruling. Only `notified_on` may be
/// sent alone; an appeal needs a notified decision.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/appeal", tag = "decisions", params(("id" = i64, Path)), request_body = AppealRequest,
    responses((status = 200, body = DecisionResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn record_appeal(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<AppealRequest>,
) -> Result<Json<DecisionResponse>, ApiError> {
    let id = DecisionId(path_id(&raw)?);
    let (mut tx, d, entry) = decision_with_access(
        &st,
        &actor,
        id,
        Action::Decide,
        AuditAction::DecisionUpdate,
        format!("POST /api/v1/decisions/{}/appeal", id.0),
    )
    .await?;
    let today = today();
    apply_appeal(&mut tx, &d, &req, today).await?;
    answer_saved(tx, id, entry).await
}

/// Record the kommunicering (FL 25 §) of a decision that has none: when and how the person was
/// told of what others contributed and what they answered, or why it was not done. Recorded once:
/// 409 `communication_recorded` afterwards.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/communication", tag = "decisions", params(("id" = i64, Path)),
    request_body = CommunicationRequest,
    responses((status = 200, body = DecisionResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already recorded"), (status = 422, body = ErrorBody)))]
pub async fn record_communication(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<CommunicationRequest>,
) -> Result<Json<DecisionResponse>, ApiError> {
    let id = DecisionId(path_id(&raw)?);
    let (mut tx, d, entry) = decision_with_access(
        &st,
        &actor,
        id,
        Action::Decide,
        AuditAction::DecisionUpdate,
        format!("POST /api/v1/decisions/{}/communication", id.0),
    )
    .await?;
    let recorded = || {
        ApiError::Conflict(FieldError::new(
            "",
            "communication_recorded",
            Msg::new(
                "Kommuniceringen är redan dokumenterad och ändras inte.",
                "The communication is already recorded and is not changed.",
            ),
        ))
    };
    if d.communication.is_some() {
        return Err(recorded());
    }
    let c = Communication::parse(req.input(), d.decided_on)?.ok_or_else(|| {
        ApiError::Invalid(vec![FieldError::required(
            vaka_domain::decision::COMMUNICATED_ON,
        )])
    })?;
    decisions::record_communication(&mut tx, id, &c)
        .await
        .map_err(|e| match e {
            vaka_store::StoreError::Conflict(_) => recorded(),
            e => e.into(),
        })?;
    answer_saved(tx, id, entry).await
}

/// Checks and writes a notification day and an appeal (shared with the page).
pub(crate) async fn apply_appeal(
    tx: &mut Tx,
    d: &Decision,
    req: &AppealRequest,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let notified = match req
        .notified_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => d.notified_on,
        Some(raw) => {
            let n = collect(required_date("notified_on", Some(raw)), &mut errors);
            if let Some(n) = n {
                collect(
                    vaka_domain::error::not_after_today("notified_on", n, today),
                    &mut errors,
                );
                collect(
                    vaka_domain::error::not_before(
                        "notified_on",
                        n,
                        d.decided_on,
                        ("beslutsdagen", "the day of the decision"),
                    ),
                    &mut errors,
                );
            }
            n
        }
    };
    let appeal_given = [
        &req.appeal_received_on,
        &req.appeal_outcome,
        &req.appeal_decided_on,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    if !appeal_given
        && req
            .notified_on
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
    {
        errors.push(FieldError::required("appeal_received_on"));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if let Some(n) = notified.filter(|n| Some(*n) != d.notified_on) {
        if d.appeal_received_on.is_some() {
            return Err(ApiError::Conflict(FieldError::new(
                "notified_on",
                "appealed",
                Msg::new(
                    "Beslutet är redan överklagat.",
                    "The decision has already been appealed.",
                ),
            )));
        }
        decisions::set_notified(tx, d.id, n).await?;
    }
    if appeal_given {
        let a = AppealRecord::parse(
            req.appeal_received_on.as_deref(),
            req.appeal_outcome.as_deref(),
            req.appeal_decided_on.as_deref(),
            notified,
            today,
        )?;
        decisions::record_appeal(tx, d.id, &a).await?;
    }
    Ok(())
}

#[derive(askama::Template)]
#[template(path = "decision_letter.html")]
pub(crate) struct LetterPage {
    pub letter: vaka_domain::letter::Letter,
    pub municipality: String,
    pub pdf_href: String,
    pub back_href: String,
}

/// Composes a decision's letter, reading the client under the read rule with one access-log entry.
pub(crate) async fn compose_letter(
    st: &AppState,
    actor: &Actor,
    id: DecisionId,
    detail: String,
) -> Result<(vaka_domain::letter::Letter, String, ClientId), ApiError> {
    let (mut tx, d, entry) = decision_with_access(
        st,
        actor,
        id,
        Action::ReadClient,
        AuditAction::DecisionLetter,
        detail,
    )
    .await?;
    let client = vaka_store::clients::get(&mut tx, d.client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let municipality = vaka_store::municipalities::name(&mut tx, client.municipality_id).await?;
    let decided_by = vaka_store::users::get(&mut tx, d.decided_by)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let provider = match d.provider_id {
        Some(p) => providers::get(&mut tx, p).await?.map(|p| p.name),
        None => None,
    };
    let applied_for = match d.application_id {
        Some(a) => decisions::application(&mut tx, a)
            .await?
            .map(|a| a.intervention),
        None => None,
    };
    let letter = vaka_domain::letter::compose(
        &d,
        &vaka_domain::letter::LetterParties {
            client_name: format!("{} {}", client.given_name, client.family_name),
            personal_number: client.personal_number.to_string(),
            address: client.address.clone(),
            protected: client.protection.is_protected(),
            municipality: municipality.clone(),
            decided_by,
            provider,
            applied_for,
        },
    );
    tx.audit(entry);
    tx.commit().await?;
    Ok((letter, municipality, d.client_id))
}

#[derive(Debug, Default, Deserialize)]
pub struct LetterQuery {
    pub format: Option<String>,
}

/// The decision letter in Swedish: printable HTML (default), `format=pdf`, or `format=json` (its
/// parts). The client's address is left out when their personal data are protected.
#[utoipa::path(get, path = "/api/v1/decisions/{id}/letter", tag = "decisions", params(("id" = i64, Path), ("format" = Option<String>, Query)),
    responses((status = 200, description = "HTML, PDF or JSON"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn decision_letter(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    Query(q): Query<LetterQuery>,
) -> Result<axum::response::Response, ApiError> {
    let id = DecisionId(path_id(&raw)?);
    let format = q.format.as_deref().unwrap_or("html");
    if !matches!(format, "html" | "pdf" | "json") {
        return Err(FieldError::new(
            "format",
            "unknown_value",
            Msg::new("Tillåtna: html, pdf, json.", "Allowed: html, pdf, json."),
        )
        .into());
    }
    let (letter, municipality, _) = compose_letter(
        &st,
        &actor,
        id,
        format!("GET /api/v1/decisions/{}/letter?format={format}", id.0),
    )
    .await?;
    render_letter(
        letter,
        municipality,
        format,
        format!("/api/v1/decisions/{}/letter?format=pdf", id.0),
        format!("/api/v1/decisions/{}", id.0),
    )
}

/// Answers a letter as HTML, PDF or JSON.
pub(crate) fn render_letter(
    letter: vaka_domain::letter::Letter,
    municipality: String,
    format: &str,
    pdf_href: String,
    back_href: String,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    Ok(match format {
        "json" => Json(letter).into_response(),
        "pdf" => {
            let bytes =
                vaka_report::letter_pdf(&letter, &municipality).map_err(ApiError::Internal)?;
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "inline; filename=\"beslut-{}.pdf\"",
                            letter.reference.trim_start_matches("Beslut nr ")
                        ),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        _ => {
            let html = askama::Template::render(&LetterPage {
                letter,
                municipality,
                pdf_href,
                back_href,
            })
            .map_err(|e| ApiError::Internal(e.to_string()))?;
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
    })
}
