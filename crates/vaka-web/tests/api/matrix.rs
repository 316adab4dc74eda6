//! The access matrix: every route of the router, with every role and every way a user can stand to
//! a client, against the rules in `vaka_domain::access`. The routes are read from the router's
//! source, so a new route without a line here fails the test.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use vaka_store::both;

use super::pages::{login, page};
use super::*;

/// How the user stands to the client a request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    /// Assigned case manager (client in unit A, case assigned to `cm`).
    Mine,
    /// Same unit, not assigned (unit A, assigned to `cm2`).
    Unit,
    /// Another unit (unit B).
    Other,
}

const ROLES: [&str; 5] = ["cm", "head", "admin", "analyst", "auditor"];

/// The status the rules give `user` for a client read (`ReadClient`).
fn read_status(user: &str, own: Own) -> StatusCode {
    match (user, own) {
        ("cm", Own::Mine) | ("head", Own::Mine | Own::Unit) => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}

/// Every route in the router (method and path template) that this matrix covers.
const COVERED: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/openapi.json",
    "/api/v1/clients",
    "/api/v1/clients/{id}",
    "/api/v1/clients/{id}/emergency-access",
    "/api/v1/clients/{id}/contacts",
    "/api/v1/clients/{id}/contacts/{contact_id}",
    "/api/v1/clients/{id}/contacts/{contact_id}/objections",
    "/api/v1/cases",
    "/api/v1/cases/{id}",
    "/api/v1/cases/{id}/close",
    "/api/v1/cases/{id}/reassign",
    "/api/v1/cases/{id}/plan",
    "/api/v1/cases/{id}/plan/goals",
    "/api/v1/cases/{id}/plan/reviews",
    // Tested in cases.rs (a_case_can_have_a_second_case_manager_and_lose_one, and the page).
    "/api/v1/cases/{id}/case-managers",
    "/api/v1/cases/{id}/case-managers/end",
    // Tested in cases.rs (a_wrong_intake_names_every_field_and_writes_nothing and the form test).
    "/api/v1/intakes",
    "/intakes",
    "/intakes/new",
    // Tested in clients.rs (the_details_form_corrects_a_client_without_javascript).
    "/clients/{id}/edit",
    // Tested in clients.rs (a_client_moves_to_another_unit_with_the_open_cases, and the form).
    "/api/v1/clients/{id}/transfer",
    "/clients/{id}/transfer",
    "/api/v1/alerts",
    "/api/v1/alerts/{id}/acknowledge",
    "/api/v1/alerts/{id}/resolve",
    "/api/v1/settings/alerts",
    "/api/v1/clients/{id}/assessments",
    "/api/v1/clients/{id}/follow-ups",
    "/api/v1/instruments/{instrument}",
    "/api/v1/settings/screening",
    "/api/v1/audit",
    "/api/v1/audit/{id}/review",
    "/api/v1/applications",
    "/api/v1/recommendations",
    "/api/v1/decisions",
    "/api/v1/decisions/{id}",
    "/api/v1/decisions/{id}/appeal",
    "/api/v1/decisions/{id}/communication",
    "/api/v1/users/{username}/handover",
    // Tested in accounts.rs (an_administrator_creates_changes_and_ends_accounts, and the pages).
    "/api/v1/users",
    "/api/v1/users/{username}",
    "/api/v1/users/{username}/deactivate",
    "/api/v1/users/{username}/activate",
    "/api/v1/users/{username}/password",
    "/api/v1/users/{username}/tokens",
    "/api/v1/users/{username}/tokens/revoke",
    "/users",
    "/users/{username}",
    "/users/{username}/{action}",
    "/account",
    "/account/password",
    "/api/v1/account/password",
    "/api/v1/decisions/{id}/letter",
    "/api/v1/placements",
    "/api/v1/placements/{id}",
    "/api/v1/placements/{id}/end",
    "/api/v1/placements/{id}/prices",
    "/api/v1/placements/{id}/incidents",
    "/api/v1/invoices",
    "/api/v1/export/decisions.csv",
    "/api/v1/export/placements.csv",
    "/api/v1/providers",
    "/api/v1/providers/{id}",
    "/api/v1/providers/{id}/contracts",
    "/api/v1/providers/{id}/inspections",
    "/api/v1/budget",
    "/api/v1/budget/{year}",
    "/api/v1/housing",
    "/api/v1/housing-units",
    "/api/v1/housing/queue",
    "/api/v1/housing/queue/{id}/remove",
    "/api/v1/{*rest}",
    "/",
    "/login",
    "/logout",
    "/caseload",
    "/clients/{id}",
    // Tested in cases.rs (the_case_page_closes_and_hands_over_a_case_without_javascript).
    "/cases/{id}",
    "/cases/{id}/{action}",
    // Tested in plans.rs (the_case_page_writes_and_follows_up_goals_without_javascript).
    "/cases/{id}/plan.pdf",
    "/clients/{id}/emergency-access",
    "/clients/{id}/contacts",
    "/clients/{id}/contacts/new",
    "/clients/{id}/contacts/{contact_id}/edit",
    "/clients/{id}/contacts/{contact_id}/objection",
    "/alerts/{id}/{action}",
    "/clients/{id}/assessments",
    "/clients/{id}/assessments/new",
    "/clients/{id}/follow-ups",
    "/clients/{id}/follow-ups/new",
    "/static/journal.js",
    "/lang/{code}",
    "/audit",
    "/audit/{id}/review",
    "/economy",
    "/economy/invoices",
    "/decisions/{id}/letter",
    // The desk pages: their access is tested in economy_pages.rs
    // (the_desk_pages_follow_the_access_rules_and_need_the_form_token).
    "/decisions/{id}",
    "/decisions/{id}/appeal",
    "/decisions/{id}/communication",
    "/staff",
    "/staff/{username}/handover",
    "/decisions/{id}/placements",
    "/decisions/{id}/placements/new",
    "/placements/{id}",
    "/placements/{id}/{action}",
    "/clients/{id}/applications",
    "/clients/{id}/applications/new",
    "/clients/{id}/recommendations",
    "/clients/{id}/recommendations/new",
    "/clients/{id}/decisions",
    "/clients/{id}/decisions/new",
    "/clients/{id}/housing-queue",
    "/clients/{id}/housing-queue/new",
    // Tested in extract_pages.rs (a_unit_head_reviews_withholds_and_extracts_a_persons_file).
    "/clients/{id}/extract",
    "/housing-queue/{id}/remove",
    "/providers",
    "/providers/new",
    "/providers/{id}",
    "/providers/{id}/{action}",
    "/economy/budget/{year}",
    "/economy/settings",
    "/housing-units",
    "/housing-units/new",
    "/api/v1/settings/economy",
    // Tested in retention.rs (retention_holds_are_settings_checked_and_logged).
    "/api/v1/settings/retention",
    "/api/v1/measures",
    "/static/letter.css",
    "/static/report.css",
    "/reports/committee",
    "/reports/scenario",
    "/static/vaka.css",
    "/static/favicon.svg",
    "/favicon.ico",
];

