//! A bound on how many bytes calamine reads from the upload.
//!
//! Opening a workbook and reading its sheets reads each part of the package about once (the
//! data sheet twice when it is found by its headers, the other sheets' first rows). A workbook
//! can make calamine read one part over and over: listing one worksheet under many sheet
//! names, none of them the data sheet's, sends the search for the header row through the whole
//! part once per name. Each pass costs the part's inflated size, so a few kilobytes could keep
//! a worker busy for hours. [`Budgeted`] counts the bytes read from the upload and fails the
//! read past [`Limits::max_rereads`] times the upload's size plus 1 MiB; the caller turns the
//! failure into [`Error::LimitExceeded`] with [`Limit::Rereads`].

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Limit};
use crate::read::limits::Limits;

const MIB: u64 = 1024 * 1024;

/// A reader that fails once more than its budget of bytes was read through it.
#[derive(Debug)]
pub(crate) struct Budgeted<R> {
    inner: R,
    spent: Arc<AtomicU64>,
    budget: u64,
}

/// What a [`Budgeted`] reader spent, kept by the caller while calamine owns the reader.
#[derive(Debug, Clone)]
pub(crate) struct Spent {
    spent: Arc<AtomicU64>,
    budget: u64,
}

impl<R> Budgeted<R> {
    /// `inner`, an upload of `size` bytes, allowed to be read `limits.max_rereads` times over
    /// plus 1 MiB.
    pub(crate) fn new(inner: R, size: u64, limits: &Limits) -> (Budgeted<R>, Spent) {
        let budget = size.saturating_mul(limits.max_rereads).saturating_add(MIB);
        let spent = Arc::new(AtomicU64::new(0));
        let reader = Budgeted {
            inner,
            spent: spent.clone(),
            budget,
        };
        (reader, Spent { spent, budget })
    }
}

impl Spent {
    /// `error`, or the limit error when the budget ran out (calamine then fails with whatever
    /// its read failure became).
    pub(crate) fn explain(&self, error: Error) -> Error {
        let spent = self.spent.load(Ordering::Relaxed);
        if spent > self.budget {
            Error::LimitExceeded {
                what: Limit::Rereads,
                value: spent,
                limit: self.budget,
            }
        } else {
            error
        }
    }
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let spent = self.spent.load(Ordering::Relaxed);
        if spent > self.budget {
            return Err(io::Error::other("the upload was read too many times over"));
        }
        let read = self.inner.read(buf)?;
        let spent = spent.saturating_add(read as u64);
        self.spent.store(spent, Ordering::Relaxed);
        if spent > self.budget {
            return Err(io::Error::other("the upload was read too many times over"));
        }
        Ok(read)
    }
}

impl<R: Seek> Seek for Budgeted<R> {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        self.inner.seek(position)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn reading_past_the_budget_fails_and_is_explained_as_the_limit() {
        let limits = Limits {
            max_rereads: 2,
            ..Limits::default()
        };
        let data = vec![7u8; 1000];
        let (mut reader, spent) = Budgeted::new(Cursor::new(data), 1000, &limits);
        let mut sink = Vec::new();
        // 2 × 1000 bytes + 1 MiB may be read: the file 1,050 times over, not 1,051.
        for _ in 0..1_050 {
            reader.seek(SeekFrom::Start(0)).unwrap();
            sink.clear();
            reader.read_to_end(&mut sink).unwrap();
        }
        let other = spent.explain(Error::corrupt("x"));
        assert!(matches!(other, Error::Corrupt { .. }), "{other:?}");
        reader.seek(SeekFrom::Start(0)).unwrap();
        assert!(reader.read_to_end(&mut sink).is_err());
        match spent.explain(Error::corrupt("the sheet cannot be read")) {
            Error::LimitExceeded { what, value, limit } => {
                assert_eq!((what, limit), (Limit::Rereads, 2_000 + MIB));
                assert!(value > limit);
            }
            other => panic!("{other:?}"),
        }
    }
}
