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

#[inline(always)]
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

/// One part of a phase (its transition matrix, its costs or its outcomes) as a program: the
/// constants in place, then the cells that are a parameter's value copied in, then the few that
/// are computed. A draw evaluates it without looking at a cell's kind.
#[derive(Debug, Clone, Default)]
struct Part {
    constants: Vec<f64>,
    copies: Vec<(usize, usize)>,
    /// The product of two values (a relative risk times a probability, the usual case).
    products: Vec<(usize, usize, usize)>,
    computed: Vec<(usize, Cell)>,
}

impl Part {
    fn new(cells: &[Cell]) -> Self {
        let mut part = Self {
            constants: vec![0.0; cells.len()],
            ..Self::default()
        };
        for (k, c) in cells.iter().enumerate() {
            match c {
                Cell::Const(v) => part.constants[k] = *v,
                Cell::Value(i) => part.copies.push((k, *i)),
                // The row fills it in.
                Cell::Rest => {}
                Cell::Product(list) => match list[..] {
                    [Cell::Value(a), Cell::Value(b)] => part.products.push((k, a, b)),
                    _ => part.computed.push((k, c.clone())),
                },
                Cell::Sum(_) => part.computed.push((k, c.clone())),
            }
        }
        part
    }

    #[inline]
    fn apply(&self, out: &mut [f64], values: &[f64]) {
        out.copy_from_slice(&self.constants);
        for &(k, i) in &self.copies {
            out[k] = values[i];
        }
        for &(k, a, b) in &self.products {
            out[k] = values[a] * values[b];
        }
        for (k, c) in &self.computed {
            out[*k] = eval(c, values);
        }
    }
}

/// A phase compiled for repeated evaluation.
#[derive(Debug, Clone)]
pub struct Program {
    transitions: Part,
    costs: Part,
    outcomes: Part,
    /// Per row, the column of its `"rest"` cell.
    rest: Vec<Option<usize>>,
}

impl Program {
    pub fn new(phase: &Phase, n: usize) -> Self {
        Self {
            transitions: Part::new(&phase.transitions),
            costs: Part::new(&phase.costs),
            outcomes: Part::new(&phase.outcomes),
            rest: (0..n)
                .map(|r| {
                    phase.transitions[r * n..(r + 1) * n]
                        .iter()
                        .position(|c| matches!(c, Cell::Rest))
                })
                .collect(),
        }
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
        self.run(&Program::new(phase, n), values, n)
    }

