//! Checks on the `.xlsx` package (a zip archive of XML parts) before any XML parser sees it.
//!
//! calamine trusts its input: a crafted `uniqueCount` or cell reference aborts or overflows it.
//! Everything that could make it allocate without bound or overflow is checked here first:
//! declared sizes, the compression ratio, the number of shared strings, what the styles part
//! makes it copy, and every cell reference of every part (whatever its name, and wherever in it:
//! comments and attribute values cannot hide a tag from the scan).

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
    /// The most bytes all parts together may declare uncompressed, and the most bytes of text
    /// the data sheet's cells may hand out, a shared string counting once for every cell that
    /// uses it (default 2 GiB).
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
    /// Uploads of at least this many bytes are read on two threads: one checks the worksheets
    /// while the other opens the workbook, then one reads the cells while the other validates
    /// them (default 256 KiB, about 5,000 users). `u64::MAX` reads every upload on the calling
    /// thread. The outcome is the same either way.
    pub parallel_min_bytes: u64,
    /// The most bytes one row of a text (CSV) upload may take, its quoted line breaks
    /// included; it bounds each value of the row too (default 1 MiB). The row is checked while
    /// it is read, so a file without line ends is refused after this many bytes.
    pub max_line_bytes: u64,
    /// The most memory calamine may take to hold the sheets of an OpenDocument spreadsheet,
    /// which it reads whole (default 256 MiB, about 140,000 users of 9 columns). The package
    /// check estimates it from `content.xml` before calamine sees the file: every cell of each
    /// sheet's used area, repeated rows and columns counted, and the text of every cell, once
    /// for every repeat. For 100,000 users the estimate is 185 MiB, and the read peaks at
    /// 135 MiB.
    pub max_ods_bytes: u64,
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
            parallel_min_bytes: 256 * 1024,
            max_line_bytes: 1024 * 1024,
            max_ods_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Excel's grid: 1,048,576 rows and 16,384 columns (XFD).
pub(crate) const MAX_GRID_ROWS: u64 = 1_048_576;
pub(crate) const MAX_GRID_COLUMNS: u64 = 16_384;

/// Parts smaller than this are not held to the compression ratio.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// The longest element name, and the longest tag whose attributes the scan reads (`<c>`,
/// `<row>`, `<f>`, `<dimension>`, `<sst>`, and the tags of the styles part); longer ones are
/// refused as damaged.
const MAX_TAG: usize = 64 * 1024;

/// The formats an upload is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// An `.xlsx` workbook, or anything that is neither of the others: the `.xlsx` checks
    /// refuse it with what it looks like.
    Xlsx,
    /// An OpenDocument spreadsheet.
    Ods,
    /// Text: CSV, TSV, or a single column.
    Csv,
}

/// The media type an OpenDocument spreadsheet stores in its `mimetype` entry.
pub(crate) const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Decides an upload's format from its first bytes (never from its name), and leaves `reader`
/// at its start.
pub(crate) fn detect<R: Read + Seek>(reader: &mut R) -> Result<Format, Error> {
    let mut head = Vec::with_capacity(4096);
    rewind(reader)?;
    reader
        .by_ref()
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;
    rewind(reader)?;
    Ok(format_of(&head))
}

/// The format of an upload that starts with `head`: a zip whose first entry is a stored
/// `mimetype` naming an OpenDocument spreadsheet (as the OpenDocument format requires) is ODS,
/// text with a UTF-16 byte-order mark or that [`sniff`] takes for text is CSV, anything else
/// goes to the `.xlsx` checks.
pub(crate) fn format_of(head: &[u8]) -> Format {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Format::Csv;
    }
    if head.starts_with(b"PK\x03\x04") && head.len() >= 30 {
        let u16_at = |at: usize| usize::from(u16::from_le_bytes([head[at], head[at + 1]]));
        let (method, name_len, extra_len) = (u16_at(8), u16_at(26), u16_at(28));
        let data = 30 + name_len + extra_len;
        if method == 0
            && head.get(30..30 + name_len) == Some(b"mimetype".as_slice())
            && head
                .get(data..)
                .is_some_and(|rest| rest.starts_with(ODS_MIMETYPE))
        {
            return Format::Ods;
        }
        return Format::Xlsx;
    }
    match sniff(head) {
        Some(FileKind::Csv | FileKind::Text) => Format::Csv,
        // Text saved as UTF-16 without a byte-order mark: the text reader names the problem.
        Some(FileKind::Unknown) if looks_like_utf16(head) => Format::Csv,
        _ => Format::Xlsx,
    }
}

/// Whether `head` looks like ASCII text in UTF-16 (either byte order): every other byte NUL.
fn looks_like_utf16(head: &[u8]) -> bool {
    let pairs = head.len() / 2;
    if pairs < 2 {
        return false;
    }
    let nul_at = |parity: usize| {
        head.chunks_exact(2)
            .filter(|pair| pair[parity] == 0 && pair[1 - parity] != 0)
            .count()
    };
    nul_at(0).max(nul_at(1)) * 10 >= pairs * 9
}

