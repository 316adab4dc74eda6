//! The HTTP suite: the JSON API and the UI through the real router, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod accounts;
mod alerts;
mod cases;
mod clients;
mod coverage;
mod economy;
mod economy_pages;
mod emergency;
mod extract_pages;
mod journal;
mod journal_pages;
mod matrix;
mod measures;
mod outcome_pages;
mod outcomes;
mod pages;
mod plans;
mod protocol;
mod retention;
mod review;

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use vaka_domain::ids::{MunicipalityId, UnitId, UserId};
use vaka_domain::role::Role;
use vaka_store::testing::TestDb;
use vaka_store::{municipalities, tokens, users};
use vaka_web::{WebConfig, auth};

pub const PASSWORD: &str = "ett-langt-losenord-2026";

pub struct App {
    pub db: TestDb,
    pub router: Router,
    pub municipality: MunicipalityId,
    pub unit: UnitId,
    pub other_unit: UnitId,
    tokens: HashMap<&'static str, String>,
    pub user_ids: HashMap<&'static str, UserId>,
}

/// The test municipality: two units, and one user of every role (`cm2` shares unit A with `cm`,
/// `cm_b` and `head_b` work in unit B). Each has an API token and the password [`PASSWORD`].
pub async fn app(db: TestDb) -> App {
    app_with(db, WebConfig::default()).await
}

pub async fn app_with(db: TestDb, config: WebConfig) -> App {
    let mut tx = db.store.begin().await.unwrap();
    let m = municipalities::create(&mut tx, "Testkommun", "0001")
        .await
        .unwrap();
    let unit = municipalities::create_unit(&mut tx, m, "Enhet A")
        .await
        .unwrap();
    let other_unit = municipalities::create_unit(&mut tx, m, "Enhet B")
        .await
        .unwrap();
    let hash = auth::hash_password(PASSWORD).unwrap();
    let mut tokens_by_user = HashMap::new();
    let mut user_ids = HashMap::new();
    let people: [(&'static str, Role, UnitId, bool); 8] = [
        ("cm", Role::CaseManager, unit, false),
        ("cm2", Role::CaseManager, unit, false),
        ("cm_b", Role::CaseManager, other_unit, false),
        ("head", Role::UnitHead, unit, true),
        ("head_b", Role::UnitHead, other_unit, true),
        ("admin", Role::Admin, unit, false),
        ("analyst", Role::Analyst, unit, false),
        ("auditor", Role::Auditor, unit, false),
    ];
    for (name, role, u, protected) in people {
        let (id, token) = add_user(&mut tx, m, u, name, role, Some(&hash), protected).await;
        tokens_by_user.insert(name, token);
        user_ids.insert(name, id);
    }
    tx.commit().await.unwrap();
    let router = vaka_web::router(db.store.clone(), config);
    App {
        db,
        router,
        municipality: m,
        unit,
        other_unit,
        tokens: tokens_by_user,
        user_ids,
    }
}

/// A user of `unit` in municipality `m` with an API token: (id, token).
async fn add_user(
    tx: &mut vaka_store::Tx,
    m: MunicipalityId,
    unit: UnitId,
    name: &'static str,
    role: Role,
    password_hash: Option<&str>,
    may_see_protected: bool,
) -> (UserId, String) {
    let id = users::create(
        tx,
        &users::NewUser {
            municipality_id: m,
            unit_id: Some(unit),
            username: name,
            display_name: &format!("Test {name}"),
            role,
            password_hash,
            may_see_protected,
        },
    )
    .await
    .unwrap();
    let token = auth::new_token("vaka_");
    tokens::create(tx, id, &auth::token_hash(&token), None, None)
        .await
        .unwrap();
    (id, token)
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl App {
    pub fn token(&self, user: &str) -> &str {
        &self.tokens[user]
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
            text,
        }
    }

    /// A JSON API call as `user` (None: without a token).
    pub async fn api(
        &self,
        method: Method,
        uri: &str,
        user: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(u) = user {
            b = b.header(header::AUTHORIZATION, format!("Bearer {}", self.token(u)));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub async fn get(&self, uri: &str, user: &str) -> Reply {
        self.api(Method::GET, uri, Some(user), None).await
    }

    pub async fn post(&self, uri: &str, user: &str, body: Value) -> Reply {
        self.api(Method::POST, uri, Some(user), Some(body)).await
    }

    /// Registers a client as `user` and returns its id.
    pub async fn client(&self, user: &str, number: &str) -> i64 {
        let r = self
            .post("/api/v1/clients", user, serde_json::json!({"personal_number": number, "given_name": "Test", "family_name": "Klient"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json["id"].as_i64().unwrap()
    }

    /// Registers a client as the unit head and opens a case for `manager`.
    pub async fn assigned_client(&self, manager: &str, number: &str) -> i64 {
        let head = if manager == "cm_b" { "head_b" } else { "head" };
        let id = self.client(head, number).await;
        let r = self
            .post(
                "/api/v1/cases",
                head,
                serde_json::json!({"client_id": id, "case_manager": manager}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        id
    }

    /// The newest access-log entry `action` about a client.
    pub async fn audit_entry(&self, client: i64, action: &str) -> vaka_store::NewAuditEntry {
        let mut tx = self.db.store.begin().await.unwrap();
        let list = vaka_store::audit::for_client(&mut tx, vaka_domain::ids::ClientId(client), 1000)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        list.into_iter()
            .find(|e| e.action_name == action)
            .map(|e| e.entry)
            .unwrap_or_else(|| panic!("no {action} entry about client {client}"))
    }

    /// The access-log entries (action, username) about a client, oldest first.
    pub async fn audit_for(&self, client: i64) -> Vec<(String, String)> {
        let mut tx = self.db.store.begin().await.unwrap();
        let mut list =
            vaka_store::audit::for_client(&mut tx, vaka_domain::ids::ClientId(client), 1000)
                .await
                .unwrap();
        list.reverse();
        list.into_iter()
            .map(|e| (e.action_name, e.entry.username))
            .collect()
    }

    /// A second municipality in the same database, with a unit head `head_x` and an auditor
    /// `auditor_x` (tokens as for the others).
    pub async fn with_neighbour(mut self) -> Self {
        let mut tx = self.db.store.begin().await.unwrap();
        let m = municipalities::create(&mut tx, "Grannkommun", "0002")
            .await
            .unwrap();
        let unit = municipalities::create_unit(&mut tx, m, "Enhet X")
            .await
            .unwrap();
        for (name, role) in [("head_x", Role::UnitHead), ("auditor_x", Role::Auditor)] {
            let (id, token) = add_user(&mut tx, m, unit, name, role, None, true).await;
            self.tokens.insert(name, token);
            self.user_ids.insert(name, id);
        }
        tx.commit().await.unwrap();
        self
    }

    pub async fn audit_verifies(&self) -> bool {
        let mut tx = self.db.store.begin().await.unwrap();
        vaka_store::audit::verify(&mut tx)
            .await
            .unwrap()
            .first_problem
            .is_none()
    }
}

/// The `error` object of a reply.
pub fn error(r: &Reply) -> (&str, Option<&str>) {
    (
        r.json["error"]["code"].as_str().unwrap_or(""),
        r.json["error"]["field"].as_str(),
    )
}

/// The fields named by a 422's `errors`, in order.
pub fn error_fields(r: &Reply) -> Vec<&str> {
    r.json["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}
