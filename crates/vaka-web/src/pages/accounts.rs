//! The administrator's account pages: every account of the municipality, a new account, and one
//! account's changes (name, role, unit, protected identities; a new password; its API tokens;
//! deactivate or activate); and everyone's own page, `/account`, to change their password. Each
//! form goes through `/api/v1/users` or `/api/v1/account/password`. No client is named here.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use vaka_domain::access::Action;
use vaka_domain::role::Role;

use super::desk::{Form, Link, Page, Posted, Table, options, post_form, shown, with_first};
use super::form::{Field, FormFields, Input};
use super::{Chrome, PageLang};
use crate::AppState;
use crate::api::users::{self as api, UserResponse};
use crate::auth::{ApiActor, SessionActor};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::i18n::Tr;

/// The accounts and the units to choose from, or 403 for anyone but an administrator.
async fn accounts(
    st: &AppState,
    session: &SessionActor,
) -> Result<(Vec<UserResponse>, Vec<(String, String)>), ApiError> {
    crate::api::may(&session.actor, Action::ManageUsers)?;
    let list = api::list_users(State(st.clone()), ApiActor(session.actor.clone()))
        .await?
        .0
        .users;
    let mut tx = st.store.begin_read().await?;
    let units = vaka_store::municipalities::units(&mut tx, session.actor.user.municipality_id)
        .await?
        .into_iter()
        .map(|u| (u.id.0.to_string(), u.name))
        .collect();
    tx.commit().await?;
    Ok((list, units))
}

fn role_options(t: Tr, choose: Option<&str>) -> Vec<(String, String)> {
    options(t, Role::ALL, Role::as_str, Role::label, choose)
}

fn state(t: Tr, u: &UserResponse) -> String {
    t.t(if u.active { "s-active" } else { "s-inactive" })
        .to_owned()
}

fn new_form(t: Tr, units: Vec<(String, String)>) -> Form {
    Form {
        id: "new-user",
        title: t.t("u-new").to_owned(),
        action: "/users".into(),
        hint: Some(t.t("u-new-hint").to_owned()),
        fields: vec![
            Field::new("username", t.t("s-username"), Input::Text)
                .required()
                .hint(t.t("u-username-hint")),
            Field::new("display_name", t.t("s-name"), Input::Text).required(),
            Field::new(
                "role",
                t.t("u-role"),
                Input::Select(role_options(t, Some(t.t("d-choose")))),
            )
            .required(),
            Field::new(
                "unit_id",
                t.t("u-unit"),
                Input::SelectId(with_first(t.t("u-no-unit"), units)),
            )
            .hint(t.t("u-unit-hint")),
            Field::new("may_see_protected", t.t("u-protected"), Input::Check),
            Field::new("password", t.t("u-first-password"), Input::Password)
                .required()
                .hint(t.t("u-password-hint")),
        ],
        submit: t.t("u-create").to_owned(),
    }
}

async fn list_view(st: &AppState, session: &SessionActor, t: Tr) -> Result<Page, ApiError> {
    let (list, units) = accounts(st, session).await?;
    let mut page = Page::new(
        t,
        Chrome::of(session, "/users"),
        t.t("u-title"),
        Link::new("/", t.t("u-start")),
    );
    let mut table = Table::new(
        t.t("u-accounts"),
        &[
            t.t("s-name"),
            t.t("s-username"),
            t.t("u-role"),
            t.t("u-unit"),
            t.t("s-status"),
            t.t("s-open-cases"),
        ],
    );
    for u in &list {
        table.row(vec![
            (
                u.display_name.clone(),
                Some(format!("/users/{}", u.username)),
            ),
            (u.username.clone(), None),
            (t.pick(u.role.label()).to_owned(), None),
            (u.unit_name.clone().unwrap_or_default(), None),
            (state(t, u), None),
            (u.open_cases.to_string(), None),
        ]);
    }
    page.desk.tables.push(table);
    // The form comes after a long list: a way to it from the top.
    page.desk
        .links
        .push(Link::new("#new-user", format!("+ {}", t.t("u-new"))));
    page.form(new_form(t, units));
    Ok(page)
}

/// `GET /users`.
pub async fn users(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
) -> Response {
    let chrome = Chrome::of(&session, "/users");
    shown(t, chrome, list_view(&st, &session, t).await)
}

/// `POST /users`: to the new account's page.
pub async fn save_user(
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
            action: "/users".into(),
            here: "/users".into(),
        },
        new_form(t, Vec::new()).parts(),
        |a, r: api::CreateUserRequest| async move {
            api::create_user(State(st2), ApiActor(a), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |v| format!("/users/{}", v["username"].as_str().unwrap_or_default()),
        list_view(&st, &session, t),
    )
    .await
}

