//! Problems found in an upload, as data: the row, the column, the value, a stable code and a
//! message that says what is wrong and how to fix it.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::{Catalog, english_catalog};

/// How serious an [`Issue`] is.
///
/// Any [`Severity::Error`] makes the import fail as a whole; a [`Severity::Warning`] is shown to
/// the administrator but does not stop the import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Shown, but the import goes on.
    Warning,
    /// The import fails until it is fixed.
    Error,
}

impl Severity {
    /// The lower-case name used in JSON output: `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! issue_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident; )*) => {
        /// A stable, machine-readable identifier for a kind of problem.
        ///
        /// The string form ([`IssueCode::as_str`]) never changes between versions, so a host can
        /// translate or count issues by code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum IssueCode {
            $( $(#[$doc])* $variant, )*
        }

        impl IssueCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [IssueCode] = &[ $( IssueCode::$variant, )* ];

            /// The stable string form, such as `"email.invalid"`.
            pub fn as_str(self) -> &'static str {
                match self { $( IssueCode::$variant => $code, )* }
            }

            /// The severity issues of this code always have.
            pub fn severity(self) -> Severity {
                match self { $( IssueCode::$variant => Severity::$severity, )* }
            }

            /// Parses the stable string form back into a code.
            pub fn from_code(code: &str) -> Option<IssueCode> {
                match code { $( $code => Some(IssueCode::$variant), )* _ => None }
            }
        }
    };
}

issue_codes! {
    /// A required value is missing.
    Required = "value.required", Error;
    /// The cell holds a formula instead of a typed value.
    Formula = "cell.formula", Error;
    /// The cell holds an Excel error value such as `#N/A`.
    CellError = "cell.error_value", Error;
    /// The value contains a control character (line break, tab, NUL and the like).
    ControlCharacter = "value.control_character", Error;
    /// The value contains an invisible format character that reorders or hides text (a
    /// right-to-left override, a zero-width space...): see
    /// [`find_format_character`](crate::normalize::find_format_character).
    FormatCharacter = "value.format_character", Error;
    /// The value is longer than the column allows.
    TooLong = "value.too_long", Error;
    /// The email address is not valid.
    EmailInvalid = "email.invalid", Error;
    /// The same email address (ignoring case) appears on more than one row.
    EmailDuplicate = "email.duplicate", Error;
    /// A country name was given where a country code is expected.
    CountryName = "country.name_not_code", Error;
    /// The value is not an ISO 3166-1 country code.
    CountryUnknown = "country.unknown", Error;
    /// A three-letter (alpha-3) country code was given where the two-letter code is expected.
    CountryAlpha3 = "country.alpha3_code", Error;
    /// The country is missing, and the row's region says which country it is.
    CountryFromRegion = "country.required_from_region", Error;
    /// A region name was given where a region code is expected.
    RegionName = "region.name_not_code", Error;
    /// The value is not an ISO 3166-2 code of the row's country.
    RegionUnknown = "region.unknown", Error;
    /// The region belongs to another country than the row's.
    RegionCountryMismatch = "region.country_mismatch", Error;
    /// The row's country has regions, but none was given.
    RegionRequired = "region.required", Error;
    /// A region was given for a country that has none in ISO 3166-2.
    RegionNotExpected = "region.not_expected", Error;
    /// The date is not written as `YYYY-MM-DD` (nor a date cell).
    DateFormat = "date.format", Error;
    /// The date is written as `YYYY-MM-DD` but does not exist.
    DateImpossible = "date.impossible", Error;
    /// The value is not one of the column's choices.
    ChoiceInvalid = "choice.invalid", Error;
    /// A number cell's format shows other text than the number it holds (`1,234` for 1234,
    /// `ID-7` for 7); the number is read.
    NumberFormatShown = "cell.number_format", Warning;
    /// A column of the file is not part of the template and is ignored.
    UnknownColumn = "column.unknown", Warning;
    /// Cells right of the last header are ignored.
    ValuesOutsideColumns = "column.values_without_header", Warning;
    /// The workbook holds macros (a VBA project), which are never run: only cell values are
    /// read.
    MacrosIgnored = "file.macros_ignored", Warning;
    /// More issues were found than the report keeps.
    TooManyIssues = "file.too_many_issues", Error;
    /// A group chosen for the import does not exist.
    UnknownGroups = "import.unknown_groups", Error;
    /// The new users do not fit in the subscription's seats.
    SeatLimit = "import.seat_limit", Error;
    /// Concurrent imports kept changing the same users; the import gave up.
    TooManyConflicts = "import.too_many_conflicts", Error;
    /// The file as a whole was rejected (not a workbook, over a limit, no data sheet...).
    FileRejected = "file.rejected", Error;
    /// A text (CSV) upload that is not UTF-8 was read in the encoding named.
    EncodingAssumed = "file.encoding_assumed", Warning;
}

