//! The conversation: a Streamable HTTP MCP client written for diagnosis, speaking both
//! protocol eras through the gateway, one check per step. Every byte goes through
//! [`super::transport`] and every reply is judged by [`super::judge`]; nothing is hidden
//! behind an SDK.
//!
//! - **2025 era** (MCP spec 2025-11-25, Transports): `initialize` → `notifications/initialized`
//!   (202) → `tools/list` → `tools/call` (`resolve-library-id` by default, the guides' own
//!   verification) → an optional `query-docs`, then a `GET` on the MCP URL (405 expected).
//!   `Mcp-Session-Id` is echoed when given and never required (Context7 4.x is stateless);
//!   `MCP-Protocol-Version` is sent after `initialize`.
//! - **2026-07-28 era**: no handshake, no session. `server/discover`, then `tools/list` and
//!   `tools/call`, each with `_meta` (protocol version, client info and capabilities) and the
//!   `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers.
//!
//! A gateway can break one era and not the other (a policy that strips the `Mcp-*` headers,
//! an operation that matches only one request shape), so both run and each reports what a
//! client of that era gets. Check ids of the 2026-07-28 era carry `.2026` after the prefix.

use super::codes;

mod get;
use serde_json::{Value, json};
use url::Url;

use super::classify::{self, Cause, Step};
use super::judge::{Judge, Judged};
use super::transport::{self, Exchange, Limits, Reply};
use crate::deployment::Pattern;
use crate::http::{Http, NetError, Request, status_text};
use crate::report::Check;
use crate::report::redact::{self, Secret};

/// The revision without `initialize`.
pub const REVISION_2026: &str = "2026-07-28";

/// Which protocol eras to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eras {
    Both,
    Only2025,
    Only2026,
}

/// What to send and where.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// The MCP URL.
    pub url: Url,
    /// Check id prefix (`probe`, `probe.direct`).
    pub prefix: String,
    /// Who is being spoken to, for details ("the gateway", "Context7 directly").
    pub peer: String,
    /// The version offered in the 2025 handshake.
    pub protocol_version: String,
    pub eras: Eras,
    pub tool: String,
    pub tool_args: Value,
    pub query_docs: bool,
    /// Largest body read per response.
    pub stream_cap: u64,
    /// Largest single event kept.
    pub max_event_bytes: usize,
    /// One exchange (head and body) must complete within this.
    pub deadline: std::time::Duration,
    /// Where the deadline came from (`--timeout` or `--stream-deadline`).
    pub deadline_flag: &'static str,
    /// The integration pattern (how Context7's answers read).
    pub pattern: Pattern,
    /// The pattern seen, while it is still being found out: see [`PatternLater`].
    pub pattern_later: Option<PatternLater>,
    /// The gateway's URL, to tell its challenge from an upstream one (`None`: talking to
    /// Context7 directly).
    pub gateway: Option<Url>,
}

/// The pattern a conversation's answers are read in, while [`crate::detected_pattern`]'s
/// PRM look (run beside the conversation's first requests) is still out: the conversation
/// sends its first request at once and waits for the pattern only when it judges the first
/// reply. The sender sends the pattern seen (or the configured one) when the look ends,
/// within its own deadline; a sender dropped without sending keeps [`ProbeConfig::pattern`].
pub type PatternLater = tokio::sync::watch::Receiver<Option<Pattern>>;

/// The credential sent.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Bearer(Secret),
    /// An API key sent as `Authorization: Bearer` (Context7's first key header).
    ApiKey(Secret),
}

/// How one era's conversation ended.
#[derive(Debug, Clone, Default)]
pub struct EraResult {
    /// It ran.
    pub ran: bool,
    /// The tool call answered with a usable result.
    pub tool_ok: bool,
    /// The server does not speak this era (not the gateway's doing).
    pub unsupported: bool,
    /// The first failure: its check id, code and detail.
    pub failure: Option<(String, crate::findings::Code, String)>,
}

