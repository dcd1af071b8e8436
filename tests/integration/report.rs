//! The error report: read back with calamine and from its XML, cell by cell, and uploaded again
//! after fixing it as an administrator would.

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use user_import::{ErrorReport, IssueCode, Limits, Schema, Severity, Validation, validate_bytes};

use crate::common::{HEADERS, escape, zip_entries};

// ---------------------------------------------------------------------------------------------
// Reading a report back.

fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("report is a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("inflate");
            (entry.name().expect("name").to_string(), data)
        })
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    let found = parts(bytes)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no part {name}"));
    String::from_utf8(found.1).expect("utf-8 part")
}

/// Replaces one part of a package, keeping the others as they are.
fn with_part(bytes: &[u8], name: &str, xml: &str) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = parts(bytes)
        .into_iter()
        .map(|(n, data)| {
            if n == name {
                (n, xml.as_bytes().to_vec())
            } else {
                (n, data)
            }
        })
        .collect();
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, data)| (n.as_str(), data.as_slice()))
        .collect();
    zip_entries(&borrowed)
}

fn sheet_names(bytes: &[u8]) -> Vec<String> {
    let workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    workbook.sheet_names()
}

/// Every cell of a sheet from A1 to its last used cell, as calamine reads it.
fn grid(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    let (last_row, last_col) = range.end().expect("the sheet has cells");
    (0..=last_row)
        .map(|row| {
            (0..=last_col)
                .map(|col| range.get_value((row, col)).cloned().unwrap_or(Data::Empty))
                .collect()
        })
        .collect()
}

/// A row of text cells; `""` is an empty cell.
fn texts(values: &[&str]) -> Vec<Data> {
    values
        .iter()
        .map(|v| match *v {
            "" => Data::Empty,
            v => Data::String(v.to_string()),
        })
        .collect()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

/// The start tags of the elements named `name` inside `xml`.
fn start_tags<'x>(xml: &'x str, name: &str) -> Vec<&'x str> {
    let open = format!("<{name} ");
    let mut tags = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let end = rest[at..].find('>').expect("tag ends") + at;
        tags.push(&rest[at..=end]);
        rest = &rest[end..];
    }
    tags
}

/// A cell format of `xl/styles.xml`.
#[derive(Debug, Clone, PartialEq)]
struct CellStyle {
    num_fmt: u32,
    /// The fill's foreground colour, such as `FFFFC7CE`, if it has one.
    fill: Option<String>,
    quote_prefix: bool,
    wrap: bool,
}

fn cell_styles(bytes: &[u8]) -> Vec<CellStyle> {
    let styles = part(bytes, "xl/styles.xml");
    let fills_xml = &styles[styles.find("<fills").unwrap()..styles.find("</fills>").unwrap()];
    let fills: Vec<Option<String>> = fills_xml
        .split("<fill>")
        .skip(1)
        .map(|fill| {
            start_tags(fill, "fgColor")
                .first()
                .and_then(|tag| attr(tag, "rgb"))
        })
        .collect();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    // Each <xf ...> up to the next one holds its own <alignment>.
    let chunks: Vec<&str> = xfs.split("<xf ").skip(1).collect();
    chunks
        .iter()
        .map(|chunk| {
            let tag = format!("<xf {}", &chunk[..=chunk.find('>').unwrap()]);
            let fill: usize = attr(&tag, "fillId").unwrap().parse().unwrap();
            CellStyle {
                num_fmt: attr(&tag, "numFmtId").unwrap().parse().unwrap(),
                fill: fills[fill].clone(),
                quote_prefix: attr(&tag, "quotePrefix").as_deref() == Some("1"),
                wrap: chunk.contains("wrapText=\"1\""),
            }
        })
        .collect()
}

/// Every cell of a worksheet part: (reference, style).
fn cells_with_styles(bytes: &[u8], sheet_part: &str) -> Vec<(String, CellStyle)> {
    let styles = cell_styles(bytes);
    let xml = part(bytes, sheet_part);
    let data = &xml[xml.find("<sheetData").unwrap()..];
    start_tags(data, "c")
        .into_iter()
        .map(|tag| {
            let style: usize = attr(tag, "s").map_or(0, |s| s.parse().unwrap());
            (attr(tag, "r").unwrap(), styles[style].clone())
        })
        .collect()
}

