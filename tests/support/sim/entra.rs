//! The simulated Entra authority: the tenant's v2.0 OpenID configuration, its keys (the
//! test JWKS), a sign-in page at `authorize`, and `POST …/oauth2/v2.0/{token,devicecode}`
//! (handled in [`super::entra_token`]). An unknown tenant gets AADSTS90002, as in a wrong
//! cloud or a mistyped tenant ID.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::SimState;
use super::entra_token::{self, entra_error};

/// Faults of the simulated tenant. `Default` is a healthy tenant.
#[derive(Debug, Default, Clone)]
pub struct EntraFaults {
    /// The tenant does not exist here (every tenant URL answers AADSTS90002).
    pub unknown_tenant: bool,
    /// The apps issue v1.0 tokens (`requestedAccessTokenVersion` null).
    pub v1_tokens: bool,
    // ---- device code and OBO (helper E, see entra_token.rs) ----
    /// Device-code polls answered `authorization_pending` before anything else.
    pub device_pending: u32,
    /// Device-code polls answered `slow_down` after the pending ones.
    pub device_slow_down: u32,
    /// How the device-code sign-in ends instead of with a token (the next poll's answer).
    pub device_end: Option<entra_token::SimError>,
    /// The device-authorization endpoint answers this error.
    pub device_code_error: Option<entra_token::SimError>,
    /// The device-authorization answer's body replaced (HTTP 200), for bad-input tests.
    pub device_code_body: Option<String>,
    /// `interval` and `expires_in` of the device-code answer (default 5 and 900).
    pub device_interval: Option<i64>,
    pub device_expires_in: Option<i64>,
    /// The Gateway app does not list the Azure CLI under Authorized client applications
    /// (the guide's Part 6 Step 1 not done): the Azure CLI's device-code sign-in ends, once
    /// the user has signed in, with AADSTS65001 (`consent_required`).
    pub azure_cli_not_preauthorized: bool,
    /// A successful token answer (device code or OBO) replaced by this body (HTTP 200).
    pub token_body: Option<String>,
    /// Every OBO request answered with this error.
    pub obo_error: Option<entra_token::SimError>,
    /// Every POST to `…/oauth2/v2.0/{token,devicecode}` gets a proxy's HTML error page.
    pub token_html: bool,
    /// Every POST to `…/oauth2/v2.0/{token,devicecode}` is accepted and never answered.
    pub token_black_hole: bool,
    /// The token endpoint redeems any authorization code (a stale mock in front of the token
    /// route): access, refresh ([`entra_token::REFRESH_TOKEN`]) and ID tokens come back to
    /// whoever posts one (the leak suite plants them there).
    pub code_grant_answers: bool,
    // ---- sign-in through /authorize (see entra_authorize.rs) ----
    /// An extra `identifierUris` entry on the app the client signs in with (e.g.
    /// `{gateway}/context7/mcp`, the field workaround that makes Entra accept `resource`).
    pub extra_identifier_uri: Option<String>,
    /// The app's public-client redirect URIs replaced (default: loopback
    /// `http://127.0.0.1/` and `http://localhost/callback`, ports ignored).
    pub redirect_uris: Option<Vec<String>>,
    /// The loopback redirect URIs are registered on the Web platform: the code exchange
    /// needs a client secret (AADSTS7000218 for a public client).
    pub redirects_web_only: bool,
    /// The app lacks VS Code's broker redirect URI `https://vscode.dev/redirect` (a Web
    /// redirect URI in the guide, Part 2 Step 2.7).
    pub no_vscode_redirect: bool,
    /// The app has no redirect URI at all (AADSTS500113).
    pub no_redirect_uris: bool,
    /// Entra refuses a mismatched `resource` only after the user signed in, not at the
    /// first GET of the authorize endpoint.
    pub resource_after_sign_in: bool,
    /// The authorize endpoint answers at once with a redirect back that carries an
    /// authorization code next to an error (a hostile or confused authority): the
    /// preflight must not print the code.
    pub authorize_leaks_code: bool,
}

impl SimState {
    /// Is `tenant` the simulated tenant (and does it exist)?
    pub fn tenant_known(&self, tenant: &str) -> bool {
        !self.profile.entra.unknown_tenant && tenant.eq_ignore_ascii_case(&self.ids.tenant_id)
    }
}

pub fn router(state: Arc<SimState>) -> axum::Router {
    axum::Router::new().fallback(move |req: Request| {
        let state = state.clone();
        async move { handle(state, req).await }
    })
}

/// The AADSTS90002 answer for an unknown tenant.
pub fn tenant_not_found(state: &SimState, tenant: &str) -> Response {
    entra_error(
        state,
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
        &format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

fn jwks_response() -> Response {
    let body = std::fs::read(super::super::fixture("keys/jwks.json")).unwrap_or_default();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn handle(state: Arc<SimState>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let a = &state.authority;
    match (req.method().clone(), segs.as_slice()) {
        // Entra's v1 "common" keys (a jwks_uri that is not the tenant's).
        (Method::GET, ["common", "discovery", "keys"]) => jwks_response(),
        (Method::GET, [t, "v2.0", ".well-known", "openid-configuration"]) => {
            if !state.tenant_known(t) {
                return tenant_not_found(&state, t);
            }
            let tid = &state.ids.tenant_id;
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                json!({
                    "token_endpoint": format!("{a}/{tid}/oauth2/v2.0/token"),
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                    "jwks_uri": format!("{a}/{tid}/discovery/v2.0/keys"),
                    "response_modes_supported": ["query", "fragment", "form_post"],
                    "subject_types_supported": ["pairwise"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                    "scopes_supported": ["openid", "profile", "email", "offline_access"],
                    "issuer": format!("{a}/{tid}/v2.0"),
                    "request_uri_parameter_supported": false,
                    "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
                    "authorization_endpoint": format!("{a}/{tid}/oauth2/v2.0/authorize"),
                    "device_authorization_endpoint": format!("{a}/{tid}/oauth2/v2.0/devicecode"),
                    "http_logout_supported": true,
                    "frontchannel_logout_supported": true,
                    "end_session_endpoint": format!("{a}/{tid}/oauth2/v2.0/logout"),
                    "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "oid", "name", "preferred_username"],
                    "kerberos_endpoint": format!("{a}/{tid}/kerberos"),
                    "tenant_region_scope": "EU",
                    "cloud_instance_name": "microsoftonline.com",
                    "cloud_graph_host_name": "graph.windows.net",
                    "msgraph_host": "graph.microsoft.com",
                    "rbac_url": "https://pas.windows.net"
                })
                .to_string(),
            )
                .into_response()
        }
        (Method::GET, [t, "discovery", "v2.0", "keys"]) => {
            if !state.tenant_known(t) {
                return tenant_not_found(&state, t);
            }
            jwks_response()
        }
        (Method::GET, [t, "oauth2", "v2.0", "authorize"]) => {
            if !state.tenant_known(t) {
                return tenant_not_found(&state, t);
            }
            super::entra_authorize::authorize(&state, req.uri().query())
        }
        (Method::POST, [t, "oauth2", "v2.0", "sim-sign-in"]) if state.tenant_known(t) => {
            let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            super::entra_authorize::sign_in(&state, &body)
        }
        (Method::POST, [t, "oauth2", "v2.0", op]) => {
            let t = t.to_string();
            let op = op.to_string();
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1024 * 1024)
                .await
                .unwrap_or_default();
            entra_token::handle(state, &t, &op, &parts.headers, &body).await
        }
        _ => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>404 Not Found</body></html>",
        )
            .into_response(),
    }
}
