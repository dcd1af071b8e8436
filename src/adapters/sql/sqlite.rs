//! The SQLite store: every host trait in one file, the embedded default.
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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, SqlSafeStr, Sqlite, Transaction};

use super::{
    Snapshot, SnapshotUser, corrupt, delivery_name, delivery_status, from_json, import_status,
    language, numeric_id, pick_groups, to_json,
};
use crate::conformance::Seed;
use crate::plan::{CourseId, ExistingUser, Group, GroupId, ImportId, InvitationId, UserId};
use crate::store::{
    Begin, Claim, Commit, CommitReceipt, Conflict, Delivery, DeliveryStatus, Enroller, GroupStore,
    ImportLog, ImportRecord, Invitation, Outbox, StoreError, UserStore,
};
use crate::summary::{ImportStatus, ImportSummary};

const SCHEMA: &str = include_str!("../../../migrations/sqlite/0001_user_import.sql");

/// The table where the store's migrations are tracked (its own, so that a host's sqlx
/// migrations never collide with these).
pub const MIGRATIONS_TABLE: &str = "ui_sqlx_migrations";

/// SQLite's default limit of bound parameters in one statement (since 3.32).
pub const MAX_PARAMETERS: usize = 32_766;

/// The store's migrations (`migrations/sqlite/`), embedded in the library.
pub fn migrator() -> Migrator {
    let mut migrator = Migrator::with_migrations(vec![Migration::new(
        1,
        "user import".into(),
        MigrationType::Simple,
        SCHEMA.into_sql_str(),
        false,
    )]);
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator
}

/// Every host trait on SQLite, for one platform (tenant). Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    platform: String,
}

