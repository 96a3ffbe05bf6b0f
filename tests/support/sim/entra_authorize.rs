//! The simulated Entra authorize endpoint and the user's sign-in, as MCP clients meet them
//! through the gateway's `/authorize` redirect:
//!
//! - `GET <authority>/<tenant>/oauth2/v2.0/authorize`: the checks Entra makes before it shows
//!   a sign-in page — unknown `client_id` (AADSTS700016, an error page: Entra cannot trust
//!   the redirect URI), a `redirect_uri` not registered on the app (AADSTS500113 when it has
//!   none, AADSTS50011 otherwise; error pages), a `resource` that is not an identifier of the
//!   API the scopes name (AADSTS9010010, redirected back with `error=`) — then the sign-in
//!   page. Which of these real Entra answers before sign-in is not documented; the profiles
//!   can move the `resource` check after the sign-in ([`EntraFaults::resource_after_sign_in`]).
//! - The sign-in page holds a form (`id="sim-sign-in"`) that the TypeScript judges submit to
//!   play the user; the answer is a 302 back to the client's redirect URI with a one-time
//!   code bound to the request (client, redirect URI, PKCE challenge, scope, resource).
//! - [`redeem`]: the code grant at the token endpoint, checked like Entra: redirect URI,
//!   PKCE verifier (AADSTS501481), `resource` (AADSTS9010010), a redirect URI registered as
//!   Web needing a client secret (AADSTS7000218), a code used twice (AADSTS54005).
//!
//! The gateway app's registration (guide 2 Part 2) is modelled in [`registration`].

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::SimState;
use super::entra::EntraFaults;
use super::entra_token::{TRACE_ID, entra_error, field, form};

/// What the tenant knows about an app a client signs in with.
pub struct Registration {
    pub client_id: String,
    /// `identifierUris` of the API the client's scopes name.
    pub identifier_uris: Vec<String>,
    /// Redirect URIs of the "Mobile and desktop applications" platform (public client: the
    /// code exchange needs no secret). Loopback ports are ignored, as Entra does.
    pub public_redirects: Vec<String>,
    /// Redirect URIs of the "Web" platform (the code exchange needs a client secret).
    pub web_redirects: Vec<String>,
}

/// The registration of the app a client signs in with (the gateway app for obo, the MCP
/// API app otherwise), after the profile's faults.
pub fn registration(state: &SimState) -> Registration {
    let f: &EntraFaults = &state.profile.entra;
    let client_id = match state.profile.pattern {
        "obo" => state.ids.gateway_app_id.clone(),
        _ => state.ids.mcp_app_id.clone(),
    };
    let mut identifier_uris = vec![format!("api://{client_id}")];
    if let Some(extra) = &f.extra_identifier_uri {
        identifier_uris.push(state.expand(extra));
    }
    let loopback = vec![
        "http://127.0.0.1/".to_string(),
        "http://localhost/callback".to_string(),
    ];
    let (public_redirects, mut web_redirects) = match &f.redirect_uris {
        Some(list) => (list.iter().map(|u| state.expand(u)).collect(), vec![]),
        None if f.redirects_web_only => (vec![], loopback),
        None => (loopback, vec![]),
    };
    if !f.no_vscode_redirect {
        web_redirects.push("https://vscode.dev/redirect".to_string());
    }
    if f.no_redirect_uris {
        return Registration {
            client_id,
            identifier_uris,
            public_redirects: vec![],
            web_redirects: vec![],
        };
    }
    Registration {
        client_id,
        identifier_uris,
        public_redirects,
        web_redirects,
    }
}

/// Entra's loopback rule: for `http://127.0.0.1` and `http://localhost` the port is ignored.
fn redirect_matches(registered: &str, asked: &str) -> bool {
    let (Ok(r), Ok(a)) = (url::Url::parse(registered), url::Url::parse(asked)) else {
        return false;
    };
    let loopback = matches!(a.host_str(), Some("127.0.0.1" | "localhost"));
    r.scheme() == a.scheme()
        && r.host_str() == a.host_str()
        && (loopback || r.port_or_known_default() == a.port_or_known_default())
        && r.path() == a.path()
}

enum Platform {
    Public,
    Web,
}

fn platform_of(reg: &Registration, redirect: &str) -> Option<Platform> {
    if reg
        .public_redirects
        .iter()
        .any(|r| redirect_matches(r, redirect))
    {
        Some(Platform::Public)
    } else if reg
        .web_redirects
        .iter()
        .any(|r| redirect_matches(r, redirect))
    {
        Some(Platform::Web)
    } else {
        None
    }
}

