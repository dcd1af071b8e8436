//! Checks on the `.xlsx` package (a zip archive of XML parts) before any XML parser sees it.
//!
//! calamine trusts its input: a crafted `uniqueCount` or cell reference aborts or overflows it.
//! Everything that could make it allocate without bound or overflow is checked here first:
//! declared sizes, the compression ratio, the number of shared strings, what the styles part
//! makes it copy, and every cell reference of every part (whatever its name, and wherever in it:
//! comments and attribute values cannot hide a tag from the scan).

use std::io::{Read, Seek, SeekFrom};

use crate::error::{Error, FileKind, Limit};
use crate::read::limits::Limits;

mod grid;
mod scan;
mod sniff;

pub(crate) use grid::{
    MAX_GRID_COLUMNS, MAX_GRID_ROWS, column_letters, parse_cell_reference, parse_row,
};
use scan::{PartKind, Scan};
pub(crate) use sniff::sniff;

/// Parts smaller than this are not held to the compression ratio.
const RATIO_FLOOR: u64 = 1024 * 1024;

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

/// What the package check learned.
#[derive(Debug, Clone, Default)]
pub(crate) struct PackageInfo {
    /// The number of `<si>` elements in the shared strings, if there is such a part.
    pub(crate) shared_strings: u64,
    /// The name of the VBA project part (`xl/vbaProject.bin`) of a macro-enabled workbook.
    pub(crate) macros: Option<String>,
    /// The parts, by the name calamine looks them up with (`\` as `/`, lower case), that our
    /// own reader does not read: a comment, a CDATA section or a byte that is not UTF-8.
    pub(crate) unusual: std::collections::HashSet<String>,
}

impl PackageInfo {
    /// What two scans of parts side by side learned together.
    pub(crate) fn merge(self, other: PackageInfo) -> PackageInfo {
        let mut unusual = self.unusual;
        unusual.extend(other.unusual);
        PackageInfo {
            shared_strings: self.shared_strings.max(other.shared_strings),
            macros: self.macros.or(other.macros),
            unusual,
        }
    }
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
            what: Limit::FileSize,
            value: size,
            limit: limits.max_file_bytes,
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
pub(crate) fn normalized_name(name: &str) -> String {
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
        what: Limit::Parts,
        value: count,
        limit: limits.max_entries as u64,
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
    // The zip crate keeps one entry of a name; Excel or another reader may show the other, so
    // what the administrator sees would not be what is imported.
    if archive.has_duplicate_names() {
        return Err(Error::corrupt(
            "its zip directory lists two parts under one name",
        ));
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
                what: Limit::PartSize,
                value: size,
                limit: limits.max_part_bytes,
            });
        }
        total = total.saturating_add(size);
        if size > RATIO_FLOOR && size / compressed.max(1) > limits.max_ratio {
            return Err(Error::LimitExceeded {
                what: Limit::Ratio,
                value: size / compressed.max(1),
                limit: limits.max_ratio,
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
            what: Limit::TotalSize,
            value: total,
            limit: limits.max_total_bytes,
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
                what: Limit::SharedStringsSize,
                value: entry.size,
                limit: limits.max_shared_strings_bytes,
            }));
        }
        let part = archive.by_index(entry.index).map_err(|error| {
            at(Error::corrupt_from(
                format!("part `{}` cannot be read", entry.name),
                error,
            ))
        })?;
        if lower.ends_with("vbaproject.bin") && info.macros.is_none() {
            info.macros = Some(entry.name.clone());
        }
        let mut scan = Scan::new(&entry.name, kind, limits);
        scan.run(part).map_err(at)?;
        if scan.unusual {
            info.unusual.insert(normalized_name(&entry.name));
        }
        if kind == PartKind::SharedStrings {
            info.shared_strings = info.shared_strings.max(scan.si_count);
        }
    }
    Ok(info)
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
}
