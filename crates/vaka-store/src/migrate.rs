//! A small migrator: each backend has its own ordered SQL files, embedded in the binary, applied once
//! each in a transaction and recorded in `vaka_migrations` with a checksum of the text applied. A
//! migration is never edited once released (a fix is a new migration): a recorded checksum that no
//! longer matches the file stops the start, since the database was not built by the SQL this build
//! believes it was.

use sha2::{Digest, Sha256};

use crate::{Pool, Result, Store, StoreError, on_pool};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// One migration: the same file name under each backend's folder.
macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "init", "0001_init"),
    migration!(2, "login_throttle", "0002_login_throttle"),
    migration!(3, "emergency_access", "0003_emergency_access"),
    migration!(4, "audit_reviews", "0004_audit_reviews"),
    migration!(5, "audit_append_only", "0005_audit_append_only"),
    migration!(6, "alerts_cause_index", "0006_alerts_cause_index"),
    migration!(7, "settings", "0007_settings"),
    migration!(8, "outcomes", "0008_outcomes"),
    migration!(9, "economy", "0009_economy"),
    migration!(
        10,
        "audit_log_drop_user_index",
        "0010_audit_log_drop_user_index"
    ),
    migration!(11, "audit_log_client_lists", "0011_audit_log_client_lists"),
    migration!(12, "client_summaries", "0012_client_summaries"),
    migration!(13, "open_caseload_indexes", "0013_open_caseload_indexes"),
    migration!(14, "unit_view_summaries", "0014_unit_view_summaries"),
    migration!(
        15,
        "review_and_decision_list_indexes",
        "0015_review_and_decision_list_indexes"
    ),
    migration!(16, "case_closure", "0016_case_closure"),
    migration!(17, "contact_objections", "0017_contact_objections"),
    migration!(18, "decision_communication", "0018_decision_communication"),
    migration!(19, "password_change", "0019_password_change"),
    migration!(20, "case_plans", "0020_case_plans"),
    migration!(21, "contact_risks", "0021_contact_risks"),
    migration!(22, "contact_plan_goal", "0022_contact_plan_goal"),
    migration!(23, "pending_applications", "0023_pending_applications"),
];

const CREATE: &str = "CREATE TABLE IF NOT EXISTS vaka_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)";

/// The SHA-256 of a migration's text, line endings normalised (a checkout with CRLF is the same
/// migration).
fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.replace('\r', "").as_bytes()))
}

/// What to do with migration `m`, given what `vaka_migrations` holds for it (`None`: no row; the
/// row's checksum, `None` when it was applied before checksums were recorded).
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Apply,
    /// Applied by a build that recorded no checksum: record this one's.
    Record,
    Done,
}

fn step(m: &Migration, sql: &str, recorded: Option<Option<String>>) -> Result<Step> {
    match recorded {
        None => Ok(Step::Apply),
        Some(None) => Ok(Step::Record),
        Some(Some(sum)) if sum == checksum(sql) => Ok(Step::Done),
        Some(Some(_)) => Err(StoreError::Corrupt(format!(
            "migration {} ({}) differs from the one applied to this database: a released \
             migration is never changed (a fix is a new migration); run the Vaka build that \
             applied it, or restore a backup",
            m.version, m.name
        ))),
    }
}

const RECORDED: &str = "SELECT checksum FROM vaka_migrations WHERE version = $1";
const RECORD_CHECKSUM: &str = "UPDATE vaka_migrations SET checksum = $2 WHERE version = $1";

pub(crate) async fn run(store: &Store) -> Result<usize> {
    run_to(store, i64::MAX).await
}

