//! The unit head's page for a person's data request (GDPR art. 15): everything held about the
//! person, shown for review, where rows or fields about other people are marked and withheld
//! (OSL 26 kap. 1 §) before the extract is made as PDF or JSON. Both the review and the extract
//! are logged (`data_request`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use vaka_domain::access::Action;
use vaka_domain::ids::ClientId;
use vaka_store::AuditAction;

use super::form::FormFields;
use super::journal::{client_id, csrf_ok, page_error};
use super::{Chrome, PageLang, message, render};
use crate::AppState;
use crate::auth::SessionActor;
use crate::error::ApiError;
use crate::extract::{Withhold, compose, heading, pdf};
use crate::i18n::Tr;

pub struct FieldView {
    pub name: String,
    pub value: String,
    /// The withhold key of a free-text field (`contacts.12.note`), which may name someone else.
    pub key: Option<String>,
    pub withheld: bool,
}

pub struct RowView {
    pub key: String,
    pub label: String,
    pub withheld: bool,
    pub fields: Vec<FieldView>,
}

pub struct SectionView {
    pub heading: String,
    pub rows: Vec<RowView>,
}

#[derive(Template)]
#[template(path = "extract.html")]
struct ExtractPage {
    t: Tr,
    chrome: Chrome,
    client_id: i64,
    sections: Vec<SectionView>,
    access: usize,
    error: Option<String>,
}

fn row_id(v: &Value) -> Option<i64> {
    v["id"]
        .as_i64()
        .or_else(|| v["case_id"].as_i64())
        .or_else(|| v["placement_id"].as_i64())
}

fn sections(extract: &Value, chosen: &[String]) -> Vec<SectionView> {
    let empty = serde_json::Map::new();
    let records = extract["records"].as_object().unwrap_or(&empty);
    let mut out = Vec::new();
    for (table, list) in records {
        let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
            continue;
        };
        let rows = list
            .iter()
            .filter_map(|r| {
                let id = row_id(r)?;
                let key = format!("{table}.{id}");
                let fields = r
                    .as_object()?
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(name, v)| {
                        let value = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        // Free text is where other people's names end up.
                        let key = v
                            .as_str()
                            .filter(|s| s.contains(char::is_whitespace))
                            .map(|_| format!("{table}.{id}.{name}"));
                        let withheld = key.as_ref().is_some_and(|k| chosen.contains(k));
                        FieldView {
                            name: name.clone(),
                            value,
                            key,
                            withheld,
                        }
                    })
                    .collect();
                Some(RowView {
                    label: format!("#{id}"),
                    withheld: chosen.contains(&key),
                    key,
                    fields,
                })
            })
            .collect();
        out.push(SectionView {
            heading: heading(table).to_owned(),
            rows,
        });
    }
    out
}

async fn gather(
    st: &AppState,
    session: &SessionActor,
    client: ClientId,
    detail: String,
) -> Result<
    (
        Vec<(&'static str, Vec<String>)>,
        Vec<vaka_store::AuditEntry>,
    ),
    ApiError,
> {
    let mut entry = session
        .actor
        .audit(AuditAction::DataRequest, Some(client), detail);
    let mut tx =
        crate::api::authorised(st, &session.actor, client, Action::Decide, &mut entry).await?;
    let loaded = crate::extract::load(&mut tx, client).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(loaded)
}

/// `GET /clients/{id}/extract`: everything held, for review.
pub async fn review(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/clients/{raw}/extract"));
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let detail = format!("GET /clients/{}/extract (review)", client.0);
    let (rows, log) = match gather(&st, &session, client, detail).await {
        Ok(x) => x,
        Err(e) => return page_error(t, chrome, e),
    };
    let Ok((extract, _)) = compose(client, &rows, &log, &[]) else {
        return message(StatusCode::INTERNAL_SERVER_ERROR, t, chrome, "not-found");
    };
    render(
        StatusCode::OK,
        ExtractPage {
            t,
            chrome,
            client_id: client.0,
            sections: sections(&extract, &[]),
            access: log.len(),
            error: None,
        },
    )
}

/// `POST /clients/{id}/extract`: the extract with what was marked withheld, as PDF or JSON.
pub async fn download(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    form: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/clients/{raw}/extract"));
    if !csrf_ok(&session, &form) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let chosen = form.all("withhold");
    let format = if form.get("format") == Some("json") {
        "json"
    } else {
        "pdf"
    };
    let withhold: Result<Vec<Withhold>, String> = chosen.iter().map(|w| w.parse()).collect();
    let detail = format!(
        "POST /clients/{}/extract format={format}, {} withheld",
        client.0,
        chosen.len()
    );
    let (rows, log) = match gather(&st, &session, client, detail).await {
        Ok(x) => x,
        Err(e) => return page_error(t, chrome, e),
    };
    let composed = withhold.and_then(|w| compose(client, &rows, &log, &w));
    let extract = match composed {
        Ok((extract, _)) => extract,
        Err(e) => {
            // A mark that no longer matches (the file changed meanwhile): show the review again.
            let fresh = compose(client, &rows, &log, &[])
                .map(|x| x.0)
                .unwrap_or_default();
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                ExtractPage {
                    t,
                    chrome,
                    client_id: client.0,
                    sections: sections(&fresh, &chosen),
                    access: log.len(),
                    error: Some(e),
                },
            );
        }
    };
    let (bytes, kind, ext) = if format == "json" {
        (
            serde_json::to_vec_pretty(&extract).unwrap_or_default(),
            "application/json",
            "json",
        )
    } else {
        match pdf(&extract) {
            Ok(b) => (b, "application/pdf", "pdf"),
            Err(e) => {
                tracing::error!(error = %e, "the data request PDF failed");
                return message(StatusCode::INTERNAL_SERVER_ERROR, t, chrome, "not-found");
            }
        }
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"registerutdrag-{}.{ext}\"", client.0),
            ),
        ],
        bytes,
    )
        .into_response()
}
