//! The commands that keep state: import, imports, summary, enroll, report, groups.
//!
//! The embedded default keeps everything in the state folder (`--state DIR`, default
//! `user-import-state`): users, groups, memberships, the batch-imports index, the invitation
//! outbox and enrollments in the SQLite database `DIR/user-import.db` (the crate's
//! `SqliteStore`), each invitation as an `.eml` file under `DIR/mail/` (the crate's
//! `FileMailer`), and each upload under `DIR/uploads/` (for `report`). `--database-url
//! postgres://...` uses the crate's `PostgresStore` instead (with the `postgres` feature), and
//! `--smtp-url smtp://...` its `SmtpMailer`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
#[cfg(feature = "postgres")]
use user_import::adapters::postgres::PostgresStore;
use user_import::adapters::smtp::{FileMailer, SmtpMailer};
use user_import::adapters::sqlite::SqliteStore;
use user_import::adapters::sqlx;
use user_import::conformance::Seed;
use user_import::{
    CourseId, Delivery, ErrorReport, ImportId, ImportRequest, ImportStatus, ImportSummary,
    Importer, Invitation, Mailer, Phase, Progress, Schema, Stores,
};

use crate::{ReportIssue, USAGE, to_json};

/// The database file in the state folder, when no `--database-url` is given.
const DATABASE_FILE: &str = "user-import.db";

/// The folder of `.eml` files in the state folder, when no `--smtp-url` is given.
const MAIL_FOLDER: &str = "mail";

/// The groups a new platform starts with.
const DEFAULT_GROUPS: [(&str, &str); 3] = [
    ("nurses", "Nurses"),
    ("physicians", "Physicians"),
    ("night-shift", "Night shift"),
];

/// Parsed options shared by the stateful commands.
struct Options {
    state: PathBuf,
    database_url: Option<String>,
    smtp_url: Option<String>,
    platform: String,
    from: String,
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
        database_url: None,
        smtp_url: None,
        platform: "default".to_string(),
        from: "Learning Platform <noreply@lms.example>".to_string(),
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
            "--database-url" => options.database_url = Some(value("--database-url")?),
            "--smtp-url" => options.smtp_url = Some(value("--smtp-url")?),
            "--platform" => options.platform = value("--platform")?,
            "--from" => options.from = value("--from")?,
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
    if options.platform.is_empty() {
        return Err(format!("--platform needs a name\n{USAGE}"));
    }
    if let Some(url) = &options.database_url {
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        if !(url.starts_with("sqlite:") || postgres) {
            return Err(format!(
                "--database-url takes a `sqlite://FILE` or `postgres://...` URL, not `{}`",
                redact(url)
            ));
        }
        if postgres && !cfg!(feature = "postgres") {
            return Err(format!(
                "{}: this build has no PostgreSQL store; run the example with \
                 `--features sqlite,smtp,postgres`",
                redact(url)
            ));
        }
    }
    if let Some(url) = &options.smtp_url
        && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
    {
        return Err(format!(
            "--smtp-url takes an `smtp://HOST:PORT` or `smtps://HOST:PORT` URL, not `{}`",
            redact(url)
        ));
    }
    Ok(options)
}

/// Where the users, groups, imports and the invitation outbox are kept.
enum Database {
    Sqlite(SqliteStore),
    #[cfg(feature = "postgres")]
    Postgres(PostgresStore),
}

/// `url` with its password, if any, replaced by `***`, for messages.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let Some(colon) = authority[..at].find(':') else {
        return url.to_string();
    };
    format!(
        "{}{}:***{}",
        &url[..scheme_end + 3],
        &authority[..colon],
        &rest[at..]
    )
}

/// The `sqlite://` URL of a file, with the characters the URL gives a meaning escaped.
fn sqlite_url(path: &Path) -> String {
    let mut url = String::from("sqlite://");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    url
}

impl Database {
    async fn open(options: &Options) -> Result<Database, String> {
        let url = match &options.database_url {
            Some(url) => url.clone(),
            None => sqlite_url(&options.state.join(DATABASE_FILE)),
        };
        let shown = redact(&url);
        #[cfg(feature = "postgres")]
        let database = if url.starts_with("sqlite:") {
            Database::Sqlite(
                SqliteStore::connect(&url, options.platform.as_str())
                    .await
                    .map_err(|error| format!("cannot open {shown}: {error}"))?,
            )
        } else {
            Database::Postgres(
                PostgresStore::connect(&url, options.platform.as_str())
                    .await
                    .map_err(|error| format!("cannot connect to {shown}: {error}"))?,
            )
        };
        // `parse` let only `sqlite:` URLs through.
        #[cfg(not(feature = "postgres"))]
        let database = Database::Sqlite(
            SqliteStore::connect(&url, options.platform.as_str())
                .await
                .map_err(|error| format!("cannot open {shown}: {error}"))?,
        );
        database
            .migrate()
            .await
            .map_err(|error| format!("cannot set up the schema in {shown}: {error}"))?;
        if database.groups().await?.is_empty() {
            for (id, name) in DEFAULT_GROUPS {
                database
                    .seed_group(id, name)
                    .await
                    .map_err(|error| format!("cannot add the group {name}: {error}"))?;
            }
        }
        Ok(database)
    }