const LIGHT_RED: &str = "FFFFC7CE";

/// The references of the data cells (not the header row) with the light red fill.
fn highlighted(bytes: &[u8]) -> BTreeSet<String> {
    cells_with_styles(bytes, "xl/worksheets/sheet1.xml")
        .into_iter()
        .filter(|(_, style)| style.fill.as_deref() == Some(LIGHT_RED))
        .map(|(reference, _)| reference)
        .collect()
}

fn set(references: &[&str]) -> BTreeSet<String> {
    references.iter().map(|r| r.to_string()).collect()
}

/// Rewrites one cell of a worksheet's XML as inline text, keeping its style: what an
/// administrator does by typing into the cell.
fn set_cell(xml: &str, reference: &str, text: &str) -> String {
    let open = format!("<c r=\"{reference}\"");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no cell {reference}"));
    let tag_end = xml[start..].find('>').unwrap() + start;
    let end = if xml[..=tag_end].ends_with("/>") {
        tag_end + 1
    } else {
        xml[start..].find("</c>").unwrap() + start + "</c>".len()
    };
    let tag = &xml[start..=tag_end];
    let style = attr(tag, "s")
        .map(|s| format!(" s=\"{s}\""))
        .unwrap_or_default();
    format!(
        "{}<c r=\"{reference}\"{style} t=\"inlineStr\"><is><t>{}</t></is></c>{}",
        &xml[..start],
        escape(text),
        &xml[end..]
    )
}

// ---------------------------------------------------------------------------------------------
// The upload.

/// An upload of the default schema plus a `Notes` column the template does not have; row 4 is
/// blank and F6 holds a formula.
fn upload() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Users").unwrap();
    let text = Format::new().set_num_format_index(49);
    for (col, header) in HEADERS.iter().chain(["Notes"].iter()).enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    let rows: [&[&str]; 6] = [
        &[
            "Ann Lee",
            "ann@example.com",
            "CA",
            "CA-QC",
            "en",
            "Nurse",
            "ER",
            "000123",
            "2024-03-31",
        ],
        &[
            "Bob Roy",
            "bob@example",
            "Canada",
            "QC",
            "EN",
            "=1+1",
            "-5",
            "007",
            "",
        ],
        &[],
        &[
            "Cy Doe",
            "cy@example.com",
            "CA",
            "",
            "fr",
            "@home",
            "+1 555",
            "",
            "2024-02-30",
        ],
        &[
            "Dee Fox",
            "ann@EXAMPLE.com ",
            "US",
            "US-CA",
            "en",
            "",
            "",
            "",
            "",
            "x",
        ],
        &[
            "Eve Ng",
            "eve@example.com",
            "US",
            "US-NY",
            "fr",
            "",
            "",
            "0042",
            "",
            "note",
        ],
    ];
    for (row, values) in rows.iter().enumerate() {
        for (col, value) in values.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string_with_format(row as u32 + 1, col as u16, *value, &text)
                    .unwrap();
            }
        }
    }
    sheet.write_formula(5, 5, "=2+2").unwrap();
    workbook.save_to_buffer().unwrap()
}

fn validated() -> Validation {
    validate_bytes(&upload(), &Schema::default(), &Limits::default()).expect("readable upload")
}

fn report_of(validation: &Validation) -> Vec<u8> {
    ErrorReport::new(&Schema::default(), validation)
        .to_bytes()
        .expect("report writes")
}

const DUPLICATE_2: &str = "row 2, Email: `ann@example.com` appears on rows 2 and 6 (emails are compared ignoring case); give each user their own address, or remove the extra rows";
const EMAIL_3: &str = "row 3, Email: `bob@example` is not a valid email address: the domain `example` has no dot; type one address such as name@example.com";
const COUNTRY_3: &str = "row 3, Country: `Canada` is a country name; use the code `CA`";
const REGION_5: &str = "row 5, Region: the value is missing; Canada (CA) has regions, so give one of its region codes, such as `CA-AB`";
const DATE_5: &str = "row 5, Hire date: `2024-02-30` is not a date that exists; check the day and month and type it as YYYY-MM-DD";
const DUPLICATE_6: &str = "row 6, Email: `ann@EXAMPLE.com ` appears on rows 2 and 6 (emails are compared ignoring case); give each user their own address, or remove the extra rows";
const FORMULA_6: &str =
    "row 6, Job title: the cell holds the formula `=2+2`; type the value itself as text";
