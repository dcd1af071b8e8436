//! The `structured` target's logic, shared with the regression tests
//! (`tests/integration/fuzz_regressions.rs`): builds a real `.xlsx` package from arbitrary
//! rows, cells, types, formulas, coordinates, shared strings and declared sizes.

use std::io::Write;

use arbitrary::Arbitrary;
use user_import::{Error, Limits, Schema, Validation};

#[derive(Debug, Arbitrary)]
pub enum Reference {
    /// A1-style from small numbers.
    Normal { row: u8, column: u8 },
    /// Whatever text.
    Raw(String),
    /// Huge numbers.
    Huge { letters: u8, row: u64 },
    /// No `r` attribute.
    Missing,
}

#[derive(Debug, Arbitrary)]
pub enum Value {
    Shared(u32),
    Inline(String),
    Number(f64),
    Bool(bool),
    Error(String),
    Str(String),
    IsoDate(String),
    Empty,
}

#[derive(Debug, Arbitrary)]
pub struct CellSpec {
    at: Reference,
    value: Value,
    style: Option<u8>,
    formula: Option<(String, bool, Option<String>)>,
}

#[derive(Debug, Arbitrary)]
pub struct RowSpec {
    number: Option<u64>,
    cells: Vec<CellSpec>,
}

#[derive(Debug, Arbitrary)]
pub struct Book {
    sheet_name: String,
    header: bool,
    rows: Vec<RowSpec>,
    strings: Vec<String>,
    unique_count: Option<u64>,
    dimension: Option<String>,
    date1904: bool,
    second_sheet: bool,
    declared_size: Option<u32>,
    prefix: bool,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn letters(mut n: u64) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

const HEADERS: [&str; 9] = [
    "Name",
    "Email",
    "Country",
    "Region",
    "Language",
    "Job title",
    "Department",
    "Employee ID",
    "Hire date",
];

fn sheet_xml(book: &Book, p: &str) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><{p}worksheet xmlns{} ="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        if p.is_empty() {
            String::new()
        } else {
            format!(":{}", &p[..p.len() - 1])
        }
    );
    if let Some(dimension) = &book.dimension {
        xml.push_str(&format!(r#"<{p}dimension ref="{}"/>"#, escape(dimension)));
    }
    xml.push_str(&format!("<{p}sheetData>"));
    if book.header {
        xml.push_str(&format!(r#"<{p}row r="1">"#));
        for (i, h) in HEADERS.iter().enumerate() {
            xml.push_str(&format!(
                r#"<{p}c r="{}1" t="inlineStr"><{p}is><{p}t>{h}</{p}t></{p}is></{p}c>"#,
                letters(i as u64)
            ));
        }
        xml.push_str(&format!("</{p}row>"));
    }
    for row in book.rows.iter().take(64) {
        match row.number {
            Some(n) => xml.push_str(&format!(r#"<{p}row r="{n}">"#)),
            None => xml.push_str(&format!("<{p}row>")),
        }
        for cell in row.cells.iter().take(32) {
            let r = match &cell.at {
                Reference::Normal { row, column } => {
                    format!(
                        r#" r="{}{}""#,
                        letters(u64::from(*column)),
                        u64::from(*row) + 1
                    )
                }
                Reference::Raw(text) => format!(r#" r="{}""#, escape(text)),
                Reference::Huge { letters: l, row } => {
                    format!(r#" r="{}{row}""#, "A".repeat(usize::from(*l % 12) + 1))
                }
                Reference::Missing => String::new(),
            };
            let s = cell
                .style
                .map(|s| format!(r#" s="{}""#, s % 4))
                .unwrap_or_default();
            let (t, inner) = match &cell.value {
                Value::Shared(i) => (r#" t="s""#, format!("<{p}v>{i}</{p}v>")),
                Value::Inline(text) => (
                    r#" t="inlineStr""#,
                    format!("<{p}is><{p}t>{}</{p}t></{p}is>", escape(text)),
                ),
                Value::Number(n) => ("", format!("<{p}v>{n}</{p}v>")),
                Value::Bool(b) => (r#" t="b""#, format!("<{p}v>{}</{p}v>", u8::from(*b))),
                Value::Error(e) => (r#" t="e""#, format!("<{p}v>{}</{p}v>", escape(e))),
                Value::Str(text) => (r#" t="str""#, format!("<{p}v>{}</{p}v>", escape(text))),
                Value::IsoDate(text) => (r#" t="d""#, format!("<{p}v>{}</{p}v>", escape(text))),
                Value::Empty => ("", String::new()),
            };
            let f = match &cell.formula {
                None => String::new(),
                Some((text, shared, reference)) => {
                    let mut attrs = String::new();
                    if *shared {
                        attrs.push_str(r#" t="shared" si="0""#);
                    }
                    if let Some(reference) = reference {
                        attrs.push_str(&format!(r#" ref="{}""#, escape(reference)));
                    }
                    format!("<{p}f{attrs}>{}</{p}f>", escape(text))
                }
            };
            xml.push_str(&format!("<{p}c{r}{s}{t}>{f}{inner}</{p}c>"));
        }
        xml.push_str(&format!("</{p}row>"));
    }
    xml.push_str(&format!("</{p}sheetData></{p}worksheet>"));
    xml
}

pub fn build(book: &Book) -> Vec<u8> {
    let p = if book.prefix { "x:" } else { "" };
    let name = if book.sheet_name.is_empty() {
        "Users".to_string()
    } else {
        escape(&book.sheet_name)
    };
    let mut sheets = format!(r#"<sheet name="{name}" sheetId="1" r:id="rId1"/>"#);
    let mut rels = String::from(
        r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    );
    if book.second_sheet {
        sheets.push_str(r#"<sheet name="Other" sheetId="2" r:id="rId2"/>"#);
        rels.push_str(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>"#);
    }
    rels.push_str(r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#);
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{}<sheets>{sheets}</sheets></workbook>"#,
        if book.date1904 {
            r#"<workbookPr date1904="1"/>"#
        } else {
            ""
        }
    );
    let count = book.unique_count.unwrap_or(book.strings.len() as u64);
    let mut sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">"#
    );
    for s in book.strings.iter().take(64) {
        sst.push_str(&format!("<si><t>{}</t></si>", escape(s)));
    }
    sst.push_str("</sst>");
    let styles = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="49" applyNumberFormat="1"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
    let content_types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let wb_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
    );
    let sheet = sheet_xml(book, p);
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", content_types.as_bytes().to_vec()),
        ("_rels/.rels", root_rels.as_bytes().to_vec()),
        ("xl/workbook.xml", workbook.into_bytes()),
        ("xl/_rels/workbook.xml.rels", wb_rels.into_bytes()),
        ("xl/sharedStrings.xml", sst.into_bytes()),
        ("xl/styles.xml", styles.as_bytes().to_vec()),
        ("xl/worksheets/sheet1.xml", sheet.clone().into_bytes()),
    ];
    if book.second_sheet {
        parts.push(("xl/worksheets/sheet2.xml", sheet.into_bytes()));
    }
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (path, bytes) in &parts {
        writer.start_file(*path, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    let mut bytes = writer.finish().unwrap().into_inner();
    if let Some(size) = book.declared_size {
        // Rewrite the declared uncompressed size of the last central-directory entry (the
        // sheet): a lie the reader must survive.
        if let Some(at) = bytes.windows(4).rposition(|w| w == b"PK\x01\x02")
            && at + 28 <= bytes.len()
        {
            bytes[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
        }
    }
    bytes
}

/// Builds the package, compares the two readers on it, and validates it with the default
/// limits, on one thread and on two: the outcome must be the same both ways.
pub fn run(book: &Book) -> Result<Validation, Error> {
    let bytes = build(book);
    // The crate's own reader and calamine read the workbook alike, cell by cell.
    if let Err(difference) = user_import::testing::compare_xlsx_readers(&bytes) {
        panic!("the two readers differ on {book:?}:\n{difference}");
    }
    let schema = Schema::default();
    let one = Limits {
        parallel_min_bytes: u64::MAX,
        ..Limits::default()
    };
    let outcome = user_import::validate_bytes(&bytes, &schema, &one);
    // Read on two threads, the outcome is the same.
    let two = Limits {
        parallel_min_bytes: 0,
        ..Limits::default()
    };
    let parallel = user_import::validate_bytes(&bytes, &schema, &two);
    let shown = |outcome: &Result<Validation, Error>| match outcome {
        Err(error) => format!("{}: {error}", error.code()),
        Ok(validation) => format!("{:?} {:?}", validation.records(), validation.issues()),
    };
    assert_eq!(
        shown(&parallel),
        shown(&outcome),
        "two threads differ from one"
    );
    outcome
}