/// Checks a zip package as an `.xlsx` one is checked before any part is read (size, entry
/// count, declared sizes, compression ratio, encryption, compression method), and answers
/// its parts. Leaves `reader` at its start.
pub(crate) fn check_zip<R: Read + Seek>(
    reader: &mut R,
    limits: &Limits,
) -> Result<Vec<Entry>, Error> {
    check_head(reader, limits)?;
    let entries = {
        let mut archive = open_archive(&mut *reader)?;
        list_parts(&mut archive, limits)?
    };
    rewind(reader)?;
    Ok(entries)
}

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
    check_head(reader, limits)?;
    let info = {
        let mut archive = open_archive(&mut *reader)?;
        let entries = list_entries(&mut archive, limits)?;
        scan_entries(&mut archive, &entries, limits).map_err(|(_, error)| error)?
    };
    rewind(reader)?;
    Ok(info)
}

/// Checks what can be checked before the zip directory is parsed: the size, what kind of file
/// it is, and the number of entries it declares. Leaves `reader` at its start.
fn check_head<R: Read + Seek>(reader: &mut R, limits: &Limits) -> Result<(), Error> {
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

    // The zip crate keeps some 200 bytes for every entry of the directory before the archive
    // can be counted: a 100 MiB upload of empty entries would take 400 MiB. Count first.
    if let Some(declared) = declared_entries(reader, size)
        && declared > limits.max_entries as u64
    {
        return Err(too_many_entries(declared, limits));
    }
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))?;

    Ok(())
}

fn rewind<R: Seek>(reader: &mut R) -> Result<(), Error> {
    reader
        .seek(SeekFrom::Start(0))
        .map(|_| ())
        .map_err(|error| Error::corrupt_from("the upload could not be read", error))
}

fn open_archive<R: Read + Seek>(reader: R) -> Result<zip::ZipArchive<R>, Error> {
    zip::ZipArchive::new(reader).map_err(|_| Error::NotXlsx {
        kind: FileKind::Truncated,
    })
}

/// An upload's package, its directory checked and its parts split in two sets that can be
/// scanned side by side: first the parts calamine reads when it opens the workbook, then the
/// rest (the worksheets above all), which only need to be scanned before a sheet is read.
pub(crate) struct Split<'b> {
    archive: zip::ZipArchive<std::io::Cursor<&'b [u8]>>,
    /// The parts calamine reads to open the workbook.
    pub(crate) first: Vec<Entry>,
    /// The other parts.
    pub(crate) second: Vec<Entry>,
}

impl<'b> Split<'b> {
    /// Checks the upload's head and directory, and splits its parts. `second` is empty when
    /// the package relationships cannot be read with certainty: then every part is in `first`.
    pub(crate) fn new(bytes: &'b [u8], limits: &Limits) -> Result<Split<'b>, Error> {
        let mut cursor = std::io::Cursor::new(bytes);
        check_head(&mut cursor, limits)?;
        let mut archive = open_archive(cursor)?;
        let entries = list_entries(&mut archive, limits)?;
        let opened = opened_parts(&mut archive, &entries);
        let (first, second) = match opened {
            Some(opened) => entries
                .into_iter()
                .partition(|entry| opened.contains(&normalized_name(&entry.name))),
            None => (entries, Vec::new()),
        };
        Ok(Split {
            archive,
            first,
            second,
        })
    }

    /// Scans the parts of `first`. The error comes with the part's place in the directory.
    pub(crate) fn scan_first(&mut self, limits: &Limits) -> Result<PackageInfo, (usize, Error)> {
        scan_entries(&mut self.archive, &self.first, limits)
    }

    /// A scanner of the parts of `second`, to run on another thread.
    pub(crate) fn second_scanner(
        &self,
        limits: &Limits,
    ) -> impl FnOnce() -> Result<PackageInfo, (usize, Error)> + Send + use<'b> {
        let mut archive = self.archive.clone();
        let entries = self.second.clone();
        let limits = limits.clone();
        move || scan_entries(&mut archive, &entries, &limits)
    }
}

/// A part's name as calamine looks it up: `\` as `/`, in lower case.
fn normalized_name(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// The parts calamine may read when it opens the workbook (`Xlsx::new`), by normalized name:
/// the package relationships, then, under the folder of the workbook they point to, the shared
/// strings, the theme, the styles, the workbook's relationships and the workbook itself.
///
/// Every quoted value of `_rels/.rels` is taken as a possible workbook target, so whatever
/// calamine makes of the relationships, the parts it opens are in the set. `None` (scan every
/// part before calamine opens the workbook) when the relationships are large, not UTF-8 or use
/// character references, which would need decoding as calamine decodes them.
fn opened_parts<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    entries: &[Entry],
) -> Option<std::collections::HashSet<String>> {
    const MAX_RELS: u64 = 64 * 1024;
    let rels = entries
        .iter()
        .rev()
        .find(|entry| normalized_name(&entry.name) == "_rels/.rels")?;
    if rels.size > MAX_RELS {
        return None;
    }
    let mut text = Vec::new();
    archive
        .by_index(rels.index)
        .ok()?
        .take(MAX_RELS + 1)
        .read_to_end(&mut text)
        .ok()?;
    if text.len() as u64 > MAX_RELS || text.contains(&b'&') {
        return None;
    }
    let text = std::str::from_utf8(&text).ok()?;
    let mut targets = vec!["/xl/workbook.xml"];
    let mut rest = text;
    while let Some(open) = rest.find(['"', '\'']) {
        let quote = rest[open..].chars().next()?;
        let after = &rest[open + 1..];
        let close = after.find(quote)?;
        targets.push(&after[..close]);
        rest = &after[close + 1..];
        if targets.len() > 256 {
            return None;
        }
    }
    let mut opened = std::collections::HashSet::new();
    opened.insert("_rels/.rels".to_string());
    for target in targets {
        let target = target.replace('\\', "/").to_ascii_lowercase();
        let (dir, name) = match target.rfind('/') {
            Some(at) => target.split_at(at + 1),
            None => ("", target.as_str()),
        };
        let dir = dir.strip_prefix('/').unwrap_or(dir);
        let name = if name.is_empty() {
            "workbook.xml"
        } else {
            name
        };
        for part in [
            format!("{dir}sharedstrings.xml"),
            format!("{dir}theme/theme1.xml"),
            format!("{dir}styles.xml"),
            format!("{dir}_rels/{name}.rels"),
            format!("{dir}{name}"),
        ] {
            opened.insert(part);
        }
    }
    Some(opened)
}

