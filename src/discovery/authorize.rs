//! Link 4: `GET /authorize` with the query a real client sends — what the client matrix
//! ([`super::clients`]) says it sends: the PRM `resource` verbatim, the scope it chooses
//! (the challenge's, else the PRM's `scopes_supported`), a redirect URI of its shape, PKCE
//! S256 — without following the answer: the gateway must 302 to the tenant's v2.0 authorize
//! endpoint with the query kept (guide 2 Part 5 Step 2, authorize-policy.xml), except that
//! removing `resource` is correct. Whether Entra takes the request is read by
//! [`super::preflight`].

use crate::discovery::codes;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use url::Url;

use super::documents::{DocExpect, is_placeholder};
use crate::http::{Http, NetError, Request, Response};
use crate::report::Check;

/// The loopback redirect URI VS Code uses (microsoft/vscode#322126).
pub const REDIRECT_URI: &str = "http://127.0.0.1:33418/";
/// VS Code's hosted broker redirect URI (a Web redirect URI of the Gateway app).
pub const VSCODE_BROKER_REDIRECT_URI: &str = "https://vscode.dev/redirect";

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

/// The query an MCP client sends to `/authorize`, in the TypeScript SDK's order: no
/// `scope` or `resource` when the client has none.
pub fn query(
    client_id: &str,
    scope: Option<&str>,
    resource: Option<&str>,
    redirect_uri: &str,
    prompt_consent: bool,
    pkce: &Pkce,
) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", &pkce.state);
    if let Some(s) = scope {
        q.append_pair("scope", s);
    }
    if prompt_consent {
        q.append_pair("prompt", "consent");
    }
    if let Some(r) = resource {
        q.append_pair("resource", r);
    }
    q.finish()
}

/// The `resource` a Location passes on to Entra, if any.
pub fn forwarded_resource(location: &str) -> Option<String> {
    let q = location.split_once('?').map(|(_, q)| q)?;
    url::form_urlencoded::parse(q.split('#').next().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "resource")
        .map(|(_, v)| v.into_owned())
}

/// Is `resource` an identifier of the API the scopes name (`api://<app>` for a scope
/// `api://<app>/<name>`)? Entra's v2.0 endpoint refuses it otherwise (AADSTS9010010).
pub fn resource_matches_scopes(resource: &str, scope: &str) -> bool {
    let resource = resource.trim_end_matches('/');
    scope
        .split_whitespace()
        .filter_map(|s| s.rsplit_once('/').map(|(api, _)| api))
        .any(|api| api.eq_ignore_ascii_case(resource))
}

/// `discovery.resource-rejected`: the façade passes `resource` on, and it is not an
/// identifier of the API the scopes name. `confirmed` is Entra's own refusal (AADSTS9010010
/// before sign-in); without it the finding is a prediction.
pub fn resource_check(location: &str, scope: Option<&str>, confirmed: Option<&str>) -> Check {
    let check = Check::new(
        "discovery.authorize.resource",
        "Entra takes the RFC 8707 resource parameter clients send",
    );
    let Some(resource) = forwarded_resource(location) else {
        return check.pass(
            "the façade does not pass `resource` on to Entra (clients' RFC 8707 resource parameter is removed, as Entra's v2.0 endpoint needs)",
        );
    };
    let check = check
        .evidence("resource", resource.clone())
        .fix_var("resource", resource.clone());
    let scope = scope.unwrap_or("");
    if let Some(answer) = confirmed {
        return check
            .fail(
                codes::RESOURCE_REJECTED,
                format!(
                    "the façade passes resource={resource} on to Entra, and Entra refused it before sign-in: {answer}. VS Code, Claude Code and the TypeScript SDK v1 and v2 send it and cannot sign in"
                ),
            )
            .evidence("entra_answer", answer.to_string());
    }
    if resource_matches_scopes(&resource, scope) {
        return check.pass(format!(
            "the façade passes resource={resource} on; it is the identifier of the API the scopes name"
        ));
    }
    check.warn(
        codes::RESOURCE_REJECTED,
        format!(
            "the façade passes resource={resource} on to Entra with scope {scope:?}: unless {resource} is among the Application ID URIs of that API, Entra answers AADSTS9010010 and VS Code, Claude Code and the TypeScript SDK v1 and v2 cannot sign in (predicted; not confirmed before sign-in)"
        ),
    )
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
        Err(e) => return vec![e.to_check(codes::UNREACHABLE, ID, TITLE)],
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
        out.extend(check_authorize_location(&loc, Some(sent_query), exp));
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
    out.extend(check_authorize_location(endpoint.as_str(), None, exp));
    out
}

// ---------------------------------------------------------------- /authorize redirect

/// Checks on the `Location` of the `/authorize` redirect: `authorize-target` (Entra's v2.0
/// authorize endpoint of the tenant), and with `sent_query`, `authorize-query` (the query
/// string arrives unchanged).
pub fn check_authorize_location(
    location: &str,
    sent_query: Option<&str>,
    exp: &DocExpect,
) -> Vec<Check> {
    let mut checks = vec![authorize_target(location, exp)];
    if let Some(q) = sent_query {
        checks.push(authorize_query(location, q));
    }
    checks
}

