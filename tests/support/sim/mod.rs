//! The gateway simulator (DESIGN.md §7): loopback servers playing Entra, APIM and (behind
//! APIM) Context7, with named fault profiles.
//!
//! - [`profiles`]: the ONE table of named profiles (`profile("healthy")`); add a profile there.
//! - [`apim`]: the gateway — MCP route with token validation and the on-error challenge,
//!   PRM, AS metadata façade, `/authorize`, `/token`.
//! - [`gateway_proxy`]: what a validated MCP request is forwarded to (Context7).
//! - [`entra`] / [`entra_token`]: tenant OIDC document, JWKS, token endpoint.
//! - [`tokens`]: tokens signed with the test key.
//! - [`hostile`]: raw TCP servers that misbehave (black hole, trickle, 1 GiB body …).
//!
//! A [`Sim`] runs on its own tokio runtime on a background thread, so synchronous
//! `assert_cmd` tests can use it; dropping it stops every server.

pub mod apim;
pub mod context7;
pub mod entra;
pub mod entra_authorize;
pub mod entra_token;
pub mod gateway_proxy;
pub mod graph;
pub mod hostile;
pub mod profiles;
pub mod tokens;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

pub use profiles::{Profile, profile};

/// The API path of the MCP API in the simulated APIM (`--api-path` default).
pub const API_PATH: &str = "context7";

/// Default IDs, used unless `fixtures/tokens/ids.env` defines them.
pub const DEFAULT_TENANT_ID: &str = "7d3f0b2a-4c1e-4b8a-9f6d-2e5c8a1b3d70";
pub const DEFAULT_GATEWAY_APP_ID: &str = "3b9e6a14-8f2d-4c7b-a5e1-6d0c9f2b7a41";
pub const DEFAULT_MCP_APP_ID: &str = "c1a8f3e5-2b7d-4e9a-8c6f-0d4b2a9e5f17";

/// Tenant, gateway app and MCP API app IDs: `fixtures/tokens/ids.env` (`TENANT_ID=…`,
/// `GATEWAY_APP_ID=…`, `MCP_APP_ID=…`) when present, so simulator tokens and fixture
/// tokens agree; the defaults above otherwise.
#[derive(Debug, Clone)]
pub struct Ids {
    pub tenant_id: String,
    pub gateway_app_id: String,
    pub mcp_app_id: String,
    /// The signed-in user's `oid` in every simulator token.
    pub user_oid: String,
    /// A public client app that signs users in (passthrough / shared-key `azp`).
    pub client_app_id: String,
}

impl Ids {
    pub fn load() -> Ids {
        let path = super::fixture("tokens/ids.env");
        let mut map = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let line = line.trim();
                if line.starts_with('#') {
                    continue;
                }
                if let Some((k, v)) = line.split_once('=') {
                    let v = v.trim().trim_matches('"').trim_matches('\'');
                    map.insert(
                        k.trim().trim_start_matches("export ").to_string(),
                        v.to_string(),
                    );
                }
            }
        }
        let get = |k: &str, d: &str| map.get(k).cloned().unwrap_or_else(|| d.to_string());
        Ids {
            tenant_id: get("TENANT_ID", DEFAULT_TENANT_ID),
            gateway_app_id: get("GATEWAY_APP_ID", DEFAULT_GATEWAY_APP_ID),
            mcp_app_id: get("MCP_APP_ID", DEFAULT_MCP_APP_ID),
            user_oid: get("USER_OID", tokens::USER_OID),
            client_app_id: get("CLIENT_APP_ID", "aebc6443-996d-45c2-90f0-388ff96faa56"),
        }
    }
}

/// The simulator's clock: the tests' fixed `NOW`, as Unix seconds. Tokens are minted and
/// validated against it, so they agree with c7doctor under `C7DOCTOR_NOW`.
pub fn now_unix() -> i64 {
    super::NOW
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .unwrap_or(1_795_428_000)
}

/// One request a simulated server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `gateway`, `entra`, `elsewhere`, or a hostile server's name.
    pub server: &'static str,
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, up to 1 MiB.
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.uri.split('?').next().unwrap_or("")
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A log of requests shared by the servers.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<Recorded>>>);

impl RequestLog {
    pub fn push(&self, r: Recorded) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    }
    pub fn all(&self) -> Vec<Recorded> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Everything the simulated servers share.
