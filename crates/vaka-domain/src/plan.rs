//! The case's plan (genomförandeplan, the case management plan): goals drawn up with the person,
//! each in a life area, with what is to be done and the day it is followed up, and every follow-up
//! of a goal. Goals and follow-ups are documentation (SOSFS 2014:5): never changed, only added to;
//! a goal's state is its latest follow-up.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::error::{
    FieldError, Msg, collect, day_up_to_today, not_before, optional_text, required_date,
    required_name, required_text,
};
use crate::ids::{CaseId, ClientId, GoalId, GoalReviewId, UserId};
use crate::string_enum;

string_enum! {
    /// The part of daily life a goal is about (the areas the case manager maps with the person).
    pub enum LifeArea {
        Housing = "housing",
        SubstanceUse = "substance_use",
        Health = "health",
        Occupation = "occupation",
        Economy = "economy",
        FamilySocial = "family_social",
        Legal = "legal",
        Leisure = "leisure",
        Other = "other",
    }
}

impl LifeArea {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Housing => ("Boende", "Housing"),
            Self::SubstanceUse => ("Alkohol och droger", "Alcohol and drugs"),
            Self::Health => ("Fysisk och psykisk hälsa", "Physical and mental health"),
            Self::Occupation => ("Sysselsättning", "Work, studies, daily activity"),
            Self::Economy => ("Ekonomi", "Money"),
            Self::FamilySocial => ("Familj och relationer", "Family and relationships"),
            Self::Legal => ("Rättsliga frågor", "Legal matters"),
            Self::Leisure => ("Fritid", "Leisure"),
            Self::Other => ("Annat", "Other"),
        }
    }
}

string_enum! {
    /// Where a goal stands after a follow-up. Every state but `ongoing` ends the goal.
    pub enum GoalStatus {
        Ongoing = "ongoing",
        Reached = "reached",
        PartlyReached = "partly_reached",
        NotReached = "not_reached",
        Dropped = "dropped",
    }
}

impl GoalStatus {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Ongoing => ("Pågår", "Ongoing"),
            Self::Reached => ("Uppnått", "Reached"),
            Self::PartlyReached => ("Delvis uppnått", "Partly reached"),
            Self::NotReached => ("Inte uppnått", "Not reached"),
            Self::Dropped => ("Avbrutet", "Dropped"),
        }
    }

    /// The goal is finished: no more follow-ups; a new goal is written instead.
    pub fn is_final(self) -> bool {
        self != Self::Ongoing
    }

    /// A follow-up ending in this state needs a note saying why or what was reached in part.
    fn needs_note(self) -> bool {
        matches!(self, Self::PartlyReached | Self::NotReached | Self::Dropped)
    }
}

pub const GOAL_MAX_CHARS: usize = 1_000;
pub const ACTIONS_MAX_CHARS: usize = 2_000;
pub const REVIEW_NOTE_MAX_CHARS: usize = 2_000;
/// How far ahead a follow-up may be set: a plan is followed up at least once a year, and a later
/// day is most likely a typing error.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// A goal of a case's plan with its follow-ups, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    pub case_id: CaseId,
    pub client_id: ClientId,
    pub life_area: LifeArea,
    /// The goal, as far as possible in the person's own words.
    pub goal: String,
    /// What is to be done, by whom.
    pub actions: Option<String>,
    /// The day the goal is first to be followed up.
    pub follow_up_on: NaiveDate,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub reviews: Vec<Review>,
}

/// One follow-up of a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: GoalReviewId,
    pub goal_id: GoalId,
    pub status: GoalStatus,
    pub reviewed_on: NaiveDate,
    pub note: Option<String>,
    /// The next follow-up, for a goal still ongoing.
    pub next_follow_up_on: Option<NaiveDate>,
    pub reviewed_by: UserId,
    pub created_at: DateTime<Utc>,
}

impl Goal {
    /// The state of the latest follow-up; `ongoing` before the first.
    pub fn status(&self) -> GoalStatus {
        self.reviews
            .last()
            .map_or(GoalStatus::Ongoing, |r| r.status)
    }

