//! The `import` target's logic, shared with the regression tests
//! (`tests/integration/fuzz_regressions.rs`): a whole import on the in-memory stores from
//! arbitrary rows, groups and limits.

use std::sync::Arc;

use arbitrary::Arbitrary;
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{ImportRequest, ImportStatus, ImportSummary, Importer, Schema, Stores};

/// The input: the store's existing users, the upload's rows and the request.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// Existing users (name, email); the first 8 with a valid, new email are added.
    pub existing: Vec<(String, String)>,
    /// Up to 32 data rows of the first 5 columns.
    pub rows: Vec<[String; 5]>,
    /// Up to 3 groups to add everyone to (the store has the group `Nurses`).
    pub groups: Vec<String>,
    /// The seat limit.
    pub seat_limit: Option<u8>,
    /// The invitation message.
    pub message: String,
    /// A dry run.
    pub dry_run: bool,
}

/// Runs the import and checks the invariants: a failed import leaves the store as it was and
/// sends nothing; a completed one created exactly what its summary says.
pub fn run(input: &Input) -> ImportSummary {
    let store = MemoryStore::new();
    store.add_group("g1", "Nurses");
    for (name, email) in input.existing.iter().take(8) {
        if user_import::normalize::check_email(email).is_ok()
            && !store
                .snapshot()
                .emails
                .contains_key(&user_import::normalize::email_key(email))
        {
            store.add_user(name, email, &[]);
        }
    }
    let schema = Schema::default();
    // rust_xlsxwriter refuses strings over Excel's 32,767 characters; stay well under.
    let short = |s: &String| -> String { s.chars().take(300).collect() };
    let owned: Vec<Vec<String>> = input
        .rows
        .iter()
        .take(32)
        .map(|row| row.iter().map(short).collect())
        .collect();
    let rows: Vec<Vec<&str>> = owned
        .iter()
        .map(|row| row.iter().map(String::as_str).collect())
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    let bytes = user_import::testing::workbook(&schema, &rows);
    let before = store.snapshot();
    let mailer = MemoryMailer::new();
    let importer = Importer::new(
        schema,
        Stores::single(Arc::new(store.clone()), Arc::new(mailer.clone())),
    );
    let mut request = ImportRequest::new("fuzz", "fuzz.xlsx");
    request.groups = input.groups.iter().take(3).cloned().collect();
    request.seat_limit = input.seat_limit.map(u64::from);
    request.message = input.message.clone();
    request.dry_run = input.dry_run;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let summary = runtime
        .block_on(importer.run(&request, &bytes, &|_| {}))
        .expect("the in-memory stores never fail");
    let after = store.snapshot();
    if summary.status == ImportStatus::Completed && !summary.dry_run {
        assert_eq!(
            after.users.len(),
            before.users.len() + summary.created.len()
        );
        assert_eq!(mailer.delivered().len(), summary.created.len());
    } else {
        assert_eq!(after.without_log(), before.without_log());
        assert!(mailer.delivered().is_empty());
    }
    summary
}
