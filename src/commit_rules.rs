//! The rules a commit re-checks under the store's write lock, written once for every store.
//!
//! The plan was made against what the store held when the import looked its users up; by the
//! time the commit takes the lock, another writer may have committed the same import, taken an
//! email, used the last seats or removed a user or a group. [`check_commit`] answers the first
//! such [`Conflict`], or `Ok` when the commit may be written as planned. A store reads what the
//! rules ask through [`CommitView`], under the same lock as its writes, so nothing changes
//! between the check and the write.

use std::collections::BTreeSet;

use crate::{Commit, Conflict, GroupId, ImportId, UserId};

/// What a store holds, as the commit's rules ask it, read under the store's write lock.
///
/// A store may read everything up front (a SQL store asks a few bulk queries and answers from
/// their rows) or answer each question from its own state (the in-memory store).
pub trait CommitView {
    /// Whether the import `import` was committed before.
    fn is_committed(&self, import: &ImportId) -> bool;

    /// Whether the record of the import `import` already ended failed (a twin submission of
    /// the same id with a file that has problems, say).
    fn has_failed(&self, import: &ImportId) -> bool;

    /// Whether a user holds the email match key `key`.
    fn email_taken(&self, key: &str) -> bool;

    /// The number of users that hold a seat. Asked only when a seat limit applies (the
    /// commit's or the store's) and the commit creates users.
    fn active_users(&self) -> u64;

    /// The seat limit the store holds for the platform, read under the lock, so that a limit
    /// lowered while the import waited for the lock holds; `None` when the store holds none
    /// (the default). The commit holds the lower of it and [`Commit::seat_limit`].
    fn seat_limit(&self) -> Option<u64> {
        None
    }

    /// Whether the user `user` exists. Asked for the users of the group additions.
    fn user_exists(&self, user: &UserId) -> bool;

    /// Whether the group `group` exists. Asked for the import's groups and the groups of the
    /// additions.
    fn group_exists(&self, group: &GroupId) -> bool;
}

/// Checks `commit` against what the store holds, in this order, and answers the first conflict:
///
/// 1. the import was committed before: [`Conflict::AlreadyCommitted`]; its record already
///    ended failed: [`Conflict::AlreadyFailed`];
/// 2. email keys of [`Commit::creates`] that a user holds: [`Conflict::EmailTaken`] with those
///    keys, in `creates` order;
/// 3. an email key that two of `creates` share: [`Conflict::EmailTaken`] with that key;
/// 4. when `creates` is not empty, active users plus `creates` over the lower of
///    [`Commit::seat_limit`] and the store's own limit ([`CommitView::seat_limit`]):
///    [`Conflict::SeatsExhausted`] (group additions take no seat);
/// 5. a user of [`Commit::additions`] that does not exist: [`Conflict::Stale`];
/// 6. a group of [`Commit::groups`] or of the additions that does not exist, the first in that
///    order: [`Conflict::Stale`].
///
/// # Errors
///
/// The first conflict found; the store then writes nothing.
pub fn check_commit(commit: &Commit, view: &impl CommitView) -> Result<(), Conflict> {
    if view.is_committed(&commit.record.id) {
        return Err(Conflict::AlreadyCommitted);
    }
    if view.has_failed(&commit.record.id) {
        return Err(Conflict::AlreadyFailed);
    }
    let taken: Vec<String> = commit
        .creates
        .email_keys()
        .filter(|key| view.email_taken(key))
        .map(|key| key.into_owned())
        .collect();
    if !taken.is_empty() {
        return Err(Conflict::EmailTaken(taken));
    }
    let mut keys = BTreeSet::new();
    if let Some(key) = commit
        .creates
        .email_keys()
        .find(|key| !keys.insert(key.clone()))
    {
        return Err(Conflict::EmailTaken(vec![key.into_owned()]));
    }
    let limit = tighter_seat_limit(commit.seat_limit, view.seat_limit());
    if let Some(limit) = limit.filter(|_| !commit.creates.is_empty()) {
        let active = view.active_users();
        if active + commit.creates.len() as u64 > limit {
            return Err(Conflict::SeatsExhausted { active, limit });
        }
    }
    if let Some(addition) = commit.additions.iter().find(|a| !view.user_exists(&a.user)) {
        return Err(Conflict::Stale(format!(
            "user {} no longer exists",
            addition.user
        )));
    }
    let mut groups = commit
        .groups
        .iter()
        .chain(commit.additions.iter().flat_map(|a| a.groups.iter()));
    if let Some(group) = groups.find(|group| !view.group_exists(group)) {
        return Err(Conflict::Stale(format!("group {group} no longer exists")));
    }
    Ok(())
}

