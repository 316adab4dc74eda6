//! Who may do what with which client: the access rules as one table a reader can check.
//!
//! A rule gives each (role, action) a [`Scope`]. What is not in the table is denied. The web layer
//! asks [`permits`] on every route that touches client data; storage supplies the [`Relation`]
//! between the user and the client.

use crate::role::Role;
use crate::string_enum;

string_enum! {
    /// Things a user can try to do.
    pub enum Action {
        /// Read a client's record (identity, cases, journal, decisions...).
        ReadClient = "read_client",
        /// Write to a client's record (journal entries, assessments, alerts...).
        WriteClient = "write_client",
        /// Register a new client in one's own unit.
        CreateClient = "create_client",
        /// Open a case for a client and assign its case manager.
        OpenCase = "open_case",
        /// Close a case (its assignments end with it).
        CloseCase = "close_case",
        /// Change who is the case manager of a case.
        AssignCase = "assign_case",
        /// Move a client, with their open cases, to another unit of the municipality.
        TransferClient = "transfer_client",
        /// Decide on interventions, placements and providers.
        Decide = "decide",
        /// Manage staff users.
        ManageUsers = "manage_users",
        /// Change the municipality's settings (alert thresholds).
        ManageSettings = "manage_settings",
        /// Read the access log.
        ReadAuditLog = "read_audit_log",
        /// Providers, contracts, budget, invoices and the housing inventory of the municipality.
        ManageEconomy = "manage_economy",
        /// Read pseudonymised aggregates.
        ReadAggregates = "read_aggregates",
    }
}

/// How far a permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Clients with an open case the user is assigned to.
    Assigned,
    /// Clients of the user's unit.
    Unit,
    /// Not tied to a client (user administration, the access log, aggregates).
    Global,
}

/// One line of the access table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub role: Role,
    pub action: Action,
    pub scope: Scope,
}

const fn rule(role: Role, action: Action, scope: Scope) -> Rule {
    Rule {
        role,
        action,
        scope,
    }
}

/// The whole access policy. Admins manage users but read no client content; analysts see only
/// aggregates; auditors only the access log.
pub const RULES: &[Rule] = &[
    rule(Role::CaseManager, Action::ReadClient, Scope::Assigned),
    rule(Role::CaseManager, Action::WriteClient, Scope::Assigned),
    rule(Role::CaseManager, Action::CreateClient, Scope::Unit),
    rule(Role::CaseManager, Action::OpenCase, Scope::Unit),
    rule(Role::CaseManager, Action::CloseCase, Scope::Assigned),
    rule(Role::UnitHead, Action::ReadClient, Scope::Unit),
    rule(Role::UnitHead, Action::WriteClient, Scope::Unit),
    rule(Role::UnitHead, Action::CreateClient, Scope::Unit),
    rule(Role::UnitHead, Action::OpenCase, Scope::Unit),
    rule(Role::UnitHead, Action::CloseCase, Scope::Unit),
    rule(Role::UnitHead, Action::AssignCase, Scope::Unit),
    rule(Role::UnitHead, Action::TransferClient, Scope::Unit),
    rule(Role::UnitHead, Action::Decide, Scope::Unit),
    rule(Role::UnitHead, Action::ManageEconomy, Scope::Global),
    rule(Role::UnitHead, Action::ReadAggregates, Scope::Global),
    rule(Role::UnitHead, Action::ManageSettings, Scope::Global),
    rule(Role::Admin, Action::ManageUsers, Scope::Global),
    rule(Role::Admin, Action::ManageSettings, Scope::Global),
    rule(Role::Analyst, Action::ReadAggregates, Scope::Global),
    rule(Role::Auditor, Action::ReadAuditLog, Scope::Global),
];

/// How a user stands to one client (or to a unit, for actions that create something).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relation {
    /// The user is an assigned case manager on an open case of the client.
    pub assigned: bool,
    /// The client belongs to the user's unit.
    pub same_unit: bool,
    /// The user holds a live emergency grant (nödåtkomst) for the client.
    pub emergency: bool,
}

/// The scope a role has for an action, if any.
pub fn scope(role: Role, action: Action) -> Option<Scope> {
    RULES
        .iter()
        .find(|r| r.role == role && r.action == action)
        .map(|r| r.scope)
}

