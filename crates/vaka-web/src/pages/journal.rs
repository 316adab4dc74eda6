//! The follow-up journal on a phone: a form that works as a plain POST without JavaScript, saved as
//! a draft or signed; with JavaScript it also keeps a copy in the browser as it is typed and saves
//! the draft on the server as soon as the entry is complete (`static/journal.js`). Alerts are
//! acknowledged and resolved from the client page with plain forms too.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vaka_domain::FieldError;
use vaka_domain::access::Action;
use vaka_domain::contact::{
    Contact, ContactInput, ContactKind, EntryStatus, Housing, NewContact, Risk, Sleep, Substance,
    SubstanceUse,
};
use vaka_domain::ids::{ClientId, ContactId, GoalId};
use vaka_store::plans::GoalChoice;
use vaka_store::{AuditAction, clients, contacts};

use super::form::FormFields;
use super::{Chrome, PageLang, display_name, label, message, render};
use crate::AppState;
use crate::auth::{self, Actor, SessionActor};
use crate::client_access;
use crate::error::ApiError;
use crate::i18n::Tr;

/// One option of a radio group, checkbox group or select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// An invalid field, as the form shows it: a link to the field and the message in the page's language.
pub struct FieldMessage {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// What the form holds, as text: from a post, from a stored draft or as a new entry's defaults.
#[derive(Debug, Default, Clone)]
struct Values {
    occurred_at: String,
    kind: String,
    substance_use: String,
    substances: Vec<String>,
    risks: Vec<String>,
    well_being: String,
    sleep: String,
    housing: String,
    note: String,
    corrects: Option<i64>,
    draft_id: Option<i64>,
    /// The goal of the plan the contact served, as posted ("" for none).
    plan_goal: String,
}

impl Values {
    fn from_form(f: &FormFields) -> Self {
        let id = |name: &str| {
            f.get(name)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n > 0)
        };
        Self {
            occurred_at: f.get("occurred_at").unwrap_or_default().to_owned(),
            kind: f.get("kind").unwrap_or_default().to_owned(),
            substance_use: f.get("substance_use").unwrap_or_default().to_owned(),
            substances: f.all("substances"),
            risks: f.all("risks"),
            well_being: f.get("well_being").unwrap_or_default().to_owned(),
            sleep: f.get("sleep").unwrap_or_default().to_owned(),
            housing: f.get("housing").unwrap_or_default().to_owned(),
            note: f.get("note").unwrap_or_default().to_owned(),
            corrects: id("corrects"),
            draft_id: id("draft_id"),
            plan_goal: f.get("plan_goal_id").unwrap_or_default().trim().to_owned(),
        }
    }

    fn from_contact(c: &Contact) -> Self {
        Self {
            occurred_at: vaka_domain::time::local_input(c.occurred_at),
            kind: c.kind.as_str().to_owned(),
            substance_use: c.substance_use.as_str().to_owned(),
            substances: c.substances.iter().map(|s| s.as_str().to_owned()).collect(),
            risks: c.risks.iter().map(|s| s.as_str().to_owned()).collect(),
            well_being: c.well_being.map(|w| w.to_string()).unwrap_or_default(),
            sleep: c.sleep.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            housing: c.housing.as_str().to_owned(),
            note: c.note.clone().unwrap_or_default(),
            corrects: c.corrects.map(|x| x.0),
            draft_id: (c.status == EntryStatus::Draft).then_some(c.id.0),
            plan_goal: c.plan_goal.map(|g| g.0.to_string()).unwrap_or_default(),
        }
    }

