//! The request's language: the host's own setting, else the browser's `Accept-Language`.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

use crate::text::Catalog;

/// The shipped catalogue for a request: `preferred` (the host's own setting for the
/// administrator, such as a profile field or a cookie) when it names a shipped language, else
/// the most wanted shipped language of the `Accept-Language` header, else English.
///
/// ```
/// use axum::http::{HeaderMap, HeaderValue};
/// use user_import::web::catalog_for;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("accept-language", HeaderValue::from_static("de-CH, fr;q=0.8, en;q=0.5"));
/// assert_eq!(catalog_for(&headers, None).language(), "fr");
/// assert_eq!(catalog_for(&headers, Some("en")).language(), "en");
/// assert_eq!(catalog_for(&HeaderMap::new(), None).language(), "en");
/// ```
pub fn catalog_for(headers: &HeaderMap, preferred: Option<&str>) -> Catalog {
    if let Some(catalog) = preferred.and_then(Catalog::for_language) {
        return catalog;
    }
    let Some(header) = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
    else {
        return Catalog::english();
    };
    let mut wanted: Vec<(u16, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(order, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let quality = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .map_or(1000, quality);
            (quality > 0 && !tag.is_empty()).then_some((quality, order, tag))
        })
        .collect();
    // Highest quality first; among equals, the header's order.
    wanted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    wanted
        .into_iter()
        .find_map(|(_, _, tag)| Catalog::for_language(tag))
        .unwrap_or_default()
}

/// A quality value (`0.8`) in thousandths; 0 when it does not read.
fn quality(text: &str) -> u16 {
    text.trim()
        .parse::<f32>()
        .ok()
        .filter(|q| (0.0..=1.0).contains(q))
        .map_or(0, |q| (q * 1000.0).round() as u16)
}
