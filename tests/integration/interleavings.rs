//! Concurrent imports against a sequential model: a proptest state machine whose steps are
//! batches of imports run at once (their store calls interleaved at random by a store that
//! yields around every call, on a multi-threaded runtime) and changes of the store's seat
//! limit. After each batch, some order of its imports, run one after the other through the
//! model, must explain every import's outcome (completed or failed on the seat limit, how many
//! users it created and found) and the store's users: the imports are serializable, whatever
//! the interleaving.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use user_import::conformance::Conformant;
use user_import::faults::Faulty;
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{ImportRequest, ImportStatus, Importer, IssueCode, Schema, Stores};

/// The emails the imports draw from.
const POOL: usize = 6;

fn email(n: usize) -> String {
    format!("person{n}@example.com")
}

/// One step of the machine.
#[derive(Debug, Clone)]
enum Step {
    /// Imports run at once, each naming these emails of the pool.
    Batch(Vec<BTreeSet<usize>>),
    /// The store's seat limit becomes this.
    Limit(Option<u64>),
}

fn step() -> impl Strategy<Value = Step> {
    let import = prop::collection::btree_set(0..POOL, 1..=4);
    prop_oneof![
        4 => prop::collection::vec(import, 2..=4).prop_map(Step::Batch),
        1 => prop::option::of(1..=POOL as u64).prop_map(Step::Limit),
    ]
}

/// What one import did, as the model and the engine both say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Outcome {
    completed: bool,
    created: u64,
    found: u64,
}

/// The model: the emails that have a user, and the seat limit.
#[derive(Debug, Clone, Default)]
struct Model {
    users: BTreeSet<usize>,
    limit: Option<u64>,
}

impl Model {
    /// One import, alone: the new emails are created unless they do not fit in the seats.
    fn import(&mut self, emails: &BTreeSet<usize>) -> Outcome {
        let new: Vec<usize> = emails.difference(&self.users).copied().collect();
        let found = (emails.len() - new.len()) as u64;
        let over = self
            .limit
            .is_some_and(|limit| !new.is_empty() && (self.users.len() + new.len()) as u64 > limit);
        if over {
            return Outcome {
                completed: false,
                created: 0,
                found: 0,
            };
        }
        self.users.extend(&new);
        Outcome {
            completed: true,
            created: new.len() as u64,
            found,
        }
    }
}

/// Threads that wait for each other, `n` of them, or for 300 ms at most.
struct Meeting {
    arrived: std::sync::Mutex<usize>,
    all: std::sync::Condvar,
    n: usize,
}

impl Meeting {
    fn new(n: usize) -> Meeting {
        Meeting {
            arrived: std::sync::Mutex::new(0),
            all: std::sync::Condvar::new(),
            n,
        }
    }

    fn wait(&self) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all.notify_all();
        let _ = self
            .all
            .wait_timeout_while(arrived, std::time::Duration::from_millis(300), |a| {
                *a < self.n
            })
            .unwrap();
    }
}

/// Every order of `0..n`.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for rest in orders(n - 1) {
        for at in 0..=rest.len() {
            let mut order = rest.clone();
            order.insert(at, n - 1);
            all.push(order);
        }
    }
    all
}

/// The store under test, and how to set its seat limit.
#[async_trait]
trait Limited: Conformant + Clone + 'static {
    async fn limit(&self, limit: Option<u64>);
}

#[async_trait]
impl Limited for MemoryStore {
    async fn limit(&self, limit: Option<u64>) {
        self.set_seat_limit(limit);
    }
}

#[cfg(feature = "sqlite")]
#[async_trait]
impl Limited for user_import::adapters::sqlite::SqliteStore {
    async fn limit(&self, limit: Option<u64>) {
        self.set_seat_limit(limit)
            .await
            .expect("set the seat limit");
    }
}

/// Runs `steps` on `store` and checks each batch against the model; answers the first
/// disagreement.
async fn run_machine<S: Limited>(store: S, steps: &[Step]) -> Result<(), String> {
    let mut model = Model::default();
    let keys: Vec<String> = (0..POOL).map(email).collect();
    for (n, step) in steps.iter().enumerate() {
        let batch = match step {
            Step::Limit(limit) => {
                store.limit(*limit).await;
                model.limit = *limit;
                continue;
            }
            Step::Batch(batch) => batch,
        };
        // The imports of a batch meet before their first plan and again before their first
        // commit, so that they plan against the same state and their commits race (a commit
        // refused on a conflict plans again). An import whose plan fails does not come to the
        // second meeting, which the others leave after a while.
        let planning = Arc::new(Meeting::new(batch.len()));
        let committing = Arc::new(Meeting::new(batch.len()));
        let tasks: Vec<_> = batch
            .iter()
            .enumerate()
            .map(|(i, emails)| {
                let (planning, committing) = (planning.clone(), committing.clone());
                let met = std::sync::Mutex::new(BTreeSet::new());
                let progress = move |p: user_import::Progress| {
                    if met.lock().unwrap().insert(p.phase as u8) {
                        match p.phase {
                            user_import::Phase::Planning => planning.wait(),
                            user_import::Phase::Committing => committing.wait(),
                            _ => {}
                        }
                    }
                };
                let stores = Stores::single(
                    Arc::new(Faulty::new(store.clone()).yielding()),
                    Arc::new(MemoryMailer::new()),
                );
                let importer = Importer::new(Schema::default(), stores);
                let file: Vec<String> = emails.iter().map(|e| email(*e)).collect();
                let bytes = user_import::testing::workbook_of_emails(&file);
                let request = ImportRequest::new(format!("step{n}-import{i}"), "users.xlsx");
                tokio::spawn(async move { importer.run(&request, &bytes, &progress).await })
            })
            .collect();
        let mut seen = Vec::new();
        for task in tasks {
            let summary = task.await.map_err(|e| e.to_string())?;
            let summary = summary.map_err(|e| format!("step {n}: an import answered {e}"))?;
            if summary.status == ImportStatus::Failed {
                let codes: Vec<IssueCode> = summary.issues.iter().map(|i| i.code).collect();
                if codes != [IssueCode::SeatLimit] {
                    return Err(format!("step {n}: an import failed with {codes:?}"));
                }
            }
            seen.push(Outcome {
                completed: summary.status == ImportStatus::Completed,
                created: summary.counts.created,
                found: summary.counts.existing(),
            });
        }
        let users: BTreeSet<usize> = (store.find_by_email_keys(&keys).await)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|user| keys.iter().position(|k| *k == user.email_key).unwrap())
            .collect();
        let explained = orders(batch.len()).into_iter().find_map(|order| {
            let mut trial = model.clone();
            let mut outcomes = vec![None; batch.len()];
            for i in order {
                outcomes[i] = Some(trial.import(&batch[i]));
            }
            let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
            (outcomes == seen && trial.users == users).then_some(trial)
        });
        match explained {
            Some(next) => model = next,
            None => {
                return Err(format!(
                    "step {n}: no order of {batch:?} explains {seen:?} and users {users:?} \
                     from {model:?}"
                ));
            }
        }
    }
    Ok(())
}