    /// Evaluates a compiled phase with `values`, as [`Matrices::fill`].
    pub fn run(
        &mut self,
        program: &Program,
        values: &[f64],
        n: usize,
    ) -> Result<(), (usize, String)> {
        program.transitions.apply(&mut self.p, values);
        program.costs.apply(&mut self.costs, values);
        program.outcomes.apply(&mut self.outcomes, values);
        for (r, (out, rest)) in self.p.chunks_exact_mut(n).zip(&program.rest).enumerate() {
            let (mut sum, mut least) = (0.0, f64::INFINITY);
            for &v in out.iter() {
                sum += v;
                least = least.min(v);
            }
            // A NaN or an infinity makes the sum NaN or infinite.
            let mut valid = least >= 0.0 && sum.is_finite();
            if let Some(k) = *rest {
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
    /// Costs and outcomes are discounted alike (one rate).
    pub one_rate: bool,
    /// Per strategy, per cycle t (index t, 0 unused), the matrices of its phase: an index into
    /// [`Workspace::matrices`].
    pub phase_of: Vec<Vec<usize>>,
    /// Per strategy, per phase: the index of its matrices. Strategies often share a phase (the
    /// usual care after a new one's first year): it is evaluated once per draw.
    pub matrices_of: Vec<Vec<usize>>,
    /// Per set of matrices, the (strategy, phase) it is first evaluated from.
    pub distinct: Vec<(usize, usize)>,
    /// Per set of matrices, its phase compiled.
    pub programs: Vec<Program>,
}

impl Schedule {
    pub fn new(plan: &Plan) -> Self {
        let factor = |r: f64| {
            (0..=plan.cycles)
                .map(|t| (1.0 + r).powf(-(f64::from(t) * plan.cycle_length_years)))
                .collect()
        };
        let cost_factor: Vec<f64> = factor(plan.discount.costs);
        let outcome_factor: Vec<f64> = factor(plan.discount.outcomes);
        let mut distinct: Vec<(usize, usize)> = Vec::new();
        let same = |a: &Phase, b: &Phase| {
            a.transitions == b.transitions && a.costs == b.costs && a.outcomes == b.outcomes
        };
        let matrices_of: Vec<Vec<usize>> = plan
            .strategies
            .iter()
            .enumerate()
            .map(|(si, s)| {
                s.phases
                    .iter()
                    .enumerate()
                    .map(|(pi, ph)| {
                        distinct
                            .iter()
                            .position(|&(sj, pj)| same(&plan.strategies[sj].phases[pj], ph))
                            .unwrap_or_else(|| {
                                distinct.push((si, pi));
                                distinct.len() - 1
                            })
                    })
                    .collect()
            })
            .collect();
        let phase_of = plan
            .strategies
            .iter()
            .zip(&matrices_of)
            .map(|(s, ids)| {
                let mut of = vec![0; plan.cycles as usize + 1];
                for (ph, &id) in s.phases.iter().zip(ids) {
                    for t in ph.from_cycle..=ph.to_cycle {
                        of[t as usize] = id;
                    }
                }
                of
            })
            .collect();
        let n = plan.states.len();
        Self {
            one_rate: cost_factor == outcome_factor,
            cost_factor,
            outcome_factor,
            phase_of,
            matrices_of,
            programs: distinct
                .iter()
                .map(|&(si, pi)| Program::new(&plan.strategies[si].phases[pi], n))
                .collect(),
            distinct,
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
        let phases: usize = plan.strategies.iter().map(|s| s.phases.len()).sum();
        Self {
            matrices: (0..phases.max(1)).map(|_| Matrices::new(n)).collect(),
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

/// Evaluates every strategy's phases with `values`, each distinct phase once; [`run_filled`]
/// then runs any strategy.
pub fn fill_all(
    plan: &Plan,
    schedule: &Schedule,
    values: &[f64],
    ws: &mut Workspace,
) -> Result<(), RunError> {
    let n = plan.states.len();
    for (id, (&(si, pi), program)) in schedule.distinct.iter().zip(&schedule.programs).enumerate() {
        ws.matrices[id]
            .run(program, values, n)
            .map_err(|(row, message)| RunError {
                strategy: si,
                phase: pi,
                row,
                message,
            })?;
    }
    Ok(())
}

/// Runs strategy `si` with `values`; `trace` receives s_0..s_T when given.
pub fn run(
    plan: &Plan,
    schedule: &Schedule,
    si: usize,
    values: &[f64],
    ws: &mut Workspace,
    trace: Option<&mut Vec<Vec<f64>>>,
) -> Result<Totals, RunError> {
    let n = plan.states.len();
    for (pi, &id) in schedule.matrices_of[si].iter().enumerate() {
        ws.matrices[id]
            .run(&schedule.programs[id], values, n)
            .map_err(|(row, message)| RunError {
                strategy: si,
                phase: pi,
                row,
                message,
            })?;
    }
    Ok(run_filled(plan, schedule, si, ws, trace))
}

/// Runs strategy `si` on matrices already evaluated (by [`run`] or [`fill_all`]).
pub fn run_filled(
    plan: &Plan,
    schedule: &Schedule,
    si: usize,
    ws: &mut Workspace,
    mut trace: Option<&mut Vec<Vec<f64>>>,
) -> Totals {
    let n = plan.states.len();
    let strategy = &plan.strategies[si];
    if trace.is_none() {
        // Small models (most care-pathway models) run on fixed-size arrays that the compiler
        // unrolls and vectorises; the result is the same as the general loop below.
        if let Some(totals) = dispatch_fixed(plan, schedule, si, ws) {
            return totals;
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
    Totals { cost, outcome }
}

/// [`run_fixed`] compiled for the CPU it runs on, for models of up to 16 states: with AVX2 and
/// fused multiply-add where it has them (four numbers a register, one rounding per step),
/// otherwise for the baseline (SSE2 on x86-64, two numbers a register). The two differ in the
/// last bits only. Sizes are padded to whole registers.
fn dispatch_fixed(plan: &Plan, schedule: &Schedule, si: usize, ws: &Workspace) -> Option<Totals> {
    let n = plan.states.len();
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        return simd.vectorize(|| match n {
            0..=4 => Some(run_fixed::<4, true>(plan, schedule, si, ws)),
            5..=8 => Some(run_fixed::<8, true>(plan, schedule, si, ws)),
            9..=12 => Some(run_fixed::<12, true>(plan, schedule, si, ws)),
            13..=16 => Some(run_fixed::<16, true>(plan, schedule, si, ws)),
            _ => None,
        });
    }
    pulp::Arch::new().dispatch(|| match n {
        0..=4 => Some(run_fixed::<4, false>(plan, schedule, si, ws)),
        5..=6 => Some(run_fixed::<6, false>(plan, schedule, si, ws)),
        7..=8 => Some(run_fixed::<8, false>(plan, schedule, si, ws)),
        9..=10 => Some(run_fixed::<10, false>(plan, schedule, si, ws)),
        11..=12 => Some(run_fixed::<12, false>(plan, schedule, si, ws)),
        13..=16 => Some(run_fixed::<16, false>(plan, schedule, si, ws)),
        _ => None,
    })
}

/// [`run`] for n ≤ N states, the matrices of `ws` already filled: padded to N with zeros. Instead
/// of a cost and an outcome per cycle (two dot products whose sums wait on each other), it adds up
/// the discounted cohort per phase and takes the dot products once at the end: the same totals up
/// to rounding, and a loop body with no reduction in it, which the compiler vectorises.
#[inline(always)]
fn run_fixed<const N: usize, const FUSED: bool>(
    plan: &Plan,
    schedule: &Schedule,
    si: usize,
    ws: &Workspace,
) -> Totals {
    let n = plan.states.len();
    let capacities = &plan.strategies[si].capacities;
    // A phase's matrices padded to N with zeros, copied onto the stack when its cycles begin.
    let padded = |k: usize| {
        let m = &ws.matrices[k];
        let (mut p, mut c, mut o) = ([[0.0f64; N]; N], [0.0f64; N], [0.0f64; N]);
        for (row, from) in p.iter_mut().zip(m.p.chunks_exact(n)) {
            row[..n].copy_from_slice(from);
        }
        c[..n].copy_from_slice(&m.costs);
        o[..n].copy_from_slice(&m.outcomes);
        (p, c, o)
    };
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
    let cycles = phase_of.len() - 1;
    // With one discount rate (the usual case) one sum serves costs and outcomes.
    let one_rate = schedule.one_rate;
    let (mut cost, mut outcome) = (0.0, 0.0);
    let (mut start_cost, mut start_outcome) = (0.0, 0.0);
    let (mut last_cost, mut last_outcome) = (0.0, 0.0);
    // Phases are consecutive ranges of cycles: sum the discounted cohort over one, then take its
    // dot products with the phase's costs and outcomes.
    let mut t = 1;
    while t <= cycles {
        let k = phase_of[t];
        let (m, c, o) = padded(k);
        if t == 1 {
            (start_cost, start_outcome) = (dot(&s, &c), dot(&s, &o));
        }
        let end = phase_of[t..]
            .iter()
            .position(|&x| x != k)
            .map_or(cycles + 1, |d| t + d);
        // On the heap: kept in memory, the sums are updated a register at a time (as locals
        // the compiler splits them into single numbers and spills them).
        let mut sums = Box::new([[0.0f64; N]; 2]);
        let [for_cost, for_outcome] = &mut *sums;
        for (&dc, &dout) in schedule.cost_factor[t..end]
            .iter()
            .zip(&schedule.outcome_factor[t..end])
        {
            let mut next = [0.0f64; N];
            for (x, row) in s[..n].iter().zip(&m[..n]) {
                for j in 0..N {
                    // Fused only where the CPU has it: elsewhere mul_add is a slow library call.
                    next[j] = if FUSED {
                        x.mul_add(row[j], next[j])
                    } else {
                        next[j] + x * row[j]
                    };
                }
            }
            if !capacities.is_empty() {
                cap(capacities, &s[..n], &mut next[..n], |i| &m[i][..n]);
            }
            for (f, x) in for_cost.iter_mut().zip(&next) {
                *f = if FUSED {
                    x.mul_add(dc, *f)
                } else {
                    *f + x * dc
                };
            }
            if !one_rate {
                for (f, x) in for_outcome.iter_mut().zip(&next) {
                    *f = if FUSED {
                        x.mul_add(dout, *f)
                    } else {
                        *f + x * dout
                    };
                }
            }
            s = next;
        }
        t = end;
        cost += dot(for_cost, &c);
        outcome += dot(if one_rate { for_cost } else { for_outcome }, &o);
        if t > cycles {
            (last_cost, last_outcome) = (dot(&s, &c), dot(&s, &o));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Both builds of the cohort step (the baseline one and the fused one the AVX2 path uses),
    /// padded to more than one size, against the general loop; whichever the machine running
    /// the tests dispatches to.
    #[test]
    fn every_build_of_the_fixed_size_step_agrees_with_the_general_loop() {
        let text = crate::scenario::tests::HIV.replace(
            r#""half_cycle_correction": "none""#,
            r#""half_cycle_correction": "both""#,
        );
        let plan = super::super::model::parse(&text).unwrap();
        let schedule = Schedule::new(&plan);
        let mut ws = Workspace::new(&plan);
        for si in 0..plan.strategies.len() {
            let mut trace = Vec::new();
            let general = run(
                &plan,
                &schedule,
                si,
                &plan.base_values(),
                &mut ws,
                Some(&mut trace),
            )
            .unwrap();
            for fixed in [
                run_fixed::<4, false>(&plan, &schedule, si, &ws),
                run_fixed::<4, true>(&plan, &schedule, si, &ws),
                run_fixed::<6, false>(&plan, &schedule, si, &ws),
                run_fixed::<8, true>(&plan, &schedule, si, &ws),
            ] {
                for (x, y) in [(fixed.cost, general.cost), (fixed.outcome, general.outcome)] {
                    assert!(
                        (x - y).abs() <= 1e-12 * x.abs().max(1.0),
                        "{fixed:?} {general:?}"
                    );
                }
            }
        }
    }
}
