//! The order of a case manager's caseload: whoever needs the case manager most comes first.
//!
//! In order: the most severe open alert; then how far past the expected contact interval the person
//! is (never contacted counts as furthest); then the last reported use (relapse before lapse before
//! unknown before none); then the lowest well-being; then the longest time without contact.

use std::cmp::Reverse;

use crate::alert::Severity;
use crate::contact::SubstanceUse;

/// What the caseload knows about one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NeedFacts {
    pub top_severity: Option<Severity>,
    pub days_since_contact: Option<i64>,
    /// Days between contacts the current intervention expects, if any.
    pub contact_interval: Option<u32>,
    pub last_use: Option<SubstanceUse>,
    pub last_well_being: Option<u8>,
}

fn severity_rank(s: Option<Severity>) -> u8 {
    match s {
        Some(Severity::High) => 3,
        Some(Severity::Medium) => 2,
        Some(Severity::Low) => 1,
        None => 0,
    }
}

fn use_rank(u: Option<SubstanceUse>) -> u8 {
    match u {
        Some(SubstanceUse::Relapse) => 3,
        Some(SubstanceUse::Lapse) => 2,
        Some(SubstanceUse::Unknown) | None => 1,
        Some(SubstanceUse::None) => 0,
    }
}

/// Days past the interval, in thousandths of an interval (0 when within it). No contact ever is the
/// most overdue there is.
fn overdue(f: &NeedFacts) -> i64 {
    match (f.days_since_contact, f.contact_interval) {
        (None, _) => i64::MAX,
        (Some(days), Some(interval)) if interval > 0 && days > i64::from(interval) => {
            (days - i64::from(interval)) * 1000 / i64::from(interval)
        }
        _ => 0,
    }
}

/// A key that sorts the neediest first (ascending order of the key).
pub fn need_key(f: &NeedFacts) -> impl Ord + use<> {
    (
        Reverse(severity_rank(f.top_severity)),
        Reverse(overdue(f)),
        Reverse(use_rank(f.last_use)),
        f.last_well_being.unwrap_or(u8::MAX),
        Reverse(f.days_since_contact.unwrap_or(i64::MAX)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(mut v: Vec<(&'static str, NeedFacts)>) -> Vec<&'static str> {
        v.sort_by_key(|(_, f)| need_key(f));
        v.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn a_severe_alert_comes_first_then_the_overdue_then_relapse_then_low_mood() {
        let calm = NeedFacts {
            days_since_contact: Some(1),
            contact_interval: Some(2),
            last_use: Some(SubstanceUse::None),
            last_well_being: Some(7),
            ..NeedFacts::default()
        };
        let order = sorted(vec![
            ("calm", calm),
            (
                "sad",
                NeedFacts {
                    last_well_being: Some(3),
                    ..calm
                },
            ),
            (
                "relapsed",
                NeedFacts {
                    last_use: Some(SubstanceUse::Relapse),
                    ..calm
                },
            ),
            (
                "overdue",
                NeedFacts {
                    days_since_contact: Some(5),
                    ..calm
                },
            ),
            (
                "alert",
                NeedFacts {
                    top_severity: Some(Severity::High),
                    ..calm
                },
            ),
            (
                "low alert",
                NeedFacts {
                    top_severity: Some(Severity::Low),
                    ..calm
                },
            ),
            (
                "never seen",
                NeedFacts {
                    days_since_contact: None,
                    ..calm
                },
            ),
        ]);
        assert_eq!(
            order,
            [
                "alert",
                "low alert",
                "never seen",
                "overdue",
                "relapsed",
                "sad",
                "calm"
            ]
        );
    }

    #[test]
    fn overdue_is_relative_to_the_interventions_interval() {
        let cm = NeedFacts {
            days_since_contact: Some(4),
            contact_interval: Some(2),
            ..NeedFacts::default()
        };
        let home = NeedFacts {
            days_since_contact: Some(20),
            contact_interval: Some(30),
            ..NeedFacts::default()
        };
        assert_eq!(sorted(vec![("home", home), ("cm", cm)]), ["cm", "home"]);
    }

    fn facts() -> impl Strategy<Value = NeedFacts> {
        (
            prop::option::of(prop::sample::select(Severity::ALL.to_vec())),
            prop::option::of(0i64..400),
            prop::option::of(0u32..60),
            prop::option::of(prop::sample::select(SubstanceUse::ALL.to_vec())),
            prop::option::of(0u8..=10),
        )
            .prop_map(|(s, d, i, u, w)| NeedFacts {
                top_severity: s,
                days_since_contact: d,
                contact_interval: i,
                last_use: u,
                last_well_being: w,
            })
    }

    proptest! {
        #[test]
        fn an_open_alert_always_outranks_no_alert(a in facts(), b in facts()) {
            let with = NeedFacts { top_severity: Some(Severity::Low), ..a };
            let without = NeedFacts { top_severity: None, ..b };
            prop_assert!(need_key(&with) < need_key(&without));
        }

        #[test]
        fn a_relapse_never_ranks_below_the_same_person_without_one(a in facts()) {
            let relapse = NeedFacts { last_use: Some(SubstanceUse::Relapse), ..a };
            let none = NeedFacts { last_use: Some(SubstanceUse::None), ..a };
            prop_assert!(need_key(&relapse) <= need_key(&none));
        }
    }
}
