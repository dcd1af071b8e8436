//! The crate's example binaries, built for the tests that run them as child processes.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The example `name`, built with this test binary's features and profile (or the path in the
/// environment variable `override_var`, when set).
pub fn example_binary(name: &str, override_var: &str) -> PathBuf {
    if let Ok(path) = std::env::var(override_var) {
        return PathBuf::from(path);
    }
    // This binary is target/<profile folder>/deps/integration-<hash>.
    let exe = std::env::current_exe().unwrap();
    let profile = match exe
        .ancestors()
        .nth(2)
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
    {
        Some("debug") | None => "test".to_string(),
        Some("release") => "bench".to_string(),
        Some(other) => other.to_string(),
    };
    let features: Vec<&str> = [
        ("sqlite", cfg!(feature = "sqlite")),
        ("postgres", cfg!(feature = "postgres")),
        ("smtp", cfg!(feature = "smtp")),
        ("jobs", cfg!(feature = "jobs")),
        ("jobs-postgres", cfg!(feature = "jobs-postgres")),
        ("axum", cfg!(feature = "axum")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    // The variables cargo and the test runner set for this test (CARGO_MANIFEST_DIR,
    // CARGO_PKG_NAME, ...) are ones that build scripts (ring's, for one) watch: passed on, they
    // would make cargo rebuild what the test runner just built, and the runner rebuild it again.
    for (variable, _) in std::env::vars_os() {
        let variable = variable.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CFG_",
            "CARGO_FEATURE_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
            "CARGO_RUSTC_CURRENT_DIR",
            "OUT_DIR",
            "NEXTEST",
            "__NEXTEST",
        ]
        .iter()
        .any(|prefix| variable.starts_with(prefix))
        {
            command.env_remove(variable.as_ref());
        }
    }
    let output = command
        .args(["build", "--example", name, "--profile", &profile])
        .args(["--no-default-features", "--features", &features.join(",")])
        .args([
            "--message-format",
            "json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(format!("{}/Cargo.toml", env!("CARGO_MANIFEST_DIR")))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo could not build the example {name}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|message| {
            message["reason"] == "compiler-artifact"
                && message["target"]["name"] == name
                && message["target"]["kind"][0] == "example"
        })
        .and_then(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo names the example {name}'s executable"))
}
