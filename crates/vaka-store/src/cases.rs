//! Cases and their case-manager assignments.

use chrono::NaiveDate;
use vaka_domain::case::{Assignment, Case, CaseOrigin, Closure};
use vaka_domain::ids::{CaseId, ClientId, MunicipalityId, UnitId, UserId};

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

pub async fn open(
    tx: &mut Tx,
    client: ClientId,
    unit: UnitId,
    opened_on: NaiveDate,
    origin: CaseOrigin,
    managers: &[UserId],
) -> Result<CaseId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (client_id, unit_id, status, origin, opened_on, created_at) VALUES ($1, $2, 'open', $3, $4, $5) RETURNING id",
        )
        .bind(client.0)
        .bind(unit.0)
        .bind(origin.as_str())
        .bind(opened_on)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        for m in managers {
            sqlx::query(
                "INSERT INTO case_assignments (case_id, user_id, assigned_on) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(m.0)
            .bind(opened_on)
            .execute(&mut *c)
            .await?;
        }
        Ok(CaseId(id))
    })
}

/// Closes an open case and ends its assignments on the same day. `false` when the case is not
/// open (already closed, or no such case): nothing is changed then.
pub async fn close(tx: &mut Tx, id: CaseId, closure: &Closure) -> Result<bool> {
    on_tx!(tx, |c| {
        let changed = sqlx::query(
            "UPDATE cases SET status = 'closed', closed_on = $2, closure_reason = $3, closure_note = $4 \
             WHERE id = $1 AND status = 'open'",
        )
        .bind(id.0)
        .bind(closure.closed_on)
        .bind(closure.reason.as_str())
        .bind(&closure.note)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        sqlx::query(END_ASSIGNMENTS)
            .bind(id.0)
            .bind(closure.closed_on)
            .execute(&mut *c)
            .await?;
        // The client's alerts go to whoever still follows the client in another open case, or to
        // no one (an alert left open then escalates to the unit head).
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT a.user_id FROM cases k JOIN case_assignments a ON a.case_id = k.id \
             WHERE k.client_id = (SELECT client_id FROM cases WHERE id = $1) AND k.status = 'open' \
             AND a.unassigned_on IS NULL ORDER BY k.opened_on DESC, a.user_id LIMIT 1",
        )
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        sqlx::query(HAND_OVER_ALERTS)
            .bind(id.0)
            .bind(next)
            .execute(&mut *c)
            .await?;
        Ok(true)
    })
}

/// Makes `manager` the case's only case manager from `on`: the current assignments end that day.
/// `false` when the case is not open: nothing is changed then.
pub async fn reassign(tx: &mut Tx, id: CaseId, manager: UserId, on: NaiveDate) -> Result<bool> {
    if !is_open(tx, id).await? {
        return Ok(false);
    }
    on_tx!(tx, |c| {
        sqlx::query(END_ASSIGNMENTS)
            .bind(id.0)
            .bind(on)
            .execute(&mut *c)
            .await
            .map(|_| ())
    })?;
    assign(tx, id, manager, on).await?;
    hand_over_alerts(tx, id, manager).await?;
    Ok(true)
}

/// Adds `manager` to the case's current case managers from `on` (the others stay); false when the
/// case is not open. Alerts about the client that are no one's become theirs.
pub async fn add_manager(tx: &mut Tx, id: CaseId, manager: UserId, on: NaiveDate) -> Result<bool> {
    if !is_open(tx, id).await? {
        return Ok(false);
    }
    assign(tx, id, manager, on).await?;
    hand_over_alerts(tx, id, manager).await?;
    Ok(true)
}

/// Ends `manager`'s current assignment to the case on `on` (never before it began); the alerts
/// about the client that were theirs go to `successor`, unless they still follow the client in
/// another open case.
pub async fn end_manager(
    tx: &mut Tx,
    id: CaseId,
    manager: UserId,
    on: NaiveDate,
    successor: UserId,
) -> Result<()> {
    end_assignment(tx, id, manager, on).await?;
    hand_over_alerts(tx, id, successor).await
}

/// Puts `receiver` in `leaving`'s place on an open case from `on`: `leaving`'s assignment ends
/// (never before it began), `receiver` is added unless already a current case manager, anyone
/// else who shares the case keeps it, and the client's alerts that followed `leaving` go to
/// `receiver`.
pub async fn replace_manager(
    tx: &mut Tx,
    id: CaseId,
    leaving: UserId,
    receiver: UserId,
    on: NaiveDate,
) -> Result<()> {
    end_assignment(tx, id, leaving, on).await?;
    assign(tx, id, receiver, on).await?;
    hand_over_alerts(tx, id, receiver).await
}

async fn is_open(tx: &mut Tx, id: CaseId) -> Result<bool> {
    on_tx!(tx, |c| {
        let open: Option<i64> =
            sqlx::query_scalar("SELECT id FROM cases WHERE id = $1 AND status = 'open'")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?;
        Ok(open.is_some())
    })
}

