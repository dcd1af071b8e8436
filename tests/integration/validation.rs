//! Normalization and validation of every row: spaces, Unicode form, control characters,
//! emails and their duplicates, dates, choices, required values, the shape of every issue, and
//! a host's own columns.

use user_import::normalize::email_key;
use user_import::{
    Column, ColumnKind, Error, IssueCode, Limits, Schema, Severity, Validation, validate_bytes,
};

use crate::common::*;

/// (row, column, code) of every issue, in the order the validation lists them.
fn issues(validation: &Validation) -> Vec<(Option<u32>, Option<&str>, &'static str)> {
    validation
        .issues()
        .iter()
        .map(|issue| (issue.row, issue.column.as_deref(), issue.code.as_str()))
        .collect()
}

/// Ann's valid row with the value at `position` replaced.
fn ann_with(position: usize, value: &str) -> Vec<&str> {
    let mut row = ann();
    row[position] = value;
    row
}

/// A workbook with Ann's row once per entry of `values`, each with `values[i]` at `position`
/// and an email of its own (`user0@example.com`, ...).
fn variants(position: usize, values: &[&str]) -> Vec<u8> {
    let emails: Vec<String> = (0..values.len())
        .map(|index| format!("user{index}@example.com"))
        .collect();
    let rows: Vec<Vec<&str>> = values
        .iter()
        .zip(&emails)
        .map(|(value, email)| {
            let mut row = ann_with(position, value);
            row[EMAIL] = email;
            row
        })
        .collect();
    let borrowed: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    filled(&borrowed)
}

/// Reads one row of the default schema.
fn one(row: &[&str]) -> Validation {
    read_ok(&filled(&[row]))
}

/// The single issue of a validation, checked to be at `row`, `column` with `code`.
fn only_issue(validation: &Validation, row: u32, column: &str, code: IssueCode) -> String {
    assert_eq!(
        issues(validation),
        [(Some(row), Some(column), code.as_str())],
        "{:#?}",
        validation.issues()
    );
    validation.issues()[0].message.clone()
}

const NAME: usize = 0;
const EMAIL: usize = 1;
const LANGUAGE: usize = 4;
const JOB_TITLE: usize = 5;
const DEPARTMENT: usize = 6;
const EMPLOYEE_ID: usize = 7;
const HIRE_DATE: usize = 8;

// ---------------------------------------------------------------------------------------------
// Spaces, Unicode form, control characters, length
// ---------------------------------------------------------------------------------------------

#[test]
fn ascii_and_unicode_spaces_around_every_value_are_trimmed() {
    let validation = one(&[
        "\u{a0} Ann Lee\u{200b} ",
        " ann@example.com\u{feff}",
        "\tCA ",
        "\u{2003}CA-QC",
        " en\u{a0}",
        "\u{202f}Nurse\u{200d}",
        "ER\u{3000}",
        " 000123 ",
        " 2024-03-31\u{a0}",
    ]);
    assert_eq!(validation.issues(), &[]);
    let record = &validation.records()[0];
    let values: Vec<&str> = (0..9).map(|i| record.get(i)).collect();
    assert_eq!(values, ann());
}

#[test]
fn inner_runs_of_spaces_in_a_name_collapse_to_one() {
    let validation = one(&ann_with(NAME, "Ann  \u{a0} Marie\u{2003}\u{2003}Lee"));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(NAME), "Ann Marie Lee");
}

#[test]
fn inner_spaces_of_other_text_columns_are_kept_as_typed() {
    let validation = one(&ann_with(DEPARTMENT, "  Emergency   Room  "));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(DEPARTMENT), "Emergency   Room");
}

