//! The cohort engine: for cycle t = 1..cycles, s_t = s_{t−1} · P_t; cycle t adds s_t · costs_t
//! discounted by (1 + r_costs)^(t · cycle length in years), and the same for outcomes; cycle 0 is
//! not counted. Half-cycle correction adds ½ of cycle 0's and subtracts ½ of the last cycle's
//! undiscounted outcome (and cost, with `both`).

use super::model::{Capacity, Cell, HalfCycle, Phase, Plan, ROW_TOLERANCE};

/// Applies the capacities to one step: `prev` the cohort before it, `next` after it (unlimited),
/// `row(i)` the transition row of state i (see [`Capacity`]). Each limited state k lets in a share
/// f_k of the moves into it; the rest wait where they were. Those waiting for one limited state
/// keep their places in another, so the shares depend on each other: each is lowered until its
/// state is within its limit or takes nobody in, which only ever lowers the others (a few rounds).
fn cap<'a>(
    capacities: &[Capacity],
    prev: &[f64],
    next: &mut [f64],
    row: impl Fn(usize) -> &'a [f64],
) {
    const MOST: usize = super::model::MOST_CAPACITIES;
    let m = capacities.len().min(MOST);
    let caps = &capacities[..m];
    let mut let_in = [1.0f64; MOST];
    let mut moves_in = [0.0f64; MOST];
    for (c, cap) in caps.iter().enumerate() {
        let k = cap.state;
        moves_in[c] = (0..prev.len())
            .filter(|i| *i != k)
            .map(|i| prev[i] * row(i)[k])
            .sum();
    }
    for _ in 0..100 {
        let mut lowered = false;
        for (c, cap) in caps.iter().enumerate() {
            let k = cap.state;
            if moves_in[c] <= 0.0 || let_in[c] == 0.0 {
                continue;
            }
            // Who is in k besides those let in: those who stayed, and those waiting in k for
            // another limited state.
            let waiting: f64 = caps
                .iter()
                .enumerate()
                .filter(|(_, d)| d.state != k)
                .map(|(d, other)| prev[k] * row(k)[other.state] * (1.0 - let_in[d]))
                .sum();
            let base = next[k] - moves_in[c] + waiting;
            if base + let_in[c] * moves_in[c] > cap.max_share * (1.0 + 1e-12) {
                let_in[c] = ((cap.max_share - base) / moves_in[c]).clamp(0.0, 1.0);
                lowered = true;
            }
        }
        if !lowered {
            break;
        }
    }
    for (c, cap) in caps.iter().enumerate() {
        let k = cap.state;
        if let_in[c] >= 1.0 {
            continue;
        }
        for i in 0..prev.len() {
            if i != k {
                let back = prev[i] * row(i)[k] * (1.0 - let_in[c]);
                next[i] += back;
                next[k] -= back;
            }
        }
    }
}

/// One phase's matrices evaluated for a set of parameter values.
#[derive(Debug, Clone)]
pub struct Matrices {
    /// Row-major, states × states.
    pub p: Vec<f64>,
    pub costs: Vec<f64>,
    pub outcomes: Vec<f64>,
}

#[inline]
fn eval(c: &Cell, values: &[f64]) -> f64 {
    match c {
        Cell::Const(v) => *v,
        Cell::Value(k) => values[*k],
        // The usual product (a relative risk times a probability), without the iterator.
        Cell::Product(list) if list.len() == 2 => {
            eval_nested(&list[0], values) * eval_nested(&list[1], values)
        }
        Cell::Product(list) => list.iter().map(|c| eval_nested(c, values)).product(),
        Cell::Sum(list) => list.iter().map(|c| eval_nested(c, values)).sum(),
        // Resolved by the row; never inside a product or a cost.
        Cell::Rest => 0.0,
    }
}