/// The result of a conversation (both eras).
#[derive(Debug, Default)]
pub struct Conversation {
    pub checks: Vec<Check>,
    pub exchanges: Vec<Exchange>,
    /// A tool call answered with a usable result (in either era).
    pub tool_ok: bool,
    /// The first failure's code.
    pub first_failure: Option<crate::findings::Code>,
    /// `serverInfo.name` and the negotiated version.
    pub server_name: Option<String>,
    pub negotiated_version: Option<String>,
    pub session: bool,
    pub legacy: EraResult,
    pub modern: EraResult,
}

impl Conversation {
    fn push(&mut self, check: Check) {
        if check.is_failure() && self.first_failure.is_none() {
            self.first_failure = check.code;
        }
        self.checks.push(check);
    }
}

/// The client for one conversation.
pub struct Client<'a> {
    http: &'a Http,
    cfg: &'a ProbeConfig,
    auth: &'a Auth,
    j: Judge,
    session: Option<String>,
    /// The version for `MCP-Protocol-Version` after initialize.
    version: Option<String>,
    /// 2026-07-28 mode: no initialize, `_meta` and `Mcp-*` headers on every request.
    modern: bool,
    /// The credential got an answer before (for "accepted, then refused").
    accepted: bool,
    conv: Conversation,
}

impl<'a> Client<'a> {
    pub fn new(http: &'a Http, cfg: &'a ProbeConfig, auth: &'a Auth) -> Self {
        Client {
            http,
            cfg,
            auth,
            j: Judge {
                prefix: cfg.prefix.clone(),
                peer: cfg.peer.clone(),
                gateway: cfg.gateway.clone(),
                pattern: cfg.pattern,
                api_key: matches!(auth, Auth::ApiKey(_)),
                deadline: cfg.deadline,
                deadline_flag: cfg.deadline_flag,
                stream_cap: cfg.stream_cap,
            },
            session: None,
            version: None,
            modern: false,
            accepted: false,
            conv: Conversation::default(),
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            stream_cap: self.cfg.stream_cap,
            max_event_bytes: self.cfg.max_event_bytes,
            deadline: self.cfg.deadline,
        }
    }