fn edit_form(t: Tr, u: &UserResponse, units: Vec<(String, String)>) -> Form {
    Form {
        id: "edit",
        title: t.t("u-edit").to_owned(),
        action: format!("/users/{}", u.username),
        hint: (u.open_cases > 0).then(|| t.t("u-edit-hint").to_owned()),
        fields: vec![
            Field::new("display_name", t.t("s-name"), Input::Text)
                .required()
                .value(&u.display_name),
            Field::new("role", t.t("u-role"), Input::Select(role_options(t, None)))
                .required()
                .value(u.role.as_str()),
            Field::new(
                "unit_id",
                t.t("u-unit"),
                Input::SelectId(with_first(t.t("u-no-unit"), units)),
            )
            .value(u.unit_id.map(|x| x.to_string()).unwrap_or_default()),
            Field::new("may_see_protected", t.t("u-protected"), Input::Check)
                .checked(u.may_see_protected),
        ],
        submit: t.t("u-save").to_owned(),
    }
}

fn password_form(t: Tr, username: &str) -> Form {
    Form {
        id: "password",
        title: t.t("u-new-password").to_owned(),
        action: format!("/users/{username}/password"),
        hint: Some(t.t("u-new-password-hint").to_owned()),
        fields: vec![
            Field::new("password", t.t("u-new-password"), Input::Password)
                .required()
                .hint(t.t("u-password-hint")),
        ],
        submit: t.t("u-set-password").to_owned(),
    }
}

/// Deactivating or activating: a form with no fields, only its button.
fn state_form(t: Tr, u: &UserResponse) -> Form {
    let (id, title, hint) = if u.active {
        ("deactivate", "u-deactivate", "u-deactivate-hint")
    } else {
        ("activate", "u-activate", "u-activate-hint")
    };
    Form {
        id,
        title: t.t(title).to_owned(),
        action: format!("/users/{}/{id}", u.username),
        hint: Some(t.t(hint).to_owned()),
        fields: Vec::new(),
        submit: t.t(title).to_owned(),
    }
}

async fn user_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    username: &str,
) -> Result<Page, ApiError> {
    let (list, units) = accounts(st, session).await?;
    let u = list
        .into_iter()
        .find(|u| u.username == username)
        .ok_or(ApiError::NotFound)?;
    let mut page = Page::new(
        t,
        Chrome::of(session, &format!("/users/{username}")),
        &u.display_name,
        Link::new("/users", t.t("u-title")),
    )
    .sub(u.username.clone());
    page.fact(t.t("u-role"), t.pick(u.role.label()));
    page.fact(t.t("u-unit"), u.unit_name.clone().unwrap_or_default());
    page.fact(t.t("s-status"), state(t, &u));
    page.fact(
        t.t("u-protected"),
        t.t(if u.may_see_protected { "yes" } else { "no" }),
    );
    page.fact(t.t("s-open-cases"), u.open_cases.to_string());
    if u.must_change_password {
        page.fact(t.t("u-password"), t.t("u-password-temporary"));
    }
    if !u.active && u.open_cases > 0 {
        page.desk
            .warnings
            .push(t.t("u-inactive-with-cases").to_owned());
    }
    let live = api::list_tokens(
        State(st.clone()),
        ApiActor(session.actor.clone()),
        Path(u.username.clone()),
    )
    .await?
    .0
    .tokens;
    let mut tokens = Table::new(
        t.t("u-tokens"),
        &[
            t.t("u-token-label"),
            t.t("u-token-created"),
            t.t("u-token-expires"),
        ],
    );
    for k in &live {
        tokens.row(vec![
            (k.label.clone().unwrap_or_default(), None),
            (
                vaka_domain::time::local_date(k.created_at).to_string(),
                None,
            ),
            (
                k.expires_at.map_or_else(
                    || t.t("u-token-never").to_owned(),
                    |e| vaka_domain::time::local_date(e).to_string(),
                ),
                None,
            ),
        ]);
    }
    page.desk.tables.push(tokens);
    page.form(edit_form(t, &u, units));
    page.form(password_form(t, &u.username));
    if !live.is_empty() {
        page.form(Form {
            id: "revoke-tokens",
            title: t.t("u-revoke-tokens").to_owned(),
            action: format!("/users/{}/revoke-tokens", u.username),
            hint: Some(t.t("u-revoke-tokens-hint").to_owned()),
            fields: Vec::new(),
            submit: t.t("u-revoke-tokens").to_owned(),
        });
    }
    page.form(state_form(t, &u));
    Ok(page)
}

/// `GET /users/{username}`.
pub async fn user(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(username): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/users/{username}"));
    shown(t, chrome, user_view(&st, &session, t, &username).await)
}

/// `POST /users/{username}`: the account's changes, back to its page.
pub async fn save_edit(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(username): Path<String>,
    posted: FormFields,
) -> Response {
    // The form's fields as posted; the units only matter for showing the form again.
    let form = edit_form(
        t,
        &UserResponse {
            username: username.clone(),
            display_name: String::new(),
            role: Role::CaseManager,
            unit_id: None,
            unit_name: None,
            active: true,
            may_see_protected: false,
            must_change_password: false,
            open_cases: 0,
        },
        Vec::new(),
    );
    let (st2, name) = (st.clone(), username.clone());
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: format!("/users/{username}"),
            here: format!("/users/{username}"),
        },
        form.parts(),
        |a, r: api::UpdateUserRequest| async move {
            api::update_user(State(st2), ApiActor(a), Path(name), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| format!("/users/{username}"),
        user_view(&st, &session, t, &username),
    )
    .await
}

