//! The year's money: budget per intervention type, the cost so far from placements, and a forecast
//! to the year end from the placements that run now.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::alert::rules::Candidate;
use crate::intervention::Intervention;
use crate::money::Money;
use crate::placement::{DayCount, DaysCost, Stay};

/// One placement's part in the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetedStay {
    pub intervention: Intervention,
    pub stay: Stay,
}

/// One intervention type's line in the year's budget.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BudgetLine {
    pub intervention: Intervention,
    pub budget_ore: Option<i64>,
    /// Paid days and cost from 1 January up to and including `as_of`.
    pub actual_days: i64,
    pub actual_ore: i64,
    /// What the placements running or planned will cost from the day after `as_of` to 31 December:
    /// to their end where one is set, else to the year end.
    pub committed_ore: i64,
    pub forecast_ore: i64,
    /// The forecast passes the budget.
    pub over_budget: bool,
}

/// The year's budget lines, one per intervention that has a budget or a cost.
pub fn forecast(
    year: i32,
    as_of: NaiveDate,
    stays: &[BudgetedStay],
    budgets: &BTreeMap<Intervention, Money>,
    rule: DayCount,
) -> Vec<BudgetLine> {
    let Some((jan1, dec31)) = crate::calendar::year_days(year) else {
        return Vec::new();
    };
    let cut = as_of.clamp(jan1.pred_opt().unwrap_or(jan1), dec31);
    let mut sums: BTreeMap<Intervention, (DaysCost, DaysCost)> = BTreeMap::new();
    for s in stays {
        let entry = sums.entry(s.intervention).or_default();
        if cut >= jan1 {
            entry.0 += s.stay.cost_between(rule, jan1, cut, cut);
        }
        if let Some(next) = cut.succ_opt().filter(|n| *n <= dec31) {
            entry.1 += s.stay.cost_between(rule, next.max(jan1), dec31, dec31);
        }
    }
    Intervention::ALL
        .iter()
        .filter_map(|i| {
            let budget = budgets.get(i).copied();
            let (actual, committed) = sums.get(i).copied().unwrap_or_default();
            if budget.is_none() && actual.days == 0 && committed.days == 0 {
                return None;
            }
            let forecast = actual.cost.0.saturating_add(committed.cost.0);
            Some(BudgetLine {
                intervention: *i,
                budget_ore: budget.map(|b| b.0),
                actual_days: actual.days,
                actual_ore: actual.cost.0,
                committed_ore: committed.cost.0,
                forecast_ore: forecast,
                over_budget: budget.is_some_and(|b| forecast > b.0),
            })
        })
        .collect()
}

/// A `budget_forecast_exceeded` alert for each line whose forecast passes its budget.
pub fn alerts(
    municipality: i64,
    year: i32,
    lines: &[BudgetLine],
) -> Vec<crate::alert::rules::Candidate> {
    use crate::alert::{AlertRule, Severity};
    lines
        .iter()
        .filter(|l| l.over_budget)
        .map(|l| {
            let budget = Money(l.budget_ore.unwrap_or_default());
            Candidate {
                rule: AlertRule::BudgetForecastExceeded,
                severity: Severity::Medium,
                explanation: format!(
                    "Prognosen för {} {year} är {} mot budgeten {budget}: hittills {}, enligt pågående placeringar {} till årets slut.",
                    l.intervention.label().0,
                    Money(l.forecast_ore),
                    Money(l.actual_ore),
                    Money(l.committed_ore),
                ),
                cause_key: format!("budget:{municipality}:{year}:{}", l.intervention.as_str()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn forecast_adds_the_running_placements_to_the_cost_so_far() {
        let stays = [
            // Ended in the spring: 100 nights, all actual.
            BudgetedStay {
                intervention: Intervention::TreatmentHome,
                stay: Stay::new(d("2026-02-01"), Some(d("2026-05-12")), Money(300_000)),
            },
            // Began last year and runs on: 1 Jan–30 Jun actual (181 nights), 1 Jul–31 Dec committed (184).
            BudgetedStay {
                intervention: Intervention::SupportedHousingExternal,
                stay: Stay::new(d("2025-11-01"), None, Money(140_000)),
            },
            // Planned to end 31 July: 31 nights committed (1–30 July, the 31st is departure).
            BudgetedStay {
                intervention: Intervention::SupportedHousingExternal,
                stay: Stay::new(d("2026-06-01"), Some(d("2026-07-31")), Money(140_000)),
            },
        ];
        let budgets = BTreeMap::from([
            (Intervention::TreatmentHome, Money(40_000_000)),
            (Intervention::SupportedHousingExternal, Money(50_000_000)),
            (Intervention::Outpatient, Money(1_000_000)),
        ]);
        let lines = forecast(2026, d("2026-06-30"), &stays, &budgets, DayCount::Nights);
        let names: Vec<_> = lines.iter().map(|l| l.intervention).collect();
        assert_eq!(
            names,
            [
                Intervention::SupportedHousingExternal,
                Intervention::TreatmentHome,
                Intervention::Outpatient
            ]
        );
        let sh = &lines[0];
        assert_eq!(sh.actual_days, 181 + 30);
        assert_eq!(sh.actual_ore, (181 + 30) * 140_000);
        assert_eq!(sh.committed_ore, (184 + 30) * 140_000);
        assert_eq!(sh.forecast_ore, (181 + 30 + 184 + 30) * 140_000);
        assert!(
            sh.over_budget,
            "59.5 million öre forecast against a 50 million budget"
        );
        let th = &lines[1];
        assert_eq!((th.actual_ore, th.committed_ore), (100 * 300_000, 0));
        assert!(!th.over_budget);
        let op = &lines[2];
        assert_eq!((op.forecast_ore, op.over_budget), (0, false));
        let raised = alerts(7, 2026, &lines);
        assert_eq!(raised.len(), 1);
        assert_eq!(
            raised[0].cause_key,
            "budget:7:2026:supported_housing_external"
        );
        assert!(
            raised[0].explanation.contains("595\u{a0}000\u{a0}kr"),
            "{}",
            raised[0].explanation
        );
    }

    #[test]
    fn a_past_year_is_all_actual_and_a_coming_year_all_committed() {
        let stays = [BudgetedStay {
            intervention: Intervention::TreatmentHome,
            stay: Stay::new(d("2025-12-01"), None, Money(100_000)),
        }];
        let past = forecast(
            2025,
            d("2026-03-01"),
            &stays,
            &BTreeMap::new(),
            DayCount::Nights,
        );
        assert_eq!((past[0].actual_days, past[0].committed_ore), (31, 0));
        let coming = forecast(
            2027,
            d("2026-03-01"),
            &stays,
            &BTreeMap::new(),
            DayCount::Nights,
        );
        assert_eq!(
            (coming[0].actual_ore, coming[0].committed_ore),
            (0, 365 * 100_000)
        );
    }
}
