//! APIM diagnostics settings (`az apim diagnostic show`, the management API's
//! `…/diagnostics/{id}`, service or API scope): payload logging buffers the response and
//! truncates MCP's Server-Sent Events at the logged size (guides' Troubleshooting ›
//! "Streaming responses get cut off"; APIM's SSE guidance: log no body bytes).

use crate::policy::codes;
use serde_json::Value;

use crate::report::{Check, Status};

use super::source::Source;

/// One logging setting: where it is and how bad a non-zero value is.
struct Setting {
    side: &'static str,
    direction: &'static str,
    status: Status,
    why: &'static str,
}

const SETTINGS: &[Setting] = &[
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

/// A number of bytes, given as a number or a numeric string.
fn bytes_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Offset of `"key":` for each key in turn, starting at `from` (keys nest in this order).
fn locate(text: &str, from: usize, keys: &[&str]) -> Option<usize> {
    let mut cursor = from;
    let mut found = None;
    for k in keys {
        let needle = format!("\"{k}\"");
        let mut search = cursor;
        loop {
            let p = text.get(search..)?.find(&needle)? + search;
            let after = text[p + needle.len()..].trim_start();
            if after.starts_with(':') {
                found = Some(p);
                cursor = p + needle.len();
                break;
            }
            search = p + needle.len();
        }
    }
    found
}

/// Lint one diagnostics resource. `prefix` is the JSON path of its properties
/// (`properties.`, `value[0].properties.` or empty for the flattened CLI shape); `from` is
/// where to start looking for its keys in the text, advanced past what was found.
pub fn lint(
    src: &Source,
    prefix: &str,
    obj: &Value,
    props: &Value,
    from: &mut usize,
) -> Vec<Check> {
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("diagnostics");
    let id = obj.get("id").and_then(Value::as_str).unwrap_or("");
    let scope = match id.find("/apis/") {
        Some(p) => {
            let api = id[p + 6..].split('/').next().unwrap_or("");
            format!("API-scope diagnostics '{name}' of API {api}")
        }
        None if id.is_empty() => format!("diagnostics '{name}'"),
        None => format!("service-scope diagnostics '{name}'"),
    };
    let new = || {
        Check::new(
            "policy.diagnostics",
            "Diagnostics log no body bytes of the MCP stream",
        )
    };
    let mut out = Vec::new();
    let start = *from;
    for s in SETTINGS {
        let Some(v) = props
            .get(s.side)
            .and_then(|x| x.get(s.direction))
            .and_then(|x| x.get("body"))
            .and_then(|x| x.get("bytes"))
        else {
            continue;
        };
        let path = format!("{prefix}{}.{}.body.bytes", s.side, s.direction);
        let at = locate(&src.text, start, &[s.side, s.direction, "body", "bytes"]);
        if let Some(at) = at {
            *from = (*from).max(at);
        }
        let Some(n) = bytes_of(v) else {
            continue;
        };
        if n == 0 {
            continue;
        }
        let detail = format!("{path} = {n} in the {scope}: {}", s.why);
        let check = new()
            .finding(s.status, codes::DIAGNOSTICS_PAYLOAD, detail)
            .fix(format!(
                "Set {path} to 0 (portal: {} › Settings › Diagnostics Logs › {} {} › Number of payload bytes to log = 0), then re-check.",
                if id.contains("/apis/") { "the API" } else { "All APIs" },
                if s.side == "frontend" { "Frontend" } else { "Backend" },
                if s.direction == "response" { "Response" } else { "Request" },
            ))
            .evidence("property", path.clone())
            .evidence("bytes", Value::from(n));
        out.push(match at {
            Some(off) => src.at(check, off),
            None => src.whole(check),
        });
    }
    if out.is_empty() {
        let at = locate(&src.text, start, &["frontend"]);
        let check = new().pass(format!(
            "the {scope} log no body bytes of requests or responses"
        ));
        out.push(match at {
            Some(off) => src.at(check, off),
            None => src.whole(check),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys() {
        let text = r#"{"properties":{"backend":{"response":{"body":{"bytes":0}}},"frontend":{"request":{"body":{"bytes":0}},"response":{"body":{"bytes":8192}}}}}"#;
        let at = locate(text, 0, &["frontend", "response", "body", "bytes"]).unwrap();
        assert!(text[at..].starts_with("\"bytes\":8192"));
    }
}
