//! Worker processes of the example host killed with SIGKILL in the middle of an import: while
//! reading, while committing, while sending. The next worker finishes the import; every user
//! exists once and every new user is invited, a second copy of an invitation carrying the same
//! Message-ID.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::Value;
use user_import::adapters::sqlite::SqliteStore;
use user_import::{ImportId, ImportLog, ImportRecord, ImportStatus, Phase, UserStore};

use crate::cli::{TempDir, block_on, example, run, stdout};
use crate::common::users_workbook;

/// A filled-in template of `count` users `prefix0@example.com`, `prefix1@example.com`...
fn users_file(dir: &Path, prefix: &str, count: usize) -> PathBuf {
    let path = dir.join(format!("{prefix}.xlsx"));
    std::fs::write(&path, users_workbook(prefix, count)).unwrap();
    path
}

/// `submit FILE --id ID --json`, checked to answer pending at once.
fn submit(binary: &Path, dir: &Path, file: &Path, id: &str) {
    let output = run(
        binary,
        dir,
        &["submit", file.to_str().unwrap(), "--id", id, "--json"],
    );
    assert_eq!(output.status.code(), Some(0));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (&answer["id"], &answer["status"], &answer["replay"]),
        (
            &Value::from(id),
            &Value::from("pending"),
            &Value::from(false)
        )
    );
}

/// A `work` process that runs until it is killed; what it prints goes to `worker-*.log` in
/// `dir`, which [`wait_for`] shows when the import does not get where it should.
fn spawn_worker(binary: &Path, dir: &Path) -> Child {
    let log = |kind: &str| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        std::fs::File::create(dir.join(format!("worker-{nanos}.{kind}.log"))).unwrap()
    };
    Command::new(binary)
        .arg("work")
        .current_dir(dir)
        .env("USER", "crash-test")
        .stdout(log("out"))
        .stderr(log("err"))
        .spawn()
        .expect("the worker starts")
}

