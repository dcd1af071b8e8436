//! Errors for a file as a whole and for the library's own configuration.
//!
//! Problems of single cells and rows are [`Issue`](crate::Issue)s, not errors.

use std::fmt;

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
        f.write_str(match self {
            FileKind::Empty => "an empty file",
            FileKind::Csv => "a CSV text file",
            FileKind::Text => "a plain text file",
            FileKind::Xls => "a legacy Excel 97-2003 workbook (.xls)",
            FileKind::Encrypted => "a password-protected workbook",
            FileKind::Ods => "an OpenDocument spreadsheet (.ods)",
            FileKind::Xlsb => "a binary Excel workbook (.xlsb)",
            FileKind::Zip => "a zip archive that holds no Excel workbook",
            FileKind::Truncated => {
                "a damaged or incomplete file (it may have been cut off during upload)"
            }
            FileKind::Html => "an HTML page",
            FileKind::Pdf => "a PDF document",
            FileKind::Unknown => "a file of an unknown kind",
        })
    }
}

impl FileKind {
    /// What the administrator should do instead, in one phrase.
    pub fn advice(&self) -> &'static str {
        match self {
            FileKind::Encrypted => {
                "remove the password (File > Info > Protect Workbook) and save it again as .xlsx"
            }
            FileKind::Truncated => {
                "upload the file again, or open it in Excel and save it again as .xlsx"
            }
            FileKind::Empty => "fill in the template and upload the saved .xlsx file",
            _ => {
                "open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or fill in the downloaded template"
            }
        }
    }
}

/// Something wrong with a file as a whole, or with the library's configuration.
///
/// Each kind's message names the value and the limit or the fix. Use [`Error::code`] for a
/// stable machine-readable form.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The upload is not an `.xlsx` workbook.
    #[error("the file is {kind}, not an Excel workbook; {}", kind.advice())]
    NotXlsx {
        /// What it looks like instead.
        kind: FileKind,
    },

    /// The upload goes over one of the configured [`Limits`](crate::Limits).
    #[error("the file {what} ({value}) exceeds the limit of {limit}; {advice}")]
    LimitExceeded {
        /// What went over, such as `"size in bytes"` or `"number of rows"`.
        what: &'static str,
        /// The value found.
        value: u64,
        /// The limit.
        limit: u64,
        /// How to get under it.
        advice: &'static str,
    },

    /// The workbook package is damaged or not laid out as an `.xlsx` should be.
    #[error("the workbook is damaged: {detail}; open it in Excel and save it again as .xlsx")]
    Corrupt {
        /// What is wrong, naming the part.
        detail: String,
        /// The underlying error, where there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A cell reference outside Excel's grid of 1,048,576 rows and 16,384 columns.
    #[error(
        "the workbook is damaged: part `{part}` has the cell reference `{reference}`, outside Excel's grid of 1048576 rows and 16384 columns (XFD); open it in Excel and save it again as .xlsx"
    )]
    CellOutsideGrid {
        /// The package part, such as `xl/worksheets/sheet1.xml`.
        part: String,
        /// The reference as written (cut to a readable length).
        reference: String,
    },

    /// Two cells at one position.
    #[error(
        "the workbook is damaged: sheet `{sheet}` has two cells at {reference}; open it in Excel and save it again as .xlsx"
    )]
    DuplicateCell {
        /// The sheet name.
        sheet: String,
        /// The position, such as `B7`.
        reference: String,
    },

    /// No sheet looks like the template's data sheet.
    #[error(
        "no sheet holds the users: looked for a sheet named `{expected_sheet}` or one whose first row has the headers {expected_headers}; the file has the sheets {found}; fill in the downloaded template"
    )]
    SheetNotFound {
        /// The data sheet's name in the template.
        expected_sheet: String,
        /// The required headers, quoted and comma-separated.
        expected_headers: String,
        /// The sheets found, quoted and comma-separated.
        found: String,
    },

    /// Required columns are missing from the header row.
    #[error("sheet `{sheet}` is missing the required {} {missing}; add {} to the header row (row {header_row}) or fill in the downloaded template", if *count == 1 { "column" } else { "columns" }, if *count == 1 { "it" } else { "them" })]
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
    #[error(
        "sheet `{sheet}` has the column `{header}` twice (columns {first} and {second}); keep one and delete the other"
    )]
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
    #[error(
        "sheet `{sheet}` has no users below the header row; add one user per row, starting on row {first_row}"
    )]
    NoRows {
        /// The sheet read.
        sheet: String,
        /// The first row where a user belongs.
        first_row: u32,
    },

    /// A text (CSV) upload whose bytes are not text in the encoding it is read in.
    #[error(
        "the file is not text that can be read: line {line} has {what}; save it again as CSV UTF-8 or as an Excel workbook (.xlsx)"
    )]
    NotText {
        /// The line of the file, counting from 1.
        line: u64,
        /// What was found, such as `"a NUL byte, which text never has"`.
        what: &'static str,
    },

    /// A text (CSV) upload with a quoted value whose closing quote is missing.
    #[error(
        "row {row} has a value that opens a quote (\") and never closes it, so the rest of the file would be read as that one value; close the quote or remove it, then save the file again"
    )]
    UnclosedQuote {
        /// The row of the quote, as a spreadsheet shows the file (the header is row 1).
        row: u32,
    },

    /// The host built an invalid [`Schema`](crate::Schema).
    #[error("invalid schema: {0}")]
    Schema(String),

    /// Writing a workbook failed.
    #[error("could not write the workbook: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),

    /// One of the host's stores, its mailer or its enroller failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
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
