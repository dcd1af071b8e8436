//! Normalizing and validating every row of the data sheet, and the whole-file checks.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Read, Seek};

use serde::Serialize;

use crate::check::duplicates::EmailIndex;
use crate::check::kept::{Briefs, Columns, Kept};
use crate::check::normalize::{
    DateProblem, clean_spaces, control_name, email_problem, find_control, find_format_character,
    nfc, parse_date,
};
use crate::check::place::{Place, country_args, only};
use crate::check::records::Record;
use crate::error::Error;
use crate::issue::{Issue, IssueCode, Severity};
use crate::location::{self, Country, RegionProblem};
use crate::read::limits::Limits;
use crate::read::{CellValue, HeaderRow, RowSink, read_rows};
use crate::schema::{ColumnKind, Schema};

/// The outcome of reading and validating an upload.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    /// The sheet the users were read from.
    pub sheet: String,
    /// The header row's number.
    pub header_row: u32,
    /// For each schema column, the header as written in the file, or `None` when the file
    /// does not have the column.
    pub headers: Vec<Option<String>>,
    #[serde(skip)]
    records: Vec<Record>,
    /// For an import's read: the brief of every row instead of its record.
    #[serde(skip)]
    briefs: Option<Briefs>,
    issues: Vec<Issue>,
}

impl Validation {
    /// Every non-blank data row, in sheet order, valid or not; empty for a validation that
    /// kept a brief of each row instead ([`Validator::for_import`]).
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The rows without error-severity issues.
    pub fn valid_records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(|record| record.valid)
    }

    /// Every issue, warnings included, ordered by row (file-wide issues first) and column.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Writes every issue's message in the language of `catalog`.
    ///
    /// ```
    /// use user_import::{validate_bytes, Catalog, Limits, Schema};
    ///
    /// let schema = Schema::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example.com", "Allemagne", "", "en", "", "", "", ""],
    /// ]);
    /// let mut validation = validate_bytes(&upload, &schema, &Limits::default())?;
    /// validation.localize(&Catalog::french());
    /// assert_eq!(
    ///     validation.issues()[0].message,
    ///     "ligne 2, Country : « Allemagne » est un nom de pays ; utilisez le code « DE »"
    /// );
    /// # Ok::<(), user_import::Error>(())
    /// ```
    pub fn localize(&mut self, catalog: &crate::Catalog) {
        catalog.localize_all(&mut self.issues);
    }

    /// Whether the upload can be imported: no error-severity issue.
    pub fn is_valid(&self) -> bool {
        self.error_count() == 0
    }

    /// The number of error-severity issues.
    pub fn error_count(&self) -> usize {
        self.issues
            .iter()
            .filter(|issue| issue.severity == Severity::Error)
            .count()
    }

    /// The number of non-blank data rows read.
    pub fn row_count(&self) -> usize {
        match &self.briefs {
            Some(briefs) => briefs.len(),
            None => self.records.len(),
        }
    }

    /// The briefs of a validation that kept them ([`Validator::for_import`]).
    pub(crate) fn briefs(&self) -> Option<&Briefs> {
        self.briefs.as_ref()
    }

    /// The briefs of an import's read ([`Validator::for_import`]); `None` for a validation
    /// that kept whole records.
    pub(crate) fn take_briefs(&mut self) -> Option<Briefs> {
        self.briefs.take()
    }

    /// The value of the column with `key` in `record`; empty when there is none.
    pub fn value<'r>(&self, schema: &Schema, record: &'r Record, key: &str) -> &'r str {
        schema
            .position(key)
            .map(|position| record.get(position))
            .unwrap_or("")
    }

    /// Splits the outcome into its records and issues.
    pub fn into_parts(self) -> (Vec<Record>, Vec<Issue>) {
        (self.records, self.issues)
    }
}

