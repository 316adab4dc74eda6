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
}
