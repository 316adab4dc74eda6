//! Validation errors that name the field and speak both Swedish and English.

use std::fmt;

/// A message in Swedish (first) and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub sv: String,
    pub en: String,
}

impl Msg {
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            sv: sv.into(),
            en: en.into(),
        }
    }
}

/// One invalid field: a stable `code`, the field's name as the client sent it, and the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {}", message.en)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: Msg) -> Self {
        Self {
            field: field.into(),
            code,
            message,
        }
    }

    /// The field is missing or empty.
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(
            field,
            "required",
            Msg::new("Fältet måste fyllas i.", "This field is required."),
        )
    }

    /// The same error reported under another field name (e.g. a nested path).
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

/// A name that is not one of an enum's stable names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub kind: &'static str,
    pub allowed: &'static [&'static str],
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {}; allowed: {}",
            self.kind,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

impl UnknownName {
    /// As a field error for `field`.
    pub fn for_field(&self, field: impl Into<String>) -> FieldError {
        let list = self.allowed.join(", ");
        FieldError::new(
            field,
            "unknown_value",
            Msg::new(
                format!("Okänt värde. Tillåtna: {list}."),
                format!("Unknown value. Allowed: {list}."),
            ),
        )
    }
}

/// Trims a required free-text field and checks its length.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::required(field));
    }
    optional_text(field, Some(v), max_chars).map(|o| o.unwrap_or_default())
}

/// Trims an optional free-text field; empty becomes `None`. Control characters other than
/// line breaks and tabs are refused.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            "too_long",
            Msg::new(
                format!("Högst {max_chars} tecken."),
                format!("At most {max_chars} characters."),
            ),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            Msg::new(
                "Otillåtna tecken.",
                "Contains characters that are not allowed.",
            ),
        ));
    }
    Ok(Some(v.to_owned()))
}

/// Reads a required `YYYY-MM-DD` date.
pub fn required_date(field: &str, value: Option<&str>) -> Result<chrono::NaiveDate, FieldError> {
    optional_date(field, value)?.ok_or_else(|| FieldError::required(field))
}

/// Reads an optional `YYYY-MM-DD` date; empty is `None`.
pub fn optional_date(
    field: &str,
    value: Option<&str>,
) -> Result<Option<chrono::NaiveDate>, FieldError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    v.parse().map(Some).map_err(|_| {
        FieldError::new(
            field,
            "invalid_date",
            Msg::new("Ange ett datum ÅÅÅÅ-MM-DD.", "Give a date YYYY-MM-DD."),
        )
    })
}

/// Reads a required stable name of a [`crate::string_enum`] type.
pub fn required_name<T: std::str::FromStr<Err = UnknownName>>(
    field: &str,
    value: Option<&str>,
) -> Result<T, FieldError> {
    optional_name(field, value)?.ok_or_else(|| FieldError::required(field))
}

/// Reads an optional stable name; empty is `None`.
pub fn optional_name<T: std::str::FromStr<Err = UnknownName>>(
    field: &str,
    value: Option<&str>,
) -> Result<Option<T>, FieldError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|e: UnknownName| e.for_field(field)),
    }
}

/// The day must not come before `earliest` (named in the message as `what`).
pub fn not_before(
    field: &str,
    day: chrono::NaiveDate,
    earliest: chrono::NaiveDate,
    what: (&str, &str),
) -> Result<(), FieldError> {
    if day < earliest {
        return Err(FieldError::new(
            field,
            "before_earliest",
            Msg::new(
                format!("Datumet kan inte ligga före {} ({earliest}).", what.0),
                format!("The date cannot be before {} ({earliest}).", what.1),
            ),
        ));
    }
    Ok(())
}

/// The day lies after today.
pub fn in_future(field: &str) -> FieldError {
    FieldError::new(
        field,
        "in_future",
        Msg::new(
            "Dagen kan inte ligga i framtiden.",
            "The day cannot be in the future.",
        ),
    )
}

/// The day must not lie after `today`.
pub fn not_after_today(
    field: &str,
    day: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), FieldError> {
    if day > today {
        Err(in_future(field))
    } else {
        Ok(())
    }
}

/// An optional `YYYY-MM-DD` day that defaults to `today` and may not lie after it.
pub fn day_up_to_today(
    field: &str,
    value: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, FieldError> {
    let day = optional_date(field, value)?.unwrap_or(today);
    not_after_today(field, day, today)?;
    Ok(day)
}

/// Collects the error of one field and keeps going, so that a form reports every wrong field.
pub fn collect<T>(result: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_empty_is_refused() {
        assert_eq!(
            required_text("given_name", "  Anna ", 10),
            Ok("Anna".to_owned())
        );
        let e = required_text("given_name", "   ", 10).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("given_name", "required"));
    }

    #[test]
    fn text_over_the_limit_or_with_control_characters_is_refused() {
        assert_eq!(
            optional_text("note", Some("abcdef"), 5).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            optional_text("note", Some("a\u{0}b"), 5).unwrap_err().code,
            "invalid_characters"
        );
        assert_eq!(
            optional_text("note", Some("a\nb"), 5),
            Ok(Some("a\nb".into()))
        );
        assert_eq!(optional_text("note", Some("  "), 5), Ok(None));
    }
}
