//! The SQL store's commit, once for every dialect: the commit's rules checked under the
//! platform's lock, then the users written a batch at a time as they are read again from the
//! upload, their invitations and memberships, and the import's record, in one transaction.

use std::collections::{BTreeSet, HashMap};

use sqlx::{
    AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row,
    Transaction, Type,
};

use super::rows::{Creates, Found, addition_memberships, created_memberships};
use super::store::DbRow;
use super::{BULK_USERS, Dialect, SqlStore, failed, is_unique_violation, numeric_id};
use crate::summary::STORED_USERS;
use crate::{Commit, CommitReceipt, Conflict, StoreError, UserId, check_commit};

/// The users a commit writes per statement (with their invitations and memberships).
const COMMIT_BATCH: usize = 10_000;

/// Why a commit's writes stopped: the database, or the users' second read.
pub(super) enum Apply {
    Sql(sqlx::Error),
    Users(StoreError),
}

impl From<sqlx::Error> for Apply {
    fn from(error: sqlx::Error) -> Apply {
        Apply::Sql(error)
    }
}

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut <D::Db as Database>::Connection: Executor<'c, Database = D::Db>,
    <D::Db as Database>::Arguments: IntoArguments<D::Db>,
    for<'q> &'q str: Encode<'q, D::Db> + Type<D::Db>,
    for<'q> Option<&'q str>: Encode<'q, D::Db> + Type<D::Db>,
    for<'q> i64: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
    for<'q> bool: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
    for<'r> String: Decode<'r, D::Db> + Type<D::Db>,
    for<'r> i32: Decode<'r, D::Db> + Type<D::Db>,
    usize: ColumnIndex<DbRow<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
{
    /// [`UserStore::commit`](crate::UserStore::commit): one transaction under the platform's
    /// lock.
    pub(super) async fn commit_import(&self, commit: &Commit) -> Result<CommitReceipt, StoreError> {
        let mut tx = D::begin(&self.pool).await.map_err(failed("commit"))?;
        match self.apply(&mut tx, commit).await {
            Err(Apply::Users(error)) => {
                // The users could not be read again: nothing of the commit is written.
                tx.rollback().await.map_err(failed("commit"))?;
                Err(error)
            }
            Err(Apply::Sql(error)) => Err(self.after_failed_commit(tx, commit, error).await),
            Ok(Ok(receipt)) => {
                tx.commit().await.map_err(failed("commit"))?;
                if commit.creates.len() >= BULK_USERS && !D::AFTER_BULK.is_empty() {
                    // The commit is done: a failure here costs plans, not data.
                    if let Err(error) = sqlx::query(D::AFTER_BULK).execute(&self.pool).await {
                        tracing::warn!(%error, "the tables' statistics were not refreshed");
                    }
                }
                Ok(receipt)
            }
            Ok(Err(conflict)) => {
                tx.rollback().await.map_err(failed("commit"))?;
                Err(StoreError::Conflict(conflict))
            }
        }
    }

    /// What a commit that failed with `error` answers: the conflict a unique index found, or
    /// the backend's error.
    async fn after_failed_commit(
        &self,
        tx: Transaction<'static, D::Db>,
        commit: &Commit,
        error: sqlx::Error,
    ) -> StoreError {
        if !is_unique_violation(&error) {
            return StoreError::backend("commit", error);
        }
        // A writer that does not take the platform's lock took an email meanwhile (or
        // committed this import): find out which, now that the transaction is over.
        drop(tx);
        if error.as_database_error().is_some_and(D::committed_twice) {
            return StoreError::Conflict(Conflict::AlreadyCommitted);
        }
        let keys: Vec<String> = (commit.creates.email_keys())
            .map(|key| key.into_owned())
            .collect();
        let taken: BTreeSet<String> = match self.find_users(&keys).await {
            Ok(found) => found.into_iter().map(|u| u.email_key).collect(),
            Err(error) => return error,
        };
        let named: Vec<String> = keys
            .iter()
            .filter(|k| taken.contains(*k))
            .cloned()
            .collect();
        // No other writer holds one: the commit itself holds a key twice.
        StoreError::Conflict(Conflict::EmailTaken(if named.is_empty() {
            keys
        } else {
            named
        }))
    }

    /// The values of `column` of the platform's rows of `table` that are among `list`.
    pub(super) async fn among<T, L>(
        &self,
        tx: &mut Transaction<'static, D::Db>,
        table: &str,
        column: &str,
        list: L,
    ) -> Result<Vec<T>, sqlx::Error>
    where
        L: for<'q> Encode<'q, D::Db> + Type<D::Db>,
        T: for<'r> Decode<'r, D::Db> + Type<D::Db> + Send + Unpin,
    {
        let sql = format!(
            "SELECT {column} FROM {table} WHERE platform = $1 AND {}",
            D::any(column, 2)
        );
        sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(self.platform.as_str())
            .bind(list)
            .fetch_all(&mut **tx)
            .await
    }

    /// What the commit's rules ask, read under the lock `tx` holds.
    async fn found(
        &self,
        tx: &mut Transaction<'static, D::Db>,
        commit: &Commit,
    ) -> Result<Found, sqlx::Error> {
        let p = self.platform.as_str();
        let mut found = Found::default();
        // The import's state and the platform's seat limit, in one round trip: committed
        // before, ended failed by a twin, and the limit as it stands under the lock.
        let (committed, failed, limit): (i64, i64, Option<i64>) = sqlx::query_as(
            "SELECT
                 (SELECT count(*) FROM ui_committed WHERE platform = $1 AND import_id = $2),
                 (SELECT count(*) FROM ui_imports
                  WHERE platform = $1 AND id = $2 AND status = 'failed'),
                 (SELECT seat_limit FROM ui_platforms WHERE platform = $1)",
        )
        .bind(p)
        .bind(commit.record.id.as_str())
        .fetch_one(&mut **tx)
        .await?;
        found.committed = committed > 0;
        found.failed = failed > 0;
        found.seat_limit = limit.map(|limit| limit.max(0) as u64);
        if !commit.creates.is_empty() {
            // The keys a batch at a time: what one statement binds stays bounded.
            let mut keys = commit.creates.email_keys();
            loop {
                let batch: Vec<std::borrow::Cow<'_, str>> =
                    keys.by_ref().take(COMMIT_BATCH).collect();
                if batch.is_empty() {
                    break;
                }
                let batch: Vec<&str> = batch.iter().map(|key| key.as_ref()).collect();
                let taken: Vec<String> = self
                    .among(tx, "ui_users", "email_key", D::texts(&batch))
                    .await?;
                found.taken.extend(taken);
            }
            if commit.seat_limit.is_some() || found.seat_limit.is_some() {
                let active: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM ui_users WHERE platform = $1 AND active",
                )
                .bind(p)
                .fetch_one(&mut **tx)
                .await?;
                found.active = active.max(0) as u64;
            }
        }
        let users: Vec<i64> = (commit.additions.iter())
            .filter_map(|a| numeric_id(a.user.as_str()))
            .collect();
        if !users.is_empty() {
            let users: Vec<i64> = self.among(tx, "ui_users", "id", D::ints(&users)).await?;
            found.users = users.into_iter().collect();
        }
        let groups: BTreeSet<&str> = (commit.groups.iter())
            .chain(commit.additions.iter().flat_map(|a| a.groups.iter()))
            .map(|g| g.as_str())
            .collect();
        if !groups.is_empty() {
            let groups: Vec<&str> = groups.into_iter().collect();
            let groups: Vec<String> = self.among(tx, "ui_groups", "id", D::texts(&groups)).await?;
            found.groups = groups.into_iter().collect();
        }
        Ok(found)
    }

    /// The commit's checks and writes, inside `tx` (which the caller commits).
    async fn apply(
        &self,
        tx: &mut Transaction<'static, D::Db>,
        commit: &Commit,
    ) -> Result<Result<CommitReceipt, Conflict>, Apply> {
        let p = self.platform.as_str();
        let import = commit.record.id.as_str();
        D::lock(tx, p).await?;
        let found = self.found(tx, commit).await?;
        if let Err(conflict) = check_commit(commit, &found) {
            return Ok(Err(conflict));
        }

        // Users, then their invitations (the outbox) and memberships, in the same transaction,
        // a batch of users at a time, read again from the upload as they are written: what the
        // commit and a statement hold stays bounded whatever the import. Only the identifiers of
        // the first users are kept, as the import's record keeps them (the store answers the
        // others a page at a time, `created_users`).
        let mut created: Vec<i64> = Vec::with_capacity(commit.creates.len().min(STORED_USERS));
        let mut batches = commit.creates.batches(COMMIT_BATCH);
        while let Some(users) = batches.next().await.map_err(Apply::Users)? {
            let owned_keys: Vec<std::borrow::Cow<'_, str>> =
                users.iter().map(|user| user.email_key()).collect();
            let keys: Vec<&str> = owned_keys.iter().map(|key| key.as_ref()).collect();
            let creates = Creates::new(&users, keys.clone());
            let mut ids: HashMap<String, i64> = HashMap::with_capacity(users.len());
            for row in D::insert(tx, &creates.users(p, import)).await? {
                ids.insert(row.try_get("email_key")?, row.try_get("id")?);
            }
            let mut batch = Vec::with_capacity(keys.len());
            for key in &keys {
                let id = *ids
                    .get(*key)
                    .ok_or_else(|| sqlx::Error::Protocol(format!("no id returned for {key}")))?;
                batch.push(id);
            }
            D::insert(tx, &creates.invitations(p, commit, &batch)).await?;
            D::insert(tx, &created_memberships(p, commit, &batch)).await?;
            created.extend(batch.iter().take(STORED_USERS - created.len()).copied());
        }
        D::insert(tx, &addition_memberships(p, commit)).await?;
        // Only over a record that has not ended: a twin's `failed` may have been written since
        // the rules read it (set_status takes no platform lock), and the upsert sees the latest
        // row, waiting for a writer that holds it.
        let written = self
            .insert_record(
                &commit.record,
                "DO UPDATE SET file_name = EXCLUDED.file_name,
                 uploaded_by = EXCLUDED.uploaded_by, groups = EXCLUDED.groups,
                 message = EXCLUDED.message, notes = EXCLUDED.notes, status = EXCLUDED.status,
                 created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
                 summary = EXCLUDED.summary, brief = EXCLUDED.brief
                 WHERE ui_imports.status IN ('pending', 'running')",
            )
            .execute(&mut **tx)
            .await?;
        if D::rows_affected(&written) == 0 {
            return Ok(Err(Conflict::AlreadyFailed));
        }
        sqlx::query("INSERT INTO ui_committed (platform, import_id) VALUES ($1, $2)")
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
