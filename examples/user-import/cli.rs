//! The command line: every command, its arguments and its help text, parsed by clap.

use std::path::PathBuf;

use clap::builder::NonEmptyStringValueParser;
use clap::{Args, Parser, Subcommand};
use user_import::Catalog;

/// What `--help` adds after the list of commands and options.
const EXIT_CODES: &str = "\
Exit codes:
  0   done (for check and import: the file is valid, imported)
  1   rows have problems; nothing is imported
  2   the file is rejected as a whole
  3   the state folder, the database or the mail transport cannot be opened
  64  usage error (a bad command, option or value, a file or an import that is not there)
  74  the output cannot be written (a closed pipe is not an error: the output just ends)";

/// Import users into a learning platform from a filled-in `.xlsx` template: write the
/// template, look up location codes, check an upload, import it, and look at the batch-imports
/// index.
#[derive(Debug, Parser)]
#[command(name = "user-import", after_help = EXIT_CODES, max_term_width = 100)]
pub(crate) struct Cli {
    /// The language of the template, the messages, the summary and the error report (a file
    /// filled in from either language's template is read in both)
    #[arg(
        long,
        global = true,
        value_name = "en|fr",
        default_value = "en",
        value_parser = language
    )]
    pub(crate) lang: Catalog,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// `--lang`'s value: a language the crate ships.
fn language(tag: &str) -> Result<Catalog, String> {
    Catalog::for_language(tag).ok_or_else(|| format!("--lang takes en or fr, not `{tag}`"))
}

