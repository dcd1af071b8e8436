//! Reading an OpenDocument spreadsheet (`.ods`) into the same rows as an `.xlsx` sheet.
//!
//! The zip package gets the checks an `.xlsx` gets (size, entry count, declared sizes,
//! compression ratio, encryption), then [`scan`] reads its XML parts as calamine will, refuses
//! a DOCTYPE, and estimates the memory calamine takes to hold the sheets, which it reads whole:
//! over [`Limits::max_ods_bytes`] the file is refused before calamine sees it. calamine then
//! reads the package; the data sheet (by name, else by its headers) is handed to the sink row
//! by row, with the row numbers the spreadsheet shows. A cell with a formula (`table:formula`)
//! is refused whatever value it shows, a date cell (`office:date-value`) is a date, a number is
//! a number, written without `.0` in text columns.

mod scan;
pub(super) mod xml;

use std::io::{Read, Seek};

use calamine::{Data, Ods, OdsError, Range, Reader as _, SheetType};

use crate::error::{Error, FileKind, Limit, quoted_list};
use crate::read::grid::{Grid, header_text, iso_date};
use crate::read::package;
use crate::{CellValue, Limits, RowSink, Schema};

/// Reads an OpenDocument spreadsheet into `sink`, as [`crate::read_rows`] reads a workbook.
/// Returns the number of non-blank data rows.
///
/// # Errors
///
/// As [`crate::read_rows`], and over [`Limits::max_ods_bytes`].
pub(crate) fn read_rows<R: Read + Seek>(
    mut source: R,
    schema: &Schema,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<u32, Error> {
    let entries = package::check_zip(&mut source, limits)?;
    let mut estimate: u64 = 0;
    {
        let mut archive = zip::ZipArchive::new(&mut source).map_err(|_| Error::NotXlsx {
            kind: FileKind::Truncated,
        })?;
        for entry in &entries {
            let lower = entry.name.to_ascii_lowercase();
            if !lower.ends_with(".xml") && !lower.ends_with(".rdf") {
                continue;
            }
            let content = entry.name == "content.xml";
            let part = archive.by_index(entry.index).map_err(|error| {
                Error::corrupt_from(format!("part `{}` cannot be read", entry.name), error)
            })?;
            let mut held = scan::Scan::new(&entry.name, content).run(part)?;
            // calamine keeps the document properties (up to 1 MiB) and reads the manifest
            // into one buffer as it looks for encryption.
            if lower == "meta.xml" || lower == "meta-inf/manifest.xml" {
                held = held.saturating_add(2 * entry.size);
            }
            estimate = estimate.saturating_add(held);
        }
    }
    if estimate > limits.max_ods_bytes {
        return Err(Error::LimitExceeded {
            what: Limit::OdsMemory,
            value: estimate,
            limit: limits.max_ods_bytes,
        });
    }
    source
        .seek(std::io::SeekFrom::Start(0))
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;
    let mut workbook: Ods<R> = calamine::open_workbook_from_rs(source).map_err(opening)?;
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .collect();
    let named = schema.sheet_names().find_map(|wanted| {
        let wanted = crate::schema::fold_header(wanted);
        sheets
            .iter()
            .find(|name| crate::schema::fold_header(name) == wanted)
            .cloned()
    });
    let chosen = match named {
        Some(name) => name,
        None => find_sheet_by_headers(&mut workbook, &sheets, schema, limits)?,
    };
    let unreadable = |error| Error::corrupt_from(format!("sheet `{chosen}` cannot be read"), error);
    let values = workbook.worksheet_range(&chosen).map_err(unreadable)?;
    let formulas = workbook.worksheet_formula(&chosen).map_err(unreadable)?;
    drop(workbook);
    let mut grid = Grid::new(schema, limits, chosen.clone(), sink);
    for_each_row(&values, &formulas, |number, first, cells| {
        grid.row(number, first, cells)
    })?;
    grid.finish()
}

fn opening(error: OdsError) -> Error {
    match error {
        OdsError::Password => Error::NotXlsx {
            kind: FileKind::Encrypted,
        },
        other => Error::corrupt_from("the spreadsheet cannot be opened", other),
    }
}

/// Calls `each` with every row of the sheet's used area: its number as the spreadsheet shows
/// it, its first column (from 0) and its cells.
fn for_each_row(
    values: &Range<Data>,
    formulas: &Range<String>,
    mut each: impl FnMut(u32, u32, &[CellValue<'_>]) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut cells: Vec<CellValue<'_>> = Vec::new();
    // Without formulas (the usual sheet), the values row by row.
    if formulas.is_empty() {
        let Some((first_row, first_column)) = values.start() else {
            return Ok(());
        };
        for (offset, row) in values.rows().enumerate() {
            cells.clear();
            cells.extend(row.iter().map(|value| cell_value(Some(value))));
            each(first_row + offset as u32 + 1, first_column, &cells)?;
        }
        return Ok(());
    }
    let Some((first_row, first_column)) = values.start().or(formulas.start()) else {
        return Ok(());
    };
    let (last_row, last_column) = match (values.end(), formulas.end()) {
        (Some(a), Some(b)) => (a.0.max(b.0), a.1.max(b.1)),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return Ok(()),
    };
    let first_row = first_row.min(formulas.start().map_or(first_row, |s| s.0));
    let first_column = first_column.min(formulas.start().map_or(first_column, |s| s.1));
    for row in first_row..=last_row {
        cells.clear();
        for column in first_column..=last_column {
            let formula = formulas
                .get_value((row, column))
                .filter(|formula| !formula.is_empty());
            cells.push(match formula {
                Some(formula) => CellValue::Formula(formula_text(formula)),
                None => cell_value(values.get_value((row, column))),
            });
        }
        each(row + 1, first_column, &cells)?;
    }
    Ok(())
}

/// An OpenDocument formula as the administrator typed it, without `of:=`.
fn formula_text(formula: &str) -> &str {
    let formula = formula.strip_prefix("of:").unwrap_or(formula);
    formula.strip_prefix('=').unwrap_or(formula)
}

fn cell_value(value: Option<&Data>) -> CellValue<'_> {
    match value {
        None | Some(Data::Empty) => CellValue::Empty,
        Some(Data::String(text)) => CellValue::Text(text),
        Some(Data::Float(number)) => CellValue::Number(*number),
        Some(Data::Int(number)) => CellValue::Number(*number as f64),
        Some(Data::Bool(value)) => CellValue::Bool(*value),
        Some(Data::DateTimeIso(text)) => match iso_date(text) {
            Some(datetime) => CellValue::DateTime(datetime),
            None => CellValue::Text(text),
        },
        Some(Data::DurationIso(text)) => CellValue::Text(text),
        Some(Data::DateTime(datetime)) => CellValue::Number(datetime.as_f64()),
        Some(Data::Error(error)) => CellValue::Error(match error {
            calamine::CellErrorType::Div0 => "#DIV/0!",
            calamine::CellErrorType::NA => "#N/A",
            calamine::CellErrorType::Name => "#NAME?",
            calamine::CellErrorType::Null => "#NULL!",
            calamine::CellErrorType::Num => "#NUM!",
            calamine::CellErrorType::Ref => "#REF!",
            calamine::CellErrorType::Value => "#VALUE!",
            calamine::CellErrorType::GettingData => "#GETTING_DATA",
        }),
    }
}

/// The first sheet whose first non-empty row has every required header.
fn find_sheet_by_headers<R: Read + Seek>(
    workbook: &mut Ods<R>,
    sheets: &[String],
    schema: &Schema,
    limits: &Limits,
) -> Result<String, Error> {
    for name in sheets {
        let Ok(values) = workbook.worksheet_range(name) else {
            continue;
        };
        let Ok(formulas) = workbook.worksheet_formula(name) else {
            continue;
        };
        let mut headers: Vec<String> = Vec::new();
        let _ = for_each_row(&values, &formulas, |_, first, cells| {
            for (offset, cell) in cells.iter().enumerate() {
                let text = header_text(cell);
                if !text.is_empty() && first as usize + offset < limits.max_columns as usize {
                    headers.push(text);
                }
            }
            // Stop at the first row with a header.
            if headers.is_empty() {
                Ok(())
            } else {
                Err(Error::corrupt(""))
            }
        });
        let has_required = schema
            .columns()
            .iter()
            .enumerate()
            .filter(|(_, column)| column.is_required())
            .all(|(index, _)| {
                headers
                    .iter()
                    .any(|h| schema.match_header(h) == Some(index))
            });
        if has_required && !headers.is_empty() {
            return Ok(name.clone());
        }
    }
    Err(Error::SheetNotFound {
        expected_sheet: schema.sheet_name().to_string(),
        expected_headers: quoted_list(
            schema
                .columns()
                .iter()
                .filter(|c| c.is_required())
                .map(|c| c.header()),
        ),
        found: if sheets.is_empty() {
            "(none)".to_string()
        } else {
            quoted_list(sheets)
        },
    })
}
