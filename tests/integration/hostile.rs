//! Hostile uploads: every one ends in a clear `Err` (or, for a bad cell, an exact issue), and
//! none makes the reader use unbounded memory.
//!
//! Each case is named; the catalogue's reader cases (`catalogue.rs`) join the list. Here every
//! case is read on one thread and on two; `probe.rs` runs each one in a child process, with its
//! own limits and bounded memory, and with the default limits in a 1 GiB address space.

use user_import::{Error, FileKind, IssueCode, Limits, Schema, Validation, validate_bytes};

use crate::common::*;

/// The CSV and OpenDocument cases, in the same table.
#[path = "hostile_formats.rs"]
mod other_formats;

pub(super) type Outcome = Result<Validation, Error>;

/// The bytes of an upload and the limits it is read with.
pub(super) struct Fixture {
    pub(super) bytes: Vec<u8>,
    pub(super) limits: Limits,
}

impl Fixture {
    pub(super) fn new(bytes: Vec<u8>) -> Fixture {
        Fixture {
            bytes,
            limits: Limits::default(),
        }
    }

    pub(super) fn limits(mut self, limits: Limits) -> Fixture {
        self.limits = limits;
        self
    }
}

pub(super) struct Case {
    pub(super) name: &'static str,
    pub(super) fixture: fn() -> Fixture,
    pub(super) expect: fn(&Outcome),
}

pub(super) fn run(case: &Case) -> String {
    let fixture = (case.fixture)();
    let outcome = validate_bytes(&fixture.bytes, &Schema::default(), &fixture.limits);
    (case.expect)(&outcome);
    describe(&outcome)
}

