//! Issue 5 end to end through the API: application and advice, a decision that departs and its
//! justifications, appeal, letter, placement at the contract price, invoices, end, budget and
//! housing — on SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use vaka_store::both;

use super::*;

const ORG: &str = "556036-0793";
const OTHER_ORG: &str = "202100-5489";

async fn provider(app: &App) -> i64 {
    let r = app
        .post(
            "/api/v1/providers",
            "head",
            json!({"name": "Behandlingshemmet Ekbacken AB", "organisation_number": ORG}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/providers/{id}/contracts"),
            "head",
            json!({"reference": "RA-2025-HVB", "valid_from": "2025-01-01", "valid_to": "2026-12-31",
                   "prices": {"treatment_home": 250000}, "required_educated_staff_pct": 60,
                   "sobriety_policy": true, "reports_results": true, "methods": ["cbt", "twelve_step_facilitation"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    id
}

async fn import(app: &App, user: &str, csv: &str) -> Reply {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/invoices?filename=ekbacken-2025-05.csv")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.token(user)))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv.to_owned()))
            .unwrap(),
    )
    .await
}

both!(
    a_case_goes_from_application_to_decision_placement_invoice_end_and_budget,
    |db| async move {
        let app = app(db).await;
        let provider = provider(&app).await;
        let client = app.assigned_client("cm", "19121212-1212").await;

        // The case manager records the application and the psychiatrist's advice.
        let r = app
            .post("/api/v1/applications", "cm", json!({"client_id": client, "intervention": "treatment_home",
                "description": "Jag vill till behandlingshem, jag klarar inte att vara hemma.", "received_on": "2025-02-01"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = app
            .post("/api/v1/recommendations", "cm", json!({"client_id": client, "intervention": "treatment_home",
                "profession": "psychiatrist", "recommended_on": "2025-02-10", "recommender_name": "Dr P, Psykiatrimottagningen",
                "document_ref": "Journalkopia 2025-02-10"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

        // A case manager may not decide; a refusal needs a justification per departure.
        let refusal = json!({"client_id": client, "intervention": "treatment_home", "outcome": "refused",
            "reasons": "Utredningen visar att behovet kan mötas med öppenvård och boendestöd.",
            "decided_on": "2025-03-01", "notified_on": "2025-03-03"});
        assert_eq!(
            app.post("/api/v1/decisions", "cm", refusal.clone())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = app.post("/api/v1/decisions", "head", refusal.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(
            r.json["error"]["field"],
            "departure_justifications.application"
        );
        let fields = error_fields(&r);
        assert_eq!(
            fields,
            [
                "departure_justifications.application",
                "departure_justifications.recommendation"
            ]
        );
        let mut justified = refusal.clone();
        justified["departure_justifications"] = json!({
            "application": "Öppenvården på hemorten kan ge daglig kontakt utan att du flyttar.",
            "recommendation": "Psykiaterns behandlingsbehov möts av öppenvårdens beroendeteam."});
        // Nothing was saved by the refused attempt.
        assert_eq!(
            app.get(&format!("/api/v1/decisions?client_id={client}"), "head")
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        let r = app.post("/api/v1/decisions", "head", justified).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["departs_from_application"], true);
        assert_eq!(r.json["departs_from_recommendation"], true);
        // Three weeks from Monday 3 March 2025 is Monday 24 March.
        assert_eq!(r.json["appeal_deadline"], "2025-03-24");
        assert_eq!(r.json["appeal_status"], "final");
        assert!(
            r.json["legal_basis"].as_str().unwrap().contains("2001:453"),
            "the law in force on 2025-03-01"
        );
        let refused = r.json["id"].as_i64().unwrap();

        // The departures list of the unit head shows it; another unit's head sees neither it nor the client.
        let list = app.get("/api/v1/decisions?departures=true", "head").await;
        assert_eq!(list.json["items"][0]["id"], refused);
        assert_eq!(
            app.get("/api/v1/decisions?departures=true", "head_b")
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            app.get(&format!("/api/v1/decisions/{refused}"), "head_b")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = app.post("/api/v1/decisions", "head_b", refusal).await;
        assert_eq!(
            (r.status, r.json["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("client_id"))
        );

        // The letter: Swedish, the reasons, the departures, how to appeal and by when.
        let letter = app
            .get(&format!("/api/v1/decisions/{refused}/letter"), "cm")
            .await;
        assert_eq!(letter.status, StatusCode::OK);
        for needle in [
            "Din ansökan om behandlingshem (HVB) avslås.",
            "Skäl för beslutet",
            "skiljer sig från din ansökan",
            "Hur du överklagar",
            "förvaltningsrätten",
            "senast den 2025-03-24",
            "Test Klient",
            "19121212-1212",
        ] {
            assert!(letter.text.contains(needle), "{needle}");
        }
        let pdf = app
            .get(
                &format!("/api/v1/decisions/{refused}/letter?format=pdf"),
                "head",
            )
            .await;
        assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
        assert!(pdf.text.starts_with("%PDF-"));
        assert_eq!(
            app.get(
                &format!("/api/v1/decisions/{refused}/letter?format=doc"),
                "head"
            )
            .await
            .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // The client appeals in time; the court changes the decision.
        let r = app
            .post(
                &format!("/api/v1/decisions/{refused}/appeal"),
                "head",
                json!({"appeal_received_on": "2025-03-20"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            (
                r.json["appeal_status"].as_str(),
                r.json["appeal_timely"].as_bool()
            ),
            (Some("appealed"), Some(true))
        );
        let r = app.post(&format!("/api/v1/decisions/{refused}/appeal"), "head",
            json!({"appeal_received_on": "2025-03-20", "appeal_outcome": "changed", "appeal_decided_on": "2025-04-28"})).await;
        assert_eq!(r.json["appeal_status"], "decided");

        // A new decision grants the treatment home at the provider.
        let r = app
            .post("/api/v1/decisions", "head", json!({"client_id": client, "intervention": "treatment_home", "outcome": "granted",
                "reasons": "Förvaltningsrättens dom 2025-04-28.", "provider_id": provider, "decided_on": "2025-05-02",
                "notified_on": "2025-05-05", "period_start": "2025-05-10", "period_end": "2025-08-10"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["departs_from_application"], false);
        let granted = r.json["id"].as_i64().unwrap();

        // The placement takes the contract's price; another price needs a reason.
        let placement = json!({"client_id": client, "decision_id": granted, "provider_id": provider,
            "intervention": "treatment_home", "start": "2025-05-10"});
        let mut dearer = placement.clone();
        dearer["daily_price_ore"] = json!(260000);
        let r = app.post("/api/v1/placements", "head", dearer).await;
        assert_eq!(
            (r.status, r.json["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("price_reason"))
        );
        let r = app.post("/api/v1/placements", "head", placement).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["daily_price_ore"], 250000);
        let pid = r.json["id"].as_i64().unwrap();
        // Its outcome follow-ups are scheduled with it.
        let fu = app
            .get(&format!("/api/v1/clients/{client}/follow-ups"), "cm")
            .await;
        assert_eq!(fu.json["items"].as_array().unwrap().len(), 3, "{}", fu.text);

        // It ends as planned on 10 June: 31 nights at 2 500 kr.
        let r = app
            .post(
                &format!("/api/v1/placements/{pid}/end"),
                "head",
                json!({"end": "2025-05-01", "end_reason": "completed_as_planned"}),
            )
            .await;
        assert_eq!(
            (r.status, r.json["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("end"))
        );
        let r = app
            .post(
                &format!("/api/v1/placements/{pid}/end"),
                "head",
                json!({"end": "2025-06-10", "end_reason": "completed_as_planned"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = app
            .post(
                &format!("/api/v1/placements/{pid}/end"),
                "head",
                json!({"end": "2025-06-11", "end_reason": "relapse"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let got = app.get(&format!("/api/v1/placements/{pid}"), "cm").await;
        assert_eq!(
            (got.json["days"].as_i64(), got.json["cost_ore"].as_i64()),
            (Some(31), Some(31 * 250_000))
        );
        assert_eq!(got.json["cost_by_year"]["2025"], 31 * 250_000);

        // The provider invoices May right and June with one day too many, and a placement that does not exist.
        let csv = format!(
            "invoice_number;organisation_number;placement_id;period_start;period_end;days;amount\n\
             F-501;{ORG};{pid};2025-05-10;2025-05-31;22;55 000,00\n\
             F-601;{ORG};{pid};2025-06-01;2025-06-10;10;25 000,00\n\
             F-602;{ORG};999999;2025-06-01;2025-06-10;10;25 000,00\n"
        );
        let r = import(&app, "cm", &csv).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = import(&app, "head", &csv).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["matched"], json!([2]));
        let kinds: Vec<(&str, i64)> = r.json["mismatches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["kind"].as_str().unwrap(), m["line"].as_i64().unwrap_or(0)))
            .collect();
        assert_eq!(
            kinds,
            [
                ("days_differ", 3),
                ("amount_differs", 3),
                ("unknown_placement", 4)
            ]
        );
        assert_eq!(r.json["mismatches"][0]["expected_days"], 9);
        // Importing May again is caught as already invoiced; a broken file is refused whole.
        let again = import(&app, "head", &format!("invoice_number,organisation_number,placement_id,period_start,period_end,days,amount_ore\nF-777,{ORG},{pid},2025-05-20,2025-05-25,6,1500000\n")).await;
        assert_eq!(again.json["mismatches"][0]["kind"], "already_invoiced");
        let bad = import(&app, "head", &format!("invoice_number;organisation_number;placement_id;period_start;period_end;days;amount\nF-1;{OTHER_ORG}0;{pid};2025-05-10;2025-05-31;22;55 000\n")).await;
        assert_eq!(
            (bad.status, bad.json["error"]["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("line 2: organisation_number")
            )
        );

        // The year's money: actual from the placement, and a budget it passes raises an alert for the head.
        let r = app
            .api(
                Method::PUT,
                "/api/v1/budget/2025",
                Some("head"),
                Some(json!({"amounts": {"treatment_home": 5_000_000, "outpatient": 100}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let th = r.json["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["intervention"] == "treatment_home")
            .unwrap()
            .clone();
        assert_eq!(
            (th["actual_ore"].as_i64(), th["over_budget"].as_bool()),
            (Some(31 * 250_000), Some(true))
        );
        let alerts = app.get("/api/v1/alerts?status=open", "head").await;
        let budget_alert = alerts.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["rule"] == "budget_forecast_exceeded")
            .cloned();
        let budget_alert = budget_alert.expect("a budget alert for the unit head");
        assert!(
            budget_alert["explanation"]
                .as_str()
                .unwrap()
                .contains("77\u{a0}500\u{a0}kr"),
            "{budget_alert}"
        );
        let ack = app
            .post(
                &format!("/api/v1/alerts/{}/acknowledge", budget_alert["id"]),
                "head",
                json!({}),
            )
            .await;
        assert_eq!(ack.status, StatusCode::OK, "{}", ack.text);
        assert_eq!(
            app.get("/api/v1/budget?year=2025", "cm").await.status,
            StatusCode::FORBIDDEN
        );
        let bad = app
            .api(
                Method::PUT,
                "/api/v1/budget/2025",
                Some("head"),
                Some(json!({"amounts": {"spa": 1}})),
            )
            .await;
        assert_eq!(bad.json["error"]["field"], "amounts.spa");

        // CSV exports: decisions of the unit and placements of the year, for a spreadsheet.
        let d = app.get("/api/v1/export/decisions.csv", "head").await;
        assert!(d.text.starts_with('\u{feff}'));
        assert!(
            d.text.contains(&format!(
                "{refused};{client};treatment_home;refused;2025-03-01"
            )),
            "{}",
            d.text
        );
        // A year's decisions only; a year that is no year names the field.
        let in_2025 = app
            .get("/api/v1/export/decisions.csv?year=2025", "head")
            .await;
        assert_eq!(in_2025.status, StatusCode::OK);
        assert_eq!(in_2025.text, d.text);
        let in_2024 = app
            .get("/api/v1/export/decisions.csv?year=2024", "head")
            .await;
        assert_eq!(in_2024.status, StatusCode::OK);
        assert_eq!(in_2024.text.lines().count(), 1, "{}", in_2024.text);
        assert!(in_2024.text.contains("decision_id;client_id"));
        let bad = app
            .get("/api/v1/export/decisions.csv?year=tjugo", "head")
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json["error"]["field"], "year");
        let p = app
            .get("/api/v1/export/placements.csv?year=2025", "head")
            .await;
        assert!(
            p.text
                .contains(&format!("{pid};{client};{granted};treatment_home")),
            "{}",
            p.text
        );
        assert!(p.text.contains(";2025;31;7750000"), "{}", p.text);

        // Every step is in the client's access log.
        let log: Vec<String> = app
            .audit_for(client)
            .await
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        for action in [
            "application_create",
            "recommendation_create",
            "decision_create",
            "decision_letter",
            "decision_update",
            "placement_create",
            "placement_update",
            "placement_read",
        ] {
            assert!(log.iter().any(|a| a == action), "{action} in {log:?}");
        }
        assert!(app.audit_verifies().await);
    }
);

both!(
    providers_are_checked_and_inspections_show_compliance,
    |db| async move {
        let app = app(db).await;
        let r = app
            .post(
                "/api/v1/providers",
                "head",
                json!({"name": "Fel AB", "organisation_number": "556036-0794"}),
            )
            .await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("invalid_check_digit")
            )
        );
        let id = provider(&app).await;
        let r = app
            .post(
                "/api/v1/providers",
                "head",
                json!({"name": "Samma", "organisation_number": ORG}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(
            app.post(
                "/api/v1/providers",
                "cm",
                json!({"name": "X", "organisation_number": OTHER_ORG})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .post(&format!("/api/v1/providers/{id}/inspections"), "head", json!({"inspected_on": "2025-09-01",
                "educated_staff_pct": 52, "methods": ["cbt", "milieu_therapy"], "sobriety_policy": true, "reports_results": true,
                "note": "Låg andel utbildad personal nattetid."}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let checks: Vec<(&str, Option<bool>)> = r.json["inspections"][0]["compliance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["requirement"].as_str().unwrap(), c["met"].as_bool()))
            .collect();
        assert_eq!(
            checks,
            [
                ("educated_staff_pct", Some(false)),
                ("methods", Some(false)),
                ("sobriety_policy", Some(true)),
                ("reports_results", Some(true))
            ]
        );
        let r = app.post(&format!("/api/v1/providers/{id}/contracts"), "head", json!({"reference": "X", "valid_from": "2025-02-30", "prices": {"hotel": 1}, "methods": ["yoga"]})).await;
        let fields = error_fields(&r);
        assert_eq!(fields, ["valid_from", "prices.hotel", "methods[0]"]);
        assert_eq!(
            app.get("/api/v1/providers", "head_b").await.json["items"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "one municipality"
        );
    }
);

both!(
    housing_occupancy_incidents_and_the_waiting_list,
    |db| async move {
        let app = app(db).await;
        let a = app.assigned_client("cm", "19121212-1212").await;
        let b = app.assigned_client("cm", "19800101-R011").await;
        let mut units = Vec::new();
        for label in ["Tallvägen 3 A", "Tallvägen 3 B"] {
            let r = app.post("/api/v1/housing-units", "head", json!({"kind": "training_apartment", "label": label, "monthly_cost_ore": 650000})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            units.push(r.json["id"].as_i64().unwrap());
        }
        // Client A lives in flat 1 for 10 days of January; client B waits.
        let r = app.post("/api/v1/placements", "head", json!({"client_id": a, "intervention": "training_apartment", "housing_unit_id": units[0],
            "start": "2025-01-01", "end": "2025-01-10", "daily_price_ore": 21000})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let pid = r.json["id"].as_i64().unwrap();
        let r = app
            .post(
                &format!("/api/v1/placements/{pid}/incidents"),
                "cm",
                json!({"kind": "sobriety_breach", "occurred_on": "2025-01-05"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = app
            .post(
                &format!("/api/v1/placements/{pid}/incidents"),
                "cm",
                json!({"kind": "party", "occurred_on": "2024-12-05"}),
            )
            .await;
        let fields: Vec<&str> = r.json["errors"]
            .as_array()
            .map(|e| e.iter().map(|e| e["field"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["kind", "occurred_on"], "{}", r.text);
        let r = app
            .post(
                "/api/v1/housing/queue",
                "cm",
                json!({"client_id": b, "kind": "training_apartment", "added_on": "2025-01-02"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let h = app
            .get("/api/v1/housing?from=2025-01-01&to=2025-01-31", "head")
            .await;
        assert_eq!(h.status, StatusCode::OK, "{}", h.text);
        let ta = &h.json["kinds"][0];
        assert_eq!(ta["kind"], "training_apartment");
        assert_eq!(
            (
                ta["units"].as_i64(),
                ta["occupancy"]["unit_days"].as_i64(),
                ta["occupancy"]["occupied_days"].as_i64()
            ),
            (Some(2), Some(62), Some(10))
        );
        assert_eq!(ta["incidents"]["sobriety_breach"], 1);
        assert_eq!(ta["waiting"], 1);
        assert_eq!(h.json["waiting_list"][0]["client_id"], b);
        let qid = h.json["waiting_list"][0]["id"].as_i64().unwrap();
        let r = app
            .post(
                &format!("/api/v1/housing/queue/{qid}/remove"),
                "cm",
                json!({"reason": "housed"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.get("/api/v1/housing", "cm").await.status,
            StatusCode::FORBIDDEN
        );
    }
);

both!(
    kommunicering_is_recorded_with_the_decision_or_after_it_once,
    |db| async move {
        let app = app(db).await;
        let client = app.assigned_client("cm", "19121212-1212").await;
        let r = app
            .post(
                "/api/v1/applications",
                "cm",
                json!({"client_id": client, "intervention": "treatment_home",
                "description": "Jag vill till behandlingshem.", "received_on": "2025-02-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let refusal = json!({"client_id": client, "intervention": "treatment_home", "outcome": "refused",
            "reasons": "Behovet kan mötas med öppenvård.", "decided_on": "2025-03-01",
            "departure_justifications": {"application": "Öppenvården ger daglig kontakt på hemorten."}});

        // Told by letter before the decision, with the person's answer.
        let mut told = refusal.clone();
        told["communicated_on"] = json!("2025-02-20");
        told["communication_method"] = json!("letter");
        told["client_response"] = json!("Jag håller inte med om utredningen.");
        let r = app.post("/api/v1/decisions", "head", told).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["communication_status"], "communicated");
        assert_eq!(
            (
                r.json["communicated_on"].as_str(),
                r.json["communication_method"].as_str(),
                r.json["client_response"].as_str()
            ),
            (
                Some("2025-02-20"),
                Some("letter"),
                Some("Jag håller inte med om utredningen.")
            )
        );
        let first = r.json["id"].as_i64().unwrap();
        let again = app
            .post(
                &format!("/api/v1/decisions/{first}/communication"),
                "head",
                json!({"communication_omitted_reason": "Ändrat mig."}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
        assert_eq!(again.json["error"]["code"], "communication_recorded");
        assert_eq!(
            app.get(&format!("/api/v1/decisions/{first}"), "head")
                .await
                .json["communication_method"],
            "letter",
            "what was recorded stands"
        );

        // Invalid: after the decision, a method without a day, both done and omitted. Nothing saved.
        for (extra, field, code) in [
            (
                json!({"communicated_on": "2025-03-02", "communication_method": "phone"}),
                "communicated_on",
                "after_decision",
            ),
            (
                json!({"communication_method": "phone"}),
                "communicated_on",
                "required",
            ),
            (
                json!({"communicated_on": "2025-02-20"}),
                "communication_method",
                "required",
            ),
            (
                json!({"communicated_on": "2025-02-20", "communication_method": "fax"}),
                "communication_method",
                "unknown_value",
            ),
            (
                json!({"communicated_on": "2025-02-20", "communication_method": "phone", "communication_omitted_reason": "x"}),
                "communication_omitted_reason",
                "communicated_and_omitted",
            ),
        ] {
            let mut body = refusal.clone();
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = app.post("/api/v1/decisions", "head", body).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{extra}: {}",
                r.text
            );
            assert_eq!(
                (
                    r.json["error"]["field"].as_str(),
                    r.json["error"]["code"].as_str()
                ),
                (Some(field), Some(code)),
                "{extra}"
            );
        }
        let count = app
            .get(&format!("/api/v1/decisions?client_id={client}"), "head")
            .await
            .json["items"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(count, 1);

        // A refusal with nothing recorded is "missing"; recorded afterwards (omitted, with why),
        // it is "omitted" and logged as a decision update.
        let r = app.post("/api/v1/decisions", "head", refusal.clone()).await;
        assert_eq!(r.json["communication_status"], "missing", "{}", r.text);
        let second = r.json["id"].as_i64().unwrap();
        let uri = format!("/api/v1/decisions/{second}/communication");
        let r = app.post(&uri, "head", json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json["error"]["field"], "communicated_on");
        for user in ["cm", "analyst"] {
            let r = app
                .post(&uri, user, json!({"communication_omitted_reason": "x"}))
                .await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{user}: {}",
                r.status
            );
        }
        assert_eq!(
            app.post(&uri, "head_b", json!({"communication_omitted_reason": "x"}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .post(
                &uri,
                "head",
                json!({"communication_omitted_reason": "Uppenbart obehövligt: inget material från annan."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["communication_status"], "omitted");
        assert_eq!(
            r.json["communication_omitted_reason"],
            "Uppenbart obehövligt: inget material från annan."
        );
        let trail = app.audit_for(client).await;
        assert_eq!(
            trail.last().map(|(a, u)| (a.as_str(), u.as_str())),
            Some(("decision_update", "head"))
        );

        // Granting what was applied for needs none.
        let grant = json!({"client_id": client, "intervention": "treatment_home", "outcome": "granted",
            "reasons": "Behovet är utrett.", "decided_on": "2025-03-05"});
        let r = app.post("/api/v1/decisions", "head", grant).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["communication_status"], "not_required");
        let granted = r.json["id"].as_i64().unwrap();
        // The export carries it, for the committee's questions.
        let csv = app.get("/api/v1/export/decisions.csv", "head").await.text;
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .ends_with(";communication_status;communicated_on")
        );
        for (id, end) in [
            (first, ";communicated;2025-02-20"),
            (second, ";omitted;"),
            (granted, ";not_required;"),
        ] {
            let line = csv
                .lines()
                .find(|l| l.starts_with(&format!("{id};")))
                .unwrap();
            assert!(line.ends_with(end), "{line}");
        }
    }
);

both!(
    the_unit_head_sees_the_applications_waiting_for_a_decision_longest_first,
    |db| async move {
        let app = app(db).await;
        let a = app.assigned_client("cm", "19121212-1212").await;
        let b = app.assigned_client("cm", "19640823-3234").await;
        let other = app.assigned_client("cm_b", "19800101-R601").await;
        let apply = |client: i64, user: &'static str, on: &'static str| {
            let app = &app;
            async move {
                let r = app
                    .post(
                        "/api/v1/applications",
                        user,
                        json!({"client_id": client, "intervention": "treatment_home",
                        "description": "Jag vill till behandlingshem.", "received_on": on}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            }
        };
        apply(a, "cm", "2026-03-01").await;
        apply(b, "cm", "2026-01-15").await;
        apply(other, "cm_b", "2025-12-01").await;
        let r = app.get("/api/v1/applications?pending=true", "head").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let items = r.json["items"].as_array().unwrap();
        let clients: Vec<i64> = items
            .iter()
            .map(|i| i["client_id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            clients,
            [b, a],
            "the longest waiting first, only the own unit's"
        );
        let today = vaka_domain::time::local_date(chrono::Utc::now());
        let since = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        assert_eq!(items[0]["days_waiting"], (today - since).num_days());
        assert_eq!(items[0]["received_on"], "2026-01-15");
        assert!(
            items[0].get("description").is_none(),
            "the text stays on the record"
        );
        assert_eq!(r.json["more"], false);
        let one = app
            .get("/api/v1/applications?pending=true&limit=1", "head")
            .await;
        assert_eq!(one.json["items"].as_array().unwrap().len(), 1);
        assert_eq!(one.json["more"], true);

        // A decision answers b's application: it leaves the list.
        let r = app
            .post(
                "/api/v1/decisions",
                "head",
                json!({"client_id": b, "intervention": "treatment_home",
                "outcome": "granted", "reasons": "Behovet är utrett."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = app.get("/api/v1/applications?pending=true", "head").await;
        assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
        assert_eq!(r.json["items"][0]["client_id"], a);

        // Only those who decide; the parameters are named when wrong.
        assert_eq!(
            app.get("/api/v1/applications?pending=true", "cm")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/applications?pending=true", "analyst")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = app.get("/api/v1/applications", "head").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&r).1, Some("pending"));
        let r = app
            .get("/api/v1/applications?pending=true&limit=0", "head")
            .await;
        assert_eq!(error(&r).1, Some("limit"));

        // The unit head's start page lists it, with a link to decide.
        let (_, s) = super::pages::login(&app, "head", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        let page = super::pages::page(&app, "/caseload", &cookie).await;
        assert!(
            page.text.contains("Ansökningar som väntar på beslut"),
            "{}",
            page.text
        );
        assert!(
            page.text
                .contains(&format!("href=\"/clients/{a}/decisions/new\""))
        );
        assert!(
            page.text.contains("Behandlingshem/HVB · inkom 2026-03-01"),
            "{}",
            page.text
        );
        assert!(
            !page
                .text
                .contains(&format!("/clients/{other}/decisions/new"))
        );
    }
);
