//! The `package` target's logic, shared with the regression tests
//! (`tests/integration/fuzz_regressions.rs`): arbitrary bytes into the package check and the
//! reader.

use user_import::{Error, Limits, Schema, Validation};

/// The limits the target reads with: the defaults, with the part sizes lowered so that what
/// they allow fits in the fuzzer's 512 MB.
pub fn limits() -> Limits {
    Limits {
        max_part_bytes: 64 * 1024 * 1024,
        max_total_bytes: 128 * 1024 * 1024,
        ..Limits::default()
    }
}

/// Validates `data` as an upload: never a panic, a hang or an abort; an answer is always Ok or
/// a file-level error.
pub fn run(data: &[u8]) -> Result<Validation, Error> {
    user_import::validate_bytes(data, &Schema::default(), &limits())
}
