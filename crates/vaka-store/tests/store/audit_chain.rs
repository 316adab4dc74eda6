use vaka_store::audit::{self, GENESIS};
use vaka_store::{AuditAction, NewAuditEntry, both};

fn entry(n: usize) -> NewAuditEntry {
    NewAuditEntry {
        user_id: None,
        username: format!("user{n}"),
        role: "case_manager".into(),
        client_id: Some(vaka_domain::ids::ClientId(n as i64)),
        case_id: None,
        action: AuditAction::ClientRead,
        detail: format!("GET /api/v1/clients/{n}"),
        emergency_reason: None,
        address: Some("127.0.0.1".into()),
        clients: Vec::new(),
    }
}

async fn write_entries(store: &vaka_store::Store, n: usize) {
    // Two transactions, so that the chain continues across commits.
    for half in [0..n / 2, n / 2..n] {
        let mut tx = store.begin().await.unwrap();
        for i in half {
            tx.audit(entry(i + 1));
        }
        tx.commit().await.unwrap();
    }
}

async fn verify(store: &vaka_store::Store) -> audit::Verification {
    let mut tx = store.begin().await.unwrap();
    audit::verify(&mut tx).await.unwrap()
}

async fn exec(store: &vaka_store::Store, sql: &str) {
    let mut tx = store.begin().await.unwrap();
    vaka_store::testing::drop_append_only_guard(&mut tx)
        .await
        .unwrap();
    vaka_store::testing::exec(&mut tx, sql).await.unwrap();
    tx.commit().await.unwrap();
}

both!(an_untouched_chain_verifies, |db| async move {
    write_entries(&db.store, 10).await;
    let v = verify(&db.store).await;
    assert_eq!(
        v,
        audit::Verification {
            entries: 10,
            first_problem: None
        }
    );
    let mut tx = db.store.begin().await.unwrap();
    let all = audit::list_after(&mut tx, 0, 100).await.unwrap();
    assert_eq!(all[0].prev_hash, GENESIS);
    assert!(all.windows(2).all(|w| w[1].prev_hash == w[0].hash));
});

both!(an_empty_log_verifies, |db| async move {
    assert_eq!(
        verify(&db.store).await,
        audit::Verification {
            entries: 0,
            first_problem: None
        }
    );
});

both!(a_changed_entry_is_found, |db| async move {
    write_entries(&db.store, 10).await;
    exec(
        &db.store,
        "UPDATE audit_log SET username = 'someone_else' WHERE id = 4",
    )
    .await;
    assert_eq!(verify(&db.store).await.first_problem.map(|p| p.0), Some(4));
});

both!(a_removed_entry_is_found, |db| async move {
    write_entries(&db.store, 10).await;
    exec(&db.store, "DELETE FROM audit_log WHERE id = 6").await;
    assert_eq!(verify(&db.store).await.first_problem.map(|p| p.0), Some(7));
});

both!(removed_entries_at_the_end_are_found, |db| async move {
    write_entries(&db.store, 10).await;
    exec(&db.store, "DELETE FROM audit_log WHERE id >= 9").await;
    assert_eq!(verify(&db.store).await.first_problem.map(|p| p.0), Some(9));
});

both!(an_inserted_entry_is_found, |db| async move {
    write_entries(&db.store, 10).await;
    // A forged entry squeezed in with a made-up id between 3 and 4 is seen at the forged entry.
    exec(&db.store, "UPDATE audit_log SET id = id + 100 WHERE id > 3").await;
    exec(
        &db.store,
        "INSERT INTO audit_log (id, logged_at, username, role, action, detail, prev_hash, hash) \
         SELECT 4, logged_at, 'forger', 'admin', 'client_read', 'x', hash, hash FROM audit_log WHERE id = 3",
    )
    .await;
    assert_eq!(verify(&db.store).await.first_problem.map(|p| p.0), Some(4));
});

both!(a_rewritten_action_is_found, |db| async move {
    write_entries(&db.store, 4).await;
    exec(
        &db.store,
        "UPDATE audit_log SET action = 'not_a_real_action' WHERE id = 2",
    )
    .await;
    assert_eq!(verify(&db.store).await.first_problem.map(|p| p.0), Some(2));
});

