//! The check of an OpenDocument spreadsheet's XML parts before calamine parses them.
//!
//! calamine reads `content.xml` whole into a dense grid per sheet: repeated rows and columns
//! are copied out, each copy with its own text, so a small file can make it allocate without
//! bound (`<text:s text:c="4000000000"/>` alone asks for 4 GB of spaces). This pass reads the
//! part as calamine's XML parser (quick-xml) splits it, follows calamine's own loops over
//! tables, rows and cells, and adds up what calamine will hold: its estimate is held to
//! [`Limits::max_ods_bytes`](crate::Limits::max_ods_bytes). It also refuses what a spreadsheet never has and quick-xml would
//! buffer whole or expand: a DOCTYPE (and with it any entity declaration), a part that is not
//! UTF-8, a tag over [`MAX_TAG`] bytes, elements nested over [`MAX_DEPTH`] deep.

use std::io::Read;

use super::xml::{Attributes, Input, MAX_TAG, attribute, parse_count};
use crate::error::Error;

/// The deepest nesting of elements; quick-xml keeps the name of every open element.
pub(super) const MAX_DEPTH: usize = 256;

/// calamine's rows and columns (those of Excel).
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

/// The smallest heap block the allocator hands out, and its granularity, header included.
const MIN_BLOCK: u64 = 32;
const BLOCK_STEP: u64 = 16;

/// Where the pass is in calamine's loops over `content.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `parse_content`, outside any table.
    Outside,
    /// `read_named_expressions`.
    Names,
    /// `read_table`: between rows.
    Table,
    /// `read_row`: between cells.
    Row,
    /// `get_datatype` reading a text cell's content; `annotation` inside `office:annotation`.
    Text { covered: bool, annotation: bool },
    /// `read_to_end_into` skipping a cell's content: the cell's name and the depth inside it.
    Skip { covered: bool, depth: u32 },
}

/// The row being read.
#[derive(Debug, Default)]
struct RowState {
    /// `table:number-rows-repeated`, as calamine caps it.
    repeats: u64,
    /// Cells calamine has pushed for the row.
    pushed: u64,
    /// Empty cells calamine holds back until a cell follows them.
    pending_empty: u64,
    /// One past the last non-empty cell pushed.
    end: u64,
    /// The heap text of the row's cells, every column repeat counted.
    text: u64,
    /// The text calamine builds for the row's cells before it copies it, briefly held.
    built: u64,
}

/// The cell being read.
#[derive(Debug, Default)]
struct CellState {
    repeats: u64,
    non_empty: bool,
    /// Bytes of the value's text and of the formula's.
    value_text: u64,
    formula_text: u64,
    /// Text read from the content (a text cell), and in how many pieces.
    content: u64,
    pieces: u64,
    paragraphs: u64,
}

/// The table being read.
#[derive(Debug, Default)]
struct TableState {
    /// Rows read, and whether a non-empty one was met.
    xml_rows: u64,
    total_rows: u64,
    seen_non_empty: bool,
    /// Rows (repeats counted) from the first non-empty row on, and up to the last one.
    rows_since_first: u64,
    span: u64,
    /// The widest row's end of non-empty cells.
    width: u64,
    /// Cells pushed, repeats of columns counted, rows not.
    pushed: u64,
    pushed_text: u64,
    /// Text of the grid once rows are repeated.
    grid_text: u64,
    /// The largest text built before it is copied.
    built: u64,
}

/// The pass over one part.
pub(super) struct Scan {
    part: String,
    /// Whether the part is `content.xml`, whose tables are followed.
    content: bool,
    place: Place,
    row: RowState,
    cell: CellState,
    table: TableState,
    /// Names of the open elements' lengths, as quick-xml keeps them.
    open: Vec<u32>,
    /// The longest event quick-xml buffers: a tag, a text run, a comment.
    longest: u64,
    run: u64,
    /// What calamine holds besides the tables: names, styles, open elements.
    bytes: u64,
    /// The most calamine holds while it reads a table.
    reading: u64,
    /// The grids of the tables read, and the largest (the data sheet's is copied out).
    grids: u64,
    largest_grid: u64,
    /// The bytes one cell of the grids takes (a `Data` and a formula `String`).
    cell_bytes: u64,
}

