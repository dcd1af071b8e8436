//! Imports in the background (feature `jobs`): a web handler submits an upload and answers at
//! once; any worker process runs the import; a worker that dies mid-import loses nothing.
//!
//! ```text
//! Submitter::submit ─► the upload, once, in an object store (put-if-absent, per platform)
//!                  ─► the import's record, pending, in the host's ImportLog
//!                  ─► one job on the queue (apalis: SQLite embedded, PostgreSQL shared)
//! Worker ─► takes a job ─► start (running) ─► read and validate on a blocking thread
//!        ─► plan ─► commit ─► invitations from the outbox; progress written a few times a second
//! ```
//!
//! The queue is an existing engine, [apalis](https://docs.rs/apalis): its SQLite storage in
//! the embedded default ([`SqliteQueue`]), its PostgreSQL storage where several app servers
//! share one database ([`PostgresQueue`], with the `postgres` feature). A worker that stops
//! without finishing its job (killed, or its machine gone) stops beating its heart; after
//! [`QueueOptions::orphaned_after`] another worker takes the job again. Running an import twice
//! is safe: its commit is keyed by the import id, and its invitations wait in the outbox until
//! sent, each sent with a Message-ID derived from its invitation id.
//!
//! A file with problems is a final outcome (the import is `failed`, never retried); an error
//! of the host's stores or of the object store is retried with a growing pause, then recorded.

mod mail;
mod progress;
mod queue;
mod submit;
mod uploads;
mod worker;

use serde::{Deserialize, Serialize};

use crate::import::ImportRequest;
use crate::model::ImportId;
use crate::text::Catalog;

/// The object store crate the uploads live in, for its `local`, `memory` and bucket stores.
pub use mail::TimeoutMailer;
pub use object_store;
#[cfg(feature = "jobs-postgres")]
pub use queue::PostgresQueue;
pub use queue::{JobQueue, QueueOptions, SqliteQueue};
pub use submit::{Submission, Submitted, Submitter};
pub use uploads::{Stored, Uploads};
pub use worker::{Platforms, Worker, WorkerOptions};

/// One queued import: everything a worker needs to run it but the file, which waits in the
/// [`Uploads`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJob {
    /// The platform (tenant) the import belongs to.
    pub platform: String,
    /// The import's id.
    pub id: ImportId,
    /// The uploaded file's name.
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
    /// The administrator's language tag, for the summary's messages.
    pub language: String,
}

impl ImportJob {
    /// The import request the worker runs.
    pub fn request(&self) -> ImportRequest {
        let mut request = ImportRequest::new(self.id.as_str(), self.file_name.clone());
        request.uploaded_by = self.uploaded_by.clone();
        request.groups = self.groups.clone();
        request.message = self.message.clone();
        request.notes = self.notes.clone();
        request.seat_limit = self.seat_limit;
        request.locale = Catalog::for_language(&self.language).unwrap_or_default();
        request
    }

    /// The key that makes a job unique on the queue: one job per platform and import id.
    pub fn key(&self) -> String {
        format!("{}/{}", self.platform, self.id)
    }
}