    async fn migrate(&self) -> Result<(), user_import::StoreError> {
        match self {
            Database::Sqlite(store) => store.migrate().await,
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => store.migrate().await,
        }
    }

    async fn seed_group(&self, id: &str, name: &str) -> Result<(), user_import::StoreError> {
        match self {
            Database::Sqlite(store) => store.seed_group(id, name).await,
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => store.seed_group(id, name).await,
        }
    }

    /// The platform's groups, (id, name) by id.
    async fn groups(&self) -> Result<Vec<(String, String)>, String> {
        let rows = match self {
            Database::Sqlite(store) => {
                sqlx::query_as("SELECT id, name FROM ui_groups WHERE platform = ?1 ORDER BY id")
                    .bind(store.platform())
                    .fetch_all(store.pool())
                    .await
            }
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => {
                sqlx::query_as("SELECT id, name FROM ui_groups WHERE platform = $1 ORDER BY id")
                    .bind(store.platform())
                    .fetch_all(store.pool())
                    .await
            }
        };
        rows.map_err(|error| format!("cannot list the groups: {error}"))
    }

    fn stores(&self, mail: Arc<Mail>) -> Stores {
        match self {
            Database::Sqlite(store) => Stores::single(Arc::new(store.clone()), mail),
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => Stores::single(Arc::new(store.clone()), mail),
        }
    }

    /// Closes the connections (SQLite folds its write-ahead log back into the file).
    async fn close(&self) {
        match self {
            Database::Sqlite(store) => store.pool().close().await,
            #[cfg(feature = "postgres")]
            Database::Postgres(store) => store.pool().close().await,
        }
    }
}

/// Where invitations go: `.eml` files in a folder, or an SMTP server.
enum Mail {
    Files(FileMailer),
    Smtp(SmtpMailer),
}

impl Mail {
    /// The mail transport the options name, sending the shipped invitation text in each
    /// user's language (English, French; English for any other).
    fn open(options: &Options) -> Result<(Mail, String), String> {
        match &options.smtp_url {
            None => {
                let folder = options.state.join(MAIL_FOLDER);
                let mailer = FileMailer::new(&folder, &options.from).map_err(|error| {
                    format!("cannot write mail to {}: {error}", folder.display())
                })?;
                Ok((Mail::Files(mailer), format!("{}/*.eml", folder.display())))
            }
            Some(url) => {
                let shown = redact(url);
                let mailer = SmtpMailer::localized(url, &options.from)
                    .map_err(|error| format!("cannot send mail through {shown}: {error}"))?;
                Ok((Mail::Smtp(mailer), shown))
            }
        }
    }
}

#[async_trait]
impl Mailer for Mail {
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
        match self {
            Mail::Files(mailer) => mailer.send(invitations).await,
            Mail::Smtp(mailer) => mailer.send(invitations).await,
        }
    }
}

/// The example host: its database, its mail transport and its state folder.
struct Host {
    dir: PathBuf,
    database: Database,
    mail: Arc<Mail>,
    /// Where users and invitations go, for messages.
    database_shown: String,
    mail_shown: String,
}

impl Host {
    async fn open(options: &Options) -> Result<Host, String> {
        let dir = &options.state;
        std::fs::create_dir_all(dir.join("uploads"))
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        let (mail, mail_shown) = Mail::open(options)?;
        let database = Database::open(options).await?;
        let database_shown = match &options.database_url {
            Some(url) => redact(url),
            None => dir.join(DATABASE_FILE).display().to_string(),
        };
        Ok(Host {
            dir: dir.clone(),
            database,
            mail: Arc::new(mail),
            database_shown,
            mail_shown,
        })
    }

    fn importer(&self) -> Importer {
        Importer::new(Schema::default(), self.database.stores(self.mail.clone()))
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

pub(crate) fn main(command: &str, rest: &[String]) -> ExitCode {
    let options = match parse(rest) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(64);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let host = match Host::open(&options).await {
            Ok(host) => host,
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::from(3);
            }
        };
        let outcome = run(command, &host, &options).await;
        host.database.close().await;
        match outcome {
            Ok(code) => code,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(64)
            }
        }
    })
}

async fn run(command: &str, host: &Host, options: &Options) -> Result<ExitCode, String> {
    match command {
        "import" => import(host, options).await,
        "imports" => imports(host).await,
        "summary" => summary(host, options).await,
        "enroll" => enroll(host, options).await,
        "report" => report(host, options).await,
        "groups" => {
            for (id, name) in host.database.groups().await? {
                println!("{id:<16} {name}");
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
        locale: crate::catalog().clone(),
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
    if !options.json && !summary.dry_run && summary.status == ImportStatus::Completed {
        println!(
            "  users kept in {}; invitations sent to {}",
            host.database_shown, host.mail_shown
        );
    }
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
    if crate::catalog().language() != "en" {
        println!("  {}", crate::catalog().describe(summary));
    } else if summary.dry_run {
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
    if !summary.dry_run
        && summary.status == ImportStatus::Completed
        && crate::catalog().language() == "en"
    {
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
            // The summary in the language asked for, whatever the import ran in.
            let mut summary = summary.clone();
            crate::catalog().localize_summary(&mut summary);
            print_summary(&summary, options.json);
            Ok(exit_code(&summary))
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
        .locale(crate::catalog().clone())
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
