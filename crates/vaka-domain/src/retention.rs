//! Retention (gallring): when a personal file is purged, kept for research, or held.
//!
//! SoL (2001:453) 12 kap. 1 §: a personal file is purged five years after its last entry, and the
//! purge is done by the end of the following calendar year; every new entry restarts the clock.
//! Files of people born on the 5th, 15th or 25th of a month (socialtjänstförordningen 2001:937
//! 7 kap. 1–2 §§), or all files in a research municipality, go to the archive instead of being
//! destroyed. A municipality may hold every purge (an inspection, an archive decision) or one
//! person's (a complaint, a court case); a file with an open case or placement is never purged.

use chrono::{Datelike, Months, NaiveDate};

/// The municipality's retention settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRules {
    /// Years after the last entry (5 under the Act).
    pub years: u32,
    /// Birth days whose files are kept for research.
    pub research_days: Vec<u32>,
    /// Every file is kept for research (a municipality in the representative selection).
    pub research_municipality: bool,
    /// A hold on every purge, with its reason.
    pub hold: Option<String>,
}

impl Default for RetentionRules {
    fn default() -> Self {
        Self {
            years: 5,
            research_days: vec![5, 15, 25],
            research_municipality: false,
            hold: None,
        }
    }
}

/// What retention needs to know about one person's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalFile {
    /// The day of the newest entry of any kind.
    pub last_entry: NaiveDate,
    pub birth_date: NaiveDate,
    /// An open case or an ongoing placement.
    pub open: bool,
    /// A hold on this person's file, with its reason.
    pub hold: Option<String>,
}

/// Why a file that is due is not purged now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    Open,
    Municipality(String),
    Person(String),
}

/// Why a file goes to the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResearchReason {
    BirthDay(u32),
    Municipality,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not yet due.
    Keep {
        due: NaiveDate,
    },
    Held {
        due: NaiveDate,
        hold: Hold,
    },
    /// Destroy: due since `due`, to be done by `deadline`.
    Purge {
        due: NaiveDate,
        deadline: NaiveDate,
    },
    /// Move to the archive (research), not destroy.
    Archive {
        due: NaiveDate,
        deadline: NaiveDate,
        reason: ResearchReason,
    },
}

impl Verdict {
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Keep { .. } => "keep",
            Verdict::Held { .. } => "held",
            Verdict::Purge { .. } => "purge",
            Verdict::Archive { .. } => "archive",
        }
    }

    /// Why, in words (English; for the operator's list and the access log, never personal data).
    pub fn reason(&self) -> String {
        match self {
            Verdict::Keep { due } => format!("not due until {due}"),
            Verdict::Held { hold, .. } => match hold {
                Hold::Open => "an open case or placement".into(),
                Hold::Municipality(r) => format!("municipality-wide hold: {r}"),
                Hold::Person(r) => format!("hold on this file: {r}"),
            },
            Verdict::Purge { due, deadline } => format!(
                "five years after the last entry (SoL 12 kap. 1 §): due {due}, by {deadline}"
            ),
            Verdict::Archive {
                due,
                deadline,
                reason,
            } => {
                let why = match reason {
                    ResearchReason::BirthDay(d) => format!("born on the {d}th"),
                    ResearchReason::Municipality => "research municipality".into(),
                };
                format!(
                    "kept for research ({why}; SoF 7 kap. 1–2 §§): due {due}, to the archive by {deadline}"
                )
            }
        }
    }
}

