//! The conformance suite: public checks that every store implementation runs in its own tests,
//! so the in-memory store, a SQL store and a host's own store keep one contract.
//!
//! Each check takes a fresh, empty store and panics with a message naming the broken rule.
//! [`run_all`] runs every check, each on a new store.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use user_import::conformance;
//! use user_import::memory::MemoryStore;
//!
//! conformance::run_all(|| async { MemoryStore::new() }).await;
//! # });
//! ```

mod index;

use std::future::Future;

use async_trait::async_trait;
use chrono::{Duration, Utc};

use crate::check::records::NewUser;
use crate::error::Conflict;
use crate::model::{CourseId, Group, GroupAddition, GroupId, ImportId, UserId};
use crate::store::{
    Claim, Commit, Delivery, DeliveryStatus, Enroller, GroupStore, ImportLog, ImportRecord, Outbox,
    StoreError, UserStore,
};
use crate::summary::{ImportStatus, ImportSummary};

/// Creating one group by id and name, for set-up code written before
/// [`GroupStore::create_groups`] existed: every group store has it. New code calls
/// `create_groups` (or [`groups`] here) instead.
#[async_trait]
pub trait Seed: Send + Sync {
    /// Creates a group with `id` and `name`, unless a group with that id (or name) exists.
    async fn seed_group(&self, id: &str, name: &str) -> Result<(), StoreError>;
}

#[async_trait]
impl<T: GroupStore + ?Sized> Seed for T {
    async fn seed_group(&self, id: &str, name: &str) -> Result<(), StoreError> {
        self.create_groups(&[group(id, name)]).await.map(|_| ())
    }
}

pub use index::{
    created_users_come_by_row_a_page_at_a_time, import_log_begins_once_and_lists_newest_first,
    import_log_keeps_progress_and_counts_invitations, import_log_lists_brief_summaries,
};

/// Everything a store must implement to run the suite.
pub trait Conformant: UserStore + GroupStore + ImportLog + Outbox + Enroller {}

impl<T: UserStore + GroupStore + ImportLog + Outbox + Enroller> Conformant for T {}

/// Runs every check, each on a store from `fresh`.
pub async fn run_all<S, F, Fut>(mut fresh: F)
where
    S: Conformant,
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
{
    lookups_answer_only_existing_keys(&fresh().await).await;
    commit_writes_users_memberships_outbox_and_record(&fresh().await).await;
    commit_with_a_taken_email_writes_nothing(&fresh().await).await;
    commit_holds_the_seat_limit(&fresh().await).await;
    commit_applies_an_import_once(&fresh().await).await;
    import_log_lists_brief_summaries(&fresh().await).await;
    created_users_come_by_row_a_page_at_a_time(&fresh().await).await;
    commit_refuses_an_import_a_twin_failed(&fresh().await).await;
    commit_refuses_additions_for_missing_users(&fresh().await).await;
    group_additions_skip_existing_memberships(&fresh().await).await;
    groups_resolve_by_id_or_name(&fresh().await).await;
    groups_are_created_once_and_listed_by_id(&fresh().await).await;
    import_log_begins_once_and_lists_newest_first(&fresh().await).await;
    import_log_keeps_progress_and_counts_invitations(&fresh().await).await;
    outbox_claims_each_invitation_once(&fresh().await).await;
    enrollment_is_idempotent(&fresh().await).await;
    concurrent_commits_never_duplicate_or_overrun(&fresh().await).await;
}

/// A group with `id` and `name`.
pub fn group(id: &str, name: &str) -> Group {
    Group {
        id: GroupId::from(id),
        name: name.to_string(),
    }
}

/// Creates the groups `(id, name)` in `store` (test set-up).
///
/// # Panics
///
/// When the store answers an error.
pub async fn groups<S: GroupStore + ?Sized>(store: &S, groups: &[(&str, &str)]) {
    let groups: Vec<Group> = groups.iter().map(|(id, name)| group(id, name)).collect();
    store
        .create_groups(&groups)
        .await
        .expect("create_groups answers");
}