fn failed(operation: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| StoreError::backend(operation, error)
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(value: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(value).ok_or_else(|| corrupt(format!("time {value}")))
}

/// Rows per multi-row statement with `columns` bound values each (and one more bound value
/// outside the rows).
fn chunk_rows(columns: usize) -> usize {
    ((MAX_PARAMETERS - 1) / columns).max(1)
}

impl SqliteStore {
    /// A store for `platform` on `pool`. The pool's connections should have foreign keys on
    /// and a busy timeout, as [`SqliteStore::connect`] sets them.
    pub fn new(pool: SqlitePool, platform: impl Into<String>) -> SqliteStore {
        SqliteStore {
            pool,
            platform: platform.into(),
        }
    }

    /// Opens (creating it if missing) the database at `url` (`sqlite://path/to/file.db`, or
    /// `sqlite::memory:` for a private in-memory database on one connection), in WAL mode,
    /// with foreign keys on and writers waiting up to 30 s for the write lock.
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
            .synchronous(SqliteSynchronous::Normal)
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

    /// The pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The platform this store reads and writes.
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// The same database, another platform.
    pub fn for_platform(&self, platform: impl Into<String>) -> SqliteStore {
        SqliteStore::new(self.pool.clone(), platform)
    }

    /// Creates or updates the schema.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when a migration fails.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrator()
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::backend("migrate the SQLite schema", e))
    }

    async fn write_tx(
        &self,
        operation: &'static str,
    ) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(failed(operation))
    }

    /// Adds an active user in `groups` outside any import (the host's own sign-up, and test
    /// set-up) and answers their identifier.
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] when the email is taken; [`StoreError::Backend`] otherwise.
    pub async fn add_user(
        &self,
        name: &str,
        email: &str,
        groups: &[&str],
    ) -> Result<UserId, StoreError> {
        let key = crate::normalize::email_key(email);
        let mut tx = self.write_tx("add a user").await?;
        let id: i64 = match sqlx::query_scalar(
            "INSERT INTO ui_users (platform, name, email, email_key) VALUES (?1, ?2, ?3, ?4)
             RETURNING id",
        )
        .bind(&self.platform)
        .bind(name)
        .bind(email)
        .bind(&key)
        .fetch_one(&mut *tx)
        .await
        {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict(Conflict::EmailTaken(vec![key])));
            }
            Err(e) => return Err(StoreError::backend("add a user", e)),
        };
        sqlx::query(
            "INSERT OR IGNORE INTO ui_memberships (platform, user_id, group_id)
             SELECT ?1, ?2, value FROM json_each(?3)",
        )
        .bind(&self.platform)
        .bind(id)
        .bind(to_json(groups))
        .execute(&mut *tx)
        .await
        .map_err(failed("add a user"))?;
        tx.commit().await.map_err(failed("add a user"))?;
        Ok(UserId(id.to_string()))
    }

    /// Marks a user inactive (it no longer holds a seat).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the database fails.
    pub async fn deactivate(&self, id: &UserId) -> Result<(), StoreError> {
        let Some(id) = numeric_id(id.as_str()) else {
            return Ok(());
        };
        sqlx::query("UPDATE ui_users SET active = 0 WHERE platform = ?1 AND id = ?2")
            .bind(&self.platform)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(failed("deactivate a user"))?;
        Ok(())
    }

    /// Everything the store holds for its platform.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the database fails.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let op = "snapshot";
        let p = &self.platform;
        let users = sqlx::query(
            "SELECT id, name, email, email_key, attributes, active, import_id FROM ui_users
             WHERE platform = ?1 ORDER BY id",
        )
        .bind(p)
        .fetch_all(&self.pool)
        .await
        .map_err(failed(op))?
        .iter()
        .map(user_of)
        .collect::<Result<Vec<_>, StoreError>>()?;
        let groups = sqlx::query("SELECT id, name FROM ui_groups WHERE platform = ?1 ORDER BY id")
            .bind(p)
            .fetch_all(&self.pool)
            .await
            .map_err(failed(op))?
            .iter()
            .map(group_of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed(op))?;
        let memberships = sqlx::query(
            "SELECT user_id, group_id FROM ui_memberships WHERE platform = ?1
             ORDER BY user_id, group_id",
        )
        .bind(p)
        .fetch_all(&self.pool)
        .await
        .map_err(failed(op))?
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<i64, _>(0)?.to_string(),
                GroupId(row.try_get(1)?),
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(failed(op))?;
        let imports = self.records(None).await?;
        let committed = sqlx::query_scalar(
            "SELECT import_id FROM ui_committed WHERE platform = ?1 ORDER BY import_id",
        )
        .bind(p)
        .fetch_all(&self.pool)
        .await
        .map_err(failed(op))?;
        let invitations =
            sqlx::query("SELECT * FROM ui_invitations WHERE platform = ?1 ORDER BY id")
                .bind(p)
                .fetch_all(&self.pool)
                .await
                .map_err(failed(op))?
                .iter()
                .map(invitation_of)
                .collect::<Result<Vec<_>, _>>()?;
        let enrollments = sqlx::query(
            "SELECT user_id, course_id FROM ui_enrollments WHERE platform = ?1
             ORDER BY user_id, course_id",
        )
        .bind(p)
        .fetch_all(&self.pool)
        .await
        .map_err(failed(op))?
        .iter()
        .map(|row| Ok((row.try_get::<i64, _>(0)?.to_string(), row.try_get(1)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(failed(op))?;
        Ok(Snapshot {
            users,
            groups,
            memberships,
            imports,
            committed,
            invitations,
            enrollments,
        })
    }

    /// Import records in begin order, newest first when `limit` is given.
    async fn records(&self, limit: Option<usize>) -> Result<Vec<ImportRecord>, StoreError> {
        let rows = match limit {
            Some(limit) => sqlx::query(
                "SELECT * FROM ui_imports WHERE platform = ?1 ORDER BY seq DESC LIMIT ?2",
            )
            .bind(&self.platform)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX)),
            None => sqlx::query("SELECT * FROM ui_imports WHERE platform = ?1 ORDER BY seq")
                .bind(&self.platform),
        }
        .fetch_all(&self.pool)
        .await
        .map_err(failed("list imports"))?;
        rows.iter().map(record_of).collect()
    }

    /// The commit's checks and writes, inside `tx` (which holds the write lock and which the
    /// caller commits).
    async fn apply(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        commit: &Commit,
    ) -> Result<Result<CommitReceipt, Conflict>, sqlx::Error> {
        let p = &self.platform;
        let import = commit.record.id.as_str();

        let done: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM ui_committed WHERE platform = ?1 AND import_id = ?2")
                .bind(p)
                .bind(import)
                .fetch_optional(&mut **tx)
                .await?;
        if done.is_some() {
            return Ok(Err(Conflict::AlreadyCommitted));
        }

        let owned_keys: Vec<std::borrow::Cow<'_, str>> =
            commit.creates.iter().map(|u| u.email_key()).collect();
        let keys: Vec<&str> = owned_keys.iter().map(|key| key.as_ref()).collect();
        if !keys.is_empty() {
            let taken: Vec<String> = sqlx::query_scalar(
                "SELECT email_key FROM ui_users
                 WHERE platform = ?1 AND email_key IN (SELECT value FROM json_each(?2))",
            )
            .bind(p)
            .bind(to_json(&keys))
            .fetch_all(&mut **tx)
            .await?;
            if !taken.is_empty() {
                let taken: BTreeSet<String> = taken.into_iter().collect();
                return Ok(Err(Conflict::EmailTaken(
                    keys.iter()
                        .filter(|k| taken.contains(**k))
                        .map(|k| k.to_string())
                        .collect(),
                )));
            }
            let mut seen = BTreeSet::new();
            if let Some(key) = keys.iter().find(|k| !seen.insert(**k)) {
                return Ok(Err(Conflict::EmailTaken(vec![key.to_string()])));
            }
            if let Some(limit) = commit.seat_limit {
                let active: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM ui_users WHERE platform = ?1 AND active",
                )
                .bind(p)
                .fetch_one(&mut **tx)
                .await?;
                let active = active.max(0) as u64;
                if active + keys.len() as u64 > limit {
                    return Ok(Err(Conflict::SeatsExhausted { active, limit }));
                }
            }
        }

        let mut addition_users: Vec<i64> = Vec::new();
        for addition in &commit.additions {
            match numeric_id(addition.user.as_str()) {
                Some(id) => addition_users.push(id),
                None => {
                    return Ok(Err(Conflict::Stale(format!(
                        "user {} no longer exists",
                        addition.user
                    ))));
                }
            }
        }
        if !addition_users.is_empty() {
            let found: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM ui_users
                 WHERE platform = ?1 AND id IN (SELECT value FROM json_each(?2))",
            )
            .bind(p)
            .bind(to_json(&addition_users))
            .fetch_all(&mut **tx)
            .await?;
            let found: BTreeSet<i64> = found.into_iter().collect();
            if let Some(addition) = commit
                .additions
                .iter()
                .zip(&addition_users)
                .find(|(_, id)| !found.contains(id))
                .map(|(a, _)| a)
            {
                return Ok(Err(Conflict::Stale(format!(
                    "user {} no longer exists",
                    addition.user
                ))));
            }
        }
        let wanted_groups: BTreeSet<&str> = commit
            .groups
            .iter()
            .chain(commit.additions.iter().flat_map(|a| a.groups.iter()))
            .map(|g| g.as_str())
            .collect();
        if !wanted_groups.is_empty() {
            let wanted: Vec<&str> = wanted_groups.iter().copied().collect();
            let found: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM ui_groups
                 WHERE platform = ?1 AND id IN (SELECT value FROM json_each(?2))",
            )
            .bind(p)
            .bind(to_json(&wanted))
            .fetch_all(&mut **tx)
            .await?;
            if let Some(missing) = wanted.iter().find(|g| !found.iter().any(|f| f == *g)) {
                return Ok(Err(Conflict::Stale(format!(
                    "group {missing} no longer exists"
                ))));
            }
        }

        // Users: multi-row inserts, as few as the parameter limit allows.
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(commit.creates.len());
        for chunk in commit.creates.chunks(chunk_rows(6)) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ui_users (platform, name, email, email_key, attributes, import_id) ",
            );
            insert.push_values(chunk, |mut row, user| {
                row.push_bind(p)
                    .push_bind(user.name())
                    .push_bind(user.email())
                    .push_bind(user.email_key())
                    .push_bind(to_json(&user.attributes().collect::<Vec<_>>()))
                    .push_bind(import);
            });
            insert.push(" RETURNING id, email_key");
            for row in insert.build().fetch_all(&mut **tx).await? {
                ids.insert(row.try_get("email_key")?, row.try_get("id")?);
            }
        }
        let mut created = Vec::with_capacity(commit.creates.len());
        for key in &keys {
            let id = *ids
                .get(*key)
                .ok_or_else(|| sqlx::Error::Protocol(format!("no id returned for {key}")))?;
            created.push(id);
        }

        // The outbox, in the same transaction.
        let invitations: Vec<(i64, &crate::plan::NewUser)> =
            created.iter().copied().zip(&commit.creates).collect();
        for chunk in invitations.chunks(chunk_rows(7)) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ui_invitations
                     (platform, import_id, user_id, name, email, language, message, status) ",
            );
            insert.push_values(chunk, |mut row, (id, user)| {
                row.push_bind(p)
                    .push_bind(import)
                    .push_bind(*id)
                    .push_bind(user.name())
                    .push_bind(user.email())
                    .push_bind(language(user))
                    .push_bind(&commit.record.message)
                    .push("'pending'");
            });
            insert.build().execute(&mut **tx).await?;
        }

        // Memberships: the created users in the import's groups, and the group additions.
        let mut members: Vec<(i64, &str)> = Vec::new();
        for id in &created {
            for group in &commit.groups {
                members.push((*id, group.as_str()));
            }
        }
        for (addition, id) in commit.additions.iter().zip(&addition_users) {
            for group in &addition.groups {
                members.push((*id, group.as_str()));
            }
        }
        for chunk in members.chunks(chunk_rows(3)) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT OR IGNORE INTO ui_memberships (platform, user_id, group_id) ",
            );
            insert.push_values(chunk, |mut row, (id, group)| {
                row.push_bind(p).push_bind(*id).push_bind(*group);
            });
            insert.build().execute(&mut **tx).await?;
        }

        upsert_record(tx, p, &commit.record).await?;
        sqlx::query("INSERT INTO ui_committed (platform, import_id) VALUES (?1, ?2)")
            .bind(p)
            .bind(import)
            .execute(&mut **tx)
            .await?;
        Ok(Ok(CommitReceipt {
            created: created
                .into_iter()
                .map(|id| UserId(id.to_string()))
                .collect(),
        }))
    }
}

