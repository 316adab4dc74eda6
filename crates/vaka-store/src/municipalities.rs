//! Municipalities (the tenants) and their organisational units.

use vaka_domain::ids::{MunicipalityId, UnitId};

use crate::row::RowExt;
use crate::{Result, Tx, conflict_on_unique, on_tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    pub id: MunicipalityId,
    pub name: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub municipality_id: MunicipalityId,
    pub name: String,
}

pub async fn create(tx: &mut Tx, name: &str, code: &str) -> Result<MunicipalityId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO municipalities (name, code, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(code)
        .bind(now)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| conflict_on_unique(e, "municipality code"))?;
        Ok(MunicipalityId(id))
    })
}

pub async fn create_unit(tx: &mut Tx, municipality: MunicipalityId, name: &str) -> Result<UnitId> {
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (municipality_id, name) VALUES ($1, $2) RETURNING id",
        )
        .bind(municipality.0)
        .bind(name)
        .fetch_one(&mut *c)
        .await?;
        Ok(UnitId(id))
    })
}

/// The first municipality, if any: a single-tenant install has exactly one.
pub async fn first(tx: &mut Tx) -> Result<Option<Municipality>> {
    on_tx!(tx, |c| {
        let row = sqlx::query("SELECT id, name, code FROM municipalities ORDER BY id LIMIT 1")
            .fetch_optional(&mut *c)
            .await?;
        row.map(|r| {
            Ok(Municipality {
                id: MunicipalityId(r.i64("id")?),
                name: r.string("name")?,
                code: r.string("code")?,
            })
        })
        .transpose()
    })
}

pub async fn units(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<Unit>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT id, municipality_id, name FROM units WHERE municipality_id = $1 ORDER BY id",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Unit {
                    id: UnitId(r.i64("id")?),
                    municipality_id: MunicipalityId(r.i64("municipality_id")?),
                    name: r.string("name")?,
                })
            })
            .collect()
    })
}

/// The municipality and first unit, created when the database has none (a fresh install).
pub async fn ensure_default(tx: &mut Tx) -> Result<(MunicipalityId, UnitId)> {
    let m = match first(tx).await? {
        Some(m) => m.id,
        None => create(tx, "Min kommun", "0000").await?,
    };
    let unit = match units(tx, m).await?.first() {
        Some(u) => u.id,
        None => create_unit(tx, m, "Enheten för vuxna med missbruk").await?,
    };
    Ok((m, unit))
}

/// Whether the database holds any municipality yet.
pub async fn is_empty(tx: &mut Tx) -> Result<bool> {
    Ok(first(tx).await?.is_none())
}

/// A municipality's name (empty when unknown).
pub async fn name(tx: &mut Tx, id: MunicipalityId) -> Result<String> {
    on_tx!(tx, |c| {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM municipalities WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?;
        Ok(name.unwrap_or_default())
    })
}

/// Every municipality's id.
pub async fn list(tx: &mut Tx) -> Result<Vec<MunicipalityId>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM municipalities ORDER BY id")
            .fetch_all(&mut *c)
            .await?
    })
    .into_iter()
    .map(MunicipalityId)
    .collect())
}
