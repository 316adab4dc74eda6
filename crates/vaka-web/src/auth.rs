//! Authentication: argon2id password hashes, API bearer tokens and browser sessions.

use std::net::SocketAddr;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use vaka_domain::role::User;
use vaka_domain::throttle::{KeyKind, ThrottlePolicy};
use vaka_domain::{FieldError, Msg};
use vaka_store::{NewAuditEntry, sessions, throttle, tokens, users};

use crate::AppState;
use crate::error::ApiError;

/// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS generator failing is unrecoverable for a security component; fail closed.
    if getrandom::fill(&mut b).is_err() {
        std::process::abort();
    }
    b
}

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = random_bytes::<16>();
    argon2()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Checks a password against a stored hash. With no hash (unknown user) it still does the work of
/// one verification, so that timing does not tell an unknown user from a wrong password.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not-a-real-password-0000").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = argon2().verify_password(password.as_bytes(), hash).is_ok();
    ok && real
}

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// The password rules: at least 12 characters, at most 256, and not on the bundled list of common ones.
pub fn check_new_password(field: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(FieldError::new(
            field,
            "password_too_short",
            Msg::new(
                "Lösenordet måste ha minst 12 tecken.",
                "The password must have at least 12 characters.",
            ),
        ));
    }
    if n > 256 {
        return Err(FieldError::new(
            field,
            "password_too_long",
            Msg::new("Högst 256 tecken.", "At most 256 characters."),
        ));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.lines().any(|l| l.trim() == lower) {
        return Err(FieldError::new(
            field,
            "password_too_common",
            Msg::new(
                "Lösenordet är för vanligt. Välj ett annat.",
                "The password is too common. Choose another.",
            ),
        ));
    }
    Ok(())
}

/// A new secret token: 32 random bytes, base64url, with a recognisable prefix.
pub fn new_token(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
    )
}

/// Tokens and session ids are stored only as their SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison of two secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who is making the request, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub address: Option<String>,
    /// The page form an API operation was called from, so that the access log names it.
    pub via: Option<String>,
}

impl Actor {
    /// One audit entry for a list view that showed `clients` (the caseload, a client list).
    pub fn audit_list(
        &self,
        action: vaka_store::AuditAction,
        clients: impl IntoIterator<Item = vaka_domain::ids::ClientId>,
        detail: impl Into<String>,
    ) -> NewAuditEntry {
        NewAuditEntry {
            clients: clients.into_iter().collect(),
            ..self.audit(action, None, detail)
        }
    }

    /// An audit entry for this actor.
    pub fn audit(
        &self,
        action: vaka_store::AuditAction,
        client: Option<vaka_domain::ids::ClientId>,
        detail: impl Into<String>,
    ) -> NewAuditEntry {
        NewAuditEntry {
            user_id: Some(self.user.id),
            username: self.user.username.clone(),
            role: self.user.role.as_str().to_owned(),
            client_id: client,
            case_id: None,
            action,
            detail: match &self.via {
                None => detail.into(),
                Some(via) => format!("{} (via {via})", detail.into()),
            },
            emergency_reason: None,
            address: self.address.clone(),
            clients: Vec::new(),
        }
    }
}

pub fn peer_address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// An API caller, authenticated by `Authorization: Bearer <token>`.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(ApiError::Unauthorized)?;
        let mut tx = state.store.begin_read().await?;
        let user_id = tokens::user_for(&mut tx, &token_hash(token), vaka_store::now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let user = users::get(&mut tx, user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(ApiError::Unauthorized)?;
        tx.rollback().await?;
        Ok(ApiActor(Actor {
            user,
            address: peer_address(parts),
            via: None,
        }))
    }
}

pub const SESSION_COOKIE: &str = "vaka_session";

/// A browser user with a live session, and the session's CSRF token.
pub struct SessionActor {
    pub actor: Actor,
    pub csrf: String,
    /// The SHA-256 of the session id, so that a password change can keep this session alone.
    pub session_hash: String,
}

/// Why there is no session user: the page layer answers with a redirect to the login page.
pub enum NoSession {
    Missing,
    Failed(ApiError),
    /// The user must first change a password an administrator chose: only their account page,
    /// logging out and the language switch are open.
    MustChangePassword,
}

