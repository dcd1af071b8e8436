//! Arbitrary strings through normalization and validation: every cell kind, every column.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use user_import::{CellValue, HeaderRow, Limits, RowSink, Schema, Validator, location, normalize};

#[derive(Debug, Arbitrary)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Formula(String),
    InvalidDate(f64),
}

#[derive(Debug, Arbitrary)]
struct Input {
    rows: Vec<Vec<Cell>>,
    probe: String,
}

fuzz_target!(|input: Input| {
    let _ = normalize::check_email(&input.probe);
    let _ = normalize::parse_date(&input.probe);
    let _ = normalize::clean_spaces(&input.probe, true);
    let _ = normalize::nfc(&input.probe);
    let _ = location::search(&input.probe);
    if let Some(canada) = location::country("CA") {
        let _ = location::resolve_region(canada, &input.probe);
    }
    let schema = Schema::default();
    let limits = Limits::default();
    let mut validator = Validator::new(&schema, &limits);
    let header = HeaderRow {
        sheet: "Users".into(),
        row: 1,
        headers: schema.columns().iter().map(|c| Some(c.header().to_string())).collect(),
    };
    validator.header(&header).unwrap();
    for (index, row) in input.rows.iter().take(200).enumerate() {
        let cells: Vec<CellValue<'_>> = (0..schema.columns().len())
            .map(|i| match row.get(i) {
                None | Some(Cell::Empty) => CellValue::Empty,
                Some(Cell::Text(text)) => CellValue::Text(text),
                Some(Cell::Number(n)) => CellValue::Number(*n),
                Some(Cell::Bool(b)) => CellValue::Bool(*b),
                Some(Cell::Formula(f)) => CellValue::Formula(f),
                Some(Cell::InvalidDate(n)) => CellValue::InvalidDate(*n),
            })
            .collect();
        validator.row(index as u32 + 2, &cells).unwrap();
    }
    let validation = validator.finish();
    // Every record keeps one value per column; every issue names a row that exists.
    for record in validation.records() {
        assert_eq!(record.len(), schema.columns().len());
    }
    for issue in validation.issues() {
        if let Some(row) = issue.row {
            assert!(validation.records().iter().any(|r| r.row() == row));
        }
        assert!(!issue.message.is_empty());
    }
});
