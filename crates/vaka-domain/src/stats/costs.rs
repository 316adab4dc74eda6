//! What care costs: in all, per person, per client-year in care and per person relapse-free at
//! 12 months, for any group of placements (an intervention type, a provider), and over time.
//! The cost of each placement within the period comes from the economy (prices, day counting);
//! this module only adds and divides (see docs/measures.md).

use chrono::NaiveDate;

use super::measures::{Episode, Shown, shown};

/// Days in a year, for client-years.
const YEAR_DAYS: f64 = 365.25;

/// Days of care of `e` within `[from, to]`: the days `d` with `start ≤ d < end` (the last day is
/// the day of leaving, as for nights), and for a running placement `d ≤ as_of`.
pub fn care_days(e: &Episode, from: NaiveDate, to: NaiveDate, as_of: NaiveDate) -> i64 {
    let first = e.start.max(from);
    // One past the last day counted.
    let past = match e.end {
        Some(end) => end.min(to.succ_opt().unwrap_or(to)),
        None => as_of.min(to).succ_opt().unwrap_or(to),
    };
    (past - first).num_days().max(0)
}

/// A group's costs in a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Costs {
    pub people: Shown<u64>,
    pub cost_ore: Shown<i64>,
    /// Days of care in the period over 365.25.
    pub client_years: Shown<f64>,
    pub per_person_ore: Shown<i64>,
    /// `None` without any day of care in the period.
    pub per_client_year_ore: Shown<Option<i64>>,
    /// The cost over the people expected to be relapse-free 12 months after the start (people ×
    /// the Kaplan–Meier share at 365 days); `None` when that share is unknown or zero.
    pub per_relapse_free_at_12_months_ore: Shown<Option<i64>>,
}

/// `placements` with the cost of each within `[from, to]` (öre); `relapse_free_12` the group's
/// share relapse-free at 365 days when known.
pub fn costs(
    placements: &[(&Episode, i64)],
    relapse_free_12: Option<f64>,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> Costs {
    let mut people: Vec<i64> = placements.iter().map(|(e, _)| e.client).collect();
    people.sort_unstable();
    people.dedup();
    let n = people.len() as u64;
    let cost: i64 = placements.iter().map(|(_, c)| *c).sum();
    let days: i64 = placements
        .iter()
        .map(|(e, _)| care_days(e, from, to, as_of))
        .sum();
    let years = days as f64 / YEAR_DAYS;
    let divide = |by: f64| (by > 0.0).then(|| (cost as f64 / by).round() as i64);
    Costs {
        people: super::measures::count_shown(n),
        cost_ore: shown(n, cost),
        client_years: shown(n, years),
        per_person_ore: shown(n, if n > 0 { cost / n as i64 } else { 0 }),
        per_client_year_ore: shown(n, divide(years)),
        per_relapse_free_at_12_months_ore: shown(
            n,
            relapse_free_12.and_then(|s| divide(n as f64 * s)),
        ),
    }
}

/// A stretch of the period for the cost-over-time chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Bucket {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Calendar years of the period when it is longer than two years, otherwise calendar months;
/// the first and last cut to the period.
pub fn buckets(from: NaiveDate, to: NaiveDate) -> Vec<Bucket> {
    use chrono::{Datelike, Months};
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
    let step = if months > 24 { 12 } else { 1 };
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let next = if step == 12 {
            NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
        } else {
            start
                .with_day(1)
                .and_then(|d| d.checked_add_months(Months::new(1)))
        };
        let Some(next) = next else { break };
        let end = next.pred_opt().unwrap_or(next).min(to);
        out.push(Bucket {
            from: start,
            to: end,
        });
        start = next;
    }
    out
}

/// One bucket's cost of a group, withheld under five people with care in it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BucketCost {
    pub bucket: Bucket,
    pub people: u64,
    pub cost_ore: Shown<i64>,
}

