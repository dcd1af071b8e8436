//! A pull reader of the XML parts of a workbook written the usual way: start tags (an empty
//! element gives a start and an end, as calamine's parser is set to give them), end tags and
//! text, read a chunk at a time in bounded memory. A processing instruction (the XML
//! declaration) is an event of its own, as calamine's parser gives one: read past everywhere
//! but where a value's first event is taken. A comment, a CDATA section or a document type
//! declaration is an error, for the package scan sends a part that has one to calamine.

use std::io::Read;

use crate::error::Error;

/// The longest tag read; a longer one is refused as damaged. calamine's parser holds a tag
/// whole, however long; a real workbook's longest tags are a few kilobytes, and a crafted one
/// with 200,000 attributes (a few megabytes) is still read.
const MAX_TAG: usize = 64 * 1024 * 1024;

/// How much text is handed out at most in one [`Event::Text`]: longer text comes in pieces.
const MAX_TEXT_PIECE: usize = 1024 * 1024;

/// Bytes read from the part at a time.
const CHUNK: usize = 128 * 1024;

/// A range of the reader's buffer, valid until the next call to [`Xml::next`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    start: usize,
    end: usize,
}

/// What the reader met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    /// A start tag: its local name (after any prefix) and its attributes, raw.
    Start { name: Span, attributes: Span },
    /// An end tag, or the end of an empty element: its local name.
    End { name: Span },
    /// Text, raw (entities not decoded).
    Text(Span),
    /// A processing instruction (the XML declaration): where calamine looks for text or a
    /// tag, it meets something else.
    Other,
    /// The end of the part.
    Eof,
}

/// A cell written the usual way ([`Xml::plain_cell`]): its attributes and its value's text.
pub(super) struct PlainCell {
    pub(super) reference: Span,
    pub(super) style: Option<Span>,
    pub(super) kind: Option<Span>,
    pub(super) text: Span,
}

/// The reader of one part.
pub(crate) struct Xml<R> {
    part: R,
    /// The part's name, for messages.
    pub(super) name: String,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// The end of the empty element just started, to give next.
    pending_end: Option<Span>,
    /// Whether cells and string items written the usual way are read whole
    /// ([`Xml::plain_cell`], [`Xml::plain_item`]); tests turn it off to compare the paths.
    pub(super) short_paths: bool,
}

impl<R: Read> Xml<R> {
    pub(super) fn new(part: R, name: &str) -> Xml<R> {
        Xml {
            part,
            name: name.to_string(),
            buf: Vec::with_capacity(2 * CHUNK),
            pos: 0,
            eof: false,
            pending_end: None,
            short_paths: true,
        }
    }

    /// The bytes of a span of the last event.
    pub(super) fn bytes(&self, span: Span) -> &[u8] {
        &self.buf[span.start..span.end]
    }

    pub(super) fn damaged(&self, what: &str) -> Error {
        Error::corrupt(format!("part `{}` {what}", self.name))
    }