async fn upsert_record(
    tx: &mut Transaction<'static, Sqlite>,
    platform: &str,
    record: &ImportRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ui_imports (platform, id, file_name, uploaded_by, groups, message, notes,
             status, created_at, updated_at, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (platform, id) DO UPDATE SET file_name = excluded.file_name,
             uploaded_by = excluded.uploaded_by, groups = excluded.groups,
             message = excluded.message, notes = excluded.notes, status = excluded.status,
             created_at = excluded.created_at, updated_at = excluded.updated_at,
             summary = excluded.summary",
    )
    .bind(platform)
    .bind(record.id.as_str())
    .bind(&record.file_name)
    .bind(&record.uploaded_by)
    .bind(to_json(&record.groups))
    .bind(&record.message)
    .bind(&record.notes)
    .bind(record.status.as_str())
    .bind(micros(record.created_at))
    .bind(micros(record.updated_at))
    .bind(record.summary.as_ref().map(to_json))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn user_of(row: &SqliteRow) -> Result<SnapshotUser, StoreError> {
    let get = |e: sqlx::Error| StoreError::backend("read a user", e);
    Ok(SnapshotUser {
        id: row.try_get::<i64, _>("id").map_err(get)?.to_string(),
        name: row.try_get("name").map_err(get)?,
        email: row.try_get("email").map_err(get)?,
        email_key: row.try_get("email_key").map_err(get)?,
        attributes: from_json(row.try_get("attributes").map_err(get)?)?,
        active: row.try_get("active").map_err(get)?,
        import: row.try_get("import_id").map_err(get)?,
    })
}

fn group_of(row: &SqliteRow) -> Result<Group, sqlx::Error> {
    Ok(Group {
        id: GroupId(row.try_get("id")?),
        name: row.try_get("name")?,
    })
}

fn record_of(row: &SqliteRow) -> Result<ImportRecord, StoreError> {
    let get = |e: sqlx::Error| StoreError::backend("read an import record", e);
    let summary: Option<String> = row.try_get("summary").map_err(get)?;
    Ok(ImportRecord {
        id: ImportId(row.try_get("id").map_err(get)?),
        file_name: row.try_get("file_name").map_err(get)?,
        uploaded_by: row.try_get("uploaded_by").map_err(get)?,
        groups: from_json(row.try_get("groups").map_err(get)?)?,
        message: row.try_get("message").map_err(get)?,
        notes: row.try_get("notes").map_err(get)?,
        status: import_status(row.try_get("status").map_err(get)?)?,
        created_at: from_micros(row.try_get("created_at").map_err(get)?)?,
        updated_at: from_micros(row.try_get("updated_at").map_err(get)?)?,
        summary: summary
            .as_deref()
            .map(from_json::<ImportSummary>)
            .transpose()?,
    })
}

fn invitation_of(row: &SqliteRow) -> Result<Invitation, StoreError> {
    let get = |e: sqlx::Error| StoreError::backend("read an invitation", e);
    let attempts: i64 = row.try_get("attempts").map_err(get)?;
    let claimed_at: Option<i64> = row.try_get("claimed_at").map_err(get)?;
    Ok(Invitation {
        id: InvitationId(row.try_get::<i64, _>("id").map_err(get)?.to_string()),
        import: ImportId(row.try_get("import_id").map_err(get)?),
        user: UserId(row.try_get::<i64, _>("user_id").map_err(get)?.to_string()),
        name: row.try_get("name").map_err(get)?,
        email: row.try_get("email").map_err(get)?,
        language: row.try_get("language").map_err(get)?,
        message: row.try_get("message").map_err(get)?,
        status: delivery_status(row.try_get("status").map_err(get)?)?,
        attempts: u32::try_from(attempts).map_err(|_| corrupt(format!("attempts {attempts}")))?,
        last_error: row.try_get("last_error").map_err(get)?,
        claimed_at: claimed_at.map(from_micros).transpose()?,
    })
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn find_by_email_keys(&self, keys: &[String]) -> Result<Vec<ExistingUser>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT u.id, u.email_key, m.group_id FROM ui_users u
             LEFT JOIN ui_memberships m ON m.platform = u.platform AND m.user_id = u.id
             WHERE u.platform = ?1 AND u.email_key IN (SELECT value FROM json_each(?2))
             ORDER BY u.id, m.group_id",
        )
        .bind(&self.platform)
        .bind(to_json(keys))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("find users by email"))?;
        let mut users: BTreeMap<i64, ExistingUser> = BTreeMap::new();
        for row in &rows {
            let read = || -> Result<(i64, String, Option<String>), sqlx::Error> {
                Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
            };
            let (id, key, group) = read().map_err(failed("find users by email"))?;
            let user = users.entry(id).or_insert_with(|| ExistingUser {
                id: UserId(id.to_string()),
                email_key: key,
                groups: Vec::new(),
            });
            if let Some(group) = group {
                user.groups.push(GroupId(group));
            }
        }
        Ok(users.into_values().collect())
    }

    async fn count_active_users(&self) -> Result<u64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM ui_users WHERE platform = ?1 AND active")
                .bind(&self.platform)
                .fetch_one(&self.pool)
                .await
                .map_err(failed("count active users"))?;
        Ok(count.max(0) as u64)
    }

    async fn commit(&self, commit: &Commit) -> Result<CommitReceipt, StoreError> {
        let mut tx = self.write_tx("commit").await?;
        match self.apply(&mut tx, commit).await {
            Ok(Ok(receipt)) => {
                tx.commit().await.map_err(failed("commit"))?;
                Ok(receipt)
            }
            Ok(Err(conflict)) => {
                tx.rollback().await.map_err(failed("commit"))?;
                Err(StoreError::Conflict(conflict))
            }
            // Under the write lock the checks above see every writer, so a unique violation
            // here means the commit itself holds a duplicate: answered as a taken email.
            Err(error) if is_unique_violation(&error) => {
                drop(tx);
                Err(StoreError::Conflict(Conflict::EmailTaken(
                    commit
                        .creates
                        .iter()
                        .map(|u| u.email_key().into_owned())
                        .collect(),
                )))
            }
            Err(error) => Err(StoreError::backend("commit", error)),
        }
    }
}