pub struct SimState {
    pub profile: Profile,
    pub ids: Ids,
    /// `http://127.0.0.1:P` of the gateway (APIM).
    pub gateway: String,
    /// `http://127.0.0.1:Q`, the Entra authority.
    pub authority: String,
    /// `http://127.0.0.1:R`: "another host" (plays mcp.context7.com's own metadata, and the
    /// target of redirects elsewhere). It records every request it gets.
    pub elsewhere: String,
    pub log: RequestLog,
    /// Context7 behind the gateway (helper F's part).
    pub proxy: gateway_proxy::ProxyState,
    /// Entra token-endpoint state (device codes, OBO …).
    pub entra_token: entra_token::TokenState,
    /// For forwarding `/token` and OBO calls.
    pub client: reqwest::Client,
    /// Becomes `true` when the MCP endpoint is first asked something (for
    /// [`apim::ApimFaults::prm_until_mcp`]).
    pub mcp_asked: tokio::sync::watch::Sender<bool>,
}

impl SimState {
    /// The tenant's v2.0 issuer as the simulated Entra writes it.
    pub fn issuer(&self) -> String {
        format!("{}/{}/v2.0", self.authority, self.ids.tenant_id)
    }
    pub fn mcp_url(&self) -> String {
        format!("{}/{}/mcp", self.gateway, API_PATH)
    }
}

/// A tokio runtime on a background thread, stopped (with every task on it) on drop.
pub struct Background {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub handle: tokio::runtime::Handle,
}

impl Background {
    pub fn start() -> Background {
        let (htx, hrx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("simulator runtime");
            let _ = htx.send(rt.handle().clone());
            rt.block_on(async {
                let _ = stop_rx.await;
            });
            rt.shutdown_timeout(Duration::from_millis(200));
        });
        let handle = hrx.recv().expect("simulator runtime started");
        Background {
            stop: Some(stop),
            thread: Some(thread),
            handle,
        }
    }

    /// Bind a loopback listener on the runtime.
    pub fn bind(&self) -> tokio::net::TcpListener {
        let std_listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let _guard = self.handle.enter();
        tokio::net::TcpListener::from_std(std_listener).expect("tokio listener")
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn url_of(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// A running simulator.
pub struct Sim {
    /// `http://127.0.0.1:P`: the gateway (APIM).
    pub gateway: String,
    /// `http://127.0.0.1:Q`: the Entra authority.
    pub authority: String,
    /// `http://127.0.0.1:R`: another host that records every request.
    pub elsewhere: String,
    pub tenant_id: String,
    pub gateway_app_id: String,
    pub mcp_app_id: String,
    pub state: Arc<SimState>,
    bg: Background,
}

impl Sim {
    /// Start the simulator with a named profile (see [`profiles::profile`]).
    pub fn start(profile_name: &str) -> Sim {
        Sim::with(profile(profile_name))
    }

    /// Start the simulator with a profile value (e.g. a named one with a field changed).
    pub fn with(profile: Profile) -> Sim {
        let bg = Background::start();
        let gw_listener = bg.bind();
        let entra_listener = bg.bind();
        let else_listener = bg.bind();
        let gateway = url_of(gw_listener.local_addr().expect("addr"));
        let authority = url_of(entra_listener.local_addr().expect("addr"));
        let elsewhere = url_of(else_listener.local_addr().expect("addr"));
        let ids = Ids::load();
        let proxy = bg.handle.block_on(gateway_proxy::ProxyState::start(
            &profile, &ids, &gateway, &authority,
        ));
        let state = Arc::new(SimState {
            profile,
            ids: ids.clone(),
            gateway: gateway.clone(),
            authority: authority.clone(),
            elsewhere: elsewhere.clone(),
            log: RequestLog::default(),
            proxy,
            entra_token: entra_token::TokenState::default(),
            mcp_asked: tokio::sync::watch::Sender::new(false),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
        });
        {
            let _guard = bg.handle.enter();
            if let Some(kind) = state.profile.apim.hostile {
                let log = state.log.clone();
                bg.handle.spawn(hostile::serve(
                    gw_listener,
                    kind,
                    "gateway",
                    log,
                    hostile::Context::for_gateway(&gateway, &elsewhere),
                ));
            } else {
                serve(
                    &bg,
                    gw_listener,
                    apim::router(state.clone()),
                    state.clone(),
                    "gateway",
                );
            }
            serve(
                &bg,
                entra_listener,
                entra::router(state.clone()),
                state.clone(),
                "entra",
            );
            serve(
                &bg,
                else_listener,
                elsewhere_router(state.clone()),
                state.clone(),
                "elsewhere",
            );
        }
        Sim {
            gateway,
            authority,
            elsewhere,
            tenant_id: ids.tenant_id,
            gateway_app_id: ids.gateway_app_id,
            mcp_app_id: ids.mcp_app_id,
            state,
            bg,
        }
    }

    /// c7doctor's global options for this simulator.
    pub fn args(&self) -> Vec<String> {
        vec![
            "--host".into(),
            self.gateway.clone(),
            "--authority".into(),
            self.authority.clone(),
            "--tenant-id".into(),
            self.tenant_id.clone(),
            "--gateway-app-id".into(),
            self.gateway_app_id.clone(),
            "--mcp-app-id".into(),
            self.mcp_app_id.clone(),
            "--pattern".into(),
            self.state.profile.pattern.to_string(),
        ]
    }

    /// The MCP endpoint (`<gateway>/context7/mcp`).
    pub fn mcp_url(&self) -> String {
        self.state.mcp_url()
    }

    /// Every request any simulated server received, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.all()
    }

    /// Requests one server received (`gateway`, `entra`, `elsewhere`).
    pub fn requests_to(&self, server: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.server == server)
            .collect()
    }

    /// A valid client-hop token for this simulator's pattern (what a client sends APIM).
    pub fn client_token(&self) -> String {
        tokens::client_token(&self.state).sign()
    }

    /// The runtime the servers run on (to spawn more servers next to them).
    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.bg.handle
    }
}