/// Reads an upload (`.xlsx`, `.ods` or CSV, told apart by its bytes) and validates every row
/// against `schema`.
///
/// ```
/// use user_import::{validate_workbook, Limits, Schema, Template};
///
/// let schema = Schema::default();
/// let template = Template::new(&schema).to_bytes().unwrap();
/// // The empty template has no users yet.
/// let error = validate_workbook(std::io::Cursor::new(template), &schema, &Limits::default()).unwrap_err();
/// assert_eq!(error.code(), "file.no_rows");
/// ```
///
/// # Errors
///
/// An [`Error`] when the file as a whole cannot be read; problems of single rows are
/// [`Issue`]s in the returned [`Validation`].
pub fn validate_workbook<R: Read + Seek>(
    source: R,
    schema: &Schema,
    limits: &Limits,
) -> Result<Validation, Error> {
    let mut validator = Validator::new(schema, limits);
    read_rows(source, schema, limits, &mut validator)?;
    Ok(validator.finish())
}

/// [`validate_workbook`] on bytes in memory; an upload of at least
/// [`Limits::parallel_min_bytes`] is read on two threads, with the same outcome.
///
/// # Errors
///
/// As [`validate_workbook`].
pub fn validate_bytes(bytes: &[u8], schema: &Schema, limits: &Limits) -> Result<Validation, Error> {
    let mut validator = Validator::new(schema, limits);
    crate::read::read_rows_bytes(bytes, schema, limits, &mut validator)?;
    Ok(validator.finish())
}

/// Validates rows one at a time, keeps the records, and runs the whole-file checks at the end.
///
/// It is the [`RowSink`] [`validate_workbook`] reads into; a host can also feed it rows from
/// another source.
///
/// ```
/// use user_import::{CellValue, HeaderRow, IssueCode, Limits, RowSink, Schema, Validator};
///
/// let schema = Schema::default();
/// let limits = Limits::default();
/// let mut validator = Validator::new(&schema, &limits);
/// let header = HeaderRow {
///     sheet: "Users".into(),
///     row: 1,
///     headers: schema.columns().iter().map(|c| Some(c.header().to_string())).collect(),
///     extra: Vec::new(),
/// };
/// validator.header(&header).unwrap();
/// let mut row = vec![CellValue::Empty; schema.columns().len()];
/// row[0] = CellValue::Text("Ann Lee");
/// row[1] = CellValue::Text("ann@example.com");
/// row[2] = CellValue::Text("Canada");
/// row[3] = CellValue::Text("QC");
/// row[4] = CellValue::Text("EN");
/// validator.row(2, &row).unwrap();
/// let validation = validator.finish();
/// assert_eq!(validation.issues()[0].code, IssueCode::CountryName);
/// assert_eq!(validation.issues()[0].message, "row 2, Country: `Canada` is a country name; use the code `CA`");
/// ```
#[derive(Debug)]
pub struct Validator<'s> {
    schema: &'s Schema,
    limits: &'s Limits,
    sheet: String,
    header_row: u32,
    headers: Vec<Option<String>>,
    kept: Kept,
    issues: Vec<Issue>,
    left_out: u64,
    /// The email match keys seen, and the rows that share one.
    pub(crate) emails: EmailIndex,
    /// Record index → the email as read, for the rows where it differs from the value kept
    /// (spaces around it), so a duplicate issue shows the value as read.
    emails_as_read: HashMap<u32, String>,
    /// A row's values while it is checked, kept from row to row.
    scratch_text: String,
    /// Where each of a row's values ends, kept from row to row.
    scratch_ends: Vec<u32>,
}

