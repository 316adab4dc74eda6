//! Assessments with screening instruments (AUDIT, DUDIT) and ASI-style problem-area ratings.
//! The item tables are in [`items`], the scoring and the cut-off profiles in [`scoring`].

pub mod items;
pub mod scoring;

use chrono::NaiveDate;

use crate::ids::{AssessmentId, ClientId, UserId};
use crate::string_enum;

pub use scoring::{CutoffBasis, CutoffProfile, ProfileName, Respondent, Score, Zone};

string_enum! {
    pub enum Instrument { Audit = "AUDIT", Dudit = "DUDIT" }
}

/// One administered screening: the answers as item points, and the score as it was given on the
/// day under the municipality's profile then (a later profile change does not rewrite history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub client_id: ClientId,
    pub instrument: Instrument,
    pub answers: Vec<u8>,
    pub score: Score,
    pub administered_on: NaiveDate,
    pub administered_by: UserId,
}

string_enum! {
    /// The seven ASI problem areas. Item texts belong to Socialstyrelsen; Vaka stores codes and ratings.
    pub enum AsiArea {
        PhysicalHealth = "physical_health",
        EmploymentSupport = "employment_support",
        Alcohol = "alcohol",
        Drugs = "drugs",
        Legal = "legal",
        FamilySocial = "family_social",
        Psychiatric = "psychiatric",
    }
}

impl AsiArea {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            AsiArea::PhysicalHealth => ("Fysisk hälsa", "Physical health"),
            AsiArea::EmploymentSupport => ("Arbete och försörjning", "Employment and support"),
            AsiArea::Alcohol => ("Alkohol", "Alcohol"),
            AsiArea::Drugs => ("Narkotika", "Drugs"),
            AsiArea::Legal => ("Kriminalitet", "Legal"),
            AsiArea::FamilySocial => ("Familj och umgänge", "Family and social relations"),
            AsiArea::Psychiatric => ("Psykisk hälsa", "Psychiatric"),
        }
    }
}

/// The highest interviewer severity rating in ASI (0 no problem … 9 extreme problem).
pub const ASI_MAX_RATING: u8 = 9;

#[cfg(test)]
mod tests;
