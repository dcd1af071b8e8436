//! A worksheet's cells, streamed in sheet order as calamine's cell reader gives them (with
//! their formulas), from a part written the usual way.

use std::io::Read;

use calamine::{
    CellErrorType, DataRef, Dimensions, ExcelDateTime, ExcelDateTimeType,
    XlsxCellFormulaMetadataRecord, XlsxFormulaMetadata,
};

use crate::error::Error;
use crate::read::package::{parse_cell_reference, parse_row};
use crate::read::xlsx::parts::{self, DateKind, Strings, attribute, parse_index};
pub(crate) use crate::read::xlsx::xml::Xml;
use crate::read::xlsx::xml::{Event, PlainCell, Span, decode, unescape_excel};

/// The cells of one worksheet.
pub(crate) struct Cells<'a, R> {
    xml: Xml<R>,
    strings: &'a Strings,
    kinds: &'a [DateKind],
    is_1904: bool,
    dimensions: Dimensions,
    /// The row and column a cell without a reference is at.
    row: u32,
    column: u32,
    /// The text of a value that may hold entities.
    value: String,
}

impl<'a, R: Read> Cells<'a, R> {
    /// Reads the part up to its `<sheetData>`.
    pub(crate) fn new(
        mut xml: Xml<R>,
        strings: &'a Strings,
        kinds: &'a [DateKind],
        is_1904: bool,
    ) -> Result<Cells<'a, R>, Error> {
        let mut dimensions = Dimensions::default();
        let mut first: Option<String> = None;
        loop {
            match xml.next()? {
                Event::Start { name, attributes } if xml.bytes(name) == b"dimension" => {
                    let Some(Some(range)) = attribute(xml.bytes(attributes), b"ref") else {
                        return Err(xml.damaged("has a `<dimension>` without a `ref`"));
                    };
                    dimensions = dimension(range).ok_or_else(|| {
                        xml.damaged(&format!(
                            "has the dimension `{}`, which is not a range of cells",
                            String::from_utf8_lossy(range)
                        ))
                    })?;
                }
                Event::Start { name, .. } if xml.bytes(name) == b"sheetData" => break,
                Event::Start { name, .. } if first.is_none() => {
                    first = Some(String::from_utf8_lossy(xml.bytes(name)).into_owned());
                }
                Event::Eof => {
                    return Err(match first {
                        Some(kind) => xml.damaged(&format!("is a `{kind}`, not a worksheet")),
                        None => xml.ends_inside(b"worksheet"),
                    });
                }
                _ => {}
            }
        }
        Ok(Cells {
            xml,
            strings,
            kinds,
            is_1904,
            dimensions,
            row: 0,
            column: 0,
            value: String::new(),
        })
    }

    pub(crate) fn dimensions(&self) -> Dimensions {
        self.dimensions
    }

    /// The next cell, with its value and its formula.
    pub(crate) fn next_cell(&mut self) -> Result<Option<XlsxCellFormulaMetadataRecord<'a>>, Error> {
        self.next_with(true)
            .map(|cell| cell.map(|(record, _)| record))
    }

    /// The position and style id of the next cell whose style id is not 0 and is below
    /// `styles`, as calamine's `next_style_id` gives them.
    pub(crate) fn next_style_id(
        &mut self,
        styles: usize,
    ) -> Result<Option<(u32, u32, usize)>, Error> {
        loop {
            let Some((record, style)) = self.next_with(false)? else {
                return Ok(None);
            };
            if style > 0 && style < styles {
                return Ok(Some((record.pos.0, record.pos.1, style)));
            }
        }
    }

    /// The next cell and its style id; without `values`, its value and formula are skipped.
    fn next_with(
        &mut self,
        values: bool,
    ) -> Result<Option<(XlsxCellFormulaMetadataRecord<'a>, usize)>, Error> {
        loop {
            if values && let Some(cell) = self.xml.plain_cell() {
                return self.plain_cell(&cell).map(Some);
            }
            match self.xml.next()? {
                Event::Start { name, attributes } if self.xml.bytes(name) == b"row" => {
                    let Some(found) = attribute(self.xml.bytes(attributes), b"r") else {
                        return Err(self.xml.damaged("has a `<row>` with a malformed attribute"));
                    };
                    if let Some(found) = found {
                        self.row = row_number(found).ok_or_else(|| {
                            self.xml.damaged(&format!(
                                "has the row number `{}`, which is not a number of Excel's rows",
                                String::from_utf8_lossy(found)
                            ))
                        })?;
                    }
                }
                Event::End { name } if self.xml.bytes(name) == b"row" => {
                    self.row = self.row.saturating_add(1);
                    self.column = 0;
                }
                Event::Start { name, attributes } if self.xml.bytes(name) == b"c" => {
                    let (pos, style_id, kind, format) = self.cell_start(attributes)?;
                    if values
                        && kind.is_plain()
                        && let Some(span) = self.xml.plain_value()
                    {
                        // `<v></v>` is empty whatever the type, as its end follows its start.
                        let value = self.plain_value(self.xml.bytes(span), &kind, format)?;
                        self.column = self.column.saturating_add(1);
                        return Ok(Some((
                            XlsxCellFormulaMetadataRecord {
                                pos,
                                value,
                                formula: None,
                            },
                            style_id,
                        )));
                    }
                    let mut value = DataRef::Empty;
                    let mut formula = None;
                    loop {
                        match self.xml.next()? {
                            Event::Start { name, attributes } if values => {
                                let element = match self.xml.bytes(name) {
                                    b"f" => {
                                        let attributes = self.xml.bytes(attributes).to_vec();
                                        formula = Some(self.formula(&attributes)?);
                                        continue;
                                    }
                                    b"v" => Element::V,
                                    b"is" => Element::Is,
                                    other => {
                                        Element::Other(String::from_utf8_lossy(other).into_owned())
                                    }
                                };
                                value = self.value(element, &kind, format)?;
                            }
                            Event::End { name } if self.xml.bytes(name) == b"c" => break,
                            Event::Eof => return Err(self.xml.ends_inside(b"c")),
                            _ => {}
                        }
                    }
                    self.column = self.column.saturating_add(1);
                    return Ok(Some((
                        XlsxCellFormulaMetadataRecord {
                            pos,
                            value,
                            formula,
                        },
                        style_id,
                    )));
                }
                Event::End { name } if self.xml.bytes(name) == b"sheetData" => return Ok(None),
                Event::Eof => return Err(self.xml.ends_inside(b"sheetData")),
                _ => {}
            }
        }
    }

    /// A cell written the usual way, as the general path reads it, and its style id.
    fn plain_cell(
        &mut self,
        cell: &PlainCell,
    ) -> Result<(XlsxCellFormulaMetadataRecord<'a>, usize), Error> {
        let (pos, style_id, kind, format) = self.cell_of(
            Some(self.xml.bytes(cell.reference)),
            cell.style.map(|span| self.xml.bytes(span)),
            cell.kind.map(|span| self.xml.bytes(span)),
        )?;
        self.column = pos.1.saturating_add(1);
        let text = self.xml.bytes(cell.text);
        let value = if kind.is_plain() {
            // `<v></v>` is empty whatever the type, as its end follows its start.
            self.plain_value(text, &kind, format)?
        } else if kind == Kind::Inline {
            // An inline string's `<v>` is read past, as calamine reads past it.
            DataRef::Empty
        } else {
            let mut decoded = String::new();
            decode(text, &mut decoded).map_err(|what| self.xml.damaged(what))?;
            self.typed_text(&kind, decoded)?
        };
        Ok((
            XlsxCellFormulaMetadataRecord {
                pos,
                value,
                formula: None,
            },
            style_id,
        ))
    }

    /// A cell's position, style id, type and date kind, from its `<c>` tag.
    fn cell_start(&mut self, attributes: Span) -> Result<CellStart, Error> {
        let raw = self.xml.bytes(attributes);
        let Some([reference, style, kind]) = parts::pick(raw, ["r", "s", "t"]) else {
            return Err(self.xml.damaged("has a `<c>` with a malformed attribute"));
        };
        let start = self.cell_of(reference, style, kind)?;
        self.column = start.0.1;
        Ok(start)
    }

    /// A cell's position (where the reader is when it has no reference), style id, type and
    /// date kind, from its attributes.
    fn cell_of(
        &self,
        reference: Option<&[u8]>,
        style: Option<&[u8]>,
        kind: Option<&[u8]>,
    ) -> Result<CellStart, Error> {
        let pos = match reference {
            Some(reference) => parse_cell_reference(reference).ok_or_else(|| {
                self.xml.damaged(&format!(
                    "has the cell reference `{}`, outside Excel's grid",
                    String::from_utf8_lossy(reference)
                ))
            })?,
            None => (self.row, self.column),
        };
        let style_id = style.and_then(parse_index).unwrap_or(0);
        let format = match style {
            Some(_) => self.kinds.get(style_id).copied(),
            None => Some(DateKind::Other),
        };
        Ok((pos, style_id, Kind::of(kind), format))
    }

    /// The value of a cell of a type whose value is text (`d`, `str`), from its text with
    /// entities decoded; none for an inline string's `<v>`.
    fn typed_text(&self, kind: &Kind, text: String) -> Result<DataRef<'a>, Error> {
        match kind {
            Kind::Date => Ok(DataRef::DateTimeIso(text)),
            Kind::Text => Ok(DataRef::String(unescape_excel(&text).into_owned())),
            Kind::Other(other) => Err(self
                .xml
                .damaged(&format!("has a cell of the unknown type `{other}`"))),
            _ => Ok(DataRef::Empty),
        }
    }

    /// The value of an element of a cell (`<v>` or `<is>`), whose start was just read.
    fn value(
        &mut self,
        element: Element,
        kind: &Kind,
        format: Option<DateKind>,
    ) -> Result<DataRef<'a>, Error> {
        match element {
            Element::Is => {
                self.value.clear();
                parts::string_item(&mut self.xml, b"is", &mut self.value)?;
                Ok(DataRef::String(self.value.clone()))
            }
            Element::V if *kind == Kind::Inline => {
                self.xml.skip_to_end(b"v")?;
                Ok(DataRef::Empty)
            }
            Element::V if kind.is_plain() => {
                // Plain ASCII values: read from the raw text, as calamine reads them.
                let value = match self.xml.next()? {
                    Event::Text(span) => self.plain_value(self.xml.bytes(span), kind, format)?,
                    Event::End { name } if self.xml.bytes(name) == b"v" => {
                        return Ok(DataRef::Empty);
                    }
                    Event::Eof => return Err(self.xml.ends_inside(b"v")),
                    _ => DataRef::Empty,
                };
                self.xml.skip_to_end(b"v")?;
                Ok(value)
            }
            Element::V => {
                let mut text = String::new();
                self.xml.read_text(b"v", &mut text)?;
                self.typed_text(kind, text)
            }
            Element::Other(other) => Err(self.xml.damaged(&format!(
                "has a `<{other}>` inside a cell, where only `<v>`, `<f>` or `<is>` can be"
            ))),
        }
    }

    /// A value of a number, shared string, boolean or error cell.
    fn plain_value(
        &self,
        raw: &[u8],
        kind: &Kind,
        format: Option<DateKind>,
    ) -> Result<DataRef<'a>, Error> {
        // calamine reads the text up to its first entity, the first event of the value: none
        // when it starts with one.
        let raw = match raw.iter().position(|&byte| byte == b'&') {
            Some(at) => &raw[..at],
            None => raw,
        };
        if raw.is_empty() {
            return Ok(DataRef::Empty);
        }
        if *kind == Kind::Shared {
            // Most cells: an index, read from the bytes.
            let index = parse_index(raw).unwrap_or(0);
            return self
                .strings
                .get(index)
                .map(DataRef::SharedString)
                .ok_or_else(|| {
                    self.xml.damaged(&format!(
                        "has a cell that names the shared string {index}, of {}",
                        self.strings.len()
                    ))
                });
        }
        let text = std::str::from_utf8(raw)
            .map_err(|_| self.xml.damaged("has a value that is not UTF-8"))?;
        match kind {
            Kind::Bool => {
                let value = text.trim();
                if value.is_empty() {
                    Ok(DataRef::Empty)
                } else if value == "0" || value.eq_ignore_ascii_case("false") {
                    Ok(DataRef::Bool(false))
                } else if value == "1" || value.eq_ignore_ascii_case("true") {
                    Ok(DataRef::Bool(true))
                } else {
                    Err(self.xml.damaged(&format!(
                        "has the boolean cell value `{text}`, which is neither 0 nor 1"
                    )))
                }
            }
            Kind::Error => text
                .parse::<CellErrorType>()
                .map(DataRef::Error)
                .map_err(|_| {
                    self.xml
                        .damaged(&format!("has the unknown error value `{text}`"))
                }),
            _ => {
                if text.is_empty() {
                    return Ok(DataRef::Empty);
                }
                match text.parse::<f64>() {
                    Ok(number) => Ok(match format {
                        Some(DateKind::DateTime) => DataRef::DateTime(ExcelDateTime::new(
                            number,
                            ExcelDateTimeType::DateTime,
                            self.is_1904,
                        )),
                        Some(DateKind::Duration) => DataRef::DateTime(ExcelDateTime::new(
                            number,
                            ExcelDateTimeType::TimeDelta,
                            self.is_1904,
                        )),
                        _ => DataRef::Float(number),
                    }),
                    Err(_) if *kind == Kind::None => Ok(DataRef::String(text.to_string())),
                    Err(_) => Err(self.xml.damaged(&format!(
                        "has the number cell value `{text}`, which is not a number"
                    ))),
                }
            }
        }
    }

    /// A cell's formula, from its `<f>` (whose start was just read, with `attributes`).
    fn formula(&mut self, attributes: &[u8]) -> Result<XlsxFormulaMetadata, Error> {
        let mut formula = String::new();
        self.xml.read_text(b"f", &mut formula)?;
        let Some([kind, index, range]) = parts::pick(attributes, ["t", "si", "ref"]) else {
            return Err(self.xml.damaged("has an `<f>` with a malformed attribute"));
        };
        if kind != Some(b"shared") {
            return Ok(XlsxFormulaMetadata::Normal { formula });
        }
        let shared_index = index.and_then(parse_index).ok_or_else(|| {
            self.xml
                .damaged("has a shared formula without a number in its `si`")
        })?;
        Ok(match range {
            Some(range) => XlsxFormulaMetadata::Shared {
                shared_index,
                range: Some(dimension(range).ok_or_else(|| {
                    self.xml.damaged(&format!(
                        "has a shared formula over `{}`, which is not a range of cells",
                        String::from_utf8_lossy(range)
                    ))
                })?),
                formula,
            },
            None => XlsxFormulaMetadata::SharedDerived { shared_index },
        })
    }
}

