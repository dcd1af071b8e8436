//! In-memory implementations of every host trait, for tests, examples and fuzzing.
//!
//! They keep the same contracts as a database-backed store (the conformance suite checks
//! them), so what passes here says something about the engine, not about a mock.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::model::{
    Attributes, CourseId, ExistingUser, Group, GroupId, ImportId, InvitationId, UserId,
};
use crate::store::{
    Begin, Claim, Commit, CommitReceipt, Delivery, DeliveryStatus, Enroller, GroupStore, ImportLog,
    ImportRecord, Invitation, InvitationTally, Mailer, Outbox, StoreError, UserStore,
    groups_to_create,
};
use crate::summary::{CreatedUser, ImportStatus, ImportSummary, Progress};
use crate::{CommitView, check_commit};

/// A user held by [`MemoryStore`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredUser {
    /// The identifier.
    pub id: UserId,
    /// The full name.
    pub name: String,
    /// The email address.
    pub email: String,
    /// The email match key.
    pub email_key: String,
    /// Other values, by schema key.
    pub attributes: Attributes,
    /// Whether the user holds a seat.
    pub active: bool,
    /// The import that created the user, if one did.
    pub import: Option<ImportId>,
    /// The row of that import's file the user came from.
    #[serde(default)]
    pub row: Option<u32>,
}

/// Everything a [`MemoryStore`] holds. Compare two snapshots to prove a failed import changed
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Users by identifier.
    pub users: BTreeMap<UserId, StoredUser>,
    /// Email match key → user.
    pub emails: BTreeMap<String, UserId>,
    /// Groups by identifier.
    pub groups: BTreeMap<GroupId, Group>,
    /// (user, group) memberships.
    pub memberships: BTreeSet<(UserId, GroupId)>,
    /// Import records by identifier.
    pub imports: BTreeMap<ImportId, ImportRecord>,
    /// Import identifiers in the order they were begun.
    pub import_order: Vec<ImportId>,
    /// Imports whose commit was applied.
    pub committed: BTreeSet<ImportId>,
    /// The outbox, by invitation identifier.
    pub invitations: BTreeMap<InvitationId, Invitation>,
    /// (user, course) enrollments.
    pub enrollments: BTreeSet<(UserId, CourseId)>,
    /// The next user number.
    pub next_user: u64,
    /// The next invitation number.
    pub next_invitation: u64,
    /// The platform's seat limit, which a commit reads under the write lock
    /// ([`MemoryStore::set_seat_limit`]).
    #[serde(default)]
    pub seat_limit: Option<u64>,
}

impl State {
    /// The part of the state an import writes (users, memberships, outbox, enrollments),
    /// without the batch-imports index, which records failed imports too.
    pub fn without_log(&self) -> State {
        State {
            imports: BTreeMap::new(),
            import_order: Vec::new(),
            ..self.clone()
        }
    }
}

/// The commit's rules read the state directly, under the store's write lock.
impl CommitView for State {
    fn is_committed(&self, import: &ImportId) -> bool {
        self.committed.contains(import)
    }

    fn has_failed(&self, import: &ImportId) -> bool {
        self.imports
            .get(import)
            .is_some_and(|record| record.status == ImportStatus::Failed)
    }

    fn email_taken(&self, key: &str) -> bool {
        self.emails.contains_key(key)
    }

    fn active_users(&self) -> u64 {
        self.users.values().filter(|u| u.active).count() as u64
    }

    fn seat_limit(&self) -> Option<u64> {
        self.seat_limit
    }

    fn user_exists(&self, user: &UserId) -> bool {
        self.users.contains_key(user)
    }

    fn group_exists(&self, group: &GroupId) -> bool {
        self.groups.contains_key(group)
    }
}

