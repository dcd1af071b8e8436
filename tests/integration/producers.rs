//! The reader, on the shapes Excel and other producers write: how the data sheet and its
//! header row are found, how cells of every type are read, and the row numbers messages use.

use rust_xlsxwriter::{Format, Formula, Workbook};
use user_import::{Error, Limit, Limits, Schema, Severity, Validation, validate_bytes};

use crate::common::*;

/// (row, column, code) of every issue, in the order the validation lists them.
fn issues(validation: &Validation) -> Vec<(Option<u32>, Option<&str>, &'static str)> {
    validation
        .issues()
        .iter()
        .map(|issue| (issue.row, issue.column.as_deref(), issue.code.as_str()))
        .collect()
}

/// The spreadsheet row numbers of the records read.
fn rows(validation: &Validation) -> Vec<u32> {
    validation
        .records()
        .iter()
        .map(|record| record.row())
        .collect()
}

/// The default schema's header row on row 1, then `data` (more `<row>` elements).
fn users_sheet(data: &str) -> Vec<u8> {
    let mut xml = inline_row(1, &HEADERS);
    xml.push_str(data);
    Package::with_sheet("Users", &xml).build()
}

/// A row of inline strings whose cell at column `index` is replaced by `cell`.
fn row_with_cell(row: u32, values: &[&str], index: usize, cell: &str) -> String {
    let mut xml = format!(r#"<row r="{row}">"#);
    for position in 0..values.len().max(index + 1) {
        let value = values.get(position).copied().unwrap_or("");
        if position == index {
            xml.push_str(cell);
        } else if !value.is_empty() {
            xml.push_str(&inline(
                &format!("{}{row}", letters(position as u32)),
                value,
            ));
        }
    }
    xml.push_str("</row>");
    xml
}

/// A package whose only sheet, `Users`, holds `data` as is.
fn users_sheet_from(data: &str) -> Vec<u8> {
    Package::with_sheet("Users", data).build()
}

fn expect_error(bytes: &[u8]) -> Error {
    match check(bytes) {
        Ok(validation) => panic!("expected the file to be refused, got {validation:?}"),
        Err(error) => error,
    }
}

// ---------------------------------------------------------------------------------------------
// Finding the data sheet and its header row
// ---------------------------------------------------------------------------------------------

#[test]
fn the_sheet_named_users_is_read_even_when_another_sheet_comes_first_with_the_headers() {
    let mut decoy = inline_row(1, &HEADERS);
    decoy.push_str(&inline_row(
        2,
        &["Decoy", "decoy@example.com", "CA", "CA-QC", "en"],
    ));
    let mut users = inline_row(1, &HEADERS);
    users.push_str(&inline_row(2, &ann()));
    let bytes = Package::with_sheet("Old list", &decoy)
        .sheet("Users", &users)
        .build();
    let validation = read_ok(&bytes);
    assert_eq!(validation.sheet, "Users");
    assert_eq!(validation.records().len(), 1);
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
}

#[test]
fn the_data_sheet_name_matches_ignoring_case_and_surrounding_spaces() {
    let mut decoy = inline_row(1, &HEADERS);
    decoy.push_str(&inline_row(
        2,
        &["Decoy", "decoy@example.com", "CA", "CA-QC", "en"],
    ));
    let mut users = inline_row(1, &HEADERS);
    users.push_str(&inline_row(2, &ann()));
    let bytes = Package::with_sheet("Old list", &decoy)
        .sheet(" USERS ", &users)
        .build();
    let validation = read_ok(&bytes);
    assert_eq!(validation.sheet, " USERS ");
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
}

#[test]
fn without_a_users_sheet_the_first_sheet_whose_first_row_has_the_headers_is_read() {
    let notes = inline_row(1, &["Fill in one user per row on the next sheet"]);
    let mut other = inline_row(1, &["Name", "Email"]);
    other.push_str(&inline_row(2, &["Not", "a user sheet"]));
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    let bytes = Package::with_sheet("Read me", &notes)
        .sheet("Partial", &other)
        .sheet("Sheet3", &data)
        .build();
    let validation = read_ok(&bytes);
    assert_eq!(validation.sheet, "Sheet3");
    assert_eq!(rows(&validation), [2]);
}

#[test]
fn the_first_non_empty_row_counts_as_the_header_row_when_looking_for_the_data_sheet() {
    // Rows 1 and 2 are empty; the headers are on row 3 of the only matching sheet.
    let mut data = inline_row(3, &HEADERS);
    data.push_str(&inline_row(4, &ann()));
    let bytes = Package::with_sheet("Notes", &inline_row(1, &["nothing here"]))
        .sheet("Export", &data)
        .build();
    let validation = read_ok(&bytes);
    assert_eq!(validation.sheet, "Export");
    assert_eq!(validation.header_row, 3);
    assert_eq!(rows(&validation), [4]);
}

#[test]
fn no_sheet_with_the_headers_is_an_error_listing_the_sheets_found_and_the_headers_expected() {
    let bytes = Package::with_sheet("Sheet1", &inline_row(1, &["Full name", "Mail"]))
        .sheet("Sheet2", &inline_row(1, &["Anything"]))
        .build();
    let error = expect_error(&bytes);
    assert_eq!(error.code(), "file.sheet_not_found");
    assert_eq!(
        error.to_string(),
        "no sheet holds the users: looked for a sheet named `Users` or one whose first row has the headers `Name`, `Email`, `Country`, `Region`, `Language`; the file has the sheets `Sheet1`, `Sheet2`; fill in the downloaded template"
    );
}

#[test]
fn headers_match_ignoring_case_and_surrounding_spaces() {
    let headers = [
        " name ",
        "EMAIL",
        "\u{a0}Country\u{a0}",
        "region",
        "LANGUAGE ",
        "job TITLE",
        "Department",
        "employee id",
        "HIRE DATE",
    ];
    let mut data = inline_row(1, &headers);
    data.push_str(&inline_row(2, &ann()));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(
        validation.headers,
        [
            Some("name"),
            Some("EMAIL"),
            Some("Country"),
            Some("region"),
            Some("LANGUAGE"),
            Some("job TITLE"),
            Some("Department"),
            Some("employee id"),
            Some("HIRE DATE"),
        ]
        .map(|h| h.map(str::to_string))
    );
    assert_eq!(validation.records()[0].get(1), "ann@example.com");
    assert_eq!(validation.records()[0].get(8), "2024-03-31");
}

#[test]
fn issues_name_the_column_by_its_header_as_written_in_the_file() {
    let mut data = inline_row(1, &["NAME", "  EMAIL ", "Country", "Region", "Language"]);
    data.push_str(&inline_row(
        2,
        &["Ann", "not-an-address", "CA", "CA-QC", "en"],
    ));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("EMAIL"), "email.invalid")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, EMAIL: `not-an-address` is not a valid email address: it has no @; type one address such as name@example.com"
    );
}

