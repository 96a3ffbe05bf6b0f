//! The simulated Entra token endpoint (`POST <authority>/<tenant>/oauth2/v2.0/token` and
//! `…/devicecode`). Errors have Entra's JSON shape: `error`, `error_description` starting
//! `AADSTSnnnn:` with trace, correlation ID and timestamp, `error_codes`, `timestamp`,
//! `trace_id`, `correlation_id`, `error_uri`.
//!
//! Grants: the device-code flow (`…/devicecode`, then polling with
//! `urn:ietf:params:oauth:grant-type:device_code`: `authorization_pending` ×N, `slow_down`
//! ×M, then a token for the requested scope or the profile's error) and the On-Behalf-Of
//! exchange (`urn:ietf:params:oauth:grant-type:jwt-bearer`, checked like Entra: client,
//! secret [`GATEWAY_SECRET`], scope, then the assertion's signature, type, expiry and
//! audience). Other grants get the error Entra gives for them (unknown tenant, a browser
//! `Origin`, an unknown grant type, an invalid code). Faults are in
//! [`super::entra::EntraFaults`]; tokens are minted with [`super::tokens`], so they pass
//! c7doctor's token checks. Polls are timed ([`TokenState::poll_gaps_ms`]) so tests can
//! prove the interval and `slow_down` handling under `C7DOCTOR_TIME_SCALE`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::SimState;

/// Token-endpoint state shared across requests (device codes, poll counts …).
#[derive(Debug, Default)]
pub struct TokenState {
    /// When each device-code poll arrived (polling-interval tests).
    pub polls: Mutex<Vec<Instant>>,
    /// Every access token issued (leak tests look for them in c7doctor's output).
    pub issued: Mutex<Vec<String>>,
    /// The scope of the last device-code request (the token is issued for it).
    pub requested_scope: Mutex<String>,
    /// Every ID token issued (leak tests look for them too).
    pub issued_id_tokens: Mutex<Vec<String>>,
    /// Authorization codes issued after a simulated sign-in.
    pub codes: Mutex<Vec<super::entra_authorize::IssuedCode>>,
}

