//! The evidence measures, computed from placement histories (see docs/measures.md): how long
//! placements last and how they end, who comes back after a placement that ended as planned (the
//! "revolving door"), and the suppression rule for figures about few people.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::proportion::{Share, wilson};
use super::survival::{CiTransform, Observation, kaplan_meier};
use crate::intervention::Intervention;
use crate::placement::EndReason;

/// Figures based on fewer people than this are not shown (statistical disclosure control).
pub const MIN_PEOPLE: u64 = 5;

/// A figure, or the note that it is withheld because too few people are behind it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Shown<T> {
    Value(T),
    Suppressed {
        suppressed: bool,
        reason: &'static str,
    },
}

/// How many different people the client ids name.
pub fn distinct(mut clients: Vec<i64>) -> u64 {
    clients.sort_unstable();
    clients.dedup();
    clients.len() as u64
}

/// Which rows of a table to withhold: each resting on 1–4 people (`people[i]`) and, when exactly one
/// would be while the total (`total_people`) is shown, also the smallest other row by `sizes` that
/// holds anything (the last of equals), since the one could be worked out from the total.
pub fn withheld_rows(people: &[u64], sizes: &[u64], total_people: u64) -> Vec<bool> {
    let mut hidden: Vec<bool> = people.iter().map(|p| (1..MIN_PEOPLE).contains(p)).collect();
    if total_people >= MIN_PEOPLE
        && hidden.iter().filter(|h| **h).count() == 1
        && let Some(k) = (0..hidden.len())
            .rev()
            .filter(|k| !hidden[*k] && sizes[*k] > 0)
            .min_by_key(|k| sizes[*k])
    {
        hidden[k] = true;
    }
    hidden
}

/// `value` if it rests on at least [`MIN_PEOPLE`] people.
pub fn shown<T>(people: u64, value: T) -> Shown<T> {
    if people >= MIN_PEOPLE {
        Shown::Value(value)
    } else {
        Shown::Suppressed {
            suppressed: true,
            reason: "fewer than 5 people",
        }
    }
}

/// A count of people (or of what happened to them): shown when it is none or 5 or more.
pub fn count_shown(n: u64) -> Shown<u64> {
    if n == 0 { Shown::Value(0) } else { shown(n, n) }
}

/// One placement in a history.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub client: i64,
    pub intervention: Intervention,
    pub provider: Option<i64>,
    pub start: NaiveDate,
    /// The last day; `None` while it runs.
    pub end: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
}

// ---------------------------------------------------------------- placement length

/// Placement length in days (from the first to the last day, the last not counted, as nights),
/// with running placements censored at `as_of`: quartiles from the Kaplan–Meier curve, so that
/// long placements still running do not vanish from the figure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Lengths {
    pub placements: u64,
    pub people: u64,
    pub ended: u64,
    pub q1: Option<f64>,
    pub median: Option<f64>,
    pub q3: Option<f64>,
    /// How the ended ones ended, by end reason.
    pub end_reasons: BTreeMap<String, u64>,
}

pub fn lengths(episodes: &[&Episode], as_of: NaiveDate) -> Lengths {
    let obs: Vec<Observation> = episodes
        .iter()
        .filter(|e| e.start <= as_of)
        .map(|e| match (e.end, e.end_reason) {
            (Some(end), Some(_)) if end <= as_of => Observation {
                time: (end - e.start).num_days() as f64,
                event: true,
            },
            _ => Observation {
                time: (e.end.unwrap_or(as_of).min(as_of) - e.start).num_days() as f64,
                event: false,
            },
        })
        .collect();
    let km = kaplan_meier(&obs, 0.95, CiTransform::LogLog);
    let quantile = |q: f64| {
        km.table
            .iter()
            .find(|r| r.survival <= 1.0 - q + 1e-12)
            .map(|r| r.time)
    };
    let mut end_reasons = BTreeMap::new();
    for e in episodes {
        if let (Some(r), Some(end)) = (e.end_reason, e.end)
            && end <= as_of
        {
            *end_reasons.entry(r.as_str().to_owned()).or_insert(0) += 1;
        }
    }
    let mut people: Vec<i64> = episodes.iter().map(|e| e.client).collect();
    people.sort_unstable();
    people.dedup();
    Lengths {
        placements: obs.len() as u64,
        people: people.len() as u64,
        ended: km.events,
        q1: quantile(0.25),
        median: quantile(0.5),
        q3: quantile(0.75),
        end_reasons,
    }
}

