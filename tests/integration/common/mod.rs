//! Workbooks built inside the tests: with rust_xlsxwriter, and hand-assembled packages for the
//! shapes other producers (and attackers) write.

#![allow(dead_code)]

#[cfg(feature = "jobs")]
mod examples;
#[cfg(all(feature = "jobs", feature = "smtp"))]
pub use examples::example_binary;

use std::io::{Cursor, Write};

use user_import::{Limits, Schema, Validation, validate_bytes};
use zip::write::SimpleFileOptions;

/// The default schema's headers, in order.
pub const HEADERS: [&str; 9] = [
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

/// A valid row of the default schema.
pub fn ann() -> Vec<&'static str> {
    vec![
        "Ann Lee",
        "ann@example.com",
        "CA",
        "CA-QC",
        "en",
        "Nurse",
        "ER",
        "000123",
        "2024-03-31",
    ]
}

/// Builds a workbook with the default schema's header row and `rows` written as text.
pub fn filled(rows: &[&[&str]]) -> Vec<u8> {
    user_import::testing::workbook(&Schema::default(), rows)
}

/// Reads `bytes` with the default schema and limits.
pub fn check(bytes: &[u8]) -> Result<Validation, user_import::Error> {
    validate_bytes(bytes, &Schema::default(), &Limits::default())
}

/// Reads `bytes` with the default schema and limits, expecting the file to be readable.
pub fn read_ok(bytes: &[u8]) -> Validation {
    match check(bytes) {
        Ok(validation) => validation,
        Err(error) => panic!("expected a readable file, got: {error}"),
    }
}

/// Zips `entries` (path, bytes) into a package, deflated.
pub fn zip_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_entries_with(entries, zip::CompressionMethod::Deflated)
}

/// Zips `entries` with a chosen compression method.
pub fn zip_entries_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false);
    for (path, bytes) in entries {
        writer.start_file(*path, options).expect("start entry");
        writer.write_all(bytes).expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

/// A hand-assembled `.xlsx` package: the minimum parts Excel's readers need, with sheet XML,
/// shared strings and styles under the test's control.
#[derive(Debug, Clone)]
pub struct Package {
    /// (sheet name, full worksheet XML)
    pub sheets: Vec<(String, String)>,
    /// Full `xl/sharedStrings.xml`, if any.
    pub shared_strings: Option<String>,
    /// Full `xl/styles.xml`, if any.
    pub styles: Option<String>,
    /// Whether the workbook uses the 1904 date system.
    pub date1904: bool,
    /// Extra parts.
    pub extra: Vec<(String, Vec<u8>)>,
    /// How entries are compressed.
    pub method: zip::CompressionMethod,
}

impl Default for Package {
    fn default() -> Self {
        Package {
            sheets: Vec::new(),
            shared_strings: None,
            styles: None,
            date1904: false,
            extra: Vec::new(),
            method: zip::CompressionMethod::Deflated,
        }
    }
}

/// A worksheet part around `sheet_data` (the inside of `<sheetData>`).
pub fn worksheet(sheet_data: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>{sheet_data}</sheetData></worksheet>"#
    )
}

/// A shared-strings part holding `strings`.
pub fn shared_strings(strings: &[&str]) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        strings.len()
    );
    for s in strings {
        xml.push_str(&format!(
            "<si><t xml:space=\"preserve\">{}</t></si>",
            escape(s)
        ));
    }
    xml.push_str("</sst>");
    xml
}

/// A styles part whose cell format 1 is a date (`yyyy-mm-dd`, number format 164) and format 2
/// is Text (`@`).
pub fn date_styles() -> String {
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#
        .to_string()
}

/// Escapes text for XML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An inline-string cell.
pub fn inline(reference: &str, text: &str) -> String {
    format!(
        r#"<c r="{reference}" t="inlineStr"><is><t>{}</t></is></c>"#,
        escape(text)
    )
}

/// A row of inline-string cells starting at column A.
pub fn inline_row(row: u32, values: &[&str]) -> String {
    let mut xml = format!(r#"<row r="{row}">"#);
    for (index, value) in values.iter().enumerate() {
        if value.is_empty() {
            continue;
        }
        xml.push_str(&inline(&format!("{}{row}", letters(index as u32)), value));
    }
    xml.push_str("</row>");
    xml
}

/// Column letters of a zero-based index.
pub fn letters(mut column: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

impl Package {
    /// A package with one sheet named `name` holding `sheet_data`.
    pub fn with_sheet(name: &str, sheet_data: &str) -> Package {
        Package {
            sheets: vec![(name.to_string(), worksheet(sheet_data))],
            ..Package::default()
        }
    }

    /// Adds a sheet with full worksheet XML.
    pub fn sheet_xml(mut self, name: &str, xml: String) -> Package {
        self.sheets.push((name.to_string(), xml));
        self
    }

    /// Adds a sheet holding `sheet_data`.
    pub fn sheet(self, name: &str, sheet_data: &str) -> Package {
        self.sheet_xml(name, worksheet(sheet_data))
    }

    /// Zips the package.
    pub fn build(&self) -> Vec<u8> {
        let mut content_types = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
        );
        let mut workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{}<sheets>"#,
            if self.date1904 {
                r#"<workbookPr date1904="1"/>"#
            } else {
                ""
            }
        );
        let mut rels = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        );
        let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
        for (index, (name, xml)) in self.sheets.iter().enumerate() {
            let n = index + 1;
            content_types.push_str(&format!(
                r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            ));
            workbook.push_str(&format!(
                r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
                escape(name)
            ));
            rels.push_str(&format!(
                r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
            ));
            parts.push((
                format!("xl/worksheets/sheet{n}.xml"),
                xml.clone().into_bytes(),
            ));
        }
        let base = self.sheets.len() + 1;
        if let Some(sst) = &self.shared_strings {
            content_types.push_str(r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#);
            rels.push_str(&format!(
                r#"<Relationship Id="rId{base}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
            ));
            parts.push(("xl/sharedStrings.xml".to_string(), sst.clone().into_bytes()));
        }
        if let Some(styles) = &self.styles {
            content_types.push_str(r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#);
            rels.push_str(&format!(
                r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
                base + 1
            ));
            parts.push(("xl/styles.xml".to_string(), styles.clone().into_bytes()));
        }
        content_types.push_str("</Types>");
        workbook.push_str("</sheets></workbook>");
        rels.push_str("</Relationships>");
        let root_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
        let mut entries: Vec<(String, Vec<u8>)> = vec![
            (
                "[Content_Types].xml".to_string(),
                content_types.into_bytes(),
            ),
            ("_rels/.rels".to_string(), root_rels.as_bytes().to_vec()),
            ("xl/workbook.xml".to_string(), workbook.into_bytes()),
            ("xl/_rels/workbook.xml.rels".to_string(), rels.into_bytes()),
        ];
        entries.extend(parts);
        entries.extend(self.extra.iter().cloned());
        let borrowed: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
            .collect();
        zip_entries_with(&borrowed, self.method)
    }
}

/// A filled-in template of `count` users `User 0 <prefix0@example.com>`, `User 1`... in
/// Quebec, in English.
pub fn users_workbook(prefix: &str, count: usize) -> Vec<u8> {
    let emails: Vec<String> = (0..count)
        .map(|i| format!("{prefix}{i}@example.com"))
        .collect();
    user_import::testing::workbook_of_emails(&emails)
}
