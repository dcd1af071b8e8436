//! What the SQL stores share: snapshots, status names, JSON columns, error mapping.

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use serde::{Serialize, de::DeserializeOwned};

use crate::plan::{Group, GroupId};
use crate::store::{DeliveryStatus, ImportRecord, Invitation, StoreError};
use crate::summary::ImportStatus;

/// A user as a SQL store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotUser {
    /// The identifier.
    pub id: String,
    /// The name.
    pub name: String,
    /// The email address.
    pub email: String,
    /// The email match key.
    pub email_key: String,
    /// Other values by schema key.
    pub attributes: Vec<(String, String)>,
    /// Whether the user holds a seat.
    pub active: bool,
    /// The import that created the user.
    pub import: Option<String>,
}

/// Everything a SQL store holds for its platform, each list in a stable order. Compare two
/// snapshots to prove that a failed import changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Users, by identifier.
    pub users: Vec<SnapshotUser>,
    /// Groups, by identifier.
    pub groups: Vec<Group>,
    /// (user, group) memberships.
    pub memberships: Vec<(String, GroupId)>,
    /// The batch-imports index, in begin order.
    pub imports: Vec<ImportRecord>,
    /// Imports whose commit was applied.
    pub committed: Vec<String>,
    /// The outbox, by invitation identifier.
    pub invitations: Vec<Invitation>,
    /// (user, course) enrollments.
    pub enrollments: Vec<(String, String)>,
}

impl Snapshot {
    /// The part an import writes, without the batch-imports index (which records failed
    /// imports too).
    pub fn without_log(&self) -> Snapshot {
        Snapshot {
            imports: Vec::new(),
            ..self.clone()
        }
    }
}

pub(crate) fn import_status(text: &str) -> Result<ImportStatus, StoreError> {
    Ok(match text {
        "pending" => ImportStatus::Pending,
        "running" => ImportStatus::Running,
        "completed" => ImportStatus::Completed,
        "failed" => ImportStatus::Failed,
        other => return Err(corrupt(format!("unknown import status `{other}`"))),
    })
}

pub(crate) fn delivery_name(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Sending => "sending",
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::Failed => "failed",
    }
}

pub(crate) fn delivery_status(text: &str) -> Result<DeliveryStatus, StoreError> {
    Ok(match text {
        "pending" => DeliveryStatus::Pending,
        "sending" => DeliveryStatus::Sending,
        "sent" => DeliveryStatus::Sent,
        "failed" => DeliveryStatus::Failed,
        other => return Err(corrupt(format!("unknown delivery status `{other}`"))),
    })
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serializing plain data (strings, numbers, vectors, derived structs) cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::backend("read a JSON column", e))
}

pub(crate) fn corrupt(what: String) -> StoreError {
    StoreError::backend("read a row", what)
}

/// A user or invitation identifier as the database's integer key; `None` for text that no
/// row of ours can have.
pub(crate) fn numeric_id(id: &str) -> Option<i64> {
    id.parse().ok()
}

/// The language attribute an invitation carries.
pub(crate) fn language(user: &crate::plan::NewUser) -> String {
    user.attribute("language").unwrap_or("").to_string()
}

/// The groups among `known` that `wanted` names, by id first, then by name, each once.
pub(crate) fn pick_groups(wanted: &[String], known: &[Group]) -> Vec<Group> {
    let mut found: Vec<Group> = Vec::new();
    for name in wanted {
        let group = known
            .iter()
            .find(|g| g.id.0 == *name)
            .or_else(|| known.iter().find(|g| g.name == *name));
        if let Some(group) = group
            && !found.contains(group)
        {
            found.push(group.clone());
        }
    }
    found
}
