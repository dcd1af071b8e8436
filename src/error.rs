//! Errors for a file as a whole and for the library's own configuration.
//!
//! Problems of single cells and rows are [`Issue`](crate::Issue)s, not errors.

use std::borrow::Cow;
use std::fmt;

use crate::issue::{Issue, IssueCode};
use crate::text::{Catalog, english_catalog};

/// What an upload that is not an `.xlsx` workbook looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// Zero bytes.
    Empty,
    /// Comma- or tab-separated text.
    Csv,
    /// Plain text of another kind.
    Text,
    /// A legacy Excel 97–2003 `.xls` workbook.
    Xls,
    /// A workbook protected with a password (an encrypted OLE container).
    Encrypted,
    /// An OpenDocument spreadsheet (`.ods`).
    Ods,
    /// A binary Excel workbook (`.xlsb`).
    Xlsb,
    /// A zip archive that holds no workbook.
    Zip,
    /// A zip archive cut short, or damaged.
    Truncated,
    /// An HTML page (often an "export to Excel" from a website).
    Html,
    /// A PDF document.
    Pdf,
    /// Something else.
    Unknown,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(english_catalog().text(file_kind_key(*self)))
    }
}

impl FileKind {
    /// What the administrator should do instead, in one phrase (in English; a [`Catalog`]
    /// writes it in another language through [`Catalog::error_message`]).
    pub fn advice(&self) -> &'static str {
        english_catalog().text(file_advice_key(*self))
    }
}

/// A limit an upload can go over (see [`Limits`](crate::Limits)): what [`Error::LimitExceeded`]
/// names, and the advice that goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// The upload's size in bytes ([`Limits::max_file_bytes`](crate::Limits::max_file_bytes)).
    FileSize,
    /// The number of parts (entries) in the zip package.
    Parts,
    /// The largest part's uncompressed size.
    PartSize,
    /// A part's compression ratio.
    Ratio,
    /// The total uncompressed size of the parts read.
    TotalSize,
    /// The shared-strings part's uncompressed size.
    SharedStringsSize,
    /// The number of shared strings.
    SharedStrings,
    /// The number of shared strings the workbook declares.
    DeclaredSharedStrings,
    /// Cell formats, fonts, fills and borders in the styles part.
    Styles,
    /// Columns in the header row.
    Columns,
    /// User rows.
    Rows,
    /// The total length of the cell values (a shared text counting once per cell).
    Text,
    /// The length of one row of a text (CSV) upload.
    Line,
    /// Values in one row of a text (CSV) upload.
    Values,
    /// Rows of a text (CSV) upload, blank ones included.
    GridRows,
    /// The memory calamine needs to hold an OpenDocument spreadsheet's sheets.
    OdsMemory,
    /// The sheets a workbook lists ([`Limits::max_sheets`](crate::Limits::max_sheets)).
    Sheets,
    /// The bytes read from the upload while opening the workbook and reading its sheets
    /// ([`Limits::max_rereads`](crate::Limits::max_rereads)).
    Rereads,
}

impl Limit {
    /// The catalogue key of what went over, such as `"limit.rows"`.
    pub fn key(self) -> &'static str {
        match self {
            Limit::FileSize => "limit.size",
            Limit::Parts => "limit.parts",
            Limit::PartSize => "limit.part_size",
            Limit::Ratio => "limit.ratio",
            Limit::TotalSize => "limit.total_size",
            Limit::SharedStringsSize => "limit.shared_strings_size",
            Limit::SharedStrings => "limit.shared_strings",
            Limit::DeclaredSharedStrings => "limit.declared_shared_strings",
            Limit::Styles => "limit.styles",
            Limit::Columns => "limit.columns",
            Limit::Rows => "limit.rows",
            Limit::Text => "limit.text",
            Limit::Line => "limit.line",
            Limit::Values => "limit.values",
            Limit::GridRows => "limit.grid_rows",
            Limit::OdsMemory => "limit.ods_memory",
            Limit::Sheets => "limit.sheets",
            Limit::Rereads => "limit.rereads",
        }
    }

    /// The catalogue key of how to get under the limit, such as `"limit_advice.split"`.
    pub fn advice_key(self) -> &'static str {
        match self {
            Limit::Parts => "limit_advice.attachments",
            Limit::Ratio => "limit_advice.compression",
            Limit::Styles => "limit_advice.styles",
            Limit::Columns | Limit::Values => "limit_advice.columns",
            Limit::Line => "limit_advice.line",
            Limit::GridRows => "limit_advice.grid_rows",
            Limit::OdsMemory => "limit_advice.ods_memory",
            Limit::Sheets => "limit_advice.sheets",
            Limit::Rereads => "limit_advice.rereads",
            Limit::Text => "limit_advice.shared_text",
            Limit::FileSize
            | Limit::PartSize
            | Limit::TotalSize
            | Limit::SharedStringsSize
            | Limit::SharedStrings
            | Limit::DeclaredSharedStrings
            | Limit::Rows => "limit_advice.split",
        }
    }
}

