//! Assessments (AUDIT, DUDIT) and outcome follow-ups. The scores are computed in the domain and
//! stored as they were given, so that a later change of cut-off profile does not rewrite history.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use vaka_domain::assessment::{AsiArea, Assessment, Instrument, Score};
use vaka_domain::followup::{
    self, FollowUp, FollowUpRecord, FollowUpResult, FollowUpStatus, MissedReason, Outcomes,
    Timepoint,
};
use vaka_domain::ids::{AssessmentId, ClientId, FollowUpId, PlacementId, UserId};

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

fn answers_text(points: &[u8]) -> String {
    points
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn answers_from(text: &str) -> Result<Vec<u8>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| StoreError::Corrupt(format!("assessments.answers: {text:?}")))
        })
        .collect()
}

/// Stores one administered screening with its score.
pub async fn insert_assessment(
    tx: &mut Tx,
    client: ClientId,
    instrument: Instrument,
    points: &[u8],
    score: &Score,
    administered_on: NaiveDate,
    by: UserId,
) -> Result<AssessmentId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessments (client_id, instrument, answers, total, administered_on, administered_by, created_at, \
             audit_c, zone, cutoff, cutoff_basis, above_cutoff, profile) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
        )
        .bind(client.0)
        .bind(instrument.as_str())
        .bind(answers_text(points))
        .bind(i64::from(score.total))
        .bind(administered_on)
        .bind(by.0)
        .bind(now)
        .bind(score.audit_c.map(i64::from))
        .bind(score.zone.as_str())
        .bind(i64::from(score.cutoff))
        .bind(score.cutoff_basis.as_str())
        .bind(score.above_cutoff)
        .bind(score.profile.as_str())
        .fetch_one(&mut *c)
        .await?;
        Ok(AssessmentId(id))
    })
}

fn small(r: &impl RowExt, c: &str) -> Result<u8> {
    u8::try_from(r.i64(c)?).map_err(|_| StoreError::Corrupt(format!("column {c} out of range")))
}

fn opt_small(r: &impl RowExt, c: &str) -> Result<Option<u8>> {
    r.opt_i64(c)?
        .map(|v| {
            u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("column {c} out of range")))
        })
        .transpose()
}

fn assessment_from(r: &impl RowExt) -> Result<Assessment> {
    Ok(Assessment {
        id: AssessmentId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        instrument: r.parse("instrument")?,
        answers: answers_from(&r.string("answers")?)?,
        score: Score {
            total: small(r, "total")?,
            audit_c: opt_small(r, "audit_c")?,
            zone: r.parse("zone")?,
            cutoff: small(r, "cutoff")?,
            cutoff_basis: r.parse("cutoff_basis")?,
            above_cutoff: r.bool("above_cutoff")?,
            profile: r.parse("profile")?,
        },
        administered_on: r.date("administered_on")?,
        administered_by: UserId(r.i64("administered_by")?),
    })
}

/// A client's assessments, oldest first.
pub async fn assessments_for(tx: &mut Tx, client: ClientId) -> Result<Vec<Assessment>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(assessments),
            " FROM assessments WHERE client_id = $1 ORDER BY administered_on, id"
        ))
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(assessment_from).collect()
    })
}

