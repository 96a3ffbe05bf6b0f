//! Link 3: authorization-server metadata for each server the PRM names, at the locations
//! the MCP spec has clients try, in order (RFC 8414 §3 and OpenID Connect Discovery).

use super::documents::{DocExpect, is_http_url, is_placeholder, placeholder_check, string_array};
use crate::deployment::Pattern;
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
        let mut u = crate::config::origin_of(issuer);
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

// ---------------------------------------------------------------- AS metadata (RFC 8414)

/// Checks on an authorization-server metadata document (the gateway's façade):
/// `as-invalid`, `as-issuer`, `as-pkce`, `as-placeholder`, `no-dcr`, `offline-access`.
///
/// `issuer_identifier` is the identifier the document was discovered from (an entry of
/// PRM `authorization_servers`); without it the issuer is compared with the gateway origin.
pub fn check_as_document(
    doc: &Value,
    issuer_identifier: Option<&str>,
    exp: &DocExpect,
) -> Vec<Check> {
    vec![
        as_shape(doc),
        as_issuer(doc, issuer_identifier, exp),
        as_pkce(doc),
        placeholder_check(
            "discovery.as.placeholder",
            "Authorization server metadata has no template placeholder",
            codes::AS_PLACEHOLDER,
            doc,
        ),
        as_registration(doc, exp),
        as_offline_access(doc),
    ]
}

fn as_shape(doc: &Value) -> Check {
    let check = Check::new(
        "discovery.as.valid",
        "Authorization server metadata is a valid RFC 8414 document",
    );
    let Some(obj) = doc.as_object() else {
        return check.fail(
            codes::AS_INVALID,
            format!(
                "the document is {}, not a JSON object",
                crate::input::json_type(doc, true)
            ),
        );
    };
    let mut problems = Vec::new();
    for field in ["issuer", "authorization_endpoint", "token_endpoint"] {
        match obj.get(field) {
            None => problems.push(format!("`{field}` is missing")),
            Some(Value::String(s)) if is_placeholder(s) => {}
            Some(Value::String(s)) if !is_http_url(s) => {
                problems.push(format!("`{field}` {s:?} is not an absolute URL"))
            }
            Some(Value::String(_)) => {}
            Some(v) => problems.push(format!(
                "`{field}` is {}, not a string",
                crate::input::json_type(v, true)
            )),
        }
    }
    if obj.get("response_types_supported").is_none() {
        problems.push(
            "`response_types_supported` is missing: RFC 8414 requires it, and the TypeScript SDK v1 and v2 refuse metadata without it (schema error)".to_string(),
        );
    }
    for field in [
        "response_types_supported",
        "scopes_supported",
        "code_challenge_methods_supported",
        "grant_types_supported",
    ] {
        if let Err(e) = string_array(doc, field) {
            problems.push(e);
        }
    }
    if let Ok(Some(types)) = string_array(doc, "response_types_supported")
        && !types.contains(&"code")
    {
        problems.push(format!(
            "`response_types_supported` is {types:?} without \"code\": MCP clients use the authorization-code flow"
        ));
    }
    if let Ok(Some(grants)) = string_array(doc, "grant_types_supported")
        && !grants.contains(&"authorization_code")
    {
        problems.push(format!(
            "`grant_types_supported` is {grants:?} without \"authorization_code\""
        ));
    }
    if problems.is_empty() {
        check.pass("issuer, authorization_endpoint and token_endpoint present")
    } else {
        check
            .fail(codes::AS_INVALID, problems.join("; "))
            .evidence("problems", problems)
    }
}

fn as_issuer(doc: &Value, issuer_identifier: Option<&str>, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.as.issuer",
        "AS metadata `issuer` is the identifier it was discovered from",
    );
    let Some(issuer) = doc.get("issuer").and_then(Value::as_str) else {
        return check.skip(
            crate::report::codes::PREREQUISITE_FAILED,
            "the document has no string `issuer` (see the AS metadata validity check)",
        );
    };
    let check = check.evidence("issuer", issuer);
    let expected: String = match issuer_identifier {
        Some(id) => id.to_string(),
        None => match &exp.gateway {
            Some(g) => g.as_str().trim_end_matches('/').to_string(),
            None => {
                return check.skip(
                    crate::config::codes::MISSING,
                    "set --host to compare `issuer` with the gateway origin",
                );
            }
        },
    };
    let check = check
        .evidence("expected", expected.clone())
        .fix_var("expected_issuer", expected.clone());
    if issuer == expected {
        return check.pass(format!("`issuer` is {issuer}"));
    }
    if is_placeholder(issuer) {
        return check.fail(
            codes::AS_ISSUER,
            format!("`issuer` is the template value {issuer:?}, not {expected}"),
        );
    }
    // Only a trailing slash on a root issuer differs: rmcp and the TypeScript SDK v1 (which
    // does not check `issuer`) get through, the TypeScript SDK v2 compares exactly
    // (IssuerMismatchError) as RFC 8414 §3.3 asks.
    let root_trim = |s: &str| -> String {
        match s.strip_suffix('/') {
            Some(t) if Url::parse(t).is_ok_and(|u| u.path() == "/" || u.path().is_empty()) => {
                t.to_string()
            }
            _ => s.to_string(),
        }
    };
    if root_trim(issuer) == root_trim(&expected) {
        return check
            .fail(
                codes::AS_ISSUER,
                format!(
                    "`issuer` {issuer} differs from {expected} only by a trailing slash: RFC 8414 §3.3 requires identical strings, and the TypeScript SDK v2 stops with IssuerMismatchError (v1 does not check `issuer`, rmcp tolerates the slash)"
                ),
            );
    }
    let hint = if issuer.contains(exp.authority_trimmed()) || issuer.contains("/v2.0") {
        " — that is Entra's issuer; the façade served from the gateway must name the gateway"
    } else {
        ""
    };
    check
        .fail(
            codes::AS_ISSUER,
            format!(
                "`issuer` is {issuer}, but the document was discovered from {expected}{hint}: clients reject it (RFC 8414 §3.3)"
            ),
        )
}

