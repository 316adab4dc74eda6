//! Typed column access that reads the same on SQLite and PostgreSQL rows.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use std::str::FromStr;

use crate::{Result, StoreError};

pub(crate) trait RowExt {
    fn i64(&self, c: &str) -> Result<i64>;
    fn opt_i64(&self, c: &str) -> Result<Option<i64>>;
    fn string(&self, c: &str) -> Result<String>;
    fn opt_string(&self, c: &str) -> Result<Option<String>>;
    fn date(&self, c: &str) -> Result<NaiveDate>;
    fn opt_date(&self, c: &str) -> Result<Option<NaiveDate>>;
    fn ts(&self, c: &str) -> Result<DateTime<Utc>>;
    fn opt_ts(&self, c: &str) -> Result<Option<DateTime<Utc>>>;
    fn bool(&self, c: &str) -> Result<bool>;
    fn opt_bool(&self, c: &str) -> Result<Option<bool>>;

    /// A column holding one of a `string_enum!`'s names.
    fn parse<T: FromStr>(&self, c: &str) -> Result<T> {
        let s = self.string(c)?;
        s.parse()
            .map_err(|_| StoreError::Corrupt(format!("column {c}: unexpected value {s:?}")))
    }
}

macro_rules! impl_row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            // PostgreSQL types a computed integer (a CASE, a MAX over one) as INT4, a column as
            // INT8; SQLite has one integer type. Both are read as i64.
            fn i64(&self, c: &str) -> Result<i64> {
                match self.try_get::<i64, _>(c) {
                    Err(sqlx::Error::ColumnDecode { .. }) => {
                        Ok(i64::from(self.try_get::<i32, _>(c)?))
                    }
                    other => Ok(other?),
                }
            }
            fn opt_i64(&self, c: &str) -> Result<Option<i64>> {
                match self.try_get::<Option<i64>, _>(c) {
                    Err(sqlx::Error::ColumnDecode { .. }) => {
                        Ok(self.try_get::<Option<i32>, _>(c)?.map(i64::from))
                    }
                    other => Ok(other?),
                }
            }
            fn string(&self, c: &str) -> Result<String> {
                Ok(self.try_get(c)?)
            }
            fn opt_string(&self, c: &str) -> Result<Option<String>> {
                Ok(self.try_get(c)?)
            }
            fn date(&self, c: &str) -> Result<NaiveDate> {
                Ok(self.try_get(c)?)
            }
            fn opt_date(&self, c: &str) -> Result<Option<NaiveDate>> {
                Ok(self.try_get(c)?)
            }
            fn ts(&self, c: &str) -> Result<DateTime<Utc>> {
                Ok(self.try_get(c)?)
            }
            fn opt_ts(&self, c: &str) -> Result<Option<DateTime<Utc>>> {
                Ok(self.try_get(c)?)
            }
            fn bool(&self, c: &str) -> Result<bool> {
                Ok(self.try_get(c)?)
            }
            fn opt_bool(&self, c: &str) -> Result<Option<bool>> {
                Ok(self.try_get(c)?)
            }
        }
    };
}

impl_row_ext!(sqlx::sqlite::SqliteRow);
impl_row_ext!(sqlx::postgres::PgRow);
