//! Organisation numbers (organisationsnummer) of providers: ten digits, the last a Luhn check digit.

use std::fmt;

use crate::error::{FieldError, Msg};
use crate::personal_number::luhn_check_digit;

/// A valid Swedish organisation number, stored as ten digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OrganisationNumber(String);

impl OrganisationNumber {
    /// Accepts `NNNNNN-NNNN` or ten digits (and the 12-digit form with the `16` prefix).
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        // NNNNNN-NNNN, or the 12-digit form with the prefix 16 (16NNNNNN-NNNN), hyphen optional.
        let hyphen_at = if s.len() == 13 { 8 } else { 6 };
        let without_hyphen = match s.char_indices().nth(hyphen_at) {
            Some((i, '-')) if s.len() == 11 || s.len() == 13 => {
                format!("{}{}", &s[..i], &s[i + 1..])
            }
            _ => s.to_owned(),
        };
        let compact = match without_hyphen.strip_prefix("16") {
            Some(rest) if without_hyphen.len() == 12 => rest.to_owned(),
            _ => without_hyphen,
        };
        let format_error = || {
            FieldError::new(
                field,
                "invalid_format",
                Msg::new(
                    "Ange organisationsnummer som NNNNNN-NNNN.",
                    "Give the organisation number as NNNNNN-NNNN.",
                ),
            )
        };
        if compact.len() != 10 || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format_error());
        }
        let digits: Vec<u8> = compact.bytes().map(|b| b - b'0').collect();
        if luhn_check_digit(&digits[..9]) != digits[9] {
            return Err(FieldError::new(
                field,
                "invalid_check_digit",
                Msg::new(
                    "Kontrollsiffran stämmer inte.",
                    "The check digit does not match.",
                ),
            ));
        }
        Ok(Self(compact))
    }

    /// The ten stored digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrganisationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..6], &self.0[6..])
    }
}

impl fmt::Debug for OrganisationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrganisationNumber({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_organisation_numbers_parse() {
        // Skatteverket 202100-5448 and Volvo 556012-5790, both published.
        for s in ["202100-5448", "2021005448", "556012-5790", "16556012-5790"] {
            assert!(
                OrganisationNumber::parse("organisation_number", s).is_ok(),
                "{s}"
            );
        }
        assert_eq!(
            OrganisationNumber::parse("o", "5560125790")
                .unwrap()
                .to_string(),
            "556012-5790"
        );
    }

    #[test]
    fn wrong_check_digit_or_format_is_refused_naming_the_field() {
        let e = OrganisationNumber::parse("organisation_number", "556012-5791").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("organisation_number", "invalid_check_digit")
        );
        for s in [
            "55601-25790",
            "abc",
            "",
            "556012579",
            "5560125790x",
            "17556012-5790",
            "åäö",
        ] {
            assert_eq!(
                OrganisationNumber::parse("o", s).unwrap_err().code,
                "invalid_format",
                "{s}"
            );
        }
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_fits(nine in proptest::collection::vec(0u8..10, 9), last in 0u8..10) {
            let s: String = nine.iter().chain(std::iter::once(&last)).map(|d| char::from(b'0' + d)).collect();
            prop_assert_eq!(OrganisationNumber::parse("o", &s).is_ok(), luhn_check_digit(&nine) == last);
        }
    }
}
