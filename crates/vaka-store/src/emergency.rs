//! Emergency access grants (nödåtkomst): who may read which client until when, and why.

use chrono::{DateTime, Utc};
use vaka_domain::ids::{ClientId, UserId};

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

/// A live grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: i64,
    pub reason: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn grant(
    tx: &mut Tx,
    user: UserId,
    client: ClientId,
    reason: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64> {
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO emergency_access (user_id, client_id, reason, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user.0)
        .bind(client.0)
        .bind(reason)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *c)
        .await?;
        Ok(id)
    })
}

/// The user's newest live grant for the client, if any.
pub async fn active(
    tx: &mut Tx,
    user: UserId,
    client: ClientId,
    now: DateTime<Utc>,
) -> Result<Option<Grant>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(
            "SELECT id, reason, expires_at FROM emergency_access WHERE user_id = $1 AND client_id = $2 AND expires_at > $3 \
             ORDER BY expires_at DESC LIMIT 1",
        )
        .bind(user.0)
        .bind(client.0)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?;
        row.map(|r| {
            Ok(Grant {
                id: r.i64("id")?,
                reason: r.string("reason")?,
                expires_at: r.ts("expires_at")?,
            })
        })
        .transpose()
    })
}
