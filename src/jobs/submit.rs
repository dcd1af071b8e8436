//! Submitting an import: check the size, keep the upload once, record the import pending,
//! queue one job, answer at once.

use std::sync::Arc;

use chrono::Utc;

use super::{ImportJob, JobQueue, Stored, Uploads};
use crate::error::{Error, Limit};
use crate::model::ImportId;
use crate::read::limits::Limits;
use crate::store::{Begin, ImportLog, ImportRecord};
use crate::summary::{ImportStatus, ImportSummary};

/// The most attempts of one import id (`<id>~2` to `<id>~1000`).
const MAX_ATTEMPTS: u32 = 1_000;

/// An import as the administrator submitted it. The platform and the uploader come from the
/// host's own authentication, never from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The platform (tenant).
    pub platform: String,
    /// The import's id, chosen by the host (a second submission of the same id imports once).
    pub id: ImportId,
    /// The uploaded file's name (shown in the index; the kind of file is decided from its
    /// bytes).
    pub file_name: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// The groups (identifiers or names) every imported user joins.
    pub groups: Vec<String>,
    /// The personalized message added to the invitation email.
    pub message: String,
    /// Notes that document the import.
    pub notes: String,
    /// The subscription's limit of active users, if any.
    pub seat_limit: Option<u64>,
    /// The administrator's language tag (`en`, `fr`...), for the summary's messages.
    pub language: String,
    /// Submit again an id whose import failed: the new attempt gets the id `<id>~2` (`~3`...)
    /// and the failed attempt's record is kept as it was.
    pub retry: bool,
}

impl Submission {
    /// A submission of `id` on `platform`, with no groups, message or notes.
    pub fn new(
        platform: impl Into<String>,
        id: impl Into<String>,
        file_name: impl Into<String>,
    ) -> Submission {
        Submission {
            platform: platform.into(),
            id: ImportId(id.into()),
            file_name: file_name.into(),
            uploaded_by: String::new(),
            groups: Vec::new(),
            message: String::new(),
            notes: String::new(),
            seat_limit: None,
            language: "en".to_string(),
            retry: false,
        }
    }

    /// The job a worker runs for this submission, recorded under `id` (the submitted id, or a
    /// retry's attempt id: [`Submitted::id`]). A host that runs the import in the same
    /// process ([`Worker::run_job_with_progress`](super::Worker::run_job_with_progress)) hands
    /// it to its worker.
    pub fn job(&self, id: &ImportId) -> ImportJob {
        ImportJob {
            platform: self.platform.clone(),
            id: id.clone(),
            file_name: self.file_name.clone(),
            uploaded_by: self.uploaded_by.clone(),
            groups: self.groups.clone(),
            message: self.message.clone(),
            notes: self.notes.clone(),
            seat_limit: self.seat_limit,
            language: self.language.clone(),
        }
    }
}

/// What a submission did.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// The import is recorded pending and queued.
    Queued {
        /// Its id (for a retry, the new attempt's id).
        id: ImportId,
    },
    /// The id was submitted before: nothing new is imported; this is the first submission's
    /// import as it stands.
    Replay {
        /// The id.
        id: ImportId,
        /// Where the first submission's import stands.
        status: ImportStatus,
        /// Whether this submission's file has the same bytes as the first one's (the first
        /// one's is the file imported).
        same_file: bool,
        /// The first submission's summary, once it finished.
        summary: Option<Box<ImportSummary>>,
    },
}

impl Submitted {
    /// The import's id.
    pub fn id(&self) -> &ImportId {
        match self {
            Submitted::Queued { id } | Submitted::Replay { id, .. } => id,
        }
    }

    /// Where the import stands.
    pub fn status(&self) -> ImportStatus {
        match self {
            Submitted::Queued { .. } => ImportStatus::Pending,
            Submitted::Replay { status, .. } => *status,
        }
    }
}

/// Takes uploads and queues their imports.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use user_import::jobs::{QueueOptions, SqliteQueue, Submission, Submitted, Submitter, Uploads};
/// use user_import::memory::MemoryStore;
/// use user_import::{ImportId, ImportStatus, Limits};
///
/// let folder = std::env::temp_dir().join(format!("user-import-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&folder).unwrap();
/// let queue = SqliteQueue::open(&folder.join("jobs.db"), QueueOptions::default()).await?;
/// let uploads = Uploads::new(Arc::new(user_import::jobs::object_store::memory::InMemory::new()));
/// let submitter = Submitter::new(uploads, Arc::new(queue), Limits::default());
/// let log = MemoryStore::new();
///
/// let submission = Submission::new("acme", "spring-intake", "users.xlsx");
/// let first = submitter.submit(&log, &submission, b"PK...".to_vec()).await?;
/// assert_eq!(first, Submitted::Queued { id: ImportId::from("spring-intake") });
/// // A double click: the same id is not imported twice.
/// let again = submitter.submit(&log, &submission, b"PK...".to_vec()).await?;
/// assert_eq!(again.status(), ImportStatus::Pending);
/// assert!(matches!(again, Submitted::Replay { same_file: true, .. }));
/// # std::fs::remove_dir_all(&folder).unwrap();
/// # Ok::<(), user_import::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Submitter {
    uploads: Uploads,
    queue: Arc<dyn JobQueue>,
    limits: Limits,
}