/// The limit that holds when the request asks for `asked` and the store holds `held`: the
/// lower of the two, or whichever there is.
pub(crate) fn tighter_seat_limit(asked: Option<u64>, held: Option<u64>) -> Option<u64> {
    match (asked, held) {
        (Some(asked), Some(held)) => Some(asked.min(held)),
        (asked, held) => asked.or(held),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::{GroupAddition, ImportRecord, ImportStatus, NewUser};

    fn new_user(row: u32, name: &str, email: &str) -> NewUser {
        NewUser::new(row, name, email, [("language", "fr")])
    }

    fn commit_of(id: &str, creates: Vec<NewUser>, groups: &[&str]) -> Commit {
        let now = chrono::Utc::now();
        let groups: Vec<GroupId> = groups.iter().map(|g| GroupId::from(*g)).collect();
        Commit {
            record: ImportRecord {
                id: ImportId::from(id),
                file_name: "users.xlsx".to_string(),
                uploaded_by: "admin@example.com".to_string(),
                groups: groups.clone(),
                message: String::new(),
                notes: String::new(),
                status: ImportStatus::Completed,
                created_at: now,
                updated_at: now,
                summary: None,
                progress: None,
                invitations: crate::store::InvitationTally::default(),
            },
            creates: creates.into(),
            groups,
            additions: Vec::new(),
            seat_limit: None,
        }
    }

    /// A store's state as plain sets.
    #[derive(Default)]
    struct Held {
        committed: BTreeSet<String>,
        failed: BTreeSet<String>,
        emails: BTreeSet<String>,
        active: u64,
        users: BTreeSet<String>,
        groups: BTreeSet<String>,
        active_asked: std::cell::Cell<u32>,
    }

    impl CommitView for Held {
        fn is_committed(&self, import: &ImportId) -> bool {
            self.committed.contains(import.as_str())
        }
        fn has_failed(&self, import: &ImportId) -> bool {
            self.failed.contains(import.as_str())
        }
        fn email_taken(&self, key: &str) -> bool {
            self.emails.contains(key)
        }
        fn active_users(&self) -> u64 {
            self.active_asked.set(self.active_asked.get() + 1);
            self.active
        }
        fn user_exists(&self, user: &UserId) -> bool {
            self.users.contains(user.as_str())
        }
        fn group_exists(&self, group: &GroupId) -> bool {
            self.groups.contains(group.as_str())
        }
    }

    fn held() -> Held {
        Held {
            emails: ["ann@example.com".to_string()].into(),
            active: 1,
            users: ["u1".to_string()].into(),
            groups: ["g1".to_string(), "g2".to_string()].into(),
            ..Held::default()
        }
    }

    fn addition(user: &str, groups: &[&str]) -> GroupAddition {
        GroupAddition {
            row: 9,
            user: UserId::from(user),
            email_key: format!("{user}@example.com"),
            groups: groups.iter().map(|g| GroupId::from(*g)).collect(),
        }
    }

    #[test]
    fn a_commit_that_breaks_no_rule_passes() {
        let mut commit = commit_of("imp", vec![new_user(2, "Bob", "bob@example.com")], &["g1"]);
        commit.additions.push(addition("u1", &["g2"]));
        commit.seat_limit = Some(2);
        assert_eq!(check_commit(&commit, &held()), Ok(()));
    }

    #[test]
    fn an_import_committed_before_is_the_first_conflict() {
        let mut state = held();
        state.committed.insert("imp".to_string());
        let commit = commit_of("imp", vec![new_user(2, "Ann", "ann@example.com")], &["g9"]);
        assert_eq!(
            check_commit(&commit, &state),
            Err(Conflict::AlreadyCommitted)
        );
    }

    #[test]
    fn an_import_a_twin_failed_is_not_committed() {
        let mut state = held();
        state.failed.insert("imp".to_string());
        let commit = commit_of("imp", vec![new_user(2, "Bob", "bob@example.com")], &["g1"]);
        assert_eq!(check_commit(&commit, &state), Err(Conflict::AlreadyFailed));
        let other = commit_of(
            "other",
            vec![new_user(2, "Bob", "bob@example.com")],
            &["g1"],
        );
        assert_eq!(check_commit(&other, &state), Ok(()));
    }

    #[test]
    fn taken_keys_are_named_in_creates_order_then_a_key_twice_in_the_commit() {
        let mut state = held();
        state.emails.insert("cy@example.com".to_string());
        let commit = commit_of(
            "imp",
            vec![
                new_user(2, "Cy", "CY@example.com"),
                new_user(3, "Bob", "bob@example.com"),
                new_user(4, "Ann", "ann@example.com"),
            ],
            &[],
        );
        assert_eq!(
            check_commit(&commit, &state),
            Err(Conflict::EmailTaken(vec![
                "cy@example.com".to_string(),
                "ann@example.com".to_string()
            ]))
        );
        let twice = commit_of(
            "imp",
            vec![
                new_user(2, "Bob", "bob@example.com"),
                new_user(3, "Dee", "dee@example.com"),
                new_user(4, "Bob again", "Bob@Example.com"),
            ],
            &[],
        );
        assert_eq!(
            check_commit(&twice, &state),
            Err(Conflict::EmailTaken(vec!["bob@example.com".to_string()]))
        );
    }

    #[test]
    fn the_seat_limit_may_be_reached_not_passed_and_additions_take_no_seat() {
        let state = held();
        let mut commit = commit_of(
            "imp",
            vec![
                new_user(2, "Bob", "bob@example.com"),
                new_user(3, "Cy", "cy@example.com"),
            ],
            &[],
        );
        commit.seat_limit = Some(2);
        assert_eq!(
            check_commit(&commit, &state),
            Err(Conflict::SeatsExhausted {
                active: 1,
                limit: 2
            })
        );
        commit.seat_limit = Some(3);
        assert_eq!(check_commit(&commit, &state), Ok(()));
        let mut additions_only = commit_of("adds", Vec::new(), &[]);
        additions_only.additions.push(addition("u1", &["g1"]));
        additions_only.seat_limit = Some(0);
        let state = held();
        assert_eq!(check_commit(&additions_only, &state), Ok(()));
        assert_eq!(
            state.active_asked.get(),
            0,
            "a commit that creates no one does not count the seats"
        );
    }

    #[test]
    fn a_missing_user_then_the_first_missing_group_in_commit_order_is_stale() {
        let mut commit = commit_of("imp", Vec::new(), &["g1", "g8"]);
        commit.additions.push(addition("u1", &["g7"]));
        commit.additions.push(addition("u9", &["g1"]));
        assert_eq!(
            check_commit(&commit, &held()),
            Err(Conflict::Stale("user u9 no longer exists".to_string()))
        );
        commit.additions.pop();
        assert_eq!(
            check_commit(&commit, &held()),
            Err(Conflict::Stale("group g8 no longer exists".to_string()))
        );
        commit.groups = vec![GroupId::from("g1")];
        assert_eq!(
            check_commit(&commit, &held()),
            Err(Conflict::Stale("group g7 no longer exists".to_string()))
        );
        assert_eq!(commit.record.status, ImportStatus::Completed);
    }
}