/// A text the administrator writes with an import ([`Error::RequestTooLong`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestText {
    /// The personal message of the invitations.
    Message,
    /// The notes kept with the import in the index.
    Notes,
}

impl RequestText {
    /// The catalogue key of its name, such as `"request_text.message"`.
    pub fn key(self) -> &'static str {
        match self {
            RequestText::Message => "request_text.message",
            RequestText::Notes => "request_text.notes",
        }
    }
}

/// What a text upload holds that text does not ([`Error::NotText`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotText {
    /// A NUL byte (text saved as UTF-16 without a byte-order mark has them).
    Nul,
    /// Bytes that are not UTF-16 after a UTF-16 byte-order mark.
    Utf16,
}

impl NotText {
    /// The catalogue key of what was found, such as `"not_text.nul"`.
    pub fn key(self) -> &'static str {
        match self {
            NotText::Nul => "not_text.nul",
            NotText::Utf16 => "not_text.utf16",
        }
    }
}

/// What went over, in English (`number of user rows`).
impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(english_catalog().text(self.key()))
    }
}

/// Something wrong with a file as a whole, or with the library's configuration.
///
/// Each kind's message names the value and the limit or the fix. Use [`Error::code`] for a
/// stable machine-readable form.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The upload is not an `.xlsx` workbook.
    NotXlsx {
        /// What it looks like instead.
        kind: FileKind,
    },

    /// The upload goes over one of the configured [`Limits`](crate::Limits).
    LimitExceeded {
        /// What went over.
        what: Limit,
        /// The value found.
        value: u64,
        /// The limit.
        limit: u64,
    },

    /// The workbook package is damaged or not laid out as an `.xlsx` should be.
    Corrupt {
        /// What is wrong, naming the part.
        detail: String,
        /// The underlying error, where there is one.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A cell reference outside Excel's grid of 1,048,576 rows and 16,384 columns.
    CellOutsideGrid {
        /// The package part, such as `xl/worksheets/sheet1.xml`.
        part: String,
        /// The reference as written (cut to a readable length).
        reference: String,
    },

    /// Two cells at one position.
    DuplicateCell {
        /// The sheet name.
        sheet: String,
        /// The position, such as `B7`.
        reference: String,
    },

    /// No sheet looks like the template's data sheet.
    SheetNotFound {
        /// The data sheet's name in the template.
        expected_sheet: String,
        /// The required headers, quoted and comma-separated.
        expected_headers: String,
        /// The sheets found, quoted and comma-separated.
        found: String,
    },

    /// Required columns are missing from the header row.
    MissingColumns {
        /// The sheet read.
        sheet: String,
        /// The missing headers, quoted and comma-separated.
        missing: String,
        /// How many are missing.
        count: usize,
        /// The header row's number as the spreadsheet shows it.
        header_row: u32,
    },

    /// Two columns of the header row name the same template column.
    DuplicateColumn {
        /// The sheet read.
        sheet: String,
        /// The header text.
        header: String,
        /// The first column letter.
        first: String,
        /// The second column letter.
        second: String,
    },

    /// The data sheet has a header row but no users below it.
    NoRows {
        /// The sheet read.
        sheet: String,
        /// The first row where a user belongs.
        first_row: u32,
    },

    /// A text (CSV) upload whose bytes are not text in the encoding it is read in.
    NotText {
        /// The line of the file, counting from 1.
        line: u64,
        /// What was found.
        what: NotText,
    },

    /// A text (CSV) upload with a quoted value whose closing quote is missing.
    UnclosedQuote {
        /// The row of the quote, as a spreadsheet shows the file (the header is row 1).
        row: u32,
    },

    /// A text of the import request is longer than its limit
    /// ([`Limits::max_message_chars`](crate::Limits::max_message_chars),
    /// [`Limits::max_notes_chars`](crate::Limits::max_notes_chars)); nothing was kept.
    RequestTooLong {
        /// Which text.
        text: RequestText,
        /// Its length in characters.
        chars: u64,
        /// The most characters allowed.
        limit: u64,
    },

    /// The import ran past [`Limits::max_duration`](crate::Limits::max_duration) and was
    /// stopped before its commit: nothing was written.
    DeadlinePassed {
        /// The limit, in seconds.
        limit_seconds: u64,
    },

    /// The host built an invalid [`Schema`](crate::Schema).
    Schema(String),

    /// Writing a workbook failed.
    Write(rust_xlsxwriter::XlsxError),

    /// One of the host's stores, its mailer or its enroller failed.
    Store(StoreError),
}

