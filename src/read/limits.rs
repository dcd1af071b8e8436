//! The limits an upload is held to.

/// Bounds on what an upload may make the reader do. Every one is checked before the work it
/// bounds; [`Limits::default`] suits uploads of up to a million users.
///
/// The size defaults are about twice what the default template filled with 1,000,000
/// realistic users measures (`cargo run --example template-figures`, written by
/// rust_xlsxwriter with shared strings as Excel writes them: every column filled, a distinct
/// name, email and employee ID for nearly every user), so a real upload of that size passes
/// with room to spare and a hostile one cannot make the reader do much more than it would:
///
/// | figure of the 1,000,000-user template | measured | default |
/// |---|---|---|
/// | file size | 55,159,305 bytes (52.6 MiB) | 110 MiB |
/// | largest part, inflated (the data sheet) | 357,562,365 bytes (341 MiB) | 700 MiB |
/// | all parts, inflated | 490,686,370 bytes (468 MiB) | 960 MiB |
/// | shared strings | 2,995,085 | 6,000,000 |
/// | shared-strings part, inflated | 133,111,768 bytes (127 MiB) | 256 MiB |
/// | cell text, a shared string counted per cell | 136,446,157 bytes (130 MiB) | 256 MiB |
/// | user rows | 1,000,000 | 1,000,000 |
///
/// With these defaults every hostile workbook of the test catalogue ends with a clear error
/// (or rows with issues) inside a 1 GiB address space.
///
/// ```
/// use user_import::Limits;
///
/// let small = Limits { max_rows: 5_000, ..Limits::default() };
/// assert_eq!(small.max_rows, 5_000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes the upload may have (default 110 MiB: the 1,000,000-user template
    /// measures 52.6 MiB).
    pub max_file_bytes: u64,
    /// The most entries the zip package may hold (default 1,000; a workbook has about 10 to
    /// 30, the template 10).
    pub max_entries: usize,
    /// The most bytes one part may declare uncompressed (default 700 MiB: the 1,000,000-user
    /// template's data sheet inflates to 341 MiB).
    pub max_part_bytes: u64,
    /// The most bytes all parts together may declare uncompressed (default 960 MiB: the
    /// 1,000,000-user template's parts inflate to 468 MiB together).
    pub max_total_bytes: u64,
    /// The most bytes of text the data sheet's cells may hand out, a shared string counting
    /// once for every cell that uses it (default 256 MiB: the 1,000,000-user template's cells
    /// hold 130 MiB of text).
    pub max_text_bytes: u64,
    /// The most a part over 1 MiB may inflate, as a multiple of its compressed size
    /// (default 300). Not sized from the template, whose parts inflate 8.5 to 9.1 times:
    /// other producers' sheets of repeated or blank styled cells compress far better, and the
    /// size limits above, not the ratio, bound the work.
    pub max_ratio: u64,
    /// The most sheets the workbook may list (default 64; the template has 4). Every part is
    /// looked at for `<sheet>` elements by the package check. Finding the data sheet by its
    /// headers reads each sheet's first row, and a workbook may list one part under many
    /// sheets: this bounds how many times (see also [`Limits::max_rereads`]).
    pub max_sheets: u64,
    /// How many times the reader may read the upload's bytes over, as a multiple of its size,
    /// plus 1 MiB (default 3). Opening a workbook and reading its sheets reads each part about
    /// once; a workbook that sends the reader over the same part again and again (one
    /// worksheet listed under many sheet names) is stopped here, so the work stays
    /// proportional to the file.
    pub max_rereads: u64,
    /// The most shared strings the workbook may declare or hold (default 6,000,000: the
    /// 1,000,000-user template has 2,995,085).
    pub max_shared_strings: u64,
    /// The most bytes the shared-strings part may declare uncompressed; it is held in memory
    /// whole while the sheet is read (default 256 MiB: the 1,000,000-user template's inflates
    /// to 127 MiB).
    pub max_shared_strings_bytes: u64,
    /// The most data rows (not counting the header) the data sheet may have (default
    /// 1,000,000, the size the defaults are measured at; a sheet holds at most 1,048,575).
    pub max_rows: u32,
    /// The most columns the header row may span (default 1,000).
    pub max_columns: u32,
    /// The most characters one cell may hold (default 32,767, Excel's own limit).
    pub max_cell_chars: usize,
    /// The most issues kept in a validation report; past it one more issue says how many were
    /// left out (default 100,000).
    pub max_issues: usize,
    /// Uploads of at least this many bytes are read on two threads: one checks the worksheets
    /// while the other opens the workbook, then one reads the cells while the other validates
    /// them (default 256 KiB, about 5,000 users). `u64::MAX` reads every upload on the calling
    /// thread. The outcome is the same either way.
    pub parallel_min_bytes: u64,
    /// The most bytes one row of a text (CSV) upload may take, its quoted line breaks
    /// included; it bounds each value of the row too (default 1 MiB). The row is checked while
    /// it is read, so a file without line ends is refused after this many bytes.
    pub max_line_bytes: u64,
    /// The most memory calamine may take to hold the sheets of an OpenDocument spreadsheet,
    /// which it reads whole (default 256 MiB, about 140,000 users of 9 columns). The package
    /// check estimates it from `content.xml` before calamine sees the file: every cell of each
    /// sheet's used area, repeated rows and columns counted, and the text of every cell, once
    /// for every repeat. For 100,000 users the estimate is 185 MiB, and the read peaks at
    /// 135 MiB.
    pub max_ods_bytes: u64,
    /// The most characters of the invitations' personal message (default 5,000, about two
    /// pages): it is copied into every invitation.
    pub max_message_chars: usize,
    /// The most characters of the notes kept with an import in the index (default 2,000).
    pub max_notes_chars: usize,
    /// The longest an import may take from the start of its read to its commit (default 30
    /// minutes; a 1,000,000-user import reads, validates and plans in about 5 s and commits in
    /// about a minute here). Checked while reading (every 4,096 cells of an `.xlsx` sheet,
    /// every row of a CSV or OpenDocument sheet, blank ones included), between the lookups
    /// while planning and before the commit: past it the import ends failed with
    /// [`Error::DeadlinePassed`](crate::Error::DeadlinePassed) and nothing is written. `None`
    /// for no limit.
    pub max_duration: Option<std::time::Duration>,
}

