//! The valid records of an upload, held compactly, and the users an import creates as views of
//! them.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::check::normalize::{email_key, parse_date};
use crate::schema::Schema;

/// One data row of the upload, with each column's value: normalized where it was valid, as
/// read where it was not.
///
/// Values are kept together in one allocation (where each value ends, then the values' text);
/// read them by column position ([`Schema::position`]) or through [`Validation::value`](crate::Validation::value).
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    pub(crate) row: u32,
    pub(crate) valid: bool,
    /// Whether the ends take 4 bytes each (text of 64 KiB or more) rather than 2.
    wide: bool,
    count: u16,
    /// `count` little-endian ends (`u16`, or `u32` when `wide`), then the UTF-8 text of the
    /// values.
    data: Box<[u8]>,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values: Vec<&str> = (0..self.len()).map(|position| self.get(position)).collect();
        f.debug_struct("Record")
            .field("row", &self.row)
            .field("valid", &self.valid)
            .field("values", &values)
            .finish()
    }
}

impl Record {
    /// The row number as the spreadsheet shows it.
    pub fn row(&self) -> u32 {
        self.row
    }

    /// Whether the row has no error-severity issue.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// The value of the column at `position`; empty when the cell was empty or the column is
    /// not in the file.
    pub fn get(&self, position: usize) -> &str {
        let count = usize::from(self.count);
        if position >= count {
            return "";
        }
        let start = match position {
            0 => 0,
            _ => self.end_of(position - 1),
        };
        let end = self.end_of(position);
        self.data
            .get(self.end_size() * count..)
            .and_then(|text| text.get(start..end))
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or("")
    }

    fn end_size(&self) -> usize {
        if self.wide { 4 } else { 2 }
    }

    fn end_of(&self, position: usize) -> usize {
        let size = self.end_size();
        match self.data.get(size * position..size * position + size) {
            Some(&[a, b]) => usize::from(u16::from_le_bytes([a, b])),
            Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
            _ => 0,
        }
    }

    pub(crate) fn new(row: u32, valid: bool, ends: &[u32], text: &str) -> Record {
        // Most rows hold a few hundred bytes: two bytes an end is enough for them.
        let wide = text.len() > usize::from(u16::MAX);
        let size = if wide { 4 } else { 2 };
        let mut data = Vec::with_capacity(size * ends.len() + text.len());
        for end in ends {
            if wide {
                data.extend_from_slice(&end.to_le_bytes());
            } else {
                data.extend_from_slice(&(*end as u16).to_le_bytes());
            }
        }
        data.extend_from_slice(text.as_bytes());
        Record {
            row,
            valid,
            wide,
            // A schema has at most 200 columns.
            count: u16::try_from(ends.len()).unwrap_or(u16::MAX),
            data: data.into_boxed_slice(),
        }
    }

    /// The value of the column at `position`, or `None` when it is empty.
    pub fn non_empty(&self, position: usize) -> Option<&str> {
        Some(self.get(position)).filter(|value| !value.is_empty())
    }

    /// The value of a date column at `position`, parsed.
    pub fn date(&self, position: usize) -> Option<NaiveDate> {
        parse_date(self.get(position)).ok()
    }

    /// The number of column values the record holds.
    pub fn len(&self) -> usize {
        usize::from(self.count)
    }

    /// Whether the record holds no column values.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The valid records an import plans from, shared by the users its plan creates: every value
/// is held once, in the record it was validated into, however many users, summaries and
/// retries refer to it.
#[derive(Clone)]
pub struct RecordSet {
    inner: Arc<RecordsInner>,
}

struct RecordsInner {
    records: Vec<Record>,
    /// The positions of the name and email columns.
    name: usize,
    email: usize,
    /// Every column's key, by position.
    keys: Box<[Box<str>]>,
    /// The positions of the attribute columns: all but name and email, in schema order.
    attributes: Box<[usize]>,
}

impl RecordSet {
    /// The records of a validation against `schema` (see [`crate::Validation::into_parts`]).
    pub fn new(schema: &Schema, records: Vec<Record>) -> RecordSet {
        let (name, email) = (schema.name_position(), schema.email_position());
        RecordSet {
            inner: Arc::new(RecordsInner {
                records,
                name,
                email,
                keys: schema
                    .columns()
                    .iter()
                    .map(|column| Box::from(column.key()))
                    .collect(),
                attributes: (0..schema.columns().len())
                    .filter(|position| *position != name && *position != email)
                    .collect(),
            }),
        }
    }

    /// The records, in row order.
    pub fn records(&self) -> &[Record] {
        &self.inner.records
    }

    /// The email address of the record at `index`.
    pub fn email(&self, index: usize) -> &str {
        self.inner.records[index].get(self.inner.email)
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.inner.records.len()
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.inner.records.is_empty()
    }
}

impl fmt::Debug for RecordSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.records()).finish()
    }
}

/// [`email_key`] of `email`, borrowed when the address is its own key (ASCII, no capital
/// letter, no space around it), which spares a copy for most addresses.
pub(crate) fn key_of(email: &str) -> Cow<'_, str> {
    let own_key = email.is_ascii()
        && !email.bytes().any(|byte| byte.is_ascii_uppercase())
        && email.trim().len() == email.len();
    if own_key {
        Cow::Borrowed(email)
    } else {
        Cow::Owned(email_key(email))
    }
}

