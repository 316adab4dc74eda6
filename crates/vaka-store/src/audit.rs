//! The access log: append-only and hash-chained. Each entry's hash covers its content and the hash
//! before it; `audit_head` holds the newest hash, so that a removed tail is seen too.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

use vaka_domain::ids::{CaseId, ClientId, MunicipalityId, UserId};

pub use vaka_domain::audit::AuditAction;

use crate::row::RowExt;
use crate::{Result, StoreError, Tx, on_tx};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to be written when the transaction commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub user_id: Option<UserId>,
    pub username: String,
    pub role: String,
    pub client_id: Option<ClientId>,
    pub case_id: Option<CaseId>,
    pub action: AuditAction,
    /// What was touched, e.g. `GET /api/v1/clients/12`. Never personal data.
    pub detail: String,
    pub emergency_reason: Option<String>,
    pub address: Option<String>,
    /// A list view (the caseload, the client list): every client it showed, as one entry; then
    /// `client_id` is `None`. Stored sorted and without repeats.
    pub clients: Vec<ClientId>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub logged_at: DateTime<Utc>,
    pub entry: NewAuditEntry,
    pub action_name: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain hash of one entry.
pub fn chain_hash(prev_hash: &str, logged_at: DateTime<Utc>, e: &NewAuditEntry) -> Result<String> {
    chain_hash_raw(prev_hash, logged_at, e, e.action.as_str())
}

fn chain_hash_raw(
    prev_hash: &str,
    logged_at: DateTime<Utc>,
    e: &NewAuditEntry,
    action: &str,
) -> Result<String> {
    // The same compact JSON array as `serde_json::json!([...]).to_string()` gave when the chain
    // began (tested below), serialised without building a `Value` first. A list view's clients
    // are a twelfth element; entries without them hash as before.
    let fields = (
        prev_hash,
        logged_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        e.user_id.map(|u| u.0),
        &e.username,
        &e.role,
        e.client_id.map(|c| c.0),
        e.case_id.map(|c| c.0),
        action,
        &e.detail,
        &e.emergency_reason,
        &e.address,
    );
    let mut text = Vec::with_capacity(256);
    let written = if e.clients.is_empty() {
        serde_json::to_writer(&mut text, &fields)
    } else {
        let (a, b, c, d, f, g, h, i, j, k, l) = fields;
        let listed: Vec<i64> = e.clients.iter().map(|c| c.0).collect();
        serde_json::to_writer(&mut text, &(a, b, c, d, f, g, h, i, j, k, l, listed))
    };
    written.map_err(|e| StoreError::AuditLog(e.to_string()))?;
    Ok(hex::encode(Sha256::digest(&text)))
}

/// Rows per INSERT statement: a batch is written in chunks of these sizes (largest first), so that
/// a few prepared statements serve every batch size. One statement per row made SQLite copy every
/// page it touched into the statement journal once per row. At most 8 rows (104 parameters):
/// sqlx looks up every parameter's name on binding, which SQLite answers by a linear scan.
const CHUNKS: [usize; 4] = [8, 4, 2, 1];

/// The columns an insert binds, in order.
const COLUMNS: [&str; 14] = [
    "id",
    "logged_at",
    "user_id",
    "username",
    "role",
    "client_id",
    "case_id",
    "action",
    "detail",
    "emergency_reason",
    "address",
    "client_ids",
    "prev_hash",
    "hash",
];

fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO audit_log ({}) VALUES ", COLUMNS.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for col in 0..COLUMNS.len() {
            if col > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * COLUMNS.len() + col + 1));
        }
        sql.push(')');
    }
    sql
}

/// A list's clients as the `client_ids` column holds them: a JSON array of ids.
fn client_ids_text(clients: &[ClientId]) -> Result<String> {
    let ids: Vec<i64> = clients.iter().map(|c| c.0).collect();
    serde_json::to_string(&ids).map_err(|e| StoreError::AuditLog(e.to_string()))
}

fn parse_client_ids(text: &str) -> Result<Vec<ClientId>> {
    let ids: Vec<i64> = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("access log client_ids {text:?}: {e}")))?;
    Ok(ids.into_iter().map(ClientId).collect())
}

/// The statements for each of `CHUNKS`, built once.
fn insert_statements() -> &'static [String] {
    static SQL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SQL.get_or_init(|| CHUNKS.iter().map(|&n| insert_sql(n)).collect())
}