fn too_many_entries(count: u64, limits: &Limits) -> Error {
    Error::LimitExceeded {
        what: "number of parts in the zip package",
        value: count,
        limit: limits.max_entries as u64,
        advice: "save the workbook again from Excel, without attachments or embedded objects",
    }
}

/// The number of entries the zip's end of central directory record declares (its zip64
/// record's, when it has one), or `None` when the record cannot be found; the zip crate then
/// judges the archive.
fn declared_entries<R: Read + Seek>(reader: &mut R, size: u64) -> Option<u64> {
    // The record is 22 bytes and a comment of up to 65,535 bytes ends the file.
    let tail_len = size.min(22 + 65_535);
    reader.seek(SeekFrom::Start(size - tail_len)).ok()?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    reader.by_ref().take(tail_len).read_to_end(&mut tail).ok()?;
    let u16_at = |bytes: &[u8], at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at = |bytes: &[u8], at: usize| {
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    };
    // The last signature whose comment length reaches the end of the file exactly.
    let end = (0..tail.len().saturating_sub(21)).rev().find(|&at| {
        tail[at..].starts_with(b"PK\x05\x06")
            && at + 22 + usize::from(u16_at(&tail, at + 20)) == tail.len()
    })?;
    let entries = u16_at(&tail, end + 10);
    let zip64 = entries == u16::MAX
        || u32_at(&tail, end + 12) == u32::MAX
        || u32_at(&tail, end + 16) == u32::MAX;
    if !zip64 {
        return Some(u64::from(entries));
    }
    // The zip64 locator sits just before the record and points at the zip64 record.
    let locator = tail.get(end.checked_sub(20)?..end)?;
    if !locator.starts_with(b"PK\x06\x07") {
        return Some(u64::from(entries));
    }
    let at = u64::from_le_bytes(locator[8..16].try_into().ok()?);
    reader.seek(SeekFrom::Start(at)).ok()?;
    let mut record = [0u8; 56];
    reader.read_exact(&mut record).ok()?;
    if !record.starts_with(b"PK\x06\x06") {
        return None;
    }
    Some(u64::from_le_bytes(record[32..40].try_into().ok()?))
}

/// A part of the package, as its directory lists it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Its place in the directory.
    pub(crate) index: usize,
    /// Its name, as the directory has it.
    pub(crate) name: String,
    /// Its declared uncompressed size.
    pub(crate) size: u64,
}

/// Lists the parts of an `.xlsx` package and checks what their directory entries declare.
fn list_entries<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<Vec<Entry>, Error> {
    let entries = list_parts(archive, limits)?;
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
    Ok(entries)
}

/// Lists the parts of a zip package and checks what their directory entries declare.
fn list_parts<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<Vec<Entry>, Error> {
    if archive.len() > limits.max_entries {
        return Err(too_many_entries(archive.len() as u64, limits));
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
    Ok(entries)
}

/// Scans `entries`, in their order. An error comes with the place in the directory of the part
/// it is about, so that scans run side by side report the error a single scan would.
fn scan_entries<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    entries: &[Entry],
    limits: &Limits,
) -> Result<PackageInfo, (usize, Error)> {
    let mut info = PackageInfo::default();
    for entry in entries {
        let at = |error: Error| (entry.index, error);
        // Every part, whatever its name: a workbook's relationships can send calamine to a
        // worksheet named `sheet1.bin`, or to the shared strings as a worksheet. Parts that are
        // not UTF-8 (pictures, embedded files) end their scan at their first bytes.
        let lower = entry.name.to_ascii_lowercase().replace('\\', "/");
        let kind = if lower.ends_with("sharedstrings.xml") {
            PartKind::SharedStrings
        } else if lower.ends_with("styles.xml") {
            PartKind::Styles
        } else {
            PartKind::Other
        };
        if kind == PartKind::SharedStrings && entry.size > limits.max_shared_strings_bytes {
            return Err(at(Error::LimitExceeded {
                what: "shared-strings part, in uncompressed bytes,",
                value: entry.size,
                limit: limits.max_shared_strings_bytes,
                advice: "split the users over several files",
            }));
        }
        let part = archive.by_index(entry.index).map_err(|error| {
            at(Error::corrupt_from(
                format!("part `{}` cannot be read", entry.name),
                error,
            ))
        })?;
        let mut scan = Scan::new(&entry.name, kind, limits);
        scan.run(part).map_err(at)?;
        if kind == PartKind::SharedStrings {
            info.shared_strings = info.shared_strings.max(scan.si_count);
        }
    }
    Ok(info)
}