/// A new user for `email`.
pub fn new_user(row: u32, name: &str, email: &str) -> NewUser {
    NewUser::new(row, name, email, [("language", "fr")])
}

/// A pending record for import `id`.
pub fn record(id: &str) -> ImportRecord {
    let now = Utc::now();
    ImportRecord {
        id: ImportId::from(id),
        file_name: format!("{id}.xlsx"),
        uploaded_by: "admin@example.com".to_string(),
        groups: Vec::new(),
        message: format!("Welcome, from {id}"),
        notes: String::new(),
        status: ImportStatus::Pending,
        created_at: now,
        updated_at: now,
        summary: None,
        progress: None,
        invitations: crate::store::InvitationTally::default(),
    }
}

/// A commit of import `id` creating `users` in `groups`.
pub fn commit_of(id: &str, users: Vec<NewUser>, groups: &[&str]) -> Commit {
    let mut record = record(id);
    record.status = ImportStatus::Completed;
    record.groups = groups.iter().map(|g| GroupId::from(*g)).collect();
    record.summary = Some(ImportSummary::new(
        record.id.clone(),
        ImportStatus::Completed,
    ));
    Commit {
        groups: record.groups.clone(),
        record,
        creates: users.into(),
        additions: Vec::new(),
        seat_limit: None,
    }
}

async fn keys_found<S: Conformant>(store: &S, keys: &[&str]) -> Vec<String> {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let mut found: Vec<String> = store
        .find_by_email_keys(&keys)
        .await
        .expect("find_by_email_keys answers")
        .into_iter()
        .map(|u| u.email_key)
        .collect();
    found.sort();
    found
}

/// `find_by_email_keys` answers the users whose key is asked for, and no one else.
pub async fn lookups_answer_only_existing_keys<S: Conformant>(store: &S) {
    groups(store, &[("g1", "Nurses")]).await;
    store
        .commit(&commit_of(
            "seed",
            vec![
                new_user(2, "Ann Lee", "Ann@Example.com"),
                new_user(3, "Bob Roy", "bob@example.com"),
            ],
            &["g1"],
        ))
        .await
        .expect("seed commit");
    assert_eq!(
        keys_found(store, &["ann@example.com", "nobody@example.com"]).await,
        ["ann@example.com"],
        "lookups answer existing keys only"
    );
    assert!(
        keys_found(store, &[]).await.is_empty(),
        "an empty lookup answers nothing"
    );
    assert!(
        keys_found(store, &["Ann@Example.com"]).await.is_empty(),
        "keys are compared as given (lower case)"
    );
    let found = store
        .find_by_email_keys(&["bob@example.com".to_string()])
        .await
        .expect("lookup");
    assert_eq!(
        found[0].groups,
        [GroupId::from("g1")],
        "lookups answer the user's groups"
    );
}

