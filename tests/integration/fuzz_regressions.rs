//! What the fuzz targets in `fuzz/` found, kept as named regression tests, and their committed
//! seed corpora (`fuzz/seeds/<target>/`) replayed through the targets' own logic.
//!
//! The targets' logic lives in `fuzz/fuzz_targets/logic/` and is compiled here as it is there,
//! so an input replays exactly as the fuzzer ran it. A file the `package` target found is kept
//! as it was; one the `structured` target found is kept as the `.xlsx` it built.

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};

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
        // The `.xlsx` seeds are real workbooks; the others are the minimized corpus, mostly
        // broken packages, which must only be answered.
        if path.extension().is_some_and(|ext| ext == "xlsx") {
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
    for (path, bytes) in seeds("structured") {
        let book: structured_target::Book = decode(&path, &bytes);
        let _ = structured_target::run(&book);
    }
}

#[test]
fn values_seeds_replay() {
    for (path, bytes) in seeds("values") {
        let input: values_target::Input = decode(&path, &bytes);
        let _ = values_target::run(&input);
    }
}

#[test]
fn import_seeds_replay() {
    for (path, bytes) in seeds("import") {
        let input: import_target::Input = decode(&path, &bytes);
        let _ = import_target::run(&input);
    }
}
