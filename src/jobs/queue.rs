//! The job queue: apalis's SQLite storage in the embedded default, its PostgreSQL storage where
//! several app servers share one database.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskSink};
use async_trait::async_trait;

use super::ImportJob;
use crate::error::StoreError;

/// The name of the queue (apalis's job type) that holds imports.
pub(crate) const QUEUE: &str = "user_import::ImportJob";

/// How the queue watches its workers and retries its jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueOptions {
    /// How often a worker tells the queue it is alive.
    pub heartbeat: Duration,
    /// How many heartbeats a worker may miss before its jobs are given to another worker.
    pub missed_heartbeats: usize,
    /// How many times the queue hands out one job (a job whose worker died counts one).
    pub max_attempts: u32,
}

impl Default for QueueOptions {
    /// A heartbeat every 5 seconds, a worker presumed dead after 3 missed (15 seconds), a job
    /// handed out at most 5 times.
    fn default() -> QueueOptions {
        QueueOptions {
            heartbeat: Duration::from_secs(5),
            missed_heartbeats: 3,
            max_attempts: 5,
        }
    }
}

impl QueueOptions {
    /// How long after its last heartbeat a worker's jobs go to another worker.
    pub fn orphaned_after(&self) -> Duration {
        self.heartbeat * self.missed_heartbeats as u32
    }
}

/// The queue's task for `job`: unique per `key` (else [`ImportJob::key`]), handed out at most
/// `max_attempts` times.
fn task_of(
    job: &ImportJob,
    key: Option<&str>,
    options: &QueueOptions,
) -> apalis::prelude::Task<ImportJob> {
    TaskBuilder::new(job.clone())
        .idempotency_key(key.map_or_else(|| job.key(), str::to_string))
        .max_attempts(options.max_attempts as usize)
        .build()
}

/// Where submitted imports wait for a worker.
///
/// # Contract
///
/// [`JobQueue::enqueue`] is idempotent per key: a second job with the key of one already on
/// the queue (queued, running, done or failed) is not added. [`JobQueue::is_idle`] answers
/// whether no job is queued, running, or failed with attempts left.
#[async_trait]
pub trait JobQueue: Send + Sync + fmt::Debug {
    /// Adds `job` to the queue, once per [`ImportJob::key`] (or `key` when given, for a
    /// retry).
    async fn enqueue(&self, job: &ImportJob, key: Option<&str>) -> Result<(), StoreError>;

    /// Whether no job waits, runs or awaits a retry.
    async fn is_idle(&self) -> Result<bool, StoreError>;
}

/// The imports' queue in a SQLite database of its own (apalis-sqlite), beside the host's.
#[derive(Clone)]
pub struct SqliteQueue {
    pool: sqlx::SqlitePool,
    options: QueueOptions,
}

impl fmt::Debug for SqliteQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteQueue")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SqliteQueue {
    /// Opens (creating and migrating it if needed) the queue's database at `path`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the database cannot be opened or migrated.
    pub async fn open(path: &Path, options: QueueOptions) -> Result<SqliteQueue, StoreError> {
        let connect = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(30));
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(connect)
            .await
            .map_err(|error| StoreError::backend("open the job queue", error))?;
        apalis_sqlite::SqliteStorage::setup(&pool)
            .await
            .map_err(|error| StoreError::backend("set up the job queue", error))?;
        Ok(SqliteQueue { pool, options })
    }

    /// The queue's options.
    pub fn options(&self) -> &QueueOptions {
        &self.options
    }

    /// The apalis storage of the queue, for a worker that runs `batch` jobs at once (it takes
    /// no more than that from the queue, so the other workers get the rest).
    pub(crate) fn storage(&self, batch: usize) -> apalis_sqlite::SqliteStorage<ImportJob> {
        let config = apalis_sqlite::Config::default()
            .queue(QUEUE)
            .batch_size(batch.max(1))
            .heartbeat_interval(self.options.heartbeat)
            .missed_heartbeats(self.options.missed_heartbeats);
        apalis_sqlite::SqliteStorage::new(&self.pool).with_config(config)
    }
}

