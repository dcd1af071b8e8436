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
//! bench-probe report FILE OUT.xlsx     read and validate (a brief of each row), then write the error report
//!                                      with the rows read again from FILE, as a host writes it
//! bench-probe setup FILE ROWS          only what `import` holds before it starts: the upload
//!                                      and the store, to tell the import's own memory apart
//! bench-probe commit sqlite FILE DB [committed]
//! bench-probe commit postgres FILE URL [committed]
//!                                      a real import (read, validate, plan, commit, invite
//!                                      through a memory mailer) of FILE's users, all new, into
//!                                      a fresh store: the SQLite database DB (removed first)
//!                                      or a new platform on the PostgreSQL server at URL
//!                                      (migrated first); with `committed`, the process ends
//!                                      once the invitations start, without waiting for them;
//!                                      needs `--features sqlite,postgres`
//! ```
//!
//! Prints `seconds=S cpu=C rows=N` for the measured part: its wall time, and the processor time
//! its threads used together (from `/proc/self/stat`, in 10 ms ticks). For `commit` the
//! measured part is read + validate + plan + commit, up to the first invitations sent; it also
//! prints `commit_ms` (the commit phase) and, for a whole run, `run_seconds` (invitations
//! included) and the import's own timings (`read_ms`, `plan_ms`, `invite_ms`).

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
            // As the web API and the example host write it: a brief of each row, then the
            // values read again from the upload, as typed.
            let mut validator = user_import::Validator::for_import(&schema, &limits);
            user_import::read_rows_bytes(&bytes, &schema, &limits, &mut validator)
                .map_err(|e| e.to_string())?;
            let validation = validator.finish();
            let started = Instant::now();
            let file = std::fs::File::create(out).map_err(|error| error.to_string())?;
            ErrorReport::new(&schema, &validation)
                .upload(&bytes, &limits)
                .write_to(std::io::BufWriter::new(file))
                .map_err(|error| error.to_string())?;
            println!(
                "seconds={:.4} rows={}",
                started.elapsed().as_secs_f64(),
                validation.row_count()
            );
            Ok(())
        }
        ["commit", backend, path, target] => commit(backend, path, target, false),
        ["commit", backend, path, target, "committed"] => commit(backend, path, target, true),
        _ => Err("usage: bench-probe generate ROWS OUT | generate-csv ROWS OUT | baseline FILE | baseline-ods FILE | ods-estimate FILE | validate FILE | import FILE ROWS | report FILE OUT | commit sqlite FILE DB [committed] | commit postgres FILE URL [committed]".to_string()),
    }
}

/// `commit BACKEND FILE TARGET`: opens a fresh store (connecting and migrating are not
/// measured), then times a real import of FILE into it; with `committed_only`, ends the process
/// once the first invitations are sent (the commit succeeded).
#[cfg(all(feature = "sqlite", feature = "postgres"))]
fn commit(backend: &str, path: &str, target: &str, committed_only: bool) -> Result<(), String> {
    use std::sync::Mutex;
    use user_import::adapters::postgres::PostgresStore;
    use user_import::adapters::sqlite::SqliteStore;
    use user_import::{ImportStatus, Phase, Progress};

    let bytes = read(path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    let stores = runtime.block_on(async {
        match backend {
            "sqlite" => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let file = format!("{target}{suffix}");
                    match std::fs::remove_file(&file) {
                        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                            return Err(format!("cannot remove {file}: {error}"));
                        }
                        _ => {}
                    }
                }
                let store = SqliteStore::connect(&format!("sqlite://{target}"), "bench")
                    .await
                    .map_err(|error| error.to_string())?;
                store.migrate().await.map_err(|error| error.to_string())?;
                user_import::conformance::groups(&store, &[("g1", "Nurses")]).await;
                Ok(Stores::single(
                    Arc::new(store),
                    Arc::new(MemoryMailer::new()),
                ))
            }
            "postgres" => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_nanos());
                let platform = format!("bench-commit-{}-{nanos}", std::process::id());
                let store = PostgresStore::connect(target, platform)
                    .await
                    .map_err(|error| error.to_string())?;
                store.migrate().await.map_err(|error| error.to_string())?;
                user_import::conformance::groups(&store, &[("g1", "Nurses")]).await;
                Ok(Stores::single(
                    Arc::new(store),
                    Arc::new(MemoryMailer::new()),
                ))
            }
            other => Err(format!("not a backend: {other} (sqlite or postgres)")),
        }
    })?;
    let importer = Importer::new(Schema::default(), stores);
    let mut request = ImportRequest::new("bench-commit", "bench.xlsx");
    request.groups = vec!["Nurses".into()];
    // From the progress reports: when the commit started and how many users it creates, and
    // what was measured when the first invitations went out (the commit had succeeded).
    let committing: Mutex<Option<(Instant, u64)>> = Mutex::new(None);
    let committed: Mutex<Option<(String, u64, u128)>> = Mutex::new(None);
    let started = start();
    let progress = |progress: Progress| match progress.phase {
        Phase::Committing => {
            *lock(&committing) = Some((Instant::now(), progress.total.unwrap_or(0)));
        }
        Phase::Inviting if lock(&committed).is_none() => {
            let (commit_started, created) = lock(&committing).unwrap_or((started.0, 0));
            let measured = (
                since(started),
                created,
                commit_started.elapsed().as_millis(),
            );
            if committed_only {
                let (measured, created, commit_ms) = measured;
                println!("{measured} created={created} commit_ms={commit_ms}");
                std::process::exit(0);
            }
            *lock(&committed) = Some(measured);
        }
        _ => {}
    };
    // The job queue's worker's steps: the upload shared with the commit's second read, not
    // copied for it.
    let summary = runtime
        .block_on(async {
            importer.start(&request).await?;
            let read = importer.read(user_import::Upload::from(bytes), &progress);
            importer.finish(&request, read, &progress).await
        })
        .map_err(|error| error.to_string())?;
    let run_seconds = started.0.elapsed().as_secs_f64();
    let counts = &summary.counts;
    if summary.status != ImportStatus::Completed
        || counts.rows == 0
        || counts.failed_rows > 0
        || counts.created != counts.rows
    {
        return Err(format!(
            "unexpected summary: {:?}, {} rows, {} created, {} failed: {}",
            summary.status, counts.rows, counts.created, counts.failed_rows, summary.reason
        ));
    }
    let (measured, _, _) = lock(&committed).take().ok_or("no invitation was sent")?;
    let timings = &summary.timings;
    println!(
        "{measured} run_seconds={run_seconds:.4} rows={} created={} read_ms={} plan_ms={} commit_ms={} invite_ms={}",
        counts.rows,
        counts.created,
        timings.read_ms,
        timings.plan_ms,
        timings.commit_ms,
        timings.invite_ms
    );
    Ok(())
}

/// Locks `mutex`, even one a panicking thread held.
#[cfg(all(feature = "sqlite", feature = "postgres"))]
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(not(all(feature = "sqlite", feature = "postgres")))]
fn commit(_backend: &str, _path: &str, _target: &str, _committed_only: bool) -> Result<(), String> {
    Err("bench-probe commit needs the SQL stores: build it with --features sqlite,postgres".into())
}