/// An entry with its place in the chain, ready to insert.
struct Linked<'a> {
    id: i64,
    entry: &'a NewAuditEntry,
    prev_hash: String,
    hash: String,
}

pub(crate) async fn append(tx: &mut Tx, mut entries: Vec<NewAuditEntry>) -> Result<()> {
    let logged_at = crate::now();
    let mut lists = false;
    for e in &mut entries {
        e.clients.sort_unstable();
        e.clients.dedup();
        lists |= !e.clients.is_empty();
    }
    // FOR UPDATE serialises appenders on PostgreSQL; SQLite's BEGIN IMMEDIATE already has.
    let tx_backend = tx.backend();
    let lock = match tx_backend {
        crate::BackendKind::Postgres => " FOR UPDATE",
        crate::BackendKind::Sqlite => "",
    };
    on_tx!(tx, |c| {
        let head = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT last_id, last_hash FROM audit_head WHERE id = 1{lock}"
        )))
        .fetch_one(&mut *c)
        .await?;
        let mut prev = head.string("last_hash")?;
        let mut last_id = head.i64("last_id")?;
        let before = last_id;
        // Ids follow the head's, without gaps: `verify` counts on it, and the head is locked here.
        let mut linked = Vec::with_capacity(entries.len());
        for e in &entries {
            let hash = chain_hash(&prev, logged_at, e)?;
            last_id += 1;
            linked.push(Linked {
                id: last_id,
                entry: e,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            });
        }
        // Largest chunks first: 23 entries go as 8 + 8 + 4 + 2 + 1.
        let mut rest = &linked[..];
        for (&size, sql) in CHUNKS.iter().zip(insert_statements()) {
            while rest.len() >= size {
                let (chunk, after) = rest.split_at(size);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for l in chunk {
                    let e = l.entry;
                    q = q
                        .bind(l.id)
                        .bind(logged_at)
                        .bind(e.user_id.map(|u| u.0))
                        .bind(&e.username)
                        .bind(&e.role)
                        .bind(e.client_id.map(|x| x.0))
                        .bind(e.case_id.map(|x| x.0))
                        .bind(e.action.as_str())
                        .bind(&e.detail)
                        .bind(&e.emergency_reason)
                        .bind(&e.address)
                        .bind(client_ids_text(&e.clients)?)
                        .bind(&l.prev_hash)
                        .bind(&l.hash);
                }
                q.execute(&mut *c).await?;
                rest = after;
            }
        }
        if lists {
            // The index of the lists' clients, from what was just written: one statement however
            // many entries and clients.
            let expand = match tx_backend {
                crate::BackendKind::Sqlite => {
                    "INSERT INTO audit_log_clients (client_id, audit_id) \
                     SELECT j.value, a.id FROM audit_log a, json_each(a.client_ids) j \
                     WHERE a.id > $1 AND a.id <= $2"
                }
                crate::BackendKind::Postgres => {
                    "INSERT INTO audit_log_clients (client_id, audit_id) \
                     SELECT j::bigint, a.id FROM audit_log a, jsonb_array_elements_text(a.client_ids::jsonb) j \
                     WHERE a.id > $1 AND a.id <= $2"
                }
            };
            sqlx::query(expand)
                .bind(before)
                .bind(last_id)
                .execute(&mut *c)
                .await?;
        }
        sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(last_id)
            .bind(&prev)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: u64,
    /// The first broken place: the id of the entry, and what is wrong there.
    pub first_problem: Option<(i64, String)>,
}

