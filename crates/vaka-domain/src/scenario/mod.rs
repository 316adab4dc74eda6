//! What if: cohort Markov models of care pathways, compared by discounted cost and outcome, with
//! incremental cost-effectiveness ratios, dominance and a probabilistic sensitivity analysis (in
//! the manner of Briggs, Claxton & Sculpher, *Decision Modelling for Health Economic Evaluation*,
//! 2006). The file format is in docs/scenarios.md.

pub mod cohort;
pub mod compare;
pub mod model;
pub mod pathway;
pub mod psa;

#[cfg(test)]
mod tests;

use cohort::Totals;
use compare::Incremental;
use model::Plan;
use psa::Psa;

/// A strategy's base-case result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StrategyResult {
    pub name: String,
    pub cost: f64,
    pub outcome: f64,
    /// The cohort in each state at cycles 0..=cycles (only when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<Vec<f64>>>,
}

/// What `vaka simulate` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Simulation {
    pub name: String,
    pub states: Vec<String>,
    pub strategies: Vec<StrategyResult>,
    pub incremental: Vec<Incremental>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psa: Option<Psa>,
    pub assumptions: Vec<String>,
}

/// Runs the base case, and the probabilistic analysis when `psa` gives (draws, seed).
pub fn simulate(
    plan: &Plan,
    psa: Option<(u32, u64)>,
    threads: usize,
    with_trace: bool,
) -> Result<Simulation, String> {
    let base = cohort::base_case(plan).map_err(|e| e.to_string())?;
    let strategies: Vec<StrategyResult> = plan
        .strategies
        .iter()
        .zip(base)
        .map(|(s, (t, trace))| StrategyResult {
            name: s.name.clone(),
            cost: t.cost,
            outcome: t.outcome,
            trace: with_trace.then_some(trace),
        })
        .collect();
    let pairs: Vec<(String, Totals)> = strategies
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                Totals {
                    cost: s.cost,
                    outcome: s.outcome,
                },
            )
        })
        .collect();
    let psa = match psa {
        Some((draws, seed)) if draws > 0 => {
            Some(psa::run(plan, draws, seed, threads).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    Ok(Simulation {
        name: plan.name.clone(),
        states: plan.states.clone(),
        incremental: compare::incremental(&pairs),
        strategies,
        psa,
        assumptions: plan.assumptions.clone(),
    })
}

/// The result as one CSV table: `section,name,vs,measure,value,lower,upper`.
pub fn to_csv(s: &Simulation) -> String {
    let mut out = String::from("section,name,vs,measure,value,lower,upper\n");
    let quote = |t: &str| {
        if t.contains([',', '"', '\n']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t.to_owned()
        }
    };
    let num = |v: Option<f64>| v.map_or_else(String::new, |x| x.to_string());
    for r in &s.strategies {
        for (m, v) in [("cost", r.cost), ("outcome", r.outcome)] {
            out.push_str(&format!("strategy,{},,{m},{v},,\n", quote(&r.name)));
        }
    }
    for r in &s.incremental {
        let vs = r.vs.as_deref().map(quote).unwrap_or_default();
        let dominance = match r.dominance {
            compare::Dominance::None => "none",
            compare::Dominance::Strict => "strict",
            compare::Dominance::Extended => "extended",
        };
        for (m, v) in [
            ("delta_cost", num(r.delta_cost)),
            ("delta_outcome", num(r.delta_outcome)),
            ("icer", num(r.icer)),
            ("dominance", dominance.to_owned()),
        ] {
            out.push_str(&format!("incremental,{},{vs},{m},{v},,\n", quote(&r.name)));
        }
    }
    if let Some(p) = &s.psa {
        for r in &p.strategies {
            for (m, i) in [("cost", r.cost), ("outcome", r.outcome)] {
                out.push_str(&format!(
                    "psa_strategy,{},,{m},{},{},{}\n",
                    quote(&r.name),
                    i.mean,
                    i.lower,
                    i.upper
                ));
            }
        }
        for r in &p.incremental {
            for (m, i) in [
                ("delta_cost", r.delta_cost),
                ("delta_outcome", r.delta_outcome),
            ] {
                out.push_str(&format!(
                    "psa_incremental,{},{},{m},{},{},{}\n",
                    quote(&r.name),
                    quote(&r.vs),
                    i.mean,
                    i.lower,
                    i.upper
                ));
            }
        }
        for a in &p.acceptability {
            for (r, pr) in s.strategies.iter().zip(&a.probabilities) {
                out.push_str(&format!(
                    "acceptability,{},,wtp_{},{pr},,\n",
                    quote(&r.name),
                    a.wtp
                ));
            }
        }
    }
    out
}
