//! Rows of a grid (the records of a CSV file, the rows of an OpenDocument sheet) into a
//! [`RowSink`], as the `.xlsx` reader hands its sheet over: the first non-blank row is the
//! header, its headers are matched against the schema, blank rows are skipped (their numbers
//! kept), values outside the template's columns are warned about, and the rows are counted
//! against the limit.

use crate::error::{Error, Limit, quoted_list};
use crate::issue::{Issue, IssueCode};
use crate::read::package::{MAX_GRID_COLUMNS, column_letters};
use crate::value::clean_spaces;
use crate::{CellValue, HeaderRow, Limits, RowSink, Schema};

/// The most columns warned about as values without a header; past it they are ignored quietly.
const MAX_COLUMN_WARNINGS: usize = 50;

/// Hands the rows of one sheet to a sink.
pub(crate) struct Grid<'s> {
    schema: &'s Schema,
    limits: &'s Limits,
    sheet: String,
    sink: &'s mut dyn RowSink,
    /// Set once the header row is read.
    header: Option<HeaderRow>,
    /// Sheet column → schema column, over the header row's width.
    column_map: Vec<Option<usize>>,
    /// Sheet column → position in [`HeaderRow::extra`], over the header row's width.
    extra_map: Vec<Option<usize>>,
    /// Columns of the header row that have a header.
    named: Columns,
    /// Columns already warned about as values without a header.
    warned: Columns,
    /// Non-blank data rows handed over.
    rows: u32,
    /// When the read must end ([`RowSink::deadline`]), looked at on every row, blank or not.
    deadline: Option<std::time::Instant>,
}

impl<'s> Grid<'s> {
    /// A grid for the sheet named `sheet` (the name messages give).
    pub(crate) fn new(
        schema: &'s Schema,
        limits: &'s Limits,
        sheet: String,
        sink: &'s mut dyn RowSink,
    ) -> Grid<'s> {
        Grid {
            schema,
            limits,
            sheet,
            deadline: sink.deadline(),
            sink,
            header: None,
            column_map: Vec::new(),
            extra_map: Vec::new(),
            named: Columns::default(),
            warned: Columns::default(),
            rows: 0,
        }
    }

    /// The sink, for warnings about the file as a whole.
    pub(crate) fn sink(&mut self) -> &mut dyn RowSink {
        &mut *self.sink
    }

    /// One row of the sheet: `number` as the spreadsheet shows it, `cells[i]` in column
    /// `first + i` (counting from 0).
    ///
    /// # Errors
    ///
    /// The header row's errors (too wide, a column twice, required columns missing), the row
    /// limit, and the sink's own.
    pub(crate) fn row(
        &mut self,
        number: u32,
        first: u32,
        cells: &[CellValue<'_>],
    ) -> Result<(), Error> {
        self.limits.check_deadline(self.deadline)?;
        if self.header.is_none() {
            return self.header_row(number, first, cells);
        }
        let mut values = vec![CellValue::Empty; self.schema.columns().len()];
        let wants_extra = self.sink.wants_extra();
        let extras = self.header.as_ref().map_or(0, |h| h.extra.len());
        let mut extra = vec![CellValue::Empty; if wants_extra { extras } else { 0 }];
        let mut has_values = false;
        for (offset, cell) in cells.iter().enumerate() {
            let column = first.saturating_add(offset as u32);
            let blank = cell.is_blank();
            match self.column_map.get(column as usize).copied().flatten() {
                Some(index) => {
                    values[index] = cell.clone();
                    has_values |= !blank;
                }
                None => {
                    if let Some(at) = self.extra_map.get(column as usize).copied().flatten()
                        && wants_extra
                    {
                        extra[at] = cell.clone();
                    }
                    if !blank && !self.named.contains(column) && !self.warned.contains(column) {
                        if self.warned.len() < MAX_COLUMN_WARNINGS {
                            self.sink.warning(
                                Issue::new(IssueCode::ValuesOutsideColumns)
                                    .arg("letter", column_letters(column))
                                    .arg("first_row", number.to_string()),
                            );
                        }
                        self.warned.insert(column);
                    }
                }
            }
        }
        if !has_values {
            return Ok(());
        }
        self.rows += 1;
        if self.rows > self.limits.max_rows {
            return Err(Error::LimitExceeded {
                what: Limit::Rows,
                value: u64::from(self.rows),
                limit: u64::from(self.limits.max_rows),
            });
        }
        if wants_extra {
            self.sink.extra(number, &extra)?;
        }
        self.sink.row(number, &values)
    }

    /// The number of non-blank data rows once every row was given.
    ///
    /// # Errors
    ///
    /// No header row (a blank sheet), or no data row below it.
    pub(crate) fn finish(self) -> Result<u32, Error> {
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
            Some(_) => Ok(self.rows),
        }
    }

    fn header_row(
        &mut self,
        number: u32,
        first: u32,
        cells: &[CellValue<'_>],
    ) -> Result<(), Error> {
        let mut found: Vec<(u32, String)> = Vec::new();
        for (offset, cell) in cells.iter().enumerate() {
            let text = header_text(cell);
            if text.is_empty() {
                continue;
            }
            let column = first.saturating_add(offset as u32);
            if column >= self.limits.max_columns {
                return Err(Error::LimitExceeded {
                    what: Limit::Columns,
                    value: u64::from(column) + 1,
                    limit: u64::from(self.limits.max_columns),
                });
            }
            found.push((column, text));
        }
        if found.is_empty() {
            return Ok(());
        }
        let schema = self.schema;
        let width = found.last().map_or(0, |(column, _)| *column as usize + 1);
        let mut map = vec![None; width];
        let mut extra_map = vec![None; width];
        let mut extra: Vec<String> = Vec::new();
        let mut headers: Vec<Option<String>> = vec![None; schema.columns().len()];
        let mut first_column: Vec<u32> = vec![0; schema.columns().len()];
        for (column, text) in &found {
            self.named.insert(*column);
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
                    extra_map[*column as usize] = Some(extra.len());
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
                header_row: number,
            });
        }
        self.column_map = map;
        self.extra_map = extra_map;
        let header = HeaderRow {
            sheet: self.sheet.clone(),
            row: number,
            headers,
            extra,
        };
        self.sink.header(&header)?;
        self.header = Some(header);
        Ok(())
    }
}

