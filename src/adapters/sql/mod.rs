//! The SQL store, written once for SQLite and PostgreSQL: [`SqlStore`] holds the algorithm
//! (the commit under the platform's lock, the lookups, the batch-imports index, the outbox,
//! enrollment, group administration, snapshots) and a [`Dialect`] says what differs between the
//! two databases: how to take the write lock, how to bind a list, how to store a time, how to
//! insert many rows at once, how to read a unique violation. The dialect files
//! ([`sqlite`], [`postgres`]) hold little more than that SQL text.

mod commit;
mod outbox;
mod platform;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub mod postgres;
mod rows;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub mod sqlite;
mod store;

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::error::DatabaseError;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Database, Decode, Encode, Pool, SqlSafeStr, Transaction, Type};

use crate::{
    DeliveryStatus, Group, GroupId, ImportRecord, ImportStatus, Invitation, NewUser, StoreError,
};
use rows::{Rows, Values};

/// The table where the stores' migrations are tracked (their own, so that a host's sqlx
/// migrations, numbered from 1 too, never collide with these).
pub const MIGRATIONS_TABLE: &str = "ui_sqlx_migrations";

/// From how many users a commit has its tables' statistics refreshed
/// ([`Dialect::AFTER_BULK`]): the batch its users are written in.
pub(crate) const BULK_USERS: usize = 10_000;

