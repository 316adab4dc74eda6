//! The unit head's economy: providers with contracts, price lists and quality requirements,
//! inspections and compliance; the year's budget and forecast; the municipality's own housing with
//! occupancy, incidents and the waiting list.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::Action;
use vaka_domain::budget::{self, BudgetLine};
use vaka_domain::error::{
    collect, optional_date, optional_text, required_date, required_name, required_text,
};
use vaka_domain::housing::{self, IncidentKind, Occupancy};
use vaka_domain::ids::{ContractId, MunicipalityId, PlacementId, ProviderId};
use vaka_domain::intervention::Intervention;
use vaka_domain::money::Money;
use vaka_domain::organisation_number::OrganisationNumber;
use vaka_domain::provider::{
    self as procurement, Contract, ContractPrice, HousingKind, HousingUnit, Inspection,
    RequirementCheck, TreatmentMethod,
};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, Tx, alerts, housing as housing_store, placements, providers};

use super::{may, path_id, today};
use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

/// Recomputes the forecast of the year `day` falls in and raises `budget_forecast_exceeded` where it
/// passes the budget. Runs in the transaction of every write that changes a cost.
pub(crate) async fn check_budget(
    tx: &mut Tx,
    muni: MunicipalityId,
    day: NaiveDate,
) -> Result<(), ApiError> {
    let year = day.year();
    if providers::budgets(tx, muni, year).await?.is_empty() {
        return Ok(());
    }
    let lines = all_budget_lines(tx, muni, year).await?;
    for c in budget::alerts(muni.0, year, &lines) {
        alerts::raise_municipal(tx, muni, &c).await?;
    }
    Ok(())
}

