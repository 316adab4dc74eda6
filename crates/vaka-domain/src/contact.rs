//! Follow-up contacts (journal entries): the case manager's day-to-day record of a client.
//!
//! SOSFS 2014:5: an entry shows when and by whom; a signed entry is never changed. A correction is a
//! new entry that points at the one it corrects, and both stay readable.

use chrono::{DateTime, Utc};

use crate::ids::{CaseId, ClientId, ContactId, UserId};
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
    /// Self-rated well-being 0–10.
    pub well_being: Option<u8>,
    pub sleep: Option<Sleep>,
    pub housing: Housing,
    pub note: Option<String>,
    pub status: EntryStatus,
    pub signed_at: Option<DateTime<Utc>>,
    /// The signed entry this one corrects.
    pub corrects: Option<ContactId>,
    pub created_at: DateTime<Utc>,
}

impl Contact {
    /// A signed entry is final: it can only be corrected by a new entry.
    pub fn is_editable(&self) -> bool {
        self.status == EntryStatus::Draft
    }
}