/// A store of users, groups, imports, invitations and enrollments in memory, suitable for
/// tests and examples. Cloning shares the state.
///
/// ```
/// use user_import::memory::MemoryStore;
///
/// let store = MemoryStore::new();
/// store.add_group("g1", "Nurses");
/// let ann = store.add_user("Ann Lee", "Ann@Example.com", &["g1"]);
/// let state = store.snapshot();
/// assert_eq!(state.emails["ann@example.com"], ann);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<RwLock<State>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store holding `state`.
    pub fn from_state(state: State) -> MemoryStore {
        MemoryStore {
            state: Arc::new(RwLock::new(state)),
        }
    }

    /// A copy of the whole state.
    pub fn snapshot(&self) -> State {
        self.read().clone()
    }

    /// A new store with a copy of this one's state, not shared.
    pub fn fork(&self) -> MemoryStore {
        MemoryStore::from_state(self.snapshot())
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a group (test set-up).
    pub fn add_group(&self, id: &str, name: &str) {
        let id = GroupId::from(id);
        self.write().groups.insert(
            id.clone(),
            Group {
                id,
                name: name.to_string(),
            },
        );
    }

    /// Adds an active user in `groups` (test set-up) and returns their identifier.
    pub fn add_user(&self, name: &str, email: &str, groups: &[&str]) -> UserId {
        let mut state = self.write();
        state.next_user += 1;
        let id = UserId(format!("u{}", state.next_user));
        let key = crate::check::normalize::email_key(email);
        state.users.insert(
            id.clone(),
            StoredUser {
                id: id.clone(),
                name: name.to_string(),
                email: email.to_string(),
                email_key: key.clone(),
                attributes: Attributes::default(),
                active: true,
                import: None,
                row: None,
            },
        );
        state.emails.insert(key, id.clone());
        for group in groups {
            state
                .memberships
                .insert((id.clone(), GroupId::from(*group)));
        }
        id
    }

    /// Sets the platform's seat limit (`None`: none). A commit reads it under the store's write
    /// lock, so a limit lowered while an import waits for the lock holds.
    pub fn set_seat_limit(&self, limit: Option<u64>) {
        self.write().seat_limit = limit;
    }

    /// Marks a user inactive (it no longer holds a seat).
    pub fn deactivate(&self, id: &UserId) {
        if let Some(user) = self.write().users.get_mut(id) {
            user.active = false;
        }
    }

    /// The groups of user `id`.
    pub fn groups_of(&self, id: &UserId) -> Vec<GroupId> {
        self.read()
            .memberships
            .iter()
            .filter(|(user, _)| user == id)
            .map(|(_, group)| group.clone())
            .collect()
    }
}

#[async_trait]
impl UserStore for MemoryStore {
    async fn find_by_email_keys(&self, keys: &[String]) -> Result<Vec<ExistingUser>, StoreError> {
        let state = self.read();
        Ok(keys
            .iter()
            .filter_map(|key| state.emails.get(key).map(|id| (key, id)))
            .map(|(key, id)| ExistingUser {
                id: id.clone(),
                email_key: key.clone(),
                groups: state
                    .memberships
                    .range((id.clone(), GroupId(String::new()))..)
                    .take_while(|(user, _)| user == id)
                    .map(|(_, group)| group.clone())
                    .collect(),
            })
            .collect())
    }

    async fn count_active_users(&self) -> Result<u64, StoreError> {
        Ok(self.read().users.values().filter(|u| u.active).count() as u64)
    }

    async fn seat_limit(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.read().seat_limit)
    }

    async fn created_users(
        &self,
        import: &ImportId,
        after_row: u32,
        limit: usize,
    ) -> Result<Vec<CreatedUser>, StoreError> {
        let state = self.read();
        let mut page: Vec<CreatedUser> = (state.users.values())
            .filter(|user| user.import.as_ref() == Some(import))
            .filter_map(|user| {
                let row = user.row.filter(|row| *row > after_row)?;
                Some(CreatedUser {
                    row,
                    id: user.id.clone(),
                    name: user.name.clone(),
                    email: user.email.clone(),
                })
            })
            .collect();
        page.sort_by_key(|user| user.row);
        page.truncate(limit);
        Ok(page)
    }

    async fn commit(&self, commit: &Commit) -> Result<CommitReceipt, StoreError> {
        // Every user first (the lock is not held across a wait): a store in memory holds them
        // all anyway.
        let creates = commit.creates.to_vec().await?;
        let mut state = self.write();
        // Every check first; nothing is written until all pass.
        check_commit(commit, &*state).map_err(StoreError::Conflict)?;

        let mut created = Vec::with_capacity(creates.len());
        for user in &creates {
            state.next_user += 1;
            let id = UserId(format!("u{}", state.next_user));
            state.users.insert(
                id.clone(),
                StoredUser {
                    id: id.clone(),
                    name: user.name().to_string(),
                    email: user.email().to_string(),
                    email_key: user.email_key().into_owned(),
                    attributes: Attributes::from_pairs(user.attributes()),
                    active: true,
                    import: Some(commit.record.id.clone()),
                    row: Some(user.row()),
                },
            );
            state
                .emails
                .insert(user.email_key().into_owned(), id.clone());
            for group in &commit.groups {
                state.memberships.insert((id.clone(), group.clone()));
            }
            state.next_invitation += 1;
            let invitation = InvitationId(format!("i{}", state.next_invitation));
            state.invitations.insert(
                invitation.clone(),
                Invitation {
                    id: invitation,
                    import: commit.record.id.clone(),
                    user: id.clone(),
                    name: user.name().to_string(),
                    email: user.email().to_string(),
                    language: user.attribute("language").unwrap_or("").to_string(),
                    message: commit.record.message.clone(),
                    status: DeliveryStatus::Pending,
                    attempts: 0,
                    last_error: None,
                    claimed_at: None,
                },
            );
            created.push(id);
        }
        for addition in &commit.additions {
            for group in &addition.groups {
                state
                    .memberships
                    .insert((addition.user.clone(), group.clone()));
            }
        }
        if !state.imports.contains_key(&commit.record.id) {
            state.import_order.push(commit.record.id.clone());
        }
        state
            .imports
            .insert(commit.record.id.clone(), commit.record.clone());
        state.committed.insert(commit.record.id.clone());
        Ok(CommitReceipt { created })
    }
}

