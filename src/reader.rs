//! Reading an upload: package checks, finding the data sheet, matching headers, and streaming
//! its rows as typed cell values with the row numbers the spreadsheet shows.

use std::io::{Cursor, Read, Seek};
use std::sync::mpsc;

use calamine::{DataRef, Reader as _, SheetType, Xlsx, XlsxFormulaMetadata};
use chrono::NaiveDateTime;

use crate::error::{Error, quoted_list};
use crate::issue::{Issue, IssueCode};
use crate::normalize::{clean_spaces, excel_serial_to_datetime, number_text};
use crate::package::{self, Limits, MAX_GRID_COLUMNS, MAX_GRID_ROWS, PackageInfo, column_letters};
use crate::schema::Schema;

/// One cell's value as read, before any normalization.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue<'a> {
    /// No value.
    Empty,
    /// Text (a shared or inline string, or an ISO 8601 date cell whose text is not a date).
    Text(&'a str),
    /// A number.
    Number(f64),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// A date cell: a number formatted as a date, converted from its serial number, or an
    /// ISO 8601 date cell (`t="d"`).
    DateTime(NaiveDateTime),
    /// A cell formatted as a date whose serial number is outside Excel's dates.
    InvalidDate(f64),
    /// An Excel error value such as `#N/A`.
    Error(&'static str),
    /// A formula; the text is the formula as written (without `=`), or empty when the cell
    /// shares a formula written on another cell.
    Formula(&'a str),
}

impl CellValue<'_> {
    /// Whether the cell counts as blank: empty, or text of spaces only.
    pub fn is_blank(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(text) => clean_spaces(text, false).is_empty(),
            _ => false,
        }
    }

    /// The value as the administrator sees it in the cell, for messages and the error report.
    pub fn as_read(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(text) => (*text).to_string(),
            CellValue::Number(number) => number_text(*number),
            CellValue::Bool(true) => "TRUE".to_string(),
            CellValue::Bool(false) => "FALSE".to_string(),
            CellValue::DateTime(datetime) => {
                if datetime.time() == chrono::NaiveTime::MIN {
                    datetime.date().format("%Y-%m-%d").to_string()
                } else {
                    datetime.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            CellValue::InvalidDate(serial) => number_text(*serial),
            CellValue::Error(error) => (*error).to_string(),
            CellValue::Formula(formula) => format!("={formula}"),
        }
    }
}

/// The data sheet's header row, as the reader found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRow {
    /// The sheet read.
    pub sheet: String,
    /// The header row's number as the spreadsheet shows it.
    pub row: u32,
    /// For each schema column, the header as written in the file, or `None` when the file does
    /// not have the column.
    pub headers: Vec<Option<String>>,
}

/// Receives the data sheet as it is read: first its header row, then every non-blank row.
pub trait RowSink {
    /// Called once, before any row, with the header row.
    ///
    /// # Errors
    ///
    /// An error stops the read and is returned by it.
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error>;

    /// Called for every non-blank data row, in sheet order. `cells` has one value per schema
    /// column, [`CellValue::Empty`] where the file lacks the column.
    ///
    /// # Errors
    ///
    /// An error stops the read and is returned by it.
    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error>;

    /// Called for warnings about the file's layout (unknown columns, values without a header).
    fn warning(&mut self, issue: Issue);
}

