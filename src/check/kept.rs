//! What a validation keeps of each row: the whole record (a check of the file, the error
//! report), or, for an import, only what its plan and summary need (a brief), or only the last
//! row (the commit's second read of the upload).
//!
//! A brief is the row number, whether the row is valid, its name and its email: about 50 bytes
//! a row, where a record holds every value (about 150). The plan decides from the email match
//! keys; the summary lists the names and emails of the first users; the commit reads every
//! other value again from the upload, a batch of users at a time.

use crate::check::records::Record;
use crate::model::packed;

/// Rows a chunk holds: each chunk is one allocation, sized exactly once full, so the briefs
/// never hold twice their size while they grow.
const CHUNK_ROWS: usize = 4096;

/// The briefs of an upload's rows, in the order they were read.
#[derive(Debug, Default, Clone)]
pub(crate) struct Briefs {
    chunks: Vec<Chunk>,
    len: usize,
}

/// `CHUNK_ROWS` briefs: each row's entry, and the text of their names and emails.
#[derive(Debug, Default, Clone)]
struct Chunk {
    entries: Vec<Entry>,
    text: String,
}

/// Where a row's name and email are in its chunk's text (16 bytes).
#[derive(Debug, Clone, Copy)]
struct Entry {
    row: u32,
    name_start: u32,
    /// Where the name ends and the email starts.
    email_start: u32,
    /// A valid address is at most 254 bytes.
    email_len: u8,
    valid: bool,
}

/// One row as a brief holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Brief<'a> {
    /// The spreadsheet row.
    pub(crate) row: u32,
    /// Whether the row has no error.
    pub(crate) valid: bool,
    /// The name, as validated; empty for a row with an error.
    pub(crate) name: &'a str,
    /// The email, as validated; empty when the email cell was not valid.
    pub(crate) email: &'a str,
}

impl Briefs {
    /// Keeps row `row`. `name` is kept for a valid row only (no other is planned), `email`
    /// when it is a valid address (the duplicate check compares them).
    pub(crate) fn push(&mut self, row: u32, valid: bool, name: &str, email: Option<&str>) {
        if self.len.is_multiple_of(CHUNK_ROWS) {
            if let Some(full) = self.chunks.last_mut() {
                full.text.shrink_to_fit();
            }
            self.chunks.push(Chunk {
                entries: Vec::with_capacity(CHUNK_ROWS),
                text: String::new(),
            });
        }
        let name = if valid { name } else { "" };
        // A valid address is at most 254 bytes; anything longer is not compared (it is not
        // valid), so it is not kept.
        let email = (email.filter(|email| email.len() <= usize::from(u8::MAX))).unwrap_or("");
        let chunk = self.chunks.last_mut().expect("a chunk was pushed above");
        let name_start = chunk.text.len() as u32;
        chunk.text.push_str(name);
        let email_start = chunk.text.len() as u32;
        chunk.text.push_str(email);
        chunk.entries.push(Entry {
            row,
            name_start,
            email_start,
            email_len: email.len() as u8,
            valid,
        });
        self.len += 1;
    }

    /// Gives back what the last chunk holds beyond its briefs, once every row is read.
    pub(crate) fn shrink(&mut self) {
        if let Some(last) = self.chunks.last_mut() {
            last.text.shrink_to_fit();
            last.entries.shrink_to_fit();
        }
    }

    /// How many rows are kept.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The brief of the row at `index` (in reading order).
    pub(crate) fn get(&self, index: usize) -> Brief<'_> {
        let chunk = &self.chunks[index / CHUNK_ROWS];
        let entry = chunk.entries[index % CHUNK_ROWS];
        let (name, email) = (entry.name_start as usize, entry.email_start as usize);
        // Cut where `push` wrote whole `&str`s: always at character boundaries.
        let text = |from: usize, to: usize| chunk.text.get(from..to).unwrap_or_default();
        Brief {
            row: entry.row,
            valid: entry.valid,
            name: text(name, email),
            email: text(email, email + usize::from(entry.email_len)),
        }
    }

    /// Marks the row at `index` as having an error (a duplicate email found at the end).
    pub(crate) fn set_invalid(&mut self, index: usize) {
        self.chunks[index / CHUNK_ROWS].entries[index % CHUNK_ROWS].valid = false;
    }

    /// Every brief, in reading order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Brief<'_>> {
        (0..self.len).map(|index| self.get(index))
    }

    /// The bytes the briefs hold, for tests of their size.
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        self.chunks
            .iter()
            .map(|chunk| chunk.entries.capacity() * 16 + chunk.text.capacity())
            .sum()
    }
}

/// What a [`Validator`](crate::Validator) keeps of the rows it validates.
#[derive(Debug, Clone)]
pub(crate) enum Kept {
    /// Every row's record.
    Records(Vec<Record>),
    /// Every row's brief.
    Briefs(Briefs),
    /// The last row's record only.
    Last(Option<Record>),
}

