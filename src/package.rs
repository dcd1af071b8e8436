//! Checks on the `.xlsx` package (a zip archive of XML parts) before any XML parser sees it.
//!
//! calamine trusts its input: a crafted `uniqueCount` or cell reference aborts or overflows it.
//! Everything that could make it allocate without bound or overflow is checked here first:
//! declared sizes, the compression ratio, the number of shared strings, and every cell reference.

use std::io::{Read, Seek, SeekFrom};

use memchr::memchr;

use crate::error::{Error, FileKind};

/// Bounds on what an upload may make the reader do. Every one is checked before the work it
/// bounds; [`Limits::default`] suits uploads of up to a million users.
///
/// ```
/// use user_import::Limits;
///
/// let small = Limits { max_rows: 5_000, ..Limits::default() };
/// assert_eq!(small.max_rows, 5_000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes the upload may have (default 100 MiB).
    pub max_file_bytes: u64,
    /// The most entries the zip package may hold (default 1,000; a workbook has about 10 to 30).
    pub max_entries: usize,
    /// The most bytes one part may declare uncompressed (default 1 GiB).
    pub max_part_bytes: u64,
    /// The most bytes all parts together may declare uncompressed (default 2 GiB).
    pub max_total_bytes: u64,
    /// The most a part over 1 MiB may inflate, as a multiple of its compressed size
    /// (default 300).
    pub max_ratio: u64,
    /// The most shared strings the workbook may declare or hold (default 4,000,000).
    pub max_shared_strings: u64,
    /// The most bytes the shared-strings part may declare uncompressed; it is held in memory
    /// whole while the sheet is read (default 256 MiB).
    pub max_shared_strings_bytes: u64,
    /// The most data rows (not counting the header) the data sheet may have (default
    /// 1,000,000).
    pub max_rows: u32,
    /// The most columns the header row may span (default 1,000).
    pub max_columns: u32,
    /// The most characters one cell may hold (default 32,767, Excel's own limit).
    pub max_cell_chars: usize,
    /// The most issues kept in a validation report; past it one more issue says how many were
    /// left out (default 100,000).
    pub max_issues: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 100 * 1024 * 1024,
            max_entries: 1_000,
            max_part_bytes: 1024 * 1024 * 1024,
            max_total_bytes: 2 * 1024 * 1024 * 1024,
            max_ratio: 300,
            max_shared_strings: 4_000_000,
            max_shared_strings_bytes: 256 * 1024 * 1024,
            max_rows: 1_000_000,
            max_columns: 1_000,
            max_cell_chars: 32_767,
            max_issues: 100_000,
        }
    }
}

/// Excel's grid: 1,048,576 rows and 16,384 columns (XFD).
pub(crate) const MAX_GRID_ROWS: u64 = 1_048_576;
pub(crate) const MAX_GRID_COLUMNS: u64 = 16_384;

/// Parts smaller than this are not held to the compression ratio.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// The longest tag the scan follows; a longer `<c>`, `<row>`, `<f>` or `<dimension>` tag is
/// refused as damaged.
const MAX_TAG: usize = 64 * 1024;

/// Guesses what a file that is not a zip archive is, from its first bytes.
pub(crate) fn sniff(head: &[u8]) -> Option<FileKind> {
    if head.is_empty() {
        return Some(FileKind::Empty);
    }
    if head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(b"PK\x07\x08")
    {
        return None;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An encrypted OOXML file is an OLE container with an "EncryptedPackage" stream,
        // named in UTF-16.
        let needle: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let encrypted = head
            .windows(needle.len())
            .any(|window| window == needle.as_slice());
        return Some(if encrypted {
            FileKind::Encrypted
        } else {
            FileKind::Xls
        });
    }
    if head.starts_with(b"%PDF") {
        return Some(FileKind::Pdf);
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start: Vec<u8> = text
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    if start.starts_with(b"<!doctype html")
        || start.starts_with(b"<html")
        || start.starts_with(b"<table")
    {
        return Some(FileKind::Html);
    }
    let printable = text
        .iter()
        .take(4096)
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || **b >= 0x80)
        .count();
    let sample = text.len().min(4096);
    if sample > 0 && printable * 100 >= sample * 95 {
        let first_line = text.split(|b| *b == b'\n').next().unwrap_or_default();
        if first_line.iter().any(|b| matches!(b, b',' | b';' | b'\t')) {
            return Some(FileKind::Csv);
        }
        return Some(FileKind::Text);
    }
    Some(FileKind::Unknown)
}

/// What the package check learned.
#[derive(Debug, Clone, Default)]
pub(crate) struct PackageInfo {
    /// The number of `<si>` elements in the shared strings, if there is such a part.
    pub(crate) shared_strings: u64,
}

