//! Swedish personal identity numbers: personnummer, samordningsnummer and Vaka's reservnummer.
//!
//! Parse, don't validate: a [`PersonalNumber`] can only be built by [`PersonalNumber::parse`], so an
//! invalid number cannot exist past the edge. Rules: Skatteverket, folkbokföringslagen 18 §, see
//! `shared/DOMAIN-NOTES.md` §4.
//!
//! **Reservnummer** (a municipality's temporary number for a person without a known personnummer)
//! has no national standard. Vaka's form is the (possibly estimated) birth date, the letter `R` and
//! three digits: `YYYYMMDD-R123`, stored as `YYYYMMDDR123`. The letter means it can never collide with a
//! real personnummer.

use chrono::{Datelike, NaiveDate};
use std::fmt;

use crate::client::Sex;
use crate::error::{FieldError, Msg};

/// Which kind of number a [`PersonalNumber`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    Personnummer,
    Samordningsnummer,
    Reservnummer,
}

impl NumberKind {
    /// The stable name (API, database), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Personnummer => "personnummer",
            Self::Samordningsnummer => "samordningsnummer",
            Self::Reservnummer => "reservnummer",
        }
    }
}

/// A valid personnummer, samordningsnummer or reservnummer, held in its 12-character canonical form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonalNumber {
    canonical: String,
    kind: NumberKind,
    birth_date: NaiveDate,
}

/// Why a number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalNumberError {
    Format,
    Date,
    FutureDate,
    BirthNumber,
    CheckDigit,
}

impl PersonalNumberError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "invalid_format",
            Self::Date => "invalid_date",
            Self::FutureDate => "future_date",
            Self::BirthNumber => "invalid_birth_number",
            Self::CheckDigit => "invalid_check_digit",
        }
    }

    pub fn message(self) -> Msg {
        match self {
            Self::Format => Msg::new(
                "Ange personnummer som ÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN, eller reservnummer som ÅÅÅÅMMDD-RNNN.",
                "Give a personal identity number as YYMMDD-NNNN or YYYYMMDDNNNN, or a reservnummer as YYYYMMDD-RNNN.",
            ),
            Self::Date => Msg::new(
                "Födelsedatumet finns inte i kalendern.",
                "The birth date does not exist.",
            ),
            Self::FutureDate => Msg::new(
                "Födelsedatumet ligger i framtiden.",
                "The birth date is in the future.",
            ),
            Self::BirthNumber => Msg::new(
                "Födelsenumret 000 är ogiltigt.",
                "The birth number 000 is not valid.",
            ),
            Self::CheckDigit => Msg::new(
                "Kontrollsiffran stämmer inte. Kontrollera numret.",
                "The check digit does not match. Check the number.",
            ),
        }
    }

    pub fn for_field(self, field: impl Into<String>) -> FieldError {
        FieldError::new(field, self.code(), self.message())
    }
}

/// The Luhn (modulus 10, weights 2-1) check digit over `digits`, each 0–9.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn digits_of(s: &str) -> Option<Vec<u8>> {
    s.bytes()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect()
}

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, &x| acc * 10 + u32::from(x))
}

