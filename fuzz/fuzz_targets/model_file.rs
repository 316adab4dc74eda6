#![no_main]
//! Any text as a scenario model file: a plan or an error naming the place, never a panic; a small
//! plan that compiles runs, and its cohort always sums to 1.
use libfuzzer_sys::fuzz_target;
use vaka_domain::scenario::{cohort, model};

fuzz_target!(|text: &str| {
    let Ok(plan) = model::parse(text) else { return };
    let size = plan.cycles as usize * plan.states.len().pow(2) * plan.strategies.len();
    if size > 200_000 {
        return;
    }
    if let Ok(runs) = cohort::base_case(&plan) {
        for (_, trace) in runs {
            for s in trace {
                let sum: f64 = s.iter().sum();
                if sum.is_finite() {
                    assert!((sum - 1.0).abs() < 1e-6, "the cohort sums to {sum}");
                }
            }
        }
    }
});