const NOTES: &str = "column Notes: this column is not part of the template and is ignored; rename it to one of the template's headers or remove it";

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn the_report_has_the_users_sheet_then_the_problems_sheet() {
    let bytes = report_of(&validated());
    assert_eq!(
        sheet_names(&bytes),
        [
            "Users",
            ErrorReport::PROBLEMS_SHEET,
            "Instructions",
            "Location codes",
            "Lists"
        ]
    );
    assert_eq!(ErrorReport::PROBLEMS_SHEET, "Problems");
    assert_eq!(ErrorReport::ISSUES_HEADER, "Issues");
}

#[test]
fn the_users_sheet_holds_every_row_at_its_own_number_with_its_issues() {
    let bytes = report_of(&validated());
    let issues_2 = DUPLICATE_2.to_string();
    let issues_3 = format!("{EMAIL_3}\n{COUNTRY_3}");
    let issues_5 = format!("{REGION_5}\n{DATE_5}");
    let issues_6 = format!("{DUPLICATE_6}\n{FORMULA_6}");
    let mut headers: Vec<&str> = HEADERS.to_vec();
    headers.push("Issues");
    let expected = vec![
        texts(&headers),
        texts(&[
            "Ann Lee",
            "ann@example.com",
            "CA",
            "CA-QC",
            "en",
            "Nurse",
            "ER",
            "000123",
            "2024-03-31",
            &issues_2,
        ]),
        // Invalid values exactly as uploaded; the valid `EN` as the validation kept it.
        texts(&[
            "Bob Roy",
            "bob@example",
            "Canada",
            // Checked against the country `Canada` stands for, and kept as its full code.
            "CA-QC",
            "en",
            "=1+1",
            "-5",
            "007",
            "",
            &issues_3,
        ]),
        texts(&["", "", "", "", "", "", "", "", "", ""]),
        texts(&[
            "Cy Doe",
            "cy@example.com",
            "CA",
            "",
            "fr",
            "@home",
            "+1 555",
            "",
            "2024-02-30",
            &issues_5,
        ]),
        // The duplicate email with its space as read; the formula's cell left empty (its text
        // would come back as a valid job title): the message shows it.
        texts(&[
            "Dee Fox",
            "ann@EXAMPLE.com ",
            "US",
            "US-CA",
            "en",
            "",
            "",
            "",
            "",
            &issues_6,
        ]),
        // A valid row, with no issues; the upload's Notes column is not carried over.
        texts(&[
            "Eve Ng",
            "eve@example.com",
            "US",
            "US-NY",
            "fr",
            "",
            "",
            "0042",
            "",
            "",
        ]),
    ];
    assert_eq!(grid(&bytes, "Users"), expected);
}

#[test]
fn exactly_the_faulty_cells_are_highlighted_blank_ones_included() {
    let bytes = report_of(&validated());
    assert_eq!(
        highlighted(&bytes),
        set(&["B2", "B3", "C3", "D5", "I5", "B6", "F6"])
    );
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    // The missing region is a formatted blank cell.
    assert!(sheet.contains("<c r=\"D5\" s=\""), "{sheet}");
}

