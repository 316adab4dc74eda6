//! Throwaway databases for tests: a temporary SQLite file, or a PostgreSQL database created for the
//! test and dropped when it ends. PostgreSQL is found at `VAKA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); the test fails, loudly, when it is not reachable.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};

use crate::{BackendKind, Store};

static COUNTER: AtomicU32 = AtomicU32::new(0);
const PREFIX: &str = "vaka_test_";

pub fn postgres_admin_url() -> String {
    std::env::var("VAKA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A migrated, empty database that is removed when this is dropped.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    kind: BackendKind,
    name: String,
}

impl TestDb {
    pub async fn new(kind: BackendKind) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("{PREFIX}{}_{n}", std::process::id());
        let url = match kind {
            BackendKind::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                let _ = std::fs::remove_file(&path);
                format!("sqlite://{}?mode=rwc", path.display())
            }
            BackendKind::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = connect_admin(&admin).await;
                drop_stale(&mut conn).await;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name}"
                )))
                .execute(&mut conn)
                .await
                .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                with_database(&admin, &name)
            }
        };
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("could not open test database {url}: {e}"));
        TestDb {
            store,
            url,
            kind,
            name,
        }
    }

    /// A URL for the same database (for starting the real binary against it).
    pub fn url(&self) -> &str {
        &self.url
    }
}

async fn connect_admin(admin: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    match sqlx::PgConnection::connect(admin).await {
        Ok(c) => c,
        Err(e) => panic!(
            "PostgreSQL is not reachable at {admin} ({e}). Start it (see README: Tests) or set VAKA_TEST_POSTGRES_URL."
        ),
    }
}

/// Drops test databases left behind by test processes that no longer run.
async fn drop_stale(conn: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'vaka\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name
            .trim_start_matches(PREFIX)
            .split('_')
            .next()
            .and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| {
            p == std::process::id() || std::path::Path::new(&format!("/proc/{p}")).exists()
        });
        if !alive {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

/// `admin` with its database name replaced by `db`.
pub fn with_database(admin: &str, db: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let store = self.store.clone();
        let (kind, name, url) = (self.kind, self.name.clone(), self.url.clone());
        // Drop cannot await: finish on a thread with its own small runtime.
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                store.close().await;
                match kind {
                    BackendKind::Sqlite => {
                        let path = url
                            .trim_start_matches("sqlite://")
                            .split('?')
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                        for suffix in ["", "-wal", "-shm"] {
                            let _ = std::fs::remove_file(format!("{path}{suffix}"));
                        }
                    }
                    BackendKind::Postgres => {
                        let mut conn = connect_admin(&postgres_admin_url()).await;
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                }
            });
        });
        let _ = handle.join();
    }
}

/// Runs one async test body against both backends: `both!(name, |db| async move { ... });`
/// expands to `mod name { fn sqlite(); fn postgres(); }`.
#[macro_export]
macro_rules! both {
    ($name:ident, |$db:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = $crate::testing::TestDb::new($crate::BackendKind::Sqlite).await;
                $body.await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $db = $crate::testing::TestDb::new($crate::BackendKind::Postgres).await;
                $body.await
            }
        }
    };
}

/// Removes the database's append-only guard on the access log, as an attacker with owner rights
/// could, so that tamper tests can show the hash chain still finds the change.
pub async fn drop_append_only_guard(tx: &mut crate::Tx) -> crate::Result<()> {
    let sql = match tx.backend() {
        BackendKind::Sqlite => {
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; \
             DROP TRIGGER IF EXISTS audit_log_clients_no_update; DROP TRIGGER IF EXISTS audit_log_clients_no_delete;"
        }
        BackendKind::Postgres => {
            "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log; DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log; \
             DROP TRIGGER IF EXISTS audit_log_clients_append_only ON audit_log_clients; \
             DROP TRIGGER IF EXISTS audit_log_clients_no_truncate ON audit_log_clients;"
        }
    };
    exec(tx, sql).await
}

/// Runs raw SQL in a transaction (tests only: tampering with the access log, say).
pub async fn exec(tx: &mut crate::Tx, sql: &str) -> crate::Result<()> {
    crate::on_tx!(tx, |c| {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// One number from raw SQL (tests only: counting rows across tables, say).
pub async fn count(tx: &mut crate::Tx, sql: &str) -> crate::Result<i64> {
    Ok(crate::on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut *c)
            .await?
    }))
}

/// The first column of raw SQL's rows, as text (tests only).
pub async fn strings(tx: &mut crate::Tx, sql: &str) -> crate::Result<Vec<String>> {
    Ok(crate::on_tx!(tx, |c| {
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(&mut *c)
            .await?
    }))
}

/// Clients whose `client_summaries` row differs from what the journal and the alerts say now (the
/// latest signed contact by time, then id; open alerts by severity; the unit and the open cases; a
/// client without a row counts). Zero when the triggers are right.
pub async fn summary_mismatches(tx: &mut crate::Tx) -> crate::Result<i64> {
    count(
        tx,
        "SELECT COUNT(*) FROM clients c \
         LEFT JOIN client_summaries s ON s.client_id = c.id \
         LEFT JOIN contacts lc ON lc.id = (SELECT x.id FROM contacts x WHERE x.client_id = c.id AND x.status = 'signed' \
              ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1) \
         WHERE COALESCE(s.last_contact_id, -1) <> COALESCE(lc.id, -1) \
            OR (s.last_contact_at IS NULL) <> (lc.occurred_at IS NULL) OR s.last_contact_at <> lc.occurred_at \
            OR COALESCE(s.last_substance_use, '') <> COALESCE(lc.substance_use, '') \
            OR COALESCE(s.last_well_being, -1) <> COALESCE(lc.well_being, -1) \
            OR COALESCE(s.last_housing, '') <> COALESCE(lc.housing, '') \
            OR COALESCE(s.open_high, 0) <> (SELECT COUNT(*) FROM alerts a WHERE a.client_id = c.id AND a.status <> 'resolved' AND a.severity = 'high') \
            OR COALESCE(s.open_medium, 0) <> (SELECT COUNT(*) FROM alerts a WHERE a.client_id = c.id AND a.status <> 'resolved' AND a.severity = 'medium') \
            OR COALESCE(s.open_low, 0) <> (SELECT COUNT(*) FROM alerts a WHERE a.client_id = c.id AND a.status <> 'resolved' AND a.severity = 'low') \
            OR COALESCE(s.unit_id, -1) <> c.unit_id \
            OR COALESCE(s.open_cases, -1) <> (SELECT COUNT(*) FROM cases k WHERE k.client_id = c.id AND k.status = 'open')",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
