//! The data sheet: finding it, matching its headers to the schema, and streaming its cells as
//! rows, with every limit checked while it streams.

use calamine::{DataRef, XlsxFormulaMetadata};
use chrono::NaiveDateTime;

use crate::error::{Error, Limit, quoted_list};
use crate::issue::{Issue, IssueCode};
use crate::read::limits::Limits;
use crate::read::package::{MAX_GRID_COLUMNS, MAX_GRID_ROWS, PackageInfo, column_letters};
use crate::read::shown::{NumberFormat, render};
use crate::read::workbook::{CellSource, Workbook};
use crate::read::{CellValue, HeaderRow, RowSink};
use crate::schema::Schema;
use crate::value::{clean_spaces, excel_serial_to_datetime, number_text};

/// Reads the data sheet of an opened workbook whose package passed the checks.
pub(super) fn read_opened(
    workbook: &mut dyn Workbook,
    info: &PackageInfo,
    schema: &Schema,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<u32, Error> {
    if info.shared_strings > limits.max_shared_strings {
        return Err(Error::LimitExceeded {
            what: Limit::SharedStrings,
            value: info.shared_strings,
            limit: limits.max_shared_strings,
        });
    }
    let is_1904 = workbook.is_1904();
    let sheets: Vec<String> = workbook.worksheets();
    // The data sheet by name, in any of the schema's languages (in the schema's order).
    let named = schema.sheet_names().find_map(|wanted| {
        let wanted = crate::schema::fold_header(wanted);
        sheets
            .iter()
            .find(|name| crate::schema::fold_header(name) == wanted)
            .cloned()
    });
    let deadline = sink.deadline();
    let chosen = match named {
        Some(name) => name,
        None => find_sheet_by_headers(workbook, &sheets, schema, limits, deadline)?,
    };
    let formats = cell_formats(workbook, &chosen)?;
    if let Some(part) = &info.macros {
        // Never run, never read: only the cells are. Said, so no one expects them to have run.
        sink.warning(Issue::new(IssueCode::MacrosIgnored).arg("part", part.as_str()));
    }
    let mut stream = SheetStream {
        schema,
        limits,
        formats,
        sheet: chosen.clone(),
        is_1904,
        header: None,
        header_cells: Vec::new(),
        column_map: Vec::new(),
        extra_map: Vec::new(),
        named_columns: ColumnSet::new(),
        warned_columns: ColumnSet::new(),
        text_bytes: 0,
        rows: 0,
        declared_last_row: None,
        deadline,
        cells: 0,
        sink,
    };
    let mut cells = workbook.cells(&chosen)?;
    let declared = cells.dimensions();
    stream.declared_last_row = (declared.end.0 > 0).then_some(declared.end.0);
    stream.run(&mut *cells)?;
    Ok(stream.rows)
}

/// The most runs of rows [`CellFormats`] keeps: beyond them (a sheet whose cells change format
/// from row to row, over millions of cells), later cells are read without their formats.
const MAX_FORMAT_RUNS: usize = 1_000_000;

/// Which cells of the data sheet have a number format that changes what a number shows, found
/// by a first pass over the sheet's cell styles. The pass is made only when the workbook has
/// such a format; its memory grows with the runs of rows of one format in a column, not with
/// the cells.
pub(super) struct CellFormats {
    /// Per style id: its number format, where it may change what a number shows.
    styles: Vec<Option<NumberFormat>>,
    /// Per sheet column: runs of rows (first, last, style id), in row order.
    runs: Vec<Vec<(u32, u32, u32)>>,
    /// Per sheet column: the run the last lookup ended on.
    cursor: Vec<usize>,
}

impl CellFormats {
    /// The number format of the cell at (`row`, `column`), for rows asked in ascending order.
    fn at(&mut self, row: u32, column: u32) -> Option<&NumberFormat> {
        let runs = self.runs.get(column as usize)?;
        let cursor = &mut self.cursor[column as usize];
        while *cursor < runs.len() && runs[*cursor].1 < row {
            *cursor += 1;
        }
        let (first, _, style) = *runs.get(*cursor)?;
        if first > row {
            return None;
        }
        self.styles.get(style as usize)?.as_ref()
    }
}

/// The first pass of [`CellFormats`], or `None` when no cell format of the workbook changes
/// what a number shows.
fn cell_formats(workbook: &mut dyn Workbook, sheet: &str) -> Result<Option<CellFormats>, Error> {
    let mut cells = workbook.cells(sheet)?;
    let styles: Vec<Option<NumberFormat>> = cells.number_formats();
    if styles.iter().all(Option::is_none) {
        return Ok(None);
    }
    let mut runs: Vec<Vec<(u32, u32, u32)>> = Vec::new();
    let mut count = 0;
    while let Some((row, column, style)) = cells.next_style_id()? {
        if styles.get(style).is_none_or(Option::is_none) || u64::from(column) >= MAX_GRID_COLUMNS {
            continue;
        }
        let column = column as usize;
        if runs.len() <= column {
            runs.resize_with(column + 1, Vec::new);
        }
        let style = style as u32;
        match runs[column].last_mut() {
            Some(last) if last.2 == style && last.1 + 1 == row => last.1 = row,
            _ if count >= MAX_FORMAT_RUNS => break,
            _ => {
                runs[column].push((row, row, style));
                count += 1;
            }
        }
    }
    let cursor = vec![0; runs.len()];
    Ok(Some(CellFormats {
        styles,
        runs,
        cursor,
    }))
}

/// Reads the first non-empty row of each sheet until one has every required header.
pub(super) fn find_sheet_by_headers(
    workbook: &mut dyn Workbook,
    sheets: &[String],
    schema: &Schema,
    limits: &Limits,
    deadline: Option<std::time::Instant>,
) -> Result<String, Error> {
    // One budget for every sheet looked at.
    let mut text_bytes = 0;
    let mut looked_at: u64 = 0;
    for name in sheets {
        limits.check_deadline(deadline)?;
        let mut cells = match workbook.cells(name) {
            Ok(cells) => cells,
            Err(_) => continue,
        };
        let mut first_row: Option<u32> = None;
        let mut headers: Vec<String> = Vec::new();
        loop {
            let Some(cell) = cells.next_cell()? else {
                break;
            };
            looked_at += 1;
            if looked_at.is_multiple_of(crate::read::CELLS_BETWEEN_DEADLINE_CHECKS) {
                limits.check_deadline(deadline)?;
            }
            spend_text(&mut text_bytes, &cell.value, None, limits)?;
            let (row, column) = cell.pos;
            if first_row.is_some_and(|first| row != first) {
                break;
            }
            // Past the last column a header row may have: no header row starts here, however
            // many empty cells follow (a sheet of bare `<c/>` tags, all in one row).
            if u64::from(column) >= u64::from(limits.max_columns) {
                break;
            }
            let text = header_text(&cell.value);
            if text.is_empty() {
                continue;
            }
            first_row = Some(row);
            headers.push(text);
        }
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

/// The text of a header cell.
fn header_text(value: &DataRef<'_>) -> String {
    let raw = match value {
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_string(),
        DataRef::Float(number) => number_text(*number),
        DataRef::Int(number) => number.to_string(),
        DataRef::Bool(value) => value.to_string().to_uppercase(),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::DateTime(datetime) => number_text(datetime.as_f64()),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    };
    clean_spaces(&raw, true).into_owned()
}

/// One cell held while its row is being read.
#[derive(Default)]
pub(super) struct Slot<'a> {
    value: DataRef<'a>,
    formula: Option<String>,
    /// The text a zero-padded number format shows (`00123`), read instead of the number.
    shown: Option<String>,
    present: bool,
}

pub(super) struct SheetStream<'s> {
    schema: &'s Schema,
    limits: &'s Limits,
    /// The cells whose number format changes what a number shows.
    formats: Option<CellFormats>,
    sheet: String,
    is_1904: bool,
    /// Set once the header row is complete.
    header: Option<HeaderRow>,
    /// The header row's cells while it is read: (column, text).
    header_cells: Vec<(u32, String)>,
    /// Sheet column → schema column, over the header row's width.
    column_map: Vec<Option<usize>>,
    /// Sheet column → position in [`HeaderRow::extra`], when the sink wants those values.
    extra_map: Vec<Option<usize>>,
    /// The columns of the header row that have a header.
    named_columns: ColumnSet,
    /// Columns right of (or between) the headers already warned about.
    warned_columns: ColumnSet,
    /// The bytes of text the sheet's cells have handed out so far.
    text_bytes: u64,
    rows: u32,
    /// The last row (from 0) of the sheet's declared dimension, when it declares one.
    declared_last_row: Option<u32>,
    /// When the read must end ([`RowSink::deadline`]).
    deadline: Option<std::time::Instant>,
    /// Cells read, empty ones included.
    cells: u64,
    sink: &'s mut dyn RowSink,
}

impl SheetStream<'_> {
    fn run<'a>(&mut self, cells: &mut dyn CellSource<'a>) -> Result<(), Error> {
        let width = self.schema.columns().len();
        let mut slots: Vec<Slot<'a>> = (0..width).map(|_| Slot::default()).collect();
        let mut current: Option<u32> = None;
        let mut row_has_values = false;
        // Columns seen in the current row, to find two cells at one position.
        let mut seen = ColumnSet::new();
        let mut shared_formulas: Vec<(usize, String)> = Vec::new();

        loop {
            let Some(cell) = cells.next_cell()? else {
                break;
            };
            self.cells += 1;
            if self
                .cells
                .is_multiple_of(crate::read::CELLS_BETWEEN_DEADLINE_CHECKS)
            {
                self.limits.check_deadline(self.deadline)?;
            }
            let (row, column) = cell.pos;
            if u64::from(row) >= MAX_GRID_ROWS || u64::from(column) >= MAX_GRID_COLUMNS {
                return Err(Error::CellOutsideGrid {
                    part: format!("sheet `{}`", self.sheet),
                    reference: format!(
                        "row {}, column {}",
                        u64::from(row) + 1,
                        u64::from(column) + 1
                    ),
                });
            }
            if let Some(previous) = current {
                if row < previous {
                    return Err(Error::corrupt(format!(
                        "sheet `{}` has row {} after row {}, out of order",
                        self.sheet,
                        row + 1,
                        previous + 1
                    )));
                }
                if row > previous {
                    self.finish_row(previous, &mut slots, row_has_values)?;
                    row_has_values = false;
                    seen.clear();
                }
            }
            current = Some(row);
            if !seen.insert(column) {
                return Err(Error::DuplicateCell {
                    sheet: self.sheet.clone(),
                    reference: format!("{}{}", column_letters(column), row + 1),
                });
            }

            let formula = match cell.formula {
                None => None,
                Some(XlsxFormulaMetadata::Normal { formula }) => Some(formula),
                Some(XlsxFormulaMetadata::Shared {
                    shared_index,
                    formula,
                    ..
                }) => {
                    if shared_formulas.len() < 1024 {
                        shared_formulas.push((shared_index, formula.clone()));
                    }
                    Some(formula)
                }
                Some(XlsxFormulaMetadata::SharedDerived { shared_index }) => Some(
                    shared_formulas
                        .iter()
                        .find(|(index, _)| *index == shared_index)
                        .map(|(_, formula)| formula.clone())
                        .unwrap_or_default(),
                ),
                Some(_) => Some(String::new()),
            };
            spend_text(
                &mut self.text_bytes,
                &cell.value,
                formula.as_deref(),
                self.limits,
            )?;

            if self.header.is_none() {
                let text = header_text(&cell.value);
                if !text.is_empty() {
                    if column >= self.limits.max_columns {
                        return Err(Error::LimitExceeded {
                            what: Limit::Columns,
                            value: u64::from(column) + 1,
                            limit: u64::from(self.limits.max_columns),
                        });
                    }
                    self.header_cells.push((column, text));
                    self.named_columns.insert(column);
                    row_has_values = true;
                }
                continue;
            }

            let blank = formula.is_none() && is_blank(&cell.value);
            match self.column_map.get(column as usize).copied().flatten() {
                Some(index) => {
                    let shown = match (&mut self.formats, &formula, &cell.value) {
                        (Some(formats), None, DataRef::Float(_) | DataRef::Int(_)) => {
                            let number = match cell.value {
                                DataRef::Int(number) => number as f64,
                                DataRef::Float(number) => number,
                                _ => 0.0,
                            };
                            formats
                                .at(row, column)
                                .and_then(|format| shown_number(format, number))
                        }
                        _ => None,
                    };
                    let slot = &mut slots[index];
                    match shown {
                        Some(Shown::AsShown(text)) => slot.shown = Some(text),
                        Some(Shown::Warn { shown, stored }) => {
                            let header = self
                                .header
                                .as_ref()
                                .and_then(|header| header.headers[index].clone())
                                .unwrap_or_default();
                            self.sink.warning(
                                Issue::new(IssueCode::NumberFormatShown)
                                    .at(row + 1, &header)
                                    .value(stored.clone())
                                    .arg("shown", shown)
                                    .arg("stored", stored),
                            );
                        }
                        None => {}
                    }
                    slot.value = cell.value;
                    slot.formula = formula;
                    slot.present = true;
                    if !blank {
                        row_has_values = true;
                    }
                }
                None => {
                    // A column the template lacks, whose value the sink wants: kept after the
                    // template's slots.
                    if let Some(at) = self.extra_map.get(column as usize).copied().flatten() {
                        if slots.len() <= width + at {
                            slots.resize_with(width + at + 1, Slot::default);
                        }
                        let slot = &mut slots[width + at];
                        slot.value = cell.value;
                        slot.formula = formula;
                        slot.present = true;
                        continue;
                    }
                    let beyond = column as usize >= self.column_map.len();
                    if !blank
                        && !self.warned_columns.contains(column)
                        && (beyond || !self.named_columns.contains(column))
                    {
                        if self.warned_columns.len() < 50 {
                            self.sink.warning(
                                Issue::new(IssueCode::ValuesOutsideColumns)
                                    .arg("letter", column_letters(column))
                                    .arg("first_row", (row + 1).to_string()),
                            );
                        }
                        self.warned_columns.insert(column);
                    }
                }
            }
        }
        if let Some(last) = current {
            self.finish_row(last, &mut slots, row_has_values)?;
        }
        match &self.header {
            None => Err(Error::SheetNotFound {
                expected_sheet: self.schema.sheet_name().to_string(),
                expected_headers: quoted_list(
                    self.schema
                        .columns()
                        .iter()
                        .filter(|c| c.is_required())
                        .map(|c| c.header()),
                ),
                found: format!("{} (empty)", quoted_list([&self.sheet])),
            }),
            Some(header) if self.rows == 0 => Err(Error::NoRows {
                sheet: self.sheet.clone(),
                first_row: header.row + 1,
            }),
            Some(_) => Ok(()),
        }
    }

    fn finish_row<'a>(
        &mut self,
        row: u32,
        slots: &mut [Slot<'a>],
        has_values: bool,
    ) -> Result<(), Error> {
        if self.header.is_none() {
            if has_values {
                self.finish_header(row)?;
            }
            return Ok(());
        }
        if has_values {
            self.rows += 1;
            if self.rows > self.limits.max_rows {
                return Err(Error::LimitExceeded {
                    what: Limit::Rows,
                    value: u64::from(self.rows),
                    limit: u64::from(self.limits.max_rows),
                });
            }
            let width = self.schema.columns().len();
            if !self.extra_map.is_empty() {
                let extras = self.header.as_ref().map_or(0, |h| h.extra.len());
                let values: Vec<CellValue<'_>> = (0..extras)
                    .map(|at| match slots.get(width + at) {
                        Some(slot) => to_cell_value(slot, self.is_1904),
                        None => CellValue::Empty,
                    })
                    .collect();
                self.sink.extra(row + 1, &values)?;
            }
            let values: Vec<CellValue<'_>> = slots[..width]
                .iter()
                .map(|slot| to_cell_value(slot, self.is_1904))
                .collect();
            self.sink.row(row + 1, &values)?;
        }
        for slot in slots.iter_mut() {
            if slot.present {
                *slot = Slot::default();
            }
        }
        Ok(())
    }

    fn finish_header(&mut self, row: u32) -> Result<(), Error> {
        let schema = self.schema;
        let mut headers: Vec<Option<String>> = vec![None; schema.columns().len()];
        let mut first_column: Vec<u32> = vec![0; schema.columns().len()];
        let width = self
            .header_cells
            .iter()
            .map(|(column, _)| *column as usize + 1)
            .max()
            .unwrap_or(0);
        let mut map = vec![None; width];
        let wants_extra = self.sink.wants_extra();
        let mut extra_map = vec![None; if wants_extra { width } else { 0 }];
        let mut extra: Vec<String> = Vec::new();
        for (column, text) in &self.header_cells {
            match schema.match_header(text) {
                Some(index) => {
                    if headers[index].is_some() {
                        return Err(Error::DuplicateColumn {
                            sheet: self.sheet.clone(),
                            header: text.clone(),
                            first: column_letters(first_column[index]),
                            second: column_letters(*column),
                        });
                    }
                    headers[index] = Some(text.clone());
                    first_column[index] = *column;
                    map[*column as usize] = Some(index);
                }
                // The error report's own column of messages: not the administrator's.
                None if crate::text::is_report_issues_header(text) => {}
                None => {
                    if wants_extra {
                        extra_map[*column as usize] = Some(extra.len());
                    }
                    extra.push(text.clone());
                    self.sink.warning(
                        Issue::new(IssueCode::UnknownColumn)
                            .in_column(text)
                            .arg("letter", column_letters(*column)),
                    );
                }
            }
        }
        let missing: Vec<&str> = schema
            .columns()
            .iter()
            .zip(&headers)
            .filter(|(column, found)| column.is_required() && found.is_none())
            .map(|(column, _)| column.header())
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingColumns {
                sheet: self.sheet.clone(),
                count: missing.len(),
                missing: quoted_list(&missing),
                header_row: row + 1,
            });
        }
        self.column_map = map;
        self.extra_map = extra_map;
        let header = HeaderRow {
            sheet: self.sheet.clone(),
            row: row + 1,
            headers,
            extra,
        };
        self.sink.header(&header)?;
        if let Some(last) = self.declared_last_row {
            // Rows below the header, as the file declares them (`header.row` counts from 1).
            let below = u64::from(last + 1).saturating_sub(u64::from(header.row));
            if below > 0 {
                self.sink
                    .rows_expected(below.min(u64::from(self.limits.max_rows)));
            }
        }
        self.header = Some(header);
        Ok(())
    }
}

