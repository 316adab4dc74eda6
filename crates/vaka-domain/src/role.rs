//! Staff roles, and the staff user.

use crate::access::{self, Action};
use crate::error::{FieldError, Msg, collect, optional_name, optional_text, required_name};
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

    /// Whether the role's rights reach only as far as its unit, so that an account needs one.
    pub fn works_in_unit(self) -> bool {
        matches!(self, Role::CaseManager | Role::UnitHead)
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
    /// The password was chosen by an administrator: its owner changes it before anything else.
    pub must_change_password: bool,
}

/// Usernames: 2–64 characters of `a-z 0-9 . _ -`, starting with a letter.
pub fn valid_username(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// The longest display name an account may have.
pub const DISPLAY_NAME_MAX_CHARS: usize = 100;

/// An account as an administrator describes it: who, in which role and unit, and whether they
/// may see protected identities. Checked as a whole, since the rules tie the fields together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<UnitId>,
    pub may_see_protected: bool,
}

/// What an administrator sent for an account: every field as given, `None` when left out.
#[derive(Debug, Clone, Default)]
pub struct AccountInput<'a> {
    pub display_name: Option<&'a str>,
    pub role: Option<&'a str>,
    pub unit_id: Option<UnitId>,
    pub may_see_protected: Option<bool>,
}

impl Account {
    /// The account as it stands for `user`.
    pub fn of(user: &User) -> Self {
        Self {
            display_name: user.display_name.clone(),
            role: user.role,
            unit_id: user.unit_id,
            may_see_protected: user.may_see_protected,
        }
    }

    /// A new account from what was sent; the display name and role are required.
    pub fn parse_new(input: &AccountInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let display_name = collect(
            crate::error::required_text(
                "display_name",
                input.display_name.unwrap_or(""),
                DISPLAY_NAME_MAX_CHARS,
            ),
            &mut errors,
        );
        let role = collect(required_name::<Role>("role", input.role), &mut errors);
        let (Some(display_name), Some(role)) = (display_name, role) else {
            return Err(errors);
        };
        Self {
            display_name,
            role,
            unit_id: input.unit_id,
            may_see_protected: input.may_see_protected.unwrap_or(false),
        }
        .checked(errors)
    }

    /// This account changed by what was sent; a field left out stays as it is. A role that works
    /// in no unit keeps its unit unless another is sent (the unit is only where the account
    /// belongs, not a right).
    pub fn changed(&self, input: &AccountInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let display_name = collect(
            optional_text("display_name", input.display_name, DISPLAY_NAME_MAX_CHARS),
            &mut errors,
        )
        .flatten();
        if input.display_name.is_some() && display_name.is_none() && errors.is_empty() {
            errors.push(FieldError::required("display_name"));
        }
        let role = collect(optional_name::<Role>("role", input.role), &mut errors).flatten();
        Self {
            display_name: display_name.unwrap_or_else(|| self.display_name.clone()),
            role: role.unwrap_or(self.role),
            unit_id: input.unit_id.or(self.unit_id),
            may_see_protected: input.may_see_protected.unwrap_or(self.may_see_protected),
        }
        .checked(errors)
    }

