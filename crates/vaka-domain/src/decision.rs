//! Applications, specialist recommendations and decisions (beslut om bistånd).
//!
//! Förvaltningslagen (2017:900) 25 §: before a decision that goes against the person, they are told
//! of what others have contributed and may respond (kommunicering); 32 §: a decision gives its
//! reasons; 33 §: the person is told how to appeal; 44 §: an appeal must arrive within three weeks
//! of notification.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{FieldError, Msg};

use crate::ids::{
    ApplicationId, CaseId, ClientId, DecisionId, ProviderId, RecommendationId, UserId,
};
use crate::intervention::Intervention;
use crate::string_enum;

/// The client's own application, in their words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub client_id: ClientId,
    pub case_id: Option<CaseId>,
    pub intervention: Intervention,
    pub description: String,
    pub received_on: NaiveDate,
}

string_enum! {
    pub enum Profession {
        Psychiatrist = "psychiatrist",
        Physician = "physician",
        Psychologist = "psychologist",
        Nurse = "nurse",
        SocialWorker = "social_worker",
        Other = "other",
    }
}

/// A specialist's recommendation (rekommendation/utlåtande), e.g. a psychiatrist's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub id: RecommendationId,
    pub client_id: ClientId,
    pub case_id: Option<CaseId>,
    pub intervention: Intervention,
    pub profession: Profession,
    pub recommender_name: Option<String>,
    pub recommended_on: NaiveDate,
    /// Where the written statement is kept (a document reference, not the document).
    pub document_ref: Option<String>,
}

string_enum! {
    pub enum DecisionOutcome {
        Granted = "granted",
        PartlyGranted = "partly_granted",
        Refused = "refused",
    }
}

string_enum! {
    pub enum AppealOutcome {
        Upheld = "upheld",
        Changed = "changed",
        ReferredBack = "referred_back",
        Withdrawn = "withdrawn",
    }
}

/// A decision on an intervention, with its reasons and the departures it had to justify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: DecisionId,
    pub client_id: ClientId,
    pub case_id: Option<CaseId>,
    pub intervention: Intervention,
    pub outcome: DecisionOutcome,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub provider_id: Option<ProviderId>,
    pub reasons: String,
    /// The legal provision applied, e.g. "SoL (2025:400) …" kept as data with its validity date.
    pub legal_basis: String,
    pub application_id: Option<ApplicationId>,
    pub recommendation_id: Option<RecommendationId>,
    pub departs_from_application: bool,
    pub departs_from_recommendation: bool,
    pub departure_from_application: Option<String>,
    pub departure_from_recommendation: Option<String>,
    pub decided_on: NaiveDate,
    pub decided_by: UserId,
    pub notified_on: Option<NaiveDate>,
    pub appeal_received_on: Option<NaiveDate>,
    pub appeal_outcome: Option<AppealOutcome>,
    pub appeal_decided_on: Option<NaiveDate>,
    /// How the person was told of the material before the decision (FL 25 §), or why not.
    pub communication: Option<Communication>,
    pub created_at: DateTime<Utc>,
}

impl Decision {
    /// Anything but granting what was applied for goes against the person.
    pub fn goes_against_the_person(&self) -> bool {
        self.outcome != DecisionOutcome::Granted || self.departs_from_application
    }

    pub fn communication_status(&self) -> CommunicationStatus {
        CommunicationStatus::of(self.goes_against_the_person(), self.communication.as_ref())
    }

    pub fn appeal_status(&self, today: NaiveDate) -> AppealStatus {
        AppealStatus::of(
            self.notified_on,
            self.appeal_received_on,
            self.appeal_outcome,
            today,
        )
    }

    pub fn appeal_deadline(&self) -> Option<NaiveDate> {
        self.notified_on.map(appeal_deadline)
    }

    pub fn departs(&self) -> bool {
        self.departs_from_application || self.departs_from_recommendation
    }
}

/// The legal provision a decision on bistånd rests on, by the day it is made. Kept as data with the
/// day each applies from: SoL 2025:400 replaced SoL 2001:453 on 1 July 2025. The chapter and section
/// of the new law is the one the domain notes give as believed; check it against SFS 2025:400 and
/// override it per decision where needed (`legal_basis`).
pub const LEGAL_BASES: &[(&str, &str)] = &[
    ("2002-01-01", "4 kap. 1 § socialtjänstlagen (2001:453)"),
    ("2025-07-01", "11 kap. 1 § socialtjänstlagen (2025:400)"),
];

