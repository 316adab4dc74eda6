//! Outcome follow-ups (uppföljning) at intake, 6 and 12 months. A missed follow-up is recorded with
//! its reason, never dropped: attrition is part of the truth.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};

use crate::assessment::{ASI_MAX_RATING, AsiArea};
use crate::contact::Housing;
use crate::error::{FieldError, Msg, UnknownName};
use crate::ids::{ClientId, FollowUpId, PlacementId};
use crate::string_enum;

string_enum! {
    pub enum Timepoint { Intake = "intake", Month6 = "month_6", Month12 = "month_12" }
}

string_enum! {
    pub enum FollowUpStatus { Due = "due", Done = "done", Missed = "missed" }
}

string_enum! {
    pub enum MissedReason {
        NotReached = "not_reached",
        Declined = "declined",
        Moved = "moved",
        Died = "died",
        Other = "other",
        /// Not done within the municipality's window after the due day: recorded by the scheduled
        /// check, so that no follow-up silently disappears.
        WindowPassed = "window_passed",
    }
}

string_enum! {
    pub enum Occupation {
        Work = "work",
        Studies = "studies",
        Activity = "activity",
        None = "none",
        Unknown = "unknown",
    }
}

/// The outcome measures of one follow-up, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    pub days_alcohol_30: Option<u8>,
    pub days_drugs_30: Option<u8>,
    pub housing: Option<Housing>,
    pub occupation: Option<Occupation>,
    pub crime_30: Option<bool>,
    /// Self-rated health 1 (poor) – 5 (excellent).
    pub self_rated_health: Option<u8>,
    /// Quality of life 0–10.
    pub quality_of_life: Option<u8>,
    /// The interviewer's judgement: problematic use of alcohol or drugs now.
    pub problematic_use: Option<bool>,
    /// Interviewer severity rating 0–9 per ASI area, where rated.
    pub asi_ratings: BTreeMap<AsiArea, u8>,
}

impl Outcomes {
    /// Lives independently: own housing, no problematic use and an occupation (work, studies or
    /// an organised activity). `None` while any of the three is unknown.
    pub fn lives_independently(&self) -> Option<bool> {
        let housing = self.housing.filter(|h| *h != Housing::Unknown)?;
        let occupation = self.occupation.filter(|o| *o != Occupation::Unknown)?;
        let problematic = self.problematic_use?;
        Some(housing == Housing::Own && occupation != Occupation::None && !problematic)
    }
}

/// The due days of the follow-ups of an intervention that starts on `start`: intake on the day,
/// then 6 and 12 calendar months later (the last day of a shorter month when the day is missing).
pub fn schedule(start: NaiveDate) -> [(Timepoint, NaiveDate); 3] {
    let after = |m| start.checked_add_months(Months::new(m)).unwrap_or(start);
    [
        (Timepoint::Intake, start),
        (Timepoint::Month6, after(6)),
        (Timepoint::Month12, after(12)),
    ]
}

/// A follow-up still due more than `window_days` after its due day is recorded as missed
/// ([`MissedReason::WindowPassed`]) by the scheduled check: on `today`, every follow-up due before
/// the day this returns.
pub fn window_closed_before(today: NaiveDate, window_days: i64) -> NaiveDate {
    today - chrono::Duration::days(window_days)
}

/// A follow-up as it arrives from a form or the API, before any checks.
#[derive(Debug, Clone, Default)]
pub struct FollowUpInput<'a> {
    pub timepoint: Option<&'a str>,
    /// `done` or `missed`.
    pub status: Option<&'a str>,
    pub done_on: Option<&'a str>,
    pub missed_reason: Option<&'a str>,
    pub days_alcohol_30: Option<i64>,
    pub days_drugs_30: Option<i64>,
    pub housing: Option<&'a str>,
    pub occupation: Option<&'a str>,
    pub crime_30: Option<bool>,
    pub self_rated_health: Option<i64>,
    pub quality_of_life: Option<i64>,
    pub problematic_use: Option<bool>,
    pub asi_ratings: &'a [(String, i64)],
}

/// What a follow-up records: done on a day with its outcomes, or missed with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpResult {
    Done { on: NaiveDate, outcomes: Outcomes },
    Missed { reason: MissedReason, on: NaiveDate },
}

/// A checked follow-up record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRecord {
    pub timepoint: Timepoint,
    pub result: FollowUpResult,
}

fn name<T: std::str::FromStr<Err = UnknownName>>(
    field: &str,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    v.parse()
        .map_err(|e: UnknownName| errors.push(e.for_field(field)))
        .ok()
}