// ---------------------------------------------------------------- time to relapse

/// A point on a survival curve with its interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Point {
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Time from the start of a placement to the first relapse reported after it; placements without
/// one are censored at the report day. One observation per placement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RelapseFree {
    pub placements: u64,
    pub people: u64,
    pub relapses: u64,
    /// The share still relapse-free after 182 and 365 days (6 and 12 months).
    pub at_6_months: Shown<Option<Point>>,
    pub at_12_months: Shown<Option<Point>>,
    pub median_days: Shown<Option<f64>>,
}

/// Every person's relapse days, sorted, so that "the first relapse after a day" is a lookup and
/// not a pass over all relapses (there are as many as the municipality has ever reported).
pub struct RelapseIndex(HashMap<i64, Vec<NaiveDate>>);

impl RelapseIndex {
    pub fn new(relapses: &[(i64, NaiveDate)]) -> Self {
        let mut by_client: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (c, on) in relapses {
            by_client.entry(*c).or_default().push(*on);
        }
        for days in by_client.values_mut() {
            days.sort_unstable();
        }
        Self(by_client)
    }

    /// The client's first relapse in `[from, until]`.
    pub fn first_between(
        &self,
        client: i64,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Option<NaiveDate> {
        let days = self.0.get(&client)?;
        days.get(days.partition_point(|d| *d < from))
            .copied()
            .filter(|d| *d <= until)
    }
}

/// Per placement: the days from its start to the first relapse after it, or censored at `as_of`.
pub fn time_to_relapse(
    episodes: &[&Episode],
    relapses: &RelapseIndex,
    as_of: NaiveDate,
) -> Vec<Observation> {
    episodes
        .iter()
        .filter(|e| e.start <= as_of)
        .map(|e| match relapses.first_between(e.client, e.start, as_of) {
            Some(on) => Observation {
                time: (on - e.start).num_days() as f64,
                event: true,
            },
            None => Observation {
                time: (as_of - e.start).num_days() as f64,
                event: false,
            },
        })
        .collect()
}

pub fn relapse_free(
    episodes: &[&Episode],
    relapses: &[(i64, NaiveDate)],
    as_of: NaiveDate,
) -> RelapseFree {
    let obs = time_to_relapse(episodes, &RelapseIndex::new(relapses), as_of);
    let km = kaplan_meier(&obs, 0.95, CiTransform::LogLog);
    let last_time = obs.iter().map(|o| o.time).fold(0.0, f64::max);
    let at = |t: f64| point_at(&km, last_time, t);
    let mut people: Vec<i64> = episodes.iter().map(|e| e.client).collect();
    people.sort_unstable();
    people.dedup();
    let n = people.len() as u64;
    RelapseFree {
        placements: obs.len() as u64,
        people: n,
        relapses: km.events,
        at_6_months: shown(n, at(182.0)),
        at_12_months: shown(n, at(365.0)),
        median_days: shown(n, km.median),
    }
}

// ---------------------------------------------------------------- returns

/// Days after an exit within which a new placement is a transfer, not a return.
pub const TRANSFER_DAYS: i64 = 14;
/// The longest time after an exit that a return is looked for.
pub const RETURN_WINDOW_DAYS: i64 = 730;

/// One exit and what followed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Exit {
    pub client: i64,
    pub exited_on: NaiveDate,
    /// Days from the exit to the first return (a new placement or a relapse), if any within 730.
    pub returned_after: Option<i64>,
}

