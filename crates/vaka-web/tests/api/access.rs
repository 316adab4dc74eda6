use axum::http::StatusCode;
use serde_json::json;
use vaka_store::both;

use super::*;

both!(
    a_case_manager_asking_for_another_managers_client_learns_nothing,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let theirs = app.get(&format!("/api/v1/clients/{id}"), "cm2").await;
        let unknown = app.get("/api/v1/clients/999999", "cm2").await;
        // The same answer as for an id that does not exist: not even existence leaks.
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        assert_eq!(theirs.json, unknown.json);
        assert!(!theirs.text.contains("1912"));
        assert_eq!(app.get("/api/v1/clients", "cm2").await.json["total"], 0);
    }
);

both!(a_unit_head_sees_the_own_unit_only, |db| async move {
    let app = app(db).await;
    let a = app.assigned_client("cm", "19121212-1212").await;
    let b = app.assigned_client("cm_b", "19800101-R001").await;
    assert_eq!(
        app.get(&format!("/api/v1/clients/{a}"), "head")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/clients/{b}"), "head")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/clients/{b}"), "head_b")
            .await
            .status,
        StatusCode::OK
    );
    let list = app.get("/api/v1/clients", "head").await;
    assert_eq!(list.json["total"], 1);
    assert_eq!(list.json["items"][0]["id"], a);
});

both!(
    admin_analyst_and_auditor_read_no_client_content,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        for user in ["admin", "analyst", "auditor"] {
            assert_eq!(
                app.get(&format!("/api/v1/clients/{id}"), user).await.status,
                StatusCode::NOT_FOUND,
                "{user}"
            );
            assert_eq!(
                app.get("/api/v1/clients", user).await.status,
                StatusCode::FORBIDDEN,
                "{user}"
            );
            let r = app.post("/api/v1/clients", user, json!({"personal_number": "19800101-R002", "given_name": "A", "family_name": "B"})).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
    }
);

both!(the_api_answers_401_without_a_valid_token, |db| async move {
    let app = app(db).await;
    use axum::http::{Method, Request, header};
    let r = app.api(Method::GET, "/api/v1/clients", None, None).await;
    assert_eq!(
        (r.status, error(&r).0),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    for value in ["Bearer nope", "Basic abc", "Bearer ", "vaka_xyz"] {
        let req = Request::get("/api/v1/clients")
            .header(header::AUTHORIZATION, value)
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(
            app.send(req).await.status,
            StatusCode::UNAUTHORIZED,
            "{value}"
        );
    }
    // A revoked token stops working at once.
    let mut tx = app.db.store.begin().await.unwrap();
    vaka_store::tokens::revoke(&mut tx, &vaka_web::auth::token_hash(app.token("head")))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        app.get("/api/v1/clients", "head").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .api(Method::POST, "/api/v1/clients", None, Some(json!({})))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

both!(
    every_api_route_refuses_a_request_without_a_token,
    |db| async move {
        let app = app(db).await;
        let doc = app
            .api(axum::http::Method::GET, "/api/v1/openapi.json", None, None)
            .await;
        let paths = doc.json["paths"].as_object().unwrap();
        assert!(!paths.is_empty());
        for (path, item) in paths {
            for method in item.as_object().unwrap().keys() {
                let uri = path.replace("{id}", "1");
                let m: axum::http::Method = method.to_uppercase().parse().unwrap();
                let r = app.api(m, &uri, None, Some(json!({}))).await;
                assert_eq!(
                    r.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} answered without a token"
                );
            }
        }
    }
);