impl Scan {
    pub(super) fn new(part: &str, content: bool) -> Scan {
        Scan {
            part: part.to_string(),
            content,
            place: Place::Outside,
            row: RowState::default(),
            cell: CellState::default(),
            table: TableState::default(),
            open: Vec::new(),
            longest: 0,
            run: 0,
            bytes: 0,
            reading: 0,
            grids: 0,
            largest_grid: 0,
            cell_bytes: (std::mem::size_of::<calamine::Data>() + std::mem::size_of::<String>())
                as u64,
        }
    }

    /// Reads the part; answers the estimate of the memory calamine takes to hold it.
    pub(super) fn run<R: Read>(mut self, part: R) -> Result<u64, Error> {
        let mut input = Input {
            part,
            name: self.part.clone(),
            buf: Vec::with_capacity(256 * 1024),
            pos: 0,
            eof: false,
        };
        input.want(4)?;
        if input.rest().starts_with(b"\xFE\xFF") || input.rest().starts_with(b"\xFF\xFE") {
            return Err(self.damaged("is not UTF-8 text"));
        }
        loop {
            // Text up to the next `<`.
            match memchr::memchr(b'<', input.rest()) {
                None => {
                    self.text(input.rest().len() as u64);
                    input.pos = input.buf.len();
                    if input.eof {
                        break;
                    }
                    input.more()?;
                    continue;
                }
                Some(offset) => {
                    self.text(offset as u64);
                    input.pos += offset;
                }
            }
            self.end_run();
            // Markup at `<`.
            input.want(9)?;
            let rest = input.rest();
            if rest.starts_with(b"<!--") || rest.starts_with(b"<![CDATA[") {
                let close: &[u8] = if rest.starts_with(b"<!--") {
                    b"-->"
                } else {
                    b"]]>"
                };
                match input.skip_past(close)? {
                    Some(length) => self.longest = self.longest.max(length),
                    // quick-xml stops with an error there; calamine goes no further.
                    None => return self.finish(),
                }
                continue;
            }
            if rest.starts_with(b"<!") {
                return Err(self.damaged(
                    "has a DOCTYPE or another declaration, which a spreadsheet never has",
                ));
            }
            let is_pi = rest.starts_with(b"<?");
            let is_end = rest.starts_with(b"</");
            let Some(end) = input.tag_end(!is_pi && !is_end, is_pi)? else {
                if input.buf.len() - input.pos > MAX_TAG {
                    return Err(self.damaged(&format!("has a tag longer than {MAX_TAG} bytes")));
                }
                return self.finish();
            };
            if end - input.pos > MAX_TAG {
                return Err(self.damaged(&format!("has a tag longer than {MAX_TAG} bytes")));
            }
            self.longest = self.longest.max((end + 1 - input.pos) as u64);
            let tag = &input.buf[input.pos + 1..end];
            if is_pi {
                if tag.starts_with(b"?xml") {
                    self.check_declaration(tag)?;
                }
            } else if is_end {
                self.end(tag[1..].trim_ascii_end());
            } else {
                let (tag, empty) = match tag.strip_suffix(b"/") {
                    Some(tag) => (tag, true),
                    None => (tag, false),
                };
                let name_len = tag
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .unwrap_or(tag.len());
                let (name, attributes) = tag.split_at(name_len);
                self.start(name, attributes)?;
                if empty {
                    self.end(name);
                }
            }
            input.pos = end + 1;
        }
        self.end_run();
        self.finish()
    }

    fn finish(mut self) -> Result<u64, Error> {
        self.end_run();
        if self.place != Place::Outside {
            self.end_table();
        }
        // The most of: reading a table, or every grid with a copy of the data sheet's; besides,
        // quick-xml's event buffer (grown by doubling) and the rest.
        let tables = self
            .reading
            .max(self.grids.saturating_add(self.largest_grid));
        Ok(tables
            .saturating_add(self.bytes)
            .saturating_add(2 * self.longest))
    }

    fn damaged(&self, what: &str) -> Error {
        Error::corrupt(format!("part `{}` {what}", self.part))
    }

