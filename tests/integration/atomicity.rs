//! All or nothing, under injected faults and under concurrency; batched store calls.

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::prelude::*;
use user_import::faults::{Fault, Faulty};
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{ImportId, ImportRequest, ImportStatus, Importer, IssueCode, Schema, Stores};

use crate::common::filled;

/// One generated row: an email from a small pool (so rows collide with each other and with
/// existing users), and whether the row is valid.
#[derive(Debug, Clone)]
struct GenRow {
    email: usize,
    valid: bool,
}

#[derive(Debug, Clone)]
struct Case {
    existing: Vec<usize>,
    rows: Vec<GenRow>,
    groups: Vec<&'static str>,
    seat_limit: Option<u64>,
}

fn email(n: usize) -> String {
    format!("person{n}@example.com")
}

fn case() -> impl Strategy<Value = Case> {
    let row =
        (0usize..10, prop::bool::weighted(0.9)).prop_map(|(email, valid)| GenRow { email, valid });
    (
        prop::collection::btree_set(0usize..10, 0..4),
        prop::collection::vec(row, 1..7),
        prop::sample::subsequence(vec!["Nurses", "g-night", "Pilots"], 0..=2),
        prop::option::of(0u64..9),
    )
        .prop_map(|(existing, rows, groups, seat_limit)| Case {
            existing: existing.into_iter().collect(),
            rows,
            groups,
            seat_limit,
        })
}

fn base_store(case: &Case) -> MemoryStore {
    let store = MemoryStore::new();
    store.add_group("g-nurses", "Nurses");
    store.add_group("g-night", "Night shift");
    for n in &case.existing {
        store.add_user("Existing", &email(*n), &["g-nurses"]);
    }
    store
}

fn upload(case: &Case) -> Vec<u8> {
    let emails: Vec<String> = case
        .rows
        .iter()
        .map(|r| {
            if r.valid {
                email(r.email)
            } else {
                format!("person{}@", r.email)
            }
        })
        .collect();
    let rows: Vec<Vec<&str>> = emails
        .iter()
        .map(|e| vec!["Generated User", e.as_str(), "FR", "FR-75C", "fr"])
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    filled(&rows)
}