/// A zero-width space inside a value makes it look like another: refused, not silently
/// dropped (at the edges it is trimmed like a space).
#[test]
fn zero_width_spaces_inside_a_value_are_refused() {
    let validation = one(&ann_with(NAME, "Ann\u{200b} Lee"));
    only_issue(&validation, 2, "Name", IssueCode::FormatCharacter);
    let validation = one(&ann_with(EMAIL, "ann\u{200b}@example.com"));
    only_issue(&validation, 2, "Email", IssueCode::EmailInvalid);
    assert_eq!(
        validation.issues()[0].get_arg("reason_key"),
        Some("email.reason.invisible")
    );
    let validation = one(&ann_with(NAME, "\u{200b}Ann Lee\u{feff}"));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(NAME), "Ann Lee");
}

#[test]
fn text_is_stored_in_unicode_normalization_form_c() {
    let mut row = ann_with(NAME, "Zoe\u{0308} Lee");
    row[DEPARTMENT] = "Cafe\u{301}";
    let validation = one(&row);
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(NAME), "Zo\u{eb} Lee");
    assert_eq!(validation.records()[0].get(DEPARTMENT), "Café");
    assert_eq!(validation.records()[0].get(DEPARTMENT).chars().count(), 4);
}

#[test]
fn a_line_break_inside_a_value_is_refused_naming_it() {
    let validation = one(&ann_with(NAME, "Ann\nLee"));
    let message = only_issue(&validation, 2, "Name", IssueCode::ControlCharacter);
    assert_eq!(
        message,
        "row 2, Name: `Ann\\nLee` contains a control character (a line break); remove it and keep the value on one line"
    );
    assert_eq!(validation.issues()[0].value.as_deref(), Some("Ann\nLee"));
    assert!(!validation.records()[0].is_valid());
}

#[test]
fn a_tab_inside_a_value_is_refused() {
    let validation = one(&ann_with(JOB_TITLE, "Head\tNurse"));
    let message = only_issue(&validation, 2, "Job title", IssueCode::ControlCharacter);
    assert!(message.contains("(a tab)"), "{message}");
}

#[test]
fn an_escaped_carriage_return_from_excel_is_refused() {
    // Excel writes a carriage return typed into a cell as `_x000D_`.
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann_with(NAME, "Ann_x000D_Lee")));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    let message = only_issue(&validation, 2, "Name", IssueCode::ControlCharacter);
    assert_eq!(
        message,
        "row 2, Name: `Ann\\rLee` contains a control character (a carriage return); remove it and keep the value on one line"
    );
}

#[test]
fn a_nul_or_other_control_character_is_refused() {
    let validation = one(&ann_with(DEPARTMENT, "E\u{7}R"));
    let message = only_issue(&validation, 2, "Department", IssueCode::ControlCharacter);
    assert_eq!(
        message,
        "row 2, Department: `E\\u{0007}R` contains a control character (U+0007); remove it and keep the value on one line"
    );
}

#[test]
fn a_value_longer_than_its_column_allows_is_refused() {
    let long = "x".repeat(256);
    let validation = one(&ann_with(JOB_TITLE, &long));
    let message = only_issue(&validation, 2, "Job title", IssueCode::TooLong);
    assert_eq!(
        message,
        "row 2, Job title: the value is 256 characters long, over the limit of 255; shorten it"
    );
    let fits = "é".repeat(255);
    assert_eq!(one(&ann_with(JOB_TITLE, &fits)).issues(), &[]);
}

#[test]
fn leading_zeros_of_a_text_value_are_kept() {
    let validation = one(&ann_with(EMPLOYEE_ID, "0000042"));
    assert_eq!(validation.records()[0].get(EMPLOYEE_ID), "0000042");
}

// ---------------------------------------------------------------------------------------------
// Required values
// ---------------------------------------------------------------------------------------------

#[test]
fn a_missing_required_value_is_refused_naming_the_column() {
    let validation = one(&ann_with(NAME, ""));
    let message = only_issue(&validation, 2, "Name", IssueCode::Required);
    assert_eq!(
        message,
        "row 2, Name: the value is missing; fill in Name for every user"
    );
    assert_eq!(validation.issues()[0].value, None);
}

