//! The care-pathway model of a municipality, estimated from its own records: each person's
//! situation on the 15th of every month since their first placement (in care of one kind or
//! another, active use, stable in own housing, or dead), the monthly moves between situations
//! counted, and a model file built from the counts (a Dirichlet row per situation) and from the
//! cost of care per month — with levers for a unit head's "what if" (a price, moving people from one
//! form of care to another, closing one). See docs/scenarios.md.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::contact::Housing;
use crate::intervention::Intervention;
use crate::placement::EndReason;
use crate::stats::measures::Episode;

/// The situations of the template, in the seeds' words.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    ActiveUse,
    CaseManagement,
    SupportedHousing,
    TreatmentHome,
    Outpatient,
    StableOwnHousing,
    Dead,
}

impl Situation {
    pub const ALL: [Situation; 7] = [
        Self::ActiveUse,
        Self::CaseManagement,
        Self::SupportedHousing,
        Self::TreatmentHome,
        Self::Outpatient,
        Self::StableOwnHousing,
        Self::Dead,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActiveUse => "active_use",
            Self::CaseManagement => "case_management",
            Self::SupportedHousing => "supported_housing",
            Self::TreatmentHome => "treatment_home",
            Self::Outpatient => "outpatient",
            Self::StableOwnHousing => "stable_own_housing",
            Self::Dead => "dead",
        }
    }

    /// Swedish and English names.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::ActiveUse => ("Aktivt bruk", "Active use"),
            Self::CaseManagement => (
                "Case management med träningslägenhet",
                "Case management with a training apartment",
            ),
            Self::SupportedHousing => ("Stödboende (köpt)", "Supported housing (bought)"),
            Self::TreatmentHome => ("Behandlingshem", "Treatment home"),
            Self::Outpatient => ("Öppenvård", "Outpatient care"),
            Self::StableOwnHousing => ("Eget boende, stabil", "Own housing, stable"),
            Self::Dead => ("Avliden", "Dead"),
        }
    }

    /// The situation a placement of this kind puts a person in.
    pub fn of(intervention: Intervention) -> Self {
        match intervention {
            Intervention::CaseManagement | Intervention::TrainingApartment => Self::CaseManagement,
            Intervention::SupportedHousingInternal | Intervention::SupportedHousingExternal => {
                Self::SupportedHousing
            }
            Intervention::TreatmentHome => Self::TreatmentHome,
            Intervention::Outpatient | Intervention::MedicationAssisted | Intervention::Other => {
                Self::Outpatient
            }
        }
    }

    /// Whether this is a form of care with a cost per month.
    pub fn is_care(self) -> bool {
        !matches!(self, Self::ActiveUse | Self::StableOwnHousing | Self::Dead)
    }
}

impl std::str::FromStr for Situation {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or(())
    }
}

/// What the estimate reads: placements, relapses, housing reported in the journal, deaths.
pub struct Records<'a> {
    pub episodes: &'a [Episode],
    pub relapses: &'a [(i64, NaiveDate)],
    pub housing: &'a [(i64, NaiveDate, Housing)],
    /// Deaths known from follow-ups; placements that ended because the person died count too.
    pub deaths: &'a [(i64, NaiveDate)],
}

/// Days back a reported relapse keeps a person out of care in "active use".
pub const RELAPSE_DAYS: i64 = 90;

struct ByClient<'a> {
    episodes: HashMap<i64, Vec<&'a Episode>>,
    relapses: HashMap<i64, Vec<NaiveDate>>,
    housing: HashMap<i64, Vec<(NaiveDate, Housing)>>,
    death: HashMap<i64, NaiveDate>,
}

impl<'a> ByClient<'a> {
    fn new(r: &Records<'a>) -> Self {
        let mut episodes: HashMap<i64, Vec<&Episode>> = HashMap::new();
        let mut death: HashMap<i64, NaiveDate> = HashMap::new();
        for e in r.episodes {
            episodes.entry(e.client).or_default().push(e);
            if let (Some(EndReason::Died), Some(end)) = (e.end_reason, e.end) {
                let d = death.entry(e.client).or_insert(end);
                *d = (*d).min(end);
            }
        }
        for (c, on) in r.deaths {
            let d = death.entry(*c).or_insert(*on);
            *d = (*d).min(*on);
        }
        let mut relapses: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (c, on) in r.relapses {
            relapses.entry(*c).or_default().push(*on);
        }
        relapses.values_mut().for_each(|v| v.sort_unstable());
        let mut housing: HashMap<i64, Vec<(NaiveDate, Housing)>> = HashMap::new();
        for (c, on, h) in r.housing {
            housing.entry(*c).or_default().push((*on, *h));
        }
        housing.values_mut().for_each(|v| v.sort_by_key(|x| x.0));
        Self {
            episodes,
            relapses,
            housing,
            death,
        }
    }

