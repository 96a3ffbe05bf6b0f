//! Where did a refusal come from? The gateway (APIM's `{"statusCode":…,"message":…}`),
//! Context7 (JSON-RPC `-32001` or its token messages), the shared API key (HTTP 200 with
//! the tool text "Invalid API key…"), or the user (a token accepted on `initialize` and
//! refused on `tools/call`). Each answer maps to one catalog code with the fix the guides
//! give; this module only reads what came back and never talks to the network.

use super::codes;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::deployment::Pattern;

/// The conversation step a response answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Initialize,
    /// `server/discover` (2026-07-28): the era's first request, as `initialize` is for 2025.
    Discover,
    Initialized,
    ToolsList,
    ToolsCall,
}

impl Step {
    /// The first request of an era (where "no MCP operation here" can be said).
    pub fn is_first(self) -> bool {
        matches!(self, Step::Initialize | Step::Discover)
    }

    /// The code for a failure of this step that has no more specific cause.
    pub fn generic_code(self) -> crate::findings::Code {
        match self {
            Step::Initialize | Step::Discover | Step::Initialized => codes::INITIALIZE_FAILED,
            Step::ToolsList => codes::TOOLS_MISSING,
            Step::ToolsCall => codes::TOOL_ERROR,
        }
    }
}

/// What Context7's token message says is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context7Aspect {
    /// "Authentication required": nothing usable reached Context7 (no key, no token).
    NoCredential,
    Audience,
    Scope,
    Expired,
    /// Issuer or tenant (a v1 token, another tenant).
    Tenant,
    Signature,
    /// "Invalid token", "Invalid token claims".
    Token,
}

impl Context7Aspect {
    pub fn as_str(self) -> &'static str {
        match self {
            Context7Aspect::NoCredential => "no-credential",
            Context7Aspect::Audience => "audience",
            Context7Aspect::Scope => "scope",
            Context7Aspect::Expired => "expired",
            Context7Aspect::Tenant => "tenant",
            Context7Aspect::Signature => "signature",
            Context7Aspect::Token => "token",
        }
    }
}

/// The answer to "where did it break".
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// APIM's own error body.
    RejectedAtGateway { status: u16, message: String },
    /// Context7 refused the credential.
    RejectedByContext7 {
        status: u16,
        message: String,
        aspect: Option<Context7Aspect>,
    },
    /// Context7 got no usable credential ("Authentication required").
    NoCredential { status: u16, message: String },
    /// The shared API key was refused (tool text).
    ApiKeyRejected { text: String },
    /// The token was accepted before, the user is refused now.
    UserNotProvisioned { status: u16, text: String },
    /// 5xx.
    GatewayError {
        status: u16,
        message: String,
        activity_id: Option<String>,
    },
    /// 406 / 415.
    NotAcceptable { status: u16, message: String },
    /// 400 / 404 about the session or protocol version.
    Session { status: u16, message: String },
    /// 404 / 405 on the first POST: no MCP operation here.
    EndpointMissing { status: u16, message: String },
    /// The server speaks the 2026-07-28 revision only (no `initialize`).
    Revision2026 { supported: Vec<String> },
    /// The server speaks only the 2025 revisions (`server/discover` unknown).
    Revision2025Only { status: u16, message: String },
    /// The 2026-07-28 headers did not reach the server (dropped or rewritten on the way).
    ProtocolHeaders { status: u16, message: String },
    /// The MCP API app (the audience) is configured for another teamspace.
    AudienceTaken { status: u16, message: String },
    /// 3xx on the MCP endpoint.
    Redirect {
        status: u16,
        location: String,
        /// The host when the redirect leaves the gateway's origin.
        elsewhere: Option<String>,
    },
    /// Anything else: the step's generic code.
    Other {
        status: u16,
        code: Option<i64>,
        message: String,
    },
}