/// What the scan looks for in a part, from its name (as calamine finds it: case and `\` aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    /// `sharedStrings.xml`: `<si>` elements are counted.
    SharedStrings,
    /// `styles.xml`: what calamine keeps for every cell format is bounded.
    Styles,
    /// Any other part.
    Other,
}

/// The tags whose attributes the scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// `<c r="…">`
    Cell,
    /// `<row r="…">`
    Row,
    /// `<f ref="…">` and `<dimension ref="…">`
    Range,
    /// `<sst count="…" uniqueCount="…">`
    SharedStrings,
    /// Any other tag.
    Other,
}

/// What calamine keeps for one record of the styles part (a cell format, font, fill, border or
/// number format) before the strings it copies into it: a cell format is a 152-byte `Style`
/// and a format entry, in vectors with spare room.
const STYLE_RECORD_BYTES: u64 = 320;

/// The most memory the records of the styles part may make calamine keep. calamine copies the
/// font name and the number format into every cell format, so a 60 KB number format used by
/// 4,000 cell formats would make it hold 240 MB; Excel itself writes at most 65,490 formats.
const STYLES_BUDGET: u64 = 128 * 1024 * 1024;

/// A streaming pass over one package part that checks every cell reference and the counts that
/// make calamine allocate.
///
/// The scan looks at every `<` of the part as the start of a tag, the way quick-xml (calamine's
/// XML parser) would if it met it: comments, CDATA sections and attribute values are not
/// skipped, so no construct can hide a tag from the scan. A tag it reads (`c`, `row`, `f`,
/// `dimension`, `sst`, and every tag of the styles part) ends where quick-xml ends it, at the
/// first `>` outside quotes, and its attributes are split as calamine splits them. Such a tag
/// with a `<` inside is refused: a real workbook never has one, and the scan could not tell
/// where quick-xml would end it. The scan stops at the first byte that is not UTF-8, where
/// quick-xml stops with an error too.
struct Scan<'l> {
    part: String,
    kind: PartKind,
    /// `<si>` elements of the shared-strings part.
    si_count: u64,
    /// Records of the styles part: `xf`, `font`, `fill`, `border` and `numFmt` elements.
    style_records: u64,
    /// The longest attribute value of the styles part.
    longest_value: u64,
    /// Whether one-letter tags and cell tags written the usual way ([`plain_cell_end`]) take
    /// their short paths; tests turn them off to compare with the general path.
    short_paths: bool,
    limits: &'l Limits,
}

