//! The analyst's survival analysis of any CSV file: which columns hold the time, the event and
//! the group, the observations read from it (every bad cell named by its line), and the report
//! that `vaka analyze survival` prints.

use std::collections::BTreeMap;

use super::survival::{
    CiTransform, KaplanMeier, LogRank, Observation, Tally, kaplan_meier_tally, log_rank_tallies,
    tally,
};

/// Which columns to read.
#[derive(Debug, Clone)]
pub struct SurvivalSpec {
    pub time: String,
    pub event: String,
    pub group: Option<String>,
    pub ci: CiTransform,
    pub level: f64,
}

/// A survival table row as the report prints it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TableRow {
    pub time: f64,
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
    pub survival: f64,
    pub std_err: f64,
    pub lower: f64,
    pub upper: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupSurvival {
    /// The group's value; `null` when the analysis is not grouped.
    pub group: Option<String>,
    pub n: u64,
    pub events: u64,
    pub median: Option<f64>,
    pub median_lower: Option<f64>,
    pub median_upper: Option<f64>,
    pub table: Vec<TableRow>,
}

/// What `vaka analyze survival --format json` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SurvivalReport {
    pub ci: CiTransform,
    pub level: f64,
    pub groups: Vec<GroupSurvival>,
    pub logrank: Option<LogRankSummary>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LogRankSummary {
    pub statistic: f64,
    pub df: u32,
    pub p_value: f64,
}

fn group_of(group: Option<String>, km: KaplanMeier) -> GroupSurvival {
    GroupSurvival {
        group,
        n: km.n,
        events: km.events,
        median: km.median,
        median_lower: km.median_lower,
        median_upper: km.median_upper,
        table: km
            .table
            .into_iter()
            .map(|r| TableRow {
                time: r.time,
                at_risk: r.at_risk,
                events: r.events,
                censored: r.censored,
                survival: r.survival,
                std_err: r.std_err,
                lower: r.lower,
                upper: r.upper,
            })
            .collect(),
    }
}

/// Reads the file and analyses it: one Kaplan–Meier per group (groups in sorted order), and the
/// log-rank test when there are two groups or more. Errors name the line and the column.
pub fn analyze(bytes: &[u8], spec: &SurvivalSpec) -> Result<SurvivalReport, String> {
    let grouped = read(bytes, spec)?;
    let keys: Vec<Option<String>> = grouped.keys().cloned().collect();
    let tallies: Vec<Tally> = grouped.into_values().collect();
    let logrank = if spec.group.is_some() {
        log_rank_tallies(&tallies).map(
            |LogRank {
                 statistic,
                 df,
                 p_value,
                 ..
             }| LogRankSummary {
                statistic,
                df,
                p_value,
            },
        )
    } else {
        None
    };
    Ok(SurvivalReport {
        ci: spec.ci,
        level: spec.level,
        groups: keys
            .into_iter()
            .zip(&tallies)
            .map(|(g, t)| group_of(g, kaplan_meier_tally(t, spec.level, spec.ci)))
            .collect(),
        logrank,
    })
}

/// The observations of the file by group (`None` when not grouped), tallied.
pub fn read(bytes: &[u8], spec: &SurvivalSpec) -> Result<BTreeMap<Option<String>, Tally>, String> {
    let mut reader = crate::csv_input::reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: the header row cannot be read: {e}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "line 1: no column `{name}` (columns: {})",
                headers.join(", ")
            )
        })
    };
    let (time_col, event_col) = (col(&spec.time)?, col(&spec.event)?);
    let group_col = spec.group.as_deref().map(col).transpose()?;
    let cols = Cols {
        time: time_col,
        event: event_col,
        group: group_col,
    };
    // Without a quote anywhere a row is its line and a cell what lies between delimiters: read
    // by hand, in two halves on two threads, several times faster than the general reader.
    let body_bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !body_bytes.contains(&b'"')
        && let Some(nl) = body_bytes.iter().position(|b| *b == b'\n')
    {
        let delimiter = if body_bytes[..nl].contains(&b';') {
            b';'
        } else {
            b','
        };
        let body = &body_bytes[nl + 1..];
        let half = body.len() / 2;
        let cut = body[half..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(body.len(), |k| half + k + 1);
        let (a, b) = body.split_at(cut);
        let second_line = 2 + a.iter().filter(|x| **x == b'\n').count();
        let (ra, rb) = std::thread::scope(|scope| {
            let t = scope.spawn(|| read_plain(b, second_line, delimiter, &cols, spec));
            let ra = read_plain(a, 2, delimiter, &cols, spec);
            (
                ra,
                t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            )
        });
        let mut groups = ra?;
        for (key, acc) in rb? {
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, own)) => own.merge(acc),
                None => groups.push((key, acc)),
            }
        }
        return finish(groups);
    }
    // Few groups: looked up by their bytes, a string made only for a new one.
    let mut groups: Groups = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("line {line}: {e}")),
        }
        let (o, key) = row(|c| record.get(c), line, &cols, spec)?;
        add(&mut groups, key, o);
    }
    finish(groups)
}

