//! The model file (docs/scenarios.md): states, an initial distribution, cycles, strategies made of
//! phases with their transition matrices, state costs and state outcomes, and optional parameters
//! with distributions for the probabilistic analysis. Parsed from JSON, checked with errors that
//! name the place (`strategies[0].phases[1].transitions[2]`), and compiled into a [`Plan`] that
//! the engine evaluates for the base case or for one draw of the parameters.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Rows must sum to 1 within this.
pub const ROW_TOLERANCE: f64 = 1e-9;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub name: String,
    pub states: Vec<String>,
    pub initial: Vec<f64>,
    pub cycles: u32,
    pub cycle_length_years: f64,
    pub discount: Discount,
    #[serde(default)]
    pub half_cycle_correction: HalfCycle,
    pub strategies: Vec<StrategyFile>,
    /// Named parameters: a number, or a distribution (for the probabilistic analysis).
    #[serde(default)]
    pub parameters: BTreeMap<String, ParameterFile>,
    /// Willingness-to-pay values for the acceptability curve (per unit of outcome).
    #[serde(default)]
    pub willingness_to_pay: Option<Vec<f64>>,
    /// Free text: where the numbers come from (shown with the results).
    #[serde(default)]
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    /// Annual rates.
    pub costs: f64,
    pub outcomes: f64,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HalfCycle {
    #[default]
    None,
    Outcomes,
    Both,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyFile {
    pub name: String,
    pub phases: Vec<PhaseFile>,
    /// Places that are limited: see [`Capacity`].
    #[serde(default)]
    pub capacities: Vec<CapacityFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityFile {
    /// The state's name.
    pub state: String,
    /// The largest share of the cohort that the state can hold (places / people in the cohort).
    pub max_share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseFile {
    pub from_cycle: u32,
    pub to_cycle: u32,
    pub transitions: Vec<RowFile>,
    pub state_costs: Vec<CellFile>,
    pub state_outcomes: Vec<CellFile>,
}

/// A row of a transition matrix: its cells, or the name of a Dirichlet parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RowFile {
    Cells(Vec<CellFile>),
    Parameter(String),
}

/// A cell: a number, `"rest"` (one minus the other cells of its row), a parameter (`"name"`, or
/// `"name[k]"` for component k of a Dirichlet parameter), or a product or sum of these.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum CellFile {
    Number(f64),
    Name(String),
    Product { product: Vec<CellFile> },
    Sum { sum: Vec<CellFile> },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ParameterFile {
    Fixed(f64),
    Distribution(DistributionFile),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistributionFile {
    Beta {
        alpha: f64,
        beta: f64,
        value: Option<f64>,
    },
    /// Either `shape` and `scale`, or `mean` and `sd`.
    Gamma {
        shape: Option<f64>,
        scale: Option<f64>,
        mean: Option<f64>,
        sd: Option<f64>,
        value: Option<f64>,
    },
    LogNormal {
        meanlog: f64,
        sdlog: f64,
        value: Option<f64>,
    },
    Normal {
        mean: f64,
        sd: f64,
        value: Option<f64>,
    },
    Dirichlet {
        counts: Vec<f64>,
    },
}

/// A problem in a model file, at a place.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelError {
    /// Where: `strategies[0].phases[1].transitions[2]`, `parameters.p_relapse`...
    pub place: String,
    pub message: String,
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

fn err(place: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError {
        place: place.into(),
        message: message.into(),
    }
}

// ---------------------------------------------------------------- the compiled plan

/// A parameter's distribution, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    Fixed(f64),
    Beta { alpha: f64, beta: f64 },
    Gamma { shape: f64, scale: f64 },
    LogNormal { meanlog: f64, sdlog: f64 },
    Normal { mean: f64, sd: f64 },
    Dirichlet { counts: Vec<f64> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub distribution: Distribution,
    /// The base-case value(s): the given `value`, otherwise the distribution's mean.
    pub base: Vec<f64>,
    /// Where the parameter's values start in a draw's flat value vector.
    pub offset: usize,
}

/// A cell, resolved: constants and references into a draw's flat value vector.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Const(f64),
    Value(usize),
    Product(Vec<Cell>),
    Sum(Vec<Cell>),
    Rest,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub from_cycle: u32,
    pub to_cycle: u32,
    /// Row-major, states × states.
    pub transitions: Vec<Cell>,
    pub costs: Vec<Cell>,
    pub outcomes: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    pub name: String,
    pub phases: Vec<Phase>,
    pub capacities: Vec<Capacity>,
}

/// The most limited states a strategy can have.
pub const MOST_CAPACITIES: usize = 16;

/// A state with limited places: in a cycle where the moves would fill `state` beyond `max_share`
/// of the cohort, the moves into it from other states are cut in one proportion until it holds
/// `max_share`, and those who could not move stay where they were (they wait). Those already in
/// it are never moved out, so a state over its limit at the start only stops taking people in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capacity {
    pub state: usize,
    pub max_share: f64,
}

/// A checked model, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    pub states: Vec<String>,
    pub initial: Vec<f64>,
    pub cycles: u32,
    pub cycle_length_years: f64,
    pub discount: Discount,
    pub half_cycle: HalfCycle,
    pub strategies: Vec<Strategy>,
    pub parameters: Vec<Parameter>,
    /// The length of a draw's flat value vector.
    pub values: usize,
    pub willingness_to_pay: Option<Vec<f64>>,
    pub assumptions: Vec<String>,
}

