//! Follow-up contacts (journal entries): the case manager's day-to-day record of a client.
//!
//! SOSFS 2014:5: an entry shows when and by whom; a signed entry is never changed. A correction is a
//! new entry that points at the one it corrects, and both stay readable. The person's own objection
//! to an entry (SoL 11 kap. 6 §) is added beside it, never written into it.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{FieldError, Msg};
use crate::ids::{CaseId, ClientId, ContactId, GoalId, ObjectionId, UserId};
use crate::string_enum;

string_enum! {
    pub enum ContactKind {
        Meeting = "meeting",
        HomeVisit = "home_visit",
        Phone = "phone",
        Message = "message",
        /// Tried to reach the person, without success.
        Attempted = "attempted",
        /// A booked meeting the person did not come to.
        NoShow = "no_show",
    }
}

string_enum! {
    /// Substance use since the last contact.
    pub enum SubstanceUse {
        None = "none",
        /// Snedsteg: a single use after abstinence.
        Lapse = "lapse",
        /// Återfall: a return to use.
        Relapse = "relapse",
        Unknown = "unknown",
    }
}

string_enum! {
    pub enum Substance {
        Alcohol = "alcohol",
        Cannabis = "cannabis",
        Amphetamine = "amphetamine",
        Cocaine = "cocaine",
        Opioids = "opioids",
        Benzodiazepines = "benzodiazepines",
        Gabapentinoids = "gabapentinoids",
        Other = "other",
    }
}

string_enum! {
    /// A risk that happened or came up since the last contact (DOMAIN-NOTES 6.2: the risk flags of a
    /// daily follow-up record). Each one raises its own alert.
    pub enum Risk {
        Overdose = "overdose",
        /// Suicidal thoughts or other signs of a risk of suicide.
        SuicideRisk = "suicide_risk",
        /// Violence, suffered or used.
        Violence = "violence",
        /// A risk of losing the home: an eviction notice, rent arrears, complaints.
        EvictionRisk = "eviction_risk",
    }
}

impl Risk {
    /// The name in Swedish and English, for printed reports (the pages use their locale files).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Risk::Overdose => ("Överdos", "Overdose"),
            Risk::SuicideRisk => (
                "Suicidtankar eller suicidrisk",
                "Suicidal thoughts or suicide risk",
            ),
            Risk::Violence => ("Våld (utsatt eller utövat)", "Violence (suffered or used)"),
            Risk::EvictionRisk => ("Risk att mista bostaden", "Risk of losing the home"),
        }
    }
}

string_enum! {
    /// Where the person lives now.
    pub enum Housing {
        Own = "own",
        TrainingApartment = "training_apartment",
        SupportedHousing = "supported_housing",
        TreatmentHome = "treatment_home",
        Homeless = "homeless",
        Hospital = "hospital",
        Custody = "custody",
        Unknown = "unknown",
    }
}

string_enum! {
    pub enum Sleep { Good = "good", Poor = "poor", Unknown = "unknown" }
}

string_enum! {
    pub enum EntryStatus { Draft = "draft", Signed = "signed" }
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub client_id: ClientId,
    pub case_id: Option<CaseId>,
    pub author_id: UserId,
    pub occurred_at: DateTime<Utc>,
    pub kind: ContactKind,
    pub substance_use: SubstanceUse,
    pub substances: Vec<Substance>,
    pub risks: Vec<Risk>,
    /// Self-rated well-being 0–10.
    pub well_being: Option<u8>,
    pub sleep: Option<Sleep>,
    pub housing: Housing,
    pub note: Option<String>,
    pub status: EntryStatus,
    pub signed_at: Option<DateTime<Utc>>,
    /// The signed entry this one corrects.
    pub corrects: Option<ContactId>,
    /// The goal of the client's plan the contact served (DOMAIN-NOTES 6.2).
    pub plan_goal: Option<GoalId>,
    pub created_at: DateTime<Utc>,
}

impl Contact {
    /// A signed entry is final: it can only be corrected by a new entry.
    pub fn is_editable(&self) -> bool {
        self.status == EntryStatus::Draft
    }
}

/// What a user sends to record a contact, before validation.
#[derive(Debug, Clone, Default)]
pub struct ContactInput<'a> {
    pub occurred_at: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub substance_use: Option<&'a str>,
    pub substances: &'a [String],
    pub risks: &'a [String],
    pub well_being: Option<i64>,
    pub sleep: Option<&'a str>,
    pub housing: Option<&'a str>,
    pub note: Option<&'a str>,
    pub signed: bool,
    pub corrects: Option<i64>,
    pub plan_goal_id: Option<i64>,
}

