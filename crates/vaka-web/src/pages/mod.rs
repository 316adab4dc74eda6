//! The server-rendered UI: login, caseload, client overview. Swedish first, English by a switch;
//! every form is a plain POST with a CSRF token, so the pages work without JavaScript.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use vaka_domain::access::{self, Action};
use vaka_domain::ids::ClientId;
use vaka_domain::intervention::Intervention;
use vaka_domain::money::Money;
use vaka_domain::role::Role;
use vaka_domain::throttle::KeyKind;
use vaka_store::{AuditAction, NewAuditEntry, cases, clients, history, sessions, throttle, users};

use crate::AppState;
use crate::auth::{self, Actor, NoSession, SESSION_COOKIE, SessionActor};
use crate::client_access::{self, Access};
use crate::i18n::{Lang, Tr};

mod accounts;
mod case;
mod client_edit;
mod decisions;
mod desk;
mod economy;
mod extract;
mod form;
mod journal;
mod objection;
mod outcomes;
mod providers;
mod staff;
mod timeline;

const LANG_COOKIE: &str = "vaka_lang";
const LOGIN_CSRF_COOKIE: &str = "vaka_login_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/caseload", get(caseload))
        .route("/clients/{id}", get(client_page))
        .route(
            "/clients/{id}/transfer",
            get(client_edit::transfer_page).post(client_edit::save_transfer),
        )
        .route(
            "/clients/{id}/edit",
            get(client_edit::edit_client).post(client_edit::save_client),
        )
        .route("/cases/{id}", get(case::case))
        .route("/cases/{id}/plan.pdf", get(case::plan_pdf))
        .route("/staff", get(staff::staff))
        .route("/users", get(accounts::users).post(accounts::save_user))
        .route(
            "/users/{username}",
            get(accounts::user).post(accounts::save_edit),
        )
        .route("/users/{username}/{action}", post(accounts::user_action))
        .route("/account", get(accounts::account))
        .route("/account/password", post(accounts::save_own_password))
        .route(
            "/staff/{username}/handover",
            get(staff::handover_page).post(staff::save_handover),
        )
        .route("/intakes", post(case::save_intake))
        .route("/intakes/new", get(case::new_intake))
        .route("/cases/{id}/{action}", post(case::case_action))
        .route(
            "/clients/{id}/emergency-access",
            post(request_emergency_access),
        )
        .route("/clients/{id}/contacts", post(journal::save_entry))
        .route("/clients/{id}/contacts/new", get(journal::new_entry))
        .route(
            "/clients/{id}/contacts/{contact_id}/edit",
            get(journal::edit_entry),
        )
        .route(
            "/clients/{id}/contacts/{contact_id}/objection",
            get(objection::objection_page).post(objection::save_objection),
        )
        .route(
            "/clients/{id}/assessments",
            get(outcomes::outcomes_page).post(outcomes::save_assessment),
        )
        .route(
            "/clients/{id}/assessments/new",
            get(outcomes::new_assessment),
        )
        .route(
            "/clients/{id}/extract",
            get(extract::review).post(extract::download),
        )
        .route("/clients/{id}/follow-ups", post(outcomes::save_follow_up))
        .route("/clients/{id}/follow-ups/new", get(outcomes::new_follow_up))
        .route("/alerts/{id}/{action}", post(journal::alert_action))
        .route("/economy", get(economy::economy_page))
        .route("/economy/invoices", post(economy::import_invoices))
        .route("/decisions/{id}/letter", get(economy::letter_page))
        .route("/decisions/{id}", get(decisions::decision))
        .route("/decisions/{id}/appeal", post(decisions::save_appeal))
        .route(
            "/decisions/{id}/communication",
            post(decisions::save_communication),
        )
        .route(
            "/decisions/{id}/placements",
            post(decisions::save_placement),
        )
        .route(
            "/decisions/{id}/placements/new",
            get(decisions::new_placement),
        )
        .route("/placements/{id}", get(decisions::placement))
        .route(
            "/placements/{id}/{action}",
            post(decisions::placement_action),
        )
        .route(
            "/clients/{id}/applications",
            post(decisions::save_application),
        )
        .route(
            "/clients/{id}/applications/new",
            get(decisions::new_application),
        )
        .route(
            "/clients/{id}/recommendations",
            post(decisions::save_recommendation),
        )
        .route(
            "/clients/{id}/recommendations/new",
            get(decisions::new_recommendation),
        )
        .route("/clients/{id}/decisions", post(decisions::save_decision))
        .route("/clients/{id}/decisions/new", get(decisions::new_decision))
        .route(
            "/clients/{id}/housing-queue",
            post(decisions::save_queue_entry),
        )
        .route(
            "/clients/{id}/housing-queue/new",
            get(decisions::new_queue_entry),
        )
        .route("/housing-queue/{id}/remove", post(providers::dequeue))
        .route("/providers", post(providers::save_provider))
        .route("/providers/new", get(providers::new_provider))
        .route("/providers/{id}", get(providers::provider))
        .route("/providers/{id}/{action}", post(providers::provider_action))
        .route(
            "/economy/budget/{year}",
            get(providers::budget).post(providers::save_budget),
        )
        .route("/economy/settings", post(providers::save_settings))
        .route("/housing-units", post(providers::save_unit))
        .route("/housing-units/new", get(providers::new_unit))
        .route("/audit", get(audit_page))
        .route("/audit/{id}/review", post(review_entry))
        .route("/lang/{code}", get(set_lang))
        .route("/static/vaka.css", get(css))
        .route("/static/favicon.svg", get(favicon))
        .route("/static/journal.js", get(journal_js))
        .route("/static/letter.css", get(letter_css))
        .route("/static/report.css", get(report_css))
        .route("/reports/committee", get(committee_report))
        .route("/reports/scenario", get(scenario_report))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/static/favicon.svg") }),
        )
}

/// The language chosen by cookie (Swedish by default).
pub struct PageLang(pub Tr);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = auth::cookie(parts, LANG_COOKIE)
            .and_then(Lang::from_code)
            .unwrap_or_default();
        Ok(PageLang(Tr::new(lang)))
    }
}