#[test]
fn a_required_value_of_spaces_only_is_missing() {
    let validation = one(&ann_with(LANGUAGE, " \u{a0} "));
    only_issue(&validation, 2, "Language", IssueCode::Required);
}

#[test]
fn optional_columns_may_be_left_empty() {
    let validation = one(&["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"]);
    assert_eq!(validation.issues(), &[]);
    let record = &validation.records()[0];
    assert_eq!(
        (5..9).map(|i| record.get(i)).collect::<Vec<_>>(),
        ["", "", "", ""]
    );
    assert_eq!(record.non_empty(HIRE_DATE), None);
}

// ---------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------

#[test]
fn a_valid_email_is_kept_as_typed_with_a_case_insensitive_match_key() {
    let validation = one(&ann_with(EMAIL, " Ann.Lee+LMS@Example.CO.uk "));
    assert_eq!(validation.issues(), &[]);
    let stored = validation.records()[0].get(EMAIL);
    assert_eq!(stored, "Ann.Lee+LMS@Example.CO.uk");
    assert_eq!(email_key(stored), "ann.lee+lms@example.co.uk");
    assert_eq!(email_key("Ann@X.org"), email_key("ann@x.org "));
}

#[test]
fn an_email_with_a_display_name_is_refused() {
    let validation = one(&ann_with(EMAIL, "Ann Lee <ann@example.com>"));
    let message = only_issue(&validation, 2, "Email", IssueCode::EmailInvalid);
    assert_eq!(
        message,
        "row 2, Email: `Ann Lee <ann@example.com>` is not a valid email address: it includes a name or angle brackets besides the address; type one address such as name@example.com"
    );
}

#[test]
fn an_email_with_an_ip_literal_is_refused() {
    let validation = one(&ann_with(EMAIL, "ann@[192.168.0.1]"));
    let message = only_issue(&validation, 2, "Email", IssueCode::EmailInvalid);
    assert_eq!(
        message,
        "row 2, Email: `ann@[192.168.0.1]` is not a valid email address: the domain is an IP address, not a name such as example.com; type one address such as name@example.com"
    );
}

#[test]
fn an_email_domain_without_a_dot_is_refused() {
    let validation = one(&ann_with(EMAIL, "ann@localhost"));
    let message = only_issue(&validation, 2, "Email", IssueCode::EmailInvalid);
    assert_eq!(
        message,
        "row 2, Email: `ann@localhost` is not a valid email address: the domain `localhost` has no dot; type one address such as name@example.com"
    );
}

#[test]
fn an_email_domain_with_characters_other_than_letters_digits_and_hyphens_is_refused() {
    let validation = one(&ann_with(EMAIL, "ann@exa_mple.com"));
    only_issue(&validation, 2, "Email", IssueCode::EmailInvalid);
    assert_eq!(
        validation.issues()[0].get_arg("reason"),
        Some(
            "the domain has the character `_`; domains use only letters, digits, hyphens and dots"
        )
    );
}

#[test]
fn an_email_with_an_invisible_character_is_refused() {
    // A left-to-right mark, as copied from some web pages.
    let validation = one(&ann_with(EMAIL, "ann\u{200e}@example.com"));
    only_issue(&validation, 2, "Email", IssueCode::EmailInvalid);
    assert_eq!(
        validation.issues()[0].get_arg("reason"),
        Some(
            "it contains the invisible character U+200E (often added by copying from a web page or document)"
        )
    );
}

#[test]
fn an_email_with_a_non_ascii_domain_is_refused_with_its_ascii_form_suggested() {
    let validation = one(&ann_with(EMAIL, "ann@münchen.de"));
    only_issue(&validation, 2, "Email", IssueCode::EmailInvalid);
    assert!(
        validation.issues()[0]
            .get_arg("reason")
            .unwrap()
            .contains("xn--")
    );
    assert_eq!(one(&ann_with(EMAIL, "ann@xn--mnchen-3ya.de")).issues(), &[]);
}

