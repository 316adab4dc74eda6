//! Cases (ärenden): one matter about a client, from application to closure, with its case managers.

use chrono::NaiveDate;

use crate::ids::{CaseId, ClientId, UnitId, UserId};
use crate::string_enum;

string_enum! {
    pub enum CaseStatus { Open = "open", Closed = "closed" }
}

/// A case, handled by a unit, with one or more assigned case managers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub client_id: ClientId,
    pub unit_id: UnitId,
    pub status: CaseStatus,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub case_managers: Vec<UserId>,
}

string_enum! {
    /// How the unit came to know of the need.
    pub enum CaseOrigin {
        Application = "application",
        Report = "report",
        Referral = "referral",
        Other = "other",
    }
}
