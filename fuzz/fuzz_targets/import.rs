//! A whole import on the in-memory stores from arbitrary rows, groups and limits: a failed
//! import leaves the store as it was and sends nothing; a completed one created exactly what
//! its summary says.
#![no_main]

#[path = "logic/import.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|input: logic::Input| {
    let _ = logic::run(&input);
});
