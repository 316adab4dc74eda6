//! `/api/v1/users`: staff accounts, for administrators (`Action::ManageUsers`). List them, create
//! one, change its name, role, unit or right to see protected identities, deactivate and activate
//! it, and set a new password. Each change is one transaction with its access-log entry; ending an
//! account ends its sessions and revokes its tokens in the same transaction.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::Action;
use vaka_domain::error::collect;
use vaka_domain::ids::{UnitId, UserId};
use vaka_domain::role::{Account, AccountInput, Role, User, parse_username};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, Tx, cases, municipalities, sessions, tokens, users};

use super::may;
use crate::AppState;
use crate::auth::{self, Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Default, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    /// 2–64 characters `a-z 0-9 . _ -`, starting with a letter; never changes.
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// `case_manager`, `unit_head`, `admin`, `analyst` or `auditor`.
    pub role: Option<String>,
    /// The unit; required for case managers and unit heads.
    pub unit_id: Option<i64>,
    /// May see names and addresses of clients with protected identity (roles that read clients).
    pub may_see_protected: Option<bool>,
    /// The first password: at least 12 characters, not a common one.
    pub password: Option<String>,
}

/// What to change; a field left out stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub unit_id: Option<i64>,
    pub may_see_protected: Option<bool>,
}

#[derive(Default, Deserialize, ToSchema)]
pub struct PasswordRequest {
    /// At least 12 characters, not a common one.
    pub password: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserResponse {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub active: bool,
    pub may_see_protected: bool,
    /// The password was set by an administrator and not yet changed by its owner.
    pub must_change_password: bool,
    /// Open cases the account is a current case manager of.
    pub open_cases: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    /// Every account of the municipality, by username.
    pub users: Vec<UserResponse>,
}

/// The municipality's units as `(id, name)`.
async fn unit_names(tx: &mut Tx, actor: &Actor) -> Result<Vec<(UnitId, String)>, ApiError> {
    Ok(municipalities::units(tx, actor.user.municipality_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

fn response(user: User, units: &[(UnitId, String)], open_cases: i64) -> UserResponse {
    UserResponse {
        unit_name: units
            .iter()
            .find(|(id, _)| Some(*id) == user.unit_id)
            .map(|(_, n)| n.clone()),
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        unit_id: user.unit_id.map(|u| u.0),
        active: user.active,
        may_see_protected: user.may_see_protected,
        must_change_password: user.must_change_password,
        open_cases,
    }
}

/// The account `username` of the actor's municipality, or 404.
pub(crate) async fn account(tx: &mut Tx, actor: &Actor, username: &str) -> Result<User, ApiError> {
    if !vaka_domain::role::valid_username(username) {
        return Err(ApiError::NotFound);
    }
    users::by_username(tx, username)
        .await?
        .map(|(u, _)| u)
        .filter(|u| u.municipality_id == actor.user.municipality_id)
        .ok_or(ApiError::NotFound)
}

/// The account as answered, read back inside the transaction that changed it.
async fn answer(tx: &mut Tx, actor: &Actor, id: UserId) -> Result<UserResponse, ApiError> {
    let user = users::get(tx, id).await?.ok_or(ApiError::NotFound)?;
    let open = cases::open_for_manager(tx, id).await?.len() as i64;
    let units = unit_names(tx, actor).await?;
    Ok(response(user, &units, open))
}

/// A unit id as sent: one of the municipality's units, or 422 on `unit_id`.
fn known_unit(
    raw: Option<i64>,
    units: &[(UnitId, String)],
    errors: &mut Vec<FieldError>,
) -> Option<UnitId> {
    let id = raw?;
    let found = units.iter().find(|(u, _)| u.0 == id).map(|(u, _)| *u);
    if found.is_none() {
        errors.push(FieldError::new(
            "unit_id",
            "unknown_unit",
            Msg::new("Enheten finns inte.", "There is no such unit."),
        ));
    }
    found
}

/// A new password in `password`, checked against the rules (the error added to `errors`).
fn new_password<'a>(raw: Option<&'a str>, errors: &mut Vec<FieldError>) -> Option<&'a str> {
    let Some(password) = raw.filter(|p| !p.is_empty()) else {
        errors.push(FieldError::required("password"));
        return None;
    };
    collect(auth::check_new_password("password", password), errors).map(|()| password)
}

/// The password's hash, computed off the async threads (argon2 takes a while on purpose).
async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
}

fn own_account() -> ApiError {
    ApiError::Conflict(FieldError::new(
        "",
        "own_account",
        Msg::new(
            "Du kan inte ta bort din egen behörighet. Be en annan administratör.",
            "You cannot remove your own access. Ask another administrator.",
        ),
    ))
}

/// Every account of the municipality, with its unit and its open cases.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<UserList>, ApiError> {
    may(&actor, Action::ManageUsers)?;
    let mut tx = st.store.begin_read().await?;
    let list = users::list(&mut tx, actor.user.municipality_id).await?;
    let counts = cases::open_counts(&mut tx, actor.user.municipality_id).await?;
    let units = unit_names(&mut tx, &actor).await?;
    tx.commit().await?;
    Ok(Json(UserList {
        users: list
            .into_iter()
            .map(|u| {
                let n = cases::count_for(&counts, u.id);
                response(u, &units, n)
            })
            .collect(),
    }))
}

