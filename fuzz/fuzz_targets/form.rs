#![no_main]
//! Any bytes as a posted page form: decoded, turned into the API's JSON (every kind of input), and
//! the journal form into an entry — JSON or errors naming fields, never a panic.
use libfuzzer_sys::fuzz_target;
use vaka_domain::form::{Field, FormFields, Input, to_json};

fuzz_target!(|bytes: &[u8]| {
    let form = FormFields::parse(bytes);
    let choice = vec![("a".to_owned(), "A".to_owned())];
    let spec = vec![
        Field::new("client_id", "Klient", Input::Whole),
        Field::new("provider_id", "Utförare", Input::SelectId(choice.clone())),
        Field::new("daily_price_ore", "Dagspris", Input::Sek),
        Field::new("reasons", "Skäl", Input::Area),
        Field::new("decided_on", "Datum", Input::Date),
        Field::new("intervention", "Insats", Input::Select(choice.clone())),
        Field::new(
            "departure_justifications.application",
            "Motivering",
            Input::Text,
        ),
        Field::new("internal", "Egen regi", Input::Check),
        Field::new("methods", "Metoder", Input::Checks(choice)),
    ];
    match to_json(&spec, &form) {
        Ok(v) => assert!(v.is_object()),
        Err(errors) => assert!(
            errors
                .iter()
                .all(|e| spec.iter().any(|f| f.name == e.field))
        ),
    }
    let substances = form.all("substances");
    let risks = form.all("risks");
    let input = vaka_domain::contact::ContactInput {
        occurred_at: form.get("occurred_at"),
        kind: form.get("kind"),
        substance_use: form.get("substance_use"),
        substances: &substances,
        risks: &risks,
        well_being: form.get("well_being").and_then(|w| w.trim().parse().ok()),
        sleep: form.get("sleep"),
        housing: form.get("housing"),
        note: form.get("note"),
        signed: form.get("signed").is_some(),
        corrects: form.get("corrects").and_then(|c| c.parse().ok()),
        plan_goal_id: form.get("plan_goal_id").and_then(|c| c.parse().ok()),
    };
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    let _ = vaka_domain::contact::NewContact::parse(&input, now);
});
