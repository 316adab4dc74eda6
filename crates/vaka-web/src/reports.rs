//! The social committee's report: loaded from the store, composed by the domain
//! (`stats::report`), and drawn as HTML with SVG charts, each with its numbers in a table beside it.
//! Used by `vaka report committee` and the `/reports/committee` page.

use askama::Template;
use chrono::NaiveDate;
use std::collections::HashMap;
use vaka_domain::ids::MunicipalityId;
use vaka_domain::money::Money;

use vaka_domain::stats::adjusted::Person;
use vaka_domain::stats::costs::{self, Bucket};
use vaka_domain::stats::measures::{DecisionMade, Episode, Shown, TwelveMonths};
use vaka_domain::stats::report::{self, CommitteeReport};
use vaka_store::{Store, StoreError, Tx, placements};

/// Everything the evidence measures are made from, read in one read transaction: pseudonymous
/// (client ids, never names or numbers), and only aggregates leave the domain.
pub struct Loaded {
    pub municipality: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub episodes: Vec<Episode>,
    pub relapses: Vec<(i64, NaiveDate)>,
    pub costs_ore: Vec<i64>,
    pub buckets: Vec<Bucket>,
    pub bucket_costs_ore: Vec<Vec<i64>>,
    pub decisions: Vec<DecisionMade>,
    pub providers: Vec<(i64, String)>,
    pub people: HashMap<i64, Person>,
    pub twelve_months: Vec<TwelveMonths>,
    pub closed_cases: Vec<vaka_domain::stats::closures::ClosedCase>,
    pub finished_goals: Vec<vaka_domain::stats::goals::FinishedGoal>,
    pub open_cases: Vec<vaka_domain::stats::goals::OpenCase>,
    pub risk_reports: Vec<vaka_domain::stats::risks::RiskReport>,
    pub answered: Vec<vaka_domain::stats::handling::Answered>,
}

impl Loaded {
    pub fn inputs(&self) -> report::Inputs<'_> {
        report::Inputs {
            municipality: &self.municipality,
            from: self.from,
            to: self.to,
            as_of: self.as_of,
            episodes: &self.episodes,
            relapses: &self.relapses,
            costs_ore: &self.costs_ore,
            buckets: &self.buckets,
            bucket_costs_ore: &self.bucket_costs_ore,
            decisions: &self.decisions,
            providers: &self.providers,
            people: &self.people,
            twelve_months: &self.twelve_months,
            closed_cases: &self.closed_cases,
            finished_goals: &self.finished_goals,
            open_cases: &self.open_cases,
            risk_reports: &self.risk_reports,
            answered: &self.answered,
        }
    }
}

