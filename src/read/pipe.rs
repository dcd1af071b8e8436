//! Reading on two threads: the package checks and calamine's read on one, the sink on the
//! other, with the same outcome as one thread.

use std::io::Cursor;
use std::sync::mpsc;

use chrono::NaiveDateTime;

use crate::error::Error;
use crate::issue::Issue;
use crate::read::budget::Budgeted;
use crate::read::limits::Limits;
use crate::read::sheet::read_opened;
use crate::read::{CellValue, HeaderRow, RowSink, read_rows, read_with_calamine};
use crate::schema::Schema;

/// Reads the data sheet of an upload held in memory into `sink`, as [`read_rows`] does, on two
/// threads when the upload has at least [`Limits::parallel_min_bytes`] bytes.
///
/// The calling thread checks the parts calamine reads to open the workbook and opens it, while
/// the second thread checks the other parts (the worksheets); once both are done, the calling
/// thread reads the sheet's cells and hands them over in batches to the second thread, where
/// `sink` receives them in order. The outcome is the one [`read_rows`] has: the same rows, the
/// same warnings, and the same error when there is one.
///
/// # Errors
///
/// As [`read_rows`].
pub fn read_rows_bytes(
    bytes: &[u8],
    schema: &Schema,
    limits: &Limits,
    sink: &mut (dyn RowSink + Send),
) -> Result<u32, Error> {
    if (bytes.len() as u64) < limits.parallel_min_bytes
        || crate::read::package::format_of(&bytes[..bytes.len().min(4096)])
            != crate::read::package::Format::Xlsx
    {
        return read_rows(Cursor::new(bytes), schema, limits, sink);
    }
    let mut split = crate::read::package::Split::new(bytes, limits)?;
    if split.second.is_empty() {
        return read_rows(Cursor::new(bytes), schema, limits, sink);
    }
    let scan_second = split.second_scanner(limits);
    let outcome = std::thread::scope(|scope| {
        let (scanned_tx, scanned_rx) = mpsc::sync_channel(1);
        let (rows_tx, rows_rx) = mpsc::sync_channel::<Message>(PIPE_BATCHES);
        let (spare_tx, spare_rx) = mpsc::channel::<Batch>();
        let deadline = sink.deadline();
        let sink: &mut (dyn RowSink + Send) = &mut *sink;
        let spawned = std::thread::Builder::new()
            .name("user-import-validate".into())
            .spawn_scoped(scope, move || -> Result<(), Error> {
                let scanned = scan_second();
                let failed = scanned.is_err();
                // The reading thread waits for this answer; it only stops waiting when it fails.
                let _ = scanned_tx.send(scanned);
                if failed {
                    return Ok(());
                }
                for message in rows_rx {
                    match message {
                        Message::Header(header) => sink.header(&header)?,
                        Message::RowsExpected(rows) => sink.rows_expected(rows),
                        Message::Warning(issue) => sink.warning(issue),
                        Message::Rows(mut batch) => {
                            batch.replay(sink)?;
                            batch.clear();
                            let _ = spare_tx.send(batch);
                        }
                    }
                }
                Ok(())
            });
        // Without a second thread (the system has no more to give), the read is done on this one.
        let Ok(worker) = spawned else {
            return None;
        };
        let lost = || Error::corrupt("the worksheets could not be checked");
        let read = (move || -> Result<u32, Error> {
            let first = match split.scan_first(limits) {
                Ok(info) => info,
                Err((index, error)) => {
                    // Of two damaged parts, the error is about the one a single scan meets first.
                    return Err(match scanned_rx.recv() {
                        Ok(Err((other, other_error))) if other < index => other_error,
                        _ => error,
                    });
                }
            };
            let (source, spent) = Budgeted::new(Cursor::new(bytes), bytes.len() as u64, limits);
            // Our own reader opens the workbook while the worksheets are scanned; calamine
            // does when it cannot, or when a worksheet turns out not to be written the usual way.
            let book =
                crate::read::xlsx::Book::open(source, &first.unusual, limits.max_shared_strings);
            let second = match scanned_rx.recv() {
                Ok(Ok(info)) => info,
                Ok(Err((_, error))) => return Err(error),
                Err(_) => return Err(lost()),
            };
            let info = first.merge(second);
            let mut pipe = Pipe {
                sender: rows_tx,
                spares: spare_rx,
                batch: Batch::default(),
                deadline,
            };
            let rows = match book {
                Some(mut book) if book.reads_every_sheet(&info.unusual) => {
                    read_opened(&mut book, &info, schema, limits, &mut pipe)
                        .map_err(|error| spent.explain(error))?
                }
                _ => {
                    let size = bytes.len() as u64;
                    read_with_calamine(Cursor::new(bytes), size, &info, schema, limits, &mut pipe)?
                }
            };
            pipe.flush()?;
            Ok(rows)
        })();
        let worked = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The sink's error came at a row read before anything that stopped the reading thread.
        Some(worked.and(read))
    });
    match outcome {
        Some(outcome) => outcome,
        None => read_rows(Cursor::new(bytes), schema, limits, sink),
    }
}