/// Returns after placements that ended as planned, by the conventions of the US HUD System
/// Performance Measure 2: an exit counts only if no new placement starts within 14 days (that is a
/// transfer); a return is the first new placement 15–730 days later, or a relapse 1–730 days later.
/// Exits are those with their last day in `[from, to]`; a client's exits are all counted.
pub fn exits(
    episodes: &[Episode],
    relapses: &[(i64, NaiveDate)],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Exit> {
    let relapses = RelapseIndex::new(relapses);
    let mut by_client: BTreeMap<i64, Vec<&Episode>> = BTreeMap::new();
    for e in episodes {
        by_client.entry(e.client).or_default().push(e);
    }
    let mut out = Vec::new();
    for (client, list) in by_client {
        for (i, e) in list.iter().enumerate() {
            let (Some(end), Some(EndReason::CompletedAsPlanned)) = (e.end, e.end_reason) else {
                continue;
            };
            if end < from || end > to {
                continue;
            }
            // The next placement that starts on or after the last day of this one.
            let next_start = list
                .iter()
                .enumerate()
                .filter(|(j, o)| *j != i && o.start >= end)
                .map(|(_, o)| (o.start - end).num_days())
                .min();
            if next_start.is_some_and(|d| d <= TRANSFER_DAYS) {
                continue; // A transfer: the stay goes on elsewhere.
            }
            let relapse = end.succ_opt().and_then(|after| {
                relapses
                    .first_between(client, after, NaiveDate::MAX)
                    .map(|on| (on - end).num_days())
            });
            let returned_after = [next_start, relapse]
                .into_iter()
                .flatten()
                .min()
                .filter(|d| *d <= RETURN_WINDOW_DAYS);
            out.push(Exit {
                client,
                exited_on: end,
                returned_after,
            });
        }
    }
    out
}

/// The exits that ended one of `episodes` (a group's placements), from all of a municipality's.
pub fn exits_from(exits: &[Exit], episodes: &[&Episode]) -> Vec<Exit> {
    let ends: std::collections::HashSet<(i64, NaiveDate)> = episodes
        .iter()
        .filter_map(|e| Some((e.client, e.end?)))
        .collect();
    exits
        .iter()
        .filter(|x| ends.contains(&(x.client, x.exited_on)))
        .cloned()
        .collect()
}

/// The share who returned within 180, 365 and 730 days, each over the exits followed that long by
/// `as_of`, and the returns by time band (0–180, 181–365, 366–730 days).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Returns {
    pub exits: u64,
    pub within_180: Shown<Share>,
    pub within_365: Shown<Share>,
    pub within_730: Shown<Share>,
    pub band_0_180: u64,
    pub band_181_365: u64,
    pub band_366_730: u64,
}

pub fn returns(exits: &[Exit], as_of: NaiveDate) -> Returns {
    let share = |horizon: i64| {
        let followed: Vec<&Exit> = exits
            .iter()
            .filter(|e| (as_of - e.exited_on).num_days() >= horizon)
            .collect();
        let back = followed
            .iter()
            .filter(|e| e.returned_after.is_some_and(|d| d <= horizon))
            .count() as u64;
        let n = followed.len() as u64;
        match wilson(back, n, 0.95) {
            Some(s) => shown(people(&followed), s),
            None => shown(
                0,
                Share {
                    successes: 0,
                    n: 0,
                    estimate: 0.0,
                    lower: 0.0,
                    upper: 0.0,
                },
            ),
        }
    };
    let band = |lo: i64, hi: i64| {
        exits
            .iter()
            .filter(|e| e.returned_after.is_some_and(|d| d >= lo && d <= hi))
            .count() as u64
    };
    Returns {
        exits: exits.len() as u64,
        within_180: share(180),
        within_365: share(365),
        within_730: share(730),
        band_0_180: band(0, 180),
        band_181_365: band(181, 365),
        band_366_730: band(366, 730),
    }
}

