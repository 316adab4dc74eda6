//! `client_summaries`, the caseload's per-client summary kept by triggers (migration 0012): after
//! any mix of journal and alert writes it says what the journal and the alerts say.

use chrono::{DateTime, Duration, TimeZone, Utc};
use vaka_domain::alert::rules::Candidate;
use vaka_domain::alert::{AlertRule, Severity};
use vaka_domain::case::CaseOrigin;
use vaka_domain::contact::{ContactKind, Housing, NewContact, SubstanceUse};
use vaka_domain::ids::{ClientId, ContactId};
use vaka_store::testing::{count, exec, summary_mismatches};
use vaka_store::{alerts, both, cases, contacts, retention};

use super::*;

fn contact(at: DateTime<Utc>, use_: SubstanceUse, well_being: u8, signed: bool) -> NewContact {
    NewContact {
        occurred_at: at,
        kind: ContactKind::Phone,
        substance_use: use_,
        substances: Vec::new(),
        risks: Vec::new(),
        well_being: Some(well_being),
        sleep: None,
        housing: if well_being.is_multiple_of(2) {
            Housing::Own
        } else {
            Housing::Homeless
        },
        note: None,
        signed,
        corrects: None,
        plan_goal: None,
    }
}

fn candidate(severity: Severity, cause: &str) -> Candidate {
    Candidate {
        rule: AlertRule::RelapseReported,
        severity,
        explanation: "test".into(),
        cause_key: cause.into(),
    }
}

/// The states the random sequences must reach, each as a count that is positive when reached.
const STATES: &[(&str, &str)] = &[
    (
        "a latest contact",
        "SELECT COUNT(*) FROM client_summaries WHERE last_contact_id IS NOT NULL",
    ),
    (
        "open alerts",
        "SELECT COUNT(*) FROM client_summaries WHERE open_high + open_medium + open_low > 0",
    ),
    (
        "open cases",
        "SELECT COUNT(*) FROM client_summaries WHERE open_cases > 0",
    ),
    (
        "closed cases",
        "SELECT COUNT(*) FROM cases WHERE status = 'closed'",
    ),
    (
        "a client moved",
        "SELECT COUNT(*) FROM client_summaries s JOIN clients c ON c.id = s.client_id WHERE c.unit_id <> (SELECT MIN(id) FROM units)",
    ),
    (
        "resolved alerts",
        "SELECT COUNT(*) FROM alerts WHERE status = 'resolved'",
    ),
    (
        "signed drafts",
        "SELECT COUNT(*) FROM contacts WHERE status = 'signed' AND signed_at > created_at",
    ),
];