/// [`eval`] for cells inside a product or a sum, kept out of line (they may nest).
fn eval_nested(c: &Cell, values: &[f64]) -> f64 {
    match c {
        Cell::Const(v) => *v,
        Cell::Value(k) => values[*k],
        Cell::Product(list) => list.iter().map(|c| eval_nested(c, values)).product(),
        Cell::Sum(list) => list.iter().map(|c| eval(c, values)).sum(),
        // Resolved by the row; never inside a product or a cost.
        Cell::Rest => 0.0,
    }
}

impl Matrices {
    pub fn new(n: usize) -> Self {
        Self {
            p: vec![0.0; n * n],
            costs: vec![0.0; n],
            outcomes: vec![0.0; n],
        }
    }

    /// Evaluates `phase` with `values`; an invalid row is returned as (row, what is wrong).
    pub fn fill(&mut self, phase: &Phase, values: &[f64], n: usize) -> Result<(), (usize, String)> {
        for r in 0..n {
            let row = &phase.transitions[r * n..(r + 1) * n];
            let out = &mut self.p[r * n..(r + 1) * n];
            let mut sum = 0.0;
            let mut rest = None;
            let mut valid = true;
            for (k, (c, o)) in row.iter().zip(out.iter_mut()).enumerate() {
                let v = if let Cell::Rest = c {
                    rest = Some(k);
                    0.0
                } else {
                    eval(c, values)
                };
                valid &= v.is_finite() && v >= 0.0;
                *o = v;
                sum += v;
            }
            if let Some(k) = rest {
                out[k] = 1.0 - sum;
                valid &= out[k].is_finite() && out[k] >= 0.0;
                sum = 1.0;
            }
            if !valid && let Some(k) = out.iter().position(|v| !v.is_finite() || *v < 0.0) {
                return Err((
                    r,
                    format!("the probability to state {k} is {}, not 0–1", out[k]),
                ));
            }
            if (sum - 1.0).abs() > ROW_TOLERANCE {
                return Err((r, format!("the row sums to {sum}, not 1")));
            }
        }
        for k in 0..n {
            self.costs[k] = eval(&phase.costs[k], values);
            self.outcomes[k] = eval(&phase.outcomes[k], values);
        }
        Ok(())
    }
}

/// A strategy's discounted totals.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Totals {
    pub cost: f64,
    pub outcome: f64,
}

/// What does not depend on the parameter values: discount factors and each cycle's phase.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub cost_factor: Vec<f64>,
    pub outcome_factor: Vec<f64>,
    /// Per strategy, per cycle t (index t, 0 unused), the index of its phase.
    pub phase_of: Vec<Vec<usize>>,
}

impl Schedule {
    pub fn new(plan: &Plan) -> Self {
        let factor = |r: f64| {
            (0..=plan.cycles)
                .map(|t| (1.0 + r).powf(-(f64::from(t) * plan.cycle_length_years)))
                .collect()
        };
        Self {
            cost_factor: factor(plan.discount.costs),
            outcome_factor: factor(plan.discount.outcomes),
            phase_of: plan
                .strategies
                .iter()
                .map(|s| {
                    let mut of = vec![0; plan.cycles as usize + 1];
                    for (k, ph) in s.phases.iter().enumerate() {
                        for t in ph.from_cycle..=ph.to_cycle {
                            of[t as usize] = k;
                        }
                    }
                    of
                })
                .collect(),
        }
    }
}

/// Buffers reused across runs (the probabilistic analysis runs thousands).
#[derive(Debug, Clone)]
pub struct Workspace {
    pub matrices: Vec<Matrices>,
    s: Vec<f64>,
    next: Vec<f64>,
}

impl Workspace {
    pub fn new(plan: &Plan) -> Self {
        let n = plan.states.len();
        let most = plan
            .strategies
            .iter()
            .map(|s| s.phases.len())
            .max()
            .unwrap_or(1);
        Self {
            matrices: (0..most).map(|_| Matrices::new(n)).collect(),
            s: vec![0.0; n],
            next: vec![0.0; n],
        }
    }
}