/// Is `resource` an identifier of the API the scopes name (Entra's AADSTS9010010 rule)?
/// No `resource` at all is always fine.
fn resource_ok(reg: &Registration, resource: Option<&str>, scope: &str) -> bool {
    let Some(resource) = resource else {
        return true;
    };
    let resource = resource.trim_end_matches('/');
    let named: Vec<&str> = scope
        .split_whitespace()
        .filter_map(|s| s.rsplit_once('/').map(|(api, _)| api))
        .collect();
    // The scopes must name this app (by one of its identifiers), and `resource` must be
    // one of its identifiers.
    let names_app = named
        .iter()
        .any(|n| reg.identifier_uris.iter().any(|id| id == n));
    names_app
        && reg
            .identifier_uris
            .iter()
            .any(|id| id.trim_end_matches('/') == resource)
}

fn resource_message(resource: &str) -> String {
    format!(
        "The resource parameter provided in the request doesn't match with the requested scopes. Resource: '{resource}'."
    )
}

/// Entra's HTML error page (what the browser shows when it cannot redirect back).
fn error_page(code: u32, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>\
         <div id=\"login_workload_logo_text\">Sorry, but we're having trouble signing you in.</div>\
         <div class=\"error-text\">AADSTS{code}: {}</div>\
         <div>Request Id: {TRACE_ID}</div></body></html>",
        html_escape(message)
    );
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// 302 back to the client with `error=` / `error_description=AADSTS…`.
fn error_redirect(redirect: &str, state: &str, error: &str, code: u32, message: &str) -> Response {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", error)
        .append_pair(
            "error_description",
            &format!("AADSTS{code}: {message} Trace ID: {TRACE_ID}"),
        )
        .append_pair(
            "error_uri",
            &format!("https://login.microsoftonline.com/error?code={code}"),
        )
        .append_pair("state", state)
        .finish();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{redirect}{sep}{q}"))],
    )
        .into_response()
}

/// What Entra checks before it shows the sign-in page; `None` means it shows the page.
fn before_sign_in(state: &SimState, q: &[(String, String)]) -> Option<Response> {
    let reg = registration(state);
    let client_id = field(q, "client_id").unwrap_or("");
    if !client_id.eq_ignore_ascii_case(&reg.client_id) {
        return Some(error_page(
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
                state.ids.tenant_id
            ),
        ));
    }
    let redirect = field(q, "redirect_uri").unwrap_or("");
    if reg.public_redirects.is_empty() && reg.web_redirects.is_empty() {
        return Some(error_page(
            500113,
            "No reply address is registered for the application.",
        ));
    }
    if platform_of(&reg, redirect).is_none() {
        return Some(error_page(
            50011,
            &format!(
                "The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."
            ),
        ));
    }
    if field(q, "response_type") != Some("code") {
        return Some(error_redirect(
            redirect,
            field(q, "state").unwrap_or(""),
            "unsupported_response_type",
            700054,
            "response_type 'id_token' is not enabled for the application.",
        ));
    }
    if let Some(r) = scope_refused(&reg, q) {
        return Some(r);
    }
    if !state.profile.entra.resource_after_sign_in
        && let Some(r) = resource_refused(&reg, q)
    {
        return Some(r);
    }
    None
}

/// OpenID scopes Entra resolves without a resource.
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// No scope (AADSTS900144), or a short scope name Entra resolves against Microsoft Graph
/// (AADSTS650053: the `api://…/` prefix is missing).
fn scope_refused(_reg: &Registration, q: &[(String, String)]) -> Option<Response> {
    let redirect = field(q, "redirect_uri").unwrap_or("");
    let st = field(q, "state").unwrap_or("");
    let scope = field(q, "scope").unwrap_or("").trim();
    if scope.is_empty() {
        return Some(error_redirect(
            redirect,
            st,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        ));
    }
    let short = scope
        .split_whitespace()
        .find(|s| !OIDC_SCOPES.contains(s) && !s.contains("://") && !s.contains('/'));
    short.map(|s| {
        error_redirect(
            redirect,
            st,
            "invalid_client",
            650053,
            &format!(
                "The application 'Context7 APIM Gateway' asked for scope '{s}' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'. Contact the app vendor."
            ),
        )
    })
}

fn resource_refused(reg: &Registration, q: &[(String, String)]) -> Option<Response> {
    let resource = field(q, "resource");
    let scope = field(q, "scope").unwrap_or("");
    if resource_ok(reg, resource, scope) {
        return None;
    }
    Some(error_redirect(
        field(q, "redirect_uri").unwrap_or(""),
        field(q, "state").unwrap_or(""),
        "invalid_target",
        9010010,
        &resource_message(resource.unwrap_or("")),
    ))
}

