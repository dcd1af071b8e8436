//! Reading a text upload (CSV, TSV, Excel's "Unicode Text") into the same rows as a sheet.
//!
//! The encoding is found from the bytes: a UTF-8 or UTF-16 byte-order mark, else UTF-8 when
//! every byte is, else Windows-1252 (Excel's "CSV" for Western languages), said in a warning.
//! The delimiter is the one among `,` `;` tab `|` that the header line has most of. Records are
//! split by `csv-core` (the `csv` crate's parser, which allocates nothing itself): quoted values,
//! doubled quotes and line breaks inside quotes. A record is one row, whatever the line breaks
//! inside its quotes; a blank line is a blank row, so the rows are numbered as a spreadsheet
//! shows the file. A value that starts with `=` is a formula to a spreadsheet, and is refused
//! as a formula cell is.
//!
//! Everything is read in chunks: the file size, the length of a row, the number of values in a
//! row and the number of rows are checked as they are read, so memory stays bounded whatever
//! the file holds.

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};

use csv_core::{ReadRecordResult, Reader as Parser, ReaderBuilder, Terminator};
use encoding_rs::{Decoder, DecoderResult};

use crate::error::{Error, Limit, NotText};
use crate::issue::{Issue, IssueCode};
use crate::read::grid::Grid;
use crate::read::package::{MAX_GRID_COLUMNS, MAX_GRID_ROWS};
use crate::{CellValue, Limits, RowSink, Schema};

/// Bytes read from the upload at a time.
const CHUNK: usize = 64 * 1024;

/// The delimiters looked for, in the order a tie is settled.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The encoding a text upload is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// Reads a text upload into `sink`, as [`crate::read_rows`] reads a workbook's data sheet; the
/// sheet is named as the schema's data sheet. Returns the number of non-blank data rows.
///
/// # Errors
///
/// Over a limit, not text ([`Error::NotText`]), a quote never closed
/// ([`Error::UnclosedQuote`]), and the header row's errors.
pub(crate) fn read_rows<R: Read + Seek>(
    mut source: R,
    schema: &Schema,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<u32, Error> {
    let size = source.seek(SeekFrom::End(0)).map_err(unreadable)?;
    if size > limits.max_file_bytes {
        return Err(Error::LimitExceeded {
            what: Limit::FileSize,
            value: size,
            limit: limits.max_file_bytes,
        });
    }
    let (encoding, bom) = encoding_of(&mut source)?;
    source.seek(SeekFrom::Start(bom)).map_err(unreadable)?;
    let mut grid = Grid::new(schema, limits, schema.sheet_name().to_string(), sink);
    if encoding == TextEncoding::Windows1252 {
        grid.sink()
            .warning(Issue::new(IssueCode::EncodingAssumed).arg("encoding", "Windows-1252"));
    }
    let mut records = Records::new(Text::new(source, encoding), limits)?;
    records.run(&mut grid)?;
    grid.finish()
}

fn unreadable(error: std::io::Error) -> Error {
    Error::corrupt_from("the upload could not be read", error)
}

/// The encoding of the text and the length of its byte-order mark. Without a mark, the whole
/// upload is checked for UTF-8 (in chunks) before it is read.
fn encoding_of<R: Read + Seek>(source: &mut R) -> Result<(TextEncoding, u64), Error> {
    source.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut head = Vec::with_capacity(3);
    source
        .by_ref()
        .take(3)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok((TextEncoding::Utf8, 3));
    }
    if head.starts_with(b"\xFF\xFE") {
        return Ok((TextEncoding::Utf16Le, 2));
    }
    if head.starts_with(b"\xFE\xFF") {
        return Ok((TextEncoding::Utf16Be, 2));
    }
    source.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut buf = vec![0u8; CHUNK + 4];
    // buf[..carry] holds the start of a character cut by the previous chunk.
    let mut carry = 0;
    loop {
        let read = source.read(&mut buf[carry..]).map_err(unreadable)?;
        if read == 0 {
            let encoding = if carry == 0 {
                TextEncoding::Utf8
            } else {
                TextEncoding::Windows1252
            };
            return Ok((encoding, 0));
        }
        let filled = carry + read;
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            Err(error) if error.error_len().is_some() => return Ok((TextEncoding::Windows1252, 0)),
            Err(error) => {
                let valid = error.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
        }
    }
}

/// The upload's text, decoded to UTF-8 a chunk at a time.
struct Text<R> {
    source: R,
    /// `None` for UTF-8, which is passed through as read.
    decoder: Option<Decoder>,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    /// The source has no more bytes.
    source_done: bool,
    /// The decoder has handed out its last text.
    done: bool,
    /// Line ends in the text handed out so far.
    lines: u64,
}

