//! Applications, specialist recommendations and decisions, with the appeal that may follow.

use chrono::NaiveDate;
use vaka_domain::decision::{
    AppealRecord, Application, Communication, CommunicationParts, Decision, DecisionDraft,
    Profession, Recommendation,
};
use vaka_domain::ids::{
    ApplicationId, ClientId, DecisionId, ProviderId, RecommendationId, UnitId, UserId,
};
use vaka_domain::intervention::Intervention;

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

pub async fn insert_application(
    tx: &mut Tx,
    client: ClientId,
    intervention: Intervention,
    description: &str,
    received_on: NaiveDate,
    by: UserId,
) -> Result<ApplicationId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (client_id, intervention, description, received_on, created_at, created_by) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(client.0)
        .bind(intervention.as_str())
        .bind(description)
        .bind(received_on)
        .bind(now)
        .bind(by.0)
        .fetch_one(&mut *c)
        .await?;
        Ok(ApplicationId(id))
    })
}

/// A new recommendation; `name` and `document_ref` may be empty.
pub struct NewRecommendation<'a> {
    pub client: ClientId,
    pub intervention: Intervention,
    pub profession: Profession,
    pub recommender_name: Option<&'a str>,
    pub recommended_on: NaiveDate,
    pub document_ref: Option<&'a str>,
}

pub async fn insert_recommendation(
    tx: &mut Tx,
    r: &NewRecommendation<'_>,
    by: UserId,
) -> Result<RecommendationId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO recommendations (client_id, intervention, profession, recommender_name, recommended_on, document_ref, created_at, created_by) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        )
        .bind(r.client.0)
        .bind(r.intervention.as_str())
        .bind(r.profession.as_str())
        .bind(r.recommender_name)
        .bind(r.recommended_on)
        .bind(r.document_ref)
        .bind(now)
        .bind(by.0)
        .fetch_one(&mut *c)
        .await?;
        Ok(RecommendationId(id))
    })
}

fn application_from(r: &impl RowExt) -> Result<Application> {
    Ok(Application {
        id: ApplicationId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        case_id: r.opt_i64("case_id")?.map(vaka_domain::ids::CaseId),
        intervention: r.parse("intervention")?,
        description: r.string("description")?,
        received_on: r.date("received_on")?,
    })
}

fn recommendation_from(r: &impl RowExt) -> Result<Recommendation> {
    Ok(Recommendation {
        id: RecommendationId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        case_id: r.opt_i64("case_id")?.map(vaka_domain::ids::CaseId),
        intervention: r.parse("intervention")?,
        profession: r.parse("profession")?,
        recommender_name: r.opt_string("recommender_name")?,
        recommended_on: r.date("recommended_on")?,
        document_ref: r.opt_string("document_ref")?,
    })
}

pub async fn applications_for(tx: &mut Tx, client: ClientId) -> Result<Vec<Application>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(applications),
            " FROM applications WHERE client_id = $1 ORDER BY received_on, id"
        ))
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(application_from).collect()
    })
}

pub async fn recommendations_for(tx: &mut Tx, client: ClientId) -> Result<Vec<Recommendation>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(recommendations),
            " FROM recommendations WHERE client_id = $1 ORDER BY recommended_on, id"
        ))
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(recommendation_from).collect()
    })
}

pub async fn application(tx: &mut Tx, id: ApplicationId) -> Result<Option<Application>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(applications),
            " FROM applications WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(application_from).transpose()
    })
}

pub async fn recommendation(tx: &mut Tx, id: RecommendationId) -> Result<Option<Recommendation>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(recommendations),
            " FROM recommendations WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(recommendation_from).transpose()
    })
}

/// An application that no decision has answered yet, with its client's name as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingApplication {
    pub id: ApplicationId,
    pub client_id: ClientId,
    pub intervention: Intervention,
    pub received_on: NaiveDate,
    pub given_name: String,
    pub family_name: String,
    pub protection: vaka_domain::client::Protection,
}

/// The applications of the unit's clients that no decision has answered yet, the longest waiting
/// first: at most `limit`, and whether there are more.
pub async fn pending_in_unit(
    tx: &mut Tx,
    unit: UnitId,
    limit: i64,
) -> Result<(Vec<PendingApplication>, bool)> {
    // The waiting applications (a small partial index, in order) first, then their clients: the
    // CROSS JOIN keeps SQLite from walking every client of the unit instead (0.1 ms against 176 ms
    // at 100k clients); PostgreSQL plans it as any inner join.
    let mut list = on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT a.id, a.client_id, a.intervention, a.received_on, k.given_name, k.family_name, k.protection \
             FROM applications a CROSS JOIN clients k \
             WHERE k.id = a.client_id AND NOT a.decided AND k.unit_id = $1 \
             ORDER BY a.received_on, a.id LIMIT $2",
        )
        .bind(unit.0)
        .bind(limit + 1)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingApplication {
                    id: ApplicationId(r.i64("id")?),
                    client_id: ClientId(r.i64("client_id")?),
                    intervention: r.parse("intervention")?,
                    received_on: r.date("received_on")?,
                    given_name: r.string("given_name")?,
                    family_name: r.string("family_name")?,
                    protection: r.parse("protection")?,
                })
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let more = list.len() as i64 > limit;
    list.truncate(usize::try_from(limit).unwrap_or_default());
    Ok((list, more))
}