impl TokenState {
    /// Arrival times of the device-code polls so far.
    pub fn poll_times(&self) -> Vec<Instant> {
        self.polls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    /// Gaps between consecutive polls, in milliseconds.
    pub fn poll_gaps_ms(&self) -> Vec<u128> {
        self.poll_times()
            .windows(2)
            .map(|w| (w[1] - w[0]).as_millis())
            .collect()
    }
    /// Access tokens issued so far.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.issued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    /// ID tokens issued so far.
    pub fn issued_id_tokens(&self) -> Vec<String> {
        self.issued_id_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    fn record_id_token(&self, token: &str) {
        self.issued_id_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(token.to_string());
    }
    /// Record an access token issued by another grant (the code grant).
    pub fn record_access(&self, token: &str) {
        self.record_issued(token);
    }
    fn record_issued(&self, token: &str) {
        self.issued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(token.to_string());
    }
}

// ---- device code and OBO (helper E) ----

/// The device code the simulator issues (a secret: never in c7doctor's output).
pub const DEVICE_CODE: &str = "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrSimDeviceCode0001xyz";
/// The code the user would type (shown in the prompt).
pub const USER_CODE: &str = "SIMC0DE42";
/// The refresh token issued with device-code tokens (a secret).
pub const REFRESH_TOKEN: &str = "1.AQ4AsimRefreshToken-0123456789abcdefABCDEF_secret";
/// The authorization code a signed-in session gets back from `/authorize` (a secret; see
/// [`super::apim::ApimFaults::authorize_code`]).
pub const AUTHORIZATION_CODE: &str = "0.AQ4AsimAuthorizationCode-PLANTED_9f8e7d6c5b4a_codeValue";
/// The gateway app's client secret the simulated tenant accepts.
pub const GATEWAY_SECRET: &str = "sim8Q~gateway.secret-VALUE_0123456789abcdefgh";
/// A verified domain of the simulated tenant (Entra accepts it in place of the GUID).
pub const TENANT_DOMAIN: &str = "contoso.example";
/// The Azure CLI's public client ID, accepted for device-code sign-in.
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// An Entra error the simulator answers with. `code` 0 means no AADSTS number (plain
/// OAuth errors such as `slow_down`).
#[derive(Debug, Clone)]
pub struct SimError {
    pub status: u16,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
    pub suberror: Option<&'static str>,
    /// A Conditional Access claims challenge (JSON text).
    pub claims: Option<String>,
}

impl SimError {
    pub fn new(status: u16, error: &'static str, code: u32, message: &str) -> SimError {
        SimError {
            status,
            error,
            code,
            message: message.to_string(),
            suberror: None,
            claims: None,
        }
    }
    pub fn suberror(mut self, s: &'static str) -> SimError {
        self.suberror = Some(s);
        self
    }
    pub fn claims(mut self, c: &str) -> SimError {
        self.claims = Some(c.to_string());
        self
    }

    // The errors the guides and FACTS.md name, as Entra words them.
    pub fn public_client_disabled() -> SimError {
        SimError::new(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    }
    pub fn app_not_found(client_id: &str, tenant: &str) -> SimError {
        SimError::new(
            400,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        )
    }
    pub fn invalid_scope(scope: &str) -> SimError {
        SimError::new(
            400,
            "invalid_scope",
            70011,
            &format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        )
    }
    pub fn declined() -> SimError {
        SimError::new(
            400,
            "authorization_declined",
            0,
            "The end user denied the authorization request.",
        )
    }
    pub fn expired() -> SimError {
        SimError::new(
            400,
            "expired_token",
            70020,
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        )
    }
    pub fn bad_verification_code() -> SimError {
        SimError::new(
            400,
            "bad_verification_code",
            0,
            "The device_code sent was not recognized.",
        )
    }
    pub fn consent_required(gateway: &str) -> SimError {
        SimError::new(400, "invalid_grant", 65001, &format!("The user or administrator has not consented to use the application with ID '{gateway}' named 'Context7 APIM Gateway'. Send an interactive authorization request for this user and resource."))
            .suberror("consent_required")
    }
    /// What Entra answers the Azure CLI when no one consented to (or pre-authorized) it
    /// on the requested scope.
    pub fn azure_cli_consent_required() -> SimError {
        SimError::new(400, "invalid_grant", 65001, &format!("The user or administrator has not consented to use the application with ID '{AZURE_CLI_CLIENT_ID}' named 'Microsoft Azure CLI'. Send an interactive authorization request for this user and resource."))
            .suberror("consent_required")
    }
    pub fn resource_not_permitted() -> SimError {
        SimError::new(
            400,
            "invalid_client",
            650057,
            "Invalid resource. The client has requested access to a resource which is not listed in the requested permissions in the client's application registration. Client app ID: (Context7 APIM Gateway). Resource value from request: api://mcp. Resource app ID: (Context7 MCP API).",
        )
    }
    pub fn obo_audience(aud: &str, gateway: &str) -> SimError {
        SimError::new(
            400,
            "invalid_grant",
            500131,
            &format!(
                "Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '{aud}' and the expected audience is '{gateway}' or one of the Application Id URIs of this application."
            ),
        )
    }
    pub fn secret_invalid(gateway: &str) -> SimError {
        SimError::new(
            401,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{gateway}'."
            ),
        )
    }
    pub fn secret_expired(gateway: &str) -> SimError {
        SimError::new(
            401,
            "invalid_client",
            7000222,
            &format!(
                "The provided client secret keys for app '{gateway}' are expired. Visit the Azure portal to create new keys for your app."
            ),
        )
    }
    pub fn conditional_access() -> SimError {
        SimError::new(400, "interaction_required", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
            .claims(r#"{"access_token":{"capolids":{"essential":true,"values":["5e4b5b9a-1c2d-4e3f-8a9b-0c1d2e3f4a5b"]}}}"#)
    }
}

/// An Entra error response for a [`SimError`]. `{tenant}`, `{gateway}` and `{mcp}` in the
/// message become the simulator's IDs (profiles are built before the IDs are known).
pub fn sim_error(state: &SimState, e: &SimError) -> Response {
    let ts = entra_timestamp();
    let message = e
        .message
        .replace("{tenant}", &state.ids.tenant_id)
        .replace("{gateway}", &state.ids.gateway_app_id)
        .replace("{mcp}", &state.ids.mcp_app_id);
    let e = &SimError {
        message,
        ..e.clone()
    };
    let description = if e.code == 0 {
        format!(
            "{} Trace ID: {TRACE_ID} Correlation ID: {CORRELATION_ID} Timestamp: {ts}",
            e.message
        )
    } else {
        format!(
            "AADSTS{}: {} Trace ID: {TRACE_ID} Correlation ID: {CORRELATION_ID} Timestamp: {ts}",
            e.code, e.message
        )
    };
    let mut body = json!({
        "error": e.error,
        "error_description": description,
        "error_codes": if e.code == 0 { json!([]) } else { json!([e.code]) },
        "timestamp": ts,
        "trace_id": TRACE_ID,
        "correlation_id": CORRELATION_ID,
    });
    if e.code != 0 {
        body["error_uri"] = json!(format!("{}/error?code={}", state.authority, e.code));
    }
    if let Some(s) = e.suberror {
        body["suberror"] = json!(s);
    }
    if let Some(c) = &e.claims {
        body["claims"] = json!(c);
    }
    (
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn json_ok(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn proxy_html() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html><head><title>Web Proxy - Access Denied</title></head><body><h1>Access Denied</h1><p>Your request to login.microsoftonline.com was blocked by the corporate proxy.</p></body></html>",
    )
        .into_response()
}

/// `POST …/devicecode`.
fn device_code(state: &SimState, f: &[(String, String)]) -> Response {
    let faults = &state.profile.entra;
    if let Some(e) = &faults.device_code_error {
        return sim_error(state, e);
    }
    if let Some(body) = &faults.device_code_body {
        return json_ok(body.clone());
    }
    let client_id = field(f, "client_id").unwrap_or("");
    let known = [
        state.ids.gateway_app_id.as_str(),
        state.ids.mcp_app_id.as_str(),
        AZURE_CLI_CLIENT_ID,
    ]
    .iter()
    .any(|id| id.eq_ignore_ascii_case(client_id));
    if !known {
        return sim_error(
            state,
            &SimError::app_not_found(client_id, &state.ids.tenant_id),
        );
    }
    let scope = field(f, "scope").unwrap_or("");
    if scope.trim().is_empty() {
        return sim_error(state, &SimError::invalid_scope("(empty)"));
    }
    *state
        .entra_token
        .requested_scope
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = scope.to_string();
    let expires_in = faults.device_expires_in.unwrap_or(900);
    let interval = faults.device_interval.unwrap_or(5);
    json_ok(
        json!({
            "user_code": USER_CODE,
            "device_code": DEVICE_CODE,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": expires_in,
            "interval": interval,
            "message": format!("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {USER_CODE} to authenticate."),
        })
        .to_string(),
    )
}

/// A token answer, unless the profile replaces it.
fn token_answer(state: &SimState, access_token: String, scope: &str, extra: Value) -> Response {
    if let Some(body) = &state.profile.entra.token_body {
        return json_ok(body.clone());
    }
    state.entra_token.record_issued(&access_token);
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": access_token,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    json_ok(body.to_string())
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`: pending ×N, slow_down ×M,
/// then the profile's end or a token for the requested scope.
fn device_code_poll(state: &SimState, f: &[(String, String)]) -> Response {
    let faults = &state.profile.entra;
    let n = {
        let mut polls = state
            .entra_token
            .polls
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        polls.push(Instant::now());
        polls.len() as u32
    };
    if field(f, "device_code") != Some(DEVICE_CODE) {
        return sim_error(state, &SimError::bad_verification_code());
    }
    if n <= faults.device_pending {
        return sim_error(
            state,
            &SimError::new(
                400,
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            ),
        );
    }
    if n <= faults.device_pending + faults.device_slow_down {
        return sim_error(
            state,
            &SimError::new(400, "slow_down", 0, "Polling too frequently: slow down."),
        );
    }
    let client_id = field(f, "client_id").unwrap_or("").to_string();
    if faults.azure_cli_not_preauthorized && client_id.eq_ignore_ascii_case(AZURE_CLI_CLIENT_ID) {
        return sim_error(state, &SimError::azure_cli_consent_required());
    }
    if let Some(e) = &faults.device_end {
        return sim_error(state, e);
    }
    // The token for the requested scope: api://<app>/<scope> gives aud <app>, scp <scope>.
    let requested = state
        .entra_token
        .requested_scope
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let scope = requested.as_str();
    let builder = scope
        .split_whitespace()
        .find_map(|s| {
            let rest = s.strip_prefix("api://")?;
            let (app, scp) = rest.split_once('/')?;
            Some((app.to_string(), scp.to_string()))
        })
        .map(|(app, scp)| {
            if state.profile.entra.v1_tokens {
                super::tokens::TokenBuilder::v1(&state.ids.tenant_id, &app, &scp)
            } else {
                super::tokens::TokenBuilder::v2(&state.authority, &state.ids.tenant_id, &app, &scp)
            }
        })
        .unwrap_or_else(|| super::tokens::client_token(state));
    // The signed-in user of `ids.env`; the client that asked is `azp` (v2) or `appid` (v1).
    let builder = builder.claim("oid", state.ids.user_oid.as_str());
    let builder = match (client_id.is_empty(), state.profile.entra.v1_tokens) {
        (true, _) => builder,
        (false, true) => builder.claim("appid", client_id.as_str()),
        (false, false) => builder.claim("azp", client_id.as_str()),
    };
    let access = builder.sign();
    let id_token =
        super::tokens::TokenBuilder::v2(&state.authority, &state.ids.tenant_id, &client_id, "")
            .without("scp")
            .claim("nonce", "sim-nonce")
            .sign();
    state.entra_token.record_id_token(&id_token);
    token_answer(
        state,
        access,
        if scope.is_empty() {
            "openid profile"
        } else {
            scope
        },
        json!({ "refresh_token": REFRESH_TOKEN, "id_token": id_token }),
    )
}

/// Decode a JWT's header and payload without verifying (the simulator's OBO checks).
fn peek(token: &str) -> Option<(Value, Value)> {
    use base64::Engine;
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let dec = |s: &str| -> Option<Value> {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice::<Value>(&b)
            .ok()
            .filter(Value::is_object)
    };
    Some((dec(parts[0])?, dec(parts[1])?))
}

/// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`: the gateway app's OBO call,
/// checked the way Entra does (client, secret, scope, then the assertion).
fn on_behalf_of(state: &SimState, f: &[(String, String)]) -> Response {
    let ids = &state.ids;
    if let Some(e) = &state.profile.entra.obo_error {
        return sim_error(state, e);
    }
    let client_id = field(f, "client_id").unwrap_or("");
    if !client_id.eq_ignore_ascii_case(&ids.gateway_app_id)
        && !client_id.eq_ignore_ascii_case(&ids.mcp_app_id)
    {
        return sim_error(state, &SimError::app_not_found(client_id, &ids.tenant_id));
    }
    match field(f, "client_secret") {
        None | Some("") => return sim_error(state, &SimError::public_client_disabled()),
        Some(s) if s != GATEWAY_SECRET => {
            return sim_error(state, &SimError::secret_invalid(client_id));
        }
        Some(_) => {}
    }
    let scope = field(f, "scope").unwrap_or("");
    let expected_scope = format!("api://{}/.default", ids.mcp_app_id);
    if scope != expected_scope {
        if !scope.starts_with("api://") {
            return sim_error(state, &SimError::invalid_scope(scope));
        }
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_resource",
                500011,
                &format!(
                    "The resource principal named {} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
                    scope.trim_end_matches("/.default"),
                    ids.tenant_id
                ),
            ),
        );
    }
    if field(f, "requested_token_use") != Some("on_behalf_of") {
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'requested_token_use'.",
            ),
        );
    }
    let assertion = field(f, "assertion").unwrap_or("");
    let Some((header, claims)) = peek(assertion) else {
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_request",
                50027,
                "JWT token is invalid or malformed.",
            ),
        );
    };
    let s = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    let aud = s("aud");
    if aud == "00000003-0000-0000-c000-000000000000"
        || aud.starts_with("https://graph.microsoft.com")
        || header.get("nonce").is_some()
    {
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_grant",
                50013,
                "Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: 'F9B2D1C3']",
            ),
        );
    }
    if super::tokens::verify_signature(assertion).is_err() {
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_grant",
                50013,
                "Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]",
            ),
        );
    }
    if claims.get("nonce").is_some() && s("scp").is_empty() {
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_grant",
                240002,
                "Input id_token cannot be used as 'urn:ietf:params:oauth:grant-type:jwt-bearer' grant.",
            ),
        );
    }
    if s("scp").is_empty() {
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_grant",
                7000114,
                &format!(
                    "Application '{client_id}' is not allowed to make application on-behalf-of calls."
                ),
            ),
        );
    }
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp < super::now_unix() {
        return sim_error(
            state,
            &SimError::new(
                400,
                "invalid_grant",
                500133,
                "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.",
            ),
        );
    }
    if !aud.eq_ignore_ascii_case(client_id) {
        return sim_error(state, &SimError::obo_audience(aud, client_id));
    }
    let mut backend = super::tokens::backend_token(state).claim("azp", client_id);
    for k in ["oid", "sub", "tid", "name", "preferred_username"] {
        if let Some(v) = claims.get(k) {
            backend = backend.claim(k, v.clone());
        }
    }
    token_answer(
        state,
        backend.sign(),
        &format!("api://{}/mcp.access", ids.mcp_app_id),
        json!({}),
    )
}

