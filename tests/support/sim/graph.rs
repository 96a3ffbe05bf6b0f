//! The simulated Microsoft Graph: the read-only GETs `c7doctor apps --graph` makes
//! (`/v1.0/applications`, `/v1.0/servicePrincipals`, `/v1.0/oauth2PermissionGrants`, each
//! with `$filter`), answered from the documents in `fixtures/apps/` — healthy, or with one
//! registration mistake ([`Broken`]) — and Graph's error answers and paging.
//!
//! [`Broken::apply`] is also what the offline tests use to write broken documents, so a
//! mistake looks the same in a file and through Graph.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Background;

/// The bearer token the simulated Graph accepts.
pub const GRAPH_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJub25jZSI6InNpbS1ncmFwaCIsImFsZyI6IlJTMjU2In0.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJzY3AiOiJBcHBsaWNhdGlvbi5SZWFkLkFsbCJ9.c2ltdWxhdGVkLWdyYXBoLXNpZ25hdHVyZS1ub3QtcmVhbA";

/// The requests the simulated Graph received: `METHOD path?query` and the Authorization header.
#[derive(Debug, Clone, Default)]
pub struct RecordedGraph(Arc<Mutex<Vec<(String, String)>>>);

impl RecordedGraph {
    fn push(&self, line: String, auth: String) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((line, auth));
    }
    /// Every request line, in arrival order.
    pub fn lines(&self) -> Vec<String> {
        let v = self.0.lock().unwrap_or_else(|e| e.into_inner());
        v.iter().map(|(l, _)| l.clone()).collect()
    }
}

/// The five documents of a deployment, as Graph holds them.
#[derive(Debug, Clone)]
pub struct Docs {
    pub gateway_app: Value,
    pub mcp_app: Value,
    pub gateway_sp: Value,
    pub mcp_sp: Value,
    /// The grants answer (`{"value": [...]}`).
    pub grants: Value,
}

