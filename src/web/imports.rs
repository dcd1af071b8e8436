//! The imports of the administrator's platform: the index, one summary, the error report,
//! enrollment and resends.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lookup::{XLSX, attachment};
use super::{Admin, ImportApi, Problem};
use crate::import::Importer;
use crate::issue::{Issue, Severity};
use crate::model::{CourseId, ImportId};
use crate::report::ErrorReport;
use crate::store::ImportRecord;
use crate::summary::ImportStatus;
use crate::text::Catalog;

/// The most issues one summary answer lists (the error report has them all).
const MAX_ISSUES: usize = 1_000;

/// The longest page of the index.
const MAX_PER_PAGE: usize = 100;

/// `?page=1&per_page=20`.
#[derive(Debug, Deserialize)]
pub(super) struct PageQuery {
    page: Option<usize>,
    per_page: Option<usize>,
}

/// One page of the index.
#[derive(Debug, Serialize)]
pub(super) struct IndexPage {
    /// The imports, newest first.
    imports: Vec<Value>,
    /// This page's number, from 1.
    page: usize,
    /// Imports per page.
    per_page: usize,
    /// The next page's number, when there are more imports.
    next_page: Option<usize>,
}

/// The answer to a query string that does not parse (`?page=x`).
fn bad_query(rejection: &QueryRejection, catalog: &Catalog) -> Problem {
    Problem::text(
        StatusCode::BAD_REQUEST,
        "request.bad_form",
        catalog,
        &[("reason", &rejection.body_text())],
    )
}

