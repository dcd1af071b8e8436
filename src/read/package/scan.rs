//! The tag scan of every part the reader opens: cell references inside Excel's grid, the
//! declared and real shared-strings counts, what the styles part makes calamine copy, and no
//! DOCTYPE or entity, in one pass over the inflated bytes.

use std::io::Read;

use memchr::memchr;

use crate::error::{Error, Limit};
use crate::read::limits::Limits;
use crate::read::package::grid::{MAX_GRID_ROWS, parse_cell_reference};

/// The longest element name, and the longest tag whose attributes the scan reads (`<c>`,
/// `<row>`, `<f>`, `<dimension>`, `<sst>`, and the tags of the styles part); longer ones are
/// refused as damaged.
const MAX_TAG: usize = 64 * 1024;

/// What the scan looks for in a part, from its name (as calamine finds it: case and `\` aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PartKind {
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
pub(super) struct Scan<'l> {
    part: String,
    kind: PartKind,
    /// `<si>` elements of the shared-strings part.
    pub(super) si_count: u64,
    /// `<sheet>` elements: the sheets a workbook part lists.
    sheets: u64,
    /// Records of the styles part: `xf`, `font`, `fill`, `border` and `numFmt` elements.
    style_records: u64,
    /// The longest attribute value of the styles part.
    longest_value: u64,
    /// A comment, a CDATA section or a byte that is not UTF-8: our reader leaves it to calamine.
    pub(super) unusual: bool,
    /// Whether one-letter tags and cell tags written the usual way ([`plain_cell_end`]) take
    /// their short paths; tests turn them off to compare with the general path.
    short_paths: bool,
    limits: &'l Limits,
}

impl<'l> Scan<'l> {
    pub(super) fn new(part: &str, kind: PartKind, limits: &'l Limits) -> Scan<'l> {
        Scan {
            part: part.to_string(),
            kind,
            si_count: 0,
            sheets: 0,
            style_records: 0,
            longest_value: 0,
            unusual: false,
            short_paths: true,
            limits,
        }
    }

    pub(super) fn run<R: Read>(&mut self, mut part: R) -> Result<(), Error> {
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
                        (cut, self.unusual) = (true, true);
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
        // A document type declaration could define entities that expand a few bytes into
        // gigabytes (billion laughs) or name a file or URL to read in (an external entity).
        // The Open Packaging Conventions forbid one in a package's XML, and calamine's parser
        // would stop at the first entity it does not know anyway: refused, naming the part.
        if next == b'!' {
            const DOCTYPE: &[u8] = b"<!DOCTYPE";
            let seen = text.len().min(DOCTYPE.len());
            if text[..seen].eq_ignore_ascii_case(&DOCTYPE[..seen]) {
                if seen < DOCTYPE.len() {
                    return Ok(done.then_some(seen));
                }
                return Err(Error::corrupt(format!(
                    "part `{}` has a document type declaration (`<!DOCTYPE`), which a workbook never has",
                    self.part
                )));
            }
        }
        // Comments, CDATA sections, processing instructions and end tags: what follows is
        // looked at like the rest.
        self.unusual |= next == b'!';
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
        if local == b"sheet" {
            // A workbook's list of sheets; counted in every part, as any part may be the one
            // the relationships make calamine open as the workbook.
            self.sheets += 1;
            if self.sheets > self.limits.max_sheets {
                return Err(Error::LimitExceeded {
                    what: Limit::Sheets,
                    value: self.sheets,
                    limit: self.limits.max_sheets,
                });
            }
        }
        match self.kind {
            PartKind::SharedStrings if local == b"si" => {
                self.si_count += 1;
                if self.si_count > self.limits.max_shared_strings {
                    return Err(Error::LimitExceeded {
                        what: Limit::SharedStrings,
                        value: self.si_count,
                        limit: self.limits.max_shared_strings,
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
                    what: Limit::Styles,
                    value: self.style_records,
                    limit: allowed,
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
                what: Limit::DeclaredSharedStrings,
                value: count,
                limit: self.limits.max_shared_strings,
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_document_type_declaration_is_refused_wherever_it_is() {
        let doctype = "has a document type declaration (`<!DOCTYPE`)";
        for xml in [
            &b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"[..],
            b"<!doctype x SYSTEM \"file:///etc/passwd\"><x/>",
            b"<x><!-- <!DOCTYPE x> --></x>",
        ] {
            assert!(
                refused(xml).contains(doctype),
                "{}",
                String::from_utf8_lossy(xml)
            );
        }
        for kind in [PartKind::SharedStrings, PartKind::Styles] {
            assert!(
                scan(b"<!DOCTYPE sst><sst/>", kind)
                    .unwrap_err()
                    .contains(doctype)
            );
        }
        // Comments, CDATA and a declaration cut short are not one.
        assert_eq!(
            scan(b"<!-- x --><![CDATA[y]]><x/><!DOCT", PartKind::Other),
            Ok((0, 0))
        );
    }
}