#[test]
fn every_value_is_text_and_formula_like_values_are_quote_prefixed_never_formulas() {
    let bytes = report_of(&validated());
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "{sheet}");
    assert!(sheet.contains("<c r=\"F3\" s=\""));
    assert!(sheet.contains("<is><t>=1+1</t></is>"));
    assert!(!sheet.contains("<t>=2+2</t>"));

    let cells = cells_with_styles(&bytes, "xl/worksheets/sheet1.xml");
    let quoted: BTreeSet<String> = cells
        .iter()
        .filter(|(_, style)| style.quote_prefix)
        .map(|(reference, _)| reference.clone())
        .collect();
    assert_eq!(quoted, set(&["F3", "G3", "F5", "G5"]));
    // Every cell below the header is Text (`@`, format 49): leading zeros survive edits.
    for (reference, style) in &cells {
        if reference.trim_start_matches(|c: char| c.is_ascii_uppercase()) != "1" {
            assert_eq!(style.num_fmt, 49, "{reference}");
        }
    }
    // The Issues cells wrap their lines.
    for reference in ["J2", "J3", "J5", "J6"] {
        let style = &cells.iter().find(|(r, _)| r == reference).unwrap().1;
        assert!(style.wrap, "{reference}");
        assert_eq!(style.fill, None, "{reference}");
    }
    // Columns are formatted as the template's, for the rows the administrator adds: Text,
    // and the date format for Hire date (column 9).
    let styles = cell_styles(&bytes);
    let columns = start_tags(&sheet, "col");
    assert_eq!(columns.len(), 10, "{sheet}");
    for col in columns {
        let style: usize = attr(col, "style").unwrap().parse().unwrap();
        if attr(col, "min").as_deref() == Some("9") {
            assert_ne!(styles[style].num_fmt, 49, "{col}");
        } else {
            assert_eq!(styles[style].num_fmt, 49, "{col}");
        }
    }
}

#[test]
fn the_problems_sheet_lists_every_issue_file_wide_ones_first() {
    let bytes = report_of(&validated());
    let row = |number: f64, column: &str, value: &str, code: &str, message: &str| {
        let mut cells = vec![Data::Float(number)];
        cells.extend(texts(&[column, value, code, message]));
        cells
    };
    let expected = vec![
        texts(&["Row", "Column", "Value", "Code", "Message"]),
        texts(&["", "Notes", "", "column.unknown", NOTES]),
        row(
            2.0,
            "Email",
            "ann@example.com",
            "email.duplicate",
            DUPLICATE_2,
        ),
        row(3.0, "Email", "bob@example", "email.invalid", EMAIL_3),
        row(3.0, "Country", "Canada", "country.name_not_code", COUNTRY_3),
        row(5.0, "Region", "", "region.required", REGION_5),
        row(5.0, "Hire date", "2024-02-30", "date.impossible", DATE_5),
        row(
            6.0,
            "Email",
            "ann@EXAMPLE.com ",
            "email.duplicate",
            DUPLICATE_6,
        ),
        row(6.0, "Job title", "=2+2", "cell.formula", FORMULA_6),
    ];
    assert_eq!(grid(&bytes, "Problems"), expected);
    let problems = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(!problems.contains("<f>") && !problems.contains("<f "));
    let quoted: Vec<String> = cells_with_styles(&bytes, "xl/worksheets/sheet2.xml")
        .into_iter()
        .filter(|(_, style)| style.quote_prefix)
        .map(|(reference, _)| reference)
        .collect();
    assert_eq!(quoted, ["C9"]);
}

#[test]
fn the_report_uploaded_as_is_reads_the_same_rows_values_and_problems() {
    let validation = validated();
    let bytes = report_of(&validation);
    let again = validate_bytes(&bytes, &Schema::default(), &Limits::default()).unwrap();
    assert_eq!(again.sheet, "Users");
    assert_eq!(again.header_row, 1);
    let rows = |v: &Validation| -> Vec<(u32, bool, Vec<String>)> {
        v.records()
            .iter()
            .map(|r| {
                let values = (0..9).map(|p| r.get(p).to_string()).collect();
                (r.row(), r.is_valid(), values)
            })
            .collect()
    };
    // The same rows and values, but for the formula's cell, now empty.
    let mut expected = rows(&validation);
    assert_eq!(expected[3].2[5], "=2+2");
    expected[3].2[5] = String::new();
    assert_eq!(rows(&again), expected);
    type Located = Vec<(Option<u32>, Option<String>, Option<String>, IssueCode)>;
    let located = |v: &Validation| -> Located {
        v.issues()
            .iter()
            .filter(|issue| issue.row.is_some() && issue.code != IssueCode::Formula)
            .map(|issue| {
                (
                    issue.row,
                    issue.column.clone(),
                    issue.value.clone(),
                    issue.code,
                )
            })
            .collect()
    };
    assert_eq!(located(&again), located(&validation));
    assert_eq!(located(&validation).len(), 6);
    assert!(!again.issues().iter().any(|i| i.code == IssueCode::Formula));
    // No file-wide issue: the reader knows the report's own Issues column and ignores it.
    let file_wide: Vec<(Option<String>, IssueCode, Severity)> = again
        .issues()
        .iter()
        .filter(|issue| issue.row.is_none())
        .map(|issue| (issue.column.clone(), issue.code, issue.severity))
        .collect();
    assert_eq!(file_wide, []);
}

