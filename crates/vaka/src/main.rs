//! `vaka`: the server and the command-line tool. See `vaka --help` and README.md.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// `print!` that returns the error instead of panicking: `vaka … | head` closes the pipe early.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `println!` that returns the error instead of panicking (see `out!`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod backup;
mod commands;
mod config;
mod demo;
mod extract;
mod purge;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};

// The server and the bulk loader allocate many small objects; mimalloc is markedly faster at that
// than the system allocator (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://vaka.db?mode=rwc";

#[derive(Parser)]
#[command(
    name = "vaka",
    version,
    about = "Vaka – missbruks- och beroendevård / municipal addiction care",
    after_help = "Settings also come from the environment (VAKA_…) and from a file of KEY=value lines: --config FILE (before the command) or VAKA_CONFIG."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
pub struct Db {
    /// sqlite://FILE?mode=rwc (embedded) or postgres://USER@HOST:PORT/DB
    #[arg(long, env = "VAKA_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (UI and JSON API). Migrates the database first.
    Serve {
        #[command(flatten)]
        db: Db,
        /// Address to listen on.
        #[arg(long, env = "VAKA_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo municipality first when the database is empty.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure: set this when Vaka is reached over HTTPS (directly or via a proxy).
        #[arg(long, env = "VAKA_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Minutes between the scheduled alert checks (0: none; run `vaka alerts check` from cron instead).
        #[arg(long, env = "VAKA_ALERT_CHECK_MINUTES", default_value_t = 15)]
        alert_check_minutes: u64,
        /// Minutes without a request before a session ends.
        #[arg(long, env = "VAKA_IDLE_TIMEOUT_MINUTES", default_value_t = 30)]
        idle_timeout_minutes: u64,
        /// Seconds a client has to send a request's headers before it is disconnected.
        #[arg(long, env = "VAKA_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
        header_timeout_seconds: u64,
        /// Seconds a whole request may take, its body included, before it is answered 408.
        #[arg(long, env = "VAKA_REQUEST_TIMEOUT_SECONDS", default_value_t = 30)]
        request_timeout_seconds: u64,
    },
    /// Create or upgrade the database schema.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Fill an empty database with a synthetic demo municipality (no real person's data).
    Demo {
        #[command(flatten)]
        db: Db,
        /// Number of clients.
        #[arg(long, default_value_t = 200)]
        clients: u32,
        /// Seed: the same seed gives the same municipality.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Staff users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Early-warning alerts.
    Alerts {
        #[command(subcommand)]
        command: AlertsCommand,
    },
    /// The access log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Reports from the database.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// What if: run a cohort Markov model file (docs/scenarios.md) — costs, outcomes, ICERs and
    /// dominance, and a probabilistic sensitivity analysis with --psa.
    Simulate {
        /// The model file (JSON).
        #[arg(long)]
        model: std::path::PathBuf,
        /// Draws of the probabilistic sensitivity analysis.
        #[arg(long)]
        psa: Option<u32>,
        /// The seed of the draws: the same seed gives the same result.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
        /// Add each strategy's cohort per cycle (JSON).
        #[arg(long)]
        trace: bool,
        /// Write the cost-effectiveness plane and the acceptability curve as SVG to this folder.
        #[arg(long)]
        plots: Option<std::path::PathBuf>,
        /// Threads for the draws (default: the machine's cores).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Write a consistent snapshot of the whole database to a file, while the server runs
    /// (docs/operations.md). Sessions are left out.
    Backup {
        #[command(flatten)]
        db: Db,
        /// The backup file to write (written beside it first, renamed when complete).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Encrypt with a passphrase (from --passphrase-file or VAKA_BACKUP_PASSPHRASE).
        #[arg(long)]
        encrypt: bool,
        #[command(flatten)]
        passphrase: Passphrase,
    },
    /// Restore a backup into a new, empty database; checks every table's rows and the access log
    /// before it commits, then migrates to this version's schema.
    Restore {
        #[command(flatten)]
        db: Db,
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
        #[command(flatten)]
        passphrase: Passphrase,
    },
    /// Retention (gallring, SoL 12 kap.): list the personal files that are due (--dry-run) or purge
    /// them (--execute), one transaction per person, each logged; files kept for research go to
    /// the --archive file first.
    Purge {
        #[command(flatten)]
        db: Db,
        /// List what would go and why; change nothing.
        #[arg(long, conflicts_with = "execute", required_unless_present = "execute")]
        dry_run: bool,
        /// Purge and archive.
        #[arg(long)]
        execute: bool,
        /// The research archive (JSON lines, appended) for files of people born on the 5th, 15th
        /// or 25th; required by --execute when any are due.
        #[arg(long)]
        archive: Option<std::path::PathBuf>,
        /// The day to judge by (default: today).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// A person's data request (GDPR art. 15): everything held about them and who accessed the
    /// file, as JSON or PDF; information about others withheld after review with --withhold.
    Extract {
        #[command(flatten)]
        db: Db,
        /// The client's id.
        #[arg(long)]
        client: i64,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value = "json", value_parser = ["json", "pdf"])]
        format: String,
        /// Withhold a row (TABLE.ID) or a field (TABLE.ID.FIELD) about someone else; repeatable.
        #[arg(long)]
        withhold: Vec<String>,
    },
    /// Statistics on any CSV file (exports from Vaka or from elsewhere).
    Analyze {
        #[command(subcommand)]
        command: AnalyzeCommand,
    },
}

/// Where an encrypted backup's passphrase comes from (never the command line).
#[derive(Args)]
struct Passphrase {
    /// A file whose first line is the passphrase.
    #[arg(long)]
    passphrase_file: Option<std::path::PathBuf>,
    #[arg(
        long,
        env = "VAKA_BACKUP_PASSPHRASE",
        hide_env_values = true,
        hide = true
    )]
    passphrase_env: Option<String>,
}

