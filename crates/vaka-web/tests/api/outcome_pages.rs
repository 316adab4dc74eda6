//! Assessments and follow-ups in the UI: the real items and options, scoring from a plain form,
//! the result and the charts, and bad input named on the page with nothing saved.

use axum::http::StatusCode;
use vaka_store::both;

use super::pages::{form, hidden_csrf, login, page};
use super::*;

async fn session(app: &App, user: &str) -> String {
    let (_, s) = login(app, user, PASSWORD).await;
    format!("vaka_session={}", s.unwrap())
}

both!(
    an_audit_is_filled_in_scored_and_charted_from_a_plain_form,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19901211-9948").await;
        let cookie = session(&app, "cm").await;
        let new = page(
            &app,
            &format!("/clients/{id}/assessments/new?instrument=AUDIT"),
            &cookie,
        )
        .await;
        assert_eq!(new.status, StatusCode::OK, "{}", new.text);
        assert!(new.text.contains("Hur ofta dricker du alkohol?"));
        assert!(new.text.contains("Ja, under det senaste året"));
        assert_eq!(new.text.matches("type=\"radio\"").count(), 8 * 5 + 2 * 3);
        let csrf = hidden_csrf(&new.text);
        // Item 9 left out: the page names it, and nothing is saved.
        let mut body = format!("csrf={csrf}&instrument=AUDIT&administered_on=");
        for (i, a) in [3, 2, 1, 1, 0, 0, 1, 0].iter().enumerate() {
            body.push_str(&format!("&answer_{i}={a}"));
        }
        let missing = form(
            &app,
            &format!("/clients/{id}/assessments"),
            &cookie,
            &format!("{body}&answer_9=2"),
        )
        .await;
        assert_eq!(
            missing.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            missing.text
        );
        assert!(
            missing.text.contains("href=\"#f-answers-8\""),
            "{}",
            missing.text
        );
        assert!(missing.text.contains("Fråga 9"));
        assert!(
            missing.text.contains("value=\"3\" checked"),
            "the answers given stay checked"
        );
        let saved = app
            .get(&format!("/api/v1/clients/{id}/assessments"), "cm")
            .await;
        assert!(saved.json["items"].as_array().unwrap().is_empty());

        let r = form(
            &app,
            &format!("/clients/{id}/assessments"),
            &cookie,
            &format!("{body}&answer_8=0&answer_9=2"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let to = r.headers["location"].to_str().unwrap().to_owned();
        assert!(
            to.starts_with(&format!("/clients/{id}/assessments?new=")),
            "{to}"
        );
        let result = page(&app, &to, &cookie).await;
        assert_eq!(result.status, StatusCode::OK);
        // 3+2+1+1+0+0+1+0+0+2 = 10 for a woman: zone II (6–13), above the cut-off of 6.
        assert!(result.text.contains("AUDIT: 10 poäng"), "{}", result.text);
        assert!(result.text.contains("Zon II: riskbruk"));
        assert!(result.text.contains("Över gränsvärdet ≥6 (kvinna)"));
        assert!(result.text.contains("class=\"score-dot audit\""));
    }
);

both!(
    a_follow_up_is_recorded_from_the_form_and_a_missed_one_needs_its_reason,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19640823-3234").await;
        let cookie = session(&app, "cm").await;
        let new = page(
            &app,
            &format!("/clients/{id}/follow-ups/new?timepoint=month_6"),
            &cookie,
        )
        .await;
        assert_eq!(new.status, StatusCode::OK, "{}", new.text);
        assert!(new.text.contains("value=\"month_6\" checked"));
        assert_eq!(new.text.matches("name=\"asi_").count(), 7);
        let csrf = hidden_csrf(&new.text);
        let url = format!("/clients/{id}/follow-ups");
        let r = form(
            &app,
            &url,
            &cookie,
            &format!("csrf={csrf}&timepoint=month_6&status=missed&missed_reason="),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("href=\"#f-missed_reason\""), "{}", r.text);
        let r = form(
            &app,
            &url,
            &cookie,
            &format!(
                "csrf={csrf}&timepoint=month_6&status=done&done_on=&days_alcohol_30=3&days_drugs_30=0&housing=own\
                 &occupation=studies&problematic_use=false&crime_30=&self_rated_health=4&quality_of_life=8\
                 &asi_alcohol=4&asi_drugs=&asi_psychiatric=2"
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let outcomes = page(&app, &format!("/clients/{id}/assessments"), &cookie).await;
        assert!(outcomes.text.contains("Genomförd"), "{}", outcomes.text);
        assert!(
            outcomes.text.contains("class=\"asi asi-2\""),
            "rating 4 is shade 2"
        );
        let api = app
            .get(&format!("/api/v1/clients/{id}/follow-ups"), "cm")
            .await;
        let f = &api.json["items"][0];
        assert_eq!(
            (
                f["asi_ratings"]["alcohol"].as_i64(),
                f["asi_ratings"]["drugs"].is_null()
            ),
            (Some(4), true)
        );
        assert_eq!(f["lives_independently"], true);
        // Another unit's case manager gets not found, and nothing about the person.
        let other = session(&app, "cm_b").await;
        let r = page(&app, &format!("/clients/{id}/assessments"), &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(!r.text.contains("Klient"));
    }
);
