//! Fast multi-row inserts with explicit ids, for loading generated data (the demo municipality).

use chrono::{DateTime, NaiveDate, Utc};

use crate::{BackendKind, Result, Tx, on_tx};

/// One value of a row to insert. A NULL carries its type: PostgreSQL will not put a NULL bound as
/// a number into a date column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null(SqlType),
    I64(i64),
    Text(String),
    Date(NaiveDate),
    Ts(DateTime<Utc>),
    Bool(bool),
}

/// The type of a NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    I64,
    Text,
    Date,
    Ts,
    Bool,
}

/// Rust types that have a [`SqlType`], so that `Option<T>` becomes a typed NULL.
pub trait HasSqlType {
    const SQL_TYPE: SqlType;
}
impl HasSqlType for i64 {
    const SQL_TYPE: SqlType = SqlType::I64;
}
impl HasSqlType for String {
    const SQL_TYPE: SqlType = SqlType::Text;
}
impl HasSqlType for &str {
    const SQL_TYPE: SqlType = SqlType::Text;
}
impl HasSqlType for NaiveDate {
    const SQL_TYPE: SqlType = SqlType::Date;
}
impl HasSqlType for DateTime<Utc> {
    const SQL_TYPE: SqlType = SqlType::Ts;
}
impl HasSqlType for bool {
    const SQL_TYPE: SqlType = SqlType::Bool;
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<NaiveDate> for Value {
    fn from(v: NaiveDate) -> Self {
        Value::Date(v)
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Ts(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl<T: Into<Value> + HasSqlType> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null(T::SQL_TYPE), Into::into)
    }
}

/// Bound parameters per statement. Far below the limits (SQLite 32766, PostgreSQL 65535) on purpose:
/// statements of about 2000 parameters load SQLite 30% faster than ones of 30000 (docs/performance.md).
const MAX_PARAMS: usize = 2_000;

/// Inserts `rows` into `table` in as few statements as the parameter limits allow.
pub async fn insert(tx: &mut Tx, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<()> {
    let per_stmt = (MAX_PARAMS / columns.len().max(1)).max(1);
    // SQLite binds `?` by position cheaply; numbered `$n` makes its driver look each one up by name.
    let positional = tx.backend() == BackendKind::Sqlite;
    for chunk in rows.chunks(per_stmt) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            sql.push_str(if i > 0 { ",(" } else { "(" });
            for j in 0..columns.len() {
                if j > 0 {
                    sql.push(',');
                }
                n += 1;
                if positional {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
            sql.push(')');
        }
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).persistent(true);
            for row in chunk {
                for v in row {
                    q = match v {
                        Value::Null(SqlType::I64) => q.bind(None::<i64>),
                        Value::Null(SqlType::Text) => q.bind(None::<String>),
                        Value::Null(SqlType::Date) => q.bind(None::<NaiveDate>),
                        Value::Null(SqlType::Ts) => q.bind(None::<DateTime<Utc>>),
                        Value::Null(SqlType::Bool) => q.bind(None::<bool>),
                        Value::I64(x) => q.bind(*x),
                        Value::Text(x) => q.bind(x.as_str()),
                        Value::Date(x) => q.bind(*x),
                        Value::Ts(x) => q.bind(*x),
                        Value::Bool(x) => q.bind(*x),
                    };
                }
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// After inserting explicit ids on PostgreSQL, moves each identity sequence past the largest id.
pub async fn reset_sequences(tx: &mut Tx, tables: &[&str]) -> Result<()> {
    if tx.backend() != BackendKind::Postgres {
        return Ok(());
    }
    for t in tables {
        on_tx!(tx, |c| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {t}), 1))"
            )))
            .execute(&mut *c)
            .await?;
        });
    }
    Ok(())
}

/// The largest id in `table` (0 when empty).
pub async fn max_id(tx: &mut Tx, table: &str) -> Result<i64> {
    on_tx!(tx, |c| {
        let v: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(MAX(id), 0) FROM {table}"
        )))
        .fetch_one(&mut *c)
        .await?;
        Ok(v)
    })
}
