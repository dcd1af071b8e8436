//! The error report: the upload's rows with their problems beside them, so the administrator
//! fixes the file and uploads it again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

mod rows;

use crate::check::kept::Briefs;
use crate::check::records::Record;
use crate::check::validate::Validation;
use crate::error::Error;
use crate::issue::Issue;
use crate::read::limits::Limits;
use crate::schema::Schema;
use crate::template::Template;
use crate::text::Catalog;
use rows::{RowWriter, UploadRows, issue_row};

/// Excel's most characters (UTF-16 units) in one cell.
const MAX_CELL_UNITS: usize = 32_767;
/// Excel's most rows in a sheet.
const SHEET_ROWS: usize = 1_048_576;
/// The most cells that carry their messages as a note: past them (a file with problems on
/// most of a million rows), cells are still highlighted and the `Issues` column lists every
/// message, but a note each would make the file and its writing too large.
const MAX_CELL_NOTES: usize = 10_000;
/// Excel's "light red fill".
const BAD_FILL: &str = "#FFC7CE";
/// The `Issues` text of an invalid row whose issues were not kept (past `Limits::max_issues`).
const UNLISTED: &str = "this row has problems that are not listed because the file has too many; fix the problems shown and check the file again";

/// The error-report workbook an administrator downloads after a failed import, fixes and
/// uploads again: the template, filled in.
///
/// The first sheet is the template's data sheet, in the report's language
/// ([`locale`](ErrorReport::locale)): its name, headers, header notes, column formats and
/// drop-downs, then an [`Issues`](ErrorReport::ISSUES_HEADER) column:
///
/// - every row of the upload is written at its own row number (row 7 of the upload is row 7 of
///   the report; blank rows stay blank). Given the upload ([`upload`](ErrorReport::upload)),
///   as the web API and the example host give it, every value is written exactly as typed and
///   the columns the upload has beyond the template's follow the `Issues` column; otherwise
///   the values are those the validation kept: normalized where they were valid (`QC` in a
///   Canadian row shows as `CA-QC`), exactly as read where they were not;
/// - a cell with a problem has a light red fill and a note with its messages (the first
///   10,000 such cells; past them the fill and the `Issues` column still tell), and the row's
///   `Issues` cell lists its messages, one per line, each naming the column by the report's
///   header; a cell that held a formula or an error value (`#N/A`) is left empty, since its
///   text would otherwise come back as a valid value: the message shows what it held;
/// - every value is written as text, never as a formula: a value starting with `=`, `+`, `-` or
///   `@` gets Excel's quote prefix so editing the cell does not turn it into a formula.
///
/// The fixed report can be uploaded again as it is: the reader picks the data sheet by its
/// name in any shipped language and ignores the `Issues` column without a warning (it knows
/// the column's header in every shipped language). A second sheet,
/// [`Problems`](ErrorReport::PROBLEMS_SHEET), lists every issue (Row, Column, Value, Code,
/// Message), the file-wide ones included; the template's Instructions, Location codes and
/// hidden lists sheets follow.
///
/// The sheets are written in rust_xlsxwriter's constant-memory mode: rows go to a temporary
/// file as they are written, so a report of 1,000,000 rows needs a few megabytes beyond the
/// validation itself (and, for [`to_bytes`](ErrorReport::to_bytes), the finished file).
///
/// ```
/// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
///
/// let schema = Schema::default();
/// let upload = user_import::testing::workbook(&schema, &[
///     &["Ann Lee", "ann@example.com", "Canada", "QC", "en", "", "", "000123", ""],
/// ]);
/// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
/// assert!(!validation.is_valid());
///
/// let report = ErrorReport::new(&schema, &validation).to_bytes()?;
///
/// // The report reads back as the same row, with the same problem.
/// let again = validate_bytes(&report, &schema, &Limits::default())?;
/// assert_eq!(again.records()[0].row(), 2);
/// assert_eq!(again.records()[0].get(2), "Canada");
/// assert_eq!(again.records()[0].get(7), "000123");
/// assert_eq!(again.error_count(), 1);
/// # Ok::<(), user_import::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ErrorReport<'a> {
    schema: &'a Schema,
    headers: &'a [Option<String>],
    records: &'a [Record],
    /// The briefs of a validation that kept no records ([`Validator::for_import`]): which
    /// rows are valid, for the rows read again from the upload.
    ///
    /// [`Validator::for_import`]: crate::Validator::for_import
    briefs: Option<&'a Briefs>,
    issues: &'a [Issue],
    header_row: u32,
    temp_dir: Option<PathBuf>,
    catalog: Option<Catalog>,
    upload: Option<(&'a [u8], &'a Limits)>,
}

