//! Clients: registration, reading, listing within a scope, and how a user stands to a client.

use chrono::NaiveDate;
use vaka_domain::access::Relation;
use vaka_domain::alert::Severity;
use vaka_domain::client::{Client, NewClient};
use vaka_domain::ids::{ClientId, MunicipalityId, UnitId, UserId};
use vaka_domain::personal_number::PersonalNumber;
use vaka_domain::role::User;

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, conflict_on_unique, on_tx};

pub async fn insert(
    tx: &mut Tx,
    municipality: MunicipalityId,
    unit: UnitId,
    c: &NewClient,
    created_by: Option<UserId>,
) -> Result<ClientId> {
    let now = crate::now();
    let kind = c.personal_number.kind().as_str();
    on_tx!(tx, |conn| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clients (municipality_id, unit_id, personal_number, number_kind, given_name, family_name, birth_date, sex, \
             protection, address, phone, created_at, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
        )
        .bind(municipality.0)
        .bind(unit.0)
        .bind(c.personal_number.canonical())
        .bind(kind)
        .bind(&c.given_name)
        .bind(&c.family_name)
        .bind(c.birth_date)
        .bind(c.sex.as_str())
        .bind(c.protection.as_str())
        .bind(&c.address)
        .bind(&c.phone)
        .bind(now)
        .bind(created_by.map(|u| u.0))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| conflict_on_unique(e, "personal_number"))?;
        Ok(ClientId(id))
    })
}

/// Replaces a client's details (number, names, sex, protection, address, phone); the unit and the
/// records stay. `Conflict("personal_number")` when another client has the number.
pub async fn update(tx: &mut Tx, id: ClientId, c: &NewClient) -> Result<()> {
    let kind = c.personal_number.kind().as_str();
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE clients SET personal_number = $2, number_kind = $3, given_name = $4, \
             family_name = $5, birth_date = $6, sex = $7, protection = $8, address = $9, phone = $10 \
             WHERE id = $1",
        )
        .bind(id.0)
        .bind(c.personal_number.canonical())
        .bind(kind)
        .bind(&c.given_name)
        .bind(&c.family_name)
        .bind(c.birth_date)
        .bind(c.sex.as_str())
        .bind(c.protection.as_str())
        .bind(&c.address)
        .bind(&c.phone)
        .execute(&mut *conn)
        .await
        .map_err(|e| conflict_on_unique(e, "personal_number"))?;
        Ok(())
    })
}

/// Moves a client and their open cases to `unit` on day `on`: the open cases' assignments end
/// that day (the receiving unit's head names a case manager) and the unresolved alerts are no one's
/// until then. Closed cases stay where they were. `false` when the client is in `unit` already.
pub async fn transfer(tx: &mut Tx, id: ClientId, unit: UnitId, on: NaiveDate) -> Result<bool> {
    on_tx!(tx, |c| {
        let moved = sqlx::query("UPDATE clients SET unit_id = $2 WHERE id = $1 AND unit_id <> $2")
            .bind(id.0)
            .bind(unit.0)
            .execute(&mut *c)
            .await?
            .rows_affected();
        if moved == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE cases SET unit_id = $2 WHERE client_id = $1 AND status = 'open'")
            .bind(id.0)
            .bind(unit.0)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "UPDATE case_assignments \
             SET unassigned_on = CASE WHEN assigned_on > $2 THEN assigned_on ELSE $2 END \
             WHERE unassigned_on IS NULL \
             AND case_id IN (SELECT id FROM cases WHERE client_id = $1 AND status = 'open')",
        )
        .bind(id.0)
        .bind(on)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "UPDATE alerts SET assigned_to = NULL WHERE client_id = $1 AND status <> 'resolved'",
        )
        .bind(id.0)
        .execute(&mut *c)
        .await?;
        Ok(true)
    })
}

pub(crate) fn from_row(r: &impl RowExt, today: NaiveDate) -> Result<Client> {
    let pn = r.string("personal_number")?;
    Ok(Client {
        id: ClientId(r.i64("id")?),
        municipality_id: MunicipalityId(r.i64("municipality_id")?),
        unit_id: UnitId(r.i64("unit_id")?),
        personal_number: PersonalNumber::from_canonical(&pn, today)
            .map_err(|e| StoreError::Corrupt(format!("client personal_number: {e:?}")))?,
        given_name: r.string("given_name")?,
        family_name: r.string("family_name")?,
        birth_date: r.date("birth_date")?,
        sex: r.parse("sex")?,
        protection: r.parse("protection")?,
        address: r.opt_string("address")?,
        phone: r.opt_string("phone")?,
        created_at: r.ts("created_at")?,
    })
}

