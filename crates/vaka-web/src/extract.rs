//! A person's data request: everything held about one person (GDPR art. 15), as JSON or PDF: every row of
//! the personal file, the invoice rows naming the person's placements, and who accessed the file.
//! Information about other people is withheld after review with `--withhold` (OSL 26 kap. 1 §),
//! named row by row or field by field; a name that matches nothing is an error, never ignored.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use vaka_domain::ids::ClientId;
use vaka_store::{audit, retention};

pub const WITHHELD: &str = "[undantaget enligt OSL 26 kap. 1 § / withheld]";

/// What to withhold: `table.id` (a whole row) or `table.id.field`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Withhold {
    table: String,
    id: i64,
    field: Option<String>,
}

impl std::str::FromStr for Withhold {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.splitn(3, '.');
        let (Some(table), Some(id)) = (parts.next(), parts.next()) else {
            return Err(format!(
                "--withhold {s:?}: give TABLE.ID or TABLE.ID.FIELD, e.g. contacts.12.note"
            ));
        };
        let id = id
            .parse()
            .map_err(|_| format!("{s:?}: {id:?} is not a row id"))?;
        Ok(Self {
            table: table.to_owned(),
            id,
            field: parts.next().map(str::to_owned),
        })
    }
}

const HEADINGS: &[(&str, &str)] = &[
    ("clients", "Personuppgifter / Personal details"),
    ("cases", "Ärenden / Cases"),
    ("case_assignments", "Handläggare / Case managers"),
    ("applications", "Ansökningar / Applications"),
    ("recommendations", "Rekommendationer / Recommendations"),
    ("decisions", "Beslut / Decisions"),
    ("placements", "Insatser och placeringar / Placements"),
    ("placement_prices", "Dygnspriser / Daily prices"),
    ("contacts", "Journalanteckningar / Journal entries"),
    (
        "contact_objections",
        "Synpunkter på anteckningar / Objections to entries",
    ),
    ("plan_goals", "Mål i planen / Plan goals"),
    (
        "plan_goal_reviews",
        "Uppföljningar av mål / Follow-ups of goals",
    ),
    ("assessments", "Bedömningar (AUDIT, DUDIT) / Assessments"),
    ("follow_ups", "Uppföljningar / Follow-ups"),
    ("alerts", "Larm / Alerts"),
    ("emergency_access", "Nödåtkomst / Emergency access"),
    (
        "housing_incidents",
        "Händelser i boendet / Housing incidents",
    ),
    ("housing_queue", "Bostadskö / Housing queue"),
    ("invoice_rows", "Fakturarader / Invoice rows"),
];

