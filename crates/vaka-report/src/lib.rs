//! Vaka's documents as PDF, typeset by typst with fonts embedded in the binary (nothing is read
//! from the system or downloaded). The text comes from the pure domain (`vaka_domain::letter`); the
//! templates only lay it out, and every value enters them as data, never as markup.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use typst::foundations::{Array, Dict, IntoValue, Value};
use typst_as_lib::TypstEngine;
use typst_as_lib::TypstTemplateMainFile;
use vaka_domain::letter::Letter;

const LETTER: &str = include_str!("letter.typ");

fn engine() -> &'static TypstEngine<TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        TypstEngine::builder()
            .main_file(LETTER)
            .fonts(typst_assets::fonts())
            .build()
    })
}

fn text(s: &str) -> Value {
    s.into_value()
}

fn lines(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| text(s)).collect::<Array>())
}

/// The decision letter as a PDF.
pub fn letter_pdf(letter: &Letter, municipality: &str) -> Result<Vec<u8>, String> {
    let mut d = Dict::new();
    d.insert("municipality".into(), text(municipality));
    d.insert("title".into(), text(&letter.title));
    d.insert("reference".into(), text(&letter.reference));
    d.insert("date".into(), text(&letter.date));
    d.insert("recipient".into(), lines(&letter.recipient));
    d.insert(
        "warning".into(),
        letter.warning.as_deref().map_or(Value::None, text),
    );
    let sections: Array = letter
        .sections
        .iter()
        .map(|(heading, paragraphs)| {
            let mut s = Dict::new();
            s.insert("heading".into(), text(heading));
            s.insert("paragraphs".into(), lines(paragraphs));
            Value::Dict(s)
        })
        .collect();
    d.insert("sections".into(), Value::Array(sections));
    let doc = engine()
        .compile_with_input(d)
        .output
        .map_err(|e| format!("typesetting the letter failed: {e:?}"))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| format!("writing the PDF failed: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_becomes_a_pdf_with_its_text() {
        let letter = Letter {
            title: "Beslut om behandlingshem (HVB)".into(),
            reference: "Beslut nr 7".into(),
            date: "2026-11-20".into(),
            recipient: vec!["Åsa Öberg".into(), "#set text(red) *not markup*".into()],
            sections: vec![("Beslut".into(), vec!["Din ansökan avslås.".into()])],
            warning: None,
        };
        let pdf = letter_pdf(&letter, "Demo kommun").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 2_000);
    }
}