/// A current assignment of `user` to the case from `on`, unless they have one. A period that
/// began and ended this very day (handed over and back at once) goes on.
async fn assign(tx: &mut Tx, id: CaseId, user: UserId, on: NaiveDate) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO case_assignments (case_id, user_id, assigned_on) SELECT $1, $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM case_assignments \
             WHERE case_id = $1 AND user_id = $2 AND unassigned_on IS NULL) \
             ON CONFLICT (case_id, user_id, assigned_on) DO UPDATE SET unassigned_on = NULL",
        )
        .bind(id.0)
        .bind(user.0)
        .bind(on)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// Ends `user`'s current assignment to the case on `on` (never before the day it began).
async fn end_assignment(tx: &mut Tx, id: CaseId, user: UserId, on: NaiveDate) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE case_assignments \
             SET unassigned_on = CASE WHEN assigned_on > $3 THEN assigned_on ELSE $3 END \
             WHERE case_id = $1 AND user_id = $2 AND unassigned_on IS NULL",
        )
        .bind(id.0)
        .bind(user.0)
        .bind(on)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

async fn hand_over_alerts(tx: &mut Tx, id: CaseId, to: UserId) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(HAND_OVER_ALERTS)
            .bind(id.0)
            .bind(Some(to.0))
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

/// Gives the unresolved alerts of case `$1`'s client to user `$2` (or to no one) where they are
/// no one's or assigned to someone who no longer follows the client in any open case: an alert is
/// read and acted on by whoever has the client, never by someone who lost access to them.
const HAND_OVER_ALERTS: &str = "UPDATE alerts SET assigned_to = $2 \
     WHERE client_id = (SELECT client_id FROM cases WHERE id = $1) AND status <> 'resolved' \
     AND (assigned_to IS NULL OR NOT EXISTS (SELECT 1 FROM cases k \
     JOIN case_assignments a ON a.case_id = k.id WHERE k.client_id = alerts.client_id \
     AND k.status = 'open' AND a.unassigned_on IS NULL AND a.user_id = alerts.assigned_to))";

/// Ends every current assignment of case `$1` on day `$2` (never before the day it began).
const END_ASSIGNMENTS: &str = "UPDATE case_assignments \
     SET unassigned_on = CASE WHEN assigned_on > $2 THEN assigned_on ELSE $2 END \
     WHERE case_id = $1 AND unassigned_on IS NULL";

/// One case with its current case managers.
pub async fn get(tx: &mut Tx, id: CaseId) -> Result<Option<Case>> {
    let client: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT client_id FROM cases WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
    });
    let Some(client) = client else {
        return Ok(None);
    };
    Ok(for_client(tx, ClientId(client))
        .await?
        .into_iter()
        .find(|k| k.id == id))
}

/// The open cases a user is a current case manager of, by id.
pub async fn open_for_manager(tx: &mut Tx, user: UserId) -> Result<Vec<CaseId>> {
    on_tx!(tx, |c| {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT k.id FROM case_assignments a JOIN cases k ON k.id = a.case_id \
             WHERE a.user_id = $1 AND a.unassigned_on IS NULL AND k.status = 'open' ORDER BY k.id",
        )
        .bind(user.0)
        .fetch_all(&mut *c)
        .await?;
        Ok(ids.into_iter().map(CaseId).collect())
    })
}

/// Who has had the case, earliest first.
/// Who has had the case, earliest first, each with their username and display name.
pub async fn assignments_named(
    tx: &mut Tx,
    id: CaseId,
) -> Result<Vec<(Assignment, String, String)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT a.user_id, a.assigned_on, a.unassigned_on, u.username, u.display_name \
             FROM case_assignments a JOIN users u ON u.id = a.user_id \
             WHERE a.case_id = $1 ORDER BY a.assigned_on, a.user_id",
        )
        .bind(id.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    Assignment {
                        user_id: UserId(r.i64("user_id")?),
                        assigned_on: r.date("assigned_on")?,
                        unassigned_on: r.opt_date("unassigned_on")?,
                    },
                    r.string("username")?,
                    r.string("display_name")?,
                ))
            })
            .collect()
    })
}

pub async fn assignments(tx: &mut Tx, id: CaseId) -> Result<Vec<Assignment>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT user_id, assigned_on, unassigned_on FROM case_assignments \
             WHERE case_id = $1 ORDER BY assigned_on, user_id",
        )
        .bind(id.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Assignment {
                    user_id: UserId(r.i64("user_id")?),
                    assigned_on: r.date("assigned_on")?,
                    unassigned_on: r.opt_date("unassigned_on")?,
                })
            })
            .collect()
    })
}

/// How the case came to the unit.
pub async fn origin(tx: &mut Tx, id: CaseId) -> Result<Option<CaseOrigin>> {
    let o: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT origin FROM cases WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
    });
    o.map(|s| {
        s.parse()
            .map_err(|_| crate::StoreError::Corrupt(format!("cases.origin: {s:?}")))
    })
    .transpose()
}

/// A client's cases, newest first, with their current case managers.
pub async fn for_client(tx: &mut Tx, client: ClientId) -> Result<Vec<Case>> {
    Ok(for_client_named(tx, client).await?.0)
}

