//! The SQLite store: every host trait in one database file, the embedded default.
//!
//! The commit is one `BEGIN IMMEDIATE` transaction (SQLite's write lock, taken before the
//! checks, so two imports cannot both take the last seats): it re-checks the import id, the
//! email keys and the seats, then writes users, memberships, the invitation outbox and the
//! import's record with multi-row `INSERT`s built by [`sqlx::QueryBuilder::push_values`], in
//! chunks under SQLite's limit of 32,766 bound parameters.
//!
//! ```no_run
//! # async fn example() -> Result<(), user_import::StoreError> {
//! use user_import::adapters::sqlite::SqliteStore;
//!
//! let store = SqliteStore::connect("sqlite://lms.db", "platform-42").await?;
//! store.migrate().await?;
//! # Ok(())
//! # }
//! ```

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::error::DatabaseError;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteQueryResult,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};

pub use super::MIGRATIONS_TABLE;
use super::{Dialect, Outcome, Rows, SqlStore, Values, corrupt, failed, migrator_of, to_json};
use crate::StoreError;

/// The migrations in `migrations/sqlite/`, in order.
const MIGRATIONS: [(&str, &str); 5] = [
    (
        "user import",
        include_str!("../../../migrations/sqlite/0001_user_import.sql"),
    ),
    (
        "import progress",
        include_str!("../../../migrations/sqlite/0002_import_progress.sql"),
    ),
    (
        "import brief",
        include_str!("../../../migrations/sqlite/0003_import_brief.sql"),
    ),
    (
        "platform keys",
        include_str!("../../../migrations/sqlite/0004_platform_keys.sql"),
    ),
    (
        "unsent invitations",
        include_str!("../../../migrations/sqlite/0005_unsent_invitations.sql"),
    ),
];

/// SQLite's default limit of bound parameters in one statement (since 3.32).
pub const MAX_PARAMETERS: usize = 32_766;

/// The store's migrations (`migrations/sqlite/`), embedded in the library.
pub fn migrator() -> Migrator {
    migrator_of(&MIGRATIONS)
}

/// Every host trait on SQLite, for one platform (tenant). Cloning shares the pool.
///
/// # Durability
///
/// [`SqliteStore::connect`] opens the database in WAL mode with `synchronous = FULL`: a
/// transaction is on disk (the WAL synced) when its commit returns. The engine sends the
/// invitations only after the commit returns, so a power loss or an operating-system crash
/// cannot roll back a commit whose invitations went out. (With `NORMAL`, SQLite's usual choice
/// for WAL, the last commits before a power loss may be lost.) A host that opens its own pool
/// for [`SqliteStore::new`] should keep that setting.
pub type SqliteStore = SqlStore<SqliteDialect>;

/// SQLite's SQL: JSON arrays (`json_each`) for lists, microseconds since the epoch for times,
/// multi-row `INSERT`s for bulk inserts, `BEGIN IMMEDIATE` for the write lock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

/// Rows per multi-row statement with `columns` bound values each (and one more bound value
/// outside the rows).
fn chunk_rows(columns: usize) -> usize {
    ((MAX_PARAMETERS - 1) / columns.max(1)).max(1)
}

impl Dialect for SqliteDialect {
    type Db = Sqlite;
    type Time = i64;
    type Texts<'a> = String;
    type Ints<'a> = String;

    const MIGRATE: &'static str = "migrate the SQLite schema";
    // One statement under the database's write lock: two claims never overlap.
    const SKIP_LOCKED: &'static str = "";
    // SQLite plans without statistics unless a host keeps them; its plans stay the same.
    const AFTER_BULK: &'static str = "";

    fn migrator() -> Migrator {
        migrator()
    }

    fn time(at: DateTime<Utc>) -> i64 {
        at.timestamp_micros()
    }

