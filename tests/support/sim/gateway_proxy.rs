//! What the simulated APIM forwards a validated MCP request to: Context7 (a real `rmcp`
//! server, [`super::context7`]), over loopback HTTP, with the policy's backend behaviour
//! (rewrite to `/mcp/oauth`; the API key for shared-key, the user's token otherwise) and
//! the stream faults a misconfigured gateway adds ([`McpFaults`]): payload-logging
//! truncation, buffering, compression, stalls, resets, error bodies, a rewritten `Accept`,
//! and huge generated streams (generated chunk by chunk, never allocated whole).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::Value;

use super::apim::{Inbound, apim_error};
use super::context7::{self, Context7Options, Teamspace};
use super::{Ids, SimState};

/// Faults of Context7 and of the stream through the gateway. `Default`: none.
#[derive(Debug, Default, Clone)]
pub struct McpFaults {
    /// Cut every response after this many bytes (APIM's "Number of payload bytes to log").
    pub truncate_after: Option<usize>,
    /// Read the whole backend response and send it with Content-Length.
    pub buffer: bool,
    /// Gzip the whole response (Content-Encoding: gzip).
    pub gzip: bool,
    /// On tools/call: send this many bytes, then nothing more (until the client gives up).
    pub stall_after: Option<usize>,
    /// On tools/call: send this many bytes, then break the connection.
    pub reset_after: Option<usize>,
    /// Shared-key: the named value context7-api-key is a placeholder (Context7 answers
    /// "Invalid API key…").
    pub api_key_invalid: bool,
    /// Context7 refuses the user on tools/call (not provisioned).
    pub user_not_provisioned: bool,
    /// The teamspace's Entra configuration differs from the deployment: its audience (`aud`)
    /// is this value, so Context7 answers "Unknown audience".
    pub teamspace_audience: Option<&'static str>,
    /// The teamspace's required scope is this value ("Missing required scope").
    pub teamspace_scope: Option<&'static str>,
    /// The MCP API app is configured for another teamspace.
    pub audience_taken: bool,
    /// A policy expression fails: 500 for every request.
    pub policy_500: bool,
    /// The policy overrides Accept with this value (e.g. `application/json` → 406).
    pub accept_override: Option<&'static str>,
    /// On tools/call: this many bytes of notifications before the real response.
    pub huge_stream: Option<u64>,
    /// On tools/call: one `data:` line of this many bytes before the real response.
    pub huge_line: Option<u64>,
    /// On tools/call: an event stream begins with a UTF-8 BOM (legal; clients strip it).
    pub sse_bom: bool,
    /// Context7 speaks only the 2026-07-28 revision (no initialize).
    pub only_2026: bool,
    /// Context7 with sessions (`Mcp-Session-Id`), like before 4.x.
    pub sessions: bool,
    /// The gateway does not forward `Mcp-Session-Id` to the backend.
    pub drop_session_header: bool,
    /// An old Context7 (`get-library-docs`, no `query-docs`).
    pub old_tools: bool,
    /// Every tool call returns a tool error.
    pub tool_error: bool,
    /// initialize is answered with a JSON-RPC error (-32603).
    pub initialize_error: bool,
    /// The backend is not an MCP server: a 200 HTML page.
    pub backend_html: bool,
    /// No GET operation: APIM's 404 for GET.
    pub get_404: bool,
    /// A policy rewrites the body and trims trailing whitespace: the last event loses its
    /// blank line.
    pub trim_body: bool,
    /// A policy re-serialises the response with the id as a string.
    pub id_as_string: bool,
    /// Context7 answers 2025-era requests with `application/json` too.
    pub json_response: bool,
    /// A policy drops `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` on the way in
    /// (2025-era clients do not need them; 2026-07-28 clients do).
    pub drop_mcp_headers: bool,
    /// The operation accepts only the 2025 handshake shape: a POST whose body is not
    /// `initialize`, a notification or a request after it with a 2025 protocol header gets
    /// APIM's 404 (e.g. an operation matched on the body).
    pub only_2025_shape: bool,
    /// Keep the response's `Content-Length` when cutting it (a cut JSON body then ends
    /// before the length it announced).
    pub keep_content_length: bool,
    /// On tools/call: a `:` comment every second, forever, instead of the response.
    pub keepalive_forever: bool,
    /// The policy puts no credential on the backend request (no set-header Authorization,
    /// an empty OBO variable, or a set-header that deletes the client's): Context7's
    /// /mcp/oauth answers "Authentication required".
    pub forward_no_credential: bool,
}

