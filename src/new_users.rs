//! The users a commit creates, streamed to the store a batch at a time: read again from the
//! upload, so an import never holds every row's values at once.
//!
//! The first read keeps a brief of each row (its number, name and email); the plan decides
//! from them. The commit then hands the store a [`NewUsers`]: the store asks it for
//! [`batches`](NewUsers::batches), and a thread reads the upload again, validates the rows the
//! plan creates (only those), and passes them over in batches, two at most waiting. Every
//! user is checked against its brief (row and email match key), so a second read that
//! differed from the first would fail the commit rather than write another user.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Poll, Waker};

use crate::check::kept::Briefs;
use crate::check::records::{NewUser, Record, RecordSet, key_of};
use crate::check::validate::Validator;
use crate::error::{Error, StoreError};
use crate::issue::Issue;
use crate::read::limits::Limits;
use crate::read::{CellValue, HeaderRow, RowSink};
use crate::schema::Schema;

/// An uploaded file's bytes, shared without a copy: the import reads them once to validate
/// and plan, and again while it commits, to stream its new users to the store.
///
/// ```
/// use user_import::Upload;
///
/// let upload = Upload::from(vec![1u8, 2, 3]);
/// let shared = upload.clone(); // the same bytes, not a copy
/// assert_eq!(shared.bytes(), [1, 2, 3]);
/// ```
#[derive(Clone)]
pub struct Upload(Arc<dyn AsRef<[u8]> + Send + Sync>);

impl Upload {
    /// An upload of `bytes`: a `Vec<u8>`, an `Arc<[u8]>`, a `bytes::Bytes`…
    pub fn new(bytes: impl AsRef<[u8]> + Send + Sync + 'static) -> Upload {
        Upload(Arc::new(bytes))
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        (*self.0).as_ref()
    }
}

impl From<Vec<u8>> for Upload {
    fn from(bytes: Vec<u8>) -> Upload {
        Upload::new(bytes)
    }
}

impl From<&[u8]> for Upload {
    /// A copy of `bytes`.
    fn from(bytes: &[u8]) -> Upload {
        Upload::new(bytes.to_vec())
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Upload({} bytes)", self.bytes().len())
    }
}

/// The users a [`Commit`](crate::Commit) creates, in row order: listed in memory, or read
/// again from the upload while the store asks for them.
///
/// A store writes them a batch at a time:
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use user_import::{NewUser, NewUsers};
///
/// let users = NewUsers::from(vec![
///     NewUser::new(2, "Ann Lee", "Ann@Example.com", [("country", "CA")]),
///     NewUser::new(3, "Bob Roy", "bob@example.com", [("country", "FR")]),
///     NewUser::new(4, "Cy Doe", "cy@example.com", [("country", "FR")]),
/// ]);
/// assert_eq!(users.len(), 3);
/// // The match keys come without reading the users.
/// assert_eq!(users.email_keys().collect::<Vec<_>>(), ["ann@example.com", "bob@example.com", "cy@example.com"]);
/// let mut batches = users.batches(2);
/// let mut rows = Vec::new();
/// while let Some(batch) = batches.next().await? {
///     rows.push(batch.iter().map(|user| user.row()).collect::<Vec<_>>());
/// }
/// assert_eq!(rows, [vec![2, 3], vec![4]]);
/// # Ok::<(), user_import::StoreError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct NewUsers {
    source: Source,
}

#[derive(Clone)]
enum Source {
    Listed(Arc<[NewUser]>),
    Upload(Arc<Reread>),
}

/// What the commit's second read works from.
pub(crate) struct Reread {
    pub(crate) upload: Upload,
    pub(crate) schema: Schema,
    pub(crate) limits: Limits,
    /// Every row's brief, as the first read kept them.
    pub(crate) briefs: Arc<Briefs>,
    /// The briefs (by index, ascending) of the rows the plan creates.
    pub(crate) creates: Vec<u32>,
}

/// How many read batches may wait for the store.
const WAITING_BATCHES: usize = 2;

impl NewUsers {
    /// The users the plan creates, read again from the upload when a store asks for them.
    pub(crate) fn reread(reread: Reread) -> NewUsers {
        NewUsers {
            source: Source::Upload(Arc::new(reread)),
        }
    }

