//! Why cases ended: the cases closed in a period, counted by their reason. A count that rests on
//! fewer than 5 people is withheld, and so is the next smallest when only one would be, so that
//! no withheld count can be worked out from the total.

use chrono::NaiveDate;

use super::measures::{Shown, distinct, shown, withheld_rows};
use crate::case::ClosureReason;

/// One case closed: whose (a pseudonymous client id), when, and why (`None` for cases closed
/// before reasons were kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedCase {
    pub client: i64,
    pub closed_on: NaiveDate,
    pub reason: Option<ClosureReason>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReasonCount {
    /// `None`: closed without a recorded reason.
    pub reason: Option<ClosureReason>,
    pub cases: Shown<u64>,
    pub people: Shown<u64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Closures {
    pub cases: Shown<u64>,
    pub people: Shown<u64>,
    /// Every reason that occurred, most common first.
    pub by_reason: Vec<ReasonCount>,
}

/// The cases closed from `from` to `to` (both included), by reason.
pub fn closures(cases: &[ClosedCase], from: NaiveDate, to: NaiveDate) -> Closures {
    let in_period: Vec<&ClosedCase> = cases
        .iter()
        .filter(|c| from <= c.closed_on && c.closed_on <= to)
        .collect();
    let people = distinct(in_period.iter().map(|c| c.client).collect());
    let mut reasons: Vec<Option<ClosureReason>> = in_period.iter().map(|c| c.reason).collect();
    reasons.sort_by_key(|r| r.map(ClosureReason::as_str));
    reasons.dedup();
    let mut rows: Vec<(Option<ClosureReason>, u64, u64)> = reasons
        .into_iter()
        .map(|reason| {
            let of: Vec<&&ClosedCase> = in_period.iter().filter(|c| c.reason == reason).collect();
            let n_people = distinct(of.iter().map(|c| c.client).collect());
            (reason, of.len() as u64, n_people)
        })
        .collect();
    rows.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(a.0.map(|r| r.as_str()).cmp(&b.0.map(|r| r.as_str())))
    });
    let hidden = withheld_rows(
        &rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        people,
    );
    let withheld = || Shown::Suppressed {
        suppressed: true,
        reason: "fewer than 5 people",
    };
    Closures {
        cases: shown(people, in_period.len() as u64),
        people: shown(people, people),
        by_reason: rows
            .into_iter()
            .zip(hidden)
            .map(|((reason, cases, n_people), hide)| ReasonCount {
                reason,
                cases: if hide {
                    withheld()
                } else {
                    Shown::Value(cases)
                },
                people: if hide {
                    withheld()
                } else {
                    Shown::Value(n_people)
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::measures::MIN_PEOPLE;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn closed(client: i64, on: &str, reason: Option<ClosureReason>) -> ClosedCase {
        ClosedCase {
            client,
            closed_on: day(on),
            reason,
        }
    }

    fn value(s: &Shown<u64>) -> Option<u64> {
        match s {
            Shown::Value(v) => Some(*v),
            Shown::Suppressed { .. } => None,
        }
    }

    #[test]
    fn cases_in_the_period_are_counted_by_reason_most_common_first() {
        let mut cases = Vec::new();
        for c in 0..7 {
            cases.push(closed(c, "2026-03-01", Some(ClosureReason::GoalsMet)));
        }
        for c in 10..16 {
            cases.push(closed(c, "2026-06-30", Some(ClosureReason::LostContact)));
        }
        // Two cases of one person count as two cases and one person.
        cases.push(closed(10, "2026-06-01", Some(ClosureReason::LostContact)));
        // Outside the period.
        cases.push(closed(99, "2025-12-31", Some(ClosureReason::Died)));
        cases.push(closed(98, "2027-01-01", Some(ClosureReason::Died)));
        let r = closures(&cases, day("2026-01-01"), day("2026-12-31"));
        assert_eq!(value(&r.cases), Some(14));
        assert_eq!(value(&r.people), Some(13));
        let rows: Vec<_> = r
            .by_reason
            .iter()
            .map(|x| (x.reason, value(&x.cases), value(&x.people)))
            .collect();
        assert_eq!(
            rows,
            // Equal counts in the order of the reasons' names.
            [
                (Some(ClosureReason::GoalsMet), Some(7), Some(7)),
                (Some(ClosureReason::LostContact), Some(7), Some(6)),
            ]
        );
    }

    #[test]
    fn a_lone_small_count_takes_the_next_smallest_with_it() {
        let mut cases = Vec::new();
        for c in 0..9 {
            cases.push(closed(c, "2026-03-01", Some(ClosureReason::GoalsMet)));
        }
        for c in 10..16 {
            cases.push(closed(c, "2026-03-01", Some(ClosureReason::Moved)));
        }
        cases.push(closed(20, "2026-03-01", Some(ClosureReason::Died)));
        cases.push(closed(21, "2026-03-01", None));
        cases.push(closed(22, "2026-03-01", None));
        let r = closures(&cases, day("2026-01-01"), day("2026-12-31"));
        let rows: Vec<_> = r
            .by_reason
            .iter()
            .map(|x| (x.reason, value(&x.cases)))
            .collect();
        // Two small counts already hide each other; the others show.
        assert_eq!(
            rows,
            [
                (Some(ClosureReason::GoalsMet), Some(9)),
                (Some(ClosureReason::Moved), Some(6)),
                (None, None),
                (Some(ClosureReason::Died), None),
            ]
        );
        let lone: Vec<ClosedCase> = cases.into_iter().filter(|c| c.reason.is_some()).collect();
        let r = closures(&lone, day("2026-01-01"), day("2026-12-31"));
        let rows: Vec<_> = r
            .by_reason
            .iter()
            .map(|x| (x.reason, value(&x.cases)))
            .collect();
        assert_eq!(
            rows,
            [
                (Some(ClosureReason::GoalsMet), Some(9)),
                (Some(ClosureReason::Moved), None),
                (Some(ClosureReason::Died), None),
            ]
        );
    }

    #[test]
    fn fewer_than_five_people_show_nothing() {
        let cases: Vec<ClosedCase> = (0..4)
            .map(|c| closed(c, "2026-03-01", Some(ClosureReason::GoalsMet)))
            .collect();
        let r = closures(&cases, day("2026-01-01"), day("2026-12-31"));
        assert_eq!(value(&r.cases), None);
        assert!(r.by_reason.iter().all(|x| value(&x.cases).is_none()));
    }

    proptest! {
        /// No withheld count can be worked out: either none is withheld, or at least two are, or
        /// the total itself is withheld; and the shown counts never exceed the total.
        #[test]
        fn no_withheld_count_can_be_worked_out(
            picks in proptest::collection::vec((0i64..40, 0usize..8), 0..80),
        ) {
            let cases: Vec<ClosedCase> = picks
                .iter()
                .map(|(client, r)| ClosedCase {
                    client: *client,
                    closed_on: day("2026-05-01"),
                    reason: ClosureReason::ALL.get(*r).copied(),
                })
                .collect();
            let r = closures(&cases, day("2026-01-01"), day("2026-12-31"));
            let hidden = r.by_reason.iter().filter(|x| value(&x.cases).is_none()).count();
            prop_assert!(value(&r.cases).is_none() || hidden != 1);
            let shown_sum: u64 = r.by_reason.iter().filter_map(|x| value(&x.cases)).sum();
            prop_assert!(shown_sum <= cases.len() as u64);
            for x in &r.by_reason {
                if let Some(p) = value(&x.people) {
                    prop_assert!(p >= MIN_PEOPLE);
                }
            }
        }
    }
}