/// The legal basis in force on `day`.
pub fn legal_basis_on(day: NaiveDate) -> &'static str {
    LEGAL_BASES
        .iter()
        .rev()
        .find(|(from, _)| from.parse::<NaiveDate>().is_ok_and(|f| f <= day))
        .or(LEGAL_BASES.first())
        .map(|(_, text)| *text)
        .unwrap_or_default()
}

/// Days an appeal may take to arrive, counted from the day of notification (FL 44 §: three weeks).
pub const APPEAL_PERIOD_DAYS: i64 = 21;

/// The last day an appeal may arrive: three weeks after notification, moved to the next working day
/// when that day is a Saturday, Sunday, public holiday, midsommarafton, julafton or nyårsafton
/// (lag 1930:173). "Three weeks from" a Tuesday ends on the Tuesday three weeks later.
pub fn appeal_deadline(notified_on: NaiveDate) -> NaiveDate {
    crate::calendar::this_or_next_working_day(
        notified_on + chrono::Duration::days(APPEAL_PERIOD_DAYS),
    )
}

/// Whether a decision gives less than was asked: anything but granting exactly that intervention.
pub fn departs(asked: Intervention, decided: Intervention, outcome: DecisionOutcome) -> bool {
    !(outcome == DecisionOutcome::Granted && asked == decided)
}

/// Where a decision stands in its appeal period on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AppealStatus {
    /// The client has not been notified yet, so the period has not started.
    AwaitingNotification,
    /// The period runs until `deadline`.
    Open { deadline: NaiveDate, days_left: i64 },
    /// The period passed without an appeal: the decision has gained legal force (laga kraft).
    Final { deadline: NaiveDate },
    /// An appeal arrived; `timely` says whether it arrived within the period.
    Appealed { deadline: NaiveDate, timely: bool },
    /// The court has ruled.
    Decided {
        deadline: NaiveDate,
        outcome: AppealOutcome,
    },
}

impl AppealStatus {
    pub fn of(
        notified_on: Option<NaiveDate>,
        appeal_received_on: Option<NaiveDate>,
        appeal_outcome: Option<AppealOutcome>,
        today: NaiveDate,
    ) -> Self {
        let Some(notified) = notified_on else {
            return Self::AwaitingNotification;
        };
        let deadline = appeal_deadline(notified);
        match (appeal_received_on, appeal_outcome) {
            (_, Some(outcome)) => Self::Decided { deadline, outcome },
            (Some(received), None) => Self::Appealed {
                deadline,
                timely: received <= deadline,
            },
            (None, None) if today <= deadline => Self::Open {
                deadline,
                days_left: (deadline - today).num_days(),
            },
            (None, None) => Self::Final { deadline },
        }
    }

    /// A stable name for lists and filters.
    pub fn name(self) -> &'static str {
        match self {
            Self::AwaitingNotification => "awaiting_notification",
            Self::Open { .. } => "open",
            Self::Final { .. } => "final",
            Self::Appealed { .. } => "appealed",
            Self::Decided { .. } => "decided",
        }
    }

    /// Swedish and English words for the UI.
    pub fn label(self) -> (String, String) {
        match self {
            Self::AwaitingNotification => ("Inte delgivet".into(), "Not yet notified".into()),
            Self::Open {
                deadline,
                days_left,
            } => (
                format!("Överklagandetid löper till {deadline} ({days_left} dagar kvar)"),
                format!("Appeal period runs until {deadline} ({days_left} days left)"),
            ),
            Self::Final { deadline } => (
                format!("Laga kraft (överklagandetiden gick ut {deadline})"),
                format!("Final (the appeal period ended {deadline})"),
            ),
            Self::Appealed { timely: true, .. } => {
                ("Överklagat i tid".into(), "Appealed in time".into())
            }
            Self::Appealed { timely: false, .. } => {
                ("Överklagat för sent".into(), "Appealed too late".into())
            }
            Self::Decided { outcome, .. } => {
                let (sv, en) = outcome.label();
                (
                    format!("Domstolen har avgjort: {sv}"),
                    format!("The court has ruled: {en}"),
                )
            }
        }
    }
}

impl DecisionOutcome {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Granted => ("Beviljas", "Granted"),
            Self::PartlyGranted => ("Beviljas delvis", "Partly granted"),
            Self::Refused => ("Avslås", "Refused"),
        }
    }
}

