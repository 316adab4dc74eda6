//! The unit head's "what if": the municipality's care-pathway model estimated from its own records
//! (`scenario::pathway`), a lever applied, both strategies run with their uncertainty, shown as a
//! page with tables and charts and the assumptions listed. Aggregates only.

use std::collections::BTreeMap;

use askama::Template;
use chrono::NaiveDate;
use vaka_domain::ids::MunicipalityId;
use vaka_domain::scenario::pathway::{self, Estimate, Lever, MonthlyCost, Outcome, Situation};
use vaka_domain::scenario::{Simulation, compare::Dominance};
use vaka_domain::stats::costs::care_days;
use vaka_store::{StoreError, Tx};

use crate::i18n::{Lang, Tr};

/// Years of history the pathways are estimated from.
pub const HISTORY_YEARS: i32 = 5;

/// What the estimate is made from, read in the caller's read transaction.
pub struct Pathways {
    pub municipality: String,
    pub estimate: Estimate,
    pub costs: BTreeMap<Situation, MonthlyCost>,
}

pub async fn load(
    tx: &mut Tx,
    municipality: MunicipalityId,
    as_of: NaiveDate,
) -> Result<Pathways, StoreError> {
    let from = as_of
        .with_year(chrono::Datelike::year(&as_of) - HISTORY_YEARS)
        .unwrap_or(as_of);
    let loaded = crate::reports::load(tx, municipality, from, as_of, as_of).await?;
    let housing = vaka_store::measures::housing_reports(tx, municipality).await?;
    let deaths = vaka_store::measures::deaths(tx, municipality).await?;
    let estimate = pathway::estimate(
        &pathway::Records {
            episodes: &loaded.episodes,
            relapses: &loaded.relapses,
            housing: &housing,
            deaths: &deaths,
        },
        from,
        as_of,
    );
    let placed: Vec<_> = loaded
        .episodes
        .iter()
        .zip(&loaded.costs_ore)
        .map(|(e, c)| (e, *c, care_days(e, from, as_of, as_of)))
        .collect();
    Ok(Pathways {
        municipality: loaded.municipality,
        estimate,
        costs: pathway::monthly_costs(&placed),
    })
}

use chrono::Datelike as _;

/// The form's choices, as the query string has them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Choice {
    pub years: Option<u32>,
    pub outcome: Option<String>,
    /// `none`, `price`, `move` or `capacity`.
    pub lever: Option<String>,
    pub situation: Option<String>,
    /// Percent of the price today.
    pub price: Option<f64>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Percent of the moves.
    pub share: Option<f64>,
    /// Places at most (the capacity lever); text, as the form sends it empty for other levers.
    pub places: Option<String>,
    pub draws: Option<u32>,
    pub seed: Option<u64>,
    pub format: Option<String>,
}

/// The choices, checked: (years, outcome, lever, draws, seed) or the field that is wrong.
pub fn checked(c: &Choice) -> Result<(u32, Outcome, Option<Lever>, u32, u64), &'static str> {
    let years = c.years.unwrap_or(5);
    if !(1..=10).contains(&years) {
        return Err("years");
    }
    let outcome = match c.outcome.as_deref().unwrap_or("stable_years") {
        "stable_years" => Outcome::StableYears,
        "years_without_active_use" => Outcome::YearsWithoutActiveUse,
        _ => return Err("outcome"),
    };
    let situation = |v: &Option<String>, field| {
        v.as_deref()
            .and_then(|s| s.parse::<Situation>().ok())
            .ok_or(field)
    };
    let lever = match c.lever.as_deref().unwrap_or("move") {
        "none" => None,
        "price" => {
            let s = situation(
                &Some(c.situation.clone().unwrap_or("supported_housing".into())),
                "situation",
            )?;
            if !s.is_care() {
                return Err("situation");
            }
            let p = c.price.unwrap_or(100.0);
            if !(p.is_finite() && p > 0.0 && p <= 1000.0) {
                return Err("price");
            }
            Some(Lever::Price {
                situation: s,
                factor: p / 100.0,
            })
        }
        "move" => {
            let or = |v: &Option<String>, default: &str| Some(v.clone().unwrap_or(default.into()));
            let from = situation(&or(&c.from, "supported_housing"), "from")?;
            let to = situation(&or(&c.to, "case_management"), "to")?;
            if !from.is_care() || to == Situation::Dead || from == to {
                return Err("to");
            }
            let share = c.share.unwrap_or(100.0);
            if !(share.is_finite() && share > 0.0 && share <= 100.0) {
                return Err("share");
            }
            Some(Lever::Move {
                from,
                to,
                share: share / 100.0,
            })
        }
        "capacity" => {
            let s = situation(
                &Some(c.situation.clone().unwrap_or("supported_housing".into())),
                "situation",
            )?;
            if !s.is_care() {
                return Err("situation");
            }
            let places = c
                .places
                .as_deref()
                .map(str::trim)
                .and_then(|p| p.parse::<u32>().ok())
                .filter(|p| *p <= 100_000)
                .ok_or("places")?;
            Some(Lever::Capacity {
                situation: s,
                places,
            })
        }
        _ => return Err("lever"),
    };
    let draws = c.draws.unwrap_or(1000);
    if !(100..=10_000).contains(&draws) {
        return Err("draws");
    }
    Ok((years, outcome, lever, draws, c.seed.unwrap_or(1)))
}

