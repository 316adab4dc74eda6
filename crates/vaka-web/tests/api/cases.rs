use axum::http::StatusCode;
use serde_json::json;
use vaka_store::both;

use super::*;

both!(
    opening_a_case_assigns_the_case_manager_who_then_sees_the_client,
    |db| async move {
        let app = app(db).await;
        let id = app.client("head", "19121212-1212").await;
        assert_eq!(
            app.get(&format!("/api/v1/clients/{id}"), "cm").await.status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .post(
                "/api/v1/cases",
                "head",
                json!({"client_id": id, "case_manager": "cm"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["client_id"], id);
        assert_eq!(r.json["status"], "open");
        assert_eq!(r.json["origin"], "application");
        assert_eq!(r.json["case_managers"], json!(["cm"]));
        assert!(
            r.headers["location"]
                .to_str()
                .unwrap()
                .starts_with("/api/v1/cases/")
        );
        let seen = app.get(&format!("/api/v1/clients/{id}"), "cm").await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.json["personal_number"], "191212121212");
        let list = app.get("/api/v1/clients", "cm").await;
        assert_eq!(list.json["total"], 1);
    }
);

both!(
    a_case_manager_may_open_a_case_for_a_client_of_the_own_unit,
    |db| async move {
        let app = app(db).await;
        let id = app.client("cm", "19121212-1212").await;
        let r = app.post("/api/v1/cases", "cm", json!({"client_id": id, "case_manager": "cm", "opened_on": "2026-01-05", "origin": "referral"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (r.json["opened_on"].as_str(), r.json["origin"].as_str()),
            (Some("2026-01-05"), Some("referral"))
        );
        assert_eq!(
            app.get(&format!("/api/v1/clients/{id}"), "cm").await.status,
            StatusCode::OK
        );
    }
);

both!(missing_fields_are_all_named, |db| async move {
    let app = app(db).await;
    let r = app.post("/api/v1/cases", "head", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&r);
    assert_eq!(fields, ["client_id", "case_manager"]);
});

both!(
    invalid_case_data_is_refused_naming_the_field,
    |db| async move {
        let app = app(db).await;
        let id = app.client("head", "19121212-1212").await;
        let other = app.client("head_b", "19800101-R001").await;
        let cases = [
            (
                json!({"client_id": id, "case_manager": "nobody"}),
                "unknown_case_manager",
                "case_manager",
            ),
            (
                json!({"client_id": id, "case_manager": "analyst"}),
                "unknown_case_manager",
                "case_manager",
            ),
            (
                json!({"client_id": id, "case_manager": "cm", "origin": "rumour"}),
                "unknown_value",
                "origin",
            ),
            (
                json!({"client_id": id, "case_manager": "cm", "opened_on": "2999-01-01"}),
                "future_date",
                "opened_on",
            ),
            (
                json!({"client_id": id, "case_manager": "cm", "opened_on": "2026-02-30"}),
                "invalid_type",
                "opened_on",
            ),
            (
                json!({"client_id": "one", "case_manager": "cm"}),
                "invalid_type",
                "client_id",
            ),
            (
                json!({"client_id": 424242, "case_manager": "cm"}),
                "unknown_client",
                "client_id",
            ),
            (
                json!({"client_id": other, "case_manager": "cm"}),
                "unknown_client",
                "client_id",
            ),
        ];
        for (body, code, field) in cases {
            let r = app.post("/api/v1/cases", "head", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(error(&r), (code, Some(field)), "{body}");
        }
        assert_eq!(
            app.get(&format!("/api/v1/clients/{id}"), "cm").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(roles_without_case_work_cannot_open_cases, |db| async move {
    let app = app(db).await;
    let id = app.client("head", "19121212-1212").await;
    for user in ["admin", "analyst", "auditor"] {
        let r = app
            .post(
                "/api/v1/cases",
                user,
                json!({"client_id": id, "case_manager": "cm"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
});

both!(
    the_location_of_a_new_case_answers_for_those_who_may_see_it,
    |db| async move {
        let app = app(db).await;
        let id = app.client("head", "19121212-1212").await;
        let r = app
            .post(
                "/api/v1/cases",
                "head",
                json!({"client_id": id, "case_manager": "cm"}),
            )
            .await;
        let location = r.headers["location"].to_str().unwrap().to_owned();
        let seen = app.get(&location, "cm").await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
        assert_eq!(seen.json["client_id"], id);
        assert_eq!(seen.json["case_managers"], json!(["cm"]));
        assert_eq!(seen.json["origin"], "application");
        assert_eq!(
            app.get(&location, "cm2").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&location, "head_b").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/api/v1/cases/999999", "head").await.status,
            StatusCode::NOT_FOUND
        );
        let log = app.audit_for(id).await;
        assert!(log.contains(&("case_read".to_owned(), "cm".to_owned())));
        assert!(log.contains(&("access_denied".to_owned(), "cm2".to_owned())));
    }
);

/// A client of unit A with a case opened on 2026-01-05 for `manager`: (client, case).
async fn opened(app: &App, manager: &str, number: &str) -> (i64, i64) {
    let head = if manager == "cm_b" { "head_b" } else { "head" };
    let client = app.client(head, number).await;
    let r = app
        .post(
            "/api/v1/cases",
            head,
            json!({"client_id": client, "case_manager": manager, "opened_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    (client, r.json["id"].as_i64().unwrap())
}

both!(
    the_case_manager_closes_the_case_and_the_client_leaves_the_caseload,
    |db| async move {
        let app = app(db).await;
        let (client, case) = opened(&app, "cm", "19121212-1212").await;
        assert_eq!(app.get("/api/v1/clients", "cm").await.json["total"], 1);
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/close"),
                "cm",
                json!({"closed_on": "2026-06-30", "reason": "goals_met", "note": " Eget boende. "}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["status"], "closed");
        assert_eq!(r.json["closed_on"], "2026-06-30");
        assert_eq!(r.json["closure_reason"], "goals_met");
        assert_eq!(r.json["closure_note"], "Eget boende.");
        assert_eq!(r.json["case_managers"], json!([]));
        assert_eq!(
            r.json["assignments"],
            json!([{"case_manager": "cm", "display_name": r.json["assignments"][0]["display_name"],
                    "assigned_on": "2026-01-05", "unassigned_on": "2026-06-30"}])
        );
        // The case manager no longer reaches the client; the unit head still does.
        assert_eq!(app.get("/api/v1/clients", "cm").await.json["total"], 0);
        assert_eq!(
            app.get(&format!("/api/v1/clients/{client}"), "cm")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let seen = app.get(&format!("/api/v1/cases/{case}"), "head").await;
        assert_eq!(seen.json["closure_reason"], "goals_met");
        let log = app.audit_for(client).await;
        assert!(
            log.contains(&("case_close".to_owned(), "cm".to_owned())),
            "{log:?}"
        );
        let close = app.audit_entry(client, "case_close").await;
        assert!(
            close.detail.ends_with("reason=goals_met"),
            "{}",
            close.detail
        );
        assert_eq!(close.case_id.map(|c| c.0), Some(case));
        // Closing twice is a conflict, and the first closure stands.
        let again = app
            .post(
                &format!("/api/v1/cases/{case}/close"),
                "head",
                json!({"reason": "moved"}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
        assert_eq!(error(&again), ("case_closed", Some("status")));
        let seen = app.get(&format!("/api/v1/cases/{case}"), "head").await;
        assert_eq!(seen.json["closure_reason"], "goals_met");
        assert_eq!(seen.json["closed_on"], "2026-06-30");
        assert!(app.audit_verifies().await);
    }
);

both!(
    a_wrong_closure_names_every_field_and_changes_nothing,
    |db| async move {
        let app = app(db).await;
        let (_, case) = opened(&app, "cm", "19121212-1212").await;
        let uri = format!("/api/v1/cases/{case}/close");
        for (body, code, field) in [
            (json!({}), "required", "reason"),
            (json!({"reason": "finished"}), "unknown_value", "reason"),
            (
                json!({"reason": "moved", "closed_on": "2026-01-04"}),
                "before_earliest",
                "closed_on",
            ),
            (
                json!({"reason": "moved", "closed_on": "2999-01-01"}),
                "in_future",
                "closed_on",
            ),
            (
                json!({"reason": "moved", "closed_on": "30/06/2026"}),
                "invalid_date",
                "closed_on",
            ),
            (
                json!({"reason": "other", "note": "  "}),
                "note_required",
                "note",
            ),
            (
                json!({"reason": "moved", "note": "x".repeat(2001)}),
                "too_long",
                "note",
            ),
            (json!({"reason": 7}), "invalid_type", "reason"),
        ] {
            let r = app.post(&uri, "cm", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(error(&r), (code, Some(field)), "{body}");
            let (sv, en) = (
                r.json["error"]["message_sv"].as_str().unwrap(),
                r.json["error"]["message_en"].as_str().unwrap(),
            );
            assert!(
                !sv.is_empty() && !en.is_empty() && sv != en,
                "{body}: {sv} / {en}"
            );
        }
        let r = app
            .post(
                &uri,
                "cm",
                json!({"reason": "nope", "closed_on": "2999-01-01"}),
            )
            .await;
        let fields = error_fields(&r);
        assert_eq!(fields, ["closed_on", "reason"]);
        let seen = app.get(&format!("/api/v1/cases/{case}"), "cm").await;
        assert_eq!(seen.json["status"], "open");
        assert_eq!(seen.json["case_managers"], json!(["cm"]));
    }
);

both!(
    only_the_cases_own_manager_or_the_unit_head_may_close_it,
    |db| async move {
        let app = app(db).await;
        let (client, case) = opened(&app, "cm", "19121212-1212").await;
        // cm2 has another case of the same client: that does not make this case theirs.
        let r = app
            .post(
                "/api/v1/cases",
                "head",
                json!({"client_id": client, "case_manager": "cm2"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let uri = format!("/api/v1/cases/{case}/close");
        let body = json!({"reason": "moved"});
        for (user, want) in [
            ("cm2", StatusCode::NOT_FOUND),
            ("cm_b", StatusCode::NOT_FOUND),
            ("head_b", StatusCode::NOT_FOUND),
            ("admin", StatusCode::FORBIDDEN),
            ("analyst", StatusCode::FORBIDDEN),
            ("auditor", StatusCode::FORBIDDEN),
        ] {
            assert_eq!(
                app.post(&uri, user, body.clone()).await.status,
                want,
                "{user}"
            );
        }
        assert_eq!(
            app.post("/api/v1/cases/999999/close", "head", body.clone())
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let log = app.audit_for(client).await;
        assert!(
            log.contains(&("access_denied".to_owned(), "cm2".to_owned())),
            "{log:?}"
        );
        assert!(!log.iter().any(|(a, _)| a == "case_close"));
        let r = app.post(&uri, "head", body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // The other case keeps the client on cm2's caseload.
        assert_eq!(app.get("/api/v1/clients", "cm2").await.json["total"], 1);
    }
);

both!(
    the_unit_head_hands_a_case_to_another_case_manager,
    |db| async move {
        let app = app(db).await;
        let (client, case) = opened(&app, "cm", "19121212-1212").await;
        let uri = format!("/api/v1/cases/{case}/reassign");
        assert_eq!(
            app.post(&uri, "cm", json!({"case_manager": "cm2"}))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        for (body, code, field) in [
            (json!({}), "required", "case_manager"),
            (
                json!({"case_manager": "nobody"}),
                "unknown_case_manager",
                "case_manager",
            ),
            (
                json!({"case_manager": "analyst"}),
                "unknown_case_manager",
                "case_manager",
            ),
            (
                json!({"case_manager": "cm"}),
                "already_case_manager",
                "case_manager",
            ),
            (
                json!({"case_manager": "cm2", "assigned_on": "2026-01-01"}),
                "before_earliest",
                "assigned_on",
            ),
            (
                json!({"case_manager": "cm2", "assigned_on": "2999-01-01"}),
                "in_future",
                "assigned_on",
            ),
        ] {
            let r = app.post(&uri, "head", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(error(&r), (code, Some(field)), "{body}");
        }
        assert_eq!(app.get("/api/v1/clients", "cm").await.json["total"], 1);
        let r = app
            .post(
                &uri,
                "head",
                json!({"case_manager": "cm2", "assigned_on": "2026-03-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["case_managers"], json!(["cm2"]));
        let periods: Vec<(&str, &str, Option<&str>)> = r.json["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["case_manager"].as_str().unwrap(),
                    a["assigned_on"].as_str().unwrap(),
                    a["unassigned_on"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            periods,
            [
                ("cm", "2026-01-05", Some("2026-03-01")),
                ("cm2", "2026-03-01", None)
            ]
        );
        assert_eq!(app.get("/api/v1/clients", "cm").await.json["total"], 0);
        assert_eq!(app.get("/api/v1/clients", "cm2").await.json["total"], 1);
        assert_eq!(
            app.get(&format!("/api/v1/clients/{client}"), "cm2")
                .await
                .status,
            StatusCode::OK
        );
        let log = app.audit_for(client).await;
        assert!(log.contains(&("case_reassign".to_owned(), "head".to_owned())));
        // Back to cm, but not from a day before cm2 took over: periods do not overlap.
        let r = app
            .post(
                &uri,
                "head",
                json!({"case_manager": "cm", "assigned_on": "2026-02-28"}),
            )
            .await;
        assert_eq!(
            error(&r),
            ("before_earliest", Some("assigned_on")),
            "{}",
            r.text
        );
        // A closed case is not handed over.
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/close"),
                "cm2",
                json!({"reason": "moved"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = app.post(&uri, "head", json!({"case_manager": "cm"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(error(&r), ("case_closed", Some("status")));
        assert_eq!(app.get("/api/v1/clients", "cm").await.json["total"], 0);
        // Another unit's head does not see the case at all.
        assert_eq!(
            app.post(&uri, "head_b", json!({"case_manager": "cm_b"}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    the_case_page_closes_and_hands_over_a_case_without_javascript,
    |db| async move {
        use super::pages::{form, hidden_csrf, login, page};
        let app = app(db).await;
        let (client, case) = opened(&app, "cm", "19121212-1212").await;
        // The unit head hands the case to cm2 from the page.
        let (_, session) = login(&app, "head", PASSWORD).await;
        let head = format!("vaka_session={}", session.unwrap());
        let shown = page(&app, &format!("/cases/{case}"), &head).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert!(
            shown
                .text
                .contains(&format!("action=\"/cases/{case}/reassign\""))
        );
        assert!(
            shown
                .text
                .contains(&format!("action=\"/cases/{case}/close\""))
        );
        assert!(
            shown.text.contains("value=\"cm2\""),
            "the unit's case managers to choose from"
        );
        assert!(!shown.text.contains("value=\"cm_b\""), "not another unit's");
        let csrf = hidden_csrf(&shown.text);
        let client_page = page(&app, &format!("/clients/{client}"), &head).await;
        assert!(
            client_page
                .text
                .contains(&format!("href=\"/cases/{case}\""))
        );
        // Without the form token nothing happens.
        let r = form(
            &app,
            &format!("/cases/{case}/reassign"),
            &head,
            "case_manager=cm2",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A wrong day comes back beside its field, with what was chosen kept.
        let r = form(
            &app,
            &format!("/cases/{case}/reassign"),
            &head,
            &format!("csrf={csrf}&case_manager=cm2&assigned_on=2026-01-01"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("href=\"#f-assigned_on\""), "{}", r.text);
        assert!(r.text.contains("value=\"cm2\" selected"), "{}", r.text);
        let r = form(
            &app,
            &format!("/cases/{case}/reassign"),
            &head,
            &format!("csrf={csrf}&case_manager=cm2&assigned_on=2026-02-01"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], format!("/cases/{case}"));
        let shown = page(&app, &format!("/cases/{case}"), &head).await;
        assert!(
            shown
                .text
                .contains(">2026-02-01</td><td data-label=\"Till och med\">…</td>"),
            "{}",
            shown.text
        );
        // cm2 closes it and is sent back to a caseload without the client.
        let (_, session) = login(&app, "cm2", PASSWORD).await;
        let cm2 = format!("vaka_session={}", session.unwrap());
        let shown = page(&app, &format!("/cases/{case}"), &cm2).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(
            !shown.text.contains("/reassign\""),
            "only the unit head hands over"
        );
        let csrf = hidden_csrf(&shown.text);
        let r = form(
            &app,
            &format!("/cases/{case}/close"),
            &cm2,
            &format!("csrf={csrf}&closed_on=2026-06-30&reason=other&note="),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("href=\"#f-note\""), "{}", r.text);
        let r = form(
            &app,
            &format!("/cases/{case}/close"),
            &cm2,
            &format!(
                "csrf={csrf}&closed_on=2026-06-30&reason=lost_contact&note=Ingen+kontakt+sedan+maj"
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], "/caseload");
        let caseload = page(&app, "/caseload", &cm2).await;
        assert!(!caseload.text.contains(&format!("/clients/{client}\"")));
        // The unit head sees the closure, and no forms on a closed case.
        let shown = page(&app, &format!("/cases/{case}"), &head).await;
        assert!(shown.text.contains("Kontakten upphört"), "{}", shown.text);
        assert!(shown.text.contains("Ingen kontakt sedan maj"));
        assert!(!shown.text.contains(&format!("action=\"/cases/{case}/")));
        let client_page = page(&app, &format!("/clients/{client}"), &head).await;
        assert!(client_page.text.contains("2026-06-30 · Kontakten upphört"));
        // Someone outside the unit gets no page.
        let (_, session) = login(&app, "head_b", PASSWORD).await;
        let other = format!("vaka_session={}", session.unwrap());
        assert_eq!(
            page(&app, &format!("/cases/{case}"), &other).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    the_clients_alerts_follow_the_case_to_whoever_has_it,
    |db| async move {
        let app = app(db).await;
        let (client, case) = opened(&app, "cm", "19121212-1212").await;
        let at = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
        let r = app
            .post(
                &format!("/api/v1/clients/{client}/contacts"),
                "cm",
                json!({"occurred_at": at, "kind": "meeting", "substance_use": "relapse",
                       "well_being": 6, "housing": "own", "signed": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let mine = |user: &'static str| {
            let app = &app;
            async move {
                let r = app.get("/api/v1/alerts", user).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                r.json["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["client_id"].as_i64().unwrap())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(mine("cm").await, [client]);
        assert_eq!(mine("cm2").await, Vec::<i64>::new());
        // Handed over: the alert goes with the client; cm, who lost the client, no longer reads it.
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/reassign"),
                "head",
                json!({"case_manager": "cm2"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(mine("cm").await, Vec::<i64>::new());
        assert_eq!(mine("cm2").await, [client]);
        // With a second case of the client, with cm: closing cm2's case gives the alert to cm.
        let r = app
            .post(
                "/api/v1/cases",
                "head",
                json!({"client_id": client, "case_manager": "cm"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let other = r.json["id"].as_i64().unwrap();
        assert_eq!(mine("cm2").await, [client], "cm2 still has the client");
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/close"),
                "cm2",
                json!({"reason": "transferred"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(mine("cm2").await, Vec::<i64>::new());
        assert_eq!(mine("cm").await, [client]);
        // The last case closed: the alert is no one's; the client page still shows it.
        let r = app
            .post(
                &format!("/api/v1/cases/{other}/close"),
                "cm",
                json!({"reason": "moved"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(mine("cm").await, Vec::<i64>::new());
        let seen = app
            .get(
                &format!("/api/v1/alerts?client_id={client}&status=open"),
                "head",
            )
            .await;
        assert_eq!(
            seen.json["items"].as_array().unwrap().len(),
            1,
            "{}",
            seen.text
        );
    }
);

both!(
    an_intake_registers_a_new_person_and_opens_the_case_in_one_go,
    |db| async move {
        let app = app(db).await;
        let r = app
            .post(
                "/api/v1/intakes",
                "cm",
                json!({"personal_number": "19121212-1212", "given_name": "Tolvan",
                       "family_name": "Tolvansson", "origin": "referral", "opened_on": "2026-01-05"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["client_created"], true);
        let (client, case) = (
            r.json["client_id"].as_i64().unwrap(),
            r.json["case_id"].as_i64().unwrap(),
        );
        assert_eq!(r.headers["location"], format!("/api/v1/cases/{case}"));
        // The caller is the case manager by default, and sees the client at once.
        let k = app.get(&format!("/api/v1/cases/{case}"), "cm").await;
        assert_eq!(k.status, StatusCode::OK, "{}", k.text);
        assert_eq!(k.json["case_managers"], json!(["cm"]));
        assert_eq!(
            (k.json["origin"].as_str(), k.json["opened_on"].as_str()),
            (Some("referral"), Some("2026-01-05"))
        );
        let c = app.get(&format!("/api/v1/clients/{client}"), "cm").await;
        assert_eq!(c.json["family_name"], "Tolvansson");
        let log = app.audit_for(client).await;
        assert_eq!(
            log,
            [
                ("client_create".to_owned(), "cm".to_owned()),
                ("case_open".to_owned(), "cm".to_owned()),
                ("case_read".to_owned(), "cm".to_owned()),
                ("client_read".to_owned(), "cm".to_owned()),
            ]
        );
        // While the case is open, a second intake is refused and names the case.
        let r = app
            .post(
                "/api/v1/intakes",
                "head",
                json!({"personal_number": "191212121212"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(error(&r), ("open_case_exists", Some("personal_number")));
        assert!(
            r.json["error"]["message_en"]
                .as_str()
                .unwrap()
                .contains(&format!("no. {case}"))
        );
        // The person comes back after the case was closed: the unit knows them, no names needed,
        // and a new case opens for the case manager the unit head names.
        app.post(
            &format!("/api/v1/cases/{case}/close"),
            "cm",
            json!({"reason": "goals_met"}),
        )
        .await;
        let r = app
            .post(
                "/api/v1/intakes",
                "head",
                json!({"personal_number": "191212121212", "case_manager": "cm2"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["client_created"], false);
        assert_eq!(r.json["client_id"], client);
        assert_ne!(r.json["case_id"], case);
        assert_eq!(app.get("/api/v1/clients", "cm2").await.json["total"], 1);
        assert_eq!(app.get("/api/v1/clients", "cm").await.json["total"], 0);
    }
);

both!(
    a_wrong_intake_names_every_field_and_writes_nothing,
    |db| async move {
        let app = app(db).await;
        for (body, expected) in [
            (
                json!({}),
                vec![
                    ("personal_number", "required"),
                    ("given_name", "required"),
                    ("family_name", "required"),
                ],
            ),
            (
                json!({"personal_number": "19121212-1213"}),
                vec![
                    ("personal_number", "invalid_check_digit"),
                    ("given_name", "required"),
                    ("family_name", "required"),
                ],
            ),
            (
                json!({"personal_number": "19121212-1212", "given_name": "T", "family_name": "T",
                       "origin": "rumour", "opened_on": "2999-01-01", "case_manager": "analyst"}),
                vec![
                    ("origin", "unknown_value"),
                    ("opened_on", "in_future"),
                    ("case_manager", "unknown_case_manager"),
                ],
            ),
            (
                json!({"personal_number": "19121212-1212"}),
                vec![("given_name", "required"), ("family_name", "required")],
            ),
            // Found by schemathesis: a NUL in a name was a 500 on PostgreSQL.
            (
                json!({"personal_number": "19121212-1212", "given_name": "T", "family_name": "T",
                       "case_manager": "cm\u{0}x"}),
                vec![("case_manager", "unknown_case_manager")],
            ),
        ] {
            let r = app.post("/api/v1/intakes", "cm", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            // One error comes as `error` alone, several also as `errors`.
            let got: Vec<(&str, &str)> = match r.json["errors"].as_array() {
                Some(all) => all
                    .iter()
                    .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
                    .collect(),
                None => {
                    let (code, field) = error(&r);
                    vec![(field.unwrap(), code)]
                }
            };
            assert_eq!(got, expected, "{body}");
        }
        assert_eq!(app.get("/api/v1/clients", "head").await.json["total"], 0);
        // Someone of another unit: a conflict naming the field, logged, and nothing opened.
        let other = app.client("head_b", "19800101-R001").await;
        let r = app
            .post(
                "/api/v1/intakes",
                "cm",
                json!({"personal_number": "19800101-R001"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(
            error(&r),
            ("registered_in_other_unit", Some("personal_number"))
        );
        assert!(
            r.json["error"]["message_sv"]
                .as_str()
                .unwrap()
                .contains("annan enhet")
        );
        let log = app.audit_for(other).await;
        assert!(
            log.contains(&("access_denied".to_owned(), "cm".to_owned())),
            "{log:?}"
        );
        assert!(!log.iter().any(|(a, _)| a == "case_open"));
        for user in ["admin", "analyst", "auditor"] {
            let r = app
                .post(
                    "/api/v1/intakes",
                    user,
                    json!({"personal_number": "19121212-1212"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
    }
);

both!(
    the_intake_form_opens_a_case_without_javascript,
    |db| async move {
        use super::pages::{form, hidden_csrf, login, page};
        let app = app(db).await;
        let (_, session) = login(&app, "cm", PASSWORD).await;
        let cm = format!("vaka_session={}", session.unwrap());
        let caseload = page(&app, "/caseload", &cm).await;
        assert!(caseload.text.contains("href=\"/intakes/new\""));
        let shown = page(&app, "/intakes/new", &cm).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert!(
            shown.text.contains("value=\"cm\" selected"),
            "the caller by default"
        );
        let csrf = hidden_csrf(&shown.text);
        let r = form(&app, "/intakes", &cm, "personal_number=19121212-1212").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "no form token");
        let r = form(
            &app,
            "/intakes",
            &cm,
            &format!("csrf={csrf}&personal_number=19121212-1212&given_name=Tolvan&origin=application&case_manager=cm"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("href=\"#f-family_name\""), "{}", r.text);
        assert!(
            r.text.contains("value=\"Tolvan\""),
            "what was typed is kept"
        );
        let r = form(
            &app,
            "/intakes",
            &cm,
            &format!("csrf={csrf}&personal_number=19121212-1212&given_name=Tolvan&family_name=Tolvansson&origin=application&case_manager=cm"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let to = r.headers["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/clients/"), "{to}");
        let client = page(&app, &to, &cm).await;
        assert_eq!(client.status, StatusCode::OK);
        assert!(client.text.contains("Tolvansson"));
        // Roles without client work get no form.
        let (_, session) = login(&app, "analyst", PASSWORD).await;
        let analyst = format!("vaka_session={}", session.unwrap());
        assert_eq!(
            page(&app, "/intakes/new", &analyst).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            !page(&app, "/caseload", &analyst)
                .await
                .text
                .contains("/intakes/new")
        );
    }
);

both!(
    a_unit_head_hands_over_every_case_of_one_case_manager_at_once,
    |db| async move {
        let app = app(db).await;
        let a = app.assigned_client("cm", "19121212-1212").await;
        let b = app.assigned_client("cm", "19800101-R001").await;
        let theirs = app.assigned_client("cm2", "19750315-1230").await;
        // A relapse on a: the alert is cm's.
        let relapse = json!({"occurred_at": (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
            "kind": "phone", "substance_use": "relapse", "housing": "own", "signed": true});
        app.post(&format!("/api/v1/clients/{a}/contacts"), "cm", relapse)
            .await;
        assert_eq!(
            app.get("/api/v1/alerts", "cm").await.json["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let uri = "/api/v1/users/cm/handover";

        // Bad input names the field and moves nothing.
        for (body, field, code) in [
            (json!({}), "case_manager", "required"),
            (
                json!({"case_manager": "nobody"}),
                "case_manager",
                "unknown_case_manager",
            ),
            (
                json!({"case_manager": "cm"}),
                "case_manager",
                "same_case_manager",
            ),
            (
                json!({"case_manager": "cm2", "assigned_on": "2020-01-01"}),
                "assigned_on",
                "before_earliest",
            ),
            (
                json!({"case_manager": "cm2", "assigned_on": "2999-01-01"}),
                "assigned_on",
                "in_future",
            ),
        ] {
            let r = app.post(uri, "head", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(
                (
                    r.json["error"]["field"].as_str(),
                    r.json["error"]["code"].as_str()
                ),
                (Some(field), Some(code)),
                "{body}"
            );
        }
        // Only the unit head may; an unknown user is not found.
        for user in ["cm", "cm2", "analyst", "admin", "auditor"] {
            let r = app.post(uri, user, json!({"case_manager": "cm2"})).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
        let r = app
            .post(
                "/api/v1/users/nobody/handover",
                "head",
                json!({"case_manager": "cm2"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Another unit's head moves nothing of this unit.
        let r = app
            .post(uri, "head_b", json!({"case_manager": "cm_b"}))
            .await;
        assert_eq!(
            (r.status, r.json["cases"].clone()),
            (StatusCode::OK, json!([])),
            "{}",
            r.text
        );
        assert_eq!(
            app.get(&format!("/api/v1/clients/{a}"), "cm").await.status,
            StatusCode::OK
        );

        // cm has left: deactivated, the cases still go.
        let mut tx = app.db.store.begin().await.unwrap();
        vaka_store::users::set_active(&mut tx, app.user_ids["cm"], false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = app.post(uri, "head", json!({"case_manager": "cm2"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let mut tx = app.db.store.begin().await.unwrap();
        vaka_store::users::set_active(&mut tx, app.user_ids["cm"], true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let moved: Vec<i64> = r.json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["client_id"].as_i64().unwrap())
            .collect();
        assert_eq!(moved, [a, b]);
        assert_eq!(
            (r.json["from"].as_str(), r.json["case_manager"].as_str()),
            (Some("cm"), Some("cm2"))
        );
        // cm (back again) no longer reads them; cm2 does, with the alert; cm2's own case is untouched.
        for client in [a, b] {
            assert_eq!(
                app.get(&format!("/api/v1/clients/{client}"), "cm")
                    .await
                    .status,
                StatusCode::NOT_FOUND
            );
            assert_eq!(
                app.get(&format!("/api/v1/clients/{client}"), "cm2")
                    .await
                    .status,
                StatusCode::OK
            );
        }
        assert_eq!(
            app.get("/api/v1/alerts", "cm").await.json["items"],
            json!([])
        );
        let alerts = app.get("/api/v1/alerts", "cm2").await;
        assert_eq!(alerts.json["items"][0]["client_id"], a);
        assert_eq!(
            app.get(&format!("/api/v1/clients/{theirs}"), "cm2")
                .await
                .status,
            StatusCode::OK
        );
        // One log entry per case, naming its client.
        for client in [a, b] {
            let log = app.audit_for(client).await;
            assert!(
                log.contains(&("case_reassign".to_owned(), "head".to_owned())),
                "{log:?}"
            );
        }
        // Nothing left: a second handover moves nothing.
        let r = app.post(uri, "head", json!({"case_manager": "cm2"})).await;
        assert_eq!(
            (r.status, r.json["cases"].clone()),
            (StatusCode::OK, json!([]))
        );
    }
);

both!(
    the_staff_page_hands_over_a_case_managers_cases_without_javascript,
    |db| async move {
        use super::pages::{form, hidden_csrf, login, page};
        let app = app(db).await;
        let a = app.assigned_client("cm", "19121212-1212").await;
        let (_, session) = login(&app, "head", PASSWORD).await;
        let head = format!("vaka_session={}", session.unwrap());
        // The start page leads to the staff page.
        let start = page(&app, "/caseload", &head).await;
        assert!(start.text.contains("href=\"/staff\""));
        let staff = page(&app, "/staff", &head).await;
        assert_eq!(staff.status, StatusCode::OK);
        assert!(
            staff.text.contains("href=\"/staff/cm/handover\""),
            "{}",
            staff.text
        );
        assert!(
            !staff.text.contains("/staff/cm2/handover"),
            "nothing to hand over"
        );
        assert!(!staff.text.contains("cm_b"), "not another unit's");
        // cm's one open case has no plan yet: counted in its own column.
        assert!(staff.text.contains("Utan mål i genomförandeplanen"));
        let cells = |text: &str| {
            let row = text
                .split("<tr>")
                .find(|r| r.contains(">cm<"))
                .unwrap()
                .to_owned();
            row.matches("data-label=\"Utan mål i genomförandeplanen\" class=\"num\">1<")
                .count()
        };
        assert_eq!(cells(&staff.text), 1, "{}", staff.text);
        let mut tx = app.db.store.begin_read().await.unwrap();
        let case = vaka_store::cases::for_client(&mut tx, vaka_domain::ids::ClientId(a))
            .await
            .unwrap()[0]
            .id
            .0;
        drop(tx);
        let tomorrow = (vaka_domain::time::local_date(chrono::Utc::now())
            + chrono::Duration::days(1))
        .to_string();
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/plan/goals"),
                "cm",
                json!({"life_area": "housing", "goal": "Eget kontrakt", "follow_up_on": tomorrow}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(cells(&page(&app, "/staff", &head).await.text), 0);
        let shown = page(&app, "/staff/cm/handover", &head).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.text.contains("value=\"cm2\"") && !shown.text.contains("value=\"cm\""));
        let csrf = hidden_csrf(&shown.text);
        // Without the form token: refused; without a receiver: the field is named.
        let r = form(&app, "/staff/cm/handover", &head, "case_manager=cm2").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = form(
            &app,
            "/staff/cm/handover",
            &head,
            &format!("csrf={csrf}&case_manager="),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("href=\"#f-case_manager\""), "{}", r.text);
        assert_eq!(
            app.get(&format!("/api/v1/clients/{a}"), "cm").await.status,
            StatusCode::OK
        );
        let r = form(
            &app,
            "/staff/cm/handover",
            &head,
            &format!("csrf={csrf}&case_manager=cm2"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], "/staff");
        assert_eq!(
            app.get(&format!("/api/v1/clients/{a}"), "cm2").await.status,
            StatusCode::OK
        );
        let staff = page(&app, "/staff", &head).await;
        assert!(staff.text.contains("href=\"/staff/cm2/handover\""));
        assert!(!staff.text.contains("href=\"/staff/cm/handover\""));
        // A case manager has no staff page.
        let (_, session) = login(&app, "cm", PASSWORD).await;
        let cm = format!("vaka_session={}", session.unwrap());
        assert_eq!(
            page(&app, "/staff", &cm).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            page(&app, "/staff/cm2/handover", &cm).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

both!(
    a_case_can_have_a_second_case_manager_and_lose_one,
    |db| async move {
        let app = app(db).await;
        let (client, case) = opened(&app, "cm", "19121212-1212").await;
        // cm's alert: a relapse.
        let relapse = json!({"occurred_at": (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
            "kind": "phone", "substance_use": "relapse", "housing": "own", "signed": true});
        let r = app
            .post(&format!("/api/v1/clients/{client}/contacts"), "cm", relapse)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let add = format!("/api/v1/cases/{case}/case-managers");
        let end = format!("/api/v1/cases/{case}/case-managers/end");

        // Only the unit head of the client's unit; bad input names the field and changes nothing.
        for user in ["cm", "cm2", "analyst", "admin"] {
            let r = app.post(&add, user, json!({"case_manager": "cm2"})).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
        let r = app
            .post(&add, "head_b", json!({"case_manager": "cm_b"}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        for (body, code, field) in [
            (json!({}), "required", "case_manager"),
            (
                json!({"case_manager": "analyst"}),
                "unknown_case_manager",
                "case_manager",
            ),
            (
                json!({"case_manager": "cm"}),
                "already_case_manager",
                "case_manager",
            ),
            (
                json!({"case_manager": "cm2", "assigned_on": "2026-01-04"}),
                "before_earliest",
                "assigned_on",
            ),
            (
                json!({"case_manager": "cm2", "assigned_on": "2999-01-01"}),
                "in_future",
                "assigned_on",
            ),
        ] {
            let r = app.post(&add, "head", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(error(&r), (code, Some(field)), "{body}");
        }
        assert_eq!(
            app.get(&format!("/api/v1/clients/{client}"), "cm2")
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // cm2 joins: both follow the client; the alert stays with cm.
        let r = app
            .post(
                &add,
                "head",
                json!({"case_manager": "cm2", "assigned_on": "2026-02-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["case_managers"], json!(["cm", "cm2"]));
        for user in ["cm", "cm2"] {
            assert_eq!(
                app.get(&format!("/api/v1/clients/{client}"), user)
                    .await
                    .status,
                StatusCode::OK,
                "{user}"
            );
        }
        let alerts = |user: &'static str| {
            let app = &app;
            async move {
                app.get("/api/v1/alerts", user).await.json["items"]
                    .as_array()
                    .unwrap()
                    .len()
            }
        };
        assert_eq!((alerts("cm").await, alerts("cm2").await), (1, 0));

        // Ending one: the field is named, the last one stays, the day fits the period.
        for (body, status, code) in [
            (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "required"),
            (
                json!({"case_manager": "cm_b"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_case_manager",
            ),
            (
                json!({"case_manager": "cm2", "unassigned_on": "2026-01-20"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "before_earliest",
            ),
            (
                json!({"case_manager": "cm2", "unassigned_on": "2999-01-01"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "in_future",
            ),
        ] {
            let r = app.post(&end, "head", body.clone()).await;
            assert_eq!(
                (r.status, error(&r).0),
                (status, code),
                "{body}: {}",
                r.text
            );
        }
        let r = app
            .post(
                &end,
                "head",
                json!({"case_manager": "cm", "unassigned_on": "2026-03-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["case_managers"], json!(["cm2"]));
        let ended: Vec<(&str, Option<&str>)> = r.json["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["case_manager"].as_str().unwrap(),
                    a["unassigned_on"].as_str(),
                )
            })
            .collect();
        assert_eq!(ended, [("cm", Some("2026-03-01")), ("cm2", None)]);
        // cm no longer reads the client; the alert went to cm2, who still follows them.
        assert_eq!(
            app.get(&format!("/api/v1/clients/{client}"), "cm")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!((alerts("cm").await, alerts("cm2").await), (0, 1));
        let r = app.post(&end, "head", json!({"case_manager": "cm2"})).await;
        assert_eq!(
            (r.status, error(&r).0),
            (StatusCode::CONFLICT, "last_case_manager"),
            "{}",
            r.text
        );
        // Every change is logged about the client, naming the case manager.
        let log = app.audit_entry(client, "case_reassign").await;
        assert_eq!(log.case_id.map(|c| c.0), Some(case));
        assert!(
            log.detail.starts_with(&format!(
                "POST /api/v1/cases/{case}/case-managers/end case_manager=cm"
            )),
            "{}",
            log.detail
        );
        // A closed case takes no one new.
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/close"),
                "head",
                json!({"reason": "goals_met"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = app.post(&add, "head", json!({"case_manager": "cm"})).await;
        assert_eq!(
            (r.status, error(&r).0),
            (StatusCode::CONFLICT, "case_closed")
        );
    }
);

both!(
    the_case_page_adds_and_ends_a_case_manager_without_javascript,
    |db| async move {
        use super::pages::{form, hidden_csrf, login, page};
        let app = app(db).await;
        let (_, case) = opened(&app, "cm", "19121212-1212").await;
        let (_, session) = login(&app, "head", PASSWORD).await;
        let head = format!("vaka_session={}", session.unwrap());
        let shown = page(&app, &format!("/cases/{case}"), &head).await;
        assert!(
            shown
                .text
                .contains(&format!("action=\"/cases/{case}/add-manager\""))
        );
        assert!(
            !shown.text.contains("/end-manager\""),
            "one case manager: nothing to end"
        );
        let csrf = hidden_csrf(&shown.text);
        let r = form(
            &app,
            &format!("/cases/{case}/add-manager"),
            &head,
            &format!("csrf={csrf}&case_manager=&assigned_on=2026-02-01"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The reassign form above has a field of the same name: this one's id is its own.
        assert!(
            r.text.contains("href=\"#f-add-manager-case_manager\"")
                && r.text.contains("id=\"f-add-manager-case_manager\""),
            "{}",
            r.text
        );
        let r = form(
            &app,
            &format!("/cases/{case}/add-manager"),
            &head,
            &format!("csrf={csrf}&case_manager=cm2&assigned_on=2026-02-01"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], format!("/cases/{case}"));
        let shown = page(&app, &format!("/cases/{case}"), &head).await;
        assert!(
            shown
                .text
                .contains(&format!("action=\"/cases/{case}/end-manager\""))
        );
        let r = form(
            &app,
            &format!("/cases/{case}/end-manager"),
            &head,
            &format!("csrf={csrf}&case_manager=cm&unassigned_on=2026-03-01"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = app.get(&format!("/api/v1/cases/{case}"), "head").await;
        assert_eq!(r.json["case_managers"], json!(["cm2"]));
        // A case manager gets neither form.
        let (_, session) = login(&app, "cm2", PASSWORD).await;
        let cm2 = format!("vaka_session={}", session.unwrap());
        let shown = page(&app, &format!("/cases/{case}"), &cm2).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(!shown.text.contains("/add-manager\""));
    }
);

both!(a_handover_keeps_those_who_share_a_case, |db| async move {
    let app = app(db).await;
    let (_, alone) = opened(&app, "cm", "19121212-1212").await;
    let (_, shared) = opened(&app, "cm", "19800101-R001").await;
    let r = app
        .post(
            &format!("/api/v1/cases/{shared}/case-managers"),
            "head",
            json!({"case_manager": "cm2", "assigned_on": "2026-02-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let managers = |case: i64| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/cases/{case}"), "head").await.json["case_managers"].clone()
        }
    };
    // cm leaves: the head takes cm's place on both; cm2 keeps the shared one.
    let r = app
        .post(
            "/api/v1/users/cm/handover",
            "head",
            json!({"case_manager": "head", "assigned_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(managers(alone).await, json!(["head"]));
    assert_eq!(managers(shared).await, json!(["cm2", "head"]));
    // cm2 hands over to the head, who already has the shared case: no second assignment.
    let r = app
        .post(
            "/api/v1/users/cm2/handover",
            "head",
            json!({"case_manager": "head", "assigned_on": "2026-03-02"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let case = app.get(&format!("/api/v1/cases/{shared}"), "head").await;
    assert_eq!(case.json["case_managers"], json!(["head"]));
    let current: Vec<&str> = case.json["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["unassigned_on"].is_null())
        .map(|a| a["case_manager"].as_str().unwrap())
        .collect();
    assert_eq!(current, ["head"]);
});
