//! From the rows as read to valid records and issues: normalizing each value, validating each
//! cell, row and the whole file, and keeping the valid records compactly.

pub(crate) mod duplicates;
pub(crate) mod kept;
pub mod normalize;
pub(crate) mod place;
pub(crate) mod records;
pub(crate) mod validate;
