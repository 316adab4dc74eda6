use proptest::prelude::*;
use rand::SeedableRng;

use super::cohort::{self, Schedule, Workspace};
use super::compare::Dominance;
use super::model::{self, Plan};
use super::*;

/// The HIV model of Chancellor et al. (Pharmacoeconomics 1997;12:54–66) as replicated in Briggs,
/// Claxton & Sculpher (2006), exercise 2.5: four states, 20 annual cycles, zidovudine alone against
/// zidovudine and lamivudine for the first two years (relative risk 0.509 on every move to a worse
/// state), costs discounted at 6 %, life-years not. Transition probabilities from the counts of the
/// book's table 2.1; state costs direct medical + community care + zidovudine (£2 278), with
/// lamivudine (£2 086.50) in the first two years of the combination.
pub const HIV: &str = r#"{
  "name": "HIV: monotherapy or combination therapy (Chancellor 1997; Briggs et al. 2006, ex. 2.5)",
  "states": ["A", "B", "C", "D"],
  "initial": [1, 0, 0, 0],
  "cycles": 20,
  "cycle_length_years": 1,
  "discount": {"costs": 0.06, "outcomes": 0},
  "half_cycle_correction": "none",
  "parameters": {
    "from_a": {"distribution": "dirichlet", "counts": [1251, 350, 116, 17]},
    "from_b": {"distribution": "dirichlet", "counts": [731, 512, 15]},
    "from_c": {"distribution": "dirichlet", "counts": [1312, 437]},
    "rr": {"distribution": "log_normal", "meanlog": -0.67531, "sdlog": 0.17, "value": 0.509},
    "lamivudine": 2086.5
  },
  "strategies": [
    {"name": "Monotherapy", "phases": [
      {"from_cycle": 1, "to_cycle": 20,
       "transitions": ["from_a", [0, "from_b[0]", "from_b[1]", "from_b[2]"], [0, 0, "from_c[0]", "from_c[1]"], [0, 0, 0, 1]],
       "state_costs": [5034, 5330, 11285, 0], "state_outcomes": [1, 1, 1, 0]}]},
    {"name": "Combination", "phases": [
      {"from_cycle": 1, "to_cycle": 2,
       "transitions": [
         ["rest", {"product": ["rr", "from_a[1]"]}, {"product": ["rr", "from_a[2]"]}, {"product": ["rr", "from_a[3]"]}],
         [0, "rest", {"product": ["rr", "from_b[1]"]}, {"product": ["rr", "from_b[2]"]}],
         [0, 0, "rest", {"product": ["rr", "from_c[1]"]}],
         [0, 0, 0, 1]],
       "state_costs": [{"sum": [5034, "lamivudine"]}, {"sum": [5330, "lamivudine"]}, {"sum": [11285, "lamivudine"]}, 0], "state_outcomes": [1, 1, 1, 0]},
      {"from_cycle": 3, "to_cycle": 20,
       "transitions": ["from_a", [0, "from_b[0]", "from_b[1]", "from_b[2]"], [0, 0, "from_c[0]", "from_c[1]"], [0, 0, 0, 1]],
       "state_costs": [5034, 5330, 11285, 0], "state_outcomes": [1, 1, 1, 0]}]}
  ]
}"#;

fn plan(text: &str) -> Plan {
    model::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The small-model path sums in another order than the general one: equal up to rounding.
fn same_totals(a: cohort::Totals, b: cohort::Totals) {
    for (x, y) in [(a.cost, b.cost), (a.outcome, b.outcome)] {
        assert!(
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0),
            "{a:?} is not {b:?}"
        );
    }
}

fn close(got: f64, want: f64, within: f64) {
    assert!(
        (got - want).abs() <= within,
        "{got} is not {want} ± {within}"
    );
}