/// A validated journal entry, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub occurred_at: DateTime<Utc>,
    pub kind: ContactKind,
    pub substance_use: SubstanceUse,
    pub substances: Vec<Substance>,
    pub risks: Vec<Risk>,
    pub well_being: Option<u8>,
    pub sleep: Option<Sleep>,
    pub housing: Housing,
    pub note: Option<String>,
    pub signed: bool,
    pub corrects: Option<ContactId>,
    /// Checked against the client's plan by the caller (a goal of another client is unknown).
    pub plan_goal: Option<GoalId>,
}

/// How far ahead of the server's clock a contact may be dated (clocks drift).
pub const FUTURE_SLACK_MINUTES: i64 = 5;
pub const NOTE_MAX: usize = 4000;

fn required_enum<T: std::str::FromStr<Err = crate::error::UnknownName>>(
    field: &str,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::required(field));
            None
        }
        Some(s) => s
            .parse::<T>()
            .map_err(|e| errors.push(e.for_field(field)))
            .ok(),
    }
}

/// An optional id, which must be positive when given.
fn positive_id(field: &str, value: Option<i64>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match value {
        Some(id) if id <= 0 => {
            errors.push(FieldError::new(
                field,
                "invalid_id",
                Msg::new("Ogiltigt id.", "Invalid id."),
            ));
            None
        }
        other => other,
    }
}

