//! The commands that keep state: import, imports, summary, enroll, report, groups.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use user_import::memory::{MemoryStore, State};
use user_import::{
    CourseId, Delivery, ErrorReport, ImportId, ImportLog, ImportRequest, ImportStatus,
    ImportSummary, Importer, Invitation, Mailer, Phase, Progress, Schema, Stores,
};

use crate::{ReportIssue, USAGE, to_json};

/// Parsed options shared by the stateful commands.
struct Options {
    state: PathBuf,
    positional: Vec<String>,
    groups: Vec<String>,
    message: String,
    notes: String,
    seat_limit: Option<u64>,
    id: Option<String>,
    by: String,
    dry_run: bool,
    json: bool,
}

fn parse(rest: &[String]) -> Result<Options, String> {
    let mut options = Options {
        state: PathBuf::from("user-import-state"),
        positional: Vec::new(),
        groups: Vec::new(),
        message: String::new(),
        notes: String::new(),
        seat_limit: None,
        id: None,
        by: std::env::var("USER").unwrap_or_else(|_| "admin".to_string()),
        dry_run: false,
        json: false,
    };
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--state" => options.state = PathBuf::from(value("--state")?),
            "--group" => options.groups.push(value("--group")?),
            "--message" => options.message = value("--message")?,
            "--notes" => options.notes = value("--notes")?,
            "--id" => options.id = Some(value("--id")?),
            "--by" => options.by = value("--by")?,
            "--seat-limit" => {
                let text = value("--seat-limit")?;
                options.seat_limit = Some(
                    text.parse()
                        .map_err(|_| format!("--seat-limit takes a number, not `{text}`"))?,
                );
            }
            "--dry-run" => options.dry_run = true,
            "--json" => options.json = true,
            other if other.starts_with("--") => {
                return Err(format!("unknown option `{other}`\n{USAGE}"));
            }
            other => options.positional.push(other.to_string()),
        }
    }
    Ok(options)
}

/// The example host's state folder.
struct Host {
    dir: PathBuf,
    store: MemoryStore,
}

impl Host {
    fn open(dir: &Path) -> Result<Host, String> {
        std::fs::create_dir_all(dir.join("uploads"))
            .and_then(|()| std::fs::create_dir_all(dir.join("outbox")))
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        let path = dir.join("state.json");
        let store = if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            let state: State = serde_json::from_str(&text)
                .map_err(|error| format!("{} is damaged: {error}", path.display()))?;
            MemoryStore::from_state(state)
        } else {
            let store = MemoryStore::new();
            for (id, name) in [
                ("nurses", "Nurses"),
                ("physicians", "Physicians"),
                ("night-shift", "Night shift"),
            ] {
                store.add_group(id, name);
            }
            store
        };
        Ok(Host {
            dir: dir.to_path_buf(),
            store,
        })
    }

    fn save(&self) -> Result<(), String> {
        let path = self.dir.join("state.json");
        let text = serde_json::to_string(&self.store.snapshot())
            .map_err(|error| format!("cannot encode the state: {error}"))?;
        let temp = self.dir.join("state.json.tmp");
        std::fs::write(&temp, text)
            .and_then(|()| std::fs::rename(&temp, &path))
            .map_err(|error| format!("cannot write {}: {error}", path.display()))
    }

    fn importer(&self) -> Importer {
        let mailer = FolderMailer {
            dir: self.dir.join("outbox"),
        };
        Importer::new(
            Schema::default(),
            Stores::single(Arc::new(self.store.clone()), Arc::new(mailer)),
        )
    }

    fn upload_path(&self, id: &str) -> PathBuf {
        self.dir
            .join("uploads")
            .join(format!("{}.xlsx", file_safe(id)))
    }
}

fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes each invitation as a text file, as a mail relay would receive it.
struct FolderMailer {
    dir: PathBuf,
}

#[async_trait]
impl Mailer for FolderMailer {
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
        invitations
            .iter()
            .map(|invitation| {
                let path = self
                    .dir
                    .join(format!("{}-{}.txt", file_safe(invitation.import.as_str()), invitation.id));
                let mut body = format!(
                    "To: {} <{}>\nSubject: You are invited to the learning platform\n\nHello {},\n\nAn account was created for you.\n",
                    invitation.name.replace(['\r', '\n'], " "),
                    invitation.email,
                    invitation.name
                );
                if !invitation.message.is_empty() {
                    body.push_str(&format!("\n{}\n", invitation.message));
                }
                match std::fs::write(&path, body) {
                    Ok(()) => Delivery::Sent,
                    Err(error) => Delivery::Failed(format!("cannot write {}: {error}", path.display())),
                }
            })
            .collect()
    }
}

