//! What the SQL store writes in bulk, as rows for the dialect's insert, and what the commit's
//! rules read: plain data, no database.

use std::collections::HashSet;

use super::{delivery_name, language, numeric_id, to_json};
use crate::{Commit, CommitView, DeliveryStatus, GroupId, ImportId, NewUser, UserId};

/// Rows for one bulk `INSERT`, column by column.
#[derive(Debug)]
pub struct Rows<'a> {
    /// The table.
    pub table: &'static str,
    /// The columns, in the order of `values`.
    pub columns: &'static [&'static str],
    /// One entry per column.
    pub values: Vec<Values<'a>>,
    /// The number of rows.
    pub len: usize,
    /// Whether a row that breaks a unique key is skipped rather than an error.
    pub skip_existing: bool,
    /// The `RETURNING` list, or empty.
    pub returning: &'static str,
}

/// The values of one column of [`Rows`].
#[derive(Debug)]
pub enum Values<'a> {
    /// The same text in every row.
    Each(&'a str),
    /// One text per row.
    Texts(Vec<&'a str>),
    /// One integer per row.
    Ints(Vec<i64>),
}

impl<'a> Rows<'a> {
    /// Rows of `table`, one value list per column (as many rows as the lists hold).
    pub(super) fn new(
        table: &'static str,
        columns: &'static [&'static str],
        values: Vec<Values<'a>>,
    ) -> Rows<'a> {
        let len = values
            .iter()
            .find_map(|v| match v {
                Values::Each(_) => None,
                Values::Texts(texts) => Some(texts.len()),
                Values::Ints(ints) => Some(ints.len()),
            })
            .unwrap_or(0);
        Rows {
            table,
            columns,
            values,
            len,
            skip_existing: false,
            returning: "",
        }
    }

    /// Rows that break a unique key are skipped.
    pub(super) fn skip_existing(self) -> Rows<'a> {
        Rows {
            skip_existing: true,
            ..self
        }
    }

    /// The insert answers `columns` of each row.
    pub(super) fn returning(self, columns: &'static str) -> Rows<'a> {
        Rows {
            returning: columns,
            ..self
        }
    }

    /// `INSERT INTO table (columns)`, with `skip` (the dialect's way to skip rows that break a
    /// unique key) when [`Rows::skip_existing`].
    pub(super) fn head(&self, skip: &str) -> String {
        let skip = if self.skip_existing { skip } else { "" };
        format!(
            "INSERT {skip}INTO {} ({})",
            self.table,
            self.columns.join(", ")
        )
    }
}

/// Memberships of `user_ids` in `group_ids`, pair by pair.
pub(super) fn memberships<'a>(
    platform: &'a str,
    user_ids: Vec<i64>,
    group_ids: Vec<&'a str>,
) -> Rows<'a> {
    Rows::new(
        "ui_memberships",
        &["platform", "user_id", "group_id"],
        vec![
            Values::Each(platform),
            Values::Ints(user_ids),
            Values::Texts(group_ids),
        ],
    )
    .skip_existing()
}

/// The users a commit creates, column by column.
pub(super) struct Creates<'a> {
    /// Their email match keys, in `creates` order.
    pub(super) keys: Vec<&'a str>,
    names: Vec<&'a str>,
    emails: Vec<&'a str>,
    attributes: Vec<String>,
    languages: Vec<&'a str>,
    /// The rows of the file they come from.
    rows: Vec<i64>,
}

