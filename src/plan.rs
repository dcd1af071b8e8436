//! The planner: from validated records and batched lookups to an [`ImportPlan`] that says, for
//! every row, whether the user is created, gets the import's groups, or is left untouched.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::issue::{Issue, IssueCode};
use crate::normalize::email_key;
use crate::schema::Schema;
use crate::validate::Record;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name(value.to_string())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                $name(value)
            }
        }
    };
}

id_type!(
    /// A user's identifier in the host's store.
    UserId
);
id_type!(
    /// A group's identifier in the host's store.
    GroupId
);
id_type!(
    /// An import's identifier, chosen by the host: submitting the same id twice imports once.
    ImportId
);
id_type!(
    /// A course's identifier in the host's store.
    CourseId
);
id_type!(
    /// An invitation's identifier in the outbox.
    InvitationId
);

/// A group an import can add users to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Group {
    /// The group's identifier.
    pub id: GroupId,
    /// Its name, as the administrator picked it.
    pub name: String,
}

/// A user the store already has, as found by email match key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingUser {
    /// The user's identifier.
    pub id: UserId,
    /// The email match key that found them (lower case).
    pub email_key: String,
    /// The groups the user is already in.
    pub groups: Vec<GroupId>,
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
fn key_of(email: &str) -> Cow<'_, str> {
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

/// Groups added to a user that already had an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAddition {
    /// The spreadsheet row.
    pub row: u32,
    /// The existing user.
    pub user: UserId,
    /// Their email match key.
    pub email_key: String,
    /// The groups to add (those the user is not in yet).
    pub groups: Vec<GroupId>,
}

/// A user's values beyond name and email, by schema key, held compactly: one allocation for
/// the values, the keys shared by every user of an import. Serialized as a list of
/// `[key, value]` pairs, empty values left out.
///
/// ```
/// use user_import::Attributes;
///
/// let attributes = Attributes::from_pairs([("country", "CA"), ("region", "CA-QC"), ("job_title", "")]);
/// assert_eq!(attributes.get("region"), Some("CA-QC"));
/// assert_eq!(attributes.get("job_title"), None);
/// assert_eq!(attributes.iter().collect::<Vec<_>>(), [("country", "CA"), ("region", "CA-QC")]);
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Attributes {
    keys: Arc<[Box<str>]>,
    text: Box<str>,
    /// The end of each key's value in `text`.
    ends: Box<[u32]>,
}

impl Attributes {
    /// Attributes from (key, value) pairs; empty values count as absent.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Attributes {
        let mut keys: Vec<Box<str>> = Vec::new();
        let mut text = String::new();
        let mut ends = Vec::new();
        for (key, value) in pairs {
            keys.push(Box::from(key.as_ref()));
            text.push_str(value.as_ref());
            ends.push(text.len() as u32);
        }
        Attributes {
            keys: keys.into(),
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    /// The value of `key`, if it is set and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys
            .iter()
            .position(|known| &**known == key)
            .map(|index| self.value(index))
            .filter(|value| !value.is_empty())
    }

    fn value(&self, index: usize) -> &str {
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        let end = self.ends[index] as usize;
        self.text.get(start..end).unwrap_or("")
    }

    /// The non-empty values, as (key, value), in schema order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys
            .iter()
            .enumerate()
            .map(|(index, key)| (&**key, self.value(index)))
            .filter(|(_, value)| !value.is_empty())
    }

    /// The number of non-empty values.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether no value is set.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attributes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pairs = Vec::<(String, String)>::deserialize(deserializer)?;
        Ok(Attributes::from_pairs(pairs))
    }
}

/// An existing user the import leaves as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Untouched {
    /// The spreadsheet row.
    pub row: u32,
    /// The user.
    pub user: UserId,
    /// The email address as in the file.
    pub email: String,
}

/// What an import will do, row by row. Built by [`plan`]; committed as a whole or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlan {
    /// Users to create (and invite), in row order.
    pub creates: Vec<NewUser>,
    /// Existing users who get the import's groups, in row order.
    pub additions: Vec<GroupAddition>,
    /// Existing users left untouched: no groups chosen, or already in every one.
    pub untouched: Vec<Untouched>,
    /// The import's groups.
    pub groups: Vec<Group>,
}

/// Matches the administrator's chosen groups against the ones the store knows.
///
/// # Errors
///
/// An [`Issue`] of code [`IssueCode::UnknownGroups`] naming every group the store does not know.
pub fn check_groups(wanted: &[String], found: &[Group]) -> Result<Vec<Group>, Issue> {
    let mut groups: Vec<Group> = Vec::with_capacity(wanted.len());
    let mut unknown: Vec<&str> = Vec::new();
    for name in wanted {
        match found.iter().find(|g| g.id.0 == *name || g.name == *name) {
            Some(group) => {
                if !groups.iter().any(|g| g.id == group.id) {
                    groups.push(group.clone());
                }
            }
            None => unknown.push(name),
        }
    }
    if unknown.is_empty() {
        Ok(groups)
    } else {
        Err(Issue::new(IssueCode::UnknownGroups)
            .arg("groups", crate::error::quoted_list(&unknown))
            .arg("count", unknown.len().to_string()))
    }
}