/// Create an account with its first password, which its owner must change at the first login. A
/// taken username is 409 `already_exists`.
#[utoipa::path(post, path = "/api/v1/users", request_body = CreateUserRequest, tag = "users",
    responses((status = 201, body = UserResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The username is taken"), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<CreateUserRequest>,
) -> Result<impl IntoResponse, ApiError> {
    may(&actor, Action::ManageUsers)?;
    let mut errors = Vec::new();
    let username = collect(
        parse_username("username", req.username.as_deref()),
        &mut errors,
    );
    let units = {
        let mut tx = st.store.begin_read().await?;
        let units = unit_names(&mut tx, &actor).await?;
        tx.commit().await?;
        units
    };
    let mut unit_errors = Vec::new();
    let unit = known_unit(req.unit_id, &units, &mut unit_errors);
    let account = Account::parse_new(&AccountInput {
        display_name: req.display_name.as_deref(),
        role: req.role.as_deref(),
        unit_id: unit,
        may_see_protected: req.may_see_protected,
    });
    // An unknown unit is the error to show, not "required".
    let account = match account {
        Ok(a) => Some(a),
        Err(es) => {
            errors.extend(
                es.into_iter()
                    .filter(|e| unit_errors.is_empty() || e.field != "unit_id"),
            );
            None
        }
    };
    errors.extend(unit_errors);
    let password = new_password(req.password.as_deref(), &mut errors);
    let (Some(username), Some(account), Some(password), true) =
        (username, account, password, errors.is_empty())
    else {
        return Err(ApiError::Invalid(errors));
    };
    // Hashed only once everything else is right: a refused form costs no argon2 run.
    let hash = hash(password).await?;
    let mut tx = st.store.begin().await?;
    let id = users::create(
        &mut tx,
        &users::NewUser {
            municipality_id: actor.user.municipality_id,
            unit_id: account.unit_id,
            username: &username,
            display_name: &account.display_name,
            role: account.role,
            password_hash: None,
            may_see_protected: account.may_see_protected,
        },
    )
    .await?;
    // The administrator knows this password: its owner changes it at the first login.
    users::set_password_hash(&mut tx, id, &hash, true).await?;
    tx.audit(actor.audit(
        AuditAction::UserCreate,
        None,
        format!(
            "POST /api/v1/users {username} role={} unit={} may_see_protected={}",
            account.role,
            account.unit_id.map_or_else(|| "-".to_owned(), |u| u.0.to_string()),
            account.may_see_protected
        ),
    ));
    let body = answer(&mut tx, &actor, id).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/users/{username}"))],
        Json(body),
    ))
}

