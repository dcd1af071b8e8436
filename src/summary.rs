//! What an import did: status, counts, issues, the users created and updated, invitations, and
//! how long each phase took.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::issue::{Issue, IssueCode};
use crate::model::{ImportId, UserId};
use crate::text::Catalog;

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
    /// The statuses a record may move to `self` from: a status only moves forward
    /// (`pending → running → completed | failed`); a running import may be started again (its
    /// worker stopped); a completed one takes a newer summary (its invitations) but is never
    /// failed; a failed one keeps its outcome.
    ///
    /// ```
    /// use user_import::ImportStatus::{Completed, Failed, Pending, Running};
    ///
    /// assert!(Pending.may_become(Running) && Running.may_become(Completed));
    /// assert!(Running.may_become(Running) && Completed.may_become(Completed));
    /// assert!(!Completed.may_become(Failed) && !Failed.may_become(Running));
    /// assert!(!Running.may_become(Pending) && !Failed.may_become(Failed));
    /// ```
    pub fn may_follow(self) -> &'static [ImportStatus] {
        match self {
            ImportStatus::Pending => &[ImportStatus::Pending],
            ImportStatus::Running => &[ImportStatus::Pending, ImportStatus::Running],
            ImportStatus::Completed => &[
                ImportStatus::Pending,
                ImportStatus::Running,
                ImportStatus::Completed,
            ],
            ImportStatus::Failed => &[ImportStatus::Pending, ImportStatus::Running],
        }
    }

    /// Whether a record may move from `self` to `next` (see [`ImportStatus::may_follow`]).
    pub fn may_become(self, next: ImportStatus) -> bool {
        next.may_follow().contains(&self)
    }

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

impl Counts {
    /// Existing users the file named: those that got the import's groups and those left
    /// untouched. Only groups are added to an existing user; the file's other values (name,
    /// country...) are not applied to them.
    pub fn existing(&self) -> u64 {
        self.groups_added + self.untouched
    }
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
    /// The failures, by email address, with the reason: the first [`STORED_ISSUES`] of them
    /// ([`InvitationCounts::failed`] counts them all), so that a mail service that refuses
    /// every message of a large import does not grow the record with each one.
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

/// The phase an import is in, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading and validating rows.
    Reading,
    /// Looking users and groups up, and planning.
    Planning,
    /// Writing the plan.
    Committing,
    /// Sending invitations.
    Inviting,
    /// Finished.
    Done,
}

/// A progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Rows (or invitations, while inviting) done so far.
    pub done: u64,
    /// The total, when known.
    pub total: Option<u64>,
}

/// Why an import did not complete, as data: every language writes it
/// ([`Catalog::failure_reason`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Failure {
    /// The file was rejected as a whole; the summary's `file.rejected` issue carries the error.
    Rejected,
    /// Rows have problems: `problems` errors in `rows` rows.
    Problems {
        /// The number of errors.
        problems: u64,
        /// The number of rows with an error.
        rows: u64,
    },
    /// An import-level issue stopped it: unknown groups, the seat limit, too many conflicts.
    /// The summary's issue of that code tells the rest.
    Issue {
        /// The issue's code.
        code: IssueCode,
    },
    /// The import stopped on an error of the host's stores or another part: the error's
    /// stable code, its catalogue key and the named values of its message.
    Error {
        /// The error's code ([`Error::code`](crate::Error::code)).
        code: String,
        /// The catalogue key of its message.
        key: String,
        /// The named values of its message.
        args: Vec<(String, String)>,
    },
}

impl Failure {
    /// The failure that `error` caused.
    pub fn from_error(error: &crate::Error) -> Failure {
        let (key, args) = crate::error::error_args(error);
        Failure::Error {
            code: error.code().to_string(),
            key: key.to_string(),
            args: args
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        }
    }
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
    /// Why the import failed, in one sentence in the language it ran in (written from
    /// [`ImportSummary::failure`]); empty when it completed.
    pub reason: String,
    /// Why the import failed, as codes and counts that any [`Catalog`] writes
    /// ([`Catalog::failure_reason`]); `None` when it completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Row counts.
    pub counts: Counts,
    /// The issues found, warnings included: all of them while the import runs, the first
    /// [`STORED_ISSUES`] by row once it ended and was recorded ([`ImportSummary::issues_total`]
    /// says how many there were; the error report, made from the upload, holds them all).
    pub issues: Vec<Issue>,
    /// How many issues the import found in all, `issues` holding the first ones (0 in a summary
    /// recorded before this count existed, whose `issues` are all there were).
    #[serde(default)]
    pub issues_total: u64,
    /// How many issues of each code the import found.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub issue_counts: BTreeMap<IssueCode, u64>,
    /// The users created (or, in a dry run, that would be), in row order: the first
    /// [`STORED_USERS`] ([`Counts::created`] says how many; once committed, the store answers
    /// the rest, [`UserStore::created_users`](crate::UserStore::created_users)).
    pub created: Vec<CreatedUser>,
    /// Existing users that got the import's groups (the first [`STORED_USERS`];
    /// [`Counts::groups_added`] says how many).
    pub updated: Vec<ExistingUserOutcome>,
    /// Existing users left untouched (the first [`STORED_USERS`]; [`Counts::untouched`] says
    /// how many).
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
            failure: None,
            counts: Counts::default(),
            issues: Vec::new(),
            issues_total: 0,
            issue_counts: BTreeMap::new(),
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

