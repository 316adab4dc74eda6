//! Placements (verkställighet): an intervention carried out at a provider or unit, with dates and price.

use chrono::NaiveDate;

use crate::ids::{CaseId, ClientId, DecisionId, HousingUnitId, PlacementId, ProviderId};
use crate::intervention::Intervention;
use crate::money::Money;
use crate::string_enum;

string_enum! {
    pub enum EndReason {
        CompletedAsPlanned = "completed_as_planned",
        Relapse = "relapse",
        BrokenOffByClient = "broken_off_by_client",
        EvictedOrDischarged = "evicted_or_discharged",
        Moved = "moved",
        Died = "died",
        Other = "other",
    }
}

/// A placement. `end` is the last day of the placement (inclusive); `None` while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub id: PlacementId,
    pub client_id: ClientId,
    pub case_id: Option<CaseId>,
    pub decision_id: Option<DecisionId>,
    pub intervention: Intervention,
    pub provider_id: Option<ProviderId>,
    pub housing_unit_id: Option<HousingUnitId>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub daily_price: Money,
    /// Why the price differs from the contract's, when it does.
    pub price_reason: Option<String>,
    pub end_reason: Option<EndReason>,
}
