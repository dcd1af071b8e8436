//! A reference web host for the administrator's page, on the embedded default: the SQLite
//! store, `.eml` invitations, uploads in a local folder, and the job worker in the same
//! process.
//!
//! ```text
//! cargo run --features axum,smtp --example web-host -- [--listen 127.0.0.1:8080] [--state DIR]
//! ```
//!
//! It prints the address it serves (`--listen 127.0.0.1:0` takes a free port) and serves:
//!
//! - `/`: the page (HTML, CSS and plain JavaScript embedded in the binary);
//! - `/api/...`: the crate's import API ([`user_import::web::ImportApi`]).
//!
//! Everything is kept in the state folder (default `web-host-state`): `user-import.db` (users,
//! groups, the imports index, the outbox, enrollments), `jobs.db` (the queue), `objects/`
//! (the uploads), `mail/` (each invitation as an `.eml` file, with a link to this server's
//! `/welcome` page, where the invited user chooses a password) and `welcome.json` (the links'
//! one-time tokens).
//!
//! This host has no sign-in: every visitor is the administrator `admin@demo.test` of the
//! platform `demo`. A real host answers [`AdminHost::admin`](user_import::web::AdminHost::admin)
//! from its own sessions. The language is the `lang` cookie the page's switch sets, else the
//! browser's `Accept-Language`.

mod host;
mod page;
mod welcome;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use user_import::jobs::{QueueOptions, SqliteQueue, Submitter, Uploads, Worker, WorkerOptions};
use user_import::web::{AdminHost, ImportApi};
use user_import::{Limits, StoreError};

/// The administrator's page for batch user imports.
#[derive(Debug, Parser)]
#[command(name = "web-host", version)]
struct Args {
    /// The address to listen on (port 0: a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The state folder.
    #[arg(long, default_value = "web-host-state")]
    state: PathBuf,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("web-host: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("web-host: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Opens the state, starts the worker and serves until interrupted.
async fn serve(args: Args) -> Result<(), String> {
    let state = args.state;
    std::fs::create_dir_all(&state).map_err(|error| {
        format!(
            "cannot create the state folder {}: {error}",
            state.display()
        )
    })?;
    let failed = |what: &'static str| move |error: StoreError| format!("cannot {what}: {error}");
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the address: {error}"))?;
    // Invitations link to this server's welcome page.
    let welcome = Arc::new(welcome::Welcome::open(
        format!("http://{address}"),
        state.join("welcome.json"),
    ));
    let host = Arc::new(host::DemoHost::open(&state, welcome.clone()).await?);
    let queue = SqliteQueue::open(
        &state.join("jobs.db"),
        QueueOptions {
            heartbeat: std::time::Duration::from_secs(2),
            ..QueueOptions::default()
        },
    )
    .await
    .map_err(failed("open the job queue"))?;
    let uploads =
        Uploads::in_folder(state.join("objects")).map_err(failed("open the uploads folder"))?;
    let submitter = Submitter::new(uploads.clone(), Arc::new(queue.clone()), Limits::default());

    // The worker, in this process: it runs until the server stops.
    let platforms = {
        let host = Arc::clone(&host);
        move |platform: &str| host.importer(platform)
    };
    let worker = Worker::new(
        Arc::new(platforms),
        uploads,
        WorkerOptions {
            concurrency: 2,
            progress_every: std::time::Duration::from_millis(200),
            ..WorkerOptions::default()
        },
    );
    let (stop_worker, stopped) = tokio::sync::oneshot::channel::<()>();
    let working = {
        let queue = queue.clone();
        tokio::spawn(async move {
            let stop = async move {
                let _ = stopped.await;
            };
            if let Err(error) = worker.work_sqlite(&queue, stop).await {
                eprintln!("web-host: the worker stopped: {error}");
            }
        })
    };

    let api = ImportApi::new(host.clone(), submitter);
    let app = page::routes(welcome).nest("/api", api.router());
    println!(
        "web-host: serving http://{address}/ (state in {})",
        state.display()
    );
    let interrupted = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(interrupted)
        .await
        .map_err(|error| format!("the server stopped: {error}"));
    let _ = stop_worker.send(());
    let _ = working.await;
    host.close().await;
    served
}
