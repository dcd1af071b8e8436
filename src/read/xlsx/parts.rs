//! The parts a workbook is opened with: the package and workbook relationships, the workbook's
//! list of sheets, the shared strings and the cell formats, each read as calamine reads it.

use std::collections::HashMap;
use std::io::Read;

use crate::error::Error;
use crate::read::shown::{NumberFormat, classify};
use crate::read::xlsx::xml::{Event, Xml, decode, decode_attribute, unescape_excel};

/// What a cell format makes of a number, as calamine decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateKind {
    /// A number.
    Other,
    /// A date, a time, or both.
    DateTime,
    /// A duration (`[h]:mm:ss`).
    Duration,
}

/// The shared strings, in one string with the end of each.
#[derive(Debug, Default)]
pub(crate) struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    pub(crate) fn get(&self, index: usize) -> Option<&str> {
        crate::model::packed(&self.text, &self.ends, index)
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// The first value of each of `keys` among a tag's attributes, as calamine's `get_attrs!`
/// takes them (a later value of a key replaces an earlier one until every key was seen).
/// `None` when an attribute is malformed, where calamine stops with an error.
pub(crate) fn pick<'a, const N: usize>(
    raw: &'a [u8],
    keys: [&str; N],
) -> Option<[Option<&'a [u8]>; N]> {
    let mut found = [None; N];
    let mut count = 0;
    let mut rest = raw;
    while let Some((key, value, after)) = next_attribute(rest)? {
        if let Some(at) = keys.iter().position(|wanted| wanted.as_bytes() == key) {
            found[at] = Some(value);
            count += 1;
            if count == N {
                break;
            }
        }
        rest = after;
    }
    Some(found)
}

/// The next attribute of `raw` and what follows it, split as calamine's `RawAttrIter` splits
/// them (as the OpenDocument reader's `Attributes` does, with plain loops for short tags):
/// `Some(None)` at the end,
/// `None` when malformed.
#[allow(clippy::type_complexity)]
fn next_attribute(raw: &[u8]) -> Option<Option<(&[u8], &[u8], &[u8])>> {
    let start = match raw.iter().position(|byte| !byte.is_ascii_whitespace()) {
        Some(start) => start,
        None => return Some(None),
    };
    let equals = start + raw[start..].iter().position(|&byte| byte == b'=')?;
    let key = raw[start..equals].trim_ascii_end();
    let mut at = equals + 1;
    while raw.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    let quote = *raw
        .get(at)
        .filter(|&&quote| quote == b'"' || quote == b'\'')?;
    let value_start = at + 1;
    let value_end = raw[value_start..]
        .iter()
        .position(|&byte| byte == quote)
        .map_or(raw.len(), |end| value_start + end);
    let after = raw.get(value_end + 1..).unwrap_or_default();
    Some(Some((key, &raw[value_start..value_end], after)))
}

/// The first value of `key`, as calamine's `raw_attr` finds it.
pub(crate) fn attribute<'a>(raw: &'a [u8], key: &[u8]) -> Option<Option<&'a [u8]>> {
    let mut rest = raw;
    while let Some((found, value, after)) = next_attribute(rest)? {
        if found == key {
            return Some(Some(value));
        }
        rest = after;
    }
    Some(None)
}

/// A number as calamine's integer parser reads a style or string index: digits only, leading
/// zeros allowed; `None` otherwise.
pub(crate) fn parse_index(value: &[u8]) -> Option<usize> {
    if value.is_empty() {
        return None;
    }
    let mut number: usize = 0;
    for &byte in value {
        if !byte.is_ascii_digit() {
            return None;
        }
        number = number
            .checked_mul(10)?
            .checked_add(usize::from(byte - b'0'))?;
    }
    Some(number)
}

