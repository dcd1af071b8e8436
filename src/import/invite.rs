//! Invitations: sent from the outbox the commit wrote, after the commit only, each outcome
//! recorded; resent on request.

use std::time::Instant;

use chrono::Utc;
use tracing::Instrument;

use super::{Importer, Phase, Progress, elapsed_ms};
use crate::error::{Error, StoreError};
use crate::import::ImportRequest;
use crate::model::ImportId;
use crate::store::Claim;
use crate::summary::{ImportStatus, ImportSummary, InvitationCounts};

impl Importer {
    /// After the commit: sends the invitations the outbox holds, keeps their outcomes with the
    /// import's record and answers the summary.
    pub(super) async fn after_commit(
        &self,
        request: &ImportRequest,
        mut summary: ImportSummary,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> ImportSummary {
        // The users exist now; invitations go out from the outbox the commit wrote.
        let started = Instant::now();
        summary.invitations = self
            .deliver(&request.id, false, progress)
            .instrument(tracing::info_span!("invite"))
            .await;
        summary.timings.invite_ms = elapsed_ms(started);
        // Keep the ids and invitation outcomes with the record; the commit already holds the
        // completed status, so a failure here loses only these details.
        if let Err(error) = self
            .stores
            .log
            .set_status(&request.id, ImportStatus::Completed, Some(&summary))
            .await
        {
            tracing::warn!(%error, "could not store the final summary");
        }
        progress(Progress {
            phase: Phase::Done,
            done: summary.counts.rows,
            total: Some(summary.counts.rows),
        });
        summary
    }

    /// Sends what the outbox of `import` still holds: invitations never sent, and those a
    /// stopped worker claimed but did not record (once their claim is older than the
    /// importer's `stale_after`). Failed deliveries wait for [`Importer::resend_invitations`].
    /// The import's record then holds the new counts.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the import is unknown or the log fails.
    pub async fn relay(&self, import: &ImportId) -> Result<InvitationCounts, Error> {
        let record = self.stores.log.get(import).await?.ok_or_else(|| {
            Error::Store(StoreError::NotFound {
                what: format!("import {import}"),
            })
        })?;
        if record.status != ImportStatus::Completed {
            return Ok(InvitationCounts::default());
        }
        let counts = self.deliver(import, false, &|_| {}).await;
        if let Some(mut summary) = record.summary {
            summary.invitations.sent += counts.sent;
            summary.invitations.failed += counts.failed;
            summary
                .invitations
                .failures
                .extend(counts.failures.iter().cloned());
            summary
                .invitations
                .failures
                .truncate(crate::summary::STORED_ISSUES);
            summary.invitations.pending = counts.pending;
            self.stores
                .log
                .set_status(import, ImportStatus::Completed, Some(&summary))
                .await?;
        }
        Ok(counts)
    }

    /// Sends what the outbox holds for `import`: claimed in batches, each outcome recorded.
    async fn deliver(
        &self,
        import: &ImportId,
        retry_failed: bool,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> InvitationCounts {
        let mut counts = InvitationCounts::default();
        let mut done = 0;
        // Each claim starts after the last one claimed, then one from the first finds what was
        // left behind (not in a resend, whose failures recorded on the way would come again).
        let (mut after, mut swept) = (None, retry_failed);
        loop {
            let now = Utc::now();
            let claim = Claim {
                import: import.clone(),
                limit: self.invite_batch,
                now,
                stale_before: now - self.stale_after,
                retry_failed,
                after: after.clone(),
            };
            let claimed = match self.stores.outbox.claim(&claim).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "could not claim invitations; a resend will send them");
                    break;
                }
            };
            let Some(last) = claimed.last() else {
                if after.is_some() && !swept {
                    (after, swept) = (None, true);
                    continue;
                }
                break;
            };
            after = Some(last.id.clone());
            let outcomes = self.stores.mailer.send(&claimed).await;
            let recorded: Vec<_> = claimed
                .iter()
                .zip(
                    outcomes
                        .iter()
                        .chain(std::iter::repeat(&crate::store::Delivery::Failed(
                            "the mailer gave no answer for this invitation".to_string(),
                        ))),
                )
                .map(|(invitation, outcome)| (invitation.id.clone(), outcome.clone()))
                .collect();
            for ((_, outcome), invitation) in recorded.iter().zip(&claimed) {
                match outcome {
                    crate::store::Delivery::Sent => counts.sent += 1,
                    crate::store::Delivery::Failed(reason) => {
                        counts.failed += 1;
                        if counts.failures.len() < crate::summary::STORED_ISSUES {
                            counts
                                .failures
                                .push((invitation.email.clone(), reason.clone()));
                        }
                    }
                }
            }
            done += claimed.len() as u64;
            progress(Progress {
                phase: Phase::Inviting,
                done,
                total: None,
            });
            if let Err(error) = self.stores.outbox.record(&recorded).await {
                tracing::warn!(%error, "could not record deliveries");
                break;
            }
            // A failed delivery is tried again by the next resend, not in this pass.
            if retry_failed
                && recorded
                    .iter()
                    .all(|(_, o)| matches!(o, crate::store::Delivery::Failed(_)))
            {
                break;
            }
        }
        // Left for later: waiting, or claimed by another sender (counted by the log).
        if let Ok(Some(record)) = self.stores.log.get(import).await {
            counts.pending = record.invitations.pending;
        }
        counts
    }

    /// Sends the invitations of a completed import that are still pending or failed. An
    /// invitation already delivered is never sent again.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the import is unknown or the log fails.
    pub async fn resend_invitations(&self, import: &ImportId) -> Result<InvitationCounts, Error> {
        let record = self.stores.log.get(import).await?.ok_or_else(|| {
            Error::Store(StoreError::NotFound {
                what: format!("import {import}"),
            })
        })?;
        if record.status != ImportStatus::Completed {
            return Ok(InvitationCounts::default());
        }
        Ok(self.deliver(import, true, &|_| {}).await)
    }
}