pub struct Opt {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct ResultRow {
    pub name: String,
    pub cost: String,
    pub cost_interval: String,
    pub outcome: String,
    pub outcome_interval: String,
}

pub struct IncRow {
    pub name: String,
    pub text: String,
}

pub struct MatrixRow {
    pub label: &'static str,
    pub cells: Vec<String>,
    pub total: u64,
}

#[derive(Template)]
#[template(path = "scenario.html")]
pub struct ScenarioPage {
    /// The page's language; the PDF and the committee report are built in Swedish.
    pub t: Tr,
    pub title: String,
    pub years: u32,
    pub draws: u32,
    pub seed: u64,
    pub price: String,
    pub share: String,
    pub places: String,
    /// The committee report with this scenario as its last sections.
    pub committee_link: String,
    pub outcomes: Vec<Opt>,
    pub levers: Vec<Opt>,
    pub care: Vec<Opt>,
    pub situations_from: Vec<Opt>,
    pub situations_to: Vec<Opt>,
    pub error: Option<String>,
    pub outcome_label: String,
    pub rows: Vec<ResultRow>,
    pub incremental: Vec<IncRow>,
    pub plane_svg: String,
    pub ceac_svg: String,
    pub assumptions: Vec<String>,
    pub states: Vec<&'static str>,
    pub matrix: Vec<MatrixRow>,
    pub costs: Vec<(String, String)>,
    pub query: String,
    pub people: u64,
}

fn kr(v: f64) -> String {
    vaka_domain::money::Money(((v * 100.0).round()) as i64 / 100 * 100).to_string()
}

fn years_text(v: f64) -> String {
    format!("{v:.2}").replace('.', ",")
}

fn options(values: &[(&'static str, &'static str)], selected: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|(v, l)| Opt {
            value: v,
            label: l,
            selected: *v == selected,
        })
        .collect()
}

