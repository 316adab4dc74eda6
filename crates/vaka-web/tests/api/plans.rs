//! The case's plan through the API: goals and follow-ups, the errors that name their field and
//! save nothing, the conflicts, and the alert a goal raises when its follow-up day comes.

use axum::http::StatusCode;
use serde_json::{Value, json};
use vaka_store::both;

use super::*;

fn day(offset: i64) -> String {
    (vaka_domain::time::local_date(chrono::Utc::now()) + chrono::Duration::days(offset)).to_string()
}

/// A client of unit A with an open case for `cm`: (client, case).
async fn case_of_cm(app: &App, number: &str) -> (i64, i64) {
    let client = app.client("head", number).await;
    let r = app
        .post(
            "/api/v1/cases",
            "head",
            json!({"client_id": client, "case_manager": "cm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    (client, r.json["id"].as_i64().unwrap())
}

async fn goal_count(app: &App, case: i64) -> usize {
    let r = app.get(&format!("/api/v1/cases/{case}/plan"), "head").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["goals"].as_array().unwrap().len()
}

both!(
    a_goal_is_written_followed_up_and_finished,
    |db| async move {
        let app = app(db).await;
        let (client, case) = case_of_cm(&app, "19800101-R101").await;
        let goals = format!("/api/v1/cases/{case}/plan/goals");
        let reviews = format!("/api/v1/cases/{case}/plan/reviews");

        // Every wrong field at once, nothing saved.
        let r = app
            .post(
                &goals,
                "cm",
                json!({"life_area": "home", "goal": "  ", "follow_up_on": day(-1)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(error_fields(&r), ["life_area", "goal", "follow_up_on"]);
        assert!(r.json["errors"][0]["message_sv"].as_str().is_some());
        assert!(r.json["errors"][0]["message_en"].as_str().is_some());
        let r = app
            .post(&goals, "cm", json!({"life_area": "housing", "goal": 5}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(error(&r).1, Some("goal"));
        assert_eq!(goal_count(&app, case).await, 0);

        let r = app
            .post(
                &goals,
                "cm",
                json!({
                    "life_area": "housing",
                    "goal": "Ett eget kontrakt före sommaren",
                    "actions": "Case managern följer med på visningar.",
                    "follow_up_on": day(30),
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            r.headers["location"].to_str().unwrap(),
            format!("/api/v1/cases/{case}/plan")
        );
        let goal = r.json["id"].as_i64().unwrap();
        assert_eq!(r.json["status"], "ongoing");
        assert_eq!(r.json["due_on"], day(30));
        assert_eq!(r.json["created_by"], "cm");
        assert_eq!(r.json["life_area"], "housing");

        // A follow-up of an ongoing goal needs its next day; a dropped one a note.
        let r = app
            .post(
                &reviews,
                "cm",
                json!({"goal_id": goal, "status": "ongoing"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&r), ("required", Some("next_follow_up_on")));
        let r = app
            .post(
                &reviews,
                "cm",
                json!({"goal_id": goal, "status": "dropped"}),
            )
            .await;
        assert_eq!(error(&r), ("note_required", Some("note")));
        let r = app.post(&reviews, "cm", json!({"status": "reached"})).await;
        assert_eq!(error(&r), ("required", Some("goal_id")));
        let r = app
            .post(
                &reviews,
                "cm",
                json!({"goal_id": goal, "status": "ongoing", "reviewed_on": day(1), "next_follow_up_on": day(60)}),
            )
            .await;
        assert_eq!(error(&r), ("in_future", Some("reviewed_on")));
        let r = app
            .post(
                &reviews,
                "cm",
                json!({"goal_id": goal, "status": "ongoing", "note": "Två visningar.", "next_follow_up_on": day(60)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["due_on"], day(60));
        assert_eq!(r.json["reviews"][0]["reviewed_by"], "cm");
        assert_eq!(r.json["reviews"][0]["note"], "Två visningar.");

        // A goal of another case is not this case's.
        let (_, other_case) = case_of_cm(&app, "19800101-R102").await;
        let r = app
            .post(
                &format!("/api/v1/cases/{other_case}/plan/reviews"),
                "cm",
                json!({"goal_id": goal, "status": "reached"}),
            )
            .await;
        assert_eq!(error(&r), ("unknown_goal", Some("goal_id")));

        // The unit head follows it up to its end; after that it takes no more.
        let r = app
            .post(
                &reviews,
                "head",
                json!({"goal_id": goal, "status": "reached"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (r.json["status"].as_str(), r.json["due_on"].as_str()),
            (Some("reached"), None)
        );
        let r = app
            .post(
                &reviews,
                "cm",
                json!({"goal_id": goal, "status": "ongoing", "next_follow_up_on": day(9)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(error(&r).0, "goal_finished");

        let r = app.get(&format!("/api/v1/cases/{case}/plan"), "cm").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json["client_id"], client);
        let g = &r.json["goals"][0];
        assert_eq!(g["goal"], "Ett eget kontrakt före sommaren");
        assert_eq!(g["actions"], "Case managern följer med på visningar.");
        let reviewers: Vec<&str> = g["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["reviewed_by"].as_str().unwrap())
            .collect();
        assert_eq!(reviewers, ["cm", "head"]);

        // A closed case takes no new goal.
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/close"),
                "cm",
                json!({"reason": "goals_met"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = app
            .post(
                &goals,
                "head",
                json!({"life_area": "economy", "goal": "Skuldsanering", "follow_up_on": day(30)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(error(&r).0, "case_closed");
        assert_eq!(goal_count(&app, case).await, 1);
        assert!(app.audit_verifies().await);
    }
);

both!(
    a_goal_due_today_alerts_its_case_manager_until_it_is_followed_up,
    |db| async move {
        let app = app(db).await;
        let (client, case) = case_of_cm(&app, "19800101-R103").await;
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/plan/goals"),
                "cm",
                json!({"life_area": "occupation", "goal": "Praktik", "follow_up_on": day(0)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let goal = r.json["id"].as_i64().unwrap();
        let uri = format!("/api/v1/alerts?client_id={client}&status=open");
        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        let items = app.get(&uri, "cm").await.json["items"].clone();
        let rules: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["plan_goal_due"], "one alert, however often it runs");
        assert_eq!(items[0]["severity"], "low");
        assert!(
            items[0]["explanation"]
                .as_str()
                .unwrap()
                .contains("sysselsättning")
        );
        // The cm's own alert list has it too.
        let mine = app.get("/api/v1/alerts", "cm").await;
        assert!(mine.text.contains("plan_goal_due"));

        let r = app
            .post(
                &format!("/api/v1/cases/{case}/plan/reviews"),
                "cm",
                json!({"goal_id": goal, "status": "ongoing", "next_follow_up_on": day(14)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            app.get(&uri, "cm").await.json["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        vaka_web::api::alerts::run_checks(&app.db.store)
            .await
            .unwrap();
        assert_eq!(
            app.get(&uri, "cm").await.json["items"]
                .as_array()
                .unwrap()
                .len(),
            0,
            "not due again before its next day"
        );
    }
);

both!(
    the_case_page_writes_and_follows_up_goals_without_javascript,
    |db| async move {
        use super::pages::{form, hidden_csrf, login, page};
        let app = app(db).await;
        let (_, case) = case_of_cm(&app, "19800101-R104").await;
        let (_, session) = login(&app, "cm", PASSWORD).await;
        let cm = format!("vaka_session={}", session.unwrap());
        let shown = page(&app, &format!("/cases/{case}"), &cm).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert!(shown.text.contains("Genomförandeplan"));
        assert!(
            shown
                .text
                .contains(&format!("action=\"/cases/{case}/add-goal\""))
        );
        assert!(
            !shown.text.contains("review-goal\""),
            "nothing to follow up yet"
        );
        let csrf = hidden_csrf(&shown.text);
        // Without the form token nothing is written.
        let r = form(
            &app,
            &format!("/cases/{case}/add-goal"),
            &cm,
            "life_area=housing&goal=x",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A missing area comes back beside its field, with the goal's words kept.
        let r = form(
            &app,
            &format!("/cases/{case}/add-goal"),
            &cm,
            &format!("csrf={csrf}&goal=Eget+kontrakt&follow_up_on={}", day(20)),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("href=\"#f-life_area\""), "{}", r.text);
        assert!(r.text.contains(">Eget kontrakt</textarea>"), "{}", r.text);
        assert_eq!(goal_count(&app, case).await, 0);
        let r = form(
            &app,
            &format!("/cases/{case}/add-goal"),
            &cm,
            &format!(
                "csrf={csrf}&life_area=housing&goal=Eget+kontrakt&actions=&follow_up_on={}",
                day(20)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], format!("/cases/{case}"));
        let shown = page(&app, &format!("/cases/{case}"), &cm).await;
        assert!(shown.text.contains("Eget kontrakt"));
        assert!(shown.text.contains(&day(20)));
        let plan = app.get(&format!("/api/v1/cases/{case}/plan"), "cm").await;
        let goal = plan.json["goals"][0]["id"].as_i64().unwrap();
        assert!(
            shown.text.contains(&format!("value=\"{goal}\"")),
            "the goal to choose in the follow-up form"
        );
        let r = form(
            &app,
            &format!("/cases/{case}/review-goal"),
            &cm,
            &format!(
                "csrf={csrf}&goal_id={goal}&status=dropped&reviewed_on={}",
                day(0)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("href=\"#f-note\""), "{}", r.text);
        let r = form(
            &app,
            &format!("/cases/{case}/review-goal"),
            &cm,
            &format!(
                "csrf={csrf}&goal_id={goal}&status=dropped&reviewed_on={}&note=Vill+bo+kvar+hos+sin+mamma",
                day(0)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let shown = page(&app, &format!("/cases/{case}"), &cm).await;
        assert!(shown.text.contains("Uppföljningar av målen"));
        assert!(shown.text.contains("Vill bo kvar hos sin mamma"));
        assert!(shown.text.contains("Avbrutet"));
        assert!(
            !shown.text.contains("review-goal\""),
            "a finished goal is not followed up again"
        );

        // The plan to print and sign: a PDF, read like the page and logged as such.
        assert!(
            shown
                .text
                .contains(&format!("href=\"/cases/{case}/plan.pdf\""))
        );
        let client = plan.json["client_id"].as_i64().unwrap();
        let before = app.audit_for(client).await.len();
        let pdf = page(&app, &format!("/cases/{case}/plan.pdf"), &cm).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.text.starts_with("%PDF"));
        let logged: Vec<String> = app.audit_for(client).await[before..]
            .iter()
            .map(|(action, user)| format!("{action} {user}"))
            .collect();
        assert_eq!(logged, ["case_read cm", "plan_read cm", "client_read cm"]);
        // Not for a case manager of another unit.
        let (_, other) = login(&app, "cm_b", PASSWORD).await;
        let other = format!("vaka_session={}", other.unwrap());
        let refused = page(&app, &format!("/cases/{case}/plan.pdf"), &other).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        assert!(!refused.text.starts_with("%PDF"));
    }
);

both!(
    the_measures_count_finished_goals_by_area_without_personal_data,
    |db| async move {
        let app = app(db).await;
        // Six people each reach or drop a housing goal today; a seventh keeps one going.
        for i in 0..7 {
            let (_, case) = case_of_cm(&app, &format!("19800101-R2{i:02}")).await;
            let r = app
                .post(
                    &format!("/api/v1/cases/{case}/plan/goals"),
                    "cm",
                    json!({"life_area": "housing", "goal": "Eget kontrakt", "follow_up_on": day(0)}),
                )
                .await;
            let goal = r.json["id"].as_i64().unwrap();
            if i == 6 {
                continue;
            }
            let body = if i < 4 {
                json!({"goal_id": goal, "status": "reached"})
            } else {
                json!({"goal_id": goal, "status": "dropped", "note": "Flyttade."})
            };
            let r = app
                .post(&format!("/api/v1/cases/{case}/plan/reviews"), "cm", body)
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        let r = app
            .get(
                &format!("/api/v1/measures?from={}&to={}", day(-1), day(0)),
                "analyst",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let g = &r.json["plan_goals"];
        assert_eq!(g["goals"], 6);
        assert_eq!(g["people"], 6);
        assert_eq!(g["dropped"], 2);
        assert_eq!(g["reached"]["successes"], 4);
        assert_eq!(g["reached"]["n"], 6);
        assert_eq!(g["by_area"][0]["life_area"], "housing");
        assert_eq!(g["by_area"][0]["goals"], 6);
        assert!(r.json["closures"]["by_reason"].is_array());
        // Seven open cases, all with a goal.
        assert_eq!(r.json["plan_coverage"]["open_cases"], 7);
        assert_eq!(r.json["plan_coverage"]["with_plan"]["successes"], 7);
        assert!(!r.text.contains("Eget kontrakt") && !r.text.contains("Flyttade"));
    }
);

both!(
    a_journal_entry_names_the_goal_it_served_and_the_plan_counts_it,
    |db| async move {
        let app = app(db).await;
        let (client, case) = case_of_cm(&app, "19800101-R401").await;
        let (other, other_case) = case_of_cm(&app, "19800101-R402").await;
        let goal_of = |case: i64| {
            let app = &app;
            async move {
                let r = app
                    .post(
                        &format!("/api/v1/cases/{case}/plan/goals"),
                        "cm",
                        json!({"life_area": "housing", "goal": "Eget kontrakt", "follow_up_on": day(30)}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                r.json["id"].as_i64().unwrap()
            }
        };
        let goal = goal_of(case).await;
        let foreign = goal_of(other_case).await;
        let journal = format!("/api/v1/clients/{client}/contacts");
        let entry = |goal: Value| {
            json!({"occurred_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
                   "kind": "home_visit", "substance_use": "none", "housing": "own",
                   "note": "Visning av lägenhet.", "signed": true, "plan_goal_id": goal})
        };
        // Another client's goal, or no goal at all by that id: 422 naming the field, nothing saved.
        for bad in [json!(foreign), json!(999_999), json!(0), json!("tre")] {
            let r = app.post(&journal, "cm", entry(bad.clone())).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                r.text
            );
            assert_eq!(error(&r).1, Some("plan_goal_id"), "{bad}");
        }
        let r = app.post(&journal, "cm", entry(json!(foreign))).await;
        assert_eq!(error(&r).0, "unknown_goal");
        assert!(
            app.get(&journal, "cm").await.json["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        let r = app.post(&journal, "cm", entry(json!(goal))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["plan_goal_id"], goal);
        let plan = app.get(&format!("/api/v1/cases/{case}/plan"), "cm").await;
        assert_eq!(plan.json["goals"][0]["journal_entries"], 1);
        assert!(plan.json["goals"][0]["last_journal_entry_at"].is_string());
        let plan = app
            .get(&format!("/api/v1/cases/{other_case}/plan"), "cm")
            .await;
        assert_eq!(plan.json["goals"][0]["journal_entries"], 0);
        assert!(plan.json["goals"][0]["last_journal_entry_at"].is_null());

        // The pages: the form offers the client's own goal only, the entry shows it, and the case
        // page counts it.
        let (_, s) = super::pages::login(&app, "cm", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        let form =
            super::pages::page(&app, &format!("/clients/{client}/contacts/new"), &cookie).await;
        assert!(
            form.text.contains(&format!(
                "<option value=\"{goal}\">Boende: Eget kontrakt</option>"
            )),
            "{}",
            form.text
        );
        assert!(!form.text.contains(&format!("<option value=\"{foreign}\"")));
        let page = super::pages::page(&app, &format!("/clients/{client}"), &cookie).await;
        assert!(
            page.text
                .contains("Mål i genomförandeplanen: Boende: Eget kontrakt"),
            "{}",
            page.text
        );
        let case_page = super::pages::page(&app, &format!("/cases/{case}"), &cookie).await;
        assert!(case_page.text.contains("Journalanteckningar"));
        assert!(case_page.text.contains("1 (senast "), "{}", case_page.text);
        // A client without goals gets no goal field at all.
        let (bare, _) = case_of_cm(&app, "19800101-R403").await;
        let form =
            super::pages::page(&app, &format!("/clients/{bare}/contacts/new"), &cookie).await;
        assert!(!form.text.contains("name=\"plan_goal_id\""));
        let _ = other;
    }
);
