//! The worker: takes import jobs off the queue and runs them, reading and validating on a
//! blocking thread so no async worker thread is ever held for seconds.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use apalis::prelude::{BoxDynError, Data, WorkerBuilder, WorkerBuilderExt};
use tracing::Instrument;

use super::progress::ProgressWriter;
use super::{ImportJob, JobQueue, SqliteQueue, Uploads};
use crate::error::{Error, StoreError};
use crate::import::{Importer, Started};
use crate::model::ImportId;
use crate::summary::ImportStatus;
use crate::summary::Progress;

/// Where an import's progress goes.
type Reporter = Arc<dyn Fn(Progress) + Send + Sync>;

/// The importer of each platform a worker serves: its schema, limits and stores.
///
/// A closure `Fn(&str) -> Result<Importer, Error>` is one.
pub trait Platforms: Send + Sync {
    /// The importer of `platform`.
    ///
    /// # Errors
    ///
    /// An [`Error`] when the platform's stores cannot be had; the job is retried.
    fn importer(&self, platform: &str) -> Result<Importer, Error>;
}

impl<F> Platforms for F
where
    F: Fn(&str) -> Result<Importer, Error> + Send + Sync,
{
    fn importer(&self, platform: &str) -> Result<Importer, Error> {
        self(platform)
    }
}

/// How a worker runs its jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerOptions {
    /// The worker's name on the queue (each run adds the time to it, so it is unique).
    pub name: String,
    /// How many imports this worker runs at once.
    pub concurrency: usize,
    /// How often at most an import's progress is written to its log.
    pub progress_every: Duration,
    /// How many times an error of the stores (not a problem of the file) is retried in the
    /// worker before the import is recorded failed.
    pub retries: u32,
    /// The pause before the first retry, doubled before each next one.
    pub backoff: Duration,
    /// How often a job whose invitations are still claimed by another sender (one that may
    /// have died) looks at its outbox again.
    pub relay_every: Duration,
    /// How long a job waits for such invitations before it gives the job back to the queue,
    /// which hands it out again later. Longer than the importer's
    /// [`stale_after`](crate::Importer::stale_after), so that a dead sender's claims expire
    /// while the job waits.
    pub relay_wait: Duration,
    /// The memory this worker's imports may take together, in bytes, or `None` for no bound.
    /// An import first waits (holding its job, not its upload) for its upload's size, then
    /// fetches the upload and waits for the rest of its estimate
    /// ([`estimate_import_bytes`](crate::estimate_import_bytes)), one import being admitted at
    /// a time so that two never hold part of what they need; one estimated above the whole
    /// budget runs alone. With it, a worker's memory does not depend on the files queued: no
    /// upload is held outside the budget.
    pub memory_budget: Option<u64>,
}

impl Default for WorkerOptions {
    /// One import at a time, progress 4 times a second, 3 retries after 1, 2 and 4 seconds,
    /// the outbox looked at every second for up to 20 minutes (the importer's claims expire
    /// after 15), no memory budget.
    fn default() -> WorkerOptions {
        WorkerOptions {
            name: format!("user-import-worker-{}", std::process::id()),
            concurrency: 1,
            progress_every: Duration::from_millis(250),
            retries: 3,
            backoff: Duration::from_secs(1),
            relay_every: Duration::from_secs(1),
            relay_wait: Duration::from_secs(20 * 60),
            memory_budget: None,
        }
    }
}

/// Runs queued imports.
///
/// ```no_run
/// # async fn example(store: std::sync::Arc<user_import::memory::MemoryStore>) -> Result<(), user_import::Error> {
/// use std::sync::Arc;
/// use user_import::jobs::{QueueOptions, SqliteQueue, Uploads, Worker, WorkerOptions};
/// use user_import::memory::MemoryMailer;
/// use user_import::{Importer, Schema, Stores};
///
/// let queue = SqliteQueue::open("state/jobs.db".as_ref(), QueueOptions::default()).await?;
/// let uploads = Uploads::in_folder("state/uploads")?;
/// let mailer = Arc::new(MemoryMailer::new());
/// let platforms = move |_platform: &str| {
///     Ok(Importer::new(Schema::default(), Stores::single(store.clone(), mailer.clone())))
/// };
/// let worker = Worker::new(Arc::new(platforms), uploads, WorkerOptions::default());
/// // Until the queue is empty and nothing runs (a server would pass a shutdown signal).
/// worker.work_sqlite(&queue, worker.until_idle(Arc::new(queue.clone()))).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Worker {
    core: Arc<Core>,
}

