//! Probabilistic sensitivity analysis: N draws of every parameter from its distribution (beta,
//! gamma, log-normal, normal; Dirichlet rows from counts), each draw run through every strategy;
//! means with 95 % intervals (2.5th and 97.5th percentiles), the cost-effectiveness plane and the
//! acceptability curve. Draw k always uses ChaCha8 stream k of the seed, so a result depends on
//! the seed only, not on how many threads ran it.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution as _, Gamma, LogNormal, Normal};

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
    values.sort_unstable_by(f64::total_cmp);
    // Type 7 quantiles (R's default, numpy's `linear`).
    let q = |p: f64| {
        if n == 0 {
            return f64::NAN;
        }
        let h = (n - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        values[lo] + (h - lo as f64) * (values[hi] - values[lo])
    };
    Interval {
        mean,
        lower: q(0.025),
        upper: q(0.975),
    }
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
pub fn sample(plan: &Plan, rng: &mut ChaCha8Rng, values: &mut [f64]) {
    for p in &plan.parameters {
        let out = &mut values[p.offset..p.offset + p.base.len()];
        // The parameters were checked when the model was compiled, so the constructors succeed;
        // the fallback keeps the base value rather than panic.
        match &p.distribution {
            Distribution::Fixed(v) => out[0] = *v,
            Distribution::Beta { alpha, beta } => {
                out[0] = Beta::new(*alpha, *beta).map_or(p.base[0], |d| d.sample(rng));
            }
            Distribution::Gamma { shape, scale } => {
                out[0] = Gamma::new(*shape, *scale).map_or(p.base[0], |d| d.sample(rng));
            }
            Distribution::LogNormal { meanlog, sdlog } => {
                out[0] = LogNormal::new(*meanlog, *sdlog).map_or(p.base[0], |d| d.sample(rng));
            }
            Distribution::Normal { mean, sd } => {
                out[0] = Normal::new(*mean, *sd).map_or(p.base[0], |d| d.sample(rng));
            }
            Distribution::Dirichlet { counts } => {
                // Independent Gamma(αᵢ, 1) draws, normalised.
                let mut total = 0.0;
                for (x, a) in out.iter_mut().zip(counts) {
                    *x = Gamma::new(*a, 1.0).map_or(0.0, |d| d.sample(rng));
                    total += *x;
                }
                if total > 0.0 {
                    out.iter_mut().for_each(|x| *x /= total);
                } else {
                    out.copy_from_slice(&p.base);
                }
            }
        }
    }
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
    for (slot, draw) in out.iter_mut().zip(range) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(u64::from(draw));
        sample(plan, &mut rng, &mut values);
        slot.clear();
        for si in 0..plan.strategies.len() {
            let t = cohort::run(plan, schedule, si, &values, &mut ws, None)
                .map_err(|error| DrawError { draw, error })?;
            slot.push(t);
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
