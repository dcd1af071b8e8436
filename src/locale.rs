//! The administrator's language: every text a person reads, in a catalogue keyed by stable
//! keys, with named placeholders.
//!
//! English and French ship with the crate ([`Catalog::english`], [`Catalog::french`]). A host
//! adds a language by starting from a shipped catalogue and replacing its texts
//! ([`Catalog::derive`], [`Catalog::set`]), or overrides any text of a shipped one, without
//! forking the crate. [`Catalog::check`] tells a host whether its texts use only the
//! placeholders each key provides.
//!
//! Keys:
//!
//! - every [`IssueCode`] string (`email.invalid`, `import.seat_limit`...): the message of an
//!   issue, without the position prefix;
//! - `issue.row_column`, `issue.row`, `issue.column`: the position prefix around `{message}`;
//! - `email.reason.*`: why an address is not valid (the `{reason}` of `email.invalid`);
//! - `error.*`, `file_kind.*`, `file_advice.*`, `limit.*`, `limit_advice.*`: a rejected file;
//! - `format.*`, `template.*`: the template; `report.*`: the error report; `summary.*`: the
//!   summary's sentences; `invitation.*`: the invitation email's default text.
//!
//! Placeholders are written `{name}`. An issue's message is filled from the issue: `{row}`,
//! `{column}`, `{value}` and its named arguments ([`Issue::args`]). An argument `x_key` whose
//! value is a key of the catalogue fills `{x}` with that key's text, so a reason or a limit
//! reads in the catalogue's language too.
//!
//! ```
//! use user_import::{Catalog, Issue, IssueCode};
//!
//! let issue = Issue::new(IssueCode::CountryName).at(5, "Pays").value("Canada").arg("code", "CA");
//! let french = Catalog::french();
//! assert_eq!(
//!     french.issue_message(&issue),
//!     "ligne 5, Pays : « Canada » est un nom de pays ; utilisez le code « CA »"
//! );
//!
//! // A host overrides one text without forking.
//! let ours = Catalog::french().set("country.name_not_code", "« {value} » : tapez plutôt {code}");
//! assert_eq!(ours.issue_message(&issue), "ligne 5, Pays : « Canada » : tapez plutôt CA");
//! assert!(ours.check().is_empty());
//! ```

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::error::{Error, FileKind};
use crate::issue::{Issue, IssueCode, english, shown};
use crate::summary::{ImportStatus, ImportSummary};

/// A language's texts, by key. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    language: Arc<str>,
    texts: Arc<HashMap<Cow<'static, str>, Cow<'static, str>>>,
}

impl Default for Catalog {
    fn default() -> Catalog {
        Catalog::english()
    }
}

/// The languages whose catalogues ship with the crate.
pub const SHIPPED_LANGUAGES: &[&str] = &["en", "fr"];

impl Catalog {
    /// The English catalogue, the crate's default.
    pub fn english() -> Catalog {
        Catalog {
            language: Arc::from("en"),
            texts: Arc::new(english_texts()),
        }
    }

    /// The French catalogue.
    pub fn french() -> Catalog {
        let mut texts = english_texts();
        for (key, text) in FR {
            texts.insert(Cow::Borrowed(*key), Cow::Borrowed(*text));
        }
        Catalog {
            language: Arc::from("fr"),
            texts: Arc::new(texts),
        }
    }

