//! The one access check for a client, shared by the API and the pages: the rule from
//! `vaka_domain::access`, and whether it holds only through an emergency grant (whose reason then goes
//! into the access-log entry).

use vaka_domain::access::{self, Action, Relation};
use vaka_domain::ids::ClientId;
use vaka_domain::role::User;
use vaka_store::{Result, Tx, clients, emergency};

/// The answer for one user, client and action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// No such client in the user's municipality.
    NotFound,
    /// The client exists, but the rules say no.
    Denied,
    /// Allowed; through an emergency grant when a reason is given.
    Allowed { emergency_reason: Option<String> },
}

pub async fn check(tx: &mut Tx, user: &User, client: ClientId, action: Action) -> Result<Access> {
    let Some(relation) = clients::relation(tx, user, client).await? else {
        return Ok(Access::NotFound);
    };
    if access::permits(
        user.role,
        action,
        Relation {
            emergency: false,
            ..relation
        },
    ) {
        return Ok(Access::Allowed {
            emergency_reason: None,
        });
    }
    if access::permits(user.role, action, relation) {
        let reason = emergency::active(tx, user.id, client, vaka_store::now())
            .await?
            .map(|g| g.reason);
        return Ok(Access::Allowed {
            emergency_reason: reason.or(Some(String::new())),
        });
    }
    Ok(Access::Denied)
}