impl<'l> Scan<'l> {
    fn new(part: &str, kind: PartKind, limits: &'l Limits) -> Scan<'l> {
        Scan {
            part: part.to_string(),
            kind,
            si_count: 0,
            style_records: 0,
            longest_value: 0,
            short_paths: true,
            limits,
        }
    }

    fn run<R: Read>(&mut self, mut part: R) -> Result<(), Error> {
        let mut buf: Vec<u8> = Vec::with_capacity(256 * 1024);
        let mut chunk = vec![0u8; 128 * 1024];
        let mut eof = false;
        let name = self.part.clone();
        let mut read = |buf: &mut Vec<u8>, eof: &mut bool| -> Result<(), Error> {
            let count = part.read(&mut chunk).map_err(|error| {
                Error::corrupt_from(format!("part `{name}` cannot be inflated"), error)
            })?;
            if count == 0 {
                *eof = true;
            }
            buf.extend_from_slice(&chunk[..count]);
            Ok(())
        };
        // quick-xml drops a UTF-16 byte-order mark and reads the bytes after it as UTF-8.
        while buf.len() < 2 && !eof {
            read(&mut buf, &mut eof)?;
        }
        if buf.starts_with(&[0xFE, 0xFF]) || buf.starts_with(&[0xFF, 0xFE]) {
            buf.drain(..2);
        }
        // buf[..valid] is UTF-8; `cut` when a byte that is not ends what the parser reads.
        let mut valid = 0;
        let mut cut = false;
        let mut pos = 0;
        loop {
            match std::str::from_utf8(&buf[valid..]) {
                Ok(_) => valid = buf.len(),
                Err(error) => {
                    valid += error.valid_up_to();
                    if error.error_len().is_some() || eof {
                        cut = true;
                        buf.truncate(valid);
                    }
                }
            }
            let done = cut || eof;
            // Look at every `<` of the UTF-8 bytes.
            loop {
                let Some(lt) = find_tag_start(&buf[pos..valid]) else {
                    pos = valid;
                    break;
                };
                let start = pos + lt;
                match self.tag(&buf[start..valid], done, cut)? {
                    Some(used) => pos = start + used,
                    None => {
                        pos = start;
                        break;
                    }
                }
            }
            if done {
                return self.finish();
            }
            buf.drain(..pos);
            valid -= pos;
            pos = 0;
            read(&mut buf, &mut eof)?;
        }
    }

    /// Looks at the tag that may start at `text[0] == b'<'`. Returns how many bytes it used, or
    /// `None` when more input is needed. `done`: no more input will come; `cut`: the input ends
    /// at a byte that is not UTF-8, so quick-xml stops there with an error.
    fn tag(&mut self, text: &[u8], done: bool, cut: bool) -> Result<Option<usize>, Error> {
        let Some(&next) = text.get(1) else {
            return Ok(done.then_some(1));
        };
        // Comments, CDATA sections, processing instructions and end tags: what follows is
        // looked at like the rest.
        if matches!(next, b'!' | b'?' | b'/') {
            return Ok(Some(1));
        }
        // `<v>`, `<t>`, `<r>`: a one-letter name the scan does not read (`c` and `f` it does),
        // outside the styles part, whose tags it all reads. The general path ends such a tag
        // at its name too.
        if text.get(2) == Some(&b'>')
            && next.is_ascii_alphabetic()
            && !matches!(next, b'c' | b'f')
            && self.kind != PartKind::Styles
            && self.short_paths
        {
            return Ok(Some(2));
        }
        // The name runs to white space or to the `>` that ends the tag; a quote or a `<` before
        // either makes a name no tag read here has.
        let stop = text[1..]
            .iter()
            .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'\'' | b'"' | b'<'))
            .map(|p| p + 1);
        let Some(stop) = stop else {
            if text.len() > MAX_TAG {
                return Err(self.long_name());
            }
            return Ok(done.then_some(text.len()));
        };
        if stop > MAX_TAG {
            return Err(self.long_name());
        }
        let mut name = &text[1..stop];
        match text[stop] {
            b'\'' | b'"' | b'<' => return Ok(Some(stop)),
            b'>' => name = name.strip_suffix(b"/").unwrap_or(name),
            _ => {}
        }
        // quick-xml's local name: after the first colon.
        let local = match find_byte(b':', name) {
            Some(colon) => &name[colon + 1..],
            None => name,
        };
        let tag_kind = match local {
            b"c" => TagKind::Cell,
            b"row" => TagKind::Row,
            b"f" | b"dimension" => TagKind::Range,
            b"sst" => TagKind::SharedStrings,
            _ => TagKind::Other,
        };
        match self.kind {
            PartKind::SharedStrings if local == b"si" => {
                self.si_count += 1;
                if self.si_count > self.limits.max_shared_strings {
                    return Err(Error::LimitExceeded {
                        what: "number of shared strings",
                        value: self.si_count,
                        limit: self.limits.max_shared_strings,
                        advice: "split the users over several files",
                    });
                }
            }
            _ => {}
        }
        if tag_kind == TagKind::Other && self.kind != PartKind::Styles {
            return Ok(Some(stop));
        }
        if tag_kind == TagKind::Cell
            && self.kind != PartKind::Styles
            && self.short_paths
            && let Some(end) = plain_cell_end(&text[stop..])
        {
            return Ok(Some(stop + end + 1));
        }
        // The end of the tag: the first `>` outside quotes, as quick-xml finds it, before the
        // next `<`.
        // One pass: the name holds no `<`, so the first `<` from `stop` on is the limit.
        let mut limit = text.len();
        let mut quote = None;
        let mut end = None;
        for (offset, &byte) in text[stop..].iter().enumerate() {
            match (quote, byte) {
                (_, b'<') => {
                    limit = stop + offset;
                    break;
                }
                (None, b'>') => {
                    end = Some(stop + offset);
                    break;
                }
                (None, b'"' | b'\'') => quote = Some(byte),
                (Some(open), _) if open == byte => quote = None,
                _ => {}
            }
        }
        let Some(end) = end else {
            if limit < text.len() {
                return Err(self.damaged_tag(name, "has a `<` inside the"));
            }
            if text.len() > MAX_TAG {
                return Err(self.long_tag(name));
            }
            if !done {
                return Ok(None);
            }
            if cut {
                return Ok(Some(text.len()));
            }
            return Err(self.damaged_tag(name, "has a"));
        };
        if end > MAX_TAG {
            return Err(self.long_tag(name));
        }
        let content = &text[1..end];
        let content = content.strip_suffix(b"/").unwrap_or(content);
        let attributes = content.get(stop - 1..).unwrap_or_default();
        self.attributes(attributes, tag_kind)?;
        if self.kind == PartKind::Styles
            && matches!(local, b"xf" | b"font" | b"fill" | b"border" | b"numFmt")
        {
            self.style_records += 1;
        }
        Ok(Some(end + 1))
    }

    /// Splits attributes as calamine does (its `RawAttrIter`): a key runs to `=`, the value is
    /// quoted. Every value of a key calamine reads is checked; a malformed attribute, where
    /// calamine would stop with an error, is refused.
    fn attributes(&mut self, raw: &[u8], tag_kind: TagKind) -> Result<(), Error> {
        let mut at = 0;
        loop {
            while raw.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            if at >= raw.len() {
                return Ok(());
            }
            let Some(equals) = find_byte(b'=', &raw[at..]) else {
                return Err(Error::corrupt(format!(
                    "part `{}` has an attribute without a value",
                    self.part
                )));
            };
            let key = raw[at..at + equals].trim_ascii_end();
            at += equals + 1;
            while raw.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            let quote = match raw.get(at) {
                Some(&quote @ (b'"' | b'\'')) => quote,
                _ => {
                    return Err(Error::corrupt(format!(
                        "part `{}` has an attribute without quotes",
                        self.part
                    )));
                }
            };
            let start = at + 1;
            let end = find_byte(quote, &raw[start..]).map_or(raw.len(), |p| start + p);
            let value = &raw[start..end];
            at = (end + 1).min(raw.len());
            self.longest_value = self.longest_value.max(value.len() as u64);
            match (tag_kind, key) {
                (TagKind::Cell, b"r") => {
                    self.check_cell(value)?;
                }
                (TagKind::Row, b"r") => self.check_row(value)?,
                (TagKind::Range, b"ref") => self.check_range(value)?,
                // calamine reserves room for `uniqueCount` strings; `count` is the number of
                // cells that use them (8 million in a filled 1,000,000-row template), which
                // nothing allocates by.
                (TagKind::SharedStrings, b"uniqueCount") => self.check_declared_count(value)?,
                _ => {}
            }
        }
    }

    /// The checks made once the whole part is read.
    fn finish(&self) -> Result<(), Error> {
        if self.kind == PartKind::Styles {
            let per_record = STYLE_RECORD_BYTES + 2 * self.longest_value;
            let allowed = STYLES_BUDGET / per_record;
            if self.style_records > allowed {
                return Err(Error::LimitExceeded {
                    what: "number of cell formats, fonts, fills and borders in the styles part",
                    value: self.style_records,
                    limit: allowed,
                    advice: "delete unused cell styles (long number formats or font names lower the limit), or save the file again from Excel",
                });
            }
        }
        Ok(())
    }

    fn shown(value: &[u8]) -> String {
        String::from_utf8_lossy(&value[..value.len().min(40)]).into_owned()
    }

    fn long_name(&self) -> Error {
        Error::corrupt(format!(
            "part `{}` has an element name longer than {MAX_TAG} bytes",
            self.part
        ))
    }

    fn long_tag(&self, name: &[u8]) -> Error {
        Error::corrupt(format!(
            "part `{}` has a `<{}>` tag longer than {MAX_TAG} bytes",
            self.part,
            Self::shown(name)
        ))
    }

    /// `what` is `has a` or `has a `<` inside the`: the tag is not closed, or holds a `<`.
    fn damaged_tag(&self, name: &[u8], what: &str) -> Error {
        let (lead, tail) = if what == "has a" {
            ("has a", "tag that is not closed")
        } else {
            (what, "tag")
        };
        Error::corrupt(format!(
            "part `{}` {lead} `<{}>` {tail}",
            self.part,
            Self::shown(name)
        ))
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
                Self::shown(value)
            ))),
        }
    }

    fn outside(&self, reference: &[u8]) -> Error {
        Error::CellOutsideGrid {
            part: self.part.clone(),
            reference: Self::shown(reference),
        }
    }

    fn check_row(&self, value: &[u8]) -> Result<(), Error> {
        match parse_decimal(value) {
            Some(row) if (1..=MAX_GRID_ROWS).contains(&row) => Ok(()),
            _ => Err(self.outside(value)),
        }
    }

    fn check_cell(&self, value: &[u8]) -> Result<Option<(u32, u32)>, Error> {
        match parse_cell_reference(value) {
            Some(cell) => Ok(Some(cell)),
            None => Err(self.outside(value)),
        }
    }

    /// A cell or a range `A1:B2`; calamine subtracts the start from the end of a range, so an
    /// end before the start would overflow it.
    fn check_range(&self, value: &[u8]) -> Result<(), Error> {
        let mut cells = Vec::with_capacity(2);
        for cell in value.split(|b| *b == b':') {
            cells.extend(self.check_cell(cell)?);
        }
        if let [start, end] = cells[..]
            && (end.0 < start.0 || end.1 < start.1)
        {
            return Err(Error::corrupt(format!(
                "part `{}` has the range `{}`, whose end comes before its start",
                self.part,
                Self::shown(value)
            )));
        }
        Ok(())
    }
}