#[test]
fn every_malformed_email_is_refused() {
    let bad = [
        "ann",
        "ann@",
        "@example.com",
        "ann@@example.com",
        "ann lee@example.com",
        "ann@example",
        "ann@example.c0m",
        "ann@-example.com",
        "ann..lee@example.com",
        ".ann@example.com",
        "ann@example.com; bob@example.com",
        "ann@example..com",
    ];
    let rows: Vec<Vec<&str>> = bad.iter().map(|email| ann_with(EMAIL, email)).collect();
    let borrowed: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let validation = read_ok(&filled(&borrowed));
    let expected: Vec<(Option<u32>, Option<&str>, &str)> = (2..2 + bad.len() as u32)
        .map(|row| (Some(row), Some("Email"), "email.invalid"))
        .collect();
    assert_eq!(issues(&validation), expected);
    for (issue, email) in validation.issues().iter().zip(bad) {
        assert_eq!(issue.value.as_deref(), Some(email));
    }
    assert_eq!(validation.valid_records().count(), 0);
}

#[test]
fn a_missing_email_is_required() {
    let validation = one(&ann_with(EMAIL, ""));
    let message = only_issue(&validation, 2, "Email", IssueCode::Required);
    assert_eq!(
        message,
        "row 2, Email: the value is missing; fill in Email for every user"
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicate emails
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_emails_ignoring_case_and_spaces_name_every_row_involved() {
    let validation = read_ok(&filled(&[
        &ann_with(EMAIL, "Ann@X.org"),
        &ann_with(EMAIL, "bob@x.org"),
        &ann_with(EMAIL, "cy@x.org"),
        &ann_with(EMAIL, "ann@x.org "),
    ]));
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Email"), "email.duplicate"),
            (Some(5), Some("Email"), "email.duplicate"),
        ]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Email: `Ann@X.org` appears on rows 2 and 5 (emails are compared ignoring case); give each user their own address, or remove the extra rows"
    );
    assert_eq!(
        validation.issues()[1].message,
        "row 5, Email: `ann@x.org ` appears on rows 2 and 5 (emails are compared ignoring case); give each user their own address, or remove the extra rows"
    );
    assert_eq!(validation.issues()[0].value.as_deref(), Some("Ann@X.org"));
    assert_eq!(validation.issues()[1].value.as_deref(), Some("ann@x.org "));
    assert_eq!(validation.issues()[1].get_arg("rows"), Some("2 and 5"));
    let valid: Vec<u32> = validation.valid_records().map(|r| r.row()).collect();
    assert_eq!(valid, [3, 4]);
}

#[test]
fn an_email_on_three_rows_lists_all_three_on_each() {
    let validation = read_ok(&filled(&[
        &ann_with(EMAIL, "ann@x.org"),
        &ann_with(EMAIL, "ANN@X.ORG"),
        &ann_with(EMAIL, "bob@x.org"),
        &ann_with(EMAIL, "Ann@x.org"),
    ]));
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Email"), "email.duplicate"),
            (Some(3), Some("Email"), "email.duplicate"),
            (Some(5), Some("Email"), "email.duplicate"),
        ]
    );
    for issue in validation.issues() {
        assert_eq!(issue.get_arg("rows"), Some("2, 3 and 5"));
    }
}

#[test]
fn separate_duplicate_groups_are_reported_separately() {
    let validation = read_ok(&filled(&[
        &ann_with(EMAIL, "ann@x.org"),
        &ann_with(EMAIL, "bob@x.org"),
        &ann_with(EMAIL, "Bob@X.org"),
        &ann_with(EMAIL, "ANN@x.org"),
    ]));
    let rows: Vec<(Option<u32>, Option<&str>)> = validation
        .issues()
        .iter()
        .map(|i| (i.row, i.get_arg("rows")))
        .collect();
    assert_eq!(
        rows,
        [
            (Some(2), Some("2 and 5")),
            (Some(3), Some("3 and 4")),
            (Some(4), Some("3 and 4")),
            (Some(5), Some("2 and 5")),
        ]
    );
}