    /// The shipped catalogue for a language tag (`en`, `fr`, `fr-CA`, `EN_us`...), matched on
    /// its primary subtag, ignoring case.
    ///
    /// ```
    /// use user_import::Catalog;
    ///
    /// assert_eq!(Catalog::for_language("fr-CA").unwrap().language(), "fr");
    /// assert!(Catalog::for_language("de").is_none());
    /// ```
    pub fn for_language(tag: &str) -> Option<Catalog> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Catalog::english()),
            "fr" => Some(Catalog::french()),
            _ => None,
        }
    }

    /// A new language `language` that starts with this catalogue's texts: replace them with
    /// [`Catalog::set`].
    pub fn derive(&self, language: impl Into<String>) -> Catalog {
        Catalog {
            language: Arc::from(language.into()),
            texts: Arc::clone(&self.texts),
        }
    }

    /// Replaces the text of `key` (or adds a key of the host's own).
    pub fn set(mut self, key: impl Into<String>, text: impl Into<String>) -> Catalog {
        Arc::make_mut(&mut self.texts).insert(Cow::Owned(key.into()), Cow::Owned(text.into()));
        self
    }

    /// The language tag, such as `"fr"`.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The text of `key`, or `None` if the catalogue has no such key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.texts.get(key).map(|text| text.as_ref())
    }

    /// The text of `key`, or the key itself where the catalogue has none (a visible slip,
    /// never a panic).
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.get(key).unwrap_or(key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.texts.keys().map(|key| key.as_ref()).collect();
        keys.sort_unstable();
        keys
    }

    /// The text of `key` with its placeholders filled from `args`; a placeholder with no
    /// argument stays as written.
    ///
    /// ```
    /// use user_import::Catalog;
    ///
    /// let text = Catalog::french().fill("template.example", &[("example", "CA-QC")]);
    /// assert_eq!(text, "Exemple : CA-QC");
    /// ```
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text(key), |name| {
            args.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| Cow::Borrowed(*value))
        })
    }

    /// The message of `issue` in this language, with its position prefix (`row 5, Email: …`).
    pub fn issue_message(&self, issue: &Issue) -> String {
        let body = fill(self.text(issue.code.as_str()), |name| {
            self.issue_placeholder(issue, name)
        });
        let prefix = match (issue.row, &issue.column) {
            (Some(_), Some(_)) => "issue.row_column",
            (Some(_), None) => "issue.row",
            (None, Some(_)) => "issue.column",
            (None, None) => return body,
        };
        fill(self.text(prefix), |name| match name {
            "message" => Some(Cow::Borrowed(body.as_str())),
            _ => self.issue_placeholder(issue, name),
        })
    }

    fn issue_placeholder<'a>(&'a self, issue: &'a Issue, name: &str) -> Option<Cow<'a, str>> {
        match name {
            "row" => issue.row.map(|row| Cow::Owned(row.to_string())),
            "column" => issue.column.as_deref().map(Cow::Borrowed),
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
                // `{reason}` from `reason_key` when this catalogue knows that key.
                let keyed = format!("{name}_key");
                if let Some(text) = issue.get_arg(&keyed).and_then(|key| self.get(key)) {
                    return Some(Cow::Owned(fill(text, |inner| {
                        if inner == name {
                            return None;
                        }
                        self.issue_placeholder(issue, inner)
                    })));
                }
                issue.get_arg(name).map(Cow::Borrowed)
            }
        }
    }

    /// `2, 5 and 9` (or `2, 5 et 9`); `… and 12 more` past the rows listed.
    fn join_rows(&self, rows: &[&str], total: usize) -> String {
        match rows {
            [] => String::new(),
            [one] if total <= 1 => (*one).to_string(),
            _ if total > rows.len() => {
                let more = (total - rows.len()).to_string();
                self.fill("list.more", &[("head", &rows.join(", ")), ("more", &more)])
            }
            [init @ .., last] => {
                self.fill("list.and", &[("head", &init.join(", ")), ("last", last)])
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

    /// The message of a rejected file (or of another [`Error`]) in this language.
    ///
    /// ```
    /// use user_import::{Catalog, Error, FileKind};
    ///
    /// let error = Error::NotXlsx { kind: FileKind::Csv };
    /// assert_eq!(Catalog::english().error_message(&error), error.to_string());
    /// assert!(Catalog::french().error_message(&error).starts_with("le fichier est un fichier texte CSV"));
    /// ```
    pub fn error_message(&self, error: &Error) -> String {
        let (key, args) = error_args(error);
        fill(self.text(key), |name| {
            let keyed = format!("{name}_key");
            if let Some(text) = args
                .iter()
                .find(|(arg, _)| *arg == keyed)
                .and_then(|(_, key)| self.get(key))
            {
                return Some(Cow::Owned(text.to_string()));
            }
            args.iter()
                .find(|(arg, _)| *arg == name)
                .map(|(_, value)| Cow::Owned(value.clone()))
        })
    }

    /// The summary's reason and issues written in this language (the import's own record
    /// keeps the language it was run in).
    pub fn localize_summary(&self, summary: &mut ImportSummary) {
        self.localize_all(&mut summary.issues);
        if let Some(reason) = self.summary_reason(summary) {
            summary.reason = reason;
        }
    }

    /// Why an import did not complete, in this language, rebuilt from its issues; `None` for
    /// a completed import or where the issues do not tell.
    pub(crate) fn summary_reason(&self, summary: &ImportSummary) -> Option<String> {
        if summary.status != ImportStatus::Failed {
            return None;
        }
        let errors: Vec<&Issue> = summary
            .issues
            .iter()
            .filter(|issue| issue.severity == crate::Severity::Error)
            .collect();
        let first = errors.first()?;
        match first.code {
            IssueCode::FileRejected => {
                Some(self.fill("summary.rejected", &[("error", &self.issue_message(first))]))
            }
            IssueCode::UnknownGroups | IssueCode::SeatLimit | IssueCode::TooManyConflicts => {
                Some(self.issue_message(first))
            }
            _ => {
                let count = errors.len().to_string();
                let rows = summary.counts.failed_rows.max(1).to_string();
                let key = if errors.len() == 1 {
                    "summary.problem"
                } else {
                    "summary.problems"
                };
                Some(self.fill(key, &[("count", &count), ("rows", &rows)]))
            }
        }
    }

    /// One sentence that says how an import ended, for the administrator.
    ///
    /// ```
    /// use user_import::{Catalog, ImportId, ImportStatus, ImportSummary};
    ///
    /// let mut summary = ImportSummary::new(ImportId("i-1".into()), ImportStatus::Completed);
    /// summary.counts.created = 3;
    /// summary.invitations.sent = 3;
    /// assert_eq!(
    ///     Catalog::french().describe(&summary),
    ///     "3 utilisateurs créés, 0 utilisateurs existants ajoutés aux groupes, 0 laissés tels quels ; 3 invitations envoyées, 0 non remises"
    /// );
    /// ```
    pub fn describe(&self, summary: &ImportSummary) -> String {
        let counts = &summary.counts;
        let numbers = [
            ("created", counts.created.to_string()),
            ("added", counts.groups_added.to_string()),
            ("untouched", counts.untouched.to_string()),
            ("sent", summary.invitations.sent.to_string()),
            ("failed", summary.invitations.failed.to_string()),
            ("reason", summary.reason.clone()),
        ];
        let args: Vec<(&str, &str)> = numbers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let key = match (summary.status, summary.dry_run) {
            (ImportStatus::Completed, true) => "summary.dry_run",
            (ImportStatus::Completed, false) => "summary.completed",
            (ImportStatus::Failed, _) => "summary.failed",
            _ => "summary.in_progress",
        };
        self.fill(key, &args)
    }

    /// Problems of this catalogue against the English one: keys English has and this one
    /// lacks, and texts whose placeholders differ from the English text's (a placeholder the
    /// English text does not have would stay unfilled; one it lacks would lose information).
    /// Empty when the catalogue is sound.
    pub fn check(&self) -> Vec<String> {
        let reference = english_texts();
        let mut problems = Vec::new();
        let mut keys: Vec<&Cow<'static, str>> = reference.keys().collect();
        keys.sort_unstable();
        for key in keys {
            let Some(text) = self.texts.get(key.as_ref()) else {
                problems.push(format!("`{key}` has no text"));
                continue;
            };
            let wanted = placeholders(&reference[key.as_ref()]);
            let found = placeholders(text);
            if wanted != found {
                problems.push(format!(
                    "`{key}` uses the placeholders {found:?}, but the key provides {wanted:?}"
                ));
            }
        }
        problems
    }
}

/// The English catalogue, built once.
pub(crate) fn english_catalog() -> &'static Catalog {
    static ENGLISH: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    ENGLISH.get_or_init(Catalog::english)
}

/// The issue that stands for a rejected file: its `reason` is the error's message, and it
/// carries the error's code and named values so any catalogue can write it.
pub(crate) fn rejected_file_issue(error: &Error) -> Issue {
    let (key, args) = error_args(error);
    let mut issue = Issue::new(IssueCode::FileRejected)
        .arg("error_code", error.code())
        .arg("reason_key", key);
    for (name, value) in args {
        issue = issue.arg(name, value);
    }
    issue.arg("reason", error.to_string())
}

/// The placeholders a text uses.
pub(crate) fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    out.insert(name);
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

/// Fills `{name}` placeholders of `template` from `lookup`; unknown ones stay as written.
pub(crate) fn fill<'a>(template: &str, lookup: impl Fn(&str) -> Option<Cow<'a, str>>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every English text, issue codes included.
fn english_texts() -> HashMap<Cow<'static, str>, Cow<'static, str>> {
    let mut texts = HashMap::with_capacity(EN.len() + IssueCode::ALL.len() + LIMITS.len());
    for code in IssueCode::ALL {
        texts.insert(Cow::Borrowed(code.as_str()), Cow::Borrowed(english(*code)));
    }
    for (key, text) in EN {
        texts.insert(Cow::Borrowed(*key), Cow::Borrowed(*text));
    }
    for (key, text) in LIMITS.iter().chain(LIMIT_ADVICE).chain(NOT_TEXT) {
        texts.insert(Cow::Borrowed(*key), Cow::Borrowed(*text));
    }
    texts
}

/// The key of a [`FileKind`]'s description.
pub(crate) fn file_kind_key(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Empty => "file_kind.empty",
        FileKind::Csv => "file_kind.csv",
        FileKind::Text => "file_kind.text",
        FileKind::Xls => "file_kind.xls",
        FileKind::Encrypted => "file_kind.encrypted",
        FileKind::Ods => "file_kind.ods",
        FileKind::Xlsb => "file_kind.xlsb",
        FileKind::Zip => "file_kind.zip",
        FileKind::Truncated => "file_kind.truncated",
        FileKind::Html => "file_kind.html",
        FileKind::Pdf => "file_kind.pdf",
        FileKind::Unknown => "file_kind.unknown",
    }
}