impl<'a> ErrorReport<'a> {
    /// The header of the column that holds each row's messages (`Issues`, unless the schema has
    /// a column of that name: then `Issues 2`, `Issues 3`...).
    ///
    /// ```
    /// assert_eq!(user_import::ErrorReport::ISSUES_HEADER, "Issues");
    /// ```
    pub const ISSUES_HEADER: &'static str = "Issues";

    /// The name of the sheet that lists every issue (`Problems`, unless the schema's data sheet
    /// has that name: then `Import problems`).
    ///
    /// ```
    /// assert_eq!(user_import::ErrorReport::PROBLEMS_SHEET, "Problems");
    /// ```
    pub const PROBLEMS_SHEET: &'static str = "Problems";

    /// The report of a validated upload.
    ///
    /// ```
    /// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "not an email", "CA", "CA-QC", "en", "", "", "", ""],
    /// ]);
    /// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// let bytes = ErrorReport::new(&schema, &validation).to_bytes()?;
    /// assert_eq!(&bytes[..2], b"PK");
    /// # Ok::<(), user_import::Error>(())
    /// ```
    ///
    /// A validation that kept a brief of each row instead of its record
    /// ([`Validator::for_import`](crate::Validator::for_import), an import's read) holds no
    /// values to write: give such a report its [`upload`](ErrorReport::upload), which it reads
    /// again for every row (without it, the report has the problems sheet only). That is the
    /// way to write the report of a large upload without holding its records.
    pub fn new(schema: &'a Schema, validation: &'a Validation) -> ErrorReport<'a> {
        let mut report = ErrorReport::from_parts(
            schema,
            &validation.headers,
            validation.records(),
            validation.issues(),
        )
        .header_row(validation.header_row);
        report.briefs = validation.briefs();
        report
    }

    /// The report of records and issues kept apart from their [`Validation`] (as
    /// [`Validation::into_parts`] leaves them). `headers` are [`Validation::headers`]: the
    /// header text as written in the file for each schema column, which the issues' `column`
    /// names. The header row is row 1 unless [`header_row`](ErrorReport::header_row) says
    /// otherwise.
    ///
    /// Records and issues are best given in row order, as a [`Validation`] holds them; in any
    /// other order they are sorted (by index, without copying them). A record whose row number
    /// is taken, or is not below the header, goes on the next free row.
    ///
    /// ```
    /// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example.com", "CA", "XX", "en", "", "", "", ""],
    /// ]);
    /// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// let headers = validation.headers.clone();
    /// let (records, issues) = validation.into_parts();
    /// let bytes = ErrorReport::from_parts(&schema, &headers, &records, &issues).to_bytes()?;
    /// assert_eq!(&bytes[..2], b"PK");
    /// # Ok::<(), user_import::Error>(())
    /// ```
    pub fn from_parts(
        schema: &'a Schema,
        headers: &'a [Option<String>],
        records: &'a [Record],
        issues: &'a [Issue],
    ) -> ErrorReport<'a> {
        ErrorReport {
            schema,
            headers,
            records,
            briefs: None,
            issues,
            header_row: 1,
            temp_dir: None,
            catalog: None,
            upload: None,
        }
    }

    /// Sets the row number (as the spreadsheet shows it) of the header row; 1 unless set.
    /// [`ErrorReport::new`] takes it from the validation, so rows keep their numbers when the
    /// upload's header was lower down.
    ///
    /// ```
    /// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example", "CA", "CA-QC", "en", "", "", "", ""],
    /// ]);
    /// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// let report = ErrorReport::new(&schema, &validation).header_row(1).to_bytes()?;
    /// # let _ = report;
    /// # Ok::<(), user_import::Error>(())
    /// ```
    pub fn header_row(mut self, row: u32) -> ErrorReport<'a> {
        self.header_row = row;
        self
    }

    /// Writes the report in the language of `catalog`: the template's sheets, headers and
    /// notes, every message, the `Issues` column's header and the problems sheet (`Problèmes`
    /// and `Liste des problèmes` in French). Unless set, the template's parts are in English
    /// and the messages are the issues' own.
    ///
    /// ```
    /// use user_import::{validate_bytes, Catalog, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example", "CA", "CA-QC", "en", "", "", "", ""],
    /// ]);
    /// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// let bytes = ErrorReport::new(&schema, &validation).locale(Catalog::french()).to_bytes()?;
    /// assert_eq!(&bytes[..2], b"PK");
    /// # Ok::<(), user_import::Error>(())
    /// ```
    pub fn locale(mut self, catalog: Catalog) -> ErrorReport<'a> {
        self.catalog = Some(catalog);
        self
    }

    fn text<'t>(&'t self, key: &'t str, english: &'t str) -> &'t str {
        self.catalog
            .as_ref()
            .map_or(english, |catalog| catalog.text(key))
    }

    fn message<'t>(&self, issue: &'t Issue) -> Cow<'t, str> {
        match &self.catalog {
            Some(catalog) => Cow::Owned(catalog.issue_message(issue)),
            None => Cow::Borrowed(&issue.message),
        }
    }

    /// Writes the rows from `upload`, the file the validation was made from, read again with
    /// `limits` (as [`read_rows`](crate::read_rows) reads it, one row at a time): every value
    /// exactly as typed (`QC` stays `QC`, `Canada` stays `Canada`, an email keeps its capitals),
    /// and the columns the upload has beyond the template's after the `Issues` column, with
    /// their headers, so nothing the administrator wrote is lost. Re-uploaded, those columns
    /// are warned about as ever and not imported. Without it the rows come from the
    /// validation's records, their valid values normalized.
    ///
    /// ```
    /// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example", "Canada", "QC", "en", "", "", "", ""],
    /// ]);
    /// let limits = Limits::default();
    /// let validation = validate_bytes(&upload, &schema, &limits)?;
    /// let report = ErrorReport::new(&schema, &validation).upload(&upload, &limits).to_bytes()?;
    /// let again = validate_bytes(&report, &schema, &limits)?;
    /// assert_eq!(again.issues()[0].value.as_deref(), Some("ann@example"));
    /// # Ok::<(), user_import::Error>(())
    /// ```
    pub fn upload(mut self, upload: &'a [u8], limits: &'a Limits) -> ErrorReport<'a> {
        self.upload = Some((upload, limits));
        self
    }

    /// Sets the directory for the temporary files the rows are streamed through (the system's
    /// temporary directory unless set). Point it at a disk, not a memory file system, to keep
    /// memory use constant.
    ///
    /// ```
    /// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example.com", "CA", "CA-QC", "xx", "", "", "", ""],
    /// ]);
    /// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// let report = ErrorReport::new(&schema, &validation)
    ///     .temp_dir(std::env::temp_dir())
    ///     .to_bytes()?;
    /// # let _ = report;
    /// # Ok::<(), user_import::Error>(())
    /// ```
    pub fn temp_dir(mut self, dir: impl Into<PathBuf>) -> ErrorReport<'a> {
        self.temp_dir = Some(dir.into());
        self
    }

    /// Writes the workbook and returns its bytes.
    ///
    /// ```
    /// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example.com", "CA", "CA-QC", "en", "", "", "", "2024-02-30"],
    /// ]);
    /// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// let bytes = ErrorReport::new(&schema, &validation).to_bytes()?;
    /// assert_eq!(&bytes[..2], b"PK");
    /// # Ok::<(), user_import::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Write`] when the temporary files cannot be created or written, or a record's
    /// row is past Excel's last row.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        Ok(self.workbook()?.save_to_buffer()?)
    }

    /// Writes the workbook to `writer`, such as a file or a response body, without holding
    /// the finished file in memory. Any `Write + Seek + Send` writer works; seeking is not
    /// needed.
    ///
    /// ```
    /// use user_import::{validate_bytes, ErrorReport, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example.com", "Canada", "QC", "en", "", "", "", ""],
    /// ]);
    /// let validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// let mut file = std::io::Cursor::new(Vec::new()); // or std::fs::File::create(path)?
    /// ErrorReport::new(&schema, &validation).write_to(&mut file)?;
    /// assert_eq!(&file.get_ref()[..2], b"PK");
    /// # Ok::<(), user_import::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`to_bytes`](ErrorReport::to_bytes), and [`Error::Write`] when `writer` fails.
    pub fn write_to<W: Write + Send>(&self, writer: W) -> Result<(), Error> {
        self.workbook()?.save_to_writer(writer)?;
        Ok(())
    }

    /// Builds the workbook, every sheet in constant-memory mode: the data sheet dressed as
    /// the template's, the problems sheet, then the template's other sheets.
    fn workbook(&self) -> Result<Workbook, Error> {
        let mut workbook = Workbook::new();
        if let Some(dir) = &self.temp_dir {
            workbook.set_tempdir(dir)?;
        }
        let template = Template::new(self.schema).locale(self.catalog.clone().unwrap_or_default());
        let lists = template.lists();
        let styles = Styles::new();
        let columns = Columns::new(self.schema, self.headers);
        let records = order(self.records, |record| record.row());
        let issues = order(self.issues, |issue| {
            let position = issue.column.as_deref().and_then(|c| columns.position(c));
            (issue_row(issue), position.unwrap_or(usize::MAX))
        });

        let users = workbook.add_worksheet_with_constant_memory()?;
        template.write_users(users, &lists, self.header_row.saturating_sub(1))?;
        let mut writer = RowWriter::new(self, users, &styles, &columns, &issues)?;
        match self.upload {
            Some((upload, limits)) => {
                let mut rows = UploadRows {
                    writer: &mut writer,
                    records: &records,
                    briefs: self.briefs,
                    record_cursor: 0,
                    extras: Vec::new(),
                };
                crate::read::read_rows(
                    std::io::Cursor::new(upload),
                    self.schema,
                    limits,
                    &mut rows,
                )?;
            }
            None => {
                let width = self.schema.columns().len();
                for record in records.iter() {
                    let values: Vec<Cow<'_, str>> =
                        (0..width).map(|at| Cow::Borrowed(record.get(at))).collect();
                    writer.write(record.row(), record.is_valid(), &values, &[], true)?;
                }
            }
        }

        let problems = workbook.add_worksheet_with_constant_memory()?;
        self.write_problems(problems, &styles, &columns, &issues)?;
        template.write_guides(&mut workbook, &lists, true)?;
        Ok(workbook)
    }

    /// The message of `issue` as the report shows it: in the report's language, naming the
    /// column by the report's header.
    fn message_in_report<'t>(&self, issue: &'t Issue, position: Option<usize>) -> Cow<'t, str> {
        let (Some(catalog), Some(position)) = (&self.catalog, position) else {
            return self.message(issue);
        };
        let header = self.schema.columns()[position].header_in(catalog.language());
        if issue.column.as_deref() == Some(header) {
            return self.message(issue);
        }
        let mut renamed = issue.clone();
        renamed.column = Some(header.to_string());
        Cow::Owned(catalog.issue_message(&renamed))
    }

    fn write_problems(
        &self,
        sheet: &mut Worksheet,
        styles: &Styles,
        columns: &Columns<'_>,
        issues: &Ordered<'_, Issue>,
    ) -> Result<(), Error> {
        let problems = self.text("report.problems", Self::PROBLEMS_SHEET);
        let name = if crate::schema::fold_header(self.schema.sheet_name())
            == crate::schema::fold_header(problems)
        {
            self.text("report.problems_alt", "Import problems")
        } else {
            problems
        };
        sheet.set_name(name)?;
        let widths = [8.0, 20.0, 30.0, 28.0, 120.0];
        for (col, width) in widths.iter().enumerate() {
            sheet.set_column_width(col as u16, *width)?;
            if col > 0 {
                sheet.set_column_format(col as u16, &styles.text)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        for (col, (key, english)) in [
            ("report.row", "Row"),
            ("report.column", "Column"),
            ("report.value", "Value"),
            ("report.code", "Code"),
            ("report.message", "Message"),
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string_with_format(
                0,
                col as u16,
                self.text(key, english),
                &styles.header,
            )?;
        }
        let (shown, more) = fits_rows(issues.len(), SHEET_ROWS - 1);
        for (index, issue) in issues.iter().take(shown).enumerate() {
            let row = index as u32 + 1;
            if let Some(number) = issue.row {
                sheet.write_number(row, 0, number)?;
            }
            let position = issue.column.as_deref().and_then(|c| columns.position(c));
            let message = self.message_in_report(issue, position);
            let column = match (&self.catalog, position) {
                (Some(catalog), Some(position)) => {
                    self.schema.columns()[position].header_in(catalog.language())
                }
                _ => issue.column.as_deref().unwrap_or(""),
            };
            let texts = [
                column,
                issue.value.as_deref().unwrap_or(""),
                issue.code.as_str(),
                message.as_ref(),
            ];
            for (offset, value) in texts.into_iter().enumerate() {
                let value = fit(value);
                if !value.is_empty() {
                    let format = styles.cell(false, &value);
                    sheet.write_string_with_format(
                        row,
                        offset as u16 + 1,
                        value.as_ref(),
                        format,
                    )?;
                }
            }
        }
        if more > 0 {
            let message = match &self.catalog {
                Some(catalog) => catalog.fill(
                    "report.more",
                    &[
                        ("count", &more.to_string()),
                        ("limit", &SHEET_ROWS.to_string()),
                    ],
                ),
                None => format!(
                    "{more} more issues are not listed: a sheet holds at most {SHEET_ROWS} rows"
                ),
            };
            sheet.write_string_with_format(shown as u32 + 1, 4, message, &styles.text)?;
        }
        Ok(())
    }
}

/// How many of `total` lines a sheet with room for `room` lines shows, keeping one for a line
/// that says how many more there are: (shown, more).
fn fits_rows(total: usize, room: usize) -> (usize, usize) {
    if total <= room {
        (total, 0)
    } else {
        let shown = room.saturating_sub(1);
        (shown, total - shown)
    }
}

/// The `Issues` column's header: one the schema does not use.
fn issues_header<'h>(schema: &Schema, wanted: &'h str) -> Cow<'h, str> {
    if schema.match_header(wanted).is_none() {
        return Cow::Borrowed(wanted);
    }
    let mut n = 2;
    loop {
        let header = format!("{wanted} {n}");
        if schema.match_header(&header).is_none() {
            return Cow::Owned(header);
        }
        n += 1;
    }
}