/// The message in English, from the English [`Catalog`] (see [`Catalog::error_message`] for
/// another language).
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&english_catalog().error_message(self))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Corrupt {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            Error::Write(source) => Some(source),
            // As the store's own error: its message is the message, its source the source.
            Error::Store(source) => std::error::Error::source(source),
            _ => None,
        }
    }
}

impl From<rust_xlsxwriter::XlsxError> for Error {
    fn from(source: rust_xlsxwriter::XlsxError) -> Error {
        Error::Write(source)
    }
}

impl From<StoreError> for Error {
    fn from(source: StoreError) -> Error {
        Error::Store(source)
    }
}

impl Error {
    /// A stable, machine-readable code for the kind of error, such as `"file.not_xlsx"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotXlsx { .. } => "file.not_xlsx",
            Error::LimitExceeded { .. } => "file.limit_exceeded",
            Error::Corrupt { .. } => "file.corrupt",
            Error::CellOutsideGrid { .. } => "file.cell_outside_grid",
            Error::DuplicateCell { .. } => "file.duplicate_cell",
            Error::SheetNotFound { .. } => "file.sheet_not_found",
            Error::MissingColumns { .. } => "file.missing_columns",
            Error::DuplicateColumn { .. } => "file.duplicate_column",
            Error::NoRows { .. } => "file.no_rows",
            Error::NotText { .. } => "file.not_text",
            Error::UnclosedQuote { .. } => "file.unclosed_quote",
            Error::RequestTooLong { .. } => "request.too_long",
            Error::DeadlinePassed { .. } => "import.deadline_passed",
            Error::Schema(_) => "schema.invalid",
            Error::Write(_) => "write.failed",
            Error::Store(_) => "store.failed",
        }
    }

    pub(crate) fn corrupt(detail: impl Into<String>) -> Error {
        Error::Corrupt {
            detail: detail.into(),
            source: None,
        }
    }

    pub(crate) fn corrupt_from(
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Corrupt {
            detail: detail.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// Why a commit could not be applied as planned. The engine re-plans against the new state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Conflict {
    /// Another writer took these email match keys since the lookup.
    EmailTaken(Vec<String>),
    /// The seats ran out since the count: `active` users now, `limit` allowed.
    SeatsExhausted {
        /// Active users at commit time.
        active: u64,
        /// The limit.
        limit: u64,
    },
    /// An import with this id is already committed.
    AlreadyCommitted,
    /// A twin of this import (the same id) already ended it failed, and a failed import is
    /// final: this commit must not make it completed.
    AlreadyFailed,
    /// A user to update no longer exists, or the state changed in another way.
    Stale(String),
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::EmailTaken(keys) => {
                write!(
                    f,
                    "{} email addresses were taken by another writer",
                    keys.len()
                )
            }
            Conflict::SeatsExhausted { active, limit } => {
                write!(
                    f,
                    "the seats ran out ({active} active users, limit {limit})"
                )
            }
            Conflict::AlreadyCommitted => f.write_str("the import is already committed"),
            Conflict::AlreadyFailed => f.write_str("the import already ended failed"),
            Conflict::Stale(what) => write!(f, "the state changed: {what}"),
        }
    }
}

