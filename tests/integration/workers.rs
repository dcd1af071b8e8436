//! Four worker processes of the example host on one PostgreSQL database: 40 imports queued by
//! four platforms, sharing emails and racing for the last seats. Each import runs once; no
//! email is created twice in a platform; no platform passes its seat limit; every platform's
//! index holds exactly its own ten imports; every new user gets one invitation.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use user_import::adapters::postgres::PostgresStore;
use user_import::{ImportLog, ImportStatus, IssueCode};

use crate::cli::{TempDir, block_on, example, run};
use user_import::testing::workbook_of_emails;

const PLATFORMS: usize = 4;
const IMPORTS: usize = 10;
/// Each import's users: 20 emails, 10 shared with the import before it and 10 with the one
/// after, so 110 emails in all per platform.
const USERS: usize = 20;
const SEATS: u64 = 100;

/// A database of its own on the test server, so that these workers see only these jobs.
fn fresh_database() -> String {
    let url = std::env::var("USER_IMPORT_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "USER_IMPORT_TEST_POSTGRES_URL is not set: run scripts/test, which starts PostgreSQL"
        )
    });
    let name = format!(
        "workers_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    block_on(async {
        use user_import::adapters::sqlx::Executor;
        let pool = user_import::adapters::sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .expect("the test PostgreSQL");
        // The name is made of digits and `workers_` above.
        let create = user_import::adapters::sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
        pool.execute(user_import::adapters::sqlx::raw_sql(create))
            .await
            .expect("create the workers' database");
    });
    let (server, _) = url.rsplit_once('/').expect("a database in the URL");
    format!("{server}/{name}")
}

/// The emails of import `index`: `person{index*10}` to `person{index*10+19}`.
fn emails_of(index: usize) -> Vec<String> {
    (index * 10..index * 10 + USERS)
        .map(|n| format!("person{n}@example.com"))
        .collect()
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/test"]
fn four_workers_on_postgres_run_forty_imports_of_four_platforms_once_each() {
    let binary = example();
    let dir = TempDir::new();
    let url = fresh_database();
    let state = |platform: &str| -> Vec<String> {
        ["--database-url", url.as_str(), "--platform", platform]
            .map(str::to_string)
            .to_vec()
    };

    // 40 submissions, interleaved across the platforms, all answered `pending`.
    for index in 0..IMPORTS {
        let file = dir.0.join(format!("import-{index}.xlsx"));
        std::fs::write(&file, workbook_of_emails(&emails_of(index))).unwrap();
        for platform in 0..PLATFORMS {
            let platform = format!("p{platform}");
            let id = format!("{platform}-import-{index}");
            let seats = SEATS.to_string();
            let mut args = vec![
                "submit",
                file.to_str().unwrap(),
                "--id",
                &id,
                "--seat-limit",
                &seats,
                "--json",
            ]
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
            args.extend(state(&platform));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = run(&binary, &dir.0, &args);
            assert_eq!(output.status.code(), Some(0), "submit {id}");
            let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            assert_eq!(answer["status"], "pending", "{id}");
        }
    }

    // Four worker processes, each until the queue is idle.
    let workers: Vec<_> = (0..PLATFORMS)
        .map(|_| {
            Command::new(&binary)
                .args(["work", "--until-idle", "--database-url", &url])
                .current_dir(&dir.0)
                .env("USER", "workers-test")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("a worker starts")
        })
        .collect();
    for worker in workers {
        let output = worker.wait_with_output().expect("the worker ends");
        assert_eq!(
            output.status.code(),
            Some(0),
            "a worker failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    let invitations = crate::crash::invitations(&dir.0);
    // One runtime for every store call below: a pool lives on the runtime that opened it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut invited_in_all = 0;
    for platform in 0..PLATFORMS {
        let platform = format!("p{platform}");
        let store = runtime
            .block_on(PostgresStore::connect(&url, platform.clone()))
            .unwrap();
        let snapshot = runtime.block_on(store.snapshot()).unwrap();
        let emails: Vec<&str> = snapshot.users.iter().map(|u| u.email.as_str()).collect();
        let distinct: BTreeSet<&str> = emails.iter().copied().collect();
        assert_eq!(distinct.len(), emails.len(), "{platform}: no email twice");
        assert!(
            emails.len() as u64 <= SEATS,
            "{platform}: {} users over {SEATS} seats",
            emails.len()
        );

        // The index: exactly this platform's ten imports, each finished.
        let index = runtime.block_on(store.list(100)).unwrap();
        let mut ids: Vec<String> = index.iter().map(|r| r.id.0.clone()).collect();
        ids.sort();
        let mut expected: Vec<String> = (0..IMPORTS)
            .map(|i| format!("{platform}-import-{i}"))
            .collect();
        expected.sort();
        assert_eq!(ids, expected, "{platform}: its own imports, once each");

        // Each completed import created exactly its emails that no earlier commit had; each
        // failed one was refused for seats and created no one. Together they made the users.
        let mut created: BTreeSet<String> = BTreeSet::new();
        let mut completed = 0;
        for listed in &index {
            // The index lists counts; the import's own record holds its lists.
            let record = runtime
                .block_on(store.get(&listed.id))
                .unwrap()
                .expect("the listed import");
            let summary = record
                .summary
                .as_ref()
                .expect("a finished import's summary");
            match record.status {
                ImportStatus::Completed => {
                    completed += 1;
                    for user in &summary.created {
                        assert!(
                            created.insert(user.email.clone()),
                            "{platform}: {} created by two imports",
                            user.email
                        );
                    }
                    assert_eq!(
                        record.invitations.sent, summary.counts.created,
                        "{platform} {}: every new user invited",
                        record.id
                    );
                }
                ImportStatus::Failed => {
                    assert!(
                        summary
                            .issues
                            .iter()
                            .any(|issue| issue.code == IssueCode::SeatLimit),
                        "{platform} {}: failed only for seats: {}",
                        record.id,
                        summary.reason
                    );
                    assert_eq!(summary.counts.created, 0);
                }
                other => panic!("{platform} {}: ended {other:?}", record.id),
            }
        }
        assert!(completed >= 5, "{platform}: {completed} imports completed");
        assert!(
            completed < IMPORTS,
            "{platform}: the last seats were raced for"
        );
        assert_eq!(
            created,
            distinct.iter().map(|e| e.to_string()).collect(),
            "{platform}: the users are what the completed imports created"
        );
        let committed: BTreeSet<String> = snapshot.committed.iter().cloned().collect();
        assert_eq!(committed.len(), completed, "{platform}: each commit once");
        invited_in_all += created.len();
    }

    // The four platforms share the mail folder: every new user of every platform got one
    // invitation, each with a Message-ID of its own.
    let message_ids: BTreeSet<&str> = invitations.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(
        (invitations.len(), message_ids.len()),
        (invited_in_all, invited_in_all),
        "one invitation per new user"
    );
}
