use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use vaka_store::both;

use super::*;

fn raw(app: &App, body: &str, content_type: Option<&str>) -> Request<Body> {
    let mut b = Request::post("/api/v1/clients").header(
        header::AUTHORIZATION,
        format!("Bearer {}", app.token("head")),
    );
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

both!(
    malformed_json_is_400_and_a_wrong_type_is_422_naming_the_field,
    |db| async move {
        let app = app(db).await;
        for body in ["{", "{\"given_name\": }", "[]", "42", "\"text\""] {
            let r = app.send(raw(&app, body, Some("application/json"))).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(error(&r).0, "malformed_json");
        }
        let r = app
            .send(raw(
                &app,
                "{\"personal_number\": 19121212, \"given_name\": \"A\"}",
                Some("application/json"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&r), ("invalid_type", Some("personal_number")));
    }
);

both!(a_body_that_is_not_json_is_415, |db| async move {
    let app = app(db).await;
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let r = app.send(raw(&app, "{}", ct)).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_eq!(error(&r).0, "unsupported_media_type");
    }
    let r = app
        .send(raw(&app, "{}", Some("application/json; charset=utf-8")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(
    a_body_over_the_limit_is_413_and_nothing_is_saved,
    |db| async move {
        let app = app(db).await;
        let huge = format!(
            "{{\"personal_number\": \"19121212-1212\", \"given_name\": \"{}\", \"family_name\": \"B\"}}",
            "a".repeat(100_000)
        );
        let r = app.send(raw(&app, &huge, Some("application/json"))).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error(&r).0, "payload_too_large");
        assert_eq!(app.get("/api/v1/clients", "head").await.json["total"], 0);
    }
);

both!(an_over_long_name_is_422, |db| async move {
    let app = app(db).await;
    let r = app.post("/api/v1/clients", "head", json!({"personal_number": "19121212-1212", "given_name": "x".repeat(101), "family_name": "B"})).await;
    assert_eq!(error(&r), ("too_long", Some("given_name")));
});

both!(
    the_openapi_document_describes_the_contract,
    |db| async move {
        let app = app(db).await;
        let r = app
            .api(Method::GET, "/api/v1/openapi.json", None, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json["openapi"].as_str().unwrap().starts_with("3."));
        let paths = &r.json["paths"];
        assert!(paths["/api/v1/clients"]["post"].is_object());
        assert!(paths["/api/v1/clients"]["get"].is_object());
        assert!(paths["/api/v1/clients/{id}"]["get"].is_object());
        assert!(paths["/api/v1/cases"]["post"].is_object());
        let client = &r.json["components"]["schemas"]["ClientResponse"]["properties"];
        for field in [
            "id",
            "personal_number",
            "birth_date",
            "sex",
            "given_name",
            "family_name",
        ] {
            assert!(client[field].is_object(), "ClientResponse.{field}");
        }
        assert!(r.json["components"]["securitySchemes"]["bearer"].is_object());
    }
);

both!(
    every_response_carries_the_security_headers,
    |db| async move {
        let app = app(db).await;
        for uri in [
            "/healthz",
            "/login",
            "/api/v1/clients",
            "/api/v1/openapi.json",
        ] {
            let r = app
                .send(Request::get(uri).body(Body::empty()).unwrap())
                .await;
            let h = &r.headers;
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{uri}"
            );
            assert!(csp.contains("frame-ancestors 'none'"));
            assert_eq!(h["x-frame-options"], "DENY");
            assert_eq!(h["referrer-policy"], "no-referrer");
            assert_eq!(h["x-content-type-options"], "nosniff");
        }
    }
);

both!(health_answers_200, |db| async move {
    let app = app(db).await;
    let r = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::OK, "ok"));
});
