//! Every hostile case (`hostile.rs`, `catalogue.rs`) in a child process of its own, so a case
//! that aborts or allocates without bound shows up as a failed case, not as a dead test run.
//!
//! `memory_probe` runs every case in-process and checks its outcome; when
//! `USER_IMPORT_PROBE_CASE` names a case it runs only that one and prints its outcome and peak
//! resident memory. `hostile_files_are_refused_with_bounded_memory` reads those from a child
//! process per case, with the case's own limits;
//! `hostile_files_end_cleanly_with_the_default_limits_in_1_gib` runs every case again with the
//! default limits, in a child process whose address space is capped at 1 GiB.

use std::process::Command;

use user_import::{Limits, Schema, validate_bytes};

use super::hostile::{Case, cases, describe, run};

const PROBE_ENV: &str = "USER_IMPORT_PROBE_CASE";
/// The most resident memory any case may reach with its own limits, headroom included.
const MAX_PEAK_RSS_KB: u64 = 256 * 1024;

/// The peak resident memory of this process, in KiB.
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// The soft limit on this process's address space, as `/proc/self/limits` gives it (a number of
/// bytes, or `unlimited`).
fn address_space_limit() -> String {
    let limits = std::fs::read_to_string("/proc/self/limits").expect("/proc/self/limits");
    limits
        .lines()
        .find_map(|line| line.strip_prefix("Max address space"))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("Max address space in /proc/self/limits")
        .to_string()
}

/// With `USER_IMPORT_PROBE_CASE` set, runs that one case and prints its outcome and peak
/// memory (with `USER_IMPORT_PROBE_DEFAULTS` set too, reads it with the default limits and
/// prints the outcome without checking it); without it, runs every case here.
#[test]
fn memory_probe() {
    match std::env::var(PROBE_ENV) {
        Ok(name) => {
            let all = cases();
            let case = all
                .iter()
                .find(|case| case.name == name)
                .unwrap_or_else(|| panic!("no case named `{name}`"));
            let outcome = if std::env::var_os(DEFAULTS_ENV).is_some() {
                let fixture = (case.fixture)();
                describe(&validate_bytes(
                    &fixture.bytes,
                    &Schema::default(),
                    &Limits::default(),
                ))
            } else {
                run(case)
            };
            println!("OUTCOME={outcome}");
            println!("PEAK_RSS_KB={}", peak_rss_kb());
            println!("ADDRESS_SPACE_LIMIT={}", address_space_limit());
        }
        Err(_) => {
            // Every case, each failure reported (its panic message is printed above).
            let failed: Vec<&str> = cases()
                .iter()
                .filter(|case| std::panic::catch_unwind(|| run(case)).is_err())
                .map(|case| case.name)
                .collect();
            assert!(failed.is_empty(), "failed cases: {failed:?}");
        }
    }
}

/// Set (with `USER_IMPORT_PROBE_CASE`) to read the case with the default limits.
const DEFAULTS_ENV: &str = "USER_IMPORT_PROBE_DEFAULTS";
/// The address space a case may use with the default limits: 1 GiB, in KiB for `ulimit -v`.
const ADDRESS_SPACE_KB: u64 = 1024 * 1024;

/// Runs `case` in a child process (this test binary, `memory_probe` alone), with the default
/// limits under an address-space cap of `ADDRESS_SPACE_KB` when `defaults`: its outcome and
/// peak resident memory in KiB, or what went wrong (an abort, a crash, no outcome printed).
fn probe(case: &Case, defaults: bool) -> Result<(String, u64), String> {
    let exe = std::env::current_exe().expect("the test binary");
    let test_args = [
        "probe::memory_probe",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ];
    let mut command = if defaults {
        // `ulimit -v` in a shell that then becomes the test binary: setrlimit(RLIMIT_AS)
        // without unsafe code in this process.
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "ulimit -v {ADDRESS_SPACE_KB} && exec \"$0\" \"$@\""
            ))
            .arg(&exe)
            .args(test_args)
            .env(DEFAULTS_ENV, "1");
        command
    } else {
        let mut command = Command::new(&exe);
        command.args(test_args).env_remove(DEFAULTS_ENV);
        command
    };
    let output = command
        .env(PROBE_ENV, case.name)
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let field = |key: &str| {
        // libtest prints `test hostile::memory_probe ... ` before the case's own output.
        stdout
            .lines()
            .find_map(|line| line.find(key).map(|at| line[at + key.len()..].to_string()))
    };
    let peak = field("PEAK_RSS_KB=").and_then(|kb| kb.parse::<u64>().ok());
    // The cap is in force in the child (and only there).
    let cap = (ADDRESS_SPACE_KB * 1024).to_string();
    let capped = field("ADDRESS_SPACE_LIMIT=").is_some_and(|limit| (limit == cap) == defaults);
    match (output.status.success() && capped, field("OUTCOME="), peak) {
        (true, Some(outcome), Some(peak)) => Ok((outcome, peak)),
        _ => Err(format!(
            "`{}` did not finish ({}):\n{stdout}\n{}",
            case.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// Prints (case, outcome, peak RSS) rows as a table.
fn print_table(rows: &[(String, String, String)]) {
    let widths = [0, 1, 2].map(|column| {
        rows.iter()
            .map(|row| [&row.0, &row.1, &row.2][column].chars().count())
            .max()
            .unwrap_or(0)
    });
    for (index, (case, code, peak)) in rows.iter().enumerate() {
        println!(
            "{case:<w0$} | {code:<w1$} | {peak:>w2$}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        if index == 0 {
            println!(
                "{}-|-{}-|-{}",
                "-".repeat(widths[0]),
                "-".repeat(widths[1]),
                "-".repeat(widths[2])
            );
        }
    }
}

fn table_head() -> Vec<(String, String, String)> {
    vec![(
        "case".to_string(),
        "outcome".to_string(),
        "peak RSS (MiB)".to_string(),
    )]
}

#[test]
fn hostile_files_are_refused_with_bounded_memory() {
    let mut table = table_head();
    let mut failures = Vec::new();
    for case in cases() {
        match probe(&case, false) {
            Ok((outcome, peak)) => {
                if peak > MAX_PEAK_RSS_KB {
                    failures.push(format!("`{}` peaked at {peak} KiB", case.name));
                }
                let peak = format!("{:.1}", peak as f64 / 1024.0);
                table.push((case.name.to_string(), outcome, peak));
            }
            Err(failure) => failures.push(failure),
        }
    }
    print_table(&table);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every case again, read with the default limits (not the lowered ones some cases use), in
/// a child process whose address space is capped at 1 GiB: none aborts or runs out of memory;
/// each ends with a clear error, or with rows (and their issues).
#[test]
fn hostile_files_end_cleanly_with_the_default_limits_in_1_gib() {
    let mut table = table_head();
    let mut failures = Vec::new();
    for case in cases() {
        match probe(&case, true) {
            Ok((outcome, peak)) => {
                let clear = outcome.starts_with("file.") || outcome.starts_with("ok (");
                if !clear {
                    failures.push(format!("`{}` ended with `{outcome}`", case.name));
                }
                let peak = format!("{:.1}", peak as f64 / 1024.0);
                table.push((case.name.to_string(), outcome, peak));
            }
            Err(failure) => failures.push(failure),
        }
    }
    print_table(&table);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
