//! Helpers for tests and examples: workbooks built in memory.

use rust_xlsxwriter::{Format, Workbook};

use crate::schema::Schema;

/// A workbook with the schema's header row on its data sheet and one row per entry of `rows`,
/// every value written as text (as a filled template holds them).
///
/// # Panics
///
/// If rust_xlsxwriter refuses a value; test data only.
pub fn workbook(schema: &Schema, rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(schema.sheet_name())
        .expect("valid sheet name");
    let text = Format::new().set_num_format_index(49);
    for (col, column) in schema.columns().iter().enumerate() {
        sheet
            .write_string(0, col as u16, column.header())
            .expect("header fits");
    }
    for (row, values) in rows.iter().enumerate() {
        for (col, value) in values.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string_with_format(row as u32 + 1, col as u16, *value, &text)
                    .expect("value fits");
            }
        }
    }
    workbook.save_to_buffer().expect("workbook saves")
}