/// A commit writes the users, their memberships, one pending invitation each and the record.
pub async fn commit_writes_users_memberships_outbox_and_record<S: Conformant>(store: &S) {
    groups(store, &[("g1", "Nurses")]).await;
    let before = store.count_active_users().await.expect("count");
    let commit = commit_of(
        "imp-1",
        vec![
            new_user(2, "Ann Lee", "ann@example.com"),
            new_user(3, "Bob Roy", "bob@example.com"),
        ],
        &["g1"],
    );
    let receipt = store.commit(&commit).await.expect("commit succeeds");
    assert_eq!(receipt.created.len(), 2, "one id per created user");
    assert_ne!(receipt.created[0], receipt.created[1], "ids are distinct");
    assert_eq!(
        store.count_active_users().await.expect("count"),
        before + 2,
        "created users are active"
    );
    let found = store
        .find_by_email_keys(&["ann@example.com".to_string()])
        .await
        .expect("lookup");
    assert_eq!(found[0].id, receipt.created[0], "ids follow creates order");
    assert_eq!(
        found[0].groups,
        [GroupId::from("g1")],
        "created users join the groups"
    );
    let outbox = store
        .invitations(&ImportId::from("imp-1"))
        .await
        .expect("outbox");
    assert_eq!(outbox.len(), 2, "one invitation per created user");
    let ann = outbox
        .iter()
        .find(|i| i.email == "ann@example.com")
        .expect("Ann's invitation");
    assert_eq!(ann.status, DeliveryStatus::Pending);
    assert_eq!(ann.message, "Welcome, from imp-1", "the import's message");
    assert_eq!(ann.language, "fr", "the user's language");
    assert_eq!(ann.user, receipt.created[0]);
    let record = store
        .get(&ImportId::from("imp-1"))
        .await
        .expect("get")
        .expect("the commit writes the record");
    assert_eq!(record.status, ImportStatus::Completed);
}

/// A commit whose email is taken answers a conflict and writes nothing.
pub async fn commit_with_a_taken_email_writes_nothing<S: Conformant>(store: &S) {
    groups(store, &[("g1", "Nurses")]).await;
    store
        .commit(&commit_of(
            "seed",
            vec![new_user(2, "Ann", "ann@example.com")],
            &[],
        ))
        .await
        .expect("seed");
    let active = store.count_active_users().await.expect("count");
    let outcome = store
        .commit(&commit_of(
            "imp-2",
            vec![
                new_user(2, "Cy", "cy@example.com"),
                new_user(3, "Ann again", "ANN@example.com"),
            ],
            &["g1"],
        ))
        .await;
    match outcome {
        Err(StoreError::Conflict(Conflict::EmailTaken(keys))) => {
            assert_eq!(
                keys,
                ["ann@example.com"],
                "the conflict names the taken key"
            )
        }
        other => panic!("a taken email must answer EmailTaken, got {other:?}"),
    }
    assert_eq!(store.count_active_users().await.expect("count"), active);
    assert!(
        keys_found(store, &["cy@example.com"]).await.is_empty(),
        "nothing of the failed commit is written"
    );
    assert!(
        store
            .invitations(&ImportId::from("imp-2"))
            .await
            .expect("outbox")
            .is_empty()
    );
    assert!(
        store
            .get(&ImportId::from("imp-2"))
            .await
            .expect("get")
            .is_none_or(|r| r.status != ImportStatus::Completed),
        "the failed commit writes no completed record"
    );
}

/// Active users plus creates may reach the seat limit, not pass it.
pub async fn commit_holds_the_seat_limit<S: Conformant>(store: &S) {
    store
        .commit(&commit_of(
            "seed",
            vec![new_user(2, "Ann", "ann@example.com")],
            &[],
        ))
        .await
        .expect("seed");
    let mut over = commit_of(
        "over",
        vec![
            new_user(2, "Bob", "bob@example.com"),
            new_user(3, "Cy", "cy@example.com"),
        ],
        &[],
    );
    over.seat_limit = Some(2);
    match store.commit(&over).await {
        Err(StoreError::Conflict(Conflict::SeatsExhausted { active, limit })) => {
            assert_eq!(
                (active, limit),
                (1, 2),
                "the conflict says active and limit"
            )
        }
        other => panic!("one over the limit must answer SeatsExhausted, got {other:?}"),
    }
    assert_eq!(store.count_active_users().await.expect("count"), 1);
    let mut exact = commit_of("exact", vec![new_user(2, "Bob", "bob@example.com")], &[]);
    exact.seat_limit = Some(2);
    store
        .commit(&exact)
        .await
        .expect("reaching the limit exactly is allowed");
    assert_eq!(store.count_active_users().await.expect("count"), 2);
}

