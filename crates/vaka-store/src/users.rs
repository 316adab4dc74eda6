//! Staff users.

use vaka_domain::ids::{MunicipalityId, UnitId, UserId};
use vaka_domain::role::{Role, User};

use crate::row::RowExt;
use crate::{Result, Tx, conflict_on_unique, on_tx};

/// A user to create. The password hash is computed by the caller (argon2id).
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub municipality_id: MunicipalityId,
    pub unit_id: Option<UnitId>,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub may_see_protected: bool,
}

pub async fn create(tx: &mut Tx, u: &NewUser<'_>) -> Result<UserId> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (municipality_id, unit_id, username, display_name, role, password_hash, may_see_protected, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(u.municipality_id.0)
        .bind(u.unit_id.map(|x| x.0))
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.role.as_str())
        .bind(u.password_hash)
        .bind(u.may_see_protected)
        .bind(true)
        .bind(now)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| conflict_on_unique(e, "username"))?;
        Ok(UserId(id))
    })
}

const COLUMNS: &str = "id, municipality_id, unit_id, username, display_name, role, may_see_protected, active, \
     must_change_password";

pub(crate) fn from_row(r: &impl RowExt) -> Result<User> {
    Ok(User {
        id: UserId(r.i64("id")?),
        municipality_id: MunicipalityId(r.i64("municipality_id")?),
        unit_id: r.opt_i64("unit_id")?.map(UnitId),
        username: r.string("username")?,
        display_name: r.string("display_name")?,
        role: r.parse("role")?,
        may_see_protected: r.bool("may_see_protected")?,
        active: r.bool("active")?,
        must_change_password: r.bool("must_change_password")?,
    })
}

pub async fn get(tx: &mut Tx, id: UserId) -> Result<Option<User>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(from_row).transpose()
    })
}

/// The user and their password hash, for login.
pub async fn by_username(tx: &mut Tx, username: &str) -> Result<Option<(User, Option<String>)>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, password_hash FROM users WHERE username = $1"
        )))
        .bind(username)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref()
            .map(|r| Ok((from_row(r)?, r.opt_string("password_hash")?)))
            .transpose()
    })
}

pub async fn list(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<User>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE municipality_id = $1 ORDER BY username"
        )))
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// A new password; `must_change` when someone other than its owner chose it.
pub async fn set_password_hash(
    tx: &mut Tx,
    id: UserId,
    hash: &str,
    must_change: bool,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(hash)
            .bind(must_change)
            .bind(id.0)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

/// Writes an account's name, role, unit and right to see protected identities.
pub async fn update(tx: &mut Tx, id: UserId, a: &vaka_domain::role::Account) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, unit_id = $3, may_see_protected = $4 \
             WHERE id = $5",
        )
        .bind(&a.display_name)
        .bind(a.role.as_str())
        .bind(a.unit_id.map(|u| u.0))
        .bind(a.may_see_protected)
        .bind(id.0)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// Lets a user log in and use their tokens again, or stops them at once (`active = false`: every
/// session and token is refused from the next request).
pub async fn set_active(tx: &mut Tx, id: UserId, active: bool) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id.0)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}
