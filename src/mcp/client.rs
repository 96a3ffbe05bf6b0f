//! A Streamable HTTP MCP client written for diagnosis: every byte goes through
//! [`crate::http`] and is looked at, nothing is hidden behind an SDK.
//!
//! The conversation is the one a client has with Context7 through the gateway (MCP spec
//! 2025-11-25, Transports): `initialize` → `notifications/initialized` (202) → `tools/list`
//! → `tools/call` (`resolve-library-id` by default, the guides' own verification) → an
//! optional `query-docs`, then a `GET` on the MCP URL (405 expected). `Mcp-Session-Id` is
//! echoed when given and never required (Context7 4.x is stateless); `MCP-Protocol-Version`
//! is sent after `initialize`. A server of the 2026-07-28 revision (no `initialize`) is
//! recognised and spoken to with `server/discover` and per-request `_meta`.
//!
//! Every response may be JSON or an event stream; streams are read chunk by chunk with an
//! idle deadline (`--timeout`), an overall deadline and a size cap, and parsed by
//! [`super::sse::SseIntegrity`]. Each step yields checks; each HTTP exchange becomes a row of
//! the conversation table.

use crate::mcp::codes;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use url::Url;

use super::classify::{self, Cause, Step};
use super::sse::{ProblemKind, SseIntegrity, SseOutcome, TruncationKind, is_round_size};
use crate::http::{Http, NetError, NetErrorKind, Request, status_text};
use crate::report::Check;
use crate::report::redact::{self, Secret};

/// The revision without `initialize`.
pub const REVISION_2026: &str = "2026-07-28";

/// How long to keep reading a stream after the response arrived (servers should close it).
const AFTER_RESPONSE_GRACE: Duration = Duration::from_millis(500);

/// What to send and where.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// The MCP URL.
    pub url: Url,
    /// Check id prefix (`probe`, `probe.direct`).
    pub prefix: String,
    /// Who is being spoken to, for details ("the gateway", "Context7 directly").
    pub peer: String,
    pub protocol_version: String,
    pub tool: String,
    pub tool_args: Value,
    pub query_docs: bool,
    /// Largest body read per response.
    pub stream_cap: u64,
    /// Largest single event kept.
    pub max_event_bytes: usize,
    /// No byte for this long: stalled.
    pub idle: Duration,
    /// A whole response must arrive within this.
    pub total: Duration,
    /// The gateway's URL, to tell its challenge from an upstream one (`None`: talking to
    /// Context7 directly).
    pub gateway: Option<Url>,
}

/// The credential sent.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Bearer(Secret),
    /// An API key sent as `Authorization: Bearer` (Context7's first key header).
    ApiKey(Secret),
}

/// One HTTP exchange, as shown in the conversation table (nothing secret in it).
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: String,
    pub status: String,
    pub content_type: String,
    pub bytes: String,
    pub events: String,
    pub time_ms: String,
    pub note: String,
}

/// The result of a conversation.
#[derive(Debug, Default)]
pub struct Conversation {
    pub checks: Vec<Check>,
    pub exchanges: Vec<Exchange>,
    /// The tool call answered with a usable result.
    pub tool_ok: bool,
    /// The first failure's code.
    pub first_failure: Option<crate::findings::Code>,
    /// `serverInfo.name` and the negotiated version.
    pub server_name: Option<String>,
    pub negotiated_version: Option<String>,
    pub session: bool,
}

impl Conversation {
    fn push(&mut self, check: Check) {
        if check.is_failure() && self.first_failure.is_none() {
            self.first_failure = check.code;
        }
        self.checks.push(check);
    }
}

/// How a body read ended.
#[derive(Debug, Clone)]
enum End {
    Eof,
    /// No byte within the idle deadline.
    Stalled(Duration),
    /// The overall deadline passed while bytes still trickled in.
    Deadline(Duration),
    /// The connection broke (reset, closed mid-body).
    Broken(NetError),
    /// The size cap was reached.
    Cap,
    /// We stopped reading shortly after the response arrived; the server kept the stream open.
    LeftOpen,
}

#[derive(Debug)]
enum Body {
    Empty,
    Json(Result<Value, String>),
    Sse(Box<SseOutcome>),
    /// Another content type: the first bytes, for classification.
    Other(Vec<u8>),
}

/// One response, read.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: HeaderMap,
    content_type: String,
    /// Bytes received on the wire.
    wire_bytes: u64,
    /// The first bytes of the body (for classification of errors), at most 64 KiB.
    head: Vec<u8>,
    body: Body,
    end: End,
    elapsed: Duration,
    encoding: Option<String>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
    fn is_sse(&self) -> bool {
        matches!(self.body, Body::Sse(_))
    }
    /// The JSON-RPC response to our request, if it arrived whole.
    fn message(&self) -> Option<&Value> {
        match &self.body {
            Body::Json(Ok(v)) => Some(v),
            Body::Sse(o) => o.response.as_ref(),
            _ => None,
        }
    }
}

/// Where decoded body bytes go.
enum Sink {
    Sse(Box<SseIntegrity>),
    Json(Vec<u8>, bool),
    Other(Vec<u8>),
}

