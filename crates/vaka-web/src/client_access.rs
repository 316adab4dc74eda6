//! The one access check for a client, shared by the API and the pages: the rule from
//! `vaka_domain::access`, and whether it holds only through an emergency grant (whose reason then goes
//! into the access-log entry).

use vaka_domain::access::{self, Action, Relation};
use vaka_domain::ids::ClientId;
use vaka_domain::role::User;
use vaka_store::{AuditAction, NewAuditEntry, Result, Tx, clients, emergency};

use crate::error::ApiError;

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

/// Checks `action` on `client` in `tx`. Unknown and refused clients both answer 404; a refusal is
/// logged (the entry, as `access_denied`) and committed. When allowed, the entry carries the
/// emergency reason, if any, and the transaction goes on.
pub async fn authorize(
    mut tx: Tx,
    user: &User,
    client: ClientId,
    action: Action,
    entry: &mut NewAuditEntry,
) -> std::result::Result<Tx, ApiError> {
    match check(&mut tx, user, client, action).await? {
        Access::NotFound => Err(ApiError::NotFound),
        Access::Denied => {
            let mut denied = entry.clone();
            denied.action = AuditAction::AccessDenied;
            tx.audit(denied);
            tx.commit().await?;
            Err(ApiError::NotFound)
        }
        Access::Allowed { emergency_reason } => {
            entry.emergency_reason = emergency_reason;
            Ok(tx)
        }
    }
}
