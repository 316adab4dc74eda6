//! `/api/v1/measures`: the evidence measures for unit heads and analysts — placement length and
//! how placements end, time to relapse, and returns after planned exits — per intervention type
//! and per provider. Aggregates only, each withheld when fewer than 5 people are behind it
//! (definitions: docs/measures.md).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::Action;
use vaka_domain::intervention::Intervention;
use vaka_domain::stats::adjusted::Adjusted;
use vaka_domain::stats::costs::Costs;
use vaka_domain::stats::measures::{
    self, AfterDecisions, Episode, Independence, Lengths, MIN_PEOPLE, RelapseFree, Returns, Shown,
};
use vaka_domain::stats::pathways::Pathways;
use vaka_domain::stats::report::{self, CostSeries};
use vaka_store::AuditAction;

use super::{may, today};
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize)]
pub struct MeasuresQuery {
    /// First day of the exit window for returns (default: three years before today).
    pub from: Option<String>,
    /// Last day of the exit window (default: today).
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupMeasures {
    /// The intervention type, or the provider's id and name.
    pub intervention: Option<Intervention>,
    pub provider_id: Option<i64>,
    pub provider: Option<String>,
    #[schema(value_type = Value)]
    pub people: Shown<u64>,
    #[schema(value_type = Value)]
    pub lengths: Shown<Lengths>,
    #[schema(value_type = Value)]
    pub relapse_free: RelapseFree,
    #[schema(value_type = Value)]
    pub returns: Returns,
    /// Costs of the placements that overlap `[from, to]`, within it; `null` when none did.
    #[schema(value_type = Value)]
    pub costs: Option<Costs>,
    /// Living independently at the 12-month follow-ups due in the period (types only).
    #[schema(value_type = Value)]
    pub independence: Option<Independence>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasuresResponse {
    pub as_of: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Figures resting on fewer people than this are withheld.
    pub min_people: u64,
    pub by_intervention: Vec<GroupMeasures>,
    pub by_provider: Vec<GroupMeasures>,
    /// Every placement of the period together.
    #[schema(value_type = Value)]
    pub total_costs: Costs,
    /// Cost per calendar year (periods over two years) or month, per intervention type.
    #[schema(value_type = Value)]
    pub cost_over_time: Vec<CostSeries>,
    /// The most common sequences of interventions, and returns to an earlier one after a relapse.
    #[schema(value_type = Value)]
    pub pathways: Pathways,
    /// Relapse-free time after decisions that departed from the application or a recommendation,
    /// and after the others.
    #[schema(value_type = Value)]
    pub after_decisions: AfterDecisions,
    #[schema(value_type = Value)]
    pub independence: Independence,
    /// Hazard ratios of relapse by intervention type, adjusted for age, sex and intake AUDIT and
    /// DUDIT (Cox); `null` with `adjusted_missing` when there is too little to compare.
    #[schema(value_type = Value)]
    pub adjusted: Option<Adjusted>,
    pub adjusted_missing: Option<String>,
    /// The cases closed in `[from, to]`, by reason.
    #[schema(value_type = Value)]
    pub closures: vaka_domain::stats::closures::Closures,
    /// The plans' goals finished in `[from, to]`, by life area, with the share reached in full.
    #[schema(value_type = Value)]
    pub plan_goals: vaka_domain::stats::goals::GoalOutcomes,
    /// The cases open on `to` (or today, if earlier) and the share with a goal in their plan.
    #[schema(value_type = Value)]
    pub plan_coverage: vaka_domain::stats::goals::PlanCoverage,
    /// The risks signed journal entries reported about contacts in `[from, to]`: people and
    /// reports per risk (`overdose`, `suicide_risk`, `violence`, `eviction_risk`).
    #[schema(value_type = Value)]
    pub risks_reported: vaka_domain::stats::risks::RisksReported,
    /// The decisions made in `[from, to]` that answer an application: days from the application
    /// to the decision (median, mean, and decisions per band of days).
    #[schema(value_type = Value)]
    pub handling_time: vaka_domain::stats::handling::HandlingTime,
}

fn group(
    episodes: &[&Episode],
    exits: &[measures::Exit],
    relapses: &[(i64, NaiveDate)],
    as_of: NaiveDate,
) -> (Shown<u64>, Shown<Lengths>, RelapseFree, Returns) {
    let mut people: Vec<i64> = episodes.iter().map(|e| e.client).collect();
    people.sort_unstable();
    people.dedup();
    let n = people.len() as u64;
    // Exits from this group's placements; what follows them may be any placement of the person.
    let own = measures::exits_from(exits, episodes);
    (
        measures::shown(n, n),
        measures::shown(n, measures::lengths(episodes, as_of)),
        measures::relapse_free(episodes, relapses, as_of),
        measures::returns(&own, as_of),
    )
}

/// The measures of the caller's municipality. Unit heads and analysts.
#[utoipa::path(get, path = "/api/v1/measures", tag = "measures",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = MeasuresResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn get_measures(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<MeasuresQuery>,
) -> Result<Json<MeasuresResponse>, ApiError> {
    may(&actor, Action::ReadAggregates)?;
    let as_of = today();
    let default_from = as_of - chrono::Duration::days(3 * 365);
    let mut errors = Vec::new();
    let from = vaka_domain::error::collect(
        vaka_domain::error::optional_date("from", q.from.as_deref()),
        &mut errors,
    )
    .flatten()
    .unwrap_or(default_from);
    let to = vaka_domain::error::collect(
        vaka_domain::error::optional_date("to", q.to.as_deref()),
        &mut errors,
    )
    .flatten()
    .unwrap_or(as_of);
    if errors.is_empty() {
        vaka_domain::error::collect(
            vaka_domain::error::not_before("to", to, from, ("från-datumet", "the from day")),
            &mut errors,
        );
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let muni = actor.user.municipality_id;
    let mut tx = st.store.begin_read().await?;
    let loaded = crate::reports::load(&mut tx, muni, from, to, as_of).await?;
    tx.audit(actor.audit(
        AuditAction::MeasuresRead,
        None,
        format!("GET /api/v1/measures from={from} to={to}"),
    ));
    tx.finish_read(&st.store).await?;
    let report = report::committee(&loaded.inputs());
    let (all, relapses) = (&loaded.episodes, &loaded.relapses);
    let names: BTreeMap<i64, &String> = loaded.providers.iter().map(|(id, n)| (*id, n)).collect();
    // Every exit of the municipality once; each group takes its own.
    let exits = measures::exits(all, relapses, from, to);
    let by_intervention = Intervention::ALL
        .iter()
        .filter_map(|i| {
            let list: Vec<&Episode> = all.iter().filter(|e| e.intervention == *i).collect();
            (!list.is_empty()).then(|| {
                let (people, lengths, relapse_free, returns) =
                    group(&list, &exits, relapses, as_of);
                let row = report.groups.iter().find(|g| g.intervention == *i);
                GroupMeasures {
                    intervention: Some(*i),
                    provider_id: None,
                    provider: None,
                    people,
                    lengths,
                    relapse_free,
                    returns,
                    costs: row.map(|g| g.costs.clone()),
                    independence: row.map(|g| g.independence.clone()),
                }
            })
        })
        .collect();
    let by_provider = names
        .iter()
        .filter_map(|(id, name)| {
            let list: Vec<&Episode> = all.iter().filter(|e| e.provider == Some(*id)).collect();
            (!list.is_empty()).then(|| {
                let (people, lengths, relapse_free, returns) =
                    group(&list, &exits, relapses, as_of);
                GroupMeasures {
                    intervention: None,
                    provider_id: Some(*id),
                    provider: Some((*name).clone()),
                    people,
                    lengths,
                    relapse_free,
                    returns,
                    costs: report
                        .providers
                        .iter()
                        .find(|p| p.provider_id == *id)
                        .map(|p| p.costs.clone()),
                    independence: None,
                }
            })
        })
        .collect();
    Ok(Json(MeasuresResponse {
        as_of,
        from,
        to,
        min_people: MIN_PEOPLE,
        by_intervention,
        by_provider,
        total_costs: report.total_costs,
        cost_over_time: report.cost_over_time,
        pathways: report.pathways,
        after_decisions: report.departures.after,
        independence: report.independence,
        adjusted: report.adjusted,
        adjusted_missing: report.adjusted_missing,
        closures: report.closures,
        plan_goals: report.goals,
        plan_coverage: report.plan_coverage,
        risks_reported: report.risks,
        handling_time: report.handling_time,
    }))
}
