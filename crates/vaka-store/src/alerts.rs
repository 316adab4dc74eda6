//! Alerts: stored once per cause (a partial unique index keeps one unresolved alert per cause key),
//! acknowledged and resolved with a note.

use chrono::{DateTime, NaiveDate, Utc};
use vaka_domain::alert::rules::{Candidate, EntryFact};
use vaka_domain::alert::schedule::{FollowUpFact, PlacementFact};
use vaka_domain::alert::{Alert, AlertStatus};
use vaka_domain::ids::{AlertId, ClientId, UserId};

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

/// Stores the candidate unless an alert with the same cause was ever raised (a resolved cause stays
/// resolved; a new journal entry is a new cause). True when stored.
pub async fn raise(
    tx: &mut Tx,
    client: ClientId,
    c: &Candidate,
    assigned_to: Option<UserId>,
) -> Result<bool> {
    let now = crate::now();
    on_tx!(tx, |conn| {
        let r = sqlx::query(
            "INSERT INTO alerts (client_id, rule, severity, explanation, cause_key, status, assigned_to, created_at) \
             SELECT $1, $2, $3, $4, $5, 'open', $6, $7 WHERE NOT EXISTS (SELECT 1 FROM alerts WHERE cause_key = $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(client.0)
        .bind(c.rule.as_str())
        .bind(c.severity.as_str())
        .bind(&c.explanation)
        .bind(&c.cause_key)
        .bind(assigned_to.map(|u| u.0))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(r.rows_affected() == 1)
    })
}

/// Stores an alert about the municipality rather than a client (the budget forecast), sent to its
/// first active unit head, once per cause.
pub async fn raise_municipal(
    tx: &mut Tx,
    municipality: vaka_domain::ids::MunicipalityId,
    c: &Candidate,
) -> Result<bool> {
    let now = crate::now();
    on_tx!(tx, |conn| {
        let r = sqlx::query(
            "INSERT INTO alerts (client_id, rule, severity, explanation, cause_key, status, assigned_to, created_at) \
             SELECT NULL, $1, $2, $3, $4, 'open', (SELECT id FROM users WHERE municipality_id = $5 AND role = 'unit_head' \
             AND active ORDER BY id LIMIT 1), $6 WHERE NOT EXISTS (SELECT 1 FROM alerts WHERE cause_key = $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(c.rule.as_str())
        .bind(c.severity.as_str())
        .bind(&c.explanation)
        .bind(&c.cause_key)
        .bind(municipality.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(r.rows_affected() == 1)
    })
}

/// The SQL condition on `column` (bound as `$2`) for a status filter; `None` means "not resolved".
fn status_filter(column: &str, status: Option<AlertStatus>) -> (String, &'static str) {
    match status {
        Some(s) => (format!("{column} = $2"), s.as_str()),
        None => (format!("{column} <> $2"), AlertStatus::Resolved.as_str()),
    }
}

fn from_row(r: &impl RowExt) -> Result<Alert> {
    Ok(Alert {
        id: AlertId(r.i64("id")?),
        client_id: r.opt_i64("client_id")?.map(ClientId),
        rule: r.parse("rule")?,
        severity: r.parse("severity")?,
        explanation: r.string("explanation")?,
        cause_key: r.string("cause_key")?,
        status: r.parse("status")?,
        assigned_to: r.opt_i64("assigned_to")?.map(UserId),
        created_at: r.ts("created_at")?,
        acknowledged_at: r.opt_ts("acknowledged_at")?,
        resolved_at: r.opt_ts("resolved_at")?,
        resolution_note: r.opt_string("resolution_note")?,
        escalated: r.bool("escalated")?,
    })
}

pub async fn get(tx: &mut Tx, id: AlertId) -> Result<Option<Alert>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(alerts),
            " FROM alerts WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(from_row).transpose()
    })
}

/// A client's alerts, newest first; `None` for the status means every alert not yet resolved.
pub async fn for_client(
    tx: &mut Tx,
    client: ClientId,
    status: Option<AlertStatus>,
) -> Result<Vec<Alert>> {
    let (filter, value) = status_filter("status", status);
    on_tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            concat!(
                "SELECT ",
                cols!(alerts),
                " FROM alerts WHERE client_id = $1 AND {filter} ORDER BY id DESC"
            ),
            filter = filter
        )))
        .bind(client.0)
        .bind(value)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// A client's resolved alerts raised since `since`, newest first, at most `limit`: the timeline's
