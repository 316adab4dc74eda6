use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use vaka_domain::ids::{ClientId, PlacementId};
use vaka_store::both;

use super::*;

const MAN_1964: &str = "19640823-3234";
const WOMAN_1990: &str = "19901211-9948";

fn today() -> chrono::NaiveDate {
    vaka_domain::time::local_date(chrono::Utc::now())
}

fn day(offset: i64) -> String {
    (today() + chrono::Duration::days(offset)).to_string()
}

async fn sql(app: &App, statement: &str) {
    let mut tx = app.db.store.begin().await.unwrap();
    vaka_store::testing::exec(&mut tx, statement).await.unwrap();
    tx.commit().await.unwrap();
}

fn audit(answers: [i64; 10]) -> Value {
    json!({"instrument": "AUDIT", "answers": answers, "administered_on": day(-1)})
}

fn fields(r: &Reply) -> Vec<String> {
    let mut f: Vec<String> = r.json["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    if f.is_empty() {
        f.extend(error(r).1.map(str::to_owned));
    }
    f
}

both!(
    an_audit_is_scored_for_the_person_s_sex_and_listed,
    |db| async move {
        let app = app(db).await;
        let man = app.assigned_client("cm", MAN_1964).await;
        let woman = app.assigned_client("cm", WOMAN_1990).await;
        // Total 7: below the men's cut-off of 8, zone I.
        let r = app
            .post(
                &format!("/api/v1/clients/{man}/assessments"),
                "cm",
                audit([2, 1, 1, 1, 1, 1, 0, 0, 0, 0]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (
                r.json["total"].as_i64(),
                r.json["zone"].as_str(),
                r.json["above_cutoff"].as_bool()
            ),
            (Some(7), Some("I"), Some(false))
        );
        assert_eq!(
            (r.json["cutoff"].as_i64(), r.json["cutoff_basis"].as_str()),
            (Some(8), Some("man"))
        );
        assert_eq!(r.json["audit_c"], 4);
        assert_eq!(r.json["profile"], "se_practice");
        assert_eq!(r.json["administered_by"], "cm");
        // Total 6 for a woman: at the cut-off, zone II.
        let r = app
            .post(
                &format!("/api/v1/clients/{woman}/assessments"),
                "cm",
                audit([1, 1, 1, 1, 0, 0, 0, 0, 2, 0]),
            )
            .await;
        assert_eq!(
            (
                r.json["total"].as_i64(),
                r.json["zone"].as_str(),
                r.json["above_cutoff"].as_bool()
            ),
            (Some(6), Some("II"), Some(true)),
            "{}",
            r.text
        );
        // DUDIT at 25: probable dependence.
        let r = app
            .post(
                &format!("/api/v1/clients/{man}/assessments"),
                "cm",
                json!({"instrument": "DUDIT", "answers": [4, 4, 4, 4, 4, 1, 0, 0, 0, 2, 2]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (
                r.json["total"].as_i64(),
                r.json["zone"].as_str(),
                r.json["audit_c"].is_null()
            ),
            (Some(25), Some("probable_dependence"), true)
        );
        assert_eq!(r.json["administered_on"], day(0), "today when left out");
        let list = app
            .get(&format!("/api/v1/clients/{man}/assessments"), "cm")
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let items = list.json["items"].as_array().unwrap();
        assert_eq!(
            items
                .iter()
                .map(|a| a["instrument"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["AUDIT", "DUDIT"]
        );
        assert_eq!(items[0]["answers"], json!([2, 1, 1, 1, 1, 1, 0, 0, 0, 0]));
        // Someone else's client is not found, and the refusal is logged.
        let r = app
            .post(
                &format!("/api/v1/clients/{man}/assessments"),
                "cm_b",
                audit([0; 10]),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let log = app.audit_for(man).await;
        let actions: Vec<&str> = log.iter().map(|(a, _)| a.as_str()).collect();
        assert!(actions.contains(&"assessment_create") && actions.contains(&"assessment_read"));
        assert!(actions.contains(&"access_denied"));
        assert!(app.audit_verifies().await);
    }
);

both!(
    invalid_answers_are_named_by_item_and_nothing_is_saved,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", MAN_1964).await;
        let url = format!("/api/v1/clients/{id}/assessments");
        let r = app
            .post(&url, "cm", audit([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&r), ("invalid_answer", Some("answers[8]")));
        assert!(
            r.json["error"]["message_sv"]
                .as_str()
                .unwrap()
                .contains("Fråga 9")
        );
        assert!(
            r.json["error"]["message_en"]
                .as_str()
                .unwrap()
                .contains("Item 9")
        );
        let r = app
            .post(
                &url,
                "cm",
                json!({"instrument": "DUDIT", "answers": [5, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0]}),
            )
            .await;
        assert_eq!(fields(&r), ["answers[0]", "answers[9]"], "{}", r.text);
        let r = app
            .post(
                &url,
                "cm",
                json!({"instrument": "DUDIT", "answers": [0, 0, "x", 0, 0, 0, 0, 0, 0, 0, 0]}),
            )
            .await;
        assert_eq!(error(&r), ("required", Some("answers[2]")), "{}", r.text);
        let r = app
            .post(
                &url,
                "cm",
                json!({"instrument": "AUDIT", "answers": [0, 0]}),
            )
            .await;
        assert_eq!(error(&r), ("wrong_count", Some("answers")));
        let r = app
            .post(&url, "cm", json!({"instrument": "ASI", "answers": []}))
            .await;
        assert_eq!(error(&r).1, Some("instrument"));
        let r = app.post(&url, "cm", json!({"answers": []})).await;
        assert_eq!(error(&r), ("required", Some("instrument")));
        let mut future = audit([0; 10]);
        future["administered_on"] = json!(day(1));
        assert_eq!(
            error(&app.post(&url, "cm", future).await),
            ("in_future", Some("administered_on"))
        );
        let mut early = audit([0; 10]);
        early["administered_on"] = json!("1950-01-01");
        assert_eq!(
            error(&app.post(&url, "cm", early).await),
            ("before_birth", Some("administered_on"))
        );
        let list = app.get(&url, "cm").await;
        assert!(
            list.json["items"].as_array().unwrap().is_empty(),
            "{}",
            list.text
        );
    }
);

both!(
    the_cut_offs_are_the_municipality_s_profile_and_history_keeps_its_day_s_profile,
    |db| async move {
        let app = app(db).await;
        let woman = app.assigned_client("cm", WOMAN_1990).await;
        let url = format!("/api/v1/clients/{woman}/assessments");
        let dudit_2 = json!({"instrument": "DUDIT", "answers": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]});
        let before = app.post(&url, "cm", dudit_2.clone()).await;
        assert_eq!(
            (
                before.json["cutoff"].as_i64(),
                before.json["above_cutoff"].as_bool()
            ),
            (Some(2), Some(true))
        );

        let got = app.get("/api/v1/settings/screening", "head").await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text);
        assert_eq!(got.json["settings"]["profile"], "se_practice");
        assert_eq!(got.json["settings"]["audit_women"], "6");
        assert_eq!(
            app.get("/api/v1/settings/screening", "cm").await.status,
            StatusCode::FORBIDDEN
        );
        let bad = app
            .api(
                Method::PUT,
                "/api/v1/settings/screening",
                Some("head"),
                Some(json!({"dudit_women": 3, "audit_kids": 1})),
            )
            .await;
        assert_eq!(error(&bad), ("unknown_setting", Some("audit_kids")));
        let bad = app
            .api(
                Method::PUT,
                "/api/v1/settings/screening",
                Some("head"),
                Some(json!({"profile": "nordic"})),
            )
            .await;
        assert_eq!(error(&bad).1, Some("profile"));
        assert_eq!(
            app.get("/api/v1/settings/screening", "head").await.json["settings"]["dudit_women"],
            "2",
            "nothing changed"
        );
        let put = app
            .api(
                Method::PUT,
                "/api/v1/settings/screening",
                Some("head"),
                Some(json!({"profile": "who_2001", "dudit_women": 3})),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text);
        assert_eq!(put.json["settings"]["audit_women"], "7");
        assert_eq!(put.json["settings"]["dudit_women"], "3");

        let after = app.post(&url, "cm", dudit_2).await;
        assert_eq!(
            (
                after.json["cutoff"].as_i64(),
                after.json["above_cutoff"].as_bool(),
                after.json["profile"].as_str()
            ),
            (Some(3), Some(false), Some("who_2001"))
        );
        let list = app.get(&url, "cm").await;
        assert_eq!(
            list.json["items"][0]["above_cutoff"], true,
            "the first keeps its day's cut-off"
        );
        // The alert thresholds are untouched by the screening keys.
        let alerts = app.get("/api/v1/settings/alerts", "head").await;
        assert_eq!(alerts.json["settings"]["well_being_low"], 3);
    }
);

both!(
    the_instruments_are_published_with_their_options_and_points,
    |db| async move {
        let app = app(db).await;
        let r = app.get("/api/v1/instruments/dudit", "analyst").await;
        assert_eq!(r.status, StatusCode::OK);
        let items = r.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 11);
        assert_eq!(
            items[10]["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["points"].as_i64().unwrap())
                .collect::<Vec<_>>(),
            [0, 2, 4]
        );
        assert_eq!(
            items[0]["en"],
            "How often do you use drugs other than alcohol?"
        );
        assert_eq!(
            app.get("/api/v1/instruments/ASI", "cm").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    follow_ups_fall_due_raise_an_alert_and_are_recorded_done_or_missed_never_dropped,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", MAN_1964).await;
        // A treatment home that started 200 days ago: intake fell due then, 6 months about 17
        // days ago, 12 months is still ahead.
        sql(&app, &format!(
            "INSERT INTO placements (client_id, intervention, start_date, daily_price_ore, created_at) \
             VALUES ({id}, 'treatment_home', '{}', 250000, '2026-01-01T00:00:00+00:00')",
            day(-200)
        ))
        .await;
        let mut tx = app.db.store.begin().await.unwrap();
        let start = today() - chrono::Duration::days(200);
        let scheduled = vaka_store::outcomes::schedule_for_placement(
            &mut tx,
            ClientId(id),
            PlacementId(1),
            start,
        )
        .await
        .unwrap();
        assert_eq!(scheduled.len(), 3);
        let again = vaka_store::outcomes::schedule_for_placement(
            &mut tx,
            ClientId(id),
            PlacementId(1),
            start,
        )
        .await
        .unwrap();
        assert!(again.is_empty(), "scheduled once per placement");
        tx.commit().await.unwrap();

        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        let list = app
            .get(&format!("/api/v1/clients/{id}/follow-ups"), "cm")
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        let items = list.json["items"].as_array().unwrap();
        let summary: Vec<(&str, &str, Option<&str>)> = items
            .iter()
            .map(|f| {
                (
                    f["timepoint"].as_str().unwrap(),
                    f["status"].as_str().unwrap(),
                    f["missed_reason"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("intake", "missed", Some("window_passed")),
                ("month_6", "due", None),
                ("month_12", "due", None)
            ]
        );
        let alerts = app
            .get(&format!("/api/v1/alerts?client_id={id}&status=open"), "cm")
            .await;
        let open: Vec<&str> = alerts.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["rule"].as_str().unwrap())
            .collect();
        assert_eq!(
            open,
            ["follow_up_due"],
            "only the 6-month one is due and open"
        );

        // Bad input names the field and saves nothing.
        let url = format!("/api/v1/clients/{id}/follow-ups");
        let r = app
            .post(
                &url,
                "cm",
                json!({"timepoint": "month_6", "status": "missed"}),
            )
            .await;
        assert_eq!(error(&r), ("required", Some("missed_reason")));
        let r = app
            .post(&url, "cm", json!({"timepoint": "month_6", "status": "done", "days_drugs_30": 31, "asi_ratings": {"alcohol": 10}}))
            .await;
        assert_eq!(
            fields(&r),
            ["asi_ratings.alcohol", "days_drugs_30"],
            "{}",
            r.text
        );
        // Done, with its outcomes: it completes the due row and resolves the alert.
        let r = app
            .post(
                &url,
                "cm",
                json!({"timepoint": "month_6", "status": "done", "done_on": day(-1), "days_alcohol_30": 2,
                       "days_drugs_30": 0, "housing": "own", "occupation": "work", "problematic_use": false,
                       "crime_30": false, "self_rated_health": 4, "quality_of_life": 7,
                       "asi_ratings": {"alcohol": 3, "drugs": 1, "psychiatric": 4}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["id"], items[1]["id"]);
        assert_eq!(r.json["status"], "done");
        assert_eq!(r.json["lives_independently"], true);
        assert_eq!(r.json["asi_ratings"]["psychiatric"], 4);
        let alerts = app
            .get(&format!("/api/v1/alerts?client_id={id}&status=open"), "cm")
            .await;
        assert!(
            alerts.json["items"].as_array().unwrap().is_empty(),
            "{}",
            alerts.text
        );
        // Missed with a reason; an intake for a client without a placement stands on its own.
        let r = app
            .post(
                &url,
                "cm",
                json!({"timepoint": "month_12", "status": "missed", "missed_reason": "moved"}),
            )
            .await;
        assert_eq!(
            (r.json["status"].as_str(), r.json["missed_reason"].as_str()),
            (Some("missed"), Some("moved"))
        );
        let other = app.assigned_client("cm", WOMAN_1990).await;
        let r = app
            .post(
                &format!("/api/v1/clients/{other}/follow-ups"),
                "cm",
                json!({"timepoint": "intake", "status": "done", "housing": "homeless"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (
                r.json["due_on"].as_str(),
                r.json["lives_independently"].is_null()
            ),
            (Some(day(0).as_str()), true)
        );

        let all = app.get(&url, "cm").await;
        let statuses: Vec<&str> = all.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["missed", "done", "missed"], "nothing dropped");
        let log = app.audit_for(id).await;
        assert!(
            log.contains(&("follow_up_missed".to_owned(), "system".to_owned())),
            "{log:?}"
        );
        assert!(log.contains(&("follow_up_record".to_owned(), "cm".to_owned())));
        assert!(app.audit_verifies().await);
    }
);