impl Cause {
    /// The catalog code for this cause at `step`.
    pub fn code(&self, step: Step) -> crate::findings::Code {
        match self {
            Cause::RejectedAtGateway { .. } => codes::REJECTED_AT_GATEWAY,
            Cause::RejectedByContext7 { .. } => codes::REJECTED_BY_CONTEXT7,
            Cause::NoCredential { .. } => codes::NO_CREDENTIAL_AT_CONTEXT7,
            Cause::ApiKeyRejected { .. } => codes::API_KEY_REJECTED,
            Cause::UserNotProvisioned { .. } => codes::USER_NOT_PROVISIONED,
            Cause::GatewayError { .. } => codes::GATEWAY_ERROR,
            Cause::NotAcceptable { .. } => codes::NOT_ACCEPTABLE,
            Cause::Session { .. } => codes::SESSION,
            Cause::EndpointMissing { .. } => crate::discovery::codes::ENDPOINT_MISSING,
            Cause::Revision2026 { .. } => codes::PROTOCOL_2026,
            Cause::Revision2025Only { .. } => codes::PROTOCOL_2025_ONLY,
            Cause::ProtocolHeaders { .. } => codes::PROTOCOL_HEADERS,
            Cause::AudienceTaken { .. } => codes::AUDIENCE_OTHER_TEAMSPACE,
            Cause::Redirect { .. } => crate::discovery::codes::REDIRECT,
            Cause::Other { .. } => step.generic_code(),
        }
    }

    /// One sentence naming what was seen.
    pub fn describe(&self) -> String {
        match self {
            Cause::RejectedAtGateway { status, message } => format!(
                "the gateway answered {status} with its own error body: \
                    {message:?} — the request never reached Context7"
            ),
            Cause::RejectedByContext7 {
                status,
                message,
                aspect,
            } => {
                let what = aspect
                    .map(|a| format!(" ({} rejected)", a.as_str()))
                    .unwrap_or_default();
                format!(
                    "Context7 answered {status} through the gateway: \
                        {message:?}{what} — the gateway accepted the client, Context7 \
                        refused what it forwarded"
                )
            }
            Cause::NoCredential { status, message } => format!(
                "Context7 answered {status} through the gateway: {message:?} — the gateway \
                 accepted the client and forwarded the request to /mcp/oauth without a key \
                 or token Context7 can read"
            ),
            Cause::ApiKeyRejected { text } => format!(
                "HTTP 200, but the tool says {:?}: Context7 refused the API \
                    key the gateway injects",
                short(text)
            ),
            Cause::UserNotProvisioned { status, text } => {
                if is_api_key_text(text) {
                    format!(
                        "the token was accepted for the handshake and tools/list, but tools/call \
                         answered {status} with {:?}: in a per-user pattern there is no API key — \
                         Context7 accepted the Entra token and could not resolve its user (the \
                         oid is not among the teamspace's users)",
                        short(text)
                    )
                } else {
                    format!(
                        "the token was accepted for initialize and tools/list, but \
                            tools/call was refused ({status}): {:?}",
                        short(text)
                    )
                }
            }
            Cause::GatewayError {
                status,
                message,
                activity_id,
            } => format!(
                "the gateway answered {status}: {message:?}{}",
                activity_id
                    .as_ref()
                    .map(|a| format!(" (activityId {a})"))
                    .unwrap_or_default()
            ),
            Cause::NotAcceptable { status, message } => format!(
                "{status}: {message:?} — the server refused the Accept/Content-Type it received"
            ),
            Cause::Session { status, message } => {
                format!("{status} about the session or protocol version: {message:?}")
            }
            Cause::EndpointMissing { status, message } => {
                format!("{status} on POST: {message:?} — no MCP operation at this URL")
            }
            Cause::Revision2026 { supported } => format!(
                "the server has no initialize: it speaks the 2026-07-28 revision (supported: {})",
                if supported.is_empty() {
                    "not stated".to_string()
                } else {
                    supported.join(", ")
                }
            ),
            Cause::Revision2025Only { status, message } => {
                format!("{status}: {message:?} — the server speaks only the 2025 revisions")
            }
            Cause::ProtocolHeaders { status, message } => format!(
                "{status}: {message:?} — the server did not get the MCP-Protocol-Version / \
                 Mcp-Method / Mcp-Name headers 2026-07-28 clients send: something between \
                 client and server drops or rewrites them"
            ),
            Cause::AudienceTaken { status, message } => format!(
                "{status}: {message:?} — the Context7 MCP API app (the audience) is already \
                 configured for another teamspace"
            ),
            Cause::Redirect {
                status,
                location,
                elsewhere,
            } => format!(
                "{status} redirect to {location:?} on POST{}: MCP clients do not follow a \
                 redirect on a POST with a body, so the conversation never reaches Context7",
                elsewhere
                    .as_ref()
                    .map(|h| format!(
                        " — another host ({h}): a client that follows it sends its token there"
                    ))
                    .unwrap_or_default()
            ),
            Cause::Other {
                status,
                code,
                message,
            } => match code {
                Some(c) => format!("{status}, JSON-RPC error {c}: {message:?}"),
                None => format!("{status}: {message:?}"),
            },
        }
    }
}

