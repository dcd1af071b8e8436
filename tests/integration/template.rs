//! The template: its sheets, header notes, text formats and drop-downs, and the round trip
//! template → filled as an administrator would → read back.

use std::io::{Cursor, Read};

use calamine::{Reader, Xlsx};
use user_import::{
    Column, ColumnKind, INSTRUCTIONS_SHEET, LISTS_SHEET, LOCATIONS_SHEET, Limits, Schema, Template,
    validate_bytes,
};

use crate::common::{HEADERS, escape, zip_entries};

fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("template is a zip");
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

fn template() -> Vec<u8> {
    Template::new(&Schema::default())
        .to_bytes()
        .expect("template builds")
}

#[test]
fn the_template_has_the_users_instructions_locations_and_hidden_lists_sheets() {
    let bytes = template();
    let workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        vec!["Users", INSTRUCTIONS_SHEET, LOCATIONS_SHEET, LISTS_SHEET]
    );
    let meta = workbook.sheets_metadata();
    assert_eq!(meta[3].visible, calamine::SheetVisible::Hidden);
    assert_eq!(meta[0].visible, calamine::SheetVisible::Visible);
}

#[test]
fn the_users_sheet_has_the_schema_headers_on_a_frozen_row() {
    let bytes = template();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    let range = workbook.worksheet_range("Users").unwrap();
    let headers: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(headers, HEADERS);
    assert_eq!(range.height(), 1, "the template holds no users");
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        )
    );
}

