//! Issue 9: a person's data request on the unit head's page — everything held shown for review,
//! rows and fields about others withheld, the extract as PDF or JSON, each step logged.

use axum::http::StatusCode;
use serde_json::json;
use vaka_store::both;

use super::pages::{form, hidden_csrf, login, page};
use super::*;

async fn session(app: &App, user: &str) -> (String, String) {
    let (_, s) = login(app, user, PASSWORD).await;
    let cookie = format!("vaka_session={}", s.expect("a session"));
    let csrf = hidden_csrf(&page(app, "/caseload", &cookie).await.text);
    (cookie, csrf)
}

both!(
    a_unit_head_reviews_withholds_and_extracts_a_persons_file,
    |db| async move {
        let app = app(db).await;
        let client = app.assigned_client("cm", "19121212-1212").await;
        let journal = format!("/api/v1/clients/{client}/contacts");
        let entry = |note: &str| {
            json!({"occurred_at": vaka_store::now().to_rfc3339(), "kind": "meeting",
                "substance_use": "none", "well_being": 6, "housing": "own", "note": note,
                "signed": true})
        };
        let other = app
            .post(
                &journal,
                "cm",
                entry("Grannen Stina Berg klagade på oväsen"),
            )
            .await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
        let other_id = other.json["id"].as_i64().unwrap();
        app.post(&journal, "cm", entry("Bra samtal om målen")).await;

        // Only those who decide for the unit: a case manager, an analyst and an auditor are refused.
        for user in ["cm", "analyst", "auditor"] {
            let (cookie, _) = session(&app, user).await;
            let r = page(&app, &format!("/clients/{client}/extract"), &cookie).await;
            assert!(
                r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
                "{user}: {}",
                r.status
            );
        }
        let (head, csrf) = session(&app, "head").await;
        let client_page = page(&app, &format!("/clients/{client}"), &head).await;
        assert!(
            client_page
                .text
                .contains(&format!("/clients/{client}/extract"))
        );
        let review = page(&app, &format!("/clients/{client}/extract"), &head).await;
        assert_eq!(review.status, StatusCode::OK);
        assert!(review.text.contains("Grannen Stina Berg") && review.text.contains("Klient"));
        let field = format!("contacts.{other_id}.note");
        assert!(review.text.contains(&format!("value=\"{field}\"")));

        // Without the form token: refused.
        let r = form(
            &app,
            &format!("/clients/{client}/extract"),
            &head,
            &format!("csrf=wrong&withhold={field}&format=json"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = form(
            &app,
            &format!("/clients/{client}/extract"),
            &head,
            &format!("csrf={csrf}&withhold={field}&format=json"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("registerutdrag")
        );
        assert!(!r.text.contains("Stina Berg"), "withheld");
        assert!(r.text.contains("Bra samtal om målen") && r.text.contains("OSL 26 kap. 1"));
        let extract: Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(extract["withheld"], 1);
        assert!(
            extract["access_log"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "data_request"),
            "the review was logged and is in the extract"
        );
        // A mark that names nothing: the review again with the reason, nothing handed out.
        let r = form(
            &app,
            &format!("/clients/{client}/extract"),
            &head,
            &format!("csrf={csrf}&withhold=contacts.99999999&format=json"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("role=\"alert\""));
        let r = form(
            &app,
            &format!("/clients/{client}/extract"),
            &head,
            &format!("csrf={csrf}&withhold=contacts.{other_id}&format=pdf"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "application/pdf");
        let log: Vec<_> = app
            .audit_for(client)
            .await
            .into_iter()
            .filter(|(action, _)| action == "data_request")
            .collect();
        assert!(log.len() >= 4, "{log:?}");
        assert!(app.audit_verifies().await);
    }
);
