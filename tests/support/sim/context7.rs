//! The simulated Context7, as its MCP server 4.x behaves (FACTS.md, "Context7's MCP server
//! 4.x"): a real MCP server built with the official Rust SDK (`rmcp` 3.11, which speaks the
//! 2026-07-28 revision), so the bytes c7doctor parses are produced by a real implementation.
//!
//! - **Both eras, stateless.** No `Mcp-Session-Id`. A request of the 2026-07-28 revision
//!   (`server/discover`, `_meta` protocol version, or `MCP-Protocol-Version: 2026-07-28`) is
//!   answered with a plain `application/json` body (4.0.1); a 2025-era request (the
//!   `initialize` handshake and what follows it) with an event stream. No SSE keep-alives
//!   (4.0.2). GET and DELETE get 405.
//! - **Its own discovery surface.** Every `/mcp*` response carries
//!   `WWW-Authenticate: Bearer resource_metadata="<origin>/.well-known/oauth-protected-resource"`,
//!   and that PRM names Clerk and the enterprise-managed-auth issuer as authorization servers
//!   (4.0.3) — not Entra.
//! - **Its token validation** (`src/lib/jwt.ts`): an Entra token is taken only when `iss` is
//!   `<public cloud>/<lower-case tenant GUID>/v2.0`; `aud` must be one string and name the
//!   teamspace's audience; the signature, issuer and lifetime are verified with no clock
//!   tolerance; `scp` split on spaces must hold the required scope. A failure is a 401 with
//!   JSON-RPC `-32001` and one of Context7's messages. Anything else that is not an API key
//!   falls through to the other validators: "Invalid token".
//! - **Users and keys on `tools/call` only.** The user is resolved from `oid` when a tool
//!   runs: an unknown user gets HTTP 200 with the upstream text "Unauthorized. Please check
//!   your API key." (the per-user patterns have no key — that text means "user not
//!   provisioned"). A key without the `ctx7sk` prefix gets "Invalid API key…", an unknown
//!   `ctx7sk…` key the upstream text.
//!
//! The public cloud is played by the simulated Entra authority (`http://127.0.0.1:Q`), so the
//! issuer pattern is `^<authority>/[0-9a-f-]{36}/v2\.0$` here where Context7 has
//! `^https://login\.microsoftonline\.com/[0-9a-f-]{36}/v2\.0$`.

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ProtocolVersion, ServerCapabilities, ServerConfig,
};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};
use serde_json::Value;
use tower::ServiceExt;

/// The key the simulated teamspace accepts (what the APIM named value holds when healthy).
pub const VALID_KEY: &str = "ctx7sk-3f9a1c7e-5b2d-4e8f-a6c0-9d1b7e4f2a58";

/// Context7's answer to a key without the `ctx7sk` prefix.
pub const INVALID_KEY_TEXT: &str =
    "Invalid API key. Please check your API key. API keys should start with 'ctx7sk' prefix.";

/// The upstream answer to a credential it cannot resolve: an unknown key, or (per-user
/// patterns) a token whose `oid` is not a provisioned user.
pub const UNAUTHORIZED_TEXT: &str = "Unauthorized. Please check your API key.";

/// Context7's 401 body without a credential.
pub const AUTH_REQUIRED: &str =
    "Authentication required. Please authenticate to use this MCP server.";

/// The dashboard's (and, in the `audience_taken` fault, the answer's) message when the MCP
/// API app is configured for another teamspace.
pub const AUDIENCE_TAKEN: &str = "This audience is already configured for another teamspace";

/// The teamspace's Microsoft Entra ID configuration (context7.com/dashboard › Settings).
#[derive(Debug, Clone, Default)]
pub struct Teamspace {
    /// The origin that plays `https://login.microsoftonline.com` (the public cloud).
    pub public_cloud: String,
    pub tenant_id: String,
    /// The audience (the MCP API app's GUID).
    pub audience: String,
    pub required_scope: String,
    /// Provisioned users (`oid`s).
    pub users: Vec<String>,
    /// The simulator's clock (Unix seconds).
    pub now: i64,
}

