//! APIM diagnostics settings: payload logging buffers the response and truncates MCP's
//! Server-Sent Events at the logged size (guides' Troubleshooting › "Streaming responses
//! get cut off"; APIM's SSE guidance: log no body bytes).
//!
//! The settings come in the shapes people have, each read by a small purpose-built reader
//! for just these fields: the REST/`az apim diagnostic show` JSON and ARM templates
//! ([`json`]), Bicep ([`bicep`]) and Terraform azurerm ([`terraform`]). All of them end in
//! the same judgement ([`judge`]).

pub mod bicep;
pub mod json;
pub mod terraform;

use serde_json::Value;

use crate::report::{Check, Status};

use super::codes;
use super::source::Source;

/// One logging setting: where it is and how bad a non-zero value is.
pub struct Setting {
    pub side: &'static str,
    pub direction: &'static str,
    status: Status,
    why: &'static str,
}

pub const SETTINGS: &[Setting] = &[
    Setting {
        side: "frontend",
        direction: "response",
        status: Status::Fail,
        why: "APIM logs that many bytes of every response body to the client, which buffers MCP's SSE stream and cuts it at that size",
    },
    Setting {
        side: "backend",
        direction: "response",
        status: Status::Warn,
        why: "APIM reads that many bytes of Context7's response body to log it, which can buffer the SSE stream",
    },
    Setting {
        side: "frontend",
        direction: "request",
        status: Status::Warn,
        why: "APIM logs request bodies (JSON-RPC calls with users' queries); body logging can cause unexpected buffering on an SSE API",
    },
    Setting {
        side: "backend",
        direction: "request",
        status: Status::Warn,
        why: "APIM logs the request bodies it forwards; body logging can cause unexpected buffering on an SSE API",
    },
];

/// One body-bytes value found in a diagnostics resource.
pub struct Found {
    /// Index into [`SETTINGS`].
    pub setting: usize,
    /// How the reader names the property (`properties.frontend.response.body.bytes`,
    /// `frontend_response.body_bytes`).
    pub path: String,
    /// The number, when known (a literal, or a variable/parameter default resolved).
    pub bytes: Option<u64>,
    /// The value as written, when it could not be resolved.
    pub raw: String,
    /// Where it is written.
    pub offset: Option<usize>,
}

/// A diagnostics resource: what it is and the values found in it.
pub struct Resource {
    /// `service-scope diagnostics 'applicationinsights'`, `API-scope diagnostics …`.
    pub scope: String,
    pub api_scope: bool,
    pub found: Vec<Found>,
    /// Where the resource starts (for the pass).
    pub at: Option<usize>,
}

/// A number of bytes, given as a number or a numeric string.
pub fn bytes_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn new() -> Check {
    Check::new(
        "policy.diagnostics",
        "Diagnostics log no body bytes of the MCP stream",
    )
}

/// The findings for one diagnostics resource.
pub fn judge(src: &Source, r: &Resource) -> Vec<Check> {
    let place = |c: Check, at: Option<usize>| match at {
        Some(off) => src.at(c, off),
        None => src.whole(c),
    };
    let mut out = Vec::new();
    for f in &r.found {
        let s = &SETTINGS[f.setting];
        let Some(n) = f.bytes else {
            out.push(place(
                new().info(
                    codes::DIAGNOSTICS_PAYLOAD,
                    format!(
                        "{} = {} in the {}: a value c7doctor cannot resolve here (a parameter without a default, an expression); make sure it is 0 where it is set",
                        f.path, f.raw, r.scope
                    ),
                ),
                f.offset,
            ));
            continue;
        };
        if n == 0 {
            continue;
        }
        let detail = format!("{} = {n} in the {}: {}", f.path, r.scope, s.why);
        let check = new()
            .finding(s.status, codes::DIAGNOSTICS_PAYLOAD, detail)
            .fix_var("property", f.path.clone())
            .fix_var("scope", if r.api_scope { "the API" } else { "All APIs" })
            .fix_var(
                "setting",
                format!(
                    "{} {}",
                    if s.side == "frontend" {
                        "Frontend"
                    } else {
                        "Backend"
                    },
                    if s.direction == "response" {
                        "Response"
                    } else {
                        "Request"
                    }
                ),
            )
            .evidence("property", f.path.clone())
            .evidence("bytes", Value::from(n));
        out.push(place(check, f.offset));
    }
    if out.is_empty() {
        out.push(place(
            new().pass(format!(
                "the {} log no body bytes of requests or responses",
                r.scope
            )),
            r.at,
        ));
    }
    out
}

/// The setting for a side and direction.
pub fn setting_index(side: &str, direction: &str) -> Option<usize> {
    SETTINGS
        .iter()
        .position(|s| s.side == side && s.direction == direction)
}

/// Where a quoted string that opens at `b[open]` with `quote` ends: the index of its closing
/// quote, past backslash escapes, or the end of the text when it never closes (the Bicep and
/// Terraform readers tokenise the same way).
fn quoted_end(b: &[u8], open: usize, quote: u8) -> usize {
    let mut j = open + 1;
    while j < b.len() && b[j] != quote {
        if b[j] == b'\\' {
            j += 1;
        }
        j += 1;
    }
    j.min(b.len())
}