    /// The person's situation on `day`: dead; in a placement running that day (the most intensive
    /// when two overlap); in active use after a relapse reported within 90 days or while the last
    /// housing reported is not their own; otherwise stable in own housing.
    fn situation(&self, client: i64, day: NaiveDate) -> Situation {
        if self.death.get(&client).is_some_and(|d| *d <= day) {
            return Situation::Dead;
        }
        let running = self.episodes.get(&client).and_then(|list| {
            list.iter()
                .filter(|e| e.start <= day && e.end.is_none_or(|end| end > day))
                .map(|e| Situation::of(e.intervention))
                .min_by_key(|s| intensity(*s))
        });
        if let Some(s) = running {
            return s;
        }
        let relapsed = self.relapses.get(&client).is_some_and(|days| {
            let from = day - chrono::Duration::days(RELAPSE_DAYS);
            let k = days.partition_point(|d| *d < from);
            days.get(k).is_some_and(|d| *d <= day)
        });
        if relapsed {
            return Situation::ActiveUse;
        }
        let own = self.housing.get(&client).and_then(|list| {
            let k = list.partition_point(|(d, _)| *d <= day);
            k.checked_sub(1).map(|k| list[k].1 == Housing::Own)
        });
        if own == Some(true) {
            Situation::StableOwnHousing
        } else {
            Situation::ActiveUse
        }
    }
}

/// Lower is more intensive: a treatment home before supported housing before case management.
fn intensity(s: Situation) -> u8 {
    match s {
        Situation::TreatmentHome => 0,
        Situation::SupportedHousing => 1,
        Situation::CaseManagement => 2,
        Situation::Outpatient => 3,
        _ => 4,
    }
}

/// The 15th of each month from `from`'s month through `to`.
pub fn snapshots(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(from.year(), from.month(), 15);
    while let Some(day) = d {
        if day > to {
            break;
        }
        if day >= from {
            out.push(day);
        }
        d = day.checked_add_months(chrono::Months::new(1));
    }
    out
}

/// Monthly moves between situations and the cohort as it stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `counts[i][j]`: person-months in situation i followed by situation j a month later.
    pub counts: [[u64; 7]; 7],
    pub people: u64,
    /// The situation on the last snapshot of the people followed then (alive).
    pub current: [u64; 7],
}

/// Counts the moves from each person's first placement (or `from`, if later) to `to`.
pub fn estimate(records: &Records<'_>, from: NaiveDate, to: NaiveDate) -> Estimate {
    let by = ByClient::new(records);
    let days = snapshots(from, to);
    let mut counts = [[0u64; 7]; 7];
    let mut current = [0u64; 7];
    let mut people = 0;
    let mut clients: Vec<i64> = by.episodes.keys().copied().collect();
    clients.sort_unstable();
    for client in clients {
        let Some(first) = by.episodes[&client].iter().map(|e| e.start).min() else {
            continue;
        };
        let followed: Vec<Situation> = days
            .iter()
            .filter(|d| **d >= first)
            .map(|d| by.situation(client, *d))
            .collect();
        if followed.is_empty() {
            continue;
        }
        people += 1;
        for pair in followed.windows(2) {
            counts[pair[0].index()][pair[1].index()] += 1;
            if pair[0] == Situation::Dead {
                break;
            }
        }
        if let Some(last) = followed.last()
            && *last != Situation::Dead
            && days.last().is_some_and(|d| *d >= first)
        {
            current[last.index()] += 1;
        }
    }
    Estimate {
        from,
        to,
        counts,
        people,
        current,
    }
}

/// The cost of a month in a form of care: the mean, its standard error, and how many placements.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MonthlyCost {
    pub mean: f64,
    pub std_err: f64,
    pub placements: u64,
}

/// Days in a month on average (365.25 / 12).
pub const MONTH_DAYS: f64 = 30.4375;