/// The text of a header cell, its spaces cleaned.
pub(crate) fn header_text(cell: &CellValue<'_>) -> String {
    match cell {
        CellValue::Empty | CellValue::Error(_) => String::new(),
        CellValue::Text(text) => clean_spaces(text, true).into_owned(),
        other => clean_spaces(&other.as_read(), true).into_owned(),
    }
}

/// The date and time of an ISO 8601 date value: `2024-03-31`, `2024-03-31T09:30:00`, with
/// optional fractional seconds and a trailing `Z`. A time of day alone is not a date.
pub(crate) fn iso_date(text: &str) -> Option<chrono::NaiveDateTime> {
    let text = text.trim();
    let text = text.strip_suffix('Z').unwrap_or(text);
    if let Ok(datetime) = text.parse::<chrono::NaiveDateTime>() {
        return Some(datetime);
    }
    text.parse::<chrono::NaiveDate>()
        .ok()
        .map(|date| date.and_time(chrono::NaiveTime::MIN))
}

/// A set of columns inside Excel's grid.
#[derive(Default)]
struct Columns {
    words: Vec<u64>,
    count: usize,
}

impl Columns {
    fn insert(&mut self, column: u32) {
        let column = column.min(MAX_GRID_COLUMNS as u32);
        let (word, bit) = ((column / 64) as usize, 1u64 << (column % 64));
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        if self.words[word] & bit == 0 {
            self.words[word] |= bit;
            self.count += 1;
        }
    }

    fn contains(&self, column: u32) -> bool {
        let column = column.min(MAX_GRID_COLUMNS as u32);
        let (word, bit) = ((column / 64) as usize, 1u64 << (column % 64));
        self.words.get(word).is_some_and(|w| w & bit != 0)
    }

    fn len(&self) -> usize {
        self.count
    }
}