/// What a cell's tag says: its position, its style id, its type and what its format makes
/// of a number.
type CellStart = ((u32, u32), usize, Kind, Option<DateKind>);

/// An element inside a cell.
enum Element {
    V,
    Is,
    Other(String),
}

/// A cell's type (`t`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// No `t`.
    None,
    Number,
    Shared,
    Bool,
    Error,
    Date,
    Text,
    /// `inlineStr` (or `is`): the value is in `<is>`.
    Inline,
    Other(String),
}

impl Kind {
    /// A type whose `<v>` calamine reads from its raw text: a number, a shared string's
    /// index, a boolean, an error.
    fn is_plain(&self) -> bool {
        matches!(
            self,
            Kind::Number | Kind::Shared | Kind::Bool | Kind::Error | Kind::None
        )
    }

    fn of(value: Option<&[u8]>) -> Kind {
        match value {
            None => Kind::None,
            Some(b"n") => Kind::Number,
            Some(b"s") => Kind::Shared,
            Some(b"b") => Kind::Bool,
            Some(b"e") => Kind::Error,
            Some(b"d") => Kind::Date,
            Some(b"str") => Kind::Text,
            Some(b"inlineStr" | b"is") => Kind::Inline,
            Some(other) => Kind::Other(String::from_utf8_lossy(other).into_owned()),
        }
    }
}

/// A row number (`<row r="…">`), from 0: its digits, after any letters, as calamine reads it.
fn row_number(value: &[u8]) -> Option<u32> {
    let digits = value.iter().position(u8::is_ascii_digit)?;
    if !value[..digits].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    parse_row(&value[digits..])
}

/// A range (`A1:C3`) or a single cell, both ends inside Excel's grid.
fn dimension(value: &[u8]) -> Option<Dimensions> {
    let mut parts = value.split(|&b| b == b':');
    let start = parse_cell_reference(parts.next()?)?;
    let end = match parts.next() {
        Some(end) => parse_cell_reference(end)?,
        None => start,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Dimensions { start, end })
}
