//! Assessments with screening instruments (AUDIT, DUDIT) and ASI-style problem-area ratings.

use chrono::NaiveDate;

use crate::ids::{AssessmentId, ClientId, UserId};
use crate::string_enum;

string_enum! {
    pub enum Instrument { Audit = "AUDIT", Dudit = "DUDIT" }
}

/// One administered screening: the answers as item scores, and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub client_id: ClientId,
    pub instrument: Instrument,
    pub answers: Vec<u8>,
    pub total: u8,
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
