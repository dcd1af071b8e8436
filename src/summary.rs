//! What an import did: status, counts, issues, the users created and updated, invitations, and
//! how long each phase took.

use serde::{Deserialize, Serialize};

use crate::issue::Issue;
use crate::model::{ImportId, UserId};

/// Where an import stands. It moves `pending → running → completed | failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Recorded, not started.
    Pending,
    /// Reading, validating, planning or committing.
    Running,
    /// Committed: the users exist.
    Completed,
    /// Nothing was imported.
    Failed,
}

impl ImportStatus {
    /// The lower-case name: `pending`, `running`, `completed` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Pending => "pending",
            ImportStatus::Running => "running",
            ImportStatus::Completed => "completed",
            ImportStatus::Failed => "failed",
        }
    }
}

/// How many rows ended which way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Non-blank data rows read.
    pub rows: u64,
    /// New users created (or, in a dry run, that would be).
    pub created: u64,
    /// Existing users that got the import's groups.
    pub groups_added: u64,
    /// Existing users left as they were (no groups chosen, or already in them).
    pub untouched: u64,
    /// Rows with at least one error.
    pub failed_rows: u64,
}

/// A user the import created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedUser {
    /// The spreadsheet row.
    pub row: u32,
    /// The new user's identifier (empty in a dry run).
    pub id: UserId,
    /// The name.
    pub name: String,
    /// The email address.
    pub email: String,
}

/// An existing user the import found by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingUserOutcome {
    /// The spreadsheet row.
    pub row: u32,
    /// The user's identifier.
    pub id: UserId,
    /// The email address as in the file.
    pub email: String,
    /// The groups added (empty when the user was left untouched).
    pub groups_added: Vec<String>,
}

/// How the invitations went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCounts {
    /// Delivered to the mail service.
    pub sent: u64,
    /// Not delivered; a resend tries again.
    pub failed: u64,
    /// Not tried yet (another sender holds them, or sending stopped).
    pub pending: u64,
    /// The failures, by email address, with the reason.
    pub failures: Vec<(String, String)>,
}

/// Milliseconds spent in each phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// Reading and validating the upload.
    pub read_ms: u64,
    /// Looking users and groups up, and planning.
    pub plan_ms: u64,
    /// The atomic commit (all attempts).
    pub commit_ms: u64,
    /// Sending invitations.
    pub invite_ms: u64,
}

/// The outcome of an import, shown as the import summary and kept with its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// The import.
    pub import: ImportId,
    /// Completed or failed.
    pub status: ImportStatus,
    /// Whether this was a dry run (nothing written, nothing sent).
    pub dry_run: bool,
    /// Why the import failed, in one sentence; empty when it completed.
    pub reason: String,
    /// Row counts.
    pub counts: Counts,
    /// Every issue found, warnings included.
    pub issues: Vec<Issue>,
    /// The users created.
    pub created: Vec<CreatedUser>,
    /// Existing users that got the import's groups.
    pub updated: Vec<ExistingUserOutcome>,
    /// Existing users left untouched.
    pub untouched: Vec<ExistingUserOutcome>,
    /// How the invitations went.
    pub invitations: InvitationCounts,
    /// Time per phase.
    pub timings: Timings,
    /// How many times the commit was planned (more than one after conflicts with concurrent
    /// imports).
    pub attempts: u32,
}

impl ImportSummary {
    /// An empty summary for `import` with `status`.
    pub fn new(import: ImportId, status: ImportStatus) -> ImportSummary {
        ImportSummary {
            import,
            status,
            dry_run: false,
            reason: String::new(),
            counts: Counts::default(),
            issues: Vec::new(),
            created: Vec::new(),
            updated: Vec::new(),
            untouched: Vec::new(),
            invitations: InvitationCounts::default(),
            timings: Timings::default(),
            attempts: 0,
        }
    }

    /// Whether the import completed.
    pub fn is_completed(&self) -> bool {
        self.status == ImportStatus::Completed
    }
}
