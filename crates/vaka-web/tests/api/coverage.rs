//! Audit coverage: every route that touches client data leaves exactly the expected log entries —
//! no more, no fewer — through the API and the UI.

use axum::http::StatusCode;
use serde_json::json;
use vaka_store::both;

use super::pages::{form, hidden_csrf, login, page};
use super::*;

/// One entry: (action, username, client id, the clients a list view showed).
type Entry = (String, String, Option<i64>, Vec<i64>);

/// The entries written since entry `after`.
async fn since(app: &App, after: i64) -> (Vec<Entry>, i64) {
    let mut tx = app.db.store.begin().await.unwrap();
    let list = vaka_store::audit::list_after(&mut tx, after, 10_000)
        .await
        .unwrap();
    let last = list.last().map_or(after, |e| e.id);
    (
        list.into_iter()
            .map(|e| {
                (
                    e.action_name,
                    e.entry.username,
                    e.entry.client_id.map(|c| c.0),
                    e.entry.clients.iter().map(|c| c.0).collect(),
                )
            })
            .collect(),
        last,
    )
}

/// Asserts the entries written since `last`, and moves `last` past them.
async fn expect(app: &App, last: &mut i64, expected: Vec<Entry>, what: &str) {
    let (got, newest) = since(app, *last).await;
    assert_eq!(got, expected, "{what}");
    *last = newest;
}

fn e(action: &str, user: &str, client: Option<i64>) -> Entry {
    (action.to_owned(), user.to_owned(), client, Vec::new())
}

/// A list view's one entry.
fn list(action: &str, user: &str, clients: &[i64]) -> Entry {
    (action.to_owned(), user.to_owned(), None, clients.to_vec())
}

