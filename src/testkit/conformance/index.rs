//! The batch-imports index: records begun once, statuses that only move forward, listed
//! newest first; progress while an import runs, and its invitations counted from the outbox.

use chrono::Utc;

use super::{Conformant, commit_of, new_user, record};
use crate::issue::{Issue, IssueCode};
use crate::model::ImportId;
use crate::model::UserId;
use crate::store::{Begin, Claim, Delivery, InvitationTally, StoreError};
use crate::summary::CreatedUser;
use crate::summary::{ImportStatus, ImportSummary, Phase, Progress};

/// Progress is kept while an import is pending or running and shown by `get` and `list`; a
/// finished import's record is left as it is; an unknown id answers `NotFound`. Each record
/// answers its invitations as the outbox holds them: sent, failed, and not sent yet.
pub async fn import_log_keeps_progress_and_counts_invitations<S: Conformant>(store: &S) {
    let running = record("running");
    store.begin(&running).await.expect("begin");
    assert_eq!(
        store
            .get(&running.id)
            .await
            .expect("get")
            .expect("record")
            .progress,
        None,
        "a new record has no progress"
    );
    store
        .set_status(&running.id, ImportStatus::Running, None)
        .await
        .expect("running");
    let reading = Progress {
        phase: Phase::Reading,
        done: 1_500,
        total: Some(20_000),
    };
    store
        .set_progress(&running.id, &reading)
        .await
        .expect("progress");
    assert_eq!(
        progress_of(store, &running.id).await,
        Some(reading),
        "get answers the last progress"
    );
    let listed = store.list(10).await.expect("list");
    assert_eq!(
        listed.iter().map(|r| r.progress).collect::<Vec<_>>(),
        [Some(reading)],
        "list answers each record's progress"
    );
    let committing = Progress {
        phase: Phase::Committing,
        done: 20_000,
        total: Some(20_000),
    };
    store
        .set_progress(&running.id, &committing)
        .await
        .expect("progress");
    assert_eq!(
        store
            .get(&running.id)
            .await
            .expect("get")
            .expect("record")
            .progress,
        Some(committing),
        "a later progress replaces the earlier one"
    );

    // Committed, then two invitations sent, one failed, two left.
    let users = (0..5)
        .map(|i| new_user(i + 2, "User", &format!("tally{i}@example.com")))
        .collect();
    store
        .commit(&commit_of("mailed", users, &[]))
        .await
        .expect("commit");
    let mailed = ImportId::from("mailed");
    assert_eq!(
        store
            .get(&mailed)
            .await
            .expect("get")
            .expect("record")
            .invitations,
        InvitationTally {
            sent: 0,
            failed: 0,
            pending: 5
        },
        "every invitation the commit wrote is pending"
    );
    let now = Utc::now();
    let claimed = store
        .claim(&Claim {
            import: mailed.clone(),
            limit: 4,
            now,
            stale_before: now - chrono::Duration::minutes(5),
            retry_failed: false,
            after: None,
        })
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 4);
    store
        .record(&[
            (claimed[0].id.clone(), Delivery::Sent),
            (claimed[1].id.clone(), Delivery::Sent),
            (
                claimed[2].id.clone(),
                Delivery::Failed("mailbox full".into()),
            ),
        ])
        .await
        .expect("record");
    let expected = InvitationTally {
        sent: 2,
        failed: 1,
        pending: 2,
    };
    let got = store.get(&mailed).await.expect("get").expect("record");
    assert_eq!(
        got.invitations, expected,
        "sent, failed, and pending or being sent"
    );
    let listed = store.list(10).await.expect("list");
    assert_eq!(
        listed
            .iter()
            .map(|r| (r.id.as_str(), r.invitations))
            .collect::<Vec<_>>(),
        [
            ("mailed", expected),
            ("running", InvitationTally::default())
        ],
        "list counts each record's own invitations"
    );

    // A finished import keeps the progress it had.
    let done = Progress {
        phase: Phase::Done,
        done: 5,
        total: Some(5),
    };
    store.set_progress(&mailed, &done).await.expect("progress");
    assert_eq!(
        store
            .get(&mailed)
            .await
            .expect("get")
            .expect("record")
            .progress,
        got.progress,
        "a completed import's record is not changed by a late progress"
    );
    assert_eq!(got.status, ImportStatus::Completed);
    match store.set_progress(&ImportId::from("nope"), &done).await {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("an unknown import must answer NotFound, got {other:?}"),
    }
}

