//! Cases (ärenden): one matter about a client, from application to closure, with its case managers.

use chrono::NaiveDate;

use crate::error::{
    FieldError, Msg, collect, day_up_to_today, not_before, optional_text, required_name,
};
use crate::ids::{CaseId, ClientId, UnitId, UserId};
use crate::string_enum;

string_enum! {
    pub enum CaseStatus { Open = "open", Closed = "closed" }
}

/// A case, handled by a unit, with one or more assigned case managers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub client_id: ClientId,
    pub unit_id: UnitId,
    pub status: CaseStatus,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    /// Why it was closed; `None` while open (and for cases closed before reasons were kept).
    pub closure_reason: Option<ClosureReason>,
    /// What was done or agreed at the closure, when written.
    pub closure_note: Option<String>,
    pub case_managers: Vec<UserId>,
}

string_enum! {
    /// How the unit came to know of the need.
    pub enum CaseOrigin {
        Application = "application",
        Report = "report",
        Referral = "referral",
        Other = "other",
    }
}

impl CaseOrigin {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Application => ("Ansökan", "Application"),
            Self::Report => ("Anmälan/orosanmälan", "Report of concern"),
            Self::Referral => ("Remiss", "Referral"),
            Self::Other => ("Annat", "Other"),
        }
    }
}

/// How and when a new case begins, from the posted text: the origin defaults to an application
/// and the day to `today`, which it may not pass. Both fields' errors at once.
pub fn opening(
    origin: Option<&str>,
    opened_on: Option<&str>,
    today: NaiveDate,
) -> Result<(CaseOrigin, NaiveDate), Vec<FieldError>> {
    let mut errors = Vec::new();
    let origin = match origin.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(CaseOrigin::Application),
        Some(s) => collect(
            s.parse::<CaseOrigin>().map_err(|e| e.for_field("origin")),
            &mut errors,
        ),
    };
    let day = collect(day_up_to_today("opened_on", opened_on, today), &mut errors);
    match (origin, day) {
        (Some(o), Some(d)) => Ok((o, d)),
        _ => Err(errors),
    }
}

/// One period a case manager had a case; `unassigned_on` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub user_id: UserId,
    pub assigned_on: NaiveDate,
    pub unassigned_on: Option<NaiveDate>,
}

string_enum! {
    /// Why a case was closed (not yet read by the measures or the committee report).
    pub enum ClosureReason {
        /// The goals of the plan were reached.
        GoalsMet = "goals_met",
        /// The client no longer wants the help (it is voluntary under SoL).
        ClientDeclined = "client_declined",
        /// No contact for a long time despite attempts.
        LostContact = "lost_contact",
        /// The client moved to another municipality.
        Moved = "moved",
        /// Care went elsewhere: health care, compulsory care (LVM), another unit.
        Transferred = "transferred",
        Died = "died",
        Other = "other",
    }
}

impl ClosureReason {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::GoalsMet => ("Målen uppnådda", "Goals met"),
            Self::ClientDeclined => ("Klienten avböjer fortsatt insats", "The client declines"),
            Self::LostContact => ("Kontakten upphört", "Contact lost"),
            Self::Moved => ("Flyttat från kommunen", "Moved away"),
            Self::Transferred => ("Överlämnat till annan vård", "Transferred to other care"),
            Self::Died => ("Avliden", "Died"),
            Self::Other => ("Annat", "Other"),
        }
    }
}

/// The longest note accepted on a closure.
pub const CLOSURE_NOTE_MAX_CHARS: usize = 2000;

/// A closure as it was posted (API fields or form fields, still text).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClosureInput<'a> {
    pub closed_on: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// A checked closure of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub closed_on: NaiveDate,
    pub reason: ClosureReason,
    pub note: Option<String>,
}