/// Batches of rows in flight between the reading thread and the sink's.
const PIPE_BATCHES: usize = 8;

/// Rows in one batch.
const BATCH_ROWS: usize = 256;

/// What the reading thread hands to the sink's thread, in sheet order.
enum Message {
    Header(HeaderRow),
    RowsExpected(u64),
    Warning(Issue),
    Rows(Batch),
}

/// A cell value of a batch; text is a range of the batch's text.
#[derive(Clone, Copy)]
enum HeldCell {
    Empty,
    Text(usize, usize),
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    InvalidDate(f64),
    Error(&'static str),
    Formula(usize, usize),
}

/// Rows copied out of calamine's buffers, to be replayed into a sink on another thread.
#[derive(Default)]
struct Batch {
    /// Each row's number and the end of its cells in `cells`.
    rows: Vec<(u32, usize)>,
    cells: Vec<HeldCell>,
    text: String,
}

impl Batch {
    fn push(&mut self, number: u32, cells: &[CellValue<'_>]) {
        for cell in cells {
            let held = match cell {
                CellValue::Empty => HeldCell::Empty,
                CellValue::Text(text) => {
                    let start = self.text.len();
                    self.text.push_str(text);
                    HeldCell::Text(start, self.text.len())
                }
                CellValue::Number(number) => HeldCell::Number(*number),
                CellValue::Bool(value) => HeldCell::Bool(*value),
                CellValue::DateTime(value) => HeldCell::DateTime(*value),
                CellValue::InvalidDate(serial) => HeldCell::InvalidDate(*serial),
                CellValue::Error(error) => HeldCell::Error(error),
                CellValue::Formula(formula) => {
                    let start = self.text.len();
                    self.text.push_str(formula);
                    HeldCell::Formula(start, self.text.len())
                }
            };
            self.cells.push(held);
        }
        self.rows.push((number, self.cells.len()));
    }

    fn replay(&self, sink: &mut (dyn RowSink + Send)) -> Result<(), Error> {
        let text = |start: usize, end: usize| self.text.get(start..end).unwrap_or("");
        let mut values: Vec<CellValue<'_>> = Vec::new();
        let mut start = 0;
        for &(number, end) in &self.rows {
            values.clear();
            values.extend(self.cells[start..end].iter().map(|cell| match *cell {
                HeldCell::Empty => CellValue::Empty,
                HeldCell::Text(from, to) => CellValue::Text(text(from, to)),
                HeldCell::Number(number) => CellValue::Number(number),
                HeldCell::Bool(value) => CellValue::Bool(value),
                HeldCell::DateTime(value) => CellValue::DateTime(value),
                HeldCell::InvalidDate(serial) => CellValue::InvalidDate(serial),
                HeldCell::Error(error) => CellValue::Error(error),
                HeldCell::Formula(from, to) => CellValue::Formula(text(from, to)),
            }));
            sink.row(number, &values)?;
            start = end;
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.cells.clear();
        self.text.clear();
    }
}

/// The sink the reading thread writes to: it batches rows and sends them to the sink's thread.
struct Pipe {
    sender: mpsc::SyncSender<Message>,
    spares: mpsc::Receiver<Batch>,
    batch: Batch,
    /// The sink's deadline, which the reading thread checks as the sink's own would.
    deadline: Option<std::time::Instant>,
}

impl Pipe {
    fn send(&self, message: Message) -> Result<(), Error> {
        // The sink's thread only stops listening when the sink failed; its error is reported.
        self.sender
            .send(message)
            .map_err(|_| Error::corrupt("the rows could not be validated"))
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.batch.rows.is_empty() {
            return Ok(());
        }
        let spare = self.spares.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, spare);
        self.send(Message::Rows(full))
    }
}

impl RowSink for Pipe {
    fn header(&mut self, header: &HeaderRow) -> Result<(), Error> {
        self.flush()?;
        self.send(Message::Header(header.clone()))
    }

    fn row(&mut self, number: u32, cells: &[CellValue<'_>]) -> Result<(), Error> {
        self.batch.push(number, cells);
        if self.batch.rows.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn warning(&mut self, issue: Issue) {
        // A warning goes after the rows before it; if the sink's thread is gone, its error is
        // what the read reports, and the next row or the end of the read sees that.
        if self.flush().is_ok() {
            let _ = self.send(Message::Warning(issue));
        }
    }

    fn deadline(&self) -> Option<std::time::Instant> {
        self.deadline
    }

    fn rows_expected(&mut self, rows: u64) {
        // Sent right after the header, before any row; as for a warning, a gone sink's error is
        // what the read reports.
        if self.flush().is_ok() {
            let _ = self.send(Message::RowsExpected(rows));
        }
    }
}
