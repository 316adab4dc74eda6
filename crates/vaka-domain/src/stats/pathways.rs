//! Pathways: the order in which people get interventions, the most common sequences, and the
//! "revolving door" of people who come back to an intervention they had before after a relapse
//! (for example treatment home → supported housing → relapse → treatment home). See
//! docs/measures.md.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::measures::{Episode, MIN_PEOPLE, RelapseIndex, Shown, shown};
use super::proportion::{Share, wilson};
use crate::intervention::Intervention;
use crate::placement::EndReason;

/// A step of a pathway: an intervention, or a relapse between two of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Intervention(Intervention),
    Relapse,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intervention(i) => i.as_str(),
            Self::Relapse => "relapse",
        }
    }

    /// The Swedish name, for the report.
    pub fn label(self) -> &'static str {
        match self {
            Self::Intervention(i) => i.label().0,
            Self::Relapse => "återfall",
        }
    }
}

impl serde::Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A sequence and how many people have it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sequence {
    pub steps: Vec<Step>,
    pub people: u64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pathways {
    /// People with a placement in the period.
    pub people: u64,
    /// Their pathways (every placement that started by the end of the period, in order, repeats of
    /// the same intervention one after the other counted once), the most common first; only those
    /// of at least 5 people, at most ten.
    pub common: Vec<Sequence>,
    /// People whose pathway is not among `common`.
    pub other_people: Shown<u64>,
    /// People who came back to an intervention they had before, after a relapse.
    pub in_cycle: Shown<Share>,
    /// People with two or more such returns.
    pub two_or_more_cycles: Shown<u64>,
    /// The cycles themselves (from the earlier placement to the return), the most common first;
    /// only those of at least 5 people, at most ten.
    pub cycles: Vec<Sequence>,
}

/// Repeats one after the other counted once.
fn merged(steps: impl IntoIterator<Item = Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for s in steps {
        if out.last() != Some(&s) {
            out.push(s);
        }
    }
    out
}

/// The most common sequences, at least [`MIN_PEOPLE`] people each, at most ten, and how many
/// people are left out.
fn common(per_person: &HashMap<Vec<Step>, u64>, people: u64) -> (Vec<Sequence>, u64) {
    let mut list: Vec<Sequence> = per_person
        .iter()
        .filter(|(_, n)| **n >= MIN_PEOPLE)
        .map(|(steps, n)| Sequence {
            steps: steps.clone(),
            people: *n,
        })
        .collect();
    list.sort_by(|a, b| b.people.cmp(&a.people).then_with(|| a.steps.cmp(&b.steps)));
    list.truncate(10);
    let covered: u64 = list.iter().map(|s| s.people).sum();
    (list, people.saturating_sub(covered))
}

/// The pathways of the people with a placement overlapping `[from, to]`.
pub fn pathways(
    episodes: &[Episode],
    relapses: &[(i64, NaiveDate)],
    from: NaiveDate,
    to: NaiveDate,
) -> Pathways {
    let relapses = RelapseIndex::new(relapses);
    let mut by_client: BTreeMap<i64, Vec<&Episode>> = BTreeMap::new();
    for e in episodes.iter().filter(|e| e.start <= to) {
        by_client.entry(e.client).or_default().push(e);
    }
    let mut sequences: HashMap<Vec<Step>, u64> = HashMap::new();
    let mut cycles: HashMap<Vec<Step>, u64> = HashMap::new();
    let (mut people, mut cycling, mut twice) = (0u64, 0u64, 0u64);
    for (client, mut list) in by_client {
        if !list.iter().any(|e| e.end.is_none_or(|x| x >= from)) {
            continue;
        }
        people += 1;
        list.sort_by_key(|e| e.start);
        *sequences
            .entry(merged(
                list.iter().map(|e| Step::Intervention(e.intervention)),
            ))
            .or_default() += 1;
        let mut own: Vec<Vec<Step>> = Vec::new();
        for j in 1..list.len() {
            let back = &list[j];
            // The latest earlier placement of the same kind.
            let Some(i) = (0..j)
                .rev()
                .find(|i| list[*i].intervention == back.intervention)
            else {
                continue;
            };
            let between = |e: &Episode| e.end_reason == Some(EndReason::Relapse);
            let relapsed = list[i..j].iter().any(|e| between(e))
                || relapses
                    .first_between(
                        client,
                        list[i].start.succ_opt().unwrap_or(list[i].start),
                        back.start,
                    )
                    .is_some();
            if relapsed {
                let mut steps = merged(
                    list[i..j]
                        .iter()
                        .map(|e| Step::Intervention(e.intervention)),
                );
                steps.push(Step::Relapse);
                steps.push(Step::Intervention(back.intervention));
                own.push(steps);
            }
        }
        if !own.is_empty() {
            cycling += 1;
            if own.len() >= 2 {
                twice += 1;
            }
        }
        own.sort();
        own.dedup();
        for c in own {
            *cycles.entry(c).or_default() += 1;
        }
    }
    let (common_paths, other_people) = common(&sequences, people);
    let (common_cycles, _) = common(&cycles, cycling);
    Pathways {
        people,
        common: common_paths,
        other_people: super::measures::count_shown(other_people),
        in_cycle: match wilson(cycling, people, 0.95) {
            Some(s) => shown(people, s),
            None => shown(0, empty_share()),
        },
        two_or_more_cycles: super::measures::count_shown(twice),
        cycles: common_cycles,
    }
}

fn empty_share() -> Share {
    Share {
        successes: 0,
        n: 0,
        estimate: 0.0,
        lower: 0.0,
        upper: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Intervention::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ep(
        client: i64,
        iv: Intervention,
        start: &str,
        end: Option<&str>,
        r: Option<EndReason>,
    ) -> Episode {
        Episode {
            client,
            intervention: iv,
            provider: None,
            start: d(start),
            end: end.map(d),
            end_reason: r,
        }
    }

    fn iv(i: Intervention) -> Step {
        Step::Intervention(i)
    }

    /// Person c: treatment home → supported housing, a relapse reported, → treatment home again.
    fn revolving(c: i64) -> Vec<Episode> {
        vec![
            ep(
                c,
                TreatmentHome,
                "2023-01-01",
                Some("2023-04-01"),
                Some(EndReason::CompletedAsPlanned),
            ),
            ep(
                c,
                SupportedHousingExternal,
                "2023-04-02",
                Some("2023-09-01"),
                Some(EndReason::Other),
            ),
            ep(
                c,
                TreatmentHome,
                "2023-10-01",
                Some("2024-01-01"),
                Some(EndReason::CompletedAsPlanned),
            ),
        ]
    }

    #[test]
    fn the_revolving_door_is_a_return_to_an_earlier_intervention_after_a_relapse() {
        let mut eps = Vec::new();
        let mut relapses = Vec::new();
        for c in 0..5 {
            eps.extend(revolving(c));
            relapses.push((c, d("2023-08-15")));
        }
        // Person 10: the same order, but no relapse: no cycle.
        eps.extend(revolving(10));
        // Person 11: treatment home ended by relapse, then treatment home again (a cycle of one
        // kind, shown as treatment home → relapse → treatment home), then again with a relapse:
        // two returns.
        eps.push(ep(
            11,
            TreatmentHome,
            "2023-01-01",
            Some("2023-02-01"),
            Some(EndReason::Relapse),
        ));
        eps.push(ep(
            11,
            TreatmentHome,
            "2023-03-01",
            Some("2023-05-01"),
            Some(EndReason::Relapse),
        ));
        eps.push(ep(11, TreatmentHome, "2023-06-01", None, None));
        // Persons 20–24: outpatient only.
        for c in 20..25 {
            eps.push(ep(c, Outpatient, "2023-02-01", None, None));
        }
        // Person 30: ended before the period; not counted at all.
        eps.push(ep(30, Outpatient, "2020-01-01", Some("2020-02-01"), None));
        let p = pathways(&eps, &relapses, d("2023-01-01"), d("2023-12-31"));
        assert_eq!(p.people, 12);
        let th_sh_th = vec![
            iv(TreatmentHome),
            iv(SupportedHousingExternal),
            iv(TreatmentHome),
        ];
        assert_eq!(
            p.common,
            [
                Sequence {
                    steps: th_sh_th,
                    people: 6
                },
                Sequence {
                    steps: vec![iv(Outpatient)],
                    people: 5
                },
            ]
        );
        // Person 11's pathway (treatment home, merged) is alone: among the others.
        assert!(matches!(p.other_people, Shown::Suppressed { .. }));
        match p.in_cycle {
            Shown::Value(s) => assert_eq!((s.successes, s.n), (6, 12)),
            other => panic!("{other:?}"),
        }
        // Only person 11 came back twice: withheld.
        assert!(matches!(p.two_or_more_cycles, Shown::Suppressed { .. }));
        assert_eq!(
            p.cycles,
            [Sequence {
                steps: vec![
                    iv(TreatmentHome),
                    iv(SupportedHousingExternal),
                    Step::Relapse,
                    iv(TreatmentHome)
                ],
                people: 5
            }]
        );
        assert_eq!(
            serde_json::to_value(&p.cycles[0].steps).unwrap(),
            serde_json::json!([
                "treatment_home",
                "supported_housing_external",
                "relapse",
                "treatment_home"
            ])
        );
    }

    #[test]
    fn a_relapse_before_the_earlier_placement_starts_is_not_a_cycle() {
        let mut eps = Vec::new();
        let mut relapses = Vec::new();
        for c in 0..6 {
            eps.extend(revolving(c));
            relapses.push((c, d("2022-12-01")));
        }
        let p = pathways(&eps, &relapses, d("2023-01-01"), d("2023-12-31"));
        match p.in_cycle {
            Shown::Value(s) => assert_eq!((s.successes, s.n), (0, 6)),
            other => panic!("{other:?}"),
        }
        assert!(p.cycles.is_empty());
    }
}
