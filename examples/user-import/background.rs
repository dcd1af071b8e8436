//! Imports in the background (built with the `jobs` feature): `submit` keeps the upload and
//! queues the import, answering at once; `work` runs the queued imports.

use std::sync::Arc;

use user_import::jobs::{
    QueueOptions, SqliteQueue, Submission, Submitted, Submitter, Uploads, Worker, WorkerOptions,
};
use user_import::{Importer, Limits, Schema};

use crate::cli::{SubmitArgs, WorkArgs};
use crate::failure::{Failure, Outcome};
use crate::host::Host;
use crate::output::{Output, to_json};
use crate::stateful::Upload;

/// The queue's database in the state folder.
const QUEUE_FILE: &str = "jobs.db";

/// The uploads' folder in the state folder: `objects/uploads/<platform>/<id>/upload`.
const OBJECTS_FOLDER: &str = "objects";

/// The queue's heartbeat: a worker killed mid-import gives its job up after 3 missed beats
/// (6 seconds).
fn queue_options() -> QueueOptions {
    QueueOptions {
        heartbeat: std::time::Duration::from_secs(2),
        missed_heartbeats: 3,
        ..QueueOptions::default()
    }
}

async fn queue(host: &Host) -> Result<SqliteQueue, Failure> {
    SqliteQueue::open(&host.dir.join(QUEUE_FILE), queue_options())
        .await
        .map_err(|source| Failure::Store {
            action: "open the job queue",
            source,
        })
}

fn uploads(host: &Host) -> Result<Uploads, Failure> {
    Uploads::in_folder(host.dir.join(OBJECTS_FOLDER)).map_err(|source| Failure::Store {
        action: "open the uploads folder",
        source,
    })
}

/// `submit`: keeps the upload, records the import pending, queues it, prints its id.
pub(crate) async fn submit(
    host: &Host,
    args: &SubmitArgs,
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let Upload {
        bytes,
        id,
        file_name,
        uploaded_by,
    } = Upload::read(&args.file, args.id.as_deref(), args.by.as_deref())?;
    let mut submission = Submission::new(host.platform.clone(), id, file_name);
    submission.groups = args.groups.clone();
    submission.message = args.message.clone().unwrap_or_default();
    submission.notes = args.notes.clone().unwrap_or_default();
    submission.seat_limit = args.seat_limit;
    submission.uploaded_by = uploaded_by;
    submission.language = host.catalog.language().to_string();
    submission.retry = args.retry;
    let submitter = Submitter::new(
        uploads(host)?,
        Arc::new(queue(host).await?),
        Limits::default(),
    );
    let submitted = submitter
        .submit(host.stores.log.as_ref(), &submission, bytes)
        .await
        .map_err(|source| Failure::Engine {
            action: "the submission stopped",
            source,
        })?;
    let (replay, same_file) = match &submitted {
        Submitted::Queued { .. } => (false, true),
        Submitted::Replay { same_file, .. } => (true, *same_file),
    };
    if args.json {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            id: &'a str,
            status: &'a str,
            replay: bool,
            same_file: bool,
        }
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
        if replay {
            let file = if same_file {
                "the same file"
            } else {
                "another file; the first one is the file imported"
            };
            writeln!(
                out,
                "  this id was submitted before ({file}): nothing new is imported; --retry submits a failed import again"
            )?;
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
    let queue = queue(host).await?;
    let database = Arc::clone(&host.database);
    let mailer = Arc::clone(&host.stores.mailer);
    let platforms = move |platform: &str| {
        Ok(Importer::new(
            Schema::default(),
            database.stores_for(platform, Arc::clone(&mailer)),
        )
        .stale_after(chrono::Duration::seconds(20)))
    };
    let worker = Worker::new(
        Arc::new(platforms),
        uploads(host)?,
        WorkerOptions {
            concurrency: args.concurrency.max(1),
            ..WorkerOptions::default()
        },
    );
    let outcome = if args.until_idle {
        let idle = worker.until_idle(Arc::new(queue.clone()));
        worker.work_sqlite(&queue, idle).await
    } else {
        let interrupted = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        worker.work_sqlite(&queue, interrupted).await
    };
    outcome.map_err(|source| Failure::Store {
        action: "work the job queue",
        source,
    })?;
    writeln!(out, "the queue is idle")?;
    Ok(Outcome::Done)
}
