//! API bearer tokens, stored only as SHA-256 hashes; they can expire and be revoked.

use chrono::{DateTime, Utc};
use vaka_domain::ids::UserId;

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

/// A live token as an administrator sees it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveToken {
    pub id: i64,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A user's tokens that are neither revoked nor expired at `now`, newest first.
pub async fn live_for(tx: &mut Tx, user: UserId, now: DateTime<Utc>) -> Result<Vec<LiveToken>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT id, label, created_at, expires_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC",
        )
        .bind(user.0)
        .fetch_all(&mut *c)
        .await?;
        let mut live = Vec::new();
        for r in &rows {
            let expires_at = r.opt_ts("expires_at")?;
            if expires_at.is_some_and(|e| e <= now) {
                continue;
            }
            live.push(LiveToken {
                id: r.i64("id")?,
                label: r.opt_string("label")?,
                created_at: r.ts("created_at")?,
                expires_at,
            });
        }
        Ok(live)
    })
}

pub async fn create(
    tx: &mut Tx,
    user: UserId,
    token_hash: &str,
    label: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<i64> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user.0)
        .bind(token_hash)
        .bind(label)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *c)
        .await?;
        Ok(id)
    })
}

/// The user a valid (not expired, not revoked) token belongs to.
pub async fn user_for(tx: &mut Tx, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(
            "SELECT user_id, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *c)
        .await?;
        let Some(r) = row else { return Ok(None) };
        if r.opt_ts("revoked_at")?.is_some() || r.opt_ts("expires_at")?.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        Ok(Some(UserId(r.i64("user_id")?)))
    })
}

pub async fn revoke(tx: &mut Tx, token_hash: &str) -> Result<bool> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&mut *c)
        .await?;
        Ok(r.rows_affected() > 0)
    })
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_all(tx: &mut Tx, user: UserId) -> Result<u64> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(user.0)
        .execute(&mut *c)
        .await?;
        Ok(r.rows_affected())
    })
}
