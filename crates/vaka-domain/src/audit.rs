//! What the access log records: who did what to which client's data.

use crate::string_enum;

string_enum! {
    /// The action of one access-log entry. Stable names: the log is evidence and outlives code.
    pub enum AuditAction {
        ClientCreate = "client_create",
        ClientRead = "client_read",
        ClientList = "client_list",
        /// A client's details changed (the entry names the fields, not their values).
        ClientUpdate = "client_update",
        /// A client moved to another unit, with their open cases.
        ClientTransfer = "client_transfer",
        CaseloadRead = "caseload_read",
        CaseOpen = "case_open",
        CaseRead = "case_read",
        /// A case closed, with its reason.
        CaseClose = "case_close",
        /// A case's case manager changed.
        CaseReassign = "case_reassign",
        ContactCreate = "contact_create",
        ContactUpdate = "contact_update",
        ContactRead = "contact_read",
        /// The person's objection to a signed journal entry recorded beside it (SoL 11 kap. 6 §).
        ObjectionCreate = "objection_create",
        /// A case's plan (its goals and their follow-ups) read.
        PlanRead = "plan_read",
        /// A goal added to a case's plan.
        PlanGoalCreate = "plan_goal_create",
        /// A goal of a case's plan followed up.
        PlanGoalReview = "plan_goal_review",
        Login = "login",
        LoginFailed = "login_failed",
        LoginThrottled = "login_throttled",
        Logout = "logout",
        TokenCreate = "token_create",
        TokenRevoke = "token_revoke",
        UserCreate = "user_create",
        /// A user deactivated or activated again, or given a new password.
        UserUpdate = "user_update",
        DemoLoad = "demo_load",
        AccessDenied = "access_denied",
        EmergencyAccess = "emergency_access",
        AuditRead = "audit_read",
        AlertRead = "alert_read",
        AlertAcknowledge = "alert_acknowledge",
        AlertResolve = "alert_resolve",
        AuditReview = "audit_review",
        SettingsUpdate = "settings_update",
        AssessmentCreate = "assessment_create",
        AssessmentRead = "assessment_read",
        FollowUpRecord = "follow_up_record",
        FollowUpRead = "follow_up_read",
        /// The scheduled check recorded a follow-up as missed after its window.
        FollowUpMissed = "follow_up_missed",
        ApplicationCreate = "application_create",
        /// A list of applications across clients (those of the unit waiting for a decision).
        ApplicationList = "application_list",
        RecommendationCreate = "recommendation_create",
        DecisionCreate = "decision_create",
        DecisionRead = "decision_read",
        /// Notification day or appeal recorded on a decision.
        DecisionUpdate = "decision_update",
        /// The decision letter opened or printed (HTML or PDF).
        DecisionLetter = "decision_letter",
        /// A list of decisions across clients (the unit head's departures list).
        DecisionList = "decision_list",
        PlacementCreate = "placement_create",
        PlacementRead = "placement_read",
        /// A placement ended, given a planned end, or a price change.
        PlacementUpdate = "placement_update",
        /// Invoice rows imported and reconciled against placements.
        InvoiceImport = "invoice_import",
        /// Decisions or placements exported as CSV.
        Export = "export",
        HousingIncident = "housing_incident",
        /// A person put on or taken off the waiting list for a flat.
        HousingQueue = "housing_queue",
        /// The housing page with who lives where.
        HousingRead = "housing_read",
        /// Providers, contracts, inspections, budget or housing inventory changed (no client data).
        EconomyUpdate = "economy_update",
        /// Aggregate measures read (no personal data leaves; logged as a use of the records).
        MeasuresRead = "measures_read",
        /// A personal file destroyed under the retention rules: counts and a digest of what went.
        ClientPurge = "client_purge",
        /// A personal file moved to the research archive under the retention rules.
        ClientArchive = "client_archive",
        /// Everything held about a person extracted for their data request (GDPR art. 15).
        DataRequest = "data_request",
    }
}
