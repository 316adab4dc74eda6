//! Issue 7's measures through the API: aggregates for unit heads and analysts only, each withheld
//! under 5 people — on SQLite and PostgreSQL.

use axum::http::StatusCode;
use serde_json::json;
use vaka_store::both;

use super::*;

both!(
    measures_are_aggregates_for_heads_and_analysts_and_small_groups_are_withheld,
    |db| async move {
        let app = app(db).await;
        // Six people each spent January 2024 in a treatment home, ended as planned; two came back
        // to outpatient care 100 days later, and one reported a relapse 30 days after starting.
        let mut clients = Vec::new();
        for i in 0..6 {
            let pn = [
                "19121212-1212",
                "19800101-0027",
                "19750315-1230",
                "19660606-6667",
                "19900909-9905",
                "19551231-1233",
            ][i];
            clients.push(app.client("head", pn).await);
        }
        for (i, c) in clients.iter().enumerate() {
            let r = app.post("/api/v1/placements", "head", json!({"client_id": c, "intervention": "treatment_home",
                "start": "2024-01-01", "end": "2024-01-31", "end_reason": "completed_as_planned", "daily_price_ore": 200000})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            if i < 2 {
                let r = app
                    .post(
                        "/api/v1/placements",
                        "head",
                        json!({"client_id": c, "intervention": "outpatient",
                    "start": "2024-05-10", "daily_price_ore": 50000}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            }
        }
        let r = app.post(&format!("/api/v1/clients/{}/contacts", clients[5]), "head", json!({"occurred_at": "2024-01-31T10:00:00Z",
            "kind": "phone", "substance_use": "relapse", "substances": ["alcohol"], "housing": "own", "signed": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

        for user in ["head", "analyst"] {
            assert_eq!(
                app.get("/api/v1/measures", user).await.status,
                StatusCode::OK
            );
        }
        for user in ["cm", "admin", "auditor"] {
            assert_eq!(
                app.get("/api/v1/measures", user).await.status,
                StatusCode::FORBIDDEN,
                "{user}"
            );
        }
        let r = app
            .get("/api/v1/measures?from=2023-01-01&to=2024-12-31", "analyst")
            .await;
        let th = r.json["by_intervention"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["intervention"] == "treatment_home")
            .unwrap()
            .clone();
        assert_eq!(th["people"], 6);
        assert_eq!(th["lengths"]["median"], 30.0);
        assert_eq!(th["lengths"]["end_reasons"]["completed_as_planned"], 6);
        assert_eq!(th["relapse_free"]["relapses"], 1);
        assert_eq!(th["returns"]["exits"], 6);
        assert_eq!(th["returns"]["band_0_180"], 2);
        assert_eq!(th["returns"]["within_180"]["successes"], 2);
        assert_eq!(th["returns"]["within_180"]["n"], 6);
        // Two people in outpatient care: everything about them is withheld.
        let op = r.json["by_intervention"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["intervention"] == "outpatient")
            .unwrap()
            .clone();
        assert_eq!(
            op["people"],
            json!({"suppressed": true, "reason": "fewer than 5 people"})
        );
        assert_eq!(op["lengths"]["suppressed"], true);
        assert_eq!(op["relapse_free"]["at_6_months"]["suppressed"], true);
        // No names or personal numbers anywhere in the answer.
        assert!(
            !r.text.contains("1212")
                && !r.text.contains("given_name")
                && !r.text.contains("client_id")
        );
        // The committee report as a page: the same figures, no names, for heads and analysts.
        let (_, session) = super::pages::login(&app, "analyst", PASSWORD).await;
        let cookie = format!("vaka_session={}", session.unwrap());
        let page = super::pages::page(
            &app,
            "/reports/committee?from=2024-01-01&to=2024-12-31",
            &cookie,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("underlag till socialnämnden"));
        assert!(
            page.text
                .contains("Behandlingshem/HVB</td><td class=\"num\">6</td>"),
            "{}",
            page.text
        );
        assert!(
            page.text
                .contains("<td>Öppenvård</td><td class=\"num\">–*</td>"),
            "{}",
            page.text
        );
        assert!(!page.text.contains("<style>") && !page.text.contains("Klient"));
        let pdf = super::pages::page(
            &app,
            "/reports/committee?from=2024-01-01&to=2024-12-31&format=pdf",
            &cookie,
        )
        .await;
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.text.starts_with("%PDF-"));
        let (_, session) = super::pages::login(&app, "cm", PASSWORD).await;
        let cookie = format!("vaka_session={}", session.unwrap());
        assert_eq!(
            super::pages::page(&app, "/reports/committee", &cookie)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let (_, session) = super::pages::login(&app, "head", PASSWORD).await;
        let cookie = format!("vaka_session={}", session.unwrap());
        let bad = super::pages::page(
            &app,
            "/reports/committee?from=2025-01-01&to=2024-01-01",
            &cookie,
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .get("/api/v1/measures?from=2025-01-01&to=2024-01-01", "analyst")
            .await;
        assert_eq!(
            (r.status, error(&r).1),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("to"))
        );
        let r = app.get("/api/v1/measures?from=igår", "analyst").await;
        assert_eq!(
            (r.status, error(&r).1),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
        );
    }
);