const MIB: u64 = 1024 * 1024;

impl Limits {
    /// [`Error::DeadlinePassed`](crate::Error::DeadlinePassed) when `deadline` has passed.
    pub(crate) fn check_deadline(
        &self,
        deadline: Option<std::time::Instant>,
    ) -> Result<(), crate::Error> {
        match (deadline, self.max_duration) {
            (Some(deadline), Some(limit)) if std::time::Instant::now() >= deadline => {
                Err(crate::Error::DeadlinePassed {
                    limit_seconds: limit.as_secs(),
                })
            }
            _ => Ok(()),
        }
    }

    /// When an import that starts now must be done.
    pub(crate) fn deadline_from_now(&self) -> Option<std::time::Instant> {
        self.max_duration
            .and_then(|limit| std::time::Instant::now().checked_add(limit))
    }

    /// Checks the texts the administrator wrote with an import against
    /// [`Limits::max_message_chars`] and [`Limits::max_notes_chars`].
    ///
    /// # Errors
    ///
    /// [`Error::RequestTooLong`](crate::Error::RequestTooLong) for the first text over its
    /// limit.
    pub fn check_texts(&self, message: &str, notes: &str) -> Result<(), crate::Error> {
        for (text, value, limit) in [
            (crate::RequestText::Message, message, self.max_message_chars),
            (crate::RequestText::Notes, notes, self.max_notes_chars),
        ] {
            let chars = value.chars().count();
            if chars > limit {
                return Err(crate::Error::RequestTooLong {
                    text,
                    chars: chars as u64,
                    limit: limit as u64,
                });
            }
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 110 * MIB,
            max_entries: 1_000,
            max_part_bytes: 700 * MIB,
            max_total_bytes: 960 * MIB,
            max_text_bytes: 256 * MIB,
            max_ratio: 300,
            max_sheets: 64,
            max_rereads: 3,
            max_shared_strings: 6_000_000,
            max_shared_strings_bytes: 256 * MIB,
            max_rows: 1_000_000,
            max_columns: 1_000,
            max_cell_chars: 32_767,
            max_issues: 100_000,
            parallel_min_bytes: 256 * 1024,
            max_line_bytes: 1024 * 1024,
            max_ods_bytes: 256 * 1024 * 1024,
            max_message_chars: 5_000,
            max_notes_chars: 2_000,
            max_duration: Some(std::time::Duration::from_secs(30 * 60)),
        }
    }
}