#[test]
fn invalid_emails_are_not_also_reported_as_duplicates() {
    let validation = read_ok(&filled(&[
        &ann_with(EMAIL, "ann@x"),
        &ann_with(EMAIL, "ann@x"),
    ]));
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Email"), "email.invalid"),
            (Some(3), Some("Email"), "email.invalid"),
        ]
    );
}

#[test]
fn a_duplicated_row_with_another_problem_gets_both_issues() {
    let mut second = ann_with(EMAIL, "ANN@example.com");
    second[LANGUAGE] = "de";
    let validation = read_ok(&filled(&[&ann(), &second]));
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Email"), "email.duplicate"),
            (Some(3), Some("Email"), "email.duplicate"),
            (Some(3), Some("Language"), "choice.invalid"),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

#[test]
fn a_date_typed_as_yyyy_mm_dd_is_accepted() {
    let validation = one(&ann_with(HIRE_DATE, "2024-02-29"));
    assert_eq!(validation.issues(), &[]);
    let record = &validation.records()[0];
    assert_eq!(record.get(HIRE_DATE), "2024-02-29");
    assert_eq!(
        record.date(HIRE_DATE),
        chrono::NaiveDate::from_ymd_opt(2024, 2, 29)
    );
}

#[test]
fn a_date_with_a_midnight_time_as_some_exports_write_it_is_accepted() {
    let validation = one(&ann_with(HIRE_DATE, "2024-03-31 00:00:00"));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(HIRE_DATE), "2024-03-31");
}

#[test]
fn an_impossible_date_is_refused() {
    let validation = one(&ann_with(HIRE_DATE, "2023-02-29"));
    let message = only_issue(&validation, 2, "Hire date", IssueCode::DateImpossible);
    assert_eq!(
        message,
        "row 2, Hire date: `2023-02-29` is not a date that exists; check the day and month and type it as YYYY-MM-DD"
    );
    only_issue(
        &one(&ann_with(HIRE_DATE, "2024-13-01")),
        2,
        "Hire date",
        IssueCode::DateImpossible,
    );
}

#[test]
fn a_date_in_another_format_is_refused_showing_the_expected_format() {
    let validation = one(&ann_with(HIRE_DATE, "31/03/2024"));
    let message = only_issue(&validation, 2, "Hire date", IssueCode::DateFormat);
    assert_eq!(
        message,
        "row 2, Hire date: `31/03/2024` is not a date in the format YYYY-MM-DD; type it as YYYY-MM-DD, for example 2024-03-31"
    );
}

#[test]
fn every_date_format_other_than_yyyy_mm_dd_is_refused() {
    let bad = [
        "03/31/2024",
        "2024-3-31",
        "2024/03/31",
        "March 31, 2024",
        "20240331",
        "2024-03-31 09:30",
    ];
    let validation = read_ok(&variants(HIRE_DATE, &bad));
    let expected: Vec<(Option<u32>, Option<&str>, &str)> = (2..2 + bad.len() as u32)
        .map(|row| (Some(row), Some("Hire date"), "date.format"))
        .collect();
    assert_eq!(issues(&validation), expected);
}

// ---------------------------------------------------------------------------------------------
// Choices
// ---------------------------------------------------------------------------------------------

#[test]
fn a_choice_matches_ignoring_case_and_is_stored_as_the_schema_writes_it() {
    let validation = read_ok(&variants(LANGUAGE, &["EN", " Fr "]));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(LANGUAGE), "en");
    assert_eq!(validation.records()[1].get(LANGUAGE), "fr");
}

#[test]
fn a_value_that_is_not_a_choice_is_refused_listing_the_choices() {
    let validation = one(&ann_with(LANGUAGE, "Klingon"));
    let message = only_issue(&validation, 2, "Language", IssueCode::ChoiceInvalid);
    assert_eq!(
        message,
        "row 2, Language: `Klingon` is not one of the choices (en, fr); pick one from the drop-down list"
    );
}