/// Walks the whole chain in id order and checks every link and the head.
pub async fn verify(tx: &mut Tx) -> Result<Verification> {
    let mut prev = GENESIS.to_owned();
    let mut after = 0i64;
    let mut count = 0u64;
    let mut expected_id = 1i64;
    loop {
        let batch = list_after(tx, after, 5000).await?;
        if batch.is_empty() {
            break;
        }
        let mismatch = index_mismatch(tx, after, &batch).await?;
        for e in &batch {
            count += 1;
            if e.id != expected_id {
                let what = if e.id > expected_id {
                    "entries missing before this one"
                } else {
                    "id out of order"
                };
                return Ok(Verification {
                    entries: count,
                    first_problem: Some((e.id, what.into())),
                });
            }
            if e.prev_hash != prev {
                return Ok(Verification {
                    entries: count,
                    first_problem: Some((
                        e.id,
                        "does not link to the entry before it (removed or inserted)".into(),
                    )),
                });
            }
            if chain_hash_raw(&e.prev_hash, e.logged_at, &e.entry, &e.action_name)? != e.hash {
                return Ok(Verification {
                    entries: count,
                    first_problem: Some((e.id, "content changed after it was written".into())),
                });
            }
            if mismatch == Some(e.id) {
                return Ok(Verification {
                    entries: count,
                    first_problem: Some((e.id, INDEX_MISMATCH.into())),
                });
            }
            prev = e.hash.clone();
            expected_id += 1;
            after = e.id;
        }
        if let Some(id) = mismatch {
            // Index rows for an id the log does not hold.
            return Ok(Verification {
                entries: count,
                first_problem: Some((id, INDEX_MISMATCH.into())),
            });
        }
    }
    let (head_id, head_hash) = on_tx!(tx, |c| {
        let r = sqlx::query("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *c)
            .await?;
        (r.i64("last_id")?, r.string("last_hash")?)
    });
    if head_hash != prev || head_id != after {
        return Ok(Verification {
            entries: count,
            first_problem: Some((
                after + 1,
                "entries at the end of the log were removed".into(),
            )),
        });
    }
    Ok(Verification {
        entries: count,
        first_problem: None,
    })
}

const INDEX_MISMATCH: &str = "the index of the clients it lists does not match the entry";

/// The first entry of `batch` (the entries after `after`, in id order) whose clients in
/// `audit_log_clients` differ from the list the entry holds.
async fn index_mismatch(tx: &mut Tx, after: i64, batch: &[AuditEntry]) -> Result<Option<i64>> {
    let last = batch.last().map_or(after, |e| e.id);
    let indexed: Vec<(i64, i64)> = on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT audit_id, client_id FROM audit_log_clients \
             WHERE audit_id > $1 AND audit_id <= $2 ORDER BY audit_id, client_id",
        )
        .bind(after)
        .bind(last)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| Ok((r.i64("audit_id")?, r.i64("client_id")?)))
            .collect::<Result<_>>()?
    });
    let mut indexed = indexed.into_iter().peekable();
    for e in batch {
        let mut held = Vec::new();
        while let Some(&(id, client)) = indexed.peek() {
            if id > e.id {
                break;
            }
            if id < e.id {
                // Index rows for an entry that is not in the log.
                return Ok(Some(id));
            }
            held.push(ClientId(client));
            indexed.next();
        }
        if held != e.entry.clients {
            return Ok(Some(e.id));
        }
    }
    Ok(indexed.next().map(|(id, _)| id))
}

/// Entries with id greater than `after`, oldest first.
pub async fn list_after(tx: &mut Tx, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(audit_log),
            " FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

/// Entries about one client, newest first.
pub async fn for_client(tx: &mut Tx, client: ClientId, limit: i64) -> Result<Vec<AuditEntry>> {
    on_tx!(tx, |c| {
        // Entries about the client alone, and list views that showed it.
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(audit_log),
            " FROM audit_log WHERE id IN ( \
               SELECT id FROM audit_log WHERE client_id = $1 \
               UNION ALL SELECT audit_id FROM audit_log_clients WHERE client_id = $1) \
             ORDER BY id DESC LIMIT $2"
        ))
        .bind(client.0)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        rows.iter().map(from_row).collect()
    })
}

fn from_row(r: &impl RowExt) -> Result<AuditEntry> {
    let action_name = r.string("action")?;
    // An unknown action name is kept as text so that verification still sees tampering with it.
    let action = action_name.parse().unwrap_or(AuditAction::AccessDenied);
    Ok(AuditEntry {
        id: r.i64("id")?,
        logged_at: r.ts("logged_at")?,
        entry: NewAuditEntry {
            user_id: r.opt_i64("user_id")?.map(UserId),
            username: r.string("username")?,
            role: r.string("role")?,
            client_id: r.opt_i64("client_id")?.map(ClientId),
            case_id: r.opt_i64("case_id")?.map(CaseId),
            action,
            detail: r.string("detail")?,
            emergency_reason: r.opt_string("emergency_reason")?,
            address: r.opt_string("address")?,
            clients: parse_client_ids(&r.string("client_ids")?)?,
        },
        action_name,
        prev_hash: r.string("prev_hash")?,
        hash: r.string("hash")?,
    })
}

/// What an auditor searches for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub username: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Entries about this client: its own, and list views that showed it.
    pub client: Option<ClientId>,
}

/// An auditor's review of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub reviewed_by: String,
    pub reviewed_at: DateTime<Utc>,
    pub comment: String,
}