    /// The rules between the fields: a role that works in a unit needs one, and only a role that
    /// reads clients may see protected identities.
    fn checked(self, mut errors: Vec<FieldError>) -> Result<Self, Vec<FieldError>> {
        if self.role.works_in_unit() && self.unit_id.is_none() {
            errors.push(FieldError::new(
                "unit_id",
                "required",
                Msg::new(
                    "Handläggare och enhetschefer hör till en enhet: välj den.",
                    "Case managers and unit heads belong to a unit: choose it.",
                ),
            ));
        }
        if self.may_see_protected && !access::may_ever(self.role, Action::ReadClient) {
            errors.push(FieldError::new(
                "may_see_protected",
                "not_for_role",
                Msg::new(
                    "Bara roller som läser klienter kan få se skyddade personuppgifter.",
                    "Only roles that read clients can be allowed to see protected identities.",
                ),
            ));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A username as sent: required, and of the allowed characters.
pub fn parse_username(field: &str, value: Option<&str>) -> Result<String, FieldError> {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        return Err(FieldError::required(field));
    }
    if !valid_username(v) {
        return Err(FieldError::new(
            field,
            "invalid_username",
            Msg::new(
                "2–64 tecken a-z 0-9 . _ -, som börjar med en bokstav.",
                "2–64 characters a-z 0-9 . _ -, starting with a letter.",
            ),
        ));
    }
    Ok(v.to_owned())
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

    fn input<'a>(role: &'a str, unit: Option<i64>) -> AccountInput<'a> {
        AccountInput {
            display_name: Some("  Sara Lind "),
            role: Some(role),
            unit_id: unit.map(UnitId),
            may_see_protected: None,
        }
    }

    #[test]
    fn a_new_account_needs_a_name_a_known_role_and_for_unit_work_a_unit() {
        let a = Account::parse_new(&input("case_manager", Some(2))).unwrap();
        assert_eq!(a.display_name, "Sara Lind");
        assert_eq!(a.role, Role::CaseManager);
        assert_eq!(a.unit_id, Some(UnitId(2)));
        assert!(!a.may_see_protected);
        assert!(Account::parse_new(&input("analyst", None)).is_ok());

        let fields = |r: Result<Account, Vec<FieldError>>| -> Vec<(String, &'static str)> {
            r.unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        assert_eq!(
            fields(Account::parse_new(&input("unit_head", None))),
            [("unit_id".to_owned(), "required")]
        );
        assert_eq!(
            fields(Account::parse_new(&AccountInput::default())),
            [
                ("display_name".to_owned(), "required"),
                ("role".to_owned(), "required")
            ]
        );
        assert_eq!(
            fields(Account::parse_new(&input("root", Some(1)))),
            [("role".to_owned(), "unknown_value")]
        );
        let mut protected = input("auditor", None);
        protected.may_see_protected = Some(true);
        assert_eq!(
            fields(Account::parse_new(&protected)),
            [("may_see_protected".to_owned(), "not_for_role")]
        );
        protected.role = Some("case_manager");
        protected.unit_id = Some(UnitId(1));
        assert!(Account::parse_new(&protected).unwrap().may_see_protected);
    }

    #[test]
    fn a_change_keeps_what_is_left_out_and_checks_the_whole_account() {
        let now = Account {
            display_name: "Anna Berg".into(),
            role: Role::CaseManager,
            unit_id: Some(UnitId(1)),
            may_see_protected: true,
        };
        assert_eq!(now.changed(&AccountInput::default()).unwrap(), now);
        let moved = now
            .changed(&AccountInput {
                unit_id: Some(UnitId(3)),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(moved.unit_id, Some(UnitId(3)));
        assert_eq!(moved.display_name, "Anna Berg");
        // Becoming an analyst while still allowed to see protected identities is refused.
        let err = now
            .changed(&AccountInput {
                role: Some("analyst"),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err[0].field, "may_see_protected");
        let analyst = now
            .changed(&AccountInput {
                role: Some("analyst"),
                may_see_protected: Some(false),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(analyst.role, Role::Analyst);
        // A blank name is not a way to clear it.
        let err = now
            .changed(&AccountInput {
                display_name: Some("  "),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(
            (err[0].field.as_str(), err[0].code),
            ("display_name", "required")
        );
    }

    #[test]
    fn usernames_are_parsed_with_the_field_named() {
        assert_eq!(
            parse_username("username", Some(" sara.lind ")).unwrap(),
            "sara.lind"
        );
        assert_eq!(
            parse_username("username", None).unwrap_err().code,
            "required"
        );
        assert_eq!(
            parse_username("username", Some("Sara")).unwrap_err().code,
            "invalid_username"
        );
    }
}
