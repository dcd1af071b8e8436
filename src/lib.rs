//! Batch user import for learning platforms: an administrator fills in an `.xlsx` template and
//! uploads it; this crate generates the template, reads the upload as hostile input, validates
//! every row, plans the import against the host's stores, commits it atomically through the
//! host, sends the invitations after the commit, and answers a summary.
//!
//! The engine decides; the host persists. A platform implements [`UserStore`], [`GroupStore`],
//! [`ImportLog`], [`Outbox`], [`Mailer`] and [`Enroller`] (each trait documents its contract),
//! or starts with the in-memory ones in [`memory`].
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use user_import::memory::{MemoryMailer, MemoryStore};
//! use user_import::{ImportRequest, ImportStatus, Importer, Schema, Stores, Template};
//!
//! let schema = Schema::default();
//!
//! // 1. The template the administrator downloads.
//! let template: Vec<u8> = Template::new(&schema).to_bytes()?;
//! # let _ = template;
//!
//! // 2. They fill it in and upload it.
//! # let upload = user_import::testing::workbook(&schema, &[
//! #     &["Ann Lee", "ann@example.com", "CA", "QC", "en", "Nurse", "", "000123", "2024-03-31"],
//! #     &["Bob Roy", "Bob.Roy@example.com", "FR", "FR-75C", "fr"],
//! # ]);
//!
//! // 3. The host's stores: here, in memory, with an existing account for Bob.
//! let store = Arc::new(MemoryStore::new());
//! store.add_group("nurses", "Nurses");
//! store.add_user("Robert Roy", "bob.roy@example.com", &[]);
//! let mailer = Arc::new(MemoryMailer::new());
//! let importer = Importer::new(schema, Stores::single(store.clone(), mailer.clone()));
//!
//! // 4. The import: Ann is created and invited; Bob keeps his account and joins the group.
//! let mut request = ImportRequest::new("import-2024-03", "spring-intake.xlsx");
//! request.groups = vec!["Nurses".into()];
//! request.message = "Welcome to the team!".into();
//! request.seat_limit = Some(50);
//! let summary = importer.run(&request, &upload, &|progress| {
//!     let _ = progress.phase; // show it in the batch-imports index
//! }).await?;
//!
//! // 5. The summary.
//! assert_eq!(summary.status, ImportStatus::Completed);
//! assert_eq!(summary.counts.created, 1);
//! assert_eq!(summary.counts.groups_added, 1);
//! assert_eq!(summary.created[0].email, "ann@example.com");
//! assert_eq!(mailer.delivered()[0].message, "Welcome to the team!");
//! # Ok::<(), user_import::Error>(())
//! # }).unwrap();
//! ```
//!
//! Checking a file without importing it needs no store at all: [`validate_bytes`] answers the
//! rows and every [`Issue`], each with the row, the column, the value, a stable code and a
//! message that says how to fix it.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "smtp"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "sqlite", feature = "postgres", feature = "smtp")))
)]
pub mod adapters;
mod check;
mod commit_rules;
mod error;
mod import;
mod issue;
#[cfg(feature = "jobs")]
pub mod jobs;
pub mod location;
pub mod memory;
mod model;
mod new_users;
mod read;
mod report;
mod schema;
mod store;
mod summary;
mod template;
#[cfg(any(test, feature = "testkit"))]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub mod testkit;
pub mod text;
mod value;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod web;

pub use check::normalize;
#[cfg(any(test, feature = "testkit"))]
#[doc(hidden)]
pub use testkit::testing;
#[cfg(any(test, feature = "testkit"))]
pub use testkit::{conformance, faults};

pub use check::records::{NewUser, Record, RecordSet};
pub use check::validate::{Validation, Validator, validate_bytes, validate_workbook};
pub use commit_rules::{CommitView, check_commit};
pub use error::{Conflict, Error, FileKind, Limit, NotText, RequestText, StoreError};
pub use import::plan::check_groups;
pub use import::{ImportRequest, Importer, ReadOutcome, Started};
pub use issue::{Issue, IssueCode, Severity, english};
pub use model::{
    Attributes, CourseId, ExistingUser, Group, GroupAddition, GroupId, ImportId, InvitationId,
    Untouched, UserId,
};
pub use new_users::{NewUserBatches, NewUsers, Upload};
pub use read::limits::Limits;
pub use read::{
    CELLS_BETWEEN_DEADLINE_CHECKS, CellValue, HeaderRow, RowSink, estimate_import_bytes, read_rows,
    read_rows_bytes,
};
pub use report::ErrorReport;
pub use schema::{Column, ColumnKind, Schema, SchemaBuilder};
pub use store::{
    Begin, Claim, Commit, CommitReceipt, Delivery, DeliveryStatus, Enroller, GroupStore, ImportLog,
    ImportRecord, Invitation, InvitationTally, Mailer, Outbox, Stores, UserStore,
};
pub use summary::{
    Counts, CreatedUser, ExistingUserOutcome, Failure, ImportStatus, ImportSummary,
    InvitationCounts, Phase, Progress, STORED_ISSUES, STORED_USERS, Timings,
};
pub use template::{INSTRUCTIONS_SHEET, LISTS_SHEET, LOCATIONS_SHEET, Template};
pub use text::{Catalog, PluralRule};

/// The attribute the host traits ([`UserStore`], [`GroupStore`], [`ImportLog`], [`Outbox`],
/// [`Mailer`], [`Enroller`]) are written with, re-exported so that a host implementing them
/// needs no `async-trait` dependency of its own (and always has the version they need).
///
/// ```
/// use user_import::{Delivery, Invitation, Mailer, async_trait};
///
/// /// A mailer that delivers nothing and says so.
/// struct Nowhere;
///
/// #[async_trait]
/// impl Mailer for Nowhere {
///     async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
///         invitations
///             .iter()
///             .map(|_| Delivery::Failed("no mail service".to_string()))
///             .collect()
///     }
/// }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert!(Nowhere.send(&[]).await.is_empty());
/// # });
/// ```
pub use async_trait::async_trait;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