impl fmt::Display for IssueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for IssueCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IssueCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        IssueCode::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown issue code `{code}`")))
    }
}

/// One problem found in an upload.
///
/// Issues are values, not errors: reading and validation go on after one is found, so the
/// administrator sees every problem of the file at once.
///
/// ```
/// use user_import::{Issue, IssueCode, Severity};
///
/// let issue = Issue::new(IssueCode::CountryName)
///     .at(5, "Country")
///     .value("Canada")
///     .arg("code", "CA");
/// assert_eq!(issue.severity, Severity::Error);
/// assert_eq!(issue.message, "row 5, Country: `Canada` is a country name; use the code `CA`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The row number as the spreadsheet shows it (the header is row 1), or `None` for a
    /// problem of the whole file.
    pub row: Option<u32>,
    /// The column header as written in the file, or `None` for a problem of a whole row or file.
    pub column: Option<String>,
    /// The value as read from the cell.
    pub value: Option<String>,
    /// What kind of problem this is.
    pub code: IssueCode,
    /// Whether it stops the import.
    pub severity: Severity,
    /// A message that says what is wrong and how to fix it: in English, unless written in
    /// another language by a [`Catalog`](crate::Catalog).
    pub message: String,
    /// Named values the message was built from (such as `code`, `limit`, `rows`), so a host
    /// can write the message in another language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
}

impl Issue {
    /// A new issue of `code`, for the whole file, with its message rendered.
    pub fn new(code: IssueCode) -> Issue {
        let mut issue = Issue {
            row: None,
            column: None,
            value: None,
            code,
            severity: code.severity(),
            message: String::new(),
            args: Vec::new(),
        };
        issue.render();
        issue
    }

    /// Places the issue at a spreadsheet row and column header.
    pub fn at(mut self, row: u32, column: &str) -> Issue {
        self.row = Some(row);
        self.column = Some(column.to_string());
        self.render();
        self
    }

    /// Places the issue on a whole column (no particular row).
    pub fn in_column(mut self, column: &str) -> Issue {
        self.column = Some(column.to_string());
        self.render();
        self
    }

    /// Records the value as read.
    pub fn value(mut self, value: impl Into<String>) -> Issue {
        self.value = Some(value.into());
        self.render();
        self
    }

    /// Adds a named value used by the message.
    pub fn arg(mut self, name: &str, value: impl Into<String>) -> Issue {
        self.args.push((name.to_string(), value.into()));
        self.render();
        self
    }

    /// The named value `name`, if the issue has one.
    pub fn get_arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Renders the message with a template of the same placeholders as [`english`]:
    /// `{row}`, `{column}`, `{value}` and every named argument.
    pub fn render_with(&self, template: &str) -> String {
        crate::text::fill(template, |name| self.placeholder(name).map(Cow::Owned))
    }

    fn placeholder(&self, name: &str) -> Option<String> {
        match name {
            "row" => self.row.map(|row| row.to_string()),
            "column" => self.column.as_deref().map(|c| escaped(c).into_owned()),
            "value" => self.value.as_deref().map(shown),
            _ => self.get_arg(name).map(|arg| escaped(arg).into_owned()),
        }
    }

    fn render(&mut self) {
        self.message = english_catalog().issue_message(self);
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The English message template of an issue code, without the `row N, Column:` prefix: the
/// text of the code's key in the English [`Catalog`].
///
/// Placeholders in braces are filled from the issue: `{row}`, `{column}`, `{value}` and the
/// issue's named arguments.
///
/// ```
/// use user_import::{IssueCode, english};
///
/// assert_eq!(english(IssueCode::Required), "the value is missing; fill in {column} for every user");
/// ```
pub fn english(code: IssueCode) -> &'static str {
    english_catalog().text(code.as_str())
}

/// Writing issues in a catalogue's language.
impl Catalog {
    /// The message of `issue` in this language, with its position prefix (`row 5, Email: …`).
    pub fn issue_message(&self, issue: &Issue) -> String {
        let body = self.issue_text(issue);
        let prefix = match (issue.row, &issue.column) {
            (Some(_), Some(_)) => "issue.row_column",
            (Some(_), None) => "issue.row",
            (None, Some(_)) => "issue.column",
            (None, None) => return body,
        };
        self.fill_text(self.text(prefix), |name| match name {
            "message" => Some(Cow::Borrowed(body.as_str())),
            _ => self.issue_placeholder(issue, name),
        })
    }