/// What this Context7 does differently from a healthy 4.x. `Default`: none.
#[derive(Debug, Default, Clone)]
pub struct Context7Options {
    pub teamspace: Teamspace,
    /// Only the 2026-07-28 revision: `initialize` is answered with -32022.
    pub only_2026: bool,
    /// A 3.x Context7: sessions (`Mcp-Session-Id`), the 2025 revisions only, event streams.
    pub sessions: bool,
    /// An old Context7: `get-library-docs` instead of `query-docs`.
    pub old_tools: bool,
    /// Every tool call fails with a tool error (not about authentication).
    pub tool_error: bool,
    /// Answer 2025-era requests with `application/json` too.
    pub json_response: bool,
    /// The teamspace's audience is claimed by another teamspace: every token request is
    /// answered 401 with [`AUDIENCE_TAKEN`].
    pub audience_taken: bool,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResolveArgs {
    /// The question the library is needed for.
    pub query: String,
    /// Library name to search for.
    pub library_name: String,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueryDocsArgs {
    /// Context7-compatible library ID, e.g. /vercel/next.js.
    pub library_id: String,
    /// The question to answer from the documentation.
    pub query: String,
}

#[derive(Clone)]
pub struct Context7 {
    opts: Arc<Context7Options>,
    tool_router: ToolRouter<Self>,
}

/// The bearer credential on the request, if any.
fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    let v = headers.get("authorization")?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim().to_string())
}

/// A compact JWS (what Context7 tries its token validators on).
fn is_jwt(cred: &str) -> bool {
    cred.split('.').count() == 3 && cred.starts_with("eyJ")
}

/// `^<public cloud>/[0-9a-f-]{36}/v2\.0$` (Context7's `ENTRA_ISSUER_PATTERN`).
pub fn is_public_v2_issuer(iss: &str, public_cloud: &str) -> bool {
    let Some(rest) = iss.strip_prefix(public_cloud.trim_end_matches('/')) else {
        return false;
    };
    let Some(tid) = rest.strip_prefix('/').and_then(|r| r.strip_suffix("/v2.0")) else {
        return false;
    };
    tid.len() == 36
        && tid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
}

/// Context7's Entra validator: `Ok(claims)` or the message it answers.
pub fn validate_entra(ts: &Teamspace, token: &str) -> Result<Value, &'static str> {
    let payload = token
        .split('.')
        .nth(1)
        .and_then(|p| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p.trim_end_matches('='))
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .ok_or("Invalid token")?;
    let iss = payload.get("iss").and_then(Value::as_str).unwrap_or("");
    if !is_public_v2_issuer(iss, &ts.public_cloud) {
        // Not an Entra v2 public-cloud token: the other validators refuse it too.
        return Err("Invalid token");
    }
    let Some(aud) = payload.get("aud").and_then(Value::as_str) else {
        return Err("Missing audience");
    };
    if aud != ts.audience {
        return Err("Unknown audience");
    }
    // jose.jwtVerify(token, tenant JWKS, {issuer, audience}) — no clockTolerance.
    let claims = super::tokens::verify_signature(token).map_err(|_| "Invalid signature")?;
    let expected_iss = format!(
        "{}/{}/v2.0",
        ts.public_cloud.trim_end_matches('/'),
        ts.tenant_id
    );
    if iss != expected_iss {
        return Err("Invalid token claims");
    }
    match claims.get("exp").map(Value::as_i64) {
        Some(Some(exp)) if exp <= ts.now => return Err("Token expired"),
        Some(None) => return Err("Invalid token claims"),
        _ => {}
    }
    for time in ["nbf", "iat"] {
        match claims.get(time).map(Value::as_i64) {
            Some(Some(t)) if t > ts.now => return Err("Invalid token claims"),
            Some(None) => return Err("Invalid token claims"),
            _ => {}
        }
    }
    let scp = claims.get("scp").and_then(Value::as_str).unwrap_or("");
    if !scp.split(' ').any(|s| s == ts.required_scope) {
        return Err("Missing required scope");
    }
    Ok(claims)
}