/// The client's latest application that no decision has answered yet.
pub async fn open_application(tx: &mut Tx, client: ClientId) -> Result<Option<Application>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(applications),
            " FROM applications a WHERE client_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = a.id) \
             ORDER BY received_on DESC, id DESC LIMIT 1"
        ))
        .bind(client.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(application_from).transpose()
    })
}

/// The client's latest recommendation that no decision has answered yet.
pub async fn open_recommendation(tx: &mut Tx, client: ClientId) -> Result<Option<Recommendation>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(recommendations),
            " FROM recommendations r WHERE client_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.recommendation_id = r.id) \
             ORDER BY recommended_on DESC, id DESC LIMIT 1"
        ))
        .bind(client.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(recommendation_from).transpose()
    })
}

/// Stores a checked decision.
pub async fn insert_decision(
    tx: &mut Tx,
    client: ClientId,
    d: &DecisionDraft,
    provider: Option<ProviderId>,
    application: Option<ApplicationId>,
    recommendation: Option<RecommendationId>,
    by: UserId,
) -> Result<DecisionId> {
    let now = crate::now();
    let columns = CommunicationParts::of(d.communication.as_ref());
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO decisions (client_id, intervention, outcome, period_start, period_end, provider_id, reasons, legal_basis, \
             application_id, recommendation_id, departure_from_application, departure_from_recommendation, decided_on, decided_by, \
             notified_on, created_at, departs_from_application, departs_from_recommendation, communicated_on, \
             communication_method, client_response, communication_omitted_reason) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22) RETURNING id",
        )
        .bind(client.0)
        .bind(d.intervention.as_str())
        .bind(d.outcome.as_str())
        .bind(d.period_start)
        .bind(d.period_end)
        .bind(provider.map(|p| p.0))
        .bind(&d.reasons)
        .bind(&d.legal_basis)
        .bind(application.map(|a| a.0))
        .bind(recommendation.map(|r| r.0))
        .bind(&d.departure_from_application)
        .bind(&d.departure_from_recommendation)
        .bind(d.decided_on)
        .bind(by.0)
        .bind(d.notified_on)
        .bind(now)
        .bind(d.departs_from_application)
        .bind(d.departs_from_recommendation)
        .bind(columns.communicated_on)
        .bind(columns.method.map(|m| m.as_str()))
        .bind(columns.response)
        .bind(columns.omitted_reason)
        .fetch_one(&mut *c)
        .await?;
        Ok(DecisionId(id))
    })
}

fn decision_from(r: &impl RowExt) -> Result<Decision> {
    Ok(Decision {
        id: DecisionId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        case_id: r.opt_i64("case_id")?.map(vaka_domain::ids::CaseId),
        intervention: r.parse("intervention")?,
        outcome: r.parse("outcome")?,
        period_start: r.opt_date("period_start")?,
        period_end: r.opt_date("period_end")?,
        provider_id: r.opt_i64("provider_id")?.map(ProviderId),
        reasons: r.string("reasons")?,
        legal_basis: r.string("legal_basis")?,
        application_id: r.opt_i64("application_id")?.map(ApplicationId),
        recommendation_id: r.opt_i64("recommendation_id")?.map(RecommendationId),
        departs_from_application: r.bool("departs_from_application")?,
        departs_from_recommendation: r.bool("departs_from_recommendation")?,
        departure_from_application: r.opt_string("departure_from_application")?,
        departure_from_recommendation: r.opt_string("departure_from_recommendation")?,
        decided_on: r.date("decided_on")?,
        decided_by: UserId(r.i64("decided_by")?),
        notified_on: r.opt_date("notified_on")?,
        appeal_received_on: r.opt_date("appeal_received_on")?,
        appeal_outcome: r
            .opt_string("appeal_outcome")?
            .map(|s| {
                s.parse()
                    .map_err(|_| crate::StoreError::Corrupt(format!("appeal_outcome {s:?}")))
            })
            .transpose()?,
        appeal_decided_on: r.opt_date("appeal_decided_on")?,
        communication: communication_from(r)?,
        created_at: r.ts("created_at")?,
    })
}