/// The schema position of the column an issue names: the header as written in the file, else
/// the schema's header, else a header match ignoring case and spaces.
struct Columns<'s> {
    schema: &'s Schema,
    exact: HashMap<&'s str, usize>,
}

impl<'s> Columns<'s> {
    fn new(schema: &'s Schema, headers: &'s [Option<String>]) -> Columns<'s> {
        let mut exact = HashMap::new();
        for (position, column) in schema.columns().iter().enumerate() {
            exact.insert(column.header(), position);
        }
        // The file's own header text wins over a schema header of the same text.
        for (position, header) in headers.iter().enumerate().take(schema.columns().len()) {
            if let Some(header) = header {
                exact.insert(header.as_str(), position);
            }
        }
        Columns { schema, exact }
    }

    fn position(&self, column: &str) -> Option<usize> {
        self.exact
            .get(column)
            .copied()
            .or_else(|| self.schema.match_header(column))
    }
}

/// Items in row order: as given when they already are, else through a sorted index.
struct Ordered<'s, T> {
    items: &'s [T],
    index: Option<Vec<usize>>,
}

impl<T> Ordered<'_, T> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn get(&self, at: usize) -> &T {
        match &self.index {
            Some(index) => &self.items[index[at]],
            None => &self.items[at],
        }
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        (0..self.len()).map(|at| self.get(at))
    }
}

