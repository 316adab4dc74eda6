//! The configuration file: `KEY=value` lines with the same names as the environment variables
//! (`VAKA_DATABASE_URL=…`), given with `--config FILE` or `VAKA_CONFIG`. The command line wins over
//! the environment, which wins over the file. A key that no command knows is an error (a typo must
//! not silently leave a default in force); a key another command uses is skipped.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::ArgAction;

/// One setting of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// Reads `KEY=value` lines; `#` starts a comment; a value may be in double or single quotes.
pub fn parse(text: &str) -> anyhow::Result<Vec<Setting>> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            bail!("line {}: expected KEY=value, got {line:?}", n + 1);
        };
        let key = key.trim();
        if !key.starts_with("VAKA_")
            || !key
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            bail!(
                "line {}: {key:?} is not a Vaka setting (they start with VAKA_)",
                n + 1
            );
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        out.push(Setting {
            key: key.to_owned(),
            value: value.to_owned(),
            line: n + 1,
        });
    }
    Ok(out)
}

fn env_names(cmd: &clap::Command, out: &mut BTreeSet<String>) {
    for a in cmd.get_arguments() {
        if let Some(e) = a.get_env() {
            out.insert(e.to_string_lossy().into_owned());
        }
    }
    for s in cmd.get_subcommands() {
        env_names(s, out);
    }
}

/// `args` with the file's settings added as flags of the command being run, where neither the
/// command line nor the environment gives them.
pub fn apply(
    root: &clap::Command,
    args: Vec<String>,
    settings: &[Setting],
    env_is_set: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<String>> {
    let mut known = BTreeSet::new();
    env_names(root, &mut known);
    known.insert("VAKA_CONFIG".to_owned());
    // Read at start-up, not by a command: see [`log_filter`] and [`connect_options`].
    known.insert("VAKA_LOG".to_owned());
    known.insert("VAKA_LOG_FORMAT".to_owned());
    known.insert("VAKA_SLOW_STATEMENT_MS".to_owned());
    known.insert("VAKA_DB_CONNECTIONS".to_owned());
    if let Some(s) = settings.iter().find(|s| !known.contains(&s.key)) {
        bail!("line {}: no command has the setting {}", s.line, s.key);
    }
    // The command being run: the longest chain of subcommand names after the program's name.
    let mut cmd = root;
    let mut at = 1;
    while let Some(next) = args.get(at).and_then(|a| cmd.find_subcommand(a)) {
        cmd = next;
        at += 1;
    }
    let mut added = Vec::new();
    for s in settings {
        let Some(arg) = cmd.get_arguments().find(|a| {
            a.get_env()
                .is_some_and(|e| e.to_string_lossy() == s.key.as_str())
        }) else {
            continue;
        };
        let Some(long) = arg.get_long() else { continue };
        let flag = format!("--{long}");
        let on_line = args[at..]
            .iter()
            .any(|a| a == &flag || a.starts_with(&format!("{flag}=")));
        if on_line || env_is_set(&s.key) {
            continue;
        }
        match arg.get_action() {
            ArgAction::SetTrue => {
                if matches!(
                    s.value.to_ascii_lowercase().as_str(),
                    "true" | "1" | "yes" | "on"
                ) {
                    added.push(flag);
                }
            }
            _ => added.push(format!("{flag}={}", s.value)),
        }
    }
    let mut out = args[..at].to_vec();
    out.extend(added);
    out.extend_from_slice(&args[at..]);
    Ok(out)
}

/// A setting no command takes as a flag: from the environment, else from the file.
fn env_or_file(settings: &[Setting], key: &str) -> Option<String> {
    std::env::var(key).ok().or_else(|| {
        settings
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.value.clone())
    })
}

/// The log filter: `VAKA_LOG` from the environment, else from the file, else `info`.
pub fn log_filter(settings: &[Setting]) -> String {
    env_or_file(settings, "VAKA_LOG").unwrap_or_else(|| "info".to_owned())
}

/// How every command connects to the database: the store's defaults, with
/// `VAKA_SLOW_STATEMENT_MS` (how long a statement may run before it is logged as slow) and
/// `VAKA_DB_CONNECTIONS` (the pool's size, 1 to 100) from the environment, else from the file.
/// A value out of range or not a whole number is refused, naming the key and the value.
pub fn connect_options(settings: &[Setting]) -> anyhow::Result<vaka_store::ConnectOptions> {
    let mut o = vaka_store::ConnectOptions::default();
    if let Some(value) = env_or_file(settings, "VAKA_SLOW_STATEMENT_MS") {
        match value.trim().parse::<u64>() {
            Ok(ms) => o.slow_statement = Duration::from_millis(ms),
            Err(_) => {
                bail!("VAKA_SLOW_STATEMENT_MS is a whole number of milliseconds, not {value:?}")
            }
        }
    }
    if let Some(value) = env_or_file(settings, "VAKA_DB_CONNECTIONS") {
        match value.trim().parse::<u32>() {
            Ok(n @ 1..=100) => o.max_connections = n,
            _ => bail!("VAKA_DB_CONNECTIONS is a whole number from 1 to 100, not {value:?}"),
        }
    }
    Ok(o)
}