both!(
    every_client_data_route_leaves_exactly_its_entries,
    |db| async move {
        let app = app(db).await;
        let (_, mut last) = since(&app, 0).await;

        let r = app
            .post(
                "/api/v1/clients",
                "head",
                json!({"personal_number": "19121212-1212", "given_name": "A", "family_name": "B"}),
            )
            .await;
        let a = r.json["id"].as_i64().unwrap();
        expect(
            &app,
            &mut last,
            vec![e("client_create", "head", Some(a))],
            "POST /api/v1/clients",
        )
        .await;

        let r = app
            .post(
                "/api/v1/cases",
                "head",
                json!({"client_id": a, "case_manager": "cm"}),
            )
            .await;
        let case = r.json["id"].as_i64().unwrap();
        expect(
            &app,
            &mut last,
            vec![e("case_open", "head", Some(a))],
            "POST /api/v1/cases",
        )
        .await;

        app.get(&format!("/api/v1/clients/{a}"), "cm").await;
        expect(
            &app,
            &mut last,
            vec![e("client_read", "cm", Some(a))],
            "GET /api/v1/clients/{id}",
        )
        .await;

        app.get(&format!("/api/v1/cases/{case}"), "cm").await;
        expect(
            &app,
            &mut last,
            vec![e("case_read", "cm", Some(a))],
            "GET /api/v1/cases/{id}",
        )
        .await;

        let r = app
            .post(
                "/api/v1/clients",
                "head",
                json!({"personal_number": "19800101-R001", "given_name": "C", "family_name": "D"}),
            )
            .await;
        let b = r.json["id"].as_i64().unwrap();
        last = since(&app, last).await.1;
        app.get("/api/v1/clients", "head").await;
        expect(
            &app,
            &mut last,
            vec![list("client_list", "head", &[a, b])],
            "GET /api/v1/clients",
        )
        .await;

        app.get(&format!("/api/v1/clients/{a}"), "cm2").await;
        expect(
            &app,
            &mut last,
            vec![e("access_denied", "cm2", Some(a))],
            "refused read",
        )
        .await;

        app.post(
            &format!("/api/v1/clients/{a}/emergency-access"),
            "cm2",
            json!({"reason": "Akut behov av uppgifter"}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("emergency_access", "cm2", Some(a))],
            "POST emergency-access",
        )
        .await;

        let body = json!({"occurred_at": "2026-11-20T09:15:00Z", "kind": "phone", "substance_use": "none", "housing": "own"});
        let r = app
            .post(&format!("/api/v1/clients/{a}/contacts"), "cm", body.clone())
            .await;
        expect(
            &app,
            &mut last,
            vec![e("contact_create", "cm", Some(a))],
            "POST contacts",
        )
        .await;
        let location = r.headers["location"].to_str().unwrap().to_owned();
        app.api(axum::http::Method::PUT, &location, Some("cm"), Some(body))
            .await;
        expect(
            &app,
            &mut last,
            vec![e("contact_update", "cm", Some(a))],
            "PUT contact",
        )
        .await;
        app.get(&format!("/api/v1/clients/{a}/contacts"), "cm")
            .await;
        expect(
            &app,
            &mut last,
            vec![e("contact_read", "cm", Some(a))],
            "GET contacts",
        )
        .await;

        // Alerts: a signed relapse raises one (no entry of its own: it is part of the write), and
        // reading, acknowledging and resolving it are each logged.
        let relapse = json!({"occurred_at": (chrono::Utc::now() - chrono::Duration::minutes(10)).to_rfc3339(), "kind": "phone",
            "substance_use": "relapse", "housing": "own", "signed": true});
        app.post(&format!("/api/v1/clients/{a}/contacts"), "cm", relapse)
            .await;
        expect(
            &app,
            &mut last,
            vec![e("contact_create", "cm", Some(a))],
            "POST signed relapse",
        )
        .await;
        let alerts = app
            .get(&format!("/api/v1/alerts?client_id={a}"), "cm")
            .await;
        expect(
            &app,
            &mut last,
            vec![e("alert_read", "cm", Some(a))],
            "GET alerts",
        )
        .await;
        let alert = alerts.json["items"][0]["id"].as_i64().unwrap();
        // All my alerts: one entry naming each client once, however many alerts each has.
        let mine = app.get("/api/v1/alerts", "cm").await;
        assert!(!mine.json["items"].as_array().unwrap().is_empty());
        expect(
            &app,
            &mut last,
            vec![list("alert_read", "cm", &[a])],
            "GET all alerts",
        )
        .await;
        app.post(
            &format!("/api/v1/alerts/{alert}/acknowledge"),
            "cm",
            json!({}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("alert_acknowledge", "cm", Some(a))],
            "POST acknowledge",
        )
        .await;
        app.post(
            &format!("/api/v1/alerts/{alert}/resolve"),
            "cm",
            json!({"note": "Hembesök gjort"}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("alert_resolve", "cm", Some(a))],
            "POST resolve",
        )
        .await;

        // Failed requests that touch nothing leave nothing.
        app.post(
            "/api/v1/clients",
            "head",
            json!({"personal_number": "nonsense"}),
        )
        .await;
        app.get("/api/v1/clients/999999", "head").await;
        app.get("/api/v1/clients?limit=0", "head").await;
        expect(&app, &mut last, vec![], "invalid requests").await;

        // The UI: login, the caseload (one entry naming the clients shown), a client page, logout.
        let (_, s) = login(&app, "cm", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        expect(&app, &mut last, vec![e("login", "cm", None)], "POST /login").await;
        let caseload = page(&app, "/caseload", &cookie).await;
        expect(
            &app,
            &mut last,
            vec![list("caseload_read", "cm", &[a])],
            "GET /caseload",
        )
        .await;
        page(&app, &format!("/clients/{a}"), &cookie).await;
        expect(
            &app,
            &mut last,
            vec![e("client_read", "cm", Some(a))],
            "GET /clients/{id}",
        )
        .await;
        page(&app, &format!("/clients/{b}"), &cookie).await;
        expect(
            &app,
            &mut last,
            vec![e("access_denied", "cm", Some(b))],
            "GET /clients/{id} refused",
        )
        .await;
        // The journal form: opening it reads the client; saving writes the entry; opening a draft
        // reads it; an alert handled from the page is logged like through the API.
        let new = page(&app, &format!("/clients/{a}/contacts/new"), &cookie).await;
        assert_eq!(new.status, StatusCode::OK);
        expect(
            &app,
            &mut last,
            vec![e("client_read", "cm", Some(a))],
            "GET /clients/{id}/contacts/new",
        )
        .await;
        let when = vaka_domain::time::local_input(chrono::Utc::now());
        let saved = form(
            &app,
            &format!("/clients/{a}/contacts"),
            &cookie,
            &format!(
                "csrf={}&occurred_at={when}&kind=phone&substance_use=lapse&housing=own&action=draft",
                hidden_csrf(&new.text)
            ),
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        expect(
            &app,
            &mut last,
            vec![e("contact_create", "cm", Some(a))],
            "POST /clients/{id}/contacts",
        )
        .await;
        let edit = saved.headers["location"].to_str().unwrap().to_owned();
        page(&app, &edit, &cookie).await;
        expect(
            &app,
            &mut last,
            vec![e("contact_read", "cm", Some(a))],
            "GET /clients/{id}/contacts/{contact_id}/edit",
        )
        .await;
        let draft = edit.split('/').nth(4).unwrap().to_owned();
        form(
            &app,
            &format!("/clients/{a}/contacts"),
            &cookie,
            &format!(
                "csrf={}&draft_id={draft}&occurred_at={when}&kind=phone&substance_use=lapse&housing=own&action=sign",
                hidden_csrf(&new.text)
            ),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("contact_update", "cm", Some(a))],
            "POST /clients/{id}/contacts signing a draft",
        )
        .await;
        // The person's objection to the signed entry: the form reads the entry, saving records the
        // objection; through the API the same.
        let objection = format!("/clients/{a}/contacts/{draft}/objection");
        let shown = page(&app, &objection, &cookie).await;
        assert_eq!(shown.status, StatusCode::OK);
        expect(
            &app,
            &mut last,
            vec![e("contact_read", "cm", Some(a))],
            "GET /clients/{id}/contacts/{contact_id}/objection",
        )
        .await;
        let saved = form(
            &app,
            &objection,
            &cookie,
            &format!(
                "csrf={}&statement=Det+st%C3%A4mmer+inte.&received_on={}",
                hidden_csrf(&shown.text),
                vaka_domain::time::local_date(chrono::Utc::now())
            ),
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
        expect(
            &app,
            &mut last,
            vec![e("objection_create", "cm", Some(a))],
            "POST /clients/{id}/contacts/{contact_id}/objection",
        )
        .await;
        app.post(
            &format!("/api/v1/clients/{a}/contacts/{draft}/objections"),
            "cm",
            json!({"statement": "Också detta."}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("objection_create", "cm", Some(a))],
            "POST /api/v1/clients/{id}/contacts/{contact_id}/objections",
        )
        .await;
        let lapse_alert = app
            .get(&format!("/api/v1/alerts?client_id={a}&status=open"), "cm")
            .await
            .json["items"][0]["id"]
            .as_i64()
            .unwrap();
        expect(
            &app,
            &mut last,
            vec![e("alert_read", "cm", Some(a))],
            "GET alerts",
        )
        .await;
        form(
            &app,
            &format!("/alerts/{lapse_alert}/acknowledge"),
            &cookie,
            &format!("csrf={}", hidden_csrf(&new.text)),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("alert_acknowledge", "cm", Some(a))],
            "POST /alerts/{id}/acknowledge",
        )
        .await;
        // Settings: reading them reads no person; changing them is logged.
        app.get("/api/v1/settings/alerts", "head").await;
        expect(&app, &mut last, vec![], "GET settings").await;
        app.api(
            axum::http::Method::PUT,
            "/api/v1/settings/alerts",
            Some("head"),
            Some(json!({"well_being_low": 2})),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("settings_update", "head", None)],
            "PUT settings",
        )
        .await;
        // Assessments and follow-ups, through the API and the pages.
        let r = app
            .post(
                &format!("/api/v1/clients/{a}/assessments"),
                "cm",
                json!({"instrument": "AUDIT", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        expect(
            &app,
            &mut last,
            vec![e("assessment_create", "cm", Some(a))],
            "POST assessments",
        )
        .await;
        app.get(&format!("/api/v1/clients/{a}/assessments"), "cm")
            .await;
        expect(
            &app,
            &mut last,
            vec![e("assessment_read", "cm", Some(a))],
            "GET assessments",
        )
        .await;
        app.post(
            &format!("/api/v1/clients/{a}/follow-ups"),
            "cm",
            json!({"timepoint": "intake", "status": "done"}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("follow_up_record", "cm", Some(a))],
            "POST follow-ups",
        )
        .await;
        app.get(&format!("/api/v1/clients/{a}/follow-ups"), "cm")
            .await;
        expect(
            &app,
            &mut last,
            vec![e("follow_up_read", "cm", Some(a))],
            "GET follow-ups",
        )
        .await;
        app.get("/api/v1/instruments/AUDIT", "cm").await;
        expect(&app, &mut last, vec![], "GET instrument (no personal data)").await;
        app.api(
            axum::http::Method::PUT,
            "/api/v1/settings/screening",
            Some("head"),
            Some(json!({"audit_women": 7})),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("settings_update", "head", None)],
            "PUT screening",
        )
        .await;
        page(&app, &format!("/clients/{a}/assessments"), &cookie).await;
        expect(
            &app,
            &mut last,
            vec![e("assessment_read", "cm", Some(a))],
            "GET outcomes page",
        )
        .await;
        let audit_form = page(
            &app,
            &format!("/clients/{a}/assessments/new?instrument=DUDIT"),
            &cookie,
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("client_read", "cm", Some(a))],
            "GET assessment form",
        )
        .await;
        let csrf = hidden_csrf(&audit_form.text);
        let answers: String = (0..11).map(|i| format!("&answer_{i}=0")).collect();
        form(
            &app,
            &format!("/clients/{a}/assessments"),
            &cookie,
            &format!("csrf={csrf}&instrument=DUDIT{answers}"),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("assessment_create", "cm", Some(a))],
            "POST assessment form",
        )
        .await;
        page(&app, &format!("/clients/{a}/follow-ups/new"), &cookie).await;
        expect(
            &app,
            &mut last,
            vec![e("client_read", "cm", Some(a))],
            "GET follow-up form",
        )
        .await;
        form(
            &app,
            &format!("/clients/{a}/follow-ups"),
            &cookie,
            &format!("csrf={csrf}&timepoint=month_6&status=missed&missed_reason=declined"),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("follow_up_record", "cm", Some(a))],
            "POST follow-up form",
        )
        .await;

        let csrf = hidden_csrf(&caseload.text);
        form(
            &app,
            &format!("/clients/{b}/emergency-access"),
            &cookie,
            &format!("csrf={csrf}&reason=Akut+behov+av+uppgifter"),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("emergency_access", "cm", Some(b))],
            "POST /clients/{id}/emergency-access",
        )
        .await;
        form(&app, "/logout", &cookie, &format!("csrf={csrf}")).await;
        expect(
            &app,
            &mut last,
            vec![e("logout", "cm", None)],
            "POST /logout",
        )
        .await;

        // The log itself: reading it and reviewing are logged too.
        let r = app.get("/api/v1/audit", "auditor").await;
        assert_eq!(r.status, StatusCode::OK);
        expect(
            &app,
            &mut last,
            vec![e("audit_read", "auditor", None)],
            "GET /api/v1/audit",
        )
        .await;
        app.post(
            "/api/v1/audit/1/review",
            "auditor",
            json!({"comment": "Kontrollerad"}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("audit_review", "auditor", None)],
            "POST review",
        )
        .await;
        assert!(app.audit_verifies().await);
    }
);

