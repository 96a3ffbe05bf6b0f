//! The simulated APIM gateway (guide 2 Parts 3 and 5): the MCP API at `/context7/mcp` with
//! `validate-azure-ad-token` and the `on-error` challenge, and the OAuth proxy API at the
//! root: PRM, AS metadata façade, `/authorize` (302 to Entra) and `/token` (forwarded to
//! Entra). A request that passes validation goes to [`super::gateway_proxy::forward`].
//!
//! Fault fields that hold URLs may use `{gateway}`, `{authority}`, `{elsewhere}` and
//! `{tenant}`; they are expanded per request.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::hostile;
use super::{API_PATH, SimState, gateway_proxy, tokens};

pub use hostile::Kind as Hostile;

/// Faults of the simulated APIM. `Default` is guide 2 done right.
#[derive(Debug, Default, Clone)]
pub struct ApimFaults {
    /// The gateway listener is a raw misbehaving server instead of APIM.
    pub hostile: Option<Hostile>,
    /// The `WWW-Authenticate` on a 401: `None` = the guide's; `Some("")` = none at all;
    /// otherwise this header value.
    pub challenge: Option<String>,
    /// A `WWW-Authenticate` value sent before the Bearer challenge: in the same header
    /// (`Basic realm=…, Bearer …`) or, with [`Self::challenge_first_separate`], as a header
    /// line of its own before it.
    pub challenge_first: Option<String>,
    pub challenge_first_separate: bool,
    /// The MCP API answers without validating a token (no validate-azure-ad-token).
    pub mcp_open: bool,
    /// No MCP API at `/context7` (404 like APIM's unmatched route).
    pub mcp_missing: bool,
    /// An HTML page (a proxy's block page) answers at the MCP URL.
    pub mcp_html: bool,
    /// The MCP endpoint answers 307 to this URL.
    pub mcp_redirect: Option<String>,
    /// validate-azure-ad-token rejects every token.
    pub reject_all_tokens: bool,

    /// No PRM operation (404).
    pub prm_missing: bool,
    /// The PRM answers 302 to this URL.
    pub prm_redirect: Option<String>,
    /// The PRM body, verbatim (after expansion).
    pub prm_body: Option<String>,
    /// PRM `resource` replaced by this URL.
    pub prm_resource: Option<String>,
    /// PRM `resource` = the gateway origin + this path.
    pub prm_resource_path: Option<String>,
    /// PRM `scopes_supported` replaced.
    pub prm_scopes: Option<Vec<String>>,
    /// The PRM streams a 1 GiB body.
    pub prm_huge: bool,
    /// The PRM is sent with this `Content-Encoding` though nobody asked: `gzip` compresses
    /// it; any other value labels the plain JSON with that encoding.
    pub prm_encoding: Option<&'static str>,
    /// The PRM is served only at the path-suffixed well-known URL
    /// (`/.well-known/oauth-protected-resource/context7/mcp`); the root URL answers 404.
    pub prm_path_suffixed_only: bool,
    /// The PRM operation answers only after this long (a slow backend behind it).
    pub prm_delay: Option<std::time::Duration>,
    /// The PRM operation holds its answer until the MCP endpoint has been asked something
    /// (10 s at most): a client that waits for the PRM before it speaks to the MCP endpoint
    /// gets the PRM only after those 10 s.
    pub prm_until_mcp: bool,

    /// No AS metadata operation (404).
    pub as_missing: bool,
    /// The AS metadata body, verbatim (after expansion).
    pub as_body: Option<String>,
    /// AS metadata without `code_challenge_methods_supported`.
    pub as_no_pkce: bool,
    /// AS metadata `issuer` replaced.
    pub as_issuer: Option<String>,
    /// AS metadata `scopes_supported` includes offline_access (as the guide's does).
    pub as_offline_access: bool,
    /// AS metadata `jwks_uri` replaced.
    pub jwks_uri: Option<String>,
    /// AS metadata without `response_types_supported` (RFC 8414 requires it).
    pub as_no_response_types: bool,
    /// The metadata is served only as `/.well-known/openid-configuration`, without the
    /// OpenID fields `subject_types_supported` and `id_token_signing_alg_values_supported`.
    pub as_openid_only: bool,

