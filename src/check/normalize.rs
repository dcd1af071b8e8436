//! Turning a value as typed into the value stored: spaces, Unicode form, numbers as text, dates,
//! and the strict email check.

use chrono::{Datelike, NaiveDate};

pub use crate::value::{
    FormatCharacter, clean_spaces, control_name, excel_serial_to_datetime, find_control,
    find_format_character, nfc, number_text,
};

/// Why a typed date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not written as `YYYY-MM-DD`.
    Format,
    /// Written as `YYYY-MM-DD`, but no such day exists.
    Impossible,
}

/// Parses a date typed as `YYYY-MM-DD` (a time of day after it, as some exports write, is
/// accepted when it is midnight).
///
/// ```
/// use user_import::normalize::{parse_date, DateProblem};
///
/// assert_eq!(parse_date("2024-02-29").unwrap().to_string(), "2024-02-29");
/// assert_eq!(parse_date("2023-02-29"), Err(DateProblem::Impossible));
/// assert_eq!(parse_date("29/02/2024"), Err(DateProblem::Format));
/// ```
pub fn parse_date(value: &str) -> Result<NaiveDate, DateProblem> {
    let value = value.trim();
    let date_part = match value.get(10..) {
        None | Some("") => value,
        Some(" 00:00:00" | "T00:00:00" | "T00:00:00Z" | " 00:00") => &value[..10],
        Some(_) => return Err(DateProblem::Format),
    };
    let bytes = date_part.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(DateProblem::Format);
    }
    let number = |range: std::ops::Range<usize>| -> u32 {
        bytes[range]
            .iter()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    NaiveDate::from_ymd_opt(year as i32, month, day)
        .filter(|date| date.year() >= 1)
        .ok_or(DateProblem::Impossible)
}

/// Checks an email address strictly, as a platform sending invitations needs it: one address,
/// no display name, no IP literal, a dotted domain of ASCII letters, digits and hyphens with an
/// alphabetic top-level domain, no spaces or invisible characters.
///
/// The error is the reason, worded to follow "is not a valid email address: " and to be
/// followed by the general fix ("type one address such as name@example.com").
///
/// ```
/// use user_import::normalize::check_email;
///
/// assert!(check_email("ann.lee+lms@example.co.uk").is_ok());
/// assert_eq!(check_email("Ann <ann@example.com>").unwrap_err(), "it includes a name or angle brackets besides the address");
/// assert_eq!(check_email("ann@localhost").unwrap_err(), "the domain `localhost` has no dot");
/// assert!(check_email("ann@[127.0.0.1]").is_err());
/// assert!(check_email("ann@exa_mple.com").is_err());
/// assert!(check_email("ann\u{200b}@example.com").is_err());
/// ```
pub fn check_email(address: &str) -> Result<(), String> {
    email_problem(address).map_or(Ok(()), |problem| Err(problem.english()))
}

/// Why an email address is not valid, as a catalogue key (`email.reason.*`, see
/// [`Catalog`](crate::Catalog)) and the values its text names; `None` when the address is
/// valid by the rules of [`check_email`].
///
/// ```
/// use user_import::normalize::email_problem;
///
/// let problem = email_problem("ann@example").unwrap();
/// assert_eq!(problem.key(), "email.reason.domain_no_dot");
/// assert_eq!(problem.args(), &[("domain", "example".to_string())]);
/// assert_eq!(problem.english(), "the domain `example` has no dot");
/// assert!(email_problem("ann@example.com").is_none());
/// ```
pub fn email_problem(address: &str) -> Option<EmailProblem> {
    if address.is_ascii() && plainly_valid(address.as_bytes()) {
        return None;
    }
    explain_email(address).err()
}

/// Why an email address is not valid: see [`email_problem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailProblem {
    key: &'static str,
    args: Vec<(&'static str, String)>,
}

