//! Kaplan–Meier survival with Greenwood's variance and a choice of confidence-interval transform,
//! the median with its interval, and the log-rank test for two or more groups.

use std::str::FromStr;

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// One person's follow-up: the time to the event (relapse, return...) or to the end of follow-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub time: f64,
    /// The event happened at `time`; otherwise the person was censored then.
    pub event: bool,
}

/// How the pointwise confidence interval of S(t) is formed from Greenwood's variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiTransform {
    /// On log(−log S): stays within (0, 1); R's `conf.type = "log-log"`, lifelines' default.
    #[default]
    LogLog,
    /// On log S: R's default `conf.type = "log"`; the upper bound is capped at 1.
    Log,
    /// S ± z·se, cut to [0, 1]: R's `conf.type = "plain"`.
    Plain,
}

impl FromStr for CiTransform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "log-log" => Ok(Self::LogLog),
            "log" => Ok(Self::Log),
            "plain" => Ok(Self::Plain),
            other => Err(format!(
                "unknown interval transform `{other}` (log-log, log or plain)"
            )),
        }
    }
}

/// One row of the survival table: a time at which at least one event happened.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SurvivalRow {
    pub time: f64,
    /// At risk just before `time`: still followed and without the event.
    pub at_risk: u64,
    pub events: u64,
    /// Censored at `time` (they count as at risk at `time`, as is the convention).
    pub censored: u64,
    pub survival: f64,
    /// Greenwood's standard error of `survival`.
    pub std_err: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A Kaplan–Meier estimate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KaplanMeier {
    pub n: u64,
    pub events: u64,
    pub table: Vec<SurvivalRow>,
    /// The first time at which survival is at or below 0.5; `None` when it never is.
    pub median: Option<f64>,
    /// The median's interval: the first times at which the lower and the upper band reach 0.5.
    pub median_lower: Option<f64>,
    pub median_upper: Option<f64>,
}

/// The z of a two-sided interval at `level` (0.95 → 1.959964).
pub fn z_of(level: f64) -> f64 {
    Normal::standard().inverse_cdf(0.5 + level / 2.0)
}

/// Observations counted per distinct time, in time order: `(time, events, censored)`. Both the
/// Kaplan–Meier estimate and the log-rank test work on this, so a group is sorted once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally {
    pub n: u64,
    pub rows: Vec<(f64, u64, u64)>,
}