pub async fn load(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> Result<Loaded, StoreError> {
    let name = vaka_store::municipalities::name(tx, municipality).await?;
    let (first, last) = (
        NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(from),
        NaiveDate::from_ymd_opt(2200, 12, 31).unwrap_or(to),
    );
    let all = placements::in_municipality(tx, municipality, first, last).await?;
    let changes = placements::price_changes_in_municipality(tx, municipality, first, last).await?;
    let rule = vaka_store::settings::day_count(tx, municipality).await?;
    let episodes: Vec<Episode> = all
        .iter()
        .map(|p| Episode {
            client: p.client_id.0,
            intervention: p.intervention,
            provider: p.provider_id.map(|x| x.0),
            start: p.start,
            end: p.end,
            end_reason: p.end_reason,
        })
        .collect();
    let buckets = costs::buckets(from, to);
    let stays: Vec<_> = all
        .iter()
        .map(|p| placements::stay(p, changes.get(&p.id.0).map_or(&[][..], Vec::as_slice)))
        .collect();
    let costs_ore = stays
        .iter()
        .map(|s| s.cost_between(rule, from, to, as_of.min(to)).cost.0)
        .collect();
    let bucket_costs_ore = stays
        .iter()
        .zip(&episodes)
        .map(|(s, e)| {
            buckets
                .iter()
                .map(|b| {
                    // Only the stretches the placement overlaps cost anything.
                    if e.start > b.to || e.end.is_some_and(|x| x < b.from) {
                        0
                    } else {
                        s.cost_between(rule, b.from, b.to, as_of.min(b.to)).cost.0
                    }
                })
                .collect()
        })
        .collect();
    let providers = vaka_store::providers::list(tx, municipality)
        .await?
        .into_iter()
        .map(|p| (p.id.0, p.name))
        .collect();
    Ok(Loaded {
        municipality: name,
        from,
        to,
        as_of,
        relapses: vaka_store::measures::relapses(tx, municipality).await?,
        decisions: vaka_store::measures::decisions(tx, municipality, from, to).await?,
        people: vaka_store::measures::people(tx, municipality).await?,
        twelve_months: vaka_store::measures::twelve_months(tx, municipality, from, to).await?,
        closed_cases: vaka_store::measures::closed_cases(tx, municipality, from, to).await?,
        finished_goals: vaka_store::measures::finished_goals(tx, municipality, from, to).await?,
        open_cases: vaka_store::measures::open_cases_on(tx, municipality, to.min(as_of)).await?,
        risk_reports: vaka_store::measures::risk_reports(tx, municipality, from, to).await?,
        answered: vaka_store::measures::answered(tx, municipality, from, to).await?,
        episodes,
        costs_ore,
        buckets,
        bucket_costs_ore,
        providers,
    })
}

/// The committee report from the store, in the caller's read transaction.
pub async fn committee(
    tx: &mut Tx,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> Result<CommitteeReport, StoreError> {
    let loaded = load(tx, municipality, from, to, as_of).await?;
    Ok(report::committee(&loaded.inputs()))
}

/// Opens a read transaction on `store` for [`committee`] (the CLI has no user to log).
pub async fn committee_from_store(
    store: &Store,
    municipality: MunicipalityId,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> Result<CommitteeReport, StoreError> {
    let mut tx = store.begin_read().await?;
    let r = committee(&mut tx, municipality, from, to, as_of).await?;
    tx.rollback().await?;
    Ok(r)
}

// ---------------------------------------------------------------- drawing

const W: f64 = 640.0;
const H: f64 = 280.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;

pub struct CurveView {
    pub class: String,
    pub colour: &'static str,
    pub label: String,
    pub line: String,
    pub band: String,
}

/// One colour per curve, the same as in report.css (presentation attributes, so that the charts
/// look the same inside the PDF and under the page's security policy).
const COLOURS: [&str; 6] = [
    "#0b5cad", "#a4161a", "#1e6b35", "#8a4500", "#5b2a86", "#333333",
];

pub struct Tick {
    pub pos: String,
    pub label: String,
}

pub struct RowView {
    pub label: String,
    pub people: String,
    pub median: String,
    pub quartiles: String,
    pub returned: String,
    pub cost: String,
    pub per_person: String,
}

pub struct BarView {
    pub label: String,
    pub y: String,
    pub width: String,
    pub lo: String,
    pub hi: String,
    pub text: String,
    pub text_x: String,
    pub mid: String,
}

/// The curve read at fixed days, for the compact table beside the chart.
pub const MILESTONES: [u32; 4] = [90, 180, 365, 730];

pub struct MilestoneRow {
    pub label: String,
    pub cells: Vec<String>,
}

pub struct PointRow {
    pub label: String,
    pub day: String,
    pub survival: String,
    pub interval: String,
    pub at_risk: u64,
}

#[derive(Template)]
#[template(path = "committee.html")]
pub struct CommitteePage {
    pub standalone: bool,
    pub css: &'static str,
    pub title: String,
    pub period: String,
    pub from: String,
    pub to: String,
    pub as_of: String,
    pub rows: Vec<RowView>,
    pub curves: Vec<CurveView>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub points: Vec<PointRow>,
    pub milestones: Vec<MilestoneRow>,
    pub milestone_days: Vec<u32>,
    pub bars: Vec<BarView>,
    pub bars_height: String,
    pub km_svg: String,
    pub bars_svg: String,
    /// The sections after the first four: costs, providers, pathways, outcomes after departing
    /// decisions, living independently and the adjusted comparison (the same in HTML and PDF).
    pub more: Vec<vaka_report::DocSection>,
    pub decisions: String,
    pub departing: String,
    /// Decisions against the person, and those of them without recorded kommunicering.
    pub against: String,
    pub communication_missing: String,
    /// The query of the page's PDF link (without `format`).
    pub query: String,
    pub chart_w: f64,
    pub chart_h: f64,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_bottom: f64,
    pub plot_top: f64,
}

pub const CSS: &str = include_str!("../static/report.css");

/// Whole kronor: the report does not pretend to öre.
fn kr(ore: i64) -> String {
    Money((ore + 50).div_euclid(100) * 100).to_string()
}

fn pct(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

fn shown<T>(v: &Shown<T>, f: impl Fn(&T) -> String) -> String {
    match v {
        Shown::Value(x) => f(x),
        Shown::Suppressed { .. } => "–*".into(),
    }
}

/// The report as an HTML document: `standalone` inlines its style sheet (a file to send on);
/// otherwise it links `/static/report.css` (the page in Vaka, under its security policy).
/// `extra`: sections added at the end (a scenario), `query`: the page's own query for its PDF link.
pub fn committee_html(
    r: &CommitteeReport,
    standalone: bool,
    extra: &[vaka_report::DocSection],
    query: &str,
) -> Result<String, askama::Error> {
    let mut page = page(r);
    page.standalone = standalone;
    page.more.extend_from_slice(extra);
    if !query.is_empty() {
        page.query = query.to_owned();
    }
    page.render()
}

/// The page's data without its charts.
fn parts(r: &CommitteeReport) -> CommitteePage {
    let max_day = r
        .curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.day))
        .fold(365.0f64, f64::max);
    let max_day = (max_day / 90.0).ceil() * 90.0;
    let x = |d: f64| LEFT + (W - LEFT - RIGHT) * d / max_day;
    let y = |s: f64| TOP + (H - TOP - BOTTOM) * (1.0 - s);
    let step = |pts: &[(f64, f64)]| {
        let mut path = String::new();
        for (k, (d, s)) in pts.iter().enumerate() {
            if k == 0 {
                path.push_str(&format!("M{:.1} {:.1}", x(*d), y(*s)));
            } else {
                path.push_str(&format!(" H{:.1} V{:.1}", x(*d), y(*s)));
            }
        }
        path
    };
    let curves = r
        .curves
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let end = c.points.last().map_or(0.0, |p| p.day);
            let mut upper: Vec<(f64, f64)> = c.points.iter().map(|p| (p.day, p.upper)).collect();
            upper.push((end, upper.last().map_or(1.0, |p| p.1)));
            let lower: Vec<(f64, f64)> = c.points.iter().map(|p| (p.day, p.lower)).collect();
            // The band: along the upper steps, back along the lower ones.
            let mut band = step(&upper);
            let mut back = String::new();
            for (d, s) in lower.iter().rev() {
                back.push_str(&format!(" V{:.1} H{:.1}", y(*s), x(*d)));
            }
            band.push_str(&format!(" H{:.1}{back} Z", x(end)));
            CurveView {
                class: format!("c{}", k % 6),
                colour: COLOURS[k % 6],
                label: vaka_domain::intervention::Intervention::label(c.intervention)
                    .0
                    .to_owned(),
                line: step(
                    &c.points
                        .iter()
                        .map(|p| (p.day, p.survival))
                        .collect::<Vec<_>>(),
                ),
                band,
            }
        })
        .collect();
    let x_ticks = (0..=((max_day / 90.0) as u32))
        .map(|k| {
            let d = f64::from(k) * 90.0;
            Tick {
                pos: format!("{:.1}", x(d)),
                label: format!("{d:.0}"),
            }
        })
        .collect();
    let y_ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|s| Tick {
            pos: format!("{:.1}", y(*s)),
            label: pct(*s),
        })
        .collect();
    let points = r
        .curves
        .iter()
        .flat_map(|c| {
            let label = c.intervention.label().0;
            c.points.iter().skip(1).map(move |p| PointRow {
                label: label.to_owned(),
                day: format!("{:.0}", p.day),
                survival: pct(p.survival),
                interval: format!("{} – {}", pct(p.lower), pct(p.upper)),
                at_risk: p.at_risk,
            })
        })
        .collect();
    let milestones = r
        .curves
        .iter()
        .map(|c| MilestoneRow {
            label: c.intervention.label().0.to_owned(),
            cells: MILESTONES
                .iter()
                .map(|day| {
                    let day = f64::from(*day);
                    let last = c.points.last().map_or(0.0, |p| p.day);
                    match c.points.iter().take_while(|p| p.day <= day).last() {
                        Some(p) if day <= last || c.points.len() == 1 => {
                            format!("{} ({}–{})", pct(p.survival), pct(p.lower), pct(p.upper))
                        }
                        _ => "–*".into(),
                    }
                })
                .collect(),
        })
        .collect();
    let rows = r
        .groups
        .iter()
        .map(|g| RowView {
            label: g.intervention.label().0.to_owned(),
            people: shown(&g.people, u64::to_string),
            median: shown(&g.lengths, |l| {
                l.median.map_or("ej nådd".into(), |m| format!("{m:.0}"))
            }),
            quartiles: shown(&g.lengths, |l| {
                let f = |v: Option<f64>| v.map_or("–".into(), |m| format!("{m:.0}"));
                format!("{}–{}", f(l.q1), f(l.q3))
            }),
            returned: shown(&g.returned_within_365, |s| {
                format!("{} ({}–{})", pct(s.estimate), pct(s.lower), pct(s.upper))
            }),
            cost: shown(&g.costs.cost_ore, |c| kr(*c)),
            per_person: shown(&g.costs.per_person_ore, |c| kr(*c)),
        })
        .collect();
    // Room on the right for the figure written after the whisker.
    let bar_w = W - 210.0 - 150.0;
    let shown_bars: Vec<_> = r
        .groups
        .iter()
        .filter_map(|g| match &g.returned_within_365 {
            Shown::Value(s) => Some((g.intervention.label().0, *s)),
            Shown::Suppressed { .. } => None,
        })
        .collect();
    let bars = shown_bars
        .iter()
        .enumerate()
        .map(|(k, (label, s))| {
            let top = 8.0 + 30.0 * k as f64;
            BarView {
                label: (*label).to_owned(),
                y: format!("{top:.1}"),
                width: format!("{:.1}", bar_w * s.estimate),
                lo: format!("{:.1}", 210.0 + bar_w * s.lower),
                hi: format!("{:.1}", 210.0 + bar_w * s.upper),
                text: format!("{} ({}–{})", pct(s.estimate), pct(s.lower), pct(s.upper)),
                text_x: format!("{:.1}", 214.0 + bar_w * s.upper),
                mid: format!("{:.1}", top + 9.0),
            }
        })
        .collect();
    CommitteePage {
        standalone: false,
        km_svg: String::new(),
        bars_svg: String::new(),
        more: Vec::new(),
        css: CSS,
        title: format!(
            "Missbruks- och beroendevården i {} – underlag till socialnämnden",
            r.municipality
        ),
        period: format!("{} – {}", r.from, r.to),
        from: r.from.to_string(),
        to: r.to.to_string(),
        as_of: r.as_of.to_string(),
        rows,
        curves,
        x_ticks,
        y_ticks,
        points,
        milestones,
        milestone_days: MILESTONES.to_vec(),
        bars_height: format!("{:.0}", 16.0 + 30.0 * shown_bars.len() as f64),
        bars,
        decisions: r.departures.decisions.to_string(),
        departing: match (&r.departures.departing, &r.departures.departing_share) {
            (Shown::Value(n), Shown::Value(s)) => {
                format!(
                    "{n} ({}, 95 % KI {}–{})",
                    pct(s.estimate),
                    pct(s.lower),
                    pct(s.upper)
                )
            }
            _ => "–*".into(),
        },
        against: shown_count(&r.departures.against),
        communication_missing: shown_count(&r.departures.communication_missing),
        query: format!("from={}&to={}", r.from, r.to),
        chart_w: W,
        chart_h: H,
        plot_left: LEFT,
        plot_right: W - RIGHT,
        plot_bottom: H - BOTTOM,
        plot_top: TOP,
    }
}

