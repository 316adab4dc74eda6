//! What the evidence measures are computed from: every placement of a municipality as an episode,
//! and every signed relapse report. Pseudonymous: client ids only, no names or numbers.

use std::collections::HashMap;
use vaka_domain::decision::DecisionOutcome;

use chrono::NaiveDate;
use vaka_domain::contact::Housing;
use vaka_domain::followup::FollowUpStatus;
use vaka_domain::ids::MunicipalityId;
use vaka_domain::stats::adjusted::Person;
use vaka_domain::stats::closures::ClosedCase;
use vaka_domain::stats::goals::{FinishedGoal, OpenCase};
use vaka_domain::stats::measures::{DecisionMade, Episode, TwelveMonths};

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

pub async fn episodes(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<Episode>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT p.client_id, p.intervention, p.provider_id, p.start_date, p.end_date, p.end_reason \
             FROM placements p JOIN clients k ON k.id = p.client_id \
             WHERE k.municipality_id = $1 ORDER BY p.client_id, p.start_date, p.id",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
                let intervention = r.string("intervention")?;
                Ok(Episode {
                    client: r.i64("client_id")?,
                    intervention: intervention
                        .parse()
                        .map_err(|_| corrupt("intervention", &intervention))?,
                    provider: r.opt_i64("provider_id")?,
                    start: r.date("start_date")?,
                    end: r.opt_date("end_date")?,
                    end_reason: match r.opt_string("end_reason")? {
                        None => None,
                        Some(s) => Some(s.parse().map_err(|_| corrupt("end_reason", &s))?),
                    },
                })
            })
            .collect()
    })
}

/// Every signed contact that reported a relapse, as (client, local day).
pub async fn relapses(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<(i64, NaiveDate)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT x.client_id, x.occurred_at FROM contacts x JOIN clients k ON k.id = x.client_id \
             WHERE k.municipality_id = $1 AND x.status = 'signed' AND x.substance_use = 'relapse'",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.i64("client_id")?,
                    vaka_domain::time::local_date(r.ts("occurred_at")?),
                ))
            })
            .collect()
    })
}

/// The decisions made in `[from, to]`, each with whether it departed from the application or a
/// recommendation.
pub async fn decisions(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DecisionMade>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT d.client_id, d.decided_on, d.departs_from_application, d.departs_from_recommendation, d.outcome, \
             d.communicated_on, d.communication_omitted_reason \
             FROM decisions d JOIN clients k ON k.id = d.client_id \
             WHERE k.municipality_id = $1 AND d.decided_on >= $2 AND d.decided_on <= $3",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                let outcome: DecisionOutcome = r.parse("outcome")?;
                let against =
                    outcome != DecisionOutcome::Granted || r.bool("departs_from_application")?;
                let recorded = r.opt_date("communicated_on")?.is_some()
                    || r.opt_string("communication_omitted_reason")?.is_some();
                Ok(DecisionMade {
                    client: r.i64("client_id")?,
                    decided_on: r.date("decided_on")?,
                    departing: r.bool("departs_from_application")?
                        || r.bool("departs_from_recommendation")?,
                    against,
                    communication_missing: against && !recorded,
                })
            })
            .collect()
    })
}

/// The decisions made in `[from, to]` that answer an application, with the day it was received.
pub async fn answered(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<vaka_domain::stats::handling::Answered>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT d.client_id, a.received_on, d.decided_on FROM decisions d \
             JOIN applications a ON a.id = d.application_id JOIN clients k ON k.id = d.client_id \
             WHERE k.municipality_id = $1 AND d.decided_on >= $2 AND d.decided_on <= $3",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(vaka_domain::stats::handling::Answered {
                    client: r.i64("client_id")?,
                    applied_on: r.date("received_on")?,
                    decided_on: r.date("decided_on")?,
                })
            })
            .collect()
    })
}

