//! The PostgreSQL store: every host trait on one database that many platforms and many
//! stateless importers share.
//!
//! The commit is one transaction: it locks the platform's row in `ui_platforms`
//! (`SELECT ... FOR UPDATE`), re-checks the import id, the email keys and the seats, then writes
//! users, memberships, the invitation outbox and the import's record with one bulk
//! `INSERT ... SELECT ... FROM UNNEST(...)` per table, whatever the number of users. The unique
//! index on `(platform, email_key)` backs the email check against writers that do not take the
//! lock; its violation (code `23505`) is answered as [`Conflict::EmailTaken`].
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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, SqlSafeStr, Transaction};

use super::{
    Snapshot, SnapshotUser, corrupt, delivery_name, delivery_status, from_json, import_status,
    language, numeric_id, pick_groups, to_json,
};
use crate::conformance::Seed;
use crate::plan::{CourseId, ExistingUser, Group, GroupId, ImportId, InvitationId, UserId};
use crate::store::{
    Begin, Claim, Commit, CommitReceipt, Conflict, Delivery, Enroller, GroupStore, ImportLog,
    ImportRecord, Invitation, Outbox, StoreError, UserStore,
};
use crate::summary::{ImportStatus, ImportSummary};

const SCHEMA: &str = include_str!("../../../migrations/postgres/0001_user_import.sql");

/// The table where the store's migrations are tracked (its own, so that a host's sqlx
/// migrations, numbered from 1 too, never collide with these).
pub const MIGRATIONS_TABLE: &str = "ui_sqlx_migrations";

/// PostgreSQL's code for a unique violation.
const UNIQUE_VIOLATION: &str = "23505";

/// The store's migrations (`migrations/postgres/`), embedded in the library.
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

/// Every host trait on PostgreSQL, for one platform (tenant). Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    platform: String,
}

fn failed(operation: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| StoreError::backend(operation, error)
}

fn code(error: &sqlx::Error) -> Option<String> {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
}

impl PostgresStore {
    /// A store for `platform` on `pool`.
    pub fn new(pool: PgPool, platform: impl Into<String>) -> PostgresStore {
        PostgresStore {
            pool,
            platform: platform.into(),
        }
    }

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

    /// The pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The platform this store reads and writes.
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// The same database, another platform.
    pub fn for_platform(&self, platform: impl Into<String>) -> PostgresStore {
        PostgresStore::new(self.pool.clone(), platform)
    }