    /// The day the goal is next to be followed up; `None` once it is finished.
    pub fn due_on(&self) -> Option<NaiveDate> {
        due_on(
            self.follow_up_on,
            self.reviews.last().map(|r| (r.status, r.next_follow_up_on)),
        )
    }

    /// The earliest day a new follow-up may carry: not before the goal was written (its day in
    /// `local`), nor before the latest follow-up.
    pub fn earliest_review(&self, local: impl Fn(DateTime<Utc>) -> NaiveDate) -> NaiveDate {
        let written = local(self.created_at);
        self.reviews
            .last()
            .map_or(written, |r| r.reviewed_on.max(written))
    }
}

/// The day a goal first followed up on `follow_up_on` is next due, given its latest follow-up's
/// state and next day, if any: `None` once finished.
pub fn due_on(
    follow_up_on: NaiveDate,
    latest: Option<(GoalStatus, Option<NaiveDate>)>,
) -> Option<NaiveDate> {
    match latest {
        None => Some(follow_up_on),
        Some((s, _)) if s.is_final() => None,
        Some((_, next)) => Some(next.unwrap_or(follow_up_on)),
    }
}

/// The cause of the alert for goal `id` falling due on `due_on`: each follow-up day its own cause,
/// so that the next day can alert again once this one is followed up.
pub fn due_cause_key(id: i64, due_on: NaiveDate) -> String {
    format!("plan_goal_due:goal:{id}:{due_on}")
}

/// A new goal as posted.
#[derive(Debug, Default, Clone, Copy)]
pub struct GoalInput<'a> {
    pub life_area: Option<&'a str>,
    pub goal: Option<&'a str>,
    pub actions: Option<&'a str>,
    pub follow_up_on: Option<&'a str>,
}

/// A checked new goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGoal {
    pub life_area: LifeArea,
    pub goal: String,
    pub actions: Option<String>,
    pub follow_up_on: NaiveDate,
}

/// The day lies from `earliest` (named `what` in the message) up to a year after `today`.
fn within_year(
    field: &str,
    day: NaiveDate,
    earliest: NaiveDate,
    what: (&str, &str),
    today: NaiveDate,
) -> Result<(), FieldError> {
    not_before(field, day, earliest, what)?;
    if day > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(FieldError::new(
            field,
            "too_far_ahead",
            Msg::new(
                format!("Högst {MAX_DAYS_AHEAD} dagar fram (ett år)."),
                format!("At most {MAX_DAYS_AHEAD} days ahead (a year)."),
            ),
        ));
    }
    Ok(())
}

impl NewGoal {
    /// Checks a new goal written on `today`: the life area and the goal are required, the first
    /// follow-up lies from today up to a year ahead. Every wrong field at once.
    pub fn parse(input: &GoalInput<'_>, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let life_area = collect(
            required_name::<LifeArea>("life_area", input.life_area),
            &mut errors,
        );
        let goal = collect(
            required_text("goal", input.goal.unwrap_or_default(), GOAL_MAX_CHARS),
            &mut errors,
        );
        let actions = collect(
            optional_text("actions", input.actions, ACTIONS_MAX_CHARS),
            &mut errors,
        )
        .flatten();
        let follow_up_on = collect(
            required_date("follow_up_on", input.follow_up_on).and_then(|d| {
                within_year("follow_up_on", d, today, ("idag", "today"), today).map(|()| d)
            }),
            &mut errors,
        );
        match (life_area, goal, follow_up_on) {
            (Some(life_area), Some(goal), Some(follow_up_on)) if errors.is_empty() => Ok(Self {
                life_area,
                goal,
                actions,
                follow_up_on,
            }),
            _ => Err(errors),
        }
    }
}

/// A follow-up as posted.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReviewInput<'a> {
    pub status: Option<&'a str>,
    pub reviewed_on: Option<&'a str>,
    pub note: Option<&'a str>,
    pub next_follow_up_on: Option<&'a str>,
}

