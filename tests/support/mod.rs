//! Shared test support: running the real binary ([`Run`] → [`Report`]), the one snapshot
//! set-up ([`snapshot`]), the gateway simulator ([`sim`]) and what each of its profiles must
//! produce per command ([`expected`]).

use assert_cmd::Command;

/// The fixed clock every test runs with (`C7DOCTOR_NOW`), so relative times are stable.
pub const NOW: &str = "2026-11-23T10:00:00Z";

/// The real c7doctor binary with a clean, deterministic environment: no inherited
/// `C7DOCTOR_*` variables, no colour, the fixed clock, and a working directory without a
/// `c7doctor.toml`.
pub fn c7doctor() -> Command {
    let mut cmd = Command::cargo_bin("c7doctor").expect("binary built");
    for (k, _) in std::env::vars() {
        if k.starts_with("C7DOCTOR_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("C7DOCTOR_NOW", NOW)
        .env("NO_COLOR", "1")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env_remove("https_proxy")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .write_stdin("");
    cmd
}

/// Path of a file under `fixtures/`.
pub fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

pub mod expected;
pub mod report;
pub mod run;
pub mod sim;
pub mod snapshot;

pub use report::Report;
pub use run::{Output, Run};
