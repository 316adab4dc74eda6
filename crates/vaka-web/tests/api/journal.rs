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
            ("risks", json!(["overdose", "fire"]), "unknown_value"),
            ("risks", json!("overdose"), "invalid_type"),
        ] {
            let mut body = entry(true);
            body[field] = value;
            if field == "substances" {
                body["substance_use"] = json!("none");
            }
            // An unknown item in a list is named by its place in it.
            let field = if code == "unknown_value" && field == "risks" {
                "risks[1]"
            } else {
                field
            };
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

/// A signed entry of `client` by `cm`, and its id.
async fn signed_entry(app: &App, client: i64) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/contacts"),
            "cm",
            entry(true),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["id"].as_i64().unwrap()
}

both!(
    the_persons_objection_stands_beside_the_signed_entry,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let c = signed_entry(&app, id).await;
        let before = app
            .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
            .await;
        let uri = format!("/api/v1/clients/{id}/contacts/{c}/objections");
        let r = app
            .post(
                &uri,
                "cm",
                json!({"statement": " Jag drack inte, jag var sjuk. ", "received_on": "2026-11-21"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (r.json["contact_id"].as_i64(), r.json["client_id"].as_i64()),
            (Some(c), Some(id))
        );
        assert_eq!(r.json["statement"], "Jag drack inte, jag var sjuk.");
        assert_eq!(
            (
                r.json["received_on"].as_str(),
                r.json["recorded_by"].as_str()
            ),
            (Some("2026-11-21"), Some("cm"))
        );
        // The unit head may record one too; both stand, oldest first.
        let r2 = app
            .post(
                &uri,
                "head",
                json!({"statement": "Vill att det står att provet var negativt."}),
            )
            .await;
        assert_eq!(r2.status, StatusCode::CREATED, "{}", r2.text);
        assert_eq!(r2.json["received_on"], json!(chrono_today()));
        let after = app
            .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
            .await;
        let item = &after.json["items"][0];
        let said: Vec<_> = item["objections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["recorded_by"].as_str().unwrap(),
                    o["id"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            said,
            [
                ("cm", r.json["id"].as_i64().unwrap()),
                ("head", r2.json["id"].as_i64().unwrap())
            ]
        );
        // The entry itself is unchanged.
        let mut unchanged = item.clone();
        unchanged["objections"] = json!([]);
        assert_eq!(unchanged, before.json["items"][0]);
        let logged: Vec<_> = app
            .audit_for(id)
            .await
            .into_iter()
            .filter(|(action, _)| action == "objection_create")
            .map(|(_, user)| user)
            .collect();
        assert_eq!(logged, ["cm", "head"]);
        let logged = app.audit_entry(id, "objection_create").await;
        assert_eq!(
            logged.case_id.map(|k| k.0),
            item["case_id"].as_i64(),
            "the entry names the case"
        );
        // Someone who may not write here does not learn that the entry exists.
        for user in ["cm2", "analyst"] {
            let r = app.post(&uri, user, json!({"statement": "x"})).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}: {}", r.text);
        }
    }
);

fn chrono_today() -> String {
    vaka_domain::time::local_date(chrono::Utc::now()).to_string()
}

both!(
    an_objection_to_a_draft_or_with_bad_fields_is_refused_and_nothing_is_saved,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let signed = signed_entry(&app, id).await;
        let draft = app
            .post(
                &format!("/api/v1/clients/{id}/contacts"),
                "cm",
                entry(false),
            )
            .await
            .json["id"]
            .as_i64()
            .unwrap();
        let r = app
            .post(
                &format!("/api/v1/clients/{id}/contacts/{draft}/objections"),
                "cm",
                json!({"statement": "Fel."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(r.json["error"]["code"], "entry_not_signed");
        assert!(
            r.json["error"]["message_sv"]
                .as_str()
                .unwrap()
                .contains("signerade")
        );
        let uri = format!("/api/v1/clients/{id}/contacts/{signed}/objections");
        // The entry is from 2026-11-20 (Stockholm).
        for (body, field, code) in [
            (json!({}), "statement", "required"),
            (json!({"statement": "   "}), "statement", "required"),
            (
                json!({"statement": "x", "received_on": "2026-11-19"}),
                "received_on",
                "before_earliest",
            ),
            (
                json!({"statement": "x", "received_on": "2999-01-01"}),
                "received_on",
                "in_future",
            ),
            (
                json!({"statement": "x", "received_on": "igår"}),
                "received_on",
                "invalid_date",
            ),
            (
                json!({"statement": "a\u{0}b"}),
                "statement",
                "invalid_characters",
            ),
            (json!({"statement": 5}), "statement", "invalid_type"),
        ] {
            let r = app.post(&uri, "cm", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(
                (
                    r.json["error"]["field"].as_str(),
                    r.json["error"]["code"].as_str()
                ),
                (Some(field), Some(code)),
                "{body}"
            );
        }
        // An entry of another client, and one that does not exist, are not found.
        let other = app.assigned_client("cm", "19800101-R001").await;
        for path in [
            format!("/api/v1/clients/{other}/contacts/{signed}/objections"),
            format!("/api/v1/clients/{id}/contacts/99999/objections"),
        ] {
            let r = app.post(&path, "cm", json!({"statement": "x"})).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        }
        let list = app
            .get(&format!("/api/v1/clients/{id}/contacts"), "cm")
            .await;
        for item in list.json["items"].as_array().unwrap() {
            assert_eq!(item["objections"], json!([]));
        }
    }
);