/// A checked follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    pub status: GoalStatus,
    pub reviewed_on: NaiveDate,
    pub note: Option<String>,
    pub next_follow_up_on: Option<NaiveDate>,
}

impl NewReview {
    /// Checks a follow-up of a goal that takes none before `earliest` (see
    /// [`Goal::earliest_review`]): the state is required; the day defaults to `today` and lies
    /// between `earliest` and today; a goal still ongoing needs its next follow-up (after this one,
    /// from tomorrow up to a year ahead), a finished one has none; partly reached, not reached and dropped need a
    /// note. Whether the goal is still open is the caller's (a conflict, not a field).
    pub fn parse(
        input: &ReviewInput<'_>,
        earliest: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let status = collect(
            required_name::<GoalStatus>("status", input.status),
            &mut errors,
        );
        let reviewed_on = collect(
            day_up_to_today("reviewed_on", input.reviewed_on, today).and_then(|d| {
                not_before(
                    "reviewed_on",
                    d,
                    earliest,
                    (
                        "målets tillkomst eller förra uppföljningen",
                        "the goal's writing or its last follow-up",
                    ),
                )
                .map(|()| d)
            }),
            &mut errors,
        );
        let note = collect(
            optional_text("note", input.note, REVIEW_NOTE_MAX_CHARS),
            &mut errors,
        )
        .flatten();
        let next = match crate::error::optional_date("next_follow_up_on", input.next_follow_up_on) {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut next_follow_up_on = None;
        if let Some(status) = status {
            if status.is_final() {
                if next.is_some() {
                    errors.push(FieldError::new(
                        "next_follow_up_on",
                        "not_for_status",
                        Msg::new(
                            "Ett avslutat mål följs inte upp igen; lämna fältet tomt.",
                            "A finished goal is not followed up again; leave the field empty.",
                        ),
                    ));
                }
                if status.needs_note() && note.is_none() {
                    errors.push(FieldError::new(
                        "note",
                        "note_required",
                        Msg::new(
                            "Skriv vad som hände med målet.",
                            "Say what became of the goal.",
                        ),
                    ));
                }
            } else {
                match next {
                    None if !errors.iter().any(|e| e.field == "next_follow_up_on") => {
                        errors.push(FieldError::new(
                            "next_follow_up_on",
                            "required",
                            Msg::new(
                                "Ange när målet ska följas upp nästa gång.",
                                "Give the day the goal is followed up next.",
                            ),
                        ));
                    }
                    None => {}
                    Some(d) => {
                        let tomorrow = today + Duration::days(1);
                        match within_year(
                            "next_follow_up_on",
                            d,
                            tomorrow,
                            ("imorgon", "tomorrow"),
                            today,
                        ) {
                            Ok(()) => next_follow_up_on = Some(d),
                            Err(e) => errors.push(e),
                        }
                    }
                }
            }
        }
        match (status, reviewed_on) {
            (Some(status), Some(reviewed_on)) if errors.is_empty() => Ok(Self {
                status,
                reviewed_on,
                note,
                next_follow_up_on,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn goal_input<'a>(area: &'a str, goal: &'a str, day: &'a str) -> GoalInput<'a> {
        GoalInput {
            life_area: Some(area),
            goal: Some(goal),
            actions: None,
            follow_up_on: Some(day),
        }
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn a_goal_needs_its_area_its_words_and_a_follow_up_within_a_year() {
        let today = d("2026-12-07");
        let g = NewGoal::parse(
            &GoalInput {
                actions: Some("  Case managern följer med till hyresvärden. "),
                ..goal_input("housing", "  Eget kontrakt till sommaren ", "2027-03-01")
            },
            today,
        )
        .unwrap();
        assert_eq!(g.life_area, LifeArea::Housing);
        assert_eq!(g.goal, "Eget kontrakt till sommaren");
        assert_eq!(
            g.actions.as_deref(),
            Some("Case managern följer med till hyresvärden.")
        );
        assert_eq!(g.follow_up_on, d("2027-03-01"));

        let e = NewGoal::parse(&GoalInput::default(), today).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("life_area", "required"),
                ("goal", "required"),
                ("follow_up_on", "required")
            ]
        );
        let e = NewGoal::parse(&goal_input("home", "x", "2026-12-06"), today).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("life_area", "unknown_value"),
                ("follow_up_on", "before_earliest")
            ]
        );
        assert!(NewGoal::parse(&goal_input("housing", "x", "2026-12-07"), today).is_ok());
        assert!(NewGoal::parse(&goal_input("housing", "x", "2027-12-08"), today).is_ok());
        let e = NewGoal::parse(&goal_input("housing", "x", "2027-12-09"), today).unwrap_err();
        assert_eq!(codes(&e), [("follow_up_on", "too_far_ahead")]);
        let long = "å".repeat(GOAL_MAX_CHARS + 1);
        let e = NewGoal::parse(&goal_input("housing", &long, "2027-01-01"), today).unwrap_err();
        assert_eq!(codes(&e), [("goal", "too_long")]);
    }

