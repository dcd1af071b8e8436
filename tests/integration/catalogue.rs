//! The reader's cases of the hostile-file catalogue: a test each, named after the case, that
//! asserts its exact outcome. The cases also join `hostile.rs`'s list, so each one is read on
//! two threads, in a child process with bounded memory, and with the default limits inside a
//! 1 GiB address space.

use std::io::{Cursor, Read, Write};

use user_import::{IssueCode, Severity};

use super::hostile::*;
use crate::common::*;

/// Rewrites every entry of the zip `bytes` (deflated, in order), through `edit(name, data)`;
/// `streamed` writes them as a writer that cannot seek back does: sizes and CRC unknown in
/// each local header (flag bit 3), given in a data descriptor after the data.
fn rezip(bytes: &[u8], streamed: bool, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("an entry");
        let name = entry.name().expect("a name").to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("the entry inflates");
        let data = edit(&name, data);
        entries.push((name, data));
    }
    if streamed {
        let mut writer = zip::ZipWriter::new_stream(Vec::new());
        for (name, data) in &entries {
            writer.start_file(name.as_str(), options).expect("start");
            writer.write_all(data).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    } else {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in &entries {
            writer.start_file(name.as_str(), options).expect("start");
            writer.write_all(data).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }
}

/// The general-purpose flags of every local header of `zip`.
fn local_flags(zip: &[u8]) -> Vec<u16> {
    let mut flags = Vec::new();
    let mut at = 0;
    while let Some(found) = zip[at..].windows(4).position(|w| w == b"PK\x03\x04") {
        let header = at + found;
        flags.push(u16::from_le_bytes([zip[header + 6], zip[header + 7]]));
        at = header + 4;
    }
    flags
}

/// The header, one user, and a part `docProps/custom.xml` holding 1,000,000 blanks: a part
/// of about 1 KB that inflates 1,000 times.
fn small_part_with_a_high_ratio() -> Vec<u8> {
    let mut package = Package::with_sheet("Users", &users(1));
    let blanks = format!("<Properties>{}</Properties>", " ".repeat(1_000_000));
    package
        .extra
        .push(("docProps/custom.xml".to_string(), blanks.into_bytes()));
    package.build()
}

/// A valid workbook plus a second entry under the worksheet's name, whose one cell is
/// outside Excel's grid. The zip writer refuses two entries of one name, so the second is
/// written as `sheet9.xml` and renamed in its headers (same length, the CRC covers the data).
fn duplicate_sheet_entries() -> Vec<u8> {
    let mut package = Package::with_sheet("Users", &users(1));
    let hostile = worksheet(&format!(
        r#"{}<row r="2"><c r="A99999999999"/></row>"#,
        header()
    ));
    package
        .extra
        .push(("xl/worksheets/sheet9.xml".to_string(), hostile.into_bytes()));
    let mut bytes = package.build();
    let (from, to) = (b"xl/worksheets/sheet9.xml", b"xl/worksheets/sheet1.xml");
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
        let start = at + found;
        bytes[start..start + to.len()].copy_from_slice(to);
        at = start + to.len();
    }
    bytes
}