/// The sentence on kommunicering, the same in HTML and PDF.
pub(crate) fn communication_text(against: &str, missing: &str) -> String {
    format!(
        "Beslut som gick personen emot (allt utom att bevilja det som söktes): {against}. Av dem utan \
         dokumenterad kommunicering (FL 25 §: personen fick veta vad andra tillfört och kunde yttra sig \
         före beslutet): {missing}."
    )
}

/// A count, or "–*" when withheld.
fn shown_count(v: &Shown<u64>) -> String {
    match v {
        Shown::Value(n) => n.to_string(),
        Shown::Suppressed { .. } => "–*".into(),
    }
}

/// The page's data, charts drawn.
fn page(r: &CommitteeReport) -> CommitteePage {
    let mut p = parts(r);
    p.km_svg = km_svg(&p);
    p.bars_svg = bars_svg(&p);
    p.more = more_sections(r);
    p
}

/// A number with a decimal comma, as Swedish is written.
fn decimal(v: f64, places: usize) -> String {
    format!("{v:.places$}").replace('.', ",")
}

fn opt_kr(v: &Shown<Option<i64>>) -> String {
    shown(v, |c| c.map_or("–".into(), kr))
}

fn point(v: &Shown<Option<vaka_domain::stats::measures::Point>>) -> String {
    shown(v, |p| {
        p.map_or("ej följt så länge".into(), |p| {
            format!("{} ({}–{})", pct(p.survival), pct(p.lower), pct(p.upper))
        })
    })
}

