//! Retention (gallring) in storage: what each personal file's last entry is, the municipality's
//! retention settings, a person's rows, and removing them in one transaction with a record of what
//! went. The rules themselves are `vaka_domain::retention`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use vaka_domain::ids::{ClientId, MunicipalityId};
use vaka_domain::retention::RetentionRules;

use crate::row::RowExt;
use crate::{Result, Tx, on_tx, settings};

/// A person's tables, parents first, and the filter selecting the person's rows (`$1` = client id).
pub const PERSONAL_TABLES: &[(&str, &str)] = &[
    ("clients", "id = $1"),
    ("cases", "client_id = $1"),
    (
        "case_assignments",
        "case_id IN (SELECT id FROM cases WHERE client_id = $1)",
    ),
    ("applications", "client_id = $1"),
    ("recommendations", "client_id = $1"),
    ("decisions", "client_id = $1"),
    ("placements", "client_id = $1"),
    (
        "placement_prices",
        "placement_id IN (SELECT id FROM placements WHERE client_id = $1)",
    ),
    // The plan before the journal: an entry may name the goal it served.
    ("plan_goals", "client_id = $1"),
    ("plan_goal_reviews", "client_id = $1"),
    ("contacts", "client_id = $1"),
    ("contact_objections", "client_id = $1"),
    ("assessments", "client_id = $1"),
    ("follow_ups", "client_id = $1"),
    ("alerts", "client_id = $1"),
    ("emergency_access", "client_id = $1"),
    ("housing_incidents", "client_id = $1"),
    ("housing_queue", "client_id = $1"),
];

/// Invoice rows that name one of the person's placements: accounting records, kept (bokföringslagen)
/// but unlinked from the person when the file goes.
pub const INVOICE_ROWS: (&str, &str) = (
    "invoice_rows",
    "placement_id IN (SELECT id FROM placements WHERE client_id = $1)",
);

/// One personal file as retention sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    pub client: ClientId,
    pub municipality: MunicipalityId,
    pub birth_date: NaiveDate,
    pub last_entry: NaiveDate,
    pub open: bool,
}

const ENTRY_TIMES: &[(&str, &str)] = &[
    ("cases", "created_at"),
    ("applications", "created_at"),
    ("recommendations", "created_at"),
    ("decisions", "created_at"),
    ("placements", "created_at"),
    ("placements", "ended_at"),
    ("contacts", "created_at"),
    ("contacts", "updated_at"),
    ("contacts", "occurred_at"),
    ("contact_objections", "created_at"),
    ("plan_goals", "created_at"),
    ("plan_goal_reviews", "created_at"),
    ("assessments", "created_at"),
    ("follow_ups", "created_at"),
    ("housing_incidents", "created_at"),
    ("housing_queue", "created_at"),
];

const ENTRY_DATES: &[(&str, &str)] = &[
    ("cases", "opened_on"),
    ("cases", "closed_on"),
    ("applications", "received_on"),
    ("decisions", "decided_on"),
    ("decisions", "notified_on"),
    ("decisions", "appeal_received_on"),
    ("decisions", "appeal_decided_on"),
    ("placements", "start_date"),
    ("placements", "end_date"),
    ("assessments", "administered_on"),
    ("follow_ups", "done_on"),
    ("contact_objections", "received_on"),
    ("plan_goal_reviews", "reviewed_on"),
    ("housing_incidents", "occurred_on"),
    ("housing_queue", "removed_on"),
];

/// Every personal file with the day of its newest entry: the latest of every entry's own date and
/// the moment it was written (an imported history restarts the clock at its import: never early).
pub async fn files(tx: &mut Tx, today: NaiveDate, only: Option<ClientId>) -> Result<Vec<FileRow>> {
    let (and_client, and_id) = match only {
        Some(id) => (
            format!(" WHERE client_id = {}", id.0),
            format!(" WHERE k.id = {}", id.0),
        ),
        None => (String::new(), String::new()),
    };
    let mut last: BTreeMap<i64, NaiveDate> = BTreeMap::new();
    let mut bump = |id: i64, d: NaiveDate| {
        let e = last.entry(id).or_insert(d);
        if d > *e {
            *e = d;
        }
    };
    for (table, col) in ENTRY_TIMES {
        let rows: Vec<(i64, Option<DateTime<Utc>>)> = on_tx!(tx, |c| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT client_id, MAX({col}) AS t FROM {table}{and_client} GROUP BY client_id"
            )))
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(|r| Ok((r.i64("client_id")?, r.opt_ts("t")?)))
            .collect::<Result<Vec<_>>>()?
        });
        for (id, t) in rows {
            if let Some(t) = t {
                bump(id, t.date_naive());
            }
        }
    }
    for (table, col) in ENTRY_DATES {
        let rows: Vec<(i64, Option<NaiveDate>)> = on_tx!(tx, |c| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT client_id, MAX({col}) AS d FROM {table}{and_client} GROUP BY client_id"
            )))
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(|r| Ok((r.i64("client_id")?, r.opt_date("d")?)))
            .collect::<Result<Vec<_>>>()?
        });
        for (id, d) in rows {
            if let Some(d) = d {
                bump(id, d);
            }
        }
    }
    let clients: Vec<FileRow> = on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT k.id, k.municipality_id, k.birth_date, k.created_at, \
             EXISTS (SELECT 1 FROM cases x WHERE x.client_id = k.id AND x.closed_on IS NULL) AS open_case, \
             EXISTS (SELECT 1 FROM placements p WHERE p.client_id = k.id AND (p.end_date IS NULL OR p.end_date >= $1)) AS placed \
             FROM clients k{and_id} ORDER BY k.id"
        )))
        .bind(today)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            let id = r.i64("id")?;
            let created = r.ts("created_at")?.date_naive();
            Ok(FileRow {
                client: ClientId(id),
                municipality: MunicipalityId(r.i64("municipality_id")?),
                birth_date: r.date("birth_date")?,
                last_entry: last.get(&id).copied().map_or(created, |d| d.max(created)),
                open: r.bool("open_case")? || r.bool("placed")?,
            })
        })
        .collect::<Result<Vec<_>>>()?
    });
    Ok(clients)
}

