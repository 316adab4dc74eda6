use chrono::{Duration, NaiveDate};
use vaka_domain::access::Relation;
use vaka_domain::case::CaseOrigin;
use vaka_domain::ids::ClientId;
use vaka_store::bulk::{self, Value};
use vaka_store::{StoreError, both, cases, clients, municipalities, tokens, users};

use super::*;

both!(migrations_run_once_and_then_do_nothing, |db| async move {
    assert_eq!(db.store.migrate().await.unwrap(), 0);
    assert_eq!(db.store.migrate().await.unwrap(), 0);
});

both!(
    a_migration_changed_after_it_was_applied_stops_the_start,
    |db| async move {
        let sums = || async {
            let mut tx = db.store.begin().await.unwrap();
            let rows = vaka_store::testing::strings(
                &mut tx,
                "SELECT COALESCE(checksum, '') FROM vaka_migrations ORDER BY version",
            )
            .await
            .unwrap();
            tx.rollback().await.unwrap();
            rows
        };
        let recorded = sums().await;
        assert!(recorded.len() >= 15);
        assert!(recorded.iter().all(|s| s.len() == 64), "{recorded:?}");
        // Applied by a build that recorded no checksum: recorded now, nothing applied again.
        let mut tx = db.store.begin().await.unwrap();
        vaka_store::testing::exec(
            &mut tx,
            "UPDATE vaka_migrations SET checksum = NULL WHERE version = 4",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.store.migrate().await.unwrap(), 0);
        assert_eq!(sums().await, recorded);
        // A file that no longer matches what was applied.
        let mut tx = db.store.begin().await.unwrap();
        vaka_store::testing::exec(
            &mut tx,
            "UPDATE vaka_migrations SET checksum = 'changed' WHERE version = 3",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        match db.store.migrate().await {
            Err(StoreError::Corrupt(msg)) => {
                assert!(msg.contains("migration 3 (emergency_access)"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            vaka_store::Store::open(&db.url).await,
            Err(StoreError::Corrupt(_))
        ));
    }
);

both!(a_client_reads_back_exactly_as_written, |db| async move {
    let s = seed(&db.store).await;
    let id = add_client(&db.store, &s, "19121212-1212").await;
    let mut tx = db.store.begin().await.unwrap();
    let c = clients::get(&mut tx, id).await.unwrap().unwrap();
    assert_eq!(c.personal_number.canonical(), "191212121212");
    assert_eq!(c.birth_date, NaiveDate::from_ymd_opt(1912, 12, 12).unwrap());
    assert_eq!(
        (c.given_name.as_str(), c.family_name.as_str()),
        ("Test", "Testsson")
    );
    assert_eq!(c.unit_id, s.unit);
    assert!(
        clients::get(&mut tx, ClientId(9999))
            .await
            .unwrap()
            .is_none()
    );
});

both!(
    the_same_personal_number_twice_is_a_conflict_and_the_first_stays,
    |db| async move {
        let s = seed(&db.store).await;
        add_client(&db.store, &s, "19121212-1212").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = clients::insert(
            &mut tx,
            s.municipality,
            s.unit,
            &new_client("191212121212"),
            None,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict("personal_number")),
            "{err:?}"
        );
        drop(tx);
        let mut tx = db.store.begin().await.unwrap();
        let (list, total) = clients::list(&mut tx, clients::Scope::Unit(s.unit), 10, 0)
            .await
            .unwrap();
        assert_eq!((list.len(), total), (1, 1));
    }
);

both!(a_rolled_back_transaction_leaves_nothing, |db| async move {
    let s = seed(&db.store).await;
    let mut tx = db.store.begin().await.unwrap();
    clients::insert(
        &mut tx,
        s.municipality,
        s.unit,
        &new_client("19121212-1212"),
        None,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = db.store.begin().await.unwrap();
    assert_eq!(
        clients::list(&mut tx, clients::Scope::Unit(s.unit), 10, 0)
            .await
            .unwrap()
            .1,
        0
    );
});

both!(relation_tells_assignment_and_unit, |db| async move {
    let s = seed(&db.store).await;
    let id = add_client(&db.store, &s, "19121212-1212").await;
    let mut tx = db.store.begin().await.unwrap();
    let user = users::get(&mut tx, s.manager).await.unwrap().unwrap();
    assert_eq!(
        clients::relation(&mut tx, &user, id).await.unwrap(),
        Some(Relation {
            assigned: false,
            same_unit: true,
            emergency: false
        })
    );
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    cases::open(
        &mut tx,
        id,
        s.unit,
        today,
        CaseOrigin::Application,
        &[s.manager],
    )
    .await
    .unwrap();
    assert_eq!(
        clients::relation(&mut tx, &user, id).await.unwrap(),
        Some(Relation {
            assigned: true,
            same_unit: true,
            emergency: false
        })
    );
    assert_eq!(
        clients::relation(&mut tx, &user, ClientId(424242))
            .await
            .unwrap(),
        None
    );
    let list = cases::for_client(&mut tx, id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].case_managers, vec![s.manager]);
    let (mine, total) = clients::list(&mut tx, clients::Scope::AssignedTo(s.manager), 10, 0)
        .await
        .unwrap();
    assert_eq!((mine.len(), total), (1, 1));
    assert_eq!(
        clients::list(&mut tx, clients::Scope::Unit(s.other_unit), 10, 0)
            .await
            .unwrap()
            .1,
        0
    );
});

both!(client_lists_page_in_name_order, |db| async move {
    let s = seed(&db.store).await;
    let mut tx = db.store.begin().await.unwrap();
    for (i, family) in ["Örn", "Andersson", "Berg", "Ek", "Dahl"]
        .iter()
        .enumerate()
    {
        let mut c = new_client(&format!("1980010{}-R00{i}", i + 1));
        c.family_name = (*family).to_owned();
        clients::insert(&mut tx, s.municipality, s.unit, &c, None)
            .await
            .unwrap();
    }
    let (page, total) = clients::list(&mut tx, clients::Scope::Unit(s.unit), 2, 1)
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(
        page.iter()
            .map(|c| c.family_name.as_str())
            .collect::<Vec<_>>(),
        ["Berg", "Dahl"]
    );
});

both!(expired_and_revoked_tokens_find_no_user, |db| async move {
    let s = seed(&db.store).await;
    let now = vaka_store::now();
    let mut tx = db.store.begin().await.unwrap();
    tokens::create(&mut tx, s.manager, "live", None, None)
        .await
        .unwrap();
    tokens::create(
        &mut tx,
        s.manager,
        "expired",
        None,
        Some(now - Duration::seconds(1)),
    )
    .await
    .unwrap();
    tokens::create(
        &mut tx,
        s.manager,
        "revoked",
        None,
        Some(now + Duration::days(1)),
    )
    .await
    .unwrap();
    assert!(tokens::revoke(&mut tx, "revoked").await.unwrap());
    assert_eq!(
        tokens::user_for(&mut tx, "live", now).await.unwrap(),
        Some(s.manager)
    );
    assert_eq!(
        tokens::user_for(&mut tx, "expired", now).await.unwrap(),
        None
    );
    assert_eq!(
        tokens::user_for(&mut tx, "revoked", now).await.unwrap(),
        None
    );
    assert_eq!(
        tokens::user_for(&mut tx, "unknown", now).await.unwrap(),
        None
    );
});

both!(a_duplicate_username_is_a_conflict, |db| async move {
    let s = seed(&db.store).await;
    let mut tx = db.store.begin().await.unwrap();
    let err = users::create(
        &mut tx,
        &users::NewUser {
            municipality_id: s.municipality,
            unit_id: None,
            username: "cm",
            display_name: "Again",
            role: vaka_domain::role::Role::Admin,
            password_hash: None,
            may_see_protected: false,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict("username")));
});

both!(
    an_account_change_reads_back_and_open_cases_are_counted_per_user,
    |db| async move {
        let s = seed(&db.store).await;
        let id = add_client(&db.store, &s, "19121212-1212").await;
        let mut tx = db.store.begin().await.unwrap();
        let second = add_case_manager(&mut tx, s.municipality, s.other_unit, "cm2", "Second").await;
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let both_of_them = [s.manager, second];
        for d in 1..=2 {
            cases::open(
                &mut tx,
                id,
                s.unit,
                day(d),
                CaseOrigin::Application,
                &both_of_them,
            )
            .await
            .unwrap();
        }
        // A closed case and an ended assignment are not counted.
        let closed = cases::open(&mut tx, id, s.unit, day(3), CaseOrigin::Report, &[second])
            .await
            .unwrap();
        vaka_store::testing::exec(
            &mut tx,
            &format!(
                "UPDATE cases SET status = 'closed', closed_on = '2026-01-09' WHERE id = {}",
                closed.0
            ),
        )
        .await
        .unwrap();
        let ended = cases::open(
            &mut tx,
            id,
            s.unit,
            day(4),
            CaseOrigin::Report,
            &[s.manager],
        )
        .await
        .unwrap();
        vaka_store::testing::exec(
            &mut tx,
            &format!(
                "UPDATE case_assignments SET unassigned_on = '2026-01-05' WHERE case_id = {}",
                ended.0
            ),
        )
        .await
        .unwrap();
        // Another municipality's case manager is not in this list.
        let elsewhere = municipalities::create(&mut tx, "Annan", "0002")
            .await
            .unwrap();
        let far_unit = municipalities::create_unit(&mut tx, elsewhere, "C")
            .await
            .unwrap();
        let far = add_case_manager(&mut tx, elsewhere, far_unit, "far", "Far").await;
        cases::open(&mut tx, id, s.unit, day(5), CaseOrigin::Report, &[far])
            .await
            .unwrap();
        assert_eq!(
            cases::open_counts(&mut tx, s.municipality).await.unwrap(),
            vec![(s.manager, 2), (second, 2)]
        );
        assert_eq!(
            cases::open_counts(&mut tx, elsewhere).await.unwrap(),
            vec![(far, 1)]
        );

        let account = vaka_domain::role::Account {
            display_name: "Sara Lind".into(),
            role: Role::UnitHead,
            unit_id: Some(s.other_unit),
            may_see_protected: true,
        };
        users::update(&mut tx, s.manager, &account).await.unwrap();
        let user = users::get(&mut tx, s.manager).await.unwrap().unwrap();
        assert_eq!(vaka_domain::role::Account::of(&user), account);
        assert_eq!(user.username, "cm");
        // The other account is untouched.
        let other = users::get(&mut tx, second).await.unwrap().unwrap();
        assert_eq!(
            (other.display_name.as_str(), other.role),
            ("Second", Role::CaseManager)
        );
        tx.commit().await.unwrap();
    }
);

both!(
    a_second_case_manager_joins_and_leaves_and_the_history_has_names,
    |db| async move {
        let s = seed(&db.store).await;
        let id = add_client(&db.store, &s, "19121212-1212").await;
        let mut tx = db.store.begin().await.unwrap();
        let second = add_case_manager(&mut tx, s.municipality, s.unit, "cm2", "Second").await;
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let case = cases::open(
            &mut tx,
            id,
            s.unit,
            day(5),
            CaseOrigin::Application,
            &[s.manager],
        )
        .await
        .unwrap();
        assert!(
            cases::add_manager(&mut tx, case, second, day(10))
                .await
                .unwrap()
        );
        let both_now = cases::get(&mut tx, case)
            .await
            .unwrap()
            .unwrap()
            .case_managers;
        assert_eq!(both_now, vec![s.manager, second]);
        // An end before the assignment began is held at its first day.
        cases::end_manager(&mut tx, case, s.manager, day(3), second)
            .await
            .unwrap();
        let named: Vec<_> = cases::assignments_named(&mut tx, case)
            .await
            .unwrap()
            .into_iter()
            .map(|(a, u, n)| (a.user_id, a.assigned_on, a.unassigned_on, u, n))
            .collect();
        assert_eq!(
            named,
            vec![
                (
                    s.manager,
                    day(5),
                    Some(day(5)),
                    "cm".to_owned(),
                    "Case Manager".to_owned()
                ),
                (second, day(10), None, "cm2".to_owned(), "Second".to_owned()),
            ]
        );
        assert_eq!(
            cases::get(&mut tx, case)
                .await
                .unwrap()
                .unwrap()
                .case_managers,
            vec![second]
        );
        vaka_store::testing::exec(
            &mut tx,
            &format!(
                "UPDATE cases SET status = 'closed', closed_on = '2026-01-20' WHERE id = {}",
                case.0
            ),
        )
        .await
        .unwrap();
        assert!(
            !cases::add_manager(&mut tx, case, s.manager, day(21))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
);

both!(
    bulk_rows_with_explicit_ids_leave_the_id_sequence_ahead,
    |db| async move {
        let mut tx = db.store.begin().await.unwrap();
        let rows: Vec<Vec<Value>> = (1..=5000i64)
            .map(|i| {
                vec![
                    i.into(),
                    format!("Kommun {i}").into(),
                    format!("{i:04}").into(),
                    vaka_store::now().into(),
                ]
            })
            .collect();
        bulk::insert(
            &mut tx,
            "municipalities",
            &["id", "name", "code", "created_at"],
            &rows,
        )
        .await
        .unwrap();
        bulk::reset_sequences(&mut tx, &["municipalities"])
            .await
            .unwrap();
        let next = municipalities::create(&mut tx, "Ny", "X1").await.unwrap();
        assert_eq!(next.0, 5001);
        assert_eq!(bulk::max_id(&mut tx, "municipalities").await.unwrap(), 5001);
        tx.commit().await.unwrap();
    }
);

both!(
    the_default_municipality_and_unit_are_created_once,
    |db| async move {
        let mut tx = db.store.begin().await.unwrap();
        assert!(municipalities::is_empty(&mut tx).await.unwrap());
        let a = municipalities::ensure_default(&mut tx).await.unwrap();
        let b = municipalities::ensure_default(&mut tx).await.unwrap();
        assert_eq!(a, b);
    }
);

both!(
    an_emergency_grant_is_live_until_it_expires,
    |db| async move {
        let s = seed(&db.store).await;
        let id = add_client(&db.store, &s, "19121212-1212").await;
        let now = vaka_store::now();
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(
            vaka_store::emergency::active(&mut tx, s.manager, id, now)
                .await
                .unwrap(),
            None
        );
        vaka_store::emergency::grant(
            &mut tx,
            s.manager,
            id,
            "Akut: klienten ringde",
            now,
            now + chrono::Duration::hours(2),
        )
        .await
        .unwrap();
        let live = vaka_store::emergency::active(&mut tx, s.manager, id, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(live.reason, "Akut: klienten ringde");
        let later = now + chrono::Duration::hours(3);
        assert_eq!(
            vaka_store::emergency::active(&mut tx, s.manager, id, later)
                .await
                .unwrap(),
            None
        );
    }
);

both!(
    a_municipality_s_placements_and_prices_are_read_at_once_as_one_by_one,
    |db| async move {
        use vaka_domain::intervention::Intervention;
        use vaka_domain::money::Money;
        use vaka_store::placements::{self, NewPlacement, PriceChange};
        let s = seed(&db.store).await;
        let mut ours = Vec::new();
        for i in 1..=5 {
            ours.push(add_client(&db.store, &s, &personal_number(i)).await);
        }
        let mut tx = db.store.begin().await.unwrap();
        let other_m = municipalities::create(&mut tx, "Grannkommun", "0002")
            .await
            .unwrap();
        let other_unit = municipalities::create_unit(&mut tx, other_m, "X")
            .await
            .unwrap();
        let theirs = clients::insert(
            &mut tx,
            other_m,
            other_unit,
            &new_client(&personal_number(50)),
            None,
        )
        .await
        .unwrap();
        let day = |n: u64| {
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Duration::days(i64::try_from(n).unwrap())
        };
        let mut rng = Rng(0x9e37_79b9);
        // (id, client, start, end) of every placement written.
        let mut written = Vec::new();
        for n in 0..60 {
            let client = if n % 6 == 5 {
                theirs
            } else {
                ours[rng.below(5) as usize]
            };
            let start = day(rng.below(700));
            // Several on the same day, so that the order by id within a day is checked.
            let start = if n % 7 == 0 { day(100) } else { start };
            let end = (rng.below(4) > 0).then(|| start + Duration::days(rng.below(300) as i64));
            let id = placements::insert(
                &mut tx,
                &NewPlacement {
                    client,
                    decision: None,
                    intervention: Intervention::TreatmentHome,
                    provider: None,
                    housing_unit: None,
                    start,
                    end,
                    daily_price: Money(140_000),
                    price_reason: None,
                    end_reason: None,
                },
                s.manager,
            )
            .await
            .unwrap();
            for k in 0..rng.below(3) {
                placements::add_price(
                    &mut tx,
                    id,
                    &PriceChange {
                        // Added out of order: the read gives them by day.
                        from: start + Duration::days(50 - 20 * k as i64),
                        daily_price: Money(150_000 + 1000 * k as i64),
                        reason: format!("ändring {k}"),
                    },
                    s.manager,
                )
                .await
                .unwrap();
            }
            written.push((id, client, start, end));
        }
        tx.commit().await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        for (from, to) in [(0, 1000), (100, 100), (200, 400), (650, 900), (900, 1200)] {
            let (from, to) = (day(from), day(to));
            let list = placements::in_municipality(&mut tx, s.municipality, from, to)
                .await
                .unwrap();
            let mut expected: Vec<_> = written
                .iter()
                .filter(|(_, c, start, end)| {
                    *c != theirs && *start <= to && end.is_none_or(|e| e >= from)
                })
                .map(|(id, _, start, _)| (*start, id.0))
                .collect();
            expected.sort_unstable();
            assert_eq!(
                list.iter().map(|p| (p.start, p.id.0)).collect::<Vec<_>>(),
                expected,
                "{from}..{to}"
            );
            let ids: Vec<_> = list.iter().map(|p| p.id).collect();
            let at_once =
                placements::price_changes_in_municipality(&mut tx, s.municipality, from, to)
                    .await
                    .unwrap();
            assert_eq!(
                at_once,
                placements::price_changes(&mut tx, &ids).await.unwrap(),
                "{from}..{to}"
            );
            for changes in at_once.values() {
                assert!(changes.is_sorted_by_key(|c| c.from));
            }
        }
        assert!(
            !placements::price_changes_in_municipality(&mut tx, s.municipality, day(0), day(1000))
                .await
                .unwrap()
                .is_empty()
        );
    }
);

both!(
    a_client_s_cases_come_with_their_current_managers_and_names,
    |db| async move {
        let s = seed(&db.store).await;
        let id = add_client(&db.store, &s, "19121212-1212").await;
        let mut tx = db.store.begin().await.unwrap();
        let second =
            add_case_manager(&mut tx, s.municipality, s.unit, "cm2", "Second Manager").await;
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let older = cases::open(
            &mut tx,
            id,
            s.unit,
            day(1),
            CaseOrigin::Application,
            &[s.manager, second],
        )
        .await
        .unwrap();
        let newer = cases::open(&mut tx, id, s.unit, day(5), CaseOrigin::Report, &[second])
            .await
            .unwrap();
        let unmanned = cases::open(&mut tx, id, s.unit, day(3), CaseOrigin::Application, &[])
            .await
            .unwrap();
        // An ended assignment is not a current manager.
        vaka_store::testing::exec(
            &mut tx,
            &format!(
                "UPDATE case_assignments SET unassigned_on = '2026-01-04' WHERE case_id = {} AND user_id = {}",
                older.0, s.manager.0
            ),
        )
        .await
        .unwrap();
        let other = clients::insert(
            &mut tx,
            s.municipality,
            s.unit,
            &new_client("19800101-0019"),
            None,
        )
        .await
        .unwrap();
        cases::open(
            &mut tx,
            other,
            s.unit,
            day(2),
            CaseOrigin::Application,
            &[s.manager],
        )
        .await
        .unwrap();
        let (list, names) = cases::for_client_named(&mut tx, id).await.unwrap();
        let seen: Vec<_> = list
            .iter()
            .map(|k| (k.id, k.client_id, k.case_managers.clone()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (newer, id, vec![second]),
                (unmanned, id, vec![]),
                (older, id, vec![second]),
            ]
        );
        assert_eq!(names, vec![(second, "Second Manager".to_owned())]);
        assert_eq!(cases::for_client(&mut tx, id).await.unwrap(), list);
        assert_eq!(
            cases::get(&mut tx, older)
                .await
                .unwrap()
                .map(|k| k.case_managers),
            Some(vec![second])
        );
    }
);

both!(
    closing_ends_the_assignments_and_a_case_handed_back_keeps_every_period,
    |db| async move {
        use vaka_domain::case::{Assignment, CaseStatus, Closure, ClosureReason};
        let s = seed(&db.store).await;
        let id = add_client(&db.store, &s, "19121212-1212").await;
        let mut tx = db.store.begin().await.unwrap();
        let second =
            add_case_manager(&mut tx, s.municipality, s.unit, "cm2", "Second Manager").await;
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let case = cases::open(
            &mut tx,
            id,
            s.unit,
            day(1, 5),
            CaseOrigin::Application,
            &[s.manager],
        )
        .await
        .unwrap();
        assert!(
            cases::reassign(&mut tx, case, second, day(3, 1))
                .await
                .unwrap()
        );
        assert!(
            cases::reassign(&mut tx, case, s.manager, day(5, 1))
                .await
                .unwrap()
        );
        // Handed over and back on one day: the period begun that day goes on.
        assert!(
            cases::reassign(&mut tx, case, second, day(5, 1))
                .await
                .unwrap()
        );
        assert!(
            cases::reassign(&mut tx, case, s.manager, day(5, 1))
                .await
                .unwrap()
        );
        let period = |user, from, to: Option<NaiveDate>| Assignment {
            user_id: user,
            assigned_on: from,
            unassigned_on: to,
        };
        assert_eq!(
            cases::assignments(&mut tx, case).await.unwrap(),
            vec![
                period(s.manager, day(1, 5), Some(day(3, 1))),
                period(second, day(3, 1), Some(day(5, 1))),
                period(s.manager, day(5, 1), None),
                period(second, day(5, 1), Some(day(5, 1))),
            ]
        );
        assert_eq!(
            cases::get(&mut tx, case)
                .await
                .unwrap()
                .unwrap()
                .case_managers,
            vec![s.manager]
        );
        let closure = Closure {
            closed_on: day(6, 30),
            reason: ClosureReason::Moved,
            note: Some("Till Malmö".into()),
        };
        assert!(cases::close(&mut tx, case, &closure).await.unwrap());
        let k = cases::get(&mut tx, case).await.unwrap().unwrap();
        assert_eq!(
            (
                k.status,
                k.closed_on,
                k.closure_reason,
                k.closure_note.as_deref()
            ),
            (
                CaseStatus::Closed,
                Some(day(6, 30)),
                Some(ClosureReason::Moved),
                Some("Till Malmö")
            )
        );
        assert!(k.case_managers.is_empty());
        assert_eq!(
            cases::assignments(&mut tx, case).await.unwrap()[2],
            period(s.manager, day(5, 1), Some(day(6, 30)))
        );
        // A closed case is neither closed again nor handed over; nothing changes.
        let later = Closure {
            closed_on: day(7, 1),
            reason: ClosureReason::Died,
            note: None,
        };
        assert!(!cases::close(&mut tx, case, &later).await.unwrap());
        assert!(
            !cases::reassign(&mut tx, case, second, day(7, 1))
                .await
                .unwrap()
        );
        assert_eq!(cases::get(&mut tx, case).await.unwrap().unwrap(), k);
        assert!(
            !cases::close(&mut tx, vaka_domain::ids::CaseId(999_999), &later)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
);

both!(
    a_statement_past_the_limit_is_cancelled_on_postgresql,
    |db| async move {
        // SQLite has no statement limit (docs/operations.md).
        if db.store.backend() != vaka_store::BackendKind::Postgres {
            return;
        }
        let opts = vaka_store::ConnectOptions {
            max_connections: 1,
            statement_timeout: Some(std::time::Duration::from_millis(200)),
            ..Default::default()
        };
        // Opening with a limit migrates first without one (the schema is up to date here).
        let limited = vaka_store::Store::open_with(db.url(), opts).await.unwrap();
        let mut tx = limited.begin().await.unwrap();
        let e = vaka_store::testing::exec(&mut tx, "SELECT pg_sleep(2)")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("statement timeout"), "{e}");
        drop(tx);
        // Without a limit a longer statement runs to its end.
        let mut tx = db.store.begin().await.unwrap();
        vaka_store::testing::exec(&mut tx, "SELECT pg_sleep(0.3)")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        limited.close().await;
    }
);

both!(
    an_objection_stands_beside_its_entry_and_goes_with_the_file,
    |db| async move {
        use vaka_domain::contact::{ContactKind, Housing, NewContact, NewObjection, SubstanceUse};
        use vaka_store::{contacts, retention};
        let s = seed(&db.store).await;
        let client = add_client(&db.store, &s, "19121212-1212").await;
        let entry = |days: i64| NewContact {
            occurred_at: chrono::Utc::now() - Duration::days(days),
            kind: ContactKind::Meeting,
            substance_use: SubstanceUse::Lapse,
            substances: Vec::new(),
            risks: Vec::new(),
            well_being: Some(4),
            sleep: None,
            housing: Housing::Own,
            note: Some("Berättar om ett snedsteg.".into()),
            signed: true,
            corrects: None,
            plan_goal: None,
        };
        let mut tx = db.store.begin().await.unwrap();
        let first = contacts::insert(&mut tx, client, None, s.manager, &entry(3))
            .await
            .unwrap();
        let second = contacts::insert(&mut tx, client, None, s.manager, &entry(1))
            .await
            .unwrap();
        let target = contacts::get(&mut tx, first).await.unwrap().unwrap();
        let said = NewObjection {
            statement: "Jag drack inte den dagen.".into(),
            received_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        };
        let id = contacts::insert_objection(&mut tx, &target, s.manager, &said)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.begin().await.unwrap();
        let all = contacts::objections(&mut tx, client, None).await.unwrap();
        assert_eq!(all.len(), 1);
        let o = &all[0];
        assert_eq!(
            (
                o.objection.id,
                o.objection.contact_id,
                o.objection.client_id
            ),
            (id, first, client)
        );
        assert_eq!(
            (o.objection.statement.as_str(), o.objection.received_on),
            (said.statement.as_str(), said.received_on)
        );
        assert_eq!(
            (
                o.username.as_str(),
                o.display_name.as_str(),
                o.objection.recorded_by
            ),
            ("cm", "Case Manager", s.manager)
        );
        assert!(
            contacts::objections(&mut tx, client, Some(second))
                .await
                .unwrap()
                .is_empty()
        );
        // The entry itself is exactly as signed.
        assert_eq!(
            contacts::get(&mut tx, first).await.unwrap().unwrap(),
            target
        );
        let rows = retention::person_rows(&mut tx, client).await.unwrap();
        let held = rows
            .iter()
            .find(|(t, _)| *t == "contact_objections")
            .map(|(_, r)| r.len());
        assert_eq!(held, Some(1));
        retention::remove(&mut tx, client).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.begin().await.unwrap();
        assert!(
            contacts::objections(&mut tx, client, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(contacts::get(&mut tx, first).await.unwrap().is_none());
    }
);

both!(
    risks_are_kept_with_the_entry_and_only_the_corrected_form_counts,
    |db| async move {
        use vaka_domain::contact::{ContactKind, Housing, NewContact, Risk, SubstanceUse};
        use vaka_store::{alerts, contacts, measures};
        let s = seed(&db.store).await;
        let client = add_client(&db.store, &s, "19121212-1212").await;
        let entry = |risks: Vec<Risk>, signed: bool| NewContact {
            occurred_at: chrono::Utc::now() - Duration::hours(2),
            kind: ContactKind::Meeting,
            substance_use: SubstanceUse::None,
            substances: Vec::new(),
            risks,
            well_being: Some(5),
            sleep: None,
            housing: Housing::Own,
            note: None,
            signed,
            corrects: None,
            plan_goal: None,
        };
        let mut tx = db.store.begin().await.unwrap();
        let draft = contacts::insert(
            &mut tx,
            client,
            None,
            s.manager,
            &entry(vec![Risk::Overdose], false),
        )
        .await
        .unwrap();
        assert_eq!(
            contacts::get(&mut tx, draft).await.unwrap().unwrap().risks,
            [Risk::Overdose]
        );
        contacts::update_draft(
            &mut tx,
            draft,
            &entry(vec![Risk::Violence, Risk::EvictionRisk], true),
        )
        .await
        .unwrap();
        assert_eq!(
            contacts::get(&mut tx, draft).await.unwrap().unwrap().risks,
            [Risk::Violence, Risk::EvictionRisk]
        );
        // An overdose entry, then its correction without it.
        let wrong = contacts::insert(
            &mut tx,
            client,
            None,
            s.manager,
            &entry(vec![Risk::Overdose], true),
        )
        .await
        .unwrap();
        let fix = NewContact {
            corrects: Some(wrong),
            ..entry(Vec::new(), true)
        };
        contacts::insert(&mut tx, client, None, s.manager, &fix)
            .await
            .unwrap();
        let facts = alerts::journal_facts(&mut tx, client, chrono::Utc::now() - Duration::days(1))
            .await
            .unwrap();
        assert_eq!(facts.len(), 3);
        assert_eq!(
            facts.iter().filter(|f| f.corrects == Some(wrong.0)).count(),
            1
        );
        let today = vaka_domain::time::local_date(chrono::Utc::now());
        let mut got: Vec<Risk> =
            measures::risk_reports(&mut tx, s.municipality, today - Duration::days(1), today)
                .await
                .unwrap()
                .into_iter()
                .map(|r| {
                    assert_eq!(r.client, client.0);
                    r.risk
                })
                .collect();
        got.sort_by_key(|r| r.as_str());
        assert_eq!(got, [Risk::EvictionRisk, Risk::Violence]);
        tx.commit().await.unwrap();
    }
);