/// The log format: `VAKA_LOG_FORMAT` (`text` or `json`) from the environment, else from the file,
/// else `text`. Anything else is refused, naming the value.
pub fn log_format(settings: &[Setting]) -> anyhow::Result<LogFormat> {
    let value = env_or_file(settings, "VAKA_LOG_FORMAT");
    match value.as_deref().map(str::trim) {
        None | Some("" | "text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => bail!("VAKA_LOG_FORMAT is text or json, not {other:?}"),
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line (`timestamp`, `level`, `target`, `fields`), for a log collector.
    Json,
}

/// The arguments to parse — the process's own, with `--config FILE` (anywhere before the command)
/// or `VAKA_CONFIG` applied and removed — and the file's settings.
pub fn arguments(root: &clap::Command) -> anyhow::Result<(Vec<String>, Vec<Setting>)> {
    let mut args: Vec<String> = std::env::args().collect();
    let mut file = std::env::var("VAKA_CONFIG").ok().filter(|f| !f.is_empty());
    if let Some(i) = args.iter().position(|a| a == "--config") {
        if i + 1 >= args.len() {
            bail!("--config needs a file");
        }
        file = Some(args.remove(i + 1));
        args.remove(i);
    } else if let Some(i) = args.iter().position(|a| a.starts_with("--config=")) {
        file = Some(args.remove(i)["--config=".len()..].to_owned());
    }
    let Some(file) = file else {
        return Ok((args, Vec::new()));
    };
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("could not read the configuration file {file}"))?;
    let settings = parse(&text).with_context(|| format!("the configuration file {file}"))?;
    let args = apply(root, args, &settings, |k| std::env::var_os(k).is_some())
        .with_context(|| format!("the configuration file {file}"))?;
    Ok((args, settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    const FILE: &str = "# Vaka\nVAKA_DATABASE_URL=\"postgres://vaka@/vaka\"\nVAKA_ADDR = 0.0.0.0:9000\n\
                        VAKA_SECURE_COOKIES=true\nVAKA_LOG=warn\n";

    #[test]
    fn the_file_fills_what_the_command_line_and_environment_leave_open() {
        let root = crate::Cli::command();
        let s = parse(FILE).unwrap();
        let out = apply(&root, args("vaka serve --addr 127.0.0.1:1"), &s, |_| false).unwrap();
        assert_eq!(
            out,
            args(
                "vaka serve --database-url=postgres://vaka@/vaka --secure-cookies --addr 127.0.0.1:1"
            )
        );
        // The environment wins over the file.
        let out = apply(&root, args("vaka serve"), &s, |k| k == "VAKA_DATABASE_URL").unwrap();
        assert!(!out.iter().any(|a| a.starts_with("--database-url")));
        // A nested command gets only its own settings.
        let out = apply(&root, args("vaka token create --username anna"), &s, |_| {
            false
        })
        .unwrap();
        assert_eq!(
            out,
            args("vaka token create --database-url=postgres://vaka@/vaka --username anna")
        );
    }

    #[test]
    fn the_log_format_is_text_or_json() {
        // The environment is not set in tests; the file decides.
        if std::env::var_os("VAKA_LOG_FORMAT").is_some() {
            return;
        }
        assert_eq!(log_format(&[]).unwrap(), LogFormat::Text);
        let json = parse("VAKA_LOG_FORMAT=json\n").unwrap();
        assert_eq!(log_format(&json).unwrap(), LogFormat::Json);
        let xml = parse("VAKA_LOG_FORMAT=xml\n").unwrap();
        let e = log_format(&xml).unwrap_err().to_string();
        assert!(e.contains("VAKA_LOG_FORMAT") && e.contains("xml"), "{e}");
        let root = crate::Cli::command();
        assert!(apply(&root, args("vaka serve"), &json, |_| false).is_ok());
    }

    #[test]
    fn the_connection_settings_come_from_the_file_as_whole_numbers() {
        // The environment is not set in tests; the file decides.
        if ["VAKA_SLOW_STATEMENT_MS", "VAKA_DB_CONNECTIONS"]
            .iter()
            .any(|k| std::env::var_os(k).is_some())
        {
            return;
        }
        let defaults = vaka_store::ConnectOptions::default();
        let none = connect_options(&[]).unwrap();
        assert_eq!(
            (none.slow_statement, none.max_connections),
            (defaults.slow_statement, defaults.max_connections)
        );
        let file = parse("VAKA_SLOW_STATEMENT_MS = 250\nVAKA_DB_CONNECTIONS=3\n").unwrap();
        let o = connect_options(&file).unwrap();
        assert_eq!(
            (o.slow_statement, o.max_connections),
            (Duration::from_millis(250), 3)
        );
        // Settings of the start-up, not of a command: accepted in the file, added to no command.
        let root = crate::Cli::command();
        assert_eq!(
            apply(&root, args("vaka serve"), &file, |_| false).unwrap(),
            args("vaka serve")
        );
        for (key, bad) in [
            ("VAKA_SLOW_STATEMENT_MS", "1.5"),
            ("VAKA_SLOW_STATEMENT_MS", "-3"),
            ("VAKA_SLOW_STATEMENT_MS", "soon"),
            ("VAKA_SLOW_STATEMENT_MS", ""),
            ("VAKA_DB_CONNECTIONS", "0"),
            ("VAKA_DB_CONNECTIONS", "101"),
            ("VAKA_DB_CONNECTIONS", "eight"),
        ] {
            let s = parse(&format!("{key}={bad}\n")).unwrap();
            let e = connect_options(&s).unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn typos_and_malformed_lines_are_errors_that_name_the_line() {
        let root = crate::Cli::command();
        let s = parse("VAKA_DATABASE_URL=x\nVAKA_ADRESS=1\n").unwrap();
        let e = apply(&root, args("vaka serve"), &s, |_| false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("VAKA_ADRESS"), "{e}");
        assert!(
            parse("just words")
                .unwrap_err()
                .to_string()
                .contains("line 1")
        );
        assert!(
            parse("DATABASE_URL=x")
                .unwrap_err()
                .to_string()
                .contains("VAKA_")
        );
    }
}
