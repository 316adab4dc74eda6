//! Vaka's storage: one repository layer over SQLite (embedded, the default) and PostgreSQL
//! (production). Each query is written once with `$n` placeholders and compiled for both backends by
//! [`on_tx!`]; each backend has its own migrations. Every operation runs inside a [`Tx`], and the
//! audit entries a transaction collects are chained into the access log right before it commits.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod columns;

pub mod alerts;
pub mod audit;
mod audit_writer;
pub mod backup;
pub mod bulk;
pub mod cases;
pub mod clients;
pub mod contacts;
pub mod decisions;
pub mod emergency;
pub mod history;
pub mod housing;
pub mod invoices;
pub mod measures;
mod migrate;
pub mod municipalities;
pub mod outcomes;
pub mod placements;
pub mod plans;
pub mod providers;
pub mod retention;
mod row;
pub mod sessions;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
pub mod tokens;
pub mod users;

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use audit::{AuditAction, AuditEntry, NewAuditEntry};

/// Storage errors. `NotFound` and `Conflict` are expected outcomes; the rest are failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("the access log could not be written: {0}")]
    AuditLog(String),
    #[error("the database was busy with other writes for too long; try again")]
    Busy,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl BackendKind {
    pub fn of_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// The writer of read requests' access-log entries, started on first use.
    audit_writer: Arc<OnceLock<audit_writer::Handle>>,
    /// SQLite has one writer at a time; its busy handler lets waiting writers sleep and retry, so
    /// under load some wait for seconds. Writers in this process queue here instead, first come
    /// first served, before they take a connection and the lock.
    write_gate: Arc<tokio::sync::Mutex<()>>,
}

/// How long a writer waits for its turn before the request fails (as SQLite's busy timeout).
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// One database transaction. Work on it, then [`Tx::commit`]; dropping it rolls back.
pub struct Tx {
    inner: TxInner,
    audit: Vec<NewAuditEntry>,
    /// Set on a read transaction ([`Store::begin_read`]): its store, whose audit writer gets the
    /// entries when it ends.
    reader: Option<Store>,
    /// A SQLite write transaction's turn at the write gate, held until it ends.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

pub(crate) enum TxInner {
    Sqlite(Held<Sqlite>),
    Postgres(Held<Postgres>),
}

/// What a [`Tx`] holds: a transaction, or (for [`Store::read_statements`]) a pooled connection on
/// which each statement runs on its own. Both dereference to the connection, so every query is
/// written once for both.
pub(crate) enum Held<DB: sqlx::Database> {
    Transaction(Transaction<'static, DB>),
    Statements(sqlx::pool::PoolConnection<DB>),
}

impl<DB: sqlx::Database> std::ops::Deref for Held<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Held::Transaction(t) => t,
            Held::Statements(c) => c,
        }
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Held<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Held::Transaction(t) => t,
            Held::Statements(c) => c,
        }
    }
}

impl<DB: sqlx::Database> Held<DB> {
    async fn commit(self) -> Result<()> {
        if let Held::Transaction(t) = self {
            t.commit().await?;
        }
        Ok(())
    }

    async fn rollback(self) -> Result<()> {
        if let Held::Transaction(t) = self {
            t.rollback().await?;
        }
        Ok(())
    }
}

