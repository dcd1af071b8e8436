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

/// The text report of `check`, in `catalog`'s language.
pub(crate) fn print_report(
    out: &mut Output,
    catalog: &Catalog,
    path: &str,
    validation: &Validation,
) -> Result<(), Failure> {
    let errors = validation.error_count();
    let warnings = validation.issues().len() - errors;
    let numbers = [
        validation.row_count().to_string(),
        validation.valid_records().count().to_string(),
        errors.to_string(),
        warnings.to_string(),
    ];
    writeln!(
        out,
        "{}",
        catalog.fill(
            "cli.check.header",
            &[
                ("path", path),
                ("sheet", validation.sheet.as_str()),
                ("rows", &numbers[0]),
                ("valid", &numbers[1]),
                ("errors", &numbers[2]),
                ("warnings", &numbers[3]),
            ],
        )
    )?;
    for issue in validation.issues() {
        writeln!(out, "  {}", issue_line(catalog, issue))?;
    }
    let last = if validation.is_valid() {
        "cli.check.ready"
    } else {
        "cli.check.fix"
    };
    writeln!(out, "{}", catalog.fill(last, &[]))
}

/// An issue's line: its severity and its message.
fn issue_line(catalog: &Catalog, issue: &Issue) -> String {
    let severity = match issue.severity {
        Severity::Error => catalog.fill("cli.severity.error", &[]),
        Severity::Warning => catalog.fill("cli.severity.warning", &[]),
    };
    catalog.fill(
        "cli.issue",
        &[("severity", &severity), ("message", &issue.message)],
    )
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
    let id = summary.import.as_str();
    let status = crate::texts::status(catalog, summary.status);
    writeln!(
        out,
        "{}",
        catalog.fill("cli.import.status", &[("id", id), ("status", &status)])
    )?;
    // The summary's sentence: what was (or would be) done, or why nothing was; then the rows.
    writeln!(out, "  {}", catalog.describe(summary))?;
    let c = &summary.counts;
    let (rows, failed) = (c.rows.to_string(), c.failed_rows.to_string());
    writeln!(
        out,
        "  {}",
        catalog.fill("cli.import.rows", &[("rows", &rows), ("failed", &failed)])
    )?;
    let i = &summary.invitations;
    if !summary.dry_run
        && summary.status == ImportStatus::Completed
        && (i.pending > 0 || i.failed > 0)
    {
        let (sent, failed, pending) = (
            i.sent.to_string(),
            i.failed.to_string(),
            i.pending.to_string(),
        );
        writeln!(
            out,
            "  {}",
            catalog.fill(
                "cli.import.invitations",
                &[("sent", &sent), ("failed", &failed), ("pending", &pending)],
            )
        )?;
        for (email, reason) in &i.failures {
            writeln!(out, "    {email}: {reason}")?;
        }
    }
    for issue in summary.issues.iter().take(50) {
        writeln!(out, "  {}", issue_line(catalog, issue))?;
    }
    let total = summary.issue_count();
    if total > 50 {
        let more = (total - 50).to_string();
        writeln!(
            out,
            "  {}",
            catalog.fill("cli.import.more_issues", &[("count", &more)])
        )?;
    }
    if summary.status == ImportStatus::Failed {
        // A dry run keeps no upload, so there is no report to write: the fix is in the rows.
        let next = if summary.dry_run {
            catalog.fill("cli.import.dry_run_fix", &[])
        } else {
            catalog.fill("cli.import.report", &[("id", id)])
        };
        writeln!(out, "  {next}")?;
    }
    Ok(())
}