#[async_trait]
impl GroupStore for MemoryStore {
    async fn resolve(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError> {
        let state = self.read();
        let mut found: Vec<Group> = Vec::new();
        for name in wanted {
            let group = state
                .groups
                .get(&GroupId(name.clone()))
                .or_else(|| state.groups.values().find(|g| g.name == *name));
            if let Some(group) = group
                && !found.contains(group)
            {
                found.push(group.clone());
            }
        }
        Ok(found)
    }

    async fn create_groups(&self, groups: &[Group]) -> Result<Vec<Group>, StoreError> {
        let mut state = self.write();
        let held: Vec<Group> = state.groups.values().cloned().collect();
        let (answers, created) = groups_to_create(groups, &held);
        for group in created {
            state.groups.insert(group.id.clone(), group);
        }
        Ok(answers)
    }

    async fn list_groups(&self) -> Result<Vec<Group>, StoreError> {
        Ok(self.read().groups.values().cloned().collect())
    }
}

#[async_trait]
impl ImportLog for MemoryStore {
    async fn begin(&self, record: &ImportRecord) -> Result<Begin, StoreError> {
        let mut state = self.write();
        if let Some(existing) = state.imports.get(&record.id) {
            return Ok(Begin::Existing(Box::new(existing.clone())));
        }
        state.imports.insert(record.id.clone(), record.clone());
        state.import_order.push(record.id.clone());
        Ok(Begin::Created)
    }

    async fn set_status(
        &self,
        id: &ImportId,
        status: ImportStatus,
        summary: Option<&ImportSummary>,
    ) -> Result<bool, StoreError> {
        let mut state = self.write();
        let record = state
            .imports
            .get_mut(id)
            .ok_or_else(|| StoreError::NotFound {
                what: format!("import {id}"),
            })?;
        if !record.status.may_become(status) {
            return Ok(false);
        }
        record.status = status;
        record.updated_at = Utc::now();
        if let Some(summary) = summary {
            record.summary = Some(summary.clone());
        }
        Ok(true)
    }

    async fn get(&self, id: &ImportId) -> Result<Option<ImportRecord>, StoreError> {
        let state = self.read();
        Ok(state.imports.get(id).map(|record| state.answer(record)))
    }

    async fn list(&self, limit: usize) -> Result<Vec<ImportRecord>, StoreError> {
        let state = self.read();
        Ok(state
            .import_order
            .iter()
            .rev()
            .filter_map(|id| state.imports.get(id))
            .take(limit)
            .map(|record| {
                let mut listed = state.answer(record);
                listed.summary = listed.summary.as_ref().map(ImportSummary::brief);
                listed
            })
            .collect())
    }