/// The error code, or `ok` and the codes of the issues (each once).
pub(super) fn describe(outcome: &Outcome) -> String {
    match outcome {
        Err(error) => error.code().to_string(),
        Ok(validation) => {
            let mut codes: Vec<&str> = validation
                .issues()
                .iter()
                .map(|i| i.code.as_str())
                .collect();
            codes.sort_unstable();
            codes.dedup();
            if codes.is_empty() {
                format!("ok ({} rows)", validation.records().len())
            } else {
                format!(
                    "ok ({} rows; {})",
                    validation.records().len(),
                    codes.join(", ")
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

pub(super) fn error(outcome: &Outcome) -> &Error {
    match outcome {
        Err(error) => error,
        Ok(validation) => panic!(
            "expected an error, got {} rows and the issues {:#?}",
            validation.records().len(),
            validation.issues()
        ),
    }
}

pub(super) fn readable(outcome: &Outcome) -> &Validation {
    match outcome {
        Ok(validation) => validation,
        Err(error) => panic!("expected a readable file, got {}: {error}", error.code()),
    }
}

/// The error has `code` and its message has every one of `fragments`.
pub(super) fn expect_error(outcome: &Outcome, code: &str, fragments: &[&str]) {
    let error = error(outcome);
    let message = error.to_string();
    assert_eq!(error.code(), code, "message: {message}");
    for fragment in fragments {
        assert!(
            message.contains(fragment),
            "`{message}` does not contain `{fragment}`"
        );
    }
}

pub(super) fn expect_not_xlsx(outcome: &Outcome, expected: FileKind) {
    let error = error(outcome);
    assert!(
        matches!(error, Error::NotXlsx { kind } if *kind == expected),
        "expected NotXlsx {{ kind: {expected:?} }}, got {error:?}"
    );
    assert_eq!(error.code(), "file.not_xlsx");
    let message = error.to_string();
    let start = format!("the file is {expected}, not an Excel workbook; ");
    assert!(message.starts_with(&start), "{message}");
    assert!(message.ends_with(expected.advice()), "{message}");
}

/// A `LimitExceeded` error over `what`, with the value and limit named in its message. A value
/// of `None` only checks that the value is over the limit.
pub(super) fn expect_limit(
    outcome: &Outcome,
    expected_what: &str,
    expected_value: Option<u64>,
    limit: u64,
) {
    let error = error(outcome);
    let Error::LimitExceeded {
        what,
        value,
        limit: found_limit,
        ..
    } = error
    else {
        panic!("expected LimitExceeded over {expected_what}, got {error:?}");
    };
    assert_eq!(error.code(), "file.limit_exceeded");
    assert_eq!(what.to_string(), expected_what);
    assert_eq!(*found_limit, limit);
    match expected_value {
        Some(expected) => assert_eq!(*value, expected),
        None => assert!(*value > limit, "{value} is not over {limit}"),
    }
    let message = error.to_string();
    let named = format!("the file {expected_what} ({value}) exceeds the limit of {limit}; ");
    assert!(message.starts_with(&named), "{message}");
}

pub(super) fn expect_outside(outcome: &Outcome, expected_part: &str, expected_reference: &str) {
    let error = error(outcome);
    assert!(
        matches!(error, Error::CellOutsideGrid { part, reference }
            if part == expected_part && reference == expected_reference),
        "expected CellOutsideGrid {{ {expected_part}, {expected_reference} }}, got {error:?}"
    );
    assert_eq!(error.code(), "file.cell_outside_grid");
    let message = error.to_string();
    assert!(
        message.contains(&format!(
            "has the cell reference `{expected_reference}`, outside"
        )),
        "{message}"
    );
}

/// A readable file whose only issue is `code` at (`row`, `column`), with the named arguments.
pub(super) fn expect_only_issue(
    outcome: &Outcome,
    row: u32,
    column: &str,
    code: IssueCode,
    args: &[(&str, &str)],
) {
    let validation = readable(outcome);
    let issues = validation.issues();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let issue = &issues[0];
    assert_eq!(
        (issue.row, issue.column.as_deref(), issue.code),
        (Some(row), Some(column), code),
        "{issue:#?}"
    );
    for (name, value) in args {
        assert_eq!(issue.get_arg(name), Some(*value), "{name} of {issue:#?}");
    }
}

/// A readable file of `rows` valid users and no issues.
pub(super) fn expect_rows(outcome: &Outcome, rows: usize) {
    let validation = readable(outcome);
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records().len(), rows);
    assert!(validation.is_valid());
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

pub(super) const SHEET1: &str = "xl/worksheets/sheet1.xml";

pub(super) fn header() -> String {
    inline_row(1, &HEADERS)
}

/// A valid user on `row`, with an email of its own.
pub(super) fn user(row: u32) -> String {
    let email = format!("user{row}@example.com");
    let mut values = ann();
    values[1] = &email;
    inline_row(row, &values)
}

/// The header row and `count` valid users.
pub(super) fn users(count: u32) -> String {
    let mut data = header();
    for row in 2..count + 2 {
        data.push_str(&user(row));
    }
    data
}

/// A workbook whose `Users` sheet holds `sheet_data`.
pub(super) fn sheet(sheet_data: &str) -> Vec<u8> {
    Package::with_sheet("Users", sheet_data).build()
}

/// A workbook whose `Users` sheet is the worksheet part `xml`, as written.
pub(super) fn sheet_xml(xml: String) -> Vec<u8> {
    Package::default().sheet_xml("Users", xml).build()
}

/// The header and one user, with `cell` (a whole `<c>` element) in row 2 after the user's cells.
pub(super) fn with_cell_in_row_2(cell: &str) -> Vec<u8> {
    let row = user(2).replace("</row>", &format!("{cell}</row>"));
    sheet(&format!("{}{row}", header()))
}

/// `len` lowercase letters that deflate hardly compresses, so a big part stays under the
/// compression-ratio limit.
pub(super) fn noise(len: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

/// A valid workbook: the header and one user.
pub(super) fn valid() -> Vec<u8> {
    sheet(&users(1))
}

/// An OLE compound file header followed by `stream_name` in UTF-16LE, as a directory entry.
pub(super) fn ole(stream_name: &str) -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(1024, 0);
    bytes.extend(stream_name.encode_utf16().flat_map(u16::to_le_bytes));
    bytes.resize(4096, 0);
    bytes
}

/// A package with the usual parts, whose one sheet `Users` is the relationship target
/// `target` (relative to `xl/`), plus `parts` (path, bytes) as given.
pub(super) fn package_with_target(target: &str, parts: &[(&str, &[u8])]) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Users" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/></Relationships>"#
    );
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
    ];
    entries.extend_from_slice(parts);
    zip_entries(&entries)
}

/// A workbook listing `copies` sheets that all point at one worksheet part holding `part`,
/// then the data sheet `Data` (not `Users`: found by its headers) with 10 valid users.
fn one_part_as_many_sheets(copies: usize, part: &str) -> Vec<u8> {
    let mut sheets = String::new();
    for n in 0..copies {
        sheets.push_str(&format!(
            r#"<sheet name="s{n}" sheetId="{}" r:id="rId2"/>"#,
            n + 2
        ));
    }
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#;
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let mut data = header();
    for row in 0..10 {
        let email = format!("user{row}@example.com");
        data.push_str(&inline_row(row + 2, &["User", &email, "CA", "QC", "en"]));
    }
    let data = worksheet(&data);
    let filler = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{part}</sheetData></worksheet>"#
    );
    zip_entries(&[
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#),
        ("_rels/.rels", root_rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", data.as_bytes()),
        ("xl/worksheets/sheet2.xml", filler.as_bytes()),
    ])
}

/// About `bytes` of empty cells `<c/>`, in no row.
fn bare_cells(bytes: usize) -> String {
    "<c/>".repeat(bytes / 4)
}

/// `bytes` of letters that deflate poorly (a fixed pseudo-random sequence) and parse fast.
fn letters_text(bytes: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..bytes)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

/// Patches the local and central headers of the zip entry `name`: `patch(local, central)`
/// gets the 30-byte local header and the 46-byte central directory header.
pub(super) fn patch_entry(
    mut zip: Vec<u8>,
    name: &str,
    patch: impl Fn(&mut [u8], &mut [u8]),
) -> Vec<u8> {
    let end = zip.len() - 22;
    assert_eq!(&zip[end..end + 4], b"PK\x05\x06", "a zip without a comment");
    let u16_at = |zip: &[u8], at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]) as usize;
    let u32_at = |zip: &[u8], at: usize| {
        u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]) as usize
    };
    let count = u16_at(&zip, end + 10);
    let mut at = u32_at(&zip, end + 16);
    for _ in 0..count {
        assert_eq!(&zip[at..at + 4], b"PK\x01\x02");
        let name_len = u16_at(&zip, at + 28);
        let next = at + 46 + name_len + u16_at(&zip, at + 30) + u16_at(&zip, at + 32);
        if &zip[at + 46..at + 46 + name_len] == name.as_bytes() {
            let local = u32_at(&zip, at + 42);
            let mut central = zip[at..at + 46].to_vec();
            let mut local_header = zip[local..local + 30].to_vec();
            patch(&mut local_header, &mut central);
            zip[at..at + 46].copy_from_slice(&central);
            zip[local..local + 30].copy_from_slice(&local_header);
            return zip;
        }
        at = next;
    }
    panic!("no entry {name}");
}