impl Plan {
    /// The base-case values of every parameter, flat.
    pub fn base_values(&self) -> Vec<f64> {
        let mut v = vec![0.0; self.values];
        for p in &self.parameters {
            v[p.offset..p.offset + p.base.len()].copy_from_slice(&p.base);
        }
        v
    }

    /// Whether any parameter varies (a probabilistic analysis means something).
    pub fn has_uncertainty(&self) -> bool {
        self.parameters
            .iter()
            .any(|p| !matches!(p.distribution, Distribution::Fixed(_)))
    }
}

fn positive(place: &str, what: &str, v: f64) -> Result<f64, ModelError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(err(
            place,
            format!("`{what}` must be a positive number, not {v}"),
        ))
    }
}

fn parameter(name: &str, file: &ParameterFile, offset: usize) -> Result<Parameter, ModelError> {
    let place = format!("parameters.{name}");
    let valid_name = !name.is_empty()
        && name != "rest"
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(err(
            &place,
            "a parameter's name is letters, digits and _ (and not `rest`)",
        ));
    }
    let (distribution, mean, value) = match file {
        ParameterFile::Fixed(v) => {
            if !v.is_finite() {
                return Err(err(&place, "must be a finite number"));
            }
            (Distribution::Fixed(*v), vec![*v], None)
        }
        ParameterFile::Distribution(d) => match d {
            DistributionFile::Beta { alpha, beta, value } => {
                let a = positive(&place, "alpha", *alpha)?;
                let b = positive(&place, "beta", *beta)?;
                (
                    Distribution::Beta { alpha: a, beta: b },
                    vec![a / (a + b)],
                    *value,
                )
            }
            DistributionFile::Gamma {
                shape,
                scale,
                mean,
                sd,
                value,
            } => {
                let (k, theta) = match (shape, scale, mean, sd) {
                    (Some(k), Some(t), None, None) => (
                        positive(&place, "shape", *k)?,
                        positive(&place, "scale", *t)?,
                    ),
                    (None, None, Some(m), Some(s)) => {
                        let m = positive(&place, "mean", *m)?;
                        let s = positive(&place, "sd", *s)?;
                        ((m / s).powi(2), s * s / m)
                    }
                    _ => {
                        return Err(err(
                            &place,
                            "a gamma distribution takes `shape` and `scale`, or `mean` and `sd`",
                        ));
                    }
                };
                (
                    Distribution::Gamma {
                        shape: k,
                        scale: theta,
                    },
                    vec![k * theta],
                    *value,
                )
            }
            DistributionFile::LogNormal {
                meanlog,
                sdlog,
                value,
            } => {
                if !meanlog.is_finite() {
                    return Err(err(&place, "`meanlog` must be a finite number"));
                }
                let s = positive(&place, "sdlog", *sdlog)?;
                (
                    Distribution::LogNormal {
                        meanlog: *meanlog,
                        sdlog: s,
                    },
                    vec![(meanlog + s * s / 2.0).exp()],
                    *value,
                )
            }
            DistributionFile::Normal { mean, sd, value } => {
                if !mean.is_finite() {
                    return Err(err(&place, "`mean` must be a finite number"));
                }
                let s = positive(&place, "sd", *sd)?;
                (
                    Distribution::Normal { mean: *mean, sd: s },
                    vec![*mean],
                    *value,
                )
            }
            DistributionFile::Dirichlet { counts } => {
                if counts.len() < 2 {
                    return Err(err(
                        &place,
                        "a Dirichlet distribution needs two or more counts",
                    ));
                }
                for (k, c) in counts.iter().enumerate() {
                    positive(&format!("{place}.counts[{k}]"), "count", *c)?;
                }
                let total: f64 = counts.iter().sum();
                (
                    Distribution::Dirichlet {
                        counts: counts.clone(),
                    },
                    counts.iter().map(|c| c / total).collect(),
                    None,
                )
            }
        },
    };
    let base = match value {
        Some(v) if v.is_finite() => vec![v],
        Some(_) => return Err(err(&place, "`value` must be a finite number")),
        None => mean,
    };
    Ok(Parameter {
        name: name.to_owned(),
        distribution,
        base,
        offset,
    })
}

