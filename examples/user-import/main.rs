//! A command-line host for `user-import`: generate the template, look up location codes, check
//! an upload, import it, and look at the batch-imports index.
//!
//! ```text
//! cargo run --features jobs,smtp --example user-import -- template users-template.xlsx
//! cargo run --features jobs,smtp --example user-import -- locations quebec
//! cargo run --features jobs,smtp --example user-import -- check examples/sample.xlsx [--json]
//! cargo run --features jobs,smtp --example user-import -- import examples/sample.xlsx --group Nurses --message "Welcome!"
//! cargo run --features jobs,smtp --example user-import -- imports
//! cargo run --features jobs,smtp --example user-import -- summary ID
//! cargo run --features jobs,smtp --example user-import -- enroll ID COURSE...
//! cargo run --features jobs,smtp --example user-import -- report ID fix-me.xlsx
//! cargo run --features jobs,smtp --example user-import -- help import
//! ```
//!
//! The host runs on the crate's adapters. By default it keeps its users, groups, imports,
//! invitation outbox and enrollments in a SQLite file, `user-import.db`, in its state folder
//! (`--state DIR`, default `user-import-state`), and writes each invitation as an `.eml` file
//! under `DIR/mail/`; each upload is kept once under `DIR/objects/`, and the job queue in
//! `DIR/jobs.db`. `import` submits and runs its job in the same process; `submit` queues it
//! for `work`. `--database-url postgres://USER@HOST:PORT/DB` keeps the data and the queue in
//! PostgreSQL instead (build with the `jobs-postgres` feature), `--database-url
//! sqlite://FILE` in another SQLite file, and
//! `--smtp-url smtp://HOST:PORT` sends the invitations through an SMTP server. `--platform ID`
//! names the tenant in a database that several platforms share.
//!
//! `--lang en|fr` (any command) writes the template, the messages, the summary and the error
//! report in English (the default) or French; a file filled from either language's template
//! is read whatever the language chosen.
//!
//! `check` and `import` exit with 0 when the file is valid (imported), 1 when rows have
//! problems (nothing imported), 2 when the file is rejected as a whole, 3 when the database or
//! the mail transport cannot be opened, 4 when an import completed but some of its invitations
//! failed (`import`, `summary`, `resend`), and 64 on a usage error (`--help` exits with 0); 74
//! when the output cannot be written, though a closed pipe (`| head`) just ends the output.
//! `failure.rs` maps every end to its code.
//!
//! The files: `cli.rs` (the commands and their help), `failure.rs` (how a command ends),
//! `output.rs` (what is printed), `host.rs` (the state folder, database and mail transport),
//! `stateful.rs` (the commands that use them), `background.rs` (the job queue: `import`,
//! `submit`, `work`), `sample.rs` (the sample workbook).

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use user_import::{Catalog, Limits, Schema, Template, location};

mod background;
mod cli;
mod failure;
mod host;
mod output;
mod sample;
mod stateful;
mod texts;

use cli::{Cli, Command};
use failure::{Failure, Outcome};
use output::{Output, Report, ReportIssue, print_report, to_json};

fn main() -> ExitCode {
    // The failure of a command line that does not parse is told in English.
    let mut catalog = texts::with_host_texts(user_import::Catalog::english());
    let end = Cli::try_parse().map_err(Failure::from).and_then(|cli| {
        catalog = texts::with_host_texts(cli.lang.clone());
        let mut out = Output::stdout();
        let end = run(&cli, &catalog, &mut out);
        out.flush()?;
        end
    });
    failure::report(&end, &catalog)
}

fn run(cli: &Cli, catalog: &Catalog, out: &mut Output) -> Result<Outcome, Failure> {
    match &cli.command {
        Command::Template { out: path } => template(path, catalog, out),
        Command::Locations { query } => locations(&query.join(" "), catalog, out),
        Command::Check { file, json } => check(file, *json, catalog, out),
        Command::Stateful(command) => stateful::run(command, catalog, out),
        Command::Sample {
            out: path,
            with_errors,
        } => sample::sample(path, *with_errors, catalog, out),
    }
}

fn template(path: &Path, catalog: &Catalog, out: &mut Output) -> Result<Outcome, Failure> {
    let bytes = Template::new(&Schema::default())
        .locale(catalog.clone())
        .to_bytes()
        .map_err(|source| Failure::Engine {
            action: "cannot write the template",
            source,
        })?;
    std::fs::write(path, bytes).map_err(|source| Failure::Write {
        path: path.to_path_buf(),
        source,
    })?;
    let file = path.display().to_string();
    writeln!(
        out,
        "{}",
        catalog.fill("cli.template.written", &[("file", &file)])
    )?;
    Ok(Outcome::Done)
}

fn locations(query: &str, catalog: &Catalog, out: &mut Output) -> Result<Outcome, Failure> {
    if query.trim().is_empty() {
        return Err(Failure::Usage(catalog.fill("cli.usage.lookup", &[])));
    }
    let found = location::search(query);
    if found.is_empty() {
        writeln!(
            out,
            "{}",
            catalog.fill("cli.locations.none", &[("query", query)])
        )?;
    }
    let language = catalog.language();
    let country_word = catalog
        .text("template.locations.country_type")
        .to_lowercase();
    for location in found {
        match location {
            location::Location::Country(country) => writeln!(
                out,
                "{:<8} {} ({country_word})",
                country.code(),
                country.name_in(language)
            )?,
            location::Location::Region(region) => writeln!(
                out,
                "{:<8} {} ({}, {})",
                region.code(),
                region.name_in(language),
                region.kind().to_lowercase(),
                region.country().name_in(language)
            )?,
        }
    }
    Ok(Outcome::Done)
}

fn check(path: &Path, json: bool, catalog: &Catalog, out: &mut Output) -> Result<Outcome, Failure> {
    let bytes = std::fs::read(path).map_err(|source| Failure::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let shown = path.display().to_string();
    match user_import::validate_bytes(&bytes, &Schema::default(), &Limits::default()) {
        Ok(mut validation) => {
            validation.localize(catalog);
            if json {
                let status = if validation.is_valid() {
                    "valid"
                } else {
                    "invalid"
                };
                writeln!(out, "{}", to_json(&Report::of(status, &validation)))?;
            } else {
                print_report(out, catalog, &shown, &validation)?;
            }
            Ok(if validation.is_valid() {
                Outcome::Done
            } else {
                Outcome::RowsWithProblems
            })
        }
        Err(error) => {
            if json {
                let issue = ReportIssue {
                    row: None,
                    column: None,
                    value: None,
                    code: error.code(),
                    severity: "error",
                    message: catalog.error_message(&error),
                };
                let report = Report {
                    status: "rejected",
                    rows: 0,
                    valid_rows: 0,
                    issues: vec![issue],
                };
                writeln!(out, "{}", to_json(&report))?;
            } else {
                let reason = catalog.error_message(&error);
                writeln!(
                    out,
                    "{}",
                    catalog.fill(
                        "cli.check.rejected",
                        &[("path", &shown), ("reason", &reason)]
                    )
                )?;
            }
            Ok(Outcome::FileRejected)
        }
    }
}
