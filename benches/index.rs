//! Listing the batch-imports index: 1,000 completed imports of 1,000 users each in a SQLite
//! store, listed whole with `ImportLog::list` (each summary's brief: counts, no lists), against
//! reading and decoding every whole summary, as the index did before briefs (the cost that grew
//! with every import's rows).
//!
//! `cargo bench --bench index --features sqlite,testkit`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use user_import::adapters::sqlite::SqliteStore;
use user_import::adapters::sqlx;
use user_import::conformance::record;
use user_import::{CreatedUser, ImportLog, ImportStatus, ImportSummary, UserId};

const IMPORTS: usize = 1_000;
const USERS: usize = 1_000;

/// A SQLite store holding `IMPORTS` completed imports whose summaries list `USERS` users each.
fn store(runtime: &tokio::runtime::Runtime) -> SqliteStore {
    let dir = std::env::temp_dir().join(format!("user-import-index-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("index.db").display());
    runtime.block_on(async {
        let store = SqliteStore::connect(&url, "bench").await.unwrap();
        store.migrate().await.unwrap();
        for import in 0..IMPORTS {
            let record = record(&format!("import-{import}"));
            store.begin(&record).await.unwrap();
            store
                .set_status(&record.id, ImportStatus::Running, None)
                .await
                .unwrap();
            let mut summary = ImportSummary::new(record.id.clone(), ImportStatus::Completed);
            summary.counts.rows = USERS as u64;
            summary.counts.created = USERS as u64;
            summary.created = (0..USERS)
                .map(|user| CreatedUser {
                    row: user as u32 + 2,
                    id: UserId((import * USERS + user).to_string()),
                    name: format!("User Number {user}"),
                    email: format!("user{user}.import{import}@example.com"),
                })
                .collect();
            store
                .set_status(&record.id, ImportStatus::Completed, Some(&summary))
                .await
                .unwrap();
        }
        store
    })
}

fn index(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = store(&runtime);
    let mut group = c.benchmark_group("index_of_1000_imports_of_1000_users");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("list_briefs", |b| {
        b.iter(|| {
            let listed = runtime.block_on(store.list(IMPORTS)).unwrap();
            assert_eq!(listed.len(), IMPORTS);
            listed
        })
    });
    group.bench_function("whole_summaries", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let rows: Vec<String> =
                    sqlx::query_scalar("SELECT summary FROM ui_imports ORDER BY seq DESC")
                        .fetch_all(store.pool())
                        .await
                        .unwrap();
                let summaries: Vec<ImportSummary> = rows
                    .iter()
                    .map(|json| serde_json::from_str(json).unwrap())
                    .collect();
                assert_eq!(summaries.len(), IMPORTS);
                summaries
            })
        })
    });
    group.finish();
}

criterion_group!(benches, index);
criterion_main!(benches);
