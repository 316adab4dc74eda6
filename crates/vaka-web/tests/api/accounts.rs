//! Staff accounts: `/api/v1/users` and the administrator's pages.

use axum::http::{Method, StatusCode};
use serde_json::json;
use vaka_store::both;

use super::pages::{form, hidden_csrf, login, page};
use super::*;

const NEW_PASSWORD: &str = "ett långt nytt lösen 42";

/// The detail of every access-log entry `action` by `user`, oldest first (read as the auditor).
async fn logged(app: &App, user: &str, action: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/audit?username={user}"), "auditor")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut details: Vec<String> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .map(|e| e["detail"].as_str().unwrap().to_owned())
        .collect();
    details.reverse();
    details
}

both!(
    an_administrator_creates_changes_and_ends_accounts,
    |db| async move {
        let app = app(db).await.with_neighbour().await;
        let held = app.assigned_client("cm", "19121212-1212").await;

        // Only an administrator manages accounts.
        for user in ["cm", "head", "analyst", "auditor"] {
            assert_eq!(
                app.get("/api/v1/users", user).await.status,
                StatusCode::FORBIDDEN,
                "{user}"
            );
            let r = app
                .post("/api/v1/users", user, json!({"username": "x"}))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
        let list = app.get("/api/v1/users", "admin").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        let names: Vec<&str> = list.json["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        // Every account of this municipality, none of the neighbour's.
        assert_eq!(
            names,
            [
                "admin", "analyst", "auditor", "cm", "cm2", "cm_b", "head", "head_b"
            ]
        );
        let cm = &list.json["users"][3];
        assert_eq!(
            (
                cm["unit_name"].as_str(),
                cm["open_cases"].as_i64(),
                cm["role"].as_str()
            ),
            (Some("Enhet A"), Some(1), Some("case_manager"))
        );

        // Bad input names every field and creates nothing.
        let r = app.post("/api/v1/users", "admin", json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_fields(&r),
            ["username", "display_name", "role", "password"]
        );
        let good = json!({"username": "sara.lind", "display_name": "Sara Lind", "role": "case_manager",
            "unit_id": app.unit.0, "password": NEW_PASSWORD});
        let with = |k: &str, v: Value| {
            let mut b = good.clone();
            b[k] = v;
            b
        };
        for (body, field, code) in [
            (
                with("username", json!("Sara")),
                "username",
                "invalid_username",
            ),
            (with("role", json!("root")), "role", "unknown_value"),
            (with("unit_id", Value::Null), "unit_id", "required"),
            (with("unit_id", json!(99_999)), "unit_id", "unknown_unit"),
            (
                with("password", json!("kort")),
                "password",
                "password_too_short",
            ),
            (
                with("password", json!("password1234")),
                "password",
                "password_too_common",
            ),
            (
                json!({"username": "sara.lind", "display_name": "Sara", "role": "analyst",
                    "may_see_protected": true, "password": NEW_PASSWORD}),
                "may_see_protected",
                "not_for_role",
            ),
        ] {
            let r = app.post("/api/v1/users", "admin", body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text
            );
            assert_eq!(error(&r), (code, Some(field)), "{body}");
        }
        let r = app
            .post("/api/v1/users", "admin", with("username", json!("cm")))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(error(&r), ("already_exists", Some("username")));
        assert_eq!(
            app.get("/api/v1/users", "admin").await.json["users"]
                .as_array()
                .unwrap()
                .len(),
            8,
            "nothing was created"
        );

        let r = app.post("/api/v1/users", "admin", good.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.headers["location"], "/api/v1/users/sara.lind");
        assert_eq!(
            (
                r.json["active"].as_bool(),
                r.json["open_cases"].as_i64(),
                r.json["unit_name"].as_str()
            ),
            (Some(true), Some(0), Some("Enhet A"))
        );
        assert!(r.json.get("password").is_none() && !r.text.contains(NEW_PASSWORD));
        assert_eq!(r.json["must_change_password"], true);
        let (_, session) = login(&app, "sara.lind", NEW_PASSWORD).await;
        let sara = format!("vaka_session={}", session.expect("the new account logs in"));
        // The administrator chose the password: until Sara has changed it, her account page is
        // the only one open to her.
        for path in ["/caseload", "/", "/login", "/clients/1", "/audit"] {
            let r = page(&app, path, &sara).await;
            assert_eq!(
                (
                    r.status,
                    r.headers.get("location").map(|l| l.to_str().unwrap())
                ),
                (StatusCode::SEE_OTHER, Some("/account")),
                "{path}"
            );
        }
        let shown = page(&app, "/account", &sara).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(
            shown.text.contains("Välj ett eget lösenord"),
            "{}",
            shown.text
        );
        let encoded = "sara+v%C3%A4ljer+sj%C3%A4lv+1";
        let r = form(
            &app,
            "/account/password",
            &sara,
            &format!(
                "csrf={}&current_password=ett+l%C3%A5ngt+nytt+l%C3%B6sen+42&new_password={encoded}&new_password_again={encoded}",
                hidden_csrf(&shown.text)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(page(&app, "/caseload", &sara).await.status, StatusCode::OK);
        let listed = app.get("/api/v1/users", "admin").await;
        let row = listed.json["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "sara.lind")
            .unwrap()
            .clone();
        assert_eq!(row["must_change_password"], false);

        // Changes: a field left out stays; the rules hold for the whole account.
        let uri = "/api/v1/users/sara.lind";
        let r = app
            .api(
                Method::PATCH,
                uri,
                Some("admin"),
                Some(json!({"display_name": "Sara Lind-Ek"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            (r.json["display_name"].as_str(), r.json["role"].as_str()),
            (Some("Sara Lind-Ek"), Some("case_manager"))
        );
        for (who, body, status, code) in [
            (
                "cm",
                json!({"role": "analyst"}),
                StatusCode::CONFLICT,
                "has_open_cases",
            ),
            (
                "cm",
                json!({"unit_id": app.other_unit.0}),
                StatusCode::CONFLICT,
                "has_open_cases",
            ),
            (
                "admin",
                json!({"role": "analyst"}),
                StatusCode::CONFLICT,
                "own_account",
            ),
            (
                "sara.lind",
                json!({"unit_id": 0}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_unit",
            ),
            (
                "sara.lind",
                json!({"display_name": " "}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "required",
            ),
        ] {
            let r = app
                .api(
                    Method::PATCH,
                    &format!("/api/v1/users/{who}"),
                    Some("admin"),
                    Some(body.clone()),
                )
                .await;
            assert_eq!(
                (r.status, error(&r).0),
                (status, code),
                "{who} {body}: {}",
                r.text
            );
        }
        // cm still reads the client: nothing changed.
        assert_eq!(
            app.get(&format!("/api/v1/clients/{held}"), "cm")
                .await
                .status,
            StatusCode::OK
        );
        for who in ["nobody", "head_x", "NOT A NAME"] {
            let r = app
                .api(
                    Method::PATCH,
                    &format!("/api/v1/users/{}", who.replace(' ', "%20")),
                    Some("admin"),
                    Some(json!({"display_name": "X"})),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        }
        // sara moves to the other unit as its unit head (no open cases).
        let r = app
            .api(
                Method::PATCH,
                uri,
                Some("admin"),
                Some(json!({"role": "unit_head", "unit_id": app.other_unit.0, "may_see_protected": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["unit_name"], "Enhet B");

        // A new password: the old one no longer works and every session of the account ends.
        let r = app
            .post(
                &format!("{uri}/password"),
                "admin",
                json!({"password": "kort"}),
            )
            .await;
        assert_eq!(error(&r), ("password_too_short", Some("password")));
        let r = app
            .post(
                &format!("{uri}/password"),
                "admin",
                json!({"password": "ännu ett långt lösen 7"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["must_change_password"], true);
        let r = page(&app, "/caseload", &sara).await;
        assert_eq!(r.headers["location"], "/login", "the session has ended");
        assert!(
            login(&app, "sara.lind", "sara väljer själv 1")
                .await
                .1
                .is_none()
        );
        let (_, session) = login(&app, "sara.lind", "ännu ett långt lösen 7").await;
        let sara = format!("vaka_session={}", session.unwrap());

        // Deactivated: the session ends and no login; not one's own account.
        let r = app
            .post("/api/v1/users/admin/deactivate", "admin", json!({}))
            .await;
        assert_eq!(
            (r.status, error(&r).0),
            (StatusCode::CONFLICT, "own_account")
        );
        let r = app
            .post(&format!("{uri}/deactivate"), "admin", json!({}))
            .await;
        assert_eq!(
            (r.status, r.json["active"].as_bool()),
            (StatusCode::OK, Some(false)),
            "{}",
            r.text
        );
        assert_eq!(
            page(&app, "/account", &sara).await.headers["location"],
            "/login"
        );
        assert!(
            login(&app, "sara.lind", "ännu ett långt lösen 7")
                .await
                .1
                .is_none()
        );
        // cm's token is revoked with the account, and cm's case stays with cm.
        let r = app
            .post("/api/v1/users/cm/deactivate", "admin", json!({}))
            .await;
        assert_eq!(r.json["open_cases"], 1, "{}", r.text);
        assert_eq!(
            app.get(&format!("/api/v1/clients/{held}"), "cm")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let r = app
            .post("/api/v1/users/cm/activate", "admin", json!({}))
            .await;
        assert_eq!(r.json["active"], true);
        assert_eq!(
            app.get(&format!("/api/v1/clients/{held}"), "cm")
                .await
                .status,
            StatusCode::UNAUTHORIZED,
            "a revoked token stays revoked"
        );
        assert!(login(&app, "cm", PASSWORD).await.1.is_some());

        // Every change is logged with who did it; the password never appears.
        let created = logged(&app, "admin", "user_create").await;
        assert_eq!(
            created,
            [format!(
                "POST /api/v1/users sara.lind role=case_manager unit={} may_see_protected=false",
                app.unit.0
            )]
        );
        let updated = logged(&app, "admin", "user_update").await;
        assert_eq!(updated.len(), 6, "{updated:?}");
        assert_eq!(updated[0], "PATCH /api/v1/users/sara.lind display_name");
        assert!(
            updated[1].contains("role=unit_head") && updated[1].contains("may_see_protected=true")
        );
        assert!(updated[2].starts_with("POST /api/v1/users/sara.lind/password sessions_ended=1"));
        // Sara's own change is hers in the log, not the administrator's.
        assert_eq!(logged(&app, "sara.lind", "user_update").await.len(), 1);
        assert!(updated[4].contains("tokens_revoked=1"), "{updated:?}");
        assert!(updated.iter().chain(&created).all(|d| !d.contains("lösen")));
        assert!(app.audit_verifies().await);
    }
);

both!(the_account_pages_work_without_javascript, |db| async move {
    let app = app(db).await;
    let (r, session) = login(&app, "admin", PASSWORD).await;
    assert_eq!(
        r.headers["location"], "/users",
        "an administrator starts at the accounts"
    );
    let admin = format!("vaka_session={}", session.unwrap());
    let list = page(&app, "/users", &admin).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text.contains("href=\"/users/cm\""), "{}", list.text);
    assert!(list.text.contains("type=\"password\""));
    let csrf = hidden_csrf(&list.text);
    let fields = format!(
        "username=sara.lind&display_name=Sara+Lind&role=case_manager&unit_id={}",
        app.unit.0
    );
    // Without the form token: refused.
    let r = form(&app, "/users", &admin, &format!("{fields}&password=x")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A short password: the field is named, the rest is kept, the password is not shown again.
    let r = form(
        &app,
        "/users",
        &admin,
        &format!("csrf={csrf}&{fields}&password=hemligt123"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("href=\"#f-password\""), "{}", r.text);
    assert!(r.text.contains("value=\"sara.lind\"") && !r.text.contains("hemligt123"));
    let r = form(
        &app,
        "/users",
        &admin,
        &format!("csrf={csrf}&{fields}&password=ett+l%C3%A5ngt+nytt+l%C3%B6sen+42"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], "/users/sara.lind");
    assert!(login(&app, "sara.lind", NEW_PASSWORD).await.1.is_some());

    // The account's page: change it, then deactivate it.
    let shown = page(&app, "/users/sara.lind", &admin).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown
            .text
            .contains("action=\"/users/sara.lind/deactivate\"")
    );
    let r = form(
        &app,
        "/users/sara.lind",
        &admin,
        &format!(
            "csrf={csrf}&display_name=Sara+Ek&role=case_manager&unit_id={}",
            app.unit.0
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(
        page(&app, "/users/sara.lind", &admin)
            .await
            .text
            .contains("Sara Ek")
    );
    // cm holds a case: moving cm to another unit is refused beside the field.
    app.assigned_client("cm", "19121212-1212").await;
    let r = form(
        &app,
        "/users/cm",
        &admin,
        &format!(
            "csrf={csrf}&display_name=Test+cm&role=case_manager&unit_id={}",
            app.other_unit.0
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("href=\"#f-unit_id\""), "{}", r.text);
    let r = form(
        &app,
        "/users/sara.lind/deactivate",
        &admin,
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let shown = page(&app, "/users/sara.lind", &admin).await;
    assert!(shown.text.contains("action=\"/users/sara.lind/activate\""));
    assert!(login(&app, "sara.lind", NEW_PASSWORD).await.1.is_none());
    // One's own account cannot be deactivated from the page either.
    let r = form(
        &app,
        "/users/admin/deactivate",
        &admin,
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        form(
            &app,
            "/users/sara.lind/rename",
            &admin,
            &format!("csrf={csrf}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Nobody else has the pages.
    let (_, session) = login(&app, "head", PASSWORD).await;
    let head = format!("vaka_session={}", session.unwrap());
    assert_eq!(
        page(&app, "/users", &head).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        page(&app, "/users/cm", &head).await.status,
        StatusCode::FORBIDDEN
    );
    let head_csrf = hidden_csrf(&page(&app, "/caseload", &head).await.text);
    let r = form(
        &app,
        "/users/cm/deactivate",
        &head,
        &format!("csrf={head_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(login(&app, "cm", PASSWORD).await.1.is_some());
});

both!(
    a_user_changes_their_own_password_and_their_other_sessions_end,
    |db| async move {
        // A long first wait, so that the throttled attempt below cannot outlast it.
        let config = WebConfig {
            throttle: vaka_domain::throttle::ThrottlePolicy {
                base: std::time::Duration::from_secs(60),
                ..Default::default()
            },
            ..WebConfig::default()
        };
        let app = app_with(db, config).await;
        let uri = "/api/v1/account/password";
        let r = app.post(uri, "cm", json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&r), ["current_password", "new_password"]);
        for (body, field, code) in [
            (
                json!({"current_password": PASSWORD, "new_password": "kort"}),
                "new_password",
                "password_too_short",
            ),
            (
                json!({"current_password": PASSWORD, "new_password": PASSWORD}),
                "new_password",
                "same_password",
            ),
            (
                json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                    "new_password_again": "något annat långt"}),
                "new_password_again",
                "mismatch",
            ),
            (
                json!({"current_password": "fel fel fel fel", "new_password": NEW_PASSWORD}),
                "current_password",
                "wrong_password",
            ),
        ] {
            let r = app.post(uri, "cm", body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(error(&r), (code, Some(field)), "{body}");
        }
        assert!(
            login(&app, "cm", PASSWORD).await.1.is_some(),
            "nothing changed"
        );

        // On the page: this session stays, the others (this test logged in twice more) end.
        let (_, first) = login(&app, "cm", PASSWORD).await;
        let first = format!("vaka_session={}", first.unwrap());
        let (_, second) = login(&app, "cm", PASSWORD).await;
        let second = format!("vaka_session={}", second.unwrap());
        let shown = page(&app, "/account", &first).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.text.contains("Test cm") && shown.text.contains("href=\"/account\""));
        let csrf = hidden_csrf(&shown.text);
        let encoded = "ett+l%C3%A5ngt+nytt+l%C3%B6sen+42";
        let r = form(
            &app,
            "/account/password",
            &first,
            &format!("csrf={csrf}&current_password=fel&new_password={encoded}&new_password_again={encoded}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("href=\"#f-current_password\""),
            "{}",
            r.text
        );
        let r = form(
            &app,
            "/account/password",
            &first,
            &format!(
                "csrf={csrf}&current_password={PASSWORD}&new_password={encoded}&new_password_again={encoded}"
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], "/account?saved=1");
        assert_eq!(page(&app, "/caseload", &first).await.status, StatusCode::OK);
        assert_eq!(
            page(&app, "/caseload", &second).await.status,
            StatusCode::SEE_OTHER
        );
        assert!(login(&app, "cm", PASSWORD).await.1.is_none());
        assert!(login(&app, "cm", NEW_PASSWORD).await.1.is_some());
        // The token still works, and the change is logged without the password.
        assert_eq!(app.get("/api/v1/alerts", "cm").await.status, StatusCode::OK);
        let changed = logged(&app, "cm", "user_update").await;
        assert_eq!(changed.len(), 1);
        assert!(
            changed[0].starts_with("POST /api/v1/account/password sessions_ended=2"),
            "{changed:?}"
        );
        assert_eq!(logged(&app, "cm", "login_failed").await.len(), 3);

        // Guessing the current password is throttled like logging in (5 free failures).
        let wrong = json!({"current_password": "gissning gissning", "new_password": "ännu ett långt lösen 7"});
        for _ in 0..3 {
            let r = app.post(uri, "cm2", wrong.clone()).await;
            assert_eq!(error(&r).0, "wrong_password");
        }
        for _ in 0..2 {
            assert!(login(&app, "cm2", "gissning gissning").await.1.is_none());
        }
        let r = app
            .post(
                uri,
                "cm2",
                json!({"current_password": PASSWORD, "new_password": "ännu ett långt lösen 7"}),
            )
            .await;
        assert_eq!(
            error(&r),
            ("throttled", Some("current_password")),
            "{}",
            r.text
        );
        assert_eq!(logged(&app, "cm2", "login_throttled").await.len(), 1);
        assert!(
            login(&app, "cm2", PASSWORD).await.1.is_none(),
            "the login waits too"
        );
    }
);

both!(
    an_administrator_sees_and_revokes_an_accounts_api_tokens,
    |db| async move {
        let app = app(db).await;
        let uri = "/api/v1/users/cm/tokens";
        for user in ["cm", "head", "auditor"] {
            assert_eq!(
                app.get(uri, user).await.status,
                StatusCode::FORBIDDEN,
                "{user}"
            );
        }
        assert_eq!(
            app.get("/api/v1/users/nobody/tokens", "admin").await.status,
            StatusCode::NOT_FOUND
        );
        let r = app.get(uri, "admin").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["tokens"].as_array().unwrap().len(), 1);
        assert!(!r.text.contains(app.token("cm")), "never the token itself");

        // On the account's page: the token, and the form that revokes it.
        let (_, session) = login(&app, "admin", PASSWORD).await;
        let admin = format!("vaka_session={}", session.unwrap());
        let shown = page(&app, "/users/cm", &admin).await;
        assert!(
            shown.text.contains("API-nycklar som gäller"),
            "{}",
            shown.text
        );
        assert!(shown.text.contains("action=\"/users/cm/revoke-tokens\""));
        let csrf = hidden_csrf(&shown.text);
        let r = form(&app, "/users/cm/revoke-tokens", &admin, "csrf=fel").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get("/api/v1/alerts", "cm").await.status, StatusCode::OK);
        let r = form(
            &app,
            "/users/cm/revoke-tokens",
            &admin,
            &format!("csrf={csrf}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.headers["location"], "/users/cm");

        // The token is refused; the account goes on; the revocation is logged.
        assert_eq!(
            app.get("/api/v1/alerts", "cm").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert!(login(&app, "cm", PASSWORD).await.1.is_some());
        assert_eq!(app.get(uri, "admin").await.json["tokens"], json!([]));
        assert!(
            !page(&app, "/users/cm", &admin)
                .await
                .text
                .contains("/revoke-tokens\"")
        );
        let r = app
            .post("/api/v1/users/cm/tokens/revoke", "admin", json!({}))
            .await;
        assert_eq!(r.json["revoked"], 0);
        assert_eq!(
            logged(&app, "admin", "user_update").await,
            [
                "POST /api/v1/users/cm/tokens/revoke tokens_revoked=1 (via POST /users/cm/revoke-tokens)",
                "POST /api/v1/users/cm/tokens/revoke tokens_revoked=0",
            ]
        );
    }
);
