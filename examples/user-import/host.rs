//! What the stateful commands run on: the state folder, the database and the mail transport.
//!
//! The embedded default keeps everything in the state folder (`--state DIR`, default
//! `user-import-state`): users, groups, memberships, the batch-imports index, the invitation
//! outbox and enrollments in the SQLite database `DIR/user-import.db` (the crate's
//! `SqliteStore`), each invitation as an `.eml` file under `DIR/mail/` (the crate's
//! `FileMailer`), each upload once under `DIR/objects/` (the jobs' object store, read again by
//! `report`), and the job queue in `DIR/jobs.db`. `--database-url
//! postgres://...` uses the crate's `PostgresStore` instead (with the `jobs-postgres` feature), and
//! `--smtp-url smtp://...` its `SmtpMailer`. Whichever they are, the engine sees them as the
//! trait objects of [`Stores`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

#[cfg(feature = "jobs-postgres")]
use user_import::adapters::postgres::PostgresStore;
use user_import::adapters::smtp::{FileMailer, SmtpMailer};
use user_import::adapters::sqlite::SqliteStore;
use user_import::{
    Catalog, Enroller, Group, GroupId, GroupStore, ImportLog, Mailer, Outbox, StoreError, Stores,
    UserStore, async_trait,
};

use crate::cli::StateArgs;
use crate::failure::Failure;

/// The database file in the state folder, when no `--database-url` is given.
const DATABASE_FILE: &str = "user-import.db";

/// The folder of `.eml` files in the state folder, when no `--smtp-url` is given.
const MAIL_FOLDER: &str = "mail";

/// The groups a new platform starts with.
const DEFAULT_GROUPS: [(&str, &str); 3] = [
    ("nurses", "Nurses"),
    ("physicians", "Physicians"),
    ("night-shift", "Night shift"),
];

/// The example host, open: its stores and mail transport, its state folder, its language.
pub(crate) struct Host {
    /// What the engine uses.
    pub(crate) stores: Stores,
    /// What the host does with the database itself.
    pub(crate) database: Arc<dyn Database>,
    /// The state folder.
    pub(crate) dir: PathBuf,
    /// The administrator's language.
    pub(crate) catalog: Catalog,
    /// The platform (tenant) the commands act for.
    pub(crate) platform: String,
    /// The database's URL (with its password: never printed). Only the PostgreSQL job queue
    /// reads it again.
    #[cfg_attr(not(feature = "jobs-postgres"), allow(dead_code))]
    pub(crate) database_url: String,
    /// Where users and invitations go, for messages (passwords hidden).
    pub(crate) database_shown: String,
    pub(crate) mail_shown: String,
}

impl Host {
    /// Opens the state folder, the mail transport and the database that `state` names, sets
    /// up the database's schema and gives a new platform its groups.
    ///
    /// # Errors
    ///
    /// [`Failure::Usage`] for a URL this host cannot use; [`Failure::StateFolder`],
    /// [`Failure::Mail`] or [`Failure::Database`] for what cannot be opened.
    pub(crate) async fn open(state: &StateArgs, catalog: &Catalog) -> Result<Host, Failure> {
        check_urls(state, catalog)?;
        let dir = state.state.clone();
        std::fs::create_dir_all(&dir).map_err(|source| Failure::StateFolder {
            path: dir.clone(),
            source,
        })?;
        let (mailer, mail_shown) = open_mail(state)?;
        let (url, database_shown) = match &state.database_url {
            Some(url) => (url.clone(), redact(url)),
            None => {
                let file = dir.join(DATABASE_FILE);
                (sqlite_url(&file), file.display().to_string())
            }
        };
        let (stores, database) = open_database(&url, &state.platform, mailer).await?;
        let host = Host {
            stores,
            database,
            dir,
            catalog: catalog.clone(),
            platform: state.platform.clone(),
            database_url: url.clone(),
            database_shown,
            mail_shown,
        };
        platform_groups(host.stores.groups.as_ref())
            .await
            .map_err(|source| Failure::Database {
                action: "set up the groups in",
                shown: redact(&url),
                source,
            })?;
        Ok(host)
    }
}

/// Refuses a `--database-url` or `--smtp-url` of a kind this host cannot use (before anything
/// is opened), without showing a password.
fn check_urls(state: &StateArgs, catalog: &Catalog) -> Result<(), Failure> {
    let usage = |key: &str, url: &str| Failure::Usage(catalog.fill(key, &[("url", &redact(url))]));
    if let Some(url) = &state.database_url {
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        if !(url.starts_with("sqlite:") || postgres) {
            return Err(usage("cli.usage.database_url", url));
        }
        if postgres && !cfg!(feature = "jobs-postgres") {
            return Err(usage("cli.usage.no_postgres", url));
        }
    }
    if let Some(url) = &state.smtp_url
        && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
    {
        return Err(usage("cli.usage.smtp_url", url));
    }
    Ok(())
}