/// Setting keys: `retention.research_municipality` (`true`/`false`), `retention.hold` (a reason: hold
/// every purge), `retention.hold_client.<id>` (a reason: hold one person's file).
pub const RESEARCH_MUNICIPALITY: &str = "retention.research_municipality";
pub const HOLD: &str = "retention.hold";
pub const HOLD_CLIENT: &str = "retention.hold_client.";

/// The municipality's retention rules and its holds on single files.
pub async fn rules(
    tx: &mut Tx,
    municipality: MunicipalityId,
) -> Result<(RetentionRules, BTreeMap<ClientId, String>)> {
    let mut rules = RetentionRules::default();
    let mut holds = BTreeMap::new();
    for (k, v) in settings::pairs(tx, municipality).await? {
        if k == RESEARCH_MUNICIPALITY {
            rules.research_municipality = v == "true";
        } else if k == HOLD {
            rules.hold = Some(v).filter(|v| !v.trim().is_empty());
        } else if let Some(Ok(id)) = k.strip_prefix(HOLD_CLIENT).map(str::parse)
            && !v.trim().is_empty()
        {
            holds.insert(ClientId(id), v);
        }
    }
    Ok((rules, holds))
}

/// Every row held about one person, table by table (parents first), each as JSON text; with the
/// invoice rows that name the person's placements.
pub async fn person_rows(
    tx: &mut Tx,
    client: ClientId,
) -> Result<Vec<(&'static str, Vec<String>)>> {
    let mut out = Vec::new();
    for (table, filter) in PERSONAL_TABLES.iter().chain([&INVOICE_ROWS]) {
        let rows = crate::backup::json_rows(tx, table, filter, client.0).await?;
        out.push((*table, rows));
    }
    Ok(out)
}

/// What a purge removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Rows per table (invoice rows: unlinked, not removed).
    pub counts: BTreeMap<&'static str, u64>,
    /// SHA-256 over every removed row (`table\trow\n`, in order): matches the archive's copy.
    pub sha256: String,
}

impl Removed {
    /// For the access log: counts and digest, no personal data.
    pub fn summary(&self) -> String {
        let counts: Vec<String> = self
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| format!("{t}={n}"))
            .collect();
        format!("{}; sha256={}", counts.join(" "), self.sha256)
    }
}

/// The digest of a person's rows as [`person_rows`] gives them.
pub fn digest(rows: &[(&'static str, Vec<String>)]) -> String {
    let mut h = Sha256::new();
    for (table, list) in rows {
        for r in list {
            h.update(table.as_bytes());
            h.update(b"\t");
            h.update(r.as_bytes());
            h.update(b"\n");
        }
    }
    hex::encode(h.finalize())
}

/// Removes one person's file: every row of [`PERSONAL_TABLES`], children first; invoice rows are
/// unlinked. The caller adds the access-log entry and commits (one transaction per person).
pub async fn remove(tx: &mut Tx, client: ClientId) -> Result<Removed> {
    let rows = person_rows(tx, client).await?;
    let sha256 = digest(&rows);
    let counts = rows
        .iter()
        .map(|(t, r)| (*t, r.len() as u64))
        .collect::<BTreeMap<_, _>>();
    on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE invoice_rows SET placement_id = NULL WHERE {}",
            INVOICE_ROWS.1
        )))
        .bind(client.0)
        .execute(&mut *c)
        .await?;
    });
    for (table, filter) in PERSONAL_TABLES.iter().rev() {
        on_tx!(tx, |c| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE {filter}"
            )))
            .bind(client.0)
            .execute(&mut *c)
            .await?;
        });
    }
    Ok(Removed { counts, sha256 })
}