impl<'a> Creates<'a> {
    /// `users` (a batch of a commit's creates), whose email keys are `keys`.
    pub(super) fn new(users: &'a [NewUser], keys: Vec<&'a str>) -> Creates<'a> {
        Creates {
            keys,
            names: users.iter().map(|u| u.name()).collect(),
            emails: users.iter().map(|u| u.email()).collect(),
            attributes: users
                .iter()
                .map(|u| to_json(&u.attributes().collect::<Vec<_>>()))
                .collect(),
            languages: users.iter().map(language).collect(),
            rows: users.iter().map(|u| i64::from(u.row())).collect(),
        }
    }

    /// The users' rows, answering each one's id and email key.
    pub(super) fn users(&'a self, platform: &'a str, import: &'a str) -> Rows<'a> {
        Rows::new(
            "ui_users",
            &[
                "platform",
                "name",
                "email",
                "email_key",
                "attributes",
                "import_id",
                "import_row",
            ],
            vec![
                Values::Each(platform),
                Values::Texts(self.names.clone()),
                Values::Texts(self.emails.clone()),
                Values::Texts(self.keys.clone()),
                Values::Texts(self.attributes.iter().map(String::as_str).collect()),
                Values::Each(import),
                Values::Ints(self.rows.clone()),
            ],
        )
        .returning("id, email_key")
    }

    /// One pending invitation per user (whose ids are `created`, in order), with the import's
    /// message.
    pub(super) fn invitations(
        &'a self,
        platform: &'a str,
        commit: &'a Commit,
        created: &[i64],
    ) -> Rows<'a> {
        Rows::new(
            "ui_invitations",
            &[
                "platform",
                "import_id",
                "user_id",
                "name",
                "email",
                "language",
                "message",
                "status",
            ],
            vec![
                Values::Each(platform),
                Values::Each(commit.record.id.as_str()),
                Values::Ints(created.to_vec()),
                Values::Texts(self.names.clone()),
                Values::Texts(self.emails.clone()),
                Values::Texts(self.languages.clone()),
                Values::Each(&commit.record.message),
                Values::Each(delivery_name(DeliveryStatus::Pending)),
            ],
        )
    }
}

/// The memberships of created users (ids `created`) in the commit's groups.
pub(super) fn created_memberships<'a>(
    platform: &'a str,
    commit: &'a Commit,
    created: &[i64],
) -> Rows<'a> {
    let pairs = created
        .iter()
        .flat_map(|id| commit.groups.iter().map(move |group| (*id, group.as_str())));
    let (users, groups) = pairs.unzip();
    memberships(platform, users, groups)
}

/// The memberships of the commit's group additions.
pub(super) fn addition_memberships<'a>(platform: &'a str, commit: &'a Commit) -> Rows<'a> {
    let pairs = commit.additions.iter().flat_map(|addition| {
        let id = numeric_id(addition.user.as_str());
        addition
            .groups
            .iter()
            .filter_map(move |group| Some((id?, group.as_str())))
    });
    let (users, groups) = pairs.unzip();
    memberships(platform, users, groups)
}

/// What the commit's rules ask, as read in a few bulk queries under the platform's lock.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Whether the import was committed before.
    pub(super) committed: bool,
    /// Whether the import's record already ended failed.
    pub(super) failed: bool,
    /// The commit's email keys that users hold.
    pub(super) taken: HashSet<String>,
    /// Active users (read only when the rules ask).
    pub(super) active: u64,
    /// The platform's seat limit in `ui_platforms`, if it has one.
    pub(super) seat_limit: Option<u64>,
    /// The users of the group additions that exist.
    pub(super) users: HashSet<i64>,
    /// The commit's groups that exist.
    pub(super) groups: HashSet<String>,
}

impl CommitView for Found {
    fn is_committed(&self, _import: &ImportId) -> bool {
        self.committed
    }

    fn has_failed(&self, _import: &ImportId) -> bool {
        self.failed
    }

    fn email_taken(&self, key: &str) -> bool {
        self.taken.contains(key)
    }

    fn active_users(&self) -> u64 {
        self.active
    }

    fn seat_limit(&self) -> Option<u64> {
        self.seat_limit
    }

    fn user_exists(&self, user: &UserId) -> bool {
        numeric_id(user.as_str()).is_some_and(|id| self.users.contains(&id))
    }

    fn group_exists(&self, group: &GroupId) -> bool {
        self.groups.contains(group.as_str())
    }
}
