//! CSV and OpenDocument uploads read through the same pipeline as `.xlsx`: the same rows, row
//! numbers, issues and limits, whatever the format.

use std::io::{Cursor, Write};
use std::sync::Arc;

use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{
    Catalog, Error, ErrorReport, ImportRequest, ImportStatus, Importer, IssueCode, Limits, Schema,
    Stores, Validation, validate_bytes,
};
use zip::write::SimpleFileOptions;

use crate::common::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/formats/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

type Position = (Option<u32>, Option<String>, IssueCode);

/// Every record (row and values) and every issue (row, column, code).
fn found(validation: &Validation) -> (Vec<(u32, Vec<String>)>, Vec<Position>) {
    let records = validation
        .records()
        .iter()
        .map(|r| {
            (
                r.row(),
                (0..r.len()).map(|i| r.get(i).to_string()).collect(),
            )
        })
        .collect();
    (records, positions(validation))
}

fn positions(validation: &Validation) -> Vec<Position> {
    validation
        .issues()
        .iter()
        .map(|i| (i.row, i.column.clone(), i.code))
        .collect()
}

fn at(row: u32, column: &str, code: IssueCode) -> Position {
    (Some(row), Some(column.to_string()), code)
}

fn error_of(bytes: &[u8], limits: &Limits) -> Error {
    match validate_bytes(bytes, &Schema::default(), limits) {
        Ok(validation) => panic!("expected an error, got {:#?}", found(&validation)),
        Err(error) => error,
    }
}