/// State of the backend, created before the servers start.
#[derive(Debug, Default)]
pub struct ProxyState {
    /// Origin of the simulated Context7.
    pub context7: String,
    client: reqwest::Client,
}

impl ProxyState {
    /// Start Context7 (runs on the simulator's runtime).
    pub async fn start(
        profile: &super::Profile,
        ids: &Ids,
        _gateway: &str,
        authority: &str,
    ) -> ProxyState {
        let f = &profile.mcp;
        let teamspace = Teamspace {
            public_cloud: authority.to_string(),
            tenant_id: ids.tenant_id.clone(),
            audience: f
                .teamspace_audience
                .map(str::to_string)
                .unwrap_or_else(|| ids.mcp_app_id.clone()),
            required_scope: f.teamspace_scope.unwrap_or("mcp.access").to_string(),
            users: if f.user_not_provisioned {
                Vec::new()
            } else {
                vec![ids.user_oid.clone()]
            },
            now: super::now_unix(),
        };
        let context7 = context7::start(Context7Options {
            teamspace,
            only_2026: f.only_2026,
            sessions: f.sessions,
            old_tools: f.old_tools,
            tool_error: f.tool_error,
            json_response: f.json_response,
            audience_taken: f.audience_taken,
        })
        .await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("proxy client");
        ProxyState { context7, client }
    }
}

/// Headers forwarded in each direction, unchanged.
const FORWARD_REQUEST: &[&str] = &[
    "content-type",
    "accept",
    "mcp-session-id",
    "mcp-protocol-version",
    "mcp-method",
    "mcp-name",
    "last-event-id",
];
/// APIM passes the backend's response headers through; the guide's on-error policy only
/// replaces `WWW-Authenticate` on the gateway's own 401.
const FORWARD_RESPONSE: &[&str] = &[
    "content-type",
    "mcp-session-id",
    "allow",
    "cache-control",
    "www-authenticate",
];
/// What a policy that strips the MCP headers removes.
const MCP_HEADERS: &[&str] = &["mcp-protocol-version", "mcp-method", "mcp-name"];