/// Reads the data sheet of an upload into `sink`: an `.xlsx` workbook, an OpenDocument
/// spreadsheet (`.ods`) or a text file (CSV), told apart by their bytes.
///
/// The package is checked against `limits` before it is parsed; the data sheet is the one named
/// as in the schema, or else the first sheet whose first non-empty row has every required
/// header (a text file is one sheet). Returns the number of non-blank data rows.
///
/// # Errors
///
/// Any [`Error`] about the file as a whole: none of those formats, over a limit, damaged, no
/// data sheet, missing required columns, a formula or value outside Excel's grid, no data rows.
pub fn read_rows<R: Read + Seek>(
    mut source: R,
    schema: &Schema,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<u32, Error> {
    match package::detect(&mut source)? {
        package::Format::Csv => return crate::read_csv::read_rows(source, schema, limits, sink),
        package::Format::Ods => return crate::read_ods::read_rows(source, schema, limits, sink),
        package::Format::Xlsx => {}
    }
    let info = package::inspect(&mut source, limits)?;
    let mut workbook: Xlsx<R> = calamine::open_workbook_from_rs(source)
        .map_err(|error| Error::corrupt_from("the workbook cannot be opened", error))?;
    read_opened(&mut workbook, &info, schema, limits, sink)
}

/// Reads the data sheet of an upload held in memory into `sink`, as [`read_rows`] does, on two
/// threads when the upload has at least [`Limits::parallel_min_bytes`] bytes.
///
/// The calling thread checks the parts calamine reads to open the workbook and opens it, while
/// the second thread checks the other parts (the worksheets); once both are done, the calling
/// thread reads the sheet's cells and hands them over in batches to the second thread, where
/// `sink` receives them in order. The outcome is the one [`read_rows`] has: the same rows, the
/// same warnings, and the same error when there is one.
///
/// # Errors
///
/// As [`read_rows`].
pub fn read_rows_bytes(
    bytes: &[u8],
    schema: &Schema,
    limits: &Limits,
    sink: &mut (dyn RowSink + Send),
) -> Result<u32, Error> {
    if (bytes.len() as u64) < limits.parallel_min_bytes
        || package::format_of(&bytes[..bytes.len().min(4096)]) != package::Format::Xlsx
    {
        return read_rows(Cursor::new(bytes), schema, limits, sink);
    }
    let mut split = package::Split::new(bytes, limits)?;
    if split.second.is_empty() {
        return read_rows(Cursor::new(bytes), schema, limits, sink);
    }
    let scan_second = split.second_scanner(limits);
    let outcome = std::thread::scope(|scope| {
        let (scanned_tx, scanned_rx) = mpsc::sync_channel(1);
        let (rows_tx, rows_rx) = mpsc::sync_channel::<Message>(PIPE_BATCHES);
        let (spare_tx, spare_rx) = mpsc::channel::<Batch>();
        let sink: &mut (dyn RowSink + Send) = &mut *sink;
        let spawned = std::thread::Builder::new()
            .name("user-import-validate".into())
            .spawn_scoped(scope, move || -> Result<(), Error> {
                let scanned = scan_second();
                let failed = scanned.is_err();
                // The reading thread waits for this answer; it only stops waiting when it fails.
                let _ = scanned_tx.send(scanned);
                if failed {
                    return Ok(());
                }
                for message in rows_rx {
                    match message {
                        Message::Header(header) => sink.header(&header)?,
                        Message::Warning(issue) => sink.warning(issue),
                        Message::Rows(mut batch) => {
                            batch.replay(sink)?;
                            batch.clear();
                            let _ = spare_tx.send(batch);
                        }
                    }
                }
                Ok(())
            });
        // Without a second thread (the system has no more to give), the read is done on this one.
        let Ok(worker) = spawned else {
            return None;
        };
        let lost = || Error::corrupt("the worksheets could not be checked");
        let read = (move || -> Result<u32, Error> {
            let first = match split.scan_first(limits) {
                Ok(info) => info,
                Err((index, error)) => {
                    // Of two damaged parts, the error is about the one a single scan meets first.
                    return Err(match scanned_rx.recv() {
                        Ok(Err((other, other_error))) if other < index => other_error,
                        _ => error,
                    });
                }
            };
            let opened = calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes));
            let second = match scanned_rx.recv() {
                Ok(Ok(info)) => info,
                Ok(Err((_, error))) => return Err(error),
                Err(_) => return Err(lost()),
            };
            let mut workbook = opened
                .map_err(|error| Error::corrupt_from("the workbook cannot be opened", error))?;
            let info = PackageInfo {
                shared_strings: first.shared_strings.max(second.shared_strings),
            };
            let mut pipe = Pipe {
                sender: rows_tx,
                spares: spare_rx,
                batch: Batch::default(),
            };
            let rows = read_opened(&mut workbook, &info, schema, limits, &mut pipe)?;
            pipe.flush()?;
            Ok(rows)
        })();
        let worked = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The sink's error came at a row read before anything that stopped the reading thread.
        Some(worked.and(read))
    });
    match outcome {
        Some(outcome) => outcome,
        None => read_rows(Cursor::new(bytes), schema, limits, sink),
    }
}