impl<'s> Validator<'s> {
    /// A validator for `schema`, keeping at most `limits.max_issues` issues.
    pub fn new(schema: &'s Schema, limits: &'s Limits) -> Validator<'s> {
        Validator {
            schema,
            limits,
            sheet: String::new(),
            header_row: 1,
            headers: schema
                .columns()
                .iter()
                .map(|c| Some(c.header().to_string()))
                .collect(),
            kept: Kept::Records(Vec::new()),
            scratch_text: String::with_capacity(256),
            scratch_ends: Vec::with_capacity(schema.columns().len()),
            issues: Vec::new(),
            left_out: 0,
            emails: EmailIndex::default(),
            emails_as_read: HashMap::new(),
        }
    }

    /// A validator that keeps a brief of each row (its number, whether it is valid, its name
    /// and its email: about 50 bytes) instead of its record (about 150): what an import plans
    /// from, and what an [`ErrorReport`](crate::ErrorReport) given its upload needs. Its
    /// validation's [`records`](Validation::records) are empty; its issues and row count are
    /// whole.
    ///
    /// ```
    /// use user_import::{ErrorReport, Limits, Schema, Validator, read_rows_bytes};
    ///
    /// let schema = Schema::default();
    /// let limits = Limits::default();
    /// let upload = user_import::testing::workbook(&schema, &[
    ///     &["Ann Lee", "ann@example", "CA", "QC", "en", "", "", "", ""],
    ///     &["Bob Roy", "bob@example.com", "CA", "QC", "en", "", "", "", ""],
    /// ]);
    /// let mut validator = Validator::for_import(&schema, &limits);
    /// read_rows_bytes(&upload, &schema, &limits, &mut validator)?;
    /// let validation = validator.finish();
    /// assert_eq!((validation.row_count(), validation.records().len()), (2, 0));
    /// let report = ErrorReport::new(&schema, &validation).upload(&upload, &limits).to_bytes()?;
    /// assert_eq!(&report[..2], b"PK");
    /// # Ok::<(), user_import::Error>(())
    /// ```
    pub fn for_import(schema: &'s Schema, limits: &'s Limits) -> Validator<'s> {
        Validator {
            kept: Kept::Briefs(Briefs::default()),
            ..Validator::new(schema, limits)
        }
    }

    /// A validator that keeps the last row's record only, and checks no duplicate: the
    /// commit's second read of an upload whose validation already passed.
    pub(crate) fn last_only(schema: &'s Schema, limits: &'s Limits) -> Validator<'s> {
        Validator {
            kept: Kept::Last(None),
            ..Validator::new(schema, limits)
        }
    }

    /// The record of the last row validated, for [`Validator::last_only`].
    pub(crate) fn take_last(&mut self) -> Option<Record> {
        match &mut self.kept {
            Kept::Last(last) => last.take(),
            _ => None,
        }
    }

    fn push(&mut self, issue: Issue) {
        if self.issues.len() < self.limits.max_issues {
            self.issues.push(issue);
        } else {
            self.left_out += 1;
        }
    }

    fn header_of(&self, position: usize) -> &str {
        self.headers[position]
            .as_deref()
            .unwrap_or_else(|| self.schema.columns()[position].header())
    }

    /// Runs the whole-file checks (duplicate emails) and returns the outcome.
    pub fn finish(mut self) -> Validation {
        let email = self.schema.email_position();
        for (first, others) in self.emails.groups() {
            let mut members = vec![first];
            members.extend(others);
            let rows: Vec<u32> = members.iter().map(|&i| self.kept.row(i as usize)).collect();
            let listed = list_rows(&rows);
            // The rows again, for a catalogue to join in its own language.
            let row_list = rows
                .iter()
                .take(20)
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
            for &index in &members {
                self.kept.set_invalid(index as usize);
                let row = self.kept.row(index as usize);
                let value = match self.emails_as_read.remove(&index) {
                    Some(as_read) => as_read,
                    None => self.kept.email(index as usize, email).to_string(),
                };
                let column = self.header_of(email).to_string();
                self.push(
                    Issue::new(IssueCode::EmailDuplicate)
                        .at(row, &column)
                        .value(value)
                        .arg("rows", listed.clone())
                        .arg("row_list", row_list.clone())
                        .arg("row_count", rows.len().to_string()),
                );
            }
        }
        if self.left_out > 0 {
            let count = self.left_out;
            self.issues
                .push(Issue::new(IssueCode::TooManyIssues).arg("count", count.to_string()));
        }
        let order: HashMap<&str, usize> = self
            .headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.as_deref().map(|h| (h, i)))
            .collect();
        self.issues.sort_by_key(|issue| {
            (
                issue.row.unwrap_or(0),
                issue
                    .column
                    .as_deref()
                    .and_then(|c| order.get(c).copied())
                    .unwrap_or(usize::MAX),
            )
        });
        let (records, briefs) = match self.kept {
            Kept::Records(records) => (records, None),
            Kept::Briefs(mut briefs) => {
                briefs.shrink();
                (Vec::new(), Some(briefs))
            }
            Kept::Last(..) => (Vec::new(), None),
        };
        Validation {
            sheet: self.sheet,
            header_row: self.header_row,
            headers: self.headers,
            records,
            briefs,
            issues: self.issues,
        }
    }
}