impl Closure {
    /// Checks a closure of a case opened on `opened_on`: the day defaults to `today`, lies neither
    /// before the opening nor after today; the reason is required, and "other" needs a note that
    /// says what. Every wrong field is reported at once. Whether the case is still open is the
    /// caller's (a conflict, not a field).
    pub fn parse(
        input: &ClosureInput,
        opened_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let closed_on = collect(
            day_up_to_today("closed_on", input.closed_on, today).and_then(|d| {
                not_before(
                    "closed_on",
                    d,
                    opened_on,
                    ("ärendets öppnande", "the case's opening"),
                )
                .map(|()| d)
            }),
            &mut errors,
        );
        let reason = collect(
            required_name::<ClosureReason>("reason", input.reason),
            &mut errors,
        );
        let note = collect(
            optional_text("note", input.note, CLOSURE_NOTE_MAX_CHARS),
            &mut errors,
        )
        .flatten();
        if reason == Some(ClosureReason::Other) && note.is_none() && errors.is_empty() {
            errors.push(FieldError::new(
                "note",
                "note_required",
                Msg::new(
                    "Skriv varför ärendet avslutas när orsaken är \"Annat\".",
                    "Say why the case is closed when the reason is \"Other\".",
                ),
            ));
        }
        match (closed_on, reason) {
            (Some(closed_on), Some(reason)) if errors.is_empty() => Ok(Self {
                closed_on,
                reason,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// Checks the day a new case manager takes over a case opened on `opened_on` whose current
/// assignment began on `current_since` (the latest, when several): it defaults to `today` and lies
/// neither before the opening or the current assignment's start, nor after today.
pub fn assignment_day(
    value: Option<&str>,
    opened_on: NaiveDate,
    current_since: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    let day = day_up_to_today("assigned_on", value, today)?;
    match current_since.filter(|d| *d > opened_on) {
        Some(since) => not_before(
            "assigned_on",
            day,
            since,
            (
                "den nuvarande case managerns start",
                "the current case manager's start",
            ),
        )?,
        None => not_before(
            "assigned_on",
            day,
            opened_on,
            ("ärendets öppnande", "the case's opening"),
        )?,
    }
    Ok(day)
}

/// Checks the last day of a case manager's assignment that began on `since`: it defaults to
/// `today` and lies neither before `since` nor after today.
pub fn unassignment_day(
    value: Option<&str>,
    since: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    let day = day_up_to_today("unassigned_on", value, today)?;
    not_before(
        "unassigned_on",
        day,
        since,
        (
            "dagen hen blev case manager för ärendet",
            "the day they became the case's case manager",
        ),
    )?;
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_assignment_ends_between_its_start_and_today() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let (since, today) = (d(2, 1), d(3, 10));
        assert_eq!(unassignment_day(None, since, today), Ok(today));
        assert_eq!(
            unassignment_day(Some("2026-02-01"), since, today),
            Ok(since)
        );
        let code = |v| unassignment_day(Some(v), since, today).unwrap_err();
        assert_eq!(
            (code("2026-01-31").field.as_str(), code("2026-01-31").code),
            ("unassigned_on", "before_earliest")
        );
        assert_eq!(code("2026-03-11").code, "in_future");
        assert_eq!(code("31/1").code, "invalid_date");
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn fields(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    const OPENED: &str = "2026-03-02";
    const TODAY: &str = "2026-11-23";

    fn close(
        closed_on: Option<&str>,
        reason: Option<&str>,
        note: Option<&str>,
    ) -> Result<Closure, Vec<FieldError>> {
        Closure::parse(
            &ClosureInput {
                closed_on,
                reason,
                note,
            },
            day(OPENED),
            day(TODAY),
        )
    }

    #[test]
    fn a_closure_defaults_to_today_and_keeps_its_note_trimmed() {
        let c = close(None, Some("goals_met"), Some("  Eget boende sedan maj. ")).unwrap();
        assert_eq!(c.closed_on, day(TODAY));
        assert_eq!(c.reason, ClosureReason::GoalsMet);
        assert_eq!(c.note.as_deref(), Some("Eget boende sedan maj."));
        assert_eq!(
            close(Some(""), Some("moved"), Some(" ")).unwrap().note,
            None
        );
    }

    #[test]
    fn the_opening_day_and_today_are_both_allowed() {
        assert!(close(Some(OPENED), Some("died"), None).is_ok());
        assert!(close(Some(TODAY), Some("died"), None).is_ok());
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let e = close(Some("2026-03-01"), Some("finished"), None).unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("closed_on", "before_earliest"),
                ("reason", "unknown_value")
            ]
        );
        let e = close(Some("2026-11-24"), None, None).unwrap_err();
        assert_eq!(
            fields(&e),
            [("closed_on", "in_future"), ("reason", "required")]
        );
        let e = close(Some("23/11/2026"), Some("moved"), None).unwrap_err();
        assert_eq!(fields(&e), [("closed_on", "invalid_date")]);
        assert!(e[0].message.sv.contains("ÅÅÅÅ") && e[0].message.en.contains("YYYY"));
    }

    #[test]
    fn other_needs_a_note_and_a_note_has_a_limit() {
        let e = close(None, Some("other"), Some("   ")).unwrap_err();
        assert_eq!(fields(&e), [("note", "note_required")]);
        assert!(close(None, Some("other"), Some("Flyttar till syster i Norge")).is_ok());
        let long = "x".repeat(CLOSURE_NOTE_MAX_CHARS + 1);
        let e = close(None, Some("goals_met"), Some(&long)).unwrap_err();
        assert_eq!(fields(&e), [("note", "too_long")]);
    }

    #[test]
    fn a_new_case_manager_takes_over_between_the_current_start_and_today() {
        let (opened, today) = (day(OPENED), day(TODAY));
        assert_eq!(assignment_day(None, opened, None, today), Ok(today));
        assert_eq!(
            assignment_day(Some(OPENED), opened, Some(opened), today),
            Ok(opened)
        );
        assert_eq!(
            assignment_day(Some("2026-03-01"), opened, None, today)
                .unwrap_err()
                .code,
            "before_earliest"
        );
        assert_eq!(
            assignment_day(Some("2026-11-24"), opened, None, today)
                .unwrap_err()
                .code,
            "in_future"
        );
        // Not before the current case manager took over: periods do not overlap.
        let since = day("2026-06-01");
        let e = assignment_day(Some("2026-05-31"), opened, Some(since), today).unwrap_err();
        assert_eq!(e.code, "before_earliest");
        assert!(
            e.message.en.contains("current case manager"),
            "{}",
            e.message.en
        );
        assert_eq!(
            assignment_day(Some("2026-06-01"), opened, Some(since), today),
            Ok(since)
        );
    }

    #[test]
    fn a_case_opens_on_an_application_today_unless_told_otherwise() {
        let today = day(TODAY);
        assert_eq!(
            opening(None, None, today),
            Ok((CaseOrigin::Application, today))
        );
        assert_eq!(
            opening(Some("referral"), Some("2026-01-05"), today),
            Ok((CaseOrigin::Referral, day("2026-01-05")))
        );
        let e = opening(Some("rumour"), Some("2026-11-24"), today).unwrap_err();
        assert_eq!(
            fields(&e),
            [("origin", "unknown_value"), ("opened_on", "in_future")]
        );
    }

    proptest! {
        /// Any day is accepted exactly when it lies from the opening to today, for any opening.
        #[test]
        fn a_closure_day_is_accepted_exactly_between_opening_and_today(
            open_offset in 0i64..400, day_offset in -500i64..500,
        ) {
            let today = day(TODAY);
            let opened = today - chrono::Duration::days(open_offset);
            let closed = today + chrono::Duration::days(day_offset);
            let text = closed.to_string();
            let got = Closure::parse(
                &ClosureInput { closed_on: Some(&text), reason: Some("goals_met"), note: None },
                opened,
                today,
            );
            prop_assert_eq!(got.is_ok(), opened <= closed && closed <= today);
            if let Ok(c) = got {
                prop_assert_eq!(c.closed_on, closed);
            }
        }
    }
}