/// Metadata found only as an OpenID document must have the OpenID provider fields: the
/// TypeScript SDK v1 and v2 validate it with the OpenID schema and stop otherwise.
pub fn openid_fields_check(doc: &Value, url: &Url) -> Check {
    let check = Check::new(
        "discovery.as.openid",
        "Metadata served as an OpenID document has the OpenID provider fields",
    )
    .evidence("url", url.as_str());
    let missing: Vec<&str> = [
        "jwks_uri",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ]
    .into_iter()
    .filter(|f| doc.get(*f).is_none())
    .collect();
    if missing.is_empty() {
        return check.pass(
            "jwks_uri, subject_types_supported and id_token_signing_alg_values_supported present",
        );
    }
    check
        .fail(
            codes::AS_INVALID,
            format!(
                "the metadata is served only as an OpenID document ({url}) without {}: the TypeScript SDK v1 and v2 validate it as OpenID provider metadata and stop (serve it at /.well-known/oauth-authorization-server, or add the fields)",
                missing.join(", ")
            ),
        )
        .evidence("missing", missing)
}

fn as_pkce(doc: &Value) -> Check {
    let check = Check::new("discovery.as.pkce", "AS metadata advertises PKCE with S256");
    match string_array(doc, "code_challenge_methods_supported") {
        Ok(Some(m)) if m.contains(&"S256") => check.pass("code_challenge_methods_supported has S256"),
        Ok(Some(m)) => check
            .fail(
                codes::AS_PKCE,
                format!(
                    "code_challenge_methods_supported is {m:?} without \"S256\": the TypeScript SDK v1 and v2 refuse to sign in (\"does not support code challenge method S256\")"
                ),
            )
            .evidence("code_challenge_methods_supported", m),
        // The MCP spec has clients refuse here; the TypeScript SDK v1 and v2 and rmcp go on
        // and send S256 (Entra supports it), so it breaks only spec-strict clients.
        Ok(None) => check.warn(
            codes::AS_PKCE,
            "code_challenge_methods_supported is missing: the MCP spec (2025-11-25) has clients refuse to sign in without it; the TypeScript SDK v1 and v2 and rmcp go on and send S256 anyway (Entra's own OIDC document does not list it, so the façade has to)",
        ),
        Err(e) => check.fail(codes::AS_PKCE, e),
    }
}

fn as_registration(doc: &Value, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.as.registration",
        "How clients get a client ID (Dynamic Client Registration)",
    );
    if let Some(reg) = doc.get("registration_endpoint").and_then(Value::as_str) {
        return check
            .pass(format!("registration_endpoint is {reg}"))
            .evidence("registration_endpoint", reg);
    }
    let who = match exp.pattern {
        Pattern::Obo => "the APIM Gateway app",
        _ => "the app registration clients sign in with",
    };
    let id = match exp.pattern {
        Pattern::Obo => exp.gateway_app_id.as_deref(),
        _ => None,
    };
    let detail = match id {
        Some(id) => format!(
            "no registration_endpoint (Entra has no Dynamic Client Registration): when VS Code shows \"Dynamic Client Registration not supported\", choose \"Copy URIs & Proceed\" and paste the client ID {id} ({who})"
        ),
        None => format!(
            "no registration_endpoint (Entra has no Dynamic Client Registration): when VS Code shows \"Dynamic Client Registration not supported\", choose \"Copy URIs & Proceed\" and paste the Application (client) ID of {who}"
        ),
    };
    let check = check.info(codes::NO_DCR, detail);
    match id {
        Some(id) => check.evidence("client_id", id).fix_var("client_id", id),
        None => check.fix_var(
            "client_id",
            format!("(the Application (client) ID of {who})"),
        ),
    }
}

fn as_offline_access(doc: &Value) -> Check {
    let check = Check::new(
        "discovery.as.offline-access",
        "AS metadata does not advertise offline_access",
    );
    match string_array(doc, "scopes_supported") {
        Ok(Some(s)) if s.contains(&"offline_access") => check.warn(
            codes::OFFLINE_ACCESS,
            "scopes_supported lists offline_access: some clients then add prompt=consent, so users see the consent page at every sign-in (and cannot sign in where user consent is disabled)",
        ),
        _ => check.pass("offline_access is not advertised"),
    }
}