// ---------------------------------------------------------------------------------------------
// The shape of issues and of the outcome
// ---------------------------------------------------------------------------------------------

#[test]
fn issues_are_ordered_by_row_then_by_column() {
    let validation = read_ok(&filled(&[
        &["Ann", "ann@x", "CA", "CA-QC", "xx", "", "", "", "soon"],
        &["", "bob@example.com", "Canada", "QC", "en"],
    ]));
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Email"), "email.invalid"),
            (Some(2), Some("Language"), "choice.invalid"),
            (Some(2), Some("Hire date"), "date.format"),
            (Some(3), Some("Name"), "value.required"),
            (Some(3), Some("Country"), "country.name_not_code"),
        ]
    );
}

#[test]
fn every_issue_carries_row_column_value_code_severity_and_a_message_with_a_fix() {
    let validation = read_ok(&filled(&[&[
        "Ann\tLee",
        "ann@localhost",
        "Canada",
        "QC",
        "klingon",
        "",
        "",
        "",
        "2023-02-30",
    ]]));
    assert_eq!(validation.issues().len(), 5);
    for issue in validation.issues() {
        assert_eq!(issue.row, Some(2));
        let column = issue.column.as_deref().unwrap();
        assert!(HEADERS.contains(&column));
        assert!(issue.value.as_deref().is_some_and(|v| !v.is_empty()));
        assert_eq!(issue.severity, Severity::Error);
        let prefix = format!("row 2, {column}: ");
        assert!(issue.message.starts_with(&prefix), "{}", issue.message);
        let (_, advice) = issue
            .message
            .rsplit_once("; ")
            .unwrap_or_else(|| panic!("no fix in {}", issue.message));
        assert!(!advice.is_empty());
    }
}

#[test]
fn an_issue_serializes_with_its_stable_code_and_severity() {
    let validation = one(&ann_with(LANGUAGE, "de"));
    let json = serde_json::to_value(&validation.issues()[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "row": 2,
            "column": "Language",
            "value": "de",
            "code": "choice.invalid",
            "severity": "error",
            "message": "row 2, Language: `de` is not one of the choices (en, fr); pick one from the drop-down list",
            "args": [["choices", "en, fr"]],
        })
    );
}

#[test]
fn valid_rows_are_kept_beside_invalid_ones_and_the_import_is_not_valid() {
    let validation = read_ok(&filled(&[
        &ann(),
        &["Bob Roy", "bob@example.com", "CA", "ZZ", "en"],
        &["Cy Fox", "cy@example.com", "US", "ny", "fr"],
    ]));
    assert!(!validation.is_valid());
    assert_eq!(validation.error_count(), 1);
    assert_eq!(validation.row_count(), 3);
    let valid: Vec<u32> = validation.valid_records().map(|r| r.row()).collect();
    assert_eq!(valid, [2, 4]);
    // An invalid value is kept as read, a valid one normalized.
    assert_eq!(validation.records()[1].get(3), "ZZ");
    assert_eq!(validation.records()[2].get(3), "US-NY");
}

#[test]
fn warnings_alone_leave_the_import_valid() {
    let mut headers = HEADERS.to_vec();
    headers.push("Notes");
    let mut row = ann();
    row.push("met at the fair");
    let mut data = inline_row(1, &headers);
    data.push_str(&inline_row(2, &row));
    let validation = read_ok(&Package::with_sheet("Users", &data).build());
    assert!(validation.is_valid());
    assert_eq!(validation.error_count(), 0);
    assert_eq!(validation.issues().len(), 1);
    assert_eq!(validation.issues()[0].severity, Severity::Warning);
}

