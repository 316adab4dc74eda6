//! One page shape for the unit head's records and forms: a record's facts, its tables and the
//! forms that act on it. Each form posts page fields that become the API's JSON request and go
//! through the API's own handler, so the page and the API check, store and log the same way.

use std::future::Future;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use vaka_domain::FieldError;

use super::form::{Field, FormFields, Input, anchor, refill, to_json};
use super::journal::{Choice, FieldMessage, page_error};
use super::{Chrome, render};
use crate::auth::{Actor, SessionActor};
use crate::error::ApiError;
use crate::i18n::Tr;

pub struct Link {
    pub href: String,
    pub label: String,
}

impl Link {
    pub fn new(href: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            href: href.into(),
            label: label.into(),
        }
    }
}

pub struct Cell {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
    pub num: bool,
}

pub struct Table {
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(title: &str, head: &[&str]) -> Self {
        Self {
            title: title.to_owned(),
            head: head.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// A row of `(text, link)`; a cell is right-aligned when its column's text is a number.
    pub fn row(&mut self, cells: Vec<(String, Option<String>)>) {
        let row = cells
            .into_iter()
            .enumerate()
            .map(|(i, (text, href))| Cell {
                label: self.head.get(i).cloned().unwrap_or_default(),
                num: text.starts_with(|c: char| c.is_ascii_digit()) && !text.contains('-'),
                text,
                href,
            })
            .collect();
        self.rows.push(row);
    }
}

/// A form on a desk page, before it is shown.
pub struct Form {
    pub id: &'static str,
    pub title: String,
    pub action: String,
    pub hint: Option<String>,
    pub fields: Vec<Field>,
    pub submit: String,
}

pub struct FieldView {
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub on: bool,
    pub options: Vec<Choice>,
}

pub struct FormView {
    pub id: &'static str,
    pub title: String,
    pub action: String,
    pub hint: Option<String>,
    pub fields: Vec<FieldView>,
    pub submit: String,
}

fn choices(options: &[(String, String)], picked: &[String]) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            value: value.clone(),
            label: label.clone(),
            checked: picked.iter().any(|p| p == value),
        })
        .collect()
}

impl Form {
    /// The form's id and fields, as [`post_form`] takes them.
    pub fn parts(&self) -> (&str, &[Field]) {
        (self.id, &self.fields)
    }