/// Forward a request that passed the gateway's validation.
pub async fn forward(state: Arc<SimState>, inbound: Inbound) -> Response {
    let f = state.profile.mcp.clone();
    if f.policy_500 {
        let mut r = apim_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
        *r.body_mut() = Body::from(
            r#"{"statusCode":500,"message":"Internal server error","activityId":"5c8d2f1e-0a7b-4c3d-9e6f-1b2a3c4d5e6f"}"#,
        );
        return r;
    }
    let msg: Value = serde_json::from_slice(&inbound.body).unwrap_or(Value::Null);
    let method = msg
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let is_tool_call = method == "tools/call";
    if f.get_404 && inbound.method == axum::http::Method::GET {
        return apim_error(StatusCode::NOT_FOUND, "Resource not found");
    }
    if f.backend_html {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE \
                html><html><head><title>Welcome</title></head><body><h1>It \
                works!</h1></body></html>",
        )
            .into_response();
    }
    if f.initialize_error && method == "initialize" {
        let id = msg.get("id").cloned().unwrap_or(Value::Null);
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": {"code": -32603, "message": "Internal error: backend initialization failed"}
            })
            .to_string(),
        )
            .into_response();
    }

    if f.only_2025_shape && !is_2025_shape(&inbound.headers, &msg) {
        return apim_error(StatusCode::NOT_FOUND, "Resource not found");
    }

    // The policy: rewrite to /mcp/oauth; the key for shared-key, the user's token otherwise.
    // Without token validation (endpoint-open) the API's backend is Context7's anonymous /mcp.
    let path = if state.profile.apim.mcp_open {
        "/mcp"
    } else {
        "/mcp/oauth"
    };
    let url = format!("{}{path}", state.proxy.context7);
    let mut rb = state
        .proxy
        .client
        .request(inbound.method.clone(), url)
        .body(inbound.body.to_vec());
    for name in FORWARD_REQUEST {
        if (*name == "accept" && f.accept_override.is_some())
            || (*name == "mcp-session-id" && f.drop_session_header)
            || (f.drop_mcp_headers && MCP_HEADERS.contains(name))
        {
            continue;
        }
        if let Some(v) = inbound.headers.get(*name) {
            rb = rb.header(*name, v.clone());
        }
    }
    if let Some(accept) = f.accept_override {
        rb = rb.header("accept", accept);
    }
    let credential = match state.profile.pattern {
        _ if f.forward_no_credential => String::new(),
        "shared-key" if f.api_key_invalid => "{{context7-api-key}}".to_string(),
        "shared-key" => context7::VALID_KEY.to_string(),
        // The OBO exchange: a token for the MCP API app, for the same user.
        "obo" if inbound.token.is_some() => obo_token(&state, inbound.claims.as_ref()),
        _ => inbound.token.clone().unwrap_or_default(),
    };
    if !credential.is_empty() {
        rb = rb.header("authorization", format!("Bearer {credential}"));
    }
    let upstream = match rb.send().await {
        Ok(r) => r,
        Err(_) => return apim_error(StatusCode::BAD_GATEWAY, "Bad gateway"),
    };

    let status =
        StatusCode::from_u16(upstream.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = Vec::new();
    for name in FORWARD_RESPONSE {
        if let Some(v) = upstream.headers().get(*name) {
            headers.push((*name, v.clone()));
        }
    }
    if f.keep_content_length
        && let Some(v) = upstream.headers().get(header::CONTENT_LENGTH)
    {
        headers.push(("content-length", v.clone()));
    }
    let event_stream = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    let body_stream = upstream
        .bytes_stream()
        .map(|r| r.map_err(std::io::Error::other));
    let mut stream: futures_util::stream::BoxStream<'static, Result<Bytes, std::io::Error>> =
        body_stream.boxed();

    if is_tool_call {
        if let Some(n) = f.huge_stream {
            stream = generated_events(n).chain(stream).boxed();
        }
        if let Some(n) = f.huge_line {
            stream = generated_line(n).chain(stream).boxed();
        }
        if f.sse_bom && event_stream {
            let bom = futures_util::stream::once(async {
                Ok::<_, std::io::Error>(Bytes::from_static(b"\xEF\xBB\xBF"))
            });
            stream = bom.chain(stream).boxed();
        }
        if let Some(n) = f.stall_after {
            stream = stall_after(stream, n).boxed();
        }
        if let Some(n) = f.reset_after {
            stream = reset_after(stream, n).boxed();
        }
        if f.keepalive_forever {
            stream = comments_forever().boxed();
        }
    }
    if let Some(n) = f.truncate_after {
        stream = take_bytes(stream, n).boxed();
        if f.keep_content_length {
            // Let the cut bytes leave before the body ends short of its length.
            stream = stream
                .chain(futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    Ok(Bytes::new())
                }))
                .boxed();
        }
    }

    if is_tool_call && f.keepalive_forever {
        headers.retain(|(k, _)| *k != "content-type" && *k != "content-length");
        headers.push((
            "content-type",
            HeaderValue::from_static("text/event-stream"),
        ));
    }
    let mut builder = Response::builder().status(status);
    for (k, v) in &headers {
        builder = builder.header(*k, v.clone());
    }
    if f.trim_body || f.id_as_string {
        // A policy that reads and rewrites the body (still sent chunked, no Content-Length).
        let mut all = Vec::new();
        while let Some(Ok(b)) = stream.next().await {
            all.extend_from_slice(&b);
        }
        let mut text = String::from_utf8_lossy(&all).into_owned();
        if f.id_as_string {
            text = text
                .split('\n')
                .map(|line| match line.strip_prefix("data: ") {
                    Some(d) => match serde_json::from_str::<Value>(d) {
                        Ok(mut v) => {
                            if let Some(id) = v.get("id").filter(|i| i.is_number()).cloned() {
                                v["id"] = Value::String(id.to_string());
                            }
                            format!("data: {v}")
                        }
                        Err(_) => line.to_string(),
                    },
                    None => line.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
        if f.trim_body {
            text = text.trim_end().to_string();
        }
        return builder
            .body(Body::from_stream(futures_util::stream::once(async move {
                Ok::<_, std::io::Error>(Bytes::from(text))
            })))
            .unwrap_or_else(|_| apim_error(StatusCode::INTERNAL_SERVER_ERROR, "build"));
    }
    if f.buffer || f.gzip {
        // Buffer the whole response (what body logging or compression does).
        let mut all = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(b) => all.extend_from_slice(&b),
                Err(_) => break,
            }
        }
        if f.gzip {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = enc.write_all(&all);
            all = enc.finish().unwrap_or_default();
            builder = builder.header(header::CONTENT_ENCODING, "gzip");
        }
        builder = builder.header(header::CONTENT_LENGTH, HeaderValue::from(all.len() as u64));
        return builder
            .body(Body::from(all))
            .unwrap_or_else(|_| apim_error(StatusCode::INTERNAL_SERVER_ERROR, "build"));
    }
    builder
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| apim_error(StatusCode::INTERNAL_SERVER_ERROR, "build"))
}