/// A set of sheet columns with constant-time lookups: a row may have 16,384 cells.
pub(super) struct ColumnSet {
    words: Vec<u64>,
    members: Vec<u32>,
}

impl ColumnSet {
    fn new() -> ColumnSet {
        ColumnSet {
            words: vec![0; (MAX_GRID_COLUMNS as usize).div_ceil(64)],
            members: Vec::new(),
        }
    }

    /// Adds a column inside Excel's grid; false when it was in already.
    fn insert(&mut self, column: u32) -> bool {
        let (word, bit) = ((column / 64) as usize, 1u64 << (column % 64));
        if self.words[word] & bit != 0 {
            return false;
        }
        self.words[word] |= bit;
        self.members.push(column);
        true
    }

    fn contains(&self, column: u32) -> bool {
        let (word, bit) = ((column / 64) as usize, 1u64 << (column % 64));
        self.words.get(word).is_some_and(|w| w & bit != 0)
    }

    fn len(&self) -> usize {
        self.members.len()
    }

    fn clear(&mut self) {
        for column in self.members.drain(..) {
            self.words[(column / 64) as usize] = 0;
        }
    }
}

/// Counts the text a cell hands out against `limits.max_text_bytes`. A shared string is
/// stored once but handed out for every cell that uses it (a shared formula likewise), so
/// without this bound a small file could make the validation read, and keep in its issues,
/// gigabytes of text.
fn spend_text(
    spent: &mut u64,
    value: &DataRef<'_>,
    formula: Option<&str>,
    limits: &Limits,
) -> Result<(), Error> {
    let text = match value {
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            text.len()
        }
        DataRef::SharedString(text) => text.len(),
        _ => 0,
    };
    let bytes = text + formula.map_or(0, str::len);
    *spent = spent.saturating_add(bytes as u64);
    if *spent > limits.max_text_bytes {
        return Err(Error::LimitExceeded {
            what: Limit::Text,
            value: *spent,
            limit: limits.max_text_bytes,
        });
    }
    Ok(())
}

