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
const REPORT: &str = include_str!("report.typ");

fn engine() -> &'static TypstEngine<TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        TypstEngine::builder()
            .main_file(LETTER)
            .fonts(typst_assets::fonts())
            .build()
    })
}

fn report_engine() -> &'static TypstEngine<TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        TypstEngine::builder()
            .main_file(REPORT)
            .fonts(typst_assets::fonts())
            .build()
    })
}

/// A table: column headings and rows of cells, all text.
#[derive(Debug, Clone, Default)]
pub struct DocTable {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Every column is text, aligned left (otherwise the columns after the first are figures,
    /// aligned right).
    pub text: bool,
}

/// A section of a report: a heading, paragraphs, an optional chart (SVG) and an optional table.
#[derive(Debug, Clone, Default)]
pub struct DocSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub svg: Option<String>,
    pub table: Option<DocTable>,
}

/// A report document (the committee report).
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub title: String,
    pub lead: String,
    pub footer: String,
    pub note: String,
    pub sections: Vec<DocSection>,
}

/// A report as a PDF.
pub fn report_pdf(doc: &Doc) -> Result<Vec<u8>, String> {
    let mut d = Dict::new();
    d.insert("title".into(), text(&doc.title));
    d.insert("lead".into(), text(&doc.lead));
    d.insert("footer".into(), text(&doc.footer));
    d.insert("note".into(), text(&doc.note));
    let sections: Array = doc
        .sections
        .iter()
        .map(|s| {
            let mut x = Dict::new();
            x.insert("heading".into(), text(&s.heading));
            x.insert("paragraphs".into(), lines(&s.paragraphs));
            x.insert("svg".into(), s.svg.as_deref().map_or(Value::None, text));
            x.insert(
                "table".into(),
                s.table.as_ref().map_or(Value::None, |t| {
                    let mut tb = Dict::new();
                    tb.insert("head".into(), lines(&t.head));
                    tb.insert("text".into(), t.text.into_value());
                    tb.insert(
                        "rows".into(),
                        Value::Array(t.rows.iter().map(|r| lines(r)).collect::<Array>()),
                    );
                    Value::Dict(tb)
                }),
            );
            Value::Dict(x)
        })
        .collect();
    d.insert("sections".into(), Value::Array(sections));
    let doc = report_engine()
        .compile_with_input(d)
        .output
        .map_err(|e| format!("typesetting the report failed: {e:?}"))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| format!("writing the PDF failed: {e:?}"))
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
    fn a_report_with_a_chart_and_a_table_becomes_a_pdf() {
        let doc = Doc {
            title: "Underlag till socialnämnden".into(),
            lead: "#set text(red) *inte markup*".into(),
            footer: "Demokommun".into(),
            note: "–* = färre än 5 personer".into(),
            sections: vec![DocSection {
                heading: "Tid utan återfall".into(),
                paragraphs: vec!["Andelen utan återfall.".into()],
                svg: Some(r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" width="100" height="50"><path d="M0 0 H50 V25 H100" fill="none" stroke="#0b5cad"/></svg>"##.into()),
                table: Some(DocTable {
                    head: vec!["Insats".into(), "Personer".into()],
                    rows: vec![vec!["Öppenvård".into(), "–*".into()]],
                    text: false,
                }),
            }, DocSection {
                heading: "Mål".into(),
                paragraphs: Vec::new(),
                svg: None,
                table: Some(DocTable {
                    head: vec!["Område".into(), "Mål".into()],
                    rows: vec![vec!["Boende".into(), "Ett eget kontrakt".into()]],
                    text: true,
                }),
            }],
        };
        let pdf = report_pdf(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 2000);
    }

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
