//! The social committee's report: what the figures are, composed from the measures, with every
//! figure that rests on fewer than 5 people withheld and every curve cut where fewer than 5 remain.
//! Rendering (HTML, CSV, PDF) is done elsewhere from this.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::adjusted::{self, Adjusted, Person};
use super::closures::{self, ClosedCase, Closures};
use super::costs::{self, Bucket, BucketCost, Costs};
use super::goals::{self, FinishedGoal, GoalOutcomes, OpenCase, PlanCoverage};
use super::handling::{self, Answered, HandlingTime};
use super::measures::{
    self, AfterDecisions, DecisionMade, Episode, Independence, Lengths, MIN_PEOPLE, Point, Shown,
    TwelveMonths,
};
use super::pathways::{self, Pathways};
use super::proportion::Share;
use super::risks::{self, RiskReport, RisksReported};
use super::survival::{CiTransform, kaplan_meier};
use crate::intervention::Intervention;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CurvePoint {
    pub day: f64,
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
    pub at_risk: u64,
}

/// A relapse-free curve of one intervention type, up to the last day with 5 or more at risk.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Curve {
    pub intervention: Intervention,
    pub people: u64,
    pub points: Vec<CurvePoint>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupRow {
    pub intervention: Intervention,
    pub people: Shown<u64>,
    pub lengths: Shown<Lengths>,
    /// Returned within a year of a planned exit.
    pub returned_within_365: Shown<Share>,
    pub relapse_free_12_months: Shown<Option<Point>>,
    pub costs: Costs,
    /// The 12-month follow-ups of this type's placements due in the period.
    pub independence: Independence,
}

/// A provider's placements in the period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProviderRow {
    pub provider_id: i64,
    pub name: String,
    pub interventions: Vec<Intervention>,
    pub people: Shown<u64>,
    pub lengths: Shown<Lengths>,
    pub relapse_free_12_months: Shown<Option<Point>>,
    pub costs: Costs,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Departures {
    pub decisions: u64,
    pub departing: Shown<u64>,
    pub departing_share: Shown<Share>,
    /// Decisions that went against the person (anything but granting what was applied for).
    pub against: Shown<u64>,
    /// Of those, the ones without recorded kommunicering (FL 25 §).
    pub communication_missing: Shown<u64>,
    /// What followed: relapse-free time after departing decisions and after the others.
    pub after: AfterDecisions,
}

/// One intervention type's cost per bucket of the period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CostSeries {
    pub intervention: Intervention,
    pub buckets: Vec<BucketCost>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommitteeReport {
    pub municipality: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub min_people: u64,
    pub groups: Vec<GroupRow>,
    /// Every placement of the period together.
    pub total_costs: Costs,
    pub providers: Vec<ProviderRow>,
    pub curves: Vec<Curve>,
    pub cost_over_time: Vec<CostSeries>,
    pub departures: Departures,
    pub pathways: Pathways,
    /// Living independently at the 12-month follow-ups due in the period, all types together.
    pub independence: Independence,
    /// The Cox model of time to relapse by type, adjusted for age, sex and intake scores; `None`
    /// (with the reason) when there are too few people or relapses to compare.
    pub adjusted: Option<Adjusted>,
    pub adjusted_missing: Option<String>,
    /// The cases closed in the period, by reason.
    pub closures: Closures,
    /// The plans' goals finished in the period, by life area.
    pub goals: GoalOutcomes,
    /// The cases open at the period's end, and how many had a plan.
    pub plan_coverage: PlanCoverage,
    /// The risks the journal reported in the period (overdose, suicide risk, violence, a risk of
    /// losing the home).
    pub risks: RisksReported,
    /// The days from application to decision, for the period's decisions that answer one.
    pub handling_time: HandlingTime,
}