/// Checks a package and leaves `reader` rewound to its start.
pub(crate) fn inspect<R: Read + Seek>(
    reader: &mut R,
    limits: &Limits,
) -> Result<PackageInfo, Error> {
    let size = reader
        .seek(SeekFrom::End(0))
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;
    if size > limits.max_file_bytes {
        return Err(Error::LimitExceeded {
            what: "size in bytes",
            value: size,
            limit: limits.max_file_bytes,
            advice: "split the users over several files",
        });
    }
    let mut head = Vec::with_capacity(4096);
    reader
        .by_ref()
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;
    // An OLE container keeps its stream names further in; look at more of it.
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        reader
            .by_ref()
            .take(1024 * 1024)
            .read_to_end(&mut head)
            .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;
    }
    if let Some(kind) = sniff(&head) {
        return Err(Error::NotXlsx { kind });
    }
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;

    let info = {
        let mut archive = match zip::ZipArchive::new(&mut *reader) {
            Ok(archive) => archive,
            Err(_) => {
                return Err(Error::NotXlsx {
                    kind: FileKind::Truncated,
                });
            }
        };
        inspect_archive(&mut archive, limits)?
    };
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;
    Ok(info)
}

struct Entry {
    index: usize,
    name: String,
    size: u64,
}

fn inspect_archive<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<PackageInfo, Error> {
    if archive.len() > limits.max_entries {
        return Err(Error::LimitExceeded {
            what: "number of parts in the zip package",
            value: archive.len() as u64,
            limit: limits.max_entries as u64,
            advice: "save the workbook again from Excel, without attachments or embedded objects",
        });
    }
    let mut entries = Vec::with_capacity(archive.len());
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|error| Error::corrupt_from("its zip directory cannot be read", error))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if entry.encrypted() {
            return Err(Error::NotXlsx {
                kind: FileKind::Encrypted,
            });
        }
        let size = entry.size();
        let compressed = entry.compressed_size();
        if size > limits.max_part_bytes {
            return Err(Error::LimitExceeded {
                what: "largest part, in uncompressed bytes,",
                value: size,
                limit: limits.max_part_bytes,
                advice: "split the users over several files",
            });
        }
        total = total.saturating_add(size);
        if size > RATIO_FLOOR && size / compressed.max(1) > limits.max_ratio {
            return Err(Error::LimitExceeded {
                what: "compression ratio of a part",
                value: size / compressed.max(1),
                limit: limits.max_ratio,
                advice: "this is not how Excel compresses a workbook; save the file again from Excel",
            });
        }
        let supported = matches!(
            entry.compression(),
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        );
        if !supported && !entry.is_dir() {
            return Err(Error::corrupt(format!(
                "part `{name}` uses the compression method {:?}, which Excel does not write",
                entry.compression()
            )));
        }
        entries.push(Entry { index, name, size });
    }
    if total > limits.max_total_bytes {
        return Err(Error::LimitExceeded {
            what: "total uncompressed size in bytes",
            value: total,
            limit: limits.max_total_bytes,
            advice: "split the users over several files",
        });
    }

    let has = |wanted: &str| entries.iter().any(|e| e.name.eq_ignore_ascii_case(wanted));
    if !has("xl/workbook.xml") {
        let kind = if has("content.xml") || has("mimetype") {
            FileKind::Ods
        } else if has("xl/workbook.bin") {
            FileKind::Xlsb
        } else {
            FileKind::Zip
        };
        return Err(Error::NotXlsx { kind });
    }

    let mut info = PackageInfo::default();
    for entry in &entries {
        let lower = entry.name.to_ascii_lowercase();
        if !lower.ends_with(".xml") {
            continue;
        }
        let is_shared_strings = lower.ends_with("sharedstrings.xml");
        if is_shared_strings && entry.size > limits.max_shared_strings_bytes {
            return Err(Error::LimitExceeded {
                what: "shared-strings part, in uncompressed bytes,",
                value: entry.size,
                limit: limits.max_shared_strings_bytes,
                advice: "split the users over several files",
            });
        }
        let part = archive.by_index(entry.index).map_err(|error| {
            Error::corrupt_from(format!("part `{}` cannot be read", entry.name), error)
        })?;
        let mut scan = Scan::new(&entry.name, is_shared_strings, limits);
        scan.run(part)?;
        if is_shared_strings {
            info.shared_strings = info.shared_strings.max(scan.si_count);
        }
    }
    Ok(info)
}

/// A streaming pass over one XML part that checks cell references and counts shared strings.
struct Scan<'l> {
    part: String,
    shared_strings: bool,
    si_count: u64,
    limits: &'l Limits,
}

