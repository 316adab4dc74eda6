//! Scoring of AUDIT and DUDIT: totals, zones and the sex- and age-specific cut-offs of a named,
//! configurable profile. Each default is traceable to the source named beside it.

use chrono::{Datelike, NaiveDate};

use super::Instrument;
use super::items::{self, Item};
use crate::client::Sex;
use crate::error::{FieldError, Msg};
use crate::string_enum;

string_enum! {
    /// The risk zone of a score. AUDIT uses the WHO zones I–IV (with sex-specific bounds in the
    /// Swedish profile); DUDIT has no zones in its manual, only its cut-offs, so its "zone" names
    /// which cut-off the score reaches.
    pub enum Zone {
        I = "I",
        II = "II",
        III = "III",
        IV = "IV",
        Negative = "negative",
        DrugRelatedProblems = "drug_related_problems",
        ProbableDependence = "probable_dependence",
    }
}

string_enum! {
    /// Which cut-off applied, and why.
    pub enum CutoffBasis {
        Man = "man",
        Woman = "woman",
        /// AUDIT: a person over 65 (the lower of the age and the sex cut-off).
        Over65 = "over_65",
        /// DUDIT: 16–25 years (preliminary values).
        YoungMan = "young_man",
        YoungWoman = "young_woman",
        /// Sex not known: the lower (more sensitive) cut-off.
        UnknownSex = "unknown_sex",
    }
}

string_enum! {
    /// The built-in profiles a municipality starts from.
    pub enum ProfileName {
        /// Swedish practice: AUDIT ≥8 men, ≥6 women, 7 over 65 (medicinbasen.se, doktorerna.com),
        /// sex-specific zones of Riddargatan 1 (Beroendecentrum Stockholm); DUDIT per Berman et al.
        SePractice = "se_practice",
        /// The WHO 2001 manual: AUDIT zones 0–7/8–15/16–19/20–40 for everyone, cut-off 8, lowered
        /// by one for women and people over 65; DUDIT per Berman et al.
        Who2001 = "who_2001",
    }
}

impl Zone {
    /// Swedish and English label.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Zone::I => ("Zon I: låg risk", "Zone I: low risk"),
            Zone::II => ("Zon II: riskbruk", "Zone II: hazardous use"),
            Zone::III => ("Zon III: skadligt bruk", "Zone III: harmful use"),
            Zone::IV => ("Zon IV: möjligt beroende", "Zone IV: possible dependence"),
            Zone::Negative => ("Under gränsvärdet", "Below the cut-off"),
            Zone::DrugRelatedProblems => (
                "Sannolikt drogrelaterade problem",
                "Probable drug-related problems",
            ),
            Zone::ProbableDependence => ("Sannolikt beroende", "Probable dependence"),
        }
    }
}

impl CutoffBasis {
    /// Swedish and English label.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            CutoffBasis::Man => ("man", "man"),
            CutoffBasis::Woman => ("kvinna", "woman"),
            CutoffBasis::Over65 => ("över 65 år", "over 65"),
            CutoffBasis::YoungMan => ("man 16–25 år", "man aged 16–25"),
            CutoffBasis::YoungWoman => ("kvinna 16–25 år", "woman aged 16–25"),
            CutoffBasis::UnknownSex => (
                "okänt kön: den lägre gränsen",
                "sex unknown: the lower cut-off",
            ),
        }
    }
}

/// The cut-offs and zone bounds a municipality screens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutoffProfile {
    pub name: ProfileName,
    pub audit_men: u8,
    pub audit_women: u8,
    /// For people over 65, whichever is lower of this and the sex cut-off.
    pub audit_over_65: u8,
    /// Lower bounds of zones II, III and IV for men (and for unknown sex).
    pub audit_zones_men: [u8; 3],
    pub audit_zones_women: [u8; 3],
    pub dudit_men: u8,
    pub dudit_women: u8,
    /// Ages 16–25 (Socialstyrelsen's metodguiden: "Dessa siffror är preliminära").
    pub dudit_young_men: u8,
    pub dudit_young_women: u8,
    /// Probable dependence, either sex (Berman et al. 2005: sensitivity 90%, specificity 88%).
    pub dudit_dependence: u8,
}

