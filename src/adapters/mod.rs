//! Host adapters a platform can ship as they are: stores on SQLite and PostgreSQL (features
//! `sqlite` and `postgres`, through sqlx) and invitation mailers over SMTP or into a folder of
//! `.eml` files (feature `smtp`, through lettre).
//!
//! The SQL stores implement every host trait ([`UserStore`](crate::UserStore),
//! [`GroupStore`](crate::GroupStore), [`ImportLog`](crate::ImportLog),
//! [`Outbox`](crate::Outbox), [`Enroller`](crate::Enroller)) and
//! [`conformance::Seed`](crate::conformance::Seed) on one schema, shipped as sqlx migrations
//! (`migrations/sqlite/`, `migrations/postgres/`) and run by `migrate()`. Every row carries a
//! platform (tenant) id, so one database serves many platforms; a store value works for one.
//!
//! The commit is one transaction of bulk statements (never one statement per user), holding the
//! platform's write lock while it re-checks the email keys and the seats, and it writes the
//! invitation outbox in the same transaction.

#[cfg(feature = "postgres")]
pub use sql::postgres;
#[cfg(feature = "smtp")]
pub mod smtp;
#[cfg(feature = "sqlite")]
pub use sql::sqlite;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql::{Snapshot, SnapshotUser};
/// The sqlx the SQL stores are built on, for hosts that bring their own pool.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sqlx;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