/// What the report is made from.
pub struct Inputs<'a> {
    pub municipality: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    /// Every placement of the municipality.
    pub episodes: &'a [Episode],
    pub relapses: &'a [(i64, NaiveDate)],
    /// Cost within the period per episode, in the order of `episodes`.
    pub costs_ore: &'a [i64],
    /// The period in stretches ([`costs::buckets`]) and each episode's cost in each.
    pub buckets: &'a [Bucket],
    pub bucket_costs_ore: &'a [Vec<i64>],
    /// The decisions made in the period.
    pub decisions: &'a [DecisionMade],
    pub providers: &'a [(i64, String)],
    /// Age, sex and intake scores per client, for the adjusted comparison.
    pub people: &'a HashMap<i64, Person>,
    /// The 12-month follow-ups due in the period.
    pub twelve_months: &'a [TwelveMonths],
    /// The cases closed (the period's are picked out here).
    pub closed_cases: &'a [ClosedCase],
    /// The plans' finished goals (the period's are picked out here).
    pub finished_goals: &'a [FinishedGoal],
    /// The cases open on the period's last day.
    pub open_cases: &'a [OpenCase],
    /// The risks reported by signed, uncorrected entries (the period's are picked out here).
    pub risk_reports: &'a [RiskReport],
    /// The decisions that answer an application, with the day it was received (the period's are
    /// picked out here).
    pub answered: &'a [Answered],
}

fn people_of(list: &[&Episode]) -> u64 {
    let mut people: Vec<i64> = list.iter().map(|e| e.client).collect();
    people.sort_unstable();
    people.dedup();
    people.len() as u64
}