    /// The XML declaration: a part in another encoding than UTF-8 is refused.
    fn check_declaration(&self, declaration: &[u8]) -> Result<(), Error> {
        let text = String::from_utf8_lossy(declaration).to_ascii_lowercase();
        let Some(at) = text.find("encoding") else {
            return Ok(());
        };
        let value: String = text[at + "encoding".len()..]
            .trim_start_matches(|c: char| c == '=' || c.is_ascii_whitespace())
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| !matches!(c, '"' | '\''))
            .collect();
        if value == "utf-8" || value == "utf8" {
            Ok(())
        } else {
            Err(self.damaged(&format!(
                "declares the encoding `{}`; an OpenDocument part is UTF-8",
                crate::issue::shown(&value)
            )))
        }
    }

    fn add(&mut self, bytes: u64) {
        self.bytes = self.bytes.saturating_add(bytes);
    }

    /// What a heap text of `len` bytes costs: the allocator's block, its header included.
    fn text_cost(len: u64) -> u64 {
        if len == 0 {
            0
        } else {
            len.saturating_add(8)
                .div_ceil(BLOCK_STEP)
                .saturating_mul(BLOCK_STEP)
                .max(MIN_BLOCK)
        }
    }

    fn text(&mut self, len: u64) {
        if len == 0 {
            return;
        }
        self.run = self.run.saturating_add(len);
        if let Place::Text {
            annotation: false, ..
        } = self.place
        {
            self.cell.content = self.cell.content.saturating_add(len);
            self.cell.pieces += 1;
        }
    }

    fn end_run(&mut self) {
        self.longest = self.longest.max(self.run);
        self.run = 0;
    }

    fn start(&mut self, name: &[u8], attributes: &[u8]) -> Result<(), Error> {
        self.open.push(name.len() as u32);
        if self.open.len() > MAX_DEPTH {
            return Err(self.damaged(&format!("nests elements more than {MAX_DEPTH} deep")));
        }
        self.add(name.len() as u64 + 8);
        if !self.content {
            return Ok(());
        }
        match self.place {
            Place::Outside => match name {
                b"table:table" => {
                    if let Some(sheet) = attribute(attributes, b"table:name")? {
                        self.add(2 * Self::text_cost(sheet.len() as u64) + 64);
                        self.table = TableState::default();
                        self.place = Place::Table;
                    }
                }
                b"table:named-expressions" => self.place = Place::Names,
                b"style:style" | b"style:table-properties" => self.add(128),
                _ => {}
            },
            Place::Names => {
                if matches!(name, b"table:named-range" | b"table:named-expression") {
                    let mut bytes = 48;
                    for pair in Attributes::new(attributes) {
                        let (_, value) = pair.map_err(|what| self.damaged(what))?;
                        bytes += Self::text_cost(value.len() as u64);
                    }
                    self.add(bytes);
                }
            }
            Place::Table => {
                if name == b"table:table-row" {
                    let repeats = attribute(attributes, b"table:number-rows-repeated")?
                        .map_or(1, parse_count);
                    let remaining = MAX_ROWS.saturating_sub(self.table.total_rows);
                    let repeats = repeats.min(remaining);
                    self.table.total_rows += repeats;
                    self.table.xml_rows += 1;
                    self.row = RowState {
                        repeats,
                        ..RowState::default()
                    };
                    self.place = Place::Row;
                }
            }
            Place::Row => {
                let covered = match name {
                    b"table:table-cell" => false,
                    b"table:covered-table-cell" => true,
                    // calamine stops with an error.
                    _ => return Ok(()),
                };
                self.cell_start(covered, attributes)?;
            }
            Place::Text {
                covered,
                annotation,
            } => {
                if annotation {
                    return Ok(());
                }
                match name {
                    b"office:annotation" => {
                        self.place = Place::Text {
                            covered,
                            annotation: true,
                        }
                    }
                    b"text:p" => self.cell.paragraphs += 1,
                    b"text:s" => {
                        let count = attribute(attributes, b"text:c")?.map_or(1, parse_count);
                        self.cell.content = self.cell.content.saturating_add(count);
                        self.cell.pieces += 1;
                    }
                    b"text:tab" | b"text:line-break" => {
                        self.cell.content += 1;
                        self.cell.pieces += 1;
                    }
                    _ => {}
                }
            }
            Place::Skip { covered, depth } => {
                if name == cell_name(covered) {
                    self.place = Place::Skip {
                        covered,
                        depth: depth + 1,
                    };
                }
            }
        }
        Ok(())
    }

    fn end(&mut self, name: &[u8]) {
        self.open.pop();
        if !self.content {
            return;
        }
        match self.place {
            Place::Outside => {}
            Place::Names => {
                if name == b"table:named-expressions" {
                    self.place = Place::Outside;
                }
            }
            Place::Table => {
                if name == b"table:table" {
                    self.end_table();
                    self.place = Place::Outside;
                }
            }
            Place::Row => {
                if name == b"table:table-row" {
                    self.end_row();
                    self.place = Place::Table;
                }
            }
            Place::Text {
                covered,
                annotation: true,
            } => {
                if name == b"office:annotation" {
                    self.place = Place::Text {
                        covered,
                        annotation: false,
                    };
                }
            }
            Place::Text { .. } => {
                if matches!(name, b"table:table-cell" | b"table:covered-table-cell") {
                    self.end_cell();
                    self.place = Place::Row;
                }
            }
            Place::Skip { covered, depth } => {
                if name == cell_name(covered) {
                    if depth == 0 {
                        self.end_cell();
                        self.place = Place::Row;
                    } else {
                        self.place = Place::Skip {
                            covered,
                            depth: depth - 1,
                        };
                    }
                }
            }
        }
    }

    /// A cell's start tag, read as calamine's `get_datatype` reads it.
    fn cell_start(&mut self, covered: bool, attributes: &[u8]) -> Result<(), Error> {
        let mut cell = CellState {
            repeats: 1,
            ..CellState::default()
        };
        let mut value_set = false;
        let mut is_string = false;
        let mut is_error = false;
        let mut empty_string_value = false;
        let mut repeats_seen = false;
        for pair in Attributes::new(attributes) {
            let (key, value) = pair.map_err(|what| self.damaged(what))?;
            match key {
                b"table:number-columns-repeated" if !repeats_seen => {
                    repeats_seen = true;
                    cell.repeats = parse_count(value);
                }
                b"office:value" | b"office:boolean-value" if !value_set => value_set = true,
                b"office:string-value" | b"office:date-value" | b"office:time-value"
                    if !value_set =>
                {
                    value_set = true;
                    cell.value_text = value.len() as u64;
                    empty_string_value = key == b"office:string-value" && value.is_empty();
                }
                b"office:value-type" if !value_set => is_string = value == b"string",
                b"calcext:value-type" => is_error = value == b"error",
                b"table:formula" => cell.formula_text = value.len() as u64,
                _ => {}
            }
        }
        cell.non_empty = value_set || is_string || cell.formula_text > 0;
        let reads_text = (!value_set && is_string) || (is_error && empty_string_value);
        self.cell = cell;
        self.place = if reads_text {
            Place::Text {
                covered,
                annotation: false,
            }
        } else {
            Place::Skip { covered, depth: 0 }
        };
        Ok(())
    }

    /// calamine's `read_row` pushing a cell's copies (or holding back empty ones).
    fn end_cell(&mut self) {
        let cell = std::mem::take(&mut self.cell);
        let row = &mut self.row;
        let room = MAX_COLUMNS.saturating_sub(row.pushed);
        row.pushed += row.pending_empty.min(room);
        row.pending_empty = 0;
        let copies = cell.repeats.min(MAX_COLUMNS.saturating_sub(row.pushed));
        if !cell.non_empty {
            row.pending_empty = copies;
            return;
        }
        let text = cell
            .content
            .saturating_add(cell.paragraphs.saturating_sub(1))
            .max(cell.value_text);
        // The text is built by pushing its pieces (its block up to twice its length when
        // there are several), then cloned for every copy.
        let built = if cell.pieces > 1 {
            text.saturating_mul(2)
        } else {
            text
        };
        let one = Self::text_cost(text).saturating_add(Self::text_cost(cell.formula_text));
        row.pushed += copies;
        row.end = row.pushed;
        row.text = row.text.saturating_add(one.saturating_mul(copies));
        row.built = row.built.max(Self::text_cost(built));
    }

    /// calamine's `read_table` taking a row: its cells stay as pushed, once, until the table
    /// ends; then the grid repeats it.
    fn end_row(&mut self) {
        let row = std::mem::take(&mut self.row);
        let table = &mut self.table;
        table.pushed = table.pushed.saturating_add(row.pushed);
        table.pushed_text = table.pushed_text.saturating_add(row.text);
        table.built = table.built.max(row.built);
        let non_empty = row.end > 0;
        if non_empty || table.seen_non_empty {
            table.seen_non_empty = true;
            table.rows_since_first = table.rows_since_first.saturating_add(row.repeats);
        }
        if non_empty {
            table.span = table.rows_since_first;
            table.width = table.width.max(row.end);
            table.grid_text = table
                .grid_text
                .saturating_add(row.text.saturating_mul(row.repeats));
        }
    }

    /// calamine's `get_range` for the data and the formulas: a dense grid of the used area
    /// built from the cells as pushed (both held while it is built), each row's text copied for
    /// every repeat; then one copy of the data sheet's grids handed out.
    fn end_table(&mut self) {
        let table = std::mem::take(&mut self.table);
        let grid = table
            .span
            .saturating_mul(table.width)
            .saturating_mul(self.cell_bytes)
            .saturating_add(table.grid_text);
        // While the table is read: the grids of the tables before it, its rows as pushed and
        // its grid being built.
        let reading = self
            .grids
            .saturating_add(table.xml_rows.saturating_mul(16))
            .saturating_add(table.pushed.saturating_mul(self.cell_bytes))
            .saturating_add(table.pushed_text)
            .saturating_add(table.built)
            .saturating_add(grid);
        self.reading = self.reading.max(reading);
        self.grids = self.grids.saturating_add(grid);
        self.largest_grid = self.largest_grid.max(grid);
    }
}