impl CutoffProfile {
    pub fn builtin(name: ProfileName) -> Self {
        match name {
            ProfileName::SePractice => Self {
                name,
                audit_men: 8,
                audit_women: 6,
                audit_over_65: 7,
                audit_zones_men: [8, 16, 20],
                audit_zones_women: [6, 14, 18],
                dudit_men: 6,
                dudit_women: 2,
                dudit_young_men: 7,
                dudit_young_women: 3,
                dudit_dependence: 25,
            },
            ProfileName::Who2001 => Self {
                name,
                audit_men: 8,
                audit_women: 7,
                audit_over_65: 7,
                audit_zones_men: [8, 16, 20],
                audit_zones_women: [8, 16, 20],
                ..Self::builtin(ProfileName::SePractice)
            },
        }
    }

    /// Every key a municipality can set, in a stable order (stored as `screening.<key>`).
    pub const KEYS: &'static [&'static str] = &[
        "profile",
        "audit_men",
        "audit_women",
        "audit_over_65",
        "dudit_men",
        "dudit_women",
        "dudit_young_men",
        "dudit_young_women",
        "dudit_dependence",
    ];

    /// The settings as key–value pairs (the zone bounds follow the profile).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let numbers = [
            self.audit_men,
            self.audit_women,
            self.audit_over_65,
            self.dudit_men,
            self.dudit_women,
            self.dudit_young_men,
            self.dudit_young_women,
            self.dudit_dependence,
        ];
        std::iter::once(("profile", self.name.as_str().to_owned()))
            .chain(
                Self::KEYS[1..]
                    .iter()
                    .copied()
                    .zip(numbers.map(|n| n.to_string())),
            )
            .collect()
    }

    /// Sets one value. `profile` resets every value to that built-in profile's, so it is applied
    /// first by [`CutoffProfile::from_pairs`].
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), FieldError> {
        if key == "profile" {
            let name: ProfileName = value
                .trim()
                .parse()
                .map_err(|e: crate::error::UnknownName| e.for_field(key))?;
            *self = Self::builtin(name);
            return Ok(());
        }
        let (max, slot) = match key {
            "audit_men" => (40, &mut self.audit_men),
            "audit_women" => (40, &mut self.audit_women),
            "audit_over_65" => (40, &mut self.audit_over_65),
            "dudit_men" => (44, &mut self.dudit_men),
            "dudit_women" => (44, &mut self.dudit_women),
            "dudit_young_men" => (44, &mut self.dudit_young_men),
            "dudit_young_women" => (44, &mut self.dudit_young_women),
            "dudit_dependence" => (44, &mut self.dudit_dependence),
            _ => {
                let allowed = Self::KEYS.join(", ");
                return Err(FieldError::new(
                    key,
                    "unknown_setting",
                    Msg::new(
                        format!("Okänd inställning. Tillåtna: {allowed}."),
                        format!("Unknown setting. Allowed: {allowed}."),
                    ),
                ));
            }
        };
        *slot = value
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                FieldError::new(
                    key,
                    "out_of_range",
                    Msg::new(
                        format!("Ange ett heltal 1–{max}."),
                        format!("Give a whole number 1–{max}."),
                    ),
                )
            })?;
        Ok(())
    }

    /// The profile from stored pairs: `profile` first, then the rest. Pairs that do not parse are
    /// returned, not applied.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Self, Vec<FieldError>) {
        let mut pairs: Vec<_> = pairs.into_iter().collect();
        pairs.sort_by_key(|(k, _)| *k != "profile");
        let mut profile = Self::default();
        let mut skipped = Vec::new();
        for (k, v) in pairs {
            if let Err(e) = profile.set(k, v) {
                skipped.push(e);
            }
        }
        (profile, skipped)
    }
}

impl Default for CutoffProfile {
    fn default() -> Self {
        Self::builtin(ProfileName::SePractice)
    }
}

/// Who answered, as far as the cut-offs care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Respondent {
    pub sex: Sex,
    /// Whole years on the day of the assessment.
    pub age: u32,
}

impl Respondent {
    pub fn new(sex: Sex, birth_date: NaiveDate, on: NaiveDate) -> Self {
        Self {
            sex,
            age: age_on(birth_date, on),
        }
    }
}

/// Whole years from `birth` to `on` (0 before the first birthday; a 29 February birthday is
/// reached on 1 March in other years).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// The result of scoring one administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub total: u8,
    /// AUDIT-C, the sum of AUDIT items 1–3 (0–12); `None` for DUDIT.
    pub audit_c: Option<u8>,
    pub zone: Zone,
    pub cutoff: u8,
    pub cutoff_basis: CutoffBasis,
    pub above_cutoff: bool,
    pub profile: ProfileName,
}

