//! The SQL store's platform-wide reads and writes outside the commit: the seat limit the
//! commit re-reads under the lock, and the pages of the users an import created.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};

use super::store::DbRow;
use super::{Dialect, SqlStore, failed};
use crate::{CreatedUser, ImportId, StoreError, UserId};

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut <D::Db as Database>::Connection: Executor<'c, Database = D::Db>,
    <D::Db as Database>::Arguments: IntoArguments<D::Db>,
    for<'q> &'q str: Encode<'q, D::Db> + Type<D::Db>,
    for<'q> i64: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
    for<'r> String: Decode<'r, D::Db> + Type<D::Db>,
    for<'r> i32: Decode<'r, D::Db> + Type<D::Db>,
    usize: ColumnIndex<DbRow<D>>,
{
    /// Sets the platform's seat limit (`None`: none). The commit reads it under the platform's
    /// lock, so a limit lowered while an import waits for the lock holds: that import's commit
    /// is refused ([`Conflict::SeatsExhausted`](crate::Conflict::SeatsExhausted)) and its plan,
    /// made again, fails the import with the seat-limit issue. Active users may reach the
    /// limit, not pass it; lowering it below them removes no one.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the database fails.
    pub async fn set_seat_limit(&self, limit: Option<u64>) -> Result<(), StoreError> {
        let op = "set the seat limit";
        let p = self.platform.as_str();
        let mut tx = D::begin(&self.pool).await.map_err(failed(op))?;
        D::lock(&mut tx, p).await.map_err(failed(op))?;
        let query = match limit {
            Some(limit) => sqlx::query(
                "INSERT INTO ui_platforms (platform, seat_limit) VALUES ($1, $2)
                 ON CONFLICT (platform) DO UPDATE SET seat_limit = EXCLUDED.seat_limit",
            )
            .bind(p)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX)),
            None => {
                sqlx::query("UPDATE ui_platforms SET seat_limit = NULL WHERE platform = $1").bind(p)
            }
        };
        query.execute(&mut *tx).await.map_err(failed(op))?;
        tx.commit().await.map_err(failed(op))?;
        Ok(())
    }

    /// [`UserStore::seat_limit`](crate::UserStore::seat_limit).
    pub(super) async fn held_seat_limit(&self) -> Result<Option<u64>, StoreError> {
        let limit: Option<Option<i64>> =
            sqlx::query_scalar("SELECT seat_limit FROM ui_platforms WHERE platform = $1")
                .bind(self.platform.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(failed("read the seat limit"))?;
        Ok(limit.flatten().map(|limit| limit.max(0) as u64))
    }

    /// [`UserStore::created_users`](crate::UserStore::created_users): one indexed range of
    /// `ui_users` (platform, import, row).
    pub(super) async fn created_by(
        &self,
        import: &ImportId,
        after_row: u32,
        limit: usize,
    ) -> Result<Vec<CreatedUser>, StoreError> {
        let op = "read the users an import created";
        let rows = sqlx::query(
            "SELECT id, name, email, import_row FROM ui_users
             WHERE platform = $1 AND import_id = $2 AND import_row > $3
             ORDER BY import_row LIMIT $4",
        )
        .bind(self.platform.as_str())
        .bind(import.as_str())
        .bind(i64::from(after_row))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(failed(op))?;
        let user = |row: &DbRow<D>| -> Result<CreatedUser, sqlx::Error> {
            let id: i64 = row.try_get(0)?;
            let position: i64 = i64::from(row.try_get::<i32, _>(3)?);
            Ok(CreatedUser {
                row: u32::try_from(position).unwrap_or(0),
                id: UserId(id.to_string()),
                name: row.try_get(1)?,
                email: row.try_get(2)?,
            })
        };
        rows.iter()
            .map(|row| user(row).map_err(failed(op)))
            .collect()
    }
}
