//! The rules that time alone sets off, beside the journal: a placement about to end with nothing
//! decided after it, an outcome follow-up that has fallen due, and a goal of the plan whose
//! follow-up day has come. Pure, like the journal rules.

use chrono::NaiveDate;

use super::rules::Candidate;
use super::settings::AlertSettings;
use super::{AlertRule, Severity};
use crate::followup::{FollowUpStatus, Timepoint};
use crate::intervention::Intervention;
use crate::plan::LifeArea;

/// A placement as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementFact {
    pub id: i64,
    pub intervention: Intervention,
    /// The last day of the placement (inclusive); `None` while open-ended.
    pub end: Option<NaiveDate>,
    /// A decision about the client was made on or after the placement started, other than the
    /// one the placement carries out: what happens next has been decided.
    pub follow_up_decision: bool,
}

/// An outcome follow-up as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpFact {
    pub id: i64,
    pub timepoint: Timepoint,
    pub due_on: NaiveDate,
    pub status: FollowUpStatus,
}

/// A goal of the plan of an open case, still ongoing, as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalFact {
    pub id: i64,
    pub life_area: LifeArea,
    /// The day it is next to be followed up (`crate::plan::due_on`).
    pub due_on: NaiveDate,
}

fn timepoint_sv(t: Timepoint) -> &'static str {
    match t {
        Timepoint::Intake => "inskrivning",
        Timepoint::Month6 => "6 månader",
        Timepoint::Month12 => "12 månader",
    }
}

/// The alerts placements and follow-ups call for on `today`.
///
/// A placement fires from `placement_ending_days` days before its last day up to and including
/// that day; a follow-up fires from its due day until it is done or recorded as missed; a goal
/// from its follow-up day until it is followed up.
pub fn evaluate(
    placements: &[PlacementFact],
    follow_ups: &[FollowUpFact],
    goals: &[GoalFact],
    today: NaiveDate,
    s: &AlertSettings,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for p in placements {
        let Some(end) = p.end else { continue };
        let left = (end - today).num_days();
        if (0..=s.placement_ending_days).contains(&left) && !p.follow_up_decision {
            out.push(Candidate {
                rule: AlertRule::PlacementEndingWithoutDecision,
                severity: if left <= 3 {
                    Severity::High
                } else {
                    Severity::Medium
                },
                explanation: format!(
                    "Placeringen ({}) slutar {end}, om {left} dagar, och inget beslut om fortsättning finns.",
                    p.intervention.label().0
                ),
                cause_key: format!("placement_ending_without_decision:placement:{}", p.id),
            });
        }
    }
    for f in follow_ups {
        if f.status == FollowUpStatus::Due && f.due_on <= today {
            out.push(Candidate {
                rule: AlertRule::FollowUpDue,
                severity: Severity::Low,
                explanation: format!(
                    "Uppföljningen vid {} skulle göras {}.",
                    timepoint_sv(f.timepoint),
                    f.due_on
                ),
                cause_key: format!("follow_up_due:follow_up:{}", f.id),
            });
        }
    }
    for g in goals {
        if g.due_on <= today {
            out.push(Candidate {
                rule: AlertRule::PlanGoalDue,
                severity: Severity::Low,
                explanation: format!(
                    "Målet i planen om {} skulle följas upp {}.",
                    g.life_area.label().0.to_lowercase(),
                    g.due_on
                ),
                cause_key: crate::plan::due_cause_key(g.id, g.due_on),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn placement(end: Option<&str>, decided: bool) -> PlacementFact {
        PlacementFact {
            id: 7,
            intervention: Intervention::TreatmentHome,
            end: end.map(d),
            follow_up_decision: decided,
        }
    }

    fn fired(p: &[PlacementFact], f: &[FollowUpFact], today: &str) -> Vec<AlertRule> {
        evaluate(p, f, &[], d(today), &AlertSettings::default())
            .iter()
            .map(|c| c.rule)
            .collect()
    }

    #[test]
    fn a_placement_ending_within_14_days_without_a_decision_fires_and_not_a_day_earlier() {
        let p = [placement(Some("2026-12-15"), false)];
        assert!(fired(&p, &[], "2026-11-30").is_empty(), "15 days left");
        assert_eq!(
            fired(&p, &[], "2026-12-01"),
            [AlertRule::PlacementEndingWithoutDecision],
            "14 days left"
        );
        assert_eq!(fired(&p, &[], "2026-12-15").len(), 1, "the last day");
        assert!(fired(&p, &[], "2026-12-16").is_empty(), "already ended");
    }

    #[test]
    fn a_decision_after_the_start_or_an_open_end_keeps_it_quiet() {
        assert!(fired(&[placement(Some("2026-12-15"), true)], &[], "2026-12-10").is_empty());
        assert!(fired(&[placement(None, false)], &[], "2026-12-10").is_empty());
    }

    #[test]
    fn the_window_and_severity_follow_the_settings_and_the_days_left() {
        let mut s = AlertSettings::default();
        s.set("placement_ending_days", "30").unwrap();
        let p = [placement(Some("2026-12-31"), false)];
        let c = evaluate(&p, &[], &[], d("2026-12-01"), &s);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].severity, Severity::Medium);
        assert_eq!(
            c[0].cause_key,
            "placement_ending_without_decision:placement:7"
        );
        let c = evaluate(&p, &[], &[], d("2026-12-28"), &s);
        assert_eq!(c[0].severity, Severity::High);
        assert!(c[0].explanation.contains("2026-12-31"));
    }

    #[test]
    fn a_follow_up_fires_from_its_due_day_until_done_or_missed() {
        let f = |status| FollowUpFact {
            id: 3,
            timepoint: Timepoint::Month6,
            due_on: d("2027-03-01"),
            status,
        };
        assert!(fired(&[], &[f(FollowUpStatus::Due)], "2027-02-28").is_empty());
        assert_eq!(
            fired(&[], &[f(FollowUpStatus::Due)], "2027-03-01"),
            [AlertRule::FollowUpDue]
        );
        assert_eq!(fired(&[], &[f(FollowUpStatus::Due)], "2027-05-01").len(), 1);
        assert!(fired(&[], &[f(FollowUpStatus::Done)], "2027-03-05").is_empty());
        assert!(fired(&[], &[f(FollowUpStatus::Missed)], "2027-03-05").is_empty());
        let c = evaluate(
            &[],
            &[f(FollowUpStatus::Due)],
            &[],
            d("2027-03-02"),
            &AlertSettings::default(),
        );
        assert_eq!(c[0].cause_key, "follow_up_due:follow_up:3");
        assert!(c[0].explanation.contains("6 månader"));
    }

    #[test]
    fn a_plan_goal_fires_from_its_follow_up_day() {
        let g = [GoalFact {
            id: 9,
            life_area: LifeArea::Housing,
            due_on: d("2027-02-01"),
        }];
        let s = AlertSettings::default();
        assert!(evaluate(&[], &[], &g, d("2027-01-31"), &s).is_empty());
        let c = evaluate(&[], &[], &g, d("2027-02-01"), &s);
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].rule, c[0].severity),
            (AlertRule::PlanGoalDue, Severity::Low)
        );
        assert_eq!(c[0].cause_key, "plan_goal_due:goal:9:2027-02-01");
        assert!(c[0].explanation.contains("boende") && c[0].explanation.contains("2027-02-01"));
        assert_eq!(
            evaluate(&[], &[], &g, d("2027-06-01"), &s).len(),
            1,
            "until followed up"
        );
    }
}