/// Plans an import of valid `records`.
///
/// - a new email match key → the user is created (and invited);
/// - an existing key → only the import's groups are added; with no groups chosen, or when the
///   user is already in all of them, the user is left untouched;
/// - a person registered under another email → a new user (no matching by name).
///
/// `existing` maps email match keys to the users the store found; `active` is the store's count
/// of active users and `seat_limit` the subscription's limit (`None` for no limit). The users
/// to create share `records`; nothing of a row is copied.
///
/// # Errors
///
/// An [`Issue`] of code [`IssueCode::SeatLimit`] when the new users do not fit in the seats
/// left; it says how many seats are left and how many the file needs.
pub fn plan(
    records: &RecordSet,
    existing: &HashMap<String, ExistingUser>,
    groups: &[Group],
    active: u64,
    seat_limit: Option<u64>,
) -> Result<ImportPlan, Issue> {
    let mut plan = ImportPlan {
        groups: groups.to_vec(),
        ..ImportPlan::default()
    };
    for (index, record) in records.records().iter().enumerate() {
        let address = records.email(index);
        let key = key_of(address);
        match existing.get(key.as_ref()) {
            Some(user) => {
                let missing: Vec<GroupId> = groups
                    .iter()
                    .filter(|group| !user.groups.contains(&group.id))
                    .map(|group| group.id.clone())
                    .collect();
                if missing.is_empty() {
                    plan.untouched.push(Untouched {
                        row: record.row(),
                        user: user.id.clone(),
                        email: address.to_string(),
                    });
                } else {
                    plan.additions.push(GroupAddition {
                        row: record.row(),
                        user: user.id.clone(),
                        email_key: key.into_owned(),
                        groups: missing,
                    });
                }
            }
            None => plan.creates.push(NewUser {
                set: Arc::clone(&records.inner),
                // A validation holds at most `Limits::max_rows` (a `u32`) records.
                index: index as u32,
            }),
        }
    }
    if let Some(limit) = seat_limit {
        let needed = plan.creates.len() as u64;
        let left = limit.saturating_sub(active);
        if needed > left {
            return Err(Issue::new(IssueCode::SeatLimit)
                .arg("needed", needed.to_string())
                .arg("left", left.to_string())
                .arg("limit", limit.to_string())
                .arg("active", active.to_string())
                .arg("over", (needed - left).to_string()));
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, validate_bytes};

    fn records(rows: &[&[&str]]) -> RecordSet {
        let schema = Schema::default();
        let bytes = crate::testing::workbook(&schema, rows);
        let validation = validate_bytes(&bytes, &schema, &Limits::default()).unwrap();
        assert!(validation.is_valid(), "{:?}", validation.issues());
        RecordSet::new(&schema, validation.into_parts().0)
    }

    #[test]
    fn planned_users_share_their_records_instead_of_copying_them() {
        let records = records(&[
            &[
                "Ann Lee",
                "Ann@Example.com",
                "CA",
                "QC",
                "en",
                "",
                "",
                "007",
                "",
            ],
            &[
                "Bob Roy",
                "bob@example.com",
                "CA",
                "ON",
                "fr",
                "Nurse",
                "",
                "",
                "",
            ],
        ]);
        let first = plan(&records, &HashMap::new(), &[], 0, None).unwrap();
        let again = plan(&records, &HashMap::new(), &[], 0, None).unwrap();
        assert_eq!(std::mem::size_of::<NewUser>(), 16);
        let ann = &first.creates[0];
        assert_eq!(
            (ann.row(), ann.name(), ann.email(), ann.email_key().as_ref()),
            (2, "Ann Lee", "Ann@Example.com", "ann@example.com")
        );
        assert_eq!(
            ann.attributes().collect::<Vec<_>>(),
            [
                ("country", "CA"),
                ("region", "CA-QC"),
                ("language", "en"),
                ("employee_id", "007")
            ]
        );
        // The same bytes: the record's, for every plan made of it.
        let schema = Schema::default();
        let in_record = records.records()[0].get(schema.name_position());
        assert_eq!(ann.name().as_ptr(), in_record.as_ptr());
        assert_eq!(again.creates[0].name().as_ptr(), in_record.as_ptr());
        // A lower-case address is its own key; no copy is made for it.
        let bob = &first.creates[1];
        assert!(matches!(bob.email_key(), Cow::Borrowed("bob@example.com")));
        assert!(matches!(ann.email_key(), Cow::Owned(_)));
    }

    #[test]
    fn a_new_user_serializes_as_its_values_and_reads_back_equal() {
        let ann = NewUser::new(7, "Ann", " Ann@X.org", [("country", "CA"), ("region", "")]);
        assert_eq!(ann.email_key(), "ann@x.org");
        let json = serde_json::to_string(&ann).unwrap();
        assert_eq!(
            json,
            r#"{"row":7,"name":"Ann","email":" Ann@X.org","email_key":"ann@x.org","attributes":[["country","CA"]]}"#
        );
        let back: NewUser = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ann);
        assert_eq!(
            format!("{back:?}"),
            r#"NewUser { row: 7, name: "Ann", email: " Ann@X.org", attributes: {"country": "CA"} }"#
        );
    }
}
