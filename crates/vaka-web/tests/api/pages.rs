use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use vaka_store::both;
use vaka_web::WebConfig;

use super::*;

/// The value of a cookie set by a reply, and the whole Set-Cookie line.
pub fn set_cookie(r: &Reply, name: &str) -> Option<(String, String)> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            let (kv, _) = line.split_once(';').unwrap_or((line, ""));
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| (v.to_owned(), line.to_owned()))
        })
}

pub fn hidden_csrf(html: &str) -> String {
    let start =
        html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub async fn page(app: &App, uri: &str, cookies: &str) -> Reply {
    app.send(
        Request::get(uri)
            .header(header::COOKIE, cookies)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub async fn form(app: &App, uri: &str, cookies: &str, body: &str) -> Reply {
    let req = Request::post(uri)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.send(req).await
}

/// Logs in through the form and returns the session cookie.
pub async fn login(app: &App, user: &str, password: &str) -> (Reply, Option<String>) {
    login_from(app, user, password, None).await
}

/// Logs in from a given client address (as the server sees it).
pub async fn login_from(
    app: &App,
    user: &str,
    password: &str,
    address: Option<&str>,
) -> (Reply, Option<String>) {
    let login = page(app, "/login", "").await;
    let (pre, _) = set_cookie(&login, "vaka_login_csrf").expect("a login csrf cookie");
    let csrf = hidden_csrf(&login.text);
    let mut req = Request::post("/login")
        .header(header::COOKIE, format!("vaka_login_csrf={pre}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username={user}&password={password}&csrf={csrf}"
        )))
        .unwrap();
    if let Some(a) = address {
        let addr: std::net::SocketAddr = format!("{a}:40000").parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
    }
    let r = app.send(req).await;
    let session = set_cookie(&r, "vaka_session").map(|c| c.0);
    (r, session)
}

both!(
    the_login_page_is_swedish_first_and_english_on_request,
    |db| async move {
        let app = app(db).await;
        let sv = page(&app, "/login", "").await;
        assert_eq!(sv.status, StatusCode::OK);
        assert!(
            sv.text.contains("lang=\"sv\"")
                && sv.text.contains("Logga in")
                && sv.text.contains("Lösenord")
        );
        let en = page(&app, "/login", "vaka_lang=en").await;
        assert!(
            en.text.contains("lang=\"en\"")
                && en.text.contains("Log in")
                && en.text.contains("Password")
        );
        assert!(!sv.text.contains("<script"), "no inline script");
    }
);

both!(
    logging_in_gives_a_strict_http_only_session_and_shows_the_caseload,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let (r, session) = login(&app, "cm", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.headers["location"], "/caseload");
        let (_, line) = set_cookie(&r, "vaka_session").unwrap();
        assert!(
            line.contains("HttpOnly")
                && line.contains("SameSite=Strict")
                && line.contains("Path=/")
        );
        assert!(!line.contains("Secure"), "not Secure without TLS");
        let cookie = format!("vaka_session={}", session.unwrap());
        let caseload = page(&app, "/caseload", &cookie).await;
        assert_eq!(caseload.status, StatusCode::OK);
        assert!(
            caseload.text.contains("Mina klienter") && caseload.text.contains("Test Klient"),
            "{}",
            caseload.text
        );
        assert!(caseload.text.contains(&format!("/clients/{id}")));
        let client = page(&app, &format!("/clients/{id}"), &cookie).await;
        assert_eq!(client.status, StatusCode::OK);
        assert!(client.text.contains("19121212-1212") && client.text.contains("Ärenden"));
        let log = app.audit_for(id).await;
        assert!(log.iter().any(|(a, u)| a == "caseload_read" && u == "cm"));
        assert!(log.iter().any(|(a, u)| a == "client_read" && u == "cm"));
    }
);

both!(secure_cookies_are_marked_secure, |db| async move {
    let app = app_with(
        db,
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    )
    .await;
    let (r, _) = login(&app, "cm", PASSWORD).await;
    assert!(
        set_cookie(&r, "vaka_session")
            .unwrap()
            .1
            .contains("; Secure")
    );
});

both!(
    a_wrong_password_and_an_unknown_user_get_the_same_answer,
    |db| async move {
        let app = app(db).await;
        let (wrong, s1) = login(&app, "cm", "fel-losenord-helt-och-hallet").await;
        let (unknown, s2) = login(&app, "nobody", "fel-losenord-helt-och-hallet").await;
        assert_eq!(
            (wrong.status, unknown.status),
            (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
        );
        assert!(s1.is_none() && s2.is_none());
        assert!(wrong.text.contains("Fel användarnamn eller lösenord."));
        let strip = |t: &str| {
            t.replace(&hidden_csrf(t), "")
                .replace("value=\"cm\"", "")
                .replace("value=\"nobody\"", "")
        };
        assert_eq!(strip(&wrong.text), strip(&unknown.text));
    }
);

both!(a_login_without_its_csrf_token_is_refused, |db| async move {
    let app = app(db).await;
    let r = form(
        &app,
        "/login",
        "",
        &format!("username=cm&password={PASSWORD}&csrf=forged"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&r, "vaka_session").is_none());
});

both!(
    a_session_id_planted_before_login_is_worthless_after_it,
    |db| async move {
        let app = app(db).await;
        let (_, first) = login(&app, "cm", PASSWORD).await;
        let first = first.unwrap();
        // Log in again while presenting the first id: a new id is issued and the old one ends.
        let login_page = page(&app, "/login", "").await;
        let (pre, _) = set_cookie(&login_page, "vaka_login_csrf").unwrap();
        let csrf = hidden_csrf(&login_page.text);
        let r = form(
            &app,
            "/login",
            &format!("vaka_login_csrf={pre}; vaka_session={first}"),
            &format!("username=cm&password={PASSWORD}&csrf={csrf}"),
        )
        .await;
        let second = set_cookie(&r, "vaka_session").unwrap().0;
        assert_ne!(first, second);
        assert_eq!(
            page(&app, "/caseload", &format!("vaka_session={first}"))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            page(&app, "/caseload", &format!("vaka_session={second}"))
                .await
                .status,
            StatusCode::OK
        );
    }
);

both!(
    logout_needs_the_csrf_token_and_ends_the_session,
    |db| async move {
        let app = app(db).await;
        let (_, s) = login(&app, "cm", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        let caseload = page(&app, "/caseload", &cookie).await;
        let csrf = hidden_csrf(&caseload.text);
        assert_eq!(
            form(&app, "/logout", &cookie, "csrf=forged").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            page(&app, "/caseload", &cookie).await.status,
            StatusCode::OK
        );
        let out = form(&app, "/logout", &cookie, &format!("csrf={csrf}")).await;
        assert_eq!(
            (out.status, out.headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/login")
        );
        let after = page(&app, "/caseload", &cookie).await;
        assert_eq!(
            (after.status, after.headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/login")
        );
    }
);

both!(an_idle_session_ends, |db| async move {
    let app = app_with(
        db,
        WebConfig {
            idle_timeout: Duration::from_millis(800),
            ..WebConfig::default()
        },
    )
    .await;
    let (_, s) = login(&app, "cm", PASSWORD).await;
    let cookie = format!("vaka_session={}", s.unwrap());
    assert_eq!(
        page(&app, "/caseload", &cookie).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        page(&app, "/caseload", &cookie).await.status,
        StatusCode::SEE_OTHER
    );
});

both!(activity_keeps_a_session_alive, |db| async move {
    let app = app_with(
        db,
        WebConfig {
            idle_timeout: Duration::from_millis(800),
            ..WebConfig::default()
        },
    )
    .await;
    let (_, s) = login(&app, "cm", PASSWORD).await;
    let cookie = format!("vaka_session={}", s.unwrap());
    // Five requests 300 ms apart: 1.5 s in all, never 800 ms idle.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            page(&app, "/caseload", &cookie).await.status,
            StatusCode::OK
        );
    }
});

both!(
    an_absolute_timeout_ends_even_a_busy_session,
    |db| async move {
        let app = app_with(
            db,
            WebConfig {
                absolute_timeout: Duration::from_millis(800),
                ..WebConfig::default()
            },
        )
        .await;
        let (_, s) = login(&app, "cm", PASSWORD).await;
        let cookie = format!("vaka_session={}", s.unwrap());
        for _ in 0..3 {
            assert_eq!(
                page(&app, "/caseload", &cookie).await.status,
                StatusCode::OK
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(
            page(&app, "/caseload", &cookie).await.status,
            StatusCode::SEE_OTHER
        );
    }
);

both!(
    the_client_page_of_another_managers_client_is_not_found,
    |db| async move {
        let app = app(db).await;
        let id = app.assigned_client("cm", "19121212-1212").await;
        let (_, s) = login(&app, "cm2", PASSWORD).await;
        let r = page(
            &app,
            &format!("/clients/{id}"),
            &format!("vaka_session={}", s.unwrap()),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(!r.text.contains("1912"));
        assert!(
            app.audit_for(id)
                .await
                .iter()
                .any(|(a, u)| a == "access_denied" && u == "cm2")
        );
    }
);

both!(pages_without_a_session_lead_to_the_login, |db| async move {
    let app = app(db).await;
    for uri in ["/", "/caseload", "/clients/1"] {
        let r = page(&app, uri, "").await;
        assert_eq!(
            (r.status, r.headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/login"),
            "{uri}"
        );
    }
});

both!(
    roles_without_a_caseload_get_an_explanation,
    |db| async move {
        let app = app(db).await;
        let (_, s) = login(&app, "auditor", PASSWORD).await;
        let r = page(
            &app,
            "/caseload",
            &format!("vaka_session={}; vaka_lang=en", s.unwrap()),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("Your role has no client list"));
    }
);

both!(
    the_language_switch_redirects_only_within_vaka,
    |db| async move {
        let app = app(db).await;
        let r = page(&app, "/lang/en?next=/caseload", "").await;
        assert_eq!(r.headers["location"], "/caseload");
        assert!(set_cookie(&r, "vaka_lang").unwrap().0 == "en");
        for evil in ["//evil.example", "https://evil.example", "/\\evil.example"] {
            let r = page(&app, &format!("/lang/sv?next={evil}"), "").await;
            assert_eq!(r.headers["location"], "/", "{evil}");
        }
    }
);

fn quick_throttle() -> WebConfig {
    use vaka_domain::throttle::ThrottlePolicy;
    WebConfig {
        throttle: ThrottlePolicy {
            account_free: 3,
            address_free: 5,
            base: Duration::from_millis(600),
            max: Duration::from_secs(2),
            forget_after: Duration::from_secs(3600),
        },
        ..WebConfig::default()
    }
}

both!(
    repeated_wrong_passwords_make_an_account_wait_even_for_the_right_one,
    |db| async move {
        let app = app_with(db, quick_throttle()).await;
        for _ in 0..3 {
            assert_eq!(
                login(&app, "cm", "fel-losenord-igen-och-igen")
                    .await
                    .0
                    .status,
                StatusCode::UNAUTHORIZED
            );
        }
        let (blocked, session) = login(&app, "cm", PASSWORD).await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(session.is_none());
        assert!(blocked.headers.contains_key("retry-after"));
        assert!(blocked.text.contains("För många misslyckade inloggningar"));
        // Another account is not affected.
        assert!(login(&app, "cm2", PASSWORD).await.1.is_some());
        // The wait is short and ends: a real user is never locked out for good.
        tokio::time::sleep(Duration::from_millis(900)).await;
        let (after, session) = login(&app, "cm", PASSWORD).await;
        assert_eq!(after.status, StatusCode::SEE_OTHER);
        assert!(session.is_some());
        // A success clears the count: one more mistake costs nothing.
        assert_eq!(
            login(&app, "cm", "fel-losenord-igen-och-igen")
                .await
                .0
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert!(login(&app, "cm", PASSWORD).await.1.is_some());
    }
);

both!(
    unknown_usernames_are_throttled_like_real_ones,
    |db| async move {
        let app = app_with(db, quick_throttle()).await;
        for _ in 0..3 {
            login(&app, "ghost", "fel-losenord-igen-och-igen").await;
        }
        assert_eq!(
            login(&app, "ghost", "fel-losenord-igen-och-igen")
                .await
                .0
                .status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
);

both!(
    many_failures_from_one_address_slow_that_address_only,
    |db| async move {
        let app = app_with(db, quick_throttle()).await;
        for name in ["a1", "a2", "a3", "a4", "a5"] {
            assert_eq!(
                login_from(&app, name, "fel-losenord-igen-och-igen", Some("10.9.8.7"))
                    .await
                    .0
                    .status,
                StatusCode::UNAUTHORIZED
            );
        }
        let (blocked, _) = login_from(&app, "cm", PASSWORD, Some("10.9.8.7")).await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
        let (elsewhere, session) = login_from(&app, "cm", PASSWORD, Some("10.1.1.1")).await;
        assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
        assert!(session.is_some());
    }
);

both!(
    failed_and_throttled_logins_are_in_the_access_log,
    |db| async move {
        let app = app_with(db, quick_throttle()).await;
        for _ in 0..4 {
            login(&app, "cm", "fel-losenord-igen-och-igen").await;
        }
        let mut tx = app.db.store.begin().await.unwrap();
        let all = vaka_store::audit::list_after(&mut tx, 0, 100)
            .await
            .unwrap();
        let actions: Vec<&str> = all
            .iter()
            .filter(|e| e.entry.username == "cm")
            .map(|e| e.action_name.as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "login_failed",
                "login_failed",
                "login_failed",
                "login_throttled"
            ]
        );
    }
);
