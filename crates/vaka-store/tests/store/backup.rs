use vaka_store::{backup, both};

both!(
    a_snapshot_covers_every_table_but_the_ephemeral_ones,
    |db| async move {
        let mut listed: Vec<String> = backup::tables()
            .chain(backup::NOT_BACKED_UP.iter().copied())
            .map(str::to_owned)
            .collect();
        listed.sort();
        let mut actual = backup::database_tables(&db.store).await.unwrap();
        actual.sort();
        // A new table must be added to the snapshot (or named as left out) before it can ship.
        assert_eq!(listed, actual);
    }
);

both!(
    a_snapshot_loads_only_into_an_empty_database,
    |db| async move {
        crate::seed(&db.store).await;
        let mut rows = Vec::new();
        let counts = backup::dump(&db.store, |t, r| {
            rows.push((t.to_owned(), r.to_owned()));
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(counts.total(), rows.len() as u64);
        assert!(counts.0["municipalities"] == 1 && counts.0["units"] == 2);
        // The same database is not empty: refused before anything is written.
        assert!(matches!(
            backup::Loader::start(&db.store).await,
            Err(vaka_store::StoreError::Conflict(_))
        ));
        let kind = vaka_store::BackendKind::of_url(db.url()).unwrap();
        let target = vaka_store::testing::TestDb::new(kind).await;
        let mut loader = backup::Loader::start(&target.store).await.unwrap();
        for (t, r) in &rows {
            loader
                .row(t, serde_json::from_str(r).unwrap())
                .await
                .unwrap();
        }
        // A count that does not match rolls the whole load back.
        let mut wrong = counts.clone();
        *wrong.0.get_mut("units").unwrap() += 1;
        let err = loader.finish(&wrong).await.unwrap_err().to_string();
        assert!(
            err.contains("units: 2 rows loaded, the backup lists 3"),
            "{err}"
        );
        let again = backup::dump(&target.store, |_, _| Ok(())).await.unwrap();
        assert_eq!(again.0["municipalities"], 0);
        let mut loader = backup::Loader::start(&target.store).await.unwrap();
        for (t, r) in &rows {
            loader
                .row(t, serde_json::from_str(r).unwrap())
                .await
                .unwrap();
        }
        assert_eq!(loader.finish(&counts).await.unwrap(), counts);
        let mut copy = Vec::new();
        backup::dump(&target.store, |t, r| {
            copy.push((t.to_owned(), r.to_owned()));
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(copy, rows);
    }
);
