//! The host's side: the traits a platform implements so the engine can look users up, commit an
//! import atomically, keep the batch-imports index, send invitations and enroll users.
//!
//! Every method is batched: one call takes many emails or users, never one call per row.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    CourseId, ExistingUser, Group, GroupAddition, GroupId, ImportId, InvitationId, UserId,
};
use crate::new_users::NewUsers;
// Re-exported here for the stores' own `use` lines; both live in `error`.
pub(crate) use crate::error::StoreError;
use crate::summary::{CreatedUser, ImportStatus, ImportSummary, Progress};

/// Everything one import writes, committed all or nothing by [`UserStore::commit`].
#[derive(Debug, Clone)]
pub struct Commit {
    /// The import's record as it stands once committed (status completed, counts, summary).
    pub record: ImportRecord,
    /// The users to create, each also joining `groups` and getting an invitation, in row
    /// order: read again from the upload a batch at a time as the store asks
    /// ([`NewUsers::batches`]), so that a commit of a million users never holds them all.
    pub creates: NewUsers,
    /// The import's groups, which every created user joins.
    pub groups: Vec<GroupId>,
    /// Groups to add to users that already had an account.
    pub additions: Vec<GroupAddition>,
    /// The seat limit to hold inside the transaction: active users plus `creates` must not
    /// exceed it. `None` for no limit.
    pub seat_limit: Option<u64>,
}

/// What a commit answers: the identifiers given to the created users, in `creates` order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitReceipt {
    /// The identifiers of the created users, in the order of [`Commit::creates`]: all of
    /// them, or the first [`STORED_USERS`](crate::STORED_USERS) at least (what the import's
    /// record keeps; [`UserStore::created_users`] answers the others). The SQL stores answer
    /// the first `STORED_USERS`, so a commit of a million users does not hold a million
    /// identifiers.
    pub created: Vec<UserId>,
}

/// The batch-imports index entry of one import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// The host-chosen identifier.
    pub id: ImportId,
    /// The uploaded file's name.
    pub file_name: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// The groups every imported user joins.
    pub groups: Vec<GroupId>,
    /// The personalized message added to the invitation email.
    pub message: String,
    /// Notes that document the import for internal management.
    pub notes: String,
    /// Where the import stands.
    pub status: ImportStatus,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The outcome, once the import has completed or failed.
    pub summary: Option<ImportSummary>,
    /// How far the import has come while it runs ([`ImportLog::set_progress`]); the last
    /// progress written once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// Its invitations as the outbox holds them now: sent, failed, not sent yet. Tracked apart
    /// from the status: a completed import may have invitations that failed. The stores fill
    /// it in when they answer a record; what a caller passes to [`ImportLog::begin`] is ignored.
    #[serde(default)]
    pub invitations: InvitationTally,
}

/// Which invitations an [`Outbox::claim`] takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The import whose invitations to claim.
    pub import: ImportId,
    /// The most invitations to claim.
    pub limit: usize,
    /// The time of the claim.
    pub now: DateTime<Utc>,
    /// Invitations claimed before this time and still unsent are claimed again.
    pub stale_before: DateTime<Utc>,
    /// Whether invitations whose last delivery failed are claimed too (a resend), or only
    /// pending ones (the first delivery after the commit).
    pub retry_failed: bool,
    /// The last invitation this sender claimed, if any: a store may claim only invitations
    /// after it, in the order it claims them, so that a sender working through a large outbox
    /// does not walk again the invitations it already handled (on PostgreSQL, their entries
    /// stay in the index of unsent invitations until the table is vacuumed). A store may
    /// ignore it; the importer ends each pass with a claim from the first, which finds what
    /// was left behind (a claim another sender let go stale).
    pub after: Option<InvitationId>,
}

/// What [`ImportLog::begin`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Begin {
    /// The record was created, pending.
    Created,
    /// A record with this id already exists; it is returned as it stands.
    Existing(Box<ImportRecord>),
}

