//! Browser sessions: the cookie carries a random id; only its hash is stored, with the CSRF token.

use chrono::{DateTime, Utc};
use vaka_domain::ids::UserId;

use crate::row::RowExt;
use crate::{Result, Store, Tx, on_pool, on_tx};
use vaka_domain::role::User;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn create(
    tx: &mut Tx,
    token_hash: &str,
    user: UserId,
    csrf: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// The session of `token_hash` with its user, in one statement outside any transaction: this runs
/// before every page, and on SQLite each statement, BEGIN and COMMIT is a round trip to the
/// connection's thread.
pub async fn find_with_user(store: &Store, token_hash: &str) -> Result<Option<(Session, User)>> {
    const SQL: &str = "SELECT s.id AS session_id, s.user_id, s.csrf_token, s.created_at AS session_created_at, \
        s.last_seen_at, s.expires_at, u.id, u.municipality_id, u.unit_id, u.username, u.display_name, u.role, \
        u.may_see_protected, u.active, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";
    fn decode(r: &impl RowExt) -> Result<(Session, User)> {
        Ok((
            Session {
                id: r.i64("session_id")?,
                user_id: UserId(r.i64("user_id")?),
                csrf_token: r.string("csrf_token")?,
                created_at: r.ts("session_created_at")?,
                last_seen_at: r.ts("last_seen_at")?,
                expires_at: r.ts("expires_at")?,
            },
            crate::users::from_row(r)?,
        ))
    }
    on_pool!(&store.pool, |p| sqlx::query(SQL)
        .bind(token_hash)
        .fetch_optional(p)
        .await?
        .as_ref()
        .map(decode)
        .transpose())
}

pub async fn touch(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

/// Ends every session of a user; how many.
pub async fn delete_for_user(tx: &mut Tx, user: UserId) -> Result<u64> {
    on_tx!(tx, |c| {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *c)
            .await?
            .rows_affected())
    })
}

/// Ends every session of a user but the one with `keep` (its token hash); how many.
pub async fn delete_others(tx: &mut Tx, user: UserId, keep: &str) -> Result<u64> {
    on_tx!(tx, |c| {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user.0)
                .bind(keep)
                .execute(&mut *c)
                .await?
                .rows_affected(),
        )
    })
}

/// Removes sessions past their absolute expiry or idle since before `idle_before`.
pub async fn purge_expired(
    tx: &mut Tx,
    now: DateTime<Utc>,
    idle_before: DateTime<Utc>,
) -> Result<u64> {
    on_tx!(tx, |c| {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
            .bind(now)
            .bind(idle_before)
            .execute(&mut *c)
            .await?;
        Ok(r.rows_affected())
    })
}
