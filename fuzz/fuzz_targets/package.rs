//! Arbitrary bytes into the package check and the reader: never a panic, a hang or an abort;
//! an answer is always Ok or a file-level error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use user_import::{Limits, Schema};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_part_bytes: 64 * 1024 * 1024,
        max_total_bytes: 128 * 1024 * 1024,
        ..Limits::default()
    };
    let _ = user_import::validate_bytes(data, &Schema::default(), &limits);
});
