use axum::http::{Method, StatusCode};
use serde_json::json;
use vaka_store::both;

use crate::{app, error};

both!(
    retention_holds_are_settings_checked_and_logged,
    |db| async move {
        let app = app(db).await;
        let got = app.get("/api/v1/settings/retention", "head").await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text);
        assert_eq!(
            got.json,
            json!({"research_municipality": false, "hold": null, "client_holds": {}})
        );
        for user in ["cm", "analyst", "auditor"] {
            assert_eq!(
                app.get("/api/v1/settings/retention", user).await.status,
                StatusCode::FORBIDDEN
            );
        }
        let id = app.client("head", "19121212-1212").await;
        let put = |body: serde_json::Value| {
            let app = &app;
            async move {
                app.api(
                    Method::PUT,
                    "/api/v1/settings/retention",
                    Some("head"),
                    Some(body),
                )
                .await
            }
        };
        // An unknown client refuses the whole change, named by its key; nothing is half-written.
        let bad = put(
            json!({"hold": "IVO-tillsyn", "client_holds": {(id.to_string()): "JO", "999999": "x"}}),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
        assert_eq!(error(&bad), ("unknown_client", Some("client_holds.999999")));
        let bad = put(json!({"holds": "x"})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
        assert_eq!(
            app.get("/api/v1/settings/retention", "head").await.json["hold"],
            serde_json::Value::Null
        );
        let ok = put(json!({"hold": "IVO-tillsyn", "research_municipality": true,
            "client_holds": {(id.to_string()): "JO-anmälan"}}))
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        assert_eq!(
            ok.json,
            json!({"research_municipality": true, "hold": "IVO-tillsyn",
                "client_holds": {(id.to_string()): "JO-anmälan"}})
        );
        // "" lifts a hold.
        let lifted = put(json!({"hold": "", "client_holds": {(id.to_string()): ""}})).await;
        assert_eq!(
            lifted.json,
            json!({"research_municipality": true, "hold": null, "client_holds": {}})
        );
        assert!(app.audit_verifies().await);
    }
);