impl AppealOutcome {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Upheld => ("beslutet står fast", "the decision stands"),
            Self::Changed => ("beslutet ändras", "the decision is changed"),
            Self::ReferredBack => ("återförvisas", "referred back"),
            Self::Withdrawn => ("överklagandet återkallat", "appeal withdrawn"),
        }
    }
}

impl Profession {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Psychiatrist => ("Psykiater", "Psychiatrist"),
            Self::Physician => ("Läkare", "Physician"),
            Self::Psychologist => ("Psykolog", "Psychologist"),
            Self::Nurse => ("Sjuksköterska", "Nurse"),
            Self::SocialWorker => ("Socionom", "Social worker"),
            Self::Other => ("Annan", "Other"),
        }
    }
}

string_enum! {
    /// How the person was told of the material (kommunicering).
    pub enum CommunicationMethod {
        Letter = "letter",
        Meeting = "meeting",
        Phone = "phone",
        Digital = "digital",
    }
}

impl CommunicationMethod {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Letter => ("Brev", "Letter"),
            Self::Meeting => ("Möte", "Meeting"),
            Self::Phone => ("Telefon", "Phone"),
            Self::Digital => ("Digitalt meddelande", "Digital message"),
        }
    }
}

/// Kommunicering (FL 25 §; documented under SOSFS 2014:5 5 kap. 12 §): whether, when and how the
/// person was told of what others contributed (a specialist's statement, a provider's report) and
/// given the chance to respond before the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Communication {
    /// Told on `on` by `method`; `response` is what the person answered, if anything.
    Communicated {
        on: NaiveDate,
        method: CommunicationMethod,
        response: Option<String>,
    },
    /// Not done, and why (for example obviously unnecessary, or urgent).
    Omitted { reason: String },
}

/// What the fields of a kommunicering say, before they are checked.
#[derive(Debug, Default, Clone, Copy)]
pub struct CommunicationInput<'a> {
    pub communicated_on: Option<&'a str>,
    pub method: Option<&'a str>,
    pub response: Option<&'a str>,
    pub omitted_reason: Option<&'a str>,
}

pub const COMMUNICATED_ON: &str = "communicated_on";
pub const COMMUNICATION_METHOD: &str = "communication_method";
pub const CLIENT_RESPONSE: &str = "client_response";
pub const COMMUNICATION_OMITTED: &str = "communication_omitted_reason";

/// A kommunicering as its four separate facts, each `None` where it does not apply: the day, the
/// way, the person's answer, and why it was not done. How storage, the API and exports hold it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommunicationParts<'a> {
    pub communicated_on: Option<NaiveDate>,
    pub method: Option<CommunicationMethod>,
    pub response: Option<&'a str>,
    pub omitted_reason: Option<&'a str>,
}

impl CommunicationParts<'_> {
    pub fn of(c: Option<&Communication>) -> CommunicationParts<'_> {
        match c {
            None => CommunicationParts::default(),
            Some(Communication::Communicated {
                on,
                method,
                response,
            }) => CommunicationParts {
                communicated_on: Some(*on),
                method: Some(*method),
                response: response.as_deref(),
                omitted_reason: None,
            },
            Some(Communication::Omitted { reason }) => CommunicationParts {
                omitted_reason: Some(reason),
                ..CommunicationParts::default()
            },
        }
    }
}