fn bounded(
    field: &str,
    value: Option<i64>,
    min: i64,
    max: i64,
    errors: &mut Vec<FieldError>,
) -> Option<u8> {
    let v = value?;
    if (min..=max).contains(&v) {
        u8::try_from(v).ok()
    } else {
        errors.push(FieldError::new(
            field,
            "out_of_range",
            Msg::new(
                format!("Ange ett heltal {min}–{max}."),
                format!("Give a whole number {min}–{max}."),
            ),
        ));
        None
    }
}

impl FollowUpRecord {
    /// Checks every field and reports each invalid one by name; `today` bounds the day.
    pub fn parse(input: &FollowUpInput, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let timepoint = match input.timepoint.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                errors.push(FieldError::required("timepoint"));
                None
            }
            some => name::<Timepoint>("timepoint", some, &mut errors),
        };
        let on = match input.done_on.map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(today),
            Some(v) => match v.parse::<NaiveDate>() {
                Ok(d) if d <= today => Some(d),
                Ok(_) => {
                    errors.push(crate::error::in_future("done_on"));
                    None
                }
                Err(_) => {
                    errors.push(FieldError::new(
                        "done_on",
                        "invalid_date",
                        Msg::new("Ange ett datum ÅÅÅÅ-MM-DD.", "Give a date YYYY-MM-DD."),
                    ));
                    None
                }
            },
        };
        let status = input.status.map(str::trim).filter(|v| !v.is_empty());
        let result = match status {
            Some("done") => {
                let mut asi_ratings = BTreeMap::new();
                for (area, rating) in input.asi_ratings {
                    let field = format!("asi_ratings.{area}");
                    match area.parse::<AsiArea>() {
                        Ok(a) => {
                            if let Some(r) = bounded(
                                &field,
                                Some(*rating),
                                0,
                                i64::from(ASI_MAX_RATING),
                                &mut errors,
                            ) {
                                asi_ratings.insert(a, r);
                            }
                        }
                        Err(e) => errors.push(e.for_field(field)),
                    }
                }
                let outcomes = Outcomes {
                    days_alcohol_30: bounded(
                        "days_alcohol_30",
                        input.days_alcohol_30,
                        0,
                        30,
                        &mut errors,
                    ),
                    days_drugs_30: bounded(
                        "days_drugs_30",
                        input.days_drugs_30,
                        0,
                        30,
                        &mut errors,
                    ),
                    housing: name("housing", input.housing, &mut errors),
                    occupation: name("occupation", input.occupation, &mut errors),
                    crime_30: input.crime_30,
                    self_rated_health: bounded(
                        "self_rated_health",
                        input.self_rated_health,
                        1,
                        5,
                        &mut errors,
                    ),
                    quality_of_life: bounded(
                        "quality_of_life",
                        input.quality_of_life,
                        0,
                        10,
                        &mut errors,
                    ),
                    problematic_use: input.problematic_use,
                    asi_ratings,
                };
                on.map(|on| FollowUpResult::Done { on, outcomes })
            }
            Some("missed") => {
                let reason = match input.missed_reason.map(str::trim).filter(|v| !v.is_empty()) {
                    None => {
                        errors.push(FieldError::new(
                            "missed_reason",
                            "required",
                            Msg::new(
                                "Ange varför uppföljningen inte blev av.",
                                "Say why the follow-up was missed.",
                            ),
                        ));
                        None
                    }
                    some => name::<MissedReason>("missed_reason", some, &mut errors),
                };
                reason
                    .zip(on)
                    .map(|(reason, on)| FollowUpResult::Missed { reason, on })
            }
            None => {
                errors.push(FieldError::required("status"));
                None
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "status",
                    "unknown_value",
                    Msg::new("Ange done eller missed.", "Give done or missed."),
                ));
                None
            }
        };
        match (timepoint, result) {
            (Some(timepoint), Some(result)) if errors.is_empty() => Ok(Self { timepoint, result }),
            _ => Err(errors),
        }
    }
}

