//! Arbitrary strings through normalization and validation: every cell kind, every column.
#![no_main]

#[path = "logic/values.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|input: logic::Input| {
    let _ = logic::run(&input);
});