#[test]
fn the_hiv_model_reproduces_briggs_exercise_2_5() {
    let s = simulate(&plan(HIV), None, 1, false).unwrap();
    // Briggs et al. (2006), tables 2.3 and 2.4 and exercise 2.5: £44 663 and 7.991 life-years
    // (spreadsheet) for monotherapy, £50 602 and 8.937 for the combination, ICER £6 276.
    close(s.strategies[0].cost, 44_663.0, 1.0);
    close(s.strategies[0].outcome, 7.991, 0.001);
    close(s.strategies[1].cost, 50_602.0, 1.0);
    close(s.strategies[1].outcome, 8.937, 0.001);
    let combination = &s.incremental[1];
    assert_eq!(combination.name, "Combination");
    assert_eq!(combination.vs.as_deref(), Some("Monotherapy"));
    assert_eq!(combination.dominance, Dominance::None);
    close(combination.icer.unwrap(), 6_276.0, 1.0);
}

#[test]
fn half_cycle_correction_reproduces_the_corrected_life_years() {
    // The same with half-cycle correction of outcomes: 8.475 and 9.42 life-years (Briggs et al.,
    // exercise 2.5, as checked in rdecision's replication).
    let text = HIV.replace(
        r#""half_cycle_correction": "none""#,
        r#""half_cycle_correction": "outcomes""#,
    );
    let s = simulate(&plan(&text), None, 1, false).unwrap();
    close(s.strategies[0].outcome, 8.475, 0.001);
    close(s.strategies[1].outcome, 9.42, 0.005);
    // Costs are not corrected with `outcomes`.
    close(s.strategies[0].cost, 44_663.0, 1.0);
}

const TWO_STATES: &str = r#"{"name": "two", "states": ["well", "dead"], "initial": [1, 0], "cycles": 3,
  "cycle_length_years": 1, "discount": {"costs": 0.03, "outcomes": 0.05}, "half_cycle_correction": "none",
  "strategies": [{"name": "only", "phases": [{"from_cycle": 1, "to_cycle": 3,
     "transitions": [[0.9, 0.1], [0, 1]], "state_costs": [100, 0], "state_outcomes": [1, 0]}]}]}"#;

#[test]
fn discounting_and_half_cycle_rules_by_hand() {
    // Well: 0.9, 0.81, 0.729 after cycles 1–3.
    let s = simulate(&plan(TWO_STATES), None, 1, false).unwrap();
    let cost = 90.0 / 1.03 + 81.0 / 1.03f64.powi(2) + 72.9 / 1.03f64.powi(3);
    let outcome = 0.9 / 1.05 + 0.81 / 1.05f64.powi(2) + 0.729 / 1.05f64.powi(3);
    close(s.strategies[0].cost, cost, 1e-9);
    close(s.strategies[0].outcome, outcome, 1e-12);
    // Outcomes corrected: + ½ of cycle 0 (1 well) − ½ of the last cycle's undiscounted 0.729.
    let text = TWO_STATES.replace(
        r#""half_cycle_correction": "none""#,
        r#""half_cycle_correction": "outcomes""#,
    );
    let s = simulate(&plan(&text), None, 1, false).unwrap();
    close(s.strategies[0].outcome, outcome + 0.5 - 0.5 * 0.729, 1e-12);
    close(s.strategies[0].cost, cost, 1e-9);
    let text = TWO_STATES.replace(
        r#""half_cycle_correction": "none""#,
        r#""half_cycle_correction": "both""#,
    );
    let s = simulate(&plan(&text), None, 1, false).unwrap();
    close(s.strategies[0].cost, cost + 50.0 - 0.5 * 72.9, 1e-9);
    // Monthly cycles discount by the annual rate over the years elapsed: cycle t by 1.03^(t/12).
    let text = TWO_STATES.replace(
        r#""cycle_length_years": 1"#,
        r#""cycle_length_years": 0.08333333333333333"#,
    );
    let s = simulate(&plan(&text), None, 1, false).unwrap();
    let monthly = 90.0 / 1.03f64.powf(1.0 / 12.0)
        + 81.0 / 1.03f64.powf(2.0 / 12.0)
        + 72.9 / 1.03f64.powf(0.25);
    close(s.strategies[0].cost, monthly, 1e-9);
}

