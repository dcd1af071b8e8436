//! The report's data rows, written in row order beside their issues: from the validation's
//! records, or from a second read of the upload, which gives every value as typed and the
//! upload's own columns.

use std::borrow::Cow;

use rust_xlsxwriter::{Note, Worksheet};

use super::{Columns, ErrorReport, MAX_CELL_NOTES, Ordered, Styles, UNLISTED, fit, needs_quote};
use crate::check::kept::Briefs;
use crate::check::records::Record;
use crate::error::Error;
use crate::issue::{Issue, IssueCode};
use crate::read::{CellValue, HeaderRow, RowSink};

/// Writes the data rows of the report's first sheet, each with its issues: the cells with a
/// problem filled and noted, the row's messages in the `Issues` column, and the values of the
/// upload's own columns after it.
pub(super) struct RowWriter<'r, 'a> {
    report: &'r ErrorReport<'a>,
    sheet: &'r mut Worksheet,
    styles: &'r Styles,
    positions: &'r Columns<'r>,
    issues: &'r Ordered<'r, Issue>,
    width: usize,
    issues_col: u16,
    /// The next row a record may go on (constant-memory mode drops writes to earlier rows).
    next_free: u32,
    /// The first issue not before the last row written.
    cursor: usize,
    bad: Vec<bool>,
    as_read: Vec<Option<&'r str>>,
    unknown: Vec<bool>,
    notes: Vec<String>,
    notes_written: usize,
    text: String,
}

impl<'r, 'a> RowWriter<'r, 'a> {
    /// A writer for `sheet`, whose template columns are written already; writes the `Issues`
    /// column's header and format.
    pub(super) fn new(
        report: &'r ErrorReport<'a>,
        sheet: &'r mut Worksheet,
        styles: &'r Styles,
        positions: &'r Columns<'r>,
        issues: &'r Ordered<'r, Issue>,
    ) -> Result<RowWriter<'r, 'a>, Error> {
        let width = report.schema.columns().len();
        let issues_col = width as u16;
        let header = report.header_row.saturating_sub(1);
        sheet.set_column_width(issues_col, 90)?;
        sheet.set_column_format(issues_col, &styles.issues)?;
        let title = report.text("report.issues", ErrorReport::ISSUES_HEADER);
        sheet.write_string_with_format(
            header,
            issues_col,
            super::issues_header(report.schema, title),
            &styles.header,
        )?;
        Ok(RowWriter {
            report,
            sheet,
            styles,
            positions,
            issues,
            width,
            issues_col,
            next_free: header + 1,
            cursor: 0,
            bad: vec![false; width],
            as_read: vec![None; width],
            unknown: vec![false; width],
            notes: vec![String::new(); width],
            notes_written: 0,
            text: String::new(),
        })
    }

    /// Writes the headers of the upload's own columns after the `Issues` column.
    fn extra_headers(&mut self, headers: &[String]) -> Result<(), Error> {
        let row = self.report.header_row.saturating_sub(1);
        for (at, header) in headers.iter().enumerate() {
            let col = self.issues_col + 1 + at as u16;
            self.sheet.set_column_width(col, 18)?;
            self.sheet.set_column_format(col, &self.styles.text)?;
            self.sheet.write_string_with_format(
                row,
                col,
                fit(header).as_ref(),
                &self.styles.header,
            )?;
        }
        Ok(())
    }