#[test]
fn the_fixed_report_uploads_cleanly_with_the_fixed_values() {
    let bytes = report_of(&validated());
    let mut sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    for (reference, fixed) in [
        ("B3", "bob@example.com"),
        ("C3", "CA"),
        ("D5", "CA-ON"),
        ("I5", "2024-02-28"),
        ("B6", "dee@example.com"),
        ("F6", "Head nurse"),
    ] {
        sheet = set_cell(&sheet, reference, fixed);
    }
    let fixed = with_part(&bytes, "xl/worksheets/sheet1.xml", &sheet);
    let schema = Schema::default();
    let again = validate_bytes(&fixed, &schema, &Limits::default()).unwrap();
    assert!(again.is_valid(), "{:#?}", again.issues());
    let codes: Vec<IssueCode> = again.issues().iter().map(|issue| issue.code).collect();
    assert_eq!(codes, []);
    let rows: Vec<(u32, Vec<&str>)> = again
        .records()
        .iter()
        .map(|record| (record.row(), (0..9).map(|p| record.get(p)).collect()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                2,
                vec![
                    "Ann Lee",
                    "ann@example.com",
                    "CA",
                    "CA-QC",
                    "en",
                    "Nurse",
                    "ER",
                    "000123",
                    "2024-03-31"
                ]
            ),
            (
                3,
                vec![
                    "Bob Roy",
                    "bob@example.com",
                    "CA",
                    "CA-QC",
                    "en",
                    "=1+1",
                    "-5",
                    "007",
                    ""
                ]
            ),
            (
                5,
                vec![
                    "Cy Doe",
                    "cy@example.com",
                    "CA",
                    "CA-ON",
                    "fr",
                    "@home",
                    "+1 555",
                    "",
                    "2024-02-28"
                ]
            ),
            (
                6,
                vec![
                    "Dee Fox",
                    "dee@example.com",
                    "US",
                    "US-CA",
                    "en",
                    "Head nurse",
                    "",
                    "",
                    ""
                ]
            ),
            (
                7,
                vec![
                    "Eve Ng",
                    "eve@example.com",
                    "US",
                    "US-NY",
                    "fr",
                    "",
                    "",
                    "0042",
                    ""
                ]
            ),
        ]
    );
}

#[test]
fn a_header_lower_down_keeps_every_row_number() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Users").unwrap();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(2, col as u16, *header).unwrap();
    }
    let first = ["Ann Lee", "ann@example", "CA", "CA-QC", "en"];
    let second = ["Bob Roy", "bob@example.com", "CA", "CA-QC", "de"];
    for (col, value) in first.iter().enumerate() {
        sheet.write_string(3, col as u16, *value).unwrap();
    }
    for (col, value) in second.iter().enumerate() {
        sheet.write_string(5, col as u16, *value).unwrap();
    }
    let upload = workbook.save_to_buffer().unwrap();
    let schema = Schema::default();
    let validation = validate_bytes(&upload, &schema, &Limits::default()).unwrap();
    assert_eq!(validation.header_row, 3);
    let bytes = ErrorReport::new(&schema, &validation).to_bytes().unwrap();

    let cells = grid(&bytes, "Users");
    assert_eq!(cells.len(), 6);
    assert!(cells[0].iter().chain(&cells[1]).all(|c| *c == Data::Empty));
    assert_eq!(cells[2][0], Data::String("Name".into()));
    assert_eq!(cells[3][1], Data::String("ann@example".into()));
    assert!(cells[4].iter().all(|c| *c == Data::Empty));
    assert_eq!(cells[5][4], Data::String("de".into()));
    assert_eq!(highlighted(&bytes), set(&["B4", "E6"]));
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane ySplit="3" topLeftCell="A4""#),
        "{sheet}"
    );

    let again = validate_bytes(&bytes, &schema, &Limits::default()).unwrap();
    assert_eq!(again.header_row, 3);
    assert_eq!(again.records(), validation.records());
}