/// Fixed IDs so reports are reproducible.
pub const TRACE_ID: &str = "0b4c7e2a-1f3d-4e5b-8a6c-9d0e1f2a3b4c";
pub const CORRELATION_ID: &str = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9";

/// Entra's timestamp format (`2026-11-23 10:00:00Z`) at the simulator's clock.
pub fn entra_timestamp() -> String {
    super::super::NOW.replace('T', " ")
}

/// An Entra error response.
pub fn entra_error(
    state: &SimState,
    status: StatusCode,
    error: &str,
    code: u32,
    message: &str,
) -> Response {
    let ts = entra_timestamp();
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {message} Trace ID: {TRACE_ID} Correlation ID: {CORRELATION_ID} Timestamp: {ts}"
        ),
        "error_codes": [code],
        "timestamp": ts,
        "trace_id": TRACE_ID,
        "correlation_id": CORRELATION_ID,
        "error_uri": format!("{}/error?code={code}", state.authority),
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// Parse a form body into ordered pairs.
pub fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `POST <authority>/<tenant>/oauth2/v2.0/<op>`.
pub async fn handle(
    state: Arc<SimState>,
    tenant: &str,
    op: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if state.profile.entra.token_black_hole {
        // Accepted, never answered: the client's deadline must end it.
        return std::future::pending::<Response>().await;
    }
    if state.profile.entra.token_html {
        return proxy_html();
    }
    // Entra accepts a verified domain in place of the tenant GUID.
    let by_domain =
        !state.profile.entra.unknown_tenant && tenant.eq_ignore_ascii_case(TENANT_DOMAIN);
    if !state.tenant_known(tenant) && !by_domain {
        return super::entra::tenant_not_found(&state, tenant);
    }
    let f = form(body);
    match op {
        "devicecode" => device_code(&state, &f),
        "token" => token(&state, headers, &f),
        _ => entra_error(
            &state,
            StatusCode::NOT_FOUND,
            "invalid_request",
            900561,
            "The endpoint only accepts POST requests. Received a GET request.",
        ),
    }
}