pub fn committee(i: &Inputs<'_>) -> CommitteeReport {
    let exits = measures::exits(i.episodes, i.relapses, i.from, i.to);
    let relapses = measures::RelapseIndex::new(i.relapses);
    // Placements that overlap the period, with their index.
    let in_period: Vec<(usize, &Episode)> = i
        .episodes
        .iter()
        .enumerate()
        .filter(|(_, e)| e.start <= i.to && e.end.is_none_or(|x| x >= i.from))
        .collect();
    let cost_of = |k: usize| i.costs_ore.get(k).copied().unwrap_or(0);
    let group_costs = |picked: &[(usize, &Episode)], s12: Option<f64>| {
        let placed: Vec<(&Episode, i64)> = picked.iter().map(|(k, e)| (*e, cost_of(*k))).collect();
        costs::costs(&placed, s12, i.from, i.to, i.as_of)
    };
    let s12_of = |list: &[&Episode]| {
        let rf = measures::relapse_free(list, i.relapses, i.as_of);
        let value = match rf.at_12_months {
            Shown::Value(Some(p)) => Some(p.survival),
            _ => None,
        };
        (rf.at_12_months, value)
    };
    let mut groups = Vec::new();
    let mut curves = Vec::new();
    let mut cost_over_time = Vec::new();
    for intervention in Intervention::ALL {
        let picked: Vec<(usize, &Episode)> = in_period
            .iter()
            .filter(|(_, e)| e.intervention == *intervention)
            .copied()
            .collect();
        if picked.is_empty() {
            continue;
        }
        let list: Vec<&Episode> = picked.iter().map(|(_, e)| *e).collect();
        let n = people_of(&list);
        let own_exits = measures::exits_from(&exits, &list);
        let returned = measures::returns(&own_exits, i.as_of).within_365;
        let (rf12, s12) = s12_of(&list);
        let follow_ups: Vec<&TwelveMonths> = i
            .twelve_months
            .iter()
            .filter(|t| t.intervention == Some(*intervention))
            .collect();
        groups.push(GroupRow {
            intervention: *intervention,
            people: measures::shown(n, n),
            lengths: measures::shown(n, measures::lengths(&list, i.as_of)),
            returned_within_365: returned,
            relapse_free_12_months: rf12,
            costs: group_costs(&picked, s12),
            independence: measures::independence(&follow_ups),
        });
        if n >= MIN_PEOPLE {
            curves.push(relapse_curve(*intervention, &list, &relapses, i.as_of, n));
        }
        let per_bucket: Vec<&[i64]> = picked
            .iter()
            .map(|(k, _)| i.bucket_costs_ore.get(*k).map_or(&[][..], Vec::as_slice))
            .collect();
        cost_over_time.push(CostSeries {
            intervention: *intervention,
            buckets: costs::over_time(&list, &per_bucket, i.buckets, i.as_of),
        });
    }
    let providers = i
        .providers
        .iter()
        .filter_map(|(id, name)| {
            let picked: Vec<(usize, &Episode)> = in_period
                .iter()
                .filter(|(_, e)| e.provider == Some(*id))
                .copied()
                .collect();
            if picked.is_empty() {
                return None;
            }
            let list: Vec<&Episode> = picked.iter().map(|(_, e)| *e).collect();
            let n = people_of(&list);
            let mut interventions: Vec<Intervention> =
                list.iter().map(|e| e.intervention).collect();
            interventions.sort_by_key(|iv| iv.as_str());
            interventions.dedup();
            let (rf12, s12) = s12_of(&list);
            Some(ProviderRow {
                provider_id: *id,
                name: name.clone(),
                interventions,
                people: measures::shown(n, n),
                lengths: measures::shown(n, measures::lengths(&list, i.as_of)),
                relapse_free_12_months: rf12,
                costs: group_costs(&picked, s12),
            })
        })
        .collect();
    let all: Vec<&Episode> = in_period.iter().map(|(_, e)| *e).collect();
    let (_, s12_all) = s12_of(&all);
    let (adjusted, adjusted_missing) =
        match adjusted::relapse_by_intervention(&all, i.people, &relapses, i.as_of) {
            Ok(a) => (Some(a), None),
            Err(e) => (None, Some(e.to_string())),
        };
    let departing = i.decisions.iter().filter(|d| d.departing).count() as u64;
    let mut departing_people: Vec<i64> = i
        .decisions
        .iter()
        .filter(|d| d.departing)
        .map(|d| d.client)
        .collect();
    departing_people.sort_unstable();
    departing_people.dedup();
    let mut deciding_people: Vec<i64> = i.decisions.iter().map(|d| d.client).collect();
    deciding_people.sort_unstable();
    deciding_people.dedup();
    let share = super::proportion::wilson(departing, i.decisions.len() as u64, 0.95);
    let all_follow_ups: Vec<&TwelveMonths> = i.twelve_months.iter().collect();
    CommitteeReport {
        municipality: i.municipality.to_owned(),
        from: i.from,
        to: i.to,
        as_of: i.as_of,
        min_people: MIN_PEOPLE,
        groups,
        total_costs: group_costs(&in_period, s12_all),
        providers,
        curves,
        cost_over_time,
        departures: Departures {
            decisions: i.decisions.len() as u64,
            departing: measures::shown(departing_people.len() as u64, departing),
            departing_share: match share {
                Some(s) => measures::shown(deciding_people.len() as u64, s),
                None => measures::shown(
                    0,
                    Share {
                        successes: 0,
                        n: 0,
                        estimate: 0.0,
                        lower: 0.0,
                        upper: 0.0,
                    },
                ),
            },
            against: decisions_where(i.decisions, |d| d.against),
            communication_missing: decisions_where(i.decisions, |d| d.communication_missing),
            after: measures::after_decisions(i.decisions, &relapses, i.as_of),
        },
        pathways: pathways::pathways(i.episodes, i.relapses, i.from, i.to),
        independence: measures::independence(&all_follow_ups),
        adjusted,
        adjusted_missing,
        closures: closures::closures(i.closed_cases, i.from, i.to),
        goals: goals::goal_outcomes(i.finished_goals, i.from, i.to),
        plan_coverage: goals::coverage(i.open_cases),
        risks: risks::risks_reported(i.risk_reports, i.from, i.to),
        handling_time: handling::handling_time(i.answered, i.from, i.to),
    }
}

/// How many decisions are `kept`, withheld when they concern fewer than 5 people.
fn decisions_where(decisions: &[DecisionMade], keep: impl Fn(&DecisionMade) -> bool) -> Shown<u64> {
    let mut people: Vec<i64> = decisions
        .iter()
        .filter(|d| keep(d))
        .map(|d| d.client)
        .collect();
    let n = people.len() as u64;
    people.sort_unstable();
    people.dedup();
    measures::shown(people.len() as u64, n)
}

