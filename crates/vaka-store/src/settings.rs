//! Per-municipality settings: checked key–value pairs (the domain decides which keys and values
//! are valid; see `vaka_domain::alert::settings`).

use vaka_domain::alert::settings::AlertSettings;
use vaka_domain::assessment::CutoffProfile;
use vaka_domain::ids::{ClientId, MunicipalityId, UserId};

use crate::row::RowExt;
use crate::{Result, Tx, on_tx};

/// The stored pairs of a municipality, by key.
pub async fn pairs(tx: &mut Tx, municipality: MunicipalityId) -> Result<Vec<(String, String)>> {
    on_tx!(tx, |c| {
        let rows =
            sqlx::query("SELECT key, value FROM settings WHERE municipality_id = $1 ORDER BY key")
                .bind(municipality.0)
                .fetch_all(&mut *c)
                .await?;
        rows.iter()
            .map(|r| Ok((r.string("key")?, r.string("value")?)))
            .collect()
    })
}

/// Stores one pair (insert or replace).
pub async fn put(
    tx: &mut Tx,
    municipality: MunicipalityId,
    key: &str,
    value: &str,
    by: Option<UserId>,
) -> Result<()> {
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO settings (municipality_id, key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (municipality_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(municipality.0)
        .bind(key)
        .bind(value)
        .bind(now)
        .bind(by.map(|u| u.0))
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// The alert thresholds of a municipality: defaults with its stored pairs applied. A stored pair
/// that no longer parses is logged and skipped, so that one bad row never stops the alerts.
pub async fn alert_settings(tx: &mut Tx, municipality: MunicipalityId) -> Result<AlertSettings> {
    let stored = pairs(tx, municipality).await?;
    Ok(apply(&stored))
}

/// The alert thresholds of the client's municipality.
pub async fn alert_settings_for_client(tx: &mut Tx, client: ClientId) -> Result<AlertSettings> {
    let stored: Vec<(String, String)> = on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT s.key, s.value FROM settings s JOIN clients k ON k.municipality_id = s.municipality_id \
             WHERE k.id = $1",
        )
        .bind(client.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| Ok((r.string("key")?, r.string("value")?)))
            .collect::<Result<Vec<_>>>()?
    });
    Ok(apply(&stored))
}

/// The prefix of the screening cut-off keys (`screening.audit_women`, ...).
pub const SCREENING: &str = "screening.";

fn apply(stored: &[(String, String)]) -> AlertSettings {
    let (settings, skipped) = AlertSettings::from_pairs(
        stored
            .iter()
            .filter(|(k, _)| !k.starts_with(SCREENING))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    for e in skipped {
        tracing::warn!(setting = %e.field, "stored setting skipped: {}", e.message.en);
    }
    settings
}

/// The screening cut-off profile of a municipality: the built-in default with its stored
/// `screening.*` pairs applied (a pair that no longer parses is logged and skipped).
pub async fn screening_profile(tx: &mut Tx, municipality: MunicipalityId) -> Result<CutoffProfile> {
    let stored = pairs(tx, municipality).await?;
    let (profile, skipped) = CutoffProfile::from_pairs(
        stored
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(SCREENING)?, v.as_str()))),
    );
    for e in skipped {
        tracing::warn!(setting = %e.field, "stored screening setting skipped: {}", e.message.en);
    }
    Ok(profile)
}

/// How the municipality counts the paid days of a placement (`economy.day_count`; nights by default).
pub async fn day_count(
    tx: &mut Tx,
    municipality: MunicipalityId,
) -> Result<vaka_domain::placement::DayCount> {
    Ok(pairs(tx, municipality)
        .await?
        .iter()
        .find(|(k, _)| k == "economy.day_count")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(vaka_domain::placement::DayCount::Nights))
}
