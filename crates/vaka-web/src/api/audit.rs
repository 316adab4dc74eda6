//! `/api/v1/audit`: the access log for auditors — search, the entries worth a look, reviews.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vaka_domain::access::{self, Action, Relation};
use vaka_domain::ids::{ClientId, MunicipalityId};
use vaka_domain::review::{self, AccessFact, Flag, ReviewSettings};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, audit};

use super::{int_param, path_id};
use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Only this user's entries.
    pub username: Option<String>,
    /// Only entries about this client.
    pub client_id: Option<String>,
    /// First day, `YYYY-MM-DD` (Swedish time).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (Swedish time), inclusive.
    pub to: Option<String>,
    /// `true`: only the entries worth a look.
    pub flagged: Option<String>,
    /// 1–1000, default 200.
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewOut {
    pub reviewed_by: String,
    pub reviewed_at: DateTime<Utc>,
    pub comment: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditLine {
    pub id: i64,
    pub logged_at: DateTime<Utc>,
    pub username: String,
    pub role: String,
    pub client_id: Option<i64>,
    /// A list view (the caseload, a client list): every client it showed; `client_id` is then null.
    pub client_ids: Vec<i64>,
    pub case_id: Option<i64>,
    pub action: String,
    pub detail: String,
    pub emergency_reason: Option<String>,
    pub address: Option<String>,
    /// Why the entry is worth a look: `emergency_access`, `protected_identity`, `outside_rights`,
    /// `many_clients`, `night`.
    pub flags: Vec<Flag>,
    pub review: Option<ReviewOut>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditLine>,
    /// True when the period holds more matching entries (of the user, about the client) than a
    /// search looks through, the newest [`SEARCH_WINDOW`]: older ones, and older flagged ones, are
    /// not in the answer; narrow the period.
    pub period_truncated: bool,
}

/// How many of the period's newest matching entries a search looks through. `flagged` narrows
/// after that, since flags are computed over neighbouring entries.
pub const SEARCH_WINDOW: i64 = 10_000;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// What the auditor concluded.
    pub comment: Option<String>,
}

fn day_start(field: &str, raw: &str) -> Result<DateTime<Utc>, ApiError> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            "invalid_date",
            Msg::new("Ange datum som ÅÅÅÅ-MM-DD.", "Give the date as YYYY-MM-DD."),
        )
    })?;
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(chrono_tz::Europe::Stockholm
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(
            || Utc.from_utc_datetime(&midnight),
            |t| t.with_timezone(&Utc),
        ))
}

fn require_auditor(actor: &Actor) -> Result<(), ApiError> {
    if access::permits(actor.user.role, Action::ReadAuditLog, Relation::default()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The entries matching the parameters, with their flags; shared with the review page.
pub async fn review_lines(
    st: &AppState,
    actor: &Actor,
    p: &AuditParams,
    detail: String,
) -> Result<AuditList, ApiError> {
    require_auditor(actor)?;
    let limit = int_param("limit", p.limit.as_deref(), 200, 1, 1000)?;
    let client = match p.client_id.as_deref().filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(raw) => Some(int_param("client_id", Some(raw), 0, 1, i64::MAX)?),
    };
    let from = p
        .from
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| day_start("from", s))
        .transpose()?;
    let to =
        p.to.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| day_start("to", s).map(|t| t + Duration::days(1)))
            .transpose()?;
    let only_flagged = matches!(p.flagged.as_deref(), Some("true" | "1" | "on"));
    let search = audit::Search {
        username: p
            .username
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        from,
        to,
        client: client.map(ClientId),
    };
    let settings = ReviewSettings::default();
    let mut tx = st.store.begin().await?;
    let m = actor.user.municipality_id;
    let protected = audit::protected_clients(&mut tx, m).await?;
    let lines = audit::search(&mut tx, m, &search, SEARCH_WINDOW, &protected).await?;
    let period_truncated = i64::try_from(lines.len()).unwrap_or(i64::MAX) >= SEARCH_WINDOW;
    // "Many clients" looks at the user's other openings around each entry; a search for one client
    // has only that client's entries, so the same users' entries around them are read too.
    let neighbours = match client {
        None => Vec::new(),
        Some(_) => neighbours(&mut tx, m, &lines, settings.burst_window, &protected).await?,
    };
    let facts: Vec<AccessFact> = lines
        .iter()
        .chain(&neighbours)
        .map(|l| AccessFact {
            id: l.entry.id,
            at: l.entry.logged_at,
            username: l.entry.entry.username.clone(),
            client: l.entry.entry.client_id.map(|c| c.0),
            lists_clients: !l.entry.entry.clients.is_empty(),
            action: l.entry.action_name.parse().ok(),
            emergency: l.entry.entry.emergency_reason.is_some(),
            protected_client: l.protected_client,
        })
        .collect();
    let mut flags = review::flag(&facts, &settings);
    let items: Vec<AuditLine> = lines
        .into_iter()
        .map(|l| AuditLine {
            flags: flags.remove(&l.entry.id).unwrap_or_default(),
            id: l.entry.id,
            logged_at: l.entry.logged_at,
            username: l.entry.entry.username,
            role: l.entry.entry.role,
            client_id: l.entry.entry.client_id.map(|c| c.0),
            client_ids: l.entry.entry.clients.iter().map(|c| c.0).collect(),
            case_id: l.entry.entry.case_id.map(|c| c.0),
            action: l.entry.action_name,
            detail: l.entry.entry.detail,
            emergency_reason: l.entry.entry.emergency_reason,
            address: l.entry.entry.address,
            review: l.review.map(|r| ReviewOut {
                reviewed_by: r.reviewed_by,
                reviewed_at: r.reviewed_at,
                comment: r.comment,
            }),
        })
        .filter(|l| !only_flagged || !l.flags.is_empty())
        .take(usize::try_from(limit).unwrap_or(200))
        .collect();
    // Reading the log is itself logged.
    tx.audit(actor.audit(AuditAction::AuditRead, None, detail));
    tx.commit().await?;
    Ok(AuditList {
        items,
        period_truncated,
    })
}