/// The plans' goals of the municipality finished in `[from, to]`: the follow-ups that ended them
/// (a finished goal takes no further follow-up), pseudonymous.
pub async fn finished_goals(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<FinishedGoal>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT g.client_id, g.life_area, r.reviewed_on, r.status FROM plan_goal_reviews r \
             JOIN plan_goals g ON g.id = r.goal_id JOIN clients x ON x.id = g.client_id \
             WHERE x.municipality_id = $1 AND r.status <> 'ongoing' AND r.reviewed_on >= $2 AND r.reviewed_on <= $3",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FinishedGoal {
                    client: r.i64("client_id")?,
                    life_area: r.parse("life_area")?,
                    finished_on: r.date("reviewed_on")?,
                    status: r.parse("status")?,
                })
            })
            .collect()
    })
}

/// The cases of the municipality open on `day` (opened by then, not closed until after it), each
/// with whether its plan had a goal written by the end of that day (UTC), pseudonymous.
pub async fn open_cases_on(
    tx: &mut Tx,
    municipality: MunicipalityId,
    day: NaiveDate,
) -> Result<Vec<OpenCase>> {
    let end = (day + chrono::Duration::days(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT k.client_id, EXISTS (SELECT 1 FROM plan_goals g WHERE g.case_id = k.id AND g.created_at < $3) AS has_plan \
             FROM cases k JOIN clients x ON x.id = k.client_id \
             WHERE x.municipality_id = $1 AND k.opened_on <= $2 \
             AND (k.status = 'open' OR (k.closed_on IS NOT NULL AND k.closed_on > $2))",
        )
        .bind(municipality.0)
        .bind(day)
        .bind(end)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OpenCase {
                    client: r.i64("client_id")?,
                    has_plan: r.bool("has_plan")?,
                })
            })
            .collect()
    })
}

/// The risks reported by signed entries about contacts from `from` to `to` (local days; a day
/// around the period is read and the caller picks the days), leaving out entries that a signed
/// correction replaced.
pub async fn risk_reports(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<vaka_domain::stats::risks::RiskReport>> {
    let start = (from - chrono::Duration::days(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let end = (to + chrono::Duration::days(2))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT x.client_id, x.occurred_at, x.risks FROM contacts x JOIN clients k ON k.id = x.client_id \
             WHERE x.status = 'signed' AND x.risks <> '' AND x.occurred_at >= $2 AND x.occurred_at < $3 \
             AND k.municipality_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM contacts y WHERE y.corrects_id = x.id AND y.status = 'signed')",
        )
        .bind(municipality.0)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let client = r.i64("client_id")?;
            let on = vaka_domain::time::local_date(r.ts("occurred_at")?);
            let risks: Vec<vaka_domain::contact::Risk> =
                crate::contacts::parse_list(&r.string("risks")?, "contacts.risks")?;
            out.extend(
                risks
                    .into_iter()
                    .map(|risk| vaka_domain::stats::risks::RiskReport { client, on, risk }),
            );
        }
        Ok(out)
    })
}

/// The cases of the municipality closed in `[from, to]`, with their reason (pseudonymous).
pub async fn closed_cases(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ClosedCase>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT k.client_id, k.closed_on, k.closure_reason FROM cases k \
             JOIN clients x ON x.id = k.client_id \
             WHERE x.municipality_id = $1 AND k.status = 'closed' AND k.closed_on >= $2 AND k.closed_on <= $3",
        )
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ClosedCase {
                    client: r.i64("client_id")?,
                    closed_on: r.date("closed_on")?,
                    reason: r
                        .opt_string("closure_reason")?
                        .map(|s| {
                            s.parse().map_err(|_| {
                                StoreError::Corrupt(format!("cases.closure_reason: {s:?}"))
                            })
                        })
                        .transpose()?,
                })
            })
            .collect()
    })
}

