//! The journal and alerts in the UI: a plain form that works without JavaScript, drafts, signing,
//! corrections, the form's errors, acknowledging and resolving alerts, and the timeline.

use axum::http::StatusCode;
use serde_json::json;
use vaka_store::both;

use super::pages::{form, hidden_csrf, login, page};
use super::*;

async fn session(app: &App, user: &str) -> String {
    let (_, s) = login(app, user, PASSWORD).await;
    format!("vaka_session={}", s.unwrap())
}

fn local_now_minus(hours: i64) -> String {
    vaka_domain::time::local_input(chrono::Utc::now() - chrono::Duration::hours(hours))
}

both!(
    a_case_manager_records_a_relapse_with_the_form_and_handles_the_alert,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let cookie = session(&app, "cm").await;
        let new = page(&app, &format!("/clients/{id}/contacts/new"), &cookie).await;
        assert_eq!(new.status, StatusCode::OK, "{}", new.text);
        for field in [
            "name=\"occurred_at\"",
            "name=\"kind\"",
            "name=\"substance_use\"",
            "name=\"substances\"",
            "name=\"risks\"",
            "name=\"well_being\"",
            "name=\"sleep\"",
            "name=\"housing\"",
            "name=\"note\"",
            "value=\"sign\"",
            "value=\"draft\"",
        ] {
            assert!(new.text.contains(field), "the form lacks {field}");
        }
        let csrf = hidden_csrf(&new.text);
        let when = local_now_minus(1);
        let body = format!(
            "csrf={csrf}&draft_id=&occurred_at={when}&kind=home_visit&substance_use=relapse&substances=alcohol\
             &substances=benzodiazepines&risks=overdose&well_being=2&sleep=poor&housing=own&note=Druckit+sedan+i+fredags&action=sign"
        );
        // Without the CSRF token nothing is saved.
        let forged = form(
            &app,
            &format!("/clients/{id}/contacts"),
            &cookie,
            &body.replace(&format!("csrf={csrf}"), "csrf=x"),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let r = form(&app, &format!("/clients/{id}/contacts"), &cookie, &body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], format!("/clients/{id}#journal"));
        let journal = app
            .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
            .await;
        let items = journal.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", journal.text);
        assert_eq!(items[0]["signed"], true);
        assert_eq!(
            items[0]["substances"],
            json!(["alcohol", "benzodiazepines"])
        );
        assert_eq!(items[0]["well_being"], 2);
        assert_eq!(items[0]["kind"], "home_visit");
        assert_eq!(items[0]["risks"], json!(["overdose"]));

        // The caseload puts the client with open alerts first, the count shown (on PostgreSQL
        // the alerts' severity comes back as a 4-byte integer: read as such).
        let caseload = page(&app, "/caseload", &cookie).await;
        assert_eq!(caseload.status, StatusCode::OK, "{}", caseload.text);
        assert!(
            caseload.text.contains("class=\"has-alerts\""),
            "{}",
            caseload.text
        );

        // The client page shows the alerts, the timeline with the relapse, and the actions.
        let client = page(&app, &format!("/clients/{id}"), &cookie).await;
        assert!(
            client.text.contains("Återfall rapporterat"),
            "{}",
            client.text
        );
        assert!(client.text.contains("<svg") && client.text.contains("class=\"event relapse\""));
        // The risk shows beside the entry and as its own alert.
        assert!(
            client.text.contains("Risker:</strong> Överdos")
                && client.text.contains("Överdos rapporterad i kontakten"),
            "{}",
            client.text
        );
        assert!(client.text.contains("Kvittera"));
        let alerts = app
            .get(&format!("/api/v1/alerts?client_id={id}&status=open"), "cm")
            .await;
        let relapse = alerts.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["rule"] == "relapse_reported")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let csrf = hidden_csrf(&client.text);
        let ack = form(
            &app,
            &format!("/alerts/{relapse}/acknowledge"),
            &cookie,
            &format!("csrf={csrf}&client_id={id}"),
        )
        .await;
        assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.text);
        assert_eq!(ack.headers["location"], format!("/clients/{id}#alerts"));
        let again = form(
            &app,
            &format!("/alerts/{relapse}/acknowledge"),
            &cookie,
            &format!("csrf={csrf}&client_id={id}"),
        )
        .await;
        assert_eq!(
            again.status,
            StatusCode::SEE_OTHER,
            "a second tap is harmless"
        );
        let no_note = form(
            &app,
            &format!("/alerts/{relapse}/resolve"),
            &cookie,
            &format!("csrf={csrf}&client_id={id}&note=+"),
        )
        .await;
        assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
        let done = form(
            &app,
            &format!("/alerts/{relapse}/resolve"),
            &cookie,
            &format!("csrf={csrf}&client_id={id}&note=Bokat+tid+p%C3%A5+beroendemottagningen"),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let status = app
            .get(
                &format!("/api/v1/alerts?client_id={id}&status=resolved"),
                "cm",
            )
            .await;
        assert_eq!(
            status.json["items"][0]["resolution_note"],
            "Bokat tid på beroendemottagningen"
        );
        let client = page(&app, &format!("/clients/{id}"), &cookie).await;
        assert!(client.text.contains("Åtgärdade larm") && client.text.contains("Bokat tid"));
        // Another case manager cannot act on the alert, and the attempt is logged as refused.
        let other = session(&app, "cm2").await;
        let other_page = page(&app, "/caseload", &other).await;
        let r = form(
            &app,
            "/alerts/1/acknowledge",
            &other,
            &format!("csrf={}", hidden_csrf(&other_page.text)),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            app.audit_for(id)
                .await
                .iter()
                .any(|(a, u)| u == "cm2" && a == "access_denied")
        );
        assert!(app.audit_verifies().await);
    }
);

