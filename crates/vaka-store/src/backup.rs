//! A logical snapshot of the whole database, table by table, row by row as JSON, and loading one
//! back into an empty database. The file around it (compression, encryption) is the binary's.
//!
//! The snapshot is read in one transaction that sees a single point in time (SQLite WAL: a read
//! transaction; PostgreSQL: REPEATABLE READ), so it is consistent while the server runs and writes.
//! Loading is one transaction too: it checks the row counts and the access log's hash chain before it
//! commits, so a restore is whole or not at all.

use std::collections::BTreeMap;

use crate::{BackendKind, Result, Store, StoreError, Tx, on_tx};

/// A table of the snapshot and the columns it is ordered by.
struct Table {
    name: &'static str,
    order: &'static str,
    /// Paged by `id` (large tables); otherwise read whole.
    by_id: bool,
}

const fn t(name: &'static str) -> Table {
    Table {
        name,
        order: "id",
        by_id: true,
    }
}

const fn keyed(name: &'static str, order: &'static str) -> Table {
    Table {
        name,
        order,
        by_id: false,
    }
}

/// Every table, parents before children. Left out: `sessions` and `login_throttle` (a restored
/// system starts with everyone logged out and no one throttled) and `vaka_migrations` (the schema
/// version travels in the file's header).
const TABLES: &[Table] = &[
    t("municipalities"),
    t("units"),
    t("users"),
    t("api_tokens"),
    t("clients"),
    t("cases"),
    keyed("case_assignments", "case_id, user_id, assigned_on"),
    t("applications"),
    t("recommendations"),
    t("providers"),
    t("contracts"),
    keyed("contract_prices", "contract_id, intervention"),
    t("housing_units"),
    t("decisions"),
    t("placements"),
    t("placement_prices"),
    t("plan_goals"),
    t("plan_goal_reviews"),
    t("contacts"),
    t("contact_objections"),
    t("assessments"),
    t("follow_ups"),
    t("alerts"),
    t("budgets"),
    t("audit_log"),
    keyed("audit_log_clients", "audit_id, client_id"),
    keyed("audit_head", "id"),
    t("emergency_access"),
    keyed("audit_reviews", "audit_id"),
    keyed("settings", "municipality_id, key"),
    t("provider_inspections"),
    t("invoice_imports"),
    t("invoice_rows"),
    t("housing_incidents"),
    t("housing_queue"),
];

/// Tables deliberately not in a snapshot. `client_summaries` is derived: its triggers rebuild it as
/// the contacts and alerts are loaded.
pub const NOT_BACKED_UP: &[&str] = &[
    "sessions",
    "login_throttle",
    "vaka_migrations",
    "client_summaries",
];

/// The names of the tables in a snapshot, in load order.
pub fn tables() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|t| t.name)
}

/// What a snapshot held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub BTreeMap<String, u64>);

impl Counts {
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

/// The schema version (the newest migration applied).
pub async fn schema_version(store: &Store) -> Result<i64> {
    let mut tx = store.begin_read().await?;
    let v = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(version), 0) FROM vaka_migrations")
            .fetch_one(&mut *c)
            .await?
    });
    tx.rollback().await?;
    Ok(v)
}

/// Every table's name as the database lists it (for the test that [`TABLES`] misses none).
pub async fn database_tables(store: &Store) -> Result<Vec<String>> {
    let mut tx = store.begin_read().await?;
    let q = match tx.backend() {
        BackendKind::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        BackendKind::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        }
    };
    let names = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, String>(q)
            .fetch_all(&mut *c)
            .await?
    });
    tx.rollback().await?;
    Ok(names)
}

