//! A cell's value as typed, before any column's rules: spaces of every kind, invisible and
//! control characters, Unicode form, numbers as text and Excel's date serials. Shared by the
//! reader (headers, blank cells) and the validation.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Characters that are invisible and carry no meaning in a typed value: removed wherever they
/// are. (Zero-width joiners, which some scripts need, are kept inside a value.)
fn is_junk_invisible(ch: char) -> bool {
    matches!(ch, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Whether `ch` counts as space at the edges of a value: every Unicode white space (including
/// non-breaking spaces) and the zero-width characters.
fn is_edge_space(ch: char) -> bool {
    ch.is_whitespace()
        || matches!(
            ch,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Trims spaces of every kind from both ends and removes invisible characters inside; with
/// `collapse`, also turns every inner run of spaces into one ASCII space.
///
/// Control characters (line breaks, tabs) inside the value are kept, so the caller can refuse
/// them; at the edges they are trimmed like spaces.
///
/// ```
/// use user_import::normalize::clean_spaces;
///
/// assert_eq!(clean_spaces("\u{a0} Ann \u{200b}  Lee\u{feff} ", true), "Ann Lee");
/// assert_eq!(clean_spaces(" 000123 ", false), "000123");
/// ```
pub fn clean_spaces(value: &str, collapse: bool) -> Cow<'_, str> {
    // The common case: ASCII without surrounding spaces and (for names) without runs of
    // spaces or tabs: nothing to do, no character decoding.
    let bytes = value.as_bytes();
    if let (Some(first), Some(last)) = (bytes.first(), bytes.last())
        && !first.is_ascii_whitespace()
        && !last.is_ascii_whitespace()
        && value.is_ascii()
        && (!collapse || !has_space_run(bytes))
    {
        return Cow::Borrowed(value);
    }
    let trimmed = value.trim_matches(is_edge_space);
    let needs_work = trimmed
        .chars()
        .any(|ch| is_junk_invisible(ch) || (collapse && ch.is_whitespace() && ch != ' '))
        || (collapse && trimmed.contains("  "));
    if !needs_work {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut in_space = false;
    for ch in trimmed.chars() {
        if is_junk_invisible(ch) {
            continue;
        }
        if collapse && ch.is_whitespace() && !ch.is_control() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        out.push(ch);
    }
    Cow::Owned(out)
}

/// Whether ASCII `bytes` hold two spaces in a row or a white-space character other than a
/// space (which a name's inner spaces collapse into one space).
fn has_space_run(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|pair| pair[0] == b' ' && pair[1] == b' ')
        || bytes.iter().any(|b| b.is_ascii_whitespace() && *b != b' ')
}

/// Puts text into Unicode normalization form C, borrowing when it already is.
pub fn nfc(value: &str) -> Cow<'_, str> {
    if value.is_ascii() || is_nfc_quick(value.chars()) == IsNormalized::Yes {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(value.nfc().collect())
    }
}

/// The first control character in `value`, if any (line break, tab, NUL and the like, including
/// those decoded from Excel escapes such as `_x000D_`).
pub fn find_control(value: &str) -> Option<char> {
    if value.is_ascii() {
        return value
            .bytes()
            .find(|b| *b < 0x20 || *b == 0x7F)
            .map(char::from);
    }
    value.chars().find(|ch| ch.is_control())
}

/// A readable name for a control character, for messages.
pub fn control_name(ch: char) -> String {
    match ch {
        '\n' => "a line break".to_string(),
        '\r' => "a carriage return".to_string(),
        '\t' => "a tab".to_string(),
        '\0' => "a NUL character".to_string(),
        other => format!("U+{:04X}", other as u32),
    }
}

/// A number as the text the administrator typed: integers without a stray `.0`, other numbers
/// in their shortest exact form.
///
/// ```
/// use user_import::normalize::number_text;
///
/// assert_eq!(number_text(123.0), "123");
/// assert_eq!(number_text(-7.0), "-7");
/// assert_eq!(number_text(1.5), "1.5");
/// assert_eq!(number_text(0.1), "0.1");
/// ```
pub fn number_text(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        // Exact: every integer below 2^53 is representable, and 1e15 < 2^53.
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Excel's last date, 9999-12-31, as a serial number plus one.
const MAX_SERIAL: f64 = 2_958_466.0;

/// Converts an Excel date serial into a date and time, in the 1900 or the 1904 date system.
///
/// Returns `None` for serials outside Excel's range (before day 1, from 10000-01-01 on, not a
/// number) and for 1900-02-29, the day Excel's 1900 system counts but that never existed.
///
/// ```
/// use user_import::normalize::excel_serial_to_datetime;
///
/// let date = excel_serial_to_datetime(45_382.0, false).unwrap().date();
/// assert_eq!(date.to_string(), "2024-03-31");
/// assert_eq!(excel_serial_to_datetime(43_920.0, true).unwrap().date().to_string(), "2024-03-31");
/// assert!(excel_serial_to_datetime(1e300, false).is_none());
/// ```
pub fn excel_serial_to_datetime(serial: f64, is_1904: bool) -> Option<NaiveDateTime> {
    if !(serial.is_finite() && (0.0..MAX_SERIAL).contains(&serial)) {
        return None;
    }
    let days = serial.trunc() as i64;
    let base = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if days == 60 {
        return None;
    } else if days < 60 {
        if days < 1 {
            return None;
        }
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let date = base.checked_add_signed(chrono::Duration::days(days))?;
    let seconds = ((serial.fract() * 86_400.0).round() as u32).min(86_399);
    date.and_hms_opt(seconds / 3600, (seconds / 60) % 60, seconds % 60)
}
