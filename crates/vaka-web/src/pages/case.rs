//! A case in the browser: the intake that registers a person (or finds them) and opens a case, the
//! case's facts, who has had it, its plan (goals and their follow-ups), and the forms to add and
//! follow up goals (whoever may write in the client's file), to close it (its case manager or the
//! unit head), to give it to another case manager, and to add or end a second case manager (the
//! unit head). The forms go through the API's handlers (see `desk`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use vaka_domain::access::{self, Action, Scope};
use vaka_domain::case::{CaseOrigin, CaseStatus, ClosureReason};
use vaka_domain::ids::ClientId;
use vaka_domain::plan::{GoalStatus, LifeArea};
use vaka_domain::role::{Role, User};
use vaka_store::users;

use super::decisions::client_name;
use super::desk::{
    ApiCall, Form, Link, Page, Posted, Table, answer, options, post_form, shown, today, with_first,
};
use super::form::{Field, FormFields, Input};
use super::journal::{csrf_ok, page_error};
use super::{Chrome, PageLang, message};
use crate::AppState;
use crate::api::cases as api;
use crate::api::intakes as api_intakes;
use crate::api::plans as api_plans;
use crate::auth::{ApiActor, SessionActor};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::i18n::Tr;

fn close_form(t: Tr, id: i64) -> Form {
    Form {
        id: "close",
        title: t.t("k-close").to_owned(),
        action: format!("/cases/{id}/close"),
        hint: Some(t.t("k-close-hint").to_owned()),
        fields: vec![
            Field::new("closed_on", t.t("k-closed-on"), Input::Date)
                .required()
                .value(today()),
            Field::new(
                "reason",
                t.t("k-closure-reason"),
                Input::Select(options(
                    t,
                    ClosureReason::ALL,
                    ClosureReason::as_str,
                    ClosureReason::label,
                    Some(t.t("d-choose")),
                )),
            )
            .required(),
            Field::new("note", t.t("k-closure-note"), Input::Area),
        ],
        submit: t.t("k-close").to_owned(),
    }
}

fn add_goal_form(t: Tr, id: i64) -> Form {
    Form {
        id: "add-goal",
        title: t.t("k-add-goal").to_owned(),
        action: format!("/cases/{id}/add-goal"),
        hint: Some(t.t("k-add-goal-hint").to_owned()),
        fields: vec![
            Field::new(
                "life_area",
                t.t("k-life-area"),
                Input::Select(options(
                    t,
                    LifeArea::ALL,
                    LifeArea::as_str,
                    LifeArea::label,
                    Some(t.t("d-choose")),
                )),
            )
            .required(),
            Field::new("goal", t.t("k-goal"), Input::Area)
                .required()
                .hint(t.t("k-goal-hint")),
            Field::new("actions", t.t("k-actions"), Input::Area).hint(t.t("k-actions-hint")),
            Field::new("follow_up_on", t.t("k-follow-up-on"), Input::Date).required(),
        ],
        submit: t.t("k-add-goal").to_owned(),
    }
}

/// `goals` are the ongoing goals as `(id, label)` choices.
fn review_goal_form(t: Tr, id: i64, goals: Vec<(String, String)>) -> Form {
    Form {
        id: "review-goal",
        title: t.t("k-review-goal").to_owned(),
        action: format!("/cases/{id}/review-goal"),
        hint: Some(t.t("k-review-goal-hint").to_owned()),
        fields: vec![
            Field::new(
                "goal_id",
                t.t("k-goal"),
                Input::SelectId(with_first(t.t("d-choose"), goals)),
            )
            .required(),
            Field::new(
                "status",
                t.t("k-goal-status"),
                Input::Select(options(
                    t,
                    GoalStatus::ALL,
                    GoalStatus::as_str,
                    GoalStatus::label,
                    Some(t.t("d-choose")),
                )),
            )
            .required(),
            Field::new("reviewed_on", t.t("k-reviewed-on"), Input::Date)
                .required()
                .value(today()),
            Field::new("next_follow_up_on", t.t("k-next-follow-up"), Input::Date)
                .hint(t.t("k-next-follow-up-hint")),
            Field::new("note", t.t("k-review-note"), Input::Area),
        ],
        submit: t.t("k-review-goal").to_owned(),
    }
}

