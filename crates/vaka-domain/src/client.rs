//! The client (klient, den enskilde): the person helped, and the rules for registering one.

use chrono::NaiveDate;

use crate::error::{FieldError, Msg, optional_text, required_text};
use crate::ids::{ClientId, MunicipalityId, UnitId};
use crate::personal_number::PersonalNumber;
use crate::string_enum;

string_enum! {
    /// Legal sex of record. Stored on its own: the personnummer's sex digit is not the legal sex.
    pub enum Sex { Female = "female", Male = "male", Unknown = "unknown" }
}

string_enum! {
    /// Skyddade personuppgifter (OSL 26 kap., Skatteverket's three levels).
    pub enum Protection {
        /// No protection.
        None = "none",
        /// Sekretessmarkering.
        ConfidentialityMark = "confidentiality_mark",
        /// Skyddad folkbokföring (formerly kvarskrivning).
        ProtectedRegistration = "protected_registration",
        /// Fingerade personuppgifter.
        AssumedIdentity = "assumed_identity",
    }
}

impl Sex {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Female => ("Kvinna", "Female"),
            Self::Male => ("Man", "Male"),
            Self::Unknown => ("Okänt", "Unknown"),
        }
    }
}

impl Protection {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::None => ("Inget skydd", "No protection"),
            Self::ConfidentialityMark => ("Sekretessmarkering", "Confidentiality mark"),
            Self::ProtectedRegistration => ("Skyddad folkbokföring", "Protected registration"),
            Self::AssumedIdentity => ("Fingerade personuppgifter", "Assumed identity"),
        }
    }

    /// Whether name and address must be hidden from users without the right to see protected identities.
    pub fn is_protected(self) -> bool {
        self != Protection::None
    }
}

/// A registered client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub municipality_id: MunicipalityId,
    /// The unit responsible for the client.
    pub unit_id: UnitId,
    pub personal_number: PersonalNumber,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub protection: Protection,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// What a user sends to register a client, before validation.
#[derive(Debug, Clone, Default)]
pub struct ClientInput<'a> {
    pub personal_number: Option<&'a str>,
    pub given_name: Option<&'a str>,
    pub family_name: Option<&'a str>,
    /// Legal sex when it is known to differ from, or cannot be read from, the number.
    pub sex: Option<&'a str>,
    pub protection: Option<&'a str>,
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// A validated new client: every field is checked, names trimmed, the number normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    pub personal_number: PersonalNumber,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub protection: Protection,
    pub address: Option<String>,
    pub phone: Option<String>,
}

pub const NAME_MAX: usize = 100;

impl NewClient {
    /// Validates input, reporting every invalid field (not only the first).
    pub fn parse(input: &ClientInput<'_>, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let number = match input
            .personal_number
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                errors.push(FieldError::required("personal_number"));
                None
            }
            Some(s) => PersonalNumber::parse(s, today)
                .map_err(|e| errors.push(e.for_field("personal_number")))
                .ok(),
        };
        let given = required_text("given_name", input.given_name.unwrap_or(""), NAME_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        let family = required_text("family_name", input.family_name.unwrap_or(""), NAME_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        let sex = match input.sex.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => s
                .parse::<Sex>()
                .map_err(|e| errors.push(e.for_field("sex")))
                .ok(),
        };
        let protection = match input.protection.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(Protection::None),
            Some(s) => s
                .parse::<Protection>()
                .map_err(|e| errors.push(e.for_field("protection")))
                .ok(),
        };
        let address = optional_text("address", input.address, 200)
            .map_err(|e| errors.push(e))
            .ok();
        let phone = match optional_text("phone", input.phone, 30) {
            Ok(Some(p)) if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) => {
                errors.push(FieldError::new(
                    "phone",
                    "invalid_phone",
                    Msg::new(
                        "Telefonnumret får bara innehålla siffror, mellanslag och + - ( ).",
                        "A phone number may contain only digits, spaces and + - ( ).",
                    ),
                ));
                None
            }
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match (number, given, family, protection, address, phone) {
            (
                Some(n),
                Some(given_name),
                Some(family_name),
                Some(protection),
                Some(address),
                Some(phone),
            ) if errors.is_empty() => {
                let sex = sex.unwrap_or_else(|| n.sex_digit_implies());
                Ok(NewClient {
                    birth_date: n.birth_date(),
                    personal_number: n,
                    given_name,
                    family_name,
                    sex,
                    protection,
                    address,
                    phone,
                })
            }
            _ => Err(errors),
        }
    }
}

impl Client {
    /// The names of the fields `new` would change, in the order of the form.
    pub fn changed_fields(&self, new: &NewClient) -> Vec<&'static str> {
        [
            (
                "personal_number",
                self.personal_number.canonical() != new.personal_number.canonical(),
            ),
            ("given_name", self.given_name != new.given_name),
            ("family_name", self.family_name != new.family_name),
            ("sex", self.sex != new.sex),
            ("protection", self.protection != new.protection),
            ("address", self.address != new.address),
            ("phone", self.phone != new.phone),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changed_fields_are_named_and_nothing_else() {
        let new = |number: &str, phone: Option<&str>| {
            NewClient::parse(
                &ClientInput {
                    personal_number: Some(number),
                    given_name: Some("Tolvan"),
                    family_name: Some("Tolvansson"),
                    phone,
                    ..Default::default()
                },
                today(),
            )
            .unwrap()
        };
        let first = new("19700101-R001", None);
        let client = Client {
            id: crate::ids::ClientId(1),
            municipality_id: MunicipalityId(1),
            unit_id: crate::ids::UnitId(1),
            personal_number: first.personal_number.clone(),
            given_name: first.given_name.clone(),
            family_name: first.family_name.clone(),
            birth_date: first.birth_date,
            sex: first.sex,
            protection: first.protection,
            address: None,
            phone: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert!(client.changed_fields(&first).is_empty());
        assert_eq!(
            client.changed_fields(&new("19121212-1212", Some("070-123 45 67"))),
            ["personal_number", "sex", "phone"]
        );
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_valid_client_gets_birth_date_and_sex_from_the_number() {
        let c = NewClient::parse(
            &ClientInput {
                personal_number: Some("121212-1212"),
                given_name: Some(" Tolvan "),
                family_name: Some("Tolvansson"),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(c.personal_number.canonical(), "201212121212");
        assert_eq!(c.given_name, "Tolvan");
        assert_eq!(c.sex, Sex::Male);
        assert_eq!(c.protection, Protection::None);
    }

    #[test]
    fn a_stated_legal_sex_wins_over_the_sex_digit() {
        let c = NewClient::parse(
            &ClientInput {
                personal_number: Some("19121212-1212"),
                given_name: Some("A"),
                family_name: Some("B"),
                sex: Some("female"),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(c.sex, Sex::Female);
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let errs = NewClient::parse(
            &ClientInput {
                personal_number: Some("19121212-1213"),
                given_name: Some(""),
                family_name: None,
                sex: Some("x"),
                protection: Some("secret"),
                phone: Some("070-abc"),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("personal_number", "invalid_check_digit"),
                ("given_name", "required"),
                ("family_name", "required"),
                ("sex", "unknown_value"),
                ("protection", "unknown_value"),
                ("phone", "invalid_phone"),
            ]
        );
        assert!(
            errs.iter()
                .all(|e| !e.message.sv.is_empty() && !e.message.en.is_empty())
        );
    }
}
