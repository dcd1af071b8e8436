//! Integration tests: one binary, one module per part of the flow.

#![allow(unreachable_pub, missing_docs)]

mod atomicity;
#[cfg(all(feature = "axum", feature = "smtp"))]
mod browser;
mod catalogue;
#[cfg(all(feature = "jobs", feature = "smtp"))]
mod cli;
mod common;
#[cfg(all(feature = "jobs", feature = "smtp"))]
mod crash;
mod engine;
mod fixup;
mod format_characters;
mod formats;
mod fuzz_regressions;
mod hostile;
mod interleavings;
#[cfg(feature = "jobs")]
mod jobs;
mod locale;
mod location;
mod parallel;
mod probe;
mod producers;
mod report;
mod samples;
mod smoke;
#[cfg(feature = "smtp")]
mod smtp;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql_stores;
mod template;
mod validation;
#[cfg(feature = "axum")]
mod web;
#[cfg(all(feature = "jobs-postgres", feature = "smtp"))]
mod workers;