    /// `/authorize` answers 200 with Entra's sign-in HTML instead of a 302.
    pub authorize_proxied: bool,
    /// `/authorize` redirects without the query string.
    pub authorize_drops_query: bool,
    /// `/authorize` and `/token` pass the RFC 8707 `resource` parameter on to Entra (the
    /// guide's 302 keeps the whole query string). The default façade removes it, the field
    /// workaround for AADSTS9010010.
    pub forward_resource: bool,
    /// The redirect's path under the authority (default `/{tenant}/oauth2/v2.0/authorize`).
    pub authorize_path: Option<String>,
    /// `/authorize` follows Entra's redirects for a signed-in session and answers 302 straight
    /// back to the client's `redirect_uri` with an authorization code
    /// ([`super::entra_token::AUTHORIZATION_CODE`]) and the client's `state` (the leak suite
    /// plants it there).
    pub authorize_code: bool,

    /// No `/token` operation (404).
    pub token_missing: bool,
}

impl SimState {
    /// Expand `{gateway}`, `{authority}`, `{elsewhere}`, `{tenant}` in a fault value.
    pub fn expand(&self, s: &str) -> String {
        s.replace("{gateway}", &self.gateway)
            .replace("{authority}", &self.authority)
            .replace("{elsewhere}", &self.elsewhere)
            .replace("{tenant}", &self.ids.tenant_id)
    }
}

/// APIM's JSON error body.
pub fn apim_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json!({"statusCode": status.as_u16(), "message": message}).to_string(),
    )
        .into_response()
}

fn json_response(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

pub fn router(state: Arc<SimState>) -> axum::Router {
    axum::Router::new().fallback(move |req: Request| {
        let state = state.clone();
        async move { handle(state, req).await }
    })
}

async fn handle(state: Arc<SimState>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let mcp_path = format!("/{API_PATH}/mcp");
    let f = &state.profile.apim;
    if path == mcp_path {
        state.mcp_asked.send_replace(true);
    }
    match (method.clone(), path.as_str()) {
        (_, p) if p == mcp_path && !f.mcp_missing => mcp(state, req).await,
        (Method::GET, "/.well-known/oauth-protected-resource") if !f.prm_path_suffixed_only => {
            prm_when_due(&state).await
        }
        (Method::GET, p)
            if f.prm_path_suffixed_only
                && p == format!("/.well-known/oauth-protected-resource/{API_PATH}/mcp") =>
        {
            prm_when_due(&state).await
        }
        (Method::GET, "/.well-known/oauth-authorization-server") if !f.as_openid_only => {
            as_metadata(&state)
        }
        (Method::GET, "/.well-known/openid-configuration") if f.as_openid_only => {
            as_metadata(&state)
        }
        (Method::GET, "/authorize") => authorize(&state, req.uri().query()),
        (Method::POST, "/token") => token(state.clone(), req).await,
        _ => apim_error(StatusCode::NOT_FOUND, "Resource not found"),
    }
}

/// The 401 of the MCP API, with the on-error challenge of guide 2 Part 5 Step 3.
pub fn unauthorized(state: &SimState, message: &str) -> Response {
    let mut resp = apim_error(StatusCode::UNAUTHORIZED, message);
    let value = match &state.profile.apim.challenge {
        None => Some(format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
            state.gateway
        )),
        Some(s) if s.is_empty() => None,
        Some(s) => Some(state.expand(s)),
    };
    let first = state.profile.apim.challenge_first.as_deref();
    let value = match (first, value) {
        (Some(f), Some(v)) if !state.profile.apim.challenge_first_separate => {
            Some(format!("{f}, {v}"))
        }
        (Some(f), v) => {
            if let Ok(h) = HeaderValue::from_str(f) {
                resp.headers_mut().append(header::WWW_AUTHENTICATE, h);
            }
            v
        }
        (None, v) => v,
    };
    if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        resp.headers_mut().append(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// What reaches the MCP route, after validation.
pub struct Inbound {
    pub method: Method,
    pub uri: axum::http::Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The bearer token, when one was sent.
    pub token: Option<String>,
    /// Its claims, when it validated (always `None` for `mcp_open`).
    pub claims: Option<Value>,
}

async fn mcp(state: Arc<SimState>, req: Request) -> Response {
    let f = &state.profile.apim;
    if f.mcp_html {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Access to this site is blocked</title></head>\
             <body>Contoso web proxy</body></html>",
        )
            .into_response();
    }
    if let Some(to) = &f.mcp_redirect {
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, state.expand(to))],
        )
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        });
    let claims = if f.mcp_open {
        None
    } else {
        let Some(tok) = &token else {
            return unauthorized(&state, "Unauthorized. Access token is missing or invalid.");
        };
        if f.reject_all_tokens {
            return unauthorized(&state, "Unauthorized. Access token is missing or invalid.");
        }
        match tokens::validate_client_token(&state, tok) {
            Ok(c) => Some(c),
            Err(_why) => {
                return unauthorized(&state, "Unauthorized. Access token is missing or invalid.");
            }
        }
    };
    gateway_proxy::forward(
        state.clone(),
        Inbound {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            token,
            claims,
        },
    )
    .await
}