struct Core {
    platforms: Arc<dyn Platforms>,
    uploads: Uploads,
    options: WorkerOptions,
    running: AtomicUsize,
    /// The memory budget in MiB, as permits, and its total; the gate lets one import at a
    /// time be admitted, so that no two hold part of what they need while waiting for the
    /// rest.
    memory: Option<(Arc<tokio::sync::Semaphore>, u32, tokio::sync::Mutex<()>)>,
    /// The MiB the admitted imports hold (a waiting import may hold some of the semaphore's
    /// permits before it is admitted: those do not count).
    admitted: Arc<AtomicU64>,
}

/// An import's share of the memory budget, given back when it is dropped.
struct Admission {
    permit: tokio::sync::OwnedSemaphorePermit,
    admitted: Arc<AtomicU64>,
}

impl Admission {
    /// Adds `more` MiB to this share.
    fn grow(&mut self, more: tokio::sync::OwnedSemaphorePermit) {
        self.admitted
            .fetch_add(more.num_permits() as u64, Ordering::SeqCst);
        self.permit.merge(more);
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.admitted
            .fetch_sub(self.permit.num_permits() as u64, Ordering::SeqCst);
    }
}

/// Memory is admitted in MiB.
const MIB: u64 = 1024 * 1024;

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("options", &self.core.options)
            .field("running", &self.core.running.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker for the importers of `platforms`, reading uploads from `uploads`.
    pub fn new(platforms: Arc<dyn Platforms>, uploads: Uploads, options: WorkerOptions) -> Worker {
        let memory = options.memory_budget.map(|bytes| {
            let mib = u32::try_from(bytes.div_ceil(MIB).max(1)).unwrap_or(u32::MAX >> 3);
            (
                Arc::new(tokio::sync::Semaphore::new(mib as usize)),
                mib,
                tokio::sync::Mutex::new(()),
            )
        });
        Worker {
            core: Arc::new(Core {
                platforms,
                uploads,
                options,
                running: AtomicUsize::new(0),
                memory,
                admitted: Arc::new(AtomicU64::new(0)),
            }),
        }
    }

    /// The memory, in bytes, that the imports this worker admitted are estimated to take now
    /// (0 without a [`WorkerOptions::memory_budget`]).
    pub fn memory_in_use(&self) -> u64 {
        self.core.admitted.load(Ordering::SeqCst) * MIB
    }

    /// How many imports this worker is running now.
    pub fn running(&self) -> usize {
        self.core.running.load(Ordering::SeqCst)
    }

    /// Runs one job: what the queue's worker calls for each job it takes.
    ///
    /// An import that already finished sends what its outbox still holds and ends. A problem
    /// with the file ends the import failed (that is a result, not an error). An error of the
    /// stores is retried [`WorkerOptions::retries`] times, pausing longer each time; past that
    /// the import is recorded failed (unless its commit went through) and the error answered,
    /// so the queue may hand the job out again.
    ///
    /// # Errors
    ///
    /// The last [`Error`] of the stores or the object store.
    pub async fn run_job(&self, job: &ImportJob) -> Result<(), Error> {
        self.run_job_with_progress(job, Arc::new(|_| {})).await
    }

    /// Runs one job as [`Worker::run_job`] does, telling `progress` too of each step (besides
    /// the log): a command-line host draws its progress bar with it when it runs the job it
    /// just submitted in the same process.
    ///
    /// # Errors
    ///
    /// The last [`Error`] of the stores or the object store.
    pub async fn run_job_with_progress(
        &self,
        job: &ImportJob,
        progress: Arc<dyn Fn(Progress) + Send + Sync>,
    ) -> Result<(), Error> {
        self.core.running.fetch_add(1, Ordering::SeqCst);
        let outcome = self.core.run_job(job, progress).await;
        self.core.running.fetch_sub(1, Ordering::SeqCst);
        outcome
    }

    /// Works the SQLite queue until `stop` completes, then finishes the jobs in hand.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the queue fails.
    pub async fn work_sqlite(
        &self,
        queue: &SqliteQueue,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StoreError> {
        let concurrency = self.core.options.concurrency.max(1);
        let worker = WorkerBuilder::new(self.core.session_name())
            .backend(queue.storage(concurrency))
            .data(self.clone())
            .concurrency(concurrency)
            .build(handle);
        worker
            .run_until(async move {
                stop.await;
                Ok::<(), std::io::Error>(())
            })
            .await
            .map_err(|error| StoreError::backend("work the job queue", error))
    }

    /// Works the PostgreSQL queue until `stop` completes, then finishes the jobs in hand.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the queue fails.
    #[cfg(feature = "jobs-postgres")]
    pub async fn work_postgres(
        &self,
        queue: &super::PostgresQueue,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StoreError> {
        // A new job wakes the worker at once (LISTEN/NOTIFY), not at its next heartbeat.
        let concurrency = self.core.options.concurrency.max(1);
        let worker = WorkerBuilder::new(self.core.session_name())
            .backend(queue.storage(concurrency).with_pubsub())
            .data(self.clone())
            .concurrency(concurrency)
            .build(handle);
        worker
            .run_until(async move {
                stop.await;
                Ok::<(), std::io::Error>(())
            })
            .await
            .map_err(|error| StoreError::backend("work the job queue", error))
    }

    /// A future that completes once `queue` holds no job to run (none queued, running, or
    /// failed with attempts left) and this worker runs none, seen twice in a row half a
    /// second apart: the stop signal of `work --until-idle`. A job whose worker died counts as
    /// running until the queue hands it out again.
    pub fn until_idle(
        &self,
        queue: Arc<dyn JobQueue>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let core = Arc::clone(&self.core);
        async move {
            let mut quiet = 0;
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let idle = core.running.load(Ordering::SeqCst) == 0
                    && matches!(queue.is_idle().await, Ok(true));
                quiet = if idle { quiet + 1 } else { 0 };
                if quiet >= 2 {
                    return;
                }
            }
        }
    }
}

/// The queue's handler: one import job.
async fn handle(job: ImportJob, worker: Data<Worker>) -> Result<(), BoxDynError> {
    worker
        .run_job(&job)
        .await
        .map_err(|error| Box::new(error) as BoxDynError)
}

impl Core {
    /// The worker's name on the queue for one run: the configured name and the time, since
    /// the queue remembers a name for a while after its worker stopped.
    fn session_name(&self) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        format!("{}-{nanos:x}", self.options.name)
    }

    async fn run_job(self: &Arc<Self>, job: &ImportJob, progress: Reporter) -> Result<(), Error> {
        let span = tracing::info_span!("job", platform = %job.platform, id = %job.id);
        // On a task of its own, so that a panic in the host's stores or mailer ends this import
        // (recorded failed, unless its commit went through) and not the worker.
        let task = {
            let core = Arc::clone(self);
            let job = job.clone();
            tokio::spawn(
                async move { core.run_job_inner(&job, progress).await }.instrument(span.clone()),
            )
        };
        match task.await {
            Ok(outcome) => outcome,
            Err(joined) => {
                let why = if joined.is_panic() {
                    let payload = joined.into_panic();
                    let text = payload
                        .downcast_ref::<&str>()
                        .map(|text| text.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "no message".to_string());
                    format!("the import stopped on an internal error (a panic: {text})")
                } else {
                    "the import was cancelled".to_string()
                };
                tracing::error!(parent: &span, reason = %why, "import job ended abnormally");
                let error = Error::Store(StoreError::backend("run the import", why));
                if let Ok(importer) = self.platforms.importer(&job.platform) {
                    importer
                        .record_error(&job.request(), &error)
                        .instrument(span)
                        .await;
                }
                Err(error)
            }
        }
    }

    async fn run_job_inner(&self, job: &ImportJob, progress: Reporter) -> Result<(), Error> {
        let importer = Arc::new(self.platforms.importer(&job.platform)?);
        let request = job.request();
        let mut pause = self.options.backoff;
        let mut attempt = 0;
        loop {
            match self.try_job(&importer, job, &progress).await {
                Ok(()) => return Ok(()),
                Err(error) if attempt < self.options.retries => {
                    attempt += 1;
                    tracing::warn!(%error, attempt, "import job failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = pause.saturating_mul(2);
                }
                Err(error) => {
                    importer.record_error(&request, &error).await;
                    return Err(error);
                }
            }
        }
    }

    async fn try_job(
        &self,
        importer: &Arc<Importer>,
        job: &ImportJob,
        progress: &Reporter,
    ) -> Result<(), Error> {
        let request = job.request();
        match importer.start(&request).await? {
            Started::Finished(summary) if summary.status == ImportStatus::Completed => {}
            Started::Finished(_) => return Ok(()),
            Started::Run => {
                let summary = self.import(importer, job, progress).await?;
                if summary.status != ImportStatus::Completed {
                    return Ok(());
                }
            }
        }
        // Committed (by this run or an earlier one): the job ends once its outbox is empty.
        self.drain(importer, &request.id).await
    }

    /// Reads and validates the upload on a blocking thread, then plans, commits and invites,
    /// writing the progress to the log as it goes.
    async fn import(
        &self,
        importer: &Arc<Importer>,
        job: &ImportJob,
        progress: &Reporter,
    ) -> Result<crate::summary::ImportSummary, Error> {
        let request = job.request();
        // Held until the import ends: its share of the worker's memory budget, taken before
        // the upload is fetched (the upload's own size first, then the rest of the estimate),
        // so that no upload is held in memory outside the budget, however many are queued.
        let (upload, _admitted) = match &self.memory {
            Some((semaphore, total, gate)) => {
                let _turn = gate.lock().await;
                // A missing upload is fetched to say so, as without a budget.
                let size = match self.uploads.size(&job.platform, &request.id).await? {
                    Some(size) => size,
                    None => self.uploads.get(&job.platform, &request.id).await?.len() as u64,
                };
                let share = |mib: u64| u32::try_from(mib).unwrap_or(u32::MAX).clamp(1, *total);
                let first = share(size.div_ceil(MIB));
                tracing::debug!(upload_mib = first, "waiting for memory to fetch the upload");
                let acquire = |mib: u32| Arc::clone(semaphore).acquire_many_owned(mib);
                let refused = |error| StoreError::backend("admit the import", error);
                let permit = acquire(first).await.map_err(refused)?;
                self.admitted.fetch_add(u64::from(first), Ordering::SeqCst);
                let mut admission = Admission {
                    permit,
                    admitted: Arc::clone(&self.admitted),
                };
                let upload = self.uploads.get(&job.platform, &request.id).await?;
                let estimate = crate::estimate_import_bytes(&upload).div_ceil(MIB);
                let wanted = share(estimate).max(first);
                tracing::debug!(estimate_mib = estimate, "waiting for memory");
                if wanted > first {
                    admission.grow(acquire(wanted - first).await.map_err(refused)?);
                }
                (upload, Some(admission))
            }
            None => (self.uploads.get(&job.platform, &request.id).await?, None),
        };
        let (writer, logged) = ProgressWriter::start(
            Arc::clone(&importer.stores().log),
            request.id.clone(),
            self.options.progress_every,
        );
        let report: Reporter = {
            let progress = Arc::clone(progress);
            Arc::new(move |step: Progress| {
                logged(step);
                progress(step);
            })
        };
        let read = {
            let importer = Arc::clone(importer);
            let report = Arc::clone(&report);
            tokio::task::spawn_blocking(move || {
                importer.read(crate::Upload::from(upload), &*report)
            })
            .await
            .map_err(|error| StoreError::backend("read the upload on a blocking thread", error))?
        };
        let outcome = importer.finish(&request, read, &*report).await;
        writer.finish().await;
        outcome
    }

    /// Sends what the outbox of a committed import still holds (left by a worker that died
    /// while sending, once its claims expire), until nothing is left to send; failed
    /// deliveries wait for a resend. Past [`WorkerOptions::relay_wait`] the job is given back
    /// to the queue.
    async fn drain(&self, importer: &Importer, id: &ImportId) -> Result<(), Error> {
        let started = Instant::now();
        loop {
            let counts = importer.relay(id).await?;
            if counts.pending == 0 {
                return Ok(());
            }
            if started.elapsed() >= self.options.relay_wait {
                return Err(Error::Store(StoreError::backend(
                    "send the invitations",
                    format!(
                        "{} invitations of import {id} are still claimed by another sender",
                        counts.pending
                    ),
                )));
            }
            tokio::time::sleep(self.options.relay_every).await;
        }
    }
}
