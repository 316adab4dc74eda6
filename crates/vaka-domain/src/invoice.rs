//! Invoices from providers: reading their rows from CSV and reconciling them against placements.
//!
//! A row names the placement by its id (the municipality's order reference on the invoice), the
//! provider by organisation number, the period, the days and the amount. Reconciliation lists every
//! mismatch: an unknown placement, the wrong provider, days outside the placement, days or amount
//! that differ from what the placement gives, a period already invoiced, and paid days nobody
//! invoiced.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::error::{FieldError, Msg};
use crate::money::Money;
use crate::organisation_number::OrganisationNumber;
use crate::placement::{DayCount, Stay};
use crate::string_enum;

/// The columns, in the order a template has them. `amount` is in kronor (`12 600,00`);
/// `amount_ore` may be given instead.
pub const COLUMNS: &[&str] = &[
    "invoice_number",
    "organisation_number",
    "placement_id",
    "period_start",
    "period_end",
    "days",
    "amount",
];

/// One invoice row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InvoiceRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub invoice_number: String,
    pub organisation_number: String,
    pub placement_id: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub days: i64,
    pub amount: Money,
}

/// Reads invoice rows from CSV (`;` or `,`, UTF-8 with or without BOM, a header row). Every wrong
/// cell is reported as `line N: column`; nothing is returned unless every row is right.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<InvoiceRow>, Vec<FieldError>> {
    let mut reader = crate::csv_input::reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(_) => {
            return Err(vec![file_error(
                "header",
                "Filen saknar rubrikrad.",
                "The file has no header row.",
            )]);
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut errors = Vec::new();
    let amount_col = col("amount")
        .map(|i| (i, false))
        .or(col("amount_ore").map(|i| (i, true)));
    let mut cols = BTreeMap::new();
    for name in COLUMNS.iter().filter(|c| **c != "amount") {
        match col(name) {
            Some(i) => {
                cols.insert(*name, i);
            }
            None => errors.push(FieldError::new(
                format!("header: {name}"),
                "missing_column",
                Msg::new(
                    format!("Kolumnen {name} saknas."),
                    format!("The column {name} is missing."),
                ),
            )),
        }
    }
    if amount_col.is_none() {
        errors.push(FieldError::new(
            "header: amount",
            "missing_column",
            Msg::new(
                "Kolumnen amount (eller amount_ore) saknas.",
                "The column amount (or amount_ore) is missing.",
            ),
        ));
    }
    let Some((amount_i, amount_in_ore)) = amount_col.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                errors.push(file_error(
                    &format!("line {line}"),
                    "Raden kan inte läsas.",
                    "The line cannot be read.",
                ));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| {
            cols.get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .trim()
        };
        let field = |name: &str| format!("line {line}: {name}");
        let mut row_errors = Vec::new();
        let text = |name: &str, errs: &mut Vec<FieldError>| {
            let v = cell(name);
            if v.is_empty() {
                errs.push(FieldError::required(field(name)));
            }
            v.to_owned()
        };
        let invoice_number = text("invoice_number", &mut row_errors);
        let org = cell("organisation_number");
        let organisation_number =
            match OrganisationNumber::parse(&field("organisation_number"), org) {
                Ok(o) => o.as_str().to_owned(),
                Err(e) => {
                    row_errors.push(e);
                    String::new()
                }
            };
        let int = |name: &str, errs: &mut Vec<FieldError>| match cell(name).parse::<i64>() {
            Ok(v) if v >= 0 => v,
            _ => {
                errs.push(FieldError::new(
                    field(name),
                    "not_a_number",
                    Msg::new("Ange ett heltal.", "Give a whole number."),
                ));
                0
            }
        };
        let placement_id = int("placement_id", &mut row_errors);
        let days = int("days", &mut row_errors);
        let date = |name: &str, errs: &mut Vec<FieldError>| match crate::error::required_date(
            &field(name),
            Some(cell(name)),
        ) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(e);
                None
            }
        };
        let period_start = date("period_start", &mut row_errors);
        let period_end = date("period_end", &mut row_errors);
        if let (Some(s), Some(e)) = (period_start, period_end)
            && let Err(e) = crate::error::not_before(
                &field("period_end"),
                e,
                s,
                ("periodens början", "the start of the period"),
            )
        {
            row_errors.push(e);
        }
        let raw_amount = record.get(amount_i).unwrap_or("").trim();
        let amount_name = if amount_in_ore {
            "amount_ore"
        } else {
            "amount"
        };
        let amount = if amount_in_ore {
            raw_amount.parse::<i64>().map(Money).map_err(|_| {
                FieldError::new(
                    field(amount_name),
                    "not_a_number",
                    Msg::new("Ange ett heltal öre.", "Give whole öre."),
                )
            })
        } else {
            Money::parse_sek(&field(amount_name), raw_amount)
        };
        let amount = amount.map_err(|e| row_errors.push(e)).ok();
        match (period_start, period_end, amount) {
            (Some(period_start), Some(period_end), Some(amount)) if row_errors.is_empty() => rows
                .push(InvoiceRow {
                    line,
                    invoice_number,
                    organisation_number,
                    placement_id,
                    period_start,
                    period_end,
                    days,
                    amount,
                }),
            _ => errors.append(&mut row_errors),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(file_error(
            "file",
            "Filen har inga fakturarader.",
            "The file has no invoice rows.",
        ));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn file_error(field: &str, sv: &str, en: &str) -> FieldError {
    FieldError::new(field, "invalid_csv", Msg::new(sv, en))
}

string_enum! {
    /// What is wrong with an invoice row or a placement's invoicing.
    pub enum MismatchKind {
        UnknownPlacement = "unknown_placement",
        WrongProvider = "wrong_provider",
        OutsidePlacement = "outside_placement",
        DaysDiffer = "days_differ",
        AmountDiffers = "amount_differs",
        AlreadyInvoiced = "already_invoiced",
        NotInvoiced = "not_invoiced",
    }
}

impl MismatchKind {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::UnknownPlacement => ("Okänd placering", "Unknown placement"),
            Self::WrongProvider => ("Fel utförare", "Wrong provider"),
            Self::OutsidePlacement => ("Dagar utanför placeringen", "Days outside the placement"),
            Self::DaysDiffer => ("Antal dagar stämmer inte", "Days differ"),
            Self::AmountDiffers => ("Beloppet stämmer inte", "Amount differs"),
            Self::AlreadyInvoiced => ("Redan fakturerat", "Already invoiced"),
            Self::NotInvoiced => ("Ej fakturerat", "Not invoiced"),
        }
    }
}

