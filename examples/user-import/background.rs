//! Imports on the job queue: `submit` keeps the upload once and queues the import, answering
//! at once; `work` runs the queued imports; `import` submits and runs its one job in the same
//! process, with a progress bar. The queue is apalis's, in `DIR/jobs.db` (SQLite), or in the
//! PostgreSQL database `--database-url` names, so that several hosts share it.

use std::sync::Arc;
use std::time::Duration;

use user_import::jobs::{
    JobQueue, QueueOptions, SqliteQueue, Submission, Submitted, Submitter, Uploads, Worker,
    WorkerOptions,
};
use user_import::{ImportStatus, Importer, Limits, Schema, StoreError};

use crate::cli::{ImportArgs, ImportChoices, SubmitArgs, WorkArgs};
use crate::failure::{Failure, Outcome};
use crate::host::Host;
use crate::output::{Output, to_json};
use crate::stateful::{Upload, print_record, progress_bar, record_of};

/// The queue's database in the state folder (when the data is not in PostgreSQL).
const QUEUE_FILE: &str = "jobs.db";

/// The uploads' folder in the state folder: `objects/uploads/<platform>/<id>/upload`.
const OBJECTS_FOLDER: &str = "objects";

/// How long a sender's claim on invitations lasts: a worker killed while sending leaves its
/// batch to the next one after this.
const CLAIM_LEASE_SECONDS: i64 = 20;

/// The queue's heartbeat: a worker killed mid-import gives its job up after 3 missed beats
/// (6 seconds).
fn queue_options() -> QueueOptions {
    QueueOptions {
        heartbeat: Duration::from_secs(2),
        missed_heartbeats: 3,
        ..QueueOptions::default()
    }
}

/// The job queue: beside the SQLite store, or in the PostgreSQL database.
enum Queue {
    Sqlite(SqliteQueue),
    #[cfg(feature = "jobs-postgres")]
    Postgres(user_import::jobs::PostgresQueue),
}

impl Queue {
    async fn open(host: &Host) -> Result<Queue, Failure> {
        let failed = |source| Failure::Store {
            action: "open the job queue",
            source,
        };
        #[cfg(feature = "jobs-postgres")]
        if host.database_url.starts_with("postgres") {
            let queue =
                user_import::jobs::PostgresQueue::connect(&host.database_url, queue_options())
                    .await
                    .map_err(failed)?;
            return Ok(Queue::Postgres(queue));
        }
        let queue = SqliteQueue::open(&host.dir.join(QUEUE_FILE), queue_options())
            .await
            .map_err(failed)?;
        Ok(Queue::Sqlite(queue))
    }

    fn shared(&self) -> Arc<dyn JobQueue> {
        match self {
            Queue::Sqlite(queue) => Arc::new(queue.clone()),
            #[cfg(feature = "jobs-postgres")]
            Queue::Postgres(queue) => Arc::new(queue.clone()),
        }
    }

    /// Works the queue until it is idle (`until_idle`) or the process is interrupted.
    async fn work(&self, worker: &Worker, until_idle: bool) -> Result<(), StoreError> {
        let stop: std::pin::Pin<Box<dyn Future<Output = ()> + Send>> = if until_idle {
            Box::pin(worker.until_idle(self.shared()))
        } else {
            Box::pin(async {
                let _ = tokio::signal::ctrl_c().await;
            })
        };
        match self {
            Queue::Sqlite(queue) => worker.work_sqlite(queue, stop).await,
            #[cfg(feature = "jobs-postgres")]
            Queue::Postgres(queue) => worker.work_postgres(queue, stop).await,
        }
    }
}

/// The queue, the uploads, a submitter and a worker over the host's database.
struct Background {
    queue: Queue,
    submitter: Submitter,
    worker: Worker,
}

impl Background {
    async fn open(
        host: &Host,
        concurrency: usize,
        memory_budget: Option<u64>,
    ) -> Result<Background, Failure> {
        let queue = Queue::open(host).await?;
        let uploads = uploads(host)?;
        let submitter = Submitter::new(uploads.clone(), queue.shared(), Limits::default());
        let database = Arc::clone(&host.database);
        let mailer = Arc::clone(&host.stores.mailer);
        let platforms = move |platform: &str| {
            Ok(Importer::new(
                Schema::default(),
                database.stores_for(platform, Arc::clone(&mailer)),
            )
            .stale_after(chrono::Duration::seconds(CLAIM_LEASE_SECONDS)))
        };
        let worker = Worker::new(
            Arc::new(platforms),
            uploads,
            WorkerOptions {
                concurrency: concurrency.max(1),
                memory_budget: memory_budget.map(|mib| mib.saturating_mul(1024 * 1024)),
                ..WorkerOptions::default()
            },
        );
        Ok(Background {
            queue,
            submitter,
            worker,
        })
    }