/// The PRM document of guide 2 Part 5, with the MCP URL as `resource`.
pub fn prm_document(state: &SimState) -> Value {
    let f = &state.profile.apim;
    let resource = if let Some(r) = &f.prm_resource {
        state.expand(r)
    } else if let Some(p) = &f.prm_resource_path {
        format!("{}{}", state.gateway, p)
    } else {
        state.mcp_url()
    };
    let scope = match state.profile.pattern {
        "obo" => format!("api://{}/Mcp.Gateway.Access", state.ids.gateway_app_id),
        _ => format!("api://{}/mcp.access", state.ids.mcp_app_id),
    };
    let scopes: Vec<String> = f.prm_scopes.clone().unwrap_or_else(|| vec![scope]);
    json!({
        "resource": resource,
        "authorization_servers": [state.gateway],
        "scopes_supported": scopes,
        "bearer_methods_supported": ["header"]
    })
}

/// The PRM after the faults that hold it back ([`ApimFaults::prm_delay`],
/// [`ApimFaults::prm_until_mcp`]).
async fn prm_when_due(state: &SimState) -> Response {
    let f = &state.profile.apim;
    if let Some(d) = f.prm_delay {
        tokio::time::sleep(d).await;
    }
    if f.prm_until_mcp {
        let mut asked = state.mcp_asked.subscribe();
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(10), asked.wait_for(|a| *a)).await;
    }
    prm(state)
}

fn prm(state: &SimState) -> Response {
    let f = &state.profile.apim;
    if f.prm_missing {
        return apim_error(StatusCode::NOT_FOUND, "Resource not found");
    }
    if let Some(to) = &f.prm_redirect {
        return (StatusCode::FOUND, [(header::LOCATION, state.expand(to))]).into_response();
    }
    if f.prm_huge {
        return hostile::huge_json_response();
    }
    let body = match &f.prm_body {
        Some(body) => state.expand(body),
        None => prm_document(state).to_string(),
    };
    match f.prm_encoding {
        Some(enc) => {
            let bytes = if enc == "gzip" {
                use std::io::Write;
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(body.as_bytes()).expect("gzip");
                gz.finish().expect("gzip")
            } else {
                body.into_bytes()
            };
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CONTENT_ENCODING, enc),
                ],
                bytes,
            )
                .into_response()
        }
        None => json_response(body),
    }
}