struct Names<'a>(&'a [Parameter]);

impl Names<'_> {
    /// `name` → its scalar; `name[k]` → component k of a vector parameter.
    fn resolve(&self, place: &str, text: &str) -> Result<Cell, ModelError> {
        if text == "rest" {
            return Ok(Cell::Rest);
        }
        let (name, index) = match text.strip_suffix(']').and_then(|t| t.split_once('[')) {
            Some((n, k)) => {
                let k: usize = k.parse().map_err(|_| {
                    err(place, format!("`{text}`: the index must be a whole number"))
                })?;
                (n, Some(k))
            }
            None => (text, None),
        };
        let p = self
            .0
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| err(place, format!("unknown parameter `{name}`")))?;
        match (index, p.base.len()) {
            (None, 1) => Ok(Cell::Value(p.offset)),
            (None, n) => Err(err(
                place,
                format!(
                    "`{name}` has {n} values: use `{name}[0]`…`{name}[{}]`, or the name as a whole row",
                    n - 1
                ),
            )),
            (Some(k), n) if k < n => Ok(Cell::Value(p.offset + k)),
            (Some(k), n) => Err(err(
                place,
                format!("`{name}[{k}]`: `{name}` has {n} values (0–{})", n - 1),
            )),
        }
    }

    fn cell(&self, place: &str, c: &CellFile, rest_allowed: bool) -> Result<Cell, ModelError> {
        match c {
            CellFile::Number(v) if v.is_finite() => Ok(Cell::Const(*v)),
            CellFile::Number(_) => Err(err(place, "must be a finite number")),
            CellFile::Name(n) => match self.resolve(place, n)? {
                Cell::Rest if !rest_allowed => Err(err(place, "`rest` is only for a transition")),
                cell => Ok(cell),
            },
            CellFile::Product { product } if !product.is_empty() => Ok(Cell::Product(
                product
                    .iter()
                    .enumerate()
                    .map(|(k, c)| self.cell(&format!("{place}.product[{k}]"), c, false))
                    .collect::<Result<_, _>>()?,
            )),
            CellFile::Product { .. } => Err(err(place, "a product needs at least one factor")),
            CellFile::Sum { sum } if !sum.is_empty() => Ok(Cell::Sum(
                sum.iter()
                    .enumerate()
                    .map(|(k, c)| self.cell(&format!("{place}.sum[{k}]"), c, false))
                    .collect::<Result<_, _>>()?,
            )),
            CellFile::Sum { .. } => Err(err(place, "a sum needs at least one term")),
        }
    }
}

