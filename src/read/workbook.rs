//! The workbook the data sheet is read from: our own reader's, for a workbook written the usual
//! way, or calamine's, for every other.

use std::io::{Read, Seek};

use calamine::{Dimensions, Reader as _, SheetType, Xlsx, XlsxCellFormulaMetadataRecord};

use crate::error::Error;
use crate::read::shown::{NumberFormat, classify};
use crate::read::xlsx::{Book, Cells};

/// A workbook whose package passed the checks.
pub(super) trait Workbook {
    /// Whether its dates count from 1904.
    fn is_1904(&self) -> bool;

    /// Its worksheets' names, in order.
    fn worksheets(&self) -> Vec<String>;

    /// The cells of the worksheet `name`. An error says `sheet `name` cannot be read`.
    fn cells<'a>(&'a mut self, name: &str) -> Result<Box<dyn CellSource<'a> + 'a>, Error>;
}

/// A worksheet's cells, in sheet order.
pub(super) trait CellSource<'a> {
    /// The range of cells the sheet declares.
    fn dimensions(&self) -> Dimensions;

    /// The next cell, its value and its formula.
    fn next_cell(&mut self) -> Result<Option<XlsxCellFormulaMetadataRecord<'a>>, Error>;

    /// Per cell format, its number format where it changes what a number shows.
    fn number_formats(&self) -> Vec<Option<NumberFormat>>;

    /// The position and style id of the next cell with a style other than the default.
    fn next_style_id(&mut self) -> Result<Option<(u32, u32, usize)>, Error>;
}

fn damaged(name: &str) -> impl Fn(calamine::XlsxError) -> Error + '_ {
    move |error| Error::corrupt_from(format!("sheet `{name}` cannot be read"), error)
}

impl<R: Read + Seek> Workbook for Xlsx<R> {
    fn is_1904(&self) -> bool {
        self.has_1904_epoch()
    }

    fn worksheets(&self) -> Vec<String> {
        self.sheets_metadata()
            .iter()
            .filter(|sheet| sheet.typ == SheetType::WorkSheet)
            .map(|sheet| sheet.name.clone())
            .collect()
    }

    fn cells<'a>(&'a mut self, name: &str) -> Result<Box<dyn CellSource<'a> + 'a>, Error> {
        let cells = self.worksheet_cells_reader(name).map_err(damaged(name))?;
        Ok(Box::new(CalamineCells {
            cells,
            name: name.to_string(),
        }))
    }
}

struct CalamineCells<'a, R: Read + Seek> {
    cells: calamine::XlsxCellReader<'a, R>,
    name: String,
}

impl<'a, R: Read + Seek> CellSource<'a> for CalamineCells<'a, R> {
    fn dimensions(&self) -> Dimensions {
        self.cells.dimensions()
    }

    fn next_cell(&mut self) -> Result<Option<XlsxCellFormulaMetadataRecord<'a>>, Error> {
        self.cells
            .next_cell_with_formula_metadata()
            .map_err(damaged(&self.name))
    }

    fn number_formats(&self) -> Vec<Option<NumberFormat>> {
        self.cells
            .styles()
            .iter()
            .map(|style| classify(&style.number_format.as_ref()?.format_code))
            .collect()
    }

    fn next_style_id(&mut self) -> Result<Option<(u32, u32, usize)>, Error> {
        self.cells.next_style_id().map_err(damaged(&self.name))
    }
}

impl<R: Read + Seek> Workbook for Book<R> {
    fn is_1904(&self) -> bool {
        Book::is_1904(self)
    }

    fn worksheets(&self) -> Vec<String> {
        Book::worksheets(self)
    }

    fn cells<'a>(&'a mut self, name: &str) -> Result<Box<dyn CellSource<'a> + 'a>, Error> {
        let formats = self.number_formats().to_vec();
        let cells = Book::cells(self, name).map_err(|error| within(name, error))?;
        Ok(Box::new(OwnCells {
            cells,
            formats,
            name: name.to_string(),
        }))
    }
}

/// An error of our reader, said as calamine's are: about the sheet.
fn within(name: &str, error: Error) -> Error {
    match error {
        Error::Corrupt { .. } => {
            Error::corrupt_from(format!("sheet `{name}` cannot be read"), error)
        }
        other => other,
    }
}