both!(
    the_summary_follows_every_journal_and_alert_change,
    |db| async move {
        let s = seed(&db.store).await;
        let base = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let mut clients = Vec::new();
        let mut serial = 0;
        let mut number = move || {
            serial += 1;
            personal_number(serial)
        };
        for _ in 0..3 {
            clients.push(add_client(&db.store, &s, &number()).await);
        }
        let uses = [
            SubstanceUse::None,
            SubstanceUse::Lapse,
            SubstanceUse::Relapse,
            SubstanceUse::Unknown,
        ];
        let severities = [Severity::Low, Severity::Medium, Severity::High];
        let mut drafts: Vec<ContactId> = Vec::new();
        let mut reached = std::collections::BTreeSet::new();
        let mut causes = 0;
        for seed in 1..=3u64 {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed);
            for step in 0..40 {
                let client = clients[rng.below(clients.len() as u64) as usize];
                // Few distinct times, so that equal times (ordered by id) come up often.
                let at = base + Duration::minutes(rng.below(6) as i64 * 30);
                let mut tx = db.store.begin().await.unwrap();
                let op = rng.below(13);
                match op {
                    _ if step % 20 == 19 => {
                        // Retention removes a whole file; a new client takes its place.
                        retention::remove(&mut tx, client).await.unwrap();
                        drafts.clear();
                        let n = clients.iter().position(|c| *c == client).unwrap();
                        tx.commit().await.unwrap();
                        clients[n] = add_client(&db.store, &s, &number()).await;
                        tx = db.store.begin().await.unwrap();
                    }
                    0..=3 => {
                        let c = contact(at, uses[rng.below(4) as usize], rng.below(11) as u8, true);
                        contacts::insert(&mut tx, client, None, s.manager, &c)
                            .await
                            .unwrap();
                    }
                    4 => {
                        let c =
                            contact(at, uses[rng.below(4) as usize], rng.below(11) as u8, false);
                        drafts.push(
                            contacts::insert(&mut tx, client, None, s.manager, &c)
                                .await
                                .unwrap(),
                        );
                    }
                    5 if !drafts.is_empty() => {
                        let id = drafts.swap_remove(rng.below(drafts.len() as u64) as usize);
                        let c = contact(at, uses[rng.below(4) as usize], rng.below(11) as u8, true);
                        contacts::update_draft(&mut tx, id, &c).await.unwrap();
                    }
                    6 | 7 => {
                        causes += 1;
                        let c = candidate(
                            severities[rng.below(3) as usize],
                            &format!("cause-{causes}"),
                        );
                        assert!(
                            alerts::raise(&mut tx, client, &c, Some(s.manager))
                                .await
                                .unwrap()
                        );
                    }
                    8 | 9 => {
                        let open = alerts::for_client(&mut tx, client, None).await.unwrap();
                        if let Some(a) = open.get(rng.below(open.len().max(1) as u64) as usize) {
                            if rng.below(2) == 0 {
                                let _ = alerts::acknowledge(&mut tx, a.id, s.manager).await;
                            } else {
                                alerts::resolve(&mut tx, a.id, s.manager, "done")
                                    .await
                                    .unwrap();
                            }
                        }
                    }
                    10 => {
                        let day = at.date_naive();
                        cases::open(&mut tx, client, s.unit, day, CaseOrigin::Application, &[])
                            .await
                            .unwrap();
                    }
                    11 => {
                        // Nothing in Vaka closes a case or moves a client yet; the triggers
                        // still keep up with it done in SQL. A case is opened so that there is
                        // always one to close (the client's oldest open).
                        cases::open(
                            &mut tx,
                            client,
                            s.unit,
                            at.date_naive(),
                            CaseOrigin::Report,
                            &[],
                        )
                        .await
                        .unwrap();
                        let sql = format!(
                            "UPDATE cases SET status = 'closed', closed_on = opened_on \
                             WHERE id = (SELECT MIN(id) FROM cases WHERE client_id = {} AND status = 'open')",
                            client.0
                        );
                        exec(&mut tx, &sql).await.unwrap();
                    }
                    12 => {
                        let sql = format!(
                            "UPDATE clients SET unit_id = CASE WHEN unit_id = {a} THEN {b} ELSE {a} END WHERE id = {c}",
                            a = s.unit.0,
                            b = s.other_unit.0,
                            c = client.0
                        );
                        exec(&mut tx, &sql).await.unwrap();
                    }
                    _ => {}
                }
                tx.commit().await.unwrap();
                let mut tx = db.store.begin_read().await.unwrap();
                let wrong = summary_mismatches(&mut tx).await.unwrap();
                assert_eq!(wrong, 0, "seed {seed}, step {step}, op {op}");
                // Removed files leave no summary behind.
                let orphans = count(&mut tx, "SELECT COUNT(*) FROM client_summaries s WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = s.client_id)").await.unwrap();
                assert_eq!(orphans, 0);
                for (what, sql) in STATES {
                    if count(&mut tx, sql).await.unwrap() > 0 {
                        reached.insert(what);
                    }
                }
                tx.rollback().await.unwrap();
            }
        }
        // The sequences did reach every kind of state (at some step: retention removes some).
        assert_eq!(reached.len(), STATES.len(), "reached only {reached:?}");
        let mut tx = db.store.begin_read().await.unwrap();
        let summaries = "SELECT COUNT(*) FROM client_summaries";
        let held = count(&mut tx, summaries).await.unwrap();
        tx.rollback().await.unwrap();
        // A backup leaves the summary out; a restore rebuilds it as the rows are loaded.
        let mut rows = Vec::new();
        let counts = vaka_store::backup::dump(&db.store, |t, r| {
            rows.push((t.to_owned(), r.to_owned()));
            Ok(())
        })
        .await
        .unwrap();
        assert!(!counts.0.contains_key("client_summaries"));
        let kind = vaka_store::BackendKind::of_url(db.url()).unwrap();
        let target = vaka_store::testing::TestDb::new(kind).await;
        let mut loader = vaka_store::backup::Loader::start(&target.store)
            .await
            .unwrap();
        for (t, r) in &rows {
            loader
                .row(t, serde_json::from_str(r).unwrap())
                .await
                .unwrap();
        }
        loader.finish(&counts).await.unwrap();
        let mut tx = target.store.begin_read().await.unwrap();
        assert_eq!(summary_mismatches(&mut tx).await.unwrap(), 0);
        assert_eq!(count(&mut tx, summaries).await.unwrap(), held);
        tx.rollback().await.unwrap();
    }
);

/// One writer's work in the concurrency test: a contact and an alert for the client.
async fn contact_and_alert(
    tx: &mut vaka_store::Tx,
    client: ClientId,
    author: vaka_domain::ids::UserId,
    entry: &NewContact,
    severity: Severity,
    cause: &str,
) {
    contacts::insert(tx, client, None, author, entry)
        .await
        .unwrap();
    alerts::raise(tx, client, &candidate(severity, cause), None)
        .await
        .unwrap();
}

both!(
    concurrent_writers_for_one_client_keep_the_summary_right,
    |db| async move {
        let s = seed(&db.store).await;
        let client: ClientId = add_client(&db.store, &s, "19121212-1212").await;
        let later = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let earlier = later - Duration::days(1);
        // The first writer adds the later contact and an alert and holds its transaction open.
        let mut first = db.store.begin().await.unwrap();
        let relapse = contact(later, SubstanceUse::Relapse, 2, true);
        contact_and_alert(&mut first, client, s.manager, &relapse, Severity::High, "a").await;
        // The second adds an earlier contact and another alert meanwhile, and commits last.
        let store = db.store.clone();
        let manager = s.manager;
        let second = tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let calm = contact(earlier, SubstanceUse::None, 8, true);
            contact_and_alert(&mut tx, client, manager, &calm, Severity::Medium, "b").await;
            tx.commit().await.unwrap();
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        first.commit().await.unwrap();
        second.await.unwrap();
        let mut tx = db.store.begin_read().await.unwrap();
        assert_eq!(summary_mismatches(&mut tx).await.unwrap(), 0);
        let (use_, high, medium): (i64, i64, i64) = (
            count(
                &mut tx,
                "SELECT COUNT(*) FROM client_summaries WHERE last_substance_use = 'relapse'",
            )
            .await
            .unwrap(),
            count(&mut tx, "SELECT open_high FROM client_summaries")
                .await
                .unwrap(),
            count(&mut tx, "SELECT open_medium FROM client_summaries")
                .await
                .unwrap(),
        );
        assert_eq!((use_, high, medium), (1, 1, 1));
        tx.rollback().await.unwrap();
    }
);
