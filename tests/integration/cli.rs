//! The example command-line host (`examples/user-import`) run as a program, end to end, the way
//! README's main job runs it: on its embedded default (a SQLite file and `.eml` files in its
//! state folder), and with `--database-url postgres://...` and `--smtp-url smtp://...` against
//! the PostgreSQL server and the SMTP sink that `scripts/test` starts (found through
//! `USER_IMPORT_TEST_POSTGRES_URL`, `USER_IMPORT_TEST_SMTP_ADDR` and
//! `USER_IMPORT_TEST_SMTP_DIR`; plain `cargo test` skips that test as ignored).
//!
//! The example's binary is built by cargo with the features and the profile of this test binary
//! (so after `cargo nextest run`, which builds the examples too, it is already fresh), or taken
//! from `USER_IMPORT_EXAMPLE_BIN`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use user_import::DeliveryStatus;
use user_import::adapters::Snapshot;
use user_import::adapters::sqlite::SqliteStore;

/// The users of `examples/sample.xlsx`: (name, email, the greeting of their language).
const SAMPLE: [(&str, &str, &str); 10] = [
    ("Ann Lee", "ann.lee@example.com", "Bonjour"),
    ("Bob Martin", "bob.martin@example.com", "Hello"),
    ("Zoë Tremblay-Côté", "zoe.tremblay@example.com", "Bonjour"),
    ("Aiyana Begay", "aiyana.begay@example.com", "Hello"),
    ("Kim Minji", "kim.minji@example.com", "Hello"),
    ("Ana Silva", "ana.silva@example.com", "Hello"),
    ("Lars Øberg", "lars.oberg@example.com", "Hello"),
    ("Fatima Zahra", "fatima.zahra@example.com", "Bonjour"),
    ("Siosaia Tu'ipulotu", "siosaia@example.com", "Hello"),
    ("Priya Raman", "priya.raman@example.com", "Hello"),
];

fn sample_emails() -> BTreeSet<String> {
    SAMPLE
        .iter()
        .map(|(_, email, _)| email.to_string())
        .collect()
}

fn sample_path() -> String {
    format!("{}/examples/sample.xlsx", env!("CARGO_MANIFEST_DIR"))
}

/// A tag no other test (or earlier run) uses.
fn tag() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "cli{}x{nanos}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// An empty folder of its own, removed when dropped.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!("user-import-{}", tag()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The example's binary, built with this test binary's features and profile (or taken from
/// `USER_IMPORT_EXAMPLE_BIN`).
pub(crate) fn example() -> PathBuf {
    crate::common::example_binary("user-import", "USER_IMPORT_EXAMPLE_BIN")
}