#[test]
fn optional_columns_may_be_left_out_of_the_file() {
    let mut data = inline_row(1, &HEADERS[..5]);
    data.push_str(&inline_row(2, &ann()[..5]));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(
        validation.headers[5..],
        [None, None, None, None] as [Option<String>; 4]
    );
    assert_eq!(validation.records()[0].get(7), "");
}

#[test]
fn a_missing_required_column_is_named() {
    let headers = ["Name", "Email", "Country", "Region", "Job title"];
    let mut data = inline_row(1, &headers);
    data.push_str(&inline_row(
        2,
        &["Ann", "ann@example.com", "CA", "CA-QC", "Nurse"],
    ));
    let error = expect_error(&Package::with_sheet("Users", &data).build());
    assert_eq!(error.code(), "file.missing_columns");
    assert_eq!(
        error.to_string(),
        "sheet `Users` is missing the required column `Language`; add it to the header row (row 1) or fill in the downloaded template"
    );
}

#[test]
fn several_missing_required_columns_are_all_named() {
    let mut data = inline_row(1, &["Name", "Email", "Language"]);
    data.push_str(&inline_row(2, &["Ann", "ann@example.com", "en"]));
    let error = expect_error(&Package::with_sheet("Users", &data).build());
    assert_eq!(
        error.to_string(),
        "sheet `Users` is missing the required columns `Country`, `Region`; add them to the header row (row 1) or fill in the downloaded template"
    );
}

#[test]
fn a_column_that_is_not_in_the_template_is_ignored_with_a_warning_naming_it() {
    let mut headers = HEADERS.to_vec();
    headers.push("Phone");
    let mut values = ann();
    values.push("555-0100");
    let mut data = inline_row(1, &headers);
    data.push_str(&inline_row(2, &values));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert!(validation.is_valid());
    assert_eq!(
        issues(&validation),
        [(None, Some("Phone"), "column.unknown")]
    );
    let warning = &validation.issues()[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.get_arg("letter"), Some("J"));
    assert_eq!(
        warning.message,
        "column Phone: this column is not part of the template and is ignored; rename it to one of the template's headers or remove it"
    );
    assert_eq!(validation.records()[0].len(), HEADERS.len());
}

