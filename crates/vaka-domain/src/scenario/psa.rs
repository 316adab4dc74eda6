//! Probabilistic sensitivity analysis: N draws of every parameter from its distribution (beta,
//! gamma, log-normal, normal; Dirichlet rows from counts), each draw run through every strategy;
//! means with 95 % intervals (2.5th and 97.5th percentiles), the cost-effectiveness plane and the
//! acceptability curve. Draw k always uses its own generator (xoshiro256++ seeded from the seed
//! and k, see [`draw_rng`]), so a result depends on the seed only, not on how many threads ran it.

use rand::{Rng, SeedableRng};
use rand_distr::{Beta, Distribution as _, Gamma, LogNormal, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::cohort::{self, RunError, Schedule, Totals, Workspace};
use super::compare;
use super::model::{Distribution, Plan};

/// A mean with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    pub mean: f64,
    pub lower: f64,
    pub upper: f64,
}

fn interval(values: &mut [f64]) -> Interval {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    Interval {
        mean,
        lower: quantile(values, 0.025),
        upper: quantile(values, 0.975),
    }
}

/// The type 7 quantile (R's default, numpy's `linear`), by selection rather than a full sort;
/// `values` is reordered.
fn quantile(values: &mut [f64], p: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let (_, at, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let at = *at;
    if h == lo as f64 {
        return at;
    }
    // The next in order is the least of those above.
    let next = above.iter().copied().min_by(f64::total_cmp).unwrap_or(at);
    at + (h - lo as f64) * (next - at)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StrategySummary {
    pub name: String,
    pub cost: Interval,
    pub outcome: Interval,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IncrementalSummary {
    pub name: String,
    pub vs: String,
    pub delta_cost: Interval,
    pub delta_outcome: Interval,
    /// The ratio of the mean differences.
    pub icer_of_means: Option<f64>,
    /// Share of draws in which it costs less, and in which it gives more.
    pub probability_cheaper: f64,
    pub probability_more_effective: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AcceptabilityPoint {
    pub wtp: f64,
    /// Per strategy, in the model's order: the share of draws in which it has the highest net
    /// benefit (wtp × outcome − cost).
    pub probabilities: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Psa {
    pub draws: u32,
    pub seed: u64,
    pub strategies: Vec<StrategySummary>,
    /// Every other strategy against the base case's reference (the cheapest on its frontier).
    pub incremental: Vec<IncrementalSummary>,
    pub acceptability: Vec<AcceptabilityPoint>,
    /// Per draw, per strategy (the model's order): the totals. Not written out in JSON; the
    /// cost-effectiveness plane is drawn from it.
    #[serde(skip)]
    pub results: Vec<Vec<Totals>>,
    /// The strategy the plane and the increments are against.
    pub reference: usize,
}

/// A draw whose values make a matrix invalid (a `rest` below zero, say).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawError {
    pub draw: u32,
    pub error: RunError,
}

impl std::fmt::Display for DrawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "draw {}: {}", self.draw, self.error)
    }
}

/// Draws every parameter's values into `values`.
pub fn sample<R: Rng + ?Sized>(plan: &Plan, rng: &mut R, values: &mut [f64]) {
    Sampler::new(plan).sample(rng, values);
}

/// One parameter's distribution, its constants worked out once for all draws.
enum Draw {
    Fixed(f64),
    Beta(Beta<f64>),
    Gamma(Gamma<f64>),
    LogNormal(LogNormal<f64>),
    Normal(Normal<f64>),
    /// Independent Gamma(αᵢ, 1) draws, normalised.
    Dirichlet(Vec<Gamma<f64>>),
    /// Parameters are checked when the model is compiled, so this is not met; kept to the base
    /// value rather than panic.
    Base,
}

/// Draws all of a plan's parameters.
pub struct Sampler<'a> {
    plan: &'a Plan,
    draws: Vec<Draw>,
}

