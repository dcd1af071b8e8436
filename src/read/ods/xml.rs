//! Reading an XML part byte by byte as quick-xml splits it (text, tags, comments, CDATA,
//! processing instructions) and its attributes as calamine splits them, in bounded memory.

use std::io::Read;

use crate::error::Error;

/// The longest tag the pass reads; quick-xml holds a whole tag in memory.
pub(super) const MAX_TAG: usize = 1024 * 1024;

/// The part's bytes, read a chunk at a time; `buf[pos..]` is not looked at yet.
pub(super) struct Input<R> {
    pub(super) part: R,
    pub(super) name: String,
    pub(super) buf: Vec<u8>,
    pub(super) pos: usize,
    pub(super) eof: bool,
}

impl<R: Read> Input<R> {
    pub(super) fn rest(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Reads the next chunk, dropping what was looked at.
    pub(super) fn more(&mut self) -> Result<(), Error> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        let start = self.buf.len();
        self.buf.resize(start + 128 * 1024, 0);
        let read = self.part.read(&mut self.buf[start..]).map_err(|error| {
            Error::corrupt_from(format!("part `{}` cannot be inflated", self.name), error)
        })?;
        self.buf.truncate(start + read);
        self.eof = read == 0;
        Ok(())
    }

    /// Reads until `count` bytes are there to look at, or the part ends.
    pub(super) fn want(&mut self, count: usize) -> Result<(), Error> {
        while self.rest().len() < count && !self.eof {
            self.more()?;
        }
        Ok(())
    }

    /// Skips a comment or a CDATA section past `close`, in bounded memory. Answers its
    /// length, or `None` when the part ends first.
    pub(super) fn skip_past(&mut self, close: &[u8]) -> Result<Option<u64>, Error> {
        let mut length = 0u64;
        let mut from = self.pos + 4;
        loop {
            if let Some(at) = memchr::memmem::find(&self.buf[from..], close) {
                let end = from + at + close.len();
                length += (end - self.pos) as u64;
                self.pos = end;
                return Ok(Some(length));
            }
            if self.eof {
                return Ok(None);
            }
            let keep = self.buf.len().saturating_sub(close.len() - 1).max(from);
            length += (keep - self.pos) as u64;
            self.pos = keep;
            self.more()?;
            from = 0;
        }
    }

    /// Where the tag at `pos` ends: its first `>` outside quotes (`quoted`, a start tag) or
    /// its first `?>` (`pi`), reading on while the tag is at most [`MAX_TAG`] bytes long.
    /// `None` when the part ends first, or the tag is longer.
    pub(super) fn tag_end(&mut self, quoted: bool, pi: bool) -> Result<Option<usize>, Error> {
        let mut quote: Option<u8> = None;
        let mut scanned = self.pos + 1;
        loop {
            let found = if pi {
                memchr::memmem::find(&self.buf[scanned..], b"?>").map(|at| at + 1)
            } else if !quoted {
                memchr::memchr(b'>', &self.buf[scanned..])
            } else {
                // The first `>` outside quotes: jump from quote to quote.
                let hay = &self.buf[scanned..];
                let mut at = 0;
                loop {
                    if let Some(open) = quote {
                        match memchr::memchr(open, &hay[at..]) {
                            Some(close) => {
                                at += close + 1;
                                quote = None;
                            }
                            None => break None,
                        }
                    }
                    match memchr::memchr3(b'>', b'"', b'\'', &hay[at..]) {
                        Some(next) if hay[at + next] == b'>' => break Some(at + next),
                        Some(next) => {
                            quote = Some(hay[at + next]);
                            at += next + 1;
                        }
                        None => break None,
                    }
                }
            };
            if let Some(at) = found {
                return Ok(Some(scanned + at));
            }
            // A `?` at the end may start the `?>`.
            scanned = if pi {
                self.buf.len().saturating_sub(1).max(scanned)
            } else {
                self.buf.len()
            };
            if self.eof || self.buf.len() - self.pos > MAX_TAG {
                return Ok(None);
            }
            let before = self.pos;
            self.more()?;
            scanned -= before;
        }
    }
}

/// A count attribute (a repeat, a number of spaces), saturating; one when it is not a number
/// (calamine then stops with an error).
pub(super) fn parse_count(value: &[u8]) -> u64 {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return 1;
    }
    value.iter().fold(0u64, |count, digit| {
        count
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    })
}

/// The first value of `key` in a tag's attributes, as calamine's `raw_attr` finds it.
pub(super) fn attribute<'a>(attributes: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>, Error> {
    for pair in Attributes::new(attributes) {
        match pair {
            Ok((found, value)) if found == key => return Ok(Some(value)),
            Ok(_) => {}
            // calamine stops with an error.
            Err(_) => return Ok(None),
        }
    }
    Ok(None)
}

/// A tag's attributes split as calamine's `RawAttrIter` splits them.
pub(crate) struct Attributes<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl<'a> Attributes<'a> {
    pub(crate) fn new(raw: &'a [u8]) -> Attributes<'a> {
        Attributes { raw, pos: 0 }
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<(&'a [u8], &'a [u8]), &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = self.raw;
        let len = raw.len();
        let mut pos = self.pos;
        while pos < len && raw[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            self.pos = pos;
            return None;
        }
        let key_start = pos;
        pos = memchr::memchr(b'=', &raw[pos..]).map_or(len, |at| pos + at);
        if pos >= len {
            self.pos = len;
            return Some(Err("has an attribute without a value"));
        }
        let key = raw[key_start..pos].trim_ascii_end();
        pos += 1;
        while pos < len && raw[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match raw.get(pos) {
            Some(&quote @ (b'"' | b'\'')) => quote,
            _ => {
                self.pos = len;
                return Some(Err("has an attribute without quotes"));
            }
        };
        pos += 1;
        let start = pos;
        pos = memchr::memchr(quote, &raw[pos..]).map_or(len, |at| pos + at);
        let value = &raw[start..pos];
        if pos < len {
            pos += 1;
        }
        self.pos = pos;
        Some(Ok((key, value)))
    }
}