    /// Reads the next chunk, dropping what was looked at.
    fn more(&mut self) -> Result<(), Error> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        let start = self.buf.len();
        self.buf.resize(start + CHUNK, 0);
        let read = loop {
            match self.part.read(&mut self.buf[start..]) {
                Ok(read) => break read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => {
                    self.buf.truncate(start);
                    return Err(Error::corrupt_from(
                        format!("part `{}` cannot be inflated", self.name),
                        error,
                    ));
                }
            }
        };
        self.buf.truncate(start + read);
        self.eof = read == 0;
        Ok(())
    }

    /// The next event.
    pub(super) fn next(&mut self) -> Result<Event, Error> {
        if let Some(name) = self.pending_end.take() {
            return Ok(Event::End { name });
        }
        loop {
            if self.pos >= self.buf.len() {
                if self.eof {
                    return Ok(Event::Eof);
                }
                self.more()?;
                continue;
            }
            if self.buf[self.pos] != b'<' {
                return self.text_event();
            }
            if self.buf.len() - self.pos < 2 {
                if self.eof {
                    return Err(self.damaged("ends inside a tag"));
                }
                self.more()?;
                continue;
            }
            return match self.buf[self.pos + 1] {
                b'/' => self.end_tag(),
                b'?' => {
                    self.skip_instruction()?;
                    Ok(Event::Other)
                }
                b'!' => Err(self.damaged(
                    "has a comment, a CDATA section or a declaration where none was found before",
                )),
                _ => self.start_tag(),
            };
        }
    }

    fn text_event(&mut self) -> Result<Event, Error> {
        loop {
            let start = self.pos;
            // Most text is a few bytes (a number, an index): look at those before searching.
            let near = &self.buf[start..self.buf.len().min(start + 16)];
            let found = match near.iter().position(|&byte| byte == b'<') {
                Some(at) => Some(at),
                None => memchr::memchr(b'<', &self.buf[start..]),
            };
            if let Some(at) = found {
                self.pos = start + at;
                return Ok(Event::Text(Span {
                    start,
                    end: self.pos,
                }));
            }
            let pending = self.buf.len() - start;
            if self.eof {
                self.pos = self.buf.len();
                return Ok(Event::Text(Span {
                    start,
                    end: self.pos,
                }));
            }
            if pending >= MAX_TEXT_PIECE {
                let end = start + piece_end(&self.buf[start..]);
                self.pos = end;
                return Ok(Event::Text(Span { start, end }));
            }
            self.more()?;
        }
    }

    /// Skips a processing instruction (the XML declaration) past its `?>`.
    fn skip_instruction(&mut self) -> Result<(), Error> {
        let mut from = self.pos + 2;
        loop {
            if let Some(at) = memchr::memmem::find(&self.buf[from..], b"?>") {
                self.pos = from + at + 2;
                return Ok(());
            }
            if self.eof || self.buf.len() - self.pos > MAX_TAG {
                return Err(self.damaged("has a processing instruction that does not end"));
            }
            let seen = self.buf.len().saturating_sub(1) - self.pos;
            self.more()?;
            from = seen.max(2);
        }
    }

    fn end_tag(&mut self) -> Result<Event, Error> {
        // Where the search goes on from, past what was looked at: a long tag is read once.
        let mut scanned = self.pos;
        let end = loop {
            if let Some(at) = self.buf[scanned..].iter().position(|&byte| byte == b'>') {
                break scanned + at;
            }
            if self.eof || self.buf.len() - self.pos > MAX_TAG {
                return Err(self.damaged("has an end tag that does not end"));
            }
            scanned = self.buf.len() - self.pos;
            self.more()?;
        };
        let name = local_name(
            &self.buf,
            self.pos + 2,
            trim_end(&self.buf, self.pos + 2, end),
        );
        self.pos = end + 1;
        Ok(Event::End { name })
    }

    fn start_tag(&mut self) -> Result<Event, Error> {
        // The first `>` outside quotes ends the tag, as quick-xml ends it. Tags are short: a
        // plain loop is faster here than a vectorized search.
        let mut scanned = self.pos + 1;
        let mut quote: Option<u8> = None;
        let end = loop {
            let found = self.buf[scanned..].iter().position(|&byte| match quote {
                Some(open) => {
                    if byte == open {
                        quote = None;
                    }
                    false
                }
                None => {
                    if byte == b'"' || byte == b'\'' {
                        quote = Some(byte);
                    }
                    byte == b'>'
                }
            });
            if let Some(at) = found {
                break scanned + at;
            }
            if self.eof || self.buf.len() - self.pos > MAX_TAG {
                return Err(self.damaged("has a tag that does not end"));
            }
            let before = self.pos;
            scanned = self.buf.len();
            self.more()?;
            scanned -= before;
        };
        let start = self.pos + 1;
        let empty = end > start && self.buf[end - 1] == b'/';
        let content_end = if empty { end - 1 } else { end };
        let name_end = self.buf[start..content_end]
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .map_or(content_end, |at| start + at);
        let name = local_name(&self.buf, start, name_end);
        let attributes = Span {
            start: name_end,
            end: content_end,
        };
        self.pos = end + 1;
        if empty {
            self.pending_end = Some(name);
        }
        Ok(Event::Start { name, attributes })
    }

    /// A cell written the usual way, `<c r="B2" s="1" t="s"><v>text</v></c>` (each attribute
    /// but `r` optional, in that order, with one space before each), read whole from the
    /// reader's place; `None` (nothing read) when what follows is written otherwise or is not
    /// all read yet. It is what the tag, the text and the three ends read one by one give.
    pub(super) fn plain_cell(&mut self) -> Option<PlainCell> {
        if self.pending_end.is_some() || !self.short_paths {
            return None;
        }
        let rest = &self.buf[self.pos..];
        if !rest.starts_with(b"<c r=\"") {
            return None;
        }
        let mut at = 6;
        let value = |at: usize, rest: &[u8]| -> Option<(Span, usize)> {
            let length = rest
                .get(at..)?
                .iter()
                .take(24)
                .position(|&byte| byte == b'"')?;
            let start = self.pos + at;
            Some((
                Span {
                    start,
                    end: start + length,
                },
                at + length + 1,
            ))
        };
        let (reference, next) = value(at, rest)?;
        at = next;
        let mut style = None;
        let mut kind = None;
        if rest.get(at..at + 4) == Some(b" s=\"") {
            let (span, next) = value(at + 4, rest)?;
            style = Some(span);
            at = next;
        }
        if rest.get(at..at + 4) == Some(b" t=\"") {
            let (span, next) = value(at + 4, rest)?;
            kind = Some(span);
            at = next;
        }
        if rest.get(at..at + 4) != Some(b"><v>") {
            return None;
        }
        at += 4;
        let length = rest[at..].iter().position(|&byte| byte == b'<')?;
        if rest.get(at + length..at + length + 8) != Some(b"</v></c>") {
            return None;
        }
        let text = Span {
            start: self.pos + at,
            end: self.pos + at + length,
        };
        self.pos += at + length + 8;
        Some(PlainCell {
            reference,
            style,
            kind,
            text,
        })
    }

    /// The text of a string item written the usual way, `<si><t>text</t></si>` (or with
    /// `<t xml:space="preserve">`), read whole from the reader's place, and whether its spaces
    /// are kept; `None` (nothing read) otherwise.
    pub(super) fn plain_item(&mut self) -> Option<(Span, bool)> {
        const PRESERVE: &[u8] = b"<si><t xml:space=\"preserve\">";
        if self.pending_end.is_some() || !self.short_paths {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let (at, preserve) = if rest.starts_with(b"<si><t>") {
            (7, false)
        } else if rest.starts_with(PRESERVE) {
            (PRESERVE.len(), true)
        } else {
            return None;
        };
        let length = memchr::memchr(b'<', &rest[at..])?;
        if rest.get(at + length..at + length + 9) != Some(b"</t></si>") {
            return None;
        }
        let text = Span {
            start: self.pos + at,
            end: self.pos + at + length,
        };
        self.pos += at + length + 9;
        Some((text, preserve))
    }

    /// The text of a `<v>text</v></c>` that starts at the reader's place, read past its
    /// `</c>`; `None` (nothing read) when what follows is written otherwise or is not all
    /// read yet. The cell's usual form, read without its four events.
    pub(super) fn plain_value(&mut self) -> Option<Span> {
        if self.pending_end.is_some() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        if !rest.starts_with(b"<v>") {
            return None;
        }
        let text = rest[3..].iter().position(|&byte| byte == b'<')?;
        if !rest[3 + text..].starts_with(b"</v></c>") {
            return None;
        }
        let start = self.pos + 3;
        self.pos = start + text + 8;
        Some(Span {
            start,
            end: start + text,
        })
    }

    /// Reads on past the end of the element whose start was just read (`name`, a local name),
    /// elements of the same name inside it included.
    pub(super) fn skip_to_end(&mut self, name: &[u8]) -> Result<(), Error> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Event::Start { name: found, .. } if self.bytes(found) == name => {
                    depth += 1;
                }
                Event::End { name: found } if self.bytes(found) == name => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::Eof => return Err(self.ends_inside(name)),
                _ => {}
            }
        }
    }

    /// The error for a part that ends inside an element.
    pub(super) fn ends_inside(&self, name: &[u8]) -> Error {
        self.damaged(&format!(
            "ends inside a `<{}>` element",
            String::from_utf8_lossy(name)
        ))
    }

    /// Appends the text of the element whose start was just read (`name`), up to its end,
    /// entities decoded and line ends made `\n`; elements inside it are passed over, their
    /// text kept, as calamine keeps it.
    pub(super) fn read_text(&mut self, name: &[u8], out: &mut String) -> Result<(), Error> {
        loop {
            match self.next()? {
                Event::Text(span) => {
                    let raw = self.bytes(span);
                    decode(raw, out).map_err(|what| self.damaged(what))?;
                }
                Event::End { name: found } if self.bytes(found) == name => return Ok(()),
                Event::Eof => return Err(self.ends_inside(name)),
                _ => {}
            }
        }
    }
}