#[async_trait]
impl GroupStore for SqliteStore {
    async fn resolve(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let known = sqlx::query(
            "SELECT id, name FROM ui_groups
             WHERE platform = ?1
               AND (id IN (SELECT value FROM json_each(?2))
                    OR name IN (SELECT value FROM json_each(?2)))
             ORDER BY id",
        )
        .bind(&self.platform)
        .bind(to_json(wanted))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("resolve groups"))?
        .iter()
        .map(group_of)
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed("resolve groups"))?;
        Ok(pick_groups(wanted, &known))
    }
}

#[async_trait]
impl ImportLog for SqliteStore {
    async fn begin(&self, record: &ImportRecord) -> Result<Begin, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO ui_imports (platform, id, file_name, uploaded_by, groups, message, notes,
                 status, created_at, updated_at, summary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (platform, id) DO NOTHING",
        )
        .bind(&self.platform)
        .bind(record.id.as_str())
        .bind(&record.file_name)
        .bind(&record.uploaded_by)
        .bind(to_json(&record.groups))
        .bind(&record.message)
        .bind(&record.notes)
        .bind(record.status.as_str())
        .bind(micros(record.created_at))
        .bind(micros(record.updated_at))
        .bind(record.summary.as_ref().map(to_json))
        .execute(&self.pool)
        .await
        .map_err(failed("begin an import"))?;
        if inserted.rows_affected() == 1 {
            return Ok(Begin::Created);
        }
        match self.get(&record.id).await? {
            Some(existing) => Ok(Begin::Existing(Box::new(existing))),
            None => Err(StoreError::backend(
                "begin an import",
                "the record was neither created nor found",
            )),
        }
    }

    async fn set_status(
        &self,
        id: &ImportId,
        status: ImportStatus,
        summary: Option<&ImportSummary>,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE ui_imports SET status = ?3, updated_at = ?4, summary = COALESCE(?5, summary)
             WHERE platform = ?1 AND id = ?2",
        )
        .bind(&self.platform)
        .bind(id.as_str())
        .bind(status.as_str())
        .bind(micros(Utc::now()))
        .bind(summary.map(to_json))
        .execute(&self.pool)
        .await
        .map_err(failed("set an import's status"))?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: format!("import {id}"),
            });
        }
        Ok(())
    }

    async fn get(&self, id: &ImportId) -> Result<Option<ImportRecord>, StoreError> {
        sqlx::query("SELECT * FROM ui_imports WHERE platform = ?1 AND id = ?2")
            .bind(&self.platform)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("get an import"))?
            .as_ref()
            .map(record_of)
            .transpose()
    }

    async fn list(&self, limit: usize) -> Result<Vec<ImportRecord>, StoreError> {
        self.records(Some(limit)).await
    }
}

