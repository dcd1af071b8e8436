//! The `values` target's logic, shared with the regression tests
//! (`tests/integration/fuzz_regressions.rs`): arbitrary strings through normalization and
//! validation, every cell kind, every column.

use arbitrary::Arbitrary;
use user_import::{
    CellValue, HeaderRow, Limits, RowSink, Schema, Validation, Validator, location, normalize,
};

/// One cell of a row.
#[derive(Debug, Arbitrary)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// A formula.
    Formula(String),
    /// A date cell whose serial is outside Excel's dates.
    InvalidDate(f64),
}

/// The input: rows of cells, and one string for the single-value functions.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// The data rows, in the default schema's column order.
    pub rows: Vec<Vec<Cell>>,
    /// Checked as an email, a date, a location, a region of Canada.
    pub probe: String,
}

/// Runs the input and checks the invariants: every record keeps one value per column; every
/// issue names a row that exists and has a message.
pub fn run(input: &Input) -> Validation {
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
        headers: schema
            .columns()
            .iter()
            .map(|c| Some(c.header().to_string()))
            .collect(),
        extra: Vec::new(),
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
    for record in validation.records() {
        assert_eq!(record.len(), schema.columns().len());
    }
    for issue in validation.issues() {
        if let Some(row) = issue.row {
            assert!(validation.records().iter().any(|r| r.row() == row));
        }
        assert!(!issue.message.is_empty());
    }
    validation
}