/// A failure of the host's store, mailer or enrollment service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The commit met a conflict; nothing was written.
    #[error("commit conflict: {0}")]
    Conflict(Conflict),
    /// The store could not be reached or answered with a failure.
    #[error("{operation} failed: {source}")]
    Backend {
        /// What was being done, such as `"find users by email"`.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Something asked for does not exist.
    #[error("{what} was not found")]
    NotFound {
        /// What, such as `import 42`.
        what: String,
    },
}

impl StoreError {
    /// A backend failure of `operation` caused by `source`.
    pub fn backend(
        operation: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StoreError {
        StoreError::Backend {
            operation,
            source: source.into(),
        }
    }
}

/// Writing errors in a catalogue's language.
impl Catalog {
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
        self.render_error(key, |name| {
            args.iter()
                .find(|(arg, _)| *arg == name)
                .map(|(_, value)| value.as_str())
        })
    }

    /// The text of an error's `key` filled from its named values: `{x}` from the text of the
    /// key `x_key` names where this catalogue has it, else from `x`.
    pub(crate) fn render_error<'a>(
        &self,
        key: &str,
        arg: impl Fn(&str) -> Option<&'a str>,
    ) -> String {
        self.fill_text(self.text(key), |name| {
            let keyed = format!("{name}_key");
            if let Some(text) = arg(&keyed).and_then(|key| self.get(key)) {
                return Some(Cow::Owned(text.to_string()));
            }
            arg(name).map(|value| Cow::Owned(value.to_string()))
        })
    }
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

/// The catalogue key and the named values of an error's message, every value
/// [escaped](crate::issue::escaped): a sheet name, a header or a part name from the file
/// never reaches a message with a raw control or format character.
pub(crate) fn error_args(error: &Error) -> (&'static str, Vec<(&'static str, String)>) {
    let (key, mut args) = raw_error_args(error);
    for (_, value) in &mut args {
        if let Cow::Owned(shown) = crate::issue::escaped(value) {
            *value = shown;
        }
    }
    (key, args)
}

fn raw_error_args(error: &Error) -> (&'static str, Vec<(&'static str, String)>) {
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
        Error::LimitExceeded { what, value, limit } => (
            "error.file.limit_exceeded",
            vec![
                ("what", what.to_string()),
                ("what_key", what.key().to_string()),
                ("value", value.to_string()),
                ("limit", limit.to_string()),
                (
                    "advice",
                    english_catalog().text(what.advice_key()).to_string(),
                ),
                ("advice_key", what.advice_key().to_string()),
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
                ("what", english_catalog().text(what.key()).to_string()),
                ("what_key", what.key().to_string()),
            ],
        ),
        Error::UnclosedQuote { row } => {
            ("error.file.unclosed_quote", vec![("row", row.to_string())])
        }
        Error::RequestTooLong { text, chars, limit } => (
            "error.request.too_long",
            vec![
                ("text", english_catalog().text(text.key()).to_string()),
                ("text_key", text.key().to_string()),
                ("chars", chars.to_string()),
                ("limit", limit.to_string()),
            ],
        ),
        Error::DeadlinePassed { limit_seconds } => (
            "error.import.deadline_passed",
            vec![("limit", limit_seconds.to_string())],
        ),
        Error::Schema(detail) => ("error.schema.invalid", vec![("detail", detail.clone())]),
        Error::Write(source) => ("error.write.failed", vec![("detail", source.to_string())]),
        Error::Store(source) => ("error.store.failed", vec![("detail", source.to_string())]),
    }
}

/// Quotes and joins names for a message: `` `a`, `b`, `c` ``.
pub(crate) fn quoted_list<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for (index, item) in items.into_iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(&crate::issue::shown(item.as_ref()));
        out.push('`');
    }
    out
}
