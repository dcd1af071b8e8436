//! The planner: from the briefs of the rows and batched lookups to an [`ImportPlan`] that
//! says, for every row, whether the user is created, gets the import's groups, or is left
//! untouched.

use std::collections::HashMap;

use crate::check::kept::Briefs;
use crate::check::records::key_of;
use crate::issue::{Issue, IssueCode};
use crate::model::{ExistingUser, Group, GroupAddition, GroupId, Untouched};

/// What an import will do, row by row. Built by [`plan`]; committed as a whole or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ImportPlan {
    /// The rows whose users are created (and invited), as their briefs' indexes, in row
    /// order: the commit reads their values again from the upload.
    pub(crate) creates: Vec<u32>,
    /// Existing users who get the import's groups, in row order.
    pub(crate) additions: Vec<GroupAddition>,
    /// Existing users left untouched: no groups chosen, or already in every one.
    pub(crate) untouched: Vec<Untouched>,
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

/// Plans an import of the valid rows of `briefs`.
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
pub(crate) fn plan(
    briefs: &Briefs,
    existing: &HashMap<String, ExistingUser>,
    groups: &[Group],
    active: u64,
    seat_limit: Option<u64>,
) -> Result<ImportPlan, Issue> {
    let mut plan = ImportPlan::default();
    for (index, brief) in briefs.iter().enumerate().filter(|(_, brief)| brief.valid) {
        let key = key_of(brief.email);
        match existing.get(key.as_ref()) {
            Some(user) => {
                let missing: Vec<GroupId> = groups
                    .iter()
                    .filter(|group| !user.groups.contains(&group.id))
                    .map(|group| group.id.clone())
                    .collect();
                if missing.is_empty() {
                    plan.untouched.push(Untouched {
                        row: brief.row,
                        user: user.id.clone(),
                        email: brief.email.to_string(),
                    });
                } else {
                    plan.additions.push(GroupAddition {
                        row: brief.row,
                        user: user.id.clone(),
                        email_key: key.into_owned(),
                        groups: missing,
                    });
                }
            }
            // A validation holds at most `Limits::max_rows` (a `u32`) rows.
            None => plan.creates.push(index as u32),
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
    use crate::check::records::NewUser;
    use crate::check::validate::Validator;
    use crate::model::UserId;
    use crate::{Limits, Schema};

    fn briefs(rows: &[&[&str]]) -> Briefs {
        let schema = Schema::default();
        let limits = Limits::default();
        let bytes = crate::testkit::testing::workbook(&schema, rows);
        let mut validator = Validator::for_import(&schema, &limits);
        crate::read::read_rows_bytes(&bytes, &schema, &limits, &mut validator).unwrap();
        let mut validation = validator.finish();
        assert!(validation.is_valid(), "{:?}", validation.issues());
        assert!(validation.records().is_empty(), "no record is kept");
        validation.take_briefs().unwrap()
    }

    fn existing(id: &str, key: &str, groups: &[&str]) -> (String, ExistingUser) {
        let user = ExistingUser {
            id: UserId(id.into()),
            email_key: key.into(),
            groups: groups.iter().map(|g| GroupId::from(*g)).collect(),
        };
        (key.to_string(), user)
    }

    #[test]
    fn the_plan_keeps_the_rows_it_creates_and_the_existing_users_it_meets() {
        let row = |name: &'static str, email: &'static str| -> [&'static str; 5] {
            [name, email, "CA", "QC", "en"]
        };
        let rows = [
            row("Ann Lee", "Ann@Example.com"),
            row("Bob Roy", "bob@example.com"),
            row("Cy Doe", "CY@example.com"),
            row("Di Fox", "di@example.com"),
        ];
        let rows: Vec<&[&str]> = rows.iter().map(|r| &r[..]).collect();
        let briefs = briefs(&rows);
        let brief = briefs.get(0);
        assert_eq!(
            (brief.row, brief.name, brief.email),
            (2, "Ann Lee", "Ann@Example.com")
        );
        let group = |id: &str| Group {
            id: GroupId::from(id),
            name: id.to_uppercase(),
        };
        let groups = [group("g1"), group("g2")];
        let existing: HashMap<String, ExistingUser> = [
            existing("u1", "bob@example.com", &["g1"]),
            existing("u2", "cy@example.com", &["g1", "g2"]),
        ]
        .into_iter()
        .collect();
        let planned = plan(&briefs, &existing, &groups, 5, Some(7)).unwrap();
        assert_eq!(planned.creates, [0, 3], "Ann and Di, by their briefs");
        assert_eq!(
            planned.additions,
            [GroupAddition {
                row: 3,
                user: UserId("u1".into()),
                email_key: "bob@example.com".into(),
                groups: vec![GroupId::from("g2")],
            }]
        );
        assert_eq!(
            planned.untouched,
            [Untouched {
                row: 4,
                user: UserId("u2".into()),
                email: "CY@example.com".into(),
            }]
        );
        let issue = plan(&briefs, &existing, &groups, 6, Some(7)).unwrap_err();
        assert_eq!(issue.code, IssueCode::SeatLimit);
        let arg = |name: &str| {
            issue
                .args
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!((arg("needed"), arg("left")), (Some("2"), Some("1")));
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