/// Time from the start of each placement to the first relapse after it, as a curve that stops
/// where fewer than 5 remain at risk.
fn relapse_curve(
    intervention: Intervention,
    list: &[&Episode],
    relapses: &measures::RelapseIndex,
    as_of: NaiveDate,
    people: u64,
) -> Curve {
    let obs = measures::time_to_relapse(list, relapses, as_of);
    let km = kaplan_meier(&obs, 0.95, CiTransform::LogLog);
    let mut points = vec![CurvePoint {
        day: 0.0,
        survival: 1.0,
        lower: 1.0,
        upper: 1.0,
        at_risk: obs.len() as u64,
    }];
    points.extend(
        km.table
            .iter()
            .take_while(|r| r.at_risk >= MIN_PEOPLE)
            .map(|r| CurvePoint {
                day: r.time,
                survival: r.survival,
                lower: r.lower,
                upper: r.upper,
                at_risk: r.at_risk,
            }),
    );
    Curve {
        intervention,
        people,
        points,
    }
}

/// The report as one CSV table: `section,group,measure,value,lower,upper` (withheld figures are
/// the text `suppressed`; money in whole kronor).
pub fn to_csv(r: &CommitteeReport) -> String {
    let mut out = String::from("section,group,measure,value,lower,upper\n");
    let mut row = |section: &str, group: &str, measure: &str, v: Cell| {
        // Provider names may hold commas or quotes.
        let group = if group.contains([',', '"', '\n']) {
            format!("\"{}\"", group.replace('"', "\"\""))
        } else {
            group.to_owned()
        };
        out.push_str(&format!(
            "{section},{group},{measure},{},{},{}\n",
            v.0, v.1, v.2
        ));
    };
    let lengths = |l: &Shown<Lengths>| match l {
        Shown::Value(l) => {
            let f = |v: Option<f64>| v.map_or_else(String::new, |x| x.to_string());
            Cell(f(l.median), f(l.q1), f(l.q3))
        }
        Shown::Suppressed { .. } => Cell::suppressed(),
    };
    let costs_rows =
        |row: &mut dyn FnMut(&str, &str, &str, Cell), section: &str, g: &str, c: &Costs| {
            row(section, g, "cost_sek", money(&c.cost_ore.map_value(Some)));
            row(
                section,
                g,
                "cost_per_person_sek",
                money(&c.per_person_ore.map_value(Some)),
            );
            row(
                section,
                g,
                "cost_per_client_year_sek",
                money(&c.per_client_year_ore),
            );
            row(
                section,
                g,
                "cost_per_relapse_free_at_12_months_sek",
                money(&c.per_relapse_free_at_12_months_ore),
            );
        };
    for g in &r.groups {
        let name = g.intervention.as_str();
        row("groups", name, "people", count(&g.people));
        row("groups", name, "length_median_days", lengths(&g.lengths));
        row(
            "groups",
            name,
            "returned_within_365",
            share(&g.returned_within_365),
        );
        row(
            "groups",
            name,
            "relapse_free_12_months",
            point(&g.relapse_free_12_months),
        );
        costs_rows(&mut row, "groups", name, &g.costs);
        row(
            "groups",
            name,
            "living_independently_12_months",
            share(&g.independence.share),
        );
    }
    costs_rows(&mut row, "total", "all", &r.total_costs);
    for p in &r.providers {
        row("providers", &p.name, "people", count(&p.people));
        row(
            "providers",
            &p.name,
            "length_median_days",
            lengths(&p.lengths),
        );
        row(
            "providers",
            &p.name,
            "relapse_free_12_months",
            point(&p.relapse_free_12_months),
        );
        costs_rows(&mut row, "providers", &p.name, &p.costs);
    }
    row("closures", "all", "cases", count(&r.closures.cases));
    row("closures", "all", "people", count(&r.closures.people));
    for c in &r.closures.by_reason {
        let reason = c.reason.map_or("none", |x| x.as_str());
        row("closures", reason, "cases", count(&c.cases));
        row("closures", reason, "people", count(&c.people));
    }
    let g = &r.goals;
    row("plan_goals", "all", "finished", count(&g.goals));
    row("plan_goals", "all", "people", count(&g.people));
    row("plan_goals", "all", "reached_share", share(&g.reached));
    row(
        "plan_goals",
        "all",
        "partly_reached",
        count(&g.partly_reached),
    );
    row("plan_goals", "all", "not_reached", count(&g.not_reached));
    row("plan_goals", "all", "dropped", count(&g.dropped));
    row(
        "plan_goals",
        "open_cases",
        "count",
        count(&r.plan_coverage.open_cases),
    );
    row(
        "plan_goals",
        "open_cases",
        "with_plan_share",
        share(&r.plan_coverage.with_plan),
    );
    for a in &g.by_area {
        let area = a.life_area.as_str();
        row("plan_goals", area, "finished", count(&a.goals));
        row("plan_goals", area, "people", count(&a.people));
        row("plan_goals", area, "reached_share", share(&a.reached));
    }
    let h = &r.handling_time;
    row("handling_time", "all", "decisions", count(&h.decisions));
    row("handling_time", "all", "people", count(&h.people));
    row("handling_time", "all", "median_days", days(&h.median_days));
    row("handling_time", "all", "mean_days", days(&h.mean_days));
    for b in &h.bands {
        let band = match b.to_days {
            Some(to) => format!("days_{}_{to}", b.from_days),
            None => format!("days_{}_", b.from_days),
        };
        row("handling_time", &band, "decisions", count(&b.decisions));
    }
    row("risks_reported", "all", "people", count(&r.risks.people));
    for x in &r.risks.by_risk {
        row(
            "risks_reported",
            x.risk.as_str(),
            "people",
            count(&x.people),
        );
        row(
            "risks_reported",
            x.risk.as_str(),
            "reports",
            count(&x.reports),
        );
    }
    for c in &r.curves {
        for p in &c.points {
            row(
                "relapse_free",
                c.intervention.as_str(),
                &format!("day_{}", p.day),
                Cell(
                    format!("{:.4}", p.survival),
                    format!("{:.4}", p.lower),
                    format!("{:.4}", p.upper),
                ),
            );
        }
    }
    for series in &r.cost_over_time {
        for b in &series.buckets {
            row(
                "cost_over_time",
                series.intervention.as_str(),
                &format!("{}_{}", b.bucket.from, b.bucket.to),
                money(&b.cost_ore.map_value(Some)),
            );
        }
    }
    row(
        "decisions",
        "all",
        "decisions",
        Cell::value(r.departures.decisions),
    );
    row(
        "decisions",
        "all",
        "departing",
        count(&r.departures.departing),
    );
    row(
        "decisions",
        "all",
        "departing_share",
        share(&r.departures.departing_share),
    );
    row(
        "decisions",
        "all",
        "against_the_person",
        count(&r.departures.against),
    );
    row(
        "decisions",
        "all",
        "communication_missing",
        count(&r.departures.communication_missing),
    );
    for (group, a) in [
        ("departing", &r.departures.after.departing),
        ("others", &r.departures.after.others),
    ] {
        row(
            "after_decisions",
            group,
            "relapse_free_6_months",
            point(&a.relapse_free_6_months),
        );
        row(
            "after_decisions",
            group,
            "relapse_free_12_months",
            point(&a.relapse_free_12_months),
        );
    }
    row(
        "after_decisions",
        "all",
        "log_rank_p",
        match r.departures.after.log_rank_p {
            Shown::Value(Some(p)) => Cell(format!("{p:.4}"), String::new(), String::new()),
            Shown::Value(None) => Cell::default(),
            Shown::Suppressed { .. } => Cell::suppressed(),
        },
    );
    let steps =
        |s: &[super::pathways::Step]| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" > ");
    for p in &r.pathways.common {
        row(
            "pathways",
            &steps(&p.steps),
            "people",
            Cell::value(p.people),
        );
    }
    row(
        "pathways",
        "other",
        "people",
        count(&r.pathways.other_people),
    );
    row("cycles", "all", "in_cycle", share(&r.pathways.in_cycle));
    row(
        "cycles",
        "all",
        "two_or_more",
        count(&r.pathways.two_or_more_cycles),
    );
    for c in &r.pathways.cycles {
        row("cycles", &steps(&c.steps), "people", Cell::value(c.people));
    }
    row(
        "independence",
        "all",
        "living_independently_12_months",
        share(&r.independence.share),
    );
    row(
        "independence",
        "all",
        "follow_ups_due",
        count(&r.independence.due),
    );
    row(
        "independence",
        "all",
        "follow_ups_done",
        count(&r.independence.done),
    );
    if let Some(a) = &r.adjusted {
        for h in &a.by_intervention {
            row(
                "adjusted_hazard_ratio",
                h.intervention.as_str(),
                &format!("vs_{}", a.reference.as_str()),
                Cell(
                    format!("{:.3}", h.hazard_ratio),
                    format!("{:.3}", h.lower),
                    format!("{:.3}", h.upper),
                ),
            );
        }
    }
    out
}