fn is_blank(value: &DataRef<'_>) -> bool {
    match value {
        DataRef::Empty => true,
        DataRef::String(text) => blank_text(text),
        DataRef::SharedString(text) => blank_text(text),
        _ => false,
    }
}

/// Whether `text` is spaces and invisible characters only. A text that starts with a visible
/// ASCII character is not, whatever follows: [`clean_spaces`] keeps that character.
fn blank_text(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(first) if first.is_ascii_graphic() => false,
        _ => clean_spaces(text, false).is_empty(),
    }
}

/// The date and time of an ISO 8601 date cell (`t="d"`): `2024-03-31`, `2024-03-31T09:30:00`,
/// with optional fractional seconds and a trailing `Z`. A time of day alone is not a date.
fn iso_date_cell(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    let text = text.strip_suffix('Z').unwrap_or(text);
    if let Ok(datetime) = text.parse::<NaiveDateTime>() {
        return Some(datetime);
    }
    text.parse::<chrono::NaiveDate>()
        .ok()
        .map(|date| date.and_time(chrono::NaiveTime::MIN))
}

/// What the reader does with a number whose cell format changes how it shows.
enum Shown {
    /// A whole number under a zero-padded format (`00000`): read as shown.
    AsShown(String),
    /// Another format shows other text than the number held: read the number, with a warning.
    Warn { shown: String, stored: String },
}