/// A structured follow-up with the outcome measures used in Swedish practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub client_id: ClientId,
    pub placement_id: Option<PlacementId>,
    pub timepoint: Timepoint,
    pub due_on: NaiveDate,
    pub status: FollowUpStatus,
    pub done_on: Option<NaiveDate>,
    pub missed_reason: Option<MissedReason>,
    pub outcomes: Outcomes,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn follow_ups_fall_due_at_intake_and_6_and_12_months() {
        assert_eq!(
            schedule(d("2026-01-15")),
            [
                (Timepoint::Intake, d("2026-01-15")),
                (Timepoint::Month6, d("2026-07-15")),
                (Timepoint::Month12, d("2027-01-15")),
            ]
        );
        // 31 August + 6 months: the last day of February.
        assert_eq!(schedule(d("2026-08-31"))[1].1, d("2027-02-28"));
        assert_eq!(schedule(d("2027-08-31"))[1].1, d("2028-02-29"));
    }

    #[test]
    fn a_follow_up_is_missed_only_after_its_whole_window() {
        let missed = |due: &str, today: &str| {
            due.parse::<NaiveDate>().unwrap() < window_closed_before(d(today), 60)
        };
        assert!(
            !missed("2026-01-01", "2026-03-02"),
            "day 60 after the due day"
        );
        assert!(missed("2026-01-01", "2026-03-03"), "day 61");
        assert!(!missed("2026-01-01", "2025-12-01"), "not yet due");
    }

    fn input<'a>(status: &'a str) -> FollowUpInput<'a> {
        FollowUpInput {
            timepoint: Some("month_6"),
            status: Some(status),
            done_on: Some("2026-11-20"),
            ..Default::default()
        }
    }

    #[test]
    fn a_done_follow_up_keeps_its_outcomes_and_ratings() {
        let ratings = [("alcohol".to_owned(), 6), ("psychiatric".to_owned(), 2)];
        let r = FollowUpRecord::parse(
            &FollowUpInput {
                days_alcohol_30: Some(4),
                days_drugs_30: Some(0),
                housing: Some("own"),
                occupation: Some("work"),
                problematic_use: Some(false),
                self_rated_health: Some(3),
                quality_of_life: Some(7),
                asi_ratings: &ratings,
                ..input("done")
            },
            d("2026-11-23"),
        )
        .unwrap();
        assert_eq!(r.timepoint, Timepoint::Month6);
        let FollowUpResult::Done { on, outcomes } = r.result else {
            panic!("done")
        };
        assert_eq!(on, d("2026-11-20"));
        assert_eq!(outcomes.asi_ratings.get(&AsiArea::Alcohol), Some(&6));
        assert_eq!(outcomes.lives_independently(), Some(true));
    }

    #[test]
    fn every_invalid_field_is_named() {
        let ratings = [("alcohol".to_owned(), 10), ("mood".to_owned(), 1)];
        let e = FollowUpRecord::parse(
            &FollowUpInput {
                timepoint: Some("month_7"),
                days_alcohol_30: Some(31),
                days_drugs_30: Some(-1),
                housing: Some("castle"),
                self_rated_health: Some(0),
                quality_of_life: Some(11),
                asi_ratings: &ratings,
                done_on: Some("2026-11-24"),
                ..input("done")
            },
            d("2026-11-23"),
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "timepoint",
            "done_on",
            "asi_ratings.alcohol",
            "asi_ratings.mood",
            "days_alcohol_30",
            "days_drugs_30",
            "housing",
            "self_rated_health",
            "quality_of_life",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let e = FollowUpRecord::parse(&FollowUpInput::default(), d("2026-11-23")).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["timepoint", "status"]);
    }

    #[test]
    fn a_missed_follow_up_needs_its_reason() {
        let e = FollowUpRecord::parse(&input("missed"), d("2026-11-23")).unwrap_err();
        assert_eq!(e[0].field, "missed_reason");
        let r = FollowUpRecord::parse(
            &FollowUpInput {
                missed_reason: Some("declined"),
                ..input("missed")
            },
            d("2026-11-23"),
        )
        .unwrap();
        assert_eq!(
            r.result,
            FollowUpResult::Missed {
                reason: MissedReason::Declined,
                on: d("2026-11-20")
            }
        );
    }

    #[test]
    fn living_independently_needs_all_three_and_is_unknown_while_one_is() {
        let base = Outcomes {
            housing: Some(Housing::Own),
            occupation: Some(Occupation::Studies),
            problematic_use: Some(false),
            ..Default::default()
        };
        assert_eq!(base.lives_independently(), Some(true));
        for changed in [
            Outcomes {
                housing: Some(Housing::TrainingApartment),
                ..base.clone()
            },
            Outcomes {
                occupation: Some(Occupation::None),
                ..base.clone()
            },
            Outcomes {
                problematic_use: Some(true),
                ..base.clone()
            },
        ] {
            assert_eq!(changed.lives_independently(), Some(false));
        }
        for unknown in [
            Outcomes {
                housing: Some(Housing::Unknown),
                ..base.clone()
            },
            Outcomes {
                occupation: None,
                ..base.clone()
            },
            Outcomes {
                problematic_use: None,
                ..base.clone()
            },
        ] {
            assert_eq!(unknown.lives_independently(), None);
        }
    }
}