type Groups = Vec<(Option<Vec<u8>>, Acc)>;

/// Times at or above this, or not whole, are kept as observations and sorted; below it they
/// are counted in place while the file is read.
const COUNTED_BELOW: f64 = (1u64 << 20) as f64;

/// A group's observations as they are read: whole-number times counted per time, others listed.
#[derive(Default)]
struct Acc {
    /// `(events, censored)` per whole time.
    counts: Vec<(u64, u64)>,
    other: Vec<Observation>,
}

impl Acc {
    fn push(&mut self, o: Observation) {
        if o.time < COUNTED_BELOW && o.time.fract() == 0.0 {
            let t = o.time as usize;
            if t >= self.counts.len() {
                self.counts.resize(t + 1, (0, 0));
            }
            let c = &mut self.counts[t];
            if o.event {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        } else {
            self.other.push(o);
        }
    }

    fn merge(&mut self, other: Acc) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), (0, 0));
        }
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        self.other.extend(other.other);
    }

    fn tally(self) -> Tally {
        let counted = self
            .counts
            .into_iter()
            .enumerate()
            .filter(|(_, (e, c))| e + c > 0)
            .map(|(t, (e, c))| (t as f64, e, c));
        let rest = tally(&self.other);
        // Both in time order; a time in both (never: the listed are not whole or are larger) would
        // simply be two rows, so they are merged by time.
        let mut rows: Vec<(f64, u64, u64)> = counted.chain(rest.rows).collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = rows.iter().map(|r| r.1 + r.2).sum();
        Tally { n, rows }
    }
}

/// Where the columns are.
struct Cols {
    time: usize,
    event: usize,
    group: Option<usize>,
}

/// One row's observation and group, every bad cell named by its line.
fn row<'a>(
    cell: impl Fn(usize) -> Option<&'a [u8]>,
    line: usize,
    cols: &Cols,
    spec: &SurvivalSpec,
) -> Result<(Observation, Option<&'a [u8]>), String> {
    let get = |c: usize, name: &str| {
        cell(c)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("line {line}: column `{name}` is empty"))
    };
    let raw = get(cols.time, &spec.time)?;
    let time = parse_time(raw).ok_or_else(|| {
        format!(
            "line {line}: column `{}`: `{}` is not a time (a number ≥ 0)",
            spec.time,
            String::from_utf8_lossy(raw)
        )
    })?;
    let raw = get(cols.event, &spec.event)?;
    let event = parse_event(raw).ok_or_else(|| {
        format!(
            "line {line}: column `{}`: `{}` is not an event flag (1/0, true/false, yes/no, ja/nej)",
            spec.event,
            String::from_utf8_lossy(raw)
        )
    })?;
    let key = match cols.group {
        Some(c) => Some(get(c, spec.group.as_deref().unwrap_or_default())?),
        None => None,
    };
    Ok((Observation { time, event }, key))
}

fn add(groups: &mut Groups, key: Option<&[u8]>, o: Observation) {
    match groups.iter_mut().find(|(k, _)| k.as_deref() == key) {
        Some((_, acc)) => acc.push(o),
        None => {
            let mut acc = Acc::default();
            acc.push(o);
            groups.push((key.map(<[u8]>::to_vec), acc));
        }
    }
}

