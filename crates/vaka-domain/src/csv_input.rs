//! How Vaka reads a CSV file someone hands it: UTF-8 with or without a BOM, `;` (as Swedish
//! spreadsheets write it) or `,`, cells trimmed, a header row first.

/// A reader over `bytes`, its delimiter taken from the header line.
pub fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let header_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if header_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes)
}