    /// Creates or updates the schema. Safe to run from many processes at once (sqlx holds an
    /// advisory lock while it migrates).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when a migration fails.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrator()
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::backend("migrate the PostgreSQL schema", e))
    }

    /// Takes the platform's write lock for the rest of `tx`. Every writer of users that must
    /// respect the seat limit takes it first.
    async fn lock(&self, tx: &mut Transaction<'static, Postgres>) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO ui_platforms (platform) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(&self.platform)
            .execute(&mut **tx)
            .await?;
        sqlx::query("SELECT platform FROM ui_platforms WHERE platform = $1 FOR UPDATE")
            .bind(&self.platform)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Adds an active user in `groups` outside any import (the host's own sign-up, and test
    /// set-up), under the platform's lock, and answers their identifier.
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
        let mut tx = self.pool.begin().await.map_err(failed("add a user"))?;
        self.lock(&mut tx).await.map_err(failed("add a user"))?;
        let id: i64 = match sqlx::query_scalar(
            "INSERT INTO ui_users (platform, name, email, email_key) VALUES ($1, $2, $3, $4)
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
            Err(e) if code(&e).as_deref() == Some(UNIQUE_VIOLATION) => {
                return Err(StoreError::Conflict(Conflict::EmailTaken(vec![key])));
            }
            Err(e) => return Err(StoreError::backend("add a user", e)),
        };
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        sqlx::query(
            "INSERT INTO ui_memberships (platform, user_id, group_id)
             SELECT $1, $2, g FROM UNNEST($3::text[]) AS g ON CONFLICT DO NOTHING",
        )
        .bind(&self.platform)
        .bind(id)
        .bind(&groups)
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
        sqlx::query("UPDATE ui_users SET active = FALSE WHERE platform = $1 AND id = $2")
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
             WHERE platform = $1 ORDER BY id",
        )
        .bind(p)
        .fetch_all(&self.pool)
        .await
        .map_err(failed(op))?
        .iter()
        .map(user_of)
        .collect::<Result<Vec<_>, StoreError>>()?;
        let groups = sqlx::query("SELECT id, name FROM ui_groups WHERE platform = $1 ORDER BY id")
            .bind(p)
            .fetch_all(&self.pool)
            .await
            .map_err(failed(op))?
            .iter()
            .map(group_of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed(op))?;
        let memberships = sqlx::query(
            "SELECT user_id, group_id FROM ui_memberships WHERE platform = $1
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
            "SELECT import_id FROM ui_committed WHERE platform = $1 ORDER BY import_id",
        )
        .bind(p)
        .fetch_all(&self.pool)
        .await
        .map_err(failed(op))?;
        let invitations =
            sqlx::query("SELECT * FROM ui_invitations WHERE platform = $1 ORDER BY id")
                .bind(p)
                .fetch_all(&self.pool)
                .await
                .map_err(failed(op))?
                .iter()
                .map(invitation_of)
                .collect::<Result<Vec<_>, _>>()?;
        let enrollments = sqlx::query(
            "SELECT user_id, course_id FROM ui_enrollments WHERE platform = $1
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
                "SELECT * FROM ui_imports WHERE platform = $1 ORDER BY seq DESC LIMIT $2",
            )
            .bind(&self.platform)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX)),
            None => sqlx::query("SELECT * FROM ui_imports WHERE platform = $1 ORDER BY seq")
                .bind(&self.platform),
        }
        .fetch_all(&self.pool)
        .await
        .map_err(failed("list imports"))?;
        rows.iter().map(record_of).collect()
    }

    /// The commit's checks and writes, inside `tx` (which the caller commits).
    async fn apply(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        commit: &Commit,
    ) -> Result<Result<CommitReceipt, Conflict>, sqlx::Error> {
        let p = &self.platform;
        self.lock(tx).await?;

        let done: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM ui_committed WHERE platform = $1 AND import_id = $2")
                .bind(p)
                .bind(commit.record.id.as_str())
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
                "SELECT email_key FROM ui_users WHERE platform = $1 AND email_key = ANY($2)",
            )
            .bind(p)
            .bind(&keys)
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
                    "SELECT count(*) FROM ui_users WHERE platform = $1 AND active",
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
            let found: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM ui_users WHERE platform = $1 AND id = ANY($2)")
                    .bind(p)
                    .bind(&addition_users)
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
            let found: Vec<String> =
                sqlx::query_scalar("SELECT id FROM ui_groups WHERE platform = $1 AND id = ANY($2)")
                    .bind(p)
                    .bind(&wanted)
                    .fetch_all(&mut **tx)
                    .await?;
            if let Some(missing) = wanted.iter().find(|g| !found.iter().any(|f| f == *g)) {
                return Ok(Err(Conflict::Stale(format!(
                    "group {missing} no longer exists"
                ))));
            }
        }

        // Users: one statement for all of them.
        let mut created = Vec::with_capacity(commit.creates.len());
        if !commit.creates.is_empty() {
            let names: Vec<&str> = commit.creates.iter().map(|u| u.name()).collect();
            let emails: Vec<&str> = commit.creates.iter().map(|u| u.email()).collect();
            let attributes: Vec<String> = commit
                .creates
                .iter()
                .map(|u| to_json(&u.attributes().collect::<Vec<_>>()))
                .collect();
            let rows = sqlx::query(
                "INSERT INTO ui_users (platform, name, email, email_key, attributes, import_id)
                 SELECT $1, t.name, t.email, t.email_key, t.attributes, $6
                 FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[])
                     AS t(name, email, email_key, attributes)
                 RETURNING id, email_key",
            )
            .bind(p)
            .bind(&names)
            .bind(&emails)
            .bind(&keys)
            .bind(&attributes)
            .bind(commit.record.id.as_str())
            .fetch_all(&mut **tx)
            .await?;
            let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
            for row in &rows {
                ids.insert(row.try_get("email_key")?, row.try_get("id")?);
            }
            for key in &keys {
                let id = *ids
                    .get(*key)
                    .ok_or_else(|| sqlx::Error::Protocol(format!("no id returned for {key}")))?;
                created.push(id);
            }

            // The outbox, in the same transaction.
            let languages: Vec<String> = commit.creates.iter().map(language).collect();
            sqlx::query(
                "INSERT INTO ui_invitations
                     (platform, import_id, user_id, name, email, language, message, status)
                 SELECT $1, $2, t.user_id, t.name, t.email, t.language, $7, 'pending'
                 FROM UNNEST($3::bigint[], $4::text[], $5::text[], $6::text[])
                     AS t(user_id, name, email, language)",
            )
            .bind(p)
            .bind(commit.record.id.as_str())
            .bind(&created)
            .bind(&names)
            .bind(&emails)
            .bind(&languages)
            .bind(&commit.record.message)
            .execute(&mut **tx)
            .await?;
        }

        // Memberships: the created users in the import's groups, and the group additions.
        let mut member_users: Vec<i64> = Vec::new();
        let mut member_groups: Vec<&str> = Vec::new();
        for id in &created {
            for group in &commit.groups {
                member_users.push(*id);
                member_groups.push(group.as_str());
            }
        }
        for (addition, id) in commit.additions.iter().zip(&addition_users) {
            for group in &addition.groups {
                member_users.push(*id);
                member_groups.push(group.as_str());
            }
        }
        if !member_users.is_empty() {
            sqlx::query(
                "INSERT INTO ui_memberships (platform, user_id, group_id)
                 SELECT $1, t.user_id, t.group_id FROM UNNEST($2::bigint[], $3::text[])
                     AS t(user_id, group_id)
                 ON CONFLICT DO NOTHING",
            )
            .bind(p)
            .bind(&member_users)
            .bind(&member_groups)
            .execute(&mut **tx)
            .await?;
        }

        upsert_record(tx, p, &commit.record).await?;
        sqlx::query("INSERT INTO ui_committed (platform, import_id) VALUES ($1, $2)")
            .bind(p)
            .bind(commit.record.id.as_str())
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
    tx: &mut Transaction<'static, Postgres>,
    platform: &str,
    record: &ImportRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ui_imports (platform, id, file_name, uploaded_by, groups, message, notes,
             status, created_at, updated_at, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (platform, id) DO UPDATE SET file_name = EXCLUDED.file_name,
             uploaded_by = EXCLUDED.uploaded_by, groups = EXCLUDED.groups,
             message = EXCLUDED.message, notes = EXCLUDED.notes, status = EXCLUDED.status,
             created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
             summary = EXCLUDED.summary",
    )
    .bind(platform)
    .bind(record.id.as_str())
    .bind(&record.file_name)
    .bind(&record.uploaded_by)
    .bind(to_json(&record.groups))
    .bind(&record.message)
    .bind(&record.notes)
    .bind(record.status.as_str())
    .bind(record.created_at)
    .bind(record.updated_at)
    .bind(record.summary.as_ref().map(to_json))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn user_of(row: &PgRow) -> Result<SnapshotUser, StoreError> {
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

fn group_of(row: &PgRow) -> Result<Group, sqlx::Error> {
    Ok(Group {
        id: GroupId(row.try_get("id")?),
        name: row.try_get("name")?,
    })
}

fn record_of(row: &PgRow) -> Result<ImportRecord, StoreError> {
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
        created_at: row.try_get("created_at").map_err(get)?,
        updated_at: row.try_get("updated_at").map_err(get)?,
        summary: summary
            .as_deref()
            .map(from_json::<ImportSummary>)
            .transpose()?,
    })
}