#[test]
fn values_in_a_column_without_a_header_are_ignored_with_a_warning() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    let mut third = ann();
    third[1] = "bob@example.com";
    third.push("");
    third.push("stray");
    data.push_str(&inline_row(3, &third));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert!(validation.is_valid());
    assert_eq!(
        issues(&validation),
        [(None, None, "column.values_without_header")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "cells in column K have no header and are ignored (first on row 3); move the values under a template header or delete them"
    );
}

#[test]
fn a_title_row_above_the_headers_is_taken_as_the_header_row_and_the_file_refused() {
    // Decision: the header row is the first non-empty row, as in the template. A title above
    // it is not guessed past; the message says which row was taken as the header row.
    let mut data = inline_row(1, &["Staff list, March 2024"]);
    data.push_str(&inline_row(2, &HEADERS));
    data.push_str(&inline_row(3, &ann()));
    let error = expect_error(&Package::with_sheet("Users", &data).build());
    assert_eq!(error.code(), "file.missing_columns");
    assert_eq!(
        error.to_string(),
        "sheet `Users` is missing the required columns `Name`, `Email`, `Country`, `Region`, `Language`; add them to the header row (row 1) or fill in the downloaded template"
    );
}

#[test]
fn a_title_row_on_a_sheet_not_named_users_leaves_no_data_sheet() {
    let mut data = inline_row(1, &["Staff list, March 2024"]);
    data.push_str(&inline_row(2, &HEADERS));
    data.push_str(&inline_row(3, &ann()));
    let error = expect_error(&Package::with_sheet("Staff", &data).build());
    assert_eq!(error.code(), "file.sheet_not_found");
}

// ---------------------------------------------------------------------------------------------
// Formulas
// ---------------------------------------------------------------------------------------------

#[test]
fn a_formula_cell_is_refused_even_with_a_cached_value() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    data.push_str(&inline_row(
        3,
        &["Bob Roy", "bob@example.com", "CA", "CA-ON", "en"],
    ));
    data.push_str(&inline_row(
        4,
        &["Cy Fox", "cy@example.com", "US", "US-NY", "fr"],
    ));
    let formula =
        r#"<c r="B5" t="str"><f>LOWER(A5)&amp;"@example.com"</f><v>dee@example.com</v></c>"#;
    data.push_str(&row_with_cell(
        5,
        &["Dee", "", "FR", "FR-75C", "fr"],
        1,
        formula,
    ));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(
        issues(&validation),
        [(Some(5), Some("Email"), "cell.formula")]
    );
    assert_eq!(
        validation.issues()[0].message,
        r#"row 5, Email: the cell holds the formula `=LOWER(A5)&"@example.com"`; type the value itself as text"#
    );
    assert_eq!(
        validation.issues()[0].value.as_deref(),
        Some(r#"=LOWER(A5)&"@example.com""#)
    );
    let valid: Vec<u32> = validation.valid_records().map(|r| r.row()).collect();
    assert_eq!(valid, [2, 3, 4]);
}

#[test]
fn every_formula_cell_is_reported_on_its_own() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Users").unwrap();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (col, value) in ann().iter().enumerate() {
        sheet.write_string(1, col as u16, *value).unwrap();
    }
    sheet.write_string(2, 0, "Bob Roy").unwrap();
    sheet
        .write_formula(
            2,
            1,
            Formula::new("=LOWER(\"BOB@EXAMPLE.COM\")").set_result("bob@example.com"),
        )
        .unwrap();
    sheet.write_string(2, 2, "CA").unwrap();
    sheet
        .write_formula(2, 3, Formula::new("=C3&\"-ON\"").set_result("CA-ON"))
        .unwrap();
    sheet.write_string(2, 4, "en").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let validation = read_ok(&bytes);
    assert_eq!(
        issues(&validation),
        [
            (Some(3), Some("Email"), "cell.formula"),
            (Some(3), Some("Region"), "cell.formula"),
        ]
    );
    assert_eq!(
        validation.issues()[1].message,
        "row 3, Region: the cell holds the formula `=C3&\"-ON\"`; type the value itself as text"
    );
}

