//! Link 4: `GET /authorize` with the query a real client sends (client ID, PKCE S256
//! challenge, scope, state, loopback redirect URI, RFC 8707 `resource`), without following
//! the answer: the gateway must 302 to the tenant's v2.0 authorize endpoint, query intact
//! (guide 2 Part 5 Step 2, authorize-policy.xml).

use crate::discovery::codes;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use url::Url;

use super::documents::{self, DocExpect};
use crate::http::{Http, NetError, Request, Response};
use crate::report::Check;

/// The loopback redirect URI VS Code registers.
pub const REDIRECT_URI: &str = "http://127.0.0.1:33418/";

/// A PKCE verifier and state, fresh per run (never secret: the code is never redeemed).
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
    pub state: String,
}

impl Pkce {
    pub fn new() -> Pkce {
        let seed = format!(
            "{:?}-{}-{:?}",
            std::time::SystemTime::now(),
            std::process::id(),
            std::thread::current().id()
        );
        let verifier = URL_SAFE_NO_PAD.encode(Sha256::digest(seed.as_bytes()));
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let state = URL_SAFE_NO_PAD.encode(&Sha256::digest(challenge.as_bytes())[..12]);
        Pkce {
            verifier,
            challenge,
            state,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// The query an MCP client sends to `/authorize`.
pub fn query(client_id: &str, scope: &str, pkce: &Pkce, resource: &Url) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("scope", scope)
        .append_pair("state", &pkce.state)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("resource", resource.as_str())
        .finish()
}

/// GET the authorize endpoint with `query`.
pub async fn run(http: &Http, endpoint: &Url, query: &str) -> Result<Response, NetError> {
    let mut url = endpoint.clone();
    url.set_query(Some(query));
    http.send(Request::get(url).header("accept", "text/html"))
        .await
}

/// The checks on the answer: `discovery.authorize` (a redirect, not a page), then the
/// Location's target and query.
pub fn checks(
    result: &Result<Response, NetError>,
    endpoint: &Url,
    sent_query: &str,
    exp: &DocExpect,
) -> Vec<Check> {
    const ID: &str = "discovery.authorize";
    const TITLE: &str = "/authorize redirects the browser to Entra (302)";
    let resp = match result {
        Ok(r) => r,
        Err(e) => return vec![e.to_check(ID, TITLE)],
    };
    let check = Check::new(ID, TITLE)
        .evidence("url", endpoint.as_str())
        .evidence("status", resp.status)
        .duration(resp.elapsed);
    let st = crate::http::status_text(resp.status);
    if resp.is_redirect() {
        let Some(loc) = resp.header("location") else {
            return vec![check.fail(
                codes::AUTHORIZE_TARGET,
                format!("{st} without a Location header"),
            )];
        };
        let mut out = vec![
            check
                .pass(format!("{st} to {}", loc.split('?').next().unwrap_or("")))
                .evidence("location", loc.clone()),
        ];
        out.extend(documents::check_authorize_location(
            &loc,
            Some(sent_query),
            exp,
        ));
        return out;
    }
    let ct = resp.header("content-type").unwrap_or_default();
    if (200..300).contains(&resp.status) {
        return vec![
            check
                .fail(
                    codes::AUTHORIZE_PROXIED,
                    format!(
                        "GET /authorize answered {st} ({}) instead of a 302: the sign-in page is proxied through the gateway and its form posts break",
                        if ct.is_empty() { "no content type" } else { ct.as_str() }
                    ),
                )
                .evidence("content_type", ct),
        ];
    }
    vec![check.fail(
        codes::AUTHORIZE_TARGET,
        format!(
            "GET /authorize answered {st} instead of a 302 to Entra{}",
            super::endpoint::apim_message(resp)
                .map(|m| format!(" (APIM says {m:?}: is the authorize operation missing?)"))
                .unwrap_or_default()
        ),
    )]
}

/// When the metadata names Entra's authorize endpoint directly (no façade redirect), the
/// endpoint itself is the target.
pub fn direct_checks(endpoint: &Url, exp: &DocExpect) -> Vec<Check> {
    let mut out = vec![
        Check::new(
            "discovery.authorize",
            "/authorize redirects the browser to Entra (302)",
        )
        .pass(format!(
            "the metadata names Entra's endpoint {endpoint} directly: no redirect through the gateway"
        )),
    ];
    out.extend(documents::check_authorize_location(
        endpoint.as_str(),
        None,
        exp,
    ));
    out
}
