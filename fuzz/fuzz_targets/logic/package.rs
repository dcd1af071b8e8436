//! The `package` target's logic, shared with the regression tests
//! (`tests/integration/fuzz_regressions.rs`): arbitrary bytes into the package check and the
//! reader.

use user_import::{Error, Limits, Schema, Validation};

/// The limits the target reads with: the defaults, with the part sizes lowered so that what
/// they allow fits in the fuzzer's 512 MB. The defaults (700 MiB a part, 960 MiB in all, sized
/// from the 1,000,000-user template) still allow more than that; that the defaults hold every
/// hostile case inside 1 GiB is checked by `tests/integration/hostile.rs`.
pub fn limits() -> Limits {
    Limits {
        max_part_bytes: 64 * 1024 * 1024,
        max_total_bytes: 128 * 1024 * 1024,
        max_ods_bytes: 128 * 1024 * 1024,
        ..Limits::default()
    }
}

/// Validates `data` as an upload, on one thread and on two: never a panic, a hang or an abort;
/// an answer is always Ok or a file-level error, and the same both ways.
pub fn run(data: &[u8]) -> Result<Validation, Error> {
    let one = Limits {
        parallel_min_bytes: u64::MAX,
        ..limits()
    };
    let two = Limits {
        parallel_min_bytes: 0,
        ..limits()
    };
    let schema = Schema::default();
    let outcome = user_import::validate_bytes(data, &schema, &one);
    let parallel = user_import::validate_bytes(data, &schema, &two);
    assert_eq!(
        shown(&parallel),
        shown(&outcome),
        "two threads differ from one"
    );
    outcome
}

/// An outcome in full: the error and its message, or every record and issue.
pub fn shown(outcome: &Result<Validation, Error>) -> String {
    match outcome {
        Err(error) => format!("{}: {error}", error.code()),
        Ok(validation) => format!("{:?} {:?}", validation.records(), validation.issues()),
    }
}
