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
    let fields: Vec<&str> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
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
