//! Helpers for the token area's unit tests: a decoded token made from its claims (RS256
//! header, dummy signature), and the expectations of an obo deployment at a fixed instant.

use base64::Engine;
use serde_json::{Value, json};

use super::Expect;
use super::decode::{Decoded, decode};
use crate::deployment::Pattern;

pub const GW: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
pub const MCP: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

pub fn token(claims: Value) -> Decoded {
    let b = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    decode(&format!(
        "{}.{}.c2ln",
        b(&json!({"alg": "RS256"})),
        b(&claims)
    ))
    .unwrap()
}

pub fn expect() -> Expect {
    let now: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    Expect {
        pattern: Pattern::Obo,
        hop: None,
        hop_reason: "given with --hop",
        tenant_id: None,
        gateway_app_id: Some(GW.into()),
        mcp_app_id: Some(MCP.into()),
        authority: "https://login.microsoftonline.com".into(),
        at: now,
        now,
        leeway_secs: 60,
        provisioned: None,
    }
}