impl Sink {
    fn feed(&mut self, bytes: &[u8], at: Duration, cap: usize) {
        match self {
            Sink::Sse(p) => p.feed(bytes, at),
            Sink::Json(buf, over) => {
                let room = cap.saturating_sub(buf.len());
                if bytes.len() > room {
                    *over = true;
                }
                buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
            Sink::Other(buf) => {
                let room = cap.saturating_sub(buf.len());
                buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
        }
    }
}

/// A `Write` that feeds decompressed bytes into the sink (gzip/deflate on an event
/// stream): memory stays bounded because flate2 writes in small pieces.
struct DecodedSink {
    sink: Sink,
    at: Duration,
    cap: usize,
    decoded: u64,
    limit: u64,
}

impl Write for DecodedSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.decoded += buf.len() as u64;
        if self.decoded > self.limit {
            return Err(std::io::Error::other("decoded body over the cap"));
        }
        self.sink.feed(buf, self.at, self.cap);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Decoder {
    Identity(Sink),
    Gzip(Box<flate2::write::GzDecoder<DecodedSink>>),
    Deflate(Box<flate2::write::ZlibDecoder<DecodedSink>>),
}

impl Decoder {
    /// Decode and parse one chunk; `false` when the decoded body went over the cap or the
    /// compressed data is broken.
    fn feed(&mut self, bytes: &[u8], at: Duration, sink_cap: usize) -> bool {
        match self {
            Decoder::Identity(s) => {
                s.feed(bytes, at, sink_cap);
                true
            }
            Decoder::Gzip(d) => {
                d.get_mut().at = at;
                d.write_all(bytes).is_ok()
            }
            Decoder::Deflate(d) => {
                d.get_mut().at = at;
                d.write_all(bytes).is_ok()
            }
        }
    }

    fn sink(&self) -> &Sink {
        match self {
            Decoder::Identity(s) => s,
            Decoder::Gzip(d) => &d.get_ref().sink,
            Decoder::Deflate(d) => &d.get_ref().sink,
        }
    }

    fn has_response(&self) -> bool {
        matches!(self.sink(), Sink::Sse(p) if p.has_response())
    }

    fn into_sink(self) -> Sink {
        match self {
            Decoder::Identity(s) => s,
            // A stream cut mid-way fails to finish: keep what was decoded anyway.
            Decoder::Gzip(mut d) => {
                let _ = d.try_finish();
                std::mem::replace(&mut d.get_mut().sink, Sink::Other(Vec::new()))
            }
            Decoder::Deflate(mut d) => {
                let _ = d.try_finish();
                std::mem::replace(&mut d.get_mut().sink, Sink::Other(Vec::new()))
            }
        }
    }
}

/// Batches waiting for the parser thread: bounded, so memory stays bounded when the
/// network is faster than the parser.
const PIPE_DEPTH: usize = 8;

/// Chunks are handed to the parser thread in batches of about this size: one wake-up per
/// batch instead of one per socket read.
const BATCH_BYTES: usize = 256 * 1024;

type Batch = Vec<(bytes::Bytes, Duration)>;

/// Where chunks go: parsed inline (small bodies), or on a blocking thread while the next
/// chunks arrive, so parsing a large event stream overlaps the network instead of adding to it.
enum Feeder {
    Inline(Decoder),
    Piped {
        tx: tokio::sync::mpsc::Sender<Batch>,
        worker: tokio::task::JoinHandle<Decoder>,
        batch: Batch,
        batch_bytes: usize,
        seen: Arc<AtomicBool>,
        failed: Arc<AtomicBool>,
    },
}

impl Feeder {
    fn new(decoder: Decoder, sink_cap: usize) -> Feeder {
        if !matches!(decoder.sink(), Sink::Sse(_)) {
            return Feeder::Inline(decoder);
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(PIPE_DEPTH);
        let seen = Arc::new(AtomicBool::new(false));
        let failed = Arc::new(AtomicBool::new(false));
        let (seen2, failed2) = (seen.clone(), failed.clone());
        let worker = tokio::task::spawn_blocking(move || {
            let mut decoder = decoder;
            'outer: while let Some(batch) = rx.blocking_recv() {
                for (chunk, at) in batch {
                    if !decoder.feed(&chunk, at, sink_cap) {
                        failed2.store(true, Ordering::Relaxed);
                        break 'outer;
                    }
                }
                if decoder.has_response() {
                    seen2.store(true, Ordering::Relaxed);
                }
            }
            decoder
        });
        Feeder::Piped {
            tx,
            worker,
            batch: Vec::new(),
            batch_bytes: 0,
            seen,
            failed,
        }
    }

    /// Hand over a chunk; `false` when the body can no longer be taken (over the cap).
    async fn feed(&mut self, chunk: bytes::Bytes, at: Duration, sink_cap: usize) -> bool {
        match self {
            Feeder::Inline(d) => d.feed(&chunk, at, sink_cap),
            Feeder::Piped {
                batch,
                batch_bytes,
                failed,
                ..
            } => {
                *batch_bytes += chunk.len();
                batch.push((chunk, at));
                if *batch_bytes >= BATCH_BYTES {
                    return self.flush().await;
                }
                !failed.load(Ordering::Relaxed)
            }
        }
    }

    /// Send what is batched (when the network has nothing more right now).
    async fn flush(&mut self) -> bool {
        match self {
            Feeder::Inline(_) => true,
            Feeder::Piped {
                tx,
                batch,
                batch_bytes,
                failed,
                ..
            } => {
                if !batch.is_empty() {
                    *batch_bytes = 0;
                    if tx.send(std::mem::take(batch)).await.is_err() {
                        return false;
                    }
                }
                !failed.load(Ordering::Relaxed)
            }
        }
    }

    fn has_response(&self) -> bool {
        match self {
            Feeder::Inline(d) => d.has_response(),
            Feeder::Piped { seen, .. } => seen.load(Ordering::Relaxed),
        }
    }

    fn is_other(&self) -> bool {
        matches!(self, Feeder::Inline(d) if matches!(d.sink(), Sink::Other(_)))
    }

    /// Wait for the parser to finish what it was given.
    async fn into_sink(self) -> Sink {
        match self {
            Feeder::Inline(d) => d.into_sink(),
            Feeder::Piped {
                tx, worker, batch, ..
            } => {
                if !batch.is_empty() {
                    let _ = tx.send(batch).await;
                }
                drop(tx);
                match worker.await {
                    Ok(d) => d.into_sink(),
                    Err(_) => Sink::Other(Vec::new()),
                }
            }
        }
    }
}

/// The client for one conversation.
pub struct Client<'a> {
    http: &'a Http,
    cfg: &'a ProbeConfig,
    auth: &'a Auth,
    session: Option<String>,
    /// The version for `MCP-Protocol-Version` after initialize.
    version: Option<String>,
    /// 2026-07-28 mode: no initialize, `_meta` on every request.
    modern: bool,
    /// The credential got an answer before (for "accepted, then refused").
    accepted: bool,
    /// An upstream challenge seen on initialize, reported after the initialize check.
    pending_challenge: Option<Check>,
    conv: Conversation,
}

impl<'a> Client<'a> {
    pub fn new(http: &'a Http, cfg: &'a ProbeConfig, auth: &'a Auth) -> Self {
        Client {
            http,
            cfg,
            auth,
            session: None,
            version: None,
            modern: false,
            accepted: false,
            pending_challenge: None,
            conv: Conversation::default(),
        }
    }

    fn id(&self, step: &str) -> String {
        format!("{}.{step}", self.cfg.prefix)
    }

    /// Build a POST with the MCP headers.
    fn post(&self, body: &Value, method: &str, name: Option<&str>) -> Request {
        let mut req = Request::post_json(self.cfg.url.clone(), body)
            .header("accept", "application/json, text/event-stream")
            .cap(self.cfg.stream_cap.min(usize::MAX as u64) as usize)
            .timeout(self.cfg.idle);
        if let Some(s) = &self.session {
            req = req.header("mcp-session-id", s);
        }
        if let Some(v) = &self.version {
            req = req.header("mcp-protocol-version", v);
        }
        if self.modern {
            req = req.header("mcp-method", method);
            if let Some(n) = name {
                req = req.header("mcp-name", n);
            }
        }
        self.authorize(req)
    }

