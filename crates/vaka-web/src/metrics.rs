//! `/metrics` in the Prometheus text format, and one log line per request. Both name the route
//! template (`/api/v1/clients/{id}`), never the path or query, so neither carries a client's id,
//! a name or a search term.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
struct Registry {
    /// (method, route, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency.
    latency: BTreeMap<(String, String), Series>,
}

fn registry() -> &'static Mutex<Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    R.get_or_init(Default::default)
}

fn started() -> &'static std::time::SystemTime {
    static S: OnceLock<std::time::SystemTime> = OnceLock::new();
    S.get_or_init(std::time::SystemTime::now)
}

/// Counts and times every request, by route template.
pub async fn record(req: Request, next: Next) -> Response {
    let _ = started();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = req.method().as_str().to_owned();
    let t = Instant::now();
    let res = next.run(req).await;
    let secs = t.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    tracing::debug!(%method, %route, status, ms = secs * 1000.0, "request");
    if let Ok(mut r) = registry().lock() {
        *r.requests
            .entry((method.clone(), route.clone(), status))
            .or_default() += 1;
        let s = r.latency.entry((method, route)).or_default();
        s.count += 1;
        s.sum += secs;
        for (b, le) in s.buckets.iter_mut().zip(BUCKETS) {
            if secs <= le {
                *b += 1;
            }
        }
    }
    res
}

/// The exposition, with whether the database answers.
pub async fn metrics(State(st): State<AppState>) -> Response {
    let db_up = st.store.ping().await.is_ok();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP vaka_build_info The running version.\n# TYPE vaka_build_info gauge\nvaka_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    let start = started()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let _ = writeln!(
        out,
        "# HELP vaka_start_time_seconds When the server started (Unix time).\n# TYPE vaka_start_time_seconds gauge\nvaka_start_time_seconds {start:.3}"
    );
    let _ = writeln!(
        out,
        "# HELP vaka_database_up Whether the database answered this scrape.\n# TYPE vaka_database_up gauge\nvaka_database_up {}",
        u8::from(db_up)
    );
    if let Ok(r) = registry().lock() {
        out.push_str("# HELP vaka_http_requests_total Requests answered, by route template and status.\n# TYPE vaka_http_requests_total counter\n");
        for ((m, route, status), n) in &r.requests {
            let _ = writeln!(
                out,
                "vaka_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP vaka_http_request_duration_seconds Time to answer, by route template.\n# TYPE vaka_http_request_duration_seconds histogram\n");
        for ((m, route), s) in &r.latency {
            let labels = format!("method=\"{m}\",route=\"{}\"", escape(route));
            for (b, le) in s.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "vaka_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {b}"
                );
            }
            let _ = writeln!(
                out,
                "vaka_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\nvaka_http_request_duration_seconds_sum{{{labels}}} {:.6}\nvaka_http_request_duration_seconds_count{{{labels}}} {}",
                s.count, s.sum, s.count
            );
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Readiness: the server can do work (the database answers). Liveness is `/healthz`.
pub async fn ready(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
                .into_response()
        }
    }
}