/// The key of a [`FileKind`]'s advice.
pub(crate) fn file_advice_key(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Encrypted => "file_advice.encrypted",
        FileKind::Truncated => "file_advice.truncated",
        FileKind::Empty => "file_advice.empty",
        _ => "file_advice.other",
    }
}

/// The catalogue key and the named values of an error's message.
pub(crate) fn error_args(error: &Error) -> (&'static str, Vec<(&'static str, String)>) {
    let key_of = |table: &[(&'static str, &'static str)], english: &str| {
        table
            .iter()
            .find(|(_, text)| *text == english)
            .map(|(key, _)| key.to_string())
            .unwrap_or_default()
    };
    match error {
        Error::NotXlsx { kind } => (
            "error.file.not_xlsx",
            vec![
                ("kind", kind.to_string()),
                ("kind_key", file_kind_key(*kind).to_string()),
                ("advice", kind.advice().to_string()),
                ("advice_key", file_advice_key(*kind).to_string()),
            ],
        ),
        Error::LimitExceeded {
            what,
            value,
            limit,
            advice,
        } => (
            "error.file.limit_exceeded",
            vec![
                ("what", what.to_string()),
                ("what_key", key_of(LIMITS, what)),
                ("value", value.to_string()),
                ("limit", limit.to_string()),
                ("advice", advice.to_string()),
                ("advice_key", key_of(LIMIT_ADVICE, advice)),
            ],
        ),
        Error::Corrupt { detail, .. } => ("error.file.corrupt", vec![("detail", detail.clone())]),
        Error::CellOutsideGrid { part, reference } => (
            "error.file.cell_outside_grid",
            vec![("part", part.clone()), ("reference", reference.clone())],
        ),
        Error::DuplicateCell { sheet, reference } => (
            "error.file.duplicate_cell",
            vec![("sheet", sheet.clone()), ("reference", reference.clone())],
        ),
        Error::SheetNotFound {
            expected_sheet,
            expected_headers,
            found,
        } => (
            "error.file.sheet_not_found",
            vec![
                ("expected_sheet", expected_sheet.clone()),
                ("expected_headers", expected_headers.clone()),
                ("found", found.clone()),
            ],
        ),
        Error::MissingColumns {
            sheet,
            missing,
            count,
            header_row,
        } => (
            if *count == 1 {
                "error.file.missing_column"
            } else {
                "error.file.missing_columns"
            },
            vec![
                ("sheet", sheet.clone()),
                ("missing", missing.clone()),
                ("header_row", header_row.to_string()),
            ],
        ),
        Error::DuplicateColumn {
            sheet,
            header,
            first,
            second,
        } => (
            "error.file.duplicate_column",
            vec![
                ("sheet", sheet.clone()),
                ("header", header.clone()),
                ("first", first.clone()),
                ("second", second.clone()),
            ],
        ),
        Error::NoRows { sheet, first_row } => (
            "error.file.no_rows",
            vec![
                ("sheet", sheet.clone()),
                ("first_row", first_row.to_string()),
            ],
        ),
        Error::NotText { line, what } => (
            "error.file.not_text",
            vec![
                ("line", line.to_string()),
                ("what", what.to_string()),
                ("what_key", key_of(NOT_TEXT, what)),
            ],
        ),
        Error::UnclosedQuote { row } => {
            ("error.file.unclosed_quote", vec![("row", row.to_string())])
        }
        Error::Schema(detail) => ("error.schema.invalid", vec![("detail", detail.clone())]),
        Error::Write(source) => ("error.write.failed", vec![("detail", source.to_string())]),
        Error::Store(source) => ("error.store.failed", vec![("detail", source.to_string())]),
    }
}

/// What went over a limit (`Error::LimitExceeded::what`), by key.
pub(crate) const LIMITS: &[(&str, &str)] = &[
    ("limit.size", "size in bytes"),
    ("limit.parts", "number of parts in the zip package"),
    ("limit.part_size", "largest part, in uncompressed bytes,"),
    ("limit.ratio", "compression ratio of a part"),
    ("limit.total_size", "total uncompressed size in bytes"),
    (
        "limit.shared_strings_size",
        "shared-strings part, in uncompressed bytes,",
    ),
    ("limit.shared_strings", "number of shared strings"),
    (
        "limit.declared_shared_strings",
        "declared number of shared strings",
    ),
    (
        "limit.styles",
        "number of cell formats, fonts, fills and borders in the styles part",
    ),
    ("limit.columns", "number of columns in the header row"),
    ("limit.rows", "number of user rows"),
    ("limit.text", "total length of the cell values in bytes"),
    // Text (CSV) and OpenDocument uploads.
    ("limit.line", "length of one row of text, in bytes,"),
    ("limit.values", "number of values in one row"),
    ("limit.grid_rows", "number of rows, blank ones included,"),
    (
        "limit.ods_memory",
        "memory needed to hold the OpenDocument sheets, in bytes,",
    ),
];

