//! One measured operation per run, for `scripts/bench-report` (which times each run and reads
//! its peak memory from the operating system, one child process per measurement).
//!
//! ```text
//! bench-probe generate ROWS OUT.xlsx   write a filled template of ROWS generated users
//! bench-probe generate-csv ROWS OUT    the same users as CSV (UTF-8, `,`, CRLF)
//! bench-probe baseline FILE            calamine's bare streaming iteration, no validation
//! bench-probe baseline-ods FILE        calamine's own read of an .ods: open, the sheet's
//!                                      range, every cell looked at
//! bench-probe ods-estimate FILE        the package check's estimate of calamine's memory
//! bench-probe validate FILE            read and validate
//! bench-probe import FILE ROWS         read, validate and plan (a dry-run import against an
//!                                      in-memory store where every tenth of the ROWS generated
//!                                      users exists)
//! bench-probe report FILE OUT.xlsx     read, validate and write the error report
//! bench-probe setup FILE ROWS          only what `import` holds before it starts: the upload
//!                                      and the store, to tell the import's own memory apart
//! ```
//!
//! Prints `seconds=S cpu=C rows=N` for the measured part: its wall time, and the processor time
//! its threads used together (from `/proc/self/stat`, in 10 ms ticks).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{ErrorReport, ImportRequest, Importer, Limits, Schema, Stores};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(64)
        }
    }
}

/// The processor time (user and system) this process has used so far, in seconds; 0 where
/// `/proc` is not there.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The fields after the command name, which is in parentheses: utime and stime are the
    // 14th and 15th fields of the line, in ticks of 1/100 s.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |at: usize| {
        fields
            .get(at)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Starts measuring: the wall clock and the processor time used so far.
fn start() -> (Instant, f64) {
    (Instant::now(), cpu_seconds())
}

/// `seconds=S cpu=C` since `started`.
fn since(started: (Instant, f64)) -> String {
    format!(
        "seconds={:.4} cpu={:.2}",
        started.0.elapsed().as_secs_f64(),
        cpu_seconds() - started.1
    )
}

/// An in-memory store where every tenth of `rows` generated users already has an account.
fn existing_users(rows: usize) -> MemoryStore {
    let store = MemoryStore::new();
    store.add_group("g1", "Nurses");
    let mut values = Vec::new();
    for index in (0..rows).step_by(10) {
        user_import::testing::user_row(index, &mut values);
        store.add_user(&values[0], &values[1], &[]);
    }
    store
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|error| format!("cannot read {path}: {error}"))
}