    /// Validates into a journal entry; every invalid field is reported, named as in the API.
    fn parse(&self, signed: bool) -> Result<NewContact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let occurred_at = match self.occurred_at.trim() {
            "" => None,
            raw => match vaka_domain::time::parse_local_input(raw) {
                Some(t) => Some(t.to_rfc3339()),
                None => {
                    errors.push(FieldError::new(
                        "occurred_at",
                        "invalid_time",
                        vaka_domain::Msg::new(
                            "Ange datum och klockslag, t.ex. 2026-11-23 10:30.",
                            "Give a date and time, e.g. 2026-11-23 10:30.",
                        ),
                    ));
                    None
                }
            },
        };
        let well_being = match self.well_being.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(n) => Some(n),
                // Not a number: passed on out of range, so the domain gives its one message.
                Err(_) => Some(-1),
            },
        };
        let input = ContactInput {
            occurred_at: occurred_at.as_deref(),
            kind: Some(&self.kind),
            substance_use: Some(&self.substance_use),
            substances: &self.substances,
            risks: &self.risks,
            well_being,
            sleep: Some(&self.sleep),
            housing: Some(&self.housing),
            note: Some(&self.note),
            signed,
            corrects: self.corrects,
            // Not a number: passed on as an invalid id, so the domain names the field.
            plan_goal_id: match self.plan_goal.as_str() {
                "" => None,
                raw => Some(raw.parse::<i64>().unwrap_or(-1)),
            },
        };
        match NewContact::parse(&input, vaka_store::now()) {
            Ok(c) if errors.is_empty() => Ok(c),
            Ok(_) => Err(errors),
            Err(more) => {
                // A time that could not be read is reported once, in the form's own words.
                let known = !errors.is_empty();
                errors.extend(
                    more.into_iter()
                        .filter(|e| !(known && e.field == "occurred_at")),
                );
                Err(errors)
            }
        }
    }
}