    /// Writes row `number` of the upload: `values` in the template's columns, `extras` after
    /// the `Issues` column. With `from_record`, a cell with a problem shows the value its
    /// issue read (the record keeps it cut to the column's length); otherwise `values` are
    /// as typed already.
    pub(super) fn write(
        &mut self,
        number: u32,
        valid: bool,
        values: &[Cow<'_, str>],
        extras: &[Cow<'_, str>],
        from_record: bool,
    ) -> Result<(), Error> {
        while self.cursor < self.issues.len() && issue_row(self.issues.get(self.cursor)) < number {
            self.cursor += 1;
        }
        self.bad.fill(false);
        self.as_read.fill(None);
        self.unknown.fill(false);
        self.notes.iter_mut().for_each(String::clear);
        self.text.clear();
        // The cursor stays on this row's first issue: a record placed on a later row because
        // its row number repeats gets the same issues.
        let mut end = self.cursor;
        while end < self.issues.len() && issue_row(self.issues.get(end)) == number {
            let issue = self.issues.get(end);
            let position = (issue.column.as_deref()).and_then(|c| self.positions.position(c));
            let message = self.report.message_in_report(issue, position);
            if !self.text.is_empty() {
                self.text.push('\n');
            }
            self.text.push_str(&message);
            if let Some(position) = position {
                if !self.notes[position].is_empty() {
                    self.notes[position].push('\n');
                }
                self.notes[position].push_str(&message);
                self.bad[position] = true;
                if matches!(issue.code, IssueCode::Formula | IssueCode::CellError) {
                    self.unknown[position] = true;
                } else if self.as_read[position].is_none() && from_record {
                    self.as_read[position] = issue.value.as_deref();
                }
            }
            end += 1;
        }
        if self.text.is_empty() && !valid {
            self.text
                .push_str(self.report.text("report.unlisted", UNLISTED));
        }

        let row = number.saturating_sub(1).max(self.next_free);
        for position in 0..self.width {
            let value = if self.unknown[position] {
                Cow::Borrowed("")
            } else {
                match self.as_read[position] {
                    Some(read) => fit(read),
                    None => fit(values.get(position).map_or("", |v| v.as_ref())),
                }
            };
            let col = position as u16;
            if value.is_empty() {
                if self.bad[position] {
                    self.sheet.write_blank(row, col, &self.styles.bad)?;
                }
            } else {
                let format = self.styles.cell(self.bad[position], &value);
                self.sheet
                    .write_string_with_format(row, col, value.as_ref(), format)?;
            }
            if self.bad[position] && self.notes_written < MAX_CELL_NOTES {
                let note = Note::new(fit(&self.notes[position]))
                    .add_author_prefix(false)
                    .set_width(360)
                    .set_height(100);
                self.sheet.insert_note(row, col, &note)?;
                self.notes_written += 1;
            }
        }
        if !self.text.is_empty() {
            let text = fit(&self.text);
            let format = if needs_quote(&text) {
                &self.styles.issues_quoted
            } else {
                &self.styles.issues
            };
            self.sheet
                .write_string_with_format(row, self.issues_col, text.as_ref(), format)?;
        }
        for (at, value) in extras.iter().enumerate() {
            let value = fit(value);
            if !value.is_empty() {
                let col = self.issues_col + 1 + at as u16;
                let format = self.styles.cell(false, &value);
                self.sheet
                    .write_string_with_format(row, col, value.as_ref(), format)?;
            }
        }
        self.next_free = row + 1;
        Ok(())
    }
}

pub(super) fn issue_row(issue: &Issue) -> u32 {
    issue.row.unwrap_or(0)
}

/// A cell's value as the administrator typed it: text as it is, a number, date or truth value
/// as the cell shows it; a formula or an error value as nothing (its issue says what it held).
fn typed<'v>(cell: &'v CellValue<'_>) -> Cow<'v, str> {
    match cell {
        CellValue::Empty | CellValue::Formula(_) | CellValue::Error(_) => Cow::Borrowed(""),
        CellValue::Text(text) => Cow::Borrowed(text),
        other => Cow::Owned(other.as_read()),
    }
}

impl UploadRows<'_, '_, '_> {
    fn write(&mut self, number: u32, valid: bool, values: &[Cow<'_, str>]) -> Result<(), Error> {
        let extras: Vec<Cow<'_, str>> = (self.extras.iter())
            .map(|e| Cow::Borrowed(e.as_str()))
            .collect();
        self.writer.write(number, valid, values, &extras, false)?;
        self.extras.clear();
        Ok(())
    }
}

/// The second read of the upload: each row it hands over is written as typed, beside the
/// issues the validation found on it, with the values of the upload's own columns.
pub(super) struct UploadRows<'w, 'r, 'a> {
    pub(super) writer: &'w mut RowWriter<'r, 'a>,
    /// The validation's records, in row order, for which rows are invalid.
    pub(super) records: &'r Ordered<'r, Record>,
    /// Or, for a validation that kept briefs, the brief of each row in reading order (the
    /// order this second read hands them over).
    pub(super) briefs: Option<&'r Briefs>,
    /// The next record (or brief) to compare.
    pub(super) record_cursor: usize,
    /// The current row's values in the upload's own columns ([`RowSink::extra`]).
    pub(super) extras: Vec<String>,
}

impl RowSink for UploadRows<'_, '_, '_> {
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error> {
        self.writer.extra_headers(&header.extra)
    }

    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        let values: Vec<Cow<'_, str>> = cells.iter().map(typed).collect();
        if let Some(briefs) = self.briefs {
            // The same rows in the same order as the first read: the next brief is this row's.
            let brief = (self.record_cursor < briefs.len())
                .then(|| briefs.get(self.record_cursor))
                .filter(|brief| brief.row == number);
            self.record_cursor += 1;
            let valid = brief.is_none_or(|brief| brief.valid);
            return self.write(number, valid, &values);
        }
        while self.record_cursor < self.records.len()
            && self.records.get(self.record_cursor).row() < number
        {
            self.record_cursor += 1;
        }
        let valid = (self.record_cursor < self.records.len())
            .then(|| self.records.get(self.record_cursor))
            .filter(|record| record.row() == number)
            .is_none_or(|record| record.is_valid());
        self.write(number, valid, &values)
    }

    fn warning(&mut self, _issue: Issue) {}

    fn wants_extra(&self) -> bool {
        true
    }

    fn extra(&mut self, _number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        self.extras = cells.iter().map(|cell| typed(cell).into_owned()).collect();
        Ok(())
    }
}
