//! The UI's words in Swedish (first) and English, from `locales/*.ftl` (`key = text` lines, the
//! simple subset of Fluent). A test checks that both files have the same keys and that every key a
//! template uses exists.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }
}

pub const SV: &str = include_str!("../locales/sv.ftl");
pub const EN: &str = include_str!("../locales/en.ftl");

pub fn parse_ftl(src: &str) -> HashMap<&str, &str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static SV_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Sv => SV_T.get_or_init(|| parse_ftl(SV)),
        Lang::En => EN_T.get_or_init(|| parse_ftl(EN)),
    }
}

/// Translations for one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The text for `key`; the key itself when missing (a test keeps that from happening).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        table(self.lang).get(key).copied().unwrap_or(key)
    }

    /// Picks the Swedish or English member of a `(sv, en)` pair from the domain.
    /// The Swedish or the English text, for templates.
    pub fn p<'a>(&self, sv: &'a str, en: &'a str) -> &'a str {
        self.pick((sv, en))
    }

    pub fn pick<'a>(&self, pair: (&'a str, &'a str)) -> &'a str {
        match self.lang {
            Lang::Sv => pair.0,
            Lang::En => pair.1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_and_english_have_the_same_keys() {
        let (sv, en) = (parse_ftl(SV), parse_ftl(EN));
        let mut missing: Vec<_> = sv
            .keys()
            .filter(|k| !en.contains_key(*k))
            .map(|k| format!("en lacks {k}"))
            .collect();
        missing.extend(
            en.keys()
                .filter(|k| !sv.contains_key(*k))
                .map(|k| format!("sv lacks {k}")),
        );
        missing.sort();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn every_key_used_in_a_template_exists() {
        let sv = parse_ftl(SV);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !sv.contains_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn every_key_the_page_code_names_exists() {
        let sv = parse_ftl(SV);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t.t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !sv.contains_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }
}
