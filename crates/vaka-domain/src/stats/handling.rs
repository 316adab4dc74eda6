//! How long the person waited for a decision: the days from the day the application was received
//! to the day it was decided, for the decisions of a period that answer an application (the
//! measure Öppna jämförelser calls utredningstid, Kolada U35400 mean and U35401 median). Decisions
//! made on the unit's own initiative have no application and are not counted. Withheld when
//! fewer than 5 people are behind it.

use chrono::NaiveDate;

use super::measures::{Shown, count_shown, distinct, shown, withheld_rows};

/// One decision that answers an application: whose (pseudonymous) and the two days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    pub client: i64,
    pub applied_on: NaiveDate,
    pub decided_on: NaiveDate,
}

/// The days from application to decision, in bands a committee reads at a glance.
pub const BANDS: [(i64, Option<i64>); 4] =
    [(0, Some(14)), (15, Some(30)), (31, Some(90)), (91, None)];

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Band {
    pub from_days: i64,
    /// `None`: no upper bound.
    pub to_days: Option<i64>,
    pub decisions: Shown<u64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HandlingTime {
    pub decisions: Shown<u64>,
    pub people: Shown<u64>,
    pub median_days: Shown<Option<f64>>,
    pub mean_days: Shown<Option<f64>>,
    /// The decisions per band of days; a band resting on 1–4 people is withheld, and the next
    /// smallest with it when only one would be (it could be worked out from the total).
    pub bands: Vec<Band>,
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// The decisions in `answered` made from `from` to `to` (both included). A decision dated before
/// its application (a data error) counts as 0 days.
pub fn handling_time(answered: &[Answered], from: NaiveDate, to: NaiveDate) -> HandlingTime {
    let in_period: Vec<&Answered> = answered
        .iter()
        .filter(|a| from <= a.decided_on && a.decided_on <= to)
        .collect();
    let people = distinct(in_period.iter().map(|a| a.client).collect());
    let mut days: Vec<i64> = in_period
        .iter()
        .map(|a| (a.decided_on - a.applied_on).num_days().max(0))
        .collect();
    days.sort_unstable();
    let mean = (!days.is_empty()).then(|| days.iter().sum::<i64>() as f64 / days.len() as f64);
    let per_band: Vec<(u64, u64)> = BANDS
        .iter()
        .map(|(lo, hi)| {
            let of: Vec<&&Answered> = in_period
                .iter()
                .filter(|a| {
                    let d = (a.decided_on - a.applied_on).num_days().max(0);
                    d >= *lo && hi.is_none_or(|h| d <= h)
                })
                .collect();
            (
                of.len() as u64,
                distinct(of.iter().map(|a| a.client).collect()),
            )
        })
        .collect();
    let hidden = withheld_rows(
        &per_band.iter().map(|b| b.1).collect::<Vec<_>>(),
        &per_band.iter().map(|b| b.0).collect::<Vec<_>>(),
        people,
    );
    let withheld = || Shown::Suppressed {
        suppressed: true,
        reason: "fewer than 5 people",
    };
    HandlingTime {
        decisions: if people == 0 {
            Shown::Value(0)
        } else {
            shown(people, in_period.len() as u64)
        },
        people: count_shown(people),
        median_days: shown(people, median(&days)),
        mean_days: shown(people, mean),
        bands: BANDS
            .iter()
            .zip(per_band)
            .zip(hidden)
            .map(|(((lo, hi), (n, _)), hide)| Band {
                from_days: *lo,
                to_days: *hi,
                decisions: if hide { withheld() } else { Shown::Value(n) },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn value<T: Copy>(s: &Shown<T>) -> Option<T> {
        match s {
            Shown::Value(v) => Some(*v),
            Shown::Suppressed { .. } => None,
        }
    }

    fn answered(client: i64, applied: &str, days: i64) -> Answered {
        let applied_on = day(applied);
        Answered {
            client,
            applied_on,
            decided_on: applied_on + chrono::Duration::days(days),
        }
    }

    #[test]
    fn median_and_mean_days_from_application_to_decision_in_the_period() {
        // Six people: 3, 10, 20, 40, 100 and 7 days; one decided before the period.
        let all = [
            answered(1, "2026-02-01", 3),
            answered(2, "2026-02-01", 10),
            answered(3, "2026-02-01", 20),
            answered(4, "2026-02-01", 40),
            answered(5, "2026-02-01", 100),
            answered(6, "2026-03-01", 7),
            answered(7, "2025-11-01", 30),
        ];
        let h = handling_time(&all, day("2026-01-01"), day("2026-12-31"));
        assert_eq!(value(&h.decisions), Some(6));
        assert_eq!(value(&h.median_days), Some(Some(15.0)));
        assert_eq!(value(&h.mean_days), Some(Some(30.0)));
        // 0–14: three people; 15–30: one; 31–90: one; over 90: one. Every band rests on fewer
        // than five people: all withheld, though the totals are shown.
        let bands: Vec<Option<u64>> = h.bands.iter().map(|b| value(&b.decisions)).collect();
        assert_eq!(bands, [None, None, None, None]);
        let h = handling_time(&all[..5], day("2026-01-01"), day("2026-12-31"));
        assert_eq!(value(&h.median_days), Some(Some(20.0)));
        // Before the period, or with fewer than five people: withheld; none at all: 0.
        let few = handling_time(&all[..4], day("2026-01-01"), day("2026-12-31"));
        assert_eq!(value(&few.median_days), None);
        assert_eq!(value(&few.decisions), None);
        let none = handling_time(&all, day("2027-01-01"), day("2027-12-31"));
        assert_eq!(value(&none.decisions), Some(0));
    }

    #[test]
    fn one_band_alone_under_five_people_takes_the_next_smallest_with_it() {
        let mut all: Vec<Answered> = (0..8).map(|c| answered(c, "2026-02-01", 5)).collect();
        all.extend((8..14).map(|c| answered(c, "2026-02-01", 20)));
        all.push(answered(14, "2026-02-01", 200));
        let h = handling_time(&all, day("2026-01-01"), day("2026-12-31"));
        let bands: Vec<Option<u64>> = h.bands.iter().map(|b| value(&b.decisions)).collect();
        // Over 90 days rests on one person; 15–30 (6) is the smallest shown one, withheld too.
        assert_eq!(bands, [Some(8), None, Some(0), None]);
        assert_eq!(value(&h.decisions), Some(15));
    }

    proptest! {
        /// Nothing shown rests on 1–4 people, and the shown figures agree with each other.
        #[test]
        fn shown_figures_rest_on_five_people_or_none(
            raw in proptest::collection::vec((0i64..12, 0i64..200), 0..40)
        ) {
            let all: Vec<Answered> = raw.iter().map(|(c, d)| answered(*c, "2026-02-01", *d)).collect();
            let h = handling_time(&all, day("2026-01-01"), day("2026-12-31"));
            let people = distinct(all.iter().map(|a| a.client).collect());
            if (1..5).contains(&people) {
                prop_assert_eq!(value(&h.median_days), None);
                prop_assert_eq!(value(&h.decisions), None);
            }
            if let (Some(Some(median)), Some(Some(mean))) = (value(&h.median_days), value(&h.mean_days)) {
                prop_assert!((0.0..=199.0).contains(&median) && (0.0..=199.0).contains(&mean));
            }
            let hidden = h.bands.iter().filter(|b| value(&b.decisions).is_none()).count();
            prop_assert!(hidden != 1 || people < 5, "one withheld band alone could be worked out");
            for (b, (lo, hi)) in h.bands.iter().zip(BANDS) {
                if let Some(n) = value(&b.decisions) {
                    let people_in: Vec<i64> = all.iter().filter(|a| {
                        let d = (a.decided_on - a.applied_on).num_days();
                        d >= lo && hi.is_none_or(|h| d <= h)
                    }).map(|a| a.client).collect();
                    let p = distinct(people_in);
                    prop_assert!(p == 0 || p >= 5);
                    prop_assert!(n >= p);
                }
            }
        }
    }
}