/// A client's cases as [`for_client`], and the display names of their case managers (by user id,
/// ascending), read in one statement.
pub async fn for_client_named(
    tx: &mut Tx,
    client: ClientId,
) -> Result<(Vec<Case>, Vec<(UserId, String)>)> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(cases, "k."),
            ", a.user_id AS manager_id, u.display_name AS manager_name \
             FROM cases k LEFT JOIN case_assignments a ON a.case_id = k.id AND a.unassigned_on IS NULL \
             LEFT JOIN users u ON u.id = a.user_id \
             WHERE k.client_id = $1 ORDER BY k.opened_on DESC, k.id DESC, a.user_id"
        ))
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        let mut cases: Vec<Case> = Vec::new();
        let mut names: Vec<(UserId, String)> = Vec::new();
        for r in &rows {
            let id = CaseId(r.i64("id")?);
            if cases.last().map(|k| k.id) != Some(id) {
                cases.push(Case {
                    id,
                    client_id: ClientId(r.i64("client_id")?),
                    unit_id: UnitId(r.i64("unit_id")?),
                    status: r.parse("status")?,
                    opened_on: r.date("opened_on")?,
                    closed_on: r.opt_date("closed_on")?,
                    closure_reason: r
                        .opt_string("closure_reason")?
                        .map(|s| {
                            s.parse().map_err(|_| {
                                crate::StoreError::Corrupt(format!("cases.closure_reason: {s:?}"))
                            })
                        })
                        .transpose()?,
                    closure_note: r.opt_string("closure_note")?,
                    case_managers: Vec::new(),
                });
            }
            if let (Some(m), Some(k)) = (r.opt_i64("manager_id")?, cases.last_mut()) {
                k.case_managers.push(UserId(m));
                names.push((UserId(m), r.string("manager_name")?));
            }
        }
        names.sort_unstable_by_key(|(u, _)| u.0);
        names.dedup_by_key(|(u, _)| u.0);
        Ok((cases, names))
    })
}

/// One open case a case manager has, as a handover sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCase {
    pub id: CaseId,
    pub client_id: ClientId,
    pub opened_on: NaiveDate,
    /// The day the case manager's current assignment began.
    pub assigned_on: NaiveDate,
}

/// The open cases of `unit` that `user` is a current case manager of, by id.
pub async fn open_in_unit_for_manager(
    tx: &mut Tx,
    user: UserId,
    unit: UnitId,
) -> Result<Vec<HeldCase>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT k.id, k.client_id, k.opened_on, a.assigned_on FROM case_assignments a \
             JOIN cases k ON k.id = a.case_id WHERE a.user_id = $1 AND a.unassigned_on IS NULL \
             AND k.status = 'open' AND k.unit_id = $2 ORDER BY k.id",
        )
        .bind(user.0)
        .bind(unit.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HeldCase {
                    id: CaseId(r.i64("id")?),
                    client_id: ClientId(r.i64("client_id")?),
                    opened_on: r.date("opened_on")?,
                    assigned_on: r.date("assigned_on")?,
                })
            })
            .collect()
    })
}

/// Each user's open cases in the whole municipality, for the account list (users without any
/// are left out).
pub async fn open_counts(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<(UserId, i64)>> {
    open_counts_where(
        tx,
        "JOIN users u ON u.id = a.user_id WHERE u.municipality_id = $1",
        municipality.0,
    )
    .await
}

/// Per user, how many open cases of `unit` they are a current case manager of (users without
/// any are left out).
pub async fn open_counts_in_unit(tx: &mut Tx, unit: UnitId) -> Result<Vec<(UserId, i64)>> {
    open_counts_where(tx, "WHERE k.unit_id = $1", unit.0).await
}

/// The same, counting only the open cases whose plan has no goal yet: documentation the unit head
/// follows up.
pub async fn without_plan_counts_in_unit(tx: &mut Tx, unit: UnitId) -> Result<Vec<(UserId, i64)>> {
    open_counts_where(
        tx,
        "WHERE k.unit_id = $1 AND NOT EXISTS (SELECT 1 FROM plan_goals g WHERE g.case_id = k.id)",
        unit.0,
    )
    .await
}

/// A user's count in what [`open_counts`] or [`open_counts_in_unit`] answered (0 when absent).
pub fn count_for(counts: &[(UserId, i64)], user: UserId) -> i64 {
    counts
        .iter()
        .find(|(u, _)| *u == user)
        .map_or(0, |(_, n)| *n)
}

/// Current assignments to open cases counted per user, among those `filter` (a join and a `WHERE`
/// on `a`, `k` with one parameter, `$1`) keeps.
async fn open_counts_where(
    tx: &mut Tx,
    filter: &'static str,
    id: i64,
) -> Result<Vec<(UserId, i64)>> {
    let sql = format!(
        "SELECT a.user_id, COUNT(*) FROM case_assignments a JOIN cases k ON k.id = a.case_id \
         {filter} AND a.unassigned_on IS NULL AND k.status = 'open' \
         GROUP BY a.user_id ORDER BY a.user_id"
    );
    on_tx!(tx, |c| {
        let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&mut *c)
            .await?;
        Ok(rows.into_iter().map(|(u, n)| (UserId(u), n)).collect())
    })
}