/// The plan's two tables: each goal with where it stands (and, while the case is `open`, when it
/// is next followed up), and every follow-up.
fn plan_tables(t: Tr, plan: &api_plans::PlanResponse, open: bool) -> [Table; 2] {
    let mut goals = Table::new(
        t.t("k-plan"),
        &[
            t.t("k-life-area"),
            t.t("k-goal"),
            t.t("k-actions"),
            t.t("k-goal-status"),
            t.t("k-follow-up-on"),
            t.t("k-goal-journal"),
        ],
    );
    let mut reviews = Table::new(
        t.t("k-plan-reviews"),
        &[
            t.t("k-reviewed-on"),
            t.t("k-goal"),
            t.t("k-goal-status"),
            t.t("k-review-note"),
            t.t("k-next-follow-up"),
            t.t("k-reviewed-by"),
        ],
    );
    let (goal_rows, review_rows) = plan_rows(plan, open, |l| t.pick(l).to_owned());
    for (r, g) in goal_rows.into_iter().zip(&plan.goals) {
        // The page (not the printed plan) shows how often the journal names the goal.
        let used = match g.last_journal_entry_at {
            Some(at) => format!(
                "{} ({} {})",
                g.journal_entries,
                t.t("k-goal-journal-latest"),
                vaka_domain::time::local_date(at)
            ),
            None => "0".to_owned(),
        };
        goals.row(
            r.into_iter()
                .chain(std::iter::once(used))
                .map(|c| (c, None))
                .collect(),
        );
    }
    for r in review_rows {
        reviews.row(r.into_iter().map(|c| (c, None)).collect());
    }
    [goals, reviews]
}

/// The plan as rows of text: each goal (area, goal, what is done, where it stands, and its next
/// follow-up while the case is `open`) and every follow-up (day, goal, state, note, next day, by
/// whom), the labels in the language `pick` takes.
fn plan_rows(
    plan: &api_plans::PlanResponse,
    open: bool,
    pick: impl Fn((&'static str, &'static str)) -> String,
) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let goals = plan
        .goals
        .iter()
        .map(|g| {
            vec![
                pick(g.life_area.label()),
                g.goal.clone(),
                g.actions.clone().unwrap_or_default(),
                pick(g.status.label()),
                day(g.due_on.filter(|_| open)),
            ]
        })
        .collect();
    let reviews = plan
        .goals
        .iter()
        .flat_map(|g| g.reviews.iter().map(move |r| (g, r)))
        .map(|(g, r)| {
            vec![
                r.reviewed_on.to_string(),
                g.goal.clone(),
                pick(r.status.label()),
                r.note.clone().unwrap_or_default(),
                day(r.next_follow_up_on),
                r.reviewed_by_name.clone(),
            ]
        })
        .collect();
    (goals, reviews)
}