    /// Build a POST with the MCP headers.
    fn post(&self, body: &Value, method: &str, name: Option<&str>) -> Request {
        let mut req = Request::post_json(self.cfg.url.clone(), body)
            .header("accept", "application/json, text/event-stream")
            .cap(self.cfg.stream_cap.min(usize::MAX as u64) as usize);
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

    async fn send(&self, req: Request, expected_id: Value) -> Result<Reply, NetError> {
        transport::exchange(self.http, req, expected_id, &self.limits()).await
    }

    fn push(&mut self, check: Check) {
        self.conv.push(check);
    }

    /// Wait for the pattern seen ([`PatternLater`]) before the first reply is judged.
    async fn settle_pattern(&mut self) {
        let Some(rx) = &self.cfg.pattern_later else {
            return;
        };
        let mut rx = rx.clone();
        if let Ok(seen) = rx.wait_for(Option::is_some).await
            && let Some(p) = *seen
        {
            self.j.pattern = p;
        }
    }

    fn push_stream(&mut self, step: &str, reply: &Reply) {
        for c in self.j.stream_checks(step, reply) {
            self.conv.push(c);
        }
    }

    /// Record one exchange in the conversation table.
    fn record(&mut self, request: &str, reply: Result<&Reply, &NetError>, note: &str) {
        let request = if self.modern {
            format!("{request} ({REVISION_2026})")
        } else {
            request.to_string()
        };
        let row = Exchange::of(request, reply, note);
        self.conv.exchanges.push(row);
    }

    /// Run the conversation in every configured era.
    pub async fn run(self) -> Conversation {
        let (http, cfg, auth) = (self.http, self.cfg, self.auth);
        match cfg.eras {
            Eras::Only2025 => self.run_era(false).await,
            Eras::Only2026 => self.run_era(true).await,
            // The eras are independent conversations: run them side by side, so a slow or
            // hostile server costs one exchange deadline per step, not two.
            Eras::Both => {
                let mut modern = Client::new(http, cfg, auth);
                modern.j.prefix = format!("{}.2026", cfg.prefix);
                let (mut old, new) = tokio::join!(self.run_era(false), modern.run_era(true));
                old.checks.extend(new.checks);
                old.exchanges.extend(new.exchanges);
                old.first_failure = old.first_failure.or(new.first_failure);
                old.tool_ok |= new.tool_ok;
                old.server_name = old.server_name.or(new.server_name);
                old.negotiated_version = old.negotiated_version.or(new.negotiated_version);
                old.modern = new.modern;
                old
            }
        }
    }

    /// One era's conversation.
    async fn run_era(mut self, modern: bool) -> Conversation {
        if modern {
            self.modern = true;
            self.version = Some(REVISION_2026.into());
            self.run_2026().await;
            self.conv.modern = self.era_result();
        } else {
            self.run_2025().await;
            self.conv.legacy = self.era_result();
        }
        self.conv
    }

    /// What the era that just ran came to.
    fn era_result(&self) -> EraResult {
        let checks = &self.conv.checks;
        let failure = checks
            .iter()
            .find(|c| c.is_failure())
            .and_then(|c| c.code.map(|code| (c.id.clone(), code, c.detail.clone())));
        let unsupported = checks.iter().any(|c| {
            matches!(
                c.code,
                Some(codes::PROTOCOL_2026) | Some(codes::PROTOCOL_2025_ONLY)
            ) && !c.is_failure()
        });
        EraResult {
            ran: true,
            tool_ok: self.conv.tool_ok,
            unsupported,
            failure,
        }
    }

    async fn run_2025(&mut self) {
        if !self.initialize().await {
            return;
        }
        let note = self.post(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            "notifications/initialized",
            None,
        );
        let list = self.tools_list_request();
        let (note, list) = if self.session.is_some() {
            // A server that keeps sessions may need the notification before the next
            // request (rmcp's stateful servers refuse anything else first): wait for it.
            let note = self.send(note, Value::Null).await;
            if !self.initialized(note) {
                return;
            }
            (None, self.send(list, json!(2)).await)
        } else {
            // Stateless (Context7 4.x): the notification's answer holds nothing the next
            // request needs, so tools/list goes beside it; its status is judged first all
            // the same, and a refused notification ends the conversation there as before.
            let (note, list) =
                tokio::join!(self.send(note, Value::Null), self.send(list, json!(2)));
            (Some(note), list)
        };
        if let Some(note) = note
            && !self.initialized(note)
        {
            return;
        }
        self.tools_and_get(list).await;
    }

    async fn run_2026(&mut self) {
        if !self.discover().await {
            return;
        }
        let list = self.tools_list_request();
        let list = self.send(list, json!(2)).await;
        self.tools_and_get(list).await;
    }

    /// tools/list (its reply given), tools/call, query-docs, and (2025 era) the GET.
    async fn tools_and_get(&mut self, list: Result<Reply, NetError>) {
        if !self.tools_list(list) {
            return;
        }
        if self.modern {
            self.calls().await;
            return;
        }
        // The GET needs only what initialize settled (session, version): it goes beside
        // the tool calls, and is judged after them.
        let get = self.get_head();
        let ((), head) = tokio::join!(self.calls(), get);
        self.get_check(head);
    }

    /// tools/call, then query-docs when asked for.
    async fn calls(&mut self) {
        let text = self.tools_call().await;
        if self.cfg.query_docs {
            match text {
                Some(t) => self.query_docs(&t).await,
                None => {
                    let c = Check::new(
                        self.j.id("query-docs"),
                        "query-docs answers with documentation",
                    )
                    .skip(
                        crate::report::codes::PREREQUISITE_FAILED,
                        "not run: the first tool call gave no usable answer",
                    );
                    self.push(c);
                }
            }
        }
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

    /// `initialize`: the 2025 handshake. False when the era cannot go on.
    async fn initialize(&mut self) -> bool {
        let id = self.j.id("initialize");
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
        let reply = match self.send(req, json!(1)).await {
            Ok(r) => r,
            Err(e) => {
                self.record("POST initialize", Err(&e), "");
                self.push(e.to_check(crate::discovery::codes::UNREACHABLE, &id, title));
                return false;
            }
        };
        self.record("POST initialize", Ok(&reply), "");
        self.settle_pattern().await;
        let challenge = self.j.challenge_check(&reply);
        let ok = match self
            .j
            .judge(Step::Initialize, &id, title, &reply, self.accepted)
        {
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
                self.push(c);
                self.push_stream("initialize", &reply);
                true
            }
            Judged::Cause(Cause::Revision2026 { supported }) => {
                self.push_stream("initialize", &reply);
                let c = Check::new(id, title)
                    .info(
                        codes::PROTOCOL_2026,
                        format!(
                            "{} has no initialize: it speaks the {REVISION_2026} revision \
                                (supported: {}); clients that know only the 2025 handshake \
                                cannot connect, 2026-07-28 clients can",
                            self.cfg.peer,
                            if supported.is_empty() {
                                "not stated".into()
                            } else {
                                supported.join(", ")
                            }
                        ),
                    )
                    .evidence("status", reply.status)
                    .duration(reply.elapsed);
                self.push(c);
                false
            }
            Judged::Cause(cause) => {
                self.push_stream("initialize", &reply);
                let c = self
                    .j
                    .cause_check(Step::Initialize, &id, title, &reply, &cause);
                self.push(c);
                false
            }
            Judged::Stream => {
                self.push_stream("initialize", &reply);
                self.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no initialize response arrived: the stream broke (see the stream check)",
                ));
                false
            }
            Judged::Failed(c) => {
                self.push_stream("initialize", &reply);
                self.push(*c);
                false
            }
        };
        if let Some(c) = challenge {
            self.push(c);
        }
        ok
    }

    /// 2026-07-28: `server/discover` with per-request metadata.
    async fn discover(&mut self) -> bool {
        let id = self.j.id("discover");
        let title = "server/discover: the 2026-07-28 server describes itself";
        let body = self.request_body(1, "server/discover", json!({}));
        let req = self.post(&body, "server/discover", None);
        let reply = match self.send(req, json!(1)).await {
            Ok(r) => r,
            Err(e) => {
                self.record("POST server/discover", Err(&e), "");
                self.push(e.to_check(crate::discovery::codes::UNREACHABLE, &id, title));
                return false;
            }
        };
        self.record("POST server/discover", Ok(&reply), "");
        self.settle_pattern().await;
        let challenge = self.j.challenge_check(&reply);
        let ok = match self
            .j
            .judge(Step::Discover, &id, title, &reply, self.accepted)
        {
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
                    .pointer("/serverInfo/name")
                    .or_else(|| result.pointer("/_meta/io.modelcontextprotocol~1serverInfo/name"))
                    .and_then(|v| v.as_str())
                    .map(String::from);
                if self.conv.server_name.is_none() {
                    self.conv.server_name = server.clone();
                }
                if self.conv.negotiated_version.is_none() {
                    self.conv.negotiated_version = Some(REVISION_2026.into());
                }
                let c = Check::new(id, title)
                    .pass(format!(
                        "{} answered server/discover (versions {})",
                        server.as_deref().unwrap_or("the server"),
                        versions.join(", ")
                    ))
                    .evidence("supported_versions", versions)
                    .evidence("status", reply.status)
                    .evidence("content_type", reply.content_type.clone())
                    .duration(reply.elapsed);
                let c = match &server {
                    Some(s) => c.evidence("server", s.clone()),
                    None => c,
                };
                self.push(c);
                self.push_stream("discover", &reply);
                true
            }
            Judged::Cause(Cause::Revision2025Only { status, message }) => {
                self.push_stream("discover", &reply);
                let c = Check::new(id, title)
                    .info(
                        codes::PROTOCOL_2025_ONLY,
                        format!(
                            "{} answered server/discover with {status}: {message:?} — it speaks \
                             only the 2025 revisions (as Context7 before 4.0); 2026-07-28 \
                             clients fall back to initialize",
                            self.cfg.peer
                        ),
                    )
                    .evidence("status", status)
                    .duration(reply.elapsed);
                self.push(c);
                false
            }
            Judged::Cause(cause) => {
                self.push_stream("discover", &reply);
                let c = self
                    .j
                    .cause_check(Step::Discover, &id, title, &reply, &cause);
                self.push(c);
                false
            }
            Judged::Stream => {
                self.push_stream("discover", &reply);
                self.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no server/discover response arrived: the stream broke (see the stream check)",
                ));
                false
            }
            Judged::Failed(c) => {
                self.push_stream("discover", &reply);
                self.push(*c);
                false
            }
        };
        if let Some(c) = challenge {
            self.push(c);
        }
        ok
    }

    /// `notifications/initialized` (its reply given): 202 expected.
    fn initialized(&mut self, reply: Result<Reply, NetError>) -> bool {
        let id = self.j.id("initialized");
        let title = "notifications/initialized is accepted (202)";
        let reply = match reply {
            Ok(r) => r,
            Err(e) => {
                self.record("POST notifications/initialized", Err(&e), "");
                self.push(e.to_check(crate::discovery::codes::UNREACHABLE, &id, title));
                return false;
            }
        };
        self.record("POST notifications/initialized", Ok(&reply), "");
        let check = Check::new(id.clone(), title)
            .evidence("status", reply.status)
            .duration(reply.elapsed);
        match reply.status {
            202 => {
                self.push(check.pass("202 Accepted"));
                true
            }
            200..=299 => {
                self.push(check.info(
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
                    self.j.pattern,
                );
                let c = self
                    .j
                    .cause_check(Step::Initialized, &id, title, &reply, &cause);
                self.push(c);
                false
            }
        }
    }

    fn tools_list_request(&self) -> Request {
        let body = self.request_body(2, "tools/list", json!({}));
        self.post(&body, "tools/list", None)
    }

    /// `tools/list` (its reply given): Context7's tools are there.
    fn tools_list(&mut self, reply: Result<Reply, NetError>) -> bool {
        let id = self.j.id("tools-list");
        let title = "tools/list offers resolve-library-id and query-docs";
        let reply = match reply {
            Ok(r) => r,
            Err(e) => {
                self.record("POST tools/list", Err(&e), "");
                self.push(e.to_check(crate::discovery::codes::UNREACHABLE, &id, title));
                return false;
            }
        };
        let judged = self
            .j
            .judge(Step::ToolsList, &id, title, &reply, self.accepted);
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
                    self.push(check.fail(
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
                let c = self
                    .j
                    .cause_check(Step::ToolsList, &id, title, &reply, &cause);
                self.push(c);
                false
            }
            Judged::Stream => {
                self.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no tools/list response arrived: the stream broke (see the stream check)",
                ));
                false
            }
            Judged::Failed(c) => {
                self.push(*c);
                false
            }
        };
        self.push_stream("tools-list", &reply);
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
        let id = self.j.id(step);
        let title = format!("tools/call {tool} returns a result");
        let body = self.request_body(
            rpc_id,
            "tools/call",
            json!({"name": tool, "arguments": args}),
        );
        let req = self.post(&body, "tools/call", Some(tool));
        let label = format!("POST tools/call {tool}");
        let reply = match self.send(req, json!(rpc_id)).await {
            Ok(r) => r,
            Err(e) => {
                self.record(&label, Err(&e), "");
                self.push(e.to_check(crate::discovery::codes::UNREACHABLE, &id, &title));
                return None;
            }
        };
        self.record(&label, Ok(&reply), "");
        let judged = self
            .j
            .judge(Step::ToolsCall, &id, &title, &reply, self.accepted);
        let out = match judged {
            Judged::Result(result) => {
                let text = classify::tool_text(&result);
                match classify::classify_tool_result(&result, self.j.pattern) {
                    Some(cause) => {
                        let c = self
                            .j
                            .cause_check(Step::ToolsCall, &id, &title, &reply, &cause);
                        self.push(c);
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
                        self.push(check);
                        Some(text)
                    }
                }
            }
            Judged::Cause(cause) => {
                let c = self
                    .j
                    .cause_check(Step::ToolsCall, &id, &title, &reply, &cause);
                self.push(c);
                None
            }
            Judged::Stream => {
                self.push(Check::new(id, title).skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    "no tools/call response arrived: the stream broke (see the stream check)",
                ));
                None
            }
            Judged::Failed(c) => {
                self.push(*c);
                None
            }
        };
        self.push_stream(step, &reply);
        out
    }
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
