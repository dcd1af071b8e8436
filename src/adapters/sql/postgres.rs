//! The PostgreSQL store: every host trait on one database that many platforms and many
//! stateless importers share.
//!
//! The commit is one transaction: it locks the platform's row in `ui_platforms`
//! (`SELECT ... FOR UPDATE`), re-checks the import id, the email keys and the seats, then writes
//! users, memberships, the invitation outbox and the import's record with one bulk
//! `INSERT ... SELECT ... FROM UNNEST(...)` per table, whatever the number of users. The unique
//! index on `(platform, email_key)` backs the email check against writers that do not take the
//! lock; its violation (code `23505`) is answered as [`Conflict::EmailTaken`](crate::Conflict).
//!
//! ```no_run
//! # async fn example() -> Result<(), user_import::StoreError> {
//! use std::sync::Arc;
//! use user_import::adapters::postgres::PostgresStore;
//! use user_import::memory::MemoryMailer;
//! use user_import::{Importer, Schema, Stores};
//!
//! let store = PostgresStore::connect("postgres://app@127.0.0.1/lms", "platform-42").await?;
//! store.migrate().await?;
//! let mailer = MemoryMailer::new(); // or adapters::smtp::SmtpMailer (feature `smtp`)
//! let importer = Importer::new(Schema::default(), Stores::single(Arc::new(store), Arc::new(mailer)));
//! # let _ = importer;
//! # Ok(())
//! # }
//! ```

use chrono::{DateTime, Utc};
use sqlx::error::DatabaseError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPoolOptions, PgQueryResult, PgRow};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Transaction};

pub use super::MIGRATIONS_TABLE;
use super::{Dialect, Outcome, Rows, SqlStore, Values, failed, migrator_of};
use crate::StoreError;

/// The migrations in `migrations/postgres/`, in order.
const MIGRATIONS: [(&str, &str); 5] = [
    (
        "user import",
        include_str!("../../../migrations/postgres/0001_user_import.sql"),
    ),
    (
        "import progress",
        include_str!("../../../migrations/postgres/0002_import_progress.sql"),
    ),
    (
        "import brief",
        include_str!("../../../migrations/postgres/0003_import_brief.sql"),
    ),
    (
        "platform keys",
        include_str!("../../../migrations/postgres/0004_platform_keys.sql"),
    ),
    (
        "unsent invitations",
        include_str!("../../../migrations/postgres/0005_unsent_invitations.sql"),
    ),
];

/// The store's migrations (`migrations/postgres/`), embedded in the library.
pub fn migrator() -> Migrator {
    migrator_of(&MIGRATIONS)
}

/// Every host trait on PostgreSQL, for one platform (tenant). Cloning shares the pool.
pub type PostgresStore = SqlStore<PostgresDialect>;

/// PostgreSQL's SQL: arrays for lists, `timestamptz` for times, `UNNEST` for bulk inserts, the
/// platform's row in `ui_platforms` for the write lock.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostgresDialect;