/// The store's migrations, `(description, sql)` numbered from 1, tracked in
/// [`MIGRATIONS_TABLE`].
fn migrator_of(migrations: &[(&'static str, &'static str)]) -> Migrator {
    let mut migrator = Migrator::with_migrations(
        (1..)
            .zip(migrations)
            .map(|(version, (description, sql))| {
                Migration::new(
                    version,
                    (*description).into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    );
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator
}

/// Every host trait ([`UserStore`](crate::UserStore), [`GroupStore`](crate::GroupStore),
/// [`ImportLog`](crate::ImportLog), [`Outbox`](crate::Outbox), [`Enroller`](crate::Enroller))
/// on a SQL database, for one platform (tenant). Cloning shares the pool.
///
/// Use it as [`SqliteStore`](sqlite::SqliteStore) or
/// [`PostgresStore`](postgres::PostgresStore).
pub struct SqlStore<D: Dialect> {
    pool: Pool<D::Db>,
    platform: String,
    dialect: PhantomData<D>,
}

impl<D: Dialect> Clone for SqlStore<D> {
    fn clone(&self) -> SqlStore<D> {
        SqlStore::new(self.pool.clone(), self.platform.clone())
    }
}

impl<D: Dialect> fmt::Debug for SqlStore<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStore")
            .field("dialect", &D::default())
            .field("platform", &self.platform)
            .field("pool", &self.pool)
            .finish()
    }
}

impl<D: Dialect> SqlStore<D> {
    /// A store for `platform` on `pool`.
    pub fn new(pool: Pool<D::Db>, platform: impl Into<String>) -> SqlStore<D> {
        SqlStore {
            pool,
            platform: platform.into(),
            dialect: PhantomData,
        }
    }

    /// The pool.
    pub fn pool(&self) -> &Pool<D::Db> {
        &self.pool
    }

    /// The platform this store reads and writes.
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// The same database, another platform.
    pub fn for_platform(&self, platform: impl Into<String>) -> SqlStore<D> {
        SqlStore::new(self.pool.clone(), platform)
    }
}

mod sealed {
    /// Only this crate's dialects are dialects.
    pub trait Sealed {}
}

/// What differs between the SQL databases a [`SqlStore`] runs on. Implemented by
/// [`SqliteDialect`](sqlite::SqliteDialect) and [`PostgresDialect`](postgres::PostgresDialect)
/// only; its items are the store's own plumbing.
pub trait Dialect: sealed::Sealed + Default + Clone + fmt::Debug + Send + Sync + 'static {
    /// The sqlx driver.
    type Db: Database;

    /// A time as a column holds it.
    #[doc(hidden)]
    type Time: for<'q> Encode<'q, Self::Db>
        + for<'r> Decode<'r, Self::Db>
        + Type<Self::Db>
        + Send
        + Sync;

    /// A list of texts bound as one parameter.
    #[doc(hidden)]
    type Texts<'a>: for<'q> Encode<'q, Self::Db> + Type<Self::Db> + Send
    where
        Self: 'a;

    /// A list of integers bound as one parameter.
    #[doc(hidden)]
    type Ints<'a>: for<'q> Encode<'q, Self::Db> + Type<Self::Db> + Send
    where
        Self: 'a;

    /// What a failed migration is reported as.
    #[doc(hidden)]
    const MIGRATE: &'static str;

    /// What the claim's inner `SELECT` ends with to skip the rows another claim holds.
    #[doc(hidden)]
    const SKIP_LOCKED: &'static str;

    /// What runs after a commit of at least [`BULK_USERS`] users, so that the planner's
    /// statistics know the platform's new rows (empty: nothing).
    #[doc(hidden)]
    const AFTER_BULK: &'static str;

    /// The store's migrations.
    #[doc(hidden)]
    fn migrator() -> Migrator;

    /// `at` as a column holds it.
    #[doc(hidden)]
    fn time(at: DateTime<Utc>) -> Self::Time;

    /// A time column's value.
    #[doc(hidden)]
    fn from_time(value: Self::Time) -> Result<DateTime<Utc>, StoreError>;

    /// `items` bound as one parameter.
    #[doc(hidden)]
    fn texts<'a>(items: &'a [&'a str]) -> Self::Texts<'a>;

    /// `items` bound as one parameter.
    #[doc(hidden)]
    fn ints(items: &[i64]) -> Self::Ints<'_>;

    /// The condition that `column` is among the list bound as parameter `$n`.
    #[doc(hidden)]
    fn any(column: &str, n: usize) -> String;

    /// Begins a transaction that writes.
    #[doc(hidden)]
    fn begin(
        pool: &Pool<Self::Db>,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Db>, sqlx::Error>> + Send;

    /// Takes the platform's write lock for the rest of `tx`: every writer that must respect
    /// the seat limit or the email keys takes it first.
    #[doc(hidden)]
    fn lock(
        tx: &mut Transaction<'static, Self::Db>,
        platform: &str,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

    /// Inserts `rows` with as few statements as the database allows, answering the rows of
    /// [`Rows::returning`].
    #[doc(hidden)]
    fn insert(
        tx: &mut Transaction<'static, Self::Db>,
        rows: &Rows<'_>,
    ) -> impl Future<Output = Result<Vec<<Self::Db as Database>::Row>, sqlx::Error>> + Send;

    /// Sets each invitation's status and last error and counts the attempt, answering the ids
    /// updated.
    #[doc(hidden)]
    fn record_deliveries(
        tx: &mut Transaction<'static, Self::Db>,
        platform: &str,
        outcomes: &[Outcome<'_>],
    ) -> impl Future<Output = Result<Vec<i64>, sqlx::Error>> + Send;

    /// The number of rows a statement changed.
    #[doc(hidden)]
    fn rows_affected(result: &<Self::Db as Database>::QueryResult) -> u64;

    /// Whether a unique violation is a second commit of one import (rather than a taken email).
    #[doc(hidden)]
    fn committed_twice(error: &dyn DatabaseError) -> bool;
}

/// One delivery outcome as stored: the invitation, its status, its last error.
pub(super) type Outcome<'a> = (i64, &'a str, Option<&'a str>);

/// Implements the host traits for the store on one dialect, each method calling the shared
/// algorithm in `store.rs`.
macro_rules! host_traits {
    ($dialect:ty) => {
        impl sealed::Sealed for $dialect {}

        #[async_trait::async_trait]
        impl crate::UserStore for SqlStore<$dialect> {
            async fn find_by_email_keys(
                &self,
                keys: &[String],
            ) -> Result<Vec<crate::ExistingUser>, StoreError> {
                self.find_users(keys).await
            }
            async fn count_active_users(&self) -> Result<u64, StoreError> {
                self.count_active().await
            }
            async fn commit(
                &self,
                commit: &crate::Commit,
            ) -> Result<crate::CommitReceipt, StoreError> {
                self.commit_import(commit).await
            }
            async fn seat_limit(&self) -> Result<Option<u64>, StoreError> {
                self.held_seat_limit().await
            }
            async fn created_users(
                &self,
                import: &crate::ImportId,
                after_row: u32,
                limit: usize,
            ) -> Result<Vec<crate::CreatedUser>, StoreError> {
                self.created_by(import, after_row, limit).await
            }
        }

        #[async_trait::async_trait]
        impl crate::GroupStore for SqlStore<$dialect> {
            async fn resolve(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError> {
                self.resolve_groups(wanted).await
            }
            async fn create_groups(&self, groups: &[Group]) -> Result<Vec<Group>, StoreError> {
                self.add_groups(groups).await
            }
            async fn list_groups(&self) -> Result<Vec<Group>, StoreError> {
                self.all_groups().await
            }
        }

        #[async_trait::async_trait]
        impl crate::ImportLog for SqlStore<$dialect> {
            async fn begin(&self, record: &ImportRecord) -> Result<crate::Begin, StoreError> {
                self.begin_import(record).await
            }
            async fn set_status(
                &self,
                id: &crate::ImportId,
                status: ImportStatus,
                summary: Option<&crate::ImportSummary>,
            ) -> Result<bool, StoreError> {
                self.set_import_status(id, status, summary).await
            }
            async fn get(&self, id: &crate::ImportId) -> Result<Option<ImportRecord>, StoreError> {
                self.import(id).await
            }
            async fn list(&self, limit: usize) -> Result<Vec<ImportRecord>, StoreError> {
                self.records(Some(limit)).await
            }
            async fn set_progress(
                &self,
                id: &crate::ImportId,
                progress: &crate::Progress,
            ) -> Result<(), StoreError> {
                self.set_import_progress(id, progress).await
            }
        }

        #[async_trait::async_trait]
        impl crate::Outbox for SqlStore<$dialect> {
            async fn claim(&self, claim: &crate::Claim) -> Result<Vec<Invitation>, StoreError> {
                self.claim_invitations(claim).await
            }
            async fn record(
                &self,
                outcomes: &[(crate::InvitationId, crate::Delivery)],
            ) -> Result<(), StoreError> {
                self.record_outcomes(outcomes).await
            }
            async fn invitations(
                &self,
                import: &crate::ImportId,
            ) -> Result<Vec<Invitation>, StoreError> {
                self.invitations_of(import).await
            }
        }

        #[async_trait::async_trait]
        impl crate::Enroller for SqlStore<$dialect> {
            async fn enroll(
                &self,
                users: &[crate::UserId],
                courses: &[crate::CourseId],
            ) -> Result<(), StoreError> {
                self.enroll_users(users, courses).await
            }
        }
    };
}

#[cfg(feature = "postgres")]
host_traits!(postgres::PostgresDialect);
#[cfg(feature = "sqlite")]
host_traits!(sqlite::SqliteDialect);

/// A user as a SQL store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotUser {
    /// The identifier.
    pub id: String,
    /// The name.
    pub name: String,
    /// The email address.
    pub email: String,
    /// The email match key.
    pub email_key: String,
    /// Other values by schema key.
    pub attributes: Vec<(String, String)>,
    /// Whether the user holds a seat.
    pub active: bool,
    /// The import that created the user.
    pub import: Option<String>,
}

/// Everything a SQL store holds for its platform, each list in a stable order. Compare two
/// snapshots to prove that a failed import changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Users, by identifier.
    pub users: Vec<SnapshotUser>,
    /// Groups, by identifier.
    pub groups: Vec<Group>,
    /// (user, group) memberships.
    pub memberships: Vec<(String, GroupId)>,
    /// The batch-imports index, in begin order.
    pub imports: Vec<ImportRecord>,
    /// Imports whose commit was applied.
    pub committed: Vec<String>,
    /// The outbox, by invitation identifier.
    pub invitations: Vec<Invitation>,
    /// (user, course) enrollments.
    pub enrollments: Vec<(String, String)>,
}

impl Snapshot {
    /// The part an import writes, without the batch-imports index (which records failed
    /// imports too).
    pub fn without_log(&self) -> Snapshot {
        Snapshot {
            imports: Vec::new(),
            ..self.clone()
        }
    }
}

fn import_status(text: &str) -> Result<ImportStatus, StoreError> {
    Ok(match text {
        "pending" => ImportStatus::Pending,
        "running" => ImportStatus::Running,
        "completed" => ImportStatus::Completed,
        "failed" => ImportStatus::Failed,
        other => return Err(corrupt(format!("unknown import status `{other}`"))),
    })
}

fn delivery_name(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Sending => "sending",
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::Failed => "failed",
    }
}

fn delivery_status(text: &str) -> Result<DeliveryStatus, StoreError> {
    Ok(match text {
        "pending" => DeliveryStatus::Pending,
        "sending" => DeliveryStatus::Sending,
        "sent" => DeliveryStatus::Sent,
        "failed" => DeliveryStatus::Failed,
        other => return Err(corrupt(format!("unknown delivery status `{other}`"))),
    })
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serializing plain data (strings, numbers, vectors, derived structs) cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::backend("read a JSON column", e))
}

fn corrupt(what: String) -> StoreError {
    StoreError::backend("read a row", what)
}

fn failed(operation: &'static str) -> impl Fn(sqlx::Error) -> StoreError + Copy {
    move |error| StoreError::backend(operation, error)
}

/// A user or invitation identifier as the database's integer key; `None` for text that no
/// row of ours can have.
fn numeric_id(id: &str) -> Option<i64> {
    id.parse().ok()
}

/// The language attribute an invitation carries.
fn language(user: &NewUser) -> &str {
    user.attribute("language").unwrap_or("")
}

/// The groups among `known` that `wanted` names, by id first, then by name, each once.
fn pick_groups(wanted: &[String], known: &[Group]) -> Vec<Group> {
    let mut found: Vec<Group> = Vec::new();
    for name in wanted {
        let group = known
            .iter()
            .find(|g| g.id.0 == *name)
            .or_else(|| known.iter().find(|g| g.name == *name));
        if let Some(group) = group
            && !found.contains(group)
        {
            found.push(group.clone());
        }
    }
    found
}

/// Whether `error` is a unique index refusing a row.
fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}
