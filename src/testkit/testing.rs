//! Helpers for tests and examples: workbooks built in memory.

use rust_xlsxwriter::{Format, Workbook};

use crate::schema::Schema;

/// A workbook with the schema's header row on its data sheet and one row per entry of `rows`,
/// every value written as text (as a filled template holds them).
///
/// # Panics
///
/// If rust_xlsxwriter refuses a value; test data only.
pub fn workbook(schema: &Schema, rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(schema.sheet_name())
        .expect("valid sheet name");
    let text = Format::new().set_num_format_index(49);
    for (col, column) in schema.columns().iter().enumerate() {
        sheet
            .write_string(0, col as u16, column.header())
            .expect("header fits");
    }
    for (row, values) in rows.iter().enumerate() {
        for (col, value) in values.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string_with_format(row as u32 + 1, col as u16, *value, &text)
                    .expect("value fits");
            }
        }
    }
    workbook.save_to_buffer().expect("workbook saves")
}

/// A filled template of one user per address of `emails` (`User 0`, `User 1`... in Quebec, in
/// English, in the default schema), for tests whose emails matter.
///
/// # Panics
///
/// If rust_xlsxwriter refuses a value; test data only.
pub fn workbook_of_emails(emails: &[String]) -> Vec<u8> {
    let rows: Vec<[String; 5]> = emails
        .iter()
        .enumerate()
        .map(|(i, email)| {
            [
                format!("User {i}"),
                email.clone(),
                "CA".into(),
                "CA-QC".into(),
                "en".into(),
            ]
        })
        .collect();
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|row| row.iter().map(String::as_str).collect())
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    workbook(&Schema::default(), &rows)
}

/// A realistic filled template of `rows` users for benchmarks and fuzzing seeds: unique names
/// and emails, a spread of countries, regions and languages, optional columns partly filled,
/// written with shared strings as Excel writes them. Deterministic.
///
/// # Panics
///
/// If rust_xlsxwriter refuses a value; test data only.
pub fn users_workbook(schema: &Schema, rows: usize) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(schema.sheet_name())
        .expect("valid sheet name");
    for (col, column) in schema.columns().iter().enumerate() {
        sheet
            .write_string(0, col as u16, column.header())
            .expect("header fits");
    }
    let mut row_values: Vec<String> = Vec::with_capacity(9);
    for index in 0..rows {
        user_row(index, &mut row_values);
        for (col, value) in row_values.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(index as u32 + 1, col as u16, value)
                    .expect("value fits");
            }
        }
    }
    workbook.save_to_buffer().expect("workbook saves")
}

/// The values of generated user `index`, in the default schema's column order.
pub fn user_row(index: usize, out: &mut Vec<String>) {
    const FIRST: [&str; 16] = [
        "Ann", "Bob", "Chloé", "Dmitri", "Émile", "Fatima", "Giulia", "Hiroshi", "Ingrid", "José",
        "Kwame", "Lena", "Mateo", "Noor", "Olivier", "Priya",
    ];
    const LAST: [&str; 16] = [
        "Lee", "Roy", "Tremblay", "Ivanov", "Côté", "Zahra", "Rossi", "Tanaka", "Berg", "García",
        "Mensah", "Schmidt", "López", "Haddad", "Gagnon", "Raman",
    ];
    const PLACES: [(&str, &str); 8] = [
        ("CA", "CA-QC"),
        ("CA", "ON"),
        ("US", "US-NY"),
        ("FR", "FR-75C"),
        ("GB", "GB-LND"),
        ("IN", "IN-TS"),
        ("BR", "BR-SP"),
        ("DE", "DE-BY"),
    ];
    const JOBS: [&str; 6] = [
        "Nurse",
        "Physician",
        "Pharmacist",
        "Paramedic",
        "",
        "Technician",
    ];
    const DEPARTMENTS: [&str; 5] = ["Emergency", "ICU", "", "Surgery", "Pediatrics"];
    // A cheap deterministic mix of the index.
    let mix = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 17;
    let first = FIRST[(mix % 16) as usize];
    let last = LAST[((mix >> 4) % 16) as usize];
    let (country, region) = PLACES[((mix >> 8) % 8) as usize];
    out.clear();
    out.push(format!("{first} {last}"));
    out.push(format!(
        "{}.{}.{index}@example{}.org",
        crate::location::fold(first).replace(' ', ""),
        crate::location::fold(last).replace(' ', ""),
        index % 7
    ));
    out.push(country.to_string());
    out.push(region.to_string());
    out.push(if mix.is_multiple_of(3) { "fr" } else { "en" }.to_string());
    out.push(JOBS[((mix >> 11) % 6) as usize].to_string());
    out.push(DEPARTMENTS[((mix >> 14) % 5) as usize].to_string());
    out.push(if mix.is_multiple_of(4) {
        String::new()
    } else {
        format!("{:06}", index % 1_000_000)
    });
    out.push(if mix.is_multiple_of(5) {
        String::new()
    } else {
        format!(
            "20{:02}-{:02}-{:02}",
            10 + (mix % 15),
            1 + (mix >> 3) % 12,
            1 + (mix >> 5) % 28
        )
    });
}

/// Reads every worksheet of an `.xlsx` upload with the crate's own reader (on its short paths
/// and on its general one) and with calamine's, and compares them cell by cell: `Ok(true)`
/// when they agree, `Ok(false)` when there was nothing to compare (the package checks refuse
/// the upload, or the crate leaves it to calamine), `Err` with both readings when they differ.
/// The fuzz targets call it on every workbook they build.
///
/// # Errors
///
/// The two readings, when they differ.
pub fn compare_xlsx_readers(bytes: &[u8]) -> Result<bool, String> {
    crate::read::compare_readers(bytes)
}
