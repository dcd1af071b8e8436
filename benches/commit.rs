//! Commit time of the SQL stores for 10,000 and 100,000 new users, against baselines measured
//! in the same run on the same database:
//!
//! - PostgreSQL: a bare `COPY` of the same rows (users, their group memberships, their
//!   invitations; user ids drawn from the sequence first), and one `INSERT` per row (three
//!   prepared statements per user), each in one transaction.
//! - SQLite: the same rows as multi-row `INSERT`s in chunks under the parameter limit, and one
//!   `INSERT` per row (three prepared statements per user), each in one transaction.
//!
//! SQLite's commit is also timed on a pool opened with `synchronous = NORMAL` instead of the
//! store's `FULL`: the price of a commit that a power loss cannot roll back.
//!
//! The baselines write the same rows into the same tables (same indexes and foreign keys) as
//! the commit, but skip its checks (import id, email keys, seats, groups, under the platform's
//! lock) and the import record: the ratio to them is the price of those checks.
//!
//! Run with `scripts/bench-commit` (starts a throwaway PostgreSQL like `scripts/test`), or with
//! `USER_IMPORT_BENCH_POSTGRES_URL=postgres://... cargo bench --bench commit --all-features`.

use std::time::{Duration, Instant};

use user_import::adapters::postgres::PostgresStore;
use user_import::adapters::sqlite::SqliteStore;
use user_import::adapters::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use user_import::adapters::sqlx::{self, QueryBuilder, Sqlite};
use user_import::conformance::{commit_of, groups};
use user_import::{Commit, NewUser, UserStore};

fn users(n: usize) -> Commit {
    let creates = (0..n)
        .map(|i| {
            let attributes: Vec<(String, String)> =
                serde_json::from_str(&attributes_json()).unwrap();
            NewUser::new(
                i as u32 + 2,
                &format!("User Number {i}"),
                &format!("user{i}@example.com"),
                attributes,
            )
        })
        .collect();
    let mut commit = commit_of(&format!("bench-{n}"), creates, &["g1"]);
    commit.seat_limit = Some(n as u64 + 10);
    commit
}

fn platform(what: &str, n: usize, rep: usize) -> String {
    format!("bench-{what}-{n}-{rep}-{}", std::process::id())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The attributes as the stores keep them.
fn attributes_json() -> String {
    r#"[["country","CA"],["region","CA-QC"],["language","fr"]]"#.to_string()
}

async fn postgres(url: &str, n: usize, reps: usize) -> (Duration, Duration, Duration) {
    let base = PostgresStore::connect(url, "bench").await.expect("connect");
    base.migrate().await.expect("migrate");
    let commit = users(n);
    let creates = commit.creates.to_vec().await.expect("listed users");
    let (mut commits, mut copies, mut inserts) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..reps {
        // The store's commit.
        let store = base.for_platform(platform("pg-commit", n, rep));
        groups(&store, &[("g1", "Group")]).await;
        let started = Instant::now();
        let receipt = store.commit(&commit).await.expect("commit");
        commits.push(started.elapsed());
        assert_eq!(receipt.created.len(), n.min(user_import::STORED_USERS));

        // A bare COPY of the same rows: users (ids drawn from the table's sequence first),
        // their memberships and their invitations, in one transaction.
        let p = platform("pg-copy", n, rep);
        groups(&base.for_platform(&p), &[("g1", "Group")]).await;
        let mut tx = base.pool().begin().await.unwrap();
        let started = Instant::now();
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence('ui_users', 'id')) FROM generate_series(1, $1)",
        )
        .bind(n as i64)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        let (mut users, mut members, mut invitations) = (
            String::with_capacity(n * 140),
            String::with_capacity(n * 40),
            String::with_capacity(n * 120),
        );
        for (user, id) in creates.iter().zip(&ids) {
            users.push_str(&format!(
                "{id}\t{p}\t{}\t{}\t{}\t{}\tbench\n",
                user.name(),
                user.email(),
                user.email_key(),
                attributes_json()
            ));
            members.push_str(&format!("{p}\t{id}\tg1\n"));
            invitations.push_str(&format!(
                "{p}\tbench\t{id}\t{}\t{}\tfr\t{}\tpending\n",
                user.name(),
                user.email(),
                commit.record.message
            ));
        }
        for (statement, data) in [
            (
                "COPY ui_users (id, platform, name, email, email_key, attributes, import_id) \
                 FROM STDIN",
                &users,
            ),
            (
                "COPY ui_memberships (platform, user_id, group_id) FROM STDIN",
                &members,
            ),
            (
                "COPY ui_invitations (platform, import_id, user_id, name, email, language, \
                 message, status) FROM STDIN",
                &invitations,
            ),
        ] {
            let mut copy = tx.copy_in_raw(statement).await.unwrap();
            copy.send(data.as_bytes()).await.unwrap();
            assert_eq!(copy.finish().await.unwrap() as usize, n);
        }
        tx.commit().await.unwrap();
        copies.push(started.elapsed());

        // One INSERT per row (user, membership, invitation), prepared, in one transaction.
        let p = platform("pg-rows", n, rep);
        groups(&base.for_platform(&p), &[("g1", "Group")]).await;
        let json = attributes_json();
        let started = Instant::now();
        let mut tx = base.pool().begin().await.unwrap();
        for user in &creates {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO ui_users (platform, name, email, email_key, attributes, import_id)
                 VALUES ($1, $2, $3, $4, $5, 'bench') RETURNING id",
            )
            .bind(&p)
            .bind(user.name())
            .bind(user.email())
            .bind(user.email_key())
            .bind(&json)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO ui_memberships (platform, user_id, group_id) VALUES ($1, $2, 'g1')",
            )
            .bind(&p)
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO ui_invitations
                     (platform, import_id, user_id, name, email, language, message, status)
                 VALUES ($1, 'bench', $2, $3, $4, 'fr', $5, 'pending')",
            )
            .bind(&p)
            .bind(id)
            .bind(user.name())
            .bind(user.email())
            .bind(&commit.record.message)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        inserts.push(started.elapsed());
    }
    (median(commits), median(copies), median(inserts))
}

