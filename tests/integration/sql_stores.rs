//! The SQL stores on real databases: a SQLite file and a real PostgreSQL server (started by
//! `scripts/test`, found through `USER_IMPORT_TEST_POSTGRES_URL`; plain `cargo test` skips the
//! PostgreSQL tests as ignored, `scripts/test` runs them). Each backend runs the
//! conformance suite, the fault-injection property test (a failed import leaves the store as it
//! was, for a fault on every call) and 16 concurrent imports; PostgreSQL also runs 8 importers
//! on 8 separate connections. Every test works in its own platform (tenant), or its own SQLite
//! file, so the tests run in parallel.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use user_import::adapters::Snapshot;
use user_import::conformance::{self, Conformant};
use user_import::faults::{Fault, Faulty};
use user_import::memory::MemoryMailer;
use user_import::{
    CourseId, DeliveryStatus, GroupId, ImportRequest, ImportStatus, ImportSummary, Importer,
    IssueCode, Schema, Stores, UserId,
};

use crate::common::filled;

mod tenants;

/// The tests every SQL backend runs; `$make` is an async fn (tag) -> store, and the attributes
/// after it (an `#[ignore]` for a backend that needs a server) go on every test.
macro_rules! backend_tests {
    ($make:ident $(, #[$attr:meta])*) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn passes_the_conformance_suite() {
            let base = $make("conformance").await;
            conformance::run_all(|| {
                let store = base.fresh();
                async move { store }
            })
            .await;
        }

        #[test]
        $(#[$attr])*
        fn a_failed_import_leaves_the_store_as_it_was_for_a_fault_on_every_call() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let base = runtime.block_on($make("faults"));
            fault_on_every_call(&runtime, &base);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $(#[$attr])*
        async fn sixteen_concurrent_imports_never_duplicate_or_overrun() {
            let base = $make("sixteen").await;
            sixteen_concurrent_imports(&base).await;
        }

        #[tokio::test]
        $(#[$attr])*
        async fn an_import_commits_everything_in_one_go_and_sends_from_the_outbox() {
            let base = $make("import").await;
            full_import(&base).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $(#[$attr])*
        async fn twin_runs_of_one_id_commit_once_and_never_fail_a_completed_import() {
            let base = $make("twins").await;
            twins_of_one_id(&base).await;
        }

        #[tokio::test]
        $(#[$attr])*
        async fn a_commit_whose_answer_is_lost_ends_completed_and_invites() {
            let base = $make("lost").await;
            lost_commit_answer(&base).await;
        }

        #[tokio::test]
        $(#[$attr])*
        async fn platforms_sharing_a_database_do_not_see_each_other() {
            let base = $make("tenants").await;
            tenants(&base).await;
        }

        #[tokio::test]
        $(#[$attr])*
        async fn every_method_refuses_another_platforms_ids_and_so_does_the_database() {
            let base = $make("walls").await;
            tenants::another_platforms_ids_are_refused(&base).await;
        }

        #[tokio::test]
        $(#[$attr])*
        async fn a_claim_after_an_invitation_starts_past_it() {
            let base = $make("cursor").await;
            tenants::a_claim_after_an_invitation_starts_past_it(&base).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn a_seat_limit_lowered_while_an_import_waits_for_the_lock_fails_it() {
            let base = $make("seats").await;
            tenants::a_seat_limit_lowered_under_the_lock_holds(&base).await;
        }
    };
}

/// A platform id no other test (or earlier run on the same database) uses.
fn platform(tag: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{tag}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// What these tests need of a SQL store beyond the host traits.
#[async_trait]
trait SqlStore: Conformant + Clone + std::fmt::Debug + 'static {
    /// The same database, a new platform.
    fn fresh(&self) -> Self;
    async fn snap(&self) -> Snapshot;
    async fn user(&self, name: &str, email: &str, groups: &[&str]) -> UserId;
    fn platform_name(&self) -> String;
    /// Runs one statement as written, answering the database's error as text.
    async fn raw(&self, sql: &str) -> Result<(), String>;
    async fn limit_seats(&self, limit: Option<u64>);
    /// In one transaction: takes the platform's lock, sets the seat limit to `limit`, says so
    /// on `locked`, waits for `release`, then commits.
    async fn lower_seats_holding_the_lock(
        &self,
        limit: i64,
        locked: tokio::sync::oneshot::Sender<()>,
        release: tokio::sync::oneshot::Receiver<()>,
    );
}

/// Runs `sql` as written on `pool`, answering the database's error as text.
async fn raw_on<DB: user_import::adapters::sqlx::Database>(
    pool: &user_import::adapters::sqlx::Pool<DB>,
    sql: &str,
) -> Result<(), String>
where
    for<'c> &'c mut DB::Connection: user_import::adapters::sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments: user_import::adapters::sqlx::IntoArguments<DB>,
{
    use user_import::adapters::sqlx;
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(feature = "sqlite")]
mod sqlite_backend {
    use super::*;
    use user_import::adapters::sqlite::SqliteStore;

    #[async_trait]
    impl SqlStore for SqliteStore {
        fn fresh(&self) -> Self {
            self.for_platform(platform("sqlite"))
        }
        async fn snap(&self) -> Snapshot {
            self.snapshot().await.expect("snapshot")
        }
        async fn user(&self, name: &str, email: &str, groups: &[&str]) -> UserId {
            self.add_user(name, email, groups).await.expect("add user")
        }
        fn platform_name(&self) -> String {
            self.platform().to_string()
        }
        async fn raw(&self, sql: &str) -> Result<(), String> {
            raw_on(self.pool(), sql).await
        }
        async fn limit_seats(&self, limit: Option<u64>) {
            self.set_seat_limit(limit)
                .await
                .expect("set the seat limit");
        }
        async fn lower_seats_holding_the_lock(
            &self,
            limit: i64,
            locked: tokio::sync::oneshot::Sender<()>,
            release: tokio::sync::oneshot::Receiver<()>,
        ) {
            use user_import::adapters::sqlx;
            // BEGIN IMMEDIATE takes the database's write lock, as the commit does.
            let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
            sqlx::query("UPDATE ui_platforms SET seat_limit = $1 WHERE platform = $2")
                .bind(limit)
                .bind(self.platform())
                .execute(&mut *tx)
                .await
                .unwrap();
            locked.send(()).unwrap();
            release.await.unwrap();
            tx.commit().await.unwrap();
        }
    }

    /// A new SQLite file under cargo's temporary folder for tests, migrated.
    pub(super) async fn store(tag: &str) -> SqliteStore {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sqlite-stores");
        std::fs::create_dir_all(&dir).expect("create the SQLite folder");
        let name = platform(tag);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("{name}.db{suffix}")));
        }
        let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
        let store = SqliteStore::connect(&url, name).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        store
    }

    backend_tests!(store);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_import_of_100000_bad_rows_keeps_a_bounded_record() {
        use user_import::ImportLog;
        let store = store("bounded").await;
        let emails: Vec<String> = (0..100_000)
            .map(|i| format!("person{i}-at-example.com"))
            .collect();
        let bytes = user_import::testing::workbook_of_emails(&emails);
        let importer = Importer::new(
            Schema::default(),
            Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())),
        );
        let request = ImportRequest::new("bad", "bad.xlsx");
        let summary = importer.run(&request, &bytes, &|_| {}).await.unwrap();
        assert_eq!(summary.status, ImportStatus::Failed);
        assert_eq!(
            (
                summary.issues.len(),
                summary.issues_total,
                summary.counts.failed_rows
            ),
            (1_000, 100_000, 100_000)
        );
        assert_eq!(
            summary.issue_counts,
            BTreeMap::from([(IssueCode::EmailInvalid, 100_000)])
        );
        let record = store
            .get(&user_import::ImportId::from("bad"))
            .await
            .unwrap()
            .unwrap();
        let kept = record.summary.expect("the failed import's summary");
        // The first thousand rows, in order.
        let rows: Vec<u32> = kept.issues.iter().map(|i| i.row.unwrap()).collect();
        let first = rows[0];
        assert_eq!(rows, (first..first + 1_000).collect::<Vec<u32>>());
        assert_eq!(kept.issues_total, 100_000);
        let stored: i64 = user_import::adapters::sqlx::query_scalar(
            "SELECT length(summary) FROM ui_imports WHERE id = 'bad'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        eprintln!("the failed import's stored summary: {stored} bytes");
        assert!(
            stored < 1024 * 1024,
            "a record of 100,000 failed rows keeps {stored} bytes"
        );
    }

    #[tokio::test]
    async fn migrate_is_idempotent_and_the_schema_has_its_unique_index() {
        let store = store("migrate").await;
        store
            .migrate()
            .await
            .expect("a second migrate changes nothing");
        let index: String = user_import::adapters::sqlx::query_scalar(
            "SELECT sql FROM sqlite_master WHERE name = 'ui_users_email_key'",
        )
        .fetch_one(store.pool())
        .await
        .expect("the index exists");
        assert_eq!(
            index,
            "CREATE UNIQUE INDEX ui_users_email_key ON ui_users (platform, email_key)"
        );
    }
}

#[cfg(feature = "postgres")]
mod postgres_backend {
    use super::*;
    use user_import::adapters::postgres::PostgresStore;
    use user_import::adapters::sqlx::postgres::PgPoolOptions;

    #[async_trait]
    impl SqlStore for PostgresStore {
        fn fresh(&self) -> Self {
            self.for_platform(platform("pg"))
        }
        async fn snap(&self) -> Snapshot {
            self.snapshot().await.expect("snapshot")
        }
        async fn user(&self, name: &str, email: &str, groups: &[&str]) -> UserId {
            self.add_user(name, email, groups).await.expect("add user")
        }
        fn platform_name(&self) -> String {
            self.platform().to_string()
        }
        async fn raw(&self, sql: &str) -> Result<(), String> {
            raw_on(self.pool(), sql).await
        }
        async fn limit_seats(&self, limit: Option<u64>) {
            self.set_seat_limit(limit)
                .await
                .expect("set the seat limit");
        }
        async fn lower_seats_holding_the_lock(
            &self,
            limit: i64,
            locked: tokio::sync::oneshot::Sender<()>,
            release: tokio::sync::oneshot::Receiver<()>,
        ) {
            use user_import::adapters::sqlx;
            // The platform's row, locked as the commit locks it.
            let mut tx = self.pool().begin().await.unwrap();
            sqlx::query("SELECT platform FROM ui_platforms WHERE platform = $1 FOR UPDATE")
                .bind(self.platform())
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("UPDATE ui_platforms SET seat_limit = $1 WHERE platform = $2")
                .bind(limit)
                .bind(self.platform())
                .execute(&mut *tx)
                .await
                .unwrap();
            locked.send(()).unwrap();
            release.await.unwrap();
            tx.commit().await.unwrap();
        }
    }

    pub(super) fn url() -> String {
        std::env::var("USER_IMPORT_TEST_POSTGRES_URL").unwrap_or_else(|_| {
            panic!(
                "USER_IMPORT_TEST_POSTGRES_URL is not set: run scripts/test, which starts a \
                 throwaway PostgreSQL 15 cluster on loopback and sets it"
            )
        })
    }

    /// A store on the test server, in a platform of its own, migrated.
    pub(super) async fn store(tag: &str) -> PostgresStore {
        let store = PostgresStore::connect(&url(), platform(tag))
            .await
            .expect("connect to the test PostgreSQL (started by scripts/test)");
        store.migrate().await.expect("migrate PostgreSQL");
        store
    }

    backend_tests!(store, #[ignore = "needs PostgreSQL: run scripts/test"]);

    /// A commit of 10,000 users refreshes the statistics of the tables it grew: until then the
    /// planner takes a new platform for one row, and recording a batch of sent invitations
    /// walked every invitation of the platform.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs PostgreSQL: run scripts/test"]
    async fn a_commit_of_ten_thousand_users_refreshes_the_tables_statistics() {
        use user_import::adapters::sqlx;
        let store = store("analyze").await;
        let analyzed = || async {
            sqlx::query_scalar::<_, i64>(
                "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'ui_invitations'",
            )
            .fetch_one(store.pool())
            .await
            .unwrap()
        };
        let before = analyzed().await;
        let emails: Vec<String> = (0..10_000)
            .map(|i| format!("person{i}@example.com"))
            .collect();
        let bytes = user_import::testing::workbook_of_emails(&emails);
        let importer = Importer::new(
            Schema::default(),
            Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())),
        );
        let request = ImportRequest::new("bulk", "bulk.xlsx");
        let summary = importer.run(&request, &bytes, &|_| {}).await.unwrap();
        assert_eq!(summary.status, ImportStatus::Completed);
        assert_eq!(summary.counts.created, 10_000);
        assert!(
            analyzed().await > before,
            "ui_invitations was not analyzed after the commit"
        );
    }

    /// Eight importers, each on its own connection (its own pool of one), race for
    /// overlapping emails and the last seats of one platform.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    #[ignore = "needs PostgreSQL: run scripts/test"]
    async fn eight_importers_on_separate_connections_never_duplicate_or_overrun() {
        let first = store("eight").await;
        conformance::groups(&first, &[("g1", "Nurses")]).await;
        first.user("Existing", "person0@example.com", &[]).await;
        first.user("Existing", "person1@example.com", &["g1"]).await;
        let limit = 12u64;
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let mut tasks = Vec::new();
        let mut pids = BTreeSet::new();
        for i in 0..8usize {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(&url())
                .await
                .expect("connect");
            let pid: i32 = user_import::adapters::sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&pool)
                .await
                .unwrap();
            pids.insert(pid);
            let store = PostgresStore::new(pool, first.platform());
            let mailer = MemoryMailer::new();
            let importer = Importer::new(
                Schema::default(),
                Stores::single(Arc::new(store), Arc::new(mailer.clone())),
            )
            .max_attempts(9);
            // Six of sixteen emails each, overlapping the neighbours'.
            let emails: Vec<String> = (0..6).map(|j| email((i * 2 + j) % 16)).collect();
            let barrier = barrier.clone();
            tasks.push(tokio::spawn(async move {
                let bytes = upload_of(&emails);
                let mut request = ImportRequest::new(format!("worker-{i}"), "w.xlsx");
                request.seat_limit = Some(limit);
                request.groups = vec!["Nurses".into()];
                barrier.wait().await;
                let summary = importer.run(&request, &bytes, &|_| {}).await.unwrap();
                (request.id.0, emails, summary, mailer.delivered().len())
            }));
        }
        assert_eq!(pids.len(), 8, "eight separate server connections");
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        let state = first.snap().await;
        check_race(&state, &results, limit, 2);
        // The database agrees: no email key twice, whatever the platform's users.
        let duplicates: i64 = user_import::adapters::sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT email_key FROM ui_users WHERE platform = $1
             GROUP BY email_key HAVING count(*) > 1) AS d",
        )
        .bind(first.platform())
        .fetch_one(first.pool())
        .await
        .unwrap();
        assert_eq!(duplicates, 0);
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL: run scripts/test"]
    async fn migrate_is_idempotent_and_concurrent() {
        let a = store("migrate-a").await;
        let b = store("migrate-b").await;
        let (x, y) = tokio::join!(a.migrate(), b.migrate());
        x.expect("migrate");
        y.expect("migrate");
        let versions: Vec<i64> = user_import::adapters::sqlx::query_scalar(
            "SELECT version FROM ui_sqlx_migrations ORDER BY version",
        )
        .fetch_all(a.pool())
        .await
        .unwrap();
        assert_eq!(versions, [1, 2, 3, 4, 5], "each migration applied once");
    }
}

fn email(n: usize) -> String {
    format!("person{n}@example.com")
}

fn upload_of(emails: &[String]) -> Vec<u8> {
    let rows: Vec<Vec<&str>> = emails
        .iter()
        .map(|e| vec!["Racer", e.as_str(), "CA", "QC", "en"])
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    filled(&rows)
}

/// One generated row: an email from a small pool (so rows collide with each other and with
/// existing users), and whether the row is valid.
#[derive(Debug, Clone)]
struct GenRow {
    email: usize,
    valid: bool,
}

#[derive(Debug, Clone)]
struct Case {
    existing: Vec<usize>,
    rows: Vec<GenRow>,
    groups: Vec<&'static str>,
    seat_limit: Option<u64>,
}

fn case() -> impl Strategy<Value = Case> {
    let row =
        (0usize..10, prop::bool::weighted(0.9)).prop_map(|(email, valid)| GenRow { email, valid });
    (
        prop::collection::btree_set(0usize..10, 0..4),
        prop::collection::vec(row, 1..7),
        prop::sample::subsequence(vec!["Nurses", "g-night", "Pilots"], 0..=2),
        prop::option::of(0u64..9),
    )
        .prop_map(|(existing, rows, groups, seat_limit)| Case {
            existing: existing.into_iter().collect(),
            rows,
            groups,
            seat_limit,
        })
}

async fn seeded<S: SqlStore>(base: &S, case: &Case) -> S {
    let store = base.fresh();
    conformance::groups(
        &store,
        &[("g-nurses", "Nurses"), ("g-night", "Night shift")],
    )
    .await;
    for n in &case.existing {
        store.user("Existing", &email(*n), &["g-nurses"]).await;
    }
    store
}

fn case_upload(case: &Case) -> Vec<u8> {
    let emails: Vec<String> = case
        .rows
        .iter()
        .map(|r| {
            if r.valid {
                email(r.email)
            } else {
                format!("person{}@", r.email)
            }
        })
        .collect();
    let rows: Vec<Vec<&str>> = emails
        .iter()
        .map(|e| vec!["Generated User", e.as_str(), "FR", "FR-75C", "fr"])
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    filled(&rows)
}

fn case_request(case: &Case) -> ImportRequest {
    let mut request = ImportRequest::new("prop", "prop.xlsx");
    request.groups = case.groups.iter().map(|g| g.to_string()).collect();
    request.seat_limit = case.seat_limit;
    request.message = "Welcome".into();
    request
}

/// For random files and a store that fails its Nth call, for every N: a failed import leaves
/// the store's tables exactly as they were and sends nothing; a completed one committed
/// everything.
fn fault_on_every_call<S: SqlStore>(runtime: &tokio::runtime::Runtime, base: &S) {
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome =
        runner.run(&case(), |case| {
            runtime.block_on(async {
                let bytes = case_upload(&case);
                let request = case_request(&case);
                let calls = {
                    let store = Faulty::new(seeded(base, &case).await);
                    let importer = Importer::new(
                        Schema::default(),
                        Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())),
                    );
                    importer.run(&request, &bytes, &|_| {}).await.unwrap();
                    store.calls()
                };
                prop_assert!(calls >= 3);
                for n in 1..=calls {
                    let store = seeded(base, &case).await;
                    let before = store.snap().await;
                    let mailer = MemoryMailer::new();
                    let importer = Importer::new(
                        Schema::default(),
                        Stores::single(
                            Arc::new(Faulty::new(store.clone()).with_fault(Fault::Fail(n))),
                            Arc::new(mailer.clone()),
                        ),
                    );
                    let outcome = importer.run(&request, &bytes, &|_| {}).await;
                    let after = store.snap().await;
                    match outcome {
                        Ok(summary) if summary.status == ImportStatus::Completed => {
                            for created in &summary.created {
                                prop_assert!(
                                    after.users.iter().any(|u| u.id == created.id.0
                                        && u.import.as_deref() == Some("prop")),
                                    "call {}: created user {} exists",
                                    n,
                                    created.id
                                );
                            }
                            prop_assert_eq!(
                                after.users.len(),
                                before.users.len() + summary.created.len(),
                                "call {}: exactly the planned users were created",
                                n
                            );
                            prop_assert_eq!(
                                after.invitations.len(),
                                summary.created.len(),
                                "call {}: one invitation per created user",
                                n
                            );
                            prop_assert_eq!(&after.committed, &vec!["prop".to_string()]);
                        }
                        _ => {
                            prop_assert_eq!(
                                after.without_log(),
                                before.without_log(),
                                "call {}: nothing changed",
                                n
                            );
                            prop_assert!(
                                mailer.delivered().is_empty(),
                                "call {}: no invitation sent",
                                n
                            );
                        }
                    }
                }
                Ok(())
            })
        });
    if let Err(error) = outcome {
        panic!("{error}");
    }
}

/// What one racing import answered: its id, the emails of its file, its summary, and how many
/// invitations its mailer delivered.
type Raced = (String, Vec<String>, ImportSummary, usize);

/// The race's promises, checked on the store's tables: no email twice, the seat limit held,
/// each import all or nothing, each completed one as if it ran alone.
fn check_race(state: &Snapshot, results: &[Raced], limit: u64, existing: usize) {
    let keys: BTreeSet<&str> = state.users.iter().map(|u| u.email_key.as_str()).collect();
    assert_eq!(keys.len(), state.users.len(), "no email has two accounts");
    let active = state.users.iter().filter(|u| u.active).count() as u64;
    assert!(
        active <= limit,
        "{active} active users for a limit of {limit}"
    );
    let by_email: BTreeMap<&str, &str> = state
        .users
        .iter()
        .map(|u| (u.email_key.as_str(), u.id.as_str()))
        .collect();
    let mut completed = 0;
    let mut invited = 0;
    for (id, emails, summary, delivered) in results {
        let created_here: Vec<&str> = state
            .users
            .iter()
            .filter(|u| u.import.as_deref() == Some(id.as_str()))
            .map(|u| u.id.as_str())
            .collect();
        let invitations: Vec<_> = state
            .invitations
            .iter()
            .filter(|i| i.import.0 == *id)
            .collect();
        match summary.status {
            ImportStatus::Completed => {
                completed += 1;
                let mut planned: Vec<&str> =
                    summary.created.iter().map(|c| c.id.as_str()).collect();
                planned.sort();
                let mut stored = created_here.clone();
                stored.sort();
                assert_eq!(stored, planned, "{id}: all of its creates, no other");
                assert_eq!(invitations.len(), created_here.len(), "{id}: its outbox");
                assert!(
                    invitations.iter().all(|i| i.status == DeliveryStatus::Sent),
                    "{id}: every invitation sent"
                );
                assert_eq!(*delivered, created_here.len(), "{id}: each invited once");
                invited += delivered;
                assert!(state.committed.contains(id), "{id}: committed");
                assert_eq!(
                    summary.counts.created + summary.counts.groups_added + summary.counts.untouched,
                    emails.len() as u64
                );
                for address in emails {
                    let user = by_email[address.as_str()];
                    assert!(
                        state
                            .memberships
                            .contains(&(user.to_string(), GroupId::from("g1"))),
                        "{id}: {address} in the group"
                    );
                }
            }
            ImportStatus::Failed => {
                assert!(
                    created_here.is_empty(),
                    "{id}: a failed import created no one"
                );
                assert!(invitations.is_empty(), "{id}: and wrote no invitation");
                assert!(!state.committed.contains(id), "{id}: not committed");
                assert_eq!(*delivered, 0, "{id}: sent nothing");
                assert_eq!(
                    summary.issues.last().unwrap().code,
                    IssueCode::SeatLimit,
                    "{id}: says why ({})",
                    summary.reason
                );
                assert!(
                    (summary.reason.contains(" left (")
                        && (summary.reason.contains("seats are")
                            || summary.reason.contains("seat is"))),
                    "{id}: {}",
                    summary.reason
                );
            }
            other => panic!("{id}: unexpected status {other:?}"),
        }
    }
    assert!(completed >= 1, "one import completes");
    assert_eq!(
        invited as u64,
        active - existing as u64,
        "every created user invited"
    );
    assert_eq!(
        state.users.len() as u64,
        active,
        "every user created by a completed import is active"
    );
}

async fn sixteen_concurrent_imports<S: SqlStore>(base: &S) {
    let store = base.fresh();
    conformance::groups(&store, &[("g1", "Nurses")]).await;
    store.user("Existing", "person0@example.com", &[]).await;
    store.user("Existing", "person1@example.com", &[]).await;
    let limit = 10u64;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let mailer = MemoryMailer::new();
            // Each conflict means another import committed meanwhile, so 16 attempts are
            // enough for every import to end for its own reasons.
            let importer = Importer::new(
                Schema::default(),
                Stores::single(Arc::new(store.clone()), Arc::new(mailer.clone())),
            )
            .max_attempts(17);
            let emails: Vec<String> = (0..5).map(|j| email((i * 3 + j) % 14)).collect();
            tokio::spawn(async move {
                let bytes = upload_of(&emails);
                let mut request = ImportRequest::new(format!("race-{i}"), "race.xlsx");
                request.seat_limit = Some(limit);
                request.groups = vec!["Nurses".into()];
                let summary = importer.run(&request, &bytes, &|_| {}).await.unwrap();
                (request.id.0, emails, summary, mailer.delivered().len())
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    check_race(&store.snap().await, &results, limit, 2);
}

async fn full_import<S: SqlStore>(base: &S) {
    let store = base.fresh();
    conformance::groups(
        &store,
        &[("g-nurses", "Nurses"), ("g-night", "Night shift")],
    )
    .await;
    let bob = store
        .user("Robert Roy", "bob.roy@example.com", &["g-nurses"])
        .await;
    let before = store.snap().await;
    let mailer = MemoryMailer::new();
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(mailer.clone())),
    );
    let rows: [&[&str]; 3] = [
        &[
            "Ann Lee",
            "Ann@Example.com",
            "CA",
            "QC",
            "en",
            "Nurse",
            "",
            "000123",
            "2024-03-31",
        ],
        &["Bob Roy", "BOB.ROY@example.com", "FR", "FR-75C", "fr"],
        &["Cy Doe", "cy@example.com", "US", "US-NY", "fr"],
    ];
    let mut request = ImportRequest::new("imp-1", "spring.xlsx");
    request.groups = vec!["Night shift".into()];
    request.message = "Welcome to the team!".into();
    request.notes = "spring intake".into();
    request.uploaded_by = "admin@example.com".into();
    request.seat_limit = Some(3);
    let summary = importer
        .run(&request, &filled(&rows), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        summary.status,
        ImportStatus::Completed,
        "{}",
        summary.reason
    );
    assert_eq!(
        (summary.counts.created, summary.counts.groups_added),
        (2, 1)
    );
    let after = store.snap().await;
    // Bob: only the group was added, nothing else about him changed.
    assert_eq!(after.users[0], before.users[0]);
    assert_eq!(after.users.len(), 3);
    let ann = &after.users[1];
    assert_eq!(
        (
            ann.name.as_str(),
            ann.email.as_str(),
            ann.email_key.as_str()
        ),
        ("Ann Lee", "Ann@Example.com", "ann@example.com")
    );
    assert_eq!(ann.import.as_deref(), Some("imp-1"));
    assert!(
        ann.attributes
            .contains(&("employee_id".into(), "000123".into())),
        "{:?}",
        ann.attributes
    );
    assert!(ann.attributes.contains(&("region".into(), "CA-QC".into())));
    let cy = &after.users[2];
    let mut memberships = after.memberships.clone();
    memberships.sort();
    let mut expected = vec![
        (bob.0.clone(), GroupId::from("g-night")),
        (bob.0.clone(), GroupId::from("g-nurses")),
        (ann.id.clone(), GroupId::from("g-night")),
        (cy.id.clone(), GroupId::from("g-night")),
    ];
    expected.sort();
    assert_eq!(memberships, expected);
    // The outbox: one invitation per created user, sent, with the message and language.
    let outbox: Vec<(String, String, String, DeliveryStatus, u32)> = after
        .invitations
        .iter()
        .map(|i| {
            (
                i.email.clone(),
                i.message.clone(),
                i.language.clone(),
                i.status,
                i.attempts,
            )
        })
        .collect();
    assert_eq!(
        outbox,
        [
            (
                "Ann@Example.com".into(),
                "Welcome to the team!".into(),
                "en".into(),
                DeliveryStatus::Sent,
                1
            ),
            (
                "cy@example.com".into(),
                "Welcome to the team!".into(),
                "fr".into(),
                DeliveryStatus::Sent,
                1
            ),
        ]
    );
    assert_eq!(mailer.delivered().len(), 2);
    // The index: the record as the import left it.
    let record = &after.imports[0];
    assert_eq!(record.status, ImportStatus::Completed);
    assert_eq!(
        (record.notes.as_str(), record.uploaded_by.as_str()),
        ("spring intake", "admin@example.com")
    );
    assert_eq!(record.groups, [GroupId::from("g-night")]);
    let stored = record.summary.as_ref().expect("the summary is stored");
    assert_eq!(stored.created.len(), 2);
    assert_eq!(stored.invitations.sent, 2);
    assert_eq!(after.committed, ["imp-1"]);
    // Enrolling the created users, twice, enrolls them once.
    let courses = [CourseId::from("c1")];
    assert_eq!(importer.enroll(&request.id, &courses).await.unwrap(), 2);
    importer.enroll(&request.id, &courses).await.unwrap();
    let enrolled = store.snap().await.enrollments;
    let mut expected = vec![
        (ann.id.clone(), "c1".to_string()),
        (cy.id.clone(), "c1".to_string()),
    ];
    expected.sort();
    assert_eq!(enrolled, expected);
    // The same import again answers the first result and writes nothing.
    let again = importer
        .run(&request, &filled(&rows), &|_| {})
        .await
        .unwrap();
    assert_eq!(again.created.len(), 2);
    assert_eq!(store.snap().await.without_log(), {
        let mut s = after.without_log();
        s.enrollments = enrolled;
        s
    });
    // One more user would pass the seat limit: nothing is written.
    let before = store.snap().await;
    let over = importer
        .run(
            &{
                let mut r = ImportRequest::new("imp-2", "late.xlsx");
                r.seat_limit = Some(4);
                r
            },
            &filled(&[
                &["Di", "di@example.com", "CA", "QC", "en"],
                &["Ed", "ed@example.com", "CA", "QC", "en"],
            ]),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(over.status, ImportStatus::Failed);
    assert_eq!(over.issues.last().unwrap().code, IssueCode::SeatLimit);
    assert_eq!(store.snap().await.without_log(), before.without_log());
}

async fn tenants<S: SqlStore>(base: &S) {
    let a = base.fresh();
    let b = base.fresh();
    let ann_a = a.user("Ann A", "ann@example.com", &[]).await;
    let ann_b = b.user("Ann B", "ann@example.com", &[]).await;
    assert_ne!(ann_a, ann_b, "one email, one account per platform");
    assert_eq!(a.count_active_users().await.unwrap(), 1);
    let found = b
        .find_by_email_keys(&["ann@example.com".into()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, ann_b);
    conformance::groups(&a, &[("g1", "Nurses")]).await;
    assert!(b.resolve(&["g1".into()]).await.unwrap().is_empty());
    assert!(b.list_groups().await.unwrap().is_empty());
    assert_eq!(a.list_groups().await.unwrap().len(), 1);
    assert_eq!(a.snap().await.users.len(), 1);
    assert_eq!(b.snap().await.users[0].name, "Ann B");
}

/// Runs `files` as concurrent imports of one id (a double click, or one job handed to two
/// workers), each through a store that yields to the scheduler around every call so that the
/// twins' calls interleave; answers each twin's outcome, in the order of `files`.
async fn run_twins<S: SqlStore>(
    store: &S,
    id: &str,
    files: Vec<Vec<u8>>,
    mailer: &MemoryMailer,
) -> Vec<ImportSummary> {
    let tasks: Vec<_> = files
        .into_iter()
        .map(|bytes| {
            let importer = Importer::new(
                Schema::default(),
                Stores::single(
                    Arc::new(Faulty::new(store.clone()).yielding()),
                    Arc::new(mailer.clone()),
                ),
            );
            let request = ImportRequest::new(id, "twin.xlsx");
            tokio::spawn(async move { importer.run(&request, &bytes, &|_| {}).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap().expect("no store error"));
    }
    answers
}

/// The record of `id` and the emails of the store's users and delivered invitations.
async fn outcome_of<S: SqlStore>(
    store: &S,
    id: &str,
    mailer: &MemoryMailer,
) -> (ImportStatus, Vec<String>, Vec<String>) {
    let record = store
        .get(&user_import::ImportId::from(id))
        .await
        .unwrap()
        .expect("the record exists");
    let mut users: Vec<String> = store
        .snap()
        .await
        .users
        .into_iter()
        .map(|u| u.email)
        .collect();
    users.sort();
    let mut sent: Vec<String> = mailer.delivered().into_iter().map(|i| i.email).collect();
    sent.sort();
    (record.status, users, sent)
}

async fn twins_of_one_id<S: SqlStore>(base: &S) {
    let emails: Vec<String> = (0..20).map(email).collect();
    let good = upload_of(&emails);
    let bad = filled(&[&["Racer", "not-an-email", "CA", "QC", "en"]]);

    // Three twins with the same file: one commit, every user once, every invitation once,
    // and every twin answers the one outcome.
    let store = base.fresh();
    let mailer = MemoryMailer::new();
    let answers = run_twins(&store, "twin", vec![good.clone(); 3], &mailer).await;
    for answer in &answers {
        assert_eq!(
            (answer.status, answer.counts.created),
            (ImportStatus::Completed, 20)
        );
    }
    let (status, users, sent) = outcome_of(&store, "twin", &mailer).await;
    assert_eq!(status, ImportStatus::Completed);
    let mut expected = emails.clone();
    expected.sort();
    assert_eq!(users, expected);
    assert_eq!(sent, users, "each new user invited once");
    assert_eq!(store.snap().await.committed, ["twin"]);

    // A later twin whose file has a problem answers the stored outcome; the record stays
    // completed.
    let late = run_twins(&store, "twin", vec![bad.clone()], &mailer).await;
    assert_eq!(
        (late[0].status, late[0].counts.created),
        (ImportStatus::Completed, 20)
    );
    assert_eq!(
        outcome_of(&store, "twin", &mailer).await.0,
        ImportStatus::Completed
    );

    // A good twin and a bad twin at once, a few times over: whichever finishes first decides,
    // the record is never marked failed over committed users, and both twins answer the
    // record's outcome.
    for round in 0..6 {
        let store = base.fresh();
        let mailer = MemoryMailer::new();
        let files = if round % 2 == 0 {
            vec![good.clone(), bad.clone()]
        } else {
            vec![bad.clone(), good.clone()]
        };
        let answers = run_twins(&store, "mixed", files, &mailer).await;
        let (status, users, sent) = outcome_of(&store, "mixed", &mailer).await;
        match status {
            ImportStatus::Completed => {
                assert_eq!(users.len(), 20, "round {round}");
                assert_eq!(sent, users, "round {round}");
            }
            ImportStatus::Failed => {
                assert!(
                    users.is_empty(),
                    "round {round}: a failed import created no one"
                );
                assert!(
                    sent.is_empty(),
                    "round {round}: a failed import invited no one"
                );
            }
            other => panic!("round {round}: the import ended {other:?}"),
        }
        for answer in &answers {
            assert_eq!(
                answer.status, status,
                "round {round}: a twin answers the record"
            );
        }
    }
}

async fn lost_commit_answer<S: SqlStore>(base: &S) {
    let store = base.fresh();
    let mailer = MemoryMailer::new();
    let faulty = Faulty::new(store.clone()).with_fault(Fault::FailAfterCommit(1));
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(faulty.clone()), Arc::new(mailer.clone())),
    );
    let emails: Vec<String> = (0..3).map(email).collect();
    let request = ImportRequest::new("lost", "lost.xlsx");
    let summary = importer
        .run(&request, &upload_of(&emails), &|_| {})
        .await
        .expect("the commit went through, so the import goes on");
    assert_eq!(
        faulty.calls_to("commit"),
        1,
        "committed once, not planned again"
    );
    assert_eq!(
        (
            summary.status,
            summary.counts.created,
            summary.invitations.sent
        ),
        (ImportStatus::Completed, 3, 3)
    );
    let (status, users, sent) = outcome_of(&store, "lost", &mailer).await;
    assert_eq!(status, ImportStatus::Completed);
    assert_eq!(users, emails);
    assert_eq!(sent, emails);
}