pub(crate) fn main(command: &str, rest: &[String]) -> ExitCode {
    let options = match parse(rest) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(64);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = Host::open(&options.state).and_then(|host| {
        let code = runtime.block_on(run(command, &host, &options))?;
        host.save()?;
        Ok(code)
    });
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(64)
        }
    }
}

async fn run(command: &str, host: &Host, options: &Options) -> Result<ExitCode, String> {
    match command {
        "import" => import(host, options).await,
        "imports" => imports(host).await,
        "summary" => summary(host, options).await,
        "enroll" => enroll(host, options).await,
        "report" => report(host, options).await,
        "groups" => {
            for group in host.store.snapshot().groups.values() {
                println!("{:<16} {}", group.id, group.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Draws a progress line on a terminal; nothing when the output is not one.
fn progress_bar() -> impl Fn(Progress) + Send + Sync {
    let tty = std::io::stderr().is_terminal();
    move |progress: Progress| {
        if !tty {
            return;
        }
        let phase = match progress.phase {
            Phase::Reading => "reading",
            Phase::Planning => "planning",
            Phase::Committing => "committing",
            Phase::Inviting => "inviting",
            Phase::Done => "done",
        };
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
            _ => format!("{phase:<10} {} rows", progress.done),
        };
        let mut err = std::io::stderr();
        let _ = write!(err, "\r\x1b[2K{line}");
        if progress.phase == Phase::Done {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

async fn import(host: &Host, options: &Options) -> Result<ExitCode, String> {
    let [file] = options.positional.as_slice() else {
        return Err(format!("import takes one file\n{USAGE}"));
    };
    let bytes = std::fs::read(file).map_err(|error| format!("cannot read {file}: {error}"))?;
    let id = options
        .id
        .clone()
        .unwrap_or_else(|| format!("import-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S-%3f")));
    let file_name = Path::new(file)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let request = ImportRequest {
        groups: options.groups.clone(),
        message: options.message.clone(),
        notes: options.notes.clone(),
        uploaded_by: options.by.clone(),
        seat_limit: options.seat_limit,
        dry_run: options.dry_run,
        ..ImportRequest::new(id.clone(), file_name)
    };
    if !options.dry_run {
        std::fs::write(host.upload_path(&id), &bytes)
            .map_err(|error| format!("cannot keep the upload: {error}"))?;
    }
    let summary = host
        .importer()
        .run(&request, &bytes, &progress_bar())
        .await
        .map_err(|error| format!("the import stopped: {error}"))?;
    print_summary(&summary, options.json);
    Ok(exit_code(&summary))
}

fn exit_code(summary: &ImportSummary) -> ExitCode {
    match summary.status {
        ImportStatus::Completed => ExitCode::SUCCESS,
        _ if summary
            .issues
            .iter()
            .any(|issue| issue.code == user_import::IssueCode::FileRejected) =>
        {
            ExitCode::from(2)
        }
        _ => ExitCode::from(1),
    }
}

#[derive(serde::Serialize)]
struct SummaryJson<'a> {
    id: &'a str,
    status: &'a str,
    dry_run: bool,
    reason: &'a str,
    counts: &'a user_import::Counts,
    invitations: &'a user_import::InvitationCounts,
    created: &'a [user_import::CreatedUser],
    updated: &'a [user_import::ExistingUserOutcome],
    untouched: &'a [user_import::ExistingUserOutcome],
    issues: Vec<ReportIssue<'a>>,
}

fn print_summary(summary: &ImportSummary, json: bool) {
    if json {
        let out = SummaryJson {
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
        println!("{}", to_json(&out));
        return;
    }
    println!(
        "import {}: {}{}",
        summary.import,
        summary.status.as_str(),
        if summary.dry_run {
            " (dry run: nothing written, nothing sent)"
        } else {
            ""
        }
    );
    if !summary.reason.is_empty() {
        println!("  {}", summary.reason);
    }
    let c = &summary.counts;
    if summary.dry_run {
        println!(
            "  {} rows: {} users would be created, {} existing users would get the groups, {} would be left untouched, {} rows with errors",
            c.rows, c.created, c.groups_added, c.untouched, c.failed_rows
        );
    } else {
        println!(
            "  {} rows: {} users created, {} existing users got the groups, {} left untouched, {} rows with errors",
            c.rows, c.created, c.groups_added, c.untouched, c.failed_rows
        );
    }
    if !summary.dry_run && summary.status == ImportStatus::Completed {
        let i = &summary.invitations;
        println!(
            "  invitations: {} sent, {} failed, {} pending",
            i.sent, i.failed, i.pending
        );
        for (email, reason) in &i.failures {
            println!("    {email}: {reason}");
        }
    }
    for issue in summary.issues.iter().take(50) {
        println!("  {}: {}", issue.severity.as_str(), issue.message);
    }
    if summary.issues.len() > 50 {
        println!("  ... and {} more issues", summary.issues.len() - 50);
    }
    if summary.status == ImportStatus::Failed {
        println!(
            "  no user was imported; `report {} FILE.xlsx` writes the rows with their problems",
            summary.import
        );
    }
}

async fn imports(host: &Host) -> Result<ExitCode, String> {
    let records = host
        .importer()
        .stores()
        .log
        .list(50)
        .await
        .map_err(|error| error.to_string())?;
    if records.is_empty() {
        println!("no imports yet");
    }
    for record in records {
        let counts = record
            .summary
            .as_ref()
            .map(|s| s.counts)
            .unwrap_or_default();
        println!(
            "{:<28} {:<10} {} {:<24} by {:<12} {} rows, {} created, {} added to groups{}",
            record.id,
            record.status.as_str(),
            record.created_at.format("%Y-%m-%d %H:%M"),
            record.file_name,
            record.uploaded_by,
            counts.rows,
            counts.created,
            counts.groups_added,
            if record.notes.is_empty() {
                String::new()
            } else {
                format!(" — {}", record.notes)
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn record_of(host: &Host, id: &str) -> Result<user_import::ImportRecord, String> {
    host.importer()
        .stores()
        .log
        .get(&ImportId::from(id))
        .await
        .map_err(|error| error.to_string())?
        .ok_or_else(|| format!("there is no import `{id}`; `imports` lists them"))
}

async fn summary(host: &Host, options: &Options) -> Result<ExitCode, String> {
    let [id] = options.positional.as_slice() else {
        return Err(format!("summary takes an import id\n{USAGE}"));
    };
    let record = record_of(host, id).await?;
    match &record.summary {
        Some(summary) => {
            if !options.json {
                println!(
                    "{} uploaded by {} on {}{}",
                    record.file_name,
                    record.uploaded_by,
                    record.created_at.format("%Y-%m-%d %H:%M"),
                    if record.notes.is_empty() {
                        String::new()
                    } else {
                        format!("; notes: {}", record.notes)
                    }
                );
            }
            print_summary(summary, options.json);
            Ok(exit_code(summary))
        }
        None => {
            println!("import {id} is {}", record.status.as_str());
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn enroll(host: &Host, options: &Options) -> Result<ExitCode, String> {
    let [id, courses @ ..] = options.positional.as_slice() else {
        return Err(format!("enroll takes an import id and courses\n{USAGE}"));
    };
    if courses.is_empty() {
        return Err(format!("name at least one course\n{USAGE}"));
    }
    let courses: Vec<CourseId> = courses.iter().map(|c| CourseId::from(c.as_str())).collect();
    let count = host
        .importer()
        .enroll(&ImportId::from(id.as_str()), &courses)
        .await
        .map_err(|error| error.to_string())?;
    println!(
        "enrolled {count} users of import {id} in {} courses",
        courses.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn report(host: &Host, options: &Options) -> Result<ExitCode, String> {
    let [id, out] = options.positional.as_slice() else {
        return Err(format!(
            "report takes an import id and an output file\n{USAGE}"
        ));
    };
    record_of(host, id).await?;
    let bytes = std::fs::read(host.upload_path(id))
        .map_err(|error| format!("the upload of import {id} is not kept: {error}"))?;
    let schema = Schema::default();
    let validation = match user_import::validate_bytes(
        &bytes,
        &schema,
        &user_import::Limits::default(),
    ) {
        Ok(validation) => validation,
        Err(error) => {
            return Err(format!(
                "the upload of import {id} cannot be read, so there are no rows to report: {error}"
            ));
        }
    };
    let workbook = ErrorReport::new(&schema, &validation)
        .to_bytes()
        .map_err(|error| error.to_string())?;
    std::fs::write(out, workbook).map_err(|error| format!("cannot write {out}: {error}"))?;
    println!(
        "wrote {} rows and {} problems to {out}",
        validation.row_count(),
        validation.issues().len()
    );
    Ok(ExitCode::SUCCESS)
}