/// `POST /users/{username}/{action}`: `password`, `revoke-tokens`, `deactivate` or `activate`.
pub async fn user_action(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((username, action)): Path<(String, String)>,
    posted: FormFields,
) -> Response {
    let (st2, name) = (st.clone(), username.clone());
    let p = Posted {
        t,
        session: &session,
        fields: &posted,
        action: format!("/users/{username}/{action}"),
        here: format!("/users/{username}"),
    };
    let back = |_: &serde_json::Value| format!("/users/{username}");
    let page = user_view(&st, &session, t, &username);
    match action.as_str() {
        "password" => {
            post_form(
                p,
                password_form(t, &username).parts(),
                |a, r: api::PasswordRequest| async move {
                    api::set_password(State(st2), ApiActor(a), Path(name), JsonBody(r))
                        .await
                        .map(IntoResponse::into_response)
                },
                back,
                page,
            )
            .await
        }
        "revoke-tokens" => {
            post_form(
                p,
                ("revoke-tokens", &[]),
                |a, _: serde_json::Value| async move {
                    api::revoke_tokens(State(st2), ApiActor(a), Path(name))
                        .await
                        .map(IntoResponse::into_response)
                },
                back,
                page,
            )
            .await
        }
        "deactivate" | "activate" => {
            let active = action == "activate";
            let id = if active { "activate" } else { "deactivate" };
            post_form(
                p,
                (id, &[]),
                |a, _: serde_json::Value| async move {
                    let answer = if active {
                        api::activate_user(State(st2), ApiActor(a), Path(name)).await
                    } else {
                        api::deactivate_user(State(st2), ApiActor(a), Path(name)).await
                    };
                    answer.map(IntoResponse::into_response)
                },
                back,
                page,
            )
            .await
        }
        _ => shown(
            t,
            Chrome::of(&session, &format!("/users/{username}")),
            Err(ApiError::NotFound),
        ),
    }
}

fn own_password_form(t: Tr) -> Form {
    Form {
        id: "own-password",
        title: t.t("u-change-password").to_owned(),
        action: "/account/password".into(),
        hint: Some(t.t("u-change-password-hint").to_owned()),
        fields: vec![
            Field::new(
                "current_password",
                t.t("u-current-password"),
                Input::Password,
            )
            .required(),
            Field::new("new_password", t.t("u-new-password"), Input::Password)
                .required()
                .hint(t.t("u-password-hint")),
            Field::new(
                "new_password_again",
                t.t("u-new-password-again"),
                Input::Password,
            )
            .required(),
        ],
        submit: t.t("u-change-password").to_owned(),
    }
}

#[derive(serde::Deserialize)]
pub struct AccountParams {
    saved: Option<String>,
}

async fn account_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    saved: bool,
) -> Result<Page, ApiError> {
    let user = &session.actor.user;
    let unit = match user.unit_id {
        None => String::new(),
        Some(id) => {
            let mut tx = st.store.begin_read().await?;
            let units = vaka_store::municipalities::units(&mut tx, user.municipality_id).await?;
            tx.commit().await?;
            units
                .into_iter()
                .find(|u| u.id == id)
                .map(|u| u.name)
                .unwrap_or_default()
        }
    };
    let mut page = Page::new(
        t,
        Chrome::of(session, "/account"),
        t.t("u-my-account"),
        Link::new("/", t.t("u-start")),
    )
    .sub(user.display_name.clone());
    page.fact(t.t("s-username"), user.username.clone());
    page.fact(t.t("u-role"), t.pick(user.role.label()));
    page.fact(t.t("u-unit"), unit);
    if saved {
        page.desk.notice = Some(t.t("u-password-changed").to_owned());
    } else if user.must_change_password {
        page.desk.notice = Some(t.t("u-must-change").to_owned());
    }
    page.form(own_password_form(t));
    Ok(page)
}

/// `GET /account`: one's own account and the form to change one's password.
pub async fn account(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    axum::extract::Query(q): axum::extract::Query<AccountParams>,
) -> Response {
    let chrome = Chrome::of(&session, "/account");
    shown(
        t,
        chrome,
        account_view(&st, &session, t, q.saved.is_some()).await,
    )
}

/// `POST /account/password`: this session stays, every other one of the account ends.
pub async fn save_own_password(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    posted: FormFields,
) -> Response {
    let (st2, keep) = (st.clone(), session.session_hash.clone());
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: "/account/password".into(),
            here: "/account".into(),
        },
        own_password_form(t).parts(),
        |a, r: api::OwnPasswordRequest| async move {
            api::own_password(&st2, &a, r, Some(&keep))
                .await
                .map(|()| axum::http::StatusCode::NO_CONTENT.into_response())
        },
        |_| "/account?saved=1".to_owned(),
        account_view(&st, &session, t, false),
    )
    .await
}