/// How to get under a limit (`Error::LimitExceeded::advice`), by key.
pub(crate) const LIMIT_ADVICE: &[(&str, &str)] = &[
    ("limit_advice.split", "split the users over several files"),
    (
        "limit_advice.attachments",
        "save the workbook again from Excel, without attachments or embedded objects",
    ),
    (
        "limit_advice.compression",
        "this is not how Excel compresses a workbook; save the file again from Excel",
    ),
    (
        "limit_advice.styles",
        "delete unused cell styles (long number formats or font names lower the limit), or save the file again from Excel",
    ),
    (
        "limit_advice.columns",
        "delete the columns the template does not have",
    ),
    (
        "limit_advice.shared_text",
        "a shared text counts once for every cell that uses it; split the users over several files",
    ),
    // Text (CSV) and OpenDocument uploads.
    (
        "limit_advice.line",
        "a row this long is a file without line ends, or a quote that is never closed; save the file again as CSV",
    ),
    (
        "limit_advice.grid_rows",
        "a spreadsheet holds at most 1048576 rows; delete the blank lines or split the users over several files",
    ),
    (
        "limit_advice.ods_memory",
        "an OpenDocument sheet is read whole; save the file as an Excel workbook (.xlsx), or split the users over several files",
    ),
];

/// What a text upload has that text does not (`Error::NotText::what`), by key.
pub(crate) const NOT_TEXT: &[(&str, &str)] = &[
    (
        "not_text.nul",
        "a NUL byte, which text never has (text saved as UTF-16 without a byte-order mark has them)",
    ),
    (
        "not_text.utf16",
        "bytes that are not UTF-16, although the file starts with a UTF-16 byte-order mark",
    ),
];

