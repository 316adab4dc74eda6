//! `/api/v1/alerts`: the early-warning alerts — raised when a signed journal entry is saved,
//! listed per client or for the caller, acknowledged and resolved with a note.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vaka_domain::access::Action;
use vaka_domain::alert::settings::AlertSettings;
use vaka_domain::alert::{Alert, AlertRule, AlertStatus, Severity};
use vaka_domain::alert::{rules, schedule};
use vaka_domain::ids::{AlertId, ClientId};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, Tx, alerts, settings};

use super::{int_param, path_id};
use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::client_access;
use crate::error::{ApiError, ErrorBody};

/// Evaluates the alert rules for a client (journal, placements, follow-ups) with its municipality's
/// thresholds and raises what is due, in the caller's transaction.
pub async fn evaluate(tx: &mut Tx, client: ClientId) -> Result<(), vaka_store::StoreError> {
    let settings = settings::alert_settings_for_client(tx, client).await?;
    evaluate_with(tx, client, &settings).await
}

async fn evaluate_with(
    tx: &mut Tx,
    client: ClientId,
    settings: &AlertSettings,
) -> Result<(), vaka_store::StoreError> {
    let now = vaka_store::now();
    let today = vaka_domain::time::local_date(now);
    let since = now - chrono::Duration::days(settings.baseline_days.max(60));
    let facts = alerts::journal_facts(tx, client, since).await?;
    let intervention = alerts::current_intervention(tx, client, today).await?;
    let placements = alerts::placement_facts(tx, client, today).await?;
    let follow_ups = alerts::follow_up_facts(tx, client).await?;
    let goals = vaka_store::plans::due_facts(tx, client).await?;
    let manager = alerts::case_manager_of(tx, client).await?;
    let candidates = rules::evaluate(&facts, intervention, None, now, settings)
        .into_iter()
        .chain(schedule::evaluate(
            &placements,
            &follow_ups,
            &goals,
            today,
            settings,
        ));
    for candidate in candidates {
        alerts::raise(tx, client, &candidate, manager).await?;
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertResponse {
    pub id: i64,
    pub client_id: Option<i64>,
    /// A stable snake_case rule name, e.g. `relapse_reported`.
    pub rule: AlertRule,
    pub severity: Severity,
    /// Which rule fired on which data.
    pub explanation: String,
    pub status: AlertStatus,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_note: Option<String>,
    /// Not acknowledged within 24 hours: shown to the unit head as well.
    pub escalated: bool,
}

impl From<Alert> for AlertResponse {
    fn from(a: Alert) -> Self {
        Self {
            id: a.id.0,
            client_id: a.client_id.map(|c| c.0),
            rule: a.rule,
            severity: a.severity,
            explanation: a.explanation,
            status: a.status,
            created_at: a.created_at,
            acknowledged_at: a.acknowledged_at,
            resolved_at: a.resolved_at,
            resolution_note: a.resolution_note,
            escalated: a.escalated,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertList {
    pub items: Vec<AlertResponse>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AlertParams {
    /// One client's alerts; without it, the alerts assigned to the caller.
    pub client_id: Option<String>,
    /// `open`, `acknowledged` or `resolved`; without it, every alert not yet resolved.
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResolveRequest {
    /// What was done.
    pub note: Option<String>,
}

/// Alerts of one client (for those who may read it) or assigned to the caller.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(AlertParams),
    responses((status = 200, body = AlertList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_alerts(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<AlertParams>,
) -> Result<Json<AlertList>, ApiError> {
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<AlertStatus>()
                .map_err(|e| e.for_field("status"))?,
        ),
    };
    let mut tx = st.store.begin_read().await?;
    let items = match p.client_id.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => {
            let client = ClientId(int_param("client_id", Some(raw), 0, 1, i64::MAX)?);
            let mut entry = actor.audit(AuditAction::AlertRead, Some(client), "GET /api/v1/alerts");
            tx = client_access::authorize(tx, &actor.user, client, Action::ReadClient, &mut entry)
                .await?;
            tx.audit(entry);
            alerts::for_client(&mut tx, client, status).await?
        }
        None => {
            let mut list = alerts::assigned_to(&mut tx, actor.user.id, status).await?;
            if let (vaka_domain::role::Role::UnitHead, Some(unit)) =
                (actor.user.role, actor.user.unit_id)
            {
                for a in alerts::escalated_in_unit(&mut tx, unit, status).await? {
                    if !list.iter().any(|x| x.id == a.id) {
                        list.push(a);
                    }
                }
            }
            if !list.is_empty() {
                tx.audit(actor.audit_list(
                    AuditAction::AlertRead,
                    list.iter().filter_map(|a| a.client_id),
                    "GET /api/v1/alerts",
                ));
            }
            list
        }
    };
    tx.commit().await?;
    Ok(Json(AlertList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Loads an alert the caller may act on (write access to its client).
async fn actionable(
    st: &AppState,
    actor: &Actor,
    raw: &str,
    action: AuditAction,
) -> Result<(Tx, Alert, vaka_store::NewAuditEntry), ApiError> {
    let id = AlertId(path_id(raw)?);
    let mut tx = st.store.begin().await?;
    let alert = alerts::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    let Some(client) = alert.client_id else {
        // An alert about no client (the budget forecast) is acted on by whom it went to.
        if alert.assigned_to != Some(actor.user.id) {
            return Err(ApiError::NotFound);
        }
        let entry = actor.audit(action, None, format!("alert {}", id.0));
        return Ok((tx, alert, entry));
    };
    let mut entry = actor.audit(action, Some(client), format!("alert {}", id.0));
    let tx =
        client_access::authorize(tx, &actor.user, client, Action::WriteClient, &mut entry).await?;
    Ok((tx, alert, entry))
}

fn not_open(what: &'static str) -> ApiError {
    ApiError::Conflict(FieldError::new(
        "status",
        what,
        Msg::new(
            "Larmet har redan hanterats.",
            "The alert has been handled already.",
        ),
    ))
}

/// Maps "the alert was handled already" to a 409 with `code`; other errors pass through.
fn handled_already(code: &'static str) -> impl Fn(vaka_store::StoreError) -> ApiError {
    move |e| match e {
        vaka_store::StoreError::Conflict(_) => not_open(code),
        other => other.into(),
    }
}

/// Logs the action and returns the alert as it now stands, in the same transaction.
async fn answer(
    mut tx: Tx,
    id: AlertId,
    entry: vaka_store::NewAuditEntry,
) -> Result<Alert, ApiError> {
    tx.audit(entry);
    let updated = alerts::get(&mut tx, id).await?.ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}

/// Acknowledges an open alert (API and pages).
pub(crate) async fn acknowledge_alert(
    st: &AppState,
    actor: &Actor,
    raw: &str,
) -> Result<Alert, ApiError> {
    let (mut tx, alert, entry) = actionable(st, actor, raw, AuditAction::AlertAcknowledge).await?;
    alerts::acknowledge(&mut tx, alert.id, actor.user.id)
        .await
        .map_err(handled_already("not_open"))?;
    answer(tx, alert.id, entry).await
}

/// Resolves an alert with a note of what was done (API and pages).
pub(crate) async fn resolve_alert(
    st: &AppState,
    actor: &Actor,
    raw: &str,
    note: Option<&str>,
) -> Result<Alert, ApiError> {
    let note = vaka_domain::error::required_text("note", note.unwrap_or(""), 2000)?;
    let (mut tx, alert, entry) = actionable(st, actor, raw, AuditAction::AlertResolve).await?;
    alerts::resolve(&mut tx, alert.id, actor.user.id, &note)
        .await
        .map_err(handled_already("already_resolved"))?;
    answer(tx, alert.id, entry).await
}

/// Acknowledge an open alert: someone has seen it.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "alerts", params(("id" = i64, Path)),
    responses((status = 200, body = AlertResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn acknowledge(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<AlertResponse>, ApiError> {
    Ok(Json(acknowledge_alert(&st, &actor, &raw).await?.into()))
}

/// Resolve an alert with a note of what was done.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/resolve", tag = "alerts", params(("id" = i64, Path)), request_body = ResolveRequest,
    responses((status = 200, body = AlertResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn resolve(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<ResolveRequest>,
) -> Result<Json<AlertResponse>, ApiError> {
    Ok(Json(
        resolve_alert(&st, &actor, &raw, req.note.as_deref())
            .await?
            .into(),
    ))
}

/// Clients per transaction in the scheduled check: small, so that the write lock (SQLite) is held
/// briefly and requests in between are not kept waiting.
const CHECK_BATCH: i64 = 100;

/// What one scheduled check did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckSummary {
    pub clients: u64,
    pub escalated: u64,
}

/// Records as missed the client's follow-ups left due past the municipality's window, each with an
/// access-log entry by the system (a follow-up is never silently dropped).
async fn miss_overdue_follow_ups(
    tx: &mut Tx,
    client: ClientId,
    s: &AlertSettings,
) -> Result<(), vaka_store::StoreError> {
    let today = vaka_domain::time::local_date(vaka_store::now());
    let missed =
        vaka_store::outcomes::miss_after_window(tx, client, today, s.follow_up_window_days).await?;
    for (id, timepoint) in missed {
        tx.audit(vaka_store::NewAuditEntry {
            user_id: None,
            username: "system".to_owned(),
            role: "system".to_owned(),
            client_id: Some(client),
            case_id: None,
            action: AuditAction::FollowUpMissed,
            detail: format!("follow-up {} ({timepoint}) missed: window_passed", id.0),
            emergency_reason: None,
            address: None,
            clients: Vec::new(),
        });
    }
    Ok(())
}

/// The scheduled check: evaluates every client with an open case (for what time alone brings, such
/// as no contact), in batches of one transaction each, then escalates alerts left unacknowledged for
/// 24 hours. It reads no record for a person; the one thing it writes about a person, a
/// follow-up recorded as missed, gets an access-log entry by `system`.
pub async fn run_checks(store: &vaka_store::Store) -> Result<CheckSummary, vaka_store::StoreError> {
    let mut summary = CheckSummary::default();
    let mut after = 0;
    loop {
        let mut tx = store.begin().await?;
        let batch = alerts::clients_with_open_cases(&mut tx, after, CHECK_BATCH).await?;
        let Some(last) = batch.last() else {
            tx.rollback().await?;
            break;
        };
        after = last.0;
        for client in &batch {
            let s = settings::alert_settings_for_client(&mut tx, *client).await?;
            miss_overdue_follow_ups(&mut tx, *client, &s).await?;
            evaluate_with(&mut tx, *client, &s).await?;
        }
        summary.clients += batch.len() as u64;
        tx.commit().await?;
    }
    let mut tx = store.begin().await?;
    summary.escalated =
        alerts::escalate_stale(&mut tx, vaka_store::now() - chrono::Duration::hours(24)).await?;
    tx.commit().await?;
    Ok(summary)
}