/// history, bounded however long the file is.
pub async fn resolved_since(
    tx: &mut Tx,
    client: ClientId,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Alert>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(alerts),
            " FROM alerts WHERE client_id = $1 AND status = 'resolved' AND created_at >= $2 \
             ORDER BY id DESC LIMIT $3"
        ))
        .bind(client.0)
        .bind(since)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// Alerts assigned to a user, newest first (not resolved unless asked for).
pub async fn assigned_to(
    tx: &mut Tx,
    user: UserId,
    status: Option<AlertStatus>,
) -> Result<Vec<Alert>> {
    let (filter, value) = status_filter("status", status);
    on_tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            concat!(
                "SELECT ",
                cols!(alerts),
                " FROM alerts WHERE assigned_to = $1 AND {filter} ORDER BY id DESC LIMIT 500"
            ),
            filter = filter
        )))
        .bind(user.0)
        .bind(value)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// Marks an open alert acknowledged. `Conflict` when it is not open any more.
pub async fn acknowledge(tx: &mut Tx, id: AlertId, by: UserId) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let r = sqlx::query("UPDATE alerts SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND status = 'open'")
            .bind(now)
            .bind(by.0)
            .bind(id.0)
            .execute(&mut *c)
            .await?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict("status"))
        }
    })
}

/// Resolves an alert with a note of what was done. `Conflict` when it is resolved already.
pub async fn resolve(tx: &mut Tx, id: AlertId, by: UserId, note: &str) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "UPDATE alerts SET status = 'resolved', resolved_at = $1, resolved_by = $2, resolution_note = $3, \
             acknowledged_at = COALESCE(acknowledged_at, $1), acknowledged_by = COALESCE(acknowledged_by, $2) \
             WHERE id = $4 AND status <> 'resolved'",
        )
        .bind(now)
        .bind(by.0)
        .bind(note)
        .bind(id.0)
        .execute(&mut *c)
        .await?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict("status"))
        }
    })
}

/// The journal facts the rules look at: the client's signed entries of the last `days` days.
pub async fn journal_facts(
    tx: &mut Tx,
    client: ClientId,
    since: DateTime<Utc>,
) -> Result<Vec<EntryFact>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT id, occurred_at, kind, substance_use, well_being, housing, risks, status, corrects_id FROM contacts \
             WHERE client_id = $1 AND status = 'signed' AND occurred_at >= $2 ORDER BY occurred_at, id",
        )
        .bind(client.0)
        .bind(since)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EntryFact {
                    id: r.i64("id")?,
                    occurred_at: r.ts("occurred_at")?,
                    kind: r.parse("kind")?,
                    substance_use: r.parse("substance_use")?,
                    well_being: r.opt_i64("well_being")?.and_then(|w| u8::try_from(w).ok()),
                    housing: r.parse("housing")?,
                    risks: crate::contacts::parse_list(&r.string("risks")?, "contacts.risks")?,
                    status: r.parse("status")?,
                    corrects: r.opt_i64("corrects_id")?,
                })
            })
            .collect()
    })
}

/// The intervention of the placement running on `day`, if any.
pub async fn current_intervention(
    tx: &mut Tx,
    client: ClientId,
    day: NaiveDate,
) -> Result<Option<vaka_domain::intervention::Intervention>> {
    let name: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT intervention FROM placements WHERE client_id = $1 AND start_date <= $2 AND (end_date IS NULL OR end_date >= $2) \
             ORDER BY start_date DESC LIMIT 1",
        )
        .bind(client.0)
        .bind(day)
        .fetch_optional(&mut *c)
        .await?
    });
    name.map(|n| {
        n.parse()
            .map_err(|_| StoreError::Corrupt(format!("placements.intervention: {n:?}")))
    })
    .transpose()
}

/// The assigned case manager of the client's newest open case.
pub async fn case_manager_of(tx: &mut Tx, client: ClientId) -> Result<Option<UserId>> {
    let id: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT a.user_id FROM cases k JOIN case_assignments a ON a.case_id = k.id \
             WHERE k.client_id = $1 AND k.status = 'open' AND a.unassigned_on IS NULL ORDER BY k.opened_on DESC, a.user_id LIMIT 1",
        )
        .bind(client.0)
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(id.map(UserId))
}

/// Clients with an open case, by id after `after`, at most `limit`: the scheduled check's batches.
pub async fn clients_with_open_cases(tx: &mut Tx, after: i64, limit: i64) -> Result<Vec<ClientId>> {
    on_tx!(tx, |c| {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT client_id FROM cases WHERE status = 'open' AND client_id > $1 ORDER BY client_id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        Ok(ids.into_iter().map(ClientId).collect())
    })
}

