use axum::http::StatusCode;
use serde_json::{Value, json};
use vaka_store::both;

use super::*;

fn entry(at: &str, substance_use: &str, well_being: i64) -> Value {
    json!({"occurred_at": at, "kind": "meeting", "substance_use": substance_use, "well_being": well_being,
           "housing": "own", "signed": true})
}

fn now_minus(hours: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::hours(hours)).to_rfc3339()
}

both!(
    a_signed_relapse_raises_one_alert_that_is_acknowledged_and_resolved,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let journal = format!("/api/v1/clients/{id}/contacts");
        let r = app
            .post(&journal, "cm", entry(&now_minus(1), "relapse", 6))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let open = app
            .get(&format!("/api/v1/alerts?client_id={id}&status=open"), "cm")
            .await;
        assert_eq!(open.status, StatusCode::OK, "{}", open.text);
        let items = open.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", open.text);
        assert_eq!(
            (items[0]["rule"].as_str(), items[0]["severity"].as_str()),
            (Some("relapse_reported"), Some("high"))
        );
        assert_eq!(items[0]["client_id"], id);
        assert!(
            items[0]["explanation"]
                .as_str()
                .unwrap()
                .contains("Återfall")
        );
        // An older entry signed later leaves the newest the same: still one open alert for the cause.
        app.post(&journal, "cm", entry(&now_minus(30), "none", 7))
            .await;
        let again = app
            .get(&format!("/api/v1/alerts?client_id={id}"), "cm")
            .await;
        assert_eq!(again.json["items"].as_array().unwrap().len(), 1);
        // The case manager sees it among their own alerts too.
        let mine = app.get("/api/v1/alerts", "cm").await;
        assert_eq!(mine.json["items"].as_array().unwrap().len(), 1);
        assert!(
            app.get("/api/v1/alerts", "cm2").await.json["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        let alert = items[0]["id"].as_i64().unwrap();
        let ack = app
            .post(
                &format!("/api/v1/alerts/{alert}/acknowledge"),
                "cm",
                json!({}),
            )
            .await;
        assert_eq!(
            (ack.status, ack.json["status"].as_str()),
            (StatusCode::OK, Some("acknowledged")),
            "{}",
            ack.text
        );
        let twice = app
            .post(
                &format!("/api/v1/alerts/{alert}/acknowledge"),
                "cm",
                json!({}),
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        let no_note = app
            .post(&format!("/api/v1/alerts/{alert}/resolve"), "cm", json!({}))
            .await;
        assert_eq!(error(&no_note), ("required", Some("note")));
        let done = app
            .post(
                &format!("/api/v1/alerts/{alert}/resolve"),
                "cm",
                json!({"note": "Hembesök, kontakt med beroendemottagningen."}),
            )
            .await;
        assert_eq!(
            (done.status, done.json["status"].as_str()),
            (StatusCode::OK, Some("resolved"))
        );
        assert_eq!(
            done.json["resolution_note"],
            "Hembesök, kontakt med beroendemottagningen."
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/alerts/{alert}/resolve"),
                "cm",
                json!({"note": "igen"})
            )
            .await
            .status,
            StatusCode::CONFLICT
        );
        assert!(
            app.get(&format!("/api/v1/alerts?client_id={id}&status=open"), "cm")
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        // A new relapse is a new cause: a new alert.
        app.post(&journal, "cm", entry(&now_minus(0), "relapse", 5))
            .await;
        assert_eq!(
            app.get(&format!("/api/v1/alerts?client_id={id}&status=open"), "cm")
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
);

both!(drafts_raise_nothing_until_signed, |db| async move {
    let app = app(db).await;
    let id = app.assigned_client("cm", "19121212-1212").await;
    let mut draft = entry(&now_minus(1), "none", 2);
    draft["signed"] = json!(false);
    let r = app
        .post(
            &format!("/api/v1/clients/{id}/contacts"),
            "cm",
            draft.clone(),
        )
        .await;
    assert!(
        app.get(&format!("/api/v1/alerts?client_id={id}"), "cm")
            .await
            .json["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    draft["signed"] = json!(true);
    let uri = r.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(
        app.api(axum::http::Method::PUT, &uri, Some("cm"), Some(draft))
            .await
            .status,
        StatusCode::OK
    );
    let list = app
        .get(&format!("/api/v1/alerts?client_id={id}"), "cm")
        .await;
    let rules: Vec<&str> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["well_being_low"]);
});

both!(alerts_follow_the_clients_access_rules, |db| async move {
    let app = app(db).await;
    let id = app.assigned_client("cm", "19121212-1212").await;
    app.post(
        &format!("/api/v1/clients/{id}/contacts"),
        "cm",
        entry(&now_minus(1), "lapse", 6),
    )
    .await;
    let alert = app
        .get(&format!("/api/v1/alerts?client_id={id}"), "cm")
        .await
        .json["items"][0]["id"]
        .as_i64()
        .unwrap();
    for user in ["cm2", "head_b", "admin", "analyst", "auditor"] {
        assert_eq!(
            app.get(&format!("/api/v1/alerts?client_id={id}"), user)
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{user}"
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/alerts/{alert}/acknowledge"),
                user,
                json!({})
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "{user}"
        );
    }
    assert_eq!(
        app.get(&format!("/api/v1/alerts?client_id={id}"), "head")
            .await
            .status,
        StatusCode::OK
    );
    let bad = app
        .get(
            &format!("/api/v1/alerts?client_id={id}&status=closed"),
            "cm",
        )
        .await;
    assert_eq!(error(&bad), ("unknown_value", Some("status")));
    assert_eq!(
        app.post("/api/v1/alerts/999999/acknowledge", "cm", json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

async fn sql(app: &App, statement: &str) {
    let mut tx = app.db.store.begin().await.unwrap();
    vaka_store::testing::exec(&mut tx, statement).await.unwrap();
    tx.commit().await.unwrap();
}

fn ts(hours_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::hours(hours_ago))
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

both!(
    the_scheduled_check_raises_no_contact_once_and_escalates_what_nobody_acknowledged,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        sql(
        &app,
        &format!(
            "INSERT INTO placements (client_id, intervention, start_date, daily_price_ore, created_at) \
             VALUES ({id}, 'case_management', '2026-01-01', 52000, '{}')",
            ts(24 * 400)
        ),
    )
    .await;
        // Three days since the last contact; case management expects one every two days.
        let r = app
            .post(
                &format!("/api/v1/clients/{id}/contacts"),
                "cm",
                entry(&now_minus(72), "none", 7),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let first = vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert_eq!(first.clients, 1);
        let again = vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert_eq!(again.clients, 1);
        let list = app
            .get(&format!("/api/v1/alerts?client_id={id}"), "cm")
            .await;
        let items = list.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", list.text);
        assert_eq!(items[0]["rule"], "no_contact");
        assert_eq!(items[0]["escalated"], false);

        // Not acknowledged in 24 hours: escalated to the unit head.
        let alert = items[0]["id"].as_i64().unwrap();
        sql(
            &app,
            &format!(
                "UPDATE alerts SET created_at = '{}' WHERE id = {alert}",
                ts(25)
            ),
        )
        .await;
        let s = vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert_eq!(s.escalated, 1);
        let head = app.get("/api/v1/alerts", "head").await;
        let seen: Vec<i64> = head.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        assert_eq!(seen, [alert]);
        assert!(
            app.get("/api/v1/alerts", "head_b").await.json["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // Resolved stays resolved: the next check does not raise the same cause again.
        app.post(
            &format!("/api/v1/alerts/{alert}/resolve"),
            "cm",
            json!({"note": "Ringt, bokat besök i morgon."}),
        )
        .await;
        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert!(
            app.get(&format!("/api/v1/alerts?client_id={id}"), "cm")
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
);

both!(the_client_page_lists_open_alerts, |db| async move {
    let app = app(db).await;
    let id = app.assigned_client("cm", "19121212-1212").await;
    app.post(
        &format!("/api/v1/clients/{id}/contacts"),
        "cm",
        entry(&now_minus(1), "relapse", 6),
    )
    .await;
    let (_, s) = super::pages::login(&app, "cm", PASSWORD).await;
    let cookie = format!("vaka_session={}", s.unwrap());
    let page = super::pages::page(&app, &format!("/clients/{id}"), &cookie).await;
    assert!(
        page.text.contains("Öppna larm") && page.text.contains("Återfall rapporterat"),
        "{}",
        page.text
    );
    let alert = app
        .get(&format!("/api/v1/alerts?client_id={id}"), "cm")
        .await
        .json["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/alerts/{alert}/resolve"),
        "cm",
        json!({"note": "Klart"}),
    )
    .await;
    let page = super::pages::page(&app, &format!("/clients/{id}"), &cookie).await;
    assert!(!page.text.contains("Öppna larm"));
});

fn day(offset: i64) -> String {
    (vaka_domain::time::local_date(chrono::Utc::now()) + chrono::Duration::days(offset)).to_string()
}

async fn rules_of(app: &App, id: i64) -> Vec<String> {
    let mut rules: Vec<String> = app
        .get(&format!("/api/v1/alerts?client_id={id}"), "cm")
        .await
        .json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap().to_owned())
        .collect();
    rules.sort();
    rules
}

both!(
    a_placement_ending_without_a_decision_and_a_follow_up_falling_due_raise_alerts,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let other = app.assigned_client("cm", "19800101-R010").await;
        let head = app.user_ids["head"].0;
        let created = ts(24 * 30);
        // Client 1: a treatment home ending in 10 days, nothing decided since it started.
        // Client 2: the same, but a decision about what comes next was made after the start.
        for (client, decided) in [(id, false), (other, true)] {
            sql(&app, &format!(
                "INSERT INTO decisions (client_id, intervention, outcome, reasons, legal_basis, decided_on, decided_by, created_at) \
                 VALUES ({client}, 'treatment_home', 'granted', 'Behov av behandling', 'SoL', '{}', {head}, '{created}')",
                day(-40)
            ))
            .await;
            sql(&app, &format!(
                "INSERT INTO placements (client_id, decision_id, intervention, start_date, end_date, daily_price_ore, created_at) \
                 SELECT {client}, max(id), 'treatment_home', '{}', '{}', 250000, '{created}' FROM decisions WHERE client_id = {client}",
                day(-30),
                day(10)
            ))
            .await;
            if decided {
                sql(&app, &format!(
                    "INSERT INTO decisions (client_id, intervention, outcome, reasons, legal_basis, decided_on, decided_by, created_at) \
                     VALUES ({client}, 'training_apartment', 'granted', 'Utslussning', 'SoL', '{}', {head}, '{created}')",
                    day(-2)
                ))
                .await;
            }
        }
        // A 6-month follow-up due yesterday, and one due next week.
        sql(&app, &format!(
            "INSERT INTO follow_ups (client_id, timepoint, due_on, status, created_at) VALUES \
             ({id}, 'month_6', '{}', 'due', '{created}'), ({id}, 'month_12', '{}', 'due', '{created}')",
            day(-1),
            day(7)
        ))
        .await;
        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert_eq!(
            rules_of(&app, id).await,
            ["follow_up_due", "placement_ending_without_decision"]
        );
        assert!(rules_of(&app, other).await.is_empty());
        // Run again: still one alert per cause.
        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert_eq!(rules_of(&app, id).await.len(), 2);
        // A follow-up recorded as missed no longer raises anything new.
        sql(
            &app,
            "UPDATE follow_ups SET status = 'missed', missed_reason = 'not_reached'",
        )
        .await;
        sql(&app, "DELETE FROM alerts WHERE rule = 'follow_up_due'").await;
        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert_eq!(
            rules_of(&app, id).await,
            ["placement_ending_without_decision"]
        );
    }
);

both!(
    thresholds_are_settings_of_the_municipality_checked_and_logged,
    |db| async move {
        let app = app(db).await;
        let got = app.get("/api/v1/settings/alerts", "head").await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text);
        assert_eq!(got.json["settings"]["well_being_low"], 3);
        assert_eq!(got.json["settings"]["contact_interval.case_management"], 2);
        for user in ["cm", "analyst", "auditor"] {
            assert_eq!(
                app.get("/api/v1/settings/alerts", user).await.status,
                StatusCode::FORBIDDEN
            );
            let r = app
                .api(
                    axum::http::Method::PUT,
                    "/api/v1/settings/alerts",
                    Some(user),
                    Some(json!({"well_being_low": 1})),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
        let put = |body: Value| {
            let app = &app;
            async move {
                app.api(
                    axum::http::Method::PUT,
                    "/api/v1/settings/alerts",
                    Some("head"),
                    Some(body),
                )
                .await
            }
        };
        // One bad value refuses the whole change and names the key.
        let bad = put(json!({"well_being_low": 2, "baseline_days": 0})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&bad), ("out_of_range", Some("baseline_days")));
        let bad = put(json!({"contact_interval.sauna": 2})).await;
        assert_eq!(
            error(&bad),
            ("unknown_setting", Some("contact_interval.sauna"))
        );
        let bad = put(json!({"well_being_low": [1]})).await;
        assert_eq!(error(&bad), ("not_a_number", Some("well_being_low")));
        assert_eq!(
            app.get("/api/v1/settings/alerts", "head").await.json["settings"]["well_being_low"],
            3,
            "nothing was half-written"
        );

        // Well-being 4 is not low by default; with the threshold at 4 it is.
        let id = app.assigned_client("cm", "19121212-1212").await;
        let journal = format!("/api/v1/clients/{id}/contacts");
        app.post(&journal, "cm", entry(&now_minus(2), "none", 4))
            .await;
        assert!(rules_of(&app, id).await.is_empty());
        let ok = put(json!({"well_being_low": 4, "contact_interval.case_management": "0"})).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        assert_eq!(ok.json["settings"]["well_being_low"], 4);
        assert_eq!(ok.json["defaults"]["well_being_low"], 3);
        app.post(&journal, "cm", entry(&now_minus(1), "none", 4))
            .await;
        assert_eq!(rules_of(&app, id).await, ["well_being_low"]);
        // The change is in the access log, with who and what.
        let log = app.get("/api/v1/audit?username=head", "auditor").await;
        assert!(
            log.json["items"].as_array().unwrap().iter().any(|e| {
                e["action"] == "settings_update"
                    && e["detail"].as_str().unwrap().contains("well_being_low=4")
            }),
            "{}",
            log.text
        );
        assert!(app.audit_verifies().await);
    }
);

both!(
    each_reported_risk_raises_its_own_alert_once_and_a_correction_does_not_repeat_it,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let journal = format!("/api/v1/clients/{id}/contacts");
        let mut body = entry(&now_minus(2), "none", 6);
        body["risks"] = json!(["overdose", "eviction_risk"]);
        let r = app.post(&journal, "cm", body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["risks"], json!(["overdose", "eviction_risk"]));
        let first = r.json["id"].as_i64().unwrap();
        assert_eq!(
            rules_of(&app, id).await,
            ["eviction_risk_reported", "overdose_reported"]
        );
        let open = app
            .get(&format!("/api/v1/alerts?client_id={id}&status=open"), "cm")
            .await;
        let items = open.json["items"].as_array().unwrap();
        let overdose = items
            .iter()
            .find(|a| a["rule"] == "overdose_reported")
            .unwrap();
        assert_eq!(overdose["severity"], "high");
        assert!(
            overdose["explanation"]
                .as_str()
                .unwrap()
                .starts_with("Överdos rapporterad i kontakten"),
            "{overdose}"
        );
        // Correcting the entry (the same overdose, a better note) raises nothing new; a newer
        // entry without risks does not hide the ones before.
        body["corrects"] = json!(first);
        body["note"] = json!("Överdos i lördags, hämtad av ambulans.");
        let c = app.post(&journal, "cm", body).await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
        app.post(&journal, "cm", entry(&now_minus(1), "none", 7))
            .await;
        assert_eq!(
            rules_of(&app, id).await,
            ["eviction_risk_reported", "overdose_reported"]
        );
        // A draft with a risk is not yet a report.
        let mut draft = entry(&now_minus(1), "none", 7);
        draft["risks"] = json!(["violence"]);
        draft["signed"] = json!(false);
        let d = app.post(&journal, "cm", draft).await;
        assert_eq!(d.status, StatusCode::CREATED);
        assert_eq!(d.json["risks"], json!(["violence"]));
        assert_eq!(rules_of(&app, id).await.len(), 2);
    }
);

both!(
    the_measures_count_people_with_each_risk_reported_without_naming_them,
    |db| async move {
        let app = app(db).await;
        // Six people with an overdose (one of them twice), two with violence, and one whose
        // overdose was corrected away.
        let mut first = 0;
        for i in 0..9 {
            let id = app
                .assigned_client("cm", &format!("19800101-R3{i:02}"))
                .await;
            let journal = format!("/api/v1/clients/{id}/contacts");
            let mut body = entry(&now_minus(3), "none", 6);
            body["risks"] = json!(match i {
                0..=5 => vec!["overdose"],
                6 | 7 => vec!["violence"],
                _ => vec!["overdose"],
            });
            body["note"] = json!("Hemlig anteckning");
            let r = app.post(&journal, "cm", body.clone()).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            if i == 0 {
                first = id;
                body["occurred_at"] = json!(now_minus(2));
                app.post(&journal, "cm", body.clone()).await;
            }
            if i == 8 {
                let mut fix = entry(&now_minus(3), "none", 6);
                fix["corrects"] = r.json["id"].clone();
                let c = app.post(&journal, "cm", fix).await;
                assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
            }
        }
        assert!(first > 0);
        let r = app
            .get(
                &format!("/api/v1/measures?from={}&to={}", day(-2), day(0)),
                "analyst",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let risks = &r.json["risks_reported"];
        assert_eq!(risks["people"], 8, "{risks}");
        let row = |name: &str| {
            risks["by_risk"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["risk"] == name)
                .unwrap()
                .clone()
        };
        assert_eq!(
            (
                row("overdose")["people"].clone(),
                row("overdose")["reports"].clone()
            ),
            (json!(6), json!(7))
        );
        assert_eq!(row("violence")["people"]["suppressed"], true);
        assert_eq!(row("suicide_risk")["people"], 0);
        assert!(!r.text.contains("Hemlig") && !r.text.contains("R300"));
        // Before the period: nothing.
        let before = app
            .get(
                &format!("/api/v1/measures?from={}&to={}", day(-30), day(-20)),
                "analyst",
            )
            .await;
        assert_eq!(before.json["risks_reported"]["people"], 0);
    }
);
