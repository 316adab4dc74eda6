//! Assessments and outcome follow-ups in the UI: AUDIT and DUDIT with their real items and answer
//! options, the score and zone, a follow-up form with ASI problem-area ratings, and each client's
//! scores and ratings over time as charts with their numbers beside them. Plain POST forms.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use vaka_domain::FieldError;
use vaka_domain::access::Action;
use vaka_domain::assessment::{ASI_MAX_RATING, AsiArea, Assessment, Instrument, items};
use vaka_domain::contact::Housing;
use vaka_domain::followup::{
    FollowUp, FollowUpInput, FollowUpRecord, FollowUpStatus, MissedReason, Occupation, Timepoint,
};
use vaka_domain::ids::ClientId;
use vaka_store::{AuditAction, clients, outcomes};

use super::form::FormFields;
use super::journal::{Choice, FieldMessage, client_id, csrf_ok, page_error};
use super::{Chrome, PageLang, display_name, label, message, render};
use crate::AppState;
use crate::auth::{Actor, SessionActor};
use crate::client_access::{self, Access};
use crate::error::ApiError;
use crate::i18n::Tr;

/// The client's name for a form, read under the write rule with one access-log entry.
async fn client_name(
    st: &AppState,
    actor: &Actor,
    client: ClientId,
    detail: String,
    t: Tr,
) -> Result<String, ApiError> {
    let mut entry = actor.audit(AuditAction::ClientRead, Some(client), detail);
    let mut tx = crate::api::authorised(st, actor, client, Action::WriteClient, &mut entry).await?;
    let c = clients::get(&mut tx, client)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(display_name(&c, &actor.user, t))
}

fn messages(t: Tr, errors: &[FieldError]) -> Vec<FieldMessage> {
    errors
        .iter()
        .map(|e| {
            let anchor = e.field.replace(['[', ']', '.'], "-");
            let anchor = anchor.trim_end_matches('-').to_owned();
            FieldMessage {
                label: field_label(t, &e.field),
                field: anchor,
                message: t.pick((&e.message.sv, &e.message.en)).to_owned(),
            }
        })
        .collect()
}

fn field_label(t: Tr, field: &str) -> String {
    if let Some(i) = field
        .strip_prefix("answers[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|n| n.parse::<usize>().ok())
    {
        return format!("{} {}", t.t("item"), i + 1);
    }
    if let Some(area) = field.strip_prefix("asi_ratings.") {
        return area
            .parse::<AsiArea>()
            .map(|a| t.pick(a.label()).to_owned())
            .unwrap_or_else(|_| area.to_owned());
    }
    let key = format!("fu-{}", field.replace('_', "-"));
    let text = t.t(&key);
    if text == key {
        field.to_owned()
    } else {
        text.to_owned()
    }
}

// ---------------------------------------------------------------- the assessment form

pub struct ItemView {
    pub index: usize,
    pub number: u8,
    pub text: String,
    pub options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "assessment_form.html")]
struct AssessmentForm {
    t: Tr,
    chrome: Chrome,
    client_id: i64,
    client_name: String,
    instrument: &'static str,
    administered_on: String,
    today: String,
    items: Vec<ItemView>,
    errors: Vec<FieldMessage>,
}

fn assessment_form(
    t: Tr,
    chrome: Chrome,
    client: ClientId,
    client_name: String,
    instrument: Instrument,
    form: Option<&FormFields>,
    errors: Vec<FieldMessage>,
) -> AssessmentForm {
    let today = vaka_domain::time::local_date(vaka_store::now()).to_string();
    let items = items::items(instrument)
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let given = form.and_then(|f| f.get(&format!("answer_{index}")));
            ItemView {
                index,
                number: item.number,
                text: t.pick((item.sv, item.en)).to_owned(),
                options: item
                    .options
                    .iter()
                    .map(|o| Choice {
                        value: o.points.to_string(),
                        label: t.pick((o.sv, o.en)).to_owned(),
                        checked: given == Some(&o.points.to_string()),
                    })
                    .collect(),
            }
        })
        .collect();
    AssessmentForm {
        t,
        chrome,
        client_id: client.0,
        client_name,
        instrument: instrument.as_str(),
        administered_on: form
            .and_then(|f| f.get("administered_on"))
            .map(str::to_owned)
            .unwrap_or_else(|| today.clone()),
        today,
        items,
        errors,
    }
}

