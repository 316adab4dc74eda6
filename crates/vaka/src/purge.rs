//! `vaka purge`: retention (gallring) run by the operator. A dry run lists every file that is due
//! and what would happen to it; `--execute` does it, one transaction per person, each with its
//! access-log entry. Files kept for research are written to the archive file (and synced) before
//! the transaction that removes them commits.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use vaka_domain::ids::{ClientId, MunicipalityId};
use vaka_domain::retention::{self, PersonalFile, RetentionRules, Verdict};
use vaka_store::{AuditAction, NewAuditEntry, Store, retention as store};

pub struct Args<'a> {
    pub url: &'a str,
    pub execute: bool,
    pub archive: Option<&'a std::path::Path>,
    pub today: NaiveDate,
    pub json: bool,
}

fn verdict_of(
    f: &store::FileRow,
    rules: &BTreeMap<MunicipalityId, (RetentionRules, BTreeMap<ClientId, String>)>,
    today: NaiveDate,
) -> Verdict {
    let default = (RetentionRules::default(), BTreeMap::new());
    let (r, holds) = rules.get(&f.municipality).unwrap_or(&default);
    retention::assess(
        &PersonalFile {
            last_entry: f.last_entry,
            birth_date: f.birth_date,
            open: f.open,
            hold: holds.get(&f.client).cloned(),
        },
        r,
        today,
    )
}

async fn all_rules(
    store: &Store,
) -> anyhow::Result<BTreeMap<MunicipalityId, (RetentionRules, BTreeMap<ClientId, String>)>> {
    let mut tx = store.begin_read().await?;
    let mut out = BTreeMap::new();
    for m in vaka_store::municipalities::list(&mut tx).await? {
        out.insert(m, store::rules(&mut tx, m).await?);
    }
    tx.rollback().await?;
    Ok(out)
}

pub async fn run(a: &Args<'_>) -> anyhow::Result<ExitCode> {
    let store = crate::commands::open(a.url).await?;
    let rules = all_rules(&store).await?;
    let mut tx = store.begin_read().await?;
    let files = store::files(&mut tx, a.today, None).await?;
    tx.rollback().await?;
    let due: Vec<(store::FileRow, Verdict)> = files
        .into_iter()
        .map(|f| {
            let v = verdict_of(&f, &rules, a.today);
            (f, v)
        })
        .filter(|(_, v)| !matches!(v, Verdict::Keep { .. }))
        .collect();
    let count = |name: &str| due.iter().filter(|(_, v)| v.name() == name).count();
    let (purge, archive, held) = (count("purge"), count("archive"), count("held"));
    if a.execute && archive > 0 && a.archive.is_none() {
        bail!(
            "{archive} files are kept for research and go to the archive: give --archive FILE (nothing was done)"
        );
    }
    if !a.execute {
        if a.json {
            let list: Vec<serde_json::Value> = due
                .iter()
                .map(|(f, v)| {
                    serde_json::json!({"client_id": f.client.0, "last_entry": f.last_entry,
                        "verdict": v.name(), "reason": v.reason()})
                })
                .collect();
            outln!(
                "{}",
                serde_json::json!({"today": a.today, "files": list,
                    "purge": purge, "archive": archive, "held": held})
            )?;
        } else {
            outln!("Dry run on {}: nothing is changed.", a.today)?;
            outln!(
                "{:>9}  {:<10}  {:<8}  reason",
                "client",
                "last entry",
                "verdict"
            )?;
            for (f, v) in &due {
                outln!(
                    "{:>9}  {:<10}  {:<8}  {}",
                    f.client.0,
                    f.last_entry,
                    v.name(),
                    v.reason()
                )?;
            }
            outln!(
                "{purge} to purge, {archive} to the research archive, {held} held (of the files that are due)."
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut archive_file = match a.archive {
        Some(p) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("could not write the archive {}", p.display()))?,
        ),
        None => None,
    };
    let (mut purged, mut archived, mut skipped) = (0, 0, 0);
    for (f, _) in &due {
        let mut tx = store.begin().await?;
        // Judged again inside the person's own transaction: a new entry since the list stops it.
        let Some(now) = store::files(&mut tx, a.today, Some(f.client))
            .await?
            .into_iter()
            .next()
        else {
            tx.rollback().await?;
            continue;
        };
        let verdict = verdict_of(&now, &rules, a.today);
        let action = match verdict {
            Verdict::Purge { .. } => AuditAction::ClientPurge,
            Verdict::Archive { .. } => AuditAction::ClientArchive,
            _ => {
                tx.rollback().await?;
                skipped += 1;
                continue;
            }
        };
        if action == AuditAction::ClientArchive {
            let rows = store::person_rows(&mut tx, f.client).await?;
            let tables: serde_json::Map<String, serde_json::Value> = rows
                .iter()
                .map(|(t, list)| {
                    let parsed: Vec<serde_json::Value> = list
                        .iter()
                        .map(|r| serde_json::from_str(r).unwrap_or(serde_json::Value::Null))
                        .collect();
                    ((*t).to_owned(), serde_json::Value::Array(parsed))
                })
                .collect();
            let record = serde_json::json!({
                "client_id": f.client.0,
                "archived_at": chrono::Utc::now().to_rfc3339(),
                "reason": verdict.reason(),
                "sha256": store::digest(&rows),
                "rows": tables,
            });
            if let Some(file) = archive_file.as_mut() {
                writeln!(file, "{record}")?;
                file.sync_all()?;
            }
        }
        let removed = store::remove(&mut tx, f.client).await?;
        tx.audit(NewAuditEntry {
            user_id: None,
            username: "vaka purge".into(),
            role: "system".into(),
            client_id: Some(f.client),
            case_id: None,
            action,
            detail: format!("{}; removed {}", verdict.reason(), removed.summary()),
            emergency_reason: None,
            address: None,
            clients: Vec::new(),
        });
        tx.commit().await?;
        if action == AuditAction::ClientPurge {
            purged += 1;
        } else {
            archived += 1;
        }
    }
    outln!(
        "Purged {purged} files, moved {archived} to the research archive{}, {held} held, {skipped} no longer due.",
        a.archive
            .map(|p| format!(" ({})", p.display()))
            .unwrap_or_default()
    )?;
    Ok(ExitCode::SUCCESS)
}
