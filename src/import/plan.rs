//! The planner: from validated records and batched lookups to an [`ImportPlan`] that says, for
//! every row, whether the user is created, gets the import's groups, or is left untouched.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::check::records::{NewUser, RecordSet, key_of};
use crate::issue::{Issue, IssueCode};
use crate::model::{ExistingUser, Group, GroupAddition, GroupId, Untouched};

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
            None => plan.creates.push(NewUser::of(records, index)),
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
    use std::borrow::Cow;

    use super::*;
    use crate::Schema;
    use crate::{Limits, validate_bytes};

    fn records(rows: &[&[&str]]) -> RecordSet {
        let schema = Schema::default();
        let bytes = crate::testkit::testing::workbook(&schema, rows);
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
