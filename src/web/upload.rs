//! `POST /imports`: the upload, read as it streams (its size bounded, its kind told from its
//! first bytes), submitted to the job queue.

use axum::Json;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::header::{CONTENT_LENGTH, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{Admin, ImportApi, Problem};
use crate::error::{Error, Limit};
use crate::jobs::{Submission, Submitted};
use crate::read::package::{Format, format_of, sniff};
use crate::text::Catalog;

/// What the form may hold besides the file, and the multipart framing: the body may be this
/// much larger than the file's limit.
pub(super) const FORM_ALLOWANCE: usize = 1 << 20;

/// The largest message, notes or other text field, in bytes.
const MAX_FIELD_BYTES: usize = 64 * 1024;

/// The most groups one import may name.
const MAX_GROUPS: usize = 200;

/// The bytes the kind of a file is told from.
const HEAD_BYTES: usize = 4096;

/// The longest import id.
const MAX_ID_CHARS: usize = 100;

/// The answer to an accepted upload.
#[derive(Debug, Serialize)]
struct Accepted {
    /// The import's id (for a retry, the new attempt's).
    id: String,
    /// Where it stands: `pending` for a new import.
    status: &'static str,
    /// Whether the id was submitted before (nothing new is imported).
    replay: bool,
    /// For a replay, whether the file had the same bytes as the first one.
    same_file: bool,
}

/// The form as read.
#[derive(Default)]
struct Form {
    file: Option<(String, Vec<u8>)>,
    id: Option<String>,
    groups: Vec<String>,
    message: String,
    notes: String,
}

/// Reads the form, submits the import and answers 202 with its id.
pub(super) async fn submit(
    State(api): State<ImportApi>,
    admin: Admin,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, Problem> {
    let limit = api.submitter.limits().max_file_bytes;
    let catalog = &admin.catalog;
    let mut multipart = multipart.map_err(|rejection| {
        Problem::text(
            StatusCode::BAD_REQUEST,
            "request.bad_form",
            catalog,
            &[("reason", &rejection.body_text())],
        )
    })?;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    // A body announced larger than the file's limit and the form's allowance is refused
    // before a byte of it is read.
    if let Some(length) = declared
        && length > limit.saturating_add(FORM_ALLOWANCE as u64)
    {
        return Err(too_large(length, limit, catalog));
    }
    let mut form = Form::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| form_error(&error, declared, limit, catalog))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("upload.xlsx").to_string();
                let bytes = read_file(field, declared, limit, catalog).await?;
                form.file = Some((file_name, bytes));
            }
            "id" => form.id = Some(read_text(field, &name, catalog).await?),
            "groups" => {
                let group = read_text(field, &name, catalog).await?;
                if !group.trim().is_empty() && form.groups.len() < MAX_GROUPS {
                    form.groups.push(group.trim().to_string());
                }
            }
            "message" => form.message = read_text(field, &name, catalog).await?,
            "notes" => form.notes = read_text(field, &name, catalog).await?,
            // Anything else is read and dropped, within the same bound.
            _ => drop(read_text(field, &name, catalog).await?),
        }
    }
    let Some((file_name, bytes)) = form.file else {
        return Err(Problem::text(
            StatusCode::BAD_REQUEST,
            "request.no_file",
            catalog,
            &[],
        ));
    };
    let id = match form.id.map(|id| id.trim().to_string()) {
        Some(id) if !id.is_empty() => check_id(&id, catalog)?,
        _ => new_id(),
    };
    let mut submission = Submission::new(admin.platform.clone(), id, file_name);
    submission.uploaded_by = admin.user.clone();
    submission.groups = form.groups;
    submission.message = form.message;
    submission.notes = form.notes;
    submission.seat_limit = admin.seat_limit;
    submission.language = catalog.language().to_string();
    let importer = api.importer(&admin)?;
    let submitted = api
        .submitter
        .submit(importer.stores().log.as_ref(), &submission, bytes)
        .await
        .map_err(|error| Problem::from_error(&error, catalog))?;
    let (replay, same_file) = match &submitted {
        Submitted::Queued { .. } => (false, true),
        Submitted::Replay { same_file, .. } => (true, *same_file),
    };
    let id = submitted.id().to_string();
    let location = format!("imports/{}", percent_encode(&id));
    let body = Accepted {
        id,
        status: submitted.status().as_str(),
        replay,
        same_file,
    };
    Ok((StatusCode::ACCEPTED, [(LOCATION, location)], Json(body)).into_response())
}