/// The commands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant, reason = "one value, parsed once per run")]
pub(crate) enum Command {
    /// Write the template to fill in
    Template {
        /// The `.xlsx` file to write
        #[arg(value_name = "OUT.xlsx")]
        out: PathBuf,
    },
    /// Find country and region codes by name or code (case and accents ignored)
    Locations {
        /// A name or a code, such as `quebec`, `CA-QC` or `Swaziland`; several words are one
        /// query
        #[arg(value_name = "QUERY", required = true, num_args = 1..)]
        query: Vec<String>,
    },
    /// Validate a filled-in template without importing it
    Check {
        /// The filled-in `.xlsx` file
        file: PathBuf,
        /// Print the report as JSON: status, rows, valid_rows and issues (row, column, value,
        /// code, severity, message)
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Stateful(Stateful),
    /// Write a filled-in sample workbook
    Sample {
        /// The `.xlsx` file to write
        #[arg(value_name = "OUT.xlsx")]
        out: PathBuf,
        /// Add five rows with one problem each
        #[arg(long)]
        with_errors: bool,
    },
}

/// The commands that keep state: in the state folder, or the database and the mail transport
/// the URLs name.
#[derive(Debug, Subcommand)]
pub(crate) enum Stateful {
    /// Import the users of a filled-in template and invite the new ones
    Import {
        #[command(flatten)]
        import: ImportArgs,
        #[command(flatten)]
        state: StateArgs,
    },
    /// List the batch imports, newest first, with their status, progress and invitations
    Imports {
        /// Print the records as JSON: id, status, progress, invitations, counts...
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Show an import's summary, in the language asked for
    Summary {
        /// The import's id (`imports` lists them)
        id: String,
        /// Print the summary as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Enroll the users an import created in courses
    Enroll {
        /// The import's id (`imports` lists them)
        id: String,
        /// The courses, by id
        #[arg(value_name = "COURSE", required = true, num_args = 1..)]
        courses: Vec<String>,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Write an import's upload with its problems beside each row
    Report {
        /// The import's id (`imports` lists them)
        id: String,
        /// The `.xlsx` file to write
        #[arg(value_name = "OUT.xlsx")]
        out: PathBuf,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Send an import's invitations that failed or were never sent (none is sent twice)
    Resend {
        /// The import's id (`imports` lists them)
        id: String,
        #[command(flatten)]
        state: StateArgs,
    },
    /// List the groups an import can add users to
    Groups {
        #[command(flatten)]
        state: StateArgs,
    },
    /// Queue an import and answer at once with its id and `pending` (`work` runs it)
    Submit {
        #[command(flatten)]
        submit: SubmitArgs,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Run the queued imports (several workers may share one state or database)
    Work {
        #[command(flatten)]
        work: WorkArgs,
        #[command(flatten)]
        state: StateArgs,
    },
}

/// What an import is: the choices `import` and `submit` share.
#[derive(Debug, Args)]
pub(crate) struct ImportChoices {
    /// The filled-in `.xlsx`, `.csv` or `.ods` file
    pub(crate) file: PathBuf,
    /// A group every user of the file joins, by id or name (repeat for more)
    #[arg(long = "group", value_name = "GROUP")]
    pub(crate) groups: Vec<String>,
    /// The welcome message of the invitation email
    #[arg(long, value_name = "TEXT")]
    pub(crate) message: Option<String>,
    /// Notes kept with the import in the index
    #[arg(long, value_name = "TEXT")]
    pub(crate) notes: Option<String>,
    /// The subscription's limit of active users: an import that would pass it imports nothing
    #[arg(long, value_name = "N")]
    pub(crate) seat_limit: Option<u64>,
    /// The import's id (default: `import-` and the time); the same id again imports once
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// Who uploaded the file (default: `$USER`, else `admin`)
    #[arg(long, value_name = "USER")]
    pub(crate) by: Option<String>,
    /// Submit a failed import's id again, as a new attempt `ID~2` (the failed one's record is
    /// kept)
    #[arg(long)]
    pub(crate) retry: bool,
}

/// `submit`'s file and choices.
#[derive(Debug, Args)]
pub(crate) struct SubmitArgs {
    #[command(flatten)]
    pub(crate) choices: ImportChoices,
    /// Print {"id", "status", "replay", "same_file"} as JSON
    #[arg(long)]
    pub(crate) json: bool,
}

/// `work`'s choices.
#[derive(Debug, Args)]
pub(crate) struct WorkArgs {
    /// Stop once no import is queued or running (a killed worker's import counts as running
    /// until the queue gives it to this one)
    #[arg(long)]
    pub(crate) until_idle: bool,
    /// How many imports to run at once
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) concurrency: usize,
    /// The memory, in MiB, the imports running at once may take together: an import waits
    /// while the others leave too little (each estimated from its upload)
    #[arg(long, value_name = "MIB")]
    pub(crate) memory_budget: Option<u64>,
}

impl Stateful {
    /// Where the command keeps its state.
    pub(crate) fn state(&self) -> &StateArgs {
        match self {
            Stateful::Import { state, .. }
            | Stateful::Imports { state, .. }
            | Stateful::Summary { state, .. }
            | Stateful::Resend { state, .. }
            | Stateful::Enroll { state, .. }
            | Stateful::Report { state, .. }
            | Stateful::Groups { state }
            | Stateful::Submit { state, .. }
            | Stateful::Work { state, .. } => state,
        }
    }
}

/// `import`'s file and choices.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    pub(crate) choices: ImportChoices,
    /// Read, check and plan the import, but write nothing and send nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub(crate) json: bool,
}

/// Where a stateful command keeps its data and sends its mail.
#[derive(Debug, Args)]
#[command(next_help_heading = "State")]
pub(crate) struct StateArgs {
    /// Where the host keeps its data: the SQLite file DIR/user-import.db, invitations as
    /// DIR/mail/*.eml, the uploads under DIR/objects/, the job queue in DIR/jobs.db
    #[arg(long, value_name = "DIR", default_value = "user-import-state")]
    pub(crate) state: PathBuf,
    /// `sqlite://FILE` or `postgres://USER@HOST:PORT/DB` instead of DIR/user-import.db; with
    /// PostgreSQL the job queue is there too (needs the `jobs-postgres` feature)
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// Send invitations through `smtp://HOST:PORT` (or `smtps://HOST:465`,
    /// `smtp://HOST:587?tls=required`, with `USER:PASSWORD@` for credentials) instead of
    /// writing them to DIR/mail/
    #[arg(long, value_name = "URL")]
    pub(crate) smtp_url: Option<String>,
    /// The platform (tenant) in a database that several share
    #[arg(long, value_name = "ID", default_value = "default", value_parser = NonEmptyStringValueParser::new())]
    pub(crate) platform: String,
    /// The invitations' sender
    #[arg(
        long,
        value_name = "MAILBOX",
        default_value = "Learning Platform <noreply@lms.example>"
    )]
    pub(crate) from: String,
}