impl Dialect for PostgresDialect {
    type Db = Postgres;
    type Time = DateTime<Utc>;
    type Texts<'a> = &'a [&'a str];
    type Ints<'a> = &'a [i64];

    const MIGRATE: &'static str = "migrate the PostgreSQL schema";
    // Two claims never wait for each other, and never take the same invitation.
    const SKIP_LOCKED: &'static str = "\n                 FOR UPDATE SKIP LOCKED";
    // A new platform's rows are not in the statistics until autovacuum analyzes the tables,
    // a minute or more later: meanwhile the planner takes the platform for one row, and
    // recording 50 sent invitations walked all of the platform's (50 ms a batch at 100,000,
    // 45 s for the whole outbox). ANALYZE samples a fixed number of rows: about 0.2 s a table.
    const AFTER_BULK: &'static str = "ANALYZE ui_users, ui_memberships, ui_invitations";

    fn migrator() -> Migrator {
        migrator()
    }

    fn time(at: DateTime<Utc>) -> DateTime<Utc> {
        at
    }

    fn from_time(value: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
        Ok(value)
    }

    fn texts<'a>(items: &'a [&'a str]) -> &'a [&'a str] {
        items
    }

    fn ints(items: &[i64]) -> &[i64] {
        items
    }

    fn any(column: &str, n: usize) -> String {
        format!("{column} = ANY(${n})")
    }

    async fn begin(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        pool.begin().await
    }

    async fn lock(
        tx: &mut Transaction<'static, Postgres>,
        platform: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO ui_platforms (platform) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(platform)
            .execute(&mut **tx)
            .await?;
        sqlx::query("SELECT platform FROM ui_platforms WHERE platform = $1 FOR UPDATE")
            .bind(platform)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// One `INSERT ... SELECT ... FROM UNNEST($2::text[], ...)`, whatever the number of rows.
    async fn insert(
        tx: &mut Transaction<'static, Postgres>,
        rows: &Rows<'_>,
    ) -> Result<Vec<PgRow>, sqlx::Error> {
        if rows.len == 0 {
            return Ok(Vec::new());
        }
        let (mut select, mut arrays, mut names) = (Vec::new(), Vec::new(), Vec::new());
        for (n, (column, values)) in rows.columns.iter().zip(&rows.values).enumerate() {
            let n = n + 1;
            let array = match values {
                Values::Each(_) => {
                    select.push(format!("${n}"));
                    continue;
                }
                Values::Texts(_) => format!("${n}::text[]"),
                Values::Ints(_) => format!("${n}::bigint[]"),
            };
            arrays.push(array);
            names.push(*column);
            select.push(format!("t.{column}"));
        }
        let mut sql = format!(
            "{} SELECT {} FROM UNNEST({}) AS t({})",
            rows.head(""),
            select.join(", "),
            arrays.join(", "),
            names.join(", ")
        );
        if rows.skip_existing {
            sql.push_str(" ON CONFLICT DO NOTHING");
        }
        if !rows.returning.is_empty() {
            sql = format!("{sql} RETURNING {}", rows.returning);
        }
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for values in &rows.values {
            query = match values {
                Values::Each(value) => query.bind(*value),
                Values::Texts(texts) => query.bind(texts),
                Values::Ints(ints) => query.bind(ints),
            };
        }
        query.fetch_all(&mut **tx).await
    }

    async fn record_deliveries(
        tx: &mut Transaction<'static, Postgres>,
        platform: &str,
        outcomes: &[Outcome<'_>],
    ) -> Result<Vec<i64>, sqlx::Error> {
        let ids: Vec<i64> = outcomes.iter().map(|o| o.0).collect();
        let statuses: Vec<&str> = outcomes.iter().map(|o| o.1).collect();
        let errors: Vec<Option<&str>> = outcomes.iter().map(|o| o.2).collect();
        sqlx::query_scalar(
            "UPDATE ui_invitations AS i
             SET status = t.status, last_error = t.last_error, attempts = i.attempts + 1
             FROM UNNEST($2::bigint[], $3::text[], $4::text[]) AS t(id, status, last_error)
             WHERE i.platform = $1 AND i.id = t.id AND i.id = ANY($2)
             RETURNING i.id",
        )
        .bind(platform)
        .bind(&ids)
        .bind(&statuses)
        .bind(&errors)
        .fetch_all(&mut **tx)
        .await
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    fn committed_twice(error: &dyn DatabaseError) -> bool {
        error.constraint() == Some("ui_committed_pkey")
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/database`) with a pool of up to 10
    /// connections.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the server cannot be reached.
    pub async fn connect(
        url: &str,
        platform: impl Into<String>,
    ) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await
            .map_err(failed("connect to PostgreSQL"))?;
        Ok(PostgresStore::new(pool, platform))
    }
}
