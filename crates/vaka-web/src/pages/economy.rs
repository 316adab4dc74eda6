//! The unit head's desk: the year's money (budget, cost so far, forecast), decisions that departed
//! from what was asked, providers with their compliance, the own housing, and invoice import with
//! every mismatch listed. Plus the decision letter as a printable page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use vaka_domain::access::{self, Action};
use vaka_domain::ids::DecisionId;
use vaka_domain::intervention::Intervention;
use vaka_domain::invoice::Mismatch;
use vaka_domain::money::Money;
use vaka_store::{decisions, invoices, providers};

use super::form::{Field, FormFields, Input};
use super::journal::{Choice, csrf_ok, page_error};
use super::{Chrome, PageLang, message, render};
use crate::AppState;
use crate::api::economy::{all_budget_lines, housing_overview, period, provider_response};
use crate::auth::SessionActor;
use crate::error::ApiError;
use crate::i18n::Tr;

pub struct BudgetRow {
    pub intervention: String,
    pub budget: String,
    pub actual: String,
    pub committed: String,
    pub forecast: String,
    pub over: bool,
    /// Forecast as a share of the budget, 0–100 for the bar (capped).
    pub bar: u32,
}

pub struct DepartureRow {
    pub id: i64,
    pub client_id: i64,
    pub decided_on: String,
    pub intervention: String,
    pub outcome: String,
    pub departs: String,
    pub appeal: String,
    /// Kommunicering (FL 25 §): how it stands, and whether it is missing.
    pub communication: String,
    pub communication_missing: bool,
}

pub struct ProviderRow {
    pub id: i64,
    pub name: String,
    pub org: String,
    pub contracts: usize,
    pub compliance: String,
}

pub struct HousingRow {
    pub kind: String,
    pub units: usize,
    pub occupancy: String,
    pub waiting: usize,
    pub incidents: String,
}

pub struct UnitRow {
    pub label: String,
    pub kind: String,
    pub sobriety: bool,
    pub placement: Option<i64>,
}

pub struct WaitRow {
    pub id: i64,
    pub client_id: i64,
    pub kind: String,
    pub added_on: String,
    pub days: i64,
}

pub struct MismatchRow {
    pub kind: String,
    pub line: String,
    pub placement: String,
    pub period: String,
    pub days: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "economy.html")]