#[test]
fn every_header_has_a_note_saying_required_format_and_example() {
    let bytes = template();
    let comments = part(&bytes, "xl/comments1.xml");
    for reference in ["A1", "B1", "C1", "D1", "E1", "F1", "G1", "H1", "I1"] {
        assert!(
            comments.contains(&format!(r#"<comment ref="{reference}""#)),
            "{reference} has a note"
        );
    }
    assert!(comments.contains("Required. One email address."));
    assert!(comments.contains("Example: ann.lee@example.com"));
    assert!(comments.contains("Required. An ISO 3166-1 country code (two letters)"));
    assert!(comments.contains("Optional. A date as YYYY-MM-DD."));
    assert!(comments.contains("Example: 000123"));
}

#[test]
fn text_columns_are_formatted_as_text_and_the_date_column_as_an_iso_date() {
    let bytes = template();
    let styles = part(&bytes, "xl/styles.xml");
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    // Find the style index of each column and check its number format.
    let xfs_start = styles.find("<cellXfs").unwrap();
    let xfs: Vec<&str> = styles[xfs_start..].split("<xf ").skip(1).collect();
    let num_fmt_of = |style: usize| -> String {
        let xf = xfs[style];
        let at = xf.find("numFmtId=\"").unwrap() + 10;
        xf[at..].split('"').next().unwrap().to_string()
    };
    for column in 1..=9 {
        let needle = format!(r#"<col min="{column}" max="{column}""#);
        let col = &sheet[sheet.find(&needle).unwrap()..];
        let at = col.find("style=\"").unwrap() + 7;
        let style: usize = col[at..].split('"').next().unwrap().parse().unwrap();
        let format = num_fmt_of(style);
        if column == 9 {
            assert_ne!(format, "49", "the date column is a date format");
            assert!(styles.contains(&format!(
                r#"<numFmt numFmtId="{format}" formatCode="yyyy-mm-dd"/>"#
            )));
        } else {
            assert_eq!(format, "49", "column {column} is Text (@)");
        }
    }
}

#[test]
fn country_and_language_have_drop_downs_from_the_hidden_lists_sheet() {
    let bytes = template();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"sqref="C2:C1048576""#));
    assert!(sheet.contains(r#"sqref="E2:E1048576""#));
    assert!(sheet.contains("<formula1>'Lists'!$A$2:$A$250</formula1>"));
    assert!(sheet.contains("<formula1>'Lists'!$B$2:$B$3</formula1>"));
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    let lists = workbook.worksheet_range(LISTS_SHEET).unwrap();
    let countries: Vec<String> = lists.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(countries.len(), 249);
    assert!(countries.contains(&"CA".to_string()) && countries.contains(&"SZ".to_string()));
    let languages: Vec<String> = lists
        .rows()
        .skip(1)
        .map(|r| r[1].to_string())
        .filter(|v| !v.is_empty())
        .collect();
    // The language choices show their labels; the reader takes labels and codes alike.
    assert_eq!(languages, ["English", "French"]);
}

#[test]
fn the_location_codes_sheet_lists_every_country_and_region() {
    let bytes = template();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    let range = workbook.worksheet_range(LOCATIONS_SHEET).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], ["Code", "Name", "Type", "Country"]);
    let countries = user_import::location::countries().count();
    let regions = user_import::location::regions().count();
    assert_eq!(rows.len(), 1 + countries + regions);
    assert!(rows.contains(&vec![
        "CA-QC".into(),
        "Quebec".into(),
        "Province".into(),
        "Canada".into()
    ]));
    assert!(rows.contains(&vec![
        "SZ".into(),
        "Eswatini".into(),
        "Country".into(),
        "Eswatini".into()
    ]));
}

#[test]
fn the_instructions_explain_codes_text_only_dates_and_every_column() {
    let bytes = template();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    let range = workbook.worksheet_range(INSTRUCTIONS_SHEET).unwrap();
    let text: Vec<String> = range.cells().map(|(_, _, c)| c.to_string()).collect();
    let all = text.join("\n");
    assert!(all.contains("one user per row"));
    assert!(all.contains("formula"));
    assert!(all.contains("CA-QC"));
    assert!(all.contains("YYYY-MM-DD"));
    for header in HEADERS {
        assert!(text.iter().any(|t| t == header), "{header} is explained");
    }
}

#[test]
fn a_host_column_appears_in_the_template_with_its_drop_down() {
    let schema = Schema::builder()
        .column(
            Column::new(
                "site",
                "Site",
                ColumnKind::Choice(vec!["North".into(), "South".into()]),
            )
            .required(true),
        )
        .build()
        .unwrap();
    let bytes = Template::new(&schema).to_bytes().unwrap();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"sqref="J2:J1048576""#));
    assert!(sheet.contains("<formula1>'Lists'!$C$2:$C$3</formula1>"));
}

/// Fills the template's Users sheet the way Excel saves typed values: shared strings appended
/// to the template's own, rows inserted into the sheet, every other part kept.
pub fn fill_template(template: &[u8], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut entries = parts(template);
    let sst_index = entries
        .iter()
        .position(|(n, _)| n == "xl/sharedStrings.xml")
        .unwrap();
    let mut sst = String::from_utf8(entries[sst_index].1.clone()).unwrap();
    let mut unique: usize = {
        let at = sst.find("uniqueCount=\"").unwrap() + 13;
        sst[at..].split('"').next().unwrap().parse().unwrap()
    };
    let mut added = String::new();
    let mut rows_xml = String::new();
    for (r, values) in rows.iter().enumerate() {
        let row = r + 2;
        rows_xml.push_str(&format!(r#"<row r="{row}" spans="1:9">"#));
        for (c, value) in values.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            added.push_str(&format!(
                "<si><t xml:space=\"preserve\">{}</t></si>",
                escape(value)
            ));
            rows_xml.push_str(&format!(
                r#"<c r="{}{row}" s="2" t="s"><v>{unique}</v></c>"#,
                crate::common::letters(c as u32)
            ));
            unique += 1;
        }
        rows_xml.push_str("</row>");
    }
    let head_end = sst.find("<sst").unwrap() + sst[sst.find("<sst").unwrap()..].find('>').unwrap();
    let head = sst[..head_end].to_string();
    let old_unique = {
        let at = head.find("uniqueCount=\"").unwrap() + 13;
        head[at..].split('"').next().unwrap().to_string()
    };
    let new_head = head.replace(
        &format!("uniqueCount=\"{old_unique}\""),
        &format!("uniqueCount=\"{unique}\""),
    );
    sst.replace_range(..head_end, &new_head);
    let end = sst.rfind("</sst>").unwrap();
    sst.insert_str(end, &added);
    entries[sst_index].1 = sst.into_bytes();

    let sheet_index = entries
        .iter()
        .position(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .unwrap();
    let mut sheet = String::from_utf8(entries[sheet_index].1.clone()).unwrap();
    let end = sheet.find("</sheetData>").unwrap();
    sheet.insert_str(end, &rows_xml);
    entries[sheet_index].1 = sheet.into_bytes();

    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_entries(&borrowed)
}

#[test]
fn a_filled_template_reads_back_valid_with_values_exactly_as_typed() {
    let schema = Schema::default();
    let rows = vec![
        vec![
            "Ann Lee",
            "ann.lee@example.com",
            "CA",
            "CA-QC",
            "en",
            "Nurse",
            "Emergency",
            "000123",
            "2024-03-31",
        ],
        vec![
            "Zoë Tremblay-Côté",
            "Zoe.Tremblay@Example.ORG",
            "CA",
            "CA-ON",
            "fr",
            "",
            "",
            "",
            "",
        ],
        vec![
            "Bob O'Neil",
            "bob+lms@example.co.uk",
            "GB",
            "GB-LND",
            "en",
            "R&D <lead>",
            "",
            "007",
            "1999-12-31",
        ],
        vec![
            "Aiyana Begay",
            "aiyana@example.com",
            "US",
            "US-NM",
            "en",
            "",
            "",
            "",
            "",
        ],
        vec![
            "Kim Minji",
            "minji@example.kr",
            "KR",
            "KR-11",
            "en",
            "",
            "",
            "0",
            "",
        ],
        vec![
            "Ana Silva",
            "ana@example.com.br",
            "BR",
            "BR-SP",
            "fr",
            "Médica",
            "",
            "",
            "2020-02-29",
        ],
    ];
    let bytes = fill_template(&template(), &rows);
    let validation = validate_bytes(&bytes, &schema, &Limits::default()).unwrap();
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.sheet, "Users");
    assert_eq!(validation.records().len(), rows.len());
    for (record, typed) in validation.records().iter().zip(&rows) {
        assert!(record.is_valid());
        let values: Vec<&str> = (0..9).map(|i| record.get(i)).collect();
        assert_eq!(&values, typed, "row {}", record.row());
    }
    let rows_read: Vec<u32> = validation.records().iter().map(|r| r.row()).collect();
    assert_eq!(rows_read, [2, 3, 4, 5, 6, 7]);
}