impl Communication {
    /// Checks a kommunicering for a decision made on `decided_on`: `None` when no field is filled
    /// in. It comes before the decision (or on its day), has a method, and is either done or
    /// omitted with a reason, not both.
    pub fn parse(
        input: CommunicationInput<'_>,
        decided_on: NaiveDate,
    ) -> Result<Option<Self>, Vec<FieldError>> {
        use crate::error::{collect, not_before, optional_date, optional_name, optional_text};
        let mut errors = Vec::new();
        let on = collect(
            optional_date(COMMUNICATED_ON, input.communicated_on),
            &mut errors,
        )
        .flatten();
        let method = collect(
            optional_name::<CommunicationMethod>(COMMUNICATION_METHOD, input.method),
            &mut errors,
        )
        .flatten();
        let response = collect(
            optional_text(CLIENT_RESPONSE, input.response, 20_000),
            &mut errors,
        )
        .flatten();
        let omitted = collect(
            optional_text(COMMUNICATION_OMITTED, input.omitted_reason, 2_000),
            &mut errors,
        )
        .flatten();
        if let Some(on) = on {
            if on > decided_on {
                errors.push(FieldError::new(
                    COMMUNICATED_ON,
                    "after_decision",
                    Msg::new(
                        format!("Kommunicering sker före beslutet ({decided_on})."),
                        format!("Communication comes before the decision ({decided_on})."),
                    ),
                ));
            }
            // Anything earlier than a year before the decision is a typing error.
            let earliest = decided_on - chrono::Duration::days(366);
            collect(
                not_before(
                    COMMUNICATED_ON,
                    on,
                    earliest,
                    ("ett år före beslutet", "a year before the decision"),
                ),
                &mut errors,
            );
            if method.is_none() && input.method.is_none_or(|m| m.trim().is_empty()) {
                errors.push(FieldError::required(COMMUNICATION_METHOD));
            }
            if omitted.is_some() {
                errors.push(FieldError::new(
                    COMMUNICATION_OMITTED,
                    "communicated_and_omitted",
                    Msg::new(
                        "Ange antingen när kommunicering skedde eller varför den inte gjordes, inte båda.",
                        "Give either when the communication took place or why it was not done, not both.",
                    ),
                ));
            }
        } else if (method.is_some() || response.is_some())
            && !errors.iter().any(|e| e.field == COMMUNICATED_ON)
        {
            errors.push(FieldError::required(COMMUNICATED_ON));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(match (on, method, omitted) {
            (Some(on), Some(method), _) => Some(Self::Communicated {
                on,
                method,
                response,
            }),
            (None, _, Some(reason)) => Some(Self::Omitted { reason }),
            _ => None,
        })
    }
}

string_enum! {
    /// Where a decision stands with kommunicering.
    pub enum CommunicationStatus {
        /// The decision grants what was applied for: nothing goes against the person.
        NotRequired = "not_required",
        Communicated = "communicated",
        /// Not done, with the reason recorded.
        Omitted = "omitted",
        /// The decision goes against the person and nothing is recorded.
        Missing = "missing",
    }
}

impl CommunicationStatus {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::NotRequired => ("Behövs inte", "Not needed"),
            Self::Communicated => ("Kommunicerat", "Communicated"),
            Self::Omitted => (
                "Inte kommunicerat, skäl angivet",
                "Not communicated, reason given",
            ),
            Self::Missing => ("Inte dokumenterad", "Not recorded"),
        }
    }

    pub fn of(goes_against: bool, communication: Option<&Communication>) -> Self {
        match (communication, goes_against) {
            (Some(Communication::Communicated { .. }), _) => Self::Communicated,
            (Some(Communication::Omitted { .. }), _) => Self::Omitted,
            (None, true) => Self::Missing,
            (None, false) => Self::NotRequired,
        }
    }
}

/// What a decision is measured against: what the client applied for and what a specialist advised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Asked {
    pub application: Option<Intervention>,
    pub recommendation: Option<Intervention>,
}

/// A decision as sent by a form or the API, before it is checked.
#[derive(Debug, Default, Clone)]
pub struct DecisionInput<'a> {
    pub intervention: Option<&'a str>,
    pub outcome: Option<&'a str>,
    pub reasons: Option<&'a str>,
    pub legal_basis: Option<&'a str>,
    pub period_start: Option<&'a str>,
    pub period_end: Option<&'a str>,
    pub decided_on: Option<&'a str>,
    pub notified_on: Option<&'a str>,
    pub justification_application: Option<&'a str>,
    pub justification_recommendation: Option<&'a str>,
    pub communication: CommunicationInput<'a>,
}

/// A checked decision, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionDraft {
    pub intervention: Intervention,
    pub outcome: DecisionOutcome,
    pub reasons: String,
    pub legal_basis: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub decided_on: NaiveDate,
    pub notified_on: Option<NaiveDate>,
    pub departs_from_application: bool,
    pub departs_from_recommendation: bool,
    pub departure_from_application: Option<String>,
    pub departure_from_recommendation: Option<String>,
    pub communication: Option<Communication>,
}

/// The field names of the two justifications, as the API and forms send them.
pub const JUSTIFICATION_APPLICATION: &str = "departure_justifications.application";
pub const JUSTIFICATION_RECOMMENDATION: &str = "departure_justifications.recommendation";