/// What the page frame shows: who is logged in, the CSRF token for the logout form, where we are.
pub struct Chrome {
    pub user_name: Option<String>,
    pub csrf: String,
    pub here: String,
}

impl Chrome {
    fn anonymous(here: &str) -> Self {
        Self {
            user_name: None,
            csrf: String::new(),
            here: here.to_owned(),
        }
    }
    fn of(s: &SessionActor, here: &str) -> Self {
        Self {
            user_name: Some(s.actor.user.display_name.clone()),
            csrf: s.csrf.clone(),
            here: here.to_owned(),
        }
    }
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            NoSession::Missing => Redirect::to("/login").into_response(),
            NoSession::MustChangePassword => Redirect::to("/account").into_response(),
            NoSession::Failed(e) => e.into_response(),
        }
    }
}

fn render(status: StatusCode, t: impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    t: Tr,
    chrome: Chrome,
    message: &'static str,
}

fn message(status: StatusCode, t: Tr, chrome: Chrome, message: &'static str) -> Response {
    render(status, MessagePage { t, chrome, message })
}

/// Where a role starts: auditors at the log review, administrators at the accounts, everyone
/// else at the client list.
fn start_page(role: Role) -> &'static str {
    match role {
        Role::Auditor => "/audit",
        Role::Admin => "/users",
        _ => "/caseload",
    }
}

async fn home(session: Result<SessionActor, NoSession>) -> Redirect {
    match session {
        Ok(s) => Redirect::to(start_page(s.actor.user.role)),
        Err(NoSession::MustChangePassword) => Redirect::to("/account"),
        Err(_) => Redirect::to("/login"),
    }
}

fn cookie_header(
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<i64>,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or(HeaderValue::from_static(""))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    chrome: Chrome,
    login_csrf: String,
    username: String,
    error: Option<&'static str>,
}

fn login_page(
    st: &AppState,
    t: Tr,
    status: StatusCode,
    username: String,
    error: Option<&'static str>,
) -> Response {
    let token = auth::new_token("");
    let mut res = render(
        status,
        LoginPage {
            t,
            chrome: Chrome::anonymous("/login"),
            login_csrf: token.clone(),
            username,
            error,
        },
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            LOGIN_CSRF_COOKIE,
            &token,
            "/login",
            Some(3600),
            st.config.secure_cookies,
        ),
    );
    res
}

async fn login_form(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: Result<SessionActor, NoSession>,
) -> Response {
    match session {
        Ok(_) => return Redirect::to("/caseload").into_response(),
        Err(NoSession::MustChangePassword) => return Redirect::to("/account").into_response(),
        Err(_) => {}
    }
    login_page(&st, t, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

async fn login(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    parts: LoginParts,
    Form(f): Form<LoginForm>,
) -> Response {
    let username = f.username.trim().to_lowercase();
    if !parts
        .login_csrf
        .as_deref()
        .is_some_and(|c| auth::same_secret(c, &f.csrf))
    {
        return login_page(&st, t, StatusCode::FORBIDDEN, username, Some("login-csrf"));
    }
    let now = vaka_store::now();
    let policy = st.config.throttle;
    let keys: Vec<(KeyKind, String)> =
        std::iter::once((KeyKind::Account, format!("account:{username}")))
            .chain(
                parts
                    .address
                    .iter()
                    .map(|a| (KeyKind::Address, format!("address:{a}"))),
            )
            .collect();
    let result = async {
        let mut tx = st.store.begin().await?;
        let found = users::by_username(&mut tx, &username).await?;
        let (user, hash) = match found {
            Some((u, h)) if u.active => (Some(u), h),
            _ => (None, None),
        };
        let mut entry = NewAuditEntry {
            user_id: user.as_ref().map(|u| u.id),
            username: username.chars().take(64).collect(),
            role: user
                .as_ref()
                .map(|u| u.role.as_str())
                .unwrap_or("")
                .to_owned(),
            client_id: None,
            case_id: None,
            action: AuditAction::LoginFailed,
            detail: "POST /login".into(),
            emergency_reason: None,
            address: parts.address.clone(),
            clients: Vec::new(),
        };
        // While a key waits, the password is not even checked: guessing gains nothing.
        if let Some(until) = auth::throttled_until(&mut tx, &keys, now).await? {
            entry.action = AuditAction::LoginThrottled;
            tx.audit(entry);
            tx.commit().await?;
            return Ok(Login::Throttled((until - now).num_seconds().max(1)));
        }
        let ok = auth::verify_password(hash.as_deref(), &f.password) && user.is_some();
        let outcome = match (ok, user) {
            (true, Some(u)) => {
                throttle::clear(&mut tx, &keys[0].1).await?;
                // A new session id at every login: a planted cookie is worthless (session fixation).
                if let Some(old) = &parts.old_session {
                    sessions::delete(&mut tx, &auth::token_hash(old)).await?;
                }
                let id = auth::new_token("");
                let csrf = auth::new_token("");
                let expires = now
                    + chrono::Duration::from_std(st.config.absolute_timeout)
                        .unwrap_or(chrono::Duration::hours(10));
                sessions::create(&mut tx, &auth::token_hash(&id), u.id, &csrf, expires).await?;
                entry.action = AuditAction::Login;
                Login::Ok(id, u.role)
            }
            _ => {
                auth::count_failure(&mut tx, &policy, &keys, now).await?;
                Login::Failed
            }
        };
        tx.audit(entry);
        tx.commit().await?;
        Ok::<_, vaka_store::StoreError>(outcome)
    }
    .await;
    match result {
        Ok(Login::Ok(id, role)) => {
            let mut res = Redirect::to(start_page(role)).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookie_header(SESSION_COOKIE, &id, "/", None, st.config.secure_cookies),
            );
            h.append(
                header::SET_COOKIE,
                cookie_header(
                    LOGIN_CSRF_COOKIE,
                    "",
                    "/login",
                    Some(0),
                    st.config.secure_cookies,
                ),
            );
            res
        }
        Ok(Login::Failed) => login_page(
            &st,
            t,
            StatusCode::UNAUTHORIZED,
            username,
            Some("login-failed"),
        ),
        Ok(Login::Throttled(seconds)) => {
            let mut res = login_page(
                &st,
                t,
                StatusCode::TOO_MANY_REQUESTS,
                username,
                Some("login-throttled"),
            );
            if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

enum Login {
    Ok(String, Role),
    Failed,
    Throttled(i64),
}

/// What the login handler needs from the request besides the form.
struct LoginParts {
    login_csrf: Option<String>,
    old_session: Option<String>,
    address: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for LoginParts {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(LoginParts {
            login_csrf: auth::cookie(parts, LOGIN_CSRF_COOKIE).map(str::to_owned),
            old_session: auth::cookie(parts, SESSION_COOKIE).map(str::to_owned),
            address: auth::peer_address(parts),
        })
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !auth::same_secret(&session.csrf, &f.csrf) {
        return message(
            StatusCode::FORBIDDEN,
            t,
            Chrome::of(&session, "/"),
            "login-csrf",
        );
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned());
    let result = async {
        let mut tx = st.store.begin().await?;
        if let Some(c) = cookie {
            sessions::delete(&mut tx, &auth::token_hash(&c)).await?;
        }
        tx.audit(
            session
                .actor
                .audit(AuditAction::Logout, None, "POST /logout"),
        );
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        return crate::error::ApiError::from(e).into_response();
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, "", "/", Some(0), st.config.secure_cookies),
    );
    res
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

async fn set_lang(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextParam>,
) -> Response {
    let lang = Lang::from_code(&code).unwrap_or_default();
    // Only a local path: never an open redirect.
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            LANG_COOKIE,
            lang.code(),
            "/",
            Some(365 * 24 * 3600),
            st.config.secure_cookies,
        ),
    );
    res
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/vaka.css"),
    )
}

async fn letter_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/letter.css"),
    )
}