/// The SELECT giving each row as one JSON text, in a stable order.
async fn row_sql(tx: &mut Tx, table: &Table) -> Result<String> {
    let where_order = if table.by_id {
        "WHERE id > $1 ORDER BY id LIMIT $2".to_owned()
    } else {
        format!("ORDER BY {}", table.order)
    };
    Ok(match tx.backend() {
        BackendKind::Postgres => {
            format!(
                "SELECT row_to_json(t)::text FROM {} t {where_order}",
                table.name
            )
        }
        BackendKind::Sqlite => {
            let cols = columns(tx, table.name).await?;
            let pairs: Vec<String> = cols.iter().map(|c| format!("'{c}', \"{c}\"")).collect();
            format!(
                "SELECT json_object({}) FROM {} {where_order}",
                pairs.join(", "),
                table.name
            )
        }
    })
}

/// Rows of `table` matching `filter` (SQL with `$1` bound to `key`), each as one JSON object text,
/// in key order: a person's rows for a data request, an archive or a purge's digest.
pub(crate) async fn json_rows(
    tx: &mut Tx,
    table: &str,
    filter: &str,
    key: i64,
) -> Result<Vec<String>> {
    let order = TABLES
        .iter()
        .find(|t| t.name == table)
        .map_or("id", |t| t.order);
    let sql = match tx.backend() {
        BackendKind::Postgres => {
            format!("SELECT row_to_json(t)::text FROM {table} t WHERE {filter} ORDER BY {order}")
        }
        BackendKind::Sqlite => {
            let cols = columns(tx, table).await?;
            let pairs: Vec<String> = cols.iter().map(|c| format!("'{c}', \"{c}\"")).collect();
            format!(
                "SELECT json_object({}) FROM {table} WHERE {filter} ORDER BY {order}",
                pairs.join(", ")
            )
        }
    };
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_all(&mut *c)
            .await?
    }))
}

async fn columns(tx: &mut Tx, table: &str) -> Result<Vec<String>> {
    let q = match tx.backend() {
        BackendKind::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        BackendKind::Postgres => {
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    on_tx!(tx, |c| {
        Ok(sqlx::query_scalar::<_, String>(q)
            .bind(table)
            .fetch_all(&mut *c)
            .await?)
    })
}

const PAGE: i64 = 5000;

/// Reads the whole database at one point in time and hands each row to `sink` as (table, JSON
/// object text), tables in load order, rows in key order.
pub async fn dump(
    store: &Store,
    mut sink: impl FnMut(&str, &str) -> std::io::Result<()>,
) -> Result<Counts> {
    let mut tx = store.begin_read().await?;
    if tx.backend() == BackendKind::Postgres {
        on_tx!(tx, |c| {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *c)
                .await?;
        });
    }
    let mut counts = Counts::default();
    for table in TABLES {
        let sql = row_sql(&mut tx, table).await?;
        let mut n = 0u64;
        let mut after = 0i64;
        loop {
            let rows: Vec<String> = on_tx!(tx, |c| {
                let q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone()));
                if table.by_id {
                    q.bind(after).bind(PAGE).fetch_all(&mut *c).await?
                } else {
                    q.fetch_all(&mut *c).await?
                }
            });
            for row in &rows {
                sink(table.name, row).map_err(|e| StoreError::Corrupt(format!("writing: {e}")))?;
            }
            n += rows.len() as u64;
            if !table.by_id || (rows.len() as i64) < PAGE {
                break;
            }
            let last: serde_json::Value = rows
                .last()
                .map(|r| serde_json::from_str(r))
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?
                .unwrap_or_default();
            after = last["id"].as_i64().ok_or_else(|| {
                StoreError::Corrupt(format!("{}: a row without an id", table.name))
            })?;
        }
        counts.0.insert(table.name.to_owned(), n);
    }
    tx.rollback().await?;
    Ok(counts)
}

/// Loads a snapshot into an empty, migrated database in one transaction.
pub struct Loader {
    tx: Tx,
    columns: BTreeMap<&'static str, Vec<String>>,
    batch_table: Option<&'static str>,
    batch: Vec<serde_json::Value>,
    counts: Counts,
}