/// The extract as JSON, with `withhold` applied; fails when a withhold names nothing.
pub fn compose(
    client: ClientId,
    rows: &[(&'static str, Vec<String>)],
    log: &[audit::AuditEntry],
    withhold: &[Withhold],
) -> Result<(Value, usize), String> {
    let mut used: BTreeSet<&Withhold> = BTreeSet::new();
    let mut tables = serde_json::Map::new();
    for (table, list) in rows {
        let mut out = Vec::with_capacity(list.len());
        for r in list {
            let mut v: Value = serde_json::from_str(r).map_err(|e| e.to_string())?;
            let id = v["id"]
                .as_i64()
                .or_else(|| v["case_id"].as_i64())
                .or_else(|| v["placement_id"].as_i64());
            for w in withhold
                .iter()
                .filter(|w| w.table == *table && Some(w.id) == id)
            {
                let Some(obj) = v.as_object_mut() else {
                    continue;
                };
                match &w.field {
                    None => {
                        for (k, val) in obj.iter_mut() {
                            if k != "id" {
                                *val = Value::String(WITHHELD.into());
                            }
                        }
                    }
                    Some(f) => match obj.get_mut(f) {
                        Some(val) => *val = Value::String(WITHHELD.into()),
                        None => {
                            return Err(format!(
                                "{table}.{}.{f}: the row has no field {f:?}",
                                w.id
                            ));
                        }
                    },
                }
                used.insert(w);
            }
            out.push(v);
        }
        tables.insert((*table).to_owned(), Value::Array(out));
    }
    if let Some(w) = withhold.iter().find(|w| !used.contains(w)) {
        return Err(format!(
            "{}.{}: no such row in this person's file (nothing was written)",
            w.table, w.id
        ));
    }
    let access: Vec<Value> = log
        .iter()
        .map(|e| {
            json!({"logged_at": e.logged_at, "username": e.entry.username, "role": e.entry.role,
                "action": e.action_name, "detail": e.entry.detail,
                "emergency_reason": e.entry.emergency_reason})
        })
        .collect();
    Ok((
        json!({
            "client_id": client.0,
            "extracted_at": chrono::Utc::now().to_rfc3339(),
            "withheld": withhold.len(),
            "records": tables,
            "access_log": access,
        }),
        used.len(),
    ))
}

/// The extract as a PDF: one section per kind of record, each row's fields listed.
pub fn pdf(extract: &Value) -> Result<Vec<u8>, String> {
    use vaka_report::{Doc, DocSection, DocTable};
    let mut sections = Vec::new();
    let empty = serde_json::Map::new();
    let records = extract["records"].as_object().unwrap_or(&empty);
    for (table, heading) in HEADINGS {
        let list = records.get(*table).and_then(Value::as_array);
        let Some(list) = list.filter(|l| !l.is_empty()) else {
            continue;
        };
        let mut rows = Vec::new();
        for (n, r) in list.iter().enumerate() {
            for (k, v) in r.as_object().into_iter().flatten() {
                let shown = match v {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                rows.push(vec![(n + 1).to_string(), k.clone(), shown]);
            }
        }
        sections.push(DocSection {
            heading: (*heading).to_owned(),
            paragraphs: vec![format!("{} st / rows", list.len())],
            svg: None,
            table: Some(DocTable {
                text: true,
                head: vec!["#".into(), "Uppgift / Field".into(), "Värde / Value".into()],
                rows,
            }),
        });
    }
    let log = extract["access_log"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    sections.push(DocSection {
        heading: "Vem har läst eller ändrat akten / Who accessed the file".into(),
        paragraphs: vec![format!("{} händelser / entries", log.len())],
        svg: None,
        table: Some(DocTable {
            text: true,
            head: vec![
                "Tid / Time".into(),
                "Användare / User".into(),
                "Händelse / Action".into(),
            ],
            rows: log
                .iter()
                .map(|e| {
                    vec![
                        e["logged_at"].as_str().unwrap_or_default().to_owned(),
                        format!(
                            "{} ({})",
                            e["username"].as_str().unwrap_or_default(),
                            e["role"].as_str().unwrap_or_default()
                        ),
                        e["action"].as_str().unwrap_or_default().to_owned(),
                    ]
                })
                .collect(),
        }),
    });
    let doc = Doc {
        title: "Registerutdrag / Data subject access extract".into(),
        lead: format!(
            "Allt som finns registrerat om personen (klient-id {}) i Vaka, utdraget {}. / Everything held about the person in Vaka (GDPR art. 15).",
            extract["client_id"],
            extract["extracted_at"].as_str().unwrap_or_default()
        ),
        footer: "Registerutdrag enligt dataskyddsförordningen art. 15".into(),
        note: format!(
            "Uppgifter om andra personer har prövats enligt OSL 26 kap. 1 § och {} har undantagits. / {} item(s) withheld after review.",
            extract["withheld"], extract["withheld"]
        ),
        sections,
    };
    vaka_report::report_pdf(&doc)
}

/// Everything held about `client` (the caller has checked access, in `tx`).
pub async fn load(
    tx: &mut vaka_store::Tx,
    client: ClientId,
) -> vaka_store::Result<(Vec<(&'static str, Vec<String>)>, Vec<audit::AuditEntry>)> {
    let rows = retention::person_rows(tx, client).await?;
    let log = audit::for_client(tx, client, i64::MAX).await?;
    Ok((rows, log))
}

/// The heading of a kind of record, Swedish / English.
pub fn heading(table: &str) -> &'static str {
    HEADINGS
        .iter()
        .find(|(t, _)| *t == table)
        .map_or("", |(_, h)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(&'static str, Vec<String>)> {
        vec![
            ("clients", vec![r#"{"id":7,"given_name":"Tolvan"}"#.into()]),
            (
                "contacts",
                vec![
                    r#"{"id":1,"note":"Mamma Anna Svensson ringde"}"#.into(),
                    r#"{"id":2,"note":"Bra samtal"}"#.into(),
                ],
            ),
        ]
    }

    #[test]
    fn every_table_of_a_personal_file_has_a_heading() {
        // The PDF shows the tables that have a heading: one without would be left out unseen.
        let tables = vaka_store::retention::PERSONAL_TABLES
            .iter()
            .chain([&vaka_store::retention::INVOICE_ROWS]);
        for (table, _) in tables {
            assert!(!heading(table).is_empty(), "{table} has no heading");
        }
    }

    #[test]
    fn withheld_fields_and_rows_are_replaced_and_the_rest_is_whole() {
        let w: Vec<Withhold> = vec!["contacts.1.note".parse().unwrap()];
        let (v, n) = compose(ClientId(7), &rows(), &[], &w).unwrap();
        assert_eq!(n, 1);
        assert_eq!(v["records"]["contacts"][0]["note"], WITHHELD);
        assert_eq!(v["records"]["contacts"][1]["note"], "Bra samtal");
        assert!(!v.to_string().contains("Anna Svensson"));
        let (v, _) = compose(ClientId(7), &rows(), &[], &["contacts.1".parse().unwrap()]).unwrap();
        assert_eq!(v["records"]["contacts"][0]["id"], 1);
        assert_eq!(v["records"]["contacts"][0]["note"], WITHHELD);
    }

    #[test]
    fn a_withhold_that_names_nothing_is_an_error_not_a_silent_leak() {
        for bad in ["contacts.3", "contact.1", "contacts.1.notes"] {
            let w: Vec<Withhold> = vec![bad.parse().unwrap()];
            assert!(compose(ClientId(7), &rows(), &[], &w).is_err(), "{bad}");
        }
        assert!("contacts".parse::<Withhold>().is_err());
        assert!("contacts.x".parse::<Withhold>().is_err());
    }
}