/// Where to cut a long text so that a piece ends neither inside a character nor inside an
/// entity.
fn piece_end(text: &[u8]) -> usize {
    let mut end = text.len();
    if let Some(amp) = memchr::memrchr(b'&', &text[end.saturating_sub(16)..end]) {
        let amp = end.saturating_sub(16) + amp;
        if memchr::memchr(b';', &text[amp..end]).is_none() {
            end = amp;
        }
    }
    while end > 0 && end < text.len() && (text[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    end.max(1)
}

fn trim_end(buf: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && buf[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// The local name of `buf[start..end]`: what follows its first colon.
fn local_name(buf: &[u8], start: usize, end: usize) -> Span {
    match buf[start..end].iter().position(|&byte| byte == b':') {
        Some(colon) => Span {
            start: start + colon + 1,
            end,
        },
        None => Span { start, end },
    }
}

/// Appends text with its entities decoded (the five of XML and character references) and its
/// line ends (`\r\n`, `\r`) made `\n`, as calamine reads text. Fails on text that is not UTF-8
/// and on an entity XML does not define.
pub(super) fn decode(raw: &[u8], out: &mut String) -> Result<(), &'static str> {
    let text = std::str::from_utf8(raw).map_err(|_| "has text that is not UTF-8")?;
    decode_into(text, out, true)
}

/// Decodes the entities of an attribute value, as calamine decodes names and number formats
/// (its line ends as they are).
pub(super) fn decode_attribute(raw: &[u8]) -> Result<String, &'static str> {
    let text = std::str::from_utf8(raw).map_err(|_| "has an attribute that is not UTF-8")?;
    let mut out = String::with_capacity(text.len());
    decode_into(text, &mut out, false)?;
    Ok(out)
}

/// Appends `text` with its entities decoded and, with `line_ends`, its line ends made `\n`.
fn decode_into(text: &str, out: &mut String, line_ends: bool) -> Result<(), &'static str> {
    let mut rest = text;
    loop {
        // Both are ASCII: where either is found is a character boundary.
        let found = if line_ends {
            memchr::memchr2(b'&', b'\r', rest.as_bytes())
        } else {
            memchr::memchr(b'&', rest.as_bytes())
        };
        let Some(at) = found else { break };
        out.push_str(&rest[..at]);
        if rest.as_bytes()[at] == b'\r' {
            out.push('\n');
            rest = &rest[at + 1..];
            if rest.starts_with('\n') {
                rest = &rest[1..];
            }
            continue;
        }
        let after = &rest[at + 1..];
        let end = after.find(';').ok_or("has an `&` that starts no entity")?;
        out.push(entity(&after[..end]).ok_or("has an entity XML does not define")?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// The character an entity's name (between `&` and `;`) stands for.
fn entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse::<u32>().ok()?,
            };
            if !number
                .bytes()
                .skip(usize::from(number.starts_with('x')))
                .all(|b| b.is_ascii_hexdigit())
                || code == 0
            {
                return None;
            }
            char::from_u32(code)
        }
    }
}

