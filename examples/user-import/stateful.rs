//! The commands that keep state: import (a dry run here; a real one in `background.rs`),
//! imports, summary, enroll, resend, report, groups.

use std::io::{IsTerminal, Write};
use std::path::Path;

use user_import::{
    CourseId, ErrorReport, ImportId, ImportRecord, ImportRequest, ImportStatus, ImportSummary,
    Importer, InvitationTally, IssueCode, Limits, Phase, Progress, Schema,
};

use crate::cli::{ImportArgs, Stateful};
use crate::failure::{Failure, Outcome};
use crate::host::{Host, platform_groups};
use crate::output::{Output, print_summary, to_json};

/// Opens the host `command` names, runs the command on it, and closes it.
pub(crate) fn run(
    command: &Stateful,
    catalog: &user_import::Catalog,
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Failure::Runtime)?;
    runtime.block_on(async {
        let host = Host::open(command.state(), catalog).await?;
        let end = match command {
            Stateful::Import { import: args, .. } if args.dry_run => {
                dry_run(&host, args, out).await
            }
            Stateful::Import { import: args, .. } => {
                crate::background::import(&host, args, out).await
            }
            Stateful::Imports { json, .. } => imports(&host, *json, out).await,
            Stateful::Summary { id, json, .. } => summary(&host, id, *json, out).await,
            Stateful::Enroll { id, courses, .. } => enroll(&host, id, courses, out).await,
            Stateful::Resend { id, .. } => resend(&host, id, out).await,
            Stateful::Report { id, out: file, .. } => report(&host, id, file, out).await,
            Stateful::Groups { .. } => groups(&host, out).await,
            Stateful::Submit { submit, .. } => crate::background::submit(&host, submit, out).await,
            Stateful::Work { work, .. } => crate::background::work(&host, work, out).await,
        };
        host.database.close().await;
        end
    })
}

fn importer(host: &Host) -> Importer {
    Importer::new(Schema::default(), host.stores.clone())
}