/// `managers` are the `(username, display name)` choices.
fn reassign_form(t: Tr, id: i64, managers: Vec<(String, String)>) -> Form {
    let choices = with_first(t.t("d-choose"), managers);
    Form {
        id: "reassign",
        title: t.t("k-reassign").to_owned(),
        action: format!("/cases/{id}/reassign"),
        hint: Some(t.t("k-reassign-hint").to_owned()),
        fields: vec![
            Field::new("case_manager", t.t("k-new-manager"), Input::Select(choices)).required(),
            Field::new("assigned_on", t.t("k-assigned-on"), Input::Date)
                .required()
                .value(today()),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

/// `managers` are the `(username, display name)` choices.
fn add_manager_form(t: Tr, id: i64, managers: Vec<(String, String)>) -> Form {
    Form {
        id: "add-manager",
        title: t.t("k-add-manager").to_owned(),
        action: format!("/cases/{id}/add-manager"),
        hint: Some(t.t("k-add-manager-hint").to_owned()),
        fields: vec![
            Field::new(
                "case_manager",
                t.t("case-manager"),
                Input::Select(with_first(t.t("d-choose"), managers)),
            )
            .required(),
            Field::new("assigned_on", t.t("k-assigned-on"), Input::Date)
                .required()
                .value(today()),
        ],
        submit: t.t("k-add-manager").to_owned(),
    }
}

/// `current` are the case's current case managers as `(username, display name)`.
fn end_manager_form(t: Tr, id: i64, current: Vec<(String, String)>) -> Form {
    Form {
        id: "end-manager",
        title: t.t("k-end-manager").to_owned(),
        action: format!("/cases/{id}/end-manager"),
        hint: Some(t.t("k-end-manager-hint").to_owned()),
        fields: vec![
            Field::new(
                "case_manager",
                t.t("case-manager"),
                Input::Select(with_first(t.t("d-choose"), current)),
            )
            .required(),
            Field::new("unassigned_on", t.t("k-until"), Input::Date)
                .required()
                .value(today()),
        ],
        submit: t.t("k-end-manager").to_owned(),
    }
}

/// The active case managers and unit heads of the unit, as form choices (no client data).
async fn manager_choices(
    st: &AppState,
    session: &SessionActor,
    unit: i64,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut tx = st.store.begin_read().await?;
    let list = users::list(&mut tx, session.actor.user.municipality_id).await?;
    tx.commit().await?;
    Ok(list
        .into_iter()
        .filter(|u| {
            u.active
                && u.unit_id.map(|x| x.0) == Some(unit)
                && matches!(u.role, Role::CaseManager | Role::UnitHead)
        })
        .map(|u| (u.username, u.display_name))
        .collect())
}

/// The case, its plan and its client's name as the viewer may see it, each read through its API
/// handler (access rule and access-log entry) with `via` as the page action.
async fn case_with_plan(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
    via: String,
) -> Result<(api::CaseResponse, api_plans::PlanResponse, String), ApiError> {
    let mut actor = session.actor.clone();
    actor.via = Some(via.clone());
    let Json(k) = api::get_case(
        State(st.clone()),
        ApiActor(actor.clone()),
        Path(raw.to_owned()),
    )
    .await?;
    let Json(plan) =
        api_plans::get_plan(State(st.clone()), ApiActor(actor), Path(raw.to_owned())).await?;
    let name = client_name(
        st,
        &session.actor,
        ClientId(k.client_id),
        Action::ReadClient,
        via,
        t,
    )
    .await?;
    Ok((k, plan, name))
}

/// A case: how it came in, its status, who has had it, and the forms the viewer may use.
async fn case_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<Page, ApiError> {
    let here = format!("/cases/{raw}");
    let (k, plan, name) = case_with_plan(st, session, t, raw, format!("GET {here}")).await?;
    let client = ClientId(k.client_id);
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        &format!("{} {}", t.t("k-case"), k.id),
        Link::new(
            format!("/clients/{}", client.0),
            format!("{} {name}", t.t("d-back-to")),
        ),
    )
    .sub(name);
    let status = match k.status {
        CaseStatus::Open => t.t("status-open"),
        CaseStatus::Closed => t.t("status-closed"),
    };
    page.fact(t.t("case-status"), status);
    page.fact(t.t("k-origin"), t.pick(k.origin.label()));
    page.fact(t.t("case-opened"), k.opened_on.to_string());
    let current: Vec<&str> = k
        .assignments
        .iter()
        .filter(|a| a.unassigned_on.is_none())
        .map(|a| a.display_name.as_str())
        .collect();
    page.fact(
        t.t("case-managers"),
        if current.is_empty() {
            t.t("k-no-managers").to_owned()
        } else {
            current.join(", ")
        },
    );
    if let Some(d) = k.closed_on {
        page.fact(t.t("k-closed-on"), d.to_string());
    }
    if let Some(r) = k.closure_reason {
        page.fact(t.t("k-closure-reason"), t.pick(r.label()));
    }
    if let Some(n) = &k.closure_note {
        page.fact(t.t("k-closure-note"), n.clone());
    }
    let mut history = Table::new(
        t.t("k-history"),
        &[t.t("case-manager"), t.t("k-assigned-on"), t.t("k-until")],
    );
    for a in &k.assignments {
        history.row(vec![
            (a.display_name.clone(), None),
            (a.assigned_on.to_string(), None),
            (
                a.unassigned_on
                    .map_or_else(|| "…".to_owned(), |d| d.to_string()),
                None,
            ),
        ]);
    }
    page.desk.tables.push(history);
    page.desk.links.push(Link::new(
        format!("/cases/{}/plan.pdf", k.id),
        t.t("k-plan-pdf"),
    ));
    let [goals, reviews] = plan_tables(t, &plan, k.status == CaseStatus::Open);
    page.desk.tables.push(goals);
    if !reviews.rows.is_empty() {
        page.desk.tables.push(reviews);
    }
    if k.status == CaseStatus::Open {
        let user = &session.actor.user;
        let may_write = match access::scope(user.role, Action::WriteClient) {
            Some(Scope::Assigned) => k.case_managers.contains(&user.username),
            Some(_) => true,
            None => false,
        };
        if may_write {
            page.form(add_goal_form(t, k.id));
            let ongoing: Vec<(String, String)> = plan
                .goals
                .iter()
                .filter(|g| !g.status.is_final())
                .map(|g| {
                    (
                        g.id.to_string(),
                        format!("{}: {}", t.pick(g.life_area.label()), short(&g.goal)),
                    )
                })
                .collect();
            if !ongoing.is_empty() {
                page.form(review_goal_form(t, k.id, ongoing));
            }
        }
        let may_close = match access::scope(user.role, Action::CloseCase) {
            Some(Scope::Assigned) => k.case_managers.contains(&user.username),
            Some(_) => true,
            None => false,
        };
        if access::may_ever(user.role, Action::AssignCase) {
            let managers = manager_choices(st, session, k.unit_id).await?;
            let current: Vec<(String, String)> = k
                .assignments
                .iter()
                .filter(|a| a.unassigned_on.is_none())
                .map(|a| (a.case_manager.clone(), a.display_name.clone()))
                .collect();
            let others = managers
                .iter()
                .filter(|(u, _)| !current.iter().any(|(c, _)| c == u))
                .cloned()
                .collect();
            page.form(reassign_form(t, k.id, managers));
            page.form(add_manager_form(t, k.id, others));
            if current.len() > 1 {
                page.form(end_manager_form(t, k.id, current));
            }
        }
        if may_close {
            page.form(close_form(t, k.id));
        }
    }
    Ok(page)
}

/// The plan as a document to give the person and to sign together: the goals, their follow-ups,
/// and lines for the signatures. In Swedish, like the decision letter.
async fn plan_document(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<vaka_report::Doc, ApiError> {
    use vaka_report::{Doc, DocSection, DocTable};
    let (k, plan, name) =
        case_with_plan(st, session, t, raw, format!("GET /cases/{raw}/plan.pdf")).await?;
    let managers: Vec<&str> = k
        .assignments
        .iter()
        .filter(|a| a.unassigned_on.is_none())
        .map(|a| a.display_name.as_str())
        .collect();
    let (goals, reviews) = plan_rows(&plan, k.status == CaseStatus::Open, |l| l.0.to_owned());
    let table = |head: &[&str], rows| {
        Some(DocTable {
            head: head.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            text: true,
        })
    };
    let mut sections = vec![DocSection {
        heading: "Mål".into(),
        paragraphs: if plan.goals.is_empty() {
            vec!["Inga mål är skrivna ännu.".into()]
        } else {
            Vec::new()
        },
        svg: None,
        table: (!plan.goals.is_empty())
            .then(|| {
                table(
                    &["Område", "Mål", "Vad görs, av vem", "Läge", "Följs upp"],
                    goals,
                )
            })
            .flatten(),
    }];
    if !reviews.is_empty() {
        sections.push(DocSection {
            heading: "Uppföljningar".into(),
            paragraphs: Vec::new(),
            svg: None,
            table: table(
                &[
                    "Dag",
                    "Mål",
                    "Läge",
                    "Vad som sågs och bestämdes",
                    "Nästa",
                    "Av",
                ],
                reviews,
            ),
        });
    }
    sections.push(DocSection {
        heading: "Underskrifter".into(),
        paragraphs: vec![
            format!("{name}: ……………………………………………   Datum: …………………"),
            format!(
                "{}: ……………………………………………   Datum: …………………",
                if managers.is_empty() {
                    "Case manager".to_owned()
                } else {
                    managers.join(", ")
                }
            ),
        ],
        svg: None,
        table: None,
    });
    Ok(Doc {
        title: "Genomförandeplan".into(),
        lead: format!(
            "{name} · ärende {} · öppnat {} · case manager: {}",
            k.id,
            k.opened_on,
            if managers.is_empty() {
                "ingen".to_owned()
            } else {
                managers.join(", ")
            }
        ),
        footer: format!("Genomförandeplan, ärende {}", k.id),
        note: format!(
            "Utskriven {} av {}. Planen skrivs tillsammans med den enskilde. Mål och uppföljningar ändras \
             inte i efterhand: ett mål som byts följs upp som avbrutet och ett nytt skrivs.",
            today(),
            session.actor.user.display_name
        ),
        sections,
    })
}

/// `GET /cases/{id}/plan.pdf`: the plan to print, give the person and sign.
pub async fn plan_pdf(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    use axum::http::header;
    let chrome = Chrome::of(&session, &format!("/cases/{raw}"));
    let doc = match plan_document(&st, &session, t, &raw).await {
        Ok(d) => d,
        Err(e) => return page_error(t, chrome, e),
    };
    // Typesetting takes a while of CPU: off the request threads.
    match tokio::task::spawn_blocking(move || vaka_report::report_pdf(&doc)).await {
        Ok(Ok(pdf)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"genomforandeplan-{raw}.pdf\""),
                ),
            ],
            pdf,
        )
            .into_response(),
        Ok(Err(e)) => page_error(t, chrome, ApiError::Internal(e)),
        Err(e) => page_error(t, chrome, ApiError::Internal(e.to_string())),
    }
}

