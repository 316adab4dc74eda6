//! Form posts from the pages, decoded: plain `application/x-www-form-urlencoded` pairs (repeated
//! fields such as checkboxes keep every value), the fields a page form has, and how the posted text
//! becomes the API's JSON request. Pure, so that it can be fuzzed and tested without a server.

/// The decoded fields of a form post, in order.
#[derive(Debug, Default, Clone)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (repeated fields such as checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// What kind of input a field is, and how its text becomes the API's JSON value.
#[derive(Debug, Clone)]
pub enum Input {
    Text,
    Area,
    Date,
    /// A whole number.
    Whole,
    /// An amount in kronor (`1 400,50`), sent to the API in öre.
    Sek,
    /// One of `(value, label)`; the empty value means "not chosen".
    Select(Vec<(String, String)>),
    /// One of `(id, label)`, sent as a number (a provider, a housing unit).
    SelectId(Vec<(String, String)>),
    /// A yes/no checkbox.
    Check,
    /// Any of `(value, label)`, sent as a list.
    Checks(Vec<(String, String)>),
    /// A new password: sent as typed (not trimmed), never shown again after a failed post.
    Password,
}

/// One field of a page form. `name` is the API's field, dotted for nested objects
/// (`departure_justifications.application`), so that an API error names the field on the page.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub input: Input,
    pub required: bool,
    pub value: String,
    pub checked: Vec<String>,
}

impl Field {
    pub fn new(name: &str, label: &str, input: Input) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            hint: None,
            input,
            required: false,
            value: String::new(),
            checked: Vec::new(),
        }
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.to_owned());
        self
    }
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }
    pub fn checked(mut self, yes: bool) -> Self {
        self.checked = if yes { vec!["true".into()] } else { Vec::new() };
        self
    }
    /// The element id, also the target of the error summary's link.
    pub fn id(&self) -> String {
        anchor(&self.name)
    }
}

/// `departure_justifications.application` → `f-departure_justifications-application`.
pub fn anchor(field: &str) -> String {
    let a = field.replace(['[', ']', '.'], "-");
    format!("f-{}", a.trim_end_matches('-'))
}

/// Puts what was posted back into the fields, so that a form with an error keeps its values.
pub fn refill(fields: &mut [Field], form: &FormFields) {
    for f in fields {
        match f.input {
            Input::Check => {
                f.checked = form
                    .get(&f.name)
                    .map(|_| "true".into())
                    .into_iter()
                    .collect()
            }
            Input::Checks(_) => f.checked = form.all(&f.name),
            Input::Password => f.value.clear(),
            _ => f.value = form.get(&f.name).unwrap_or("").to_owned(),
        }
    }
}

/// The posted fields as the API's JSON object. Empty fields are left out (the API's "not given");
/// numbers and amounts that do not parse are reported under their field.
pub fn to_json(
    fields: &[Field],
    form: &FormFields,
) -> Result<serde_json::Value, Vec<crate::FieldError>> {
    use serde_json::{Map, Value};
    let mut root = Map::new();
    let mut errors = Vec::new();
    for f in fields {
        let raw = form.get(&f.name).map(str::trim).filter(|v| !v.is_empty());
        let value = match &f.input {
            Input::Check => Some(Value::Bool(raw.is_some())),
            Input::Checks(_) => Some(Value::Array(
                form.all(&f.name).into_iter().map(Value::String).collect(),
            )),
            Input::Whole | Input::SelectId(_) => {
                match raw.map(|r| r.replace([' ', '\u{a0}'], "").parse::<i64>()) {
                    None => None,
                    Some(Ok(n)) => Some(Value::from(n)),
                    Some(Err(_)) => {
                        errors.push(crate::FieldError::new(
                            &f.name,
                            "not_a_number",
                            crate::Msg::new("Ange ett heltal.", "Give a whole number."),
                        ));
                        None
                    }
                }
            }
            Input::Sek => match raw.map(|r| crate::money::Money::parse_sek(&f.name, r)) {
                None => None,
                Some(Ok(m)) => Some(Value::from(m.ore())),
                Some(Err(e)) => {
                    errors.push(e);
                    None
                }
            },
            Input::Text | Input::Area | Input::Date | Input::Select(_) => {
                raw.map(|r| Value::String(r.to_owned()))
            }
            Input::Password => form
                .get(&f.name)
                .filter(|v| !v.is_empty())
                .map(|v| Value::String(v.to_owned())),
        };
        if let Some(v) = value {
            insert(&mut root, &f.name, v);
        }
    }
    if errors.is_empty() {
        Ok(Value::Object(root))
    } else {
        Err(errors)
    }
}