/// Marks alerts still open (not acknowledged) since before `created_before` as escalated to the unit
/// head. Returns how many.
pub async fn escalate_stale(tx: &mut Tx, created_before: DateTime<Utc>) -> Result<u64> {
    on_tx!(tx, |c| {
        let r = sqlx::query("UPDATE alerts SET escalated = $1 WHERE status = 'open' AND escalated = $2 AND created_at <= $3")
            .bind(true)
            .bind(false)
            .bind(created_before)
            .execute(&mut *c)
            .await?;
        Ok(r.rows_affected())
    })
}

/// Escalated alerts of a unit's clients, for its head (not resolved unless asked for).
pub async fn escalated_in_unit(
    tx: &mut Tx,
    unit: vaka_domain::ids::UnitId,
    status: Option<AlertStatus>,
) -> Result<Vec<Alert>> {
    let (filter, value) = status_filter("a.status", status);
    on_tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            concat!("SELECT ", cols!(alerts, "a."), " FROM alerts a JOIN clients k ON k.id = a.client_id WHERE k.unit_id = $1 AND a.escalated = $3 AND {filter} \
             ORDER BY a.id DESC LIMIT 500"), filter = filter
        )))
        .bind(unit.0)
        .bind(value)
        .bind(true)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// An escalated alert with the name of its client, for the unit head's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalatedAlert {
    pub alert: Alert,
    pub client_given_name: String,
    pub client_family_name: String,
    pub client_protection: vaka_domain::client::Protection,
}

/// The unit's escalated alerts nobody has acknowledged yet, oldest first, at most `limit`. Read
/// from the few open escalated alerts (the partial index alerts_escalated_open, migration 0014;
/// its terms are literals so that SQLite sees the index applies), each checked for the unit:
/// CROSS JOIN keeps SQLite from starting at the unit's tens of thousands of clients instead.
pub async fn escalated_open_in_unit(
    tx: &mut Tx,
    unit: vaka_domain::ids::UnitId,
    limit: i64,
) -> Result<Vec<EscalatedAlert>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(alerts, "a."),
            ", k.given_name AS client_given_name, k.family_name AS client_family_name, \
               k.protection AS client_protection \
             FROM alerts a CROSS JOIN clients k \
             WHERE k.id = a.client_id AND k.unit_id = $1 AND a.status = 'open' AND a.escalated \
             ORDER BY a.id LIMIT $2"
        ))
        .bind(unit.0)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EscalatedAlert {
                    alert: from_row(r)?,
                    client_given_name: r.string("client_given_name")?,
                    client_family_name: r.string("client_family_name")?,
                    client_protection: r.parse("client_protection")?,
                })
            })
            .collect()
    })
}

/// The client's placements that end on or after `from` (the ones the ending rule may look at),
/// each with whether a decision other than its own was made on or after its start.
pub async fn placement_facts(
    tx: &mut Tx,
    client: ClientId,
    from: NaiveDate,
) -> Result<Vec<PlacementFact>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT p.id, p.intervention, p.end_date, EXISTS (SELECT 1 FROM decisions d WHERE d.client_id = p.client_id \
             AND d.decided_on >= p.start_date AND (p.decision_id IS NULL OR d.id <> p.decision_id)) AS decided \
             FROM placements p WHERE p.client_id = $1 AND p.end_date >= $2 ORDER BY p.id",
        )
        .bind(client.0)
        .bind(from)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlacementFact {
                    id: r.i64("id")?,
                    intervention: r.parse("intervention")?,
                    end: r.opt_date("end_date")?,
                    follow_up_decision: r.bool("decided")?,
                })
            })
            .collect()
    })
}

/// Resolves the unresolved alert of one cause (what it was about has been done), noting what, as
/// `by` (`None`: the system).
pub async fn resolve_cause(tx: &mut Tx, key: &str, by: Option<UserId>, note: &str) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE alerts SET status = 'resolved', resolved_at = $1, resolved_by = $2, resolution_note = $3, \
             acknowledged_at = COALESCE(acknowledged_at, $1), acknowledged_by = COALESCE(acknowledged_by, $2) \
             WHERE cause_key = $4 AND status <> 'resolved'",
        )
        .bind(now)
        .bind(by.map(|u| u.0))
        .bind(note)
        .bind(key)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// The client's outcome follow-ups still due.
pub async fn follow_up_facts(tx: &mut Tx, client: ClientId) -> Result<Vec<FollowUpFact>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT id, timepoint, due_on, status FROM follow_ups WHERE client_id = $1 AND status = 'due' ORDER BY due_on, id",
        )
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FollowUpFact {
                    id: r.i64("id")?,
                    timepoint: r.parse("timepoint")?,
                    due_on: r.date("due_on")?,
                    status: r.parse("status")?,
                })
            })
            .collect()
    })
}