/// One invitation in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The invitation's identifier.
    pub id: InvitationId,
    /// The import that created the user.
    pub import: ImportId,
    /// The invited user.
    pub user: UserId,
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// Their language (a schema choice such as `en`), or empty.
    pub language: String,
    /// The import's personalized message.
    pub message: String,
    /// Where the delivery stands.
    pub status: DeliveryStatus,
    /// How many deliveries were tried.
    pub attempts: u32,
    /// The last failure, if the last try failed.
    pub last_error: Option<String>,
    /// When it was last claimed for sending.
    pub claimed_at: Option<DateTime<Utc>>,
}

/// Where an invitation's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Written by the commit, not sent yet.
    Pending,
    /// Claimed by a sender.
    Sending,
    /// Delivered to the mail service.
    Sent,
    /// The last try failed; a resend tries again.
    Failed,
}

/// How many of an import's invitations are sent, failed, and not sent yet (pending, or being
/// sent), as its outbox holds them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationTally {
    /// Delivered to the mail service.
    pub sent: u64,
    /// The last try failed; a resend tries again.
    pub failed: u64,
    /// Not sent yet: waiting, or claimed by a sender that has not answered.
    pub pending: u64,
}

impl InvitationTally {
    /// Counts `count` invitations in `status`.
    pub fn add(&mut self, status: DeliveryStatus, count: u64) {
        match status {
            DeliveryStatus::Sent => self.sent += count,
            DeliveryStatus::Failed => self.failed += count,
            DeliveryStatus::Pending | DeliveryStatus::Sending => self.pending += count,
        }
    }

    /// Every invitation the commit wrote.
    pub fn total(&self) -> u64 {
        self.sent + self.failed + self.pending
    }
}

/// The outcome of one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Handed to the mail service.
    Sent,
    /// Not delivered, with the reason.
    Failed(String),
}

/// Looks users up and commits imports.
///
/// # Contract
///
/// - [`find_by_email_keys`](UserStore::find_by_email_keys) answers the users whose email match
///   key (lower case) is among `keys`, in any order, and no one else. Keys that match nobody
///   are left out.
/// - [`count_active_users`](UserStore::count_active_users) counts the users that hold a seat.
/// - [`commit`](UserStore::commit) is **atomic**: it writes the created users, their memberships
///   in [`Commit::groups`], the group additions, one [`Invitation`] per created user in the
///   outbox (status pending, the import's message) and the import's record, all or nothing.
///   Inside the same transaction it re-checks that no email key of `creates` is taken, that
///   active users plus `creates` stay within [`Commit::seat_limit`] (when `creates` is not
///   empty: group additions take no seat), that every user of
///   `additions` still exists, and that the import id was not committed before; on any of these
///   it writes nothing and answers [`StoreError::Conflict`]. A group addition the user already
///   has is skipped, not an error. Created users are active. The match keys of `creates` come
///   at once ([`NewUsers::email_keys`]); the users themselves come in batches
///   ([`NewUsers::batches`]), read again from the upload: a store writes each batch inside its
///   transaction, and a batch that fails to come ([`NewUserBatches::next`](crate::NewUserBatches::next)
///   answers an error) rolls the whole commit back.
/// - [`seat_limit`](UserStore::seat_limit) answers the seat limit the store holds for the
///   platform, if any (the default holds none). A store that holds one re-reads it inside the
///   commit, under the lock ([`CommitView::seat_limit`](crate::CommitView::seat_limit)), and
///   holds the lower of it and [`Commit::seat_limit`].
/// - [`created_users`](UserStore::created_users) answers the users the import created, by
///   row, those after `after_row`, at most `limit`: the pages of an import's users, which its
///   record does not keep past the first [`STORED_USERS`](crate::STORED_USERS).
#[async_trait]
pub trait UserStore: Send + Sync {
    /// The users whose email match key is among `keys`.
    async fn find_by_email_keys(&self, keys: &[String]) -> Result<Vec<ExistingUser>, StoreError>;

