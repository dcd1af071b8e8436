//! The entry point: one import from uploaded bytes to committed users and sent invitations.

mod commit;
mod invite;
pub(crate) mod plan;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use tracing::Instrument;

use crate::check::kept::Briefs;
use crate::check::validate::{Validation, Validator};
use crate::error::Error;
use crate::import::plan::{ImportPlan, check_groups};
use crate::issue::{Issue, Severity};
use crate::model::{CourseId, ExistingUser, ImportId, UserId};
use crate::new_users::Upload;
use crate::read::limits::Limits;
use crate::read::{CellValue, HeaderRow, RowSink};
use crate::schema::Schema;
use crate::store::{Begin, ImportRecord, StoreError, Stores};
use crate::summary::{
    CreatedUser, ExistingUserOutcome, Failure, ImportStatus, ImportSummary, Phase, Progress,
};
use crate::text::Catalog;

/// One import as the administrator submitted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRequest {
    /// The host-chosen identifier; submitting the same id again imports once and answers the
    /// first result.
    pub id: ImportId,
    /// The uploaded file's name.
    pub file_name: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// The groups (identifiers or names) every imported user joins.
    pub groups: Vec<String>,
    /// The personalized message added to the invitation email.
    pub message: String,
    /// Notes that document the import for internal management.
    pub notes: String,
    /// The subscription's limit of active users, or `None` for no limit.
    pub seat_limit: Option<u64>,
    /// Stop before the commit: write nothing, send nothing, answer what would happen.
    pub dry_run: bool,
    /// The language of the summary's messages: the administrator's (English unless set; see
    /// [`Catalog`]).
    pub locale: Catalog,
}

impl ImportRequest {
    /// A request with `id` and `file_name`, no groups, message or notes, no seat limit.
    pub fn new(id: impl Into<String>, file_name: impl Into<String>) -> ImportRequest {
        ImportRequest {
            id: ImportId(id.into()),
            file_name: file_name.into(),
            uploaded_by: String::new(),
            groups: Vec::new(),
            message: String::new(),
            notes: String::new(),
            seat_limit: None,
            dry_run: false,
            locale: Catalog::english(),
        }
    }
}

/// What [`Importer::start`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Started {
    /// The import is to run: its record is running.
    Run,
    /// The import already completed or failed: its stored summary.
    Finished(Box<ImportSummary>),
}

/// The outcome of an import's read of its upload ([`Importer::read`]) and the time it took,
/// for [`Importer::finish`].
///
/// An import's read keeps a brief of each row (its number, name and email), not its record:
/// the validation's [`issues`](Validation::issues) and [`row_count`](Validation::row_count)
/// are whole, its [`records`](Validation::records) empty. The commit reads the values of the
/// users it creates again from the upload, which the outcome holds.
#[derive(Debug)]
pub struct ReadOutcome {
    /// The validation, or why the file was rejected as a whole.
    pub validation: Result<Validation, Error>,
    /// How long the read took, in milliseconds.
    pub read_ms: u64,
    /// The upload, for the commit's second read.
    upload: Upload,
}

/// Where the commit reads the upload again: bytes the caller lends ([`Importer::run`]),
/// shared once the commit needs them, or an upload already shared.
#[derive(Clone, Copy)]
pub(crate) enum UploadSource<'a> {
    Borrowed(&'a [u8]),
    Shared(&'a Upload),
}

impl UploadSource<'_> {
    fn shared(self) -> Upload {
        match self {
            UploadSource::Borrowed(bytes) => Upload::from(bytes),
            UploadSource::Shared(upload) => upload.clone(),
        }
    }
}

/// Runs imports against the host's [`Stores`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use user_import::{ImportRequest, Importer, Schema, Stores};
/// use user_import::memory::{MemoryMailer, MemoryStore};
///
/// let store = Arc::new(MemoryStore::new());
/// let mailer = Arc::new(MemoryMailer::new());
/// let importer = Importer::new(Schema::default(), Stores::single(store.clone(), mailer.clone()));
/// # let upload = user_import::testing::workbook(&Schema::default(), &[
/// #     &["Ann Lee", "ann@example.com", "CA", "QC", "en"],
/// # ]);
/// let summary = importer.run(&ImportRequest::new("import-1", "users.xlsx"), &upload, &|_| {}).await?;
/// assert!(summary.is_completed());
/// assert_eq!(summary.counts.created, 1);
/// assert_eq!(mailer.delivered()[0].email, "ann@example.com");
/// # Ok::<(), user_import::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Importer {
    schema: Schema,
    limits: Limits,
    stores: Stores,
    batch_size: usize,
    invite_batch: usize,
    max_attempts: u32,
    stale_after: chrono::Duration,
}

