//! How a command ends, and the exit code of each end: the one place they are decided.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use user_import::{Catalog, StoreError};

/// What a command found when it ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The command did what it was asked (for `check` and `import`: the file is valid, and
    /// imported).
    Done,
    /// Rows of the file have problems; nothing is imported.
    RowsWithProblems,
    /// The file is rejected as a whole.
    FileRejected,
    /// The import completed (the users exist) but some invitations failed; `resend` tries
    /// them again.
    InvitationsFailed,
}

/// Why a command could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// The command line, as clap read it (`--help` is one of these, and no failure).
    #[error(transparent)]
    Cli(#[from] clap::Error),
    /// A value clap accepts but this host cannot use, such as a URL of another kind.
    #[error("{0}")]
    Usage(String),
    /// A file named on the command line cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file named on the command line cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The crate could not do its part.
    #[error("{action}: {source}")]
    Engine {
        /// What failed, such as `"the import stopped"`.
        action: &'static str,
        /// Why.
        source: user_import::Error,
    },
    /// The async runtime does not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] io::Error),
    /// The state folder cannot be created.
    #[error("cannot create {}: {source}", path.display())]
    StateFolder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The database cannot be opened, set up or given its groups.
    #[error("cannot {action} {shown}: {source}")]
    Database {
        /// What failed, such as `"open"` or `"set up the schema in"`.
        action: &'static str,
        /// The database, its password hidden.
        shown: String,
        /// Why.
        source: StoreError,
    },
    /// The mail transport cannot be opened.
    #[error("cannot {action} {shown}: {source}")]
    Mail {
        /// What failed, such as `"send mail through"`.
        action: &'static str,
        /// The folder or the server, its password hidden.
        shown: String,
        /// Why.
        source: StoreError,
    },
    /// A store failed in the middle of a command.
    #[error("cannot {action}: {source}")]
    Store {
        /// What failed, such as `"list the imports"`.
        action: &'static str,
        /// Why.
        source: StoreError,
    },
    /// No import has this id.
    #[error("there is no import `{0}`; `imports` lists them")]
    NoImport(String),
    /// The upload of an import is not in the object store (a dry run keeps none).
    #[error("the upload of import {id} is not kept: {source}")]
    UploadMissing {
        /// The import.
        id: String,
        /// Why.
        source: StoreError,
    },
    /// The upload of an import is kept but cannot be read.
    #[error("the upload of import {id} cannot be read, so there are no rows to report: {source}")]
    UploadUnreadable {
        /// The import.
        id: String,
        /// Why.
        source: user_import::Error,
    },
    /// The standard output cannot be written. A closed pipe (`| head`) is not this: the output
    /// just ends there.
    #[error("cannot write the output: {0}")]
    Output(#[source] io::Error),
}

/// The exit code of every end of every command, as the module docs of `main.rs` and README
/// give them.
pub(crate) fn exit_code(end: &Result<Outcome, Failure>) -> u8 {
    match end {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::RowsWithProblems) => 1,
        Ok(Outcome::FileRejected) => 2,
        Ok(Outcome::InvitationsFailed) => 4,
        // `--help` and the `help` command print to the standard output and end well.
        Err(Failure::Cli(error)) if !error.use_stderr() => 0,
        Err(
            Failure::Runtime(_)
            | Failure::StateFolder { .. }
            | Failure::Database { .. }
            | Failure::Mail { .. },
        ) => 3,
        Err(Failure::Output(_)) => 74,
        Err(
            Failure::Cli(_)
            | Failure::Usage(_)
            | Failure::Read { .. }
            | Failure::Write { .. }
            | Failure::Engine { .. }
            | Failure::Store { .. }
            | Failure::NoImport(_)
            | Failure::UploadMissing { .. }
            | Failure::UploadUnreadable { .. },
        ) => 64,
    }
}

/// Says how the command ended, when it failed: clap's own text (help on the standard output,
/// errors with the usage on the standard error), or the failure on the standard error, in
/// `catalog`'s language.
pub(crate) fn report(end: &Result<Outcome, Failure>, catalog: &Catalog) -> ExitCode {
    match end {
        Ok(_) => {}
        Err(Failure::Cli(error)) => {
            // Nothing to do if the help cannot be printed (a closed pipe).
            let _ = error.print();
        }
        Err(failure) => {
            let _ = writeln!(io::stderr(), "{}", failure.message(catalog));
        }
    }
    ExitCode::from(exit_code(end))
}

impl Failure {
    /// The failure in `catalog`'s language: the host's words from the catalogue, the crate's
    /// errors in that language too; what the system or a store said (developer text) as it
    /// said it.
    pub(crate) fn message(&self, catalog: &Catalog) -> String {
        let action = |action: &str| {
            catalog
                .get(&format!("cli.action.{action}"))
                .unwrap_or(action)
                .to_string()
        };
        let fill = |key: &str, args: &[(&str, &str)]| catalog.fill(key, args);
        match self {
            Failure::Cli(error) => error.to_string(),
            Failure::Usage(text) => text.clone(),
            Failure::Read { path, source } => fill(
                "cli.failure.read",
                &[
                    ("path", &path.display().to_string()),
                    ("reason", &source.to_string()),
                ],
            ),
            Failure::Write { path, source } => fill(
                "cli.failure.write",
                &[
                    ("path", &path.display().to_string()),
                    ("reason", &source.to_string()),
                ],
            ),
            Failure::Engine {
                action: what,
                source,
            } => fill(
                "cli.failure.engine",
                &[
                    ("action", &action(what)),
                    ("reason", &catalog.error_message(source)),
                ],
            ),
            Failure::Runtime(source) => {
                fill("cli.failure.runtime", &[("reason", &source.to_string())])
            }
            Failure::StateFolder { path, source } => fill(
                "cli.failure.state_folder",
                &[
                    ("path", &path.display().to_string()),
                    ("reason", &source.to_string()),
                ],
            ),
            Failure::Database {
                action: what,
                shown,
                source,
            }
            | Failure::Mail {
                action: what,
                shown,
                source,
            } => fill(
                "cli.failure.cannot_with",
                &[
                    ("action", &action(what)),
                    ("target", shown),
                    ("reason", &source.to_string()),
                ],
            ),
            Failure::Store {
                action: what,
                source,
            } => fill(
                "cli.failure.cannot",
                &[("action", &action(what)), ("reason", &source.to_string())],
            ),
            Failure::NoImport(id) => fill("cli.failure.no_import", &[("id", id)]),
            Failure::UploadMissing { id, source } => fill(
                "cli.failure.upload_missing",
                &[("id", id), ("reason", &source.to_string())],
            ),
            Failure::UploadUnreadable { id, source } => fill(
                "cli.failure.upload_unreadable",
                &[("id", id), ("reason", &catalog.error_message(source))],
            ),
            Failure::Output(source) => {
                fill("cli.failure.output", &[("reason", &source.to_string())])
            }
        }
    }
}