/// APIM's error body: `{"statusCode": 401, "message": "…"}` (maybe with `activityId`).
pub fn apim_error(body: &Value) -> Option<(u16, String, Option<String>)> {
    let obj = body.as_object()?;
    let status = obj.get("statusCode")?.as_u64()?;
    let message = obj.get("message")?.as_str()?.to_string();
    let activity = obj
        .get("activityId")
        .and_then(|a| a.as_str())
        .map(str::to_string);
    Some((u16::try_from(status).unwrap_or(0), message, activity))
}

/// A JSON-RPC error object: `(code, message, data)`.
pub fn jsonrpc_error(body: &Value) -> Option<(i64, String, Option<Value>)> {
    let err = body.get("error")?.as_object()?;
    let code = err.get("code")?.as_i64()?;
    let message = err
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    Some((code, message, err.get("data").cloned()))
}

/// Context7's token messages (upstash/context7 src/lib/jwt.ts) and what each points at.
pub fn context7_token_message(text: &str) -> Option<Context7Aspect> {
    let t = text.to_ascii_lowercase();
    if t.contains("authentication required") {
        Some(Context7Aspect::NoCredential)
    } else if t.contains("audience") {
        Some(Context7Aspect::Audience)
    } else if t.contains("required scope") || t.contains("missing scope") {
        Some(Context7Aspect::Scope)
    } else if t.contains("token expired") || t.contains("jwt expired") {
        Some(Context7Aspect::Expired)
    } else if t.contains("issuer") || t.contains("tenant") {
        Some(Context7Aspect::Tenant)
    } else if t.contains("invalid signature") {
        Some(Context7Aspect::Signature)
    } else if t.contains("invalid token") {
        Some(Context7Aspect::Token)
    } else {
        None
    }
}

/// Context7's answer to a rejected API key (a tool text, HTTP 200).
pub fn is_api_key_text(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("invalid api key") || t.contains("check your api key")
}

