//! The person's objection to a signed journal entry (SoL 11 kap. 6 §) in the browser: the entry as
//! it stands, and a form that sends the objection through
//! `POST /api/v1/clients/{id}/contacts/{contact_id}/objections`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use vaka_domain::access::Action;
use vaka_domain::ids::{ClientId, ContactId};
use vaka_store::{AuditAction, contacts};

use super::desk::{Form, Link, Page, Posted, post_form, shown, today};
use super::form::{Field, FormFields, Input};
use super::{Chrome, PageLang, display_name, label};
use crate::AppState;
use crate::api::contacts as api;
use crate::auth::{ApiActor, SessionActor};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::i18n::Tr;

fn objection_form(t: Tr, action: String) -> Form {
    Form {
        id: "objection",
        title: t.t("o-title").to_owned(),
        action,
        hint: Some(t.t("o-hint").to_owned()),
        fields: vec![
            Field::new("statement", t.t("o-statement"), Input::Area)
                .required()
                .hint(t.t("o-statement-hint")),
            Field::new("received_on", t.t("o-received-on"), Input::Date)
                .required()
                .value(today()),
        ],
        submit: t.t("o-save").to_owned(),
    }
}

/// The entry with its earlier objections, and the form (the entry read through the access rules
/// and logged as a journal read).
async fn objection_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
    raw_contact: &str,
) -> Result<Page, ApiError> {
    let here = format!("/clients/{raw}/contacts/{raw_contact}/objection");
    let user = &session.actor.user;
    let client = ClientId(crate::api::path_id(raw)?);
    let id = ContactId(crate::api::path_id(raw_contact)?);
    let mut entry = session.actor.audit(
        AuditAction::ContactRead,
        Some(client),
        format!("GET {here}"),
    );
    let mut tx = crate::client_access::authorize(
        st.store.begin_read().await?,
        user,
        client,
        Action::WriteClient,
        &mut entry,
    )
    .await?;
    let person = vaka_store::clients::get(&mut tx, client)
        .await?
        .ok_or(ApiError::NotFound)?;
    let contact = contacts::get(&mut tx, id)
        .await?
        .filter(|c| c.client_id == client)
        .ok_or(ApiError::NotFound)?;
    let author = vaka_store::users::get(&mut tx, contact.author_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let earlier = contacts::objections(&mut tx, client, Some(id)).await?;
    entry.case_id = contact.case_id;
    tx.audit(entry);
    tx.commit().await?;
    let name = display_name(&person, user, t);
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        t.t("o-page"),
        Link::new(
            format!("/clients/{raw}#entry-{}", id.0),
            format!("{} {name}", t.t("d-back-to")),
        ),
    )
    .sub(name);
    page.fact(
        t.t("o-entry"),
        format!(
            "{} · {} · {}",
            vaka_domain::time::local_minute(contact.occurred_at),
            label(t, "kind", contact.kind.as_str()),
            author
        ),
    );
    page.fact(
        t.t("substance-use"),
        label(t, "use", contact.substance_use.as_str()),
    );
    page.fact(
        t.t("well-being"),
        contact
            .well_being
            .map_or_else(|| "–".into(), |w| format!("{w}/10")),
    );
    page.fact(
        t.t("housing"),
        label(t, "housing", contact.housing.as_str()),
    );
    if let Some(note) = &contact.note {
        page.fact(t.t("note"), note.clone());
    }
    for o in &earlier {
        page.fact(
            t.t("o-earlier"),
            format!(
                "{} ({}): {}",
                o.objection.received_on, o.display_name, o.objection.statement
            ),
        );
    }
    match contact.takes_objection() {
        Ok(()) => page.form(objection_form(t, here)),
        Err(_) => page.desk.notice = Some(t.t("o-draft").to_owned()),
    }
    Ok(page)
}

/// `GET /clients/{id}/contacts/{contact_id}/objection`.
pub async fn objection_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((raw, raw_contact)): Path<(String, String)>,
) -> Response {
    let chrome = Chrome::of(
        &session,
        &format!("/clients/{raw}/contacts/{raw_contact}/objection"),
    );
    shown(
        t,
        chrome,
        objection_view(&st, &session, t, &raw, &raw_contact).await,
    )
}

/// `POST /clients/{id}/contacts/{contact_id}/objection`: back to the entry on the client's page.
pub async fn save_objection(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((raw, raw_contact)): Path<(String, String)>,
    posted: FormFields,
) -> Response {
    let here = format!("/clients/{raw}/contacts/{raw_contact}/objection");
    let (st2, paths) = (st.clone(), (raw.clone(), raw_contact.clone()));
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: here.clone(),
            here: here.clone(),
        },
        objection_form(t, here).parts(),
        |a, r: api::ObjectionRequest| async move {
            api::create_objection(State(st2), ApiActor(a), Path(paths), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| format!("/clients/{raw}#entry-{raw_contact}"),
        objection_view(&st, &session, t, &raw, &raw_contact),
    )
    .await
}
