//! The municipality's own housing: units, who lives where (placements with a unit), incidents and
//! the waiting list.

use chrono::NaiveDate;
use vaka_domain::housing::{IncidentKind, Tenancy};
use vaka_domain::ids::{ClientId, HousingUnitId, MunicipalityId, PlacementId, UserId};
use vaka_domain::money::Money;
use vaka_domain::provider::{HousingKind, HousingUnit};

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

pub async fn insert_unit(tx: &mut Tx, u: &HousingUnit) -> Result<HousingUnitId> {
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO housing_units (municipality_id, kind, label, address, sobriety_required, monthly_cost_ore) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(u.municipality_id.0)
        .bind(u.kind.as_str())
        .bind(&u.label)
        .bind(&u.address)
        .bind(u.sobriety_required)
        .bind(u.monthly_cost.0)
        .fetch_one(&mut *c)
        .await?;
        Ok(HousingUnitId(id))
    })
}

fn unit_from(r: &impl RowExt) -> Result<HousingUnit> {
    Ok(HousingUnit {
        id: HousingUnitId(r.i64("id")?),
        municipality_id: MunicipalityId(r.i64("municipality_id")?),
        kind: r.parse("kind")?,
        label: r.string("label")?,
        address: r.opt_string("address")?,
        sobriety_required: r.bool("sobriety_required")?,
        monthly_cost: Money(r.i64("monthly_cost_ore")?),
    })
}

pub async fn units(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<HousingUnit>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(housing_units),
            " FROM housing_units WHERE municipality_id = $1 AND active ORDER BY kind, label, id"
        ))
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(unit_from).collect()
    })
}

pub async fn unit(tx: &mut Tx, id: HousingUnitId) -> Result<Option<HousingUnit>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(housing_units),
            " FROM housing_units WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(unit_from).transpose()
    })
}

/// One stay in a unit, with its placement and client (shown only to those who may see the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    pub tenancy: Tenancy,
    pub placement_id: PlacementId,
    pub client_id: ClientId,
}

/// Every stay in the municipality's units that overlaps `from..=to`.
pub async fn occupants(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Occupant>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT p.id, p.client_id, p.housing_unit_id, p.start_date, p.end_date FROM placements p \
             JOIN housing_units u ON u.id = p.housing_unit_id \
             WHERE u.municipality_id = $1 AND p.start_date <= $3 AND (p.end_date IS NULL OR p.end_date >= $2) \
             ORDER BY p.housing_unit_id, p.start_date",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Occupant {
                    tenancy: Tenancy {
                        unit_id: r.i64("housing_unit_id")?,
                        start: r.date("start_date")?,
                        end: r.opt_date("end_date")?,
                    },
                    placement_id: PlacementId(r.i64("id")?),
                    client_id: ClientId(r.i64("client_id")?),
                })
            })
            .collect()
    })
}

pub async fn insert_incident(
    tx: &mut Tx,
    placement: PlacementId,
    client: ClientId,
    on: NaiveDate,
    kind: IncidentKind,
    note: Option<&str>,
    by: UserId,
) -> Result<i64> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO housing_incidents (placement_id, client_id, occurred_on, kind, note, created_at, created_by) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        )
        .bind(placement.0)
        .bind(client.0)
        .bind(on)
        .bind(kind.as_str())
        .bind(note)
        .bind(now)
        .bind(by.0)
        .fetch_one(&mut *c)
        .await?;
        Ok(id)
    })
}

/// Incidents per intervention type of the placement, in `from..=to`.
pub async fn incident_counts(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, String, i64)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT p.intervention, i.kind, COUNT(*) AS n FROM housing_incidents i JOIN placements p ON p.id = i.placement_id \
             JOIN clients c ON c.id = i.client_id WHERE c.municipality_id = $1 AND i.occurred_on BETWEEN $2 AND $3 \
             GROUP BY p.intervention, i.kind ORDER BY p.intervention, i.kind",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| Ok((r.string("intervention")?, r.string("kind")?, r.i64("n")?)))
            .collect()
    })
}

/// One person waiting for a flat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: i64,
    pub client_id: ClientId,
    pub kind: HousingKind,
    pub added_on: NaiveDate,
    pub removed_on: Option<NaiveDate>,
    pub removal_reason: Option<String>,
}

pub async fn enqueue(
    tx: &mut Tx,
    client: ClientId,
    kind: HousingKind,
    added_on: NaiveDate,
    by: UserId,
) -> Result<i64> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO housing_queue (client_id, kind, added_on, created_at, created_by) VALUES ($1,$2,$3,$4,$5) RETURNING id",
        )
        .bind(client.0)
        .bind(kind.as_str())
        .bind(added_on)
        .bind(now)
        .bind(by.0)
        .fetch_one(&mut *c)
        .await?;
        Ok(id)
    })
}

/// Takes a person off the list (housed, withdrawn...).
pub async fn dequeue(tx: &mut Tx, id: i64, on: NaiveDate, reason: &str) -> Result<bool> {
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "UPDATE housing_queue SET removed_on = $2, removal_reason = $3 WHERE id = $1 AND removed_on IS NULL",
        )
        .bind(id)
        .bind(on)
        .bind(reason)
        .execute(&mut *c)
        .await?;
        Ok(r.rows_affected() == 1)
    })
}

/// One entry of a municipality's waiting list that is still open.
pub async fn waiting(
    tx: &mut Tx,
    municipality: MunicipalityId,
    id: i64,
) -> Result<Option<Waiting>> {
    Ok(queue_where(tx, municipality, Some(id)).await?.pop())
}

/// The waiting list: everyone still waiting, longest first.
pub async fn queue(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<Waiting>> {
    queue_where(tx, municipality, None).await
}

async fn queue_where(
    tx: &mut Tx,
    municipality: MunicipalityId,
    id: Option<i64>,
) -> Result<Vec<Waiting>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(housing_queue, "q."),
            " FROM housing_queue q JOIN clients c ON c.id = q.client_id \
             WHERE c.municipality_id = $1 AND q.removed_on IS NULL AND ($2 IS NULL OR q.id = $2) \
             ORDER BY q.added_on, q.id"
        ))
        .bind(municipality.0)
        .bind(id)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Waiting {
                    id: r.i64("id")?,
                    client_id: ClientId(r.i64("client_id")?),
                    kind: r.parse("kind")?,
                    added_on: r.date("added_on")?,
                    removed_on: r.opt_date("removed_on")?,
                    removal_reason: r.opt_string("removal_reason")?,
                })
            })
            .collect()
    })
}