/// Change an account's name, role, unit or right to see protected identities. An account that is
/// still the case manager of open cases keeps its unit and a role that works in one until they
/// are handed over (409 `has_open_cases`); no one changes their own role (409 `own_account`).
#[utoipa::path(patch, path = "/api/v1/users/{username}", request_body = UpdateUserRequest, tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = UserResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(username): Path<String>,
    JsonBody(req): JsonBody<UpdateUserRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    may(&actor, Action::ManageUsers)?;
    let mut tx = st.store.begin().await?;
    let user = account(&mut tx, &actor, &username).await?;
    let units = unit_names(&mut tx, &actor).await?;
    let mut errors = Vec::new();
    let unit = known_unit(req.unit_id, &units, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let before = Account::of(&user);
    let after = before
        .changed(&AccountInput {
            display_name: req.display_name.as_deref(),
            role: req.role.as_deref(),
            unit_id: unit,
            may_see_protected: req.may_see_protected,
        })
        .map_err(ApiError::Invalid)?;
    if user.id == actor.user.id && after.role != before.role {
        return Err(own_account());
    }
    let open = cases::open_for_manager(&mut tx, user.id).await?.len();
    let leaves_cases = after.unit_id != before.unit_id || !after.role.works_in_unit();
    if open > 0 && leaves_cases {
        return Err(ApiError::Conflict(FieldError::new(
            if after.unit_id != before.unit_id {
                "unit_id"
            } else {
                "role"
            },
            "has_open_cases",
            Msg::new(
                format!(
                    "{} är handläggare för {open} öppna ärenden. Lämna över dem först (Personal och ärenden).",
                    user.display_name
                ),
                format!(
                    "{} is the case manager of {open} open cases. Hand them over first (Staff and cases).",
                    user.display_name
                ),
            ),
        )));
    }
    let mut changed = Vec::new();
    if after.display_name != before.display_name {
        changed.push("display_name".to_owned());
    }
    if after.role != before.role {
        changed.push(format!("role={}", after.role));
    }
    if after.unit_id != before.unit_id {
        changed.push(format!(
            "unit={}",
            after
                .unit_id
                .map_or_else(|| "-".to_owned(), |u| u.0.to_string())
        ));
    }
    if after.may_see_protected != before.may_see_protected {
        changed.push(format!("may_see_protected={}", after.may_see_protected));
    }
    if !changed.is_empty() {
        users::update(&mut tx, user.id, &after).await?;
        tx.audit(actor.audit(
            AuditAction::UserUpdate,
            None,
            format!(
                "PATCH /api/v1/users/{} {}",
                user.username,
                changed.join(" ")
            ),
        ));
    }
    let body = answer(&mut tx, &actor, user.id).await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// Stop an account at once: it can no longer log in, its sessions end and its tokens are revoked.
/// Its open cases stay until the unit head hands them over. Not one's own (409 `own_account`).
#[utoipa::path(post, path = "/api/v1/users/{username}/deactivate", tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = UserResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn deactivate_user(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(username): Path<String>,
) -> Result<Json<UserResponse>, ApiError> {
    set_active(st, actor, username, false).await
}

/// Let a deactivated account log in again (with its old password).
#[utoipa::path(post, path = "/api/v1/users/{username}/activate", tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = UserResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn activate_user(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(username): Path<String>,
) -> Result<Json<UserResponse>, ApiError> {
    set_active(st, actor, username, true).await
}

