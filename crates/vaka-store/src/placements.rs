//! Placements (verkställighet) with their price changes, and the reads that cost and budget need.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use vaka_domain::budget::BudgetedStay;
use vaka_domain::ids::{
    ClientId, DecisionId, HousingUnitId, MunicipalityId, PlacementId, ProviderId, UserId,
};
use vaka_domain::intervention::Intervention;
use vaka_domain::money::Money;
use vaka_domain::placement::{EndReason, Placement, PricePeriod, Stay};

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

/// A placement to store; the price is already settled against the contract.
pub struct NewPlacement<'a> {
    pub client: ClientId,
    pub decision: Option<DecisionId>,
    pub intervention: Intervention,
    pub provider: Option<ProviderId>,
    pub housing_unit: Option<HousingUnitId>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub daily_price: Money,
    pub price_reason: Option<&'a str>,
    pub end_reason: Option<EndReason>,
}

pub async fn insert(tx: &mut Tx, p: &NewPlacement<'_>, by: UserId) -> Result<PlacementId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO placements (client_id, decision_id, intervention, provider_id, housing_unit_id, start_date, end_date, \
             daily_price_ore, price_reason, end_reason, created_at, created_by, ended_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
        )
        .bind(p.client.0)
        .bind(p.decision.map(|d| d.0))
        .bind(p.intervention.as_str())
        .bind(p.provider.map(|x| x.0))
        .bind(p.housing_unit.map(|x| x.0))
        .bind(p.start)
        .bind(p.end)
        .bind(p.daily_price.0)
        .bind(p.price_reason)
        .bind(p.end_reason.map(|r| r.as_str()))
        .bind(now)
        .bind(by.0)
        .bind(p.end_reason.map(|_| now))
        .fetch_one(&mut *c)
        .await?;
        Ok(PlacementId(id))
    })
}

fn from_row(r: &impl RowExt) -> Result<Placement> {
    Ok(Placement {
        id: PlacementId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        case_id: r.opt_i64("case_id")?.map(vaka_domain::ids::CaseId),
        decision_id: r.opt_i64("decision_id")?.map(DecisionId),
        intervention: r.parse("intervention")?,
        provider_id: r.opt_i64("provider_id")?.map(ProviderId),
        housing_unit_id: r.opt_i64("housing_unit_id")?.map(HousingUnitId),
        start: r.date("start_date")?,
        end: r.opt_date("end_date")?,
        daily_price: Money(r.i64("daily_price_ore")?),
        price_reason: r.opt_string("price_reason")?,
        end_reason: r
            .opt_string("end_reason")?
            .map(|s| {
                s.parse()
                    .map_err(|_| crate::StoreError::Corrupt(format!("end_reason {s:?}")))
            })
            .transpose()?,
    })
}

pub async fn get(tx: &mut Tx, id: PlacementId) -> Result<Option<Placement>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(placements),
            " FROM placements WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(from_row).transpose()
    })
}

pub async fn for_client(tx: &mut Tx, client: ClientId) -> Result<Vec<Placement>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(placements),
            " FROM placements WHERE client_id = $1 ORDER BY start_date, id"
        ))
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// A price change of a placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChange {
    pub from: NaiveDate,
    pub daily_price: Money,
    pub reason: String,
}

pub async fn add_price(
    tx: &mut Tx,
    placement: PlacementId,
    change: &PriceChange,
    by: UserId,
) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO placement_prices (placement_id, from_date, daily_price_ore, reason, created_at, created_by) \
             VALUES ($1,$2,$3,$4,$5,$6)",
        )
        .bind(placement.0)
        .bind(change.from)
        .bind(change.daily_price.0)
        .bind(&change.reason)
        .bind(now)
        .bind(by.0)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// The price changes of some placements, by placement, in order.
pub async fn price_changes(
    tx: &mut Tx,
    placements: &[PlacementId],
) -> Result<BTreeMap<i64, Vec<PriceChange>>> {
    let mut out: BTreeMap<i64, Vec<PriceChange>> = BTreeMap::new();
    for chunk in placements.chunks(500) {
        let list = chunk
            .iter()
            .map(|p| p.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT placement_id, from_date, daily_price_ore, reason FROM placement_prices \
             WHERE placement_id IN ({list}) ORDER BY placement_id, from_date"
        );
        on_tx!(tx, |c| {
            for r in sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_all(&mut *c)
                .await?
            {
                add_price_change(&mut out, &r)?;
            }
        });
    }
    Ok(out)
}

