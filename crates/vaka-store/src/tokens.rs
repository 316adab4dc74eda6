//! API bearer tokens, stored only as SHA-256 hashes; they can expire and be revoked.

use chrono::{DateTime, Utc};
use vaka_domain::ids::UserId;

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

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
