use axum::http::{Method, StatusCode};
use serde_json::json;
use vaka_store::both;

use super::*;

both!(
    registering_a_client_normalises_the_number_and_derives_birth_date_and_sex,
    |db| async move {
        let app = app(db).await;
        let r = app
        .post("/api/v1/clients", "cm", json!({"personal_number": "121212-1212", "given_name": " Tolvan ", "family_name": "Tolvansson"}))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["personal_number"], "201212121212");
        assert_eq!(r.json["personal_number_kind"], "personnummer");
        assert_eq!(r.json["birth_date"], "2012-12-12");
        assert_eq!(r.json["sex"], "male");
        assert_eq!(r.json["given_name"], "Tolvan");
        let id = r.json["id"].as_i64().unwrap();
        assert_eq!(r.headers["location"], format!("/api/v1/clients/{id}"));
    }
);

both!(
    a_reservnummer_and_a_samordningsnummer_are_accepted,
    |db| async move {
        let app = app(db).await;
        let r = app.post("/api/v1/clients", "head", json!({"personal_number": "19800101-R042", "given_name": "A", "family_name": "B", "sex": "female"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (
                r.json["personal_number"].as_str(),
                r.json["personal_number_kind"].as_str()
            ),
            (Some("19800101R042"), Some("reservnummer"))
        );
        assert_eq!(r.json["sex"], "female");
        let r = app
            .post(
                "/api/v1/clients",
                "head",
                json!({"personal_number": "19570574-9959", "given_name": "C", "family_name": "D"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(
            (
                r.json["birth_date"].as_str(),
                r.json["personal_number_kind"].as_str()
            ),
            (Some("1957-05-14"), Some("samordningsnummer"))
        );
    }
);

both!(
    an_invalid_personal_number_gets_422_naming_the_field_in_both_languages,
    |db| async move {
        let app = app(db).await;
        for (number, code) in [
            ("19121212-1213", "invalid_check_digit"),
            ("20990101-1234", "future_date"),
            ("900230-1233", "invalid_date"),
            ("20150916-0006", "invalid_birth_number"),
            ("hello", "invalid_format"),
            ("", "required"),
        ] {
            let r = app
                .post(
                    "/api/v1/clients",
                    "cm",
                    json!({"personal_number": number, "given_name": "A", "family_name": "B"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{number}");
            assert_eq!(
                error(&r),
                (code, Some("personal_number")),
                "{number}: {}",
                r.text
            );
            assert!(!r.json["error"]["message_sv"].as_str().unwrap().is_empty());
            assert!(!r.json["error"]["message_en"].as_str().unwrap().is_empty());
        }
    }
);

both!(a_future_birth_date_is_refused, |db| async move {
    let app = app(db).await;
    let next_year = chrono::Utc::now().date_naive() + chrono::Duration::days(400);
    let number = format!("{}-R001", next_year.format("%Y%m%d"));
    let r = app
        .post(
            "/api/v1/clients",
            "cm",
            json!({"personal_number": number, "given_name": "A", "family_name": "B"}),
        )
        .await;
    assert_eq!(error(&r), ("future_date", Some("personal_number")));
});

both!(
    several_invalid_fields_are_all_reported_and_nothing_is_saved,
    |db| async move {
        let app = app(db).await;
        let r = app
            .post(
                "/api/v1/clients",
                "head",
                json!({"personal_number": "19121212-1212", "sex": "other", "phone": "ring mig"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = error_fields(&r);
        assert_eq!(fields, ["given_name", "family_name", "sex", "phone"]);
        assert_eq!(app.get("/api/v1/clients", "head").await.json["total"], 0);
    }
);

both!(
    the_same_personal_number_twice_is_409_and_the_first_client_is_untouched,
    |db| async move {
        let app = app(db).await;
        let id = app.client("head", "19121212-1212").await;
        let r = app
            .post(
                "/api/v1/clients",
                "head",
                json!({"personal_number": "121212+1212", "given_name": "X", "family_name": "Y"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(error(&r), ("already_exists", Some("personal_number")));
        assert_eq!(
            r.json["error"]["message_en"],
            "A client with this number is already registered."
        );
        let list = app.get("/api/v1/clients", "head").await;
        assert_eq!(list.json["total"], 1);
        assert_eq!(list.json["items"][0]["id"], id);
        assert_eq!(list.json["items"][0]["given_name"], "Test");
    }
);

both!(an_unknown_or_malformed_id_is_404, |db| async move {
    let app = app(db).await;
    for uri in [
        "/api/v1/clients/999999",
        "/api/v1/clients/abc",
        "/api/v1/clients/-1",
        "/api/v1/clients/0",
    ] {
        let r = app.get(uri, "head").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(error(&r).0, "not_found");
    }
    assert_eq!(
        app.get("/api/v1/nothing-here", "head").await.status,
        StatusCode::NOT_FOUND
    );
});

both!(the_list_is_paginated_in_name_order, |db| async move {
    let app = app(db).await;
    for (i, family) in ["Öberg", "Andersson", "Berg", "Dahl", "Ek"]
        .iter()
        .enumerate()
    {
        let r = app
            .post("/api/v1/clients", "head", json!({"personal_number": format!("1980010{}-R00{i}", i + 1), "given_name": "A", "family_name": family}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = app.get("/api/v1/clients?limit=2&offset=1", "head").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        (
            r.json["total"].as_i64(),
            r.json["limit"].as_i64(),
            r.json["offset"].as_i64()
        ),
        (Some(5), Some(2), Some(1))
    );
    let names: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["family_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Berg", "Dahl"]);
    for bad in ["limit=0", "limit=501", "limit=abc", "offset=-1"] {
        let r = app.get(&format!("/api/v1/clients?{bad}"), "head").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(error(&r).1, Some(bad.split('=').next().unwrap()));
    }
});

both!(
    a_protected_identity_hides_name_and_address_from_users_without_the_right,
    |db| async move {
        let app = app(db).await;
        let r = app
        .post(
            "/api/v1/clients",
            "head",
            json!({"personal_number": "19800101-R001", "given_name": "Hemlig", "family_name": "Person",
                   "protection": "protected_registration", "address": "Gömd väg 1"}),
        )
        .await;
        let id = r.json["id"].as_i64().unwrap();
        // The unit head has the right and sees everything.
        assert_eq!(r.json["given_name"], "Hemlig");
        assert_eq!(
            app.get(&format!("/api/v1/clients/{id}"), "head").await.json["address"],
            "Gömd väg 1"
        );
        let r = app
            .post(
                "/api/v1/cases",
                "head",
                json!({"client_id": id, "case_manager": "cm"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let seen = app.get(&format!("/api/v1/clients/{id}"), "cm").await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.json["given_name"], "(skyddad)");
        assert_eq!(seen.json["family_name"], "(skyddad)");
        assert_eq!(seen.json["address"], Value::Null);
        assert!(!seen.text.contains("Hemlig") && !seen.text.contains("Gömd"));
    }
);

both!(
    every_client_read_and_write_lands_in_the_access_log,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        app.get(&format!("/api/v1/clients/{id}"), "cm").await;
        app.get("/api/v1/clients", "cm").await;
        app.get(&format!("/api/v1/clients/{id}"), "cm2").await;
        let log = app.audit_for(id).await;
        let expected: Vec<(String, String)> = [
            ("client_create", "head"),
            ("case_open", "head"),
            ("client_read", "cm"),
            ("client_list", "cm"),
            ("access_denied", "cm2"),
        ]
        .iter()
        .map(|(a, u)| ((*a).to_owned(), (*u).to_owned()))
        .collect();
        assert_eq!(log, expected);
        assert!(app.audit_verifies().await);
    }
);

both!(
    a_failed_write_leaves_no_audit_entry_and_no_row,
    |db| async move {
        let app = app(db).await;
        app.client("head", "19121212-1212").await;
        let before = app.audit_for(1).await.len();
        let r = app.api(Method::POST, "/api/v1/clients", Some("head"), Some(json!({"personal_number": "19121212-1212", "given_name": "A", "family_name": "B"}))).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(app.audit_for(1).await.len(), before);
        assert_eq!(app.get("/api/v1/clients", "head").await.json["total"], 1);
    }
);

both!(
    a_clients_details_are_corrected_and_the_log_names_the_fields,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19700101-R001").await;
        let uri = format!("/api/v1/clients/{id}");
        let put = |user: &'static str, body: serde_json::Value| {
            let (app, uri) = (&app, uri.clone());
            async move {
                app.api(axum::http::Method::PUT, &uri, Some(user), Some(body))
                    .await
            }
        };
        // The identity is established: the reservnummer becomes the personnummer.
        let r = put(
            "cm",
            json!({"personal_number": "19121212-1212", "given_name": "Test", "family_name": "Klient",
                   "address": "Storgatan 1", "phone": "070-123 45 67"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["personal_number"], "191212121212");
        assert_eq!(r.json["personal_number_kind"], "personnummer");
        assert_eq!(r.json["birth_date"], "1912-12-12");
        assert_eq!(r.json["address"], "Storgatan 1");
        let update = app.audit_entry(id, "client_update").await;
        assert!(
            update
                .detail
                .ends_with("changed=personal_number,sex,address,phone"),
            "{}",
            update.detail
        );
        assert!(!update.detail.contains("Storgatan"), "no values in the log");
        // Wrong fields are all named, and nothing changes.
        let r = put(
            "cm",
            json!({"personal_number": "19121212-1213", "given_name": "", "family_name": "Klient", "phone": "ring mig"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let fields = error_fields(&r);
        assert_eq!(fields, ["personal_number", "given_name", "phone"]);
        // Another client's number is a conflict.
        app.client("head", "19800101-R002").await;
        let r = put(
            "cm",
            json!({"personal_number": "19800101-R002", "given_name": "Test", "family_name": "Klient"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(error(&r), ("already_exists", Some("personal_number")));
        let seen = app.get(&uri, "cm").await;
        assert_eq!(seen.json["personal_number"], "191212121212");
        assert_eq!(seen.json["phone"], "070-123 45 67");
        // Only those who may write the client.
        let body =
            json!({"personal_number": "19121212-1212", "given_name": "X", "family_name": "Y"});
        assert_eq!(put("cm2", body.clone()).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            put("head_b", body.clone()).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            put("analyst", body.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(put("head", body).await.status, StatusCode::OK);
    }
);

both!(
    a_protected_identity_is_not_changed_by_someone_who_may_not_see_it,
    |db| async move {
        let app = app(db).await;
        let r = app
            .post(
                "/api/v1/clients",
                "head",
                json!({"personal_number": "19121212-1212", "given_name": "Hemlig", "family_name": "Person",
                       "protection": "protected_registration"}),
            )
            .await;
        let id = r.json["id"].as_i64().unwrap();
        app.post(
            "/api/v1/cases",
            "head",
            json!({"client_id": id, "case_manager": "cm"}),
        )
        .await;
        let body = json!({"personal_number": "19121212-1212", "given_name": "(skyddad)", "family_name": "(skyddad)",
                          "protection": "protected_registration"});
        let r = app
            .api(
                axum::http::Method::PUT,
                &format!("/api/v1/clients/{id}"),
                Some("cm"),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let seen = app.get(&format!("/api/v1/clients/{id}"), "head").await;
        assert_eq!(seen.json["given_name"], "Hemlig");
        let log = app.audit_for(id).await;
        assert!(
            log.contains(&("access_denied".to_owned(), "cm".to_owned())),
            "{log:?}"
        );
    }
);

both!(
    the_details_form_corrects_a_client_without_javascript,
    |db| async move {
        use super::pages::{form, hidden_csrf, login, page};
        let app = app(db).await;
        let id = app.assigned_client("cm", "19700101-R001").await;
        let (_, session) = login(&app, "cm", PASSWORD).await;
        let cm = format!("vaka_session={}", session.unwrap());
        let client_page = page(&app, &format!("/clients/{id}"), &cm).await;
        assert!(
            client_page
                .text
                .contains(&format!("href=\"/clients/{id}/edit\""))
        );
        let shown = page(&app, &format!("/clients/{id}/edit"), &cm).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert!(
            shown.text.contains("value=\"Klient\""),
            "filled in as it is now"
        );
        let csrf = hidden_csrf(&shown.text);
        let uri = format!("/clients/{id}/edit");
        assert_eq!(
            form(&app, &uri, &cm, "personal_number=19121212-1212")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = form(
            &app,
            &uri,
            &cm,
            &format!("csrf={csrf}&personal_number=19700101-R001&given_name=Test&family_name=Klient&protection=none&phone=ring+mig"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("href=\"#f-phone\""), "{}", r.text);
        let r = form(
            &app,
            &uri,
            &cm,
            &format!("csrf={csrf}&personal_number=19700101-R001&given_name=Test&family_name=Klientsson&protection=none&phone=070-1234567"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], format!("/clients/{id}"));
        let after = page(&app, &format!("/clients/{id}"), &cm).await;
        assert!(after.text.contains("Klientsson") && after.text.contains("070-1234567"));
        let (_, session) = login(&app, "cm2", PASSWORD).await;
        let cm2 = format!("vaka_session={}", session.unwrap());
        assert_eq!(page(&app, &uri, &cm2).await.status, StatusCode::NOT_FOUND);
    }
);

both!(
    a_client_moves_to_another_unit_with_the_open_cases,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let at = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
        app.post(
            &format!("/api/v1/clients/{id}/contacts"),
            "cm",
            json!({"occurred_at": at, "kind": "meeting", "substance_use": "relapse",
                   "well_being": 6, "housing": "own", "signed": true}),
        )
        .await;
        let uri = format!("/api/v1/clients/{id}/transfer");
        let other = app.other_unit.0;
        // Only the unit head of the client's unit.
        assert_eq!(
            app.post(&uri, "cm", json!({"unit_id": other})).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post(&uri, "head_b", json!({"unit_id": other}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        for user in ["cm2", "admin", "analyst", "auditor"] {
            let r = app.post(&uri, user, json!({"unit_id": other})).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
        for (body, code) in [
            (json!({}), "required"),
            (json!({"unit_id": 999_999}), "unknown_unit"),
            (json!({"unit_id": app.unit.0}), "same_unit"),
            (json!({"unit_id": "B"}), "invalid_type"),
        ] {
            let r = app.post(&uri, "head", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(error(&r), (code, Some("unit_id")), "{body}");
        }
        let r = app.post(&uri, "head", json!({"unit_id": other})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["unit_id"], other);
        assert!(
            app.audit_entry(id, "client_transfer")
                .await
                .detail
                .ends_with(&format!("to_unit={other}"))
        );
        // The sending unit no longer reaches the client; the receiving head does, and sees that
        // no case manager follows them yet.
        for user in ["head", "cm"] {
            assert_eq!(
                app.get(&format!("/api/v1/clients/{id}"), user).await.status,
                StatusCode::NOT_FOUND,
                "{user}"
            );
        }
        assert_eq!(
            app.get(&format!("/api/v1/clients/{id}"), "head_b")
                .await
                .status,
            StatusCode::OK
        );
        let cases = app.get("/api/v1/clients", "head_b").await;
        assert_eq!(cases.json["total"], 1, "{}", cases.text);
        assert_eq!(
            app.get("/api/v1/alerts", "cm").await.json["items"],
            json!([])
        );
        // The receiving head names a case manager of their unit; the alert follows.
        let case = {
            let mut tx = app.db.store.begin().await.unwrap();
            let list = vaka_store::cases::for_client(&mut tx, vaka_domain::ids::ClientId(id))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(list[0].unit_id, app.other_unit);
            assert!(list[0].case_managers.is_empty());
            list[0].id.0
        };
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/reassign"),
                "head_b",
                json!({"case_manager": "cm_b"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            app.get("/api/v1/alerts", "cm_b").await.json["items"][0]["client_id"],
            id
        );
    }
);

both!(
    the_transfer_form_moves_a_client_without_javascript,
    |db| async move {
        use super::pages::{form, hidden_csrf, login, page};
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let (_, session) = login(&app, "head", PASSWORD).await;
        let head = format!("vaka_session={}", session.unwrap());
        let client_page = page(&app, &format!("/clients/{id}"), &head).await;
        assert!(
            client_page
                .text
                .contains(&format!("href=\"/clients/{id}/transfer\""))
        );
        let uri = format!("/clients/{id}/transfer");
        let shown = page(&app, &uri, &head).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        let other = app.other_unit.0;
        assert!(
            shown.text.contains(&format!("value=\"{other}\"")),
            "the other unit"
        );
        assert!(
            !shown.text.contains(&format!("value=\"{}\"", app.unit.0)),
            "not the client's own unit"
        );
        let csrf = hidden_csrf(&shown.text);
        assert_eq!(
            form(&app, &uri, &head, &format!("unit_id={other}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = form(&app, &uri, &head, &format!("csrf={csrf}&unit_id=")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("href=\"#f-unit_id\""), "{}", r.text);
        let r = form(&app, &uri, &head, &format!("csrf={csrf}&unit_id={other}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], "/caseload");
        assert_eq!(
            page(&app, &format!("/clients/{id}"), &head).await.status,
            StatusCode::NOT_FOUND
        );
        // A case manager has no such page.
        let (_, session) = login(&app, "cm2", PASSWORD).await;
        let cm = format!("vaka_session={}", session.unwrap());
        assert_ne!(page(&app, &uri, &cm).await.status, StatusCode::OK);
    }
);