    fn authorize(&self, req: Request) -> Request {
        match self.auth {
            Auth::None => req,
            Auth::Bearer(t) | Auth::ApiKey(t) => req.bearer(t),
        }
    }

    /// Send one request and read its body, whatever its type, within every limit.
    async fn exchange(&self, req: Request, expected_id: Value) -> Result<Reply, NetError> {
        let start = Instant::now();
        let mut resp = self.http.open(req).await?;
        let status = resp.status;
        let headers = resp.headers.clone();
        let content_type = resp
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let encoding = resp
            .header("content-encoding")
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty() && e != "identity");
        let event_stream = content_type.starts_with("text/event-stream");
        let json_type = content_type.starts_with("application/json")
            || (content_type.starts_with("application/") && content_type.contains("+json"));
        let small_cap = 64 * 1024;
        let max_event = self.cfg.max_event_bytes;
        let sink = if event_stream && (200..300).contains(&status) {
            Sink::Sse(Box::new(SseIntegrity::new(expected_id, max_event)))
        } else if json_type && (200..300).contains(&status) {
            Sink::Json(Vec::new(), false)
        } else {
            Sink::Other(Vec::new())
        };
        let sink_cap = match &sink {
            Sink::Json(..) => max_event,
            _ => small_cap,
        };
        let limit = self.cfg.stream_cap;
        let decoder = match encoding.as_deref() {
            Some("gzip") | Some("x-gzip") => {
                Decoder::Gzip(Box::new(flate2::write::GzDecoder::new(DecodedSink {
                    sink,
                    at: Duration::ZERO,
                    cap: sink_cap,
                    decoded: 0,
                    limit,
                })))
            }
            Some("deflate") => {
                Decoder::Deflate(Box::new(flate2::write::ZlibDecoder::new(DecodedSink {
                    sink,
                    at: Duration::ZERO,
                    cap: sink_cap,
                    decoded: 0,
                    limit,
                })))
            }
            _ => Decoder::Identity(sink),
        };
        let mut feeder = Feeder::new(decoder, sink_cap);
        let mut head = Vec::new();
        let mut wire: u64 = 0;
        let mut response_seen_at: Option<Instant> = None;
        let end = loop {
            let elapsed = start.elapsed();
            if elapsed >= self.cfg.total {
                break End::Deadline(elapsed);
            }
            let mut idle = self.cfg.idle.min(self.cfg.total - elapsed);
            if response_seen_at.is_none() && feeder.has_response() {
                response_seen_at = Some(Instant::now());
            }
            if let Some(t) = response_seen_at {
                let since = t.elapsed();
                if since >= AFTER_RESPONSE_GRACE {
                    break End::LeftOpen;
                }
                idle = idle.min(AFTER_RESPONSE_GRACE - since);
            }
            // Take what the network has ready; before waiting, let the parser have the batch.
            let next = match resp.next_chunk(Duration::ZERO).await {
                Err(e) if e.kind == NetErrorKind::Timeout => {
                    if !feeder.flush().await {
                        break End::Cap;
                    }
                    resp.next_chunk(idle).await
                }
                other => other,
            };
            match next {
                Ok(None) => break End::Eof,
                Ok(Some(chunk)) => {
                    let at = start.elapsed();
                    wire += chunk.len() as u64;
                    if head.len() < small_cap {
                        let room = small_cap - head.len();
                        head.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    }
                    let over = wire > limit;
                    let usable = if over {
                        chunk.slice(..chunk.len() - (wire - limit) as usize)
                    } else {
                        chunk
                    };
                    if !feeder.feed(usable, at, sink_cap).await || over {
                        break End::Cap;
                    }
                    // An error page or other body: its first 64 KiB are all that is looked at.
                    if feeder.is_other() && head.len() >= small_cap {
                        break End::Eof;
                    }
                }
                Err(e) if e.kind == NetErrorKind::Timeout => {
                    if response_seen_at.is_some() || feeder.has_response() {
                        break End::LeftOpen;
                    }
                    break End::Stalled(start.elapsed());
                }
                Err(e) => break End::Broken(e),
            }
        };
        let elapsed = start.elapsed();
        let sink = feeder.into_sink().await;
        let mut end = end;
        let body = match sink {
            Sink::Sse(p) => {
                let outcome = p.finish(elapsed);
                // The parser may have found the response after the reader gave up waiting.
                if outcome.response.is_some() && matches!(end, End::Stalled(_)) {
                    end = End::LeftOpen;
                }
                Body::Sse(Box::new(outcome))
            }
            Sink::Json(buf, over) => {
                if buf.is_empty() {
                    Body::Empty
                } else if over {
                    Body::Json(Err(format!(
                        "the JSON body is larger than the {max_event} byte cap"
                    )))
                } else {
                    Body::Json(serde_json::from_slice(&buf).map_err(|e| {
                        if e.is_eof() {
                            format!("the JSON body is cut short after {} bytes ({e})", buf.len())
                        } else {
                            format!("the body is not JSON ({e})")
                        }
                    }))
                }
            }
            Sink::Other(buf) if buf.is_empty() => Body::Empty,
            Sink::Other(buf) => Body::Other(buf),
        };
        Ok(Reply {
            status,
            headers,
            content_type,
            wire_bytes: wire,
            head,
            body,
            end,
            elapsed,
            encoding,
        })
    }

    /// Record one exchange in the conversation table.
    fn record(&mut self, request: &str, reply: Result<&Reply, &NetError>, note: &str) {
        let row = match reply {
            Ok(r) => {
                let events = match &r.body {
                    Body::Sse(o) => o.events.to_string(),
                    _ => "–".into(),
                };
                Exchange {
                    request: request.to_string(),
                    status: status_text(r.status),
                    content_type: if r.content_type.is_empty() {
                        "–".into()
                    } else {
                        let mut ct = r.content_type.clone();
                        if let Some(e) = &r.encoding {
                            ct.push_str(&format!(" ({e})"));
                        }
                        ct
                    },
                    bytes: r.wire_bytes.to_string(),
                    events,
                    time_ms: r.elapsed.as_millis().to_string(),
                    note: note.to_string(),
                }
            }
            Err(e) => Exchange {
                request: request.to_string(),
                status: format!("no answer ({})", e.kind.as_str()),
                content_type: "–".into(),
                bytes: "0".into(),
                events: "–".into(),
                time_ms: e.elapsed.as_millis().to_string(),
                note: note.to_string(),
            },
        };
        self.conv.exchanges.push(row);
    }