    /// Keeps the first `max` issues by row (those of the file as a whole first) after counting
    /// them all, by code, in [`ImportSummary::issue_counts`] and
    /// [`ImportSummary::issues_total`]: what an import's record keeps, so that a file whose
    /// every row fails is not stored a hundred thousand times over. Calling it again changes
    /// nothing.
    ///
    /// ```
    /// use user_import::{ImportId, ImportStatus, ImportSummary, Issue, IssueCode};
    ///
    /// let mut summary = ImportSummary::new(ImportId::from("spring"), ImportStatus::Failed);
    /// for row in (2..=5).rev() {
    ///     summary.issues.push(Issue::new(IssueCode::EmailInvalid).at(row, "Email").value("x"));
    /// }
    /// summary.keep_first_issues(2);
    /// let rows: Vec<Option<u32>> = summary.issues.iter().map(|issue| issue.row).collect();
    /// assert_eq!(rows, [Some(2), Some(3)]);
    /// assert_eq!(summary.issues_total, 4);
    /// assert_eq!(summary.issue_counts[&IssueCode::EmailInvalid], 4);
    /// ```
    pub fn keep_first_issues(&mut self, max: usize) {
        if let Some(counts) = self.uncounted_issues() {
            self.issues_total = self.issues.len() as u64;
            self.issue_counts = counts;
        }
        if self.issues.len() > max {
            // Stable: a row's issues keep their column order.
            self.issues.sort_by_key(|issue| issue.row.unwrap_or(0));
            self.issues.truncate(max);
            self.issues.shrink_to_fit();
        }
    }

    /// The summary as the batch-imports index lists it ([`ImportLog::list`](crate::ImportLog::list)):
    /// its status, reason, counts, issue counts and invitation counts, without its lists (the
    /// issues, the created, updated and untouched users, the delivery failures), which only the
    /// import's own page reads ([`ImportLog::get`](crate::ImportLog::get)).
    ///
    /// ```
    /// use user_import::{ImportId, ImportStatus, ImportSummary, Issue, IssueCode};
    ///
    /// let mut summary = ImportSummary::new(ImportId::from("spring"), ImportStatus::Failed);
    /// summary.issues.push(Issue::new(IssueCode::EmailInvalid).at(2, "Email").value("x"));
    /// let brief = summary.brief();
    /// assert!(brief.issues.is_empty());
    /// assert_eq!(brief.issue_count(), 1);
    /// ```
    pub fn brief(&self) -> ImportSummary {
        let issue_counts = self
            .uncounted_issues()
            .unwrap_or_else(|| self.issue_counts.clone());
        ImportSummary {
            import: self.import.clone(),
            status: self.status,
            dry_run: self.dry_run,
            reason: self.reason.clone(),
            failure: self.failure.clone(),
            counts: self.counts,
            issues: Vec::new(),
            issues_total: self.issue_count(),
            issue_counts,
            created: Vec::new(),
            updated: Vec::new(),
            untouched: Vec::new(),
            invitations: InvitationCounts {
                failures: Vec::new(),
                ..self.invitations.clone()
            },
            timings: self.timings,
            attempts: self.attempts,
        }
    }

    /// The count of each code among `issues`, when the counts kept do not cover them yet (the
    /// summary was never bounded); `None` when [`ImportSummary::issue_counts`] is up to date.
    fn uncounted_issues(&self) -> Option<BTreeMap<IssueCode, u64>> {
        (self.issues.len() as u64 > self.issues_total).then(|| {
            let mut counts = BTreeMap::new();
            for issue in &self.issues {
                *counts.entry(issue.code).or_default() += 1;
            }
            counts
        })
    }

    /// How many issues the import found: [`ImportSummary::issues_total`], or the issues held
    /// when the summary has no total.
    pub fn issue_count(&self) -> u64 {
        self.issues_total.max(self.issues.len() as u64)
    }
}

/// The most issues an import's record keeps ([`ImportSummary::keep_first_issues`]).
pub const STORED_ISSUES: usize = 1_000;

/// The most users of each list (created, updated, untouched) an import's summary keeps, the
/// first by row, its [`Counts`] saying how many there are; the store answers the rest of the
/// created users a page at a time ([`UserStore::created_users`](crate::UserStore::created_users)).
pub const STORED_USERS: usize = 1_000;