/// The page: the form, and the results when the run succeeded, in `t`'s language (the strategy
/// names and assumptions come from the model, in Swedish).
pub fn page(
    t: Tr,
    p: &Pathways,
    c: &Choice,
    outcome: Outcome,
    sim: Option<&Simulation>,
    error: Option<String>,
    query: String,
) -> ScenarioPage {
    let all: Vec<(&'static str, &'static str)> = Situation::ALL
        .iter()
        .map(|s| (s.as_str(), t.pick(s.label())))
        .collect();
    let care: Vec<(&'static str, &'static str)> = Situation::ALL
        .iter()
        .filter(|s| s.is_care())
        .map(|s| (s.as_str(), t.pick(s.label())))
        .collect();
    let alive: Vec<(&'static str, &'static str)> =
        all.iter().copied().filter(|(v, _)| *v != "dead").collect();
    let outcome_label = t.pick(outcome.label()).to_owned();
    let mut rows = Vec::new();
    let mut incremental = Vec::new();
    let (mut plane_svg, mut ceac_svg) = (String::new(), String::new());
    let mut assumptions = Vec::new();
    if let Some(sim) = sim {
        for (k, s) in sim.strategies.iter().enumerate() {
            let psa = sim.psa.as_ref().and_then(|p| p.strategies.get(k));
            rows.push(ResultRow {
                name: s.name.clone(),
                cost: kr(s.cost),
                cost_interval: psa.map_or_else(String::new, |x| {
                    format!("{} – {}", kr(x.cost.lower), kr(x.cost.upper))
                }),
                outcome: years_text(s.outcome),
                outcome_interval: psa.map_or_else(String::new, |x| {
                    format!(
                        "{} – {}",
                        years_text(x.outcome.lower),
                        years_text(x.outcome.upper)
                    )
                }),
            });
        }
        for r in &sim.incremental {
            let text = match (r.dominance, &r.vs) {
                (_, None) => t.p("jämförelsealternativ", "comparator").to_owned(),
                (Dominance::Strict, Some(vs)) => format!(
                    "{} {vs} ({}, {} {})",
                    t.p("dyrare och ger mindre än", "costs more and gives less than"),
                    kr(r.delta_cost.unwrap_or(0.0)),
                    years_text(r.delta_outcome.unwrap_or(0.0)),
                    outcome_label
                ),
                (Dominance::Extended, Some(vs)) => format!(
                    "{} {vs})",
                    t.p(
                        "utökat dominerat (jämfört med",
                        "extendedly dominated (compared with"
                    )
                ),
                (Dominance::None, Some(vs)) => format!(
                    "{} {} {} {} {} {vs}: {} {}",
                    kr(r.delta_cost.unwrap_or(0.0)),
                    t.p("mer och", "more and"),
                    years_text(r.delta_outcome.unwrap_or(0.0)),
                    outcome_label,
                    t.p("mer än", "more than"),
                    r.icer.map_or("–".into(), kr),
                    t.p("per vunnet år", "per year gained"),
                ),
            };
            incremental.push(IncRow {
                name: r.name.clone(),
                text,
            });
        }
        if let Some(psa) = &sim.psa {
            for r in &psa.incremental {
                incremental.push(IncRow {
                    name: format!("{} ({})", r.name, t.p("osäkerhet", "uncertainty")),
                    text: format!(
                        "{} {} (95 % {} – {}), {} {} ({} – {}); {} {:.0} % {} {:.0} % {} {} {}",
                        t.p("skillnad i kostnad", "difference in cost"),
                        kr(r.delta_cost.mean),
                        kr(r.delta_cost.lower),
                        kr(r.delta_cost.upper),
                        t.p("i utfall", "in outcome"),
                        years_text(r.delta_outcome.mean),
                        years_text(r.delta_outcome.lower),
                        years_text(r.delta_outcome.upper),
                        t.p("billigare i", "cheaper in"),
                        r.probability_cheaper * 100.0,
                        t.p("och bättre i", "and better in"),
                        r.probability_more_effective * 100.0,
                        t.p("av", "of"),
                        psa.draws,
                        t.p("dragningar", "draws"),
                    ),
                });
            }
        }
        plane_svg = crate::scenario_charts::ce_plane(sim, &outcome_label).unwrap_or_default();
        ceac_svg = crate::scenario_charts::acceptability(sim, &outcome_label).unwrap_or_default();
        assumptions = sim.assumptions.clone();
    }
    let est = &p.estimate;
    let matrix = Situation::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let total: u64 = est.counts[i].iter().sum();
            MatrixRow {
                label: t.pick(s.label()),
                cells: est.counts[i]
                    .iter()
                    .map(|n| {
                        if total == 0 {
                            "–".into()
                        } else {
                            format!("{:.0} %", *n as f64 / total as f64 * 100.0)
                        }
                    })
                    .collect(),
                total,
            }
        })
        .collect();
    let costs = p
        .costs
        .iter()
        .map(|(s, c)| {
            (
                t.pick(s.label()).to_owned(),
                format!(
                    "{}/{} (± {}; {} {})",
                    kr(c.mean),
                    t.p("månad", "month"),
                    kr(1.96 * c.std_err),
                    c.placements,
                    t.p("placeringar", "placements")
                ),
            )
        })
        .collect();
    ScenarioPage {
        t,
        title: format!(
            "{} {}",
            t.p("Tänk om: vårdkedjan i", "What if: the care pathway in"),
            p.municipality
        ),
        years: c.years.unwrap_or(5),
        draws: c.draws.unwrap_or(1000),
        seed: c.seed.unwrap_or(1),
        price: format!("{}", c.price.unwrap_or(100.0)),
        share: format!("{}", c.share.unwrap_or(100.0)),
        places: c.places.clone().unwrap_or_default(),
        outcomes: options(
            &[
                (
                    "stable_years",
                    t.p("År i eget boende, stabil", "Years stable in own housing"),
                ),
                (
                    "years_without_active_use",
                    t.p("År utan aktivt bruk", "Years without active use"),
                ),
            ],
            c.outcome.as_deref().unwrap_or("stable_years"),
        ),
        levers: options(
            &[
                (
                    "move",
                    t.p(
                        "Flytta insatser från en form till en annan (100 % = stäng formen)",
                        "Move interventions from one form to another (100 % = close the form)",
                    ),
                ),
                (
                    "price",
                    t.p("Ändra priset för en form", "Change the price of a form"),
                ),
                (
                    "capacity",
                    t.p(
                        "Begränsa antalet platser i en form (den som inte får plats väntar)",
                        "Limit the places in a form (whoever does not get one waits)",
                    ),
                ),
                ("none", t.p("Bara som i dag", "Only as today")),
            ],
            c.lever.as_deref().unwrap_or("move"),
        ),
        care: options(&care, c.situation.as_deref().unwrap_or("supported_housing")),
        situations_from: options(&care, c.from.as_deref().unwrap_or("supported_housing")),
        situations_to: options(&alive, c.to.as_deref().unwrap_or("case_management")),
        error,
        outcome_label,
        rows,
        incremental,
        plane_svg,
        ceac_svg,
        assumptions,
        states: Situation::ALL.iter().map(|s| t.pick(s.label())).collect(),
        matrix,
        costs,
        committee_link: format!(
            "/reports/committee?scenario={}",
            form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
        ),
        query,
        people: est.people,
    }
}