fn invitation_of(row: &PgRow) -> Result<Invitation, StoreError> {
    let get = |e: sqlx::Error| StoreError::backend("read an invitation", e);
    let attempts: i32 = row.try_get("attempts").map_err(get)?;
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
        claimed_at: row
            .try_get::<Option<DateTime<Utc>>, _>("claimed_at")
            .map_err(get)?,
    })
}

#[async_trait]
impl UserStore for PostgresStore {
    async fn find_by_email_keys(&self, keys: &[String]) -> Result<Vec<ExistingUser>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT u.id, u.email_key, m.group_id FROM ui_users u
             LEFT JOIN ui_memberships m ON m.platform = u.platform AND m.user_id = u.id
             WHERE u.platform = $1 AND u.email_key = ANY($2)
             ORDER BY u.id, m.group_id",
        )
        .bind(&self.platform)
        .bind(keys)
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
            sqlx::query_scalar("SELECT count(*) FROM ui_users WHERE platform = $1 AND active")
                .bind(&self.platform)
                .fetch_one(&self.pool)
                .await
                .map_err(failed("count active users"))?;
        Ok(count.max(0) as u64)
    }

    async fn commit(&self, commit: &Commit) -> Result<CommitReceipt, StoreError> {
        let mut tx = self.pool.begin().await.map_err(failed("commit"))?;
        match self.apply(&mut tx, commit).await {
            Ok(Ok(receipt)) => {
                tx.commit().await.map_err(failed("commit"))?;
                Ok(receipt)
            }
            Ok(Err(conflict)) => {
                tx.rollback().await.map_err(failed("commit"))?;
                Err(StoreError::Conflict(conflict))
            }
            Err(error) if code(&error).as_deref() == Some(UNIQUE_VIOLATION) => {
                // A writer that does not take the platform's lock took an email meanwhile (or
                // committed this import): find out which, now that the transaction is over.
                drop(tx);
                let constraint = error
                    .as_database_error()
                    .and_then(|e| e.constraint().map(str::to_string));
                if constraint.as_deref() == Some("ui_committed_pkey") {
                    return Err(StoreError::Conflict(Conflict::AlreadyCommitted));
                }
                let keys: Vec<String> = commit
                    .creates
                    .iter()
                    .map(|u| u.email_key().into_owned())
                    .collect();
                let taken: BTreeSet<String> = self
                    .find_by_email_keys(&keys)
                    .await?
                    .into_iter()
                    .map(|u| u.email_key)
                    .collect();
                Err(StoreError::Conflict(Conflict::EmailTaken(
                    keys.into_iter().filter(|k| taken.contains(k)).collect(),
                )))
            }
            Err(error) => Err(StoreError::backend("commit", error)),
        }
    }
}

