//! Hostile CSV and OpenDocument uploads, in the table of `hostile.rs`: each ends in a clear
//! error (or rows with issues) in bounded memory, measured in a child process per case.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::*;
use crate::formats::{ods, ods_content, ods_row, ods_users};

/// The default schema's header line and Ann, as CSV.
fn csv_users() -> Vec<u8> {
    format!("{}\n{}\n", HEADERS.join(","), ann().join(",")).into_bytes()
}

/// Text as UTF-16LE with a byte-order mark.
fn utf16(text: &str) -> Vec<u8> {
    let mut bytes = b"\xFF\xFE".to_vec();
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// An `.ods` whose `content.xml` is `size` bytes: a valid sheet padded with spaces, deflated
/// (a zip bomb in small).
fn ods_padded(size: usize) -> Vec<u8> {
    let content = ods_content(
        "Users",
        &format!("{}{}", ods_row(&HEADERS), ods_row(&ann())),
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(b"<manifest:manifest/>").unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    let mut left = size.saturating_sub(content.len());
    while left > 0 {
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    zip.finish().unwrap().into_inner()
}

/// A manifest that says `content.xml` is encrypted, as LibreOffice writes a password-protected
/// file's.
fn encrypted_ods() -> Vec<u8> {
    let content = ods_content("Users", &ods_row(&HEADERS));
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

const ODS_MEMORY: &str = "memory needed to hold the OpenDocument sheets, in bytes,";

#[rustfmt::skip]
pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- CSV ------------------------------------------------------------------------
        Case {
            name: "CSV: valid",
            fixture: || Fixture::new(csv_users()),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "CSV: one 60 MB line without a line end",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend(std::iter::repeat_n(b'x', 60 * 1024 * 1024));
                Fixture::new(bytes)
            },
            expect: |o| expect_limit(o, "length of one row of text, in bytes,", Some(1024 * 1024 + 1), 1024 * 1024),
        },
        Case {
            name: "CSV: a quote opened and never closed for 60 MB",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend_from_slice(b"Bob,\"");
                bytes.extend(std::iter::repeat_n(b'x', 60 * 1024 * 1024));
                Fixture::new(bytes)
            },
            expect: |o| expect_limit(o, "length of one row of text, in bytes,", Some(1024 * 1024 + 1), 1024 * 1024),
        },
        Case {
            name: "CSV: a quote opened and never closed to the end",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend_from_slice(b"Bob,\"bob@example.com,CA\nCid,cid@example.com\n");
                Fixture::new(bytes)
            },
            expect: |o| expect_error(o, "file.unclosed_quote", &["row 3 has a value that opens a quote"]),
        },
        Case {
            name: "CSV: NUL bytes",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend_from_slice(b"\0\0\0\0Bob\n");
                Fixture::new(bytes)
            },
            expect: |o| expect_error(o, "file.not_text", &["line 3 has a NUL byte"]),
        },
        Case {
            name: "CSV: UTF-16 without a byte-order mark",
            fixture: || {
                let text = format!("{}\n{}\n", HEADERS.join("\t"), ann().join("\t"));
                Fixture::new(text.encode_utf16().flat_map(u16::to_le_bytes).collect())
            },
            expect: |o| expect_error(o, "file.not_text", &["line 1 has a NUL byte"]),
        },
        Case {
            name: "CSV: invalid UTF-16 (an unpaired surrogate)",
            fixture: || {
                let mut bytes = utf16(&format!("{}\n", HEADERS.join("\t")));
                bytes.extend_from_slice(&[0x00, 0xDC, b'A', 0]);
                Fixture::new(bytes)
            },
            expect: |o| expect_error(o, "file.not_text", &["line 2 has bytes that are not UTF-16"]),
        },
        Case {
            name: "CSV: UTF-16 of an odd number of bytes",
            fixture: || {
                let mut bytes = utf16(&format!("{}\n{}\n", HEADERS.join("\t"), ann().join("\t")));
                bytes.push(b'x');
                Fixture::new(bytes)
            },
            expect: |o| expect_error(o, "file.not_text", &["line 3 has bytes that are not UTF-16"]),
        },
        Case {
            name: "CSV: 10 million empty lines after the users",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend(std::iter::repeat_n(b'\n', 10_000_000));
                Fixture::new(bytes)
            },
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "CSV: a user after 10 million empty lines",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend(std::iter::repeat_n(b'\n', 10_000_000));
                bytes.extend_from_slice(b"Bob Roy,bob@example.com,CA,CA-QC,en\n");
                Fixture::new(bytes)
            },
            expect: |o| expect_limit(o, "number of rows, blank ones included,", Some(10_000_003), 1_048_576),
        },
        Case {
            name: "CSV: a million columns in the header",
            fixture: || {
                let mut bytes = HEADERS.join(",").into_bytes();
                bytes.extend(std::iter::repeat_n(b',', 1_000_000));
                bytes.extend_from_slice(b"x\n");
                Fixture::new(bytes)
            },
            expect: |o| expect_limit(o, "number of values in one row", Some(16_385), 16_384),
        },
        Case {
            name: "CSV: header column over max_columns",
            fixture: || {
                let mut bytes = HEADERS.join(",").into_bytes();
                bytes.extend(std::iter::repeat_n(b',', 1_000));
                bytes.extend_from_slice(b"Notes\n");
                bytes.extend(csv_users().split(|b| *b == b'\n').nth(1).unwrap());
                Fixture::new(bytes)
            },
            expect: |o| expect_limit(o, "number of columns in the header row", Some(1_009), 1_000),
        },
        Case {
            name: "CSV: over max_file_bytes",
            fixture: || Fixture::new(csv_users()).limits(Limits { max_file_bytes: 16, ..Limits::default() }),
            expect: |o| expect_limit(o, "size in bytes", Some(csv_users().len() as u64), 16),
        },
        Case {
            name: "CSV: a formula",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend_from_slice(b"=cmd|' /C calc'!A0,bob@example.com,CA,CA-QC,en\n");
                Fixture::new(bytes)
            },
            expect: |o| expect_only_issue(o, 3, "Name", IssueCode::Formula, &[("formula", "=cmd|' /C calc'!A0")]),
        },
        Case {
            name: "CSV: Windows-1252 bytes everywhere",
            fixture: || {
                let mut bytes = csv_users();
                bytes.extend(std::iter::repeat_n(*b"\xE9\x80\x81,", 100_000).flatten());
                bytes.push(b'\n');
                Fixture::new(bytes)
            },
            expect: |o| expect_limit(o, "number of values in one row", Some(16_385), 16_384),
        },
        // ---- OpenDocument -----------------------------------------------------------------
        Case {
            name: "ODS: valid",
            fixture: || Fixture::new(ods_users("")),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "ODS: zip bomb (content.xml of 64 MiB of spaces)",
            fixture: || Fixture::new(ods_padded(64 * 1024 * 1024)),
            expect: |o| expect_limit(o, "compression ratio of a part", None, 300),
        },
        Case {
            name: "ODS: DOCTYPE with nested entities",
            fixture: || {
                let content = ods_content("Users", &ods_row(&HEADERS)).replace(
                    "<office:document-content",
                    r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><office:document-content"#,
                ).replace("<text:p>Name</text:p>", "<text:p>&lol3;</text:p>");
                Fixture::new(ods(&content))
            },
            expect: |o| expect_error(o, "file.corrupt", &["part `content.xml` has a DOCTYPE"]),
        },
        Case {
            name: "ODS: a million repeated empty rows after the users",
            fixture: || Fixture::new(ods_users(r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#)),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "ODS: a million repeated empty rows between users",
            fixture: || Fixture::new(ods_users(&format!(
                r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>{}"#,
                ods_row(&["Bob Roy", "bob@example.com", "FR", "FR-75C", "fr"]),
            ))),
            expect: |o| expect_limit(o, ODS_MEMORY, None, 256 * 1024 * 1024),
        },
        Case {
            name: "ODS: a text cell repeated over the whole grid",
            fixture: || Fixture::new(ods_users(r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#)),
            expect: |o| expect_limit(o, ODS_MEMORY, None, 256 * 1024 * 1024),
        },
        Case {
            name: "ODS: <text:s text:c=\"4000000000\"/>",
            fixture: || Fixture::new(ods_users(r#"<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#)),
            expect: |o| expect_limit(o, ODS_MEMORY, None, 256 * 1024 * 1024),
        },
        Case {
            name: "ODS: a 1 MB text cell repeated in 300 columns",
            fixture: || Fixture::new(ods_users(&format!(
                r#"<table:table-row><table:table-cell table:number-columns-repeated="300" office:value-type="string"><text:p>{}</text:p></table:table-cell></table:table-row>"#,
                noise(1024 * 1024),
            ))),
            expect: |o| expect_limit(o, ODS_MEMORY, None, 256 * 1024 * 1024),
        },
        Case {
            name: "ODS: a 16 MB text cell",
            fixture: || Fixture::new(ods_users(&ods_row(&["Bob Roy", "bob@example.com", "FR", "FR-75C", "fr", &noise(16 * 1024 * 1024)]))),
            expect: |o| expect_only_issue(o, 3, "Job title", IssueCode::TooLong, &[("limit", "255")]),
        },
        Case {
            name: "ODS: a 4 MB text cell",
            fixture: || Fixture::new(ods_users(&ods_row(&["Bob Roy", &noise(4 * 1024 * 1024), "FR", "FR-75C", "fr"]))),
            expect: |o| expect_only_issue(o, 3, "Email", IssueCode::TooLong, &[("limit", "254")]),
        },
        Case {
            name: "ODS: a 4 MB comment",
            fixture: || Fixture::new(ods_users(&format!("<!--{}-->", noise(4 * 1024 * 1024)))),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "ODS: 100,000 nested elements",
            fixture: || Fixture::new(ods_users(&"<text:span>".repeat(100_000))),
            expect: |o| expect_error(o, "file.corrupt", &["nests elements more than 256 deep"]),
        },
        Case {
            name: "ODS: a 2 MB tag",
            fixture: || Fixture::new(ods_users(&format!(r#"<table:table-row x="{}"/>"#, noise(2 * 1024 * 1024)))),
            expect: |o| expect_error(o, "file.corrupt", &["has a tag longer than 1048576 bytes"]),
        },
        Case {
            name: "ODS: content.xml in UTF-16",
            fixture: || {
                let content = ods_content("Users", &ods_row(&HEADERS));
                let mut bytes = b"\xFF\xFE".to_vec();
                bytes.extend(content.encode_utf16().flat_map(u16::to_le_bytes));
                Fixture::new(ods(bytes))
            },
            expect: |o| expect_error(o, "file.corrupt", &["part `content.xml`"]),
        },
        Case {
            name: "ODS: password-protected",
            fixture: || Fixture::new(encrypted_ods()),
            expect: |o| expect_not_xlsx(o, FileKind::Encrypted),
        },
        Case {
            name: "ODS: a formula cell showing a value",
            fixture: || Fixture::new(ods_users(r#"<table:table-row><table:table-cell table:formula="of:=WEBSERVICE(&quot;http://x&quot;)" office:value-type="string" office:string-value="Bob"><text:p>Bob</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>bob@example.com</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>FR</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>FR-75C</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>fr</text:p></table:table-cell></table:table-row>"#)),
            expect: |o| expect_only_issue(o, 3, "Name", IssueCode::Formula, &[("formula", "=WEBSERVICE(\"http://x\")")]),
        },
        Case {
            name: "ODS: rows over max_rows",
            fixture: || Fixture::new(ods_users(&ods_row(&["Bob Roy", "bob@example.com", "FR", "FR-75C", "fr"]))).limits(Limits { max_rows: 1, ..Limits::default() }),
            expect: |o| expect_limit(o, "number of user rows", Some(2), 1),
        },
    ]
}