/// Per form of care: the cost per care-day of each placement with days in the period (its cost
/// over its days), averaged over the placements weighted by days, times 30.4375; the standard error
/// from the spread between placements.
pub fn monthly_costs(placements: &[(&Episode, i64, i64)]) -> BTreeMap<Situation, MonthlyCost> {
    let mut by: BTreeMap<Situation, Vec<(f64, f64)>> = BTreeMap::new();
    for (e, cost_ore, days) in placements {
        if *days > 0 {
            by.entry(Situation::of(e.intervention))
                .or_default()
                .push((*cost_ore as f64 / 100.0 / *days as f64, *days as f64));
        }
    }
    by.into_iter()
        .map(|(s, list)| {
            let w: f64 = list.iter().map(|x| x.1).sum();
            let mean = list.iter().map(|(r, d)| r * d).sum::<f64>() / w;
            let n = list.len() as f64;
            let var = if n > 1.0 {
                list.iter().map(|(r, _)| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)
            } else {
                0.0
            };
            (
                s,
                MonthlyCost {
                    mean: mean * MONTH_DAYS,
                    std_err: (var / n).sqrt() * MONTH_DAYS,
                    placements: list.len() as u64,
                },
            )
        })
        .collect()
}

/// What the model counts as its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Years stable in own housing.
    StableYears,
    /// Years alive and not in active use.
    YearsWithoutActiveUse,
}

impl Outcome {
    fn per_month(self, s: Situation) -> f64 {
        let counted = match self {
            Self::StableYears => s == Situation::StableOwnHousing,
            Self::YearsWithoutActiveUse => !matches!(s, Situation::ActiveUse | Situation::Dead),
        };
        if counted { 1.0 / 12.0 } else { 0.0 }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::StableYears => ("år i eget boende, stabil", "years stable in own housing"),
            Self::YearsWithoutActiveUse => ("år utan aktivt bruk", "years without active use"),
        }
    }
}

/// A change to try against things as they are.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Lever {
    /// The monthly cost of a form of care times `factor` (a new price over the old).
    Price { situation: Situation, factor: f64 },
    /// A `share` of the moves into `from` go to `to` instead; with share 1 `from` is closed and
    /// the people in it at the start are in `to`.
    Move {
        from: Situation,
        to: Situation,
        share: f64,
    },
    /// At most `places` people at a time in a form of care (each person in the model stands for
    /// one of the people in it today); who does not get a place waits where they are.
    Capacity { situation: Situation, places: u32 },
}

