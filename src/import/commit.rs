//! The commit: plan against the stores' current state, commit the plan atomically, and plan
//! again after a conflict with a concurrent import, a bounded number of times.

use std::time::Instant;

use chrono::Utc;
use tracing::Instrument;

use super::{Importer, Phase, Progress, describe, elapsed_ms, finished_summary};
use crate::error::{Conflict, Error, StoreError};
use crate::import::ImportRequest;
use crate::import::plan::plan;
use crate::issue::{Issue, IssueCode};
use crate::model::Group;
use crate::store::{Commit, ImportRecord};
use crate::summary::{Failure, ImportStatus, ImportSummary};

/// What the planning works from: the read's briefs and upload, and the import's groups.
pub(super) struct Planning<'a> {
    pub(super) read: super::Read<'a>,
    pub(super) groups: &'a [Group],
}

impl Importer {
    /// Plans the valid `records` against the stores and commits the plan in one atomic
    /// transaction of the host's; after a conflict (another import took an email or the last
    /// seats), plans again against the new state, up to `max_attempts` times, so the outcome
    /// is as if the imports ran one after the other. A dry run stops before the commit.
    pub(super) async fn commit_planned(
        &self,
        request: &ImportRequest,
        record: &mut ImportRecord,
        planning: Planning<'_>,
        mut summary: ImportSummary,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<ImportSummary, Error> {
        let Planning { read, groups } = planning;
        let (briefs, deadline) = (&read.briefs, read.deadline);
        // The upload the commit reads again, shared once (a copy of bytes lent to `run`).
        let mut upload: Option<crate::new_users::Upload> = None;
        let mut attempts = 0;
        loop {
            attempts += 1;
            summary.attempts = attempts;
            progress(Progress {
                phase: Phase::Planning,
                done: 0,
                total: Some(briefs.len() as u64),
            });
            let started = Instant::now();
            // The seats first, then the users: a user another import commits in between is
            // then found by the lookups and not counted twice (once as active, once as a user
            // to create), so a plan refused for seats was refused by a state the store held.
            let active = self.stores.users.count_active_users().await?;
            // The lower of the request's limit and the store's own, read again each attempt (a
            // commit refused for seats plans again against the limit as it now stands).
            let held = self.stores.users.seat_limit().await?;
            let seat_limit = crate::commit_rules::tighter_seat_limit(request.seat_limit, held);
            let existing = match self
                .lookup_records(briefs, deadline)
                .instrument(tracing::info_span!("lookup", emails = briefs.len()))
                .await
            {
                Err(error @ Error::DeadlinePassed { .. }) => {
                    return self.fail_with(request, summary, &error).await;
                }
                other => other?,
            };
            let planned = {
                let _span = tracing::info_span!("plan").entered();
                plan(briefs, &existing, groups, active, seat_limit)
            };
            summary.timings.plan_ms += elapsed_ms(started);
            let planned = match planned {
                Ok(planned) => planned,
                Err(issue) => {
                    summary.failure = Some(Failure::Issue { code: issue.code });
                    summary.issues.push(issue);
                    return self.fail(request, summary).await;
                }
            };
            if request.dry_run {
                // Nothing is committed: the summary has the names and emails it keeps.
                describe(&mut summary, &planned, briefs, groups);
                summary.status = ImportStatus::Completed;
                progress(Progress {
                    phase: Phase::Done,
                    done: summary.counts.rows,
                    total: Some(summary.counts.rows),
                });
                return Ok(summary);
            }
            describe(&mut summary, &planned, briefs, groups);
            summary.keep_first_issues(crate::summary::STORED_ISSUES);
            if let Err(error) = self.limits.check_deadline(deadline) {
                return self.fail_with(request, summary, &error).await;
            }

            let committing = Progress {
                phase: Phase::Committing,
                done: 0,
                total: Some(planned.creates.len() as u64),
            };
            progress(committing);
            // Written now, not at the progress writer's next tick: the commit holds the
            // record's row (and SQLite's write lock) until it ends, so a page polling the index
            // would otherwise never see the phase. Progress is a courtesy: a failure is logged.
            if let Err(error) = self.stores.log.set_progress(&request.id, &committing).await {
                tracing::warn!(%error, "could not record the import's progress");
            }
            summary.status = ImportStatus::Completed;
            record.status = ImportStatus::Completed;
            record.updated_at = Utc::now();
            // The commit's copy of the record holds the summary while the store writes it (one
            // copy of its lists, not two); it comes back right after.
            let mut committed = record.clone();
            committed.summary = Some(summary);
            let upload = upload.get_or_insert_with(|| read.upload.shared());
            let creates = crate::new_users::NewUsers::reread(crate::new_users::Reread {
                upload: upload.clone(),
                schema: self.schema.clone(),
                limits: self.limits.clone(),
                briefs: std::sync::Arc::clone(briefs),
                creates: planned.creates,
            });
            let mut commit = Commit {
                record: committed,
                creates,
                groups: record.groups.clone(),
                additions: planned.additions,
                seat_limit: request.seat_limit,
            };
            let started = Instant::now();
            let outcome = self
                .stores
                .users
                .commit(&commit)
                .instrument(tracing::info_span!(
                    "commit",
                    creates = commit.creates.len()
                ))
                .await;
            // The store only borrowed the commit, so the summary is still there.
            summary =
                commit.record.summary.take().unwrap_or_else(|| {
                    ImportSummary::new(request.id.clone(), ImportStatus::Failed)
                });
            summary.timings.commit_ms += elapsed_ms(started);
            match outcome {
                Ok(receipt) => {
                    for (created, id) in summary.created.iter_mut().zip(receipt.created) {
                        created.id = id;
                    }
                    return Ok(self.after_commit(request, summary, progress).await);
                }
                Err(StoreError::Conflict(Conflict::AlreadyCommitted | Conflict::AlreadyFailed)) => {
                    // A twin submission committed or failed first: answer its result.
                    let first = self.stores.log.get(&request.id).await?;
                    return match first.as_ref().and_then(finished_summary) {
                        Some(summary) => Ok(summary),
                        None => Err(Error::Store(StoreError::NotFound {
                            what: format!("the summary of committed import {}", request.id),
                        })),
                    };
                }
                Err(StoreError::Conflict(conflict)) => {
                    tracing::info!(%conflict, attempts, "commit conflict, planning again");
                    summary.status = ImportStatus::Failed;
                    if attempts >= self.max_attempts {
                        let issue = Issue::new(IssueCode::TooManyConflicts)
                            .arg("attempts", attempts.to_string());
                        summary.failure = Some(Failure::Issue { code: issue.code });
                        summary.issues.push(issue);
                        return self.fail(request, summary).await;
                    }
                }
                Err(error) => {
                    // The commit's answer was lost (a connection dropped after COMMIT, say):
                    // the record tells whether it went through. A committed import goes on to
                    // its invitations; one that did not commit is an error (retried by a job).
                    let stored = self.stores.log.get(&request.id).await.ok().flatten();
                    if let Some(committed) = stored
                        .filter(|stored| stored.status == ImportStatus::Completed)
                        .and_then(|stored| stored.summary)
                    {
                        tracing::warn!(%error, "the commit answered an error but went through");
                        return Ok(self.after_commit(request, committed, progress).await);
                    }
                    return Err(error.into());
                }
            }
        }
    }
}
