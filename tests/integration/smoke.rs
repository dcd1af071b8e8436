use crate::common::*;

#[test]
fn a_hand_assembled_package_with_inline_strings_reads() {
    let mut data = inline_row(1, &HEADERS);
    data.push_str(&inline_row(2, &ann()));
    let bytes = Package::with_sheet("Users", &data).build();
    let validation = read_ok(&bytes);
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records().len(), 1);
    assert_eq!(validation.records()[0].row(), 2);
    assert_eq!(validation.records()[0].get(3), "CA-QC");
}
