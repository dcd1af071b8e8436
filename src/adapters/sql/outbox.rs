//! The SQL store's outbox: claiming invitations to send, recording outcomes, listing them.

use std::collections::{HashMap, HashSet};

use sqlx::{
    AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type,
};

use super::store::DbRow;
use super::{Dialect, SqlStore, corrupt, delivery_name, delivery_status, failed, numeric_id};
use crate::{
    Claim, Delivery, DeliveryStatus, ImportId, ImportRecord, Invitation, InvitationId,
    InvitationTally, StoreError, UserId,
};

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
    /// [`Outbox::claim`](crate::Outbox::claim): one statement, so two claims never overlap. The
    /// `status <> 'sent'` term lets the database walk the index of unsent invitations
    /// (migration 0005) rather than every invitation the import has.
    pub(super) async fn claim_invitations(
        &self,
        claim: &Claim,
    ) -> Result<Vec<Invitation>, StoreError> {
        // After the sender's last claim: the index range starts there, past the entries of the
        // invitations it already handled.
        let after = claim.after.as_ref().and_then(|id| numeric_id(id.as_str()));
        let sql = format!(
            "UPDATE ui_invitations SET status = 'sending', claimed_at = $3
             WHERE id IN (
                 SELECT id FROM ui_invitations
                 WHERE platform = $1 AND import_id = $2 AND status <> 'sent'{}
                   AND (status = 'pending'
                        OR (status = 'failed' AND $5)
                        OR (status = 'sending' AND (claimed_at IS NULL OR claimed_at < $4)))
                 ORDER BY id
                 LIMIT $6{})
             RETURNING *",
            if after.is_some() { " AND id > $7" } else { "" },
            D::SKIP_LOCKED
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(self.platform.as_str())
            .bind(claim.import.as_str())
            .bind(D::time(claim.now))
            .bind(D::time(claim.stale_before))
            .bind(claim.retry_failed)
            .bind(i64::try_from(claim.limit).unwrap_or(i64::MAX));
        if let Some(after) = after {
            query = query.bind(after);
        }
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(failed("claim invitations"))?;
        let mut claimed = rows
            .iter()
            .map(Self::invitation_of)
            .collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|i| numeric_id(i.id.as_str()));
        Ok(claimed)
    }

    /// [`Outbox::record`](crate::Outbox::record), in one transaction.
    pub(super) async fn record_outcomes(
        &self,
        outcomes: &[(InvitationId, Delivery)],
    ) -> Result<(), StoreError> {
        let mut rows = Vec::with_capacity(outcomes.len());
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
        let op = "record deliveries";
        let mut tx = D::begin(&self.pool).await.map_err(failed(op))?;
        let updated: HashSet<i64> = D::record_deliveries(&mut tx, &self.platform, &rows)
            .await
            .map_err(failed(op))?
            .into_iter()
            .collect();
        if let Some((id, _)) = outcomes
            .iter()
            .zip(&rows)
            .find(|(_, (n, _, _))| !updated.contains(n))
        {
            return Err(StoreError::NotFound {
                what: format!("invitation {}", id.0),
            });
        }
        tx.commit().await.map_err(failed(op))?;
        Ok(())
    }

    /// [`Outbox::invitations`](crate::Outbox::invitations).
    pub(super) async fn invitations_of(
        &self,
        import: &ImportId,
    ) -> Result<Vec<Invitation>, StoreError> {
        sqlx::query(
            "SELECT * FROM ui_invitations WHERE platform = $1 AND import_id = $2 ORDER BY id",
        )
        .bind(self.platform.as_str())
        .bind(import.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(failed("list invitations"))?
        .iter()
        .map(Self::invitation_of)
        .collect()
    }

    /// Fills in each record's [`ImportRecord::invitations`] from the outbox: one grouped count
    /// over the outbox's index for all of them.
    pub(super) async fn tally_invitations(
        &self,
        records: &mut [ImportRecord],
    ) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let sql = format!(
            "SELECT import_id, status, count(*) FROM ui_invitations
             WHERE platform = $1 AND {} GROUP BY import_id, status",
            D::any("import_id", 2)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(self.platform.as_str())
            .bind(D::texts(&ids))
            .fetch_all(&self.pool)
            .await
            .map_err(failed("count invitations"))?;
        let mut tallies: HashMap<String, InvitationTally> = HashMap::new();
        for row in &rows {
            let get = |e: sqlx::Error| StoreError::backend("count invitations", e);
            let import: String = row.try_get(0).map_err(get)?;
            let status: String = row.try_get(1).map_err(get)?;
            let count: i64 = row.try_get(2).map_err(get)?;
            tallies
                .entry(import)
                .or_default()
                .add(delivery_status(&status)?, count.max(0) as u64);
        }
        for record in records {
            record.invitations = tallies.remove(record.id.as_str()).unwrap_or_default();
        }
        Ok(())
    }

    pub(super) fn invitation_of(row: &DbRow<D>) -> Result<Invitation, StoreError> {
        let get = |e: sqlx::Error| StoreError::backend("read an invitation", e);
        let attempts: i32 = row.try_get("attempts").map_err(get)?;
        let status: String = row.try_get("status").map_err(get)?;
        let claimed_at: Option<D::Time> = row.try_get("claimed_at").map_err(get)?;
        Ok(Invitation {
            id: InvitationId(row.try_get::<i64, _>("id").map_err(get)?.to_string()),
            import: ImportId(row.try_get("import_id").map_err(get)?),
            user: UserId(row.try_get::<i64, _>("user_id").map_err(get)?.to_string()),
            name: row.try_get("name").map_err(get)?,
            email: row.try_get("email").map_err(get)?,
            language: row.try_get("language").map_err(get)?,
            message: row.try_get("message").map_err(get)?,
            status: delivery_status(&status)?,
            attempts: u32::try_from(attempts)
                .map_err(|_| corrupt(format!("attempts {attempts}")))?,
            last_error: row.try_get("last_error").map_err(get)?,
            claimed_at: claimed_at.map(D::from_time).transpose()?,
        })
    }
}