    /// How many users.
    pub fn len(&self) -> usize {
        match &self.source {
            Source::Listed(users) => users.len(),
            Source::Upload(reread) => reread.creates.len(),
        }
    }

    /// Whether there is no user.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each user's email match key, in order, without reading the upload again: what a store
    /// checks before it writes.
    pub fn email_keys(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + Send + '_> {
        match &self.source {
            Source::Listed(users) => Box::new(users.iter().map(NewUser::email_key)),
            Source::Upload(reread) => Box::new(
                (reread.creates.iter())
                    .map(|index| key_of(reread.briefs.get(*index as usize).email)),
            ),
        }
    }

    /// The users in batches of `size` (at least 1), in order. For users read from the upload,
    /// the read starts here, on a thread of its own, and stops when the batches are dropped.
    pub fn batches(&self, size: usize) -> NewUserBatches {
        let size = size.max(1);
        match &self.source {
            Source::Listed(users) => NewUserBatches {
                from: Feed::Listed {
                    users: Arc::clone(users),
                    at: 0,
                    size,
                },
            },
            Source::Upload(reread) => {
                let channel = Arc::new(Channel::default());
                let (reread, sender) = (Arc::clone(reread), Arc::clone(&channel));
                let spawned = std::thread::Builder::new()
                    .name("user-import-commit-read".into())
                    .spawn(move || {
                        let outcome = produce(&reread, &sender, size);
                        sender.end(outcome);
                    });
                if let Err(error) = spawned {
                    channel.end(Err(StoreError::backend("start the commit's read", error)));
                }
                NewUserBatches {
                    from: Feed::Read(channel),
                }
            }
        }
    }

    /// Every user at once, for a store that writes them together (the in-memory store).
    ///
    /// # Errors
    ///
    /// As [`NewUserBatches::next`].
    pub async fn to_vec(&self) -> Result<Vec<NewUser>, StoreError> {
        let mut users = Vec::with_capacity(self.len());
        let mut batches = self.batches(10_000);
        while let Some(batch) = batches.next().await? {
            users.extend(batch);
        }
        Ok(users)
    }
}

impl From<Vec<NewUser>> for NewUsers {
    fn from(users: Vec<NewUser>) -> NewUsers {
        NewUsers {
            source: Source::Listed(users.into()),
        }
    }
}

impl Default for NewUsers {
    fn default() -> NewUsers {
        NewUsers::from(Vec::new())
    }
}

impl fmt::Debug for NewUsers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Listed(users) => f.debug_list().entries(users.iter()).finish(),
            Source::Upload(reread) => {
                write!(f, "NewUsers({} read from {:?})", self.len(), reread.upload)
            }
        }
    }
}

/// The batches of a [`NewUsers`], as [`NewUsers::batches`] hands them over.
pub struct NewUserBatches {
    from: Feed,
}

enum Feed {
    Listed {
        users: Arc<[NewUser]>,
        at: usize,
        size: usize,
    },
    Read(Arc<Channel>),
}

impl NewUserBatches {
    /// The next batch, or `None` after the last.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the upload could not be read again as it was the first
    /// time; the store then writes nothing of the commit.
    pub async fn next(&mut self) -> Result<Option<Vec<NewUser>>, StoreError> {
        match &mut self.from {
            Feed::Listed { users, at, size } => {
                let end = (*at + *size).min(users.len());
                let batch = users[*at..end].to_vec();
                *at = end;
                Ok(Some(batch).filter(|batch| !batch.is_empty()))
            }
            Feed::Read(channel) => poll_fn(|cx| channel.poll_next(cx.waker())).await,
        }
    }
}

impl Drop for NewUserBatches {
    fn drop(&mut self) {
        if let Feed::Read(channel) = &self.from {
            channel.close();
        }
    }
}

impl fmt::Debug for NewUserBatches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUserBatches").finish_non_exhaustive()
    }
}

/// Batches from the reading thread to the store's task: the thread waits while
/// [`WAITING_BATCHES`] wait, the task is woken when one comes.
#[derive(Default)]
struct Channel {
    state: Mutex<ChannelState>,
    space: Condvar,
}