/// Checks a model file and compiles it. Every transition matrix is also checked at its base-case
/// values: rows summing to 1 within 1e-9 and no negative probability.
pub fn compile(m: &ModelFile) -> Result<Plan, ModelError> {
    let n = m.states.len();
    if n == 0 {
        return Err(err("states", "a model needs at least one state"));
    }
    for (k, s) in m.states.iter().enumerate() {
        if s.trim().is_empty() {
            return Err(err(format!("states[{k}]"), "a state needs a name"));
        }
        if m.states[..k].contains(s) {
            return Err(err(format!("states[{k}]"), format!("`{s}` is named twice")));
        }
    }
    if m.initial.len() != n {
        return Err(err(
            "initial",
            format!("has {} values for {n} states", m.initial.len()),
        ));
    }
    for (k, v) in m.initial.iter().enumerate() {
        if !v.is_finite() || *v < 0.0 {
            return Err(err(
                format!("initial[{k}]"),
                format!("{v} is not a share (0–1)"),
            ));
        }
    }
    let total: f64 = m.initial.iter().sum();
    if (total - 1.0).abs() > ROW_TOLERANCE {
        return Err(err("initial", format!("sums to {total}, not 1")));
    }
    if m.cycles == 0 {
        return Err(err("cycles", "must be 1 or more"));
    }
    if !(m.cycle_length_years.is_finite() && m.cycle_length_years > 0.0) {
        return Err(err("cycle_length_years", "must be a positive number"));
    }
    for (what, r) in [
        ("discount.costs", m.discount.costs),
        ("discount.outcomes", m.discount.outcomes),
    ] {
        if !(r.is_finite() && r > -1.0) {
            return Err(err(what, "must be a rate above −1 (0.03 for 3 %)"));
        }
    }
    if m.strategies.is_empty() {
        return Err(err("strategies", "a model needs at least one strategy"));
    }
    // Parameters, in name order, each with its place in a draw's values.
    let mut parameters = Vec::new();
    let mut offset = 0;
    for (name, file) in &m.parameters {
        let p = parameter(name, file, offset)?;
        offset += p.base.len();
        parameters.push(p);
    }
    let names = Names(&parameters);
    let mut strategies = Vec::new();
    for (si, s) in m.strategies.iter().enumerate() {
        let sp = format!("strategies[{si}]");
        if s.name.trim().is_empty() {
            return Err(err(format!("{sp}.name"), "a strategy needs a name"));
        }
        if m.strategies[..si].iter().any(|o| o.name == s.name) {
            return Err(err(
                format!("{sp}.name"),
                format!("`{}` is named twice", s.name),
            ));
        }
        if s.phases.is_empty() {
            return Err(err(
                format!("{sp}.phases"),
                "a strategy needs at least one phase",
            ));
        }
        let mut phases = Vec::new();
        for (pi, ph) in s.phases.iter().enumerate() {
            let pp = format!("{sp}.phases[{pi}]");
            if ph.from_cycle < 1 || ph.to_cycle < ph.from_cycle || ph.to_cycle > m.cycles {
                return Err(err(
                    &pp,
                    format!(
                        "cycles {}–{} are not within 1–{}",
                        ph.from_cycle, ph.to_cycle, m.cycles
                    ),
                ));
            }
            if ph.transitions.len() != n {
                return Err(err(
                    format!("{pp}.transitions"),
                    format!("has {} rows for {n} states", ph.transitions.len()),
                ));
            }
            let mut cells = Vec::with_capacity(n * n);
            for (ri, row) in ph.transitions.iter().enumerate() {
                let rp = format!("{pp}.transitions[{ri}]");
                match row {
                    RowFile::Cells(list) => {
                        if list.len() != n {
                            return Err(err(
                                &rp,
                                format!("has {} values for {n} states", list.len()),
                            ));
                        }
                        let mut rests = 0;
                        for (ci, c) in list.iter().enumerate() {
                            let cell = names.cell(&format!("{rp}[{ci}]"), c, true)?;
                            rests += usize::from(cell == Cell::Rest);
                            cells.push(cell);
                        }
                        if rests > 1 {
                            return Err(err(&rp, "at most one `rest` in a row"));
                        }
                    }
                    RowFile::Parameter(name) => {
                        let p = parameters
                            .iter()
                            .find(|p| &p.name == name)
                            .ok_or_else(|| err(&rp, format!("unknown parameter `{name}`")))?;
                        if !matches!(p.distribution, Distribution::Dirichlet { .. })
                            || p.base.len() != n
                        {
                            return Err(err(
                                &rp,
                                format!("`{name}` is not a Dirichlet parameter with {n} counts"),
                            ));
                        }
                        cells.extend((0..n).map(|k| Cell::Value(p.offset + k)));
                    }
                }
            }
            let vector = |what: &str, list: &[CellFile]| -> Result<Vec<Cell>, ModelError> {
                if list.len() != n {
                    return Err(err(
                        format!("{pp}.{what}"),
                        format!("has {} values for {n} states", list.len()),
                    ));
                }
                list.iter()
                    .enumerate()
                    .map(|(k, c)| names.cell(&format!("{pp}.{what}[{k}]"), c, false))
                    .collect()
            };
            phases.push(Phase {
                from_cycle: ph.from_cycle,
                to_cycle: ph.to_cycle,
                transitions: cells,
                costs: vector("state_costs", &ph.state_costs)?,
                outcomes: vector("state_outcomes", &ph.state_outcomes)?,
            });
        }
        // Every cycle covered exactly once.
        let mut covered = vec![None::<usize>; m.cycles as usize + 1];
        for (pi, ph) in phases.iter().enumerate() {
            for t in ph.from_cycle..=ph.to_cycle {
                if let Some(other) = covered[t as usize] {
                    return Err(err(
                        format!("{sp}.phases[{pi}]"),
                        format!("cycle {t} is also in phases[{other}]"),
                    ));
                }
                covered[t as usize] = Some(pi);
            }
        }
        if let Some(t) = (1..=m.cycles).find(|t| covered[*t as usize].is_none()) {
            return Err(err(
                format!("{sp}.phases"),
                format!("no phase covers cycle {t}"),
            ));
        }
        phases.sort_by_key(|p| p.from_cycle);
        let mut capacities: Vec<Capacity> = Vec::new();
        if s.capacities.len() > MOST_CAPACITIES {
            return Err(err(
                format!("{sp}.capacities"),
                format!("has {}; at most {MOST_CAPACITIES}", s.capacities.len()),
            ));
        }
        for (ci, c) in s.capacities.iter().enumerate() {
            let place = format!("{sp}.capacities[{ci}]");
            let Some(state) = m.states.iter().position(|x| *x == c.state) else {
                return Err(err(
                    format!("{place}.state"),
                    format!("{:?} is not one of the states", c.state),
                ));
            };
            if !(0.0..=1.0).contains(&c.max_share) {
                return Err(err(
                    format!("{place}.max_share"),
                    format!("is {}, not a share 0–1", c.max_share),
                ));
            }
            if capacities.iter().any(|x| x.state == state) {
                return Err(err(
                    format!("{place}.state"),
                    format!("{:?} has a capacity already", c.state),
                ));
            }
            capacities.push(Capacity {
                state,
                max_share: c.max_share,
            });
        }
        strategies.push(Strategy {
            name: s.name.clone(),
            phases,
            capacities,
        });
    }
    let plan = Plan {
        name: m.name.clone(),
        states: m.states.clone(),
        initial: m.initial.clone(),
        cycles: m.cycles,
        cycle_length_years: m.cycle_length_years,
        discount: m.discount,
        half_cycle: m.half_cycle_correction,
        strategies,
        values: offset,
        parameters,
        willingness_to_pay: m.willingness_to_pay.clone(),
        assumptions: m.assumptions.clone(),
    };
    if let Some(w) = &plan.willingness_to_pay
        && let Some(k) = w.iter().position(|v| !v.is_finite() || *v < 0.0)
    {
        return Err(err(format!("willingness_to_pay[{k}]"), "must be 0 or more"));
    }
    // The base case must be a valid model; a draw is checked when it is run.
    let base = plan.base_values();
    let mut scratch = super::cohort::Matrices::new(n);
    for (si, s) in plan.strategies.iter().enumerate() {
        for (pi, ph) in s.phases.iter().enumerate() {
            scratch.fill(ph, &base, n).map_err(|(row, msg)| {
                err(
                    format!("strategies[{si}].phases[{pi}].transitions[{row}]"),
                    msg,
                )
            })?;
        }
    }
    Ok(plan)
}

/// Parses and compiles a model file's text; a JSON error names its line and column.
pub fn parse(text: &str) -> Result<Plan, ModelError> {
    let file: ModelFile = serde_json::from_str(text).map_err(|e| {
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = e.to_string();
        err(
            format!("line {}, column {}", e.line(), e.column()),
            message.strip_suffix(&suffix).unwrap_or(&message),
        )
    })?;
    compile(&file)
}
