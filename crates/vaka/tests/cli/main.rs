//! The `vaka` binary end to end: the CLI contract and a running server, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use vaka_store::both;

fn vaka(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vaka"))
        .args(args)
        .env_remove("VAKA_DATABASE_URL")
        .env("VAKA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(url: &str, extra: &[&str]) -> Server {
    serve_with(url, extra, "warn", Stdio::null())
}

fn serve_with(url: &str, extra: &[&str], log: &str, stderr: Stdio) -> Server {
    serve_with_env(url, extra, &[("VAKA_LOG", log)], stderr)
}

/// A server with these environment variables set.
fn serve_with_env(url: &str, extra: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Server {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec!["serve", "--database-url", url, "--addr", &addr];
    args.extend_from_slice(extra);
    let child = Command::new(env!("CARGO_BIN_EXE_vaka"))
        .args(&args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let server = Server(child, port);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if http(port, "GET", "/healthz", None, None).map(|r| r.0) == Some(200) {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not answer /healthz within 60 s");
}

/// How many journal entries the database holds.
async fn contact_count(url: &str) -> i64 {
    let store = vaka_store::Store::connect(url, vaka_store::ConnectOptions::default())
        .await
        .unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let n = vaka_store::testing::count(&mut tx, "SELECT COUNT(*) FROM contacts")
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    store.close().await;
    n
}

/// A minimal HTTP/1.1 client: (status, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes()).ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.split_whitespace().nth(1)?.parse().ok()?;
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

both!(
    migrate_add_a_user_create_a_token_and_use_it,
    |db| async move {
        let url = db.url().to_owned();
        assert!(ok(&vaka(&["migrate", "--database-url", &url], None)).contains("up to date"));
        let out = vaka(
            &[
                "user",
                "add",
                "--database-url",
                &url,
                "--username",
                "anna",
                "--role",
                "unit_head",
                "--password-stdin",
            ],
            Some("ett-bra-och-langt-losenord\n"),
        );
        assert!(ok(&out).contains("Added anna (unit_head)"));
        let out = ok(&vaka(
            &[
                "token",
                "create",
                "--database-url",
                &url,
                "--username",
                "anna",
            ],
            None,
        ));
        let token = out.lines().last().unwrap().trim().to_owned();
        assert!(token.starts_with("vaka_") && token.len() > 40, "{out}");
        let server = serve(&url, &[]);
        let (status, body) = http(server.1, "POST", "/api/v1/clients", Some(&token),
        Some(r#"{"personal_number": "19121212-1212", "given_name": "Tolvan", "family_name": "Tolvansson"}"#)).unwrap();
        assert_eq!(status, 201, "{body}");
        let created: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(created["personal_number"], "191212121212");
        let (status, _) =
            http(server.1, "GET", "/api/v1/clients", Some("vaka_wrong"), None).unwrap();
        assert_eq!(status, 401);
        let (status, body) = http(server.1, "GET", "/api/v1/clients", Some(&token), None).unwrap();
        assert_eq!(status, 200);
        assert!(body.contains("Tolvansson"));
        // Revoking ends a token at once, on the running server.
        let one = ok(&vaka(
            &[
                "token",
                "create",
                "--database-url",
                &url,
                "--username",
                "anna",
            ],
            None,
        ));
        let second = one.lines().last().unwrap().trim().to_owned();
        ok(&vaka(
            &["token", "revoke", "--database-url", &url, "--token-stdin"],
            Some(&second),
        ));
        assert_eq!(
            http(server.1, "GET", "/api/v1/clients", Some(&second), None)
                .unwrap()
                .0,
            401
        );
        assert_eq!(
            http(server.1, "GET", "/api/v1/clients", Some(&token), None)
                .unwrap()
                .0,
            200
        );
        let all = ok(&vaka(
            &[
                "token",
                "revoke",
                "--database-url",
                &url,
                "--username",
                "anna",
            ],
            None,
        ));
        assert!(all.contains("Revoked 1"), "{all}");
        assert_eq!(
            http(server.1, "GET", "/api/v1/clients", Some(&token), None)
                .unwrap()
                .0,
            401
        );
        let again = vaka(
            &["token", "revoke", "--database-url", &url, "--token-stdin"],
            Some(&second),
        );
        assert!(!again.status.success() && stderr(&again).contains("no live token"));
        drop(server);
        assert!(ok(&vaka(&["audit", "verify", "--database-url", &url], None)).contains("intact"));
    }
);

both!(
    user_add_refuses_weak_passwords_bad_roles_and_duplicates,
    |db| async move {
        let url = db.url().to_owned();
        let add = |name: &str, role: &str, pw: &str| {
            vaka(
                &[
                    "user",
                    "add",
                    "--database-url",
                    &url,
                    "--username",
                    name,
                    "--role",
                    role,
                    "--password-stdin",
                ],
                Some(pw),
            )
        };
        let short = add("anna", "case_manager", "kort");
        assert!(!short.status.success());
        assert!(stderr(&short).contains("password") && stderr(&short).contains("12"));
        let common = add("anna", "case_manager", "password1234");
        assert!(!common.status.success() && stderr(&common).contains("common"));
        let role = add("anna", "boss", "ett-bra-och-langt-losenord");
        assert!(!role.status.success() && stderr(&role).contains("--role"));
        let name = add("Anna Berg", "case_manager", "ett-bra-och-langt-losenord");
        assert!(!name.status.success() && stderr(&name).contains("--username"));
        ok(&add("anna", "case_manager", "ett-bra-och-langt-losenord"));
        let again = add("anna", "admin", "ett-bra-och-langt-losenord");
        assert!(!again.status.success() && stderr(&again).contains("already exists"));
        let missing = vaka(
            &[
                "token",
                "create",
                "--database-url",
                &url,
                "--username",
                "ghost",
            ],
            None,
        );
        assert!(!missing.status.success() && stderr(&missing).contains("ghost"));
    }
);

both!(
    the_demo_is_the_same_for_the_same_seed_and_refuses_a_database_with_data,
    |db| async move {
        let url = db.url().to_owned();
        let out = ok(&vaka(
            &[
                "demo",
                "--database-url",
                &url,
                "--clients",
                "40",
                "--seed",
                "7",
            ],
            None,
        ));
        assert!(
            out.contains("anna.berg")
                && out.contains("vaka-demo-2026!")
                && out.contains("unit_head")
        );
        let again = vaka(
            &[
                "demo",
                "--database-url",
                &url,
                "--clients",
                "40",
                "--seed",
                "7",
            ],
            None,
        );
        assert!(!again.status.success() && stderr(&again).contains("already has data"));

        let twin = vaka_store::testing::TestDb::new(db.store.backend()).await;
        ok(&vaka(
            &[
                "demo",
                "--database-url",
                twin.url(),
                "--clients",
                "40",
                "--seed",
                "7",
            ],
            None,
        ));
        let other = vaka_store::testing::TestDb::new(db.store.backend()).await;
        ok(&vaka(
            &[
                "demo",
                "--database-url",
                other.url(),
                "--clients",
                "40",
                "--seed",
                "8",
            ],
            None,
        ));
        let people = |store: vaka_store::Store| async move {
            let mut tx = store.begin().await.unwrap();
            let units =
                vaka_store::municipalities::units(&mut tx, vaka_domain::ids::MunicipalityId(1))
                    .await
                    .unwrap();
            let mut all = Vec::new();
            for u in units {
                let (list, _) = vaka_store::clients::list(
                    &mut tx,
                    vaka_store::clients::Scope::Unit(u.id),
                    500,
                    0,
                )
                .await
                .unwrap();
                all.extend(list.into_iter().map(|c| {
                    format!(
                        "{} {} {}",
                        c.personal_number.canonical(),
                        c.given_name,
                        c.family_name
                    )
                }));
            }
            all.sort();
            all
        };
        let (a, b, c) = (
            people(db.store.clone()).await,
            people(twin.store.clone()).await,
            people(other.store.clone()).await,
        );
        assert_eq!(a.len(), 40);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The triggers' summary agrees with the journal however the demo orders its rows, and
        // each relapse alert names a relapse contact of its client.
        use vaka_store::testing::count;
        let relapse_alerts = "SELECT COUNT(*) FROM alerts a WHERE a.rule = 'relapse_reported'";
        let unmatched = "SELECT COUNT(*) FROM alerts a WHERE a.rule = 'relapse_reported' \
            AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.client_id = a.client_id \
            AND x.substance_use = 'relapse' AND a.cause_key = 'relapse_reported:contact:' || CAST(x.id AS TEXT))";
        let (mut alerts_seen, mut closed_seen) = (0, 0);
        for store in [&db.store, &other.store] {
            let mut tx = store.begin_read().await.unwrap();
            assert_eq!(
                vaka_store::testing::summary_mismatches(&mut tx)
                    .await
                    .unwrap(),
                0
            );
            alerts_seen += count(&mut tx, relapse_alerts).await.unwrap();
            assert_eq!(count(&mut tx, unmatched).await.unwrap(), 0);
            // A closed case has its reason, and nobody still assigned to it.
            let closed_wrong = "SELECT COUNT(*) FROM cases k WHERE k.status = 'closed' \
                AND (k.closure_reason IS NULL OR k.closed_on IS NULL OR EXISTS (SELECT 1 FROM \
                case_assignments a WHERE a.case_id = k.id AND a.unassigned_on IS NULL))";
            assert_eq!(count(&mut tx, closed_wrong).await.unwrap(), 0);
            closed_seen += count(
                &mut tx,
                "SELECT COUNT(*) FROM cases WHERE status = 'closed'",
            )
            .await
            .unwrap();
            tx.rollback().await.unwrap();
        }
        assert!(alerts_seen > 0);
        assert!(closed_seen > 0, "the demo closes some cases");
        // The scheduled alert check runs over the whole demo without error.
        let checked = ok(&vaka(&["alerts", "check", "--database-url", &url], None));
        assert!(
            checked.starts_with("Checked ") && checked.contains("with open cases"),
            "{checked}"
        );
        // Every client's screenings and follow-ups read back as the domain's types, scored by the
        // domain's rules; missed follow-ups keep their reason.
        let mut tx = db.store.begin().await.unwrap();
        let (mut screenings, mut follow_ups) = (0, 0);
        for client in 1..=40 {
            let client = vaka_domain::ids::ClientId(client);
            for a in vaka_store::outcomes::assessments_for(&mut tx, client)
                .await
                .unwrap()
            {
                let sum: u8 = a.answers.iter().sum();
                assert_eq!(a.score.total, sum);
                assert_eq!(a.score.above_cutoff, a.score.total >= a.score.cutoff);
                screenings += 1;
            }
            for f in vaka_store::outcomes::follow_ups_for(&mut tx, client)
                .await
                .unwrap()
            {
                assert_eq!(
                    f.missed_reason.is_some(),
                    f.status == vaka_domain::followup::FollowUpStatus::Missed
                );
                follow_ups += 1;
            }
        }
        tx.rollback().await.unwrap();
        assert_eq!(screenings, 80, "AUDIT and DUDIT at intake for everyone");
        assert!(follow_ups > 0);
        // Only reservnummer and Skatteverket's published test number: no number can be a real person's.
        assert!(
            a.iter()
                .all(|p| p.starts_with("191212121212 ") || p.as_bytes()[8] == b'R'),
            "{a:?}"
        );
        assert!(ok(&vaka(&["audit", "verify", "--database-url", &url], None)).contains("intact"));
    }
);

both!(
    audit_verify_exits_non_zero_naming_a_tampered_entry,
    |db| async move {
        let url = db.url().to_owned();
        for name in ["a1", "a2", "a3"] {
            ok(&vaka(
                &[
                    "user",
                    "add",
                    "--database-url",
                    &url,
                    "--username",
                    name,
                    "--role",
                    "analyst",
                    "--password-stdin",
                ],
                Some("ett-bra-och-langt-losenord"),
            ));
        }
        let mut tx = db.store.begin().await.unwrap();
        vaka_store::testing::drop_append_only_guard(&mut tx)
            .await
            .unwrap();
        vaka_store::testing::exec(
            &mut tx,
            "UPDATE audit_log SET detail = 'nothing to see' WHERE id = 2",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let out = vaka(&["audit", "verify", "--database-url", &url], None);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stdout).contains("entry 2"));
    }
);

both!(
    serve_with_demo_loads_an_empty_database_and_answers,
    |db| async move {
        let url = db.url().to_owned();
        let server = serve(&url, &["--demo"]);
        let (status, body) = http(server.1, "GET", "/login", None, None).unwrap();
        assert_eq!(status, 200);
        assert!(body.contains("Logga in"));
        let (status, body) = http(server.1, "GET", "/api/v1/openapi.json", None, None).unwrap();
        assert_eq!(status, 200);
        assert!(body.contains("/api/v1/clients"));
    }
);

#[test]
fn an_unsupported_database_url_is_a_clear_error() {
    let out = vaka(&["migrate", "--database-url", "mysql://localhost/x"], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("sqlite://") && stderr(&out).contains("postgres://"),
        "{}",
        stderr(&out)
    );
}

both!(
    migrating_an_up_to_date_database_says_only_so,
    |db| async move {
        // At the operator's usual level (info): no database notices ("already exists, skipping").
        let out = Command::new(env!("CARGO_BIN_EXE_vaka"))
            .args(["migrate", "--database-url", db.url()])
            .env_remove("VAKA_DATABASE_URL")
            .env("VAKA_LOG", "info")
            .output()
            .unwrap();
        assert!(ok(&out).contains("0 migration(s) applied"));
        assert!(!stderr(&out).contains("skipping"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("notice"), "{}", stderr(&out));
    }
);

#[test]
fn the_slow_statement_threshold_is_read_from_the_configuration_file() {
    let dir = std::env::temp_dir().join(format!("vaka-slow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("vaka.env");
    let url = format!("sqlite://{}?mode=rwc", dir.join("vaka.db").display());
    let migrate_with = |setting: &str| {
        std::fs::write(&config, format!("VAKA_SLOW_STATEMENT_MS={setting}\n")).unwrap();
        let file = config.to_str().unwrap();
        vaka(&["--config", file, "migrate", "--database-url", &url], None)
    };
    // Every statement takes at least 0 ms, so each one is logged, with its SQL and no values.
    let out = migrate_with("0");
    ok(&out);
    assert!(stderr(&out).contains("slow statement"), "{}", stderr(&out));
    assert!(stderr(&out).contains("CREATE TABLE"), "{}", stderr(&out));
    // A value that is not whole milliseconds stops Vaka before it opens anything.
    let out = migrate_with("1s");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("VAKA_SLOW_STATEMENT_MS") && stderr(&out).contains("\"1s\""),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn help_lists_the_contract_commands() {
    let out = ok(&vaka(&["--help"], None));
    for cmd in [
        "serve", "migrate", "demo", "user", "token", "audit", "alerts",
    ] {
        assert!(out.contains(cmd), "{cmd}");
    }
}

#[test]
fn analyze_survival_prints_the_table_median_and_log_rank_and_names_bad_cells() {
    let dir = std::env::temp_dir().join(format!("vaka-analyze-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("remission.csv");
    // Freireich et al. (1963): 6-MP against placebo; the log-rank statistic is 16.79 (R survdiff).
    let mut csv = String::from("weeks;relapse;arm\n");
    for (t, e) in [
        (6, 1),
        (6, 1),
        (6, 1),
        (6, 0),
        (7, 1),
        (9, 0),
        (10, 1),
        (10, 0),
        (11, 0),
        (13, 1),
        (16, 1),
        (17, 0),
        (19, 0),
        (20, 0),
        (22, 1),
        (23, 1),
        (25, 0),
        (32, 0),
        (32, 0),
        (34, 0),
        (35, 0),
    ] {
        csv.push_str(&format!("{t};{e};6-MP\n"));
    }
    for t in [
        1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23,
    ] {
        csv.push_str(&format!("{t};1;placebo\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let path = file.to_str().unwrap();
    let out = ok(&vaka(
        &[
            "analyze", "survival", "--csv", path, "--time", "weeks", "--event", "relapse",
            "--group", "arm",
        ],
        None,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["groups"][0]["group"], "6-MP");
    assert_eq!(v["groups"][0]["median"], 23.0);
    assert_eq!(v["groups"][1]["median"], 8.0);
    let first = &v["groups"][0]["table"][0];
    assert_eq!(
        (
            first["time"].as_f64(),
            first["at_risk"].as_u64(),
            first["events"].as_u64()
        ),
        (Some(6.0), Some(21), Some(3))
    );
    for key in ["survival", "lower", "upper"] {
        assert!(first[key].is_f64(), "{key}");
    }
    assert!((v["logrank"]["statistic"].as_f64().unwrap() - 16.7929).abs() < 1e-3);
    assert_eq!(v["logrank"]["df"], 1);
    // Ungrouped: no test; CSV output.
    let out = ok(&vaka(
        &[
            "analyze", "survival", "--csv", path, "--time", "weeks", "--event", "relapse",
        ],
        None,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["logrank"], serde_json::Value::Null);
    let out = ok(&vaka(
        &[
            "analyze", "survival", "--csv", path, "--time", "weeks", "--event", "relapse",
            "--format", "csv", "--ci", "plain",
        ],
        None,
    ));
    assert!(out.starts_with("group,time,at_risk,events,censored,survival,std_err,lower,upper\n"));
    // A bad cell: non-zero exit, the line and the column named.
    std::fs::write(&file, "weeks;relapse\n3;1\nsoon;0\n").unwrap();
    let out = vaka(
        &[
            "analyze", "survival", "--csv", path, "--time", "weeks", "--event", "relapse",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("line 3: column `weeks`"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_committee_report_is_written_as_html_and_csv_without_personal_data() {
    let dir = std::env::temp_dir().join(format!("vaka-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    ok(&vaka(
        &[
            "demo",
            "--database-url",
            &url,
            "--clients",
            "150",
            "--seed",
            "2",
        ],
        None,
    ));
    let html = dir.join("committee.html");
    let out = ok(&vaka(
        &[
            "report",
            "committee",
            "--database-url",
            &url,
            "--from",
            "2024-01-01",
            "--to",
            "2025-12-31",
            "--out",
            html.to_str().unwrap(),
        ],
        None,
    ));
    assert!(out.contains("committee.html"));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("underlag till socialnämnden") && text.contains("<svg"));
    assert!(
        text.contains("<style>"),
        "a file to send on carries its own style sheet"
    );
    // Not one personal number (the demo's reservnummer contain an R) or name of a client.
    assert!(!text.contains("-R"), "no reservnummer");
    assert!(text.contains("Avslutade ärenden"));
    assert!(text.contains("Målen i genomförandeplanerna"));
    let csv = dir.join("committee.csv");
    ok(&vaka(
        &[
            "report",
            "committee",
            "--database-url",
            &url,
            "--from",
            "2024-01-01",
            "--to",
            "2025-12-31",
            "--out",
            csv.to_str().unwrap(),
            "--format",
            "csv",
        ],
        None,
    ));
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert!(csv_text.starts_with("section,group,measure,value,lower,upper\n"));
    assert!(csv_text.contains(",people,"));
    // The cases closed in the period, by reason, with the total shown.
    let closed: Vec<&str> = csv_text
        .lines()
        .filter(|l| l.starts_with("closures,"))
        .collect();
    assert!(
        closed
            .iter()
            .any(|l| l.starts_with("closures,all,cases,") && l.as_bytes()[19].is_ascii_digit()),
        "{closed:?}"
    );
    assert!(
        closed.iter().any(|l| l.starts_with("closures,goals_met,")),
        "{closed:?}"
    );
    // The plans' goals finished in the period: enough of the demo's people to be shown.
    let goals: Vec<&str> = csv_text
        .lines()
        .filter(|l| l.starts_with("plan_goals,"))
        .collect();
    assert!(
        goals.iter().any(|l| l.starts_with("plan_goals,all,finished,")
            && l.as_bytes()[24].is_ascii_digit()),
        "{goals:?}"
    );
    assert!(
        goals
            .iter()
            .any(|l| l.starts_with("plan_goals,all,reached_share,0.")),
        "{goals:?}"
    );
    let pdf = dir.join("committee.pdf");
    ok(&vaka(
        &[
            "report",
            "committee",
            "--database-url",
            &url,
            "--from",
            "2024-01-01",
            "--to",
            "2025-12-31",
            "--out",
            pdf.to_str().unwrap(),
            "--format",
            "pdf",
        ],
        None,
    ));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let bad = vaka(
        &[
            "report",
            "committee",
            "--database-url",
            &url,
            "--from",
            "2025-01-01",
            "--to",
            "2024-01-01",
            "--out",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert!(!bad.status.success() && stderr(&bad).contains("before --from"));
    // With a scenario at the end: ten places in bought supported housing.
    let with = dir.join("with-scenario.html");
    let report = |scenario: &str, out: &std::path::Path| {
        vaka(
            &[
                "report",
                "committee",
                "--database-url",
                &url,
                "--from",
                "2024-01-01",
                "--to",
                "2025-12-31",
                "--out",
                out.to_str().unwrap(),
                "--scenario",
                scenario,
            ],
            None,
        )
    };
    ok(&report(
        "lever=capacity&situation=supported_housing&places=10&years=3&draws=200",
        &with,
    ));
    let text = std::fs::read_to_string(&with).unwrap();
    assert!(
        text.contains("Scenario: Resultat över 3 år")
            && text.contains("högst 10 platser")
            && text.contains("Insatserna i korthet"),
        "{text}"
    );
    let wrong = report("lever=capacity&situation=supported_housing", &with);
    assert!(!wrong.status.success() && stderr(&wrong).contains("`places`"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn simulate_compares_strategies_runs_the_psa_and_draws_its_charts() {
    let dir = std::env::temp_dir().join(format!("vaka-simulate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/models/hiv-briggs-2006.json"
    );
    // The published model (Briggs et al. 2006, ex. 2.5): the contract's fields.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&vaka(&["simulate", "--model", model], None))).unwrap();
    assert_eq!(v["strategies"][0]["name"], "Monotherapy");
    assert!((v["strategies"][0]["cost"].as_f64().unwrap() - 44_663.0).abs() < 1.0);
    assert!((v["strategies"][1]["outcome"].as_f64().unwrap() - 8.937).abs() < 1e-3);
    let inc = &v["incremental"][1];
    assert_eq!(
        (inc["name"].as_str(), inc["vs"].as_str()),
        (Some("Combination"), Some("Monotherapy"))
    );
    assert_eq!(inc["dominance"], "none");
    assert!((inc["icer"].as_f64().unwrap() - 6_276.0).abs() < 1.0);
    for key in ["delta_cost", "delta_outcome"] {
        assert!(inc[key].is_f64(), "{key}");
    }
    // With draws: the same seed gives the same figures; the charts are written.
    let plots = dir.join("plots");
    let args = |seed: &str| -> Vec<String> {
        [
            "simulate", "--model", model, "--psa", "300", "--seed", seed, "--plots",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .chain([plots.display().to_string()])
        .collect()
    };
    let run = |seed: &str| {
        let a = args(seed);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        serde_json::from_str::<serde_json::Value>(&ok(&vaka(&refs, None))).unwrap()
    };
    let (a, b, c) = (run("5"), run("5"), run("6"));
    assert_eq!(a["psa"], b["psa"]);
    assert_ne!(a["psa"]["strategies"], c["psa"]["strategies"]);
    assert_eq!(a["psa"]["draws"], 300);
    let mono = &a["psa"]["strategies"][0]["outcome"];
    assert!(
        mono["lower"].as_f64() < mono["mean"].as_f64()
            && mono["mean"].as_f64() < mono["upper"].as_f64()
    );
    for file in ["ce-plane.svg", "ceac.svg"] {
        let svg = std::fs::read_to_string(plots.join(file)).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{file}");
    }
    let csv = ok(&vaka(
        &["simulate", "--model", model, "--format", "csv"],
        None,
    ));
    assert!(csv.starts_with("section,name,vs,measure,value,lower,upper\n"));
    // A broken model: non-zero exit, the place named.
    let bad = dir.join("bad.json");
    let text = std::fs::read_to_string(model)
        .unwrap()
        .replace("[0, 0, 0, 1]]", "[0, 0, 0.5, 1]]");
    std::fs::write(&bad, text).unwrap();
    let out = vaka(&["simulate", "--model", bad.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("strategies[0].phases[0].transitions[3]: the row sums to 1.5, not 1"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A demo database with a token for the case manager anna.berg and the ids of her clients.
fn demo_with_token(url: &str) -> String {
    ok(&vaka(
        &["demo", "--database-url", url, "--clients", "30"],
        None,
    ));
    let out = ok(&vaka(
        &[
            "token",
            "create",
            "--database-url",
            url,
            "--username",
            "anna.berg",
        ],
        None,
    ));
    out.lines().last().unwrap().trim().to_owned()
}

fn client_ids(port: u16, token: &str) -> Vec<i64> {
    let (status, body) = http(port, "GET", "/api/v1/clients", Some(token), None).unwrap();
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(!ids.is_empty());
    ids
}

/// Threads posting signed journal entries until `stop`; each gives back the (contact id, note) of
/// every write answered 201.
fn write_load(
    port: u16,
    token: &str,
    clients: &[i64],
    threads: usize,
    stop: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<std::thread::JoinHandle<Vec<(i64, String)>>> {
    (0..threads)
        .map(|t| {
            let (token, clients, stop) = (token.to_owned(), clients.to_vec(), stop.clone());
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut i = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let client = clients[(t + i) % clients.len()];
                    let note = format!("load-{t}-{i}");
                    let body = serde_json::json!({
                        "occurred_at": chrono::Utc::now().to_rfc3339(),
                        "kind": "phone", "substance_use": "none", "well_being": 6,
                        "housing": "own", "note": note, "signed": true,
                    })
                    .to_string();
                    let path = format!("/api/v1/clients/{client}/contacts");
                    if let Some((201, answer)) =
                        http(port, "POST", &path, Some(&token), Some(&body))
                    {
                        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
                        acked.push((v["id"].as_i64().unwrap(), note));
                    }
                    i += 1;
                }
                acked
            })
        })
        .collect()
}

fn gunzip_payload(file: &std::path::Path) -> String {
    let bytes = std::fs::read(file).unwrap();
    // Past the two header lines.
    let mut newlines = 0;
    let start = bytes
        .iter()
        .position(|&b| {
            newlines += usize::from(b == b'\n');
            newlines == 2
        })
        .unwrap()
        + 1;
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&bytes[start..]),
        &mut text,
    )
    .unwrap();
    text
}

both!(
    a_backup_taken_while_the_server_writes_restores_whole_and_verifies,
    |db| async move {
        let url = db.url().to_owned();
        let kind = vaka_store::BackendKind::of_url(&url).unwrap();
        let token = demo_with_token(&url);
        let dir = std::env::temp_dir().join(format!("vaka-backup-{}-{kind:?}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
        let server = serve(&url, &[]);
        let clients = client_ids(server.1, &token);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writers = write_load(server.1, &token, &clients, 3, &stop);
        std::thread::sleep(Duration::from_millis(300));
        // Taken while three writers go on: each snapshot is one point in time, so its access log
        // verifies when restored (the restore checks the chain and its head before committing).
        let out = ok(&vaka(
            &["backup", "--database-url", &url, "--out", &path("live.bak")],
            None,
        ));
        assert!(out.contains("Backed up"), "{out}");
        std::fs::write(dir.join("pass"), "en lång lösenfras för backup\n").unwrap();
        ok(&vaka(
            &[
                "backup",
                "--database-url",
                &url,
                "--out",
                &path("live-enc.bak"),
                "--encrypt",
                "--passphrase-file",
                &path("pass"),
            ],
            None,
        ));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let acked: usize = writers.into_iter().map(|w| w.join().unwrap().len()).sum();
        assert!(acked > 0, "the writers wrote nothing");
        drop(server);

        let live = vaka_store::testing::TestDb::new(kind).await;
        let out = ok(&vaka(
            &[
                "restore",
                "--database-url",
                live.url(),
                "--from",
                &path("live.bak"),
            ],
            None,
        ));
        assert!(out.contains("the access log verifies"), "{out}");
        assert!(
            ok(&vaka(
                &["audit", "verify", "--database-url", live.url()],
                None
            ))
            .contains("intact")
        );

        // Encrypted: no passphrase, a wrong one, and a changed byte are refused, and the target
        // stays empty; the right one restores.
        let enc = vaka_store::testing::TestDb::new(kind).await;
        let no_pass = vaka(
            &[
                "restore",
                "--database-url",
                enc.url(),
                "--from",
                &path("live-enc.bak"),
            ],
            None,
        );
        assert!(!no_pass.status.success() && stderr(&no_pass).contains("passphrase"));
        std::fs::write(dir.join("wrong"), "fel lösenfras men lång nog\n").unwrap();
        let wrong = vaka(
            &[
                "restore",
                "--database-url",
                enc.url(),
                "--from",
                &path("live-enc.bak"),
                "--passphrase-file",
                &path("wrong"),
            ],
            None,
        );
        assert!(
            !wrong.status.success() && stderr(&wrong).contains("wrong passphrase"),
            "{}",
            stderr(&wrong)
        );
        let mut bytes = std::fs::read(dir.join("live-enc.bak")).unwrap();
        let at = bytes.len() - 40;
        bytes[at] ^= 1;
        std::fs::write(dir.join("changed.bak"), &bytes).unwrap();
        let changed = vaka(
            &[
                "restore",
                "--database-url",
                enc.url(),
                "--from",
                &path("changed.bak"),
                "--passphrase-file",
                &path("pass"),
            ],
            None,
        );
        assert!(!changed.status.success() && stderr(&changed).contains("nothing was restored"));
        ok(&vaka(
            &[
                "restore",
                "--database-url",
                enc.url(),
                "--from",
                &path("live-enc.bak"),
                "--passphrase-file",
                &path("pass"),
            ],
            None,
        ));
        assert!(
            ok(&vaka(
                &["audit", "verify", "--database-url", enc.url()],
                None
            ))
            .contains("intact")
        );

        // At rest: a backup of the restored database holds exactly the same rows.
        let first = vaka_store::testing::TestDb::new(kind).await;
        ok(&vaka(
            &[
                "backup",
                "--database-url",
                &url,
                "--out",
                &path("still.bak"),
            ],
            None,
        ));
        ok(&vaka(
            &[
                "restore",
                "--database-url",
                first.url(),
                "--from",
                &path("still.bak"),
            ],
            None,
        ));
        ok(&vaka(
            &[
                "backup",
                "--database-url",
                first.url(),
                "--out",
                &path("again.bak"),
            ],
            None,
        ));
        let (a, b) = (
            gunzip_payload(&dir.join("still.bak")),
            gunzip_payload(&dir.join("again.bak")),
        );
        assert_eq!(a, b);
        assert!(a.lines().filter(|l| l.starts_with("[\"contacts\"")).count() >= acked);
        assert!(a.lines().last().unwrap().starts_with("[\"end\""));

        // Cut off: refused, nothing restored; a non-empty target: refused.
        let whole = std::fs::read(dir.join("still.bak")).unwrap();
        std::fs::write(dir.join("cut.bak"), &whole[..whole.len() / 2]).unwrap();
        let cut_db = vaka_store::testing::TestDb::new(kind).await;
        let cut = vaka(
            &[
                "restore",
                "--database-url",
                cut_db.url(),
                "--from",
                &path("cut.bak"),
            ],
            None,
        );
        assert!(!cut.status.success() && stderr(&cut).contains("nothing was restored"));
        let busy = vaka(
            &[
                "restore",
                "--database-url",
                &url,
                "--from",
                &path("still.bak"),
            ],
            None,
        );
        assert!(!busy.status.success() && stderr(&busy).contains("not empty"));
        std::fs::remove_dir_all(&dir).ok();
    }
);

both!(
    every_write_answered_before_a_sigkill_is_there_after_the_restart,
    |db| async move {
        let url = db.url().to_owned();
        let token = demo_with_token(&url);
        let mut server = serve(&url, &[]);
        let clients = client_ids(server.1, &token);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writers = write_load(server.1, &token, &clients, 4, &stop);
        std::thread::sleep(Duration::from_millis(1500));
        // SIGKILL: no shutdown, no flush; writes are in flight.
        server.0.kill().unwrap();
        server.0.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let acked: Vec<(i64, String)> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        assert!(
            acked.len() >= 10,
            "only {} writes before the kill",
            acked.len()
        );

        let restarted = serve(&url, &[]);
        let store = vaka_store::Store::connect(&url, vaka_store::ConnectOptions::default())
            .await
            .unwrap();
        let mut tx = store.begin_read().await.unwrap();
        for (id, note) in &acked {
            let n = vaka_store::testing::count(
                &mut tx,
                &format!("SELECT COUNT(*) FROM contacts WHERE id = {id} AND note = '{note}' AND status = 'signed'"),
            )
            .await
            .unwrap();
            assert_eq!(
                n, 1,
                "contact {id} ({note}) was answered 201 but is not there"
            );
        }
        // Nothing half-written: every stored entry has its access-log entry and no log entry lacks
        // its contact (a write and its log entry are one transaction).
        let stored = vaka_store::testing::count(
            &mut tx,
            "SELECT COUNT(*) FROM contacts WHERE note LIKE 'load-%'",
        )
        .await
        .unwrap();
        let logged = vaka_store::testing::count(
            &mut tx,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'contact_create' AND username = 'anna.berg'",
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert!(stored >= acked.len() as i64);
        assert_eq!(stored, logged);
        assert!(ok(&vaka(&["audit", "verify", "--database-url", &url], None)).contains("intact"));
        // And the restarted server goes on taking writes.
        let (status, body) = http(
            restarted.1,
            "POST",
            &format!("/api/v1/clients/{}/contacts", clients[0]),
            Some(&token),
            Some(
                &serde_json::json!({"occurred_at": chrono::Utc::now().to_rfc3339(), "kind": "meeting",
                    "substance_use": "none", "housing": "own", "note": "efter omstart", "signed": true})
                .to_string(),
            ),
        )
        .unwrap();
        assert_eq!(status, 201, "{body}");
    }
);

both!(
    purge_lists_then_purges_and_archives_one_transaction_per_person_logged,
    |db| async move {
        let url = db.url().to_owned();
        ok(&vaka(
            &["demo", "--database-url", &url, "--clients", "40"],
            None,
        ));
        let dry = |extra: &[&str]| {
            let mut args = vec![
                "purge",
                "--database-url",
                &url,
                "--dry-run",
                "--today",
                "2036-01-01",
                "--format",
                "json",
            ];
            args.extend_from_slice(extra);
            serde_json::from_str::<serde_json::Value>(&ok(&vaka(&args, None))).unwrap()
        };
        let plan = dry(&[]);
        let files = plan["files"].as_array().unwrap().clone();
        let with = |verdict: &str| -> Vec<i64> {
            files
                .iter()
                .filter(|f| f["verdict"] == verdict)
                .map(|f| f["client_id"].as_i64().unwrap())
                .collect()
        };
        let (purge, archive) = (with("purge"), with("archive"));
        assert!(purge.len() >= 2 && !archive.is_empty(), "{plan}");
        // Today nothing of the demo is five years old.
        assert_eq!(
            ok(&vaka(
                &[
                    "purge",
                    "--database-url",
                    &url,
                    "--dry-run",
                    "--format",
                    "json"
                ],
                None
            ))
            .matches("\"verdict\"")
            .count(),
            0
        );

        // A hold on one file (a complaint), set as the settings API does.
        let store = vaka_store::Store::connect(&url, vaka_store::ConnectOptions::default())
            .await
            .unwrap();
        let held = purge[0];
        let mut tx = store.begin().await.unwrap();
        let muni = vaka_store::municipalities::first(&mut tx)
            .await
            .unwrap()
            .unwrap()
            .id;
        vaka_store::settings::put(
            &mut tx,
            muni,
            &format!("retention.hold_client.{held}"),
            "JO-anmälan",
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let plan = dry(&[]);
        let entry = plan["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["client_id"] == held)
            .unwrap()
            .clone();
        assert_eq!(entry["verdict"], "held");
        assert!(entry["reason"].as_str().unwrap().contains("JO-anmälan"));

        let count = |sql: &'static str| {
            let store = store.clone();
            async move {
                let mut tx = store.begin_read().await.unwrap();
                let n = vaka_store::testing::count(&mut tx, sql).await.unwrap();
                tx.rollback().await.unwrap();
                n
            }
        };
        let clients_before = count("SELECT COUNT(*) FROM clients").await;
        let log_before = count("SELECT COUNT(*) FROM audit_log").await;
        // Research files due and no archive named: refused, nothing done.
        let refused = vaka(
            &[
                "purge",
                "--database-url",
                &url,
                "--execute",
                "--today",
                "2036-01-01",
            ],
            None,
        );
        assert!(!refused.status.success() && stderr(&refused).contains("--archive"));
        assert_eq!(count("SELECT COUNT(*) FROM clients").await, clients_before);

        let dir = std::env::temp_dir().join(format!(
            "vaka-purge-{}-{:?}",
            std::process::id(),
            vaka_store::BackendKind::of_url(&url).unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let archive_path = dir.join("archive.jsonl");
        let out = ok(&vaka(
            &[
                "purge",
                "--database-url",
                &url,
                "--execute",
                "--today",
                "2036-01-01",
                "--archive",
                archive_path.to_str().unwrap(),
            ],
            None,
        ));
        let gone = purge.len() - 1 + archive.len();
        assert!(
            out.contains(&format!(
                "Purged {} files, moved {} to the research archive",
                purge.len() - 1,
                archive.len()
            )),
            "{out}"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM clients").await,
            clients_before - gone as i64
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM audit_log").await,
            log_before + gone as i64,
            "one access-log entry per person"
        );
        // The held file is there; nothing points at a removed row.
        let mut tx = store.begin_read().await.unwrap();
        assert!(
            vaka_store::clients::get(&mut tx, vaka_domain::ids::ClientId(held))
                .await
                .unwrap()
                .is_some()
        );
        for (table, col, parent) in [
            ("contacts", "client_id", "clients"),
            ("placements", "client_id", "clients"),
            ("decisions", "client_id", "clients"),
            ("follow_ups", "client_id", "clients"),
            ("invoice_rows", "placement_id", "placements"),
        ] {
            let dangling = vaka_store::testing::count(
                &mut tx,
                &format!("SELECT COUNT(*) FROM {table} WHERE {col} IS NOT NULL AND {col} NOT IN (SELECT id FROM {parent})"),
            )
            .await
            .unwrap();
            assert_eq!(dangling, 0, "{table}");
        }
        // The archive holds each research file whole, with the digest the access log recorded.
        let log = vaka_store::audit::list_after(&mut tx, 0, 100_000)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let text = std::fs::read_to_string(&archive_path).unwrap();
        let records: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), archive.len());
        for r in &records {
            let id = r["client_id"].as_i64().unwrap();
            assert!(archive.contains(&id));
            assert_eq!(r["rows"]["clients"][0]["id"], id);
            let entry = log
                .iter()
                .find(|e| e.entry.client_id.map(|c| c.0) == Some(id))
                .unwrap();
            assert_eq!(entry.action_name, "client_archive");
            assert!(
                entry
                    .entry
                    .detail
                    .contains(&format!("sha256={}", r["sha256"].as_str().unwrap()))
            );
        }
        assert!(
            log.iter()
                .any(|e| e.action_name == "client_purge"
                    && e.entry.detail.contains("SoL 12 kap. 1 §"))
        );
        assert!(ok(&vaka(&["audit", "verify", "--database-url", &url], None)).contains("intact"));
        // Run again: nothing more is due.
        let again = ok(&vaka(
            &[
                "purge",
                "--database-url",
                &url,
                "--execute",
                "--today",
                "2036-01-01",
                "--archive",
                archive_path.to_str().unwrap(),
            ],
            None,
        ));
        assert!(again.contains("Purged 0 files, moved 0"), "{again}");
        std::fs::remove_dir_all(&dir).ok();
    }
);

both!(
    logs_carry_no_personal_data_and_metrics_name_routes_not_paths,
    |db| async move {
        let url = db.url().to_owned();
        let token = demo_with_token(&url);
        let log_path = std::env::temp_dir().join(format!(
            "vaka-log-{}-{:?}.txt",
            std::process::id(),
            vaka_store::BackendKind::of_url(&url).unwrap()
        ));
        let log = std::fs::File::create(&log_path).unwrap();
        // The most talkative level an operator might turn on, as a log collector would read it.
        let server = serve_with_env(
            &url,
            &[],
            &[("VAKA_LOG", "debug"), ("VAKA_LOG_FORMAT", "json")],
            Stdio::from(log),
        );
        let port = server.1;
        let id = client_ids(port, &token)[0];
        let (status, body) = http(
            port,
            "GET",
            &format!("/api/v1/clients/{id}"),
            Some(&token),
            None,
        )
        .unwrap();
        assert_eq!(status, 200);
        let client: serde_json::Value = serde_json::from_str(&body).unwrap();
        let note = "Hemlig anteckning om Zebulon";
        let entry = serde_json::json!({"occurred_at": chrono::Utc::now().to_rfc3339(), "kind": "meeting",
            "substance_use": "relapse", "substances": ["alcohol"], "well_being": 2, "housing": "homeless",
            "note": note, "signed": true})
        .to_string();
        let (status, _) = http(
            port,
            "POST",
            &format!("/api/v1/clients/{id}/contacts"),
            Some(&token),
            Some(&entry),
        )
        .unwrap();
        assert_eq!(status, 201);
        let family = client["family_name"].as_str().unwrap();
        http(
            port,
            "GET",
            &format!("/api/v1/clients?q={family}"),
            Some(&token),
            None,
        )
        .unwrap();
        // Bad input echoing personal data back must not reach the log either.
        let bad = r#"{"personal_number": "19121212-1213", "given_name": "Tolvan", "family_name": "Felnummer"}"#;
        assert_eq!(
            http(port, "POST", "/api/v1/clients", Some(&token), Some(bad))
                .unwrap()
                .0,
            422
        );
        assert_eq!(http(port, "GET", "/readyz", None, None).unwrap().0, 200);
        let (status, metrics) = http(port, "GET", "/metrics", None, None).unwrap();
        assert_eq!(status, 200);
        assert!(metrics.contains(r#"vaka_http_requests_total{method="GET",route="/api/v1/clients/{id}",status="200"} 1"#), "{metrics}");
        assert!(
            metrics.contains(
                r#"vaka_http_requests_total{method="POST",route="/api/v1/clients",status="422"} 1"#
            ),
            "{metrics}"
        );
        assert!(metrics.contains("vaka_database_up 1"));
        assert!(metrics.contains(r#"vaka_http_request_duration_seconds_bucket{method="POST",route="/api/v1/clients/{id}/contacts",le="+Inf"} 1"#), "{metrics}");
        assert!(!metrics.contains(&format!("/api/v1/clients/{id}")) && !metrics.contains(family));
        drop(server);
        let text = std::fs::read_to_string(&log_path).unwrap();
        // Structured: every line one JSON object with its level and target; a request line names
        // the route template and the status, not the path with the client's id.
        let lines: Vec<serde_json::Value> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        assert!(
            lines
                .iter()
                .all(|l| l["level"].is_string() && l["target"].is_string())
        );
        let request = lines
            .iter()
            .find(|l| l["message"] == "request" && l["route"] == "/api/v1/clients/{id}")
            .unwrap_or_else(|| panic!("the debug log has request lines: {text}"));
        assert_eq!(request["method"], "GET");
        assert_eq!(request["status"], 200);
        for secret in [
            client["personal_number"].as_str().unwrap(),
            client["given_name"].as_str().unwrap(),
            family,
            note,
            "Zebulon",
            "19121212-1213",
            "191212121213",
            "Felnummer",
            token.as_str(),
            "homeless",
            "relapse",
        ] {
            assert!(!text.contains(secret), "the log holds {secret:?}");
        }
        std::fs::remove_file(&log_path).ok();
    }
);

both!(
    a_data_request_extract_holds_the_whole_file_and_withholds_what_was_marked,
    |db| async move {
        let url = db.url().to_owned();
        ok(&vaka(
            &["demo", "--database-url", &url, "--clients", "20"],
            None,
        ));
        let dir = std::env::temp_dir().join(format!(
            "vaka-extract-{}-{:?}",
            std::process::id(),
            vaka_store::BackendKind::of_url(&url).unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |n: &str| dir.join(n).to_str().unwrap().to_owned();
        let extract = |out: &str, extra: &[&str]| {
            let mut args = vec![
                "extract",
                "--database-url",
                &url,
                "--client",
                "1",
                "--out",
                out,
            ];
            args.extend_from_slice(extra);
            vaka(&args, None)
        };
        ok(&extract(&file("a.json"), &[]));
        let a: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file("a.json")).unwrap()).unwrap();
        assert_eq!(a["records"]["clients"][0]["id"], 1);
        let store = vaka_store::Store::connect(&url, vaka_store::ConnectOptions::default())
            .await
            .unwrap();
        let mut tx = store.begin_read().await.unwrap();
        for table in [
            "contacts",
            "decisions",
            "placements",
            "assessments",
            "follow_ups",
        ] {
            let n = vaka_store::testing::count(
                &mut tx,
                &format!("SELECT COUNT(*) FROM {table} WHERE client_id = 1"),
            )
            .await
            .unwrap();
            assert_eq!(
                a["records"][table].as_array().unwrap().len() as i64,
                n,
                "{table}"
            );
        }
        tx.rollback().await.unwrap();
        let contact = a["records"]["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["note"].is_string())
            .unwrap();
        let (cid, note) = (
            contact["id"].as_i64().unwrap(),
            contact["note"].as_str().unwrap().to_owned(),
        );
        // A note naming someone else, withheld after review; the first extract is in the access log.
        let w = format!("contacts.{cid}.note");
        ok(&extract(&file("b.json"), &["--withhold", &w]));
        let b = std::fs::read_to_string(file("b.json")).unwrap();
        assert!(!b.contains(&note) && b.contains("OSL 26 kap. 1 §"));
        let b: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert_eq!(b["withheld"], 1);
        assert!(
            b["access_log"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "data_request")
        );
        // A withhold that names nothing: refused, nothing written.
        let bad = extract(&file("c.json"), &["--withhold", "contacts.99999999"]);
        assert!(!bad.status.success() && stderr(&bad).contains("no such row"));
        assert!(!dir.join("c.json").exists());
        let missing = vaka(
            &[
                "extract",
                "--database-url",
                &url,
                "--client",
                "99999",
                "--out",
                &file("d.json"),
            ],
            None,
        );
        assert!(!missing.status.success() && stderr(&missing).contains("no client"));
        ok(&extract(
            &file("a.pdf"),
            &["--format", "pdf", "--withhold", &w],
        ));
        assert!(std::fs::read(file("a.pdf")).unwrap().starts_with(b"%PDF"));
        assert!(ok(&vaka(&["audit", "verify", "--database-url", &url], None)).contains("intact"));
        std::fs::remove_dir_all(&dir).ok();
    }
);

both!(
    a_client_that_never_finishes_its_headers_is_cut_off_and_sigterm_stops_cleanly,
    |db| async move {
        let url = db.url().to_owned();
        let server = serve(&url, &["--header-timeout-seconds", "1"]);
        let mut slow = TcpStream::connect(("127.0.0.1", server.1)).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            .unwrap();
        // The server closes the connection itself; a read that times out means it did not.
        slow.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut answer = Vec::new();
        match slow.read_to_end(&mut answer) {
            Ok(_) => {}
            Err(e) => assert!(
                !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "the slow client was not cut off: {e}"
            ),
        }
        let text = String::from_utf8_lossy(&answer);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{text}"
        );
        drop(server);
        // A client whose headers arrive but whose body trickles in is answered 408 when the request
        // timeout runs out, and nothing of it is saved.
        let token = demo_with_token(&url);
        let mut server = serve(
            &url,
            &[
                "--header-timeout-seconds",
                "1",
                "--request-timeout-seconds",
                "2",
            ],
        );
        let id = client_ids(server.1, &token)[0];
        let before = contact_count(&url).await;
        let mut slow = TcpStream::connect(("127.0.0.1", server.1)).unwrap();
        let body = format!(
            r#"{{"occurred_at":"{}","kind":"phone","substance_use":"none","well_being":5,"housing":"own","note":"x","signed":true}}"#,
            chrono::Utc::now().to_rfc3339()
        );
        slow.write_all(
            format!(
                "POST /api/v1/clients/{id}/contacts HTTP/1.1\r\nHost: localhost\r\n\
                 Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n{}",
                body.len(),
                &body[..10]
            )
            .as_bytes(),
        )
        .unwrap();
        slow.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut answer = [0u8; 64];
        let n = slow.read(&mut answer).unwrap();
        let text = String::from_utf8_lossy(&answer[..n]);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert_eq!(contact_count(&url).await, before);
        // Others are still served.
        assert_eq!(
            http(server.1, "GET", "/healthz", None, None).unwrap().0,
            200
        );
        // SIGTERM (systemd's stop): the server stops by itself, exit 0.
        let pid = server.0.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = server.0.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
);

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    // `vaka simulate … | head -1`: the pipe closes before the output is written.
    let model = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/models/hiv-briggs-2006.json"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_vaka"))
        .args(["simulate", "--model", model, "--format", "csv"])
        .env("VAKA_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

both!(
    a_user_who_leaves_is_stopped_at_once_and_their_open_cases_are_named,
    |db| async move {
        let url = db.url().to_owned();
        let token = demo_with_token(&url);
        let server = serve(&url, &[]);
        assert_eq!(
            http(server.1, "GET", "/api/v1/clients", Some(&token), None)
                .unwrap()
                .0,
            200
        );
        let list = ok(&vaka(&["user", "list", "--database-url", &url], None));
        let anna = list
            .lines()
            .find(|l| l.starts_with("anna.berg\t"))
            .unwrap_or_else(|| panic!("{list}"));
        let cols: Vec<&str> = anna.split('\t').collect();
        assert_eq!((cols[2], cols[4]), ("case_manager", "active"), "{anna}");
        let open: usize = cols[6].parse().unwrap();
        assert!(open > 0, "{anna}");
        // Deactivated: the running server refuses her token from the next request.
        let out = ok(&vaka(
            &[
                "user",
                "deactivate",
                "--database-url",
                &url,
                "--username",
                "anna.berg",
            ],
            None,
        ));
        assert!(out.contains("Deactivated anna.berg"), "{out}");
        assert!(out.contains("1 token(s) revoked"), "{out}");
        assert!(
            out.contains(&format!("still the case manager of {open} open case(s)")),
            "{out}"
        );
        assert_eq!(
            http(server.1, "GET", "/api/v1/clients", Some(&token), None)
                .unwrap()
                .0,
            401
        );
        let list = ok(&vaka(&["user", "list", "--database-url", &url], None));
        assert!(
            list.lines()
                .any(|l| l.starts_with("anna.berg\t") && l.contains("\tdeactivated\t")),
            "{list}"
        );
        // Back again, with a new password (a weak one is refused and changes nothing).
        ok(&vaka(
            &[
                "user",
                "activate",
                "--database-url",
                &url,
                "--username",
                "anna.berg",
            ],
            None,
        ));
        let weak = vaka(
            &[
                "user",
                "password",
                "--database-url",
                &url,
                "--username",
                "anna.berg",
                "--password-stdin",
            ],
            Some("kort\n"),
        );
        assert!(!weak.status.success() && stderr(&weak).contains("password:"));
        let out = ok(&vaka(
            &[
                "user",
                "password",
                "--database-url",
                &url,
                "--username",
                "anna.berg",
                "--password-stdin",
            ],
            Some("ett-nytt-och-langt-losenord\n"),
        ));
        assert!(out.contains("New password for anna.berg"), "{out}");
        ok(&vaka(
            &[
                "user",
                "add",
                "--database-url",
                &url,
                "--username",
                "sara.skydd",
                "--role",
                "case_manager",
                "--password-stdin",
                "--may-see-protected",
            ],
            Some("ett-tredje-langt-losenord\n"),
        ));
        let list = ok(&vaka(&["user", "list", "--database-url", &url], None));
        assert!(
            list.lines()
                .any(|l| l.starts_with("sara.skydd\t") && l.contains("\tprotected\t")),
            "{list}"
        );
        assert!(
            list.lines()
                .any(|l| l.starts_with("anna.berg\t") && l.contains("\tactive\t-\t")),
            "{list}"
        );
        let nobody = vaka(
            &[
                "user",
                "deactivate",
                "--database-url",
                &url,
                "--username",
                "nobody",
            ],
            None,
        );
        assert!(!nobody.status.success() && stderr(&nobody).contains("--username: no user nobody"));
        drop(server);
        let mut tx = db.store.begin().await.unwrap();
        let (user, hash) = vaka_store::users::by_username(&mut tx, "anna.berg")
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert!(user.active);
        assert!(vaka_web::auth::verify_password(
            hash.as_deref(),
            "ett-nytt-och-langt-losenord"
        ));
        assert!(ok(&vaka(&["audit", "verify", "--database-url", &url], None)).contains("intact"));
    }
);