both!(
    the_database_refuses_to_change_or_remove_log_entries,
    |db| async move {
        write_entries(&db.store, 4).await;
        for sql in [
            "UPDATE audit_log SET username = 'x' WHERE id = 2",
            "DELETE FROM audit_log WHERE id = 2",
        ] {
            let mut tx = db.store.begin().await.unwrap();
            let err = vaka_store::testing::exec(&mut tx, sql).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        assert_eq!(verify(&db.store).await.first_problem, None);
    }
);

both!(
    reads_from_many_requests_at_once_all_land_in_the_chain_in_order,
    |db| async move {
        // 60 requests end their reads at once, interleaved with ordinary writes.
        let mut tasks = Vec::new();
        for i in 0..60 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                if i % 10 == 0 {
                    let mut tx = store.begin().await.unwrap();
                    tx.audit(entry(1000 + i));
                    tx.commit().await.unwrap();
                } else {
                    let mut tx = store.begin_read().await.unwrap();
                    tx.audit(entry(i));
                    tx.audit(entry(i + 500));
                    // A read transaction's commit is its finish_read.
                    if i % 2 == 0 {
                        tx.finish_read(&store).await.unwrap();
                    } else {
                        tx.commit().await.unwrap();
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            verify(&db.store).await,
            audit::Verification {
                entries: 6 + 54 * 2,
                first_problem: None
            }
        );
        // A request's own entries stay together and in order.
        let mut tx = db.store.begin().await.unwrap();
        let all = audit::list_after(&mut tx, 0, 1000).await.unwrap();
        for w in all.windows(2) {
            if let Some(n) = w[0].entry.username.strip_prefix("user")
                && let Ok(n) = n.parse::<usize>()
                && n < 500
                && n % 10 != 0
            {
                assert_eq!(w[1].entry.username, format!("user{}", n + 500));
            }
        }
    }
);

// 103 = 12 × 8 + 4 + 2 + 1: one transaction's entries go in several multi-row statements, and
// must come out whole, in the order written, with consecutive ids and an unbroken chain.
both!(a_large_batch_keeps_order_ids_and_chain, |db| async move {
    write_entries(&db.store, 4).await;
    let mut tx = db.store.begin().await.unwrap();
    for i in 0..103 {
        tx.audit(entry(1000 + i));
    }
    tx.commit().await.unwrap();
    let v = verify(&db.store).await;
    assert_eq!(
        v,
        audit::Verification {
            entries: 107,
            first_problem: None
        }
    );
    let mut tx = db.store.begin().await.unwrap();
    let all = audit::list_after(&mut tx, 0, 200).await.unwrap();
    assert_eq!(all.len(), 107);
    assert!(all.windows(2).all(|w| w[1].id == w[0].id + 1));
    let names: Vec<&str> = all[4..].iter().map(|e| e.entry.username.as_str()).collect();
    let expected: Vec<String> = (1000..1103).map(|n| format!("user{n}")).collect();
    assert_eq!(
        names,
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(
        all[10].entry.detail, "GET /api/v1/clients/1006",
        "each row has its own values"
    );
});

/// A list view: one entry naming its clients (given unsorted, with a repeat).
fn list_entry(clients: &[i64]) -> NewAuditEntry {
    NewAuditEntry {
        client_id: None,
        action: AuditAction::CaseloadRead,
        detail: "GET /caseload".into(),
        clients: clients
            .iter()
            .map(|&c| vaka_domain::ids::ClientId(c))
            .collect(),
        ..entry(0)
    }
}

both!(
    a_list_entry_names_its_clients_and_is_found_for_each,
    |db| async move {
        let mut tx = db.store.begin().await.unwrap();
        tx.audit(entry(5));
        tx.audit(list_entry(&[9, 5, 7, 9]));
        tx.audit(list_entry(&[]));
        tx.commit().await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        let all = audit::list_after(&mut tx, 0, 10).await.unwrap();
        let ids = |v: &[vaka_domain::ids::ClientId]| v.iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(all.len(), 3);
        assert_eq!(ids(&all[1].entry.clients), [5, 7, 9], "sorted, no repeats");
        assert_eq!(all[1].entry.client_id, None);
        assert!(all[2].entry.clients.is_empty());
        // Client 5: its own entry and the list, newest first; client 7 only the list; 8 nothing.
        let five = audit::for_client(&mut tx, vaka_domain::ids::ClientId(5), 10)
            .await
            .unwrap();
        assert_eq!(
            five.iter().map(|e| e.id).collect::<Vec<_>>(),
            [all[1].id, all[0].id]
        );
        let seven = audit::for_client(&mut tx, vaka_domain::ids::ClientId(7), 10)
            .await
            .unwrap();
        assert_eq!(seven.iter().map(|e| e.id).collect::<Vec<_>>(), [all[1].id]);
        assert!(
            audit::for_client(&mut tx, vaka_domain::ids::ClientId(8), 10)
                .await
                .unwrap()
                .is_empty()
        );
        drop(tx);
        assert_eq!(verify(&db.store).await.first_problem, None);
    }
);

both!(
    a_removed_or_added_list_index_row_is_found,
    |db| async move {
        let mut tx = db.store.begin().await.unwrap();
        tx.audit(entry(1));
        tx.audit(list_entry(&[3, 4]));
        tx.audit(entry(2));
        tx.commit().await.unwrap();
        // The database refuses to change the index.
        let mut tx = db.store.begin().await.unwrap();
        assert!(
            vaka_store::testing::exec(&mut tx, "DELETE FROM audit_log_clients WHERE client_id = 4")
                .await
                .is_err()
        );
        drop(tx);
        // Past the guard, a hidden access is still found: the index no longer matches the entry.
        exec(
            &db.store,
            "DELETE FROM audit_log_clients WHERE client_id = 4",
        )
        .await;
        let v = verify(&db.store).await;
        assert_eq!(v.first_problem.map(|(id, _)| id), Some(2));
        // An index row pointing a client at an entry that did not show it is found too.
        exec(
            &db.store,
            "INSERT INTO audit_log_clients (client_id, audit_id) VALUES (4, 2), (6, 3)",
        )
        .await;
        let v = verify(&db.store).await;
        assert_eq!(v.first_problem.map(|(id, _)| id), Some(3));
        // Changing the list in the entry itself breaks its hash.
        exec(
            &db.store,
            "DELETE FROM audit_log_clients WHERE audit_id = 3",
        )
        .await;
        assert_eq!(verify(&db.store).await.first_problem, None);
        exec(
            &db.store,
            "UPDATE audit_log SET client_ids = '[3]' WHERE id = 2",
        )
        .await;
        let v = verify(&db.store).await;
        assert_eq!(v.first_problem.map(|(id, _)| id), Some(2));
    }
);

/// A pooled connection that read the schema before a migration added a column (here the access
/// log's `client_ids`, migrated by another pool or process) still reads every row whole. With
/// `SELECT *` SQLite expanded the old columns, re-prepared with the new one when the statement ran,
/// and sqlx-sqlite read past its column list: a panic in its worker and an empty answer (seen in CI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_read_the_schema_before_a_migration_reads_new_columns() {
    let path = std::env::temp_dir().join(format!(
        "vaka_test_{}_before_migration.db",
        std::process::id()
    ));
    let remove = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    };
    remove();
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let two = vaka_store::ConnectOptions {
        max_connections: 2,
        ..Default::default()
    };
    let serving = vaka_store::Store::connect(&url, two.clone()).await.unwrap();
    serving.migrate_to(10).await.unwrap();
    // Both connections of the serving pool read the schema as it is at version 10.
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut tx = serving.begin_read().await.unwrap();
        vaka_store::clients::get(&mut tx, vaka_domain::ids::ClientId(1))
            .await
            .unwrap();
        open.push(tx);
    }
    drop(open);
    // Another pool (`vaka migrate`, say) adds the column and writes an entry that uses it.
    let migrator = vaka_store::Store::connect(&url, two).await.unwrap();
    assert!(migrator.migrate().await.unwrap() >= 1);
    let mut tx = migrator.begin().await.unwrap();
    tx.audit(list_entry(&[2, 1]));
    tx.commit().await.unwrap();
    migrator.close().await;
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut tx = serving.begin_read().await.unwrap();
        let all = audit::list_after(&mut tx, 0, 10).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].entry.clients,
            [vaka_domain::ids::ClientId(1), vaka_domain::ids::ClientId(2)]
        );
        open.push(tx);
    }
    drop(open);
    serving.close().await;
    remove();
}