#[async_trait]
impl JobQueue for SqliteQueue {
    async fn enqueue(&self, job: &ImportJob, key: Option<&str>) -> Result<(), StoreError> {
        let task = task_of(job, key, &self.options);
        self.storage(1)
            .push_task(task)
            .await
            .map_err(|error| StoreError::backend("queue the import", error))
    }

    async fn is_idle(&self) -> Result<bool, StoreError> {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM Jobs WHERE job_type = ?1 AND (status IN ('Pending', 'Queued', 'Running') OR (status = 'Failed' AND attempts < max_attempts))",
        )
        .bind(QUEUE)
        .fetch_one(&self.pool)
        .await
        .map_err(|error| StoreError::backend("look at the job queue", error))?;
        Ok(waiting == 0)
    }
}

/// The imports' queue in PostgreSQL (apalis-postgres), for app servers that share one
/// database. Its tables live in the schema `apalis` and its migration history in the schema
/// `user_import_queue`, apart from the host's own.
#[cfg(feature = "jobs-postgres")]
#[derive(Clone)]
pub struct PostgresQueue {
    pool: sqlx::PgPool,
    options: QueueOptions,
}

#[cfg(feature = "jobs-postgres")]
impl fmt::Debug for PostgresQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresQueue")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "jobs-postgres")]
impl PostgresQueue {
    /// Connects to `url` and migrates the queue's tables.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the database cannot be reached or migrated.
    pub async fn connect(url: &str, options: QueueOptions) -> Result<PostgresQueue, StoreError> {
        use sqlx::Executor as _;
        let setup = sqlx::PgPool::connect(url)
            .await
            .map_err(|error| StoreError::backend("connect to the job queue", error))?;
        setup
            .execute("CREATE SCHEMA IF NOT EXISTS user_import_queue")
            .await
            .map_err(|error| StoreError::backend("set up the job queue", error))?;
        setup.close().await;
        // The queue's migration history apart from the host's: apalis and the host both keep
        // one in `_sqlx_migrations`, found through the search path.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(8)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    connection
                        .execute("SET search_path TO user_import_queue, public")
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|error| StoreError::backend("connect to the job queue", error))?;
        apalis_postgres::PostgresStorage::setup(&pool)
            .await
            .map_err(|error| StoreError::backend("set up the job queue", error))?;
        Ok(PostgresQueue { pool, options })
    }

    /// The queue's options.
    pub fn options(&self) -> &QueueOptions {
        &self.options
    }

    /// The apalis storage of the queue, for a worker that runs `batch` jobs at once (it takes
    /// no more than that from the queue, so the other workers get the rest).
    pub(crate) fn storage(&self, batch: usize) -> apalis_postgres::PostgresStorage<ImportJob> {
        let config = apalis_postgres::Config::default()
            .queue(QUEUE)
            .batch_size(batch.max(1))
            .heartbeat_interval(self.options.heartbeat)
            .missed_heartbeats(self.options.missed_heartbeats);
        apalis_postgres::PostgresStorage::new(&self.pool).with_config(config)
    }
}

#[cfg(feature = "jobs-postgres")]
#[async_trait]
impl JobQueue for PostgresQueue {
    async fn enqueue(&self, job: &ImportJob, key: Option<&str>) -> Result<(), StoreError> {
        let task = task_of(job, key, &self.options);
        self.storage(1)
            .push_task(task)
            .await
            .map_err(|error| StoreError::backend("queue the import", error))
    }

    async fn is_idle(&self) -> Result<bool, StoreError> {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM apalis.jobs WHERE job_type = $1 AND (status IN ('Pending', 'Queued', 'Running') OR (status = 'Failed' AND attempts < max_attempts))",
        )
        .bind(QUEUE)
        .fetch_one(&self.pool)
        .await
        .map_err(|error| StoreError::backend("look at the job queue", error))?;
        Ok(waiting == 0)
    }
}