impl<R: Read> Text<R> {
    fn new(source: R, encoding: TextEncoding) -> Text<R> {
        let decoder = match encoding {
            TextEncoding::Utf8 => None,
            TextEncoding::Utf16Le => Some(encoding_rs::UTF_16LE.new_decoder_without_bom_handling()),
            TextEncoding::Utf16Be => Some(encoding_rs::UTF_16BE.new_decoder_without_bom_handling()),
            TextEncoding::Windows1252 => {
                Some(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling())
            }
        };
        Text {
            source,
            decoder,
            raw: vec![0; CHUNK],
            raw_start: 0,
            raw_end: 0,
            source_done: false,
            done: false,
            lines: 0,
        }
    }

    /// Appends the next text to `out`; false once there is no more.
    fn fill(&mut self, out: &mut Vec<u8>) -> Result<bool, Error> {
        if self.done {
            return Ok(false);
        }
        let start = out.len();
        let Some(decoder) = &mut self.decoder else {
            out.resize(start + CHUNK, 0);
            let read = self.source.read(&mut out[start..]).map_err(unreadable)?;
            out.truncate(start + read);
            if read == 0 {
                self.done = true;
                return Ok(false);
            }
            return self.check(out, start).map(|()| true);
        };
        loop {
            if self.raw_start == self.raw_end && !self.source_done {
                let read = self.source.read(&mut self.raw).map_err(unreadable)?;
                self.raw_start = 0;
                self.raw_end = read;
                self.source_done = read == 0;
            }
            let input = &self.raw[self.raw_start..self.raw_end];
            let room = decoder
                .max_utf8_buffer_length_without_replacement(input.len())
                .unwrap_or(3 * CHUNK)
                .max(16);
            let written_before = out.len();
            out.resize(written_before + room, 0);
            let (result, read, written) = decoder.decode_to_utf8_without_replacement(
                input,
                &mut out[written_before..],
                self.source_done,
            );
            out.truncate(written_before + written);
            self.raw_start += read;
            match result {
                DecoderResult::Malformed(_, _) => {
                    let lines = memchr::memchr_iter(b'\n', &out[start..]).count() as u64;
                    return Err(Error::NotText {
                        line: self.lines + lines + 1,
                        what: NotText::Utf16,
                    });
                }
                DecoderResult::InputEmpty if self.source_done => self.done = true,
                DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            }
            if out.len() > start || self.done {
                break;
            }
        }
        self.check(out, start)?;
        Ok(out.len() > start || !self.done)
    }

    /// Refuses a NUL in the new text `out[start..]` and counts its line ends.
    fn check(&mut self, out: &[u8], start: usize) -> Result<(), Error> {
        let new = &out[start..];
        if let Some(at) = memchr::memchr(0, new) {
            let lines = memchr::memchr_iter(b'\n', &new[..at]).count() as u64;
            return Err(Error::NotText {
                line: self.lines + lines + 1,
                what: NotText::Nul,
            });
        }
        self.lines += memchr::memchr_iter(b'\n', new).count() as u64;
        Ok(())
    }
}