#[derive(Deserialize)]
pub struct InstrumentParams {
    instrument: Option<String>,
}

fn instrument_of(raw: Option<&str>) -> Option<Instrument> {
    raw.unwrap_or("AUDIT").to_ascii_uppercase().parse().ok()
}

/// `GET /clients/{id}/assessments/new?instrument=AUDIT|DUDIT`.
pub async fn new_assessment(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Query(q): Query<InstrumentParams>,
) -> Response {
    let here = format!("/clients/{raw}/assessments/new");
    let chrome = Chrome::of(&session, &here);
    let (Some(client), Some(instrument)) =
        (client_id(&raw), instrument_of(q.instrument.as_deref()))
    else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    match client_name(&st, &session.actor, client, format!("GET {here}"), t).await {
        Ok(name) => render(
            StatusCode::OK,
            assessment_form(t, chrome, client, name, instrument, None, Vec::new()),
        ),
        Err(e) => page_error(t, chrome, e),
    }
}

/// `POST /clients/{id}/assessments`: scored and stored, then the outcomes page with the result.
pub async fn save_assessment(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    form: FormFields,
) -> Response {
    let here = format!("/clients/{raw}/assessments/new");
    let chrome = Chrome::of(&session, &here);
    if !csrf_ok(&session, &form) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let (Some(client), Some(instrument)) = (client_id(&raw), instrument_of(form.get("instrument")))
    else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let answers: Vec<Option<i64>> = (0..items::items(instrument).len())
        .map(|i| {
            form.get(&format!("answer_{i}"))
                .and_then(|v| v.trim().parse().ok())
        })
        .collect();
    let detail = format!("POST /clients/{}/assessments", client.0);
    let result = match crate::api::outcomes::parse_answers(Some(instrument.as_str()), &answers) {
        Ok((instrument, points)) => {
            crate::api::outcomes::save_assessment(
                &st,
                &session.actor,
                client,
                instrument,
                &points,
                form.get("administered_on"),
                detail,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Redirect::to(&format!(
            "/clients/{}/assessments?new={}#a-{}",
            client.0, a.id.0, a.id.0
        ))
        .into_response(),
        Err(ApiError::Invalid(errors)) => {
            let name = match client_name(
                &st,
                &session.actor,
                client,
                format!("POST /clients/{}/assessments (invalid form)", client.0),
                t,
            )
            .await
            {
                Ok(n) => n,
                Err(e) => return page_error(t, chrome, e),
            };
            let errors = messages(t, &errors);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                assessment_form(t, chrome, client, name, instrument, Some(&form), errors),
            )
        }
        Err(e) => page_error(t, chrome, e),
    }
}

// ---------------------------------------------------------------- the follow-up form

pub struct RatingRow {
    pub area: &'static str,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "follow_up_form.html")]
struct FollowUpForm {
    t: Tr,
    chrome: Chrome,
    client_id: i64,
    client_name: String,
    timepoints: Vec<Choice>,
    statuses: Vec<Choice>,
    reasons: Vec<Choice>,
    housings: Vec<Choice>,
    occupations: Vec<Choice>,
    done_on: String,
    today: String,
    days_alcohol_30: String,
    days_drugs_30: String,
    crime: Vec<Choice>,
    problematic: Vec<Choice>,
    self_rated_health: Vec<Choice>,
    quality_of_life: String,
    ratings: Vec<RatingRow>,
    rating_values: Vec<String>,
    errors: Vec<FieldMessage>,
}

fn yes_no(t: Tr, name_checked: Option<&str>) -> Vec<Choice> {
    [("true", "yes"), ("false", "no"), ("", "not-asked")]
        .into_iter()
        .map(|(value, key)| Choice {
            value: value.to_owned(),
            label: t.t(key).to_owned(),
            checked: name_checked.unwrap_or("") == value,
        })
        .collect()
}

fn follow_up_form(
    t: Tr,
    chrome: Chrome,
    client: ClientId,
    client_name: String,
    f: &FormFields,
    errors: Vec<FieldMessage>,
) -> FollowUpForm {
    let get = |k: &str| f.get(k).unwrap_or_default().to_owned();
    let choose = |all: &[&'static str], prefix: &str, field: &str| -> Vec<Choice> {
        let current = get(field);
        all.iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                label: label(t, prefix, v),
                checked: current == *v,
            })
            .collect()
    };
    let names = |all: &[&'static str]| all.to_vec();
    let today = vaka_domain::time::local_date(vaka_store::now()).to_string();
    FollowUpForm {
        timepoints: choose(
            &names(
                &Timepoint::ALL
                    .iter()
                    .map(|x| x.as_str())
                    .collect::<Vec<_>>(),
            ),
            "timepoint",
            "timepoint",
        ),
        statuses: choose(&["done", "missed"], "fu-status", "status"),
        reasons: choose(
            &MissedReason::ALL
                .iter()
                .filter(|r| **r != MissedReason::WindowPassed)
                .map(|r| r.as_str())
                .collect::<Vec<_>>(),
            "missed",
            "missed_reason",
        ),
        housings: choose(
            &Housing::ALL.iter().map(|h| h.as_str()).collect::<Vec<_>>(),
            "housing",
            "housing",
        ),
        occupations: choose(
            &Occupation::ALL
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>(),
            "occupation",
            "occupation",
        ),
        done_on: f
            .get("done_on")
            .map(str::to_owned)
            .unwrap_or_else(|| today.clone()),
        today,
        days_alcohol_30: get("days_alcohol_30"),
        days_drugs_30: get("days_drugs_30"),
        crime: yes_no(t, f.get("crime_30")),
        problematic: yes_no(t, f.get("problematic_use")),
        self_rated_health: (1..=5)
            .map(|n| Choice {
                value: n.to_string(),
                label: n.to_string(),
                checked: get("self_rated_health") == n.to_string(),
            })
            .collect(),
        quality_of_life: get("quality_of_life"),
        ratings: AsiArea::ALL
            .iter()
            .map(|a| RatingRow {
                area: a.as_str(),
                label: t.pick(a.label()).to_owned(),
                value: get(&format!("asi_{a}")),
            })
            .collect(),
        rating_values: (0..=ASI_MAX_RATING).map(|n| n.to_string()).collect(),
        errors,
        client_id: client.0,
        client_name,
        t,
        chrome,
    }
}

#[derive(Deserialize)]
pub struct TimepointParams {
    timepoint: Option<String>,
}

/// `GET /clients/{id}/follow-ups/new?timepoint=month_6`.
pub async fn new_follow_up(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Query(q): Query<TimepointParams>,
) -> Response {
    let here = format!("/clients/{raw}/follow-ups/new");
    let chrome = Chrome::of(&session, &here);
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let mut pairs = vec![("status".to_owned(), "done".to_owned())];
    pairs.extend(q.timepoint.map(|v| ("timepoint".to_owned(), v)));
    let fields = FormFields(vaka_domain::form::FormFields(pairs));
    match client_name(&st, &session.actor, client, format!("GET {here}"), t).await {
        Ok(name) => render(
            StatusCode::OK,
            follow_up_form(t, chrome, client, name, &fields, Vec::new()),
        ),
        Err(e) => page_error(t, chrome, e),
    }
}

fn number(f: &FormFields, k: &str) -> Result<Option<i64>, FieldError> {
    match f.get(k).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            FieldError::new(
                k,
                "not_a_number",
                vaka_domain::Msg::new("Ange ett heltal.", "Give a whole number."),
            )
        }),
    }
}