#[test]
fn cells_that_share_a_formula_are_each_refused() {
    let mut data = inline_row(1, &HEADERS);
    let anchor =
        r#"<c r="E2" t="str"><f t="shared" ref="E2:E3" si="0">LOWER("EN")</f><v>en</v></c>"#;
    let derived = r#"<c r="E3" t="str"><f t="shared" si="0"/><v>en</v></c>"#;
    data.push_str(&row_with_cell(2, &ann(), 4, anchor));
    data.push_str(&row_with_cell(
        3,
        &["Bob Roy", "bob@example.com", "CA", "CA-ON"],
        4,
        derived,
    ));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Language"), "cell.formula"),
            (Some(3), Some("Language"), "cell.formula"),
        ]
    );
    // A cell that shares the formula written on another cell is shown that formula.
    assert_eq!(
        validation.issues()[1].message,
        r#"row 3, Language: the cell holds the formula `=LOWER("EN")`; type the value itself as text"#
    );
    assert_eq!(validation.valid_records().count(), 0);
}

#[test]
fn a_formula_whose_result_is_an_error_is_reported_as_a_formula() {
    let mut data = inline_row(1, &HEADERS);
    let cell = r#"<c r="D2" t="e"><f>VLOOKUP(C2,Codes!A:B,2,FALSE)</f><v>#N/A</v></c>"#;
    data.push_str(&row_with_cell(2, &ann(), 3, cell));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Region"), "cell.formula")]
    );
}

// ---------------------------------------------------------------------------------------------
// Cell types
// ---------------------------------------------------------------------------------------------

#[test]
fn an_excel_date_cell_becomes_a_date_in_the_1900_system() {
    let mut data = inline_row(1, &HEADERS);
    // 45382 is 2024-03-31 in the 1900 date system.
    data.push_str(&row_with_cell(
        2,
        &ann(),
        8,
        r#"<c r="I2" s="1"><v>45382</v></c>"#,
    ));
    let mut package = Package::with_sheet("Users", &data);
    package.styles = Some(date_styles());
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(8), "2024-03-31");
}

#[test]
fn an_excel_date_cell_becomes_a_date_in_the_1904_system() {
    let mut data = inline_row(1, &HEADERS);
    // 43920 is 2024-03-31 in the 1904 date system (1,462 days less than in the 1900 one).
    data.push_str(&row_with_cell(
        2,
        &ann(),
        8,
        r#"<c r="I2" s="1"><v>43920</v></c>"#,
    ));
    let mut package = Package::with_sheet("Users", &data);
    package.styles = Some(date_styles());
    package.date1904 = true;
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(8), "2024-03-31");
}

#[test]
fn an_excel_date_cell_with_a_time_of_day_keeps_its_date() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        8,
        r#"<c r="I2" s="1"><v>45382.75</v></c>"#,
    ));
    let mut package = Package::with_sheet("Users", &data);
    package.styles = Some(date_styles());
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(8), "2024-03-31");
}

#[test]
fn a_date_written_by_rust_xlsxwriter_reads_as_its_date() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Users").unwrap();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (col, value) in ann()[..8].iter().enumerate() {
        sheet.write_string(1, col as u16, *value).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 12, 1).unwrap();
    let format = Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_datetime_with_format(1, 8, &date, &format)
        .unwrap();
    let validation = read_ok(&workbook.save_to_buffer().unwrap());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(8), "2021-12-01");
}

#[test]
fn a_plain_number_in_a_date_column_is_refused_with_the_expected_format() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        8,
        r#"<c r="I2"><v>45382</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Hire date"), "date.format")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Hire date: `45382` is not a date in the format YYYY-MM-DD; type it as YYYY-MM-DD, for example 2024-03-31"
    );
}

#[test]
fn a_number_in_a_text_column_reads_as_text_without_a_stray_decimal() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(2, &ann(), 7, r#"<c r="H2"><v>123</v></c>"#));
    let mut bob = ann();
    bob[1] = "bob@example.com";
    data.push_str(&row_with_cell(
        3,
        &bob,
        7,
        r#"<c r="H3" t="n"><v>123.0</v></c>"#,
    ));
    let mut cy = ann();
    cy[1] = "cy@example.com";
    data.push_str(&row_with_cell(4, &cy, 7, r#"<c r="H4"><v>12.5</v></c>"#));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(validation.issues(), &[]);
    let ids: Vec<&str> = validation.records().iter().map(|r| r.get(7)).collect();
    assert_eq!(ids, ["123", "123", "12.5"]);
}

#[test]
fn a_large_number_in_a_text_column_keeps_every_digit() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        7,
        r#"<c r="H2"><v>1234567890123</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(validation.records()[0].get(7), "1234567890123");
}

#[test]
fn a_number_written_by_rust_xlsxwriter_reads_as_text_without_a_stray_decimal() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Users").unwrap();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (col, value) in ann()[..7].iter().enumerate() {
        sheet.write_string(1, col as u16, *value).unwrap();
    }
    sheet.write_number(1, 7, 42.0).unwrap();
    let validation = read_ok(&workbook.save_to_buffer().unwrap());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(7), "42");
}

