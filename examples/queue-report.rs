//! Measures the job queue on PostgreSQL: how long a submitted import waits before an idle
//! worker starts it, and what the queue adds to each import when 100 small imports go through
//! 4 workers, against the same imports run directly with [`Importer::run`], 4 at a time.
//!
//! ```text
//! cargo run --release --features jobs-postgres --example queue-report -- postgres://USER@HOST/DB
//! ```
//!
//! `scripts/queue-report` starts a throwaway PostgreSQL and runs it. Each run works in
//! platforms of its own, so the database may be reused.

use std::sync::Arc;
use std::time::{Duration, Instant};

use user_import::adapters::postgres::PostgresStore;
use user_import::jobs::object_store::memory::InMemory;
use user_import::jobs::{
    JobQueue, PostgresQueue, QueueOptions, Submission, Submitter, Uploads, Worker, WorkerOptions,
};
use user_import::memory::MemoryMailer;
use user_import::{
    Error, ImportId, ImportLog, ImportRequest, ImportStatus, Importer, Limits, Schema, Stores,
};

/// Imports in the throughput comparison.
const IMPORTS: usize = 100;
/// Workers (and direct runs at once) in the throughput comparison.
const WORKERS: usize = 4;
/// Users in each small import.
const USERS: usize = 5;
/// Submissions timed for the latency.
const LATENCY_SAMPLES: usize = 20;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: queue-report postgres://USER@HOST:PORT/DB")?;
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let base = PostgresStore::connect(&url, format!("queue-report-{run}")).await?;
    base.migrate().await?;
    let queue = PostgresQueue::connect(&url, QueueOptions::default()).await?;
    let files: Vec<Vec<u8>> = (0..IMPORTS).map(|i| workbook(&format!("u{i}-"))).collect();

    // Submit-to-running with an idle worker.
    let platform = format!("latency-{run}");
    let store = base.for_platform(platform.clone());
    let harness = Harness::new(&base, &queue);
    let stop = tokio::sync::watch::channel(false);
    let worker = harness.spawn_workers(&queue, 1, &stop.1);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut latencies = Vec::new();
    for (sample, file) in files.iter().take(LATENCY_SAMPLES).enumerate() {
        let id = format!("latency-{sample}");
        let started = Instant::now();
        harness.submit(&store, &platform, &id, file.clone()).await?;
        loop {
            let record = store.get(&ImportId::from(id.as_str())).await?;
            if record.is_some_and(|record| record.status != ImportStatus::Pending) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        latencies.push(started.elapsed());
        wait_finished(&store, &id).await?;
    }
    let _ = stop.0.send(true);
    for task in worker {
        task.await??;
    }
    latencies.sort();
    println!(
        "submit to running, idle worker ({LATENCY_SAMPLES} imports): median {:.1} ms, max {:.1} ms",
        ms(latencies[LATENCY_SAMPLES / 2]),
        ms(latencies[LATENCY_SAMPLES - 1])
    );

    // 100 imports directly, 4 at a time.
    let platform = format!("direct-{run}");
    let store = base.for_platform(platform.clone());
    let started = Instant::now();
    let mut next = 0;
    while next < IMPORTS {
        let tasks: Vec<_> = (next..(next + WORKERS).min(IMPORTS))
            .map(|i| {
                let importer = importer(&store);
                let bytes = files[i].clone();
                tokio::spawn(async move {
                    let request = ImportRequest::new(format!("direct-{i}"), "small.xlsx");
                    importer.run(&request, &bytes, &|_| {}).await
                })
            })
            .collect();
        for task in tasks {
            let summary = task.await??;
            assert_eq!(summary.status, ImportStatus::Completed);
        }
        next += WORKERS;
    }
    let direct = started.elapsed();

    // The same 100 through the queue and 4 workers: submitted, then worked until done.
    let platform = format!("queued-{run}");
    let store = base.for_platform(platform.clone());
    let stop = tokio::sync::watch::channel(false);
    let workers = harness.spawn_workers(&queue, WORKERS, &stop.1);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = Instant::now();
    for (i, file) in files.iter().enumerate() {
        harness
            .submit(&store, &platform, &format!("queued-{i}"), file.clone())
            .await?;
    }
    let submitted = started.elapsed();
    for i in 0..IMPORTS {
        wait_finished(&store, &format!("queued-{i}")).await?;
    }
    let queued = started.elapsed();
    let _ = stop.0.send(true);
    for task in workers {
        task.await??;
    }
    let rounds = IMPORTS.div_ceil(WORKERS) as f64;
    println!(
        "{IMPORTS} imports of {USERS} users, {WORKERS} at a time: run directly {:.2} s, \
         through the queue {:.2} s (submitting {:.2} s of it)",
        direct.as_secs_f64(),
        queued.as_secs_f64(),
        submitted.as_secs_f64()
    );
    println!(
        "queue overhead per import: {:.1} ms ({:.1} ms of wall time per import, {WORKERS} at once)",
        ms(queued.saturating_sub(direct)) / rounds,
        ms(queued.saturating_sub(direct)) / IMPORTS as f64
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A filled-in template of `USERS` users whose emails start with `prefix`.
fn workbook(prefix: &str) -> Vec<u8> {
    let emails: Vec<String> = (0..USERS)
        .map(|i| format!("{prefix}{i}@example.com"))
        .collect();
    user_import::testing::workbook_of_emails(&emails)
}

fn importer(store: &PostgresStore) -> Importer {
    Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())),
    )
}

