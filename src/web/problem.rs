//! Errors as JSON problem details (RFC 9457): a status, a stable code, and the message in the
//! administrator's language.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::Denied;
use crate::error::{Error, Limit, StoreError};
use crate::text::Catalog;

/// A problem answered as `application/problem+json`:
///
/// ```json
/// {"type": "about:blank", "title": "Payload Too Large", "status": 413,
///  "code": "file.limit_exceeded", "detail": "the file size in bytes (…) exceeds the limit of …"}
/// ```
///
/// `code` is stable: an [`Error::code`] (`file.not_xlsx`, `file.limit_exceeded`...) or one of
/// the API's own (`import.not_found`, `import.not_completed`, `request.sign_in`,
/// `request.forbidden`, `request.no_file`, `request.bad_form`, `request.bad_id`,
/// `request.field_too_long`, `request.no_courses`, `service.failed`). `detail` is written in
/// the administrator's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Always `about:blank`: the code says what the problem is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The HTTP status's reason phrase.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The stable code.
    pub code: String,
    /// What happened and what to do, in the administrator's language.
    pub detail: String,
}

impl Problem {
    /// A problem with `status`, `code` and `detail`.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code: code.into(),
            detail: detail.into(),
        }
    }

    /// The problem of one of the API's own `code`s, its detail from the catalogue key
    /// `web.problem.<code>` filled with `args`.
    pub(crate) fn text(
        status: StatusCode,
        code: &str,
        catalog: &Catalog,
        args: &[(&str, &str)],
    ) -> Problem {
        let detail = catalog.fill(&format!("web.problem.{code}"), args);
        Problem::new(status, code, detail)
    }

    /// The problem of a refused request.
    pub(crate) fn denied(denied: Denied, catalog: &Catalog) -> Problem {
        match denied {
            Denied::SignIn => {
                Problem::text(StatusCode::UNAUTHORIZED, "request.sign_in", catalog, &[])
            }
            Denied::Forbidden => {
                Problem::text(StatusCode::FORBIDDEN, "request.forbidden", catalog, &[])
            }
        }
    }

    /// No import `id` on the administrator's platform.
    pub(crate) fn not_found(id: &str, catalog: &Catalog) -> Problem {
        Problem::text(
            StatusCode::NOT_FOUND,
            "import.not_found",
            catalog,
            &[("id", id)],
        )
    }

    /// The problem of an engine error: a rejected file with its message, an unknown import,
    /// or a failure of the service (whose details go to the log, not to the page).
    pub fn from_error(error: &Error, catalog: &Catalog) -> Problem {
        let status = match error {
            Error::LimitExceeded {
                what: Limit::FileSize,
                ..
            } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::NotXlsx { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Store(StoreError::NotFound { .. }) => StatusCode::NOT_FOUND,
            Error::Store(_) | Error::Schema(_) | Error::Write(_) => {
                tracing::error!(%error, "the import API could not answer");
                return Problem::text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "service.failed",
                    catalog,
                    &[("code", error.code())],
                );
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Problem::new(status, error.code(), catalog.error_message(error))
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (status, [(CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}