/// The delimiter of the first non-blank line of `text`: the one it has most of outside
/// quotes, `,` when it has none.
fn delimiter_of(text: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    let start = text
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(text.len());
    for &byte in &text[start..] {
        match byte {
            b'"' => quoted = !quoted,
            b'\r' | b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(index) = DELIMITERS.iter().position(|d| *d == byte) {
                    counts[index] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for index in 1..DELIMITERS.len() {
        if counts[index] > counts[best] {
            best = index;
        }
    }
    DELIMITERS[best]
}

/// Whether `text` holds a complete first non-blank line: a line end outside quotes after
/// something other than line ends.
fn has_first_line(text: &[u8]) -> bool {
    let mut quoted = false;
    let mut started = false;
    for &byte in text {
        match byte {
            b'\r' | b'\n' if !quoted && started => return true,
            b'\r' | b'\n' if !quoted => {}
            b'"' => {
                started = true;
                quoted = !quoted;
            }
            _ => started = true,
        }
    }
    false
}

/// The records of the text, split by csv-core, with the blank lines between them counted.
struct Records<'l, R> {
    text: Text<R>,
    limits: &'l Limits,
    /// Decoded text; `buf[pos..]` is not read yet.
    buf: Vec<u8>,
    pos: usize,
    /// The text has no more to give.
    eof: bool,
    parser: Parser,
    /// The record being read: its values, one after the other, and where each ends.
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<'l, R: Read> Records<'l, R> {
    /// Reads up to the end of the first non-blank line, to find the delimiter.
    fn new(text: Text<R>, limits: &'l Limits) -> Result<Records<'l, R>, Error> {
        let mut records = Records {
            text,
            limits,
            buf: Vec::with_capacity(2 * CHUNK),
            pos: 0,
            eof: false,
            parser: Parser::new(),
            out: vec![0; CHUNK],
            ends: vec![0; 64],
        };
        while !records.eof
            && (records.buf.len() as u64) <= limits.max_line_bytes
            && !has_first_line(&records.buf)
        {
            records.refill()?;
        }
        records.parser = ReaderBuilder::new()
            .delimiter(delimiter_of(&records.buf))
            .quote(b'"')
            .double_quote(true)
            .escape(None)
            .comment(None)
            .terminator(Terminator::CRLF)
            .build();
        Ok(records)
    }

    fn available(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads more text, dropping what was read.
    fn refill(&mut self) -> Result<(), Error> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if !self.text.fill(&mut self.buf)? {
            self.eof = true;
        }
        Ok(())
    }

    /// Hands every row to `grid`.
    fn run(&mut self, grid: &mut Grid<'_>) -> Result<(), Error> {
        // The row of the next record or blank line.
        let mut row: u64 = 1;
        // The last line end was a `\r`: a `\n` right after it ends the same line.
        let mut after_cr = false;
        loop {
            // Blank lines before the next record.
            loop {
                if self.available() == 0 {
                    if self.eof {
                        return Ok(());
                    }
                    self.refill()?;
                    continue;
                }
                let byte = self.buf[self.pos];
                if std::mem::take(&mut after_cr) && byte == b'\n' {
                    self.pos += 1;
                    continue;
                }
                match byte {
                    b'\n' => row += 1,
                    b'\r' => {
                        row += 1;
                        after_cr = true;
                    }
                    _ => break,
                }
                self.pos += 1;
            }
            if row > MAX_GRID_ROWS {
                return Err(Error::LimitExceeded {
                    what: Limit::GridRows,
                    value: row,
                    limit: MAX_GRID_ROWS,
                });
            }
            let (values, ended_at_cr) = self.record(row as u32)?;
            after_cr = ended_at_cr;
            self.emit(grid, row as u32, values)?;
            row += 1;
        }
    }

    /// Reads the record that starts at `buf[pos]` (not a line end). Answers the number of its
    /// values and whether its line end was a `\r`.
    fn record(&mut self, row: u32) -> Result<(usize, bool), Error> {
        let limit = self.limits.max_line_bytes;
        let (mut read, mut written, mut values) = (0u64, 0usize, 0usize);
        loop {
            if self.available() == 0 && !self.eof {
                self.refill()?;
                continue;
            }
            let at_end = self.available() == 0;
            let room = usize::try_from(limit.saturating_add(1).saturating_sub(read))
                .unwrap_or(usize::MAX)
                .min(self.available());
            if room == 0 && !at_end {
                return Err(Error::LimitExceeded {
                    what: Limit::Line,
                    value: read,
                    limit,
                });
            }
            // At the end of the file, a line end ends the record, unless a quote is open.
            let input: &[u8] = if at_end {
                b"\n"
            } else {
                &self.buf[self.pos..self.pos + room]
            };
            let (result, nin, nout, nend) =
                self.parser
                    .read_record(input, &mut self.out[written..], &mut self.ends[values..]);
            if at_end && nin == 1 && result == ReadRecordResult::InputEmpty {
                return Err(Error::UnclosedQuote { row });
            }
            let last = nin.checked_sub(1).map(|at| input[at]);
            if !at_end {
                self.pos += nin;
                read += nin as u64;
            }
            written += nout;
            values += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let grown = self.out.len() * 2;
                    self.out.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_GRID_COLUMNS as usize {
                        return Err(Error::LimitExceeded {
                            what: Limit::Values,
                            value: values as u64 + 1,
                            limit: MAX_GRID_COLUMNS,
                        });
                    }
                    let grown = (self.ends.len() * 2).min(MAX_GRID_COLUMNS as usize);
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => return Ok((values, !at_end && last == Some(b'\r'))),
                ReadRecordResult::End => return Ok((values, false)),
            }
        }
    }

    /// Hands the record just read, of `count` values, to `grid` as row `row`.
    fn emit(&self, grid: &mut Grid<'_>, row: u32, count: usize) -> Result<(), Error> {
        let mut texts: Vec<Cow<'_, str>> = Vec::with_capacity(count);
        let mut start = 0;
        for &end in &self.ends[..count] {
            texts.push(String::from_utf8_lossy(&self.out[start..end]));
            start = end;
        }
        let cells: Vec<CellValue<'_>> = texts
            .iter()
            .map(|text| match text.strip_prefix('=') {
                Some(formula) if !formula.is_empty() => CellValue::Formula(formula),
                _ => CellValue::Text(text),
            })
            .collect();
        grid.row(row, 0, &cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_the_header_has_most_of() {
        assert_eq!(delimiter_of(b"Name,Email,Country\n"), b',');
        assert_eq!(delimiter_of(b"Name;Email;Country\r\nA,B;C"), b';');
        assert_eq!(delimiter_of(b"\r\n\nName\tEmail\tCountry"), b'\t');
        assert_eq!(delimiter_of(b"Name|Email|Country,Region"), b'|');
        assert_eq!(delimiter_of(b"\"Name;Last\",Email\n"), b',');
        assert_eq!(delimiter_of(b"Name\n"), b',');
        assert_eq!(delimiter_of(b"Name;Email,Country|Region\tX"), b',');
    }

    #[test]
    fn the_first_line_ends_outside_quotes() {
        assert!(!has_first_line(b"\r\n\n"));
        assert!(!has_first_line(b"\"Name\nLast\",Email"));
        assert!(has_first_line(b"\"Name\nLast\",Email\r"));
    }
}