/// Runs `$body` with `$p` bound to the store's pool, compiled once per backend: for a single
/// statement outside a transaction (each statement is its own).
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` with `$c` bound to the transaction's connection, compiled once per backend.
#[macro_export]
#[doc(hidden)]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::TxInner::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::TxInner::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

/// Options for connecting.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The pool's size. Default 8 (`vaka` takes `VAKA_DB_CONNECTIONS`).
    pub max_connections: u32,
    /// A statement running longer is logged as a warning (target `sqlx::query`: the SQL text and
    /// the time; never the bound values). Default 1 000 ms (`vaka` takes `VAKA_SLOW_STATEMENT_MS`).
    pub slow_statement: Duration,
    /// PostgreSQL cancels a statement running longer (`statement_timeout`), so that work nobody
    /// waits for any more (a request past its timeout) stops. `None` (the default) for commands
    /// that may run long on purpose; `vaka serve` sets its request timeout. Migrations run without
    /// it. Not applied on SQLite.
    pub statement_timeout: Option<Duration>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            slow_statement: Duration::from_millis(1000),
            statement_timeout: None,
        }
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`). Does not migrate.
    pub async fn connect(url: &str, opts: ConnectOptions) -> Result<Self> {
        let pool = match BackendKind::of_url(url)? {
            BackendKind::Sqlite => {
                let o = SqliteConnectOptions::from_str(url)?
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("temp_store", "memory")
                    .pragma("cache_size", "-65536")
                    // Reads from the mapped file: with WAL, a connection drops its page cache
                    // whenever another one has committed (the access log commits all the time),
                    // and without the map every page is then read again with a copy.
                    .pragma("mmap_size", "2147418112")
                    .page_size(8192)
                    // Rows cross from the connection's thread one message each; with room for
                    // more in flight, a report's 200k rows wait less on the hand-over.
                    .row_buffer_size(1024)
                    .disable_statement_logging()
                    .log_slow_statements(log::LevelFilter::Warn, opts.slow_statement);
                Pool::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(opts.max_connections)
                        // A file connection does not go away while idle; the ping before each
                        // use was a round trip to the connection's thread per request.
                        .test_before_acquire(false)
                        .connect_with(o)
                        .await?,
                )
            }
            BackendKind::Postgres => {
                let mut o = PgConnectOptions::from_str(url)?
                    .disable_statement_logging()
                    .log_slow_statements(log::LevelFilter::Warn, opts.slow_statement);
                if let Some(limit) = opts.statement_timeout {
                    let ms = limit.as_millis().max(1).to_string();
                    o = o.options([("statement_timeout", ms.as_str())]);
                }
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(opts.max_connections)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(o)
                        .await?,
                )
            }
        };
        Ok(Self {
            pool,
            audit_writer: Arc::new(OnceLock::new()),
            write_gate: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with(url, ConnectOptions::default()).await
    }

    /// [`Store::open`] with these options.
    pub async fn open_with(url: &str, opts: ConnectOptions) -> Result<Self> {
        if BackendKind::of_url(url)? == BackendKind::Sqlite {
            // Migrate on a connection of its own, then open the pool, so that no pooled connection
            // starts with the schema as it was before (see `columns`).
            let migrator = Self::connect(
                url,
                ConnectOptions {
                    max_connections: 1,
                    ..opts.clone()
                },
            )
            .await?;
            let migrated = migrator.migrate().await;
            migrator.close().await;
            migrated?;
            return Self::connect(url, opts).await;
        }
        if opts.statement_timeout.is_some() {
            // A migration may build an index over millions of rows: no statement limit for it.
            let migrator = Self::connect(
                url,
                ConnectOptions {
                    max_connections: 1,
                    statement_timeout: None,
                    ..opts.clone()
                },
            )
            .await?;
            let migrated = migrator.migrate().await;
            migrator.close().await;
            migrated?;
            return Self::connect(url, opts).await;
        }
        let store = Self::connect(url, opts).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> BackendKind {
        match self.pool {
            Pool::Sqlite(_) => BackendKind::Sqlite,
            Pool::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Applies the migrations not yet applied, each in its own transaction. Returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        migrate::run(self).await
    }

    /// Migrates up to schema version `version` only (restoring an older backup).
    pub async fn migrate_to(&self, version: i64) -> Result<usize> {
        if version > migrate::newest() {
            return Err(StoreError::Corrupt(format!(
                "schema version {version} is newer than this Vaka ({}); restore with a newer Vaka",
                migrate::newest()
            )));
        }
        migrate::run_to(self, version).await
    }

    /// Starts a write transaction on `pool` (the audit writer has only the pool).
    async fn begin_on(pool: &Pool, gate: &Arc<tokio::sync::Mutex<()>>) -> Result<Tx> {
        let (inner, turn) = match pool {
            Pool::Sqlite(p) => {
                let turn = tokio::time::timeout(WRITE_WAIT, gate.clone().lock_owned())
                    .await
                    .map_err(|_| StoreError::Busy)?;
                (
                    TxInner::Sqlite(Held::Transaction(p.begin_with("BEGIN IMMEDIATE").await?)),
                    Some(turn),
                )
            }
            Pool::Postgres(p) => (TxInner::Postgres(Held::Transaction(p.begin().await?)), None),
        };
        Ok(Tx {
            inner,
            audit: Vec::new(),
            reader: None,
            _turn: turn,
        })
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): every
    /// request writes at least its audit entry, and a deferred transaction that upgrades later can
    /// fail with "database is locked" instead of waiting.
    pub async fn begin(&self) -> Result<Tx> {
        Self::begin_on(&self.pool, &self.write_gate).await
    }

    /// Starts a transaction that only reads. On SQLite it does not take the write lock. Write
    /// nothing in it but audit entries: its commit ends the read and has the entries written by the
    /// audit writer (see [`Tx::finish_read`]); any other write would be rolled back.
    pub async fn begin_read(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(Held::Transaction(p.begin().await?)),
            Pool::Postgres(p) => TxInner::Postgres(Held::Transaction(p.begin().await?)),
        };
        Ok(self.reading(inner))
    }

    /// Like [`Store::begin_read`], but without a transaction: each statement runs on its own and
    /// sees what was committed when it ran. For a page whose statements do not have to agree with
    /// each other (the caseload and the alert settings; the client page, whose journal, alerts and
    /// placements may each be a moment apart): it spares the BEGIN and the ROLLBACK, two
    /// round trips to the database (on SQLite, to the connection's thread) per request. Write
    /// nothing through it but audit entries: a statement that wrote would commit on its own.
    pub async fn read_statements(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(Held::Statements(p.acquire().await?)),
            Pool::Postgres(p) => TxInner::Postgres(Held::Statements(p.acquire().await?)),
        };
        Ok(self.reading(inner))
    }

    /// A read on `inner` whose audit entries go to this store's audit writer when it ends.
    fn reading(&self, inner: TxInner) -> Tx {
        Tx {
            inner,
            audit: Vec::new(),
            reader: Some(self.clone()),
            _turn: None,
        }
    }

    /// Answers whether the database can be reached.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(&self.pool, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(drop)?);
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(&self.pool, |p| p.close().await)
    }
}