/// Adds a `placement_prices` row (`placement_id, from_date, daily_price_ore, reason`) to its
/// placement's changes.
fn add_price_change(out: &mut BTreeMap<i64, Vec<PriceChange>>, r: &impl RowExt) -> Result<()> {
    out.entry(r.i64("placement_id")?)
        .or_default()
        .push(PriceChange {
            from: r.date("from_date")?,
            daily_price: Money(r.i64("daily_price_ore")?),
            reason: r.string("reason")?,
        });
    Ok(())
}

/// The stay of a placement with every price it has had.
pub fn stay(p: &Placement, changes: &[PriceChange]) -> Stay {
    let mut stay = Stay::new(p.start, p.end, p.daily_price);
    stay.prices.extend(changes.iter().map(|c| PricePeriod {
        from: c.from,
        daily_price: c.daily_price,
    }));
    stay
}

/// Sets the end (planned or actual) and, when it has ended, why.
pub async fn set_end(
    tx: &mut Tx,
    id: PlacementId,
    end: NaiveDate,
    reason: Option<EndReason>,
) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE placements SET end_date = $2, end_reason = $3, ended_at = $4 WHERE id = $1",
        )
        .bind(id.0)
        .bind(end)
        .bind(reason.map(|r| r.as_str()))
        .bind(reason.map(|_| now))
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// Placements of the municipality that overlap `from..=to`, by start day, then id.
pub async fn in_municipality(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Placement>> {
    let mut list = on_tx!(tx, |c| {
        // Placements first, each client looked up by its key (CROSS JOIN fixes SQLite's order):
        // going client by client through the municipality's 100k clients and sorting the
        // result cost SQLite twice as much. Sorted here, which is cheaper than in SQL.
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(placements, "p."),
            " FROM placements p CROSS JOIN clients c \
             WHERE c.id = p.client_id AND c.municipality_id = $1 AND p.start_date <= $3 \
               AND (p.end_date IS NULL OR p.end_date >= $2)"
        ))
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect::<Result<Vec<_>>>()?
    });
    list.sort_unstable_by_key(|p| (p.start, p.id.0));
    Ok(list)
}

/// The price changes of the municipality's placements that overlap `from..=to` (the same
/// placements as [`in_municipality`]), by placement, in order: one query, where
/// [`price_changes`] asks 500 placements at a time (447 queries for a report over 223k).
pub async fn price_changes_in_municipality(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<i64, Vec<PriceChange>>> {
    let mut out: BTreeMap<i64, Vec<PriceChange>> = BTreeMap::new();
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT x.placement_id, x.from_date, x.daily_price_ore, x.reason \
             FROM placement_prices x JOIN placements p ON p.id = x.placement_id \
               JOIN clients c ON c.id = p.client_id \
             WHERE c.municipality_id = $1 AND p.start_date <= $3 \
               AND (p.end_date IS NULL OR p.end_date >= $2) \
             ORDER BY x.placement_id, x.from_date",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        for r in &rows {
            add_price_change(&mut out, r)?;
        }
    });
    Ok(out)
}

/// Every placement of the municipality that touches `year`, as the budget sees it.
pub async fn budgeted_stays(
    tx: &mut Tx,
    municipality: MunicipalityId,
    year: i32,
) -> Result<Vec<BudgetedStay>> {
    let Some((from, to)) = vaka_domain::calendar::year_days(year) else {
        return Ok(Vec::new());
    };
    let list = in_municipality(tx, municipality, from, to).await?;
    let changes = price_changes_in_municipality(tx, municipality, from, to).await?;
    Ok(list
        .iter()
        .map(|p| BudgetedStay {
            intervention: p.intervention,
            stay: stay(p, changes.get(&p.id.0).map_or(&[][..], Vec::as_slice)),
        })
        .collect())
}