/// The content type of a macro-enabled workbook, and a VBA project beside it.
fn xlsm() -> Vec<u8> {
    let mut package = Package::with_sheet("Users", &users(1));
    let mut vba = ole("VBA");
    vba.extend_from_slice(b"Sub AutoOpen()\r\n Shell \"calc.exe\"\r\nEnd Sub\r\n");
    package.extra.push(("xl/vbaProject.bin".to_string(), vba));
    rezip(&package.build(), false, |name, data| {
        match name {
        "[Content_Types].xml" => String::from_utf8(data)
            .expect("UTF-8")
            .replace(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
            .replace(
                r#"<Default Extension="xml""#,
                r#"<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default Extension="xml""#,
            )
            .into_bytes(),
        "xl/_rels/workbook.xml.rels" => String::from_utf8(data)
            .expect("UTF-8")
            .replace(
                "</Relationships>",
                r#"<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>"#,
            )
            .into_bytes(),
        _ => data,
    }
    })
}

/// Ten entities, each ten of the one before: `&lol9;` would be 10^9 `lol`s, 3 GB.
fn laughs_doctype(root: &str) -> String {
    let mut doctype = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE {root} [\n<!ENTITY lol0 \"lol\">\n"
    );
    for level in 1..10 {
        let previous = format!("&lol{};", level - 1);
        doctype.push_str(&format!(
            "<!ENTITY lol{level} \"{}\">\n",
            previous.repeat(10)
        ));
    }
    doctype.push_str("]>\n");
    doctype
}

/// A worksheet that starts with `prolog` (a declaration and a DOCTYPE) and whose row 2 names
/// `&entity;` in its Name cell.
fn sheet_with_prolog(prolog: &str, entity: &str) -> Vec<u8> {
    let mut values = ann();
    let name = format!("&{entity};");
    values[0] = &name;
    // `inline_row` escapes `&`: write the reference back as a reference.
    let row = inline_row(2, &values).replace(&format!("&amp;{entity};"), &name);
    let xml = worksheet(&format!("{}{row}", header()));
    let body = xml.split_once("?>\n").expect("a declaration").1;
    sheet_xml(format!("{prolog}{body}"))
}

/// Shared strings that start with `prolog` and whose first string is `&entity;`, used by the
/// Name cell of row 2.
fn shared_strings_with_prolog(prolog: &str, entity: &str) -> Vec<u8> {
    shared_strings_package(format!(
        r#"{prolog}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&{entity};</t></si></sst>"#
    ))
}

/// The header and one user whose Name is the first string of the shared strings `sst`.
fn shared_strings_package(sst: String) -> Vec<u8> {
    let mut data = header();
    let email = "ann@example.com";
    let mut row = inline_row(2, &["x", email, "CA", "CA-QC", "en"]);
    row = row.replacen(
        r#"<c r="A2" t="inlineStr"><is><t>x</t></is></c>"#,
        r#"<c r="A2" t="s"><v>0</v></c>"#,
        1,
    );
    data.push_str(&row);
    Package {
        shared_strings: Some(sst),
        ..Package::with_sheet("Users", &data)
    }
    .build()
}

/// `<name` with 200,000 attributes `a0="1" a1="1" …`, then `rest` (the tag's end and more).
fn many_attributes(name: &str) -> String {
    let mut tag = format!("<{name}");
    for index in 0..200_000 {
        tag.push_str(&format!(r#" a{index}="1""#));
    }
    tag
}

const XXE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE worksheet [\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n";

/// The catalogue's cases, in `hostile.rs`'s form.
#[rustfmt::skip]
pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "small part with a very high compression ratio",
            fixture: || Fixture::new(small_part_with_a_high_ratio()),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "duplicate zip entry names",
            fixture: || Fixture::new(duplicate_sheet_entries()),
            expect: |o| expect_error(o, "file.corrupt", &["the workbook is damaged: its zip directory lists two parts under one name; "]),
        },
        Case {
            name: "entries with data descriptors",
            fixture: || Fixture::new(rezip(&valid(), true, |_, data| data)),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "data-descriptor entry inflating past its central size",
            fixture: || Fixture::new(patch_entry(rezip(&valid(), true, |_, data| data), SHEET1, |_, central| {
                set_u32(central, 24, 100);
            })),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` cannot be inflated"]),
        },
        Case {
            name: ".xlsm with vbaProject.bin",
            fixture: || Fixture::new(xlsm()),
            expect: expect_macros_ignored,
        },
        Case {
            name: "billion laughs in a worksheet",
            fixture: || Fixture::new(sheet_with_prolog(&laughs_doctype("worksheet"), "lol9")),
            expect: |o| expect_doctype(o, SHEET1),
        },
        Case {
            name: "billion laughs in the shared strings",
            fixture: || Fixture::new(shared_strings_with_prolog(&laughs_doctype("sst"), "lol9")),
            expect: |o| expect_doctype(o, "xl/sharedStrings.xml"),
        },
        Case {
            name: "external entity (XXE) in a worksheet",
            fixture: || Fixture::new(sheet_with_prolog(XXE, "xxe")),
            expect: |o| expect_doctype(o, SHEET1),
        },
        Case {
            name: "200,000 attributes on a row",
            fixture: || {
                let row = user(2).replacen(r#"<row r="2""#, &many_attributes(r#"row r="2""#), 1);
                Fixture::new(sheet(&format!("{}{row}", header())))
            },
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has a `<row>` tag longer than 65536 bytes"]),
        },
        Case {
            name: "200,000 attributes on a cell",
            fixture: || Fixture::new(with_cell_in_row_2(&format!("{}/>", many_attributes(r#"c r="J2""#)))),
            expect: |o| expect_error(o, "file.corrupt", &["part `xl/worksheets/sheet1.xml` has a `<c>` tag longer than 65536 bytes"]),
        },
        Case {
            name: "200,000 attributes on the worksheet",
            fixture: || {
                let xml = worksheet(&users(1)).replacen("<worksheet ", &format!("{} ", many_attributes("worksheet")), 1);
                Fixture::new(sheet_xml(xml))
            },
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "200,000 attributes on a sheet of the workbook part",
            fixture: || Fixture::new(rezip(&valid(), false, |name, data| match name {
                "xl/workbook.xml" => String::from_utf8(data)
                    .expect("UTF-8")
                    .replacen("<sheet ", &format!("{} ", many_attributes("sheet")), 1)
                    .into_bytes(),
                _ => data,
            })),
            expect: |o| expect_rows(o, 1),
        },
        Case {
            name: "200,000 attributes on a shared string",
            fixture: || Fixture::new(shared_strings_package(format!(
                r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">{}><t>Ann Lee</t></si></sst>"#,
                many_attributes("si")
            ))),
            expect: |o| expect_rows(o, 1),
        },
    ]
}

/// The part's DOCTYPE is refused by the package scan, before any XML parser reads it: no
/// entity is expanded, no file or URL is read.
fn expect_doctype(outcome: &Outcome, part: &str) {
    expect_error(
        outcome,
        "file.corrupt",
        &[&format!(
            "the workbook is damaged: part `{part}` has a document type declaration (`<!DOCTYPE`), which a workbook never has; "
        )],
    );
    assert!(!error(outcome).to_string().contains("root:"));
}

/// An `.xlsm` is an `.xlsx` package plus a VBA project. The reader never runs a macro (nothing
/// here executes code from a file; calamine reads cell values, not `vbaProject.bin`), so its
/// cells are read like any workbook's; refusing it would only make the administrator save it
/// again without changing a value. The import is not silent about it: a warning says the
/// macros were not run, and names the part.
fn expect_macros_ignored(outcome: &Outcome) {
    let validation = readable(outcome);
    assert_eq!(validation.records().len(), 1);
    assert!(validation.is_valid());
    let issues = validation.issues();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(
        (issues[0].code, issues[0].severity),
        (IssueCode::MacrosIgnored, Severity::Warning)
    );
    assert_eq!(issues[0].get_arg("part"), Some("xl/vbaProject.bin"));
    assert_eq!(
        issues[0].message,
        "the workbook holds macros (`xl/vbaProject.bin`); they were not run and are ignored: only the values in the cells are read"
    );
}

/// Runs the catalogue's case `name` and checks its outcome.
fn check_case(name: &str) {
    let all = cases();
    let case = all
        .iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("no case named `{name}`"));
    run(case);
}

/// A part under the 1 MiB ratio floor is not held to the compression ratio: whatever its
/// ratio, it inflates to little. (A part over the floor is: `compression ratio (2 MiB of
/// blanks)` in `hostile.rs`.)
#[test]
fn a_small_part_with_a_very_high_compression_ratio_is_read() {
    let bytes = small_part_with_a_high_ratio();
    assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
    check_case("small part with a very high compression ratio");
}

/// Two entries under one name: readers disagree on which one counts (the zip crate keeps one,
/// Excel may show the other), so what the administrator sees may not be what is imported.
#[test]
fn duplicate_zip_entry_names_are_refused() {
    check_case("duplicate zip entry names");
}

/// Sizes unknown in the local headers, given in data descriptors, as streaming zip writers
/// (Java's, some exporters) write them: read like any package, from the central directory's
/// sizes, which still bound what is inflated.
#[test]
fn entries_with_data_descriptors_are_read() {
    let bytes = rezip(&valid(), true, |_, data| data);
    let flags = local_flags(&bytes);
    assert!(!flags.is_empty());
    assert!(flags.iter().all(|flag| flag & 0x08 != 0), "{flags:?}");
    check_case("entries with data descriptors");
    check_case("data-descriptor entry inflating past its central size");
}

#[test]
fn an_xlsm_is_read_with_a_warning_that_its_macros_were_not_run() {
    check_case(".xlsm with vbaProject.bin");
}

#[test]
fn billion_laughs_in_a_worksheet_is_refused() {
    check_case("billion laughs in a worksheet");
}

#[test]
fn billion_laughs_in_the_shared_strings_is_refused() {
    check_case("billion laughs in the shared strings");
}

#[test]
fn an_external_entity_is_never_resolved() {
    check_case("external entity (XXE) in a worksheet");
}

#[test]
fn two_hundred_thousand_attributes_on_one_element() {
    check_case("200,000 attributes on a row");
    check_case("200,000 attributes on a cell");
    check_case("200,000 attributes on the worksheet");
    check_case("200,000 attributes on a sheet of the workbook part");
    check_case("200,000 attributes on a shared string");
}