/// Polls the record of `id` until it is finished.
async fn wait_finished(store: &PostgresStore, id: &str) -> Result<(), Failure> {
    let started = Instant::now();
    loop {
        let record = store.get(&ImportId::from(id)).await?;
        match record.map(|record| record.status) {
            Some(ImportStatus::Completed) => return Ok(()),
            Some(ImportStatus::Failed) => return Err(format!("import {id} failed").into()),
            _ if started.elapsed() > Duration::from_secs(300) => {
                return Err(format!("import {id} did not finish in 5 minutes").into());
            }
            _ => tokio::time::sleep(Duration::from_millis(2)).await,
        }
    }
}

/// The submitter and the workers' setup over one database.
struct Harness {
    submitter: Submitter,
    uploads: Uploads,
    base: PostgresStore,
}

impl Harness {
    fn new(base: &PostgresStore, queue: &PostgresQueue) -> Harness {
        let uploads = Uploads::new(Arc::new(InMemory::new()));
        let shared: Arc<dyn JobQueue> = Arc::new(queue.clone());
        Harness {
            submitter: Submitter::new(uploads.clone(), shared, Limits::default()),
            uploads,
            base: base.clone(),
        }
    }

    async fn submit(
        &self,
        store: &PostgresStore,
        platform: &str,
        id: &str,
        bytes: Vec<u8>,
    ) -> Result<(), Error> {
        let submission = Submission::new(platform, id, "small.xlsx");
        self.submitter.submit(store, &submission, bytes).await?;
        Ok(())
    }

    /// `count` workers (apalis workers of their own, one import at a time each) until `stop`.
    fn spawn_workers(
        &self,
        queue: &PostgresQueue,
        count: usize,
        stop: &tokio::sync::watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<Result<(), user_import::StoreError>>> {
        (0..count)
            .map(|n| {
                let base = self.base.clone();
                let platforms = move |platform: &str| {
                    Ok(Importer::new(
                        Schema::default(),
                        Stores::single(
                            Arc::new(base.for_platform(platform)),
                            Arc::new(MemoryMailer::new()),
                        ),
                    ))
                };
                let worker = Worker::new(
                    Arc::new(platforms),
                    self.uploads.clone(),
                    WorkerOptions {
                        name: format!("queue-report-{n}"),
                        ..WorkerOptions::default()
                    },
                );
                let queue = queue.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    worker
                        .work_postgres(&queue, async move {
                            let _ = stop.wait_for(|stopped| *stopped).await;
                        })
                        .await
                })
            })
            .collect()
    }
}
