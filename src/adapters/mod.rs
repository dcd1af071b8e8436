//! Host adapters a platform can ship as they are: stores on SQLite and PostgreSQL (features
//! `sqlite` and `postgres`, through sqlx) and invitation mailers over SMTP or into a folder of
//! `.eml` files (feature `smtp`, through lettre).
//!
//! The SQL stores ([`SqlStore`] on a dialect: [`sqlite::SqliteStore`],
//! [`postgres::PostgresStore`]) implement every host trait ([`UserStore`](crate::UserStore),
//! [`GroupStore`](crate::GroupStore), [`ImportLog`](crate::ImportLog),
//! [`Outbox`](crate::Outbox), [`Enroller`](crate::Enroller)) on one schema, shipped as sqlx
//! migrations (`migrations/sqlite/`, `migrations/postgres/`) and run by `migrate()`. Every row
//! carries a platform (tenant) id, so one database serves many platforms; a store value works
//! for one.
//!
//! The commit is one transaction of bulk statements (never one statement per user), holding the
//! platform's write lock while it re-checks the import id, the email keys, the seats, the users
//! and the groups ([`check_commit`](crate::check_commit), the rules every store shares), and it
//! writes the invitation outbox in the same transaction.

#[cfg(feature = "smtp")]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub mod smtp;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use sql::postgres;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sql::sqlite;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use sql::{Dialect, MIGRATIONS_TABLE, Snapshot, SnapshotUser, SqlStore};
/// The sqlx the SQL stores are built on, for hosts that bring their own pool.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use sqlx;