impl Context7 {
    fn new(opts: Arc<Context7Options>) -> Self {
        let mut tool_router = Self::tool_router();
        if opts.old_tools {
            tool_router.remove_route("query-docs");
        } else {
            tool_router.remove_route("get-library-docs");
        }
        Context7 { opts, tool_router }
    }

    /// Context7's per-call credential resolution: `Some` is the answer to return instead.
    fn refusal(&self, parts: &Parts) -> Option<CallToolResult> {
        if self.opts.tool_error {
            return Some(CallToolResult::error(vec![ContentBlock::text(
                "Failed to search libraries: upstream search service returned \
                    503. Please try again later.",
            )]));
        }
        let cred = bearer(&parts.headers).unwrap_or_default();
        let refused = if is_jwt(&cred) {
            // The token passed the validator (the HTTP layer); the user comes from `oid`.
            let oid = validate_entra(&self.opts.teamspace, &cred)
                .ok()
                .and_then(|c| c.get("oid").and_then(Value::as_str).map(str::to_string));
            match oid {
                Some(oid) if self.opts.teamspace.users.contains(&oid) => None,
                _ => Some(UNAUTHORIZED_TEXT),
            }
        } else if cred == VALID_KEY {
            None
        } else if cred.starts_with("ctx7sk") {
            Some(UNAUTHORIZED_TEXT)
        } else {
            Some(INVALID_KEY_TEXT)
        };
        // Context7 answers on the tool call, with HTTP 200 and a plain text result.
        refused.map(|t| CallToolResult::success(vec![ContentBlock::text(t)]))
    }
}

