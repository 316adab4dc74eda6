//! The social committee's report: what the figures are, composed from the measures, with every
//! figure that rests on fewer than 5 people withheld and every curve cut where fewer than 5 remain.
//! Rendering (HTML, CSV, PDF) is done elsewhere from this.

use chrono::NaiveDate;

use super::measures::{self, Episode, Lengths, MIN_PEOPLE, Shown};
use super::proportion::Share;
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
    pub cost_ore: Shown<i64>,
    pub cost_per_person_ore: Shown<i64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Departures {
    pub decisions: u64,
    pub departing: Shown<u64>,
    pub departing_share: Shown<Share>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommitteeReport {
    pub municipality: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub min_people: u64,
    pub groups: Vec<GroupRow>,
    pub curves: Vec<Curve>,
    pub departures: Departures,
}

/// What the report is made from: the municipality's placements (episodes), relapse reports, the
/// cost of each placement within the period, and its decisions in the period (`true` when one
/// departed from the application or a recommendation, with the client).
pub struct Inputs<'a> {
    pub municipality: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub episodes: &'a [Episode],
    pub relapses: &'a [(i64, NaiveDate)],
    /// Cost within the period per episode, in the order of `episodes`.
    pub costs_ore: &'a [i64],
    pub decisions: &'a [(i64, bool)],
}