/// The AS metadata façade of guide 2 Part 5 (without offline_access unless asked).
pub fn as_document(state: &SimState) -> Value {
    let f = &state.profile.apim;
    let g = &state.gateway;
    let client_scope = match state.profile.pattern {
        "obo" => format!("api://{}/Mcp.Gateway.Access", state.ids.gateway_app_id),
        _ => format!("api://{}/mcp.access", state.ids.mcp_app_id),
    };
    let mut scopes = vec!["openid".to_string(), "profile".into(), "email".into()];
    if f.as_offline_access {
        scopes.push("offline_access".into());
    }
    scopes.push(client_scope);
    let mut doc = json!({
        "issuer": f.as_issuer.as_deref().map(|s| state.expand(s)).unwrap_or_else(|| g.clone()),
        "authorization_endpoint": format!("{g}/authorize"),
        "token_endpoint": format!("{g}/token"),
        "jwks_uri": f.jwks_uri.as_deref().map(|s| state.expand(s))
            .unwrap_or_else(|| format!("{}/{}/discovery/v2.0/keys", state.authority, state.ids.tenant_id)),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "scopes_supported": scopes,
    });
    if let Some(o) = doc.as_object_mut() {
        if f.as_no_pkce {
            o.remove("code_challenge_methods_supported");
        }
        if f.as_no_response_types {
            o.remove("response_types_supported");
        }
    }
    doc
}

fn as_metadata(state: &SimState) -> Response {
    let f = &state.profile.apim;
    if f.as_missing {
        return apim_error(StatusCode::NOT_FOUND, "Resource not found");
    }
    if let Some(body) = &f.as_body {
        return json_response(state.expand(body));
    }
    json_response(as_document(state).to_string())
}

fn authorize(state: &SimState, query: Option<&str>) -> Response {
    let f = &state.profile.apim;
    if f.authorize_code {
        return authorize_with_code(query);
    }
    if f.authorize_proxied {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Sign in to your account</title></head>\
             <body><form method=\"post\" action=\"/common/login\"></form></body></html>",
        )
            .into_response();
    }
    let path = f
        .authorize_path
        .as_deref()
        .map(|p| state.expand(p))
        .unwrap_or_else(|| format!("/{}/oauth2/v2.0/authorize", state.ids.tenant_id));
    let mut location = format!("{}{}", state.authority, path);
    if !f.authorize_drops_query
        && let Some(q) = query
    {
        let q = if f.forward_resource {
            q.to_string()
        } else {
            without_resource(q)
        };
        location.push('?');
        location.push_str(&q);
    }
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// A query string or form body without its `resource` parameters, every other parameter
/// kept byte for byte (the APIM policy that strips `resource` on /authorize and /token).
pub fn without_resource(q: &str) -> String {
    q.split('&')
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("");
            k != "resource"
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// 302 to the client's `redirect_uri` with [`super::entra_token::AUTHORIZATION_CODE`].
fn authorize_with_code(query: Option<&str>) -> Response {
    let form = super::entra_token::form(query.unwrap_or("").as_bytes());
    let field = |k: &str| {
        super::entra_token::field(&form, k)
            .unwrap_or("")
            .to_string()
    };
    let redirect = field("redirect_uri");
    let location = format!(
        "{}?{}",
        if redirect.is_empty() {
            "http://127.0.0.1:33418/"
        } else {
            &redirect
        },
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code", super::entra_token::AUTHORIZATION_CODE)
            .append_pair("state", &field("state"))
            .append_pair("session_state", "sim-session-state")
            .finish()
    );
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// `/token`: the OAuth proxy API forwards the form unchanged to the tenant's v2.0 token
/// endpoint and returns Entra's answer.
async fn token(state: Arc<SimState>, req: Request) -> Response {
    if state.profile.apim.token_missing {
        return apim_error(StatusCode::NOT_FOUND, "Resource not found");
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .unwrap_or_default();
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        state.authority, state.ids.tenant_id
    );
    let body = if state.profile.apim.forward_resource {
        body.to_vec()
    } else {
        without_resource(&String::from_utf8_lossy(&body)).into_bytes()
    };
    let mut rb = state.client.post(url).body(body);
    for name in [header::CONTENT_TYPE, header::ORIGIN] {
        if let Some(v) = parts.headers.get(&name) {
            rb = rb.header(name, v.clone());
        }
    }
    match rb.send().await {
        Ok(resp) => {
            let status =
                StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let ct = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .cloned()
                .unwrap_or(HeaderValue::from_static("application/json"));
            let bytes = resp.bytes().await.unwrap_or_default();
            let mut r = Response::new(Body::from(bytes));
            *r.status_mut() = status;
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
            r
        }
        Err(_) => apim_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
    }
}