fn audit_economy(actor: &Actor, detail: String) -> vaka_store::NewAuditEntry {
    actor.audit(AuditAction::EconomyUpdate, None, detail)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProviderRequest {
    pub name: Option<String>,
    /// `NNNNNN-NNNN`, checked with its check digit.
    pub organisation_number: Option<String>,
    /// The municipality's own regi.
    #[serde(default)]
    pub internal: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContractPriceResponse {
    pub intervention: Intervention,
    pub daily_price_ore: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContractResponse {
    pub id: i64,
    pub reference: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub prices: Vec<ContractPriceResponse>,
    pub required_educated_staff_pct: Option<u8>,
    pub sobriety_policy: bool,
    pub reports_results: bool,
    pub methods: Vec<TreatmentMethod>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionResponse {
    pub inspected_on: NaiveDate,
    pub educated_staff_pct: Option<u8>,
    pub methods: Vec<TreatmentMethod>,
    pub sobriety_policy: Option<bool>,
    pub reports_results: Option<bool>,
    pub note: Option<String>,
    /// Each requirement of the contract in force on the day, against what was found.
    #[schema(value_type = Vec<Object>)]
    pub compliance: Vec<RequirementCheck>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderResponse {
    pub id: i64,
    pub name: String,
    pub organisation_number: Option<String>,
    pub internal: bool,
    pub contracts: Vec<ContractResponse>,
    pub inspections: Vec<InspectionResponse>,
}

fn contract_response(c: &Contract) -> ContractResponse {
    ContractResponse {
        id: c.id.0,
        reference: c.reference.clone(),
        valid_from: c.valid_from,
        valid_to: c.valid_to,
        prices: c
            .prices
            .iter()
            .map(|p| ContractPriceResponse {
                intervention: p.intervention,
                daily_price_ore: p.daily_price.0,
            })
            .collect(),
        required_educated_staff_pct: c.required_educated_staff_pct,
        sobriety_policy: c.sobriety_policy,
        reports_results: c.reports_results,
        methods: c.methods.clone(),
    }
}

pub(crate) async fn provider_response(
    tx: &mut Tx,
    p: &procurement::Provider,
) -> Result<ProviderResponse, ApiError> {
    let contracts = providers::contracts(tx, p.id).await?;
    let inspections = providers::inspections(tx, p.id).await?;
    Ok(ProviderResponse {
        id: p.id.0,
        name: p.name.clone(),
        organisation_number: p.organisation_number.as_ref().map(|o| o.to_string()),
        internal: p.internal,
        contracts: contracts.iter().map(contract_response).collect(),
        inspections: inspections
            .into_iter()
            .map(|i| {
                let in_force = contracts
                    .iter()
                    .filter(|c| c.valid_from <= i.on && c.valid_to.is_none_or(|t| i.on <= t))
                    .max_by_key(|c| c.valid_from);
                InspectionResponse {
                    compliance: in_force
                        .map(|c| procurement::compliance(c, &i))
                        .unwrap_or_default(),
                    inspected_on: i.on,
                    educated_staff_pct: i.educated_staff_pct,
                    methods: i.methods,
                    sobriety_policy: i.sobriety_policy,
                    reports_results: i.reports_results,
                    note: i.note,
                }
            })
            .collect(),
    })
}

/// Register a provider. The organisation number is validated with its check digit and is unique in
/// the municipality (409).
#[utoipa::path(post, path = "/api/v1/providers", tag = "economy", request_body = ProviderRequest,
    responses((status = 201, body = ProviderResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_provider(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<ProviderRequest>,
) -> Result<impl IntoResponse, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let p = save_provider(&st, &actor, &req).await?;
    let mut tx = st.store.begin_read().await?;
    let body = provider_response(&mut tx, &p).await?;
    tx.finish_read(&st.store).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

pub(crate) async fn save_provider(
    st: &AppState,
    actor: &Actor,
    req: &ProviderRequest,
) -> Result<procurement::Provider, ApiError> {
    let mut errors = Vec::new();
    let name = collect(
        required_text("name", req.name.as_deref().unwrap_or(""), 200),
        &mut errors,
    );
    let org = match req
        .organisation_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None if !req.internal => {
            errors.push(FieldError::required("organisation_number"));
            None
        }
        None => None,
        Some(raw) => collect(
            OrganisationNumber::parse("organisation_number", raw),
            &mut errors,
        ),
    };
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin().await?;
    if let Some(o) = &org
        && providers::by_organisation_number(&mut tx, muni, o)
            .await?
            .is_some()
    {
        return Err(ApiError::Conflict(FieldError::new(
            "organisation_number",
            "already_exists",
            Msg::new(
                "Utföraren finns redan.",
                "The provider is already registered.",
            ),
        )));
    }
    let id = providers::insert(
        &mut tx,
        muni,
        &name,
        org.as_ref(),
        req.internal,
        actor.user.id,
    )
    .await?;
    tx.audit(audit_economy(
        actor,
        format!("POST /api/v1/providers {}", id.0),
    ));
    let p = providers::get(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok(p)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderList {
    pub items: Vec<ProviderResponse>,
}

/// The municipality's providers with their contracts, inspections and compliance.
#[utoipa::path(get, path = "/api/v1/providers", tag = "economy",
    responses((status = 200, body = ProviderList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_providers(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ProviderList>, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let mut tx = st.store.begin_read().await?;
    let mut items = Vec::new();
    for p in providers::list(&mut tx, actor.user.municipality_id).await? {
        items.push(provider_response(&mut tx, &p).await?);
    }
    tx.finish_read(&st.store).await?;
    Ok(Json(ProviderList { items }))
}

async fn own_provider(
    tx: &mut Tx,
    actor: &Actor,
    raw: &str,
) -> Result<procurement::Provider, ApiError> {
    let id = ProviderId(path_id(raw)?);
    providers::get(tx, id)
        .await?
        .filter(|p| p.municipality_id == actor.user.municipality_id)
        .ok_or(ApiError::NotFound)
}

/// One provider.
#[utoipa::path(get, path = "/api/v1/providers/{id}", tag = "economy", params(("id" = i64, Path)),
    responses((status = 200, body = ProviderResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_provider(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<ProviderResponse>, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let mut tx = st.store.begin_read().await?;
    let p = own_provider(&mut tx, &actor, &raw).await?;
    let body = provider_response(&mut tx, &p).await?;
    tx.finish_read(&st.store).await?;
    Ok(Json(body))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ContractRequest {
    pub reference: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// `{"treatment_home": 250000, ...}`: öre per day per intervention.
    #[serde(default)]
    pub prices: BTreeMap<String, i64>,
    /// Share of staffed hours covered by staff with post-secondary education, in per cent.
    pub required_educated_staff_pct: Option<i64>,
    #[serde(default)]
    pub sobriety_policy: bool,
    #[serde(default)]
    pub reports_results: bool,
    /// Treatment methods required (`cbt`, `relapse_prevention`, ...).
    #[serde(default)]
    pub methods: Vec<String>,
}

fn methods(field: &str, raw: &[String], errors: &mut Vec<FieldError>) -> Vec<TreatmentMethod> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, m)| {
            collect(
                required_name::<TreatmentMethod>(&format!("{field}[{i}]"), Some(m)),
                errors,
            )
        })
        .collect()
}

fn percent(field: &str, v: Option<i64>, errors: &mut Vec<FieldError>) -> Option<u8> {
    match v {
        None => None,
        Some(p) if (0..=100).contains(&p) => u8::try_from(p).ok(),
        Some(_) => {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                Msg::new("Ange 0–100.", "Give 0–100."),
            ));
            None
        }
    }
}

/// Add a contract with its price list and quality requirements to a provider.
#[utoipa::path(post, path = "/api/v1/providers/{id}/contracts", tag = "economy", params(("id" = i64, Path)), request_body = ContractRequest,
    responses((status = 201, body = ProviderResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_contract(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<ContractRequest>,
) -> Result<impl IntoResponse, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let mut errors = Vec::new();
    let reference = collect(
        required_text("reference", req.reference.as_deref().unwrap_or(""), 200),
        &mut errors,
    );
    let from = collect(
        required_date("valid_from", req.valid_from.as_deref()),
        &mut errors,
    );
    let to = collect(
        optional_date("valid_to", req.valid_to.as_deref()),
        &mut errors,
    )
    .flatten();
    if let (Some(f), Some(t)) = (from, to) {
        collect(
            vaka_domain::error::not_before(
                "valid_to",
                t,
                f,
                ("giltighetens början", "the start of validity"),
            ),
            &mut errors,
        );
    }
    let mut prices = Vec::new();
    for (k, v) in &req.prices {
        let field = format!("prices.{k}");
        if let Some(i) = collect(required_name::<Intervention>(&field, Some(k)), &mut errors)
            && let Some(price) = collect(Money::non_negative(&field, *v), &mut errors)
        {
            prices.push(ContractPrice {
                intervention: i,
                daily_price: price,
            });
        }
    }
    let pct = percent(
        "required_educated_staff_pct",
        req.required_educated_staff_pct,
        &mut errors,
    );
    let methods = methods("methods", &req.methods, &mut errors);
    let (Some(reference), Some(valid_from)) = (reference, from) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let mut tx = st.store.begin().await?;
    let p = own_provider(&mut tx, &actor, &raw).await?;
    providers::insert_contract(
        &mut tx,
        &Contract {
            id: ContractId(0),
            provider_id: p.id,
            reference,
            valid_from,
            valid_to: to,
            prices,
            required_educated_staff_pct: pct,
            sobriety_policy: req.sobriety_policy,
            reports_results: req.reports_results,
            methods,
        },
    )
    .await?;
    tx.audit(audit_economy(
        &actor,
        format!("POST /api/v1/providers/{}/contracts", p.id.0),
    ));
    let body = provider_response(&mut tx, &p).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(body)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InspectionRequest {
    pub inspected_on: Option<String>,
    pub educated_staff_pct: Option<i64>,
    #[serde(default)]
    pub methods: Vec<String>,
    pub sobriety_policy: Option<bool>,
    pub reports_results: Option<bool>,
    pub note: Option<String>,
}

/// Record an inspection or follow-up of a provider; the answer shows compliance with the contract.
#[utoipa::path(post, path = "/api/v1/providers/{id}/inspections", tag = "economy", params(("id" = i64, Path)), request_body = InspectionRequest,
    responses((status = 201, body = ProviderResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_inspection(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<InspectionRequest>,
) -> Result<impl IntoResponse, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let mut errors = Vec::new();
    let on = collect(
        required_date("inspected_on", req.inspected_on.as_deref()),
        &mut errors,
    );
    let pct = percent("educated_staff_pct", req.educated_staff_pct, &mut errors);
    let methods = methods("methods", &req.methods, &mut errors);
    let note = collect(
        optional_text("note", req.note.as_deref(), 20_000),
        &mut errors,
    )
    .flatten();
    let Some(on) = on.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let mut tx = st.store.begin().await?;
    let p = own_provider(&mut tx, &actor, &raw).await?;
    providers::insert_inspection(
        &mut tx,
        p.id,
        &Inspection {
            on,
            educated_staff_pct: pct,
            methods,
            sobriety_policy: req.sobriety_policy,
            reports_results: req.reports_results,
            note,
        },
        actor.user.id,
    )
    .await?;
    tx.audit(audit_economy(
        &actor,
        format!("POST /api/v1/providers/{}/inspections", p.id.0),
    ));
    let body = provider_response(&mut tx, &p).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(body)))
}

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    pub year: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetResponse {
    pub year: i32,
    pub as_of: NaiveDate,
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<BudgetLine>,
    pub budget_ore: i64,
    pub actual_ore: i64,
    pub forecast_ore: i64,
}

fn year_param(raw: Option<&str>) -> Result<i32, ApiError> {
    Ok(super::int_param("year", raw, i64::from(today().year()), 2000, 2100)? as i32)
}

pub(crate) fn budget_response(year: i32, lines: Vec<BudgetLine>) -> BudgetResponse {
    BudgetResponse {
        year,
        as_of: today(),
        budget_ore: lines.iter().filter_map(|l| l.budget_ore).sum(),
        actual_ore: lines.iter().map(|l| l.actual_ore).sum(),
        forecast_ore: lines.iter().map(|l| l.forecast_ore).sum(),
        lines,
    }
}

/// The year's budget per intervention type, the actual cost so far, and the forecast to the year
/// end from the placements that run now.
#[utoipa::path(get, path = "/api/v1/budget", tag = "economy", params(("year" = Option<i32>, Query)),
    responses((status = 200, body = BudgetResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_budget(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<YearQuery>,
) -> Result<Json<BudgetResponse>, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let year = year_param(q.year.as_deref())?;
    let mut tx = st.store.begin_read().await?;
    let lines = all_budget_lines(&mut tx, actor.user.municipality_id, year).await?;
    tx.finish_read(&st.store).await?;
    Ok(Json(budget_response(year, lines)))
}

/// Budget lines including interventions with a cost and no budget.
pub(crate) async fn all_budget_lines(
    tx: &mut Tx,
    muni: MunicipalityId,
    year: i32,
) -> Result<Vec<BudgetLine>, ApiError> {
    let budgets = providers::budgets(tx, muni, year).await?;
    let stays = placements::budgeted_stays(tx, muni, year).await?;
    let rule = super::placements::day_count(tx, muni).await?;
    Ok(budget::forecast(year, today(), &stays, &budgets, rule))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BudgetRequest {
    /// `{"treatment_home": 1200000000, ...}`: öre for the year per intervention.
    #[serde(default)]
    pub amounts: BTreeMap<String, i64>,
}

/// Set the year's budget per intervention type; answers the budget with its forecast and raises
/// `budget_forecast_exceeded` where the forecast passes it.
#[utoipa::path(put, path = "/api/v1/budget/{year}", tag = "economy", params(("year" = i32, Path)), request_body = BudgetRequest,
    responses((status = 200, body = BudgetResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_budget(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<BudgetRequest>,
) -> Result<Json<BudgetResponse>, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let year = super::int_param("year", Some(&raw), 0, 2000, 2100)? as i32;
    let amounts = parse_amounts(&req.amounts)?;
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin().await?;
    for (i, amount) in &amounts {
        providers::put_budget(&mut tx, muni, year, *i, *amount).await?;
    }
    if let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) {
        check_budget(&mut tx, muni, jan1).await?;
    }
    let lines = all_budget_lines(&mut tx, muni, year).await?;
    tx.audit(audit_economy(&actor, format!("PUT /api/v1/budget/{year}")));
    tx.commit().await?;
    Ok(Json(budget_response(year, lines)))
}

pub(crate) fn parse_amounts(
    raw: &BTreeMap<String, i64>,
) -> Result<Vec<(Intervention, Money)>, ApiError> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (k, v) in raw {
        let field = format!("amounts.{k}");
        if let Some(i) = collect(required_name::<Intervention>(&field, Some(k)), &mut errors)
            && let Some(price) = collect(Money::non_negative(&field, *v), &mut errors)
        {
            out.push((i, price));
        }
    }
    if raw.is_empty() {
        errors.push(FieldError::required("amounts"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.into())
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct HousingUnitRequest {
    /// `training_apartment` or `supported_housing_internal`.
    pub kind: Option<String>,
    pub label: Option<String>,
    pub address: Option<String>,
    #[serde(default = "yes")]
    pub sobriety_required: bool,
    pub monthly_cost_ore: Option<i64>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HousingUnitResponse {
    pub id: i64,
    pub kind: HousingKind,
    pub label: String,
    pub address: Option<String>,
    pub sobriety_required: bool,
    pub monthly_cost_ore: i64,
    /// Placement living there today, if any.
    pub occupied_by_placement: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HousingKindSummary {
    pub kind: String,
    pub units: usize,
    #[schema(value_type = Object)]
    pub occupancy: Occupancy,
    pub waiting: usize,
    /// Incidents in the period, per kind.
    pub incidents: BTreeMap<String, i64>,
    /// Days lived in the period (all placements of this intervention, own or bought).
    pub days: i64,
    pub incidents_per_1000_days: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HousingResponse {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub units: Vec<HousingUnitResponse>,
    /// Training apartments, internal and external supported housing side by side.
    pub kinds: Vec<HousingKindSummary>,
    pub waiting_list: Vec<WaitingResponse>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WaitingResponse {
    pub id: i64,
    pub client_id: i64,
    pub kind: HousingKind,
    pub added_on: NaiveDate,
    pub days_waiting: i64,
}

/// Add a training apartment or a place of internal supported housing.
#[utoipa::path(post, path = "/api/v1/housing-units", tag = "economy", request_body = HousingUnitRequest,
    responses((status = 201, body = HousingUnitResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_housing_unit(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<HousingUnitRequest>,
) -> Result<impl IntoResponse, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let mut errors = Vec::new();
    let kind = collect(
        required_name::<HousingKind>("kind", req.kind.as_deref()),
        &mut errors,
    );
    let label = collect(
        required_text("label", req.label.as_deref().unwrap_or(""), 200),
        &mut errors,
    );
    let address = collect(
        optional_text("address", req.address.as_deref(), 300),
        &mut errors,
    )
    .flatten();
    let cost = collect(
        Money::non_negative("monthly_cost_ore", req.monthly_cost_ore.unwrap_or(0)),
        &mut errors,
    )
    .map_or(0, |m| m.0);
    let (Some(kind), Some(label)) = (kind, label) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let unit = HousingUnit {
        id: vaka_domain::ids::HousingUnitId(0),
        municipality_id: actor.user.municipality_id,
        kind,
        label,
        address,
        sobriety_required: req.sobriety_required,
        monthly_cost: Money(cost),
    };
    let mut tx = st.store.begin().await?;
    let id = housing_store::insert_unit(&mut tx, &unit).await?;
    tx.audit(audit_economy(
        &actor,
        format!("POST /api/v1/housing-units {}", id.0),
    ));
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(HousingUnitResponse {
            id: id.0,
            kind: unit.kind,
            label: unit.label,
            address: unit.address,
            sobriety_required: unit.sobriety_required,
            monthly_cost_ore: unit.monthly_cost.0,
            occupied_by_placement: None,
        }),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Occupancy, incidents and waiting list of the municipality's own housing over a period (default
/// this year to today), with internal and external supported housing side by side.
#[utoipa::path(get, path = "/api/v1/housing", tag = "economy", params(("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = HousingResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_housing(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<HousingResponse>, ApiError> {
    may(&actor, Action::ManageEconomy)?;
    let (from, to) = period(q.from.as_deref(), q.to.as_deref())?;
    let mut tx = st.store.begin_read().await?;
    let body = housing_overview(&mut tx, actor.user.municipality_id, from, to).await?;
    tx.audit(
        actor.audit_list(
            AuditAction::HousingRead,
            body.waiting_list
                .iter()
                .map(|w| vaka_domain::ids::ClientId(w.client_id)),
            "GET /api/v1/housing",
        ),
    );
    tx.commit().await?;
    Ok(Json(body))
}

pub(crate) fn period(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let today = today();
    let mut errors = Vec::new();
    let from = collect(optional_date("from", from), &mut errors).flatten();
    let to = collect(optional_date("to", to), &mut errors).flatten();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    collect(
        vaka_domain::error::not_before(
            "to",
            to,
            from,
            ("periodens början", "the start of the period"),
        ),
        &mut errors,
    );
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(errors.into())
    }
}

pub(crate) async fn housing_overview(
    tx: &mut Tx,
    muni: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HousingResponse, ApiError> {
    let today = today();
    let units = housing_store::units(tx, muni).await?;
    let occupants = housing_store::occupants(tx, muni, from.min(today), to.max(today)).await?;
    let queue = housing_store::queue(tx, muni).await?;
    let incidents = housing_store::incident_counts(tx, muni, from, to).await?;
    let stays = placements::in_municipality(tx, muni, from, to).await?;
    let rule = super::placements::day_count(tx, muni).await?;
    let mut kinds = Vec::new();
    for intervention in [
        Intervention::TrainingApartment,
        Intervention::SupportedHousingInternal,
        Intervention::SupportedHousingExternal,
    ] {
        let own_kind = match intervention {
            Intervention::TrainingApartment => Some(HousingKind::TrainingApartment),
            Intervention::SupportedHousingInternal => Some(HousingKind::SupportedHousingInternal),
            _ => None,
        };
        let ids: Vec<i64> = units
            .iter()
            .filter(|u| Some(u.kind) == own_kind)
            .map(|u| u.id.0)
            .collect();
        let tenancies: Vec<_> = occupants.iter().map(|o| o.tenancy).collect();
        let days: i64 = stays
            .iter()
            .filter(|p| p.intervention == intervention)
            .map(|p| {
                placements::stay(p, &[])
                    .cost_between(rule, from, to, today.min(to))
                    .days
            })
            .sum();
        let counts: BTreeMap<String, i64> = incidents
            .iter()
            .filter(|(i, _, _)| i == intervention.as_str())
            .map(|(_, k, n)| (k.clone(), *n))
            .collect();
        let total: i64 = counts.values().sum();
        kinds.push(HousingKindSummary {
            kind: intervention.as_str().to_owned(),
            units: ids.len(),
            occupancy: housing::occupancy(&ids, &tenancies, from, to),
            waiting: queue.iter().filter(|w| Some(w.kind) == own_kind).count(),
            incidents: counts,
            days,
            incidents_per_1000_days: housing::incidents_per_1000_days(total, days),
        });
    }
    Ok(HousingResponse {
        from,
        to,
        units: units
            .iter()
            .map(|u| HousingUnitResponse {
                id: u.id.0,
                kind: u.kind,
                label: u.label.clone(),
                address: u.address.clone(),
                sobriety_required: u.sobriety_required,
                monthly_cost_ore: u.monthly_cost.0,
                occupied_by_placement: occupants
                    .iter()
                    .find(|o| {
                        o.tenancy.unit_id == u.id.0
                            && o.tenancy.start <= today
                            && o.tenancy.end.is_none_or(|e| e >= today)
                    })
                    .map(|o| o.placement_id.0),
            })
            .collect(),
        kinds,
        waiting_list: queue
            .iter()
            .map(|w| WaitingResponse {
                id: w.id,
                client_id: w.client_id.0,
                kind: w.kind,
                added_on: w.added_on,
                days_waiting: housing::waiting_days(w.added_on, w.removed_on, today),
            })
            .collect(),
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IncidentRequest {
    /// `sobriety_breach`, `other_condition`, `disturbance`, `damage` or `other`.
    pub kind: Option<String>,
    pub occurred_on: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IncidentResponse {
    pub id: i64,
    pub placement_id: i64,
    pub kind: IncidentKind,
    pub occurred_on: NaiveDate,
}

/// Record a breach of a housing condition or an incident during a placement (a sobriety breach in
/// a training apartment, an incident in supported housing).
#[utoipa::path(post, path = "/api/v1/placements/{id}/incidents", tag = "economy", params(("id" = i64, Path)), request_body = IncidentRequest,
    responses((status = 201, body = IncidentResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_incident(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<IncidentRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let id = PlacementId(path_id(&raw)?);
    let (mut tx, p, entry) = super::placements::placement_with_access(
        &st,
        &actor,
        id,
        Action::WriteClient,
        AuditAction::HousingIncident,
        format!("POST /api/v1/placements/{}/incidents", id.0),
    )
    .await?;
    let mut errors = Vec::new();
    let kind = collect(
        required_name::<IncidentKind>("kind", req.kind.as_deref()),
        &mut errors,
    );
    let on = collect(
        required_date("occurred_on", req.occurred_on.as_deref()),
        &mut errors,
    );
    let note = collect(
        optional_text("note", req.note.as_deref(), 20_000),
        &mut errors,
    )
    .flatten();
    if let Some(d) = on {
        collect(
            vaka_domain::error::not_before(
                "occurred_on",
                d,
                p.start,
                ("placeringens start", "the placement's start"),
            ),
            &mut errors,
        );
        collect(
            vaka_domain::error::not_after_today("occurred_on", d, today()),
            &mut errors,
        );
    }
    let (Some(kind), Some(on)) = (kind, on) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let incident = housing_store::insert_incident(
        &mut tx,
        p.id,
        p.client_id,
        on,
        kind,
        note.as_deref(),
        actor.user.id,
    )
    .await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(IncidentResponse {
            id: incident,
            placement_id: p.id.0,
            kind,
            occurred_on: on,
        }),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QueueRequest {
    pub client_id: Option<i64>,
    /// `training_apartment` or `supported_housing_internal`.
    pub kind: Option<String>,
    /// Default today.
    pub added_on: Option<String>,
}

/// Put a client on the waiting list for a training apartment or internal supported housing.
#[utoipa::path(post, path = "/api/v1/housing/queue", tag = "economy", request_body = QueueRequest,
    responses((status = 201, body = WaitingResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enqueue(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<QueueRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = super::body_client(&actor, req.client_id, Action::WriteClient)?;
    let mut errors = Vec::new();
    let kind = collect(
        required_name::<HousingKind>("kind", req.kind.as_deref()),
        &mut errors,
    );
    let added = collect(
        optional_date("added_on", req.added_on.as_deref()),
        &mut errors,
    )
    .flatten()
    .unwrap_or_else(today);
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let mut entry = actor.audit(
        AuditAction::HousingQueue,
        Some(client),
        "POST /api/v1/housing/queue",
    );
    let mut tx =
        super::authorised_body_client(&st, &actor, client, Action::WriteClient, &mut entry).await?;
    let id = housing_store::enqueue(&mut tx, client, kind, added, actor.user.id).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(WaitingResponse {
            id,
            client_id: client.0,
            kind,
            added_on: added,
            days_waiting: housing::waiting_days(added, None, today()),
        }),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DequeueRequest {
    /// Why: `housed`, `withdrawn`, `other`...
    pub reason: Option<String>,
    pub removed_on: Option<String>,
}

/// Take a client off the waiting list.
#[utoipa::path(post, path = "/api/v1/housing/queue/{id}/remove", tag = "economy", params(("id" = i64, Path)), request_body = DequeueRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dequeue(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<DequeueRequest>,
) -> Result<StatusCode, ApiError> {
    let id = path_id(&raw)?;
    let mut errors = Vec::new();
    let reason = collect(
        required_text("reason", req.reason.as_deref().unwrap_or(""), 500),
        &mut errors,
    );
    let on = collect(
        optional_date("removed_on", req.removed_on.as_deref()),
        &mut errors,
    )
    .flatten()
    .unwrap_or_else(today);
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let mut tx = st.store.begin().await?;
    let client = housing_store::waiting(&mut tx, actor.user.municipality_id, id)
        .await?
        .ok_or(ApiError::NotFound)?
        .client_id;
    let mut entry = actor.audit(
        AuditAction::HousingQueue,
        Some(client),
        format!("POST /api/v1/housing/queue/{id}/remove"),
    );
    let mut tx =
        crate::client_access::authorize(tx, &actor.user, client, Action::WriteClient, &mut entry)
            .await?;
    if !housing_store::dequeue(&mut tx, id, on, &reason).await? {
        return Err(ApiError::NotFound);
    }
    tx.audit(entry);
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
