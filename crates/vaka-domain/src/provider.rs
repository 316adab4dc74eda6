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
    /// Treatment methods the provider must offer.
    pub methods: Vec<TreatmentMethod>,
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

string_enum! {
    /// Psychosocial treatment methods named in procurement. Which of them the national guidelines
    /// recommend is [`TreatmentMethod::recommended`].
    pub enum TreatmentMethod {
        Cbt = "cbt",
        RelapsePrevention = "relapse_prevention",
        MotivationalInterviewing = "motivational_interviewing",
        CommunityReinforcement = "community_reinforcement",
        TwelveStepFacilitation = "twelve_step_facilitation",
        SocialNetworkTherapy = "social_network_therapy",
        ContingencyManagement = "contingency_management",
        MilieuTherapy = "milieu_therapy",
        Other = "other",
    }
}

impl TreatmentMethod {
    /// Recommended for alcohol or drug dependence in Socialstyrelsen's national guidelines for care
    /// and support in addiction (2019, updated since): CBT, relapse prevention, MI (with other
    /// treatment), CRA, twelve-step facilitation, social network therapy (SBNT) and contingency
    /// management. Milieu therapy has no recommendation. Check against the guidelines in force.
    pub fn recommended(self) -> bool {
        !matches!(self, Self::MilieuTherapy | Self::Other)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Cbt => ("KBT", "CBT"),
            Self::RelapsePrevention => ("Återfallsprevention", "Relapse prevention"),
            Self::MotivationalInterviewing => ("MI", "Motivational interviewing"),
            Self::CommunityReinforcement => ("CRA", "Community reinforcement approach"),
            Self::TwelveStepFacilitation => ("12-stegsbehandling", "Twelve-step facilitation"),
            Self::SocialNetworkTherapy => {
                ("Social nätverksterapi (SBNT)", "Social network therapy")
            }
            Self::ContingencyManagement => ("Contingency management", "Contingency management"),
            Self::MilieuTherapy => ("Miljöterapi", "Milieu therapy"),
            Self::Other => ("Annan metod", "Other method"),
        }
    }
}

/// What an inspection or a provider's own report found (tillsyn, uppföljning av avtal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub on: NaiveDate,
    pub educated_staff_pct: Option<u8>,
    pub methods: Vec<TreatmentMethod>,
    pub sobriety_policy: Option<bool>,
    pub reports_results: Option<bool>,
    pub note: Option<String>,
}

/// One quality requirement of a contract against what was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequirementCheck {
    /// A stable name: `educated_staff_pct`, `methods`, `sobriety_policy`, `reports_results`.
    pub requirement: &'static str,
    pub required: String,
    pub found: Option<String>,
    /// `None` when the inspection did not look at it.
    pub met: Option<bool>,
}

impl RequirementCheck {
    /// Swedish and English names of the requirement.
    pub fn label(&self) -> (&'static str, &'static str) {
        match self.requirement {
            "educated_staff_pct" => ("Andel utbildad personal", "Share of educated staff"),
            "methods" => ("Behandlingsmetoder", "Treatment methods"),
            "sobriety_policy" => ("Drogfrihetspolicy", "Sobriety policy"),
            "reports_results" => ("Resultatrapportering", "Reporting of results"),
            other => (other, other),
        }
    }
}

/// Checks each requirement of `contract` against `found`.
pub fn compliance(contract: &Contract, found: &Inspection) -> Vec<RequirementCheck> {
    let mut checks = Vec::new();
    if let Some(required) = contract.required_educated_staff_pct {
        checks.push(RequirementCheck {
            requirement: "educated_staff_pct",
            required: format!("≥ {required} %"),
            found: found.educated_staff_pct.map(|p| format!("{p} %")),
            met: found.educated_staff_pct.map(|p| p >= required),
        });
    }
    if !contract.methods.is_empty() {
        let missing: Vec<&str> = contract
            .methods
            .iter()
            .filter(|m| !found.methods.contains(m))
            .map(|m| m.as_str())
            .collect();
        let names =
            |ms: &[TreatmentMethod]| ms.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
        checks.push(RequirementCheck {
            requirement: "methods",
            required: names(&contract.methods),
            found: (!found.methods.is_empty()).then(|| names(&found.methods)),
            met: (!found.methods.is_empty()).then_some(missing.is_empty()),
        });
    }
    for (requirement, required, seen) in [
        (
            "sobriety_policy",
            contract.sobriety_policy,
            found.sobriety_policy,
        ),
        (
            "reports_results",
            contract.reports_results,
            found.reports_results,
        ),
    ] {
        if required {
            checks.push(RequirementCheck {
                requirement,
                required: "yes".into(),
                found: seen.map(|b| if b { "yes" } else { "no" }.into()),
                met: seen,
            });
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ContractId, ProviderId};

    fn contract() -> Contract {
        Contract {
            id: ContractId(1),
            provider_id: ProviderId(1),
            reference: "RA-2026".into(),
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            valid_to: None,
            prices: vec![],
            required_educated_staff_pct: Some(60),
            sobriety_policy: true,
            reports_results: true,
            methods: vec![
                TreatmentMethod::Cbt,
                TreatmentMethod::TwelveStepFacilitation,
            ],
        }
    }

    #[test]
    fn compliance_checks_each_requirement() {
        let found = Inspection {
            on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            educated_staff_pct: Some(55),
            methods: vec![TreatmentMethod::Cbt, TreatmentMethod::MilieuTherapy],
            sobriety_policy: Some(true),
            reports_results: None,
            note: None,
        };
        let checks = compliance(&contract(), &found);
        let met: Vec<_> = checks.iter().map(|c| (c.requirement, c.met)).collect();
        assert_eq!(
            met,
            [
                ("educated_staff_pct", Some(false)),
                ("methods", Some(false)),
                ("sobriety_policy", Some(true)),
                ("reports_results", None),
            ]
        );
        let good = Inspection {
            educated_staff_pct: Some(60),
            methods: vec![
                TreatmentMethod::TwelveStepFacilitation,
                TreatmentMethod::Cbt,
            ],
            reports_results: Some(true),
            ..found
        };
        assert!(
            compliance(&contract(), &good)
                .iter()
                .all(|c| c.met == Some(true))
        );
    }

    #[test]
    fn milieu_therapy_is_not_a_recommended_method() {
        assert!(TreatmentMethod::Cbt.recommended());
        assert!(!TreatmentMethod::MilieuTherapy.recommended());
    }
}
