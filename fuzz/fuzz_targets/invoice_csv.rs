#![no_main]
//! Any bytes as a provider's invoice file: rows or errors that name a field, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match vaka_domain::invoice::parse_csv(bytes) {
        Ok(rows) => {
            for r in rows {
                assert!(r.period_start <= r.period_end);
            }
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
});