#[derive(Default)]
struct ChannelState {
    ready: VecDeque<Vec<NewUser>>,
    end: End,
    /// The batches were dropped: the reader stops.
    closed: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
enum End {
    #[default]
    Reading,
    Done(Result<(), StoreError>),
    Told,
}

impl Channel {
    fn lock(&self) -> MutexGuard<'_, ChannelState> {
        // A panic while the lock is held leaves no half-written state here: go on with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Passes a batch on; `false` when the batches were dropped.
    fn send(&self, batch: Vec<NewUser>) -> bool {
        let mut state = self.lock();
        while state.ready.len() >= WAITING_BATCHES && !state.closed {
            state = self
                .space
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if state.closed {
            return false;
        }
        state.ready.push_back(batch);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    fn end(&self, outcome: Result<(), StoreError>) {
        let mut state = self.lock();
        state.end = End::Done(outcome);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.ready.clear();
        drop(state);
        self.space.notify_all();
    }

    fn poll_next(&self, waker: &Waker) -> Poll<Result<Option<Vec<NewUser>>, StoreError>> {
        let mut state = self.lock();
        if let Some(batch) = state.ready.pop_front() {
            drop(state);
            self.space.notify_all();
            return Poll::Ready(Ok(Some(batch)));
        }
        match std::mem::replace(&mut state.end, End::Told) {
            End::Done(outcome) => Poll::Ready(outcome.map(|()| None)),
            End::Told => Poll::Ready(Ok(None)),
            End::Reading => {
                state.end = End::Reading;
                state.waker = Some(waker.clone());
                Poll::Pending
            }
        }
    }
}

/// Reads the upload again and sends the planned users in batches of `size`.
fn produce(reread: &Reread, channel: &Channel, size: usize) -> Result<(), StoreError> {
    let mut sink = RereadSink {
        validator: Validator::last_only(&reread.schema, &reread.limits),
        reread,
        channel,
        size,
        read: 0,
        next: 0,
        batch: Vec::with_capacity(size),
        failure: None,
        stopped: false,
    };
    let outcome = crate::read::read_rows_bytes(
        reread.upload.bytes(),
        &reread.schema,
        &reread.limits,
        &mut sink,
    );
    if sink.stopped {
        return Ok(());
    }
    if let Some(failure) = sink.failure.take() {
        return Err(failure);
    }
    if let Err(error) = outcome {
        return Err(StoreError::backend("read the upload again", error));
    }
    if !sink.batch.is_empty() {
        let batch = std::mem::take(&mut sink.batch);
        sink.send(batch);
    }
    if sink.next != reread.creates.len() {
        return Err(StoreError::backend(
            "read the upload again",
            format!(
                "the second read found {} of the {} users the plan creates",
                sink.next,
                reread.creates.len()
            ),
        ));
    }
    Ok(())
}

/// Validates the planned rows of the second read and batches them.
struct RereadSink<'a> {
    validator: Validator<'a>,
    reread: &'a Reread,
    channel: &'a Channel,
    size: usize,
    /// Rows read so far: the next row's index among the briefs.
    read: usize,
    /// The next planned user, by its place in `reread.creates`.
    next: usize,
    batch: Vec<Record>,
    failure: Option<StoreError>,
    /// The batches were dropped: the store wants no more.
    stopped: bool,
}

impl RereadSink<'_> {
    fn send(&mut self, records: Vec<Record>) {
        let set = RecordSet::new(&self.reread.schema, records);
        let users = (0..set.len())
            .map(|index| NewUser::of(&set, index))
            .collect();
        if !self.channel.send(users) {
            self.stopped = true;
        }
    }

