//! Reading on two threads (`Limits::parallel_min_bytes`): the worksheets are checked while the
//! workbook opens, and the rows are validated while the cells are read. The outcome must be the
//! one a single thread gets, row for row, issue for issue, error for error.

use user_import::{
    CellValue, Error, HeaderRow, Issue, Limit, Limits, RowSink, Schema, read_rows_bytes,
    validate_bytes,
};

use crate::common::{HEADERS, Package, ann, escape, filled, inline, inline_row};

fn one_thread() -> Limits {
    Limits {
        parallel_min_bytes: u64::MAX,
        ..Limits::default()
    }
}

fn two_threads() -> Limits {
    Limits {
        parallel_min_bytes: 0,
        ..Limits::default()
    }
}

/// Everything a sink is told, in order; optionally fails at one row.
#[derive(Default)]
struct Recorder {
    events: Vec<String>,
    fail_at: Option<u32>,
}

impl RowSink for Recorder {
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error> {
        self.events.push(format!("header {header:?}"));
        Ok(())
    }

    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        if self.fail_at == Some(number) {
            return Err(Error::LimitExceeded {
                what: Limit::Rows,
                value: u64::from(number),
                limit: u64::from(number) - 1,
            });
        }
        self.events.push(format!("{number} {cells:?}"));
        Ok(())
    }

    fn warning(&mut self, issue: Issue) {
        self.events.push(format!("warning {}", issue.message));
    }

    fn rows_expected(&mut self, rows: u64) {
        self.events.push(format!("expected {rows} rows"));
    }
}

fn record(
    bytes: &[u8],
    limits: &Limits,
    fail_at: Option<u32>,
) -> (Result<u32, String>, Vec<String>) {
    let mut recorder = Recorder {
        fail_at,
        ..Recorder::default()
    };
    let read = read_rows_bytes(bytes, &Schema::default(), limits, &mut recorder);
    (read.map_err(|error| error.to_string()), recorder.events)
}

/// 3,000 rows, over a dozen batches: valid users, every kind of bad value, duplicate emails,
/// formulas, numbers and booleans in text columns, and values outside the header's columns.
fn mixed_upload() -> Vec<u8> {
    let mut data = String::new();
    let header: Vec<&str> = HEADERS.to_vec();
    data.push_str(&inline_row(1, &header));
    for row in 2..=3_001u32 {
        let email = format!("user{}@example.com", row % 2_900);
        let name = format!("User {row}");
        let mut cells: Vec<String> = match row % 7 {
            0 => vec![name, email, "Canada".into(), "QC".into(), "en".into()],
            1 => vec![
                name,
                "not an email".into(),
                "CA".into(),
                "CA-QC".into(),
                "fr".into(),
            ],
            2 => vec![String::new(), email, "FR".into(), "XX".into(), "de".into()],
            _ => vec![name, email, "CA".into(), "CA-ON".into(), "en".into()],
        };
        cells.extend(["Nurse".to_string(), "ER".to_string()]);
        let mut xml = format!("<row r=\"{row}\">");
        for (column, value) in cells.iter().enumerate() {
            let letter = crate::common::letters(column as u32);
            xml.push_str(&inline(&format!("{letter}{row}"), value));
        }
        match row % 11 {
            0 => xml.push_str(&format!("<c r=\"H{row}\"><v>123</v></c>")),
            1 => xml.push_str(&format!("<c r=\"H{row}\" t=\"b\"><v>1</v></c>")),
            2 => xml.push_str(&format!("<c r=\"H{row}\"><f>1+1</f><v>2</v></c>")),
            _ => {}
        }
        if row % 500 == 0 {
            xml.push_str(&format!(
                "<c r=\"{}{row}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                crate::common::letters(12 + row / 500),
                escape("stray")
            ));
        }
        xml.push_str("</row>");
        data.push_str(&xml);
    }
    Package::with_sheet("Users", &data).build()
}

#[test]
fn a_mixed_upload_tells_the_sink_the_same_things_in_the_same_order() {
    let bytes = mixed_upload();
    let (one, one_events) = record(&bytes, &one_thread(), None);
    let (two, two_events) = record(&bytes, &two_threads(), None);
    assert_eq!(one, Ok(3_000));
    assert_eq!(two, one);
    // Warnings for the six stray columns come between the rows they were met in.
    let warnings: Vec<usize> = one_events
        .iter()
        .enumerate()
        .filter(|(_, event)| event.starts_with("warning"))
        .map(|(at, _)| at)
        .collect();
    assert_eq!(warnings.len(), 6);
    // A stray cell is met while its row is read, so its warning comes just before the row.
    assert!(
        one_events[warnings[0] + 1].starts_with("500 "),
        "{}",
        one_events[warnings[0] + 1]
    );
    assert!(one_events[warnings[5] + 1].starts_with("3000 "));
    assert_eq!(two_events.len(), one_events.len());
    assert_eq!(two_events, one_events);
}