type ByteStream = futures_util::stream::BoxStream<'static, Result<Bytes, std::io::Error>>;

/// The backend token APIM's OBO exchange yields: `aud` the MCP API app, the client's `oid`.
fn obo_token(state: &SimState, client_claims: Option<&Value>) -> String {
    let mut b = super::tokens::backend_token(state);
    if let Some(oid) = client_claims
        .and_then(|c| c.get("oid"))
        .and_then(Value::as_str)
    {
        b = b.claim("oid", oid);
    }
    b.sign()
}

/// The shapes an operation written for the 2025 handshake matches: `initialize`,
/// notifications, and requests that carry no 2026-07-28 signal.
fn is_2025_shape(headers: &axum::http::HeaderMap, msg: &Value) -> bool {
    let method = msg.get("method").and_then(Value::as_str).unwrap_or("");
    let modern_header = headers
        .get("mcp-protocol-version")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v >= "2026-07-28");
    let modern_meta = msg
        .pointer("/params/_meta/io.modelcontextprotocol~1protocolVersion")
        .is_some();
    method != "server/discover" && !modern_header && !modern_meta
}

/// An event-stream head and then a `:` comment every second, never the response (a server
/// or middlebox that keeps the exchange open with keep-alives).
fn comments_forever() -> ByteStream {
    futures_util::stream::unfold(0u64, |n| async move {
        if n > 0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Some((Ok(Bytes::from_static(b": keep-alive\n\n")), n + 1))
    })
    .boxed()
}

/// The first `n` bytes of a stream, then its end (APIM's payload-logging cut).
fn take_bytes(
    s: ByteStream,
    n: usize,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold((s, n), |(mut s, left)| async move {
        if left == 0 {
            return None;
        }
        match s.next().await {
            Some(Ok(b)) => {
                let b = if b.len() > left { b.slice(..left) } else { b };
                let left = left - b.len();
                Some((Ok(b), (s, left)))
            }
            Some(Err(e)) => Some((Err(e), (s, 0))),
            None => None,
        }
    })
}

/// `n` bytes, then silence for a minute (the client's idle deadline fires first).
fn stall_after(
    s: ByteStream,
    n: usize,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    take_bytes(s, n).chain(futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_secs(60)).await;
        Ok(Bytes::new())
    }))
}

/// `n` bytes, then a broken connection.
fn reset_after(
    s: ByteStream,
    n: usize,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    take_bytes(s, n).chain(futures_util::stream::once(async {
        // Let the bytes before the break reach the client first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset by the simulated gateway",
        ))
    }))
}

/// About `total` bytes of valid `notifications/message` events, in 64 KiB chunks made once.
fn generated_events(total: u64) -> ByteStream {
    let event = format!(
        "data: \
            {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{{\"level\":\"info\",\"data\":\"{}\"}}}}\n\n",
        "x".repeat(900)
    );
    let mut chunk = String::new();
    while chunk.len() + event.len() <= 64 * 1024 {
        chunk.push_str(&event);
    }
    let chunk = Bytes::from(chunk);
    let count = total.div_ceil(chunk.len() as u64);
    futures_util::stream::iter((0..count).map(move |_| Ok::<_, std::io::Error>(chunk.clone())))
        .boxed()
}

/// One `data:` line of `total` bytes (then the blank line), in 64 KiB chunks.
fn generated_line(total: u64) -> ByteStream {
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    let count = total.div_ceil(chunk.len() as u64);
    futures_util::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(b"data: ")) })
        .chain(futures_util::stream::iter(
            (0..count).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
        ))
        .chain(futures_util::stream::once(async {
            Ok::<_, std::io::Error>(Bytes::from_static(b"\n\n"))
        }))
        .boxed()
}