    /// The number of users that hold a seat.
    async fn count_active_users(&self) -> Result<u64, StoreError>;

    /// Writes the whole import, or nothing.
    async fn commit(&self, commit: &Commit) -> Result<CommitReceipt, StoreError>;

    /// The platform's seat limit as the store holds it (`None`: the store holds none, and only
    /// the request's [`ImportRequest::seat_limit`](crate::ImportRequest::seat_limit) applies).
    async fn seat_limit(&self) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }

    /// The users that the import `import` created from rows after `after_row`, by row, at most
    /// `limit` of them. Start with `after_row` 0 and pass the last row answered to read on.
    async fn created_users(
        &self,
        import: &ImportId,
        after_row: u32,
        limit: usize,
    ) -> Result<Vec<CreatedUser>, StoreError>;
}

/// The platform's groups: resolves the groups an administrator picked, creates and lists them.
///
/// # Contract
///
/// - [`resolve`](GroupStore::resolve) answers the groups whose id or name (compared as given)
///   is among `wanted`, each once; the ones it does not know are left out, and the engine names
///   them in its failure message.
/// - [`create_groups`](GroupStore::create_groups) is **idempotent**: for each group asked, in
///   order, it answers the group the store holds with the same id, else the first (by id) with
///   the same name (compared as given), and changes nothing about it; otherwise it creates the
///   group as asked and answers it. One answer per group asked, in the order asked (a group
///   asked twice answers the same group twice). All or nothing; concurrent calls behave as if
///   made one after the other, so a group is never created twice.
/// - [`list_groups`](GroupStore::list_groups) answers every group of the platform, by id (byte
///   order), each once.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// The known groups among `wanted`.
    async fn resolve(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError>;

    /// Creates the groups that do not exist yet, and answers each group asked as the store
    /// holds it.
    async fn create_groups(&self, groups: &[Group]) -> Result<Vec<Group>, StoreError>;

    /// Every group, by id.
    async fn list_groups(&self) -> Result<Vec<Group>, StoreError>;
}

/// What [`GroupStore::create_groups`] answers and creates when the store holds `held` (at least
/// the groups whose id or name is among `asked`): the answers, one per group asked, and the
/// groups to create, each once, in the order asked.
pub(crate) fn groups_to_create(asked: &[Group], held: &[Group]) -> (Vec<Group>, Vec<Group>) {
    let mut known: Vec<Group> = held.to_vec();
    known.sort_by(|a, b| a.id.cmp(&b.id));
    let mut answers = Vec::with_capacity(asked.len());
    let mut created = Vec::new();
    for group in asked {
        let found = known
            .iter()
            .find(|g| g.id == group.id)
            .or_else(|| known.iter().find(|g| g.name == group.name));
        match found {
            Some(existing) => answers.push(existing.clone()),
            None => {
                known.push(group.clone());
                created.push(group.clone());
                answers.push(group.clone());
            }
        }
    }
    (answers, created)
}

/// The batch-imports index.
///
/// # Contract
///
/// - [`begin`](ImportLog::begin) creates the record if no record has its id (status pending)
///   and answers [`Begin::Created`]; otherwise it changes nothing and answers the existing
///   record. Two concurrent calls with one id create one record.
/// - [`set_status`](ImportLog::set_status) moves a record to `status`, with the summary when
///   there is one, only forward ([`ImportStatus::may_become`]), as one conditional update: it
///   answers `true` when the record moved, `false` when the rule refused the move (the record
///   is left exactly as it was: a completed import is never marked failed), and
///   [`StoreError::NotFound`] for an unknown id. (The commit itself writes the completed
///   record; this is for `running`, `failed` and a completed import's later summary.)
/// - [`list`](ImportLog::list) answers the most recent records first, each with its summary's
///   [brief](ImportSummary::brief) (counts, no lists), so that listing the index reads little
///   however large the imports; [`get`](ImportLog::get) answers the whole summary.
/// - [`get`](ImportLog::get) and [`list`](ImportLog::list) answer each record with its
///   [`ImportRecord::invitations`] counted from the outbox, and its latest progress.
/// - [`set_progress`](ImportLog::set_progress) records the progress of a pending or running
///   import and leaves a finished one's record as it is.
#[async_trait]
pub trait ImportLog: Send + Sync {
    /// Creates the record, or answers the existing one.
    async fn begin(&self, record: &ImportRecord) -> Result<Begin, StoreError>;

