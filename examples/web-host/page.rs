//! The page: one HTML file, its style sheet and its script, embedded in the binary. Every
//! sentence it shows comes from the API's `/api/texts` (the crate's catalogue).

use std::sync::Arc;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

const HTML: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// `/`, `/page.css`, `/page.js`, and the welcome page an invitation's link opens.
pub(crate) fn routes(welcome: Arc<crate::welcome::Welcome>) -> Router {
    let welcome = Router::new()
        .route(
            "/welcome",
            get(crate::welcome::page).post(crate::welcome::choose),
        )
        .with_state(welcome);
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", HTML) }),
        )
        .route(
            "/page.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/page.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .merge(welcome)
}

fn asset(kind: &'static str, body: &'static str) -> impl IntoResponse {
    ([(CONTENT_TYPE, kind), (CACHE_CONTROL, "no-cache")], body)
}