#[test]
fn a_mixed_upload_validates_the_same_on_two_threads() {
    let bytes = mixed_upload();
    let schema = Schema::default();
    let one = validate_bytes(&bytes, &schema, &one_thread()).unwrap();
    let two = validate_bytes(&bytes, &schema, &two_threads()).unwrap();
    assert_eq!(one.row_count(), 3_000);
    assert!(one.issues().len() > 1_000, "{} issues", one.issues().len());
    assert_eq!(
        format!("{:?}", two.records()),
        format!("{:?}", one.records())
    );
    assert_eq!(format!("{:?}", two.issues()), format!("{:?}", one.issues()));
}

#[test]
fn a_sink_that_fails_on_the_second_thread_stops_the_read_with_its_error() {
    let bytes = mixed_upload();
    for limits in [one_thread(), two_threads()] {
        let (read, events) = record(&bytes, &limits, Some(2_000));
        assert_eq!(
            read.unwrap_err(),
            "the file number of user rows (2000) exceeds the limit of 1999; split the users over several files"
        );
        // The header, rows 2 to 1,999 and the warnings of rows 500 to 2,000 (a row's warning
        // comes before the row): nothing after the failing row.
        let rows: Vec<&String> = events
            .iter()
            .filter(|e| !e.starts_with("header") && !e.starts_with("warning"))
            .collect();
        assert_eq!(rows.len(), 1_998);
        assert!(rows[0].starts_with("2 "));
        assert!(rows[1_997].starts_with("1999 "));
        assert_eq!(
            events.iter().filter(|e| e.starts_with("warning")).count(),
            4
        );
    }
}

#[test]
fn an_error_in_the_sheet_after_a_sink_error_reports_the_sinks() {
    // Row 2,500 comes after row 2,600: the sheet is out of order there.
    let mut data = inline_row(1, &HEADERS);
    for row in (2..=2_400u32).chain([2_600, 2_500]) {
        let email = format!("u{row}@example.com");
        let mut values = ann();
        values[1] = &email;
        data.push_str(&inline_row(row, &values));
    }
    let bytes = Package::with_sheet("Users", &data).build();
    for limits in [one_thread(), two_threads()] {
        let (read, _) = record(&bytes, &limits, None);
        assert_eq!(
            read.unwrap_err(),
            "the workbook is damaged: sheet `Users` has row 2500 after row 2600, out of order; open it in Excel and save it again as .xlsx"
        );
        // Failing at row 1,000 comes first in sheet order, on either path.
        let (read, events) = record(&bytes, &limits, Some(1_000));
        assert_eq!(
            read.unwrap_err(),
            "the file number of user rows (1000) exceeds the limit of 999; split the users over several files"
        );
        assert_eq!(events.len(), 1 + 998);
    }
}

#[test]
fn a_worksheet_damaged_past_the_checks_gives_the_same_error_on_two_threads() {
    // A reference outside Excel's grid in the sheet (checked on the second thread) and in a
    // part the workbook reads when it opens (checked on the first): the first part in the
    // directory is the one reported, as on one thread.
    let users = filled(&[&ann()]);
    let schema = Schema::default();
    let one = validate_bytes(&users, &schema, &one_thread()).unwrap();
    let two = validate_bytes(&users, &schema, &two_threads()).unwrap();
    assert_eq!(
        format!("{:?}", two.records()),
        format!("{:?}", one.records())
    );

    let sheet = format!(
        "{}<row r=\"2\"><c r=\"XFE2\"><v>1</v></c></row>",
        inline_row(1, &HEADERS)
    );
    let bytes = Package::with_sheet("Users", &sheet).build();
    let one = validate_bytes(&bytes, &schema, &one_thread()).unwrap_err();
    let two = validate_bytes(&bytes, &schema, &two_threads()).unwrap_err();
    assert_eq!(one.code(), "file.cell_outside_grid");
    assert_eq!(two.to_string(), one.to_string());
}
