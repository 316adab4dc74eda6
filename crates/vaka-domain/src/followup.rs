//! Outcome follow-ups (uppföljning) at intake, 6 and 12 months. A missed follow-up is recorded with
//! its reason, never dropped: attrition is part of the truth.

use chrono::NaiveDate;

use crate::contact::Housing;
use crate::ids::{ClientId, FollowUpId, PlacementId};
use crate::string_enum;

string_enum! {
    pub enum Timepoint { Intake = "intake", Month6 = "month_6", Month12 = "month_12" }
}

string_enum! {
    pub enum FollowUpStatus { Due = "due", Done = "done", Missed = "missed" }
}

string_enum! {
    pub enum MissedReason {
        NotReached = "not_reached",
        Declined = "declined",
        Moved = "moved",
        Died = "died",
        Other = "other",
    }
}

string_enum! {
    pub enum Occupation {
        Work = "work",
        Studies = "studies",
        Activity = "activity",
        None = "none",
        Unknown = "unknown",
    }
}

/// A structured follow-up with the outcome measures used in Swedish practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub client_id: ClientId,
    pub placement_id: Option<PlacementId>,
    pub timepoint: Timepoint,
    pub due_on: NaiveDate,
    pub status: FollowUpStatus,
    pub done_on: Option<NaiveDate>,
    pub missed_reason: Option<MissedReason>,
    pub days_alcohol_30: Option<u8>,
    pub days_drugs_30: Option<u8>,
    pub housing: Option<Housing>,
    pub occupation: Option<Occupation>,
    pub crime_30: Option<bool>,
    /// Self-rated health 1–5.
    pub self_rated_health: Option<u8>,
    /// Quality of life 0–10.
    pub quality_of_life: Option<u8>,
    /// Interviewer severity rating 0–9 per ASI area, where rated.
    pub asi_ratings: Vec<(crate::assessment::AsiArea, u8)>,
}
