#![no_main]
//! Any text: parsing never panics, and a number that parses reads back the same.
use libfuzzer_sys::fuzz_target;
use vaka_domain::organisation_number::OrganisationNumber;

fuzz_target!(|text: &str| {
    match OrganisationNumber::parse("organisation_number", text) {
        Ok(n) => {
            let again =
                OrganisationNumber::parse("organisation_number", n.as_str()).expect("reparses");
            assert_eq!(again.as_str(), n.as_str());
        }
        Err(e) => assert_eq!(e.field, "organisation_number"),
    }
});