const BATCH: usize = 500;

impl Loader {
    /// Starts the load; refuses a database that already holds anything.
    pub async fn start(store: &Store) -> Result<Self> {
        let mut tx = store.begin().await?;
        let held: i64 = on_tx!(tx, |c| {
            sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM municipalities) + (SELECT COUNT(*) FROM users) \
                 + (SELECT COUNT(*) FROM clients) + (SELECT COUNT(*) FROM audit_log)",
            )
            .fetch_one(&mut *c)
            .await?
        });
        if held > 0 {
            return Err(StoreError::Conflict(
                "the target database is not empty; restore into a new database",
            ));
        }
        // The migration's genesis head is replaced by the snapshot's.
        on_tx!(tx, |c| {
            sqlx::query("DELETE FROM audit_head")
                .execute(&mut *c)
                .await?;
        });
        let mut columns = BTreeMap::new();
        for table in TABLES {
            columns.insert(table.name, self::columns(&mut tx, table.name).await?);
        }
        Ok(Self {
            tx,
            columns,
            batch_table: None,
            batch: Vec::new(),
            counts: Counts::default(),
        })
    }

    /// Adds one row of `table` (tables must come in load order).
    pub async fn row(&mut self, table: &str, row: serde_json::Value) -> Result<()> {
        let Some(known) = TABLES.iter().find(|t| t.name == table) else {
            return Err(StoreError::Corrupt(format!("unknown table {table:?}")));
        };
        if self.batch_table != Some(known.name) || self.batch.len() >= BATCH {
            self.flush().await?;
            self.batch_table = Some(known.name);
        }
        self.batch.push(row);
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        let Some(table) = self.batch_table else {
            return Ok(());
        };
        if self.batch.is_empty() {
            return Ok(());
        }
        let rows = serde_json::Value::Array(std::mem::take(&mut self.batch));
        let cols = &self.columns[table];
        let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
        let sql = match self.tx.backend() {
            BackendKind::Postgres => format!(
                "INSERT INTO {table} ({0}) SELECT {0} FROM json_populate_recordset(NULL::{table}, $1::json)",
                quoted.join(", ")
            ),
            BackendKind::Sqlite => {
                let extract: Vec<String> = cols
                    .iter()
                    .map(|c| format!("json_extract(value, '$.\"{c}\"')"))
                    .collect();
                format!(
                    "INSERT INTO {table} ({}) SELECT {} FROM json_each($1)",
                    quoted.join(", "),
                    extract.join(", ")
                )
            }
        };
        let text = rows.to_string();
        on_tx!(self.tx, |c| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(text)
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// Checks the counts against `expected` and the access log's chain, then commits.
    pub async fn finish(mut self, expected: &Counts) -> Result<Counts> {
        self.flush().await?;
        for table in TABLES {
            let n: i64 = on_tx!(self.tx, |c| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM {}",
                    table.name
                )))
                .fetch_one(&mut *c)
                .await?
            });
            self.counts.0.insert(table.name.to_owned(), n as u64);
            let want = expected.0.get(table.name).copied().unwrap_or(0);
            if n as u64 != want {
                return Err(StoreError::Corrupt(format!(
                    "{}: {n} rows loaded, the backup lists {want}",
                    table.name
                )));
            }
        }
        if self.tx.backend() == BackendKind::Postgres {
            for table in TABLES.iter().filter(|t| t.by_id) {
                on_tx!(self.tx, |c| {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {0}",
                        table.name
                    )))
                    .execute(&mut *c)
                    .await?;
                });
            }
        }
        let check = crate::audit::verify(&mut self.tx).await?;
        if let Some((id, what)) = check.first_problem {
            return Err(StoreError::Corrupt(format!(
                "the restored access log does not verify at entry {id}: {what}"
            )));
        }
        self.tx.commit().await?;
        Ok(self.counts)
    }
}
