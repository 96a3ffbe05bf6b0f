//! The simulated Context7: a real MCP server built with the official Rust SDK (`rmcp`,
//! Streamable HTTP server), so the stream c7doctor parses is produced by a real
//! implementation. Like Context7 4.x it is stateless (no `Mcp-Session-Id`), answers 2025-era
//! clients with an event stream, GET with 405, and offers `resolve-library-id`
//! `{query, libraryName}` (text starting "Available Libraries:") and `query-docs`
//! `{libraryId, query}` with canned answers; `serverInfo.name` is "Context7".
//!
//! It checks the credential the gateway forwards the way Context7 does: an API key that is
//! not a `ctx7sk…` key gets HTTP 200 with the tool text "Invalid API key…" on `tools/call`
//! only; an Entra token whose user is not provisioned is refused on `tools/call` only.
//! Both `/mcp` and `/mcp/oauth` serve MCP.

use std::borrow::Cow;
use std::sync::Arc;

use axum::http::request::Parts;
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

/// The key the simulated teamspace accepts (what the APIM named value holds when healthy).
pub const VALID_KEY: &str = "ctx7sk-3f9a1c7e-5b2d-4e8f-a6c0-9d1b7e4f2a58";

/// Context7's answer to a key it does not accept.
pub const INVALID_KEY_TEXT: &str =
    "Invalid API key. Please check your API key. API keys should start with 'ctx7sk' prefix.";

/// What this Context7 does differently from a healthy one.
#[derive(Debug, Default, Clone)]
pub struct Context7Options {
    /// Only the 2026-07-28 revision: `initialize` is answered with -32022.
    pub only_2026: bool,
    /// The teamspace has no user for the token's `oid`: tools/call is refused.
    pub user_not_provisioned: bool,
    /// Sessions (`Mcp-Session-Id`), like Context7 before 4.x.
    pub sessions: bool,
    /// An old Context7: `get-library-docs` instead of `query-docs`.
    pub old_tools: bool,
    /// Every tool call fails with a tool error (not about authentication).
    pub tool_error: bool,
    /// Answer requests with `application/json` instead of an event stream.
    pub json_response: bool,
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
fn bearer(parts: &Parts) -> Option<String> {
    let v = parts.headers.get("authorization")?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim().to_string())
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

    /// Context7's per-call credential check: `Some` is the refusal to return instead.
    fn refusal(&self, parts: &Parts) -> Option<CallToolResult> {
        if self.opts.tool_error {
            return Some(CallToolResult::error(vec![ContentBlock::text(
                "Failed to search libraries: upstream search service returned \
                    503. Please try again later.",
            )]));
        }
        let cred = bearer(parts).unwrap_or_default();
        let is_jwt = cred.split('.').count() == 3 && cred.starts_with("eyJ");
        if is_jwt {
            if self.opts.user_not_provisioned {
                return Some(CallToolResult::error(vec![ContentBlock::text(
                    "Unauthorized: this user is not provisioned in the teamspace. \
                        Ask a teamspace admin to add them under Microsoft Entra ID \
                        users.",
                )]));
            }
            return None;
        }
        if cred == VALID_KEY {
            None
        } else {
            // Context7 answers a bad key on the tool call, with HTTP 200.
            Some(CallToolResult::success(vec![ContentBlock::text(
                INVALID_KEY_TEXT,
            )]))
        }
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
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("Context7", "4.0.0-sim"))
            .with_instructions("Use resolve-library-id, then query-docs.")
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        if self.opts.only_2026 {
            Cow::Owned(vec![ProtocolVersion::V_2026_07_28])
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

/// Start Context7 on a loopback port (on the current tokio runtime) and return its origin.
pub async fn start(opts: Context7Options) -> String {
    let opts = Arc::new(opts);
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(opts.sessions)
        .with_sse_keep_alive(None)
        .with_json_response(opts.json_response);
    // Every path is MCP (Context7 serves both /mcp and /mcp/oauth).
    let router = if opts.sessions {
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
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind Context7");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}
