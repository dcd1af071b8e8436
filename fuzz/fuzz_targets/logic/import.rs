//! The `import` target's logic, shared with the regression tests
//! (`tests/integration/fuzz_regressions.rs`): a whole import on the in-memory stores from
//! arbitrary rows, existing users, groups and limits.
//!
//! Arbitrary strings almost never make a valid row (a name, an email, a country, its region
//! and a language all at once), so every value is either one of a few samples of its column,
//! valid or nearly so, or any text: imports then complete, meet existing users, duplicate
//! emails, unknown groups and seat limits, and the commit's invariants are checked too.

use std::sync::Arc;

use arbitrary::Arbitrary;
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{ImportRequest, ImportStatus, ImportSummary, Importer, Schema, Stores};

/// Sample values of the default schema's columns, in its column order.
const SAMPLES: [&[&str]; 9] = [
    &[
        "Ann Lee",
        "José García",
        "  Chloé   Tremblay ",
        "O'Brien-Smith",
        "李小龙",
        "",
    ],
    &[
        "ann@example.com",
        "Ann@Example.COM",
        "bob@example.org",
        "jose.garcia@exemple.fr",
        "chloe+team@example.com",
        " bob@example.org ",
        "ann@example",
        "zoë@example.com",
        "",
    ],
    &[
        "CA", "ca", "FR", "US", "GB", "MC", "Canada", "CAN", "ZZ", "",
    ],
    &[
        "QC", "CA-ON", "on", "FR-75C", "US-NY", "GB-LND", "Ontario", "XX", "",
    ],
    &["en", "fr", "EN", "fr-CA", "French", ""],
    &["Nurse", "", "Chef d'équipe"],
    &["Emergency", "", "ICU"],
    &["000123", "", "A-7"],
    &[
        "2024-01-31",
        "",
        "31/01/2024",
        "2024-02-30",
        "45000",
        "1899-12-31",
    ],
];

/// Group names and identifiers a request may name (the store has `g1`, `Nurses`).
const GROUPS: [&str; 4] = ["Nurses", "g1", "nurses", "Pharmacists"];

/// A value: one of its column's samples, or any text.
#[derive(Debug, Arbitrary)]
pub enum Field {
    /// The n-th sample (modulo their number).
    Sample(u8),
    /// Any text; the first 300 characters are kept.
    Raw(String),
}

impl Field {
    fn value(&self, samples: &[&str]) -> String {
        match self {
            Field::Sample(n) => samples[usize::from(*n) % samples.len()].to_string(),
            // rust_xlsxwriter refuses strings over Excel's 32,767 characters; stay well under.
            Field::Raw(text) => text.chars().take(300).collect(),
        }
    }
}

/// The input: the store's existing users, the upload's rows and the request.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// Existing users (name, email); the first 8 with a valid, new email are added.
    pub existing: Vec<(Field, Field)>,
    /// Up to 32 data rows of the default schema's 9 columns.
    pub rows: Vec<[Field; 9]>,
    /// Up to 3 groups (names or identifiers) to add everyone to.
    pub groups: Vec<Field>,
    /// The seat limit.
    pub seat_limit: Option<u8>,
    /// The invitation message.
    pub message: String,
    /// A dry run.
    pub dry_run: bool,
}

/// Runs the import and checks the invariants: a failed import or a dry run leaves the store as
/// it was and sends nothing; a completed one created exactly what its summary says, one
/// invitation each, and accounted for every row.
pub fn run(input: &Input) -> ImportSummary {
    let store = MemoryStore::new();
    store.add_group("g1", "Nurses");
    for (name, email) in input.existing.iter().take(8) {
        let (name, email) = (name.value(SAMPLES[0]), email.value(SAMPLES[1]));
        if user_import::normalize::check_email(&email).is_ok()
            && !store
                .snapshot()
                .emails
                .contains_key(&user_import::normalize::email_key(&email))
        {
            store.add_user(&name, &email, &[]);
        }
    }
    let schema = Schema::default();
    let owned: Vec<Vec<String>> = input
        .rows
        .iter()
        .take(32)
        .map(|row| {
            row.iter()
                .zip(SAMPLES)
                .map(|(field, samples)| field.value(samples))
                .collect()
        })
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
    request.groups = input
        .groups
        .iter()
        .take(3)
        .map(|group| group.value(&GROUPS))
        .collect();
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
        for created in &summary.created {
            let key = user_import::normalize::email_key(&created.email);
            assert!(
                after.emails.contains_key(&key),
                "{} not stored",
                created.email
            );
            assert!(
                !before.emails.contains_key(&key),
                "{} existed",
                created.email
            );
        }
    } else {
        assert_eq!(after.without_log(), before.without_log());
        assert!(mailer.delivered().is_empty());
    }
    if summary.status == ImportStatus::Completed {
        assert_eq!(
            (summary.created.len() + summary.updated.len() + summary.untouched.len()) as u64,
            summary.counts.rows,
            "every row is created, updated or left untouched"
        );
    }
    summary
}