fn order<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Ordered<'_, T> {
    let sorted = items.windows(2).all(|pair| key(&pair[0]) <= key(&pair[1]));
    let index = (!sorted).then(|| {
        let mut index: Vec<usize> = (0..items.len()).collect();
        // Stable: equal keys keep their given order.
        index.sort_by_key(|&at| key(&items[at]));
        index
    });
    Ordered { items, index }
}

/// Whether Excel would read the text as a formula if the cell were edited and confirmed.
fn needs_quote(value: &str) -> bool {
    value.starts_with(['=', '+', '-', '@'])
}

/// The value cut to what one Excel cell holds (32,767 UTF-16 units).
fn fit(value: &str) -> Cow<'_, str> {
    // A UTF-16 unit takes at least one UTF-8 byte: short values need no count.
    if value.len() <= MAX_CELL_UNITS || value.encode_utf16().count() <= MAX_CELL_UNITS {
        return Cow::Borrowed(value);
    }
    let keep = MAX_CELL_UNITS - 1;
    let mut units = 0;
    let mut end = 0;
    for (at, ch) in value.char_indices() {
        if units + ch.len_utf16() > keep {
            break;
        }
        units += ch.len_utf16();
        end = at + ch.len_utf8();
    }
    Cow::Owned(format!("{}…", &value[..end]))
}