#[test]
fn the_trace_starts_with_the_initial_distribution() {
    let s = simulate(&plan(TWO_STATES), None, 1, true).unwrap();
    let trace = s.strategies[0].trace.as_ref().unwrap();
    assert_eq!(trace.len(), 4);
    assert_eq!(trace[0], [1.0, 0.0]);
    close(trace[3][0], 0.729, 1e-12);
}

fn error_of(text: &str) -> String {
    match model::parse(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn invalid_model_files_are_refused_naming_the_place() {
    let bad_sum = TWO_STATES.replace("[[0.9, 0.1], [0, 1]]", "[[0.9, 0.2], [0, 1]]");
    let e = error_of(&bad_sum);
    assert!(
        e.starts_with("strategies[0].phases[0].transitions[0]: the row sums to"),
        "{e}"
    );
    let negative = TWO_STATES.replace("[[0.9, 0.1], [0, 1]]", "[[1.1, -0.1], [0, 1]]");
    assert!(error_of(&negative).contains("transitions[0]: the probability to state 1 is -0.1"));
    // Within 1e-9 is fine; 1e-8 off is not.
    let nearly = TWO_STATES.replace("[[0.9, 0.1], [0, 1]]", "[[0.9, 0.1000000000005], [0, 1]]");
    assert!(model::parse(&nearly).is_ok());
    let off = TWO_STATES.replace("[[0.9, 0.1], [0, 1]]", "[[0.9, 0.10000001], [0, 1]]");
    assert!(error_of(&off).contains("sums to"));
    let gap = TWO_STATES.replace(r#""to_cycle": 3"#, r#""to_cycle": 2"#);
    assert_eq!(
        error_of(&gap),
        "strategies[0].phases: no phase covers cycle 3"
    );
    let beyond = TWO_STATES.replace(r#""to_cycle": 3"#, r#""to_cycle": 4"#);
    assert!(error_of(&beyond).starts_with("strategies[0].phases[0]: cycles 1–4"));
    let overlap = TWO_STATES.replace(
        r#""phases": [{"from_cycle": 1, "to_cycle": 3,"#,
        r#""phases": [{"from_cycle": 2, "to_cycle": 3, "transitions": [[1, 0], [0, 1]], "state_costs": [0, 0], "state_outcomes": [0, 0]}, {"from_cycle": 1, "to_cycle": 3,"#,
    );
    assert_eq!(
        error_of(&overlap),
        "strategies[0].phases[1]: cycle 2 is also in phases[0]"
    );
    let rows = TWO_STATES.replace("[[0.9, 0.1], [0, 1]]", "[[0.9, 0.1]]");
    assert_eq!(
        error_of(&rows),
        "strategies[0].phases[0].transitions: has 1 rows for 2 states"
    );
    let cells = TWO_STATES.replace(r#""state_costs": [100, 0]"#, r#""state_costs": [100]"#);
    assert_eq!(
        error_of(&cells),
        "strategies[0].phases[0].state_costs: has 1 values for 2 states"
    );
    let unknown = TWO_STATES.replace("[[0.9, 0.1], [0, 1]]", r#"[["rest", "p_death"], [0, 1]]"#);
    assert_eq!(
        error_of(&unknown),
        "strategies[0].phases[0].transitions[0][1]: unknown parameter `p_death`"
    );
    let initial = TWO_STATES.replace(r#""initial": [1, 0]"#, r#""initial": [0.5, 0.4]"#);
    assert_eq!(error_of(&initial), "initial: sums to 0.9, not 1");
    let syntax = TWO_STATES.replace(r#""cycles": 3,"#, r#""cycles": 3"#);
    assert_eq!(error_of(&syntax), "line 2, column 3: expected `,` or `}`");
    let extra = TWO_STATES.replace(r#""cycles": 3,"#, r#""cycles": 3, "cylces": 4,"#);
    assert!(error_of(&extra).contains("unknown field `cylces`"));
    let gamma = TWO_STATES.replace(
        r#""strategies""#,
        r#""parameters": {"c": {"distribution": "gamma", "mean": 100}}, "strategies""#,
    );
    assert_eq!(
        error_of(&gamma),
        "parameters.c: a gamma distribution takes `shape` and `scale`, or `mean` and `sd`"
    );
    let beta = TWO_STATES.replace(
        r#""strategies""#,
        r#""parameters": {"p": {"distribution": "beta", "alpha": 0, "beta": 3}}, "strategies""#,
    );
    assert_eq!(
        error_of(&beta),
        "parameters.p: `alpha` must be a positive number, not 0"
    );
    let index = HIV.replace(r#""from_b[2]"]"#, r#""from_b[3]"]"#);
    assert!(error_of(&index).contains("`from_b[3]`: `from_b` has 3 values (0–2)"));
    let two_rests = TWO_STATES.replace("[[0.9, 0.1], [0, 1]]", r#"[["rest", "rest"], [0, 1]]"#);
    assert_eq!(
        error_of(&two_rests),
        "strategies[0].phases[0].transitions[0]: at most one `rest` in a row"
    );
}

#[test]
fn a_draw_that_breaks_a_row_is_named() {
    // A probability drawn from a wide normal: some draws fall below 0, and the analysis stops with
    // the draw and the place.
    let text = TWO_STATES
        .replace("[[0.9, 0.1], [0, 1]]", r#"[["rest", "p"], [0, 1]]"#)
        .replace(
            r#""strategies""#,
            r#""parameters": {"p": {"distribution": "normal", "mean": 0.1, "sd": 0.5}}, "strategies""#,
        );
    let e = simulate(&plan(&text), Some((200, 1)), 2, false).unwrap_err();
    assert!(e.starts_with("draw "), "{e}");
    assert!(e.contains("strategies[0].phases[0].transitions[0]"), "{e}");
}

#[test]
fn the_probabilistic_analysis_is_reproducible_per_seed_and_independent_of_threads() {
    let p = plan(HIV);
    let a = simulate(&p, Some((500, 7)), 1, false).unwrap().psa.unwrap();
    let b = simulate(&p, Some((500, 7)), 2, false).unwrap().psa.unwrap();
    let c = simulate(&p, Some((500, 8)), 2, false).unwrap().psa.unwrap();
    assert_eq!(a, b, "same seed, one or two threads");
    assert_eq!(a.results, b.results);
    assert_ne!(a.results, c.results, "another seed");
    // Briggs et al. exercise 4.7 reports about 7.99 and 8.94 mean life-years; the draws centre on
    // the base case and their interval holds it.
    let mono = &a.strategies[0];
    assert!(mono.outcome.lower < 7.991 && 7.991 < mono.outcome.upper);
    close(mono.outcome.mean, 7.99, 0.05);
    close(a.strategies[1].outcome.mean, 8.94, 0.05);
    // Combination is the more effective in every draw (rr < 1 always) and costs more.
    let inc = &a.incremental[0];
    assert_eq!(
        (inc.name.as_str(), inc.vs.as_str()),
        ("Combination", "Monotherapy")
    );
    assert_eq!(inc.probability_more_effective, 1.0);
    // The acceptability curve: at 0 per life-year the cheaper wins; each point sums to 1.
    assert_eq!(a.acceptability[0].wtp, 0.0);
    assert_eq!(a.acceptability[0].probabilities[0], 1.0);
    for point in &a.acceptability {
        close(point.probabilities.iter().sum::<f64>(), 1.0, 1e-12);
    }
    let last = a.acceptability.last().unwrap();
    assert!(last.probabilities[1] > 0.9, "{last:?}");
}

#[test]
fn dirichlet_draws_are_rows_that_sum_to_one_around_the_counts() {
    let p = plan(HIV);
    let mut values = p.base_values();
    let mut sum = [0.0; 4];
    for k in 0..2000u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        rng.set_stream(k);
        psa::sample(&p, &mut rng, &mut values);
        let offset = p
            .parameters
            .iter()
            .find(|x| x.name == "from_a")
            .unwrap()
            .offset;
        let row = &values[offset..offset + 4];
        close(row.iter().sum::<f64>(), 1.0, 1e-12);
        for (s, v) in sum.iter_mut().zip(row) {
            *s += v / 2000.0;
        }
    }
    for (got, count) in sum.iter().zip([1251.0, 350.0, 116.0, 17.0]) {
        close(*got, count / 1734.0, 0.003);
    }
}

fn stochastic(n: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
    prop::collection::vec(prop::collection::vec(0.0f64..1.0, n), n).prop_map(|rows| {
        rows.into_iter()
            .map(|r| {
                let total: f64 = r.iter().sum::<f64>() + 1e-3;
                let mut r: Vec<f64> = r.iter().map(|x| x / total).collect();
                let rest: f64 = 1.0 - r[1..].iter().sum::<f64>();
                r[0] = rest;
                r
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_cohort_always_sums_to_one(p in stochastic(4), q in stochastic(4), cycles in 1u32..40) {
        let row = |r: &Vec<f64>| format!("[{}]", r.iter().map(|x| format!("{x:e}")).collect::<Vec<_>>().join(","));
        let matrix = |m: &Vec<Vec<f64>>| format!("[{}]", m.iter().map(row).collect::<Vec<_>>().join(","));
        let half = cycles.div_ceil(2);
        let second = if half < cycles {
            format!(r#",{{"from_cycle": {}, "to_cycle": {cycles}, "transitions": {}, "state_costs": [1,2,3,4], "state_outcomes": [1,1,1,0]}}"#, half + 1, matrix(&q))
        } else {
            String::new()
        };
        let text = format!(r#"{{"name": "x", "states": ["a","b","c","d"], "initial": [0.25,0.25,0.25,0.25], "cycles": {cycles},
            "cycle_length_years": 1, "discount": {{"costs": 0.03, "outcomes": 0.03}},
            "strategies": [{{"name": "s", "phases": [{{"from_cycle": 1, "to_cycle": {half}, "transitions": {}, "state_costs": [1,2,3,4], "state_outcomes": [1,1,1,0]}}{second}]}}]}}"#, matrix(&p));
        let Ok(plan) = model::parse(&text) else {
            // A row that rounding put a hair outside 1e-9 is refused, which is right.
            return Ok(());
        };
        let mut trace = Vec::new();
        let mut ws = Workspace::new(&plan);
        cohort::run(&plan, &Schedule::new(&plan), 0, &plan.base_values(), &mut ws, Some(&mut trace)).unwrap();
        prop_assert_eq!(trace.len(), cycles as usize + 1);
        for s in &trace {
            prop_assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            prop_assert!(s.iter().all(|x| *x >= 0.0));
        }
    }
}

#[test]
fn csv_lists_every_figure() {
    let s = simulate(&plan(HIV), Some((50, 1)), 1, false).unwrap();
    let csv = to_csv(&s);
    assert!(csv.starts_with("section,name,vs,measure,value,lower,upper\n"));
    assert!(csv.contains("incremental,Combination,Monotherapy,dominance,none,,"));
    assert!(csv.contains("psa_strategy,Monotherapy,,cost,"));
    assert!(csv.contains("acceptability,Combination,,wtp_0,0,,"));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["strategies"][0]["name"], "Monotherapy");
    assert!(json["incremental"][1]["icer"].is_number());
    assert!(json["psa"]["strategies"][0]["cost"]["lower"].is_number());
    assert!(json["strategies"][0].get("trace").is_none());
}

#[test]
fn the_small_model_path_gives_the_same_totals_as_the_general_one() {
    // Two discount rates, then one (a single sum serves both), with half-cycle correction.
    let one_rate = HIV
        .replace(r#""outcomes": 0}"#, r#""outcomes": 0.06}"#)
        .replace(
            r#""half_cycle_correction": "none""#,
            r#""half_cycle_correction": "both""#,
        );
    assert_ne!(one_rate, HIV);
    for text in [HIV, one_rate.as_str()] {
        let p = plan(text);
        let schedule = Schedule::new(&p);
        let mut ws = Workspace::new(&p);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut values = p.base_values();
        for _ in 0..20 {
            psa::sample(&p, &mut rng, &mut values);
            for si in 0..2 {
                let fast = cohort::run(&p, &schedule, si, &values, &mut ws, None).unwrap();
                let mut trace = Vec::new();
                let general =
                    cohort::run(&p, &schedule, si, &values, &mut ws, Some(&mut trace)).unwrap();
                same_totals(fast, general);
            }
        }
    }
}

#[test]
fn a_phase_that_strategies_share_is_evaluated_once_with_the_same_results() {
    let p = plan(HIV);
    let schedule = Schedule::new(&p);
    // The combination's years 3–20 are monotherapy: the same cells, one set of matrices.
    assert_eq!(schedule.matrices_of, vec![vec![0], vec![1, 0]]);
    assert_eq!(schedule.distinct, vec![(0, 0), (1, 0)]);
    let mut shared = Workspace::new(&p);
    let mut rng = psa::draw_rng(5, 0);
    let mut values = p.base_values();
    for _ in 0..20 {
        psa::sample(&p, &mut rng, &mut values);
        cohort::fill_all(&p, &schedule, &values, &mut shared).unwrap();
        for si in 0..2 {
            let once = cohort::run_filled(&p, &schedule, si, &mut shared, None);
            // Each strategy on a workspace of its own, evaluating its phases itself.
            let alone = cohort::run(&p, &schedule, si, &values, &mut Workspace::new(&p), None);
            assert_eq!(once, alone.unwrap());
        }
    }
    // A phase that differs in one cell is not shared.
    let text = HIV.replacen(
        r#""state_outcomes": [1, 1, 1, 0]}]}"#,
        r#""state_outcomes": [1, 1, 0.9, 0]}]}"#,
        1,
    );
    assert_ne!(text, HIV);
    assert_eq!(Schedule::new(&plan(&text)).distinct.len(), 3);
}

#[test]
fn each_draw_has_a_generator_of_its_own() {
    use rand::Rng as _;
    let first = |seed, draw| psa::draw_rng(seed, draw).next_u64();
    assert_eq!(first(1, 7), first(1, 7));
    let mut seen: Vec<u64> = (0..1000).map(|d| first(1, d)).collect();
    seen.extend((0..1000).map(|d| first(2, d)));
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 2000);
}

/// Three states: waiting, a place with limited capacity, elsewhere. Half of those waiting get a
/// place each cycle; nobody leaves it. Each cycle in the place costs 100; no discounting.
const CAPPED: &str = r#"{
  "name": "capacity", "states": ["waiting", "place", "elsewhere"], "initial": [1, 0, 0],
  "cycles": 3, "cycle_length_years": 1, "discount": {"costs": 0, "outcomes": 0},
  "strategies": [
    {"name": "open", "phases": [{"from_cycle": 1, "to_cycle": 3,
      "transitions": [[0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]],
      "state_costs": [0, 100, 0], "state_outcomes": [0, 1, 0]}]},
    {"name": "capped", "capacities": [{"state": "place", "max_share": 0.3}],
     "phases": [{"from_cycle": 1, "to_cycle": 3,
      "transitions": [[0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]],
      "state_costs": [0, 100, 0], "state_outcomes": [0, 1, 0]}]}
  ]
}"#;

#[test]
fn a_capacity_holds_people_back_where_they_are_by_hand() {
    let p = plan(CAPPED);
    let runs = cohort::base_case(&p).unwrap();
    // Open: the place holds 0.5, 0.75, 0.875 → 212.5.
    close(runs[0].0.cost, 212.5, 1e-9);
    // Capped at 0.3: cycle 1 moves 0.5 in, 0.2 wait (cut 0.4 of the move): [0.7, 0.3, 0]. Cycle 2
    // would move 0.35 more in; all of it waits: [0.7, 0.3, 0] again. 3 × 30 = 90.
    close(runs[1].0.cost, 90.0, 1e-9);
    for (got, want) in runs[1].1[1].iter().zip([0.7, 0.3, 0.0]) {
        close(*got, want, 1e-12);
    }
    assert_eq!(runs[1].1[3], runs[1].1[1]);
    // The small-model path agrees with the general one.
    let mut ws = Workspace::new(&p);
    let fast = cohort::run(&p, &Schedule::new(&p), 1, &p.base_values(), &mut ws, None).unwrap();
    same_totals(fast, runs[1].0);
}

#[test]
fn a_state_over_its_capacity_at_the_start_only_stops_taking_people_in() {
    let text = CAPPED.replace(r#""initial": [1, 0, 0]"#, r#""initial": [0.5, 0.5, 0]"#);
    let p = plan(&text);
    let runs = cohort::base_case(&p).unwrap();
    // 0.5 stay in the place (nobody is evicted); the 0.25 that would come wait.
    for s in &runs[1].1 {
        for (got, want) in s.iter().zip([0.5, 0.5, 0.0]) {
            close(*got, want, 1e-12);
        }
    }
}

#[test]
fn invalid_capacities_are_refused_naming_the_place() {
    let unknown = CAPPED.replace(r#"{"state": "place""#, r#"{"state": "plats""#);
    assert!(
        error_of(&unknown)
            .starts_with(r#"strategies[1].capacities[0].state: "plats" is not one of the states"#),
        "{}",
        error_of(&unknown)
    );
    let share = CAPPED.replace(r#""max_share": 0.3"#, r#""max_share": 1.5"#);
    assert!(error_of(&share).starts_with("strategies[1].capacities[0].max_share: is 1.5"));
    let twice = CAPPED.replace(
        r#"[{"state": "place", "max_share": 0.3}]"#,
        r#"[{"state": "place", "max_share": 0.3}, {"state": "place", "max_share": 0.2}]"#,
    );
    assert!(error_of(&twice).starts_with("strategies[1].capacities[1].state"));
}

proptest! {
    #[test]
    fn with_capacities_the_cohort_sums_to_one_and_no_state_fills_beyond_its_limit(
        p in stochastic(5),
        cap_a in 0.0f64..1.0,
        cap_b in 0.0f64..1.0,
        cycles in 1u32..30,
    ) {
        let row = |r: &Vec<f64>| format!("[{}]", r.iter().map(|x| format!("{x:e}")).collect::<Vec<_>>().join(","));
        let matrix = format!("[{}]", p.iter().map(row).collect::<Vec<_>>().join(","));
        let text = format!(r#"{{"name": "x", "states": ["a","b","c","d","e"], "initial": [1,0,0,0,0], "cycles": {cycles},
            "cycle_length_years": 1, "discount": {{"costs": 0.03, "outcomes": 0.03}},
            "strategies": [{{"name": "s", "capacities": [{{"state": "b", "max_share": {cap_a:e}}}, {{"state": "d", "max_share": {cap_b:e}}}],
              "phases": [{{"from_cycle": 1, "to_cycle": {cycles}, "transitions": {matrix}, "state_costs": [1,2,3,4,5], "state_outcomes": [1,1,1,1,0]}}]}}]}}"#);
        let Ok(plan) = model::parse(&text) else {
            return Ok(());
        };
        let mut trace = Vec::new();
        let mut ws = Workspace::new(&plan);
        let schedule = Schedule::new(&plan);
        let general = cohort::run(&plan, &schedule, 0, &plan.base_values(), &mut ws, Some(&mut trace)).unwrap();
        let fast = cohort::run(&plan, &schedule, 0, &plan.base_values(), &mut ws, None).unwrap();
        prop_assert!((general.cost - fast.cost).abs() <= 1e-9 * general.cost.abs().max(1.0));
        for (t, s) in trace.iter().enumerate() {
            prop_assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            prop_assert!(s.iter().all(|x| *x >= -1e-15));
            if t > 0 {
                // Nobody moves into a full state: it holds more than its limit only as far as
                // those already in it stay (or wait there for the other limited state).
                for (k, limit) in [(1, cap_a), (3, cap_b)] {
                    let before = trace[t - 1][k];
                    prop_assert!(s[k] <= limit.max(before) + 1e-12, "state {} holds {} > {} (was {})", k, s[k], limit, before);
                }
            }
        }
    }
}