#[async_trait]
impl GroupStore for PostgresStore {
    async fn resolve(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let known = sqlx::query(
            "SELECT id, name FROM ui_groups WHERE platform = $1 AND (id = ANY($2) OR name = ANY($2))
             ORDER BY id",
        )
        .bind(&self.platform)
        .bind(wanted)
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
impl ImportLog for PostgresStore {
    async fn begin(&self, record: &ImportRecord) -> Result<Begin, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO ui_imports (platform, id, file_name, uploaded_by, groups, message, notes,
                 status, created_at, updated_at, summary)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
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
        .bind(record.created_at)
        .bind(record.updated_at)
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
            "UPDATE ui_imports SET status = $3, updated_at = $4, summary = COALESCE($5, summary)
             WHERE platform = $1 AND id = $2",
        )
        .bind(&self.platform)
        .bind(id.as_str())
        .bind(status.as_str())
        .bind(Utc::now())
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
        sqlx::query("SELECT * FROM ui_imports WHERE platform = $1 AND id = $2")
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
impl Outbox for PostgresStore {
    async fn claim(&self, claim: &Claim) -> Result<Vec<Invitation>, StoreError> {
        let rows = sqlx::query(
            "UPDATE ui_invitations SET status = 'sending', claimed_at = $3
             WHERE id IN (
                 SELECT id FROM ui_invitations
                 WHERE platform = $1 AND import_id = $2
                   AND (status = 'pending'
                        OR (status = 'failed' AND $5)
                        OR (status = 'sending' AND (claimed_at IS NULL OR claimed_at < $4)))
                 ORDER BY id
                 LIMIT $6
                 FOR UPDATE SKIP LOCKED)
             RETURNING *",
        )
        .bind(&self.platform)
        .bind(claim.import.as_str())
        .bind(claim.now)
        .bind(claim.stale_before)
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
        let mut ids = Vec::with_capacity(outcomes.len());
        let mut statuses = Vec::with_capacity(outcomes.len());
        let mut errors: Vec<Option<&str>> = Vec::with_capacity(outcomes.len());
        for (id, outcome) in outcomes {
            let Some(number) = numeric_id(id.as_str()) else {
                return Err(StoreError::NotFound {
                    what: format!("invitation {id}"),
                });
            };
            ids.push(number);
            match outcome {
                Delivery::Sent => {
                    statuses.push(delivery_name(crate::store::DeliveryStatus::Sent));
                    errors.push(None);
                }
                Delivery::Failed(reason) => {
                    statuses.push(delivery_name(crate::store::DeliveryStatus::Failed));
                    errors.push(Some(reason.as_str()));
                }
            }
        }
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(failed("record deliveries"))?;
        let updated: Vec<i64> = sqlx::query_scalar(
            "UPDATE ui_invitations AS i
             SET status = t.status, last_error = t.last_error, attempts = i.attempts + 1
             FROM UNNEST($2::bigint[], $3::text[], $4::text[]) AS t(id, status, last_error)
             WHERE i.platform = $1 AND i.id = t.id
             RETURNING i.id",
        )
        .bind(&self.platform)
        .bind(&ids)
        .bind(&statuses)
        .bind(&errors)
        .fetch_all(&mut *tx)
        .await
        .map_err(failed("record deliveries"))?;
        let updated: BTreeSet<i64> = updated.into_iter().collect();
        if let Some((id, _)) = outcomes
            .iter()
            .zip(&ids)
            .find(|(_, n)| !updated.contains(n))
        {
            return Err(StoreError::NotFound {
                what: format!("invitation {}", id.0),
            });
        }
        tx.commit().await.map_err(failed("record deliveries"))?;
        Ok(())
    }

    async fn invitations(&self, import: &ImportId) -> Result<Vec<Invitation>, StoreError> {
        sqlx::query(
            "SELECT * FROM ui_invitations WHERE platform = $1 AND import_id = $2 ORDER BY id",
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
impl Enroller for PostgresStore {
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
        let mut tx = self.pool.begin().await.map_err(failed("enroll users"))?;
        let found: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM ui_users WHERE platform = $1 AND id = ANY($2)")
                .bind(&self.platform)
                .bind(&ids)
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
            "INSERT INTO ui_enrollments (platform, user_id, course_id)
             SELECT $1, u, c FROM UNNEST($2::bigint[]) AS u CROSS JOIN UNNEST($3::text[]) AS c
             ON CONFLICT DO NOTHING",
        )
        .bind(&self.platform)
        .bind(&ids)
        .bind(&courses)
        .execute(&mut *tx)
        .await
        .map_err(failed("enroll users"))?;
        tx.commit().await.map_err(failed("enroll users"))?;
        Ok(())
    }
}

#[async_trait]
impl Seed for PostgresStore {
    async fn seed_group(&self, id: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ui_groups (platform, id, name) VALUES ($1, $2, $3)
             ON CONFLICT (platform, id) DO UPDATE SET name = EXCLUDED.name",
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