impl Submitter {
    /// A submitter that keeps uploads in `uploads` and queues on `queue`, refusing files over
    /// `limits.max_file_bytes`.
    pub fn new(uploads: Uploads, queue: Arc<dyn JobQueue>, limits: Limits) -> Submitter {
        Submitter {
            uploads,
            queue,
            limits,
        }
    }

    /// The uploads.
    pub fn uploads(&self) -> &Uploads {
        &self.uploads
    }

    /// The limits uploads are held to (their size: [`Limits::max_file_bytes`]).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Submits an import: checks the upload's size, stores it once under the platform and the
    /// id (never overwritten), records the import pending in `log` (the platform's import
    /// log), queues one job and answers at once. A known id answers its import as it stands
    /// ([`Submitted::Replay`]); with [`Submission::retry`], a failed one is submitted again as
    /// a new attempt.
    ///
    /// # Errors
    ///
    /// [`Error::LimitExceeded`] for an upload over the size limit and
    /// [`Error::RequestTooLong`] for a message or notes over theirs (nothing is kept);
    /// [`Error::Store`] when the object store, the log or the queue fails.
    pub async fn submit(
        &self,
        log: &dyn ImportLog,
        submission: &Submission,
        bytes: Vec<u8>,
    ) -> Result<Submitted, Error> {
        let size = bytes.len() as u64;
        if size > self.limits.max_file_bytes {
            return Err(Error::LimitExceeded {
                what: Limit::FileSize,
                value: size,
                limit: self.limits.max_file_bytes,
            });
        }
        self.limits
            .check_texts(&submission.message, &submission.notes)?;
        // Held once: the object store's write and the comparisons share it.
        let bytes = bytes::Bytes::from(bytes);
        let mut id = submission.id.clone();
        if let Some(existing) = log.get(&id).await? {
            if !(submission.retry && existing.status == ImportStatus::Failed) {
                return self.replay(&submission.platform, existing, &bytes).await;
            }
            id = self.next_attempt(log, &submission.id).await?;
        }
        let same_file = match self
            .uploads
            .put_shared(&submission.platform, &id, bytes.clone())
            .await?
        {
            Stored::New => true,
            Stored::Kept { same } => same,
        };
        let now = Utc::now();
        let record = ImportRecord {
            id: id.clone(),
            file_name: submission.file_name.clone(),
            uploaded_by: submission.uploaded_by.clone(),
            groups: Vec::new(),
            message: submission.message.clone(),
            notes: submission.notes.clone(),
            status: ImportStatus::Pending,
            created_at: now,
            updated_at: now,
            summary: None,
            progress: None,
            invitations: crate::store::InvitationTally::default(),
        };
        match log.begin(&record).await? {
            Begin::Created => {}
            // A twin submission recorded it first: it queues the job.
            Begin::Existing(existing) => {
                return self.replay(&submission.platform, *existing, &bytes).await;
            }
        }
        let job = submission.job(&id);
        self.queue.enqueue(&job, None).await?;
        if same_file {
            Ok(Submitted::Queued { id })
        } else {
            // The upload of a submission that died before recording its import is the one
            // imported: say so.
            Ok(Submitted::Replay {
                id,
                status: ImportStatus::Pending,
                same_file: false,
                summary: None,
            })
        }
    }

    async fn replay(
        &self,
        platform: &str,
        existing: ImportRecord,
        bytes: &[u8],
    ) -> Result<Submitted, Error> {
        let same_file = match self.uploads.get(platform, &existing.id).await {
            Ok(stored) => stored == bytes,
            Err(crate::error::StoreError::NotFound { .. }) => false,
            Err(error) => return Err(error.into()),
        };
        Ok(Submitted::Replay {
            id: existing.id,
            status: existing.status,
            same_file,
            summary: existing.summary.map(Box::new),
        })
    }

    /// The first free attempt id `<id>~2`, `<id>~3`... after a failed `id`.
    async fn next_attempt(&self, log: &dyn ImportLog, id: &ImportId) -> Result<ImportId, Error> {
        for attempt in 2u32..=MAX_ATTEMPTS {
            let candidate = ImportId(format!("{id}~{attempt}"));
            match log.get(&candidate).await? {
                None => return Ok(candidate),
                Some(record) if record.status != ImportStatus::Failed => return Ok(candidate),
                Some(_) => {}
            }
        }
        Err(Error::Store(crate::error::StoreError::backend(
            "choose the id of a new attempt",
            format!("import {id} already has {MAX_ATTEMPTS} failed attempts"),
        )))
    }
}