/// The mail transport `state` names, sending the shipped invitation text in each user's
/// language (English, French; English for any other), and where it sends, for messages.
fn open_mail(state: &StateArgs) -> Result<(Arc<dyn Mailer>, String), Failure> {
    match &state.smtp_url {
        None => {
            let folder = state.state.join(MAIL_FOLDER);
            let shown = folder.display().to_string();
            let mailer = FileMailer::new(&folder, &state.from).map_err(|source| Failure::Mail {
                action: "write mail to",
                shown: shown.clone(),
                source,
            })?;
            Ok((Arc::new(mailer), format!("{shown}/*.eml")))
        }
        Some(url) => {
            let shown = redact(url);
            let mailer =
                SmtpMailer::localized(url, &state.from).map_err(|source| Failure::Mail {
                    action: "send mail through",
                    shown: shown.clone(),
                    source,
                })?;
            Ok((Arc::new(mailer), shown))
        }
    }
}

/// The store at `url` (`check_urls` let only `sqlite:` and, with the `jobs-postgres` feature,
/// `postgres:` URLs through), its schema set up.
async fn open_database(
    url: &str,
    platform: &str,
    mailer: Arc<dyn Mailer>,
) -> Result<(Stores, Arc<dyn Database>), Failure> {
    let failure = |action| {
        move |source| Failure::Database {
            action,
            shown: redact(url),
            source,
        }
    };
    if url.starts_with("sqlite:") {
        let store = SqliteStore::connect(url, platform)
            .await
            .map_err(failure("open"))?;
        return prepare(store, mailer)
            .await
            .map_err(failure("set up the schema in"));
    }
    #[cfg(feature = "jobs-postgres")]
    {
        let store = PostgresStore::connect(url, platform)
            .await
            .map_err(failure("connect to"))?;
        prepare(store, mailer)
            .await
            .map_err(failure("set up the schema in"))
    }
    #[cfg(not(feature = "postgres"))]
    Err(Failure::Usage(format!(
        "{}: this build has no PostgreSQL store",
        redact(url)
    )))
}

/// Sets up `store`'s schema and hands it out as the engine's stores and the host's database.
async fn prepare<S>(
    store: S,
    mailer: Arc<dyn Mailer>,
) -> Result<(Stores, Arc<dyn Database>), StoreError>
where
    S: Database + UserStore + GroupStore + ImportLog + Outbox + Enroller + 'static,
{
    store.migrate().await?;
    let store = Arc::new(store);
    let stores = Stores {
        users: store.clone(),
        groups: store.clone(),
        log: store.clone(),
        outbox: store.clone(),
        mailer,
        enroller: store.clone(),
    };
    Ok((stores, store))
}

/// The platform's groups, (id, name) by id; a platform without any gets
/// [`DEFAULT_GROUPS`] first (creating them is idempotent).
pub(crate) async fn platform_groups(
    groups: &dyn GroupStore,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut found = groups.list_groups().await?;
    if found.is_empty() {
        let defaults: Vec<Group> = DEFAULT_GROUPS
            .iter()
            .map(|(id, name)| Group {
                id: GroupId::from(*id),
                name: (*name).to_string(),
            })
            .collect();
        groups.create_groups(&defaults).await?;
        found = groups.list_groups().await?;
    }
    Ok(found
        .into_iter()
        .map(|group| (group.id.0, group.name))
        .collect())
}

/// What the host does with its database beyond the engine's store traits. Each SQL store of
/// the crate is one.
#[async_trait]
pub(crate) trait Database: Send + Sync {
    /// Creates or updates the schema.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// The engine's stores of another platform in the same database.
    fn stores_for(&self, platform: &str, mailer: Arc<dyn Mailer>) -> Stores;

    /// Closes the connections (SQLite folds its write-ahead log back into the file).
    async fn close(&self);
}

/// [`Database`] for a store of the crate's SQL adapters (they share their API).
macro_rules! sql_database {
    ($store:ty) => {
        #[async_trait]
        impl Database for $store {
            async fn migrate(&self) -> Result<(), StoreError> {
                <$store>::migrate(self).await
            }
            fn stores_for(&self, platform: &str, mailer: Arc<dyn Mailer>) -> Stores {
                let store = Arc::new(self.for_platform(platform));
                Stores {
                    users: store.clone(),
                    groups: store.clone(),
                    log: store.clone(),
                    outbox: store.clone(),
                    mailer,
                    enroller: store,
                }
            }
            async fn close(&self) {
                self.pool().close().await;
            }
        }
    };
}

sql_database!(SqliteStore);
#[cfg(feature = "jobs-postgres")]
sql_database!(PostgresStore);

/// `url` with its password, if any, replaced by `***`, for messages.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let Some(colon) = authority[..at].find(':') else {
        return url.to_string();
    };
    format!(
        "{}{}:***{}",
        &url[..scheme_end + 3],
        &authority[..colon],
        &rest[at..]
    )
}

/// The `sqlite://` URL of a file, with the characters the URL gives a meaning escaped.
fn sqlite_url(path: &Path) -> String {
    let mut url = String::from("sqlite://");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    url
}