#[test]
fn issues_past_the_limit_are_counted_in_one_last_issue() {
    let bytes = variants(LANGUAGE, &["xx"; 5]);
    let limits = Limits {
        max_issues: 3,
        ..Limits::default()
    };
    let validation = validate_bytes(&bytes, &Schema::default(), &limits).unwrap();
    assert_eq!(validation.issues().len(), 4);
    assert_eq!(
        issues(&validation)[0],
        (None, None, IssueCode::TooManyIssues.as_str())
    );
    assert_eq!(
        validation.issues()[0].message,
        "2 more issues were found and are not listed; fix the ones shown and check the file again"
    );
}

// ---------------------------------------------------------------------------------------------
// A host's own columns
// ---------------------------------------------------------------------------------------------

fn host_schema() -> Schema {
    Schema::builder()
        .languages(["en", "fr", "es"])
        .column(
            Column::new(
                "cost_centre",
                "Cost centre",
                ColumnKind::Choice(vec!["North".into(), "South".into()]),
            )
            .required(true),
        )
        .column(Column::new("start", "Start date", ColumnKind::Date))
        .build()
        .unwrap()
}

#[test]
fn a_host_schema_reads_its_own_choice_and_date_columns() {
    let schema = host_schema();
    let mut row = ann_with(LANGUAGE, "ES");
    row.extend(["north", "2025-01-06"]);
    let bytes = user_import::testing::workbook(&schema, &[&row]);
    let validation = validate_bytes(&bytes, &schema, &Limits::default()).unwrap();
    assert_eq!(validation.issues(), &[]);
    let record = &validation.records()[0];
    assert_eq!(validation.value(&schema, record, "language"), "es");
    assert_eq!(validation.value(&schema, record, "cost_centre"), "North");
    assert_eq!(validation.value(&schema, record, "start"), "2025-01-06");
}

#[test]
fn a_host_schema_checks_its_own_required_choice_and_date_columns() {
    let schema = host_schema();
    let mut missing = ann();
    missing.extend(["", "06/01/2025"]);
    let mut wrong = ann_with(EMAIL, "bob@example.com");
    wrong.extend(["East", "2025-02-30"]);
    let bytes = user_import::testing::workbook(&schema, &[&missing, &wrong]);
    let validation = validate_bytes(&bytes, &schema, &Limits::default()).unwrap();
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Cost centre"), "value.required"),
            (Some(2), Some("Start date"), "date.format"),
            (Some(3), Some("Cost centre"), "choice.invalid"),
            (Some(3), Some("Start date"), "date.impossible"),
        ]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Cost centre: the value is missing; fill in Cost centre for every user"
    );
    assert_eq!(
        validation.issues()[2].message,
        "row 3, Cost centre: `East` is not one of the choices (North, South); pick one from the drop-down list"
    );
}

#[test]
fn a_host_schema_requires_its_own_required_column_in_the_header_row() {
    let schema = host_schema();
    // A file made from the default template lacks the host's column.
    let bytes = filled(&[&ann()]);
    let error = validate_bytes(&bytes, &schema, &Limits::default()).unwrap_err();
    assert!(matches!(error, Error::MissingColumns { .. }));
    assert_eq!(
        error.to_string(),
        "sheet `Users` is missing the required column `Cost centre`; add it to the header row (row 1) or fill in the downloaded template"
    );
}

#[test]
fn an_issue_keeps_at_most_two_thousand_characters_of_a_huge_value() {
    let huge = "x".repeat(5_000);
    let row = ["Ann", "ann@example.com", "CA", "CA-QC", "en", huge.as_str()];
    let validation = crate::common::read_ok(&crate::common::filled(&[&row]));
    let issue = &validation.issues()[0];
    assert_eq!(issue.code, user_import::IssueCode::TooLong);
    assert_eq!(issue.column.as_deref(), Some("Job title"));
    let kept = issue.value.as_deref().unwrap();
    assert_eq!(kept.chars().count(), 2_001);
    assert!(kept.ends_with('…'));
    assert_eq!(issue.get_arg("length"), Some("5000"));
}