impl Passphrase {
    fn get(&self) -> anyhow::Result<Option<String>> {
        if let Some(f) = &self.passphrase_file {
            let text = std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("--passphrase-file {}: {e}", f.display()))?;
            return Ok(Some(text.lines().next().unwrap_or_default().to_owned()));
        }
        Ok(self.passphrase_env.clone())
    }
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The social committee's report: figures with their uncertainty, no personal data, every
    /// figure under 5 people withheld.
    Committee {
        #[command(flatten)]
        db: Db,
        /// First day of the period (YYYY-MM-DD).
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day of the period.
        #[arg(long)]
        to: chrono::NaiveDate,
        /// Where to write the report.
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value = "html", value_parser = ["html", "csv", "pdf"])]
        format: String,
        /// Add a scenario at the end, as the scenario page's query string
        /// (e.g. "lever=capacity&situation=supported_housing&places=10&years=5").
        #[arg(long)]
        scenario: Option<String>,
    },
}

#[derive(Subcommand)]
enum AnalyzeCommand {
    /// Kaplan–Meier survival table, median, and the log-rank test when grouped.
    Survival {
        /// The CSV file (`,` or `;`, a header row).
        #[arg(long)]
        csv: std::path::PathBuf,
        /// The column with the time to the event or to censoring (a number ≥ 0).
        #[arg(long)]
        time: String,
        /// The column saying whether the event happened (1/0, true/false, yes/no, ja/nej).
        #[arg(long)]
        event: String,
        /// A column to group by; adds the log-rank test.
        #[arg(long)]
        group: Option<String>,
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
        /// The confidence-interval transform.
        #[arg(long, default_value = "log-log", value_parser = ["log-log", "log", "plain"])]
        ci: String,
        /// The confidence level.
        #[arg(long, default_value_t = 0.95)]
        level: f64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff user; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        /// case_manager, unit_head, admin, analyst or auditor
        #[arg(long)]
        role: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        display_name: Option<String>,
        /// The unit's id (default: the first unit).
        #[arg(long)]
        unit_id: Option<i64>,
        /// May see the names and addresses of clients with a protected identity.
        #[arg(long)]
        may_see_protected: bool,
    },
    /// List the staff users with their role, unit, state and open cases.
    List {
        #[command(flatten)]
        db: Db,
    },
    /// Stop a user at once (someone who leaves): their sessions end and their tokens are revoked.
    /// Prints the open cases still assigned to them, to be handed over.
    Deactivate {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
    },
    /// Let a deactivated user log in again (with a new password or token).
    Activate {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
    },
    /// Set a new password, read from standard input; the user's sessions end.
    Password {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; the token is printed alone on the last line.
    Create {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        /// Days until the token expires (default 90; 0 = never).
        #[arg(long, default_value_t = 90)]
        expires_days: u32,
    },
    /// Revoke tokens at once: one token (read from standard input), or all of a user's.
    Revoke {
        #[command(flatten)]
        db: Db,
        /// Revoke every token of this user.
        #[arg(
            long,
            conflicts_with = "token_stdin",
            required_unless_present = "token_stdin"
        )]
        username: Option<String>,
        /// Revoke the one token given on standard input.
        #[arg(long)]
        token_stdin: bool,
    },
}