// `read_statements` runs each statement on its own (no snapshot, no BEGIN), logs like a read
// transaction, and gives its connection back however it ends.
both!(
    read_statements_see_each_commit_and_log_like_a_read,
    |db| async move {
        let count = "SELECT COUNT(*) FROM audit_log";
        let mut reader = db.store.read_statements().await.unwrap();
        assert_eq!(
            vaka_store::testing::count(&mut reader, count)
                .await
                .unwrap(),
            0
        );
        write_entries(&db.store, 2).await;
        // A snapshot would still show 0 here.
        assert_eq!(
            vaka_store::testing::count(&mut reader, count)
                .await
                .unwrap(),
            2
        );
        reader.audit(entry(7));
        reader.finish_read(&db.store).await.unwrap();
        // More readers than the pool has connections: each one's connection went back, whether
        // it finished, committed or was dropped (which logs nothing).
        for i in 0..40 {
            let mut reader = db.store.read_statements().await.unwrap();
            assert!(
                vaka_store::testing::count(&mut reader, count)
                    .await
                    .unwrap()
                    >= 3
            );
            match i % 3 {
                0 => {
                    reader.audit(entry(100 + i));
                    reader.commit().await.unwrap();
                }
                1 => reader.audit(entry(200 + i)),
                _ => reader.rollback().await.unwrap(),
            }
        }
        assert_eq!(
            verify(&db.store).await,
            audit::Verification {
                entries: 3 + 14,
                first_problem: None
            }
        );
    }
);