impl<'a> Sampler<'a> {
    pub fn new(plan: &'a Plan) -> Self {
        let draws = plan
            .parameters
            .iter()
            .map(|p| match &p.distribution {
                Distribution::Fixed(v) => Draw::Fixed(*v),
                Distribution::Beta { alpha, beta } => {
                    Beta::new(*alpha, *beta).map_or(Draw::Base, Draw::Beta)
                }
                Distribution::Gamma { shape, scale } => {
                    Gamma::new(*shape, *scale).map_or(Draw::Base, Draw::Gamma)
                }
                Distribution::LogNormal { meanlog, sdlog } => {
                    LogNormal::new(*meanlog, *sdlog).map_or(Draw::Base, Draw::LogNormal)
                }
                Distribution::Normal { mean, sd } => {
                    Normal::new(*mean, *sd).map_or(Draw::Base, Draw::Normal)
                }
                Distribution::Dirichlet { counts } => counts
                    .iter()
                    .map(|a| Gamma::new(*a, 1.0))
                    .collect::<Result<Vec<_>, _>>()
                    .map_or(Draw::Base, Draw::Dirichlet),
            })
            .collect();
        Self { plan, draws }
    }

    /// Draws every parameter's values into `values`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, values: &mut [f64]) {
        for (p, d) in self.plan.parameters.iter().zip(&self.draws) {
            let out = &mut values[p.offset..p.offset + p.base.len()];
            match d {
                Draw::Fixed(v) => out[0] = *v,
                Draw::Beta(d) => out[0] = d.sample(rng),
                Draw::Gamma(d) => out[0] = d.sample(rng),
                Draw::LogNormal(d) => out[0] = d.sample(rng),
                Draw::Normal(d) => out[0] = d.sample(rng),
                Draw::Dirichlet(gammas) => {
                    let mut total = 0.0;
                    for (x, g) in out.iter_mut().zip(gammas) {
                        *x = g.sample(rng);
                        total += *x;
                    }
                    if total > 0.0 {
                        out.iter_mut().for_each(|x| *x /= total);
                    } else {
                        out.copy_from_slice(&p.base);
                    }
                }
                Draw::Base => out.copy_from_slice(&p.base),
            }
        }
    }
}

/// The generator of draw `draw`: xoshiro256++ (fast, 2^256 − 1 period) whose state SplitMix64
/// expands from a 64-bit number that is one-to-one with the draw for a given seed, as the
/// generator's authors advise for independent streams.
pub fn draw_rng(seed: u64, draw: u32) -> Xoshiro256PlusPlus {
    // The SplitMix64 finaliser scrambles the seed, so that (seed, draw) and (seed + 1, draw - 1)
    // do not meet.
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    Xoshiro256PlusPlus::seed_from_u64(z ^ u64::from(draw))
}

/// Runs draws `range` into `out` (one row per draw).
fn run_draws(
    plan: &Plan,
    schedule: &Schedule,
    seed: u64,
    range: std::ops::Range<u32>,
    out: &mut [Vec<Totals>],
) -> Result<(), DrawError> {
    let mut ws = Workspace::new(plan);
    let mut values = plan.base_values();
    let sampler = Sampler::new(plan);
    for (slot, draw) in out.iter_mut().zip(range) {
        let mut rng = draw_rng(seed, draw);
        sampler.sample(&mut rng, &mut values);
        slot.clear();
        cohort::fill_all(plan, schedule, &values, &mut ws)
            .map_err(|error| DrawError { draw, error })?;
        for si in 0..plan.strategies.len() {
            slot.push(cohort::run_filled(plan, schedule, si, &mut ws, None));
        }
    }
    Ok(())
}

/// The default willingness-to-pay values: 0 to twice the base case's highest ICER (or 1 000 000
/// when there is none), 41 points.
fn default_wtp(base: &[compare::Incremental]) -> Vec<f64> {
    let top = base
        .iter()
        .filter_map(|r| r.icer)
        .filter(|i| i.is_finite() && *i > 0.0)
        .fold(0.0f64, f64::max);
    let top = if top > 0.0 { 2.0 * top } else { 1_000_000.0 };
    // A round step.
    let raw = top / 40.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (0..=40).map(|k| f64::from(k) * step).collect()
}

