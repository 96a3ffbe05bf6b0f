//! Tokens signed with the test key (`fixtures/keys/test-signing-key.pem`, `kid`
//! `c7doctor-test-key-1`), shaped like Entra's, and the validation the simulated APIM and
//! Context7 apply. Times are relative to the simulator's clock ([`super::now_unix`]).
//!
//! ```ignore
//! let t = TokenBuilder::v2(&sim.authority, &sim.tenant_id, &sim.gateway_app_id, "Mcp.Gateway.Access")
//!     .claim("oid", "…")
//!     .without("scp")
//!     .sign();
//! ```

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, jwk::JwkSet};
use serde_json::{Map, Value, json};

use super::{SimState, now_unix};

/// The `kid` of the test key.
pub const TEST_KID: &str = "c7doctor-test-key-1";
/// The user every simulator token is for.
pub const USER_OID: &str = "4b1e7c2a-9d3f-4a6e-8b5c-1f0e2d3c4b5a";
pub const USER_UPN: &str = "ada.lovelace@contoso.example";
pub const USER_NAME: &str = "Ada Lovelace";
/// Default lifetime: 3660 s, above APIM's 3000 s OBO cache.
pub const LIFETIME: i64 = 3660;

fn test_key_pem() -> Vec<u8> {
    std::fs::read(super::super::fixture("keys/test-signing-key.pem")).expect("test signing key")
}

/// A JWT under construction.
#[derive(Debug, Clone)]
pub struct TokenBuilder {
    pub header: Header,
    pub claims: Map<String, Value>,
}

impl Default for TokenBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenBuilder {
    /// RS256 with the test key's `kid`, no claims.
    pub fn new() -> Self {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(TEST_KID.into());
        TokenBuilder {
            header,
            claims: Map::new(),
        }
    }

    /// An Entra v2.0 delegated user token: `iss` `<authority>/<tid>/v2.0`, `aud` the API's
    /// GUID, `scp` as given.
    pub fn v2(authority: &str, tenant: &str, aud: &str, scp: &str) -> Self {
        let now = now_unix();
        let authority = authority.trim_end_matches('/');
        Self::new()
            .claim("aud", aud)
            .claim("iss", format!("{authority}/{tenant}/v2.0"))
            .claim("iat", now - 60)
            .claim("nbf", now - 60)
            .claim("exp", now - 60 + LIFETIME)
            .claim("aio", "AWQAm/8ZAAAA")
            .claim("azp", aud)
            .claim("azpacr", "0")
            .claim("name", USER_NAME)
            .claim("oid", USER_OID)
            .claim("preferred_username", USER_UPN)
            .claim("rh", "1.AAAA.")
            .claim("scp", scp)
            .claim("sid", "0f9c2b1a-3e4d-4c5b-9a8f-7e6d5c4b3a29")
            .claim("sub", "x3Nq8bVh7mQkz1Zr9PJt0sLwYdE4cFgH5aUiOo2nR6M")
            .claim("tid", tenant)
            .claim("uti", "c7dUtiSimulator000001")
            .claim("ver", "2.0")
    }

    /// An Entra v1.0 token (`iss` `https://sts.windows.net/<tid>/`, `aud` the App ID URI).
    pub fn v1(tenant: &str, app_id: &str, scp: &str) -> Self {
        let now = now_unix();
        let mut b = Self::new()
            .claim("aud", format!("api://{app_id}"))
            .claim("iss", format!("https://sts.windows.net/{tenant}/"))
            .claim("iat", now - 60)
            .claim("nbf", now - 60)
            .claim("exp", now - 60 + LIFETIME)
            .claim("appid", app_id)
            .claim("appidacr", "0")
            .claim("name", USER_NAME)
            .claim("oid", USER_OID)
            .claim("scp", scp)
            .claim("sub", "x3Nq8bVh7mQkz1Zr9PJt0sLwYdE4cFgH5aUiOo2nR6M")
            .claim("tid", tenant)
            .claim("unique_name", USER_UPN)
            .claim("upn", USER_UPN)
            .claim("ver", "1.0");
        b.header.x5t = Some(TEST_KID.into());
        b
    }

    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_string(), value.into());
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    pub fn kid(mut self, kid: Option<&str>) -> Self {
        self.header.kid = kid.map(str::to_string);
        self
    }

    /// Sign with the test key.
    pub fn sign(&self) -> String {
        self.sign_with(&test_key_pem())
    }

    /// Sign with another RSA key (PEM), e.g. `fixtures/keys/other-signing-key.pem`.
    pub fn sign_with(&self, pem: &[u8]) -> String {
        let key = EncodingKey::from_rsa_pem(pem).expect("RSA PEM key");
        jsonwebtoken::encode(&self.header, &Value::Object(self.claims.clone()), &key)
            .expect("sign token")
    }
}