fn cell_name(covered: bool) -> &'static [u8] {
    if covered {
        b"table:covered-table-cell"
    } else {
        b"table:table-cell"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(xml: &str) -> Result<u64, String> {
        Scan::new("content.xml", true)
            .run(xml.as_bytes())
            .map_err(|error| error.to_string())
    }

    fn table(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content><office:body><office:spreadsheet><table:table table:name="Users">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    #[test]
    fn trailing_repeated_empty_rows_cost_nothing() {
        let one = table(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row>"#,
        );
        let trailing = table(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
        );
        let (one, trailing) = (estimate(&one).unwrap(), estimate(&trailing).unwrap());
        assert!(trailing < one + 1024, "{one} then {trailing}");
    }

    #[test]
    fn repeated_empty_rows_between_values_are_counted() {
        let xml = table(
            r#"<table:table-row><table:table-cell office:value="1"/></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row><table:table-row><table:table-cell office:value="1"/></table:table-row>"#,
        );
        assert!(estimate(&xml).unwrap() > 1_000_000 * 100);
    }

    #[test]
    fn repeated_spaces_and_columns_are_counted() {
        let spaces = table(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#,
        );
        assert!(estimate(&spaces).unwrap() > 4_000_000_000);
        let columns = table(
            r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>0123456789</text:p></table:table-cell></table:table-row>"#,
        );
        assert!(estimate(&columns).unwrap() > 16_384 * 1000 * 100);
    }

    #[test]
    fn doctype_and_other_encodings_are_refused() {
        let doctype = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>"#;
        assert!(estimate(doctype).unwrap_err().contains("DOCTYPE"));
        let latin = r#"<?xml version="1.0" encoding="ISO-8859-1"?><x/>"#;
        assert!(estimate(latin).unwrap_err().contains("`iso-8859-1`"));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(estimate(&deep).unwrap_err().contains("deep"));
    }

    #[test]
    fn markup_inside_comments_and_attribute_values_is_not_read() {
        let hidden = table(
            r#"<!-- <table:table-row table:number-rows-repeated="1000000"> --><table:table-row><table:table-cell office:value-type="string" office:string-value="a>b"/></table:table-row>"#,
        );
        assert!(estimate(&hidden).unwrap() < 10_000);
    }
}