impl DecisionDraft {
    /// Checks a decision against what was asked. Every departure needs its own justification that
    /// says more than the general reasons; a justification given where there is no departure is kept.
    pub fn parse(
        input: &DecisionInput,
        asked: Asked,
        today: NaiveDate,
    ) -> Result<Self, Vec<FieldError>> {
        use crate::error::{collect, optional_date, optional_text, required_name, required_text};
        let mut errors = Vec::new();
        let intervention = collect(
            required_name::<Intervention>("intervention", input.intervention),
            &mut errors,
        );
        let outcome = collect(
            required_name::<DecisionOutcome>("outcome", input.outcome),
            &mut errors,
        );
        let reasons = collect(
            required_text("reasons", input.reasons.unwrap_or_default(), 20_000),
            &mut errors,
        );
        let legal_basis = collect(
            optional_text("legal_basis", input.legal_basis, 500),
            &mut errors,
        )
        .flatten();
        let period_start = collect(
            optional_date("period_start", input.period_start),
            &mut errors,
        )
        .flatten();
        let period_end =
            collect(optional_date("period_end", input.period_end), &mut errors).flatten();
        if let (Some(s), Some(e)) = (period_start, period_end) {
            collect(
                crate::error::not_before(
                    "period_end",
                    e,
                    s,
                    ("periodens början", "the start of the period"),
                ),
                &mut errors,
            );
        }
        let decided_on = collect(optional_date("decided_on", input.decided_on), &mut errors)
            .flatten()
            .unwrap_or(today);
        if decided_on > today {
            errors.push(crate::error::in_future("decided_on"));
        }
        let notified_on =
            collect(optional_date("notified_on", input.notified_on), &mut errors).flatten();
        if let Some(n) = notified_on {
            collect(
                crate::error::not_before(
                    "notified_on",
                    n,
                    decided_on,
                    ("beslutsdagen", "the day of the decision"),
                ),
                &mut errors,
            );
            if n > today {
                errors.push(crate::error::in_future("notified_on"));
            }
        }
        let justification =
            |field: &str, text: Option<&str>, departs: bool, errors: &mut Vec<FieldError>| {
                let text = collect(optional_text(field, text, 20_000), errors).flatten();
                match (&text, departs) {
                (None, true) => errors.push(FieldError::new(
                    field,
                    "justification_required",
                    Msg::new(
                        "Beslutet avviker. Motivera just denna avvikelse.",
                        "The decision departs from what was asked. Justify this departure.",
                    ),
                )),
                (Some(t), true) if reasons.as_deref().is_some_and(|r| r == t) => {
                    errors.push(FieldError::new(
                        field,
                        "not_specific",
                        Msg::new(
                            "Motiveringen upprepar beslutets skäl. Skriv varför beslutet avviker.",
                            "The justification repeats the reasons. Say why the decision departs.",
                        ),
                    ))
                }
                _ => {}
            }
                text
            };
        let (mut departs_app, mut departs_rec) = (false, false);
        if let (Some(i), Some(o)) = (intervention, outcome) {
            departs_app = asked.application.is_some_and(|a| departs(a, i, o));
            departs_rec = asked.recommendation.is_some_and(|r| departs(r, i, o));
        }
        let departure_from_application = justification(
            JUSTIFICATION_APPLICATION,
            input.justification_application,
            departs_app,
            &mut errors,
        );
        let departure_from_recommendation = justification(
            JUSTIFICATION_RECOMMENDATION,
            input.justification_recommendation,
            departs_rec,
            &mut errors,
        );
        let communication = match Communication::parse(input.communication, decided_on) {
            Ok(c) => c,
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        match (intervention, outcome, reasons) {
            (Some(intervention), Some(outcome), Some(reasons)) if errors.is_empty() => Ok(Self {
                intervention,
                outcome,
                reasons,
                legal_basis: legal_basis.unwrap_or_else(|| legal_basis_on(decided_on).to_owned()),
                period_start,
                period_end,
                decided_on,
                notified_on,
                departs_from_application: departs_app,
                departs_from_recommendation: departs_rec,
                departure_from_application,
                departure_from_recommendation,
                communication,
            }),
            _ => Err(errors),
        }
    }
}

/// An appeal or the court's ruling, as recorded afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealRecord {
    pub received_on: NaiveDate,
    pub outcome: Option<AppealOutcome>,
    pub decided_on: Option<NaiveDate>,
}

