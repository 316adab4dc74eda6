//! Comparing strategies: in order of cost, those that cost more and give less than another are
//! strictly dominated; of the rest, one whose incremental cost-effectiveness ratio (ICER) is higher
//! than that of the next more effective one is extendedly dominated (a mix of its neighbours would
//! do better). The others form the frontier, each with its ICER against the previous one.

use super::cohort::Totals;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dominance {
    /// On the frontier (the cheapest is the reference).
    None,
    Strict,
    Extended,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Incremental {
    pub name: String,
    /// The strategy compared with: the previous one on the frontier, or for a strictly dominated
    /// one the strategy that dominates it; `null` for the reference.
    pub vs: Option<String>,
    pub delta_cost: Option<f64>,
    pub delta_outcome: Option<f64>,
    /// Extra cost per extra unit of outcome; `null` for the reference and dominated strategies.
    pub icer: Option<f64>,
    pub dominance: Dominance,
}

/// The incremental analysis of `strategies` (name, totals), listed in order of cost.
pub fn incremental(strategies: &[(String, Totals)]) -> Vec<Incremental> {
    let mut order: Vec<usize> = (0..strategies.len()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&strategies[*a].1, &strategies[*b].1);
        x.cost
            .total_cmp(&y.cost)
            .then(y.outcome.total_cmp(&x.outcome))
    });
    let t = |k: usize| strategies[k].1;
    // Strictly dominated: another costs no more and gives no less, and differs.
    let dominator = |j: usize| {
        order.iter().copied().filter(|i| *i != j).find(|i| {
            let (a, b) = (t(*i), t(j));
            a.cost <= b.cost && a.outcome >= b.outcome && (a.cost < b.cost || a.outcome > b.outcome)
        })
    };
    let strict: Vec<Option<usize>> = (0..strategies.len()).map(dominator).collect();
    let mut frontier: Vec<usize> = order
        .iter()
        .copied()
        .filter(|k| strict[*k].is_none())
        .collect();
    let mut extended = vec![false; strategies.len()];
    let icer = |a: usize, b: usize| {
        let (dc, de) = (t(b).cost - t(a).cost, t(b).outcome - t(a).outcome);
        if de > 0.0 { dc / de } else { f64::INFINITY }
    };
    // Remove any strategy whose ICER exceeds the next one's, until the ICERs rise.
    loop {
        let found = (1..frontier.len().saturating_sub(1))
            .find(|k| icer(frontier[k - 1], frontier[*k]) > icer(frontier[*k], frontier[k + 1]));
        match found {
            Some(k) => {
                extended[frontier[k]] = true;
                frontier.remove(k);
            }
            None => break,
        }
    }
    order
        .iter()
        .map(|&k| {
            let name = strategies[k].0.clone();
            let row = |vs: usize, icer: Option<f64>, dominance| Incremental {
                name: name.clone(),
                vs: Some(strategies[vs].0.clone()),
                delta_cost: Some(t(k).cost - t(vs).cost),
                delta_outcome: Some(t(k).outcome - t(vs).outcome),
                icer,
                dominance,
            };
            if let Some(d) = strict[k] {
                return row(d, None, Dominance::Strict);
            }
            // The previous frontier strategy, cheaper than this one.
            let previous = frontier
                .iter()
                .copied()
                .take_while(|f| *f != k)
                .filter(|f| order.iter().position(|o| o == f) < order.iter().position(|o| *o == k))
                .last();
            match (previous, extended[k]) {
                (None, false) => Incremental {
                    name,
                    vs: None,
                    delta_cost: None,
                    delta_outcome: None,
                    icer: None,
                    dominance: Dominance::None,
                },
                (Some(p), false) => {
                    let i = icer(p, k);
                    row(p, i.is_finite().then_some(i), Dominance::None)
                }
                (Some(p), true) => row(p, None, Dominance::Extended),
                (None, true) => row(frontier[0], None, Dominance::Extended),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str, cost: f64, outcome: f64) -> (String, Totals) {
        (name.into(), Totals { cost, outcome })
    }

    #[test]
    fn strict_and_extended_dominance_by_hand() {
        // A (0, 0), B (100, 0.5), C (200, 2), D (250, 1.5), E (600, 3).
        // D is strictly dominated by C (costs more, gives less). ICERs along A, B, C, E:
        // B vs A = 200, C vs B = 66.7 → B is extendedly dominated; then C vs A = 100, E vs C = 400.
        let rows = incremental(&[
            s("E", 600.0, 3.0),
            s("B", 100.0, 0.5),
            s("A", 0.0, 0.0),
            s("D", 250.0, 1.5),
            s("C", 200.0, 2.0),
        ]);
        let got: Vec<(&str, Option<&str>, Option<f64>, Dominance)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.vs.as_deref(), r.icer, r.dominance))
            .collect();
        assert_eq!(
            got,
            [
                ("A", None, None, Dominance::None),
                ("B", Some("A"), None, Dominance::Extended),
                ("C", Some("A"), Some(100.0), Dominance::None),
                ("D", Some("C"), None, Dominance::Strict),
                ("E", Some("C"), Some(400.0), Dominance::None),
            ]
        );
        assert_eq!(rows[3].delta_cost, Some(50.0));
        assert_eq!(rows[3].delta_outcome, Some(-0.5));
    }

    #[test]
    fn a_cheaper_and_better_strategy_dominates_and_is_the_reference() {
        let rows = incremental(&[s("old", 500.0, 1.0), s("new", 400.0, 2.0)]);
        assert_eq!(rows[0].name, "new");
        assert_eq!(rows[0].dominance, Dominance::None);
        assert_eq!(rows[1].dominance, Dominance::Strict);
        assert_eq!(rows[1].vs.as_deref(), Some("new"));
    }
}
