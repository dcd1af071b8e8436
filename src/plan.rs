//! The planner: from validated records and batched lookups to an [`ImportPlan`] that says, for
//! every row, whether the user is created, gets the import's groups, or is left untouched.

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

/// A user an import creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    /// The spreadsheet row the user came from.
    pub row: u32,
    /// The full name.
    pub name: String,
    /// The email address as typed (trimmed).
    pub email: String,
    /// The email match key (lower case); unique among users.
    pub email_key: String,
    /// Every other non-empty column, by schema key (`country`, `region`, `language`, ...).
    pub attributes: Attributes,
}

impl NewUser {
    /// The value of the attribute with `key`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key)
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

    fn from_record(keys: &Arc<[Box<str>]>, positions: &[usize], record: &Record) -> Attributes {
        let mut text = String::with_capacity(64);
        let mut ends = Vec::with_capacity(positions.len());
        for position in positions {
            text.push_str(record.get(*position));
            ends.push(text.len() as u32);
        }
        Attributes {
            keys: Arc::clone(keys),
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
/// of active users and `seat_limit` the subscription's limit (`None` for no limit).
///
/// # Errors
///
/// An [`Issue`] of code [`IssueCode::SeatLimit`] when the new users do not fit in the seats
/// left; it says how many seats are left and how many the file needs.
pub fn plan(
    schema: &Schema,
    records: &[Record],
    existing: &HashMap<String, ExistingUser>,
    groups: &[Group],
    active: u64,
    seat_limit: Option<u64>,
) -> Result<ImportPlan, Issue> {
    let email = schema.email_position();
    let name = schema.name_position();
    // The attribute columns (all but name and email), their keys shared by every user.
    let positions: Vec<usize> = (0..schema.columns().len())
        .filter(|position| *position != email && *position != name)
        .collect();
    let keys: Arc<[Box<str>]> = positions
        .iter()
        .map(|position| Box::from(schema.columns()[*position].key()))
        .collect();
    let mut plan = ImportPlan {
        groups: groups.to_vec(),
        ..ImportPlan::default()
    };
    for record in records {
        let address = record.get(email);
        let key = email_key(address);
        match existing.get(&key) {
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
                        email_key: key,
                        groups: missing,
                    });
                }
            }
            None => {
                let attributes = Attributes::from_record(&keys, &positions, record);
                plan.creates.push(NewUser {
                    row: record.row(),
                    name: record.get(name).to_string(),
                    email: address.to_string(),
                    email_key: key,
                    attributes,
                });
            }
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