fn load(name: &str) -> Value {
    let path = crate::support::fixture(&format!("apps/{name}"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

impl Docs {
    /// The healthy pair of `fixtures/apps/`.
    pub fn healthy() -> Docs {
        Docs {
            gateway_app: load("gateway-app.json"),
            mcp_app: load("mcp-app.json"),
            gateway_sp: load("gateway-sp.json"),
            mcp_sp: load("mcp-sp.json"),
            grants: load("grants.json"),
        }
    }

    /// The healthy pair with these mistakes made.
    pub fn broken(broken: &[Broken]) -> Docs {
        let mut d = Docs::healthy();
        for b in broken {
            b.apply(&mut d);
        }
        d
    }

    /// Write the five documents into `dir`; returns their paths.
    pub fn write(&self, dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        [
            ("gateway-app.json", &self.gateway_app),
            ("mcp-app.json", &self.mcp_app),
            ("gateway-sp.json", &self.gateway_sp),
            ("mcp-sp.json", &self.mcp_sp),
            ("grants.json", &self.grants),
        ]
        .into_iter()
        .map(|(name, v)| {
            let p = dir.join(name);
            std::fs::write(&p, serde_json::to_string_pretty(v).expect("json")).expect("write");
            p
        })
        .collect()
    }
}

/// One registration mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    /// The Gateway app's manifest never saved `requestedAccessTokenVersion` (null).
    GatewayTokenV1,
    /// The MCP API app has no Application ID URI.
    McpNoIdentifierUri,
    /// The MCP API's scope is `mcp.Access` (case).
    McpScopeCase,
    /// The Gateway's scope is `Mcp.Gateway.Acess` (typo).
    GatewayScopeTypo,
    /// The MCP API's scope is disabled.
    McpScopeDisabled,
    /// No `mcp.access` anywhere on the Gateway side: no permission, no grant, no pre-authorization.
    NoPermission,
    /// The permission is listed, never consented, and the Gateway is not pre-authorized.
    NoConsent,
    /// The Gateway is not pre-authorized on the MCP API (admin consent still there).
    NoGatewayPreauth,
    /// Neither VS Code nor the Azure CLI is pre-authorized on the Gateway scope.
    NoClientPreauth,
    /// The Gateway app has no secret.
    NoSecret,
    /// The Gateway app's only secret ended on 2026-10-01.
    SecretExpired,
    /// The Gateway app's only secret ends on 2026-12-10 (17 days after the tests' NOW).
    SecretExpiring,
    /// No `https://vscode.dev/redirect` at all.
    NoRedirect,
    /// `https://vscode.dev/redirect` registered as a single-page application URI.
    RedirectAsSpa,
    /// The Gateway app is multi-tenant.
    MultiTenant,
    /// The Gateway app's application is not in the tenant (Graph answers an empty list).
    GatewayMissing,
}

fn set(v: &mut Value, pointer: &str, new: Value) {
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("fixture has {pointer}")) = new;
}

impl Broken {
    pub fn apply(self, d: &mut Docs) {
        match self {
            Broken::GatewayTokenV1 => set(
                &mut d.gateway_app,
                "/api/requestedAccessTokenVersion",
                Value::Null,
            ),
            Broken::McpNoIdentifierUri => set(&mut d.mcp_app, "/identifierUris", json!([])),
            Broken::McpScopeCase => set(
                &mut d.mcp_app,
                "/api/oauth2PermissionScopes/0/value",
                json!("mcp.Access"),
            ),
            Broken::GatewayScopeTypo => set(
                &mut d.gateway_app,
                "/api/oauth2PermissionScopes/0/value",
                json!("Mcp.Gateway.Acess"),
            ),
            Broken::McpScopeDisabled => set(
                &mut d.mcp_app,
                "/api/oauth2PermissionScopes/0/isEnabled",
                json!(false),
            ),
            Broken::NoPermission => {
                let rra = d.gateway_app["requiredResourceAccess"]
                    .as_array_mut()
                    .expect("list");
                rra.retain(|r| r["resourceAppId"] != "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
                set(&mut d.mcp_app, "/api/preAuthorizedApplications", json!([]));
                remove_mcp_grant(d);
            }
            Broken::NoConsent => {
                set(&mut d.mcp_app, "/api/preAuthorizedApplications", json!([]));
                remove_mcp_grant(d);
            }
            Broken::NoGatewayPreauth => {
                set(&mut d.mcp_app, "/api/preAuthorizedApplications", json!([]))
            }
            Broken::NoClientPreauth => set(
                &mut d.gateway_app,
                "/api/preAuthorizedApplications",
                json!([]),
            ),
            Broken::NoSecret => set(&mut d.gateway_app, "/passwordCredentials", json!([])),
            Broken::SecretExpired => set(
                &mut d.gateway_app,
                "/passwordCredentials/0/endDateTime",
                json!("2026-10-01T00:00:00Z"),
            ),
            Broken::SecretExpiring => set(
                &mut d.gateway_app,
                "/passwordCredentials/0/endDateTime",
                json!("2026-12-10T08:00:00.000Z"),
            ),
            Broken::NoRedirect => {
                set(&mut d.gateway_app, "/web/redirectUris", json!([]));
                set(&mut d.gateway_app, "/web/redirectUriSettings", json!([]));
            }
            Broken::RedirectAsSpa => {
                set(&mut d.gateway_app, "/web/redirectUris", json!([]));
                set(
                    &mut d.gateway_app,
                    "/spa/redirectUris",
                    json!(["https://vscode.dev/redirect"]),
                );
            }
            Broken::MultiTenant => set(
                &mut d.gateway_app,
                "/signInAudience",
                json!("AzureADMultipleOrgs"),
            ),
            Broken::GatewayMissing => d.gateway_app = Value::Null,
        }
    }
}

fn remove_mcp_grant(d: &mut Docs) {
    d.grants["value"]
        .as_array_mut()
        .expect("grants")
        .retain(|g| g["scope"] != "mcp.access");
}

/// An error Graph answers instead of a collection.
#[derive(Debug, Clone)]
pub struct GraphError {
    /// Which collection: `applications`, `servicePrincipals`, `oauth2PermissionGrants`, or `*`.
    pub collection: &'static str,
    pub status: u16,
    /// Graph's `error.code` (`Authorization_RequestDenied`, `InvalidAuthenticationToken` …).
    pub code: &'static str,
    pub retry_after: Option<u32>,
}

/// Faults of the simulated Graph. `Default` is a healthy tenant.
#[derive(Debug, Clone, Default)]
pub struct GraphFaults {
    pub broken: Vec<Broken>,
    pub error: Option<GraphError>,
    /// Page the grants: this many per page, with `@odata.nextLink`.
    pub page_size: Option<usize>,
    /// `@odata.nextLink` of the grants points at the first page again.
    pub next_link_loop: bool,
    /// Answer HTML (a proxy's page) with status 200.
    pub html: bool,
}

struct GraphState {
    docs: Docs,
    faults: GraphFaults,
    base: String,
    log: RecordedGraph,
}

/// A running simulated Graph.
pub struct GraphSim {
    /// `http://127.0.0.1:P` — give it as `--graph-url`.
    pub url: String,
    pub log: RecordedGraph,
    _bg: Option<Background>,
}

impl GraphSim {
    /// Start a Graph on its own runtime.
    pub fn start(faults: GraphFaults) -> GraphSim {
        let bg = Background::start();
        let (url, log) = serve(&bg.handle, faults);
        GraphSim {
            url,
            log,
            _bg: Some(bg),
        }
    }

    /// Start a Graph next to a running gateway simulator (for e2e).
    pub fn beside(sim: &super::Sim, faults: GraphFaults) -> GraphSim {
        let (url, log) = serve(sim.handle(), faults);
        GraphSim {
            url,
            log,
            _bg: None,
        }
    }
}

fn serve(handle: &tokio::runtime::Handle, faults: GraphFaults) -> (String, RecordedGraph) {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    std_listener.set_nonblocking(true).expect("nonblocking");
    let addr: SocketAddr = std_listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let log = RecordedGraph::default();
    let state = Arc::new(GraphState {
        docs: Docs::broken(&faults.broken),
        faults,
        base: base.clone(),
        log: log.clone(),
    });
    let _guard = handle.enter();
    let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
    let router = axum::Router::new().fallback(move |req: Request| {
        let state = state.clone();
        async move { answer(&state, req) }
    });
    handle.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (base, log)
}

fn graph_error(status: u16, code: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": {"code": code, "message": message,
            "innerError": {"date": "2026-11-23T10:00:00", "request-id": "5b0e7c1a-0000-4000-8000-000000000001"}}})
        .to_string(),
    )
        .into_response()
}