/// Where the `>` of a cell tag written the usual way is, in `rest` (the tag after its name):
/// attributes ` key="value"` with a short lower-case key and a short value of letters and
/// digits, every `r` a reference inside Excel's grid, then `>` or `/>`. Such a tag is one the
/// general path reads the same way and accepts; anything else (`None`) goes to it.
fn plain_cell_end(rest: &[u8]) -> Option<usize> {
    let len = rest.len();
    let mut at = 0;
    loop {
        match *rest.get(at)? {
            b'>' => return Some(at),
            b'/' => return (rest.get(at + 1) == Some(&b'>')).then_some(at + 1),
            b' ' => {}
            _ => return None,
        }
        at += 1;
        let key_start = at;
        while at < len && rest[at].is_ascii_lowercase() {
            at += 1;
        }
        let key_len = at - key_start;
        if key_len == 0 || key_len > 3 || at + 1 >= len || rest[at] != b'=' || rest[at + 1] != b'"'
        {
            return None;
        }
        let is_reference = key_len == 1 && rest[key_start] == b'r';
        at += 2;
        let value_start = at;
        while at < len && rest[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at - value_start > 16 || at >= len || rest[at] != b'"' {
            return None;
        }
        if is_reference && parse_cell_reference(&rest[value_start..at]).is_none() {
            return None;
        }
        at += 1;
    }
}

/// The first `<` in `hay`. Tags in a worksheet are a few bytes apart: a plain look at the next
/// 16 bytes finds most of them for less than a vectorized search costs to start.
fn find_tag_start(hay: &[u8]) -> Option<usize> {
    let near = hay.len().min(16);
    match hay[..near].iter().position(|byte| *byte == b'<') {
        Some(at) => Some(at),
        None => memchr(b'<', &hay[near..]).map(|at| near + at),
    }
}

/// The first `byte` in `hay`: a plain loop, cheaper than a vectorized search on the few bytes
/// of a tag's name or attributes.
fn find_byte(byte: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|b| *b == byte)
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
    // One pass: one to three letters, then one to seven digits.
    let mut column: u64 = 0;
    let mut at = 0;
    while at < value.len() && value[at].is_ascii_alphabetic() {
        if at == 3 {
            return None;
        }
        column = column * 26 + u64::from(value[at].to_ascii_uppercase() - b'A') + 1;
        at += 1;
    }
    let digits = &value[at..];
    if at == 0 || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let mut row: u64 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        row = row * 10 + u64::from(byte - b'0');
    }
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
    fn cell_tags_written_the_usual_way_read_as_on_the_general_path() {
        let row = |cells: &str| format!("<row r=\"1\">{cells}</row>");
        for accepted in [
            r#"<c r="A1" t="s"><v>1</v></c>"#,
            r#"<c r="XFD1048576" s="12"/>"#,
            r#"<c r="b2" t="inlineStr" cm="1"><is><t>x</t></is></c>"#,
            r#"<c r='A1'>"#,
            r#"<c  r="A1">"#,
            r#"<c r="A1"t="s">"#,
            "<c>",
        ] {
            assert_eq!(
                scan(row(accepted).as_bytes(), PartKind::Other),
                Ok((0, 0)),
                "{accepted}"
            );
        }
        for (refused, reference) in [
            (r#"<c r="XFE1" t="s">"#, "XFE1"),
            (r#"<c r="A1" r="A0">"#, "A0"),
            (r#"<c r="A1048577"/>"#, "A1048577"),
        ] {
            let error = scan(row(refused).as_bytes(), PartKind::Other).unwrap_err();
            assert!(
                error.contains(&format!("`{reference}`")),
                "{refused}: {error}"
            );
        }
    }

    proptest::proptest! {
        /// Cell tags near the usual shape read the same on the short path and the general one:
        /// the same error, or the same acceptance.
        #[test]
        fn cell_tags_read_the_same_on_the_short_path(
            tags in proptest::collection::vec(
                "<c(( |\t|)(r|t|s|vm|rr|R|)( |)=( |)(\"|'|)[A-Za-z0-9<>:/ ]{0,9}(\"|'|)){0,3}( |)(/|)(>|)(<v>1</v></c>|)",
                1..12,
            )
        ) {
            let xml = format!("<sheetData><row r=\"1\">{}</row></sheetData>", tags.concat());
            let _ = scan(xml.as_bytes(), PartKind::Other);
        }

        /// Any short tag soup reads the same on the short paths and the general one, in a
        /// worksheet, the shared strings and the styles.
        #[test]
        fn short_tags_read_the_same_on_the_short_paths(
            xml in "(<[a-zA-Z/!?:]{0,3}( |)>?|[a-z\"' =<>/:0-9]){0,60}"
        ) {
            for kind in [PartKind::Other, PartKind::SharedStrings, PartKind::Styles] {
                let _ = scan(xml.as_bytes(), kind);
            }
        }
    }

    #[test]
    fn the_parts_calamine_opens_follow_every_target_of_the_package_relationships() {
        let zip = |rels: &str| {
            let mut bytes = std::io::Cursor::new(Vec::new());
            let mut writer = zip::ZipWriter::new(&mut bytes);
            for (name, text) in [
                ("_rels/.rels", rels),
                ("xl/workbook.xml", "<workbook/>"),
                ("xl/worksheets/sheet1.xml", "<worksheet/>"),
            ] {
                writer
                    .start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut writer, text.as_bytes()).unwrap();
            }
            writer.finish().unwrap();
            bytes.into_inner()
        };
        let opened = |rels: &str| {
            let bytes = zip(rels);
            let split = Split::new(&bytes, &Limits::default()).unwrap();
            let names =
                |entries: &[Entry]| entries.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
            (names(&split.first), names(&split.second))
        };
        let normal = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
        assert_eq!(
            opened(normal),
            (
                vec!["_rels/.rels".to_string(), "xl/workbook.xml".to_string()],
                vec!["xl/worksheets/sheet1.xml".to_string()]
            )
        );
        // A workbook target on the worksheet: calamine would open it first.
        let to_sheet = r#"<Relationships><Relationship Type='x/officeDocument' Target='/XL\worksheets\Sheet1.xml'/></Relationships>"#;
        assert_eq!(opened(to_sheet).1, Vec::<String>::new());
        // The workbook's folder as the target: its `sharedStrings.xml`, `styles.xml`... and
        // `workbook.xml` are opened; here only the workbook exists.
        let folder = r#"<Relationships><Relationship Target="xl/worksheets/"/></Relationships>"#;
        assert_eq!(
            opened(folder).1,
            vec!["xl/worksheets/sheet1.xml".to_string()]
        );
        let sheet_folder =
            r#"<Relationships><Relationship Target="xl/worksheets/sheet1.xml"/></Relationships>"#;
        assert!(opened(sheet_folder).1.is_empty());
        // Character references would need decoding as calamine decodes them: no split.
        let encoded =
            r#"<Relationships><Relationship Target="xl/&#119;orkbook.xml"/></Relationships>"#;
        assert!(opened(encoded).1.is_empty());
        assert_eq!(opened(encoded).0.len(), 3);
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

    /// Reads one byte at a time, so every tag is split across reads.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((first, rest)), Some(slot)) => {
                    *slot = *first;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// Scans `xml` as a part of `kind`, whole and one byte at a time; both must agree.
    fn scan(xml: &[u8], kind: PartKind) -> Result<(u64, u64), String> {
        let limits = Limits {
            max_shared_strings: 3,
            ..Limits::default()
        };
        let mut outcomes = Vec::new();
        for (split, short_paths) in [(false, true), (true, true), (false, false), (true, false)] {
            let mut scan = Scan::new("part.xml", kind, &limits);
            scan.short_paths = short_paths;
            let outcome = if split {
                scan.run(OneByte(xml))
            } else {
                scan.run(xml)
            };
            outcomes.push(
                outcome
                    .map(|()| (scan.si_count, scan.style_records))
                    .map_err(|error| error.to_string()),
            );
        }
        for other in &outcomes[1..] {
            assert_eq!(&outcomes[0], other, "{}", String::from_utf8_lossy(xml));
        }
        outcomes.remove(0)
    }

    fn refused(xml: &[u8]) -> String {
        scan(xml, PartKind::Other).expect_err("refused")
    }

    #[test]
    fn the_scan_reads_references_wherever_they_are() {
        let outside = "has the cell reference `A99999999999`";
        assert!(refused(br#"<c r="A99999999999"/>"#).contains(outside));
        assert!(refused(br#"<x:c t="s" r = 'A99999999999'>"#).contains(outside));
        assert!(refused(br#"<c r="A1" r="A99999999999">"#).contains(outside));
        // A tag behind a comment or inside an attribute value is still a tag to the scan.
        assert!(refused(br#"<!-- --><c r="A99999999999"/>"#).contains(outside));
        assert!(refused(br#"<x a="<c r='A1'/>"/><c r="A99999999999"/>"#).contains(outside));
        assert!(refused(br#"<x a="<c x='"/><c r="A99999999999"/>'>"/>"#).contains("`<` inside"));
        assert!(refused(br#"<row r="1" a'="x' ><c r="A99999999999"/>">"#).contains(outside));
        assert!(refused(br#"<row r="0">"#).contains("reference `0`"));
        assert!(refused(br#"<dimension ref="B2:A1"/>"#).contains("end comes before its start"));
        assert!(refused(br#"<c r="A1""#).contains("`<c>` tag that is not closed"));
        assert!(refused(br#"<c r=A1>"#).contains("without quotes"));
        assert!(refused(b"<c hidden>").contains("without a value"));
        // What is not a tag calamine reads passes.
        assert_eq!(
            scan(
                br#"<cell r="A99999999999"/><c/><c r="XFD1048576"></c><c:f>x</c:f>"#,
                PartKind::Other
            ),
            Ok((0, 0))
        );
        assert_eq!(
            scan(br#"<c'r="A99999999999"/>"#, PartKind::Other),
            Ok((0, 0))
        );
    }

    #[test]
    fn the_scan_stops_where_the_parser_would() {
        // A byte that is not UTF-8 ends what quick-xml reads, and the scan.
        assert_eq!(
            scan(b"<x/>\xFF<c r=\"A99999999999\"/>", PartKind::Other),
            Ok((0, 0))
        );
        // A UTF-16 byte-order mark is dropped, the bytes after it read.
        assert!(refused(b"\xFF\xFE<c r=\"A99999999999\"/>").contains("A99999999999"));
        // A tag cut by the end of the UTF-8 bytes is not refused: the parser fails there.
        assert_eq!(scan(b"<c r=\"A1\xFF\"/>", PartKind::Other), Ok((0, 0)));
    }

    #[test]
    fn the_scan_counts_shared_strings_and_style_records() {
        let sst = br#"<sst uniqueCount="3"><si><t>a</t></si><x:si/><si></si></sst>"#;
        assert_eq!(scan(sst, PartKind::SharedStrings), Ok((3, 0)));
        let four = br#"<sst><si/><si/><si/><si/></sst>"#;
        assert!(
            scan(four, PartKind::SharedStrings)
                .unwrap_err()
                .contains("number of shared strings (4) exceeds the limit of 3")
        );
        assert!(
            scan(br#"<sst uniqueCount="4">"#, PartKind::SharedStrings)
                .unwrap_err()
                .contains("declared number of shared strings (4)")
        );
        let styles = br#"<numFmts><numFmt numFmtId="164" formatCode="0.0"/></numFmts><fonts><font/></fonts><cellXfs><xf/><xf numFmtId="164"/></cellXfs>"#;
        assert_eq!(scan(styles, PartKind::Styles), Ok((0, 4)));
    }
}