fn people(exits: &[&Exit]) -> u64 {
    let mut c: Vec<i64> = exits.iter().map(|e| e.client).collect();
    c.sort_unstable();
    c.dedup();
    c.len() as u64
}

// ---------------------------------------------------------------- living independently

/// A 12-month outcome follow-up: done or not, and whether the person then lived independently
/// (own housing, an occupation, no problematic use; `None` while any of the three is unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct TwelveMonths {
    pub client: i64,
    /// The intervention whose follow-up it is, when it belongs to a placement.
    pub intervention: Option<Intervention>,
    pub done: bool,
    pub lives_independently: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Independence {
    /// Follow-ups due (done or missed).
    pub due: Shown<u64>,
    pub done: Shown<u64>,
    /// Done with all three parts known: the share's denominator.
    pub known: Shown<u64>,
    pub share: Shown<Share>,
}

/// The share living independently among the 12-month follow-ups with the answer known. Missed
/// follow-ups are counted (`due − done`) so that a reader sees how many are missing.
pub fn independence(rows: &[&TwelveMonths]) -> Independence {
    let known: Vec<&&TwelveMonths> = rows
        .iter()
        .filter(|r| r.done && r.lives_independently.is_some())
        .collect();
    let yes = known
        .iter()
        .filter(|r| r.lives_independently == Some(true))
        .count() as u64;
    let mut people: Vec<i64> = known.iter().map(|r| r.client).collect();
    people.sort_unstable();
    people.dedup();
    let count = |n: usize| count_shown(n as u64);
    Independence {
        due: count(rows.len()),
        done: count(rows.iter().filter(|r| r.done).count()),
        known: count(known.len()),
        share: match wilson(yes, known.len() as u64, 0.95) {
            Some(s) => shown(people.len() as u64, s),
            None => shown(0, no_share()),
        },
    }
}

fn no_share() -> Share {
    Share {
        successes: 0,
        n: 0,
        estimate: 0.0,
        lower: 0.0,
        upper: 0.0,
    }
}

// ---------------------------------------------------------------- after departing decisions

/// A decision, and whether it departed from the client's application or a specialist's advice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecisionMade {
    pub client: i64,
    pub decided_on: NaiveDate,
    pub departing: bool,
    /// It goes against the person (anything but granting what was applied for).
    pub against: bool,
    /// It goes against the person and no kommunicering (FL 25 §) is recorded.
    pub communication_missing: bool,
}

/// What followed one kind of decision: the time from the decision to the first relapse reported
/// after it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AfterDecision {
    pub decisions: Shown<u64>,
    pub people: Shown<u64>,
    pub relapses: Shown<u64>,
    pub relapse_free_6_months: Shown<Option<Point>>,
    pub relapse_free_12_months: Shown<Option<Point>>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AfterDecisions {
    pub departing: AfterDecision,
    pub others: AfterDecision,
    /// The log-rank test of the two curves; withheld unless both groups have 5 people.
    pub log_rank_p: Shown<Option<f64>>,
}