/// English texts other than the issue messages (which are [`english`]).
const EN: &[(&str, &str)] = &[
    ("issue.row_column", "row {row}, {column}: {message}"),
    ("issue.row", "row {row}: {message}"),
    ("issue.column", "column {column}: {message}"),
    ("list.and", "{head} and {last}"),
    ("list.more", "{head} and {more} more"),
    // Why an email address is not valid.
    ("email.reason.empty", "it is empty"),
    (
        "email.reason.display_name",
        "it includes a name or angle brackets besides the address",
    ),
    ("email.reason.space", "it contains a space"),
    (
        "email.reason.control",
        "it contains the space or control character U+{code_point}",
    ),
    (
        "email.reason.invisible",
        "it contains the invisible character U+{code_point} (often added by copying from a web page or document)",
    ),
    (
        "email.reason.several",
        "it holds more than one address, or a comma or semicolon",
    ),
    ("email.reason.no_at", "it has no @"),
    ("email.reason.two_at", "it has more than one @"),
    ("email.reason.empty_local", "nothing comes before the @"),
    ("email.reason.empty_domain", "nothing comes after the @"),
    (
        "email.reason.local_too_long",
        "the part before the @ has {length} characters, over the limit of 64",
    ),
    (
        "email.reason.local_character",
        "the part before the @ has the character `{character}`, which addresses do not use",
    ),
    (
        "email.reason.local_dots",
        "the part before the @ starts or ends with a dot, or has two dots in a row",
    ),
    (
        "email.reason.ip_literal",
        "the domain is an IP address, not a name such as example.com",
    ),
    (
        "email.reason.domain_not_ascii",
        "the domain `{domain}` has letters outside a-z, which must be written in the domain's ASCII (xn--) form",
    ),
    (
        "email.reason.domain_too_long",
        "the domain has {length} characters, over the limit of 253",
    ),
    (
        "email.reason.domain_no_dot",
        "the domain `{domain}` has no dot",
    ),
    (
        "email.reason.domain_empty_label",
        "the domain `{domain}` has an empty part between dots",
    ),
    (
        "email.reason.label_too_long",
        "the domain part `{label}` has {length} characters, over the limit of 63",
    ),
    (
        "email.reason.domain_character",
        "the domain has the character `{character}`; domains use only letters, digits, hyphens and dots",
    ),
    (
        "email.reason.label_hyphen",
        "the domain part `{label}` starts or ends with a hyphen",
    ),
    (
        "email.reason.tld",
        "the domain ends in `{tld}`, not a top-level domain such as .com or .org",
    ),
    ("email.reason.other", "{detail}"),
    // A rejected file.
    (
        "error.file.not_xlsx",
        "the file is {kind}, not an Excel workbook; {advice}",
    ),
    (
        "error.file.limit_exceeded",
        "the file {what} ({value}) exceeds the limit of {limit}; {advice}",
    ),
    (
        "error.file.corrupt",
        "the workbook is damaged: {detail}; open it in Excel and save it again as .xlsx",
    ),
    (
        "error.file.cell_outside_grid",
        "the workbook is damaged: part `{part}` has the cell reference `{reference}`, outside Excel's grid of 1048576 rows and 16384 columns (XFD); open it in Excel and save it again as .xlsx",
    ),
    (
        "error.file.duplicate_cell",
        "the workbook is damaged: sheet `{sheet}` has two cells at {reference}; open it in Excel and save it again as .xlsx",
    ),
    (
        "error.file.sheet_not_found",
        "no sheet holds the users: looked for a sheet named `{expected_sheet}` or one whose first row has the headers {expected_headers}; the file has the sheets {found}; fill in the downloaded template",
    ),
    (
        "error.file.missing_column",
        "sheet `{sheet}` is missing the required column {missing}; add it to the header row (row {header_row}) or fill in the downloaded template",
    ),
    (
        "error.file.missing_columns",
        "sheet `{sheet}` is missing the required columns {missing}; add them to the header row (row {header_row}) or fill in the downloaded template",
    ),
    (
        "error.file.duplicate_column",
        "sheet `{sheet}` has the column `{header}` twice (columns {first} and {second}); keep one and delete the other",
    ),
    (
        "error.file.no_rows",
        "sheet `{sheet}` has no users below the header row; add one user per row, starting on row {first_row}",
    ),
    ("error.schema.invalid", "invalid schema: {detail}"),
    (
        "error.write.failed",
        "could not write the workbook: {detail}",
    ),
    ("error.store.failed", "{detail}"),
    (
        "error.file.not_text",
        "the file is not text that can be read: line {line} has {what}; save it again as CSV UTF-8 or as an Excel workbook (.xlsx)",
    ),
    (
        "error.file.unclosed_quote",
        "row {row} has a value that opens a quote (\") and never closes it, so the rest of the file would be read as that one value; close the quote or remove it, then save the file again",
    ),
    ("file_kind.empty", "an empty file"),
    ("file_kind.csv", "a CSV text file"),
    ("file_kind.text", "a plain text file"),
    ("file_kind.xls", "a legacy Excel 97-2003 workbook (.xls)"),
    ("file_kind.encrypted", "a password-protected workbook"),
    ("file_kind.ods", "an OpenDocument spreadsheet (.ods)"),
    ("file_kind.xlsb", "a binary Excel workbook (.xlsb)"),
    (
        "file_kind.zip",
        "a zip archive that holds no Excel workbook",
    ),
    (
        "file_kind.truncated",
        "a damaged or incomplete file (it may have been cut off during upload)",
    ),
    ("file_kind.html", "an HTML page"),
    ("file_kind.pdf", "a PDF document"),
    ("file_kind.unknown", "a file of an unknown kind"),
    (
        "file_advice.encrypted",
        "remove the password (File > Info > Protect Workbook) and save it again as .xlsx",
    ),
    (
        "file_advice.truncated",
        "upload the file again, or open it in Excel and save it again as .xlsx",
    ),
    (
        "file_advice.empty",
        "fill in the template and upload the saved .xlsx file",
    ),
    (
        "file_advice.other",
        "open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or fill in the downloaded template",
    ),
    // The summary.
    ("summary.rejected", "the file was rejected: {error}"),
    (
        "summary.problem",
        "{count} problem in {rows} rows; fix the file and upload it again",
    ),
    (
        "summary.problems",
        "{count} problems in {rows} rows; fix the file and upload it again",
    ),
    (
        "summary.completed",
        "{created} users created, {added} existing users added to the groups, {untouched} left untouched; {sent} invitations sent, {failed} not delivered",
    ),
    (
        "summary.dry_run",
        "dry run: {created} users would be created, {added} existing users added to the groups, {untouched} left untouched; nothing was written or sent",
    ),
    (
        "summary.failed",
        "the import failed and nothing was imported: {reason}",
    ),
    ("summary.in_progress", "the import is in progress"),
    // The template.
    ("template.title", "User import"),
    ("template.sheet.users", "Users"),
    ("template.sheet.instructions", "Instructions"),
    ("template.sheet.locations", "Location codes"),
    ("template.sheet.lists", "Lists"),
    ("template.required", "Required"),
    ("template.optional", "Optional"),
    ("template.example", "Example: {example}"),
    (
        "template.pick_country",
        "Pick a country code, or see the {locations} sheet.",
    ),
    ("template.pick_one", "Pick one of: {choices}"),
    ("template.invalid", "Invalid {column}"),
    (
        "template.instructions.rows",
        "Fill in one user per row on the {sheet} sheet, starting on row 2. Keep the header row as it is.",
    ),
    (
        "template.instructions.columns",
        "Only the template's columns are imported. Fill in every required column for every user.",
    ),
    (
        "template.instructions.text",
        "Type values as plain text. A cell that holds a formula or the result of a macro cannot be imported.",
    ),
    (
        "template.instructions.codes",
        "Country and Region take location codes, not names: CA for Canada, CA-QC for Quebec. The {locations} sheet lists them all.",
    ),
    (
        "template.instructions.dates",
        "Write dates as YYYY-MM-DD, for example 2024-03-31.",
    ),
    (
        "template.instructions.existing",
        "A user whose email already has an account is neither changed nor duplicated: only the import's groups are added.",
    ),
    (
        "template.instructions.all_or_nothing",
        "If any row has a problem, no user is imported. Fix the file and upload it again.",
    ),
    ("template.instructions.column", "Column"),
    ("template.instructions.what", "What to enter"),
    ("template.locations.code", "Code"),
    ("template.locations.name", "Name"),
    ("template.locations.type", "Type"),
    ("template.locations.country", "Country"),
    ("template.locations.country_type", "Country"),
    ("format.text", "text"),
    ("format.name", "the user's full name"),
    ("format.email", "one email address"),
    (
        "format.country",
        "an ISO 3166-1 country code (two letters), from the {locations} sheet",
    ),
    (
        "format.region",
        "an ISO 3166-2 region code of the row's country, from the {locations} sheet",
    ),
    ("format.date", "a date as YYYY-MM-DD"),
    ("format.choice", "one of: {choices}"),
    // The error report.
    ("report.issues", "Issues"),
    ("report.problems", "Problems"),
    ("report.problems_alt", "Import problems"),
    ("report.row", "Row"),
    ("report.column", "Column"),
    ("report.value", "Value"),
    ("report.code", "Code"),
    ("report.message", "Message"),
    (
        "report.more",
        "{count} more issues are not listed: a sheet holds at most {limit} rows",
    ),
    (
        "report.unlisted",
        "this row has problems that are not listed because the file has too many; fix the problems shown and check the file again",
    ),
    // The invitation email.
    ("invitation.subject", "{name}, you are invited"),
    ("invitation.greeting", "Hello {name},"),
    (
        "invitation.intro",
        "An account was created for you. Sign in with this email address to start.",
    ),
];

