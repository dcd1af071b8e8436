//! The real figures of a filled template: what [`Limits::default`] is sized from.
//!
//! ```text
//! cargo run --example template-figures -- [ROWS] [bench|full]
//! ```
//!
//! Writes the default template's data sheet with ROWS users (default 1,000,000) through
//! rust_xlsxwriter with shared strings, as Excel saves a workbook, and prints the file size,
//! each part's compressed and inflated size and ratio, the shared strings' count and bytes, the
//! total cell text (a shared string counted once per cell that uses it, as the reader counts
//! it) and the rows; then reads the file back with the default limits.
//!
//! - `bench` fills the rows as the benches do (`user_import::testing::users_workbook`: 256
//!   distinct names, some optional cells empty);
//! - `full` (the default) is the larger realistic fill the limits are sized from: every column
//!   filled, a distinct name of two given names and two surnames for nearly every user, a
//!   distinct email and employee ID, 40 job titles and 30 departments of real length.
//!
//! Every limit in `src/read/limits.rs` names the `full` figure it is about twice of.

use std::io::{Cursor, Read};
use std::process::ExitCode;
use std::time::Instant;

use rust_xlsxwriter::Workbook;
use user_import::{Limits, Schema};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = match args.first().map(|rows| rows.parse()) {
        None => 1_000_000,
        Some(Ok(rows)) => rows,
        Some(Err(_)) => {
            eprintln!("usage: template-figures [ROWS] [bench|full]");
            return ExitCode::from(64);
        }
    };
    let full = match args.get(1).map(String::as_str) {
        None | Some("full") => true,
        Some("bench") => false,
        Some(other) => {
            eprintln!("unknown fill `{other}`: bench or full");
            return ExitCode::from(64);
        }
    };
    let schema = Schema::default();
    let started = Instant::now();
    let (bytes, text_bytes) = if full {
        full_workbook(&schema, rows)
    } else {
        let bytes = user_import::testing::users_workbook(&schema, rows);
        let mut text = header_bytes(&schema);
        let mut values = Vec::new();
        for index in 0..rows {
            user_import::testing::user_row(index, &mut values);
            text += values.iter().map(|value| value.len() as u64).sum::<u64>();
        }
        (bytes, text)
    };
    println!(
        "fill={} rows={rows} written in {:.1} s",
        if full { "full" } else { "bench" },
        started.elapsed().as_secs_f64()
    );
    println!("file_bytes={}", bytes.len());
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("a zip package");
    let mut inflated_total = 0u64;
    let mut shared = (0u64, 0u64);
    println!("parts={}", archive.len());
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("an entry");
        let name = entry.name().expect("a part name").to_string();
        let (compressed, size) = (entry.compressed_size(), entry.size());
        inflated_total += size;
        let ratio = size as f64 / compressed.max(1) as f64;
        println!("  {name}: compressed={compressed} inflated={size} ratio={ratio:.1}");
        if name == "xl/sharedStrings.xml" {
            let mut xml = Vec::with_capacity(size as usize);
            entry
                .read_to_end(&mut xml)
                .expect("the shared strings inflate");
            let count = memchr_count(&xml, b"<si>");
            shared = (count, size);
        }
    }
    println!("inflated_total_bytes={inflated_total}");
    println!(
        "shared_strings={} shared_strings_bytes={}",
        shared.0, shared.1
    );
    println!("cell_text_bytes={text_bytes}");

    let started = Instant::now();
    match user_import::validate_bytes(&bytes, &schema, &Limits::default()) {
        Ok(validation) => println!(
            "read back with the default limits: {} rows, {} issues, {:.1} s",
            validation.row_count(),
            validation.issues().len(),
            started.elapsed().as_secs_f64()
        ),
        Err(error) => {
            println!(
                "read back with the default limits: {}: {error}",
                error.code()
            );
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// How many times `needle` occurs in `haystack`.
fn memchr_count(haystack: &[u8], needle: &[u8]) -> u64 {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count() as u64
}

/// The bytes of the header row's texts.
fn header_bytes(schema: &Schema) -> u64 {
    schema
        .columns()
        .iter()
        .map(|column| column.header().len() as u64)
        .sum()
}

/// The `full` fill (see the module docs), and its cell text in bytes.
fn full_workbook(schema: &Schema, rows: usize) -> (Vec<u8>, u64) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(schema.sheet_name()).expect("sheet name");
    for (col, column) in schema.columns().iter().enumerate() {
        sheet
            .write_string(0, col as u16, column.header())
            .expect("header");
    }
    let mut text = header_bytes(schema);
    let mut values = Vec::with_capacity(9);
    for index in 0..rows {
        full_row(index, &mut values);
        for (col, value) in values.iter().enumerate() {
            text += value.len() as u64;
            sheet
                .write_string(index as u32 + 1, col as u16, value)
                .expect("value");
        }
    }
    (workbook.save_to_buffer().expect("workbook saves"), text)
}

const GIVEN: [&str; 40] = [
    "Ann",
    "Robert",
    "Chloé",
    "Dmitri",
    "Émile",
    "Fatima",
    "Giulia",
    "Hiroshi",
    "Ingrid",
    "José",
    "Kwame",
    "Lena",
    "Mateo",
    "Noor",
    "Olivier",
    "Priya",
    "Quentin",
    "Rosa",
    "Sebastián",
    "Thandiwe",
    "Ulrich",
    "Valentina",
    "William",
    "Xiaoling",
    "Yusuf",
    "Zoë",
    "Alexandra",
    "Benjamin",
    "Catherine",
    "Dominique",
    "Elizabeth",
    "Francesca",
    "Gabriel",
    "Henrietta",
    "Isabelle",
    "Jonathan",
    "Katarzyna",
    "Leopold",
    "Margaret",
    "Nathaniel",
];
const SURNAMES: [&str; 60] = [
    "Lee",
    "Roy",
    "Tremblay",
    "Ivanov",
    "Côté",
    "Zahra",
    "Rossi",
    "Tanaka",
    "Berg",
    "García",
    "Mensah",
    "Schmidt",
    "López",
    "Haddad",
    "Gagnon",
    "Raman",
    "Nguyen",
    "Okonkwo",
    "Fitzgerald",
    "Kowalczyk",
    "Papadopoulos",
    "Bouchard",
    "Williams",
    "Johansson",
    "Müller",
    "Fernández",
    "Abernathy",
    "Chakraborty",
    "Delacroix",
    "Emmanuel",
    "Fontaine",
    "Gonçalves",
    "Hernández",
    "Ishikawa",
    "Jovanović",
    "Kristiansen",
    "Lindqvist",
    "Mahlangu",
    "Nakamura",
    "Oyelaran",
    "Pellegrini",
    "Quintero",
    "Rasmussen",
    "Satterthwaite",
    "Thibodeau",
    "Umarov",
    "Vasquez",
    "Wojciechowski",
    "Xenakis",
    "Yamamoto",
    "Zimmermann",
    "Archambault",
    "Bergström",
    "Castellanos",
    "Dubois",
    "Eriksen",
    "Fairweather",
    "Gutiérrez",
    "Hasegawa",
    "Ivanova",
];
const JOBS: [&str; 40] = [
    "Registered Nurse",
    "Nurse Practitioner",
    "Physician",
    "Pharmacist",
    "Paramedic",
    "Medical Laboratory Technician",
    "Radiology Technologist",
    "Physiotherapist",
    "Occupational Therapist",
    "Respiratory Therapist",
    "Clinical Nurse Specialist",
    "Licensed Practical Nurse",
    "Surgical Technologist",
    "Anesthesiologist",
    "Midwife",
    "Dietitian",
    "Speech-Language Pathologist",
    "Social Worker",
    "Psychologist",
    "Medical Office Assistant",
    "Health Information Manager",
    "Infection Control Practitioner",
    "Patient Care Coordinator",
    "Emergency Physician",
    "Cardiologist",
    "Pediatric Nurse",
    "Charge Nurse",
    "Unit Clerk",
    "Biomedical Engineer",
    "Sterile Processing Technician",
    "Phlebotomist",
    "Pharmacy Technician",
    "Nurse Educator",
    "Clinical Research Coordinator",
    "Hospitalist",
    "Orthopedic Surgeon",
    "Care Aide",
    "Porter",
    "Chaplain",
    "Quality Lead",
];
const DEPARTMENTS: [&str; 30] = [
    "Emergency",
    "Intensive Care Unit",
    "Surgery",
    "Pediatrics",
    "Cardiology",
    "Oncology",
    "Neurology",
    "Obstetrics and Gynecology",
    "Orthopedics",
    "Radiology",
    "Laboratory Medicine",
    "Pharmacy",
    "Rehabilitation",
    "Mental Health",
    "Geriatrics",
    "Internal Medicine",
    "Nephrology",
    "Respiratory Therapy",
    "Palliative Care",
    "Infection Prevention",
    "Medical Imaging",
    "Neonatal Intensive Care",
    "Ambulatory Care",
    "Day Surgery",
    "Long-Term Care",
    "Public Health",
    "Nutrition Services",
    "Health Records",
    "Quality and Patient Safety",
    "Education and Training",
];
const PLACES: [(&str, &str); 8] = [
    ("CA", "CA-QC"),
    ("CA", "CA-ON"),
    ("US", "US-NY"),
    ("FR", "FR-75C"),
    ("GB", "GB-LND"),
    ("IN", "IN-TS"),
    ("BR", "BR-SP"),
    ("DE", "DE-BY"),
];

/// The values of `full` user `index`, in the default schema's column order.
fn full_row(index: usize, out: &mut Vec<String>) {
    let mix = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let pick = |shift: u32, len: usize| ((mix >> shift) % len as u64) as usize;
    let given = GIVEN[pick(3, GIVEN.len())];
    let second = GIVEN[pick(11, GIVEN.len())];
    let surname = SURNAMES[pick(19, SURNAMES.len())];
    let other = SURNAMES[pick(27, SURNAMES.len())];
    let (country, region) = PLACES[pick(35, PLACES.len())];
    out.clear();
    out.push(format!("{given} {second} {surname}-{other}"));
    out.push(format!(
        "{}.{}.{index}@hospital{}.example.org",
        ascii_lower(given),
        ascii_lower(surname),
        index % 50
    ));
    out.push(country.to_string());
    out.push(region.to_string());
    out.push(if mix.is_multiple_of(3) { "fr" } else { "en" }.to_string());
    out.push(JOBS[pick(41, JOBS.len())].to_string());
    out.push(DEPARTMENTS[pick(47, DEPARTMENTS.len())].to_string());
    out.push(format!("{:08}", index));
    out.push(format!(
        "{}-{:02}-{:02}",
        1980 + pick(53, 45),
        1 + pick(7, 12),
        1 + pick(15, 28)
    ));
}

/// `name` in lower case, letters outside a-z dropped (as an address needs).
fn ascii_lower(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|ch| ch.to_ascii_lowercase())
        .collect()
}