/// Relapse-free time after departing decisions compared with the others. Descriptive: a departure
/// is not chosen at random, so a difference is not an effect of the decision alone.
pub fn after_decisions(
    decisions: &[DecisionMade],
    relapses: &RelapseIndex,
    as_of: NaiveDate,
) -> AfterDecisions {
    let observe = |departing: bool| -> (Vec<Observation>, u64) {
        let picked: Vec<&DecisionMade> = decisions
            .iter()
            .filter(|d| d.departing == departing && d.decided_on <= as_of)
            .collect();
        let mut people: Vec<i64> = picked.iter().map(|d| d.client).collect();
        people.sort_unstable();
        people.dedup();
        let obs = picked
            .iter()
            .map(|d| {
                let after = d.decided_on.succ_opt().unwrap_or(d.decided_on);
                match relapses.first_between(d.client, after, as_of) {
                    Some(on) => Observation {
                        time: (on - d.decided_on).num_days() as f64,
                        event: true,
                    },
                    None => Observation {
                        time: (as_of - d.decided_on).num_days() as f64,
                        event: false,
                    },
                }
            })
            .collect();
        (obs, people.len() as u64)
    };
    let summary = |obs: &[Observation], people: u64| {
        let km = kaplan_meier(obs, 0.95, CiTransform::LogLog);
        let last = obs.iter().map(|o| o.time).fold(0.0, f64::max);
        AfterDecision {
            decisions: shown(people, obs.len() as u64),
            people: count_shown(people),
            relapses: if people < MIN_PEOPLE {
                shown(0, km.events)
            } else {
                count_shown(km.events)
            },
            relapse_free_6_months: shown(people, point_at(&km, last, 182.0)),
            relapse_free_12_months: shown(people, point_at(&km, last, 365.0)),
        }
    };
    let (dep, dep_people) = observe(true);
    let (oth, oth_people) = observe(false);
    let p = super::survival::log_rank(&[dep.clone(), oth.clone()]).map(|l| l.p_value);
    AfterDecisions {
        departing: summary(&dep, dep_people),
        others: summary(&oth, oth_people),
        log_rank_p: shown(dep_people.min(oth_people), p),
    }
}