both!(
    a_bad_form_names_each_field_in_the_page_language_and_saves_nothing,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let cookie = session(&app, "cm").await;
        let new = page(&app, &format!("/clients/{id}/contacts/new"), &cookie).await;
        let csrf = hidden_csrf(&new.text);
        let body = format!(
            "csrf={csrf}&occurred_at=2026-13-45T10:00&kind=meeting&well_being=11&housing=own&substances=alcohol&risks=violence&risks=fire&action=sign"
        );
        let r = form(&app, &format!("/clients/{id}/contacts"), &cookie, &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for (anchor, text) in [
            ("#f-occurred_at", "Ange datum och klockslag"),
            ("#f-substance_use", "Fältet måste fyllas i"),
            ("#f-well_being", "Mående anges 0–10"),
            ("#f-risks", "Risker sedan senaste kontakten: Okänt värde"),
        ] {
            assert!(
                r.text.contains(anchor) && r.text.contains(text),
                "{anchor}: {}",
                r.text
            );
        }
        // What was typed is kept.
        assert!(r.text.contains("value=\"alcohol\" checked"));
        assert!(r.text.contains("value=\"violence\" checked"));
        assert!(
            app.get(&format!("/api/v1/clients/{id}/contacts"), "cm")
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        // In English.
        let en = format!("{cookie}; vaka_lang=en");
        let r = form(&app, &format!("/clients/{id}/contacts"), &en, &body).await;
        assert!(r.text.contains("Well-being is 0–10") && r.text.contains("This field is required"));
        // A body that is not a form gets a plain answer, not a server error.
        let req = axum::http::Request::post(format!("/clients/{id}/contacts"))
            .header(axum::http::header::COOKIE, &cookie)
            .header(axum::http::header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from("{}"))
            .unwrap();
        assert_eq!(
            app.send(req).await.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }
);

both!(
    drafts_are_saved_continued_and_signed_and_a_signed_entry_is_corrected_by_a_new_one,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let cookie = session(&app, "cm").await;
        let new = page(&app, &format!("/clients/{id}/contacts/new"), &cookie).await;
        let csrf = hidden_csrf(&new.text);
        let when = local_now_minus(2);
        let fields = format!(
            "csrf={csrf}&occurred_at={when}&kind=phone&substance_use=none&well_being=6&housing=own&note=F%C3%B6rsta+utkast"
        );
        // The script's autosave: JSON back with the draft's id.
        let auto = form(
            &app,
            &format!("/clients/{id}/contacts"),
            &cookie,
            &format!("{fields}&draft_id=&action=autosave"),
        )
        .await;
        assert_eq!(auto.status, StatusCode::OK, "{}", auto.text);
        let draft = auto.json["draft_id"].as_i64().unwrap();
        // Saving again with the id edits the same draft.
        let r = form(
            &app,
            &format!("/clients/{id}/contacts"),
            &cookie,
            &format!(
                "{}&draft_id={draft}&action=draft",
                fields.replace("F%C3%B6rsta", "Andra")
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers["location"],
            format!("/clients/{id}/contacts/{draft}/edit?saved=1")
        );
        let list = app
            .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
            .await;
        assert_eq!(list.json["items"].as_array().unwrap().len(), 1);
        assert_eq!(list.json["items"][0]["note"], "Andra utkast");
        assert_eq!(list.json["items"][0]["signed"], false);
        let edit = page(
            &app,
            &format!("/clients/{id}/contacts/{draft}/edit?saved=1"),
            &cookie,
        )
        .await;
        assert_eq!(edit.status, StatusCode::OK);
        assert!(edit.text.contains("Andra utkast") && edit.text.contains("Utkastet är sparat"));
        assert!(
            edit.text
                .contains(&format!("name=\"draft_id\" value=\"{draft}\""))
        );
        // Only the author continues a draft.
        let head = session(&app, "head").await;
        assert_eq!(
            page(&app, &format!("/clients/{id}/contacts/{draft}/edit"), &head)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Signing it.
        let r = form(
            &app,
            &format!("/clients/{id}/contacts"),
            &cookie,
            &format!("{fields}&draft_id={draft}&action=sign"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Signed is final: the edit page and a replayed post both refuse, the entry unchanged.
        assert_eq!(
            page(
                &app,
                &format!("/clients/{id}/contacts/{draft}/edit"),
                &cookie
            )
            .await
            .status,
            StatusCode::CONFLICT
        );
        let replay = form(
            &app,
            &format!("/clients/{id}/contacts"),
            &cookie,
            &format!(
                "{}&draft_id={draft}&action=sign",
                fields.replace("F%C3%B6rsta", "Ändrat")
            ),
        )
        .await;
        assert_eq!(replay.status, StatusCode::CONFLICT);
        // A correction starts from the signed entry and points at it; both stay.
        let c = page(
            &app,
            &format!("/clients/{id}/contacts/new?corrects={draft}"),
            &cookie,
        )
        .await;
        assert_eq!(c.status, StatusCode::OK);
        assert!(
            c.text
                .contains(&format!("name=\"corrects\" value=\"{draft}\""))
        );
        assert!(c.text.contains("Första utkast"));
        let r = form(
            &app,
            &format!("/clients/{id}/contacts"),
            &cookie,
            &format!(
                "csrf={csrf}&occurred_at={when}&kind=phone&substance_use=lapse&well_being=6&housing=own&corrects={draft}&action=sign"
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let list = app
            .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
            .await;
        let items = list.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(
            items
                .iter()
                .any(|i| i["corrects"] == draft && i["substance_use"] == "lapse")
        );
        assert!(
            items
                .iter()
                .any(|i| i["id"] == draft && i["note"] == "Första utkast")
        );
        let client = page(&app, &format!("/clients/{id}"), &cookie).await;
        assert!(client.text.contains(&format!("href=\"#entry-{draft}\"")));
    }
);

both!(
    the_form_is_for_those_who_may_write_and_emergency_access_only_reads,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        for user in ["cm2", "cm_b", "admin", "analyst", "auditor"] {
            let cookie = session(&app, user).await;
            let r = page(&app, &format!("/clients/{id}/contacts/new"), &cookie).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}");
        }
        let r = app
            .post(
                &format!("/api/v1/clients/{id}/emergency-access"),
                "cm2",
                json!({"reason": "Akut läge, klienten ringde"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let cookie = session(&app, "cm2").await;
        let client = page(&app, &format!("/clients/{id}"), &cookie).await;
        assert_eq!(client.status, StatusCode::OK);
        assert!(
            !client.text.contains("/contacts/new"),
            "no write links under emergency access"
        );
        assert_eq!(
            page(&app, &format!("/clients/{id}/contacts/new"), &cookie)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    the_unit_head_sees_escalated_alerts_on_the_unit_page_and_acknowledges_one_there,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let r = app
            .post(
                &format!("/api/v1/clients/{id}/contacts"),
                "cm",
                json!({"occurred_at": chrono::Utc::now().to_rfc3339(), "kind": "meeting",
                       "substance_use": "relapse", "well_being": 6, "housing": "own", "signed": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let head = session(&app, "head").await;
        let unit = page(&app, "/caseload", &head).await;
        assert_eq!(unit.status, StatusCode::OK, "{}", unit.text);
        assert!(
            unit.text.contains("Eskalerade larm") && unit.text.contains("Inga eskalerade larm.")
        );
        // The client, with its open alert and who follows it.
        assert!(
            unit.text.contains(&format!("href=\"/clients/{id}\"")),
            "{}",
            unit.text
        );
        assert!(unit.text.contains("Test cm") && unit.text.contains("class=\"has-alerts\""));

        // Nobody acknowledged it within 24 hours: the scheduled check escalates it.
        let mut tx = app.db.store.begin().await.unwrap();
        let n = vaka_store::alerts::escalate_stale(
            &mut tx,
            chrono::Utc::now() + chrono::Duration::minutes(1),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 1);
        let unit = page(&app, "/caseload", &head).await;
        assert!(
            !unit.text.contains("Inga eskalerade larm."),
            "{}",
            unit.text
        );
        let listed =
            format!("href=\"/clients/{id}#alerts\">Test Klient</a> · <strong>Återfall</strong>");
        assert!(unit.text.contains(&listed), "{}", unit.text);
        assert!(unit.text.contains("name=\"return_to\" value=\"/caseload\""));
        // Listing it is a read of the client, in the client's log.
        assert!(
            app.audit_for(id)
                .await
                .iter()
                .any(|(a, u)| a == "caseload_read" && u == "head")
        );
        // Another unit's head does not see it.
        let other = page(&app, "/caseload", &session(&app, "head_b").await).await;
        assert!(
            other.text.contains("Inga eskalerade larm.") && !other.text.contains("Test Klient")
        );

        let alert = app
            .get(
                &format!("/api/v1/alerts?client_id={id}&status=open"),
                "head",
            )
            .await
            .json["items"][0]["id"]
            .as_i64()
            .unwrap();
        let csrf = hidden_csrf(&unit.text);
        let done = form(
            &app,
            &format!("/alerts/{alert}/acknowledge"),
            &head,
            &format!("csrf={csrf}&client_id={id}&return_to=%2Fcaseload"),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        assert_eq!(done.headers["location"], "/caseload#escalated");
        // A return address other than the unit page is not followed (here a second tap, which
        // finds the alert handled already).
        let elsewhere = form(
            &app,
            &format!("/alerts/{alert}/acknowledge"),
            &head,
            &format!("csrf={csrf}&client_id={id}&return_to=https%3A%2F%2Fexample.org%2F"),
        )
        .await;
        assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
        assert_eq!(
            elsewhere.headers["location"],
            format!("/clients/{id}#alerts")
        );
        let unit = page(&app, "/caseload", &head).await;
        assert!(unit.text.contains("Inga eskalerade larm."), "{}", unit.text);
        let status = app
            .get(&format!("/api/v1/alerts?client_id={id}"), "head")
            .await;
        assert_eq!(status.json["items"][0]["status"], "acknowledged");
    }
);