async fn set_active(
    st: AppState,
    actor: Actor,
    username: String,
    active: bool,
) -> Result<Json<UserResponse>, ApiError> {
    may(&actor, Action::ManageUsers)?;
    let mut tx = st.store.begin().await?;
    let user = account(&mut tx, &actor, &username).await?;
    if !active && user.id == actor.user.id {
        return Err(own_account());
    }
    if user.active != active {
        users::set_active(&mut tx, user.id, active).await?;
        let detail = if active {
            format!("POST /api/v1/users/{username}/activate")
        } else {
            let ended = sessions::delete_for_user(&mut tx, user.id).await?;
            let revoked = tokens::revoke_all(&mut tx, user.id).await?;
            format!(
                "POST /api/v1/users/{username}/deactivate sessions_ended={ended} tokens_revoked={revoked}"
            )
        };
        tx.audit(actor.audit(AuditAction::UserUpdate, None, detail));
    }
    let body = answer(&mut tx, &actor, user.id).await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// Set a new password for an account (a forgotten one), which its owner must change at the next
/// login; its sessions end, its tokens stay.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", request_body = PasswordRequest, tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = UserResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_password(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(username): Path<String>,
    JsonBody(req): JsonBody<PasswordRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    may(&actor, Action::ManageUsers)?;
    // The account must exist before any work on the password is done or reported.
    {
        let mut tx = st.store.begin_read().await?;
        account(&mut tx, &actor, &username).await?;
        tx.commit().await?;
    }
    let mut errors = Vec::new();
    let Some(password) = new_password(req.password.as_deref(), &mut errors) else {
        return Err(ApiError::Invalid(errors));
    };
    let hash = hash(password).await?;
    let mut tx = st.store.begin().await?;
    let user = account(&mut tx, &actor, &username).await?;
    users::set_password_hash(&mut tx, user.id, &hash, true).await?;
    let ended = sessions::delete_for_user(&mut tx, user.id).await?;
    tx.audit(actor.audit(
        AuditAction::UserUpdate,
        None,
        format!("POST /api/v1/users/{username}/password sessions_ended={ended}"),
    ));
    let body = answer(&mut tx, &actor, user.id).await?;
    tx.commit().await?;
    Ok(Json(body))
}

#[derive(Default, Deserialize, ToSchema)]
pub struct OwnPasswordRequest {
    /// The password in use now.
    pub current_password: Option<String>,
    /// At least 12 characters, not a common one, not the current one.
    pub new_password: Option<String>,
    /// When given, it must be the same as `new_password` (the page's second field).
    pub new_password_again: Option<String>,
}

/// Change one's own password. A wrong current password counts as a failed login for the account
/// (and is logged as one), so a borrowed session cannot guess it faster than the login form could.
/// Every other session of the caller ends (with a bearer token: every session); tokens stay.
#[utoipa::path(post, path = "/api/v1/account/password", request_body = OwnPasswordRequest, tag = "users",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_own_password(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(req): JsonBody<OwnPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    own_password(&st, &actor, req, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn wrong_current(code: &'static str, msg: Msg) -> ApiError {
    ApiError::Invalid(vec![FieldError::new("current_password", code, msg)])
}