/// The progress `get` answers for `id`.
async fn progress_of<S: Conformant>(store: &S, id: &ImportId) -> Option<Progress> {
    store
        .get(id)
        .await
        .expect("get")
        .expect("the record")
        .progress
}

/// The log begins a record once, moves it through its statuses and lists newest first.
pub async fn import_log_begins_once_and_lists_newest_first<S: Conformant>(store: &S) {
    let first = record("first");
    assert_eq!(store.begin(&first).await.expect("begin"), Begin::Created);
    match store.begin(&first).await.expect("begin again") {
        Begin::Existing(existing) => assert_eq!(existing.status, ImportStatus::Pending),
        Begin::Created => panic!("a second begin must answer the existing record"),
    }
    store
        .set_status(&first.id, ImportStatus::Running, None)
        .await
        .expect("running");
    let summary = ImportSummary::new(first.id.clone(), ImportStatus::Failed);
    store
        .set_status(&first.id, ImportStatus::Failed, Some(&summary))
        .await
        .expect("failed");
    let got = store.get(&first.id).await.expect("get").expect("record");
    assert_eq!(got.status, ImportStatus::Failed);
    assert_eq!(got.summary, Some(summary.clone()));
    // Only forward: a failed import is neither run again nor completed, nor failed anew.
    for next in [
        ImportStatus::Running,
        ImportStatus::Completed,
        ImportStatus::Failed,
    ] {
        let other = ImportSummary::new(first.id.clone(), next);
        assert!(
            !store
                .set_status(&first.id, next, Some(&other))
                .await
                .expect("refused move"),
            "a failed import must not move to {next:?}"
        );
    }
    assert_eq!(
        store.get(&first.id).await.expect("get").expect("record"),
        got,
        "a refused move leaves the record exactly as it was"
    );
    // A completed import is never marked failed, but takes a newer summary.
    let done = record("done");
    store.begin(&done).await.expect("begin");
    let completed = ImportSummary::new(done.id.clone(), ImportStatus::Completed);
    assert!(
        store
            .set_status(&done.id, ImportStatus::Running, None)
            .await
            .expect("running")
    );
    assert!(
        store
            .set_status(&done.id, ImportStatus::Completed, Some(&completed))
            .await
            .expect("completed")
    );
    let failed = ImportSummary::new(done.id.clone(), ImportStatus::Failed);
    assert!(
        !store
            .set_status(&done.id, ImportStatus::Failed, Some(&failed))
            .await
            .expect("refused"),
        "a completed import must never be marked failed"
    );
    let mut later = completed.clone();
    later.invitations.sent = 3;
    assert!(
        store
            .set_status(&done.id, ImportStatus::Completed, Some(&later))
            .await
            .expect("later summary")
    );
    let got = store.get(&done.id).await.expect("get").expect("record");
    assert_eq!(
        (got.status, got.summary),
        (ImportStatus::Completed, Some(later))
    );
    assert_eq!(got.notes, first.notes);
    store.begin(&record("second")).await.expect("begin");
    store.begin(&record("third")).await.expect("begin");
    let listed: Vec<String> = store
        .list(2)
        .await
        .expect("list")
        .into_iter()
        .map(|r| r.id.0)
        .collect();
    assert_eq!(listed, ["third", "second"], "newest first, at most `limit`");
    match store
        .set_status(&ImportId::from("nope"), ImportStatus::Running, None)
        .await
    {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("an unknown import must answer NotFound, got {other:?}"),
    }
}