/// The most characters of a value an issue keeps: enough to show and fix any real value, while
/// a hostile file repeating one huge string in every cell cannot multiply it in memory.
const MAX_ISSUE_VALUE_CHARS: usize = 2_000;

/// The value an issue keeps: the value as read, cut after [`MAX_ISSUE_VALUE_CHARS`] with `…`.
fn kept_value(value: &str) -> String {
    match value.char_indices().nth(MAX_ISSUE_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_string(),
    }
}

/// "3, 7 and 12"
fn list_rows(rows: &[u32]) -> String {
    let shown: Vec<String> = rows.iter().take(20).map(u32::to_string).collect();
    let mut out = match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    if rows.len() > 20 {
        out = format!("{} and {} more", shown.join(", "), rows.len() - 20);
    }
    out
}

/// Why a cell's text was refused: the code and the message's named values.
type Refusal = (IssueCode, Vec<(&'static str, String)>);

/// The outcome of checking one cell.
enum Checked<'v> {
    /// Valid; the normalized value (possibly empty).
    Valid(Cow<'v, str>),
    /// Invalid; the value as read, and the issue.
    Invalid(String, Issue),
}

impl RowSink for Validator<'_> {
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error> {
        self.sheet = header.sheet.clone();
        self.header_row = header.row;
        self.headers = header.headers.clone();
        Ok(())
    }

    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        let schema = self.schema;
        let columns = schema.columns();
        // The country first: the region is checked against it.
        let place = self.place(cells);
        // Buffers kept from row to row: the record takes one exact allocation.
        let mut text = std::mem::take(&mut self.scratch_text);
        let mut ends = std::mem::take(&mut self.scratch_ends);
        text.clear();
        ends.clear();
        let mut valid = true;
        let mut email_valid = false;
        for (position, column) in columns.iter().enumerate() {
            let cell = cells.get(position).unwrap_or(&CellValue::Empty);
            match self.check(number, position, cell, &place) {
                Checked::Valid(value) => {
                    if position == schema.email_position() && !value.is_empty() {
                        email_valid = true;
                    }
                    text.push_str(&value);
                }
                Checked::Invalid(as_read, issue) => {
                    if issue.severity == Severity::Error {
                        valid = false;
                    }
                    // The value as read, cut to the column's length so a huge cell does not
                    // stay in memory.
                    let keep: String = as_read.chars().take(column.max_len()).collect();
                    text.push_str(&keep);
                    self.push(issue);
                }
            }
            ends.push(text.len() as u32);
        }
        let index = self.kept.len() as u32;
        let position = schema.email_position();
        let columns = Columns {
            name: schema.name_position(),
            email: position,
            email_valid,
        };
        self.kept.push(number, valid, &ends, &text, columns);
        // A second read of rows already checked has no duplicate to look for.
        if email_valid && !matches!(self.kept, Kept::Last(_)) {
            let email = crate::model::packed(&text, &ends, position).unwrap_or_default();
            // The email as read, kept only where it differs from the value kept.
            let as_read = match cells.get(position) {
                Some(CellValue::Text(read)) if *read == email => None,
                Some(cell) => Some(cell.as_read()).filter(|read| read != email),
                None => None,
            };
            if let Some(as_read) = as_read {
                self.emails_as_read.insert(index, as_read);
            }
            let kept = &self.kept;
            (self.emails).insert(email, index, |first| kept.email(first as usize, position));
        }
        self.scratch_text = text;
        self.scratch_ends = ends;
        Ok(())
    }

    fn warning(&mut self, issue: Issue) {
        self.push(issue);
    }
}

