//! Token decoder and every offline check, on arbitrary input, for each pattern and hop.
#![no_main]
use c7doctor::cli::{Hop, Pattern};
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
        tenant_id: Some("5c2f3e1a-7b4d-4e8f-9a10-2b3c4d5e6f70".into()),
        gateway_app_id: Some("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into()),
        mcp_app_id: Some("1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e".into()),
        authority: "https://login.microsoftonline.com".into(),
        at: now,
        now,
        leeway_secs: 60,
        provisioned: None,
    };
    let _ = check_token(&raw, &exp);
});