/// Runs the example in `dir` with `args`.
pub(crate) fn run(binary: &Path, dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env("USER", "cli-test")
        .output()
        .expect("the example runs");
    eprintln!(
        "$ user-import {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs the example and answers its `--json` summary, checking it exited with 0.
fn import_json(binary: &Path, dir: &Path, args: &[&str]) -> Value {
    let output = run(binary, dir, args);
    assert_eq!(output.status.code(), Some(0), "the import did not complete");
    serde_json::from_slice(&output.stdout).expect("a JSON summary")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// What the first import of the sample must have left in a store.
fn check_first_import(snapshot: &Snapshot, import: &str, message: &str) {
    let emails: BTreeSet<String> = snapshot.users.iter().map(|u| u.email.clone()).collect();
    assert_eq!(snapshot.users.len(), 10);
    assert_eq!(emails, sample_emails());
    assert!(
        snapshot
            .users
            .iter()
            .all(|u| u.active && u.import.as_deref() == Some(import))
    );
    let nurses: BTreeSet<&str> = snapshot
        .memberships
        .iter()
        .filter(|(_, group)| group.0 == "nurses")
        .map(|(user, _)| user.as_str())
        .collect();
    assert_eq!(nurses.len(), 10, "every created user joins Nurses");
    assert_eq!(snapshot.memberships.len(), 10);
    assert_eq!(snapshot.invitations.len(), 10);
    assert!(snapshot.invitations.iter().all(|i| {
        i.status == DeliveryStatus::Sent && i.message == message && i.import.as_str() == import
    }));
    assert_eq!(snapshot.committed, [import.to_string()]);
}

/// `text` with quoted-printable soft line breaks removed and `=XX` escapes decoded.
fn quoted_printable(text: &str) -> String {
    let text = text.replace("=\r\n", "").replace("=\n", "");
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let (Some(&high), Some(&low)) = (bytes.get(i + 1), bytes.get(i + 2))
            && let (Some(high), Some(low)) = (hex(high), hex(low))
        {
            out.push(high << 4 | low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `.eml` files in `folder`: (recipient address, decoded text).
fn eml_files(folder: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).expect("the mail folder") {
        let path = entry.unwrap().path();
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("eml"),
            "only .eml files in {}",
            folder.display()
        );
        let raw = std::fs::read_to_string(&path).unwrap();
        let to = raw
            .lines()
            .find_map(|line| line.strip_prefix("To: "))
            .unwrap_or_else(|| panic!("{} has no To header", path.display()));
        let address = to
            .rsplit_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(address, _)| address.to_string())
            .unwrap_or_else(|| to.trim().to_string());
        found.push((address, quoted_printable(&raw)));
    }
    found
}

#[test]
fn the_example_imports_into_its_sqlite_file_and_writes_one_eml_per_created_user() {
    let binary = example();
    let dir = TempDir::new();
    let sample = sample_path();
    let message = "Welcome to the ward! Bienvenue à l'équipe.";
    let args = |id: &'static str| {
        vec![
            "import",
            sample.as_str(),
            "--group",
            "Nurses",
            "--message",
            message,
            "--notes",
            "spring intake",
            "--id",
            id,
            "--json",
        ]
    };

    // The first run creates every user of the sample, in the default state folder.
    let first = import_json(&binary, &dir.0, &args("first"));
    assert_eq!(first["status"], "completed");
    assert_eq!(first["counts"]["rows"], 10);
    assert_eq!(first["counts"]["created"], 10);
    assert_eq!(first["invitations"]["sent"], 10);
    assert_eq!(first["invitations"]["failed"], 0);

    let state = dir.0.join("user-import-state");
    let database = state.join("user-import.db");
    assert!(database.is_file(), "the SQLite file is in the state folder");
    let url = format!("sqlite://{}", database.display());
    let snapshot = block_on(async {
        let store = SqliteStore::connect(&url, "default").await.unwrap();
        let snapshot = store.snapshot().await.unwrap();
        store.pool().close().await;
        snapshot
    });
    check_first_import(&snapshot, "first", message);
    assert_eq!(snapshot.imports.len(), 1);
    assert_eq!(snapshot.imports[0].notes, "spring intake");
    assert_eq!(snapshot.imports[0].uploaded_by, "cli-test");

    // One .eml per created user, to that user, with the personalized message.
    let mail = eml_files(&state.join("mail"));
    assert_eq!(mail.len(), 10);
    let recipients: BTreeSet<String> = mail.iter().map(|(to, _)| to.clone()).collect();
    assert_eq!(recipients, sample_emails());
    for (name, email, hello) in SAMPLE {
        let (_, text) = mail.iter().find(|(to, _)| to == email).unwrap();
        assert!(text.contains(message), "{email}: {text}");
        assert!(
            text.contains(&format!("{hello} {name},")),
            "{email}: {text}"
        );
    }

    // A dry run with another group writes nothing and sends nothing.
    let dry = import_json(
        &binary,
        &dir.0,
        &[
            "import",
            &sample,
            "--group",
            "Physicians",
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["counts"]["created"], 0);
    assert_eq!(dry["counts"]["groups_added"], 10);

    // The same upload again imports nothing new and sends nothing.
    let second = import_json(&binary, &dir.0, &args("second"));
    assert_eq!(second["status"], "completed");
    assert_eq!(second["counts"]["created"], 0);
    assert_eq!(second["counts"]["untouched"], 10);
    assert_eq!(second["invitations"]["sent"], 0);
    let again = block_on(async {
        let store = SqliteStore::connect(&url, "default").await.unwrap();
        let snapshot = store.snapshot().await.unwrap();
        store.pool().close().await;
        snapshot
    });
    assert_eq!(
        again.without_log(),
        Snapshot {
            committed: vec!["first".to_string(), "second".to_string()],
            ..snapshot.without_log()
        }
    );
    assert_eq!(eml_files(&state.join("mail")).len(), 10);

    // The index shows both imports, newest first; the summary and the groups read the file.
    let imports = run(&binary, &dir.0, &["imports"]);
    assert_eq!(imports.status.code(), Some(0));
    let lines: Vec<String> = stdout(&imports).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("second ") && lines[0].contains("completed"));
    assert!(lines[0].contains("10 rows, 0 created"), "{}", lines[0]);
    assert!(lines[1].starts_with("first ") && lines[1].contains("completed"));
    assert!(lines[1].contains("10 rows, 10 created"), "{}", lines[1]);
    assert!(lines[1].contains("spring intake"));
    let summary = run(&binary, &dir.0, &["summary", "first", "--json"]);
    assert_eq!(summary.status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&summary.stdout).unwrap();
    assert_eq!(summary["counts"]["created"], 10);
    assert_eq!(summary["created"].as_array().unwrap().len(), 10);
    let groups = stdout(&run(&binary, &dir.0, &["groups"]));
    assert!(
        groups.contains("nurses") && groups.contains("Nurses"),
        "{groups}"
    );

    // Enrollment reaches the same file.
    let enroll = run(&binary, &dir.0, &["enroll", "first", "safety-101"]);
    assert_eq!(enroll.status.code(), Some(0));
    assert!(stdout(&enroll).contains("enrolled 10 users"));
    let enrolled = block_on(async {
        let store = SqliteStore::connect(&url, "default").await.unwrap();
        let snapshot = store.snapshot().await.unwrap();
        store.pool().close().await;
        snapshot
    });
    assert_eq!(enrolled.enrollments.len(), 10);
    assert!(enrolled.enrollments.iter().all(|(_, c)| c == "safety-101"));
}

#[test]
fn the_example_refuses_a_database_url_it_cannot_use() {
    let binary = example();
    let dir = TempDir::new();
    let sample = sample_path();
    let output = run(
        &binary,
        &dir.0,
        &[
            "import",
            &sample,
            "--database-url",
            "mysql://u:secret@host/db",
        ],
    );
    assert_eq!(output.status.code(), Some(64));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("--database-url"), "{error}");
    assert!(
        !error.contains("secret"),
        "the password is not shown: {error}"
    );
    let output = run(
        &binary,
        &dir.0,
        &["import", &sample, "--smtp-url", "http://mail.example"],
    );
    assert_eq!(output.status.code(), Some(64));
}

#[test]
fn a_one_row_import_counts_in_the_singular() {
    let binary = example();
    let dir = TempDir::new();
    std::fs::write(
        dir.0.join("one.xlsx"),
        crate::common::users_workbook("one", 1),
    )
    .unwrap();
    for (args, expected) in [
        (
            vec!["import", "one.xlsx", "--id", "dry", "--dry-run"],
            "import dry: completed\n  dry run: 1 user would be created, 0 existing users added to the groups, 0 left untouched; nothing was written or sent\n  1 row, none with errors\n",
        ),
        (
            vec!["check", "one.xlsx"],
            "one.xlsx: sheet `Users`, 1 row, 1 valid, 0 errors, 0 warnings\nthe file is ready to import\n",
        ),
    ] {
        let output = run(&binary, &dir.0, &args);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(stdout(&output), expected);
    }
    let output = run(&binary, &dir.0, &["import", "one.xlsx", "--id", "one"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.starts_with("import one: completed\n  1 user created, 0 existing users added to the groups, 0 left untouched; 1 invitation sent, 0 not delivered\n  1 row, none with errors\n"),
        "{text}"
    );
    for plural in ["1 users", "1 rows", "1 invitations"] {
        assert!(!text.contains(plural), "{text}");
    }
}

#[test]
fn the_example_speaks_french_with_lang_fr() {
    let binary = example();
    let dir = TempDir::new();
    // The template in French, which the reader takes back.
    let output = run(
        &binary,
        &dir.0,
        &["--lang", "fr", "template", "modele.xlsx"],
    );
    assert_eq!(output.status.code(), Some(0));
    let template = std::fs::read(dir.0.join("modele.xlsx")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&template[..])).unwrap();
    let mut workbook = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/workbook.xml").unwrap(),
        &mut workbook,
    )
    .unwrap();
    assert!(workbook.contains(r#"name="Utilisateurs""#), "{workbook}");
    assert!(workbook.contains(r#"name="Codes de lieux""#), "{workbook}");
    // Messages in French, JSON shape unchanged.
    let with_errors = format!(
        "{}/examples/sample-with-errors.xlsx",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = run(
        &binary,
        &dir.0,
        &["check", &with_errors, "--json", "--lang", "fr"],
    );
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["status"], "invalid");
    let messages: Vec<&str> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| issue["message"].as_str().unwrap())
        .collect();
    assert!(!messages.is_empty());
    assert!(
        messages.iter().all(|m| m.starts_with("ligne ")),
        "{messages:?}"
    );
    assert!(
        messages.contains(
            &"ligne 13, Country : « Canada » est un nom de pays ; utilisez le code « CA »"
        ),
        "{messages:?}"
    );
    // Location names in French.
    let output = run(&binary, &dir.0, &["--lang", "fr", "locations", "allemagne"]);
    assert_eq!(
        stdout(&output).lines().next(),
        Some("DE       Allemagne (pays)")
    );
    // A rejected file, explained in French.
    std::fs::write(
        dir.0.join("users.pdf"),
        "%PDF-1.7\n1 0 obj\n<< >>\nendobj\n",
    )
    .unwrap();
    let output = run(&binary, &dir.0, &["--lang", "fr", "check", "users.pdf"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains(
            "users.pdf : refusé : le fichier est un document PDF, et non un classeur Excel"
        ),
        "{}",
        stdout(&output)
    );
    // A failed import, a failed dry run and a check of the same file: French only, the reason
    // once, and a dry run suggests no report of an import that is not kept.
    let english = [
        "error:",
        " rows",
        "with errors",
        "no user was imported",
        "writes the rows",
        "users created",
        "the import failed",
        "check the file",
        "dry run",
        "completed",
        "failed",
    ];
    let french = |args: &[&str]| {
        let mut all = vec!["--lang", "fr"];
        all.extend_from_slice(args);
        run(&binary, &dir.0, &all)
    };
    let file = with_errors.as_str();
    for (args, reasons, last) in [
        (
            &["import", file, "--id", "fr-1"][..],
            1,
            "  aucun utilisateur n'a été importé ; `report fr-1 FICHIER.xlsx` écrit les lignes avec leurs problèmes",
        ),
        (
            &["import", file, "--id", "fr-2", "--dry-run"][..],
            1,
            "  rien n'a été écrit ; corrigez les lignes ci-dessus et recommencez (`check FICHIER` liste les problèmes)",
        ),
        (
            &["check", file][..],
            0,
            "corrigez les lignes ci-dessus et vérifiez de nouveau le fichier",
        ),
    ] {
        let output = french(args);
        assert_eq!(output.status.code(), Some(1));
        let text = stdout(&output);
        for phrase in english {
            assert!(!text.contains(phrase), "`{phrase}` in:\n{text}");
        }
        assert_eq!(text.matches("problèmes dans").count(), reasons, "{text}");
        assert!(
            text.lines()
                .any(|line| line.starts_with("  erreur : ligne 13, Country : « Canada »")),
            "{text}"
        );
        assert_eq!(text.lines().last(), Some(last), "{text}");
    }
    let summary = stdout(&french(&["summary", "fr-1"]));
    assert!(
        summary.starts_with("sample-with-errors.xlsx déposé par cli-test le "),
        "{summary}"
    );
    assert!(
        summary.contains("\nimportation fr-1 : échouée\n"),
        "{summary}"
    );

    // The host's own failures too.
    let output = run(&binary, &dir.0, &["--lang", "fr", "summary", "nope"]);
    assert_eq!(output.status.code(), Some(64));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "il n'y a pas d'importation `nope` ; `imports` les liste\n"
    );

    // A language the crate does not ship is a usage error.
    let output = run(&binary, &dir.0, &["--lang", "de", "check", "users.pdf"]);
    assert_eq!(output.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--lang takes en or fr, not `de`"));
}

#[test]
fn help_exits_with_0_and_every_usage_error_with_64() {
    let binary = example();
    let dir = TempDir::new();
    // The list of commands, and the exit codes after it.
    let help = run(&binary, &dir.0, &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(help.stderr.is_empty());
    let text = stdout(&help);
    for command in [
        "template",
        "locations",
        "check",
        "import",
        "imports",
        "summary",
        "enroll",
        "report",
        "groups",
        "sample",
    ] {
        assert!(
            text.contains(&format!("\n  {command} ")),
            "{command}: {text}"
        );
    }
    assert!(text.contains("\nExit codes:\n  0 "), "{text}");
    // Each command's own help, with the shared state options.
    for args in [
        &["import", "--help"][..],
        &["help", "import"],
        &["import", "-h"],
    ] {
        let help = run(&binary, &dir.0, args);
        assert_eq!(help.status.code(), Some(0), "{args:?}");
        let text = stdout(&help);
        assert!(
            text.starts_with("Import the users of a filled-in template and invite the new ones"),
            "{text}"
        );
        for flag in [
            "--group",
            "--message",
            "--notes",
            "--seat-limit",
            "--id",
            "--by",
            "--dry-run",
            "--json",
            "--lang",
            "--state",
            "--database-url",
            "--smtp-url",
            "--platform",
            "--from",
        ] {
            assert!(text.contains(&format!("{flag} ")), "{flag}: {text}");
        }
    }
    let help = stdout(&run(&binary, &dir.0, &["help", "check"]));
    assert!(help.contains("--json"), "{help}");
    assert!(!help.contains("--state"), "check keeps no state: {help}");
    // What clap refuses, and what this host refuses after clap, is a usage error.
    for args in [
        &[][..],
        &["bogus"],
        &["--lang"],
        &["import"],
        &["import", "users.xlsx", "--bogus"],
        &["import", "users.xlsx", "--seat-limit", "many"],
        &["import", "users.xlsx", "--platform", ""],
        &["enroll", "first"],
        &["locations"],
        &["locations", " "],
        &["check", "missing.xlsx"],
    ] {
        let output = run(&binary, &dir.0, args);
        assert_eq!(output.status.code(), Some(64), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
    assert!(
        !dir.0.join("user-import-state").exists(),
        "nothing was opened"
    );
}

/// Runs the example with its standard output a pipe whose reading end is already closed, as
/// `user-import ... | head -1` leaves it after the first line.
fn run_into_closed_pipe(binary: &Path, dir: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(binary)
        .args(args)
        .current_dir(dir)
        .stdout(writer)
        .output()
        .expect("the example runs")
}

#[test]
fn a_closed_standard_output_ends_the_output_quietly_and_keeps_the_exit_code() {
    let binary = example();
    let dir = TempDir::new();
    let output = run_into_closed_pipe(&binary, &dir.0, &["locations", "CA"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let output = run_into_closed_pipe(&binary, &dir.0, &["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    // The file's problems still decide the exit code.
    let with_errors = format!(
        "{}/examples/sample-with-errors.xlsx",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = run_into_closed_pipe(&binary, &dir.0, &["check", &with_errors]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn check_json_answers_the_same_for_xlsx_csv_and_ods() {
    let binary = example();
    let dir = TempDir::new();
    let fixtures = format!("{}/tests/fixtures/formats", env!("CARGO_MANIFEST_DIR"));
    let check = |name: &str| -> Value {
        let output = run(
            &binary,
            &dir.0,
            &["check", &format!("{fixtures}/{name}"), "--json"],
        );
        assert_eq!(output.status.code(), Some(1), "{name}");
        serde_json::from_slice(&output.stdout).expect("a JSON report")
    };
    let shape = |report: &Value| {
        let issues: Vec<(Value, Value, Value)> = report["issues"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|issue| issue["code"] != "file.encoding_assumed")
            .map(|issue| {
                (
                    issue["row"].clone(),
                    issue["column"].clone(),
                    issue["code"].clone(),
                )
            })
            .collect();
        (
            report["status"].clone(),
            report["rows"].clone(),
            report["valid_rows"].clone(),
            issues,
        )
    };
    let expected = shape(&check("users.xlsx"));
    assert_eq!(expected.0, "invalid");
    assert_eq!(expected.1, 13);
    for name in [
        "users.ods",
        "users-utf8.csv",
        "users-utf8-bom.csv",
        "users-cp1252-semicolon.csv",
        "users-utf16-tab.txt",
        "users.tsv",
    ] {
        assert_eq!(shape(&check(name)), expected, "{name}");
    }
    // A 60 MB line is a clear rejection.
    let long = dir.0.join("long.csv");
    let mut bytes = b"Name,Email,Country,Region,Language\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 60 * 1024 * 1024));
    std::fs::write(&long, bytes).unwrap();
    let output = run(&binary, &dir.0, &["check", "long.csv", "--json"]);
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["issues"][0]["code"], "file.limit_exceeded");
}

#[cfg(feature = "jobs")]
#[test]
fn submit_answers_pending_at_once_and_work_until_idle_completes_the_import() {
    let binary = example();
    let dir = TempDir::new();
    let sample = format!("{}/examples/sample.xlsx", env!("CARGO_MANIFEST_DIR"));
    let submit = |id: &str| {
        let output = run(
            &binary,
            &dir.0,
            &["submit", &sample, "--id", id, "--group", "Nurses", "--json"],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let first = submit("bg-1");
    assert_eq!(
        (&first["id"], &first["status"], &first["replay"]),
        (
            &Value::from("bg-1"),
            &Value::from("pending"),
            &Value::from(false)
        )
    );
    // Nothing runs before `work`: the index shows the import pending.
    let index = stdout(&run(&binary, &dir.0, &["imports"]));
    assert!(index.starts_with("bg-1 pending "), "{index}");

    let work = run(&binary, &dir.0, &["work", "--until-idle"]);
    assert_eq!(
        work.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&work.stderr)
    );
    assert_eq!(stdout(&work), "the queue is idle\n");
    let summary: Value =
        serde_json::from_slice(&run(&binary, &dir.0, &["summary", "bg-1", "--json"]).stdout)
            .unwrap();
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["counts"]["created"], 10);
    assert_eq!(summary["invitations"]["sent"], 10);
    let mail = dir.0.join("user-import-state").join("mail");
    assert_eq!(
        std::fs::read_dir(&mail).unwrap().count(),
        10,
        "one .eml per new user"
    );

    // The same id again is a replay of the first submission: nothing is imported again.
    let again = submit("bg-1");
    assert_eq!(
        (&again["status"], &again["replay"], &again["same_file"]),
        (
            &Value::from("completed"),
            &Value::from(true),
            &Value::from(true)
        )
    );
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use user_import::adapters::postgres::PostgresStore;

    fn env(name: &str) -> String {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: run scripts/test, which starts a PostgreSQL server and an \
                 SMTP server (aiosmtpd) on loopback and sets USER_IMPORT_TEST_POSTGRES_URL, \
                 USER_IMPORT_TEST_SMTP_ADDR and USER_IMPORT_TEST_SMTP_DIR"
            )
        })
    }

    /// The messages the SMTP sink received whose text contains `marker`, waiting until `count`
    /// have arrived.
    fn arrived(marker: &str, count: usize) -> Vec<Value> {
        let dir = PathBuf::from(env("USER_IMPORT_TEST_SMTP_DIR"));
        for _ in 0..100 {
            let mut found = Vec::new();
            for entry in std::fs::read_dir(&dir).expect("the SMTP sink's folder") {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    let message: Value =
                        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                    if message["text"].as_str().is_some_and(|t| t.contains(marker)) {
                        found.push(message);
                    }
                }
            }
            if found.len() >= count {
                return found;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("fewer than {count} messages arrived with `{marker}`");
    }

    #[test]
    #[ignore = "needs PostgreSQL and an SMTP server: run scripts/test"]
    fn the_example_imports_into_postgres_and_invites_over_smtp_with_the_url_flags() {
        let database_url = env("USER_IMPORT_TEST_POSTGRES_URL");
        let smtp_url = format!("smtp://{}", env("USER_IMPORT_TEST_SMTP_ADDR"));
        let binary = example();
        let dir = TempDir::new();
        let sample = sample_path();
        let platform = tag();
        let message = format!("Welcome aboard, cohort {platform}!");
        let args = |id: &'static str| {
            vec![
                "import".to_string(),
                sample.clone(),
                "--group".to_string(),
                "Nurses".to_string(),
                "--message".to_string(),
                message.clone(),
                "--database-url".to_string(),
                database_url.clone(),
                "--smtp-url".to_string(),
                smtp_url.clone(),
                "--platform".to_string(),
                platform.clone(),
                "--id".to_string(),
                id.to_string(),
                "--json".to_string(),
            ]
        };
        let first_args = args("first");
        let first_args: Vec<&str> = first_args.iter().map(String::as_str).collect();
        let first = import_json(&binary, &dir.0, &first_args);
        assert_eq!(first["status"], "completed");
        assert_eq!(first["counts"]["created"], 10);
        assert_eq!(first["invitations"]["sent"], 10);

        // The users are in PostgreSQL, under the platform, and nothing went to the defaults.
        let snapshot = block_on(async {
            let store = PostgresStore::connect(&database_url, platform.as_str())
                .await
                .unwrap();
            let snapshot = store.snapshot().await.unwrap();
            store.pool().close().await;
            snapshot
        });
        check_first_import(&snapshot, "first", &message);
        let state = dir.0.join("user-import-state");
        assert!(!state.join("user-import.db").exists());
        assert!(!state.join("mail").exists());

        // The SMTP server received one invitation per created user, with the message.
        let received = arrived(&message, 10);
        assert_eq!(received.len(), 10);
        let mut recipients = BTreeSet::new();
        for mail in &received {
            let to = mail["rcpt_tos"].as_array().unwrap();
            assert_eq!(to.len(), 1);
            let email = to[0].as_str().unwrap().to_string();
            let (name, _, hello) = SAMPLE.iter().find(|(_, e, _)| *e == email).unwrap();
            let text = mail["text"].as_str().unwrap();
            assert!(text.contains(&format!("{hello} {name},")), "{text}");
            assert_eq!(mail["to_addresses"][0]["address"], email.as_str());
            assert_eq!(mail["to_addresses"][0]["name"], *name);
            recipients.insert(email);
        }
        assert_eq!(recipients, sample_emails());

        // Again: nothing new, nothing sent; the index in PostgreSQL shows both imports.
        let second_args = args("second");
        let second_args: Vec<&str> = second_args.iter().map(String::as_str).collect();
        let second = import_json(&binary, &dir.0, &second_args);
        assert_eq!(second["counts"]["created"], 0);
        assert_eq!(second["counts"]["untouched"], 10);
        assert_eq!(second["invitations"]["sent"], 0);
        let imports = run(
            &binary,
            &dir.0,
            &[
                "imports",
                "--database-url",
                &database_url,
                "--smtp-url",
                &smtp_url,
                "--platform",
                &platform,
            ],
        );
        assert_eq!(imports.status.code(), Some(0));
        let lines: Vec<String> = stdout(&imports).lines().map(str::to_string).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("second ") && lines[0].contains("0 created"));
        assert!(lines[1].starts_with("first ") && lines[1].contains("10 created"));
        let users = block_on(async {
            let store = PostgresStore::connect(&database_url, platform.as_str())
                .await
                .unwrap();
            let snapshot = store.snapshot().await.unwrap();
            store.pool().close().await;
            snapshot
        });
        assert_eq!(users.users, snapshot.users);
        assert_eq!(arrived(&message, 10).len(), 10);
    }
}