/// A goal's text cut to fit a choice in a list.
fn short(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!(
            "{}…",
            text.chars().take(MAX - 1).collect::<String>().trim_end()
        )
    }
}

/// `GET /cases/{id}`.
pub async fn case(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/cases/{raw}"));
    shown(t, chrome, case_view(&st, &session, t, &raw).await)
}

/// `POST /cases/{id}/{close|reassign|add-manager|end-manager|add-goal|review-goal}`: one of the
/// case page's forms.
pub async fn case_action(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((raw, what)): Path<(String, String)>,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/cases/{raw}"));
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let call = ApiCall {
        session: &session,
        posted: &posted,
        via: format!("POST /cases/{raw}/{what}"),
        st: st.clone(),
        path: raw.clone(),
    };
    // Each form's id is its action's name.
    let form_id = what.as_str();
    let result = match form_id {
        "close" => call.send(&close_form(t, 0).fields, api::close_case).await,
        "reassign" => {
            call.send(&reassign_form(t, 0, Vec::new()).fields, api::reassign_case)
                .await
        }
        "add-manager" => {
            call.send(
                &add_manager_form(t, 0, Vec::new()).fields,
                api::add_case_manager,
            )
            .await
        }
        "end-manager" => {
            call.send(
                &end_manager_form(t, 0, Vec::new()).fields,
                api::end_case_manager,
            )
            .await
        }
        "add-goal" => {
            call.send(&add_goal_form(t, 0).fields, api_plans::create_goal)
                .await
        }
        "review-goal" => {
            call.send(
                &review_goal_form(t, 0, Vec::new()).fields,
                api_plans::review_goal,
            )
            .await
        }
        _ => return message(StatusCode::NOT_FOUND, t, chrome, "not-found"),
    };
    // A case manager who has just closed their case may no longer reach the client through it:
    // back to the caseload, where the client is gone unless another case keeps them there.
    let back_to_caseload = access::scope(session.actor.user.role, Action::CloseCase)
        == Some(Scope::Assigned)
        && form_id == "close";
    let result = result.map(|_| {
        if back_to_caseload {
            "/caseload".to_owned()
        } else {
            format!("/cases/{raw}")
        }
    });
    answer(
        t,
        chrome,
        result,
        form_id,
        &posted,
        case_view(&st, &session, t, &raw),
    )
    .await
}