struct OwnCells<'a, R: Read> {
    cells: Cells<'a, zip::read::ZipFile<'a, R>>,
    formats: Vec<Option<NumberFormat>>,
    name: String,
}

impl<'a, R: Read + Seek> CellSource<'a> for OwnCells<'a, R> {
    fn dimensions(&self) -> Dimensions {
        self.cells.dimensions()
    }

    fn next_cell(&mut self) -> Result<Option<XlsxCellFormulaMetadataRecord<'a>>, Error> {
        self.cells
            .next_cell()
            .map_err(|error| within(&self.name, error))
    }

    fn number_formats(&self) -> Vec<Option<NumberFormat>> {
        self.formats.clone()
    }

    fn next_style_id(&mut self) -> Result<Option<(u32, u32, usize)>, Error> {
        self.cells
            .next_style_id(self.formats.len())
            .map_err(|error| within(&self.name, error))
    }
}

/// What a workbook gives, as text to compare: its dates, then for every worksheet its declared
/// range, its number formats, every cell (value and formula) and the styled cells.
#[cfg(any(test, feature = "testkit"))]
pub(crate) fn describe(workbook: &mut dyn Workbook) -> String {
    let mut out = format!("1904: {}\n", workbook.is_1904());
    for name in workbook.worksheets() {
        out.push_str(&format!("sheet {name}\n"));
        match workbook.cells(&name) {
            Err(error) => out.push_str(&format!("  cannot open: {}\n", error.code())),
            Ok(mut cells) => {
                out.push_str(&format!(
                    "  dimensions {:?} formats {:?}\n",
                    cells.dimensions(),
                    cells.number_formats()
                ));
                loop {
                    match cells.next_cell() {
                        Ok(Some(cell)) => out.push_str(&format!("  {cell:?}\n")),
                        Ok(None) => break,
                        Err(error) => {
                            out.push_str(&format!("  error {}\n", error.code()));
                            break;
                        }
                    }
                }
            }
        }
        if let Ok(mut cells) = workbook.cells(&name) {
            let mut styles = Vec::new();
            loop {
                match cells.next_style_id() {
                    Ok(Some(style)) => styles.push(style),
                    Ok(None) => break,
                    Err(error) => {
                        out.push_str(&format!("  style error {}\n", error.code()));
                        break;
                    }
                }
            }
            out.push_str(&format!("  styles {styles:?}\n"));
        }
    }
    out
}

/// Reads every worksheet of an `.xlsx` upload with both readers (ours on its short paths and
/// on its general one, and calamine's) and compares what they give, cell by cell: `Ok(true)`
/// when they agree, `Ok(false)` when there is nothing to compare (the package checks refuse
/// the upload, or our reader leaves it to calamine), `Err` with both readings when they differ.
#[cfg(any(test, feature = "testkit"))]
pub(crate) fn compare_readers(bytes: &[u8]) -> Result<bool, String> {
    use std::io::Cursor;

    let limits = crate::read::limits::Limits::default();
    let mut cursor = Cursor::new(bytes);
    if !matches!(
        crate::read::package::detect(&mut cursor),
        Ok(crate::read::package::Format::Xlsx)
    ) {
        return Ok(false);
    }
    let Ok(info) = crate::read::package::inspect(&mut cursor, &limits) else {
        return Ok(false);
    };
    let open = |short_paths| {
        crate::read::xlsx::Book::open_with(
            Cursor::new(bytes),
            &info.unusual,
            limits.max_shared_strings,
            short_paths,
        )
        .filter(|book| book.reads_every_sheet(&info.unusual))
    };
    let (Some(mut ours), Some(mut general)) = (open(true), open(false)) else {
        return Ok(false);
    };
    let ours = describe(&mut ours);
    let general = describe(&mut general);
    let theirs = match calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(mut workbook) => describe(&mut workbook),
        Err(error) => format!("calamine cannot open it: {error}"),
    };
    if ours == theirs && general == theirs {
        Ok(true)
    } else {
        Err(format!(
            "calamine:\n{theirs}\nours:\n{ours}\nours, general path:\n{general}"
        ))
    }
}