/// Runs the scenario of `c` on the municipality's pathways: the page with its results, or the
/// field that is wrong. CPU-bound: call it off the async workers.
pub fn run(p: &Pathways, c: &Choice, query: String) -> Result<ScenarioPage, String> {
    let (years, outcome, lever, draws, seed) = checked(c).map_err(|field| {
        format!(
            "Fältet `{field}` har ett ogiltigt värde. / The field `{field}` has an invalid value."
        )
    })?;
    let file = pathway::model(
        &p.municipality,
        &p.estimate,
        &p.costs,
        years,
        outcome,
        lever,
    );
    let plan = vaka_domain::scenario::model::parse(&file.to_string()).map_err(|e| e.to_string())?;
    let sim = vaka_domain::scenario::simulate(&plan, Some((draws, seed)), 2, false)
        .map_err(|e| e.to_string())?;
    Ok(page(
        Tr::new(Lang::Sv),
        p,
        c,
        outcome,
        Some(&sim),
        None,
        query,
    ))
}

/// A scenario given as the scenario page's query string (`lever=price&situation=…`), run on the
/// municipality's records, as sections for the committee report (`vaka report committee
/// --scenario`). An invalid query is an error naming the field.
pub async fn committee_scenario(
    store: &vaka_store::Store,
    municipality: MunicipalityId,
    as_of: NaiveDate,
    query: &str,
) -> Result<Vec<vaka_report::DocSection>, String> {
    let choice: Choice =
        serde_urlencoded::from_str(query).map_err(|e| format!("--scenario: {e}"))?;
    checked(&choice)
        .map_err(|field| format!("--scenario: the field `{field}` has an invalid value"))?;
    let mut tx = store.begin_read().await.map_err(|e| e.to_string())?;
    let pathways = load(&mut tx, municipality, as_of)
        .await
        .map_err(|e| e.to_string())?;
    tx.rollback().await.map_err(|e| e.to_string())?;
    let query = query.to_owned();
    tokio::task::spawn_blocking(move || {
        run(&pathways, &choice, query).map(|page| committee_sections(&page, "Scenario: "))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// The scenario as sections of the committee report (the same as in its own PDF), each heading
/// prefixed with `prefix`.
pub fn committee_sections(p: &ScenarioPage, prefix: &str) -> Vec<vaka_report::DocSection> {
    let mut all = sections(p);
    for s in &mut all {
        s.heading = format!("{prefix}{}", s.heading);
    }
    if let Some(first) = all.first_mut() {
        first.paragraphs.insert(
            0,
            format!(
                "{}. Vad det skulle kosta och ge, med osäkerheten, byggt på kommunens egna uppgifter (metod: docs/scenarios.md).",
                p.title
            ),
        );
    }
    all
}

/// The scenario as a PDF in the committee report's form, for the committee's papers: the same
/// tables, charts and assumptions as the page.
pub fn scenario_pdf(p: &ScenarioPage) -> Result<Vec<u8>, String> {
    vaka_report::report_pdf(&vaka_report::Doc {
        title: p.title.clone(),
        lead: "Ett scenario ur Vaka: vad det skulle kosta och ge, med osäkerheten, byggt på kommunens egna uppgifter. \
               Inga personuppgifter."
            .into(),
        footer: p.title.clone(),
        note: "Metod: docs/scenarios.md (kohortmodell med månadscykler, sannolikhetsbaserad känslighetsanalys).".into(),
        sections: sections(p),
    })
}

/// The results, charts, assumptions and the counts behind them, as report sections.
fn sections(p: &ScenarioPage) -> Vec<vaka_report::DocSection> {
    use vaka_report::{DocSection, DocTable};
    let head = |h: &[&str]| h.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut sections = vec![DocSection {
        heading: format!("Resultat över {} år", p.years),
        paragraphs: std::iter::once(format!(
            "Diskonterade kostnader för kommunens insatser och {} per person (medel och 95 % intervall ur {} dragningar).",
            p.outcome_label, p.draws
        ))
        .chain(p.incremental.iter().map(|r| format!("{}: {}", r.name, r.text)))
        .collect(),
        svg: None,
        table: Some(DocTable {
                text: false,
            head: head(&["Alternativ", "Kostnad per person", "95 % intervall", &p.outcome_label, "95 % intervall"]),
            rows: p
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.cost.clone(),
                        r.cost_interval.clone(),
                        r.outcome.clone(),
                        r.outcome_interval.clone(),
                    ]
                })
                .collect(),
        }),
    }];
    if !p.plane_svg.is_empty() {
        sections.push(DocSection {
            heading: "Kostnadseffektivitetsplanet".into(),
            paragraphs: vec![
                "Varje punkt är en dragning: merkostnad (uppåt) mot mer utfall (höger), jämfört med det billigaste alternativet."
                    .into(),
            ],
            svg: Some(p.plane_svg.clone()),
            table: None,
        });
        sections.push(DocSection {
            heading: "Hur säkert är det bästa valet?".into(),
            paragraphs: vec![format!(
                "Andelen dragningar där varje alternativ ger mest för pengarna, efter hur mycket kommunen är beredd att betala för ett vunnet år ({}).",
                p.outcome_label
            )],
            svg: Some(p.ceac_svg.clone()),
            table: None,
        });
    }
    sections.push(DocSection {
        heading: "Antaganden".into(),
        paragraphs: p.assumptions.clone(),
        svg: None,
        table: None,
    });
    sections.push(DocSection {
        heading: "Underlaget: så rör sig personerna i dag".into(),
        paragraphs: vec![format!(
            "Andel som en månad senare är i varje läge (rader: läget nu; {} personer).",
            p.people
        )],
        svg: None,
        table: Some(DocTable {
            text: false,
            head: std::iter::once("Från \\ till".to_owned())
                .chain(p.states.iter().map(|s| (*s).to_owned()))
                .collect(),
            rows: p
                .matrix
                .iter()
                .map(|m| {
                    std::iter::once(m.label.to_owned())
                        .chain(m.cells.iter().cloned())
                        .collect()
                })
                .collect(),
        }),
    });
    sections
}