impl Tx {
    /// Records an audit entry; it is written, chained, when the transaction commits.
    pub fn audit(&mut self, entry: NewAuditEntry) {
        self.audit.push(entry);
    }

    /// Writes the collected audit entries and commits, as one unit. A read transaction ends as
    /// [`Tx::finish_read`] does.
    pub async fn commit(mut self) -> Result<()> {
        if let Some(store) = self.reader.take() {
            return self.finish_read(&store).await;
        }
        let entries = std::mem::take(&mut self.audit);
        if !entries.is_empty() {
            audit::append(&mut self, entries).await?;
        }
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Ends a read transaction (from [`Store::begin_read`]) and then has its collected audit
    /// entries written by the store's audit writer, which appends the entries of every request
    /// waiting at that moment in one write transaction (group commit). The caller answers only
    /// after this returns, so no data leaves without its log entry being committed, while reads
    /// never hold SQLite's single write lock or queue for it one by one.
    pub async fn finish_read(mut self, store: &Store) -> Result<()> {
        let entries = std::mem::take(&mut self.audit);
        self.rollback().await?;
        if entries.is_empty() {
            return Ok(());
        }
        store
            .audit_writer
            .get_or_init(|| audit_writer::start(store.pool.clone(), store.write_gate.clone()))
            .write(entries)
            .await
    }

    /// Ends the transaction without writing anything, audit entries included.
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> BackendKind {
        match self.inner {
            TxInner::Sqlite(_) => BackendKind::Sqlite,
            TxInner::Postgres(_) => BackendKind::Postgres,
        }
    }
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_on_unique(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

/// The current time, truncated to microseconds so that it reads back equal on both backends.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let t = chrono::Utc::now();
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}