fn check_machine<S: Limited>(cases: u32, fresh: impl Fn() -> S) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    // A thread for each import of a batch (they block at their meeting), and one more.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(5)
        .enable_all()
        .build()
        .unwrap();
    let strategy = prop::collection::vec(step(), 1..=6);
    let result = runner.run(&strategy, |steps| {
        let store = fresh();
        runtime
            .block_on(run_machine(store, &steps))
            .map_err(TestCaseError::fail)
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[test]
fn concurrent_imports_on_the_memory_store_match_some_sequential_order() {
    check_machine(96, MemoryStore::new);
}

#[cfg(feature = "sqlite")]
#[test]
fn concurrent_imports_on_sqlite_match_some_sequential_order() {
    use user_import::adapters::sqlite::SqliteStore;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("interleavings");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("machine-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}", path.display());
    let base = runtime.block_on(async {
        let store = SqliteStore::connect(&url, "machine").await.unwrap();
        store.migrate().await.unwrap();
        store
    });
    let next = std::sync::atomic::AtomicU64::new(0);
    // One database, a fresh platform per case.
    check_machine(24, || {
        let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        base.for_platform(format!("case-{n}"))
    });
}

#[test]
fn the_model_orders_are_every_permutation() {
    let all = orders(3);
    assert_eq!(all.len(), 6);
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 6);
}

/// A user store over which another import commits `email` right after the first lookup has
/// answered: between the import's lookups and anything it reads after them.
struct CommitsAfterTheFirstLookup {
    inner: MemoryStore,
    email: &'static str,
    done: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl user_import::UserStore for CommitsAfterTheFirstLookup {
    async fn find_by_email_keys(
        &self,
        keys: &[String],
    ) -> Result<Vec<user_import::ExistingUser>, user_import::StoreError> {
        let found = self.inner.find_by_email_keys(keys).await;
        if !self.done.swap(true, std::sync::atomic::Ordering::SeqCst) {
            self.inner.add_user("Ann Other", self.email, &[]);
        }
        found
    }

    async fn count_active_users(&self) -> Result<u64, user_import::StoreError> {
        self.inner.count_active_users().await
    }

    async fn commit(
        &self,
        commit: &user_import::Commit,
    ) -> Result<user_import::CommitReceipt, user_import::StoreError> {
        self.inner.commit(commit).await
    }

    async fn seat_limit(&self) -> Result<Option<u64>, user_import::StoreError> {
        self.inner.seat_limit().await
    }

    async fn created_users(
        &self,
        import: &user_import::ImportId,
        after_row: u32,
        limit: usize,
    ) -> Result<Vec<user_import::CreatedUser>, user_import::StoreError> {
        self.inner.created_users(import, after_row, limit).await
    }
}

/// The seats are read before the users are looked up: a user committed in between is found,
/// not also counted as active beside a seat to create for it. Read the other way round, the
/// import below fails on a seat limit no order of the two imports explains (found by the state
/// machine above, now and then).
#[tokio::test]
async fn a_user_committed_between_the_plans_reads_does_not_fail_it_on_seats() {
    let store = MemoryStore::new();
    store.set_seat_limit(Some(1));
    let users = Arc::new(CommitsAfterTheFirstLookup {
        inner: store.clone(),
        email: "ann@example.com",
        done: Default::default(),
    });
    let mut stores = Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new()));
    stores.users = users;
    let importer = Importer::new(Schema::default(), stores);
    let bytes = user_import::testing::workbook_of_emails(&["ann@example.com".to_string()]);
    let summary = importer
        .run(&ImportRequest::new("late", "users.xlsx"), &bytes, &|_| {})
        .await
        .unwrap();
    // Planned against the lookup that missed Ann (one user to create, no one active), refused
    // by the commit (Ann's email is taken), planned again: Ann is found, nothing is created.
    assert_eq!(
        summary.status,
        ImportStatus::Completed,
        "{:?}",
        summary.issues
    );
    assert_eq!((summary.counts.created, summary.counts.existing()), (0, 1));
    assert_eq!(summary.attempts, 2);
    assert_eq!(
        user_import::UserStore::count_active_users(&store)
            .await
            .unwrap(),
        1
    );
}