// ---------------------------------------------------------------- intake

/// Whether `user` may register a person and open a case: the intake form and its button.
pub fn may_intake(user: &User) -> bool {
    user.unit_id.is_some()
        && access::may_ever(user.role, Action::CreateClient)
        && access::may_ever(user.role, Action::OpenCase)
}

/// `managers` are the `(username, display name)` choices; the first is preselected by the caller.
fn intake_form(t: Tr, managers: Vec<(String, String)>, me: &str) -> Form {
    let names_hint = t.t("i-names-hint");
    Form {
        id: "intake",
        title: t.t("i-title").to_owned(),
        action: "/intakes".to_owned(),
        hint: Some(t.t("i-hint").to_owned()),
        fields: vec![
            Field::new("personal_number", t.t("personal-number"), Input::Text)
                .required()
                .hint(t.t("i-number-hint")),
            Field::new("given_name", t.t("i-given-name"), Input::Text).hint(names_hint),
            Field::new("family_name", t.t("i-family-name"), Input::Text).hint(names_hint),
            Field::new("address", t.t("address"), Input::Text),
            Field::new("phone", t.t("phone"), Input::Text),
            Field::new(
                "origin",
                t.t("k-origin"),
                Input::Select(options(
                    t,
                    CaseOrigin::ALL,
                    CaseOrigin::as_str,
                    CaseOrigin::label,
                    None,
                )),
            )
            .required()
            .value(CaseOrigin::Application.as_str()),
            Field::new("opened_on", t.t("case-opened"), Input::Date)
                .required()
                .value(today()),
            Field::new("case_manager", t.t("case-manager"), Input::Select(managers))
                .required()
                .value(me),
        ],
        submit: t.t("i-open").to_owned(),
    }
}