#[test]
fn from_parts_in_any_order_writes_the_same_report() {
    let validation = validated();
    let schema = Schema::default();
    let in_order = report_of(&validation);
    let headers = validation.headers.clone();
    let (mut records, mut issues) = validation.into_parts();
    records.reverse();
    issues.reverse();
    let shuffled = ErrorReport::from_parts(&schema, &headers, &records, &issues)
        .to_bytes()
        .unwrap();
    assert_eq!(grid(&shuffled, "Users"), grid(&in_order, "Users"));
    assert_eq!(grid(&shuffled, "Problems"), grid(&in_order, "Problems"));
    assert_eq!(highlighted(&shuffled), highlighted(&in_order));
}

#[test]
fn a_repeated_row_number_goes_on_the_next_free_row_with_its_issues() {
    let validation = validated();
    let schema = Schema::default();
    // Row 3 twice (Bob), then row 5 (Cy): the second Bob goes on row 4, the blank one.
    let records = [
        validation.records()[1].clone(),
        validation.records()[1].clone(),
        validation.records()[2].clone(),
    ];
    let bytes =
        ErrorReport::from_parts(&schema, &validation.headers, &records, validation.issues())
            .to_bytes()
            .unwrap();
    let cells = grid(&bytes, "Users");
    let issues_3 = Data::String(format!("{EMAIL_3}\n{COUNTRY_3}"));
    assert_eq!(cells.len(), 5);
    assert!(cells[1].iter().all(|c| *c == Data::Empty));
    assert_eq!(cells[2][0], Data::String("Bob Roy".into()));
    assert_eq!(cells[3][0], Data::String("Bob Roy".into()));
    assert_eq!(cells[2][9], issues_3);
    assert_eq!(cells[3][9], issues_3);
    assert_eq!(cells[4][0], Data::String("Cy Doe".into()));
    assert_eq!(
        highlighted(&bytes),
        set(&["B3", "C3", "B4", "C4", "D5", "I5"])
    );
}

#[test]
fn a_value_over_the_column_limit_is_shown_in_full() {
    let schema = Schema::default();
    let long = "x".repeat(300);
    let upload = user_import::testing::workbook(
        &schema,
        &[&[&long, "ann@example.com", "CA", "CA-QC", "en"]],
    );
    let validation = validate_bytes(&upload, &schema, &Limits::default()).unwrap();
    assert_eq!(validation.issues()[0].code, IssueCode::TooLong);
    // The validation keeps 255 characters; the report shows the 300 the cell held.
    assert_eq!(validation.records()[0].get(0).len(), 255);
    let bytes = ErrorReport::new(&schema, &validation).to_bytes().unwrap();
    assert_eq!(grid(&bytes, "Users")[1][0], Data::String(long));
    assert_eq!(highlighted(&bytes), set(&["A2"]));
}

#[test]
fn rows_whose_issues_were_not_kept_say_so() {
    let schema = Schema::default();
    let upload = user_import::testing::workbook(
        &schema,
        &[
            &["Ann Lee", "ann@example", "CA", "CA-QC", "en"],
            &["Bob Roy", "bob@example", "CA", "CA-QC", "en"],
        ],
    );
    let limits = Limits {
        max_issues: 1,
        ..Limits::default()
    };
    let validation = validate_bytes(&upload, &schema, &limits).unwrap();
    let bytes = ErrorReport::new(&schema, &validation).to_bytes().unwrap();
    let cells = grid(&bytes, "Users");
    assert_eq!(
        cells[2][9],
        Data::String(
            "this row has problems that are not listed because the file has too many; fix the problems shown and check the file again".into()
        )
    );
    assert_eq!(highlighted(&bytes), set(&["B2"]));
    let problems = grid(&bytes, "Problems");
    assert_eq!(problems.len(), 3);
    assert_eq!(problems[1][3], Data::String("file.too_many_issues".into()));
    assert_eq!(problems[1][0], Data::Empty);
    assert_eq!(problems[2][3], Data::String("email.invalid".into()));
    assert_eq!(problems[2][0], Data::Float(2.0));
}