/// The rows of `body` (no quotes in it), its first line numbered `first_line`.
fn read_plain(
    body: &[u8],
    first_line: usize,
    delimiter: u8,
    cols: &Cols,
    spec: &SurvivalSpec,
) -> Result<Groups, String> {
    let mut groups: Groups = Vec::new();
    let mut cells: Vec<&[u8]> = Vec::with_capacity(8);
    for (k, line) in body.split(|b| *b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        cells.clear();
        cells.extend(line.split(|b| *b == delimiter).map(<[u8]>::trim_ascii));
        let (o, key) = row(|c| cells.get(c).copied(), first_line + k, cols, spec)?;
        add(&mut groups, key, o);
    }
    Ok(groups)
}

/// The groups with their names, in sorted order.
fn finish(groups: Groups) -> Result<BTreeMap<Option<String>, Tally>, String> {
    let mut out: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    for (key, acc) in groups {
        let key = match key {
            None => None,
            Some(k) => {
                Some(String::from_utf8(k).map_err(|_| "a group value is not UTF-8".to_owned())?)
            }
        };
        out.insert(key, acc.tally());
    }
    if out.is_empty() {
        return Err("the file has no rows after the header".into());
    }
    Ok(out)
}

fn parse_time(raw: &[u8]) -> Option<f64> {
    // Whole numbers (days) are the common case and are read directly.
    if !raw.is_empty() && raw.len() <= 15 && raw.iter().all(u8::is_ascii_digit) {
        return Some(raw.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64);
    }
    let raw = std::str::from_utf8(raw).ok()?;
    let v: f64 = raw
        .parse()
        .ok()
        .or_else(|| raw.replace(',', ".").parse().ok())?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

fn parse_event(raw: &[u8]) -> Option<bool> {
    match raw {
        b"1" => return Some(true),
        b"0" => return Some(false),
        _ => {}
    }
    match std::str::from_utf8(raw).ok()?.to_lowercase().as_str() {
        "1" | "true" | "yes" | "ja" => Some(true),
        "0" | "false" | "no" | "nej" => Some(false),
        _ => None,
    }
}

/// The report as CSV: one row per group and event time.
pub fn to_csv(report: &SurvivalReport) -> String {
    let mut out = String::from("group,time,at_risk,events,censored,survival,std_err,lower,upper\n");
    for g in &report.groups {
        let name = g.group.as_deref().unwrap_or("");
        let name = if name.contains([',', '"', '\n']) {
            format!("\"{}\"", name.replace('"', "\"\""))
        } else {
            name.to_owned()
        };
        for r in &g.table {
            out.push_str(&format!(
                "{name},{},{},{},{},{:.6},{:.6},{:.6},{:.6}\n",
                r.time, r.at_risk, r.events, r.censored, r.survival, r.std_err, r.lower, r.upper
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(group: Option<&str>) -> SurvivalSpec {
        SurvivalSpec {
            time: "weeks".into(),
            event: "relapse".into(),
            group: group.map(str::to_owned),
            ci: CiTransform::LogLog,
            level: 0.95,
        }
    }

    #[test]
    fn a_grouped_file_gives_a_table_per_group_and_the_log_rank_test() {
        let file = "\u{feff}id;weeks;relapse;arm\n1;6;1;A\n2;6,0;ja;A\n3;10;0;A\n4;1;1;B\n5;2;true;B\n6;3;1;B\n";
        let r = analyze(file.as_bytes(), &spec(Some("arm"))).unwrap();
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[0].group.as_deref(), Some("A"));
        assert_eq!((r.groups[0].n, r.groups[0].events), (3, 2));
        assert_eq!(r.groups[0].table[0].at_risk, 3);
        assert_eq!(r.groups[1].median, Some(2.0));
        let lr = r.logrank.unwrap();
        assert_eq!(lr.df, 1);
        assert!(lr.statistic > 0.0 && lr.p_value < 1.0);
        let csv = to_csv(&analyze(file.as_bytes(), &spec(Some("arm"))).unwrap());
        assert!(csv.starts_with("group,time,at_risk"));
        assert_eq!(csv.lines().count(), 1 + 1 + 3);
    }

    #[test]
    fn bad_files_are_named_by_line_and_column() {
        let e = |f: &str, g| analyze(f.as_bytes(), &spec(g)).unwrap_err();
        assert!(e("weeks,relapse\n1,1\nx,0\n", None).starts_with("line 3: column `weeks`"));
        assert!(e("weeks,relapse\n1,2\n", None).starts_with("line 2: column `relapse`"));
        assert!(e("weeks,relapse\n-1,1\n", None).contains("not a time"));
        assert!(e("weeks,relapse\n1,\n", None).contains("is empty"));
        assert!(e("time,relapse\n1,1\n", None).starts_with("line 1: no column `weeks`"));
        assert!(e("weeks,relapse\n1,1\n", Some("arm")).contains("no column `arm`"));
        assert!(e("weeks,relapse\n", None).contains("no rows"));
    }

    #[test]
    fn the_plain_reader_and_the_quoting_reader_agree() {
        // Many rows, so that both halves have several groups; a quote anywhere takes the general
        // reader. A blank line is skipped; line numbers count it.
        let mut plain = String::from("days;relapse;arm\n");
        for k in 0..500 {
            plain.push_str(&format!(
                "{};{};{}\n",
                k % 37,
                k % 3 % 2,
                ["A", "B", "C"][k % 3]
            ));
            if k == 250 {
                plain.push('\n');
            }
        }
        let quoted = plain.replacen("A\n", "\"A\"\n", 1);
        let s = SurvivalSpec {
            time: "days".into(),
            event: "relapse".into(),
            group: Some("arm".into()),
            ci: CiTransform::LogLog,
            level: 0.95,
        };
        assert_eq!(
            analyze(plain.as_bytes(), &s),
            analyze(quoted.as_bytes(), &s)
        );
        let r = analyze(plain.as_bytes(), &s).unwrap();
        assert_eq!(r.groups.iter().map(|g| g.n).sum::<u64>(), 500);
        // An error in the second half names its line in the file.
        let mut lines: Vec<String> = plain.lines().map(str::to_owned).collect();
        lines[420] = format!("x{}", &lines[420][lines[420].find(';').unwrap()..]);
        let bad = lines.join("\n");
        let line = 421;
        assert!(
            analyze(bad.as_bytes(), &s)
                .unwrap_err()
                .starts_with(&format!("line {line}: column `days`")),
            "{:?}",
            analyze(bad.as_bytes(), &s)
        );
    }

    #[test]
    fn fractional_and_very_large_times_are_tallied_with_the_counted_ones() {
        let file = "t,e\n3,1\n2.5,1\n3,0\n2097152,1\n1,0\n2.5,0\n";
        let obs: Vec<Observation> = [
            (3.0, true),
            (2.5, true),
            (3.0, false),
            (2097152.0, true),
            (1.0, false),
            (2.5, false),
        ]
        .iter()
        .map(|(time, event)| Observation {
            time: *time,
            event: *event,
        })
        .collect();
        let s = SurvivalSpec {
            time: "t".into(),
            event: "e".into(),
            group: None,
            ci: CiTransform::LogLog,
            level: 0.95,
        };
        let direct = super::super::survival::kaplan_meier(&obs, 0.95, CiTransform::LogLog);
        let r = analyze(file.as_bytes(), &s).unwrap();
        let times: Vec<f64> = r.groups[0].table.iter().map(|x| x.time).collect();
        assert_eq!(
            times,
            direct.table.iter().map(|x| x.time).collect::<Vec<_>>()
        );
        assert_eq!(times, [2.5, 3.0, 2097152.0], "event times only");
        assert_eq!(
            r.groups[0].table.last().unwrap().survival,
            direct.table.last().unwrap().survival
        );
    }

    #[test]
    fn without_a_group_there_is_one_table_and_no_test() {
        let r = analyze(b"weeks,relapse\n1,1\n2,0\n", &spec(None)).unwrap();
        assert_eq!(r.groups.len(), 1);
        assert_eq!(r.groups[0].group, None);
        assert_eq!(r.logrank, None);
    }
}
