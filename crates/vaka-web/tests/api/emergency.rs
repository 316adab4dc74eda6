use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use vaka_store::both;
use vaka_web::WebConfig;

use super::pages::{form, hidden_csrf, login, page};
use super::*;

both!(
    emergency_access_opens_a_client_for_reading_with_a_logged_reason,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let uri = format!("/api/v1/clients/{id}");
        assert_eq!(app.get(&uri, "cm2").await.status, StatusCode::NOT_FOUND);
        let ask = format!("/api/v1/clients/{id}/emergency-access");
        let r = app.post(&ask, "cm2", json!({"reason": "kort"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&r), ("reason_too_short", Some("reason")));
        let r = app.post(&ask, "cm2", json!({})).await;
        assert_eq!(error(&r), ("required", Some("reason")));
        let r = app
            .post(
                &ask,
                "cm2",
                json!({"reason": "Klienten ringer i kris, ordinarie handläggare är sjuk"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert!(r.json["expires_at"].is_string());
        let seen = app.get(&uri, "cm2").await;
        assert_eq!(seen.status, StatusCode::OK);
        // Reading only: emergency access never lets anyone write.
        let write = app
            .post(
                "/api/v1/cases",
                "cm_b",
                json!({"client_id": id, "case_manager": "cm_b"}),
            )
            .await;
        assert_eq!(write.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut tx = app.db.store.begin().await.unwrap();
        let log = vaka_store::audit::for_client(&mut tx, vaka_domain::ids::ClientId(id), 100)
            .await
            .unwrap();
        let read = log
            .iter()
            .find(|e| e.action_name == "client_read" && e.entry.username == "cm2")
            .unwrap();
        assert_eq!(
            read.entry.emergency_reason.as_deref(),
            Some("Klienten ringer i kris, ordinarie handläggare är sjuk")
        );
        let granted = log
            .iter()
            .find(|e| e.action_name == "emergency_access")
            .unwrap();
        assert_eq!(granted.entry.username, "cm2");
        assert!(granted.entry.emergency_reason.is_some());
        // Ordinary reads carry no reason.
        drop(tx);
        app.get(&uri, "cm").await;
        let mut tx = app.db.store.begin().await.unwrap();
        let log = vaka_store::audit::for_client(&mut tx, vaka_domain::ids::ClientId(id), 1)
            .await
            .unwrap();
        assert_eq!(
            (
                log[0].entry.username.as_str(),
                log[0].entry.emergency_reason.as_deref()
            ),
            ("cm", None)
        );
    }
);

both!(emergency_access_ends_when_its_time_is_up, |db| async move {
    let app = app_with(
        db,
        WebConfig {
            emergency_duration: Duration::from_millis(700),
            ..WebConfig::default()
        },
    )
    .await;
    let id = app.assigned_client("cm_b", "19121212-1212").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{id}/emergency-access"),
            "head",
            json!({"reason": "Akut, polisen ringer om klienten"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        app.get(&format!("/api/v1/clients/{id}"), "head")
            .await
            .status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        app.get(&format!("/api/v1/clients/{id}"), "head")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

both!(
    only_client_work_may_ask_for_emergency_access,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        for user in ["admin", "analyst", "auditor"] {
            let r = app
                .post(
                    &format!("/api/v1/clients/{id}/emergency-access"),
                    user,
                    json!({"reason": "Jag vill bara titta lite"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
            assert_eq!(
                app.get(&format!("/api/v1/clients/{id}"), user).await.status,
                StatusCode::NOT_FOUND
            );
        }
        let r = app
            .post(
                "/api/v1/clients/999999/emergency-access",
                "cm2",
                json!({"reason": "Akut behov av uppgifter"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

both!(
    the_ui_offers_emergency_access_and_shows_it_on_the_page,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let (_, s) = login(&app, "cm2", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        let denied = page(&app, &format!("/clients/{id}"), &cookie).await;
        let unknown = page(&app, "/clients/999999", &cookie).await;
        assert_eq!(
            (denied.status, unknown.status),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
        );
        assert!(denied.text.contains("Nödåtkomst") && unknown.text.contains("Nödåtkomst"));
        let csrf = hidden_csrf(&denied.text);
        let short = form(
            &app,
            &format!("/clients/{id}/emergency-access"),
            &cookie,
            &format!("csrf={csrf}&reason=kort"),
        )
        .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.text.contains("minst 10 tecken"));
        let forged = form(
            &app,
            &format!("/clients/{id}/emergency-access"),
            &cookie,
            "csrf=forged&reason=Akut+behov+av+uppgifter",
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let ok = form(
            &app,
            &format!("/clients/{id}/emergency-access"),
            &cookie,
            &format!("csrf={csrf}&reason=Akut+behov+av+uppgifter"),
        )
        .await;
        assert_eq!(
            (ok.status, ok.headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, format!("/clients/{id}").as_str())
        );
        let open = page(&app, &format!("/clients/{id}"), &cookie).await;
        assert_eq!(open.status, StatusCode::OK);
        assert!(
            open.text.contains("Öppnad med nödåtkomst")
                && open.text.contains("Akut behov av uppgifter")
        );
        // An auditor is not offered the form.
        let (_, s) = login(&app, "auditor", PASSWORD).await;
        let r = page(
            &app,
            &format!("/clients/{id}"),
            &format!("vaka_session={}", s.unwrap()),
        )
        .await;
        assert!(!r.text.contains("emergency-access"));
    }
);