/// A CSV row's value, lower and upper.
#[derive(Default)]
struct Cell(String, String, String);

impl Cell {
    fn value(v: impl ToString) -> Self {
        Self(v.to_string(), String::new(), String::new())
    }
    fn suppressed() -> Self {
        Self::value("suppressed")
    }
}

fn count(v: &Shown<u64>) -> Cell {
    match v {
        Shown::Value(n) => Cell::value(n),
        Shown::Suppressed { .. } => Cell::suppressed(),
    }
}

fn share(v: &Shown<Share>) -> Cell {
    match v {
        Shown::Value(s) => Cell(
            format!("{:.4}", s.estimate),
            format!("{:.4}", s.lower),
            format!("{:.4}", s.upper),
        ),
        Shown::Suppressed { .. } => Cell::suppressed(),
    }
}

fn point(v: &Shown<Option<Point>>) -> Cell {
    match v {
        Shown::Value(Some(p)) => Cell(
            format!("{:.4}", p.survival),
            format!("{:.4}", p.lower),
            format!("{:.4}", p.upper),
        ),
        Shown::Value(None) => Cell::default(),
        Shown::Suppressed { .. } => Cell::suppressed(),
    }
}

/// Days with one decimal; empty when there is nothing to measure.
fn days(v: &Shown<Option<f64>>) -> Cell {
    match v {
        Shown::Value(Some(d)) => Cell::value(format!("{d:.1}")),
        Shown::Value(None) => Cell::default(),
        Shown::Suppressed { .. } => Cell::suppressed(),
    }
}