/// Writing summaries in a catalogue's language.
impl Catalog {
    /// The summary's reason and issues written in this language (the import's own record
    /// keeps the language it was run in).
    pub fn localize_summary(&self, summary: &mut ImportSummary) {
        self.localize_all(&mut summary.issues);
        if let Some(reason) = self.failure_reason(summary) {
            summary.reason = reason;
        }
    }

    /// Why an import did not complete, in this language, written from its
    /// [`Failure`] (or, for a summary stored without one, from its issues); `None` for a
    /// completed import or where neither tells.
    ///
    /// ```
    /// use user_import::{Catalog, Failure, ImportId, ImportStatus, ImportSummary};
    ///
    /// let mut summary = ImportSummary::new(ImportId("i-1".into()), ImportStatus::Failed);
    /// summary.failure = Some(Failure::Problems { problems: 3, rows: 2 });
    /// assert_eq!(
    ///     Catalog::english().failure_reason(&summary).unwrap(),
    ///     "3 problems in 2 rows; fix the file and upload it again"
    /// );
    /// assert_eq!(
    ///     Catalog::french().failure_reason(&summary).unwrap(),
    ///     "3 problèmes dans 2 lignes ; corrigez le fichier et téléversez-le de nouveau"
    /// );
    /// ```
    pub fn failure_reason(&self, summary: &ImportSummary) -> Option<String> {
        if summary.status != ImportStatus::Failed {
            return None;
        }
        let first_error = || {
            summary
                .issues
                .iter()
                .find(|issue| issue.severity == crate::issue::Severity::Error)
        };
        let failure = match &summary.failure {
            Some(failure) => failure.clone(),
            // A summary stored before failures were kept as data.
            None => {
                let errors = summary
                    .issues
                    .iter()
                    .filter(|issue| issue.severity == crate::issue::Severity::Error)
                    .count() as u64;
                match first_error()?.code {
                    IssueCode::FileRejected => Failure::Rejected,
                    code @ (IssueCode::UnknownGroups
                    | IssueCode::SeatLimit
                    | IssueCode::TooManyConflicts) => Failure::Issue { code },
                    _ => Failure::Problems {
                        problems: errors,
                        rows: summary.counts.failed_rows.max(1),
                    },
                }
            }
        };
        match failure {
            Failure::Rejected => {
                let issue = summary
                    .issues
                    .iter()
                    .find(|issue| issue.code == IssueCode::FileRejected)?;
                Some(self.fill("summary.rejected", &[("error", &self.issue_message(issue))]))
            }
            Failure::Issue { code } => summary
                .issues
                .iter()
                .find(|issue| issue.code == code)
                .map(|issue| self.issue_message(issue)),
            Failure::Problems { problems, rows } => Some(self.fill(
                "summary.problems",
                &[
                    ("count", &problems.to_string()),
                    ("rows", &rows.to_string()),
                ],
            )),
            Failure::Error { key, args, .. } => Some(self.render_error(&key, |name| {
                args.iter()
                    .find(|(arg, _)| arg == name)
                    .map(|(_, value)| value.as_str())
            })),
        }
    }

    /// One sentence that says how an import ended, for the administrator: how many users
    /// were created, how many existing users only received the groups (the file's other
    /// values are not applied to an existing user), how the invitations went.
    ///
    /// ```
    /// use user_import::{Catalog, ImportId, ImportStatus, ImportSummary};
    ///
    /// let mut summary = ImportSummary::new(ImportId("i-1".into()), ImportStatus::Completed);
    /// summary.counts.created = 3;
    /// summary.invitations.sent = 3;
    /// assert_eq!(
    ///     Catalog::french().describe(&summary),
    ///     "3 utilisateurs créés, 0 utilisateur existant ajouté aux groupes, 0 laissé tel quel ; 3 invitations envoyées, 0 non remise"
    /// );
    ///
    /// summary.counts.created = 1;
    /// summary.counts.groups_added = 2;
    /// summary.invitations.sent = 1;
    /// assert_eq!(
    ///     Catalog::english().describe(&summary),
    ///     "1 user created, 2 existing users added to the groups, 0 left untouched; 1 invitation sent, 0 not delivered; 2 existing users only received the groups: the other values in the file were not applied to them"
    /// );
    /// ```
    pub fn describe(&self, summary: &ImportSummary) -> String {
        let counts = &summary.counts;
        let numbers = [
            ("created", counts.created.to_string()),
            ("added", counts.groups_added.to_string()),
            ("untouched", counts.untouched.to_string()),
            ("existing", counts.existing().to_string()),
            ("sent", summary.invitations.sent.to_string()),
            ("failed", summary.invitations.failed.to_string()),
            ("reason", summary.reason.clone()),
        ];
        let args: Vec<(&str, &str)> = numbers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let key = match (summary.status, summary.dry_run) {
            (ImportStatus::Completed, true) => "summary.dry_run",
            (ImportStatus::Completed, false) => "summary.completed",
            (ImportStatus::Failed, _) => "summary.failed",
            _ => "summary.in_progress",
        };
        self.fill(key, &args)
    }
}
