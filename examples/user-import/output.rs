//! What the commands print: the standard output (where a closed pipe ends the output quietly),
//! the `check` report and the import summary, as text or JSON.

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;
use user_import::{
    Catalog, Counts, CreatedUser, ExistingUserOutcome, ImportStatus, ImportSummary,
    InvitationCounts, Issue, Severity, Validation,
};

use crate::failure::Failure;

/// The standard output, written with `write!` and `writeln!`. When the reader goes away
/// (`user-import locations CA | head -1`), the output ends there: later writes do nothing and
/// the command ends as it would have, instead of panicking on "Broken pipe".
pub(crate) struct Output<W: Write = io::Stdout> {
    inner: W,
    closed: bool,
}

impl Output {
    /// The process's standard output.
    pub(crate) fn stdout() -> Output {
        Output::new(io::stdout())
    }
}

impl<W: Write> Output<W> {
    /// Output into `inner`.
    pub(crate) fn new(inner: W) -> Output<W> {
        Output {
            inner,
            closed: false,
        }
    }

    /// Writes `args` (what `write!` and `writeln!` call); nothing once the reader is gone.
    ///
    /// # Errors
    ///
    /// [`Failure::Output`] when the output cannot be written for another reason than a closed
    /// pipe (a full disk).
    pub(crate) fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), Failure> {
        if self.closed {
            return Ok(());
        }
        let written = Write::write_fmt(&mut self.inner, args);
        self.settle(written)
    }

    /// Writes out what is buffered.
    ///
    /// # Errors
    ///
    /// As [`Output::write_fmt`].
    pub(crate) fn flush(&mut self) -> Result<(), Failure> {
        if self.closed {
            return Ok(());
        }
        let flushed = self.inner.flush();
        self.settle(flushed)
    }

    fn settle(&mut self, result: io::Result<()>) -> Result<(), Failure> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other.map_err(Failure::Output),
        }
    }
}

/// The `check --json` report, fields in this order.
#[derive(Serialize)]
pub(crate) struct Report<'a> {
    pub(crate) status: &'a str,
    pub(crate) rows: usize,
    pub(crate) valid_rows: usize,
    pub(crate) issues: Vec<ReportIssue<'a>>,
}

/// One issue in the JSON report and summary.
#[derive(Serialize)]
pub(crate) struct ReportIssue<'a> {
    pub(crate) row: Option<u32>,
    pub(crate) column: Option<&'a str>,
    pub(crate) value: Option<&'a str>,
    pub(crate) code: &'a str,
    pub(crate) severity: &'a str,
    pub(crate) message: String,
}

impl<'a> From<&'a Issue> for ReportIssue<'a> {
    fn from(issue: &'a Issue) -> Self {
        ReportIssue {
            row: issue.row,
            column: issue.column.as_deref(),
            value: issue.value.as_deref(),
            code: issue.code.as_str(),
            severity: issue.severity.as_str(),
            message: issue.message.clone(),
        }
    }
}

impl Report<'_> {
    /// The report of a validation.
    pub(crate) fn of<'a>(status: &'a str, validation: &'a Validation) -> Report<'a> {
        Report {
            status,
            rows: validation.row_count(),
            valid_rows: validation.valid_records().count(),
            issues: validation.issues().iter().map(ReportIssue::from).collect(),
        }
    }
}

/// `value` as one line of JSON.
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// The text report of `check`.
pub(crate) fn print_report(
    out: &mut Output,
    path: &str,
    validation: &Validation,
) -> Result<(), Failure> {
    let errors = validation.error_count();
    let warnings = validation.issues().len() - errors;
    writeln!(
        out,
        "{path}: sheet `{}`, {} rows, {} valid, {errors} errors, {warnings} warnings",
        validation.sheet,
        validation.row_count(),
        validation.valid_records().count(),
    )?;
    for issue in validation.issues() {
        let mark = match issue.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(out, "  {mark}: {}", issue.message)?;
    }
    if validation.is_valid() {
        writeln!(out, "the file is ready to import")
    } else {
        writeln!(out, "fix the rows above and check the file again")
    }
}

/// The `--json` summary of `import` and `summary`, fields in this order.
#[derive(Serialize)]
struct SummaryJson<'a> {
    id: &'a str,
    status: &'a str,
    dry_run: bool,
    reason: &'a str,
    counts: &'a Counts,
    invitations: &'a InvitationCounts,
    created: &'a [CreatedUser],
    updated: &'a [ExistingUserOutcome],
    untouched: &'a [ExistingUserOutcome],
    issues: Vec<ReportIssue<'a>>,
}

/// An import's summary, as text in `catalog`'s language or as JSON.
pub(crate) fn print_summary(
    out: &mut Output,
    catalog: &Catalog,
    summary: &ImportSummary,
    json: bool,
) -> Result<(), Failure> {
    if json {
        let json = SummaryJson {
            id: summary.import.as_str(),
            status: summary.status.as_str(),
            dry_run: summary.dry_run,
            reason: &summary.reason,
            counts: &summary.counts,
            invitations: &summary.invitations,
            created: &summary.created,
            updated: &summary.updated,
            untouched: &summary.untouched,
            issues: summary.issues.iter().map(ReportIssue::from).collect(),
        };
        return writeln!(out, "{}", to_json(&json));
    }
    writeln!(
        out,
        "import {}: {}{}",
        summary.import,
        summary.status.as_str(),
        if summary.dry_run {
            " (dry run: nothing written, nothing sent)"
        } else {
            ""
        }
    )?;
    if !summary.reason.is_empty() {
        writeln!(out, "  {}", summary.reason)?;
    }
    let c = &summary.counts;
    if catalog.language() != "en" {
        writeln!(out, "  {}", catalog.describe(summary))?;
    } else if summary.dry_run {
        writeln!(
            out,
            "  {} rows: {} users would be created, {} existing users would get the groups, {} would be left untouched, {} rows with errors",
            c.rows, c.created, c.groups_added, c.untouched, c.failed_rows
        )?;
    } else {
        writeln!(
            out,
            "  {} rows: {} users created, {} existing users got the groups, {} left untouched, {} rows with errors",
            c.rows, c.created, c.groups_added, c.untouched, c.failed_rows
        )?;
    }
    if !summary.dry_run && summary.status == ImportStatus::Completed && catalog.language() == "en" {
        let i = &summary.invitations;
        writeln!(
            out,
            "  invitations: {} sent, {} failed, {} pending",
            i.sent, i.failed, i.pending
        )?;
        for (email, reason) in &i.failures {
            writeln!(out, "    {email}: {reason}")?;
        }
    }
    for issue in summary.issues.iter().take(50) {
        writeln!(out, "  {}: {}", issue.severity.as_str(), issue.message)?;
    }
    let total = summary.issue_count();
    if total > 50 {
        writeln!(out, "  ... and {} more issues", total - 50)?;
    }
    if summary.status == ImportStatus::Failed {
        writeln!(
            out,
            "  no user was imported; `report {} FILE.xlsx` writes the rows with their problems",
            summary.import
        )?;
    }
    Ok(())
}