pub(super) fn set_u16(header: &mut [u8], at: usize, value: u16) {
    header[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

pub(super) fn set_u32(header: &mut [u8], at: usize, value: u32) {
    header[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// A styles part whose one number format and one font name are `long` bytes long, with
/// `formats` cell formats using both.
pub(super) fn styles_with_long_values(long: usize, formats: usize) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="{0}"/></numFmts><fonts count="1"><font><sz val="11"/><name val="{0}"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellXfs count="{formats}">"#,
        "0".repeat(long)
    );
    for _ in 0..formats {
        xml.push_str(r#"<xf numFmtId="164" fontId="0"/>"#);
    }
    xml.push_str("</cellXfs></styleSheet>");
    xml
}

/// A shared-strings part with `strings`, without `count` attributes.
pub(super) fn shared_strings_without_counts(strings: &[&str]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    for s in strings {
        xml.push_str(&format!("<si><t>{}</t></si>", escape(s)));
    }
    xml.push_str("</sst>");
    xml
}

/// A central directory of `count` empty entries behind a zip64 end record: a small file that
/// declares many parts.
pub(super) fn many_entries(count: usize) -> Vec<u8> {
    let mut file = b"PK\x03\x04".to_vec();
    file.extend_from_slice(&[0; 26]);
    let directory_start = file.len() as u64;
    for index in 0..count {
        let name = format!("{index:x}");
        file.extend_from_slice(b"PK\x01\x02");
        file.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        file.extend_from_slice(&[0; 12]);
        file.extend_from_slice(&(name.len() as u16).to_le_bytes());
        file.extend_from_slice(&[0; 16]);
        file.extend_from_slice(name.as_bytes());
    }
    let directory_len = file.len() as u64 - directory_start;
    let zip64_end = file.len() as u64;
    file.extend_from_slice(b"PK\x06\x06");
    file.extend_from_slice(&44u64.to_le_bytes());
    file.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    file.extend_from_slice(&(count as u64).to_le_bytes());
    file.extend_from_slice(&(count as u64).to_le_bytes());
    file.extend_from_slice(&directory_len.to_le_bytes());
    file.extend_from_slice(&directory_start.to_le_bytes());
    file.extend_from_slice(b"PK\x06\x07\0\0\0\0");
    file.extend_from_slice(&zip64_end.to_le_bytes());
    file.extend_from_slice(&1u32.to_le_bytes());
    file.extend_from_slice(
        b"PK\x05\x06\0\0\0\0\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\0\0",
    );
    file
}

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

/// Every case: this file's and the catalogue's (`catalogue.rs`).
pub(super) fn cases() -> Vec<Case> {
    let mut all = own_cases();
    all.extend(super::catalogue::cases());
    all
}

#[rustfmt::skip]
fn own_cases() -> Vec<Case> {
    vec![
        // ---- Not an .xlsx at all ----------------------------------------------------------
        Case {
            name: "empty file",
            fixture: || Fixture::new(Vec::new()),
            expect: |o| expect_not_xlsx(o, FileKind::Empty),
        },
        Case {
            name: "CSV text without the template's headers",
            fixture: || Fixture::new(b"Name,Email,Country\nAnn Lee,ann@example.com,CA\n".to_vec()),
            expect: |o| expect_error(o, "file.missing_columns", &["`Region`, `Language`"]),
        },
        Case {
            name: "plain text",
            fixture: || Fixture::new(b"Here are the users.\nAnn Lee\n".to_vec()),
            expect: |o| expect_error(o, "file.missing_columns", &["`Name`, `Email`, `Country`, `Region`, `Language`"]),
        },
        Case {
            name: "legacy .xls",
            fixture: || Fixture::new(ole("Workbook")),
            expect: |o| expect_not_xlsx(o, FileKind::Xls),
        },
        Case {
            name: "password-protected .xlsx",
            fixture: || Fixture::new(ole("EncryptedPackage")),
            expect: |o| expect_not_xlsx(o, FileKind::Encrypted),
        },
        Case {
            name: ".ods without a manifest",
            fixture: || Fixture::new(zip_entries_with(
                &[
                    ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                    ("content.xml", b"<office:document-content/>"),
                ],
                zip::CompressionMethod::Stored,
            )),
            expect: |o| expect_error(o, "file.corrupt", &["the spreadsheet cannot be opened"]),
        },
        Case {
            name: "OpenDocument zip whose mimetype is not first",
            fixture: || Fixture::new(zip_entries_with(
                &[
                    ("content.xml", b"<office:document-content/>"),
                    ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                ],
                zip::CompressionMethod::Stored,
            )),
            expect: |o| expect_not_xlsx(o, FileKind::Ods),
        },
        Case {
            name: "zip without xl/workbook.xml",
            fixture: || Fixture::new(zip_entries(&[("readme.txt", b"hello"), ("data/users.xml", b"<users/>")])),
            expect: |o| expect_not_xlsx(o, FileKind::Zip),
        },
        Case {
            name: ".xlsb",
            fixture: || Fixture::new(zip_entries(&[("xl/workbook.bin", b"\x83\x01\x00")])),
            expect: |o| expect_not_xlsx(o, FileKind::Xlsb),
        },
        Case {
            name: "truncated .xlsx (first half)",
            fixture: || {
                let bytes = valid();
                Fixture::new(bytes[..bytes.len() / 2].to_vec())
            },
            expect: |o| expect_not_xlsx(o, FileKind::Truncated),
        },
        Case {
            name: "PDF",
            fixture: || Fixture::new(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< >>\nendobj\n".to_vec()),
            expect: |o| expect_not_xlsx(o, FileKind::Pdf),
        },
        Case {
            name: "HTML",
            fixture: || Fixture::new(b"<!DOCTYPE html>\n<html><body><table><tr><td>Name</td></tr></table></body></html>".to_vec()),
            expect: |o| expect_not_xlsx(o, FileKind::Html),
        },
        // ---- Over a limit -------------------------------------------------------------------
        Case {
            name: "file over max_file_bytes",
            fixture: || Fixture::new(valid()).limits(Limits { max_file_bytes: 1024, ..Limits::default() }),
            expect: |o| {
                let size = valid().len() as u64;
                expect_limit(o, "size in bytes", Some(size), 1024);
            },
        },
        Case {
            name: "too many zip entries",
            fixture: || {
                let mut package = Package::with_sheet("Users", &users(1));
                for index in 0..40 {
                    package.extra.push((format!("customXml/item{index}.xml"), b"<a/>".to_vec()));
                }
                Fixture::new(package.build()).limits(Limits { max_entries: 20, ..Limits::default() })
            },
            // 4 package parts, the sheet and the 40 extra parts.
            expect: |o| expect_limit(o, "number of parts in the zip package", Some(45), 20),
        },
        Case {
            name: "zip64 directory of 100,000 entries",
            fixture: || Fixture::new(many_entries(100_000)),
            expect: |o| expect_limit(o, "number of parts in the zip package", Some(100_000), 1_000),
        },
        Case {
            name: "zip64 end record declaring 2^40 entries",
            fixture: || {
                let mut bytes = many_entries(1);
                // The zip64 end record's two entry counts, 56 + 20 + 22 bytes from the end.
                let at = bytes.len() - 98 + 24;
                bytes[at..at + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
                bytes[at + 8..at + 16].copy_from_slice(&(1u64 << 40).to_le_bytes());
                Fixture::new(bytes)
            },
            expect: |o| expect_limit(o, "number of parts in the zip package", Some(1 << 40), 1_000),
        },
        Case {
            name: "part declaring a 4 GB uncompressed size",
            fixture: || Fixture::new(patch_entry(valid(), SHEET1, |local, central| {
                set_u32(local, 22, 0xF000_0000);
                set_u32(central, 24, 0xF000_0000);
            })),
            expect: |o| expect_limit(o, "largest part, in uncompressed bytes,", Some(0xF000_0000), 700 << 20),
        },
        Case {
            name: "parts over max_total_bytes",
            fixture: || Fixture::new(valid()).limits(Limits { max_total_bytes: 2_000, ..Limits::default() }),
            expect: |o| expect_limit(o, "total uncompressed size in bytes", None, 2_000),
        },
        Case {
            name: "compression ratio (2 MiB of blanks)",
            fixture: || {
                let data = format!("{}{}{}", header(), " ".repeat(2 << 20), user(2));
                Fixture::new(sheet(&data))
            },
            expect: |o| expect_limit(o, "compression ratio of a part", None, 300),
        },
        Case {
            name: "shared strings over max_shared_strings_bytes",
            fixture: || Fixture::new(Package {
                shared_strings: Some(shared_strings(&["Ann Lee"; 20])),
                ..Package::with_sheet("Users", &users(1))
            }.build()).limits(Limits { max_shared_strings_bytes: 200, ..Limits::default() }),
            expect: |o| expect_limit(o, "shared-strings part, in uncompressed bytes,", None, 200),
        },
        Case {
            name: "uniqueCount=\"2000000000\"",
            fixture: || Fixture::new(Package {
                shared_strings: Some(shared_strings(&["Ann Lee"]).replace(r#"uniqueCount="1""#, r#"uniqueCount="2000000000""#)),
                ..Package::with_sheet("Users", &users(1))
            }.build()),
            expect: |o| expect_limit(o, "declared number of shared strings", Some(2_000_000_000), 6_000_000),
        },
        Case {
            name: "<si> count over max_shared_strings",
            fixture: || Fixture::new(Package {
                shared_strings: Some(shared_strings_without_counts(&["x"; 11])),
                ..Package::with_sheet("Users", &users(1))
            }.build()).limits(Limits { max_shared_strings: 10, ..Limits::default() }),
            expect: |o| expect_limit(o, "number of shared strings", Some(11), 10),
        },
        Case {
            name: "rows over max_rows",
            fixture: || Fixture::new(sheet(&users(5))).limits(Limits { max_rows: 3, ..Limits::default() }),
            expect: |o| expect_limit(o, "number of user rows", Some(4), 3),
        },
        Case {
            name: "header columns over max_columns",
            fixture: || Fixture::new(valid()).limits(Limits { max_columns: 5, ..Limits::default() }),
            expect: |o| expect_limit(o, "number of columns in the header row", Some(6), 5),
        },
        Case {
            name: "cell over max_cell_chars",
            fixture: || {
                let name = "A".repeat(60);
                let mut values = ann();
                values[0] = &name;
                Fixture::new(sheet(&format!("{}{}", header(), inline_row(2, &values))))
                    .limits(Limits { max_cell_chars: 50, ..Limits::default() })
            },
            expect: |o| expect_only_issue(o, 2, "Name", IssueCode::TooLong, &[("length", "60"), ("limit", "50")]),
        },
        Case {
            name: "one shared string used by every cell (text budget)",
            fixture: || {
                let long = "a".repeat(128 << 10);
                let mut data = header();
                for row in 2..200 {
                    data.push_str(&format!(r#"<row r="{row}"><c r="A{row}" t="s"><v>0</v></c></row>"#));
                }
                Fixture::new(Package {
                    shared_strings: Some(shared_strings(&[&long])),
                    ..Package::with_sheet("Users", &data)
                }.build()).limits(Limits { max_text_bytes: 1 << 20, ..Limits::default() })
            },
            // 128 KiB handed out 198 times would be 25 MiB.
            expect: |o| expect_limit(o, "total length of the cell values in bytes", None, 1 << 20),
        },
        Case {
            name: "styles cloning long values into every format",
            fixture: || Fixture::new(Package {
                styles: Some(styles_with_long_values(60_000, 4_000)),
                ..Package::with_sheet("Users", &users(1))
            }.build()),
            expect: |o| expect_error(o, "file.limit_exceeded", &["the file number of cell formats, fonts, fills and borders in the styles part (4004) exceeds the limit of 1115; "]),
        },
        // ---- Cell references ----------------------------------------------------------------
        Case {
            name: "cell A99999999999",
            fixture: || Fixture::new(with_cell_in_row_2(&inline("A99999999999", "x"))),
            expect: |o| expect_outside(o, SHEET1, "A99999999999"),
        },
        Case {
            name: "cell XFE1",
            fixture: || Fixture::new(sheet(&users(1).replacen("</row>", &format!("{}</row>", inline("XFE1", "x")), 1))),
            expect: |o| expect_outside(o, SHEET1, "XFE1"),
        },
        Case {
            name: "cell A1048577",
            fixture: || Fixture::new(with_cell_in_row_2(&inline("A1048577", "x"))),
            expect: |o| expect_outside(o, SHEET1, "A1048577"),
        },
        Case {
            name: "<row r=\"99999999999\">",
            fixture: || Fixture::new(sheet(&format!("{}<row r=\"99999999999\"></row>", users(1)))),
            expect: |o| expect_outside(o, SHEET1, "99999999999"),
        },
        Case {
            name: "<dimension ref=\"A1:A99999999999\">",
            fixture: || Fixture::new(sheet_xml(worksheet(&users(1)).replace("<sheetData>", r#"<dimension ref="A1:A99999999999"/><sheetData>"#))),
            expect: |o| expect_outside(o, SHEET1, "A99999999999"),
        },
        Case {
            name: "shared formula ref=\"A1:A99999999999\"",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<c r="J2"><f t="shared" ref="A1:A99999999999" si="0">1+1</f><v>2</v></c>"#)),
            expect: |o| expect_outside(o, SHEET1, "A99999999999"),
        },
        Case {
            name: "letters-only reference",
            fixture: || Fixture::new(with_cell_in_row_2(&inline("ABC", "x"))),
            expect: |o| expect_outside(o, SHEET1, "ABC"),
        },
        Case {
            name: "over-long reference",
            fixture: || Fixture::new(with_cell_in_row_2(&inline(&format!("A{}", "1".repeat(200)), "x"))),
            // The message shows the reference cut to 40 characters.
            expect: |o| expect_outside(o, SHEET1, &format!("A{}", "1".repeat(39))),
        },
        Case {
            name: "reversed <dimension ref=\"B2:A1\">",
            fixture: || Fixture::new(sheet_xml(worksheet(&users(1)).replace("<sheetData>", r#"<dimension ref="B2:A1"/><sheetData>"#))),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has the range `B2:A1`, whose end comes before its start"]),
        },
        Case {
            name: "reversed shared formula ref=\"J3:J2\"",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<c r="J2"><f t="shared" ref="J3:J2" si="0">1+1</f><v>2</v></c>"#)),
            expect: |o| expect_error(o, "file.corrupt", &["has the range `J3:J2`, whose end comes before its start"]),
        },
        Case {
            name: "cells at A1 and XFD1048576",
            fixture: || Fixture::new(sheet(&format!(
                "{}<row r=\"1048576\">{}</row>",
                users(1),
                inline("XFD1048576", "far away")
            ))),
            expect: |o| {
                let validation = readable(o);
                assert_eq!(validation.records().len(), 1);
                assert!(validation.records()[0].is_valid());
                let issues = validation.issues();
                assert_eq!(issues.len(), 1, "{issues:#?}");
                assert_eq!(issues[0].code, IssueCode::ValuesOutsideColumns);
                assert_eq!(issues[0].get_arg("letter"), Some("XFD"));
                assert_eq!(issues[0].get_arg("first_row"), Some("1048576"));
            },
        },
        Case {
            name: "two cells at one position",
            fixture: || Fixture::new(with_cell_in_row_2(&inline("A2", "Ann again"))),
            expect: |o| expect_error(o, "file.duplicate_cell", &["sheet `Users` has two cells at A2"]),
        },
        Case {
            name: "rows out of order",
            fixture: || Fixture::new(sheet(&format!("{}{}{}", header(), user(3), user(2)))),
            expect: |o| expect_error(o, "file.corrupt", &["sheet `Users` has row 2 after row 3, out of order"]),
        },
        Case {
            name: "<c> tag never closed",
            fixture: || {
                let xml = worksheet(&users(1));
                let cut = xml.find(r#"<c r="B2""#).unwrap() + r#"<c r="B2""#.len();
                Fixture::new(sheet_xml(xml[..cut].to_string()))
            },
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has a `<c>` tag that is not closed"]),
        },
        Case {
            name: "<c> element never closed",
            fixture: || Fixture::new(sheet(&format!(
                r#"{}<row r="2"><c r="A2" t="inlineStr"><is><t>Ann Lee</t></is></row>"#,
                header()
            ))),
            expect: |o| expect_error(o, "file.corrupt", &["sheet `Users` cannot be read"]),
        },
        Case {
            name: "attribute without quotes",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<c r=J2 t="inlineStr"><is><t>x</t></is></c>"#)),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has an attribute without quotes"]),
        },
        Case {
            name: "attribute without a value",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<c r="J2" hidden><v>1</v></c>"#)),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has an attribute without a value"]),
        },
        Case {
            name: "duplicate r attribute",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<c r="J2" r="A99999999999" t="inlineStr"><is><t>x</t></is></c>"#)),
            expect: |o| expect_outside(o, SHEET1, "A99999999999"),
        },
        Case {
            name: "namespaced <x:c>",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<x:c r="A99999999999" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>"#)),
            expect: |o| expect_outside(o, SHEET1, "A99999999999"),
        },
        // ---- Tags hidden from a scan that parses differently from calamine's XML parser ----
        Case {
            name: "cell hidden behind a comment",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<!-- <c x='--><c r="A99999999999"/><!--'> -->"#)),
            expect: |o| expect_error(o, "file.corrupt", &["has a `<` inside the `<c>` tag"]),
        },
        Case {
            name: "cell hidden in an attribute value",
            fixture: || Fixture::new(with_cell_in_row_2(r#"<x a="<c x='"/><c r="A99999999999"/><x b="'>"/>"#)),
            expect: |o| expect_error(o, "file.corrupt", &["has a `<` inside the `<c>` tag"]),
        },
        Case {
            name: "cell hidden by a quote in an attribute name",
            fixture: || {
                let row = user(2).replacen(r#"<row r="2">"#, r#"<row r="2" a'="x' ><c r="A99999999999"/>">"#, 1);
                Fixture::new(sheet(&format!("{}{row}", header())))
            },
            expect: |o| expect_outside(o, SHEET1, "A99999999999"),
        },
        Case {
            name: "cell behind a 60 KB element prefix",
            fixture: || Fixture::new(with_cell_in_row_2(&format!(r#"<{}:c r="A99999999999"/>"#, "p".repeat(60_000)))),
            expect: |o| expect_outside(o, SHEET1, "A99999999999"),
        },
        Case {
            name: "cell behind a 1 MB element prefix",
            fixture: || Fixture::new(with_cell_in_row_2(&format!(r#"<{}:c r="A99999999999"/>"#, noise(1 << 20)))),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has an element name longer than 65536 bytes"]),
        },
        Case {
            name: "worksheet part without .xml extension",
            fixture: || {
                let xml = worksheet(&format!("{}{}", users(1), r#"<row r="3"><c r="A99999999999"/></row>"#));
                Fixture::new(package_with_target("worksheets/sheet1.bin", &[("xl/worksheets/sheet1.bin", xml.as_bytes())]))
            },
            expect: |o| expect_outside(o, "xl/worksheets/sheet1.bin", "A99999999999"),
        },
        Case {
            name: "shared-strings part read as a worksheet",
            fixture: || {
                let xml = format!(
                    r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst><sheetData>{}<row r="3"><c r="A99999999999"/></row></sheetData>"#,
                    users(1)
                );
                Fixture::new(package_with_target("sharedStrings.xml", &[("xl/sharedStrings.xml", xml.as_bytes())]))
            },
            expect: |o| expect_outside(o, "xl/sharedStrings.xml", "A99999999999"),
        },
        Case {
            name: "uniqueCount hidden behind a comment",
            fixture: || Fixture::new(Package {
                shared_strings: Some(shared_strings(&["Ann Lee"]).replacen(
                    "<sst ",
                    r#"<!-- <sst x='--><sst uniqueCount="2000000000"><!--'> --><sst "#,
                    1,
                )),
                ..Package::with_sheet("Users", &users(1))
            }.build()),
            expect: |o| expect_error(o, "file.corrupt", &["has a `<` inside the `<sst>` tag"]),
        },
        // ---- Zip level ----------------------------------------------------------------------
        Case {
            name: "entry encrypted with zip crypto",
            fixture: || Fixture::new(patch_entry(valid(), SHEET1, |local, central| {
                local[6] |= 1;
                central[8] |= 1;
            })),
            expect: |o| expect_not_xlsx(o, FileKind::Encrypted),
        },
        Case {
            name: "entry compressed with bzip2 (method 12)",
            fixture: || Fixture::new(patch_entry(valid(), SHEET1, |local, central| {
                set_u16(local, 8, 12);
                set_u16(central, 10, 12);
            })),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` uses the compression method"]),
        },
        Case {
            name: "entry inflating past its declared size",
            fixture: || Fixture::new(patch_entry(valid(), SHEET1, |local, central| {
                set_u32(local, 22, 100);
                set_u32(central, 24, 100);
            })),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` cannot be inflated"]),
        },
        // ---- Deep and huge XML --------------------------------------------------------------
        Case {
            name: "1 MB element name",
            fixture: || Fixture::new(sheet(&format!("{}<{}/>{}", header(), noise(1 << 20), user(2)))),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has an element name longer than 65536 bytes"]),
        },
        Case {
            name: "100,000 nested elements",
            fixture: || Fixture::new(sheet(&format!("{}{}{}", "<x>".repeat(100_000), users(1), "</x>".repeat(100_000)))),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "1 MB attribute value on a cell",
            fixture: || Fixture::new(with_cell_in_row_2(&format!(r#"<c r="J2" x="{}"/>"#, noise(1 << 20)))),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has a `<c>` tag longer than 65536 bytes"]),
        },
        Case {
            name: "1 MB attribute value on another element",
            fixture: || Fixture::new(sheet(&format!(r#"{}<x a="{}"/>{}"#, header(), noise(1 << 20), user(2)))),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "1 MB cell text",
            fixture: || {
                let name = noise(1 << 20);
                let mut values = ann();
                values[0] = &name;
                Fixture::new(sheet(&format!("{}{}", header(), inline_row(2, &values))))
            },
            expect: |o| expect_only_issue(o, 2, "Name", IssueCode::TooLong, &[("length", "1048576"), ("limit", "255")]),
        },
        Case {
            name: "row of 16,384 cells",
            fixture: || {
                let mut row = user(2).replace("</row>", "");
                for column in HEADERS.len() as u32..16_384 {
                    row.push_str(&format!(r#"<c r="{}2"><v>1</v></c>"#, letters(column)));
                }
                row.push_str("</row>");
                Fixture::new(sheet(&format!("{}{}", header(), row)))
            },
            expect: |o| {
                let validation = readable(o);
                assert_eq!(validation.records().len(), 1);
                // One warning per column right of the header, up to 50.
                assert_eq!(validation.issues().len(), 50);
                assert!(validation.issues().iter().all(|i| i.code == IssueCode::ValuesOutsideColumns));
                assert_eq!(validation.issues()[0].get_arg("letter"), Some("J"));
            },
        },
        // ---- Excel escapes ------------------------------------------------------------------
        Case {
            name: "_x0000_ in a name",
            fixture: || {
                let mut values = ann();
                values[0] = "Ann_x0000_Lee";
                Fixture::new(sheet(&format!("{}{}", header(), inline_row(2, &values))))
            },
            expect: |o| expect_only_issue(o, 2, "Name", IssueCode::ControlCharacter, &[("character", "a NUL character")]),
        },
        Case {
            name: "_x000D__x000A_ in a name",
            fixture: || {
                let mut values = ann();
                values[0] = "Ann_x000D__x000A_Lee";
                Fixture::new(sheet(&format!("{}{}", header(), inline_row(2, &values))))
            },
            expect: |o| expect_only_issue(o, 2, "Name", IssueCode::ControlCharacter, &[("character", "a carriage return")]),
        },
        // ---- One worksheet listed under many sheet names ----------------------------------
        // The data sheet is `Data`, so the reader looks for it by its headers through every
        // sheet listed before it, each the same part.
        Case {
            name: "one part listed as 1,000 sheets (3 KB, 32 s of reading before the sheet limit)",
            fixture: || Fixture::new(one_part_as_many_sheets(1_000, &bare_cells(1024 * 1024))),
            expect: |o| expect_error(o, "file.limit_exceeded", &["number of sheets (65)", "limit of 64", "delete the sheets"]),
        },
        Case {
            name: "one part of bare <c/> cells listed as 60 sheets",
            fixture: || Fixture::new(one_part_as_many_sheets(60, &bare_cells(1024 * 1024))),
            expect: |o| expect_rows(o, 10),
        },
        Case {
            name: "one part of 2 MiB of text listed as 60 sheets, read over and over",
            fixture: || Fixture::new(one_part_as_many_sheets(60, &letters_text(2 * 1024 * 1024))),
            expect: |o| expect_error(o, "file.limit_exceeded", &["number of bytes read to look through its sheets", "its sheets list the same worksheet again and again"]),
        },
    ]
    .into_iter()
    .chain(other_formats::cases())
    .collect()
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/// Every case read on two threads (`Limits::parallel_min_bytes` of 0) ends exactly as it does
/// on one: the same error and message, or the same records and issues.
#[test]
fn every_case_ends_the_same_on_two_threads() {
    let schema = Schema::default();
    let shown = |outcome: Outcome| match outcome {
        Err(error) => format!("{}: {error}", error.code()),
        Ok(validation) => format!("{:?} {:?}", validation.records(), validation.issues()),
    };
    for case in cases() {
        let fixture = (case.fixture)();
        let limits = |parallel_min_bytes| Limits {
            parallel_min_bytes,
            ..fixture.limits.clone()
        };
        let one = shown(validate_bytes(&fixture.bytes, &schema, &limits(u64::MAX)));
        let two = shown(validate_bytes(&fixture.bytes, &schema, &limits(0)));
        assert_eq!(two, one, "case `{}`", case.name);
    }
}

#[test]
fn case_names_are_unique() {
    let all = cases();
    let mut names: Vec<&str> = all.iter().map(|case| case.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len());
}
