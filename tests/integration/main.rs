//! Integration tests: one binary, one module per part of the flow.

#![allow(unreachable_pub, missing_docs)]

mod common;
mod engine;
mod location;
mod producers;
mod samples;
mod smoke;
mod template;
mod validation;