/// The store's commit on a pool opened as [`SqliteStore::connect`] opens it, but with
/// `synchronous = NORMAL`.
async fn sqlite_normal(path: &std::path::Path, n: usize, reps: usize) -> Duration {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .expect("open");
    let base = SqliteStore::new(pool, "bench");
    base.migrate().await.expect("migrate");
    let commit = users(n);
    let mut commits = Vec::new();
    for rep in 0..reps {
        let store = base.for_platform(platform("sqlite-normal", n, rep));
        groups(&store, &[("g1", "Group")]).await;
        let started = Instant::now();
        let receipt = store.commit(&commit).await.expect("commit");
        commits.push(started.elapsed());
        assert_eq!(receipt.created.len(), n.min(user_import::STORED_USERS));
    }
    median(commits)
}

async fn sqlite(path: &std::path::Path, n: usize, reps: usize) -> (Duration, Duration, Duration) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let base = SqliteStore::connect(&format!("sqlite://{}", path.display()), "bench")
        .await
        .expect("open");
    base.migrate().await.expect("migrate");
    let commit = users(n);
    let creates = commit.creates.to_vec().await.expect("listed users");
    let (mut commits, mut multis, mut inserts) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..reps {
        let store = base.for_platform(platform("sqlite-commit", n, rep));
        groups(&store, &[("g1", "Group")]).await;
        let started = Instant::now();
        let receipt = store.commit(&commit).await.expect("commit");
        commits.push(started.elapsed());
        assert_eq!(receipt.created.len(), n.min(user_import::STORED_USERS));

        // The same rows as multi-row INSERTs (users, then their memberships and invitations),
        // in one transaction, without the commit's checks.
        let p = platform("sqlite-multi", n, rep);
        groups(&base.for_platform(&p), &[("g1", "Group")]).await;
        let json = attributes_json();
        let started = Instant::now();
        let mut tx = base.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
        let mut ids: Vec<i64> = Vec::with_capacity(n);
        for chunk in creates.chunks(32_766 / 6) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ui_users (platform, name, email, email_key, attributes, import_id) ",
            );
            insert.push_values(chunk, |mut row, user| {
                row.push_bind(&p)
                    .push_bind(user.name())
                    .push_bind(user.email())
                    .push_bind(user.email_key())
                    .push_bind(&json)
                    .push_bind("bench");
            });
            insert.push(" RETURNING id");
            ids.extend(
                insert
                    .build_query_scalar::<i64>()
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap(),
            );
        }
        for chunk in ids.chunks(32_766 / 2) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ui_memberships (platform, user_id, group_id) ",
            );
            insert.push_values(chunk, |mut row, id| {
                row.push_bind(&p).push_bind(*id).push("'g1'");
            });
            insert.build().execute(&mut *tx).await.unwrap();
        }
        let pairs: Vec<_> = ids.iter().zip(&creates).collect();
        for chunk in pairs.chunks(32_766 / 5) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ui_invitations
                     (platform, import_id, user_id, name, email, language, message, status) ",
            );
            insert.push_values(chunk, |mut row, (id, user)| {
                row.push_bind(&p)
                    .push("'bench'")
                    .push_bind(**id)
                    .push_bind(user.name())
                    .push_bind(user.email())
                    .push("'fr'")
                    .push_bind(&commit.record.message)
                    .push("'pending'");
            });
            insert.build().execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        multis.push(started.elapsed());

        // One INSERT per row (user, membership, invitation), prepared, in one transaction.
        let p = platform("sqlite-rows", n, rep);
        groups(&base.for_platform(&p), &[("g1", "Group")]).await;
        let started = Instant::now();
        let mut tx = base.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
        for user in &creates {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO ui_users (platform, name, email, email_key, attributes, import_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'bench') RETURNING id",
            )
            .bind(&p)
            .bind(user.name())
            .bind(user.email())
            .bind(user.email_key())
            .bind(&json)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO ui_memberships (platform, user_id, group_id) VALUES (?1, ?2, 'g1')",
            )
            .bind(&p)
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO ui_invitations
                     (platform, import_id, user_id, name, email, language, message, status)
                 VALUES (?1, 'bench', ?2, ?3, ?4, 'fr', ?5, 'pending')",
            )
            .bind(&p)
            .bind(id)
            .bind(user.name())
            .bind(user.email())
            .bind(&commit.record.message)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        inserts.push(started.elapsed());
    }
    (median(commits), median(multis), median(inserts))
}

