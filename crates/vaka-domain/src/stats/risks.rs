//! The risks the journal reported in a period (overdose, suicide risk, violence, a risk of losing
//! the home): how many people had each reported, and how many reports. The committee sees how often
//! the unit meets an overdose or a home at risk without a name behind the figure: a count that rests
//! on 1–4 people is withheld. The counts overlap (one person can have several risks), so no withheld
//! count can be worked out from the others, and none is withheld beside it.

use chrono::NaiveDate;

use super::measures::{Shown, count_shown, distinct, shown};
use crate::contact::Risk;

/// One signed journal entry's risk: whose (a pseudonymous client id) and on which local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskReport {
    pub client: i64,
    pub on: NaiveDate,
    pub risk: Risk,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RiskCount {
    pub risk: Risk,
    /// People with the risk reported at least once in the period.
    pub people: Shown<u64>,
    /// Entries that reported it.
    pub reports: Shown<u64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RisksReported {
    /// People with any risk reported in the period.
    pub people: Shown<u64>,
    /// Every risk, in a fixed order, also those never reported (as 0).
    pub by_risk: Vec<RiskCount>,
}

/// The risks reported from `from` to `to` (both included). Corrected entries are left out by the
/// caller: a correction says what holds.
pub fn risks_reported(reports: &[RiskReport], from: NaiveDate, to: NaiveDate) -> RisksReported {
    let in_period: Vec<&RiskReport> = reports
        .iter()
        .filter(|r| from <= r.on && r.on <= to)
        .collect();
    let by_risk = Risk::ALL
        .iter()
        .map(|risk| {
            let of: Vec<&&RiskReport> = in_period.iter().filter(|r| r.risk == *risk).collect();
            let people = distinct(of.iter().map(|r| r.client).collect());
            RiskCount {
                risk: *risk,
                people: count_shown(people),
                reports: if people == 0 {
                    Shown::Value(0)
                } else {
                    shown(people, of.len() as u64)
                },
            }
        })
        .collect();
    RisksReported {
        people: count_shown(distinct(in_period.iter().map(|r| r.client).collect())),
        by_risk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn value(s: &Shown<u64>) -> Option<u64> {
        match s {
            Shown::Value(v) => Some(*v),
            Shown::Suppressed { .. } => None,
        }
    }

    fn report(client: i64, on: &str, risk: Risk) -> RiskReport {
        RiskReport {
            client,
            on: day(on),
            risk,
        }
    }

    #[test]
    fn people_and_reports_per_risk_in_the_period_with_few_people_withheld() {
        let mut all = Vec::new();
        // Six people with an overdose, one of them twice; one before the period.
        for c in 1..=6 {
            all.push(report(c, "2026-03-10", Risk::Overdose));
        }
        all.push(report(1, "2026-04-01", Risk::Overdose));
        all.push(report(7, "2025-12-31", Risk::Overdose));
        // Two people with violence: withheld.
        all.push(report(1, "2026-02-01", Risk::Violence));
        all.push(report(8, "2026-02-01", Risk::Violence));
        let r = risks_reported(&all, day("2026-01-01"), day("2026-06-30"));
        let rows: Vec<(Risk, Option<u64>, Option<u64>)> = r
            .by_risk
            .iter()
            .map(|x| (x.risk, value(&x.people), value(&x.reports)))
            .collect();
        assert_eq!(
            rows,
            [
                (Risk::Overdose, Some(6), Some(7)),
                (Risk::SuicideRisk, Some(0), Some(0)),
                (Risk::Violence, None, None),
                (Risk::EvictionRisk, Some(0), Some(0)),
            ]
        );
        assert_eq!(value(&r.people), Some(7));
        let none = risks_reported(&all, day("2027-01-01"), day("2027-12-31"));
        assert_eq!(value(&none.people), Some(0));
    }

    proptest! {
        /// Every shown count is 0 or rests on 5 or more people, and a shown count of reports is
        /// never below its count of people.
        #[test]
        fn nothing_shown_rests_on_one_to_four_people(
            raw in proptest::collection::vec((0i64..12, 0i64..400, 0usize..4), 0..60)
        ) {
            let start = day("2026-01-01");
            let reports: Vec<RiskReport> = raw
                .iter()
                .map(|(c, d, k)| RiskReport {
                    client: *c,
                    on: start + chrono::Duration::days(*d),
                    risk: Risk::ALL[*k],
                })
                .collect();
            let r = risks_reported(&reports, start, start + chrono::Duration::days(364));
            for x in &r.by_risk {
                match (value(&x.people), value(&x.reports)) {
                    (Some(p), Some(n)) => {
                        prop_assert!(p == 0 || p >= 5);
                        prop_assert!(n >= p);
                    }
                    (None, None) => {}
                    other => prop_assert!(false, "people and reports disagree: {other:?}"),
                }
            }
            if let Some(p) = value(&r.people) {
                prop_assert!(p == 0 || p >= 5);
            }
        }
    }
}