#[async_trait]
impl Outbox for SqliteStore {
    async fn claim(&self, claim: &Claim) -> Result<Vec<Invitation>, StoreError> {
        // One statement: SQLite runs it under the write lock, so two claims never overlap.
        let rows = sqlx::query(
            "UPDATE ui_invitations SET status = 'sending', claimed_at = ?3
             WHERE id IN (
                 SELECT id FROM ui_invitations
                 WHERE platform = ?1 AND import_id = ?2
                   AND (status = 'pending'
                        OR (status = 'failed' AND ?5)
                        OR (status = 'sending' AND (claimed_at IS NULL OR claimed_at < ?4)))
                 ORDER BY id
                 LIMIT ?6)
             RETURNING *",
        )
        .bind(&self.platform)
        .bind(claim.import.as_str())
        .bind(micros(claim.now))
        .bind(micros(claim.stale_before))
        .bind(claim.retry_failed)
        .bind(i64::try_from(claim.limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("claim invitations"))?;
        let mut claimed = rows
            .iter()
            .map(invitation_of)
            .collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|i| numeric_id(i.id.as_str()));
        Ok(claimed)
    }

    async fn record(&self, outcomes: &[(InvitationId, Delivery)]) -> Result<(), StoreError> {
        let mut rows: Vec<(i64, &'static str, Option<&str>)> = Vec::with_capacity(outcomes.len());
        for (id, outcome) in outcomes {
            let Some(number) = numeric_id(id.as_str()) else {
                return Err(StoreError::NotFound {
                    what: format!("invitation {id}"),
                });
            };
            rows.push(match outcome {
                Delivery::Sent => (number, delivery_name(DeliveryStatus::Sent), None),
                Delivery::Failed(reason) => (
                    number,
                    delivery_name(DeliveryStatus::Failed),
                    Some(reason.as_str()),
                ),
            });
        }
        let mut tx = self.write_tx("record deliveries").await?;
        let mut updated: BTreeSet<i64> = BTreeSet::new();
        for chunk in rows.chunks(chunk_rows(3)) {
            let mut update = QueryBuilder::<Sqlite>::new("WITH t(id, status, last_error) AS (");
            update.push_values(chunk, |mut row, (id, status, error)| {
                row.push_bind(*id).push_bind(*status).push_bind(*error);
            });
            update.push(
                ") UPDATE ui_invitations
                 SET status = t.status, last_error = t.last_error, attempts = attempts + 1
                 FROM t WHERE ui_invitations.platform = ",
            );
            update.push_bind(&self.platform);
            update.push(" AND ui_invitations.id = t.id RETURNING ui_invitations.id");
            let ids: Vec<i64> = update
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(failed("record deliveries"))?;
            updated.extend(ids);
        }
        if let Some((id, _)) = outcomes
            .iter()
            .find(|(id, _)| numeric_id(id.as_str()).is_none_or(|n| !updated.contains(&n)))
        {
            return Err(StoreError::NotFound {
                what: format!("invitation {id}"),
            });
        }
        tx.commit().await.map_err(failed("record deliveries"))?;
        Ok(())
    }

    async fn invitations(&self, import: &ImportId) -> Result<Vec<Invitation>, StoreError> {
        sqlx::query(
            "SELECT * FROM ui_invitations WHERE platform = ?1 AND import_id = ?2 ORDER BY id",
        )
        .bind(&self.platform)
        .bind(import.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(failed("list invitations"))?
        .iter()
        .map(invitation_of)
        .collect()
    }
}

#[async_trait]
impl Enroller for SqliteStore {
    async fn enroll(&self, users: &[UserId], courses: &[CourseId]) -> Result<(), StoreError> {
        let mut ids = Vec::with_capacity(users.len());
        for user in users {
            match numeric_id(user.as_str()) {
                Some(id) => ids.push(id),
                None => {
                    return Err(StoreError::NotFound {
                        what: format!("user {user}"),
                    });
                }
            }
        }
        let mut tx = self.write_tx("enroll users").await?;
        let found: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM ui_users WHERE platform = ?1 AND id IN (SELECT value FROM json_each(?2))",
        )
        .bind(&self.platform)
        .bind(to_json(&ids))
        .fetch_all(&mut *tx)
        .await
        .map_err(failed("enroll users"))?;
        if let Some((user, _)) = users.iter().zip(&ids).find(|(_, id)| !found.contains(id)) {
            return Err(StoreError::NotFound {
                what: format!("user {user}"),
            });
        }
        let courses: Vec<&str> = courses.iter().map(|c| c.as_str()).collect();
        sqlx::query(
            "INSERT OR IGNORE INTO ui_enrollments (platform, user_id, course_id)
             SELECT ?1, u.value, c.value FROM json_each(?2) AS u, json_each(?3) AS c",
        )
        .bind(&self.platform)
        .bind(to_json(&ids))
        .bind(to_json(&courses))
        .execute(&mut *tx)
        .await
        .map_err(failed("enroll users"))?;
        tx.commit().await.map_err(failed("enroll users"))?;
        Ok(())
    }
}

#[async_trait]
impl Seed for SqliteStore {
    async fn seed_group(&self, id: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ui_groups (platform, id, name) VALUES (?1, ?2, ?3)
             ON CONFLICT (platform, id) DO UPDATE SET name = excluded.name",
        )
        .bind(&self.platform)
        .bind(id)
        .bind(name)
        .execute(&self.pool)
        .await
        .map_err(failed("add a group"))?;
        Ok(())
    }
}