impl<'l> Scan<'l> {
    fn new(part: &str, shared_strings: bool, limits: &'l Limits) -> Scan<'l> {
        Scan {
            part: part.to_string(),
            shared_strings,
            si_count: 0,
            limits,
        }
    }

    fn run<R: Read>(&mut self, mut part: R) -> Result<(), Error> {
        let mut buf: Vec<u8> = Vec::with_capacity(256 * 1024);
        let mut chunk = vec![0u8; 128 * 1024];
        let mut eof = false;
        let mut pos = 0;
        loop {
            // Process every complete tag in buf[pos..].
            loop {
                let Some(lt) = memchr(b'<', &buf[pos..]) else {
                    pos = buf.len();
                    break;
                };
                let start = pos + lt;
                match self.tag(&buf[start..], eof)? {
                    Some(consumed) => pos = start + consumed,
                    None => {
                        pos = start;
                        break;
                    }
                }
            }
            if eof {
                break;
            }
            buf.drain(..pos);
            pos = 0;
            let read = part.read(&mut chunk).map_err(|error| {
                Error::corrupt_from(format!("part `{}` cannot be inflated", self.part), error)
            })?;
            if read == 0 {
                eof = true;
            } else {
                buf.extend_from_slice(&chunk[..read]);
            }
        }
        Ok(())
    }

    /// Looks at the tag starting at `text[0] == b'<'`. Returns how many bytes it used, or
    /// `None` when the tag is not complete in `text` (and more input may come).
    fn tag(&mut self, text: &[u8], eof: bool) -> Result<Option<usize>, Error> {
        let name_end = text[1..]
            .iter()
            .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>' | b'<'))
            .map(|p| p + 1);
        let Some(name_end) = name_end else {
            if text.len() > MAX_TAG && !eof {
                // A name this long is nothing we look at; skip past it.
                return Ok(Some(text.len()));
            }
            return Ok(if eof { Some(text.len()) } else { None });
        };
        let name = &text[1..name_end];
        let local = match name.iter().rposition(|b| *b == b':') {
            Some(colon) => &name[colon + 1..],
            None => name,
        };
        if self.shared_strings {
            if local == b"si" {
                self.si_count += 1;
                if self.si_count > self.limits.max_shared_strings {
                    return Err(Error::LimitExceeded {
                        what: "number of shared strings",
                        value: self.si_count,
                        limit: self.limits.max_shared_strings,
                        advice: "split the users over several files",
                    });
                }
            } else if local == b"sst" {
                return self.attributes(text, name_end, eof, |scan, key, value| {
                    if key == b"uniqueCount" || key == b"count" {
                        scan.check_declared_count(value)?;
                    }
                    Ok(())
                });
            }
            return Ok(Some(name_end));
        }
        match local {
            b"c" | b"row" => self.attributes(text, name_end, eof, |scan, key, value| {
                if key == b"r" {
                    if local == b"row" {
                        scan.check_row(value)?;
                    } else {
                        scan.check_cell(value)?;
                    }
                }
                Ok(())
            }),
            b"f" | b"dimension" => self.attributes(text, name_end, eof, |scan, key, value| {
                if key == b"ref" {
                    for cell in value.split(|b| *b == b':') {
                        scan.check_cell(cell)?;
                    }
                }
                Ok(())
            }),
            _ => Ok(Some(name_end)),
        }
    }

    /// Walks the attributes of a tag, calling `each` with every key and value.
    fn attributes(
        &mut self,
        text: &[u8],
        mut at: usize,
        eof: bool,
        mut each: impl FnMut(&mut Self, &[u8], &[u8]) -> Result<(), Error>,
    ) -> Result<Option<usize>, Error> {
        loop {
            while at < text.len() && text[at].is_ascii_whitespace() {
                at += 1;
            }
            let Some(&next) = text.get(at) else {
                return incomplete(&self.part, eof, text.len());
            };
            if next == b'>' {
                return Ok(Some(at + 1));
            }
            if next == b'/' {
                at += 1;
                continue;
            }
            let key_start = at;
            while at < text.len()
                && !matches!(text[at], b'=' | b'>' | b'/')
                && !text[at].is_ascii_whitespace()
            {
                at += 1;
            }
            let key_end = at;
            while at < text.len() && text[at].is_ascii_whitespace() {
                at += 1;
            }
            match text.get(at) {
                None => return incomplete(&self.part, eof, text.len()),
                Some(b'=') => at += 1,
                Some(_) => continue,
            }
            while at < text.len() && text[at].is_ascii_whitespace() {
                at += 1;
            }
            let Some(&quote) = text.get(at) else {
                return incomplete(&self.part, eof, text.len());
            };
            if quote != b'"' && quote != b'\'' {
                return Err(Error::corrupt(format!(
                    "part `{}` has an attribute without quotes",
                    self.part
                )));
            }
            let value_start = at + 1;
            let Some(len) = memchr(quote, &text[value_start..]) else {
                return incomplete(&self.part, eof, text.len());
            };
            let value_end = value_start + len;
            let key = &text[key_start..key_end];
            each(self, key, &text[value_start..value_end])?;
            at = value_end + 1;
        }
    }

    fn check_declared_count(&self, value: &[u8]) -> Result<(), Error> {
        let declared = parse_decimal(value);
        match declared {
            Some(count) if count <= self.limits.max_shared_strings => Ok(()),
            Some(count) => Err(Error::LimitExceeded {
                what: "declared number of shared strings",
                value: count,
                limit: self.limits.max_shared_strings,
                advice: "split the users over several files",
            }),
            None => Err(Error::corrupt(format!(
                "part `{}` declares the shared-string count `{}`, which is not a number",
                self.part,
                String::from_utf8_lossy(&value[..value.len().min(40)])
            ))),
        }
    }

    fn outside(&self, reference: &[u8]) -> Error {
        Error::CellOutsideGrid {
            part: self.part.clone(),
            reference: String::from_utf8_lossy(&reference[..reference.len().min(40)]).into_owned(),
        }
    }

    fn check_row(&self, value: &[u8]) -> Result<(), Error> {
        match parse_decimal(value) {
            Some(row) if (1..=MAX_GRID_ROWS).contains(&row) => Ok(()),
            _ => Err(self.outside(value)),
        }
    }

    fn check_cell(&self, value: &[u8]) -> Result<(), Error> {
        match parse_cell_reference(value) {
            Some(_) => Ok(()),
            None => Err(self.outside(value)),
        }
    }
}

/// The answer for a tag cut off by the end of the buffer: wait for more input, or, at the end
/// of the part or past [`MAX_TAG`], refuse it.
fn incomplete(part: &str, eof: bool, len: usize) -> Result<Option<usize>, Error> {
    if eof || len > MAX_TAG {
        Err(Error::corrupt(format!(
            "part `{part}` has a cell tag that is not closed or is longer than {MAX_TAG} bytes"
        )))
    } else {
        Ok(None)
    }
}

/// Parses a decimal number of at most 15 digits.
fn parse_decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 15 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        value
            .iter()
            .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0')),
    )
}