/// An entry as the review shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewLine {
    pub entry: AuditEntry,
    pub protected_client: bool,
    pub review: Option<Review>,
}

/// Whether entry `a` belongs to the access log of the municipality bound at `$n`: its user works
/// there; an entry without a user (the system, the command line) is the municipality's when it is
/// about one of its clients, and every municipality's when it names no client that still exists
/// (a purged client, a failed login with an unknown name, `vaka user add`).
macro_rules! in_municipality {
    ($n:literal) => {
        concat!(
            "(a.user_id IN (SELECT id FROM users WHERE municipality_id = ",
            $n,
            ") OR (a.user_id IS NULL AND NOT EXISTS (SELECT 1 FROM clients x WHERE x.id = a.client_id AND x.municipality_id <> ",
            $n,
            ")))"
        )
    };
}

/// The municipality's clients with protected identity, read through a partial index (migration
/// 0015): there are few, so the review checks each entry against them in Rust. Asked in SQL per
/// entry, the check walked every client a list view named (a decision list names tens of
/// thousands), seconds per search at 100k clients.
pub async fn protected_clients(
    tx: &mut Tx,
    municipality: MunicipalityId,
) -> Result<HashSet<ClientId>> {
    on_tx!(tx, |c| {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM clients WHERE protection <> 'none' AND municipality_id = $1",
        )
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        Ok(ids.into_iter().map(ClientId).collect())
    })
}

/// The municipality's entries in the period (newest first, at most `limit`), each marked when it
/// is about one of `protected` (from [`protected_clients`]), with any review.
pub async fn search(
    tx: &mut Tx,
    municipality: MunicipalityId,
    s: &Search,
    limit: i64,
    protected: &HashSet<ClientId>,
) -> Result<Vec<ReviewLine>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            concat!("SELECT ", cols!(audit_log, "a."), ", \
               r.reviewed_at, r.comment, u.username AS reviewer \
             FROM audit_log a \
               LEFT JOIN audit_reviews r ON r.audit_id = a.id LEFT JOIN users u ON u.id = r.reviewed_by \
             WHERE ($1 IS NULL OR a.username = $1) AND ($2 IS NULL OR a.logged_at >= $2) AND ($3 IS NULL OR a.logged_at < $3) \
               AND ($5 IS NULL OR a.id IN (SELECT id FROM audit_log WHERE client_id = $5 \
                 UNION ALL SELECT audit_id FROM audit_log_clients WHERE client_id = $5)) \
               AND ", in_municipality!("$6"), " \
             ORDER BY a.id DESC LIMIT $4"),
        )
        .bind(&s.username)
        .bind(s.from)
        .bind(s.to)
        .bind(limit)
        .bind(s.client.map(|c| c.0))
        .bind(municipality.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                let review = match r.opt_ts("reviewed_at")? {
                    Some(at) => Some(Review {
                        reviewed_by: r.opt_string("reviewer")?.unwrap_or_default(),
                        reviewed_at: at,
                        comment: r.opt_string("comment")?.unwrap_or_default(),
                    }),
                    None => None,
                };
                let entry = from_row(r)?;
                let protected_client = entry
                    .entry
                    .client_id
                    .iter()
                    .chain(&entry.entry.clients)
                    .any(|c| protected.contains(c));
                Ok(ReviewLine {
                    entry,
                    protected_client,
                    review,
                })
            })
            .collect()
    })
}