    /// Moves the record forward to `status`; answers whether it moved.
    async fn set_status(
        &self,
        id: &ImportId,
        status: ImportStatus,
        summary: Option<&ImportSummary>,
    ) -> Result<bool, StoreError>;

    /// The record with `id`.
    async fn get(&self, id: &ImportId) -> Result<Option<ImportRecord>, StoreError>;

    /// The `limit` most recent records, newest first, each summary [brief](ImportSummary::brief).
    async fn list(&self, limit: usize) -> Result<Vec<ImportRecord>, StoreError>;

    /// Records how far a running import has come, for the index a page polls. Called a few
    /// times a second at most per import. The default keeps nothing (a store written before
    /// progress existed); the crate's stores keep it.
    async fn set_progress(&self, id: &ImportId, progress: &Progress) -> Result<(), StoreError> {
        let _ = (id, progress);
        Ok(())
    }
}

/// The invitations written by commits, waiting to be sent.
///
/// # Contract
///
/// - [`claim`](Outbox::claim) atomically moves up to [`Claim::limit`] invitations of
///   [`Claim::import`] that are pending, failed (when [`Claim::retry_failed`]), or sending but
///   claimed before [`Claim::stale_before`], to sending (claimed at [`Claim::now`]), and answers
///   them. Two concurrent claims never answer the same invitation, so no invitation is
///   delivered twice.
/// - [`record`](Outbox::record) stores each delivery's outcome: sent, or failed with the reason
///   (the attempt count goes up either way).
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Claims invitations to send.
    async fn claim(&self, claim: &Claim) -> Result<Vec<Invitation>, StoreError>;

    /// Records delivery outcomes.
    async fn record(&self, outcomes: &[(InvitationId, Delivery)]) -> Result<(), StoreError>;

    /// Every invitation of `import`.
    async fn invitations(&self, import: &ImportId) -> Result<Vec<Invitation>, StoreError>;
}

/// Delivers invitation emails.
///
/// # Contract
///
/// [`send`](Mailer::send) tries every invitation and answers one outcome per invitation, in
/// order. A failure of one does not stop the others.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends the invitations.
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery>;
}

/// Enrolls users in courses.
///
/// # Contract
///
/// [`enroll`](Enroller::enroll) enrolls every user in every course, all or nothing; enrolling a
/// user who already is enrolled is not an error.
#[async_trait]
pub trait Enroller: Send + Sync {
    /// Enrolls `users` in `courses`.
    async fn enroll(&self, users: &[UserId], courses: &[CourseId]) -> Result<(), StoreError>;
}