/// An import id commits once; the second commit answers `AlreadyCommitted`.
pub async fn commit_applies_an_import_once<S: Conformant>(store: &S) {
    store
        .commit(&commit_of(
            "twice",
            vec![new_user(2, "Ann", "ann@example.com")],
            &[],
        ))
        .await
        .expect("first commit");
    match store
        .commit(&commit_of(
            "twice",
            vec![new_user(2, "Bob", "bob@example.com")],
            &[],
        ))
        .await
    {
        Err(StoreError::Conflict(Conflict::AlreadyCommitted)) => {}
        other => {
            panic!("a second commit of one import must answer AlreadyCommitted, got {other:?}")
        }
    }
    assert!(keys_found(store, &["bob@example.com"]).await.is_empty());
}

/// A commit for an import whose record already ended failed (a twin of the same id whose file
/// had problems) answers `AlreadyFailed`, writes nothing, and leaves the record failed.
pub async fn commit_refuses_an_import_a_twin_failed<S: Conformant>(store: &S) {
    let failed = record("twin");
    store.begin(&failed).await.expect("begin");
    store
        .set_status(&failed.id, ImportStatus::Running, None)
        .await
        .expect("running");
    let summary = ImportSummary::new(failed.id.clone(), ImportStatus::Failed);
    assert!(
        store
            .set_status(&failed.id, ImportStatus::Failed, Some(&summary))
            .await
            .expect("failed"),
        "running may become failed"
    );
    match store
        .commit(&commit_of(
            "twin",
            vec![new_user(2, "Ann", "ann@example.com")],
            &[],
        ))
        .await
    {
        Err(StoreError::Conflict(Conflict::AlreadyFailed)) => {}
        other => panic!("a commit of a failed import must answer AlreadyFailed, got {other:?}"),
    }
    assert!(keys_found(store, &["ann@example.com"]).await.is_empty());
    assert_eq!(store.count_active_users().await.expect("count"), 0);
    assert_eq!(
        store
            .get(&failed.id)
            .await
            .expect("get")
            .expect("record")
            .status,
        ImportStatus::Failed
    );
}

/// A group addition for a user that does not exist answers a conflict.
pub async fn commit_refuses_additions_for_missing_users<S: Conformant>(store: &S) {
    groups(store, &[("g1", "Nurses")]).await;
    let mut commit = commit_of(
        "stale",
        vec![new_user(2, "Ann", "ann@example.com")],
        &["g1"],
    );
    commit.additions.push(GroupAddition {
        row: 3,
        user: UserId::from("no-such-user"),
        email_key: "ghost@example.com".to_string(),
        groups: vec![GroupId::from("g1")],
    });
    match store.commit(&commit).await {
        Err(StoreError::Conflict(Conflict::Stale(_))) => {}
        other => panic!("an addition for a missing user must answer Stale, got {other:?}"),
    }
    assert!(keys_found(store, &["ann@example.com"]).await.is_empty());
}

/// Group additions add missing memberships and skip the ones the user has.
pub async fn group_additions_skip_existing_memberships<S: Conformant>(store: &S) {
    groups(store, &[("g1", "Nurses"), ("g2", "Night shift")]).await;
    let seeded = store
        .commit(&commit_of(
            "seed",
            vec![new_user(2, "Ann", "ann@example.com")],
            &["g1"],
        ))
        .await
        .expect("seed");
    let ann = seeded.created[0].clone();
    let mut commit = commit_of("adds", Vec::new(), &["g1", "g2"]);
    commit.additions.push(GroupAddition {
        row: 2,
        user: ann.clone(),
        email_key: "ann@example.com".to_string(),
        groups: vec![GroupId::from("g1"), GroupId::from("g2")],
    });
    store
        .commit(&commit)
        .await
        .expect("an existing membership is skipped, not an error");
    let found = store
        .find_by_email_keys(&["ann@example.com".to_string()])
        .await
        .expect("lookup");
    let mut groups = found[0].groups.clone();
    groups.sort();
    assert_eq!(groups, [GroupId::from("g1"), GroupId::from("g2")]);
    assert!(
        store
            .invitations(&ImportId::from("adds"))
            .await
            .expect("outbox")
            .is_empty(),
        "group additions invite no one"
    );
}

