//! Background imports: submit answers at once, a worker runs the job, replays and retries
//! import once, and a crash between steps loses nothing.

use std::sync::Arc;

use user_import::jobs::{
    Platforms, QueueOptions, SqliteQueue, Submission, Submitted, Submitter, Uploads, Worker,
    WorkerOptions,
};
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::testing::workbook;
use user_import::{ImportId, ImportLog, ImportStatus, Importer, Limits, Schema, Stores};

/// A queue in a folder of its own, a submitter over it, and a worker of `platforms`.
struct Queued {
    _folder: TempFolder,
    queue: SqliteQueue,
    submitter: Submitter,
    worker: Worker,
}

/// A queue, its submitter and worker, over one memory store per platform.
struct Setup {
    queued: Queued,
    stores: Vec<(String, Arc<MemoryStore>)>,
    mailer: Arc<MemoryMailer>,
}

impl std::ops::Deref for Setup {
    type Target = Queued;

    fn deref(&self) -> &Queued {
        &self.queued
    }
}

struct TempFolder(std::path::PathBuf);

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_folder(name: &str) -> TempFolder {
    let path = std::env::temp_dir().join(format!(
        "user-import-jobs-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&path).unwrap();
    TempFolder(path)
}

async fn queued(name: &str, platforms: Arc<dyn Platforms>, options: WorkerOptions) -> Queued {
    let uploads = Arc::new(user_import::jobs::object_store::memory::InMemory::new());
    queued_on(name, platforms, options, uploads).await
}

/// [`queued`] with the uploads kept in `uploads`.
async fn queued_on(
    name: &str,
    platforms: Arc<dyn Platforms>,
    options: WorkerOptions,
    uploads: Arc<dyn user_import::jobs::object_store::ObjectStore>,
) -> Queued {
    let folder = temp_folder(name);
    let queue_options = QueueOptions {
        heartbeat: std::time::Duration::from_secs(1),
        missed_heartbeats: 2,
        max_attempts: 3,
    };
    let queue = SqliteQueue::open(&folder.0.join("jobs.db"), queue_options)
        .await
        .unwrap();
    let uploads = Uploads::new(uploads);
    let submitter = Submitter::new(uploads.clone(), Arc::new(queue.clone()), Limits::default());
    let worker = Worker::new(platforms, uploads, options);
    Queued {
        _folder: folder,
        queue,
        submitter,
        worker,
    }
}

async fn setup(name: &str, platforms: &[&str]) -> Setup {
    let mailer = Arc::new(MemoryMailer::new());
    let stores: Vec<(String, Arc<MemoryStore>)> = platforms
        .iter()
        .map(|platform| {
            let store = Arc::new(MemoryStore::new());
            store.add_group("nurses", "Nurses");
            (platform.to_string(), store)
        })
        .collect();
    let by_platform = stores.clone();
    let worker_mailer = Arc::clone(&mailer);
    let platforms = move |platform: &str| {
        let store = by_platform
            .iter()
            .find(|(name, _)| name == platform)
            .map(|(_, store)| Arc::clone(store))
            .ok_or_else(|| {
                user_import::Error::Store(user_import::StoreError::NotFound {
                    what: format!("platform {platform}"),
                })
            })?;
        Ok(Importer::new(
            Schema::default(),
            Stores::single(store, Arc::clone(&worker_mailer)),
        ))
    };
    let queued = queued(
        name,
        Arc::new(platforms),
        WorkerOptions {
            concurrency: 2,
            backoff: std::time::Duration::from_millis(10),
            ..WorkerOptions::default()
        },
    )
    .await;
    Setup {
        queued,
        stores,
        mailer,
    }
}

impl Setup {
    fn store(&self, platform: &str) -> &Arc<MemoryStore> {
        &self
            .stores
            .iter()
            .find(|(name, _)| name == platform)
            .unwrap()
            .1
    }

    /// No record, no upload and no job for `id`: a refused submission kept nothing.
    async fn assert_nothing_kept(&self, platform: &str, id: &str) {
        let id = ImportId::from(id);
        assert_eq!(self.store(platform).get(&id).await.unwrap(), None);
        assert_eq!(
            self.submitter.uploads().size(platform, &id).await.unwrap(),
            None
        );
        assert!(self.queue_is_idle().await);
    }
}

impl Queued {
    /// Works the queue until it is idle; the worker must end well.
    async fn work_until_idle(&self) {
        let stop = self.worker.until_idle(Arc::new(self.queue.clone()));
        tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.worker.work_sqlite(&self.queue, stop),
        )
        .await
        .expect("the worker went idle within a minute")
        .expect("the worker ended well");
    }

    async fn queue_is_idle(&self) -> bool {
        use user_import::jobs::JobQueue;
        self.queue.is_idle().await.unwrap()
    }
}

fn users(prefix: &str, count: usize) -> Vec<u8> {
    crate::common::users_workbook(prefix, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_answers_pending_and_a_worker_completes_it() {
    let setup = setup("complete", &["acme"]).await;
    let mut submission = Submission::new("acme", "spring", "spring.xlsx");
    submission.groups = vec!["Nurses".into()];
    submission.message = "Welcome".into();
    let submitted = setup
        .submitter
        .submit(setup.store("acme").as_ref(), &submission, users("ann", 3))
        .await
        .unwrap();
    assert_eq!(
        submitted,
        Submitted::Queued {
            id: ImportId::from("spring")
        }
    );
    let record = setup
        .store("acme")
        .get(&ImportId::from("spring"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, ImportStatus::Pending);
    assert_eq!(record.file_name, "spring.xlsx");
    assert_eq!(record.message, "Welcome");
    assert!(!setup.queue_is_idle().await);

    setup.work_until_idle().await;

    let record = setup
        .store("acme")
        .get(&ImportId::from("spring"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, ImportStatus::Completed);
    let summary = record.summary.unwrap();
    assert_eq!(summary.counts.created, 3);
    assert_eq!(summary.invitations.sent, 3);
    let mut sent: Vec<String> = setup
        .mailer
        .delivered()
        .into_iter()
        .map(|i| i.email)
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        ["ann0@example.com", "ann1@example.com", "ann2@example.com"]
    );
    assert_eq!(setup.store("acme").snapshot().users.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_submission_of_an_id_is_a_replay_that_imports_nothing_more() {
    let setup = setup("replay", &["acme"]).await;
    let submission = Submission::new("acme", "twice", "first.xlsx");
    let store = setup.store("acme").as_ref();
    let file = users("ann", 2);
    setup
        .submitter
        .submit(store, &submission, file.clone())
        .await
        .unwrap();
    // The twin carries another file: the first one is the one imported, and it says so.
    let twin = setup
        .submitter
        .submit(store, &submission, users("bob", 5))
        .await
        .unwrap();
    assert_eq!(
        twin,
        Submitted::Replay {
            id: ImportId::from("twice"),
            status: ImportStatus::Pending,
            same_file: false,
            summary: None,
        }
    );
    setup.work_until_idle().await;
    let again = setup
        .submitter
        .submit(store, &submission, file)
        .await
        .unwrap();
    let Submitted::Replay {
        status,
        same_file,
        summary,
        ..
    } = again
    else {
        panic!("expected a replay, got {again:?}");
    };
    assert_eq!((status, same_file), (ImportStatus::Completed, true));
    assert_eq!(summary.unwrap().counts.created, 2);
    assert_eq!(setup.store("acme").snapshot().users.len(), 2);
    assert_eq!(setup.mailer.delivered().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_problems_fails_once_and_a_retry_is_a_new_attempt() {
    let setup = setup("retry", &["acme"]).await;
    let store = setup.store("acme").as_ref();
    let bad = workbook(
        &Schema::default(),
        &[&["Ann Lee", "not an email", "CA", "CA-QC", "en"]],
    );
    let mut submission = Submission::new("acme", "fix-me", "users.xlsx");
    setup
        .submitter
        .submit(store, &submission, bad)
        .await
        .unwrap();
    setup.work_until_idle().await;
    let failed = store.get(&ImportId::from("fix-me")).await.unwrap().unwrap();
    assert_eq!(failed.status, ImportStatus::Failed);
    assert_eq!(
        failed.summary.as_ref().unwrap().reason,
        "1 problem in 1 row; fix the file and upload it again"
    );

    // Without `retry`, the failed id answers its outcome.
    let replay = setup
        .submitter
        .submit(store, &submission, users("ann", 1))
        .await
        .unwrap();
    assert_eq!(replay.status(), ImportStatus::Failed);
    // With it, a new attempt imports the fixed file, and the failed record stays as it was.
    submission.retry = true;
    let retried = setup
        .submitter
        .submit(store, &submission, users("ann", 1))
        .await
        .unwrap();
    assert_eq!(
        retried,
        Submitted::Queued {
            id: ImportId::from("fix-me~2")
        }
    );
    setup.work_until_idle().await;
    let second = store
        .get(&ImportId::from("fix-me~2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.status, ImportStatus::Completed);
    assert_eq!(second.summary.unwrap().counts.created, 1);
    assert_eq!(
        store.get(&ImportId::from("fix-me")).await.unwrap().unwrap(),
        failed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_size_limit_is_refused_before_anything_is_kept() {
    let setup = setup("limit", &["acme"]).await;
    let small = Submitter::new(
        setup.submitter.uploads().clone(),
        Arc::new(setup.queue.clone()),
        Limits {
            max_file_bytes: 10,
            ..Limits::default()
        },
    );
    let store = setup.store("acme").as_ref();
    let error = small
        .submit(
            store,
            &Submission::new("acme", "big", "big.xlsx"),
            vec![0; 11],
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "file.limit_exceeded");
    assert_eq!(
        error.to_string(),
        "the file size in bytes (11) exceeds the limit of 10; split the users over several files"
    );
    setup.assert_nothing_kept("acme", "big").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_over_their_limit_are_refused_before_anything_is_kept() {
    let setup = setup("notes", &["acme"]).await;
    let store = setup.store("acme").as_ref();
    let mut submission = Submission::new("acme", "noted", "noted.xlsx");
    submission.notes = "é".repeat(2_001);
    let error = setup
        .submitter
        .submit(store, &submission, users("ann", 1))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "request.too_long");
    assert_eq!(
        error.to_string(),
        "the notes: 2001 characters, more than the 2000 allowed; shorten it"
    );
    setup.assert_nothing_kept("acme", "noted").await;
    // At the limit, the same submission is queued.
    submission.notes = "é".repeat(2_000);
    setup
        .submitter
        .submit(store, &submission, users("ann", 1))
        .await
        .unwrap();
    assert!(!setup.queue_is_idle().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platforms_keep_their_own_uploads_records_and_users() {
    let setup = setup("tenants", &["acme", "globex"]).await;
    let submission = |platform: &str| Submission::new(platform, "same-id", "users.xlsx");
    setup
        .submitter
        .submit(
            setup.store("acme").as_ref(),
            &submission("acme"),
            users("acme", 2),
        )
        .await
        .unwrap();
    let other = setup
        .submitter
        .submit(
            setup.store("globex").as_ref(),
            &submission("globex"),
            users("globex", 3),
        )
        .await
        .unwrap();
    assert_eq!(
        other,
        Submitted::Queued {
            id: ImportId::from("same-id")
        }
    );
    setup.work_until_idle().await;
    assert_eq!(setup.store("acme").snapshot().users.len(), 2);
    assert_eq!(setup.store("globex").snapshot().users.len(), 3);
}

/// A mail service that never answers for one address and hands the rest to `inner`.
struct HangsOn {
    email: &'static str,
    inner: MemoryMailer,
}

#[user_import::async_trait]
impl user_import::Mailer for HangsOn {
    async fn send(&self, invitations: &[user_import::Invitation]) -> Vec<user_import::Delivery> {
        if invitations.iter().any(|i| i.email == self.email) {
            std::future::pending::<()>().await;
        }
        self.inner.send(invitations).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_service_that_hangs_fails_that_invitation_and_the_next_ones_go_out() {
    let store = Arc::new(MemoryStore::new());
    let delivered = MemoryMailer::new();
    let hangs = HangsOn {
        email: "ann1@example.com",
        inner: delivered.clone(),
    };
    let mailer = user_import::jobs::TimeoutMailer::new(
        Arc::new(hangs),
        std::time::Duration::from_millis(200),
    );
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::clone(&store), Arc::new(mailer)),
    );
    let request = user_import::ImportRequest::new("hang", "hang.xlsx");
    let summary = importer
        .run(&request, &users("ann", 3), &|_| {})
        .await
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(
        (summary.invitations.sent, summary.invitations.failed),
        (2, 1)
    );
    assert_eq!(
        summary.invitations.failures,
        [(
            "ann1@example.com".to_string(),
            "the mail service did not answer within 200 ms; a resend tries again".to_string()
        )]
    );
    let mut sent: Vec<String> = delivered.delivered().into_iter().map(|i| i.email).collect();
    sent.sort();
    assert_eq!(sent, ["ann0@example.com", "ann2@example.com"]);
    // The service answers again: a resend delivers the one that hung, and only it.
    let resender = Importer::new(
        Schema::default(),
        Stores::single(Arc::clone(&store), Arc::new(delivered.clone())),
    );
    let resent = resender
        .resend_invitations(&ImportId::from("hang"))
        .await
        .unwrap();
    assert_eq!((resent.sent, resent.failed), (1, 0));
    assert_eq!(delivered.delivered().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_panics_fails_its_import_and_the_worker_runs_the_next() {
    let buggy = Arc::new(MemoryStore::new());
    let sound = Arc::new(MemoryStore::new());
    let mailer = Arc::new(MemoryMailer::new());
    let platforms = {
        let (buggy, sound, mailer) = (Arc::clone(&buggy), Arc::clone(&sound), Arc::clone(&mailer));
        move |platform: &str| {
            let stores = if platform == "buggy" {
                // Only the user store is faulty, and its first call (the lookup of the file's
                // emails) panics: the log's calls, progress writes among them, come at times
                // of their own and are not counted.
                let faulty = user_import::faults::Faulty::new(Arc::clone(&buggy))
                    .with_fault(user_import::faults::Fault::Panic(1));
                Stores {
                    users: Arc::new(faulty),
                    ..Stores::single(Arc::clone(&buggy), Arc::clone(&mailer))
                }
            } else {
                Stores::single(Arc::clone(&sound), Arc::clone(&mailer))
            };
            Ok(Importer::new(Schema::default(), stores))
        }
    };
    let queued = queued(
        "panic",
        Arc::new(platforms),
        WorkerOptions {
            backoff: std::time::Duration::from_millis(10),
            retries: 0,
            ..WorkerOptions::default()
        },
    )
    .await;
    queued
        .submitter
        .submit(
            buggy.as_ref(),
            &Submission::new("buggy", "first", "first.xlsx"),
            users("ann", 2),
        )
        .await
        .unwrap();
    queued
        .submitter
        .submit(
            sound.as_ref(),
            &Submission::new("sound", "second", "second.xlsx"),
            users("bob", 2),
        )
        .await
        .unwrap();
    // The worker lives on past the panic and ends well.
    queued.work_until_idle().await;

    let failed = buggy.get(&ImportId::from("first")).await.unwrap().unwrap();
    assert_eq!(failed.status, ImportStatus::Failed);
    let reason = failed.summary.unwrap().reason;
    assert!(
        reason
            .contains("the import stopped on an internal error (a panic: injected panic on call 1"),
        "{reason}"
    );
    assert!(buggy.snapshot().users.is_empty(), "nothing written");
    let completed = sound.get(&ImportId::from("second")).await.unwrap().unwrap();
    assert_eq!(completed.status, ImportStatus::Completed);
    assert_eq!(sound.snapshot().users.len(), 2);
    let sent: Vec<String> = mailer.delivered().into_iter().map(|i| i.email).collect();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|email| email.starts_with("bob")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_budget_admits_one_import_at_a_time_when_two_do_not_fit() {
    let store = Arc::new(MemoryStore::new());
    let mailer = Arc::new(MemoryMailer::new());
    let files: Vec<Vec<u8>> = (0..3).map(|i| users(&format!("m{i}-"), 3_000)).collect();
    let mib = 1024 * 1024;
    let estimate = user_import::estimate_import_bytes(&files[0]).div_ceil(mib) * mib;
    // Room for one of these imports, not two.
    let budget = estimate * 3 / 2;
    let platforms = {
        let (store, mailer) = (Arc::clone(&store), Arc::clone(&mailer));
        move |_: &str| {
            Ok(Importer::new(
                Schema::default(),
                Stores::single(Arc::clone(&store), Arc::clone(&mailer)),
            ))
        }
    };
    // Every fetch of an upload notes the memory admitted at that moment.
    let watched = Arc::new(Watched::default());
    let queued = queued_on(
        "memory",
        Arc::new(platforms),
        WorkerOptions {
            concurrency: 3,
            memory_budget: Some(budget),
            ..WorkerOptions::default()
        },
        watched.clone(),
    )
    .await;
    let worker = &queued.worker;
    watched.worker.set(worker.clone()).unwrap();
    for (i, file) in files.iter().enumerate() {
        let submission = Submission::new("acme", format!("memory-{i}"), "m.xlsx");
        queued
            .submitter
            .submit(store.as_ref(), &submission, file.clone())
            .await
            .unwrap();
    }
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (worker, done) = (worker.clone(), Arc::clone(&done));
        tokio::spawn(async move {
            let mut most = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                most = most.max(worker.memory_in_use());
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            most
        })
    };
    queued.work_until_idle().await;
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let most = sampler.await.unwrap();
    // The next import holds its upload's share (1 MiB) while it waits for the rest.
    assert_eq!(
        most,
        estimate + mib,
        "one import admitted at a time, at its estimate, and the next one's upload"
    );
    assert!(most <= budget);
    assert_eq!(worker.memory_in_use(), 0, "every admission given back");
    // Each upload was fetched once its share was admitted (the file's size, 1 MiB here), never
    // while it waited: a queue of large files holds none of them outside the budget.
    let fetched = watched.fetched.lock().unwrap().clone();
    assert_eq!(fetched.len(), 3, "{fetched:?}");
    assert!(
        fetched.iter().all(|admitted| *admitted >= mib),
        "memory admitted at each fetch: {fetched:?}"
    );
    for i in 0..3 {
        let record = store
            .get(&ImportId::from(format!("memory-{i}").as_str()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.status, ImportStatus::Completed);
    }
    assert_eq!(store.snapshot().users.len(), 9_000);
}

/// An in-memory object store that notes, at each read of an object, the memory the worker
/// has admitted.
#[derive(Debug, Default)]
struct Watched {
    inner: user_import::jobs::object_store::memory::InMemory,
    worker: std::sync::OnceLock<user_import::jobs::Worker>,
    fetched: std::sync::Mutex<Vec<u64>>,
}

impl std::fmt::Display for Watched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Watched({})", self.inner)
    }
}

#[async_trait::async_trait]
impl user_import::jobs::object_store::ObjectStore for Watched {
    async fn put_opts(
        &self,
        location: &ObjectPath,
        payload: object_store::PutPayload,
        opts: object_store::PutOptions,
    ) -> object_store::Result<object_store::PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &ObjectPath,
        opts: object_store::PutMultipartOptions,
    ) -> object_store::Result<Box<dyn object_store::MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &ObjectPath,
        options: object_store::GetOptions,
    ) -> object_store::Result<object_store::GetResult> {
        if !options.head {
            let admitted = self.worker.get().map_or(0, |w| w.memory_in_use());
            self.fetched.lock().unwrap().push(admitted);
        }
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: futures_util::stream::BoxStream<'static, object_store::Result<ObjectPath>>,
    ) -> futures_util::stream::BoxStream<'static, object_store::Result<ObjectPath>> {
        self.inner.delete_stream(locations)
    }

    fn list(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> futures_util::stream::BoxStream<'static, object_store::Result<object_store::ObjectMeta>>
    {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> object_store::Result<object_store::ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        options: object_store::CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

use user_import::jobs::object_store;
use user_import::jobs::object_store::path::Path as ObjectPath;