    fn review<'a>(
        status: &'a str,
        next: Option<&'a str>,
        note: Option<&'a str>,
    ) -> ReviewInput<'a> {
        ReviewInput {
            status: Some(status),
            reviewed_on: None,
            note,
            next_follow_up_on: next,
        }
    }

    #[test]
    fn an_ongoing_goal_gets_its_next_follow_up_and_a_finished_one_none() {
        let (earliest, today) = (d("2026-11-01"), d("2026-12-07"));
        let r = NewReview::parse(
            &review("ongoing", Some("2027-01-15"), None),
            earliest,
            today,
        )
        .unwrap();
        assert_eq!(r.reviewed_on, today);
        assert_eq!(r.next_follow_up_on, Some(d("2027-01-15")));
        let e = NewReview::parse(&review("ongoing", None, None), earliest, today).unwrap_err();
        assert_eq!(codes(&e), [("next_follow_up_on", "required")]);
        let e = NewReview::parse(
            &review("ongoing", Some("2026-12-07"), None),
            earliest,
            today,
        )
        .unwrap_err();
        assert_eq!(
            codes(&e),
            [("next_follow_up_on", "before_earliest")],
            "not the same day"
        );
        let e = NewReview::parse(
            &review("ongoing", Some("2028-01-01"), None),
            earliest,
            today,
        )
        .unwrap_err();
        assert_eq!(codes(&e), [("next_follow_up_on", "too_far_ahead")]);
        let e =
            NewReview::parse(&review("ongoing", Some("15/1"), None), earliest, today).unwrap_err();
        assert_eq!(codes(&e), [("next_follow_up_on", "invalid_date")]);

        let r = NewReview::parse(&review("reached", None, None), earliest, today).unwrap();
        assert_eq!((r.status, r.next_follow_up_on), (GoalStatus::Reached, None));
        let e = NewReview::parse(
            &review("reached", Some("2027-01-15"), None),
            earliest,
            today,
        )
        .unwrap_err();
        assert_eq!(codes(&e), [("next_follow_up_on", "not_for_status")]);
        for s in ["partly_reached", "not_reached", "dropped"] {
            let e = NewReview::parse(&review(s, None, None), earliest, today).unwrap_err();
            assert_eq!(codes(&e), [("note", "note_required")], "{s}");
            assert!(NewReview::parse(&review(s, None, Some("Flyttade.")), earliest, today).is_ok());
        }
    }

    #[test]
    fn a_follow_up_lies_between_the_last_one_and_today() {
        let (earliest, today) = (d("2026-11-01"), d("2026-12-07"));
        let on = |day| ReviewInput {
            reviewed_on: Some(day),
            ..review("reached", None, None)
        };
        assert!(NewReview::parse(&on("2026-11-01"), earliest, today).is_ok());
        let e = NewReview::parse(&on("2026-10-31"), earliest, today).unwrap_err();
        assert_eq!(codes(&e), [("reviewed_on", "before_earliest")]);
        let e = NewReview::parse(&on("2026-12-08"), earliest, today).unwrap_err();
        assert_eq!(codes(&e), [("reviewed_on", "in_future")]);
        let e = NewReview::parse(&ReviewInput::default(), earliest, today).unwrap_err();
        assert_eq!(codes(&e), [("status", "required")]);
        // A follow-up dated back still sets its next day after today.
        let back = ReviewInput {
            reviewed_on: Some("2026-11-20"),
            ..review("ongoing", Some("2026-12-01"), None)
        };
        let e = NewReview::parse(&back, earliest, today).unwrap_err();
        assert_eq!(codes(&e), [("next_follow_up_on", "before_earliest")]);
    }

    fn goal(reviews: &[(GoalStatus, Option<&str>, &str)]) -> Goal {
        Goal {
            id: GoalId(4),
            case_id: CaseId(2),
            client_id: ClientId(1),
            life_area: LifeArea::Occupation,
            goal: "Praktik".into(),
            actions: None,
            follow_up_on: d("2027-01-10"),
            created_by: UserId(3),
            created_at: "2026-12-01T09:00:00Z".parse().unwrap(),
            reviews: reviews
                .iter()
                .enumerate()
                .map(|(i, (status, next, on))| Review {
                    id: GoalReviewId(i as i64 + 1),
                    goal_id: GoalId(4),
                    status: *status,
                    reviewed_on: d(on),
                    note: None,
                    next_follow_up_on: next.map(d),
                    reviewed_by: UserId(3),
                    created_at: "2026-12-02T09:00:00Z".parse().unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_goal_is_due_on_its_latest_day_until_it_is_finished() {
        let utc_day = |t: DateTime<Utc>| t.date_naive();
        let g = goal(&[]);
        assert_eq!(
            (g.status(), g.due_on()),
            (GoalStatus::Ongoing, Some(d("2027-01-10")))
        );
        assert_eq!(g.earliest_review(utc_day), d("2026-12-01"));
        let g = goal(&[(GoalStatus::Ongoing, Some("2027-03-01"), "2027-01-09")]);
        assert_eq!(g.due_on(), Some(d("2027-03-01")));
        assert_eq!(g.earliest_review(utc_day), d("2027-01-09"));
        let g = goal(&[
            (GoalStatus::Ongoing, Some("2027-03-01"), "2027-01-09"),
            (GoalStatus::Dropped, None, "2027-02-01"),
        ]);
        assert_eq!((g.status(), g.due_on()), (GoalStatus::Dropped, None));
    }

    proptest! {
        /// Whatever is posted, an accepted follow-up keeps the rules: the day within its window, a
        /// next day exactly for an ongoing goal and after the follow-up and today, a note where one
        /// is needed.
        #[test]
        fn an_accepted_follow_up_keeps_every_rule(
            status in prop::sample::select(GoalStatus::ALL),
            back in 0i64..60,
            next_in in prop::option::of(-30i64..400),
            with_note in any::<bool>(),
        ) {
            let today = d("2026-12-07");
            let earliest = today - Duration::days(30);
            let reviewed = (today - Duration::days(back)).to_string();
            let next = next_in.map(|n| (today + Duration::days(n)).to_string());
            let input = ReviewInput {
                status: Some(status.as_str()),
                reviewed_on: Some(&reviewed),
                note: with_note.then_some("Se journalen."),
                next_follow_up_on: next.as_deref(),
            };
            match NewReview::parse(&input, earliest, today) {
                Ok(r) => {
                    prop_assert!(r.reviewed_on >= earliest && r.reviewed_on <= today);
                    prop_assert_eq!(r.next_follow_up_on.is_some(), !status.is_final());
                    if let Some(n) = r.next_follow_up_on {
                        prop_assert!(n > today && n > r.reviewed_on);
                        prop_assert!(n <= today + Duration::days(MAX_DAYS_AHEAD));
                    }
                    prop_assert!(!status.needs_note() || r.note.is_some());
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
    }
}