/// Groups resolve by id or by name; unknown ones are left out.
pub async fn groups_resolve_by_id_or_name<S: Conformant>(store: &S) {
    groups(store, &[("g1", "Nurses"), ("g2", "Night shift")]).await;
    let wanted: Vec<String> = ["g1", "Night shift", "Ghosts"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut found: Vec<String> = store
        .resolve(&wanted)
        .await
        .expect("resolve")
        .into_iter()
        .map(|g| g.id.0)
        .collect();
    found.sort();
    assert_eq!(found, ["g1", "g2"]);
}

/// Creating groups is idempotent: an existing id, else an existing name, answers the group as
/// the store holds it; the list answers every group once, by id.
pub async fn groups_are_created_once_and_listed_by_id<S: Conformant>(store: &S) {
    assert!(
        store.list_groups().await.expect("list").is_empty(),
        "a new platform has no group"
    );
    assert!(
        store.create_groups(&[]).await.expect("create").is_empty(),
        "creating no group answers none"
    );
    let created = store
        .create_groups(&[group("g2", "Night shift"), group("g1", "Nurses")])
        .await
        .expect("create");
    assert_eq!(
        created,
        [group("g2", "Night shift"), group("g1", "Nurses")],
        "new groups are answered as asked, in the order asked"
    );
    let again = store
        .create_groups(&[
            group("g1", "Renamed"),
            group("g3", "Nurses"),
            group("g4", "Pilots"),
            group("g5", "Pilots"),
            group("g1", "Nurses"),
        ])
        .await
        .expect("create again");
    assert_eq!(
        again,
        [
            group("g1", "Nurses"),
            group("g1", "Nurses"),
            group("g4", "Pilots"),
            group("g4", "Pilots"),
            group("g1", "Nurses"),
        ],
        "an existing id, else an existing name, answers the held group unchanged"
    );
    assert_eq!(
        store.list_groups().await.expect("list"),
        [
            group("g1", "Nurses"),
            group("g2", "Night shift"),
            group("g4", "Pilots"),
        ],
        "every group once, by id"
    );
    assert_eq!(
        store
            .resolve(&["Pilots".to_string()])
            .await
            .expect("resolve"),
        [group("g4", "Pilots")],
        "created groups resolve"
    );
}

/// Claims never answer one invitation twice; sent ones are never claimed again; failed ones
/// only by a claim that retries failures; stale claims are claimed again.
pub async fn outbox_claims_each_invitation_once<S: Conformant>(store: &S) {
    let users: Vec<NewUser> = (0..5)
        .map(|i| new_user(i + 2, "User", &format!("user{i}@example.com")))
        .collect();
    store
        .commit(&commit_of("mail", users, &[]))
        .await
        .expect("commit");
    let now = Utc::now();
    let claim = |limit: usize, at: chrono::DateTime<Utc>, retry_failed: bool| Claim {
        import: ImportId::from("mail"),
        limit,
        now: at,
        stale_before: at - Duration::minutes(15),
        retry_failed,
        after: None,
    };
    let first = store.claim(&claim(2, now, false)).await.expect("claim");
    let second = store.claim(&claim(10, now, false)).await.expect("claim");
    assert_eq!(first.len(), 2, "a claim takes at most `limit`");
    assert_eq!(second.len(), 3, "a second claim takes the rest");
    assert!(
        first.iter().all(|a| second.iter().all(|b| a.id != b.id)),
        "no invitation is claimed twice"
    );
    assert!(
        store
            .claim(&claim(10, now, true))
            .await
            .expect("claim")
            .is_empty(),
        "claimed invitations are not claimed again before they are stale"
    );
    let mut outcomes: Vec<(crate::model::InvitationId, Delivery)> = first
        .iter()
        .map(|i| (i.id.clone(), Delivery::Sent))
        .collect();
    outcomes.push((
        second[0].id.clone(),
        Delivery::Failed("mailbox full".into()),
    ));
    store.record(&outcomes).await.expect("record");
    assert!(
        store
            .claim(&claim(10, now, false))
            .await
            .expect("claim")
            .is_empty(),
        "a failed invitation waits for a resend"
    );
    let retry = store.claim(&claim(10, now, true)).await.expect("claim");
    assert_eq!(retry.len(), 1, "a resend claims the failed one only");
    assert_eq!(retry[0].id, second[0].id);
    assert_eq!(retry[0].attempts, 1);
    assert_eq!(retry[0].last_error.as_deref(), Some("mailbox full"));
    // Three are still claimed (two never recorded, one just retried); two hours on they are stale.
    let stale = store
        .claim(&claim(10, now + Duration::hours(2), true))
        .await
        .expect("claim");
    assert_eq!(stale.len(), 3, "stale claims are claimed again");
    let all = store
        .invitations(&ImportId::from("mail"))
        .await
        .expect("outbox");
    assert_eq!(
        all.iter()
            .filter(|i| i.status == DeliveryStatus::Sent)
            .count(),
        2
    );
}

/// Enrolling twice is not an error and enrolls once.
pub async fn enrollment_is_idempotent<S: Conformant>(store: &S) {
    let receipt = store
        .commit(&commit_of(
            "enr",
            vec![new_user(2, "Ann", "ann@example.com")],
            &[],
        ))
        .await
        .expect("commit");
    let courses = [CourseId::from("c1"), CourseId::from("c2")];
    store
        .enroll(&receipt.created, &courses)
        .await
        .expect("enroll");
    store
        .enroll(&receipt.created, &courses)
        .await
        .expect("enrolling again is not an error");
}

/// Commits racing for the same emails and the last seats: each email taken once, the limit
/// never passed, each commit all or nothing.
pub async fn concurrent_commits_never_duplicate_or_overrun<S: Conformant>(store: &S) {
    let commits: Vec<Commit> = (0..8)
        .map(|i| {
            let users = (0..4)
                .map(|j| new_user(j + 2, "User", &format!("user{}@example.com", i + j)))
                .collect();
            let mut commit = commit_of(&format!("race-{i}"), users, &[]);
            commit.seat_limit = Some(10);
            commit
        })
        .collect();
    let outcomes = join_all(commits.iter().map(|c| store.commit(c))).await;
    let mut winners = 0;
    for (commit, outcome) in commits.iter().zip(&outcomes) {
        let keys: Vec<String> = commit
            .creates
            .email_keys()
            .map(|key| key.into_owned())
            .collect();
        let found = store.find_by_email_keys(&keys).await.expect("lookup");
        match outcome {
            Ok(receipt) => {
                winners += 1;
                for id in &receipt.created {
                    assert!(found.iter().any(|u| u.id == *id), "a winner's users exist");
                }
            }
            Err(StoreError::Conflict(_)) => {
                let invitations = store.invitations(&commit.record.id).await.expect("outbox");
                assert!(invitations.is_empty(), "a loser writes no invitation");
            }
            Err(other) => panic!("a race must end in success or a conflict, got {other}"),
        }
    }
    let active = store.count_active_users().await.expect("count");
    assert!(active <= 10, "the seat limit holds: {active} active");
    assert_eq!(
        active,
        winners * 4,
        "every winner wrote all its users, no loser any"
    );
    assert!(winners >= 1, "one commit wins");
}

/// Polls futures together on the current task (no runtime needed).
async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut all = true;
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *slot = Some(value),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(done.iter_mut().filter_map(Option::take).collect())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}
