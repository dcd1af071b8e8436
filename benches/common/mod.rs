//! Generated workbooks shared by the benches, cached under `target/bench-data/`.

use std::path::PathBuf;

use user_import::Schema;

/// The bytes of a filled template of `rows` generated users, written once and then read from
/// the cache.
pub(crate) fn users_file(rows: usize) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data");
    let path = dir.join(format!("users-{rows}.xlsx"));
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes;
    }
    let bytes = user_import::testing::users_workbook(&Schema::default(), rows);
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    std::fs::write(&path, &bytes).expect("cache the generated workbook");
    bytes
}

/// calamine's bare streaming cell iteration over the data sheet, no validation: the baseline.
pub(crate) fn bare_calamine(bytes: &[u8]) -> usize {
    use calamine::Xlsx;
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("workbook opens");
    let mut cells = workbook
        .worksheet_cells_reader("Users")
        .expect("sheet opens");
    let mut count = 0;
    while let Some(cell) = cells.next_cell().expect("cell reads") {
        count += usize::from(!matches!(cell.get_value(), calamine::DataRef::Empty));
    }
    count
}