/// Checks the answers against the instrument's items. Each wrong answer is named by its item
/// (`answers[8]` is item 9), with the valid points.
pub fn check_answers(instrument: Instrument, answers: &[i64]) -> Result<Vec<u8>, Vec<FieldError>> {
    let items = items::items(instrument);
    if answers.len() != items.len() {
        return Err(vec![FieldError::new(
            "answers",
            "wrong_count",
            Msg::new(
                format!(
                    "{instrument} har {} frågor; {} svar kom.",
                    items.len(),
                    answers.len()
                ),
                format!(
                    "{instrument} has {} items; {} answers were given.",
                    items.len(),
                    answers.len()
                ),
            ),
        )]);
    }
    let mut errors = Vec::new();
    let mut points = Vec::with_capacity(items.len());
    for (i, (item, &answer)) in items.iter().zip(answers).enumerate() {
        match u8::try_from(answer)
            .ok()
            .filter(|a| item.points().any(|p| p == *a))
        {
            Some(p) => points.push(p),
            None => errors.push(invalid_answer(i, item, answer)),
        }
    }
    if errors.is_empty() {
        Ok(points)
    } else {
        Err(errors)
    }
}

fn invalid_answer(index: usize, item: &Item, answer: i64) -> FieldError {
    let valid = item
        .points()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    FieldError::new(
        format!("answers[{index}]"),
        "invalid_answer",
        Msg::new(
            format!(
                "Fråga {}: {answer} är inte ett giltigt svar. Giltiga poäng: {valid}.",
                item.number
            ),
            format!(
                "Item {}: {answer} is not a valid answer. Valid points: {valid}.",
                item.number
            ),
        ),
    )
}

/// Scores checked answers (see [`check_answers`]) for a respondent under a profile.
pub fn score(instrument: Instrument, points: &[u8], who: Respondent, p: &CutoffProfile) -> Score {
    let total: u8 = points.iter().sum();
    match instrument {
        Instrument::Audit => {
            let (sex_cutoff, sex_basis, zones) = match who.sex {
                Sex::Male => (p.audit_men, CutoffBasis::Man, p.audit_zones_men),
                Sex::Female => (p.audit_women, CutoffBasis::Woman, p.audit_zones_women),
                Sex::Unknown => (
                    p.audit_men.min(p.audit_women),
                    CutoffBasis::UnknownSex,
                    if p.audit_women <= p.audit_men {
                        p.audit_zones_women
                    } else {
                        p.audit_zones_men
                    },
                ),
            };
            let (cutoff, cutoff_basis) = if who.age > 65 && p.audit_over_65 < sex_cutoff {
                (p.audit_over_65, CutoffBasis::Over65)
            } else {
                (sex_cutoff, sex_basis)
            };
            let zone = match zones {
                [_, _, iv] if total >= iv => Zone::IV,
                [_, iii, _] if total >= iii => Zone::III,
                [ii, _, _] if total >= ii => Zone::II,
                _ => Zone::I,
            };
            Score {
                total,
                audit_c: Some(points.iter().take(3).sum()),
                zone,
                cutoff,
                cutoff_basis,
                above_cutoff: total >= cutoff,
                profile: p.name,
            }
        }
        Instrument::Dudit => {
            let young = (16..=25).contains(&who.age);
            let (cutoff, cutoff_basis) = match (who.sex, young) {
                (Sex::Male, false) => (p.dudit_men, CutoffBasis::Man),
                (Sex::Male, true) => (p.dudit_young_men, CutoffBasis::YoungMan),
                (Sex::Female, false) => (p.dudit_women, CutoffBasis::Woman),
                (Sex::Female, true) => (p.dudit_young_women, CutoffBasis::YoungWoman),
                (Sex::Unknown, false) => (p.dudit_men.min(p.dudit_women), CutoffBasis::UnknownSex),
                (Sex::Unknown, true) => (
                    p.dudit_young_men.min(p.dudit_young_women),
                    CutoffBasis::UnknownSex,
                ),
            };
            let zone = if total >= p.dudit_dependence {
                Zone::ProbableDependence
            } else if total >= cutoff {
                Zone::DrugRelatedProblems
            } else {
                Zone::Negative
            };
            Score {
                total,
                audit_c: None,
                zone,
                cutoff,
                cutoff_basis,
                above_cutoff: total >= cutoff,
                profile: p.name,
            }
        }
    }
}
