//! The administrator's page over HTTP (feature `axum`): an [`axum`] router a host mounts under
//! its own admin routes.
//!
//! ```text
//! GET  /template                 the template (.xlsx) in the administrator's language
//! GET  /locations?q=quebec       location codes: [{code, name, type, country}]
//! GET  /groups                   the platform's groups: [{id, name}]
//! GET  /courses                  the courses users can be enrolled in: [{id, name}]
//! GET  /texts                    the page's texts in the administrator's language
//! POST /imports                  multipart upload (file, id, groups, message, notes): 202 {id, status}
//! GET  /imports?page=1&per_page=20   the imports index, newest first
//! GET  /imports/{id}             one import with its summary
//! GET  /imports/{id}/report      the error report (.xlsx)
//! GET  /imports/{id}/users       the users it created, by row: ?after=ROW&limit=N
//! POST /imports/{id}/enroll      {"courses": [...]}: enrolls the users the import created
//! POST /imports/{id}/resend      sends the invitations not delivered yet
//! ```
//!
//! Who asks comes from the host: [`AdminHost::admin`] reads the host's own session (a cookie,
//! a token) and answers the [`Admin`]: the platform, the administrator and their language.
//! Nothing in a request's body or query names a platform, so a request cannot reach another
//! platform's imports: their ids answer 404 as unknown ones do. The router checks no CSRF token
//! of its own: a host whose sessions ride on cookies mounts it behind its CSRF defence
//! (`SameSite` cookies, or a token header its `admin` checks).
//!
//! An upload's size is checked while its body streams in: past
//! [`Limits::max_file_bytes`](crate::Limits::max_file_bytes) the request is answered 413 and
//! the rest is not read. The kind of file is decided from its first bytes, never from its
//! name or content type. The upload then goes to [`Submitter::submit`], which keeps it,
//! records the import pending and queues it: the answer is 202 with the id, and a
//! [`Worker`](crate::jobs::Worker) runs the import.
//!
//! Errors are JSON problem details (`application/problem+json`, RFC 9457) with a stable
//! `code` and a `detail` in the administrator's language (see [`Problem`]).

mod imports;
mod language;
mod lookup;
mod problem;
mod upload;

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::request::Parts;
use axum::routing::{get, post};

use crate::error::Error;
use crate::import::Importer;
use crate::jobs::Submitter;
use crate::store::StoreError;
use crate::text::Catalog;

pub use language::catalog_for;
pub use problem::Problem;

/// The administrator behind a request, as the host's authentication knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    /// The platform (tenant) they administer.
    pub platform: String,
    /// Who they are, recorded as the uploader of their imports.
    pub user: String,
    /// Their language: the page's texts, the template, the summaries and the errors.
    pub catalog: Catalog,
    /// The platform's limit of active users, if its subscription has one.
    pub seat_limit: Option<u64>,
}

/// Why the host refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Nobody is signed in (401).
    SignIn,
    /// Someone is signed in but may not import users (403).
    Forbidden,
}

/// A course the page offers for enrollment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Course {
    /// The course's identifier, as the host's [`Enroller`](crate::Enroller) takes it.
    pub id: String,
    /// Its name, as the administrator reads it.
    pub name: String,
}