/// Per client of the municipality: birth date, sex and the first AUDIT and DUDIT totals (the
/// case mix of the adjusted comparison). Pseudonymous: ids only.
pub async fn people(tx: &mut Tx, municipality: MunicipalityId) -> Result<HashMap<i64, Person>> {
    on_tx!(tx, |c| {
        let rows =
            sqlx::query("SELECT id, birth_date, sex FROM clients WHERE municipality_id = $1")
                .bind(municipality.0)
                .fetch_all(&mut *c)
                .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in &rows {
            let sex = r.string("sex")?;
            out.insert(
                r.i64("id")?,
                Person {
                    birth_date: r.date("birth_date")?,
                    woman: match sex.as_str() {
                        "female" => Some(true),
                        "male" => Some(false),
                        _ => None,
                    },
                    audit: None,
                    dudit: None,
                },
            );
        }
        // The first screening of each instrument: the earliest day, the lowest id on that day.
        let scores = sqlx::query(
            "SELECT a.client_id, a.instrument, a.total FROM assessments a \
             JOIN clients k ON k.id = a.client_id \
             WHERE k.municipality_id = $1 AND a.instrument IN ('AUDIT', 'DUDIT') \
             ORDER BY a.client_id, a.administered_on, a.id",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        for r in &scores {
            let Some(p) = out.get_mut(&r.i64("client_id")?) else {
                continue;
            };
            let total = u32::try_from(r.i64("total")?)
                .map_err(|_| StoreError::Corrupt("assessment total".into()))?;
            let slot = if r.string("instrument")? == "AUDIT" {
                &mut p.audit
            } else {
                &mut p.dudit
            };
            slot.get_or_insert(total);
        }
        Ok(out)
    })
}

/// The 12-month follow-ups due in `[from, to]` that are done or missed, with the intervention of
/// their placement.
pub async fn twelve_months(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TwelveMonths>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(follow_ups, "f."),
            ", p.intervention AS placement_intervention FROM follow_ups f \
             JOIN clients k ON k.id = f.client_id \
             LEFT JOIN placements p ON p.id = f.placement_id \
             WHERE k.municipality_id = $1 AND f.timepoint = 'month_12' \
             AND f.due_on >= $2 AND f.due_on <= $3 AND f.status IN ('done', 'missed')"
        ))
        .bind(municipality.0)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                let f = crate::outcomes::follow_up_from(r)?;
                let done = f.status == FollowUpStatus::Done;
                Ok(TwelveMonths {
                    client: f.client_id.0,
                    intervention: match r.opt_string("placement_intervention")? {
                        None => None,
                        Some(s) => Some(
                            s.parse()
                                .map_err(|_| StoreError::Corrupt(format!("intervention {s:?}")))?,
                        ),
                    },
                    done,
                    lives_independently: if done {
                        f.outcomes.lives_independently()
                    } else {
                        None
                    },
                })
            })
            .collect()
    })
}

/// Every housing situation reported in a signed journal entry, as (client, local day, housing).
pub async fn housing_reports(
    tx: &mut Tx,
    municipality: MunicipalityId,
) -> Result<Vec<(i64, NaiveDate, Housing)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT x.client_id, x.occurred_at, x.housing FROM contacts x JOIN clients k ON k.id = x.client_id \
             WHERE k.municipality_id = $1 AND x.status = 'signed' AND x.housing <> 'unknown'",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                let h = r.string("housing")?;
                Ok((
                    r.i64("client_id")?,
                    vaka_domain::time::local_date(r.ts("occurred_at")?),
                    h.parse()
                        .map_err(|_| StoreError::Corrupt(format!("housing {h:?}")))?,
                ))
            })
            .collect()
    })
}

/// Deaths known from follow-ups missed because the person died, as (client, the follow-up's due
/// day: the death was on or before it). Placements ended by death are in the episodes.
pub async fn deaths(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<(i64, NaiveDate)>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT f.client_id, f.due_on FROM follow_ups f JOIN clients k ON k.id = f.client_id \
             WHERE k.municipality_id = $1 AND f.status = 'missed' AND f.missed_reason = 'died'",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| Ok((r.i64("client_id")?, r.date("due_on")?)))
            .collect()
    })
}
