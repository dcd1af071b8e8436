//! Arbitrary bytes into the package check and the reader: never a panic, a hang or an abort;
//! an answer is always Ok or a file-level error.
#![no_main]

#[path = "logic/package.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = logic::run(data);
});