/// `GET /imports`: the platform's imports, newest first, a page at a time.
pub(super) async fn index(
    State(api): State<ImportApi>,
    admin: Admin,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<IndexPage>, Problem> {
    let Query(query) = query.map_err(|rejection| bad_query(&rejection, &admin.catalog))?;
    let page = query.page.unwrap_or(1).max(1);
    let per_page = query.per_page.unwrap_or(20).clamp(1, MAX_PER_PAGE);
    let importer = api.importer(&admin)?;
    let skip = (page - 1).saturating_mul(per_page);
    let records = importer
        .stores()
        .log
        .list(skip.saturating_add(per_page).saturating_add(1))
        .await
        .map_err(|error| Problem::from_error(&error.into(), &admin.catalog))?;
    let more = records.len() > skip + per_page;
    let imports = records
        .iter()
        .skip(skip)
        .take(per_page)
        .map(|record| record_view(record, &admin.catalog))
        .collect();
    Ok(Json(IndexPage {
        imports,
        page,
        per_page,
        next_page: more.then_some(page + 1),
    }))
}

/// An import's record as the index shows it: every field of the record but its summary (so a
/// field the record gains shows too), the status in words, and the summary's counts and
/// reason once it finished.
fn record_view(record: &ImportRecord, catalog: &Catalog) -> Value {
    let mut view = match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    view.remove("summary");
    view.insert(
        "status_text".into(),
        Value::from(catalog.text(&format!("web.status.{}", record.status.as_str()))),
    );
    if let Some(summary) = &record.summary {
        view.insert(
            "counts".into(),
            serde_json::to_value(summary.counts).unwrap_or_default(),
        );
        let reason = catalog.failure_reason(summary).unwrap_or_default();
        view.insert("reason".into(), Value::from(reason));
    }
    Value::Object(view)
}

/// One issue as the summary's table shows it.
#[derive(Debug, Serialize)]
struct IssueRow {
    row: Option<u32>,
    column: Option<String>,
    value: Option<String>,
    code: &'static str,
    severity: &'static str,
    /// The message without the row and column, in the administrator's language.
    message: String,
}

fn issue_row(issue: &Issue, catalog: &Catalog) -> IssueRow {
    IssueRow {
        row: issue.row,
        column: issue.column.clone(),
        value: issue.value.clone(),
        code: issue.code.as_str(),
        severity: match issue.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: catalog.issue_text(issue),
    }
}

/// The record of `id` on the administrator's platform, or 404.
async fn record_of(importer: &Importer, admin: &Admin, id: &str) -> Result<ImportRecord, Problem> {
    importer
        .stores()
        .log
        .get(&ImportId::from(id))
        .await
        .map_err(|error| Problem::from_error(&error.into(), &admin.catalog))?
        .ok_or_else(|| Problem::not_found(id, &admin.catalog))
}

/// `GET /imports/{id}`: the import, its summary in the administrator's language, and its
/// issues (the first 1,000) for a table of row, column, value and message.
pub(super) async fn summary(
    State(api): State<ImportApi>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let catalog = &admin.catalog;
    let importer = api.importer(&admin)?;
    let record = record_of(&importer, &admin, &id).await?;
    let mut view = match record_view(&record, catalog) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if let Some(mut summary) = record.summary {
        catalog.localize_summary(&mut summary);
        let issues: Vec<IssueRow> = summary
            .issues
            .iter()
            .take(MAX_ISSUES)
            .map(|issue| issue_row(issue, catalog))
            .collect();
        // Every issue the import found, the record keeping the first ones (the page says so).
        view.insert("issue_count".into(), Value::from(summary.issue_count()));
        view.insert(
            "issues".into(),
            serde_json::to_value(issues).unwrap_or_default(),
        );
        summary.issues.truncate(MAX_ISSUES);
        view.insert(
            "summary".into(),
            serde_json::to_value(summary).unwrap_or_default(),
        );
    }
    Ok(Json(Value::Object(view)))
}

/// `?after=ROW&limit=N`.
#[derive(Debug, Deserialize)]
pub(super) struct UsersQuery {
    after: Option<u32>,
    limit: Option<usize>,
}

/// One page of the users an import created.
#[derive(Debug, Serialize)]
pub(super) struct UsersPage {
    /// The users, by row.
    users: Vec<crate::summary::CreatedUser>,
    /// The `after` of the next page, when there may be more users.
    next_after: Option<u32>,
}

/// `GET /imports/{id}/users?after=ROW&limit=N`: the users the import created from rows after
/// `after` (0 when absent), by row, at most `limit` (100 when absent, 1,000 at most), read from
/// the store: the import's record keeps the first ones only.
pub(super) async fn created_users(
    State(api): State<ImportApi>,
    admin: Admin,
    Path(id): Path<String>,
    query: Result<Query<UsersQuery>, QueryRejection>,
) -> Result<Json<UsersPage>, Problem> {
    let Query(query) = query.map_err(|rejection| bad_query(&rejection, &admin.catalog))?;
    let limit = query
        .limit
        .unwrap_or(MAX_PER_PAGE)
        .clamp(1, crate::summary::STORED_USERS);
    let importer = api.importer(&admin)?;
    let record = record_of(&importer, &admin, &id).await?;
    let users = importer
        .stores()
        .users
        .created_users(&record.id, query.after.unwrap_or(0), limit)
        .await
        .map_err(|error| Problem::from_error(&error.into(), &admin.catalog))?;
    let next_after = users.last().filter(|_| users.len() == limit).map(|u| u.row);
    Ok(Json(UsersPage { users, next_after }))
}

/// `GET /imports/{id}/report`: the upload with a column of its problems, and a sheet listing
/// them, in the administrator's language.
pub(super) async fn report(
    State(api): State<ImportApi>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let catalog = admin.catalog.clone();
    let importer = api.importer(&admin)?;
    let record = record_of(&importer, &admin, &id).await?;
    let upload = api
        .submitter
        .uploads()
        .get(&admin.platform, &record.id)
        .await
        .map_err(|error| Problem::from_error(&error.into(), &catalog))?;
    let written = {
        let catalog = catalog.clone();
        tokio::task::spawn_blocking(move || {
            // A brief of each row, not its record: the report reads the upload again for the
            // values, so a large upload's report does not hold its rows.
            let upload = crate::Upload::from(upload);
            let validation = importer.read(upload.clone(), &|_| {}).validation?;
            ErrorReport::new(importer.schema(), &validation)
                .upload(upload.bytes(), importer.read_limits())
                .locale(catalog)
                .to_bytes()
        })
        .await
    };
    let bytes = match written {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => return Err(Problem::from_error(&error, &catalog)),
        Err(error) => {
            let error = crate::error::StoreError::backend("write the error report", error);
            return Err(Problem::from_error(&error.into(), &catalog));
        }
    };
    let name = catalog.fill("web.report_file", &[("id", record.id.as_str())]);
    Ok((
        [
            (CONTENT_TYPE, XLSX.to_string()),
            (CONTENT_DISPOSITION, attachment(&name)),
        ],
        bytes,
    )
        .into_response())
}

/// `{"courses": ["c-101", "c-102"]}`.
#[derive(Debug, Deserialize)]
pub(super) struct EnrollBody {
    courses: Vec<String>,
}

/// The answer to an enrollment.
#[derive(Debug, Serialize)]
struct Enrolled {
    /// Users enrolled (each in every course).
    enrolled: usize,
    /// Courses.
    courses: usize,
}

/// `POST /imports/{id}/enroll`: enrolls the users a completed import created in the courses.
pub(super) async fn enroll(
    State(api): State<ImportApi>,
    admin: Admin,
    Path(id): Path<String>,
    body: Result<Json<EnrollBody>, JsonRejection>,
) -> Result<Json<Value>, Problem> {
    let catalog = &admin.catalog;
    let Json(body) = body.map_err(|rejection| {
        Problem::text(
            StatusCode::BAD_REQUEST,
            "request.bad_form",
            catalog,
            &[("reason", &rejection.body_text())],
        )
    })?;
    let courses: Vec<CourseId> = body
        .courses
        .iter()
        .map(|course| course.trim())
        .filter(|course| !course.is_empty())
        .map(CourseId::from)
        .collect();
    if courses.is_empty() {
        return Err(Problem::text(
            StatusCode::BAD_REQUEST,
            "request.no_courses",
            catalog,
            &[],
        ));
    }
    let importer = api.importer(&admin)?;
    let record = completed(&importer, &admin, &id).await?;
    let enrolled = importer
        .enroll(&record.id, &courses)
        .await
        .map_err(|error| Problem::from_error(&error, catalog))?;
    let answer = Enrolled {
        enrolled,
        courses: courses.len(),
    };
    Ok(Json(serde_json::to_value(answer).unwrap_or_default()))
}

/// `POST /imports/{id}/resend`: sends the completed import's invitations that were not
/// delivered, and answers how they went.
pub(super) async fn resend(
    State(api): State<ImportApi>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let importer = api.importer(&admin)?;
    let record = completed(&importer, &admin, &id).await?;
    let counts = importer
        .resend_invitations(&record.id)
        .await
        .map_err(|error| Problem::from_error(&error, &admin.catalog))?;
    Ok(Json(serde_json::to_value(counts).unwrap_or_default()))
}

/// The record of `id` when the import completed; 404 or 409.
async fn completed(importer: &Importer, admin: &Admin, id: &str) -> Result<ImportRecord, Problem> {
    let record = record_of(importer, admin, id).await?;
    if record.status != ImportStatus::Completed {
        let status = admin
            .catalog
            .text(&format!("web.status.{}", record.status.as_str()))
            .to_string();
        return Err(Problem::text(
            StatusCode::CONFLICT,
            "import.not_completed",
            &admin.catalog,
            &[("id", id), ("status", &status)],
        ));
    }
    Ok(record)
}
