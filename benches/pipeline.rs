//! Criterion benches of every stage on generated filled templates, with calamine's bare
//! streaming iteration over the same file as the baseline, measured in the same run.
//!
//! Sizes: 10,000 and 100,000 rows; set `USER_IMPORT_BENCH_LARGE=1` to add 1,000,000 (the
//! workbook is generated once into `target/bench-data/`). `scripts/bench-report` prints the
//! ratios and peak memory, each measured in a child process.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{ErrorReport, ImportRequest, Importer, Limits, Schema, Stores, Template};

mod common;

fn sizes() -> Vec<usize> {
    let mut sizes = vec![10_000, 100_000];
    if std::env::var_os("USER_IMPORT_BENCH_LARGE").is_some() {
        sizes.push(1_000_000);
    }
    sizes
}

fn read_and_validate(c: &mut Criterion) {
    let schema = Schema::default();
    let limits = Limits::default();
    let mut group = c.benchmark_group("read");
    group.sample_size(10);
    for rows in sizes() {
        let bytes = common::users_file(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(
            BenchmarkId::new("calamine_bare", rows),
            &bytes,
            |b, bytes| b.iter(|| black_box(common::bare_calamine(bytes))),
        );
        group.bench_with_input(BenchmarkId::new("validate", rows), &bytes, |b, bytes| {
            b.iter(|| {
                let validation = user_import::validate_bytes(bytes, &schema, &limits).unwrap();
                assert!(validation.is_valid());
                black_box(validation.row_count())
            })
        });
        // The same on the calling thread alone.
        let one_thread = Limits {
            parallel_min_bytes: u64::MAX,
            ..Limits::default()
        };
        group.bench_with_input(
            BenchmarkId::new("validate_one_thread", rows),
            &bytes,
            |b, bytes| {
                b.iter(|| {
                    let validation =
                        user_import::validate_bytes(bytes, &schema, &one_thread).unwrap();
                    assert!(validation.is_valid());
                    black_box(validation.row_count())
                })
            },
        );
    }
    group.finish();
}

fn plan(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("import_dry_run");
    group.sample_size(10);
    for rows in sizes() {
        let bytes = common::users_file(rows);
        // A store where every tenth user already has an account.
        let store = MemoryStore::new();
        store.add_group("g1", "Nurses");
        let mut values = Vec::new();
        for index in (0..rows).step_by(10) {
            user_import::testing::user_row(index, &mut values);
            store.add_user(&values[0], &values[1], &[]);
        }
        let importer = Importer::new(
            Schema::default(),
            Stores::single(Arc::new(store), Arc::new(MemoryMailer::new())),
        );
        let mut request = ImportRequest::new("bench", "bench.xlsx");
        request.dry_run = true;
        request.groups = vec!["Nurses".into()];
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(
            BenchmarkId::new("read_validate_plan", rows),
            &bytes,
            |b, bytes| {
                b.iter(|| {
                    let summary = runtime
                        .block_on(importer.run(&request, bytes, &|_| {}))
                        .unwrap();
                    assert_eq!(summary.counts.rows as usize, rows);
                    black_box(summary.counts.created)
                })
            },
        );
    }
    group.finish();
}

fn template(c: &mut Criterion) {
    let schema = Schema::default();
    c.bench_function("template", |b| {
        b.iter(|| black_box(Template::new(&schema).to_bytes().unwrap().len()))
    });
}

fn report(c: &mut Criterion) {
    let schema = Schema::default();
    let limits = Limits::default();
    let mut group = c.benchmark_group("error_report");
    group.sample_size(10);
    for rows in sizes() {
        let bytes = common::users_file(rows);
        let validation = user_import::validate_bytes(&bytes, &schema, &limits).unwrap();
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(rows),
            &validation,
            |b, validation| {
                b.iter(|| {
                    black_box(
                        ErrorReport::new(&schema, validation)
                            .to_bytes()
                            .unwrap()
                            .len(),
                    )
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, read_and_validate, plan, template, report);
criterion_main!(benches);
