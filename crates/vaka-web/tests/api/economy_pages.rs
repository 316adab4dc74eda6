//! Issue 5 in the browser's forms: a unit head takes a case from application to decision,
//! placement, price change, invoice and end, and sees the year's money — on SQLite and
//! PostgreSQL. Bad input comes back as the page with each field named; nothing half-saved.

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

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `#field` links of the error summary.
fn error_fields(html: &str) -> Vec<String> {
    html.split("<li><a href=\"#")
        .skip(1)
        .map(|p| p.split('"').next().unwrap().to_owned())
        .collect()
}

fn location(r: &Reply) -> String {
    r.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

both!(
    a_unit_head_takes_a_case_from_application_to_end_through_the_pages,
    |db| async move {
        let app = app(db).await;
        let client = app.assigned_client("cm", "19121212-1212").await;
        let today = vaka_domain::time::local_date(vaka_store::now());
        let (cm, cm_csrf) = session(&app, "cm").await;
        let (head, csrf) = session(&app, "head").await;

        // The case manager records the application and the psychiatrist's advice from the client page.
        let r = page(&app, &format!("/clients/{client}"), &cm).await;
        assert!(
            r.text
                .contains(&format!("/clients/{client}/applications/new"))
        );
        assert!(
            !r.text.contains(&format!("/clients/{client}/decisions/new")),
            "only the unit head decides"
        );
        let r = form(
            &app,
            &format!("/clients/{client}/applications"),
            &cm,
            &format!("csrf={cm_csrf}&intervention=treatment_home&description="),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&r.text), ["f-description"]);
        assert!(
            r.text.contains("selected>Behandlingshem"),
            "the choice is kept"
        );
        let r = form(
            &app,
            &format!("/clients/{client}/applications"),
            &cm,
            &format!(
                "csrf={cm_csrf}&intervention=treatment_home&description={}",
                enc("Jag vill till behandlingshem.")
            ),
        )
        .await;
        assert_eq!(
            (r.status, location(&r)),
            (
                StatusCode::SEE_OTHER,
                format!("/clients/{client}#decisions")
            )
        );
        let r = form(&app, &format!("/clients/{client}/recommendations"), &cm,
            &format!("csrf={cm_csrf}&intervention=treatment_home&profession=psychiatrist&recommended_on={today}&document_ref=J-123")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(
            page(&app, &format!("/clients/{client}/decisions/new"), &cm)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The provider and its contract, from the economy page.
        let r = form(
            &app,
            "/providers",
            &head,
            &format!(
                "csrf={csrf}&name={}&organisation_number=556036-0794",
                enc("Ekbacken AB")
            ),
        )
        .await;
        assert_eq!(error_fields(&r.text), ["f-organisation_number"]);
        let r = form(
            &app,
            "/providers",
            &head,
            &format!(
                "csrf={csrf}&name={}&organisation_number=556036-0793",
                enc("Ekbacken AB")
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let provider_page = location(&r);
        let provider: i64 = provider_page.rsplit('/').next().unwrap().parse().unwrap();
        let r = form(&app, &format!("{provider_page}/contracts"), &head,
            &format!("csrf={csrf}&reference=RA-1&valid_from=2025-01-01&prices.treatment_home={}&prices.outpatient=mycket&methods=cbt", enc("2 500"))).await;
        assert_eq!(
            (r.status, error_fields(&r.text)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["f-prices-outpatient".to_owned()]
            )
        );
        let contracts = app
            .get(&format!("/api/v1/providers/{provider}"), "head")
            .await;
        assert_eq!(contracts.json["contracts"], json!([]), "nothing half-saved");
        let r = form(&app, &format!("{provider_page}/contracts"), &head,
            &format!("csrf={csrf}&reference=RA-1&valid_from=2025-01-01&prices.treatment_home={}&required_educated_staff_pct=60&methods=cbt&sobriety_policy=true", enc("2 500"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = form(&app, &format!("{provider_page}/inspections"), &head,
            &format!("csrf={csrf}&inspected_on={today}&educated_staff_pct=40&methods=cbt&sobriety_policy=true")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = page(&app, &provider_page, &head).await;
        assert!(
            r.text.contains("Andel utbildad personal: Nej"),
            "compliance is shown"
        );

        // The decision departs from both: each departure needs its own justification.
        let r = page(&app, &format!("/clients/{client}/decisions/new"), &head).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("Jag vill till behandlingshem.") && r.text.contains("Psykiater"));
        let decide = format!(
            "csrf={csrf}&intervention=outpatient&outcome=granted&reasons={}",
            enc("Utredningen visar att öppenvård räcker.")
        );
        let r = form(
            &app,
            &format!("/clients/{client}/decisions"),
            &head,
            &decide,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_fields(&r.text),
            [
                "f-departure_justifications-application",
                "f-departure_justifications-recommendation"
            ]
        );
        assert!(r.text.contains("Motivering: avvikelse från ansökan"));
        assert_eq!(
            app.get(&format!("/api/v1/decisions?client_id={client}"), "head")
                .await
                .json["items"],
            json!([])
        );
        let r = form(&app, &format!("/clients/{client}/decisions"), &head, &format!(
            "{decide}&departure_justifications.application={}&departure_justifications.recommendation={}&notified_on={today}",
            enc("Behandlingshem är inte nödvändigt: bostaden är kvar och nätverket bär."),
            enc("Psykiaterns utlåtande gällde den akuta fasen, som är över.")
        )).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let decision_page = location(&r);
        let r = page(&app, &decision_page, &head).await;
        assert!(r.text.contains(
            "Beslutet avviker från ansökan. Motivering: Behandlingshem är inte nödvändigt"
        ));
        let deadline = vaka_domain::decision::appeal_deadline(today).to_string();
        assert!(r.text.contains(&deadline), "the appeal deadline is shown");
        // It goes against the person and nothing says they could respond first (FL 25 §): the page
        // says so and offers the form; recorded once, the form goes.
        assert!(
            r.text
                .contains("kommunicering (FL 25 §) är inte dokumenterad")
        );
        assert!(
            r.text
                .contains(&format!("action=\"{decision_page}/communication\""))
        );
        let r = form(
            &app,
            &format!("{decision_page}/communication"),
            &head,
            &format!("csrf={csrf}&communicated_on={today}&communication_method="),
        )
        .await;
        assert_eq!(
            (r.status, error_fields(&r.text)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["f-communication_method".to_owned()]
            )
        );
        let r = form(
            &app,
            &format!("{decision_page}/communication"),
            &head,
            &format!(
                "csrf={csrf}&communicated_on={today}&communication_method=meeting&client_response={}",
                enc("Vill hellre till behandlingshem.")
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = page(&app, &decision_page, &head).await;
        assert!(
            r.text.contains(&format!(
                "{today}, Möte. Personens svar: Vill hellre till behandlingshem."
            )),
            "{}",
            r.text
        );
        assert!(!r.text.contains("är inte dokumenterad"));
        let economy = page(&app, "/economy", &head).await;
        let departures = economy
            .text
            .split("id=\"departures\"")
            .nth(1)
            .unwrap_or_default();
        assert!(departures.contains(">Kommunicerat</td>"), "{departures}");
        assert!(
            !r.text
                .contains(&format!("action=\"{decision_page}/communication\""))
        );
        let r = form(
            &app,
            &format!("{decision_page}/appeal"),
            &head,
            &format!("csrf={csrf}&appeal_received_on={today}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(
            page(&app, &decision_page, &head)
                .await
                .text
                .contains("Överklagat i tid")
        );

        // The placement at the contract price; another price needs its reason.
        let r = page(&app, &format!("{decision_page}/placements/new"), &head).await;
        assert_eq!(r.status, StatusCode::OK);
        let place = format!(
            "csrf={csrf}&intervention=treatment_home&provider_id={provider}&start=2025-12-30&end=2026-01-02"
        );
        let r = form(
            &app,
            &format!("{decision_page}/placements"),
            &head,
            &format!("{place}&daily_price_ore=2600"),
        )
        .await;
        assert_eq!(error_fields(&r.text), ["f-price_reason"]);
        let r = form(&app, &format!("{decision_page}/placements"), &head, &place).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let placement_page = location(&r);
        let placement: i64 = placement_page.rsplit('/').next().unwrap().parse().unwrap();
        let api = app
            .get(&format!("/api/v1/placements/{placement}"), "head")
            .await;
        assert_eq!(
            (api.json["days"].as_i64(), api.json["cost_ore"].as_i64()),
            (Some(3), Some(750_000))
        );
        let r = form(
            &app,
            &format!("{placement_page}/prices"),
            &head,
            &format!("csrf={csrf}&from=2026-01-01&daily_price_ore=2700&reason=Indexering"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = page(&app, &placement_page, &head).await;
        assert!(
            r.text.contains("7\u{a0}700\u{a0}kr"),
            "two nights at 2 500, one at 2 700"
        );
        assert!(
            r.text
                .contains("<td data-label=\"År\" class=\"num\">2025</td>")
        );

        // An invoice with one right row and one wrong.
        let csv = format!(
            "invoice_number;organisation_number;placement_id;period_start;period_end;days;amount\n\
             F1;556036-0793;{placement};2025-12-30;2025-12-31;2;5000\nF2;556036-0793;{placement};2026-01-01;2026-01-02;2;5400\n"
        );
        let r = form(
            &app,
            "/economy/invoices",
            &head,
            &format!("csrf={csrf}&filename=f.csv&csv={}", enc(&csv)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // F2 bills two days, but 2 January is the day of departure: one night, so both its days
        // and its amount are listed.
        assert!(
            r.text.contains("Rader: 2 · stämmer: 1 · avvikelser: 2"),
            "{}",
            r.text
        );
        assert!(r.text.contains("Beloppet stämmer inte"), "{}", r.text);
        assert!(r.text.contains("Antal dagar stämmer inte"), "{}", r.text);

        // End it; ending twice is a conflict shown on the page.
        let r = form(
            &app,
            &format!("{placement_page}/end"),
            &head,
            &format!("csrf={csrf}&end=2026-01-02&end_reason=completed_as_planned"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = form(
            &app,
            &format!("{placement_page}/end"),
            &head,
            &format!("csrf={csrf}&end=2026-01-02&end_reason=relapse"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text.contains("form-errors"));
        let r = form(
            &app,
            &format!("{placement_page}/bogus"),
            &head,
            &format!("csrf={csrf}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The year's money: a budget set on its page, then the economy page.
        let r = form(
            &app,
            "/economy/budget/2026",
            &head,
            &format!("csrf={csrf}&amounts.treatment_home=-1"),
        )
        .await;
        assert_eq!(error_fields(&r.text), ["f-amounts-treatment_home"]);
        let r = form(
            &app,
            "/economy/budget/2026",
            &head,
            &format!("csrf={csrf}&amounts.treatment_home=2000"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = page(&app, "/economy?year=2026", &head).await;
        assert!(
            r.text.contains("2\u{a0}700\u{a0}kr"),
            "the 2026 cost: one night at 2 700"
        );
        assert!(
            r.text.contains("class=\"over\""),
            "the forecast passes the budget"
        );
        // The exports follow the page's year; every year's decisions stay one link away.
        for link in [
            "/api/v1/export/placements.csv?year=2026\"",
            "/api/v1/export/decisions.csv?year=2026\"",
            "/api/v1/export/decisions.csv\"",
        ] {
            assert!(r.text.contains(link), "{link}");
        }

        // Every form step is logged as the API operation, with the page it came from.
        let mut tx = app.db.store.begin().await.unwrap();
        let log = vaka_store::audit::for_client(&mut tx, vaka_domain::ids::ClientId(client), 1000)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let details: Vec<&str> = log.iter().map(|e| e.entry.detail.as_str()).collect();
        assert!(
            details
                .iter()
                .any(|d| d.starts_with("POST /api/v1/decisions (via POST /clients/")),
            "{details:#?}"
        );
        assert!(
            details.iter().any(|d| d.contains("(via POST /placements/")),
            "{details:#?}"
        );
        assert!(app.audit_verifies().await);
    }
);

both!(
    the_desk_pages_follow_the_access_rules_and_need_the_form_token,
    |db| async move {
        let app = app(db).await;
        let client = app.assigned_client("cm", "19121212-1212").await;
        let d = app.post("/api/v1/decisions", "head", json!({"client_id": client, "intervention": "outpatient", "outcome": "granted", "reasons": "R."})).await;
        let p = app.post("/api/v1/placements", "head", json!({"client_id": client, "intervention": "outpatient", "start": "2025-01-01", "daily_price_ore": 100})).await;
        let (d, p) = (
            d.json["id"].as_i64().unwrap(),
            p.json["id"].as_i64().unwrap(),
        );
        let (head_b, csrf_b) = session(&app, "head_b").await;
        let (cm, cm_csrf) = session(&app, "cm").await;
        let (analyst, _) = session(&app, "analyst").await;
        // Another unit's head is told nothing; the case manager reads but does not decide.
        for uri in [
            format!("/decisions/{d}"),
            format!("/placements/{p}"),
            format!("/clients/{client}/decisions/new"),
        ] {
            assert_eq!(
                page(&app, &uri, &head_b).await.status,
                StatusCode::NOT_FOUND,
                "{uri}"
            );
        }
        assert_eq!(
            page(&app, &format!("/decisions/{d}"), &cm).await.status,
            StatusCode::OK
        );
        let r = page(&app, &format!("/placements/{p}"), &cm).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.text.contains("/end\""),
            "no end form for the case manager"
        );
        let r = form(
            &app,
            &format!("/placements/{p}/end"),
            &cm,
            &format!("csrf={cm_csrf}&end=2025-02-01&end_reason=moved"),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = form(
            &app,
            &format!("/placements/{p}/end"),
            &head_b,
            &format!("csrf={csrf_b}&end=2025-02-01&end_reason=moved"),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            page(&app, &format!("/decisions/{d}/placements/new"), &cm)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        for uri in [
            "/providers/new",
            "/housing-units/new",
            "/economy/budget/2026",
        ] {
            assert_eq!(
                page(&app, uri, &analyst).await.status,
                StatusCode::FORBIDDEN,
                "{uri}"
            );
            assert_eq!(
                page(&app, uri, &cm).await.status,
                StatusCode::FORBIDDEN,
                "{uri}"
            );
        }
        assert_eq!(
            form(&app, "/providers", &cm, &format!("csrf={cm_csrf}&name=X"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // A post without the session's form token changes nothing.
        let (head, _) = session(&app, "head").await;
        let r = form(
            &app,
            &format!("/placements/{p}/end"),
            &head,
            "csrf=wrong&end=2025-02-01&end_reason=moved",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.get(&format!("/api/v1/placements/{p}"), "head")
                .await
                .json["end"],
            json!(null)
        );
        // Unknown ids and years are 404 pages.
        for uri in [
            "/decisions/999999",
            "/placements/0",
            "/providers/abc",
            "/economy/budget/1200",
        ] {
            assert_eq!(
                page(&app, uri, &head).await.status,
                StatusCode::NOT_FOUND,
                "{uri}"
            );
        }
    }
);

both!(the_day_count_setting_changes_every_cost, |db| async move {
    let app = app(db).await;
    let client = app.client("head", "19121212-1212").await;
    let p = app.post("/api/v1/placements", "head", json!({"client_id": client, "intervention": "outpatient", "start": "2025-01-01", "end": "2025-01-10", "daily_price_ore": 100})).await;
    let p = p.json["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/placements/{p}"), "head")
            .await
            .json["days"],
        json!(9)
    );
    let r = app
        .api(
            axum::http::Method::PUT,
            "/api/v1/settings/economy",
            Some("head"),
            Some(json!({"day_count": "weeks"})),
        )
        .await;
    assert_eq!(
        (r.status, error(&r)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("unknown_value", Some("day_count"))
        )
    );
    let r = app
        .api(
            axum::http::Method::PUT,
            "/api/v1/settings/economy",
            Some("cm"),
            Some(json!({"day_count": "calendar_days"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (head, csrf) = session(&app, "head").await;
    let r = form(
        &app,
        "/economy/settings",
        &head,
        &format!("csrf={csrf}&day_count=calendar_days"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/settings/economy", "head").await.json,
        json!({"day_count": "calendar_days"})
    );
    assert_eq!(
        app.get(&format!("/api/v1/placements/{p}"), "head")
            .await
            .json["days"],
        json!(10)
    );
});