/// The tenant segment of an Entra authorize/OIDC URL under `authority`, if it has one.
pub fn tenant_from_entra_url(u: &Url, authority: &str) -> Option<String> {
    let auth = Url::parse(authority).ok()?;
    if u.origin() != auth.origin() {
        return None;
    }
    let base = auth.path().trim_end_matches('/');
    let rest = u.path().strip_prefix(base)?;
    rest.trim_start_matches('/')
        .split('/')
        .next()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn authorize_target(location: &str, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.authorize.target",
        "/authorize redirects to the tenant's v2.0 authorize endpoint",
    )
    .evidence("location", location)
    .fix_var("authority", exp.authority_trimmed());
    let authority = exp.authority_trimmed();
    let target_part = location.split('?').next().unwrap_or("");
    if is_placeholder(target_part) {
        return check.fail(
            codes::AUTHORIZE_TARGET,
            format!("the Location still holds a template placeholder: {target_part}"),
        );
    }
    let Ok(u) = Url::parse(location) else {
        return check.fail(
            codes::AUTHORIZE_TARGET,
            format!("the Location {location:?} is not an absolute URL"),
        );
    };
    let Ok(auth_url) = Url::parse(authority) else {
        return check.skip(
            crate::config::codes::INVALID,
            format!("--authority {authority:?} is not a URL"),
        );
    };
    if u.origin() != auth_url.origin() {
        return check.fail(
            codes::AUTHORIZE_TARGET,
            format!(
                "the Location points at {}, not the authority {authority}",
                u.origin().ascii_serialization()
            ),
        );
    }
    let tenant = tenant_from_entra_url(&u, authority).unwrap_or_default();
    let base = auth_url.path().trim_end_matches('/');
    let after_tenant = u
        .path()
        .strip_prefix(base)
        .unwrap_or("")
        .trim_start_matches('/')
        .split_once('/')
        .map(|(_, r)| r)
        .unwrap_or("");
    let check = check.evidence("tenant", tenant.clone());
    if after_tenant != "oauth2/v2.0/authorize" {
        let why = if after_tenant == "oauth2/authorize" {
            "the v1.0 endpoint (oauth2/authorize): it issues v1 tokens and ignores v2 scopes"
                .to_string()
        } else {
            format!("/{after_tenant} instead of /oauth2/v2.0/authorize")
        };
        return check.fail(
            codes::AUTHORIZE_TARGET,
            format!("the Location points at {why}"),
        );
    }
    match &exp.tenant_id {
        Some(t) if !t.eq_ignore_ascii_case(&tenant) => {
            let multi = matches!(
                tenant.to_ascii_lowercase().as_str(),
                "common" | "organizations" | "consumers"
            );
            let detail = if multi {
                format!(
                    "the Location uses the multi-tenant endpoint /{tenant}/, not the tenant {t}: a single-tenant gateway app cannot sign in there (AADSTS50194)"
                )
            } else {
                format!("the Location names the tenant {tenant}, not {t}")
            };
            check.fail(codes::AUTHORIZE_TARGET, detail)
        }
        Some(_) => check.pass(format!("302 to {}", u.as_str().split('?').next().unwrap_or(""))),
        None => check.pass(format!(
            "302 to Entra's v2.0 authorize endpoint of tenant {tenant} (set --tenant-id to check the tenant)"
        )),
    }
}

fn authorize_query(location: &str, sent: &str) -> Check {
    let check = Check::new(
        "discovery.authorize.query",
        "/authorize keeps the query string",
    );
    let sent = sent.trim_start_matches('?');
    let got = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let got = got.split('#').next().unwrap_or("");
    if got.is_empty() {
        return check
            .fail(
                codes::AUTHORIZE_QUERY,
                "the query string was dropped: Entra gets no client_id, redirect_uri, PKCE challenge or state",
            );
    }
    if got.starts_with('?') {
        return check
            .fail(
                codes::AUTHORIZE_QUERY,
                "the Location has a doubled '?': the policy adds '?' before QueryString, which already has one",
            );
    }
    let parse = |q: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        v.sort();
        v
    };
    // Removing RFC 8707 `resource` is correct (Entra's v2.0 endpoint refuses it); every
    // other parameter must arrive unchanged.
    let removed_resource = parse(sent).iter().any(|(k, _)| k == "resource")
        && !parse(got).iter().any(|(k, _)| k == "resource");
    let without = |v: Vec<(String, String)>| -> Vec<(String, String)> {
        if removed_resource {
            v.into_iter().filter(|(k, _)| k != "resource").collect()
        } else {
            v
        }
    };
    let (want, have) = (without(parse(sent)), without(parse(got)));
    let note = if removed_resource {
        " (`resource` removed, as Entra's v2.0 endpoint needs)"
    } else {
        ""
    };
    if want == have {
        return check.pass(format!(
            "all {} query parameters arrive unchanged{note}",
            want.len()
        ));
    }
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for (k, v) in &want {
        match have.iter().find(|(hk, _)| hk == k) {
            None => missing.push(k.clone()),
            Some((_, hv)) if hv != v => changed.push(k.clone()),
            _ => {}
        }
    }
    let added: Vec<String> = have
        .iter()
        .filter(|(k, _)| !want.iter().any(|(wk, _)| wk == k))
        .map(|(k, _)| k.clone())
        .collect();
    if missing.is_empty() && changed.is_empty() {
        return check
            .pass(format!(
                "all {} query parameters arrive unchanged{note} (the gateway adds {})",
                want.len(),
                added.join(", ")
            ))
            .evidence("added", added);
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("dropped {}", missing.join(", ")));
    }
    if !changed.is_empty() {
        parts.push(format!("changed {}", changed.join(", ")));
    }
    check
        .fail(
            codes::AUTHORIZE_QUERY,
            format!("the query string was altered: {}", parts.join("; ")),
        )
        .evidence("missing", missing)
        .evidence("changed", changed)
}
