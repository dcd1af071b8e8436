//! The fuzz targets in `fuzz/`: their kept seeds (`fuzz/seeds/<target>/`, minimized corpora of
//! the campaigns) replayed through the targets' own logic, and what they found, kept as named
//! regression tests with the input under `tests/fixtures/fuzz/`. The campaigns so far (20
//! minutes or more per target) found no crash, hang or blow-up, so there are none yet.
//!
//! The targets' logic lives in `fuzz/fuzz_targets/logic/` and is compiled here as it is there,
//! so an input replays exactly as the fuzzer ran it, invariants included. A file the `package`
//! target finds is to be kept as it was; one the `structured` target finds, as the `.xlsx` it
//! built.

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use user_import::ImportStatus;

#[path = "../../fuzz/fuzz_targets/logic/import.rs"]
mod import_target;
#[path = "../../fuzz/fuzz_targets/logic/package.rs"]
mod package_target;
#[path = "../../fuzz/fuzz_targets/logic/structured.rs"]
mod structured_target;
#[path = "../../fuzz/fuzz_targets/logic/values.rs"]
mod values_target;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

/// Decodes a kept input of a structure-aware target as libfuzzer-sys does.
fn decode<'a, T: Arbitrary<'a>>(path: &Path, bytes: &'a [u8]) -> T {
    T::arbitrary_take_rest(Unstructured::new(bytes))
        .unwrap_or_else(|error| panic!("{} no longer decodes: {error}", path.display()))
}

#[test]
fn package_seeds_replay_and_the_real_workbooks_among_them_validate() {
    let mut workbooks = 0;
    for (path, bytes) in seeds("package") {
        let answer = package_target::run(&bytes);
        // The `.xlsx`, `.ods`, `.csv`, `.tsv` and `.txt` seeds are real uploads; the others are
        // the minimized corpus, mostly broken packages, which must only be answered.
        let real = ["xlsx", "ods", "csv", "tsv", "txt"];
        if path
            .extension()
            .is_some_and(|ext| real.iter().any(|r| ext == *r))
        {
            let validation = answer
                .unwrap_or_else(|error| panic!("{}: {} ({error})", path.display(), error.code()));
            assert!(validation.row_count() > 0, "{}", path.display());
            workbooks += 1;
        }
    }
    assert!(workbooks > 0, "no real workbooks among the package seeds");
}

#[test]
fn structured_seeds_replay() {
    let (mut read, mut compared) = (0, 0);
    let seeds = seeds("structured");
    for (path, bytes) in &seeds {
        let book: structured_target::Book = decode(path, bytes);
        // `run` compares the crate's reader with calamine's and panics where they differ.
        if structured_target::run(&book).is_ok_and(|validation| validation.row_count() > 0) {
            read += 1;
        }
        let built = structured_target::build(&book);
        if user_import::testing::compare_xlsx_readers(&built) == Ok(true) {
            compared += 1;
        }
    }
    // The seeds reach the rows, not only the package check, and most reach our own reader.
    assert!(read > 0, "no structured seed is read to its rows");
    assert!(
        compared * 2 > seeds.len(),
        "only {compared} structured seeds were read by both readers"
    );
}

#[test]
fn values_seeds_replay() {
    let (mut records, mut issues) = (0, 0);
    for (path, bytes) in seeds("values") {
        let input: values_target::Input = decode(&path, &bytes);
        let validation = values_target::run(&input);
        records += validation.records().len();
        issues += validation.issues().len();
    }
    assert!(
        records > 0 && issues > 0,
        "{records} records, {issues} issues"
    );
}

#[test]
fn import_seeds_replay() {
    let mut created = 0;
    for (path, bytes) in seeds("import") {
        let input: import_target::Input = decode(&path, &bytes);
        let summary = import_target::run(&input);
        if summary.status == ImportStatus::Completed && !summary.dry_run {
            created += summary.created.len();
        }
    }
    // The seeds reach the commit, not only the validation.
    assert!(created > 0, "no import seed creates a user");
}
