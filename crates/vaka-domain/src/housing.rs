//! The municipality's own housing: training apartments and internal supported housing, with who
//! lives where, breaches of conditions, occupancy and the waiting list.

use chrono::NaiveDate;

use crate::string_enum;

string_enum! {
    /// A breach of a housing condition or an incident in supported housing.
    pub enum IncidentKind {
        /// Use of alcohol or drugs where the contract requires sobriety.
        SobrietyBreach = "sobriety_breach",
        /// Another condition of the contract broken (visitors, rent, cooperation with the plan).
        OtherCondition = "other_condition",
        Disturbance = "disturbance",
        Damage = "damage",
        Other = "other",
    }
}

impl IncidentKind {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::SobrietyBreach => ("Brott mot nykterhetskrav", "Sobriety breach"),
            Self::OtherCondition => ("Annat villkor brutet", "Other condition broken"),
            Self::Disturbance => ("Störning", "Disturbance"),
            Self::Damage => ("Skada på bostaden", "Damage"),
            Self::Other => ("Annat", "Other"),
        }
    }
}

/// One stay in a unit: a placement with the unit set. `end` is the last night in the flat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenancy {
    pub unit_id: i64,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// Occupancy over a period.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Occupancy {
    /// Units × days in the period.
    pub unit_days: i64,
    /// Days on which a unit had someone living in it (each unit counted once a day).
    pub occupied_days: i64,
    /// `occupied_days / unit_days`, `None` for an empty inventory.
    pub rate: Option<f64>,
}

/// Occupancy of `units` over `from..=to`: a unit is occupied on a day when a tenancy covers it (the
/// day of moving in and the last day both count); overlapping tenancies of one unit count once.
pub fn occupancy(
    units: &[i64],
    tenancies: &[Tenancy],
    from: NaiveDate,
    to: NaiveDate,
) -> Occupancy {
    if to < from {
        return Occupancy::default();
    }
    let days = (to - from).num_days() + 1;
    let mut occupied = 0;
    for unit in units {
        let mut spans: Vec<(NaiveDate, NaiveDate)> = tenancies
            .iter()
            .filter(|t| t.unit_id == *unit)
            .map(|t| (t.start.max(from), t.end.unwrap_or(to).min(to)))
            .filter(|(s, e)| s <= e)
            .collect();
        spans.sort();
        let mut covered_until: Option<NaiveDate> = None;
        for (s, e) in spans {
            let s = match covered_until {
                Some(c) if c >= s => c.succ_opt().unwrap_or(c),
                _ => s,
            };
            if s <= e {
                occupied += (e - s).num_days() + 1;
            }
            covered_until = Some(covered_until.map_or(e, |c| c.max(e)));
        }
    }
    let unit_days = days * units.len() as i64;
    Occupancy {
        unit_days,
        occupied_days: occupied,
        rate: (unit_days > 0).then(|| occupied as f64 / unit_days as f64),
    }
}

/// Days a person has waited for a flat, or waited until they got one.
pub fn waiting_days(added_on: NaiveDate, removed_on: Option<NaiveDate>, today: NaiveDate) -> i64 {
    (removed_on.unwrap_or(today) - added_on).num_days().max(0)
}

/// Incidents per 1 000 days lived, the rate used to compare internal and external housing.
pub fn incidents_per_1000_days(incidents: i64, days: i64) -> Option<f64> {
    (days > 0).then(|| incidents as f64 * 1000.0 / days as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn occupancy_counts_each_unit_once_a_day() {
        let t = |unit, s, e: Option<&str>| Tenancy {
            unit_id: unit,
            start: d(s),
            end: e.map(d),
        };
        let tenancies = [
            t(1, "2026-01-01", Some("2026-01-10")),
            // Overlaps the first on 10 January (a double booking counts once).
            t(1, "2026-01-10", Some("2026-01-15")),
            // Unit 2 from before the period and still running.
            t(2, "2025-12-01", None),
            // Unit 3 outside the period.
            t(3, "2025-01-01", Some("2025-06-30")),
        ];
        let o = occupancy(&[1, 2, 3, 4], &tenancies, d("2026-01-01"), d("2026-01-31"));
        assert_eq!(o.unit_days, 4 * 31);
        assert_eq!(o.occupied_days, 15 + 31);
        assert_eq!(o.rate, Some(46.0 / 124.0));
        assert_eq!(
            occupancy(&[], &tenancies, d("2026-01-01"), d("2026-01-31")).rate,
            None
        );
    }

    #[test]
    fn waiting_and_incident_rates() {
        assert_eq!(waiting_days(d("2026-10-01"), None, d("2026-11-23")), 53);
        assert_eq!(
            waiting_days(d("2026-10-01"), Some(d("2026-10-11")), d("2026-11-23")),
            10
        );
        assert_eq!(incidents_per_1000_days(3, 1500), Some(2.0));
        assert_eq!(incidents_per_1000_days(3, 0), None);
    }

    proptest! {
        #[test]
        fn occupancy_is_never_above_one(spans in proptest::collection::vec((0i64..3, 0i64..60, 0i64..60), 0..12)) {
            let base = d("2026-01-01");
            let day = |n: i64| base + chrono::Duration::days(n);
            let tenancies: Vec<Tenancy> = spans.iter().map(|(u, s, l)| Tenancy { unit_id: *u, start: day(*s), end: Some(day(s + l)) }).collect();
            let o = occupancy(&[0, 1, 2], &tenancies, day(10), day(40));
            prop_assert!(o.occupied_days <= o.unit_days);
            prop_assert!(o.occupied_days >= 0);
        }
    }
}