impl PersonalNumber {
    /// Parses any accepted written form, relative to `today` (for the century of the short form and
    /// the rule that a birth date cannot lie in the future).
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, PersonalNumberError> {
        let s = input.trim();
        if !s.is_ascii() {
            return Err(PersonalNumberError::Format);
        }
        if s.bytes().any(|b| b == b'R' || b == b'r') {
            return Self::parse_reservnummer(s, today);
        }
        let (date_part, sep, tail) = match s.len() {
            10 | 12 => (&s[..s.len() - 4], None, &s[s.len() - 4..]),
            11 | 13 => {
                let sep = &s[s.len() - 5..s.len() - 4];
                match sep {
                    "-" | "+" => (&s[..s.len() - 5], Some(sep), &s[s.len() - 4..]),
                    _ => return Err(PersonalNumberError::Format),
                }
            }
            _ => return Err(PersonalNumberError::Format),
        };
        let date_digits = digits_of(date_part).ok_or(PersonalNumberError::Format)?;
        let tail = digits_of(tail).ok_or(PersonalNumberError::Format)?;
        let (year, yy_mm_dd) = if date_digits.len() == 8 {
            let century = num(&date_digits[..2]);
            if !(18..=20).contains(&century) {
                return Err(PersonalNumberError::Date);
            }
            (num(&date_digits[..4]) as i32, date_digits[2..].to_vec())
        } else {
            let yy = num(&date_digits[..2]) as i32;
            let base = if sep == Some("+") {
                today.year() - 100
            } else {
                today.year()
            };
            (base - (base - yy).rem_euclid(100), date_digits)
        };
        let month = num(&yy_mm_dd[2..4]);
        let written_day = num(&yy_mm_dd[4..6]);
        let (kind, day) = if written_day > 60 {
            (NumberKind::Samordningsnummer, written_day - 60)
        } else {
            (NumberKind::Personnummer, written_day)
        };
        let birth_date =
            NaiveDate::from_ymd_opt(year, month, day).ok_or(PersonalNumberError::Date)?;
        if birth_date > today {
            return Err(PersonalNumberError::FutureDate);
        }
        if num(&tail[..3]) == 0 {
            return Err(PersonalNumberError::BirthNumber);
        }
        let mut nine = yy_mm_dd.clone();
        nine.extend_from_slice(&tail[..3]);
        if luhn_check_digit(&nine) != tail[3] {
            return Err(PersonalNumberError::CheckDigit);
        }
        let tail_str: String = tail.iter().map(|d| char::from(b'0' + d)).collect();
        let canonical = format!("{year:04}{month:02}{written_day:02}{tail_str}");
        Ok(Self {
            canonical,
            kind,
            birth_date,
        })
    }

    fn parse_reservnummer(s: &str, today: NaiveDate) -> Result<Self, PersonalNumberError> {
        let compact: String = s.chars().filter(|&c| c != '-').collect();
        let upper = compact.to_ascii_uppercase();
        if upper.len() != 12
            || s.chars().filter(|&c| c == '-').count() > 1
            || upper.as_bytes()[8] != b'R'
        {
            return Err(PersonalNumberError::Format);
        }
        let date = digits_of(&upper[..8]).ok_or(PersonalNumberError::Format)?;
        digits_of(&upper[9..]).ok_or(PersonalNumberError::Format)?;
        let birth_date =
            NaiveDate::from_ymd_opt(num(&date[..4]) as i32, num(&date[4..6]), num(&date[6..8]))
                .ok_or(PersonalNumberError::Date)?;
        if birth_date > today {
            return Err(PersonalNumberError::FutureDate);
        }
        if birth_date.year() < 1800 {
            return Err(PersonalNumberError::Date);
        }
        Ok(Self {
            canonical: upper,
            kind: NumberKind::Reservnummer,
            birth_date,
        })
    }

    /// Rebuilds a number read back from storage (its canonical form), checking it again.
    pub fn from_canonical(s: &str, today: NaiveDate) -> Result<Self, PersonalNumberError> {
        let p = Self::parse(s, today)?;
        if p.canonical != s {
            return Err(PersonalNumberError::Format);
        }
        Ok(p)
    }

    /// The stored form: 12 characters, `YYYYMMDDNNNC` (or `YYYYMMDDRNNN`).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    pub fn kind(&self) -> NumberKind {
        self.kind
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The sex the birth number implies (odd: man, even: woman). This is not the legal sex of record,
    /// which is stored separately; a reservnummer implies nothing.
    pub fn sex_digit_implies(&self) -> Sex {
        match self.kind {
            NumberKind::Reservnummer => Sex::Unknown,
            _ => match self.canonical.as_bytes()[10] - b'0' {
                d if d % 2 == 1 => Sex::Male,
                _ => Sex::Female,
            },
        }
    }

    /// The ten-digit written form with `-`, or `+` from the calendar year the person turns 100.
    pub fn short_form(&self, today: NaiveDate) -> String {
        if self.kind == NumberKind::Reservnummer {
            return self.to_string();
        }
        let sep = if today.year() - self.birth_date.year() >= 100 {
            '+'
        } else {
            '-'
        };
        format!("{}{}{}", &self.canonical[2..8], sep, &self.canonical[8..])
    }
}

/// `YYYYMMDD-NNNC`: the long written form, as shown in Vaka.
impl fmt::Display for PersonalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.canonical[..8], &self.canonical[8..])
    }
}