async fn report_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::reports::CSS,
    )
}

#[derive(Deserialize)]
struct PeriodParams {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
    /// A scenario to add at the end: the scenario page's query string.
    scenario: Option<String>,
}

/// `GET /reports/committee?from=&to=`: the committee report as a page (default: the last full
/// calendar year), for unit heads and analysts. Aggregates only; the reading is logged.
async fn committee_report(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Query(q): Query<PeriodParams>,
) -> Response {
    let chrome = Chrome::of(&session, "/reports/committee");
    let actor = &session.actor;
    if !access::may_ever(actor.user.role, Action::ReadAggregates) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    let today = vaka_domain::time::local_date(vaka_store::now());
    let last_year = chrono::Datelike::year(&today) - 1;
    let day = |raw: Option<&str>, default: Option<chrono::NaiveDate>| match raw {
        Some(r) if !r.trim().is_empty() => r.trim().parse::<chrono::NaiveDate>().ok(),
        _ => default,
    };
    let (Some(from), Some(to)) = (
        day(
            q.from.as_deref(),
            chrono::NaiveDate::from_ymd_opt(last_year, 1, 1),
        ),
        day(
            q.to.as_deref(),
            chrono::NaiveDate::from_ymd_opt(last_year, 12, 31),
        ),
    ) else {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            t,
            chrome,
            "report-bad-period",
        );
    };
    if to < from {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            t,
            chrome,
            "report-bad-period",
        );
    }
    let scenario = q.scenario.as_deref().filter(|s| !s.trim().is_empty());
    let choice = match scenario.map(serde_urlencoded::from_str::<crate::scenarios::Choice>) {
        None => None,
        Some(Ok(c)) if crate::scenarios::checked(&c).is_ok() => Some(c),
        Some(_) => {
            return message(
                StatusCode::UNPROCESSABLE_ENTITY,
                t,
                chrome,
                "report-bad-scenario",
            );
        }
    };
    let result = async {
        let mut tx = st.store.begin_read().await?;
        let report =
            crate::reports::committee(&mut tx, actor.user.municipality_id, from, to, today).await?;
        let pathways = match choice {
            Some(_) => {
                Some(crate::scenarios::load(&mut tx, actor.user.municipality_id, today).await?)
            }
            None => None,
        };
        tx.audit(actor.audit(
            AuditAction::MeasuresRead,
            None,
            match scenario {
                Some(s) => format!("GET /reports/committee from={from} to={to} scenario={s}"),
                None => format!("GET /reports/committee from={from} to={to}"),
            },
        ));
        tx.finish_read(&st.store).await?;
        Ok::<_, vaka_store::StoreError>((report, pathways))
    }
    .await;
    let (result, extra, query) = match (result, choice) {
        (Ok((report, Some(pathways))), Some(choice)) => {
            let scenario = scenario.unwrap_or_default().to_owned();
            let run = tokio::task::spawn_blocking(move || {
                crate::scenarios::run(&pathways, &choice, scenario)
                    .map(|page| crate::scenarios::committee_sections(&page, "Scenario: "))
            })
            .await;
            match run {
                Ok(Ok(sections)) => {
                    let query = format!(
                        "from={from}&to={to}&scenario={}",
                        form_urlencoded::byte_serialize(
                            q.scenario.as_deref().unwrap_or("").as_bytes()
                        )
                        .collect::<String>()
                    );
                    (Ok(report), sections, query)
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "scenario in the committee report failed");
                    return message(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        t,
                        chrome,
                        "report-bad-scenario",
                    );
                }
                Err(e) => {
                    tracing::error!(error = %e, "scenario task failed");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            }
        }
        (r, _) => (r.map(|(report, _)| report), Vec::new(), String::new()),
    };
    match result {
        Ok(r) if q.format.as_deref() == Some("pdf") => {
            match crate::reports::committee_pdf(&r, &extra) {
                Ok(pdf) => (
                    [
                        (header::CONTENT_TYPE, "application/pdf"),
                        (
                            header::CONTENT_DISPOSITION,
                            "inline; filename=\"underlag-socialnamnden.pdf\"",
                        ),
                    ],
                    pdf,
                )
                    .into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "report PDF failed");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        Ok(r) => match crate::reports::committee_html(&r, false, &extra, &query) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "report template failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// `GET /reports/scenario?lever=&from=&to=&share=&situation=&price=&years=&outcome=&draws=&seed=`:
/// the municipality's care pathways as a model, "as today" against a lever, with uncertainty
/// (`format=json`: the model file). Unit heads and analysts; aggregates only; the reading is logged.
async fn scenario_report(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(q): Query<crate::scenarios::Choice>,
) -> Response {
    let chrome = Chrome::of(&session, "/reports/scenario");
    let actor = &session.actor;
    if !access::may_ever(actor.user.role, Action::ReadAggregates) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    let today = vaka_domain::time::local_date(vaka_store::now());
    let loaded = async {
        let mut tx = st.store.begin_read().await?;
        let p = crate::scenarios::load(&mut tx, actor.user.municipality_id, today).await?;
        tx.audit(actor.audit(
            AuditAction::MeasuresRead,
            None,
            format!("GET /reports/scenario {}", raw.as_deref().unwrap_or("")),
        ));
        tx.finish_read(&st.store).await?;
        Ok::<_, vaka_store::StoreError>(p)
    }
    .await;
    let pathways = match loaded {
        Ok(p) => p,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let query: String = raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.starts_with("format=") && !kv.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    let render = |page: crate::scenarios::ScenarioPage, status: StatusCode| match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "scenario template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    if query.is_empty() {
        // The first visit: the form and the figures it builds on, nothing run yet.
        let page = crate::scenarios::page(
            t,
            &pathways,
            &q,
            vaka_domain::scenario::pathway::Outcome::StableYears,
            None,
            None,
            query,
        );
        return render(page, StatusCode::OK);
    }
    let (years, outcome, lever, draws, seed) = match crate::scenarios::checked(&q) {
        Ok(c) => c,
        Err(field) => {
            let page = crate::scenarios::page(
                t,
                &pathways,
                &q,
                vaka_domain::scenario::pathway::Outcome::StableYears,
                None,
                Some(format!(
                    "Fältet `{field}` har ett ogiltigt värde. / The field `{field}` has an invalid value."
                )),
                query,
            );
            return render(page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let file = vaka_domain::scenario::pathway::model(
        &pathways.municipality,
        &pathways.estimate,
        &pathways.costs,
        years,
        outcome,
        lever,
    );
    if q.format.as_deref() == Some("json") {
        return (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"vardkedjan.json\"",
                ),
            ],
            serde_json::to_string_pretty(&file).unwrap_or_default(),
        )
            .into_response();
    }
    let run = tokio::task::spawn_blocking(move || {
        let plan =
            vaka_domain::scenario::model::parse(&file.to_string()).map_err(|e| e.to_string())?;
        vaka_domain::scenario::simulate(&plan, Some((draws, seed)), 2, false)
    })
    .await;
    match run {
        Ok(Ok(sim)) if q.format.as_deref() == Some("pdf") => {
            // The PDF is for the committee's papers, in Swedish.
            let sv = crate::i18n::Tr::new(crate::i18n::Lang::Sv);
            let page = crate::scenarios::page(sv, &pathways, &q, outcome, Some(&sim), None, query);
            match crate::scenarios::scenario_pdf(&page) {
                Ok(pdf) => (
                    [
                        (header::CONTENT_TYPE, "application/pdf"),
                        (
                            header::CONTENT_DISPOSITION,
                            "inline; filename=\"scenario.pdf\"",
                        ),
                    ],
                    pdf,
                )
                    .into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "scenario PDF failed");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        Ok(Ok(sim)) => render(
            crate::scenarios::page(t, &pathways, &q, outcome, Some(&sim), None, query),
            StatusCode::OK,
        ),
        Ok(Err(e)) => render(
            crate::scenarios::page(
                t,
                &pathways,
                &q,
                outcome,
                None,
                Some(format!(
                    "Modellen kunde inte räknas / The model could not be run: {e}"
                )),
                query,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => {
            tracing::error!(error = %e, "scenario run failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn journal_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/journal.js"),
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
}

struct CaseloadLine {
    id: i64,
    name: String,
    days_since: String,
    last_status: String,
    intervention: String,
    housing: String,
    alerts: i64,
    /// The unit head's view: who follows the client (or that no one does).
    case_manager: Option<String>,
    unfollowed: bool,
}

/// An application waiting for a decision, in the unit head's view.
struct PendingView {
    client_id: i64,
    client: String,
    intervention: String,
    received_on: String,
    days_waiting: i64,
}

/// An escalated alert in the unit head's view.
struct EscalatedView {
    id: i64,
    client_id: i64,
    client: String,
    rule: String,
    severity: &'static str,
    explanation: String,
    when: String,
}

#[derive(Template)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    t: Tr,
    chrome: Chrome,
    heading: &'static str,
    rows: Vec<CaseloadLine>,
    /// More clients qualified than are shown (the unit head's view).
    more: bool,
    /// The unit head's escalated alerts; `None` on a case manager's caseload.
    escalated: Option<Vec<EscalatedView>>,
    escalated_more: bool,
    /// The unit head's applications waiting for a decision, the longest waiting first.
    pending: Option<Vec<PendingView>>,
    pending_more: bool,
    /// May register a person and open a case (the intake form).
    may_intake: bool,
    /// The unit head's other desks: staff, economy and decisions, the committee report.
    may_lead: bool,
}

/// How many clients and escalated alerts the unit head's view shows.
const UNIT_ROWS: i64 = 200;
const UNIT_ESCALATED: i64 = 100;
const UNIT_PENDING: i64 = 50;

fn intervention_label(t: Tr, name: &str) -> String {
    name.parse::<Intervention>()
        .map(|i| t.pick(i.label()).to_owned())
        .unwrap_or_else(|_| name.to_owned())
}

fn label(t: Tr, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}-{value}");
    let text = t.t(&key);
    if text == key {
        value.to_owned()
    } else {
        text.to_owned()
    }
}

fn display_name(
    c: &vaka_domain::client::Client,
    viewer: &vaka_domain::role::User,
    t: Tr,
) -> String {
    shown_name(&c.given_name, &c.family_name, c.protection, viewer, t)
}

/// A client's name as `viewer` may see it: a protected identity's name only with that right.
fn shown_name(
    given: &str,
    family: &str,
    protection: vaka_domain::client::Protection,
    viewer: &vaka_domain::role::User,
    t: Tr,
) -> String {
    if protection.is_protected() && !viewer.may_see_protected {
        t.t("protected-identity").to_owned()
    } else {
        format!("{given} {family}")
    }
}

async fn caseload(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
) -> Response {
    let chrome = Chrome::of(&session, "/caseload");
    let actor: &Actor = &session.actor;
    let today = vaka_domain::time::local_date(vaka_store::now());
    let result = async {
        // The caseload and the settings need not agree on one snapshot.
        let mut tx = st.store.read_statements().await?;
        // Each row with, in the unit head's view, its case manager's name (`Some(None)`: none).
        let (heading, rows, unit): (_, Vec<(_, Option<Option<String>>)>, _) =
            match (actor.user.role, actor.user.unit_id) {
                (Role::CaseManager, _) => {
                    let rows = clients::caseload(&mut tx, actor.user.id).await?;
                    let rows = rows.into_iter().map(|row| (row, None)).collect();
                    ("caseload", rows, None)
                }
                (Role::UnitHead, Some(unit)) => {
                    let (rows, more) = clients::unit_caseload(&mut tx, unit, UNIT_ROWS).await?;
                    let mut escalated = vaka_store::alerts::escalated_open_in_unit(
                        &mut tx,
                        unit,
                        UNIT_ESCALATED + 1,
                    )
                    .await?;
                    let escalated_more = escalated.len() as i64 > UNIT_ESCALATED;
                    escalated.truncate(UNIT_ESCALATED as usize);
                    let pending =
                        vaka_store::decisions::pending_in_unit(&mut tx, unit, UNIT_PENDING).await?;
                    let rows = rows
                        .into_iter()
                        .map(|u| (u.row, Some(u.case_manager)))
                        .collect();
                    (
                        "unit-clients",
                        rows,
                        Some((more, escalated, escalated_more, pending)),
                    )
                }
                _ => {
                    tx.rollback().await?;
                    return Ok(None);
                }
            };
        let settings =
            vaka_store::settings::alert_settings(&mut tx, actor.user.municipality_id).await?;
        let escalated_clients = unit
            .iter()
            .flat_map(|(_, e, _, _)| e.iter().filter_map(|a| a.alert.client_id));
        let pending_clients = unit
            .iter()
            .flat_map(|(_, _, _, (p, _))| p.iter().map(|a| a.client_id));
        tx.audit(
            actor.audit_list(
                AuditAction::CaseloadRead,
                rows.iter()
                    .map(|r| r.0.client.id)
                    .chain(escalated_clients)
                    .chain(pending_clients),
                "GET /caseload",
            ),
        );
        tx.finish_read(&st.store).await?;
        Ok::<_, vaka_store::StoreError>(Some((heading, rows, settings, unit)))
    }
    .await;
    let (heading, rows, settings, unit) = match result {
        Ok(Some(x)) => x,
        Ok(None) => return message(StatusCode::OK, t, chrome, "role-no-caseload"),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let mut lines: Vec<(_, CaseloadLine)> = rows
        .into_iter()
        .map(|(r, manager)| {
            let days = r
                .last_contact_at
                .map(|at| (today - vaka_domain::time::local_date(at)).num_days());
            let status = match (&r.last_substance_use, r.last_well_being) {
                (Some(u), Some(w)) => {
                    format!("{} · {} {w}/10", label(t, "use", u), t.t("well-being"))
                }
                (Some(u), None) => label(t, "use", u),
                _ => "–".to_owned(),
            };
            let line = CaseloadLine {
                id: r.client.id.0,
                name: display_name(&r.client, &actor.user, t),
                days_since: days.map_or_else(|| t.t("never").to_owned(), |d| d.to_string()),
                last_status: status,
                intervention: r
                    .current_intervention
                    .as_deref()
                    .map_or_else(|| "–".to_owned(), |i| intervention_label(t, i)),
                housing: r
                    .last_housing
                    .as_deref()
                    .map_or_else(|| "–".to_owned(), |h| label(t, "housing", h)),
                alerts: r.open_alerts,
                unfollowed: matches!(manager, Some(None)),
                case_manager: manager
                    .map(|m| m.unwrap_or_else(|| t.t("no-case-manager").to_owned())),
            };
            let need = vaka_domain::caseload::NeedFacts {
                top_severity: r.top_severity,
                days_since_contact: days,
                contact_interval: r
                    .current_intervention
                    .as_deref()
                    .and_then(|i| i.parse::<Intervention>().ok())
                    .and_then(|i| settings.contact_interval(i)),
                last_use: r.last_substance_use.as_deref().and_then(|u| u.parse().ok()),
                last_well_being: r.last_well_being.and_then(|w| u8::try_from(w).ok()),
            };
            (vaka_domain::caseload::need_key(&need), line)
        })
        .collect();
    // Whoever needs the case manager most first (the order is vaka_domain::caseload's).
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let (more, escalated, escalated_more, pending, pending_more) = match unit {
        Some((more, list, escalated_more, (pending, pending_more))) => {
            let list = list
                .into_iter()
                .map(|e| EscalatedView {
                    id: e.alert.id.0,
                    client_id: e.alert.client_id.map_or(0, |c| c.0),
                    client: shown_name(
                        &e.client_given_name,
                        &e.client_family_name,
                        e.client_protection,
                        &actor.user,
                        t,
                    ),
                    rule: label(t, "rule", e.alert.rule.as_str()),
                    severity: e.alert.severity.as_str(),
                    explanation: e.alert.explanation,
                    when: vaka_domain::time::local_minute(e.alert.created_at),
                })
                .collect();
            let pending = pending
                .into_iter()
                .map(|a| PendingView {
                    client_id: a.client_id.0,
                    client: shown_name(&a.given_name, &a.family_name, a.protection, &actor.user, t),
                    intervention: t.pick(a.intervention.label()).to_owned(),
                    received_on: a.received_on.to_string(),
                    days_waiting: (today - a.received_on).num_days(),
                })
                .collect();
            (
                more,
                Some(list),
                escalated_more,
                Some(pending),
                pending_more,
            )
        }
        None => (false, None, false, None, false),
    };
    render(
        StatusCode::OK,
        CaseloadPage {
            t,
            chrome,
            heading,
            rows: lines.into_iter().map(|l| l.1).collect(),
            more,
            escalated,
            escalated_more,
            pending,
            pending_more,
            may_intake: case::may_intake(&actor.user),
            may_lead: access::may_ever(actor.user.role, Action::AssignCase),
        },
    )
}

struct ClientView {
    name: String,
    protected: bool,
    personal_number: String,
    birth_date: String,
    sex: String,
    address: Option<String>,
    phone: Option<String>,
}

struct CaseView {
    id: i64,
    opened_on: String,
    status: String,
    managers: String,
    /// "closed on · reason", empty while open.
    closure: String,
}

struct ContactView {
    id: i64,
    /// The author's own draft: it can be continued.
    mine_draft: bool,
    signed: bool,
    corrects: Option<i64>,
    substances: String,
    /// The risks reported, as labels, comma-separated; empty when none.
    risks: String,
    /// The plan goal the contact served, as "life area: goal".
    plan_goal: Option<String>,
    when: String,
    kind: String,
    use_code: String,
    use_label: String,
    well_being: String,
    housing: String,
    note: Option<String>,
    author: String,
    draft: bool,
    /// The person's objections: (received on · recorded by, what they said).
    objections: Vec<(String, String)>,
}

struct PlacementView {
    id: i64,
    intervention: String,
    provider: String,
    period: String,
    price: String,
    end_reason: String,
}

struct AlertView {
    id: i64,
    resolution: Option<String>,
    rule: String,
    severity: &'static str,
    explanation: String,
    when: String,
    acknowledged: bool,
}

#[derive(Template)]
#[template(path = "client.html")]
struct ClientPage {
    id: i64,
    /// Writing is allowed (not through emergency access, which only reads).
    may_write: bool,
    /// The unit head may decide (and so start a placement) for this client.
    may_decide: bool,
    periods: Vec<(i64, bool)>,
    chart: timeline::Chart,
    chart_width: f64,
    well_being_rows: Vec<(String, String, String)>,
    alert_history: Vec<AlertView>,
    alerts: Vec<AlertView>,
    /// Shown when the page is open through emergency access: the reason given.
    emergency: Option<String>,
    t: Tr,
    chrome: Chrome,
    c: ClientView,
    cases: Vec<CaseView>,
    contacts: Vec<ContactView>,
    placements: Vec<PlacementView>,
    decisions: Vec<DecisionView>,
}

struct DecisionView {
    id: i64,
    decided_on: String,
    intervention: String,
    outcome: String,
    /// What it departs from, empty when nothing.
    departs: String,
    appeal: String,
}

/// Handled alerts shown (and marked on the timeline) on the client page, newest first.
const RESOLVED_SHOWN: i64 = 50;

#[derive(Deserialize)]
struct ClientParams {
    days: Option<String>,
}

async fn client_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Query(q): Query<ClientParams>,
) -> Response {
    let days: i64 = match q.days.as_deref() {
        Some("30") => 30,
        Some("365") => 365,
        _ => 90,
    };
    let now = vaka_store::now();
    let today = vaka_domain::time::local_date(now);
    let window_start = today - chrono::Duration::days(days - 1);
    let here = format!("/clients/{raw}");
    let chrome = Chrome::of(&session, &here);
    let Some(id) = raw.parse::<i64>().ok().filter(|n| *n > 0).map(ClientId) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let actor = &session.actor;
    let session_role = actor.user.role;
    let result = async {
        // Each read on its own (no BEGIN/ROLLBACK): the page's parts need not share a snapshot.
        let mut tx = st.store.read_statements().await?;
        let mut entry = actor.audit(
            AuditAction::ClientRead,
            Some(id),
            format!("GET /clients/{}", id.0),
        );
        let emergency =
            match client_access::check(&mut tx, &actor.user, id, Action::ReadClient).await? {
                // Unknown and refused look the same, so that the page does not tell who exists.
                Access::NotFound => {
                    tx.rollback().await?;
                    return Ok(None);
                }
                Access::Denied => {
                    entry.action = AuditAction::AccessDenied;
                    tx.audit(entry);
                    tx.finish_read(&st.store).await?;
                    return Ok(None);
                }
                Access::Allowed { emergency_reason } => {
                    entry.emergency_reason = emergency_reason.clone();
                    emergency_reason
                }
            };
        let Some(client) = clients::get(&mut tx, id).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let (case_list, names) = cases::for_client_named(&mut tx, id).await?;
        let contacts = history::recent_contacts(&mut tx, id, 30).await?;
        let objections = vaka_store::contacts::objections(&mut tx, id, None).await?;
        let placements = history::placements(&mut tx, id).await?;
        let decision_list = vaka_store::decisions::decisions_for(&mut tx, id).await?;
        let open_alerts = vaka_store::alerts::for_client(&mut tx, id, None).await?;
        let since = window_start
            .and_hms_opt(0, 0, 0)
            .map_or(now, |d| d.and_utc() - chrono::Duration::hours(2));
        let resolved_alerts =
            vaka_store::alerts::resolved_since(&mut tx, id, since, RESOLVED_SHOWN).await?;
        let points = vaka_store::alerts::journal_facts(&mut tx, id, since).await?;
        tx.audit(entry);
        tx.finish_read(&st.store).await?;
        Ok::<_, vaka_store::StoreError>(Some((
            client,
            case_list,
            (contacts, objections),
            placements,
            names,
            emergency,
            open_alerts,
            resolved_alerts,
            points,
            decision_list,
        )))
    }
    .await;
    let (
        client,
        case_list,
        (contacts, objections),
        placements,
        names,
        emergency,
        open_alerts,
        resolved_alerts,
        points,
        decision_list,
    ) = match result {
        Ok(Some(x)) => x,
        Ok(None) => {
            return render(
                StatusCode::NOT_FOUND,
                NoAccessPage {
                    t,
                    chrome,
                    id: id.0,
                    may_request: access::may_request_emergency_access(actor.user.role),
                    error: None,
                    reason: String::new(),
                },
            );
        }
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let hide = client.protection.is_protected() && !actor.user.may_see_protected;
    let c = ClientView {
        name: display_name(&client, &actor.user, t),
        protected: client.protection.is_protected(),
        personal_number: client.personal_number.to_string(),
        birth_date: client.birth_date.to_string(),
        sex: t.pick(client.sex.label()).to_owned(),
        address: if hide { None } else { client.address.clone() },
        phone: if hide { None } else { client.phone.clone() },
    };
    let name_of = |id: i64| {
        names
            .iter()
            .find(|(u, _)| u.0 == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let cases = case_list
        .iter()
        .map(|k| CaseView {
            id: k.id.0,
            closure: match (k.closed_on, k.closure_reason) {
                (Some(d), Some(r)) => format!("{d} · {}", t.pick(r.label())),
                (Some(d), None) => d.to_string(),
                _ => String::new(),
            },
            opened_on: k.opened_on.to_string(),
            status: label(t, "status", k.status.as_str()),
            managers: k
                .case_managers
                .iter()
                .map(|u| name_of(u.0))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let me = actor.user.id.0;
    let contacts = contacts
        .into_iter()
        .map(|x| ContactView {
            id: x.id,
            mine_draft: x.status == "draft" && x.author_id == me,
            signed: x.status == "signed",
            corrects: x.corrects,
            substances: x
                .substances
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| label(t, "substance", s))
                .collect::<Vec<_>>()
                .join(", "),
            risks: x
                .risks
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| label(t, "risk", s))
                .collect::<Vec<_>>()
                .join(", "),
            plan_goal: x.plan_goal.map(|(area, goal)| {
                let area = area
                    .parse::<vaka_domain::plan::LifeArea>()
                    .map_or(area.clone(), |a| t.pick(a.label()).to_owned());
                format!("{area}: {goal}")
            }),
            when: vaka_domain::time::local_minute(x.occurred_at),
            kind: label(t, "kind", &x.kind),
            use_label: label(t, "use", &x.substance_use),
            use_code: x.substance_use,
            well_being: x
                .well_being
                .map_or_else(|| "–".into(), |w| format!("{w}/10")),
            housing: label(t, "housing", &x.housing),
            note: x.note,
            author: x.author,
            draft: x.status == "draft",
            objections: objections
                .iter()
                .filter(|o| o.objection.contact_id.0 == x.id)
                .map(|o| {
                    (
                        format!("{} · {}", o.objection.received_on, o.display_name),
                        o.objection.statement.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    let placements_raw = placements;
    let placements = placements_raw
        .iter()
        .map(|p| PlacementView {
            id: p.id,
            intervention: intervention_label(t, &p.intervention),
            provider: p.provider.clone().unwrap_or_else(|| "–".into()),
            period: format!(
                "{} – {}",
                p.start,
                p.end
                    .map_or_else(|| t.t("ongoing").to_owned(), |e| e.to_string())
            ),
            price: Money(p.daily_price_ore).to_string(),
            end_reason: p
                .end_reason
                .as_deref()
                .map_or_else(|| "–".into(), |r| label(t, "end", r)),
        })
        .collect();
    let alert_view = |a: vaka_domain::alert::Alert| AlertView {
        id: a.id.0,
        resolution: a.resolution_note.clone().map(|n| {
            format!(
                "{} {}: {n}",
                t.t("resolved"),
                a.resolved_at
                    .map(vaka_domain::time::local_minute)
                    .unwrap_or_default()
            )
        }),
        rule: label(t, "rule", a.rule.as_str()),
        severity: a.severity.as_str(),
        explanation: a.explanation,
        when: vaka_domain::time::local_minute(a.created_at),
        acknowledged: a.status == vaka_domain::alert::AlertStatus::Acknowledged,
    };
    let marks: Vec<timeline::Mark> = open_alerts
        .iter()
        .chain(resolved_alerts.iter())
        .filter(|a| vaka_domain::time::local_date(a.created_at) >= window_start)
        .map(|a| timeline::Mark {
            at: a.created_at,
            label: label(t, "rule", a.rule.as_str()),
            resolved: a.status == vaka_domain::alert::AlertStatus::Resolved,
        })
        .collect();
    let chart_points: Vec<timeline::Point> = points
        .iter()
        .map(|p| timeline::Point {
            at: p.occurred_at,
            well_being: p.well_being,
            substance_use: p.substance_use.as_str().to_owned(),
        })
        .collect();
    let spans: Vec<timeline::Span> = placements_raw
        .iter()
        .map(|p| timeline::Span {
            start: p.start,
            end: p.end,
            label: intervention_label(t, &p.intervention),
        })
        .collect();
    let chart = timeline::layout(window_start, today, &chart_points, &spans, &marks);
    let well_being_rows = points
        .iter()
        .rev()
        .map(|p| {
            (
                vaka_domain::time::local_minute(p.occurred_at),
                p.well_being
                    .map_or_else(|| "–".to_owned(), |w| format!("{w}/10")),
                label(t, "use", p.substance_use.as_str()),
            )
        })
        .collect();
    let alerts = open_alerts.into_iter().map(alert_view).collect();
    let alert_history = resolved_alerts.into_iter().map(alert_view).collect();
    render(
        StatusCode::OK,
        ClientPage {
            id: id.0,
            may_write: emergency.is_none(),
            may_decide: emergency.is_none() && access::may_ever(session_role, Action::Decide),
            periods: [30, 90, 365].iter().map(|d| (*d, *d == days)).collect(),
            chart,
            chart_width: timeline::WIDTH,
            well_being_rows,
            alert_history,
            alerts,
            emergency,
            t,
            chrome,
            c,
            cases,
            contacts,
            placements,
            decisions: decision_list
                .iter()
                .map(|d| DecisionView {
                    id: d.id.0,
                    decided_on: d.decided_on.to_string(),
                    intervention: t.pick(d.intervention.label()).to_owned(),
                    outcome: t.pick(d.outcome.label()).to_owned(),
                    departs: [
                        d.departs_from_application.then(|| t.t("e-the-application")),
                        d.departs_from_recommendation
                            .then(|| t.t("e-the-recommendation")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                    appeal: {
                        let (sv, en) = d.appeal_status(today).label();
                        t.pick((&sv, &en)).to_owned()
                    },
                })
                .collect(),
        },
    )
}

#[derive(Template)]
#[template(path = "no_access.html")]
struct NoAccessPage {
    t: Tr,
    chrome: Chrome,
    id: i64,
    may_request: bool,
    error: Option<String>,
    reason: String,
}

#[derive(Deserialize)]
struct EmergencyForm {
    csrf: String,
    reason: String,
}

async fn request_emergency_access(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Form(f): Form<EmergencyForm>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/clients/{raw}"));
    if !auth::same_secret(&session.csrf, &f.csrf) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let Some(id) = raw.parse::<i64>().ok().filter(|n| *n > 0) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    match crate::api::grant_emergency(&st, &session.actor, ClientId(id), &f.reason).await {
        Ok(_) => Redirect::to(&format!("/clients/{id}")).into_response(),
        Err(crate::error::ApiError::Invalid(errors)) => {
            let error = errors.first().map(|e| {
                t.pick((e.message.sv.as_str(), e.message.en.as_str()))
                    .to_owned()
            });
            let page = NoAccessPage {
                t,
                chrome,
                id,
                may_request: true,
                error,
                reason: f.reason,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(crate::error::ApiError::Forbidden) => {
            message(StatusCode::FORBIDDEN, t, chrome, "forbidden")
        }
        Err(crate::error::ApiError::NotFound) => {
            message(StatusCode::NOT_FOUND, t, chrome, "not-found")
        }
        Err(e) => e.into_response(),
    }
}

struct AuditView {
    id: i64,
    when: String,
    username: String,
    role: String,
    address: Option<String>,
    action: String,
    client_id: Option<i64>,
    client_ids: Vec<i64>,
    detail: String,
    emergency_reason: Option<String>,
    flags: Vec<String>,
    review: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    chrome: Chrome,
    username: String,
    client_id: String,
    from: String,
    to: String,
    flagged: bool,
    error: Option<String>,
    lines: Vec<AuditView>,
    period_truncated: bool,
}

async fn audit_page(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Query(p): Query<crate::api::audit::AuditParams>,
) -> Response {
    let chrome = Chrome::of(&session, "/audit");
    let (lines, period_truncated, error, status) =
        match crate::api::audit::review_lines(&st, &session.actor, &p, "GET /audit".into()).await {
            Ok(list) => (list.items, list.period_truncated, None, StatusCode::OK),
            Err(crate::error::ApiError::Forbidden) => {
                return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
            }
            Err(crate::error::ApiError::Invalid(errors)) => {
                let e = errors.first().map(|e| {
                    format!(
                        "{}: {}",
                        e.field,
                        t.pick((e.message.sv.as_str(), e.message.en.as_str()))
                    )
                });
                (Vec::new(), false, e, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => return e.into_response(),
        };
    let lines = lines
        .into_iter()
        .map(|l| AuditView {
            id: l.id,
            when: vaka_domain::time::local_minute(l.logged_at),
            username: l.username,
            role: l.role,
            address: l.address,
            action: l.action,
            client_id: l.client_id,
            client_ids: l.client_ids,
            detail: l.detail,
            emergency_reason: l.emergency_reason,
            flags: l
                .flags
                .iter()
                .map(|f| label(t, "flag", f.as_str()))
                .collect(),
            review: l.review.map(|r| {
                format!(
                    "{} {} – {}",
                    r.reviewed_by,
                    vaka_domain::time::local_minute(r.reviewed_at),
                    r.comment
                )
            }),
        })
        .collect();
    let page = AuditPage {
        t,
        chrome,
        username: p.username.clone().unwrap_or_default(),
        client_id: p.client_id.clone().unwrap_or_default(),
        from: p.from.clone().unwrap_or_default(),
        to: p.to.clone().unwrap_or_default(),
        flagged: matches!(p.flagged.as_deref(), Some("true" | "1" | "on")),
        error,
        lines,
        period_truncated,
    };
    render(status, page)
}

#[derive(Deserialize)]
struct ReviewForm {
    csrf: String,
    comment: String,
}

async fn review_entry(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let chrome = Chrome::of(&session, "/audit");
    if !auth::same_secret(&session.csrf, &f.csrf) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    match crate::api::audit::record_review(&st, &session.actor, &raw, &f.comment).await {
        Ok(_) | Err(crate::error::ApiError::Conflict(_)) => {
            Redirect::to("/audit?flagged=true").into_response()
        }
        Err(crate::error::ApiError::Forbidden) => {
            message(StatusCode::FORBIDDEN, t, chrome, "forbidden")
        }
        Err(crate::error::ApiError::NotFound) => {
            message(StatusCode::NOT_FOUND, t, chrome, "not-found")
        }
        Err(crate::error::ApiError::Invalid(_)) => {
            Redirect::to("/audit?flagged=true").into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_value_shown_in_the_ui_has_a_label_in_both_languages() {
        use vaka_domain::contact::{ContactKind, Housing, SubstanceUse};
        use vaka_domain::placement::EndReason;
        for lang in [Lang::Sv, Lang::En] {
            let t = Tr::new(lang);
            let mut keys: Vec<String> = Vec::new();
            keys.extend(SubstanceUse::ALL.iter().map(|v| format!("use-{v}")));
            keys.extend(Housing::ALL.iter().map(|v| format!("housing-{v}")));
            keys.extend(ContactKind::ALL.iter().map(|v| format!("kind-{v}")));
            keys.extend(EndReason::ALL.iter().map(|v| format!("end-{v}")));
            keys.extend(
                vaka_domain::review::Flag::ALL
                    .iter()
                    .map(|v| format!("flag-{v}")),
            );
            keys.extend(
                vaka_domain::alert::AlertRule::ALL
                    .iter()
                    .map(|v| format!("rule-{v}")),
            );
            for k in keys {
                assert_ne!(t.t(&k), k, "{lang:?} lacks {k}");
            }
        }
    }
}
