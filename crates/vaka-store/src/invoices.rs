//! Imported invoice rows and the reconciliation each import produced.

use chrono::{DateTime, Utc};
use vaka_domain::ids::{MunicipalityId, UserId};
use vaka_domain::invoice::{InvoiceRow, InvoicedPeriod, Reconciliation};

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

/// The periods invoiced before for some placements.
pub async fn earlier_periods(tx: &mut Tx, placements: &[i64]) -> Result<Vec<InvoicedPeriod>> {
    let mut out = Vec::new();
    for chunk in placements.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT placement_id, period_start, period_end FROM invoice_rows WHERE placement_id IN ({list})"
        );
        on_tx!(tx, |c| {
            for r in sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_all(&mut *c)
                .await?
            {
                out.push(InvoicedPeriod {
                    placement_id: r.i64("placement_id")?,
                    start: r.date("period_start")?,
                    end: r.date("period_end")?,
                });
            }
        });
    }
    Ok(out)
}

/// Stores an import: its rows and the reconciliation as JSON.
pub async fn insert_import(
    tx: &mut Tx,
    municipality: MunicipalityId,
    by: UserId,
    filename: &str,
    rows: &[InvoiceRow],
    result: &Reconciliation,
) -> Result<i64> {
    let now = crate::now();
    let json = serde_json::to_string(&result.mismatches)
        .map_err(|e| StoreError::Corrupt(format!("mismatches: {e}")))?;
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invoice_imports (municipality_id, imported_at, imported_by, filename, row_count, matched, mismatches) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        )
        .bind(municipality.0)
        .bind(now)
        .bind(by.0)
        .bind(filename)
        .bind(rows.len() as i64)
        .bind(result.matched.len() as i64)
        .bind(json)
        .fetch_one(&mut *c)
        .await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO invoice_rows (import_id, line, invoice_number, organisation_number, placement_id, period_start, \
                 period_end, days, amount_ore) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(id)
            .bind(r.line as i64)
            .bind(&r.invoice_number)
            .bind(&r.organisation_number)
            .bind(r.placement_id)
            .bind(r.period_start)
            .bind(r.period_end)
            .bind(r.days)
            .bind(r.amount.0)
            .execute(&mut *c)
            .await?;
        }
        Ok(id)
    })
}

/// One stored import, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub id: i64,
    pub imported_at: DateTime<Utc>,
    pub filename: String,
    pub rows: i64,
    pub matched: i64,
    pub mismatches: serde_json::Value,
}

/// The municipality's imports, newest first.
pub async fn imports(
    tx: &mut Tx,
    municipality: MunicipalityId,
    limit: i64,
) -> Result<Vec<ImportSummary>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(invoice_imports),
            " FROM invoice_imports WHERE municipality_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(municipality.0)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ImportSummary {
                    id: r.i64("id")?,
                    imported_at: r.ts("imported_at")?,
                    filename: r.string("filename")?,
                    rows: r.i64("row_count")?,
                    matched: r.i64("matched")?,
                    mismatches: serde_json::from_str(&r.string("mismatches")?)
                        .map_err(|e| StoreError::Corrupt(format!("mismatches: {e}")))?,
                })
            })
            .collect()
    })
}