/// Whether `role` may do `action` on something standing in `relation` to the user. An emergency
/// grant lets a role that reads clients at all read this one; it never lets anyone write.
pub fn permits(role: Role, action: Action, relation: Relation) -> bool {
    let by_scope = match scope(role, action) {
        None => false,
        Some(Scope::Global) => true,
        Some(Scope::Unit) => relation.same_unit,
        Some(Scope::Assigned) => relation.assigned,
    };
    by_scope
        || (action == Action::ReadClient
            && relation.emergency
            && may_ever(role, Action::ReadClient))
}

/// Who may ask for emergency access at all: those whose work is with clients.
pub fn may_request_emergency_access(role: Role) -> bool {
    may_ever(role, Action::ReadClient)
}

/// The shortest reason accepted for emergency access: it must say something.
pub const EMERGENCY_REASON_MIN_CHARS: usize = 10;

/// Whether the role may act at all, before any client is known (e.g. listing its caseload).
pub fn may_ever(role: Role, action: Action) -> bool {
    scope(role, action).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Relation = Relation {
        assigned: false,
        same_unit: false,
        emergency: false,
    };
    const UNIT: Relation = Relation {
        assigned: false,
        same_unit: true,
        emergency: false,
    };
    const MINE: Relation = Relation {
        assigned: true,
        same_unit: true,
        emergency: false,
    };
    const EMERGENCY: Relation = Relation {
        assigned: false,
        same_unit: false,
        emergency: true,
    };

    #[test]
    fn emergency_access_lets_client_workers_read_but_never_write() {
        for role in [Role::CaseManager, Role::UnitHead] {
            assert!(permits(role, Action::ReadClient, EMERGENCY));
            assert!(!permits(role, Action::WriteClient, EMERGENCY));
            assert!(!permits(role, Action::OpenCase, EMERGENCY));
            assert!(may_request_emergency_access(role));
        }
        for role in [Role::Admin, Role::Analyst, Role::Auditor] {
            assert!(!permits(role, Action::ReadClient, EMERGENCY));
            assert!(!may_request_emergency_access(role));
        }
    }

    #[test]
    fn a_case_manager_reads_only_assigned_clients() {
        assert!(permits(Role::CaseManager, Action::ReadClient, MINE));
        assert!(!permits(Role::CaseManager, Action::ReadClient, UNIT));
        assert!(!permits(Role::CaseManager, Action::ReadClient, NONE));
    }

    #[test]
    fn a_unit_head_reads_the_clients_of_the_unit() {
        assert!(permits(Role::UnitHead, Action::ReadClient, UNIT));
        assert!(!permits(Role::UnitHead, Action::ReadClient, NONE));
    }

    #[test]
    fn admin_analyst_and_auditor_read_no_client_content_whatever_the_relation() {
        for role in [Role::Admin, Role::Analyst, Role::Auditor] {
            for action in [
                Action::ReadClient,
                Action::WriteClient,
                Action::CreateClient,
                Action::OpenCase,
                Action::CloseCase,
                Action::AssignCase,
                Action::TransferClient,
            ] {
                assert!(!permits(role, action, MINE), "{role} {action}");
            }
        }
    }

    #[test]
    fn only_auditors_read_the_access_log_and_only_admins_manage_users() {
        for role in Role::ALL {
            assert_eq!(
                permits(*role, Action::ReadAuditLog, MINE),
                *role == Role::Auditor
            );
            assert_eq!(
                permits(*role, Action::ManageUsers, MINE),
                *role == Role::Admin
            );
        }
    }

    #[test]
    fn a_case_is_closed_by_its_case_manager_or_the_unit_head_and_reassigned_only_by_the_head() {
        assert!(permits(Role::CaseManager, Action::CloseCase, MINE));
        assert!(!permits(Role::CaseManager, Action::CloseCase, UNIT));
        assert!(!permits(Role::CaseManager, Action::AssignCase, MINE));
        assert!(permits(Role::UnitHead, Action::CloseCase, UNIT));
        assert!(permits(Role::UnitHead, Action::AssignCase, UNIT));
        assert!(permits(Role::UnitHead, Action::TransferClient, UNIT));
        assert!(!permits(Role::CaseManager, Action::TransferClient, MINE));
        assert!(!permits(Role::UnitHead, Action::AssignCase, NONE));
        for role in Role::ALL {
            assert!(!permits(*role, Action::CloseCase, EMERGENCY));
            assert!(!permits(*role, Action::AssignCase, EMERGENCY));
        }
    }

    #[test]
    fn the_table_has_one_line_per_role_and_action() {
        for (i, a) in RULES.iter().enumerate() {
            for b in &RULES[i + 1..] {
                assert!(
                    !(a.role == b.role && a.action == b.action),
                    "duplicate rule {a:?}"
                );
            }
        }
    }
}
