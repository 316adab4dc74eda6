//! Failed-login counts per key, for the throttling rule in `vaka_domain::throttle`.

use chrono::{DateTime, Utc};

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

/// The state of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub failures: u32,
    pub last_failure_at: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
}

pub async fn get(tx: &mut Tx, key: &str) -> Result<Option<Entry>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(
            "SELECT failures, last_failure_at, blocked_until FROM login_throttle WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *c)
        .await?;
        row.map(|r| {
            Ok(Entry {
                failures: u32::try_from(r.i64("failures")?).unwrap_or(u32::MAX),
                last_failure_at: r.ts("last_failure_at")?,
                blocked_until: r.ts("blocked_until")?,
            })
        })
        .transpose()
    })
}

pub async fn put(tx: &mut Tx, key: &str, e: &Entry) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, last_failure_at, blocked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET failures = $2, last_failure_at = $3, blocked_until = $4",
        )
        .bind(key)
        .bind(i64::from(e.failures))
        .bind(e.last_failure_at)
        .bind(e.blocked_until)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

pub async fn clear(tx: &mut Tx, key: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}