pub fn committee(i: &Inputs<'_>) -> CommitteeReport {
    let exits = measures::exits(i.episodes, i.relapses, i.from, i.to);
    let relapses = measures::RelapseIndex::new(i.relapses);
    let mut groups = Vec::new();
    let mut curves = Vec::new();
    for intervention in Intervention::ALL {
        // Placements of this kind that overlap the period.
        let picked: Vec<(usize, &Episode)> = i
            .episodes
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.intervention == *intervention
                    && e.start <= i.to
                    && e.end.is_none_or(|x| x >= i.from)
            })
            .collect();
        if picked.is_empty() {
            continue;
        }
        let list: Vec<&Episode> = picked.iter().map(|(_, e)| *e).collect();
        let mut people: Vec<i64> = list.iter().map(|e| e.client).collect();
        people.sort_unstable();
        people.dedup();
        let n = people.len() as u64;
        let cost: i64 = picked
            .iter()
            .map(|(k, _)| i.costs_ore.get(*k).copied().unwrap_or(0))
            .sum();
        let own_exits = measures::exits_from(&exits, &list);
        let returned = measures::returns(&own_exits, i.as_of).within_365;
        groups.push(GroupRow {
            intervention: *intervention,
            people: measures::shown(n, n),
            lengths: measures::shown(n, measures::lengths(&list, i.as_of)),
            returned_within_365: returned,
            cost_ore: measures::shown(n, cost),
            cost_per_person_ore: measures::shown(n, if n > 0 { cost / n as i64 } else { 0 }),
        });
        if n >= MIN_PEOPLE {
            curves.push(relapse_curve(*intervention, &list, &relapses, i.as_of, n));
        }
    }
    let departing = i.decisions.iter().filter(|(_, d)| *d).count() as u64;
    let mut departing_people: Vec<i64> = i
        .decisions
        .iter()
        .filter(|(_, d)| *d)
        .map(|(c, _)| *c)
        .collect();
    departing_people.sort_unstable();
    departing_people.dedup();
    let mut deciding_people: Vec<i64> = i.decisions.iter().map(|(c, _)| *c).collect();
    deciding_people.sort_unstable();
    deciding_people.dedup();
    let share = super::proportion::wilson(departing, i.decisions.len() as u64, 0.95);
    CommitteeReport {
        municipality: i.municipality.to_owned(),
        from: i.from,
        to: i.to,
        as_of: i.as_of,
        min_people: MIN_PEOPLE,
        groups,
        curves,
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
        },
    }
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
/// the text `suppressed`).
pub fn to_csv(r: &CommitteeReport) -> String {
    let mut out = String::from("section,group,measure,value,lower,upper\n");
    let mut row = |section: &str, group: &str, measure: &str, v: String, lo: String, hi: String| {
        out.push_str(&format!("{section},{group},{measure},{v},{lo},{hi}\n"));
    };
    let none = String::new;
    for g in &r.groups {
        let name = g.intervention.as_str();
        let s = |v: &Shown<i64>| match v {
            Shown::Value(x) => x.to_string(),
            Shown::Suppressed { .. } => "suppressed".into(),
        };
        match g.people {
            Shown::Value(n) => row("groups", name, "people", n.to_string(), none(), none()),
            Shown::Suppressed { .. } => row(
                "groups",
                name,
                "people",
                "suppressed".into(),
                none(),
                none(),
            ),
        }
        match &g.lengths {
            Shown::Value(l) => {
                let f = |v: Option<f64>| v.map_or_else(String::new, |x| x.to_string());
                row(
                    "groups",
                    name,
                    "length_median_days",
                    f(l.median),
                    f(l.q1),
                    f(l.q3),
                );
            }
            Shown::Suppressed { .. } => row(
                "groups",
                name,
                "length_median_days",
                "suppressed".into(),
                none(),
                none(),
            ),
        }
        match &g.returned_within_365 {
            Shown::Value(s) => row(
                "groups",
                name,
                "returned_within_365",
                format!("{:.4}", s.estimate),
                format!("{:.4}", s.lower),
                format!("{:.4}", s.upper),
            ),
            Shown::Suppressed { .. } => row(
                "groups",
                name,
                "returned_within_365",
                "suppressed".into(),
                none(),
                none(),
            ),
        }
        row(
            "groups",
            name,
            "cost_sek",
            s(&g.cost_ore.map_value(|o| o / 100)),
            none(),
            none(),
        );
        row(
            "groups",
            name,
            "cost_per_person_sek",
            s(&g.cost_per_person_ore.map_value(|o| o / 100)),
            none(),
            none(),
        );
    }
    for c in &r.curves {
        for p in &c.points {
            row(
                "relapse_free",
                c.intervention.as_str(),
                &format!("day_{}", p.day),
                format!("{:.4}", p.survival),
                format!("{:.4}", p.lower),
                format!("{:.4}", p.upper),
            );
        }
    }
    match r.departures.departing {
        Shown::Value(n) => row(
            "decisions",
            "all",
            "departing",
            n.to_string(),
            none(),
            none(),
        ),
        Shown::Suppressed { .. } => row(
            "decisions",
            "all",
            "departing",
            "suppressed".into(),
            none(),
            none(),
        ),
    }
    row(
        "decisions",
        "all",
        "decisions",
        r.departures.decisions.to_string(),
        none(),
        none(),
    );
    out
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
        let decisions = [
            (0, true),
            (1, false),
            (2, false),
            (3, true),
            (4, false),
            (5, false),
        ];
        let r = committee(&Inputs {
            municipality: "Demokommun",
            from: d("2024-01-01"),
            to: d("2024-12-31"),
            as_of: d("2025-06-01"),
            episodes: &eps,
            relapses: &relapses,
            costs_ore: &costs,
            decisions: &decisions,
        });
        let th = &r.groups[0];
        assert_eq!(
            (th.intervention, th.people, th.cost_ore),
            (
                Intervention::TreatmentHome,
                Shown::Value(8),
                Shown::Value(800_000)
            )
        );
        assert_eq!(th.cost_per_person_ore, Shown::Value(100_000));
        let op = r
            .groups
            .iter()
            .find(|g| g.intervention == Intervention::Outpatient)
            .unwrap();
        assert!(matches!(op.people, Shown::Suppressed { .. }));
        assert!(matches!(op.cost_ore, Shown::Suppressed { .. }));
        assert_eq!(r.curves.len(), 1, "no curve for two people");
        // At risk 8, 7, 6, 5 at the four relapses; after the fourth only 4 remain, so the curve
        // ends at day 40 (the row where 5 were at risk).
        let days: Vec<f64> = r.curves[0].points.iter().map(|p| p.day).collect();
        assert_eq!(days, [0.0, 10.0, 20.0, 30.0, 40.0]);
        assert!(r.curves[0].points.iter().all(|p| p.at_risk >= 5));
        // Two departing decisions about two people: withheld; six decisions in all are shown.
        assert!(matches!(r.departures.departing, Shown::Suppressed { .. }));
        assert_eq!(r.departures.decisions, 6);
        let csv = to_csv(&r);
        assert!(csv.starts_with("section,group,measure,value,lower,upper\n"));
        assert!(csv.contains("groups,outpatient,people,suppressed"));
        assert!(csv.contains("groups,treatment_home,cost_sek,8000"));
        assert!(csv.contains("relapse_free,treatment_home,day_40,0.5000"));
    }
}