fn share_text(v: &Shown<vaka_domain::stats::proportion::Share>) -> String {
    shown(v, |s| {
        format!(
            "{} ({}–{}; {} av {})",
            pct(s.estimate),
            pct(s.lower),
            pct(s.upper),
            s.successes,
            s.n
        )
    })
}

fn table(head: &[&str], rows: Vec<Vec<String>>) -> vaka_report::DocTable {
    vaka_report::DocTable {
        text: false,
        head: head.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

fn steps_text(steps: &[vaka_domain::stats::pathways::Step]) -> String {
    steps
        .iter()
        .map(|s| s.label())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The sections after the first four, as text, tables and charts.
fn more_sections(r: &CommitteeReport) -> Vec<vaka_report::DocSection> {
    use vaka_report::DocSection;
    let mut out = Vec::new();
    let cost_row = |label: String, c: &vaka_domain::stats::costs::Costs| {
        vec![
            label,
            shown(&c.people, u64::to_string),
            shown(&c.cost_ore, |x| kr(*x)),
            shown(&c.per_person_ore, |x| kr(*x)),
            shown(&c.client_years, |y| decimal(*y, 1)),
            opt_kr(&c.per_client_year_ore),
            opt_kr(&c.per_relapse_free_at_12_months_ore),
        ]
    };
    let mut rows: Vec<Vec<String>> = r
        .groups
        .iter()
        .map(|g| cost_row(g.intervention.label().0.to_owned(), &g.costs))
        .collect();
    rows.push(cost_row("Alla insatser".into(), &r.total_costs));
    out.push(DocSection {
        heading: "Kostnader".into(),
        paragraphs: vec![
            "Kostnaden under perioden för insatser med pris (köpta platser, egna boenden med dygnskostnad), \
             per person, per klientår (365,25 vårddygn under perioden) och per person utan återfall efter ett år \
             (kostnaden delad med antalet personer gånger andelen utan återfall vid dag 365)."
                .into(),
        ],
        svg: cost_svg(r),
        table: Some(table(
            &["Insats", "Personer", "Kostnad", "Per person", "Klientår", "Per klientår", "Per person utan återfall efter ett år"],
            rows,
        )),
    });
    if let Some(over_time) = cost_table(r) {
        out.push(over_time);
    }
    out.push(DocSection {
        heading: "Utförare".into(),
        paragraphs: vec![
            "Placeringar hos varje utförare som pågick under perioden. Utförarna får olika personer; \
             skillnader är inte ensamt utförarens förtjänst eller fel."
                .into(),
        ],
        svg: None,
        table: Some(table(
            &["Utförare (insatser)", "Personer", "Längd, median (dygn)", "Utan återfall efter ett år", "Kostnad", "Per klientår"],
            r.providers
                .iter()
                .map(|p| {
                    vec![
                        format!(
                            "{} ({})",
                            p.name,
                            p.interventions
                                .iter()
                                .map(|i| i.label().0)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        shown(&p.people, u64::to_string),
                        shown(&p.lengths, |l| {
                            l.median.map_or("ej nådd".into(), |m| format!("{m:.0}"))
                        }),
                        point(&p.relapse_free_12_months),
                        shown(&p.costs.cost_ore, |x| kr(*x)),
                        opt_kr(&p.costs.per_client_year_ore),
                    ]
                })
                .collect(),
        )),
    });
    let pw = &r.pathways;
    out.push(DocSection {
        heading: "Vägar genom vården".into(),
        paragraphs: vec![format!(
            "De vanligaste ordningsföljderna av insatser för de {} personer som hade en insats under perioden \
             (hela deras historik i Vaka; samma insats flera gånger i följd räknas en gång). Vägar som färre än 5 \
             personer har gått redovisas inte: {} personer.",
            pw.people,
            shown(&pw.other_people, u64::to_string)
        )],
        svg: None,
        table: Some(table(
            &["Väg", "Personer"],
            pw.common
                .iter()
                .map(|c| vec![steps_text(&c.steps), c.people.to_string()])
                .collect(),
        )),
    });
    out.push(DocSection {
        heading: "Svängdörren: tillbaka till samma insats efter återfall".into(),
        paragraphs: vec![format!(
            "Personer som efter ett återfall kom tillbaka till en insats de haft tidigare (till exempel \
             behandlingshem → stödboende → återfall → behandlingshem): {}. Två eller fler gånger: {}.",
            share_text(&pw.in_cycle),
            shown(&pw.two_or_more_cycles, u64::to_string)
        )],
        svg: None,
        table: Some(table(
            &["Förlopp", "Personer"],
            pw.cycles
                .iter()
                .map(|c| vec![steps_text(&c.steps), c.people.to_string()])
                .collect(),
        )),
    });
    let closed = &r.closures;
    out.push(DocSection {
        heading: "Avslutade ärenden".into(),
        paragraphs: vec![format!(
            "Ärenden som avslutades under perioden, efter orsak: {} ärenden för {} personer. Antal som \
             vilar på färre än 5 personer redovisas inte, och inte heller det näst minsta när bara ett \
             skulle döljas (det gick annars att räkna ut).",
            shown(&closed.cases, u64::to_string),
            shown(&closed.people, u64::to_string)
        )],
        svg: None,
        table: Some(table(
            &["Orsak", "Ärenden", "Personer"],
            closed
                .by_reason
                .iter()
                .map(|c| {
                    vec![
                        c.reason
                            .map_or("Ingen orsak angiven", |x| x.label().0)
                            .to_owned(),
                        shown(&c.cases, u64::to_string),
                        shown(&c.people, u64::to_string),
                    ]
                })
                .collect(),
        )),
    });
    let goals = &r.goals;
    out.push(DocSection {
        heading: "Målen i genomförandeplanerna".into(),
        paragraphs: vec![format!(
            "Ärenden öppna vid periodens slut: {}; av dem med minst ett mål i genomförandeplanen: {}. \
             Mål i ärendenas genomförandeplaner som avslutades vid en uppföljning under perioden: {} mål för {} \
             personer. Helt uppnådda: {}. Delvis uppnådda {}, inte uppnådda {}, avbrutna {}. Områden som vilar \
             på färre än 5 personer redovisas inte, och inte heller det näst minsta när bara ett skulle döljas. \
             Målen sätts med varje person och är olika svåra; andelen jämför inte insatser.",
            shown(&r.plan_coverage.open_cases, u64::to_string),
            share_text(&r.plan_coverage.with_plan),
            shown(&goals.goals, u64::to_string),
            shown(&goals.people, u64::to_string),
            share_text(&goals.reached),
            shown(&goals.partly_reached, u64::to_string),
            shown(&goals.not_reached, u64::to_string),
            shown(&goals.dropped, u64::to_string),
        )],
        svg: None,
        table: Some(table(
            &["Område", "Avslutade mål", "Personer", "Helt uppnådda"],
            goals
                .by_area
                .iter()
                .map(|a| {
                    vec![
                        a.life_area.label().0.to_owned(),
                        shown(&a.goals, u64::to_string),
                        shown(&a.people, u64::to_string),
                        share_text(&a.reached),
                    ]
                })
                .collect(),
        )),
    });
    let h = &r.handling_time;
    let days = |v: &vaka_domain::stats::measures::Shown<Option<f64>>| {
        shown(v, |d: &Option<f64>| {
            d.map_or_else(|| "–".to_owned(), |d| format!("{d:.0} dagar"))
        })
    };
    out.push(DocSection {
        heading: "Tid från ansökan till beslut".into(),
        paragraphs: vec![format!(
            "Beslut under perioden som besvarar en ansökan: {} beslut för {} personer. Dagar från det att \
             ansökan kom in till beslutet: median {}, medel {} (Öppna jämförelser mäter samma tid som \
             utredningstid, Kolada U35401 och U35400). Beslut på enhetens eget initiativ har ingen ansökan \
             och räknas inte. Intervall som vilar på 1–4 personer redovisas inte, och inte heller det näst \
             minsta när bara ett skulle döljas.",
            shown(&h.decisions, u64::to_string),
            shown(&h.people, u64::to_string),
            days(&h.median_days),
            days(&h.mean_days),
        )],
        svg: None,
        table: Some(table(
            &["Dagar", "Beslut"],
            h.bands
                .iter()
                .map(|b| {
                    vec![
                        match b.to_days {
                            Some(to) => format!("{}–{to}", b.from_days),
                            None => format!("{} eller fler", b.from_days),
                        },
                        shown(&b.decisions, u64::to_string),
                    ]
                })
                .collect(),
        )),
    });
    let risks = &r.risks;
    out.push(DocSection {
        heading: "Risker i journalen".into(),
        paragraphs: vec![format!(
            "Personer med minst en risk rapporterad i journalen under perioden (överdos, suicidrisk, \
             våld, risk att mista bostaden): {}. Varje rapport ger case managern ett larm. \
             En person kan ha flera risker; antal som vilar på 1–4 personer redovisas inte. \
             Rättade anteckningar räknas i sin rättade form.",
            shown(&risks.people, u64::to_string),
        )],
        svg: None,
        table: Some(table(
            &["Risk", "Personer", "Rapporter"],
            risks
                .by_risk
                .iter()
                .map(|x| {
                    vec![
                        x.risk.label().0.to_owned(),
                        shown(&x.people, u64::to_string),
                        shown(&x.reports, u64::to_string),
                    ]
                })
                .collect(),
        )),
    });
    let after = &r.departures.after;
    let after_row = |label: &str, a: &vaka_domain::stats::measures::AfterDecision| {
        vec![
            label.to_owned(),
            shown(&a.decisions, u64::to_string),
            shown(&a.people, u64::to_string),
            point(&a.relapse_free_6_months),
            point(&a.relapse_free_12_months),
        ]
    };
    out.push(DocSection {
        heading: "Vad hände efter beslut som avvek?".into(),
        paragraphs: vec![format!(
            "Andel utan rapporterat återfall räknat från beslutsdagen (Kaplan–Meier, 95 % konfidensintervall), \
             för beslut som avvek från ansökan eller en specialists rekommendation och för övriga beslut under \
             perioden. Log-rank-test av skillnaden: {}. Avvikande beslut fattas inte slumpmässigt; en skillnad \
             visar inte ensam beslutets verkan.",
            match after.log_rank_p {
                Shown::Value(Some(p)) => format!("p = {}", decimal(p, 3)),
                Shown::Value(None) => "kan inte beräknas".into(),
                Shown::Suppressed { .. } => "–* (färre än 5 personer i en grupp)".into(),
            }
        )],
        svg: None,
        table: Some(table(
            &["Beslut", "Antal", "Personer", "Utan återfall efter 6 mån", "Utan återfall efter 12 mån"],
            vec![
                after_row("Avvek från ansökan eller rekommendation", &after.departing),
                after_row("Övriga", &after.others),
            ],
        )),
    });
    let ind = |label: String, i: &vaka_domain::stats::measures::Independence| {
        vec![
            label,
            shown(&i.due, u64::to_string),
            shown(&i.done, u64::to_string),
            share_text(&i.share),
        ]
    };
    let mut rows: Vec<Vec<String>> = r
        .groups
        .iter()
        .filter(|g| g.independence.due != Shown::Value(0))
        .map(|g| ind(g.intervention.label().0.to_owned(), &g.independence))
        .collect();
    rows.push(ind("Alla".into(), &r.independence));
    out.push(DocSection {
        heading: "Eget boende efter ett år".into(),
        paragraphs: vec![
            "Uppföljningar tolv månader efter insatsens start som skulle göras under perioden: andel som bodde i \
             eget boende, hade sysselsättning och inte ett problematiskt bruk, bland dem där alla tre uppgifterna \
             är kända. Uppföljningar som inte blev gjorda räknas inte i andelen men syns i tabellen."
                .into(),
        ],
        svg: None,
        table: Some(table(&["Insats", "Uppföljningar", "Gjorda", "Lever självständigt"], rows)),
    });
    out.push(match &r.adjusted {
        Some(a) => DocSection {
            heading: "Jämförelse med hänsyn till ålder, kön och AUDIT/DUDIT".into(),
            paragraphs: vec![format!(
                "Risken för återfall jämfört med {} hos personer som liknar varandra i ålder, kön{} \
                 (Cox-modell, {} insatser, {} återfall). Under 1: färre återfall; intervallet visar osäkerheten.{}",
                a.reference.label().0.to_lowercase(),
                if a.with_scores { " och AUDIT- och DUDIT-poäng vid inskrivning" } else { " (AUDIT/DUDIT saknas för för många och är inte med)" },
                a.placements,
                a.relapses,
                if a.left_out.is_empty() {
                    String::new()
                } else {
                    format!(
                        " För få personer eller återfall för att jämföra: {}.",
                        a.left_out.iter().map(|i| i.label().0).collect::<Vec<_>>().join(", ")
                    )
                }
            )],
            svg: None,
            table: Some(table(
                &["Insats", "Riskkvot", "95 % KI", "p"],
                a.by_intervention
                    .iter()
                    .map(|h| {
                        vec![
                            h.intervention.label().0.to_owned(),
                            decimal(h.hazard_ratio, 2),
                            format!("{}–{}", decimal(h.lower, 2), decimal(h.upper, 2)),
                            decimal(h.p_value, 3),
                        ]
                    })
                    .collect(),
            )),
        },
        None => DocSection {
            heading: "Jämförelse med hänsyn till ålder, kön och AUDIT/DUDIT".into(),
            paragraphs: vec![
                "För få personer eller återfall för en justerad jämförelse mellan insatserna (minst två insatser \
                 med 5 personer och 5 återfall var behövs)."
                    .into(),
            ],
            svg: None,
            table: None,
        },
    });
    out
}

/// The cost per stretch of the period, one column per intervention type.
fn cost_table(r: &CommitteeReport) -> Option<vaka_report::DocSection> {
    let first = r.cost_over_time.first()?;
    let mut head = vec!["Period".to_owned()];
    head.extend(
        r.cost_over_time
            .iter()
            .map(|s| s.intervention.label().0.to_owned()),
    );
    let rows = first
        .buckets
        .iter()
        .enumerate()
        .map(|(b, bucket)| {
            std::iter::once(bucket_label(&bucket.bucket))
                .chain(r.cost_over_time.iter().map(|s| {
                    s.buckets
                        .get(b)
                        .map_or("–".into(), |x| shown(&x.cost_ore, |c| kr(*c)))
                }))
                .collect()
        })
        .collect();
    Some(vaka_report::DocSection {
        heading: "Kostnad över tid".into(),
        paragraphs: vec![
            "Kostnaden per insats och period, som i diagrammet under ”Kostnader” (–*: färre än 5 personer \
             hade insatsen den perioden)."
                .into(),
        ],
        svg: None,
        table: Some(vaka_report::DocTable {
            head,
            rows,
            text: false,
        }),
    })
}

fn bucket_label(b: &vaka_domain::stats::costs::Bucket) -> String {
    use chrono::Datelike;
    if b.from.month() == b.to.month() && b.from.year() == b.to.year() {
        format!("{}-{:02}", b.from.year(), b.from.month())
    } else {
        b.from.year().to_string()
    }
}

/// Cost per stretch of the period, a line per intervention type (withheld points left out).
fn cost_svg(r: &CommitteeReport) -> Option<String> {
    let series: Vec<_> = r
        .cost_over_time
        .iter()
        .filter(|s| {
            s.buckets
                .iter()
                .any(|b| matches!(b.cost_ore, Shown::Value(c) if c > 0))
        })
        .collect();
    let n = series.first()?.buckets.len();
    let max = series
        .iter()
        .flat_map(|s| s.buckets.iter())
        .filter_map(|b| match b.cost_ore {
            Shown::Value(c) => Some(c),
            Shown::Suppressed { .. } => None,
        })
        .max()
        .filter(|m| *m > 0)?;
    // A round top for the axis, in whole kronor.
    let top_kr = {
        let m = max as f64 / 100.0;
        let mag = 10f64.powf(m.log10().floor());
        (m / mag).ceil() * mag
    };
    let x = |b: usize| {
        if n <= 1 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + 30.0 + (W - LEFT - RIGHT - 40.0) * b as f64 / (n - 1) as f64
        }
    };
    let y = |ore: i64| TOP + (H - TOP - BOTTOM) * (1.0 - ore as f64 / 100.0 / top_kr);
    let left = LEFT + 30.0;
    // The legend below the axis, two keys a row, so that it never covers a line.
    let height = H + 8.0 + 16.0 * series.len().div_ceil(2) as f64;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" class="chart" role="img" aria-label="Kostnad över tid per insats" font-family="sans-serif">"##
    );
    for k in 0..=4 {
        let v = top_kr * f64::from(k) / 4.0;
        let py = TOP + (H - TOP - BOTTOM) * (1.0 - f64::from(k) / 4.0);
        let (v, unit) = if top_kr >= 1_000_000.0 {
            (v / 1_000_000.0, "mn kr")
        } else {
            (v / 1000.0, "tkr")
        };
        let label = if v.fract().abs() < 1e-9 {
            format!("{v:.0} {unit}")
        } else {
            format!("{v:.1} {unit}").replace('.', ",")
        };
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{r}" y1="{py:.1}" y2="{py:.1}" stroke="#e4e7eb"/><text x="{tx}" y="{py:.1}" font-size="11" fill="#4a5260" text-anchor="end" dominant-baseline="middle">{label}</text>"##,
            r = W - RIGHT,
            tx = left - 4.0,
        ));
    }
    let step = n.div_ceil(12).max(1);
    if let Some(s) = series.first() {
        for (b, bucket) in s.buckets.iter().enumerate().step_by(step) {
            svg.push_str(&format!(
                r##"<text x="{:.1}" y="{}" font-size="11" fill="#4a5260" text-anchor="middle">{}</text>"##,
                x(b),
                H - BOTTOM + 16.0,
                bucket_label(&bucket.bucket)
            ));
        }
    }
    for (k, s) in series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let mut path = String::new();
        let mut pen_down = false;
        for (b, bucket) in s.buckets.iter().enumerate() {
            match bucket.cost_ore {
                Shown::Value(c) => {
                    path.push_str(&format!(
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(b),
                        y(c)
                    ));
                    pen_down = true;
                    svg.push_str(&format!(
                        r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"##,
                        x(b),
                        y(c)
                    ));
                }
                Shown::Suppressed { .. } => pen_down = false,
            }
        }
        svg.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"><title>{}</title></path>"##,
            path.trim_end(),
            s.intervention.label().0
        ));
        let ly = H + 4.0 + 16.0 * (k / 2) as f64;
        let lx = left + 260.0 * (k % 2) as f64;
        svg.push_str(&format!(
            r##"<rect x="{lx}" y="{ry:.1}" width="12" height="4" fill="{colour}"/><text x="{tx}" y="{ly:.1}" font-size="11" fill="#1b1f23" dominant-baseline="middle">{label}</text>"##,
            ry = ly - 2.0,
            tx = lx + 18.0,
            label = s.intervention.label().0
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

fn km_svg(p: &CommitteePage) -> String {
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" class="chart" role="img" aria-label="Andel utan återfall per insats" font-family="sans-serif">"##,
        w = p.chart_w,
        h = p.chart_h
    );
    for t in &p.y_ticks {
        svg.push_str(&format!(
            r##"<line x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="#e4e7eb"/><text x="{tx}" y="{y}" font-size="11" fill="#4a5260" text-anchor="end" dominant-baseline="middle">{label}</text>"##,
            l = p.plot_left,
            r = p.plot_right,
            y = t.pos,
            tx = p.plot_left - 4.0,
            label = t.label
        ));
    }
    for t in &p.x_ticks {
        svg.push_str(&format!(
            r##"<text x="{x}" y="{y}" font-size="11" fill="#4a5260" text-anchor="middle">{label}</text>"##,
            x = t.pos,
            y = p.plot_bottom + 16.0,
            label = t.label
        ));
    }
    svg.push_str(&format!(
        r##"<text x="{x}" y="{y}" font-size="11" fill="#4a5260" text-anchor="end">dagar från start</text>"##,
        x = p.plot_right,
        y = p.chart_h - 4.0
    ));
    for c in &p.curves {
        svg.push_str(&format!(
            r##"<path d="{}" fill="{}" fill-opacity="0.18" stroke="none"/>"##,
            c.band, c.colour
        ));
    }
    for c in &p.curves {
        svg.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="{}" stroke-width="2"><title>{}</title></path>"##,
            c.line, c.colour, c.label
        ));
    }
    // The legend in the lower right, where survival curves seldom go; also for the PDF.
    for (k, c) in p.curves.iter().rev().enumerate() {
        let y = p.plot_bottom - 10.0 - 15.0 * k as f64;
        svg.push_str(&format!(
            r##"<rect x="{x}" y="{ry}" width="12" height="4" fill="{colour}"/><text x="{tx}" y="{y}" font-size="11" fill="#1b1f23" dominant-baseline="middle">{label}</text>"##,
            x = p.plot_right - 170.0,
            ry = y - 2.0,
            colour = c.colour,
            tx = p.plot_right - 152.0,
            label = c.label
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn bars_svg(p: &CommitteePage) -> String {
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" class="chart" role="img" aria-label="Andel tillbaka inom ett år, per insats" font-family="sans-serif">"##,
        w = p.chart_w,
        h = p.bars_height
    );
    for b in &p.bars {
        svg.push_str(&format!(
            r##"<text x="204" y="{mid}" font-size="11" fill="#4a5260" text-anchor="end" dominant-baseline="middle">{label}</text><rect x="210" y="{y}" width="{w}" height="18" fill="#9dbbe0"/><line x1="{lo}" x2="{hi}" y1="{mid}" y2="{mid}" stroke="#12324f" stroke-width="2"/><text x="{tx}" y="{mid}" font-size="11" fill="#4a5260" dominant-baseline="middle">{text}</text>"##,
            mid = b.mid,
            label = b.label,
            y = b.y,
            w = b.width,
            lo = b.lo,
            hi = b.hi,
            tx = b.text_x,
            text = b.text
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The report as a PDF: the same text, tables and charts as the HTML.
pub fn committee_pdf(
    r: &CommitteeReport,
    extra: &[vaka_report::DocSection],
) -> Result<Vec<u8>, String> {
    use vaka_report::{Doc, DocSection, DocTable};
    let mut p = page(r);
    p.more.extend_from_slice(extra);
    let head = |h: &[&str]| h.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let doc = Doc {
        title: p.title.clone(),
        lead: format!(
            "Period: {} · uppgifterna avser läget {}. Rapporten innehåller inga personuppgifter. \
             Siffror som bygger på färre än 5 personer redovisas inte (markerade –*), och kurvor slutar där \
             färre än 5 personer återstår. Under varje diagram står siffrorna det bygger på.",
            p.period, p.as_of
        ),
        footer: r.municipality.clone(),
        note: "–* = färre än 5 personer, redovisas inte. Metoder och definitioner: Vakas dokumentation \
               (docs/measures.md, docs/statistics.md)."
            .into(),
        sections: vec![
            DocSection {
                heading: "Insatserna i korthet".into(),
                paragraphs: vec![
                    "Antal personer med en insats som pågick under perioden, hur länge insatserna varade \
                     (median och kvartiler i dygn), hur stor andel som fick en ny insats eller ett återfall \
                     inom ett år efter en insats som avslutades enligt plan (95 % konfidensintervall), och \
                     kostnaden under perioden."
                        .into(),
                ],
                svg: None,
                table: Some(DocTable {
                text: false,
                    head: head(&["Insats", "Personer", "Längd, median", "Kvartiler", "Tillbaka inom ett år", "Kostnad", "Per person"]),
                    rows: p
                        .rows
                        .iter()
                        .map(|x| {
                            vec![
                                x.label.clone(),
                                x.people.clone(),
                                x.median.clone(),
                                x.quartiles.clone(),
                                x.returned.clone(),
                                x.cost.clone(),
                                x.per_person.clone(),
                            ]
                        })
                        .collect(),
                }),
            },
            DocSection {
                heading: "Tid utan återfall efter insatsens start".into(),
                paragraphs: vec![
                    "Andelen som ännu inte rapporterat återfall, från insatsens start (Kaplan–Meier, skuggat: \
                     95 % konfidensintervall). Skillnader mellan insatser kan bero på vilka personer som får \
                     dem; jämför med försiktighet."
                        .into(),
                    format!(
                        "Kurvor: {}.",
                        p.curves.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                ],
                svg: (!p.curves.is_empty()).then(|| p.km_svg.clone()),
                table: Some(DocTable {
                text: false,
                    head: std::iter::once("Insats".to_owned())
                        .chain(p.milestone_days.iter().map(|d| format!("Dag {d}")))
                        .collect(),
                    rows: p
                        .milestones
                        .iter()
                        .map(|m| std::iter::once(m.label.clone()).chain(m.cells.iter().cloned()).collect())
                        .collect(),
                }),
            },
            DocSection {
                heading: "Tillbaka inom ett år efter avslutad insats".into(),
                paragraphs: vec![
                    "Andel av dem som avslutade en insats enligt plan och som inom ett år fick en ny insats \
                     (mer än 14 dagar senare) eller rapporterade återfall, med 95 % konfidensintervall (Wilson). \
                     Siffrorna står i tabellen ”Insatserna i korthet”."
                        .into(),
                ],
                svg: (!p.bars.is_empty()).then(|| p.bars_svg.clone()),
                table: None,
            },
            DocSection {
                heading: "Beslut som avvek från ansökan eller rekommendation".into(),
                paragraphs: vec![
                    format!(
                        "Beslut under perioden: {}. Beslut som gav något annat än personen ansökt om, eller än en \
                         specialist rekommenderat: {}.",
                        p.decisions, p.departing
                    ),
                    communication_text(&p.against, &p.communication_missing),
                ],
                svg: None,
                table: None,
            },
        ]
        .into_iter()
        .chain(p.more.iter().cloned())
        .collect(),
    };
    vaka_report::report_pdf(&doc)
}
