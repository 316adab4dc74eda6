//! A small migrator: each backend has its own ordered SQL files, embedded in the binary, applied once
//! each in a transaction and recorded in `vaka_migrations`.

use crate::{Pool, Result, Store, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "login_throttle",
        sqlite: include_str!("../migrations/sqlite/0002_login_throttle.sql"),
        postgres: include_str!("../migrations/postgres/0002_login_throttle.sql"),
    },
    Migration {
        version: 3,
        name: "emergency_access",
        sqlite: include_str!("../migrations/sqlite/0003_emergency_access.sql"),
        postgres: include_str!("../migrations/postgres/0003_emergency_access.sql"),
    },
    Migration {
        version: 4,
        name: "audit_reviews",
        sqlite: include_str!("../migrations/sqlite/0004_audit_reviews.sql"),
        postgres: include_str!("../migrations/postgres/0004_audit_reviews.sql"),
    },
    Migration {
        version: 5,
        name: "audit_append_only",
        sqlite: include_str!("../migrations/sqlite/0005_audit_append_only.sql"),
        postgres: include_str!("../migrations/postgres/0005_audit_append_only.sql"),
    },
    Migration {
        version: 6,
        name: "alerts_cause_index",
        sqlite: include_str!("../migrations/sqlite/0006_alerts_cause_index.sql"),
        postgres: include_str!("../migrations/postgres/0006_alerts_cause_index.sql"),
    },
];

const CREATE: &str = "CREATE TABLE IF NOT EXISTS vaka_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

pub(crate) async fn run(store: &Store) -> Result<usize> {
    let mut ran = 0;
    match &store.pool {
        Pool::Sqlite(p) => {
            sqlx::raw_sql(CREATE).execute(p).await?;
            for m in MIGRATIONS {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                let done: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM vaka_migrations WHERE version = $1")
                        .bind(m.version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if done.is_none() {
                    sqlx::raw_sql(m.sqlite).execute(&mut *tx).await?;
                    record(&mut *tx, m).await?;
                    ran += 1;
                }
                tx.commit().await?;
            }
        }
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            // One migrator at a time, even with several servers starting together.
            sqlx::query("SELECT pg_advisory_xact_lock(7312001)")
                .execute(&mut *tx)
                .await?;
            sqlx::raw_sql(CREATE).execute(&mut *tx).await?;
            for m in MIGRATIONS {
                let done: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM vaka_migrations WHERE version = $1")
                        .bind(m.version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if done.is_none() {
                    sqlx::raw_sql(m.postgres).execute(&mut *tx).await?;
                    record(&mut *tx, m).await?;
                    ran += 1;
                }
            }
            tx.commit().await?;
        }
    }
    let newest = MIGRATIONS.last().map_or(0, |m| m.version);
    let applied = max_applied(store).await?;
    if applied > newest {
        return Err(StoreError::Corrupt(format!(
            "the database has schema version {applied}, newer than this Vaka ({newest}); upgrade Vaka"
        )));
    }
    Ok(ran)
}

async fn record<'c, E>(conn: E, m: &Migration) -> Result<()>
where
    E: sqlx::Executor<'c>,
    for<'q> i64: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> String: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> <E::Database as sqlx::Database>::Arguments: sqlx::IntoArguments<E::Database>,
{
    sqlx::query::<E::Database>(
        "INSERT INTO vaka_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
    )
    .bind(m.version)
    .bind(m.name.to_owned())
    .bind(crate::now().to_rfc3339())
    .execute(conn)
    .await?;
    Ok(())
}

async fn max_applied(store: &Store) -> Result<i64> {
    let q = "SELECT COALESCE(MAX(version), 0) FROM vaka_migrations";
    Ok(match &store.pool {
        Pool::Sqlite(p) => sqlx::query_scalar::<_, i64>(q).fetch_one(p).await?,
        Pool::Postgres(p) => sqlx::query_scalar::<_, i64>(q).fetch_one(p).await?,
    })
}