/// The workbook's target from the package relationships: (its folder, its name).
pub(crate) fn package_relationships<R: Read>(xml: &mut Xml<R>) -> Option<(String, String)> {
    loop {
        match xml.next().ok()? {
            Event::Start { name, .. } if xml.bytes(name) == b"Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    let mut target = None;
    loop {
        match xml.next().ok()? {
            Event::Start { name, attributes } if xml.bytes(name) == b"Relationship" => {
                let [kind, found] = pick(xml.bytes(attributes), ["Type", "Target"])?;
                if kind.is_some_and(|kind| kind.ends_with(b"/relationships/officeDocument"))
                    && let Some(found) = found
                {
                    target = Some(decode_attribute(found).ok()?);
                }
            }
            Event::End { name } if xml.bytes(name) == b"Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    let target = target?;
    let (dir, name) = match target.rfind('/') {
        Some(at) => target.split_at(at + 1),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    Some((dir, name.to_string()))
}

/// The workbook's relationships: id → (target, type), raw.
pub(crate) fn relationships<R: Read>(
    xml: &mut Xml<R>,
) -> Option<HashMap<Vec<u8>, (String, String)>> {
    let mut found = HashMap::new();
    loop {
        match xml.next().ok()? {
            Event::Start { name, attributes } if xml.bytes(name) == b"Relationship" => {
                let [id, kind, target] = pick(xml.bytes(attributes), ["Id", "Type", "Target"])?;
                if let Some(id) = id {
                    let text = |value: Option<&[u8]>| {
                        std::str::from_utf8(value.unwrap_or_default()).map(str::to_string)
                    };
                    found.insert(id.to_vec(), (text(target).ok()?, text(kind).ok()?));
                }
            }
            Event::End { name } if xml.bytes(name) == b"Relationships" => return Some(found),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// A sheet the workbook lists.
#[derive(Debug, Clone)]
pub(crate) struct SheetEntry {
    pub(crate) name: String,
    /// Its part, as calamine resolves the relationship's target.
    pub(crate) path: String,
    /// A worksheet (not a chart sheet or a dialog sheet).
    pub(crate) worksheet: bool,
}

/// The workbook's sheets and whether its dates count from 1904. `None` where calamine would
/// stop with an error, or meets what it is not read here.
pub(crate) fn workbook<R: Read>(
    xml: &mut Xml<R>,
    relationships: &HashMap<Vec<u8>, (String, String)>,
    folder: &str,
) -> Option<(Vec<SheetEntry>, bool)> {
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    loop {
        match xml.next().ok()? {
            Event::Start { name, attributes } if xml.bytes(name) == b"sheet" => {
                let mut sheet_name = String::new();
                let mut id: &[u8] = b"";
                let mut rest = xml.bytes(attributes);
                while let Some((key, value, after)) = next_attribute(rest)? {
                    rest = after;
                    match key {
                        b"name" => sheet_name = decode_attribute(value).ok()?,
                        b"state" if !matches!(value, b"visible" | b"hidden" | b"veryHidden") => {
                            return None;
                        }
                        key if key == b"id" || key.ends_with(b":id") => id = value,
                        _ => {}
                    }
                }
                let (target, kind) = relationships.get(id)?;
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("{folder}{target}"),
                };
                let worksheet = match kind.rsplit('/').next() {
                    Some("worksheet") => true,
                    Some("chartsheet" | "dialogsheet") => false,
                    _ => return None,
                };
                sheets.push(SheetEntry {
                    name: sheet_name,
                    path,
                    worksheet,
                });
            }
            Event::Start { name, attributes } if xml.bytes(name) == b"workbookPr" => {
                if let Some(value) = attribute(xml.bytes(attributes), b"date1904")? {
                    is_1904 = value == b"1" || value == b"true";
                }
            }
            Event::End { name } if xml.bytes(name) == b"workbook" => {
                return Some((sheets, is_1904));
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// Reads a string item (`<si>` or `<is>`, whose start was just read) as calamine reads it:
/// its `<t>` texts, rich runs joined, phonetic runs left out, trimmed unless
/// `xml:space="preserve"`, Excel's `_xHHHH_` escapes decoded.
pub(crate) fn string_item<R: Read>(
    xml: &mut Xml<R>,
    closing: &[u8],
    text: &mut String,
) -> Result<(), Error> {
    // Every `<t>` outside a phonetic run, in order: calamine starts its buffer at the first
    // `<r>` or `<t>` and appends each text to it.
    let mut phonetic = false;
    let mut value = String::new();
    loop {
        match xml.next()? {
            Event::Start { name, .. } if xml.bytes(name) == b"rPh" => phonetic = true,
            Event::End { name } if xml.bytes(name) == closing => return Ok(()),
            Event::End { name } if xml.bytes(name) == b"rPh" => phonetic = false,
            Event::Start { name, attributes } if xml.bytes(name) == b"t" && !phonetic => {
                let preserve = matches!(
                    attribute(xml.bytes(attributes), b"xml:space"),
                    Some(Some(b"preserve"))
                );
                value.clear();
                xml.read_text(b"t", &mut value)?;
                push_text(text, &value, preserve);
            }
            Event::Eof => return Err(xml.ends_inside(closing)),
            _ => {}
        }
    }
}

/// Appends the text of a `<t>` (entities decoded) as calamine keeps it: trimmed of ASCII
/// spaces unless `xml:space="preserve"`, Excel's `_xHHHH_` escapes decoded.
fn push_text(out: &mut String, text: &str, preserve: bool) {
    let kept = if preserve {
        text
    } else {
        text.trim_matches([' ', '\t', '\r', '\n'])
    };
    out.push_str(&unescape_excel(kept));
}

/// The shared strings, with at most `limit` of them.
pub(crate) fn shared_strings<R: Read>(xml: &mut Xml<R>, limit: u64) -> Option<Strings> {
    loop {
        match xml.next().ok()? {
            Event::Start { name, .. } if xml.bytes(name) == b"sst" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    let mut strings = Strings::default();
    let mut decoded = String::new();
    loop {
        if let Some((span, preserve)) = xml.plain_item() {
            if strings.ends.len() as u64 >= limit {
                return None;
            }
            decoded.clear();
            decode(xml.bytes(span), &mut decoded).ok()?;
            push_text(&mut strings.text, &decoded, preserve);
            strings.ends.push(u32::try_from(strings.text.len()).ok()?);
            continue;
        }
        match xml.next().ok()? {
            Event::Start { name, .. } if xml.bytes(name) == b"si" => {
                if strings.ends.len() as u64 >= limit {
                    return None;
                }
                string_item(xml, b"si", &mut strings.text).ok()?;
                strings.ends.push(u32::try_from(strings.text.len()).ok()?);
            }
            Event::End { name } if xml.bytes(name) == b"sst" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    strings.text.shrink_to_fit();
    strings.ends.shrink_to_fit();
    Some(strings)
}

/// Per cell format (`<xf>` of `<cellXfs>`): what it makes of a number, and its number format
/// where that changes what a number shows.
pub(crate) type Formats = (Vec<DateKind>, Vec<Option<NumberFormat>>);

/// The cell formats of the styles part.
pub(crate) fn styles<R: Read>(xml: &mut Xml<R>) -> Option<Formats> {
    let mut codes: HashMap<Vec<u8>, String> = HashMap::new();
    let mut kinds = Vec::new();
    let mut shown = Vec::new();
    loop {
        match xml.next().ok()? {
            Event::Start { name, .. } if xml.bytes(name) == b"numFmts" => loop {
                match xml.next().ok()? {
                    Event::Start { name, attributes } if xml.bytes(name) == b"numFmt" => {
                        let [id, code] = pick(xml.bytes(attributes), ["numFmtId", "formatCode"])?;
                        if let (Some(id), Some(code)) = (id, code) {
                            codes.insert(id.to_vec(), decode_attribute(code).ok()?);
                        }
                    }
                    Event::End { name } if xml.bytes(name) == b"numFmts" => break,
                    Event::Eof => return None,
                    _ => {}
                }
            },
            Event::Start { name, .. } if xml.bytes(name) == b"cellXfs" => loop {
                match xml.next().ok()? {
                    Event::Start { name, attributes } if xml.bytes(name) == b"xf" => {
                        let id = attribute(xml.bytes(attributes), b"numFmtId")?.map(<[u8]>::to_vec);
                        xml.skip_to_end(b"xf").ok()?;
                        let Some(id) = id else {
                            kinds.push(DateKind::Other);
                            shown.push(None);
                            continue;
                        };
                        kinds.push(match codes.get(&id) {
                            Some(code) => date_kind(code),
                            None => builtin_date_kind(&id),
                        });
                        let number = parse_index(&id).and_then(|id| u32::try_from(id).ok());
                        shown.push(number.and_then(|number| {
                            let code = codes
                                .get(&id)
                                .map(String::as_str)
                                .or_else(|| builtin_code(number))
                                .unwrap_or("General");
                            classify(code)
                        }));
                    }
                    Event::End { name } if xml.bytes(name) == b"cellXfs" => break,
                    Event::Eof => return None,
                    _ => {}
                }
            },
            Event::End { name } if xml.bytes(name) == b"styleSheet" => return Some((kinds, shown)),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// Whether a number format shows a date, a time or a duration, by the rules calamine follows
/// (those of openpyxl): the first section only; quoted text, escaped characters and bracketed
/// colours and conditions aside; `[h]`, `[m]` or `[s]` make a duration.
pub(crate) fn date_kind(format: &str) -> DateKind {
    let mut escaped = false;
    let mut quoted = false;
    let mut brackets = 0u8;
    let mut previous = ' ';
    let mut elapsed = false;
    let mut am_pm = false;
    for c in format.chars() {
        match (c, escaped, quoted, am_pm, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => (),
            ('"', ..) => quoted = true,
            (';', ..) => return DateKind::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if elapsed => return DateKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => am_pm = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return DateKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return DateKind::DateTime;
            }
            _ => {
                if !(elapsed && c.eq_ignore_ascii_case(&previous)) {
                    elapsed = previous == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        previous = c;
    }
    DateKind::Other
}

/// What a built-in number format (by its id as written) makes of a number.
fn builtin_date_kind(id: &[u8]) -> DateKind {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47"
        | b"27" | b"28" | b"29" | b"30" | b"31" | b"32" | b"33" | b"34" | b"35" | b"36" | b"50"
        | b"51" | b"52" | b"53" | b"54" | b"55" | b"56" | b"57" | b"58" => DateKind::DateTime,
        b"46" => DateKind::Duration,
        _ => DateKind::Other,
    }
}

/// The code of a built-in number format that changes what a number shows (ECMA-376 18.8.30).
fn builtin_code(id: u32) -> Option<&'static str> {
    Some(match id {
        0 => "General",
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        12 => "# ?/?",
        13 => "# ??/??",
        14 => "mm-dd-yy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "m/d/yy h:mm",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        41 => "_(* #,##0_);_(* (#,##0);_(* \"-\"_);_(@_)",
        42 => "_($* #,##0_);_($* (#,##0);_($* \"-\"_);_(@_)",
        43 => "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)",
        44 => "_($* #,##0.00_);_($* (#,##0.00);_($* \"-\"??_);_(@_)",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mmss.0",
        48 => "##0.0E+0",
        49 => "@",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ods::xml::Attributes;

    /// Every attribute of `raw` as [`next_attribute`] splits them, or `None` when malformed.
    fn split(raw: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        let mut rest = raw;
        while let Some((key, value, after)) = next_attribute(rest)? {
            out.push((key.to_vec(), value.to_vec()));
            rest = after;
        }
        Some(out)
    }

    proptest::proptest! {
        /// The plain splitter splits as the reader of OpenDocument parts does, which splits as
        /// calamine does: the same pairs, and malformed where it is.
        #[test]
        fn attributes_split_as_calamine_splits_them(raw in "[ a-z=\"':\t]{0,24}") {
            let expected: Option<Vec<(Vec<u8>, Vec<u8>)>> = Attributes::new(raw.as_bytes())
                .map(|pair| pair.ok().map(|(key, value)| (key.to_vec(), value.to_vec())))
                .collect();
            proptest::prop_assert_eq!(split(raw.as_bytes()), expected);
        }
    }

    #[test]
    fn indexes_read_as_calamines_integer_parser_reads_them() {
        assert_eq!(parse_index(b"12"), Some(12));
        assert_eq!(parse_index(b"000000000000000000000000007"), Some(7));
        assert_eq!(parse_index(b""), None);
        assert_eq!(parse_index(b"+1"), None);
        assert_eq!(parse_index(b" 1"), None);
        assert_eq!(parse_index(b"99999999999999999999999"), None);
    }

    #[test]
    fn date_formats_are_told_from_number_formats_as_calamine_tells_them() {
        for (format, kind) in [
            ("yyyy-mm-dd", DateKind::DateTime),
            ("[h]:mm:ss", DateKind::Duration),
            ("h:mm AM/PM", DateKind::DateTime),
            ("0.00", DateKind::Other),
            ("\"day\" 0", DateKind::Other),
            ("[Red]0;[Blue]d", DateKind::Other),
            ("_d0", DateKind::Other),
            ("General", DateKind::Other),
        ] {
            assert_eq!(date_kind(format), kind, "{format}");
        }
        assert_eq!(builtin_date_kind(b"14"), DateKind::DateTime);
        assert_eq!(builtin_date_kind(b"46"), DateKind::Duration);
        assert_eq!(builtin_date_kind(b"49"), DateKind::Other);
    }
}