/// Why a run failed: a matrix of a phase is not a valid transition matrix at these values.
#[derive(Debug, Clone, PartialEq)]
pub struct RunError {
    pub strategy: usize,
    pub phase: usize,
    pub row: usize,
    pub message: String,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "strategies[{}].phases[{}].transitions[{}]: {}",
            self.strategy, self.phase, self.row, self.message
        )
    }
}

/// Runs strategy `si` with `values`; `trace` receives s_0..s_T when given.
pub fn run(
    plan: &Plan,
    schedule: &Schedule,
    si: usize,
    values: &[f64],
    ws: &mut Workspace,
    mut trace: Option<&mut Vec<Vec<f64>>>,
) -> Result<Totals, RunError> {
    let n = plan.states.len();
    let strategy = &plan.strategies[si];
    for (pi, ph) in strategy.phases.iter().enumerate() {
        ws.matrices[pi]
            .fill(ph, values, n)
            .map_err(|(row, message)| RunError {
                strategy: si,
                phase: pi,
                row,
                message,
            })?;
    }
    if trace.is_none() {
        // Small models (most care-pathway models) run on fixed-size arrays that the compiler
        // unrolls and vectorises; the result is the same as the general loop below.
        // Even sizes: a vector register holds two numbers.
        match n {
            0..=4 => return Ok(run_fixed::<4>(plan, schedule, si, ws)),
            5..=6 => return Ok(run_fixed::<6>(plan, schedule, si, ws)),
            7..=8 => return Ok(run_fixed::<8>(plan, schedule, si, ws)),
            9..=10 => return Ok(run_fixed::<10>(plan, schedule, si, ws)),
            11..=12 => return Ok(run_fixed::<12>(plan, schedule, si, ws)),
            13..=16 => return Ok(run_fixed::<16>(plan, schedule, si, ws)),
            _ => {}
        }
    }
    ws.s.copy_from_slice(&plan.initial);
    if let Some(t) = trace.as_deref_mut() {
        t.clear();
        t.push(ws.s.clone());
    }
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let phase_of = &schedule.phase_of[si];
    let first = &ws.matrices[phase_of[1]];
    let (start_cost, start_outcome) = (dot(&ws.s, &first.costs), dot(&ws.s, &first.outcomes));
    let (mut cost, mut outcome) = (0.0, 0.0);
    let (mut last_cost, mut last_outcome) = (0.0, 0.0);
    for (t, &k) in phase_of.iter().enumerate().skip(1) {
        let m = &ws.matrices[k];
        ws.next.fill(0.0);
        for i in 0..n {
            let si = ws.s[i];
            if si == 0.0 {
                continue;
            }
            let row = &m.p[i * n..(i + 1) * n];
            for (x, p) in ws.next.iter_mut().zip(row) {
                *x += si * p;
            }
        }
        if !strategy.capacities.is_empty() {
            cap(&strategy.capacities, &ws.s, &mut ws.next, |i| {
                &m.p[i * n..(i + 1) * n]
            });
        }
        std::mem::swap(&mut ws.s, &mut ws.next);
        last_cost = dot(&ws.s, &m.costs);
        last_outcome = dot(&ws.s, &m.outcomes);
        cost += last_cost * schedule.cost_factor[t];
        outcome += last_outcome * schedule.outcome_factor[t];
        if let Some(tr) = trace.as_deref_mut() {
            tr.push(ws.s.clone());
        }
    }
    if plan.half_cycle != HalfCycle::None {
        outcome += 0.5 * start_outcome - 0.5 * last_outcome;
    }
    if plan.half_cycle == HalfCycle::Both {
        cost += 0.5 * start_cost - 0.5 * last_cost;
    }
    Ok(Totals { cost, outcome })
}