/// S(t) with its interval: the last row at or before `t`, 1 before the first event; `None` past
/// the last observed time.
pub fn point_at(km: &super::survival::KaplanMeier, last_time: f64, t: f64) -> Option<Point> {
    (t <= last_time).then(|| {
        km.table.iter().take_while(|r| r.time <= t).last().map_or(
            Point {
                survival: 1.0,
                lower: 1.0,
                upper: 1.0,
            },
            |r| Point {
                survival: r.survival,
                lower: r.lower,
                upper: r.upper,
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ep(client: i64, start: &str, end: Option<&str>, reason: Option<EndReason>) -> Episode {
        Episode {
            client,
            intervention: Intervention::TreatmentHome,
            provider: Some(1),
            start: d(start),
            end: end.map(d),
            end_reason: reason,
        }
    }

    const PLANNED: Option<EndReason> = Some(EndReason::CompletedAsPlanned);

    #[test]
    fn a_new_placement_within_14_days_is_a_transfer_and_15_to_730_days_a_return() {
        let episodes = vec![
            // 1: ends as planned, moves on 14 days later: a transfer, not an exit.
            ep(1, "2024-01-01", Some("2024-03-01"), PLANNED),
            ep(
                1,
                "2024-03-15",
                Some("2024-06-01"),
                Some(EndReason::Relapse),
            ),
            // 2: ends as planned, back 15 days later: an exit with a return after 15 days.
            ep(2, "2024-01-01", Some("2024-03-01"), PLANNED),
            ep(2, "2024-03-16", None, None),
            // 3: ends as planned, back after 731 days: no return within the window.
            ep(3, "2023-01-01", Some("2023-02-01"), PLANNED),
            ep(3, "2025-02-02", None, None),
            // 4: ends as planned, relapses 200 days later.
            ep(4, "2024-01-01", Some("2024-02-01"), PLANNED),
            // 5: broken off: not an exit at all.
            ep(
                5,
                "2024-01-01",
                Some("2024-02-01"),
                Some(EndReason::BrokenOffByClient),
            ),
        ];
        let relapses = [(4, d("2024-08-19"))];
        let list = exits(&episodes, &relapses, d("2023-01-01"), d("2024-12-31"));
        let got: Vec<(i64, Option<i64>)> =
            list.iter().map(|e| (e.client, e.returned_after)).collect();
        assert_eq!(got, [(2, Some(15)), (3, None), (4, Some(200))]);
        let r = returns(&list, d("2026-12-31"));
        assert_eq!(
            (r.exits, r.band_0_180, r.band_181_365, r.band_366_730),
            (3, 1, 1, 0)
        );
        // Three people: every share is withheld.
        assert!(matches!(r.within_730, Shown::Suppressed { .. }));
    }

    #[test]
    fn shares_count_only_exits_followed_long_enough_and_need_five_people() {
        let mut episodes = Vec::new();
        for c in 0..8 {
            episodes.push(ep(c, "2024-01-01", Some("2024-02-01"), PLANNED));
        }
        // Two of eight come back after 100 days; one exit is recent (followed 30 days only).
        episodes.push(ep(0, "2024-05-11", None, None));
        episodes.push(ep(1, "2024-05-11", None, None));
        episodes.push(ep(9, "2024-01-01", Some("2025-06-01"), PLANNED));
        let list = exits(&episodes, &[], d("2024-01-01"), d("2025-12-31"));
        let r = returns(&list, d("2025-07-01"));
        assert_eq!(r.exits, 9);
        match r.within_180 {
            Shown::Value(s) => assert_eq!((s.successes, s.n), (2, 8)),
            other => panic!("{other:?}"),
        }
        // 730 days: nobody followed that long by mid-2025.
        assert!(matches!(r.within_730, Shown::Suppressed { .. }));
    }

    #[test]
    fn lengths_censor_running_placements_and_count_end_reasons() {
        let episodes = [
            ep(1, "2024-01-01", Some("2024-01-11"), PLANNED), // 10 days
            ep(
                2,
                "2024-01-01",
                Some("2024-01-21"),
                Some(EndReason::Relapse),
            ), // 20
            ep(3, "2024-01-01", Some("2024-01-31"), PLANNED), // 30
            ep(4, "2024-01-01", Some("2024-02-10"), Some(EndReason::Moved)), // 40
            ep(5, "2024-01-01", None, None),                  // running, 59 so far
        ];
        let refs: Vec<&Episode> = episodes.iter().collect();
        let l = lengths(&refs, d("2024-02-29"));
        assert_eq!((l.placements, l.people, l.ended), (5, 5, 4));
        // S drops by 1/5 at 10, 20, 30 and 40: q1 at 20 (S = 0.6 ≤ 0.75), median at 30 (0.4), q3 at 40.
        assert_eq!((l.q1, l.median, l.q3), (Some(20.0), Some(30.0), Some(40.0)));
        assert_eq!(l.end_reasons.get("completed_as_planned"), Some(&2));
        assert_eq!(l.end_reasons.len(), 3);
    }

    #[test]
    fn relapse_free_time_runs_from_each_placement_to_the_next_relapse() {
        let episodes: Vec<Episode> = (1..=6).map(|c| ep(c, "2024-01-01", None, None)).collect();
        let refs: Vec<&Episode> = episodes.iter().collect();
        // Relapses 100 days in for 1 and 2, 300 days in for 3; one before the start is ignored.
        let relapses = [
            (1, d("2024-04-10")),
            (2, d("2024-04-10")),
            (3, d("2024-10-27")),
            (4, d("2023-12-01")),
        ];
        let r = relapse_free(&refs, &relapses, d("2025-06-01"));
        assert_eq!((r.placements, r.people, r.relapses), (6, 6, 3));
        // At 182 days 4 of 6 are relapse-free; at 365 days 3 of 6.
        match (r.at_6_months, r.at_12_months, r.median_days) {
            (Shown::Value(Some(a)), Shown::Value(Some(b)), Shown::Value(m)) => {
                assert!((a.survival - 4.0 / 6.0).abs() < 1e-12);
                assert!((b.survival - 0.5).abs() < 1e-12 && b.lower < 0.5 && b.upper > 0.5);
                assert_eq!(m, Some(300.0));
            }
            other => panic!("{other:?}"),
        }
        // Followed only 200 days: no 12-month figure.
        let r = relapse_free(&refs, &relapses, d("2024-07-19"));
        assert_eq!(r.at_12_months, Shown::Value(None));
        let few: Vec<&Episode> = refs[..4].to_vec();
        assert!(matches!(
            relapse_free(&few, &relapses, d("2025-06-01")).at_6_months,
            Shown::Suppressed { .. }
        ));
    }

    #[test]
    fn living_independently_counts_known_answers_and_shows_the_missing() {
        let row = |client, done, li| TwelveMonths {
            client,
            intervention: None,
            done,
            lives_independently: li,
        };
        let rows: Vec<TwelveMonths> = vec![
            row(1, true, Some(true)),
            row(2, true, Some(true)),
            row(3, true, Some(false)),
            row(4, true, Some(false)),
            row(5, true, Some(true)),
            row(6, true, None),  // done, housing unknown
            row(7, false, None), // missed
        ];
        let refs: Vec<&TwelveMonths> = rows.iter().collect();
        let i = independence(&refs);
        assert_eq!(
            (i.due, i.done, i.known),
            (Shown::Value(7), Shown::Value(6), Shown::Value(5))
        );
        match i.share {
            Shown::Value(s) => {
                assert_eq!((s.successes, s.n), (3, 5));
                assert!((s.estimate - 0.6).abs() < 1e-12);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            independence(&refs[..4]).share,
            Shown::Suppressed { .. }
        ));
    }

    #[test]
    fn after_decisions_compares_relapse_free_time_from_the_decision() {
        let mut decisions = Vec::new();
        let mut relapses = Vec::new();
        for c in 0..6 {
            decisions.push(DecisionMade {
                client: c,
                decided_on: d("2024-01-01"),
                departing: true,
                ..Default::default()
            });
            // Four of six departing relapse 30 days later.
            if c < 4 {
                relapses.push((c, d("2024-01-31")));
            }
        }
        for c in 10..16 {
            decisions.push(DecisionMade {
                client: c,
                decided_on: d("2024-01-01"),
                departing: false,
                ..Default::default()
            });
        }
        // One of the others relapsed the same day as the decision: not after it.
        relapses.push((10, d("2024-01-01")));
        let a = after_decisions(&decisions, &RelapseIndex::new(&relapses), d("2025-06-01"));
        assert_eq!(a.departing.decisions, Shown::Value(6));
        // Four relapses: a count of fewer than five, withheld; none is a figure.
        assert!(matches!(a.departing.relapses, Shown::Suppressed { .. }));
        assert_eq!(a.others.relapses, Shown::Value(0));
        match (
            a.departing.relapse_free_12_months,
            a.others.relapse_free_12_months,
        ) {
            (Shown::Value(Some(x)), Shown::Value(Some(y))) => {
                assert!((x.survival - 2.0 / 6.0).abs() < 1e-12);
                assert_eq!(y.survival, 1.0);
            }
            other => panic!("{other:?}"),
        }
        match a.log_rank_p {
            Shown::Value(Some(p)) => assert!(p < 0.05, "{p}"),
            other => panic!("{other:?}"),
        }
        // Four departing people only: the comparison is withheld.
        let few: Vec<DecisionMade> = decisions
            .iter()
            .filter(|x| x.client != 4 && x.client != 5)
            .copied()
            .collect();
        let a = after_decisions(&few, &RelapseIndex::new(&relapses), d("2025-06-01"));
        assert!(matches!(a.log_rank_p, Shown::Suppressed { .. }));
        assert!(matches!(
            a.departing.relapse_free_12_months,
            Shown::Suppressed { .. }
        ));
    }

    #[test]
    fn the_suppression_rule_is_five_people() {
        assert_eq!(shown(5, 1), Shown::Value(1));
        assert!(matches!(
            shown(4, 1),
            Shown::Suppressed {
                suppressed: true,
                ..
            }
        ));
        assert_eq!(
            serde_json::to_value(shown(4, 1.0)).unwrap(),
            serde_json::json!({"suppressed": true, "reason": "fewer than 5 people"})
        );
    }
}
