//! Token decoder and every offline check, on arbitrary input, for each pattern and hop.
#![no_main]
use c7doctor::deployment::{Hop, Pattern};
use c7doctor::token::{Expect, check_token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let raw = c7doctor::input::normalize_token(text);
    let now: c7doctor::Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    let pattern = [Pattern::Obo, Pattern::Passthrough, Pattern::SharedKey][data.len() % 3];
    let hop = [None, Some(Hop::Client), Some(Hop::Backend)][data.len() % 3];
    let exp = Expect {
        pattern,
        hop,
        hop_reason: "given with --hop",
        tenant_id: Some("7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f".into()),
        gateway_app_id: Some("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f".into()),
        mcp_app_id: Some("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d".into()),
        authority: "https://login.microsoftonline.com".into(),
        at: now,
        now,
        leeway_secs: 60,
        provisioned: None,
    };
    let _ = check_token(&raw, &exp);
});