#[test]
fn a_valid_upload_gives_a_report_without_issues() {
    let schema = Schema::default();
    let upload = user_import::testing::workbook(
        &schema,
        &[&[
            "Ann Lee",
            "ann@example.com",
            "CA",
            "CA-QC",
            "en",
            "",
            "",
            "000123",
            "",
        ]],
    );
    let validation = validate_bytes(&upload, &schema, &Limits::default()).unwrap();
    let bytes = ErrorReport::new(&schema, &validation).to_bytes().unwrap();
    assert_eq!(
        grid(&bytes, "Users")[1],
        texts(&[
            "Ann Lee",
            "ann@example.com",
            "CA",
            "CA-QC",
            "en",
            "",
            "",
            "000123",
            "",
            ""
        ])
    );
    assert_eq!(highlighted(&bytes), set(&[]));
    assert_eq!(
        grid(&bytes, "Problems"),
        [texts(&["Row", "Column", "Value", "Code", "Message"])]
    );
}

#[test]
fn a_data_sheet_named_problems_keeps_its_name_and_is_the_one_read() {
    let schema = Schema::builder().sheet_name("Problems").build().unwrap();
    let upload = user_import::testing::workbook(
        &schema,
        &[&["Ann Lee", "ann@example", "CA", "CA-QC", "en"]],
    );
    let validation = validate_bytes(&upload, &schema, &Limits::default()).unwrap();
    let bytes = ErrorReport::new(&schema, &validation).to_bytes().unwrap();
    assert_eq!(
        sheet_names(&bytes),
        [
            "Problems",
            "Import problems",
            "Instructions",
            "Location codes",
            "Lists"
        ]
    );
    let again = validate_bytes(&bytes, &schema, &Limits::default()).unwrap();
    assert_eq!(again.sheet, "Problems");
    assert_eq!(again.records(), validation.records());
}

#[test]
fn write_to_streams_the_same_workbook() {
    let validation = validated();
    let schema = Schema::default();
    let mut out = Vec::new();
    ErrorReport::new(&schema, &validation)
        .write_to(&mut out)
        .unwrap();
    let bytes = report_of(&validation);
    assert_eq!(grid(&out, "Users"), grid(&bytes, "Users"));
    assert_eq!(grid(&out, "Problems"), grid(&bytes, "Problems"));
    assert_eq!(highlighted(&out), highlighted(&bytes));
}