#[test]
fn a_boolean_cell_in_a_text_column_reads_as_true_or_false() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        6,
        r#"<c r="G2" t="b"><v>1</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(6), "TRUE");
}

#[test]
fn a_boolean_cell_in_a_choice_column_is_not_a_choice() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        4,
        r#"<c r="E2" t="b"><v>0</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Language"), "choice.invalid")]
    );
    assert_eq!(validation.issues()[0].value.as_deref(), Some("FALSE"));
}

#[test]
fn an_error_cell_is_refused_naming_the_error_value() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        3,
        r#"<c r="D2" t="e"><v>#N/A</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Region"), "cell.error_value")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Region: the cell holds the error value `#N/A`; type the value itself as text"
    );
}

#[test]
fn a_string_result_cell_without_a_formula_reads_as_text() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        1,
        r#"<c r="B2" t="str"><v>ann@example.com</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(1), "ann@example.com");
}

#[test]
fn an_iso_date_cell_reads_as_its_date() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        8,
        r#"<c r="I2" t="d"><v>2024-03-31T00:00:00</v></c>"#,
    ));
    let mut bob = ann();
    bob[1] = "bob@example.com";
    data.push_str(&row_with_cell(
        3,
        &bob,
        8,
        r#"<c r="I3" t="d"><v>2021-12-01</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(validation.issues(), &[]);
    let dates: Vec<&str> = validation.records().iter().map(|r| r.get(8)).collect();
    assert_eq!(dates, ["2024-03-31", "2021-12-01"]);
}

#[test]
fn an_iso_date_cell_with_a_time_of_day_keeps_its_date() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        8,
        r#"<c r="I2" t="d"><v>2024-03-31T09:30:00</v></c>"#,
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(8), "2024-03-31");
}

// ---------------------------------------------------------------------------------------------
// Other producers' package shapes
// ---------------------------------------------------------------------------------------------

