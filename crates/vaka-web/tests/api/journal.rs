use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use vaka_store::both;

use super::*;

fn entry(signed: bool) -> Value {
    json!({"occurred_at": "2026-11-20T09:15:00+01:00", "kind": "home_visit", "substance_use": "relapse",
           "substances": ["alcohol"], "well_being": 3, "sleep": "poor", "housing": "own",
           "note": "Återfall i helgen. Vi ses i morgon.", "signed": signed})
}

both!(a_case_manager_records_a_signed_contact, |db| async move {
    let app = app(db).await;
    let id = app.assigned_client("cm", "19121212-1212").await;
    let r = app
        .post(&format!("/api/v1/clients/{id}/contacts"), "cm", entry(true))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["occurred_at"], "2026-11-20T08:15:00Z");
    assert_eq!(
        (r.json["kind"].as_str(), r.json["substance_use"].as_str()),
        (Some("home_visit"), Some("relapse"))
    );
    assert_eq!(r.json["substances"], json!(["alcohol"]));
    assert_eq!(
        (r.json["well_being"].as_i64(), r.json["status"].as_str()),
        (Some(3), Some("signed"))
    );
    assert_eq!(
        (r.json["signed"].as_bool(), r.json["author"].as_str()),
        (Some(true), Some("cm"))
    );
    assert!(r.json["signed_at"].is_string() && r.json["case_id"].is_i64());
    let list = app
        .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
        .await;
    assert_eq!(list.json["items"].as_array().unwrap().len(), 1);
    // The unit head reads the journal too; another case manager does not.
    assert_eq!(
        app.get(&format!("/api/v1/clients/{id}/contacts"), "head")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/clients/{id}/contacts"), "cm2")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/clients/{id}/contacts"),
            "cm2",
            entry(true)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
});

both!(
    invalid_entries_get_422_naming_the_field_and_save_nothing,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let uri = format!("/api/v1/clients/{id}/contacts");
        let mut cases: Vec<(Value, &str, &str)> = Vec::new();
        for (field, value, code) in [
            ("kind", json!("visit"), "unknown_value"),
            ("substance_use", json!("some"), "unknown_value"),
            ("housing", json!("tent"), "unknown_value"),
            ("well_being", json!(11), "out_of_range"),
            ("well_being", json!(-1), "out_of_range"),
            ("occurred_at", json!("yesterday"), "invalid_time"),
            ("occurred_at", json!("2999-01-01T00:00:00Z"), "future_time"),
            ("substances", json!(["alcohol"]), "substances_without_use"),
            ("well_being", json!("high"), "invalid_type"),
            ("sleep", json!("deep"), "unknown_value"),
        ] {
            let mut body = entry(true);
            body[field] = value;
            if field == "substances" {
                body["substance_use"] = json!("none");
            }
            cases.push((body, field, code));
        }
        for (body, field, code) in cases {
            let r = app.post(&uri, "cm", body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(error(&r), (code, Some(field)), "{body}");
        }
        let r = app.post(&uri, "cm", json!({"note": "bara text"})).await;
        let fields = error_fields(&r);
        assert_eq!(fields, ["occurred_at", "kind", "substance_use", "housing"]);
        assert_eq!(
            app.get(&uri, "cm").await.json["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
    }
);

both!(
    a_draft_can_be_edited_and_signed_but_a_signed_entry_never_changes,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let created = app
            .post(
                &format!("/api/v1/clients/{id}/contacts"),
                "cm",
                entry(false),
            )
            .await;
        assert_eq!(created.json["status"], "draft");
        let uri = created.headers["location"].to_str().unwrap().to_owned();
        let mut edit = entry(false);
        edit["note"] = json!("Utkast, ändrat");
        let r = app
            .api(Method::PUT, &uri, Some("cm"), Some(edit.clone()))
            .await;
        assert_eq!(
            (r.status, r.json["note"].as_str()),
            (StatusCode::OK, Some("Utkast, ändrat")),
            "{}",
            r.text
        );
        // Only the author edits a draft.
        assert_eq!(
            app.api(Method::PUT, &uri, Some("head"), Some(edit.clone()))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        edit["signed"] = json!(true);
        let signed = app
            .api(Method::PUT, &uri, Some("cm"), Some(edit.clone()))
            .await;
        assert_eq!(
            (signed.status, signed.json["status"].as_str()),
            (StatusCode::OK, Some("signed"))
        );
        edit["note"] = json!("Försök att skriva om historien");
        let r = app.api(Method::PUT, &uri, Some("cm"), Some(edit)).await;
        assert_eq!(
            (r.status, error(&r).0),
            (StatusCode::CONFLICT, "signed_entry")
        );
        let list = app
            .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
            .await;
        assert_eq!(list.json["items"][0]["note"], "Utkast, ändrat");
        let missing = app
            .api(
                Method::PUT,
                &format!("/api/v1/clients/{id}/contacts/999999"),
                Some("cm"),
                Some(entry(false)),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
);

both!(
    a_correction_is_a_new_entry_and_both_stay_visible,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let uri = format!("/api/v1/clients/{id}/contacts");
        let original = app.post(&uri, "cm", entry(true)).await.json["id"]
            .as_i64()
            .unwrap();
        let mut fix = entry(true);
        fix["substance_use"] = json!("lapse");
        fix["note"] = json!("Rättelse: det var ett snedsteg, inte ett återfall.");
        fix["corrects"] = json!(original);
        let r = app.post(&uri, "cm", fix).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json["corrects"], original);
        let list = app.get(&uri, "cm").await;
        let items = list.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let old = items.iter().find(|c| c["id"] == original).unwrap();
        assert_eq!(
            (old["substance_use"].as_str(), old["note"].as_str()),
            (Some("relapse"), Some("Återfall i helgen. Vi ses i morgon."))
        );
        // A correction must point at a signed entry of the same client.
        let draft = app.post(&uri, "cm", entry(false)).await.json["id"]
            .as_i64()
            .unwrap();
        let other = app.assigned_client("cm", "19800101-R001").await;
        let foreign = app
            .post(
                &format!("/api/v1/clients/{other}/contacts"),
                "cm",
                entry(true),
            )
            .await
            .json["id"]
            .as_i64()
            .unwrap();
        for target in [draft, foreign, 999999] {
            let mut body = entry(true);
            body["corrects"] = json!(target);
            let r = app.post(&uri, "cm", body).await;
            assert_eq!(
                error(&r),
                ("not_a_signed_entry", Some("corrects")),
                "{target}"
            );
        }
    }
);

both!(journal_reads_and_writes_are_logged, |db| async move {
    let app = app(db).await;
    let id = app.assigned_client("cm", "19121212-1212").await;
    let created = app
        .post(
            &format!("/api/v1/clients/{id}/contacts"),
            "cm",
            entry(false),
        )
        .await;
    let uri = created.headers["location"].to_str().unwrap().to_owned();
    app.api(Method::PUT, &uri, Some("cm"), Some(entry(true)))
        .await;
    app.get(&format!("/api/v1/clients/{id}/contacts"), "head")
        .await;
    app.get(&format!("/api/v1/clients/{id}/contacts"), "cm2")
        .await;
    let log = app.audit_for(id).await;
    let tail: Vec<(&str, &str)> = log
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(|(a, u)| (a.as_str(), u.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("contact_create", "cm"),
            ("contact_update", "cm"),
            ("contact_read", "head"),
            ("access_denied", "cm2")
        ]
    );
});