impl Validator<'_> {
    /// What the row's Country and Region cells say.
    fn place(&self, cells: &[CellValue<'_>]) -> Place {
        let text_at = |position: Option<usize>| {
            position
                .and_then(|position| cells.get(position))
                .and_then(|cell| self.cell_text(cell, usize::MAX).ok())
        };
        Place::of(text_at(self.schema.country_position()).as_deref(), || {
            text_at(self.schema.region_position())
        })
    }

    /// The cell as text, cleaned (spaces, Unicode form), refusing formulas, error values,
    /// control characters and over-long values. `position` selects the column's rules;
    /// `usize::MAX` means plain cleaning only.
    fn cell_text<'v>(
        &self,
        cell: &'v CellValue<'_>,
        position: usize,
    ) -> Result<Cow<'v, str>, Refusal> {
        let collapse = self
            .schema
            .columns()
            .get(position)
            .is_some_and(|column| *column.kind() == ColumnKind::Name);
        let raw: Cow<'v, str> = match cell {
            CellValue::Empty => return Ok(Cow::Borrowed("")),
            CellValue::Text(text) => Cow::Borrowed(*text),
            CellValue::Formula(formula) => {
                let shown = if formula.is_empty() {
                    "(copied from another cell)".to_string()
                } else {
                    format!("={formula}")
                };
                return Err((IssueCode::Formula, vec![("formula", shown)]));
            }
            CellValue::Error(_) => return Err((IssueCode::CellError, Vec::new())),
            other => Cow::Owned(other.as_read()),
        };
        let cleaned = match raw {
            Cow::Borrowed(text) => clean_spaces(text, collapse),
            Cow::Owned(text) => Cow::Owned(clean_spaces(&text, collapse).into_owned()),
        };
        if let Some(ch) = find_control(&cleaned) {
            return Err((
                IssueCode::ControlCharacter,
                vec![("character", control_name(ch))],
            ));
        }
        // An email column names an invisible character in its own reason (`email.invalid`).
        let email = self
            .schema
            .columns()
            .get(position)
            .is_some_and(|column| *column.kind() == ColumnKind::Email);
        if !email && let Some(found) = find_format_character(&cleaned) {
            let effect_key = found.effect_key();
            return Err((
                IssueCode::FormatCharacter,
                vec![
                    ("character", found.label()),
                    (
                        "effect",
                        crate::text::english_catalog().text(effect_key).to_string(),
                    ),
                    ("effect_key", effect_key.to_string()),
                ],
            ));
        }
        let normalized = match cleaned {
            Cow::Borrowed(text) => nfc(text),
            Cow::Owned(text) => Cow::Owned(nfc(&text).into_owned()),
        };
        if let Some(column) = self.schema.columns().get(position) {
            let limit = column.max_len().min(self.limits.max_cell_chars);
            // Bytes bound characters from above: count only when it could matter.
            if normalized.len() > limit {
                let length = normalized.chars().count();
                if length > limit {
                    return Err((
                        IssueCode::TooLong,
                        vec![("length", length.to_string()), ("limit", limit.to_string())],
                    ));
                }
            }
        }
        Ok(normalized)
    }

    fn check<'v>(
        &'v self,
        row: u32,
        position: usize,
        cell: &'v CellValue<'_>,
        place: &Place,
    ) -> Checked<'v> {
        let country = place.country;
        let column = &self.schema.columns()[position];
        let header = self.header_of(position);
        let invalid = |code: IssueCode, args: Vec<(&'static str, String)>| -> Checked<'v> {
            let as_read = cell.as_read();
            let mut issue = Issue::new(code).at(row, header);
            if !as_read.is_empty() {
                issue = issue.value(kept_value(&as_read));
            }
            for (name, value) in args {
                issue = issue.arg(name, value);
            }
            Checked::Invalid(as_read, issue)
        };

        // Dates: a date cell is taken as is; a number that is not formatted as a date is not.
        if *column.kind() == ColumnKind::Date {
            match cell {
                CellValue::DateTime(datetime) => {
                    return Checked::Valid(Cow::Owned(
                        datetime.date().format("%Y-%m-%d").to_string(),
                    ));
                }
                CellValue::InvalidDate(_) | CellValue::Number(_) | CellValue::Bool(_) => {
                    return invalid(IssueCode::DateFormat, Vec::new());
                }
                _ => {}
            }
        }

        let value = match self.cell_text(cell, position) {
            Ok(value) => value,
            Err((code, args)) => return invalid(code, args),
        };
        if value.is_empty() {
            if *column.kind() == ColumnKind::Region && column.is_required() {
                if let Some(country) = country.filter(Country::has_regions) {
                    let mut args = country_args("country", country).to_vec();
                    args.push((
                        "example",
                        country.example_region().unwrap_or("").to_string(),
                    ));
                    return invalid(IssueCode::RegionRequired, args);
                }
                return Checked::Valid(value);
            }
            if *column.kind() == ColumnKind::Country
                && column.is_required()
                && let Some(region) = place.region
            {
                let mut args = vec![
                    ("region", region.code().to_string()),
                    ("code", region.country().code().to_string()),
                ];
                args.extend(country_args("region_country", region.country()));
                return invalid(IssueCode::CountryFromRegion, args);
            }
            if column.is_required() {
                return invalid(IssueCode::Required, Vec::new());
            }
            return Checked::Valid(value);
        }

        match column.kind() {
            ColumnKind::Text | ColumnKind::Name => Checked::Valid(value),
            ColumnKind::Email => match email_problem(&value) {
                None => Checked::Valid(value),
                Some(problem) => {
                    let mut args = vec![
                        ("reason", problem.english()),
                        ("reason_key", problem.key().to_string()),
                    ];
                    args.extend(problem.args().iter().cloned());
                    invalid(IssueCode::EmailInvalid, args)
                }
            },
            ColumnKind::Country => match location::country(&value) {
                Some(found) => Checked::Valid(Cow::Borrowed(found.code())),
                None if location::country_by_alpha3(&value).is_some() => invalid(
                    IssueCode::CountryAlpha3,
                    vec![(
                        "code",
                        location::country_by_alpha3(&value)
                            .map(|c| c.code().to_string())
                            .unwrap_or_default(),
                    )],
                ),
                None => match location::country_by_name(&value) {
                    Some(found) => invalid(
                        IssueCode::CountryName,
                        vec![("code", found.code().to_string())],
                    ),
                    None => invalid(IssueCode::CountryUnknown, Vec::new()),
                },
            },
            ColumnKind::Region => {
                // Without a country the region is checked on its own: a full code is kept, a
                // name that one country has gets its code; the country's issue says the rest.
                let Some(country) = country else {
                    if let Some(region) = location::region(&value) {
                        return Checked::Valid(Cow::Borrowed(region.code()));
                    }
                    return match only(location::regions_by_name(&value)) {
                        Some(region) => invalid(
                            IssueCode::RegionName,
                            vec![("code", region.code().to_string())],
                        ),
                        None => Checked::Valid(value),
                    };
                };
                match location::resolve_region(country, &value) {
                    Ok(region) => Checked::Valid(Cow::Borrowed(region.code())),
                    Err(RegionProblem::Name(region)) => invalid(
                        IssueCode::RegionName,
                        vec![("code", region.code().to_string())],
                    ),
                    Err(RegionProblem::OtherCountry(region)) => {
                        let mut args = country_args("region_country", region.country()).to_vec();
                        args.extend(country_args("country", country));
                        invalid(IssueCode::RegionCountryMismatch, args)
                    }
                    Err(RegionProblem::Unknown) => {
                        let mut args = country_args("country", country).to_vec();
                        match country.example_region() {
                            None => invalid(IssueCode::RegionNotExpected, args),
                            Some(example) => {
                                args.push(("example", example.to_string()));
                                invalid(IssueCode::RegionUnknown, args)
                            }
                        }
                    }
                }
            }
            ColumnKind::Date => match parse_date(&value) {
                // Exactly `YYYY-MM-DD` already: keep the text as it is.
                Ok(_) if value.len() == 10 => Checked::Valid(value),
                Ok(date) => Checked::Valid(Cow::Owned(date.format("%Y-%m-%d").to_string())),
                Err(DateProblem::Format) => invalid(IssueCode::DateFormat, Vec::new()),
                Err(DateProblem::Impossible) => invalid(IssueCode::DateImpossible, Vec::new()),
            },
            ColumnKind::Choice(choices) => match column.match_choice(&value) {
                Some(choice) => Checked::Valid(Cow::Borrowed(choice)),
                None => invalid(
                    IssueCode::ChoiceInvalid,
                    vec![("choices", choices.join(", "))],
                ),
            },
        }
    }
}