fn insert(map: &mut serde_json::Map<String, serde_json::Value>, path: &str, v: serde_json::Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), v);
        }
        Some((head, rest)) => {
            let child = map
                .entry(head.to_owned())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            if let serde_json::Value::Object(m) = child {
                insert(m, rest, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Vec<Field> {
        vec![
            Field::new("client_id", "Klient", Input::Whole),
            Field::new("daily_price_ore", "Dagspris", Input::Sek),
            Field::new("reasons", "Skäl", Input::Area),
            Field::new(
                "departure_justifications.application",
                "Motivering",
                Input::Area,
            ),
            Field::new(
                "departure_justifications.recommendation",
                "Motivering",
                Input::Area,
            ),
            Field::new("internal", "Egen regi", Input::Check),
            Field::new("methods", "Metoder", Input::Checks(vec![])),
            Field::new("prices.treatment_home", "Pris", Input::Sek),
        ]
    }

    #[test]
    fn posted_fields_become_the_apis_json_with_nested_objects_and_ore() {
        let f = FormFields::parse(
            b"csrf=x&client_id=12&daily_price_ore=1+400%2C50&reasons=+&departure_justifications.application=Annat+behov\
              &methods=cbt&methods=mi&prices.treatment_home=2500",
        );
        let v = to_json(&spec(), &f).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "client_id": 12,
                "daily_price_ore": 140050,
                "departure_justifications": {"application": "Annat behov"},
                "internal": false,
                "methods": ["cbt", "mi"],
                "prices": {"treatment_home": 250000},
            })
        );
    }

    #[test]
    fn numbers_and_amounts_that_do_not_parse_are_named() {
        let f = FormFields::parse(b"client_id=tolv&daily_price_ore=mycket&internal=on");
        let errors = to_json(&spec(), &f).unwrap_err();
        let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["client_id", "daily_price_ore"]);
    }

    #[test]
    fn refill_keeps_what_was_posted_and_anchors_match_error_links() {
        let mut fields = spec();
        refill(
            &mut fields,
            &FormFields::parse(b"reasons=R&internal=on&methods=cbt"),
        );
        assert_eq!(fields[2].value, "R");
        assert_eq!(fields[5].checked, ["true"]);
        assert_eq!(fields[6].checked, ["cbt"]);
        assert_eq!(fields[3].id(), "f-departure_justifications-application");
    }

    #[test]
    fn repeated_fields_keep_every_value_and_plus_is_a_space() {
        let f = FormFields::parse(b"substances=alcohol&substances=cannabis&note=m%C3%A5r+bra&x=");
        assert_eq!(f.all("substances"), ["alcohol", "cannabis"]);
        assert_eq!(f.get("note"), Some("mår bra"));
        assert_eq!(f.get("x"), Some(""));
        assert_eq!(f.get("missing"), None);
    }

    #[test]
    fn a_password_goes_as_typed_and_is_never_refilled() {
        let mut fields = vec![
            Field::new("password", "Lösenord", Input::Password),
            Field::new("display_name", "Namn", Input::Text),
        ];
        let f = FormFields::parse(b"password=+hemligt+l%C3%B6sen+&display_name=+Sara+");
        assert_eq!(
            to_json(&fields, &f).unwrap(),
            serde_json::json!({"password": " hemligt lösen ", "display_name": "Sara"})
        );
        fields[0].value = "stale".into();
        refill(&mut fields, &f);
        assert_eq!(fields[0].value, "");
        assert_eq!(fields[1].value, " Sara ");
    }
}