fn choices<T: Copy>(
    t: Tr,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    prefix: &str,
    checked: impl Fn(&str) -> bool,
) -> Vec<Choice> {
    all.iter()
        .map(|v| {
            let value = name(*v);
            Choice {
                value: value.to_owned(),
                label: label(t, prefix, value),
                checked: checked(value),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "journal_form.html")]
struct JournalForm {
    t: Tr,
    chrome: Chrome,
    client_id: i64,
    client_name: String,
    heading: &'static str,
    draft_id: Option<i64>,
    corrects: Option<i64>,
    occurred_at: String,
    latest_time: String,
    kinds: Vec<Choice>,
    uses: Vec<Choice>,
    substances: Vec<Choice>,
    risks: Vec<Choice>,
    well_being: Vec<Choice>,
    sleeps: Vec<Choice>,
    housings: Vec<Choice>,
    /// The plan's goals the contact can name, after a "none" choice; empty when there are none.
    goals: Vec<Choice>,
    note: String,
    errors: Vec<FieldMessage>,
    saved: bool,
    /// Where the browser keeps its copy while the entry is typed.
    storage_key: String,
}

fn field_label(t: Tr, field: &str) -> String {
    let key = match field.split('[').next().unwrap_or(field) {
        "occurred_at" => "contact-time",
        "kind" => "kind",
        "substance_use" => "substance-use",
        "substances" => "substances",
        "risks" => "risks",
        "well_being" => "well-being",
        "sleep" => "sleep",
        "housing" => "housing",
        "note" => "note",
        "corrects" => "correction",
        "plan_goal_id" => "plan-goal",
        _ => return field.to_owned(),
    };
    t.t(key).to_owned()
}

fn messages(t: Tr, errors: &[FieldError]) -> Vec<FieldMessage> {
    errors
        .iter()
        .map(|e| FieldMessage {
            field: e.field.split('[').next().unwrap_or(&e.field).to_owned(),
            label: field_label(t, &e.field),
            message: t.pick((&e.message.sv, &e.message.en)).to_owned(),
        })
        .collect()
}

struct FormPage<'a> {
    client_id: i64,
    client_name: String,
    goals: Vec<GoalChoice>,
    values: &'a Values,
    errors: Vec<FieldMessage>,
    saved: bool,
}

fn form_page(t: Tr, chrome: Chrome, p: FormPage<'_>) -> JournalForm {
    let v = p.values;
    let heading = if v.corrects.is_some() {
        "journal-correction"
    } else {
        "journal-new"
    };
    let storage_key = format!(
        "vaka-journal-{}-{}",
        p.client_id,
        v.draft_id
            .map(|d| d.to_string())
            .or_else(|| v.corrects.map(|c| format!("c{c}")))
            .unwrap_or_else(|| "new".into())
    );
    JournalForm {
        client_id: p.client_id,
        client_name: p.client_name,
        heading,
        draft_id: v.draft_id,
        corrects: v.corrects,
        occurred_at: v.occurred_at.clone(),
        latest_time: vaka_domain::time::local_input(vaka_store::now()),
        kinds: choices(t, ContactKind::ALL, ContactKind::as_str, "kind", |x| {
            x == v.kind
        }),
        uses: choices(t, SubstanceUse::ALL, SubstanceUse::as_str, "use", |x| {
            x == v.substance_use
        }),
        substances: choices(t, Substance::ALL, Substance::as_str, "substance", |x| {
            v.substances.iter().any(|s| s == x)
        }),
        risks: choices(t, Risk::ALL, Risk::as_str, "risk", |x| {
            v.risks.iter().any(|s| s == x)
        }),
        well_being: (0..=10)
            .map(|n| Choice {
                value: n.to_string(),
                label: n.to_string(),
                checked: v.well_being.trim() == n.to_string(),
            })
            .collect(),
        sleeps: choices(t, Sleep::ALL, Sleep::as_str, "sleep", |x| x == v.sleep),
        goals: if p.goals.is_empty() {
            Vec::new()
        } else {
            std::iter::once(Choice {
                value: String::new(),
                label: t.t("plan-goal-none").to_owned(),
                checked: v.plan_goal.is_empty(),
            })
            .chain(p.goals.iter().map(|g| Choice {
                value: g.id.0.to_string(),
                label: format!("{}: {}", t.pick(g.life_area.label()), g.goal),
                checked: v.plan_goal == g.id.0.to_string(),
            }))
            .collect()
        },
        housings: choices(t, Housing::ALL, Housing::as_str, "housing", |x| {
            x == v.housing
        }),
        note: v.note.clone(),
        errors: p.errors,
        saved: p.saved,
        storage_key,
        t,
        chrome,
    }
}

/// Maps an error from the shared API code to a page.
pub(super) fn page_error(t: Tr, chrome: Chrome, e: ApiError) -> Response {
    match e {
        ApiError::NotFound => message(StatusCode::NOT_FOUND, t, chrome, "not-found"),
        ApiError::Forbidden => message(StatusCode::FORBIDDEN, t, chrome, "forbidden"),
        ApiError::Conflict(_) => message(StatusCode::CONFLICT, t, chrome, "entry-signed-already"),
        other => other.into_response(),
    }
}

/// What the form needs besides its values: the client's name (read under the access rules, and
/// logged), the entry being edited or corrected, and the last known housing as a default.
struct Context {
    name: String,
    contact: Option<Contact>,
    last_housing: Option<Housing>,
    /// The goals the entry can name: ongoing ones of open cases, and the one it names already.
    goals: Vec<GoalChoice>,
}

async fn context(
    st: &AppState,
    actor: &Actor,
    client: ClientId,
    (contact, keep_goal): (Option<ContactId>, Option<GoalId>),
    detail: String,
    t: Tr,
) -> Result<Context, ApiError> {
    let action = if contact.is_some() {
        AuditAction::ContactRead
    } else {
        AuditAction::ClientRead
    };
    let mut entry = actor.audit(action, Some(client), detail);
    let mut tx = client_access::authorize(
        st.store.begin().await?,
        &actor.user,
        client,
        Action::WriteClient,
        &mut entry,
    )
    .await?;
    let c = clients::get(&mut tx, client)
        .await?
        .ok_or(ApiError::NotFound)?;
    let contact = match contact {
        Some(id) => Some(
            contacts::get(&mut tx, id)
                .await?
                .filter(|x| x.client_id == client)
                .ok_or(ApiError::NotFound)?,
        ),
        None => None,
    };
    let last_housing = contacts::for_client(&mut tx, client, 1)
        .await?
        .first()
        .map(|x| x.housing);
    let keep = keep_goal.or(contact.as_ref().and_then(|x| x.plan_goal));
    let goals = vaka_store::plans::choices(&mut tx, client, keep).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Context {
        name: display_name(&c, &actor.user, t),
        contact,
        last_housing,
        goals,
    })
}