#[test]
fn temporary_files_go_to_the_chosen_directory_and_a_missing_one_is_an_error() {
    let validation = validated();
    let schema = Schema::default();
    let dir = std::env::temp_dir().join(format!("user-import-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = ErrorReport::new(&schema, &validation)
        .temp_dir(&dir)
        .to_bytes()
        .unwrap();
    assert_eq!(
        grid(&bytes, "Users"),
        grid(&report_of(&validation), "Users")
    );
    // The temporary files are gone once the report is written.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir(&dir).unwrap();

    let error = ErrorReport::new(&schema, &validation)
        .temp_dir(&dir)
        .to_bytes()
        .unwrap_err();
    assert_eq!(error.code(), "write.failed");
}

/// With the upload, the report writes each value as typed (a valid `QC` stays `QC`, an email
/// keeps its capitals) and keeps the administrator's own column after `Issues`; uploaded
/// again, only that column is warned about, and the rows come back with the same problem.
#[test]
fn with_the_upload_values_stay_as_typed_and_extra_columns_are_kept() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Users").unwrap();
    let mut headers: Vec<&str> = HEADERS.to_vec();
    headers.push("Manager");
    let rows: [&[&str]; 3] = [
        &[
            "Ann Lee",
            "Ann@Example.com",
            "Canada",
            "QC",
            "en",
            "",
            "",
            "",
            "",
            "Zoe",
        ],
        &[
            "Bob Ray",
            "bob@example.com",
            "CA",
            "QC",
            "en",
            "",
            "",
            "007",
            "",
            "Yan",
        ],
        &["", "", "", "", "", "", "", "", "", "a note on a blank row"],
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (at, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(at as u32 + 1, col as u16, *value)
                    .unwrap();
            }
        }
    }
    let upload = workbook.save_to_buffer().unwrap();
    let (schema, limits) = (Schema::default(), Limits::default());
    let validation = validate_bytes(&upload, &schema, &limits).unwrap();
    assert!(!validation.is_valid());
    let report = ErrorReport::new(&schema, &validation)
        .upload(&upload, &limits)
        .to_bytes()
        .unwrap();

    let cells = grid(&report, "Users");
    assert_eq!(cells[0][9], Data::String("Issues".into()));
    assert_eq!(cells[0][10], Data::String("Manager".into()));
    assert_eq!(
        cells[1][..5],
        texts(&["Ann Lee", "Ann@Example.com", "Canada", "QC", "en"])[..],
        "the invalid row as typed"
    );
    assert_eq!(
        cells[2][..8],
        texts(&[
            "Bob Ray",
            "bob@example.com",
            "CA",
            "QC",
            "en",
            "",
            "",
            "007"
        ])[..],
        "the valid row as typed, not normalized (`CA-QC`)"
    );
    assert_eq!(
        (&cells[1][10], &cells[2][10]),
        (&Data::String("Zoe".into()), &Data::String("Yan".into()))
    );
    assert_eq!(
        cells.len(),
        3,
        "a row with values only in the extra column is blank"
    );
    let Data::String(issues) = &cells[1][9] else {
        panic!("row 2's issues: {:?}", cells[1][9]);
    };
    assert!(
        issues.contains("`Canada` is a country name; use the code `CA`"),
        "{issues}"
    );
    assert_eq!(cells[2][9], Data::Empty, "row 3 has no issue");

    let again = validate_bytes(&report, &schema, &limits).unwrap();
    let warnings: Vec<(IssueCode, Option<&str>)> = again
        .issues()
        .iter()
        .filter(|issue| issue.severity == Severity::Warning)
        .map(|issue| (issue.code, issue.column.as_deref()))
        .collect();
    assert_eq!(warnings, [(IssueCode::UnknownColumn, Some("Manager"))]);
    let rows: Vec<u32> = again.records().iter().map(|r| r.row()).collect();
    assert_eq!(rows, [2, 3]);
    let errors = |validation: &Validation| -> Vec<(Option<u32>, IssueCode)> {
        (validation.issues().iter())
            .filter(|issue| issue.severity == Severity::Error)
            .map(|issue| (issue.row, issue.code))
            .collect()
    };
    assert_eq!(
        errors(&again),
        errors(&validation),
        "the same problems on the same rows"
    );

    // From a validation that kept a brief of each row, not its record (an import's read): the
    // same report, sheet for sheet.
    let mut validator = user_import::Validator::for_import(&schema, &limits);
    user_import::read_rows_bytes(&upload, &schema, &limits, &mut validator).unwrap();
    let briefly = validator.finish();
    assert!(briefly.records().is_empty());
    assert_eq!(briefly.row_count(), validation.row_count());
    let from_briefs = ErrorReport::new(&schema, &briefly)
        .upload(&upload, &limits)
        .to_bytes()
        .unwrap();
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        assert_eq!(part(&from_briefs, sheet), part(&report, sheet), "{sheet}");
    }
    // Without its upload such a report has no row to write: its problems sheet only.
    let problems_only = ErrorReport::new(&schema, &briefly).to_bytes().unwrap();
    assert_eq!(grid(&problems_only, "Users").len(), 1, "the header only");
    assert_eq!(
        part(&problems_only, "xl/worksheets/sheet2.xml"),
        part(&report, "xl/worksheets/sheet2.xml")
    );
}
