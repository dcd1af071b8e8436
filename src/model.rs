//! The nouns the engine and the host's stores share: identifiers, groups, users found by
//! email, group additions and a user's other values.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

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
        packed(&self.text, &self.ends, index).unwrap_or_default()
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

/// The value at `index` of values kept one after the other in `text`, where `ends` holds the
/// end of each: `None` past the last.
pub(crate) fn packed<'t>(text: &'t str, ends: &[u32], index: usize) -> Option<&'t str> {
    let end = *ends.get(index)? as usize;
    let start = index
        .checked_sub(1)
        .map_or(0, |before| ends[before] as usize);
    text.get(start..end)
}
