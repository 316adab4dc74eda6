//! The unit head's view of the unit: which clients it picks and in what order, who follows each,
//! and the escalated alerts nobody has acknowledged.

use chrono::{Duration, Utc};
use vaka_domain::alert::rules::Candidate;
use vaka_domain::alert::{AlertRule, Severity};
use vaka_domain::case::CaseOrigin;
use vaka_domain::contact::{ContactKind, Housing, NewContact, SubstanceUse};
use vaka_domain::ids::ClientId;
use vaka_store::{alerts, both, cases, contacts};

use super::*;

fn signed_contact(days_ago: i64) -> NewContact {
    NewContact {
        occurred_at: Utc::now() - Duration::days(days_ago),
        kind: ContactKind::Meeting,
        substance_use: SubstanceUse::None,
        substances: Vec::new(),
        risks: Vec::new(),
        well_being: Some(6),
        sleep: None,
        housing: Housing::Own,
        note: None,
        signed: true,
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

/// A client of `unit`, with an open case (followed by the seed's case manager or by no one),
/// a contact `days_ago` and an open alert when asked for.
async fn client(
    store: &Store,
    s: &Seed,
    number: &str,
    unit: UnitId,
    case: Option<bool>,
    days_ago: Option<i64>,
    alert: Option<Severity>,
) -> ClientId {
    let mut tx = store.begin().await.unwrap();
    let id = clients::insert(&mut tx, s.municipality, unit, &new_client(number), None)
        .await
        .unwrap();
    if let Some(followed) = case {
        let managers = if followed {
            vec![s.manager]
        } else {
            Vec::new()
        };
        let today = vaka_domain::time::local_date(Utc::now());
        cases::open(&mut tx, id, unit, today, CaseOrigin::Application, &managers)
            .await
            .unwrap();
    }
    if let Some(days) = days_ago {
        contacts::insert(&mut tx, id, None, s.manager, &signed_contact(days))
            .await
            .unwrap();
    }
    if let Some(severity) = alert {
        alerts::raise(&mut tx, id, &candidate(severity, number), Some(s.manager))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

both!(
    the_unit_view_puts_alerts_first_then_the_longest_without_contact,
    |db| async move {
        let s = seed(&db.store).await;
        let (u, st) = (s.unit, &db.store);
        let never = client(st, &s, "19800101-0019", u, Some(true), None, None).await;
        let five_days = client(st, &s, "19800101-0027", u, Some(true), Some(5), None).await;
        let medium = client(
            st,
            &s,
            "19800101-0035",
            u,
            Some(true),
            Some(1),
            Some(Severity::Medium),
        )
        .await;
        let high_no_case = client(
            st,
            &s,
            "19800101-0043",
            u,
            None,
            Some(1),
            Some(Severity::High),
        )
        .await;
        // Neither an open case nor an open alert: not in the view.
        client(st, &s, "19800101-0050", u, None, Some(30), None).await;
        let unfollowed = client(st, &s, "19800101-0068", u, Some(false), Some(10), None).await;
        // Another unit's client, however urgent: not in this unit's view.
        client(
            st,
            &s,
            "19800101-0076",
            s.other_unit,
            Some(true),
            None,
            Some(Severity::High),
        )
        .await;

        let mut tx = db.store.begin_read().await.unwrap();
        let (rows, more) = clients::unit_caseload(&mut tx, u, 10).await.unwrap();
        let order: Vec<ClientId> = rows.iter().map(|r| r.row.client.id).collect();
        assert_eq!(order, [high_no_case, medium, never, unfollowed, five_days]);
        assert!(!more);
        // Who follows each: the seed's case manager, or no one (no case, or a case nobody has).
        let managers: Vec<Option<&str>> = rows.iter().map(|r| r.case_manager.as_deref()).collect();
        assert_eq!(
            managers,
            [
                None,
                Some("Case Manager"),
                Some("Case Manager"),
                None,
                Some("Case Manager")
            ]
        );
        assert_eq!(rows[0].row.top_severity, Some(Severity::High));
        assert_eq!(rows[1].row.open_alerts, 1);
        assert!(rows[2].row.last_contact_at.is_none());

        // A limit keeps the first of that order and says more qualified; exactly enough says not.
        let (rows, more) = clients::unit_caseload(&mut tx, u, 3).await.unwrap();
        let order: Vec<ClientId> = rows.iter().map(|r| r.row.client.id).collect();
        assert_eq!(order, [high_no_case, medium, never]);
        assert!(more);
        let (rows, more) = clients::unit_caseload(&mut tx, u, 5).await.unwrap();
        assert_eq!(rows.len(), 5);
        assert!(!more);
        let (rows, more) = clients::unit_caseload(&mut tx, u, 0).await.unwrap();
        assert!(rows.is_empty() && more);
        tx.rollback().await.unwrap();
    }
);

both!(
    the_unit_head_sees_the_escalated_alerts_nobody_acknowledged,
    |db| async move {
        let s = seed(&db.store).await;
        let (u, st) = (s.unit, &db.store);
        let first = client(
            st,
            &s,
            "19800101-0019",
            u,
            Some(true),
            None,
            Some(Severity::Medium),
        )
        .await;
        let second = client(
            st,
            &s,
            "19800101-0027",
            u,
            Some(true),
            None,
            Some(Severity::High),
        )
        .await;
        let acknowledged = client(
            st,
            &s,
            "19800101-0035",
            u,
            Some(true),
            None,
            Some(Severity::High),
        )
        .await;
        let other_unit = client(
            st,
            &s,
            "19800101-0043",
            s.other_unit,
            Some(true),
            None,
            Some(Severity::High),
        )
        .await;
        let mut tx = db.store.begin().await.unwrap();
        let escalated = alerts::escalate_stale(&mut tx, Utc::now() + Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!(escalated, 4);
        let ack = alerts::for_client(&mut tx, acknowledged, None)
            .await
            .unwrap();
        alerts::acknowledge(&mut tx, ack[0].id, s.manager)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Raised after the escalation: open, but not escalated.
        let late = client(
            st,
            &s,
            "19800101-0050",
            u,
            Some(true),
            None,
            Some(Severity::High),
        )
        .await;

        let mut tx = db.store.begin_read().await.unwrap();
        let list = alerts::escalated_open_in_unit(&mut tx, u, 10)
            .await
            .unwrap();
        let clients_listed: Vec<Option<ClientId>> =
            list.iter().map(|e| e.alert.client_id).collect();
        assert_eq!(clients_listed, [Some(first), Some(second)], "oldest first");
        assert!(
            !clients_listed.contains(&Some(other_unit)) && !clients_listed.contains(&Some(late))
        );
        assert!(list.iter().all(|e| e.alert.escalated));
        assert_eq!(
            (
                list[0].client_given_name.as_str(),
                list[0].client_family_name.as_str()
            ),
            ("Test", "Testsson")
        );
        let one = alerts::escalated_open_in_unit(&mut tx, u, 1).await.unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].alert.client_id, Some(first));
        tx.rollback().await.unwrap();
    }
);

/// What the reference order knows of a generated client.
struct Generated {
    id: ClientId,
    in_unit: bool,
    open_case: bool,
    days_ago: Option<i64>,
    alert: Option<Severity>,
}

both!(
    the_unit_view_matches_a_full_sort_for_any_mix_and_limit,
    |db| async move {
        let s = seed(&db.store).await;
        let severities = [Severity::Low, Severity::Medium, Severity::High];
        let mut serial = 0;
        // Each round adds clients to the ones before and checks the view over all of them.
        let mut made = Vec::new();
        for seed in 1..=3u64 {
            let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ seed);
            for _ in 0..24 {
                serial += 1;
                let in_unit = rng.below(5) > 0;
                let unit = if in_unit { s.unit } else { s.other_unit };
                let case = match rng.below(3) {
                    0 => None,
                    n => Some(n == 1),
                };
                // Few distinct days, so that equal days (ordered by creation, then id) come up.
                let days_ago = (rng.below(4) > 0).then(|| rng.below(5) as i64);
                let alert = (rng.below(4) == 0).then(|| severities[rng.below(3) as usize]);
                let number = personal_number(serial);
                let id = client(&db.store, &s, &number, unit, case, days_ago, alert).await;
                made.push(Generated {
                    id,
                    in_unit,
                    open_case: case.is_some(),
                    days_ago,
                    alert,
                });
            }
            // The reference: every qualifying client of the unit so far, fully sorted in Rust.
            // A contact made later for the same number of days ago is later; ids grow with time.
            let rank = |g: &Generated| match g.alert {
                None => 0,
                Some(Severity::Low) => 1,
                Some(Severity::Medium) => 2,
                Some(Severity::High) => 3,
            };
            let mut expected: Vec<&Generated> = made
                .iter()
                .filter(|g| g.in_unit && (g.open_case || g.alert.is_some()))
                .collect();
            expected.sort_by_key(|g| {
                (
                    std::cmp::Reverse(rank(g)),
                    g.days_ago.is_some(),
                    std::cmp::Reverse(g.days_ago.unwrap_or(0)),
                    g.id,
                )
            });
            let mut tx = db.store.begin_read().await.unwrap();
            for limit in 0..=expected.len() as i64 + 1 {
                let (rows, more) = clients::unit_caseload(&mut tx, s.unit, limit)
                    .await
                    .unwrap();
                let got: Vec<ClientId> = rows.iter().map(|r| r.row.client.id).collect();
                let want: Vec<ClientId> =
                    expected.iter().take(limit as usize).map(|g| g.id).collect();
                assert_eq!(got, want, "seed {seed}, limit {limit}");
                assert_eq!(
                    more,
                    (expected.len() as i64) > limit,
                    "seed {seed}, limit {limit}"
                );
            }
            tx.rollback().await.unwrap();
        }
    }
);
