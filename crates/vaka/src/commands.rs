//! The CLI commands: thin wrappers that open the store and call the library.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use vaka_domain::role::{Role, valid_username};
use vaka_store::{NewAuditEntry, Store, audit, municipalities, tokens, users};
use vaka_web::{WebConfig, auth};

/// How every command connects, from the configuration (`config::connect_options`), set once at
/// start-up.
static CONNECT_OPTIONS: std::sync::OnceLock<vaka_store::ConnectOptions> =
    std::sync::OnceLock::new();

pub fn set_connect_options(o: vaka_store::ConnectOptions) {
    let _ = CONNECT_OPTIONS.set(o);
}

fn connect_options() -> vaka_store::ConnectOptions {
    CONNECT_OPTIONS.get().cloned().unwrap_or_default()
}

pub async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open_with(url, connect_options())
        .await
        .with_context(|| format!("could not open the database at {}", redact(url)))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// How `vaka serve` runs.
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub demo: bool,
    pub secure_cookies: bool,
    pub idle_minutes: u64,
    pub alert_check_minutes: u64,
    /// The time a client has to send its request headers.
    pub header_timeout: Duration,
    /// The time a whole request may take, its body included.
    pub request_timeout: Duration,
}

pub async fn serve(url: &str, options: ServeOptions) -> anyhow::Result<ExitCode> {
    let ServeOptions {
        addr,
        demo,
        secure_cookies,
        idle_minutes,
        alert_check_minutes,
        header_timeout,
        request_timeout,
    } = options;
    let connect = vaka_store::ConnectOptions {
        statement_timeout: Some(request_timeout),
        ..connect_options()
    };
    let store = Store::open_with(url, connect)
        .await
        .with_context(|| format!("could not open the database at {}", redact(url)))?;
    if demo {
        let mut tx = store.begin().await?;
        let empty = municipalities::is_empty(&mut tx).await?;
        tx.rollback().await?;
        if empty {
            crate::demo::load(&store, 200, 1).await?;
        } else {
            tracing::info!("the database already has data: not loading the demo");
        }
    }
    let config = WebConfig {
        secure_cookies,
        idle_timeout: Duration::from_secs(idle_minutes.max(1) * 60),
        request_timeout,
        ..WebConfig::default()
    };
    if alert_check_minutes > 0 {
        let jobs = store.clone();
        tokio::spawn(async move {
            // The first check one interval after start: a full pass at start-up would compete with the
            // first users' requests for the database.
            let period = Duration::from_secs(alert_check_minutes * 60);
            let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match vaka_web::api::alerts::run_checks(&jobs).await {
                    Ok(s) => tracing::info!(
                        clients = s.clients,
                        escalated = s.escalated,
                        "alert check done"
                    ),
                    Err(e) => tracing::error!(error = %e, "alert check failed"),
                }
            }
        });
    }
    let app = vaka_web::router(store.clone(), config);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))?;
    tracing::info!(%addr, "listening");
    // The address for whoever started it, on standard output: the log (standard error) may be
    // filtered to warnings or be JSON for a collector.
    outln!("Vaka: http://{addr}")?;
    serve_connections(listener, app, header_timeout).await;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn migrate(url: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect(url, connect_options())
        .await
        .with_context(|| format!("could not connect to {}", redact(url)))?;
    let n = store.migrate().await?;
    outln!("{n} migration(s) applied; the schema is up to date.")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn demo(url: &str, clients: u32, seed: u64) -> anyhow::Result<ExitCode> {
    let store = open(url).await?;
    crate::demo::load(&store, clients, seed).await?;
    Ok(ExitCode::SUCCESS)
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    if std::io::stdin().is_terminal() {
        eprint!("Lösenord / password: ");
    }
    std::io::stdin()
        .read_to_string(&mut s)
        .context("could not read the password from standard input")?;
    Ok(s.trim_end_matches(['\n', '\r']).to_owned())
}

pub async fn user_add(
    url: &str,
    username: &str,
    role: &str,
    display_name: Option<&str>,
    unit_id: Option<i64>,
    may_see_protected: bool,
) -> anyhow::Result<ExitCode> {
    let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    if !valid_username(username) {
        bail!("--username: 2–64 characters a-z 0-9 . _ -, starting with a letter");
    }
    let password = read_password()?;
    auth::check_new_password("password", &password)
        .map_err(|e| anyhow::anyhow!("password: {} / {}", e.message.sv, e.message.en))?;
    let hash = auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let store = open(url).await?;
    let mut tx = store.begin().await?;
    let (municipality, default_unit) = municipalities::ensure_default(&mut tx).await?;
    let unit = match unit_id {
        None => Some(default_unit),
        Some(id) => Some(
            municipalities::units(&mut tx, municipality)
                .await?
                .into_iter()
                .find(|u| u.id.0 == id)
                .map(|u| u.id)
                .with_context(|| format!("--unit-id: no unit {id}"))?,
        ),
    };
    let id = users::create(
        &mut tx,
        &users::NewUser {
            municipality_id: municipality,
            unit_id: unit,
            username,
            display_name: display_name.unwrap_or(username),
            role,
            password_hash: Some(&hash),
            may_see_protected,
        },
    )
    .await
    .map_err(|e| match e {
        vaka_store::StoreError::Conflict(_) => {
            anyhow::anyhow!("--username: {username} already exists")
        }
        other => other.into(),
    })?;
    tx.audit(cli_entry(
        vaka_store::AuditAction::UserCreate,
        &format!("vaka user add {username} ({role})"),
    ));
    tx.commit().await?;
    outln!("Added {username} ({role}) with id {id}.")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn user_list(url: &str) -> anyhow::Result<ExitCode> {
    let store = open(url).await?;
    let mut tx = store.begin_read().await?;
    let (municipality, _) = municipalities::ensure_default(&mut tx).await?;
    let list = users::list(&mut tx, municipality).await?;
    let counts = vaka_store::cases::open_counts(&mut tx, municipality).await?;
    let mut lines = Vec::with_capacity(list.len());
    for u in &list {
        let open = vaka_store::cases::count_for(&counts, u.id);
        lines.push(format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{open}",
            u.username,
            u.display_name,
            u.role,
            u.unit_id
                .map_or_else(|| "-".to_owned(), |x| x.0.to_string()),
            if u.active { "active" } else { "deactivated" },
            if u.may_see_protected {
                "protected"
            } else {
                "-"
            },
        ));
    }
    tx.rollback().await?;
    outln!("username\tname\trole\tunit\tstate\tsees_protected\topen_cases")?;
    for l in lines {
        outln!("{l}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn user_set_active(url: &str, username: &str, active: bool) -> anyhow::Result<ExitCode> {
    let store = open(url).await?;
    let mut tx = store.begin().await?;
    let (user, _) = users::by_username(&mut tx, username)
        .await?
        .with_context(|| format!("--username: no user {username}"))?;
    users::set_active(&mut tx, user.id, active).await?;
    let (sessions, revoked) = if active {
        (0, 0)
    } else {
        (
            vaka_store::sessions::delete_for_user(&mut tx, user.id).await?,
            tokens::revoke_all(&mut tx, user.id).await?,
        )
    };
    let open_cases = vaka_store::cases::open_for_manager(&mut tx, user.id).await?;
    let verb = if active { "activate" } else { "deactivate" };
    tx.audit(cli_entry(
        vaka_store::AuditAction::UserUpdate,
        &format!("vaka user {verb} {username}"),
    ));
    tx.commit().await?;
    if active {
        outln!("Activated {username}.")?;
    } else {
        outln!("Deactivated {username}: {sessions} session(s) ended, {revoked} token(s) revoked.")?;
        if !open_cases.is_empty() {
            let ids: Vec<String> = open_cases.iter().map(|c| c.0.to_string()).collect();
            outln!(
                "{username} is still the case manager of {} open case(s): {}. The unit head hands \
                 them all over at /staff/{username}/handover (or POST /api/v1/users/{username}/handover).",
                open_cases.len(),
                ids.join(", ")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn user_password(url: &str, username: &str) -> anyhow::Result<ExitCode> {
    let password = read_password()?;
    auth::check_new_password("password", &password)
        .map_err(|e| anyhow::anyhow!("password: {} / {}", e.message.sv, e.message.en))?;
    let hash = auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let store = open(url).await?;
    let mut tx = store.begin().await?;
    let (user, _) = users::by_username(&mut tx, username)
        .await?
        .with_context(|| format!("--username: no user {username}"))?;
    // The operator at the command line is trusted like the owner (the first administrator sets
    // their own password here): no change is forced.
    users::set_password_hash(&mut tx, user.id, &hash, false).await?;
    let sessions = vaka_store::sessions::delete_for_user(&mut tx, user.id).await?;
    tx.audit(cli_entry(
        vaka_store::AuditAction::UserUpdate,
        &format!("vaka user password {username}"),
    ));
    tx.commit().await?;
    outln!("New password for {username}; {sessions} session(s) ended.")?;
    Ok(ExitCode::SUCCESS)
}

fn cli_entry(action: vaka_store::AuditAction, detail: &str) -> NewAuditEntry {
    NewAuditEntry {
        user_id: None,
        username: "cli".into(),
        role: "system".into(),
        client_id: None,
        case_id: None,
        action,
        detail: detail.into(),
        emergency_reason: None,
        address: None,
        clients: Vec::new(),
    }
}

pub async fn token_create(
    url: &str,
    username: &str,
    expires_days: u32,
) -> anyhow::Result<ExitCode> {
    let store = open(url).await?;
    let mut tx = store.begin().await?;
    let (user, _) = users::by_username(&mut tx, username)
        .await?
        .with_context(|| format!("--username: no user {username}"))?;
    if !user.active {
        bail!("--username: {username} is not active");
    }
    let token = auth::new_token("vaka_");
    let expires = (expires_days > 0)
        .then(|| vaka_store::now() + chrono::Duration::days(i64::from(expires_days)));
    tokens::create(
        &mut tx,
        user.id,
        &auth::token_hash(&token),
        Some("cli"),
        expires,
    )
    .await?;
    tx.audit(cli_entry(
        vaka_store::AuditAction::TokenCreate,
        &format!("vaka token create {username}"),
    ));
    tx.commit().await?;
    match expires {
        Some(e) => eprintln!(
            "Token for {username}, valid until {} (UTC). Keep it secret:",
            e.format("%Y-%m-%d %H:%M")
        ),
        None => eprintln!("Token for {username}, without expiry. Keep it secret:"),
    }
    outln!("{token}")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn token_revoke(url: &str, username: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = open(url).await?;
    let mut tx = store.begin().await?;
    let (n, who) = match username {
        Some(u) => {
            let (user, _) = users::by_username(&mut tx, u)
                .await?
                .with_context(|| format!("--username: no user {u}"))?;
            (
                tokens::revoke_all(&mut tx, user.id).await?,
                format!("all tokens of {u}"),
            )
        }
        None => {
            let mut token = String::new();
            std::io::stdin()
                .read_to_string(&mut token)
                .context("could not read the token from standard input")?;
            let revoked = tokens::revoke(&mut tx, &auth::token_hash(token.trim())).await?;
            if !revoked {
                bail!("no live token matches the one given");
            }
            (1, "one token".to_owned())
        }
    };
    tx.audit(cli_entry(
        vaka_store::AuditAction::TokenRevoke,
        &format!("vaka token revoke: {who}"),
    ));
    tx.commit().await?;
    outln!("Revoked {n} token(s): {who}.")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn alerts_check(url: &str) -> anyhow::Result<ExitCode> {
    let store = open(url).await?;
    let s = vaka_web::api::alerts::run_checks(&store).await?;
    outln!(
        "Checked {} client(s) with open cases; escalated {} alert(s).",
        s.clients,
        s.escalated
    )?;
    Ok(ExitCode::SUCCESS)
}

pub async fn audit_verify(url: &str) -> anyhow::Result<ExitCode> {
    let store = open(url).await?;
    let mut tx = store.begin_read().await?;
    let v = audit::verify(&mut tx).await?;
    tx.rollback().await?;
    match v.first_problem {
        None => {
            outln!("The access log is intact: {} entries.", v.entries)?;
            Ok(ExitCode::SUCCESS)
        }
        Some((id, what)) => {
            outln!("The access log is broken at entry {id}: {what}.")?;
            Ok(ExitCode::from(2))
        }
    }
}

/// `vaka report committee`: the report of the (first) municipality in the database.
pub async fn report_committee(
    url: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    out: &std::path::Path,
    format: &str,
    scenario: Option<&str>,
) -> anyhow::Result<ExitCode> {
    if to < from {
        bail!("--to ({to}) is before --from ({from})");
    }
    if scenario.is_some() && format == "csv" {
        bail!(
            "--scenario goes with --format html or pdf (the scenario's figures: vaka simulate --format csv)"
        );
    }
    let store = open(url).await?;
    let mut tx = store.begin_read().await?;
    let municipality = municipalities::first(&mut tx)
        .await?
        .context("the database has no municipality")?;
    tx.rollback().await?;
    let today = vaka_domain::time::local_date(vaka_store::now());
    let report =
        vaka_web::reports::committee_from_store(&store, municipality.id, from, to, today).await?;
    let extra = match scenario {
        Some(q) => vaka_web::scenarios::committee_scenario(&store, municipality.id, today, q)
            .await
            .map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let bytes = match format {
        "csv" => vaka_domain::stats::report::to_csv(&report).into_bytes(),
        "pdf" => vaka_web::reports::committee_pdf(&report, &extra).map_err(anyhow::Error::msg)?,
        _ => vaka_web::reports::committee_html(&report, true, &extra, "")?.into_bytes(),
    };
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    outln!("{}", out.display())?;
    Ok(ExitCode::SUCCESS)
}

/// `vaka analyze survival`: Kaplan–Meier (and log-rank when grouped) on any CSV file.
pub fn analyze_survival(
    path: &std::path::Path,
    spec: &vaka_domain::stats::analysis::SurvivalSpec,
    format: &str,
) -> anyhow::Result<ExitCode> {
    use vaka_domain::stats::analysis;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let report =
        analysis::analyze(&bytes, spec).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    match format {
        "csv" => out!("{}", analysis::to_csv(&report))?,
        _ => outln!("{}", serde_json::to_string_pretty(&report)?)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub struct SimulateArgs<'a> {
    pub model: &'a std::path::Path,
    pub psa: Option<u32>,
    pub seed: u64,
    pub format: &'a str,
    pub trace: bool,
    pub plots: Option<&'a std::path::Path>,
    pub threads: Option<usize>,
}

/// `vaka simulate`: a model file's strategies compared, with a probabilistic analysis when asked.
pub fn simulate(a: &SimulateArgs<'_>) -> anyhow::Result<ExitCode> {
    use vaka_domain::scenario;
    let text = std::fs::read_to_string(a.model)
        .with_context(|| format!("cannot read {}", a.model.display()))?;
    let plan =
        scenario::model::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", a.model.display()))?;
    if a.psa == Some(0) {
        bail!("--psa must be 1 or more draws");
    }
    if a.psa.is_some() && !plan.has_uncertainty() {
        eprintln!("note: no parameter has a distribution; every draw is the base case");
    }
    let threads = a.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let sim = scenario::simulate(&plan, a.psa.map(|n| (n, a.seed)), threads, a.trace)
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.model.display()))?;
    if let Some(dir) = a.plots {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let label = "utfall";
        for (file, svg) in [
            (
                "ce-plane.svg",
                vaka_web::scenario_charts::ce_plane(&sim, label),
            ),
            (
                "ceac.svg",
                vaka_web::scenario_charts::acceptability(&sim, label),
            ),
        ] {
            match svg {
                Some(svg) => {
                    let path = dir.join(file);
                    std::fs::write(&path, svg)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("{}", path.display());
                }
                None => eprintln!("note: {file} needs --psa and two strategies"),
            }
        }
    }
    match a.format {
        "csv" => out!("{}", scenario::to_csv(&sim))?,
        _ => outln!("{}", serde_json::to_string_pretty(&sim)?)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// SIGINT (Ctrl-C) or SIGTERM (systemd's stop).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves HTTP/1.1 connections until a stop signal, then lets the requests in flight finish (up to
/// 30 s). A client that does not send its request headers within `header_timeout` is disconnected,
/// so slow clients cannot hold connections open (bodies are bounded by the router's own timeout).
async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_timeout: Duration,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), req)
            });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("requests still running 30 s after the stop signal were cut off");
        }
    }
}

/// `vaka backup`: written to `FILE.partial` and renamed when whole, readable by the owner only.
pub async fn backup(
    url: &str,
    out: &std::path::Path,
    passphrase: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(url, connect_options())
        .await
        .with_context(|| format!("could not open the database at {}", redact(url)))?;
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&partial)
        .with_context(|| format!("could not write {}", partial.display()))?;
    let started = std::time::Instant::now();
    let written = match crate::backup::write(&store, &file, passphrase).await {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    file.sync_all()?;
    std::fs::rename(&partial, out)?;
    let bytes = std::fs::metadata(out)?.len();
    outln!(
        "Backed up {} rows in {} tables to {} ({} kB{}) in {:.1} s.",
        written.counts.total(),
        written.counts.0.len(),
        out.display(),
        bytes.div_ceil(1024),
        if written.encrypted { ", encrypted" } else { "" },
        started.elapsed().as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `vaka restore`: into a new, empty database only.
pub async fn restore(
    url: &str,
    from: &std::path::Path,
    passphrase: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::File::open(from).with_context(|| format!("could not read {}", from.display()))?;
    let store = Store::connect(url, connect_options())
        .await
        .with_context(|| format!("could not open the database at {}", redact(url)))?;
    let (header, counts) = crate::backup::restore(&store, file, passphrase)
        .await
        .context("nothing was restored")?;
    outln!(
        "Restored {} rows in {} tables from the backup of {} (schema {}); the access log verifies.",
        counts.total(),
        counts.0.len(),
        header.created_at,
        header.schema_version
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_password_is_never_printed() {
        assert_eq!(
            redact("postgres://vaka:s3cret@db:5432/vaka"),
            "postgres://vaka:***@db:5432/vaka"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            redact("sqlite://vaka.db?mode=rwc"),
            "sqlite://vaka.db?mode=rwc"
        );
    }
}
