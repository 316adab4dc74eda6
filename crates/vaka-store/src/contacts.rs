//! Journal entries (contacts). A signed entry is never changed: `update_draft` refuses it, and a
//! correction is a new entry pointing at the one it corrects.

use vaka_domain::contact::{Contact, EntryStatus, NewContact, NewObjection, Objection};
use vaka_domain::ids::{CaseId, ClientId, ContactId, GoalId, ObjectionId, UserId};

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

/// A list column as stored: the names, comma-separated.
fn list_text<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(",")
}

/// A comma-separated list column back into its values.
pub(crate) fn parse_list<T: std::str::FromStr>(text: &str, column: &str) -> Result<Vec<T>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| StoreError::Corrupt(format!("{column}: {s:?}")))
        })
        .collect()
}

pub async fn insert(
    tx: &mut Tx,
    client: ClientId,
    case: Option<CaseId>,
    author: UserId,
    c: &NewContact,
) -> Result<ContactId> {
    let now = crate::now();
    let status = if c.signed {
        EntryStatus::Signed
    } else {
        EntryStatus::Draft
    };
    on_tx!(tx, |conn| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contacts (client_id, case_id, author_id, occurred_at, kind, substance_use, substances, well_being, sleep, \
             housing, note, status, signed_at, corrects_id, created_at, updated_at, risks, plan_goal_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15,$16,$17) RETURNING id",
        )
        .bind(client.0)
        .bind(case.map(|c| c.0))
        .bind(author.0)
        .bind(c.occurred_at)
        .bind(c.kind.as_str())
        .bind(c.substance_use.as_str())
        .bind(list_text(c.substances.iter().map(|s| s.as_str())))
        .bind(c.well_being.map(i64::from))
        .bind(c.sleep.map(|s| s.as_str()))
        .bind(c.housing.as_str())
        .bind(&c.note)
        .bind(status.as_str())
        .bind(c.signed.then_some(now))
        .bind(c.corrects.map(|x| x.0))
        .bind(now)
        .bind(list_text(c.risks.iter().map(|r| r.as_str())))
        .bind(c.plan_goal.map(|g| g.0))
        .fetch_one(&mut *conn)
        .await?;
        Ok(ContactId(id))
    })
}

/// Replaces a draft's content (and signs it when asked). `Conflict("signed")` for a signed entry:
/// the row is left exactly as it was.
pub async fn update_draft(tx: &mut Tx, id: ContactId, c: &NewContact) -> Result<()> {
    let now = crate::now();
    let status = if c.signed {
        EntryStatus::Signed
    } else {
        EntryStatus::Draft
    };
    on_tx!(tx, |conn| {
        let r = sqlx::query(
            "UPDATE contacts SET occurred_at = $1, kind = $2, substance_use = $3, substances = $4, well_being = $5, sleep = $6, \
             housing = $7, note = $8, status = $9, signed_at = $10, updated_at = $11, risks = $13, plan_goal_id = $14 WHERE id = $12 AND status = 'draft'",
        )
        .bind(c.occurred_at)
        .bind(c.kind.as_str())
        .bind(c.substance_use.as_str())
        .bind(list_text(c.substances.iter().map(|s| s.as_str())))
        .bind(c.well_being.map(i64::from))
        .bind(c.sleep.map(|s| s.as_str()))
        .bind(c.housing.as_str())
        .bind(&c.note)
        .bind(status.as_str())
        .bind(c.signed.then_some(now))
        .bind(now)
        .bind(id.0)
        .bind(list_text(c.risks.iter().map(|r| r.as_str())))
        .bind(c.plan_goal.map(|g| g.0))
        .execute(&mut *conn)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(());
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM contacts WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
        Err(if exists.is_some() {
            StoreError::Conflict("signed")
        } else {
            StoreError::NotFound
        })
    })
}

