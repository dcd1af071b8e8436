//! A command-line host for `user-import`: generate the template, look up location codes, check
//! an upload, import it, and look at the batch-imports index.
//!
//! ```text
//! cargo run --features sqlite,smtp --example user-import -- template users-template.xlsx
//! cargo run --features sqlite,smtp --example user-import -- locations quebec
//! cargo run --features sqlite,smtp --example user-import -- check examples/sample.xlsx [--json]
//! cargo run --features sqlite,smtp --example user-import -- import examples/sample.xlsx --group Nurses --message "Welcome!"
//! cargo run --features sqlite,smtp --example user-import -- imports
//! cargo run --features sqlite,smtp --example user-import -- summary ID
//! cargo run --features sqlite,smtp --example user-import -- enroll ID COURSE...
//! cargo run --features sqlite,smtp --example user-import -- report ID fix-me.xlsx
//! ```
//!
//! The host runs on the crate's adapters. By default it keeps its users, groups, imports,
//! invitation outbox and enrollments in a SQLite file, `user-import.db`, in its state folder
//! (`--state DIR`, default `user-import-state`), and writes each invitation as an `.eml` file
//! under `DIR/mail/`; the uploads are kept under `DIR/uploads/`. `--database-url
//! postgres://USER@HOST:PORT/DB` keeps the data in PostgreSQL instead (build with the
//! `postgres` feature too), `--database-url sqlite://FILE` in another SQLite file, and
//! `--smtp-url smtp://HOST:PORT` sends the invitations through an SMTP server. `--platform ID`
//! names the tenant in a database that several platforms share.
//!
//! `--lang en|fr` (any command) writes the template, the messages, the summary and the error
//! report in English (the default) or French; a file filled from either language's template
//! is read whatever the language chosen.
//!
//! `check` and `import` exit with 0 when the file is valid (imported), 1 when rows have
//! problems (nothing imported), 2 when the file is rejected as a whole, 3 when the database or
//! the mail transport cannot be opened, and 64 on a usage error.

use std::process::ExitCode;
use std::sync::OnceLock;

mod host;

use serde::Serialize;
use user_import::{Catalog, Issue, Limits, Schema, Severity, Template, Validation, location};

/// The administrator's language, from `--lang` (English unless given).
static LANGUAGE: OnceLock<Catalog> = OnceLock::new();

/// The catalogue of the language chosen with `--lang`.
fn catalog() -> &'static Catalog {
    LANGUAGE.get_or_init(Catalog::english)
}

/// Takes `--lang TAG` out of the arguments and sets the language.
fn take_language(args: &mut Vec<String>) -> Result<(), String> {
    let Some(at) = args.iter().position(|arg| arg == "--lang") else {
        return Ok(());
    };
    let Some(tag) = args.get(at + 1).cloned() else {
        return Err(format!("--lang needs a value: en or fr\n{USAGE}"));
    };
    args.drain(at..at + 2);
    let catalog =
        Catalog::for_language(&tag).ok_or_else(|| format!("--lang takes en or fr, not `{tag}`"))?;
    let _ = LANGUAGE.set(catalog);
    Ok(())
}

/// The `check --json` report, fields in this order.
#[derive(Serialize)]
struct Report<'a> {
    status: &'a str,
    rows: usize,
    valid_rows: usize,
    issues: Vec<ReportIssue<'a>>,
}

#[derive(Serialize)]
struct ReportIssue<'a> {
    row: Option<u32>,
    column: Option<&'a str>,
    value: Option<&'a str>,
    code: &'a str,
    severity: &'a str,
    message: String,
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
    fn of<'a>(status: &'a str, validation: &'a Validation) -> Report<'a> {
        Report {
            status,
            rows: validation.row_count(),
            valid_rows: validation.valid_records().count(),
            issues: validation.issues().iter().map(ReportIssue::from).collect(),
        }
    }
}