both!(
    unit_wide_lists_and_exports_name_the_clients_they_show,
    |db| async move {
        let app = app(db).await;
        let a = app.assigned_client("cm", "19121212-1212").await;
        let b = app.assigned_client("cm", "19640823-3234").await;
        let r = app
            .post(
                "/api/v1/decisions",
                "head",
                json!({"client_id": a, "intervention": "outpatient", "outcome": "granted", "reasons": "R."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = app
            .post(
                "/api/v1/housing/queue",
                "cm",
                json!({"client_id": b, "kind": "training_apartment"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let (_, mut last) = since(&app, 0).await;

        let r = app.get("/api/v1/decisions", "head").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        expect(
            &app,
            &mut last,
            vec![list("decision_list", "head", &[a])],
            "GET /api/v1/decisions",
        )
        .await;
        app.get("/api/v1/export/decisions.csv", "head").await;
        expect(
            &app,
            &mut last,
            vec![list("export", "head", &[a])],
            "GET /api/v1/export/decisions.csv",
        )
        .await;
        let r = app
            .post(
                "/api/v1/applications",
                "cm",
                json!({"client_id": b, "intervention": "outpatient", "description": "Vill ha stöd."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        expect(
            &app,
            &mut last,
            vec![e("application_create", "cm", Some(b))],
            "POST /api/v1/applications",
        )
        .await;
        let r = app.get("/api/v1/applications?pending=true", "head").await;
        assert_eq!(r.json["items"][0]["client_id"], b, "{}", r.text);
        expect(
            &app,
            &mut last,
            vec![list("application_list", "head", &[b])],
            "GET /api/v1/applications?pending=true",
        )
        .await;
        let r = app.get("/api/v1/housing", "head").await;
        assert_eq!(r.json["waiting_list"][0]["client_id"], b, "{}", r.text);
        expect(
            &app,
            &mut last,
            vec![list("housing_read", "head", &[b])],
            "GET /api/v1/housing",
        )
        .await;
        let (_, s) = login(&app, "head", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        expect(
            &app,
            &mut last,
            vec![e("login", "head", None)],
            "POST /login",
        )
        .await;
        let economy = page(&app, "/economy", &cookie).await;
        assert_eq!(economy.status, StatusCode::OK);
        // The economy page shows the departures (none here) and the waiting list.
        expect(
            &app,
            &mut last,
            vec![list("decision_list", "head", &[b])],
            "GET /economy",
        )
        .await;
    }
);

both!(
    closing_and_handing_over_a_case_leave_one_entry_each,
    |db| async move {
        let app = app(db).await;
        let a = app.client("head", "19121212-1212").await;
        let r = app
            .post(
                "/api/v1/cases",
                "head",
                json!({"client_id": a, "case_manager": "cm", "opened_on": "2026-01-05"}),
            )
            .await;
        let case = r.json["id"].as_i64().unwrap();
        let (_, mut last) = since(&app, 0).await;
        app.post(
            &format!("/api/v1/cases/{case}/reassign"),
            "head",
            json!({"case_manager": "cm2", "assigned_on": "2026-02-01"}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("case_reassign", "head", Some(a))],
            "POST /api/v1/cases/{id}/reassign",
        )
        .await;
        // A second case manager joins and leaves again: one entry each, about the client.
        for (path, body) in [
            (
                "case-managers",
                json!({"case_manager": "cm", "assigned_on": "2026-02-01"}),
            ),
            (
                "case-managers/end",
                json!({"case_manager": "cm", "unassigned_on": "2026-02-02"}),
            ),
        ] {
            let r = app
                .post(&format!("/api/v1/cases/{case}/{path}"), "head", body)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            expect(
                &app,
                &mut last,
                vec![e("case_reassign", "head", Some(a))],
                path,
            )
            .await;
        }
        // The plan: a goal, its read and a follow-up, one entry each about the client; a read by a
        // case manager without the case is refused and logged.
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/plan/goals"),
                "cm2",
                json!({"life_area": "housing", "goal": "Eget kontrakt", "follow_up_on": "2099-01-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "too far ahead");
        expect(
            &app,
            &mut last,
            vec![],
            "POST plan/goals refused as invalid",
        )
        .await;
        let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/plan/goals"),
                "cm2",
                json!({"life_area": "housing", "goal": "Eget kontrakt", "follow_up_on": tomorrow}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let goal = r.json["id"].as_i64().unwrap();
        expect(
            &app,
            &mut last,
            vec![e("plan_goal_create", "cm2", Some(a))],
            "POST /api/v1/cases/{id}/plan/goals",
        )
        .await;
        let r = app.get(&format!("/api/v1/cases/{case}/plan"), "cm2").await;
        assert_eq!(r.status, StatusCode::OK);
        expect(
            &app,
            &mut last,
            vec![e("plan_read", "cm2", Some(a))],
            "GET /api/v1/cases/{id}/plan",
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/plan/reviews"),
                "cm2",
                json!({"goal_id": goal, "status": "reached"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        expect(
            &app,
            &mut last,
            vec![e("plan_goal_review", "cm2", Some(a))],
            "POST /api/v1/cases/{id}/plan/reviews",
        )
        .await;
        let r = app.get(&format!("/api/v1/cases/{case}/plan"), "cm").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        expect(
            &app,
            &mut last,
            vec![e("access_denied", "cm", Some(a))],
            "GET /api/v1/cases/{id}/plan refused",
        )
        .await;
        // Refused: the case is no longer cm's.
        app.post(
            &format!("/api/v1/cases/{case}/close"),
            "cm",
            json!({"reason": "moved"}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("access_denied", "cm", Some(a))],
            "POST /api/v1/cases/{id}/close refused",
        )
        .await;
        app.post(
            &format!("/api/v1/cases/{case}/close"),
            "cm2",
            json!({"reason": "moved"}),
        )
        .await;
        expect(
            &app,
            &mut last,
            vec![e("case_close", "cm2", Some(a))],
            "POST /api/v1/cases/{id}/close",
        )
        .await;
        let (_, session) = login(&app, "head", PASSWORD).await;
        let cookie = format!("vaka_session={}", session.unwrap());
        last = since(&app, last).await.1;
        let shown = page(&app, &format!("/cases/{case}"), &cookie).await;
        assert_eq!(shown.status, StatusCode::OK);
        expect(
            &app,
            &mut last,
            vec![
                e("case_read", "head", Some(a)),
                e("plan_read", "head", Some(a)),
                e("client_read", "head", Some(a)),
            ],
            "GET /cases/{id}",
        )
        .await;
    }
);
