//! The duplicate-email check's index: every email match key seen, in 8 bytes a row, and the
//! rows that share one.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use crate::check::normalize;

/// The email match keys of the rows read so far.
#[derive(Debug, Default)]
pub(crate) struct EmailIndex {
    /// 32 bits of a keyed hash of an email match key → the first row with it (8 bytes an
    /// entry: a million addresses in 18 MB).
    first: HashMap<u32, u32, BuildHasherDefault<Prehashed>>,
    /// Keys whose hash met another key's hash: compared in full.
    overflow: HashMap<String, u32>,
    /// First row index → the indexes of later rows with the same email key.
    duplicates: HashMap<u32, Vec<u32>>,
    hasher: std::hash::RandomState,
    /// Tests make every address hash alike, to check that colliding addresses are told apart.
    #[cfg(test)]
    pub(crate) same_hash: bool,
}

impl EmailIndex {
    /// Notes that the row at `index` has the address `email`; `email_of` answers the address
    /// of an earlier row, for the rare rows whose hashes meet.
    pub(crate) fn insert<'a>(
        &mut self,
        email: &str,
        index: u32,
        email_of: impl Fn(u32) -> &'a str,
    ) {
        // Valid addresses are ASCII and at most 254 bytes: lower-case them on the stack.
        let bytes = email.as_bytes();
        let mut lowered = [0u8; 256];
        let hash = if email.is_ascii() && bytes.len() <= lowered.len() {
            for (to, from) in lowered.iter_mut().zip(bytes) {
                *to = from.to_ascii_lowercase();
            }
            self.hasher.hash_one(&lowered[..bytes.len()])
        } else {
            self.hasher.hash_one(normalize::email_key(email).as_bytes())
        };
        // The low half: a million addresses meet about a hundred times, each settled in full.
        let hash = hash as u32;
        #[cfg(test)]
        let hash = if self.same_hash { 7 } else { hash };
        match self.first.get(&hash) {
            None => {
                self.first.insert(hash, index);
            }
            Some(&first) => {
                let key = normalize::email_key(email);
                if normalize::email_key(email_of(first)) == key {
                    self.duplicates.entry(first).or_default().push(index);
                } else {
                    match self.overflow.get(&key) {
                        Some(&earlier) => self.duplicates.entry(earlier).or_default().push(index),
                        None => {
                            self.overflow.insert(key, index);
                        }
                    }
                }
            }
        }
    }

    /// The rows that share an address: (the first, the later ones), ordered by the first.
    pub(crate) fn groups(&mut self) -> Vec<(u32, Vec<u32>)> {
        let mut groups: Vec<(u32, Vec<u32>)> = self.duplicates.drain().collect();
        groups.sort_unstable();
        groups
    }
}

/// A hasher for keys that are already the output of a keyed hash: passes them through, spread
/// over 64 bits (the table takes its control bytes from the top bits).
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed; fold anything else in, to stay correct.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn write_u32(&mut self, value: u32) {
        self.0 = u64::from(value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use crate::check::validate::Validator;
    use crate::read::HeaderRow;
    use crate::read::{CellValue, RowSink};
    use crate::{IssueCode, Limits, Schema};

    #[test]
    fn addresses_whose_hashes_meet_are_told_apart_in_full() {
        let schema = Schema::default();
        let limits = Limits::default();
        let mut validator = Validator::new(&schema, &limits);
        validator.emails.same_hash = true;
        let header = HeaderRow {
            sheet: "Users".into(),
            row: 1,
            headers: schema
                .columns()
                .iter()
                .map(|c| Some(c.header().to_string()))
                .collect(),
            extra: Vec::new(),
        };
        validator.header(&header).unwrap();
        for (row, email) in [
            (2, "a@x.org"),
            (3, "b@x.org"),
            (4, "A@x.org"),
            (5, "c@x.org"),
            (6, "B@X.org"),
        ] {
            let mut cells = vec![CellValue::Empty; schema.columns().len()];
            cells[0] = CellValue::Text("Ann Lee");
            cells[1] = CellValue::Text(email);
            cells[2] = CellValue::Text("MC");
            cells[3] = CellValue::Text("MC-CL");
            cells[4] = CellValue::Text("en");
            validator.row(row, &cells).unwrap();
        }
        let validation = validator.finish();
        let duplicates: Vec<(Option<u32>, Option<String>)> = validation
            .issues()
            .iter()
            .map(|issue| {
                assert_eq!(issue.code, IssueCode::EmailDuplicate, "{issue:?}");
                (issue.row, issue.value.clone())
            })
            .collect();
        assert_eq!(
            duplicates,
            [
                (Some(2), Some("a@x.org".to_string())),
                (Some(3), Some("b@x.org".to_string())),
                (Some(4), Some("A@x.org".to_string())),
                (Some(6), Some("B@X.org".to_string())),
            ]
        );
    }
}