/// Whole kronor, rounded.
fn money(v: &Shown<Option<i64>>) -> Cell {
    match v {
        Shown::Value(Some(ore)) => Cell::value((ore + 50).div_euclid(100)),
        Shown::Value(None) => Cell::default(),
        Shown::Suppressed { .. } => Cell::suppressed(),
    }
}

impl<T: Copy> Shown<T> {
    /// The value transformed, or still withheld.
    pub fn map_value<U>(&self, f: impl Fn(T) -> U) -> Shown<U> {
        match self {
            Shown::Value(v) => Shown::Value(f(*v)),
            Shown::Suppressed { suppressed, reason } => Shown::Suppressed {
                suppressed: *suppressed,
                reason,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::EndReason;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn inputs_for(people: i64) -> (Vec<Episode>, Vec<i64>) {
        let mut eps = Vec::new();
        let mut costs = Vec::new();
        for c in 0..people {
            eps.push(Episode {
                client: c,
                intervention: Intervention::TreatmentHome,
                provider: Some(1),
                start: d("2024-01-01"),
                end: Some(d("2024-03-01")),
                end_reason: Some(EndReason::CompletedAsPlanned),
            });
            costs.push(100_000);
        }
        // Two people in outpatient care: too few to show.
        for c in 0..2 {
            eps.push(Episode {
                client: 100 + c,
                intervention: Intervention::Outpatient,
                provider: None,
                start: d("2024-02-01"),
                end: None,
                end_reason: None,
            });
            costs.push(5_000);
        }
        (eps, costs)
    }

    #[test]
    fn groups_under_five_people_are_withheld_everywhere_and_curves_stop_at_five_at_risk() {
        let (eps, costs) = inputs_for(8);
        // Relapses 10, 20, 30 and 40 days in for four of the eight.
        let relapses: Vec<(i64, NaiveDate)> = (0..4)
            .map(|c| (c, d("2024-01-01") + chrono::Duration::days(10 * (c + 1))))
            .collect();
        let decisions: Vec<DecisionMade> = [
            (0, true),
            (1, false),
            (2, false),
            (3, true),
            (4, false),
            (5, false),
        ]
        .iter()
        .map(|(c, departing)| DecisionMade {
            client: *c,
            decided_on: d("2024-01-01"),
            departing: *departing,
            against: *departing,
            communication_missing: *departing && *c == 0,
        })
        .collect();
        let buckets = costs::buckets(d("2024-01-01"), d("2024-12-31"));
        // Each treatment-home stay costs 50 000 öre in January and February each.
        let bucket_costs: Vec<Vec<i64>> = costs
            .iter()
            .map(|c| {
                let mut v = vec![0; 12];
                v[0] = c / 2;
                v[1] = c / 2;
                v
            })
            .collect();
        let people: HashMap<i64, Person> = HashMap::new();
        let twelve: Vec<TwelveMonths> = (0..6)
            .map(|c| TwelveMonths {
                client: c,
                intervention: Some(Intervention::TreatmentHome),
                done: c != 5,
                lives_independently: (c != 5).then_some(c < 3),
            })
            .collect();
        let closed_cases: Vec<super::ClosedCase> = (0..7)
            .map(|c| super::ClosedCase {
                client: c,
                closed_on: if c == 0 {
                    d("2023-12-31")
                } else {
                    d("2024-06-01")
                },
                reason: Some(crate::case::ClosureReason::GoalsMet),
            })
            .collect();
        let r = committee(&Inputs {
            municipality: "Demokommun",
            from: d("2024-01-01"),
            to: d("2024-12-31"),
            as_of: d("2025-06-01"),
            episodes: &eps,
            relapses: &relapses,
            costs_ore: &costs,
            buckets: &buckets,
            bucket_costs_ore: &bucket_costs,
            decisions: &decisions,
            providers: &[(1, "Hemmet, AB".into()), (2, "Tomt AB".into())],
            people: &people,
            twelve_months: &twelve,
            closed_cases: &closed_cases,
            finished_goals: &(0..6)
                .map(|c| FinishedGoal {
                    client: c,
                    life_area: crate::plan::LifeArea::Housing,
                    finished_on: d("2024-03-01"),
                    status: if c < 3 {
                        crate::plan::GoalStatus::Reached
                    } else {
                        crate::plan::GoalStatus::Dropped
                    },
                })
                .collect::<Vec<_>>(),
            open_cases: &[],
            risk_reports: &[],
            answered: &(0..6)
                .map(|c| Answered {
                    client: c,
                    applied_on: d("2024-03-01"),
                    decided_on: d("2024-03-01") + chrono::Duration::days(10 * c),
                })
                .collect::<Vec<_>>(),
        });
        // Six decisions answering an application after 0, 10, … 50 days: median 25, mean 25.
        let csv = to_csv(&r);
        assert!(
            csv.contains("handling_time,all,median_days,25.0,,\n"),
            "{csv}"
        );
        assert!(csv.contains("handling_time,all,mean_days,25.0,,\n"));
        assert!(csv.contains("handling_time,days_91_,decisions,0,,\n"));
        // Six cases closed in the period (one before it): shown, with their reason.
        match (&r.closures.cases, &r.closures.by_reason[..]) {
            (Shown::Value(6), [only]) => {
                assert_eq!(only.reason, Some(crate::case::ClosureReason::GoalsMet));
            }
            other => panic!("{other:?}"),
        }
        assert!(to_csv(&r).contains("closures,goals_met,cases,6,,\n"));
        // Six housing goals finished, three reached.
        assert!(to_csv(&r).contains("plan_goals,housing,finished,6,,\n"));
        assert!(to_csv(&r).contains("plan_goals,all,reached_share,0.5000,"));
        let th = &r.groups[0];
        assert_eq!(
            (th.intervention, th.people, th.costs.cost_ore),
            (
                Intervention::TreatmentHome,
                Shown::Value(8),
                Shown::Value(800_000)
            )
        );
        assert_eq!(th.costs.per_person_ore, Shown::Value(100_000));
        // 8 stays of 60 days = 480 days of care = 1.314 client-years.
        assert_eq!(
            th.costs.per_client_year_ore,
            Shown::Value(Some((800_000.0 * 365.25 / 480.0_f64).round() as i64))
        );
        // Half relapse-free at a year: the cost over four people.
        assert_eq!(
            th.costs.per_relapse_free_at_12_months_ore,
            Shown::Value(Some(200_000))
        );
        match th.independence.share {
            Shown::Value(s) => assert_eq!((s.successes, s.n), (3, 5)),
            ref other => panic!("{other:?}"),
        }
        let op = r
            .groups
            .iter()
            .find(|g| g.intervention == Intervention::Outpatient)
            .unwrap();
        assert!(matches!(op.people, Shown::Suppressed { .. }));
        assert!(matches!(op.costs.cost_ore, Shown::Suppressed { .. }));
        assert_eq!(r.curves.len(), 1, "no curve for two people");
        // At risk 8, 7, 6, 5 at the four relapses; after the fourth only 4 remain, so the curve
        // ends at day 40 (the row where 5 were at risk).
        let days: Vec<f64> = r.curves[0].points.iter().map(|p| p.day).collect();
        assert_eq!(days, [0.0, 10.0, 20.0, 30.0, 40.0]);
        assert!(r.curves[0].points.iter().all(|p| p.at_risk >= 5));
        // The provider with placements is there; the one without is not.
        assert_eq!(r.providers.len(), 1);
        assert_eq!(r.providers[0].costs.cost_ore, Shown::Value(800_000));
        // Cost over time: January and February, nothing after.
        let series = &r.cost_over_time[0];
        assert_eq!(series.buckets[0].cost_ore, Shown::Value(400_000));
        assert_eq!(series.buckets[1].cost_ore, Shown::Value(400_000));
        assert!(matches!(
            series.buckets[2].cost_ore,
            Shown::Suppressed { .. }
        ));
        // Two departing decisions about two people: withheld; six decisions in all are shown.
        assert!(matches!(r.departures.departing, Shown::Suppressed { .. }));
        assert_eq!(r.departures.decisions, 6);
        // The two against the person (one without kommunicering) are withheld the same way.
        assert!(matches!(r.departures.against, Shown::Suppressed { .. }));
        assert!(matches!(
            r.departures.communication_missing,
            Shown::Suppressed { .. }
        ));
        assert_eq!(r.pathways.people, 10);
        // No person data for the model: nothing to adjust with, and the reason is given.
        assert!(r.adjusted.is_none() && r.adjusted_missing.is_some());
        let csv = to_csv(&r);
        assert!(csv.starts_with("section,group,measure,value,lower,upper\n"));
        assert!(csv.contains("groups,outpatient,people,suppressed"));
        assert!(csv.contains("groups,treatment_home,cost_sek,8000,,"));
        assert!(csv.contains("providers,\"Hemmet, AB\",cost_sek,8000"));
        assert!(csv.contains("relapse_free,treatment_home,day_40,0.5000"));
        assert!(csv.contains("cost_over_time,treatment_home,2024-01-01_2024-01-31,4000"));
        assert!(csv.contains("pathways,treatment_home,people,8"));
        assert!(csv.contains("decisions,all,against_the_person,suppressed"));
        assert!(csv.contains("decisions,all,communication_missing,suppressed"));
        // Every line has six fields (the quoted name holds one comma).
        for line in csv.lines() {
            let fields = line.replace("\"Hemmet, AB\"", "x").split(',').count();
            assert_eq!(fields, 6, "{line}");
        }
    }

    #[test]
    fn decisions_against_the_person_are_counted_per_decision_and_withheld_per_person() {
        let made = |client: i64, against: bool, missing: bool| DecisionMade {
            client,
            decided_on: d("2024-03-01"),
            against,
            communication_missing: missing,
            ..Default::default()
        };
        // Five people, six decisions against them (one person twice), two of them without
        // kommunicering; and one granted decision.
        let list: Vec<DecisionMade> = (0..5)
            .map(|c| made(c, true, c < 2))
            .chain([made(0, true, false), made(9, false, false)])
            .collect();
        assert_eq!(decisions_where(&list, |d| d.against), Shown::Value(6));
        assert!(matches!(
            decisions_where(&list, |d| d.communication_missing),
            Shown::Suppressed { .. }
        ));
        // Without the first two: four people left.
        assert!(matches!(
            decisions_where(&list[2..], |d| d.against),
            Shown::Suppressed { .. }
        ));
    }
}
