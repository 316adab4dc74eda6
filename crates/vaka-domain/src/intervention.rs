//! Interventions (insatser): the kinds of help a decision grants and a placement carries out.

use crate::string_enum;

string_enum! {
    /// The kind of help. The names are a contract (API, database, CSV).
    pub enum Intervention {
        CaseManagement = "case_management",
        TrainingApartment = "training_apartment",
        SupportedHousingInternal = "supported_housing_internal",
        SupportedHousingExternal = "supported_housing_external",
        TreatmentHome = "treatment_home",
        Outpatient = "outpatient",
        MedicationAssisted = "medication_assisted",
        Other = "other",
    }
}

impl Intervention {
    /// Swedish and English names for the UI and reports.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::CaseManagement => ("Case management", "Case management"),
            Self::TrainingApartment => ("Träningslägenhet", "Training apartment"),
            Self::SupportedHousingInternal => {
                ("Stödboende (egen regi)", "Supported housing (internal)")
            }
            Self::SupportedHousingExternal => {
                ("Stödboende (extern)", "Supported housing (external)")
            }
            Self::TreatmentHome => ("Behandlingshem/HVB", "Treatment home"),
            Self::Outpatient => ("Öppenvård", "Outpatient care"),
            Self::MedicationAssisted => (
                "Läkemedelsassisterad behandling",
                "Medication-assisted treatment",
            ),
            Self::Other => ("Annan insats", "Other"),
        }
    }

    /// The Swedish noun as it reads inside a sentence of a decision letter.
    pub fn in_sentence(self) -> &'static str {
        match self {
            Self::CaseManagement => "case management",
            Self::TrainingApartment => "träningslägenhet",
            Self::SupportedHousingInternal => "stödboende i kommunens egen regi",
            Self::SupportedHousingExternal => "stödboende",
            Self::TreatmentHome => "behandlingshem (HVB)",
            Self::Outpatient => "öppenvård",
            Self::MedicationAssisted => "läkemedelsassisterad behandling",
            Self::Other => "insats",
        }
    }

    /// Days between contacts before the missed-contact alert fires, by default. A municipality
    /// can change these in its settings.
    pub fn default_contact_interval_days(self) -> Option<u32> {
        match self {
            Self::CaseManagement => Some(2),
            Self::TrainingApartment | Self::SupportedHousingInternal => Some(7),
            Self::Outpatient | Self::MedicationAssisted => Some(14),
            Self::SupportedHousingExternal | Self::TreatmentHome => Some(30),
            Self::Other => None,
        }
    }

    /// Bought per day from a provider (or a unit of one's own), so it has a daily price.
    pub fn is_priced_per_day(self) -> bool {
        !matches!(self, Self::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervention_names_are_the_contract() {
        let names: Vec<_> = Intervention::ALL.iter().map(|i| i.as_str()).collect();
        assert_eq!(
            names,
            [
                "case_management",
                "training_apartment",
                "supported_housing_internal",
                "supported_housing_external",
                "treatment_home",
                "outpatient",
                "medication_assisted",
                "other"
            ]
        );
        for i in Intervention::ALL {
            assert_eq!(i.as_str().parse::<Intervention>(), Ok(*i));
            assert_eq!(
                serde_json::to_string(i).unwrap(),
                format!("\"{}\"", i.as_str())
            );
        }
    }

    #[test]
    fn case_management_expects_contact_every_other_day() {
        assert_eq!(
            Intervention::CaseManagement.default_contact_interval_days(),
            Some(2)
        );
    }
}