/// What the host provides to the router: who asks, and each platform's importer.
///
/// ```
/// use axum::http::request::Parts;
/// use user_import::web::{Admin, AdminHost, Denied, catalog_for};
/// use user_import::{Error, Importer, Schema, async_trait};
///
/// struct Host {
///     store: std::sync::Arc<user_import::memory::MemoryStore>,
///     mailer: std::sync::Arc<user_import::memory::MemoryMailer>,
/// }
///
/// #[async_trait]
/// impl AdminHost for Host {
///     async fn admin(&self, request: &Parts) -> Result<Admin, Denied> {
///         // A real host checks its session cookie or token here.
///         let signed_in = request.headers.contains_key("x-session");
///         if !signed_in {
///             return Err(Denied::SignIn);
///         }
///         Ok(Admin {
///             platform: "acme".into(),
///             user: "admin@acme.test".into(),
///             catalog: catalog_for(&request.headers, None),
///             seat_limit: None,
///         })
///     }
///
///     fn importer(&self, _platform: &str) -> Result<Importer, Error> {
///         let stores = user_import::Stores::single(self.store.clone(), self.mailer.clone());
///         Ok(Importer::new(Schema::default(), stores))
///     }
/// }
/// ```
#[async_trait]
pub trait AdminHost: Send + Sync + 'static {
    /// The administrator behind `request`, from the host's own session: never from the
    /// request's body or query.
    ///
    /// # Errors
    ///
    /// [`Denied`] when nobody is signed in or they may not import users.
    async fn admin(&self, request: &Parts) -> Result<Admin, Denied>;

    /// The importer of `platform`: its schema, limits and stores.
    ///
    /// # Errors
    ///
    /// An [`Error`] when the platform's stores cannot be had (answered 500).
    fn importer(&self, platform: &str) -> Result<Importer, Error>;

    /// The courses the administrator may enroll users in; none unless the host says.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the host's course catalogue fails.
    async fn courses(&self, admin: &Admin) -> Result<Vec<Course>, StoreError> {
        let _ = admin;
        Ok(Vec::new())
    }
}

/// The import API: the host, and the submitter uploads go to.
///
/// ```no_run
/// # async fn serve(host: impl user_import::web::AdminHost, submitter: user_import::jobs::Submitter) {
/// use user_import::web::ImportApi;
///
/// let api = ImportApi::new(std::sync::Arc::new(host), submitter);
/// let app = axum::Router::new().nest("/admin/imports", api.router());
/// # let _ = app;
/// # }
/// ```
#[derive(Clone)]
pub struct ImportApi {
    host: Arc<dyn AdminHost>,
    submitter: Submitter,
}

impl std::fmt::Debug for ImportApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportApi")
            .field("submitter", &self.submitter)
            .finish_non_exhaustive()
    }
}

impl ImportApi {
    /// The API of `host`, whose uploads go to `submitter` (its limits bound the uploads).
    pub fn new(host: Arc<dyn AdminHost>, submitter: Submitter) -> ImportApi {
        ImportApi { host, submitter }
    }

    /// The router, with its paths relative to where the host nests it.
    pub fn router(&self) -> Router {
        // The upload route counts the bytes itself; axum's own limit is set a little above
        // the file's limit (for the form's other fields), as a second bound.
        let body_limit = usize::try_from(self.submitter.limits().max_file_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(upload::FORM_ALLOWANCE);
        Router::new()
            .route("/template", get(lookup::template))
            .route("/locations", get(lookup::locations))
            .route("/groups", get(lookup::groups))
            .route("/courses", get(lookup::courses))
            .route("/texts", get(lookup::texts))
            .route(
                "/imports",
                get(imports::index)
                    .post(upload::submit)
                    .layer(DefaultBodyLimit::max(body_limit)),
            )
            .route("/imports/{id}", get(imports::summary))
            .route("/imports/{id}/report", get(imports::report))
            .route("/imports/{id}/users", get(imports::created_users))
            .route("/imports/{id}/enroll", post(imports::enroll))
            .route("/imports/{id}/resend", post(imports::resend))
            .with_state(self.clone())
    }

    /// The administrator behind `parts`, or the problem to answer.
    async fn admin(&self, parts: &Parts) -> Result<Admin, Problem> {
        self.host.admin(parts).await.map_err(|denied| {
            let catalog = catalog_for(&parts.headers, None);
            Problem::denied(denied, &catalog)
        })
    }

    /// The importer of the administrator's platform.
    fn importer(&self, admin: &Admin) -> Result<Importer, Problem> {
        self.host
            .importer(&admin.platform)
            .map_err(|error| Problem::from_error(&error, &admin.catalog))
    }
}

/// The administrator as an extractor: the host's [`AdminHost::admin`] of the request.
impl axum::extract::FromRequestParts<ImportApi> for Admin {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, api: &ImportApi) -> Result<Admin, Problem> {
        api.admin(parts).await
    }
}