/// A group's cost per bucket: `costs[k][b]` is placement k's cost in bucket b.
pub fn over_time(
    placements: &[&Episode],
    costs: &[&[i64]],
    buckets: &[Bucket],
    as_of: NaiveDate,
) -> Vec<BucketCost> {
    buckets
        .iter()
        .enumerate()
        .map(|(b, bucket)| {
            let mut people: Vec<i64> = placements
                .iter()
                .filter(|e| care_days(e, bucket.from, bucket.to, as_of) > 0)
                .map(|e| e.client)
                .collect();
            people.sort_unstable();
            people.dedup();
            let n = people.len() as u64;
            let cost = costs.iter().map(|c| c.get(b).copied().unwrap_or(0)).sum();
            BucketCost {
                bucket: *bucket,
                people: n,
                cost_ore: shown(n, cost),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervention::Intervention;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ep(client: i64, start: &str, end: Option<&str>) -> Episode {
        Episode {
            client,
            intervention: Intervention::SupportedHousingExternal,
            provider: Some(1),
            start: d(start),
            end: end.map(d),
            end_reason: None,
        }
    }

    #[test]
    fn care_days_count_the_days_in_the_period_and_not_the_day_of_leaving() {
        let (from, to, as_of) = (d("2024-01-01"), d("2024-12-31"), d("2025-03-01"));
        assert_eq!(
            care_days(&ep(1, "2024-01-01", Some("2024-01-11")), from, to, as_of),
            10
        );
        // Started before the period: only the days inside count.
        assert_eq!(
            care_days(&ep(1, "2023-12-01", Some("2024-01-03")), from, to, as_of),
            2
        );
        // Running past the period: to the last day of it, inclusive.
        assert_eq!(care_days(&ep(1, "2024-12-30", None), from, to, as_of), 2);
        // Running, report day inside the period: up to and including the report day.
        assert_eq!(
            care_days(&ep(1, "2024-06-01", None), from, to, d("2024-06-10")),
            10
        );
        // Entirely outside.
        assert_eq!(care_days(&ep(1, "2025-01-01", None), from, to, as_of), 0);
        assert_eq!(
            care_days(&ep(1, "2023-01-01", Some("2024-01-01")), from, to, as_of),
            0
        );
    }

    #[test]
    fn cost_per_client_year_and_per_relapse_free_person() {
        // Five people, each 73.05 days (a fifth of a year) at 1 400 kr a day → one client-year.
        let eps: Vec<Episode> = (0..5)
            .map(|c| ep(c, "2024-01-01", Some("2024-03-14")))
            .collect();
        let days = care_days(&eps[0], d("2024-01-01"), d("2024-12-31"), d("2025-01-01"));
        assert_eq!(days, 73);
        let placed: Vec<(&Episode, i64)> = eps.iter().map(|e| (e, 73 * 140_000)).collect();
        let c = costs(
            &placed,
            Some(0.4),
            d("2024-01-01"),
            d("2024-12-31"),
            d("2025-01-01"),
        );
        let total = 5 * 73 * 140_000;
        assert_eq!(c.cost_ore, Shown::Value(total));
        assert_eq!(c.per_person_ore, Shown::Value(73 * 140_000));
        // 365 days = 0.99932 client-years.
        assert_eq!(
            c.per_client_year_ore,
            Shown::Value(Some((total as f64 / (365.0 / 365.25)).round() as i64))
        );
        // 5 × 0.4 = 2 people relapse-free: the cost over two.
        assert_eq!(
            c.per_relapse_free_at_12_months_ore,
            Shown::Value(Some(total / 2))
        );
        let unknown = costs(
            &placed,
            None,
            d("2024-01-01"),
            d("2024-12-31"),
            d("2025-01-01"),
        );
        assert_eq!(
            unknown.per_relapse_free_at_12_months_ore,
            Shown::Value(None)
        );
        let none_free = costs(
            &placed,
            Some(0.0),
            d("2024-01-01"),
            d("2024-12-31"),
            d("2025-01-01"),
        );
        assert_eq!(
            none_free.per_relapse_free_at_12_months_ore,
            Shown::Value(None)
        );
        // Four people: every figure withheld.
        let few = costs(
            &placed[..4],
            Some(0.4),
            d("2024-01-01"),
            d("2024-12-31"),
            d("2025-01-01"),
        );
        assert!(matches!(few.cost_ore, Shown::Suppressed { .. }));
        assert!(matches!(few.per_client_year_ore, Shown::Suppressed { .. }));
    }

    #[test]
    fn buckets_are_years_over_two_years_and_months_otherwise() {
        let y = buckets(d("2020-03-15"), d("2022-12-31"));
        assert_eq!(
            y.iter().map(|b| (b.from, b.to)).collect::<Vec<_>>(),
            [
                (d("2020-03-15"), d("2020-12-31")),
                (d("2021-01-01"), d("2021-12-31")),
                (d("2022-01-01"), d("2022-12-31"))
            ]
        );
        let m = buckets(d("2024-01-10"), d("2024-03-05"));
        assert_eq!(
            m.iter().map(|b| (b.from, b.to)).collect::<Vec<_>>(),
            [
                (d("2024-01-10"), d("2024-01-31")),
                (d("2024-02-01"), d("2024-02-29")),
                (d("2024-03-01"), d("2024-03-05"))
            ]
        );
        assert_eq!(buckets(d("2024-01-01"), d("2025-12-31")).len(), 24);
        assert_eq!(buckets(d("2024-01-01"), d("2026-01-31")).len(), 3);
    }

    #[test]
    fn cost_over_time_withholds_buckets_with_few_people() {
        let eps: Vec<Episode> = (0..6)
            .map(|c| ep(c, "2024-01-01", Some("2024-02-10")))
            .collect();
        let refs: Vec<&Episode> = eps.iter().collect();
        let per: Vec<Vec<i64>> = (0..6)
            .map(|c| vec![100, if c == 0 { 50 } else { 30 }, 0])
            .collect();
        let slices: Vec<&[i64]> = per.iter().map(Vec::as_slice).collect();
        let bs = buckets(d("2024-01-01"), d("2024-03-31"));
        let got = over_time(&refs, &slices, &bs, d("2024-12-31"));
        assert_eq!(got[0].cost_ore, Shown::Value(600));
        assert_eq!(got[1].cost_ore, Shown::Value(200));
        assert_eq!(got[1].people, 6);
        // Nobody in March.
        assert_eq!(got[2].people, 0);
        assert!(matches!(got[2].cost_ore, Shown::Suppressed { .. }));
    }
}
