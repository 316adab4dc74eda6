//! `vaka extract`: a person's data request (GDPR art. 15) from the command line; the content is
//! `vaka_web::extract`, shared with the unit head's page.

use std::process::ExitCode;

use anyhow::{Context, bail};
use vaka_domain::ids::ClientId;
use vaka_store::{AuditAction, NewAuditEntry};
use vaka_web::extract::{Withhold, compose, pdf};

pub async fn run(
    url: &str,
    client: i64,
    out: &std::path::Path,
    format: &str,
    withhold: &[String],
) -> anyhow::Result<ExitCode> {
    let withhold: Vec<Withhold> = withhold
        .iter()
        .map(|w| w.parse())
        .collect::<Result<_, String>>()
        .map_err(|e| anyhow::anyhow!("--withhold {e}"))?;
    let store = crate::commands::open(url).await?;
    let client = ClientId(client);
    let mut tx = store.begin().await?;
    if vaka_store::clients::get(&mut tx, client).await?.is_none() {
        bail!("no client with id {}", client.0);
    }
    let (rows, log) = vaka_web::extract::load(&mut tx, client).await?;
    let (extract, withheld) =
        compose(client, &rows, &log, &withhold).map_err(|e| anyhow::anyhow!("--withhold {e}"))?;
    let bytes = match format {
        "pdf" => pdf(&extract).map_err(anyhow::Error::msg)?,
        _ => serde_json::to_vec_pretty(&extract)?,
    };
    std::fs::write(out, &bytes).with_context(|| format!("could not write {}", out.display()))?;
    let count: usize = rows.iter().map(|(_, r)| r.len()).sum();
    tx.audit(NewAuditEntry {
        user_id: None,
        username: "vaka extract".into(),
        role: "system".into(),
        client_id: Some(client),
        case_id: None,
        action: AuditAction::DataRequest,
        detail: format!("vaka extract --format {format}: {count} rows, {withheld} withheld"),
        emergency_reason: None,
        address: None,
        clients: Vec::new(),
    });
    tx.commit().await?;
    outln!(
        "Wrote the extract of client {} to {} ({count} rows, {} access-log entries, {withheld} withheld).",
        client.0,
        out.display(),
        log.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