impl Importer {
    /// An importer for `schema` over `stores`, with default limits, lookups in batches of 1,000
    /// emails and up to 5 planning attempts when concurrent imports conflict.
    pub fn new(schema: Schema, stores: Stores) -> Importer {
        Importer {
            schema,
            limits: Limits::default(),
            stores,
            batch_size: 1_000,
            invite_batch: 50,
            max_attempts: 5,
            stale_after: chrono::Duration::minutes(15),
        }
    }

    /// Sets the reader's limits.
    pub fn limits(mut self, limits: Limits) -> Importer {
        self.limits = limits;
        self
    }

    /// Sets how many emails one lookup takes.
    pub fn batch_size(mut self, batch_size: usize) -> Importer {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sets how many invitations are claimed, sent and recorded together (50 by default): a
    /// sender stopped mid-way sends at most this many a second time (each copy with the same
    /// Message-ID).
    pub fn invite_batch(mut self, invitations: usize) -> Importer {
        self.invite_batch = invitations.max(1);
        self
    }

    /// Sets how many times an import is planned and committed when concurrent imports
    /// conflict, before it gives up.
    pub fn max_attempts(mut self, attempts: u32) -> Importer {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets how long a claimed invitation may stay unsent before another sender may claim it.
    pub fn stale_after(mut self, after: chrono::Duration) -> Importer {
        self.stale_after = after;
        self
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The limits uploads are read with ([`Importer::limits`] sets them).
    pub fn read_limits(&self) -> &Limits {
        &self.limits
    }

    /// The stores.
    pub fn stores(&self) -> &Stores {
        &self.stores
    }

    /// Reads and validates an upload, without touching any store.
    ///
    /// An upload of [`Limits::parallel_min_bytes`](crate::Limits::parallel_min_bytes) or more
    /// is read on the calling thread and one more (see [`crate::read_rows_bytes`]); `progress`
    /// is then called from that second thread.
    ///
    /// # Errors
    ///
    /// As [`crate::validate_workbook`].
    pub fn validate(
        &self,
        upload: &[u8],
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Validation, Error> {
        self.validate_into(Validator::new(&self.schema, &self.limits), upload, progress)
    }

    /// An import's read: validates `upload` as [`Importer::validate`] does, keeping a brief of
    /// each row instead of its record, and times it, for [`Importer::finish`]. Blocking work:
    /// call it on a blocking thread.
    pub fn read(&self, upload: Upload, progress: &(dyn Fn(Progress) + Send + Sync)) -> ReadOutcome {
        let started = Instant::now();
        let validation = self.read_briefs(upload.bytes(), progress);
        ReadOutcome {
            validation,
            read_ms: elapsed_ms(started),
            upload,
        }
    }

    fn read_briefs(
        &self,
        upload: &[u8],
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Validation, Error> {
        self.validate_into(
            Validator::for_import(&self.schema, &self.limits),
            upload,
            progress,
        )
    }

    fn validate_into(
        &self,
        validator: Validator<'_>,
        upload: &[u8],
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Validation, Error> {
        let mut sink = ProgressSink {
            inner: validator,
            deadline: self.limits.deadline_from_now(),
            rows: 0,
            total: None,
            progress,
        };
        crate::read::read_rows_bytes(upload, &self.schema, &self.limits, &mut sink)?;
        Ok(sink.inner.finish())
    }

    /// Runs one import: read → validate → plan → commit → invite.
    ///
    /// Reading and validating is work for the processor, not waiting: a million rows take
    /// seconds, during which this future does not yield. On a runtime that serves requests,
    /// submit the import to the job queue instead (the `jobs` feature), or call the steps
    /// apart: [`Importer::start`], [`Importer::validate`] on a blocking thread, then
    /// [`Importer::finish`].
    ///
    /// A problem with the file, an unknown group or too few seats ends in a summary with status
    /// [`ImportStatus::Failed`] that says why, and nothing is written (but the failed record in
    /// the index). A dry run stops before the commit and writes nothing at all. An id that
    /// already completed or failed answers its stored outcome and imports nothing again.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when a store fails; the import then commits nothing and its record is
    /// marked failed where the log still answers (a record whose commit went through stays
    /// completed).
    pub async fn run(
        &self,
        request: &ImportRequest,
        upload: &[u8],
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<ImportSummary, Error> {
        let span = tracing::info_span!("import", id = %request.id, dry_run = request.dry_run);
        async {
            if let Started::Finished(summary) = self.start(request).await? {
                return Ok(*summary);
            }
            let started = Instant::now();
            let validation = {
                let _span = tracing::info_span!("read").entered();
                self.read_briefs(upload, progress)
            };
            let (read_ms, source) = (elapsed_ms(started), UploadSource::Borrowed(upload));
            match (self.finish_from(request, validation, read_ms, source, progress)).await {
                Ok(summary) => Ok(summary),
                Err(error) => {
                    self.record_error(request, &error).await;
                    Err(error)
                }
            }
        }
        .instrument(span)
        .await
    }

    /// The first step of an import: creates its record in the index (pending), or finds the
    /// one a first submission of the same id created, and moves it to running.
    ///
    /// Answers [`Started::Finished`] with the stored summary when the import already completed
    /// or failed: nothing is to be done again. An import that was left running (its worker
    /// stopped) runs again; its commit is keyed by the import id, so it applies once.
    ///
    /// # Errors
    ///
    /// [`Error::RequestTooLong`] for a message or notes over their [`Limits`], before anything
    /// is recorded; [`Error::Store`] when the import log fails.
    pub async fn start(&self, request: &ImportRequest) -> Result<Started, Error> {
        self.limits.check_texts(&request.message, &request.notes)?;
        if request.dry_run {
            return Ok(Started::Run);
        }
        let record = self.record_of(request);
        match self.stores.log.begin(&record).await? {
            Begin::Created => {}
            Begin::Existing(existing) => {
                if let Some(summary) = finished_summary(&existing) {
                    return Ok(Started::Finished(Box::new(summary)));
                }
            }
        }
        let moved = self
            .stores
            .log
            .set_status(&request.id, ImportStatus::Running, None)
            .await?;
        if !moved {
            // A twin finished it between the two calls: answer its outcome.
            let stored = self.stores.log.get(&request.id).await?;
            if let Some(summary) = stored.as_ref().and_then(finished_summary) {
                return Ok(Started::Finished(Box::new(summary)));
            }
        }
        Ok(Started::Run)
    }

    /// The steps after the read: groups, plan, commit, invitations, from the outcome of
    /// [`Importer::validate`]. A file that was rejected or has problems ends the import failed,
    /// with its issues.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when a store fails. The record is not marked failed here (a caller
    /// that retries keeps it running); [`Importer::record_error`] does that.
    pub async fn finish(
        &self,
        request: &ImportRequest,
        read: ReadOutcome,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<ImportSummary, Error> {
        let ReadOutcome {
            validation,
            read_ms,
            upload,
        } = read;
        let source = UploadSource::Shared(&upload);
        (self.finish_from(request, validation, read_ms, source, progress)).await
    }

    /// [`Importer::finish`] of a read's `validation`, which took `read_ms`, of `upload`.
    async fn finish_from(
        &self,
        request: &ImportRequest,
        validation: Result<Validation, Error>,
        read_ms: u64,
        upload: UploadSource<'_>,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<ImportSummary, Error> {
        let mut record = self.record_of(request);
        record.status = ImportStatus::Running;
        // The read's time counts against the import's limit.
        let deadline = self.limits.max_duration.and_then(|limit| {
            Instant::now()
                .checked_add(limit.saturating_sub(std::time::Duration::from_millis(read_ms)))
        });
        let mut summary = ImportSummary::new(request.id.clone(), ImportStatus::Failed);
        summary.dry_run = request.dry_run;
        summary.timings.read_ms = read_ms;
        let mut validation = match validation {
            Ok(validation) => validation,
            Err(error @ Error::DeadlinePassed { .. }) => {
                return self.fail_with(request, summary, &error).await;
            }
            Err(error) => {
                summary.failure = Some(Failure::Rejected);
                summary
                    .issues
                    .push(crate::error::rejected_file_issue(&error));
                return self.fail(request, summary).await;
            }
        };
        summary.counts.rows = validation.row_count() as u64;
        let briefs = validation.take_briefs().ok_or_else(|| {
            Error::Store(crate::StoreError::backend(
                "plan the import",
                "its read kept no brief of the rows (read it with Importer::read)",
            ))
        })?;
        summary.counts.failed_rows = briefs.iter().filter(|brief| !brief.valid).count() as u64;
        let (_, issues) = validation.into_parts();
        summary.issues = issues;
        if !is_english(&request.locale) {
            request.locale.localize_all(&mut summary.issues);
        }
        let errors = summary
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count();
        if errors > 0 {
            summary.failure = Some(Failure::Problems {
                problems: errors as u64,
                rows: summary.counts.failed_rows.max(1),
            });
            return self.fail(request, summary).await;
        }
        let read = Read {
            briefs: Arc::new(briefs),
            upload,
            deadline,
        };
        self.plan_and_commit(request, &mut record, read, summary, progress)
            .await
    }

    /// Marks the import failed because of `error` (an error of the host's stores or another
    /// part), unless it is a dry run, or its commit went through (the store keeps a committed
    /// import completed). Best effort: the error that stopped the import is the one to report.
    pub async fn record_error(&self, request: &ImportRequest, error: &Error) {
        if request.dry_run {
            return;
        }
        let mut summary = ImportSummary::new(request.id.clone(), ImportStatus::Failed);
        summary.failure = Some(Failure::from_error(error));
        summary.reason = request.locale.failure_reason(&summary).unwrap_or_default();
        let _ = self
            .stores
            .log
            .set_status(&request.id, ImportStatus::Failed, Some(&summary))
            .await;
    }

    /// The record of a new import.
    fn record_of(&self, request: &ImportRequest) -> ImportRecord {
        let now = Utc::now();
        ImportRecord {
            id: request.id.clone(),
            file_name: request.file_name.clone(),
            uploaded_by: request.uploaded_by.clone(),
            groups: Vec::new(),
            message: request.message.clone(),
            notes: request.notes.clone(),
            status: ImportStatus::Pending,
            created_at: now,
            updated_at: now,
            summary: None,
            progress: None,
            invitations: crate::store::InvitationTally::default(),
        }
    }

    /// Resolves the groups, then plans and commits.
    async fn plan_and_commit(
        &self,
        request: &ImportRequest,
        record: &mut ImportRecord,
        read: Read<'_>,
        mut summary: ImportSummary,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<ImportSummary, Error> {
        // Groups.
        let started = Instant::now();
        let groups = {
            let found = self
                .stores
                .groups
                .resolve(&request.groups)
                .instrument(tracing::info_span!("groups"))
                .await?;
            match check_groups(&request.groups, &found) {
                Ok(groups) => groups,
                Err(issue) => {
                    summary.failure = Some(Failure::Issue { code: issue.code });
                    summary.issues.push(issue);
                    return self.fail(request, summary).await;
                }
            }
        };
        record.groups = groups.iter().map(|g| g.id.clone()).collect();

        summary.timings.plan_ms += elapsed_ms(started);

        let planning = commit::Planning {
            read,
            groups: &groups,
        };
        self.commit_planned(request, record, planning, summary, progress)
            .await
    }

    /// Records a failed import (unless a dry run) and answers its summary.
    /// Ends the import failed because of `error` (one that is the import's outcome, such as
    /// its deadline passing, not a store failure to retry).
    async fn fail_with(
        &self,
        request: &ImportRequest,
        mut summary: ImportSummary,
        error: &Error,
    ) -> Result<ImportSummary, Error> {
        summary.failure = Some(Failure::from_error(error));
        self.fail(request, summary).await
    }

    async fn fail(
        &self,
        request: &ImportRequest,
        mut summary: ImportSummary,
    ) -> Result<ImportSummary, Error> {
        summary.status = ImportStatus::Failed;
        summary.created.clear();
        summary.updated.clear();
        summary.untouched.clear();
        summary.counts.created = 0;
        summary.counts.groups_added = 0;
        summary.counts.untouched = 0;
        summary.keep_first_issues(crate::summary::STORED_ISSUES);
        if is_english(&request.locale) {
            summary.reason = request.locale.failure_reason(&summary).unwrap_or_default();
        } else {
            request.locale.localize_summary(&mut summary);
        }
        if !request.dry_run {
            let moved = self
                .stores
                .log
                .set_status(&request.id, ImportStatus::Failed, Some(&summary))
                .await?;
            if !moved {
                // A twin of this id finished first (a committed import is never marked
                // failed): its outcome is the import's, so that is the answer.
                let stored = self.stores.log.get(&request.id).await?;
                if let Some(finished) = stored.as_ref().and_then(finished_summary) {
                    return Ok(finished);
                }
            }
        }
        Ok(summary)
    }

    /// Finds the existing users of `records` by email key, `batch_size` keys per call; the
    /// keys of one batch at a time are held.
    async fn lookup_records(
        &self,
        briefs: &Briefs,
        deadline: Option<Instant>,
    ) -> Result<HashMap<String, ExistingUser>, Error> {
        let mut existing = HashMap::new();
        let size = self.batch_size.max(1);
        let mut valid = briefs.iter().filter(|brief| brief.valid);
        loop {
            self.limits.check_deadline(deadline)?;
            let keys: Vec<String> = (valid.by_ref().take(size))
                .map(|brief| crate::check::normalize::email_key(brief.email))
                .collect();
            if keys.is_empty() {
                return Ok(existing);
            }
            for user in self.stores.users.find_by_email_keys(&keys).await? {
                existing.insert(user.email_key.clone(), user);
            }
        }
    }

    async fn lookup(&self, keys: &[String]) -> Result<HashMap<String, ExistingUser>, Error> {
        let mut existing = HashMap::new();
        for chunk in keys.chunks(self.batch_size) {
            for user in self.stores.users.find_by_email_keys(chunk).await? {
                existing.insert(user.email_key.clone(), user);
            }
        }
        Ok(existing)
    }

    /// Enrolls the users import `import` created in `courses`, and answers how many users.
    /// Users the import only added to groups are not enrolled.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the import is unknown or not completed, or the enroller fails.
    pub async fn enroll(&self, import: &ImportId, courses: &[CourseId]) -> Result<usize, Error> {
        let record = self.stores.log.get(import).await?.ok_or_else(|| {
            Error::Store(StoreError::NotFound {
                what: format!("import {import}"),
            })
        })?;
        let summary = record
            .summary
            .filter(|s| s.status == ImportStatus::Completed)
            .ok_or_else(|| {
                Error::Store(StoreError::NotFound {
                    what: format!("a completed import {import}"),
                })
            })?;
        let mut users: Vec<UserId> = summary
            .created
            .iter()
            .filter(|c| !c.id.0.is_empty())
            .map(|c| c.id.clone())
            .collect();
        if (summary.created.len() as u64) < summary.counts.created {
            // The record keeps the first users only: the store answers them all, by pages.
            users = self.created_users(import).await?;
        } else if users.len() < summary.created.len() {
            // The ids were not stored with the summary: find the created users by email.
            let keys: Vec<String> = summary
                .created
                .iter()
                .map(|c| crate::check::normalize::email_key(&c.email))
                .collect();
            users = self
                .lookup(&keys)
                .await?
                .into_values()
                .map(|u| u.id)
                .collect();
        }
        self.stores.enroller.enroll(&users, courses).await?;
        Ok(users.len())
    }

    /// The identifiers of every user the import created, read from the store a page of
    /// [`STORED_USERS`](crate::STORED_USERS) at a time.
    async fn created_users(&self, import: &ImportId) -> Result<Vec<UserId>, Error> {
        let page = crate::summary::STORED_USERS;
        let (mut users, mut after) = (Vec::new(), 0);
        loop {
            let read = self.stores.users.created_users(import, after, page).await?;
            let Some(last) = read.last() else {
                return Ok(users);
            };
            after = last.row;
            let full = read.len() == page;
            users.extend(read.into_iter().map(|user| user.id));
            if !full {
                return Ok(users);
            }
        }
    }
}

/// The summary of an import that has finished, if it has.
fn finished_summary(record: &ImportRecord) -> Option<ImportSummary> {
    match record.status {
        ImportStatus::Completed | ImportStatus::Failed => record.summary.clone(),
        ImportStatus::Pending | ImportStatus::Running => None,
    }
}

/// Fills the summary's counts from a plan, and its lists with the first
/// [`STORED_USERS`](crate::STORED_USERS) users of each, as a record keeps them (the store
/// answers every created user once committed).
fn describe(
    summary: &mut ImportSummary,
    planned: &ImportPlan,
    briefs: &Briefs,
    groups: &[crate::model::Group],
) {
    let kept = crate::summary::STORED_USERS;
    summary.created = (planned.creates.iter().take(kept))
        .map(|index| {
            let brief = briefs.get(*index as usize);
            CreatedUser {
                row: brief.row,
                id: UserId(String::new()),
                name: brief.name.to_string(),
                email: brief.email.to_string(),
            }
        })
        .collect();
    let group_name = |id: &crate::model::GroupId| {
        groups
            .iter()
            .find(|g| g.id == *id)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| id.0.clone())
    };
    summary.updated = (planned.additions.iter().take(kept))
        .map(|addition| ExistingUserOutcome {
            row: addition.row,
            id: addition.user.clone(),
            email: addition.email_key.clone(),
            groups_added: addition.groups.iter().map(group_name).collect(),
        })
        .collect();
    summary.untouched = (planned.untouched.iter().take(kept))
        .map(|u| ExistingUserOutcome {
            row: u.row,
            id: u.user.clone(),
            email: u.email.clone(),
            groups_added: Vec::new(),
        })
        .collect();
    summary.counts.created = planned.creates.len() as u64;
    summary.counts.groups_added = planned.additions.len() as u64;
    summary.counts.untouched = planned.untouched.len() as u64;
}

/// What the plan and the commit work from, once the upload was read: every row's brief, the
/// upload (read again by the commit) and when the import must be done.
pub(crate) struct Read<'a> {
    pub(crate) briefs: Arc<Briefs>,
    pub(crate) upload: UploadSource<'a>,
    pub(crate) deadline: Option<Instant>,
}

/// Whether `catalog` is the shipped English one, in which messages are already written.
fn is_english(catalog: &Catalog) -> bool {
    catalog.language() == "en" && catalog == crate::text::english_catalog()
}

fn elapsed_ms(started: Instant) -> u64 {
    started.elapsed().as_millis().min(u128::from(u64::MAX)) as u64
}

/// Passes rows to the validator and reports progress every 10,000 rows.
struct ProgressSink<'a, 's> {
    inner: Validator<'s>,
    /// When the read must be done.
    deadline: Option<Instant>,
    rows: u64,
    /// The rows the file declares, when it does.
    total: Option<u64>,
    progress: &'a (dyn Fn(Progress) + Send + Sync),
}

impl RowSink for ProgressSink<'_, '_> {
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error> {
        (self.progress)(Progress {
            phase: Phase::Reading,
            done: 0,
            total: None,
        });
        self.inner.header(header)
    }

    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        self.rows += 1;
        if self.rows.is_multiple_of(10_000) {
            (self.progress)(Progress {
                phase: Phase::Reading,
                done: self.rows,
                // Blank rows count in the declared size: the total is never below what is read.
                total: self.total.map(|total| total.max(self.rows)),
            });
        }
        self.inner.row(number, cells)
    }

    fn warning(&mut self, issue: Issue) {
        self.inner.warning(issue);
    }

    fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    fn rows_expected(&mut self, rows: u64) {
        self.total = Some(rows);
        (self.progress)(Progress {
            phase: Phase::Reading,
            done: self.rows,
            total: self.total,
        });
    }
}