/// A user an import creates: a view of its row's record, which the plan, the commit and the
/// summary share (16 bytes, whatever the row holds).
///
/// ```
/// use user_import::NewUser;
///
/// let ann = NewUser::new(2, "Ann Lee", "Ann@Example.com", [("country", "CA"), ("job_title", "")]);
/// assert_eq!((ann.row(), ann.name(), ann.email()), (2, "Ann Lee", "Ann@Example.com"));
/// assert_eq!(ann.email_key(), "ann@example.com");
/// assert_eq!(ann.attribute("country"), Some("CA"));
/// assert_eq!(ann.attribute("job_title"), None);
/// assert_eq!(ann.attributes().collect::<Vec<_>>(), [("country", "CA")]);
/// ```
#[derive(Clone)]
pub struct NewUser {
    set: Arc<RecordsInner>,
    index: u32,
}

impl NewUser {
    /// The user of record `index` of `records`.
    pub(crate) fn of(records: &RecordSet, index: usize) -> NewUser {
        NewUser {
            set: Arc::clone(&records.inner),
            // A validation holds at most `Limits::max_rows` (a `u32`) records.
            index: index as u32,
        }
    }

    /// A new user from its values; `attributes` are (schema key, value) pairs, empty values
    /// counting as absent. The planner makes its users from the upload's records instead.
    pub fn new<K: AsRef<str>, V: AsRef<str>>(
        row: u32,
        name: &str,
        email: &str,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> NewUser {
        let mut keys: Vec<Box<str>> = vec![Box::from("name"), Box::from("email")];
        let mut text = format!("{name}{email}");
        let mut ends = vec![name.len() as u32, text.len() as u32];
        for (key, value) in attributes {
            keys.push(Box::from(key.as_ref()));
            text.push_str(value.as_ref());
            ends.push(text.len() as u32);
        }
        let count = keys.len();
        NewUser {
            set: Arc::new(RecordsInner {
                records: vec![Record::new(row, true, &ends, &text)],
                name: 0,
                email: 1,
                keys: keys.into(),
                attributes: (2..count).collect(),
            }),
            index: 0,
        }
    }

    fn record(&self) -> &Record {
        &self.set.records[self.index as usize]
    }

    /// The spreadsheet row the user came from.
    pub fn row(&self) -> u32 {
        self.record().row()
    }

    /// The full name.
    pub fn name(&self) -> &str {
        self.record().get(self.set.name)
    }

    /// The email address as typed (trimmed).
    pub fn email(&self) -> &str {
        self.record().get(self.set.email)
    }

    /// The email match key (lower case), unique among users: [`email_key`] of the address,
    /// borrowed when the address is its own key.
    pub fn email_key(&self) -> Cow<'_, str> {
        key_of(self.email())
    }

    /// The value of the attribute with `key` (`country`, `region`, `language`, ...), if it is
    /// set and not empty.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.set
            .attributes
            .iter()
            .find(|position| &*self.set.keys[**position] == key)
            .map(|position| self.record().get(*position))
            .filter(|value| !value.is_empty())
    }

    /// Every other non-empty column than name and email, as (schema key, value), in schema
    /// order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &str)> {
        let record = self.record();
        self.set
            .attributes
            .iter()
            .map(move |position| (&*self.set.keys[*position], record.get(*position)))
            .filter(|(_, value)| !value.is_empty())
    }
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Pairs<'a>(&'a NewUser);
        impl fmt::Debug for Pairs<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.attributes()).finish()
            }
        }
        f.debug_struct("NewUser")
            .field("row", &self.row())
            .field("name", &self.name())
            .field("email", &self.email())
            .field("attributes", &Pairs(self))
            .finish()
    }
}

impl PartialEq for NewUser {
    fn eq(&self, other: &NewUser) -> bool {
        self.row() == other.row()
            && self.name() == other.name()
            && self.email() == other.email()
            && self.attributes().eq(other.attributes())
    }
}

impl Eq for NewUser {}

/// How a [`NewUser`] is serialized: its values, the match key and the attributes as
/// `[key, value]` pairs.
#[derive(Serialize, Deserialize)]
struct NewUserFields<'a> {
    row: u32,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    email_key: Cow<'a, str>,
    attributes: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl Serialize for NewUser {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        NewUserFields {
            row: self.row(),
            name: Cow::Borrowed(self.name()),
            email: Cow::Borrowed(self.email()),
            email_key: self.email_key(),
            attributes: self
                .attributes()
                .map(|(key, value)| (Cow::Borrowed(key), Cow::Borrowed(value)))
                .collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for NewUser {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = NewUserFields::deserialize(deserializer)?;
        Ok(NewUser::new(
            fields.row,
            &fields.name,
            &fields.email,
            fields.attributes,
        ))
    }
}

#[cfg(test)]
mod record_tests {
    use super::Record;

    #[test]
    fn a_record_holds_short_and_long_rows() {
        let short = Record::new(2, true, &[3, 3, 8], "AnnQCen-CA");
        assert_eq!(
            (0..4).map(|p| short.get(p)).collect::<Vec<_>>(),
            ["Ann", "", "QCen-", ""]
        );
        assert_eq!(short.data.len(), 3 * 2 + 10);
        // Over 64 KiB of text: the ends take four bytes.
        let long = "é".repeat(40_000);
        let text = format!("{long}{long}x");
        let ends = [80_000, 160_000, 160_001];
        let wide = Record::new(3, false, &ends, &text);
        assert_eq!(
            (wide.get(0), wide.get(1), wide.get(2)),
            (&long[..], &long[..], "x")
        );
        assert_eq!(wide.data.len(), 3 * 4 + 160_001);
        assert!(!wide.is_valid());
    }
}