impl Kept {
    /// How many rows are kept.
    pub(crate) fn len(&self) -> usize {
        match self {
            Kept::Records(records) => records.len(),
            Kept::Briefs(briefs) => briefs.len(),
            Kept::Last(last) => usize::from(last.is_some()),
        }
    }

    /// The spreadsheet row of the row at `index`.
    pub(crate) fn row(&self, index: usize) -> u32 {
        match self {
            Kept::Records(records) => records[index].row,
            Kept::Briefs(briefs) => briefs.get(index).row,
            Kept::Last(last) => last.as_ref().map_or(0, |record| record.row),
        }
    }

    /// The email (the column at `position`) of the row at `index`.
    pub(crate) fn email(&self, index: usize, position: usize) -> &str {
        match self {
            Kept::Records(records) => records[index].get(position),
            Kept::Briefs(briefs) => briefs.get(index).email,
            Kept::Last(last) => last.as_ref().map_or("", |record| record.get(position)),
        }
    }

    /// Marks the row at `index` as having an error.
    pub(crate) fn set_invalid(&mut self, index: usize) {
        match self {
            Kept::Records(records) => records[index].valid = false,
            Kept::Briefs(briefs) => briefs.set_invalid(index),
            Kept::Last(last) => {
                if let Some(record) = last {
                    record.valid = false;
                }
            }
        }
    }

    /// Keeps a validated row: its values end at `ends` in `text`; `name` and `email` are the
    /// positions of those columns, `email_valid` whether the email passed its checks.
    pub(crate) fn push(
        &mut self,
        row: u32,
        valid: bool,
        ends: &[u32],
        text: &str,
        columns: Columns,
    ) {
        match self {
            Kept::Records(records) => records.push(Record::new(row, valid, ends, text)),
            Kept::Briefs(briefs) => {
                let value = |position| packed(text, ends, position).unwrap_or_default();
                let email = columns.email_valid.then(|| value(columns.email));
                briefs.push(row, valid, value(columns.name), email);
            }
            Kept::Last(last) => *last = Some(Record::new(row, valid, ends, text)),
        }
    }
}

/// Where the name and email of a row are, and whether the email passed its checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns {
    pub(crate) name: usize,
    pub(crate) email: usize,
    pub(crate) email_valid: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn briefs_read_back_as_pushed_across_chunks_and_wide_names() {
        let mut briefs = Briefs::default();
        let long = "é".repeat(40_000);
        for row in 2..(2 + 2 * CHUNK_ROWS as u32 + 5) {
            let email = format!("user{row}@example.com");
            match row {
                7 => briefs.push(row, true, &long, Some(&email)),
                8 => briefs.push(row, false, "Bad Row", Some("x")),
                9 => briefs.push(row, true, "Ann", None),
                10 => briefs.push(row, true, "Ann", Some(&"a".repeat(300))),
                _ => briefs.push(row, true, "Ann Lee", Some(&email)),
            }
        }
        assert_eq!(briefs.len(), 2 * CHUNK_ROWS + 5);
        let brief = |index: usize| briefs.get(index);
        assert_eq!(
            brief(0),
            Brief {
                row: 2,
                valid: true,
                name: "Ann Lee",
                email: "user2@example.com"
            }
        );
        assert_eq!(
            (brief(5).name, brief(5).email),
            (&long[..], "user7@example.com")
        );
        // A row with an error keeps its email (for the duplicate check), not its name.
        assert_eq!(
            brief(6),
            Brief {
                row: 8,
                valid: false,
                name: "",
                email: "x"
            }
        );
        assert_eq!(brief(7).email, "");
        assert_eq!(
            brief(8).email,
            "",
            "longer than any valid address: not kept"
        );
        let last = 2 * CHUNK_ROWS + 4;
        assert_eq!(brief(last).row, last as u32 + 2);
        assert_eq!(brief(last).email, format!("user{}@example.com", last + 2));
        briefs.set_invalid(last);
        assert!(!briefs.get(last).valid);
        assert_eq!(briefs.get(last).name, "Ann Lee");
        assert_eq!(briefs.iter().filter(|b| !b.valid).count(), 2);
    }

    #[test]
    fn a_brief_holds_its_name_and_email_and_16_bytes_more() {
        let (name, email) = ("Marguerite Lefebvre", "marguerite.lefebvre4821@example.com");
        let mut briefs = Briefs::default();
        let rows = 3 * CHUNK_ROWS;
        for row in 0..rows {
            briefs.push(row as u32, true, name, Some(email));
        }
        briefs.shrink();
        // Row (4), where the name and the email start (4 + 4), the email's length and whether
        // the row is valid (1 + 1), and 2 bytes of padding.
        assert_eq!(std::mem::size_of::<Entry>(), 16);
        assert_eq!(briefs.heap_bytes(), rows * (name.len() + email.len() + 16));
    }
}