#[derive(Subcommand)]
enum AlertsCommand {
    /// Run the scheduled check once: no-contact alerts for every open case, escalation after 24 hours.
    Check {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain of the access log; exits non-zero at the first broken entry.
    Verify {
        #[command(flatten)]
        db: Db,
    },
}

fn main() -> ExitCode {
    let (args, settings) = match config::arguments(&Cli::command()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let format = match config::log_format(&settings) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    match config::connect_options(&settings) {
        Ok(o) => commands::set_connect_options(o),
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    }
    let cli = Cli::parse_from(args);
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(config::log_filter(&settings))
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr);
    match format {
        config::LogFormat::Text => logs.init(),
        config::LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve {
                db,
                addr,
                demo,
                secure_cookies,
                idle_timeout_minutes,
                alert_check_minutes,
                header_timeout_seconds,
                request_timeout_seconds,
            } => {
                commands::serve(
                    &db.database_url,
                    commands::ServeOptions {
                        addr,
                        demo,
                        secure_cookies,
                        idle_minutes: idle_timeout_minutes,
                        alert_check_minutes,
                        header_timeout: Duration::from_secs(header_timeout_seconds.max(1)),
                        request_timeout: Duration::from_secs(request_timeout_seconds.max(1)),
                    },
                )
                .await
            }
            Command::Migrate { db } => commands::migrate(&db.database_url).await,
            Command::Demo { db, clients, seed } => {
                commands::demo(&db.database_url, clients, seed).await
            }
            Command::User {
                command:
                    UserCommand::Add {
                        db,
                        username,
                        role,
                        password_stdin: _,
                        display_name,
                        unit_id,
                        may_see_protected,
                    },
            } => {
                commands::user_add(
                    &db.database_url,
                    &username,
                    &role,
                    display_name.as_deref(),
                    unit_id,
                    may_see_protected,
                )
                .await
            }
            Command::User {
                command: UserCommand::List { db },
            } => commands::user_list(&db.database_url).await,
            Command::User {
                command: UserCommand::Deactivate { db, username },
            } => commands::user_set_active(&db.database_url, &username, false).await,
            Command::User {
                command: UserCommand::Activate { db, username },
            } => commands::user_set_active(&db.database_url, &username, true).await,
            Command::User {
                command:
                    UserCommand::Password {
                        db,
                        username,
                        password_stdin: _,
                    },
            } => commands::user_password(&db.database_url, &username).await,
            Command::Token {
                command:
                    TokenCommand::Create {
                        db,
                        username,
                        expires_days,
                    },
            } => commands::token_create(&db.database_url, &username, expires_days).await,
            Command::Token {
                command:
                    TokenCommand::Revoke {
                        db,
                        username,
                        token_stdin: _,
                    },
            } => commands::token_revoke(&db.database_url, username.as_deref()).await,
            Command::Alerts {
                command: AlertsCommand::Check { db },
            } => commands::alerts_check(&db.database_url).await,
            Command::Audit {
                command: AuditCommand::Verify { db },
            } => commands::audit_verify(&db.database_url).await,
            Command::Report {
                command:
                    ReportCommand::Committee {
                        db,
                        from,
                        to,
                        out,
                        format,
                        scenario,
                    },
            } => {
                commands::report_committee(
                    &db.database_url,
                    from,
                    to,
                    &out,
                    &format,
                    scenario.as_deref(),
                )
                .await
            }
            Command::Simulate {
                model,
                psa,
                seed,
                format,
                trace,
                plots,
                threads,
            } => commands::simulate(&commands::SimulateArgs {
                model: &model,
                psa,
                seed,
                format: &format,
                trace,
                plots: plots.as_deref(),
                threads,
            }),
            Command::Backup {
                db,
                out,
                encrypt,
                passphrase,
            } => {
                let p = passphrase.get()?;
                if encrypt && p.is_none() {
                    anyhow::bail!(
                        "--encrypt needs a passphrase: --passphrase-file FILE or VAKA_BACKUP_PASSPHRASE"
                    );
                }
                commands::backup(&db.database_url, &out, if encrypt { p.as_deref() } else { None })
                    .await
            }
            Command::Restore {
                db,
                from,
                passphrase,
            } => commands::restore(&db.database_url, &from, passphrase.get()?.as_deref()).await,
            Command::Purge {
                db,
                dry_run: _,
                execute,
                archive,
                today,
                format,
            } => {
                purge::run(&purge::Args {
                    url: &db.database_url,
                    execute,
                    archive: archive.as_deref(),
                    today: today.unwrap_or_else(|| vaka_domain::time::local_date(vaka_store::now())),
                    json: format == "json",
                })
                .await
            }
            Command::Extract {
                db,
                client,
                out,
                format,
                withhold,
            } => extract::run(&db.database_url, client, &out, &format, &withhold).await,
            Command::Analyze {
                command:
                    AnalyzeCommand::Survival {
                        csv,
                        time,
                        event,
                        group,
                        format,
                        ci,
                        level,
                    },
            } => {
                if !(level > 0.0 && level < 1.0) {
                    anyhow::bail!("--level must be between 0 and 1, e.g. 0.95");
                }
                let spec = vaka_domain::stats::analysis::SurvivalSpec {
                    time,
                    event,
                    group,
                    ci: ci.parse().map_err(anyhow::Error::msg)?,
                    level,
                };
                commands::analyze_survival(&csv, &spec, &format)
            }
        }
    });
    match result {
        Ok(code) => code,
        // The reader went away (`vaka … | head`): stop quietly, as other command-line tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
