//! Providers, their contracts with price lists and quality requirements, inspections, and the
//! annual budget per intervention type.

use std::collections::BTreeMap;

use vaka_domain::ids::{ContractId, MunicipalityId, ProviderId, UserId};
use vaka_domain::intervention::Intervention;
use vaka_domain::money::Money;
use vaka_domain::organisation_number::OrganisationNumber;
use vaka_domain::provider::{Contract, ContractPrice, Inspection, Provider, TreatmentMethod};

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

pub async fn insert(
    tx: &mut Tx,
    municipality: MunicipalityId,
    name: &str,
    org: Option<&OrganisationNumber>,
    internal: bool,
    by: UserId,
) -> Result<ProviderId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO providers (municipality_id, name, organisation_number, internal, created_at, created_by) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(municipality.0)
        .bind(name)
        .bind(org.map(|o| o.as_str()))
        .bind(internal)
        .bind(now)
        .bind(by.0)
        .fetch_one(&mut *c)
        .await?;
        Ok(ProviderId(id))
    })
}

fn provider_from(r: &impl RowExt) -> Result<Provider> {
    Ok(Provider {
        id: ProviderId(r.i64("id")?),
        municipality_id: MunicipalityId(r.i64("municipality_id")?),
        name: r.string("name")?,
        organisation_number: r
            .opt_string("organisation_number")?
            .map(|s| {
                OrganisationNumber::parse("organisation_number", &s)
                    .map_err(|_| StoreError::Corrupt(format!("organisation_number {s:?}")))
            })
            .transpose()?,
        internal: r.bool("internal")?,
    })
}

pub async fn get(tx: &mut Tx, id: ProviderId) -> Result<Option<Provider>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(providers),
            " FROM providers WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(provider_from).transpose()
    })
}

pub async fn list(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<Provider>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(providers),
            " FROM providers WHERE municipality_id = $1 ORDER BY name, id"
        ))
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(provider_from).collect()
    })
}

pub async fn by_organisation_number(
    tx: &mut Tx,
    municipality: MunicipalityId,
    org: &OrganisationNumber,
) -> Result<Option<Provider>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(providers),
            " FROM providers WHERE municipality_id = $1 AND organisation_number = $2"
        ))
        .bind(municipality.0)
        .bind(org.as_str())
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(provider_from).transpose()
    })
}

fn methods_text(methods: &[TreatmentMethod]) -> String {
    methods
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn methods_from(text: &str) -> Result<Vec<TreatmentMethod>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| StoreError::Corrupt(format!("methods {text:?}")))
        })
        .collect()
}

/// Stores a contract with its price list.
pub async fn insert_contract(tx: &mut Tx, c: &Contract) -> Result<ContractId> {
    let now = crate::now();
    let id = on_tx!(tx, |conn| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contracts (provider_id, reference, valid_from, valid_to, required_educated_staff_pct, sobriety_policy, \
             reports_results, methods, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
        )
        .bind(c.provider_id.0)
        .bind(&c.reference)
        .bind(c.valid_from)
        .bind(c.valid_to)
        .bind(c.required_educated_staff_pct.map(i64::from))
        .bind(c.sobriety_policy)
        .bind(c.reports_results)
        .bind(methods_text(&c.methods))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        for p in &c.prices {
            sqlx::query("INSERT INTO contract_prices (contract_id, intervention, daily_price_ore) VALUES ($1,$2,$3)")
                .bind(id)
                .bind(p.intervention.as_str())
                .bind(p.daily_price.0)
                .execute(&mut *conn)
                .await?;
        }
        id
    });
    Ok(ContractId(id))
}