pub fn tally(obs: &[Observation]) -> Tally {
    // Whole-number times over a modest range (days, weeks) are counted in place: no sort.
    let max = obs.iter().map(|o| o.time).fold(0.0f64, f64::max);
    let span = (obs.len() as f64 * 4.0).max(4096.0);
    if max <= span && obs.iter().all(|o| o.time >= 0.0 && o.time.fract() == 0.0) {
        let mut counts = vec![(0u64, 0u64); max as usize + 1];
        for o in obs {
            let c = &mut counts[o.time as usize];
            if o.event {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
        return Tally {
            n: obs.len() as u64,
            rows: counts
                .into_iter()
                .enumerate()
                .filter(|(_, (e, c))| e + c > 0)
                .map(|(t, (e, c))| (t as f64, e, c))
                .collect(),
        };
    }
    let mut sorted: Vec<(f64, bool)> = obs.iter().map(|o| (o.time, o.event)).collect();
    sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut rows: Vec<(f64, u64, u64)> = Vec::new();
    for (time, event) in sorted {
        match rows.last_mut() {
            Some(last) if last.0 == time => {
                if event {
                    last.1 += 1;
                } else {
                    last.2 += 1;
                }
            }
            _ => rows.push((time, u64::from(event), u64::from(!event))),
        }
    }
    Tally {
        n: obs.len() as u64,
        rows,
    }
}

/// Kaplan–Meier with Greenwood's variance. Times must be finite and not negative (the caller
/// checks input); ties are events before censorings, as usual.
pub fn kaplan_meier(obs: &[Observation], level: f64, ci: CiTransform) -> KaplanMeier {
    kaplan_meier_tally(&tally(obs), level, ci)
}

/// Kaplan–Meier from a [`Tally`].
pub fn kaplan_meier_tally(t: &Tally, level: f64, ci: CiTransform) -> KaplanMeier {
    let z = z_of(level);
    let n = t.n;
    let mut at_risk = n;
    let mut survival = 1.0f64;
    let mut greenwood = 0.0f64;
    let mut table = Vec::new();
    let mut events_total = 0;
    for &(time, events, censored) in &t.rows {
        if events > 0 {
            let (nr, d) = (at_risk as f64, events as f64);
            survival *= 1.0 - d / nr;
            greenwood += if at_risk > events {
                d / (nr * (nr - d))
            } else {
                f64::INFINITY
            };
            let std_err = if survival > 0.0 {
                survival * greenwood.sqrt()
            } else {
                0.0
            };
            let (lower, upper) = band(survival, greenwood, z, ci);
            table.push(SurvivalRow {
                time,
                at_risk,
                events,
                censored,
                survival,
                std_err,
                lower,
                upper,
            });
            events_total += events;
        }
        at_risk -= events + censored;
    }
    let first_at_or_below =
        |f: fn(&SurvivalRow) -> f64| table.iter().find(|r| f(r) <= 0.5 + 1e-12).map(|r| r.time);
    KaplanMeier {
        n,
        events: events_total,
        median: first_at_or_below(|r| r.survival),
        median_lower: first_at_or_below(|r| r.lower),
        median_upper: first_at_or_below(|r| r.upper),
        table,
    }
}

/// The pointwise interval of S from Greenwood's sum Σ d / (n (n − d)).
fn band(s: f64, greenwood: f64, z: f64, ci: CiTransform) -> (f64, f64) {
    if s <= 0.0 {
        return (0.0, 0.0);
    }
    if greenwood == 0.0 {
        return (s, s);
    }
    match ci {
        CiTransform::Plain => {
            let se = s * greenwood.sqrt();
            ((s - z * se).max(0.0), (s + z * se).min(1.0))
        }
        CiTransform::Log => {
            let se = greenwood.sqrt();
            ((s.ln() - z * se).exp(), (s.ln() + z * se).exp().min(1.0))
        }
        CiTransform::LogLog => {
            if s >= 1.0 {
                return (1.0, 1.0);
            }
            let se = greenwood.sqrt() / s.ln().abs();
            (s.powf((z * se).exp()), s.powf((-z * se).exp()))
        }
    }
}

/// The log-rank test of equal survival in two or more groups.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LogRank {
    pub statistic: f64,
    pub df: u32,
    pub p_value: f64,
    /// Observed and expected events per group, in the order given.
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
}

/// The log-rank test (Mantel's hypergeometric variance, as R's `survdiff` with `rho = 0`).
/// `None` with fewer than two non-empty groups or when no event happened.
pub fn log_rank(groups: &[Vec<Observation>]) -> Option<LogRank> {
    let tallies: Vec<Tally> = groups.iter().map(|g| tally(g)).collect();
    log_rank_tallies(&tallies)
}

/// The log-rank test from one [`Tally`] per group.
pub fn log_rank_tallies(groups: &[Tally]) -> Option<LogRank> {
    let groups: Vec<&Tally> = groups.iter().filter(|g| g.n > 0).collect();
    let k = groups.len();
    if k < 2 {
        return None;
    }
    let mut at_risk: Vec<f64> = groups.iter().map(|g| g.n as f64).collect();
    let mut next = vec![0usize; k];
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut var = vec![vec![0.0; k]; k];
    let mut d = vec![0.0; k];
    let mut left = vec![0.0; k];
    // Walk the distinct times of all groups together.
    while let Some(time) = (0..k)
        .filter_map(|j| groups[j].rows.get(next[j]).map(|r| r.0))
        .min_by(f64::total_cmp)
    {
        for j in 0..k {
            (d[j], left[j]) = match groups[j].rows.get(next[j]) {
                Some(&(t, e, c)) if t == time => {
                    next[j] += 1;
                    (e as f64, (e + c) as f64)
                }
                _ => (0.0, 0.0),
            };
        }
        let dt: f64 = d.iter().sum();
        let nt: f64 = at_risk.iter().sum();
        if dt > 0.0 {
            for j in 0..k {
                observed[j] += d[j];
                expected[j] += at_risk[j] * dt / nt;
            }
            if nt > 1.0 {
                let f = dt * (nt - dt) / (nt - 1.0) / (nt * nt);
                for a in 0..k {
                    for b in 0..k {
                        let delta = if a == b { nt } else { 0.0 };
                        var[a][b] += f * at_risk[a] * (delta - at_risk[b]);
                    }
                }
            }
        }
        for j in 0..k {
            at_risk[j] -= left[j];
        }
    }
    if observed.iter().sum::<f64>() == 0.0 {
        return None;
    }
    // The first k − 1 groups carry all the information (the sums are zero).
    let m = k - 1;
    let diff: Vec<f64> = (0..m).map(|j| observed[j] - expected[j]).collect();
    let v: Vec<Vec<f64>> = (0..m).map(|a| var[a][..m].to_vec()).collect();
    let solved = solve(v, diff.clone())?;
    let statistic: f64 = diff.iter().zip(&solved).map(|(a, b)| a * b).sum();
    let df = m as u32;
    let p_value = ChiSquared::new(f64::from(df))
        .map(|c| 1.0 - c.cdf(statistic))
        .ok()?;
    Some(LogRank {
        statistic,
        df,
        p_value,
        observed,
        expected,
    })
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when `a` is singular.
pub(crate) fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col].clone();
        for row in col + 1..n {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn obs(list: &[(f64, bool)]) -> Vec<Observation> {
        list.iter()
            .map(|&(time, event)| Observation { time, event })
            .collect()
    }

    /// Remission times in weeks of the 6-MP and placebo groups of Freireich et al. (1963), as
    /// analysed by Gehan (1965) and in Kleinbaum & Klein, *Survival Analysis* (3rd ed.), ch. 2.
    pub(crate) fn six_mp() -> Vec<Observation> {
        obs(&[
            (6.0, true),
            (6.0, true),
            (6.0, true),
            (6.0, false),
            (7.0, true),
            (9.0, false),
            (10.0, true),
            (10.0, false),
            (11.0, false),
            (13.0, true),
            (16.0, true),
            (17.0, false),
            (19.0, false),
            (20.0, false),
            (22.0, true),
            (23.0, true),
            (25.0, false),
            (32.0, false),
            (32.0, false),
            (34.0, false),
            (35.0, false),
        ])
    }

    pub(crate) fn placebo() -> Vec<Observation> {
        [
            1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23,
        ]
        .iter()
        .map(|&t| Observation {
            time: f64::from(t),
            event: true,
        })
        .collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn kaplan_meier_matches_the_published_6mp_table() {
        // Kleinbaum & Klein table 2.1 / R `summary(survfit(Surv(time, status) ~ 1))`:
        // S = 0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448 at 6, 7, 10, 13, 16, 22, 23;
        // R's std.err 0.0764 at 6 and 0.1346 at 23.
        let km = kaplan_meier(&six_mp(), 0.95, CiTransform::LogLog);
        let times: Vec<f64> = km.table.iter().map(|r| r.time).collect();
        assert_eq!(times, [6.0, 7.0, 10.0, 13.0, 16.0, 22.0, 23.0]);
        let s: Vec<f64> = km.table.iter().map(|r| r.survival).collect();
        for (got, want) in s
            .iter()
            .zip([0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448])
        {
            assert!(close(*got, want, 0.0005), "{got} vs {want}");
        }
        let at_risk: Vec<u64> = km.table.iter().map(|r| r.at_risk).collect();
        assert_eq!(at_risk, [21, 17, 15, 12, 11, 7, 6]);
        assert!(close(km.table[0].std_err, 0.0764, 0.00005));
        assert!(close(km.table[6].std_err, 0.1346, 0.00005));
        assert_eq!((km.n, km.events, km.median), (21, 9, Some(23.0)));
    }

    #[test]
    fn the_interval_transforms_agree_with_their_formulas() {
        // At t = 6: S = 18/21, Greenwood sum 3 / (21 · 18) = 1/126.
        let s: f64 = 18.0 / 21.0;
        let g: f64 = 1.0 / 126.0;
        let z = z_of(0.95);
        assert!(close(z, 1.959964, 1e-6));
        let row = |ci| kaplan_meier(&six_mp(), 0.95, ci).table[0].clone();
        let plain = row(CiTransform::Plain);
        assert!(close(plain.lower, s - z * s * g.sqrt(), 1e-12));
        assert!(close(plain.upper, 1.0, 1e-12), "cut at 1");
        let log = row(CiTransform::Log);
        assert!(close(log.lower, (s.ln() - z * g.sqrt()).exp(), 1e-12));
        let ll = row(CiTransform::LogLog);
        let se = g.sqrt() / s.ln().abs();
        assert!(close(ll.lower, s.powf((z * se).exp()), 1e-12));
        assert!(close(ll.upper, s.powf((-z * se).exp()), 1e-12));
        // R, conf.type = "log-log": 0.620 and 0.952.
        assert!(close(ll.lower, 0.620, 0.0005) && close(ll.upper, 0.952, 0.0005));
        // Every row against lifelines 0.30.3 (`KaplanMeierFitter().confidence_interval_`, whose
        // default is this transform), computed independently on the same data.
        let lifelines = [
            (0.6197, 0.9516),
            (0.5631, 0.9228),
            (0.5032, 0.8894),
            (0.4316, 0.8491),
            (0.3675, 0.8049),
            (0.2678, 0.7468),
            (0.1881, 0.6801),
        ];
        let km = kaplan_meier(&six_mp(), 0.95, CiTransform::LogLog);
        for (r, (lo, hi)) in km.table.iter().zip(lifelines) {
            assert!(
                close(r.lower, lo, 0.00005) && close(r.upper, hi, 0.00005),
                "{r:?}"
            );
        }
    }

    #[test]
    fn the_log_rank_test_matches_survdiff_on_the_6mp_data() {
        // R: survdiff(Surv(time, status) ~ group): observed 9 and 21, expected 19.3 and 10.7,
        // Chisq = 16.8 on 1 degree of freedom, p = 4.17e-05 (Kleinbaum & Klein: 16.79; lifelines
        // 0.30.3 `logrank_test`: 16.792940989, p = 4.1688e-05).
        let lr = log_rank(&[six_mp(), placebo()]).unwrap();
        assert_eq!(lr.df, 1);
        assert_eq!(lr.observed, [9.0, 21.0]);
        assert!(close(lr.expected[0], 19.25, 0.01), "{:?}", lr.expected);
        assert!(
            close(lr.statistic, 16.792_940_989, 1e-6),
            "{}",
            lr.statistic
        );
        assert!(close(lr.p_value, 4.17e-5, 0.01e-5), "{}", lr.p_value);
        let km = kaplan_meier(&placebo(), 0.95, CiTransform::LogLog);
        assert_eq!(km.median, Some(8.0));
    }

    #[test]
    fn edge_cases_have_defined_answers() {
        let none = kaplan_meier(&[], 0.95, CiTransform::LogLog);
        assert_eq!((none.n, none.table.len(), none.median), (0, 0, None));
        let censored = kaplan_meier(
            &obs(&[(1.0, false), (2.0, false)]),
            0.95,
            CiTransform::LogLog,
        );
        assert!(censored.table.is_empty() && censored.median.is_none());
        // Everyone has the event: survival reaches 0 with a closed interval.
        let all = kaplan_meier(&obs(&[(1.0, true), (2.0, true)]), 0.95, CiTransform::Plain);
        assert_eq!(
            all.table.last().map(|r| (r.survival, r.lower, r.upper)),
            Some((0.0, 0.0, 0.0))
        );
        assert_eq!(all.median, Some(1.0));
        assert!(log_rank(&[placebo()]).is_none());
        assert!(log_rank(&[obs(&[(1.0, false)]), obs(&[(2.0, false)])]).is_none());
    }

    #[test]
    fn three_groups_have_two_degrees_of_freedom_and_identical_groups_score_zero() {
        let a = six_mp();
        let lr = log_rank(&[a.clone(), a.clone(), a]).unwrap();
        assert_eq!(lr.df, 2);
        assert!(lr.statistic.abs() < 1e-9 && close(lr.p_value, 1.0, 1e-9));
        let lr = log_rank(&[six_mp(), placebo(), placebo()]).unwrap();
        assert_eq!(lr.df, 2);
        assert!(lr.statistic > 16.0);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn survival_never_rises_and_its_band_holds_it(
                data in proptest::collection::vec((0u16..200, any::<bool>()), 0..200),
                ci in prop_oneof![Just(CiTransform::LogLog), Just(CiTransform::Log), Just(CiTransform::Plain)],
            ) {
                let o: Vec<Observation> = data.iter().map(|&(t, e)| Observation { time: f64::from(t), event: e }).collect();
                let km = kaplan_meier(&o, 0.95, ci);
                let mut last = 1.0;
                for r in &km.table {
                    prop_assert!(r.survival <= last + 1e-12);
                    prop_assert!(r.lower <= r.survival + 1e-12 && r.survival <= r.upper + 1e-12);
                    prop_assert!((0.0..=1.0).contains(&r.lower) && (0.0..=1.0).contains(&r.upper));
                    last = r.survival;
                }
                prop_assert_eq!(km.events, o.iter().filter(|x| x.event).count() as u64);
            }
        }
    }
}