    fn from_time(value: i64) -> Result<DateTime<Utc>, StoreError> {
        DateTime::from_timestamp_micros(value).ok_or_else(|| corrupt(format!("time {value}")))
    }

    fn texts<'a>(items: &'a [&'a str]) -> String {
        to_json(items)
    }

    fn ints(items: &[i64]) -> String {
        to_json(items)
    }

    fn any(column: &str, n: usize) -> String {
        format!("{column} IN (SELECT value FROM json_each(${n}))")
    }

    /// `BEGIN IMMEDIATE`: the database's write lock, taken before the first read.
    async fn begin(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Nothing more: the transaction holds the database's write lock from its start.
    async fn lock(
        _tx: &mut Transaction<'static, Sqlite>,
        _platform: &str,
    ) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// Multi-row `INSERT`s, as few as the parameter limit allows.
    async fn insert(
        tx: &mut Transaction<'static, Sqlite>,
        rows: &Rows<'_>,
    ) -> Result<Vec<SqliteRow>, sqlx::Error> {
        let mut answered = Vec::new();
        let chunk = chunk_rows(rows.values.len());
        for start in (0..rows.len).step_by(chunk) {
            let mut insert = QueryBuilder::<Sqlite>::new(rows.head("OR IGNORE "));
            insert.push(' ');
            insert.push_values(start..rows.len.min(start + chunk), |mut row, i| {
                for values in &rows.values {
                    match values {
                        Values::Each(value) => row.push_bind(*value),
                        Values::Texts(texts) => row.push_bind(texts[i]),
                        Values::Ints(ints) => row.push_bind(ints[i]),
                    };
                }
            });
            if !rows.returning.is_empty() {
                insert.push(" RETURNING ").push(rows.returning);
            }
            answered.extend(insert.build().fetch_all(&mut **tx).await?);
        }
        Ok(answered)
    }

    /// `WITH t(...) AS (VALUES ...) UPDATE ... FROM t`, in chunks under the parameter limit.
    async fn record_deliveries(
        tx: &mut Transaction<'static, Sqlite>,
        platform: &str,
        outcomes: &[Outcome<'_>],
    ) -> Result<Vec<i64>, sqlx::Error> {
        let mut updated = Vec::with_capacity(outcomes.len());
        for chunk in outcomes.chunks(chunk_rows(3)) {
            let mut update = QueryBuilder::<Sqlite>::new("WITH t(id, status, last_error) AS (");
            update.push_values(chunk, |mut row, (id, status, error)| {
                row.push_bind(*id).push_bind(*status).push_bind(*error);
            });
            update.push(
                ") UPDATE ui_invitations
                 SET status = t.status, last_error = t.last_error, attempts = attempts + 1
                 FROM t WHERE ui_invitations.platform = ",
            );
            update.push_bind(platform);
            update.push(" AND ui_invitations.id = t.id RETURNING ui_invitations.id");
            updated.extend(
                update
                    .build_query_scalar::<i64>()
                    .fetch_all(&mut **tx)
                    .await?,
            );
        }
        Ok(updated)
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    /// SQLite names no constraint, its message does (`UNIQUE constraint failed:
    /// ui_committed.platform, ...`). Under the write lock this does not happen: the commit's
    /// checks see every other writer.
    fn committed_twice(error: &dyn DatabaseError) -> bool {
        error.message().contains("ui_committed.")
    }
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `url` (`sqlite://path/to/file.db`, or
    /// `sqlite::memory:` for a private in-memory database on one connection), in WAL mode with
    /// `synchronous = FULL` (see [Durability](SqliteStore#durability)), with foreign keys on
    /// and writers waiting up to 30 s for the write lock.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the database cannot be opened.
    pub async fn connect(
        url: &str,
        platform: impl Into<String>,
    ) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(failed("open the SQLite database"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 4 })
            .connect_with(options)
            .await
            .map_err(failed("open the SQLite database"))?;
        Ok(SqliteStore::new(pool, platform))
    }
}
