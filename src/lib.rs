//! Batch user import for learning platforms: an administrator fills in an `.xlsx` template and
//! uploads it; this crate generates the template, reads the upload as hostile input, validates
//! every row, and tells exactly what to fix.
//!
//! ```
//! use user_import::{validate_bytes, Limits, Schema, Template};
//!
//! let schema = Schema::default();
//! // The template the administrator downloads.
//! let template = Template::new(&schema).to_bytes()?;
//! # let _ = template;
//! # let upload = user_import::testing::workbook(&schema, &[
//! #     &["Ann Lee", "ann@example.com", "CA", "QC", "en", "", "", "000123", ""],
//! # ]);
//! // The file they upload.
//! let validation = validate_bytes(&upload, &schema, &Limits::default())?;
//! assert!(validation.is_valid());
//! let record = &validation.records()[0];
//! assert_eq!(validation.value(&schema, record, "region"), "CA-QC");
//! assert_eq!(validation.value(&schema, record, "employee_id"), "000123");
//! # Ok::<(), user_import::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod conformance;
mod error;
pub mod faults;
mod import;
mod issue;
pub mod location;
pub mod memory;
pub mod normalize;
mod package;
mod plan;
mod reader;
mod report;
mod schema;
mod store;
mod summary;
mod template;
#[doc(hidden)]
pub mod testing;
mod validate;

pub use error::{Error, FileKind};
pub use import::{ImportRequest, Importer, Phase, Progress};
pub use issue::{Issue, IssueCode, Severity, english};
pub use package::Limits;
pub use plan::{
    CourseId, ExistingUser, Group, GroupAddition, GroupId, ImportId, ImportPlan, InvitationId,
    NewUser, Untouched, UserId, check_groups, plan,
};
pub use reader::{CellValue, HeaderRow, RowSink, read_rows};
pub use report::ErrorReport;
pub use schema::{Column, ColumnKind, Schema, SchemaBuilder};
pub use store::{
    Begin, Commit, CommitReceipt, Conflict, Delivery, DeliveryStatus, Enroller, GroupStore,
    ImportLog, ImportRecord, Invitation, Mailer, Outbox, StoreError, Stores, UserStore,
};
pub use summary::{
    Counts, CreatedUser, ExistingUserOutcome, ImportStatus, ImportSummary, InvitationCounts,
    Timings,
};
pub use template::{INSTRUCTIONS_SHEET, LISTS_SHEET, LOCATIONS_SHEET, Template};
pub use validate::{Record, Validation, Validator, validate_bytes, validate_workbook};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