#[test]
fn shared_strings_are_read() {
    let strings: Vec<&str> = HEADERS.iter().copied().chain(ann()).collect();
    let mut data = String::from(r#"<row r="1">"#);
    for index in 0..9 {
        data.push_str(&format!(
            r#"<c r="{}1" t="s"><v>{index}</v></c>"#,
            letters(index)
        ));
    }
    data.push_str(r#"</row><row r="2">"#);
    for index in 0..9 {
        data.push_str(&format!(
            r#"<c r="{}2" t="s"><v>{}</v></c>"#,
            letters(index),
            index + 9
        ));
    }
    data.push_str("</row>");
    let mut package = Package::with_sheet("Users", &data);
    package.shared_strings = Some(shared_strings(&strings));
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
    assert_eq!(validation.records()[0].get(7), "000123");
}

/// `count` is how many cells use a shared string (Excel writes 8 million for a filled
/// 1,000,000-row template); only `uniqueCount`, which calamine reserves room for, is bounded.
#[test]
fn a_shared_string_use_count_over_the_unique_limit_is_read() {
    let strings: Vec<&str> = HEADERS.iter().copied().chain(ann()).collect();
    let mut data = String::new();
    for row in 1..=2u32 {
        data.push_str(&format!(r#"<row r="{row}">"#));
        for index in 0..9u32 {
            data.push_str(&format!(
                r#"<c r="{}{row}" t="s"><v>{}</v></c>"#,
                letters(index),
                index + (row - 1) * 9
            ));
        }
        data.push_str("</row>");
    }
    let mut package = Package::with_sheet("Users", &data);
    package.shared_strings = Some(shared_strings(&strings).replace(
        r#"count="18" uniqueCount"#,
        r#"count="8183389" uniqueCount"#,
    ));
    let limits = Limits {
        max_shared_strings: 100,
        ..Limits::default()
    };
    let validation =
        validate_bytes(&package.build(), &Schema::default(), &limits).expect("a readable file");
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(1), "ann@example.com");
    // The unique count is still bounded.
    let mut package = Package::with_sheet("Users", &data);
    package.shared_strings =
        Some(shared_strings(&strings).replace(r#"uniqueCount="18""#, r#"uniqueCount="101""#));
    match validate_bytes(&package.build(), &Schema::default(), &limits) {
        Err(Error::LimitExceeded {
            what, value, limit, ..
        }) => {
            assert_eq!(
                (what, value, limit),
                (Limit::DeclaredSharedStrings, 101, 100)
            );
        }
        other => panic!("expected the unique count refused, got {other:?}"),
    }
}

#[test]
fn rich_text_shared_strings_join_their_runs() {
    let mut strings = shared_strings(&HEADERS);
    strings = strings.replace(
        "</sst>",
        r#"<si><r><rPr><b/><sz val="11"/></rPr><t>Ann</t></r><r><rPr><i/></rPr><t xml:space="preserve"> Lee</t></r></si></sst>"#,
    );
    let mut data = String::from(r#"<row r="1">"#);
    for index in 0..9 {
        data.push_str(&format!(
            r#"<c r="{}1" t="s"><v>{index}</v></c>"#,
            letters(index)
        ));
    }
    data.push_str("</row>");
    data.push_str(&row_with_cell(
        2,
        &ann(),
        0,
        r#"<c r="A2" t="s"><v>9</v></c>"#,
    ));
    let mut package = Package::with_sheet("Users", &data);
    package.shared_strings = Some(strings);
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
}

#[test]
fn phonetic_guides_in_shared_strings_are_not_part_of_the_value() {
    let mut strings = shared_strings(&HEADERS);
    strings = strings.replace(
        "</sst>",
        r#"<si><t>山田 花子</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh><phoneticPr fontId="1"/></si></sst>"#,
    );
    let mut data = String::from(r#"<row r="1">"#);
    for index in 0..9 {
        data.push_str(&format!(
            r#"<c r="{}1" t="s"><v>{index}</v></c>"#,
            letters(index)
        ));
    }
    data.push_str("</row>");
    data.push_str(&row_with_cell(
        2,
        &ann(),
        0,
        r#"<c r="A2" t="s"><v>9</v></c>"#,
    ));
    let mut package = Package::with_sheet("Users", &data);
    package.shared_strings = Some(strings);
    let validation = read_ok(&package.build());
    assert_eq!(validation.records()[0].get(0), "山田 花子");
}

#[test]
fn a_sheet_without_a_dimension_element_reads() {
    // `worksheet()` writes no <dimension>, as several streaming writers do.
    let bytes = users_sheet(&inline_row(2, &ann()));
    assert!(!String::from_utf8_lossy(&bytes).contains("dimension"));
    let validation = read_ok(&bytes);
    assert_eq!(rows(&validation), [2]);
}

#[test]
fn a_stale_dimension_element_does_not_cut_rows_off() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    let mut bob = ann();
    bob[1] = "bob@example.com";
    data.push_str(&inline_row(3, &bob));
    let xml = worksheet(&data).replace("<sheetData>", r#"<dimension ref="A1:B2"/><sheetData>"#);
    let bytes = Package::default().sheet_xml("Users", xml).build();
    let validation = read_ok(&bytes);
    assert_eq!(rows(&validation), [2, 3]);
    assert_eq!(validation.records()[1].get(8), "2024-03-31");
}

#[test]
fn cells_without_references_take_the_positions_their_order_implies() {
    let cell = |text: &str| {
        if text.is_empty() {
            "<c/>".to_string()
        } else {
            format!(r#"<c t="inlineStr"><is><t>{}</t></is></c>"#, escape(text))
        }
    };
    let row = |values: &[&str]| {
        let cells: String = values.iter().map(|v| cell(v)).collect();
        format!("<row>{cells}</row>")
    };
    let mut data = row(&HEADERS);
    data.push_str(&row(&ann()));
    let mut bob = ann();
    bob[1] = "bob@example.com";
    bob[5] = "";
    data.push_str(&row(&bob));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(rows(&validation), [2, 3]);
    assert_eq!(validation.records()[1].get(5), "");
    assert_eq!(validation.records()[1].get(6), "ER");
    assert_eq!(validation.records()[1].get(8), "2024-03-31");
}

#[test]
fn cells_without_references_in_numbered_rows_keep_their_row_numbers() {
    let cells = |values: &[&str]| -> String {
        values
            .iter()
            .map(|v| format!(r#"<c t="inlineStr"><is><t>{}</t></is></c>"#, escape(v)))
            .collect()
    };
    let data = format!(
        r#"<row r="1">{}</row><row r="4">{}</row>"#,
        cells(&HEADERS),
        cells(&["Ann Lee", "ann@example.com", "CA", "US-NY", "en"])
    );
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(rows(&validation), [4]);
    assert_eq!(
        issues(&validation),
        [(Some(4), Some("Region"), "region.country_mismatch")]
    );
}

#[test]
fn namespace_prefixed_elements_as_the_openxml_sdk_writes_them_read() {
    let prefixed = |row: u32, values: &[&str]| -> String {
        let mut xml = format!(r#"<x:row r="{row}">"#);
        for (index, value) in values.iter().enumerate() {
            xml.push_str(&format!(
                r#"<x:c r="{}{row}" t="inlineStr"><x:is><x:t>{}</x:t></x:is></x:c>"#,
                letters(index as u32),
                escape(value)
            ));
        }
        xml.push_str("</x:row>");
        xml
    };
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>{}{}</x:sheetData></x:worksheet>"#,
        prefixed(1, &HEADERS),
        prefixed(2, &ann())
    );
    let validation = read_ok(&Package::default().sheet_xml("Users", xml).build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(rows(&validation), [2]);
    assert_eq!(validation.records()[0].get(3), "CA-QC");
}

#[test]
fn namespace_prefixed_shared_strings_read() {
    let strings: Vec<&str> = HEADERS.iter().copied().chain(ann()).collect();
    let mut sst = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    for s in &strings {
        sst.push_str(&format!("<x:si><x:t>{}</x:t></x:si>", escape(s)));
    }
    sst.push_str("</x:sst>");
    let mut data = String::new();
    for row in 1..=2u32 {
        data.push_str(&format!(r#"<x:row r="{row}">"#));
        for index in 0..9u32 {
            let string = index + (row - 1) * 9;
            data.push_str(&format!(
                r#"<x:c r="{}{row}" t="s"><x:v>{string}</x:v></x:c>"#,
                letters(index)
            ));
        }
        data.push_str("</x:row>");
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>{data}</x:sheetData></x:worksheet>"#
    );
    let mut package = Package::default().sheet_xml("Users", xml);
    package.shared_strings = Some(sst);
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
}

#[test]
fn stored_uncompressed_zip_entries_read() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    let mut package = Package::with_sheet("Users", &data);
    package.method = zip::CompressionMethod::Stored;
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(rows(&validation), [2]);
}

#[test]
fn data_on_a_second_sheet_after_the_template_instructions_is_found() {
    let instructions =
        inline_row(1, &["Instructions"]) + &inline_row(2, &["Fill in the Users sheet"]);
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    let bytes = Package::with_sheet("Instructions", &instructions)
        .sheet("Sheet2", &data)
        .build();
    let validation = read_ok(&bytes);
    assert_eq!(validation.sheet, "Sheet2");
    assert_eq!(rows(&validation), [2]);
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

#[test]
fn blank_rows_are_skipped_and_later_rows_keep_their_numbers() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    // Row 3: spaces only. Row 4: styled empty cells. Row 5: an empty row element.
    data.push_str(&inline_row(3, &["   ", "\u{a0}", " "]));
    data.push_str(r#"<row r="4"><c r="A4" s="0"/><c r="B4" s="0"/></row>"#);
    data.push_str(r#"<row r="5"></row>"#);
    let mut bob = ann();
    bob[1] = "bob@example.com";
    bob[4] = "xx";
    data.push_str(&inline_row(7, &bob));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(rows(&validation), [2, 7]);
    assert_eq!(
        issues(&validation),
        [(Some(7), Some("Language"), "choice.invalid")]
    );
}

#[test]
fn the_header_is_row_1_and_the_first_user_is_row_2() {
    let validation = read_ok(&filled(&[&["Ann Lee", "ann@example.com", "CA", "", "en"]]));
    assert_eq!(validation.header_row, 1);
    assert_eq!(rows(&validation), [2]);
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Region: the value is missing; Canada (CA) has regions, so give one of its region codes, such as `CA-AB`"
    );
}

#[test]
fn a_header_on_row_3_makes_the_first_user_row_4() {
    let mut data = inline_row(3, &HEADERS);
    data.push_str(&inline_row(
        4,
        &["Ann Lee", "ann@example", "CA", "CA-QC", "en"],
    ));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert_eq!(validation.header_row, 3);
    assert_eq!(rows(&validation), [4]);
    assert_eq!(
        issues(&validation),
        [(Some(4), Some("Email"), "email.invalid")]
    );
    assert!(validation.issues()[0].message.starts_with("row 4, Email: "));
}

#[test]
fn a_header_row_without_users_is_refused_saying_where_users_go() {
    let error = expect_error(&users_sheet(&inline_row(3, &["", "  "])));
    assert_eq!(error.code(), "file.no_rows");
    assert_eq!(
        error.to_string(),
        "sheet `Users` has no users below the header row; add one user per row, starting on row 2"
    );
}

#[test]
fn a_cell_with_excels_built_in_date_format_becomes_a_date() {
    // Number format 14 is Excel's built-in short date; styles.xml need not define it.
    let styles = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&row_with_cell(
        2,
        &ann(),
        8,
        r#"<c r="I2" s="1"><v>45382</v></c>"#,
    ));
    let mut package = Package::with_sheet("Users", &data);
    package.styles = Some(styles.to_string());
    let validation = read_ok(&package.build());
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(8), "2024-03-31");
}

#[test]
fn a_package_written_by_the_openxml_sdk_with_every_part_prefixed_reads() {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let strings: Vec<&str> = HEADERS.iter().copied().chain(ann()).collect();
    let mut sst = format!(r#"<?xml version="1.0" encoding="utf-8"?><x:sst xmlns:x="{MAIN}">"#);
    for s in &strings {
        sst.push_str(&format!("<x:si><x:t>{}</x:t></x:si>", escape(s)));
    }
    sst.push_str("</x:sst>");
    let mut data = String::new();
    for row in 1..=2u32 {
        data.push_str(&format!(r#"<x:row r="{row}">"#));
        for index in 0..9u32 {
            data.push_str(&format!(
                r#"<x:c r="{}{row}" t="s"><x:v>{}</x:v></x:c>"#,
                letters(index),
                index + (row - 1) * 9
            ));
        }
        data.push_str("</x:row>");
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>{data}</x:sheetData></x:worksheet>"#
    );
    let workbook = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><x:workbook xmlns:r="{REL}" xmlns:x="{MAIN}"><x:sheets><x:sheet name="Users" sheetId="1" r:id="R1a2b"/></x:sheets></x:workbook>"#
    );
    let rels = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="{REL}/worksheet" Target="/xl/worksheets/sheet.xml" Id="R1a2b"/><Relationship Type="{REL}/sharedStrings" Target="/xl/sharedStrings.xml" Id="R9"/></Relationships>"#
    );
    let content_types = r#"<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
    let root = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="{REL}/officeDocument" Target="/xl/workbook.xml" Id="R0"/></Relationships>"#
    );
    let bytes = zip_entries(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", root.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/worksheets/sheet.xml", sheet.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
    ]);
    let validation = read_ok(&bytes);
    assert_eq!(validation.sheet, "Users");
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
    assert_eq!(validation.records()[0].get(3), "CA-QC");
}

#[test]
fn rich_text_inline_strings_join_their_runs() {
    let mut data = inline_row(1, &HEADERS);
    let cell = r#"<c r="A2" t="inlineStr"><is><r><rPr><b/></rPr><t>Ann</t></r><r><t xml:space="preserve"> Lee</t></r></is></c>"#;
    data.push_str(&row_with_cell(2, &ann(), 0, cell));
    let validation = read_ok(&users_sheet_from(&data));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
}

#[test]
fn a_template_column_given_twice_is_refused_naming_both_columns() {
    let mut headers = HEADERS.to_vec();
    headers.push(" email ");
    let mut data = inline_row(1, &headers);
    data.push_str(&inline_row(2, &ann()));
    let error = expect_error(&users_sheet_from(&data));
    assert_eq!(error.code(), "file.duplicate_column");
    assert_eq!(
        error.to_string(),
        "sheet `Users` has the column `email` twice (columns B and J); keep one and delete the other"
    );
}

#[test]
fn values_under_an_empty_header_cell_between_headers_are_ignored_with_a_warning() {
    // Column F has no header; the template's optional columns continue after it.
    let headers = [
        "Name",
        "Email",
        "Country",
        "Region",
        "Language",
        "",
        "Job title",
    ];
    let mut data = inline_row(1, &headers);
    data.push_str(&inline_row(
        2,
        &[
            "Ann Lee",
            "ann@example.com",
            "CA",
            "CA-QC",
            "en",
            "stray",
            "Nurse",
        ],
    ));
    let validation = read_ok(&users_sheet_from(&data));
    assert!(validation.is_valid());
    assert_eq!(
        issues(&validation),
        [(None, None, "column.values_without_header")]
    );
    assert_eq!(validation.issues()[0].get_arg("letter"), Some("F"));
    assert_eq!(validation.records()[0].get(5), "Nurse");
}