    /// Submits `choices`' upload: the submission and what the submitter answered.
    async fn submit(
        &self,
        host: &Host,
        choices: &ImportChoices,
    ) -> Result<(Submission, Submitted), Failure> {
        let Upload {
            bytes,
            id,
            file_name,
            uploaded_by,
        } = Upload::read(&choices.file, choices.id.as_deref(), choices.by.as_deref())?;
        let mut submission = Submission::new(host.platform.clone(), id, file_name);
        submission.groups = choices.groups.clone();
        submission.message = choices.message.clone().unwrap_or_default();
        submission.notes = choices.notes.clone().unwrap_or_default();
        submission.seat_limit = choices.seat_limit;
        submission.uploaded_by = uploaded_by;
        submission.language = host.catalog.language().to_string();
        submission.retry = choices.retry;
        let submitted = self
            .submitter
            .submit(host.stores.log.as_ref(), &submission, bytes)
            .await
            .map_err(|source| Failure::Engine {
                action: "the submission stopped",
                source,
            })?;
        Ok((submission, submitted))
    }
}

/// The uploads, once each, in the state folder's object store.
pub(crate) fn uploads(host: &Host) -> Result<Uploads, Failure> {
    Uploads::in_folder(host.dir.join(OBJECTS_FOLDER)).map_err(|source| Failure::Store {
        action: "open the uploads folder",
        source,
    })
}

/// The line that tells a second submission of an id what it got.
fn replay_line(submitted: &Submitted) -> Option<String> {
    let Submitted::Replay { same_file, .. } = submitted else {
        return None;
    };
    let file = if *same_file {
        "the same file"
    } else {
        "another file; the first one is the file imported"
    };
    Some(format!(
        "  this id was submitted before ({file}): nothing new is imported; --retry submits a failed import again"
    ))
}

/// `submit`: keeps the upload, records the import pending, queues it, prints its id.
pub(crate) async fn submit(
    host: &Host,
    args: &SubmitArgs,
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let background = Background::open(host, 1, None).await?;
    let (_, submitted) = background.submit(host, &args.choices).await?;
    if args.json {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            id: &'a str,
            status: &'a str,
            replay: bool,
            same_file: bool,
        }
        let (replay, same_file) = match &submitted {
            Submitted::Queued { .. } => (false, true),
            Submitted::Replay { same_file, .. } => (true, *same_file),
        };
        writeln!(
            out,
            "{}",
            to_json(&Json {
                id: submitted.id().as_str(),
                status: submitted.status().as_str(),
                replay,
                same_file,
            })
        )?;
    } else {
        writeln!(out, "{} {}", submitted.id(), submitted.status().as_str())?;
        if let Some(line) = replay_line(&submitted) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(Outcome::Done)
}

/// `work`: runs queued imports, until the queue is idle with `--until-idle`, else until
/// interrupted.
pub(crate) async fn work(
    host: &Host,
    args: &WorkArgs,
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let background = Background::open(host, args.concurrency, args.memory_budget).await?;
    background
        .queue
        .work(&background.worker, args.until_idle)
        .await
        .map_err(|source| Failure::Store {
            action: "work the job queue",
            source,
        })?;
    writeln!(out, "{}", host.catalog.fill("cli.queue.idle", &[]))?;
    Ok(Outcome::Done)
}

/// `import`: submits the upload and runs its job here, with a progress bar, then prints the
/// summary. The job stays queued until then, so a `work` finishes an import this process did
/// not (killed, say).
pub(crate) async fn import(
    host: &Host,
    args: &ImportArgs,
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let background = Background::open(host, 1, None).await?;
    let (submission, submitted) = background.submit(host, &args.choices).await?;
    let id = submitted.id().clone();
    if let Some(line) = replay_line(&submitted).filter(|_| !args.json) {
        writeln!(out, "{line}")?;
    }
    // A first submission, or one whose first run never started (or stopped): run it here.
    if matches!(
        submitted.status(),
        ImportStatus::Pending | ImportStatus::Running
    ) {
        background
            .worker
            .run_job_with_progress(
                &submission.job(&id),
                Arc::new(progress_bar(host.catalog.clone())),
            )
            .await
            .map_err(|source| Failure::Engine {
                action: "the import stopped",
                source,
            })?;
    }
    let record = record_of(host, id.as_str()).await?;
    print_record(host, &record, args.json, out)
}