/// The entries of the same users within `window` of each of `lines` (besides `lines` themselves),
/// one query per user and stretch of time.
async fn neighbours(
    tx: &mut vaka_store::Tx,
    municipality: MunicipalityId,
    lines: &[audit::ReviewLine],
    window: Duration,
    protected: &HashSet<ClientId>,
) -> Result<Vec<audit::ReviewLine>, ApiError> {
    let spans = review::neighbourhoods(
        lines
            .iter()
            .map(|l| (l.entry.entry.username.as_str(), l.entry.logged_at)),
        window,
    );
    let seen: HashSet<i64> = lines.iter().map(|l| l.entry.id).collect();
    let mut out = Vec::new();
    for (username, list) in spans {
        for (from, to) in list {
            let around = audit::Search {
                username: Some(username.to_owned()),
                from: Some(from),
                // The search's end is exclusive.
                to: Some(to + Duration::seconds(1)),
                client: None,
            };
            out.extend(
                audit::search(tx, municipality, &around, SEARCH_WINDOW, protected)
                    .await?
                    .into_iter()
                    .filter(|l| !seen.contains(&l.entry.id)),
            );
        }
    }
    Ok(out)
}

/// Search the access log (auditors only). Each entry carries the reasons it is worth a look.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_audit(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<AuditParams>,
) -> Result<Json<AuditList>, ApiError> {
    Ok(Json(
        review_lines(&st, &actor, &p, "GET /api/v1/audit".into()).await?,
    ))
}

/// Mark an entry as reviewed, with a comment (auditors only; once per entry).
#[utoipa::path(post, path = "/api/v1/audit/{id}/review", tag = "audit", params(("id" = i64, Path)), request_body = ReviewRequest,
    responses((status = 201, body = ReviewOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Already reviewed"),
        (status = 422, body = ErrorBody)))]
pub async fn review_entry(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<ReviewRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let out = record_review(&st, &actor, &raw, req.comment.as_deref().unwrap_or("")).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Checks and records a review; shared with the review page.
pub async fn record_review(
    st: &AppState,
    actor: &Actor,
    raw_id: &str,
    comment: &str,
) -> Result<ReviewOut, ApiError> {
    require_auditor(actor)?;
    let id = path_id(raw_id)?;
    let comment = vaka_domain::error::required_text("comment", comment, 1000)?;
    let mut tx = st.store.begin().await?;
    audit::review(
        &mut tx,
        actor.user.municipality_id,
        id,
        actor.user.id,
        &comment,
    )
    .await
    .map_err(|e| match e {
        vaka_store::StoreError::Conflict(_) => ApiError::Conflict(FieldError::new(
            "id",
            "already_reviewed",
            Msg::new(
                "Posten är redan granskad.",
                "The entry has been reviewed already.",
            ),
        )),
        other => other.into(),
    })?;
    tx.audit(actor.audit(
        AuditAction::AuditReview,
        None,
        format!("review of access-log entry {id}"),
    ));
    tx.commit().await?;
    Ok(ReviewOut {
        reviewed_by: actor.user.username.clone(),
        reviewed_at: vaka_store::now(),
        comment,
    })
}