fn run(args: &[String]) -> Result<(), String> {
    let schema = Schema::default();
    let limits = Limits::default();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", rows, out] => {
            let rows: usize = rows.parse().map_err(|_| format!("not a number: {rows}"))?;
            let bytes = user_import::testing::users_workbook(&schema, rows);
            std::fs::write(out, bytes).map_err(|error| format!("cannot write {out}: {error}"))
        }
        ["generate-csv", rows, out] => {
            let rows: usize = rows.parse().map_err(|_| format!("not a number: {rows}"))?;
            let mut text = String::new();
            let headers: Vec<&str> = schema.columns().iter().map(|c| c.header()).collect();
            text.push_str(&headers.join(","));
            text.push_str("\r\n");
            let mut values = Vec::new();
            for index in 0..rows {
                user_import::testing::user_row(index, &mut values);
                text.push_str(&values.join(","));
                text.push_str("\r\n");
            }
            std::fs::write(out, text).map_err(|error| format!("cannot write {out}: {error}"))
        }
        ["baseline-ods", path] => {
            use calamine::{DataType as _, Reader as _};
            let bytes = read(path)?;
            let started = start();
            let mut workbook = calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(
                std::io::Cursor::new(&bytes[..]),
            )
            .map_err(|error| error.to_string())?;
            let name = workbook.sheet_names().first().cloned().unwrap_or_default();
            let range = workbook
                .worksheet_range(&name)
                .map_err(|error| error.to_string())?;
            let mut filled = 0usize;
            for row in range.rows() {
                filled += row.iter().filter(|cell| !cell.is_empty()).count();
            }
            println!("{} rows={} cells={filled}", since(started), range.height());
            Ok(())
        }
        ["ods-estimate", path] => {
            let bytes = read(path)?;
            let none = Limits {
                max_ods_bytes: 0,
                ..Limits::default()
            };
            match user_import::validate_bytes(&bytes, &schema, &none) {
                Err(user_import::Error::LimitExceeded { value, .. }) => {
                    println!("estimate={value}");
                    Ok(())
                }
                other => Err(format!("no estimate: {:?}", other.map(|v| v.row_count()))),
            }
        }
        ["baseline", path] => {
            let bytes = read(path)?;
            let started = start();
            let mut workbook = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(
                std::io::Cursor::new(&bytes[..]),
            )
            .map_err(|error| error.to_string())?;
            let mut cells = workbook
                .worksheet_cells_reader("Users")
                .map_err(|error| error.to_string())?;
            let mut last_row = 0;
            while let Some(cell) = cells.next_cell().map_err(|error| error.to_string())? {
                last_row = cell.get_position().0;
            }
            println!("{} rows={last_row}", since(started));
            Ok(())
        }
        ["validate", path] => {
            let bytes = read(path)?;
            let started = start();
            let validation =
                user_import::validate_bytes(&bytes, &schema, &limits).map_err(|e| e.to_string())?;
            let measured = since(started);
            if !validation.is_valid() {
                return Err(format!("{} issues", validation.issues().len()));
            }
            println!("{measured} rows={}", validation.row_count());
            Ok(())
        }
        ["setup", path, rows] => {
            // What `import` holds before the import starts: the upload and the store.
            let rows: usize = rows.parse().map_err(|_| format!("not a number: {rows}"))?;
            let bytes = read(path)?;
            let store = existing_users(rows);
            std::hint::black_box(&store);
            println!("bytes={}", bytes.len());
            Ok(())
        }
        ["import", path, rows] => {
            let rows: usize = rows.parse().map_err(|_| format!("not a number: {rows}"))?;
            let bytes = read(path)?;
            let store = existing_users(rows);
            let importer = Importer::new(
                schema,
                Stores::single(Arc::new(store), Arc::new(MemoryMailer::new())),
            );
            let mut request = ImportRequest::new("bench", "bench.xlsx");
            request.dry_run = true;
            request.groups = vec!["Nurses".into()];
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .map_err(|error| error.to_string())?;
            let started = start();
            let summary = runtime
                .block_on(importer.run(&request, &bytes, &|_| {}))
                .map_err(|error| error.to_string())?;
            let measured = since(started);
            if summary.counts.failed_rows > 0 || summary.counts.rows == 0 {
                return Err(format!("unexpected summary: {}", summary.reason));
            }
            println!(
                "{measured} rows={} read_ms={} plan_ms={}",
                summary.counts.rows, summary.timings.read_ms, summary.timings.plan_ms
            );
            Ok(())
        }
        ["report", path, out] => {
            let bytes = read(path)?;
            let validation =
                user_import::validate_bytes(&bytes, &schema, &limits).map_err(|e| e.to_string())?;
            let started = Instant::now();
            let file = std::fs::File::create(out).map_err(|error| error.to_string())?;
            ErrorReport::new(&schema, &validation)
                .write_to(std::io::BufWriter::new(file))
                .map_err(|error| error.to_string())?;
            println!(
                "seconds={:.4} rows={}",
                started.elapsed().as_secs_f64(),
                validation.row_count()
            );
            Ok(())
        }
        _ => Err("usage: bench-probe generate ROWS OUT | generate-csv ROWS OUT | baseline FILE | baseline-ods FILE | ods-estimate FILE | validate FILE | import FILE ROWS | report FILE OUT".to_string()),
    }
}
