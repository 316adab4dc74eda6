use axum::http::StatusCode;
use serde_json::{Value, json};
use vaka_store::both;

use super::pages::{form, hidden_csrf, login, page};
use super::*;

fn items(r: &Reply) -> &Vec<Value> {
    r.json["items"].as_array().unwrap()
}

both!(only_auditors_read_the_access_log, |db| async move {
    let app = app(db).await;
    for user in ["cm", "head", "admin", "analyst"] {
        assert_eq!(
            app.get("/api/v1/audit", user).await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
        let r = app
            .post("/api/v1/audit/1/review", user, json!({"comment": "ok"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    assert_eq!(
        app.get("/api/v1/audit", "auditor").await.status,
        StatusCode::OK
    );
});

both!(
    the_review_flags_emergency_protected_and_refused_accesses,
    |db| async move {
        let app = app(db).await;
        let ordinary = app.assigned_client("cm", "19121212-1212").await;
        app.get(&format!("/api/v1/clients/{ordinary}"), "cm").await;
        app.get(&format!("/api/v1/clients/{ordinary}"), "cm2").await; // refused
        let r = app
            .post(
                &format!("/api/v1/clients/{ordinary}/emergency-access"),
                "cm2",
                json!({"reason": "Akut kris i helgen"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        app.get(&format!("/api/v1/clients/{ordinary}"), "cm2").await; // under emergency access
        let r = app
        .post("/api/v1/clients", "head", json!({"personal_number": "19800101-R001", "given_name": "S", "family_name": "P", "protection": "protected_registration"}))
        .await;
        let protected = r.json["id"].as_i64().unwrap();
        app.get(&format!("/api/v1/clients/{protected}"), "head")
            .await;
        // A list view that shows the protected client among others.
        assert_eq!(
            app.get("/api/v1/clients", "head").await.status,
            StatusCode::OK
        );

        let all = app.get("/api/v1/audit", "auditor").await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.text);
        let flags_of = |action: &str, user: &str, client: i64| -> Vec<String> {
            items(&all)
                .iter()
                .find(|e| {
                    e["action"] == action && e["username"] == user && e["client_id"] == client
                })
                .unwrap_or_else(|| panic!("no {action} by {user}"))["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_owned())
                .filter(|f| f != "night")
                .collect()
        };
        assert_eq!(
            flags_of("client_read", "cm", ordinary),
            Vec::<String>::new()
        );
        assert_eq!(
            flags_of("access_denied", "cm2", ordinary),
            ["outside_rights"]
        );
        assert_eq!(
            flags_of("emergency_access", "cm2", ordinary),
            ["emergency_access"]
        );
        assert_eq!(
            flags_of("client_read", "cm2", ordinary),
            ["emergency_access"]
        );
        assert_eq!(
            flags_of("client_read", "head", protected),
            ["protected_identity"]
        );
        let list_flags = items(&all)
            .iter()
            .find(|e| e["action"] == "client_list" && e["username"] == "head")
            .expect("the head's client list is logged")["flags"]
            .clone();
        assert_eq!(
            list_flags
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| *f != "night")
                .collect::<Vec<_>>(),
            ["protected_identity"]
        );
        let read = items(&all)
            .iter()
            .find(|e| e["action"] == "client_read" && e["username"] == "cm2")
            .unwrap();
        assert_eq!(read["emergency_reason"], "Akut kris i helgen");

        // Filters: by user, by client, only flagged.
        let mine = app.get("/api/v1/audit?username=cm2", "auditor").await;
        assert!(items(&mine).iter().all(|e| e["username"] == "cm2") && !items(&mine).is_empty());
        let about = app
            .get(&format!("/api/v1/audit?client_id={protected}"), "auditor")
            .await;
        // Its own entries and the list views that showed it.
        assert!(
            items(&about).iter().all(|e| e["client_id"] == protected
                || e["client_ids"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(protected)))
                && items(&about).iter().any(|e| e["client_id"] == protected)
                && items(&about).iter().any(|e| e["action"] == "client_list")
        );
        let flagged = app.get("/api/v1/audit?flagged=true", "auditor").await;
        assert!(
            items(&flagged)
                .iter()
                .all(|e| !e["flags"].as_array().unwrap().is_empty())
        );
        assert!(items(&flagged).len() >= 4);
        let today = chrono::Utc::now().date_naive();
        let period = app
            .get(
                &format!(
                    "/api/v1/audit?from={}&to={}",
                    today - chrono::Duration::days(1),
                    today + chrono::Duration::days(1)
                ),
                "auditor",
            )
            .await;
        assert!(!items(&period).is_empty());
        let past = app
            .get("/api/v1/audit?from=2020-01-01&to=2020-01-31", "auditor")
            .await;
        assert!(items(&past).is_empty());
        // Reading the log is itself logged.
        let again = app.get("/api/v1/audit?username=auditor", "auditor").await;
        assert!(items(&again).iter().any(|e| e["action"] == "audit_read"));
    }
);

both!(
    bad_review_parameters_get_422_naming_the_field,
    |db| async move {
        let app = app(db).await;
        for (query, field) in [
            ("from=yesterday", "from"),
            ("to=2026-13-01", "to"),
            ("client_id=abc", "client_id"),
            ("limit=0", "limit"),
        ] {
            let r = app.get(&format!("/api/v1/audit?{query}"), "auditor").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert_eq!(error(&r).1, Some(field), "{query}");
        }
    }
);

both!(an_entry_is_reviewed_once_with_a_comment, |db| async move {
    let app = app(db).await;
    let id = app.assigned_client("cm", "19121212-1212").await;
    app.get(&format!("/api/v1/clients/{id}"), "cm2").await;
    let all = app.get("/api/v1/audit?flagged=true", "auditor").await;
    let entry = items(&all)
        .iter()
        .find(|e| e["action"] == "access_denied")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let uri = format!("/api/v1/audit/{entry}/review");
    let empty = app.post(&uri, "auditor", json!({"comment": "  "})).await;
    assert_eq!(error(&empty), ("required", Some("comment")));
    let ok = app
        .post(
            &uri,
            "auditor",
            json!({"comment": "Talat med cm2: fel klient i sökningen."}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    assert_eq!(ok.json["reviewed_by"], "auditor");
    let twice = app.post(&uri, "auditor", json!({"comment": "igen"})).await;
    assert_eq!(
        (twice.status, error(&twice).0),
        (StatusCode::CONFLICT, "already_reviewed")
    );
    assert_eq!(
        app.post(
            "/api/v1/audit/999999/review",
            "auditor",
            json!({"comment": "x"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let after = app.get("/api/v1/audit?flagged=true", "auditor").await;
    let line = items(&after).iter().find(|e| e["id"] == entry).unwrap();
    assert_eq!(
        line["review"]["comment"],
        "Talat med cm2: fel klient i sökningen."
    );
    // The review does not touch the chain.
    assert!(app.audit_verifies().await);
});

both!(the_auditor_reviews_in_the_ui, |db| async move {
    let app = app(db).await;
    let id = app.assigned_client("cm", "19121212-1212").await;
    app.get(&format!("/api/v1/clients/{id}"), "cm2").await;
    let (r, s) = login(&app, "auditor", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = format!("vaka_session={}", s.unwrap());
    assert_eq!(page(&app, "/", &cookie).await.headers["location"], "/audit");
    let review = page(&app, "/audit?flagged=true", &cookie).await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(review.text.contains("Logguppföljning") && review.text.contains("Utanför behörighet"));
    let csrf = hidden_csrf(&review.text);
    let entry = review
        .text
        .split("action=\"/audit/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let done = form(
        &app,
        &format!("/audit/{entry}/review"),
        &cookie,
        &format!("csrf={csrf}&comment=Kontrollerat"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let after = page(&app, "/audit?flagged=true", &cookie).await;
    assert!(after.text.contains("Granskad") && after.text.contains("Kontrollerat"));
    let bad = page(&app, "/audit?from=igår", &cookie).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Others get no review page.
    let (_, s) = login(&app, "head", PASSWORD).await;
    assert_eq!(
        page(&app, "/audit", &format!("vaka_session={}", s.unwrap()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
});

both!(
    an_auditor_reads_and_reviews_the_own_municipality_log_alone,
    |db| async move {
        let app = app(db).await.with_neighbour().await;
        let ours = app.assigned_client("cm", "19121212-1212").await;
        assert_eq!(
            app.get(&format!("/api/v1/clients/{ours}"), "cm")
                .await
                .status,
            StatusCode::OK
        );
        let theirs = app.client("head_x", "19800101-0019").await;
        assert_eq!(
            app.get(&format!("/api/v1/clients/{theirs}"), "head_x")
                .await
                .status,
            StatusCode::OK
        );
        // Neither municipality opens the other's clients, nor sees them in its lists.
        assert_eq!(
            app.get(&format!("/api/v1/clients/{ours}"), "head_x")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/api/v1/clients/{theirs}"), "head")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let listed = app.get("/api/v1/clients", "head_x").await;
        assert!(!listed.text.contains("19121212"), "{}", listed.text);

        let users_in = |r: &Reply| -> Vec<String> {
            items(r)
                .iter()
                .map(|i| i["username"].as_str().unwrap().to_owned())
                .collect()
        };
        let mine = app.get("/api/v1/audit", "auditor").await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
        let mine_users = users_in(&mine);
        assert!(mine_users.iter().any(|u| u == "cm"), "{mine_users:?}");
        assert!(
            !mine_users.iter().any(|u| u.ends_with("_x")),
            "{mine_users:?}"
        );
        let neighbours = app.get("/api/v1/audit", "auditor_x").await;
        let their_users = users_in(&neighbours);
        assert!(their_users.iter().any(|u| u == "head_x"), "{their_users:?}");
        assert!(
            their_users.iter().all(|u| u.ends_with("_x")),
            "{their_users:?}"
        );
        // Nor through a search for the other municipality's client.
        let search = app
            .get(&format!("/api/v1/audit?client_id={ours}"), "auditor_x")
            .await;
        assert_eq!(search.status, StatusCode::OK);
        assert!(items(&search).is_empty(), "{}", search.text);
        assert!(
            !items(
                &app.get(&format!("/api/v1/audit?client_id={ours}"), "auditor")
                    .await
            )
            .is_empty()
        );
        // A review of another municipality's entry is refused as unknown.
        let our_entry = items(&mine)[0]["id"].as_i64().unwrap();
        let r = app
            .post(
                &format!("/api/v1/audit/{our_entry}/review"),
                "auditor_x",
                json!({"comment": "ok"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        let r = app
            .post(
                &format!("/api/v1/audit/{our_entry}/review"),
                "auditor",
                json!({"comment": "Kontrollerat"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
);

/// `n` access-log entries of `username` opening clients `clients` in turn, written at once.
async fn opened(app: &App, username: &str, clients: &[i64], n: i64) {
    let mut tx = app.db.store.begin().await.unwrap();
    for i in 0..n {
        let c = clients[usize::try_from(i).unwrap() % clients.len()];
        tx.audit(vaka_store::NewAuditEntry {
            user_id: None,
            username: username.into(),
            role: "case_manager".into(),
            client_id: Some(vaka_domain::ids::ClientId(c)),
            case_id: None,
            action: vaka_store::AuditAction::ClientRead,
            detail: format!("GET /api/v1/clients/{c}"),
            emergency_reason: None,
            address: None,
            clients: Vec::new(),
        });
    }
    tx.commit().await.unwrap();
}

both!(
    a_client_search_finds_old_entries_behind_a_busy_period_with_their_flags,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        // cm2 opens 20 records in a moment, this client among them: "many clients".
        let mut burst: Vec<i64> = (1000..1019).collect();
        burst.push(id);
        opened(&app, "cm2", &burst, 20).await;
        let path = format!("/api/v1/audit?client_id={id}");
        let before = app.get(&path, "auditor").await;
        assert_eq!(items(&before)[0]["username"], "cm2", "{}", before.text);
        let flags_before = before.json["items"][0]["flags"].clone();
        assert!(
            flags_before
                .as_array()
                .unwrap()
                .contains(&json!("many_clients")),
            "{}",
            before.text
        );
        // Then a busy day: more entries of others than a search looks through.
        let filler: Vec<i64> = (2000..2010).collect();
        opened(&app, "cm", &filler, vaka_web::api::audit::SEARCH_WINDOW).await;
        // The client's entry is still found, with the same flags, and nothing is cut.
        let after = app.get(&path, "auditor").await;
        assert_eq!(after.json["period_truncated"], false, "{}", after.text);
        assert_eq!(items(&after).len(), items(&before).len(), "{}", after.text);
        assert_eq!(items(&after)[0]["username"], "cm2");
        assert_eq!(after.json["items"][0]["flags"], flags_before);
        // The whole period is more than a search looks through, and the page says so.
        let all = app.get("/api/v1/audit?flagged=true", "auditor").await;
        assert_eq!(all.json["period_truncated"], true);
        let (_, s) = login(&app, "auditor", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        let review = page(&app, "/audit?flagged=true", &cookie).await;
        assert!(
            review.text.contains("fler än 10 000 poster"),
            "{}",
            review.text
        );
        let one = page(&app, &format!("/audit?client_id={id}"), &cookie).await;
        assert!(!one.text.contains("fler än 10 000 poster"));
        assert!(
            one.text.contains("Många klienter på kort tid"),
            "{}",
            one.text
        );
    }
);