/// The form carries the session's CSRF token.
pub(super) fn csrf_ok(session: &SessionActor, form: &FormFields) -> bool {
    form.get("csrf")
        .is_some_and(|c| auth::same_secret(&session.csrf, c))
}

pub(super) fn client_id(raw: &str) -> Option<ClientId> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).map(ClientId)
}

#[derive(Deserialize)]
pub struct NewParams {
    corrects: Option<String>,
}

/// `GET /clients/{id}/contacts/new`: an empty entry, or with `?corrects=ID` a correction that
/// starts from the signed entry it corrects.
pub async fn new_entry(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Query(q): Query<NewParams>,
) -> Response {
    let here = format!("/clients/{raw}/contacts/new");
    let chrome = Chrome::of(&session, &here);
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let corrects = q
        .corrects
        .as_deref()
        .and_then(|c| c.parse::<i64>().ok())
        .filter(|n| *n > 0)
        .map(ContactId);
    let ctx = match context(
        &st,
        &session.actor,
        client,
        (corrects, None),
        format!("GET {here}"),
        t,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return page_error(t, chrome, e),
    };
    let values = match &ctx.contact {
        Some(original) if original.status == EntryStatus::Signed => Values {
            corrects: Some(original.id.0),
            draft_id: None,
            ..Values::from_contact(original)
        },
        Some(_) => return message(StatusCode::NOT_FOUND, t, chrome, "not-found"),
        None => Values {
            occurred_at: vaka_domain::time::local_input(vaka_store::now()),
            kind: ContactKind::Meeting.as_str().into(),
            housing: ctx.last_housing.unwrap_or(Housing::Unknown).as_str().into(),
            ..Values::default()
        },
    };
    let page = FormPage {
        client_id: client.0,
        client_name: ctx.name,
        goals: ctx.goals,
        values: &values,
        errors: Vec::new(),
        saved: false,
    };
    render(StatusCode::OK, form_page(t, chrome, page))
}

#[derive(Deserialize)]
pub struct EditParams {
    saved: Option<String>,
}

/// `GET /clients/{id}/contacts/{contact_id}/edit`: the author's own draft, to go on with.
pub async fn edit_entry(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((raw, raw_contact)): Path<(String, String)>,
    Query(q): Query<EditParams>,
) -> Response {
    let here = format!("/clients/{raw}/contacts/{raw_contact}/edit");
    let chrome = Chrome::of(&session, &here);
    let (Some(client), Some(id)) = (
        client_id(&raw),
        raw_contact
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(ContactId),
    ) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let ctx = match context(
        &st,
        &session.actor,
        client,
        (Some(id), None),
        format!("GET {here}"),
        t,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return page_error(t, chrome, e),
    };
    let Some(draft) = ctx.contact else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    if draft.status == EntryStatus::Signed {
        return message(StatusCode::CONFLICT, t, chrome, "entry-signed-already");
    }
    if draft.author_id != session.actor.user.id {
        return message(StatusCode::FORBIDDEN, t, chrome, "entry-not-yours");
    }
    let values = Values::from_contact(&draft);
    let page = FormPage {
        client_id: client.0,
        client_name: ctx.name,
        goals: ctx.goals,
        values: &values,
        errors: Vec::new(),
        saved: q.saved.is_some(),
    };
    render(StatusCode::OK, form_page(t, chrome, page))
}