    /// The message of `issue` in this language, without its position prefix (for a table that
    /// shows the row and the column apart).
    pub(crate) fn issue_text(&self, issue: &Issue) -> String {
        self.fill_text(self.text(issue.code.as_str()), |name| {
            self.issue_placeholder(issue, name)
        })
    }

    fn issue_placeholder<'a>(&'a self, issue: &'a Issue, name: &str) -> Option<Cow<'a, str>> {
        match name {
            "row" => issue.row.map(|row| Cow::Owned(row.to_string())),
            "column" => issue.column.as_deref().map(escaped),
            "value" => issue.value.as_deref().map(|value| Cow::Owned(shown(value))),
            "rows" if issue.get_arg("row_list").is_some() => {
                let list: Vec<&str> = issue
                    .get_arg("row_list")
                    .unwrap_or_default()
                    .split(',')
                    .filter(|row| !row.is_empty())
                    .collect();
                let total: usize = issue
                    .get_arg("row_count")
                    .and_then(|count| count.parse().ok())
                    .unwrap_or(list.len());
                Some(Cow::Owned(self.join_rows(&list, total)))
            }
            _ => {
                // `{country}` from `country_code`: the country's name in this language.
                if let Some(country) = matches!(name, "country" | "region_country")
                    .then(|| issue.get_arg(&format!("{name}_code")))
                    .flatten()
                    .and_then(crate::location::country)
                {
                    return Some(Cow::Owned(format!(
                        "{} ({})",
                        country.name_in(self.language()),
                        country.code()
                    )));
                }
                // `{reason}` from `reason_key` when this catalogue knows that key.
                let keyed = format!("{name}_key");
                if let Some(text) = issue.get_arg(&keyed).and_then(|key| self.get(key)) {
                    return Some(Cow::Owned(self.fill_text(text, |inner| {
                        if inner == name {
                            return None;
                        }
                        self.issue_placeholder(issue, inner)
                    })));
                }
                issue.get_arg(name).map(escaped)
            }
        }
    }

    /// The issue with its message written in this language.
    pub fn localize(&self, mut issue: Issue) -> Issue {
        issue.message = self.issue_message(&issue);
        issue
    }

    /// Writes every message of `issues` in this language.
    pub fn localize_all(&self, issues: &mut [Issue]) {
        for issue in issues {
            issue.message = self.issue_message(issue);
        }
    }
}

/// Whether `ch` is written as an escape in a message: a control character (a line break, an
/// ESC that starts a terminal escape sequence...) or a format character that reorders or hides
/// text (a right-to-left override...). Zero-width joiners stay: some scripts need them and
/// they move nothing.
fn needs_escape(ch: char) -> bool {
    ch.is_control()
        || (crate::value::is_format_character(ch) && !matches!(ch, '\u{200C}' | '\u{200D}'))
}

fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if needs_escape(c) => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
        c => out.push(c),
    }
}

/// Text from a file (a header, a sheet name, a part name) as a message quotes it: control and
/// format characters written as `\n`, `\u{001B}`, `\u{202E}`, so no message carries them raw
/// to a terminal, a page or a mail. Escaping twice changes nothing.
pub(crate) fn escaped(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.bytes().any(|b| b < 0x20 || b == 0x7F) {
        return Cow::Borrowed(text);
    }
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        push_escaped(&mut out, ch);
    }
    Cow::Owned(out)
}

/// A value as it is shown inside a message: [escaped], and cut when long so a message stays
/// readable.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::with_capacity(value.len().min(MAX * 4));
    for (count, ch) in value.chars().enumerate() {
        if count == MAX {
            out.push('…');
            break;
        }
        push_escaped(&mut out, ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_string() {
        for &code in IssueCode::ALL {
            assert_eq!(IssueCode::from_code(code.as_str()), Some(code));
        }
    }

    #[test]
    fn unknown_placeholders_stay_visible() {
        let issue = Issue::new(IssueCode::Required);
        assert_eq!(issue.render_with("{nope} {column}"), "{nope} {column}");
    }

    #[test]
    fn shown_makes_control_characters_visible() {
        assert_eq!(shown("a\nb\u{0}"), "a\\nb\\u{0000}");
    }

    #[test]
    fn escaped_writes_control_and_format_characters_as_escapes() {
        assert_eq!(escaped("Dept\u{1b}[31m"), "Dept\\u{001B}[31m");
        assert_eq!(escaped("Ann \u{202E}eeL"), "Ann \\u{202E}eeL");
        assert_eq!(escaped("Zoë"), "Zoë");
        assert_eq!(escaped("می\u{200C}خواهم"), "می\u{200C}خواهم");
        let once = escaped("a\u{2066}b\u{7f}").into_owned();
        assert_eq!(escaped(&once), once);
    }
}