impl AppealRecord {
    /// Checks an appeal against the decision's notification day.
    pub fn parse(
        received_on: Option<&str>,
        outcome: Option<&str>,
        decided_on: Option<&str>,
        notified_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, Vec<FieldError>> {
        use crate::error::{collect, optional_date, optional_name, required_date};
        let mut errors = Vec::new();
        let received = collect(
            required_date("appeal_received_on", received_on),
            &mut errors,
        );
        if let Some(r) = received {
            if r > today {
                errors.push(crate::error::in_future("appeal_received_on"));
            }
            match notified_on {
                None => errors.push(FieldError::new(
                    "appeal_received_on",
                    "not_notified",
                    Msg::new(
                        "Ange först när klienten delgavs beslutet.",
                        "Record first when the client was notified of the decision.",
                    ),
                )),
                Some(n) => {
                    collect(
                        crate::error::not_before(
                            "appeal_received_on",
                            r,
                            n,
                            ("delgivningen", "the notification"),
                        ),
                        &mut errors,
                    );
                }
            }
        }
        let outcome = collect(
            optional_name::<AppealOutcome>("appeal_outcome", outcome),
            &mut errors,
        )
        .flatten();
        let decided =
            collect(optional_date("appeal_decided_on", decided_on), &mut errors).flatten();
        if let (Some(d), Some(r)) = (decided, received) {
            collect(
                crate::error::not_before(
                    "appeal_decided_on",
                    d,
                    r,
                    ("överklagandet", "the appeal"),
                ),
                &mut errors,
            );
        }
        if decided.is_some() && outcome.is_none() {
            errors.push(FieldError::required("appeal_outcome"));
        }
        match received {
            Some(received_on) if errors.is_empty() => Ok(Self {
                received_on,
                outcome,
                decided_on: decided,
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

    fn comm(
        on: Option<&'static str>,
        method: Option<&'static str>,
        response: Option<&'static str>,
        omitted: Option<&'static str>,
    ) -> Result<Option<Communication>, Vec<FieldError>> {
        Communication::parse(
            CommunicationInput {
                communicated_on: on,
                method,
                response,
                omitted_reason: omitted,
            },
            d("2026-11-20"),
        )
    }

    fn codes(r: Result<Option<Communication>, Vec<FieldError>>) -> Vec<(String, &'static str)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn communication_comes_on_or_before_the_decision_with_a_method() {
        assert_eq!(comm(None, None, None, None), Ok(None));
        assert_eq!(
            comm(
                Some("2026-11-20"),
                Some("letter"),
                Some(" Vill ha behandlingshem. "),
                None
            ),
            Ok(Some(Communication::Communicated {
                on: d("2026-11-20"),
                method: CommunicationMethod::Letter,
                response: Some("Vill ha behandlingshem.".into()),
            }))
        );
        assert_eq!(
            codes(comm(Some("2026-11-21"), Some("letter"), None, None)),
            [("communicated_on".into(), "after_decision")]
        );
        assert!(comm(Some("2025-11-19"), Some("phone"), None, None).is_ok());
        assert_eq!(
            codes(comm(Some("2025-11-18"), Some("phone"), None, None)),
            [("communicated_on".into(), "before_earliest")]
        );
        assert_eq!(
            codes(comm(Some("2026-11-19"), None, None, None)),
            [("communication_method".into(), "required")]
        );
        assert_eq!(
            codes(comm(Some("2026-11-19"), Some("pigeon"), None, None)),
            [("communication_method".into(), "unknown_value")]
        );
    }

    #[test]
    fn communication_is_either_done_or_omitted_with_a_reason() {
        assert_eq!(
            comm(
                None,
                None,
                None,
                Some("Uppenbart obehövligt: inget nytt material.")
            ),
            Ok(Some(Communication::Omitted {
                reason: "Uppenbart obehövligt: inget nytt material.".into()
            }))
        );
        assert_eq!(
            codes(comm(
                Some("2026-11-19"),
                Some("meeting"),
                None,
                Some("Brådskande")
            )),
            [(
                "communication_omitted_reason".into(),
                "communicated_and_omitted"
            )]
        );
        // A method or an answer without the day: the day is what is missing.
        assert_eq!(
            codes(comm(None, Some("meeting"), None, None)),
            [("communicated_on".into(), "required")]
        );
        assert_eq!(
            codes(comm(None, None, Some("Håller inte med."), None)),
            [("communicated_on".into(), "required")]
        );
        assert_eq!(
            codes(comm(Some("20/11"), Some("meeting"), None, None)),
            [("communicated_on".into(), "invalid_date")]
        );
    }

    #[test]
    fn only_a_decision_against_the_person_misses_its_communication() {
        let done = Communication::Omitted { reason: "x".into() };
        let told = Communication::Communicated {
            on: d("2026-11-19"),
            method: CommunicationMethod::Meeting,
            response: None,
        };
        use CommunicationStatus as S;
        for (against, c, want) in [
            (false, None, S::NotRequired),
            (true, None, S::Missing),
            (true, Some(&done), S::Omitted),
            (false, Some(&done), S::Omitted),
            (true, Some(&told), S::Communicated),
        ] {
            assert_eq!(S::of(against, c), want, "{against} {c:?}");
        }
    }

    #[test]
    fn appeal_deadline_is_three_weeks_moved_past_weekends_and_holidays() {
        for (notified, deadline, why) in [
            ("2026-11-03", "2026-11-24", "a Tuesday three weeks on"),
            ("2026-01-09", "2026-01-30", "across no month end"),
            ("2026-01-14", "2026-02-04", "across a month end"),
            ("2026-02-10", "2026-03-03", "across February (28 days)"),
            ("2028-02-10", "2028-03-02", "across a leap February"),
            ("2026-10-10", "2026-11-02", "a Saturday → Monday"),
            ("2026-10-11", "2026-11-02", "a Sunday → Monday"),
            (
                "2026-12-03",
                "2026-12-28",
                "julafton, juldagen, annandag jul, Sunday → Monday",
            ),
            (
                "2026-12-10",
                "2027-01-04",
                "nyårsafton, nyårsdagen, weekend → Monday",
            ),
            (
                "2026-12-16",
                "2027-01-07",
                "trettondedag jul (Wednesday) → Thursday",
            ),
            (
                "2026-03-13",
                "2026-04-07",
                "långfredagen → past Easter Monday",
            ),
            (
                "2026-05-29",
                "2026-06-22",
                "midsommarafton (Friday) → Monday",
            ),
            ("2026-11-30", "2026-12-21", "a Monday stays a Monday"),
        ] {
            assert_eq!(
                appeal_deadline(d(notified)),
                d(deadline),
                "{notified}: {why}"
            );
        }
    }

    #[test]
    fn the_appeal_status_follows_the_deadline() {
        let n = Some(d("2026-11-03"));
        assert_eq!(
            AppealStatus::of(None, None, None, d("2026-11-05")),
            AppealStatus::AwaitingNotification
        );
        assert_eq!(
            AppealStatus::of(n, None, None, d("2026-11-24")),
            AppealStatus::Open {
                deadline: d("2026-11-24"),
                days_left: 0
            }
        );
        assert_eq!(
            AppealStatus::of(n, None, None, d("2026-11-25")).name(),
            "final"
        );
        assert_eq!(
            AppealStatus::of(n, Some(d("2026-11-25")), None, d("2026-12-01")),
            AppealStatus::Appealed {
                deadline: d("2026-11-24"),
                timely: false
            }
        );
        assert_eq!(
            AppealStatus::of(
                n,
                Some(d("2026-11-20")),
                Some(AppealOutcome::Changed),
                d("2027-03-01")
            )
            .name(),
            "decided"
        );
    }

    #[test]
    fn legal_basis_follows_the_law_in_force() {
        assert!(legal_basis_on(d("2025-06-30")).contains("2001:453"));
        assert!(legal_basis_on(d("2025-07-01")).contains("2025:400"));
    }

    fn input<'a>(intervention: &'a str, outcome: &'a str) -> DecisionInput<'a> {
        DecisionInput {
            intervention: Some(intervention),
            outcome: Some(outcome),
            reasons: Some("Utredningen visar ett behov av stöd i boendet."),
            ..Default::default()
        }
    }

    const TREATMENT: Asked = Asked {
        application: Some(Intervention::TreatmentHome),
        recommendation: Some(Intervention::TreatmentHome),
    };

    #[test]
    fn a_refusal_of_what_was_asked_departs_from_both_and_needs_two_justifications() {
        let today = d("2026-11-23");
        let e = DecisionDraft::parse(&input("treatment_home", "refused"), TREATMENT, today)
            .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                (JUSTIFICATION_APPLICATION, "justification_required"),
                (JUSTIFICATION_RECOMMENDATION, "justification_required"),
            ]
        );
        let mut i = input("treatment_home", "refused");
        i.justification_application = Some("Behovet kan tillgodoses i öppenvård nära hemmet.");
        let e = DecisionDraft::parse(&i, TREATMENT, today).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, JUSTIFICATION_RECOMMENDATION);
        i.justification_recommendation = i.reasons;
        assert_eq!(
            DecisionDraft::parse(&i, TREATMENT, today).unwrap_err()[0].code,
            "not_specific"
        );
        i.justification_recommendation =
            Some("Psykiaterns bedömning gäller behandlingsbehov som öppenvården möter.");
        let ok = DecisionDraft::parse(&i, TREATMENT, today).unwrap();
        assert!(ok.departs_from_application && ok.departs_from_recommendation);
        assert_eq!(ok.decided_on, today);
        assert!(ok.legal_basis.contains("2025:400"));
    }

    #[test]
    fn another_intervention_departs_and_the_same_granted_does_not() {
        let today = d("2026-11-23");
        let ok =
            DecisionDraft::parse(&input("treatment_home", "granted"), TREATMENT, today).unwrap();
        assert!(!ok.departs_from_application && !ok.departs_from_recommendation);
        let asked = Asked {
            application: Some(Intervention::TreatmentHome),
            recommendation: None,
        };
        let e = DecisionDraft::parse(
            &input("supported_housing_external", "granted"),
            asked,
            today,
        )
        .unwrap_err();
        assert_eq!(e[0].field, JUSTIFICATION_APPLICATION);
        assert_eq!(e.len(), 1, "no recommendation, nothing to depart from");
        let e = DecisionDraft::parse(&input("treatment_home", "partly_granted"), asked, today)
            .unwrap_err();
        assert_eq!(e[0].field, JUSTIFICATION_APPLICATION);
        assert!(
            DecisionDraft::parse(&input("treatment_home", "refused"), Asked::default(), today)
                .is_ok()
        );
    }

    #[test]
    fn decision_fields_are_checked_and_named() {
        let today = d("2026-11-23");
        let e = DecisionDraft::parse(
            &DecisionInput {
                intervention: Some("spa"),
                outcome: Some("maybe"),
                reasons: Some("  "),
                period_start: Some("2026-12-01"),
                period_end: Some("2026-11-01"),
                decided_on: Some("2026-11-20"),
                notified_on: Some("2026-11-19"),
                ..Default::default()
            },
            Asked::default(),
            today,
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "intervention",
                "outcome",
                "reasons",
                "period_end",
                "notified_on"
            ]
        );
        let mut i = input("outpatient", "granted");
        i.notified_on = Some("2026-11-24");
        assert_eq!(
            DecisionDraft::parse(&i, Asked::default(), today).unwrap_err()[0].code,
            "in_future"
        );
    }

    #[test]
    fn an_appeal_needs_a_notified_decision() {
        let today = d("2026-12-01");
        let e = AppealRecord::parse(Some("2026-11-20"), None, None, None, today).unwrap_err();
        assert_eq!(e[0].code, "not_notified");
        let e = AppealRecord::parse(Some("2026-11-01"), None, None, Some(d("2026-11-03")), today)
            .unwrap_err();
        assert_eq!(e[0].field, "appeal_received_on");
        let e = AppealRecord::parse(
            Some("2026-11-20"),
            None,
            Some("2026-11-30"),
            Some(d("2026-11-03")),
            today,
        )
        .unwrap_err();
        assert_eq!(e[0].field, "appeal_outcome");
        let ok = AppealRecord::parse(
            Some("2026-11-20"),
            Some("changed"),
            Some("2026-11-30"),
            Some(d("2026-11-03")),
            today,
        )
        .unwrap();
        assert_eq!(ok.outcome, Some(AppealOutcome::Changed));
    }

    proptest! {
        /// The deadline is never before three weeks, never more than five days after, and always a
        /// working day.
        #[test]
        fn the_deadline_is_the_first_working_day_from_three_weeks(offset in 0i64..20_000) {
            let notified = d("2000-01-01") + chrono::Duration::days(offset);
            let deadline = appeal_deadline(notified);
            let three_weeks = notified + chrono::Duration::days(21);
            prop_assert!(deadline >= three_weeks);
            prop_assert!((deadline - three_weeks).num_days() <= 5);
            prop_assert!(crate::calendar::non_working_reason(deadline).is_none());
            let mut day = three_weeks;
            while day < deadline {
                prop_assert!(crate::calendar::non_working_reason(day).is_some());
                day = day.succ_opt().unwrap();
            }
        }
    }
}