/// Applies the migrations up to and including `up_to` (a restore builds the schema its backup was
/// taken from, loads it, then migrates forward).
pub(crate) async fn run_to(store: &Store, up_to: i64) -> Result<usize> {
    let mut ran = 0;
    match &store.pool {
        Pool::Sqlite(p) => {
            sqlx::raw_sql(CREATE).execute(p).await?;
            let has_checksum: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pragma_table_info('vaka_migrations') WHERE name = 'checksum'",
            )
            .fetch_one(p)
            .await?;
            if has_checksum == 0 {
                sqlx::raw_sql("ALTER TABLE vaka_migrations ADD COLUMN checksum TEXT")
                    .execute(p)
                    .await?;
            }
            for m in MIGRATIONS.iter().filter(|m| m.version <= up_to) {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                let recorded: Option<Option<String>> = sqlx::query_scalar(RECORDED)
                    .bind(m.version)
                    .fetch_optional(&mut *tx)
                    .await?;
                match step(m, m.sqlite, recorded)? {
                    Step::Apply => {
                        sqlx::raw_sql(m.sqlite).execute(&mut *tx).await?;
                        record(&mut *tx, m, m.sqlite).await?;
                        ran += 1;
                    }
                    Step::Record => {
                        sqlx::query(RECORD_CHECKSUM)
                            .bind(m.version)
                            .bind(checksum(m.sqlite))
                            .execute(&mut *tx)
                            .await?;
                    }
                    Step::Done => {}
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
            // The IF NOT EXISTS below would log "already exists, skipping" notices at every start.
            sqlx::raw_sql("SET LOCAL client_min_messages = warning")
                .execute(&mut *tx)
                .await?;
            sqlx::raw_sql(CREATE).execute(&mut *tx).await?;
            sqlx::raw_sql("ALTER TABLE vaka_migrations ADD COLUMN IF NOT EXISTS checksum TEXT")
                .execute(&mut *tx)
                .await?;
            for m in MIGRATIONS.iter().filter(|m| m.version <= up_to) {
                let recorded: Option<Option<String>> = sqlx::query_scalar(RECORDED)
                    .bind(m.version)
                    .fetch_optional(&mut *tx)
                    .await?;
                match step(m, m.postgres, recorded)? {
                    Step::Apply => {
                        sqlx::raw_sql(m.postgres).execute(&mut *tx).await?;
                        record(&mut *tx, m, m.postgres).await?;
                        ran += 1;
                    }
                    Step::Record => {
                        sqlx::query(RECORD_CHECKSUM)
                            .bind(m.version)
                            .bind(checksum(m.postgres))
                            .execute(&mut *tx)
                            .await?;
                    }
                    Step::Done => {}
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

/// The newest schema version this build knows.
pub(crate) fn newest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

async fn record<'c, E>(conn: E, m: &Migration, sql: &str) -> Result<()>
where
    E: sqlx::Executor<'c>,
    for<'q> i64: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> String: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> <E::Database as sqlx::Database>::Arguments: sqlx::IntoArguments<E::Database>,
{
    sqlx::query::<E::Database>(
        "INSERT INTO vaka_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)",
    )
    .bind(m.version)
    .bind(m.name.to_owned())
    .bind(crate::now().to_rfc3339())
    .bind(checksum(sql))
    .execute(conn)
    .await?;
    Ok(())
}

async fn max_applied(store: &Store) -> Result<i64> {
    let q = "SELECT COALESCE(MAX(version), 0) FROM vaka_migrations";
    Ok(on_pool!(&store.pool, |p| sqlx::query_scalar::<_, i64>(q)
        .fetch_one(p)
        .await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_applied_migration_is_refused_and_an_unrecorded_one_recorded() {
        let m = &MIGRATIONS[2];
        assert_eq!(step(m, m.sqlite, None).unwrap(), Step::Apply);
        assert_eq!(step(m, m.sqlite, Some(None)).unwrap(), Step::Record);
        let sum = checksum(m.sqlite);
        assert_eq!(
            step(m, m.sqlite, Some(Some(sum.clone()))).unwrap(),
            Step::Done
        );
        // The same text with CRLF line endings is the same migration.
        assert_eq!(
            step(m, &m.sqlite.replace('\n', "\r\n"), Some(Some(sum.clone()))).unwrap(),
            Step::Done
        );
        let changed = format!("{}\nCREATE INDEX x ON clients(id);", m.sqlite);
        match step(m, &changed, Some(Some(sum))) {
            Err(StoreError::Corrupt(msg)) => {
                assert!(msg.contains("migration 3 (emergency_access)"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// Every file in each backend's folder is registered, in order, under its own number: a file
    /// left out of `MIGRATIONS` would silently never run.
    #[test]
    fn every_migration_file_is_registered_in_order() {
        for backend in ["sqlite", "postgres"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(backend);
            let mut files: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let registered: Vec<String> = MIGRATIONS
                .iter()
                .map(|m| format!("{:04}_{}.sql", m.version, m.name))
                .collect();
            assert_eq!(files, registered, "{backend}");
            for (i, m) in MIGRATIONS.iter().enumerate() {
                assert_eq!(m.version, i as i64 + 1);
            }
        }
    }
}