impl NewContact {
    /// Validates a journal entry, reporting every invalid field.
    pub fn parse(input: &ContactInput<'_>, now: DateTime<Utc>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let occurred_at = match input.occurred_at.map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errors.push(FieldError::required("occurred_at"));
                None
            }
            Some(s) => match DateTime::parse_from_rfc3339(s) {
                Err(_) => {
                    errors.push(FieldError::new(
                        "occurred_at",
                        "invalid_time",
                        Msg::new(
                            "Ange tid enligt RFC 3339, t.ex. 2026-11-23T10:30:00+01:00.",
                            "Give the time as RFC 3339, e.g. 2026-11-23T10:30:00+01:00.",
                        ),
                    ));
                    None
                }
                Ok(t)
                    if t.with_timezone(&Utc)
                        > now + chrono::Duration::minutes(FUTURE_SLACK_MINUTES) =>
                {
                    errors.push(FieldError::new(
                        "occurred_at",
                        "future_time",
                        Msg::new(
                            "Kontakten kan inte ligga i framtiden.",
                            "The contact cannot lie in the future.",
                        ),
                    ));
                    None
                }
                Ok(t) => Some(t.with_timezone(&Utc)),
            },
        };
        let kind = required_enum::<ContactKind>("kind", input.kind, &mut errors);
        let substance_use =
            required_enum::<SubstanceUse>("substance_use", input.substance_use, &mut errors);
        let housing = required_enum::<Housing>("housing", input.housing, &mut errors);
        let mut substances = Vec::new();
        for (i, s) in input.substances.iter().enumerate() {
            match s.trim().parse::<Substance>() {
                Ok(v) if !substances.contains(&v) => substances.push(v),
                Ok(_) => {}
                Err(e) => errors.push(e.for_field(format!("substances[{i}]"))),
            }
        }
        if !substances.is_empty()
            && !matches!(
                substance_use,
                Some(SubstanceUse::Lapse | SubstanceUse::Relapse)
            )
        {
            errors.push(FieldError::new(
                "substances",
                "substances_without_use",
                Msg::new(
                    "Substanser anges bara vid snedsteg eller återfall.",
                    "Substances are given only with a lapse or relapse.",
                ),
            ));
        }
        let mut risks = Vec::new();
        for (i, r) in input.risks.iter().enumerate() {
            match r.trim().parse::<Risk>() {
                Ok(v) if !risks.contains(&v) => risks.push(v),
                Ok(_) => {}
                Err(e) => errors.push(e.for_field(format!("risks[{i}]"))),
            }
        }
        let well_being = match input.well_being {
            None => None,
            Some(w) if (0..=10).contains(&w) => u8::try_from(w).ok(),
            Some(_) => {
                errors.push(FieldError::new(
                    "well_being",
                    "out_of_range",
                    Msg::new("Mående anges 0–10.", "Well-being is 0–10."),
                ));
                None
            }
        };
        let sleep = match input.sleep.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => s
                .parse::<Sleep>()
                .map_err(|e| errors.push(e.for_field("sleep")))
                .ok(),
        };
        let note = crate::error::optional_text("note", input.note, NOTE_MAX)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let corrects = positive_id("corrects", input.corrects, &mut errors).map(ContactId);
        let plan_goal = positive_id("plan_goal_id", input.plan_goal_id, &mut errors).map(GoalId);
        match (occurred_at, kind, substance_use, housing) {
            (Some(occurred_at), Some(kind), Some(substance_use), Some(housing))
                if errors.is_empty() =>
            {
                Ok(NewContact {
                    occurred_at,
                    kind,
                    substance_use,
                    substances,
                    risks,
                    well_being,
                    sleep,
                    housing,
                    note,
                    signed: input.signed,
                    corrects,
                    plan_goal,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The person's objection to a signed entry, in their own words: recorded by staff beside the
/// entry, which stays as it was. Never changed once recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub id: ObjectionId,
    pub client_id: ClientId,
    pub contact_id: ContactId,
    pub statement: String,
    /// The day the person made the objection.
    pub received_on: NaiveDate,
    pub recorded_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// A validated objection, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObjection {
    pub statement: String,
    pub received_on: NaiveDate,
}

pub const STATEMENT_MAX: usize = 4000;

impl Contact {
    /// Only a signed entry takes an objection: a draft is still the author's to change.
    pub fn takes_objection(&self) -> Result<(), FieldError> {
        if self.status == EntryStatus::Signed {
            Ok(())
        } else {
            Err(FieldError::new(
                "",
                "entry_not_signed",
                Msg::new(
                    "Synpunkter antecknas på signerade anteckningar. Utkastet kan fortfarande ändras.",
                    "Objections are recorded on signed entries. The draft can still be changed.",
                ),
            ))
        }
    }
}

impl NewObjection {
    /// Validates an objection to `entry`: the statement is required; the day it was received
    /// defaults to `today` and lies between the entry's own day and today.
    pub fn parse(
        statement: Option<&str>,
        received_on: Option<&str>,
        entry: &Contact,
        today: NaiveDate,
    ) -> Result<Self, Vec<FieldError>> {
        use crate::error::{collect, not_before, required_text};
        let mut errors = Vec::new();
        let statement = collect(
            required_text("statement", statement.unwrap_or_default(), STATEMENT_MAX),
            &mut errors,
        );
        let received_on = collect(
            crate::error::day_up_to_today("received_on", received_on, today).and_then(|d| {
                not_before(
                    "received_on",
                    d,
                    crate::time::local_date(entry.occurred_at),
                    ("anteckningens dag", "the day of the entry"),
                )
                .map(|()| d)
            }),
            &mut errors,
        );
        match (statement, received_on) {
            (Some(statement), Some(received_on)) if errors.is_empty() => Ok(Self {
                statement,
                received_on,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
    }

    fn base() -> ContactInput<'static> {
        ContactInput {
            occurred_at: Some("2026-11-23T10:30:00+01:00"),
            kind: Some("home_visit"),
            substance_use: Some("none"),
            housing: Some("own"),
            ..Default::default()
        }
    }

    fn signed_entry() -> Contact {
        Contact {
            id: ContactId(7),
            client_id: ClientId(1),
            case_id: None,
            author_id: UserId(2),
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 19, 23, 30, 0).unwrap(),
            kind: ContactKind::Meeting,
            substance_use: SubstanceUse::Lapse,
            substances: vec![Substance::Alcohol],
            risks: vec![],
            well_being: Some(4),
            sleep: None,
            housing: Housing::Own,
            note: Some("Berättar om ett snedsteg.".into()),
            status: EntryStatus::Signed,
            signed_at: Some(Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap()),
            corrects: None,
            plan_goal: None,
            created_at: Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_objection_is_taken_on_a_signed_entry_only() {
        let signed = signed_entry();
        assert!(signed.takes_objection().is_ok());
        let draft = Contact {
            status: EntryStatus::Draft,
            ..signed
        };
        assert_eq!(
            draft.takes_objection().unwrap_err().code,
            "entry_not_signed"
        );
    }

    #[test]
    fn an_objection_is_received_between_the_entrys_own_day_and_today() {
        // 23:30 UTC on the 19th is the 20th in Stockholm: the entry's own day is the 20th.
        let entry = signed_entry();
        let today = day("2026-11-23");
        let at = |d: &str| NewObjection::parse(Some(" Jag drack inte. "), Some(d), &entry, today);
        assert_eq!(at("2026-11-19").unwrap_err()[0].code, "before_earliest");
        assert_eq!(at("2026-11-20").unwrap().received_on, day("2026-11-20"));
        assert_eq!(at("2026-11-23").unwrap().statement, "Jag drack inte.");
        assert_eq!(at("2026-11-24").unwrap_err()[0].code, "in_future");
        let default = NewObjection::parse(Some("x"), None, &entry, today).unwrap();
        assert_eq!(default.received_on, today);
    }

    #[test]
    fn every_wrong_field_of_an_objection_is_named() {
        let entry = signed_entry();
        let today = day("2026-11-23");
        let e = NewObjection::parse(Some("  "), Some("23/11"), &entry, today).unwrap_err();
        let fields: Vec<_> = e.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            fields,
            [("statement", "required"), ("received_on", "invalid_date")]
        );
        let long = "a".repeat(STATEMENT_MAX + 1);
        let e = NewObjection::parse(Some(&long), None, &entry, today).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].code), ("statement", "too_long"));
    }

    #[test]
    fn a_valid_entry_parses_with_its_time_in_utc() {
        let c = NewContact::parse(
            &ContactInput {
                well_being: Some(7),
                note: Some(" Bra samtal "),
                ..base()
            },
            now(),
        )
        .unwrap();
        assert_eq!(
            c.occurred_at,
            Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
        );
        assert_eq!(
            (c.kind, c.substance_use, c.housing),
            (ContactKind::HomeVisit, SubstanceUse::None, Housing::Own)
        );
        assert_eq!(
            (c.well_being, c.note.as_deref()),
            (Some(7), Some("Bra samtal"))
        );
    }

    #[test]
    fn well_being_is_0_to_10_at_its_boundaries() {
        for (w, ok) in [(-1, false), (0, true), (10, true), (11, false)] {
            let r = NewContact::parse(
                &ContactInput {
                    well_being: Some(w),
                    ..base()
                },
                now(),
            );
            assert_eq!(r.is_ok(), ok, "{w}");
        }
    }

    #[test]
    fn a_contact_up_to_five_minutes_ahead_is_accepted_and_later_refused() {
        let ahead = |m: i64| (now() + chrono::Duration::minutes(m)).to_rfc3339();
        let five = ahead(5);
        let six = ahead(6);
        assert!(
            NewContact::parse(
                &ContactInput {
                    occurred_at: Some(&five),
                    ..base()
                },
                now()
            )
            .is_ok()
        );
        let e = NewContact::parse(
            &ContactInput {
                occurred_at: Some(&six),
                ..base()
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(e[0].code, "future_time");
    }

    #[test]
    fn substances_go_with_a_lapse_or_relapse_only() {
        let list = vec![
            "alcohol".to_owned(),
            "alcohol".to_owned(),
            "cannabis".to_owned(),
        ];
        let c = NewContact::parse(
            &ContactInput {
                substance_use: Some("relapse"),
                substances: &list,
                ..base()
            },
            now(),
        )
        .unwrap();
        assert_eq!(c.substances, [Substance::Alcohol, Substance::Cannabis]);
        let e = NewContact::parse(
            &ContactInput {
                substances: &list,
                ..base()
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(e[0].code, "substances_without_use");
        let bad = vec!["glue".to_owned()];
        let e = NewContact::parse(
            &ContactInput {
                substance_use: Some("lapse"),
                substances: &bad,
                ..base()
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(e[0].field, "substances[0]");
    }

    #[test]
    fn risks_are_kept_once_each_and_an_unknown_one_is_named() {
        let list = vec![
            "overdose".to_owned(),
            " violence ".to_owned(),
            "overdose".to_owned(),
        ];
        // A risk needs no use: an eviction notice or violence stands on its own.
        let c = NewContact::parse(
            &ContactInput {
                risks: &list,
                ..base()
            },
            now(),
        )
        .unwrap();
        assert_eq!(c.risks, [Risk::Overdose, Risk::Violence]);
        assert!(NewContact::parse(&base(), now()).unwrap().risks.is_empty());
        let bad = vec!["eviction_risk".to_owned(), "fire".to_owned()];
        let e = NewContact::parse(
            &ContactInput {
                risks: &bad,
                ..base()
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "risks[1]");
        assert_eq!(e[0].code, "unknown_value");
    }

    #[test]
    fn a_plan_goal_is_a_positive_id() {
        let c = NewContact::parse(
            &ContactInput {
                plan_goal_id: Some(12),
                ..base()
            },
            now(),
        )
        .unwrap();
        assert_eq!(c.plan_goal, Some(GoalId(12)));
        let e = NewContact::parse(
            &ContactInput {
                plan_goal_id: Some(0),
                ..base()
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(
            (e[0].field.as_str(), e[0].code),
            ("plan_goal_id", "invalid_id")
        );
    }

    #[test]
    fn every_missing_or_unknown_field_is_named() {
        let e = NewContact::parse(
            &ContactInput {
                kind: Some("visit"),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            fields,
            [
                ("occurred_at", "required"),
                ("kind", "unknown_value"),
                ("substance_use", "required"),
                ("housing", "required")
            ]
        );
    }
}