    /// Ends the read early: the store stopped, or the read differs from the first.
    fn stop() -> Error {
        Error::Store(StoreError::backend("read the upload again", "stopped"))
    }
}

impl RowSink for RereadSink<'_> {
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error> {
        self.validator.header(header)
    }

    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        let index = self.read;
        self.read += 1;
        let creates = &self.reread.creates;
        if creates
            .get(self.next)
            .is_none_or(|wanted| *wanted as usize != index)
        {
            // Not a user the plan creates (or every one was sent): not validated again.
            return Ok(());
        }
        self.validator.row(number, cells)?;
        let brief = self.reread.briefs.get(index);
        let record = self.validator.take_last().filter(|record| {
            let email = record.get(self.reread.schema.email_position());
            record.is_valid() && record.row() == brief.row && key_of(email) == key_of(brief.email)
        });
        let Some(record) = record else {
            self.failure = Some(StoreError::backend(
                "read the upload again",
                format!(
                    "row {number} read differently the second time (the plan had row {} \
                     with {}); nothing was written",
                    brief.row, brief.email
                ),
            ));
            return Err(RereadSink::stop());
        };
        self.next += 1;
        self.batch.push(record);
        if self.batch.len() >= self.size {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.size));
            self.send(batch);
            if self.stopped {
                return Err(RereadSink::stop());
            }
        }
        Ok(())
    }

    fn warning(&mut self, _issue: Issue) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::testing::workbook;

    fn row(i: usize) -> Vec<String> {
        vec![
            format!("User {i}"),
            format!("User{i}@Example.com"),
            "CA".into(),
            "QC".into(),
            "fr".into(),
        ]
    }

    fn upload(rows: &[Vec<String>]) -> Vec<u8> {
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        workbook(&Schema::default(), &rows)
    }

    /// The users of `creates` (brief indexes) as the commit reads them again from `again`,
    /// with the briefs of `first`.
    fn reread(first: &[u8], again: Vec<u8>, creates: Vec<u32>) -> NewUsers {
        let (schema, limits) = (Schema::default(), Limits::default());
        let mut validator = Validator::for_import(&schema, &limits);
        crate::read::read_rows_bytes(first, &schema, &limits, &mut validator).unwrap();
        let briefs = validator.finish().take_briefs().unwrap();
        NewUsers::reread(Reread {
            upload: Upload::from(again),
            schema,
            limits,
            briefs: Arc::new(briefs),
            creates,
        })
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn the_planned_users_come_again_from_the_upload_in_batches_in_row_order() {
        let rows: Vec<Vec<String>> = (0..25).map(row).collect();
        let bytes = upload(&rows);
        // Every row but the 4th and the 20th (users the store already has).
        let creates: Vec<u32> = (0..25).filter(|i| *i != 3 && *i != 19).collect();
        let users = reread(&bytes, bytes.clone(), creates);
        assert_eq!(users.len(), 23);
        let keys: Vec<String> = users.email_keys().map(Cow::into_owned).collect();
        assert_eq!(
            (keys[0].as_str(), keys[3].as_str()),
            ("user0@example.com", "user4@example.com")
        );
        let batches: Vec<Vec<NewUser>> = block_on(async {
            let mut batches = users.batches(10);
            let mut all = Vec::new();
            while let Some(batch) = batches.next().await.unwrap() {
                all.push(batch);
            }
            all
        });
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 10, 3]);
        let rows: Vec<u32> = batches.iter().flatten().map(NewUser::row).collect();
        let expected: Vec<u32> = (2..27).filter(|r| *r != 5 && *r != 21).collect();
        assert_eq!(rows, expected);
        let ann = &batches[0][0];
        assert_eq!((ann.name(), ann.email()), ("User 0", "User0@Example.com"));
        assert_eq!(
            ann.attributes().collect::<Vec<_>>(),
            [("country", "CA"), ("region", "CA-QC"), ("language", "fr")],
            "normalized as the first read normalized them"
        );
        // A second call reads the upload again, from the start.
        let again = block_on(users.to_vec()).unwrap();
        assert_eq!(again.iter().map(NewUser::row).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn an_upload_that_reads_differently_the_second_time_fails_the_batches() {
        let rows: Vec<Vec<String>> = (0..5).map(row).collect();
        let first = upload(&rows);
        let mut changed = rows.clone();
        changed[2][1] = "someone.else@example.com".into();
        let users = reread(&first, upload(&changed), (0..5).collect());
        let error = block_on(users.to_vec()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "read the upload again failed: row 4 read differently the second time (the plan \
             had row 4 with User2@Example.com); nothing was written"
        );
        // Fewer rows the second time: the read ends short of the plan.
        let users = reread(&first, upload(&rows[..3]), (0..5).collect());
        let error = block_on(users.to_vec()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "read the upload again failed: the second read found 3 of the 5 users the plan creates"
        );
    }

    #[test]
    fn batches_dropped_before_the_end_stop_the_read() {
        let rows: Vec<Vec<String>> = (0..40).map(row).collect();
        let bytes = upload(&rows);
        let users = reread(&bytes, bytes.clone(), (0..40).collect());
        let mut batches = users.batches(5);
        let first = block_on(batches.next()).unwrap().unwrap();
        assert_eq!(first.len(), 5);
        let Feed::Read(channel) = &batches.from else {
            panic!("read from the upload");
        };
        let channel = Arc::clone(channel);
        drop(batches);
        // The reader stops at its next batch: it ends without sending the other 35 users.
        let ended = std::time::Instant::now();
        loop {
            let state = channel.lock();
            if !matches!(state.end, End::Reading) {
                assert!(state.ready.is_empty());
                assert!(state.closed);
                break;
            }
            drop(state);
            assert!(
                ended.elapsed() < std::time::Duration::from_secs(30),
                "the reader never ended"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// A commit into `store` whose second read differs at row 10,004, after one batch of the
    /// SQL commit (10,000 users) was written: the store must be left as it was. The same
    /// commit over the upload as first read writes every user.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    async fn a_failed_second_read_leaves<S>(store: S)
    where
        S: crate::store::UserStore + crate::store::ImportLog,
    {
        let rows: Vec<Vec<String>> = (0..10_005).map(row).collect();
        let first = upload(&rows);
        let mut changed = rows.clone();
        changed[10_002][1] = "someone.else@example.com".into();
        let keys = vec![
            "user0@example.com".to_string(),
            "user10004@example.com".to_string(),
        ];
        let mut commit = crate::testkit::conformance::commit_of("reread", Vec::new(), &[]);
        commit.creates = reread(&first, upload(&changed), (0..10_005).collect());
        let error = store.commit(&commit).await.unwrap_err();
        assert!(
            error.to_string().contains("row 10004 read differently"),
            "{error}"
        );
        assert!(store.find_by_email_keys(&keys).await.unwrap().is_empty());
        assert!(store.get(&commit.record.id).await.unwrap().is_none());
        assert_eq!(store.count_active_users().await.unwrap(), 0);
        commit.creates = reread(&first, first.clone(), (0..10_005).collect());
        let receipt = store.commit(&commit).await.unwrap();
        assert_eq!(receipt.created.len(), crate::STORED_USERS);
        assert_eq!(store.find_by_email_keys(&keys).await.unwrap().len(), 2);
        assert_eq!(store.count_active_users().await.unwrap(), 10_005);
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn a_second_read_that_fails_after_a_written_batch_leaves_sqlite_as_it_was() {
        use crate::adapters::sqlite::SqliteStore;
        block_on(async {
            let store = SqliteStore::connect("sqlite::memory:", "p").await.unwrap();
            store.migrate().await.unwrap();
            a_failed_second_read_leaves(store).await;
        });
    }

    /// On the server `scripts/test` starts (`cargo nextest run --run-ignored all`).
    #[cfg(feature = "postgres")]
    #[test]
    #[ignore = "needs PostgreSQL: USER_IMPORT_TEST_POSTGRES_URL, which scripts/test sets"]
    fn a_second_read_that_fails_after_a_written_batch_leaves_postgres_as_it_was() {
        use crate::adapters::postgres::PostgresStore;
        let url = std::env::var("USER_IMPORT_TEST_POSTGRES_URL")
            .expect("USER_IMPORT_TEST_POSTGRES_URL is not set: run scripts/test");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        block_on(async {
            let platform = format!("reread-{}-{nanos}", std::process::id());
            let store = PostgresStore::connect(&url, platform).await.unwrap();
            store.migrate().await.unwrap();
            a_failed_second_read_leaves(store).await;
        });
    }
}
