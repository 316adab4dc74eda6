//! The Swedish calendar of working days, for legal deadlines.
//!
//! Lag (1930:173) om beräkning av lagstadgad tid: when the last day of a period set by law falls on
//! a Saturday, a Sunday, a public holiday (allmän helgdag, lag 1989:253), midsommarafton, julafton
//! or nyårsafton, the period ends on the next working day.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The first and the last day of `year`; `None` outside chrono's range.
pub fn year_days(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    ))
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// A date that exists (every caller passes a valid one); falls back to 1 January.
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day)
        .or_else(|| NaiveDate::from_ymd_opt(year, 1, 1))
        .unwrap_or_default()
}

/// The Saturday in `from..=from+6`.
fn saturday_from(from: NaiveDate) -> NaiveDate {
    let offset =
        (Weekday::Sat.num_days_from_monday() + 7 - from.weekday().num_days_from_monday()) % 7;
    from + Duration::days(i64::from(offset))
}

/// The days of `year` that lag 1930:173 treats like a Sunday, besides Saturdays and Sundays:
/// the public holidays and midsommarafton, julafton and nyårsafton, with their Swedish names.
pub fn holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let easter = easter_sunday(year);
    let midsummer_day = saturday_from(ymd(year, 6, 20));
    let all_saints = saturday_from(ymd(year, 10, 31));
    let mut days = vec![
        (ymd(year, 1, 1), "nyårsdagen"),
        (ymd(year, 1, 6), "trettondedag jul"),
        (easter - Duration::days(2), "långfredagen"),
        (easter, "påskdagen"),
        (easter + Duration::days(1), "annandag påsk"),
        (ymd(year, 5, 1), "första maj"),
        (easter + Duration::days(39), "Kristi himmelsfärdsdag"),
        (easter + Duration::days(49), "pingstdagen"),
        (ymd(year, 6, 6), "Sveriges nationaldag"),
        (midsummer_day - Duration::days(1), "midsommarafton"),
        (midsummer_day, "midsommardagen"),
        (all_saints, "alla helgons dag"),
        (ymd(year, 12, 24), "julafton"),
        (ymd(year, 12, 25), "juldagen"),
        (ymd(year, 12, 26), "annandag jul"),
        (ymd(year, 12, 31), "nyårsafton"),
    ];
    days.sort();
    days
}

/// Why `day` is not a working day, if it is not.
pub fn non_working_reason(day: NaiveDate) -> Option<&'static str> {
    if let Some((_, name)) = holidays(day.year()).into_iter().find(|(d, _)| *d == day) {
        return Some(name);
    }
    match day.weekday() {
        Weekday::Sat => Some("lördag"),
        Weekday::Sun => Some("söndag"),
        _ => None,
    }
}

/// `day` itself when it is a working day, else the next working day.
pub fn this_or_next_working_day(day: NaiveDate) -> NaiveDate {
    let mut d = day;
    while non_working_reason(d).is_some() {
        d += Duration::days(1);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_year_runs_from_new_year_s_day_to_new_year_s_eve() {
        assert_eq!(year_days(2024), Some((d("2024-01-01"), d("2024-12-31"))));
        assert_eq!(year_days(2026), Some((d("2026-01-01"), d("2026-12-31"))));
        assert_eq!(year_days(i32::MAX), None);
    }

    #[test]
    fn easter_matches_known_years() {
        for (year, easter) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(year), d(easter), "{year}");
        }
    }

    #[test]
    fn moving_holidays_of_2026() {
        let names: Vec<(String, &str)> = holidays(2026)
            .into_iter()
            .map(|(day, name)| (day.to_string(), name))
            .collect();
        for expected in [
            ("2026-04-03", "långfredagen"),
            ("2026-04-06", "annandag påsk"),
            ("2026-05-14", "Kristi himmelsfärdsdag"),
            ("2026-05-24", "pingstdagen"),
            ("2026-06-19", "midsommarafton"),
            ("2026-06-20", "midsommardagen"),
            ("2026-10-31", "alla helgons dag"),
        ] {
            assert!(
                names.contains(&(expected.0.to_owned(), expected.1)),
                "{expected:?} in {names:?}"
            );
        }
        // Midsommardagen is the Saturday 20–26 June, alla helgons dag the Saturday 31 Oct–6 Nov.
        assert_eq!(saturday_from(d("2027-06-20")), d("2027-06-26"));
        assert_eq!(saturday_from(d("2027-10-31")), d("2027-11-06"));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        assert_eq!(this_or_next_working_day(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(this_or_next_working_day(d("2026-11-28")), d("2026-11-30"));
        // Julafton (Thu) → juldagen → annandag jul (Sat) → Sunday → Monday 28 December.
        assert_eq!(this_or_next_working_day(d("2026-12-24")), d("2026-12-28"));
        // Nyårsafton (Thu) → nyårsdagen (Fri) → weekend → Monday 4 January.
        assert_eq!(this_or_next_working_day(d("2026-12-31")), d("2027-01-04"));
        // Långfredagen 2026 → påskafton (Saturday) → påskdagen → annandag påsk → Tuesday.
        assert_eq!(this_or_next_working_day(d("2026-04-03")), d("2026-04-07"));
        assert_eq!(non_working_reason(d("2026-06-19")), Some("midsommarafton"));
        assert_eq!(non_working_reason(d("2026-06-18")), None);
    }
}