fn communication_from(r: &impl RowExt) -> Result<Option<Communication>> {
    let on = r.opt_date("communicated_on")?;
    let method = r.opt_string("communication_method")?;
    let omitted = r.opt_string("communication_omitted_reason")?;
    Ok(match (on, method, omitted) {
        (Some(on), Some(m), _) => Some(Communication::Communicated {
            on,
            method: m.parse().map_err(|_| {
                crate::StoreError::Corrupt(format!("decisions.communication_method {m:?}"))
            })?,
            response: r.opt_string("client_response")?,
        }),
        (_, _, Some(reason)) => Some(Communication::Omitted { reason }),
        _ => None,
    })
}

/// Records the kommunicering of a decision that has none yet; `Conflict("communication")` when
/// one is recorded (it is documentation of what happened, not changed afterwards).
pub async fn record_communication(tx: &mut Tx, id: DecisionId, c: &Communication) -> Result<()> {
    let parts = CommunicationParts::of(Some(c));
    on_tx!(tx, |conn| {
        let r = sqlx::query(
            "UPDATE decisions SET communicated_on = $1, communication_method = $2, client_response = $3, \
             communication_omitted_reason = $4 WHERE id = $5 AND communicated_on IS NULL \
             AND communication_omitted_reason IS NULL",
        )
        .bind(parts.communicated_on)
        .bind(parts.method.map(|m| m.as_str()))
        .bind(parts.response)
        .bind(parts.omitted_reason)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(crate::StoreError::Conflict("communication"))
        }
    })
}

pub async fn decision(tx: &mut Tx, id: DecisionId) -> Result<Option<Decision>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(decisions),
            " FROM decisions WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(decision_from).transpose()
    })
}

pub async fn decisions_for(tx: &mut Tx, client: ClientId) -> Result<Vec<Decision>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(decisions),
            " FROM decisions WHERE client_id = $1 ORDER BY decided_on, id"
        ))
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(decision_from).collect()
    })
}

/// Decisions on the clients of a unit, newest first; only those that departed when asked.
pub async fn decisions_in_unit(
    tx: &mut Tx,
    unit: UnitId,
    departures_only: bool,
    limit: i64,
) -> Result<Vec<Decision>> {
    unit_decisions(tx, unit, departures_only, None, limit).await
}

/// Decisions on the clients of a unit made in `from..=to`, newest first.
pub async fn decisions_in_unit_between(
    tx: &mut Tx,
    unit: UnitId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Decision>> {
    unit_decisions(tx, unit, false, Some((from, to)), i64::MAX).await
}

async fn unit_decisions(
    tx: &mut Tx,
    unit: UnitId,
    departures_only: bool,
    decided: Option<(NaiveDate, NaiveDate)>,
    limit: i64,
) -> Result<Vec<Decision>> {
    let departures = if departures_only {
        " AND (d.departs_from_application OR d.departs_from_recommendation)"
    } else {
        ""
    };
    let period = if decided.is_some() {
        " AND d.decided_on >= $3 AND d.decided_on <= $4"
    } else {
        ""
    };
    let filter = format!("{departures}{period}");
    let sql = format!(
        concat!(
            "SELECT ",
            cols!(decisions, "d."),
            // CROSS JOIN keeps SQLite's planner (no statistics) walking decisions_decided newest
            // first instead of sorting all of the unit's decisions; PostgreSQL plans it as a join.
            " FROM decisions d CROSS JOIN clients c WHERE c.id = d.client_id AND c.unit_id = $1{filter} \
         ORDER BY d.decided_on DESC, d.id DESC LIMIT $2"
        ),
        filter = filter
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(unit.0)
            .bind(limit);
        if let Some((from, to)) = decided {
            q = q.bind(from).bind(to);
        }
        let rows = q.fetch_all(&mut *c).await?;
        rows.iter().map(decision_from).collect()
    })
}

/// Records when the client was notified.
pub async fn set_notified(tx: &mut Tx, id: DecisionId, on: NaiveDate) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE decisions SET notified_on = $2 WHERE id = $1")
            .bind(id.0)
            .bind(on)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

/// Records an appeal, and the court's ruling when there is one.
pub async fn record_appeal(tx: &mut Tx, id: DecisionId, a: &AppealRecord) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE decisions SET appeal_received_on = $2, appeal_outcome = $3, appeal_decided_on = $4 WHERE id = $1",
        )
        .bind(id.0)
        .bind(a.received_on)
        .bind(a.outcome.map(|o| o.as_str()))
        .bind(a.decided_on)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}
