//! Shared test support: running the real binary, and the gateway simulator.

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

pub mod sim;

/// The `checks` array of a `--format json` report.
pub fn checks(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["checks"].as_array().expect("report has checks")
}

/// The codes of every non-pass check, in report order.
pub fn codes(report: &serde_json::Value) -> Vec<String> {
    checks(report)
        .iter()
        .filter_map(|c| c["code"].as_str().map(String::from))
        .collect()
}

/// `id=status(code), …` for every check: what an assertion message should show.
pub fn ids(report: &serde_json::Value) -> String {
    checks(report)
        .iter()
        .map(|c| {
            let code = c["code"]
                .as_str()
                .map(|s| format!("({s})"))
                .unwrap_or_default();
            format!(
                "{}={}{code}",
                c["id"].as_str().unwrap_or(""),
                c["status"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
