//! Fault injection: a wrapper around any store that counts its calls and makes the Nth one
//! fail, hang or answer a conflict, to prove an import is all or nothing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::error::Conflict;
use crate::model::{CourseId, ExistingUser, Group, ImportId, InvitationId, UserId};
use crate::store::{
    Begin, Claim, Commit, CommitReceipt, Delivery, Enroller, GroupStore, ImportLog, ImportRecord,
    Invitation, Mailer, Outbox, StoreError, UserStore,
};
use crate::summary::{CreatedUser, ImportStatus, ImportSummary, Progress};

/// What the wrapper does to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The Nth call (counting every method, from 1) answers a backend error.
    Fail(u64),
    /// The Nth call is performed by the wrapped store, then answers a backend error: an
    /// uncertain outcome, such as a connection that dropped after `COMMIT` went through.
    FailAfter(u64),
    /// The Nth call to `commit` is performed, then answers a backend error: the commit went
    /// through but its answer was lost.
    FailAfterCommit(u64),
    /// The Nth call never answers.
    Hang(u64),
    /// The Nth call to `commit` never answers (whatever calls came before it).
    HangOnCommit(u64),
    /// The Nth call panics, as a host's store with a bug might.
    Panic(u64),
    /// The Nth call to `commit` answers this conflict without committing.
    ConflictOnCommit(u64, Conflict),
    /// Every call to `commit` answers this conflict without committing.
    ConflictOnEveryCommit(Conflict),
}

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    commits: AtomicU64,
    by_method: Mutex<BTreeMap<&'static str, u64>>,
    fault: Mutex<Option<Fault>>,
    yields: std::sync::atomic::AtomicBool,
}

/// Wraps a store (or mailer) and counts every call; with a [`Fault`], makes one of them fail.
/// Clones share the counters.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use user_import::faults::{Fault, Faulty};
/// use user_import::memory::MemoryStore;
/// use user_import::UserStore;
///
/// let store = Faulty::new(MemoryStore::new()).with_fault(Fault::Fail(2));
/// assert!(store.count_active_users().await.is_ok());
/// assert!(store.count_active_users().await.is_err());
/// assert_eq!(store.calls(), 2);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Faulty<S> {
    inner: S,
    counters: Arc<Counters>,
}

impl<S> Faulty<S> {
    /// Wraps `inner`, with no fault.
    pub fn new(inner: S) -> Faulty<S> {
        Faulty {
            inner,
            counters: Arc::new(Counters::default()),
        }
    }

    /// Sets the fault.
    pub fn with_fault(self, fault: Fault) -> Faulty<S> {
        self.set_fault(Some(fault));
        self
    }

    /// Makes every call yield to the scheduler before and after it runs, so that concurrent
    /// imports on one runtime really interleave their calls.
    pub fn yielding(self) -> Faulty<S> {
        self.counters.yields.store(true, Ordering::SeqCst);
        self
    }

    /// Sets or clears the fault; the call count goes on.
    pub fn set_fault(&self, fault: Option<Fault>) {
        *self
            .counters
            .fault
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = fault;
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Every call so far.
    pub fn calls(&self) -> u64 {
        self.counters.calls.load(Ordering::SeqCst)
    }

    /// Calls so far to the method named `method` (such as `"find_by_email_keys"`).
    pub fn calls_to(&self, method: &str) -> u64 {
        self.calls_by_method().get(method).copied().unwrap_or(0)
    }

    /// Calls so far, by method name.
    pub fn calls_by_method(&self) -> BTreeMap<&'static str, u64> {
        self.counters
            .by_method
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Counts a call and decides what happens to it.
    fn decide(&self, method: &'static str) -> Action {
        let call = self.counters.calls.fetch_add(1, Ordering::SeqCst) + 1;
        *self
            .counters
            .by_method
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(method)
            .or_default() += 1;
        let commit = if method == "commit" {
            self.counters.commits.fetch_add(1, Ordering::SeqCst) + 1
        } else {
            0
        };
        let fault = self
            .counters
            .fault
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        match fault {
            Some(Fault::Fail(n)) if n == call => Action::Fail(StoreError::backend(
                method,
                format!("injected failure on call {call}"),
            )),
            Some(Fault::FailAfter(n)) if n == call => Action::FailAfter(StoreError::backend(
                method,
                format!("injected failure after call {call} was performed"),
            )),
            Some(Fault::FailAfterCommit(n)) if commit == n => Action::FailAfter(
                StoreError::backend(method, "injected failure after the commit went through"),
            ),
            Some(Fault::Hang(n)) if n == call => Action::Hang,
            Some(Fault::HangOnCommit(n)) if commit == n => Action::Hang,
            Some(Fault::Panic(n)) if n == call => {
                panic!("injected panic on call {call} ({method})")
            }
            Some(Fault::ConflictOnCommit(n, conflict)) if commit == n => {
                Action::Fail(StoreError::Conflict(conflict))
            }
            Some(Fault::ConflictOnEveryCommit(conflict)) if method == "commit" => {
                Action::Fail(StoreError::Conflict(conflict))
            }
            _ => Action::Proceed,
        }
    }

    /// Counts a call, applies the fault if this call is the one, and runs `call` unless the
    /// fault stops it first.
    async fn run<T: Send>(
        &self,
        method: &'static str,
        call: impl std::future::Future<Output = Result<T, StoreError>> + Send,
    ) -> Result<T, StoreError>
    where
        S: Sync,
    {
        let action = self.decide(method);
        let yields = self.counters.yields.load(Ordering::SeqCst);
        if yields {
            YieldNow(false).await;
        }
        let answer = match action {
            Action::Proceed => call.await,
            Action::Fail(error) => Err(error),
            Action::FailAfter(error) => call.await.and(Err(error)),
            Action::Hang => std::future::pending().await,
        };
        if yields {
            YieldNow(false).await;
        }
        answer
    }
}

/// A future that lets the scheduler run other tasks once before it completes.
struct YieldNow(bool);

impl std::future::Future for YieldNow {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// What happens to one call.
enum Action {
    Proceed,
    Fail(StoreError),
    FailAfter(StoreError),
    Hang,
}

#[async_trait]
impl<S: UserStore> UserStore for Faulty<S> {
    async fn find_by_email_keys(&self, keys: &[String]) -> Result<Vec<ExistingUser>, StoreError> {
        self.run("find_by_email_keys", self.inner.find_by_email_keys(keys))
            .await
    }