/// Reads the data sheet of an opened workbook whose package passed the checks.
fn read_opened<R: Read + Seek>(
    workbook: &mut Xlsx<R>,
    info: &PackageInfo,
    schema: &Schema,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<u32, Error> {
    if info.shared_strings > limits.max_shared_strings {
        return Err(Error::LimitExceeded {
            what: "number of shared strings",
            value: info.shared_strings,
            limit: limits.max_shared_strings,
            advice: "split the users over several files",
        });
    }
    let is_1904 = workbook.has_1904_epoch();
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .collect();
    // The data sheet by name, in any of the schema's languages (in the schema's order).
    let named = schema.sheet_names().find_map(|wanted| {
        let wanted = crate::schema::fold_header(wanted);
        sheets
            .iter()
            .find(|name| crate::schema::fold_header(name) == wanted)
            .cloned()
    });
    let chosen = match named {
        Some(name) => name,
        None => find_sheet_by_headers(workbook, &sheets, schema, limits)?,
    };
    let mut stream = SheetStream {
        schema,
        limits,
        sheet: chosen.clone(),
        is_1904,
        header: None,
        header_cells: Vec::new(),
        column_map: Vec::new(),
        named_columns: ColumnSet::new(),
        warned_columns: ColumnSet::new(),
        text_bytes: 0,
        rows: 0,
        sink,
    };
    let mut cells = workbook
        .worksheet_cells_reader(&chosen)
        .map_err(|error| Error::corrupt_from(format!("sheet `{chosen}` cannot be read"), error))?;
    stream.run(&mut cells)?;
    Ok(stream.rows)
}

/// Batches of rows in flight between the reading thread and the sink's.
const PIPE_BATCHES: usize = 8;

/// Rows in one batch.
const BATCH_ROWS: usize = 256;

/// What the reading thread hands to the sink's thread, in sheet order.
enum Message {
    Header(HeaderRow),
    Warning(Issue),
    Rows(Batch),
}

/// A cell value of a batch; text is a range of the batch's text.
#[derive(Clone, Copy)]
enum HeldCell {
    Empty,
    Text(usize, usize),
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    InvalidDate(f64),
    Error(&'static str),
    Formula(usize, usize),
}

/// Rows copied out of calamine's buffers, to be replayed into a sink on another thread.
#[derive(Default)]
struct Batch {
    /// Each row's number and the end of its cells in `cells`.
    rows: Vec<(u32, usize)>,
    cells: Vec<HeldCell>,
    text: String,
}

impl Batch {
    fn push(&mut self, number: u32, cells: &[CellValue<'_>]) {
        for cell in cells {
            let held = match cell {
                CellValue::Empty => HeldCell::Empty,
                CellValue::Text(text) => {
                    let start = self.text.len();
                    self.text.push_str(text);
                    HeldCell::Text(start, self.text.len())
                }
                CellValue::Number(number) => HeldCell::Number(*number),
                CellValue::Bool(value) => HeldCell::Bool(*value),
                CellValue::DateTime(value) => HeldCell::DateTime(*value),
                CellValue::InvalidDate(serial) => HeldCell::InvalidDate(*serial),
                CellValue::Error(error) => HeldCell::Error(error),
                CellValue::Formula(formula) => {
                    let start = self.text.len();
                    self.text.push_str(formula);
                    HeldCell::Formula(start, self.text.len())
                }
            };
            self.cells.push(held);
        }
        self.rows.push((number, self.cells.len()));
    }

    fn replay(&self, sink: &mut (dyn RowSink + Send)) -> Result<(), Error> {
        let text = |start: usize, end: usize| self.text.get(start..end).unwrap_or("");
        let mut values: Vec<CellValue<'_>> = Vec::new();
        let mut start = 0;
        for &(number, end) in &self.rows {
            values.clear();
            values.extend(self.cells[start..end].iter().map(|cell| match *cell {
                HeldCell::Empty => CellValue::Empty,
                HeldCell::Text(from, to) => CellValue::Text(text(from, to)),
                HeldCell::Number(number) => CellValue::Number(number),
                HeldCell::Bool(value) => CellValue::Bool(value),
                HeldCell::DateTime(value) => CellValue::DateTime(value),
                HeldCell::InvalidDate(serial) => CellValue::InvalidDate(serial),
                HeldCell::Error(error) => CellValue::Error(error),
                HeldCell::Formula(from, to) => CellValue::Formula(text(from, to)),
            }));
            sink.row(number, &values)?;
            start = end;
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.cells.clear();
        self.text.clear();
    }
}

/// The sink the reading thread writes to: it batches rows and sends them to the sink's thread.
struct Pipe {
    sender: mpsc::SyncSender<Message>,
    spares: mpsc::Receiver<Batch>,
    batch: Batch,
}

impl Pipe {
    fn send(&self, message: Message) -> Result<(), Error> {
        // The sink's thread only stops listening when the sink failed; its error is reported.
        self.sender
            .send(message)
            .map_err(|_| Error::corrupt("the rows could not be validated"))
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.batch.rows.is_empty() {
            return Ok(());
        }
        let spare = self.spares.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, spare);
        self.send(Message::Rows(full))
    }
}

impl RowSink for Pipe {
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error> {
        self.flush()?;
        self.send(Message::Header(header.clone()))
    }

    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        self.batch.push(number, cells);
        if self.batch.rows.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn warning(&mut self, issue: Issue) {
        // A warning goes after the rows before it; if the sink's thread is gone, its error is
        // what the read reports, and the next row or the end of the read sees that.
        if self.flush().is_ok() {
            let _ = self.send(Message::Warning(issue));
        }
    }
}

/// Reads the first non-empty row of each sheet until one has every required header.
fn find_sheet_by_headers<R: Read + Seek>(
    workbook: &mut Xlsx<R>,
    sheets: &[String],
    schema: &Schema,
    limits: &Limits,
) -> Result<String, Error> {
    // One budget for every sheet looked at.
    let mut text_bytes = 0;
    for name in sheets {
        let mut cells = match workbook.worksheet_cells_reader(name) {
            Ok(cells) => cells,
            Err(_) => continue,
        };
        let mut first_row: Option<u32> = None;
        let mut headers: Vec<String> = Vec::new();
        loop {
            let cell = cells.next_cell_with_formula_metadata().map_err(|error| {
                Error::corrupt_from(format!("sheet `{name}` cannot be read"), error)
            })?;
            let Some(cell) = cell else { break };
            spend_text(&mut text_bytes, &cell.value, None, limits)?;
            let (row, column) = cell.pos;
            if first_row.is_some_and(|first| row != first) {
                break;
            }
            let text = header_text(&cell.value);
            if text.is_empty() {
                continue;
            }
            if u64::from(column) >= u64::from(limits.max_columns) {
                break;
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
struct Slot<'a> {
    value: DataRef<'a>,
    formula: Option<String>,
    present: bool,
}

struct SheetStream<'s> {
    schema: &'s Schema,
    limits: &'s Limits,
    sheet: String,
    is_1904: bool,
    /// Set once the header row is complete.
    header: Option<HeaderRow>,
    /// The header row's cells while it is read: (column, text).
    header_cells: Vec<(u32, String)>,
    /// Sheet column → schema column, over the header row's width.
    column_map: Vec<Option<usize>>,
    /// The columns of the header row that have a header.
    named_columns: ColumnSet,
    /// Columns right of (or between) the headers already warned about.
    warned_columns: ColumnSet,
    /// The bytes of text the sheet's cells have handed out so far.
    text_bytes: u64,
    rows: u32,
    sink: &'s mut dyn RowSink,
}

impl SheetStream<'_> {
    fn run<'a, R: Read + Seek>(
        &mut self,
        cells: &mut calamine::XlsxCellReader<'a, R>,
    ) -> Result<(), Error> {
        let width = self.schema.columns().len();
        let mut slots: Vec<Slot<'a>> = (0..width).map(|_| Slot::default()).collect();
        let mut current: Option<u32> = None;
        let mut row_has_values = false;
        // Columns seen in the current row, to find two cells at one position.
        let mut seen = ColumnSet::new();
        let mut shared_formulas: Vec<(usize, String)> = Vec::new();

        loop {
            let cell = cells.next_cell_with_formula_metadata().map_err(|error| {
                Error::corrupt_from(format!("sheet `{}` cannot be read", self.sheet), error)
            })?;
            let Some(cell) = cell else { break };
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
                            what: "number of columns in the header row",
                            value: u64::from(column) + 1,
                            limit: u64::from(self.limits.max_columns),
                            advice: "delete the columns the template does not have",
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
                    let slot = &mut slots[index];
                    slot.value = cell.value;
                    slot.formula = formula;
                    slot.present = true;
                    if !blank {
                        row_has_values = true;
                    }
                }
                None => {
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
                    what: "number of user rows",
                    value: u64::from(self.rows),
                    limit: u64::from(self.limits.max_rows),
                    advice: "split the users over several files",
                });
            }
            let values: Vec<CellValue<'_>> = slots
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
                None => self.sink.warning(
                    Issue::new(IssueCode::UnknownColumn)
                        .in_column(text)
                        .arg("letter", column_letters(*column)),
                ),
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
        let header = HeaderRow {
            sheet: self.sheet.clone(),
            row: row + 1,
            headers,
        };
        self.sink.header(&header)?;
        self.header = Some(header);
        Ok(())
    }
}

/// A set of sheet columns with constant-time lookups: a row may have 16,384 cells.
struct ColumnSet {
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

/// Counts the text a cell hands out against `limits.max_total_bytes`. A shared string is
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
    if *spent > limits.max_total_bytes {
        return Err(Error::LimitExceeded {
            what: "total length of the cell values in bytes",
            value: *spent,
            limit: limits.max_total_bytes,
            advice: "a shared text counts once for every cell that uses it; split the users over several files",
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

fn to_cell_value<'s>(slot: &'s Slot<'_>, is_1904: bool) -> CellValue<'s> {
    if let Some(formula) = &slot.formula {
        return CellValue::Formula(formula);
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