/// A listener whose connections send each write at once (`TCP_NODELAY`), as production
/// HTTP servers do. Without it a server's last small write of a response (an event
/// stream's closing chunk) waits for the client's ACK of the data before it, which Linux
/// delays by up to 40 ms on a connection past its first exchanges: a stall of the
/// simulator's own making that the latency benchmark would otherwise count.
pub fn no_delay(
    listener: tokio::net::TcpListener,
) -> impl axum::serve::Listener<Addr = std::net::SocketAddr> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    })
}

/// Serve an axum router on a listener, with request recording and the profile's latency.
fn serve(
    bg: &Background,
    listener: tokio::net::TcpListener,
    router: axum::Router,
    state: Arc<SimState>,
    name: &'static str,
) {
    let router = router.layer(axum::middleware::from_fn_with_state(
        (state, name),
        record_and_delay,
    ));
    bg.handle.spawn(async move {
        let _ = axum::serve(no_delay(listener), router).await;
    });
}

/// Middleware: record the request (body up to 1 MiB), answer, then wait the profile's
/// latency before the response leaves.
async fn record_and_delay(
    State((state, name)): State<(Arc<SimState>, &'static str)>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .unwrap_or_default();
    state.log.push(Recorded {
        server: name,
        method: parts.method.to_string(),
        uri: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: bytes.to_vec(),
    });
    let req = Request::from_parts(parts, Body::from(bytes));
    let resp = next.run(req).await;
    if state.profile.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.profile.latency_ms)).await;
    }
    resp
}

/// "Another host": Context7's own discovery surface (its PRM names Context7's
/// authorization server, not Entra) and the landing place of redirects elsewhere.
fn elsewhere_router(state: Arc<SimState>) -> axum::Router {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    axum::Router::new().fallback(move |req: Request| {
        let state = state.clone();
        async move {
            let path = req.uri().path().to_string();
            let base = &state.elsewhere;
            match path.as_str() {
                "/.well-known/oauth-protected-resource" => (
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({
                        "resource": format!("{base}/mcp"),
                        "authorization_servers": [base],
                        "scopes_supported": ["openid", "profile", "email"],
                        "bearer_methods_supported": ["header"]
                    })
                    .to_string(),
                )
                    .into_response(),
                "/.well-known/oauth-authorization-server" => (
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({
                        "issuer": base,
                        "authorization_endpoint": format!("{base}/authorize"),
                        "token_endpoint": format!("{base}/token"),
                        "registration_endpoint": format!("{base}/register"),
                        "response_types_supported": ["code"],
                        "code_challenge_methods_supported": ["S256"]
                    })
                    .to_string(),
                )
                    .into_response(),
                _ => (
                    StatusCode::UNAUTHORIZED,
                    [
                        (header::CONTENT_TYPE, "application/json".to_string()),
                        (
                            header::WWW_AUTHENTICATE,
                            format!(
                                "Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource\""
                            ),
                        ),
                    ],
                    r#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"Authentication required. Please authenticate to use this MCP server."},"id":null}"#,
                )
                    .into_response(),
            }
        }
    })
}
