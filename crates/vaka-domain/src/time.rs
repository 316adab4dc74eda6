//! Time: Vaka stores instants in UTC and shows and reasons about days in Europe/Stockholm.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

/// The calendar day in Sweden at `at`.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Stockholm).date_naive()
}

/// `YYYY-MM-DD HH:MM` in Swedish local time.
pub fn local_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&Stockholm)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The value of an HTML `datetime-local` field (`YYYY-MM-DDTHH:MM`) in Swedish local time.
pub fn local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&Stockholm)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Reads a `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds allowed) as Swedish local time.
/// In the autumn hour that occurs twice the earlier is taken; a time in the spring gap is `None`.
pub fn parse_local_input(s: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let s = s.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Stockholm
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn late_evening_utc_is_the_next_day_in_stockholm() {
        let at = Utc.with_ymd_and_hms(2026, 6, 30, 22, 30, 0).unwrap();
        assert_eq!(local_date(at).to_string(), "2026-07-01");
        assert_eq!(local_minute(at), "2026-07-01 00:30");
        let winter = Utc.with_ymd_and_hms(2026, 1, 10, 22, 30, 0).unwrap();
        assert_eq!(local_minute(winter), "2026-01-10 23:30");
    }

    #[test]
    fn form_times_are_read_as_swedish_local_time() {
        let t = parse_local_input("2026-07-01T00:30").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 6, 30, 22, 30, 0).unwrap());
        assert_eq!(local_input(t), "2026-07-01T00:30");
        let winter = parse_local_input("2026-01-10T23:30:15").unwrap();
        assert_eq!(
            winter,
            Utc.with_ymd_and_hms(2026, 1, 10, 22, 30, 15).unwrap()
        );
        // 2026-03-29 02:30 does not exist in Sweden; 2026-10-25 02:30 occurs twice.
        assert_eq!(parse_local_input("2026-03-29T02:30"), None);
        assert_eq!(
            parse_local_input("2026-10-25T02:30").unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()
        );
        assert_eq!(parse_local_input("23/11/2026 10:00"), None);
        assert_eq!(parse_local_input(""), None);
    }
}