    /// `ids` are the fields' element ids, in order (see [`field_ids`]).
    fn view(self, ids: Vec<String>) -> FormView {
        FormView {
            id: self.id,
            title: self.title,
            action: self.action,
            hint: self.hint,
            submit: self.submit,
            fields: self
                .fields
                .into_iter()
                .zip(ids)
                .map(|(f, id)| {
                    let (kind, options) = match &f.input {
                        Input::Text => ("text", Vec::new()),
                        Input::Area => ("area", Vec::new()),
                        Input::Date => ("date", Vec::new()),
                        Input::Whole => ("whole", Vec::new()),
                        Input::Sek => ("sek", Vec::new()),
                        Input::Check => ("check", Vec::new()),
                        Input::Password => ("password", Vec::new()),
                        Input::Select(o) | Input::SelectId(o) => {
                            ("select", choices(o, std::slice::from_ref(&f.value)))
                        }
                        Input::Checks(o) => ("checks", choices(o, &f.checked)),
                    };
                    FieldView {
                        id,
                        on: !f.checked.is_empty(),
                        name: f.name,
                        label: f.label,
                        hint: f.hint,
                        kind,
                        required: f.required,
                        value: f.value,
                        options,
                    }
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "desk.html")]
pub struct Desk {
    pub t: Tr,
    pub chrome: Chrome,
    pub title: String,
    pub sub: String,
    pub back: Link,
    pub notice: Option<String>,
    pub warnings: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub links: Vec<Link>,
    pub tables: Vec<Table>,
    pub forms: Vec<FormView>,
    pub errors: Vec<FieldMessage>,
}

/// A desk page being put together: the page and the forms it will show.
pub struct Page {
    pub desk: Desk,
    pub forms: Vec<Form>,
}

impl Page {
    pub fn new(t: Tr, chrome: Chrome, title: &str, back: Link) -> Self {
        Self {
            desk: Desk {
                t,
                chrome,
                title: title.to_owned(),
                sub: String::new(),
                back,
                notice: None,
                warnings: Vec::new(),
                facts: Vec::new(),
                links: Vec::new(),
                tables: Vec::new(),
                forms: Vec::new(),
                errors: Vec::new(),
            },
            forms: Vec::new(),
        }
    }

    pub fn sub(mut self, sub: impl Into<String>) -> Self {
        self.desk.sub = sub.into();
        self
    }

    pub fn fact(&mut self, label: &str, value: impl Into<String>) {
        self.desk.facts.push((label.to_owned(), value.into()));
    }

    pub fn form(&mut self, form: Form) {
        self.forms.push(form);
    }

    /// The fields of the form `id`, as the page would show them.
    pub fn fields(&self, id: &str) -> &[Field] {
        self.forms
            .iter()
            .find(|f| f.id == id)
            .map_or(&[], |f| &f.fields)
    }

    pub fn show(self, status: StatusCode) -> Response {
        let mut desk = self.desk;
        let ids = field_ids(&self.forms);
        desk.forms = self
            .forms
            .into_iter()
            .zip(ids)
            .map(|(f, ids)| f.view(ids))
            .collect();
        render(status, desk)
    }

    /// The page again after a failed post: the form keeps what was typed, and every error links
    /// to its field.
    pub fn failed(
        mut self,
        status: StatusCode,
        form_id: &str,
        posted: &FormFields,
        errors: &[FieldError],
    ) -> Response {
        let t = self.desk.t;
        if let Some(form) = self.forms.iter_mut().find(|f| f.id == form_id) {
            refill(&mut form.fields, posted);
        }
        // A form that is no longer shown (a placement that has just ended) still gets its errors.
        let fields: Vec<&Field> = self
            .forms
            .iter()
            .filter(|f| f.id == form_id)
            .flat_map(|f| &f.fields)
            .collect();
        let ids = field_ids(&self.forms);
        let form_ids = self
            .forms
            .iter()
            .zip(&ids)
            .find(|(f, _)| f.id == form_id)
            .map(|(f, ids)| (&f.fields, ids));
        let messages = errors
            .iter()
            .map(|e| FieldMessage {
                field: form_ids
                    .and_then(|(fields, ids)| {
                        fields
                            .iter()
                            .position(|f| f.name == e.field)
                            .map(|i| ids[i].clone())
                    })
                    .unwrap_or_else(|| anchor(&e.field)),
                label: fields
                    .iter()
                    .find(|f| f.name == e.field || e.field.starts_with(&format!("{}[", f.name)))
                    .map_or_else(|| e.field.clone(), |f| f.label.clone()),
                message: t.pick((&e.message.sv, &e.message.en)).to_owned(),
            })
            .collect();
        self.desk.errors = messages;
        self.show(status)
    }
}

/// Sends a page form through an API handler as `actor`, marked in the access log as coming from
/// the page `via`. Answers the handler's JSON (`null` for an empty answer).
pub async fn call_api<R, F, Fut>(
    session: &SessionActor,
    posted: &FormFields,
    fields: &[Field],
    via: String,
    handler: F,
) -> Result<serde_json::Value, ApiError>
where
    R: DeserializeOwned,
    F: FnOnce(Actor, R) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let value = to_json(fields, posted).map_err(ApiError::Invalid)?;
    let request: R = crate::body::from_value(value)?;
    let mut actor = session.actor.clone();
    actor.via = Some(via);
    let response = handler(actor, request).await?;
    let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

/// A page form bound for an API handler that takes a path id and a JSON body (the `{action}`
/// dispatchers): who sends it, what was posted, the page action `via` for the access log, and the
/// id. [`ApiCall::send`] goes through [`call_api`].
pub struct ApiCall<'a> {
    pub session: &'a SessionActor,
    pub posted: &'a FormFields,
    pub via: String,
    pub st: crate::AppState,
    pub path: String,
}

impl ApiCall<'_> {
    /// Sends the posted `fields` to `handler`.
    pub async fn send<R, T, F, Fut>(
        self,
        fields: &[Field],
        handler: F,
    ) -> Result<serde_json::Value, ApiError>
    where
        R: DeserializeOwned,
        F: FnOnce(
            axum::extract::State<crate::AppState>,
            crate::auth::ApiActor,
            axum::extract::Path<String>,
            crate::body::JsonBody<R>,
        ) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
        T: IntoResponse,
    {
        let (st, path) = (self.st, self.path);
        call_api(
            self.session,
            self.posted,
            fields,
            self.via,
            |a, r: R| async move {
                handler(
                    axum::extract::State(st),
                    crate::auth::ApiActor(a),
                    axum::extract::Path(path),
                    crate::body::JsonBody(r),
                )
                .await
                .map(IntoResponse::into_response)
            },
        )
        .await
    }
}

/// The element id of every field of every form on a page. A field keeps `f-<name>` unless an
/// earlier form on the page has a field of the same name (two forms that each choose a case
/// manager): then it is `f-<form>-<name>`, so that no id is used twice and each label, and each
/// error's link, reaches its own field.
fn field_ids(forms: &[Form]) -> Vec<Vec<String>> {
    let mut used = std::collections::HashSet::new();
    forms
        .iter()
        .map(|form| {
            form.fields
                .iter()
                .map(|f| {
                    let plain = f.id();
                    if used.insert(plain.clone()) {
                        plain
                    } else {
                        let own = format!("f-{}-{}", form.id, plain.trim_start_matches("f-"));
                        used.insert(own.clone());
                        own
                    }
                })
                .collect()
        })
        .collect()
}

/// The answer to a page form: on success a redirect; on invalid input (422) or a conflict (409)
/// the page again with the errors beside the fields; anything else as an error page.
pub async fn answer<P>(
    t: Tr,
    chrome: Chrome,
    result: Result<String, ApiError>,
    form_id: &str,
    posted: &FormFields,
    page: P,
) -> Response
where
    P: Future<Output = Result<Page, ApiError>>,
{
    let (status, errors) = match result {
        Ok(to) => return Redirect::to(&to).into_response(),
        Err(ApiError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(ApiError::Conflict(e)) => (StatusCode::CONFLICT, vec![e]),
        Err(e) => return page_error(t, chrome, e),
    };
    match page.await {
        Ok(p) => p.failed(status, form_id, posted, &errors),
        Err(e) => page_error(t, chrome, e),
    }
}

/// A page form being posted: who posts it, what they sent, the path it was posted to (named in
/// the access log) and the path of the page the form is on (where the language switch leads).
pub struct Posted<'a> {
    pub t: Tr,
    pub session: &'a SessionActor,
    pub fields: &'a FormFields,
    pub action: String,
    pub here: String,
}

/// A page form through its API handler, all the way to the answer: the CSRF check, the call
/// with the form `form_id`'s `fields` (logged as coming from `POST` to the action), then a
/// redirect to `done(answer)` on success, or `page` again with the errors beside the fields.
pub async fn post_form<R, F, Fut, P>(
    p: Posted<'_>,
    (form_id, fields): (&str, &[Field]),
    handler: F,
    done: impl FnOnce(&serde_json::Value) -> String,
    page: P,
) -> Response
where
    R: DeserializeOwned,
    F: FnOnce(Actor, R) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
    P: Future<Output = Result<Page, ApiError>>,
{
    let chrome = Chrome::of(p.session, &p.here);
    if !super::journal::csrf_ok(p.session, p.fields) {
        return super::message(StatusCode::FORBIDDEN, p.t, chrome, "login-csrf");
    }
    let via = format!("POST {}", p.action);
    let result = call_api(p.session, p.fields, fields, via, handler)
        .await
        .map(|v| done(&v));
    answer(p.t, chrome, result, form_id, p.fields, page).await
}

/// Every value of a named enum as `(value, label)`, with a first "choose" option unless required.
pub fn options<T: Copy>(
    t: Tr,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> (&'static str, &'static str),
    choose: Option<&str>,
) -> Vec<(String, String)> {
    choose
        .map(|c| (String::new(), c.to_owned()))
        .into_iter()
        .chain(
            all.iter()
                .map(|v| (name(*v).to_owned(), t.pick(label(*v)).to_owned())),
        )
        .collect()
}

/// A desk page as the answer to its GET: the page, or the error as a page (an id that is not one
/// is "not found").
pub fn shown(t: Tr, chrome: Chrome, page: Result<Page, ApiError>) -> Response {
    match page {
        Ok(p) => p.show(StatusCode::OK),
        Err(ApiError::Invalid(_)) => super::message(StatusCode::NOT_FOUND, t, chrome, "not-found"),
        Err(e) => page_error(t, chrome, e),
    }
}

/// Today (Europe/Stockholm) as a form's default date.
pub fn today() -> String {
    crate::api::today().to_string()
}

/// `choices` after a first empty option labelled `first` ("Choose …", "No unit").
pub fn with_first(
    first: &str,
    choices: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), first.to_owned()))
        .chain(choices)
        .collect()
}

/// The id in a handler's JSON answer.
pub fn id_of(v: &serde_json::Value) -> i64 {
    v["id"].as_i64().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id: &'static str, names: &[&str]) -> Form {
        Form {
            id,
            title: String::new(),
            action: String::new(),
            hint: None,
            fields: names
                .iter()
                .map(|n| Field::new(n, n, Input::Text))
                .collect(),
            submit: String::new(),
        }
    }

    #[test]
    fn a_field_name_used_by_an_earlier_form_gets_an_id_of_its_own() {
        let forms = [
            form("reassign", &["case_manager", "assigned_on"]),
            form("add-manager", &["case_manager", "assigned_on"]),
            form("end-manager", &["case_manager", "unassigned_on"]),
            form("close", &["closed_on", "dotted.name"]),
        ];
        assert_eq!(
            field_ids(&forms),
            [
                vec!["f-case_manager", "f-assigned_on"],
                vec!["f-add-manager-case_manager", "f-add-manager-assigned_on"],
                vec!["f-end-manager-case_manager", "f-unassigned_on"],
                vec!["f-closed_on", "f-dotted-name"],
            ]
        );
    }
}
