//! Applications, specialist recommendations and decisions (beslut om bistånd).
//!
//! Förvaltningslagen (2017:900) 32 §: a decision gives its reasons; 33 §: the person is told how to
//! appeal; 44 §: an appeal must arrive within three weeks of notification.

use chrono::{DateTime, NaiveDate, Utc};

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
    pub departure_from_application: Option<String>,
    pub departure_from_recommendation: Option<String>,
    pub decided_on: NaiveDate,
    pub decided_by: UserId,
    pub notified_on: Option<NaiveDate>,
    pub appeal_received_on: Option<NaiveDate>,
    pub appeal_outcome: Option<AppealOutcome>,
    pub created_at: DateTime<Utc>,
}