fn main() {
    let url = std::env::var("USER_IMPORT_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("USER_IMPORT_TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| {
            panic!(
                "USER_IMPORT_BENCH_POSTGRES_URL is not set: run scripts/bench-commit, which \
                 starts a throwaway PostgreSQL 15 cluster and sets it"
            )
        });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("user-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "{:<10} {:>8} {:>12} {:>14} {:>14} {:>10} {:>12}",
        "backend", "users", "commit ms", "baseline ms", "per-row ms", "÷ baseline", "÷ per-row"
    );
    for (n, reps) in [(10_000usize, 3usize), (100_000, 1)] {
        let (commit, copy, rows) = runtime.block_on(postgres(&url, n, reps));
        println!(
            "{:<10} {:>8} {:>12.1} {:>9.1} COPY {:>14.1} {:>10.2} {:>12.3}",
            "postgres",
            n,
            ms(commit),
            ms(copy),
            ms(rows),
            commit.as_secs_f64() / copy.as_secs_f64(),
            commit.as_secs_f64() / rows.as_secs_f64()
        );
        let (commit, multi, rows) =
            runtime.block_on(sqlite(&dir.join(format!("bench-{n}.db")), n, reps));
        println!(
            "{:<10} {:>8} {:>12.1} {:>8.1} multi {:>14.1} {:>10.2} {:>12.3}",
            "sqlite",
            n,
            ms(commit),
            ms(multi),
            ms(rows),
            commit.as_secs_f64() / multi.as_secs_f64(),
            commit.as_secs_f64() / rows.as_secs_f64()
        );
        let normal = runtime.block_on(sqlite_normal(
            &dir.join(format!("bench-normal-{n}.db")),
            n,
            reps,
        ));
        println!(
            "{:<10} {:>8} {:>12.1}   (synchronous NORMAL; the line above is the store's FULL)",
            "sqlite",
            n,
            ms(normal)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