fn ratings_text(r: &BTreeMap<AsiArea, u8>) -> String {
    let map: serde_json::Map<String, serde_json::Value> = r
        .iter()
        .map(|(a, v)| (a.as_str().to_owned(), serde_json::Value::from(*v)))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn ratings_from(text: &str) -> Result<BTreeMap<AsiArea, u8>> {
    let corrupt = || StoreError::Corrupt(format!("follow_ups.asi_ratings: {text:?}"));
    let map: BTreeMap<String, u8> = serde_json::from_str(text).map_err(|_| corrupt())?;
    map.into_iter()
        .map(|(k, v)| Ok((k.parse().map_err(|_| corrupt())?, v)))
        .collect()
}

pub(crate) fn follow_up_from(r: &impl RowExt) -> Result<FollowUp> {
    let opt_parse = |c: &str| -> Result<Option<String>> { r.opt_string(c) };
    Ok(FollowUp {
        id: FollowUpId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        placement_id: r.opt_i64("placement_id")?.map(PlacementId),
        timepoint: r.parse("timepoint")?,
        due_on: r.date("due_on")?,
        status: r.parse("status")?,
        done_on: r.opt_date("done_on")?,
        missed_reason: opt_parse("missed_reason")?
            .map(|s| {
                s.parse()
                    .map_err(|_| StoreError::Corrupt(format!("missed_reason {s:?}")))
            })
            .transpose()?,
        outcomes: Outcomes {
            days_alcohol_30: opt_small(r, "days_alcohol_30")?,
            days_drugs_30: opt_small(r, "days_drugs_30")?,
            housing: opt_parse("housing")?
                .map(|s| {
                    s.parse()
                        .map_err(|_| StoreError::Corrupt(format!("housing {s:?}")))
                })
                .transpose()?,
            occupation: opt_parse("occupation")?
                .map(|s| {
                    s.parse()
                        .map_err(|_| StoreError::Corrupt(format!("occupation {s:?}")))
                })
                .transpose()?,
            crime_30: r.opt_bool("crime_30")?,
            self_rated_health: opt_small(r, "self_rated_health")?,
            quality_of_life: opt_small(r, "quality_of_life")?,
            problematic_use: r.opt_bool("problematic_use")?,
            asi_ratings: ratings_from(&r.string("asi_ratings")?)?,
        },
    })
}

/// A client's follow-ups, by due day.
pub async fn follow_ups_for(tx: &mut Tx, client: ClientId) -> Result<Vec<FollowUp>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(follow_ups),
            " FROM follow_ups WHERE client_id = $1 ORDER BY due_on, id"
        ))
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(follow_up_from).collect()
    })
}

/// One follow-up.
pub async fn follow_up(tx: &mut Tx, id: FollowUpId) -> Result<Option<FollowUp>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(follow_ups),
            " FROM follow_ups WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(follow_up_from).transpose()
    })
}

/// Schedules intake, 6- and 12-month follow-ups for an intervention that starts on `start`
/// (none when the placement already has them).
pub async fn schedule_for_placement(
    tx: &mut Tx,
    client: ClientId,
    placement: PlacementId,
    start: NaiveDate,
) -> Result<Vec<FollowUpId>> {
    let now = crate::now();
    let mut ids = Vec::new();
    for (timepoint, due) in followup::schedule(start) {
        let id: Option<i64> = on_tx!(tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO follow_ups (client_id, placement_id, timepoint, due_on, status, created_at) \
                 SELECT $1, $2, $3, $4, 'due', $5 WHERE NOT EXISTS \
                 (SELECT 1 FROM follow_ups WHERE placement_id = $2 AND timepoint = $3) RETURNING id",
            )
            .bind(client.0)
            .bind(placement.0)
            .bind(timepoint.as_str())
            .bind(due)
            .bind(now)
            .fetch_optional(&mut *c)
            .await?
        });
        ids.extend(id.map(FollowUpId));
    }
    Ok(ids)
}

