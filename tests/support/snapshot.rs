//! The one insta set-up: every snapshot lives in `tests/snapshots/`, named after its test
//! module and name (`integration__token__token_fail_text.snap`), with what changes between
//! machines and releases filtered out (the version, the platform) and, for runs against the
//! simulator, its loopback addresses and the timings.
//!
//! ```ignore
//! snapshot::settings().bind(|| insta::assert_snapshot!("render_text", out));
//! ```

use std::path::Path;

use super::sim::Sim;

/// The settings every snapshot is taken with.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    s.set_prepend_module_to_snapshot(true);
    s.add_filter(r#""version": "[^"]+""#, r#""version": "[version]""#);
    s.add_filter(
        r"c7doctor \d+\.\d+\.\d+\S* · [a-z0-9_]+/[a-z0-9_]+",
        "c7doctor [version] · [os]/[arch]",
    );
    s.add_filter(r"c7doctor \d+\.\d+\.\d+\S*", "c7doctor [version]");
    s
}

/// [`settings`] for a run against `sim`: its addresses (the ports change every run) and
/// the measured durations filtered too.
pub fn sim_settings(sim: &Sim) -> insta::Settings {
    let mut s = settings();
    for (url, name) in [
        (&sim.gateway, "http://[gateway]"),
        (&sim.authority, "http://[authority]"),
        (&sim.elsewhere, "http://[elsewhere]"),
    ] {
        s.add_filter(&regex_escape(url), name);
    }
    s.add_filter(r"\b\d+ ms\b", "[n] ms");
    s.add_filter(r#""(elapsed_ms|duration_ms)": \d+"#, r#""$1": [n]"#);
    // The conversation table's ms column.
    s.add_filter(
        r"(?m)^(\| \d+ \| (?:POST|GET)[^|]*\|[^|]*\|[^|]*\|[^|]*\|[^|]*\| )\d+ \|",
        "${1}[n] |",
    );
    s
}

/// [`settings`] for the first screen of a run (text or markdown): loopback ports, the
/// checkout's path, durations, fingerprints and stream timings filtered, and every row of a
/// text table as one placeholder (its timings move the borders).
pub fn screen_settings() -> insta::Settings {
    let mut s = settings();
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    s.add_filter(r"(?m)^  [┌│├└].*$", "  [table row]");
    s.add_filter(&regex_escape(env!("CARGO_MANIFEST_DIR")), "[repo]");
    s.add_filter(r"\d+(\.\d+)? ms\b", "[ms] ms");
    s.add_filter(r"\(\d+\.\d s\)", "([s] s)");
    s.add_filter(r"sha256:[0-9a-f]{12}", "sha256:[fp]");
    s.add_filter(r"\b(chunks|ttfb_ms|max_gap_ms|total_ms)=\d+", "$1=[n]");
    s
}

/// `s` as a regular expression that matches it literally.
fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}