/// The paths open to a user who must change their password first.
fn open_before_password_change(path: &str) -> bool {
    matches!(path, "/account" | "/account/password" | "/logout") || path.starts_with("/lang/")
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for SessionActor {
    type Rejection = NoSession;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let id = cookie(parts, SESSION_COOKIE).ok_or(NoSession::Missing)?;
        let hash = token_hash(id);
        let now = vaka_store::now();
        let failed = |e: vaka_store::StoreError| NoSession::Failed(e.into());
        // Read first: most requests need no write at all, which keeps SQLite's single writer free.
        let (s, user) = sessions::find_with_user(&state.store, &hash)
            .await
            .map_err(failed)?
            .ok_or(NoSession::Missing)?;
        let user = Some(user).filter(|u| u.active);
        let idle = chrono::Duration::from_std(state.config.idle_timeout)
            .unwrap_or(chrono::Duration::minutes(30));
        if s.expires_at <= now || s.last_seen_at + idle <= now {
            let mut tx = state.store.begin().await.map_err(failed)?;
            sessions::delete(&mut tx, &hash).await.map_err(failed)?;
            tx.commit().await.map_err(failed)?;
            return Err(NoSession::Missing);
        }
        let user = user.ok_or(NoSession::Missing)?;
        if user.must_change_password && !open_before_password_change(parts.uri.path()) {
            return Err(NoSession::MustChangePassword);
        }
        // The idle clock moves in steps (a minute, or a tenth of a short timeout): one write per
        // step and session, not one per request.
        let step = (idle / 10).min(chrono::Duration::seconds(TOUCH_EVERY_SECONDS));
        if now - s.last_seen_at >= step {
            let mut tx = state.store.begin().await.map_err(failed)?;
            sessions::touch(&mut tx, s.id, now).await.map_err(failed)?;
            tx.commit().await.map_err(failed)?;
        }
        Ok(SessionActor {
            actor: Actor {
                user,
                address: peer_address(parts),
                via: None,
            },
            csrf: s.csrf_token,
            session_hash: hash,
        })
    }
}

/// The earliest moment any of `keys` may try a password again, when one of them must still wait.
pub async fn throttled_until(
    tx: &mut vaka_store::Tx,
    keys: &[(KeyKind, String)],
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, vaka_store::StoreError> {
    let mut until = None;
    for (_, key) in keys {
        if let Some(e) = throttle::get(tx, key).await?
            && e.blocked_until > now
        {
            until = until.max(Some(e.blocked_until));
        }
    }
    Ok(until)
}

/// Counts one wrong password against each of `keys`; past the free failures each one doubles the
/// key's wait (`vaka_domain::throttle`).
pub async fn count_failure(
    tx: &mut vaka_store::Tx,
    policy: &ThrottlePolicy,
    keys: &[(KeyKind, String)],
    now: DateTime<Utc>,
) -> Result<(), vaka_store::StoreError> {
    let forget =
        chrono::Duration::from_std(policy.forget_after).unwrap_or(chrono::Duration::hours(1));
    for (kind, key) in keys {
        let failures = throttle::get(tx, key)
            .await?
            .filter(|e| now - e.last_failure_at < forget)
            .map_or(0, |e| e.failures)
            + 1;
        let wait = chrono::Duration::from_std(policy.wait_after(*kind, failures))
            .unwrap_or(chrono::Duration::zero());
        throttle::put(
            tx,
            key,
            &throttle::Entry {
                failures,
                last_failure_at: now,
                blocked_until: now + wait,
            },
        )
        .await?;
    }
    Ok(())
}

/// How often a session's last-seen time is written (the idle timeout is counted from it).
const TOUCH_EVERY_SECONDS: i64 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(Some(&h), "correct horse battery"));
        assert!(!verify_password(Some(&h), "correct horse batterY"));
        assert!(!verify_password(None, "correct horse battery"));
        assert!(!verify_password(Some("garbage"), "x"));
    }

    #[test]
    fn short_or_common_passwords_are_refused() {
        assert_eq!(
            check_new_password("password", "kort").unwrap_err().code,
            "password_too_short"
        );
        assert_eq!(
            check_new_password("password", "Password1234")
                .unwrap_err()
                .code,
            "password_too_common"
        );
        assert!(check_new_password("password", "lila-elefanter-dansar-tango").is_ok());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token("vaka_"), new_token("vaka_"));
        assert_ne!(a, b);
        assert!(a.starts_with("vaka_") && a.len() > 40);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b));
    }
}