/// Personal numbers are personal data: debug output shows only the kind.
impl fmt::Debug for PersonalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonalNumber({:?}, ****)", self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn ok(s: &str) -> PersonalNumber {
        PersonalNumber::parse(s, today()).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn err(s: &str) -> PersonalNumberError {
        PersonalNumber::parse(s, today()).expect_err(s)
    }

    #[test]
    fn published_valid_vectors_parse_with_kind_sex_and_birth_date() {
        // shared/DOMAIN-NOTES.md §4.3, from the personnummer project's test data.
        let cases = [
            (
                "19090527+1474",
                NumberKind::Personnummer,
                Sex::Male,
                "1909-05-27",
            ),
            (
                "090527+1474",
                NumberKind::Personnummer,
                Sex::Male,
                "1909-05-27",
            ),
            (
                "19821105-9954",
                NumberKind::Personnummer,
                Sex::Male,
                "1982-11-05",
            ),
            (
                "19901211-9948",
                NumberKind::Personnummer,
                Sex::Female,
                "1990-12-11",
            ),
            (
                "18791221+9990",
                NumberKind::Personnummer,
                Sex::Male,
                "1879-12-21",
            ),
            (
                "20001209-9891",
                NumberKind::Personnummer,
                Sex::Male,
                "2000-12-09",
            ),
            (
                "19760523-9917",
                NumberKind::Personnummer,
                Sex::Male,
                "1976-05-23",
            ),
            (
                "19670304-9988",
                NumberKind::Personnummer,
                Sex::Female,
                "1967-03-04",
            ),
            (
                "19570574-9959",
                NumberKind::Samordningsnummer,
                Sex::Male,
                "1957-05-14",
            ),
            (
                "19730674-9982",
                NumberKind::Samordningsnummer,
                Sex::Female,
                "1973-06-14",
            ),
            (
                "20030865-9978",
                NumberKind::Samordningsnummer,
                Sex::Male,
                "2003-08-05",
            ),
            (
                "640823-3234",
                NumberKind::Personnummer,
                Sex::Male,
                "1964-08-23",
            ),
            (
                "000229-1235",
                NumberKind::Personnummer,
                Sex::Male,
                "2000-02-29",
            ),
            (
                "900161-1236",
                NumberKind::Samordningsnummer,
                Sex::Male,
                "1990-01-01",
            ),
            (
                "191212121212",
                NumberKind::Personnummer,
                Sex::Male,
                "1912-12-12",
            ),
        ];
        for (input, kind, sex, birth) in cases {
            let p = ok(input);
            assert_eq!(p.kind(), kind, "{input}");
            assert_eq!(p.sex_digit_implies(), sex, "{input}");
            assert_eq!(p.birth_date().to_string(), birth, "{input}");
        }
    }

    #[test]
    fn every_written_form_normalises_to_twelve_digits() {
        for s in ["19640823-3234", "196408233234", "640823-3234", "6408233234"] {
            assert_eq!(ok(s).canonical(), "196408233234", "{s}");
        }
        assert_eq!(ok("090527+1474").canonical(), "190905271474");
        assert_eq!(ok("19121212-1212").to_string(), "19121212-1212");
    }

    #[test]
    fn plus_is_shown_from_the_calendar_year_of_the_hundredth_birthday() {
        let nine: Vec<u8> = "261224001".bytes().map(|b| b - b'0').collect();
        let c = luhn_check_digit(&nine);
        let n = ok(&format!("19261224-001{c}"));
        assert_eq!(n.short_form(today()), format!("261224+001{c}"));
        assert_eq!(
            n.short_form(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()),
            format!("261224-001{c}")
        );
    }

    #[test]
    fn published_invalid_vectors_are_refused_for_the_right_reason() {
        use PersonalNumberError::*;
        let cases = [
            ("20150916-0006", BirthNumber),
            ("19870704-9996", CheckDigit),
            ("20121120-9941", CheckDigit),
            ("20090417-9998", CheckDigit),
            ("20220131-9983", CheckDigit),
            ("19390182-9913", CheckDigit),
            ("20121075-9984", CheckDigit),
            ("19090527 1474", Format),
            ("900230-1233", Date),
            ("901301-1235", Date),
            ("900192-1239", Date),
            ("010229-1234", Date),
            ("19870676-9971", CheckDigit),
            ("20000101-P220", Format),
            ("", Format),
            ("12345", Format),
            ("17991231-0000", Date),
            ("åäö123-4567", Format),
        ];
        for (input, reason) in cases {
            assert_eq!(err(input), reason, "{input}");
        }
    }

    #[test]
    fn a_birth_date_in_the_future_is_refused() {
        // 2026-12-01 is after "today"; the short form resolves to this year, not 1926.
        let mut nine: Vec<u8> = "261201001".bytes().map(|b| b - b'0').collect();
        let c = luhn_check_digit(&nine);
        nine.push(c);
        let s: String = nine.iter().map(|d| char::from(b'0' + d)).collect();
        assert_eq!(
            err(&format!("{}-{}", &s[..6], &s[6..])),
            PersonalNumberError::FutureDate
        );
        assert_eq!(err("20271224R001"), PersonalNumberError::FutureDate);
    }

    #[test]
    fn reservnummer_is_date_r_and_three_digits() {
        let r = ok("19800101-R042");
        assert_eq!(r.canonical(), "19800101R042");
        assert_eq!(r.kind(), NumberKind::Reservnummer);
        assert_eq!(r.sex_digit_implies(), Sex::Unknown);
        assert_eq!(r.to_string(), "19800101-R042");
        assert_eq!(ok("19800101r042").canonical(), "19800101R042");
        assert_eq!(err("19800132-R042"), PersonalNumberError::Date);
        assert_eq!(err("19800101-R04"), PersonalNumberError::Format);
        assert_eq!(err("19800101-RX42"), PersonalNumberError::Format);
    }

    #[test]
    fn debug_output_hides_the_number() {
        assert!(!format!("{:?}", ok("19640823-3234")).contains("3234"));
    }

    #[test]
    fn from_canonical_round_trips() {
        for s in ["196408233234", "19800101R042", "195705749959"] {
            assert_eq!(
                PersonalNumber::from_canonical(s, today())
                    .unwrap()
                    .canonical(),
                s
            );
        }
        assert!(PersonalNumber::from_canonical("6408233234", today()).is_err());
    }

    fn any_valid() -> impl Strategy<Value = (NaiveDate, u32, bool)> {
        (0i64..(200 * 365), 1u32..=999, any::<bool>()).prop_map(|(days, birth_no, coord)| {
            let d = NaiveDate::from_ymd_opt(1827, 1, 1).unwrap() + chrono::Duration::days(days);
            (d, birth_no, coord)
        })
    }

    fn build(d: NaiveDate, birth_no: u32, coord: bool) -> String {
        let day = d.day() + if coord { 60 } else { 0 };
        let nine = format!(
            "{:02}{:02}{:02}{:03}",
            d.year() % 100,
            d.month(),
            day,
            birth_no
        );
        let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
        format!("{}{}{}", d.year() / 100, nine, luhn_check_digit(&digits))
    }

    proptest! {
        #[test]
        fn any_valid_number_round_trips_in_every_form((d, n, coord) in any_valid()) {
            let twelve = build(d, n, coord);
            let p = PersonalNumber::parse(&twelve, today()).unwrap();
            prop_assert_eq!(p.canonical(), twelve.as_str());
            prop_assert_eq!(p.birth_date(), d);
            prop_assert_eq!(p.kind() == NumberKind::Samordningsnummer, coord);
            let with_dash = format!("{}-{}", &twelve[..8], &twelve[8..]);
            prop_assert_eq!(PersonalNumber::parse(&with_dash, today()).unwrap(), p.clone());
            let short = p.short_form(today());
            prop_assert_eq!(PersonalNumber::parse(&short, today()).unwrap(), p.clone());
            let odd = (n % 10) % 2 == 1;
            prop_assert_eq!(p.sex_digit_implies(), if odd { Sex::Male } else { Sex::Female });
        }

        #[test]
        fn any_wrong_check_digit_is_refused((d, n, coord) in any_valid(), delta in 1u8..10) {
            let twelve = build(d, n, coord);
            let last = twelve.as_bytes()[11] - b'0';
            let wrong = format!("{}{}", &twelve[..11], (last + delta) % 10);
            prop_assert_eq!(PersonalNumber::parse(&wrong, today()), Err(PersonalNumberError::CheckDigit));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = PersonalNumber::parse(&s, today());
        }
    }
}