impl EmailProblem {
    fn new(key: &'static str) -> EmailProblem {
        EmailProblem {
            key,
            args: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> EmailProblem {
        self.args.push((name, value.into()));
        self
    }

    /// The catalogue key of the reason, such as `"email.reason.no_at"`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The values the reason's text names.
    pub fn args(&self) -> &[(&'static str, String)] {
        &self.args
    }

    /// The reason in English.
    pub fn english(&self) -> String {
        self.in_language(crate::text::english_catalog())
    }

    /// The reason in the language of `catalog`.
    pub fn in_language(&self, catalog: &crate::Catalog) -> String {
        let args: Vec<(&str, &str)> = self
            .args
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        catalog.fill(self.key, &args)
    }
}

/// The thorough check behind [`check_email`]: every rule, each with its reason, and the
/// `email_address` crate's strict parse as the last gate.
fn explain_email(address: &str) -> Result<(), EmailProblem> {
    let problem = EmailProblem::new;
    if address.is_empty() {
        return Err(problem("email.reason.empty"));
    }
    if address.contains(['<', '>']) {
        return Err(problem("email.reason.display_name"));
    }
    if let Some(ch) = address
        .chars()
        .find(|ch| ch.is_whitespace() || ch.is_control())
    {
        return Err(if ch == ' ' {
            problem("email.reason.space")
        } else {
            problem("email.reason.control").with("code_point", format!("{:04X}", ch as u32))
        });
    }
    if let Some(ch) = address.chars().find(|ch| is_invisible(*ch)) {
        return Err(
            problem("email.reason.invisible").with("code_point", format!("{:04X}", ch as u32))
        );
    }
    if address.contains([',', ';']) {
        return Err(problem("email.reason.several"));
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(problem("email.reason.no_at"));
    };
    if local.contains('@') {
        return Err(problem("email.reason.two_at"));
    }
    if local.is_empty() {
        return Err(problem("email.reason.empty_local"));
    }
    if domain.is_empty() {
        return Err(problem("email.reason.empty_domain"));
    }
    if local.len() > 64 {
        return Err(problem("email.reason.local_too_long")
            .with("length", local.chars().count().to_string()));
    }
    if let Some(ch) = local
        .chars()
        .find(|ch| !(ch.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(*ch)))
    {
        return Err(problem("email.reason.local_character").with("character", ch.to_string()));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(problem("email.reason.local_dots"));
    }
    if domain.starts_with('[') {
        return Err(problem("email.reason.ip_literal"));
    }
    if !domain.is_ascii() {
        return Err(problem("email.reason.domain_not_ascii").with("domain", domain));
    }
    if domain.len() > 253 {
        return Err(
            problem("email.reason.domain_too_long").with("length", domain.len().to_string())
        );
    }
    if !domain.contains('.') {
        return Err(problem("email.reason.domain_no_dot").with("domain", domain));
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(problem("email.reason.domain_empty_label").with("domain", domain));
        }
        if label.len() > 63 {
            return Err(problem("email.reason.label_too_long")
                .with("label", label)
                .with("length", label.len().to_string()));
        }
        if let Some(ch) = label
            .chars()
            .find(|ch| !(ch.is_ascii_alphanumeric() || *ch == '-'))
        {
            return Err(problem("email.reason.domain_character").with("character", ch.to_string()));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(problem("email.reason.label_hyphen").with("label", label));
        }
    }
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if !(tld.len() >= 2
        && (tld.chars().all(|ch| ch.is_ascii_alphabetic()) || tld.starts_with("xn--")))
    {
        return Err(problem("email.reason.tld").with("tld", tld));
    }
    let options = email_address::Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    email_address::EmailAddress::parse_with_options(address, options)
        .map(|_| ())
        .map_err(|error| {
            problem("email.reason.other").with("detail", error.to_string().to_lowercase())
        })
}

/// One pass over an ASCII address that accepts only what every check below accepts: one `@`,
/// a local part of RFC 5322 atoms joined by single dots (at most 64 bytes), and a domain of at
/// most 253 bytes made of two or more labels of letters, digits and inner hyphens (each at most
/// 63 bytes) ending in an alphabetic or `xn--` top-level label. Anything else takes the slow
/// path, which names the problem.
fn plainly_valid(address: &[u8]) -> bool {
    let Some(at) = address.iter().position(|b| *b == b'@') else {
        return false;
    };
    let (local, domain) = (&address[..at], &address[at + 1..]);
    let atom = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(b);
    if local.is_empty()
        || local.len() > 64
        || local[0] == b'.'
        || local[local.len() - 1] == b'.'
        || local.windows(2).any(|pair| pair == b"..")
        || !local.iter().all(|b| *b == b'.' || atom(b))
        || domain.len() > 253
    {
        return false;
    }
    let mut labels = 0;
    let mut last: &[u8] = &[];
    for label in domain.split(|b| *b == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2
        && last.len() >= 2
        && (last.iter().all(u8::is_ascii_alphabetic) || last.starts_with(b"xn--"))
}

/// Invisible format characters that must not hide inside an address.
fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E0FFF}')
}

/// The match key of an email address: two addresses with the same key are the same person.
///
/// The key ignores case in the whole address, so `Ann@X.org` and `ann@x.org` match, inside a
/// file and against the host's store.
pub fn email_key(address: &str) -> String {
    let trimmed = address.trim();
    // Valid addresses are ASCII, whose lower case needs no Unicode tables.
    if trimmed.is_ascii() {
        trimmed.to_ascii_lowercase()
    } else {
        trimmed.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_keys_are_the_unicode_lower_case_of_the_trimmed_address() {
        for address in [
            "Ann@Example.COM",
            " \u{0b}bob@x.org\t",
            "\u{a0}Zoë@Exämple.org ",
            "İSTANBUL@x.tr",
            "ǅ@x.org",
            "",
        ] {
            assert_eq!(
                email_key(address),
                address.trim().to_lowercase(),
                "{address:?}"
            );
        }
        assert_eq!(email_key(" Ann@Example.COM "), "ann@example.com");
    }

    #[test]
    fn the_fast_path_accepts_only_what_the_thorough_check_accepts() {
        let samples = [
            "ann@example.com",
            "a.b-c+d@x-y.example.org",
            "x@xn--mnchen-3ya.de",
            "o'neil@example.ie",
            "a/b=c?d^e`f{g|h}i~j@example.com",
            "1@2.co",
            "a@b.c",
            "a@b..com",
            "a.@b.com",
            ".a@b.com",
            "a@-b.com",
            "a@b-.com",
            "a@b.c0m",
            "a@b.123",
            "a@b",
            "@b.com",
            "a@",
            "a@b@c.com",
            "a b@c.com",
            "a@[1.2.3.4]",
            "a\\b@c.com",
            "\"a\"@b.com",
            "a@b_c.com",
        ];
        for address in samples {
            if plainly_valid(address.as_bytes()) {
                assert_eq!(explain_email(address), Ok(()), "{address}");
            }
        }
        assert!(plainly_valid(b"ann@example.com"));
        assert!(!plainly_valid(b"a@b.c"));
    }

    #[test]
    fn serials_in_the_1900_system_skip_the_day_that_never_was() {
        let day =
            |serial: f64| excel_serial_to_datetime(serial, false).map(|d| d.date().to_string());
        assert_eq!(day(1.0).as_deref(), Some("1900-01-01"));
        assert_eq!(day(59.0).as_deref(), Some("1900-02-28"));
        assert_eq!(day(60.0), None);
        assert_eq!(day(61.0).as_deref(), Some("1900-03-01"));
        assert_eq!(day(2_958_465.0).as_deref(), Some("9999-12-31"));
        assert_eq!(day(2_958_466.0), None);
        assert_eq!(day(-1.0), None);
        assert_eq!(day(f64::NAN), None);
    }

    #[test]
    fn clean_spaces_keeps_inner_control_characters_for_the_caller() {
        assert_eq!(clean_spaces("\nAnn\nLee\t", true), "Ann\nLee");
    }

    #[test]
    fn email_reasons_name_the_problem() {
        assert_eq!(check_email("ann").unwrap_err(), "it has no @");
        assert_eq!(
            check_email("a@b@c.com").unwrap_err(),
            "it has more than one @"
        );
        assert!(check_email("a@1.2.3.4").unwrap_err().contains("`4`"));
        assert!(check_email("a@-x.com").unwrap_err().contains("hyphen"));
        assert!(check_email("a..b@x.com").unwrap_err().contains("two dots"));
        assert!(check_email("a@münchen.de").unwrap_err().contains("xn--"));
        assert!(check_email("a@x.com,b@y.com").is_err());
        assert!(check_email("a@xn--mnchen-3ya.de").is_ok());
    }
}
