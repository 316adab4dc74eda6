//! The unit head's staff page: the unit's case managers with how many open cases each has (and how
//! many of them have no goal in their plan yet), and
//! handing all of one person's cases to another (`POST /api/v1/users/{username}/handover`). No
//! client is named here, only case numbers, so the pages read no personal data.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use vaka_domain::access::{self, Action};
use vaka_domain::role::{Role, User};

use super::desk::{Form, Link, Page, Posted, Table, post_form, shown, today, with_first};
use super::form::{Field, FormFields, Input};
use super::{Chrome, PageLang};
use crate::AppState;
use crate::api::cases as api;
use crate::auth::{ApiActor, SessionActor};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::i18n::Tr;

/// The unit head's unit, or 403 for anyone else.
fn head_unit(user: &User) -> Result<vaka_domain::ids::UnitId, ApiError> {
    if !access::may_ever(user.role, Action::AssignCase) {
        return Err(ApiError::Forbidden);
    }
    user.unit_id.ok_or(ApiError::Forbidden)
}

/// The unit's users who may have cases, and each one's open cases in the unit.
async fn unit_staff(st: &AppState, user: &User) -> Result<Vec<(User, i64)>, ApiError> {
    let unit = head_unit(user)?;
    let mut tx = st.store.begin_read().await?;
    let list = vaka_store::users::list(&mut tx, user.municipality_id).await?;
    let counts = vaka_store::cases::open_counts_in_unit(&mut tx, unit).await?;
    tx.commit().await?;
    let count = |u: &User| vaka_store::cases::count_for(&counts, u.id);
    Ok(list
        .into_iter()
        .filter(|u| {
            matches!(u.role, Role::CaseManager | Role::UnitHead)
                && (u.unit_id == Some(unit) || count(u) > 0)
        })
        .map(|u| {
            let n = count(&u);
            (u, n)
        })
        .collect())
}

async fn staff_view(st: &AppState, session: &SessionActor, t: Tr) -> Result<Page, ApiError> {
    let staff = unit_staff(st, &session.actor.user).await?;
    // Of each one's open cases, those whose plan has no goal yet: documentation to follow up.
    let mut tx = st.store.begin_read().await?;
    let without_plan =
        vaka_store::cases::without_plan_counts_in_unit(&mut tx, head_unit(&session.actor.user)?)
            .await?;
    tx.commit().await?;
    let mut page = Page::new(
        t,
        Chrome::of(session, "/staff"),
        t.t("s-title"),
        Link::new("/caseload", t.t("s-back")),
    );
    page.desk.notice = Some(t.t("s-hint").to_owned());
    let mut table = Table::new(
        t.t("s-table"),
        &[
            t.t("s-name"),
            t.t("s-username"),
            t.t("s-status"),
            t.t("s-open-cases"),
            t.t("s-without-plan"),
            "",
        ],
    );
    for (u, open) in staff {
        let bare = vaka_store::cases::count_for(&without_plan, u.id);
        let handover = (open > 0).then(|| format!("/staff/{}/handover", u.username));
        table.row(vec![
            (u.display_name.clone(), None),
            (u.username.clone(), None),
            (
                t.t(if u.active { "s-active" } else { "s-inactive" })
                    .to_owned(),
                None,
            ),
            (open.to_string(), None),
            (bare.to_string(), None),
            (
                handover
                    .as_ref()
                    .map_or_else(String::new, |_| t.t("s-hand-over").to_owned()),
                handover,
            ),
        ]);
    }
    page.desk.tables.push(table);
    Ok(page)
}

/// `GET /staff`.
pub async fn staff(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
) -> Response {
    let chrome = Chrome::of(&session, "/staff");
    shown(t, chrome, staff_view(&st, &session, t).await)
}

fn handover_form(t: Tr, username: &str, receivers: Vec<(String, String)>) -> Form {
    Form {
        id: "handover",
        title: t.t("s-hand-over").to_owned(),
        action: format!("/staff/{username}/handover"),
        hint: Some(t.t("s-handover-hint").to_owned()),
        fields: vec![
            Field::new(
                "case_manager",
                t.t("k-new-manager"),
                Input::Select(with_first(t.t("d-choose"), receivers)),
            )
            .required(),
            Field::new("assigned_on", t.t("k-assigned-on"), Input::Date)
                .required()
                .value(today()),
        ],
        submit: t.t("s-hand-over").to_owned(),
    }
}

async fn handover_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    username: &str,
) -> Result<Page, ApiError> {
    let user = &session.actor.user;
    let unit = head_unit(user)?;
    let staff = unit_staff(st, user).await?;
    let Some((leaving, _)) = staff.iter().find(|(u, _)| u.username == username) else {
        return Err(ApiError::NotFound);
    };
    let mut tx = st.store.begin_read().await?;
    let held = vaka_store::cases::open_in_unit_for_manager(&mut tx, leaving.id, unit).await?;
    tx.commit().await?;
    let here = format!("/staff/{username}/handover");
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        t.t("s-hand-over"),
        Link::new("/staff", t.t("s-back-staff")),
    )
    .sub(leaving.display_name.clone());
    let mut table = Table::new(
        t.t("s-cases"),
        &[t.t("s-case"), t.t("s-opened-on"), t.t("s-since")],
    );
    for k in &held {
        table.row(vec![
            (k.id.0.to_string(), Some(format!("/cases/{}", k.id.0))),
            (k.opened_on.to_string(), None),
            (k.assigned_on.to_string(), None),
        ]);
    }
    page.desk.tables.push(table);
    let receivers = staff
        .iter()
        .filter(|(u, _)| u.active && u.id != leaving.id && u.unit_id == Some(unit))
        .map(|(u, _)| (u.username.clone(), u.display_name.clone()))
        .collect();
    if held.is_empty() {
        page.desk.notice = Some(t.t("s-nothing").to_owned());
    } else {
        page.form(handover_form(t, username, receivers));
    }
    Ok(page)
}

/// `GET /staff/{username}/handover`.
pub async fn handover_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(username): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/staff/{username}/handover"));
    shown(t, chrome, handover_view(&st, &session, t, &username).await)
}

/// `POST /staff/{username}/handover`: back to the staff list once done.
pub async fn save_handover(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(username): Path<String>,
    posted: FormFields,
) -> Response {
    let (st2, from) = (st.clone(), username.clone());
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: format!("/staff/{username}/handover"),
            here: format!("/staff/{username}/handover"),
        },
        handover_form(t, &username, Vec::new()).parts(),
        |a, r: api::HandoverRequest| async move {
            api::hand_over_cases(State(st2), ApiActor(a), Path(from), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| "/staff".to_owned(),
        handover_view(&st, &session, t, &username),
    )
    .await
}
