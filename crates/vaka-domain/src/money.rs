//! Money as whole öre: never a float, never ambiguous about the unit.

use std::fmt;

use crate::error::{FieldError, Msg};

/// An amount in öre (1 SEK = 100 öre). Negative amounts exist (credits, corrections).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_sek(sek: i64) -> Self {
        Money(sek * 100)
    }

    pub fn ore(self) -> i64 {
        self.0
    }

    /// `self × n`, or `None` on overflow.
    pub fn times(self, n: i64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }

    /// An amount in öre that may not be negative.
    pub fn non_negative(field: &str, ore: i64) -> Result<Money, FieldError> {
        if ore < 0 {
            return Err(FieldError::new(
                field,
                "negative",
                Msg::new(
                    "Beloppet kan inte vara negativt.",
                    "The amount cannot be negative.",
                ),
            ));
        }
        Ok(Money(ore))
    }

    /// Parses a Swedish-written amount in kronor: `1400`, `1 400`, `1400,50`, `1 400,50 kr`.
    pub fn parse_sek(field: &str, input: &str) -> Result<Money, FieldError> {
        let err = || {
            FieldError::new(
                field,
                "invalid_amount",
                Msg::new(
                    "Ange ett belopp i kronor, t.ex. 1 400 eller 1 400,50.",
                    "Give an amount in SEK, e.g. 1400 or 1400.50.",
                ),
            )
        };
        let s: String = input
            .trim()
            .trim_end_matches("kr")
            .trim_end_matches("SEK")
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
            .collect();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.to_owned()),
            None => (false, s),
        };
        let (whole, frac) = match s.split_once([',', '.']) {
            Some((w, f)) => (w, f),
            None => (s.as_str(), ""),
        };
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let kr: i64 = whole.parse().map_err(|_| err())?;
        let ore: i64 = format!("{frac:0<2}").parse().map_err(|_| err())?;
        let total = kr
            .checked_mul(100)
            .and_then(|v| v.checked_add(ore))
            .ok_or_else(err)?;
        Ok(Money(if neg { -total } else { total }))
    }
}

/// Swedish style: `1 400,50 kr`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let kr = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in kr.chars().enumerate() {
            if i > 0 && (kr.len() - i).is_multiple_of(3) {
                grouped.push('\u{a0}');
            }
            grouped.push(c);
        }
        match abs % 100 {
            0 => write!(f, "{sign}{grouped}\u{a0}kr"),
            o => write!(f, "{sign}{grouped},{o:02}\u{a0}kr"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn swedish_amounts_parse_to_ore() {
        assert_eq!(Money::parse_sek("p", "1400").unwrap(), Money(140_000));
        assert_eq!(
            Money::parse_sek("p", "1 400,50 kr").unwrap(),
            Money(140_050)
        );
        assert_eq!(Money::parse_sek("p", "1400.5").unwrap(), Money(140_050));
        assert_eq!(Money::parse_sek("p", "-3,05").unwrap(), Money(-305));
        for bad in ["", "abc", "1,234", "1.2.3", "99999999999999999999", ",5"] {
            assert_eq!(
                Money::parse_sek("price", bad).unwrap_err().field,
                "price",
                "{bad}"
            );
        }
    }

    #[test]
    fn display_groups_thousands_the_swedish_way() {
        assert_eq!(Money(140_000).to_string(), "1\u{a0}400\u{a0}kr");
        assert_eq!(
            Money(123_456_789).to_string(),
            "1\u{a0}234\u{a0}567,89\u{a0}kr"
        );
        assert_eq!(Money(-5).to_string(), "-0,05\u{a0}kr");
    }

    proptest! {
        #[test]
        fn display_parses_back(ore in -10_000_000_000i64..10_000_000_000) {
            let m = Money(ore);
            prop_assert_eq!(Money::parse_sek("p", &m.to_string()).unwrap(), m);
        }
    }
}
