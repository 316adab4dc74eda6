//! A client's history as the client page shows it: recent journal entries and placements.

use chrono::{DateTime, NaiveDate, Utc};
use vaka_domain::ids::ClientId;

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactLine {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub substance_use: String,
    pub well_being: Option<i64>,
    pub housing: String,
    pub note: Option<String>,
    pub status: String,
    pub author: String,
    pub author_id: i64,
    /// Comma-separated substance names, as stored.
    pub substances: String,
    /// Comma-separated risk names, as stored.
    pub risks: String,
    /// The plan goal the contact served: its life area and text.
    pub plan_goal: Option<(String, String)>,
    pub corrects: Option<i64>,
}

pub async fn recent_contacts(
    tx: &mut Tx,
    client: ClientId,
    limit: i64,
) -> Result<Vec<ContactLine>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT x.id, x.occurred_at, x.kind, x.substance_use, x.well_being, x.housing, x.note, x.status, u.display_name, \
             x.author_id, x.substances, x.corrects_id, x.risks, g.life_area, g.goal \
             FROM contacts x JOIN users u ON u.id = x.author_id LEFT JOIN plan_goals g ON g.id = x.plan_goal_id \
             WHERE x.client_id = $1 \
             ORDER BY x.occurred_at DESC, x.id DESC LIMIT $2",
        )
        .bind(client.0)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ContactLine {
                    id: r.i64("id")?,
                    occurred_at: r.ts("occurred_at")?,
                    kind: r.string("kind")?,
                    substance_use: r.string("substance_use")?,
                    well_being: r.opt_i64("well_being")?,
                    housing: r.string("housing")?,
                    note: r.opt_string("note")?,
                    status: r.string("status")?,
                    author: r.string("display_name")?,
                    author_id: r.i64("author_id")?,
                    substances: r.string("substances")?,
                    risks: r.string("risks")?,
                    plan_goal: match (r.opt_string("life_area")?, r.opt_string("goal")?) {
                        (Some(area), Some(goal)) => Some((area, goal)),
                        _ => None,
                    },
                    corrects: r.opt_i64("corrects_id")?,
                })
            })
            .collect()
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementLine {
    pub id: i64,
    pub intervention: String,
    pub provider: Option<String>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub daily_price_ore: i64,
    pub end_reason: Option<String>,
}

pub async fn placements(tx: &mut Tx, client: ClientId) -> Result<Vec<PlacementLine>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT p.id, p.intervention, v.name AS provider, p.start_date, p.end_date, p.daily_price_ore, p.end_reason \
             FROM placements p LEFT JOIN providers v ON v.id = p.provider_id WHERE p.client_id = $1 \
             ORDER BY p.start_date DESC, p.id DESC",
        )
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlacementLine {
                    id: r.i64("id")?,
                    intervention: r.string("intervention")?,
                    provider: r.opt_string("provider")?,
                    start: r.date("start_date")?,
                    end: r.opt_date("end_date")?,
                    daily_price_ore: r.i64("daily_price_ore")?,
                    end_reason: r.opt_string("end_reason")?,
                })
            })
            .collect()
    })
}