/// French texts, every key of the English catalogue.
const FR: &[(&str, &str)] = &[
    ("issue.row_column", "ligne {row}, {column} : {message}"),
    ("issue.row", "ligne {row} : {message}"),
    ("issue.column", "colonne {column} : {message}"),
    ("list.and", "{head} et {last}"),
    ("list.more", "{head} et {more} autres"),
    // Issue messages.
    (
        "value.required",
        "la valeur manque ; remplissez {column} pour chaque utilisateur",
    ),
    (
        "cell.formula",
        "la cellule contient la formule « {formula} » ; tapez la valeur elle-même, en texte",
    ),
    (
        "cell.error_value",
        "la cellule contient la valeur d'erreur « {value} » ; tapez la valeur elle-même, en texte",
    ),
    (
        "value.control_character",
        "« {value} » contient un caractère de contrôle ({character}) ; supprimez-le et gardez la valeur sur une seule ligne",
    ),
    (
        "value.too_long",
        "la valeur compte {length} caractères, au-delà de la limite de {limit} ; raccourcissez-la",
    ),
    (
        "email.invalid",
        "« {value} » n'est pas une adresse courriel valide : {reason} ; tapez une seule adresse, comme nom@exemple.com",
    ),
    (
        "email.duplicate",
        "« {value} » figure aux lignes {rows} (les adresses sont comparées sans tenir compte des majuscules) ; donnez à chaque utilisateur sa propre adresse, ou supprimez les lignes en trop",
    ),
    (
        "country.name_not_code",
        "« {value} » est un nom de pays ; utilisez le code « {code} »",
    ),
    (
        "country.alpha3_code",
        "« {value} » est un code de pays à trois lettres ; utilisez le code à deux lettres « {code} »",
    ),
    (
        "country.unknown",
        "« {value} » n'est pas un code de pays ISO 3166-1 ; utilisez un code à deux lettres de la feuille Codes de lieux, comme « CA » pour le Canada",
    ),
    (
        "region.name_not_code",
        "« {value} » est un nom de région ; utilisez le code « {code} »",
    ),
    (
        "region.unknown",
        "« {value} » n'est pas un code de région de {country} ; utilisez un code de la feuille Codes de lieux, comme « {example} »",
    ),
    (
        "region.country_mismatch",
        "« {value} » est une région de {region_country}, mais le pays de la ligne est {country} ; corrigez le pays ou la région",
    ),
    (
        "region.required",
        "la valeur manque ; {country} a des régions, donnez donc l'un de ses codes de région, comme « {example} »",
    ),
    (
        "region.not_expected",
        "« {value} » n'est pas une région de {country}, qui n'en a pas ; laissez la cellule vide",
    ),
    (
        "date.format",
        "« {value} » n'est pas une date au format AAAA-MM-JJ ; tapez-la sous la forme AAAA-MM-JJ, par exemple 2024-03-31",
    ),
    (
        "date.impossible",
        "« {value} » n'est pas une date qui existe ; vérifiez le jour et le mois et tapez-la sous la forme AAAA-MM-JJ",
    ),
    (
        "choice.invalid",
        "« {value} » ne fait pas partie des choix ({choices}) ; choisissez-en un dans la liste déroulante",
    ),
    (
        "column.unknown",
        "cette colonne ne fait pas partie du modèle et est ignorée ; donnez-lui l'un des en-têtes du modèle ou supprimez-la",
    ),
    (
        "column.values_without_header",
        "les cellules de la colonne {letter} n'ont pas d'en-tête et sont ignorées (d'abord à la ligne {first_row}) ; placez les valeurs sous un en-tête du modèle ou supprimez-les",
    ),
    (
        "file.too_many_issues",
        "{count} autres problèmes ont été trouvés et ne sont pas listés ; corrigez ceux qui sont affichés et vérifiez de nouveau le fichier",
    ),
    (
        "import.unknown_groups",
        "les groupes {groups} n'existent pas ; choisissez des groupes existants et importez de nouveau le fichier",
    ),
    (
        "import.seat_limit",
        "le fichier crée {needed} nouveaux utilisateurs, mais il ne reste que {left} places ({active} sur {limit} occupées) ; retirez {over} nouveaux utilisateurs du fichier ou augmentez la limite de l'abonnement",
    ),
    (
        "import.too_many_conflicts",
        "d'autres importations modifiaient sans cesse les mêmes utilisateurs ({attempts} tentatives) ; rien n'a été importé, importez de nouveau le fichier",
    ),
    ("file.rejected", "{reason}"),
    // Why an email address is not valid.
    ("email.reason.empty", "elle est vide"),
    (
        "email.reason.display_name",
        "elle contient un nom ou des chevrons en plus de l'adresse",
    ),
    ("email.reason.space", "elle contient une espace"),
    (
        "email.reason.control",
        "elle contient l'espace ou le caractère de contrôle U+{code_point}",
    ),
    (
        "email.reason.invisible",
        "elle contient le caractère invisible U+{code_point} (souvent ajouté par un copier-coller depuis une page web ou un document)",
    ),
    (
        "email.reason.several",
        "elle contient plus d'une adresse, ou une virgule ou un point-virgule",
    ),
    ("email.reason.no_at", "elle n'a pas de @"),
    ("email.reason.two_at", "elle a plus d'un @"),
    ("email.reason.empty_local", "rien ne précède le @"),
    ("email.reason.empty_domain", "rien ne suit le @"),
    (
        "email.reason.local_too_long",
        "la partie avant le @ compte {length} caractères, au-delà de la limite de 64",
    ),
    (
        "email.reason.local_character",
        "la partie avant le @ contient le caractère « {character} », que les adresses n'utilisent pas",
    ),
    (
        "email.reason.local_dots",
        "la partie avant le @ commence ou finit par un point, ou a deux points de suite",
    ),
    (
        "email.reason.ip_literal",
        "le domaine est une adresse IP, et non un nom comme exemple.com",
    ),
    (
        "email.reason.domain_not_ascii",
        "le domaine « {domain} » a des lettres hors de a-z, qui doivent être écrites sous la forme ASCII (xn--) du domaine",
    ),
    (
        "email.reason.domain_too_long",
        "le domaine compte {length} caractères, au-delà de la limite de 253",
    ),
    (
        "email.reason.domain_no_dot",
        "le domaine « {domain} » n'a pas de point",
    ),
    (
        "email.reason.domain_empty_label",
        "le domaine « {domain} » a une partie vide entre deux points",
    ),
    (
        "email.reason.label_too_long",
        "la partie « {label} » du domaine compte {length} caractères, au-delà de la limite de 63",
    ),
    (
        "email.reason.domain_character",
        "le domaine contient le caractère « {character} » ; un domaine n'utilise que des lettres, des chiffres, des traits d'union et des points",
    ),
    (
        "email.reason.label_hyphen",
        "la partie « {label} » du domaine commence ou finit par un trait d'union",
    ),
    (
        "email.reason.tld",
        "le domaine finit par « {tld} », qui n'est pas un domaine de premier niveau comme .com ou .org",
    ),
    ("email.reason.other", "{detail}"),
    // A rejected file.
    (
        "error.file.not_xlsx",
        "le fichier est {kind}, et non un classeur Excel ; {advice}",
    ),
    (
        "error.file.limit_exceeded",
        "le fichier dépasse la limite de {limit} pour {what} ({value}) ; {advice}",
    ),
    (
        "error.file.corrupt",
        "le classeur est endommagé : {detail} ; ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "error.file.cell_outside_grid",
        "le classeur est endommagé : la partie « {part} » contient la référence de cellule « {reference} », hors de la grille d'Excel de 1048576 lignes et 16384 colonnes (XFD) ; ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "error.file.duplicate_cell",
        "le classeur est endommagé : la feuille « {sheet} » a deux cellules en {reference} ; ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "error.file.sheet_not_found",
        "aucune feuille ne contient les utilisateurs : une feuille nommée « {expected_sheet} » ou dont la première ligne a les en-têtes {expected_headers} était attendue ; le fichier a les feuilles {found} ; remplissez le modèle téléchargé",
    ),
    (
        "error.file.missing_column",
        "il manque à la feuille « {sheet} » la colonne obligatoire {missing} ; ajoutez-la à la ligne d'en-tête (ligne {header_row}) ou remplissez le modèle téléchargé",
    ),
    (
        "error.file.missing_columns",
        "il manque à la feuille « {sheet} » les colonnes obligatoires {missing} ; ajoutez-les à la ligne d'en-tête (ligne {header_row}) ou remplissez le modèle téléchargé",
    ),
    (
        "error.file.duplicate_column",
        "la feuille « {sheet} » a deux fois la colonne « {header} » (colonnes {first} et {second}) ; gardez-en une et supprimez l'autre",
    ),
    (
        "error.file.no_rows",
        "la feuille « {sheet} » n'a aucun utilisateur sous la ligne d'en-tête ; ajoutez un utilisateur par ligne, à partir de la ligne {first_row}",
    ),
    ("error.schema.invalid", "schéma non valide : {detail}"),
    (
        "error.write.failed",
        "le classeur n'a pas pu être écrit : {detail}",
    ),
    ("error.store.failed", "{detail}"),
    ("file_kind.empty", "un fichier vide"),
    ("file_kind.csv", "un fichier texte CSV"),
    ("file_kind.text", "un fichier texte"),
    ("file_kind.xls", "un ancien classeur Excel 97-2003 (.xls)"),
    (
        "file_kind.encrypted",
        "un classeur protégé par mot de passe",
    ),
    ("file_kind.ods", "une feuille de calcul OpenDocument (.ods)"),
    ("file_kind.xlsb", "un classeur Excel binaire (.xlsb)"),
    (
        "file_kind.zip",
        "une archive zip qui ne contient aucun classeur Excel",
    ),
    (
        "file_kind.truncated",
        "un fichier endommagé ou incomplet (il a peut-être été coupé pendant le téléversement)",
    ),
    ("file_kind.html", "une page HTML"),
    ("file_kind.pdf", "un document PDF"),
    ("file_kind.unknown", "un fichier d'un type inconnu"),
    (
        "file_advice.encrypted",
        "retirez le mot de passe (Fichier > Informations > Protéger le classeur) et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "file_advice.truncated",
        "téléversez de nouveau le fichier, ou ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "file_advice.empty",
        "remplissez le modèle et téléversez le fichier .xlsx enregistré",
    ),
    (
        "file_advice.other",
        "ouvrez-le dans Excel ou LibreOffice et enregistrez-le comme classeur Excel (.xlsx), ou remplissez le modèle téléchargé",
    ),
    ("limit.size", "la taille en octets"),
    ("limit.parts", "le nombre de parties du paquet zip"),
    (
        "limit.part_size",
        "la plus grande partie, en octets décompressés,",
    ),
    ("limit.ratio", "le taux de compression d'une partie"),
    (
        "limit.total_size",
        "la taille décompressée totale en octets",
    ),
    (
        "limit.shared_strings_size",
        "la partie des chaînes partagées, en octets décompressés,",
    ),
    ("limit.shared_strings", "le nombre de chaînes partagées"),
    (
        "limit.declared_shared_strings",
        "le nombre déclaré de chaînes partagées",
    ),
    (
        "limit.styles",
        "le nombre de formats de cellule, polices, remplissages et bordures de la partie des styles",
    ),
    (
        "limit.columns",
        "le nombre de colonnes de la ligne d'en-tête",
    ),
    ("limit.rows", "le nombre de lignes d'utilisateurs"),
    (
        "limit.text",
        "la longueur totale des valeurs des cellules en octets",
    ),
    (
        "limit_advice.split",
        "répartissez les utilisateurs sur plusieurs fichiers",
    ),
    (
        "limit_advice.attachments",
        "enregistrez de nouveau le classeur depuis Excel, sans pièces jointes ni objets incorporés",
    ),
    (
        "limit_advice.compression",
        "ce n'est pas ainsi qu'Excel compresse un classeur ; enregistrez de nouveau le fichier depuis Excel",
    ),
    (
        "limit_advice.styles",
        "supprimez les styles de cellule inutilisés (de longs formats de nombre ou noms de police abaissent la limite), ou enregistrez de nouveau le fichier depuis Excel",
    ),
    (
        "limit_advice.columns",
        "supprimez les colonnes que le modèle n'a pas",
    ),
    (
        "limit_advice.shared_text",
        "un texte partagé compte une fois pour chaque cellule qui l'utilise ; répartissez les utilisateurs sur plusieurs fichiers",
    ),
    // The summary.
    ("summary.rejected", "le fichier a été refusé : {error}"),
    (
        "summary.problem",
        "{count} problème dans {rows} lignes ; corrigez le fichier et téléversez-le de nouveau",
    ),
    (
        "summary.problems",
        "{count} problèmes dans {rows} lignes ; corrigez le fichier et téléversez-le de nouveau",
    ),
    (
        "summary.completed",
        "{created} utilisateurs créés, {added} utilisateurs existants ajoutés aux groupes, {untouched} laissés tels quels ; {sent} invitations envoyées, {failed} non remises",
    ),
    (
        "summary.dry_run",
        "essai : {created} utilisateurs seraient créés, {added} utilisateurs existants ajoutés aux groupes, {untouched} laissés tels quels ; rien n'a été écrit ni envoyé",
    ),
    (
        "summary.failed",
        "l'importation a échoué et rien n'a été importé : {reason}",
    ),
    ("summary.in_progress", "l'importation est en cours"),
    // The template.
    ("template.title", "Importation d'utilisateurs"),
    ("template.sheet.users", "Utilisateurs"),
    ("template.sheet.instructions", "Instructions"),
    ("template.sheet.locations", "Codes de lieux"),
    ("template.sheet.lists", "Listes"),
    ("template.required", "Obligatoire"),
    ("template.optional", "Facultatif"),
    ("template.example", "Exemple : {example}"),
    (
        "template.pick_country",
        "Choisissez un code de pays, ou consultez la feuille {locations}.",
    ),
    (
        "template.pick_one",
        "Choisissez l'une des valeurs : {choices}",
    ),
    ("template.invalid", "{column} non valide"),
    (
        "template.instructions.rows",
        "Remplissez un utilisateur par ligne dans la feuille {sheet}, à partir de la ligne 2. Laissez la ligne d'en-tête telle quelle.",
    ),
    (
        "template.instructions.columns",
        "Seules les colonnes du modèle sont importées. Remplissez chaque colonne obligatoire pour chaque utilisateur.",
    ),
    (
        "template.instructions.text",
        "Tapez les valeurs en texte simple. Une cellule qui contient une formule ou le résultat d'une macro ne peut pas être importée.",
    ),
    (
        "template.instructions.codes",
        "Les colonnes Pays et Région prennent des codes de lieux, pas des noms : CA pour le Canada, CA-QC pour le Québec. La feuille {locations} les liste tous.",
    ),
    (
        "template.instructions.dates",
        "Écrivez les dates sous la forme AAAA-MM-JJ, par exemple 2024-03-31.",
    ),
    (
        "template.instructions.existing",
        "Un utilisateur dont l'adresse courriel a déjà un compte n'est ni modifié ni dupliqué : seuls les groupes de l'importation lui sont ajoutés.",
    ),
    (
        "template.instructions.all_or_nothing",
        "Si une ligne a un problème, aucun utilisateur n'est importé. Corrigez le fichier et téléversez-le de nouveau.",
    ),
    ("template.instructions.column", "Colonne"),
    ("template.instructions.what", "Quoi saisir"),
    ("template.locations.code", "Code"),
    ("template.locations.name", "Nom"),
    ("template.locations.type", "Type"),
    ("template.locations.country", "Pays"),
    ("template.locations.country_type", "Pays"),
    ("format.text", "du texte"),
    ("format.name", "le nom complet de l'utilisateur"),
    ("format.email", "une seule adresse courriel"),
    (
        "format.country",
        "un code de pays ISO 3166-1 (deux lettres), de la feuille {locations}",
    ),
    (
        "format.region",
        "un code de région ISO 3166-2 du pays de la ligne, de la feuille {locations}",
    ),
    ("format.date", "une date sous la forme AAAA-MM-JJ"),
    ("format.choice", "l'une des valeurs : {choices}"),
    // The error report.
    ("report.issues", "Problèmes"),
    ("report.problems", "Liste des problèmes"),
    ("report.problems_alt", "Problèmes d'importation"),
    ("report.row", "Ligne"),
    ("report.column", "Colonne"),
    ("report.value", "Valeur"),
    ("report.code", "Code"),
    ("report.message", "Message"),
    (
        "report.more",
        "{count} autres problèmes ne sont pas listés : une feuille contient au plus {limit} lignes",
    ),
    (
        "report.unlisted",
        "cette ligne a des problèmes qui ne sont pas listés parce que le fichier en a trop ; corrigez les problèmes affichés et vérifiez de nouveau le fichier",
    ),
    // The invitation email.
    ("invitation.subject", "{name}, vous êtes invité"),
    ("invitation.greeting", "Bonjour {name},"),
    (
        "invitation.intro",
        "Un compte a été créé pour vous. Connectez-vous avec cette adresse courriel pour commencer.",
    ),
    // Text (CSV) and OpenDocument uploads.
    (
        "file.encoding_assumed",
        "le fichier n'est pas du texte UTF-8 ; il a donc été lu en {encoding}, l'encodage du CSV d'Excel pour les langues occidentales ; si des lettres accentuées semblent fausses, enregistrez-le en CSV UTF-8 et téléversez-le de nouveau",
    ),
    (
        "error.file.not_text",
        "le fichier n'est pas du texte lisible : la ligne {line} contient {what} ; enregistrez-le de nouveau en CSV UTF-8 ou comme classeur Excel (.xlsx)",
    ),
    (
        "error.file.unclosed_quote",
        "la ligne {row} a une valeur qui ouvre un guillemet (\") sans le fermer, si bien que tout le reste du fichier serait lu comme cette seule valeur ; fermez le guillemet ou supprimez-le, puis enregistrez de nouveau le fichier",
    ),
    (
        "not_text.nul",
        "un octet NUL, que du texte ne contient jamais (du texte enregistré en UTF-16 sans marque d'ordre des octets en contient)",
    ),
    (
        "not_text.utf16",
        "des octets qui ne sont pas de l'UTF-16, alors que le fichier commence par une marque d'ordre des octets UTF-16",
    ),
    ("limit.line", "la longueur d'une ligne de texte, en octets,"),
    ("limit.values", "le nombre de valeurs d'une ligne"),
    (
        "limit.grid_rows",
        "le nombre de lignes, lignes vides comprises,",
    ),
    (
        "limit.ods_memory",
        "la mémoire nécessaire pour garder les feuilles OpenDocument, en octets,",
    ),
    (
        "limit_advice.line",
        "une ligne aussi longue vient d'un fichier sans fins de ligne, ou d'un guillemet jamais fermé ; enregistrez de nouveau le fichier en CSV",
    ),
    (
        "limit_advice.grid_rows",
        "une feuille de calcul contient au plus 1048576 lignes ; supprimez les lignes vides ou répartissez les utilisateurs sur plusieurs fichiers",
    ),
    (
        "limit_advice.ods_memory",
        "une feuille OpenDocument est lue en entier ; enregistrez le fichier comme classeur Excel (.xlsx), ou répartissez les utilisateurs sur plusieurs fichiers",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found() {
        let found = placeholders("a {x} b {y_z} {} {not valid} {x}");
        assert_eq!(found.into_iter().collect::<Vec<_>>(), vec!["x", "y_z"]);
    }

    #[test]
    fn fill_keeps_unknown_placeholders() {
        assert_eq!(
            fill("{a} {b} {", |name| (name == "a")
                .then_some(Cow::Borrowed("1"))),
            "1 {b} {"
        );
    }

    #[test]
    fn the_french_table_has_no_key_english_lacks() {
        let english = english_texts();
        for (key, _) in FR {
            assert!(english.contains_key(*key), "`{key}` is not an English key");
        }
    }
}
