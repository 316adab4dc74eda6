//! Strongly typed ids: a `ClientId` can never be passed where a `CaseId` is meant.

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { self.0.fmt(f) }
        }
    )+};
}

id_type!(
    MunicipalityId,
    UnitId,
    UserId,
    ClientId,
    CaseId,
    ApplicationId,
    RecommendationId,
    DecisionId,
    PlacementId,
    ProviderId,
    ContractId,
    HousingUnitId,
    ContactId,
    /// The person's objection to a journal entry.
    ObjectionId,
    AssessmentId,
    FollowUpId,
    /// A goal of a case's plan.
    GoalId,
    /// One follow-up of a plan goal.
    GoalReviewId,
    AlertId,
    BudgetId,
    AuditEntryId,
);
