//! How much memory an import of an upload may take, estimated from what the upload declares
//! before anything is inflated: for a worker that admits imports by memory.

use crate::read::package::{Format, format_of};

const MIB: u64 = 1024 * 1024;

/// What every import holds whatever its size: the schema, the catalogue, buffers.
const BASE: u64 = 16 * MIB;

/// An estimate, in bytes, of the most memory reading, validating and planning an import of
/// `upload` takes, from its size and the uncompressed sizes its zip directory declares (read
/// without inflating anything). It errs on the high side; the figures it stands on, measured
/// with `bench-probe` (peak resident memory above the process's own):
///
/// | upload | measured peak | estimate |
/// |---|---:|---:|
/// | `.xlsx`, 1,000,000 users: 52.6 MiB, 468 MiB inflated | 192 MiB (359 while imports kept every record) | file + inflated + 16 MiB = 537 MiB |
/// | `.xlsx`, 100,000 users: 4.8 MB, 36 MiB inflated | 22 MiB (37) | 56 MiB |
/// | CSV, 100,000 users: 8.6 MB | 29 MiB | 4 × file + 16 MiB = 49 MiB |
/// | `.ods`, 100,000 users: 3.3 MB, `content.xml` 109 MB inflated | 138 MiB | file + 1.5 × inflated + 16 MiB = 183 MiB |
///
/// A damaged zip directory (which the reader refuses anyway) is estimated at eight times the
/// upload.
///
/// The commit reads the upload a second time, so a real import of the 1,000,000 users peaks
/// higher than its read: 322 MiB into SQLite and 302 MiB into PostgreSQL, the upload's bytes
/// and the store's driver included, still under the estimate.
///
/// ```
/// use user_import::{Schema, estimate_import_bytes};
///
/// let upload = user_import::testing::workbook(&Schema::default(), &[
///     &["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"],
/// ]);
/// let estimate = estimate_import_bytes(&upload);
/// assert!(estimate > upload.len() as u64);
/// assert!(estimate < 20 * 1024 * 1024);
/// ```
pub fn estimate_import_bytes(upload: &[u8]) -> u64 {
    let file = upload.len() as u64;
    let head = &upload[..upload.len().min(4096)];
    let inflated = || declared_inflated(upload).unwrap_or(file.saturating_mul(8));
    let body = match format_of(head) {
        Format::Csv => file.saturating_mul(4),
        Format::Xlsx => file.saturating_add(inflated()),
        // calamine holds an OpenDocument sheet whole, as cells.
        Format::Ods => file.saturating_add(inflated().saturating_mul(3) / 2),
    };
    body.saturating_add(BASE)
}

/// The sum of the uncompressed sizes the zip directory of `upload` declares.
fn declared_inflated(upload: &[u8]) -> Option<u64> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(upload)).ok()?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_data(index).ok()?;
        total = total.saturating_add(entry.size());
    }
    Some(total)
}