/// [`run`] for n ≤ N states, the matrices of `ws` already filled: padded to N with zeros. Instead
/// of a cost and an outcome per cycle (two dot products whose sums wait on each other), it adds up
/// the discounted cohort per phase and takes the dot products once at the end: the same totals up
/// to rounding, and a loop body with no reduction in it, which the compiler vectorises.
fn run_fixed<const N: usize>(
    plan: &Plan,
    schedule: &Schedule,
    si: usize,
    ws: &Workspace,
) -> Totals {
    let n = plan.states.len();
    let capacities = &plan.strategies[si].capacities;
    let phases = plan.strategies[si].phases.len();
    let mut p = vec![[[0.0f64; N]; N]; phases];
    let mut c = vec![[0.0f64; N]; phases];
    let mut o = vec![[0.0f64; N]; phases];
    for k in 0..phases {
        let m = &ws.matrices[k];
        for (row, from) in p[k].iter_mut().zip(m.p.chunks_exact(n)) {
            row[..n].copy_from_slice(from);
        }
        c[k][..n].copy_from_slice(&m.costs);
        o[k][..n].copy_from_slice(&m.outcomes);
    }
    let dot = |a: &[f64; N], b: &[f64; N]| {
        let mut x = 0.0;
        for j in 0..N {
            x += a[j] * b[j];
        }
        x
    };
    let mut s = [0.0f64; N];
    s[..n].copy_from_slice(&plan.initial);
    let phase_of = &schedule.phase_of[si];
    let first = phase_of[1];
    let (start_cost, start_outcome) = (dot(&s, &c[first]), dot(&s, &o[first]));
    let cycles = phase_of.len() - 1;
    // With one discount rate (the usual case) one sum serves costs and outcomes.
    let one_rate = schedule.cost_factor == schedule.outcome_factor;
    let (mut cost, mut outcome) = (0.0, 0.0);
    // Phases are consecutive ranges of cycles: sum the discounted cohort over one, then take its
    // dot products with the phase's costs and outcomes.
    let mut t = 1;
    while t <= cycles {
        let k = phase_of[t];
        let m = &p[k];
        let (mut for_cost, mut for_outcome) = ([0.0f64; N], [0.0f64; N]);
        while t <= cycles && phase_of[t] == k {
            let mut next = [0.0f64; N];
            for (x, row) in s.iter().zip(m.iter()) {
                for j in 0..N {
                    next[j] += x * row[j];
                }
            }
            if !capacities.is_empty() {
                cap(capacities, &s[..n], &mut next[..n], |i| &m[i][..n]);
            }
            s = next;
            let dc = schedule.cost_factor[t];
            for j in 0..N {
                for_cost[j] += s[j] * dc;
            }
            if !one_rate {
                let dout = schedule.outcome_factor[t];
                for j in 0..N {
                    for_outcome[j] += s[j] * dout;
                }
            }
            t += 1;
        }
        cost += dot(&for_cost, &c[k]);
        outcome += dot(if one_rate { &for_cost } else { &for_outcome }, &o[k]);
    }
    let last = phase_of[cycles];
    let (last_cost, last_outcome) = (dot(&s, &c[last]), dot(&s, &o[last]));
    if plan.half_cycle != HalfCycle::None {
        outcome += 0.5 * start_outcome - 0.5 * last_outcome;
    }
    if plan.half_cycle == HalfCycle::Both {
        cost += 0.5 * start_cost - 0.5 * last_cost;
    }
    Totals { cost, outcome }
}

/// The cohort in each state at cycles 0..=cycles.
pub type Trace = Vec<Vec<f64>>;

/// Every strategy at the base case, with their traces.
pub fn base_case(plan: &Plan) -> Result<Vec<(Totals, Trace)>, RunError> {
    let schedule = Schedule::new(plan);
    let mut ws = Workspace::new(plan);
    let values = plan.base_values();
    (0..plan.strategies.len())
        .map(|si| {
            let mut trace = Vec::new();
            let totals = run(plan, &schedule, si, &values, &mut ws, Some(&mut trace))?;
            Ok((totals, trace))
        })
        .collect()
}