    async fn count_active_users(&self) -> Result<u64, StoreError> {
        self.run("count_active_users", self.inner.count_active_users())
            .await
    }

    async fn commit(&self, commit: &Commit) -> Result<CommitReceipt, StoreError> {
        self.run("commit", self.inner.commit(commit)).await
    }

    async fn seat_limit(&self) -> Result<Option<u64>, StoreError> {
        self.run("seat_limit", self.inner.seat_limit()).await
    }

    async fn created_users(
        &self,
        import: &ImportId,
        after_row: u32,
        limit: usize,
    ) -> Result<Vec<CreatedUser>, StoreError> {
        let page = self.inner.created_users(import, after_row, limit);
        self.run("created_users", page).await
    }
}

#[async_trait]
impl<S: GroupStore> GroupStore for Faulty<S> {
    async fn resolve(&self, wanted: &[String]) -> Result<Vec<Group>, StoreError> {
        self.run("resolve", self.inner.resolve(wanted)).await
    }

    async fn create_groups(&self, groups: &[Group]) -> Result<Vec<Group>, StoreError> {
        self.run("create_groups", self.inner.create_groups(groups))
            .await
    }

    async fn list_groups(&self) -> Result<Vec<Group>, StoreError> {
        self.run("list_groups", self.inner.list_groups()).await
    }
}

#[async_trait]
impl<S: ImportLog> ImportLog for Faulty<S> {
    async fn begin(&self, record: &ImportRecord) -> Result<Begin, StoreError> {
        self.run("begin", self.inner.begin(record)).await
    }

    async fn set_status(
        &self,
        id: &ImportId,
        status: ImportStatus,
        summary: Option<&ImportSummary>,
    ) -> Result<bool, StoreError> {
        self.run("set_status", self.inner.set_status(id, status, summary))
            .await
    }

    async fn get(&self, id: &ImportId) -> Result<Option<ImportRecord>, StoreError> {
        self.run("get", self.inner.get(id)).await
    }

    async fn list(&self, limit: usize) -> Result<Vec<ImportRecord>, StoreError> {
        self.run("list", self.inner.list(limit)).await
    }

    async fn set_progress(&self, id: &ImportId, progress: &Progress) -> Result<(), StoreError> {
        self.run("set_progress", self.inner.set_progress(id, progress))
            .await
    }
}

#[async_trait]
impl<S: Outbox> Outbox for Faulty<S> {
    async fn claim(&self, claim: &Claim) -> Result<Vec<Invitation>, StoreError> {
        self.run("claim", self.inner.claim(claim)).await
    }

    async fn record(&self, outcomes: &[(InvitationId, Delivery)]) -> Result<(), StoreError> {
        self.run("record", self.inner.record(outcomes)).await
    }

    async fn invitations(&self, import: &ImportId) -> Result<Vec<Invitation>, StoreError> {
        self.run("invitations", self.inner.invitations(import))
            .await
    }
}

#[async_trait]
impl<S: Enroller> Enroller for Faulty<S> {
    async fn enroll(&self, users: &[UserId], courses: &[CourseId]) -> Result<(), StoreError> {
        self.run("enroll", self.inner.enroll(users, courses)).await
    }
}

#[async_trait]
impl<S: Mailer> Mailer for Faulty<S> {
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
        let sent = self.run("send", async { Ok(self.inner.send(invitations).await) });
        match sent.await {
            Ok(outcomes) => outcomes,
            Err(error) => invitations
                .iter()
                .map(|_| Delivery::Failed(error.to_string()))
                .collect(),
        }
    }
}