/// One mismatch, with what was expected and what the invoice said.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mismatch {
    pub kind: MismatchKind,
    pub line: Option<usize>,
    pub invoice_number: Option<String>,
    pub placement_id: Option<i64>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub expected_days: Option<i64>,
    pub invoiced_days: Option<i64>,
    pub expected_ore: Option<i64>,
    pub invoiced_ore: Option<i64>,
}

/// A placement as reconciliation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicedPlacement {
    pub provider_organisation_number: Option<String>,
    pub stay: Stay,
}

/// A period of a placement invoiced before (in an earlier import).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoicedPeriod {
    pub placement_id: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The outcome of one import.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Reconciliation {
    /// Lines that match their placement in every respect.
    pub matched: Vec<usize>,
    pub mismatches: Vec<Mismatch>,
}

/// Reconciles `rows` against `placements` (every placement of the providers named in the file that
/// overlaps its period) and the periods invoiced before. Days are counted by `rule`; a placement
/// still running is counted up to `today`.
pub fn reconcile(
    rows: &[InvoiceRow],
    placements: &BTreeMap<i64, InvoicedPlacement>,
    earlier: &[InvoicedPeriod],
    rule: DayCount,
    today: NaiveDate,
) -> Reconciliation {
    let mut out = Reconciliation::default();
    let mut covered: Vec<InvoicedPeriod> = earlier.to_vec();
    for row in rows {
        let base = |kind| Mismatch {
            kind,
            line: Some(row.line),
            invoice_number: Some(row.invoice_number.clone()),
            placement_id: Some(row.placement_id),
            period_start: row.period_start,
            period_end: row.period_end,
            expected_days: None,
            invoiced_days: Some(row.days),
            expected_ore: None,
            invoiced_ore: Some(row.amount.0),
        };
        let Some(p) = placements.get(&row.placement_id) else {
            out.mismatches.push(base(MismatchKind::UnknownPlacement));
            continue;
        };
        let before = out.mismatches.len();
        if p.provider_organisation_number.as_deref() != Some(row.organisation_number.as_str()) {
            out.mismatches.push(base(MismatchKind::WrongProvider));
        }
        let open_until = today;
        let (first, after_last) = p.stay.paid_range(rule, open_until);
        let last_day = p.stay.end.unwrap_or(open_until);
        if row.period_start < first
            || row.period_end > last_day.max(after_last.pred_opt().unwrap_or(after_last))
        {
            out.mismatches.push(base(MismatchKind::OutsidePlacement));
        }
        if covered.iter().any(|c| {
            c.placement_id == row.placement_id
                && c.start <= row.period_end
                && row.period_start <= c.end
        }) {
            out.mismatches.push(base(MismatchKind::AlreadyInvoiced));
        }
        let expected = p
            .stay
            .cost_between(rule, row.period_start, row.period_end, open_until);
        if expected.days != row.days {
            out.mismatches.push(Mismatch {
                expected_days: Some(expected.days),
                expected_ore: Some(expected.cost.0),
                ..base(MismatchKind::DaysDiffer)
            });
        }
        if expected.cost != row.amount {
            out.mismatches.push(Mismatch {
                expected_days: Some(expected.days),
                expected_ore: Some(expected.cost.0),
                ..base(MismatchKind::AmountDiffers)
            });
        }
        covered.push(InvoicedPeriod {
            placement_id: row.placement_id,
            start: row.period_start,
            end: row.period_end,
        });
        if out.mismatches.len() == before {
            out.matched.push(row.line);
        }
    }
    // Paid days of the providers' placements within the file's period that no row covers.
    let (Some(from), Some(to)) = (
        rows.iter().map(|r| r.period_start).min(),
        rows.iter().map(|r| r.period_end).max(),
    ) else {
        return out;
    };
    let orgs: Vec<&str> = rows
        .iter()
        .map(|r| r.organisation_number.as_str())
        .collect();
    for (id, p) in placements {
        if !p
            .provider_organisation_number
            .as_deref()
            .is_some_and(|o| orgs.contains(&o))
        {
            continue;
        }
        let (first, after_last) = p.stay.paid_range(rule, today.min(to));
        let mut day = first.max(from);
        let end = after_last.min(to.succ_opt().unwrap_or(to));
        let mut gap: Option<(NaiveDate, NaiveDate)> = None;
        let mut gaps = Vec::new();
        while day < end {
            let is_covered = covered
                .iter()
                .any(|c| c.placement_id == *id && c.start <= day && day <= c.end);
            gap = match (gap, is_covered) {
                (None, false) => Some((day, day)),
                (Some((s, _)), false) => Some((s, day)),
                (Some(g), true) => {
                    gaps.push(g);
                    None
                }
                (None, true) => None,
            };
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        gaps.extend(gap);
        for (s, e) in gaps {
            let expected = p.stay.cost_between(rule, s, e, today.min(to));
            out.mismatches.push(Mismatch {
                kind: MismatchKind::NotInvoiced,
                line: None,
                invoice_number: None,
                placement_id: Some(*id),
                period_start: s,
                period_end: e,
                expected_days: Some(expected.days),
                invoiced_days: None,
                expected_ore: Some(expected.cost.0),
                invoiced_ore: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const ORG_A: &str = "5560360793";
    const ORG_B: &str = "2021005489";

    fn placements() -> BTreeMap<i64, InvoicedPlacement> {
        BTreeMap::from([
            (
                1,
                InvoicedPlacement {
                    provider_organisation_number: Some(ORG_A.into()),
                    stay: Stay::new(d("2026-01-01"), None, Money(140_000)),
                },
            ),
            (
                2,
                InvoicedPlacement {
                    provider_organisation_number: Some(ORG_A.into()),
                    stay: Stay::new(d("2026-01-10"), Some(d("2026-01-20")), Money(250_000)),
                },
            ),
            (
                3,
                InvoicedPlacement {
                    provider_organisation_number: Some(ORG_B.into()),
                    stay: Stay::new(d("2026-01-01"), None, Money(100_000)),
                },
            ),
            (
                4,
                InvoicedPlacement {
                    provider_organisation_number: Some(ORG_A.into()),
                    stay: Stay::new(d("2026-01-20"), None, Money(100_000)),
                },
            ),
        ])
    }

    #[test]
    fn a_file_with_semicolons_and_swedish_amounts_is_read() {
        let file = "\u{feff}invoice_number;organisation_number;placement_id;period_start;period_end;days;amount\n\
                    F-1;556036-0793;1;2026-01-01;2026-01-31;31;43 400,00\n\n";
        let rows = parse_csv(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].amount, Money(4_340_000));
        assert_eq!(rows[0].organisation_number, ORG_A);
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn every_wrong_cell_is_named_by_line_and_column() {
        let file = "invoice_number,organisation_number,placement_id,period_start,period_end,days,amount\n\
                    F-1,556036-0794,x,2026-02-30,2026-01-31,31,12\n\
                    F-2,556036-0793,1,2026-01-01,2025-12-31,-1,abc\n";
        let errors = parse_csv(file.as_bytes()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "line 2: organisation_number",
                "line 2: placement_id",
                "line 2: period_start",
                "line 3: days",
                "line 3: period_end",
                "line 3: amount",
            ]
        );
        let errors = parse_csv(b"invoice_number,placement_id\nF-1,1\n").unwrap_err();
        assert!(errors.iter().any(|e| e.field == "header: period_start"));
        assert_eq!(parse_csv(b"").unwrap_err()[0].code, "missing_column");
    }

    fn row(
        line: usize,
        org: &str,
        placement: i64,
        from: &str,
        to: &str,
        days: i64,
        ore: i64,
    ) -> InvoiceRow {
        InvoiceRow {
            line,
            invoice_number: format!("F-{line}"),
            organisation_number: org.into(),
            placement_id: placement,
            period_start: d(from),
            period_end: d(to),
            days,
            amount: Money(ore),
        }
    }

    #[test]
    fn reconciliation_lists_every_mismatch() {
        let rows = [
            // Right: January, 31 nights at 1 400 kr (the placement still runs).
            row(2, ORG_A, 1, "2026-01-01", "2026-01-31", 31, 31 * 140_000),
            // Placement 2: 10 nights (10th–19th; the 20th is the day of departure), invoiced as 11.
            row(3, ORG_A, 2, "2026-01-10", "2026-01-20", 11, 11 * 250_000),
            // Unknown placement.
            row(4, ORG_A, 99, "2026-01-01", "2026-01-31", 31, 1),
            // Placement 3 belongs to provider B.
            row(5, ORG_A, 3, "2026-01-01", "2026-01-15", 15, 15 * 100_000),
            // The right days at the wrong price, and January again.
            row(6, ORG_A, 1, "2026-01-15", "2026-01-31", 17, 17 * 150_000),
        ];
        let r = reconcile(&rows, &placements(), &[], DayCount::Nights, d("2026-03-01"));
        assert_eq!(r.matched, [2]);
        let found: Vec<(MismatchKind, Option<usize>)> =
            r.mismatches.iter().map(|m| (m.kind, m.line)).collect();
        assert_eq!(
            found,
            [
                (MismatchKind::DaysDiffer, Some(3)),
                (MismatchKind::AmountDiffers, Some(3)),
                (MismatchKind::UnknownPlacement, Some(4)),
                (MismatchKind::WrongProvider, Some(5)),
                (MismatchKind::AlreadyInvoiced, Some(6)),
                (MismatchKind::AmountDiffers, Some(6)),
                // Placement 4 of the same provider began 20 January and is in no row.
                (MismatchKind::NotInvoiced, None),
            ]
        );
        let days = &r.mismatches[0];
        assert_eq!(
            (days.expected_days, days.invoiced_days),
            (Some(10), Some(11))
        );
        let gap = r.mismatches.last().unwrap();
        assert_eq!(
            (gap.placement_id, gap.period_start, gap.period_end),
            (Some(4), d("2026-01-20"), d("2026-01-31"))
        );
        assert_eq!(gap.expected_ore, Some(12 * 100_000));
    }

    #[test]
    fn days_outside_the_placement_and_earlier_invoices_are_caught() {
        let rows = [row(
            2,
            ORG_A,
            2,
            "2026-01-05",
            "2026-01-19",
            15,
            15 * 250_000,
        )];
        let r = reconcile(&rows, &placements(), &[], DayCount::Nights, d("2026-03-01"));
        let kinds: Vec<_> = r.mismatches.iter().map(|m| m.kind).collect();
        assert!(kinds.contains(&MismatchKind::OutsidePlacement), "{kinds:?}");
        let earlier = [InvoicedPeriod {
            placement_id: 1,
            start: d("2026-01-01"),
            end: d("2026-01-31"),
        }];
        let rows = [row(
            2,
            ORG_A,
            1,
            "2026-01-20",
            "2026-02-10",
            22,
            22 * 140_000,
        )];
        let r = reconcile(
            &rows,
            &placements(),
            &earlier,
            DayCount::Nights,
            d("2026-03-01"),
        );
        assert_eq!(r.mismatches[0].kind, MismatchKind::AlreadyInvoiced);
        assert!(r.matched.is_empty());
    }
}
