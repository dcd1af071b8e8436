//! The `sample` command: a filled-in workbook of made-up users, with or without problems.

use std::path::Path;

use user_import::Schema;

use crate::failure::{Failure, Outcome};
use crate::output::Output;

/// Users for the sample workbook: varied names, countries, regions and languages.
const SAMPLE: &[[&str; 9]] = &[
    [
        "Ann Lee",
        "ann.lee@example.com",
        "CA",
        "CA-QC",
        "fr",
        "Nurse",
        "Emergency",
        "000123",
        "2021-04-12",
    ],
    [
        "Bob Martin",
        "bob.martin@example.com",
        "CA",
        "ON",
        "en",
        "Paramedic",
        "Emergency",
        "000124",
        "",
    ],
    [
        "Zoë Tremblay-Côté",
        "zoe.tremblay@example.com",
        "ca",
        "ca-qc",
        "FR",
        "",
        "Pharmacy",
        "",
        "2019-11-03",
    ],
    [
        "Aiyana Begay",
        "aiyana.begay@example.com",
        "US",
        "US-NM",
        "en",
        "Physician",
        "",
        "000200",
        "",
    ],
    [
        "Kim Minji",
        "kim.minji@example.com",
        "KR",
        "KR-11",
        "en",
        "",
        "",
        "",
        "2023-01-09",
    ],
    [
        "Ana Silva",
        "ana.silva@example.com",
        "BR",
        "BR-SP",
        "en",
        "Nurse",
        "ICU",
        "000301",
        "",
    ],
    [
        "Lars Øberg",
        "lars.oberg@example.com",
        "NO",
        "NO-03",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Fatima Zahra",
        "fatima.zahra@example.com",
        "MA",
        "MA-CAS",
        "fr",
        "Midwife",
        "Maternity",
        "",
        "",
    ],
    [
        "Siosaia Tu'ipulotu",
        "siosaia@example.com",
        "TO",
        "TO-04",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Priya Raman",
        "priya.raman@example.com",
        "IN",
        "IN-TS",
        "en",
        "Surgeon",
        "Surgery",
        "000404",
        "2018-06-30",
    ],
];

/// Rows with problems, one kind each.
const SAMPLE_ERRORS: &[[&str; 9]] = &[
    [
        "Chloé Roy",
        "chloe.roy@example",
        "CA",
        "CA-QC",
        "fr",
        "",
        "",
        "",
        "",
    ],
    [
        "Dan Wu",
        "dan.wu@example.com",
        "Canada",
        "QC",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Eve Adams",
        "eve.adams@example.com",
        "US",
        "CA-QC",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Femi Ade",
        "ANN.LEE@example.com",
        "NG",
        "NG-LA",
        "en",
        "",
        "",
        "",
        "",
    ],
    [
        "Gus Berg",
        "gus.berg@example.com",
        "SE",
        "SE-AB",
        "de",
        "",
        "",
        "",
        "31/12/2020",
    ],
];

/// Writes the sample users (and, `with_errors`, the rows with problems) to `path`.
pub(crate) fn sample(
    path: &Path,
    with_errors: bool,
    catalog: &user_import::Catalog,
    out: &mut Output,
) -> Result<Outcome, Failure> {
    let mut rows: Vec<&[&str]> = SAMPLE.iter().map(|row| row.as_slice()).collect();
    if with_errors {
        rows.extend(SAMPLE_ERRORS.iter().map(|row| row.as_slice()));
    }
    let bytes = workbook(&Schema::default(), &rows).map_err(|error| Failure::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(error),
    })?;
    std::fs::write(path, bytes).map_err(|source| Failure::Write {
        path: path.to_path_buf(),
        source,
    })?;
    let (users, file) = (rows.len().to_string(), path.display().to_string());
    writeln!(
        out,
        "{}",
        catalog.fill("cli.sample.written", &[("users", &users), ("file", &file)])
    )?;
    Ok(Outcome::Done)
}

/// A workbook of `rows` under the schema's headers on its data sheet, every value written as
/// text, as an administrator fills in the template.
fn workbook(schema: &Schema, rows: &[&[&str]]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(schema.sheet_name())?;
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    for (col, column) in schema.columns().iter().enumerate() {
        sheet.write_string(0, col as u16, column.header())?;
    }
    for (row, values) in rows.iter().enumerate() {
        for (col, value) in values.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string_with_format(row as u32 + 1, col as u16, *value, &text)?;
            }
        }
    }
    workbook.save_to_buffer()
}
