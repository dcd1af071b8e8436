//! The SQL store's algorithm, once for every dialect: every read and write of the host traits
//! but the commit (in `commit.rs`).

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use sqlx::query::Query;
use sqlx::{
    AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type,
};

use super::rows::memberships;
use super::{
    Dialect, Rows, Snapshot, SnapshotUser, SqlStore, Values, failed, from_json, import_status,
    is_unique_violation, numeric_id, pick_groups, to_json,
};
use crate::store::groups_to_create;
use crate::{
    Begin, Conflict, CourseId, ExistingUser, Group, GroupId, ImportId, ImportRecord, ImportStatus,
    ImportSummary, StoreError, UserId,
};

pub(super) type DbRow<D> = <<D as Dialect>::Db as Database>::Row;

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
    /// Creates or updates the schema. Safe to run again; on PostgreSQL safe to run from many
    /// processes at once (sqlx holds an advisory lock while it migrates).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when a migration fails.
    pub async fn migrate(&self) -> Result<(), StoreError>
    where
        <D::Db as Database>::Connection: sqlx::migrate::Migrate,
    {
        D::migrator()
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::backend(D::MIGRATE, e))
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
        let op = "add a user";
        let key = crate::check::normalize::email_key(email);
        let mut tx = D::begin(&self.pool).await.map_err(failed(op))?;
        D::lock(&mut tx, &self.platform).await.map_err(failed(op))?;
        let id: i64 = match sqlx::query_scalar(
            "INSERT INTO ui_users (platform, name, email, email_key) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(self.platform.as_str())
        .bind(name)
        .bind(email)
        .bind(key.as_str())
        .fetch_one(&mut *tx)
        .await
        {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict(Conflict::EmailTaken(vec![key])));
            }
            Err(e) => return Err(StoreError::backend(op, e)),
        };
        let memberships = memberships(&self.platform, vec![id; groups.len()], groups.to_vec());
        D::insert(&mut tx, &memberships).await.map_err(failed(op))?;
        tx.commit().await.map_err(failed(op))?;
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
            .bind(self.platform.as_str())
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
        let op = failed("snapshot");
        let users = self
            .platform_rows(
                "SELECT id, name, email, email_key, attributes, active, import_id FROM ui_users
                 WHERE platform = $1 ORDER BY id",
            )
            .await
            .map_err(op)?;
        let groups = self
            .platform_rows("SELECT id, name FROM ui_groups WHERE platform = $1 ORDER BY id")
            .await
            .map_err(op)?;
        let memberships = self
            .platform_rows(
                "SELECT user_id, group_id FROM ui_memberships WHERE platform = $1
                 ORDER BY user_id, group_id",
            )
            .await
            .map_err(op)?;
        let committed = self
            .platform_rows(
                "SELECT import_id FROM ui_committed WHERE platform = $1 ORDER BY import_id",
            )
            .await
            .map_err(op)?;
        let invitations = self
            .platform_rows("SELECT * FROM ui_invitations WHERE platform = $1 ORDER BY id")
            .await
            .map_err(op)?;
        let enrollments = self
            .platform_rows(
                "SELECT user_id, course_id FROM ui_enrollments WHERE platform = $1
                 ORDER BY user_id, course_id",
            )
            .await
            .map_err(op)?;
        let pair = |row: &DbRow<D>| -> Result<(String, String), sqlx::Error> {
            Ok((row.try_get::<i64, _>(0)?.to_string(), row.try_get(1)?))
        };
        Ok(Snapshot {
            users: users.iter().map(Self::user_of).collect::<Result<_, _>>()?,
            groups: Self::groups_of(&groups).map_err(op)?,
            memberships: (memberships.iter())
                .map(|row| pair(row).map(|(user, group)| (user, GroupId(group))))
                .collect::<Result<_, _>>()
                .map_err(op)?,
            imports: self.records(None).await?,
            committed: (committed.iter().map(|row| row.try_get(0)))
                .collect::<Result<_, _>>()
                .map_err(op)?,
            invitations: (invitations.iter().map(Self::invitation_of)).collect::<Result<_, _>>()?,
            enrollments: (enrollments.iter().map(pair).collect::<Result<_, _>>()).map_err(op)?,
        })
    }

    /// The rows `sql` answers with the platform bound as `$1`.
    async fn platform_rows(&self, sql: &'static str) -> Result<Vec<DbRow<D>>, sqlx::Error> {
        sqlx::query(sql)
            .bind(self.platform.as_str())
            .fetch_all(&self.pool)
            .await
    }

    /// Import records in begin order, newest first when `limit` is given.
    pub(super) async fn records(
        &self,
        limit: Option<usize>,
    ) -> Result<Vec<ImportRecord>, StoreError> {
        // The index reads each summary's brief (counts, no lists); a record written before
        // briefs existed answers its whole summary.
        let rows = match limit {
            Some(limit) => sqlx::query(
                "SELECT platform, id, file_name, uploaded_by, groups, message, notes, status,
                     created_at, updated_at, progress, COALESCE(brief, summary) AS summary
                 FROM ui_imports WHERE platform = $1 ORDER BY seq DESC LIMIT $2",
            )
            .bind(self.platform.as_str())
            .bind(i64::try_from(limit).unwrap_or(i64::MAX)),
            None => sqlx::query("SELECT * FROM ui_imports WHERE platform = $1 ORDER BY seq")
                .bind(self.platform.as_str()),
        }
        .fetch_all(&self.pool)
        .await
        .map_err(failed("list imports"))?;
        let mut records = rows
            .iter()
            .map(Self::record_of)
            .collect::<Result<Vec<_>, _>>()?;
        self.tally_invitations(&mut records).await?;
        Ok(records)
    }

    /// [`UserStore::find_by_email_keys`](crate::UserStore::find_by_email_keys).
    pub(super) async fn find_users(
        &self,
        keys: &[String],
    ) -> Result<Vec<ExistingUser>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let sql = format!(
            "SELECT u.id, u.email_key, m.group_id FROM ui_users u
             LEFT JOIN ui_memberships m ON m.platform = u.platform AND m.user_id = u.id
             WHERE u.platform = $1 AND {}
             ORDER BY u.id, m.group_id",
            D::any("u.email_key", 2)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(self.platform.as_str())
            .bind(D::texts(&keys))
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

    /// [`UserStore::count_active_users`](crate::UserStore::count_active_users).
    pub(super) async fn count_active(&self) -> Result<u64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM ui_users WHERE platform = $1 AND active")
                .bind(self.platform.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(failed("count active users"))?;
        Ok(count.max(0) as u64)
    }

    /// Inserts `record`, or does `on_conflict` when the platform has a record with its id.
    pub(super) fn insert_record(
        &self,
        record: &ImportRecord,
        on_conflict: &str,
    ) -> Query<'static, D::Db, <D::Db as Database>::Arguments> {
        let sql = format!(
            "INSERT INTO ui_imports (platform, id, file_name, uploaded_by, groups, message, notes,
                 status, created_at, updated_at, summary, brief)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (platform, id) {on_conflict}"
        );
        let summary = record.summary.as_ref().map(to_json);
        let brief = record
            .summary
            .as_ref()
            .map(|summary| to_json(&summary.brief()));
        sqlx::query(AssertSqlSafe(sql))
            .bind(self.platform.as_str())
            .bind(record.id.as_str())
            .bind(record.file_name.as_str())
            .bind(record.uploaded_by.as_str())
            .bind(to_json(&record.groups).as_str())
            .bind(record.message.as_str())
            .bind(record.notes.as_str())
            .bind(record.status.as_str())
            .bind(D::time(record.created_at))
            .bind(D::time(record.updated_at))
            .bind(summary.as_deref())
            .bind(brief.as_deref())
    }

    /// The query for the platform's groups whose id or name is among `names`, by id.
    fn groups_among(
        &self,
        names: &[&str],
    ) -> Query<'static, D::Db, <D::Db as Database>::Arguments> {
        let sql = format!(
            "SELECT id, name FROM ui_groups WHERE platform = $1 AND ({} OR {}) ORDER BY id",
            D::any("id", 2),
            D::any("name", 2)
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(self.platform.as_str())
            .bind(D::texts(names))
    }

    /// [`GroupStore::resolve`](crate::GroupStore::resolve).
    pub(super) async fn resolve_groups(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError> {
        let op = failed("resolve groups");
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = wanted.iter().map(String::as_str).collect();
        let rows = (self.groups_among(&names).fetch_all(&self.pool).await).map_err(op)?;
        Ok(pick_groups(wanted, &Self::groups_of(&rows).map_err(op)?))
    }

    /// [`GroupStore::create_groups`](crate::GroupStore::create_groups), under the platform's
    /// lock.
    pub(super) async fn add_groups(&self, groups: &[Group]) -> Result<Vec<Group>, StoreError> {
        let op = failed("create groups");
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let p = self.platform.as_str();
        let mut tx = D::begin(&self.pool).await.map_err(op)?;
        D::lock(&mut tx, p).await.map_err(op)?;
        let names: Vec<&str> = (groups.iter().map(|g| g.id.as_str()))
            .chain(groups.iter().map(|g| g.name.as_str()))
            .collect();
        let rows = (self.groups_among(&names).fetch_all(&mut *tx).await).map_err(op)?;
        let held = Self::groups_of(&rows).map_err(op)?;
        let (answers, created) = groups_to_create(groups, &held);
        let rows = Rows::new(
            "ui_groups",
            &["platform", "id", "name"],
            vec![
                Values::Each(p),
                Values::Texts(created.iter().map(|g| g.id.as_str()).collect()),
                Values::Texts(created.iter().map(|g| g.name.as_str()).collect()),
            ],
        );
        D::insert(&mut tx, &rows).await.map_err(op)?;
        tx.commit().await.map_err(op)?;
        Ok(answers)
    }

    /// [`GroupStore::list_groups`](crate::GroupStore::list_groups).
    pub(super) async fn all_groups(&self) -> Result<Vec<Group>, StoreError> {
        let op = failed("list groups");
        let rows = self
            .platform_rows("SELECT id, name FROM ui_groups WHERE platform = $1")
            .await
            .map_err(op)?;
        let mut groups = Self::groups_of(&rows).map_err(op)?;
        // By id in byte order, whatever the database's collation.
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(groups)
    }

    /// [`ImportLog::begin`](crate::ImportLog::begin).
    pub(super) async fn begin_import(&self, record: &ImportRecord) -> Result<Begin, StoreError> {
        let inserted = self
            .insert_record(record, "DO NOTHING")
            .execute(&self.pool)
            .await
            .map_err(failed("begin an import"))?;
        if D::rows_affected(&inserted) == 1 {
            return Ok(Begin::Created);
        }
        match self.import(&record.id).await? {
            Some(existing) => Ok(Begin::Existing(Box::new(existing))),
            None => Err(StoreError::backend(
                "begin an import",
                "the record was neither created nor found",
            )),
        }
    }

    /// [`ImportLog::set_status`](crate::ImportLog::set_status).
    pub(super) async fn set_import_status(
        &self,
        id: &ImportId,
        status: ImportStatus,
        summary: Option<&ImportSummary>,
    ) -> Result<bool, StoreError> {
        let brief = summary.map(|summary| to_json(&summary.brief()));
        let summary = summary.map(to_json);
        // One conditional update: the record moves only from a status the rule allows.
        let from = status.may_follow();
        let from_status = |index: usize| from[index.min(from.len() - 1)].as_str();
        let updated = sqlx::query(
            "UPDATE ui_imports SET status = $3, updated_at = $4, summary = COALESCE($5, summary),
                 brief = COALESCE($9, brief)
             WHERE platform = $1 AND id = $2 AND status IN ($6, $7, $8)",
        )
        .bind(self.platform.as_str())
        .bind(id.as_str())
        .bind(status.as_str())
        .bind(D::time(Utc::now()))
        .bind(summary.as_deref())
        .bind(from_status(0))
        .bind(from_status(1))
        .bind(from_status(2))
        .bind(brief.as_deref())
        .execute(&self.pool)
        .await
        .map_err(failed("set an import's status"))?;
        if D::rows_affected(&updated) > 0 {
            return Ok(true);
        }
        match self.import(id).await? {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound {
                what: format!("import {id}"),
            }),
        }
    }

    /// [`ImportLog::get`](crate::ImportLog::get).
    pub(super) async fn import(&self, id: &ImportId) -> Result<Option<ImportRecord>, StoreError> {
        let record = sqlx::query("SELECT * FROM ui_imports WHERE platform = $1 AND id = $2")
            .bind(self.platform.as_str())
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("get an import"))?
            .as_ref()
            .map(Self::record_of)
            .transpose()?;
        match record {
            Some(record) => {
                let mut records = [record];
                self.tally_invitations(&mut records).await?;
                let [record] = records;
                Ok(Some(record))
            }
            None => Ok(None),
        }
    }

    /// [`ImportLog::set_progress`](crate::ImportLog::set_progress): kept while the import is
    /// pending or running.
    pub(super) async fn set_import_progress(
        &self,
        id: &ImportId,
        progress: &crate::Progress,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE ui_imports SET progress = $3
             WHERE platform = $1 AND id = $2 AND status IN ('pending', 'running')",
        )
        .bind(self.platform.as_str())
        .bind(id.as_str())
        .bind(to_json(progress).as_str())
        .execute(&self.pool)
        .await
        .map_err(failed("record an import's progress"))?;
        if D::rows_affected(&updated) == 0 && self.import(id).await?.is_none() {
            return Err(StoreError::NotFound {
                what: format!("import {id}"),
            });
        }
        Ok(())
    }

    /// [`Enroller::enroll`](crate::Enroller::enroll), in one transaction.
    pub(super) async fn enroll_users(
        &self,
        users: &[UserId],
        courses: &[CourseId],
    ) -> Result<(), StoreError> {
        let op = "enroll users";
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
        let mut tx = D::begin(&self.pool).await.map_err(failed(op))?;
        let found: Vec<i64> =
            (self.among(&mut tx, "ui_users", "id", D::ints(&ids)).await).map_err(failed(op))?;
        let found: HashSet<i64> = found.into_iter().collect();
        if let Some((user, _)) = users.iter().zip(&ids).find(|(_, id)| !found.contains(id)) {
            return Err(StoreError::NotFound {
                what: format!("user {user}"),
            });
        }
        let enrollments = Rows::new(
            "ui_enrollments",
            &["platform", "user_id", "course_id"],
            vec![
                Values::Each(&self.platform),
                Values::Ints(
                    ids.iter()
                        .flat_map(|id| courses.iter().map(|_| *id))
                        .collect(),
                ),
                Values::Texts(
                    ids.iter()
                        .flat_map(|_| courses.iter().map(|c| c.as_str()))
                        .collect(),
                ),
            ],
        )
        .skip_existing();
        D::insert(&mut tx, &enrollments).await.map_err(failed(op))?;
        tx.commit().await.map_err(failed(op))?;
        Ok(())
    }

    fn user_of(row: &DbRow<D>) -> Result<SnapshotUser, StoreError> {
        let get = |e: sqlx::Error| StoreError::backend("read a user", e);
        let attributes: String = row.try_get("attributes").map_err(get)?;
        Ok(SnapshotUser {
            id: row.try_get::<i64, _>("id").map_err(get)?.to_string(),
            name: row.try_get("name").map_err(get)?,
            email: row.try_get("email").map_err(get)?,
            email_key: row.try_get("email_key").map_err(get)?,
            attributes: from_json(&attributes)?,
            active: row.try_get("active").map_err(get)?,
            import: row.try_get("import_id").map_err(get)?,
        })
    }

    fn groups_of(rows: &[DbRow<D>]) -> Result<Vec<Group>, sqlx::Error> {
        let group = |row: &DbRow<D>| -> Result<Group, sqlx::Error> {
            Ok(Group {
                id: GroupId(row.try_get("id")?),
                name: row.try_get("name")?,
            })
        };
        rows.iter().map(group).collect()
    }

    fn record_of(row: &DbRow<D>) -> Result<ImportRecord, StoreError> {
        let get = |e: sqlx::Error| StoreError::backend("read an import record", e);
        let groups: String = row.try_get("groups").map_err(get)?;
        let status: String = row.try_get("status").map_err(get)?;
        let summary: Option<String> = row.try_get("summary").map_err(get)?;
        let progress: Option<String> = row.try_get("progress").map_err(get)?;
        Ok(ImportRecord {
            id: ImportId(row.try_get("id").map_err(get)?),
            file_name: row.try_get("file_name").map_err(get)?,
            uploaded_by: row.try_get("uploaded_by").map_err(get)?,
            groups: from_json(&groups)?,
            message: row.try_get("message").map_err(get)?,
            notes: row.try_get("notes").map_err(get)?,
            status: import_status(&status)?,
            created_at: D::from_time(row.try_get("created_at").map_err(get)?)?,
            updated_at: D::from_time(row.try_get("updated_at").map_err(get)?)?,
            summary: summary
                .as_deref()
                .map(from_json::<ImportSummary>)
                .transpose()?,
            progress: progress.as_deref().map(from_json).transpose()?,
            invitations: crate::InvitationTally::default(),
        })
    }
}