/// Runs `draws` draws on up to `threads` threads.
pub fn run(plan: &Plan, draws: u32, seed: u64, threads: usize) -> Result<Psa, DrawError> {
    let schedule = Schedule::new(plan);
    let names: Vec<String> = plan.strategies.iter().map(|s| s.name.clone()).collect();
    let base: Vec<Totals> = cohort::base_case(plan)
        .map_err(|error| DrawError { draw: 0, error })?
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let base_rows = compare::incremental(
        &names
            .iter()
            .cloned()
            .zip(base.iter().copied())
            .collect::<Vec<_>>(),
    );
    let reference = base_rows
        .iter()
        .find(|r| r.vs.is_none())
        .and_then(|r| names.iter().position(|n| *n == r.name))
        .unwrap_or(0);
    let mut results: Vec<Vec<Totals>> = vec![Vec::new(); draws as usize];
    let threads = threads.clamp(1, 64);
    let chunk = (draws as usize).div_ceil(threads).max(1);
    let outcome: Result<(), DrawError> = std::thread::scope(|scope| {
        let handles: Vec<_> = results
            .chunks_mut(chunk)
            .enumerate()
            .map(|(k, part)| {
                let schedule = &schedule;
                let start = (k * chunk) as u32;
                let end = start + part.len() as u32;
                scope.spawn(move || run_draws(plan, schedule, seed, start..end, part))
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    });
    outcome?;
    let column = |si: usize, f: fn(&Totals) -> f64| -> Vec<f64> {
        results.iter().map(|row| f(&row[si])).collect()
    };
    let strategies = names
        .iter()
        .enumerate()
        .map(|(si, name)| StrategySummary {
            name: name.clone(),
            cost: interval(&mut column(si, |t| t.cost)),
            outcome: interval(&mut column(si, |t| t.outcome)),
        })
        .collect();
    let n = results.len().max(1) as f64;
    let incremental = (0..names.len())
        .filter(|si| *si != reference)
        .map(|si| {
            let mut dc: Vec<f64> = results
                .iter()
                .map(|r| r[si].cost - r[reference].cost)
                .collect();
            let mut de: Vec<f64> = results
                .iter()
                .map(|r| r[si].outcome - r[reference].outcome)
                .collect();
            let cheaper = dc.iter().filter(|d| **d < 0.0).count() as f64 / n;
            let better = de.iter().filter(|d| **d > 0.0).count() as f64 / n;
            let (dc, de) = (interval(&mut dc), interval(&mut de));
            IncrementalSummary {
                name: names[si].clone(),
                vs: names[reference].clone(),
                icer_of_means: (de.mean != 0.0).then(|| dc.mean / de.mean),
                delta_cost: dc,
                delta_outcome: de,
                probability_cheaper: cheaper,
                probability_more_effective: better,
            }
        })
        .collect();
    let wtp = plan
        .willingness_to_pay
        .clone()
        .unwrap_or_else(|| default_wtp(&base_rows));
    let acceptability = wtp
        .iter()
        .map(|&w| {
            let mut wins = vec![0u32; names.len()];
            for row in &results {
                let best = (0..row.len())
                    .max_by(|a, b| {
                        let nb = |t: &Totals| w * t.outcome - t.cost;
                        nb(&row[*a]).total_cmp(&nb(&row[*b]))
                    })
                    .unwrap_or(0);
                wins[best] += 1;
            }
            AcceptabilityPoint {
                wtp: w,
                probabilities: wins.iter().map(|c| f64::from(*c) / n).collect(),
            }
        })
        .collect();
    Ok(Psa {
        draws,
        seed,
        strategies,
        incremental,
        acceptability,
        results,
        reference,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_quantile_by_selection_is_the_one_from_the_sorted_values(
            mut values in proptest::collection::vec(-1e6f64..1e6, 1..200),
            p in 0.0f64..=1.0,
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let h = (sorted.len() - 1) as f64 * p;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            let want = sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]);
            prop_assert_eq!(super::quantile(&mut values, p), want);
        }
    }

    #[test]
    fn quantiles_of_a_small_sample_by_hand() {
        // numpy.quantile([1, 2, 3, 4], [0.025, 0.5, 0.975]) = 1.075, 2.5, 3.925
        for (p, want) in [(0.025, 1.075), (0.5, 2.5), (0.975, 3.925)] {
            let got = super::quantile(&mut [4.0, 1.0, 3.0, 2.0], p);
            assert!((got - want).abs() < 1e-12, "{p}: {got}");
        }
        assert!(super::quantile(&mut [], 0.5).is_nan());
    }
}