fn flag(f: &FormFields, k: &str) -> Option<bool> {
    match f.get(k) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// Reads the form into a checked record; every invalid field is named as in the API.
fn parse_follow_up(f: &FormFields) -> Result<FollowUpRecord, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut num = |k: &str| number(f, k).map_err(|e| errors.push(e)).ok().flatten();
    let days_alcohol_30 = num("days_alcohol_30");
    let days_drugs_30 = num("days_drugs_30");
    let self_rated_health = num("self_rated_health");
    let quality_of_life = num("quality_of_life");
    let ratings: Vec<(String, i64)> = AsiArea::ALL
        .iter()
        .filter_map(|a| {
            let v = f.get(&format!("asi_{a}"))?.trim();
            (!v.is_empty()).then(|| (a.as_str().to_owned(), v.parse().unwrap_or(-1)))
        })
        .collect();
    let status = f.get("status");
    let input = FollowUpInput {
        timepoint: f.get("timepoint"),
        status,
        done_on: f.get("done_on"),
        missed_reason: f.get("missed_reason"),
        days_alcohol_30,
        days_drugs_30,
        housing: f.get("housing"),
        occupation: f.get("occupation"),
        crime_30: flag(f, "crime_30"),
        self_rated_health,
        quality_of_life,
        problematic_use: flag(f, "problematic_use"),
        asi_ratings: &ratings,
    };
    let today = vaka_domain::time::local_date(vaka_store::now());
    match FollowUpRecord::parse(&input, today) {
        Ok(r) if errors.is_empty() => Ok(r),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// `POST /clients/{id}/follow-ups`.
pub async fn save_follow_up(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    form: FormFields,
) -> Response {
    let here = format!("/clients/{raw}/follow-ups/new");
    let chrome = Chrome::of(&session, &here);
    if !csrf_ok(&session, &form) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let result = match parse_follow_up(&form) {
        Ok(rec) => {
            let detail = format!("POST /clients/{}/follow-ups", client.0);
            crate::api::outcomes::save_follow_up(&st, &session.actor, client, &rec, detail).await
        }
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match result {
        Ok(f) => {
            Redirect::to(&format!("/clients/{}/assessments#f-{}", client.0, f.id.0)).into_response()
        }
        Err(ApiError::Invalid(errors)) => {
            let name = match client_name(
                &st,
                &session.actor,
                client,
                format!("POST /clients/{}/follow-ups (invalid form)", client.0),
                t,
            )
            .await
            {
                Ok(n) => n,
                Err(e) => return page_error(t, chrome, e),
            };
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                follow_up_form(t, chrome, client, name, &form, messages(t, &errors)),
            )
        }
        Err(e) => page_error(t, chrome, e),
    }
}

// ---------------------------------------------------------------- the outcomes page and its charts

#[derive(Clone)]
pub struct ScoreRow {
    pub id: i64,
    pub instrument: &'static str,
    pub on: NaiveDate,
    pub total: u8,
    pub audit_c: String,
    pub zone: String,
    pub zone_class: &'static str,
    pub above: bool,
    pub cutoff: String,
    pub new: bool,
}

pub struct FollowUpRow {
    pub id: i64,
    pub timepoint: String,
    pub timepoint_value: &'static str,
    pub due_on: NaiveDate,
    pub status: String,
    pub status_class: &'static str,
    pub due: bool,
    pub detail: String,
}

pub struct Point {
    pub x: String,
    pub y: String,
    pub title: String,
}

pub struct Series {
    pub class: &'static str,
    pub line: String,
    pub points: Vec<Point>,
}

pub struct GridLine {
    pub y: String,
    pub label: String,
}

pub struct Cell {
    pub x: String,
    pub y: String,
    pub text_x: String,
    pub text_y: String,
    pub value: String,
    pub class: String,
    pub title: String,
}

pub struct AxisLabel {
    pub x: String,
    pub y: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "outcomes.html")]
struct OutcomesPage {
    t: Tr,
    chrome: Chrome,
    client_id: i64,
    client_name: String,
    may_write: bool,
    scores: Vec<ScoreRow>,
    newest: Option<ScoreRow>,
    series: Vec<Series>,
    grid: Vec<GridLine>,
    ticks: Vec<AxisLabel>,
    asi_cells: Vec<Cell>,
    asi_rows: Vec<AxisLabel>,
    asi_cols: Vec<AxisLabel>,
    asi_height: String,
    asi_table: Vec<(String, Vec<String>)>,
    asi_dates: Vec<String>,
    follow_ups: Vec<FollowUpRow>,
}

const LEFT: f64 = 36.0;
const RIGHT: f64 = 628.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 190.0;

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// X positions for days between `first` and `last` (one day centred when they are the same).
fn x_of(first: NaiveDate, last: NaiveDate, day: NaiveDate) -> f64 {
    let span = (last - first).num_days();
    if span == 0 {
        return (LEFT + RIGHT) / 2.0;
    }
    LEFT + (RIGHT - LEFT) * (day - first).num_days() as f64 / span as f64
}

/// The score chart: AUDIT and DUDIT totals over time on one 0–44 scale.
fn score_series(list: &[Assessment], t: Tr) -> (Vec<Series>, Vec<GridLine>, Vec<AxisLabel>) {
    let y_of = |v: u8| BOTTOM - (BOTTOM - TOP) * f64::from(v) / 44.0;
    let grid = [0u8, 10, 20, 30, 40]
        .iter()
        .map(|v| GridLine {
            y: f1(y_of(*v)),
            label: v.to_string(),
        })
        .collect();
    let (Some(first), Some(last)) = (
        list.iter().map(|a| a.administered_on).min(),
        list.iter().map(|a| a.administered_on).max(),
    ) else {
        return (Vec::new(), grid, Vec::new());
    };
    let series = [(Instrument::Audit, "audit"), (Instrument::Dudit, "dudit")]
        .into_iter()
        .map(|(instrument, class)| {
            let points: Vec<Point> = list
                .iter()
                .filter(|a| a.instrument == instrument)
                .map(|a| Point {
                    x: f1(x_of(first, last, a.administered_on)),
                    y: f1(y_of(a.score.total)),
                    title: format!(
                        "{instrument} {}: {} ({})",
                        a.administered_on,
                        a.score.total,
                        t.pick(a.score.zone.label())
                    ),
                })
                .collect();
            Series {
                class,
                line: points
                    .iter()
                    .map(|p| format!("{},{}", p.x, p.y))
                    .collect::<Vec<_>>()
                    .join(" "),
                points,
            }
        })
        .collect();
    let mut ticks = vec![AxisLabel {
        x: f1(x_of(first, last, first)),
        y: f1(BOTTOM + 18.0),
        label: first.to_string(),
    }];
    if last != first {
        ticks.push(AxisLabel {
            x: f1(x_of(first, last, last)),
            y: f1(BOTTOM + 18.0),
            label: last.to_string(),
        });
    }
    (series, grid, ticks)
}

/// The ASI chart: a grid of areas × follow-ups, each cell shaded by its rating 0–9.
fn asi_grid(done: &[&FollowUp], t: Tr) -> (Vec<Cell>, Vec<AxisLabel>, Vec<AxisLabel>, f64) {
    const LABEL_W: f64 = 190.0;
    const CELL_W: f64 = 64.0;
    const CELL_H: f64 = 24.0;
    let rows = AsiArea::ALL
        .iter()
        .enumerate()
        .map(|(r, a)| AxisLabel {
            x: f1(LABEL_W - 8.0),
            y: f1(30.0 + CELL_H * r as f64 + 16.0),
            label: t.pick(a.label()).to_owned(),
        })
        .collect();
    let cols = done
        .iter()
        .enumerate()
        .map(|(c, f)| AxisLabel {
            x: f1(LABEL_W + CELL_W * c as f64 + CELL_W / 2.0),
            y: "20".into(),
            label: label(t, "timepoint-short", f.timepoint.as_str()),
        })
        .collect();
    let mut cells = Vec::new();
    for (c, f) in done.iter().enumerate() {
        for (r, a) in AsiArea::ALL.iter().enumerate() {
            let x = LABEL_W + CELL_W * c as f64;
            let y = 30.0 + CELL_H * r as f64;
            let (value, class) = match f.outcomes.asi_ratings.get(a) {
                Some(v) => (v.to_string(), format!("asi asi-{}", v.div_ceil(2))),
                None => ("–".to_owned(), "asi asi-none".to_owned()),
            };
            cells.push(Cell {
                x: f1(x + 2.0),
                y: f1(y + 2.0),
                text_x: f1(x + CELL_W / 2.0),
                text_y: f1(y + 16.0),
                title: format!(
                    "{} {}: {value}",
                    t.pick(a.label()),
                    f.done_on.map(|d| d.to_string()).unwrap_or_default()
                ),
                value,
                class,
            });
        }
    }
    let height = 30.0 + CELL_H * AsiArea::ALL.len() as f64 + 6.0;
    (cells, rows, cols, height)
}

#[derive(Deserialize)]
pub struct OutcomesParams {
    new: Option<String>,
}

/// `GET /clients/{id}/assessments`: the client's screenings and follow-ups over time.
pub async fn outcomes_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Query(q): Query<OutcomesParams>,
) -> Response {
    let here = format!("/clients/{raw}/assessments");
    let chrome = Chrome::of(&session, &here);
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let actor = &session.actor;
    let loaded = async {
        let mut entry = actor.audit(
            AuditAction::AssessmentRead,
            Some(client),
            format!("GET {here}"),
        );
        let mut tx = st.store.begin_read().await?;
        match client_access::check(&mut tx, &actor.user, client, Action::ReadClient).await? {
            // Unknown and refused look the same, so that the page does not tell who exists.
            Access::NotFound => {
                tx.rollback().await?;
                return Err(ApiError::NotFound);
            }
            Access::Denied => {
                entry.action = AuditAction::AccessDenied;
                tx.audit(entry);
                tx.finish_read(&st.store).await?;
                return Err(ApiError::NotFound);
            }
            Access::Allowed { emergency_reason } => entry.emergency_reason = emergency_reason,
        }
        let c = clients::get(&mut tx, client)
            .await?
            .ok_or(ApiError::NotFound)?;
        let may_write = matches!(
            client_access::check(&mut tx, &actor.user, client, Action::WriteClient).await?,
            Access::Allowed { .. }
        );
        let list = outcomes::assessments_for(&mut tx, client).await?;
        let follow_ups = outcomes::follow_ups_for(&mut tx, client).await?;
        tx.audit(entry);
        tx.finish_read(&st.store).await?;
        Ok::<_, ApiError>((
            display_name(&c, &actor.user, t),
            may_write,
            list,
            follow_ups,
        ))
    }
    .await;
    let (name, may_write, list, follow_ups) = match loaded {
        Ok(x) => x,
        Err(e) => return page_error(t, chrome, e),
    };
    let new_id = q.new.as_deref().and_then(|n| n.parse::<i64>().ok());
    let (series, grid, ticks) = score_series(&list, t);
    let scores: Vec<ScoreRow> = list
        .iter()
        .rev()
        .map(|a| ScoreRow {
            id: a.id.0,
            instrument: a.instrument.as_str(),
            on: a.administered_on,
            total: a.score.total,
            audit_c: a
                .score
                .audit_c
                .map(|c| c.to_string())
                .unwrap_or_else(|| "–".into()),
            zone: t.pick(a.score.zone.label()).to_owned(),
            zone_class: if a.score.above_cutoff {
                "above"
            } else {
                "below"
            },
            above: a.score.above_cutoff,
            cutoff: format!(
                "≥{} ({})",
                a.score.cutoff,
                t.pick(a.score.cutoff_basis.label())
            ),
            new: Some(a.id.0) == new_id,
        })
        .collect();
    let newest = scores.iter().find(|s| s.new).cloned();
    let mut done: Vec<&FollowUp> = follow_ups
        .iter()
        .filter(|f| f.status == FollowUpStatus::Done && !f.outcomes.asi_ratings.is_empty())
        .collect();
    done.sort_by_key(|f| f.done_on);
    let (asi_cells, asi_rows, asi_cols, asi_height) = asi_grid(&done, t);
    let asi_dates = done
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                label(t, "timepoint-short", f.timepoint.as_str()),
                f.done_on.map(|d| d.to_string()).unwrap_or_default()
            )
        })
        .collect();
    let asi_table = AsiArea::ALL
        .iter()
        .map(|a| {
            (
                t.pick(a.label()).to_owned(),
                done.iter()
                    .map(|f| {
                        f.outcomes
                            .asi_ratings
                            .get(a)
                            .map(|v| v.to_string())
                            .unwrap_or_else(|| "–".into())
                    })
                    .collect(),
            )
        })
        .collect();
    let follow_ups = follow_ups
        .iter()
        .map(|f| {
            let o = &f.outcomes;
            let detail = match f.status {
                FollowUpStatus::Done => {
                    let mut parts = vec![format!(
                        "{} {}",
                        t.t("fu-done-on"),
                        f.done_on.map(|d| d.to_string()).unwrap_or_default()
                    )];
                    if let Some(d) = o.days_alcohol_30 {
                        parts.push(format!("{}: {d}", t.t("fu-days-alcohol-30")));
                    }
                    if let Some(d) = o.days_drugs_30 {
                        parts.push(format!("{}: {d}", t.t("fu-days-drugs-30")));
                    }
                    if let Some(h) = o.housing {
                        parts.push(label(t, "housing", h.as_str()));
                    }
                    if let Some(x) = o.lives_independently() {
                        parts.push(format!(
                            "{}: {}",
                            t.t("fu-independent"),
                            t.t(if x { "yes" } else { "no" })
                        ));
                    }
                    parts.join(" · ")
                }
                FollowUpStatus::Missed => f
                    .missed_reason
                    .map(|r| label(t, "missed", r.as_str()))
                    .unwrap_or_default(),
                FollowUpStatus::Due => String::new(),
            };
            FollowUpRow {
                id: f.id.0,
                timepoint: label(t, "timepoint", f.timepoint.as_str()),
                timepoint_value: f.timepoint.as_str(),
                due_on: f.due_on,
                status: label(t, "fu-status", f.status.as_str()),
                status_class: f.status.as_str(),
                due: f.status == FollowUpStatus::Due,
                detail,
            }
        })
        .collect();
    render(
        StatusCode::OK,
        OutcomesPage {
            t,
            chrome,
            client_id: client.0,
            client_name: name,
            may_write,
            scores,
            newest,
            series,
            grid,
            ticks,
            asi_cells,
            asi_rows,
            asi_cols,
            asi_height: f1(asi_height),
            asi_table,
            asi_dates,
            follow_ups,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_fall_inside_the_plot_from_first_to_last_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            x_of(d("2026-01-01"), d("2026-01-01"), d("2026-01-01")),
            (LEFT + RIGHT) / 2.0
        );
        assert_eq!(
            x_of(d("2026-01-01"), d("2026-12-31"), d("2026-01-01")),
            LEFT
        );
        assert_eq!(
            x_of(d("2026-01-01"), d("2026-12-31"), d("2026-12-31")),
            RIGHT
        );
        let mid = x_of(d("2026-01-01"), d("2026-01-11"), d("2026-01-06"));
        assert!((mid - (LEFT + RIGHT) / 2.0).abs() < 1e-9);
    }
}
