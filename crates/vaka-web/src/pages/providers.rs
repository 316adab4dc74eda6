//! The unit head's registers in the browser: providers with their contracts (price lists and
//! procurement requirements) and inspections, the year's budget, own housing units, the waiting
//! list and how placement days are counted. Every form goes through the API's handler.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use vaka_domain::access::{self, Action};
use vaka_domain::intervention::Intervention;
use vaka_domain::money::Money;
use vaka_domain::placement::DayCount;
use vaka_domain::provider::{HousingKind, TreatmentMethod};

use super::desk::{
    ApiCall, Form, Link, Page, Posted, Table, answer, call_api, id_of, post_form, shown,
};
use super::form::{Field, FormFields, Input};
use super::journal::{csrf_ok, page_error};
use super::{Chrome, PageLang, message};
use crate::AppState;
use crate::api::{economy as api, settings as api_settings};
use crate::auth::{ApiActor, SessionActor};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::i18n::Tr;

fn may_manage(session: &SessionActor) -> bool {
    access::may_ever(session.actor.user.role, Action::ManageEconomy)
}

fn economy_back(t: Tr, anchor: &str) -> Link {
    Link::new(format!("/economy#{anchor}"), t.t("d-back-economy"))
}

/// Kronor as a form shows them: whole kronor when there are no öre.
fn sek_text(ore: i64) -> String {
    if ore % 100 == 0 {
        (ore / 100).to_string()
    } else {
        Money(ore).to_string()
    }
}

fn methods(t: Tr) -> Vec<(String, String)> {
    TreatmentMethod::ALL
        .iter()
        .map(|m| {
            let label = t.pick(m.label());
            let label = if m.recommended() {
                format!("{label} ({})", t.t("d-recommended-method"))
            } else {
                label.to_owned()
            };
            (m.as_str().to_owned(), label)
        })
        .collect()
}

// ---------------------------------------------------------------- providers