fn collection(base: &str, name: &str, items: Vec<Value>, next: Option<String>) -> Response {
    let mut body = json!({
        "@odata.context": format!("{base}/v1.0/$metadata#{name}"),
        "value": items,
    });
    if let Some(n) = next {
        body["@odata.nextLink"] = json!(n);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/json;odata.metadata=minimal",
        )],
        body.to_string(),
    )
        .into_response()
}

/// The quoted value of `<field> eq '<value>'` in `$filter`.
fn filter_value(query: &str, field: &str) -> Option<String> {
    let filter = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "$filter")
        .map(|(_, v)| v.into_owned())?;
    let rest = filter.strip_prefix(&format!("{field} eq '"))?;
    Some(rest.trim_end_matches('\'').to_string())
}

fn answer(state: &GraphState, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    state
        .log
        .push(format!("{} {path}?{query}", req.method()), auth.clone());
    if req.method() != axum::http::Method::GET {
        return graph_error(405, "Request_BadRequest", "Only GET is simulated");
    }
    if auth != format!("Bearer {GRAPH_TOKEN}") {
        return graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure. Invalid audience.",
        );
    }
    if state.faults.html {
        return (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Proxy authentication required</body></html>",
        )
            .into_response();
    }
    let name = path.strip_prefix("/v1.0/").unwrap_or("");
    if let Some(e) = &state.faults.error
        && (e.collection == "*" || e.collection == name)
    {
        let mut resp = graph_error(
            e.status,
            e.code,
            match e.status {
                403 => "Insufficient privileges to complete the operation.",
                429 => "Too many requests.",
                _ => "The service is temporarily unavailable.",
            },
        );
        if let Some(s) = e.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, s.to_string().parse().expect("header"));
        }
        return resp;
    }
    let d = &state.docs;
    match name {
        "applications" | "servicePrincipals" => {
            let Some(app_id) = filter_value(&query, "appId") else {
                return graph_error(400, "Request_BadRequest", "Unsupported query.");
            };
            let docs = if name == "applications" {
                [&d.gateway_app, &d.mcp_app]
            } else {
                [&d.gateway_sp, &d.mcp_sp]
            };
            let items = docs
                .into_iter()
                .filter(|v| v["appId"].as_str() == Some(app_id.as_str()))
                .cloned()
                .collect();
            collection(&state.base, name, items, None)
        }
        "oauth2PermissionGrants" => {
            let Some(client) = filter_value(&query, "clientId") else {
                return graph_error(400, "Request_BadRequest", "Unsupported query.");
            };
            let all: Vec<Value> = d.grants["value"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|g| g["clientId"].as_str() == Some(client.as_str()))
                .collect();
            let Some(size) = state.faults.page_size else {
                return collection(&state.base, name, all, None);
            };
            let skip: usize = url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "$skiptoken")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let page: Vec<Value> = all.iter().skip(skip).take(size).cloned().collect();
            let first = format!(
                "{}/v1.0/oauth2PermissionGrants?{}",
                state.base,
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("$filter", &format!("clientId eq '{client}'"))
                    .finish()
            );
            let next = if state.faults.next_link_loop {
                Some(first)
            } else if skip + size < all.len() {
                Some(format!("{first}&$skiptoken={}", skip + size))
            } else {
                None
            };
            collection(&state.base, name, page, next)
        }
        _ => graph_error(
            404,
            "Request_ResourceNotFound",
            "Resource not found for the segment.",
        ),
    }
}