/// The default schema's header line and `lines`, joined with `\r\n`.
fn csv(lines: &[&str]) -> Vec<u8> {
    let mut text = HEADERS.join(",");
    for line in lines {
        text.push_str("\r\n");
        text.push_str(line);
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// An OpenDocument spreadsheet as LibreOffice packs one: `mimetype` stored first, then the
/// manifest and `content.xml` deflated.
pub fn ods(content: impl AsRef<[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_ref()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// `content.xml` with one sheet `name` holding `rows` (`<table:table-row>` elements).
pub fn ods_content(name: &str, rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="{name}">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

/// A row of text cells.
pub fn ods_row(values: &[&str]) -> String {
    let mut row = String::from("<table:table-row>");
    for value in values {
        if value.is_empty() {
            row.push_str("<table:table-cell/>");
        } else {
            row.push_str(&format!(
                r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                escape(value)
            ));
        }
    }
    row.push_str("</table:table-row>");
    row
}

/// The header row and Ann, as an `.ods`.
pub fn ods_users(extra_rows: &str) -> Vec<u8> {
    ods(ods_content(
        "Users",
        &format!("{}{}{extra_rows}", ods_row(&HEADERS), ods_row(&ann())),
    ))
}

// ---- The same users in every format ----------------------------------------------------------

#[test]
fn the_fixtures_are_in_the_encodings_they_are_named_after() {
    let utf8 = fixture("users-utf8.csv");
    assert!(std::str::from_utf8(&utf8).unwrap().contains("Chloé Côté"));
    assert!(fixture("users-utf8-bom.csv").starts_with(b"\xEF\xBB\xBFName,Email,"));
    let cp1252 = fixture("users-cp1252-semicolon.csv");
    assert!(cp1252.starts_with(b"Name;Email;Country;"));
    assert!(std::str::from_utf8(&cp1252).is_err());
    assert!(cp1252.windows(4).any(|w| w == b"C\xF4t\xE9"));
    let utf16 = fixture("users-utf16-tab.txt");
    assert!(utf16.starts_with(b"\xFF\xFEN\0a\0m\0e\0\t\0"));
    assert!(fixture("users.tsv").starts_with(b"Name\tEmail\t"));
    assert!(fixture("users.ods").starts_with(b"PK\x03\x04"));
}

#[test]
fn the_same_users_give_the_same_rows_and_issues_from_xlsx_csv_and_ods() {
    let xlsx = read_ok(&fixture("users.xlsx"));
    let expected = found(&xlsx);
    assert_eq!(
        expected.1,
        vec![
            at(2, "Email", IssueCode::EmailDuplicate),
            at(3, "Email", IssueCode::EmailInvalid),
            at(4, "Country", IssueCode::CountryName),
            at(5, "Job title", IssueCode::Formula),
            at(6, "Department", IssueCode::ControlCharacter),
            at(7, "Email", IssueCode::EmailDuplicate),
            at(9, "Language", IssueCode::ChoiceInvalid),
            at(9, "Hire date", IssueCode::DateImpossible),
            at(12, "Region", IssueCode::RegionCountryMismatch),
            at(15, "Hire date", IssueCode::DateFormat),
        ]
    );
    let rows: Vec<u32> = expected.0.iter().map(|(row, _)| *row).collect();
    assert_eq!(rows, [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]);
    // Typed cells read as the text the administrator sees.
    assert_eq!(expected.0[0].1[7..], ["000123", "2024-03-31"]);
    assert_eq!(expected.0[7].1[5], "42");
    assert_eq!(expected.0[8].1[6], "R&D, \"North\"; East");
    assert_eq!(expected.0[11].1[5..8], ["@home", "-", "007"]);

    for name in [
        "users.ods",
        "users-utf8.csv",
        "users-utf8-bom.csv",
        "users-cp1252-semicolon.csv",
        "users-utf16-tab.txt",
        "users.tsv",
    ] {
        let validation = read_ok(&fixture(name));
        let (records, mut issues) = found(&validation);
        if name == "users-cp1252-semicolon.csv" {
            assert_eq!(
                issues.remove(0),
                (None, None, IssueCode::EncodingAssumed),
                "{name}"
            );
            assert_eq!(
                validation.issues()[0].get_arg("encoding"),
                Some("Windows-1252")
            );
        }
        assert_eq!(records, expected.0, "{name}");
        assert_eq!(issues, expected.1, "{name}");
    }
}

#[test]
fn formula_cells_of_an_ods_are_refused_whatever_they_show() {
    let validation = read_ok(&fixture("formulas.ods"));
    assert_eq!(
        positions(&validation),
        vec![
            at(3, "Name", IssueCode::Formula),
            at(4, "Country", IssueCode::Formula),
            at(4, "Hire date", IssueCode::Formula),
        ]
    );
    let formulas: Vec<Option<&str>> = validation
        .issues()
        .iter()
        .map(|i| i.get_arg("formula"))
        .collect();
    assert_eq!(
        formulas,
        [
            Some("=[.A2]&\" Two\""),
            Some("=[.C2]"),
            Some("=DATE(2024;3;31)")
        ]
    );
}

// ---- CSV ------------------------------------------------------------------------------------

#[test]
fn rows_are_numbered_by_record_with_blank_lines_counted() {
    let bytes = csv(&[
        "",
        "\"Ann\nLee\",ann@example.com,CA,CA-QC,en,,,,",
        ",,,,,,,,",
        "Bob Roy,bob@example.com,FR,FR-75C,fr,,\"a \"\"quoted\"\" word\",,",
    ]);
    let validation = read_ok(&bytes);
    let (records, issues) = found(&validation);
    assert_eq!(
        records.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
        [3, 5]
    );
    assert_eq!(records[1].1[6], "a \"quoted\" word");
    assert_eq!(issues, vec![at(3, "Name", IssueCode::ControlCharacter)]);
}

#[test]
fn line_ends_may_be_crlf_lf_or_cr_and_the_header_may_follow_blank_lines() {
    let user = "Ann Lee,ann@example.com,CA,CA-QC,en,,,,";
    let header = HEADERS.join(",");
    for text in [
        format!("\n\n{header}\n{user}\n\n{user}"),
        format!("\r\n\r\n{header}\r\n{user}\r\n\r\n{user}\r\n"),
        format!("\r\r{header}\r{user}\r\r{user}\r"),
    ] {
        let validation = read_ok(text.as_bytes());
        let (records, issues) = found(&validation);
        assert_eq!(
            records.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
            [4, 6],
            "{text:?}"
        );
        assert_eq!(
            issues,
            vec![
                at(4, "Email", IssueCode::EmailDuplicate),
                at(6, "Email", IssueCode::EmailDuplicate)
            ]
        );
    }
}

#[test]
fn a_value_that_starts_with_equals_is_a_formula_and_plus_minus_at_are_text() {
    let bytes = csv(&[
        "=HYPERLINK(\"http://x\"),ann@example.com,CA,CA-QC,en,+1 555,-,@home,",
        "\"=1+1\",bob@example.com,CA,CA-QC,en,=,,,",
    ]);
    let validation = read_ok(&bytes);
    assert_eq!(
        positions(&validation),
        vec![
            at(2, "Name", IssueCode::Formula),
            at(3, "Name", IssueCode::Formula)
        ]
    );
    assert_eq!(
        validation.issues()[0].get_arg("formula"),
        Some("=HYPERLINK(\"http://x\")")
    );
    let ann = &validation.records()[0];
    assert_eq!(
        (ann.get(5), ann.get(6), ann.get(7)),
        ("+1 555", "-", "@home")
    );
    assert_eq!(validation.records()[1].get(5), "=");
}

#[test]
fn the_delimiter_is_found_in_the_header_line() {
    let user = [
        "Ann Lee",
        "ann@example.com",
        "CA",
        "CA-QC",
        "en",
        "",
        "",
        "",
        "",
    ];
    for delimiter in [",", ";", "\t", "|"] {
        let text = format!("{}\n{}\n", HEADERS.join(delimiter), user.join(delimiter));
        let validation = read_ok(text.as_bytes());
        assert_eq!(validation.issues(), &[], "{delimiter:?}");
        assert_eq!(validation.records()[0].get(1), "ann@example.com");
    }
}

#[test]
fn columns_are_matched_and_warned_about_as_in_a_sheet() {
    let text =
        "Email,Name,Notes,Country,Region,Language\nann@example.com,Ann Lee,hi,CA,CA-QC,en,extra\n";
    let validation = read_ok(text.as_bytes());
    assert_eq!(
        positions(&validation),
        vec![
            (None, Some("Notes".to_string()), IssueCode::UnknownColumn),
            (None, None, IssueCode::ValuesOutsideColumns),
        ]
    );
    assert_eq!(validation.issues()[1].get_arg("letter"), Some("G"));
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
}

#[test]
fn a_text_without_the_template_headers_names_the_missing_columns() {
    let error = error_of(b"Name,Email\nAnn,ann@example.com\n", &Limits::default());
    assert_eq!(
        error.to_string(),
        "sheet `Users` is missing the required columns `Country`, `Region`, `Language`; add them to the header row (row 1) or fill in the downloaded template"
    );
    let error = error_of(b"\n\r\n  \n", &Limits::default());
    assert_eq!(error.code(), "file.sheet_not_found");
    let error = error_of(&csv(&[",,,,"]), &Limits::default());
    assert_eq!(
        error.to_string(),
        "sheet `Users` has no users below the header row; add one user per row, starting on row 2"
    );
}

#[test]
fn a_nul_byte_rejects_the_file_naming_its_line() {
    let mut bytes = csv(&["Ann Lee,ann@example.com,CA,CA-QC,en,,,,"]);
    bytes.extend_from_slice(b"Bob\0Roy,bob@example.com,CA,CA-QC,en,,,,\n");
    let error = error_of(&bytes, &Limits::default());
    assert_eq!(error.code(), "file.not_text");
    assert_eq!(
        error.to_string(),
        "the file is not text that can be read: line 3 has a NUL byte, which text never has (text saved as UTF-16 without a byte-order mark has them); save it again as CSV UTF-8 or as an Excel workbook (.xlsx)"
    );
    assert_eq!(
        Catalog::french().error_message(&error),
        "le fichier n'est pas du texte lisible : la ligne 3 contient un octet NUL, que du texte ne contient jamais (du texte enregistré en UTF-16 sans marque d'ordre des octets en contient) ; enregistrez-le de nouveau en CSV UTF-8 ou comme classeur Excel (.xlsx)"
    );
}

#[test]
fn invalid_utf16_rejects_the_file_naming_its_line() {
    let text = format!("{}\nAnn\n", HEADERS.join("\t"));
    let mut bytes = b"\xFF\xFE".to_vec();
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    // An unpaired high surrogate.
    bytes.extend_from_slice(&[0x00, 0xD8, b'x', 0]);
    let error = error_of(&bytes, &Limits::default());
    assert!(matches!(error, Error::NotText { line: 3, .. }), "{error:?}");
    assert!(error.to_string().contains("bytes that are not UTF-16"));
}

#[test]
fn a_quote_never_closed_rejects_the_file_naming_its_row() {
    let bytes = csv(&[
        "Ann Lee,ann@example.com,CA,CA-QC,en,,,,",
        "Bob Roy,\"bob@example.com,CA,CA-QC,en,,,,",
        "Cid Roy,cid@example.com,CA,CA-QC,en,,,,",
    ]);
    let error = error_of(&bytes, &Limits::default());
    assert!(
        matches!(error, Error::UnclosedQuote { row: 3 }),
        "{error:?}"
    );
    assert_eq!(error.code(), "file.unclosed_quote");
}

#[test]
fn a_line_over_the_limit_is_refused_while_it_is_read() {
    let limits = Limits {
        max_line_bytes: 1000,
        ..Limits::default()
    };
    let long = format!(
        "Ann Lee,ann@example.com,CA,CA-QC,en,{},,,",
        "x".repeat(2000)
    );
    let error = error_of(&csv(&[&long]), &limits);
    assert_eq!(
        error.to_string(),
        "the file length of one row of text, in bytes, (1001) exceeds the limit of 1000; a row this long is a file without line ends, or a quote that is never closed; save the file again as CSV"
    );
    // A value over the column's length, under the line limit, is an issue of its cell.
    let long = format!("Ann Lee,ann@example.com,CA,CA-QC,en,{},,,", "x".repeat(300));
    let validation = read_ok(&csv(&[&long]));
    assert_eq!(
        positions(&validation),
        vec![at(2, "Job title", IssueCode::TooLong)]
    );
}

#[test]
fn rows_and_values_over_the_grid_are_refused() {
    let error = error_of(&csv(&[&",".repeat(16_384)]), &Limits::default());
    assert_eq!(
        error.to_string(),
        "the file number of values in one row (16385) exceeds the limit of 16384; delete the columns the template does not have"
    );
    let mut bytes = csv(&["Ann Lee,ann@example.com,CA,CA-QC,en,,,,"]);
    bytes.extend(std::iter::repeat_n(b'\n', 1_048_575));
    bytes.extend_from_slice(b"Bob Roy,bob@example.com,CA,CA-QC,en,,,,\n");
    let error = error_of(&bytes, &Limits::default());
    assert_eq!(
        error.to_string(),
        "the file number of rows, blank ones included, (1048578) exceeds the limit of 1048576; a spreadsheet holds at most 1048576 rows; delete the blank lines or split the users over several files"
    );
    let limits = Limits {
        max_rows: 1,
        ..Limits::default()
    };
    let two = csv(&[
        "Ann Lee,ann@example.com,CA,CA-QC,en,,,,",
        "Bob Roy,bob@example.com,CA,CA-QC,en,,,,",
    ]);
    assert_eq!(error_of(&two, &limits).code(), "file.limit_exceeded");
}

#[test]
fn the_encoding_warning_is_written_in_the_administrators_language() {
    let text = "Name;Email;Country;Region;Language\nChlo\u{e9};chloe@example.com;CA;CA-QC;fr\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let mut validation = read_ok(&bytes);
    assert_eq!(validation.records()[0].get(0), "Chloé");
    validation.localize(&Catalog::french());
    assert_eq!(
        validation.issues()[0].message,
        "le fichier n'est pas du texte UTF-8 ; il a donc été lu en Windows-1252, l'encodage du CSV d'Excel pour les langues occidentales ; si des lettres accentuées semblent fausses, enregistrez-le en CSV UTF-8 et téléversez-le de nouveau"
    );
}

// ---- OpenDocument ---------------------------------------------------------------------------

#[test]
fn an_ods_sheet_is_found_by_its_headers_and_typed_cells_read_as_shown() {
    let rows = format!(
        "{}{}",
        ods_row(&HEADERS),
        concat!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Ann</text:p><text:p>Lee</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="string"><text:p>ann@example.com</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="string"><text:p>CA</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="string"><text:p>CA-QC</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="string"><text:p>en</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="float" office:value="42"><text:p>42</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50%</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="float" office:value="123"><text:p>000123</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="date" office:date-value="2024-03-31T00:00:00"><text:p>31/03/24</text:p></table:table-cell>"#,
            "</table:table-row>"
        )
    );
    let other = ods_content("Notes", &ods_row(&["nothing here"]));
    let content = ods_content("Data", &rows).replace(
        "<table:table table:name=\"Data\">",
        &format!(
            "{}<table:table table:name=\"Data\">",
            &other[other.find("<table:table ").unwrap()
                ..other.find("</table:table>").unwrap() + "</table:table>".len()]
        ),
    );
    let validation = read_ok(&ods(&content));
    assert_eq!(validation.sheet, "Data");
    let (records, issues) = found(&validation);
    assert_eq!(
        records[0].1,
        [
            "Ann\nLee",
            "ann@example.com",
            "CA",
            "CA-QC",
            "en",
            "42",
            "0.5",
            "123",
            "2024-03-31"
        ]
    );
    assert_eq!(issues, vec![at(2, "Name", IssueCode::ControlCharacter)]);
}

#[test]
fn repeated_empty_rows_and_columns_after_the_users_read_fast_and_small() {
    let trailing = r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#;
    let validation = read_ok(&ods_users(trailing));
    assert_eq!(validation.records().len(), 1);
    assert_eq!(validation.issues(), &[]);
}

#[test]
fn repeated_rows_between_users_keep_the_row_numbers_the_sheet_shows() {
    let gap =
        r#"<table:table-row table:number-rows-repeated="3"><table:table-cell/></table:table-row>"#;
    let bob = ods_row(&[
        "Bob Roy",
        "bob@example.com",
        "FR",
        "FR-75C",
        "fr",
        "",
        "",
        "",
        "",
    ]);
    let validation = read_ok(&ods_users(&format!("{gap}{bob}")));
    let rows: Vec<u32> = validation.records().iter().map(|r| r.row()).collect();
    assert_eq!(rows, [2, 6]);
}

#[test]
fn an_ods_over_the_memory_estimate_is_refused_before_calamine_reads_it() {
    let gap = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>"#;
    let bob = ods_row(&["Bob Roy", "bob@example.com", "FR", "FR-75C", "fr"]);
    let error = error_of(&ods_users(&format!("{gap}{bob}")), &Limits::default());
    let Error::LimitExceeded {
        what, value, limit, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        what.to_string(),
        "memory needed to hold the OpenDocument sheets, in bytes,"
    );
    assert_eq!(*limit, 256 * 1024 * 1024);
    assert!(*value > *limit);
    assert!(
        Catalog::french()
            .error_message(&error)
            .contains("pour la mémoire nécessaire pour garder les feuilles OpenDocument")
    );
}

#[test]
fn an_ods_with_a_doctype_is_refused() {
    let content = ods_content("Users", &ods_row(&HEADERS)).replace(
        "<office:document-content",
        "<!DOCTYPE x [<!ENTITY lol \"lol\">]><office:document-content",
    );
    let error = error_of(&ods(&content), &Limits::default());
    assert_eq!(
        error.to_string(),
        "the workbook is damaged: part `content.xml` has a DOCTYPE or another declaration, which a spreadsheet never has; open it in Excel and save it again as .xlsx"
    );
}

// ---- Everywhere a file is taken --------------------------------------------------------------

#[tokio::test]
async fn the_importer_takes_csv_and_ods_uploads() {
    for upload in [
        csv(&["Ann Lee,ann@example.com,CA,CA-QC,en,,,,"]),
        ods_users(""),
    ] {
        let store = Arc::new(MemoryStore::new());
        let importer = Importer::new(
            Schema::default(),
            Stores::single(store.clone(), Arc::new(MemoryMailer::new())),
        );
        let summary = importer
            .run(&ImportRequest::new("i-1", "users"), &upload, &|_| {})
            .await
            .unwrap();
        assert_eq!(summary.status, ImportStatus::Completed);
        assert_eq!(summary.created[0].email, "ann@example.com");
    }
}

#[test]
fn the_error_report_of_a_csv_upload_is_the_template_filled_with_its_rows() {
    let schema = Schema::default();
    let validation = read_ok(&fixture("users-utf8.csv"));
    let report = ErrorReport::new(&schema, &validation).to_bytes().unwrap();
    assert!(report.starts_with(b"PK\x03\x04"));
    let again = read_ok(&report);
    let rows: Vec<u32> = again.records().iter().map(|r| r.row()).collect();
    assert_eq!(rows, [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]);
    assert_eq!(again.records()[2].get(2), "Canada");
}