fn shown_number(format: &NumberFormat, number: f64) -> Option<Shown> {
    let shown = render(&format.code, number)?;
    if format.padded && number.fract() == 0.0 && number.abs() < 1e15 {
        return Some(Shown::AsShown(shown));
    }
    let stored = number_text(number);
    (shown != stored).then_some(Shown::Warn { shown, stored })
}

fn to_cell_value<'s>(slot: &'s Slot<'_>, is_1904: bool) -> CellValue<'s> {
    if let Some(formula) = &slot.formula {
        return CellValue::Formula(formula);
    }
    if let Some(shown) = &slot.shown {
        return CellValue::Text(shown);
    }
    match &slot.value {
        DataRef::Empty => CellValue::Empty,
        DataRef::String(text) => CellValue::Text(text),
        DataRef::SharedString(text) => CellValue::Text(text),
        DataRef::DateTimeIso(text) => match iso_date_cell(text) {
            Some(value) => CellValue::DateTime(value),
            None => CellValue::Text(text),
        },
        DataRef::DurationIso(text) => CellValue::Text(text),
        DataRef::Float(number) => CellValue::Number(*number),
        DataRef::Int(number) => CellValue::Number(*number as f64),
        DataRef::Bool(value) => CellValue::Bool(*value),
        DataRef::DateTime(datetime) => {
            if datetime.is_datetime() {
                match excel_serial_to_datetime(datetime.as_f64(), is_1904) {
                    Some(value) => CellValue::DateTime(value),
                    None => CellValue::InvalidDate(datetime.as_f64()),
                }
            } else {
                CellValue::Number(datetime.as_f64())
            }
        }
        DataRef::Error(error) => CellValue::Error(match error {
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
