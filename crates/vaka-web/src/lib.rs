//! Vaka's HTTP layer: the JSON API under `/api/v1` (bearer tokens, OpenAPI at
//! `/api/v1/openapi.json`) and the server-rendered UI (sessions, CSRF). Handlers are thin: they
//! authenticate, ask the access rules, call the domain, and do their work in one transaction that
//! carries its audit entry.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod api;
pub mod auth;
mod body;
pub mod client_access;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod metrics;
mod pages;
pub mod reports;
pub mod scenario_charts;
pub mod scenarios;
mod security;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use vaka_store::Store;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// A session ends this long after login, whatever happens.
    pub absolute_timeout: Duration,
    /// Largest request body accepted.
    pub body_limit: usize,
    /// The longest a request may take, reading its body included; then it is answered 408.
    pub request_timeout: Duration,
    /// How failed logins slow down further attempts.
    pub throttle: vaka_domain::throttle::ThrottlePolicy,
    /// How long an emergency access grant lasts.
    pub emergency_duration: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(10 * 60 * 60),
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            throttle: vaka_domain::throttle::ThrottlePolicy::default(),
            emergency_duration: Duration::from_secs(2 * 60 * 60),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
}

/// The whole application: API, UI, health, static files, with security headers on every response.
pub fn router(store: Store, config: WebConfig) -> Router {
    let request_timeout = config.request_timeout;
    let state = AppState {
        store,
        config: Arc::new(config),
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(metrics::ready))
        .route("/metrics", get(metrics::metrics))
        .merge(api::router())
        .merge(pages::router())
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn(metrics::record))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .with_state(state)
}