/// A provider's contracts with their prices, oldest first.
pub async fn contracts(tx: &mut Tx, provider: ProviderId) -> Result<Vec<Contract>> {
    let (rows, prices) = on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(contracts),
            " FROM contracts WHERE provider_id = $1 ORDER BY valid_from, id"
        ))
        .bind(provider.0)
        .fetch_all(&mut *c)
        .await?;
        let prices = sqlx::query(
            "SELECT p.contract_id, p.intervention, p.daily_price_ore FROM contract_prices p \
             JOIN contracts k ON k.id = p.contract_id WHERE k.provider_id = $1 ORDER BY p.intervention",
        )
        .bind(provider.0)
        .fetch_all(&mut *c)
        .await?;
        let mut by_contract: BTreeMap<i64, Vec<ContractPrice>> = BTreeMap::new();
        for p in &prices {
            by_contract
                .entry(p.i64("contract_id")?)
                .or_default()
                .push(ContractPrice {
                    intervention: p.parse("intervention")?,
                    daily_price: Money(p.i64("daily_price_ore")?),
                });
        }
        let rows: Vec<Contract> = rows
            .iter()
            .map(|r| {
                Ok(Contract {
                    id: ContractId(r.i64("id")?),
                    provider_id: ProviderId(r.i64("provider_id")?),
                    reference: r.string("reference")?,
                    valid_from: r.date("valid_from")?,
                    valid_to: r.opt_date("valid_to")?,
                    prices: Vec::new(),
                    required_educated_staff_pct: r
                        .opt_i64("required_educated_staff_pct")?
                        .and_then(|v| u8::try_from(v).ok()),
                    sobriety_policy: r.bool("sobriety_policy")?,
                    reports_results: r.bool("reports_results")?,
                    methods: methods_from(&r.string("methods")?)?,
                })
            })
            .collect::<Result<_>>()?;
        (rows, by_contract)
    });
    Ok(rows
        .into_iter()
        .map(|mut k| {
            k.prices = prices.get(&k.id.0).cloned().unwrap_or_default();
            k
        })
        .collect())
}

pub async fn insert_inspection(
    tx: &mut Tx,
    provider: ProviderId,
    i: &Inspection,
    by: UserId,
) -> Result<i64> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO provider_inspections (provider_id, inspected_on, educated_staff_pct, methods, sobriety_policy, \
             reports_results, note, created_at, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
        )
        .bind(provider.0)
        .bind(i.on)
        .bind(i.educated_staff_pct.map(i64::from))
        .bind(methods_text(&i.methods))
        .bind(i.sobriety_policy)
        .bind(i.reports_results)
        .bind(&i.note)
        .bind(now)
        .bind(by.0)
        .fetch_one(&mut *c)
        .await?;
        Ok(id)
    })
}

/// A provider's inspections, newest first.
pub async fn inspections(tx: &mut Tx, provider: ProviderId) -> Result<Vec<Inspection>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(provider_inspections),
            " FROM provider_inspections WHERE provider_id = $1 ORDER BY inspected_on DESC, id DESC"
        ))
        .bind(provider.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Inspection {
                    on: r.date("inspected_on")?,
                    educated_staff_pct: r
                        .opt_i64("educated_staff_pct")?
                        .and_then(|v| u8::try_from(v).ok()),
                    methods: methods_from(&r.string("methods")?)?,
                    sobriety_policy: r.opt_bool("sobriety_policy")?,
                    reports_results: r.opt_bool("reports_results")?,
                    note: r.opt_string("note")?,
                })
            })
            .collect()
    })
}

/// Sets the budget of one intervention type for a year.
pub async fn put_budget(
    tx: &mut Tx,
    municipality: MunicipalityId,
    year: i32,
    intervention: Intervention,
    amount: Money,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO budgets (municipality_id, year, intervention, amount_ore) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (municipality_id, year, intervention) DO UPDATE SET amount_ore = excluded.amount_ore",
        )
        .bind(municipality.0)
        .bind(i64::from(year))
        .bind(intervention.as_str())
        .bind(amount.0)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

pub async fn budgets(
    tx: &mut Tx,
    municipality: MunicipalityId,
    year: i32,
) -> Result<BTreeMap<Intervention, Money>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT intervention, amount_ore FROM budgets WHERE municipality_id = $1 AND year = $2",
        )
        .bind(municipality.0)
        .bind(i64::from(year))
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| Ok((r.parse("intervention")?, Money(r.i64("amount_ore")?))))
            .collect()
    })
}