/// Draws a progress line on a terminal; nothing when the output is not one.
pub(crate) fn progress_bar(catalog: user_import::Catalog) -> impl Fn(Progress) + Send + Sync {
    let tty = std::io::stderr().is_terminal();
    move |progress: Progress| {
        if !tty {
            return;
        }
        let phase = phase_word(&catalog, progress.phase);
        let line = match progress.total {
            Some(total) if total > 0 => {
                let width = 30;
                let filled = (progress.done.min(total) * width / total) as usize;
                format!(
                    "{phase:<10} [{}{}] {}/{total}",
                    "#".repeat(filled),
                    " ".repeat(width as usize - filled),
                    progress.done
                )
            }
            _ => format!("{phase:<10} {}", progress.done),
        };
        let mut err = std::io::stderr();
        let _ = write!(err, "\r\x1b[2K{line}");
        if progress.phase == Phase::Done {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

/// `import --dry-run`: reads, checks and plans against the stores, writes nothing, keeps
/// nothing (not even the upload).
async fn dry_run(host: &Host, args: &ImportArgs, out: &mut Output) -> Result<Outcome, Failure> {
    let choices = &args.choices;
    let Upload {
        bytes,
        id,
        file_name,
        uploaded_by,
    } = Upload::read(&choices.file, choices.id.as_deref(), choices.by.as_deref())?;
    let request = ImportRequest {
        groups: choices.groups.clone(),
        message: choices.message.clone().unwrap_or_default(),
        notes: choices.notes.clone().unwrap_or_default(),
        uploaded_by,
        seat_limit: choices.seat_limit,
        dry_run: true,
        locale: host.catalog.clone(),
        ..ImportRequest::new(id, file_name)
    };
    let summary = importer(host)
        .run(&request, &bytes, &progress_bar(host.catalog.clone()))
        .await
        .map_err(|source| Failure::Engine {
            action: "the import stopped",
            source,
        })?;
    print_summary(out, &host.catalog, &summary, args.json)?;
    Ok(status_outcome(&summary))
}

/// An upload read from the command line: its bytes, the import id (given, or `import-` and the
/// time), the file's name and who uploaded it (given, or `$USER`, else `admin`).
pub(crate) struct Upload {
    pub(crate) bytes: Vec<u8>,
    pub(crate) id: String,
    pub(crate) file_name: String,
    pub(crate) uploaded_by: String,
}

impl Upload {
    pub(crate) fn read(file: &Path, id: Option<&str>, by: Option<&str>) -> Result<Upload, Failure> {
        let bytes = std::fs::read(file).map_err(|source| Failure::Read {
            path: file.to_path_buf(),
            source,
        })?;
        Ok(Upload {
            bytes,
            id: id.map_or_else(
                || format!("import-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S-%3f")),
                str::to_string,
            ),
            file_name: file
                .file_name()
                .unwrap_or(file.as_os_str())
                .to_string_lossy()
                .into_owned(),
            uploaded_by: by.map_or_else(
                || std::env::var("USER").unwrap_or_else(|_| "admin".to_string()),
                str::to_string,
            ),
        })
    }
}

/// What an import's record says, for the exit code: its summary's status, and whether any
/// of its invitations failed.
pub(crate) fn outcome(summary: &ImportSummary, record: &ImportRecord) -> Outcome {
    if summary.status == ImportStatus::Completed && record.invitations.failed > 0 {
        return Outcome::InvitationsFailed;
    }
    status_outcome(summary)
}

/// What an import's summary says, for the exit code.
fn status_outcome(summary: &ImportSummary) -> Outcome {
    match summary.status {
        ImportStatus::Completed => Outcome::Done,
        _ if summary
            .issues
            .iter()
            .any(|issue| issue.code == IssueCode::FileRejected) =>
        {
            Outcome::FileRejected
        }
        _ => Outcome::RowsWithProblems,
    }
}

async fn imports(host: &Host, json: bool, out: &mut Output) -> Result<Outcome, Failure> {
    let records = host
        .stores
        .log
        .list(50)
        .await
        .map_err(|source| Failure::Store {
            action: "list the imports",
            source,
        })?;
    if json {
        let rows: Vec<IndexRow> = records.iter().map(IndexRow::of).collect();
        writeln!(out, "{}", to_json(&rows))?;
        return Ok(Outcome::Done);
    }
    let catalog = &host.catalog;
    if records.is_empty() {
        writeln!(out, "{}", catalog.fill("cli.imports.none", &[]))?;
    }
    for record in &records {
        let counts = record
            .summary
            .as_ref()
            .map(|s| s.counts)
            .unwrap_or_default();
        let progress = match (record.status, record.progress) {
            (ImportStatus::Pending | ImportStatus::Running, Some(progress)) => {
                format!(" ({})", progress_text(catalog, &progress))
            }
            _ => String::new(),
        };
        let tally = record.invitations;
        let invitations = if tally.total() == 0 {
            String::new()
        } else {
            let (sent, failed, pending) = (
                tally.sent.to_string(),
                tally.failed.to_string(),
                tally.pending.to_string(),
            );
            format!(
                "; {}",
                catalog.fill(
                    "cli.import.invitations",
                    &[("sent", &sent), ("failed", &failed), ("pending", &pending)],
                )
            )
        };
        let (rows, created, added) = (
            counts.rows.to_string(),
            counts.created.to_string(),
            counts.groups_added.to_string(),
        );
        let line = catalog.fill(
            "cli.imports.line",
            &[("rows", &rows), ("created", &created), ("added", &added)],
        );
        writeln!(
            out,
            "{:<28} {:<10} {} {:<24} {} {:<12} {line}{invitations}{progress}{}",
            record.id,
            crate::texts::status(catalog, record.status),
            record.created_at.format("%Y-%m-%d %H:%M"),
            record.file_name,
            catalog.fill("cli.imports.by", &[]),
            record.uploaded_by,
            if record.notes.is_empty() {
                String::new()
            } else {
                format!(" — {}", record.notes)
            }
        )?;
    }
    Ok(Outcome::Done)
}

/// One import of the index, as `imports --json` prints it.
#[derive(serde::Serialize)]
struct IndexRow<'a> {
    id: &'a str,
    status: &'a str,
    file_name: &'a str,
    uploaded_by: &'a str,
    created_at: String,
    notes: &'a str,
    progress: Option<Progress>,
    invitations: InvitationTally,
    rows: u64,
    created: u64,
    groups_added: u64,
}

impl<'a> IndexRow<'a> {
    fn of(record: &'a ImportRecord) -> IndexRow<'a> {
        let counts = record
            .summary
            .as_ref()
            .map(|s| s.counts)
            .unwrap_or_default();
        IndexRow {
            id: record.id.as_str(),
            status: record.status.as_str(),
            file_name: &record.file_name,
            uploaded_by: &record.uploaded_by,
            created_at: record.created_at.to_rfc3339(),
            notes: &record.notes,
            progress: record.progress,
            invitations: record.invitations,
            rows: counts.rows,
            created: counts.created,
            groups_added: counts.groups_added,
        }
    }
}

/// `reading 1200/20000 rows`, `committing`...
/// The word for an import's phase.
fn phase_word(catalog: &user_import::Catalog, phase: Phase) -> String {
    catalog.fill(
        match phase {
            Phase::Reading => "cli.phase.reading",
            Phase::Planning => "cli.phase.planning",
            Phase::Committing => "cli.phase.committing",
            Phase::Inviting => "cli.phase.inviting",
            Phase::Done => "cli.phase.done",
        },
        &[],
    )
}

fn progress_text(catalog: &user_import::Catalog, progress: &Progress) -> String {
    let phase = phase_word(catalog, progress.phase);
    match progress.total {
        Some(total) => format!("{phase} {}/{total}", progress.done),
        None => format!("{phase} {}", progress.done),
    }
}

/// The record of import `id`.
pub(crate) async fn record_of(host: &Host, id: &str) -> Result<ImportRecord, Failure> {
    host.stores
        .log
        .get(&ImportId::from(id))
        .await
        .map_err(|source| Failure::Store {
            action: "read the batch-imports index",
            source,
        })?
        .ok_or_else(|| Failure::NoImport(id.to_string()))
}

async fn summary(host: &Host, id: &str, json: bool, out: &mut Output) -> Result<Outcome, Failure> {
    let record = record_of(host, id).await?;
    if !json && record.summary.is_some() {
        let date = record.created_at.format("%Y-%m-%d %H:%M").to_string();
        let mut line = host.catalog.fill(
            "cli.summary.uploaded",
            &[
                ("file", &record.file_name),
                ("by", &record.uploaded_by),
                ("date", &date),
            ],
        );
        if !record.notes.is_empty() {
            line.push_str("; ");
            line.push_str(
                &host
                    .catalog
                    .fill("cli.summary.notes", &[("notes", &record.notes)]),
            );
        }
        writeln!(out, "{line}")?;
    }
    print_record(host, &record, json, out)
}

/// Prints an import's summary (or its status, while it has none) in the host's language,
/// with its invitations as the outbox holds them now, and answers its outcome.
pub(crate) fn print_record(
    host: &Host,
    record: &ImportRecord,
    json: bool,
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let Some(summary) = &record.summary else {
        let status = crate::texts::status(&host.catalog, record.status);
        writeln!(
            out,
            "{}",
            host.catalog.fill(
                "cli.import.is",
                &[("id", record.id.as_str()), ("status", &status)]
            )
        )?;
        return Ok(Outcome::Done);
    };
    // The summary in the language asked for, whatever the import ran in.
    let mut summary = summary.clone();
    host.catalog.localize_summary(&mut summary);
    summary.invitations.sent = record.invitations.sent;
    summary.invitations.failed = record.invitations.failed;
    summary.invitations.pending = record.invitations.pending;
    print_summary(out, &host.catalog, &summary, json)?;
    if !json && !summary.dry_run && summary.status == ImportStatus::Completed {
        writeln!(
            out,
            "  {}",
            host.catalog.fill(
                "cli.import.kept",
                &[
                    ("database", &host.database_shown),
                    ("mail", &host.mail_shown)
                ]
            )
        )?;
        if record.invitations.failed > 0 {
            let failed = record.invitations.failed.to_string();
            writeln!(
                out,
                "  {}",
                host.catalog.fill(
                    "cli.import.resend",
                    &[("failed", &failed), ("id", record.id.as_str())]
                )
            )?;
        }
    }
    Ok(outcome(&summary, record))
}

async fn enroll(
    host: &Host,
    id: &str,
    courses: &[String],
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let courses: Vec<CourseId> = courses.iter().map(|c| CourseId::from(c.as_str())).collect();
    let count = importer(host)
        .enroll(&ImportId::from(id), &courses)
        .await
        .map_err(|source| Failure::Engine {
            action: "the enrollment stopped",
            source,
        })?;
    let (users, courses) = (count.to_string(), courses.len().to_string());
    writeln!(
        out,
        "{}",
        host.catalog.fill(
            "cli.enrolled",
            &[("users", &users), ("id", id), ("courses", &courses)]
        )
    )?;
    Ok(Outcome::Done)
}

/// `resend`: sends the invitations of a completed import that failed or were never sent.
async fn resend(host: &Host, id: &str, out: &mut Output) -> Result<Outcome, Failure> {
    let record = record_of(host, id).await?;
    if record.status != ImportStatus::Completed {
        let status = crate::texts::status(&host.catalog, record.status);
        writeln!(
            out,
            "{}",
            host.catalog.fill(
                "cli.resend.not_completed",
                &[("id", id), ("status", &status)]
            )
        )?;
        return Ok(Outcome::Done);
    }
    let counts = importer(host)
        .resend_invitations(&ImportId::from(id))
        .await
        .map_err(|source| Failure::Engine {
            action: "the resend stopped",
            source,
        })?;
    let record = record_of(host, id).await?;
    let tally = record.invitations;
    let numbers = [
        (counts.sent + counts.failed).to_string(),
        counts.sent.to_string(),
        counts.failed.to_string(),
        tally.sent.to_string(),
        tally.failed.to_string(),
        tally.pending.to_string(),
    ];
    writeln!(
        out,
        "{}",
        host.catalog.fill(
            "cli.resend.done",
            &[
                ("count", &numbers[0]),
                ("id", id),
                ("sent", &numbers[1]),
                ("failed", &numbers[2]),
                ("all_sent", &numbers[3]),
                ("all_failed", &numbers[4]),
                ("all_pending", &numbers[5]),
            ]
        )
    )?;
    Ok(if tally.failed > 0 {
        Outcome::InvitationsFailed
    } else {
        Outcome::Done
    })
}

async fn report(host: &Host, id: &str, file: &Path, out: &mut Output) -> Result<Outcome, Failure> {
    record_of(host, id).await?;
    let bytes = crate::background::uploads(host)?
        .get(&host.platform, &ImportId::from(id))
        .await
        .map_err(|source| Failure::UploadMissing {
            id: id.to_string(),
            source,
        })?;
    let schema = Schema::default();
    let limits = Limits::default();
    // A brief of each row, not its record: the report reads the upload again for the values.
    let mut validator = user_import::Validator::for_import(&schema, &limits);
    user_import::read_rows_bytes(&bytes, &schema, &limits, &mut validator).map_err(|source| {
        Failure::UploadUnreadable {
            id: id.to_string(),
            source,
        }
    })?;
    let validation = validator.finish();
    // Values as typed, and the administrator's own columns kept.
    let workbook = ErrorReport::new(&schema, &validation)
        .upload(&bytes, &limits)
        .locale(host.catalog.clone())
        .to_bytes()
        .map_err(|source| Failure::Engine {
            action: "cannot write the error report",
            source,
        })?;
    std::fs::write(file, workbook).map_err(|source| Failure::Write {
        path: file.to_path_buf(),
        source,
    })?;
    let (rows, problems, shown) = (
        validation.row_count().to_string(),
        validation.issues().len().to_string(),
        file.display().to_string(),
    );
    writeln!(
        out,
        "{}",
        host.catalog.fill(
            "cli.report.written",
            &[("rows", &rows), ("problems", &problems), ("file", &shown)]
        )
    )?;
    Ok(Outcome::Done)
}

async fn groups(host: &Host, out: &mut Output) -> Result<Outcome, Failure> {
    let groups = platform_groups(host.stores.groups.as_ref())
        .await
        .map_err(|source| Failure::Store {
            action: "list the groups",
            source,
        })?;
    for (id, name) in groups {
        writeln!(out, "{id:<16} {name}")?;
    }
    Ok(Outcome::Done)
}