    async fn set_progress(&self, id: &ImportId, progress: &Progress) -> Result<(), StoreError> {
        let mut state = self.write();
        let record = state
            .imports
            .get_mut(id)
            .ok_or_else(|| StoreError::NotFound {
                what: format!("import {id}"),
            })?;
        if matches!(record.status, ImportStatus::Pending | ImportStatus::Running) {
            record.progress = Some(*progress);
        }
        Ok(())
    }
}

impl State {
    /// `record` as the log answers it: with its invitations counted from the outbox.
    fn answer(&self, record: &ImportRecord) -> ImportRecord {
        let mut answer = record.clone();
        answer.invitations = InvitationTally::default();
        for invitation in self.invitations.values() {
            if invitation.import == record.id {
                answer.invitations.add(invitation.status, 1);
            }
        }
        answer
    }
}

#[async_trait]
impl Outbox for MemoryStore {
    async fn claim(&self, claim: &Claim) -> Result<Vec<Invitation>, StoreError> {
        // `after` is a hint the in-memory store does not need: it claims from the first.
        let Claim {
            import,
            limit,
            now,
            stale_before,
            retry_failed,
            after: _,
        } = claim;
        let (limit, now, stale_before) = (*limit, *now, *stale_before);
        let mut state = self.write();
        let mut claimed = Vec::new();
        for invitation in state.invitations.values_mut() {
            if claimed.len() >= limit {
                break;
            }
            let claimable = invitation.import == *import
                && match invitation.status {
                    DeliveryStatus::Pending => true,
                    DeliveryStatus::Failed => *retry_failed,
                    DeliveryStatus::Sending => {
                        invitation.claimed_at.is_none_or(|at| at < stale_before)
                    }
                    DeliveryStatus::Sent => false,
                };
            if claimable {
                invitation.status = DeliveryStatus::Sending;
                invitation.claimed_at = Some(now);
                claimed.push(invitation.clone());
            }
        }
        Ok(claimed)
    }

    async fn record(&self, outcomes: &[(InvitationId, Delivery)]) -> Result<(), StoreError> {
        let mut state = self.write();
        for (id, outcome) in outcomes {
            let invitation = state
                .invitations
                .get_mut(id)
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("invitation {id}"),
                })?;
            invitation.attempts += 1;
            match outcome {
                Delivery::Sent => {
                    invitation.status = DeliveryStatus::Sent;
                    invitation.last_error = None;
                }
                Delivery::Failed(reason) => {
                    invitation.status = DeliveryStatus::Failed;
                    invitation.last_error = Some(reason.clone());
                }
            }
        }
        Ok(())
    }

    async fn invitations(&self, import: &ImportId) -> Result<Vec<Invitation>, StoreError> {
        Ok(self
            .read()
            .invitations
            .values()
            .filter(|i| i.import == *import)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl Enroller for MemoryStore {
    async fn enroll(&self, users: &[UserId], courses: &[CourseId]) -> Result<(), StoreError> {
        let mut state = self.write();
        if let Some(missing) = users.iter().find(|u| !state.users.contains_key(*u)) {
            return Err(StoreError::NotFound {
                what: format!("user {missing}"),
            });
        }
        for user in users {
            for course in courses {
                state.enrollments.insert((user.clone(), course.clone()));
            }
        }
        Ok(())
    }
}

/// A mailer that keeps what it "sends", for tests and examples. Addresses marked with
/// [`MemoryMailer::fail_for`] fail.
#[derive(Debug, Clone, Default)]
pub struct MemoryMailer {
    inner: Arc<Mutex<MailerState>>,
}

#[derive(Debug, Default)]
struct MailerState {
    delivered: Vec<Invitation>,
    failing: BTreeSet<String>,
}

impl MemoryMailer {
    /// A mailer that delivers everything.
    pub fn new() -> MemoryMailer {
        MemoryMailer::default()
    }

    fn lock(&self) -> MutexGuard<'_, MailerState> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes deliveries to `email` fail (until [`MemoryMailer::heal`]).
    pub fn fail_for(&self, email: &str) {
        self.lock().failing.insert(email.to_string());
    }

    /// Lets every address be delivered again.
    pub fn heal(&self) {
        self.lock().failing.clear();
    }

    /// Every invitation delivered so far, in order.
    pub fn delivered(&self) -> Vec<Invitation> {
        self.lock().delivered.clone()
    }
}

#[async_trait]
impl Mailer for MemoryMailer {
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
        let mut state = self.lock();
        invitations
            .iter()
            .map(|invitation| {
                if state.failing.contains(&invitation.email) {
                    Delivery::Failed(format!("mailbox {} is unavailable", invitation.email))
                } else {
                    state.delivered.push(invitation.clone());
                    Delivery::Sent
                }
            })
            .collect()
    }
}
