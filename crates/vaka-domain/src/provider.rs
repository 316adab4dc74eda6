//! Providers (utförare), their contracts and price lists, housing units and budgets.

use chrono::NaiveDate;

use crate::ids::{BudgetId, ContractId, HousingUnitId, MunicipalityId, ProviderId};
use crate::intervention::Intervention;
use crate::money::Money;
use crate::organisation_number::OrganisationNumber;
use crate::string_enum;

/// A company or foundation that sells places, or the municipality's own regi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: ProviderId,
    pub municipality_id: MunicipalityId,
    pub name: String,
    pub organisation_number: Option<OrganisationNumber>,
    pub internal: bool,
}

/// A contract (avtal, often a ramavtal from procurement), valid for a period, with prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: ContractId,
    pub provider_id: ProviderId,
    pub reference: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub prices: Vec<ContractPrice>,
    /// Share of staffed hours covered by staff with post-secondary education, in per cent.
    pub required_educated_staff_pct: Option<u8>,
    pub sobriety_policy: bool,
    pub reports_results: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractPrice {
    pub intervention: Intervention,
    pub daily_price: Money,
}

string_enum! {
    pub enum HousingKind {
        TrainingApartment = "training_apartment",
        SupportedHousingInternal = "supported_housing_internal",
    }
}

/// A flat or a place of the municipality's own: a training apartment or internal supported housing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HousingUnit {
    pub id: HousingUnitId,
    pub municipality_id: MunicipalityId,
    pub kind: HousingKind,
    pub label: String,
    pub address: Option<String>,
    pub sobriety_required: bool,
    pub monthly_cost: Money,
}

/// The annual budget for one intervention type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub id: BudgetId,
    pub municipality_id: MunicipalityId,
    pub year: i32,
    pub intervention: Intervention,
    pub amount: Money,
}
