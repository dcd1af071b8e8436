//! A cell's value as typed, before any column's rules: spaces of every kind, invisible and
//! control characters, Unicode form, numbers as text and Excel's date serials. Shared by the
//! reader (headers, blank cells) and the validation.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Characters that are invisible and carry no meaning in a typed value: removed wherever they
/// are. Soft hyphens and word joiners only say where a line may or may not break.
fn is_junk_invisible(ch: char) -> bool {
    matches!(ch, '\u{2060}' | '\u{00AD}')
}

/// Whether `ch` counts as space at the edges of a value: every Unicode white space (including
/// non-breaking spaces) and the zero-width characters. The line and paragraph separators are
/// white space too; inside a value they are [format characters](find_format_character).
fn is_edge_space(ch: char) -> bool {
    ch.is_whitespace()
        || matches!(
            ch,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Trims spaces of every kind from both ends (zero-width spaces and byte-order marks
/// included) and removes soft hyphens and word joiners inside; with `collapse`, also turns
/// every inner run of spaces into one ASCII space.
///
/// Control characters (line breaks, tabs) and [format characters](find_format_character)
/// (a zero-width space, a right-to-left override...) inside the value are kept, so the caller
/// can refuse them; at the edges the zero-width ones are trimmed like spaces.
///
/// ```
/// use user_import::normalize::clean_spaces;
///
/// assert_eq!(clean_spaces("\u{a0} Ann \u{00ad}  Lee\u{feff}\u{200b} ", true), "Ann Lee");
/// assert_eq!(clean_spaces(" 000123 ", false), "000123");
/// // Kept for the validation to refuse: it hides inside the value.
/// assert_eq!(clean_spaces("Ann\u{200b}Lee", true), "Ann\u{200b}Lee");
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
    let collapsed = |ch: char| collapse && ch.is_whitespace() && !is_kept_space(ch);
    let needs_work = trimmed
        .chars()
        .any(|ch| is_junk_invisible(ch) || (collapsed(ch) && ch != ' '))
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
        if collapsed(ch) {
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

/// White space that a name's spaces do not collapse into a space: control characters (a line
/// break, a tab) and the line and paragraph separators, left for the validation to refuse.
fn is_kept_space(ch: char) -> bool {
    ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}')
}

/// What a [format character](find_format_character) does to the text it sits in: the
/// catalogue key of the phrase that says so (`value.format_effect.*`).
fn format_effect_key(ch: char) -> &'static str {
    match ch {
        '\u{202E}' => "value.format_effect.reverse",
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202D}'
        | '\u{2066}'..='\u{2069}' => "value.format_effect.reorder",
        '\u{2028}' | '\u{2029}' => "value.format_effect.line",
        _ => "value.format_effect.hide",
    }
}

/// The Unicode name of a [format character](find_format_character).
fn format_character_name(ch: char) -> &'static str {
    match ch {
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{206A}' => "INHIBIT SYMMETRIC SWAPPING",
        '\u{206B}' => "ACTIVATE SYMMETRIC SWAPPING",
        '\u{206C}' => "INHIBIT ARABIC FORM SHAPING",
        '\u{206D}' => "ACTIVATE ARABIC FORM SHAPING",
        '\u{206E}' => "NATIONAL DIGIT SHAPES",
        '\u{206F}' => "NOMINAL DIGIT SHAPES",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{FFF9}' => "INTERLINEAR ANNOTATION ANCHOR",
        '\u{FFFA}' => "INTERLINEAR ANNOTATION SEPARATOR",
        '\u{FFFB}' => "INTERLINEAR ANNOTATION TERMINATOR",
        '\u{E0001}' => "LANGUAGE TAG",
        '\u{E007F}' => "CANCEL TAG",
        _ => "TAG CHARACTER",
    }
}

/// Whether `ch` is a format character that reorders or hides text (see
/// [`find_format_character`]), wherever it stands.
pub(crate) fn is_format_character(ch: char) -> bool {
    matches!(ch,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2061}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Whether `ch` is a letter or a combining mark, which a joiner may stand between.
fn joins(ch: Option<char>) -> bool {
    ch.is_some_and(|ch| ch.is_alphabetic() || unicode_normalization::char::is_combining_mark(ch))
}

/// A format character found in a value: what it is and what it does, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatCharacter {
    /// The character.
    pub character: char,
}

impl FormatCharacter {
    /// `U+202E RIGHT-TO-LEFT OVERRIDE`: the code point and the Unicode name.
    pub fn label(&self) -> String {
        format!(
            "U+{:04X} {}",
            self.character as u32,
            format_character_name(self.character)
        )
    }

    /// The catalogue key of the phrase that says what the character does to the text, such
    /// as `value.format_effect.reverse` ("reverses the text shown after it").
    pub fn effect_key(&self) -> &'static str {
        format_effect_key(self.character)
    }
}

/// The first format character in `value` that reorders or hides text, if any: a value holding
/// one shows differently from what it is (`Ann \u{202E}eeL` shows as `Ann Lee`), so the
/// validation refuses it rather than keep it silently.
///
/// These are the bidirectional controls (U+202A–U+202E, U+2066–U+2069, the marks U+200E,
/// U+200F and U+061C), the zero-width characters (U+200B–U+200D, U+FEFF, U+180E), the line and
/// paragraph separators (U+2028, U+2029), the invisible operators (U+2061–U+2064), the
/// deprecated shaping controls (U+206A–U+206F), the interlinear annotation characters
/// (U+FFF9–U+FFFB) and the tag characters (U+E0001, U+E0020–U+E007F), which can smuggle text
/// no one sees.
///
/// The zero-width joiner and non-joiner (U+200D, U+200C) are accepted between two letters
/// (or a letter and a combining mark): Persian, the Indic scripts and others need them to
/// spell words right (`می‌خواهم`, `ക്‍`), and there they only choose a letter's shape. Anywhere
/// else (next to a space, a digit, a punctuation mark) they hide, and are refused. At the
/// edges of a value [`clean_spaces`] has already trimmed the zero-width ones.
///
/// ```
/// use user_import::normalize::find_format_character;
///
/// let found = find_format_character("Ann \u{202E}eeL").unwrap();
/// assert_eq!(found.label(), "U+202E RIGHT-TO-LEFT OVERRIDE");
/// assert_eq!(found.effect_key(), "value.format_effect.reverse");
/// assert!(find_format_character("Ann Lee").is_none());
/// // A joiner between two letters spells a word; before a space it only hides.
/// assert!(find_format_character("می\u{200C}خواهم").is_none());
/// assert!(find_format_character("Ann\u{200D} Lee").is_some());
/// ```
pub fn find_format_character(value: &str) -> Option<FormatCharacter> {
    if value.is_ascii() {
        return None;
    }
    let mut previous = None;
    let mut chars = value.chars().peekable();
    while let Some(ch) = chars.next() {
        if is_format_character(ch) {
            let joiner = matches!(ch, '\u{200C}' | '\u{200D}');
            if !(joiner && joins(previous) && joins(chars.peek().copied())) {
                return Some(FormatCharacter { character: ch });
            }
        }
        previous = Some(ch);
    }
    None
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
