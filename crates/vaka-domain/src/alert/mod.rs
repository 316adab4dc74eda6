//! Early-warning alerts: what fired, on which data, for whom, and what was done.

pub mod rules;
pub mod schedule;
pub mod settings;

use chrono::{DateTime, Utc};

use crate::ids::{AlertId, ClientId, UserId};
use crate::string_enum;

string_enum! {
    /// The rules. Their names are a stable contract (`rule` in the API).
    pub enum AlertRule {
        RelapseReported = "relapse_reported",
        LapseReported = "lapse_reported",
        WellBeingDrop = "well_being_drop",
        WellBeingLow = "well_being_low",
        NoContact = "no_contact",
        RepeatedNoShow = "repeated_no_show",
        HousingLost = "housing_lost",
        OverdoseReported = "overdose_reported",
        SuicideRiskReported = "suicide_risk_reported",
        ViolenceReported = "violence_reported",
        EvictionRiskReported = "eviction_risk_reported",
        PlacementEndingWithoutDecision = "placement_ending_without_decision",
        FollowUpDue = "follow_up_due",
        PlanGoalDue = "plan_goal_due",
        BudgetForecastExceeded = "budget_forecast_exceeded",
    }
}

string_enum! {
    pub enum Severity { Low = "low", Medium = "medium", High = "high" }
}

string_enum! {
    pub enum AlertStatus { Open = "open", Acknowledged = "acknowledged", Resolved = "resolved" }
}

/// An alert for a client, sent to the case manager (and escalated to the unit head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: AlertId,
    pub client_id: Option<ClientId>,
    pub rule: AlertRule,
    pub severity: Severity,
    pub explanation: String,
    /// Identifies the cause, so that one cause never has two open alerts.
    pub cause_key: String,
    pub status: AlertStatus,
    pub assigned_to: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_note: Option<String>,
    pub escalated: bool,
}