/// Text that refuses a user rather than a token (unprovisioned, not a member).
pub fn is_user_refusal_text(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "not provisioned",
        "not a member",
        "user not found",
        "unknown user",
        "no access",
        "not authorized",
        "forbidden",
        "unauthorized",
        "teamspace",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// The `resource_metadata` URL of every `WWW-Authenticate` value.
pub fn resource_metadata_urls(headers: &HeaderMap) -> Vec<String> {
    let mut out = Vec::new();
    for v in headers.get_all("www-authenticate") {
        let v = String::from_utf8_lossy(v.as_bytes());
        let lower = v.to_ascii_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find("resource_metadata") {
            let rest = &v[from + i + "resource_metadata".len()..];
            let rest = rest.trim_start();
            if let Some(rest) = rest.strip_prefix('=') {
                let rest = rest.trim_start();
                let value = if let Some(q) = rest.strip_prefix('"') {
                    q.split('"').next().unwrap_or("")
                } else {
                    rest.split([',', ' ']).next().unwrap_or("")
                };
                out.push(value.to_string());
            }
            from += i + "resource_metadata".len();
        }
    }
    out
}

/// A `resource_metadata` that points at another origin than the gateway's: Context7's own
/// challenge leaking through the gateway. Without a gateway, only Context7's own host counts.
pub fn upstream_challenge(headers: &HeaderMap, gateway: Option<&url::Url>) -> Option<String> {
    resource_metadata_urls(headers).into_iter().find(|u| {
        let Ok(parsed) = url::Url::parse(u) else {
            return false;
        };
        match gateway {
            Some(g) => parsed.origin() != g.origin(),
            None => parsed
                .host_str()
                .is_some_and(|h| h.to_ascii_lowercase().ends_with("context7.com")),
        }
    })
}

/// The human text of a JSON body for a detail: APIM's message, a JSON-RPC error message,
/// `error`/`error_description`, or the start of the body.
fn body_message(body: Option<&Value>, text: &str) -> String {
    if let Some(b) = body {
        if let Some((_, m, _)) = apim_error(b) {
            return m;
        }
        if let Some((_, m, _)) = jsonrpc_error(b) {
            return m;
        }
        for k in ["error_description", "message", "error"] {
            if let Some(m) = b.get(k).and_then(|m| m.as_str()) {
                return m.to_string();
            }
        }
    }
    short(text.trim())
}

/// Classify an HTTP response that is not a success (status ≥ 300, or 200 whose body is a
/// JSON-RPC error is handled by [`classify_rpc_error`]). `accepted_before` is true when the
/// same credential already got answers for earlier steps.
pub fn classify_http(
    step: Step,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    accepted_before: bool,
    gateway: Option<&url::Url>,
    pattern: Pattern,
) -> Cause {
    let text = String::from_utf8_lossy(body);
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let message = body_message(json.as_ref(), &text);
    let apim = json.as_ref().and_then(apim_error);
    let rpc = json.as_ref().and_then(jsonrpc_error);

    if is_audience_taken(&message) || is_audience_taken(&text) {
        return Cause::AudienceTaken { status, message };
    }
    if matches!(status, 301 | 302 | 303 | 307 | 308) {
        let location = headers
            .get("location")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        let elsewhere = gateway
            .and_then(|g| g.join(&location).ok().filter(|u| u.origin() != g.origin()))
            .and_then(|u| u.host_str().map(str::to_string));
        return Cause::Redirect {
            status,
            location,
            elsewhere,
        };
    }
    if status >= 500 {
        return Cause::GatewayError {
            status,
            message,
            activity_id: apim.and_then(|a| a.2),
        };
    }
    match status {
        401 | 403 => {
            if let Some((_, m, _)) = apim {
                return Cause::RejectedAtGateway { status, message: m };
            }
            if is_api_key_text(&text) {
                return key_text_cause(pattern, status, message.clone());
            }
            let aspect = context7_token_message(&message);
            if aspect == Some(Context7Aspect::NoCredential) {
                return Cause::NoCredential { status, message };
            }
            let c7_challenge = upstream_challenge(headers, gateway).is_some();
            if step == Step::ToolsCall && accepted_before {
                return Cause::UserNotProvisioned {
                    status,
                    text: message,
                };
            }
            if rpc.as_ref().is_some_and(|r| r.0 == -32001) || aspect.is_some() || c7_challenge {
                return Cause::RejectedByContext7 {
                    status,
                    message,
                    aspect,
                };
            }
            // An unrecognised body: the gateway is who answered.
            Cause::RejectedAtGateway { status, message }
        }
        406 | 415 => Cause::NotAcceptable { status, message },
        // A server of the 2025 revisions meets server/discover with "method not found" or,
        // in session mode, by asking for the session the handshake would have made.
        400 | 404
            if step == Step::Discover
                && (rpc.as_ref().is_some_and(|r| r.0 == -32601 || r.0 == -32022)
                    || message.to_ascii_lowercase().contains("session")
                    || message
                        .to_ascii_lowercase()
                        .contains("unsupported protocol version")) =>
        {
            Cause::Revision2025Only { status, message }
        }
        400 if rpc.as_ref().is_some_and(|r| is_header_error(r.0, &r.1)) => {
            Cause::ProtocolHeaders { status, message }
        }
        400 | 404 => {
            let t = message.to_ascii_lowercase();
            if t.contains("session") || t.contains("protocol") || t.contains("version") {
                if let Some(supported) = revision_2026(rpc.as_ref()) {
                    return Cause::Revision2026 { supported };
                }
                Cause::Session { status, message }
            } else if status == 404 && step.is_first() {
                Cause::EndpointMissing { status, message }
            } else if let Some(supported) = revision_2026(rpc.as_ref()) {
                Cause::Revision2026 { supported }
            } else {
                Cause::Other {
                    status,
                    code: rpc.map(|r| r.0),
                    message,
                }
            }
        }
        405 if step.is_first() => Cause::EndpointMissing { status, message },
        _ => Cause::Other {
            status,
            code: rpc.map(|r| r.0),
            message,
        },
    }
}

/// A JSON-RPC error that says "this server has no initialize": `-32022` Unsupported protocol
/// version listing only 2026-07-28 or later, or `-32601` Method not found for initialize.
fn revision_2026(rpc: Option<&(i64, String, Option<Value>)>) -> Option<Vec<String>> {
    let (code, message, data) = rpc?;
    let supported: Vec<String> = data
        .as_ref()
        .and_then(|d| d.get("supported"))
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let only_new = !supported.is_empty() && supported.iter().all(|v| v.as_str() >= "2026-07-28");
    if (*code == -32022
        || message
            .to_ascii_lowercase()
            .contains("unsupported protocol version"))
        && only_new
    {
        return Some(supported);
    }
    None
}

/// Classify a JSON-RPC error response (HTTP 200 or an error in the event stream).
pub fn classify_rpc_error(
    step: Step,
    status: u16,
    code: i64,
    message: &str,
    data: Option<&Value>,
    accepted_before: bool,
    pattern: Pattern,
) -> Cause {
    let rpc = (code, message.to_string(), data.cloned());
    if is_audience_taken(message) {
        return Cause::AudienceTaken {
            status,
            message: message.to_string(),
        };
    }
    if step == Step::Discover && (code == -32601 || code == -32022) {
        return Cause::Revision2025Only {
            status,
            message: message.to_string(),
        };
    }
    if is_header_error(code, message) {
        return Cause::ProtocolHeaders {
            status,
            message: message.to_string(),
        };
    }
    if step == Step::Initialize {
        if let Some(supported) = revision_2026(Some(&rpc)) {
            return Cause::Revision2026 { supported };
        }
        if code == -32601 {
            return Cause::Revision2026 {
                supported: Vec::new(),
            };
        }
    }
    if is_api_key_text(message) {
        return key_text_cause(pattern, status, message.to_string());
    }
    let aspect = context7_token_message(message);
    if aspect == Some(Context7Aspect::NoCredential) {
        return Cause::NoCredential {
            status,
            message: message.to_string(),
        };
    }
    if code == -32001 || aspect.is_some() {
        if step == Step::ToolsCall && accepted_before {
            return Cause::UserNotProvisioned {
                status,
                text: message.to_string(),
            };
        }
        return Cause::RejectedByContext7 {
            status,
            message: message.to_string(),
            aspect,
        };
    }
    if step == Step::ToolsCall && accepted_before && is_user_refusal_text(message) {
        return Cause::UserNotProvisioned {
            status,
            text: message.to_string(),
        };
    }
    Cause::Other {
        status,
        code: Some(code),
        message: message.to_string(),
    }
}

/// The text of a tool result's `content` (text items joined).
pub fn tool_text(result: &Value) -> String {
    result
        .get("content")
        .and_then(|c| c.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get("text").and_then(|t| t.as_str()))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// "…check your API key" read in the pattern it came back in: the shared-key pattern sends a
/// key, so the key was refused; the per-user patterns send no key at all — Context7 took the
/// Entra token and could not resolve its user.
fn key_text_cause(pattern: Pattern, status: u16, text: String) -> Cause {
    match pattern {
        Pattern::SharedKey => Cause::ApiKeyRejected { text },
        Pattern::Obo | Pattern::Passthrough => Cause::UserNotProvisioned { status, text },
    }
}

/// The audience-per-teamspace refusal (the dashboard's wording).
pub fn is_audience_taken(text: &str) -> bool {
    text.to_ascii_lowercase()
        .contains("already configured for another teamspace")
}

/// A refusal about the 2026-07-28 headers: JSON-RPC -32020 (header mismatch), or a message
/// about `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name`.
fn is_header_error(code: i64, message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    code == -32020
        || ((m.contains("mcp-protocol-version")
            || m.contains("mcp-method")
            || m.contains("mcp-name"))
            && (m.contains("header") || m.contains("missing") || m.contains("match")))
}

/// Classify a `tools/call` result (HTTP 200): `None` when it is a usable answer.
pub fn classify_tool_result(result: &Value, pattern: Pattern) -> Option<Cause> {
    let text = tool_text(result);
    let is_error = result
        .get("isError")
        .and_then(|e| e.as_bool())
        .unwrap_or(false);
    if is_api_key_text(&text) {
        return Some(key_text_cause(pattern, 200, text));
    }
    if is_audience_taken(&text) {
        return Some(Cause::AudienceTaken {
            status: 200,
            message: text,
        });
    }
    if is_error {
        if is_user_refusal_text(&text) {
            return Some(Cause::UserNotProvisioned { status: 200, text });
        }
        return Some(Cause::Other {
            status: 200,
            code: None,
            message: text,
        });
    }
    None
}

/// At most 200 characters, for details.
pub fn short(text: &str) -> String {
    let mut s: String = text.chars().take(200).collect();
    if text.chars().nth(200).is_some() {
        s.push('…');
    }
    s
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