#[tool_router]
impl Context7 {
    #[tool(
        name = "resolve-library-id",
        description = "Resolves a package/product name to a Context7-compatible \
            library ID and returns matching libraries."
    )]
    async fn resolve_library_id(
        &self,
        Parameters(args): Parameters<ResolveArgs>,
        Extension(parts): Extension<Parts>,
    ) -> CallToolResult {
        if let Some(r) = self.refusal(&parts) {
            return r;
        }
        CallToolResult::success(vec![ContentBlock::text(resolve_text(&args))])
    }

    #[tool(
        name = "query-docs",
        description = "Fetches up-to-date documentation for a library by its \
            Context7-compatible library ID."
    )]
    async fn query_docs(
        &self,
        Parameters(args): Parameters<QueryDocsArgs>,
        Extension(parts): Extension<Parts>,
    ) -> CallToolResult {
        if let Some(r) = self.refusal(&parts) {
            return r;
        }
        CallToolResult::success(vec![ContentBlock::text(docs_text(&args))])
    }

    #[tool(
        name = "get-library-docs",
        description = "(Removed in Context7 4.x) Fetches documentation for a library."
    )]
    async fn get_library_docs(
        &self,
        Parameters(args): Parameters<QueryDocsArgs>,
        Extension(parts): Extension<Parts>,
    ) -> CallToolResult {
        if let Some(r) = self.refusal(&parts) {
            return r;
        }
        CallToolResult::success(vec![ContentBlock::text(docs_text(&args))])
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Context7 {
    fn get_info(&self) -> ServerConfig {
        let version = if self.opts.sessions {
            "3.2.0-sim"
        } else {
            "4.0.3-sim"
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("Context7", version))
            .with_instructions("Use resolve-library-id, then query-docs.")
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        if self.opts.only_2026 {
            Cow::Owned(vec![ProtocolVersion::V_2026_07_28])
        } else if self.opts.sessions {
            // Before 4.0: the 2025 revisions only.
            Cow::Owned(
                ProtocolVersion::KNOWN_VERSIONS
                    .iter()
                    .filter(|v| v.as_str() < ProtocolVersion::V_2026_07_28.as_str())
                    .cloned()
                    .collect(),
            )
        } else {
            Cow::Borrowed(ProtocolVersion::KNOWN_VERSIONS)
        }
    }
}

/// A canned "Available Libraries" answer, long enough (about 12 KiB) that an 8192-byte cut
/// lands inside it, as real answers listing many libraries do.
pub fn resolve_text(args: &ResolveArgs) -> String {
    let mut s = String::from("Available Libraries:\n\n");
    s.push_str(&format!(
        "Each result includes a Context7-compatible library ID (query: {:?}).\n\n",
        args.query
    ));
    let libs = [
        ("Next.js", "/vercel/next.js"),
        ("Next.js (v15)", "/vercel/next.js/v15.1.8"),
        ("Next.js Docs", "/websites/nextjs"),
        ("Next Auth", "/nextauthjs/next-auth"),
        ("next-intl", "/amannn/next-intl"),
        ("Nextra", "/shuding/nextra"),
        ("next-themes", "/pacocoursey/next-themes"),
        ("Next SEO", "/garmeeh/next-seo"),
        ("next-safe-action", "/theedoran/next-safe-action"),
        ("Next.js Commerce", "/vercel/commerce"),
    ];
    for round in 0..4 {
        for (i, (title, id)) in libs.iter().enumerate() {
            s.push_str(&format!(
                "----------\n- Title: {title}{}\n- Context7-compatible library \
                    ID: {id}\n- Description: {} — a library matching {:?}, listed \
                    with its documentation coverage and trust score.\n- Code \
                    Snippets: {}\n- Trust Score: {}\n",
                if round == 0 {
                    String::new()
                } else {
                    format!(" (mirror {round})")
                },
                title,
                args.library_name,
                1000 + i * 37,
                10 - (i % 3)
            ));
        }
    }
    s
}

fn docs_text(args: &QueryDocsArgs) -> String {
    let mut s = format!(
        "Documentation for {} (query: {:?})\n\n",
        args.library_id, args.query
    );
    for i in 0..20 {
        s.push_str(&format!(
            "### Section {i}\n\nThe App Router uses file-system routing: \
                folders define routes, `page.tsx` makes a route \
                public.\n\n```tsx\nexport default function Page() {{ return \
                <h1>Hello {i}</h1> }}\n```\n\n"
        ));
    }
    s
}

/// Is this POST of the 2026-07-28 revision? (`server/discover`, a `_meta` protocol version,
/// or the header naming 2026-07-28 or later.)
fn is_modern(headers: &axum::http::HeaderMap, body: &[u8]) -> bool {
    let header_modern = headers
        .get("mcp-protocol-version")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v >= "2026-07-28");
    let msg: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let discover = msg.get("method").and_then(Value::as_str) == Some("server/discover");
    let meta = msg
        .pointer("/params/_meta/io.modelcontextprotocol~1protocolVersion")
        .is_some();
    header_modern || discover || meta
}

/// Shared by the middleware: the teamspace, the faults and Context7's own origin.
#[derive(Clone)]
struct Front {
    opts: Arc<Context7Options>,
    origin: String,
}

impl Front {
    fn challenge(&self) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
            self.origin
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
    }

    /// Context7's 401 JSON-RPC error.
    fn unauthorized(&self, message: &str) -> Response {
        let body = serde_json::json!({
            "jsonrpc": "2.0",
            "error": {"code": -32001, "message": message},
            "id": Value::Null
        });
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }

    /// The HTTP-level credential check (`/mcp/oauth`): `Some` is the refusal.
    fn check_credential(&self, headers: &axum::http::HeaderMap, path: &str) -> Option<Response> {
        let cred = bearer(headers)
            .or_else(|| {
                [
                    "context7-api-key",
                    "x-api-key",
                    "x-context7-api-key",
                    "context7_api_key",
                    "x_api_key",
                ]
                .iter()
                .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
                .map(str::to_string)
            })
            .filter(|c| !c.is_empty());
        let Some(cred) = cred else {
            // `/mcp` is anonymous; `/mcp/oauth` needs a key or a token.
            return (path != "/mcp").then(|| self.unauthorized(AUTH_REQUIRED));
        };
        if !is_jwt(&cred) {
            // An API key: resolved when a tool runs.
            return None;
        }
        if self.opts.audience_taken {
            return Some(self.unauthorized(AUDIENCE_TAKEN));
        }
        validate_entra(&self.opts.teamspace, &cred)
            .err()
            .map(|m| self.unauthorized(m))
    }
}

