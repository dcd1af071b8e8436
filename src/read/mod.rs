//! Reading an upload: package checks, finding the data sheet, matching headers, and streaming
//! its rows as typed cell values with the row numbers the spreadsheet shows.

mod budget;
mod csv;
mod estimate;
mod grid;
pub(crate) mod limits;
mod ods;
pub(crate) mod package;
pub use estimate::estimate_import_bytes;
mod pipe;
mod sheet;
mod shown;
mod workbook;
mod xlsx;
#[cfg(any(test, feature = "testkit"))]
pub(crate) use workbook::compare_readers;

use std::io::{Read, Seek};

use calamine::Xlsx;
use chrono::NaiveDateTime;

use crate::error::Error;
use crate::issue::Issue;
use crate::read::limits::Limits;
use crate::schema::Schema;
use crate::value::{clean_spaces, number_text};
pub use pipe::read_rows_bytes;
use sheet::read_opened;

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
    /// The headers of the columns the template does not have, as written, in sheet order (the
    /// error report's own `Issues` column aside): what [`RowSink::extra`] hands over.
    pub extra: Vec<String>,
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

    /// Called at most once, right after [`RowSink::header`], with the number of rows below the
    /// header that the file declares (an `.xlsx` sheet's dimension), capped at
    /// [`Limits::max_rows`]. A hint for a progress bar only: blank rows count in it, and a
    /// crafted file may declare anything.
    fn rows_expected(&mut self, rows: u64) {
        let _ = rows;
    }

    /// Whether the sink wants the values of the columns the template does not have
    /// ([`RowSink::extra`]): false unless it says so, so that an import does not pay for them.
    /// The error report wants them, to keep the administrator's own columns.
    fn wants_extra(&self) -> bool {
        false
    }

    /// When [`RowSink::wants_extra`], called just before [`RowSink::row`] with the same row's
    /// values in the columns [`HeaderRow::extra`] names, one per header,
    /// [`CellValue::Empty`] where the row has none. A row with values only in such columns is
    /// blank, and passed to neither.
    ///
    /// # Errors
    ///
    /// An error stops the read and is returned by it.
    fn extra(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        let _ = (number, cells);
        Ok(())
    }

    /// When the read must end, if it must: the readers ask once, before the first cell, and
    /// then check it every [`CELLS_BETWEEN_DEADLINE_CHECKS`] cells of an `.xlsx` sheet and on
    /// every row of a CSV or OpenDocument sheet, blank ones included, so that a sheet of
    /// millions of blank cells (which reach no [`RowSink::row`]) is stopped too, with
    /// [`Error::DeadlinePassed`]. An import's sink answers the moment its
    /// [`Limits::max_duration`] runs out; the default is no deadline.
    fn deadline(&self) -> Option<std::time::Instant> {
        None
    }
}

/// How many cells the `.xlsx` reader reads between two looks at [`RowSink::deadline`].
pub const CELLS_BETWEEN_DEADLINE_CHECKS: u64 = 4_096;

/// Reads the data sheet of an `.xlsx` upload into `sink`.
///
/// The package is checked against `limits` before it is parsed; the data sheet is the one named
/// as in the schema, or else the first sheet whose first non-empty row has every required
/// header. Returns the number of non-blank data rows.
///
/// # Errors
///
/// Any [`Error`] about the file as a whole: not an `.xlsx`, over a limit, damaged, no data
/// sheet, missing required columns, a formula or value outside Excel's grid, no data rows.
pub fn read_rows<R: Read + Seek>(
    mut source: R,
    schema: &Schema,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<u32, Error> {
    match package::detect(&mut source)? {
        package::Format::Csv => return csv::read_rows(source, schema, limits, sink),
        package::Format::Ods => return ods::read_rows(source, schema, limits, sink),
        package::Format::Xlsx => {}
    }
    let info = package::inspect(&mut source, limits)?;
    let size = source
        .seek(std::io::SeekFrom::End(0))
        .and_then(|size| source.rewind().map(|()| size))
        .map_err(|error| Error::corrupt_from("the workbook cannot be opened", error))?;
    {
        let (budgeted, spent) = budget::Budgeted::new(&mut source, size, limits);
        if let Some(mut book) = xlsx::Book::open(budgeted, &info.unusual, limits.max_shared_strings)
            && book.reads_every_sheet(&info.unusual)
        {
            return read_opened(&mut book, &info, schema, limits, sink)
                .map_err(|error| spent.explain(error));
        }
    }
    source
        .rewind()
        .map_err(|error| Error::corrupt_from("the workbook cannot be opened", error))?;
    read_with_calamine(source, size, &info, schema, limits, sink)
}

/// Reads the data sheet with calamine, which opens the workbook from `source` (`size` bytes),
/// for a workbook our own reader leaves to it.
fn read_with_calamine<R: Read + Seek>(
    source: R,
    size: u64,
    info: &package::PackageInfo,
    schema: &Schema,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<u32, Error> {
    let (source, spent) = budget::Budgeted::new(source, size, limits);
    let mut workbook: Xlsx<budget::Budgeted<R>> =
        calamine::open_workbook_from_rs(source).map_err(|error| {
            spent.explain(Error::corrupt_from("the workbook cannot be opened", error))
        })?;
    read_opened(&mut workbook, info, schema, limits, sink).map_err(|error| spent.explain(error))
}