    /// Run the whole conversation.
    pub async fn run(mut self) -> Conversation {
        let ok = self.initialize().await;
        if let Some(c) = self.pending_challenge.take() {
            self.conv.push(c);
        }
        if !ok {
            return self.conv;
        }
        if !self.modern && !self.initialized().await {
            return self.conv;
        }
        if !self.tools_list().await {
            return self.conv;
        }
        let text = self.tools_call().await;
        if self.cfg.query_docs {
            match text {
                Some(t) => self.query_docs(&t).await,
                None => self.conv.push(
                    Check::new(
                        self.id("query-docs"),
                        "query-docs answers with documentation",
                    )
                    .skip(
                        crate::report::codes::PREREQUISITE_FAILED,
                        "not run: the first tool call gave no usable answer",
                    ),
                ),
            }
        }
        self.get_check().await;
        self.conv
    }

    fn request_body(&self, id: i64, method: &str, params: Value) -> Value {
        let mut params = params;
        if self.modern
            && let Some(obj) = params.as_object_mut()
        {
            obj.insert("_meta".into(), modern_meta());
        }
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
    }

    /// `initialize` (or, for a 2026-07-28 server, `server/discover`). False when the
    /// conversation cannot go on.
    async fn initialize(&mut self) -> bool {
        let id = self.id("initialize");
        let title = "initialize: the MCP server answers through the gateway";
        let body = json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {
                "protocolVersion": self.cfg.protocol_version,
                "capabilities": {},
                "clientInfo": {"name": "c7doctor", "version": env!("CARGO_PKG_VERSION")}
            }
        });
        let req = self.post(&body, "initialize", None);
        let reply = match self.exchange(req, json!(1)).await {
            Ok(r) => r,
            Err(e) => {
                self.record("POST initialize", Err(&e), "");
                self.conv.push(e.to_check(&id, title));
                return false;
            }
        };
        self.record("POST initialize", Ok(&reply), "");
        self.challenge_check(&reply);
        match self.judge(Step::Initialize, &id, title, &reply) {
            Judged::Result(result) => {
                self.accepted = true;
                let session = reply
                    .header("mcp-session-id")
                    .filter(|s| !s.trim().is_empty());
                if let Some(s) = &session {
                    redact::register_secret(s);
                }
                self.conv.session = session.is_some();
                self.session = session;
                let negotiated = result
                    .get("protocolVersion")
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
                let server = result
                    .pointer("/serverInfo/name")
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
                let server_version = result
                    .pointer("/serverInfo/version")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?");
                let has_tools = result.pointer("/capabilities/tools").is_some();
                self.version = Some(
                    negotiated
                        .clone()
                        .unwrap_or_else(|| self.cfg.protocol_version.clone()),
                );
                self.conv.server_name = server.clone();
                self.conv.negotiated_version = self.version.clone();
                let mut c = Check::new(id, title)
                    .pass(format!(
                        "{} {} answered initialize with protocol {}{}{}",
                        server.as_deref().unwrap_or("an unnamed server"),
                        server_version,
                        self.version.as_deref().unwrap_or("?"),
                        if self.session.is_some() {
                            ", session id given (echoed on every request)"
                        } else {
                            ", no session (stateless, as Context7 4.x)"
                        },
                        if has_tools {
                            ""
                        } else {
                            "; it declares no tools capability"
                        }
                    ))
                    .evidence("status", reply.status)
                    .evidence("content_type", reply.content_type.clone())
                    .evidence("offered_version", self.cfg.protocol_version.clone())
                    .evidence("session", self.session.is_some())
                    .duration(reply.elapsed);
                if let Some(v) = &negotiated {
                    c = c.evidence("negotiated_version", v.clone());
                }
                if let Some(s) = &server {
                    c = c.evidence("server", s.clone());
                }
                self.conv.push(c);
                self.stream_checks("initialize", &reply);
                true
            }
            Judged::Cause(Cause::Revision2026 { supported }) => {
                self.stream_checks("initialize", &reply);
                self.conv.push(
                    Check::new(id, title)
                        .info(
                            codes::PROTOCOL_2026,
                            format!(
                                "{} has no initialize: it speaks the {REVISION_2026} revision \
                                    (supported: {}); continuing with server/discover and \
                                    per-request metadata",
                                self.cfg.peer,
                                if supported.is_empty() {
                                    "not stated".into()
                                } else {
                                    supported.join(", ")
                                }
                            ),
                        )
                        .evidence("status", reply.status)
                        .duration(reply.elapsed),
                );
                self.discover().await
            }
            Judged::Cause(cause) => {
                self.stream_checks("initialize", &reply);
                let c = self.cause_check(Step::Initialize, &id, title, &reply, &cause);
                self.conv.push(c);
                false
            }
            Judged::Stream => {
                self.stream_checks("initialize", &reply);
                self.conv.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no initialize response arrived: the stream broke (see the stream check)",
                ));
                false
            }
            Judged::Failed(c) => {
                self.stream_checks("initialize", &reply);
                self.conv.push(*c);
                false
            }
        }
    }

    /// 2026-07-28: `server/discover` with per-request metadata.
    async fn discover(&mut self) -> bool {
        self.modern = true;
        self.version = Some(REVISION_2026.into());
        let id = self.id("discover");
        let title = "server/discover: the 2026-07-28 server describes itself";
        let body = self.request_body(1, "server/discover", json!({}));
        let req = self.post(&body, "server/discover", None);
        let reply = match self.exchange(req, json!(1)).await {
            Ok(r) => r,
            Err(e) => {
                self.record("POST server/discover", Err(&e), "");
                self.conv.push(e.to_check(&id, title));
                return false;
            }
        };
        self.record("POST server/discover", Ok(&reply), "2026-07-28");
        match self.judge(Step::Initialize, &id, title, &reply) {
            Judged::Result(result) => {
                self.accepted = true;
                let versions: Vec<String> = result
                    .get("supportedVersions")
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                let server = result
                    .pointer("/_meta/io.modelcontextprotocol~1serverInfo/name")
                    .and_then(|v| v.as_str())
                    .map(String::from);
                self.conv.server_name = server.clone();
                self.conv.negotiated_version = Some(REVISION_2026.into());
                self.conv.push(
                    Check::new(id, title)
                        .pass(format!(
                            "{} answered server/discover (versions {})",
                            server.as_deref().unwrap_or("the server"),
                            versions.join(", ")
                        ))
                        .evidence("supported_versions", versions)
                        .duration(reply.elapsed),
                );
                self.stream_checks("discover", &reply);
                true
            }
            Judged::Cause(cause) => {
                self.stream_checks("discover", &reply);
                let c = self.cause_check(Step::Initialize, &id, title, &reply, &cause);
                self.conv.push(c);
                false
            }
            Judged::Stream => {
                self.stream_checks("discover", &reply);
                self.conv.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no server/discover response arrived: the stream broke (see the stream check)",
                ));
                false
            }
            Judged::Failed(c) => {
                self.stream_checks("discover", &reply);
                self.conv.push(*c);
                false
            }
        }
    }

    /// `notifications/initialized`: 202 expected.
    async fn initialized(&mut self) -> bool {
        let id = self.id("initialized");
        let title = "notifications/initialized is accepted (202)";
        let body = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let req = self.post(&body, "notifications/initialized", None);
        let reply = match self.exchange(req, Value::Null).await {
            Ok(r) => r,
            Err(e) => {
                self.record("POST notifications/initialized", Err(&e), "");
                self.conv.push(e.to_check(&id, title));
                return false;
            }
        };
        self.record("POST notifications/initialized", Ok(&reply), "");
        let check = Check::new(id.clone(), title)
            .evidence("status", reply.status)
            .duration(reply.elapsed);
        match reply.status {
            202 => {
                self.conv.push(check.pass("202 Accepted"));
                true
            }
            200..=299 => {
                self.conv.push(check.info(
                    codes::INITIALIZE_FAILED,
                    format!(
                        "{} instead of 202 Accepted: clients accept it, but the spec \
                            asks for 202 with no body",
                        status_text(reply.status)
                    ),
                ));
                true
            }
            _ => {
                let cause = classify::classify_http(
                    Step::Initialized,
                    reply.status,
                    &reply.headers,
                    &reply.head,
                    self.accepted,
                    self.cfg.gateway.as_ref(),
                );
                let c = self.cause_check(Step::Initialized, &id, title, &reply, &cause);
                self.conv.push(c);
                false
            }
        }
    }

    /// `tools/list`: Context7's tools are there.
    async fn tools_list(&mut self) -> bool {
        let id = self.id("tools-list");
        let title = "tools/list offers resolve-library-id and query-docs";
        let body = self.request_body(2, "tools/list", json!({}));
        let req = self.post(&body, "tools/list", None);
        let reply = match self.exchange(req, json!(2)).await {
            Ok(r) => r,
            Err(e) => {
                self.record("POST tools/list", Err(&e), "");
                self.conv.push(e.to_check(&id, title));
                return false;
            }
        };
        let judged = self.judge(Step::ToolsList, &id, title, &reply);
        let names: Vec<String> = match &judged {
            Judged::Result(r) => r
                .get("tools")
                .and_then(|t| t.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.get("name").and_then(|n| n.as_str()).map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        self.record(
            "POST tools/list",
            Ok(&reply),
            &if names.is_empty() {
                String::new()
            } else {
                format!("{} tools", names.len())
            },
        );
        let ok = match judged {
            Judged::Result(_) => {
                let mut wanted = vec!["resolve-library-id", "query-docs"];
                if !wanted.contains(&self.cfg.tool.as_str()) {
                    wanted.push(self.cfg.tool.as_str());
                }
                let missing: Vec<&str> = wanted
                    .iter()
                    .copied()
                    .filter(|w| !names.iter().any(|n| n == w))
                    .collect();
                let check = Check::new(id, title)
                    .evidence("tools", names.clone())
                    .duration(reply.elapsed);
                if missing.is_empty() {
                    self.conv
                        .push(check.pass(format!("tools: {}", names.join(", "))));
                    true
                } else {
                    let old = names.iter().any(|n| n == "get-library-docs");
                    self.conv.push(check.fail(
                        codes::TOOLS_MISSING,
                        format!(
                            "missing {}; the server offers {}{}",
                            missing.join(", "),
                            if names.is_empty() {
                                "no tools".to_string()
                            } else {
                                names.join(", ")
                            },
                            if old {
                                " (get-library-docs: an old Context7)"
                            } else {
                                ""
                            }
                        ),
                    ));
                    // Go on only if the tool to call is there.
                    names.iter().any(|n| n == &self.cfg.tool)
                }
            }
            Judged::Cause(cause) => {
                let c = self.cause_check(Step::ToolsList, &id, title, &reply, &cause);
                self.conv.push(c);
                false
            }
            Judged::Stream => {
                self.conv.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no tools/list response arrived: the stream broke (see the stream check)",
                ));
                false
            }
            Judged::Failed(c) => {
                self.conv.push(*c);
                false
            }
        };
        self.stream_checks("tools-list", &reply);
        ok
    }

    /// `tools/call` of the chosen tool; the tool's text when usable.
    async fn tools_call(&mut self) -> Option<String> {
        let tool = self.cfg.tool.clone();
        let args = self.cfg.tool_args.clone();
        self.call(3, "tools-call", &tool, args).await
    }

    async fn query_docs(&mut self, resolved: &str) {
        let library = library_id_from(resolved).unwrap_or_else(|| "/vercel/next.js".into());
        let args = json!({"libraryId": library, "query": "How do I set up routing?"});
        self.call(4, "query-docs", "query-docs", args).await;
    }

    async fn call(&mut self, rpc_id: i64, step: &str, tool: &str, args: Value) -> Option<String> {
        let id = self.id(step);
        let title = format!("tools/call {tool} returns a result");
        let body = self.request_body(
            rpc_id,
            "tools/call",
            json!({"name": tool, "arguments": args}),
        );
        let req = self.post(&body, "tools/call", Some(tool));
        let label = format!("POST tools/call {tool}");
        let reply = match self.exchange(req, json!(rpc_id)).await {
            Ok(r) => r,
            Err(e) => {
                self.record(&label, Err(&e), "");
                self.conv.push(e.to_check(&id, &title));
                return None;
            }
        };
        self.record(&label, Ok(&reply), "");
        let judged = self.judge(Step::ToolsCall, &id, &title, &reply);
        let out = match judged {
            Judged::Result(result) => {
                let text = classify::tool_text(&result);
                match classify::classify_tool_result(&result) {
                    Some(cause) => {
                        let c = self.cause_check(Step::ToolsCall, &id, &title, &reply, &cause);
                        self.conv.push(c);
                        None
                    }
                    None => {
                        let expected_start = match tool {
                            "resolve-library-id" => Some("Available Libraries"),
                            _ => None,
                        };
                        let first_line: String = text
                            .lines()
                            .next()
                            .unwrap_or("")
                            .chars()
                            .take(120)
                            .collect();
                        let mut check = Check::new(id, title)
                            .evidence("text_bytes", text.len())
                            .evidence("first_line", first_line.clone())
                            .duration(reply.elapsed);
                        check = match expected_start {
                            Some(s) if !text.trim_start().starts_with(s) => check.info(
                                codes::TOOL_ERROR,
                                format!(
                                    "answered ({} bytes of text), but not with {s:?} as Context7 \
                                        does: {first_line:?}",
                                    text.len()
                                ),
                            ),
                            _ => {
                                check.pass(format!("{} bytes of text: {first_line:?}", text.len()))
                            }
                        };
                        self.conv.tool_ok = true;
                        self.conv.push(check);
                        Some(text)
                    }
                }
            }
            Judged::Cause(cause) => {
                let c = self.cause_check(Step::ToolsCall, &id, &title, &reply, &cause);
                self.conv.push(c);
                None
            }
            Judged::Stream => {
                self.conv.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no tools/call response arrived: the stream broke (see the stream check)",
                ));
                None
            }
            Judged::Failed(c) => {
                self.conv.push(*c);
                None
            }
        };
        self.stream_checks(step, &reply);
        out
    }

    /// `GET` on the MCP URL: 405 expected (no server-initiated stream); APIM's 404 is a note.
    async fn get_check(&mut self) {
        let id = self.id("get");
        let title = "GET on the MCP URL answers 405 (no standalone stream)";
        let req = self
            .authorize(Request::get(self.cfg.url.clone()))
            .header("accept", "text/event-stream")
            .timeout(self.cfg.idle);
        let req = match (&self.session, &self.version) {
            (Some(s), Some(v)) => req
                .header("mcp-session-id", s)
                .header("mcp-protocol-version", v),
            (None, Some(v)) => req.header("mcp-protocol-version", v),
            _ => req,
        };
        // Only the head matters: a server offering the stream would keep it open.
        let resp = match self.http.open(req).await {
            Ok(r) => r,
            Err(e) => {
                self.conv.exchanges.push(Exchange {
                    request: "GET".into(),
                    status: format!("no answer ({})", e.kind.as_str()),
                    content_type: "–".into(),
                    bytes: "0".into(),
                    events: "–".into(),
                    time_ms: e.elapsed.as_millis().to_string(),
                    note: String::new(),
                });
                self.conv.push(
                    Check::new(id, title)
                        .info(codes::GET_404, format!("GET got no answer: {}", e.detail))
                        .evidence("failure", e.kind.as_str()),
                );
                return;
            }
        };
        let ct = resp.header("content-type").unwrap_or_default();
        self.conv.exchanges.push(Exchange {
            request: "GET".into(),
            status: status_text(resp.status),
            content_type: if ct.is_empty() {
                "–".into()
            } else {
                ct.clone()
            },
            bytes: "–".into(),
            events: "–".into(),
            time_ms: resp.head_elapsed.as_millis().to_string(),
            note: "head only".into(),
        });
        let check = Check::new(id, title)
            .evidence("status", resp.status)
            .duration(resp.head_elapsed);
        let check = match resp.status {
            405 => check.pass(
                "405 Method Not Allowed: the server offers no GET stream (as \
                Context7 4.x)",
            ),
            404 => check.info(
                codes::GET_404,
                "404: the gateway has no GET operation for the MCP URL (APIM \
                    answers a method without an operation with 404); clients \
                    treat it like 405",
            ),
            200..=299 if ct.to_ascii_lowercase().starts_with("text/event-stream") => {
                check.pass("the server offers a GET event stream for server-initiated messages")
            }
            s => check.info(
                codes::GET_404,
                format!(
                    "{}: neither 405 nor an event stream; clients that open the \
                    GET stream may log an error",
                    status_text(s)
                ),
            ),
        };
        drop(resp);
        self.conv.push(check);
    }

    /// Decide what a reply to a request means.
    fn judge(&self, step: Step, id: &str, title: &str, reply: &Reply) -> Judged {
        let accepted = self.accepted;
        let gw = self.cfg.gateway.as_ref();
        if !(200..300).contains(&reply.status) {
            return Judged::Cause(classify::classify_http(
                step,
                reply.status,
                &reply.headers,
                &reply.head,
                accepted,
                gw,
            ));
        }
        match &reply.body {
            Body::Sse(o) if o.response.is_none() => Judged::Stream,
            Body::Json(Err(e)) => {
                if matches!(reply.end, End::Eof | End::LeftOpen) && !e.contains("cut short") {
                    Judged::Failed(Box::new(
                        Check::new(id, title)
                            .fail(
                                step.generic_code(),
                                format!("{} {e}", status_text(reply.status)),
                            )
                            .evidence("status", reply.status)
                            .evidence("body", preview_bytes(&reply.head)),
                    ))
                } else {
                    Judged::Stream
                }
            }
            Body::Empty => Judged::Failed(Box::new(
                Check::new(id, title)
                    .fail(
                        step.generic_code(),
                        format!(
                            "{} with an empty body: no JSON-RPC response",
                            status_text(reply.status)
                        ),
                    )
                    .evidence("status", reply.status)
                    .evidence("content_type", reply.content_type.clone()),
            )),
            Body::Other(bytes) => Judged::Failed(Box::new(
                Check::new(id, title)
                    .fail(
                        codes::SSE_CONTENT_TYPE,
                        format!(
                            "{} with Content-Type {:?}: neither application/json nor \
                                text/event-stream",
                            status_text(reply.status),
                            if reply.content_type.is_empty() {
                                "none"
                            } else {
                                &reply.content_type
                            }
                        ),
                    )
                    .evidence("status", reply.status)
                    .evidence("body", preview_bytes(bytes)),
            )),
            _ => {
                let Some(msg) = reply.message() else {
                    return Judged::Stream;
                };
                if let Some((code, message, data)) = classify::jsonrpc_error(msg) {
                    return Judged::Cause(classify::classify_rpc_error(
                        step,
                        reply.status,
                        code,
                        &message,
                        data.as_ref(),
                        accepted,
                    ));
                }
                match msg.get("result") {
                    Some(r) => Judged::Result(r.clone()),
                    None => Judged::Failed(Box::new(
                        Check::new(id, title)
                            .fail(
                                step.generic_code(),
                                "a JSON-RPC message without result or error",
                            )
                            .evidence("status", reply.status),
                    )),
                }
            }
        }
    }

    /// The check for a classified failure.
    fn cause_check(
        &self,
        step: Step,
        id: &str,
        title: &str,
        reply: &Reply,
        cause: &Cause,
    ) -> Check {
        let code = cause.code(step);
        let mut check = Check::new(id, title)
            .fail(code, cause.describe())
            .evidence("status", reply.status)
            .evidence("peer", self.cfg.peer.clone())
            .duration(reply.elapsed);
        if !reply.head.is_empty() && !(200..300).contains(&reply.status) {
            check = check.evidence("body", preview_bytes(&reply.head));
        }
        if let Some(www) = reply.header("www-authenticate") {
            check = check.evidence("www_authenticate", www);
        }
        if let Some(fix) = cause.specific_fix() {
            check = check.fix(fix);
        }
        if let Cause::ApiKeyRejected { .. } = cause
            && matches!(self.auth, Auth::ApiKey(_))
        {
            check = check.fix(
                "Context7 refuses this key itself: generate a fresh key at \
                    context7.com/dashboard › API Keys, then update the APIM named \
                    value context7-api-key with it.",
            );
        }
        check
    }

    /// A backend `WWW-Authenticate` naming Context7's own metadata, seen through the gateway.
    fn challenge_check(&mut self, reply: &Reply) {
        if self.cfg.gateway.is_none() {
            return;
        }
        if let Some(url) = classify::upstream_challenge(&reply.headers, self.cfg.gateway.as_ref()) {
            self.pending_challenge = Some(
                Check::new(
                    self.id("challenge"),
                    "The gateway does not pass Context7's own WWW-Authenticate \
                    through",
                )
                .fail(
                    crate::discovery::codes::CHALLENGE_UPSTREAM,
                    format!(
                        "the MCP response carries WWW-Authenticate with \
                                resource_metadata {url}: Context7's own metadata leaks \
                                through the gateway, and clients that follow it go to \
                                Context7's authorization server instead of Entra"
                    ),
                )
                .evidence("resource_metadata", url)
                .evidence("status", reply.status),
            );
        }
    }

    /// Checks on how the response was delivered: integrity, buffering, framing.
    fn stream_checks(&mut self, step: &str, reply: &Reply) {
        let id = self.id(&format!("{step}.stream"));
        if !(200..300).contains(&reply.status) {
            return;
        }
        let is_sse = reply.is_sse();
        let cl = reply.header("content-length");
        // Buffering signs on an event stream.
        if is_sse && (cl.is_some() || reply.encoding.is_some()) {
            let mut what = Vec::new();
            if let Some(cl) = &cl {
                what.push(format!("Content-Length: {cl}"));
            }
            if let Some(e) = &reply.encoding {
                what.push(format!("Content-Encoding: {e}"));
            }
            self.conv.push(
                Check::new(
                    self.id(&format!("{step}.buffering")),
                    "The event stream is passed through, not buffered",
                )
                .warn(
                    codes::SSE_BUFFERED,
                    format!(
                        "the event stream carries {}: something between client and \
                                server buffers (or compresses) the whole response before \
                                sending it, so clients see nothing until it is complete",
                        what.join(" and ")
                    ),
                )
                .evidence("content_length", cl.clone().unwrap_or_default())
                .evidence(
                    "content_encoding",
                    reply.encoding.clone().unwrap_or_default(),
                ),
            );
        }
        match &reply.body {
            Body::Sse(o) => {
                let c = self.sse_check(&id, reply, o);
                self.conv.push(c);
                // Problems that did not stop the response from arriving.
                if o.response.is_some() {
                    for kind in [
                        ProblemKind::Framing,
                        ProblemKind::NotJson,
                        ProblemKind::NotUtf8,
                        ProblemKind::IdMismatch,
                        ProblemKind::Oversized,
                    ] {
                        if let Some(p) = o.problem(kind) {
                            let n = o.problems.iter().filter(|q| q.kind == kind).count();
                            self.conv.push(
                                Check::new(
                                    self.id(&format!("{step}.stream-{}", kind_slug(kind))),
                                    "The event stream is well formed",
                                )
                                .warn(
                                    kind.code(),
                                    format!(
                                        "at byte {}: {}{}",
                                        p.offset,
                                        p.detail,
                                        if n > 1 {
                                            format!(" (and {} more)", n - 1)
                                        } else {
                                            String::new()
                                        }
                                    ),
                                )
                                .evidence("offset", p.offset),
                            );
                        }
                    }
                }
            }
            Body::Json(r) => {
                let title = "The JSON response arrived whole";
                let check = Check::new(id, title)
                    .evidence("bytes", reply.wire_bytes)
                    .evidence("content_type", reply.content_type.clone())
                    .duration(reply.elapsed);
                let c = match (r, &reply.end) {
                    (Ok(_), _) => check.pass(format!(
                        "application/json, {} bytes in {} ms",
                        reply.wire_bytes,
                        reply.elapsed.as_millis()
                    )),
                    (Err(_), End::Stalled(t) | End::Deadline(t)) => check.fail(
                        codes::SSE_STALLED,
                        format!(
                            "the JSON body stopped after {} bytes (at {} ms, deadline {} s \
                                per chunk)",
                            reply.wire_bytes,
                            t.as_millis(),
                            self.cfg.idle.as_secs_f64()
                        ),
                    ),
                    (Err(_), End::Cap) => check.fail(
                        codes::SSE_OVERSIZED,
                        format!(
                            "the JSON body is larger than c7doctor's cap ({} bytes read)",
                            reply.wire_bytes
                        ),
                    ),
                    (Err(e), end) if e.contains("cut short") || matches!(end, End::Broken(_)) => {
                        let round = is_round_size(reply.wire_bytes);
                        check
                            .fail(
                                codes::SSE_TRUNCATED,
                                format!(
                                    "the JSON body ended after {} bytes{}{}",
                                    reply.wire_bytes,
                                    end_note(end),
                                    if round {
                                        " — a round size: the signature of APIM's \"Number of payload \
                                            bytes to log\""
                                    } else {
                                        ""
                                    }
                                ),
                            )
                            .evidence("cut_at", reply.wire_bytes)
                            .evidence("round_size", round)
                    }
                    // A complete body that is not JSON: the step's own check says so.
                    (Err(_), _) => return,
                };
                self.conv.push(c);
            }
            _ => {}
        }
    }

    fn sse_check(&self, id: &str, reply: &Reply, o: &SseOutcome) -> Check {
        let title = "The event stream delivers the JSON-RPC response whole";
        let ms = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
        let mut check = Check::new(id, title)
            .evidence("bytes", o.bytes)
            .evidence("wire_bytes", reply.wire_bytes)
            .evidence("chunks", o.chunks)
            .evidence("events", o.events)
            .evidence("empty_events", o.empty_events)
            .evidence("comments", o.comments)
            .evidence("notifications", o.notifications)
            .evidence("ttfb_ms", ms(o.ttfb))
            .evidence("max_gap_ms", o.max_gap.as_millis() as u64)
            .evidence("total_ms", o.total.as_millis() as u64)
            .evidence(
                "line_ends",
                json!({"lf": o.line_ends.lf, "crlf": o.line_ends.crlf, "cr": o.line_ends.cr}),
            )
            .duration(reply.elapsed);
        if o.bom {
            check = check.evidence("bom", true);
        }
        if o.response.is_some() {
            let left_open = matches!(reply.end, End::LeftOpen);
            let mut detail = format!(
                "{} events, {} bytes; first byte after {} ms, largest gap {} \
                    ms, response in event {} after {} ms{}",
                o.events,
                o.bytes,
                ms(o.ttfb).unwrap_or(0),
                o.max_gap.as_millis(),
                o.response_event.map(|e| e + 1).unwrap_or(0),
                ms(o.response_at).unwrap_or(0),
                if left_open {
                    "; the server kept the stream open after the response \
                        (c7doctor stopped reading)"
                } else {
                    "; stream closed after it"
                }
            );
            if o.events > 1
                && o.single_burst()
                && o.ttfb.is_some_and(|t| t > Duration::from_secs(2))
            {
                detail.push_str("; every event arrived in one burst after a long wait");
                return check.warn(codes::SSE_BUFFERED, detail);
            }
            return check.pass(detail);
        }
        // The response did not arrive: say why, most specific first.
        let cut = o.bytes;
        let tail = format!(
            "{} bytes, {} events received{}",
            cut,
            o.events,
            if reply.wire_bytes != o.bytes {
                format!(" ({} bytes on the wire, compressed)", reply.wire_bytes)
            } else {
                String::new()
            }
        );
        match &reply.end {
            End::Stalled(at) => {
                return check
                    .fail(
                        codes::SSE_STALLED,
                        format!(
                            "no byte for {} s, at {} ms, before the response arrived; {tail}",
                            self.cfg.idle.as_secs_f64(),
                            at.as_millis()
                        ),
                    )
                    .evidence("stalled_after_bytes", cut);
            }
            End::Deadline(at) => {
                return check.fail(
                    codes::SSE_STALLED,
                    format!(
                        "the response had not arrived after {} s (the overall \
                            deadline; bytes still trickled in); {tail}",
                        at.as_secs()
                    ),
                );
            }
            End::Cap => {
                return check.fail(
                    codes::SSE_OVERSIZED,
                    format!(
                        "c7doctor stopped reading at the {} MiB cap (--max-stream-mib) \
                            before the response arrived; {tail}",
                        self.cfg.stream_cap / (1024 * 1024)
                    ),
                );
            }
            _ => {}
        }
        if o.unterminated_response {
            return check.fail(
                codes::SSE_FRAMING,
                format!(
                    "the response event is not followed by a blank line before the \
                        stream ends: spec-following clients discard it; {tail}"
                ),
            );
        }
        if let Some(p) = o.problem(ProblemKind::Oversized) {
            return check
                .fail(
                    codes::SSE_OVERSIZED,
                    format!("at byte {}: {}; {tail}", p.offset, p.detail),
                )
                .evidence("offset", p.offset);
        }
        if let (Some(p), Some(TruncationKind::EofBeforeResponse)) = (
            o.problem(ProblemKind::IdMismatch),
            o.truncation.map(|t| t.kind),
        ) {
            return check.fail(codes::SSE_ID_MISMATCH, format!("{}; {tail}", p.detail));
        }
        let t = o.truncation;
        let kind = t.map(|t| t.kind.as_str()).unwrap_or("eof-before-response");
        let round = t.is_some_and(|t| t.round_size);
        let how = match t.map(|t| t.kind) {
            Some(TruncationKind::EofInsideEvent) => "inside an event",
            Some(TruncationKind::UnparsableJson) => {
                "with JSON that does not parse in the last event"
            }
            _ => "between events, before the response",
        };
        let mut check = check
            .fail(
                codes::SSE_TRUNCATED,
                format!(
                    "the stream ended {how} after {cut} bytes{}{}",
                    end_note(&reply.end),
                    if round {
                        " — a round size: the signature of APIM diagnostics' \"Number \
                            of payload bytes to log\""
                    } else {
                        ""
                    }
                ),
            )
            .evidence("cut_at", cut)
            .evidence("truncation", kind)
            .evidence("round_size", round);
        if let End::Broken(e) = &reply.end {
            check = check.evidence("failure", e.kind.as_str());
        }
        if let Some(p) = o.problems.last() {
            check = check.evidence("last_problem", p.detail.clone());
        }
        check
    }
}

