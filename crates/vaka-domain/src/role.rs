//! Staff roles, and the staff user.

use crate::ids::{MunicipalityId, UnitId, UserId};
use crate::string_enum;

string_enum! {
    /// What a staff user does; the access rules in [`crate::access`] are written per role.
    pub enum Role {
        CaseManager = "case_manager",
        UnitHead = "unit_head",
        Admin = "admin",
        Analyst = "analyst",
        Auditor = "auditor",
    }
}

impl Role {
    /// Swedish and English names for the UI.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Role::CaseManager => ("Handläggare/case manager", "Case manager"),
            Role::UnitHead => ("Enhetschef", "Unit head"),
            Role::Admin => ("Administratör", "Administrator"),
            Role::Analyst => ("Analytiker", "Analyst"),
            Role::Auditor => ("Granskare (logguppföljning)", "Auditor"),
        }
    }
}

/// A staff user of one municipality, in one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub municipality_id: MunicipalityId,
    pub unit_id: Option<UnitId>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// May see names and addresses of clients with protected identity.
    pub may_see_protected: bool,
    pub active: bool,
}

/// Usernames: 2–64 characters of `a-z 0-9 . _ -`, starting with a letter.
pub fn valid_username(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_the_contract() {
        let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            ["case_manager", "unit_head", "admin", "analyst", "auditor"]
        );
        assert_eq!("unit_head".parse::<Role>(), Ok(Role::UnitHead));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn usernames_are_simple_lowercase_names() {
        assert!(valid_username("anna.berg"));
        assert!(!valid_username("Anna"));
        assert!(!valid_username("1anna"));
        assert!(!valid_username("a"));
        assert!(!valid_username("anna berg"));
    }
}