/// The client of the municipality with this personal number, and the unit it belongs to.
pub async fn by_personal_number(
    tx: &mut Tx,
    municipality: MunicipalityId,
    number: &PersonalNumber,
) -> Result<Option<(ClientId, UnitId)>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(
            "SELECT id, unit_id FROM clients WHERE municipality_id = $1 AND personal_number = $2",
        )
        .bind(municipality.0)
        .bind(number.canonical())
        .fetch_optional(&mut *c)
        .await?;
        row.map(|r| Ok((ClientId(r.i64("id")?), UnitId(r.i64("unit_id")?))))
            .transpose()
    })
}

pub async fn get(tx: &mut Tx, id: ClientId) -> Result<Option<Client>> {
    let today = vaka_domain::time::local_date(crate::now());
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(clients),
            " FROM clients WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.map(|r| from_row(&r, today)).transpose()
    })
}

/// How `user` stands to `client`; `None` when the client does not exist in the user's municipality.
pub async fn relation(tx: &mut Tx, user: &User, client: ClientId) -> Result<Option<Relation>> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let row = sqlx::query(
            "SELECT c.unit_id, EXISTS (SELECT 1 FROM cases k JOIN case_assignments a ON a.case_id = k.id \
               WHERE k.client_id = c.id AND k.status = 'open' AND a.user_id = $2 AND a.unassigned_on IS NULL) AS assigned, \
             EXISTS (SELECT 1 FROM emergency_access e WHERE e.client_id = c.id AND e.user_id = $2 AND e.expires_at > $4) AS emergency \
             FROM clients c WHERE c.id = $1 AND c.municipality_id = $3",
        )
        .bind(client.0)
        .bind(user.id.0)
        .bind(user.municipality_id.0)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?;
        row.map(|r| {
            Ok(Relation {
                assigned: r.bool("assigned")?,
                same_unit: Some(UnitId(r.i64("unit_id")?)) == user.unit_id,
                emergency: r.bool("emergency")?,
            })
        })
        .transpose()
    })
}

/// Whose clients a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Clients with an open case assigned to this user.
    AssignedTo(UserId),
    /// Clients of this unit.
    Unit(UnitId),
}

/// One page of clients, ordered by family name, given name and id; and the total in scope.
pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Client>, i64)> {
    let today = vaka_domain::time::local_date(crate::now());
    let (filter, key) = match scope {
        Scope::AssignedTo(u) => (
            "c.id IN (SELECT k.client_id FROM case_assignments a JOIN cases k ON k.id = a.case_id \
               WHERE a.user_id = $1 AND a.unassigned_on IS NULL AND k.status = 'open')",
            u.0,
        ),
        Scope::Unit(u) => ("c.unit_id = $1", u.0),
    };
    on_tx!(tx, |c| {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM clients c WHERE {filter}"
        )))
        .bind(key)
        .fetch_one(&mut *c)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            concat!("SELECT ", cols!(clients, "c."), " FROM clients c WHERE {filter} ORDER BY c.family_name, c.given_name, c.id LIMIT $2 OFFSET $3"), filter = filter
        )))
        .bind(key)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *c)
        .await?;
        let clients = rows
            .iter()
            .map(|r| from_row(r, today))
            .collect::<Result<Vec<_>>>()?;
        Ok((clients, total))
    })
}

/// A caseload line: a client with the facts a case manager looks at first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadRow {
    pub client: Client,
    pub last_contact_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_substance_use: Option<String>,
    pub last_well_being: Option<i64>,
    pub last_housing: Option<String>,
    pub current_intervention: Option<String>,
    pub open_alerts: i64,
    /// The most severe open alert.
    pub top_severity: Option<Severity>,
}

/// The order of the unit head's view (over `client_summaries s`): the most severe open alert, then
/// never contacted, then the longest since the last contact.
macro_rules! unit_order {
    () => {
        "CASE WHEN s.open_high > 0 THEN 3 WHEN s.open_medium > 0 THEN 2 WHEN s.open_low > 0 THEN 1 ELSE 0 END DESC, \
         CASE WHEN s.last_contact_at IS NULL THEN 0 ELSE 1 END, s.last_contact_at, s.client_id"
    };
}

/// A line of the unit head's view of the unit: a caseload line and who follows the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCaseloadRow {
    pub row: CaseloadRow,
    /// The display name of a case manager assigned to one of the client's open cases (the first by
    /// name); `None` when no one is: a client nobody follows.
    pub case_manager: Option<String>,
}