fn token(state: &SimState, headers: &HeaderMap, f: &[(String, String)]) -> Response {
    if headers.contains_key(header::ORIGIN) {
        return entra_error(
            state,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            9002326,
            "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: 'vscode-file://vscode-app'.",
        );
    }
    let client_id = field(f, "client_id").unwrap_or("");
    let known_client = [&state.ids.gateway_app_id, &state.ids.mcp_app_id]
        .iter()
        .any(|id| id.eq_ignore_ascii_case(client_id));
    if field(f, "grant_type") == Some("authorization_code")
        && let Some(r) = super::entra_authorize::redeem(state, f)
    {
        return r;
    }
    match field(f, "grant_type") {
        Some("urn:ietf:params:oauth:grant-type:device_code") => device_code_poll(state, f),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => on_behalf_of(state, f),
        None => entra_error(
            state,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ),
        Some("authorization_code") | Some("refresh_token") if !known_client => entra_error(
            state,
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'.",
                state.ids.tenant_id
            ),
        ),
        Some("authorization_code") if state.profile.entra.code_grant_answers => {
            code_grant_answer(state, client_id)
        }
        Some("authorization_code") => entra_error(
            state,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ),
        Some("refresh_token") => entra_error(
            state,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ),
        Some(other) => entra_error(
            state,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
    }
}

/// Any authorization code redeemed (see [`super::entra::EntraFaults::code_grant_answers`]):
/// a client-hop access token, [`REFRESH_TOKEN`] and an ID token.
fn code_grant_answer(state: &SimState, client_id: &str) -> Response {
    let access = super::tokens::client_token(state).sign();
    let id_token =
        super::tokens::TokenBuilder::v2(&state.authority, &state.ids.tenant_id, client_id, "")
            .without("scp")
            .claim("nonce", "sim-nonce")
            .sign();
    state.entra_token.record_id_token(&id_token);
    token_answer(
        state,
        access,
        "openid profile offline_access",
        json!({ "refresh_token": REFRESH_TOKEN, "id_token": id_token }),
    )
}

/// Helper for tests: is this an Entra error body?
pub fn is_entra_error(body: &Value) -> bool {
    body.get("error").is_some() && body.get("error_codes").is_some()
}
