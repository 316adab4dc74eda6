//! Correcting a client's personal details (`PUT /api/v1/clients/{id}`) and moving a client to
//! another unit (`POST /api/v1/clients/{id}/transfer`) in the browser.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use vaka_domain::client::{Protection, Sex};

use super::desk::{Form, Link, Page, Posted, options, post_form, shown, with_first};
use super::form::{Field, FormFields, Input};
use super::{Chrome, PageLang, display_name};
use crate::AppState;
use crate::api::clients as api;
use crate::auth::{ApiActor, SessionActor};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::i18n::Tr;

fn details_form(t: Tr, id: &str) -> Form {
    Form {
        id: "client",
        title: t.t("c-edit").to_owned(),
        action: format!("/clients/{id}/edit"),
        hint: Some(t.t("c-edit-hint").to_owned()),
        fields: vec![
            Field::new("personal_number", t.t("personal-number"), Input::Text)
                .required()
                .hint(t.t("i-number-hint")),
            Field::new("given_name", t.t("i-given-name"), Input::Text).required(),
            Field::new("family_name", t.t("i-family-name"), Input::Text).required(),
            Field::new(
                "sex",
                t.t("sex"),
                Input::Select(options(
                    t,
                    Sex::ALL,
                    Sex::as_str,
                    Sex::label,
                    Some(t.t("d-choose")),
                )),
            )
            .hint(t.t("c-sex-hint")),
            Field::new(
                "protection",
                t.t("c-protection"),
                Input::Select(options(
                    t,
                    Protection::ALL,
                    Protection::as_str,
                    Protection::label,
                    None,
                )),
            )
            .required(),
            Field::new("address", t.t("address"), Input::Text),
            Field::new("phone", t.t("phone"), Input::Text),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

/// The form filled in with the client as they are now (read through the API: access rules and log).
async fn edit_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<Page, ApiError> {
    let here = format!("/clients/{raw}/edit");
    let user = &session.actor.user;
    let mut actor = session.actor.clone();
    actor.via = Some(format!("GET {here}"));
    let mut tx = st.store.begin_read().await?;
    let id = vaka_domain::ids::ClientId(crate::api::path_id(raw)?);
    let mut entry = actor.audit(
        vaka_store::AuditAction::ClientRead,
        Some(id),
        format!("GET {here}"),
    );
    tx = crate::client_access::authorize(
        tx,
        user,
        id,
        vaka_domain::access::Action::WriteClient,
        &mut entry,
    )
    .await?;
    let client = vaka_store::clients::get(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    if client.protection.is_protected() && !user.may_see_protected {
        return Err(ApiError::Forbidden);
    }
    let name = display_name(&client, user, t);
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        t.t("c-edit"),
        Link::new(
            format!("/clients/{raw}"),
            format!("{} {name}", t.t("d-back-to")),
        ),
    )
    .sub(name);
    let mut form = details_form(t, raw);
    for f in &mut form.fields {
        f.value = match f.name.as_str() {
            "personal_number" => client.personal_number.to_string(),
            "given_name" => client.given_name.clone(),
            "family_name" => client.family_name.clone(),
            "sex" => client.sex.as_str().to_owned(),
            "protection" => client.protection.as_str().to_owned(),
            "address" => client.address.clone().unwrap_or_default(),
            "phone" => client.phone.clone().unwrap_or_default(),
            _ => String::new(),
        };
    }
    page.form(form);
    Ok(page)
}

/// `GET /clients/{id}/edit`.
pub async fn edit_client(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/clients/{raw}/edit"));
    shown(t, chrome, edit_view(&st, &session, t, &raw).await)
}

/// `POST /clients/{id}/edit`: back to the client's page once saved.
pub async fn save_client(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let (st2, path) = (st.clone(), raw.clone());
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: format!("/clients/{raw}/edit"),
            here: format!("/clients/{raw}/edit"),
        },
        details_form(t, &raw).parts(),
        |a, r: api::CreateClientRequest| async move {
            api::update_client(State(st2), ApiActor(a), Path(path), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| format!("/clients/{raw}"),
        edit_view(&st, &session, t, &raw),
    )
    .await
}

// ---------------------------------------------------------------- another unit

/// `units` are the `(id, name)` choices.
fn transfer_form(t: Tr, id: &str, units: Vec<(String, String)>) -> Form {
    let choices = with_first(t.t("d-choose"), units);
    Form {
        id: "transfer",
        title: t.t("c-transfer").to_owned(),
        action: format!("/clients/{id}/transfer"),
        hint: Some(t.t("c-transfer-hint").to_owned()),
        fields: vec![Field::new("unit_id", t.t("c-unit"), Input::SelectId(choices)).required()],
        submit: t.t("c-transfer").to_owned(),
    }
}

async fn transfer_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<Page, ApiError> {
    let here = format!("/clients/{raw}/transfer");
    let user = &session.actor.user;
    let id = vaka_domain::ids::ClientId(crate::api::path_id(raw)?);
    let mut entry = session.actor.audit(
        vaka_store::AuditAction::ClientRead,
        Some(id),
        format!("GET {here}"),
    );
    let mut tx = crate::client_access::authorize(
        st.store.begin_read().await?,
        user,
        id,
        vaka_domain::access::Action::TransferClient,
        &mut entry,
    )
    .await?;
    let client = vaka_store::clients::get(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let units = vaka_store::municipalities::units(&mut tx, user.municipality_id).await?;
    tx.audit(entry);
    tx.commit().await?;
    let name = display_name(&client, user, t);
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        t.t("c-transfer"),
        Link::new(
            format!("/clients/{raw}"),
            format!("{} {name}", t.t("d-back-to")),
        ),
    )
    .sub(name);
    let others = units
        .into_iter()
        .filter(|u| u.id != client.unit_id)
        .map(|u| (u.id.0.to_string(), u.name))
        .collect();
    page.form(transfer_form(t, raw, others));
    Ok(page)
}

/// `GET /clients/{id}/transfer`.
pub async fn transfer_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/clients/{raw}/transfer"));
    shown(t, chrome, transfer_view(&st, &session, t, &raw).await)
}

/// `POST /clients/{id}/transfer`: the unit head's own unit view afterwards (the client has left it).
pub async fn save_transfer(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let (st2, path) = (st.clone(), raw.clone());
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: format!("/clients/{raw}/transfer"),
            here: format!("/clients/{raw}/transfer"),
        },
        transfer_form(t, &raw, Vec::new()).parts(),
        |a, r: api::TransferRequest| async move {
            api::transfer_client(State(st2), ApiActor(a), Path(path), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| "/caseload".to_owned(),
        transfer_view(&st, &session, t, &raw),
    )
    .await
}