/// The unit's clients with an open case or an open alert, at most `limit`, chosen in the order a
/// unit head looks first: the most severe open alert, then never contacted, then the longest since
/// the last contact. The flag says whether more clients would have qualified.
pub async fn unit_caseload(
    tx: &mut Tx,
    unit: UnitId,
    limit: i64,
) -> Result<(Vec<UnitCaseloadRow>, bool)> {
    let today = vaka_domain::time::local_date(crate::now());
    // Two candidate lists, each the first `limit` of an index read in the view's order: the
    // unit's clients with open alerts (client_summaries_unit_alerts, few, sorted in memory) and
    // its open-case clients by latest contact, never contacted first (client_summaries_unit_waiting,
    // read in order). The first `limit` of both together in the view's order are the first
    // `limit` of the unit: alerts come first, and the rest follow the contact order. Both indexes
    // hold the sort columns, so no summary row is read before the choice (migration 0014); the
    // per-client subqueries run for the chosen only.
    let mut rows = on_tx!(tx, |c| {
        let rows = sqlx::query(
            concat!("WITH chosen AS (SELECT s.client_id FROM ( \
                 SELECT al.client_id, al.open_high, al.open_medium, al.open_low, al.last_contact_at FROM ( \
                   SELECT s.client_id, s.open_high, s.open_medium, s.open_low, s.last_contact_at \
                   FROM client_summaries s WHERE s.unit_id = $1 AND s.open_high + s.open_medium + s.open_low > 0 \
                   ORDER BY ", unit_order!(), " LIMIT $3) al \
                 UNION \
                 SELECT w.client_id, w.open_high, w.open_medium, w.open_low, w.last_contact_at FROM ( \
                   SELECT s.client_id, s.open_high, s.open_medium, s.open_low, s.last_contact_at \
                   FROM client_summaries s WHERE s.unit_id = $1 AND s.open_cases > 0 \
                   ORDER BY s.last_contact_at NULLS FIRST, s.client_id LIMIT $3) w) s \
               ORDER BY ", unit_order!(), " LIMIT $3) \
             SELECT ", cols!(clients, "c."), ", s.last_contact_at, s.last_substance_use, \
               s.last_well_being, s.last_housing, \
               (SELECT p.intervention FROM placements p WHERE p.client_id = c.id AND p.start_date <= $2 \
                  AND (p.end_date IS NULL OR p.end_date >= $2) ORDER BY p.start_date DESC LIMIT 1) AS current_intervention, \
               COALESCE(s.open_high + s.open_medium + s.open_low, 0) AS open_alerts, \
               CASE WHEN s.open_high > 0 THEN 3 WHEN s.open_medium > 0 THEN 2 WHEN s.open_low > 0 THEN 1 END AS top_severity, \
               (SELECT u.display_name FROM cases k JOIN case_assignments a ON a.case_id = k.id JOIN users u ON u.id = a.user_id \
                  WHERE k.client_id = c.id AND k.status = 'open' AND a.unassigned_on IS NULL \
                  ORDER BY u.display_name LIMIT 1) AS case_manager \
             FROM chosen JOIN clients c ON c.id = chosen.client_id \
             JOIN client_summaries s ON s.client_id = c.id ORDER BY ", unit_order!()),
        )
        .bind(unit.0)
        .bind(today)
        .bind(limit.saturating_add(1))
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnitCaseloadRow {
                    row: caseload_row(r, today)?,
                    case_manager: r.opt_string("case_manager")?,
                })
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok((rows, more))
}

/// The clients assigned to `user` with their latest contact, current placement and open alerts (the
/// latest contact and the alerts from `client_summaries`, which triggers keep; migration 0012).
pub async fn caseload(tx: &mut Tx, user: UserId) -> Result<Vec<CaseloadRow>> {
    let today = vaka_domain::time::local_date(crate::now());
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            concat!("SELECT ", cols!(clients, "c."), ", s.last_contact_at, s.last_substance_use, \
               s.last_well_being, s.last_housing, \
               (SELECT p.intervention FROM placements p WHERE p.client_id = c.id AND p.start_date <= $2 \
                  AND (p.end_date IS NULL OR p.end_date >= $2) ORDER BY p.start_date DESC LIMIT 1) AS current_intervention, \
               COALESCE(s.open_high + s.open_medium + s.open_low, 0) AS open_alerts, \
               CASE WHEN s.open_high > 0 THEN 3 WHEN s.open_medium > 0 THEN 2 WHEN s.open_low > 0 THEN 1 END AS top_severity \
             FROM clients c \
             LEFT JOIN client_summaries s ON s.client_id = c.id \
             WHERE c.id IN (SELECT k.client_id FROM case_assignments a JOIN cases k ON k.id = a.case_id \
                  WHERE a.user_id = $1 AND a.unassigned_on IS NULL AND k.status = 'open') \
             ORDER BY c.family_name, c.given_name, c.id"),
        )
        .bind(user.0)
        .bind(today)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(|r| caseload_row(r, today)).collect()
    })
}

fn caseload_row(r: &impl RowExt, today: NaiveDate) -> Result<CaseloadRow> {
    Ok(CaseloadRow {
        client: from_row(r, today)?,
        last_contact_at: r.opt_ts("last_contact_at")?,
        last_substance_use: r.opt_string("last_substance_use")?,
        last_well_being: r.opt_i64("last_well_being")?,
        last_housing: r.opt_string("last_housing")?,
        current_intervention: r.opt_string("current_intervention")?,
        open_alerts: r.i64("open_alerts")?,
        top_severity: match r.opt_i64("top_severity")? {
            Some(3) => Some(Severity::High),
            Some(2) => Some(Severity::Medium),
            Some(_) => Some(Severity::Low),
            None => None,
        },
    })
}
