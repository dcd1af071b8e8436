//! Progress a page can poll, written to the import log at a bounded rate: the reader reports
//! every few hundred rows, the log hears of it a few times a second at most.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::model::ImportId;
use crate::store::ImportLog;
use crate::summary::Progress;

/// Keeps the latest progress of one import and writes it to the log every `every`, when it
/// changed, and at once when its phase changes (so a page sees every phase, however short),
/// until [`ProgressWriter::finish`].
pub(crate) struct ProgressWriter {
    latest: Arc<Mutex<Latest>>,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    log: Arc<dyn ImportLog>,
    id: ImportId,
}

#[derive(Default)]
struct Latest {
    progress: Option<Progress>,
    written: Option<Progress>,
}

impl ProgressWriter {
    /// Starts writing the progress of `id` to `log`; answers the writer and the callback to
    /// hand to the import.
    pub(crate) fn start(
        log: Arc<dyn ImportLog>,
        id: ImportId,
        every: Duration,
    ) -> (ProgressWriter, Arc<dyn Fn(Progress) + Send + Sync>) {
        let latest = Arc::new(Mutex::new(Latest::default()));
        let new_phase = Arc::new(tokio::sync::Notify::new());
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = {
            let latest = Arc::clone(&latest);
            let new_phase = Arc::clone(&new_phase);
            let log = Arc::clone(&log);
            let id = id.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = tick.tick() => write_latest(&latest, log.as_ref(), &id).await,
                        () = new_phase.notified() => write_latest(&latest, log.as_ref(), &id).await,
                        _ = stopped.changed() => break,
                    }
                }
            })
        };
        let report = {
            let latest = Arc::clone(&latest);
            Arc::new(move |progress: Progress| {
                if let Ok(mut latest) = latest.lock() {
                    let phase = latest.progress.map(|p| p.phase);
                    latest.progress = Some(progress);
                    if phase != Some(progress.phase) {
                        new_phase.notify_one();
                    }
                }
            }) as Arc<dyn Fn(Progress) + Send + Sync>
        };
        let writer = ProgressWriter {
            latest,
            stop,
            task,
            log,
            id,
        };
        (writer, report)
    }

    /// Stops the periodic writes and writes the last progress heard.
    pub(crate) async fn finish(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        write_latest(&self.latest, self.log.as_ref(), &self.id).await;
    }
}

async fn write_latest(latest: &Mutex<Latest>, log: &dyn ImportLog, id: &ImportId) {
    let pending = match latest.lock() {
        Ok(mut latest) if latest.progress != latest.written => {
            latest.written = latest.progress;
            latest.progress
        }
        _ => None,
    };
    if let Some(progress) = pending
        && let Err(error) = log.set_progress(id, &progress).await
    {
        // Progress is a courtesy to the page: an import does not stop for it.
        tracing::warn!(%error, "could not record the import's progress");
    }
}