fn request(case: &Case) -> ImportRequest {
    let mut request = ImportRequest::new("prop", "prop.xlsx");
    request.groups = case.groups.iter().map(|g| g.to_string()).collect();
    request.seat_limit = case.seat_limit;
    request.message = "Welcome".into();
    request
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// For random files and a store that fails its Nth call, for every N: a failed import
    /// leaves every store as it was and sends nothing; a completed one committed everything.
    #[test]
    fn a_failed_import_leaves_every_store_as_it_was(case in case()) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let bytes = upload(&case);
        let request = request(&case);
        // Count the calls of a run without faults.
        let calls = {
            let store = Faulty::new(base_store(&case));
            let importer = Importer::new(Schema::default(), Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())));
            runtime.block_on(importer.run(&request, &bytes, &|_| {})).unwrap();
            store.calls()
        };
        prop_assert!(calls >= 3);
        for n in 1..=calls {
            let base = base_store(&case);
            let before = base.snapshot();
            let store = Faulty::new(base.clone()).with_fault(Fault::Fail(n));
            let mailer = MemoryMailer::new();
            let importer = Importer::new(Schema::default(), Stores::single(Arc::new(store), Arc::new(mailer.clone())));
            let outcome = runtime.block_on(importer.run(&request, &bytes, &|_| {}));
            let after = base.snapshot();
            match outcome {
                Ok(summary) if summary.status == ImportStatus::Completed => {
                    // The fault hit after the commit: everything the plan said is there.
                    for created in &summary.created {
                        prop_assert!(after.users.contains_key(&created.id), "call {n}: created user exists");
                    }
                    prop_assert_eq!(
                        after.users.len(),
                        before.users.len() + summary.created.len(),
                        "call {}: exactly the planned users were created", n
                    );
                    prop_assert!(after.committed.contains(&ImportId::from("prop")));
                }
                _ => {
                    prop_assert_eq!(after.without_log(), before.without_log(), "call {}: nothing changed", n);
                    prop_assert!(mailer.delivered().is_empty(), "call {}: no invitation sent", n);
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_imports_never_duplicate_or_overrun_and_each_is_all_or_nothing() {
    let store = MemoryStore::new();
    store.add_group("g1", "Nurses");
    store.add_user("Existing", "person0@example.com", &[]);
    store.add_user("Existing", "person1@example.com", &[]);
    let limit = 10u64;
    let mailer = MemoryMailer::new();
    let importer = Arc::new(Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(mailer.clone())),
    ));
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let importer = importer.clone();
            // Each import: five of fourteen emails, overlapping its neighbours'.
            let emails: Vec<String> = (0..5).map(|j| email((i * 3 + j) % 14)).collect();
            tokio::spawn(async move {
                let rows: Vec<Vec<&str>> = emails
                    .iter()
                    .map(|e| vec!["Racer", e.as_str(), "CA", "QC", "en"])
                    .collect();
                let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
                let bytes = filled(&rows);
                let mut request = ImportRequest::new(format!("race-{i}"), "race.xlsx");
                request.seat_limit = Some(limit);
                request.groups = vec!["Nurses".into()];
                let summary = importer.run(&request, &bytes, &|_| {}).await.unwrap();
                (request.id, emails, summary)
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let state = store.snapshot();
    // No duplicate user: one account per email key.
    let keys: BTreeSet<&str> = state.users.values().map(|u| u.email_key.as_str()).collect();
    assert_eq!(keys.len(), state.users.len(), "no email has two accounts");
    // The seat limit never exceeded.
    let active = state.users.values().filter(|u| u.active).count() as u64;
    assert!(
        active <= limit,
        "{active} active users for a limit of {limit}"
    );
    let mut completed = 0;
    for (id, emails, summary) in &results {
        let created_here: Vec<_> = state
            .users
            .values()
            .filter(|u| u.import.as_ref() == Some(id))
            .collect();
        match summary.status {
            ImportStatus::Completed => {
                completed += 1;
                assert_eq!(
                    created_here.len(),
                    summary.created.len(),
                    "{id}: all of its creates"
                );
                // Every row of the file is accounted for, and every email now has an account
                // in the group.
                assert_eq!(
                    summary.counts.created + summary.counts.groups_added + summary.counts.untouched,
                    emails.len() as u64
                );
                for address in emails {
                    let user = &state.emails[address];
                    assert!(
                        state.memberships.contains(&(user.clone(), "g1".into())),
                        "{id}: {address} in the group"
                    );
                }
            }
            ImportStatus::Failed => {
                assert!(
                    created_here.is_empty(),
                    "{id}: a failed import created no one"
                );
                assert_eq!(
                    summary.issues.last().unwrap().code,
                    IssueCode::SeatLimit,
                    "{id}: says why"
                );
                assert!(
                    summary.reason.contains(" left (")
                        && (summary.reason.contains("seats are")
                            || summary.reason.contains("seat is")),
                    "{id}: {}",
                    summary.reason
                );
            }
            other => panic!("{id}: unexpected status {other:?}"),
        }
    }
    assert!(completed >= 1);
    // Invitations went to created users only, once each.
    let invited: Vec<String> = mailer.delivered().into_iter().map(|i| i.email).collect();
    let unique: BTreeSet<&String> = invited.iter().collect();
    assert_eq!(unique.len(), invited.len(), "no one invited twice");
    assert_eq!(
        invited.len() as u64,
        active - 2,
        "every created user invited"
    );
}

async fn import_rows(rows: usize, batch: usize) -> Faulty<MemoryStore> {
    let emails: Vec<String> = (0..rows).map(|i| format!("user{i}@example.com")).collect();
    let data: Vec<Vec<&str>> = emails
        .iter()
        .map(|e| vec!["Bulk User", e.as_str(), "US", "US-NY", "en"])
        .collect();
    let data: Vec<&[&str]> = data.iter().map(|r| r.as_slice()).collect();
    let bytes = filled(&data);
    let store = Faulty::new(MemoryStore::new());
    // A tenth of the emails already have accounts.
    for e in emails.iter().step_by(10) {
        store.inner().add_user("Existing", e, &[]);
    }
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())),
    )
    .batch_size(batch);
    let summary = importer
        .run(&ImportRequest::new("bulk", "bulk.xlsx"), &bytes, &|_| {})
        .await
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(summary.counts.created as usize, rows - rows / 10);
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_calls_grow_with_rows_divided_by_batch_size_not_with_rows() {
    let batch = 1_000;
    for rows in [10_000usize, 100_000] {
        let store = import_rows(rows, batch).await;
        let calls = store.calls_by_method();
        let batches = rows.div_ceil(batch) as u64;
        let creates = (rows - rows / 10) as u64;
        // Invitations are claimed, sent and recorded 50 at a time (`Importer::invite_batch`).
        let invite_batches = creates.div_ceil(50);
        assert_eq!(
            calls["find_by_email_keys"], batches,
            "{rows} rows: one lookup per batch"
        );
        assert_eq!(calls["commit"], 1, "{rows} rows: one commit");
        assert_eq!(calls["count_active_users"], 1);
        assert_eq!(calls["resolve"], 1);
        // One claim per batch of invitations, then two that find none: one after the last
        // invitation claimed, one from the first (for what a sender let go stale).
        assert_eq!(calls["claim"], invite_batches + 2, "{rows} rows");
        assert_eq!(calls["record"], invite_batches, "{rows} rows");
        let total: u64 = calls.values().sum();
        assert!(
            // The calls that do not grow with the rows (the record, the seats, the groups,
            // the commit, the last two claims) are a dozen.
            total <= batches + 2 * invite_batches + 12,
            "{rows} rows: {total} store calls, not one per row"
        );
    }
}
