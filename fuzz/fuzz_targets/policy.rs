//! The APIM policy linter (XML, management-API envelopes, diagnostics JSON) on arbitrary bytes.
#![no_main]
use c7doctor::policy::{LintOptions, lint_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = c7doctor::context::Ctx::for_library(c7doctor::config::Config::defaults());
    let _ = lint_text("fuzz.xml", data, &ctx, &LintOptions::default());
});
