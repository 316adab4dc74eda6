#![no_main]
//! Any bytes as the analyst's CSV: a survival table or an error, never a panic; survival stays
//! within [0, 1] and never rises.
use libfuzzer_sys::fuzz_target;
use vaka_domain::stats::analysis::{SurvivalSpec, analyze};

fuzz_target!(|bytes: &[u8]| {
    let spec = SurvivalSpec {
        time: "time".into(),
        event: "event".into(),
        group: if bytes.first().is_some_and(|b| b % 2 == 0) {
            Some("group".into())
        } else {
            None
        },
        ci: "log-log".parse().unwrap(),
        level: 0.95,
    };
    if let Ok(report) = analyze(bytes, &spec) {
        for g in &report.groups {
            let mut last = 1.0f64;
            for row in &g.table {
                assert!(
                    (0.0..=1.0).contains(&row.survival),
                    "survival {}",
                    row.survival
                );
                assert!(row.survival <= last + 1e-12, "survival rose");
                last = row.survival;
            }
        }
        let _ = vaka_domain::stats::analysis::to_csv(&report);
    }
});