/// Records a follow-up: it completes the client's earliest still-due follow-up at that timepoint,
/// or is stored on its own when none is due (for example an intake without a placement). Any
/// open "follow-up due" alert for it is resolved with a note, in the same transaction.
pub async fn record(
    tx: &mut Tx,
    client: ClientId,
    rec: &FollowUpRecord,
    by: UserId,
) -> Result<FollowUpId> {
    let now = crate::now();
    let (status, done_on, reason, outcomes, day) = match &rec.result {
        FollowUpResult::Done { on, outcomes } => {
            (FollowUpStatus::Done, Some(*on), None, outcomes.clone(), *on)
        }
        FollowUpResult::Missed { reason, on } => (
            FollowUpStatus::Missed,
            None,
            Some(*reason),
            Outcomes::default(),
            *on,
        ),
    };
    let due: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT id FROM follow_ups WHERE client_id = $1 AND timepoint = $2 AND status = 'due' \
             ORDER BY due_on, id LIMIT 1",
        )
        .bind(client.0)
        .bind(rec.timepoint.as_str())
        .fetch_optional(&mut *c)
        .await?
    });
    let id = match due {
        Some(id) => id,
        None => on_tx!(tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO follow_ups (client_id, timepoint, due_on, status, created_at) \
                 VALUES ($1, $2, $3, 'due', $4) RETURNING id",
            )
            .bind(client.0)
            .bind(rec.timepoint.as_str())
            .bind(day)
            .bind(now)
            .fetch_one(&mut *c)
            .await?
        }),
    };
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE follow_ups SET status = $1, done_on = $2, missed_reason = $3, days_alcohol_30 = $4, \
             days_drugs_30 = $5, housing = $6, occupation = $7, crime_30 = $8, self_rated_health = $9, \
             quality_of_life = $10, problematic_use = $11, asi_ratings = $12, recorded_by = $13 \
             WHERE id = $14 AND status = 'due'",
        )
        .bind(status.as_str())
        .bind(done_on)
        .bind(reason.map(MissedReason::as_str))
        .bind(outcomes.days_alcohol_30.map(i64::from))
        .bind(outcomes.days_drugs_30.map(i64::from))
        .bind(outcomes.housing.map(|h| h.as_str()))
        .bind(outcomes.occupation.map(|o| o.as_str()))
        .bind(outcomes.crime_30)
        .bind(outcomes.self_rated_health.map(i64::from))
        .bind(outcomes.quality_of_life.map(i64::from))
        .bind(outcomes.problematic_use)
        .bind(ratings_text(&outcomes.asi_ratings))
        .bind(by.0)
        .bind(id)
        .execute(&mut *c)
        .await?;
    });
    let note = match status {
        FollowUpStatus::Missed => "Uppföljningen registrerad som ej genomförd.",
        _ => "Uppföljningen genomförd och registrerad.",
    };
    resolve_due_alert(tx, FollowUpId(id), Some(by), note).await?;
    Ok(FollowUpId(id))
}

async fn resolve_due_alert(
    tx: &mut Tx,
    id: FollowUpId,
    by: Option<UserId>,
    note: &str,
) -> Result<()> {
    crate::alerts::resolve_cause(tx, &format!("follow_up_due:follow_up:{}", id.0), by, note).await
}

/// Records as missed (`window_passed`) every follow-up of the client still due more than
/// `window_days` after its due day, and resolves their alerts. Returns what it changed.
pub async fn miss_after_window(
    tx: &mut Tx,
    client: ClientId,
    today: NaiveDate,
    window_days: i64,
) -> Result<Vec<(FollowUpId, Timepoint)>> {
    let before = followup::window_closed_before(today, window_days);
    let due: Vec<(i64, String)> = on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT id, timepoint FROM follow_ups WHERE client_id = $1 AND status = 'due' AND due_on < $2",
        )
        .bind(client.0)
        .bind(before)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| Ok((r.i64("id")?, r.string("timepoint")?)))
            .collect::<Result<Vec<_>>>()?
    });
    let mut missed = Vec::new();
    for (id, timepoint) in due {
        on_tx!(tx, |c| {
            sqlx::query(
                "UPDATE follow_ups SET status = 'missed', missed_reason = $1 WHERE id = $2 AND status = 'due'",
            )
            .bind(MissedReason::WindowPassed.as_str())
            .bind(id)
            .execute(&mut *c)
            .await?;
        });
        resolve_due_alert(
            tx,
            FollowUpId(id),
            None,
            "Uppföljningen gjordes inte i tid och är registrerad som missad.",
        )
        .await?;
        let timepoint = timepoint
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("follow_ups.timepoint {timepoint:?}")))?;
        missed.push((FollowUpId(id), timepoint));
    }
    Ok(missed)
}
