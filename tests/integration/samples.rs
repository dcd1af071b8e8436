//! The sample workbooks shipped in `examples/` (written by `user-import sample`) read as the
//! README says.

use user_import::IssueCode;

use crate::common::read_ok;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))).expect("sample exists")
}

#[test]
fn the_sample_upload_is_valid_with_ten_users() {
    let validation = read_ok(&sample("sample.xlsx"));
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records().len(), 10);
    assert!(validation.records().iter().all(|r| r.is_valid()));
    // Lower-case codes, a bare region code and an upper-case language are normalized.
    let zoe = &validation.records()[2];
    assert_eq!((zoe.get(2), zoe.get(3), zoe.get(4)), ("CA", "CA-QC", "fr"));
    assert_eq!(validation.records()[1].get(3), "CA-ON");
}

#[test]
fn the_sample_with_errors_names_each_problem() {
    let validation = read_ok(&sample("sample-with-errors.xlsx"));
    let found: Vec<(Option<u32>, Option<&str>, IssueCode)> = validation
        .issues()
        .iter()
        .map(|i| (i.row, i.column.as_deref(), i.code))
        .collect();
    assert_eq!(
        found,
        [
            (Some(2), Some("Email"), IssueCode::EmailDuplicate),
            (Some(12), Some("Email"), IssueCode::EmailInvalid),
            (Some(13), Some("Country"), IssueCode::CountryName),
            (Some(14), Some("Region"), IssueCode::RegionCountryMismatch),
            (Some(15), Some("Email"), IssueCode::EmailDuplicate),
            (Some(16), Some("Language"), IssueCode::ChoiceInvalid),
            (Some(16), Some("Hire date"), IssueCode::DateFormat),
        ]
    );
    assert_eq!(validation.valid_records().count(), 9);
}
