//! A structure-aware target: builds a real `.xlsx` package from arbitrary rows, cells, types,
//! formulas, coordinates, shared strings and declared sizes, so the reader is reached past the
//! zip checksums that raw bytes mostly break.
#![no_main]

#[path = "logic/structured.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|book: logic::Book| {
    let _ = logic::run(&book);
});