/// The file's bytes, refused past `limit` (the rest of the body is not read) and refused as
/// soon as its first bytes show it is not a workbook or a text file.
async fn read_file(
    mut field: Field<'_>,
    declared: Option<u64>,
    limit: u64,
    catalog: &Catalog,
) -> Result<Vec<u8>, Problem> {
    // Sized once from the announced length (already held to the limit), so the buffer is not
    // regrown (and copied) as the file streams in.
    let announced = declared.unwrap_or(0).min(limit);
    let mut bytes = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    let mut checked = false;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|error| form_error(&error, declared, limit, catalog))?
    {
        let size = (bytes.len() + chunk.len()) as u64;
        if size > limit {
            return Err(too_large(
                declared.unwrap_or(size).max(size),
                limit,
                catalog,
            ));
        }
        bytes.extend_from_slice(&chunk);
        if !checked && bytes.len() >= HEAD_BYTES {
            check_kind(&bytes[..HEAD_BYTES], catalog)?;
            checked = true;
        }
    }
    if !checked {
        check_kind(&bytes, catalog)?;
    }
    Ok(bytes)
}

/// Refuses a file whose first bytes are neither a zip package (a workbook) nor text (CSV).
fn check_kind(head: &[u8], catalog: &Catalog) -> Result<(), Problem> {
    if format_of(head) == Format::Xlsx
        && let Some(kind) = sniff(head)
    {
        return Err(Problem::from_error(&Error::NotXlsx { kind }, catalog));
    }
    Ok(())
}

/// A text field, refused past [`MAX_FIELD_BYTES`] or when it is not UTF-8.
async fn read_text(mut field: Field<'_>, name: &str, catalog: &Catalog) -> Result<String, Problem> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|error| {
        Problem::text(
            StatusCode::BAD_REQUEST,
            "request.bad_form",
            catalog,
            &[("reason", &error.body_text())],
        )
    })? {
        if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
            let length = (bytes.len() + chunk.len()).to_string();
            return Err(Problem::text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request.field_too_long",
                catalog,
                &[
                    ("field", name),
                    ("length", &length),
                    ("limit", &MAX_FIELD_BYTES.to_string()),
                ],
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        Problem::text(
            StatusCode::BAD_REQUEST,
            "request.bad_form",
            catalog,
            &[("reason", &format!("{name}: not UTF-8"))],
        )
    })
}

/// The problem of a multipart error: the body limit (413) or a malformed form (400).
fn form_error(
    error: &MultipartError,
    declared: Option<u64>,
    limit: u64,
    catalog: &Catalog,
) -> Problem {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(declared.unwrap_or(limit.saturating_add(1)), limit, catalog);
    }
    Problem::text(
        StatusCode::BAD_REQUEST,
        "request.bad_form",
        catalog,
        &[("reason", &error.body_text())],
    )
}

/// The file-size problem: `size` (at least this many bytes) over `limit`.
fn too_large(size: u64, limit: u64, catalog: &Catalog) -> Problem {
    Problem::from_error(
        &Error::LimitExceeded {
            what: Limit::FileSize,
            value: size,
            limit,
        },
        catalog,
    )
}

/// `id` when it is 1 to 100 letters, digits, `-`, `_`, `.` or `~`.
fn check_id(id: &str, catalog: &Catalog) -> Result<String, Problem> {
    let fine = id.chars().count() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
    if fine {
        Ok(id.to_string())
    } else {
        Err(Problem::text(
            StatusCode::BAD_REQUEST,
            "request.bad_id",
            catalog,
            &[("id", id)],
        ))
    }
}

/// A new import id: `import-`, the time and a random part.
fn new_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let now = chrono::Utc::now();
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(now.timestamp_nanos_opt().unwrap_or_default());
    format!(
        "import-{}-{:08x}",
        now.format("%Y%m%d-%H%M%S"),
        hasher.finish() as u32
    )
}

/// `text` with every byte outside `A-Z a-z 0-9 - _ . ~` percent-encoded, for a path segment.
pub(super) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
