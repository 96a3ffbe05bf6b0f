//! Link 3: authorization-server metadata for each server the PRM names, at the locations
//! the MCP spec has clients try, in order (RFC 8414 §3 and OpenID Connect Discovery).

use crate::discovery::codes;
use serde_json::Value;
use url::Url;

use super::fetch::{self, Attempt, DocOutcome};
use crate::http::Http;
use crate::report::Check;

/// The candidate metadata URLs for an issuer identifier, in the spec's order.
pub fn candidates(issuer: &Url) -> Vec<(Url, &'static str)> {
    let path = issuer.path().trim_end_matches('/');
    let at = |p: String| {
        let mut u = super::documents::origin_of(issuer);
        u.set_path(&p);
        u
    };
    if path.is_empty() {
        vec![
            (
                at("/.well-known/oauth-authorization-server".into()),
                "RFC 8414 well-known URL",
            ),
            (
                at("/.well-known/openid-configuration".into()),
                "OpenID Connect well-known URL",
            ),
        ]
    } else {
        vec![
            (
                at(format!("/.well-known/oauth-authorization-server{path}")),
                "RFC 8414 path-inserted URL",
            ),
            (
                at(format!("/.well-known/openid-configuration{path}")),
                "OpenID Connect path-inserted URL",
            ),
            (
                at(format!("{path}/.well-known/openid-configuration")),
                "OpenID Connect path-appended URL",
            ),
        ]
    }
}

/// The metadata of one authorization server.
#[derive(Debug, Clone)]
pub struct AsResult {
    /// The identifier as the PRM names it (compared verbatim with `issuer`).
    pub identifier: String,
    /// Not named by any PRM: the gateway origin, as 2025-03-26 clients assume.
    pub assumed: bool,
    pub attempts: Vec<Attempt>,
    /// The first candidate that served a document.
    pub found: Option<(Url, Value)>,
}

/// Fetch every candidate at once and keep the first document in the spec's order.
pub async fn discover(http: &Http, identifier: &str, assumed: bool) -> AsResult {
    let Ok(issuer) = Url::parse(identifier) else {
        return AsResult {
            identifier: identifier.to_string(),
            assumed,
            attempts: Vec::new(),
            found: None,
        };
    };
    let attempts = fetch::get_docs(http, candidates(&issuer)).await;
    let found = attempts
        .iter()
        .find_map(|a| a.doc().map(|d| (a.url.clone(), d.clone())));
    AsResult {
        identifier: identifier.to_string(),
        assumed,
        attempts,
        found,
    }
}

/// Is the metadata served at one of the locations clients try?
pub fn served_check(r: &AsResult) -> Check {
    let check = Check::new(
        "discovery.as",
        "Authorization server metadata is served where clients look",
    )
    .evidence("authorization_server", r.identifier.clone())
    .evidence(
        "attempts",
        Value::Array(r.attempts.iter().map(Attempt::evidence).collect()),
    );
    let assumed = if r.assumed {
        " (no PRM names an authorization server: assumed the gateway origin, as 2025-03-26 clients do)"
    } else {
        ""
    };
    if r.attempts.is_empty() {
        return check.fail(
            codes::PRM_INVALID,
            format!(
                "the authorization server {:?} named by the PRM is not a URL",
                r.identifier
            ),
        );
    }
    if let Some((url, _)) = &r.found {
        return check
            .pass(format!("served at {url}{assumed}"))
            .evidence("url", url.as_str());
    }
    let mut invalid = None;
    let mut redirect = None;
    let mut net = 0;
    let mut parts = Vec::new();
    for a in &r.attempts {
        parts.push(format!("{} {}", a.url, a.status_label()));
        match &a.outcome {
            DocOutcome::Invalid(_) if invalid.is_none() => invalid = Some(a),
            DocOutcome::Redirect(..) if redirect.is_none() => redirect = Some(a),
            DocOutcome::Net(_) => net += 1,
            _ => {}
        }
    }
    let code = if invalid.is_some() {
        codes::AS_INVALID
    } else if redirect.is_some() {
        codes::REDIRECT
    } else if net == r.attempts.len() {
        codes::UNREACHABLE
    } else {
        codes::AS_MISSING
    };
    check.fail(
        code,
        format!(
            "no authorization server metadata for {}{assumed}: {}",
            r.identifier,
            parts.join("; ")
        ),
    )
}