fn to_json<T: Serialize>(report: &T) -> String {
    serde_json::to_string(report).unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

const USAGE: &str = "usage:
  user-import template OUT.xlsx          write the template to fill in
  user-import locations QUERY            find country and region codes by name or code
  user-import check FILE [--json]        validate a filled-in template
  user-import import FILE [--group G]... [--message M] [--notes N] [--seat-limit N]
                     [--id ID] [--by USER] [--dry-run] [--json]
                                         import the users of a filled-in template
  user-import imports                    list the batch imports, newest first
  user-import summary ID [--json]        show an import's summary
  user-import enroll ID COURSE...        enroll the users an import created in courses
  user-import report ID OUT.xlsx         write the upload with its problems beside each row
  user-import groups                     list the groups an import can add users to
  user-import sample OUT.xlsx [--with-errors]
                                         write a filled-in sample workbook
any command:
  --lang en|fr                           the language of the template, messages, summary and
                                         report (default en); files from either template import
options for import, imports, summary, enroll, report, groups:
  --state DIR                            where the host keeps its data (default user-import-state):
                                         the SQLite file DIR/user-import.db, invitations as
                                         DIR/mail/*.eml, the uploads in DIR/uploads/
  --database-url URL                     sqlite://FILE or postgres://USER@HOST:PORT/DB instead of
                                         DIR/user-import.db
  --smtp-url URL                         send invitations through smtp://HOST:PORT (or smtps://,
                                         smtp://HOST:587?tls=required) instead of DIR/mail/
  --platform ID                          the platform (tenant) in the database (default `default`)
  --from MAILBOX                         the invitations' sender
                                         (default `Learning Platform <noreply@lms.example>`)";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(message) = take_language(&mut args) {
        eprintln!("{message}");
        return ExitCode::from(64);
    }
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(64);
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "template" => template(rest),
        "locations" => locations(rest),
        "check" => return check(rest),
        "import" | "imports" | "summary" | "enroll" | "report" | "groups" => {
            return host::main(command, rest);
        }
        "sample" => sample(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(64)
        }
    }
}

fn one_path(rest: &[String]) -> Result<&str, String> {
    match rest {
        [path] => Ok(path),
        _ => Err(format!("expected one file name\n{USAGE}")),
    }
}

fn template(rest: &[String]) -> Result<(), String> {
    let path = one_path(rest)?;
    let bytes = Template::new(&Schema::default())
        .locale(catalog().clone())
        .to_bytes()
        .map_err(|error| error.to_string())?;
    std::fs::write(path, bytes).map_err(|error| format!("cannot write {path}: {error}"))?;
    println!("wrote the template to {path}");
    Ok(())
}

fn locations(rest: &[String]) -> Result<(), String> {
    let query = rest.join(" ");
    if query.trim().is_empty() {
        return Err(format!("give a name or a code to look up\n{USAGE}"));
    }
    let found = location::search(&query);
    if found.is_empty() {
        println!("no country or region matches `{query}`");
    }
    let language = catalog().language();
    let country_word = catalog()
        .text("template.locations.country_type")
        .to_lowercase();
    for location in found {
        match location {
            location::Location::Country(country) => {
                println!(
                    "{:<8} {} ({country_word})",
                    country.code(),
                    country.name_in(language)
                );
            }
            location::Location::Region(region) => println!(
                "{:<8} {} ({}, {})",
                region.code(),
                region.name_in(language),
                region.kind().to_lowercase(),
                region.country().name_in(language)
            ),
        }
    }
    Ok(())
}

fn check(rest: &[String]) -> ExitCode {
    let json = rest.iter().any(|arg| arg == "--json");
    let paths: Vec<&String> = rest.iter().filter(|arg| *arg != "--json").collect();
    let [path] = paths.as_slice() else {
        eprintln!("expected one file name\n{USAGE}");
        return ExitCode::from(64);
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return ExitCode::from(64);
        }
    };
    let schema = Schema::default();
    match user_import::validate_bytes(&bytes, &schema, &Limits::default()) {
        Ok(mut validation) => {
            validation.localize(catalog());
            let status = if validation.is_valid() {
                "valid"
            } else {
                "invalid"
            };
            if json {
                print_json(status, &validation);
            } else {
                print_report(path, &validation);
            }
            ExitCode::from(if validation.is_valid() { 0 } else { 1 })
        }
        Err(error) => {
            if json {
                let issue = ReportIssue {
                    row: None,
                    column: None,
                    value: None,
                    code: error.code(),
                    severity: "error",
                    message: catalog().error_message(&error),
                };
                let report = Report {
                    status: "rejected",
                    rows: 0,
                    valid_rows: 0,
                    issues: vec![issue],
                };
                println!("{}", to_json(&report));
            } else {
                println!("{path}: rejected: {}", catalog().error_message(&error));
            }
            ExitCode::from(2)
        }
    }
}

fn print_json(status: &str, validation: &Validation) {
    println!("{}", to_json(&Report::of(status, validation)));
}

fn print_report(path: &str, validation: &Validation) {
    let errors = validation.error_count();
    let warnings = validation.issues().len() - errors;
    println!(
        "{path}: sheet `{}`, {} rows, {} valid, {errors} errors, {warnings} warnings",
        validation.sheet,
        validation.row_count(),
        validation.valid_records().count(),
    );
    for issue in validation.issues() {
        let mark = match issue.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!("  {mark}: {}", issue.message);
    }
    if validation.is_valid() {
        println!("the file is ready to import");
    } else {
        println!("fix the rows above and check the file again");
    }
}

/// Users for the sample workbook: varied names, countries, regions and languages.
const SAMPLE: &[[&str; 9]] = &[
    [
        "Ann Lee",
        "ann.lee@example.com",
        "CA",
        "CA-QC",
        "fr",
        "Nurse",
        "Emergency",
        "000123",
        "2021-04-12",
    ],
    [
        "Bob Martin",
        "bob.martin@example.com",
        "CA",
        "ON",
        "en",
        "Paramedic",
        "Emergency",
        "000124",
        "",
    ],
    [
        "Zoë Tremblay-Côté",
        "zoe.tremblay@example.com",
        "ca",
        "ca-qc",
        "FR",
        "",
        "Pharmacy",
        "",
        "2019-11-03",
    ],
    [
        "Aiyana Begay",
        "aiyana.begay@example.com",
        "US",
        "US-NM",
        "en",
        "Physician",
        "",
        "000200",
        "",
    ],
    [
        "Kim Minji",
        "kim.minji@example.com",
        "KR",
        "KR-11",
        "en",
        "",
        "",
        "",
        "2023-01-09",
    ],
    [
        "Ana Silva",
        "ana.silva@example.com",
        "BR",
        "BR-SP",
        "en",
        "Nurse",
        "ICU",
        "000301",
        "",
    ],
    [
        "Lars Øberg",
        "lars.oberg@example.com",
        "NO",
        "NO-03",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Fatima Zahra",
        "fatima.zahra@example.com",
        "MA",
        "MA-CAS",
        "fr",
        "Midwife",
        "Maternity",
        "",
        "",
    ],
    [
        "Siosaia Tu'ipulotu",
        "siosaia@example.com",
        "TO",
        "TO-04",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Priya Raman",
        "priya.raman@example.com",
        "IN",
        "IN-TS",
        "en",
        "Surgeon",
        "Surgery",
        "000404",
        "2018-06-30",
    ],
];

/// Rows with problems, one kind each.
const SAMPLE_ERRORS: &[[&str; 9]] = &[
    [
        "Chloé Roy",
        "chloe.roy@example",
        "CA",
        "CA-QC",
        "fr",
        "",
        "",
        "",
        "",
    ],
    [
        "Dan Wu",
        "dan.wu@example.com",
        "Canada",
        "QC",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Eve Adams",
        "eve.adams@example.com",
        "US",
        "CA-QC",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Femi Ade",
        "ANN.LEE@example.com",
        "NG",
        "NG-LA",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Gus Berg",
        "gus.berg@example.com",
        "SE",
        "SE-AB",
        "de",
        "",
        "",
        "",
        "31/12/2020",
    ],
];

fn sample(rest: &[String]) -> Result<(), String> {
    let with_errors = rest.iter().any(|arg| arg == "--with-errors");
    let paths: Vec<&String> = rest.iter().filter(|arg| *arg != "--with-errors").collect();
    let [path] = paths.as_slice() else {
        return Err(format!("expected one file name\n{USAGE}"));
    };
    let mut rows: Vec<&[&str]> = SAMPLE.iter().map(|row| row.as_slice()).collect();
    if with_errors {
        rows.extend(SAMPLE_ERRORS.iter().map(|row| row.as_slice()));
    }
    let bytes = user_import::testing::workbook(&Schema::default(), &rows);
    std::fs::write(path, bytes).map_err(|error| format!("cannot write {path}: {error}"))?;
    println!("wrote {} users to {path}", rows.len());
    Ok(())
}