struct EconomyPage {
    t: Tr,
    chrome: Chrome,
    year: i32,
    budget: Vec<BudgetRow>,
    departures: Vec<DepartureRow>,
    providers: Vec<ProviderRow>,
    housing: Vec<HousingRow>,
    units: Vec<UnitRow>,
    waiting: Vec<WaitRow>,
    dequeue: Vec<Choice>,
    day_count: Vec<Choice>,
    form_error: Option<String>,
    imports: Vec<(String, String, i64, i64, usize)>,
    result: Option<(usize, usize, Vec<MismatchRow>)>,
    csv: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct YearParams {
    year: Option<String>,
}

fn money(ore: i64) -> String {
    Money(ore).to_string()
}

fn intervention(t: Tr, i: Intervention) -> String {
    t.pick(i.label()).to_owned()
}

async fn load(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    year: i32,
) -> Result<EconomyPage, ApiError> {
    let actor = &session.actor;
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin().await?;
    let lines = all_budget_lines(&mut tx, muni, year).await?;
    let unit = actor.user.unit_id.ok_or(ApiError::Forbidden)?;
    let departures = decisions::decisions_in_unit(&mut tx, unit, true, 50).await?;
    let mut provider_rows = Vec::new();
    for p in providers::list(&mut tx, muni).await? {
        let r = provider_response(&mut tx, &p).await?;
        let compliance = match r.inspections.first() {
            None => t.t("e-not-followed-up").to_owned(),
            Some(i) => {
                let failed: Vec<&str> = i
                    .compliance
                    .iter()
                    .filter(|c| c.met == Some(false))
                    .map(|c| t.pick(c.label()))
                    .collect();
                if failed.is_empty() {
                    format!("{} {}", t.t("e-meets-requirements"), i.inspected_on)
                } else {
                    format!(
                        "{} {}: {}",
                        t.t("e-falls-short"),
                        i.inspected_on,
                        failed.join(", ")
                    )
                }
            }
        };
        provider_rows.push(ProviderRow {
            id: r.id,
            name: r.name,
            org: r
                .organisation_number
                .unwrap_or_else(|| t.t("d-internal").to_owned()),
            contracts: r.contracts.len(),
            compliance,
        });
    }
    let (from, to) = period(None, None)?;
    let housing = housing_overview(&mut tx, muni, from, to).await?;
    let imports = invoices::imports(&mut tx, muni, 5).await?;
    let rule = crate::api::placements::day_count(&mut tx, muni).await?;
    let today = crate::api::today();
    // The page names clients in the departures and on the waiting list.
    let listed = departures.iter().map(|d| d.client_id).chain(
        housing
            .waiting_list
            .iter()
            .map(|w| vaka_domain::ids::ClientId(w.client_id)),
    );
    tx.audit(actor.audit_list(
        vaka_store::AuditAction::DecisionList,
        listed,
        "GET /economy",
    ));
    tx.commit().await?;
    Ok(EconomyPage {
        t,
        chrome: Chrome::of(session, "/economy"),
        year,
        budget: lines
            .iter()
            .map(|l| BudgetRow {
                intervention: intervention(t, l.intervention),
                budget: l.budget_ore.map_or_else(|| "–".into(), money),
                actual: money(l.actual_ore),
                committed: money(l.committed_ore),
                forecast: money(l.forecast_ore),
                over: l.over_budget,
                bar: l.budget_ore.filter(|b| *b > 0).map_or(0, |b| {
                    ((l.forecast_ore.saturating_mul(100)) / b).clamp(0, 100) as u32
                }),
            })
            .collect(),
        departures: departures
            .iter()
            .map(|d| DepartureRow {
                id: d.id.0,
                client_id: d.client_id.0,
                decided_on: d.decided_on.to_string(),
                intervention: intervention(t, d.intervention),
                outcome: t.pick(d.outcome.label()).to_owned(),
                departs: [
                    d.departs_from_application.then(|| t.t("e-the-application")),
                    d.departs_from_recommendation
                        .then(|| t.t("e-the-recommendation")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
                appeal: {
                    let (sv, en) = d.appeal_status(today).label();
                    t.pick((&sv, &en)).to_owned()
                },
                communication: t.pick(d.communication_status().label()).to_owned(),
                communication_missing: d.communication_status()
                    == vaka_domain::decision::CommunicationStatus::Missing,
            })
            .collect(),
        providers: provider_rows,
        housing: housing
            .kinds
            .iter()
            .map(|k| HousingRow {
                kind: k
                    .kind
                    .parse::<Intervention>()
                    .map(|i| intervention(t, i))
                    .unwrap_or_else(|_| k.kind.clone()),
                units: k.units,
                occupancy: k
                    .occupancy
                    .rate
                    .map_or_else(|| "–".into(), |r| format!("{:.0} %", r * 100.0)),
                waiting: k.waiting,
                incidents: k
                    .incidents_per_1000_days
                    .map_or_else(|| "–".into(), |r| format!("{r:.1}")),
            })
            .collect(),
        units: housing
            .units
            .iter()
            .map(|u| UnitRow {
                label: u.label.clone(),
                kind: u
                    .kind
                    .as_str()
                    .parse::<Intervention>()
                    .map(|i| intervention(t, i))
                    .unwrap_or_default(),
                sobriety: u.sobriety_required,
                placement: u.occupied_by_placement,
            })
            .collect(),
        waiting: housing
            .waiting_list
            .iter()
            .map(|w| WaitRow {
                id: w.id,
                client_id: w.client_id,
                kind: w
                    .kind
                    .as_str()
                    .parse::<Intervention>()
                    .map(|i| intervention(t, i))
                    .unwrap_or_default(),
                added_on: w.added_on.to_string(),
                days: w.days_waiting,
            })
            .collect(),
        dequeue: choices(&super::providers::dequeue_fields(t)),
        day_count: choices(&super::providers::day_count_fields(t, rule)),
        form_error: None,
        imports: imports
            .iter()
            .map(|i| {
                (
                    vaka_domain::time::local_minute(i.imported_at),
                    i.filename.clone(),
                    i.rows,
                    i.matched,
                    i.mismatches.as_array().map_or(0, Vec::len),
                )
            })
            .collect(),
        result: None,
        csv: String::new(),
        error: None,
    })
}

/// The options of a one-field form, for the economy page's small forms.
fn choices(fields: &[Field]) -> Vec<Choice> {
    match fields.first().map(|f| (&f.input, &f.value)) {
        Some((Input::Select(options), value)) => options
            .iter()
            .map(|(v, l)| Choice {
                value: v.clone(),
                label: l.clone(),
                checked: v == value,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A small form on the economy page failed: the page again with what was wrong at the top.
pub async fn after_error(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    chrome: Chrome,
    e: ApiError,
) -> Response {
    let (status, errors) = match e {
        ApiError::Invalid(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        ApiError::Conflict(e) => (StatusCode::CONFLICT, vec![e]),
        other => return page_error(t, chrome, other),
    };
    match load(st, session, t, crate::api::today().year()).await {
        Ok(mut page) => {
            page.form_error = Some(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, t.pick((&e.message.sv, &e.message.en))))
                    .collect::<Vec<_>>()
                    .join(" · "),
            );
            render(status, page)
        }
        Err(e) => page_error(t, chrome, e),
    }
}

fn may_see(session: &SessionActor) -> bool {
    access::may_ever(session.actor.user.role, Action::ManageEconomy)
}

pub async fn economy_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Query(q): Query<YearParams>,
) -> Response {
    let chrome = Chrome::of(&session, "/economy");
    if !may_see(&session) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| crate::api::today().year());
    match load(&st, &session, t, year).await {
        Ok(page) => render(StatusCode::OK, page),
        Err(e) => page_error(t, chrome, e),
    }
}

fn mismatch_rows(t: Tr, list: &[Mismatch]) -> Vec<MismatchRow> {
    let opt = |v: Option<i64>| v.map_or_else(|| "–".into(), |v| v.to_string());
    list.iter()
        .map(|m| MismatchRow {
            kind: t.pick(m.kind.label()).to_owned(),
            line: m.line.map_or_else(|| "–".into(), |l| l.to_string()),
            placement: opt(m.placement_id),
            period: format!("{} – {}", m.period_start, m.period_end),
            days: format!("{} / {}", opt(m.invoiced_days), opt(m.expected_days)),
            amount: format!(
                "{} / {}",
                m.invoiced_ore.map_or_else(|| "–".into(), money),
                m.expected_ore.map_or_else(|| "–".into(), money)
            ),
        })
        .collect()
}

/// Imports pasted invoice CSV and shows the reconciliation on the same page.
pub async fn import_invoices(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    form: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, "/economy");
    if !csrf_ok(&session, &form) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    if !may_see(&session) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    let csv = form.get("csv").unwrap_or("").to_owned();
    let filename = form
        .get("filename")
        .filter(|f| !f.trim().is_empty())
        .unwrap_or("invoices.csv")
        .to_owned();
    let outcome =
        crate::api::placements::reconcile_and_store(&st, &session.actor, csv.as_bytes(), &filename)
            .await;
    let year = crate::api::today().year();
    let mut page = match load(&st, &session, t, year).await {
        Ok(p) => p,
        Err(e) => return page_error(t, chrome, e),
    };
    match outcome {
        Ok((_, rows, result)) => {
            page.result = Some((
                rows,
                result.matched.len(),
                mismatch_rows(t, &result.mismatches),
            ));
            render(StatusCode::OK, page)
        }
        Err(ApiError::Invalid(errors)) => {
            page.error = Some(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, t.pick((&e.message.sv, &e.message.en))))
                    .collect::<Vec<_>>()
                    .join(" · "),
            );
            page.csv = csv;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => page_error(t, chrome, e),
    }
}

#[derive(Deserialize)]
pub struct LetterParams {
    format: Option<String>,
}

/// The decision letter as a printable page (or its PDF).
pub async fn letter_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Query(q): Query<LetterParams>,
) -> Response {
    let here = format!("/decisions/{raw}/letter");
    let chrome = Chrome::of(&session, &here);
    let Some(id) = raw.parse::<i64>().ok().filter(|n| *n > 0).map(DecisionId) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let format = if q.format.as_deref() == Some("pdf") {
        "pdf"
    } else {
        "html"
    };
    let result = async {
        let (letter, municipality, client) = crate::api::decisions::compose_letter(
            &st,
            &session.actor,
            id,
            format!("GET /decisions/{}/letter?format={format}", id.0),
        )
        .await?;
        let back = format!("/clients/{}", client.0);
        crate::api::decisions::render_letter(
            letter,
            municipality,
            format,
            format!("/decisions/{}/letter?format=pdf", id.0),
            back,
        )
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => page_error(t, chrome, e),
    }
}