/// What the workers in `dir` printed.
fn worker_logs(dir: &Path) -> String {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs.iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            format!("--- {}\n{}", path.display(), tail.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kills `worker` with SIGKILL: no destructor, no flush, no goodbye to the queue.
fn kill(mut worker: Child) {
    worker.kill().expect("SIGKILL");
    worker.wait().expect("the worker is gone");
}

/// The example host's SQLite store in `dir`'s state folder.
fn state_store(dir: &Path) -> SqliteStore {
    let file = dir.join("user-import-state").join("user-import.db");
    block_on(SqliteStore::connect(
        &format!("sqlite://{}", file.display()),
        "default",
    ))
    .expect("the state database opens")
}

/// Polls the record of `id` every few milliseconds until `until` holds, for at most two
/// minutes; answers that record.
fn wait_for(
    store: &SqliteStore,
    dir: &Path,
    id: &str,
    what: &str,
    until: impl Fn(&ImportRecord) -> bool,
) -> ImportRecord {
    let started = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let record = block_on(store.get(&ImportId::from(id))).unwrap();
        if let Some(record) = &record {
            let state = format!("{:?} {:?}", record.status, record.progress);
            if seen.last() != Some(&state) {
                seen.push(state);
            }
            if until(record) {
                return record.clone();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "import {id} never got {what}; it went through {seen:#?}\n{}",
            worker_logs(dir)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn phase(record: &ImportRecord) -> Option<Phase> {
    record.progress.map(|p| p.phase)
}

/// Every `.eml` file's recipient and Message-ID.
pub(crate) fn invitations(dir: &Path) -> Vec<(String, String)> {
    let mail = dir.join("user-import-state").join("mail");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&mail).expect("the mail folder") {
        let path = entry.unwrap().path();
        // A worker killed mid-write leaves a hidden `.tmp` file, never a half `.eml`.
        if path.extension().is_none_or(|extension| extension != "eml") {
            continue;
        }
        let raw = std::fs::read_to_string(&path).unwrap();
        let header = |name: &str| {
            raw.lines()
                .find_map(|line| line.strip_prefix(name))
                .map(|value| value.trim().to_string())
                .unwrap_or_else(|| panic!("an invitation without {name}"))
        };
        let to = header("To: ");
        let to = to
            .rsplit_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map_or(to.clone(), |(address, _)| address.to_string());
        found.push((to, header("Message-ID: ")));
    }
    found
}

/// Every address in `expected` got an invitation; an address that got two got the same
/// Message-ID twice. Answers how many copies were sent in all.
fn check_invited(dir: &Path, expected: &BTreeSet<String>) -> usize {
    let sent = invitations(dir);
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (to, message_id) in &sent {
        ids.entry(to).or_default().insert(message_id);
    }
    let invited: BTreeSet<String> = ids.keys().map(|to| to.to_string()).collect();
    assert_eq!(
        invited.len(),
        expected.len(),
        "every new user is invited, and no one else"
    );
    assert!(invited == *expected, "the invited are the new users");
    for (to, message_ids) in &ids {
        assert_eq!(
            message_ids.len(),
            1,
            "{to}'s copies carry one Message-ID: {message_ids:?}"
        );
    }
    sent.len()
}

fn emails(prefix: &str, count: usize) -> BTreeSet<String> {
    (0..count)
        .map(|i| format!("{prefix}{i}@example.com"))
        .collect()
}

/// `work --until-idle`, checked to end well.
fn work_until_idle(binary: &Path, dir: &Path) {
    let output = run(binary, dir, &["work", "--until-idle"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "the queue is idle\n");
}

#[test]
fn a_worker_killed_while_reading_committing_and_sending_leaves_the_import_to_the_next() {
    const USERS: usize = 40_000;
    let binary = example();
    let dir = TempDir::new();
    let file = users_file(&dir.0, "crash", USERS);
    submit(&binary, &dir.0, &file, "crash");
    let store = state_store(&dir.0);

    // Killed while reading: nothing is written.
    let worker = spawn_worker(&binary, &dir.0);
    let seen = wait_for(&store, &dir.0, "crash", "reading", |r| {
        phase(r) == Some(Phase::Reading)
    });
    kill(worker);
    assert_eq!(seen.status, ImportStatus::Running);
    assert_eq!(block_on(store.count_active_users()).unwrap(), 0);

    // Killed while committing (the queue hands the job out again once the dead worker's
    // heartbeat stops): the transaction is rolled back, so still nothing is written.
    let worker = spawn_worker(&binary, &dir.0);
    wait_for(&store, &dir.0, "crash", "committing", |r| {
        phase(r) == Some(Phase::Committing)
    });
    kill(worker);
    let after = block_on(store.get(&ImportId::from("crash")))
        .unwrap()
        .unwrap();
    let users = block_on(store.count_active_users()).unwrap();
    assert!(
        (after.status, users) == (ImportStatus::Running, 0)
            || (after.status, users) == (ImportStatus::Completed, USERS as u64),
        "a commit is all or nothing: {:?} with {users} users",
        after.status
    );

    // Killed while sending: the users exist; some invitations went out.
    let worker = spawn_worker(&binary, &dir.0);
    let sending = wait_for(&store, &dir.0, "crash", "invitations sent", |r| {
        r.invitations.sent > 0
    });
    kill(worker);
    assert_eq!(sending.status, ImportStatus::Completed);
    assert_eq!(
        block_on(store.count_active_users()).unwrap(),
        USERS as u64,
        "committed once"
    );

    // The next worker sends the rest, including the batch the dead one had claimed.
    work_until_idle(&binary, &dir.0);
    let done = block_on(store.get(&ImportId::from("crash")))
        .unwrap()
        .unwrap();
    assert_eq!(done.status, ImportStatus::Completed);
    assert_eq!(done.summary.as_ref().unwrap().counts.created, USERS as u64);
    assert_eq!(
        (
            done.invitations.sent,
            done.invitations.failed,
            done.invitations.pending
        ),
        (USERS as u64, 0, 0)
    );
    let snapshot = block_on(store.snapshot()).unwrap();
    let stored: BTreeSet<String> = snapshot.users.iter().map(|u| u.email.clone()).collect();
    assert_eq!(snapshot.users.len(), USERS, "every user exists once");
    assert_eq!(stored, emails("crash", USERS));
    let copies = check_invited(&dir.0, &emails("crash", USERS));
    // A killed sender re-sends at most the batch it had claimed.
    assert!(copies - USERS <= 50, "{} second copies", copies - USERS);
}

#[test]
fn two_submits_then_a_worker_killed_three_seconds_in_then_work_until_idle_completes_both() {
    let binary = example();
    let dir = TempDir::new();
    let small = users_file(&dir.0, "small", 50);
    let big = users_file(&dir.0, "big", 100_000);
    submit(&binary, &dir.0, &small, "small");
    submit(&binary, &dir.0, &big, "big");
    let index = stdout(&run(&binary, &dir.0, &["imports"]));
    let statuses: Vec<(&str, &str)> = index
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            (words.next().unwrap(), words.next().unwrap())
        })
        .collect();
    assert_eq!(statuses, [("big", "pending"), ("small", "pending")]);

    let worker = spawn_worker(&binary, &dir.0);
    std::thread::sleep(Duration::from_secs(3));
    kill(worker);
    work_until_idle(&binary, &dir.0);

    let store = state_store(&dir.0);
    for (id, created) in [("small", 50), ("big", 100_000)] {
        let record = block_on(store.get(&ImportId::from(id))).unwrap().unwrap();
        assert_eq!(record.status, ImportStatus::Completed, "{id}");
        assert_eq!(record.summary.unwrap().counts.created, created, "{id}");
        assert_eq!(record.invitations.sent, created, "{id}");
    }
    assert_eq!(block_on(store.count_active_users()).unwrap(), 100_050);
    let mut expected = emails("small", 50);
    expected.extend(emails("big", 100_000));
    check_invited(&dir.0, &expected);
}