/// [`change_own_password`], keeping the session `keep` (a token hash) when the page asks.
pub(crate) async fn own_password(
    st: &AppState,
    actor: &Actor,
    req: OwnPasswordRequest,
    keep: Option<&str>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let current = req.current_password.unwrap_or_default();
    if current.is_empty() {
        errors.push(FieldError::required("current_password"));
    }
    let new = req.new_password.unwrap_or_default();
    if new.is_empty() {
        errors.push(FieldError::required("new_password"));
    } else if collect(auth::check_new_password("new_password", &new), &mut errors).is_some()
        && new == current
    {
        errors.push(FieldError::new(
            "new_password",
            "same_password",
            Msg::new(
                "Det nya lösenordet måste skilja sig från det nuvarande.",
                "The new password must differ from the current one.",
            ),
        ));
    }
    if req.new_password_again.as_ref().is_some_and(|a| *a != new) {
        errors.push(FieldError::new(
            "new_password_again",
            "mismatch",
            Msg::new("Lösenorden är inte lika.", "The two passwords differ."),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let now = vaka_store::now();
    let keys = [(
        vaka_domain::throttle::KeyKind::Account,
        format!("account:{}", actor.user.username),
    )];
    let stored = {
        let mut tx = st.store.begin_read().await?;
        let waiting = auth::throttled_until(&mut tx, &keys, now).await?;
        let stored = users::by_username(&mut tx, &actor.user.username)
            .await?
            .and_then(|(_, h)| h);
        tx.commit().await?;
        if let Some(until) = waiting {
            let mut tx = st.store.begin().await?;
            tx.audit(actor.audit(
                AuditAction::LoginThrottled,
                None,
                "POST /api/v1/account/password",
            ));
            tx.commit().await?;
            let seconds = (until - now).num_seconds().max(1);
            return Err(wrong_current(
                "throttled",
                Msg::new(
                    format!("För många felaktiga försök. Vänta {seconds} sekunder."),
                    format!("Too many wrong attempts. Wait {seconds} seconds."),
                ),
            ));
        }
        stored
    };
    let verified =
        tokio::task::spawn_blocking(move || auth::verify_password(stored.as_deref(), &current))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !verified {
        let mut tx = st.store.begin().await?;
        auth::count_failure(&mut tx, &st.config.throttle, &keys, now).await?;
        tx.audit(actor.audit(
            AuditAction::LoginFailed,
            None,
            "POST /api/v1/account/password: wrong current password",
        ));
        tx.commit().await?;
        return Err(wrong_current(
            "wrong_password",
            Msg::new(
                "Det nuvarande lösenordet stämmer inte.",
                "The current password is not right.",
            ),
        ));
    }
    let hash = hash(&new).await?;
    let mut tx = st.store.begin().await?;
    users::set_password_hash(&mut tx, actor.user.id, &hash, false).await?;
    vaka_store::throttle::clear(&mut tx, &keys[0].1).await?;
    let ended = match keep {
        Some(k) => sessions::delete_others(&mut tx, actor.user.id, k).await?,
        None => sessions::delete_for_user(&mut tx, actor.user.id).await?,
    };
    tx.audit(actor.audit(
        AuditAction::UserUpdate,
        None,
        format!("POST /api/v1/account/password sessions_ended={ended}"),
    ));
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub label: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `null`: never expires.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenList {
    /// The account's API tokens that are neither revoked nor expired, newest first (never the
    /// token itself: only its hash is kept).
    pub tokens: Vec<TokenInfo>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevokedTokens {
    pub revoked: u64,
}

/// An account's live API tokens (`vaka token create` makes them).
#[utoipa::path(get, path = "/api/v1/users/{username}/tokens", tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_tokens(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(username): Path<String>,
) -> Result<Json<TokenList>, ApiError> {
    may(&actor, Action::ManageUsers)?;
    let mut tx = st.store.begin_read().await?;
    let user = account(&mut tx, &actor, &username).await?;
    let live = tokens::live_for(&mut tx, user.id, vaka_store::now()).await?;
    tx.commit().await?;
    Ok(Json(TokenList {
        tokens: live
            .into_iter()
            .map(|t| TokenInfo {
                id: t.id,
                label: t.label,
                created_at: t.created_at,
                expires_at: t.expires_at,
            })
            .collect(),
    }))
}

/// Revoke every live API token of an account at once (one that may have leaked); the account
/// itself goes on.
#[utoipa::path(post, path = "/api/v1/users/{username}/tokens/revoke", tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = RevokedTokens), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn revoke_tokens(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(username): Path<String>,
) -> Result<Json<RevokedTokens>, ApiError> {
    may(&actor, Action::ManageUsers)?;
    let mut tx = st.store.begin().await?;
    let user = account(&mut tx, &actor, &username).await?;
    let revoked = tokens::revoke_all(&mut tx, user.id).await?;
    tx.audit(actor.audit(
        AuditAction::UserUpdate,
        None,
        format!("POST /api/v1/users/{username}/tokens/revoke tokens_revoked={revoked}"),
    ));
    tx.commit().await?;
    Ok(Json(RevokedTokens { revoked }))
}
