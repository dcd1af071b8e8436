//! What the page looks up before an upload: the template, location codes, groups, courses,
//! and its own texts.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{Admin, Course, ImportApi, Problem};
use crate::location::{self, Location};
use crate::template::Template;
use crate::text::Catalog;

/// The media type of an `.xlsx` workbook.
pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The most locations one search answers.
const MAX_LOCATIONS: usize = 50;

/// `?lang=fr`: a language other than the administrator's.
#[derive(Debug, Deserialize)]
pub(super) struct LanguageQuery {
    lang: Option<String>,
}

/// The administrator's catalogue, or the shipped one `lang` names.
fn catalog_of(admin: &Admin, lang: Option<&str>) -> Catalog {
    lang.and_then(Catalog::for_language)
        .unwrap_or_else(|| admin.catalog.clone())
}

/// `GET /template`: the template of the platform's schema, in the administrator's language
/// (or `?lang=`).
pub(super) async fn template(
    State(api): State<ImportApi>,
    admin: Admin,
    Query(query): Query<LanguageQuery>,
) -> Result<Response, Problem> {
    let catalog = catalog_of(&admin, query.lang.as_deref());
    let importer = api.importer(&admin)?;
    let bytes = Template::new(importer.schema())
        .locale(catalog.clone())
        .to_bytes()
        .map_err(|error| Problem::from_error(&error, &catalog))?;
    let name = catalog.text("web.template_file");
    Ok((
        [
            (CONTENT_TYPE, XLSX.to_string()),
            (CONTENT_DISPOSITION, attachment(name)),
        ],
        bytes,
    )
        .into_response())
}

/// `?q=quebec`.
#[derive(Debug, Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// One location found.
#[derive(Debug, Serialize)]
pub(super) struct Found {
    /// The code to type in the template: `CA`, `CA-QC`.
    code: &'static str,
    /// Its name in the administrator's language.
    name: &'static str,
    /// `Country`, or the region's kind (`Province`, `State`...), in that language.
    #[serde(rename = "type")]
    kind: String,
    /// The country's name (the country itself for a country).
    country: &'static str,
}

/// `GET /locations?q=`: the same search as the template's location codes sheet, at most 50.
pub(super) async fn locations(admin: Admin, Query(query): Query<SearchQuery>) -> Json<Vec<Found>> {
    let language = admin.catalog.language();
    let country_word = admin.catalog.text("template.locations.country_type");
    let found = if query.q.trim().is_empty() {
        Vec::new()
    } else {
        location::search(&query.q)
    };
    let found = found
        .into_iter()
        .take(MAX_LOCATIONS)
        .map(|location| match location {
            Location::Country(country) => Found {
                code: country.code(),
                name: country.name_in(language),
                kind: country_word.to_string(),
                country: country.name_in(language),
            },
            Location::Region(region) => Found {
                code: region.code(),
                name: region.name_in(language),
                kind: region.kind_in(language).to_string(),
                country: region.country().name_in(language),
            },
        })
        .collect();
    Json(found)
}

/// One group.
#[derive(Debug, Serialize)]
pub(super) struct GroupView {
    id: String,
    name: String,
}

/// `GET /groups`: the platform's groups, by name.
pub(super) async fn groups(
    State(api): State<ImportApi>,
    admin: Admin,
) -> Result<Json<Vec<GroupView>>, Problem> {
    let importer = api.importer(&admin)?;
    let mut groups = importer
        .stores()
        .groups
        .list_groups()
        .await
        .map_err(|error| Problem::from_error(&error.into(), &admin.catalog))?;
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(
        groups
            .into_iter()
            .map(|group| GroupView {
                id: group.id.0,
                name: group.name,
            })
            .collect(),
    ))
}

/// `GET /courses`: the courses the host offers for enrollment.
pub(super) async fn courses(
    State(api): State<ImportApi>,
    admin: Admin,
) -> Result<Json<Vec<Course>>, Problem> {
    api.host
        .courses(&admin)
        .await
        .map(Json)
        .map_err(|error| Problem::from_error(&error.into(), &admin.catalog))
}

/// The page's texts.
#[derive(Debug, Serialize)]
struct Texts {
    /// The language they are in.
    language: String,
    /// Every `web.*` text, by key without the prefix.
    texts: std::collections::BTreeMap<String, String>,
}

/// `GET /texts`: every `web.*` text of the administrator's catalogue (or `?lang=`'s), for a
/// page that writes no sentence of its own.
pub(super) async fn texts(admin: Admin, Query(query): Query<LanguageQuery>) -> Response {
    let catalog = catalog_of(&admin, query.lang.as_deref());
    let texts = catalog
        .keys()
        .into_iter()
        .filter_map(|key| {
            key.strip_prefix("web.")
                .map(|short| (short.to_string(), catalog.text(key).to_string()))
        })
        .collect();
    (
        [(CACHE_CONTROL, "no-store")],
        Json(Texts {
            language: catalog.language().to_string(),
            texts,
        }),
    )
        .into_response()
}

/// A `Content-Disposition` that downloads as `name` (ASCII fallback and UTF-8 form).
pub(super) fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        super::upload::percent_encode(name)
    )
}