/// The model file of the municipality's pathways: "Som i dag" (as today), and with `lever` a second
/// strategy. Monthly cycles over `years`; costs and outcomes discounted at 3 % a year.
pub fn model(
    municipality: &str,
    est: &Estimate,
    costs: &BTreeMap<Situation, MonthlyCost>,
    years: u32,
    outcome: Outcome,
    lever: Option<Lever>,
) -> Value {
    let n = Situation::ALL.len();
    let mut parameters = serde_json::Map::new();
    let mut assumptions = vec![
        format!(
            "Övergångarna per månad är skattade ur {} personers placeringar, journalanteckningar och uppföljningar {} – {} \
             (läget den 15:e varje månad; {} personmånader).",
            est.people,
            est.from,
            est.to,
            est.counts.iter().flatten().sum::<u64>()
        ),
        format!(
            "Utan pågående insats räknas en person som i aktivt bruk efter ett rapporterat återfall inom {RELAPSE_DAYS} dagar \
             eller när senast rapporterade boende inte är eget; annars som stabil i eget boende."
        ),
        "Kostnader är kommunens kostnad för insatserna (dygnspriser och avtal); aktivt bruk och eget boende har ingen \
         kostnad i modellen, fast de kostar samhället."
            .to_owned(),
        "Diskontering 3 % per år för kostnader och utfall. Osäkerheten: Dirichlet-fördelningar ur antalen, \
         gammafördelade kostnader ur spridningen mellan placeringar."
            .to_owned(),
    ];
    // One transition row per situation: a Dirichlet over the moves seen, fixed where there is one.
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for (i, s) in Situation::ALL.iter().enumerate() {
        if *s == Situation::Dead {
            let mut r = vec![json!(0); n];
            r[i] = json!(1);
            rows.push(r);
            continue;
        }
        let seen: Vec<usize> = (0..n).filter(|j| est.counts[i][*j] > 0).collect();
        let mut r = vec![json!(0); n];
        match seen.len() {
            0 => {
                r[i] = json!(1);
                assumptions.push(format!(
                    "Inga observationer från ”{}”: den som hamnar där antas stanna.",
                    s.label().0
                ));
            }
            1 => r[seen[0]] = json!(1),
            _ => {
                let name = format!("from_{}", s.as_str());
                parameters.insert(
                    name.clone(),
                    json!({"distribution": "dirichlet", "counts": seen.iter().map(|j| est.counts[i][*j]).collect::<Vec<_>>()}),
                );
                for (k, j) in seen.iter().enumerate() {
                    r[*j] = json!(format!("{name}[{k}]"));
                }
            }
        }
        rows.push(r);
    }
    let mut state_costs: Vec<Value> = Vec::new();
    for s in Situation::ALL {
        match costs.get(&s) {
            Some(c) if s.is_care() && c.mean > 0.0 => {
                let name = format!("cost_{}", s.as_str());
                if c.std_err > 0.0 {
                    parameters.insert(
                        name.clone(),
                        json!({"distribution": "gamma", "mean": c.mean, "sd": c.std_err}),
                    );
                } else {
                    parameters.insert(name.clone(), json!(c.mean));
                }
                state_costs.push(json!(name));
            }
            _ => state_costs.push(json!(0)),
        }
    }
    let outcomes: Vec<Value> = Situation::ALL
        .iter()
        .map(|s| json!(outcome.per_month(*s)))
        .collect();
    let total: u64 = est.current.iter().sum();
    let mut initial: Vec<f64> = if total > 0 {
        est.current
            .iter()
            .map(|c| *c as f64 / total as f64)
            .collect()
    } else {
        let mut v = vec![0.0; n];
        v[0] = 1.0;
        v
    };
    let cycles = years.clamp(1, 50) * 12;
    let phase = |rows: &[Vec<Value>], costs: &[Value]| {
        json!([{"from_cycle": 1, "to_cycle": cycles, "transitions": rows,
                "state_costs": costs, "state_outcomes": outcomes}])
    };
    let mut strategies = vec![json!({"name": "Som i dag", "phases": phase(&rows, &state_costs)})];
    let mut initial_alternative = None;
    if let Some(lever) = lever {
        let mut capacities = json!([]);
        let (name, rows2, costs2) = match lever {
            Lever::Price { situation, factor } => {
                let mut c = state_costs.clone();
                let k = situation.index();
                if c[k] != json!(0) {
                    c[k] = json!({"product": [factor, c[k].clone()]});
                }
                assumptions.push(format!(
                    "Alternativet: kostnaden för ”{}” gånger {factor}.",
                    situation.label().0
                ));
                (
                    format!("Pris {} × {factor}", situation.label().0),
                    rows.clone(),
                    c,
                )
            }
            Lever::Move { from, to, share } => {
                let (f, t) = (from.index(), to.index());
                let mut r = rows.clone();
                for (i, row) in r.iter_mut().enumerate() {
                    if i == f && share < 1.0 {
                        continue; // those already there stay on as before
                    }
                    let into = row[f].clone();
                    if into == json!(0) {
                        continue;
                    }
                    row[f] = json!({"product": [1.0 - share, into.clone()]});
                    row[t] = json!({"sum": [row[t].clone(), {"product": [share, into]}]});
                }
                if share >= 1.0 {
                    let mut init = initial.clone();
                    init[t] += init[f];
                    init[f] = 0.0;
                    initial_alternative = Some(init);
                }
                assumptions.push(format!(
                    "Alternativet: {:.0} % av dem som annars skulle till ”{}” går till ”{}”{}.",
                    share * 100.0,
                    from.label().0,
                    to.label().0,
                    if share >= 1.0 {
                        " (formen stängs; de som är där flyttar)"
                    } else {
                        ""
                    }
                ));
                (
                    if share >= 1.0 {
                        format!("Stäng {}", from.label().0)
                    } else {
                        format!(
                            "{:.0} % {} → {}",
                            share * 100.0,
                            from.label().0,
                            to.label().0
                        )
                    },
                    r,
                    state_costs.clone(),
                )
            }
            Lever::Capacity { situation, places } => {
                let share = if total > 0 {
                    (f64::from(places) / total as f64).min(1.0)
                } else {
                    1.0
                };
                capacities = json!([{"state": situation.label().0, "max_share": share}]);
                let unit = if places == 1 { "plats" } else { "platser" };
                assumptions.push(format!(
                    "Alternativet: högst {places} {unit} åt gången i ”{}” (i dag {} av {total} personer där). \
                     Den som inte får plats väntar där den är; ingen flyttas ut för att platserna är färre.",
                    situation.label().0,
                    est.current.get(situation.index()).copied().unwrap_or(0),
                ));
                (
                    format!("{}: högst {places} {unit}", situation.label().0),
                    rows.clone(),
                    state_costs.clone(),
                )
            }
        };
        strategies.push(
            json!({"name": name, "phases": phase(&rows2, &costs2), "capacities": capacities}),
        );
    }
    // A model has one initial distribution: closing a form moves its people at the start for both
    // strategies alike would hide the move, so the alternative's start is used only when it
    // differs — then the baseline starts there too and the difference is the flows alone.
    if let Some(init) = initial_alternative {
        initial = init;
        assumptions.push(
            "Båda alternativen räknas från samma utgångsläge, där de som i dag är i den stängda formen redan har flyttat."
                .to_owned(),
        );
    }
    json!({
        "name": format!("Vårdkedjan i {municipality}"),
        "states": Situation::ALL.iter().map(|s| s.label().0).collect::<Vec<_>>(),
        "initial": initial,
        "cycles": cycles,
        "cycle_length_years": 1.0 / 12.0,
        "discount": {"costs": 0.03, "outcomes": 0.03},
        "half_cycle_correction": "none",
        "parameters": parameters,
        "strategies": strategies,
        "assumptions": assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ep(
        client: i64,
        iv: Intervention,
        start: &str,
        end: Option<&str>,
        reason: Option<EndReason>,
    ) -> Episode {
        Episode {
            client,
            intervention: iv,
            provider: None,
            start: d(start),
            end: end.map(d),
            end_reason: reason,
        }
    }

    #[test]
    fn situations_month_by_month_from_a_hand_built_history() {
        // Person 1: treatment home January–February, then supported housing from 1 March to
        // 10 April; a relapse on 1 May; own housing reported 20 June; dies 1 September.
        let episodes = [
            ep(
                1,
                Intervention::TreatmentHome,
                "2024-01-01",
                Some("2024-03-01"),
                Some(EndReason::CompletedAsPlanned),
            ),
            ep(
                1,
                Intervention::SupportedHousingExternal,
                "2024-03-01",
                Some("2024-04-10"),
                Some(EndReason::Other),
            ),
        ];
        let relapses = [(1, d("2024-05-01"))];
        let housing = [(1, d("2024-06-20"), Housing::Own)];
        let deaths = [(1, d("2024-09-01"))];
        let est = estimate(
            &Records {
                episodes: &episodes,
                relapses: &relapses,
                housing: &housing,
                deaths: &deaths,
            },
            d("2024-01-01"),
            d("2024-10-31"),
        );
        use Situation::*;
        // 15th: Jan TH, Feb TH, Mar SH, Apr active (left 10 April, last housing unknown), May active
        // (relapse), Jun active (relapse within 90 days), Jul active (relapse 75 days ago), Aug
        // stable (relapse 106 days ago, own housing), Sep dead, Oct dead (not counted after dead).
        let mut want = [[0u64; 7]; 7];
        for (a, b) in [
            (TreatmentHome, TreatmentHome),
            (TreatmentHome, SupportedHousing),
            (SupportedHousing, ActiveUse),
            (ActiveUse, ActiveUse),
            (ActiveUse, ActiveUse),
            (ActiveUse, ActiveUse),
            (ActiveUse, StableOwnHousing),
            (StableOwnHousing, Dead),
            (Dead, Dead),
        ] {
            want[a.index()][b.index()] += 1;
        }
        assert_eq!(est.counts, want);
        assert_eq!(est.people, 1);
        assert_eq!(est.current, [0; 7], "dead at the end");
    }

    #[test]
    fn the_template_is_a_valid_model_and_a_lever_makes_a_second_strategy() {
        let mut counts = [[0u64; 7]; 7];
        counts[0][0] = 50;
        counts[0][3] = 10;
        counts[0][2] = 5;
        counts[3][3] = 30;
        counts[3][1] = 8;
        counts[3][0] = 4;
        counts[2][2] = 40;
        counts[2][5] = 6;
        counts[1][1] = 20;
        counts[1][5] = 5;
        counts[5][5] = 60;
        counts[5][0] = 3;
        counts[5][6] = 1;
        let est = Estimate {
            from: d("2020-01-01"),
            to: d("2024-12-31"),
            counts,
            people: 40,
            current: [10, 5, 8, 6, 0, 11, 0],
        };
        let mut costs = BTreeMap::new();
        costs.insert(
            Situation::TreatmentHome,
            MonthlyCost {
                mean: 75_000.0,
                std_err: 3_000.0,
                placements: 20,
            },
        );
        costs.insert(
            Situation::SupportedHousing,
            MonthlyCost {
                mean: 42_600.0,
                std_err: 1_000.0,
                placements: 30,
            },
        );
        costs.insert(
            Situation::CaseManagement,
            MonthlyCost {
                mean: 15_000.0,
                std_err: 0.0,
                placements: 1,
            },
        );
        let file = model(
            "Demokommun",
            &est,
            &costs,
            5,
            Outcome::StableYears,
            Some(Lever::Move {
                from: Situation::SupportedHousing,
                to: Situation::CaseManagement,
                share: 1.0,
            }),
        );
        let plan = super::super::model::parse(&file.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.cycles, 60);
        let sim = super::super::simulate(&plan, Some((200, 1)), 1, false).unwrap();
        assert_eq!(sim.strategies.len(), 2);
        // Closing bought supported housing for case management: cheaper here, by construction.
        assert!(sim.strategies[1].cost < sim.strategies[0].cost);
        // Outpatient care was never seen: its row stays put, and the assumption says so.
        assert!(plan.assumptions.iter().any(|a| a.contains("Öppenvård")));
        // A price lever: dearer.
        let file = model(
            "Demokommun",
            &est,
            &costs,
            2,
            Outcome::YearsWithoutActiveUse,
            Some(Lever::Price {
                situation: Situation::SupportedHousing,
                factor: 1.5,
            }),
        );
        let plan = super::super::model::parse(&file.to_string()).unwrap();
        let sim = super::super::simulate(&plan, None, 1, false).unwrap();
        assert!(sim.strategies[1].cost > sim.strategies[0].cost);
        assert!((sim.strategies[1].outcome - sim.strategies[0].outcome).abs() < 1e-12);
        // A capacity lever: no places in supported housing beyond those there today — nobody
        // more gets in, those there stay, and the form costs less in all.
        let file = model(
            "Demokommun",
            &est,
            &costs,
            3,
            Outcome::StableYears,
            Some(Lever::Capacity {
                situation: Situation::SupportedHousing,
                places: 0,
            }),
        );
        assert_eq!(file["strategies"][1]["capacities"][0]["max_share"], 0.0);
        let plan = super::super::model::parse(&file.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let runs = super::super::cohort::base_case(&plan).unwrap();
        let k = Situation::SupportedHousing.index();
        for w in runs[1].1.windows(2) {
            assert!(w[1][k] <= w[0][k] + 1e-12, "{} > {}", w[1][k], w[0][k]);
        }
        assert!(runs[1].0.cost < runs[0].0.cost);
        assert!(
            plan.assumptions
                .iter()
                .any(|a| a.contains("högst 0 platser"))
        );
    }

    #[test]
    fn monthly_cost_is_weighted_by_days() {
        let a = ep(
            1,
            Intervention::SupportedHousingExternal,
            "2024-01-01",
            None,
            None,
        );
        let b = ep(
            2,
            Intervention::SupportedHousingExternal,
            "2024-01-01",
            None,
            None,
        );
        // 1 400 kr a day for 100 days and 1 600 kr a day for 300 days.
        let c = monthly_costs(&[(&a, 100 * 140_000, 100), (&b, 300 * 160_000, 300)]);
        let sh = c[&Situation::SupportedHousing];
        assert!((sh.mean - 1550.0 * MONTH_DAYS).abs() < 1e-6);
        assert!(
            (sh.std_err
                - (((1400.0f64 - 1550.0).powi(2) + (1600.0f64 - 1550.0).powi(2)) / 2.0).sqrt()
                    * MONTH_DAYS)
                .abs()
                < 1e-6
        );
        assert_eq!(sh.placements, 2);
    }
}