/// Records an auditor's review of entry `id`. `NotFound` for an unknown entry or one of another
/// municipality's log; `Conflict` when it was reviewed already (a review is never overwritten).
pub async fn review(
    tx: &mut Tx,
    municipality: MunicipalityId,
    id: i64,
    reviewer: UserId,
    comment: &str,
) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        let exists: Option<i64> = sqlx::query_scalar(concat!(
            "SELECT a.id FROM audit_log a WHERE a.id = $1 AND ",
            in_municipality!("$2")
        ))
        .bind(id)
        .bind(municipality.0)
        .fetch_optional(&mut *c)
        .await?;
        if exists.is_none() {
            return Err(crate::StoreError::NotFound);
        }
        sqlx::query("INSERT INTO audit_reviews (audit_id, reviewed_by, reviewed_at, comment) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(reviewer.0)
            .bind(now)
            .bind(comment)
            .execute(&mut *c)
            .await
            .map_err(|e| crate::conflict_on_unique(e, "id"))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash text as the chain's first entries were written: existing logs must still verify.
    fn hash_as_first_written(prev: &str, at: DateTime<Utc>, e: &NewAuditEntry) -> String {
        let fields = serde_json::json!([
            prev,
            at.to_rfc3339_opts(SecondsFormat::Micros, true),
            e.user_id.map(|u| u.0),
            e.username,
            e.role,
            e.client_id.map(|c| c.0),
            e.case_id.map(|c| c.0),
            e.action.as_str(),
            e.detail,
            e.emergency_reason,
            e.address,
        ]);
        hex::encode(Sha256::digest(fields.to_string().as_bytes()))
    }

    #[test]
    fn the_chain_hash_is_unchanged_from_the_first_format() {
        let at = DateTime::parse_from_rfc3339("2026-11-24T10:15:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let full = NewAuditEntry {
            user_id: Some(UserId(7)),
            username: "anna.berg".into(),
            role: "case_manager".into(),
            client_id: Some(ClientId(12)),
            case_id: Some(CaseId(3)),
            action: AuditAction::CaseloadRead,
            detail: "GET /caseload \"quoted\" \\ \u{e5}\u{e4}\u{f6} \n\t\u{1}".into(),
            emergency_reason: Some("akut: \"fara\"".into()),
            address: Some("127.0.0.1".into()),
            clients: Vec::new(),
        };
        let empty = NewAuditEntry {
            user_id: None,
            username: String::new(),
            role: String::new(),
            client_id: None,
            case_id: None,
            action: AuditAction::AccessDenied,
            detail: String::new(),
            emergency_reason: None,
            address: None,
            clients: Vec::new(),
        };
        for e in [&full, &empty] {
            assert_eq!(
                chain_hash(GENESIS, at, e).unwrap(),
                hash_as_first_written(GENESIS, at, e)
            );
        }
        // A fixed value, so that a change in serde_json's output would be seen too.
        assert_eq!(
            chain_hash(GENESIS, at, &empty).unwrap(),
            hex::encode(Sha256::digest(
                format!("[\"{GENESIS}\",\"2026-11-24T10:15:00.123456Z\",null,\"\",\"\",null,null,\"access_denied\",\"\",null,null]")
                    .as_bytes()
            ))
        );
    }

    #[test]
    fn insert_statements_have_one_placeholder_per_column_and_row() {
        assert!(insert_sql(1).ends_with("VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"));
        let two = insert_sql(2);
        assert!(two.ends_with("($15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28)"));
        assert!(insert_sql(1).starts_with("INSERT INTO audit_log (id, logged_at, user_id,"));
        assert_eq!(insert_sql(64).matches('$').count(), 64 * COLUMNS.len());
    }

    #[test]
    fn a_list_entry_hashes_its_clients_as_a_twelfth_element() {
        let at = DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut e = NewAuditEntry {
            user_id: Some(UserId(7)),
            username: "anna.berg".into(),
            role: "case_manager".into(),
            client_id: None,
            case_id: None,
            action: AuditAction::CaseloadRead,
            detail: "GET /caseload".into(),
            emergency_reason: None,
            address: None,
            clients: vec![ClientId(3), ClientId(12)],
        };
        assert_eq!(
            chain_hash(GENESIS, at, &e).unwrap(),
            hex::encode(Sha256::digest(
                format!("[\"{GENESIS}\",\"2026-12-05T10:00:00.000000Z\",7,\"anna.berg\",\"case_manager\",null,null,\"caseload_read\",\"GET /caseload\",null,null,[3,12]]")
                    .as_bytes()
            ))
        );
        // Another list is another hash; no list is the format without the element.
        let listed = chain_hash(GENESIS, at, &e).unwrap();
        e.clients.pop();
        assert_ne!(chain_hash(GENESIS, at, &e).unwrap(), listed);
        e.clients.clear();
        assert_eq!(
            chain_hash(GENESIS, at, &e).unwrap(),
            hash_as_first_written(GENESIS, at, &e)
        );
        assert_eq!(
            client_ids_text(&[ClientId(3), ClientId(12)]).unwrap(),
            "[3,12]"
        );
        assert_eq!(client_ids_text(&[]).unwrap(), "[]");
        assert_eq!(
            parse_client_ids("[3,12]").unwrap(),
            [ClientId(3), ClientId(12)]
        );
        assert_eq!(parse_client_ids("[]").unwrap(), []);
        assert!(parse_client_ids("3,12").is_err());
    }
}
