#![no_main]
//! Any text: parsing never panics, and a number that parses reads back the same from its canonical
//! 12-character form.
use libfuzzer_sys::fuzz_target;
use vaka_domain::personal_number::PersonalNumber;

fuzz_target!(|text: &str| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    if let Ok(p) = PersonalNumber::parse(text, today) {
        assert_eq!(p.canonical().len(), 12);
        let again = PersonalNumber::parse(p.canonical(), today).expect("canonical form parses");
        assert_eq!(again, p);
        assert_eq!(
            PersonalNumber::from_canonical(p.canonical(), today).ok(),
            Some(p.clone())
        );
        let _ = p.short_form(today);
        assert!(p.birth_date() <= today);
    }
});