fn provider_form(t: Tr) -> Form {
    Form {
        id: "provider",
        title: t.t("d-new-provider").to_owned(),
        action: "/providers".into(),
        hint: None,
        fields: vec![
            Field::new("name", t.t("d-name"), Input::Text).required(),
            Field::new("organisation_number", t.t("d-org-number"), Input::Text)
                .hint(t.t("d-org-number-hint")),
            Field::new("internal", t.t("d-internal"), Input::Check),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

/// A page with one economy form (a new provider, a new housing unit), back to its section.
fn one_form_page(session: &SessionActor, t: Tr, form: Form, section: &str) -> Page {
    let here = format!("{}/new", form.action);
    let title = form.title.clone();
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        &title,
        economy_back(t, section),
    );
    page.form(form);
    page
}

fn show_one_form(session: &SessionActor, t: Tr, form: Form, section: &str) -> Response {
    if !may_manage(session) {
        let here = format!("{}/new", form.action);
        return message(
            StatusCode::FORBIDDEN,
            t,
            Chrome::of(session, &here),
            "forbidden",
        );
    }
    one_form_page(session, t, form, section).show(StatusCode::OK)
}

pub async fn new_provider(PageLang(t): PageLang, session: SessionActor) -> Response {
    show_one_form(&session, t, provider_form(t), "providers")
}

pub async fn save_provider(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    posted: FormFields,
) -> Response {
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: "/providers".into(),
            here: "/providers/new".into(),
        },
        provider_form(t).parts(),
        |a, r: api::ProviderRequest| async move {
            api::create_provider(State(st), ApiActor(a), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |v| format!("/providers/{}", id_of(v)),
        async { Ok(one_form_page(&session, t, provider_form(t), "providers")) },
    )
    .await
}

fn contract_form(t: Tr, id: i64) -> Form {
    let mut fields = vec![
        Field::new("reference", t.t("d-contract-ref"), Input::Text).required(),
        Field::new("valid_from", t.t("d-valid-from"), Input::Date).required(),
        Field::new("valid_to", t.t("d-valid-to"), Input::Date),
    ];
    for i in Intervention::ALL {
        fields.push(Field::new(
            &format!("prices.{}", i.as_str()),
            &format!("{}: {}", t.t("d-daily-price-sek"), t.pick(i.label())),
            Input::Sek,
        ));
    }
    fields.extend([
        Field::new(
            "required_educated_staff_pct",
            t.t("d-educated-staff-required"),
            Input::Whole,
        )
        .hint(t.t("d-educated-staff-hint")),
        Field::new(
            "methods",
            t.t("d-methods-required"),
            Input::Checks(methods(t)),
        ),
        Field::new("sobriety_policy", t.t("d-sobriety-policy"), Input::Check),
        Field::new("reports_results", t.t("d-reports-results"), Input::Check),
    ]);
    Form {
        id: "contract",
        title: t.t("d-new-contract").to_owned(),
        action: format!("/providers/{id}/contracts"),
        hint: Some(t.t("d-contract-hint").to_owned()),
        fields,
        submit: t.t("d-save").to_owned(),
    }
}

fn inspection_form(t: Tr, id: i64) -> Form {
    Form {
        id: "inspection",
        title: t.t("d-new-inspection").to_owned(),
        action: format!("/providers/{id}/inspections"),
        hint: Some(t.t("d-inspection-hint").to_owned()),
        fields: vec![
            Field::new("inspected_on", t.t("date"), Input::Date)
                .required()
                .value(crate::api::today().to_string()),
            Field::new(
                "educated_staff_pct",
                t.t("d-educated-staff-found"),
                Input::Whole,
            ),
            Field::new("methods", t.t("d-methods-found"), Input::Checks(methods(t))),
            Field::new("sobriety_policy", t.t("d-sobriety-policy"), Input::Check),
            Field::new("reports_results", t.t("d-reports-results"), Input::Check),
            Field::new("note", t.t("note"), Input::Area),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

fn yes_no(t: Tr, v: Option<bool>) -> String {
    match v {
        Some(true) => t.t("yes").to_owned(),
        Some(false) => t.t("no").to_owned(),
        None => "–".to_owned(),
    }
}

async fn provider_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<Page, ApiError> {
    let here = format!("/providers/{raw}");
    let mut actor = session.actor.clone();
    actor.via = Some(format!("GET {here}"));
    let Json(p) =
        api::get_provider(State(st.clone()), ApiActor(actor), Path(raw.to_owned())).await?;
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        &p.name,
        economy_back(t, "providers"),
    );
    page.fact(
        t.t("d-org-number"),
        p.organisation_number
            .clone()
            .unwrap_or_else(|| t.t("d-internal").to_owned()),
    );
    let mut contracts = Table::new(
        t.t("d-contracts"),
        &[
            t.t("d-contract-ref"),
            t.t("period"),
            t.t("d-prices"),
            t.t("d-requirements"),
        ],
    );
    for c in &p.contracts {
        let prices = c
            .prices
            .iter()
            .map(|x| {
                format!(
                    "{}: {}",
                    t.pick(x.intervention.label()),
                    Money(x.daily_price_ore)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut req = Vec::new();
        if let Some(pct) = c.required_educated_staff_pct {
            req.push(format!("{} ≥ {pct} %", t.t("d-educated-staff-short")));
        }
        req.extend(c.methods.iter().map(|m| t.pick(m.label()).to_owned()));
        if c.sobriety_policy {
            req.push(t.t("d-sobriety-policy").to_owned());
        }
        if c.reports_results {
            req.push(t.t("d-reports-results").to_owned());
        }
        contracts.row(vec![
            (c.reference.clone(), None),
            (
                format!(
                    "{} – {}",
                    c.valid_from,
                    c.valid_to.map_or_else(|| "…".to_owned(), |d| d.to_string())
                ),
                None,
            ),
            (prices, None),
            (req.join(", "), None),
        ]);
    }
    page.desk.tables.push(contracts);
    let mut inspections = Table::new(
        t.t("d-inspections"),
        &[
            t.t("date"),
            t.t("d-educated-staff-short"),
            t.t("d-sobriety-policy"),
            t.t("d-reports-results"),
            t.t("d-compliance"),
            t.t("note"),
        ],
    );
    for i in &p.inspections {
        let compliance = i
            .compliance
            .iter()
            .map(|c| format!("{}: {}", t.pick(c.label()), yes_no(t, c.met)))
            .collect::<Vec<_>>()
            .join(", ");
        inspections.row(vec![
            (i.inspected_on.to_string(), None),
            (
                i.educated_staff_pct
                    .map_or_else(|| "–".into(), |v| format!("{v} %")),
                None,
            ),
            (yes_no(t, i.sobriety_policy), None),
            (yes_no(t, i.reports_results), None),
            (compliance, None),
            (i.note.clone().unwrap_or_default(), None),
        ]);
    }
    page.desk.tables.push(inspections);
    page.form(contract_form(t, p.id));
    page.form(inspection_form(t, p.id));
    Ok(page)
}

pub async fn provider(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/providers/{raw}"));
    shown(t, chrome, provider_view(&st, &session, t, &raw).await)
}

/// `POST /providers/{id}/{contracts|inspections}`.
pub async fn provider_action(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((raw, what)): Path<(String, String)>,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/providers/{raw}"));
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let call = ApiCall {
        session: &session,
        posted: &posted,
        via: format!("POST /providers/{raw}/{what}"),
        st: st.clone(),
        path: raw.clone(),
    };
    let (form_id, result) = match what.as_str() {
        "contracts" => (
            "contract",
            call.send(&contract_form(t, 0).fields, api::create_contract)
                .await,
        ),
        "inspections" => (
            "inspection",
            call.send(&inspection_form(t, 0).fields, api::create_inspection)
                .await,
        ),
        _ => return message(StatusCode::NOT_FOUND, t, chrome, "not-found"),
    };
    let result = result.map(|_| format!("/providers/{raw}"));
    answer(
        t,
        chrome,
        result,
        form_id,
        &posted,
        provider_view(&st, &session, t, &raw),
    )
    .await
}

// ---------------------------------------------------------------- budget

async fn budget_page(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    year: i32,
) -> Result<Page, ApiError> {
    let here = format!("/economy/budget/{year}");
    let mut tx = st.store.begin_read().await?;
    let lines = api::all_budget_lines(&mut tx, session.actor.user.municipality_id, year).await?;
    tx.commit().await?;
    let current: BTreeMap<Intervention, i64> = lines
        .iter()
        .filter_map(|l| Some((l.intervention, l.budget_ore?)))
        .collect();
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        &format!("{} {year}", t.t("d-budget")),
        Link::new(
            format!("/economy?year={year}#budget"),
            t.t("d-back-economy"),
        ),
    );
    page.form(Form {
        id: "budget",
        title: format!("{} {year}", t.t("d-budget")),
        action: here,
        hint: Some(t.t("d-budget-hint").to_owned()),
        fields: Intervention::ALL
            .iter()
            .map(|i| {
                Field::new(
                    &format!("amounts.{}", i.as_str()),
                    &format!("{} (kr)", t.pick(i.label())),
                    Input::Sek,
                )
                .value(current.get(i).map(|o| sek_text(*o)).unwrap_or_default())
            })
            .collect(),
        submit: t.t("d-save").to_owned(),
    });
    Ok(page)
}

fn year_of(raw: &str) -> Option<i32> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
}

pub async fn budget(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/economy/budget/{raw}"));
    if !may_manage(&session) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    let Some(year) = year_of(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    match budget_page(&st, &session, t, year).await {
        Ok(p) => p.show(StatusCode::OK),
        Err(e) => page_error(t, chrome, e),
    }
}

pub async fn save_budget(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/economy/budget/{raw}"));
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    if !may_manage(&session) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    let Some(year) = year_of(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let page = match budget_page(&st, &session, t, year).await {
        Ok(p) => p,
        Err(e) => return page_error(t, chrome, e),
    };
    let result = call_api(
        &session,
        &posted,
        page.fields("budget"),
        format!("POST /economy/budget/{year}"),
        |a, r: api::BudgetRequest| {
            let st = st.clone();
            async move {
                api::put_budget(State(st), ApiActor(a), Path(year.to_string()), JsonBody(r))
                    .await
                    .map(IntoResponse::into_response)
            }
        },
    )
    .await
    .map(|_| format!("/economy?year={year}#budget"));
    answer(t, chrome, result, "budget", &posted, async { Ok(page) }).await
}

// ---------------------------------------------------------------- own housing, waiting list, settings

fn unit_form(t: Tr) -> Form {
    let kinds = HousingKind::ALL
        .iter()
        .map(|k| {
            let i: Intervention = k.as_str().parse().unwrap_or(Intervention::Other);
            (k.as_str().to_owned(), t.pick(i.label()).to_owned())
        })
        .collect();
    Form {
        id: "housing-unit",
        title: t.t("d-new-unit").to_owned(),
        action: "/housing-units".into(),
        hint: Some(t.t("d-unit-hint").to_owned()),
        fields: vec![
            Field::new("kind", t.t("kind"), Input::Select(kinds)).required(),
            Field::new("label", t.t("d-unit-label"), Input::Text).required(),
            Field::new("address", t.t("address"), Input::Text),
            Field::new(
                "sobriety_required",
                t.t("d-sobriety-required"),
                Input::Check,
            )
            .checked(true),
            Field::new("monthly_cost_ore", t.t("d-monthly-cost"), Input::Sek),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

pub async fn new_unit(PageLang(t): PageLang, session: SessionActor) -> Response {
    show_one_form(&session, t, unit_form(t), "housing")
}

pub async fn save_unit(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    posted: FormFields,
) -> Response {
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: "/housing-units".into(),
            here: "/housing-units/new".into(),
        },
        ("housing-unit", &unit_form(t).fields),
        |a, r: api::HousingUnitRequest| async move {
            api::create_housing_unit(State(st), ApiActor(a), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| "/economy#housing".to_owned(),
        async { Ok(one_form_page(&session, t, unit_form(t), "housing")) },
    )
    .await
}

/// Taking someone off the waiting list, from the economy page.
pub fn dequeue_fields(t: Tr) -> Vec<Field> {
    let reasons = ["housed", "withdrawn", "other"]
        .iter()
        .map(|r| ((*r).to_owned(), t.t(&format!("d-dequeue-{r}")).to_owned()))
        .collect();
    vec![Field::new("reason", t.t("d-dequeue-reason"), Input::Select(reasons)).required()]
}

pub async fn dequeue(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, "/economy");
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let (path, st2) = (raw.clone(), st.clone());
    let result = call_api(
        &session,
        &posted,
        &dequeue_fields(t),
        format!("POST /housing-queue/{raw}/remove"),
        |a, r: api::DequeueRequest| async move {
            api::dequeue(State(st), ApiActor(a), Path(path), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
    )
    .await;
    match result {
        Ok(_) => axum::response::Redirect::to("/economy#housing").into_response(),
        Err(e) => super::economy::after_error(&st2, &session, t, chrome, e).await,
    }
}

pub fn day_count_fields(t: Tr, current: DayCount) -> Vec<Field> {
    let choices = DayCount::ALL
        .iter()
        .map(|d| {
            (
                d.as_str().to_owned(),
                t.t(&format!("d-day-count-{}", d.as_str())).to_owned(),
            )
        })
        .collect();
    vec![
        Field::new("day_count", t.t("d-day-count"), Input::Select(choices))
            .required()
            .value(current.as_str()),
    ]
}

pub async fn save_settings(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, "/economy");
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let st2 = st.clone();
    let result = call_api(
        &session,
        &posted,
        &day_count_fields(t, DayCount::Nights),
        "POST /economy/settings".into(),
        |a, r: api_settings::EconomySettingsRequest| async move {
            api_settings::put_economy_settings(State(st), ApiActor(a), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
    )
    .await;
    match result {
        Ok(_) => axum::response::Redirect::to("/economy#settings").into_response(),
        Err(e) => super::economy::after_error(&st2, &session, t, chrome, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_small_forms_have_their_words_in_both_languages() {
        for lang in [Lang::Sv, Lang::En] {
            let t = Tr::new(lang);
            let mut fields = dequeue_fields(t);
            fields.extend(day_count_fields(t, DayCount::Nights));
            for f in &fields {
                assert!(!f.label.starts_with("d-"), "{}", f.label);
                if let Input::Select(options) = &f.input {
                    for (_, label) in options {
                        assert!(!label.starts_with("d-"), "{label}");
                    }
                }
            }
        }
    }
}