/// `GET …/oauth2/v2.0/authorize`.
pub fn authorize(state: &SimState, query: Option<&str>) -> Response {
    let q = form(query.unwrap_or("").as_bytes());
    if state.profile.entra.authorize_leaks_code {
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code", super::entra_token::AUTHORIZATION_CODE)
            .append_pair("error", "access_denied")
            .append_pair(
                "error_description",
                "AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access.",
            )
            .append_pair("state", field(&q, "state").unwrap_or(""))
            .finish();
        return (
            StatusCode::FOUND,
            [(
                header::LOCATION,
                format!("{}?{qs}", field(&q, "redirect_uri").unwrap_or("")),
            )],
        )
            .into_response();
    }
    if let Some(r) = before_sign_in(state, &q) {
        return r;
    }
    let tid = &state.ids.tenant_id;
    let body = format!(
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>\
         <form id=\"sim-sign-in\" method=\"post\" action=\"/{tid}/oauth2/v2.0/sim-sign-in\">\
         <input type=\"hidden\" name=\"request\" value=\"{}\"></form></body></html>",
        html_escape(query.unwrap_or(""))
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// One code issued after a sign-in.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub code: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub scope: String,
    pub redeemed: bool,
}

/// `POST …/oauth2/v2.0/sim-sign-in`: the user signed in; back to the client with a code.
pub fn sign_in(state: &SimState, body: &[u8]) -> Response {
    let f = form(body);
    let request = field(&f, "request").unwrap_or("");
    let q = form(request.as_bytes());
    if let Some(r) = before_sign_in(state, &q) {
        return r;
    }
    let reg = registration(state);
    if let Some(r) = resource_refused(&reg, &q) {
        return r;
    }
    let redirect = field(&q, "redirect_uri").unwrap_or("").to_string();
    let codes = &state.entra_token.codes;
    let mut codes = codes.lock().unwrap_or_else(|e| e.into_inner());
    let code = format!("1.AQ4Asim-signed-in-code-{:04}-secret", codes.len() + 1);
    codes.push(IssuedCode {
        code: code.clone(),
        client_id: field(&q, "client_id").unwrap_or("").to_string(),
        redirect_uri: redirect.clone(),
        code_challenge: field(&q, "code_challenge").map(str::to_string),
        scope: field(&q, "scope").unwrap_or("").to_string(),
        redeemed: false,
    });
    let qs = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("state", field(&q, "state").unwrap_or(""))
        .append_pair("session_state", "sim-session-state")
        .finish();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{redirect}{sep}{qs}"))],
    )
        .into_response()
}

/// The code grant for a code [`sign_in`] issued; `None` when the code is not one of them.
pub fn redeem(state: &SimState, f: &[(String, String)]) -> Option<Response> {
    let code = field(f, "code")?;
    let issued = {
        let mut codes = state
            .entra_token
            .codes
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let c = codes.iter_mut().find(|c| c.code == code)?;
        let before = c.clone();
        c.redeemed = true;
        before
    };
    let bad = |status: StatusCode, error: &str, code: u32, msg: &str| {
        Some(entra_error(state, status, error, code, msg))
    };
    if issued.redeemed {
        return bad(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        );
    }
    if field(f, "client_id") != Some(issued.client_id.as_str()) {
        return bad(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        );
    }
    if field(f, "redirect_uri") != Some(issued.redirect_uri.as_str()) {
        return bad(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50011,
            "The redirect URI specified in the request does not match the redirect URI used to obtain the authorization code.",
        );
    }
    if let Some(challenge) = &issued.code_challenge {
        let verifier = field(f, "code_verifier").unwrap_or("");
        let got = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        if &got != challenge {
            return bad(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            );
        }
    }
    let reg = registration(state);
    if !resource_ok(&reg, field(f, "resource"), &issued.scope) {
        return bad(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            9010010,
            &resource_message(field(f, "resource").unwrap_or("")),
        );
    }
    if matches!(platform_of(&reg, &issued.redirect_uri), Some(Platform::Web))
        && field(f, "client_secret").is_none()
    {
        return bad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    }
    // A token for the API only when the scope names it; otherwise Entra issues a Microsoft
    // Graph token (openid/profile only), which the gateway refuses.
    let api_scope = issued
        .scope
        .split_whitespace()
        .any(|s| s.starts_with(&format!("api://{}/", reg.client_id)));
    let access = if api_scope {
        super::tokens::client_token(state).sign()
    } else {
        super::tokens::TokenBuilder::v2(
            &state.authority,
            &state.ids.tenant_id,
            "00000003-0000-0000-c000-000000000000",
            "openid profile User.Read",
        )
        .sign()
    };
    state.entra_token.record_access(&access);
    Some(
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            json!({
                "token_type": "Bearer",
                "scope": issued.scope,
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": access,
                "refresh_token": super::entra_token::REFRESH_TOKEN,
            })
            .to_string(),
        )
            .into_response(),
    )
}
