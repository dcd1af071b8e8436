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