/// The client-hop token for the simulator's pattern (v1 when the profile says the app
/// still issues v1 tokens), for the user of `ids.env`.
pub fn client_token(state: &SimState) -> TokenBuilder {
    let (app, scp) = match state.profile.pattern {
        "obo" => (&state.ids.gateway_app_id, "Mcp.Gateway.Access"),
        _ => (&state.ids.mcp_app_id, "mcp.access"),
    };
    let b = if state.profile.entra.v1_tokens {
        TokenBuilder::v1(&state.ids.tenant_id, app, scp)
    } else {
        TokenBuilder::v2(&state.authority, &state.ids.tenant_id, app, scp)
    };
    let b = b.claim("oid", state.ids.user_oid.as_str());
    match state.profile.pattern {
        // Guide 1: users sign in through their own client app, pre-authorized on the MCP API.
        "obo" => b,
        _ if state.profile.entra.v1_tokens => b.claim("appid", state.ids.client_app_id.as_str()),
        _ => b.claim("azp", state.ids.client_app_id.as_str()),
    }
}

/// The backend-hop token (what APIM forwards to Context7 after OBO): `aud` the MCP API app.
pub fn backend_token(state: &SimState) -> TokenBuilder {
    let b = if state.profile.entra.v1_tokens {
        TokenBuilder::v1(&state.ids.tenant_id, &state.ids.mcp_app_id, "mcp.access")
    } else {
        TokenBuilder::v2(
            &state.authority,
            &state.ids.tenant_id,
            &state.ids.mcp_app_id,
            "mcp.access",
        )
        // After OBO the client is the gateway app.
        .claim("azp", state.ids.gateway_app_id.as_str())
    };
    b.claim("oid", state.ids.user_oid.as_str())
}

/// Verify the signature against `fixtures/keys/jwks.json` and decode the claims.
pub fn verify_signature(token: &str) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| format!("header: {e}"))?;
    if header.alg != Algorithm::RS256 {
        return Err(format!("alg {:?}", header.alg));
    }
    let jwks: JwkSet = serde_json::from_slice(
        &std::fs::read(super::super::fixture("keys/jwks.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let kid = header.kid.ok_or("no kid")?;
    let jwk = jwks
        .find(&kid)
        .ok_or_else(|| format!("unknown kid {kid}"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .map(|d| d.claims)
        .map_err(|e| format!("signature: {e}"))
}

/// What `validate-azure-ad-token` checks: signature, v2 issuer of the tenant, audience,
/// required scope, lifetime (60 s skew), against the simulator's clock.
pub fn validate(
    state: &SimState,
    token: &str,
    audience: &str,
    scope: &str,
) -> Result<Value, String> {
    let claims = verify_signature(token)?;
    let tid = &state.ids.tenant_id;
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    let allowed = [
        state.issuer(),
        format!("https://login.microsoftonline.com/{tid}/v2.0"),
    ];
    if !allowed.iter().any(|a| a == iss) {
        return Err(format!("issuer {iss}"));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err("audience".into());
    }
    let scp = claims.get("scp").and_then(Value::as_str).unwrap_or("");
    if !scp.split(' ').any(|s| s == scope) {
        return Err("scope".into());
    }
    let now = now_unix();
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or("no exp")?;
    if exp + 60 < now {
        return Err("expired".into());
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_i64)
        && nbf - 60 > now
    {
        return Err("not yet valid".into());
    }
    Ok(claims)
}

/// APIM's validation of the client-hop token for the profile's pattern.
pub fn validate_client_token(state: &SimState, token: &str) -> Result<Value, String> {
    match state.profile.pattern {
        "obo" => validate(
            state,
            token,
            &state.ids.gateway_app_id,
            "Mcp.Gateway.Access",
        ),
        _ => validate(state, token, &state.ids.mcp_app_id, "mcp.access"),
    }
}

/// A JSON summary of a token's claims for debugging output in tests.
pub fn describe(claims: &Value) -> String {
    json!({
        "aud": claims.get("aud"),
        "iss": claims.get("iss"),
        "scp": claims.get("scp"),
    })
    .to_string()
}