/// The paths given to `.route(` in the web crate's source.
fn routes_in_source() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split(".route(").skip(1) {
                    let rest = part.trim_start();
                    if let Some(quoted) = rest.strip_prefix('"') {
                        found.insert(quoted.split('"').next().unwrap().to_owned());
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_route_in_the_router_is_in_the_matrix() {
    let source = routes_in_source();
    let covered: BTreeSet<String> = COVERED.iter().map(|s| (*s).to_owned()).collect();
    let missing: Vec<_> = source.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&source).collect();
    assert!(
        missing.is_empty(),
        "routes without an access-matrix line: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix lines for routes that no longer exist: {stale:?}"
    );
}

static NUMBER: AtomicU32 = AtomicU32::new(1);

fn fresh_number() -> String {
    format!(
        "19700101-R{:03}",
        NUMBER.fetch_add(1, Ordering::SeqCst) % 1000
    )
}

/// The three clients and their cases: (client, case) per ownership.
async fn world(app: &App) -> Vec<(Own, i64, i64)> {
    let mut out = Vec::new();
    for (own, head, manager, number) in [
        (Own::Mine, "head", "cm", "19800101-R001"),
        (Own::Unit, "head", "cm2", "19800101-R002"),
        (Own::Other, "head_b", "cm_b", "19800101-R003"),
    ] {
        let client = app.client(head, number).await;
        let r = app
            .post(
                "/api/v1/cases",
                head,
                json!({"client_id": client, "case_manager": manager}),
            )
            .await;
        out.push((own, client, r.json["id"].as_i64().unwrap()));
    }
    out
}

both!(
    the_api_follows_the_access_rules_for_every_role_and_ownership,
    |db| async move {
        let app = app(db).await;
        let world = world(&app).await;
        let mut failures = Vec::new();
        let mut check = |what: String, got: StatusCode, want: StatusCode| {
            if got != want {
                failures.push(format!("{what}: got {got}, want {want}"));
            }
        };
        for user in ROLES {
            let client_work = matches!(user, "cm" | "head");
            for &(own, client, case) in &world {
                let want = read_status(user, own);
                check(
                    format!("{user} GET client {own:?}"),
                    app.get(&format!("/api/v1/clients/{client}"), user)
                        .await
                        .status,
                    want,
                );
                for what in ["assessments", "follow-ups"] {
                    check(
                        format!("{user} GET {what} {own:?}"),
                        app.get(&format!("/api/v1/clients/{client}/{what}"), user)
                            .await
                            .status,
                        want,
                    );
                }
                check(
                    format!("{user} GET case {own:?}"),
                    app.get(&format!("/api/v1/cases/{case}"), user).await.status,
                    want,
                );
                // Closing and handing over, with a body the rules let through only to be refused
                // as invalid (422), so the world stays as it is.
                let close = app
                    .post(
                        &format!("/api/v1/cases/{case}/close"),
                        user,
                        json!({"reason": "x"}),
                    )
                    .await
                    .status;
                let want = match (user, own) {
                    ("cm", Own::Mine) | ("head", Own::Mine | Own::Unit) => {
                        StatusCode::UNPROCESSABLE_ENTITY
                    }
                    ("cm" | "head", _) => StatusCode::NOT_FOUND,
                    _ => StatusCode::FORBIDDEN,
                };
                check(format!("{user} POST close {own:?}"), close, want);
                // The plan: read like the case, written like the journal (an empty body is 422).
                check(
                    format!("{user} GET plan {own:?}"),
                    app.get(&format!("/api/v1/cases/{case}/plan"), user)
                        .await
                        .status,
                    read_status(user, own),
                );
                for what in ["goals", "reviews"] {
                    let got = app
                        .post(
                            &format!("/api/v1/cases/{case}/plan/{what}"),
                            user,
                            json!({}),
                        )
                        .await
                        .status;
                    check(format!("{user} POST plan/{what} {own:?}"), got, want);
                }
                let reassign = app
                    .post(&format!("/api/v1/cases/{case}/reassign"), user, json!({}))
                    .await
                    .status;
                let want = match (user, own) {
                    ("head", Own::Mine | Own::Unit) => StatusCode::UNPROCESSABLE_ENTITY,
                    ("head", Own::Other) => StatusCode::NOT_FOUND,
                    _ => StatusCode::FORBIDDEN,
                };
                check(format!("{user} POST reassign {own:?}"), reassign, want);
                // Opening a case: allowed in the own unit for client work, refused as unknown elsewhere.
                let r = app
                    .post(
                        "/api/v1/cases",
                        user,
                        json!({"client_id": client, "case_manager": "cm"}),
                    )
                    .await;
                let want = match (client_work, own) {
                    (false, _) => StatusCode::FORBIDDEN,
                    (true, Own::Other) => StatusCode::UNPROCESSABLE_ENTITY,
                    (true, _) => StatusCode::CREATED,
                };
                check(format!("{user} POST case {own:?}"), r.status, want);
            }
            let list = app.get("/api/v1/clients", user).await.status;
            check(
                format!("{user} GET clients"),
                list,
                if client_work {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
            );
            let r = app
            .post("/api/v1/clients", user, json!({"personal_number": fresh_number(), "given_name": "A", "family_name": "B"}))
            .await;
            check(
                format!("{user} POST client"),
                r.status,
                if client_work {
                    StatusCode::CREATED
                } else {
                    StatusCode::FORBIDDEN
                },
            );
            let log = app.get("/api/v1/audit", user).await.status;
            let want = if user == "auditor" {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            check(format!("{user} GET audit"), log, want);
            let r = app
                .post("/api/v1/audit/1/review", user, json!({"comment": "matrix"}))
                .await
                .status;
            let want = if user == "auditor" {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            };
            check(format!("{user} POST review"), r, want);
            let settings = app.get("/api/v1/settings/alerts", user).await.status;
            let want = if matches!(user, "head" | "admin") {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            check(format!("{user} GET settings"), settings, want);
            let screening = app.get("/api/v1/settings/screening", user).await.status;
            check(format!("{user} GET screening settings"), screening, want);
            let instrument = app.get("/api/v1/instruments/AUDIT", user).await.status;
            check(format!("{user} GET instrument"), instrument, StatusCode::OK);
            let doc = app
                .api(Method::GET, "/api/v1/openapi.json", Some(user), None)
                .await
                .status;
            check(format!("{user} GET openapi"), doc, StatusCode::OK);
            check(
                format!("{user} unknown api path"),
                app.get("/api/v1/nothing", user).await.status,
                StatusCode::NOT_FOUND,
            );
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
);

both!(
    the_pages_follow_the_access_rules_for_every_role_and_ownership,
    |db| async move {
        let app = app(db).await;
        let world = world(&app).await;
        let mut failures = Vec::new();
        for user in ROLES {
            let (_, session) = login(&app, user, PASSWORD).await;
            let cookie = format!("vaka_session={}", session.unwrap());
            for &(own, client, _) in &world {
                let got = page(&app, &format!("/clients/{client}"), &cookie)
                    .await
                    .status;
                let want = read_status(user, own);
                if got != want {
                    failures.push(format!(
                        "{user} page client {own:?}: got {got}, want {want}"
                    ));
                }
            }
            // Every role has a start page; only client work shows clients.
            let caseload = page(&app, "/caseload", &cookie).await;
            if caseload.status != StatusCode::OK {
                failures.push(format!("{user} caseload: {}", caseload.status));
            }
            let shows_clients = caseload.text.contains("/clients/");
            if shows_clients != matches!(user, "cm" | "head") {
                failures.push(format!("{user} caseload shows clients: {shows_clients}"));
            }
            let start = match user {
                "auditor" => "/audit",
                "admin" => "/users",
                _ => "/caseload",
            };
            assert_eq!(page(&app, "/", &cookie).await.headers["location"], start);
            let review = page(&app, "/audit", &cookie).await.status;
            let want = if user == "auditor" {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            if review != want {
                failures.push(format!("{user} review page: got {review}, want {want}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
);

both!(
    public_routes_answer_without_a_session_and_reveal_nothing,
    |db| async move {
        let app = app(db).await;
        for (uri, want) in [
            ("/healthz", StatusCode::OK),
            ("/readyz", StatusCode::OK),
            ("/metrics", StatusCode::OK),
            ("/login", StatusCode::OK),
            ("/api/v1/openapi.json", StatusCode::OK),
            ("/static/vaka.css", StatusCode::OK),
            ("/static/favicon.svg", StatusCode::OK),
            ("/favicon.ico", StatusCode::PERMANENT_REDIRECT),
            ("/lang/en", StatusCode::SEE_OTHER),
            ("/", StatusCode::SEE_OTHER),
            ("/caseload", StatusCode::SEE_OTHER),
            ("/clients/1", StatusCode::SEE_OTHER),
        ] {
            let r = app
                .send(Request::get(uri).body(Body::empty()).unwrap())
                .await;
            assert_eq!(r.status, want, "{uri}");
        }
        // State-changing page routes refuse a request without session or CSRF token.
        let r = app
            .send(
                Request::post("/logout")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("csrf=x"))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            (r.status, r.headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/login")
        );
        let r = app
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("username=cm&password=x&csrf=x"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both!(
    emergency_access_can_be_asked_for_by_client_work_only,
    |db| async move {
        let app = app(db).await;
        let world = world(&app).await;
        let mut failures = Vec::new();
        for user in ROLES {
            for &(own, client, _) in &world {
                let r = app
                    .post(
                        &format!("/api/v1/clients/{client}/emergency-access"),
                        user,
                        json!({"reason": "Akut behov i matristestet"}),
                    )
                    .await;
                let want = if matches!(user, "cm" | "head") {
                    StatusCode::CREATED
                } else {
                    StatusCode::FORBIDDEN
                };
                if r.status != want {
                    failures.push(format!(
                        "{user} emergency {own:?}: got {}, want {want}",
                        r.status
                    ));
                }
                // Afterwards client work reads every client; the other roles still read none.
                let read = app
                    .get(&format!("/api/v1/clients/{client}"), user)
                    .await
                    .status;
                let want = if matches!(user, "cm" | "head") {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                };
                if read != want {
                    failures.push(format!(
                        "{user} read after emergency {own:?}: got {read}, want {want}"
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
);

both!(
    the_journal_follows_the_access_rules_for_every_role_and_ownership,
    |db| async move {
        let app = app(db).await;
        let world = world(&app).await;
        let mut failures = Vec::new();
        let body = json!({"occurred_at": "2026-11-20T09:15:00Z", "kind": "phone", "substance_use": "none", "housing": "own", "signed": true});
        for user in ROLES {
            for &(own, client, _) in &world {
                let write = app
                    .post(
                        &format!("/api/v1/clients/{client}/contacts"),
                        user,
                        body.clone(),
                    )
                    .await
                    .status;
                let want = if read_status(user, own) == StatusCode::OK {
                    StatusCode::CREATED
                } else {
                    StatusCode::NOT_FOUND
                };
                if write != want {
                    failures.push(format!(
                        "{user} POST contact {own:?}: got {write}, want {want}"
                    ));
                }
                let read = app
                    .get(&format!("/api/v1/clients/{client}/contacts"), user)
                    .await
                    .status;
                if read != read_status(user, own) {
                    failures.push(format!("{user} GET contacts {own:?}: got {read}"));
                }
                let put = app
                    .api(
                        Method::PUT,
                        &format!("/api/v1/clients/{client}/contacts/1"),
                        Some(user),
                        Some(body.clone()),
                    )
                    .await
                    .status;
                // Contact 1 belongs to the first client and is signed: 409 for those who may write there.
                let want = match (read_status(user, own), own) {
                    (StatusCode::OK, Own::Mine) => StatusCode::CONFLICT,
                    _ => StatusCode::NOT_FOUND,
                };
                if put != want {
                    failures.push(format!(
                        "{user} PUT contact {own:?}: got {put}, want {want}"
                    ));
                }
                // An objection to that signed entry: recorded by those who may write there.
                let objection = app
                    .post(
                        &format!("/api/v1/clients/{client}/contacts/1/objections"),
                        user,
                        json!({"statement": "Matristest."}),
                    )
                    .await
                    .status;
                let want = match (read_status(user, own), own) {
                    (StatusCode::OK, Own::Mine) => StatusCode::CREATED,
                    _ => StatusCode::NOT_FOUND,
                };
                if objection != want {
                    failures.push(format!(
                        "{user} POST objection {own:?}: got {objection}, want {want}"
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
);

both!(
    decisions_placements_and_money_follow_the_access_rules,
    |db| async move {
        let app = app(db).await;
        let world = world(&app).await;
        let mut failures = Vec::new();
        let mut check = |what: String, got: StatusCode, want: StatusCode| {
            if got != want {
                failures.push(format!("{what}: got {got}, want {want}"));
            }
        };
        // A decision and a placement on each client, made by its own unit head.
        let mut made = Vec::new();
        for &(own, client, _) in &world {
            let head = if own == Own::Other { "head_b" } else { "head" };
            let d = app
                .post("/api/v1/decisions", head, json!({"client_id": client, "intervention": "outpatient", "outcome": "granted", "reasons": "Matris."}))
                .await;
            let p = app
                .post("/api/v1/placements", head, json!({"client_id": client, "intervention": "outpatient", "start": "2025-01-01", "daily_price_ore": 100}))
                .await;
            assert_eq!(
                (d.status, p.status),
                (StatusCode::CREATED, StatusCode::CREATED),
                "{} {}",
                d.text,
                p.text
            );
            made.push((
                own,
                client,
                d.json["id"].as_i64().unwrap(),
                p.json["id"].as_i64().unwrap(),
            ));
        }
        for user in ROLES {
            let economy = if user == "head" {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            for path in [
                "/api/v1/budget",
                "/api/v1/providers",
                "/api/v1/housing",
                "/api/v1/export/placements.csv",
                "/api/v1/export/decisions.csv",
            ] {
                check(
                    format!("{user} GET {path}"),
                    app.get(path, user).await.status,
                    economy,
                );
            }
            let departures = app
                .get("/api/v1/decisions?departures=true", user)
                .await
                .status;
            check(format!("{user} GET departures"), departures, economy);
            for &(own, client, decision, placement) in &made {
                let read = read_status(user, own);
                check(
                    format!("{user} GET decision {own:?}"),
                    app.get(&format!("/api/v1/decisions/{decision}"), user)
                        .await
                        .status,
                    read,
                );
                check(
                    format!("{user} GET letter {own:?}"),
                    app.get(&format!("/api/v1/decisions/{decision}/letter"), user)
                        .await
                        .status,
                    read,
                );
                check(
                    format!("{user} GET placement {own:?}"),
                    app.get(&format!("/api/v1/placements/{placement}"), user)
                        .await
                        .status,
                    read,
                );
                // Deciding: the unit head of the client's unit only; everyone else is told nothing.
                let decide = match (user, own) {
                    ("head", Own::Mine | Own::Unit) => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::NOT_FOUND,
                };
                let r = app
                    .post(
                        &format!("/api/v1/placements/{placement}/end"),
                        user,
                        json!({}),
                    )
                    .await
                    .status;
                check(format!("{user} POST end {own:?}"), r, decide);
                let r = app
                    .post(
                        &format!("/api/v1/decisions/{decision}/appeal"),
                        user,
                        json!({}),
                    )
                    .await
                    .status;
                check(format!("{user} POST appeal {own:?}"), r, decide);
                let r = app
                    .post(
                        &format!("/api/v1/decisions/{decision}/communication"),
                        user,
                        json!({}),
                    )
                    .await
                    .status;
                check(format!("{user} POST communication {own:?}"), r, decide);
                let r = app.post("/api/v1/applications", user, json!({"client_id": client, "intervention": "outpatient", "description": "Matris"})).await.status;
                let want = match (read_status(user, own), user) {
                    (StatusCode::OK, _) => StatusCode::CREATED,
                    (_, "cm" | "head") => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::FORBIDDEN,
                };
                check(format!("{user} POST application {own:?}"), r, want);
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
);