/// `POST /clients/{id}/contacts`: save the form as a draft (`action=draft`), sign it
/// (`action=sign`), or, from the script, save the draft and answer JSON (`action=autosave`).
pub async fn save_entry(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: FormFields,
) -> Response {
    let here = format!("/clients/{raw}/contacts/new");
    let chrome = Chrome::of(&session, &here);
    let autosave = form.get("action") == Some("autosave");
    if !csrf_ok(&session, &form) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let values = Values::from_form(&form);
    let sign = form.get("action") == Some("sign");
    let draft = values.draft_id.map(ContactId);
    let result = match values.parse(sign) {
        Err(errors) => Err(ApiError::Invalid(errors)),
        Ok(new) => {
            let detail = match draft {
                Some(d) => format!("POST /clients/{}/contacts (draft {})", client.0, d.0),
                None => format!("POST /clients/{}/contacts", client.0),
            };
            crate::api::contacts::save(&st, &session.actor, client, draft, &new, detail).await
        }
    };
    let wants_json = autosave
        || headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
    if wants_json {
        return match result {
            Ok(saved) => Json(serde_json::json!({"draft_id": saved.id.0})).into_response(),
            Err(e) => e.into_response(),
        };
    }
    match result {
        Ok(_) if sign => Redirect::to(&format!("/clients/{}#journal", client.0)).into_response(),
        Ok(saved) => Redirect::to(&format!(
            "/clients/{}/contacts/{}/edit?saved=1",
            client.0, saved.id.0
        ))
        .into_response(),
        Err(ApiError::Invalid(errors)) => {
            // The name is shown again only when the user may write to the client at all.
            let keep = values.plan_goal.parse::<i64>().ok().map(GoalId);
            let ctx = match context(
                &st,
                &session.actor,
                client,
                (None, keep),
                format!("POST /clients/{}/contacts (invalid form)", client.0),
                t,
            )
            .await
            {
                Ok(c) => c,
                Err(e) => return page_error(t, chrome, e),
            };
            let page = FormPage {
                client_id: client.0,
                client_name: ctx.name,
                goals: ctx.goals,
                values: &values,
                errors: messages(t, &errors),
                saved: false,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, form_page(t, chrome, page))
        }
        Err(e) => page_error(t, chrome, e),
    }
}

/// `POST /alerts/{id}/acknowledge` and `/alerts/{id}/resolve` from the client page.
pub async fn alert_action(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((raw, what)): Path<(String, String)>,
    form: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, "/caseload");
    if !csrf_ok(&session, &form) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let result = match what.as_str() {
        "acknowledge" => crate::api::alerts::acknowledge_alert(&st, &session.actor, &raw).await,
        "resolve" => {
            crate::api::alerts::resolve_alert(&st, &session.actor, &raw, form.get("note")).await
        }
        _ => Err(ApiError::NotFound),
    };
    // Back to where the alert was acted on: the unit head's list of escalated alerts, or the
    // client's page (only these two, so the form cannot redirect anywhere else).
    let to_caseload = form.get("return_to") == Some("/caseload");
    let back = |client: Option<i64>| match client {
        Some(_) if to_caseload => Redirect::to("/caseload#escalated").into_response(),
        Some(c) => Redirect::to(&format!("/clients/{c}#alerts")).into_response(),
        None => Redirect::to("/caseload").into_response(),
    };
    match result {
        Ok(alert) => back(alert.client_id.map(|c| c.0)),
        // Handled already (by a colleague, or a second tap): the page shows how it stands now.
        Err(ApiError::Conflict(_)) => back(
            form.get("client_id")
                .and_then(|c| c.parse::<i64>().ok())
                .filter(|n| *n > 0),
        ),
        Err(ApiError::Invalid(_)) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            t,
            chrome,
            "alert-note-required",
        ),
        Err(e) => page_error(t, chrome, e),
    }
}