macro_rules! forward {
    ($wrapper:ident) => {
        #[async_trait]
        impl<T: UserStore + ?Sized> UserStore for $wrapper<T> {
            async fn find_by_email_keys(
                &self,
                keys: &[String],
            ) -> Result<Vec<ExistingUser>, StoreError> {
                (**self).find_by_email_keys(keys).await
            }
            async fn count_active_users(&self) -> Result<u64, StoreError> {
                (**self).count_active_users().await
            }
            async fn commit(&self, commit: &Commit) -> Result<CommitReceipt, StoreError> {
                (**self).commit(commit).await
            }
            async fn seat_limit(&self) -> Result<Option<u64>, StoreError> {
                (**self).seat_limit().await
            }
            async fn created_users(
                &self,
                import: &ImportId,
                after_row: u32,
                limit: usize,
            ) -> Result<Vec<CreatedUser>, StoreError> {
                (**self).created_users(import, after_row, limit).await
            }
        }

        #[async_trait]
        impl<T: GroupStore + ?Sized> GroupStore for $wrapper<T> {
            async fn resolve(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError> {
                (**self).resolve(wanted).await
            }
            async fn create_groups(&self, groups: &[Group]) -> Result<Vec<Group>, StoreError> {
                (**self).create_groups(groups).await
            }
            async fn list_groups(&self) -> Result<Vec<Group>, StoreError> {
                (**self).list_groups().await
            }
        }

        #[async_trait]
        impl<T: ImportLog + ?Sized> ImportLog for $wrapper<T> {
            async fn begin(&self, record: &ImportRecord) -> Result<Begin, StoreError> {
                (**self).begin(record).await
            }
            async fn set_status(
                &self,
                id: &ImportId,
                status: ImportStatus,
                summary: Option<&ImportSummary>,
            ) -> Result<bool, StoreError> {
                (**self).set_status(id, status, summary).await
            }
            async fn get(&self, id: &ImportId) -> Result<Option<ImportRecord>, StoreError> {
                (**self).get(id).await
            }
            async fn list(&self, limit: usize) -> Result<Vec<ImportRecord>, StoreError> {
                (**self).list(limit).await
            }
            async fn set_progress(
                &self,
                id: &ImportId,
                progress: &Progress,
            ) -> Result<(), StoreError> {
                (**self).set_progress(id, progress).await
            }
        }

        #[async_trait]
        impl<T: Outbox + ?Sized> Outbox for $wrapper<T> {
            async fn claim(&self, claim: &Claim) -> Result<Vec<Invitation>, StoreError> {
                (**self).claim(claim).await
            }
            async fn record(
                &self,
                outcomes: &[(InvitationId, Delivery)],
            ) -> Result<(), StoreError> {
                (**self).record(outcomes).await
            }
            async fn invitations(&self, import: &ImportId) -> Result<Vec<Invitation>, StoreError> {
                (**self).invitations(import).await
            }
        }

        #[async_trait]
        impl<T: Mailer + ?Sized> Mailer for $wrapper<T> {
            async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
                (**self).send(invitations).await
            }
        }

        #[async_trait]
        impl<T: Enroller + ?Sized> Enroller for $wrapper<T> {
            async fn enroll(
                &self,
                users: &[UserId],
                courses: &[CourseId],
            ) -> Result<(), StoreError> {
                (**self).enroll(users, courses).await
            }
        }
    };
}

forward!(Arc);
forward!(Box);

/// The host's parts an import uses, each shareable across tasks.
#[derive(Clone)]
pub struct Stores {
    /// Users and the atomic commit.
    pub users: Arc<dyn UserStore>,
    /// Groups.
    pub groups: Arc<dyn GroupStore>,
    /// The batch-imports index.
    pub log: Arc<dyn ImportLog>,
    /// The invitation outbox.
    pub outbox: Arc<dyn Outbox>,
    /// The mail service.
    pub mailer: Arc<dyn Mailer>,
    /// Course enrollment.
    pub enroller: Arc<dyn Enroller>,
}

impl Stores {
    /// Uses one value for every store (as a database-backed host usually does) and `mailer` for
    /// invitations.
    pub fn single<S, M>(store: Arc<S>, mailer: Arc<M>) -> Stores
    where
        S: UserStore + GroupStore + ImportLog + Outbox + Enroller + 'static,
        M: Mailer + 'static,
    {
        Stores {
            users: store.clone(),
            groups: store.clone(),
            log: store.clone(),
            outbox: store.clone(),
            mailer,
            enroller: store,
        }
    }
}

impl fmt::Debug for Stores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stores").finish_non_exhaustive()
    }
}