fn from_row(r: &impl RowExt) -> Result<Contact> {
    let substances = parse_list(&r.string("substances")?, "contacts.substances")?;
    let risks = parse_list(&r.string("risks")?, "contacts.risks")?;
    Ok(Contact {
        id: ContactId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        case_id: r.opt_i64("case_id")?.map(CaseId),
        author_id: UserId(r.i64("author_id")?),
        occurred_at: r.ts("occurred_at")?,
        kind: r.parse("kind")?,
        substance_use: r.parse("substance_use")?,
        substances,
        risks,
        well_being: r.opt_i64("well_being")?.and_then(|w| u8::try_from(w).ok()),
        sleep: r
            .opt_string("sleep")?
            .map(|s| s.parse())
            .transpose()
            .map_err(|_| StoreError::Corrupt("contacts.sleep".into()))?,
        housing: r.parse("housing")?,
        note: r.opt_string("note")?,
        status: r.parse("status")?,
        signed_at: r.opt_ts("signed_at")?,
        corrects: r.opt_i64("corrects_id")?.map(ContactId),
        plan_goal: r.opt_i64("plan_goal_id")?.map(GoalId),
        created_at: r.ts("created_at")?,
    })
}

pub async fn get(tx: &mut Tx, id: ContactId) -> Result<Option<Contact>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(concat!(
            "SELECT ",
            cols!(contacts),
            " FROM contacts WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(from_row).transpose()
    })
}

/// A client's entries, newest first.
pub async fn for_client(tx: &mut Tx, client: ClientId, limit: i64) -> Result<Vec<Contact>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(contacts),
            " FROM contacts WHERE client_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2"
        ))
        .bind(client.0)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// The client's newest open case, to file an entry under.
pub async fn open_case(tx: &mut Tx, client: ClientId) -> Result<Option<CaseId>> {
    on_tx!(tx, |c| {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE client_id = $1 AND status = 'open' ORDER BY opened_on DESC, id DESC LIMIT 1")
            .bind(client.0)
            .fetch_optional(&mut *c)
            .await?;
        Ok(id.map(CaseId))
    })
}

/// Records the person's objection to a signed entry. Only ever inserted: nothing updates or
/// deletes an objection except the purge of the whole file.
pub async fn insert_objection(
    tx: &mut Tx,
    entry: &Contact,
    recorded_by: UserId,
    o: &NewObjection,
) -> Result<ObjectionId> {
    let now = crate::now();
    on_tx!(tx, |conn| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_objections (client_id, contact_id, statement, received_on, recorded_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(entry.client_id.0)
        .bind(entry.id.0)
        .bind(&o.statement)
        .bind(o.received_on)
        .bind(recorded_by.0)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        Ok(ObjectionId(id))
    })
}

fn objection_from_row(r: &impl RowExt) -> Result<Objection> {
    Ok(Objection {
        id: ObjectionId(r.i64("id")?),
        client_id: ClientId(r.i64("client_id")?),
        contact_id: ContactId(r.i64("contact_id")?),
        statement: r.string("statement")?,
        received_on: r.date("received_on")?,
        recorded_by: UserId(r.i64("recorded_by")?),
        created_at: r.ts("created_at")?,
    })
}

/// An objection with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionRow {
    pub objection: Objection,
    pub username: String,
    pub display_name: String,
}

/// A client's objections in the order they were recorded; `contact` narrows them to one entry.
pub async fn objections(
    tx: &mut Tx,
    client: ClientId,
    contact: Option<ContactId>,
) -> Result<Vec<ObjectionRow>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(contact_objections, "o."),
            ", u.username, u.display_name FROM contact_objections o JOIN users u ON u.id = o.recorded_by \
             WHERE o.client_id = $1 AND ($2 IS NULL OR o.contact_id = $2) ORDER BY o.id"
        ))
        .bind(client.0)
        .bind(contact.map(|x| x.0))
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ObjectionRow {
                    objection: objection_from_row(r)?,
                    username: r.string("username")?,
                    display_name: r.string("display_name")?,
                })
            })
            .collect()
    })
}