fn end_note(end: &End) -> String {
    match end {
        End::Broken(e) => format!(" ({})", e.detail),
        _ => String::new(),
    }
}

fn kind_slug(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Framing => "framing",
        ProblemKind::Oversized => "oversized",
        ProblemKind::NotUtf8 => "utf8",
        ProblemKind::NotJson => "json",
        ProblemKind::IdMismatch => "id",
    }
}

enum Judged {
    Result(Value),
    Cause(Cause),
    /// The response did not arrive; the stream check says why.
    Stream,
    Failed(Box<Check>),
}

/// Per-request metadata of the 2026-07-28 revision.
fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": REVISION_2026,
        "io.modelcontextprotocol/clientInfo": {"name": "c7doctor", "version": env!("CARGO_PKG_VERSION")},
        "io.modelcontextprotocol/clientCapabilities": {}
    })
}

/// The library ID in resolve-library-id's text ("Context7-compatible library ID: /org/project").
pub fn library_id_from(text: &str) -> Option<String> {
    for line in text.lines() {
        let lower = line.to_ascii_lowercase();
        if let Some(i) = lower.find("library id:") {
            let rest = line[i + "library id:".len()..].trim();
            let id: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != ')' && *c != ',')
                .collect();
            let id = id
                .trim_matches(|c| c == '`' || c == '"' || c == '\'')
                .to_string();
            if id.starts_with('/') && id.len() > 1 {
                return Some(id);
            }
        }
    }
    None
}

/// A short, scrubbed preview of body bytes for evidence.
fn preview_bytes(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = redact::json_for_trace(&text);
    redact::scrub(&classify::short(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_id_is_found() {
        let t = "Available Libraries:\n\n- Title: Next.js\n- \
            Context7-compatible library ID: /vercel/next.js\n- \
            Description: x";
        assert_eq!(library_id_from(t).as_deref(), Some("/vercel/next.js"));
        assert_eq!(library_id_from("nothing"), None);
    }
}