both!(
    the_search_marks_entries_and_list_views_about_a_protected_client,
    |db| async move {
        // Twelve clients, every third protected; entries about one client, list views naming
        // several, entries about no client; the search's mark is checked against a recomputation
        // for every window size, alone and with a user or client filter.
        let s = crate::seed(&db.store).await;
        let mut clients = Vec::new();
        for i in 1..=12 {
            clients.push(
                crate::add_client(&db.store, &s, &crate::personal_number(i))
                    .await
                    .0,
            );
        }
        let protected: Vec<i64> = clients.iter().copied().step_by(3).collect();
        let mut tx = db.store.begin().await.unwrap();
        let list = protected
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        vaka_store::testing::exec(
            &mut tx,
            &format!(
                "UPDATE clients SET protection = 'protected_registration' WHERE id IN ({list})"
            ),
        )
        .await
        .unwrap();
        // A second municipality: its user's entries, and the system's about its client, are
        // its log alone; an entry with no user and no client is everyone's.
        let other_m = vaka_store::municipalities::create(&mut tx, "Grannkommun", "0002")
            .await
            .unwrap();
        let other_unit = vaka_store::municipalities::create_unit(&mut tx, other_m, "Enhet X")
            .await
            .unwrap();
        let other_user =
            crate::add_case_manager(&mut tx, other_m, other_unit, "granne", "Granne").await;
        let other_client = vaka_store::clients::insert(
            &mut tx,
            other_m,
            other_unit,
            &crate::new_client(&crate::personal_number(99)),
            None,
        )
        .await
        .unwrap();
        vaka_store::testing::exec(
            &mut tx,
            &format!(
                "UPDATE clients SET protection = 'protected_registration' WHERE id = {}",
                other_client.0
            ),
        )
        .await
        .unwrap();
        let mut rng = crate::Rng(0x5eed_0042);
        let mut written = Vec::new();
        for n in 0..60 {
            let e = match rng.below(3) {
                0 => NewAuditEntry {
                    client_id: Some(vaka_domain::ids::ClientId(clients[rng.below(12) as usize])),
                    username: format!("user{}", n % 3),
                    ..entry(0)
                },
                1 => {
                    let named: Vec<i64> = (0..rng.below(5))
                        .map(|_| clients[rng.below(12) as usize])
                        .collect();
                    NewAuditEntry {
                        username: format!("user{}", n % 3),
                        ..list_entry(&named)
                    }
                }
                _ => NewAuditEntry {
                    client_id: None,
                    username: format!("user{}", n % 3),
                    ..entry(0)
                },
            };
            written.push(e.clone());
            tx.audit(e);
            if n % 7 == 0 {
                let theirs = match n % 3 {
                    0 => NewAuditEntry {
                        user_id: Some(other_user),
                        username: "granne".into(),
                        client_id: Some(other_client),
                        ..entry(0)
                    },
                    1 => NewAuditEntry {
                        user_id: Some(other_user),
                        username: "user1".into(),
                        ..list_entry(&[other_client.0, clients[1]])
                    },
                    _ => NewAuditEntry {
                        username: "system".into(),
                        client_id: Some(other_client),
                        ..entry(0)
                    },
                };
                written.push(theirs.clone());
                tx.audit(theirs);
            }
        }
        tx.commit().await.unwrap();
        let ours =
            |e: &NewAuditEntry| e.user_id != Some(other_user) && e.client_id != Some(other_client);
        let about_protected = |e: &NewAuditEntry| {
            e.client_id
                .iter()
                .chain(&e.clients)
                .any(|c| protected.contains(&c.0))
        };
        let mut tx = db.store.begin().await.unwrap();
        let all = audit::list_after(&mut tx, 0, 100).await.unwrap();
        assert_eq!(all.len(), written.len());
        assert!(written.iter().any(about_protected));
        assert!(written.iter().any(|e| !about_protected(e)));
        assert!(written.iter().any(|e| !ours(e)));
        let protected_set = audit::protected_clients(&mut tx, s.municipality)
            .await
            .unwrap();
        assert_eq!(
            protected_set,
            protected
                .iter()
                .map(|&c| vaka_domain::ids::ClientId(c))
                .collect()
        );
        // The neighbour's protected client is not in this municipality's set; its entries are
        // not in this municipality's log either.
        let their_protected = audit::protected_clients(&mut tx, other_m).await.unwrap();
        let theirs = audit::search(
            &mut tx,
            other_m,
            &audit::Search::default(),
            100,
            &their_protected,
        )
        .await
        .unwrap();
        let expected_theirs: Vec<i64> = all
            .iter()
            .rev()
            .filter(|e| {
                e.entry.user_id == Some(other_user)
                    || e.entry.client_id == Some(other_client)
                    || (e.entry.user_id.is_none() && e.entry.client_id.is_none())
            })
            .map(|e| e.id)
            .collect();
        assert_eq!(
            theirs.iter().map(|l| l.entry.id).collect::<Vec<_>>(),
            expected_theirs
        );
        for line in &theirs {
            assert_eq!(
                line.protected_client,
                line.entry.entry.client_id == Some(other_client)
                    || line.entry.entry.clients.contains(&other_client),
                "entry {}",
                line.entry.id
            );
        }
        let searches = [
            audit::Search::default(),
            audit::Search {
                username: Some("user1".into()),
                ..Default::default()
            },
            audit::Search {
                client: Some(vaka_domain::ids::ClientId(protected[1])),
                ..Default::default()
            },
            audit::Search {
                client: Some(vaka_domain::ids::ClientId(clients[1])),
                ..Default::default()
            },
        ];
        for search in &searches {
            for limit in 1..=61 {
                let lines = audit::search(&mut tx, s.municipality, search, limit, &protected_set)
                    .await
                    .unwrap();
                assert!(lines.len() as i64 <= limit);
                for line in &lines {
                    assert_eq!(
                        line.protected_client,
                        about_protected(&line.entry.entry),
                        "entry {} in {search:?} limit {limit}",
                        line.entry.id
                    );
                }
                if limit == 61 {
                    let expected = all
                        .iter()
                        .rev()
                        .filter(|e| {
                            ours(&e.entry)
                                && search
                                    .username
                                    .as_ref()
                                    .is_none_or(|u| &e.entry.username == u)
                                && search.client.is_none_or(|c| {
                                    e.entry.client_id == Some(c) || e.entry.clients.contains(&c)
                                })
                        })
                        .map(|e| e.id)
                        .collect::<Vec<_>>();
                    assert_eq!(
                        lines.iter().map(|l| l.entry.id).collect::<Vec<_>>(),
                        expected,
                        "{search:?}"
                    );
                }
            }
        }
    }
);