/// The report's cell formats: every data cell is Text (`@`, number format 49).
struct Styles {
    header: Format,
    text: Format,
    quoted: Format,
    bad: Format,
    bad_quoted: Format,
    issues: Format,
    issues_quoted: Format,
}

impl Styles {
    fn new() -> Styles {
        let text = Format::new()
            .set_num_format_index(49)
            .set_align(FormatAlign::Top);
        let bad = text.clone().set_background_color(BAD_FILL);
        let issues = text.clone().set_text_wrap();
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color("#DDEBF7")
                .set_border_bottom(FormatBorder::Thin),
            quoted: text.clone().set_quote_prefix(),
            bad_quoted: bad.clone().set_quote_prefix(),
            issues_quoted: issues.clone().set_quote_prefix(),
            text,
            bad,
            issues,
        }
    }

    fn cell(&self, bad: bool, value: &str) -> &Format {
        match (bad, needs_quote(value)) {
            (false, false) => &self.text,
            (false, true) => &self.quoted,
            (true, false) => &self.bad,
            (true, true) => &self.bad_quoted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_at_excels_cell_limit_in_utf16_units() {
        assert_eq!(fit("short"), "short");
        let long = "a".repeat(MAX_CELL_UNITS + 10);
        let cut = fit(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UNITS);
        assert!(cut.ends_with('…'));
        // Astral characters take two units each.
        let astral = "😀".repeat(MAX_CELL_UNITS / 2 + 1);
        let cut = fit(&astral);
        assert!(cut.encode_utf16().count() <= MAX_CELL_UNITS);
        assert_eq!(
            fit(&"😀".repeat(MAX_CELL_UNITS / 2)).len(),
            4 * (MAX_CELL_UNITS / 2)
        );
    }

    #[test]
    fn the_problems_sheet_keeps_a_line_for_what_does_not_fit() {
        assert_eq!(fits_rows(0, 10), (0, 0));
        assert_eq!(fits_rows(10, 10), (10, 0));
        assert_eq!(fits_rows(11, 10), (9, 2));
        assert_eq!(
            fits_rows(2_000_000, SHEET_ROWS - 1),
            (SHEET_ROWS - 2, 2_000_000 - (SHEET_ROWS - 2))
        );
    }

    #[test]
    fn formula_like_values_need_the_quote_prefix() {
        for value in ["=1+1", "+1 555", "-5", "@home"] {
            assert!(needs_quote(value), "{value}");
        }
        for value in ["Ann", " =1", "1-2", ""] {
            assert!(!needs_quote(value), "{value}");
        }
    }

    #[test]
    fn order_keeps_sorted_slices_and_sorts_others_stably() {
        let sorted = [1u32, 2, 2, 5];
        assert!(order(&sorted, |v| *v).index.is_none());
        let items = [(3u32, 'a'), (1, 'b'), (3, 'c'), (2, 'd')];
        let ordered = order(&items, |item| item.0);
        let got: Vec<char> = ordered.iter().map(|item| item.1).collect();
        assert_eq!(got, ['b', 'd', 'a', 'c']);
    }

    #[test]
    fn the_issues_header_avoids_schema_headers() {
        use crate::schema::{Column, ColumnKind};
        assert_eq!(issues_header(&Schema::default(), "Issues"), "Issues");
        let schema = Schema::builder()
            .column(Column::new("issues", " issues ", ColumnKind::Text))
            .build()
            .unwrap();
        assert_eq!(issues_header(&schema, "Issues"), "Issues 2");
    }
}