/// `list` answers each summary [brief](ImportSummary::brief) (its counts, no lists), whether
/// the summary came with a status or with the commit; `get` answers it whole.
pub async fn import_log_lists_brief_summaries<S: Conformant>(store: &S) {
    let failed = record("failed");
    store.begin(&failed).await.expect("begin");
    store
        .set_status(&failed.id, ImportStatus::Running, None)
        .await
        .expect("running");
    let mut summary = ImportSummary::new(failed.id.clone(), ImportStatus::Failed);
    summary.counts.rows = 2;
    summary.counts.failed_rows = 2;
    for row in [2, 3] {
        summary.issues.push(
            Issue::new(IssueCode::EmailInvalid)
                .at(row, "Email")
                .value("x"),
        );
    }
    store
        .set_status(&failed.id, ImportStatus::Failed, Some(&summary))
        .await
        .expect("failed");

    let mut commit = commit_of("done", vec![new_user(2, "Ann", "ann@example.com")], &[]);
    if let Some(done) = commit.record.summary.as_mut() {
        done.counts.rows = 1;
        done.counts.created = 1;
        done.created.push(CreatedUser {
            row: 2,
            id: UserId(String::new()),
            name: "Ann".into(),
            email: "ann@example.com".into(),
        });
    }
    store.commit(&commit).await.expect("commit");

    let listed = store.list(10).await.expect("list");
    let briefs: Vec<(&str, u64, u64, usize, usize, u64)> = listed
        .iter()
        .map(|record| {
            let summary = record
                .summary
                .as_ref()
                .expect("a finished import's summary");
            (
                record.id.as_str(),
                summary.counts.rows,
                summary.counts.created,
                summary.issues.len(),
                summary.created.len(),
                summary.issue_count(),
            )
        })
        .collect();
    assert_eq!(
        briefs,
        [("done", 1, 1, 0, 0, 0), ("failed", 2, 0, 0, 0, 2)],
        "list answers counts without lists"
    );
    let whole = store.get(&failed.id).await.expect("get").expect("record");
    assert_eq!(
        whole.summary.expect("summary").issues.len(),
        2,
        "get answers the issues"
    );
    let whole = store
        .get(&commit.record.id)
        .await
        .expect("get")
        .expect("record");
    assert_eq!(
        whole.summary.expect("summary").created.len(),
        1,
        "get answers the created users"
    );
}

/// The users an import created come back by row, a page at a time, with the ids the commit
/// answered; another import's users are not among them.
pub async fn created_users_come_by_row_a_page_at_a_time<S: Conformant>(store: &S) {
    let users = vec![
        new_user(7, "Cy Ode", "cy@example.com"),
        new_user(2, "Ann Lee", "ann@example.com"),
        new_user(4, "Bob Ray", "bob@example.com"),
    ];
    let receipt = store
        .commit(&commit_of("pages", users, &[]))
        .await
        .expect("commit");
    let other = vec![new_user(3, "Dee Fox", "dee@example.com")];
    store
        .commit(&commit_of("other", other, &[]))
        .await
        .expect("second commit");
    let id = ImportId::from("pages");
    let first = store.created_users(&id, 0, 2).await.expect("first page");
    let user = |row: u32, id: &UserId, name: &str, email: &str| CreatedUser {
        row,
        id: id.clone(),
        name: name.to_string(),
        email: email.to_string(),
    };
    assert_eq!(
        first,
        [
            user(2, &receipt.created[1], "Ann Lee", "ann@example.com"),
            user(4, &receipt.created[2], "Bob Ray", "bob@example.com"),
        ],
        "the first page holds the first rows, with the ids the commit answered"
    );
    let next = store.created_users(&id, 4, 2).await.expect("next page");
    assert_eq!(
        next,
        [user(7, &receipt.created[0], "Cy Ode", "cy@example.com")],
        "the next page starts after the last row read"
    );
    assert!(
        (store.created_users(&id, 7, 2).await.expect("past the end")).is_empty(),
        "no page past the last row"
    );
    assert!(
        (store.created_users(&ImportId::from("never"), 0, 10).await)
            .expect("an unknown import")
            .is_empty(),
        "an import that created no one answers an empty page"
    );
}