/// Parses `A1`-style references inside Excel's grid into zero-based (row, column).
pub(crate) fn parse_cell_reference(value: &[u8]) -> Option<(u32, u32)> {
    let letters = value.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &value[letters..];
    if !(1..=3).contains(&letters) || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let column = value[..letters].iter().fold(0u64, |acc, b| {
        acc * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row = parse_decimal(digits)?;
    if !(1..=MAX_GRID_COLUMNS).contains(&column) || !(1..=MAX_GRID_ROWS).contains(&row) {
        return None;
    }
    Some(((row - 1) as u32, (column - 1) as u32))
}

/// The column letters of a zero-based column index: 0 → `A`, 26 → `AA`.
pub(crate) fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_inside_the_grid_parse() {
        assert_eq!(parse_cell_reference(b"A1"), Some((0, 0)));
        assert_eq!(
            parse_cell_reference(b"XFD1048576"),
            Some((1_048_575, 16_383))
        );
        assert_eq!(parse_cell_reference(b"xfd1"), Some((0, 16_383)));
    }

    #[test]
    fn references_outside_the_grid_are_refused() {
        assert_eq!(parse_cell_reference(b"XFE1"), None);
        assert_eq!(parse_cell_reference(b"A1048577"), None);
        assert_eq!(parse_cell_reference(b"A99999999999"), None);
        assert_eq!(parse_cell_reference(b"AAAA1"), None);
        assert_eq!(parse_cell_reference(b"A0"), None);
        assert_eq!(parse_cell_reference(b"A"), None);
        assert_eq!(parse_cell_reference(b"1"), None);
        assert_eq!(parse_cell_reference(b"A1B"), None);
    }

    #[test]
    fn column_letters_count_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn sniff_tells_common_uploads_apart() {
        assert_eq!(sniff(b""), Some(FileKind::Empty));
        assert_eq!(sniff(b"Name,Email\nAnn,a@b.com\n"), Some(FileKind::Csv));
        assert_eq!(sniff(b"%PDF-1.7"), Some(FileKind::Pdf));
        assert_eq!(sniff(b"  <html><body>"), Some(FileKind::Html));
        assert_eq!(sniff(b"PK\x03\x04rest"), None);
    }
}