async fn intake_view(st: &AppState, session: &SessionActor, t: Tr) -> Result<Page, ApiError> {
    let user = &session.actor.user;
    let Some(unit) = user.unit_id.filter(|_| may_intake(user)) else {
        return Err(ApiError::Forbidden);
    };
    let managers = manager_choices(st, session, unit.0).await?;
    let mut page = Page::new(
        t,
        Chrome::of(session, "/intakes/new"),
        t.t("i-title"),
        Link::new(
            "/caseload",
            format!("{} {}", t.t("d-back-to"), t.t("caseload")),
        ),
    );
    page.form(intake_form(t, managers, &user.username));
    Ok(page)
}

/// `GET /intakes/new`.
pub async fn new_intake(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
) -> Response {
    let chrome = Chrome::of(&session, "/intakes/new");
    match intake_view(&st, &session, t).await {
        Ok(p) => p.show(StatusCode::OK),
        Err(e) => page_error(t, chrome, e),
    }
}

/// `POST /intakes`: the client's page once the case is open.
pub async fn save_intake(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    posted: FormFields,
) -> Response {
    let st2 = st.clone();
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: "/intakes".into(),
            here: "/intakes/new".into(),
        },
        ("intake", &intake_form(t, Vec::new(), "").fields),
        |a, r: api_intakes::IntakeRequest| async move {
            api_intakes::create_intake(State(st2), ApiActor(a), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |v| format!("/clients/{}", v["client_id"].as_i64().unwrap_or_default()),
        intake_view(&st, &session, t),
    )
    .await
}