/// Context7's front: its PRM, the credential check, era routing, and its own
/// `WWW-Authenticate` on every `/mcp*` response.
async fn front(
    State((front, modern, legacy)): State<(Front, axum::Router, axum::Router)>,
    req: Request,
    _next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if path == "/.well-known/oauth-protected-resource" {
        return (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({
                "resource": format!("{}/mcp", front.origin),
                "authorization_servers": [
                    "https://clerk.context7.com",
                    "https://context7.com/api/enterprise-managed-auth"
                ],
                "scopes_supported": ["openid", "profile", "email"],
                "bearer_methods_supported": ["header"]
            })
            .to_string(),
        )
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let mut resp = if let Some(refusal) = front.check_credential(&parts.headers, &path) {
        refusal
    } else {
        let modern_request = parts.method == Method::POST && is_modern(&parts.headers, &bytes);
        let router = if modern_request && !front.opts.sessions {
            modern
        } else {
            legacy
        };
        let req = Request::from_parts(parts, Body::from(bytes));
        match router.oneshot(req).await {
            Ok(r) => r,
            Err(e) => match e {},
        }
    };
    if path.starts_with("/mcp") {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, front.challenge());
    }
    resp
}

/// One rmcp service as an axum router.
fn service(opts: &Arc<Context7Options>, json: bool) -> axum::Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(opts.sessions)
        // 4.0.2: no keep-alives (and none before: the simulator never needed them).
        .with_sse_keep_alive(None)
        .with_json_response(json);
    let opts = opts.clone();
    if opts.sessions {
        let service: StreamableHttpService<Context7, LocalSessionManager> =
            StreamableHttpService::new(
                move || Ok(Context7::new(opts.clone())),
                Arc::new(LocalSessionManager::default()),
                config,
            );
        axum::Router::new().fallback_service(service)
    } else {
        let service: StreamableHttpService<Context7, NeverSessionManager> =
            StreamableHttpService::new(
                move || Ok(Context7::new(opts.clone())),
                Arc::new(NeverSessionManager::default()),
                config,
            );
        axum::Router::new().fallback_service(service)
    }
}

/// Start Context7 on a loopback port (on the current tokio runtime) and return its origin.
pub async fn start(opts: Context7Options) -> String {
    let opts = Arc::new(opts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind Context7");
    let addr = listener.local_addr().expect("addr");
    let origin = format!("http://{addr}");
    // 4.0.1: JSON for the 2026-07-28 revision; event streams for 2025-era clients.
    let modern = service(&opts, true);
    let legacy = service(&opts, opts.json_response);
    let front_state = Front {
        opts: opts.clone(),
        origin: origin.clone(),
    };
    // Every path is MCP (Context7 serves both /mcp and /mcp/oauth); the front decides.
    let router = axum::Router::new()
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn_with_state(
            (front_state, modern, legacy),
            front,
        ));
    tokio::spawn(async move {
        let _ = axum::serve(super::no_delay(listener), router).await;
    });
    origin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_pattern_is_context7s() {
        let cloud = "https://login.microsoftonline.com";
        let tid = "7d3f0b2a-4c1e-4b8a-9f6d-2e5c8a1b3d70";
        assert!(is_public_v2_issuer(&format!("{cloud}/{tid}/v2.0"), cloud));
        assert!(!is_public_v2_issuer(
            &format!("{cloud}/{}/v2.0", tid.to_uppercase()),
            cloud
        ));
        assert!(!is_public_v2_issuer(
            &format!("https://sts.windows.net/{tid}/"),
            cloud
        ));
        assert!(!is_public_v2_issuer(
            &format!("https://login.microsoftonline.us/{tid}/v2.0"),
            cloud
        ));
        assert!(!is_public_v2_issuer(&format!("{cloud}/{tid}/v2.0/"), cloud));
    }
}