/// The day the duty to purge arises: `years` after the last entry (29 February → 28 February).
pub fn due_date(last_entry: NaiveDate, years: u32) -> NaiveDate {
    last_entry
        .checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day to purge: the end of the calendar year after the due day.
pub fn deadline(due: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(due.year() + 1, 12, 31).unwrap_or(NaiveDate::MAX)
}

pub fn assess(file: &PersonalFile, rules: &RetentionRules, today: NaiveDate) -> Verdict {
    let due = due_date(file.last_entry, rules.years);
    if today < due {
        return Verdict::Keep { due };
    }
    let held = |hold| Verdict::Held { due, hold };
    if file.open {
        return held(Hold::Open);
    }
    if let Some(r) = &rules.hold {
        return held(Hold::Municipality(r.clone()));
    }
    if let Some(r) = &file.hold {
        return held(Hold::Person(r.clone()));
    }
    let deadline = deadline(due);
    if rules.research_municipality {
        return Verdict::Archive {
            due,
            deadline,
            reason: ResearchReason::Municipality,
        };
    }
    let day = file.birth_date.day();
    if rules.research_days.contains(&day) {
        return Verdict::Archive {
            due,
            deadline,
            reason: ResearchReason::BirthDay(day),
        };
    }
    Verdict::Purge { due, deadline }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn file(last: &str, born: &str) -> PersonalFile {
        PersonalFile {
            last_entry: d(last),
            birth_date: d(born),
            open: false,
            hold: None,
        }
    }

    #[test]
    fn due_five_years_after_the_last_entry_and_done_by_the_end_of_the_next_year() {
        let rules = RetentionRules::default();
        let f = file("2020-03-10", "1970-04-02");
        assert_eq!(
            assess(&f, &rules, d("2025-03-09")),
            Verdict::Keep {
                due: d("2025-03-10")
            }
        );
        assert_eq!(
            assess(&f, &rules, d("2025-03-10")),
            Verdict::Purge {
                due: d("2025-03-10"),
                deadline: d("2026-12-31")
            }
        );
        // A leap day: the due day is 28 February.
        assert_eq!(due_date(d("2020-02-29"), 5), d("2025-02-28"));
        assert_eq!(deadline(d("2025-12-31")), d("2026-12-31"));
    }

    #[test]
    fn research_birth_days_go_to_the_archive_and_others_do_not() {
        let rules = RetentionRules::default();
        for (born, archived) in [
            ("1970-04-05", true),
            ("1970-04-15", true),
            ("1970-04-25", true),
            ("1970-04-04", false),
            ("1970-04-06", false),
            ("1970-04-35", false),
        ] {
            let Ok(b) = born.parse::<NaiveDate>() else {
                continue;
            };
            let mut f = file("2015-01-01", "1970-01-01");
            f.birth_date = b;
            let v = assess(&f, &rules, d("2026-11-24"));
            assert_eq!(v.name() == "archive", archived, "{born}: {v:?}");
        }
        let all = RetentionRules {
            research_municipality: true,
            ..RetentionRules::default()
        };
        assert!(matches!(
            assess(&file("2015-01-01", "1970-01-01"), &all, d("2026-11-24")),
            Verdict::Archive {
                reason: ResearchReason::Municipality,
                ..
            }
        ));
    }

    #[test]
    fn holds_and_open_files_keep_a_due_file() {
        let today = d("2026-11-24");
        let mut f = file("2015-01-01", "1970-01-01");
        f.open = true;
        assert!(matches!(
            assess(&f, &RetentionRules::default(), today),
            Verdict::Held {
                hold: Hold::Open,
                ..
            }
        ));
        f.open = false;
        f.hold = Some("JO-anmälan".into());
        assert!(
            assess(&f, &RetentionRules::default(), today)
                .reason()
                .contains("JO-anmälan")
        );
        f.hold = None;
        let rules = RetentionRules {
            hold: Some("tillsyn IVO".into()),
            ..RetentionRules::default()
        };
        assert_eq!(assess(&f, &rules, today).name(), "held");
    }

    proptest! {
        #[test]
        fn nothing_goes_before_it_is_due_and_research_files_are_never_destroyed(
            last in 0i64..20_000, born in 0i64..40_000, today in 0i64..25_000,
            open: bool, held: bool,
        ) {
            let base = d("2000-01-01");
            let f = PersonalFile {
                last_entry: base + chrono::Duration::days(last),
                birth_date: d("1930-01-01") + chrono::Duration::days(born),
                open,
                hold: held.then(|| "x".to_owned()),
            };
            let today = base + chrono::Duration::days(today);
            let v = assess(&f, &RetentionRules::default(), today);
            let due = due_date(f.last_entry, 5);
            prop_assert!(due > f.last_entry + chrono::Duration::days(5 * 365));
            match v {
                Verdict::Keep { .. } => prop_assert!(today < due),
                Verdict::Held { .. } => prop_assert!(today >= due && (open || held)),
                Verdict::Purge { deadline, .. } => {
                    prop_assert!(today >= due && !open && !held);
                    prop_assert!(![5, 15, 25].contains(&f.birth_date.day()));
                    prop_assert_eq!(deadline.year(), due.year() + 1);
                }
                Verdict::Archive { .. } => {
                    prop_assert!([5, 15, 25].contains(&f.birth_date.day()));
                }
            }
        }
    }
}