/// Decodes Excel's own escapes (`_x000D_`, a UTF-16 code unit in four hex digits; a pair of
/// them for a character outside the basic plane) as calamine decodes them in strings.
pub(super) fn unescape_excel(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(mut found) = find_escape(text, 0) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    loop {
        let (index, unit) = found;
        out.push_str(&text[copied..index]);
        let mut next = index + 7;
        match unit {
            0xD800..=0xDBFF => match escape_at(text, next) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let code =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    next += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = next;
        match find_escape(text, next) {
            Some(more) => found = more,
            None => break,
        }
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

fn find_escape(text: &str, mut from: usize) -> Option<(usize, u16)> {
    while let Some(offset) = text.get(from..)?.find('_') {
        let index = from + offset;
        if let Some(unit) = escape_at(text, index) {
            return Some((index, unit));
        }
        from = index + 1;
    }
    None
}

fn escape_at(text: &str, index: usize) -> Option<u16> {
    let bytes = text.as_bytes().get(index..index + 7)?;
    if bytes[0] != b'_' || bytes[1] != b'x' || bytes[6] != b'_' {
        return None;
    }
    let hex = &bytes[2..6];
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event of a part, read one byte at a time, as text.
    fn events(xml: &str) -> Vec<String> {
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.split_first() {
                    Some((first, rest)) if !buf.is_empty() => {
                        buf[0] = *first;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut reader = Xml::new(OneByte(xml.as_bytes()), "part.xml");
        let mut out = Vec::new();
        loop {
            let event = reader.next().unwrap();
            let shown = |span| String::from_utf8_lossy(reader.bytes(span)).into_owned();
            out.push(match event {
                Event::Start { name, attributes } => {
                    format!("<{}|{}>", shown(name), shown(attributes))
                }
                Event::End { name } => format!("</{}>", shown(name)),
                Event::Text(span) => shown(span),
                Event::Other => "<?>".to_string(),
                Event::Eof => break,
            });
        }
        out
    }

    #[test]
    fn tags_text_and_empty_elements_read_as_calamines_parser_gives_them() {
        assert_eq!(
            events(r#"<?xml version="1.0"?><x:c r="A1" t='a>b'><v>1</v><is/></x:c>"#),
            [
                "<?>",
                r#"<c| r="A1" t='a>b'>"#,
                "<v|>",
                "1",
                "</v>",
                "<is|>",
                "</is>",
                "</c>"
            ]
        );
    }

    #[test]
    fn cells_and_string_items_written_the_usual_way_are_read_whole() {
        let cell = |xml: &str| {
            let mut reader = Xml::new(xml.as_bytes(), "part.xml");
            reader.more().unwrap();
            let shown = |reader: &Xml<&[u8]>, span: Option<Span>| {
                span.map(|span| String::from_utf8_lossy(reader.bytes(span)).into_owned())
            };
            reader.plain_cell().map(|cell| {
                (
                    shown(&reader, Some(cell.reference)).unwrap(),
                    shown(&reader, cell.style),
                    shown(&reader, cell.kind),
                    shown(&reader, Some(cell.text)).unwrap(),
                    reader.pos,
                )
            })
        };
        let some = |text: &str| Some(text.to_string());
        assert_eq!(
            cell(r#"<c r="A3" t="s"><v>16</v></c><c"#),
            Some(("A3".into(), None, some("s"), "16".into(), 29))
        );
        assert_eq!(
            cell(r#"<c r="B2" s="1" t="n"><v>1.5</v></c>"#),
            Some(("B2".into(), some("1"), some("n"), "1.5".into(), 36))
        );
        assert_eq!(
            cell(r#"<c r="B2" s="12"><v></v></c>"#),
            Some(("B2".into(), some("12"), None, String::new(), 28))
        );
        for other in [
            r#"<c r="A3" t="s"/>"#,
            r#"<c t="s" r="A3"><v>1</v></c>"#,
            r#"<c r="A3"  t="s"><v>1</v></c>"#,
            r#"<c r="A3" t="s"><v>1</v><f>A1</f></c>"#,
            r#"<c r="A3"><f>A1</f><v>1</v></c>"#,
            r#"<c r="A3"><v>1</v></c"#,
            r#"<c r='A3'><v>1</v></c>"#,
            r#"<x:c r="A3"><v>1</v></x:c>"#,
        ] {
            assert_eq!(cell(other), None, "{other}");
        }
        let item = |xml: &str| {
            let mut reader = Xml::new(xml.as_bytes(), "part.xml");
            reader.more().unwrap();
            reader.plain_item().map(|(span, keep)| {
                (
                    String::from_utf8_lossy(reader.bytes(span)).into_owned(),
                    keep,
                )
            })
        };
        assert_eq!(item("<si><t>Ann</t></si>"), Some(("Ann".into(), false)));
        assert_eq!(
            item(r#"<si><t xml:space="preserve"> Ann </t></si>"#),
            Some((" Ann ".into(), true))
        );
        assert_eq!(item("<si><r><t>Ann</t></r></si>"), None);
        assert_eq!(item("<si><t>Ann</t><t>Lee</t></si>"), None);
    }

    #[test]
    fn tags_longer_than_a_chunk_are_read_whole() {
        let name = "n".repeat(3 * CHUNK + 5);
        let xml = format!(r#"<{name} a="{name}"></x:{name}>"#);
        let mut reader = Xml::new(xml.as_bytes(), "part.xml");
        match reader.next().unwrap() {
            Event::Start { name: found, .. } => assert_eq!(reader.bytes(found), name.as_bytes()),
            other => panic!("{other:?}"),
        }
        match reader.next().unwrap() {
            Event::End { name: found } => assert_eq!(reader.bytes(found), name.as_bytes()),
            other => panic!("{other:?}"),
        }
        assert_eq!(reader.next().unwrap(), Event::Eof);
    }

    #[test]
    fn a_comment_is_refused_since_the_scan_sends_such_parts_elsewhere() {
        let mut reader = Xml::new("<a><!-- x --></a>".as_bytes(), "part.xml");
        assert!(matches!(reader.next(), Ok(Event::Start { .. })));
        let error = reader.next().unwrap_err().to_string();
        assert!(error.contains("part `part.xml` has a comment"), "{error}");
    }

    #[test]
    fn entities_and_line_ends_decode_as_calamine_decodes_them() {
        let mut out = String::new();
        decode(b"a&amp;b&#233;&#xE9;\r\nc\rd&lt;", &mut out).unwrap();
        assert_eq!(out, "a&b\u{e9}\u{e9}\nc\nd<");
        assert!(decode(b"&nbsp;", &mut String::new()).is_err());
        assert!(decode(b"&#0;", &mut String::new()).is_err());
        assert!(decode(b"a & b", &mut String::new()).is_err());
        assert_eq!(decode_attribute(b"&quot;x&quot;").unwrap(), "\"x\"");
    }

    #[test]
    fn excel_escapes_decode_with_surrogate_pairs() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(unescape_excel("_xD83D_"), "\u{FFFD}");
        assert_eq!(
            unescape_excel("_x005F_x000D_"),
            "__x000D_".replacen("__", "_", 1)
        );
        assert_eq!(unescape_excel("_xZZZZ_"), "_xZZZZ_");
    }

    #[test]
    fn long_text_comes_in_pieces_that_cut_no_character_or_entity() {
        let text = format!("{}&amp;é", "a".repeat(MAX_TEXT_PIECE - 3));
        let xml = format!("<t>{text}{text}</t>");
        let mut reader = Xml::new(xml.as_bytes(), "part.xml");
        assert!(matches!(reader.next(), Ok(Event::Start { .. })));
        let mut decoded = String::new();
        reader.read_text(b"t", &mut decoded).unwrap();
        assert_eq!(decoded, format!("{0}{0}", text.replace("&amp;", "&")));
    }
}
