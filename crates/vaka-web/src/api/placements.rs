//! Placements with their cost, price changes and end; invoice import and reconciliation; CSV export
//! of decisions and placements.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::Action;
use vaka_domain::error::{collect, optional_text, required_date, required_text};
use vaka_domain::ids::{DecisionId, HousingUnitId, PlacementId, ProviderId};
use vaka_domain::invoice::{self, InvoicedPlacement, Reconciliation};
use vaka_domain::money::Money;
use vaka_domain::placement::{
    self as rules, DayCount, EndReason, Placement, PlacementDates, PlacementInput,
};
use vaka_domain::{FieldError, Msg};
use vaka_store::placements::{NewPlacement, PriceChange};
use vaka_store::{
    AuditAction, Tx, decisions, housing, invoices, outcomes, placements, providers, settings,
};

use super::{authorised_body_client, body_client, path_id, today};
use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PlacementRequest {
    pub client_id: Option<i64>,
    /// The decision carried out.
    pub decision_id: Option<i64>,
    pub provider_id: Option<i64>,
    /// A training apartment or place of the municipality's own.
    pub housing_unit_id: Option<i64>,
    pub intervention: Option<String>,
    /// `YYYY-MM-DD`, the first day.
    pub start: Option<String>,
    /// The last day, planned or actual.
    pub end: Option<String>,
    /// Öre per day. Default the contract's price; another price needs `price_reason`; with no
    /// contract price it must be given (a direct purchase).
    pub daily_price_ore: Option<i64>,
    pub price_reason: Option<String>,
    /// When it has ended: `completed_as_planned`, `relapse`, `broken_off_by_client`,
    /// `evicted_or_discharged`, `moved`, `died`, `other`.
    pub end_reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PriceChangeResponse {
    pub from: NaiveDate,
    pub daily_price_ore: i64,
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlacementResponse {
    pub id: i64,
    pub client_id: i64,
    pub decision_id: Option<i64>,
    pub provider_id: Option<i64>,
    pub housing_unit_id: Option<i64>,
    pub intervention: vaka_domain::intervention::Intervention,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub daily_price_ore: i64,
    pub price_reason: Option<String>,
    pub price_changes: Vec<PriceChangeResponse>,
    /// The municipality's day-counting rule (`nights` or `calendar_days`).
    pub day_count: DayCount,
    /// Paid days so far (to the end, or to today while it runs).
    pub days: i64,
    /// Days × price, each day at the price in force that day.
    pub cost_ore: i64,
    /// Cost per calendar year, for placements across year ends (keys are years, e.g. `"2026"`).
    #[schema(value_type = BTreeMap<String, i64>)]
    pub cost_by_year: BTreeMap<i32, i64>,
}

pub(crate) async fn day_count(
    tx: &mut Tx,
    municipality: vaka_domain::ids::MunicipalityId,
) -> Result<DayCount, ApiError> {
    Ok(settings::day_count(tx, municipality).await?)
}

pub(crate) async fn placement_response(
    tx: &mut Tx,
    p: &Placement,
    rule: DayCount,
) -> Result<PlacementResponse, ApiError> {
    let changes = placements::price_changes(tx, &[p.id]).await?;
    let changes = changes.get(&p.id.0).cloned().unwrap_or_default();
    let stay = placements::stay(p, &changes);
    let today = today();
    let open_until = today;
    let all = stay.cost_between(rule, p.start, NaiveDate::MAX, open_until);
    Ok(PlacementResponse {
        id: p.id.0,
        client_id: p.client_id.0,
        decision_id: p.decision_id.map(|d| d.0),
        provider_id: p.provider_id.map(|x| x.0),
        housing_unit_id: p.housing_unit_id.map(|x| x.0),
        intervention: p.intervention,
        start: p.start,
        end: p.end,
        end_reason: p.end_reason,
        daily_price_ore: p.daily_price.0,
        price_reason: p.price_reason.clone(),
        price_changes: changes
            .iter()
            .map(|c| PriceChangeResponse {
                from: c.from,
                daily_price_ore: c.daily_price.0,
                reason: c.reason.clone(),
            })
            .collect(),
        day_count: rule,
        days: all.days,
        cost_ore: all.cost.0,
        cost_by_year: stay
            .cost_by_year(rule, open_until)
            .into_iter()
            .map(|(y, c)| (y, c.cost.0))
            .collect(),
    })
}

fn unknown(field: &str, sv: &str, en: &str) -> FieldError {
    FieldError::new(field, "unknown", Msg::new(sv, en))
}

/// Checks and stores a placement, schedules its outcome follow-ups, in one transaction with its
/// access-log entry (shared with the page).
pub(crate) async fn save_placement(
    st: &AppState,
    actor: &Actor,
    req: &PlacementRequest,
    detail: &str,
) -> Result<(Placement, DayCount), ApiError> {
    let client = body_client(actor, req.client_id, Action::Decide)?;
    let dates = PlacementDates::parse(&PlacementInput {
        intervention: req.intervention.as_deref(),
        start: req.start.as_deref(),
        end: req.end.as_deref(),
        end_reason: req.end_reason.as_deref(),
    })?;
    let mut entry = actor.audit(AuditAction::PlacementCreate, Some(client), detail);
    let mut tx = authorised_body_client(st, actor, client, Action::Decide, &mut entry).await?;
    let muni = actor.user.municipality_id;
    if let Some(id) = req.decision_id {
        decisions::decision(&mut tx, DecisionId(id))
            .await?
            .filter(|d| d.client_id == client)
            .ok_or_else(|| {
                unknown(
                    "decision_id",
                    "Beslutet finns inte för klienten.",
                    "No such decision for this client.",
                )
            })?;
    }
    let provider = match req.provider_id {
        None => None,
        Some(id) => Some(
            providers::get(&mut tx, ProviderId(id))
                .await?
                .filter(|p| p.municipality_id == muni)
                .ok_or_else(|| {
                    unknown("provider_id", "Utföraren finns inte.", "No such provider.")
                })?,
        ),
    };
    if let Some(id) = req.housing_unit_id {
        housing::unit(&mut tx, HousingUnitId(id))
            .await?
            .filter(|u| u.municipality_id == muni)
            .ok_or_else(|| {
                unknown(
                    "housing_unit_id",
                    "Bostaden finns inte.",
                    "No such housing unit.",
                )
            })?;
    }
    let contract_price = match &provider {
        None => None,
        Some(p) => rules::contract_price(
            &providers::contracts(&mut tx, p.id).await?,
            dates.intervention,
            dates.start,
        ),
    };
    let (price, reason) = rules::settle_price(
        contract_price,
        req.daily_price_ore,
        req.price_reason.as_deref(),
    )?;
    let id = placements::insert(
        &mut tx,
        &NewPlacement {
            client,
            decision: req.decision_id.map(DecisionId),
            intervention: dates.intervention,
            provider: provider.map(|p| p.id),
            housing_unit: req.housing_unit_id.map(HousingUnitId),
            start: dates.start,
            end: dates.end,
            daily_price: price,
            price_reason: reason.as_deref(),
            end_reason: dates.end_reason,
        },
        actor.user.id,
    )
    .await?;
    outcomes::schedule_for_placement(&mut tx, client, id, dates.start).await?;
    let rule = day_count(&mut tx, muni).await?;
    super::economy::check_budget(&mut tx, muni, dates.start).await?;
    let saved = placements::get(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    Ok((saved, rule))
}

/// Start a placement (verkställighet). The price is the contract's unless another is given with a
/// reason. Answers 201 with its computed `cost_ore`; intake, 6- and 12-month follow-ups are scheduled.
#[utoipa::path(post, path = "/api/v1/placements", tag = "placements", request_body = PlacementRequest,
    responses((status = 201, body = PlacementResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_placement(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<PlacementRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (p, rule) = save_placement(&st, &actor, &req, "POST /api/v1/placements").await?;
    let mut tx = st.store.begin_read().await?;
    let body = placement_response(&mut tx, &p, rule).await?;
    tx.finish_read(&st.store).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/placements/{}", p.id.0))],
        Json(body),
    ))
}

/// Loads a placement and checks `action` on its client.
pub(crate) async fn placement_with_access(
    st: &AppState,
    actor: &Actor,
    id: PlacementId,
    action: Action,
    audit: AuditAction,
    detail: String,
) -> Result<(Tx, Placement, vaka_store::NewAuditEntry), ApiError> {
    let mut tx = st.store.begin().await?;
    let p = placements::get(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut entry = actor.audit(audit, Some(p.client_id), detail);
    let tx =
        crate::client_access::authorize(tx, &actor.user, p.client_id, action, &mut entry).await?;
    Ok((tx, p, entry))
}

/// One placement with its days and cost.
#[utoipa::path(get, path = "/api/v1/placements/{id}", tag = "placements", params(("id" = i64, Path)),
    responses((status = 200, body = PlacementResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_placement(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<PlacementResponse>, ApiError> {
    let id = PlacementId(path_id(&raw)?);
    let (mut tx, p, entry) = placement_with_access(
        &st,
        &actor,
        id,
        Action::ReadClient,
        AuditAction::PlacementRead,
        format!("GET /api/v1/placements/{}", id.0),
    )
    .await?;
    let rule = day_count(&mut tx, actor.user.municipality_id).await?;
    let body = placement_response(&mut tx, &p, rule).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(body))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EndRequest {
    /// The last day.
    pub end: Option<String>,
    /// Why it ended; leave out to set a planned end.
    pub end_reason: Option<String>,
}

/// End a placement (with a reason), or set its planned end (without one).
#[utoipa::path(post, path = "/api/v1/placements/{id}/end", tag = "placements", params(("id" = i64, Path)), request_body = EndRequest,
    responses((status = 200, body = PlacementResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already ended"), (status = 422, body = ErrorBody)))]
pub async fn end_placement(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<EndRequest>,
) -> Result<Json<PlacementResponse>, ApiError> {
    let id = PlacementId(path_id(&raw)?);
    let (mut tx, p, entry) = placement_with_access(
        &st,
        &actor,
        id,
        Action::Decide,
        AuditAction::PlacementUpdate,
        format!("POST /api/v1/placements/{}/end", id.0),
    )
    .await?;
    let saved = apply_end(
        &mut tx,
        &p,
        req.end.as_deref(),
        req.end_reason.as_deref(),
        actor.user.municipality_id,
    )
    .await?;
    let rule = day_count(&mut tx, actor.user.municipality_id).await?;
    let body = placement_response(&mut tx, &saved, rule).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(body))
}

/// Checks and writes an end (shared with the page).
pub(crate) async fn apply_end(
    tx: &mut Tx,
    p: &Placement,
    end: Option<&str>,
    reason: Option<&str>,
    muni: vaka_domain::ids::MunicipalityId,
) -> Result<Placement, ApiError> {
    if p.end_reason.is_some() {
        return Err(ApiError::Conflict(FieldError::new(
            "end",
            "already_ended",
            Msg::new(
                "Placeringen är redan avslutad.",
                "The placement has already ended.",
            ),
        )));
    }
    let mut errors = Vec::new();
    let end = collect(required_date("end", end), &mut errors);
    let reason = collect(
        vaka_domain::error::optional_name::<EndReason>("end_reason", reason),
        &mut errors,
    )
    .flatten();
    if let Some(e) = end {
        collect(
            vaka_domain::error::not_before("end", e, p.start, ("startdagen", "the start")),
            &mut errors,
        );
    }
    let Some(end) = end.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    placements::set_end(tx, p.id, end, reason).await?;
    super::economy::check_budget(tx, muni, end).await?;
    placements::get(tx, p.id).await?.ok_or(ApiError::NotFound)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PriceRequest {
    /// The first day at the new price.
    pub from: Option<String>,
    pub daily_price_ore: Option<i64>,
    /// Why the price changes (indexation, a new contract, more staffing...).
    pub reason: Option<String>,
}

/// Change a placement's daily price from a day on.
#[utoipa::path(post, path = "/api/v1/placements/{id}/prices", tag = "placements", params(("id" = i64, Path)), request_body = PriceRequest,
    responses((status = 200, body = PlacementResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn change_price(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<PriceRequest>,
) -> Result<Json<PlacementResponse>, ApiError> {
    let id = PlacementId(path_id(&raw)?);
    let (mut tx, p, entry) = placement_with_access(
        &st,
        &actor,
        id,
        Action::Decide,
        AuditAction::PlacementUpdate,
        format!("POST /api/v1/placements/{}/prices", id.0),
    )
    .await?;
    let mut errors = Vec::new();
    let from = collect(required_date("from", req.from.as_deref()), &mut errors);
    if let Some(f) = from {
        collect(
            vaka_domain::error::not_before("from", f, p.start, ("startdagen", "the start")),
            &mut errors,
        );
        if p.end.is_some_and(|e| f > e) {
            errors.push(FieldError::new(
                "from",
                "after_end",
                Msg::new(
                    "Dagen ligger efter placeringens slut.",
                    "The day is after the placement's end.",
                ),
            ));
        }
    }
    let price = match req.daily_price_ore {
        Some(v) => collect(Money::non_negative("daily_price_ore", v), &mut errors),
        None => {
            errors.push(FieldError::required("daily_price_ore"));
            None
        }
    };
    let reason = collect(
        required_text("reason", req.reason.as_deref().unwrap_or(""), 2000),
        &mut errors,
    );
    let (Some(from), Some(daily_price), Some(reason)) = (from, price, reason) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let existing = placements::price_changes(&mut tx, &[p.id]).await?;
    if from == p.start
        || existing
            .get(&p.id.0)
            .is_some_and(|c| c.iter().any(|c| c.from == from))
    {
        return Err(ApiError::Conflict(FieldError::new(
            "from",
            "already_priced",
            Msg::new(
                "Det finns redan ett pris från den dagen.",
                "A price from that day already exists.",
            ),
        )));
    }
    placements::add_price(
        &mut tx,
        p.id,
        &PriceChange {
            from,
            daily_price,
            reason,
        },
        actor.user.id,
    )
    .await?;
    super::economy::check_budget(&mut tx, actor.user.municipality_id, from).await?;
    let rule = day_count(&mut tx, actor.user.municipality_id).await?;
    let body = placement_response(&mut tx, &p, rule).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(body))
}

#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    pub filename: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceImportResponse {
    pub import_id: i64,
    pub rows: usize,
    /// Lines that match their placement in every respect.
    pub matched: Vec<usize>,
    /// Every mismatch: `unknown_placement`, `wrong_provider`, `outside_placement`, `days_differ`,
    /// `amount_differs`, `already_invoiced`, `not_invoiced`.
    #[schema(value_type = Vec<Object>)]
    pub mismatches: Vec<invoice::Mismatch>,
}

/// Import invoice rows as CSV (the body, `text/csv`; `;` or `,`; columns `invoice_number`,
/// `organisation_number`, `placement_id`, `period_start`, `period_end`, `days`, `amount` in kronor
/// or `amount_ore`) and reconcile them against the placements. A file with a wrong cell is refused
/// whole (422 naming `line N: column`); otherwise the rows are stored with every mismatch listed.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "placements", params(("filename" = Option<String>, Query)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = InvoiceImportResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import_invoices(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<InvoiceImportResponse>), ApiError> {
    super::may(&actor, Action::ManageEconomy)?;
    let filename = q.filename.unwrap_or_else(|| "invoices.csv".into());
    let (id, rows, result) = reconcile_and_store(&st, &actor, &body, &filename).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvoiceImportResponse {
            import_id: id,
            rows,
            matched: result.matched,
            mismatches: result.mismatches,
        }),
    ))
}

/// Parses, reconciles and stores one invoice file (shared with the page).
pub(crate) async fn reconcile_and_store(
    st: &AppState,
    actor: &Actor,
    bytes: &[u8],
    filename: &str,
) -> Result<(i64, usize, Reconciliation), ApiError> {
    let filename =
        optional_text("filename", Some(filename), 200)?.unwrap_or_else(|| "invoices.csv".into());
    let rows = invoice::parse_csv(bytes)?;
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin().await?;
    let from = rows
        .iter()
        .map(|r| r.period_start)
        .min()
        .unwrap_or_default();
    let to = rows.iter().map(|r| r.period_end).max().unwrap_or_default();
    let mut wanted: Vec<Placement> = placements::in_municipality(&mut tx, muni, from, to).await?;
    // Rows may name placements outside the period (their days are then outside the placement).
    for r in &rows {
        if !wanted.iter().any(|p| p.id.0 == r.placement_id)
            && let Some(p) = placements::get(&mut tx, PlacementId(r.placement_id)).await?
            && vaka_store::clients::get(&mut tx, p.client_id)
                .await?
                .is_some_and(|c| c.municipality_id == muni)
        {
            wanted.push(p);
        }
    }
    let ids: Vec<PlacementId> = wanted.iter().map(|p| p.id).collect();
    let changes = placements::price_changes(&mut tx, &ids).await?;
    let orgs: BTreeMap<i64, Option<String>> = providers::list(&mut tx, muni)
        .await?
        .into_iter()
        .map(|p| (p.id.0, p.organisation_number.map(|o| o.as_str().to_owned())))
        .collect();
    let by_id: BTreeMap<i64, InvoicedPlacement> = wanted
        .iter()
        .map(|p| {
            (
                p.id.0,
                InvoicedPlacement {
                    provider_organisation_number: p
                        .provider_id
                        .and_then(|id| orgs.get(&id.0).cloned().flatten()),
                    stay: placements::stay(p, changes.get(&p.id.0).map_or(&[][..], Vec::as_slice)),
                },
            )
        })
        .collect();
    let earlier =
        invoices::earlier_periods(&mut tx, &ids.iter().map(|p| p.0).collect::<Vec<_>>()).await?;
    let rule = day_count(&mut tx, muni).await?;
    let result = invoice::reconcile(&rows, &by_id, &earlier, rule, today());
    let id =
        invoices::insert_import(&mut tx, muni, actor.user.id, &filename, &rows, &result).await?;
    tx.audit(actor.audit(
        AuditAction::InvoiceImport,
        None,
        format!("POST /api/v1/invoices import {id}"),
    ));
    tx.commit().await?;
    Ok((id, rows.len(), result))
}

/// Neutralises a cell that a spreadsheet would run as a formula.
pub(crate) fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn csv_response(name: &str, rows: Vec<Vec<String>>) -> Result<impl IntoResponse + use<>, ApiError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in rows {
        w.write_record(r.iter().map(|c| safe_cell(c)))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    ))
}

/// The decisions of the caller's unit as CSV (`;`, UTF-8 with BOM), by client id (no names or
/// personal numbers): every decision, or those made in `year`.
#[utoipa::path(get, path = "/api/v1/export/decisions.csv", tag = "placements", params(("year" = Option<i32>, Query)),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export_decisions(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    super::may(&actor, Action::Decide)?;
    let unit = actor.user.unit_id.ok_or(ApiError::Forbidden)?;
    let year = match q.year.as_deref().filter(|y| !y.trim().is_empty()) {
        None => None,
        Some(raw) => Some(super::int_param("year", Some(raw), 0, 2000, 2100)? as i32),
    };
    let mut tx = st.store.begin_read().await?;
    let list = match year.and_then(vaka_domain::calendar::year_days) {
        Some((from, to)) => decisions::decisions_in_unit_between(&mut tx, unit, from, to).await?,
        None => decisions::decisions_in_unit(&mut tx, unit, false, i64::MAX).await?,
    };
    let today = today();
    let mut rows = vec![
        [
            "decision_id",
            "client_id",
            "intervention",
            "outcome",
            "decided_on",
            "period_start",
            "period_end",
            "provider_id",
            "departs_from_application",
            "departs_from_recommendation",
            "notified_on",
            "appeal_deadline",
            "appeal_status",
            "appeal_received_on",
            "appeal_outcome",
            "communication_status",
            "communicated_on",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for d in list.iter().rev() {
        rows.push(vec![
            d.id.0.to_string(),
            d.client_id.0.to_string(),
            d.intervention.as_str().into(),
            d.outcome.as_str().into(),
            d.decided_on.to_string(),
            opt(d.period_start),
            opt(d.period_end),
            d.provider_id.map(|p| p.0.to_string()).unwrap_or_default(),
            d.departs_from_application.to_string(),
            d.departs_from_recommendation.to_string(),
            opt(d.notified_on),
            opt(d.appeal_deadline()),
            d.appeal_status(today).name().into(),
            opt(d.appeal_received_on),
            d.appeal_outcome
                .map(|o| o.as_str().to_owned())
                .unwrap_or_default(),
            d.communication_status().as_str().into(),
            opt(
                vaka_domain::decision::CommunicationParts::of(d.communication.as_ref())
                    .communicated_on,
            ),
        ]);
    }
    tx.audit(actor.audit_list(
        AuditAction::Export,
        list.iter().map(|d| d.client_id),
        match year {
            Some(y) => format!("GET /api/v1/export/decisions.csv?year={y}"),
            None => "GET /api/v1/export/decisions.csv".to_owned(),
        },
    ));
    tx.commit().await?;
    csv_response("decisions.csv", rows)
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    pub year: Option<String>,
}

/// The placements of the municipality that touch a year (default this year) as CSV, with days and
/// cost in that year.
#[utoipa::path(get, path = "/api/v1/export/placements.csv", tag = "placements", params(("year" = Option<i32>, Query)),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn export_placements(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    super::may(&actor, Action::ManageEconomy)?;
    let today = today();
    let year = super::int_param(
        "year",
        q.year.as_deref(),
        i64::from(chrono::Datelike::year(&today)),
        2000,
        2100,
    )? as i32;
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin_read().await?;
    let Some((from, to)) = vaka_domain::calendar::year_days(year) else {
        return Err(ApiError::NotFound);
    };
    let list = placements::in_municipality(&mut tx, muni, from, to).await?;
    let changes = placements::price_changes_in_municipality(&mut tx, muni, from, to).await?;
    let rule = day_count(&mut tx, muni).await?;
    let mut rows = vec![
        [
            "placement_id",
            "client_id",
            "decision_id",
            "intervention",
            "provider_id",
            "housing_unit_id",
            "start",
            "end",
            "end_reason",
            "daily_price_ore",
            "year",
            "days_in_year",
            "cost_in_year_ore",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in &list {
        let stay = placements::stay(p, changes.get(&p.id.0).map_or(&[][..], Vec::as_slice));
        let c = stay.cost_between(rule, from, to, today.min(to));
        rows.push(vec![
            p.id.0.to_string(),
            p.client_id.0.to_string(),
            p.decision_id.map(|d| d.0.to_string()).unwrap_or_default(),
            p.intervention.as_str().into(),
            p.provider_id.map(|d| d.0.to_string()).unwrap_or_default(),
            p.housing_unit_id
                .map(|d| d.0.to_string())
                .unwrap_or_default(),
            p.start.to_string(),
            p.end.map(|d| d.to_string()).unwrap_or_default(),
            p.end_reason
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
            p.daily_price.0.to_string(),
            year.to_string(),
            c.days.to_string(),
            c.cost.0.to_string(),
        ]);
    }
    tx.audit(actor.audit_list(
        AuditAction::Export,
        list.iter().map(|p| p.client_id),
        format!("GET /api/v1/export/placements.csv?year={year}"),
    ));
    tx.commit().await?;
    csv_response("placements.csv", rows)
}
