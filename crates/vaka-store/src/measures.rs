//! What the evidence measures are computed from: every placement of a municipality as an episode,
//! and every signed relapse report. Pseudonymous: client ids only, no names or numbers.

use chrono::NaiveDate;
use vaka_domain::ids::MunicipalityId;
use vaka_domain::stats::measures::Episode;

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

pub async fn episodes(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<Episode>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT p.client_id, p.intervention, p.provider_id, p.start_date, p.end_date, p.end_reason \
             FROM placements p JOIN clients k ON k.id = p.client_id \
             WHERE k.municipality_id = $1 ORDER BY p.client_id, p.start_date, p.id",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
                let intervention = r.string("intervention")?;
                Ok(Episode {
                    client: r.i64("client_id")?,
                    intervention: intervention
                        .parse()
                        .map_err(|_| corrupt("intervention", &intervention))?,
                    provider: r.opt_i64("provider_id")?,
                    start: r.date("start_date")?,
                    end: r.opt_date("end_date")?,
                    end_reason: match r.opt_string("end_reason")? {
                        None => None,
                        Some(s) => Some(s.parse().map_err(|_| corrupt("end_reason", &s))?),
                    },
                })
            })
            .collect()
    })
}

/// Every signed contact that reported a relapse, as (client, local day).
pub async fn relapses(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<(i64, NaiveDate)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT x.client_id, x.occurred_at FROM contacts x JOIN clients k ON k.id = x.client_id \
             WHERE k.municipality_id = $1 AND x.status = 'signed' AND x.substance_use = 'relapse'",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.i64("client_id")?,
                    vaka_domain::time::local_date(r.ts("occurred_at")?),
                ))
            })
            .collect()
    })
}

/// The decisions made in `[from, to]`: (client, whether it departed from the application or a
/// recommendation).
pub async fn decisions(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, bool)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT d.client_id, d.departs_from_application, d.departs_from_recommendation \
             FROM decisions d JOIN clients k ON k.id = d.client_id \
             WHERE k.municipality_id = $1 AND d.decided_on >= $2 AND d.decided_on <= $3",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.i64("client_id")?,
                    r.bool("departs_from_application")? || r.bool("departs_from_recommendation")?,
                ))
            })
            .collect()
    })
}
